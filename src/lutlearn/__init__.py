"""lutlearn: learning by memorization with networks of lookup tables.

The learner of S. Chatterjee, "Learning and Memorization" (ICML 2018), with
the conventions of scikit-learn.
"""

from lutlearn._version import __version__
from lutlearn.encoders import ThermometerEncoder, ThresholdBinarizer
from lutlearn.estimator import LutNetworkClassifier
from lutlearn.model import LutNetwork
from lutlearn.persistence import ModelFormatError
from lutlearn.saving import load, save

__all__ = [
    "LutNetworkClassifier",
    "LutNetwork",
    "ThresholdBinarizer",
    "ThermometerEncoder",
    "ModelFormatError",
    "load",
    "save",
    "__version__",
]
