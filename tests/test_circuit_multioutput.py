"""Multi-output circuits: the merged AIG computes every chosen output circuit, the budget holds and is spent well."""

from __future__ import annotations

import numpy as np
import pytest

from lutlearn.circuits.multi_tasks import make_multi_task
from lutlearn.circuits.multioutput import OutputCircuit, _allocate, fit_multioutput_circuit, merge_aigs
from lutlearn.export.aiger import Aig, parse_aiger

QUICK = {"ks": (2, 4), "depths": (0,), "max_width": 16, "use_abc": False, "full_table": 8}


def test_merging_keeps_every_output_and_shares_identical_gates():
    a, b = Aig(3), Aig(3)
    a.outputs = [a.and_(a.input(0), a.input(1))]
    b.outputs = [b.and_(b.input(0), b.input(1)) ^ 1, b.or_(b.input(2), b.input(0))]
    merged = merge_aigs(3, [a.to_bytes(), b.to_bytes()])
    X = np.array([[x >> 2 & 1, x >> 1 & 1, x & 1] for x in range(8)], np.uint8)
    np.testing.assert_array_equal(merged.evaluate(X), np.hstack([a.evaluate(X), b.evaluate(X)]))
    assert merged.n_ands == 2  # x0 & x1 once for both files
    with pytest.raises(ValueError, match="inputs"):
        merge_aigs(4, [a.to_bytes()])


def test_the_budget_goes_where_validation_gains_most():
    def c(o, gates, acc):
        return OutputCircuit(o, gates, gates, acc, f"{o}/{gates}".encode())

    menu = [[c(0, 10, 0.80), c(0, 50, 0.90), c(0, 100, 0.91)], [c(1, 5, 0.60), c(1, 40, 0.95)]]
    assert [(p.output, p.and_gates) for p in _allocate(menu, 100)] == [(0, 50), (1, 40)]
    assert [(p.output, p.and_gates) for p in _allocate(menu, 60)] == [(0, 10), (1, 40)]  # 0.35 over 35 gates first
    with pytest.raises(ValueError, match="smallest circuits need 15"):
        _allocate(menu, 14)
    twin = [[c(0, 10, 0.8), c(0, 50, 0.9)], [c(0, 10, 0.8), c(0, 50, 0.9)]]  # the same circuits for two outputs
    assert [p.and_gates for p in _allocate(twin, 60)] == [50, 50]  # the second costs nothing more


def test_equal_outputs_share_one_circuit():
    t = make_multi_task("cmp3:12", n_split=800)
    Y, Yv = t.Y_train[:, [2, 2]], t.Y_valid[:, [2, 2]]
    r = fit_multioutput_circuit(t.X_train, Y, t.X_valid, Yv, 20, progress=False, ks=(2, 4, 6), depths=(0, 1),
                                max_width=16, use_abc=False)
    assert r.outputs[0].aig == r.outputs[1].aig and r.and_gates <= 20 < r.and_gates_separate
    np.testing.assert_array_equal(r.evaluate(t.X_test)[:, 0], r.evaluate(t.X_test)[:, 1])


def test_an_adder_learned_as_one_circuit():
    t = make_multi_task("add:4", n_split=600)
    r = fit_multioutput_circuit(t.X_train, t.Y_train, t.X_valid, t.Y_valid, 400, progress=False, **QUICK)
    aig = parse_aiger(r.aig)
    assert len(aig.outputs) == 5 and aig.n_inputs == 8 and r.and_gates == aig.n_ands <= 400
    assert sum(p.and_gates for p in r.outputs) == r.and_gates_separate <= 400
    separate = np.hstack([parse_aiger(p.aig).evaluate(t.X_test) for p in r.outputs])
    np.testing.assert_array_equal(r.evaluate(t.X_test), separate)
    assert (r.evaluate(t.X_test) == t.Y_test).mean() > 0.9
    again = fit_multioutput_circuit(t.X_train, t.Y_train, t.X_valid, t.Y_valid, 400, progress=False, **QUICK)
    assert again.aig == r.aig


def test_dont_cares_are_left_out_of_an_outputs_learning():
    t = make_multi_task("cmp3:6", n_split=500)
    care = np.ones(t.Y_train.shape, bool)
    care[:, 1] = t.X_train[:, 0] == 1  # output 1 learned from half the rows only
    Y = t.Y_train.copy()
    Y[~care] = 1 - Y[~care]  # wrong values where not cared for: they must not matter
    a = fit_multioutput_circuit(t.X_train, Y, t.X_valid, t.Y_valid, 300, care=care, progress=False, **QUICK)
    Y2 = t.Y_train.copy()
    Y2[~care] = 0
    b = fit_multioutput_circuit(t.X_train, Y2, t.X_valid, t.Y_valid, 300, care=care, progress=False, **QUICK)
    assert a.aig == b.aig
    with pytest.raises(ValueError, match="no cared training example"):
        fit_multioutput_circuit(t.X_train, Y, t.X_valid, t.Y_valid, 300, care=np.zeros(Y.shape, bool), **QUICK)
    with pytest.raises(ValueError, match="n_outputs"):
        fit_multioutput_circuit(t.X_train, Y[:, 0], t.X_valid, t.Y_valid, 300, **QUICK)
    for bad in (-1, 25):  # a care table reads at most 24 inputs
        with pytest.raises(ValueError, match="joint_table must be between 0 and 24 inputs"):
            fit_multioutput_circuit(t.X_train, Y, t.X_valid, t.Y_valid, 300, joint_table=bad, **QUICK)


def test_fit_circuit_command_on_a_multi_output_pla(tmp_path, capsys):
    import json

    from lutlearn.cli import main
    from lutlearn.datasets.pla import read_multi_pla

    prefix = str(tmp_path / "add4")
    assert main(["pla", "add:4", "-o", prefix, "--n-train", "600"]) == 0
    out, js = tmp_path / "add4.aig", tmp_path / "add4.json"
    base = ["fit-circuit", "--pla", f"{prefix}.train.pla", "--valid", f"{prefix}.valid.pla", "--max-and-gates", "300",
            "--quick", "--no-abc"]
    assert main([*base, "-o", str(out), "--json", str(js)]) == 0
    text = capsys.readouterr().out
    record, test = json.loads(js.read_text()), read_multi_pla(f"{prefix}.test.pla")
    aig = parse_aiger(out.read_bytes())
    assert len(aig.outputs) == 5 and aig.n_ands == record["and_gates"] <= 300
    assert [o["name"] for o in record["outputs"]] == test.output_names
    assert (aig.evaluate(test.X) == test.Y).mean() > 0.95
    assert f"AND gates: {record['and_gates']} (budget 300" in text
    from lutlearn.export.aiger import output_symbols

    assert list(output_symbols(out.read_bytes()).values()) == test.output_names  # named in the symbol table
    assert main(["info", str(out)]) == 0
    assert f"  {test.output_names[0]}: " in capsys.readouterr().out
    assert main([*base, "-o", str(out), "--save-model", str(tmp_path / "m.npz")]) == 1
    assert "drop --save-model" in capsys.readouterr().err


def test_merging_keeps_only_the_chosen_output_of_a_shared_circuit():
    a = Aig(3)
    x, y, z = (a.input(i) for i in range(3))
    a.outputs = [a.and_(x, y), a.and_(a.and_(x, y), z), a.or_(y, z)]
    merged = merge_aigs(3, [a.to_bytes(), a.to_bytes()], [1, None])
    X = np.array([[v >> 2 & 1, v >> 1 & 1, v & 1] for v in range(8)], np.uint8)
    full = a.evaluate(X)
    np.testing.assert_array_equal(merged.evaluate(X), full[:, [1, 0, 1, 2]])
    assert merged.n_ands == a.n_ands  # the second copy shares every gate of the first


def test_an_output_moves_to_the_shared_joint_circuit_when_it_validates_as_well():
    def joint(o, cone, acc):
        return OutputCircuit(o, 60, cone, acc, b"joint", port=o, circuit_gates=60)

    own = OutputCircuit(1, 20, 20, 0.95, b"own")
    pick = _allocate([[joint(0, 30, 0.9)], [own, joint(1, 35, 0.95)]], 100)
    assert [p.aig for p in pick] == [b"joint", b"joint"] and pick[1].port == 1  # 60 gates, not 80
    pick = _allocate([[joint(0, 30, 0.9)], [own, joint(1, 35, 0.94)]], 100)
    assert [p.aig for p in pick] == [b"joint", b"own"]  # the joint output validates worse: kept apart


def needs_ttopt():
    from lutlearn.export import tools

    if tools.find_abc() is None or not tools.abc_has_command("&ttopt"):
        pytest.skip("ABC with &ttopt not installed (Debian package 'berkeley-abc')")


def test_the_joint_care_table_against_per_output_learning():
    needs_ttopt()
    t = make_multi_task("add:6", n_split=1500)
    opts = {**QUICK, "use_abc": True, "refit": "table", "care_table": 20}  # per-output care tables too
    joint = fit_multioutput_circuit(t.X_train, t.Y_train, t.X_valid, t.Y_valid, 2000, joint_table=20,
                                    progress=False, **opts)
    apart = fit_multioutput_circuit(t.X_train, t.Y_train, t.X_valid, t.Y_valid, 2000, progress=False, **opts)
    assert all(c.circuit_gates is None for c in apart.outputs)
    shared = [c for c in joint.outputs if c.circuit_gates is not None]
    assert len(shared) >= 5 and len({c.aig for c in shared}) == 1 and [c.port for c in shared] == [
        c.output for c in shared]
    for m in joint.menu:  # an output the joint table validates perfectly is not searched alone
        if m[-1].valid_accuracy == 1:
            assert m == [m[-1]]
    # the whole circuit computes each chosen output, within the budget
    ports = np.hstack([parse_aiger(c.aig).evaluate(t.X_test)[:, [c.port]] for c in joint.outputs])
    np.testing.assert_array_equal(joint.evaluate(t.X_test), ports)
    acc = {name: (r.evaluate(t.X_test) == t.Y_test).mean() for name, r in (("joint", joint), ("apart", apart))}
    assert joint.and_gates <= 0.7 * apart.and_gates_separate and joint.and_gates <= 2000
    assert acc["joint"] >= acc["apart"] - 0.002 and acc["joint"] > 0.99
    # a joint table over the budget is not offered
    small = fit_multioutput_circuit(t.X_train, t.Y_train, t.X_valid, t.Y_valid, joint.and_gates - 1,
                                    joint_table=20, progress=False, **opts)
    assert all(c.circuit_gates is None for c in small.outputs) and small.and_gates < joint.and_gates


def test_dont_cares_do_not_reach_the_joint_care_table():
    needs_ttopt()
    t = make_multi_task("cmp3:8", n_split=600)
    care = np.ones(t.Y_train.shape, bool)
    care[:, 1] = t.X_train[:, 0] == 1
    Y = t.Y_train.copy()
    Y[~care] = 1 - Y[~care]
    Y2 = t.Y_train.copy()
    Y2[~care] = 0
    opts = {**QUICK, "use_abc": True}
    a, b = (fit_multioutput_circuit(t.X_train, y, t.X_valid, t.Y_valid, 300, care=care, joint_table=20,
                                    progress=False, **opts) for y in (Y, Y2))
    assert a.aig == b.aig and any(c.circuit_gates is not None for c in a.outputs)


def test_joint_support_finds_the_inputs_of_shared_terms():
    from lutlearn.circuits.multi_tasks import mdnf_terms
    from lutlearn.circuits.multioutput import joint_support

    t = make_multi_task("mdnf:24:12:8:0", n_split=3000)
    terms, _ = mdnf_terms(24, 12, 8, 0)
    used = set(np.concatenate([inputs for inputs, _ in terms]).tolist())  # 19 of the 24 inputs
    order = joint_support(t.X_train, t.Y_train, patience=0)
    assert len(order) == 20 == len(set(order)) and set(order[:14]) <= used
    stopped = joint_support(t.X_train, t.Y_train)  # the prefix of best cross-validated score
    assert 1 <= len(stopped) < 20 and stopped == order[:len(stopped)]
    # don't-cares do not count: an output's rows outside its care set may say anything
    care = np.ones(t.Y_train.shape, bool)
    care[:1500, 3] = False
    noisy = t.Y_train.copy()
    noisy[:1500, 3] = np.random.default_rng(0).integers(0, 2, 1500)
    assert joint_support(t.X_train, noisy, care, patience=0) == joint_support(t.X_train, t.Y_train, care, patience=0)
    with pytest.raises(ValueError, match="max_support"):
        joint_support(t.X_train, t.Y_train, max_support=0)
    with pytest.raises(ValueError, match="care"):
        joint_support(t.X_train, t.Y_train, care[:, :2])


def test_the_joint_care_table_over_a_chosen_support_of_a_wider_task():
    needs_ttopt()
    t = make_multi_task("mdnf:24:6:4:2", n_split=3000)  # four outputs of 9 of the 24 inputs
    r = fit_multioutput_circuit(t.X_train, t.Y_train, t.X_valid, t.Y_valid, 2000, joint_table=12, progress=False,
                                **{**QUICK, "use_abc": True, "refit": "table"})
    assert all("joint care table over" in c.chosen for c in r.outputs)
    assert (r.evaluate(t.X_test) == t.Y_test).mean() > 0.99 and r.and_gates <= 2000
    inputs = {int(lit >> 1) - 1 for a, b in parse_aiger(r.aig).ands for lit in (a, b) if 0 < lit >> 1 <= 24}
    assert len(inputs) <= 12  # the circuit reads the shared support only


def test_joint_table_option_is_refused_where_it_cannot_take_effect(tmp_path, capsys):
    from lutlearn.cli import main

    prefix = str(tmp_path / "c")
    assert main(["pla", "cmp:8", "-o", prefix, "--n-train", "200"]) == 0  # one output
    base = ["fit-circuit", "--pla", f"{prefix}.train.pla", "--valid", f"{prefix}.valid.pla", "--max-and-gates", "50",
            "-o", str(tmp_path / "c.aig"), "--quick"]
    capsys.readouterr()
    assert main([*base, "--no-abc", "--joint-table", "12"]) == 1
    assert "--joint-table needs ABC, but --no-abc is given" in capsys.readouterr().err
    needs_ttopt()
    assert main([*base, "--joint-table", "12"]) == 1
    assert "has one (its care table is --care-table)" in capsys.readouterr().err
    assert not (tmp_path / "c.aig").exists()


def test_many_outputs_are_optimised_one_by_one(monkeypatch):
    needs_ttopt()
    from lutlearn.circuits import dontcare, multioutput

    t = make_multi_task("add:4", n_split=400)
    calls = []

    original = dontcare.care_table_multi_aig

    def spy(*args, **kwargs):
        calls.append(kwargs.get("together"))
        return original(*args, **kwargs)

    monkeypatch.setattr(dontcare, "care_table_multi_aig", spy)
    opts = {**QUICK, "use_abc": True}
    fit_multioutput_circuit(t.X_train, t.Y_train, t.X_valid, t.Y_valid, 300, joint_table=20, progress=False, **opts)
    assert calls == [True, False]  # five outputs: together, then one by one
    calls.clear()
    monkeypatch.setattr(multioutput, "JOINT_GROUP_MAX", 4)
    r = fit_multioutput_circuit(t.X_train, t.Y_train, t.X_valid, t.Y_valid, 300, joint_table=20, progress=False,
                                **opts)
    assert calls == [False] and all("-O 1" in c.chosen for c in r.outputs if c.circuit_gates is not None)
