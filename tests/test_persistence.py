"""Model files: round trip, and clear errors for truncated, corrupted, tampered or foreign files."""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import lutlearn
from _archives import Evil, append_pickled_entry, rewrite
from _limits import capped_script
from lutlearn import LutNetworkClassifier, ModelFormatError, load


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, size=(400, 20)).astype(np.uint8)
    y = np.where(X[:, :3].sum(axis=1) >= 2, "pos", "neg")
    return LutNetworkClassifier(k=3, hidden_layers=(16, 8), random_state=4).fit(X, y), X


@pytest.fixture()
def saved(fitted, tmp_path):
    path = tmp_path / "model.npz"
    fitted[0].save(path)
    return path


def test_round_trip(fitted, saved):
    model, X = fitted
    loaded = load(saved)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert loaded.get_params() == model.get_params()  # as given, random_state included
    assert loaded.seed_ == model.seed_ and list(loaded.classes_) == ["neg", "pos"]
    assert loaded.layer_report_ == model.layer_report_
    assert LutNetworkClassifier.load(saved).format_layer_report() == model.format_layer_report()


def test_save_is_atomic_and_leaves_no_temporary(fitted, tmp_path):
    fitted[0].save(tmp_path / "m.npz")
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]


def test_truncated_file(saved):
    data = saved.read_bytes()
    for cut in (10, len(data) // 2, len(data) - 5):
        saved.write_bytes(data[:cut])
        with pytest.raises(ModelFormatError, match="not a valid lutlearn model"):
            load(saved)


def test_corrupted_byte(saved):
    data = bytearray(saved.read_bytes())
    data[len(data) // 3] ^= 0xFF
    saved.write_bytes(bytes(data))
    with pytest.raises(ModelFormatError):
        load(saved)


def test_changed_array_fails_checksum(saved):
    with np.load(saved, allow_pickle=False) as npz:
        arrays = {n: npz[n] for n in npz.files}
    arrays["tables_1"] = 1 - arrays["tables_1"]
    np.savez(saved, **arrays)
    with pytest.raises(ModelFormatError, match="checksum mismatch in 'tables_1'"):
        load(saved)


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda a, m: a.__setitem__("tables_2", a["tables_2"] + 5), "out of range"),
        (lambda a, m: a.__setitem__("wires_1", a["wires_1"] + 100), "outside layer 0"),
        (lambda a, m: a.__setitem__("wires_2", a["wires_2"][:, :2].copy()), "bad wires_2"),
        (lambda a, m: a.__setitem__("output_counts", a["output_counts"][:3]), "bad output_counts"),
        (lambda a, m: a.pop("tables_1"), "bad tables_1"),
        (lambda a, m: m.__setitem__("version", 99), "format version 99"),
        (lambda a, m: m.__setitem__("format", "other"), "wrong format"),
        (lambda a, m: m["params"].__setitem__("k", 40), "bad parameters"),
        (lambda a, m: m.__setitem__("n_layers", 7), "layer count"),
    ],
)
def test_tampered_contents_are_refused(saved, edit, match):
    rewrite(saved, edit)
    with pytest.raises(ModelFormatError, match=match):
        load(saved)


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_pickled_payload_is_never_loaded(saved, tmp_path):
    """An object array (which needs pickle) in place of an entry is refused, and its code never runs."""
    marker = tmp_path / "ran"

    append_pickled_entry(saved, "tables_1.npy", marker)
    with pytest.raises(ModelFormatError):
        load(saved)
    assert not marker.exists()
    plain = tmp_path / "plain.npz"
    plain.write_bytes(pickle.dumps(Evil(marker)))
    with pytest.raises(ModelFormatError):
        load(plain)
    assert not marker.exists()


def test_missing_and_foreign_files(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nope.npz")
    other = tmp_path / "other.npz"
    np.savez(other, X=np.zeros(3))
    with pytest.raises(ModelFormatError, match="no 'meta'"):
        load(other)


def test_object_labels_of_strings_are_saved(tmp_path):
    X = np.array([[0], [1]] * 5, np.uint8)
    model = LutNetworkClassifier(k=1, hidden_layers=()).fit(X, np.array(["a", "b"] * 5, dtype=object))
    model.save(tmp_path / "m.npz")
    assert list(load(tmp_path / "m.npz").predict(X[:2])) == ["a", "b"]


def test_labels_that_need_pickle_are_refused(tmp_path):
    from fractions import Fraction

    X = np.array([[0], [1]] * 5, np.uint8)
    model = LutNetworkClassifier(k=1, hidden_layers=()).fit(X, [0, 1] * 5)
    model.classes_ = np.array([Fraction(1, 2), Fraction(1, 3)], dtype=object)  # sklearn refuses these in fit
    with pytest.raises(ValueError, match="without pickle"):
        model.save(tmp_path / "m.npz")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- parameters as given, weights
def test_parameters_as_given_rebuild_the_same_network(fitted, saved):
    from sklearn.base import clone

    model, X = fitted
    y = model.predict(X)
    loaded = load(saved)
    assert loaded.get_params()["random_state"] == 4 and loaded.get_params()["hidden_layers"] == (16, 8)
    again = clone(loaded).fit(X, y)
    assert again.seed_ == clone(model).fit(X, y).seed_
    np.testing.assert_array_equal(again.tables_[0], clone(model).fit(X, y).tables_[0])


def test_defaults_class_weight_and_random_state_instance_are_stored(tmp_path):
    rng = np.random.default_rng(2)
    X = rng.integers(0, 2, size=(300, 12)).astype(np.uint8)
    y = np.array([3, 5, 9])[X[:, 0] + X[:, 1]]
    m = LutNetworkClassifier(k=3, hidden_layers=(16,), n_output_luts=4, class_weight={5: 0.5, 9: 3},
                             random_state=np.random.RandomState(0)).fit(X, y, sample_weight=rng.random(300))
    m.save(tmp_path / "m.npz")
    loaded = load(tmp_path / "m.npz")
    params = loaded.get_params()
    assert params["class_weight"] == {5: 0.5, 9: 3.0} and params["random_state"] is None  # an instance: not stored
    assert params["output_k"] is None and params["n_output_luts"] == 4  # as given, not the effective 12
    assert loaded.network_.head.weight_shift == m.network_.head.weight_shift > 0
    np.testing.assert_array_equal(loaded.predict_proba(X), m.predict_proba(X))
    np.testing.assert_array_equal(loaded.decision_function(X), m.decision_function(X))


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda a, m: m.update(estimator_params={"k": "eight"}), "estimator_params"),
        (lambda a, m: m.update(estimator_params={"bogus": 1}), "estimator_params"),
        (lambda a, m: m.update(estimator_params={"class_weight": [[1]]}), "estimator_params"),
        (lambda a, m: m.update(weight_shift="x"), "metadata"),
        (lambda a, m: m.update(weight_shift=10**6), "weight_shift"),
    ],
)
def test_tampered_new_metadata_is_refused(saved, edit, match):
    rewrite(saved, edit)
    with pytest.raises(ModelFormatError, match=match):
        load(saved)


# ------------------------------------------------------------------ value ranges (checksums are not validity)


@pytest.fixture(scope="module")
def fitted_multi():
    rng = np.random.default_rng(1)
    X = rng.integers(0, 2, size=(300, 12)).astype(np.uint8)
    return LutNetworkClassifier(k=3, hidden_layers=(8,), output_k=3, n_output_luts=4, random_state=0).fit(
        X, X[:, :3].sum(axis=1))


def _set(name, value):
    return lambda a, m: a.__setitem__(name, value(a[name]))


def _meta(key, value):
    return lambda a, m: m.__setitem__(key, value)


def _lut_wired_twice(w):
    w = w.copy()
    w[0, :] = w[0, 0]
    return w


@pytest.mark.parametrize(
    "edit, match",
    [
        (_set("classes", lambda c: np.array(["neg", "neg"])), "unique and sorted"),
        (_set("classes", lambda c: c[::-1].copy()), "unique and sorted"),
        (_set("classes", lambda c: np.array([np.nan, 1.0])), "finite"),
        (_set("accuracy_1", lambda a: a + 7.0), r"outside \[0, 1\]"),
        (_set("accuracy_0", lambda a: np.where(a > -1, np.nan, a)), r"outside \[0, 1\]"),
        (_set("wires_1", _lut_wired_twice), "wire a lut twice"),
        (_meta("feature_names", "abc"), "feature_names must be a list of strings"),
        (_meta("feature_names", ["a"] * 19), "19 feature_names for 20 features"),
        (_meta("feature_names", [1] * 20), "feature_names must be a list of strings"),
        (_meta("seed", 1.5), "seed must be an integer"),
        (_meta("seed", -1), "seed must be an integer"),
        (_meta("n_layers", "3"), "n_layers must be an integer"),
        (_meta("n_features_in", True), "n_features_in must be an integer"),
        (lambda a, m: m["params"].__setitem__("hidden_layers", [16.0, 8]), "hidden_layers must be an integer"),
        (lambda a, m: m["params"].__setitem__("hidden_layers", "abc"), "hidden_layers must be a list"),
        (lambda a, m: m["params"].__setitem__("k", 0), "params.k|k must be an integer"),
    ],
)
def test_values_outside_the_format_are_refused_even_with_valid_checksums(saved, edit, match):
    rewrite(saved, edit)
    with pytest.raises(ModelFormatError, match=match):
        load(saved)


def test_files_without_the_new_keys_still_load(saved):
    rewrite(saved, lambda a, m: m.pop("estimator_params"))
    loaded = load(saved)
    assert loaded.get_params()["random_state"] is None and loaded.get_params()["hidden_layers"] == (16, 8)


@pytest.mark.parametrize(
    "edit, match",
    [
        (_set("dichotomies_1", lambda d: np.zeros_like(d)), "both sides non-empty"),
        (_set("dichotomies_1", lambda d: np.ones_like(d)), "both sides non-empty"),
        (_set("tables_1", lambda t: np.full_like(t, 2)), "tables_1 hold a class index out of range"),
    ],
)
def test_multiclass_values_outside_the_format_are_refused(fitted_multi, tmp_path, edit, match):
    path = tmp_path / "m.npz"
    fitted_multi.save(path)
    load(path)
    rewrite(path, edit)
    with pytest.raises(ModelFormatError, match=match):
        load(path)


# ------------------------------------------------------------------ damaged archives: always ModelFormatError


def _patch_entry_headers(path, name, edit):
    """Apply ``edit(bytearray, offset)`` to the local and central zip headers of entry ``name``."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name)
    edit(data, info.header_offset)  # local header: flags at +6, method at +8
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        n = int.from_bytes(data[central + 28:central + 30], "little")
        if data[central + 46:central + 46 + n] == name.encode():
            edit(data, central + 2)  # central header: the same fields two bytes later
            break
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))


def _encrypted(data, at):
    data[at + 6] |= 1


def _method_99(data, at):
    data[at + 8:at + 10] = (99).to_bytes(2, "little")


@pytest.mark.parametrize("edit, match", [(_encrypted, "is encrypted"), (_method_99, "compression method 99")])
def test_encrypted_or_unknown_compression_is_a_model_format_error(saved, edit, match):
    _patch_entry_headers(saved, "tables_1.npy", edit)
    with pytest.raises(ModelFormatError, match=f"^{saved}: .*{match}"):
        load(saved)


def _savez_meta(path, text: bytes):
    np.savez(path, meta=np.frombuffer(text, np.uint8))


@pytest.mark.parametrize(
    "text, match",
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"format": "lutlearn-network", "version": 1, "sha256": {}, "params": {}, "lutlearn_version": "0",'
         b' "n_layers": NaN}', "NaN is not allowed"),
        (b"\xff\xfe", "bad metadata"),
        (b'{"format": "lutlearn-network", "version": true}', "format version True"),
    ],
)
def test_bad_metadata_is_a_model_format_error(tmp_path, text, match):
    _savez_meta(tmp_path / "m.npz", text)
    with pytest.raises(ModelFormatError, match=match):
        load(tmp_path / "m.npz")


def test_the_cli_prints_a_damaged_model_in_one_line_naming_it(saved, capsys):
    from lutlearn.cli import main

    _patch_entry_headers(saved, "tables_1.npy", _encrypted)
    data = saved.with_name("x.csv")
    data.write_text("0," * 19 + "1\n")
    assert main(["predict", str(saved), str(data)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(saved) in err and "not a valid lutlearn model file" in err


# ------------------------------------------------------------------ memory: sizes checked before decompressing

_UNDER_A_CAP = capped_script("""
import sys
from lutlearn import ModelFormatError, load
""", """
try:
    load(sys.argv[1])
except ModelFormatError as exc:
    print("ModelFormatError:", exc)
except MemoryError as exc:
    print("MemoryError:", exc)
""", 96)


def _bomb(saved, entry: str, n_bytes: int, header_shape: tuple | None):
    """Replace ``entry`` by a deflated .npy of ``n_bytes`` zero bytes (a zip bomb).

    Its header says uint8 of ``header_shape`` (None: the whole size, so the
    entry is a well-formed .npy, only far larger than the metadata implies).
    """
    with zipfile.ZipFile(saved) as zf:
        entries = {i.filename: zf.read(i) for i in zf.infolist() if i.filename != entry}
    with zipfile.ZipFile(saved, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
        with zf.open(entry, "w", force_zip64=True) as fh:
            shape = (n_bytes,) if header_shape is None else header_shape
            np.lib.format.write_array_header_1_0(fh, {"descr": "|u1", "fortran_order": False, "shape": shape})
            zero = bytes(8 << 20)
            for _ in range(n_bytes // len(zero)):
                fh.write(zero)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc")
@pytest.mark.parametrize(
    "entry, header_shape, match",
    [
        ("tables_1.npy", None, r"bad tables_1: uint8 array of shape \(268435456,\)"),
        ("meta.npy", None, "entry 'meta' declares 268435584 bytes, more than the 67108864 allowed"),
        ("tables_1.npy", (16, 8), "entry 'tables_1' declares 268435584 bytes but its header implies 256"),
    ],
)
def test_a_zip_bomb_is_refused_within_a_memory_cap(saved, entry, header_shape, match):
    _bomb(saved, entry, 256 << 20, header_shape)
    assert saved.stat().st_size < 2 << 20  # 256 MiB in a file under 2 MB
    env = {**os.environ, "PYTHONPATH": str(Path(lutlearn.__file__).parents[1])}
    out = subprocess.run([sys.executable, "-c", _UNDER_A_CAP, str(saved)], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.stdout.startswith(f"ModelFormatError: {saved}: "), out.stdout + out.stderr
    assert re.search(match, out.stdout), out.stdout


def test_greedy_wiring_is_stored_and_older_files_mean_random(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.integers(0, 2, size=(300, 12)).astype(np.uint8)
    y = X[:, 2] ^ X[:, 5]
    m = LutNetworkClassifier(k=2, hidden_layers=(6,), wiring="greedy", wiring_candidates=8, random_state=0).fit(X, y)
    m.save(tmp_path / "g.npz")
    loaded = load(tmp_path / "g.npz")
    assert loaded.get_params()["wiring"] == "greedy" and loaded.get_params()["wiring_candidates"] == 8
    np.testing.assert_array_equal(loaded.predict(X), m.predict(X))
    for a, b in zip(loaded.wires_, m.wires_):
        np.testing.assert_array_equal(a, b)

    def drop_wiring(arrays, meta):
        del meta["estimator_params"]["wiring"], meta["estimator_params"]["wiring_candidates"]

    plain = LutNetworkClassifier(k=2, hidden_layers=(6,), random_state=0).fit(X, y)
    plain.save(tmp_path / "r.npz")
    rewrite(tmp_path / "r.npz", drop_wiring)  # as files written before the option
    assert load(tmp_path / "r.npz").get_params()["wiring"] == "random"
    if any(len(set(row)) < len(row) for w in m.wires_ for row in w.tolist()):  # a repeated input: only greedy's
        rewrite(tmp_path / "g.npz", drop_wiring)
        with pytest.raises(ModelFormatError, match="wire a lut twice"):
            load(tmp_path / "g.npz")
        m.save(tmp_path / "g.npz")
    rewrite(tmp_path / "g.npz", lambda a, meta: meta["estimator_params"].update(wiring="best"))
    with pytest.raises(ModelFormatError, match="estimator_params"):
        load(tmp_path / "g.npz")


@pytest.mark.parametrize("shift", [1099, -1099])
def test_a_weight_shift_out_of_the_float_range_is_refused(tmp_path, shift):
    """A JSON edit (checksums recomputed) to weight_shift +-1099: the counts would weigh 0 or infinity, and a
    multi-class model predicted one class; refused on load. A fitted model's shift still loads."""

    rng = np.random.default_rng(1)
    X = rng.integers(0, 2, size=(300, 12)).astype(np.uint8)
    m = LutNetworkClassifier(k=3, hidden_layers=(8,), output_k=3, n_output_luts=4, random_state=0).fit(
        X, X[:, :3].sum(axis=1), sample_weight=rng.random(300))
    path = tmp_path / "m.npz"
    m.save(path)
    assert load(path).network_.head.weight_shift == m.network_.head.weight_shift > 0
    rewrite(path, lambda a, meta: meta.update(weight_shift=shift))
    with pytest.raises(ModelFormatError, match=f"weight_shift {shift} puts the training set's total weight"):
        load(path)


def test_info_prints_the_unit_of_a_negative_weight_shift(tmp_path, capsys):
    from lutlearn.cli import main

    rng = np.random.default_rng(1)
    X = rng.integers(0, 2, size=(300, 12)).astype(np.uint8)
    m = LutNetworkClassifier(k=3, hidden_layers=(8,), random_state=0).fit(X, X[:, 0], sample_weight=np.full(300, 1e9))
    assert m.network_.head.weight_shift < 0
    m.save(tmp_path / "m.npz")
    assert main(["info", str(tmp_path / "m.npz")]) == 0
    out = capsys.readouterr().out
    assert f"counts are in units of 2**{-m.network_.head.weight_shift} of a weight" in out and "--" not in out


def test_multiclass_auto_k_round_trip(tmp_path):
    """A multi-class k="auto" network whose output luts are smaller than the multi-class default (12) loads:
    its file records the output_k auto chose (it was refused as 'bad wires_2')."""
    from sklearn.datasets import load_iris

    from lutlearn import ThermometerEncoder

    X, y = load_iris(return_X_y=True)
    bits = ThermometerEncoder(n_bits=16).fit_transform(X)
    clf = LutNetworkClassifier(k="auto", random_state=0).fit(bits, y)
    assert clf.network_.ks[-1] < 12
    clf.save(tmp_path / "m.npz")
    np.testing.assert_array_equal(lutlearn.load(tmp_path / "m.npz").predict(bits), clf.predict(bits))
