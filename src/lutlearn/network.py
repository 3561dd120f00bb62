"""The estimator: a network of lookup tables that learns by memorization."""

from __future__ import annotations

import contextlib
import sys
import time
from numbers import Integral
from typing import Iterator

import numba
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from lutlearn import _workspace, kernels
from lutlearn._validation import as_bits, check_memory

#: Largest lut width accepted: a table has ``2**k`` entries per lut.
MAX_K = 24

#: The two-class network's defaults (the paper's), used where a parameter is None.
BINARY_DEFAULTS = {"k": 8, "hidden_layers": (1024,) * 5, "output_k": None, "n_output_luts": 1}


@contextlib.contextmanager
def _numba_threads(n_jobs: int | None) -> Iterator[int]:
    """Run the enclosed kernels on ``n_jobs`` threads (None or -1: all), restoring the old count after."""
    limit = numba.config.NUMBA_NUM_THREADS
    if n_jobs is None or n_jobs == -1:
        n = limit
    elif n_jobs < 0:
        n = max(1, limit + 1 + n_jobs)
    elif n_jobs == 0:
        raise ValueError("n_jobs=0 is not allowed; use None or -1 for all cores, or a positive count.")
    else:
        n = min(int(n_jobs), limit)
    old = numba.get_num_threads()
    numba.set_num_threads(n)
    try:
        yield n
    finally:
        numba.set_num_threads(old)


def _is_dask(X) -> bool:
    """True for Dask collections (fit and predict then run on Dask; see :mod:`lutlearn.scale`)."""
    return "dask" in sys.modules and type(X).__module__.startswith("dask")


def random_wiring(rng: np.random.Generator, n_luts: int, n_prev: int, k: int) -> np.ndarray:
    """Pick ``k`` distinct inputs out of ``n_prev`` for each of ``n_luts`` luts.

    Each lut gets the ``k`` smallest of ``n_prev`` uniform random keys, in
    increasing key order (equal keys in column order): a uniformly random
    ordered ``k``-subset.

    Returns
    -------
    wires : int32 array of shape (n_luts, k)
    """
    keys = rng.random((n_luts, n_prev))
    wires = np.empty((n_luts, k), np.int32)
    kernels.smallest_k(keys, k, wires)
    return wires


def output_cone(wires: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """Find the luts that the output lut depends on, layer by layer.

    Parameters
    ----------
    wires : list of int arrays
        ``wires[l]`` of shape (n_luts_l, k_l) wires layer ``l + 1`` to layer ``l``
        (layer 0 is the input); the last entry is the single output lut.

    Returns
    -------
    inputs : int array
        The input features the output depends on (sorted).
    keep : list of int arrays
        For every lut layer, the indices of the luts kept (sorted).
    remapped : list of int32 arrays
        The kept luts' wires, renumbered to index the kept luts (or kept
        inputs) of the layer below.
    """
    keep = [np.arange(wires[-1].shape[0])]
    for w in reversed(wires[1:]):
        keep.insert(0, np.unique(w[keep[0]]))
    inputs = np.unique(wires[0][keep[0]])
    below = [inputs] + keep[:-1]
    remapped = [
        np.searchsorted(b, w[kp]).astype(np.int32) for w, kp, b in zip(wires, keep, below)
    ]
    return inputs, keep, remapped


class LutNetworkClassifier(ClassifierMixin, BaseEstimator):
    """A network of lookup tables (luts) that learns by memorization.

    The learner of Chatterjee, "Learning and Memorization" (ICML 2018). Layers
    of luts sit on top of the input bits; each lut reads ``k`` outputs of the
    layer below, picked at random without replacement when the network is
    built. Training goes layer by layer: every lut counts, for each of its
    ``2**k`` input patterns, how many training examples of each class present
    it, and remembers the majority class. Ties, including patterns never seen
    in training, are broken at random (from the seed). Every lut is fit to the
    final target, and its outputs on the training set are the next layer's
    inputs. The last layer is a single lut whose output is the prediction.

    With more than two classes the network is built as described in
    :mod:`lutlearn.multiclass`: hidden luts each learn, by counting, a random
    two-way grouping of the classes (so their outputs stay bits), and
    ``n_output_luts`` output luts vote with their class counts.

    Parameters
    ----------
    k : int or None, default=None
        Number of inputs of every hidden lut (the paper's lut size). None
        means 8 for two classes and 6 for more.
    hidden_layers : sequence of int or None, default=None
        Number of luts in each hidden layer. Empty means output luts reading
        the inputs directly. None means ``(1024,) * 5`` for two classes and
        ``(2048,)`` for more.
    output_k : int or None, default=None
        Number of inputs of each output lut; None means ``k`` for two
        classes and 12 for more.
    n_output_luts : int or None, default=None
        Number of voting output luts of the multi-class design. None means
        256 for more than two classes, and the paper's network with its
        single output lut for two classes; setting it builds the multi-class
        design (with its defaults for the other None parameters) for two
        classes too.
    random_state : int, RandomState instance or None, default=None
        Fixes the wiring and the tie-breaking. The same value gives a
        bit-identical model, whatever ``n_jobs`` is.
    n_jobs : int or None, default=None
        Threads used by the compiled kernels. None or -1 means all cores
        (the result never depends on it).
    verbose : int, default=0
        If positive, print one line per layer while fitting.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels; for two classes, ``classes_[1]`` is the class a
        lut output of 1 means.
    n_features_in_ : int
        Number of input bits seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features, when ``X`` had string column names.
    seed_ : int
        The 63-bit seed drawn from ``random_state``; wiring and ties derive from it.
    wires_ : list of int32 ndarrays
        ``wires_[l]`` (shape ``(n_luts, k)``) says which outputs of layer ``l``
        each lut of layer ``l + 1`` reads (layer 0 is the input); wire 0 is the
        most significant bit of a lut's pattern.
    tables_ : list of uint8 ndarrays
        ``tables_[l]`` (shape ``(n_luts, 2**k)``) is the learned truth table of
        every lut of layer ``l + 1``, as encoded class indices.
    output_counts_ : int64 ndarray of shape (2**output_k, n_classes)
        The output lut's class counts per pattern, used by :meth:`predict_proba`.
        Multi-class: int32 of shape (n_output_luts, 2**output_k, n_classes),
        the voting luts' counts.
    dichotomies_ : list of uint8 ndarrays
        Multi-class only: ``dichotomies_[l]`` (shape ``(n_luts, n_classes)``)
        is the side (0/1) of each class for each lut of hidden layer ``l + 1``.
    lut_accuracy_ : list of float64 ndarrays
        Training accuracy of every lut, layer by layer; entry 0 is the input
        bits used directly as predictions of class 1 (multi-class: as 1-input
        luts). A multi-class hidden lut's accuracy is on its own two-way target.
    layer_report_ : list of dict
        Per layer (0 is the input): ``layer``, ``count``, ``mean``, ``std``,
        ``min`` and ``max`` of the luts' training accuracies (the paper's
        Table 2). :meth:`format_layer_report` prints it.

    See Also
    --------
    ThresholdBinarizer : the paper's 1-bit quantization of pixel values.

    Notes
    -----
    Inputs must be Boolean: bool arrays, or integers or floats equal to 0 and
    1. Anything else raises ``ValueError``; nothing is coerced.

    Ties are broken by a hash of ``(seed_, layer, lut, pattern)``, so each
    table depends only on the data, the seed and its own position.

    Examples
    --------
    >>> import numpy as np
    >>> from lutlearn import LutNetworkClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.integers(0, 2, size=(200, 16))
    >>> y = X[:, 0] ^ X[:, 1]
    >>> clf = LutNetworkClassifier(k=2, hidden_layers=(), random_state=0)
    >>> clf.fit(X[:, :2], y).score(X[:, :2], y)
    1.0
    """

    _parameter_constraints: dict = {
        "k": [Interval(Integral, 1, MAX_K, closed="both"), None],
        "hidden_layers": ["array-like", None],
        "output_k": [Interval(Integral, 1, MAX_K, closed="both"), None],
        "n_output_luts": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        k: int | None = None,
        hidden_layers=None,
        output_k: int | None = None,
        n_output_luts: int | None = None,
        random_state=None,
        n_jobs: int | None = None,
        verbose: int = 0,
    ):
        self.k = k
        self.hidden_layers = hidden_layers
        self.output_k = output_k
        self.n_output_luts = n_output_luts
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    # ------------------------------------------------------------------ fit
    def _voting(self, n_classes: int) -> bool:
        """Whether the network is the multi-class design (voting output luts) rather than the paper's."""
        return n_classes > 2 or self.n_output_luts is not None

    def _effective_params(self, n_classes: int = 2) -> dict:
        """``k``, ``hidden_layers``, ``output_k``, ``n_output_luts`` with None replaced by the defaults for ``n_classes``."""
        if self._voting(n_classes):
            from lutlearn.multiclass import DEFAULTS as defaults
        else:
            defaults = BINARY_DEFAULTS
        given = {name: getattr(self, name) for name in defaults}
        return {name: defaults[name] if v is None else v for name, v in given.items()}

    def _architecture(self, n_features: int, n_classes: int = 2) -> tuple[list[int], list[int]]:
        """Widths (input first, output last) and lut sizes of every lut layer, checked."""
        params = self._effective_params(n_classes)
        hidden = []
        for w in list(params["hidden_layers"]):
            if isinstance(w, (bool, np.bool_)) or not isinstance(w, (Integral, np.integer)) or w < 1:
                raise ValueError(
                    f"hidden_layers must be a sequence of positive integers (luts per layer); "
                    f"got {self.hidden_layers!r}."
                )
            hidden.append(int(w))
        k = params["k"]
        out_k = k if params["output_k"] is None else params["output_k"]
        widths = [n_features] + hidden + [params["n_output_luts"]]
        ks = [k] * len(hidden) + [out_k]
        for layer, kl in enumerate(ks, start=1):
            if kl > widths[layer - 1]:
                name = "output_k" if layer == len(ks) and params["output_k"] is not None else "k"
                below = "the input" if layer == 1 else f"hidden layer {layer - 1}"
                raise ValueError(
                    f"{name}={kl} is larger than the width of {below} ({widths[layer - 1]}): "
                    f"a lut reads {kl} distinct values of the layer below. Use a smaller {name} "
                    "or wider layers."
                )
        return widths, ks

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y) -> "LutNetworkClassifier":
        """Build the network's random wiring and memorize the training set layer by layer.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Boolean inputs (bool, or integers/floats equal to 0 and 1).
        y : array-like of shape (n_samples,)
            Class labels; at least two distinct values.

        Returns
        -------
        self : LutNetworkClassifier
            The fitted estimator.
        """
        if _is_dask(X):  # row-chunked data on a Dask cluster: same model, see lutlearn.scale
            from lutlearn.scale import fit_dask

            return fit_dask(self, X, y)
        X, y = validate_data(self, X, y, dtype=None, ensure_all_finite=True)
        check_classification_targets(y)
        self.classes_, y_enc = np.unique(y, return_inverse=True)
        n_classes = len(self.classes_)
        if n_classes < 2:
            raise ValueError(
                f"y has only one class ({self.classes_[0]!r}); a classifier needs two classes to learn."
            )
        if self._voting(n_classes):
            from lutlearn import multiclass

            bits = as_bits(X)
            with _numba_threads(self.n_jobs) as n_threads:
                multiclass.fit(self, bits, y_enc, n_classes, n_threads)
            self._finish()
            return self
        y_enc = y_enc.astype(np.uint8)
        bits = as_bits(X)
        n, d = bits.shape
        widths, ks = self._architecture(d)

        with _numba_threads(self.n_jobs) as n_threads:
            table_bytes = sum(w * (1 << kl) for w, kl in zip(widths[1:], ks))
            work_bytes = 3 * max(widths) * n + max(
                _workspace.fit_buffer_bytes(w, n, kl, n_classes, n_threads) for w, kl in zip(widths[1:], ks)
            )
            # tables, plus the pruned copy prediction keeps (at most as large)
            check_memory(2 * table_bytes + work_bytes, "this network")

            rs = check_random_state(self.random_state)
            self.seed_ = int(rs.randint(0, np.iinfo(np.int64).max, dtype=np.int64))
            rng = np.random.default_rng(self.seed_)

            # The fast kernels want the examples ordered by class; tables and
            # accuracies do not depend on the order of the training set.
            order = np.argsort(y_enc, kind="stable")
            y_enc = y_enc[order]
            bounds = np.searchsorted(y_enc, np.arange(n_classes + 1)).astype(np.int64)
            A = np.empty((d, n), np.uint8)
            kernels.transpose_rows(np.ascontiguousarray(bits), order, A)
            ones = kernels.class_ones(A, bounds)  # an input bit "predicts" class 1
            self.lut_accuracy_ = [(bounds[1] - ones[:, 0] + ones[:, 1]) / n]
            n_layers = len(ks)
            # Training draws nothing at random, so all wiring can come first
            # (same draws, same order); it tells which outputs are ever read.
            self.wires_ = [random_wiring(rng, widths[i], widths[i - 1], ks[i - 1]) for i in range(1, n_layers + 1)]
            self.tables_ = []
            # two layer buffers used in turn: fresh 60 MB arrays per layer cost page faults
            spare = [np.empty((max(widths[1:]), n), np.uint8) for _ in range(min(2, n_layers))]
            for layer in range(1, n_layers + 1):
                t0 = time.perf_counter()
                width, kl = widths[layer], ks[layer - 1]
                wires = self.wires_[layer - 1]
                tables = np.empty((width, 1 << kl), np.uint8)
                out = spare[layer % len(spare)][:width]
                correct = np.empty(width, np.int64)
                needed = np.zeros(width, np.uint8)
                if layer < n_layers:
                    needed[self.wires_[layer]] = 1
                work, hist = _workspace.fit_buffers(width, n, kl, n_classes, n_threads)
                kernels.fit_layer_fast(A, bounds, wires, self.seed_, layer, tables, out, correct, work, hist, needed)
                if layer == n_layers:  # one lut in one block: its counts are left in hist[0]
                    counts = hist[0, : n_classes << kl].reshape(n_classes, 1 << kl)
                    self.output_counts_ = np.ascontiguousarray(counts.T, dtype=np.int64)
                self.tables_.append(tables)
                self.lut_accuracy_.append(correct / n)
                A = out
                if self.verbose:
                    acc = self.lut_accuracy_[-1]
                    print(
                        f"[lutlearn] layer {layer}/{n_layers}: {width} luts, k={kl}, "
                        f"training accuracy mean {acc.mean():.4f} max {acc.max():.4f} "
                        f"({time.perf_counter() - t0:.2f} s)",
                        file=sys.stderr,
                    )
        self._finish()
        return self

    def _finish(self) -> None:
        """Derive the per-layer report and the pruned prediction path from the learned state."""
        self.layer_report_ = [
            {
                "layer": layer,
                "count": int(acc.size),
                "mean": float(acc.mean()),
                "std": float(acc.std()),
                "min": float(acc.min()),
                "max": float(acc.max()),
            }
            for layer, acc in enumerate(self.lut_accuracy_)
        ]
        inputs, keep, remapped = output_cone(self.wires_)
        self._cone_inputs = inputs
        self._cone = [
            (w, np.ascontiguousarray(t[kp])) for w, t, kp in zip(remapped, self.tables_, keep)
        ]
        if self.output_counts_.ndim == 3:
            from lutlearn.multiclass import vote_weights

            self._vote = vote_weights(self.output_counts_)
        # The cone flattened for kernels.predict_network (two classes and small
        # luts only: larger ones are evaluated layer by layer, no third copy).
        widths = np.array([w.shape[0] for w, _ in self._cone], np.int64)
        ks = np.array([w.shape[1] for w, _ in self._cone], np.int64)
        if self.output_counts_.ndim == 3 or ks.max() > _workspace.DEPTH_FIRST_MAX_K:
            self._cone_flat = None
            return
        wire_sizes = widths * ks
        table_sizes = widths << ks
        self._cone_flat = (
            self._cone_inputs.astype(np.int64), widths, ks,
            np.concatenate([[0], np.cumsum(wire_sizes)[:-1]]).astype(np.int64),
            np.concatenate([w.ravel() for w, _ in self._cone]).astype(np.int32),
            np.concatenate([[0], np.cumsum(table_sizes)[:-1]]).astype(np.int64),
            np.concatenate([t.ravel() for _, t in self._cone]),
        )

    # ------------------------------------------------------------- predict
    def _validate_predict(self, X) -> np.ndarray:
        check_is_fitted(self)
        if (
            type(X) is np.ndarray
            and X.dtype in (np.uint8, np.bool_)
            and X.ndim == 2
            and X.shape[0] > 0
            and X.shape[1] == self.n_features_in_
            and getattr(self, "feature_names_in_", None) is None
        ):
            return as_bits(X)  # the usual case, without scikit-learn's generic checks (~0.4 ms)
        X = validate_data(self, X, dtype=None, ensure_all_finite=True, reset=False)
        return as_bits(X)

    def _last_hidden(self, bits: np.ndarray) -> np.ndarray:
        """Values (feature-major) of the kept luts of the layer below the output lut."""
        A = np.ascontiguousarray(bits[:, self._cone_inputs].T)
        with _numba_threads(self.n_jobs):
            for wires, tables in self._cone[:-1]:
                out = np.empty((wires.shape[0], A.shape[1]), np.uint8)
                kernels.predict_layer(A, wires, tables, out)
                A = out
        return A

    def _output_patterns(self, bits: np.ndarray) -> np.ndarray:
        """The pattern (uint32) each example presents to the output lut.

        Small luts: the whole cone in one depth-first kernel; large luts
        (whose tables outgrow the cache): layer by layer (:meth:`_last_hidden`).
        """
        if self._cone_flat is None:
            return kernels.pattern_index(self._last_hidden(bits), self._cone[-1][0][0])
        inputs, widths, ks, wire_off, wires, table_off, tables = self._cone_flat
        bits = np.ascontiguousarray(bits)
        patterns = np.empty(bits.shape[0], np.uint32)
        with _numba_threads(self.n_jobs) as n_threads:
            max_width = int(max(inputs.shape[0], widths.max()))
            bufs, pbufs = _workspace.predict_buffers(bits.shape[0], max_width, int(ks.max()), n_threads)
            kernels.predict_network(
                bits, inputs, widths, ks, wire_off, wires, table_off, tables,
                _workspace.PREDICT_CHUNK, bufs, pbufs, patterns,
            )
        return patterns

    def predict(self, X) -> np.ndarray:
        """Classify each example by running it through the network.

        Only luts in the output lut's cone are evaluated; the others cannot
        change the prediction.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Boolean inputs.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted labels, values of ``classes_``.
        """
        if _is_dask(X):  # a lazy Dask array of predictions, see lutlearn.scale
            from lutlearn.scale import predict_dask

            return predict_dask(self, X)
        bits = self._validate_predict(X)
        if self.output_counts_.ndim == 3:
            from lutlearn.multiclass import decision_scores

            A = self._last_hidden(bits)
            with _numba_threads(self.n_jobs):
                return self.classes_[decision_scores(self, A).argmax(axis=1)]
        patterns = self._output_patterns(bits)
        return self.classes_[self._cone[-1][1][0][patterns]]

    def predict_proba(self, X) -> np.ndarray:
        """Class frequencies of the pattern each example presents to the output lut.

        For a pattern seen in training, the probabilities are the fractions of
        training examples of each class that presented it to the output lut.
        A pattern never seen in training gives equal probabilities
        (``1 / n_classes``). ``predict`` agrees with the argmax of these except
        at ties, where it uses the lut's stored random tie-break.

        Multi-class: the softmax of the class scores described in
        :mod:`lutlearn.multiclass` (log prior plus the output luts' mean
        log-likelihood, computed in integers), scaled back to nats;
        ``predict`` is their argmax.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Boolean inputs.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        if _is_dask(X):
            from lutlearn.scale import predict_dask

            return predict_dask(self, X, "predict_proba")
        bits = self._validate_predict(X)
        if self.output_counts_.ndim == 3:
            from lutlearn.multiclass import decision_scores, proba_from_scores

            A = self._last_hidden(bits)
            with _numba_threads(self.n_jobs):
                return proba_from_scores(decision_scores(self, A), self._cone[-1][0].shape[0])
        idx = self._output_patterns(bits)
        counts = self.output_counts_[idx].astype(np.float64)
        totals = counts.sum(axis=1, keepdims=True)
        n_classes = counts.shape[1]
        return np.where(totals > 0, counts / np.maximum(totals, 1), 1.0 / n_classes)

    # --------------------------------------------------------- diagnostics
    def format_layer_report(self) -> str:
        """The per-layer training accuracies as a plain-text table like the paper's Table 2."""
        check_is_fitted(self)
        lines = [f"{'layer':>5} {'count':>6} {'mean':>7} {'std':>7} {'min':>7} {'max':>7}"]
        for r in self.layer_report_:
            lines.append(
                f"{r['layer']:>5} {r['count']:>6} {r['mean']:>7.4f} {r['std']:>7.4f} "
                f"{r['min']:>7.4f} {r['max']:>7.4f}"
            )
        return "\n".join(lines)

    # --------------------------------------------------------- persistence
    def save(self, path) -> None:
        """Write the fitted model to ``path`` in lutlearn's model format (see :mod:`lutlearn.persistence`)."""
        from lutlearn.persistence import save_model

        save_model(self, path)

    @classmethod
    def load(cls, path) -> "LutNetworkClassifier":
        """Read a model written by :meth:`save`; never unpickles."""
        from lutlearn.persistence import load_model

        return load_model(path)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        tags.input_tags.allow_nan = False
        return tags
