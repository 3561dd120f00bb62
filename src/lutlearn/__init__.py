"""lutlearn: learning by memorization with networks of lookup tables.

The learner of S. Chatterjee, "Learning and Memorization" (ICML 2018), with
the conventions of scikit-learn.
"""

from lutlearn._version import __version__
from lutlearn.encoders import ThermometerEncoder, ThresholdBinarizer
from lutlearn.network import LutNetworkClassifier
from lutlearn.persistence import ModelFormatError, load_model as load

__all__ = [
    "LutNetworkClassifier",
    "ThresholdBinarizer",
    "ThermometerEncoder",
    "ModelFormatError",
    "load",
    "__version__",
]
