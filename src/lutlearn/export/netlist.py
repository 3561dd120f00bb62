"""A fitted network as a flat netlist of Boolean luts, simplified, ready to be written as a circuit.

Signals are numbered: ``0 .. n_inputs - 1`` are the model's input bits (all
``n_features_in_`` of them, used or not, so an exported circuit is a drop-in
replacement), and ``n_inputs + j`` is the output of lut ``j``. Luts are in
topological order; lut ``j`` reads the signals ``inputs[0], inputs[1], ...``,
with ``inputs[0]`` the most significant bit of its pattern, and outputs
``table[pattern]`` (0 or 1).

Outputs (the class encoding of every exported format): output ``b`` is bit
``b`` (least significant first) of the predicted class index ``c``, and the
predicted label is ``classes[c]``. A two-class model has one output, 1
meaning ``classes[1]``; a model with ``C > 2`` classes has
``ceil(log2(C))`` outputs (an index of ``C`` or more never comes out).

Multi-class models (:class:`lutlearn.core.model.VoteHead`) predict the class with the
largest integer score ``sum_j votes[j, p_j, c] + bias[c]``. Their circuit
computes exactly that: every bit of every output lut's vote is a lut over
that output lut's inputs, the bits of each class are summed with the bias
by an adder tree of full adders (:mod:`lutlearn.export.arithmetic`), and a
tournament of comparators picks the largest score, the lowest class index
winning ties, as ``predict`` does. Its size grows as ``n_output_luts x
n_classes x 2**output_k``: for circuits, choose a small ``output_k`` and
few output luts.

:meth:`LutNetlist.from_model` keeps only the output's cone and simplifies
lut by lut, which never changes the function: constant inputs are folded
into the tables, inputs a table ignores are dropped, a signal read twice by
one lut is read once, constant luts and buffers disappear, identical luts
are merged, and luts nothing depends on are removed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lutlearn.core.model import LutNetwork
from lutlearn.export.arithmetic import LutBuilder, add_columns, argmax


def _restrict(T: np.ndarray, axis: int, value: int) -> np.ndarray:
    return np.take(T, value, axis=axis)


def _simplify_lut(ins: list, T: np.ndarray) -> tuple[list[int], np.ndarray]:
    """Fold constants (given as ``("const", c)`` inputs), merge repeated inputs, drop ignored ones.

    ``T`` has one axis of length 2 per input, axis 0 for ``ins[0]``. Returns
    the remaining signal inputs (sorted) and the table over them, flattened
    with the first input as the most significant bit.
    """
    T = T.reshape((2,) * len(ins)) if ins else T.reshape(())
    ins = list(ins)
    i = 0
    while i < len(ins):  # constants
        if isinstance(ins[i], tuple):
            T = _restrict(T, i, ins[i][1])
            del ins[i]
        else:
            i += 1
    i = 0
    while i < len(ins):  # a signal read twice: keep the diagonal
        j = ins.index(ins[i], i + 1) if ins[i] in ins[i + 1:] else -1
        if j >= 0:
            T = np.moveaxis(np.diagonal(T, axis1=i, axis2=j), -1, i)
            del ins[j]
        else:
            i += 1
    i = 0
    while i < len(ins):  # inputs the table ignores
        if np.array_equal(_restrict(T, i, 0), _restrict(T, i, 1)):
            T = _restrict(T, i, 0)
            del ins[i]
        else:
            i += 1
    order = np.argsort(ins, kind="stable")
    T = np.transpose(T, order) if len(ins) > 1 else T
    return [int(ins[o]) for o in order], np.ascontiguousarray(T, dtype=np.uint8).reshape(-1)


@dataclass
class VoteLayout:
    """The multi-class vote before its arithmetic, for writers that express the sums and argmax as vectors.

    Attributes
    ----------
    bits : LutNetlist
        A netlist over the same inputs whose outputs are the vote bits.
    terms : list of list of (int, int)
        For each class, its vote values: ``(first, n)`` means the unsigned
        number whose bits (least significant first) are outputs ``first ..
        first + n - 1`` of ``bits``.
    bias : list of int
        Each class's bias.
    width : int
        Bits of a score (the largest score fits).
    """

    bits: "LutNetlist"
    terms: list
    bias: list
    width: int


@dataclass
class LutNetlist:
    """A combinational circuit of Boolean luts (see the module docstring for numbering and outputs).

    Attributes
    ----------
    n_inputs : int
        Number of primary inputs.
    luts : list of (int ndarray, uint8 ndarray)
        Each lut's input signals and truth table (length ``2**len(inputs)``).
    outputs : list of int
        The signal of each output bit.
    classes : ndarray
        Labels: class index ``c`` (from the output bits) means ``classes[c]``.
    vote : VoteLayout or None
        Multi-class models: the vote bits and how they add up (the same
        function as ``luts``, before the arithmetic became luts).
    """

    n_inputs: int
    luts: list
    outputs: list
    classes: np.ndarray
    vote: VoteLayout | None = None

    @classmethod
    def from_model(cls, model) -> "LutNetlist":
        """The simplified netlist of a fitted :class:`~lutlearn.LutNetworkClassifier`'s output cone."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(model)
        return cls.from_network(model.network_, np.asarray(model.classes_))

    @classmethod
    def from_network(cls, network: LutNetwork, classes: np.ndarray) -> "LutNetlist":
        """The simplified netlist of a :class:`~lutlearn.LutNetwork`'s output cone; ``classes`` name the class
        indices."""
        n_in = int(network.n_inputs)
        b = LutBuilder(n_in)
        cone = network.cone()
        below = [int(i) for i in cone.inputs]
        layers = cone.layers()
        n_layers = len(layers)
        layout = None
        for layer, (wires, tables) in enumerate(layers, start=1):
            if layer == n_layers and network.voting:
                votes, bias = network.head.weights
                layout = []
                counter = 6 if network.head.rule == "sum" else 3  # the boosted design's popcounts
                below = _voting_outputs(b, [[below[i] for i in w] for w in wires], votes, bias, layout, counter)
                break
            here = []
            for w, t in zip(wires, tables):
                ins = [below[i] for i in w]
                if layer < n_layers:
                    if t.max() > 1:
                        raise ValueError(
                            f"layer {layer} luts output class indices above 1; exporting multi-valued "
                            "hidden luts is not supported"
                        )
                    here.append(b.lut(ins, t))
                else:
                    n_bits = max(1, int(len(classes) - 1).bit_length())
                    here.extend(b.lut(ins, (t >> i) & 1) for i in range(n_bits))
            below = here
        net = cls._simplified(n_in, b.luts, below, classes)
        if layout is not None:
            terms_bits, width = layout
            flat = [s for terms in terms_bits for bits in terms for s in bits]
            terms, first = [], 0
            for class_terms in terms_bits:
                terms.append([])
                for bits in class_terms:
                    terms[-1].append((first, len(bits)))
                    first += len(bits)
            bias = [int(v) for v in network.head.weights[1]]
            net.vote = VoteLayout(cls._simplified(n_in, b.luts, flat, classes), terms, bias, width)
        return net

    @classmethod
    def _simplified(cls, n_in: int, raw, outputs, classes) -> "LutNetlist":
        """Simplify ``raw`` luts (signal numbering as in the class) and drop what the outputs do not need."""
        resolved: dict[int, object] = {}  # raw signal -> new signal or ("const", c)
        luts: list[tuple[list[int], np.ndarray]] = []
        seen: dict[tuple, int] = {}

        def ref(s: int):
            return s if s < n_in else resolved[s]

        for j, (ins, t) in enumerate(raw):
            new_ins, T = _simplify_lut([ref(s) for s in ins], np.asarray(t, np.uint8))
            if not new_ins:
                resolved[n_in + j] = ("const", int(T[0]))
            elif len(new_ins) == 1 and T[0] == 0 and T[1] == 1:
                resolved[n_in + j] = new_ins[0]
            else:
                key = (tuple(new_ins), T.tobytes())
                if key not in seen:
                    luts.append((new_ins, T))
                    seen[key] = n_in + len(luts) - 1
                resolved[n_in + j] = seen[key]
        outs = []
        for s in outputs:
            r = ref(s)
            if isinstance(r, tuple):  # a constant output becomes a 0-input lut
                luts.append(([], np.array([r[1]], np.uint8)))
                r = n_in + len(luts) - 1
            outs.append(r)
        # keep only what the outputs need, renumbered in the same order
        live = np.zeros(len(luts), bool)
        stack = [s - n_in for s in outs if s >= n_in]
        while stack:
            j = stack.pop()
            if not live[j]:
                live[j] = True
                stack.extend(s - n_in for s in luts[j][0] if s >= n_in)
        new_id = np.full(len(luts), -1, np.int64)
        new_id[live] = np.arange(int(live.sum())) + n_in

        def renum(s: int) -> int:
            return s if s < n_in else int(new_id[s - n_in])

        kept = [
            (np.array([renum(s) for s in ins], np.int64), T) for (ins, T), a in zip(luts, live) if a
        ]
        return cls(n_inputs=n_in, luts=kept, outputs=[renum(s) for s in outs], classes=classes)

    @property
    def n_outputs(self) -> int:
        return len(self.outputs)

    def levels(self) -> np.ndarray:
        """The logic level of every signal: 0 for an input, ``1 + max`` over its inputs for a lut.

        Returns
        -------
        levels : int64 ndarray of shape (n_inputs + n_luts,)
            The depth of the circuit is ``levels[outputs].max()`` (0 for a
            circuit whose outputs are inputs).
        """
        lv = np.zeros(self.n_inputs + len(self.luts), np.int64)
        for j, (ins, _) in enumerate(self.luts):
            lv[self.n_inputs + j] = 1 + (int(lv[np.asarray(ins, np.int64)].max()) if len(ins) else 0)
        return lv

    def evaluate(self, X) -> np.ndarray:
        """Output bits for each row of ``X`` (plain NumPy, the oracle of the writers' tests).

        Returns
        -------
        bits : uint8 ndarray of shape (n_samples, n_outputs)
        """
        X = np.asarray(X, dtype=np.uint8)
        values = np.empty((self.n_inputs + len(self.luts), X.shape[0]), np.uint8)
        values[: self.n_inputs] = X.T
        for j, (ins, T) in enumerate(self.luts):
            p = np.zeros(X.shape[0], np.int64)
            for s in ins:
                p = (p << 1) | values[s]
            values[self.n_inputs + j] = T[p]
        return values[self.outputs].T.copy()

    def predict(self, X) -> np.ndarray:
        """Labels the circuit computes for each row of ``X``."""
        return self.classes[bits_to_index(self.evaluate(X))]


def _voting_outputs(
    b: LutBuilder, inputs: list[list[int]], votes: np.ndarray, bias: np.ndarray, layout: list | None = None,
    counter: int = 3,
) -> list[int]:
    """Class-index bits of the multi-class vote: argmax over classes of ``sum_j votes[j, p_j, c] + bias[c]``.

    ``inputs[j]`` are the signals output lut ``j`` reads. Each set bit of a
    vote becomes a lut over those inputs; the score adders are as wide as
    the largest score can be, so they never overflow. ``layout``, if given,
    gets ``[terms, width]``: for each class the vote bits of each output lut
    (least significant first), and the score width. ``counter`` is the
    adder trees' widest parallel counter (:func:`~lutlearn.export.arithmetic.add_columns`).
    """
    n_out, _, n_classes = votes.shape
    top = [int(votes[:, :, c].max(axis=1).astype(np.int64).sum()) + int(bias[c]) for c in range(n_classes)]
    width = max(1, max(top).bit_length())
    scores = []
    terms: list[list[list[int]]] = []
    for c in range(n_classes):
        columns: list[list[int]] = [[] for _ in range(width)]
        terms.append([])
        for j in range(n_out):
            v = votes[j, :, c]
            bits = [b.lut(inputs[j], (v >> i) & 1) for i in range(int(v.max()).bit_length())]
            for i, s in enumerate(bits):
                columns[i].append(s)
            if bits:
                terms[-1].append(bits)
        for i in range(width):
            if (int(bias[c]) >> i) & 1:
                columns[i].append(b.const(1))
        scores.append(add_columns(b, columns, width, counter))
    if layout is not None:
        layout[:] = [terms, width]
    return argmax(b, scores)


def bits_to_index(bits: np.ndarray) -> np.ndarray:
    """Class indices from output bits of shape (n_samples, n_outputs), bit 0 least significant."""
    bits = np.asarray(bits, np.int64)
    return (bits << np.arange(bits.shape[1])).sum(axis=1)
