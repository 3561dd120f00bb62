"""Reading examples from .npz, .npy and .csv files."""

from __future__ import annotations

import numpy as np
import pytest

from lutlearn.io import read_examples


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


@pytest.mark.parametrize(
    "name, content, match",
    [
        ("e.csv", "", "empty file"),
        ("x.csv", "0,1\n1,zz\n", "non-numeric"),
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
    with pytest.raises(ValueError, match="not a plain numeric"):
        read_examples(tmp_path / "o.npy")
    np.savez(tmp_path / "o.npz", X=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="pickled objects"):
        read_examples(tmp_path / "o.npz")
    np.savez(tmp_path / "noX.npz", A=np.zeros(2))
    with pytest.raises(ValueError, match="named 'X'"):
        read_examples(tmp_path / "noX.npz")


def test_chunked_data_choose_the_label_column_as_single_files_do(tmp_path):
    """``read_chunked`` and ``read_examples`` share one label-column parser (and scale re-exports the readers)."""
    pytest.importorskip("dask.array", reason="needs the dask extra: pip install 'lutlearn[dask]'")
    from lutlearn import scale
    from lutlearn.io import is_chunked_source, read_chunked, read_npy_chunks, read_zarr

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


def test_csv_with_a_byte_order_mark_keeps_its_first_row(tmp_path):
    """Excel's "CSV UTF-8" starts with a byte-order mark: it is not a header, and no row is lost."""
    (tmp_path / "bom.csv").write_bytes("\ufeff1,0,1\n0,0,0\n1,1,1\n".encode("utf-8"))
    X, y = read_examples(tmp_path / "bom.csv")
    np.testing.assert_array_equal(X, [[1, 0], [0, 0], [1, 1]])
    np.testing.assert_array_equal(y, [1, 0, 1])
    (tmp_path / "bomh.csv").write_bytes("\ufeffa,b,label\n1,0,1\n".encode("utf-8"))
    from lutlearn.io import read_csv

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
    from lutlearn.io import align_columns

    X = np.array([[1, 2, 3]])
    np.testing.assert_array_equal(align_columns(X, ["c", "a", "b"], ["a", "b", "c"], "f.csv"), [[2, 3, 1]])
    assert align_columns(X, None, ["a", "b", "c"], "f.csv") is X
    assert align_columns(X, ["a", "b", "c"], None, "f.csv") is X
    with pytest.raises(ValueError, match=r"f.csv: its columns are not the model's inputs \(missing: c; not in the "
                                         r"model: d\)"):
        align_columns(X, ["a", "b", "d"], ["a", "b", "c"], "f.csv")
