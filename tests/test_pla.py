"""PLA reading and writing, the --pla training path, and the generated functions."""

from __future__ import annotations

import re

import numpy as np
import pytest

from lutlearn.cli import main
from lutlearn.datasets.pla import PlaFormatError, function_examples, read_pla, write_pla

GOOD = """# a comment
.i 4
.o 1
.ilb a b c d
.ob f
.p 3
.type fr
0101 1
1100 0   # trailing comment
00001
.e
this is ignored
"""


def write(tmp_path, text, name="f.pla"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_read_good_file(tmp_path):
    pla = read_pla(write(tmp_path, GOOD))
    np.testing.assert_array_equal(pla.X, [[0, 1, 0, 1], [1, 1, 0, 0], [0, 0, 0, 0]])
    np.testing.assert_array_equal(pla.y, [1, 0, 1])
    assert pla.X.dtype == np.uint8 and pla.y.dtype == np.uint8
    assert pla.input_names == ["a", "b", "c", "d"] and pla.output_names == ["f"]


@pytest.mark.parametrize(
    "text, line, words",
    [
        (".i 4\n.o 1\n01-1 1\n.e\n", 3, "don't-care input '-' at column 3"),
        (".i 4\n.o 2\n0101 10\n", 2, "only single-output"),
        (".i 4\n.o 1\n0101 -\n", 3, "don't-care output"),
        (".i 4\n.o 1\n010 1\n", 3, "row has 4 values, expected 4 inputs and 1 output"),
        (".i 4\n.o 1\n0121 1\n", 3, "don't-care input '2'"),
        (".i 4\n.o 1\n01x1 1\n", 3, "invalid input value 'x'"),
        ("0101 1\n.i 4\n.o 1\n", 1, "example row before"),
        (".i 4\n.o 1\n.type fd\n0101 1\n", 3, "only '.type f' and '.type fr'"),
        (".i four\n.o 1\n", 1, "'.i' needs one non-negative integer"),
        (".i 4\n.o 1\n.kiss\n", 3, "unsupported directive '.kiss'"),
        (".i 4\n.o 1\n0101 1\n.i 3\n010 1\n", 4, "a second '.i' directive (the first is on line 1)"),
    ],
)
def test_malformed_files_name_the_line(tmp_path, text, line, words):
    path = write(tmp_path, text)
    with pytest.raises(PlaFormatError) as err:
        read_pla(path)
    assert f"{path}, line {line}:" in str(err.value)
    assert words in str(err.value)


@pytest.mark.parametrize(
    "text, words",
    [
        (".i 2\n.o 1\n.p 3\n01 1\n10 0\n", "'.p 3' but the file has 2 example rows"),
        (".i 2\n.o 1\n.e\n", "no example rows"),
        ("hello\n", "example row before"),
        ("", "missing '.i' or '.o'"),
    ],
)
def test_malformed_files_whole(tmp_path, text, words):
    with pytest.raises(PlaFormatError, match=words.replace("(", r"\(").replace(".", r"\.")):
        read_pla(write(tmp_path, text))


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_pla(tmp_path / "nope.pla")


def test_write_read_round_trip(tmp_path):
    X, y = function_examples("parity:9", 300, random_state=3)
    write_pla(tmp_path / "p.pla", X, y)
    pla = read_pla(tmp_path / "p.pla")
    np.testing.assert_array_equal(pla.X, X)
    np.testing.assert_array_equal(pla.y, y)
    text = (tmp_path / "p.pla").read_text().splitlines()
    assert text[:4] == [".i 9", ".o 1", ".p 300", ".type fr"] and text[-1] == ".e"
    assert text[4] == "".join(map(str, X[0])) + f" {y[0]}"


def test_write_rejects_non_binary(tmp_path):
    with pytest.raises(ValueError, match="0/1"):
        write_pla(tmp_path / "bad.pla", [[0, 2]], [1])
    assert not (tmp_path / "bad.pla").exists()


@pytest.mark.parametrize("names, output", [(["a", "b\n.e\n11 1"], None), (["a", "b"], "y\r"), (["a b", "c"], None)])
def test_write_refuses_names_that_would_change_the_file(tmp_path, names, output):
    """A name with a line break or a space would add rows or names: refused, nothing written."""
    with pytest.raises(ValueError, match="PLA name"):
        write_pla(tmp_path / "bad.pla", [[0, 1]], [1], input_names=names, output_name=output)
    assert not (tmp_path / "bad.pla").exists()
    write_pla(tmp_path / "ok.pla", [[0, 1]], [1], input_names=["a", "b"], output_name="y")
    assert read_pla(tmp_path / "ok.pla").input_names == ["a", "b"]


def test_known_functions():
    X, y = function_examples("parity:5", 200, random_state=0)
    np.testing.assert_array_equal(y, np.bitwise_xor.reduce(X, axis=1))
    X, y = function_examples("majority:7", 200, random_state=0)
    np.testing.assert_array_equal(y, X.sum(axis=1) >= 4)
    X, y = function_examples("comparator:8", 500, random_state=0)
    weights = 1 << np.arange(3, -1, -1)
    np.testing.assert_array_equal(y, (X[:, :4] @ weights) > (X[:, 4:] @ weights))
    assert 0 < y.sum() < len(y)
    for bad in ("parity", "xor:3", "comparator:5", "parity:0"):
        with pytest.raises(ValueError):
            function_examples(bad, 10)


def test_train_from_pla_end_to_end(tmp_path, capsys):
    assert main(["pla", "comparator:6", "-o", str(tmp_path / "cmp"), "--n-train", "600", "--n-valid", "300"]) == 0
    model = tmp_path / "model.npz"
    rc = main([
        "train", "--pla", str(tmp_path / "cmp.train.pla"), "--valid", str(tmp_path / "cmp.valid.pla"),
        "-k", "6", "--hidden-layers", "0", "-o", str(model),
    ])
    out = capsys.readouterr().out
    assert rc == 0 and model.exists()
    # a single 6-input lut sees all of a 6-bit comparator's inputs: it memorizes the function
    assert "training accuracy 1.0000" in out
    acc = float(out.split("validation accuracy ")[1].split()[0])
    assert acc > 0.95  # all patterns unseen in 600 draws of 64 are rare


def test_train_pla_valid_and_test_report_each_split(tmp_path, capsys):
    """``train --pla --valid --test``: each split's accuracy, as the saved model scores it."""
    from lutlearn import load

    assert main(["pla", "cmp:10", "-o", str(tmp_path / "t"), "--n-train", "300"]) == 0
    files = {split: tmp_path / f"t.{split}.pla" for split in ("train", "valid", "test")}
    model = tmp_path / "m.npz"
    assert main(["train", "--pla", str(files["train"]), "--valid", str(files["valid"]), "--test", str(files["test"]),
                 "-k", "4", "--hidden-layers", "1x32", "-o", str(model)]) == 0
    out = capsys.readouterr().out
    clf = load(model)
    for split, name in (("train", "training"), ("valid", "validation"), ("test", "test")):
        pla = read_pla(files[split])
        assert f"{name} accuracy {clf.score(pla.X, pla.y):.4f}" in out, split
    assert out.index("validation accuracy") < out.index("test accuracy")
    write_pla(tmp_path / "narrow.pla", np.zeros((2, 9), np.uint8), [0, 1])
    assert main(["train", "--pla", str(files["train"]), "--test", str(tmp_path / "narrow.pla"),
                 "-o", str(tmp_path / "n.npz")]) == 1
    assert f"{tmp_path / 'narrow.pla'} has 9 inputs but {files['train']} has 10" in capsys.readouterr().err


def test_train_pla_errors(tmp_path, capsys):
    good = write(tmp_path, GOOD)
    bad = write(tmp_path, ".i 4\n.o 1\n01-1 1\n", "bad.pla")
    narrow = write(tmp_path, ".i 3\n.o 1\n011 1\n", "narrow.pla")
    out = tmp_path / "m.npz"
    assert main(["train", "--pla", str(bad), "-o", str(out)]) == 1
    assert f"{bad}, line 3: don't-care input" in capsys.readouterr().err
    assert main(["train", "--pla", str(good), "--valid", str(narrow), "-o", str(out)]) == 1
    assert "has 3 inputs but" in capsys.readouterr().err
    assert main(["train", "--valid", str(good), "-o", str(out)]) == 1
    assert "--valid needs --pla" in capsys.readouterr().err
    assert not out.exists()


def test_a_file_that_is_not_pla_is_named(tmp_path, capsys):
    """--pla (train, fit-circuit) given an AIGER circuit or gzip data: what it is, not a parse error."""
    import gzip

    (tmp_path / "c.pla").write_bytes(b"aig 3 2 0 1 1\n6\n\x02\x02i0 x0\n")
    (tmp_path / "z.pla").write_bytes(gzip.compress(GOOD.encode()))
    for path, what in ((tmp_path / "c.pla", "an AIGER circuit, read by 'lutlearn evaluate CIRCUIT DATA'"),
                       (tmp_path / "z.pla", "gzip-compressed data; decompress it first")):
        with pytest.raises(PlaFormatError, match=f"^{re.escape(str(path))}: not a PLA file \\(it looks like "
                                                 f"{re.escape(what)}"):
            read_pla(path)
        good = tmp_path / "good.pla"
        good.write_text(GOOD)
        for argv in (["train", "--pla", str(path), "-o", str(tmp_path / "m.npz")],
                     ["fit-circuit", "--pla", str(good), "--valid", str(path), "--max-and-gates", "9",
                      "-o", str(tmp_path / "c.aig")]):
            assert main(argv) == 1
            err = capsys.readouterr().err
            assert err.count("\n") == 1 and f"{path}: not a PLA file (it looks like {what}" in err
