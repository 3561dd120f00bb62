"""Scaling out on Dask: training and prediction on row-chunked data, and sweeps over a cluster.

Training a lut network is a map-reduce, layer by layer: every row chunk counts,
for each lut, how many examples of each class present each pattern; the
counts of all chunks are added by a tree sum; the tables are chosen once, on
the client, by :func:`lutlearn.kernels.choose_layer` (which picks exactly
what :func:`~lutlearn.kernels.fit_layer` picks, ties included); then every
chunk computes its values of the new layer, which are the inputs of the
next. Counts are integers, so their sum does not depend on how the rows are
chunked or in which order chunks are added: with the same seed and data,
:func:`fit_dask` gives a model bit-identical to the in-memory
:meth:`LutNetworkClassifier.fit <lutlearn.LutNetworkClassifier.fit>`
(wiring, tables, tie-breaks, per-lut accuracies, output counts). The
multi-class design (:mod:`lutlearn.multiclass`) is trained the same way:
its hidden luts' tables come from the summed class counts by
:func:`~lutlearn.kernels_multiclass.choose_dichotomy_layer` (the rule of
``fit_dichotomy_layer``), its output luts keep the summed counts.

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
:mod:`lutlearn.kernels_packed` read and write packed bits in place. A task
on a chunk of ``m`` rows holds about ``m * (n_prev + width) / 8`` bytes of
layer values, ``4 * m`` bytes of pattern indices and its counts
(``width * 2**k * n_classes * 8`` bytes), so chunks of 10**5 to 10**6 rows
suit workers of a few GiB. Each task runs the kernels on one thread: Dask's
worker threads are the parallelism (start workers with one thread per core).

Sweeps
------
:func:`map_runs` runs independent experiment runs on a cluster and returns
their results in order; :func:`dask_client` opens the cluster that a
``--dask`` option names (``local:N`` or a scheduler address).

Dask, Distributed and Zarr are optional: ``pip install "lutlearn[dask]"``.
"""

from __future__ import annotations

import contextlib
import copy
import os
import re
import sys
import threading
import time
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from lutlearn import kernels, kernels_packed
from lutlearn._validation import as_bits

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
    from lutlearn.network import _numba_threads

    lock = contextlib.nullcontext() if _kernels_threadsafe() else _WORKQUEUE_LOCK
    with lock, _numba_threads(1):
        yield


def _pack_inputs(block: np.ndarray) -> np.ndarray:
    """A chunk of inputs ``(n_features, n_rows)`` checked to be 0/1 and bit-packed along features."""
    return np.packbits(as_bits(block), axis=0)


def _encode_labels(block: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Class indices (uint8) of a chunk of labels."""
    return np.searchsorted(classes, block).astype(np.uint8)


def _count_block(packed, y_enc, wires, n_prev, n_classes, inputs):
    """Counts of one chunk as an int64 column: the layer's counts, then (layer 1) input statistics.

    ``inputs`` is None (no input statistics), ``"agree"`` (per input bit, the
    examples whose label it equals: the paper's network) or ``"counts"``
    (per input bit, class counts of its two values: the voting design).
    """
    with _one_thread():
        counts = kernels_packed.count_layer_packed(packed, y_enc, wires, n_classes).ravel()
        if inputs == "counts":
            single = np.arange(n_prev, dtype=np.int32)[:, None]
            extra = kernels_packed.count_layer_packed(packed, y_enc, single, n_classes).ravel()
            counts = np.concatenate([counts, extra])
    if inputs == "agree":
        A = np.unpackbits(packed, axis=0, count=n_prev)
        agree = (A == y_enc).sum(axis=1, dtype=np.int64)
        counts = np.concatenate([counts, agree])
    return counts[:, None]


def _next_block(packed, wires, tables):
    """The next layer's bit-packed values on one chunk."""
    out = np.empty((-(-wires.shape[0] // 8), packed.shape[1]), np.uint8)
    with _one_thread():
        kernels_packed.predict_layer_packed(packed, wires, tables, out)
    return out


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


def _check_y(y, X):
    """``y`` as a 1-D Dask array chunked like the rows of ``X``."""
    _, da = _import_dask()
    if not isinstance(y, da.Array):
        y = np.asarray(y)
        if y.ndim == 1 and y.shape[0] == X.shape[0]:
            y = da.from_array(y, chunks=(X.chunks[0],))
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D (n_samples,); got shape {y.shape}")
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"X and y have different numbers of rows: {X.shape[0]} and {y.shape[0]}")
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
    from lutlearn.multiclass import MAX_CLASSES

    if len(classes) > MAX_CLASSES:
        raise ValueError(f"y has {len(classes)} classes; LutNetworkClassifier learns at most {MAX_CLASSES}.")
    return classes


# ----------------------------------------------------------------- fit


def fit_dask(clf, X, y):
    """Fit ``clf`` (a :class:`~lutlearn.LutNetworkClassifier`) on row-chunked Dask arrays.

    Runs on the Dask scheduler in use (the active ``distributed.Client``, if
    any). The fitted model is bit-identical to the one the in-memory ``fit``
    gives on the same data with the same ``random_state``. Called by
    ``LutNetworkClassifier.fit`` when ``X`` is a Dask array.

    Parameters
    ----------
    clf : LutNetworkClassifier
        The estimator to fit (its parameters already validated).
    X : dask.array.Array of shape (n_samples, n_features)
        Boolean inputs, chunked by rows. Values are checked chunk by chunk.
    y : dask.array.Array or array-like of shape (n_samples,)
        Class labels: two values for the paper's network, more (or
        ``n_output_luts`` set) for the multi-class design of
        :mod:`lutlearn.multiclass`, whose counts are reduced the same way.

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
    dask, da = _import_dask()
    from sklearn.utils import check_random_state

    from lutlearn.kernels_multiclass import choose_dichotomy_layer
    from lutlearn.multiclass import random_dichotomies
    from lutlearn.network import _numba_threads, random_wiring

    X = _check_X(X)
    y = _check_y(y, X)
    n, d = X.shape
    rows = X.chunks[0]
    # One pass over the source: the packed inputs and the raw labels are
    # persisted together (they share the chunk reads), then the labels are
    # checked and encoded from memory.
    state = X.T.map_blocks(_pack_inputs, dtype=np.uint8, chunks=((-(-d // 8),), rows))
    state, y = dask.persist(state, y)
    classes = _classes(y)
    n_classes = len(classes)
    voting = clf._voting(n_classes)
    widths, ks = clf._architecture(d, n_classes)
    y_enc = y.map_blocks(_encode_labels, classes, dtype=np.uint8).persist()
    del y

    rs = check_random_state(clf.random_state)
    seed = int(rs.randint(0, np.iinfo(np.int64).max, dtype=np.int64))
    rng = np.random.default_rng(seed)

    wires_, tables_, accuracy, dichotomies = [], [], [], []
    n_layers = len(ks)
    for layer in range(1, n_layers + 1):
        t0 = time.perf_counter()
        width, kl, n_prev = widths[layer], ks[layer - 1], widths[layer - 1]
        wires = random_wiring(rng, width, n_prev, kl)
        hidden_voting = voting and layer < n_layers
        targets = random_dichotomies(rng, width, n_classes) if hidden_voting else None
        size = width * (1 << kl) * n_classes
        inputs = None if layer > 1 else "counts" if voting else "agree"
        extra = {None: 0, "agree": d, "counts": 2 * d * n_classes}[inputs]
        sums = da.map_blocks(
            _count_block, state, y_enc, dask.delayed(wires), n_prev, n_classes, inputs,
            chunks=((size + extra,), (1,) * len(rows)), meta=np.empty((0, 0), np.int64),
        ).sum(axis=1).compute()
        counts = np.ascontiguousarray(sums[:size].reshape(width, 1 << kl, n_classes))
        if inputs == "agree":
            accuracy.append(sums[size:] / n)
        elif inputs == "counts":  # as multiclass.input_accuracy: each input bit as a 1-input lut
            accuracy.append(sums[size:].reshape(d, 2, n_classes).max(axis=2).sum(axis=1) / n)
        if layer == 1:
            class_totals = counts[0].sum(axis=0)  # every example presents some pattern to lut 0
        with _numba_threads(clf.n_jobs):
            if hidden_voting:
                tables, correct = choose_dichotomy_layer(counts, targets, class_totals, seed, layer)
                dichotomies.append(targets)
            else:
                tables, correct = kernels.choose_layer(counts, seed, layer)
        wires_.append(wires)
        tables_.append(tables)
        accuracy.append(correct / n)
        if layer == n_layers:
            output_counts = counts.astype(np.int32) if voting else counts[0]
        else:
            nxt = state.map_blocks(
                _next_block, dask.delayed(wires), dask.delayed(tables),
                chunks=((-(-width // 8),), rows), meta=np.empty((0, 0), np.uint8),
            )
            state = nxt.persist()  # the previous layer is released once nothing refers to it
        if clf.verbose:
            kind = "voting output luts" if voting and layer == n_layers else "dichotomy luts" if hidden_voting else "luts"
            print(
                f"[lutlearn] layer {layer}/{n_layers}: {width} {kind}, k={kl}, "
                f"training accuracy mean {accuracy[-1].mean():.4f} max {accuracy[-1].max():.4f} "
                f"({time.perf_counter() - t0:.2f} s, Dask)",
                file=sys.stderr,
            )
    del state, y_enc

    for stale in ("feature_names_in_", "dichotomies_", "_vote"):  # from an earlier fit
        if hasattr(clf, stale):
            delattr(clf, stale)
    if voting:
        clf.dichotomies_ = dichotomies
    clf.n_features_in_ = d
    clf.classes_ = classes
    clf.seed_ = seed
    clf.wires_, clf.tables_ = wires_, tables_
    clf.lut_accuracy_ = accuracy
    clf.output_counts_ = output_counts
    clf._finish()
    return clf


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
    method : {"predict", "predict_proba"}, default="predict"

    Returns
    -------
    dask.array.Array
        Of shape (n_samples,) for ``predict``, (n_samples, n_classes) for
        ``predict_proba``; call ``.compute()`` to get NumPy results.
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
    if method == "predict_proba":
        return X.map_blocks(
            _call, model, method, chunks=(X.chunks[0], (len(clf.classes_),)),
            meta=np.empty((0, 0), dtype=np.float64),
        )
    raise ValueError(f"method must be 'predict' or 'predict_proba', not {method!r}")


def _call(block, model, method):
    return getattr(model, method)(block)


def score_dask(clf, X, y) -> float:
    """Accuracy of a fitted estimator on Dask arrays, computed on the cluster (only a scalar comes back)."""
    X = _check_X(X, clf.n_features_in_)
    y = _check_y(y, X)
    return float((predict_dask(clf, X) == y).mean().compute())


# ----------------------------------------------------------------- chunked data
# The readers live in lutlearn.io; these names stay importable from here.
from lutlearn.io import is_chunked_source, read_chunked, read_npy_chunks, read_zarr  # noqa: E402, F401


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


def map_runs(
    func: Callable[..., Any],
    kwargs_list: Sequence[dict],
    client=None,
    desc: str = "runs",
    progress: bool = True,
) -> list:
    """Run ``func(**kwargs)`` for every entry of ``kwargs_list``, spread over a Dask cluster.

    For experiment sweeps (``lutlearn reproduce``, ``lutlearn memorization``):
    each run is independent, so each becomes one task. Results come back in
    the order of ``kwargs_list``, whatever order the runs finish in. The
    first run that fails raises its exception here (the others are
    cancelled).

    Parameters
    ----------
    func : callable
        A module-level function (workers must be able to import it; lutlearn
        must be installed on every worker). It should load its own data
        (e.g. with :func:`lutlearn.datasets.get_task` and a ``data_home``
        every worker can read) rather than receive large arrays.
    kwargs_list : sequence of dict
        Keyword arguments of each run.
    client : distributed.Client or None, default=None
        The cluster to use; None runs everything here, one run after another
        (no Dask needed).
    desc : str, default="runs"
        Label of the progress bar.
    progress : bool, default=True
        Show a tqdm progress bar on stderr.

    Returns
    -------
    list
        ``[func(**kw) for kw in kwargs_list]``, computed on the cluster.

    Examples
    --------
    >>> from lutlearn.scale import map_runs, dask_client  # doctest: +SKIP
    >>> with dask_client("local:2") as client:  # doctest: +SKIP
    ...     results = map_runs(run_one, [{"seed": s} for s in range(10)], client)
    """
    from tqdm.auto import tqdm

    kwargs_list = list(kwargs_list)
    bar = tqdm(total=len(kwargs_list), desc=desc, disable=not progress, file=sys.stderr)
    with bar:
        if client is None:
            results = []
            for kw in kwargs_list:
                results.append(func(**kw))
                bar.update(1)
            return results
        distributed = _import_distributed()
        futures = [client.submit(func, pure=False, **kw) for kw in kwargs_list]
        try:
            for fut in distributed.as_completed(futures):
                if fut.status == "error":
                    fut.result()  # raises the run's exception
                bar.update(1)
            return client.gather(futures)
        finally:
            client.cancel([f for f in futures if not f.done()])
