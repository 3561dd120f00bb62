"""Multi-class classifiers as one AIG under an AND budget: boosted luts, a popcount per class, their argmax.

:func:`fit_multiclass_circuit` learns a classifier of any number of classes
as a single and-inverter graph of at most ``max_and_gates`` ANDs. Its
candidates are the boosted designs of the frontier page
(``LutNetworkClassifier(wiring="boosted")``: one-bit output luts grown one
at a time by boosting by counting, each a vote for its class), exported as
every multi-class lutlearn circuit is (:mod:`lutlearn.export.netlist`: the
luts, an adder tree per class, a tournament of comparators). Each lut size
and learning rate is a family whose number of luts doubles from two per
class until the circuit (counted after ABC) overflows the budget; one more design, sized by
interpolating the gate counts of the last two steps, fills the budget. The
best on the validation examples wins, and its circuit is optimised by ABC.

Inputs and outputs:

* the circuit reads the model's input bits, or, given an ``encoder`` (a
  :class:`~lutlearn.export.encoder.InputEncoder`), raw unsigned integer
  features (feature ``f`` bit ``b`` at input ``f * feature_bits + b``,
  least significant first), each network input bit being ``feature >
  constant``. With a threshold of 127 on 8-bit pixels, the bit is the
  pixel's top bit and costs no gate;
* outputs are the class index in binary (least significant first, as every
  lutlearn circuit), or with ``one_hot`` one output per class, exactly one
  of them 1: the format of the IWLS 2021 contest, which learned CIFAR-10 as
  an AIG of at most 10,000, 100,000 and 1,000,000 ANDs from the images'
  8-bit pixels and read the first output that is 1 as the class.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field

import numpy as np

from lutlearn.circuits.search import RAW_SLACK, _abc_count, _abc_settings, _abc_smaller

__all__ = ["MulticlassCircuit", "circuit_predict", "fit_multiclass_circuit"]


def circuit_predict(outputs: np.ndarray, classes: np.ndarray, one_hot: bool) -> np.ndarray:
    """Labels from a circuit's output bits (n_samples, n_outputs): the class index in binary, or with
    ``one_hot`` the first output that is 1 (a row with none gets ``-1`` when labels are integers, which no
    class has, else None)."""
    from lutlearn.export.netlist import bits_to_index

    outputs, classes = np.asarray(outputs, np.uint8), np.asarray(classes)
    if not one_hot:
        return classes[bits_to_index(outputs)]
    integer = np.issubdtype(classes.dtype, np.integer)
    labels = classes[np.argmax(outputs, axis=1)].astype(np.int64 if integer else object)
    labels[~outputs.any(axis=1)] = -1 if integer else None
    return labels


@dataclass
class MulticlassCircuit:
    """The classifier chosen by :func:`fit_multiclass_circuit` and its circuit.

    Attributes
    ----------
    model : LutNetworkClassifier
        The chosen boosted design, fitted on the training examples' bits
        (and the validation examples' when ``refitted``).
    encoder : InputEncoder or None
        The comparators in front of the network (None: the circuit reads bits).
    aig : bytes
        The circuit, a binary AIGER file (optimised by ABC when it ran).
    and_gates : int
        AND gates of ``aig``.
    one_hot : bool
        Whether the outputs are one per class (else the class index in binary).
    valid_accuracy : float
        Of the chosen design, on the validation examples (measured before any refit).
    refitted : bool
        Whether the circuit is the chosen design fitted again on training +
        validation examples (``refit=True``, when that circuit fits the budget too).
    candidates : list of dict
        Every design tried: ``k``, ``n_output_luts``, ``valid_accuracy``,
        ``and_gates_raw``, ``and_gates`` (None when not counted), ``fits``
        and ``seconds``.
    abc : bool
        Whether ABC counted and optimised the circuits.
    """

    model: object
    encoder: object
    aig: bytes
    and_gates: int
    one_hot: bool
    valid_accuracy: float
    candidates: list = field(default_factory=list)
    abc: bool = False
    refitted: bool = False

    @property
    def classes(self) -> np.ndarray:
        return np.asarray(self.model.classes_)

    def predict(self, X) -> np.ndarray:
        """Labels the circuit computes for ``X`` (raw features when there is an encoder, else bits), by
        simulating the AIG."""
        from lutlearn.export.aiger import parse_aiger

        bits = self.encoder.raw_bits(X) if self.encoder is not None else np.asarray(X, np.uint8)
        return circuit_predict(parse_aiger(self.aig).evaluate(bits), self.classes, self.one_hot)

    def score(self, X, y) -> float:
        """Accuracy of the circuit's labels on ``X, y``."""
        return float((self.predict(X) == np.asarray(y)).mean())


def _design(k: int, n_luts: int, learning_rate: float, wiring_candidates: int, seed: int, output_bits: int = 1,
            n_jobs: int | None = 1):
    from lutlearn.core.estimator import LutNetworkClassifier

    return LutNetworkClassifier(wiring="boosted", n_output_luts=n_luts, output_k=k, learning_rate=learning_rate,
                                wiring_candidates=wiring_candidates, output_bits=output_bits, random_state=seed,
                                n_jobs=n_jobs)


class _Sizes:
    """The luts of one family's steps: doubling from ``start``, then one step filling the budget."""

    def __init__(self, start: int, most: int, budget: int, multiple: int = 1):
        self.next: int | None = start
        self.most, self.budget, self.multiple = most, budget, multiple
        self.fit: tuple[int, int] | None = None  # (luts, gates) of the largest step within budget
        self.filled = False

    def record(self, n: int, gates: int | None, fits: bool) -> None:
        if fits:
            self.fit = (n, gates)
            self.next = 2 * n if 2 * n <= self.most and not self.filled else None
            return
        self.next = None
        if self.filled or self.fit is None or gates is None:
            return
        (n0, g0), self.filled = self.fit, True
        # gates grow about linearly with the luts: aim just under the budget
        guess = n0 + (n - n0) * (self.budget - g0) / max(gates - g0, 1)
        n_fill = int(0.97 * guess) // self.multiple * self.multiple  # weighted votes: as many luts per class
        if n0 < n_fill < n:
            self.next = n_fill


def fit_multiclass_circuit(
    X, y, X_valid, y_valid, max_and_gates: int, *, ks=(4, 5, 6), learning_rates=(0.2, 0.5), encoder=None,
    one_hot: bool = False, wiring_candidates: int = 256, max_luts: int = 65536, random_state: int = 0,
    output_bits: int = 1, start_luts: int | None = None, n_jobs: int | None = 1, refit: bool = False,
    use_abc: bool | None = None, abc_script: str | None = None, progress: bool | None = None,
) -> MulticlassCircuit:
    """The boosted design with the best validation accuracy whose AIG has at most ``max_and_gates`` ANDs.

    Parameters
    ----------
    X, y : array-like
        Training examples: 0/1 inputs, or raw unsigned integer features when
        ``encoder`` is given; any number of classes.
    X_valid, y_valid : array-like
        Validation examples, which choose the design.
    max_and_gates : int
        The budget of AND gates of the whole circuit.
    ks : sequence of int, default=(4, 5, 6)
        Lut sizes.
    learning_rates : sequence of float, default=(0.2, 0.5)
        Shrinkages (``LutNetworkClassifier``'s ``learning_rate``); every
        lut size and learning rate is a family. On 10-class MNIST 0.5 did
        better, on CIFAR-10 0.2.
    encoder : InputEncoder or None, default=None
        Comparators computing the network's input bits from raw features
        (:meth:`lutlearn.export.encoder.InputEncoder.from_encoder` of a
        fitted ``ThresholdBinarizer`` or ``ThermometerEncoder``); they are
        part of the circuit and of its budget.
    one_hot : bool, default=False
        One output per class (the IWLS 2021 contest's format) instead of
        the class index in binary.
    wiring_candidates : int, default=256
        Of every boosted design (``LutNetworkClassifier``'s parameter).
    max_luts : int, default=65536
        Most luts a design may have.
    random_state : int, default=0
        The seed of every design.
    output_bits : int, default=1
        Bits of every lut's vote (``LutNetworkClassifier``'s ``output_bits``:
        1, the one-bit luts, or a small weight; 3 did better on CIFAR-10 on
        the frontier page).
    start_luts : int or None, default=None
        The luts of every family's first design (None: two per class; with
        ``output_bits`` > 1 a multiple of the classes, and every design has
        as many luts per class). A large budget is reached in fewer
        doublings from a larger start.
    n_jobs : int or None, default=1
        Threads of every design's fit (None: all cores; the same designs whatever the number).
    refit : bool, default=False
        Fit the chosen design (lut size, learning rate, number of luts,
        seed) again on training + validation examples, and keep that
        circuit when it fits the budget too (its gates counted the same
        way); the validation accuracy reported stays the one that chose it.
    use_abc, abc_script
        As in :func:`~lutlearn.circuits.search.fit_circuit`: count gates
        after ABC's optimisation (None: when ABC is installed).
    progress : bool or None, default=None
        Print a line per design tried on stderr (None: when stderr is a terminal).

    Returns
    -------
    MulticlassCircuit
    """
    import sys

    from lutlearn.export.aiger import Aig
    from lutlearn.export.netlist import LutNetlist

    if max_and_gates < 0:
        raise ValueError(f"max_and_gates must be >= 0, got {max_and_gates}")
    if not ks or any(not 1 <= int(k) <= 16 for k in ks):
        raise ValueError(f"ks must be lut sizes between 1 and 16; got {ks}")
    if not learning_rates or any(not 0 < float(r) <= 1 for r in learning_rates):
        raise ValueError(f"learning_rates must be in (0, 1]; got {learning_rates}")
    if not 1 <= output_bits <= 8 or (start_luts is not None and not 1 <= start_luts <= max_luts):
        raise ValueError(f"output_bits must be 1 to 8 and start_luts None or 1 to max_luts ({max_luts}); got "
                         f"{output_bits} and {start_luts}")
    use_abc, abc_script = _abc_settings(use_abc, abc_script)
    bits = encoder.encode(X) if encoder is not None else np.asarray(X, np.uint8)
    bits_valid = encoder.encode(X_valid) if encoder is not None else np.asarray(X_valid, np.uint8)
    y, y_valid = np.asarray(y), np.asarray(y_valid)
    n_classes = len(np.unique(y))
    if n_classes < 2:
        raise ValueError("the training examples have one class: there is nothing to learn")
    if output_bits > 1 and start_luts is not None and start_luts % n_classes:
        raise ValueError(f"with output_bits > 1 every class has as many luts: start_luts must be a multiple of the "
                         f"{n_classes} classes, got {start_luts}")
    show = sys.stderr.isatty() if progress is None else progress
    candidates, best = [], None

    def design(k: int, n: int, rate: float):
        return _design(k, n, rate, wiring_candidates, random_state, output_bits, n_jobs)

    def circuit(model) -> Aig:
        return Aig.from_netlist(LutNetlist.from_model(model), encoder=encoder, one_hot=n_classes if one_hot else 0)

    with tempfile.TemporaryDirectory() as tmp:
        for k, rate in ((int(k), float(r)) for k in ks for r in learning_rates):
            sizes = _Sizes(2 * n_classes if start_luts is None else start_luts, max_luts, max_and_gates,
                           n_classes if output_bits > 1 else 1)
            while sizes.next is not None:
                n, t0 = sizes.next, time.perf_counter()
                model = design(k, n, rate).fit(bits, y)
                aig = circuit(model)
                valid = float(model.score(bits_valid, y_valid))
                gates, data = aig.n_ands, None
                if use_abc and aig.n_ands <= RAW_SLACK * max_and_gates:  # every count after ABC: comparable
                    gates, data = _abc_count(aig.to_bytes(), tmp, abc_script)
                elif aig.n_ands > max_and_gates:
                    gates = None
                fits = gates is not None and gates <= max_and_gates
                candidates.append({"k": k, "learning_rate": rate, "n_output_luts": n, "valid_accuracy": valid,
                                   "and_gates_raw": aig.n_ands, "and_gates": gates, "fits": fits,
                                   "seconds": round(time.perf_counter() - t0, 3)})
                if show:
                    counted = gates if gates is not None else ">"
                    print(f"  k={k} rate={rate} luts={n}: valid {valid:.4f}, {counted} ANDs "
                          f"(raw {aig.n_ands}){'' if fits else ', over the budget'}", file=sys.stderr)
                if fits and (best is None or (valid, -gates) > (best[0], -best[1])):
                    best = (valid, gates, model, data or aig.to_bytes(), data is not None)
                sizes.record(n, gates, fits)
        if best is None:
            raise ValueError(f"no design fits in {max_and_gates} AND gates (the smallest, "
                             f"{candidates[0]['n_output_luts']} luts, had {candidates[0]['and_gates_raw']} before ABC)")
        valid, gates, model, data, optimised = best
        if use_abc and not optimised:
            data, gates = _abc_smaller(data, gates, tmp, abc_script)
        refitted = False
        if refit:
            again = design(model.output_k, model.n_output_luts, model.learning_rate).fit(
                np.concatenate([bits, bits_valid]), np.concatenate([y, y_valid]))
            aig = circuit(again)
            more_data, more_gates = aig.to_bytes(), aig.n_ands
            if use_abc:
                more_data, more_gates = _abc_smaller(more_data, more_gates, tmp, abc_script)
            if show:
                print(f"  refit on training + validation examples: {more_gates} ANDs"
                      f"{'' if more_gates <= max_and_gates else ', over the budget: not kept'}", file=sys.stderr)
            if more_gates <= max_and_gates:
                model, data, gates, refitted = again, more_data, more_gates, True
    return MulticlassCircuit(model, encoder, data, gates, bool(one_hot), valid, candidates, use_abc, refitted)
