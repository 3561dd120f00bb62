"""The estimator: :class:`LutNetworkClassifier`, a validated scikit-learn shell around a :class:`~lutlearn.LutNetwork`.

It checks parameters and inputs, encodes labels, and delegates: training to
:func:`lutlearn.core.training.train` (in memory, or on Dask through
:class:`lutlearn.core.scale.DaskBackend`), prediction to the fitted
:class:`~lutlearn.core.model.LutNetwork` in :attr:`network_`, files to
:mod:`lutlearn.core.persistence`.
"""

from __future__ import annotations

import sys
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from lutlearn.core import _workspace, persistence, training
from lutlearn.core._validation import as_bits
from lutlearn.core.model import LutNetwork
from lutlearn.core.training import MAX_K

__all__ = ["LutNetworkClassifier", "load"]

#: Learned attributes that are views of ``network_`` (read-only properties).
_DERIVED = ("seed_", "wires_", "tables_", "output_counts_", "dichotomies_", "lut_accuracy_", "layer_report_")


def _is_dask(X) -> bool:
    """True for Dask collections (fit and predict then run on Dask; see :mod:`lutlearn.core.scale`)."""
    return "dask" in sys.modules and type(X).__module__.startswith("dask")


def _network_view(name: str, doc: str, get):
    def fget(self):
        net = self.__dict__.get("network_")
        if net is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r} (not fitted)")
        return get(net)

    return property(fget, doc=doc)


def _warn_unseen(share: float, network: LutNetwork) -> None:
    """Warn when ``share`` of the examples presented output-lut patterns training never showed."""
    if share > training.UNSEEN_WARN:
        ks = network.ks
        sizes = f"k={ks[0]}" + (f", output_k={ks[-1]}" if ks[-1] != ks[0] else "")
        warnings.warn(
            f"{share:.0%} of these examples present an output-lut pattern that no training example showed, and the "
            f"network answers those at random: its luts ({sizes}) are too large for its training set. Use smaller "
            "luts, for example k='auto' (sized by the number of training examples).",
            training.UnseenPatternsWarning, stacklevel=3,
        )


def _warn_small(n_samples: int, ks: list[int]) -> None:
    """Warn at fit when there are fewer training examples than patterns of the largest lut."""
    if n_samples < 2 ** max(ks):
        warnings.warn(
            f"{n_samples} training examples for luts of {max(ks)} inputs ({2 ** max(ks)} patterns each): most "
            "patterns will never be seen in training and are answered at random. Use smaller luts, for example "
            f"k='auto' (k={training.auto_k(n_samples, max(ks))} here).",
            training.UnseenPatternsWarning, stacklevel=3,
        )


def _sides(net: LutNetwork):
    if net.sides is None:
        raise AttributeError("'LutNetworkClassifier' object has no attribute 'dichotomies_' (not a multi-class design)")
    return net.sides


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
    :mod:`lutlearn.core.training`: hidden luts each learn, by counting, a random
    two-way grouping of the classes (so their outputs stay bits), and
    ``n_output_luts`` output luts vote with their class counts.

    The fitted network is one object, :attr:`network_` (a
    :class:`~lutlearn.LutNetwork`); the other learned attributes below are
    read-only views of it.

    Parameters
    ----------
    k : int, "auto" or None, default=None
        Number of inputs of every hidden lut (the paper's lut size). None
        means 8 for two classes and 6 for more. ``"auto"`` sizes the luts
        for the training set: the largest ``k`` up to that default (at least
        2) whose ``2**k`` patterns get 16 training examples each on average,
        ``k = floor(log2(n_samples / 16))``; an unset ``output_k`` is sized
        the same way (see :func:`lutlearn.core.training.auto_k`). A lut sees at
        most ``n_samples`` of its ``2**k`` patterns and answers the others at
        random, so luts too large for the data learn little. An
        :class:`~lutlearn.core.training.UnseenPatternsWarning` says so: from
        ``fit`` when there are fewer training examples than patterns of a
        lut, from ``predict`` when more than a quarter of the examples
        present an output-lut pattern that training never showed.
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
    wiring : {"random", "greedy", "boosted"}, default="random"
        How each lut picks its ``k`` inputs among the outputs of the layer
        below. ``"random"``: uniformly at random, the paper's network (the
        model is the same, bit for bit, as before this option existed).
        ``"greedy"`` (*chosen support*; two classes, one output lut, data in
        memory): layer by layer, once the layer below's training values
        exist, each lut starts from a different well-scoring input and adds
        inputs one at a time, each the candidate that most raises its
        two-fold cross-validated accuracy (counts of one half of the
        training set predicting the other), stopping when none raises it;
        still counting, no gradients. The rule is in
        :func:`lutlearn.core.training.greedy_wiring`.
        ``"boosted"`` (*boosting by counting*; any number of classes, data in
        memory): the output luts are grown one at a time, each class's in
        turn on its own example weights. Each output lut belongs to one
        class and outputs a bit ("this class?"); it picks its ``output_k``
        inputs greedily, each time the one that most lowers the weighted
        error of its table; its table is the weighted majority per pattern
        (0 for a pattern never seen); then the weight of every example it
        gets wrong grows as in discrete AdaBoost. A class's score is the
        number of its luts that output 1, and ``predict`` is the class with
        the highest score (ties to the lowest class): in hardware one lut
        per output lut, a popcount per class and an argmax. Defaults:
        no hidden layers, ``output_k=6`` and 64 output luts per class; see
        :func:`lutlearn.core.training.boost_layer`.
    wiring_candidates : int or None, default=None
        With ``wiring="greedy"``: how many inputs of the layer below, drawn
        at random per lut, each lut may choose from (None: all of them).
        With ``wiring="boosted"``: the same for every output lut (None: 256).
        Smaller is faster; choosing costs about ``n_luts * wiring_candidates
        * k * n_samples`` steps per layer.
    output_bits : int, default=1
        With ``wiring="boosted"``: bits of each output lut's value. 1:
        discrete AdaBoost, a bit per lut, the class score a popcount. ``b >
        1``: real AdaBoost, every table entry one of ``2**b - 1`` values (half
        the weighted log-odds of its pattern, quantized), the class score
        their sum; ``n_output_luts`` must then be a multiple of the number
        of classes. More accurate per lut, ``b`` luts per output lut in
        hardware. Ignored by the other wirings.
    learning_rate : float, default=1.0
        With ``wiring="boosted"``: how much each output lut adds, in (0, 1]
        (shrinkage: smaller needs more luts and usually generalizes
        better, most of all on noisy data such as CIFAR-10). With one
        output bit, the weight ratio of the examples a lut gets wrong is
        raised to this power; with more, the table values are half the
        log-odds clipped to ``[-learning_rate, learning_rate]`` nats. 1 is
        plain AdaBoost. Ignored by the other wirings.
    random_state : int, RandomState instance or None, default=None
        Fixes the wiring and the tie-breaking. The same value gives a
        bit-identical model, whatever ``n_jobs`` is.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in every lut's counts: ``{label: weight}``
        (labels not listed weigh 1), or ``"balanced"``, ``n_samples /
        (n_classes * np.bincount(y))``. Multiplied with ``sample_weight`` in
        :meth:`fit`; see there for how weights are counted.
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
    network_ : LutNetwork
        The fitted network: wiring, tables, accuracies, seed and output head.
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

    Sample and class weights make every count a weighted count (all
    designs, in memory and on Dask). Whole-number weights count exactly as
    repeated examples; other weights are rounded to a fine fixed-point grid
    first (the rule is in :mod:`lutlearn.core.training`), so the model is still
    bit-identical whatever ``n_jobs`` or backend.

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
        "k": [Interval(Integral, 1, MAX_K, closed="both"), StrOptions({"auto"}), None],
        "hidden_layers": ["array-like", None],
        "output_k": [Interval(Integral, 1, MAX_K, closed="both"), None],
        "n_output_luts": [Interval(Integral, 1, None, closed="left"), None],
        "wiring": [StrOptions(set(training.WIRINGS))],
        "wiring_candidates": [Interval(Integral, 1, None, closed="left"), None],
        "output_bits": [Interval(Integral, 1, 8, closed="both")],
        "learning_rate": [Interval(Real, 0, 1, closed="right")],
        "random_state": ["random_state"],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        k: int | None = None,
        hidden_layers=None,
        output_k: int | None = None,
        n_output_luts: int | None = None,
        wiring: str = "random",
        wiring_candidates: int | None = None,
        output_bits: int = 1,
        learning_rate: float = 1.0,
        random_state=None,
        class_weight=None,
        n_jobs: int | None = None,
        verbose: int = 0,
    ):
        self.k = k
        self.hidden_layers = hidden_layers
        self.output_k = output_k
        self.n_output_luts = n_output_luts
        self.wiring = wiring
        self.wiring_candidates = wiring_candidates
        self.output_bits = output_bits
        self.learning_rate = learning_rate
        self.random_state = random_state
        self.class_weight = class_weight
        self.n_jobs = n_jobs
        self.verbose = verbose

    # ------------------------------------------------------------------ fit
    def _effective_params(self, n_classes: int = 2) -> dict:
        """``k``, ``hidden_layers``, ``output_k``, ``n_output_luts`` with None replaced by the defaults for
        ``n_classes`` (``k="auto"``: the sizes of the fitted network)."""
        params = self.get_params()
        net = self.__dict__.get("network_")
        if params["k"] == "auto" and net is not None:  # the sizes "auto" chose (k: the first lut layer's)
            ks = net.ks
            params = dict(params, k=ks[0])
            default = training.effective_params(params, n_classes)["output_k"] or ks[0]  # None: output_k = k
            if params["output_k"] is None and ks[-1] != default:  # e.g. C classes' default 12, not what auto chose
                params["output_k"] = ks[-1]
        return training.effective_params(params, n_classes)

    def _architecture(self, n_features: int, n_classes: int = 2, n_samples: int = 0) -> training.Architecture:
        """The checked architecture these parameters mean for ``n_features`` inputs, ``n_classes`` classes and
        (for ``k="auto"``) ``n_samples`` training examples."""
        params = training.resolve_auto(self.get_params(), n_classes, n_samples)
        return training.Architecture.from_params(params, n_features, n_classes)

    def _in_memory_backend(self, bits, y_enc, n_classes: int, n_threads: int, max_width: int, sw):
        """The trainer's backend of NumPy data (:class:`lutlearn.core.training.InMemoryBackend`).

        A hook for subclasses: the circuit search's networks share the
        greedy wiring of their first layer through it
        (:mod:`lutlearn.circuits.learners`).
        """
        return training.InMemoryBackend(bits, y_enc, n_classes, n_threads, max_width, sw)

    def _draw_seed(self) -> int:
        """The 63-bit network seed, drawn once per fit from ``random_state``."""
        rs = check_random_state(self.random_state)
        return int(rs.randint(0, np.iinfo(np.int64).max, dtype=np.int64))

    def _set_network(self, network: LutNetwork, classes, n_features: int, feature_names=None) -> "LutNetworkClassifier":
        """The one place a fit ends: set the network and what describes its inputs, drop every earlier fit's state."""
        for name in list(self.__dict__):
            if name.endswith("_") and not name.startswith("__") and name not in ("n_features_in_", "feature_names_in_"):
                del self.__dict__[name]
        if feature_names is None:
            self.__dict__.pop("feature_names_in_", None)
        else:
            self.feature_names_in_ = feature_names
        self.n_features_in_ = n_features
        self.classes_ = classes
        self.network_ = network
        return self

    def _class_weights(self, classes: np.ndarray, class_counts: np.ndarray) -> np.ndarray | None:
        """The weight of every class from ``class_weight`` (None if unset), given each class's number of examples."""
        return training.class_weight_vector(self.class_weight, classes, class_counts)

    def _sample_weight(self, sample_weight, y_enc: np.ndarray, classes: np.ndarray) -> np.ndarray | None:
        """Each example's weight, ``sample_weight`` times its class's weight; None when neither is set."""
        cw = self._class_weights(classes, np.bincount(y_enc, minlength=len(classes)))
        if sample_weight is None and cw is None:
            return None
        w = np.ones(len(y_enc)) if sample_weight is None else training.check_sample_weight(sample_weight, len(y_enc))
        if cw is not None:
            with np.errstate(over="ignore"):
                w = w * cw[y_enc]
            if not np.isfinite(w).all():
                raise ValueError("sample_weight times class_weight overflows (beyond 1.8e308): give smaller weights "
                                 "(only their ratios matter).")
            training.check_weight_stats(True, float(w.min()), float(w.max()))
        return w

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None) -> "LutNetworkClassifier":
        """Build the network's random wiring and memorize the training set layer by layer.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Boolean inputs (bool, or integers/floats equal to 0 and 1).
        y : array-like of shape (n_samples,)
            Class labels; at least two distinct values.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Non-negative weight of each example in every lut's counts (times
            its class's ``class_weight``). Whole-number weights summing below
            ``2**31`` count exactly: a weight of 3 gives the model three
            copies of the example would give, 0 the model without it. Other
            weights are scaled by ``2**s`` and rounded to integers, with
            ``s`` the largest integer such that ``n_samples * max(weight) *
            2**s <= 2**30`` (see :mod:`lutlearn.core.training`); ties are broken
            by the hash, as without weights. Training accuracies are then
            weighted. With Dask arrays, a Dask array chunked like ``X``'s rows.

        Returns
        -------
        self : LutNetworkClassifier
            The fitted estimator.
        """
        if _is_dask(X):  # row-chunked data on a Dask cluster: same model, see lutlearn.core.scale
            from lutlearn.core.scale import fit_dask

            return fit_dask(self, X, y, sample_weight)
        X, y = validate_data(self, X, y, dtype=None, ensure_all_finite=True)
        check_classification_targets(y)
        classes, y_enc = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(
                f"y has only one class ({classes[0]!r}); a classifier needs two classes to learn."
            )
        if self.wiring == "greedy" and (len(classes) > 2 or self.n_output_luts is not None):
            raise ValueError(
                f"wiring='greedy' is for the two-class network with one output lut; y has {len(classes)} classes"
                + ("" if self.n_output_luts is None else f" and n_output_luts={self.n_output_luts}")
                + " (use wiring='random')."
            )
        w = self._sample_weight(sample_weight, y_enc, classes)
        bits = as_bits(X)
        arch = self._architecture(bits.shape[1], len(classes), bits.shape[0])
        sw, shift = (None, 0) if w is None else training.quantize_sample_weight(w)
        with _workspace.numba_threads(self.n_jobs) as n_threads:
            training.check_memory_for(arch, bits.shape[0], n_threads)
            seed = self._draw_seed()
            backend = self._in_memory_backend(bits, y_enc, len(classes), n_threads, max(arch.widths[1:-1], default=0),
                                              sw)
            network = training.train(arch, backend, seed, self.verbose, shift, self.wiring, self.wiring_candidates,
                                     self.output_bits, self.learning_rate)
        _warn_small(bits.shape[0], network.ks)
        return self._set_network(network, classes, bits.shape[1], getattr(self, "feature_names_in_", None))

    # ------------------------------------------------------ learned state
    seed_ = _network_view("seed_", "The 63-bit seed drawn from ``random_state``.", lambda n: n.seed)
    wires_ = _network_view("wires_", "Every lut layer's wiring (see :class:`LutNetwork`).", lambda n: n.wires)
    tables_ = _network_view("tables_", "Every lut layer's truth tables.", lambda n: n.tables)
    output_counts_ = _network_view("output_counts_", "The output head's class counts.", lambda n: n.head.counts)
    dichotomies_ = _network_view("dichotomies_", "Multi-class design: each hidden lut's class split.", _sides)
    lut_accuracy_ = _network_view(
        "lut_accuracy_", "Training accuracy of every lut, layer by layer.", lambda n: n.accuracy
    )
    layer_report_ = _network_view("layer_report_", "Per-layer accuracy summary (Table 2).", lambda n: n.layer_report())

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

    def predict(self, X) -> np.ndarray:
        """Classify each example by running it through the network.

        Only luts in the output luts' cone are evaluated; the others cannot
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
        if _is_dask(X):  # a lazy Dask array of predictions, see lutlearn.core.scale
            from lutlearn.core.scale import predict_dask

            return predict_dask(self, X)
        bits = self._validate_predict(X)
        index, unseen = self.network_.predict_index_unseen(bits, self.n_jobs)
        _warn_unseen(unseen, self.network_)
        return self.classes_[index]

    def predict_proba(self, X) -> np.ndarray:
        """Class frequencies of the pattern each example presents to the output lut.

        For a pattern seen in training, the probabilities are the fractions of
        training examples of each class that presented it to the output lut.
        A pattern never seen in training gives equal probabilities
        (``1 / n_classes``). ``predict`` agrees with the argmax of these except
        at ties, where it uses the lut's stored random tie-break.

        Multi-class: the softmax of the class scores described in
        :mod:`lutlearn.core.model` (log prior plus the output luts' mean
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
        return self._network_call(X, "predict_proba")

    def _network_call(self, X, method: str) -> np.ndarray:
        """``network_.<method>`` on validated bits, or lazily on Dask for a Dask array (see
        :mod:`lutlearn.core.scale`)."""
        if _is_dask(X):
            from lutlearn.core.scale import predict_dask

            return predict_dask(self, X, method)
        bits = self._validate_predict(X)
        return getattr(self.network_, method)(bits, self.n_jobs)

    def predict_log_proba(self, X) -> np.ndarray:
        """Log of :meth:`predict_proba`.

        The paper's network: ``-inf`` for a class never seen with the
        example's output pattern. Multi-class: the log-softmax of the scores,
        finite everywhere.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Boolean inputs.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        return self._network_call(X, "predict_log_proba")

    def decision_function(self, X) -> np.ndarray:
        """Confidence scores, for ranking metrics such as ROC AUC.

        The paper's network (two classes, one output lut): ``p1 - p0``, the
        difference of the class frequencies of the example's output pattern
        (in [-1, 1]); positive means ``classes_[1]``. ``predict`` agrees with
        its sign except where it is 0 (a tie, including patterns never seen),
        which the output lut breaks at random (from the seed).

        The multi-class design: the class scores of :mod:`lutlearn.core.model`
        in nats (log prior plus the output luts' mean log-likelihood, up to a
        constant), shape (n_samples, n_classes), whose argmax (first maximum)
        is ``predict``; with two classes, class 1's score minus class 0's,
        positive exactly where ``predict`` gives ``classes_[1]``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Boolean inputs.

        Returns
        -------
        scores : ndarray of shape (n_samples,) for two classes, else (n_samples, n_classes)
        """
        return self._network_call(X, "decision_function")

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
        """Write the fitted model to ``path`` in lutlearn's model format (see :mod:`lutlearn.core.persistence`)."""
        check_is_fitted(self)
        persistence.write(
            path, self.network_, self.classes_, getattr(self, "feature_names_in_", None),
            self._effective_params(len(self.classes_)), self.get_params(),
        )

    @classmethod
    def load(cls, path) -> "LutNetworkClassifier":
        """Read a model written by :meth:`save`; never unpickles."""
        return load(path)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        tags.input_tags.allow_nan = False
        return tags


def load(path) -> LutNetworkClassifier:
    """Read a model written by :meth:`LutNetworkClassifier.save`, checking everything before trusting it.

    Never unpickles. Raises ``FileNotFoundError`` if ``path`` does not exist
    and :class:`lutlearn.ModelFormatError` if the file is not a complete,
    untampered lutlearn model of a known version.
    """
    return from_stored(persistence.read(path))


def from_stored(stored: persistence.StoredModel) -> LutNetworkClassifier:
    """The fitted estimator a :class:`~lutlearn.core.persistence.StoredModel` describes.

    Its parameters are the ones the estimator was given (files written
    before they were stored: the effective ones, ``random_state`` None).
    """
    if stored.given_params is not None:
        model = LutNetworkClassifier(**stored.given_params)
    else:
        params = stored.params
        model = LutNetworkClassifier(
            k=params["k"], hidden_layers=tuple(params["hidden_layers"]),
            output_k=params["output_k"], n_output_luts=params.get("n_output_luts"),
        )
    return model._set_network(stored.network, stored.classes, stored.network.n_inputs, stored.feature_names)
