"""Encoders: scikit-learn's estimator checks, thresholds, channels, and the tabular example."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from _scripts import load_script
from lutlearn import LutNetworkClassifier, ThermometerEncoder, ThresholdBinarizer

REPO = Path(__file__).resolve().parents[1]


@parametrize_with_checks(
    [
        ThresholdBinarizer(),
        ThresholdBinarizer(threshold=0.5),
        ThermometerEncoder(),
        ThermometerEncoder(n_bits=3, method="quantile"),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


# ------------------------------------------------------- ThresholdBinarizer
def test_binarizer_default_is_the_papers_quantization():
    X = np.array([[0, 127, 128, 255]], dtype=np.uint8)
    out = ThresholdBinarizer().fit_transform(X)
    assert out.dtype == np.uint8
    assert out.tolist() == [[0, 0, 1, 1]]


def test_binarizer_per_feature_thresholds():
    X = np.array([[1.0, 5.0, -1.0], [3.0, 5.0, 0.5]])
    enc = ThresholdBinarizer(threshold=[2.0, 4.0, 0.0]).fit(X)
    np.testing.assert_array_equal(enc.thresholds_, [2.0, 4.0, 0.0])
    assert enc.transform(X).tolist() == [[0, 1, 0], [1, 1, 1]]
    assert list(enc.get_feature_names_out(["a", "b", "c"])) == ["a>2", "b>4", "c>0"]


@pytest.mark.parametrize(
    "layout, expected",
    [("planar", [10, 10, 20, 20, 30, 30]), ("interleaved", [10, 20, 30, 10, 20, 30])],
)
def test_binarizer_per_channel_thresholds(layout, expected):
    X = np.full((2, 6), 15.0)
    enc = ThresholdBinarizer(threshold=[10, 20, 30], n_channels=3, channel_layout=layout).fit(X)
    np.testing.assert_array_equal(enc.thresholds_, expected)
    np.testing.assert_array_equal(enc.transform(X)[0], np.array(expected) < 15)


def test_binarizer_bad_thresholds_are_refused():
    X = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"threshold has shape \(3,\); give a scalar or one value per feature \(4\)"):
        ThresholdBinarizer(threshold=[1, 2, 3]).fit(X)
    with pytest.raises(ValueError, match="n_channels=3 does not divide the 4 features"):
        ThresholdBinarizer(threshold=[1, 2, 3], n_channels=3).fit(X)
    with pytest.raises(ValueError, match="finite"):
        ThresholdBinarizer(threshold=[1, np.nan, 3, 4]).fit(X)


# ------------------------------------------------------- ThermometerEncoder
def test_thermometer_uniform_thresholds_and_bits():
    X = np.array([[0.0, 10.0], [4.0, 20.0], [2.0, 15.0]])
    enc = ThermometerEncoder(n_bits=3).fit(X)
    np.testing.assert_allclose(enc.thresholds_, [[1, 2, 3], [12.5, 15, 17.5]])
    out = enc.transform(X)
    assert out.shape == (3, 6) and out.dtype == np.uint8
    # Column f * n_bits + b is feature f above its b-th threshold.
    assert out.tolist() == [[0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1], [1, 0, 0, 1, 0, 0]]
    assert list(enc.get_feature_names_out())[:4] == ["x0>1", "x0>2", "x0>3", "x1>12.5"]


def test_thermometer_quantile_thresholds_follow_the_training_data():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.exponential(size=1000), rng.integers(0, 256, 1000)])
    enc = ThermometerEncoder(n_bits=4, method="quantile").fit(X)
    np.testing.assert_allclose(enc.thresholds_, np.quantile(X, [0.2, 0.4, 0.6, 0.8], axis=0).T)
    bits = enc.transform(X).reshape(1000, 2, 4)
    # Thermometer code: bits never switch back on after an off bit, and each bit
    # splits the skewed feature near its quantile.
    assert (np.diff(bits.astype(int), axis=2) <= 0).all()
    np.testing.assert_allclose(bits[:, 0].mean(axis=0), [0.8, 0.6, 0.4, 0.2], atol=0.01)


@pytest.mark.parametrize("layout", ["planar", "interleaved"])
def test_thermometer_per_channel_pools_each_channel(layout):
    rng = np.random.default_rng(1)
    n, pixels = 200, 4
    planes = [rng.uniform(0, 1, (n, pixels)), rng.uniform(10, 20, (n, pixels))]
    X = np.hstack(planes) if layout == "planar" else np.stack(planes, axis=2).reshape(n, -1)
    enc = ThermometerEncoder(n_bits=3, method="quantile", n_channels=2, channel_layout=layout).fit(X)
    channel = np.arange(8) // 4 if layout == "planar" else np.arange(8) % 2
    for c, plane in enumerate(planes):
        expected = np.quantile(plane.ravel(), [0.25, 0.5, 0.75])
        np.testing.assert_allclose(enc.thresholds_[channel == c], np.tile(expected, (4, 1)))


def test_thermometer_accepts_bool_and_uint8_without_copying_to_float():
    X = np.array([[0, 255], [128, 3]], dtype=np.uint8)
    np.testing.assert_array_equal(
        ThermometerEncoder(n_bits=1).fit_transform(X), ThresholdBinarizer(threshold=[64, 129]).fit_transform(X)
    )
    Xb = np.array([[True, False], [False, False]])
    assert ThermometerEncoder(n_bits=1).fit_transform(Xb).tolist() == [[1, 0], [0, 0]]


# ------------------------------------------------------------ with the luts
def test_encoder_and_classifier_in_a_pipeline_on_breast_cancer():
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    X, y = load_breast_cancer(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    pipe = make_pipeline(
        ThermometerEncoder(n_bits=8, method="quantile"),
        LutNetworkClassifier(n_output_luts=64, random_state=0),
    )
    assert pipe.fit(Xtr, ytr).score(Xte, yte) > 0.9
    # Raw features straight into the network are refused with a hint at the encoders.
    with pytest.raises(ValueError, match="ThresholdBinarizer"):
        LutNetworkClassifier().fit(Xtr, ytr)


def test_tabular_example_runs_quick(tmp_path, capsys):
    example = load_script("examples/tabular.py")
    out = tmp_path / "tabular.json"
    old = os.umask(0o022)
    try:
        assert example.main(["--quick", "--output", str(out)]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644  # the umask's mode, not mkstemp's 0o600
    records = json.loads(out.read_text())["records"]
    methods = {r["method"] for r in records}
    assert {"logistic regression", "random forest"} <= methods
    assert any("LutNetworkClassifier" in m for m in methods)
    for r in records:
        assert 0.5 < r["accuracy_mean"] <= 1.0
    assert "| data set |" in capsys.readouterr().out
