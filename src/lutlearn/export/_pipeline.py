"""The parts of a fitted model to export: the encoder of a scikit-learn ``Pipeline`` and its classifier.

A module of its own so that :mod:`lutlearn.export` and its submodules
(:mod:`lutlearn.export.top`, :mod:`lutlearn.export.fpga`) all import it
from below, without a child importing its parent package.
"""

from __future__ import annotations

__all__ = ["split_pipeline"]


def split_pipeline(model) -> tuple:
    """``(encoder, classifier)`` of a fitted model: a classifier alone (encoder None) or a scikit-learn
    ``Pipeline`` of one encoder (with ``thresholds_``) and a classifier."""
    steps = getattr(model, "steps", None)
    if steps is None:
        return None, model
    if len(steps) == 1:
        return None, steps[0][1]
    if len(steps) != 2 or not hasattr(steps[0][1], "thresholds_"):
        raise ValueError(
            "a pipeline exports as a circuit when it is one fitted encoder (ThresholdBinarizer, ThermometerEncoder) "
            f"then the classifier; this one has steps {[n for n, _ in steps]}"
        )
    return steps[0][1], steps[1][1]
