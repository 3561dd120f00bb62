"""``lutlearn evaluate`` on PLA data, for a model file and for an AIGER circuit, and its messages for files of
the wrong kind (every command that reads a model), run in-process."""

from __future__ import annotations

import gzip
import pickle
import re

import numpy as np
import pytest

from lutlearn.cli import main
from lutlearn.export.aiger import Aig, read_aiger


@pytest.fixture(scope="module")
def contest(tmp_path_factory):
    """A generated contest-like task (train/valid/test PLA files), a model trained on it and its circuits."""
    tmp = tmp_path_factory.mktemp("contest")
    assert main(["pla", "cmp:8", "-o", str(tmp / "t"), "--n-train", "300"]) == 0
    assert main(["train", "--pla", str(tmp / "t.train.pla"), "-k", "4", "--hidden-layers", "1x16",
                 "-o", str(tmp / "m.npz")]) == 0
    for suffix in (".aig", ".aag"):
        assert main(["export", str(tmp / "m.npz"), "-o", str(tmp / f"c{suffix}")]) == 0
    return tmp


def _accuracy(out: str) -> float:
    return float(re.search(r"^accuracy (\S+) on (\d+) examples", out, re.M).group(1))


def test_evaluate_model_and_circuit_on_a_pla_file(contest, capsys):
    """The model and its exported circuit score the same on the PLA test file; the circuit's figures follow."""
    from lutlearn import load
    from lutlearn.datasets.pla import read_pla

    capsys.readouterr()
    test = read_pla(contest / "t.test.pla")
    expected = load(contest / "m.npz").score(test.X, test.y)
    assert main(["evaluate", str(contest / "m.npz"), str(contest / "t.test.pla")]) == 0
    assert _accuracy(capsys.readouterr().out) == pytest.approx(expected, abs=5e-5)
    for suffix in (".aig", ".aag"):
        assert main(["evaluate", str(contest / f"c{suffix}"), str(contest / "t.test.pla")]) == 0
        out = capsys.readouterr().out
        assert _accuracy(out) == pytest.approx(expected, abs=5e-5)
        aig = read_aiger(contest / f"c{suffix}")
        assert f"circuit: 8 inputs, {aig.n_ands} AND gates, {aig.levels} levels" in out and aig.levels > 0
        assert f"on {len(test.y)} examples" in out


def test_evaluate_circuit_refuses_mismatched_data(contest, tmp_path, capsys):
    from lutlearn.datasets.pla import write_pla

    write_pla(tmp_path / "wide.pla", np.zeros((3, 9), np.uint8), [0, 1, 0])
    assert main(["evaluate", str(contest / "c.aig"), str(tmp_path / "wide.pla")]) == 1
    err = capsys.readouterr().err
    assert f"{contest / 'c.aig'} reads 8 inputs but the examples of {tmp_path / 'wide.pla'} have 9" in err
    two = Aig(8)
    two.outputs = [two.input(0), two.input(1)]
    (tmp_path / "two.aig").write_bytes(two.to_bytes())
    assert main(["evaluate", str(tmp_path / "two.aig"), str(contest / "t.test.pla")]) == 1
    assert "the circuit has 2 outputs; evaluate scores single-output circuits" in capsys.readouterr().err
    np.savetxt(tmp_path / "labels.csv", np.c_[np.zeros((2, 8), int), [0, 2]], fmt="%d", delimiter=",")
    assert main(["evaluate", str(contest / "c.aig"), str(tmp_path / "labels.csv")]) == 1
    assert "a circuit needs 0/1 labels; found [0, 2]" in capsys.readouterr().err
    (tmp_path / "cut.aig").write_bytes((contest / "c.aig").read_bytes()[:40])
    assert main(["evaluate", str(tmp_path / "cut.aig"), str(contest / "t.test.pla")]) == 1
    assert "truncated or malformed AIGER file" in capsys.readouterr().err


def _files(contest, tmp):
    """Files that are not model files: each with the start of what the message must call it."""
    (tmp / "g.npz").write_bytes(gzip.compress(b"0,1\n"))
    (tmp / "p.npz").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(40))
    (tmp / "k.npz").write_bytes(pickle.dumps({"X": 1}))
    np.savez(tmp / "xy.npz", X=np.zeros((2, 8)), y=np.zeros(2))
    return {
        contest / "c.aig": "an AIGER circuit, read by 'lutlearn evaluate CIRCUIT DATA' and 'lutlearn info CIRCUIT'",
        contest / "t.test.pla": "a PLA file of examples, data for 'lutlearn train --pla'",
        tmp / "g.npz": "gzip-compressed data",
        tmp / "p.npz": "a PNG image",
        tmp / "k.npz": "a Python pickle, which lutlearn never loads",
        tmp / "xy.npz": "an .npz file of arrays, data (arrays X and y) for 'lutlearn train'",
    }


@pytest.mark.parametrize("command", ["evaluate", "info", "predict", "export", "hw-report"])
def test_commands_name_a_file_that_is_not_a_model(command, contest, tmp_path, capsys):
    """One line naming the file, what it is and what reads it; never numpy's advice to allow pickle."""
    extra = {"evaluate": [str(contest / "t.test.pla")], "predict": [str(contest / "t.test.pla")],
             "export": ["-o", str(tmp_path / "x.v")], "hw-report": ["--target", "lut6"], "info": []}[command]
    for path, what in _files(contest, tmp_path).items():
        if command in ("evaluate", "info") and path.suffix == ".aig":
            continue  # these two read circuits
        assert main([command, str(path), *extra]) == 1, path
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "allow_pickle" not in err, err
        assert f"{path}: not a valid lutlearn model or pipeline file; it looks like {what}" in err, err


def test_data_arguments_name_a_circuit_given_as_data(contest, tmp_path, capsys):
    for argv in (["train", str(contest / "c.aig"), "-o", str(tmp_path / "m.npz")],
                 ["evaluate", str(contest / "m.npz"), str(contest / "c.aig")],
                 ["predict", str(contest / "m.npz"), str(contest / "c.aig")],
                 ["train", "--pla", str(contest / "t.train.pla"), "--test", str(contest / "c.aag"),
                  "-o", str(tmp_path / "m.npz")]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "allow_pickle" not in err
        assert "(it looks like an AIGER circuit, read by 'lutlearn evaluate CIRCUIT DATA'" in err, err


# ------------------------------------------------------------ multi-output circuits
#: A hand-written ASCII AIGER file: inputs x0 (literal 2) and x1 (4); outputs x0 AND x1 (6) and
#: x0 OR x1 (9 = NOT (NOT x0 AND NOT x1), gate 8 = 3 AND 5).
AND_OR = "aag 4 2 0 2 2\n2\n4\n6\n9\n6 2 4\n8 3 5\n"

#: Labels of AND and OR with two wrong entries and don't-cares: AND is right on 3 of its 4 cared rows, OR on 2 of
#: its 3; rows 00 and 11 have every cared output right, rows 01 and 10 one wrong, and row 11 (again) cares for none.
AND_OR_PLA = ".i 2\n.o 2\n.ob and or\n.type fd\n00 00\n01 00\n10 11\n11 1-\n11 ~-\n.e\n"


def test_evaluate_multi_output_circuit_per_output_and_whole_vector(tmp_path, capsys):
    (tmp_path / "c.aag").write_text(AND_OR)
    (tmp_path / "d.pla").write_text(AND_OR_PLA)
    aig = read_aiger(tmp_path / "c.aag")
    np.testing.assert_array_equal(aig.evaluate([[0, 0], [0, 1], [1, 0], [1, 1]]), [[0, 0], [0, 1], [0, 1], [1, 1]])
    assert main(["evaluate", str(tmp_path / "c.aag"), str(tmp_path / "d.pla")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("accuracy 0.5000 on 4 examples: every cared output right, 2 outputs (")
    assert "\noutput 0 (and): accuracy 0.7500 on 4 examples, 1 don't-cares skipped\n" in out
    assert "\noutput 1 (or): accuracy 0.6667 on 3 examples, 2 don't-cares skipped\n" in out
    assert out.endswith("circuit: 2 inputs, 2 AND gates, 1 levels\n")
    # the same circuit built with the Aig class, binary, on right labels without names or don't-cares
    built = Aig(2)
    built.outputs = [built.and_(built.input(0), built.input(1)), built.or_(built.input(0), built.input(1))]
    (tmp_path / "b.aig").write_bytes(built.to_bytes())
    (tmp_path / "right.pla").write_text(".i 2\n.o 2\n00 00\n01 01\n10 01\n11 11\n")
    assert main(["evaluate", str(tmp_path / "b.aig"), str(tmp_path / "right.pla")]) == 0
    out = capsys.readouterr().out
    assert "accuracy 1.0000 on 4 examples" in out and "output 1: accuracy 1.0000 on 4 examples\n" in out


def test_evaluate_single_output_circuit_on_dont_care_labels(tmp_path, capsys):
    """One output with don't-cares: scored on the cared rows only."""
    one = Aig(2)
    one.outputs = [one.and_(one.input(0), one.input(1))]
    (tmp_path / "and.aig").write_bytes(one.to_bytes())
    (tmp_path / "d.pla").write_text(".i 2\n.o 1\n.type fr\n00 0\n01 1\n10 -\n11 1\n")
    assert main(["evaluate", str(tmp_path / "and.aig"), str(tmp_path / "d.pla")]) == 0
    out = capsys.readouterr().out
    assert "accuracy 0.6667 on 3 examples: every cared output right, 1 outputs" in out
    assert "output 0: accuracy 0.6667 on 3 examples, 1 don't-cares skipped" in out


def test_evaluate_multi_output_refuses_mismatches(tmp_path, capsys):
    (tmp_path / "c.aag").write_text(AND_OR)
    (tmp_path / "three.pla").write_text(".i 2\n.o 3\n00 000\n")
    assert main(["evaluate", str(tmp_path / "c.aag"), str(tmp_path / "three.pla")]) == 1
    assert f"{tmp_path / 'c.aag'}: the circuit has 2 outputs but {tmp_path / 'three.pla'} has 3" \
        in capsys.readouterr().err
    (tmp_path / "wide.pla").write_text(".i 3\n.o 2\n000 00\n")
    assert main(["evaluate", str(tmp_path / "c.aag"), str(tmp_path / "wide.pla")]) == 1
    assert "reads 2 inputs but the examples of" in capsys.readouterr().err
    (tmp_path / "none.pla").write_text(".i 2\n.o 2\n00 --\n")
    assert main(["evaluate", str(tmp_path / "c.aag"), str(tmp_path / "none.pla")]) == 1
    assert "every output of every example is a don't-care" in capsys.readouterr().err
    (tmp_path / "cube.pla").write_text(".i 2\n.o 2\n0- 00\n")
    assert main(["evaluate", str(tmp_path / "c.aag"), str(tmp_path / "cube.pla")]) == 1
    assert "line 3: don't-care input '-' at column 2" in capsys.readouterr().err
