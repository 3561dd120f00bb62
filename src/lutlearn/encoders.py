"""Input encoders: scikit-learn transformers that turn numbers into the bits luts read."""

from __future__ import annotations

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data


class ThresholdBinarizer(TransformerMixin, BaseEstimator):
    """Quantize inputs to one bit: a value becomes 1 when it is above ``threshold``.

    This is the paper's 1-bit quantization of images: with the default
    ``threshold=127`` a pixel in 0..255 becomes 1 when it is 128 or more.

    Parameters
    ----------
    threshold : float, default=127
        Values strictly greater than this become 1, the others 0.

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during :meth:`fit`.

    Examples
    --------
    >>> import numpy as np
    >>> from lutlearn import ThresholdBinarizer
    >>> ThresholdBinarizer().fit_transform(np.array([[0, 127, 128, 255]]))
    array([[0, 0, 1, 1]], dtype=uint8)
    """

    _parameter_constraints: dict = {"threshold": [Interval(Real, None, None, closed="neither")]}

    def __init__(self, threshold: float = 127):
        self.threshold = threshold

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Record the number of features; the threshold is fixed, nothing is learned.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self : ThresholdBinarizer
        """
        validate_data(self, X, dtype="numeric")
        return self

    def transform(self, X) -> np.ndarray:
        """Return ``X > threshold`` as a uint8 array of 0/1 of the same shape."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype="numeric", reset=False)
        return (X > self.threshold).astype(np.uint8)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = True
        tags.transformer_tags.preserves_dtype = []  # always returns uint8 bits
        return tags
