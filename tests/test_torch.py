"""The torch learners leave PyTorch's global state (thread count, RNG) as they found it."""

from __future__ import annotations

import numpy as np
import pytest

from lutlearn.memorization.mlp import TORCH_EXTRA_MESSAGE, torch_available

needs_torch = pytest.mark.skipif(not torch_available(), reason=TORCH_EXTRA_MESSAGE)


@pytest.fixture
def torch_state():
    """PyTorch set to a thread count no learner asks for; the count restored after the test."""
    import torch

    old = torch.get_num_threads()
    torch.set_num_threads(3)
    torch.manual_seed(1234)
    yield torch
    torch.set_num_threads(old)


@pytest.fixture(scope="module")
def bits():
    from sklearn.datasets import load_digits

    d = load_digits()
    return (d.data[:300] > 7).astype(np.uint8), d.target[:300]


def _learners():
    from lutlearn.experiments.baselines import LeNetClassifier
    from lutlearn.memorization.mlp import MLPClassifier

    return [
        MLPClassifier(hidden_layers=(16,), epochs=1, random_state=5, n_jobs=1),
        MLPClassifier(hidden_layers=(16,), epochs=1, random_state=5, n_jobs=2),
        LeNetClassifier(epochs=1, random_state=5, n_jobs=1),
        LeNetClassifier(epochs=1, random_state=None),
    ]


@needs_torch
@pytest.mark.parametrize("index", range(4), ids=["mlp-1", "mlp-2", "lenet-1", "lenet-default"])
def test_fitting_leaves_torch_threads_and_rng_unchanged(torch_state, bits, index):
    torch = torch_state
    X, y = bits
    clf = _learners()[index]
    rng = torch.get_rng_state()
    clf.fit(X, y)
    assert torch.get_num_threads() == 3
    assert torch.equal(torch.get_rng_state(), rng)
    pred = clf.predict(X)
    if hasattr(clf, "critical"):
        clf.critical(X[:5], [0.1], n_steps=1, n_random=1)
    assert torch.get_num_threads() == 3
    assert torch.equal(torch.get_rng_state(), rng)
    # the seed, not the caller's RNG state, fixes the model
    torch.manual_seed(99)
    again = _learners()[index].fit(X, y)
    for a, b in zip(clf.model_.parameters(), again.model_.parameters()):
        assert torch.equal(a, b)
    assert np.array_equal(again.predict(X), pred)


@needs_torch
def test_torch_session_restores_threads_and_rng_even_on_error(torch_state):
    from lutlearn.experiments._torch import torch_session

    torch = torch_state
    rng = torch.get_rng_state()
    with pytest.raises(RuntimeError, match="inside"):
        with torch_session(torch, seed=7, n_threads=1):
            assert torch.get_num_threads() == 1
            first = torch.rand(3)
            raise RuntimeError("inside")
    assert torch.get_num_threads() == 3 and torch.equal(torch.get_rng_state(), rng)
    with torch_session(torch, seed=7):
        assert torch.get_num_threads() == 3 and torch.equal(torch.rand(3), first)
    with torch_session(torch, n_threads=2):
        assert torch.get_num_threads() == 2
    assert torch.get_num_threads() == 3 and torch.equal(torch.get_rng_state(), rng)


def test_the_mlp_is_a_scikit_learn_estimator():
    from sklearn.base import clone, is_classifier

    from lutlearn.memorization.mlp import MLPClassifier

    clf = MLPClassifier(hidden_layers=(8,), epochs=2, random_state=3)
    assert is_classifier(clf)
    assert clone(clf).get_params() == {**MLPClassifier().get_params(), "hidden_layers": (8,), "epochs": 2,
                                       "random_state": 3}
    assert "hidden_layers=(8,)" in repr(clf)
