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


def _pla_pair(tmp_path, n_inputs=8, rows=40, seed=0):
    import numpy as np

    from lutlearn.datasets.pla import write_pla

    rng = np.random.default_rng(seed)
    for name in ("t", "v"):
        X = rng.integers(0, 2, (rows, n_inputs), dtype=np.uint8)
        write_pla(tmp_path / f"{name}.pla", X, X[:, 0] ^ X[:, 1])
    return ["--pla", str(tmp_path / "t.pla"), "--valid", str(tmp_path / "v.pla")]


@pytest.mark.parametrize("extra, message", [
    (["--save-model", "m.npz", "--ensemble"], "--ensemble with --save-model"),
    (["--save-model", "m.npz", "--cascade"], "--cascade with --save-model"),
    (["--save-model", "m.npz", "--care-table", "8"], "--care-table with --save-model"),
    (["--no-abc", "--abc-script", "strash; dc2"], "--abc-script needs ABC, but --no-abc is given"),
    (["--no-abc", "--care-table", "8"], "--care-table needs ABC, but --no-abc is given"),
])
def test_fit_circuit_refuses_options_that_cannot_take_effect_before_the_search(tmp_path, capsys, monkeypatch,
                                                                               extra, message):
    """--save-model was refused after the whole search when a non-network won (and -o was not written either);
    ABC's options were silently ignored without ABC."""
    data = _pla_pair(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("lutlearn.circuits.search.fit_circuit", lambda *a, **k: pytest.fail("the search started"))
    assert main(["fit-circuit", *data, "--max-and-gates", "40", "-o", "c.aig", *extra]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err
    assert not (tmp_path / "c.aig").exists()


def test_fit_circuit_abc_options_without_abc_installed(tmp_path, capsys, monkeypatch):
    data = _pla_pair(tmp_path)
    monkeypatch.setattr(tools, "find_abc", lambda: None)
    assert main(["fit-circuit", *data, "--max-and-gates", "40", "-o", str(tmp_path / "c.aig"),
                 "--abc-script", "strash"]) == 1
    assert "--abc-script needs ABC, but ABC is not installed" in capsys.readouterr().err


def test_fit_circuit_save_model_searches_networks_only(tmp_path, capsys, monkeypatch):
    """With --save-model, cascades and care tables are left out before the search, so a network wins and both
    files are written."""
    import lutlearn.circuits.search

    data = _pla_pair(tmp_path)
    seen = {}
    real = lutlearn.circuits.search.fit_circuit

    def spy(*a, **k):
        seen.update(k)
        return real(*a, **k)

    monkeypatch.setattr(lutlearn.circuits.search, "fit_circuit", spy)
    assert main(["fit-circuit", *data, "--max-and-gates", "40", "--ks", "2", "--depths", "0", "--no-abc",
                 "-o", str(tmp_path / "c.aig"), "--save-model", str(tmp_path / "m.npz")]) == 0
    assert seen["cascades"] == () and seen["care_table"] == 0 and seen["care_support"] == 0
    assert "the search tries networks only" in capsys.readouterr().out
    assert (tmp_path / "c.aig").exists() and (tmp_path / "m.npz").exists()


def test_the_input_choosing_searches_are_bounded_in_the_number_of_inputs():
    """fit-circuit --quick on a 6-row PLA of 10**5 inputs did not finish in 150 s: greedy wiring drew each lut's
    candidate pool as the k smallest of n keys by insertion (quadratic: k = n), and the interaction search
    scanned n**2 / 2 pairs. The pool is now sorted (the same wires), and no interactions beyond 4096 inputs."""
    import time

    import numpy as np

    from lutlearn.core import kernels
    from lutlearn.core.training import MAX_INTERACTION_INPUTS, interaction_subsets, random_wiring

    small = np.empty((3, 200), np.int32)  # the sort gives the kernel's wires, ties by column included
    keys = np.random.default_rng(0).random((3, 200))
    keys[:, 5] = keys[:, 9]
    kernels.smallest_k(keys, 200, small)
    np.testing.assert_array_equal(small, np.argsort(keys, axis=1, kind="stable"))
    np.testing.assert_array_equal(random_wiring(np.random.default_rng(1), 3, 200, 200),
                                  np.argsort(np.random.default_rng(1).random((3, 200)), axis=1, kind="stable"))
    t0 = time.perf_counter()
    random_wiring(np.random.default_rng(0), 8, 20_000, 20_000)  # insertion: about 8 * 2 * 10**8 steps
    A = np.random.default_rng(0).integers(0, 2, (MAX_INTERACTION_INPUTS + 1, 64), dtype=np.uint8)
    assert interaction_subsets(A, A[0], None, 0) == []
    assert time.perf_counter() - t0 < 5


def test_fit_circuit_writes_no_file_when_one_of_its_outputs_fails(tmp_path, capsys, monkeypatch):
    """The circuit was written first; a failure writing the JSON record left it behind."""
    import lutlearn.circuits.search

    data = _pla_pair(tmp_path)

    def broken(self, *a, **k):
        raise RuntimeError("no record")

    monkeypatch.setattr(lutlearn.circuits.search.CircuitSearch, "to_record", broken)
    assert main(["fit-circuit", *data, "--max-and-gates", "40", "--ks", "2", "--depths", "0", "--no-abc",
                 "-o", str(tmp_path / "c.aig"), "--json", str(tmp_path / "r.json")]) == 1
    assert "no record" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.pla", "v.pla"]
