"""``lutlearn train``'s encoder, class-weight and sample-weight options, and CSV files with text labels: the same
models as the Python calls they stand for, run in-process."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.pipeline import make_pipeline

import lutlearn
from lutlearn import LutNetworkClassifier, ThermometerEncoder, ThresholdBinarizer
from lutlearn.cli import main


@pytest.fixture(scope="module")
def iris(tmp_path_factory):
    """Iris as a CSV file with a header, a weight column (setosa weighs 2) and text labels."""
    tmp = tmp_path_factory.mktemp("iris")
    d = load_iris()
    names = d.target_names[d.target]
    weights = np.where(d.target == 0, 2, 1)
    rows = ["sl,sw,pl,pw,weight,species"] + [",".join([*map(str, x), str(w), n])
                                            for x, w, n in zip(d.data, weights, names)]
    (tmp / "iris.csv").write_text("\n".join(rows) + "\n")
    (tmp / "plain.csv").write_text("\n".join(",".join([*map(str, x), n]) for x, n in zip(d.data, names)) + "\n")
    return tmp, d.data, names, weights


def _same_predictions(path, expected, X):
    np.testing.assert_array_equal(lutlearn.load(path).predict(X), expected.predict(X))


def test_thermometer_encoder_class_and_sample_weights_match_python(iris, capsys):
    tmp, X, y, w = iris
    assert main(["train", str(tmp / "iris.csv"), "--encoder", "thermometer", "--n-bits", "16", "--encoder-method",
                 "quantile", "-k", "auto", "--class-weight", "balanced", "--sample-weight-column", "weight",
                 "-o", str(tmp / "m.npz")]) == 0
    out = capsys.readouterr().out
    assert "150 examples x 4 features (64 bits from the thermometer encoder)" in out
    assert "pipeline (ThermometerEncoder and the network) written to" in out
    python = make_pipeline(ThermometerEncoder(n_bits=16, method="quantile"),
                           LutNetworkClassifier(k="auto", class_weight="balanced", random_state=0))
    python.fit(X, y, lutnetworkclassifier__sample_weight=w)
    _same_predictions(tmp / "m.npz", python, X)
    unweighted = make_pipeline(ThermometerEncoder(n_bits=16, method="quantile"),
                               LutNetworkClassifier(k="auto", random_state=0)).fit(X, y)
    assert not np.array_equal(unweighted[-1].network_.head.counts, python[-1].network_.head.counts)
    # the model reads the file's raw features by name: evaluate on the file without the weight column
    (tmp / "eval.csv").write_text("\n".join(",".join(r.split(",")[:4] + r.split(",")[5:])
                                            for r in (tmp / "iris.csv").read_text().splitlines()) + "\n")
    assert main(["evaluate", str(tmp / "m.npz"), str(tmp / "eval.csv")]) == 0
    assert f"accuracy {python.score(X, y):.4f} on 150 examples" in capsys.readouterr().out


def test_threshold_encoder_and_a_class_weight_dict(iris, capsys):
    tmp, X, y, w = iris
    assert main(["train", str(tmp / "iris.csv"), "--encoder", "threshold", "--threshold", "5,3,3,1", "-k", "2",
                 "--hidden-layers", "1x32", "--class-weight", "setosa=3,virginica=0.5", "--sample-weight-column",
                 "4", "-o", str(tmp / "t.npz")]) == 0
    python = make_pipeline(ThresholdBinarizer(threshold=[5, 3, 3, 1]),
                           LutNetworkClassifier(k=2, hidden_layers=(32,), random_state=0,
                                                class_weight={"setosa": 3.0, "virginica": 0.5}))
    python.fit(X, y, lutnetworkclassifier__sample_weight=w)
    _same_predictions(tmp / "t.npz", python, X)
    np.testing.assert_array_equal(lutlearn.load(tmp / "t.npz")[0].thresholds_, [5, 3, 3, 1])


def test_text_labels_train_evaluate_and_predict(iris, capsys):
    """A CSV without a header whose last column is text: the model's classes are the names, and its own file
    evaluates (it was refused as 'non-numeric')."""
    tmp, X, y, _ = iris
    model = tmp / "text.npz"
    assert main(["train", str(tmp / "plain.csv"), "--encoder", "thermometer", "-k", "auto", "-o", str(model)]) == 0
    assert list(lutlearn.load(model).classes_) == ["setosa", "versicolor", "virginica"]
    capsys.readouterr()
    assert main(["evaluate", str(model), str(tmp / "plain.csv")]) == 0
    assert "on 150 examples" in capsys.readouterr().out
    assert main(["predict", str(model), str(tmp / "plain.csv"), "--label-column", "last", "-o",
                 str(tmp / "p.csv")]) == 0
    assert capsys.readouterr().out == f"150 predictions written to {tmp / 'p.csv'}\n"
    assert set((tmp / "p.csv").read_text().split()) <= {"setosa", "versicolor", "virginica"}


@pytest.mark.parametrize("argv, message", [
    (["--n-bits", "4"], "--n-bits: an option of --encoder thermometer or threshold, which is not given"),
    (["--encoder", "threshold", "--n-bits", "4"], "--n-bits: not an option of --encoder threshold"),
    (["--encoder", "thermometer", "--threshold", "3"], "--threshold: not an option of --encoder thermometer"),
    (["--class-weight", "cat=2"], "'cat' not among the training labels"),
    (["--class-weight", "setosa"], "expected 'balanced' or LABEL=WEIGHT"),
    (["--sample-weight-column", "height"], "no column named 'height'"),
    (["--sample-weight-column", "5"], "column 5 is the label column"),
    (["--task", "binary-digits", "--sample-weight-column", "0"], "not of --task or --pla"),
])
def test_option_errors_are_one_line(iris, capsys, argv, message):
    tmp, *_ = iris
    data = [] if "--task" in argv else [str(tmp / "iris.csv")]
    assert main(["train", *data, *argv, "-o", str(tmp / "bad.npz")]) != 0
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp / "bad.npz").exists()


def test_npz_weights_are_an_array(tmp_path, capsys):
    X = np.random.default_rng(0).integers(0, 2, (300, 12)).astype(np.uint8)
    y = X[:, 0] ^ X[:, 1]
    w = np.where(X[:, 2] == 1, 3, 1)
    np.savez(tmp_path / "d.npz", X=X, y=y, w=w)
    assert main(["train", str(tmp_path / "d.npz"), "--sample-weight-column", "w", "-k", "4", "--hidden-layers",
                 "1x16", "-o", str(tmp_path / "m.npz")]) == 0
    python = LutNetworkClassifier(k=4, hidden_layers=(16,), random_state=0).fit(X, y, sample_weight=w)
    _same_predictions(tmp_path / "m.npz", python, X)
    assert main(["train", str(tmp_path / "d.npz"), "--sample-weight-column", "v", "-o", str(tmp_path / "n.npz")])
    assert "no array named 'v'" in capsys.readouterr().err
