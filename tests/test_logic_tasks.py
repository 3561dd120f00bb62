"""Generated contest-like tasks: every family against a plain restatement, the suite, determinism."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from lutlearn.circuits.logic_tasks import FAMILIES, SUITE, dnf_terms, family_of, make_task


def _all_inputs(n):
    return np.array(list(itertools.product((0, 1), repeat=n)), dtype=np.uint8)


def _num(bits):
    return int("".join(map(str, bits)), 2) if len(bits) else 0


@pytest.mark.parametrize("k", [2, 4, 6])
def test_divider_families_match_integer_division(k):
    h = k // 2
    X = _all_inputs(k + h)
    a = [_num(r[:k]) for r in X]
    b = [_num(r[k:]) for r in X]
    div = [((x // y) if y else (1 << k) - 1) >> h & 1 for x, y in zip(a, b)]
    rem = [((x % y) if y else x) >> (h - 1) & 1 for x, y in zip(a, b)]
    np.testing.assert_array_equal(FAMILIES["div-msb"].function(X, k), div)
    np.testing.assert_array_equal(FAMILIES["rem-msb"].function(X, k), rem)


@pytest.mark.parametrize("k", [1, 3, 4])
def test_arithmetic_families_match_integer_arithmetic(k):
    X = _all_inputs(2 * k)
    a = [_num(r[:k]) for r in X]
    b = [_num(r[k:]) for r in X]
    expect = {
        "add-carry": [(x + y) >> k & 1 for x, y in zip(a, b)],
        "add-msb": [(x + y) >> (k - 1) & 1 for x, y in zip(a, b)],
        "mul-msb": [(x * y) >> (2 * k - 1) & 1 for x, y in zip(a, b)],
        "mul-mid": [(x * y) >> k & 1 for x, y in zip(a, b)],
    }
    for family, want in expect.items():
        np.testing.assert_array_equal(FAMILIES[family].function(X, k), want, err_msg=family)


def test_comparator_square_root_and_symmetric():
    X = _all_inputs(8)
    np.testing.assert_array_equal(FAMILIES["cmp"].function(X, 8), [_num(r[:4]) > _num(r[4:]) for r in X])
    np.testing.assert_array_equal(FAMILIES["sqrt-lsb"].function(X, 8), [math.isqrt(_num(r)) & 1 for r in X])
    np.testing.assert_array_equal(FAMILIES["sqrt-mid"].function(X, 8), [math.isqrt(_num(r)) >> 2 & 1 for r in X])
    sym = FAMILIES["sym"].function(X, 8, 3)
    for w in range(9):  # a function of the number of ones only, and not constant
        assert len(set(sym[X.sum(axis=1) == w])) == 1
    assert 0 < sym.mean() < 1


def test_hidden_input_functions_depend_on_exactly_their_inputs():
    X = np.random.default_rng(0).integers(0, 2, (4000, 40)).astype(np.uint8)
    for family, h in (("few", 4), ("xor-few", 3)):
        y = FAMILIES[family].function(X, 40, h, 7)
        relevant = []
        for i in range(40):
            flipped = X.copy()
            flipped[:, i] ^= 1
            if not np.array_equal(FAMILIES[family].function(flipped, 40, h, 7), y):
                relevant.append(i)
        assert len(relevant) == h, (family, relevant)


def test_dnf_is_its_terms_or_ed():
    n, t, most, seed = 30, 12, 5, 4
    terms = dnf_terms(n, t, most, seed)
    assert len(terms) == t and all(1 <= len(i) <= most and len(set(i.tolist())) == len(i) for i, _ in terms)
    assert all(0 <= i.min() and i.max() < n for i, _ in terms)
    X = np.random.default_rng(0).integers(0, 2, (3000, n)).astype(np.uint8)
    want = [int(any(all(row[i] == v for i, v in zip(idx, vals)) for idx, vals in terms)) for row in X]
    y = FAMILIES["dnf"].function(X, n, t, most, seed)
    np.testing.assert_array_equal(y, want)
    assert 0.3 < y.mean() < 0.7  # balanced-ish
    assert dnf_terms(n, t, most, seed + 1)[0][0].tolist() != terms[0][0].tolist() or \
        dnf_terms(n, t, most, seed + 1)[1][0].tolist() != terms[1][0].tolist()
    t1 = make_task("dnf:64:12:8:2", seed=0, n_split=200)
    assert t1.X_train.shape == (200, 64) and t1.family == "dnf"


def test_suite_covers_the_families_and_generates():
    assert len(SUITE) >= 60 and len(set(SUITE)) == len(SUITE)
    families = {family_of(s) for s in SUITE}
    assert set(FAMILIES) | {"mnist", "cifar10"} == families
    for spec in SUITE:
        if family_of(spec) in ("mnist", "cifar10"):
            continue
        t = make_task(spec, seed=1, n_split=64)
        for X, y in ((t.X_train, t.y_train), (t.X_valid, t.y_valid), (t.X_test, t.y_test)):
            assert X.shape[0] == y.shape[0] == 64 and X.dtype == y.dtype == np.uint8
            assert set(np.unique(X)) <= {0, 1} and set(np.unique(y)) <= {0, 1}
        assert t.X_train.shape[1] == t.X_test.shape[1] >= 10
        assert 0.02 < t.y_train.mean() < 0.98, spec  # no near-constant function


def test_tasks_are_fixed_by_the_seed():
    a, b, c = (make_task("add-msb:32", seed=s, n_split=100) for s in (3, 3, 4))
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.X_train, c.X_train)
    # the function of few/xor-few/sym is fixed by the spec, not by the example seed
    f1, f2 = make_task("few:64:3:5", seed=0, n_split=500), make_task("few:64:3:5", seed=9, n_split=500)
    X = np.concatenate([f1.X_train, f2.X_train])
    y = np.concatenate([f1.y_train, f2.y_train])
    np.testing.assert_array_equal(FAMILIES["few"].function(X, 64, 3, 5), y)


@pytest.mark.parametrize("spec", ["nope:3", "add-msb", "add-msb:x", "cmp:7", "few:8:9:0", "mnist:01-1", "mnist:0",
                                  "dnf:8:4:9:0", "dnf:8:0:2:0", "dnf:8:4:2"])
def test_bad_specs_are_refused_clearly(spec):
    with pytest.raises(ValueError, match=spec.split(":")[0]):
        make_task(spec, n_split=10)


def test_image_task_groups(mnist_home):
    t = make_task("mnist:012-345", seed=0, n_split=300, data_home=mnist_home)
    assert t.X_train.shape == (300, 784) and t.X_test.shape == (300, 784)
    assert 0.3 < t.y_train.mean() < 0.7


def test_pla_command_writes_generated_tasks(tmp_path, capsys):
    from lutlearn.cli import main
    from lutlearn.datasets.pla import read_pla_pair

    assert main(["pla", "cmp:12", "-o", str(tmp_path / "c"), "--n-train", "50", "--seed", "2"]) == 0
    X, y, Xt, yt = read_pla_pair(tmp_path / "c.train.pla", tmp_path / "c.test.pla")
    t = make_task("cmp:12", seed=2, n_split=50)
    np.testing.assert_array_equal(X, t.X_train)
    np.testing.assert_array_equal(yt, t.y_test)
    assert main(["pla", "nope:3", "-o", str(tmp_path / "x")]) == 1
    assert "unknown" in capsys.readouterr().err
