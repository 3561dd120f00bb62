"""The learner: compiled kernels, the fitted network, the one trainer, and the faces of them.

:mod:`~lutlearn.core.kernels` (compiled kernels on arrays) -> :mod:`~lutlearn.core.model` (the fitted
:class:`~lutlearn.core.model.LutNetwork`) -> :mod:`~lutlearn.core.training` (the one layer loop) ->
:mod:`~lutlearn.core.persistence`, :mod:`~lutlearn.core.inspection`, :mod:`~lutlearn.core.scale` (model
files, probes, Dask) -> :mod:`~lutlearn.core.estimator` (the scikit-learn classifier) ->
:mod:`~lutlearn.core.saving` (encoders, networks and pipelines in one file format); each module imports
only those before it. :mod:`~lutlearn.core.encoders` holds the input encoders. The package root
re-exports the names most code needs (``from lutlearn import LutNetworkClassifier``).
"""
