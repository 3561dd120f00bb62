"""lutlearn: learning by memorization with networks of lookup tables.

The learner of S. Chatterjee, "Learning and Memorization" (ICML 2018), with
the conventions of scikit-learn.

The names below are imported on first use (``from lutlearn import
LutNetworkClassifier`` works as usual), so that importing the package, and
starting the command line, does not wait for NumPy, scikit-learn and Numba:
a Ctrl-C in the command's first second is then the command's, not an import's.
"""

from __future__ import annotations

import importlib

from lutlearn._version import __version__

#: Public name -> the module that defines it.
_LAZY = {
    "LutNetworkClassifier": "lutlearn.core.estimator",
    "load": "lutlearn.core.saving",
    "save": "lutlearn.core.saving",
    "LutNetwork": "lutlearn.core.model",
    "ThresholdBinarizer": "lutlearn.core.encoders",
    "ThermometerEncoder": "lutlearn.core.encoders",
    "ModelFormatError": "lutlearn.core.persistence",
    "UnseenPatternsWarning": "lutlearn.core.training",
}

__all__ = [
    "LutNetworkClassifier",
    "LutNetwork",
    "ThresholdBinarizer",
    "ThermometerEncoder",
    "ModelFormatError",
    "UnseenPatternsWarning",
    "load",
    "save",
    "__version__",
]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'lutlearn' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
