"""The standard methods of the paper's Table 1, on the same 1-bit inputs as the lut network.

``make_baseline(name)`` returns an untuned scikit-learn-style classifier
(the paper: "we have not specifically tuned the other methods"):

==========================  =====================================================
``1-nn``, ``5-nn``          k-nearest neighbours, brute force (Euclidean distance
                            on bits, i.e. the square root of the Hamming distance)
``random-forest-10``        random forest with 10 trees
``random-forest-300``       random forest with 300 trees
``logistic-regression``     L2-regularized logistic regression (C = 1)
``naive-bayes``             Bernoulli naive Bayes on the bits
``random-guess``            uniformly random labels
``conv-net``                a LeNet-style convolutional net (PyTorch, CPU; the
                            optional extra ``lutlearn[torch]``)
==========================  =====================================================

:func:`nearest_neighbor_predictions` computes the 1-NN and 5-NN predictions
from one neighbour search, which is what the experiments use: the search is
the expensive part on 60,000 x 784 bits.
"""

from __future__ import annotations

from typing import Sequence

import numba as nb
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from lutlearn.experiments._torch import require_torch, torch_session, train_minibatches

__all__ = [
    "BASELINES", "LeNetClassifier", "image_shape", "make_baseline", "merge_k_smallest",
    "nearest_neighbor_predictions",
]

#: Baseline names, in the order of the paper's Table 1.
BASELINES = (
    "conv-net",
    "random-forest-300",
    "5-nn",
    "1-nn",
    "random-forest-10",
    "logistic-regression",
    "naive-bayes",
    "random-guess",
)


def make_baseline(name: str, random_state: int | None = None, n_jobs: int | None = None):
    """An unfitted classifier for the Table 1 method ``name`` (see the module docstring)."""
    if name in ("1-nn", "5-nn"):
        from sklearn.neighbors import KNeighborsClassifier

        return KNeighborsClassifier(n_neighbors=int(name[0]), algorithm="brute", n_jobs=n_jobs)
    if name.startswith("random-forest-"):
        from sklearn.ensemble import RandomForestClassifier

        n_trees = int(name.rsplit("-", 1)[1])
        return RandomForestClassifier(n_estimators=n_trees, random_state=random_state, n_jobs=n_jobs)
    if name == "logistic-regression":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=1.0, max_iter=1000)
    if name == "naive-bayes":
        from sklearn.naive_bayes import BernoulliNB

        return BernoulliNB(binarize=None)
    if name == "random-guess":
        from sklearn.dummy import DummyClassifier

        return DummyClassifier(strategy="uniform", random_state=random_state)
    if name == "conv-net":
        return LeNetClassifier(random_state=random_state, n_jobs=n_jobs)
    raise ValueError(f"unknown baseline {name!r}; known: {', '.join(BASELINES)}")


def nearest_neighbor_predictions(
    X_train: np.ndarray,
    y_train: np.ndarray,
    queries: Sequence[np.ndarray],
    n_neighbors: Sequence[int] = (1, 5),
    n_jobs: int | None = None,
    block: int = 512,
) -> list[dict[int, np.ndarray]]:
    """k-NN predictions for several k from one brute-force neighbour search per query set.

    Equivalent to ``KNeighborsClassifier(n_neighbors=k, algorithm="brute")``
    for each ``k`` in ``n_neighbors`` (uniform weights; a vote tie goes to the
    smaller class index), except that among equally distant neighbours the ones
    with the smaller training index are taken. The neighbours are searched once,
    for the largest ``k``: squared Euclidean distances between bit vectors are
    Hamming distances, computed exactly as float32 matrix products in blocks of
    ``block`` queries.

    Parameters
    ----------
    X_train : array of shape (n_train, n_features)
        Training bits (0/1).
    y_train : array of shape (n_train,)
        Training labels.
    queries : sequence of arrays of shape (n_queries, n_features)
        Sets of bits to classify (e.g. the training set and the test set).
    n_neighbors : sequence of int, default=(1, 5)
        The values of k.
    n_jobs : int or None
        Unused (kept for symmetry with scikit-learn); the matrix products use
        the BLAS threads and the selection numba's.
    block : int, default=512
        Queries per block (memory: ``block * n_train`` float32). When a
        query set *is* ``X_train`` (the same object), its search uses blocks
        of ``4 * block`` rows and computes each pair of blocks once, as the
        distances are symmetric.

    Returns
    -------
    predictions : list of dict
        For each query set, ``{k: labels}``.
    """
    classes, y_enc = np.unique(y_train, return_inverse=True)
    k_max = max(n_neighbors)
    if k_max > len(y_enc):
        raise ValueError(f"{k_max} neighbours requested but only {len(y_enc)} training examples")
    Xf = np.asarray(X_train, dtype=np.float32)
    norms = (Xf * Xf).sum(axis=1)
    out = []
    for Q in queries:
        if Q is X_train:
            idx = _neighbors_within(Xf, norms, k_max, block)
        else:
            idx = _neighbors_of(np.asarray(Q, dtype=np.float32), Xf, norms, k_max, block)
        labels = y_enc[idx]
        per_k = {}
        for k in n_neighbors:
            votes = np.stack([(labels[:, :k] == c).sum(axis=1) for c in range(len(classes))], axis=1)
            per_k[k] = classes[np.argmax(votes, axis=1)]
        out.append(per_k)
    return out


@nb.njit(cache=True, parallel=True)
def merge_k_smallest(D, offset, vals, idx):
    """Merge the values of ``D`` (columns numbered from ``offset``) into the running ``k`` smallest per row.

    ``vals[i]`` and ``idx[i]`` (shape ``(n, k)``) hold row ``i``'s ``k``
    smallest values so far and their column numbers, in increasing order of
    ``(value, column)``; start them at ``inf`` and ``-1``. Equal values are
    ordered by column number, so the result does not depend on the order in
    which blocks of columns are merged.
    """
    n, m = D.shape
    k = vals.shape[1]
    for i in nb.prange(n):
        for j in range(m):
            v = D[i, j]
            g = offset + j
            if v > vals[i, k - 1] or (v == vals[i, k - 1] and g > idx[i, k - 1]):
                continue
            p = k - 1
            while p > 0 and (vals[i, p - 1] > v or (vals[i, p - 1] == v and idx[i, p - 1] > g)):
                vals[i, p] = vals[i, p - 1]
                idx[i, p] = idx[i, p - 1]
                p -= 1
            vals[i, p] = v
            idx[i, p] = g


def _start(n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    return np.full((n, k), np.inf, np.float32), np.full((n, k), -1, np.int64)


def _neighbors_of(Qf, Xf, norms, k, block) -> np.ndarray:
    """Indices of the ``k`` nearest rows of ``Xf`` for every row of ``Qf``."""
    vals, idx = _start(len(Qf), k)
    for a in range(0, len(Qf), block):
        # |q - x|^2 = |q|^2 + |x|^2 - 2 q.x; |q|^2 is the same along a row, so it is left out
        merge_k_smallest(norms[None, :] - 2.0 * (Qf[a:a + block] @ Xf.T), 0, vals[a:a + block], idx[a:a + block])
    return idx


def _neighbors_within(Xf, norms, k, block) -> np.ndarray:
    """Like ``_neighbors_of(Xf, Xf, ...)``, with half the products: block ``(a, b)`` also serves ``(b, a)``."""
    n = len(Xf)
    vals, idx = _start(n, k)
    block *= 4  # blocks of block x block products: memory 4 * block**2 bytes each
    for a in range(0, n, block):
        Xa = Xf[a:a + block]
        for b in range(a, n, block):
            G = 2.0 * (Xa @ Xf[b:b + block].T)
            merge_k_smallest(norms[None, b:b + block] - G, b, vals[a:a + block], idx[a:a + block])
            if b != a:
                D = np.ascontiguousarray(norms[None, a:a + block] - G.T)
                merge_k_smallest(D, a, vals[b:b + block], idx[b:b + block])
    return idx


def image_shape(n_features: int) -> tuple[int, int, int]:
    """The (channels, height, width) a row of ``n_features`` bits is read as by the conv net.

    784 bits are a 28x28 MNIST image; 3072 bits a 3x32x32 CIFAR-10 image
    (the binary version's order: the red plane, then green, then blue, each
    row-major); any other square count is one square channel (e.g. 8x8 digits).
    """
    if n_features == 3072:
        return (3, 32, 32)
    side = int(round(n_features**0.5))
    if side * side == n_features:
        return (1, side, side)
    raise ValueError(
        f"cannot read {n_features} features as an image; pass image_shape=(channels, height, width)"
    )


class LeNetClassifier(ClassifierMixin, BaseEstimator):
    """A LeNet-style convolutional net on bit images (PyTorch, CPU), the paper's "conv net" row.

    Two 5x5 convolutions (6 and 16 channels, zero padding 2, ReLU, 2x2 max
    pooling) and three fully connected layers (120, 84, n_classes), trained
    with Adam on the cross-entropy. Untuned, like the paper's baselines.

    Parameters
    ----------
    image_shape : tuple of int or None, default=None
        ``(channels, height, width)`` of an example; None infers it with
        :func:`image_shape`.
    epochs : int, default=5
        Passes over the training set.
    batch_size : int, default=128
        Examples per gradient step.
    learning_rate : float, default=1e-3
        Adam's step size.
    random_state : int or None, default=None
        Seeds the initial weights and the batch order.
    n_jobs : int or None, default=None
        PyTorch threads while fitting and predicting (None: PyTorch's default).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    model_ : torch.nn.Module
        The trained network.
    """

    def __init__(self, image_shape=None, epochs: int = 5, batch_size: int = 128, learning_rate: float = 1e-3,
                 random_state=None, n_jobs: int | None = None):
        self.image_shape = image_shape
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _network(self, torch, shape, n_classes):
        nn = torch.nn
        c, h, w = shape
        return nn.Sequential(
            nn.Conv2d(c, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(16 * (h // 4) * (w // 4), 120), nn.ReLU(),
            nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, n_classes),
        )

    def _tensor(self, torch, X):
        X = np.asarray(X, dtype=np.float32)
        return torch.from_numpy(np.ascontiguousarray(X.reshape((X.shape[0],) + tuple(self.shape_))))

    def fit(self, X, y) -> "LeNetClassifier":
        """Train the net on bit images ``X`` (n_samples, n_features) with labels ``y``."""
        torch = require_torch("the conv-net baseline")
        X = np.asarray(X)
        self.classes_, y_enc = np.unique(np.asarray(y), return_inverse=True)
        self.n_features_in_ = X.shape[1]
        self.shape_ = tuple(self.image_shape) if self.image_shape is not None else image_shape(X.shape[1])
        seed = 0 if self.random_state is None else int(self.random_state)
        n_threads = self.n_jobs if self.n_jobs is not None and self.n_jobs > 0 else None
        with torch_session(torch, seed=seed, n_threads=n_threads):
            gen = torch.Generator().manual_seed(seed)
            model = self._network(torch, self.shape_, len(self.classes_))
            opt = torch.optim.Adam(model.parameters(), lr=self.learning_rate)
            Xt, yt = self._tensor(torch, X), torch.from_numpy(y_enc.astype(np.int64))
            train_minibatches(torch, model, opt, Xt, yt, self.epochs, self.batch_size, gen)
            self.model_ = model
        return self

    def predict(self, X) -> np.ndarray:
        """The most likely class of each example."""
        check_is_fitted(self, "model_")
        torch = require_torch("the conv-net baseline")
        Xt = self._tensor(torch, X)
        out = []
        with torch.no_grad():
            for start in range(0, len(Xt), 4096):
                out.append(self.model_(Xt[start:start + 4096]).argmax(dim=1).numpy())
        return self.classes_[np.concatenate(out) if out else np.empty(0, dtype=np.int64)]
