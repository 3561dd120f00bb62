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
