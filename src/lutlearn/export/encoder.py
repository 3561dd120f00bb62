"""An input encoder (ThresholdBinarizer, ThermometerEncoder) as comparators, in front of the network's circuit.

A fitted encoder turns raw features into bits ``x[i] = (feature f_i > t_i)``.
On unsigned integer features of ``feature_bits`` bits (8-bit pixels) a
float threshold ``t`` compares as the integer ``floor(t)``: ``v > t`` exactly
when ``v > floor(t)``. :class:`InputEncoder` holds, for every network input
bit, its feature and that integer constant, and :func:`write_encoder` writes
the comparators as Verilog (``f[hi:lo] > C``, which synthesis maps to carry
chains or luts); bits whose comparison is constant become constants.

Only the thresholds are read (``thresholds_`` of shape ``(n_features,)``
for one bit per feature, ``(n_features, n_bits)`` for a thermometer code,
bit ``f * n_bits + b`` being feature ``f`` above its ``b``-th threshold), so
any encoder of that form exports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lutlearn.export.c import check_c_name


@dataclass(frozen=True)
class InputEncoder:
    """The comparators computing a network's input bits from raw unsigned integer features.

    Attributes
    ----------
    n_features : int
        Raw features.
    feature_bits : int
        Bits of each raw feature (the circuit's input is ``n_features *
        feature_bits`` bits, feature ``f`` in bits ``f * feature_bits ..``,
        least significant first).
    feature : int ndarray of shape (n_bits,)
        The feature each network input bit compares.
    constant : int ndarray of shape (n_bits,)
        Bit ``i`` is ``feature[i] > constant[i]`` (``-1``: always 1;
        ``2**feature_bits - 1`` or more: always 0).
    """

    n_features: int
    feature_bits: int
    feature: np.ndarray
    constant: np.ndarray

    @classmethod
    def from_encoder(cls, encoder, feature_bits: int = 8) -> "InputEncoder":
        """The comparators of a fitted encoder with ``thresholds_`` (see the module docstring)."""
        if not hasattr(encoder, "thresholds_"):
            raise ValueError(f"cannot export {type(encoder).__name__} as comparators: it has no fitted thresholds_")
        if not 1 <= feature_bits <= 32:
            raise ValueError(f"feature_bits must be in 1..32, got {feature_bits}")
        t = np.asarray(encoder.thresholds_, np.float64)
        if t.ndim not in (1, 2) or not np.isfinite(t).all():
            raise ValueError("an encoder's thresholds_ must be finite, of shape (n_features,) or (n_features, n_bits)")
        n_features = t.shape[0]
        feature = np.repeat(np.arange(n_features), 1 if t.ndim == 1 else t.shape[1])
        top = (1 << feature_bits) - 1
        constant = np.clip(np.floor(t.reshape(-1)), -1, top).astype(np.int64)
        return cls(n_features, feature_bits, feature, constant)

    @property
    def n_bits(self) -> int:
        return len(self.feature)

    @property
    def n_raw_inputs(self) -> int:
        return self.n_features * self.feature_bits

    def check_features(self, X) -> np.ndarray:
        """``X`` as an int64 array, refused unless every value is an integer in ``0 .. 2**feature_bits - 1``."""
        X = np.asarray(X)
        Xi = np.asarray(X, np.int64)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"expected raw features of shape (n, {self.n_features}), got {X.shape}")
        if (Xi != X).any() or Xi.min(initial=0) < 0 or Xi.max(initial=0) >= 1 << self.feature_bits:
            raise ValueError(f"the encoder's circuit takes integers in 0..{(1 << self.feature_bits) - 1}: scale the "
                             "raw features to such integers first (and fit the pipeline on them)")
        return Xi

    def encode(self, X) -> np.ndarray:
        """The network input bits of raw features ``X`` as the circuit computes them, uint8 (n, n_bits)."""
        Xi = self.check_features(X)
        return (Xi[:, self.feature] > self.constant).astype(np.uint8)

    def raw_bits(self, X) -> np.ndarray:
        """Raw features as the circuit's input bits (feature ``f`` bit ``b`` at ``f * feature_bits + b``)."""
        return feature_bits(self.check_features(X), self.feature_bits)


def feature_bits(X, n_bits: int) -> np.ndarray:
    """Unsigned integer features as bits, uint8 (n, n_features * n_bits): feature ``f`` bit ``b`` (least
    significant first) in column ``f * n_bits + b``, the input order of a circuit that reads raw features."""
    Xi = np.asarray(X, np.int64)
    return ((Xi[:, :, None] >> np.arange(n_bits)) & 1).reshape(len(Xi), -1).astype(np.uint8)


def check_exportable_encoder(encoder, feature_bits: int = 8, where: str | None = None) -> None:
    """ValueError unless ``encoder``'s comparators on integer features of ``feature_bits`` bits decide as it does.

    The circuit reads unsigned integers of ``feature_bits`` bits and
    compares each with ``floor(t)``, which equals ``predict`` on such
    integers. An encoder fitted on real-valued features is refused: one
    whose ``integer_features_`` (recorded at fit) is False, or a
    ThermometerEncoder's threshold outside ``0 .. 2**feature_bits - 1``
    (fitted on values out of that range). An encoder without the record
    (a pipeline file written before it was kept) is refused when two
    different thresholds of one feature become the same integer (values
    between them were seen, so they are probably not integers).
    Exporting it would give a circuit that disagrees with ``predict`` on
    the raw features, so it is refused, before any file is written, saying
    to scale the features to integers first. ``where`` (a file name)
    starts the message.
    """
    from lutlearn.core.encoders import ThermometerEncoder

    if not 1 <= feature_bits <= 32:
        raise ValueError(f"feature_bits (--feature-bits) must be in 1..32, got {feature_bits}")
    t = np.asarray(encoder.thresholds_, np.float64)
    top = (1 << feature_bits) - 1
    rows = t.reshape(t.shape[0], -1)  # a feature's thresholds (one for a ThresholdBinarizer)
    integral = getattr(encoder, "integer_features_", None)
    problem = None if integral is not False else "some of the values it was fitted on are not whole numbers"
    for f, row in enumerate([] if problem else rows):
        if isinstance(encoder, ThermometerEncoder) and ((row < 0) | (row > top)).any():
            bad = row[(row < 0) | (row > top)][0]
            problem = f"feature {f} has the threshold {bad:g}, outside 0..{top}"
            break
        distinct = np.unique(row)
        if integral is None and len(np.unique(np.floor(distinct))) < len(distinct):
            a, b = next((x, y) for x, y in zip(distinct, distinct[1:]) if np.floor(x) == np.floor(y))
            problem = f"feature {f}'s thresholds {a:g} and {b:g} become the same integer comparison"
            break
    if problem:
        raise ValueError(
            f"{where + ': ' if where else ''}the {type(encoder).__name__} was fitted on features that are not "
            f"integers of {feature_bits} bits ({problem}); its circuit, which compares integers, would disagree "
            f"with predict: scale the features to integers 0..{top} first (e.g. np.round((X - lo) / (hi - lo) "
            f"* {top})) and fit the pipeline on them"
        )


def write_encoder(enc: InputEncoder, name: str) -> str:
    """The Verilog module ``NAME (f, x)``: raw features ``f`` in, the network's input bits ``x`` out."""
    check_c_name(name)
    K = enc.feature_bits
    top = (1 << K) - 1
    lines = [
        f"// {enc.n_features} raw features of {K} bits (feature i in f[{K}*i+{K - 1}:{K}*i]) to {enc.n_bits} bits",
        f"module {name} (f, x);",
        f"  input [{enc.n_raw_inputs - 1}:0] f;",
        f"  output [{enc.n_bits - 1}:0] x;",
    ]
    for i, (feat, c) in enumerate(zip(enc.feature, enc.constant)):
        if c < 0:
            rhs = "1'b1"
        elif c >= top:
            rhs = "1'b0"
        else:
            rhs = f"f[{K * feat + K - 1}:{K * feat}] > {K}'d{c}"
        lines.append(f"  assign x[{i}] = {rhs};")
    lines.append("endmodule\n")
    return "\n".join(lines)


def write_encoded_model(
    enc: InputEncoder, name: str, network: str, network_has_clk: bool, registered: bool, n_outputs: int,
    scores_width: int = 0,
) -> str:
    """The module ``NAME (clk?, x, y[, scores])``: the encoder's comparators, then the network module ``network``.

    ``x`` is the raw features; with ``registered`` a register holds the
    encoded bits (one more pipeline stage). ``scores_width`` > 0: the
    network's ``scores`` output (that many bits) is passed on.
    """
    check_c_name(name)
    clk = registered or network_has_clk
    lines = [
        f"// {name}: raw features in, encoder comparators ({name}_encoder), then the lut network ({network})",
        f"module {name} ({'clk, ' if clk else ''}x, y{', scores' if scores_width else ''});",
    ] + (["  input clk;"] if clk else []) + [
        f"  input [{enc.n_raw_inputs - 1}:0] x;",
        f"  output [{n_outputs - 1}:0] y;",
    ] + ([f"  output [{scores_width - 1}:0] scores;"] if scores_width else []) + [
        f"  wire [{enc.n_bits - 1}:0] bits;",
        f"  {name}_encoder encoder (.f(x), .x(bits));",
    ]
    if registered:
        lines += [f"  reg [{enc.n_bits - 1}:0] bits_r;", "  always @(posedge clk) bits_r <= bits;"]
    lines.append(f"  {network} net ({'.clk(clk), ' if network_has_clk else ''}.x({'bits_r' if registered else 'bits'}),"
                 " .y(y)"
                 + (", .scores(scores));" if scores_width else ");"))
    lines.append("endmodule\n")
    return "\n".join(lines)
