"""``lutlearn export``'s messages: the warning for an output suffix that names another format, and the progress
option; ``lutlearn predict -o``'s confirmation. Run in-process."""

from __future__ import annotations

import numpy as np
import pytest

from lutlearn import LutNetworkClassifier
from lutlearn.cli import main


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("export")
    X = np.random.default_rng(0).integers(0, 2, (300, 10)).astype(np.uint8)
    LutNetworkClassifier(k=3, hidden_layers=(8,), random_state=0).fit(X, X[:, 0] & X[:, 1]).save(tmp / "m.npz")
    np.save(tmp / "inputs.npy", X[:20])
    return tmp


@pytest.mark.parametrize("fmt, name, warned", [
    ("c", "x.v", "x.v has the suffix of a verilog file, but --format c writes c"),
    ("verilog", "x.c", "x.c has the suffix of a c file, but --format verilog writes verilog"),
    ("c", "x.c", None),
    ("blif", "x.out", None),  # a suffix of no format: nothing to contradict
])
def test_a_suffix_of_another_format_is_warned_about(model, capsys, fmt, name, warned):
    out = model / name
    assert main(["export", str(model / "m.npz"), "--format", fmt, "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert (warned in err) if warned else err == ""
    assert out.exists()  # written as asked
    if fmt == "c":
        assert "lutlearn_predict" in out.read_text() and "module " not in out.read_text()


def test_export_optimize_takes_no_progress(model, capsys):
    from lutlearn.export.tools import find_abc

    if find_abc() is None:
        pytest.skip("ABC (berkeley-abc) not installed")
    assert main(["export", str(model / "m.npz"), "-o", str(model / "m.aig"), "--optimize", "--no-progress"]) == 0
    captured = capsys.readouterr()
    assert "AND gates after ABC:" in captured.out and captured.err == ""


@pytest.mark.parametrize("suffix", [".csv", ".npy"])
def test_predict_output_is_confirmed_in_one_line(model, capsys, suffix):
    out = model / f"labels{suffix}"
    assert main(["predict", str(model / "m.npz"), str(model / "inputs.npy"), "-o", str(out)]) == 0
    assert capsys.readouterr().out == f"20 predictions written to {out}\n"
    assert main(["predict", str(model / "m.npz"), str(model / "inputs.npy"), "--proba", "-o", str(out)]) == 0
    assert capsys.readouterr().out == f"20 class probabilities written to {out}\n"
    assert main(["predict", str(model / "m.npz"), str(model / "inputs.npy")]) == 0
    assert len(capsys.readouterr().out.split()) == 20  # to standard output: the labels alone
