"""Compatibility names: the estimator now lives in :mod:`lutlearn.estimator`, wiring in :mod:`lutlearn.training`.

Kept so that ``from lutlearn.network import LutNetworkClassifier`` (and the
other names below) still works; new code imports from the modules named.
"""

from lutlearn.estimator import LutNetworkClassifier
from lutlearn.model import output_cone
from lutlearn.training import BINARY_DEFAULTS, MAX_K, random_wiring

__all__ = ["BINARY_DEFAULTS", "LutNetworkClassifier", "MAX_K", "output_cone", "random_wiring"]
