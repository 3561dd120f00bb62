"""PLA reading and writing, the --pla training path, and the generated functions."""

from __future__ import annotations

import re

import numpy as np
import pytest

from lutlearn.cli import main
from lutlearn.datasets.pla import PlaFormatError, function_examples, read_multi_pla, read_pla, write_pla

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


# ------------------------------------------------------------ multi-output files
MULTI = """.i 3
.o 3
.ilb a b c
.ob f g h
.type fd
.p 4
011 1-0
101 ~01
110 0 1 2   # '2' is a don't-care too
000 111
.e
"""


def test_read_multi_output_file_with_dont_cares(tmp_path):
    pla = read_multi_pla(write(tmp_path, MULTI))
    np.testing.assert_array_equal(pla.X, [[0, 1, 1], [1, 0, 1], [1, 1, 0], [0, 0, 0]])
    np.testing.assert_array_equal(pla.Y, [[1, 0, 0], [0, 0, 1], [0, 1, 0], [1, 1, 1]])
    np.testing.assert_array_equal(pla.care, [[1, 0, 1], [0, 1, 1], [1, 1, 0], [1, 1, 1]])
    assert pla.X.dtype == pla.Y.dtype == np.uint8 and pla.care.dtype == bool
    assert pla.input_names == ["a", "b", "c"] and pla.output_names == ["f", "g", "h"]
    assert pla.pla_type == "fd" and pla.n_outputs == 3 and pla.input_care is None
    with pytest.raises(ValueError, match="this one has 3 outputs"):
        _ = pla.y
    with pytest.raises(PlaFormatError, match="only single-output"):  # the learners' reader stays strict
        read_pla(write(tmp_path, MULTI, "again.pla"))


def test_read_multi_fr_file_with_one_unspecified_output(tmp_path):
    pla = read_multi_pla(write(tmp_path, ".i 2\n.o 1\n.type fr\n01 1\n10 -\n11 0\n"))
    np.testing.assert_array_equal(pla.care[:, 0], [True, False, True])
    np.testing.assert_array_equal(pla.Y[:, 0], [1, 0, 0])
    with pytest.raises(ValueError, match="1 examples have a don't-care output"):
        _ = pla.y


def test_single_output_file_reads_alike_through_both_readers(tmp_path):
    path = write(tmp_path, GOOD)
    one, many = read_pla(path), read_multi_pla(path)
    np.testing.assert_array_equal(many.X, one.X)
    np.testing.assert_array_equal(many.y, one.y)
    np.testing.assert_array_equal(many.Y, one.y[:, None])
    assert many.care.all() and many.pla_type == "fr" and many.output_names == one.output_names == ["f"]


def test_dont_care_inputs_are_refused_unless_asked(tmp_path):
    path = write(tmp_path, ".i 4\n.o 2\n01-1 10\n2100 01\n")
    with pytest.raises(PlaFormatError, match=re.escape(f"{path}, line 3: don't-care input '-' at column 3")):
        read_multi_pla(path)
    pla = read_multi_pla(path, dont_care_inputs=True)
    np.testing.assert_array_equal(pla.input_care, [[1, 1, 0, 1], [0, 1, 1, 1]])
    np.testing.assert_array_equal(pla.X, [[0, 1, 0, 1], [0, 1, 0, 0]])
    with pytest.raises(PlaFormatError, match=re.escape(f"{path}, line 3: invalid input value '~'")):
        read_multi_pla(write(tmp_path, ".i 4\n.o 2\n01~1 10\n"), dont_care_inputs=True)


@pytest.mark.parametrize(
    "text, line, words",
    [
        (".i 3\n.o 2\n011 1\n", 3, "row has 4 values, expected 3 inputs and 2 outputs"),
        (".i 3\n.o 2\n011 101\n", 3, "row has 6 values, expected 3 inputs and 2 outputs"),
        (".i 3\n.o 2\n011 1x\n", 3, "invalid output value 'x' at output 2"),
        (".i 3\n.o 2\n011 10\n0a1 10\n", 4, "invalid input value 'a'"),
        (".i 3\n.o 0\n011\n", 2, "'.o 0': a PLA file needs at least one output"),
        (".i 3\n.o 2\n.type r\n011 10\n", 3, "the types read are '.type f', 'fr', 'fd' and 'fdr'"),
        (".i 3\n.o 2\n.o 2\n", 3, "a second '.o' directive (the first is on line 2)"),
        (".i 3\n011 10\n", 2, "example row before"),
    ],
)
def test_malformed_multi_output_files_name_the_line(tmp_path, text, line, words):
    path = write(tmp_path, text)
    with pytest.raises(PlaFormatError) as err:
        read_multi_pla(path)
    assert f"{path}, line {line}:" in str(err.value)
    assert words in str(err.value)


@pytest.mark.parametrize(
    "text, words",
    [
        (".i 2\n.o 2\n.p 3\n01 10\n10 0-\n", "'.p 3' but the file has 2 example rows"),
        (".i 2\n.o 2\n.ob f\n01 10\n", "'.ob' names 1 outputs but '.o' is 2"),
        (".i 2\n.o 2\n.ilb a\n01 10\n", "'.ilb' names 1 inputs but '.i' is 2"),
        (".i 2\n.o 2\n", "no example rows"),
    ],
)
def test_malformed_multi_output_files_whole(tmp_path, text, words):
    path = write(tmp_path, text)
    with pytest.raises(PlaFormatError, match=re.escape(f"{path}: {words}")):
        read_multi_pla(path)


def test_write_read_multi_output_round_trip(tmp_path):
    rng = np.random.default_rng(5)
    X = rng.integers(0, 2, (40, 6), dtype=np.uint8)
    Y = rng.integers(0, 2, (40, 3), dtype=np.uint8)
    care = rng.random((40, 3)) > 0.2
    write_pla(tmp_path / "m.pla", X, np.where(care, Y, 7), care=care, output_names=["p", "q", "r"],
              input_names=list("abcdef"))  # values under a don't-care are not looked at
    pla = read_multi_pla(tmp_path / "m.pla")
    np.testing.assert_array_equal(pla.X, X)
    np.testing.assert_array_equal(pla.care, care)
    np.testing.assert_array_equal(pla.Y, np.where(care, Y, 0))
    assert pla.output_names == ["p", "q", "r"] and pla.input_names == list("abcdef") and pla.pla_type == "fr"
    lines = (tmp_path / "m.pla").read_text().splitlines()
    assert lines[:6] == [".i 6", ".o 3", ".ilb a b c d e f", ".ob p q r", ".p 40", ".type fr"]
    row = "".join(map(str, X[0])) + " " + "".join(str(v) if c else "-" for v, c in zip(Y[0], care[0]))
    assert lines[6] == row and (~care).any()


def test_single_output_files_are_written_byte_for_byte_as_before(tmp_path):
    X, y = [[0, 1, 1], [1, 0, 0]], [1, 0]
    expected = b".i 3\n.o 1\n.ilb a b c\n.ob f\n.p 2\n.type fr\n011 1\n100 0\n.e\n"
    write_pla(tmp_path / "a.pla", X, y, input_names=["a", "b", "c"], output_name="f")
    write_pla(tmp_path / "b.pla", X, np.array(y)[:, None], input_names=["a", "b", "c"], output_names=["f"],
              care=np.ones((2, 1), bool))
    assert (tmp_path / "a.pla").read_bytes() == (tmp_path / "b.pla").read_bytes() == expected
    write_pla(tmp_path / "c.pla", X, y)
    assert (tmp_path / "c.pla").read_bytes() == b".i 3\n.o 1\n.p 2\n.type fr\n011 1\n100 0\n.e\n"


@pytest.mark.parametrize("kwargs, words", [
    ({"care": np.ones((2, 3), bool)}, "care must be a boolean mask of the shape of y"),
    ({"care": np.ones((2, 2), int)}, "care must be a boolean mask"),
    ({"output_names": ["a"]}, "1 output names for 2 outputs"),
    ({"output_names": ["a", "b"], "output_name": "c"}, "not both"),
    ({"input_names": ["a"]}, "1 input names for 3 inputs"),
    ({"output_names": ["a", "b c"]}, "PLA name 'b c'"),
])
def test_write_multi_output_refuses_bad_arguments(tmp_path, kwargs, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        write_pla(tmp_path / "bad.pla", [[0, 1, 1], [1, 0, 0]], [[1, 0], [0, 1]], **kwargs)
    assert not (tmp_path / "bad.pla").exists()
    with pytest.raises(ValueError, match="0/1 outputs"):  # a cared output must be 0/1
        write_pla(tmp_path / "bad.pla", [[0, 1, 1]], [[1, 2]], care=np.array([[True, True]]))


def test_dont_cares_read_from_fd_file_round_trip_through_the_writer(tmp_path):
    """``-``, ``~`` and ``2`` of a ``.type fd`` file come back as ``-`` of a ``.type fr`` file, same mask."""
    first = read_multi_pla(write(tmp_path, MULTI))
    write_pla(tmp_path / "out.pla", first.X, first.Y, care=first.care, input_names=first.input_names,
              output_names=first.output_names)
    text = (tmp_path / "out.pla").read_text()
    assert "011 1-0\n101 -01\n110 01-\n000 111\n" in text and "~" not in text
    again = read_multi_pla(tmp_path / "out.pla")
    for name in ("X", "Y", "care", "input_names", "output_names"):
        np.testing.assert_array_equal(getattr(again, name), getattr(first, name))
    assert (first.pla_type, again.pla_type) == ("fd", "fr")
