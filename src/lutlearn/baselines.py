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

import numpy as np

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
        from lutlearn.convnet import LeNetClassifier

        return LeNetClassifier(random_state=random_state, n_jobs=n_jobs)
    raise ValueError(f"unknown baseline {name!r}; known: {', '.join(BASELINES)}")


def nearest_neighbor_predictions(
    X_train: np.ndarray,
    y_train: np.ndarray,
    queries: Sequence[np.ndarray],
    n_neighbors: Sequence[int] = (1, 5),
    n_jobs: int | None = None,
) -> list[dict[int, np.ndarray]]:
    """k-NN predictions for several k from one brute-force neighbour search per query set.

    Equivalent to ``KNeighborsClassifier(n_neighbors=k, algorithm="brute")``
    for each ``k`` in ``n_neighbors`` (uniform weights; a vote tie goes to the
    smaller class index), but the neighbours are searched once, for the
    largest ``k``, on float32 copies of the bits (distances between bit
    vectors are exact in float32).

    Parameters
    ----------
    X_train : array of shape (n_train, n_features)
        Training bits.
    y_train : array of shape (n_train,)
        Training labels.
    queries : sequence of arrays of shape (n_queries, n_features)
        Sets of examples to classify (e.g. the training set and the test set).
    n_neighbors : sequence of int, default=(1, 5)
        The values of k.
    n_jobs : int or None
        Threads for the search (scikit-learn's meaning).

    Returns
    -------
    predictions : list of dict
        For each query set, ``{k: labels}``.
    """
    from sklearn.neighbors import NearestNeighbors

    classes, y_enc = np.unique(y_train, return_inverse=True)
    k_max = max(n_neighbors)
    nn = NearestNeighbors(n_neighbors=k_max, algorithm="brute", n_jobs=n_jobs)
    nn.fit(np.asarray(X_train, dtype=np.float32))
    out = []
    for Q in queries:
        idx = nn.kneighbors(np.asarray(Q, dtype=np.float32), return_distance=False)
        labels = y_enc[idx]
        per_k = {}
        for k in n_neighbors:
            votes = np.stack([(labels[:, :k] == c).sum(axis=1) for c in range(len(classes))], axis=1)
            per_k[k] = classes[np.argmax(votes, axis=1)]
        out.append(per_k)
    return out
