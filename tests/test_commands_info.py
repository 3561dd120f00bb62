"""``lutlearn info`` on AIGER circuits, run in-process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import lutlearn
from lutlearn.cli import main
from lutlearn.export.aiger import Aig, output_symbols, parse_aiger, with_output_names


def test_info_circuit_prints_counts_levels_and_comment(tmp_path, capsys):
    aig = Aig(3)
    g = aig.and_(aig.and_(aig.input(0), aig.input(1)), aig.input(2) ^ 1)
    aig.outputs = [g, aig.input(2)]
    (tmp_path / "c.aag").write_bytes(aig.to_bytes(binary=False, comment="made by hand\nfor a test"))
    (tmp_path / "c.aig").write_bytes(aig.to_bytes())
    assert main(["info", str(tmp_path / "c.aag")]) == 0
    out = capsys.readouterr().out
    assert f"circuit: {tmp_path / 'c.aag'} (ASCII AIGER)" in out
    assert "inputs: 3   outputs: 2   AND gates: 2\nlevels: 2\noutputs (" in out
    assert "  y0: 2, 2\n  y1: 0, 0\ncomment:\n  made by hand\n  for a test\n" in out
    assert main(["info", str(tmp_path / "c.aig")]) == 0
    out = capsys.readouterr().out
    assert "(binary AIGER)" in out and "levels: 2" in out and "comment" not in out


def test_info_circuit_with_latches_reports_its_header(tmp_path, capsys):
    # a toggle flip-flop: latch 2 takes its own negation; output the latch
    (tmp_path / "t.aag").write_text("aag 1 0 1 1 0\n2 3\n2\n")
    assert main(["info", str(tmp_path / "t.aag")]) == 0
    out = capsys.readouterr().out
    assert "inputs: 0   outputs: 1   latches: 1   AND gates: 0" in out
    assert "levels: not computed (lutlearn reads combinational AIGs; this one has latches)" in out
    assert main(["evaluate", str(tmp_path / "t.aag"), str(tmp_path / "t.aag")]) == 1
    assert "latches, bad-state or constraint properties are not supported" in capsys.readouterr().err


_COMMANDS_ON_A_FIFO = """
import os, sys
from lutlearn.cli import main
folder = sys.argv[1]
os.mkfifo(os.path.join(folder, "f.npz"))
with open(os.path.join(folder, "d.pla"), "w") as fh:
    fh.write(".i 2\\n.o 1\\n.type fr\\n00 0\\n11 1\\n.e\\n")
print(main(["info", os.path.join(folder, "f.npz")]), main(["evaluate", os.path.join(folder, "f.npz"),
                                                            os.path.join(folder, "d.pla")]))
"""


@pytest.mark.skipif(os.name != "posix", reason="FIFOs")
def test_info_and_evaluate_refuse_a_fifo_at_once(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(Path(lutlearn.__file__).parents[1])}
    out = subprocess.run([sys.executable, "-c", _COMMANDS_ON_A_FIFO, str(tmp_path)], capture_output=True,
                         text=True, env=env, timeout=60)  # before the fix: the file sniffer blocked in open()
    assert out.stdout.strip() == "1 1", out.stdout + out.stderr
    errors = out.stderr.strip().splitlines()
    assert len(errors) == 2 and all(f"{tmp_path / 'f.npz'}: is a named pipe (FIFO)" in e for e in errors), errors


def test_info_pla_counts_outputs_and_dont_cares(tmp_path, capsys):
    (tmp_path / "m.pla").write_text(".i 3\n.o 2\n.ob s c\n.type fd\n011 1-\n1-1 ~0\n110 01\n.e\n")
    assert main(["info", "--pla", str(tmp_path / "m.pla")]) == 0
    out = capsys.readouterr().out
    assert out == (f"examples: {tmp_path / 'm.pla'} (PLA, .type fd)\n"
                   "inputs: 3   outputs: 2   examples: 3\n"
                   "output 0 (s): 1 ones, 1 zeros, 1 don't-cares\n"
                   "output 1 (c): 1 ones, 1 zeros, 1 don't-cares\n"
                   "don't-care outputs: 2 of 6\n"
                   "don't-care inputs: 1 in 1 examples (cubes: a learner needs fully specified examples)\n")
    (tmp_path / "one.pla").write_text(".i 2\n.o 1\n00 1\n11 0\n")
    assert main(["info", "--pla", str(tmp_path / "one.pla")]) == 0
    out = capsys.readouterr().out
    assert "inputs: 2   outputs: 1   examples: 2\noutput 0: 1 ones, 1 zeros, 0 don't-cares\n" in out
    assert "(PLA)" in out and "don't-care inputs" not in out
    assert main(["info"]) == 1
    assert "give a model file or circuit, or --pla FILE" in capsys.readouterr().err
    (tmp_path / "bad.pla").write_text(".i 2\n.o 2\n00 1\n")
    assert main(["info", "--pla", str(tmp_path / "bad.pla")]) == 1
    assert "line 3: row has 3 values, expected 2 inputs and 2 outputs" in capsys.readouterr().err


def test_info_multi_output_circuit_shows_its_outputs(tmp_path, capsys):
    aig = Aig(4)
    aig.outputs = [aig.and_(aig.input(0), aig.input(1)), aig.input(2), aig.input(3) ^ 1]
    (tmp_path / "c.aig").write_bytes(aig.to_bytes())
    assert main(["info", str(tmp_path / "c.aig")]) == 0
    out = capsys.readouterr().out
    assert "inputs: 4   outputs: 3   AND gates: 1\nlevels: 1\n" in out
    assert "  y0: 1, 1\n  y1: 0, 0\n  y2: 0, 0\n" in out
    named = with_output_names(aig.to_bytes(comment="kept"), ["carry", "sum 0", "z"])
    (tmp_path / "n.aig").write_bytes(named)
    assert output_symbols(named) == {0: "carry", 1: "sum 0", 2: "z"} and parse_aiger(named).comment == "kept"
    assert parse_aiger(named).ands == aig.ands and parse_aiger(named).outputs == aig.outputs
    assert main(["info", str(tmp_path / "n.aig")]) == 0
    assert "  carry: 1, 1\n  sum 0: 0, 0\n  z: 0, 0\n" in capsys.readouterr().out
    for bad in (["a", "b"], ["a", "", "c"], ["a", "b\nc", "d"]):
        with pytest.raises(ValueError, match="3 non-empty one-line output names"):
            with_output_names(aig.to_bytes(), bad)


def test_info_on_a_pla_file_without_the_option_points_to_it(tmp_path, capsys):
    (tmp_path / "d.pla").write_text(".i 2\n.o 1\n00 1\n")
    assert main(["info", str(tmp_path / "d.pla")]) == 1
    err = capsys.readouterr().err
    assert "it looks like a PLA file of examples" in err and "(described by 'lutlearn info --pla')" in err
