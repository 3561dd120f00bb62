"""fit-circuit: the searched circuit fits the budget, is the chosen network, and learns known functions."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from lutlearn import LutNetworkClassifier, load
from lutlearn.circuits.search import fit_circuit
from lutlearn.cli import main
from lutlearn.core import kernels
from lutlearn.core.inspection import fill_dont_cares, fill_unseen
from lutlearn.datasets.pla import function_examples, read_pla_pair, write_pla
from lutlearn.export import Aig, LutNetlist, export_model, read_aiger, tools
from lutlearn.export.aiger import parse_aiger

QUICK = dict(ks=(1, 2, 4, 6), depths=(0, 1, 2), max_width=32)


def split(spec, n_train, n_valid, seed=0):
    X, y = function_examples(spec, n_train + n_valid, random_state=seed)
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def via_pla(tmp_path, spec, n_train, n_valid):
    """Examples of a known function written as PLA train/valid files and read back."""
    X, y, Xv, yv = split(spec, n_train, n_valid)
    write_pla(tmp_path / "train.pla", X, y)
    write_pla(tmp_path / "valid.pla", Xv, yv)
    return read_pla_pair(tmp_path / "train.pla", tmp_path / "valid.pla")


def check_search(search, X_valid, y_valid, budget):
    """The handed-over AIG fits, and computes exactly the chosen model's predictions."""
    assert search.and_gates <= budget
    assert search.best.fits and search.best in search.candidates
    aig = parse_aiger(search.aig)
    assert aig.n_ands == search.and_gates and aig.n_inputs == X_valid.shape[1]
    bits = aig.evaluate(X_valid)[:, 0]
    np.testing.assert_array_equal(search.model.classes_[bits], search.model.predict(X_valid))
    assert np.mean(search.model.classes_[bits] == y_valid) == pytest.approx(search.best.valid_accuracy)
    # no candidate within budget validated better
    assert all(c.valid_accuracy <= search.best.valid_accuracy for c in search.candidates if c.fits)


@pytest.mark.parametrize("use_abc", [False, True])
def test_parity_is_learned_exactly_within_budget(use_abc, tmp_path):
    if use_abc and tools.find_abc() is None:
        pytest.skip("ABC not installed (Debian package 'berkeley-abc')")
    X, y, Xv, yv = via_pla(tmp_path, "parity:6", 1500, 500)
    search = fit_circuit(X, y, Xv, yv, 20, use_abc=use_abc, progress=False, **QUICK)
    check_search(search, Xv, yv, 20)
    # one 6-input lut memorizes 6-bit parity; as a BDD it is 5 XORs of 3 ANDs each
    assert search.best.valid_accuracy == 1.0 and search.best.k == 6
    assert search.and_gates == 15
    assert search.abc is use_abc


def test_budget_trades_gates_for_accuracy():
    X, y, Xv, yv = split("majority:11", 1500, 800)
    small = fit_circuit(X, y, Xv, yv, 10, use_abc=False, progress=False, **QUICK)
    large = fit_circuit(X, y, Xv, yv, 400, use_abc=False, progress=False, **QUICK)
    check_search(small, Xv, yv, 10)
    check_search(large, Xv, yv, 400)
    assert large.best.valid_accuracy > small.best.valid_accuracy
    again = fit_circuit(X, y, Xv, yv, 10, use_abc=False, progress=False, **QUICK)
    assert again.aig == small.aig and again.candidates == small.candidates  # a seed fixes everything
    assert large.best.valid_accuracy > 0.8  # majority of 11 from random lut networks
    zero = fit_circuit(X, y, Xv, yv, 0, use_abc=False, progress=False, **QUICK)
    assert zero.and_gates == 0 and zero.best.k == 1  # a wire (or its negation) costs nothing
    with pytest.raises(ValueError, match="no network tried fits"):
        fit_circuit(X, y, Xv, yv, 0, ks=(4,), depths=(0,), use_abc=False, progress=False)


def test_comparator_with_abc_under_budget(tmp_path):
    if tools.find_abc() is None:
        pytest.skip("ABC not installed (Debian package 'berkeley-abc')")
    X, y, Xv, yv = via_pla(tmp_path, "comparator:12", 2000, 800)
    search = fit_circuit(X, y, Xv, yv, 150, use_abc=True, progress=False, **QUICK)
    check_search(search, Xv, yv, 150)
    assert search.best.valid_accuracy > 0.8
    # somewhere ABC brought a network over budget back under it, or none needed it
    for c in search.candidates:
        if c.and_gates is not None and c.and_gates != c.and_gates_raw:
            assert c.and_gates < c.and_gates_raw


def test_fit_circuit_command_end_to_end(tmp_path, capsys):
    pre = tmp_path / "maj"
    assert main(["pla", "majority:9", "-o", str(pre), "--n-train", "1200", "--n-valid", "600"]) == 0
    out_aag, model_path, js = tmp_path / "c.aag", tmp_path / "m.npz", tmp_path / "s.json"
    rc = main([
        "fit-circuit", "--pla", f"{pre}.train.pla", "--valid", f"{pre}.valid.pla", "--max-and-gates", "300",
        "--quick", "-o", str(out_aag), "--save-model", str(model_path), "--json", str(js), "--care-table", "0",
    ])
    out = capsys.readouterr().out
    assert rc == 0, out
    gates = int(out.split("AND gates: ")[1].split()[0])
    valid = float(out.split("validation accuracy ")[1].split()[0])
    assert gates <= 300 and valid > 0.75
    aig = read_aiger(out_aag)
    assert out_aag.read_bytes().startswith(b"aag ") and aig.n_ands == gates
    assert f"AND gates: {gates} (budget 300), levels: {aig.levels}\n" in out
    record = json.loads(js.read_text())
    assert record["and_gates"] == gates and record["best"]["valid_accuracy"] == pytest.approx(valid, abs=1e-4)
    assert record["config"]["max_and_gates"] == 300 and record["lutlearn_version"]
    model = load(model_path)
    X, y = function_examples("majority:9", 1800, random_state=0)
    np.testing.assert_array_equal(model.classes_[aig.evaluate(X)[:, 0]], model.predict(X))
    if tools.find_abc() and shutil.which("yosys"):  # ABC proves the circuit is the saved model's
        export_model(model, tmp_path / "m.aig")
        tools.yosys_to_blif(out_aag, tmp_path / "c.blif")  # ABC reads no ASCII AIGER
        assert tools.abc_equivalent(tmp_path / "c.blif", tmp_path / "m.aig")


def test_fit_circuit_command_errors(tmp_path, capsys):
    X = np.zeros((5, 3), np.uint8)
    write_pla(tmp_path / "const.pla", X, np.zeros(5, np.uint8))
    base = ["fit-circuit", "--pla", str(tmp_path / "const.pla"), "--valid", str(tmp_path / "const.pla"),
            "--max-and-gates", "10"]
    assert main(base + ["-o", str(tmp_path / "x.blif")]) == 1
    assert "must end in .aig" in capsys.readouterr().err
    assert main(base + ["-o", str(tmp_path / "x.aig"), "--save-model", str(tmp_path / "m.npz")]) == 1
    assert "there is no network to save" in capsys.readouterr().err
    assert not (tmp_path / "x.aig").exists()


def test_search_as_aiger_file_and_record():
    X, y, Xv, yv = split("majority:7", 600, 300)
    search = fit_circuit(X, y, Xv, yv, 40, use_abc=False, progress=False, **QUICK)
    assert search.to_aiger() == search.aig
    ascii_aig = search.to_aiger(binary=False)
    b = search.best
    assert ascii_aig.startswith(b"aag ")
    assert ascii_aig.endswith(
        f"lutlearn fit-circuit: k={b.k} hidden layers {list(b.hidden_layers)} seed {b.seed}\n".encode()
    )
    got, want = parse_aiger(ascii_aig), parse_aiger(search.aig)
    assert (got.n_inputs, got.outputs, got.ands) == (want.n_inputs, want.outputs, want.ands)
    record = search.to_record({"max_and_gates": 40})
    assert list(record)[:5] == ["command", "config", "lutlearn_version", "date", "abc_tool"]
    assert record["command"] == "fit-circuit" and record["config"] == {"max_and_gates": 40}
    assert record["abc_tool"] is None and record["date"].endswith("+00:00")
    assert {k: record[k] for k in search.to_dict()} == search.to_dict()
    json.dumps(record, default=list)
    # where the time went: every candidate's seconds, and each learner's sum
    seconds = [c["seconds"] for c in record["candidates"]]
    assert all(s is not None and s >= 0 for s in seconds) and sum(seconds) > 0
    assert set(record["seconds_by_learner"]) == {"networks"}
    assert abs(record["seconds_by_learner"]["networks"] - sum(seconds)) < 0.01


def test_mnist_pair_as_pla(mnist_home, tmp_path, capsys):
    """An MNIST pair written as PLA (784 inputs), learned into a small circuit."""
    pre = tmp_path / "m38"
    assert main(["pla", "pairwise-mnist:3-8", "--data-home", str(mnist_home), "-o", str(pre),
                 "--n-train", "2000", "--n-valid", "1000"]) == 0
    rc = main([
        "fit-circuit", "--pla", f"{pre}.train.pla", "--valid", f"{pre}.valid.pla", "--max-and-gates", "2000",
        "--ks", "4,6", "--depths", "1,2", "--max-width", "32", "-o", str(tmp_path / "m.aig"),
    ])
    out = capsys.readouterr().out
    assert rc == 0
    assert int(out.split("AND gates: ")[1].split()[0]) <= 2000
    assert float(out.split("validation accuracy ")[1].split()[0]) > 0.8


# ------------------------------------------------------------ don't-cares
def test_fill_dont_cares_keeps_cares_and_simplifies():
    rng = np.random.default_rng(0)
    x0 = np.repeat([0, 1], 8).astype(np.uint8)  # the table of input 0 among 4
    care = rng.random(16) < 0.5
    care[[0, 15]] = True
    noisy = np.where(care, x0, rng.integers(0, 2, 16)).astype(np.uint8)
    np.testing.assert_array_equal(fill_dont_cares(noisy, care), x0)
    np.testing.assert_array_equal(fill_dont_cares(noisy, np.zeros(16, bool)), np.zeros(16))
    for seed in range(20):
        r = np.random.default_rng(seed)
        T = r.integers(0, 2, 64).astype(np.uint8)
        C = r.random(64) < 0.4
        F = fill_dont_cares(T, C)
        np.testing.assert_array_equal(F[C], T[C])
        assert gates(F) <= gates(T)


def patterns(V, wires):
    """Pattern index of every lut (rows of ``wires``) on every example (rows of ``V``)."""
    return [(V[:, w] << np.arange(len(w) - 1, -1, -1)).sum(axis=1) for w in wires]


def gates(T):
    k = int(np.log2(len(T)))
    a = Aig(k)
    a.outputs = [a.add_lut([a.input(i) for i in range(k)], T)]
    return a.cleanup().n_ands


def test_fill_unseen_keeps_training_behaviour_and_shrinks():
    X, y, Xv, _ = split("majority:15", 150, 500, seed=1)
    m = LutNetworkClassifier(k=8, hidden_layers=(64, 64), random_state=0).fit(X, y)
    before = [t.copy() for t in m.tables_]
    train_pred, lut_acc = m.predict(X), [a.copy() for a in m.lut_accuracy_]
    n0 = Aig.from_netlist(LutNetlist.from_model(m)).n_ands
    original = m.network_
    m.network_ = fill_unseen(original, X)
    assert m.network_ is not original
    for a, b in zip(before, original.tables):  # the network filled is left as it was
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(m.predict(X), train_pred)
    # entries shown by a training example are unchanged: refitting gives the same counts
    refit = LutNetworkClassifier(k=8, hidden_layers=(64, 64), random_state=0).fit(X, y)
    changed = sum(int((a != b).sum()) for a, b in zip(before, m.tables_))
    assert changed > 0
    values = X  # the layer's input: X, then the previous layer's outputs on X
    for layer, (a, b, c) in enumerate(zip(before, m.tables_, refit.tables_)):
        np.testing.assert_array_equal(a, c)
        counts = np.zeros((len(m.wires_[layer]), 1 << m.wires_[layer].shape[1], 1), np.int64)
        kernels.count_layer(np.ascontiguousarray(values.T), np.zeros(len(X), np.uint8), m.wires_[layer], False, counts)
        seen = counts[:, :, 0] > 0
        np.testing.assert_array_equal(a[seen], b[seen])
        values = np.stack([b[j][idx] for j, idx in enumerate(patterns(values, m.wires_[layer]))], 1)
    n1 = Aig.from_netlist(LutNetlist.from_model(m)).n_ands
    assert n1 < n0 / 1.5, (n0, n1)
    # the exported circuit is the changed model
    aig = Aig.from_netlist(LutNetlist.from_model(m))
    np.testing.assert_array_equal(m.classes_[aig.evaluate(Xv)[:, 0]], m.predict(Xv))
    assert all(np.array_equal(a, b) for a, b in zip(lut_acc, m.lut_accuracy_))


def test_fit_circuit_tries_both_wirings_and_greedy_finds_hidden_inputs():
    from lutlearn.circuits.logic_tasks import make_task

    t = make_task("xor-few:64:2:0", seed=0, n_split=600)
    # a layer as wide as the input: greedy luts start from every input, so one starts from a hidden one
    search = fit_circuit(t.X_train, t.y_train, t.X_valid, t.y_valid, 50, use_abc=False, progress=False,
                         wirings=("random", "greedy"), ks=(2, 4), depths=(1,), max_width=64)
    check_search(search, t.X_valid, t.y_valid, 50)
    wirings = [c.wiring for c in search.candidates]
    assert wirings.count("random") == wirings.count("greedy") > 0
    assert search.best.wiring == "greedy" and search.best.valid_accuracy == 1.0
    assert max(c.valid_accuracy for c in search.candidates if c.wiring == "random") < 0.7
    assert search.model.get_params()["wiring"] == "greedy"
    assert b"wiring greedy" in search.to_aiger(binary=False)
    with pytest.raises(ValueError, match="wirings"):
        fit_circuit(t.X_train, t.y_train, t.X_valid, t.y_valid, 50, use_abc=False, wirings=("best",))


def quick_command(tmp_path, spec, n_split, budget):
    """A ``fit-circuit --quick --no-abc`` command line on PLA files of a generated task."""
    from lutlearn.circuits.logic_tasks import make_task

    t = make_task(spec, seed=0, n_split=n_split)
    write_pla(tmp_path / "train.pla", t.X_train, t.y_train)
    write_pla(tmp_path / "valid.pla", t.X_valid, t.y_valid)
    return ["fit-circuit", "--pla", str(tmp_path / "train.pla"), "--valid", str(tmp_path / "valid.pla"),
            "--max-and-gates", str(budget), "--quick", "--no-abc", "-o", str(tmp_path / "c.aig")]


def test_fit_circuit_command_wiring_option(tmp_path, capsys):
    base = quick_command(tmp_path, "xor-few:64:2:0", 600, 50)
    assert main([*base, "--wiring", "greedy", "--wiring-candidates", "64", "--boosted", "0",
                 "--json", str(tmp_path / "s.json")]) == 0
    out = capsys.readouterr().out
    assert "wiring greedy" in out and "validation accuracy 1.0000" in out
    record = json.loads((tmp_path / "s.json").read_text())
    assert {c["wiring"] for c in record["candidates"]} == {"greedy"} and record["config"]["wiring"] == "greedy"
    assert main([*base, "--wiring", "random"]) == 0
    out = capsys.readouterr().out
    assert "wiring" not in out.split("chosen:")[1].split("\n")[0]


def test_fit_circuit_command_boosted_option(tmp_path, capsys):
    base = quick_command(tmp_path, "few:64:6:4", 600, 3000)
    js = tmp_path / "s.json"
    assert main([*base, "--boosted", "4", "--boosted-min-gain", "0", "--json", str(js)]) == 0
    boosted = [c for c in json.loads(js.read_text())["candidates"] if c["wiring"] == "boosted"]
    sizes = [c["n_output_luts"] for c in boosted]
    assert {c["k"] for c in boosted} == {4} and sizes[:3] == [8, 16, 32] and sizes == sorted(sizes)
    assert boosted[-1]["and_gates_raw"] > 3000  # grown until over the budget
    assert main([*base, "--boosted", "4", "--boosted-min-gain", "0.2", "--json", str(js)]) == 0
    assert [c["n_output_luts"] for c in json.loads(js.read_text())["candidates"] if c["wiring"] == "boosted"] == [8]
    assert main([*base, "--boosted", "0", "--json", str(js)]) == 0
    assert not [c for c in json.loads(js.read_text())["candidates"] if c["wiring"] == "boosted"]
    capsys.readouterr()


def test_bench_circuits_quick_runs_end_to_end(tmp_path):
    """``benchmarks/bench_circuits.py --quick`` measures the three learners and renders its JSON as it printed."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_circuits.py"
    out = tmp_path / "b.json"
    proc = subprocess.run([sys.executable, str(script), "--quick", "--tasks", "xor-few:32:2:0,cmp:12",
                           "--max-width", "32", "-o", str(out)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert doc["config"]["tasks"] == ["xor-few:32:2:0", "cmp:12"] and doc["lutlearn_version"] and doc["date"]
    rows = {(r["task"], r["learner"]): r for r in doc["results"]}
    assert set(rows) == {(t, lr) for t in ("xor-few:32:2:0", "cmp:12")
                         for lr in ("tree", "random", "greedy", "fit-circuit")}
    assert all(0 <= r["and_gates"] <= 5000 and 0 <= r["test_accuracy"] <= 1 for r in rows.values())
    assert rows["xor-few:32:2:0", "greedy"]["test_accuracy"] == 1.0
    assert rows["xor-few:32:2:0", "fit-circuit"]["test_accuracy"] == 1.0
    table = subprocess.run([sys.executable, str(script), "--render", str(out)], capture_output=True, text=True)
    assert table.returncode == 0 and table.stdout.strip() in proc.stdout
    assert "| xor-few:32:2:0 | " in table.stdout and "| **overall** | 2 | " in table.stdout


def test_fit_circuit_command_constant_labels_give_the_constant_circuit(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, (40, 6)).astype(np.uint8)
    yv = (np.arange(40) < 30).astype(np.uint8)  # validation: 30 of 40 are 1
    write_pla(tmp_path / "train.pla", X, np.ones(40, np.uint8))
    write_pla(tmp_path / "valid.pla", X, yv)
    assert main(["fit-circuit", "--pla", str(tmp_path / "train.pla"), "--valid", str(tmp_path / "valid.pla"),
                 "--max-and-gates", "10", "--no-abc", "-o", str(tmp_path / "c.aag")]) == 0
    out = capsys.readouterr().out
    assert "every training example has output 1: nothing to learn, the circuit is constant 1" in out
    assert "validation accuracy 0.7500" in out
    aig = read_aiger(tmp_path / "c.aag")
    assert aig.n_ands == 0 and aig.outputs == [1] and aig.n_inputs == 6
    assert (tmp_path / "c.aag").read_bytes().endswith(b"lutlearn fit-circuit: the circuit is constant 1\n")


def test_fit_circuit_command_names_a_single_input_wire(tmp_path, capsys):
    rng = np.random.default_rng(1)
    X, Xv = (rng.integers(0, 2, (400, 20)).astype(np.uint8) for _ in range(2))
    write_pla(tmp_path / "train.pla", X, 1 - X[:, 17])
    write_pla(tmp_path / "valid.pla", Xv, 1 - Xv[:, 17])
    assert main(["fit-circuit", "--pla", str(tmp_path / "train.pla"), "--valid", str(tmp_path / "valid.pla"),
                 "--max-and-gates", "10", "--quick", "--no-abc", "-o", str(tmp_path / "c.aig")]) == 0
    out = capsys.readouterr().out
    assert "chosen: the circuit is NOT input x17\n" in out and "k=" not in out
    aig = read_aiger(tmp_path / "c.aig")
    assert aig.outputs == [2 * 18 + 1] and aig.n_ands == 0


def test_describe_circuit():
    from lutlearn.circuits.search import describe_circuit

    a = Aig(3)
    for lits, want in (([0], "constant 0"), ([1], "constant 1"), ([2], "input x0"), ([7], "NOT input x2"),
                       ([2, 4], None)):
        a.outputs = lits
        assert describe_circuit(a) == want
    a.outputs = [a.and_(a.input(0), a.input(1))]
    assert describe_circuit(a) is None


def test_fit_circuit_refit_on_train_and_valid():
    from lutlearn.circuits.logic_tasks import make_task

    t = make_task("cmp:16", seed=0, n_split=500)
    kw = dict(ks=(4, 6), depths=(1,), max_width=16, use_abc=False, progress=False, wirings=("greedy",))
    plain = fit_circuit(t.X_train, t.y_train, t.X_valid, t.y_valid, 2000, **kw)
    search = fit_circuit(t.X_train, t.y_train, t.X_valid, t.y_valid, 2000, refit=True, **kw)
    assert plain.trained_on == "train" and search.trained_on == "train+valid"
    assert search.best == plain.best  # validation chose the same network, and its figures are kept
    b = search.best
    X_all, y_all = np.concatenate([t.X_train, t.X_valid]), np.concatenate([t.y_train, t.y_valid])
    ref = LutNetworkClassifier(k=b.k, hidden_layers=b.hidden_layers, random_state=b.seed, wiring=b.wiring).fit(
        X_all, y_all)
    ref.network_ = fill_unseen(ref.network_, X_all, rule=b.fill, y=y_all) if b.fill != "none" else ref.network_
    aig = parse_aiger(search.aig)
    assert aig.n_ands == search.and_gates <= 2000
    np.testing.assert_array_equal(aig.evaluate(t.X_test)[:, 0], ref.predict(t.X_test))
    np.testing.assert_array_equal(search.model.predict(t.X_test), ref.predict(t.X_test))
    assert not np.array_equal(aig.evaluate(t.X_test)[:, 0], parse_aiger(plain.aig).evaluate(t.X_test)[:, 0])
    # a refit over budget is not taken: the training-only circuit stays
    tight = fit_circuit(t.X_train, t.y_train, t.X_valid, t.y_valid, plain.and_gates, refit=True, **kw)
    assert tight.and_gates <= plain.and_gates


def test_fit_circuit_fill_options_and_greedy_ks():
    from lutlearn.circuits.logic_tasks import make_task

    t = make_task("cmp:24", seed=0, n_split=600)
    kw = dict(ks=(2,), depths=(0,), use_abc=False, progress=False, wirings=("greedy",))
    s = fit_circuit(t.X_train, t.y_train, t.X_valid, t.y_valid, 3000, fill="both", greedy_ks=(10,), **kw)
    assert [(c.k, c.fill) for c in s.candidates] == [(2, "small"), (2, "neighbours"), (10, "small"),
                                                     (10, "neighbours")]
    assert {c.wiring for c in s.candidates} == {"greedy"}
    small, neigh = s.candidates[2:]
    assert small.train_accuracy == neigh.train_accuracy  # one training, two fills
    rnd = fit_circuit(t.X_train, t.y_train, t.X_valid, t.y_valid, 3000, fill="neighbours", greedy_ks=(10,),
                      **{**kw, "wirings": ("random",)})
    assert [(c.k, c.wiring) for c in rnd.candidates] == [(2, "random")]  # greedy_ks only with greedy wiring
    with pytest.raises(ValueError, match="fill must be"):
        fit_circuit(t.X_train, t.y_train, t.X_valid, t.y_valid, 3000, fill="nearest", **kw)


def test_majority_aig_is_the_members_vote():
    from lutlearn.circuits.search import majority_aig

    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, (300, 9)).astype(np.uint8)
    members = []
    for seed in range(3):
        m = LutNetworkClassifier(k=4, hidden_layers=(6,), random_state=seed).fit(X, X[:, :5].sum(axis=1) > 2)
        members.append(Aig.from_netlist(LutNetlist.from_model(m)))
    vote = majority_aig(members)
    Xt = rng.integers(0, 2, (500, 9)).astype(np.uint8)
    bits = np.stack([a.evaluate(Xt)[:, 0] for a in members])
    np.testing.assert_array_equal(vote.evaluate(Xt)[:, 0], bits.sum(axis=0) >= 2)
    assert vote.n_ands <= sum(a.n_ands for a in members) + 4
    with pytest.raises(ValueError, match="three single-output"):
        majority_aig(members[:2])


def test_fit_circuit_ensemble_votes_three_networks():
    X, y, Xv, yv = split("majority:15", 600, 600)
    Xt, _ = function_examples("majority:15", 500, random_state=1)
    kw = dict(ks=(6,), depths=(1,), max_width=16, use_abc=False, progress=False, n_seeds=3, fill="small")
    s = fit_circuit(X, y, Xv, yv, 3000, ensemble=True, **kw)
    assert s.best.wiring == "ensemble" and s.model is None and len(s.members) == 3
    single = max(c.valid_accuracy for c in s.candidates if c.fits and c.wiring != "ensemble")
    assert s.best.valid_accuracy > single
    aig = parse_aiger(s.aig)
    assert aig.n_ands == s.and_gates <= 3000
    preds = []
    for c in s.members:  # each member refitted from its record, filled as in the search
        m = LutNetworkClassifier(k=c.k, hidden_layers=c.hidden_layers, random_state=c.seed).fit(X, y)
        m.network_ = fill_unseen(m.network_, X)
        preds.append(m.predict(Xt))
    np.testing.assert_array_equal(aig.evaluate(Xt)[:, 0], np.sum(preds, axis=0) >= 2)
    assert np.mean(aig.evaluate(Xv)[:, 0] == yv) == pytest.approx(s.best.valid_accuracy)
    assert s.to_aiger(binary=False).endswith(b"wiring random fill small\n")
    assert fit_circuit(X, y, Xv, yv, 3000, **kw).best.valid_accuracy == single  # without ensemble


def _cascade_reference(X, y, wires, threshold):
    """Confident and value tables of a cascade with the given wiring, counted in plain Python."""
    left = list(range(len(y)))
    confident, values = [], []
    for i, w in enumerate(wires):
        n, n1 = [0] * (1 << len(w)), [0] * (1 << len(w))
        pats = {}
        for r in left:
            p = int("".join(str(int(X[r, c])) for c in w), 2)
            pats[r] = p
            n[p] += 1
            n1[p] += int(y[r])
        conf = [i == len(wires) - 1 or (n[p] > 0 and not threshold < (n1[p] + 1) / (n[p] + 2) < 1 - threshold)
                for p in range(len(n))]
        confident.append(conf)
        values.append([int(2 * n1[p] > n[p]) for p in range(len(n))])
        left = [r for r in left if not conf[pats[r]]]
    return confident, values


@pytest.mark.parametrize("spec,k,threshold", [("comparator:24", 6, 0.2), ("majority:9", 4, 0.3)])
def test_fit_cascade_counts_as_the_reference_and_its_aig_computes_it(spec, k, threshold):
    from lutlearn.circuits.search import fit_cascade

    X, y, Xt, _ = split(spec, 800, 300)
    c = fit_cascade(X, y, k, 5, threshold, random_state=1)
    assert 1 <= len(c.wires) <= 5 and all(1 <= len(w) <= k and len(set(w.tolist())) == len(w) for w in c.wires)
    confident, values = _cascade_reference(X, y, [w.tolist() for w in c.wires], threshold)
    assert [cf.tolist() for cf in c.confident] == confident
    assert [v.tolist() for v in c.values] == values
    # the decision list, evaluated row by row
    expected = []
    for row in Xt:
        for w, cf, v in zip(c.wires, confident, values):
            p = int("".join(str(int(row[i])) for i in w), 2)
            if cf[p]:
                expected.append(v[p])
                break
    np.testing.assert_array_equal(c.predict(Xt), expected)
    np.testing.assert_array_equal(c.to_aig(X.shape[1]).evaluate(Xt)[:, 0], expected)
    again = fit_cascade(X, y, k, 5, threshold, random_state=1)
    assert all(np.array_equal(a, b) for a, b in zip(again.wires + again.values, c.wires + c.values))
    with pytest.raises(ValueError, match="threshold"):
        fit_cascade(X, y, k, 5, 0.5)


def test_fit_circuit_cascade_learns_a_comparator_the_networks_miss():
    from lutlearn.circuits.logic_tasks import make_task

    t = make_task("cmp:60", seed=0, n_split=1600)
    kw = dict(ks=(2, 4, 6), depths=(0, 1), max_width=16, use_abc=False, progress=False,
              wirings=("random", "greedy"), fill="both")
    s = fit_circuit(t.X_train, t.y_train, t.X_valid, t.y_valid, 1000, cascades=((8, 0.2),), **kw)
    assert s.best.wiring == "cascade" and s.model is None and s.best.threshold == 0.2
    nets = max(c.valid_accuracy for c in s.candidates if c.fits and c.wiring != "cascade")
    aig = parse_aiger(s.aig)
    assert aig.n_ands == s.and_gates <= 1000
    assert np.mean(aig.evaluate(t.X_valid)[:, 0] == t.y_valid) == pytest.approx(s.best.valid_accuracy)
    test = np.mean(aig.evaluate(t.X_test)[:, 0] == t.y_test)
    assert s.best.valid_accuracy > nets + 0.01 and test >= 0.98
    assert b"cascade of luts" in s.to_aiger(binary=False)
    with pytest.raises(ValueError, match="cascades"):
        fit_circuit(t.X_train, t.y_train, t.X_valid, t.y_valid, 1000, cascades=((8, 0.7),), **kw)


def test_fit_circuit_command_cascade_option(tmp_path, capsys):
    base = quick_command(tmp_path, "cmp:40", 1600, 500)
    assert main([*base, "--cascade"]) == 0
    assert "chosen: a cascade of luts of at most" in capsys.readouterr().out
    assert main([*base, "--cascade", "--save-model", str(tmp_path / "m.npz")]) != 0
    assert "--cascade with --save-model: a cascade of luts is no network model" in capsys.readouterr().err
    assert main(base) == 0  # --quick: no cascade
    assert "cascade" not in capsys.readouterr().out


def test_fit_circuit_full_table_memorizes_the_truth_table_of_few_inputs():
    # the top bit of a 12-input remainder: most of its 4096 patterns are seen in training, so one lut of all
    # the inputs (unseen entries left to the small fill) beats every network of smaller luts
    from lutlearn.circuits.logic_tasks import make_task

    t = make_task("rem-msb:8", seed=0, n_split=3000)
    kw = dict(ks=(2, 4), depths=(0, 1), max_width=8, progress=False, use_abc=False)
    s = fit_circuit(t.X_train, t.y_train, t.X_valid, t.y_valid, 5000, full_table=12, **kw)
    full = [c for c in s.candidates if c.k == 12]
    assert [(c.hidden_layers, c.wiring) for c in full] == [((), "random")]
    assert s.best.k == 12 and s.best.valid_accuracy == full[0].valid_accuracy
    ref = LutNetworkClassifier(k=12, hidden_layers=(), random_state=0, n_jobs=1).fit(t.X_train, t.y_train)
    ref.network_ = fill_unseen(ref.network_, t.X_train)
    assert full[0].valid_accuracy == pytest.approx(ref.score(t.X_valid, t.y_valid))
    np.testing.assert_array_equal(parse_aiger(s.aig).evaluate(t.X_valid)[:, 0], ref.predict(t.X_valid))
    without = fit_circuit(t.X_train, t.y_train, t.X_valid, t.y_valid, 5000, full_table=11, **kw)
    assert all(c.k < 12 for c in without.candidates) and without.best.valid_accuracy < s.best.valid_accuracy


def test_fit_circuit_command_full_table_option(tmp_path, capsys):
    base = quick_command(tmp_path, "rem-msb:8", 3000, 5000)
    assert main(base) == 0  # the default: the 12 inputs in one lut are tried, and win
    assert "chosen: k=12 hidden layers none" in capsys.readouterr().out
    assert main([*base, "--full-table", "0"]) == 0
    assert "chosen: k=12" not in capsys.readouterr().out


def test_fit_circuit_care_table_candidate_and_its_refit():
    if tools.find_abc() is None:
        pytest.skip("ABC not installed (Debian package 'berkeley-abc')")
    rng = np.random.default_rng(0)
    values = rng.integers(0, 2, 13, dtype=np.uint8)  # a symmetric function of 12 inputs

    def draw(n):
        X = rng.integers(0, 2, (n, 12), dtype=np.uint8)
        return X, values[X.sum(axis=1)]

    (X, y), (Xv, yv) = draw(1000), draw(600)
    kw = dict(ks=(2, 4), depths=(0, 1), max_width=8, use_abc=True, progress=False)
    plain = fit_circuit(X, y, Xv, yv, 2000, **kw)
    assert all(c.wiring != "table" for c in plain.candidates)  # care_table=0: never tried
    s = fit_circuit(X, y, Xv, yv, 2000, care_table=12, **kw)
    table = [c for c in s.candidates if c.wiring == "table"]
    assert len(table) == 1 and table[0].fill == "dont-care" and table[0].k == 12 and table[0].train_accuracy == 1
    assert s.best is table[0] and s.model is None and s.trained_on == "train"
    assert s.best.valid_accuracy > 0.95 > plain.best.valid_accuracy  # the networks do not see the symmetry
    aig = parse_aiger(s.aig)
    assert aig.n_ands == s.and_gates <= 2000
    assert s.best.valid_accuracy == pytest.approx(np.mean(aig.evaluate(Xv)[:, 0] == yv))
    assert "truth table of the 12 inputs" in s.to_aiger(binary=False).decode()
    # refit="table": the table synthesised again from training + validation examples, which it then all keeps
    r = fit_circuit(X, y, Xv, yv, 2000, care_table=12, refit="table", **kw)
    assert r.trained_on == "train+valid" and r.best.valid_accuracy == s.best.valid_accuracy
    both = np.concatenate([X, Xv])
    np.testing.assert_array_equal(parse_aiger(r.aig).evaluate(both)[:, 0], np.concatenate([y, yv]))
    assert r.aig != s.aig
    # the table needs ABC: without it, no table candidate
    assert all(c.wiring != "table" for c in fit_circuit(X, y, Xv, yv, 2000, **{**kw, "use_abc": False},
                                                          care_table=12).candidates)
    with pytest.raises(ValueError, match="care_table must be between 0 and 24"):
        fit_circuit(X, y, Xv, yv, 2000, care_table=25, **kw)
    with pytest.raises(ValueError, match="refit must be"):
        fit_circuit(X, y, Xv, yv, 2000, refit="yes", **kw)


def test_fit_circuit_command_care_table(tmp_path, capsys):
    if tools.find_abc() is None:
        pytest.skip("ABC not installed (Debian package 'berkeley-abc')")
    pre = tmp_path / "maj"
    assert main(["pla", "majority:9", "-o", str(pre), "--n-train", "200", "--n-valid", "300"]) == 0
    base = ["fit-circuit", "--pla", f"{pre}.train.pla", "--valid", f"{pre}.valid.pla", "--max-and-gates", "300",
            "--quick"]
    capsys.readouterr()
    assert main([*base, "-o", str(tmp_path / "c.aig")]) == 0
    out = capsys.readouterr().out
    assert "chosen: the truth table of the 9 inputs memorized" in out
    assert "final circuit trained on training + validation examples (the accuracies above: the table" in out
    X, y = function_examples("majority:9", 2000, random_state=5)
    assert np.mean(read_aiger(tmp_path / "c.aig").evaluate(X)[:, 0] == y) > 0.95  # majority, seen or not
    assert main([*base, "-o", str(tmp_path / "d.aig"), "--no-refit"]) == 0
    assert "final circuit trained on the training examples\n" in capsys.readouterr().out
    # --save-model: networks only, so one is chosen and both files are written (was: refused after the search)
    assert main([*base, "-o", str(tmp_path / "e.aig"), "--save-model", str(tmp_path / "m.npz")]) == 0
    out = capsys.readouterr().out
    assert "the search tries networks only" in out and "truth table" not in out
    assert (tmp_path / "e.aig").exists() and (tmp_path / "m.npz").exists()
    assert main([*base, "-o", str(tmp_path / "f.aig"), "--care-table", "0"]) == 0
    assert "truth table" not in capsys.readouterr().out


def hidden_threshold_task(n_inputs=40, seed=0):
    """Train, valid and test splits of a threshold function of 10 inputs hidden among ``n_inputs``."""
    rng = np.random.default_rng(seed)
    hidden = [33, 4, 19, 27, 8, 12, 38, 1, 22, 15]
    values = (np.arange(11) <= 6).astype(np.uint8)  # 1 when at most 6 of the 10 are on

    def draw(n):
        X = rng.integers(0, 2, (n, n_inputs), dtype=np.uint8)
        return X, values[X[:, hidden].sum(axis=1)]

    return hidden, draw(3000), draw(1000), draw(2000)


def test_fit_care_support_finds_the_hidden_inputs():
    if tools.find_abc() is None:
        pytest.skip("ABC not installed (Debian package 'berkeley-abc')")
    from lutlearn.circuits.search import fit_care_support

    hidden, (X, y), (Xv, yv), (Xt, yt) = hidden_threshold_task()
    r = fit_care_support(X, y, Xv, yv)
    assert sorted(r.support) == sorted(hidden) and r.valid_accuracy > 0.98
    assert np.mean(r.aig.evaluate(Xt)[:, 0] == yt) > 0.98 and r.aig.n_inputs == 40
    # the history: 6 inputs from greedy wiring, then one per step, until 3 steps without a better accuracy
    sizes = [len(s) for s, _ in r.history]
    assert sizes == list(range(6, len(sizes) + 6)) and sizes[-1] == len(r.support) + 3
    assert max(v for _, v in r.history) == r.valid_accuracy
    assert [v for s, v in r.history if len(s) == len(r.support)] == [r.valid_accuracy]
    again = fit_care_support(X, y, Xv, yv)
    assert again.support == r.support and again.aig.to_bytes() == r.aig.to_bytes()
    small = fit_care_support(X, y, Xv, yv, max_support=8, patience=1)
    assert len(small.support) <= 8 and len(small.history) <= 3
    with pytest.raises(ValueError, match="max_support"):
        fit_care_support(X, y, Xv, yv, max_support=25)


def test_fit_circuit_care_support_candidate(monkeypatch):
    if tools.find_abc() is None:
        pytest.skip("ABC not installed (Debian package 'berkeley-abc')")
    import lutlearn.circuits.learners as circuit_learners

    hidden, (X, y), (Xv, yv), (Xt, yt) = hidden_threshold_task()
    kw = dict(ks=(2, 4), depths=(0, 1), max_width=8, use_abc=True, progress=False, care_table=20)
    s = fit_circuit(X, y, Xv, yv, 2000, care_support=12, refit="table", **kw)
    assert s.best.wiring == "table" and sorted(s.best.support) == sorted(hidden) and s.best.k == 10
    assert s.trained_on == "train+valid" and s.model is None
    assert np.mean(parse_aiger(s.aig).evaluate(Xt)[:, 0] == yt) > 0.98
    assert "10 chosen inputs (x" in s.to_aiger(binary=False).decode()
    # off by default, and past CARE_SUPPORT_MAX_FEATURES inputs
    assert all(c.wiring != "table" for c in fit_circuit(X, y, Xv, yv, 2000, **kw).candidates)
    monkeypatch.setattr(circuit_learners, "CARE_SUPPORT_MAX_FEATURES", 39)
    assert all(c.wiring != "table" for c in fit_circuit(X, y, Xv, yv, 2000, care_support=12, **kw).candidates)
    with pytest.raises(ValueError, match="care_support must be between 0 and 24"):
        fit_circuit(X, y, Xv, yv, 2000, care_support=30, **kw)


def test_fit_circuit_command_care_support(tmp_path, capsys):
    if tools.find_abc() is None:
        pytest.skip("ABC not installed (Debian package 'berkeley-abc')")
    hidden, (X, y), (Xv, yv), _ = hidden_threshold_task()
    write_pla(tmp_path / "t.pla", X, y)
    write_pla(tmp_path / "v.pla", Xv, yv)
    base = ["fit-circuit", "--pla", str(tmp_path / "t.pla"), "--valid", str(tmp_path / "v.pla"),
            "--max-and-gates", "500", "--quick", "--ks", "2,4", "--depths", "0,1"]
    assert main([*base, "-o", str(tmp_path / "c.aig"), "--care-support", "12"]) == 0
    out = capsys.readouterr().out
    chosen = ", ".join(f"x{c}" for c in sorted(hidden))
    line = next(x for x in out.splitlines() if x.startswith("chosen: the truth table of 10 chosen inputs ("))
    assert ", ".join(sorted(line.split("(")[1].split(")")[0].split(", "), key=lambda t: int(t[1:]))) == chosen
    assert main([*base, "-o", str(tmp_path / "d.aig")]) == 0  # --quick: no support search
    assert "truth table" not in capsys.readouterr().out


def test_fit_circuit_without_ttopt_goes_on_without_the_care_table(monkeypatch):
    if tools.find_abc() is None:
        pytest.skip("ABC not installed (Debian package 'berkeley-abc')")
    assert tools.abc_has_command("&ttopt") and not tools.abc_has_command("&no_such_command")
    monkeypatch.setattr(tools, "abc_has_command", lambda command: command != "&ttopt")
    X, y, Xv, yv = split("majority:7", 300, 200)
    with pytest.warns(RuntimeWarning, match="no &ttopt"):
        s = fit_circuit(X, y, Xv, yv, 100, ks=(2,), depths=(0,), use_abc=True, progress=False, care_table=20)
    assert all(c.wiring != "table" for c in s.candidates)


def test_fill_dont_cares_kernel_is_its_numpy_reference():
    """The numba fill and the recursive NumPy one give the same table, bit for bit, at every size and care share."""
    from lutlearn.core import _reference

    rng = np.random.default_rng(7)
    for k in range(0, 11):
        for trial in range(40):
            if trial % 2:  # one input's table with a few flips: halves that agree, sub-tables of one value
                T = ((np.arange(1 << k) >> rng.integers(0, max(k, 1))) & 1).astype(np.uint8)
                T[rng.random(1 << k) < 0.05] ^= 1
            else:
                T = rng.integers(0, 2, 1 << k).astype(np.uint8)
            C = rng.random(1 << k) < rng.random()
            np.testing.assert_array_equal(fill_dont_cares(T, C), _reference.fill_dont_cares(T, C))
    with pytest.raises(ValueError, match="a power of two"):
        fill_dont_cares(np.zeros(6, np.uint8), np.ones(6, bool))


def test_fill_neighbours_kernel_is_its_numpy_reference():
    """The numba nearest-pattern fill and the NumPy one (a distance at a time) agree, tie-breaks included."""
    from lutlearn.core import _reference
    from lutlearn.core.inspection import fill_neighbours

    rng = np.random.default_rng(11)
    for k in range(0, 11):
        for trial in range(30):
            size = 1 << k
            counts = rng.integers(0, 3, (size, 2)) * (rng.random((size, 1)) < rng.random())
            T = rng.integers(0, 2, size).astype(np.uint8)
            np.testing.assert_array_equal(fill_neighbours(T, counts, np.random.default_rng(trial)),
                                          _reference.fill_neighbours(T, counts, np.random.default_rng(trial)))


def test_grow_patience_stops_widening_a_family_that_stopped_improving():
    """With grow_patience=N a family of networks (one k and depth, widths doubling) ends after N widths in a row
    that did not raise its best validation accuracy: its candidates are the full search's up to there, in order."""
    X, y, Xv, yv = split("majority:11", 1500, 800)
    grid = dict(ks=(2, 4, 6), depths=(1, 2), max_width=64, wirings=("random",), fill="small", use_abc=False,
                progress=False)
    full = fit_circuit(X, y, Xv, yv, 10**6, **grid)
    stopped_early = 0
    for patience in (1, 2):
        short = fit_circuit(X, y, Xv, yv, 10**6, grow_patience=patience, **grid)
        want = []
        for k in grid["ks"]:
            for depth in grid["depths"]:
                family = [c for c in full.candidates if c.k == k and len(c.hidden_layers) == depth]
                best, since = None, 0
                for c in family:
                    want.append(c)
                    if best is None or c.valid_accuracy > best:
                        best, since = c.valid_accuracy, 0
                    else:
                        since += 1
                    if since >= patience:
                        stopped_early += c is not family[-1]
                        break
        assert short.candidates == want, patience
    assert stopped_early > 0  # the task has families that stop improving before max_width
    with pytest.raises(ValueError, match="grow_patience must be a whole number"):
        fit_circuit(X, y, Xv, yv, 100, grow_patience=-1, **grid)
