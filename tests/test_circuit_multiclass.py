"""Multi-class circuits under a budget: the AIG computes the chosen model, the budget holds, validation chooses."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits

from lutlearn.circuits.multiclass import circuit_predict, fit_multiclass_circuit
from lutlearn.core.encoders import ThermometerEncoder, ThresholdBinarizer
from lutlearn.export.aiger import parse_aiger
from lutlearn.export.encoder import InputEncoder

K4 = {"ks": (4,), "learning_rates": (0.5,)}  # one family
K3 = {"ks": (3,), "learning_rates": (0.5,)}


def _digits():
    X, y = load_digits(return_X_y=True)
    return X.astype(np.int64), y


def test_the_circuit_is_the_chosen_model_within_budget():
    X, y = _digits()
    bits = (X > 8).astype(np.uint8)
    r = fit_multiclass_circuit(bits[:1200], y[:1200], bits[1200:1500], y[1200:1500], 3000, **K4, use_abc=False,
                               progress=False)
    assert r.and_gates <= 3000 and parse_aiger(r.aig).n_ands == r.and_gates
    assert len(parse_aiger(r.aig).outputs) == 4  # the class index of 10 classes
    np.testing.assert_array_equal(r.predict(bits[1200:]), r.model.predict(bits[1200:]))
    fitting = [c for c in r.candidates if c["fits"]]
    assert r.valid_accuracy == max(c["valid_accuracy"] for c in fitting) > 0.7
    assert any(not c["fits"] for c in r.candidates)  # the family grew until it overflowed
    sizes = [c["n_output_luts"] for c in r.candidates]
    assert sizes[:3] == [20, 40, 80]
    again = fit_multiclass_circuit(bits[:1200], y[:1200], bits[1200:1500], y[1200:1500], 3000, **K4,
                                   use_abc=False, progress=False)
    assert again.aig == r.aig and again.candidates == [dict(c, seconds=a["seconds"]) for c, a in
                                                       zip(r.candidates, again.candidates)]


def test_weighted_votes_a_larger_start_and_threads_give_the_same_kind_of_circuit():
    X, y = _digits()
    bits = (X > 8).astype(np.uint8)
    args = (bits[:1200], y[:1200], bits[1200:1500], y[1200:1500], 4000)
    r = fit_multiclass_circuit(*args, **K3, output_bits=2, start_luts=30, use_abc=False, progress=False)
    assert [c["n_output_luts"] for c in r.candidates][:2] == [30, 60] and r.model.output_bits == 2
    np.testing.assert_array_equal(r.predict(bits[1200:]), r.model.predict(bits[1200:]))  # the circuit is the model
    one = fit_multiclass_circuit(*args, **K3, output_bits=1, start_luts=30, use_abc=False, progress=False)
    assert one.aig != r.aig  # the votes' width reaches the circuit
    threads = fit_multiclass_circuit(*args, **K3, output_bits=2, start_luts=30, n_jobs=2, use_abc=False,
                                     progress=False)
    assert threads.aig == r.aig
    from lutlearn.circuits.multiclass import _Sizes

    sizes = _Sizes(30, 65536, 1000, multiple=10)  # the step filling the budget keeps as many luts per class
    sizes.record(30, 400, True)
    sizes.record(60, 1300, False)
    assert sizes.next == 40  # 0.97 of the interpolated 50 luts, down to a multiple of the 10 classes
    plain = _Sizes(30, 65536, 1000)
    plain.record(30, 400, True)
    plain.record(60, 1300, False)
    assert plain.next == 48
    for bad in ({"output_bits": 0}, {"output_bits": 9}, {"start_luts": 0}, {"start_luts": 70000}):
        with pytest.raises(ValueError, match="output_bits must be 1 to 8 and start_luts"):
            fit_multiclass_circuit(*args, **K3, **bad, use_abc=False, progress=False)
    with pytest.raises(ValueError, match="a multiple of the 10 classes, got 35"):
        fit_multiclass_circuit(*args, **K3, output_bits=2, start_luts=35, use_abc=False, progress=False)


def test_refit_fits_the_chosen_design_on_training_and_validation_rows():
    X, y = _digits()
    bits = (X > 8).astype(np.uint8)
    args = (bits[:1200], y[:1200], bits[1200:1500], y[1200:1500], 3000)
    plain = fit_multiclass_circuit(*args, **K4, use_abc=False, progress=False)
    again = fit_multiclass_circuit(*args, **K4, refit=True, use_abc=False, progress=False)
    assert not plain.refitted and again.refitted and again.and_gates <= 3000
    assert again.valid_accuracy == plain.valid_accuracy and again.candidates[0]["k"] == plain.candidates[0]["k"]
    assert again.model.n_output_luts == plain.model.n_output_luts and again.aig != plain.aig
    np.testing.assert_array_equal(again.predict(bits[1500:]), again.model.predict(bits[1500:]))
    from lutlearn import LutNetworkClassifier

    m = plain.model
    by_hand = LutNetworkClassifier(**m.get_params()).fit(bits[:1500], y[:1500])  # the same design, all 1,500 rows
    np.testing.assert_array_equal(again.model.predict(bits), by_hand.predict(bits))


@pytest.mark.parametrize("encoder", [ThresholdBinarizer(threshold=8), ThermometerEncoder(n_bits=2)])
def test_raw_features_through_comparators_and_one_hot_outputs(encoder):
    X, y = _digits()
    enc = InputEncoder.from_encoder(encoder.fit(X[:1200]))
    r = fit_multiclass_circuit(X[:1200], y[:1200], X[1200:1500], y[1200:1500], 2500, **K3, encoder=enc,
                               one_hot=True, use_abc=False, progress=False)
    aig = parse_aiger(r.aig)
    assert aig.n_inputs == 64 * 8 and len(aig.outputs) == 10 and r.and_gates <= 2500
    out = aig.evaluate(enc.raw_bits(X[1200:]))
    assert (out.sum(axis=1) == 1).all()  # exactly one class output is 1
    np.testing.assert_array_equal(r.predict(X[1200:]), r.model.predict(enc.encode(X[1200:])))
    assert r.score(X[1500:], y[1500:]) > 0.6


def test_abc_counts_and_optimises():
    from lutlearn.export import tools

    if tools.find_abc() is None:
        pytest.skip("ABC not installed (Debian package 'berkeley-abc')")
    X, y = _digits()
    bits = (X > 8).astype(np.uint8)
    r = fit_multiclass_circuit(bits[:1200], y[:1200], bits[1200:1500], y[1200:1500], 2000, **K4, use_abc=True,
                               progress=False)
    assert r.abc and r.and_gates <= 2000
    assert all(c["and_gates"] is None or c["and_gates"] <= c["and_gates_raw"] for c in r.candidates)
    np.testing.assert_array_equal(r.predict(bits[1200:]), r.model.predict(bits[1200:]))
    # one step fills the budget: between the last doubling that fits and the one that overflows
    doublings = [c for c in r.candidates if c["n_output_luts"] in (20, 40, 80, 160, 320, 640, 1280)]
    fill = [c for c in r.candidates if c not in doublings]
    assert len(fill) == 1 and not doublings[-1]["fits"] and doublings[-2]["fits"]
    assert doublings[-2]["n_output_luts"] < fill[0]["n_output_luts"] < doublings[-1]["n_output_luts"]


def test_bad_input_is_refused():
    X, y = _digits()
    bits = (X > 8).astype(np.uint8)
    with pytest.raises(ValueError, match="no design fits"):
        fit_multiclass_circuit(bits[:300], y[:300], bits[300:400], y[300:400], 10, **K4, use_abc=False)
    with pytest.raises(ValueError, match="one class"):
        fit_multiclass_circuit(bits[:300], np.zeros(300), bits[300:400], y[300:400], 1000, use_abc=False)
    with pytest.raises(ValueError, match="learning_rates"):
        fit_multiclass_circuit(bits[:300], y[:300], bits[300:400], y[300:400], 1000, learning_rates=(0,))
    with pytest.raises(ValueError, match="lut sizes"):
        fit_multiclass_circuit(bits[:300], y[:300], bits[300:400], y[300:400], 1000, ks=(0,), use_abc=False)


def test_one_hot_labels_take_the_first_output_set():
    out = np.array([[0, 1, 1], [0, 0, 0], [1, 0, 0]], np.uint8)
    np.testing.assert_array_equal(circuit_predict(out, np.array([5, 6, 7]), True), [6, -1, 5])
    np.testing.assert_array_equal(circuit_predict(np.array([[1, 0], [0, 1]], np.uint8), np.array([3, 4, 5]),
                                                  False), [4, 5])
    assert list(circuit_predict(out, np.array(["a", "b", "c"]), True)) == ["b", None, "a"]


def test_fit_circuit_command_on_a_multiclass_task(tmp_path, capsys):
    import json

    from lutlearn.cli import main
    from lutlearn.datasets import load_digits_raw

    out, js = tmp_path / "d.aig", tmp_path / "d.json"
    assert main(["fit-circuit", "--task", "multiclass-digits", "--max-and-gates", "1500", "--ks", "3",
                 "--learning-rates", "0.5", "--no-abc", "--raw-inputs", "--one-hot", "-o", str(out),
                 "--json", str(js)]) == 0
    text = capsys.readouterr().out
    record = json.loads(js.read_text())
    aig = parse_aiger(out.read_bytes())
    assert aig.n_inputs == 64 * 8 and len(aig.outputs) == 10 and aig.n_ands == record["and_gates"] <= 1500
    _, _, Xt, yt = load_digits_raw()  # the circuit alone, on the raw test pixels, gives the reported accuracy
    raw = ((Xt[:, :, None] >> np.arange(8)) & 1).reshape(len(Xt), -1).astype(np.uint8)
    labels = circuit_predict(aig.evaluate(raw), np.arange(10), True)
    assert float((labels == yt).mean()) == record["test_accuracy"] > 0.6
    assert f"test accuracy {record['test_accuracy']:.4f}" in text
    assert main(["evaluate", str(out), "--task", "multiclass-digits"]) == 0  # evaluate reads it back the same
    assert f"class accuracy {record['test_accuracy']:.4f} on 450 examples" in capsys.readouterr().out
    from lutlearn.export.aiger import output_symbols

    assert list(output_symbols(out.read_bytes()).values()) == [f"class_{c}" for c in range(10)]
    bits = tmp_path / "bits.aag"  # the task's bits in, the class index out
    assert main(["fit-circuit", "--task", "multiclass-digits", "--max-and-gates", "800", "--ks", "3",
                 "--learning-rates", "0.5", "--no-abc", "-o", str(bits)]) == 0
    line = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("validation")][0]
    reported = line.split("test accuracy ")[1].split()[0]
    assert list(output_symbols(bits.read_bytes()).values()) == ["class_bit0", "class_bit1", "class_bit2", "class_bit3"]
    assert main(["evaluate", str(bits), "--task", "multiclass-digits"]) == 0
    assert f"class accuracy {reported}" in capsys.readouterr().out
    for argv, message in (
        (["--task", "multiclass-digits", "--pla", "a.pla"], "not both"),
        (["--pla", "a.pla", "--valid", "b.pla", "--one-hot"], "go with --task"),
        (["--pla", "a.pla", "--valid", "b.pla", "--output-bits", "3"], "go with --task"),
        (["--pla", "a.pla", "--valid", "b.pla", "--start-luts", "300"], "go with --task"),
        (["--task", "multiclass-digits", "--levels", "3"], "--levels needs --raw-inputs"),
        (["--task", "multiclass-digits", "--n-valid", "0"], "--n-valid must be between"),
        (["--valid", "b.pla"], "give --pla and --valid"),
    ):
        assert main(["fit-circuit", *argv, "--max-and-gates", "9", "-o", str(tmp_path / "y.aig")]) == 1
        assert message in capsys.readouterr().err


def test_an_encoder_must_make_the_bits_the_network_reads():
    from lutlearn import LutNetworkClassifier
    from lutlearn.export.aiger import Aig
    from lutlearn.export.netlist import LutNetlist

    X, y = _digits()
    model = LutNetworkClassifier(wiring="boosted", n_output_luts=20, output_k=3, random_state=0).fit(X > 8, y)
    enc = InputEncoder.from_encoder(ThermometerEncoder(n_bits=2).fit(X))  # 128 bits for a network of 64
    with pytest.raises(ValueError, match="the encoder makes 128 bits; the netlist reads 64"):
        Aig.from_netlist(LutNetlist.from_model(model), encoder=enc)
