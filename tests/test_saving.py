"""Encoders and pipelines of lutlearn encoders and a network, saved and loaded without pickle; the CLI on them."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from _archives import append_pickled_entry, rewrite
from lutlearn import LutNetworkClassifier, ModelFormatError, ThermometerEncoder, ThresholdBinarizer, load, save
from lutlearn.cli import main


@pytest.fixture(scope="module")
def pixels():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(400, 12)).astype(np.float64)
    y = np.where(X[:, 0] + X[:, 5] > 250, "hi", "lo")
    return X, y


def _pipelines(X, y):
    net = dict(k=3, hidden_layers=(16,), random_state=5)
    return {
        "binarizer": make_pipeline(ThresholdBinarizer(threshold=[100.0, 150.0, 200.0], n_channels=3),
                                   LutNetworkClassifier(**net)).fit(X, y),
        "thermometer": Pipeline([("enc", ThermometerEncoder(n_bits=3, method="quantile")),
                                 ("net", LutNetworkClassifier(n_output_luts=3, output_k=4, **net))]).fit(X, y),
        "two-encoders": make_pipeline(ThermometerEncoder(n_bits=2), ThresholdBinarizer(threshold=0.5),
                                      LutNetworkClassifier(**net)).fit(X, y),
    }


@pytest.mark.parametrize("kind", ["binarizer", "thermometer", "two-encoders"])
def test_pipeline_round_trip(pixels, tmp_path, kind):
    X, y = pixels
    pipe = _pipelines(X, y)[kind]
    save(pipe, tmp_path / "p.npz")
    got = load(tmp_path / "p.npz")
    assert isinstance(got, Pipeline) and [n for n, _ in got.steps] == [n for n, _ in pipe.steps]
    for (_, a), (_, b) in zip(got.steps, pipe.steps):
        assert type(a) is type(b) and a.get_params() == b.get_params()
    np.testing.assert_array_equal(got.predict(X), pipe.predict(X))
    np.testing.assert_array_equal(got.predict_proba(X), pipe.predict_proba(X))
    np.testing.assert_array_equal(got[:-1].transform(X), pipe[:-1].transform(X))
    with zipfile.ZipFile(tmp_path / "p.npz") as zf:  # plain arrays only
        assert all(name.endswith(".npy") for name in zf.namelist())


def test_lone_encoder_and_encoders_only(pixels, tmp_path):
    X, _ = pixels
    enc = ThermometerEncoder(n_bits=4).fit(X[:, :3])
    save(enc, tmp_path / "e.npz")
    got = load(tmp_path / "e.npz")
    assert isinstance(got, ThermometerEncoder) and got.get_params() == enc.get_params()
    np.testing.assert_array_equal(got.transform(X[:, :3]), enc.transform(X[:, :3]))
    pipe = make_pipeline(ThresholdBinarizer(threshold=9)).fit(X)
    save(pipe, tmp_path / "p.npz")
    np.testing.assert_array_equal(load(tmp_path / "p.npz").transform(X), pipe.transform(X))


def test_a_network_is_saved_as_a_model_file(pixels, tmp_path):
    X, y = pixels
    clf = LutNetworkClassifier(k=3, hidden_layers=(8,), random_state=0).fit(X > 128, y)
    save(clf, tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz") as npz:
        assert json.loads(npz["meta"].tobytes())["format"] == "lutlearn-network"
    np.testing.assert_array_equal(load(tmp_path / "m.npz").predict(X > 128), clf.predict(X > 128))


def test_what_cannot_be_saved_safely(pixels, tmp_path):
    X, y = pixels
    with pytest.raises(ValueError, match="cannot save StandardScaler"):
        save(make_pipeline(StandardScaler(), ThresholdBinarizer()).fit(X), tmp_path / "x.npz")
    with pytest.raises(ValueError, match="last step"):
        save(Pipeline([("net", LutNetworkClassifier()), ("enc", ThresholdBinarizer())]), tmp_path / "x.npz")
    with pytest.raises(Exception, match="not fitted"):
        save(make_pipeline(ThresholdBinarizer()), tmp_path / "x.npz")
    assert not list(tmp_path.iterdir())


@pytest.fixture()
def saved(pixels, tmp_path):
    X, y = pixels
    path = tmp_path / "p.npz"
    save(_pipelines(X, y)["thermometer"], path)
    return path


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda a, m: a.__setitem__("step0.thresholds", a["step0.thresholds"][:, :2].copy()), "bad step0.thresholds"),
        (lambda a, m: a.__setitem__("step0.thresholds", a["step0.thresholds"] * np.nan), "bad step0.thresholds"),
        (lambda a, m: a.pop("step0.thresholds"), "bad step0.thresholds"),
        (lambda a, m: a.__setitem__("extra", np.zeros(3)), "do not match its steps"),
        (lambda a, m: m["steps"][0]["params"].__setitem__("n_bits", 0), "step 0"),
        (lambda a, m: m["steps"][0]["params"].__setitem__("method", "magic"), "step 0"),
        (lambda a, m: m["steps"][0].__setitem__("n_features_in", 11), "bad step0.thresholds"),
        (lambda a, m: m["steps"][0].__setitem__("class", "StandardScaler"), "unknown class"),
        (lambda a, m: m["steps"].reverse(), "unknown class|bad step"),
        (lambda a, m: m.pop("network"), "no network metadata"),
        (lambda a, m: m["network"]["params"].__setitem__("k", 40), "bad parameters"),
        (lambda a, m: a.__setitem__("network.tables_1", a["network.tables_1"] + 9), "out of range"),
        (lambda a, m: m.__setitem__("version", 5), "format version 5"),
        (lambda a, m: m.__setitem__("steps", []), "no steps"),
    ],
)
def test_tampered_pipeline_is_refused(saved, edit, match):
    rewrite(saved, edit)
    with pytest.raises(ModelFormatError, match=match):
        load(saved)


def test_chain_of_widths_is_checked(pixels, tmp_path):
    X, y = pixels
    path = tmp_path / "p.npz"
    save(_pipelines(X, y)["two-encoders"], path)

    def narrow(a, m):  # the second encoder now reads 12 features, the first still writes 24
        m["steps"][1]["n_features_in"] = 12
        a["step1.thresholds"] = a["step1.thresholds"][:12].copy()

    rewrite(path, narrow)
    with pytest.raises(ModelFormatError, match="step 1 reads 12 features but the step before writes 24"):
        load(path)


def test_checksum_and_corruption(saved):
    with np.load(saved, allow_pickle=False) as npz:
        arrays = {n: npz[n] for n in npz.files}
    arrays["step0.thresholds"] = arrays["step0.thresholds"] + 1
    np.savez(saved, **arrays)
    with pytest.raises(ModelFormatError, match="checksum mismatch in 'step0.thresholds'"):
        load(saved)
    saved.write_bytes(saved.read_bytes()[:200])
    with pytest.raises(ModelFormatError, match="not a valid lutlearn model or pipeline file"):
        load(saved)


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_pickled_payload_is_never_loaded(saved, tmp_path):
    marker = tmp_path / "ran"

    append_pickled_entry(saved, "step0.thresholds.npy", marker)
    with pytest.raises(ModelFormatError):
        load(saved)
    assert not marker.exists()


# ---------------------------------------------------------------- the command line
def test_cli_predict_evaluate_info_export_with_a_pipeline(pixels, tmp_path, capsys):
    X, y = pixels
    pipe = _pipelines(X, y)["binarizer"]
    path = tmp_path / "p.npz"
    save(pipe, path)
    np.save(tmp_path / "raw.npy", X)
    np.savez(tmp_path / "labelled.npz", X=X, y=y)
    assert main(["predict", str(path), str(tmp_path / "raw.npy")]) == 0
    assert capsys.readouterr().out.split() == pipe.predict(X).tolist()
    assert main(["evaluate", str(path), str(tmp_path / "labelled.npz")]) == 0
    assert f"accuracy {pipe.score(X, y):.4f} on 400 examples" in capsys.readouterr().out
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "thresholdbinarizer: ThresholdBinarizer(" in out and "layer  count" in out
    assert "drawn from random_state=5" in out
    assert main(["export", str(path), "-o", str(tmp_path / "m.c")]) == 1  # C cannot carry the encoder
    err = capsys.readouterr().err
    assert "ThresholdBinarizer before the network: only the Verilog format carries an encoder" in err
    assert not (tmp_path / "m.c").exists()
    assert main(["export", str(path), "-o", str(tmp_path / "e.v")]) == 0  # Verilog: its comparators included
    assert "ThresholdBinarizer as" in capsys.readouterr().out and "module lutlearn_model_encoder" in (
        tmp_path / "e.v").read_text()
    save(Pipeline([("net", pipe[-1])]), tmp_path / "net_only.npz")  # a pipeline holding the network alone
    assert main(["export", str(tmp_path / "net_only.npz"), "-o", str(tmp_path / "m.v")]) == 0
    assert (tmp_path / "m.v").read_text().startswith("//") or "module" in (tmp_path / "m.v").read_text()
