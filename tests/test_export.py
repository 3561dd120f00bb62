"""Exported circuits compute exactly ``predict``: checked in Python and by the real tools.

The tool tests compile the C with the system compiler, simulate the Verilog
with Icarus Verilog, read the BLIF and AIGER with ABC and synthesise the
Verilog with Yosys. Each skips with a visible reason when its tool is not
installed (``.ci/run`` installs them on Debian).
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import lutlearn
from _limits import capped_script
from _scripts import load_script
from lutlearn import LutNetworkClassifier
from lutlearn.cli import main
from lutlearn.core.model import VoteHead
from lutlearn.datasets import get_task
from lutlearn.export import Aig, LutNetlist, export_model, format_from_path, read_aiger, render, tools
from lutlearn.export.netlist import _simplify_lut, bits_to_index


def need(tool: str, package: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} not installed (Debian package '{package}')")
    return path


def need_abc() -> str:
    path = tools.find_abc()
    if path is None:
        pytest.skip("ABC not installed (Debian package 'berkeley-abc')")
    return path


@pytest.fixture(scope="module")
def digits():
    return get_task("binary-digits")


@pytest.fixture(scope="module")
def examples(digits):
    """Binary-Digits test images plus 1,000 random bit vectors: 1,450 examples."""
    rng = np.random.default_rng(7)
    return np.vstack([digits.X_test, rng.integers(0, 2, (1000, digits.X_test.shape[1]), dtype=np.uint8)])


@pytest.fixture(scope="module")
def model(digits):
    """A small network with string labels, so label printing is tested too."""
    y = np.where(digits.y_train == 1, "high", "low")
    return LutNetworkClassifier(k=4, hidden_layers=(48, 24), random_state=3).fit(digits.X_train, y)


def with_output_table(model, change):
    """A copy of a fitted model whose output lut's table is ``change(table)``."""
    import copy

    other = copy.copy(model)
    tables = [t.copy() for t in model.tables_[:-1]] + [change(model.tables_[-1][0])[None].astype(np.uint8)]
    other.network_ = model.network_.replace(tables=tables)
    return other


# ------------------------------------------------------------------ netlist
def _brute(ins, T):
    """Reference: the table as a dict from an assignment of named signals to the output."""
    return lambda env: T[int("".join(str(env[s]) for s in ins) or "0", 2)]


@pytest.mark.parametrize("seed", range(20))
def test_simplify_lut_preserves_the_function(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(1, 6))
    pool = [10, 11, 12, ("const", 0), ("const", 1)]
    ins = [pool[i] for i in rng.integers(0, len(pool), k)]
    T = rng.integers(0, 2, 1 << k).astype(np.uint8)
    if seed % 4 == 0:  # a table that ignores its first input
        T = np.tile(T[: 1 << (k - 1)], 2)
    new_ins, new_T = _simplify_lut(ins, T)
    assert new_ins == sorted(set(new_ins)) and all(isinstance(s, int) for s in new_ins)
    assert new_T.shape == (1 << len(new_ins),)
    for values in itertools.product((0, 1), repeat=3):
        env = dict(zip((10, 11, 12), values))
        full = [v[1] if isinstance(v, tuple) else env[v] for v in ins]
        expect = T[int("".join(map(str, full)), 2)]
        assert _brute(new_ins, new_T)(env) == expect
    # an ignored input never survives
    for i in range(len(new_ins)):
        t = new_T.reshape((2,) * len(new_ins))
        assert not np.array_equal(np.take(t, 0, axis=i), np.take(t, 1, axis=i))


def test_netlist_and_aig_match_predict(model, examples):
    expect = model.predict(examples)
    net = LutNetlist.from_model(model)
    assert net.n_inputs == model.n_features_in_ and net.n_outputs == 1
    n_cone = model.network_.cone().n_luts
    assert 0 < len(net.luts) <= n_cone
    np.testing.assert_array_equal(net.predict(examples), expect)
    aig = Aig.from_netlist(net)
    np.testing.assert_array_equal(model.classes_[bits_to_index(aig.evaluate(examples))], expect)
    # every gate is used, and operands come before the gate (AIGER order)
    for i, (a, b) in enumerate(aig.ands):
        assert a >= b and a < 2 * (aig.n_inputs + 1 + i)
    assert aig.n_ands == aig.cleanup().n_ands


@pytest.mark.parametrize("suffix", [".aig", ".aag"])
def test_aiger_round_trip(model, examples, tmp_path, suffix):
    path = tmp_path / f"m{suffix}"
    export_model(model, path)
    head = path.read_bytes().split(b"\n", 1)[0].split()
    assert head[0] == (b"aig" if suffix == ".aig" else b"aag") and head[3] == b"0"
    aig = read_aiger(path)
    assert aig.n_inputs == model.n_features_in_
    np.testing.assert_array_equal(model.classes_[bits_to_index(aig.evaluate(examples))], model.predict(examples))


def test_compiled_aig_simulation_matches_the_reference(voting, voting_examples):
    """Blocks of 64-example words, a partial last word, negated and constant outputs."""
    aig = Aig.from_netlist(LutNetlist.from_model(voting))
    aig.outputs = aig.outputs + [aig.outputs[0] ^ 1, 0, 1, aig.input(5) ^ 1]
    X = voting_examples[:1000]
    expect = aig.evaluate_reference(X)
    np.testing.assert_array_equal(aig.evaluate(X), expect)
    small = 8 * (aig.n_inputs + 1 + aig.n_ands)  # one word per block: 16 blocks
    np.testing.assert_array_equal(aig.evaluate(X, max_bytes=small), expect)
    np.testing.assert_array_equal(aig.evaluate(X[:5]), expect[:5])
    assert expect[:, -4:-1].tolist() == [[1 - e, 0, 1] for e in expect[:, 0]] and aig.evaluate(X[:0]).shape == (0, 8)
    with pytest.raises(ValueError, match="expected inputs of shape"):
        aig.evaluate(X[:, :10])


def test_aig_structural_hashing_and_constants():
    aig = Aig(3)
    a, b = aig.input(0), aig.input(1)
    assert aig.and_(a, b) == aig.and_(b, a) and aig.n_ands == 1
    assert aig.and_(a, 0) == 0 and aig.and_(a, 1) == a and aig.and_(a, a ^ 1) == 0 and aig.and_(a, a) == a
    assert aig.n_ands == 1
    # a lut of xor(x0, x1) ignoring x2: 3 gates; its complement reuses them
    x = [aig.input(i) for i in range(3)]
    xor = aig.add_lut(x, np.array([0, 0, 1, 1, 1, 1, 0, 0], np.uint8))
    n = aig.n_ands
    assert aig.add_lut(x, np.array([1, 1, 0, 0, 0, 0, 1, 1], np.uint8)) == xor ^ 1 and aig.n_ands == n
    aig.outputs = [xor]
    X = np.array(list(itertools.product((0, 1), repeat=3)))
    np.testing.assert_array_equal(aig.evaluate(X)[:, 0], X[:, 0] ^ X[:, 1])
    assert aig.cleanup().n_ands == 3


def test_constant_and_buffer_models(tmp_path):
    X = np.array(list(itertools.product((0, 1), repeat=4)))
    # output = input 2 exactly: a buffer; no lut and no gate survive
    clf = LutNetworkClassifier(k=4, hidden_layers=(), random_state=0).fit(X, X[:, 2])
    net = LutNetlist.from_model(clf)
    assert net.luts == [] and net.outputs == [2]
    aig = Aig.from_netlist(net)
    assert aig.n_ands == 0
    np.testing.assert_array_equal(aig.evaluate(X)[:, 0], X[:, 2])
    for fmt in ("c", "verilog", "blif", "aiger"):
        assert render(clf, fmt)


def test_multiclass_outputs_are_class_bits(digits, examples):
    """A model whose output lut holds class indices 0..2 (as the multi-class work will produce)."""
    m = LutNetworkClassifier(k=3, hidden_layers=(12,), random_state=1).fit(digits.X_train, digits.y_train)
    rng = np.random.default_rng(0)
    last = rng.integers(0, 3, m.tables_[-1].shape).astype(np.uint8)
    m.network_ = m.network_.replace(tables=m.tables_[:-1] + [last], n_classes=3)
    m.classes_ = np.array(["a", "b", "c"])
    net = LutNetlist.from_model(m)
    assert net.n_outputs == 2
    expect = m.predict(examples)
    assert len(set(expect)) == 3
    np.testing.assert_array_equal(net.predict(examples), expect)
    aig = Aig.from_netlist(net)
    np.testing.assert_array_equal(m.classes_[bits_to_index(aig.evaluate(examples))], expect)


def test_format_from_path_and_bad_options(model, tmp_path):
    assert [format_from_path(p) for p in ("a.c", "a.v", "a.blif", "a.aig", "a.AAG")] == [
        "c", "verilog", "blif", "aiger", "aiger"]
    with pytest.raises(ValueError, match="cannot tell the format"):
        format_from_path("a.txt")
    with pytest.raises(ValueError, match="C format only"):
        render(model, "verilog", with_main=True)
    with pytest.raises(ValueError, match="invalid name"):
        render(model, "c", name="1bad")
    with pytest.raises(ValueError, match="unknown export format"):
        render(model, "vhdl")


# -------------------------------------------------------------------- tools
def _lines(X) -> str:
    return "".join("".join(map(str, row)) + "\n" for row in X)


def test_c_program_agrees_with_predict(model, examples, tmp_path):
    cc = need("cc", "gcc")
    src, exe = tmp_path / "m.c", tmp_path / "m"
    assert main(["export", str(_saved(model, tmp_path)), "-o", str(src), "--with-main"]) == 0
    subprocess.run([cc, "-std=c99", "-O1", "-Wall", "-Werror", "-o", str(exe), str(src)], check=True)
    res = subprocess.run([str(exe)], input=_lines(examples), capture_output=True, text=True, check=True)
    got = res.stdout.split("\n")[:-1]
    assert len(got) == len(examples) >= 1000
    assert got == [str(v) for v in model.predict(examples)]
    bad = subprocess.run([str(exe)], input="0101\n", capture_output=True, text=True)
    assert bad.returncode == 1 and "line 1: 4 bits, expected 64" in bad.stderr


def test_c_function_without_main(model, examples, tmp_path):
    cc = need("cc", "gcc")
    (tmp_path / "m.c").write_bytes(render(model, "c", name="clf"))
    (tmp_path / "drv.c").write_text(
        '#include <stdio.h>\nint clf(const unsigned char *x);\n'
        'int main(void) { unsigned char x[64]; int i, c;\n'
        '  while ((c = getchar()) != EOF) { x[0] = (unsigned char)(c - 48);\n'
        '    for (i = 1; i < 64; i++) x[i] = (unsigned char)(getchar() - 48);\n'
        '    getchar(); printf("%d\\n", clf(x)); } return 0; }\n'
    )
    exe = tmp_path / "drv"
    subprocess.run(
        [cc, "-std=c99", "-Wall", "-o", str(exe), str(tmp_path / "m.c"), str(tmp_path / "drv.c")], check=True
    )
    res = subprocess.run([str(exe)], input=_lines(examples[:300]), capture_output=True, text=True, check=True)
    expect = np.searchsorted(model.classes_, model.predict(examples[:300]))
    assert res.stdout.split() == [str(i) for i in expect]


def _saved(model, tmp_path):
    path = tmp_path / "model.npz"
    if not path.exists():
        model.save(path)
    return path


def simulate_verilog(model, X, tmp_path) -> list[int]:
    """Export ``model`` as Verilog, simulate it on the rows of ``X`` with Icarus Verilog; the class indices."""
    need("iverilog", "iverilog")
    export_model(model, tmp_path / "m.v")
    return tools.icarus_simulate(tmp_path / "m.v", X, max(1, (len(model.classes_) - 1).bit_length()))


def test_verilog_of_random_luts_up_to_10_inputs(tmp_path):
    """Multiplexers (up to 8 inputs) and tables (9, 10) compute each lut's table (Icarus Verilog, 1,000 vectors)."""
    rng = np.random.default_rng(5)
    n_in, luts = 12, []
    for j in range(40):
        k = 1 + j % 10
        T = rng.integers(0, 2, 1 << k).astype(np.uint8)
        if j % 5 == 0:
            T = np.repeat(T[: 1 << (k - 1)], 2) if k > 1 else T  # ignores its last input
        luts.append((rng.choice(n_in + j, size=k, replace=False).astype(np.int64), T))
    net = LutNetlist(n_inputs=n_in, luts=luts, outputs=[n_in + j for j in range(32, 40)], classes=np.arange(256))
    X = rng.integers(0, 2, (1000, n_in), dtype=np.uint8)
    need("iverilog", "iverilog")
    from lutlearn.export.verilog import write_verilog

    (tmp_path / "m.v").write_text(write_verilog(net))
    got = tools.icarus_simulate(tmp_path / "m.v", X, 8)
    np.testing.assert_array_equal(got, bits_to_index(net.evaluate(X)))


def test_verilog_simulated_by_icarus(model, examples, tmp_path):
    got = simulate_verilog(model, examples, tmp_path)
    assert len(got) == len(examples) >= 1000
    np.testing.assert_array_equal(model.classes_[got], model.predict(examples))


def test_blif_and_aiger_read_by_abc(model, examples, tmp_path):
    need_abc()
    export_model(model, tmp_path / "m.blif")
    export_model(model, tmp_path / "m.aig")
    export_model(model, tmp_path / "m.aag")
    assert tools.abc_equivalent(tmp_path / "m.blif", tmp_path / "m.aig")
    if shutil.which("yosys"):  # ABC reads no ASCII AIGER: Yosys's reader turns it into BLIF
        tools.yosys_to_blif(tmp_path / "m.aag", tmp_path / "aag.blif")
        assert tools.abc_equivalent(tmp_path / "aag.blif", tmp_path / "m.aig")
    # ABC's own reading of the BLIF, written back as an AIG, computes predict
    tools.run_abc(f"read {tmp_path / 'm.blif'}; strash; write_aiger {tmp_path / 'abc.aig'}")
    abc_aig = read_aiger(tmp_path / "abc.aig")
    np.testing.assert_array_equal(model.classes_[bits_to_index(abc_aig.evaluate(examples))], model.predict(examples))
    # and so does its optimised AIG, which is no larger
    n = tools.abc_optimize(tmp_path / "m.aig", tmp_path / "opt.aig")
    assert n <= read_aiger(tmp_path / "m.aig").n_ands
    opt = read_aiger(tmp_path / "opt.aig")
    assert opt.n_ands == n
    np.testing.assert_array_equal(model.classes_[bits_to_index(opt.evaluate(examples))], model.predict(examples))
    # a script ABC does not know (an alias of abc.rc) is ABC's error, not an empty file read as AIGER
    with pytest.raises(RuntimeError, match="unknown command 'resyn2'"):
        tools.abc_optimize(tmp_path / "m.aig", tmp_path / "bad.aig", "strash; resyn2")
    assert not (tmp_path / "bad.aig").exists()


def test_optimize_aiger_in_place_binary_and_ascii(model, tmp_path):
    """``optimize_aiger`` gives a binary file ABC's own AIG, and an ASCII file the same circuit back in ASCII."""
    need_abc()
    export_model(model, tmp_path / "m.aig")
    export_model(model, tmp_path / "m.aag")
    n_opt = tools.abc_optimize(tmp_path / "m.aig", tmp_path / "ref.aig")
    assert tools.optimize_aiger(tmp_path / "m.aig") == n_opt
    assert tools.optimize_aiger(tmp_path / "m.aag") == n_opt
    assert (tmp_path / "m.aag").read_bytes().startswith(b"aag ")
    ref = read_aiger(tmp_path / "ref.aig")
    for got in (read_aiger(tmp_path / "m.aig"), read_aiger(tmp_path / "m.aag")):
        assert (got.n_inputs, got.outputs, got.ands) == (ref.n_inputs, ref.outputs, ref.ands)


def test_abc_detects_a_difference(model, tmp_path):
    """The equivalence check can fail: flip one table entry in the cone and ABC must notice."""
    need_abc()
    export_model(model, tmp_path / "m.aig")
    def flip(t):  # the output lut's first and last patterns change class
        t = t.copy()
        t[[0, -1]] ^= 1
        return t

    other = with_output_table(model, flip)
    export_model(other, tmp_path / "o.blif")
    assert not tools.abc_equivalent(tmp_path / "m.aig", tmp_path / "o.blif")


def test_yosys_synthesises_verilog(model, tmp_path, capsys):
    need("yosys", "yosys")
    need_abc()
    path = _saved(model, tmp_path)
    assert main(["export", str(path), "-o", str(tmp_path / "m.v"), "--synth", "ice40"]) == 0
    out = capsys.readouterr().out
    luts = int(out.split("Yosys ice40: ")[1].split()[0])
    assert luts > 0
    stats = tools.yosys_synth(tmp_path / "m.v", "lutlearn_model", target="lut6", blif=tmp_path / "syn.blif")
    assert stats["luts"] > 0 and stats["cells_by_type"].get("$lut") == stats["luts"]
    # what Yosys built is the model: equivalent to our AIG (ports renamed x[i] -> xi as ours)
    syn = (tmp_path / "syn.blif").read_text()
    syn = re.sub(r"\b([xy])\[(\d+)\]", r"\1\2", syn)
    syn = "\n".join(" ".join("y0" if w == "y" else w for w in ln.split(" ")) for ln in syn.split("\n"))
    (tmp_path / "syn.blif").write_text(syn)
    export_model(model, tmp_path / "m.aig")
    assert tools.abc_equivalent(tmp_path / "syn.blif", tmp_path / "m.aig")


def test_export_command(model, tmp_path, capsys):
    path = _saved(model, tmp_path)
    assert main(["export", str(path), "--format", "aiger", "-o", str(tmp_path / "x.aag")]) == 0
    out = capsys.readouterr().out
    assert "aiger circuit written" in out and f"AND gates: {read_aiger(tmp_path / 'x.aag').n_ands}" in out
    if tools.find_abc():
        assert main(["export", str(path), "-o", str(tmp_path / "o.aag"), "--optimize"]) == 0
        n = int(capsys.readouterr().out.split("AND gates after ABC: ")[1].split()[0])
        assert (tmp_path / "o.aag").read_bytes().startswith(b"aag ")
        opt = read_aiger(tmp_path / "o.aag")
        assert opt.n_ands == n <= read_aiger(tmp_path / "x.aag").n_ands
        X = np.random.default_rng(1).integers(0, 2, (500, model.n_features_in_))
        np.testing.assert_array_equal(model.classes_[opt.evaluate(X)[:, 0]], model.predict(X))
    assert main(["export", str(path), "-o", str(tmp_path / "x.txt")]) == 1
    assert "cannot tell the format" in capsys.readouterr().err
    assert main(["export", str(path), "-o", str(tmp_path / "x.v"), "--with-main"]) == 1
    assert "C format only" in capsys.readouterr().err
    assert not (tmp_path / "x.v").exists()


def test_constant_output_in_every_format(model, examples, tmp_path):
    """An output lut whose table is all ones: a 0-input lut, no gate, and every tool agrees."""
    m = with_output_table(model, np.ones_like)
    net = LutNetlist.from_model(m)
    assert len(net.luts) == 1 and len(net.luts[0][0]) == 0
    np.testing.assert_array_equal(net.predict(examples), np.full(len(examples), m.classes_[1]))
    aig = Aig.from_netlist(net)
    assert aig.n_ands == 0 and aig.outputs == [1]
    for suffix in (".c", ".v", ".blif", ".aig", ".aag"):
        export_model(m, tmp_path / f"k{suffix}")
    if tools.find_abc():
        assert tools.abc_equivalent(tmp_path / "k.blif", tmp_path / "k.aig")
    if shutil.which("cc"):
        export_model(m, tmp_path / "main.c", with_main=True)
        subprocess.run(
            ["cc", "-std=c99", "-Wall", "-Werror", "-o", str(tmp_path / "k"), str(tmp_path / "main.c")], check=True
        )
        res = subprocess.run(
            [str(tmp_path / "k")], input=_lines(examples[:50]), capture_output=True, text=True, check=True
        )
        assert res.stdout.split() == [str(m.classes_[1])] * 50


# -------------------------------------------------------- multi-class voting
@pytest.fixture(scope="module")
def digits10():
    """sklearn's 8x8 digits, 10 classes, pixel > 7: (X, y) with string labels."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return (X > 7).astype(np.uint8), np.array([f"d{v}" for v in y])


@pytest.fixture(scope="module")
def voting(digits10):
    """A small multi-class model (10 classes, 8 voting output luts of 3 inputs)."""
    X, y = digits10
    return LutNetworkClassifier(k=4, hidden_layers=(24,), output_k=3, n_output_luts=8, random_state=0).fit(
        X[:1200], y[:1200])


@pytest.fixture(scope="module")
def voting_examples(digits10):
    """All 1,797 digits plus 500 random bit vectors."""
    X, _ = digits10
    return np.vstack([X, np.random.default_rng(3).integers(0, 2, (500, X.shape[1]), dtype=np.uint8)])


def test_arithmetic_luts_add_compare_and_pick_the_first_maximum():
    from lutlearn.export import arithmetic as ar

    rng = np.random.default_rng(0)
    n_in, width = 12, 7
    b = ar.LutBuilder(n_in)
    X = rng.integers(0, 2, (400, n_in), dtype=np.uint8)
    # three 4-bit numbers from the inputs, plus the constant 5: their sum (< 2**7)
    nums = [list(range(4 * i, 4 * i + 4)) for i in range(3)]
    columns = [[n[i] for n in nums] for i in range(4)] + [[], [], []]
    for i in range(width):
        if (5 >> i) & 1:
            columns[i].append(b.const(1))
    total = ar.add_columns(b, columns, width)
    wrapped = ar.add_columns(b, columns, 4)  # modulo 16
    gt = ar.greater(b, nums[0], nums[1])
    winner = ar.argmax(b, nums)
    net = LutNetlist._simplified(n_in, b.luts, total + wrapped + [gt] + winner, np.arange(2))
    out = net.evaluate(X)
    vals = [(X[:, n] << np.arange(4)).sum(axis=1) for n in nums]
    s = vals[0] + vals[1] + vals[2] + 5
    np.testing.assert_array_equal(bits_to_index(out[:, :width]), s)
    np.testing.assert_array_equal(bits_to_index(out[:, width: width + 4]), s % 16)
    np.testing.assert_array_equal(out[:, width + 4], vals[0] > vals[1])
    np.testing.assert_array_equal(bits_to_index(out[:, width + 5:]), np.argmax(np.stack(vals, axis=1), axis=1))
    assert (np.stack(vals, axis=1).max(axis=1)[:, None] == np.stack(vals, axis=1)).sum(axis=1).max() > 1  # ties met
    with pytest.raises(ValueError, match="same width"):
        ar.greater(b, nums[0], nums[1][:3])


def test_multiclass_netlist_and_aig_match_predict(voting, voting_examples):
    expect = voting.predict(voting_examples)
    assert len(set(expect)) == 10
    net = LutNetlist.from_model(voting)
    assert net.n_outputs == 4 and net.n_inputs == 64
    np.testing.assert_array_equal(net.predict(voting_examples), expect)
    aig = Aig.from_netlist(net)
    np.testing.assert_array_equal(voting.classes_[bits_to_index(aig.evaluate(voting_examples))], expect)


def with_votes(model, votes, bias):
    """A copy of a fitted multi-class model predicting with the given integer votes and bias."""
    import copy

    head = VoteHead(model.network_.head.counts)
    head.weights = (np.asarray(votes, np.uint8), np.asarray(bias, np.int64))  # in place of those of the counts
    other = copy.copy(model)
    other.network_ = model.network_.replace(head=head)
    return other


@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_multiclass_ties_go_to_the_lowest_class(digits10, n_classes):
    """Votes of 0-2 make many equal scores: the circuit picks the first maximum, as predict."""
    X, y = digits10
    keep = np.isin(y, [f"d{c}" for c in range(n_classes)])
    m = LutNetworkClassifier(k=3, hidden_layers=(16,), output_k=3, n_output_luts=5, random_state=1).fit(
        X[keep], y[keep]
    )
    rng = np.random.default_rng(n_classes)
    m = with_votes(m, rng.integers(0, 3, m.network_.head.weights[0].shape), rng.integers(0, 2, n_classes))
    scores = m.network_.head.scores(m.network_.output_patterns(X))
    tied = (scores == scores.max(axis=1, keepdims=True)).sum(axis=1) > 1
    assert tied.sum() > 50
    expect = m.predict(X)
    np.testing.assert_array_equal(expect, m.classes_[scores.argmax(axis=1)])
    np.testing.assert_array_equal(LutNetlist.from_model(m).predict(X), expect)
    flat = with_votes(m, np.zeros_like(m.network_.head.weights[0]), np.zeros(n_classes))  # every score 0: class 0
    net = LutNetlist.from_model(flat)
    assert net.n_outputs == max(1, (n_classes - 1).bit_length())
    assert (net.predict(X) == m.classes_[0]).all() and (flat.predict(X) == m.classes_[0]).all()


def test_multiclass_c_verilog_blif_aiger_agree_with_predict(voting, voting_examples, tmp_path, capsys):
    """The 10-class circuit through the tools: cc, Icarus Verilog, and ABC (BLIF = AIGER, optimised AIG)."""
    cc = need("cc", "gcc")
    expect = voting.predict(voting_examples)
    path = _saved(voting, tmp_path)
    assert main(["export", str(path), "-o", str(tmp_path / "m.c"), "--with-main"]) == 0
    assert "4 outputs (class index bits)" in capsys.readouterr().out
    subprocess.run([cc, "-std=c99", "-O1", "-Wall", "-Werror", "-o", str(tmp_path / "m"), str(tmp_path / "m.c")],
                   check=True)
    res = subprocess.run([str(tmp_path / "m")], input=_lines(voting_examples), capture_output=True, text=True,
                         check=True)
    got = res.stdout.split("\n")[:-1]
    assert len(got) == len(voting_examples) >= 1000
    assert got == list(expect)

    got = simulate_verilog(voting, voting_examples, tmp_path)
    assert len(got) == len(voting_examples)
    np.testing.assert_array_equal(voting.classes_[got], expect)

    need_abc()
    export_model(voting, tmp_path / "m.blif")
    export_model(voting, tmp_path / "m.aig")
    assert tools.abc_equivalent(tmp_path / "m.blif", tmp_path / "m.aig")
    n_opt = tools.abc_optimize(tmp_path / "m.aig", tmp_path / "opt.aig")
    opt = read_aiger(tmp_path / "opt.aig")
    assert opt.n_ands == n_opt <= read_aiger(tmp_path / "m.aig").n_ands
    np.testing.assert_array_equal(voting.classes_[bits_to_index(opt.evaluate(voting_examples))], expect)
    # a changed vote is a different circuit, and ABC notices
    votes, bias = voting.network_.head.weights
    changed = votes.copy()
    changed[0, :, 0] += 50
    export_model(with_votes(voting, changed, bias), tmp_path / "o.aig")
    assert not tools.abc_equivalent(tmp_path / "m.aig", tmp_path / "o.aig")



def test_multiclass_task_from_training_to_circuit_on_the_command_line(tmp_path, capsys):
    from lutlearn import load

    model = tmp_path / "m.npz"
    assert main(["train", "--task", "multiclass-digits", "-k", "4", "--hidden-layers", "24", "--output-k", "3",
                 "--n-output-luts", "8", "-o", str(model)]) == 0
    assert main(["export", str(model), "-o", str(tmp_path / "m.aag")]) == 0
    out = capsys.readouterr().out
    assert "64 inputs, 4 outputs (class index bits)" in out
    m, task = load(model), get_task("multiclass-digits")
    got = m.classes_[bits_to_index(read_aiger(tmp_path / "m.aag").evaluate(task.X_test))]
    np.testing.assert_array_equal(got, m.predict(task.X_test))
    assert (got == task.y_test).mean() > 0.6


def test_multiclass_verilog_synthesised_by_yosys(digits10, tmp_path):
    """Yosys maps a 3-class voting circuit to 6-input luts, and the result is the model (ABC cec)."""
    need("yosys", "yosys")
    need_abc()
    X, y = digits10
    keep = np.isin(y, ["d0", "d1", "d2"])
    m = LutNetworkClassifier(k=3, hidden_layers=(16,), output_k=3, n_output_luts=4, random_state=0).fit(
        X[keep], y[keep]
    )
    export_model(m, tmp_path / "m.v")
    export_model(m, tmp_path / "m.aig")
    stats = tools.yosys_synth(tmp_path / "m.v", "lutlearn_model", target="lut6", blif=tmp_path / "syn.blif")
    assert stats["luts"] > 0
    syn = re.sub(r"\b([xy])\[(\d+)\]", r"\1\2", (tmp_path / "syn.blif").read_text())
    (tmp_path / "syn.blif").write_text(syn)
    assert tools.abc_equivalent(tmp_path / "syn.blif", tmp_path / "m.aig")


@pytest.mark.slow
def test_full_size_binary_mnist_circuits(binary_mnist, tmp_path):
    """The paper's network (k=8, 5x1024) as C and as ABC's reading of the BLIF, on all 10,000 test images."""
    cc = need("cc", "gcc")
    t = binary_mnist
    m = LutNetworkClassifier(k=8, hidden_layers=(1024,) * 5, random_state=0).fit(t.X_train, t.y_train)
    expect = m.predict(t.X_test)
    export_model(m, tmp_path / "m.c", with_main=True)
    subprocess.run([cc, "-std=c99", "-O1", "-o", str(tmp_path / "m"), str(tmp_path / "m.c")], check=True)
    res = subprocess.run([str(tmp_path / "m")], input=_lines(t.X_test), capture_output=True, text=True, check=True)
    assert res.stdout.split() == [str(v) for v in expect]
    if tools.find_abc():
        export_model(m, tmp_path / "m.blif")
        tools.run_abc(f"read {tmp_path / 'm.blif'}; strash; write_aiger {tmp_path / 'abc.aig'}")
        got = read_aiger(tmp_path / "abc.aig").evaluate(t.X_test)[:, 0]
        np.testing.assert_array_equal(m.classes_[got], expect)


def test_export_benchmark_runs_end_to_end(tmp_path, capsys):
    """benchmarks/bench_export_multiclass.py on 10-class digits: every format it checks agrees with predict."""
    import json

    bench = load_script("benchmarks/bench_export_multiclass.py")
    params = '{"k": 4, "hidden_layers": [24], "output_k": 3, "n_output_luts": 6}'
    argv = ["--task", "multiclass-digits", "--params", params, "--out", str(tmp_path), "--n-verilog", "60"]
    assert bench.main(argv) == 0
    steps = {r["step"]: r for r in map(json.loads, capsys.readouterr().out.splitlines()) if r["step"] != "write"}
    assert steps["fit"]["params"]["n_output_luts"] == 6 and steps["netlist"]["outputs"] == 4
    checked = [s for s in ("c", "aiger", "blif-abc", "verilog-icarus") if s in steps]
    assert "aiger" in checked and all(steps[s]["agrees"] for s in checked)
    assert steps["aiger"]["examples"] == 450


# ---------------------------------------------------------------- hostile labels
EVIL = 'x\nmodule evil; initial $display("INJECTED"); endmodule\n// \r\u2028*/ int injected; /*'


@pytest.fixture(scope="module")
def evil_model(digits):
    """A model whose class label holds line breaks and code for every output format."""
    y = np.where(digits.y_train == 1, EVIL, "low")
    return LutNetworkClassifier(k=4, hidden_layers=(16,), random_state=3).fit(digits.X_train, y)


def test_a_label_cannot_add_a_verilog_module_icarus_runs(evil_model, tmp_path):
    """A label with a newline stays inside its comment: Icarus runs no module the label wrote."""
    export_model(evil_model, tmp_path / "m.v")
    text = (tmp_path / "m.v").read_text()
    assert not any(line.lstrip().startswith("module evil") for line in text.splitlines())
    assert "\r" not in text and "\u2028" not in text
    iverilog, vvp = need("iverilog", "iverilog"), need("vvp", "iverilog")
    subprocess.run([iverilog, "-o", str(tmp_path / "m.vvp"), str(tmp_path / "m.v")], check=True)
    run = subprocess.run([vvp, str(tmp_path / "m.vvp")], capture_output=True, text=True, check=True)
    assert "INJECTED" not in run.stdout


@pytest.mark.parametrize("fmt", ["c", "blif", "aiger-ascii"])
def test_labels_stay_inside_comments_in_every_format(evil_model, tmp_path, fmt):
    """No line of the output starts with the label's code; C and BLIF still compile/parse."""
    suffix = {"c": ".c", "blif": ".blif", "aiger-ascii": ".aag"}[fmt]
    path = tmp_path / f"m{suffix}"
    export_model(evil_model, path, None if fmt == "aiger-ascii" else fmt)
    text = path.read_bytes().decode()
    assert "\r" not in text and "\u2028" not in text
    for line in text.splitlines():
        assert not line.lstrip().startswith(("module evil", "int injected")), line
    if fmt == "c":
        cc = need("cc", "gcc")
        run = subprocess.run([cc, "-std=c99", "-Wall", "-Werror", "-c", str(path), "-o", str(tmp_path / "m.o")],
                             capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
    if fmt == "aiger-ascii":
        read_aiger(path)


def test_markdown_rows_escape_control_characters():
    from lutlearn.experiments.report import _md_row

    row = _md_row(["a\r\n# injected", "b|c", "d\u2028e"])
    assert row.count("\n") == 0 and "\r" not in row and "\u2028" not in row
    assert row.count(" | ") == 2


# ------------------------------------------------------------ AIGER: levels, comment, reproducible ABC output
def test_aig_levels_of_a_hand_made_aig():
    """Levels: the longest chain of AND gates from an input or constant to an output."""
    aig = Aig(3)
    x0, x1, x2 = (aig.input(i) for i in range(3))
    g1 = aig.and_(x0, x1)          # level 1
    g2 = aig.and_(g1 ^ 1, x2)      # level 2 (through an inverted edge)
    g3 = aig.and_(x0 ^ 1, x2)      # level 1
    g4 = aig.and_(g2, g3 ^ 1)      # level 3
    for outputs, levels in (([g4], 3), ([g3], 1), ([g2, g3], 2), ([g3, g1 ^ 1], 1), ([x1], 0), ([0, 1], 0), ([], 0)):
        aig.outputs = outputs
        assert aig.levels == levels, outputs


def test_aig_levels_match_abc(model, tmp_path):
    """Our depth of an exported network's AIG is ABC's ``lev``."""
    need_abc()
    export_model(model, tmp_path / "m.aig")
    aig = read_aiger(tmp_path / "m.aig")
    stats = tools.run_abc(f"read {tmp_path / 'm.aig'}; print_stats")
    assert aig.levels > 3
    assert re.search(r"\blev\s*=\s*(\d+)", stats).group(1) == str(aig.levels)


@pytest.mark.parametrize("binary", [True, False])
def test_aiger_comment_is_read_and_replaced(binary):
    from lutlearn.export.aiger import parse_aiger, replace_comment

    aig = Aig(2)
    aig.outputs = [aig.and_(aig.input(0), aig.input(1) ^ 1)]
    plain = aig.to_bytes(binary=binary)
    with_comment = aig.to_bytes(binary=binary, comment="first line\nsecond line")
    assert parse_aiger(plain).comment is None
    assert parse_aiger(with_comment).comment == "first line\nsecond line"
    assert replace_comment(with_comment, None) == plain
    replaced = replace_comment(with_comment, "other")
    assert replaced == aig.to_bytes(binary=binary, comment="other")
    assert parse_aiger(replaced).ands == aig.ands


def test_truncated_aiger_is_a_format_error():
    from lutlearn.export.aiger import AigerFormatError, aiger_header, parse_aiger

    aig = Aig(2)
    aig.outputs = [aig.and_(aig.input(0), aig.input(1))]
    for binary in (True, False):
        data = aig.to_bytes(binary=binary)
        cut = data[: data.index(b"i0")][:-3]
        with pytest.raises(AigerFormatError, match="<bytes>: truncated or malformed AIGER file"):
            parse_aiger(cut)
    assert aiger_header(b"aag 5 1 1 1 3 0 0\n") == {"format": "aag", "M": 5, "I": 1, "L": 1, "O": 1, "A": 3,
                                                    "B": 0, "C": 0, "J": 0, "F": 0}
    with pytest.raises(AigerFormatError, match="not an AIGER file"):
        aiger_header(b"aig x 1 0 1 0\n")


def test_export_aiger_optimised_by_abc_is_byte_identical_run_to_run(model, tmp_path, capsys):
    """ABC's comment (a temporary file's name, the date) does not reach the file: two runs, same bytes."""
    need_abc()
    model.save(tmp_path / "m.npz")
    files = []
    for run in ("a", "b"):
        out = tmp_path / run / "c.aig"
        assert main(["export", str(tmp_path / "m.npz"), "-o", str(out), "--optimize"]) == 0
        files.append(out.read_bytes())
    capsys.readouterr()
    assert files[0] == files[1]
    comment = read_aiger(tmp_path / "a" / "c.aig").comment
    assert comment == f"optimised by ABC: {tools.ABC_SCRIPT}"
    assert b"/tmp" not in files[0] and b"written by ABC" not in files[0]


# ------------------------------------------------------------------ hostile AIGER files


def test_a_binary_and_gate_reading_itself_is_refused(tmp_path, capsys):
    from lutlearn.export.aiger import AigerFormatError, parse_aiger

    data = b"aig 6 5 0 1 1\n12\n\x00\x02"  # gate 12 = 12 & 10: a delta of 0 reads the gate being defined
    with pytest.raises(AigerFormatError, match="<bytes>: AND gate 12 reads itself"):
        parse_aiger(data)
    path = tmp_path / "s.aig"
    path.write_bytes(data)
    pla = tmp_path / "d.pla"
    pla.write_text(".i 5\n.o 1\n.type fr\n00000 0\n11111 1\n.e\n")
    assert main(["evaluate", str(path), str(pla)]) == 1
    assert "reads itself" in capsys.readouterr().err


def test_a_run_of_continuation_bytes_is_refused_in_linear_time():
    from lutlearn.export.aiger import AigerFormatError, parse_aiger

    data = b"aig 6 5 0 1 1\n12\n" + b"\xff" * 10**6  # took 41-61 s when each byte grew a big integer
    t0 = time.perf_counter()
    with pytest.raises(AigerFormatError, match="<bytes>: an AND gate's delta is longer than 10 bytes"):
        parse_aiger(data)
    assert time.perf_counter() - t0 < 1.0


def test_an_aiger_header_without_a_line_end_is_a_clear_error():
    from lutlearn.export.aiger import AigerFormatError, parse_aiger

    with pytest.raises(AigerFormatError, match="<bytes>: the AIGER header line has no line end"):
        parse_aiger(b"aig 0 0 0 0 0")


def test_an_aiger_header_promising_more_than_the_file_holds_is_refused():
    from lutlearn.export.aiger import AigerFormatError, parse_aiger

    with pytest.raises(AigerFormatError, match="more than its 25 bytes can hold"):
        parse_aiger(b"aig 1000 0 0 1000 1000\n2\n")
    with pytest.raises(AigerFormatError, match=r"<bytes>: header counts M=10{30}, I=10{30} are more than 2147483647"):
        parse_aiger(b"aig %d %d 0 1 0\n2\n" % (10**30, 10**30))
    huge = parse_aiger(b"aig 268435456 268435456 0 1 0\n2\n")  # inputs cost nothing: no file lists them
    assert huge.n_inputs == 2**28 and huge.levels == 0


_INFO_UNDER_A_CAP = capped_script("""
import sys
import sklearn.pipeline, lutlearn.commands.info, lutlearn.export.aiger  # noqa
import lutlearn.core.saving, lutlearn.core.training  # noqa
from lutlearn.cli import main
""", """
sys.exit(main(["info", sys.argv[1]]))
""", 256)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc")
@pytest.mark.parametrize("header, expect", [
    (b"aig 268435456 268435456 0 1 0\n2\n", "inputs: 268435456"),  # peaked at 2.3 GB
    (b"aig %d %d 0 1 0\n2\n" % (10**30, 10**30), "are more than 2147483647"),  # 'cannot fit int into an index'
])
def test_info_bounds_the_memory_an_aiger_header_asks_for(tmp_path, header, expect):
    path = tmp_path / "h.aig"
    path.write_bytes(header)
    env = {**os.environ, "PYTHONPATH": str(Path(lutlearn.__file__).parents[1])}
    out = subprocess.run([sys.executable, "-c", _INFO_UNDER_A_CAP, str(path)], capture_output=True, text=True,
                         env=env, timeout=120)
    assert expect in out.stdout + out.stderr, out.stdout + out.stderr
    assert "MemoryError" not in out.stderr and "Traceback" not in out.stderr


def _add_lut_numpy(aig, in_lits, table):
    """The Shannon decomposition of ``Aig.add_lut`` with NumPy sub-tables (its former code: the reference)."""
    memo = {}

    def build(T, level):
        if not T.any():
            return 0
        if T.all():
            return 1
        key = bytes([level]) + T.tobytes()
        if key in memo:
            return memo[key]
        neg = bytes([level]) + (1 - T).tobytes()
        if neg in memo:
            return memo[neg] ^ 1
        half = T.shape[0] // 2
        f0, f1 = T[:half], T[half:]
        lit = build(f0, level + 1) if np.array_equal(f0, f1) else aig.mux(in_lits[level], build(f1, level + 1),
                                                                          build(f0, level + 1))
        memo[key] = lit
        return lit

    return build(np.asarray(table, np.uint8), 0)


def test_add_lut_makes_the_gates_of_its_numpy_reference():
    """Luts of 0-10 inputs, random and structured tables, several per AIG (shared gates): the same gates in the
    same order and the same output literals as the NumPy decomposition."""
    from lutlearn.export.aiger import Aig

    rng = np.random.default_rng(3)
    for k in range(0, 11):
        fast, slow = Aig(12), Aig(12)
        outs_fast, outs_slow = [], []
        for trial in range(12):
            ins = [int(2 * (i + 1) ^ (rng.random() < 0.3)) for i in rng.permutation(12)[:k]]
            if trial % 3 == 0:
                T = rng.integers(0, 2, 1 << k).astype(np.uint8)
            elif trial % 3 == 1:  # halves that repeat, sub-tables that are complements or constants
                T = np.tile(rng.integers(0, 2, 1 << max(k - 2, 0)).astype(np.uint8), 4)[: 1 << k]
                T[: len(T) // 2] ^= rng.random() < 0.5
            else:
                T = (rng.random(1 << k) < 0.1).astype(np.uint8)
            outs_fast.append(fast.add_lut(ins, T))
            outs_slow.append(_add_lut_numpy(slow, ins, T))
        assert fast.ands == slow.ands and outs_fast == outs_slow, k
