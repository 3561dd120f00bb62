"""The lut network as a learner of the sweeps: its method name in records, its settings, and the layers notation.

Both sweeps (``lutlearn reproduce``, :mod:`lutlearn.experiments`; ``lutlearn
memorization``, :mod:`lutlearn.memorization`) record a lut network under the
method name :data:`LUT_NETWORK`, with the settings ``k`` (inputs per lut) and
``layers`` (``"NxW"``: N hidden layers of W luts), and build it with
:func:`lut_network`. The reproduce command used to record it as
``memorization``: :data:`FORMER_NAMES` lists such earlier names, under which
:mod:`lutlearn.experiments.runner` still finds the records of old result
folders.
"""

from __future__ import annotations

from lutlearn.core._validation import parse_layers

#: Method name of the lut network in records (and in their file names).
LUT_NETWORK = "lut-network"
#: Earlier method names of a method, read from result folders written before the rename (newest first).
FORMER_NAMES: dict[str, tuple[str, ...]] = {LUT_NETWORK: ("memorization",)}


def layers_setting(layers: int, width: int) -> str:
    """The ``layers`` setting of ``layers`` hidden layers of ``width`` luts: ``"NxW"``."""
    return f"{layers}x{width}"


def lut_network(settings: dict, seed: int | None, n_jobs: int | None = None):
    """The unfitted :class:`~lutlearn.LutNetworkClassifier` of a run's ``settings`` (``k``, ``layers``) and ``seed``."""
    from lutlearn.core.estimator import LutNetworkClassifier

    return LutNetworkClassifier(k=int(settings["k"]), hidden_layers=parse_layers(settings["layers"]),
                                random_state=seed, n_jobs=n_jobs)
