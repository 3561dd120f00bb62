"""``lutlearn fit-circuit``: output that is the same file run to run, run in-process."""

from __future__ import annotations

import pytest

from lutlearn.cli import main
from lutlearn.export import tools
from lutlearn.export.aiger import read_aiger


def test_fit_circuit_with_abc_writes_the_same_bytes_twice(tmp_path, capsys):
    if tools.find_abc() is None:
        pytest.skip("ABC not installed (Debian package 'berkeley-abc')")
    assert main(["pla", "xor-few:24:2:0", "-o", str(tmp_path / "t"), "--n-train", "400"]) == 0
    files = {}
    data = ["--pla", str(tmp_path / "t.train.pla"), "--valid", str(tmp_path / "t.valid.pla")]
    for run in ("one", "two"):
        for suffix in (".aig", ".aag"):
            out = tmp_path / run / f"c{suffix}"
            assert main(["fit-circuit", *data, "--max-and-gates", "40", "--quick", "--ks", "2,4", "--depths", "0,1",
                         "-o", str(out)]) == 0
            files[run, suffix] = out.read_bytes()
    assert "after ABC" in capsys.readouterr().out
    for suffix in (".aig", ".aag"):
        assert files["one", suffix] == files["two", suffix]
        assert b"/tmp" not in files["one", suffix] and b"written by ABC" not in files["one", suffix]
    assert read_aiger(tmp_path / "one" / "c.aig").comment == f"optimised by ABC: {tools.ABC_SCRIPT}"
