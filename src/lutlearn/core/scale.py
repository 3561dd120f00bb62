"""Scaling out on Dask: training and prediction on row-chunked data, and sweeps over a cluster.

Training a lut network is a map-reduce, layer by layer: every row chunk counts,
for each lut, how many examples of each class present each pattern; the
counts of all chunks are added by a tree sum; the tables are chosen once, on
the client, by :func:`lutlearn.core.kernels.choose_layer` (which picks exactly
what :func:`~lutlearn.core.kernels.fit_layer` picks, ties included); then every
chunk computes its values of the new layer, which are the inputs of the
next. This is :class:`DaskBackend`, a backend of the one trainer
:func:`lutlearn.core.training.train`, which draws the wiring and runs the layer
loop for both designs. Counts are integers, so their sum does not depend on
how the rows are chunked or in which order chunks are added: with the same
seed and data, :func:`fit_dask` gives a model bit-identical to the in-memory
:meth:`LutNetworkClassifier.fit <lutlearn.LutNetworkClassifier.fit>`
(wiring, tables, tie-breaks, per-lut accuracies, output counts), for the
paper's network and the multi-class design alike.

Intermediate layers
-------------------
The values of layer ``l`` are needed on every chunk to train layer ``l + 1``.
Recomputing them from the inputs at every layer would cost ``O(L**2)`` layer
evaluations, so each layer's values are kept, **bit-packed** (one bit per
lut per example: ``n_samples * width / 8`` bytes over the whole cluster), in
the workers' memory with :meth:`dask.array.Array.persist`, chunked like the
input rows, and released as soon as the next layer's values exist. At most
two layers are alive at once. Dask's own worker memory management bounds
what each worker holds: past its memory limit a worker spills chunks to its
local disk (see ``distributed.worker.memory`` in the Dask configuration).
Nothing is ever gathered on one machine; only the per-lut counts
(``n_luts * 2**k * n_classes`` integers per layer) travel to the client.

Chunks stay bit-packed while they are worked on, too: the kernels of
:mod:`lutlearn.core.kernels` read and write packed bits in place (``packed=True``). A task
on a chunk of ``m`` rows holds about ``m * (n_prev + width) / 8`` bytes of
layer values, ``4 * m`` bytes of pattern indices and its counts
(``width * 2**k * n_classes * 8`` bytes), so chunks of 10**5 to 10**6 rows
suit workers of a few GiB. Each task runs the kernels on one thread: Dask's
worker threads are the parallelism (start workers with one thread per core).

Sweeps
------
:func:`dask_client` opens the cluster that a ``--dask`` option names
(``local:N`` or a scheduler address);
:func:`lutlearn.experiments.runner.execute` spreads the experiment runs of
``reproduce`` and ``memorization`` over it.

Dask, Distributed and Zarr are optional: ``pip install "lutlearn[dask]"``.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import os
import re
import sys
import threading
import time
from typing import Any, Iterator, NamedTuple

import numpy as np

from lutlearn.core import kernels, training
from lutlearn.core._validation import as_bits
from lutlearn.core._workspace import numba_threads
from lutlearn.core.training import MAX_CLASSES, check_weight_stats, integer_weights, train, weight_shift

_EXTRA_HINT = 'install the "dask" extra: pip install "lutlearn[dask]"'


def _import_dask():
    """``dask`` and ``dask.array``, or an ImportError naming the extra to install."""
    try:
        import dask
        import dask.array as da
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(f"Dask support needs dask[array]; {_EXTRA_HINT}") from exc
    return dask, da


def _import_distributed():
    try:
        import distributed
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(f"Dask clusters need the distributed package; {_EXTRA_HINT}") from exc
    return distributed


# ----------------------------------------------------------------- block tasks
# These run on the workers, one row chunk at a time. Layer values are stored
# feature-major and bit-packed along the feature axis: a block of layer ``l``
# is uint8 of shape (ceil(width / 8), n_chunk_rows).


#: Serializes kernel calls when numba's threading layer is ``workqueue``, which
#: aborts the process if two threads launch parallel kernels at once (Dask's
#: threaded scheduler, or workers with several threads, would).
_WORKQUEUE_LOCK = threading.Lock()


def _kernels_threadsafe() -> bool:
    """Whether parallel kernels may be launched from several threads at once in this process."""
    import numba

    try:
        return numba.threading_layer() != "workqueue"
    except ValueError:  # no parallel kernel has run here yet: the layer is not chosen
        return False


@contextlib.contextmanager
def _one_thread() -> Iterator[None]:
    """Run the enclosed kernels on one thread (and one at a time under numba's workqueue layer)."""
    lock = contextlib.nullcontext() if _kernels_threadsafe() else _WORKQUEUE_LOCK
    with lock, numba_threads(1):
        yield


def _pack_inputs(block: np.ndarray) -> np.ndarray:
    """A chunk of inputs ``(n_features, n_rows)`` checked to be 0/1 and bit-packed along features."""
    return np.packbits(as_bits(block), axis=0)


def _encode_labels(block: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Class indices (uint8) of a chunk of labels."""
    return np.searchsorted(classes, block).astype(np.uint8)


def _count_block(packed, y_enc, wires, n_classes, sw=None):
    """Class counts ``(n_luts, 2**k, C)`` of one chunk (weighted by integer weights ``sw``), as an int64 column."""
    counts = np.zeros((wires.shape[0], 1 << wires.shape[1], n_classes), np.int64)
    with _one_thread():
        if sw is None:
            kernels.count_layer(packed, y_enc, wires, True, counts)
        else:
            kernels.count_layer(packed, y_enc, wires, True, counts, sw)
    return counts.reshape(-1, 1)


def _class_weight_block(sw, y_enc, cw):
    """A chunk's sample weights (float64, or ones when None) times the class weights ``cw`` (if any)."""
    w = np.ones(len(y_enc)) if sw is None else np.asarray(sw, np.float64)
    return w if cw is None else w * cw[y_enc]


def _weight_stats(w):
    """``(finite, min, max, all whole numbers, sum)`` of a chunk of weights, as a (1, 5) float64 row."""
    finite = np.isfinite(w).all()
    return np.array([[
        float(finite), w.min(initial=np.inf), w.max(initial=-np.inf), float((w == np.floor(w)).all()),
        w.sum() if finite else np.nan,
    ]])


def _next_block(packed, wires, tables):
    """The next layer's bit-packed values on one chunk."""
    out = np.empty((-(-wires.shape[0] // 8), packed.shape[1]), np.uint8)
    with _one_thread():
        kernels.predict_layer(packed, wires, tables, True, out)
    return out


class _BoostChunk(NamedTuple):
    """One row chunk's share of the boosted layer's fit, kept in a worker's memory while the layer grows."""

    A: np.ndarray  #: the layer values, uint8 rows (n_values, n_rows)
    ptr: np.ndarray  #: with ``idx``, the rows with each value set (:func:`lutlearn.core.kernels.ones_index`)
    idx: np.ndarray
    y: np.ndarray  #: class indices, int64
    w0: np.ndarray  #: the examples' (integer) weights as float64
    w: np.ndarray  #: every class's fixed-point boosting weights, int64 (n_classes, n_rows)


def _boost_chunk(packed, y_enc, sw, d, class_w):
    """A chunk's :class:`_BoostChunk`, with every class's starting weights
    (:func:`lutlearn.core.kernels.boost_init_weights`, as the in-memory kernel starts)."""
    A = np.ascontiguousarray(np.unpackbits(packed, axis=0, count=d))
    ptr, idx = kernels.ones_index(A)
    w0 = np.ones(len(y_enc)) if sw is None else np.asarray(sw, np.float64)
    total = float(class_w.sum())
    w = np.empty((len(class_w), len(y_enc)), np.int64)
    for c in range(len(class_w)):
        kernels.boost_init_weights(w0, (y_enc == c).astype(np.uint8), class_w[c], total - class_w[c], w[c])
    return _BoostChunk(A, ptr, idx, y_enc.astype(np.int64), w0, w)


def _boost_ones(chunk):
    """How many of a chunk's examples have each value set."""
    return np.diff(chunk.ptr)


def _boost_hist(chunk, chosen, s, cand, active):
    """A chunk's weight histograms of one boosting step (:func:`lutlearn.core.kernels.boost_histograms`)."""
    out = np.zeros((chunk.w.shape[0], 1 + cand.shape[1], 2 << s), np.int64)
    with _one_thread():
        kernels.boost_histograms(chunk.A, chunk.ptr, chunk.idx, chunk.y, chunk.w, chosen, s, cand, active, out)
    return out


def _boost_reweigh(chunk, wires, mult, scale, active):
    """The chunk with its weights updated once every active class's new lut (``wires[c]``) is added."""
    w = chunk.w.copy()
    key = np.empty(len(chunk.y), np.int64)
    for c in np.flatnonzero(active):
        kernels.boost_keys(chunk.A, (chunk.y == c).astype(np.uint8), wires[c], wires.shape[1], key)
        kernels.boost_reweigh(w[c], key, mult[c], scale[c])
    return chunk._replace(w=w)


def _boost_losses(chunk, wires, tables, off, total):
    """A chunk's fixed-point log-losses of the boosted scores at every softmax scale."""
    with _one_thread():
        scores = training.boost_scores(chunk.A, wires, tables, off)
    return training.proba_scale_losses(scores, chunk.y, chunk.w0, total)


# ----------------------------------------------------------------- validation


def _check_X(X, n_features: int | None = None):
    """``X`` as a 2-D Dask array with known row chunks and one chunk across features."""
    _, da = _import_dask()
    if not isinstance(X, da.Array):
        raise TypeError(
            f"expected a dask.array.Array, got {type(X).__name__}; convert a Dask DataFrame with "
            ".to_dask_array(lengths=True)"
        )
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features); got a Dask array of shape {X.shape}")
    if any(np.isnan(c) for c in X.chunks[0]):
        raise ValueError("X has unknown chunk sizes; call X.compute_chunk_sizes() first")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X is empty (shape {X.shape})")
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(
            f"X has {X.shape[1]} features, but LutNetworkClassifier is expecting {n_features} features as input."
        )
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})
    return X


def _check_y(y, X, name: str = "y"):
    """``y`` (or another per-example array, ``name``) as a 1-D Dask array chunked like the rows of ``X``."""
    _, da = _import_dask()
    if not isinstance(y, da.Array):
        y = np.asarray(y)
        if y.ndim == 1 and y.shape[0] == X.shape[0]:
            y = da.from_array(y, chunks=(X.chunks[0],))
    if y.ndim != 1:
        raise ValueError(f"{name} must be 1-D (n_samples,); got shape {y.shape}")
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"X and {name} have different numbers of rows: {X.shape[0]} and {y.shape[0]}")
    if y.chunks[0] != X.chunks[0]:
        y = y.rechunk((X.chunks[0],))
    return y


def _classes(y) -> np.ndarray:
    """The sorted distinct labels, checked like the in-memory fit checks them."""
    from sklearn.utils.multiclass import check_classification_targets

    _, da = _import_dask()
    classes = np.unique(da.unique(y).compute())
    check_classification_targets(classes)
    if len(classes) < 2:
        raise ValueError(
            f"y has only one class ({classes[0]!r}); a classifier needs two classes to learn."
        )
    if len(classes) > MAX_CLASSES:
        raise ValueError(f"y has {len(classes)} classes; LutNetworkClassifier learns at most {MAX_CLASSES}.")
    return classes


# ----------------------------------------------------------------- fit


class DaskBackend:
    """Training data on a Dask cluster, for :func:`lutlearn.core.training.train`.

    Every layer is a map-reduce: each row chunk counts, for every lut, the
    examples of each class per pattern (:func:`lutlearn.core.kernels.count_layer`
    on packed bits); the counts are summed by a tree reduction and the
    tables chosen once, on the client (:func:`lutlearn.core.kernels.choose_layer`,
    the rule :func:`~lutlearn.core.kernels.fit_layer` applies); then each chunk
    computes the layer's packed values, persisted in the workers' memory as
    the next layer's inputs.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features)
        Checked by :func:`_check_X`.
    y : dask.array.Array of shape (n_samples,)
        Labels chunked like the rows of ``X``.
    """

    name = ", Dask"

    sw = None  # integer sample weights chunked like the rows (set_weights), or None
    verbose = 0  # > 0: progress lines on standard error while the boosted layer grows

    def __init__(self, X, y):
        dask, da = _import_dask()
        self._dask, self._da = dask, da
        n, d = X.shape
        self.n_samples = n
        self.n_features = d
        self.width = d  # the number of values per example in self.state
        self.rows = X.chunks[0]
        # One pass over the source: the packed inputs and the raw labels are
        # persisted together (they share the chunk reads), then the labels are
        # checked and encoded from memory.
        state = X.T.map_blocks(_pack_inputs, dtype=np.uint8, chunks=((-(-d // 8),), self.rows))
        self.state, y = dask.persist(state, y)
        self.classes = _classes(y)
        self.n_classes = len(self.classes)
        self.y_enc = y.map_blocks(_encode_labels, self.classes, dtype=np.uint8).persist()

    def set_weights(self, sample_weight, class_weights: np.ndarray | None) -> int:
        """Weigh the examples: ``sample_weight`` (None, or a Dask array chunked like the rows) times the class weights.

        Checks the weights and turns them into the integers the kernels count
        by the rule of :mod:`lutlearn.core.training` (the same integers as in
        memory); returns the scale ``shift`` (0 for whole-number weights).
        """
        w = self._da.map_blocks(_class_weight_block, sample_weight, self.y_enc, class_weights, dtype=np.float64) \
            if sample_weight is not None else self.y_enc.map_blocks(
                lambda y, cw: _class_weight_block(None, y, cw), class_weights, dtype=np.float64)
        w = w.persist()
        stats = w.map_blocks(_weight_stats, chunks=((1,) * len(self.rows), (5,)), new_axis=1,
                             meta=np.empty((0, 0))).compute()
        finite = bool(stats[:, 0].all())
        check_weight_stats(finite, float(stats[:, 1].min()), float(stats[:, 2].max()))
        w_max, integral, total = float(stats[:, 2].max()), bool(stats[:, 3].all()), float(stats[:, 4].sum())
        shift = weight_shift(self.n_samples, w_max, integral, total)
        self.sw = w.map_blocks(integer_weights, shift, dtype=np.int32).persist()
        if not self.sw.any().compute():
            raise ValueError("sample_weight: every weight rounds to zero; give weights of comparable sizes.")
        return shift or 0

    def _counts(self, wires: np.ndarray) -> np.ndarray:
        """Class counts ``(n_luts, 2**k, C)`` of luts wired to the current layer, summed over all chunks."""
        width, k = wires.shape
        size = width * (1 << k) * self.n_classes
        extra = () if self.sw is None else (self.sw,)
        sums = self._da.map_blocks(
            _count_block, self.state, self.y_enc, self._dask.delayed(wires), self.n_classes, *extra,
            chunks=((size,), (1,) * len(self.rows)), meta=np.empty((0, 0), np.int64),
        ).sum(axis=1).compute()
        return np.ascontiguousarray(sums.reshape(width, 1 << k, self.n_classes))

    def class_totals(self) -> np.ndarray:
        if self.sw is None:
            return self._da.bincount(self.y_enc, minlength=self.n_classes).compute().astype(np.int64)
        # float64 sums of integers below 2**31 each, in total below 2**53: exact
        totals = self._da.bincount(self.y_enc, weights=self.sw, minlength=self.n_classes).compute()
        return totals.astype(np.int64)

    def input_counts(self) -> np.ndarray:
        return self._counts(np.arange(self.n_features, dtype=np.int32)[:, None])

    def _chunk_sums(self, fn, chunks, *args) -> np.ndarray:
        """``fn(chunk, *args)`` on every chunk, added up on the client (integers: in any order, the same sums)."""
        dask = self._dask
        args = [dask.delayed(a) if isinstance(a, np.ndarray) else a for a in args]
        return sum(dask.compute(*[dask.delayed(fn)(c, *args) for c in chunks]))

    def boost_layer(self, layer: int, n_luts: int, k: int, seed: int, n_candidates: int | None, output_bits: int = 1,
                    learning_rate: float = 1.0):
        """The boosted output layer (:func:`lutlearn.core.training.boost_layer`'s results) grown on the cluster.

        Every class's ``t``-th lut is grown at once, one map-reduce per
        input: each chunk adds its examples' fixed-point weights per key for
        every candidate input (:func:`lutlearn.core.kernels.boost_histograms`),
        the client sums the chunks and picks the input
        (:func:`~lutlearn.core.kernels.boost_choose`), and after the ``k``-th
        input the table (:func:`~lutlearn.core.kernels.boost_finish`); each
        chunk then updates its weights. The weights are integers, so the
        sums are exact and the layer is the one the in-memory fit grows, bit
        for bit; ``output_k + 2`` rounds per lut of a class. While the layer
        grows, every chunk keeps its layer values unpacked, an index of
        their ones and every class's weights in the workers' memory (about
        ``n_values + 4 * ones + 8 * n_classes`` bytes per example).
        """
        dask = self._dask
        d, C, n = self.width, self.n_classes, self.n_samples
        class_w = self.class_totals().astype(np.float64)
        blocks = zip(self.state.to_delayed().ravel(), self.y_enc.to_delayed().ravel(),
                     [None] * len(self.rows) if self.sw is None else self.sw.to_delayed().ravel())
        chunks = dask.persist(*[dask.delayed(_boost_chunk)(p, y, sw, d, class_w) for p, y, sw in blocks])
        ones = self._chunk_sums(_boost_ones, chunks)
        plan = training.boost_plan(ones, n, C, layer, n_luts, k, seed, n_candidates, output_bits, learning_rate)
        wires = np.empty((n_luts, k), np.int32)
        tables = np.empty((n_luts, 1 << k), np.uint8)
        errors = np.empty(n_luts)
        sizes = np.diff(plan.off)
        t0, T = time.perf_counter(), int(sizes.max())
        for t in range(T):
            if self.verbose and t and (t % max(1, T // 10) == 0):
                print(f"[lutlearn] layer {layer}: boosted luts {t}/{T} of every class "
                      f"({time.perf_counter() - t0:.1f} s, Dask)", file=sys.stderr)
            active = (sizes > t).astype(np.uint8)
            rows = np.flatnonzero(active)
            cand = np.zeros((C, plan.cand.shape[1]), np.int64)
            cand[rows] = plan.cand[plan.off[rows] + t]
            chosen = np.zeros((C, k), np.int64)
            for s in range(k + 1):  # the k inputs, then the table
                H = self._chunk_sums(_boost_hist, chunks, chosen, s, cand if s < k else cand[:, :0], active)
                if s < k:
                    for c in rows:
                        chosen[c, s] = kernels.boost_choose(H[c, 0], H[c, 1:], cand[c], chosen[c], s, plan.q)
            mult = np.ones((C, 2 << k))
            scale = np.ones(C)
            for c in rows:
                j = plan.off[c] + t
                errors[j], scale[c] = kernels.boost_finish(H[c, 0], k, plan.q, plan.delta, float(learning_rate),
                                                           plan.factors, 0.5 / n, tables[j], mult[c])
                wires[j] = chosen[c]
            chunks = dask.persist(*[dask.delayed(_boost_reweigh)(c, chosen, mult, scale, active) for c in chunks])
        losses = self._chunk_sums(_boost_losses, chunks, wires, tables, plan.off, float(class_w.sum()))
        proba_scale = float(training.PROBA_SCALES[np.argmin(losses)])
        return wires, tables, 1.0 - errors, training.boost_counts(tables, plan.off), proba_scale

    def fit_layer(self, layer, wires, side, weights, n_slots, seed, needed, keep_counts):
        """Count, choose the tables, and (unless no lut is needed) move on to the layer's packed values."""
        counts = self._counts(wires)
        tables = np.empty((wires.shape[0], counts.shape[1]), np.uint8)
        correct = np.empty(wires.shape[0], np.int64)
        kernels.choose_layer(counts, side, weights, n_slots, seed, layer, tables, correct)
        if needed.any():
            nxt = self.state.map_blocks(
                _next_block, self._dask.delayed(wires), self._dask.delayed(tables),
                chunks=((-(-wires.shape[0] // 8),), self.rows), meta=np.empty((0, 0), np.uint8),
            )
            self.state = nxt.persist()  # the previous layer is released once nothing refers to it
            self.width = wires.shape[0]
        return tables, correct, counts if keep_counts else None


def fit_dask(clf, X, y, sample_weight=None):
    """Fit ``clf`` (a :class:`~lutlearn.LutNetworkClassifier`) on row-chunked Dask arrays.

    Runs on the Dask scheduler in use (the active ``distributed.Client``, if
    any). The fitted model is bit-identical to the one the in-memory ``fit``
    gives on the same data with the same ``random_state``: the same trainer
    (:func:`lutlearn.core.training.train`) runs over a :class:`DaskBackend`.
    Called by ``LutNetworkClassifier.fit`` when ``X`` is a Dask array.

    Parameters
    ----------
    clf : LutNetworkClassifier
        The estimator to fit (its parameters already validated).
    X : dask.array.Array of shape (n_samples, n_features)
        Boolean inputs, chunked by rows. Values are checked chunk by chunk.
    y : dask.array.Array or array-like of shape (n_samples,)
        Class labels: two values for the paper's network, more (or
        ``n_output_luts`` set) for the multi-class design, whose counts are
        reduced the same way.
    sample_weight : dask.array.Array, array-like of shape (n_samples,) or None
        Example weights (times ``clf.class_weight``), counted as in memory.

    Returns
    -------
    clf : LutNetworkClassifier
        The fitted estimator.

    Notes
    -----
    ``clf.n_jobs`` is not used on the workers: each task runs the kernels on
    one thread, and Dask's worker threads are the parallelism. Choosing the
    tables on the client uses ``clf.n_jobs`` threads.
    """
    if clf.wiring == "greedy":
        raise ValueError("wiring='greedy' needs the training data in memory; on Dask use wiring='random' or "
                         "'boosted' (or fit on X.compute())")
    X = _check_X(X)
    y = _check_y(y, X)
    if sample_weight is not None:
        sample_weight = _check_y(sample_weight, X, "sample_weight")
    backend = DaskBackend(X, y)
    backend.verbose = clf.verbose
    del y
    classes, n_features = backend.classes, backend.n_features
    arch = clf._architecture(n_features, len(classes), backend.n_samples)
    shift = 0
    if sample_weight is not None or clf.class_weight is not None:
        cw = clf._class_weights(classes, backend.class_totals())
        shift = backend.set_weights(sample_weight, cw)
    seed = clf._draw_seed()
    with numba_threads(clf.n_jobs):
        network = train(arch, backend, seed, clf.verbose, shift, clf.wiring, clf.wiring_candidates, clf.output_bits,
                        clf.learning_rate)
    del backend  # releases the persisted layer values and labels
    return clf._set_network(network, classes, n_features)


# ----------------------------------------------------------------- predict


def _single_threaded_copy(clf):
    """A shallow copy of a fitted estimator whose kernels use one thread (for worker tasks)."""
    c = copy.copy(clf)
    c.n_jobs = 1
    return c


def predict_dask(clf, X, method: str = "predict"):
    """Lazy predictions of a fitted estimator on a row-chunked Dask array.

    Every chunk runs through the in-memory ``predict`` (or ``predict_proba``)
    on a worker, so the results equal the in-memory ones exactly. The model is
    sent to the workers once, not once per chunk. Called by
    ``LutNetworkClassifier.predict`` and ``predict_proba`` when ``X`` is a
    Dask array.

    Parameters
    ----------
    clf : LutNetworkClassifier
        A fitted estimator.
    X : dask.array.Array of shape (n_samples, n_features)
        Boolean inputs, chunked by rows.
    method : {"predict", "predict_proba", "predict_log_proba", "decision_function"}, default="predict"

    Returns
    -------
    dask.array.Array
        Of shape (n_samples,) for ``predict`` (and two-class
        ``decision_function``), (n_samples, n_classes) for the others; call
        ``.compute()`` to get NumPy results.
    """
    from sklearn.utils.validation import check_is_fitted

    dask, _ = _import_dask()
    check_is_fitted(clf)
    X = _check_X(X, clf.n_features_in_)
    model = dask.delayed(_single_threaded_copy(clf), pure=True)
    if method == "predict":
        return X.map_blocks(
            _call, model, method, drop_axis=1, meta=np.empty((0,), dtype=clf.classes_.dtype)
        )
    if method == "decision_function" and len(clf.classes_) == 2:
        return X.map_blocks(_call, model, method, drop_axis=1, meta=np.empty((0,), dtype=np.float64))
    if method in ("predict_proba", "predict_log_proba", "decision_function"):
        return X.map_blocks(
            _call, model, method, chunks=(X.chunks[0], (len(clf.classes_),)),
            meta=np.empty((0, 0), dtype=np.float64),
        )
    raise ValueError(
        f"method must be 'predict', 'predict_proba', 'predict_log_proba' or 'decision_function', not {method!r}"
    )


def _call(block, model, method):
    return getattr(model, method)(block)


def score_dask(clf, X, y) -> float:
    """Accuracy of a fitted estimator on Dask arrays, computed on the cluster (only a scalar comes back)."""
    X = _check_X(X, clf.n_features_in_)
    y = _check_y(y, X)
    return float((predict_dask(clf, X) == y).mean().compute())


# ----------------------------------------------------------------- chunked data
# The readers live in lutlearn.datasets.io; these names stay importable from here.
from lutlearn.datasets.io import is_chunked_source, read_chunked, read_npy_chunks, read_zarr  # noqa: E402, F401

# ----------------------------------------------------------------- clusters and sweeps


@contextlib.contextmanager
def dask_client(spec: str, memory_limit: str | int | None = "auto", **cluster_kwargs) -> Iterator[Any]:
    """A ``distributed.Client`` for a ``--dask`` option value, closed on exit.

    Parameters
    ----------
    spec : str
        ``local:N`` starts a local cluster of ``N`` worker processes with one
        thread each (listening on 127.0.0.1 only); anything else is a
        scheduler address such as ``tcp://scheduler:8786``, whose workers
        need lutlearn installed and the data paths reachable.
    memory_limit : str or int, default="auto"
        Memory limit of each local worker (``"auto"``: the machine's memory
        split evenly). Ignored for a remote scheduler.
    **cluster_kwargs
        More ``distributed.LocalCluster`` arguments for ``local:N``.
    """
    distributed = _import_distributed()
    m = re.fullmatch(r"local(?::(\d+))?", spec.strip())
    if m:
        n_workers = int(m.group(1) or os.cpu_count() or 1)
        if n_workers < 1:
            raise ValueError(f"--dask {spec}: a local cluster needs at least one worker")
        kwargs = dict(
            n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address="127.0.0.1:0", memory_limit=memory_limit,
            # a failing task's error reaches the caller as an exception: no worker traceback in the log as well
            silence_logs=logging.CRITICAL,
        )
        kwargs.update(cluster_kwargs)
        with distributed.LocalCluster(**kwargs) as cluster, distributed.Client(cluster) as client:
            yield client
        return
    if "://" not in spec and ":" not in spec:
        raise ValueError(
            f"--dask {spec!r}: give a scheduler address like tcp://host:8786, or local:N for a local cluster"
        )
    try:
        client = distributed.Client(spec, timeout="20s")
    except OSError as exc:
        raise ValueError(f"cannot reach the Dask scheduler at {spec}: {exc}") from None
    with client:
        yield client
