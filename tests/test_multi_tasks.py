"""Generated multi-output tasks: every family against Python integers or a plain restatement, splits, seeds."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from lutlearn.circuits.logic_tasks import make_task
from lutlearn.circuits.multi_tasks import MULTI_FAMILIES, make_multi_task, mdnf_terms


def _all_inputs(n):
    return np.array(list(itertools.product((0, 1), repeat=n)), dtype=np.uint8)


def _num(bits):
    return int("".join(map(str, bits)), 2) if len(bits) else 0


def _row(value, width):
    """``value`` as ``width`` bits, most significant first, from its binary string."""
    return [int(c) for c in format(value, f"0{width}b")]


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_adder_and_multiplier_give_every_bit_of_the_integer_result(k):
    X = _all_inputs(2 * k)
    a, b = [_num(r[:k]) for r in X], [_num(r[k:]) for r in X]
    np.testing.assert_array_equal(MULTI_FAMILIES["add"].function(X, k), [_row(x + y, k + 1) for x, y in zip(a, b)])
    np.testing.assert_array_equal(MULTI_FAMILIES["mul"].function(X, k), [_row(x * y, 2 * k) for x, y in zip(a, b)])


@pytest.mark.parametrize("k", [2, 4, 6])
def test_divider_gives_every_quotient_bit(k):
    h = k // 2
    X = _all_inputs(k + h)
    expected = [_row(_num(r[:k]) // _num(r[k:]) if _num(r[k:]) else (1 << k) - 1, k) for r in X]
    np.testing.assert_array_equal(MULTI_FAMILIES["div"].function(X, k), expected)


def test_three_way_comparator():
    X = _all_inputs(8)
    a, b = [_num(r[:4]) for r in X], [_num(r[4:]) for r in X]
    np.testing.assert_array_equal(MULTI_FAMILIES["cmp3"].function(X, 8),
                                  [[x < y, x == y, x > y] for x, y in zip(a, b)])


def test_large_operands_match_python_integers():
    t = make_multi_task("mul:100", seed=4, n_split=30)
    for x, y in zip(t.X_test, t.Y_test):
        assert _num(y) == _num(x[:100]) * _num(x[100:])
    t = make_multi_task("add:200", seed=4, n_split=30)
    for x, y in zip(t.X_valid, t.Y_valid):
        assert _num(y) == _num(x[:200]) + _num(x[200:])


@pytest.mark.parametrize("multi, single, column", [
    ("add:12", "add-carry:12", 0), ("add:12", "add-msb:12", 1), ("mul:8", "mul-msb:8", 0),
    ("mul:8", "mul-mid:8", 7), ("div:8", "div-msb:8", 3), ("cmp3:20", "cmp:20", 2),
])
def test_columns_are_the_single_output_families(multi, single, column):
    """Same seed, same inputs: a column of the multi-output task is the single-output contest-like task."""
    m, s = make_multi_task(multi, seed=3, n_split=200), make_task(single, seed=3, n_split=200)
    np.testing.assert_array_equal(m.X_train, s.X_train)
    np.testing.assert_array_equal(m.Y_test[:, column], s.y_test)


def test_mdnf_outputs_or_shared_terms():
    n, t, o, seed = 24, 12, 5, 7
    terms, uses = mdnf_terms(n, t, o, seed)
    assert uses.shape == (o, t) and uses.any(axis=1).all()
    assert (uses.sum(axis=0) >= 2).any()  # some term is shared by two outputs
    task = make_multi_task(f"mdnf:{n}:{t}:{o}:{seed}", seed=1, n_split=500)
    for x, y in zip(task.X_train[:200], task.Y_train[:200]):
        hit = [all(x[i] == v for i, v in zip(inputs, values)) for inputs, values in terms]
        assert list(y) == [int(any(h for h, u in zip(hit, uses[j]) if u)) for j in range(o)]
    assert (0.1 < task.Y_train.mean(axis=0)).all() and (task.Y_train.mean(axis=0) < 0.9).all()
    again = make_multi_task(f"mdnf:{n}:{t}:{o}:{seed}", seed=2, n_split=500)  # the function is the spec's
    _, uses2 = mdnf_terms(n, t, o, seed)
    np.testing.assert_array_equal(uses, uses2)
    np.testing.assert_array_equal(MULTI_FAMILIES["mdnf"].function(again.X_test, n, t, o, seed), again.Y_test)
    assert not np.array_equal(mdnf_terms(n, t, o, seed + 1)[1], uses)


def test_tasks_have_the_splits_shapes_names_and_seeds():
    t = make_multi_task("add:8", seed=5, n_split=64)
    for X, Y in ((t.X_train, t.Y_train), (t.X_valid, t.Y_valid), (t.X_test, t.Y_test)):
        assert X.shape == (64, 16) and Y.shape == (64, 9) and X.dtype == Y.dtype == np.uint8
    assert t.output_names == [f"s{b}" for b in range(8, -1, -1)] and t.family == "add"
    assert make_multi_task("cmp3:6", n_split=5).output_names == ["lt", "eq", "gt"]
    assert make_multi_task("div:6", n_split=5).Y_train.shape == (5, 6)
    assert make_multi_task("mdnf:10:4:3:0", n_split=5).output_names == ["f0", "f1", "f2"]
    u = make_multi_task("add:8", seed=5, n_split=64)
    np.testing.assert_array_equal(t.X_test, u.X_test)
    assert not np.array_equal(t.X_train, make_multi_task("add:8", seed=6, n_split=64).X_train)


@pytest.mark.parametrize("spec", ["nope:3", "add", "add:x", "add:0", "div:7", "cmp3:5", "mdnf:8:0:2:0",
                                  "mdnf:8:4:0:0", "mdnf:8:4:2", "mul:2:3"])
def test_bad_specs_are_refused_clearly(spec):
    with pytest.raises(ValueError, match=spec.split(":")[0]):
        make_multi_task(spec, n_split=10)
    with pytest.raises(ValueError, match="n_split"):
        make_multi_task("add:4", n_split=0)


def test_pla_command_writes_multi_output_tasks(tmp_path, capsys):
    """``lutlearn pla add:8``: three multi-output PLA files holding the task's splits, outputs named."""
    from lutlearn.cli import main
    from lutlearn.datasets.pla import read_multi_pla

    assert main(["pla", "add:8", "-o", str(tmp_path / "a"), "--n-train", "40", "--seed", "2"]) == 0
    out = capsys.readouterr().out
    t = make_multi_task("add:8", seed=2, n_split=40)
    for split in ("train", "valid", "test"):
        pla = read_multi_pla(tmp_path / f"a.{split}.pla")
        np.testing.assert_array_equal(pla.X, getattr(t, f"X_{split}"))
        np.testing.assert_array_equal(pla.Y, getattr(t, f"Y_{split}"))
        assert pla.care.all() and pla.output_names == [f"s{b}" for b in range(8, -1, -1)]
        ones = int(getattr(t, f"Y_{split}").sum())
        assert f"a.{split}.pla: 40 examples x 16 inputs, 9 outputs, {ones} output bits 1 of 360" in out
    for x, y in zip(pla.X, pla.Y):
        assert _num(y) == _num(x[:8]) + _num(x[8:])
    assert main(["pla", "mdnf:8:4:2", "-o", str(tmp_path / "b")]) == 1
    assert "mdnf takes 4 integer argument(s)" in capsys.readouterr().err
    assert main(["pla", "cmp3:6", "-o", str(tmp_path / "c"), "--n-train", "5", "--n-valid", "6"]) == 1
    assert "splits of one size" in capsys.readouterr().err
