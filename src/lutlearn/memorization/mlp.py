"""A small multilayer perceptron (PyTorch, CPU): the neural-network side of the memorization lab.

Arpit et al. (2017) contrast real and random data with 2-layer ReLU MLPs on
MNIST; :class:`MLPClassifier` is that learner, trained by plain minibatch SGD
with momentum on the same 0/1 inputs as the lut networks. A seed fixes the
initialization and the shuffling, so the same seed gives the same model
(training runs on one thread unless ``n_jobs`` says otherwise).

PyTorch is the optional extra ``lutlearn[torch]`` (``torch>=2.1``; the CPU
build is enough); :func:`lutlearn.experiments._torch.require_torch` raises an ImportError naming it.
"""

from __future__ import annotations

import importlib.util

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from lutlearn.experiments._torch import require_torch, torch_extra_message, torch_session, train_minibatches

_WHAT = "the MLP"
TORCH_EXTRA_MESSAGE = torch_extra_message(_WHAT)


def torch_available() -> bool:
    """True when PyTorch can be imported."""
    return importlib.util.find_spec("torch") is not None


class MLPClassifier(ClassifierMixin, BaseEstimator):
    """A ReLU multilayer perceptron with a softmax output, trained by minibatch SGD with momentum.

    Parameters
    ----------
    hidden_layers : tuple of int, default=(256, 256)
        Units per hidden layer (Arpit et al. use 2 hidden layers on MNIST).
    epochs : int, default=1
        Passes over the training set (Arpit et al.'s difficulty protocol uses 1).
    batch_size : int, default=64
    learning_rate : float, default=0.01
    momentum : float, default=0.9
    random_state : int, default=0
        Seeds the initialization and the order of the minibatches.
    n_jobs : int, default=1
        PyTorch threads while fitting and predicting (the previous count is
        restored afterwards).
    """

    def __init__(self, hidden_layers=(256, 256), epochs=1, batch_size=64, learning_rate=0.01, momentum=0.9,
                 random_state=0, n_jobs=1):
        self.hidden_layers = hidden_layers
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _build(self, torch, n_features: int, n_classes: int):
        layers, width = [], n_features
        for h in self.hidden_layers:
            layers += [torch.nn.Linear(width, h), torch.nn.ReLU()]
            width = h
        layers.append(torch.nn.Linear(width, n_classes))
        return torch.nn.Sequential(*layers)

    def fit(self, X, y) -> "MLPClassifier":
        """Train on 0/1 inputs ``X`` (n_samples, n_features) and integer labels ``y``."""
        torch = require_torch(_WHAT)
        X = torch.as_tensor(np.asarray(X), dtype=torch.float32)
        self.classes_, y_idx = np.unique(np.asarray(y), return_inverse=True)
        y_t = torch.as_tensor(y_idx, dtype=torch.long)
        with torch_session(torch, seed=int(self.random_state), n_threads=self._n_threads()):
            self.model_ = self._build(torch, X.shape[1], max(2, len(self.classes_)))
            gen = torch.Generator().manual_seed(int(self.random_state) + 1)
            opt = torch.optim.SGD(self.model_.parameters(), lr=self.learning_rate, momentum=self.momentum)
            train_minibatches(torch, self.model_, opt, X, y_t, self.epochs, self.batch_size, gen)
        return self

    def _n_threads(self) -> int:
        return max(1, int(self.n_jobs or 1))

    def logits(self, X):
        """The network's output scores as a float32 tensor (n_samples, n_classes)."""
        torch = require_torch(_WHAT)
        with torch_session(torch, n_threads=self._n_threads()), torch.no_grad():
            return self.model_(torch.as_tensor(np.asarray(X), dtype=torch.float32))

    def predict(self, X) -> np.ndarray:
        """Predicted labels, values of ``classes_``."""
        out = []
        for start in range(0, len(X), 8192):
            out.append(self.logits(X[start:start + 8192]).argmax(dim=1).numpy())
        return self.classes_[np.concatenate(out)] if out else self.classes_[:0]

    def critical(self, X, radii, n_steps: int = 10, n_random: int = 20, seed: int = 0) -> dict:
        """Arpit et al.'s critical samples: does some ``x'`` with ``||x' - x||_inf <= r`` change the prediction?

        Probes per example and radius (the budget): ``n_steps`` steps of
        projected gradient-sign ascent on the margin ``logit(other) -
        logit(predicted)`` (step ``2.5 r / n_steps``, kept inside the box), then
        ``n_random`` random corners of the box. The box is not clipped to
        [0, 1]. Returns ``{"radii", "ratio", "critical"}`` where ``critical``
        lists, per radius, the 0/1 flags of the examples.
        """
        torch = require_torch(_WHAT)
        with torch_session(torch, n_threads=self._n_threads()):
            return self._critical(torch, X, radii, n_steps, n_random, seed)

    def _critical(self, torch, X, radii, n_steps: int, n_random: int, seed: int) -> dict:
        X = torch.as_tensor(np.asarray(X), dtype=torch.float32)
        gen = torch.Generator().manual_seed(int(seed))
        with torch.no_grad():
            pred = self.model_(X).argmax(dim=1)
        flags = []
        for r in radii:
            found = torch.zeros(len(X), dtype=torch.bool)
            delta = torch.zeros_like(X)
            step = 2.5 * r / max(n_steps, 1)
            for _ in range(n_steps):
                delta.requires_grad_(True)
                out = self.model_(X + delta)
                own = out.gather(1, pred[:, None])[:, 0]
                other = out.clone()
                other[torch.arange(len(X)), pred] = -torch.inf
                margin = other.max(dim=1).values - own
                (grad,) = torch.autograd.grad(margin.sum(), delta)
                with torch.no_grad():
                    delta = (delta + step * grad.sign()).clamp(-r, r)
                    found |= self.model_(X + delta).argmax(dim=1) != pred
            with torch.no_grad():
                for _ in range(n_random):
                    signs = torch.randint(0, 2, X.shape, generator=gen, dtype=torch.float32) * 2 - 1
                    found |= self.model_(X + r * signs).argmax(dim=1) != pred
            flags.append(found.numpy().astype(np.uint8))
        return {"radii": list(radii), "ratio": [float(f.mean()) if len(f) else 0.0 for f in flags],
                "critical": flags, "budget": {"gradient_steps": n_steps, "random_corners": n_random}}
