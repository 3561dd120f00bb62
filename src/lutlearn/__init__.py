"""lutlearn: learning by memorization with networks of lookup tables.

The learner of S. Chatterjee, "Learning and Memorization" (ICML 2018), with
the conventions of scikit-learn.
"""

__version__ = "0.1.0"

from lutlearn.encoders import ThermometerEncoder, ThresholdBinarizer  # noqa: E402
from lutlearn.estimator import LutNetworkClassifier, load  # noqa: E402
from lutlearn.model import LutNetwork  # noqa: E402
from lutlearn.persistence import ModelFormatError  # noqa: E402

__all__ = [
    "LutNetworkClassifier",
    "LutNetwork",
    "ThresholdBinarizer",
    "ThermometerEncoder",
    "ModelFormatError",
    "load",
    "__version__",
]
