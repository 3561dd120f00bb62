"""Reading examples from .npz, .npy and .csv files."""

from __future__ import annotations

import gzip
import json
import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import lutlearn
from lutlearn.datasets.io import read_csv, read_examples


def test_csv_with_and_without_header(tmp_path):
    (tmp_path / "h.csv").write_text("a,b,label\n0,1,1\n1,1,0\n")
    X, y = read_examples(tmp_path / "h.csv")
    np.testing.assert_array_equal(X, [[0, 1], [1, 1]])
    np.testing.assert_array_equal(y, [1, 0])
    X, y = read_examples(tmp_path / "h.csv", label_column="a")
    np.testing.assert_array_equal(X, [[1, 1], [1, 0]])
    (tmp_path / "n.csv").write_text("1,0,1\n0,0,0\n")
    X, y = read_examples(tmp_path / "n.csv", label_column="first")
    np.testing.assert_array_equal(y, [1, 0])
    X, y = read_examples(tmp_path / "n.csv", label_column=None)
    assert X.shape == (2, 3) and y is None


def test_npy_and_npz(tmp_path):
    np.save(tmp_path / "a.npy", np.array([[0, 1, 5], [1, 0, 6]]))
    X, y = read_examples(tmp_path / "a.npy")
    np.testing.assert_array_equal(y, [5, 6])
    X, y = read_examples(tmp_path / "a.npy", label_column=0)
    np.testing.assert_array_equal(X, [[1, 5], [0, 6]])
    np.savez(tmp_path / "d.npz", X=np.eye(2), y=np.array([0, 1]))
    X, y = read_examples(tmp_path / "d.npz")
    assert X.shape == (2, 2) and list(y) == [0, 1]


def test_csv_text_labels_are_class_names(tmp_path):
    """Text labels are read as classes, with or without a header, as Python and .npz files take them."""
    (tmp_path / "plain.csv").write_text("1,0,cat\n0,1,dog\n1,1,cat\n")
    (tmp_path / "named.csv").write_text("a,b,animal\n1,0,cat\n0,1,dog\n")
    (tmp_path / "first.csv").write_text("cat,1,0\ndog,0,1\n")
    X, y = read_examples(tmp_path / "plain.csv")
    np.testing.assert_array_equal(X, [[1, 0], [0, 1], [1, 1]])
    assert y.dtype.kind == "U" and list(y) == ["cat", "dog", "cat"]
    X, y, names = read_csv(tmp_path / "named.csv")
    assert names == ["a", "b"] and list(y) == ["cat", "dog"] and X.shape == (2, 2)
    X, y = read_examples(tmp_path / "first.csv", label_column="first")
    assert list(y) == ["cat", "dog"] and X.tolist() == [[1, 0], [0, 1]]
    (tmp_path / "mixed.csv").write_text("1,0,7\n0,1,dog\n")  # numbers and text: all text
    assert list(read_examples(tmp_path / "mixed.csv")[1]) == ["7", "dog"]
    (tmp_path / "header.csv").write_text("1,2,label\n1,0,3\n0,1,4\n")  # numeric labels below: a header
    X, y, names = read_csv(tmp_path / "header.csv")
    assert names == ["1", "2"] and list(y) == [3, 4]
    (tmp_path / "blank.csv").write_text("1,0,cat\n0,1, \n")
    with pytest.raises(ValueError, match="line 2: the label is empty"):
        read_examples(tmp_path / "blank.csv")


@pytest.mark.parametrize(
    "name, content, match",
    [
        ("e.csv", "", "empty file"),
        ("x.csv", "0,1\nzz,1\n", "non-numeric"),  # a feature; a text label is a class name
        ("c.csv", "0,1\n1,0\n", "out of range"),
        ("f.txt", "0,1\n", "unknown data file type"),
    ],
)
def test_errors(tmp_path, name, content, match):
    (tmp_path / name).write_text(content)
    label = 5 if name == "c.csv" else "last"
    with pytest.raises(ValueError, match=match):
        read_examples(tmp_path / name, label_column=label)


def test_pickled_npy_is_refused(tmp_path):
    np.save(tmp_path / "o.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="holds pickled objects"):
        read_examples(tmp_path / "o.npy")
    np.savez(tmp_path / "o.npz", X=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="holds pickled objects"):
        read_examples(tmp_path / "o.npz")
    np.savez(tmp_path / "noX.npz", A=np.zeros(2))
    with pytest.raises(ValueError, match="named 'X'"):
        read_examples(tmp_path / "noX.npz")


def test_chunked_data_choose_the_label_column_as_single_files_do(tmp_path):
    """``read_chunked`` and ``read_examples`` share one label-column parser (and scale re-exports the readers)."""
    pytest.importorskip("dask.array", reason="needs the dask extra: pip install 'lutlearn[dask]'")
    from lutlearn.core import scale
    from lutlearn.datasets.io import is_chunked_source, read_chunked, read_npy_chunks, read_zarr

    assert (scale.read_chunked, scale.read_npy_chunks, scale.read_zarr, scale.is_chunked_source) == (
        read_chunked, read_npy_chunks, read_zarr, is_chunked_source)
    table = np.arange(40).reshape(10, 4) % 7
    (tmp_path / "c").mkdir()
    np.save(tmp_path / "c" / "part-0.npy", table[:6])
    np.save(tmp_path / "c" / "part-1.npy", table[6:])
    np.save(tmp_path / "whole.npy", table)
    assert is_chunked_source(tmp_path / "c") and not is_chunked_source(tmp_path / "whole.npy")
    for label in ("last", "first", 1, "-2", "2"):
        X, y = read_examples(tmp_path / "whole.npy", label_column=label)
        Xd, yd = read_chunked(tmp_path / "c", label_column=label)
        np.testing.assert_array_equal(Xd.compute(), X)
        np.testing.assert_array_equal(yd.compute(), y)
    Xd, yd = read_chunked(tmp_path / "c", label_column=None)
    assert yd is None and Xd.shape == (10, 4)
    with pytest.raises(ValueError, match="out of range for 4 columns"):
        read_chunked(tmp_path / "c", label_column=4)
    with pytest.raises(ValueError, match="chunked data has no column names"):
        read_chunked(tmp_path / "c", label_column="label")
    with pytest.raises(ValueError, match="no column named 'label'"):
        read_examples(tmp_path / "whole.npy", label_column="label")


# ------------------------------------------------------------------ clear messages for the wrong file


def _gzip_csv(path):
    path.write_bytes(gzip.compress(b"0,1,1\n1,0,0\n"))


def _png(path):
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(40))


def _aiger(path):
    path.write_bytes(b"aag 3 2 0 1 1\n2\n4\n6\n6 2 4\n")


@pytest.mark.parametrize(
    "name, make, match",
    [
        ("g.csv", _gzip_csv, r"not a text CSV file \(it looks like gzip-compressed data; decompress it first\)"),
        ("g.npz", _gzip_csv, r"not an .npz file \(it looks like gzip-compressed data"),
        ("p.npy", _png, r"not a .npy file \(it looks like a PNG image\)"),
        ("p.csv", _png, r"not a text CSV file \(it looks like a PNG image\)"),
        ("c.npy", _aiger, r"not a .npy file \(it looks like an AIGER circuit, read by 'lutlearn evaluate CIRCUIT "
                          r"DATA' and 'lutlearn info CIRCUIT'\)"),
        ("k.npy", lambda p: p.write_bytes(pickle.dumps([1, 2])), "a Python pickle, which lutlearn never loads"),
        ("r.csv", lambda p: p.write_text("0,1,1\n1,0\n"), "data row 2 has 2 values, but the first row has 3"),
        ("h.csv", lambda p: p.write_text("a,b,y\n0,1,1\n1,0,0,1\n"), "data row 2 has 4 values, but the header has 3"),
        ("n.csv", lambda p: p.write_text("0,1,1\nnan,0,0\n"), "example 2, feature 1 is nan; .*missing values"),
        ("n.npy", lambda p: np.save(p, np.array([[0.0, 1.0], [np.inf, 0.0]])), "example 2, feature 1 is inf"),
    ],
)
def test_data_file_messages_name_the_file_and_what_it_is(tmp_path, name, make, match):
    make(tmp_path / name)
    with pytest.raises(ValueError, match=f"^{re.escape(str(tmp_path / name))}: .*{match}") as info:
        read_examples(tmp_path / name)
    assert "allow_pickle" not in str(info.value) and "\n" not in str(info.value)


@pytest.mark.skipif(os.name != "posix", reason="FIFOs, devices and symbolic links")
def test_a_data_path_that_is_not_a_file_is_reported_as_what_it_is(tmp_path):
    (tmp_path / "d.csv").mkdir()
    (tmp_path / "loop.csv").symlink_to(tmp_path / "loop.csv")
    os.symlink("/dev/zero", tmp_path / "zero.npy")
    cases = {"d.csv": "a directory", "loop.csv": "a symbolic link loop", "zero.npy": "a character device"}
    for name, kind in cases.items():
        with pytest.raises(ValueError, match=f"^{tmp_path / name}: is {kind}"):
            read_examples(tmp_path / name)


_OPEN_FIFOS = """
import os, sys
from lutlearn import load
from lutlearn.datasets.io import read_csv, read_examples
from lutlearn.datasets.pla import read_pla
for name, read in [("m.npz", load), ("d.csv", read_examples), ("d.npy", read_examples), ("f.pla", read_pla)]:
    path = os.path.join(sys.argv[1], name)
    os.mkfifo(path)
    try:
        read(path)
    except ValueError as exc:
        print(exc)
"""


@pytest.mark.skipif(os.name != "posix", reason="FIFOs")
def test_a_fifo_as_model_or_data_path_is_refused_at_once(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(Path(lutlearn.__file__).parents[1])}
    out = subprocess.run([sys.executable, "-c", _OPEN_FIFOS, str(tmp_path)], capture_output=True, text=True,
                         env=env, timeout=30)  # before the fix: blocked forever in open()
    lines = out.stdout.splitlines()
    assert len(lines) == 4, out.stdout + out.stderr
    for line, name in zip(lines, ["m.npz", "d.csv", "d.npy", "f.pla"]):
        assert line.startswith(f"{tmp_path / name}: ") and "a named pipe (FIFO)" in line


# ------------------------------------------------------------------ Zarr stores: nothing but plain numbers

_PAYLOAD = """
import os, pickle, sys


class Payload:
    def __reduce__(self):
        return (open, (sys.argv[1], "w"))  # unpickling creates the file: proof that code ran
"""


def _malicious_store(root, marker, zarray=None, codecs=None):
    """A Zarr v2 group whose X chunk is a pickle that creates ``marker`` when unpickled."""
    ns = {}
    exec(_PAYLOAD.replace("sys.argv[1]", repr(str(marker))), ns)
    root.mkdir()
    (root / ".zgroup").write_text(json.dumps({"zarr_format": 2}))
    (root / "X").mkdir()
    meta = {"zarr_format": 2, "shape": [2, 2], "chunks": [2, 2], "dtype": "|O", "compressor": None,
            "fill_value": None, "filters": [{"id": "pickle", "protocol": 4}], "order": "C"}
    meta.update(zarray or {})
    (root / "X" / ".zarray").write_text(json.dumps(meta))
    (root / "X" / "0.0").write_bytes(pickle.dumps(np.array([[ns["Payload"](), 1], [2, 3]], dtype=object)))
    return root


@pytest.mark.parametrize(
    "zarray, match",
    [
        ({}, r"data type '\|O' refused"),
        ({"dtype": "<i8"}, "codec 'pickle' refused"),
        ({"dtype": "<i8", "filters": None, "compressor": {"id": "pickle"}}, "codec 'pickle' refused"),
        ({"dtype": "<i8", "filters": [{"id": "msgpack2"}]}, "codec 'msgpack2' refused"),
    ],
)
def test_a_malicious_zarr_store_runs_nothing(tmp_path, zarray, match):
    pytest.importorskip("zarr")
    from lutlearn.datasets.io import read_chunked

    marker = tmp_path / "ran"
    store = _malicious_store(tmp_path / "evil.zarr", marker, zarray)
    with pytest.raises(ValueError, match=f"^{store / 'X' / '.zarray'}: {match}"):
        read_chunked(store)
    assert not marker.exists()
    # the payload is live: a reader that unpickles the chunk (numcodecs' pickle codec does) runs it
    pickle.loads((store / "X" / "0.0").read_bytes())
    assert marker.exists()


def test_a_zarr_v3_store_with_an_unsafe_codec_or_dtype_is_refused(tmp_path):
    zarr = pytest.importorskip("zarr")
    from lutlearn.datasets.io import check_zarr_store, read_chunked

    g = zarr.open_group(str(tmp_path / "ok.zarr"), mode="w")
    g.create_array("X", shape=(4, 3), dtype="uint8")[:] = np.eye(4, 3, dtype=np.uint8)
    check_zarr_store(tmp_path / "ok.zarr")
    assert read_chunked(tmp_path / "ok.zarr", label_column=None)[0].compute().sum() == 3
    meta_path = tmp_path / "ok.zarr" / "X" / "zarr.json"
    meta = json.loads(meta_path.read_text())
    for key, value, match in [("codecs", [*meta["codecs"], {"name": "numcodecs.pickle"}], "codec 'pickle'"),
                              ("data_type", "string", "data type 'string'")]:
        meta_path.write_text(json.dumps({**meta, key: value}))
        with pytest.raises(ValueError, match=match):
            read_chunked(tmp_path / "ok.zarr")


def test_csv_with_a_byte_order_mark_keeps_its_first_row(tmp_path):
    """Excel's "CSV UTF-8" starts with a byte-order mark: it is not a header, and no row is lost."""
    (tmp_path / "bom.csv").write_bytes("\ufeff1,0,1\n0,0,0\n1,1,1\n".encode("utf-8"))
    X, y = read_examples(tmp_path / "bom.csv")
    np.testing.assert_array_equal(X, [[1, 0], [0, 0], [1, 1]])
    np.testing.assert_array_equal(y, [1, 0, 1])
    (tmp_path / "bomh.csv").write_bytes("\ufeffa,b,label\n1,0,1\n".encode("utf-8"))
    from lutlearn.datasets.io import read_csv

    X, y, names = read_csv(tmp_path / "bomh.csv")
    assert names == ["a", "b"] and X.tolist() == [[1, 0]]


@pytest.mark.parametrize("label", ["inf", "-inf", "nan"])
def test_csv_labels_that_are_not_finite_are_refused(tmp_path, label):
    (tmp_path / "l.csv").write_text(f"0,1,1\n1,1,{label}\n")
    with pytest.raises(ValueError, match=r"l.csv: line 2: label .* is not a finite number"):
        read_examples(tmp_path / "l.csv")


def test_csv_labels_too_large_for_exact_integers_stay_distinct_floats(tmp_path):
    """1e20 and 3e20 are two classes (int64 casting made them one), whole numbers are integers as before."""
    (tmp_path / "l.csv").write_text("0,1,1e20\n1,1,3e20\n1,0,1e20\n")
    X, y = read_examples(tmp_path / "l.csv")
    assert y.dtype == np.float64 and len(np.unique(y)) == 2 and y[0] == 1e20
    assert X.dtype == np.int64
    (tmp_path / "i.csv").write_text("0,1,7\n1,1,9007199254740992\n")
    assert read_examples(tmp_path / "i.csv")[1].tolist() == [7, 2**53]


def test_align_columns_by_name(tmp_path):
    from lutlearn.datasets.io import align_columns

    X = np.array([[1, 2, 3]])
    np.testing.assert_array_equal(align_columns(X, ["c", "a", "b"], ["a", "b", "c"], "f.csv"), [[2, 3, 1]])
    assert align_columns(X, None, ["a", "b", "c"], "f.csv") is X
    assert align_columns(X, ["a", "b", "c"], None, "f.csv") is X
    with pytest.raises(ValueError, match=r"f.csv: its columns are not the model's inputs \(missing: c; not in the "
                                         r"model: d\)"):
        align_columns(X, ["a", "b", "d"], ["a", "b", "c"], "f.csv")


def test_pla_files_are_data(tmp_path):
    """``read_examples`` reads a PLA file: inputs, and its output as the label unless ``label_column`` is None."""
    from lutlearn.datasets.pla import write_pla

    X = np.array([[0, 1, 1], [1, 0, 0], [1, 1, 1]], np.uint8)
    y = np.array([1, 0, 1], np.uint8)
    write_pla(tmp_path / "d.pla", X, y)
    got_X, got_y = read_examples(tmp_path / "d.pla")
    np.testing.assert_array_equal(got_X, X)
    np.testing.assert_array_equal(got_y, y)
    assert read_examples(tmp_path / "d.pla", label_column=None)[1] is None


def test_describe_file_names_what_a_file_is_and_what_reads_it(tmp_path):
    from lutlearn import LutNetworkClassifier
    from lutlearn.datasets.io import describe_file
    from lutlearn.datasets.pla import write_pla

    write_pla(tmp_path / "d.pla", [[0, 1], [1, 0]], [1, 0])
    (tmp_path / "commented.txt").write_text("# examples\n\n.i 2\n.o 1\n01 1\n")
    _aiger(tmp_path / "c.aag")
    _gzip_csv(tmp_path / "g.gz")
    _png(tmp_path / "p.png")
    np.savez(tmp_path / "xy.npz", X=np.zeros((2, 2)), y=np.zeros(2))
    LutNetworkClassifier(k=2, hidden_layers=(), random_state=0).fit([[0, 1], [1, 0]], [0, 1]).save(tmp_path / "m.npz")
    (tmp_path / "empty").write_bytes(b"")
    expected = {
        "d.pla": "a PLA file of examples, data for 'lutlearn train --pla'",
        "commented.txt": "a PLA file of examples",
        "c.aag": "an AIGER circuit, read by 'lutlearn evaluate CIRCUIT DATA' and 'lutlearn info CIRCUIT'",
        "g.gz": "gzip-compressed data",
        "p.png": "a PNG image",
        "xy.npz": "an .npz file of arrays, data (arrays X and y)",
        "m.npz": "a lutlearn model file, read by 'lutlearn evaluate', 'predict', 'info'",
        "empty": "an empty file",
    }
    for name, start in expected.items():
        assert describe_file(tmp_path / name).startswith(start), name
    assert describe_file(tmp_path / "missing").startswith("an unreadable file")


def test_csv_integer_labels_beyond_2_53_stay_distinct(tmp_path):
    """2**53 and 2**53 + 1 were one class (parsed as floats); integer literals are read as integers exactly."""
    (tmp_path / "l.csv").write_text(f"0,1,{2**53}\n1,1,{2**53 + 1}\n1,0,-{2**63}\n")
    X, y = read_examples(tmp_path / "l.csv")
    assert y.dtype == np.int64 and y.tolist() == [2**53, 2**53 + 1, -2**63]
    (tmp_path / "big.csv").write_text(f"0,1,1\n1,1,{2**64}\n")
    with pytest.raises(ValueError, match=f"big.csv: line 2: label '{2**64}' does not fit a 64-bit integer"):
        read_examples(tmp_path / "big.csv")


def test_train_on_labels_1e20_says_what_to_do(tmp_path, capsys):
    from lutlearn.cli import main

    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, (60, 4))
    (tmp_path / "l.csv").write_text("".join(f"{a},{b},{c},{d},{'1e20' if a else '3e20'}\n" for a, b, c, d in X))
    assert main(["train", str(tmp_path / "l.csv"), "-o", str(tmp_path / "m.npz")]) == 1  # was sklearn's
    err = capsys.readouterr().err  # "Unknown label type: continuous. Maybe you are trying to fit ..."
    assert "labels such as 1e+20 are whole numbers beyond 2**53 written as floats" in err
    assert err.count("\n") == 1 and not (tmp_path / "m.npz").exists()


def test_a_pickle_behind_a_symlinked_folder_of_a_zarr_store_is_refused(tmp_path):
    """``mv evil.zarr/X hide/xdir; ln -s ../hide/xdir evil.zarr/X``: the check walked past the link, Zarr follows
    it (and ran the payload with zarr 2.18); the linked folder is now checked like any other."""
    from lutlearn.datasets.io import check_zarr_store

    marker = tmp_path / "ran"
    store = _malicious_store(tmp_path / "evil.zarr", marker, {"dtype": "<i8"})
    (tmp_path / "hide").mkdir()
    (store / "X").rename(tmp_path / "hide" / "xdir")
    (store / "X").symlink_to(Path("..") / "hide" / "xdir")
    with pytest.raises(ValueError, match=f"^{store / 'X' / '.zarray'}: codec 'pickle' refused"):
        check_zarr_store(store)
    (store / "loop").symlink_to(Path(".."))
    (store / "X").unlink()
    with pytest.raises(ValueError, match="a symbolic link loop in the Zarr store"):
        check_zarr_store(store)
    assert not marker.exists()


def test_zarr_older_than_the_extra_asks_is_refused(monkeypatch):
    import importlib.metadata

    from lutlearn.datasets.io import _ZARR_VERSIONS, _check_versions

    monkeypatch.setattr(importlib.metadata, "version", lambda name: {"zarr": "2.18.3", "numcodecs": "0.14.1"}[name])
    with pytest.raises(ImportError, match=r"zarr 2.18.3 is installed, but lutlearn reads Zarr stores with zarr >= 3.1"):
        _check_versions(_ZARR_VERSIONS)


@pytest.mark.parametrize("name, arrays, match", [
    ("d.npz", {"X": np.arange(6.0), "y": np.zeros(6)}, r"expected a 2-D table of examples .* shape \(6,\)"),
    ("d.npz", {"X": np.ones((3, 2), complex)}, "the examples are complex numbers"),
    ("d.npy", np.ones((3, 2), complex), "the examples are complex numbers"),
    ("d.npz", {"X": np.ones((3, 2)), "y": np.ones((3, 2))}, r"'y' has shape \(3, 2\); expected one label"),
])
def test_1d_or_complex_examples_are_one_line_naming_the_file(tmp_path, capsys, name, arrays, match):
    """1-D or complex X gave scikit-learn's multi-line dump of the array, without the file name."""
    from lutlearn.cli import main

    path = tmp_path / name
    if isinstance(arrays, dict):
        np.savez(path, **arrays)
    else:
        np.save(path, arrays)
    with pytest.raises(ValueError, match=f"^{path}: {match}"):
        read_examples(path)
    assert main(["train", str(path), "-o", str(tmp_path / "m.npz")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err, err
