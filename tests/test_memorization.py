"""The memorization lab: its measurements against plain oracles, and each experiment end to end in quick form."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from lutlearn import LutNetworkClassifier
from lutlearn.cli import main
from lutlearn.core.inspection import lut_critical
from lutlearn.memorization import difficulty
from lutlearn.memorization.capacity import smallest_reaching
from lutlearn.memorization.mlp import TORCH_EXTRA_MESSAGE, torch_available
from lutlearn.memorization.runs import noisy_rows, pack_bits, task_name, unpack_bits

needs_torch = pytest.mark.skipif(not torch_available(), reason=TORCH_EXTRA_MESSAGE)


@pytest.fixture(scope="module")
def digits():
    from lutlearn.datasets import get_task

    return get_task("binary-digits")


@pytest.fixture(scope="module")
def small_net(digits):
    return LutNetworkClassifier(k=6, hidden_layers=(64, 64), random_state=3).fit(digits.X_train, digits.y_train)


# ------------------------------------------------------------------ helpers
def test_pack_bits_round_trip():
    flags = np.random.default_rng(0).integers(0, 2, size=1001).astype(np.uint8)
    assert np.array_equal(unpack_bits(pack_bits(flags), 1001), flags)


def test_task_name_carries_the_randomization():
    assert task_name("binary-mnist") == "binary-mnist"
    assert task_name("binary-mnist", 1000, randY=0.4) == "binary-mnist,n=1000,randY=0.4"
    assert task_name("binary-mnist", None, randX=1.0) == "binary-mnist,randX=1"


def test_noisy_rows_are_the_randomized_ones():
    from lutlearn.datasets import get_task

    clean = get_task("binary-digits")
    noisy = get_task(task_name("binary-digits", randY=0.5))
    rows = noisy_rows(noisy)
    assert len(rows) == round(0.5 * len(clean.y_train))
    untouched = np.setdiff1d(np.arange(len(clean.y_train)), rows)
    assert np.array_equal(noisy.y_train[untouched], clean.y_train[untouched])
    # about half of the redrawn labels differ from the real ones, as uniform labels should
    changed = np.mean(noisy.y_train[rows] != clean.y_train[rows])
    assert 0.4 < changed < 0.6
    inputs = get_task(task_name("binary-digits", randX=0.25))
    rows = noisy_rows(inputs)
    assert len(rows) == round(0.25 * len(clean.y_train))
    assert np.array_equal(np.delete(inputs.X_train, rows, axis=0), np.delete(clean.X_train, rows, axis=0))


def test_smallest_reaching():
    points = [(2, 0.6), (4, 0.8), (6, None), (8, 0.95)]
    assert smallest_reaching(points, 0.75) == 4
    assert smallest_reaching(points, 0.9) == 8
    assert smallest_reaching(points, 0.99) is None


# ----------------------------------------------------------------- difficulty
def test_binomial_pmf_matches_the_formula():
    pmf = difficulty.binomial_pmf(7, 0.3)
    exact = [math.comb(7, j) * 0.3**j * 0.7 ** (7 - j) for j in range(8)]
    assert np.allclose(pmf, exact)
    assert difficulty.binomial_pmf(5, 0.0)[0] == 1.0


def test_chance_difficulty_looks_binomial_and_real_difficulty_does_not():
    rng = np.random.default_rng(1)
    n_learners = 20
    chance = rng.binomial(n_learners, 0.3, size=20000)
    s = difficulty.compare_with_binomial(chance, n_learners)
    assert abs(s["mean_rate"] - 0.3) < 0.01
    assert s["total_variation"] < 0.03
    assert abs(s["std_rate"] - s["binomial_std_rate"]) < 0.005
    # half the examples always right, half wrong 60% of the time: same mean, far from the Binomial
    skewed = np.concatenate([np.zeros(10000, int), rng.binomial(n_learners, 0.6, size=10000)])
    s = difficulty.compare_with_binomial(skewed, n_learners)
    assert s["always_right"] > 0.49 > s["binomial_always_right"]
    assert s["total_variation"] > 0.3


# ------------------------------------------------------------------- critical
def _brute_force_radius_1(clf, X):
    pred = clf.predict(X)
    out = []
    for i, x in enumerate(X):
        V = np.repeat(x[None], X.shape[1], axis=0)
        V[np.arange(X.shape[1]), np.arange(X.shape[1])] ^= 1
        out.append(bool((clf.predict(V) != pred[i]).any()))
    return np.array(out)


def test_lut_critical_radius_1_is_exhaustive(small_net, digits):
    X = digits.X_test[:40]
    res = lut_critical(small_net.network_, X, [1, 2, 3], n_random=8, seed=0)
    assert np.array_equal(res["critical"][0].astype(bool), _brute_force_radius_1(small_net, X))
    assert res["budget"]["greedy_rounds"] == 3
    assert 0 < res["budget"]["evaluations_per_round"] <= X.shape[1]


def test_lut_critical_is_monotone_and_witnessed(small_net, digits):
    X = digits.X_test[:80]
    res = lut_critical(small_net.network_, X, [1, 2, 4], n_random=16, seed=5)
    flags = np.array(res["critical"])
    assert (flags[1] >= flags[0]).all() and (flags[2] >= flags[1]).all()
    assert res["ratio"] == [float(f.mean()) for f in flags]
    assert 0 < res["ratio"][-1] <= 1
    again = lut_critical(small_net.network_, X, [1, 2, 4], n_random=16, seed=5)
    assert all(np.array_equal(a, b) for a, b in zip(res["critical"], again["critical"]))


def test_a_constant_network_has_no_critical_samples(digits):
    y = np.zeros(len(digits.y_train), dtype=np.int64)
    y[0] = 1  # two classes, but one dominates everywhere
    clf = LutNetworkClassifier(k=2, hidden_layers=(8,), random_state=0).fit(digits.X_train, y)
    X = digits.X_test[:30]
    if len(np.unique(clf.predict(digits.X_test))) > 1:
        pytest.skip("this wiring is not constant")
    res = lut_critical(clf.network_, X, [1, 2], n_random=4)
    assert res["ratio"] == [0.0, 0.0]


# ------------------------------------------------------------------------ MLP
@needs_torch
def test_mlp_is_deterministic_and_learns(digits):
    from lutlearn.memorization.mlp import MLPClassifier

    a = MLPClassifier(hidden_layers=(32, 32), epochs=5, random_state=4).fit(digits.X_train, digits.y_train)
    b = MLPClassifier(hidden_layers=(32, 32), epochs=5, random_state=4).fit(digits.X_train, digits.y_train)
    c = MLPClassifier(hidden_layers=(32, 32), epochs=5, random_state=5).fit(digits.X_train, digits.y_train)
    assert np.array_equal(a.logits(digits.X_test).numpy(), b.logits(digits.X_test).numpy())
    assert not np.array_equal(a.logits(digits.X_test).numpy(), c.logits(digits.X_test).numpy())
    assert np.mean(a.predict(digits.X_test) == digits.y_test) > 0.7  # chance is 0.5


@needs_torch
def test_mlp_critical_grows_with_the_radius_and_its_witness_is_real(digits):
    from lutlearn.memorization.mlp import MLPClassifier

    clf = MLPClassifier(hidden_layers=(32, 32), epochs=5, random_state=0).fit(digits.X_train, digits.y_train)
    X = digits.X_test[:100]
    res = clf.critical(X, [0.0, 0.1, 1.0], n_steps=5, n_random=5)
    assert res["ratio"][0] == 0.0  # a box of radius 0 holds only x itself
    assert res["ratio"][1] <= res["ratio"][2]
    assert res["ratio"][2] > 0.5  # radius 1 reaches the other class for most points


# ------------------------------------------------------------------ end to end
def _records(out: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((out / "runs").rglob("*.json"))]


def test_all_experiments_quick_on_digits_lut_only(tmp_path, capsys):
    out = tmp_path / "lab"
    argv = ["memorization", "all", "--quick", "--task", "binary-digits", "--no-mlp", "--out", str(out),
            "--no-progress"]
    assert main(argv) == 0
    recs = _records(out)
    assert recs and all(r["status"] == "ok" for r in recs)
    assert {r["settings"]["measure"] for r in recs} == {"accuracy", "errors", "critical"}
    text = (out / "memorization.md").read_text()
    for title in ("Noisy training data", "Per-example difficulty", "Critical sample ratio", "Capacity"):
        assert title in text
    assert "MLP runs left out (`--no-mlp`)" in text
    assert "Lut networks: accuracy against depth" in text
    for png in ("noise_randY_lut.png", "noise_randX_lut.png", "difficulty_lut_train.png", "difficulty_examples.png",
                "critical_vs_k.png", "capacity_lut.png", "capacity_depth.png"):
        assert (out / "figures" / png).stat().st_size > 1000
    by_task = {}
    for r in recs:
        by_task.setdefault((r["task"], r["settings"]["measure"]), []).append(r)
    # random labels are memorized by k = 8 luts far better than chance, and real test accuracy beats random
    full_noise = [
        r for r in by_task[("binary-digits,n=1000,randY=1", "accuracy")]
        if r["settings"]["k"] == 8 and r["settings"]["layers"] == "3x256"
    ]
    assert full_noise and full_noise[0]["extra"]["noisy_train_accuracy"] > 0.75
    assert full_noise[0]["extra"]["clean_train_accuracy"] is None
    real = [
        r for r in by_task[("binary-digits,n=1000", "accuracy")]
        if r["settings"]["k"] == 8 and r["settings"]["layers"] == "3x256"
    ][0]
    assert real["test_accuracy"] > full_noise[0]["test_accuracy"] + 0.2
    half = [
        r for r in by_task[("binary-digits,n=1000,randY=0.5", "accuracy")]
        if r["settings"]["k"] == 8 and r["settings"]["layers"] == "3x256"
    ][0]
    assert half["extra"]["n_noisy"] == 500
    # difficulty: learners differ only in seed, so their records carry different errors on the same examples
    diffs = by_task[("binary-digits,n=1000", "errors")]
    assert len(diffs) == difficulty.QUICK_LEARNERS
    assert len({r["extra"]["test_errors"] for r in diffs}) > 1
    # resuming skips everything already recorded
    capsys.readouterr()
    assert main(argv) == 0
    assert f"0 runs done (0 failed, 0 without data), {len(recs)} already recorded" in capsys.readouterr().out


@needs_torch
def test_critical_quick_with_mlp_on_mnist(tmp_path, mnist_home):
    out = tmp_path / "lab"
    assert main(["memorization", "critical", "--quick", "--data-home", str(mnist_home), "--out", str(out),
                 "--no-progress"]) == 0
    recs = _records(out)
    methods = {r["method"] for r in recs}
    assert methods == {"lut-network", "mlp"}
    assert all(r["status"] == "ok" for r in recs)
    for r in recs:
        crit = r["extra"]["critical"]
        assert len(crit["ratio"]) == len(crit["radii"]) and crit["budget"]
        assert all(0.0 <= x <= 1.0 for x in crit["ratio"])
        assert r["n_train"] == 1000 and r["extra"]["n_test_used"] == 500
        assert r["provenance"]["versions"].get("torch", "").startswith("2.13.0") or r["method"] == "lut-network"
    text = (out / "critical.md").read_text()
    assert "MLP (2 hidden layers): critical sample ratio" in text and "random box corners" in text


def test_bad_arguments_are_one_line_errors(tmp_path, capsys):
    assert main(["memorization", "noise", "--task", "binary-digits,randY=1", "--out", str(tmp_path)]) == 1
    assert "--task takes a base task" in capsys.readouterr().err
    assert main(["memorization", "difficulty", "--learners", "0", "--out", str(tmp_path)]) == 1
    assert "--learners must be at least 1" in capsys.readouterr().err


def test_without_torch_the_mlp_runs_are_left_out_with_a_note(tmp_path, capsys, monkeypatch):
    import lutlearn.memorization.mlp as mlp

    monkeypatch.setattr(mlp, "torch_available", lambda: False)
    out = tmp_path / "lab"
    assert main(["memorization", "noise", "--quick", "--task", "binary-digits", "--out", str(out),
                 "--no-progress"]) == 0
    assert "lutlearn[torch]" in capsys.readouterr().out
    assert {r["method"] for r in _records(out)} == {"lut-network"}
    assert (
        "**MLP runs left out**: the MLP needs PyTorch: pip install 'lutlearn[torch]'" in (out / "noise.md").read_text()
    )
