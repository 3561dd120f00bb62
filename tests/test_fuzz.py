"""Property-based fuzzing of the readers: mutated model, pipeline, example, PLA and AIGER files raise only the
documented errors.

Every reader of a file lutlearn did not write must either return something
usable or raise the documented exception with a message that starts with
the file's name: :class:`lutlearn.ModelFormatError` for model files,
``ValueError`` for example files (``.npy``, ``.npz``, ``.csv``),
:class:`lutlearn.datasets.pla.PlaFormatError` for PLA files,
:class:`lutlearn.export.aiger.AigerFormatError` for AIGER circuits (which
must also evaluate as the reference simulation does, within a time bound).
Anything else (a
``TypeError``, ``RecursionError``, ``MemoryError``, a zipfile or numpy error
escaping) fails the test. A model that loads must predict.

The default run tries a few dozen mutations per reader (a few seconds);
``LUTLEARN_FUZZ_EXAMPLES=5000`` runs a bigger campaign. Hypothesis derives
its examples from the test itself (``derandomize``), so a run is repeatable.
"""

from __future__ import annotations

import functools
import io
import json
import os
import zipfile

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis", reason="needs hypothesis (the test extra)")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from lutlearn import LutNetworkClassifier, ModelFormatError, load  # noqa: E402
from lutlearn.core.persistence import _digest  # noqa: E402
from lutlearn.datasets.io import read_examples  # noqa: E402
from lutlearn.datasets.pla import PlaFormatError, read_multi_pla, read_pla, write_pla  # noqa: E402

N_EXAMPLES = int(os.environ.get("LUTLEARN_FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=N_EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# ------------------------------------------------------------------ mutations of raw bytes

_edit = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 2**31), st.integers(1, 255)),
    st.tuples(st.just("set"), st.integers(0, 2**31), st.sampled_from([0, 1, 0x7F, 0x80, 0xFF, ord("9"), ord("[")])),
    st.tuples(st.just("cut"), st.integers(0, 2**31), st.integers(0, 0)),
    st.tuples(st.just("insert"), st.integers(0, 2**31), st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("delete"), st.integers(0, 2**31), st.integers(1, 16)),
)


def _mutate(data: bytes, edits) -> bytes:
    data = bytearray(data)
    for op, at, arg in edits:
        if not data:
            break
        at %= len(data)
        if op == "flip":
            data[at] ^= arg
        elif op == "set":
            data[at] = arg
        elif op == "cut":
            del data[at:]
        elif op == "insert":
            data[at:at] = arg
        else:
            del data[at:at + arg]
    return bytes(data)


def _expect(path, read, errors):
    """Call ``read(path)``; a raised error must be one of ``errors`` and its message must start with the path."""
    try:
        return read(path)
    except errors as exc:
        assert str(exc).startswith(str(path)), f"{type(exc).__name__} without the file name: {exc}"
        assert "allow_pickle" not in str(exc)
        return None


# ------------------------------------------------------------------ model files


@pytest.fixture(scope="module")
def model_files(tmp_path_factory):
    """A two-class and a multi-class model, each compressed (as saved) and stored (as ``np.savez`` writes)."""
    folder = tmp_path_factory.mktemp("models")
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, size=(200, 10)).astype(np.uint8)
    files = {}
    for name, model, y in [
        ("binary", LutNetworkClassifier(k=3, hidden_layers=(8,), random_state=0), X[:, 0] ^ X[:, 1]),
        ("multi", LutNetworkClassifier(k=3, hidden_layers=(8,), output_k=3, n_output_luts=3, random_state=0),
         X[:, :2].sum(axis=1)),
    ]:
        model.fit(X, y)
        model.predict(X[:2])  # compile once, outside the timed examples
        model.save(folder / f"{name}.npz")
        with np.load(folder / f"{name}.npz", allow_pickle=False) as npz:
            arrays = {n: npz[n] for n in npz.files}
        np.savez(folder / f"{name}-stored.npz", **arrays)
        files[name] = (folder / f"{name}.npz").read_bytes()
        files[f"{name}-stored"] = (folder / f"{name}-stored.npz").read_bytes()
    return files


def _load_and_use(path):
    model = load(path)
    model.predict(np.zeros((2, model.n_features_in_), np.uint8))  # what loads must work
    return model


@FUZZ
@given(which=st.sampled_from(["binary", "binary-stored", "multi", "multi-stored"]),
       edits=st.lists(_edit, min_size=1, max_size=4))
def test_mutated_model_bytes(model_files, tmp_path, which, edits):
    path = tmp_path / "m.npz"
    path.write_bytes(_mutate(model_files[which], edits))
    _expect(path, _load_and_use, ModelFormatError)


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=10,
)


def _arrays_of(data: bytes):
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        arrays = {n: npz[n] for n in npz.files}
    return arrays, json.loads(arrays.pop("meta").tobytes())


def _save_signed(path, arrays, meta):
    """Write ``arrays`` and ``meta`` with checksums recomputed: only the format's value checks can refuse it."""
    meta = dict(meta)
    if isinstance(meta.get("sha256"), dict):
        meta["sha256"] = {n: _digest(a) for n, a in arrays.items()}
    np.savez(path, meta=np.frombuffer(json.dumps(meta).encode(), np.uint8), **arrays)


@FUZZ
@given(which=st.sampled_from(["binary", "multi"]), data=st.data())
def test_mutated_model_values_with_valid_checksums(model_files, tmp_path, which, data):
    """Tampering that recomputes the checksums: a metadata value replaced, or an array's values or shape changed."""
    arrays, meta = _arrays_of(model_files[which])
    if data.draw(st.booleans(), label="edit metadata"):
        target = meta
        keys = data.draw(st.lists(st.sampled_from(["params", "hidden_layers", "k", "output_k", "n_output_luts",
                                                   "seed", "n_layers", "n_features_in", "feature_names",
                                                   "version", "format"]), min_size=1, max_size=2), label="keys")
        for key in keys[:-1]:
            if isinstance(target.get(key), dict):
                target = target[key]
        target[keys[-1]] = data.draw(_json, label="value")
    else:
        name = data.draw(st.sampled_from(sorted(arrays)), label="array")
        a = arrays[name]
        how = data.draw(st.sampled_from(["values", "dtype", "shape"]), label="how")
        if how == "values" and a.size:
            flat = a.reshape(-1).copy()
            i = data.draw(st.integers(0, flat.size - 1), label="index")
            choices = [-1, 0, 1, 2, 255, 2**31 - 1] if flat.dtype.kind in "iu" else [np.nan, np.inf, -1.0, 7.0, 0.5]
            if flat.dtype.kind == "U":
                choices = [flat[0], "", "zz"]
            value = data.draw(st.sampled_from(choices), label="value")
            try:
                flat[i] = value
            except (OverflowError, ValueError):
                pass
            arrays[name] = flat.reshape(a.shape)
        elif how == "dtype":
            arrays[name] = a.astype(data.draw(st.sampled_from([np.int8, np.int64, np.float32, np.bool_, "U3"])))
        else:
            arrays[name] = a.reshape(-1)[: data.draw(st.integers(0, max(a.size - 1, 0)), label="keep")]
    path = tmp_path / "m.npz"
    _save_signed(path, arrays, meta)
    _expect(path, _load_and_use, ModelFormatError)


# ------------------------------------------------------------------ example files and PLA files


@pytest.fixture(scope="module")
def data_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    table = np.array([[0, 1, 1, 0], [1, 0, 0, 1], [1, 1, 0, 0]], np.int64)
    np.save(folder / "d.npy", table)
    np.savez(folder / "d.npz", X=table[:, :3], y=table[:, 3])
    np.savez_compressed(folder / "c.npz", X=table[:, :3], y=table[:, 3])
    (folder / "d.csv").write_text("a,b,c,label\n" + "".join(",".join(map(str, r)) + "\n" for r in table))
    write_pla(folder / "f.pla", table[:, :3].astype(np.uint8), table[:, 3].astype(np.uint8), ["a", "b", "c"], "y")
    return {name: (folder / name).read_bytes() for name in ("d.npy", "d.npz", "c.npz", "d.csv", "f.pla")}


@FUZZ
@given(name=st.sampled_from(["d.npy", "d.npz", "c.npz", "d.csv"]), edits=st.lists(_edit, min_size=1, max_size=4))
def test_mutated_example_files(data_files, tmp_path, name, edits):
    path = tmp_path / name
    path.write_bytes(_mutate(data_files[name], edits))
    _expect(path, read_examples, ValueError)


@FUZZ
@given(edits=st.lists(_edit, min_size=1, max_size=4))
def test_mutated_pla_files(data_files, tmp_path, edits):
    path = tmp_path / "f.pla"
    path.write_bytes(_mutate(data_files["f.pla"], edits))
    _expect(path, read_pla, PlaFormatError)
    for dont_care_inputs in (False, True):  # the multi-output reader too: a PlaFormatError naming the file, or data
        pla = _expect(path, functools.partial(read_multi_pla, dont_care_inputs=dont_care_inputs), PlaFormatError)
        if pla is not None:
            assert pla.Y.shape == pla.care.shape and pla.X.shape[0] == pla.Y.shape[0]


# ------------------------------------------------------------------ AIGER circuits


@pytest.fixture(scope="module")
def aiger_files(model_files, tmp_path_factory):
    """A network's circuit as binary and ASCII AIGER (with a comment), and a hand-made three-gate one."""
    from lutlearn.export import LutNetlist
    from lutlearn.export.aiger import Aig

    folder = tmp_path_factory.mktemp("aiger")
    (folder / "m.npz").write_bytes(model_files["binary"])
    aig = Aig.from_netlist(LutNetlist.from_model(load(folder / "m.npz")))
    small = Aig(3)
    small.outputs = [small.mux(small.input(0), small.input(1), small.input(2) ^ 1), small.input(2)]
    return {"net.aig": aig.to_bytes(comment="fuzz"), "net.aag": aig.to_bytes(binary=False, comment="fuzz"),
            "small.aig": small.to_bytes(), "small.aag": small.to_bytes(binary=False)}


def _read_and_use_aiger(path):
    """What ``lutlearn info`` and ``evaluate`` do with a circuit: parse, depth, evaluate (bounded in time)."""
    import time

    from lutlearn.export.aiger import read_aiger

    t0 = time.perf_counter()
    aig = read_aiger(path)
    _ = aig.levels
    if aig.n_inputs <= 10_000:
        out = aig.evaluate(np.zeros((3, aig.n_inputs), np.uint8))
        np.testing.assert_array_equal(out, aig.evaluate_reference(np.zeros((3, aig.n_inputs), np.uint8)))
    assert time.perf_counter() - t0 < 10, f"{path}: {time.perf_counter() - t0:.1f} s"
    return aig


_header_edit = st.tuples(st.integers(0, 4), st.sampled_from([0, 1, 2, 7, 2**20, 2**31 - 1, 2**31, 2**40, 10**30]))


@FUZZ
@given(name=st.sampled_from(["net.aig", "net.aag", "small.aig", "small.aag"]),
       edits=st.lists(_edit, min_size=0, max_size=4), header=st.lists(_header_edit, max_size=2))
def test_mutated_aiger_files(aiger_files, tmp_path, name, edits, header):
    """Mutated bytes, and header counts replaced (huge input or gate counts): an AigerFormatError naming the file,
    or a circuit that evaluates (to the reference simulation), each within a time bound."""
    from lutlearn.export.aiger import AigerFormatError

    data = aiger_files[name]
    if header:
        first, rest = data.split(b"\n", 1)
        words = first.split()
        for field, value in header:
            words[1 + field] = str(value).encode()
        data = b" ".join(words) + b"\n" + rest
    if edits:
        data = _mutate(data, edits)
    path = tmp_path / name
    path.write_bytes(data)
    _expect(path, _read_and_use_aiger, AigerFormatError)


# ------------------------------------------------------------------ pipeline files


@pytest.fixture(scope="module")
def pipeline_files(tmp_path_factory):
    """Pipelines of each encoder and a network (two and three classes), and of an encoder alone."""
    from sklearn.pipeline import make_pipeline

    from lutlearn import ThermometerEncoder, ThresholdBinarizer, save

    folder = tmp_path_factory.mktemp("pipelines")
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(200, 4))
    net = dict(k=3, hidden_layers=(8,), random_state=0)
    pipes = {
        "thermometer": make_pipeline(ThermometerEncoder(n_bits=3), LutNetworkClassifier(**net)).fit(X, X[:, 0] > 99),
        "binarizer": make_pipeline(ThresholdBinarizer(threshold=[10, 100, 200, 50]), LutNetworkClassifier(
            output_k=3, n_output_luts=3, **net)).fit(X, (X[:, :2] > 120).sum(axis=1)),
        "encoder": make_pipeline(ThermometerEncoder(n_bits=2, method="quantile")).fit(X),
    }
    for name, p in pipes.items():
        save(p, folder / f"{name}.npz")
    return {name: (folder / f"{name}.npz").read_bytes() for name in pipes}


def _load_and_use_pipeline(path):
    """Load, use (predict, or transform for an encoder alone) and show it with ``lutlearn info``: what is printed
    holds no control character (names from the file are escaped)."""
    import contextlib

    from lutlearn.cli import main

    obj = load(path)
    Xz = np.zeros((2, obj.n_features_in_), np.int64)
    obj.predict(Xz) if hasattr(obj, "predict") else obj.transform(Xz)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["info", str(path)])
    # info sniffs the file first: bytes before the zip (which zipfile skips) make it refuse, in one line
    assert code == 0 or (code == 1 and err.getvalue().startswith(f"lutlearn info: error: {path}: ")
                         and err.getvalue().count("\n") == 1), err.getvalue()
    assert not any(c in out.getvalue() + err.getvalue() for c in "\x1b\r\x00\x07"), out.getvalue()
    return obj


@FUZZ
@given(which=st.sampled_from(["thermometer", "binarizer", "encoder"]), edits=st.lists(_edit, min_size=1, max_size=4))
def test_mutated_pipeline_bytes(pipeline_files, tmp_path, which, edits):
    path = tmp_path / "p.npz"
    path.write_bytes(_mutate(pipeline_files[which], edits))
    _expect(path, _load_and_use_pipeline, ModelFormatError)


@FUZZ
@given(which=st.sampled_from(["thermometer", "binarizer", "encoder"]), data=st.data())
def test_mutated_pipeline_values_with_valid_checksums(pipeline_files, tmp_path, which, data):
    """A step's entry (its name, class, parameters, feature count or names) or its thresholds replaced, the
    checksums recomputed."""
    arrays, meta = _arrays_of(pipeline_files[which])
    if data.draw(st.booleans(), label="edit a step"):
        step = meta["steps"][data.draw(st.integers(0, len(meta["steps"]) - 1), label="step")]
        key = data.draw(st.sampled_from(["name", "class", "params", "n_features_in", "feature_names_in"]))
        step[key] = data.draw(_json | st.text(alphabet=st.characters(max_codepoint=0x20ff), max_size=12), label="v")
    else:
        name = data.draw(st.sampled_from(sorted(n for n in arrays if n.endswith("thresholds"))), label="array")
        a = arrays[name].reshape(-1).copy()
        a[data.draw(st.integers(0, a.size - 1))] = data.draw(st.sampled_from([np.nan, np.inf, -1e308, 1e300, 0.5]))
        arrays[name] = a.reshape(arrays[name].shape) if data.draw(st.booleans()) else a
    path = tmp_path / "p.npz"
    _save_signed(path, arrays, meta)
    _expect(path, _load_and_use_pipeline, ModelFormatError)


def test_the_mutations_reach_the_readers(data_files, model_files, tmp_path):
    """The mutated files are mostly refused, not all accepted: the fuzzing is not vacuous."""
    outcomes = []
    for i in range(40):
        path = tmp_path / "m.npz"
        data = model_files["binary-stored"]
        path.write_bytes(_mutate(data, [("flip", 7919 * i, 0x41)]))
        outcomes.append(_expect(path, _load_and_use, ModelFormatError) is None)
    assert 10 < sum(outcomes) <= 40
    assert zipfile.is_zipfile(io.BytesIO(model_files["binary"]))
