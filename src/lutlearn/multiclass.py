"""Compatibility names of the multi-class design, which is described in :mod:`lutlearn.training` (hidden luts
splitting the classes) and :mod:`lutlearn.model` (the voting head).

Kept so that existing imports still work; new code imports from the modules named.
"""

from lutlearn.model import ALPHA, VOTE_SCALE, proba_from_scores, vote_weights
from lutlearn.training import DEFAULTS, MAX_CLASSES, random_dichotomies

__all__ = ["ALPHA", "DEFAULTS", "MAX_CLASSES", "VOTE_SCALE", "proba_from_scores", "random_dichotomies", "vote_weights"]
