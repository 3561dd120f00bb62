"""``lutlearn info`` on AIGER circuits, run in-process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import lutlearn
from lutlearn.cli import main
from lutlearn.export.aiger import Aig


def test_info_circuit_prints_counts_levels_and_comment(tmp_path, capsys):
    aig = Aig(3)
    g = aig.and_(aig.and_(aig.input(0), aig.input(1)), aig.input(2) ^ 1)
    aig.outputs = [g, aig.input(2)]
    (tmp_path / "c.aag").write_bytes(aig.to_bytes(binary=False, comment="made by hand\nfor a test"))
    (tmp_path / "c.aig").write_bytes(aig.to_bytes())
    assert main(["info", str(tmp_path / "c.aag")]) == 0
    out = capsys.readouterr().out
    assert f"circuit: {tmp_path / 'c.aag'} (ASCII AIGER)" in out
    assert "inputs: 3   outputs: 2   AND gates: 2\nlevels: 2\ncomment:\n  made by hand\n  for a test\n" in out
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
