"""The fitted network as a data structure: :class:`LutNetwork` and its output heads.

A :class:`LutNetwork` holds everything a trained lut network is: the wiring
and truth table of every lut layer, the per-lut training accuracies, the seed
they came from, the class split of every multi-class hidden lut, and an
output head that turns the patterns the output luts see into labels and
probabilities. :mod:`lutlearn.core.training` builds it; the estimator
(:class:`lutlearn.LutNetworkClassifier`) validates its inputs and delegates
to it; persistence, export and the probes of :mod:`lutlearn.core.inspection` read
it. It works on bits and class indices only: labels, feature names and input
checks are the estimator's.

Two heads:

:class:`MajorityHead` (the paper's network)
    One output lut. ``predict`` is its table entry for the pattern it sees;
    ``predict_proba`` the class frequencies of that pattern in training
    (``counts``, shape ``(2**k, n_classes)``; 1/C each for a pattern never
    seen).

:class:`VoteHead` (the multi-class design)
    ``n_output_luts`` luts each keep the class counts of every pattern
    (``counts``, shape ``(n_output_luts, 2**k, n_classes)``) and vote. Lut
    ``j``'s vote for class ``c`` is ``v[j, p, c] = round(S log((count +
    alpha) / alpha))`` with ``S =`` :data:`VOTE_SCALE` and ``alpha =``
    :data:`ALPHA` (an integer from 0 to 209 whatever the counts), and class
    ``c``'s score is ``sum_j v[j, p_j, c] + b_c``, where ``b_c = round(S
    n_output_luts (log prior_c - log((n_c + alpha 2**k) / alpha)))`` shifted
    so that the smallest is 0. Divided by ``S n_output_luts``, a score is the
    log prior plus the output luts' mean smoothed log-likelihood
    ``log((count + alpha) / (n_c + alpha 2**k))`` (a tempered naive-Bayes
    combination), plus a constant that does not depend on the class, up to
    rounding: on 10-class MNIST and CIFAR-10 the rounding changes 2 and 24 of
    the 10,000 test predictions. ``predict`` is the argmax of the integer
    scores (ties to the lowest class index), so it is exact, the same on
    every machine and the same function as the exported circuit
    (:mod:`lutlearn.export.netlist`); ``predict_proba`` is the softmax of the
    scores divided by ``S n_output_luts``.

Prediction evaluates only the output luts' cone (:meth:`LutNetwork.cone`),
in one chunked kernel (:func:`lutlearn.core.kernels.predict_network`) whose chunk
size :func:`lutlearn.core._workspace.predict_chunk` chooses; the heads decide from
the patterns it returns.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from lutlearn.core import _workspace, kernels

__all__ = ["ALPHA", "VOTE_SCALE", "Cone", "LutNetwork", "MajorityHead", "VoteHead", "output_cone", "vote_weights"]

#: Additive smoothing of the voting luts' counts (a pattern never seen with a
#: class still gets a finite, very low vote for it).
ALPHA = 0.01

#: Votes are whole multiples of ``1 / VOTE_SCALE`` nat (see the module docstring).
VOTE_SCALE = 8

#: :meth:`VoteHead.unseen` looks at this many examples (the share of unseen patterns is for a warning).
UNSEEN_SAMPLE = 256


def output_cone(wires: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """Find the luts that the output luts depend on, layer by layer.

    Parameters
    ----------
    wires : list of int arrays
        ``wires[l]`` of shape (n_luts_l, k_l) wires layer ``l + 1`` to layer ``l``
        (layer 0 is the input); the last entry is the output layer (all kept).

    Returns
    -------
    inputs : int array
        The input features the outputs depend on (sorted).
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
    remapped = [np.searchsorted(b, w[kp]).astype(np.int32) for w, kp, b in zip(wires, keep, below)]
    return inputs, keep, remapped


@dataclass(frozen=True, eq=False)
class Cone:
    """The luts the output depends on, flattened: the model's one compiled form for evaluation.

    Layer ``l`` (0-based over lut layers) keeps luts ``keep[l]`` of the full
    layer; their wires, renumbered to index the kept units of the layer
    below (for layer 0: positions in ``inputs``), are
    ``wires[wire_off[l]:][:widths[l] * ks[l]]`` row-major, and their tables
    ``tables[table_off[l]:][:widths[l] << ks[l]]``. :meth:`layers` gives them
    as 2-D views.
    """

    inputs: np.ndarray
    keep: list
    widths: np.ndarray
    ks: np.ndarray
    wire_off: np.ndarray
    wires: np.ndarray
    table_off: np.ndarray
    tables: np.ndarray

    def __repr__(self) -> str:
        """The cone's shape, not its arrays: inputs read, luts kept per layer, lut sizes."""
        return (f"Cone(n_inputs={len(self.inputs)}, widths={[int(w) for w in self.widths]}, "
                f"ks={[int(k) for k in self.ks]})")

    @classmethod
    def of(cls, wires: list[np.ndarray], tables: list[np.ndarray]) -> "Cone":
        """The cone of a network with these wires and tables."""
        inputs, keep, remapped = output_cone(wires)
        widths = np.array([len(kp) for kp in keep], np.int64)
        ks = np.array([w.shape[1] for w in wires], np.int64)
        wire_sizes, table_sizes = widths * ks, widths << ks
        return cls(
            inputs=inputs.astype(np.int64),
            keep=keep,
            widths=widths,
            ks=ks,
            wire_off=np.concatenate([[0], np.cumsum(wire_sizes)[:-1]]).astype(np.int64),
            wires=np.concatenate([w.ravel() for w in remapped]).astype(np.int32),
            table_off=np.concatenate([[0], np.cumsum(table_sizes)[:-1]]).astype(np.int64),
            tables=np.concatenate([t[kp].ravel() for t, kp in zip(tables, keep)]).astype(np.uint8),
        )

    def layers(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """``(wires, tables)`` of the kept luts of every layer, as views of shape (width, k) and (width, 2**k)."""
        out = []
        for w0, t0, width, k in zip(self.wire_off, self.table_off, self.widths, self.ks):
            w = self.wires[w0:w0 + width * k].reshape(int(width), int(k))
            t = self.tables[t0:t0 + (int(width) << int(k))].reshape(int(width), 1 << int(k))
            out.append((w, t))
        return out

    @property
    def n_luts(self) -> int:
        """How many luts the cone holds (all layers)."""
        return int(self.widths.sum())


def vote_weights(counts: np.ndarray, weight_shift: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The voting luts' integer votes and the per-class bias, from their counts.

    Parameters
    ----------
    counts : int array of shape (n_output_luts, 2**output_k, n_classes)
    weight_shift : int, default=0
        The counts are in units of ``2**-weight_shift`` (scaled sample
        weights, see :mod:`lutlearn.core.training`); every count below is in
        units of one (``count * 2**-weight_shift``).

    Returns
    -------
    votes : uint8 array of shape (n_output_luts, 2**output_k, n_classes)
        ``round(VOTE_SCALE * log((count + ALPHA) / ALPHA))``; at most 209
        for any count below ``2**31``.
    bias : int64 array of shape (n_classes,)
        ``round(VOTE_SCALE * n_output_luts * (log(prior) - log((n_c + ALPHA
        2**output_k) / ALPHA)))``, minus its minimum (so the smallest is 0).
    """
    n_out, size, _ = counts.shape

    def log_ratio(c: np.ndarray, a: float) -> np.ndarray:
        """``log((c * 2**-weight_shift + a) / ALPHA)``; in the log domain when the scaled counts overflow
        (sample weights near 1e308), else as it always was (the same bits)."""
        with np.errstate(over="ignore"):
            scaled = np.ldexp(c.astype(np.float64), -weight_shift)
        if np.isfinite(scaled).all():
            return np.log((scaled + a) / ALPHA)
        with np.errstate(divide="ignore"):
            log_c = np.log(c.astype(np.float64)) - weight_shift * np.log(2.0)
        return np.logaddexp(log_c, np.log(a)) - np.log(ALPHA)

    def vote(c: np.ndarray) -> np.ndarray:
        # saturated at 255: only counts beyond any int32 weight (huge sample weights) reach it
        return np.minimum(np.rint(VOTE_SCALE * log_ratio(c, ALPHA)), 255).astype(np.uint8)

    top = int(counts.max(initial=0))
    if top < 1 << 20:  # a table indexed by the count: 10x faster than a log per entry
        votes = vote(np.arange(top + 1))[counts]
    else:
        votes = vote(counts)
    sums = counts[0].sum(axis=0)
    with np.errstate(divide="ignore"):
        log_prior = np.log(sums.astype(np.float64)) - np.log(float(sums.sum()))  # the same in any unit
    with np.errstate(over="ignore"):
        finite = np.isfinite(np.ldexp(float(sums.sum()), -weight_shift))
    if finite:
        totals = np.ldexp(sums.astype(np.float64), -weight_shift)
        with np.errstate(divide="ignore"):
            log_prior = np.log(totals / totals.sum())
    offset = log_prior - log_ratio(sums, ALPHA * size)
    if np.isneginf(offset).any() and np.isfinite(offset).any():  # a class of no weight at all: it never wins
        offset[np.isneginf(offset)] = offset[np.isfinite(offset)].min() - 64  # 64 nats > any vote (255 / 8)
    bias = np.rint(VOTE_SCALE * n_out * offset).astype(np.int64)
    return votes, bias - bias.min()


@dataclass(eq=False)
class MajorityHead:
    """The paper's output: a single lut whose table entry is the prediction.

    Attributes
    ----------
    counts : int64 array of shape (2**output_k, n_classes)
        Training examples of each class that presented each pattern to the output lut
        (their integer sample weight, when fit with weights).
    weight_shift : int, default=0
        The counts are in units of ``2**-weight_shift`` of a sample weight
        (0 without weights or with whole-number ones; see :mod:`lutlearn.core.training`).
    """

    counts: np.ndarray
    weight_shift: int = 0

    def predict_index(self, patterns: np.ndarray, output_tables: np.ndarray) -> np.ndarray:
        """Class indices from the output lut's patterns ``(n_samples, 1)`` and its table ``(1, 2**k)``."""
        return output_tables[0][patterns[:, 0]]

    @cached_property
    def never_seen(self) -> np.ndarray:
        """Whether no training example presented each pattern (bool, shape (2**output_k,))."""
        return _never_seen(self.counts)

    def unseen(self, patterns: np.ndarray) -> float:
        """The share of examples whose output pattern no training example presented (answered at random)."""
        if patterns.shape[0] == 0:
            return 0.0
        return np.count_nonzero(self.never_seen[patterns[:, 0]]) / patterns.shape[0]

    def predict_proba(self, patterns: np.ndarray) -> np.ndarray:
        """Class frequencies of each example's pattern; 1/C each for a pattern never seen."""
        counts = self.counts[patterns[:, 0]].astype(np.float64)
        totals = counts.sum(axis=1, keepdims=True)
        return np.where(totals > 0, counts / np.maximum(totals, 1), 1.0 / counts.shape[1])

    def predict_log_proba(self, patterns: np.ndarray) -> np.ndarray:
        """Log of :meth:`predict_proba` (``-inf`` for a class never seen with the pattern)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(patterns))

    def decision_function(self, patterns: np.ndarray) -> np.ndarray:
        """``proba[:, 1] - proba[:, 0]``, in [-1, 1]: positive where class 1 was the more frequent (shape (n,))."""
        proba = self.predict_proba(patterns)
        return proba[:, 1] - proba[:, 0]


@dataclass(eq=False)
class VoteHead:
    """The multi-class design's output: voting luts with integer votes (see the module docstring).

    Two rules turn the output luts' tables into votes:

    ``"log"`` (the voting design)
        ``counts`` are class counts; the votes and bias are the rounded
        smoothed log-likelihoods of :func:`vote_weights`.
    ``"sum"`` (the boosted design, ``wiring="boosted"``)
        Every output lut belongs to one class and outputs a value (a bit,
        or with ``output_bits > 1`` a few); ``counts[j, p, c]`` is that value
        for the lut's class and 0 for the others, and is the vote itself (no
        bias): a class's score is the sum of its luts' values (for bits, a
        popcount in hardware).

    Attributes
    ----------
    counts : int32 array of shape (n_output_luts, 2**output_k, n_classes)
        Every voting lut's class counts per pattern (integer sample weights, when fit with weights);
        the ``"sum"`` rule: its vote.
    weight_shift : int, default=0
        As in :class:`MajorityHead` (``"log"`` rule only).
    rule : {"log", "sum"}, default="log"
    proba_scale : float, default=0.0
        The ``"sum"`` rule: ``predict_proba`` is the softmax of the scores times this
        (fitted on the training set; 0 means the ``"log"`` rule's scaling).
    """

    counts: np.ndarray
    weight_shift: int = 0
    rule: str = "log"
    proba_scale: float = 0.0

    @cached_property
    def weights(self) -> tuple[np.ndarray, np.ndarray]:
        """``(votes, bias)``: :func:`vote_weights` (``"log"``), or the counts as they are (``"sum"``); computed once."""
        if self.rule == "sum":
            return self.counts.astype(np.uint8), np.zeros(self.counts.shape[2], np.int64)
        return vote_weights(self.counts, self.weight_shift)

    @cached_property
    def groups(self) -> np.ndarray:
        """The ``"sum"`` rule: the class of every output lut (int64; 0 for a lut that never outputs 1)."""
        return self.counts.max(axis=1).argmax(axis=1).astype(np.int64)

    @cached_property
    def bits(self) -> np.ndarray:
        """The ``"sum"`` rule: every output lut's table (uint8 values, shape (n_output_luts, 2**output_k))."""
        return np.ascontiguousarray(self.counts.max(axis=2).astype(np.uint8))

    def scores(self, patterns: np.ndarray) -> np.ndarray:
        """Integer class scores ``(n_samples, n_classes)``: ``sum_j votes[j, p_j] + bias``."""
        votes, bias = self.weights
        scores = np.zeros((patterns.shape[0], votes.shape[2]), np.int64)
        if self.rule == "sum":  # one class per lut: add its bit there only
            kernels.sum_scores(np.ascontiguousarray(patterns), self.bits, self.groups, scores)
            return scores
        kernels.vote_scores(np.ascontiguousarray(patterns), votes, scores)
        scores += bias
        return scores

    def _nats(self, scores: np.ndarray) -> np.ndarray:
        """The scores in nats: divided by ``VOTE_SCALE * n_output_luts``, or times ``proba_scale`` (``"sum"``)."""
        if self.rule == "sum" and self.proba_scale > 0:
            return scores * float(self.proba_scale)
        return scores / float(VOTE_SCALE * self.counts.shape[0])

    def predict_index(self, patterns: np.ndarray, output_tables: np.ndarray) -> np.ndarray:
        """The argmax of the scores (first maximum)."""
        return self.scores(patterns).argmax(axis=1)

    def unseen(self, patterns: np.ndarray) -> float:
        """The share of (example, output lut) pairs whose pattern no training example presented, on the first
        :data:`UNSEEN_SAMPLE` examples (0 for the ``"sum"`` rule: an unseen pattern outputs 0 there, not a random
        answer). A sample keeps it off ``predict``'s time (1 ms of 25 for 10,000 examples on all of 1,000)."""
        if self.rule == "sum" or patterns.shape[0] == 0:
            return 0.0
        never = self.never_seen
        return float(never[np.arange(never.shape[0])[None, :], patterns[:UNSEEN_SAMPLE]].mean())

    @cached_property
    def never_seen(self) -> np.ndarray:
        """Whether no training example presented each pattern to each output lut (bool, (n_output_luts, 2**k))."""
        return _never_seen(self.counts)

    def predict_proba(self, patterns: np.ndarray) -> np.ndarray:
        """Softmax of the scores divided by ``VOTE_SCALE * n_output_luts`` (``"sum"``: times ``proba_scale``)."""
        z = self._nats(self.scores(patterns))
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)

    def predict_log_proba(self, patterns: np.ndarray) -> np.ndarray:
        """Log of :meth:`predict_proba` (finite everywhere)."""
        z = self._nats(self.scores(patterns))
        z = z - z.max(axis=1, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=1, keepdims=True))

    def decision_function(self, patterns: np.ndarray) -> np.ndarray:
        """The scores in nats (as in :meth:`predict_proba`): (n, C); two classes: class 1's minus class 0's.

        ``predict`` is their argmax (ties to the lowest class); for two classes, class 1 where positive.
        """
        z = self._nats(self.scores(patterns))
        return z[:, 1] - z[:, 0] if z.shape[1] == 2 else z


def _never_seen(counts: np.ndarray) -> np.ndarray:
    """The patterns no training example presented: where a head's class counts (classes last) are all 0."""
    return counts.sum(axis=-1) == 0


def proba_from_scores(scores: np.ndarray, n_output_luts: int) -> np.ndarray:
    """Softmax of each row of integer ``scores`` divided by ``VOTE_SCALE * n_output_luts``."""
    z = scores / float(VOTE_SCALE * n_output_luts)
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


@dataclass(eq=False)
class LutNetwork:
    """A trained network of lookup tables: wiring, tables, accuracies, seed and output head.

    Usable without the estimator: it evaluates 0/1 inputs (uint8 or bool,
    shape ``(n_samples, n_inputs)``, checked by the caller) and returns class
    *indices*; :class:`lutlearn.LutNetworkClassifier` maps them to labels.

    Attributes
    ----------
    n_inputs : int
        Number of input bits.
    n_classes : int
    seed : int
        The 63-bit seed the wiring and every tie-break derive from.
    wires : list of int32 arrays
        ``wires[l]`` (shape ``(n_luts, k)``) says which outputs of layer ``l``
        each lut of layer ``l + 1`` reads (layer 0 is the input); wire 0 is
        the most significant bit of a lut's pattern. The last entry wires the
        output luts.
    tables : list of uint8 arrays
        ``tables[l]`` (shape ``(n_luts, 2**k)``) is the truth table of every
        lut of layer ``l + 1``, as class indices (the output luts' majority
        classes for the last layer).
    head : MajorityHead or VoteHead
    accuracy : list of float64 arrays
        Training accuracy of every lut, layer by layer; entry 0 is the
        input bits' (see :class:`lutlearn.LutNetworkClassifier`).
    sides : list of uint8 arrays or None
        Multi-class design: ``sides[l]`` (shape ``(n_luts, n_classes)``) is
        the side (0/1) of each class for each lut of hidden layer ``l + 1``.
        None for the paper's network.

    Examples
    --------
    >>> import numpy as np
    >>> from lutlearn import LutNetworkClassifier
    >>> X = np.random.default_rng(0).integers(0, 2, size=(200, 8)).astype(np.uint8)
    >>> net = LutNetworkClassifier(k=2, hidden_layers=(), random_state=0).fit(X[:, :2], X[:, 0] ^ X[:, 1]).network_
    >>> net.predict_index(X[:4, :2]).tolist() == (X[:4, 0] ^ X[:4, 1]).tolist()
    True
    """

    n_inputs: int
    n_classes: int
    seed: int
    wires: list
    tables: list
    head: MajorityHead | VoteHead
    accuracy: list
    sides: list | None = None
    _cone: Cone | None = field(default=None, init=False, repr=False)

    def __repr__(self) -> str:
        """The network's shape, not its arrays (``repr`` of the dataclass printed every table)."""
        return (f"LutNetwork(n_inputs={self.n_inputs}, n_classes={self.n_classes}, widths={self.widths}, "
                f"ks={self.ks}, head={type(self.head).__name__}, seed={self.seed})")

    # ------------------------------------------------------------ structure
    @property
    def n_layers(self) -> int:
        """Number of lut layers, the output layer included."""
        return len(self.wires)

    @property
    def widths(self) -> list[int]:
        """Units per layer, the input first and the output luts last."""
        return [self.n_inputs] + [int(w.shape[0]) for w in self.wires]

    @property
    def ks(self) -> list[int]:
        """Lut size of every lut layer."""
        return [int(w.shape[1]) for w in self.wires]

    @property
    def voting(self) -> bool:
        """Whether this is the multi-class design (a :class:`VoteHead`)."""
        return isinstance(self.head, VoteHead)

    def cone(self) -> Cone:
        """The luts the outputs depend on (computed once; the network must not be edited in place after)."""
        if self._cone is None:
            self._cone = Cone.of(self.wires, self.tables)
        return self._cone

    def layer_report(self) -> list[dict]:
        """Per layer (0 is the input): ``layer``, ``count``, ``mean``, ``std``, ``min``, ``max`` of the accuracies."""
        return [
            {
                "layer": layer,
                "count": int(acc.size),
                "mean": float(acc.mean()),
                "std": float(acc.std()),
                "min": float(acc.min()),
                "max": float(acc.max()),
            }
            for layer, acc in enumerate(self.accuracy)
        ]

    def replace(self, **changes) -> "LutNetwork":
        """A new network with some fields replaced (for instance ``tables``); this one is unchanged."""
        return dataclasses.replace(self, **changes)

    # ----------------------------------------------------------- evaluation
    def output_patterns(self, X: np.ndarray, n_jobs: int | None = None) -> np.ndarray:
        """The pattern each example presents to each output lut: uint32 of shape (n_samples, n_output_luts).

        Evaluates only the cone, in chunks of examples carried through
        every layer by one kernel.
        """
        cone = self.cone()
        X = np.ascontiguousarray(X, dtype=np.uint8)
        n = X.shape[0]
        patterns = np.empty((n, int(cone.widths[-1])), np.uint32)
        if n == 0:
            return patterns
        hidden_k = int(cone.ks[:-1].max()) if len(cone.ks) > 1 else 0
        with _workspace.numba_threads(n_jobs) as n_threads:
            chunk = _workspace.predict_chunk(n, hidden_k, n_threads)
            max_width = int(max(cone.inputs.shape[0], cone.widths.max()))
            bufs, pbufs = _workspace.predict_buffers(n, max_width, int(cone.ks.max()), n_threads, chunk)
            kernels.predict_network(
                X, cone.inputs, cone.widths, cone.ks, cone.wire_off, cone.wires,
                cone.table_off, cone.tables, chunk, bufs, pbufs, patterns,
            )
        return patterns

    def predict_index(self, X: np.ndarray, n_jobs: int | None = None) -> np.ndarray:
        """Predicted class index of each example."""
        patterns = self.output_patterns(X, n_jobs)
        with _workspace.numba_threads(n_jobs):
            return self.head.predict_index(patterns, self.tables[-1])

    def predict_index_unseen(self, X: np.ndarray, n_jobs: int | None = None) -> tuple[np.ndarray, float]:
        """Predicted class indices, and the share of output patterns that training never showed (the head's
        ``unseen``)."""
        patterns = self.output_patterns(X, n_jobs)
        with _workspace.numba_threads(n_jobs):
            return self.head.predict_index(patterns, self.tables[-1]), self.head.unseen(patterns)

    def predict_proba(self, X: np.ndarray, n_jobs: int | None = None) -> np.ndarray:
        """Class probabilities of each example (see the heads)."""
        return self._head_call("predict_proba", X, n_jobs)

    def predict_log_proba(self, X: np.ndarray, n_jobs: int | None = None) -> np.ndarray:
        """Log class probabilities of each example (see the heads)."""
        return self._head_call("predict_log_proba", X, n_jobs)

    def decision_function(self, X: np.ndarray, n_jobs: int | None = None) -> np.ndarray:
        """Confidence scores of each example (see the heads): shape (n,) for two classes, else (n, C)."""
        return self._head_call("decision_function", X, n_jobs)

    def _head_call(self, method: str, X: np.ndarray, n_jobs: int | None) -> np.ndarray:
        patterns = self.output_patterns(X, n_jobs)
        with _workspace.numba_threads(n_jobs):
            return getattr(self.head, method)(patterns)

    def layer_values(self, X: np.ndarray, n_jobs: int | None = None) -> list[np.ndarray]:
        """Every value inside the cone, layer by layer (a probe: slower than :meth:`output_patterns`).

        Returns
        -------
        values : list of arrays
            ``values[0]`` is the inputs the cone reads (uint8, shape
            ``(len(cone().inputs), n_samples)``, feature-major), ``values[l]``
            the kept luts of hidden layer ``l`` (uint8, ``(len(cone().keep[l
            - 1]), n_samples)``), and the last entry the pattern each output
            lut sees (uint32, ``(n_output_luts, n_samples)``).
        """
        cone = self.cone()
        A = np.ascontiguousarray(np.asarray(X, dtype=np.uint8)[:, cone.inputs].T)
        values = [A]
        layers = cone.layers()
        with _workspace.numba_threads(n_jobs):
            for wires, tables in layers[:-1]:
                out = np.empty((wires.shape[0], A.shape[1]), np.uint8)
                kernels.predict_layer(A, wires, tables, False, out)
                values.append(out)
                A = out
        values.append(np.stack([kernels.pattern_index(A, w) for w in layers[-1][0]]))
        return values
