"""The pipelined core, the top level and the generated testbenches, simulated by Icarus Verilog against predict."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from lutlearn import LutNetworkClassifier
from lutlearn.cli import main
from lutlearn.datasets import get_task
from lutlearn.export import LutNetlist, design_shape, render, split_pipeline, tools
from lutlearn.export.top import bench_files, golden_vectors, top_timing, write_testbench, write_vectors
from lutlearn.export.verilog import pipeline_stages, score_shape


def need_icarus() -> None:
    if shutil.which("iverilog") is None:
        pytest.skip("iverilog not installed (Debian package 'iverilog')")


@pytest.fixture(scope="module")
def digits():
    return get_task("binary-digits")


@pytest.fixture(scope="module")
def model(digits):
    return LutNetworkClassifier(k=4, hidden_layers=(48, 24), random_state=3).fit(digits.X_train, digits.y_train)


@pytest.fixture(scope="module")
def examples(digits):
    """Binary-Digits test images plus 1,000 random bit vectors: 1,450 examples."""
    rng = np.random.default_rng(7)
    return np.vstack([digits.X_test, rng.integers(0, 2, (1000, digits.X_test.shape[1]), dtype=np.uint8)])


@pytest.fixture(scope="module")
def voting():
    """A 10-class model on sklearn's 8x8 digits (pixel > 7) and 1,097 examples to check it on."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = (X > 7).astype(np.uint8)
    m = LutNetworkClassifier(k=4, hidden_layers=(24,), output_k=3, n_output_luts=8, random_state=0).fit(
        X[:1200], y[:1200])
    rng = np.random.default_rng(3)
    return m, np.vstack([X[700:], rng.integers(0, 2, (500, X.shape[1]), dtype=np.uint8)])


def simulate(
    model, X, tmp_path, pipeline=0, word_width=None, corrupt=None, latency_shift=0, arithmetic="vectors",
    scores=False, corrupt_score=None,
) -> dict:
    """Export ``model`` (core, or top level with ``word_width``; a classifier or a pipeline with its encoder, ``X``
    then raw features), write its testbench and vectors (``predict``, and the integer vote scores with ``scores``),
    run Icarus. ``corrupt``/``corrupt_score`` flip bit 0 of those examples' expected class index / class-0 score."""
    encoder, clf = split_pipeline(model)
    net = LutNetlist.from_model(clf)
    design = tmp_path / "design.v"
    design.write_bytes(render(model, "verilog", net=net, pipeline=pipeline, word_width=word_width,
                              arithmetic=arithmetic, scores=scores))
    n_in, n_regs = design_shape(model, net, pipeline, arithmetic)
    timing = top_timing(n_in, word_width, n_regs)
    if latency_shift:
        timing = type(timing)(timing.n_words, timing.pipeline_registers, timing.latency_cycles + latency_shift,
                              timing.cycles_per_example)
    tb, inputs, expected = bench_files(design)
    bits, want, want_scores = golden_vectors(model, X, scores)
    assert len(bits) == len(X) and bits.shape[1] == n_in
    if corrupt is not None:
        want = want.copy()
        want[corrupt] ^= 1
    if corrupt_score is not None:
        want_scores = want_scores.copy()
        want_scores[corrupt_score, 0] ^= 1
    shape = score_shape(net) if scores else None
    write_vectors(inputs, expected, bits, want, net.n_outputs, want_scores, shape[1] if shape else 0)
    tb.write_text(write_testbench("lutlearn_model", n_in, net.n_outputs, len(X), timing,
                                  inputs.name, expected.name, word_width, shape))
    return {"timing": timing, **tools.run_testbench(tb, design)}


# ------------------------------------------------------------------ pipeline stages (no tools)
def test_pipeline_stages_follow_the_levels(voting):
    m, _ = voting
    net = LutNetlist.from_model(m)
    lv = net.levels()
    depth = int(lv[net.outputs].max())
    assert depth > 6  # the vote's adders and comparators make it deep
    for ins, _ in net.luts[:50]:
        assert len(ins) == 0 or all(lv[s] < 1 + lv[ins].max() + 1 for s in ins)
    stages, S = pipeline_stages(net, 3)
    assert S == (depth - 1) // 3
    n_in = net.n_inputs
    for j, (ins, _) in enumerate(net.luts):
        assert stages[n_in + j] == max(int(lv[n_in + j]) - 1, 0) // 3
        assert all(stages[s] <= stages[n_in + j] for s in ins)  # never reads from a later stage
    assert pipeline_stages(net, 0)[1] == 0 and pipeline_stages(net, depth)[1] == 0
    with pytest.raises(ValueError, match=">= 0"):
        pipeline_stages(net, -1)


def test_top_timing_and_vector_checks(tmp_path):
    assert top_timing(784, 8, 2) == top_timing(784, 8, 2)
    t = top_timing(784, 8, 2)
    assert (t.n_words, t.latency_cycles, t.cycles_per_example) == (98, 101, 98)
    assert top_timing(10, 3, 0).n_words == 4 and top_timing(10, None, 3).latency_cycles == 3
    with pytest.raises(ValueError, match="word width"):
        top_timing(10, 0, 0)
    with pytest.raises(ValueError, match="bits"):
        write_vectors(tmp_path / "i", tmp_path / "e", np.array([[0, 2]]), np.array([0]), 1)
    with pytest.raises(ValueError, match="one class index per row"):
        write_vectors(tmp_path / "i", tmp_path / "e", np.array([[0, 1]]), np.array([0, 1]), 1)
    write_vectors(tmp_path / "i", tmp_path / "e", np.array([[1, 0, 0], [0, 1, 1]]), np.array([2, 1]), 2)
    assert (tmp_path / "i").read_text() == "001\n110\n" and (tmp_path / "e").read_text() == "10\n01\n"


# ------------------------------------------------------------------ Icarus Verilog
@pytest.mark.parametrize(
    "pipeline, word_width",
    [(0, None), (1, None), (0, 64), (2, 8), (1, 5)],
    ids=["combinational", "pipelined-core", "registered-parallel", "serial-8-pipelined", "serial-5-pipelined"],
)
def test_designs_simulate_equal_to_predict(model, examples, tmp_path, pipeline, word_width):
    need_icarus()
    r = simulate(model, examples, tmp_path, pipeline, word_width)
    assert r["passed"] and r["mismatches"] == 0 and r["outputs"] == r["examples"] == len(examples) >= 1000
    assert r["latency_cycles"] == r["timing"].latency_cycles


@pytest.mark.parametrize("arithmetic", ["vectors", "luts"])
@pytest.mark.parametrize(
    "pipeline, word_width", [(0, None), (0, 16), (1, None), (2, 16)],
    ids=["combinational", "registered-top", "pipelined-core", "pipelined-top"],
)
def test_multiclass_designs_simulate_equal_to_predict(voting, tmp_path, arithmetic, pipeline, word_width):
    need_icarus()
    m, X = voting
    r = simulate(m, X, tmp_path, pipeline, word_width, arithmetic=arithmetic)
    assert r["passed"] and r["mismatches"] == 0 and r["outputs"] == len(X) >= 1000
    assert r["latency_cycles"] == r["timing"].latency_cycles
    if pipeline == 2:
        net = LutNetlist.from_model(m)
        expect = (pipeline_stages(net.vote.bits, 2)[1] + 1 + 4 if arithmetic == "vectors"
                  else pipeline_stages(net, 2)[1])  # vectors: the sums, then 4 argmax rounds for 10 classes
        assert r["timing"].pipeline_registers == expect >= 2 and r["timing"].n_words == 4
        assert r["latency_cycles"] == 4 + expect + 1


@pytest.mark.parametrize(
    "pipeline, word_width", [(0, None), (0, 16), (2, None), (1, 7)],
    ids=["combinational", "registered-top", "pipelined-core", "serial-7-pipelined"],
)
def test_class_scores_simulate_equal_to_the_vote(voting, tmp_path, pipeline, word_width):
    """With scores, every example's 10 class scores come out with its class index, equal to VoteHead.scores."""
    need_icarus()
    m, X = voting
    r = simulate(m, X, tmp_path, pipeline, word_width, scores=True)
    assert r["passed"] and r["mismatches"] == 0 and r["outputs"] == len(X) >= 1000
    assert r["latency_cycles"] == r["timing"].latency_cycles


def test_class_scores_are_the_models_integer_vote(voting, tmp_path):
    from lutlearn.core.model import VOTE_SCALE

    m, X = voting
    bits, index, scores = golden_vectors(m, X, scores=True)
    C, SW = score_shape(LutNetlist.from_model(m))
    assert scores.shape == (len(X), C) and C == 10
    np.testing.assert_array_equal(scores.argmax(axis=1), index)
    np.testing.assert_allclose(scores / (VOTE_SCALE * 8), m.decision_function(X), rtol=0, atol=1e-12)
    assert len(np.unique(scores)) > 50 and scores.max() < 2**SW <= 2 * scores.max() + 2
    top = render(m, "verilog", word_width=16, scores=True).decode()
    assert f"output reg [{SW - 1}:0] score0, score1, score2, score3, score4, score5, score6, score7, score8, score9;" \
        in top
    assert "score0" not in render(m, "verilog", word_width=16).decode()


def test_class_scores_need_a_voting_model_on_vectors(model, voting):
    m, X = voting
    with pytest.raises(ValueError, match="multi-class .voting. models only"):
        render(model, "verilog", scores=True)
    with pytest.raises(ValueError, match="multi-class .voting. models only"):
        golden_vectors(model, X[:3, :model.n_features_in_], scores=True)
    with pytest.raises(ValueError, match="arithmetic 'vectors'"):
        render(m, "verilog", arithmetic="luts", scores=True)
    with pytest.raises(ValueError, match="Verilog format only"):
        render(m, "c", scores=True)


def test_testbench_catches_a_wrong_output_and_a_wrong_latency(model, examples, tmp_path):
    need_icarus()
    r = simulate(model, examples[:300], tmp_path, 1, 8, corrupt=[5, 200])
    assert not r["passed"] and r["mismatches"] == 2 and "mismatch: output 5" in r["log"]
    r = simulate(model, examples[:300], tmp_path, 1, 8, latency_shift=1)
    assert not r["passed"] and r["mismatches"] == 0 and "expected latency" in r["log"]


@pytest.mark.parametrize("word_width", [None, 16], ids=["core", "top"])
def test_testbench_catches_a_wrong_score(voting, tmp_path, word_width):
    need_icarus()
    m, X = voting
    r = simulate(m, X[:200], tmp_path, 1, word_width, scores=True, corrupt_score=[7, 150])
    assert not r["passed"] and r["mismatches"] == 2 and "  scores " in r["log"]


def test_export_command_writes_and_runs_the_testbench(model, digits, tmp_path, capsys):
    path = tmp_path / "model.npz"
    model.save(path)
    data = tmp_path / "data.npz"
    np.savez(data, X=digits.X_test, y=digits.y_test)
    out = tmp_path / "m.v"
    args = ["export", str(path), "-o", str(out), "--top", "--word-width", "16", "--pipeline", "1", "--testbench",
            "--testbench-data", str(data), "--vectors", "300"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "top level lutlearn_model_top: 4 words of 16 bits per example" in text
    assert "testbench written to" in text and "300 golden vectors" in text
    for p in bench_files(out):
        assert p.exists()
    assert len(bench_files(out)[1].read_text().split()) == 300
    if shutil.which("iverilog"):
        assert "300 outputs for 300 examples, 0 mismatches" in text and "passed" in text
    assert main(["export", str(path), "-o", str(tmp_path / "m.c"), "--top"]) == 1
    assert "Verilog format only" in capsys.readouterr().err
    assert main(["export", str(path), "-o", str(tmp_path / "n.v"), "--testbench"]) == 1
    assert "needs data for its golden vectors" in capsys.readouterr().err


def test_vote_arithmetic_is_written_on_vectors(voting):
    m, _ = voting
    net = LutNetlist.from_model(m)
    vectors = render(m, "verilog", net=net).decode()
    luts = render(m, "verilog", net=net, arithmetic="luts").decode()
    sums = [ln for ln in vectors.splitlines() if ln.startswith("  wire [") and " sum" in ln]
    assert len(sums) == 10 and all(" + " in ln for ln in sums) and vectors.count(" > ") == 9
    assert " + " not in luts and " > " not in luts
    # the vote bits the vectors add are exactly the votes of predict's output luts
    bits = net.vote.bits.evaluate(np.zeros((1, net.n_inputs), np.uint8))[0]
    assert len(bits) == sum(n for terms in net.vote.terms for _, n in terms)
    with pytest.raises(ValueError, match="unknown arithmetic"):
        render(m, "verilog", net=net, arithmetic="floats")


# ------------------------------------------------------------------ the encoder in the circuit
@pytest.fixture(scope="module")
def pixels():
    """sklearn's 8x8 digits scaled to 8-bit integers 0..255."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return (X * 16).clip(0, 255).astype(np.int64), y


@pytest.mark.parametrize("encoder", ["binarizer", "thermometer"])
def test_encoder_comparators_equal_the_encoder(pixels, encoder):
    from lutlearn import ThermometerEncoder, ThresholdBinarizer
    from lutlearn.export.encoder import InputEncoder

    X, _ = pixels
    enc = (ThresholdBinarizer(threshold=np.linspace(-5, 300, 64)) if encoder == "binarizer"
           else ThermometerEncoder(n_bits=3, method="quantile")).fit(X)
    ie = InputEncoder.from_encoder(enc)
    np.testing.assert_array_equal(ie.encode(X), enc.transform(X))  # thresholds below 0 and above 255 included
    assert ie.raw_bits(X[:1]).reshape(-1, 8)[3].tolist() == [(int(X[0, 3]) >> b) & 1 for b in range(8)]
    with pytest.raises(ValueError, match="integers in 0..255"):
        ie.encode(X + 0.5)
    with pytest.raises(ValueError, match="no fitted thresholds_"):
        InputEncoder.from_encoder(object())


def encoded_pipeline(pixels, encoder: str):
    """A 10-class model behind a ThermometerEncoder (2 bits per pixel) or a ThresholdBinarizer, on 8-bit pixels."""
    from sklearn.pipeline import make_pipeline

    from lutlearn import ThermometerEncoder, ThresholdBinarizer

    X, y = pixels
    enc = ThermometerEncoder(n_bits=2) if encoder == "thermometer" else ThresholdBinarizer(threshold=100)
    return make_pipeline(enc, LutNetworkClassifier(
        k=4, hidden_layers=(32,), output_k=3, n_output_luts=8, random_state=0)).fit(X[:1200], y[:1200])


@pytest.mark.parametrize(
    "encoder, pipeline, word_width, scores",
    [("thermometer", 0, None, False), ("binarizer", 0, 16, False), ("thermometer", 1, None, False),
     ("thermometer", 2, 16, True)],
    ids=["combinational", "registered-top-binarizer", "pipelined-core", "pipelined-top-scores"],
)
def test_pipeline_with_encoder_simulates_equal_to_predict(pixels, tmp_path, encoder, pipeline, word_width, scores):
    """Raw 8-bit pixels in, the encoder's comparators in the circuit, predict's classes (and scores) out."""
    need_icarus()
    X, _ = pixels
    p = encoded_pipeline(pixels, encoder)
    n_in, n_regs = design_shape(p, pipeline=pipeline)
    assert n_in == 64 * 8 and n_regs == design_shape(p[-1], pipeline=pipeline)[1] + (pipeline > 0)
    r = simulate(p, X, tmp_path, pipeline, word_width, scores=scores)
    text = (tmp_path / "design.v").read_text()
    assert "module lutlearn_model_encoder" in text and text.count("] > 8'd") >= 64
    assert r["passed"] and r["mismatches"] == 0 and r["outputs"] == len(X) >= 1000
    assert r["latency_cycles"] == r["timing"].latency_cycles
    with pytest.raises(ValueError, match="Verilog only"):
        render(p, "c")


def test_export_command_with_an_encoder_pipeline(pixels, tmp_path, capsys):
    """A pipeline file (lutlearn.save) exports through the command line: raw pixels in, scores out, testbench run."""
    from lutlearn import save

    X, _ = pixels
    p = encoded_pipeline(pixels, "thermometer")
    path, data = tmp_path / "p.npz", tmp_path / "raw.npz"
    save(p, path)
    np.savez(data, X=X)
    out = tmp_path / "p.v"
    args = ["export", str(path), "-o", str(out), "--top", "--word-width", "32", "--pipeline", "2", "--scores",
            "--testbench", "--testbench-data", str(data), "--vectors", "2000"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "64 raw features of 8 bits in, ThermometerEncoder as 128 comparators" in text
    assert "16 words of 32 bits per example" in text
    C, SW = score_shape(LutNetlist.from_model(p[-1]))
    assert f"class scores out: 10 unsigned integers of {SW} bits (score0 .. score9)" in text
    assert f"{len(X)} golden vectors" in text
    bits, index, scores = golden_vectors(p, X, scores=True)
    assert bench_files(out)[1].read_text() == "".join("".join(map(str, row[::-1])) + "\n" for row in bits)
    assert len(bench_files(out)[2].read_text().split()[0]) == 4 + 10 * SW
    if shutil.which("iverilog"):
        assert f"{len(X)} outputs for {len(X)} examples, 0 mismatches" in text and "passed" in text

    for fmt, name in [("c", "p.c"), ("blif", "p.blif"), ("aiger", "p.aig")]:
        assert main(["export", str(path), "-o", str(tmp_path / name), "--format", fmt]) == 1
        err = capsys.readouterr().err
        assert "ThermometerEncoder before the network: only the Verilog format carries an encoder" in err
        assert "C, BLIF and AIGER take the network's input bits" in err and not (tmp_path / name).exists()
    bad = [
        (["--testbench", "--task", "binary-digits"], "ThermometerEncoder reads raw features"),
        (["--testbench", "--testbench-data", str(tmp_path / "bits.npy")], "need 64 raw features per example"),
        (["--testbench", "--testbench-data", str(data), "--feature-bits", "4"], "integers 0..15"),
        (["--scores", "--arithmetic", "luts"], "arithmetic 'vectors'"),
    ]
    np.save(tmp_path / "bits.npy", bits[:5])
    for extra, message in bad:
        assert main(["export", str(path), "-o", str(tmp_path / "q.v")] + extra) == 1
        assert message in capsys.readouterr().err


@pytest.mark.slow
def test_frontier_page_ecp5_10_class_design_passes_its_testbench(mnist_home, tmp_path, capsys):
    """The frontier page's pipelined 10-class MNIST design (the one placed on the ECP5-85k), trained and exported by
    its commands, with its class scores: its testbench passes on 1,000 test images (about 2 minutes)."""
    need_icarus()
    model, design = tmp_path / "mnist10.npz", tmp_path / "mnist10_top.v"
    assert main(["train", "--task", "multiclass-mnist", "--data-home", str(mnist_home), "-k", "6", "--hidden-layers",
                 "256", "--output-k", "6", "--n-output-luts", "32", "-o", str(model)]) == 0
    assert "test accuracy 0.8572 (10000 examples)" in capsys.readouterr().out
    assert main(["export", str(model), "-o", str(design), "--top", "--pipeline", "2", "--word-width", "16",
                 "--scores", "--testbench", "--task", "multiclass-mnist", "--data-home", str(mnist_home)]) == 0
    out = capsys.readouterr().out
    assert "5 pipeline registers; top level lutlearn_model_top: 49 words of 16 bits per example" in out
    assert "class scores out: 10 unsigned integers of" in out and "1000 golden vectors" in out
    assert "Icarus Verilog: 1000 outputs for 1000 examples, 0 mismatches, latency 55 cycles: passed" in out


# ------------------------------------------------------------------ outputs: checked first, written only on success


def _files(folder) -> dict:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_export_checks_the_testbench_files_against_its_inputs(model, digits, tmp_path, capsys):
    """``NAME_tb.v`` and the vector files are outputs too: one that is the model (or the data) is refused first."""
    data = tmp_path / "data.npz"
    np.savez(data, X=digits.X_test, y=digits.y_test)
    for victim in ("m_tb.v", "m_tb_inputs.mem", "m_tb_expected.mem"):
        model.save(tmp_path / victim)  # a model whose name is that of a testbench file
        before = _files(tmp_path)
        argv = ["export", str(tmp_path / victim), "-o", str(tmp_path / "m.v"), "--top", "--testbench",
                "--testbench-data", str(data)]
        assert main(argv) == 1
        assert f"{tmp_path / victim}: is also an input of this command" in capsys.readouterr().err
        assert _files(tmp_path) == before
        (tmp_path / victim).unlink()
    model.save(tmp_path / "model.npz")
    np.savez(tmp_path / "m_tb_inputs.mem", X=digits.X_test)  # the testbench data itself
    assert main(["export", str(tmp_path / "model.npz"), "-o", str(tmp_path / "m.v"), "--top", "--testbench",
                 "--testbench-data", str(tmp_path / "m_tb_inputs.mem")]) == 1
    assert "is also an input of this command" in capsys.readouterr().err


@pytest.mark.parametrize("extra, message", [
    (["--vectors", "0"], "--vectors must be >= 1, got 0"),
    (["--testbench-data", "missing.npz"], "no such file"),
    (["--testbench-data", "bad.npz"], "the golden vectors need 64 input bits per example"),
    (["--word-width", "100000000"], "must be from 1 to 4096 bits, got 100000000"),
])
def test_export_that_fails_writes_no_file(model, digits, tmp_path, capsys, monkeypatch, extra, message):
    model.save(tmp_path / "model.npz")
    np.savez(tmp_path / "data.npz", X=digits.X_test)
    np.savez(tmp_path / "bad.npz", X=digits.X_test[:, :10])
    monkeypatch.chdir(tmp_path)
    before = _files(tmp_path)
    argv = ["export", "model.npz", "-o", "m.v", "--top", "--testbench", "--testbench-data", "data.npz", *extra]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err
    assert _files(tmp_path) == before  # no .v written before the failure (it used to be)


def test_a_failing_testbench_leaves_no_file(model, digits, tmp_path, capsys, monkeypatch):
    """The testbench runs on staged files: when it fails, neither the design nor the testbench is written."""
    need_icarus()
    model.save(tmp_path / "model.npz")
    np.savez(tmp_path / "data.npz", X=digits.X_test)
    (tmp_path / "m.v").write_text("// an older design, kept\n")
    before = _files(tmp_path)
    real = tools.run_testbench
    monkeypatch.setattr(tools, "run_testbench", lambda tb, design: {**real(tb, design), "passed": False})
    argv = ["export", str(tmp_path / "model.npz"), "-o", str(tmp_path / "m.v"), "--top", "--testbench",
            "--testbench-data", str(tmp_path / "data.npz"), "--vectors", "50"]
    assert main(argv) == 1
    assert "the testbench m_tb.v failed: no file written" in capsys.readouterr().err
    assert _files(tmp_path) == before


def test_export_optimize_without_abc_writes_nothing(model, tmp_path, capsys, monkeypatch):
    model.save(tmp_path / "model.npz")
    monkeypatch.setattr("lutlearn.export.tools.find_abc", lambda: None)
    before = _files(tmp_path)
    assert main(["export", str(tmp_path / "model.npz"), "-o", str(tmp_path / "m.aig"), "--optimize"]) == 1
    assert "--optimize needs ABC, which is not installed" in capsys.readouterr().err
    assert _files(tmp_path) == before


def test_export_into_proc_names_the_output_not_a_temporary_file(model, tmp_path, capsys):
    model.save(tmp_path / "model.npz")
    assert main(["export", str(tmp_path / "model.npz"), "-o", "/proc/x.c"]) == 1
    err = capsys.readouterr().err
    assert "/proc/x.c" in err and ".part" not in err and ".x.c." not in err, err


# ------------------------------------------------------------------ encoders: the circuit is predict, or refused


def _breast_cancer():
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    return X, y


@pytest.mark.parametrize("method", ["uniform", "quantile"])
def test_an_encoder_fitted_on_real_features_is_refused_before_any_file(tmp_path, capsys, method):
    """Real-valued features (breast cancer): the comparators would floor the thresholds (82 of 240 stayed
    distinct, 69.9% agreement); refused at export, before any file, saying to scale to integers."""
    from sklearn.pipeline import make_pipeline

    from lutlearn import ThermometerEncoder, save

    X, y = _breast_cancer()
    p = make_pipeline(ThermometerEncoder(n_bits=8, method=method),
                      LutNetworkClassifier(k=4, hidden_layers=(32,), random_state=0)).fit(X, y)
    save(p, tmp_path / "p.npz")
    np.savez(tmp_path / "raw.npz", X=X)
    before = _files(tmp_path)
    for argv in (["export", str(tmp_path / "p.npz"), "-o", str(tmp_path / "p.v")],
                 ["export", str(tmp_path / "p.npz"), "-o", str(tmp_path / "p.v"), "--top", "--testbench",
                  "--testbench-data", str(tmp_path / "raw.npz")],
                 ["hw-report", str(tmp_path / "p.npz"), "--target", "lut6"]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert "fitted on features that are not integers of 8 bits" in err and "scale the features to " \
               "integers 0..255 first" in err and err.count("\n") == 1, err
    assert _files(tmp_path) == before
    with pytest.raises(ValueError, match="not integers of 8 bits"):
        render(p, "verilog")


def test_an_encoder_fitted_on_scaled_real_features_exports_equal_to_predict(tmp_path):
    """The same real-valued data scaled to 8-bit integers: the exported comparators and network equal predict."""
    from sklearn.pipeline import make_pipeline

    from lutlearn import ThermometerEncoder
    from lutlearn.export.encoder import InputEncoder, check_exportable_encoder

    X, y = _breast_cancer()
    lo, hi = X.min(axis=0), X.max(axis=0)
    Xi = np.round((X - lo) / (hi - lo) * 255).astype(np.int64)
    for method in ("uniform", "quantile"):
        p = make_pipeline(ThermometerEncoder(n_bits=8, method=method),
                          LutNetworkClassifier(k=4, hidden_layers=(32,), random_state=0)).fit(Xi[:400], y[:400])
        check_exportable_encoder(p[0], 8)
        enc = InputEncoder.from_encoder(p[0], 8)
        net = LutNetlist.from_model(p[-1])
        bits = enc.encode(Xi)
        np.testing.assert_array_equal(bits, p[0].transform(Xi))
        np.testing.assert_array_equal(net.predict(bits), p.predict(Xi))
    if shutil.which("iverilog"):  # and the written design, simulated, through the command line
        from lutlearn import save

        save(p, tmp_path / "p.npz")
        np.savez(tmp_path / "raw.npz", X=Xi)
        assert main(["export", str(tmp_path / "p.npz"), "-o", str(tmp_path / "p.v"), "--top", "--testbench",
                     "--testbench-data", str(tmp_path / "raw.npz"), "--vectors", "569"]) == 0


def test_an_encoder_fitted_on_small_integer_features_exports_equal_to_predict(tmp_path):
    """Whole numbers with a small range (thresholds that floor to the same integer) export exactly, saved or not."""
    from sklearn.pipeline import make_pipeline

    from lutlearn import ThermometerEncoder, load, save
    from lutlearn.export.encoder import InputEncoder, check_exportable_encoder

    rng = np.random.default_rng(0)
    Xi = rng.integers(0, 4, size=(400, 6))
    y = (Xi[:, 0] + Xi[:, 1] > 3).astype(int)
    p = make_pipeline(ThermometerEncoder(n_bits=8), LutNetworkClassifier(k=3, hidden_layers=(16,), random_state=0))
    p.fit(Xi, y)
    assert p[0].integer_features_ is True
    save(p, tmp_path / "p.npz")
    for pipe in (p, load(tmp_path / "p.npz")):
        check_exportable_encoder(pipe[0], 8)  # not refused: the comparators equal transform on integers
        bits = InputEncoder.from_encoder(pipe[0], 8).encode(Xi)
        np.testing.assert_array_equal(bits, pipe[0].transform(Xi))
        np.testing.assert_array_equal(LutNetlist.from_model(pipe[-1]).predict(bits), p.predict(Xi))
    real = make_pipeline(ThermometerEncoder(n_bits=8), LutNetworkClassifier(k=3, hidden_layers=(16,), random_state=0))
    real.fit(Xi + 0.5, y)
    assert real[0].integer_features_ is False
    save(real, tmp_path / "r.npz")
    with pytest.raises(ValueError, match="not whole numbers"):
        check_exportable_encoder(load(tmp_path / "r.npz")[0], 8)
