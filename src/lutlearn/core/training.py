"""Training: the architecture a set of parameters means, and the one layer loop that fills a :class:`LutNetwork`.

Training is the same for every design and backend. The wiring of every
layer (and, for the multi-class design, the class split of every hidden lut)
is drawn first from the seed; then layer by layer each lut counts, per
pattern, the training examples of each of its slots and keeps the winner
(the rule of :mod:`lutlearn.core.kernels`), and its outputs on the training set
become the next layer's inputs. A *backend* does the counting where the data
lives: :class:`InMemoryBackend` (NumPy arrays, the fused
:func:`lutlearn.core.kernels.fit_layer`) or :class:`lutlearn.core.scale.DaskBackend`
(counts map-reduced over row chunks, then the tables chosen once). Both
give the same network, bit for bit. With ``wiring="greedy"`` (chosen
support, :func:`greedy_wiring`; two classes, in memory) a layer's wiring is
instead chosen on the data once the layer below's training values exist.

Two designs:

The paper's network (two classes)
    Every lut's slots are the two classes (``side = [0, 1]``, weights
    ``(1, 1)``): it remembers the majority class of each pattern. One output
    lut (:class:`lutlearn.core.model.MajorityHead`).

The multi-class design (more than two classes, or ``n_output_luts`` set)
    Each hidden lut gets its own random, balanced split of the classes into
    two sides (like the columns of an error-correcting output code) and
    remembers, per pattern, the side that presents it more often *relative
    to the side's size* (weights ``(n0, n1)``); its output is that side, a
    bit. ``n_output_luts`` output luts keep the class counts of every pattern
    and vote (:class:`lutlearn.core.model.VoteHead`). On 10-class MNIST (pixel >
    127) output luts voting on the pixels directly reach about 0.90 test
    accuracy; one hidden layer of split luts lifts it to about 0.94, a second
    lowers it again (the documentation's "Multi-class and encoders" page). In
    exploratory runs one-vs-rest targets did about as well as random balanced
    splits, and summing class frequencies instead of log-likelihoods did
    clearly worse; random balanced splits suit any number of classes.

Ties, including patterns never seen, are broken by the hash of ``(seed,
layer, lut, pattern)``, so a table depends only on the data, the seed and its
position, never on thread count, chunking or backend.

Sample weights (``fit(X, y, sample_weight)``, and ``class_weight``) make
every count a weighted count, in every design and backend. The kernels count
integers, so weights are turned into integers first
(:func:`weight_shift`, :func:`integer_weights`):

* whole-number weights summing to less than ``2**31`` are counted as they
  are: a weight of 3 counts an example three times, exactly as if it were
  repeated (0 drops it);
* any other weights are scaled by ``2**s`` and rounded to the nearest
  integer (half to even), with ``s`` the largest integer such that
  ``n_samples * max(weight) * 2**s <= 2**30``: a resolution of
  ``2**-30 / n_samples`` of the largest weight, and every count fits the
  kernels' int32 histograms. ``s`` depends only on the largest weight and
  the number of examples, so the integers (and the model) are the same
  whatever ``n_jobs``, chunking or backend. The output head keeps ``s``
  (counts are in units of ``2**-s``), so the voting luts' smoothing is in
  units of one unit of weight.

Per-lut training accuracies are then weighted: correct weight over total
weight. Without weights nothing of this runs (the kernels' fast path).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import math
import sys
import time
import warnings
from dataclasses import dataclass
from numbers import Integral
from typing import NamedTuple, Protocol

import numpy as np

from lutlearn.core import _workspace, kernels
from lutlearn.core._validation import check_memory
from lutlearn.core.model import LutNetwork, MajorityHead, VoteHead

__all__ = [
    "Architecture", "BINARY_DEFAULTS", "BOOSTED_DEFAULTS", "BoostPlan", "DEFAULTS", "InMemoryBackend", "MAX_CLASSES",
    "MAX_HIDDEN_LAYERS", "MAX_K", "PROBA_SCALES", "UnseenPatternsWarning", "WIRINGS", "auto_k", "boost_candidates",
    "boost_counts", "boost_layer", "boost_plan", "boost_scores", "expecting_unseen_patterns", "effective_params",
    "example_folds", "example_hashes", "fit_proba_scale", "greedy_wiring", "input_accuracy", "luts_per_class",
    "proba_scale_losses", "resolve_auto", "integer_weights", "interaction_subsets", "pack_columns",
    "random_dichotomies", "random_wiring", "train", "weight_shift", "weight_planes",
]

#: Largest lut width accepted: a table has ``2**k`` entries per lut.
MAX_K = 24

#: At most this many hidden layers (the paper's network has 5), checked before anything is built.
MAX_HIDDEN_LAYERS = 100_000

#: At most this many classes: tables store class indices as uint8.
MAX_CLASSES = 255

#: The two-class network's defaults (the paper's), used where a parameter is None.
BINARY_DEFAULTS = {"k": 8, "hidden_layers": (1024,) * 5, "output_k": None, "n_output_luts": 1}

#: The multi-class network's defaults, used where a parameter is None.
DEFAULTS = {"k": 6, "hidden_layers": (2048,), "output_k": 12, "n_output_luts": 256}

#: The boosted design's defaults (``wiring="boosted"``): output luts of 6 inputs on the input bits,
#: :data:`BOOSTED_LUTS_PER_CLASS` of them per class.
BOOSTED_DEFAULTS = {"k": 6, "hidden_layers": (), "output_k": 6}

#: ``wiring="boosted"`` with ``n_output_luts=None``: this many output luts per class.
BOOSTED_LUTS_PER_CLASS = 64

#: ``wiring="boosted"`` with ``wiring_candidates=None``: each lut chooses among this many inputs of the layer below.
BOOSTED_CANDIDATES = 256

PARAMS = ("k", "hidden_layers", "output_k", "n_output_luts")

#: How luts pick their inputs: at random (the paper's), chosen greedily on the data (:func:`greedy_wiring`),
#: or grown by boosting (:func:`boost_layer`).
WIRINGS = ("random", "greedy", "boosted")


#: The kernels count in int32: integer weights are counted exactly while their total stays below this.
MAX_TOTAL_WEIGHT = 2**31 - 1

#: Scaled (fractional) weights: ``n_samples * max(weight)`` is scaled to at most ``2**WEIGHT_BITS``.
WEIGHT_BITS = 30


def check_sample_weight(sample_weight, n_samples: int) -> np.ndarray:
    """``sample_weight`` as float64 of shape ``(n_samples,)``; ValueError if not finite, negative or all zero."""
    try:
        w = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("sample_weight must be numbers (one non-negative weight per example).") from None
    if w.ndim == 0:
        w = np.full(n_samples, float(w))
    if w.shape != (n_samples,):
        raise ValueError(f"sample_weight has shape {w.shape}; expected ({n_samples},), one weight per example.")
    check_weight_stats(bool(np.isfinite(w).all()), float(w.min(initial=0)), float(w.max(initial=0)))
    return w


def check_weight_stats(finite: bool, w_min: float, w_max: float) -> None:
    """The checks of :func:`check_sample_weight` from the weights' summary (also used on Dask)."""
    if not finite:
        raise ValueError("sample_weight must be finite (no NaN or infinity).")
    if w_min < 0:
        raise ValueError(f"sample_weight must be non-negative; got a weight of {w_min:g}.")
    if w_max <= 0:
        raise ValueError("sample_weight is all zero: at least one example must have a positive weight.")
    if w_max < sys.float_info.min:
        raise ValueError(f"sample_weight: the largest weight, {w_max:g}, is below the smallest normal float "
                         f"({sys.float_info.min:g}); scale the weights up (only their ratios matter).")


def weight_shift(n_samples: int, w_max: float, integral: bool, total: float) -> int | None:
    """How weights become the integers the kernels count (the rule in the module docstring).

    Returns None for whole-number weights summing to at most
    :data:`MAX_TOTAL_WEIGHT` (counted as they are), else ``s``: the weights
    are counted as ``round(w * 2**s)``.
    """
    if integral and total <= MAX_TOTAL_WEIGHT:
        return None
    product = float(n_samples) * w_max
    if math.isfinite(product):
        _, e = math.frexp(product)  # n * w_max <= 2**e
    else:  # huge finite weights (1e308): the same exponent, from the factors' (the product overflows)
        (m_n, e_n), (m_w, e_w) = math.frexp(float(n_samples)), math.frexp(w_max)
        e = e_n + e_w - (m_n * m_w < 0.5)
    return WEIGHT_BITS - e


def integer_weights(w: np.ndarray, shift: int | None) -> np.ndarray:
    """The int32 weights the kernels count: ``w`` itself (``shift`` None) or ``round(w * 2**shift)``."""
    if shift is None:
        return w.astype(np.int32)
    return np.rint(np.ldexp(w, shift)).astype(np.int32)


def quantize_sample_weight(w: np.ndarray) -> tuple[np.ndarray, int]:
    """Checked float64 weights as ``(int32 weights, shift)``; the head's counts are in units of ``2**-shift``."""
    with np.errstate(over="ignore"):  # a total beyond 1.8e308 is inf: more than any count, so weights are scaled
        total = float(w.sum())
    shift = weight_shift(len(w), float(w.max()), bool((w == np.floor(w)).all()), total)
    q = integer_weights(w, shift)
    if not q.any():
        raise ValueError("sample_weight: every weight rounds to zero; give weights of comparable sizes.")
    return q, shift or 0


def class_weight_vector(class_weight, classes: np.ndarray, class_counts: np.ndarray) -> np.ndarray | None:
    """The float64 weight of every class from a ``class_weight`` parameter (None if it is None).

    ``"balanced"``: ``n_samples / (n_classes * class_counts)``, as
    :func:`sklearn.utils.class_weight.compute_class_weight` computes it;
    a dict: the weight of each label it lists, 1 for the others.
    """
    if class_weight is None:
        return None
    if isinstance(class_weight, str):
        counts = np.asarray(class_counts)
        return int(counts.sum()) / (len(classes) * counts.astype(np.float64))
    unknown = [label for label in class_weight if label not in set(classes.tolist())]
    if unknown:
        raise ValueError(f"class_weight names labels that are not in y: {unknown!r} (y has {classes.tolist()!r}).")
    cw = np.ones(len(classes))
    for i, label in enumerate(classes.tolist()):
        if label in class_weight:
            cw[i] = float(class_weight[label])
    if not (np.isfinite(cw).all() and (cw >= 0).all()):
        raise ValueError(f"class_weight must hold finite, non-negative weights; got {class_weight!r}.")
    return cw


def is_voting(n_classes: int, n_output_luts: int | None, wiring: str | None = "random") -> bool:
    """Whether the parameters mean a design with class scores (voting or boosted output luts) rather than the
    paper's."""
    return n_classes > 2 or n_output_luts is not None or wiring == "boosted"


#: ``k="auto"``: the largest lut size whose ``2**k`` patterns get at least this many training examples each on average.
AUTO_EXAMPLES_PER_PATTERN = 16

#: ``predict`` warns (:class:`UnseenPatternsWarning`) when more than this share of the examples present an
#: output-lut pattern that training never showed.
UNSEEN_WARN = 0.25


class UnseenPatternsWarning(UserWarning):
    """The network's luts are too large for its training set: examples present patterns training never showed."""


@contextlib.contextmanager
def expecting_unseen_patterns():
    """Silence :class:`UnseenPatternsWarning` inside (also a decorator): for code that chooses large luts on
    purpose, such as the circuit search's full tables and the paper's and the memorization lab's sweeps."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnseenPatternsWarning)
        yield


def auto_k(n_samples: int, largest: int) -> int:
    """``k="auto"``: the largest ``k <= largest`` (at least 2) with ``2**k * AUTO_EXAMPLES_PER_PATTERN <= n_samples``
    (``k = floor(log2(n_samples / 16))``)."""
    k = int(np.floor(np.log2(max(n_samples, 1) / AUTO_EXAMPLES_PER_PATTERN))) if n_samples > 0 else 2
    return int(min(largest, max(2, k)))


def resolve_auto(params: dict, n_classes: int, n_samples: int) -> dict:
    """``params`` with ``k="auto"`` replaced by :func:`auto_k` of the default ``k`` for the design (and an unset
    ``output_k`` by :func:`auto_k` of its default)."""
    if params.get("k") != "auto":
        return params
    eff = effective_params(dict(params, k=None), n_classes)
    out = dict(params, k=auto_k(n_samples, int(eff["k"])))
    if params.get("output_k") is None and eff["output_k"] is not None:
        out["output_k"] = auto_k(n_samples, int(eff["output_k"]))
    return out


def effective_params(params: dict, n_classes: int = 2) -> dict:
    """``k``, ``hidden_layers``, ``output_k``, ``n_output_luts`` with None replaced by the defaults for
    ``n_classes`` (and for the boosted design, ``wiring="boosted"``)."""
    if params.get("wiring") == "boosted":
        defaults = dict(BOOSTED_DEFAULTS, n_output_luts=BOOSTED_LUTS_PER_CLASS * n_classes)
    elif is_voting(n_classes, params.get("n_output_luts")):
        defaults = DEFAULTS
    else:
        defaults = BINARY_DEFAULTS
    return {name: defaults[name] if params.get(name) is None else params[name] for name in PARAMS}


@dataclass(frozen=True)
class Architecture:
    """The shape of a network: units per layer and lut sizes, checked.

    Attributes
    ----------
    widths : tuple of int
        Units per layer: the input first, the output luts last.
    ks : tuple of int
        Lut size of every lut layer.
    n_classes : int
    voting : bool
        The multi-class design (voting output luts) rather than the paper's.
    """

    widths: tuple
    ks: tuple
    n_classes: int
    voting: bool

    @classmethod
    def from_params(cls, params: dict, n_features: int, n_classes: int = 2) -> "Architecture":
        """The architecture the estimator's parameters mean for this data; ValueError if it cannot be built."""
        if n_classes > MAX_CLASSES:
            raise ValueError(f"y has {n_classes} classes; LutNetworkClassifier learns at most {MAX_CLASSES}.")
        eff = effective_params(params, n_classes)
        if len(eff["hidden_layers"]) > MAX_HIDDEN_LAYERS:
            raise ValueError(
                f"hidden_layers has {len(eff['hidden_layers'])} layers; at most {MAX_HIDDEN_LAYERS} "
                "(each layer is a pass over the training data)."
            )
        hidden = []
        for w in list(eff["hidden_layers"]):
            if isinstance(w, (bool, np.bool_)) or not isinstance(w, (Integral, np.integer)) or w < 1:
                raise ValueError(
                    f"hidden_layers must be a sequence of positive integers (luts per layer); "
                    f"got {params.get('hidden_layers')!r}."
                )
            hidden.append(int(w))
        k = eff["k"]
        out_k = k if eff["output_k"] is None else eff["output_k"]
        widths = [n_features] + hidden + [int(eff["n_output_luts"])]
        ks = [int(k)] * len(hidden) + [int(out_k)]
        for layer, kl in enumerate(ks, start=1):
            if kl > widths[layer - 1]:
                name = "output_k" if layer == len(ks) and eff["output_k"] is not None else "k"
                below = "the input" if layer == 1 else f"hidden layer {layer - 1}"
                raise ValueError(
                    f"{name}={kl} is larger than the width of {below} ({widths[layer - 1]}): "
                    f"a lut reads {kl} distinct values of the layer below. Use a smaller {name} "
                    "or wider layers."
                )
        if params.get("wiring") == "boosted" and widths[-1] < n_classes:
            raise ValueError(
                f"wiring='boosted' needs at least one output lut per class: n_output_luts={widths[-1]} "
                f"for {n_classes} classes."
            )
        if params.get("wiring") == "boosted" and (params.get("output_bits") or 1) > 1 and widths[-1] % n_classes:
            raise ValueError(
                f"wiring='boosted' with output_bits > 1 needs as many output luts for every class: n_output_luts="
                f"{widths[-1]} is not a multiple of the {n_classes} classes."
            )
        voting = is_voting(n_classes, params.get("n_output_luts"), params.get("wiring"))
        return cls(tuple(widths), tuple(ks), n_classes, voting)

    @property
    def n_layers(self) -> int:
        """Number of lut layers, the output layer included."""
        return len(self.ks)

    def memory_bytes(self, n_samples: int, n_threads: int) -> int:
        """About how many bytes training (and the prediction copy of the cone) needs.

        Every allocation of a fit counts: the tables and wires (and the pruned
        copy prediction keeps, at most as large), the random keys the wiring is
        drawn from (one block of luts at a time), the output head, the layer
        values, the kernels' work buffers, a few numbers per lut (accuracy,
        correct count, needed flag, class split) and the Python objects of
        every layer (:data:`LAYER_OVERHEAD_BYTES`).
        """
        widths, ks, c = self.widths, self.ks, self.n_classes
        w, k = (np.asarray(a, dtype=object) for a in (widths[1:], ks))  # exact Python integers
        table_bytes = int((w * (1 << k)).sum())
        wire_bytes = int((w * k * 4).sum())
        shapes = set(zip(widths[1:], widths[:-1]))  # layers of the same shape cost the same: each counted once
        keys = max(min(wl, wiring_block(n_prev)) * n_prev * 8 for wl, n_prev in shapes)
        per_lut = int(w.sum()) * (17 + (c if self.voting else 0))
        slots = [2] * (len(ks) - 1) + [c if self.voting else 2]
        work = max(
            _workspace.fit_buffer_bytes(wl, n_samples, kl, s, n_threads)
            for wl, kl, s in set(zip(widths[1:], ks, slots))
        )
        head = widths[-1] * (1 << ks[-1]) * c * (9 if self.voting else 8)  # int32 counts + uint8 votes (+ a copy)
        # tables and wires, plus the pruned copy prediction keeps (at most as large); layer values
        return (2 * (table_bytes + wire_bytes) + head + 3 * max(widths) * n_samples + max(work, keys) + per_lut
                + LAYER_OVERHEAD_BYTES * self.n_layers)


#: Memory of a layer's Python objects and small arrays (wires, tables, accuracy, ... of one lut layer), about
#: 1.3 kB measured with one-lut layers; counted per layer by :meth:`Architecture.memory_bytes`.
LAYER_OVERHEAD_BYTES = 2048

#: The wiring's random keys are drawn for this many bytes of luts at a time, not for a whole layer at once.
WIRING_BLOCK_BYTES = 1 << 25


#: Largest ``k`` :func:`random_wiring` picks by insertion (:func:`lutlearn.core.kernels.smallest_k`); more (greedy
#: wiring's candidate pools, a whole permutation of the inputs) by a stable sort, which gives the same wires.
SMALLEST_K_MAX = 64

#: Inputs beyond which :func:`interaction_subsets` looks for no interactions: the pair scan and the four-input
#: search grow with the square of the inputs (10**5 inputs: 5 * 10**9 pairs, hours and tens of GB).
MAX_INTERACTION_INPUTS = 4096


def wiring_block(n_prev: int) -> int:
    """Luts whose wiring keys (``n_prev`` float64 each) are drawn at once: :data:`WIRING_BLOCK_BYTES` worth."""
    return max(1, WIRING_BLOCK_BYTES // (8 * max(1, n_prev)))


def random_wiring(rng: np.random.Generator, n_luts: int, n_prev: int, k: int) -> np.ndarray:
    """Pick ``k`` distinct inputs out of ``n_prev`` for each of ``n_luts`` luts.

    Each lut gets the ``k`` smallest of ``n_prev`` uniform random keys, in
    increasing key order (equal keys in column order): a uniformly random
    ordered ``k``-subset.

    The keys are drawn for :func:`wiring_block` luts at a time (a block of
    rows of the same stream, so the wiring is the one a single
    ``rng.random((n_luts, n_prev))`` gives, bit for bit, without holding
    ``n_luts * n_prev`` keys at once).

    Returns
    -------
    wires : int32 array of shape (n_luts, k)
    """
    wires = np.empty((n_luts, k), np.int32)
    block = wiring_block(n_prev)
    for start in range(0, n_luts, block):
        keys = rng.random((min(block, n_luts - start), n_prev))
        if k <= SMALLEST_K_MAX:
            kernels.smallest_k(keys, k, wires[start:start + len(keys)])
        else:  # the same order (ties by column), in n log n: the kernel's insertion is k * n_prev per lut
            wires[start:start + len(keys)] = np.argsort(keys, axis=1, kind="stable")[:, :k]
        del keys  # not two blocks at once
    return wires


def random_dichotomies(rng: np.random.Generator, n_luts: int, n_classes: int) -> np.ndarray:
    """Split the classes in two for each lut: a uniformly random ``n_classes // 2`` of them get side 1.

    Returns
    -------
    sides : uint8 array of shape (n_luts, n_classes)
    """
    ranks = np.argsort(np.argsort(rng.random((n_luts, n_classes)), axis=1), axis=1)
    return (ranks < n_classes // 2).astype(np.uint8)


def draw(arch: Architecture, seed: int, output_wiring: bool = True) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The random part of a network: every layer's wiring, then (multi-class hidden layers) its class splits.

    Drawn layer by layer from ``np.random.default_rng(seed)`` in that order;
    training draws nothing else. Without ``output_wiring`` the output
    layer's wiring, drawn last, is left out (the boosted design grows it).
    """
    rng = np.random.default_rng(seed)
    wires, sides = [], []
    for layer in range(1, arch.n_layers + 1 - (not output_wiring)):
        wires.append(random_wiring(rng, arch.widths[layer], arch.widths[layer - 1], arch.ks[layer - 1]))
        if arch.voting and layer < arch.n_layers:
            sides.append(random_dichotomies(rng, arch.widths[layer], arch.n_classes))
    return wires, sides


def example_hashes(A: np.ndarray, seed: int) -> np.ndarray:
    """``sum_f A[f, i] * key[f]`` (mod ``2**64``) for every example ``i`` of feature-major 0/1 ``A``.

    The 64-bit keys are drawn from ``(seed, 0)``: a function of the
    example's content, not of its position in the training set.
    """
    keys = np.random.default_rng([seed, 0]).integers(0, 2**64, A.shape[0], dtype=np.uint64, endpoint=False)
    h = np.zeros(A.shape[1], np.uint64)
    for f in range(A.shape[0]):
        h += A[f] * keys[f]
    return h


def example_folds(A: np.ndarray, seed: int) -> np.ndarray:
    """The fold (0 or 1) of every example of feature-major 0/1 ``A``, a hash of its bits and the seed.

    The top bit of :func:`example_hashes`: folds do not depend on the order
    of the training set, and equal examples share a fold.
    """
    return (example_hashes(A, seed) >> np.uint64(63)).astype(np.uint8)


#: Interactions kept by :func:`interaction_subsets` are this many times the largest Walsh sum expected among
#: as many random subsets (``sqrt(2 ln(2 M) sum w**2)`` for ``M`` subsets of the size).
INTERACTION_MARGIN = 1.5
#: Triples are scanned when ``C(n_inputs, 3) * words * weight planes`` is at most this (about 1.5 s at 512
#: inputs and 6,400 examples on one core); above it (784 MNIST pixels) only pairs and four-input parities.
TRIPLE_SCAN_WORDS = 3 * 10**9
#: Four-input parities are looked for on this many windows of 64 examples each (see :func:`interaction_subsets`).
QUAD_WINDOWS = 4
#: A window's key shared by more pairs than this is skipped (constant or repeated columns), so the candidates stay few.
QUAD_MAX_MATCHES = 4
#: Subsets kept per input by the pair and triple scans (the strongest).
SCAN_CAP = 64
_INTERACTION_CACHE: dict = {}


def pack_columns(B: np.ndarray) -> np.ndarray:
    """Bit-pack the rows of 0/1 ``B`` (n_rows, n) along the examples: uint64 (n_rows, ceil(n / 64)).

    Bit ``i & 63`` of word ``i >> 6`` is example ``i`` (the convention of
    :func:`lutlearn.core.kernels.interaction_scan`); the padding bits are 0.
    """
    B = np.atleast_2d(np.asarray(B, np.uint8))
    P = np.packbits(B, axis=1, bitorder="little")
    P = np.pad(P, ((0, 0), (0, -P.shape[1] % 8)))
    return np.ascontiguousarray(P).view("<u8").astype(np.uint64)


def weight_planes(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Non-negative integer weights as bit planes: packed ``masks`` (one row per bit) and ``scales`` (``2**b``)."""
    w = np.asarray(w, np.int64)
    n_bits = max(1, int(w.max()).bit_length()) if len(w) else 1
    masks = pack_columns(np.stack([(w >> b) & 1 for b in range(n_bits)]))
    return masks, np.left_shift(np.int64(1), np.arange(n_bits, dtype=np.int64))


def interaction_threshold(n_subsets: int, w: np.ndarray) -> int:
    """The smallest absolute Walsh sum kept among ``n_subsets`` subsets (:data:`INTERACTION_MARGIN`)."""
    w2 = float(np.sum(np.asarray(w, np.float64) ** 2))
    return max(1, math.ceil(INTERACTION_MARGIN * math.sqrt(2 * math.log(2 * max(1, n_subsets)) * w2)))


def _quad_candidates(X: np.ndarray, yp: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Four-input sets that may be parities of the label: meet in the middle on windows of 64 examples.

    For the examples ``order[64 t: 64 t + 64]`` (window ``t``), a pair
    ``(a, b)`` whose key ``y ^ x_a ^ x_b`` equals the key ``x_c ^ x_d`` of
    another pair gives the candidate ``{a, b, c, d}``: exactly what a parity
    of these four inputs shows on that window. Keys shared by more than
    :data:`QUAD_MAX_MATCHES` pairs are skipped. Returns the sorted distinct
    candidates, int32 (n, 4).
    """
    n_prev = X.shape[0]
    bits = np.unpackbits(X.view(np.uint8), axis=1, bitorder="little")  # (n_prev, 64 * words)
    ybits = np.unpackbits(yp.view(np.uint8), bitorder="little")
    ia, ib = np.triu_indices(n_prev, 1)
    found = []
    for t in range(min(QUAD_WINDOWS, len(order) // 64)):
        idx = order[64 * t: 64 * t + 64]
        cols = pack_columns(bits[:, idx])[:, 0]
        ykey = pack_columns(ybits[idx])[0, 0]
        keys = cols[ia] ^ cols[ib]
        srt = np.argsort(keys, kind="stable")
        sk = keys[srt]
        q = keys ^ ykey
        lo, hi = np.searchsorted(sk, q, "left"), np.searchsorted(sk, q, "right")
        hit = (hi > lo) & (hi - lo <= QUAD_MAX_MATCHES)
        p = np.repeat(np.flatnonzero(hit), (hi - lo)[hit])
        starts = np.repeat(lo[hit], (hi - lo)[hit])
        r = srt[starts + np.arange(len(p)) - np.repeat(np.cumsum((hi - lo)[hit]) - (hi - lo)[hit], (hi - lo)[hit])]
        quads = np.stack([ia[p], ib[p], ia[r], ib[r]], axis=1)
        quads.sort(axis=1)
        distinct = (np.diff(quads, axis=1) > 0).all(axis=1)
        found.append(quads[distinct])
    if not found:
        return np.empty((0, 4), np.int32)
    return np.unique(np.concatenate(found), axis=0).astype(np.int32)


def _walsh_sums(X, yp, masks, scales, total, subsets: list) -> np.ndarray:
    """The Walsh sums (:func:`lutlearn.core.kernels.subset_sums`) of a list of input subsets (up to 4 inputs)."""
    arr = np.zeros((len(subsets), 4), np.int32)
    sizes = np.array([len(s) for s in subsets], np.int32)
    for r, s in enumerate(subsets):
        arr[r, : len(s)] = s
    out = np.empty(len(subsets), np.int64)
    kernels.subset_sums(X, yp, masks, scales, total, arr, sizes, out)
    return out


def interaction_subsets(A: np.ndarray, y: np.ndarray, w: np.ndarray | None, seed: int) -> list[tuple[int, ...]]:
    """Sets of 2 to 4 inputs that matter together: significant Walsh (parity) correlations with the label.

    Still counting, with popcounts on bit-packed columns. The Walsh sum of a
    set ``S`` of inputs is ``sum_i w_i (-1)**(y_i xor parity(x_S))``; its
    absolute value over the total weight is 1 when the label is the parity
    of ``S`` (or its complement) and about ``1 / sqrt(n)`` for an unrelated
    set. Kept: the sets whose absolute sum is at least
    :func:`interaction_threshold` (:data:`INTERACTION_MARGIN` times the
    largest expected among as many random sets of that size), exceeds that
    of every smaller subset of theirs by as much (an AND of two inputs is
    already seen through each input alone), and is at least that of the
    strongest single input (on images, many pixel pairs pass the other
    tests, and luts starting from them did slightly worse than from single
    pixels).

    * pairs: every pair (:func:`lutlearn.core.kernels.interaction_scan`);
    * triples: every triple, when ``C(n_inputs, 3)`` scans fit
      :data:`TRIPLE_SCAN_WORDS`, else none;
    * four inputs: the candidates of a meet in the middle
      (:func:`_quad_candidates`, on :data:`QUAD_WINDOWS` windows of 64
      examples of positive weight taken in the order of
      :func:`example_hashes`, so the result does not depend on the order of
      the examples) are scored on all examples. This finds exact parities
      (and ones with rare exceptions: one clean window suffices), not weaker
      four-input correlations.

    With more than :data:`MAX_INTERACTION_INPUTS` inputs none is looked for
    (the list is empty): the scans grow with the square of the inputs.

    The result depends only on the data (as a set of weighted examples) and
    ``seed``, never on the threads; it is cached for the last few inputs
    (a fit-circuit search fits many networks on the same data).

    Parameters
    ----------
    A : uint8 array of shape (n_prev, n_samples)
    y : uint8 array of shape (n_samples,)
    w : int array of shape (n_samples,) or None
    seed : int

    Returns
    -------
    list of tuples of ints
        Increasing inputs of every kept set, strongest first (then smaller
        sets, then in lexicographic order).
    """
    n_prev, n = A.shape
    if n_prev > MAX_INTERACTION_INPUTS:
        return []
    w = np.ones(n, np.int64) if w is None else np.asarray(w, np.int64)
    X, yp = pack_columns(A), pack_columns(y)[0]
    masks, scales = weight_planes(w)
    total = int(w.sum())
    if n_prev < 2 or total == 0:
        return []
    digest = hashlib.blake2b(X.tobytes() + yp.tobytes() + w.tobytes() + np.int64(seed).tobytes()
                             + np.int64(n_prev).tobytes(), digest_size=16).digest()
    if digest in _INTERACTION_CACHE:
        return list(_INTERACTION_CACHE[digest])
    sums = {(f,): int(s) for f, s in enumerate(_walsh_sums(X, yp, masks, scales, total, [(f,) for f in range(n_prev)]))}
    found = []
    for order in (2, 3):
        n_sets = math.comb(n_prev, order)
        if n_sets == 0 or (order == 3 and n_sets * X.shape[1] * len(scales) > TRIPLE_SCAN_WORDS):
            continue
        sets = np.empty((n_prev, SCAN_CAP, 3), np.int32)
        s_sums = np.empty((n_prev, SCAN_CAP), np.int64)
        n_found = np.empty(n_prev, np.int64)
        kernels.interaction_scan(X, yp, masks, scales, total, order, interaction_threshold(n_sets, w),
                                 sets, s_sums, n_found)
        for a in range(n_prev):
            for r in range(min(SCAN_CAP, int(n_found[a]))):
                found.append((tuple(int(f) for f in sets[a, r, :order]), int(s_sums[a, r])))
    if n_prev >= 4:
        weighted = np.flatnonzero(w > 0)
        order4 = weighted[np.lexsort((w[weighted], y[weighted], example_hashes(A, seed)[weighted]))]
        quads = [tuple(int(f) for f in q) for q in _quad_candidates(X, yp, order4)]
        if quads:
            t4 = interaction_threshold(math.comb(n_prev, 4), w)
            found += [(q, int(s)) for q, s in zip(quads, _walsh_sums(X, yp, masks, scales, total, quads))
                      if abs(s) >= t4]
    for s, v in found:
        sums[s] = v
    subs = sorted({t for s, _ in found for r in range(2, len(s)) for t in itertools.combinations(s, r)} - set(sums))
    sums.update(zip(subs, (int(v) for v in _walsh_sums(X, yp, masks, scales, total, subs))) if subs else ())
    gain = {m: interaction_threshold(math.comb(n_prev, m), w) for m in (2, 3, 4)}
    best_single = max(abs(sums[(f,)]) for f in range(n_prev))
    kept = [s for s, v in found if abs(v) >= best_single and all(
        abs(v) >= abs(sums[t]) + gain[len(s)] for r in range(1, len(s)) for t in itertools.combinations(s, r))]
    kept.sort(key=lambda s: (-abs(sums[s]), len(s), s))
    if len(_INTERACTION_CACHE) >= 4:
        _INTERACTION_CACHE.pop(next(iter(_INTERACTION_CACHE)))
    _INTERACTION_CACHE[digest] = tuple(kept)
    return kept


def greedy_wiring(
    A: np.ndarray, y: np.ndarray, fold: np.ndarray, w: np.ndarray | None, rng: np.random.Generator,
    n_luts: int, k: int, n_candidates: int | None = None, seed: int = 0, interactions: bool = True,
) -> np.ndarray:
    """Chosen support: pick each lut's ``k`` inputs among the layer below to maximise what it memorizes.

    Still counting, no gradients. A lut's *score* is its two-fold
    cross-validated log-likelihood (:func:`lutlearn.core.kernels._cv_score`):
    the training examples are split in two folds (:func:`example_folds`)
    and each example scores the log of the frequency of its class among the
    other fold's examples of its pattern (Laplace-smoothed). Unlike the
    training accuracy, which grows with every input added, it stops
    rewarding inputs that only split the data further (noise); unlike an
    accuracy it also rewards inputs that make patterns purer without yet
    changing their majority (the second top bit of a comparator).

    1. Inputs that matter only together (a parity of 2 to 4 of them, whose
       every smaller subset is independent of the label, or the top bits of
       an adder with one carry bit) are found first by their Walsh (parity)
       correlation with the label (:func:`interaction_subsets`, ``k >= 2``,
       with ``interactions``): the first luts start from these sets of at
       most ``k`` inputs, strongest first, one set per lut.
    2. Every input of the layer below is scored alone and ranked (best
       first, ties in a random order drawn from ``rng``); the other luts
       start from the inputs of that ranking in turn (cycling when there
       are more luts than inputs), so that the luts of a layer start from
       different inputs.
    3. Then each lut adds, one at a time until it has ``k``, the input of
       its candidate pool that gives it the best score (the first in pool
       order on ties), even when none raises the score (the top bits of a
       comparator only help together), and keeps the shortest prefix of its
       inputs, at least its start, with the best score; a lut that keeps
       ``m < k`` inputs repeats its last one (part of its table is then
       never reached). The pool of each lut is ``n_candidates`` inputs drawn
       at random from ``rng`` (None: all of them, in a random order).

    The result depends only on the data, ``rng``, ``seed`` and the sizes,
    never on the number of threads.

    Parameters
    ----------
    A : uint8 array of shape (n_prev, n_samples)
        The values of the layer below, feature-major.
    y, fold : uint8 arrays of shape (n_samples,)
        Class (0/1) and fold (0/1) of every example.
    w : int32 array of shape (n_samples,) or None
        Integer sample weights (None: every example counts once).
    rng : numpy.random.Generator
    n_luts, k : int
    n_candidates : int or None, default=None
    seed : int, default=0
        Orders the examples for the four-input search (:func:`interaction_subsets`).
    interactions : bool, default=True
        Whether to look for inputs that matter together (step 1). The trainer
        does in layer 1 only (the luts reading the input bits): above it, the inputs are luts fit
        to the label, and starting from their pairs did slightly worse
        (validation accuracy of two-hidden-layer networks on a comparator and
        an adder's carry).

    Returns
    -------
    wires : int32 array of shape (n_luts, k)
    """
    n_prev, n = A.shape
    w64 = np.ones(n, np.int64) if w is None else np.asarray(w, np.int64)
    single = np.empty(n_prev, np.float64)
    kernels.single_scores(A, y, fold, w64, single)
    ranking = np.lexsort((rng.random(n_prev), -single))
    pools = random_wiring(rng, n_luts, n_prev, n_prev if n_candidates is None else min(n_candidates, n_prev))
    subsets = [s for s in interaction_subsets(A, y, w, seed) if len(s) <= k][:n_luts] if k > 1 and interactions else []
    starts = np.zeros((n_luts, k), np.int32)
    n_start = np.ones(n_luts, np.int32)
    for j, s in enumerate(subsets):
        starts[j, : len(s)] = s
        n_start[j] = len(s)
    starts[len(subsets):, 0] = ranking[np.arange(n_luts - len(subsets)) % n_prev]
    wires = np.empty((n_luts, k), np.int32)
    kernels.greedy_wires(A, y, fold, w64, starts, n_start, pools, wires, np.empty(n_luts, np.float64))
    return wires


def input_accuracy(counts: np.ndarray, voting: bool) -> np.ndarray:
    """Training accuracy of every input bit from its class counts ``(n_features, 2, n_classes)``.

    The paper's network (Table 2, layer 0): the bit used directly as a
    prediction of class 1. The multi-class design: the bit as a 1-input lut
    (its majority class for each value).
    """
    n = counts[0].sum()
    if voting:
        return counts.max(axis=2).sum(axis=1) / n
    return (counts[:, 0, 0] + counts[:, 1, 1]) / n


class Backend(Protocol):
    """Where the training data lives and how a layer is counted there (see :func:`train`)."""

    name: str
    n_samples: int

    def class_totals(self) -> np.ndarray: ...

    def input_counts(self) -> np.ndarray: ...

    def fit_layer(self, layer, wires, side, weights, n_slots, seed, needed, keep_counts): ...


class InMemoryBackend:
    """Training data in memory: examples ordered by class once, every layer by :func:`lutlearn.core.kernels.fit_layer`.

    Parameters
    ----------
    bits : uint8 array of shape (n_samples, n_features)
        0/1 inputs.
    y : int array of shape (n_samples,)
        Encoded classes ``0..n_classes-1``.
    n_classes : int
    n_threads : int
        Threads the caller runs the kernels on (for the buffer layout).
    max_width : int, default=0
        The widest hidden layer (its outputs are kept for the next layer).
    sample_weight : int32 array of shape (n_samples,) or None, default=None
        Integer weights (see :func:`integer_weights`): example ``i`` counts
        ``sample_weight[i]`` times. None counts every example once.
    """

    name = ""

    def __init__(
        self, bits: np.ndarray, y: np.ndarray, n_classes: int, n_threads: int, max_width: int = 0,
        sample_weight: np.ndarray | None = None,
    ):
        y = np.asarray(y, dtype=np.uint8)
        self.n_samples, d = bits.shape
        self.n_classes = n_classes
        self.n_threads = n_threads
        # The kernels want the examples ordered by class; tables and accuracies
        # do not depend on the order of the training set.
        order = np.argsort(y, kind="stable")
        self.bounds = np.searchsorted(y[order], np.arange(n_classes + 1)).astype(np.int64)
        self.A = np.empty((d, self.n_samples), np.uint8)
        kernels.transpose_rows(np.ascontiguousarray(bits), order, self.A)
        self.sw = None if sample_weight is None else np.ascontiguousarray(np.asarray(sample_weight, np.int32)[order])
        self.max_width = max_width
        self._spare: list[np.ndarray] = []

    def class_totals(self) -> np.ndarray:
        if self.sw is None:
            return np.diff(self.bounds)
        return np.array([self.sw[a:b].sum(dtype=np.int64) for a, b in zip(self.bounds[:-1], self.bounds[1:])])

    def input_counts(self) -> np.ndarray:
        ones = kernels.class_ones(self.A, self.bounds, self.sw)
        return np.stack([self.class_totals()[None, :] - ones, ones], axis=1)

    def choose_wires(self, layer: int, n_luts: int, k: int, seed: int, n_candidates: int | None) -> np.ndarray:
        """The greedy wiring (:func:`greedy_wiring`) of ``layer`` on the current layer values (two classes only).

        The folds are drawn from the input bits, at layer 1; each layer's
        pools and ranking ties from ``np.random.default_rng([seed, layer])``.
        Inputs that matter together are looked for in layer 1 only (the luts
        reading the input bits).
        """
        if self.n_classes != 2:
            raise ValueError("wiring='greedy' is for two classes (the paper's network)")
        if layer == 1 or not hasattr(self, "_fold"):
            self._fold = example_folds(self.A, seed)
            self._y = np.repeat(np.arange(2, dtype=np.uint8), np.diff(self.bounds))
        rng = np.random.default_rng([seed, layer])
        return greedy_wiring(self.A, self._y, self._fold, self.sw, rng, n_luts, k, n_candidates, seed, layer == 1)

    def boost_layer(self, layer: int, n_luts: int, k: int, seed: int, n_candidates: int | None, output_bits: int = 1,
                    learning_rate: float = 1.0):
        """The boosted output layer on the current layer values: :func:`boost_layer`'s results."""
        w = None if self.sw is None else self.sw.astype(np.float64)
        return boost_layer(self.A, self.bounds, w, layer, n_luts, k, seed, n_candidates, output_bits, learning_rate)

    def fit_layer(self, layer, wires, side, weights, n_slots, seed, needed, keep_counts):
        """Train one layer; return ``(tables, correct, counts or None)`` and move on to its outputs."""
        width, k = wires.shape
        n = self.n_samples
        tables = np.empty((width, 1 << k), np.uint8)
        correct = np.empty(width, np.int64)
        counts = np.empty((width, n_slots << k) if keep_counts else (0, 0), np.int32)
        if needed.any():
            # two layer buffers used in turn: fresh 60 MB arrays per layer cost page faults
            if not self._spare:
                rows = max(self.max_width, width)
                self._spare = [np.empty((rows, n), np.uint8) for _ in range(2)]
            out = self._spare[layer % 2][:width]
        else:
            out = np.empty((0, n), np.uint8)
        work, hist = _workspace.fit_buffers(width, n, k, n_slots, self.n_threads)
        args = (self.A, self.bounds, wires, side, weights, n_slots, seed, layer, tables, out, correct, work, hist,
                needed, counts)
        if self.sw is None:
            kernels.fit_layer(*args)
        else:
            kernels.fit_layer(*args, self.sw)
        self.A = out
        if keep_counts:  # slot-major per lut, slots = classes here: (n_luts, 2**k, C)
            counts = counts.reshape(width, n_slots, 1 << k).transpose(0, 2, 1)
        return tables, correct, counts if keep_counts else None


def luts_per_class(n_luts: int, n_classes: int) -> np.ndarray:
    """The boosted design's lut offsets: class ``c`` owns luts ``off[c]:off[c + 1]`` (as even a share as can be)."""
    sizes = np.full(n_classes, n_luts // n_classes, np.int64)
    sizes[: n_luts % n_classes] += 1
    return np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)


def boost_candidates(ones: np.ndarray, n_samples: int, off: np.ndarray, k: int, rng: np.random.Generator,
                     n_candidates: int | None) -> np.ndarray:
    """The inputs each boosted lut may choose from: ``n_candidates`` distinct non-constant inputs, per lut.

    ``ones[f]`` is the number of the ``n_samples`` training examples with
    input ``f`` set; ``off`` are the luts' class offsets
    (:func:`luts_per_class`). Returns an int64 array of shape ``(n_luts,
    R)``, ``R = min(n_candidates, number of non-constant inputs)``, drawn
    from ``rng`` round by round: the ``t``-th lut of class ``c`` gets draw
    ``t * n_classes + c``, so the first ``T`` luts of every class are those
    of the design with ``T`` luts per class (a larger design grows a smaller
    one). ValueError when fewer than ``k`` inputs vary.
    """
    ones = np.asarray(ones, np.int64)
    pool = np.flatnonzero((ones > 0) & (ones < n_samples))
    if len(pool) < k:
        raise ValueError(
            f"wiring='boosted' needs at least output_k={k} inputs that vary over the training set; "
            f"{len(pool)} of {len(ones)} do. Use a smaller output_k."
        )
    R = min(BOOSTED_CANDIDATES if n_candidates is None else int(n_candidates), len(pool))
    R = max(R, k)
    n_classes = len(off) - 1
    sizes = np.diff(off)
    out = np.empty((int(off[-1]), R), np.int64)
    for t in range(int(sizes.max())):  # round t: one row of keys per class, whether or not it has a t-th lut
        picked = pool[np.argsort(rng.random((n_classes, len(pool))), axis=1, kind="stable")[:, :R]]
        has = np.flatnonzero(sizes > t)
        out[off[has] + t] = picked[has]
    return out


#: ``output_bits > 1``: a table value is half the log-odds in steps of ``learning_rate * BOOST_STEP / q`` nats
#: (``q = 2**(b-1) - 1``), so the values span [-learning_rate * BOOST_STEP, learning_rate * BOOST_STEP].
BOOST_STEP = 1.0


class BoostPlan(NamedTuple):
    """What the boosted output layer's fit needs besides the data (:func:`boost_plan`), in memory and on Dask alike."""

    off: np.ndarray  #: class ``c``'s luts are ``off[c]:off[c + 1]`` (:func:`luts_per_class`)
    cand: np.ndarray  #: the inputs every lut may choose from (:func:`boost_candidates`)
    q: int  #: 0 for one bit per lut, else ``2**(output_bits - 1) - 1``
    delta: float  #: a table value's step, in nats
    factors: np.ndarray  #: ``exp(-delta * arange(-q, q + 1))``, the real AdaBoost weight factors


def boost_plan(ones: np.ndarray, n_samples: int, n_classes: int, layer: int, n_luts: int, k: int, seed: int,
               n_candidates: int | None, output_bits: int = 1, learning_rate: float = 1.0) -> BoostPlan:
    """The boosted layer's share of luts per class, their candidate inputs (from ``np.random.default_rng([seed,
    layer])``) and table values, given each input's number of ones over the ``n_samples`` examples."""
    rng = np.random.default_rng([seed, layer])
    off = luts_per_class(n_luts, n_classes)
    cand = boost_candidates(ones, n_samples, off, k, rng, n_candidates)
    q = 0 if output_bits == 1 else 2 ** (output_bits - 1) - 1
    delta = learning_rate * BOOST_STEP / max(q, 1)
    return BoostPlan(off, cand, q, delta, np.exp(-delta * np.arange(-q, q + 1)))


def boost_counts(tables: np.ndarray, off: np.ndarray) -> np.ndarray:
    """The ``"sum"`` votes of the boosted luts: ``counts[j, p, c]`` is lut ``j``'s table value if ``j`` is one of
    class ``c``'s luts, else 0 (int32 of shape ``(n_luts, 2**k, n_classes)``)."""
    n_luts, size = tables.shape
    groups = np.repeat(np.arange(len(off) - 1), np.diff(off))
    counts = np.zeros((n_luts, size, len(off) - 1), np.int32)
    counts[np.arange(n_luts), :, groups] = tables
    return counts


def boost_scores(A: np.ndarray, wires: np.ndarray, tables: np.ndarray, off: np.ndarray) -> np.ndarray:
    """Every example's class scores (int64, ``(n_samples, n_classes)``): the sum of its class's luts' values."""
    bits = np.empty((wires.shape[0], A.shape[1]), np.uint8)
    kernels.predict_layer(A, wires, tables, False, bits)
    return np.stack([bits[off[c]:off[c + 1]].sum(axis=0, dtype=np.int64) for c in range(len(off) - 1)], axis=1)


def boost_layer(
    A: np.ndarray, bounds: np.ndarray, w: np.ndarray | None, layer: int, n_luts: int, k: int, seed: int,
    n_candidates: int | None, output_bits: int = 1, learning_rate: float = 1.0,
):
    """Grow the boosted output layer by counting (:func:`lutlearn.core.kernels.boost_luts`) on layer values ``A``.

    Every class gets an even share of the ``n_luts`` luts (class-major:
    class 0's first). Each lut answers "this class?", its ``k`` inputs
    chosen greedily among ``n_candidates`` inputs drawn at random per lut
    (from ``np.random.default_rng([seed, layer])``). With ``output_bits=1``
    (discrete AdaBoost) its table is the weighted majority of the class
    against the rest, one bit, and a class's score is the number of its
    luts that output 1. With ``output_bits=b > 1`` (real AdaBoost) its
    table holds one of ``2q + 1`` values, ``q = 2**(b-1) - 1``: half the
    weighted log-odds of the class in steps of ``BOOST_STEP / q``, clipped
    and stored shifted by ``q`` (0 .. 2q), and a class's score is the sum
    of its luts' values (every class then has the same number of luts, so
    the shifts add the same to every score).

    ``learning_rate`` (0 < rate <= 1) shrinks what each lut adds, so that
    more luts share the work (shrinkage, as in gradient boosting): with one
    bit the weight ratio of the examples a lut gets wrong is raised to that
    power; with more bits the table values are clipped to
    ``[-learning_rate, learning_rate] * BOOST_STEP`` nats, in ``q`` steps
    each side.

    Every weighted count is exact (fixed-point weights, see
    :data:`lutlearn.core.kernels.FIXED_ONE`), so the result does not depend
    on the order of the examples: the Dask fit
    (:meth:`lutlearn.core.scale.DaskBackend.boost_layer`) gives the same
    layer.

    Parameters
    ----------
    A : uint8 array of shape (n_features, n_samples)
        Feature-major values of the layer below, examples ordered by class.
    bounds : int64 array of shape (n_classes + 1,)
    w : float64 array of shape (n_samples,) or None
        Example weights (integer sample weights as floats), or None for one each.

    Returns
    -------
    wires : int32 array of shape (n_luts, k)
    tables : uint8 array of shape (n_luts, 2**k)
        Every lut's bit per pattern.
    accuracy : float64 array of shape (n_luts,)
        One minus each lut's weighted error when it was added.
    counts : int32 array of shape (n_luts, 2**k, n_classes)
        The votes of :class:`lutlearn.core.model.VoteHead`'s ``"sum"`` rule.
    proba_scale : float
        The softmax scale of the scores that fits the training set best (see :func:`fit_proba_scale`).
    """
    n_classes = bounds.shape[0] - 1
    n = A.shape[1]
    ptr, idx = kernels.ones_index(A)  # its row lengths are every input's number of ones
    plan = boost_plan(np.diff(ptr), n, n_classes, layer, n_luts, k, seed, n_candidates, output_bits, learning_rate)
    w0 = np.ones(n) if w is None else np.ascontiguousarray(w, np.float64)
    class_w = np.array([w0[a:b].sum() for a, b in zip(bounds[:-1], bounds[1:])])
    wires = np.empty((n_luts, k), np.int32)
    tables = np.empty((n_luts, 1 << k), np.uint8)
    errors = np.empty(n_luts)
    keys = np.empty((n_classes, n), np.uint16 if k < 16 else np.int64)
    kernels.boost_luts(A, ptr, idx, np.asarray(bounds, np.int64), w0, class_w, plan.off, k, plan.cand, plan.q,
                       plan.delta, plan.factors, float(learning_rate), keys, wires, tables, errors)
    scores = boost_scores(A, wires, tables, plan.off)
    y = np.repeat(np.arange(n_classes), np.diff(bounds))
    return wires, tables, 1.0 - errors, boost_counts(tables, plan.off), fit_proba_scale(scores, y, w0)


#: The softmax scales :func:`fit_proba_scale` chooses from: 97 values from 1/64 to 64, evenly in log scale.
PROBA_SCALES = np.exp2(np.linspace(-6, 6, 97))


def proba_scale_losses(scores: np.ndarray, y: np.ndarray, w: np.ndarray, total: float) -> np.ndarray:
    """The fixed-point log-losses (int64, one per :data:`PROBA_SCALES` value) of these examples' scores, each
    weighed ``w / total`` (:func:`lutlearn.core.kernels.proba_losses`); they add up over chunks of examples."""
    out = np.zeros(len(PROBA_SCALES), np.int64)
    kernels.proba_losses(np.ascontiguousarray(scores, np.int64), np.asarray(y, np.int64),
                         np.asarray(w, np.float64) / total, PROBA_SCALES, out)
    return out


def fit_proba_scale(scores: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """The scale ``b`` (one of :data:`PROBA_SCALES`) whose softmax of ``b * scores`` has the least weighted
    log-loss on the training labels ``y`` (the first on ties; losses summed exactly, in fixed point)."""
    w = np.asarray(w, np.float64)
    return float(PROBA_SCALES[np.argmin(proba_scale_losses(scores, y, w, float(w.sum())))])


def layer_rule(arch: Architecture, layer: int, sides: list, totals: np.ndarray):
    """``(side, weights, n_slots)`` of every lut of ``layer`` (see :mod:`lutlearn.core.kernels`)."""
    width, c = arch.widths[layer], arch.n_classes
    if arch.voting and layer < arch.n_layers:  # a split of the classes, each side weighed by the other's size
        side = sides[layer - 1]
        n1 = (side * totals).sum(axis=1)
        weights = np.stack([totals.sum() - n1, n1], axis=1).astype(np.int64)
        return side, weights, 2
    # a slot per class: the majority class (the paper's luts, the voting luts)
    side = np.ascontiguousarray(np.broadcast_to(np.arange(c, dtype=np.uint8), (width, c)))
    return side, np.ones((width, 2), np.int64), c


def train(
    arch: Architecture, backend: Backend, seed: int, verbose: int = 0, weight_shift: int = 0,
    wiring: str = "random", n_candidates: int | None = None, output_bits: int = 1, learning_rate: float = 1.0,
) -> LutNetwork:
    """Draw the network's random parts from ``seed`` and memorize the backend's data layer by layer.

    The caller runs this inside :func:`lutlearn.core._workspace.numba_threads`.
    ``weight_shift`` is the backend's sample weights' scale (its counts are
    in units of ``2**-weight_shift``; 0 without weights), kept by the head.

    ``wiring="random"`` draws every layer's wiring first (:func:`draw`).
    ``wiring="greedy"`` (two classes, the paper's design) asks the backend
    for each layer's wiring once the layer below's training values exist
    (its ``choose_wires(layer, n_luts, k, seed, n_candidates)``, see
    :func:`greedy_wiring`); every hidden lut's outputs are then kept, since
    the next layer may read any of them.

    Returns
    -------
    LutNetwork
    """
    if wiring not in WIRINGS:
        raise ValueError(f"wiring must be one of {', '.join(map(repr, WIRINGS))}; got {wiring!r}")
    greedy = wiring == "greedy"
    boosted = wiring == "boosted"
    if greedy and arch.voting:
        raise ValueError("wiring='greedy' is for the two-class network with one output lut (n_output_luts=None)")
    if greedy and not hasattr(backend, "choose_wires"):
        raise ValueError("wiring='greedy' needs the training data in memory (NumPy arrays, not Dask); "
                         "use wiring='random' on Dask")
    wires, sides = ([], []) if greedy else draw(arch, seed, output_wiring=not boosted)
    totals = np.asarray(backend.class_totals(), np.int64)
    n = int(totals.sum())  # the number of examples, or their total (integer) weight
    accuracy = [input_accuracy(backend.input_counts(), arch.voting)]
    tables = []
    counts = None
    proba_scale = 0.0
    L = arch.n_layers
    for layer in range(1, L + 1):
        t0 = time.perf_counter()
        if boosted and layer == L:
            w, t, acc, counts, proba_scale = backend.boost_layer(
                layer, arch.widths[layer], arch.ks[layer - 1], seed, n_candidates, output_bits, learning_rate)
            wires.append(w)
            tables.append(t)
            accuracy.append(acc)
            _report_layer(verbose, arch, layer, "boosted output luts", acc, t0, backend.name)
            break
        side, weights, n_slots = layer_rule(arch, layer, sides, totals)
        needed = np.zeros(arch.widths[layer], np.uint8)
        if greedy:
            wires.append(backend.choose_wires(layer, arch.widths[layer], arch.ks[layer - 1], seed, n_candidates))
            needed[:] = layer < L
        elif boosted and layer == L - 1:
            needed[:] = 1  # the boosted luts may read any of them
        elif layer < L:
            needed[wires[layer]] = 1
        t, correct, c = backend.fit_layer(layer, wires[layer - 1], side, weights, n_slots, seed, needed, layer == L)
        tables.append(t)
        accuracy.append(correct / n)
        counts = c
        kind = ("voting output luts" if layer == L else "dichotomy luts") if arch.voting else "luts"
        _report_layer(verbose, arch, layer, kind, accuracy[-1], t0, backend.name)
    if boosted:
        head = VoteHead(np.ascontiguousarray(counts, dtype=np.int32), 0, "sum", proba_scale)
    elif arch.voting:
        head = VoteHead(np.ascontiguousarray(counts, dtype=np.int32), weight_shift)
    else:
        head = MajorityHead(np.ascontiguousarray(counts[0], dtype=np.int64), weight_shift)
    return LutNetwork(
        n_inputs=arch.widths[0], n_classes=arch.n_classes, seed=seed, wires=wires, tables=tables,
        head=head, accuracy=accuracy, sides=sides if arch.voting else None,
    )


def _report_layer(verbose: int, arch: Architecture, layer: int, kind: str, acc: np.ndarray, t0: float,
                  where: str) -> None:
    """The ``verbose`` line of one trained layer, on standard error."""
    if verbose:
        print(
            f"[lutlearn] layer {layer}/{arch.n_layers}: {arch.widths[layer]} {kind}, k={arch.ks[layer - 1]}, "
            f"training accuracy mean {acc.mean():.4f} max {acc.max():.4f} "
            f"({time.perf_counter() - t0:.2f} s{where})",
            file=sys.stderr,
        )


def check_memory_for(arch: Architecture, n_samples: int, n_threads: int) -> None:
    """MemoryError, before anything is allocated, if training this architecture would not fit in memory."""
    what = "this multi-class network" if arch.voting else "this network"
    check_memory(arch.memory_bytes(n_samples, n_threads), what)
