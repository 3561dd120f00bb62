"""The care table: a memorized truth table whose unseen patterns are don't-cares for ABC's ``&ttopt``."""

from __future__ import annotations

import numpy as np
import pytest

from lutlearn.circuits.dontcare import (
    MAX_INPUTS,
    PACKED_MAX_INPUTS,
    care_file_bytes,
    care_table_aig,
    care_table_aigs,
    care_table_multi_aig,
    distinct_rows,
    distinct_rows_reference,
    memorized_table,
    memorized_tables,
    pattern_trie,
)
from lutlearn.export import tools

needs_abc = pytest.mark.skipif(tools.find_abc() is None, reason="ABC not installed (Debian package 'berkeley-abc')")


def symmetric(X, seed=0):
    """A random symmetric function: its value depends on the number of ones only."""
    values = np.random.default_rng(seed).integers(0, 2, X.shape[1] + 1, dtype=np.uint8)
    return values[X.sum(axis=1)]


def test_memorized_table_counts_majorities_and_drops_ties():
    X = np.array([[1, 0], [0, 1], [1, 0], [1, 0], [0, 1], [0, 1], [1, 1], [1, 1]], np.uint8)
    y = np.array([1, 0, 1, 0, 1, 1, 0, 1], np.uint8)
    P, v = memorized_table(X, y)
    # [1,0]: 2 of 3 say 1; [0,1]: 2 of 3 say 1; [1,1]: a tie (left out); [0,0]: never seen
    np.testing.assert_array_equal(P, [[0, 1], [1, 0]])
    np.testing.assert_array_equal(v, [1, 1])
    with pytest.raises(ValueError, match="0/1"):
        memorized_table(X * 2, y)
    with pytest.raises(ValueError, match="one output per row"):
        memorized_table(X, y[:3])


@pytest.mark.parametrize("n_in", [1, 5, 20, PACKED_MAX_INPUTS, PACKED_MAX_INPUTS + 1, 100])
def test_distinct_rows_is_numpys_sort_of_rows(n_in):
    rng = np.random.default_rng(n_in)
    X = rng.integers(0, 2, (700, n_in), dtype=np.uint8)
    X[::3, : n_in // 2] = 1  # repeated rows, and rows equal on their first columns
    X[::5] = X[0]
    rows, inverse = distinct_rows(X)
    ref_rows, ref_inverse = distinct_rows_reference(X)
    np.testing.assert_array_equal(rows, ref_rows)
    np.testing.assert_array_equal(inverse, ref_inverse)
    assert rows.dtype == np.uint8 and inverse.dtype == np.int64 and len(rows) < 700
    np.testing.assert_array_equal(rows[inverse], X)
    empty_rows, empty_inverse = distinct_rows(X[:0])
    assert empty_rows.shape == (0, n_in) and empty_inverse.shape == (0,)


def test_pattern_trie_gives_every_pattern_its_value():
    rng = np.random.default_rng(3)
    X = rng.integers(0, 2, (500, 13), dtype=np.uint8)
    P, v = memorized_table(X, rng.integers(0, 2, 500, dtype=np.uint8))
    aig = pattern_trie(P, v)
    np.testing.assert_array_equal(aig.evaluate(P)[:, 0], v)
    assert aig.n_ands <= 3 * 13 * len(P)  # at most one multiplexer per pattern and input
    # patterns that agree need no gate: a constant, and one input
    assert pattern_trie(P, np.ones(len(P), np.uint8)).outputs == [1]
    wire = pattern_trie(P, P[:, 4])
    assert wire.n_ands == 0 and wire.outputs == [wire.input(4)]


def test_care_file_is_abc_simulation_words():
    P = np.random.default_rng(0).integers(0, 2, (70, 3), dtype=np.uint8)
    data = care_file_bytes(P)
    words = np.frombuffer(data, "<u8").reshape(3, 2)  # 3 inputs, 70 patterns padded to 128: 2 words each
    for i in range(3):
        bits = [(int(words[i, j // 64]) >> (j % 64)) & 1 for j in range(128)]
        np.testing.assert_array_equal(bits[:70], P[:, i])
        assert set(bits[70:]) == {int(P[0, i])}  # the padding repeats the first pattern
    with pytest.raises(ValueError, match="non-empty"):
        care_file_bytes(np.zeros((0, 3), np.uint8))


@needs_abc
def test_care_table_learns_a_symmetric_function_from_a_fifth_of_its_table():
    rng = np.random.default_rng(1)
    X = rng.integers(0, 2, (3000, 14), dtype=np.uint8)  # 3000 draws of 16384 patterns
    y = symmetric(X)
    aig = care_table_aig(X, y)
    P, v = memorized_table(X, y)
    np.testing.assert_array_equal(aig.evaluate(P)[:, 0], v)  # every cared-for pattern kept
    X_new = rng.integers(0, 2, (3000, 14), dtype=np.uint8)
    unseen = ~(X_new[:, None, :] == P[None, :, :]).all(axis=2).any(axis=1)
    acc_unseen = np.mean(aig.evaluate(X_new[unseen])[:, 0] == symmetric(X_new[unseen]))
    assert unseen.mean() > 0.7 and acc_unseen > 0.95  # generalised, not only memorized
    assert aig.n_ands < 400  # a symmetric function of 14 inputs is small; the memorized trie is not
    assert pattern_trie(P, v).n_ands > 5 * aig.n_ands
    again = care_table_aig(X[::-1], y[::-1])  # the same data in another order: the same circuit
    assert again.to_bytes() == aig.to_bytes() and b"ABC" not in aig.to_bytes()


@needs_abc
def test_care_table_edge_cases():
    X = np.array([[0, 1, 1], [1, 1, 0], [1, 1, 0]], np.uint8)
    const = care_table_aig(X, np.array([1, 1, 1], np.uint8))
    assert const.outputs == [1] and const.n_inputs == 3
    tie = care_table_aig(X[1:], np.array([0, 1], np.uint8))  # only a tie: nothing cared for
    assert tie.outputs == [0]
    one = care_table_aig(X, np.array([1, 0, 0], np.uint8))
    np.testing.assert_array_equal(one.evaluate(X)[:, 0], [1, 0, 0])
    wire = care_table_aig(X, np.array([0, 1, 1], np.uint8))  # the table is input 0: no gate, no ABC needed
    assert wire.n_ands == 0 and wire.outputs == [wire.input(0)]
    with pytest.raises(ValueError, match=f"1 to {MAX_INPUTS} distinct inputs of the {MAX_INPUTS + 1}"):
        care_table_aig(np.zeros((4, MAX_INPUTS + 1), np.uint8), np.zeros(4, np.uint8))
    for bad in ([], [0, 0], [3], [-1]):
        with pytest.raises(ValueError, match="distinct inputs of the 3"):
            care_table_aig(X, np.array([1, 0, 0], np.uint8), support=bad)
    with pytest.raises(ValueError, match="rounds"):
        care_table_aig(X, np.array([1, 0, 0], np.uint8), rounds=-1)


@needs_abc
def test_care_tables_in_one_abc_process_are_those_made_one_by_one():
    rng = np.random.default_rng(5)
    X = rng.integers(0, 2, (2500, 30), dtype=np.uint8)
    y = symmetric(X[:, :16], seed=2) ^ (rng.random(2500) < 0.05)  # noisy: &ttopt's restarts matter
    supports = [list(range(16)), [29, 3, 7], list(range(14, 30)), [0], list(range(5, 21))]
    together = care_table_aigs(X, y, supports)
    alone = [care_table_aig(X, y, support=s) for s in supports]
    assert [a.to_bytes() for a in together] == [a.to_bytes() for a in alone]
    assert together[0].n_ands > 50 and together[0].to_bytes() != together[4].to_bytes()
    assert care_table_aigs(X, y, []) == []
    with pytest.raises(ValueError, match="distinct inputs of the 30"):
        care_table_aigs(X, y, [[0, 1], [2, 2]])


def test_care_table_without_abc_says_which_package(monkeypatch):
    monkeypatch.setattr(tools, "find_abc", lambda: None)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.uint8)
    with pytest.raises(tools.ToolNotFoundError, match="berkeley-abc"):
        care_table_aig(X, np.array([0, 1, 1, 0], np.uint8))  # XOR: gates, so ABC is needed


@needs_abc
def test_care_table_over_a_support_reads_only_those_inputs():
    rng = np.random.default_rng(2)
    X = rng.integers(0, 2, (2000, 40), dtype=np.uint8)
    support = [31, 3, 17, 8, 22, 5, 36, 12, 0, 27]
    y = symmetric(X[:, support], seed=4)
    aig = care_table_aig(X, y, support=support)
    assert aig.n_inputs == 40
    X_new = rng.integers(0, 2, (2000, 40), dtype=np.uint8)
    assert np.mean(aig.evaluate(X_new)[:, 0] == symmetric(X_new[:, support], seed=4)) > 0.98
    # the same table as the one over the support's columns alone, inputs renamed
    sub = care_table_aig(X[:, support], y)
    np.testing.assert_array_equal(sub.evaluate(X_new[:, support]), aig.evaluate(X_new))
    X_flip = X_new.copy()
    X_flip[:, [c for c in range(40) if c not in support]] ^= 1  # inputs outside the support do not matter
    np.testing.assert_array_equal(aig.evaluate(X_flip), aig.evaluate(X_new))


def test_memorized_tables_count_each_output_on_its_cared_examples():
    rng = np.random.default_rng(11)
    X = rng.integers(0, 2, (400, 7), dtype=np.uint8)
    Y = rng.integers(0, 2, (400, 3), dtype=np.uint8)
    care = rng.random((400, 3)) < 0.7
    care[:, 0] = True
    P, V, known = memorized_tables(X, Y, care)
    for o in range(3):  # each output's known patterns and values are its own table on its cared rows
        Po, vo = memorized_table(X[care[:, o]], Y[care[:, o], o])
        np.testing.assert_array_equal(P[known[:, o]], Po)
        np.testing.assert_array_equal(V[known[:, o], o], vo)
    assert not V[~known].any() and known.any(axis=1).all()
    all_rows = distinct_rows(X)[0]
    P_all, _, known_all = memorized_tables(X, Y)  # everything cared for: every pattern where some output does not tie
    ties = np.array([[2 * Y[(X == r).all(axis=1), o].sum() == (X == r).all(axis=1).sum() for o in range(3)]
                     for r in all_rows])
    np.testing.assert_array_equal(P_all, all_rows[~ties.all(axis=1)])
    np.testing.assert_array_equal(known_all, ~ties[~ties.all(axis=1)])
    flipped = Y.copy()
    flipped[~care] ^= 1  # what is not cared for does not count
    for a, b in zip(memorized_tables(X, Y, care), memorized_tables(X, flipped, care)):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="n_outputs"):
        memorized_tables(X, Y, care[:, :2])


def test_a_trie_of_several_outputs_gives_each_its_values():
    rng = np.random.default_rng(4)
    X = rng.integers(0, 2, (300, 9), dtype=np.uint8)
    P, V, _ = memorized_tables(X, rng.integers(0, 2, (300, 4), dtype=np.uint8))
    aig = pattern_trie(P, V)
    np.testing.assert_array_equal(aig.evaluate(P), V)
    apart = sum(pattern_trie(P, V[:, o]).n_ands for o in range(4))
    assert len(aig.outputs) == 4 and aig.n_ands <= apart
    assert pattern_trie(P, V[:, 2]).to_bytes() == pattern_trie(P, V[:, [2]]).to_bytes()


@needs_abc
def test_joint_care_table_of_an_adder_shares_logic_and_generalises():
    from lutlearn.circuits.multi_tasks import make_multi_task

    if not tools.abc_has_command("&ttopt"):
        pytest.skip("this ABC has no &ttopt")
    t = make_multi_task("add:6", n_split=1500)  # 1,500 of the 4,096 patterns
    joint = care_table_multi_aig(t.X_train, t.Y_train)
    one_by_one = care_table_multi_aig(t.X_train, t.Y_train, together=False)
    alone = [care_table_aig(t.X_train, t.Y_train[:, o]) for o in range(7)]
    P, V, known = memorized_tables(t.X_train, t.Y_train)
    for aig in (joint, one_by_one):
        assert len(aig.outputs) == 7 and aig.n_inputs == 12
        np.testing.assert_array_equal(aig.evaluate(P)[known], V[known])
    assert (joint.evaluate(t.X_test) == t.Y_test).mean() > 0.99
    assert joint.n_ands < 0.7 * sum(a.n_ands for a in alone)  # the outputs share their carries
    # one output: the table of care_table_aig, the same circuit
    assert care_table_multi_aig(t.X_train, t.Y_train[:, [3]]).to_bytes() == alone[3].to_bytes()
    with pytest.raises(ValueError, match="rounds must be >= 0"):
        care_table_multi_aig(t.X_train, t.Y_train, rounds=-1)


@needs_abc
def test_joint_care_table_with_constant_and_wired_outputs():
    if not tools.abc_has_command("&ttopt"):
        pytest.skip("this ABC has no &ttopt")
    rng = np.random.default_rng(8)
    X = rng.integers(0, 2, (3000, 10), dtype=np.uint8)
    Y = np.stack([np.zeros(3000, np.uint8), X[:, 4] ^ 1, symmetric(X, seed=1), X[:, 7]], axis=1)
    for together in (False, True):  # ABC itself crashes on a constant output under -O 1: such outputs never reach it
        aig = care_table_multi_aig(X, Y, together=together)
        np.testing.assert_array_equal(aig.evaluate(X), Y)
        assert aig.outputs[0] == 0 and aig.outputs[1] == aig.input(4) ^ 1 and aig.outputs[3] == aig.input(7)
    only_wires = care_table_multi_aig(X, Y[:, [0, 1, 3]])
    assert only_wires.n_ands == 0 and only_wires.outputs == [0, only_wires.input(4) ^ 1, only_wires.input(7)]
