"""Input encoders: scikit-learn transformers that turn numbers into the bits luts read.

* :class:`ThresholdBinarizer`: one bit per feature, ``x > threshold``, with a
  global, per-feature or per-channel threshold (the paper's 1-bit images).
* :class:`ThermometerEncoder`: ``n_bits`` bits per feature, ``x > t_1``, ...,
  ``x > t_n``, with thresholds spaced uniformly over each feature's training
  range or at its training quantiles; bit ``b`` of feature ``f`` is output
  column ``f * n_bits + b``.

Both take ``n_channels`` for colour images stored as flat rows: the features
are then ``n_channels`` equal groups (``channel_layout="planar"``: channel
after channel, as CIFAR-10's binary files store R, G and B planes;
``"interleaved"``: pixel after pixel, RGBRGB..., as a flattened
``(height, width, channels)`` array), and thresholds are shared within a
channel. Outputs are uint8 arrays of 0/1, ready for
:class:`~lutlearn.LutNetworkClassifier`.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["ThermometerEncoder", "ThresholdBinarizer", "channel_of_feature"]

_CHANNEL_CONSTRAINTS: dict = {
    "n_channels": [Interval(Integral, 1, None, closed="left"), None],
    "channel_layout": [StrOptions({"planar", "interleaved"})],
}


def channel_of_feature(n_features: int, n_channels: int | None, layout: str) -> np.ndarray:
    """The channel (0 .. n_channels-1) of every feature; all 0 when ``n_channels`` is None.

    Raises ``ValueError`` when the features do not split into ``n_channels`` equal groups.
    """
    if n_channels is None:
        return np.zeros(n_features, dtype=np.intp)
    if n_features % n_channels:
        raise ValueError(
            f"n_channels={n_channels} does not divide the {n_features} features into equal "
            "channels; images must be flattened whole (e.g. 32x32x3 = 3072 features)."
        )
    f = np.arange(n_features)
    return f // (n_features // n_channels) if layout == "planar" else f % n_channels


class _EncoderMixin:
    """What the encoders share: ``fit`` (which stores ``thresholds_``), tags and feature names."""

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Compute ``thresholds_``, the threshold(s) applied to each feature.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self : the fitted encoder
        """
        X = validate_data(self, X, dtype="numeric")
        self.thresholds_ = self._thresholds(X)
        # whole numbers only: an exported circuit, comparing integers with floor(threshold), then equals transform
        self.integer_features_ = bool(X.dtype.kind in "biu" or np.array_equal(X, np.floor(X)))
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = True
        tags.transformer_tags.preserves_dtype = []
        return tags

    def _input_names(self, input_features) -> np.ndarray:
        check_is_fitted(self)
        if input_features is None:
            names = getattr(self, "feature_names_in_", None)
            if names is None:
                names = np.array([f"x{i}" for i in range(self.n_features_in_)], dtype=object)
            return np.asarray(names, dtype=object)
        names = np.asarray(input_features, dtype=object)
        if len(names) != self.n_features_in_:
            raise ValueError(f"input_features has {len(names)} names; expected {self.n_features_in_}.")
        return names


class ThresholdBinarizer(_EncoderMixin, TransformerMixin, BaseEstimator):
    """Quantize inputs to one bit: a value becomes 1 when it is above its feature's threshold.

    This is the paper's 1-bit quantization of images: with the default
    ``threshold=127`` a pixel in 0..255 becomes 1 when it is 128 or more.

    Parameters
    ----------
    threshold : float or array-like of shape (n_features,) or (n_channels,), default=127
        Values strictly greater than this become 1, the others 0. A scalar is
        used for every feature; an array gives one threshold per feature, or
        one per channel when ``n_channels`` is set.
    n_channels : int or None, default=None
        Number of colour channels the features are grouped into (see
        :mod:`lutlearn.core.encoders`); only used to spread a per-channel
        ``threshold`` over the features.
    channel_layout : {"planar", "interleaved"}, default="planar"
        How channels are laid out in a row: ``"planar"`` (channel after
        channel) or ``"interleaved"`` (RGBRGB...).

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during :meth:`fit`.
    thresholds_ : float64 ndarray of shape (n_features_in_,)
        The threshold applied to each feature.

    See Also
    --------
    ThermometerEncoder : several bits per feature.

    Examples
    --------
    >>> import numpy as np
    >>> from lutlearn import ThresholdBinarizer
    >>> ThresholdBinarizer().fit_transform(np.array([[0, 127, 128, 255]]))
    array([[0, 0, 1, 1]], dtype=uint8)
    >>> ThresholdBinarizer(threshold=[0, 200]).fit_transform(np.array([[1, 150]]))
    array([[1, 0]], dtype=uint8)
    """

    _parameter_constraints: dict = {
        "threshold": [Interval(Real, None, None, closed="neither"), "array-like"],
        **_CHANNEL_CONSTRAINTS,
    }

    def __init__(self, threshold=127, n_channels: int | None = None, channel_layout: str = "planar"):
        self.threshold = threshold
        self.n_channels = n_channels
        self.channel_layout = channel_layout

    def _thresholds(self, X: np.ndarray) -> np.ndarray:
        """Spread ``threshold`` over the features, checking its shape."""
        d = X.shape[1]
        channel = channel_of_feature(d, self.n_channels, self.channel_layout)
        t = np.asarray(self.threshold, dtype=np.float64)
        if not np.isfinite(t).all():
            raise ValueError(f"threshold must be finite; got {self.threshold!r}.")
        if t.ndim == 0:
            return np.full(d, float(t))
        if t.ndim == 1 and self.n_channels is not None and len(t) == self.n_channels:
            return t[channel]
        if t.ndim == 1 and len(t) == d:
            return t.copy()
        per_channel = f" or n_channels={self.n_channels}" if self.n_channels is not None else ""
        raise ValueError(
            f"threshold has shape {t.shape}; give a scalar or one value per feature ({d}){per_channel}."
        )

    def transform(self, X) -> np.ndarray:
        """Return ``X > thresholds_`` as a uint8 array of 0/1 of the same shape."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype="numeric", reset=False)
        return (X > self.thresholds_).astype(np.uint8)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Output names: each input's name followed by ``>threshold``."""
        names = self._input_names(input_features)
        return np.asarray([f"{n}>{t:g}" for n, t in zip(names, self.thresholds_)], dtype=object)


class ThermometerEncoder(_EncoderMixin, TransformerMixin, BaseEstimator):
    """Encode each feature as ``n_bits`` thermometer bits: bit ``b`` is ``x > t_b``.

    A larger value sets more bits, so the code keeps the order of the values
    and a lut reading a few of them sees "is ``x`` above this level?".

    Parameters
    ----------
    n_bits : int, default=8
        Bits (thresholds) per feature.
    method : {"uniform", "quantile"}, default="uniform"
        Where the thresholds of a feature go: ``"uniform"`` splits the
        training range ``[min, max]`` into ``n_bits + 1`` equal intervals;
        ``"quantile"`` puts them at the training data's quantiles
        ``1/(n_bits+1), ..., n_bits/(n_bits+1)``, so each bit splits the
        training set at a different fraction.
    n_channels : int or None, default=None
        If set, the features form ``n_channels`` colour channels (see
        :mod:`lutlearn.core.encoders`) and thresholds are computed once per
        channel from all of its values, instead of per feature.
    channel_layout : {"planar", "interleaved"}, default="planar"
        How channels are laid out in a row.

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during :meth:`fit`.
    thresholds_ : float64 ndarray of shape (n_features_in_, n_bits)
        Each feature's thresholds, increasing.

    See Also
    --------
    ThresholdBinarizer : one bit per feature.

    Examples
    --------
    >>> import numpy as np
    >>> from lutlearn import ThermometerEncoder
    >>> enc = ThermometerEncoder(n_bits=3).fit(np.array([[0.0], [4.0]]))
    >>> enc.thresholds_
    array([[1., 2., 3.]])
    >>> enc.transform(np.array([[0.5], [2.5], [9.0]]))
    array([[0, 0, 0],
           [1, 1, 0],
           [1, 1, 1]], dtype=uint8)
    """

    _parameter_constraints: dict = {
        "n_bits": [Interval(Integral, 1, 255, closed="both")],
        "method": [StrOptions({"uniform", "quantile"})],
        **_CHANNEL_CONSTRAINTS,
    }

    def __init__(
        self,
        n_bits: int = 8,
        method: str = "uniform",
        n_channels: int | None = None,
        channel_layout: str = "planar",
    ):
        self.n_bits = n_bits
        self.method = method
        self.n_channels = n_channels
        self.channel_layout = channel_layout

    def _levels(self, values: np.ndarray) -> np.ndarray:
        """The ``n_bits`` thresholds for the values of one feature (axis 0) or of several (columns)."""
        q = np.arange(1, self.n_bits + 1) / (self.n_bits + 1)
        if self.method == "quantile":
            return np.quantile(values, q, axis=0).T
        lo = values.min(axis=0).astype(np.float64)
        hi = values.max(axis=0).astype(np.float64)
        return (lo[None, :] + np.multiply.outer(q, hi - lo)).T

    def _thresholds(self, X: np.ndarray) -> np.ndarray:
        """Every feature's ``n_bits`` thresholds from the training data (pooled per channel if asked)."""
        d = X.shape[1]
        if self.n_channels is None:
            return np.asarray(self._levels(X), dtype=np.float64)
        channel = channel_of_feature(d, self.n_channels, self.channel_layout)
        per_channel = np.vstack(
            [self._levels(X[:, channel == c].reshape(-1, 1)) for c in range(self.n_channels)]
        )
        return np.asarray(per_channel[channel], dtype=np.float64)

    def transform(self, X) -> np.ndarray:
        """Thermometer bits: uint8 array of shape (n_samples, n_features * n_bits).

        Column ``f * n_bits + b`` is 1 when feature ``f`` is above its ``b``-th threshold.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype="numeric", reset=False)
        bits = X[:, :, None] > self.thresholds_[None, :, :]
        return bits.reshape(X.shape[0], -1).view(np.uint8)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Output names: ``name>threshold`` for each bit of each input."""
        names = self._input_names(input_features)
        return np.asarray(
            [f"{n}>{t:g}" for n, ts in zip(names, self.thresholds_) for t in ts], dtype=object
        )
