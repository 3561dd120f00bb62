"""A lut netlist as a synthesisable combinational Verilog-2001 module.

::

    module NAME (input [N-1:0] x, output [B-1:0] y);

``x[i]`` is input bit ``i``; ``y[b]`` is bit ``b`` of the class index (see
:mod:`lutlearn.export.netlist`). Lut ``j`` is the wire ``n<j>``. A
multi-class module may also output its class scores (``scores``, see
:func:`write_verilog`).

A lut of at most :data:`MAX_MUX_INPUTS` inputs is written as its reduced
decision diagram: multiplexers ``s ? a : b`` on its inputs in order (the
first input decides first), with wires ``n<j>_<m>`` for the inner nodes,
shared within the lut, and inputs a sub-table does not depend on skipped.
Written as a constant truth table indexed by its inputs instead, it would
simulate the same, but Yosys specialises its shifter template once per
distinct table: minutes and gigabytes for a multi-class circuit, where the
multiplexers synthesise to about the same lut count in a fraction of the
time (a 10-class circuit of 6952 luts: 2 min 51 s instead of more than
10 min). A larger lut is written as its truth table, the constant ``T<j>``
indexed by the concatenation of its inputs (the first input is the most
significant bit): its diagram would be about ten times the text. Such
luts (``output_k`` above 8) are for simulation more than for synthesis.

Each lut is a wire of its own (not a bit of one wide vector), so that an
event-driven simulator re-evaluates only the luts whose inputs changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from lutlearn._text import comment_lines, one_line
from lutlearn.export.c import check_c_name

if TYPE_CHECKING:
    from lutlearn.export.netlist import LutNetlist


#: Luts of up to this many inputs are written as multiplexers, larger ones as tables.
MAX_MUX_INPUTS = 8


def _constant(T: np.ndarray) -> str:
    width = T.shape[0]
    bits = "".join(str(int(b)) for b in T[::-1])  # bit p of the constant is T[p]
    if width % 4:
        return f"{width}'b{bits}"
    return f"{width}'h" + "".join(f"{int(bits[i:i + 4], 2):x}" for i in range(0, width, 4))


def _mux_lines(j: int, ins: list[str], T: np.ndarray) -> list[str]:
    """``assign`` lines computing lut ``j`` (inputs named ``ins``, table ``T``) as a reduced mux tree."""
    lines: list[str] = []
    memo: dict[tuple[int, bytes], str] = {}

    def build(level: int, t: np.ndarray) -> str:
        if (t == t[0]).all():
            return f"1'b{int(t[0])}"
        key = (level, t.tobytes())
        if key not in memo:
            half = t.shape[0] // 2
            lo, hi = t[:half], t[half:]  # the first remaining input is the most significant bit
            if np.array_equal(lo, hi):
                memo[key] = build(level + 1, lo)
            else:
                a, b, s = build(level + 1, hi), build(level + 1, lo), ins[level]
                if (a, b) == ("1'b1", "1'b0"):
                    expr = s
                elif (a, b) == ("1'b0", "1'b1"):
                    expr = f"~{s}"
                else:
                    expr = f"{s} ? {a} : {b}"
                wire = f"n{j}_{len(lines)}"
                lines.append(f"  wire {wire} = {expr};")
                memo[key] = wire
        return memo[key]

    root = build(0, T)
    return lines + [f"  assign n{j} = {root};"]


def pipeline_stages(net: LutNetlist, levels_per_stage: int = 0) -> tuple[np.ndarray, int]:
    """The pipeline stage of every signal, and the number of pipeline registers on the way to the outputs.

    With ``levels_per_stage`` N > 0, luts of logic levels ``1 .. N`` are stage
    0, levels ``N + 1 .. 2N`` stage 1, and so on (inputs are stage 0); a
    register separates consecutive stages, so the outputs come ``S`` clock
    cycles after the inputs, ``S`` the last stage. N = 0: one stage, no
    registers.

    Returns
    -------
    stages : int64 ndarray of shape (n_inputs + n_luts,)
    n_registers : int
        ``S``, the core's latency in clock cycles.
    """
    if levels_per_stage < 0:
        raise ValueError(f"the pipeline's levels per stage must be >= 0, got {levels_per_stage}")
    lv = net.levels()
    if levels_per_stage == 0:
        return np.zeros_like(lv), 0
    stages = np.maximum(lv - 1, 0) // levels_per_stage
    return stages, int(stages[net.outputs].max()) if net.outputs else 0


def _lut_lines(net: LutNetlist, pipeline: int) -> tuple[list[str], list[str], int]:
    """The declarations and logic of ``net``'s luts (pipelined every ``pipeline`` levels).

    Returns the lines, each output's expression (valid ``S`` registers after
    ``x``) and ``S``.
    """
    n_in = net.n_inputs
    stages, n_regs = pipeline_stages(net, pipeline)
    delays: dict[int, int] = {}  # signal -> most registers any reader needs

    def base(s: int) -> str:
        return f"x[{s}]" if s < n_in else f"n{s - n_in}"

    def delayed(s: int, d: int) -> str:  # signal s, d registers later
        if d == 0:
            return base(s)
        return f"x{s}_d{d}" if s < n_in else f"n{s - n_in}_d{d}"

    def sig(s: int, at_stage: int = 0) -> str:
        d = at_stage - int(stages[s])
        if d:
            delays[s] = max(delays.get(s, 0), d)
        return delayed(s, d)

    lines = []
    for j in range(0, len(net.luts), 16):
        lines.append("  wire " + ", ".join(f"n{i}" for i in range(j, min(j + 16, len(net.luts)))) + ";")
    body: list[str] = []
    for j, (ins, T) in enumerate(net.luts):
        here = int(stages[n_in + j])
        if len(ins) == 0:
            body.append(f"  assign n{j} = 1'b{int(T[0])};")
            continue
        if len(ins) <= MAX_MUX_INPUTS:
            body.extend(_mux_lines(j, [sig(s, here) for s in ins], T))
        else:
            body.append(f"  localparam [{T.shape[0] - 1}:0] T{j} = {_constant(T)};")
            body.append(f"  assign n{j} = T{j}[{{{', '.join(sig(s, here) for s in ins)}}}];")
    outs = [sig(s, n_regs) for s in net.outputs]
    if delays:
        regs, steps = [], []
        for s in sorted(delays):
            for d in range(1, delays[s] + 1):
                regs.append(delayed(s, d))
                steps.append(f"    {delayed(s, d)} <= {delayed(s, d - 1)};")
        for j in range(0, len(regs), 16):
            lines.append("  reg " + ", ".join(regs[j: j + 16]) + ";")
        body += ["  always @(posedge clk) begin"] + steps + ["  end"]
    return lines + body, outs, n_regs


def _argmax_rounds(n_classes: int) -> int:
    return max(0, (n_classes - 1).bit_length())


def pipeline_registers(net: LutNetlist, pipeline: int = 0, arithmetic: str = "vectors") -> int:
    """``S``, the clock cycles from ``x`` to ``y`` of :func:`write_verilog`'s module with these options."""
    if arithmetic == "vectors" and net.vote is not None:
        if pipeline == 0:
            return 0
        return pipeline_stages(net.vote.bits, pipeline)[1] + 1 + _argmax_rounds(len(net.vote.terms))
    return pipeline_stages(net, pipeline)[1]


def score_shape(net: LutNetlist, arithmetic: str = "vectors") -> tuple[int, int]:
    """``(classes, bits)`` of the class scores :func:`write_verilog` outputs with ``scores=True``.

    ValueError when the model has no integer vote scores (a single output
    lut) or its vote is written as luts.
    """
    if net.vote is None:
        raise ValueError("class scores are outputs of multi-class (voting) models only; this model has a single "
                         "output lut and no integer scores")
    if arithmetic != "vectors":
        raise ValueError("class scores are outputs of the vote written on vectors (arithmetic 'vectors'), "
                         f"not {arithmetic!r}")
    return len(net.vote.terms), net.vote.width


def _vote_lines(net: LutNetlist, pipeline: int) -> tuple[list[str], list[str], list[str]]:
    """The vote bits as luts, then the class scores as ``+`` and the argmax as ``>`` on vectors.

    Pipelined, registers follow the vote bits' stages, the sums, and each
    round of the argmax tournament. Returns the lines, the class index bits
    and each class's score, delayed to come out with the class index.
    """
    vote = net.vote
    lines, bits, _ = _lut_lines(vote.bits, pipeline)
    W, C = vote.width, len(vote.terms)
    B = max(1, (C - 1).bit_length())
    kind = "reg" if pipeline else "wire"
    concat = ", ".join(reversed(bits)) or "1'b0"
    lines.append(f"  wire [{max(len(bits), 1) - 1}:0] vb = {{{concat}}};")
    lines.append(f"  // class scores: bias + the votes of the output luts ({W} bits, never overflowing)")
    for c, terms in enumerate(vote.terms):
        if vote.bias[c] < 0:
            raise ValueError("a negative class bias cannot be written as an unsigned sum")
        parts = [f"{W}'d{vote.bias[c]}"] + [f"vb[{f + n - 1}:{f}]" if n > 1 else f"vb[{f}]" for f, n in terms]
        lines.append(f"  wire [{W - 1}:0] sum{c} = {' + '.join(parts)};")
        lines.append(f"  {kind} [{W - 1}:0] s0_{c};")
        lines.append(f"  {kind} [{B - 1}:0] i0_{c};")
    seq: list[str] = []

    def put(lhs: str, rhs: str) -> None:
        if pipeline:
            seq.append(f"    {lhs} <= {rhs};")
        else:
            lines.append(f"  assign {lhs} = {rhs};")

    for c in range(C):
        put(f"s0_{c}", f"sum{c}")
        put(f"i0_{c}", f"{B}'d{c}")
    n, r = C, 0
    lines.append("  // argmax: a tournament, the right one winning only when strictly greater (ties: lowest index)")
    while n > 1:
        for i in range((n + 1) // 2):
            lines.append(f"  {kind} [{W - 1}:0] s{r + 1}_{i};")
            lines.append(f"  {kind} [{B - 1}:0] i{r + 1}_{i};")
            if 2 * i + 1 < n:
                lft, rgt = 2 * i, 2 * i + 1
                lines.append(f"  wire g{r}_{i} = s{r}_{rgt} > s{r}_{lft};")
                put(f"s{r + 1}_{i}", f"g{r}_{i} ? s{r}_{rgt} : s{r}_{lft}")
                put(f"i{r + 1}_{i}", f"g{r}_{i} ? i{r}_{rgt} : i{r}_{lft}")
            else:
                put(f"s{r + 1}_{i}", f"s{r}_{2 * i}")
                put(f"i{r + 1}_{i}", f"i{r}_{2 * i}")
        n, r = (n + 1) // 2, r + 1
    scores = [f"s0_{c}" for c in range(C)]
    if pipeline:  # the scores wait for the argmax's r rounds of registers
        for d in range(1, r + 1):
            for c in range(C):
                lines.append(f"  reg [{W - 1}:0] sd{d}_{c};")
                put(f"sd{d}_{c}", scores[c])
            scores = [f"sd{d}_{c}" for c in range(C)]
    if seq:
        lines += ["  always @(posedge clk) begin"] + seq + ["  end"]
    return lines, [f"i{r}_0[{b}]" for b in range(B)], scores


def write_verilog(
    net: LutNetlist, name: str = "lutlearn_model", comment: str = "", pipeline: int = 0,
    arithmetic: str = "vectors", scores: bool = False,
) -> str:
    """The Verilog source of a :class:`~lutlearn.export.netlist.LutNetlist` (see the module docstring).

    Parameters
    ----------
    net : LutNetlist
    name : str
        Module name.
    comment : str
        Written at the top, as ``//`` lines.
    pipeline : int, default=0
        Lut levels per pipeline stage (0: combinational). With N > 0 the
        module gets a ``clk`` input when it has registers, and a signal used
        ``d`` stages after its own is delayed by ``d`` registers
        (:func:`pipeline_stages`); ``y`` is the class index of the ``x`` of
        ``S`` cycles before (:func:`pipeline_registers`).
    arithmetic : {"vectors", "luts"}, default="vectors"
        Multi-class models: the vote's sums and argmax as ``+`` and ``>`` on
        vectors, which synthesis maps to carry chains (pipelined: registers
        after the sums and after each round of the argmax), or as the
        netlist's luts (full adders and comparators, like the other formats).
    scores : bool, default=False
        Multi-class models with the vote on vectors: also output the class
        scores, ``output [C*SW-1:0] scores`` (class ``c`` in ``scores[c*SW
        +: SW]``, :func:`score_shape` gives ``(C, SW)``), the exact integers
        of ``VoteHead.scores``, at the same cycle as ``y``.
    """
    check_c_name(name)
    if arithmetic not in ("vectors", "luts"):
        raise ValueError(f"unknown arithmetic {arithmetic!r}; use 'vectors' or 'luts'")
    n_regs = pipeline_registers(net, pipeline, arithmetic)
    class_scores: list[str] = []
    shape = score_shape(net, arithmetic) if scores else None
    if arithmetic == "vectors" and net.vote is not None:
        logic, outs, class_scores = _vote_lines(net, pipeline)
    else:
        logic, outs, _ = _lut_lines(net, pipeline)
    ports = ("clk, x, y" if n_regs else "x, y") + (", scores" if scores else "")
    lines = [
        comment_lines(comment or "Generated by lutlearn.", "// "),
        "// y is the class index in binary (bit 0 first); labels: "
        + ", ".join(f"{i} = {one_line(c)}" for i, c in enumerate(net.classes)),
    ]
    if n_regs:
        lines.append(f"// pipelined: {pipeline} lut levels per stage, y comes {n_regs} clock cycles after x")
    lines += [f"module {name} ({ports});"] + (["  input clk;"] if n_regs else []) + [
        f"  input [{net.n_inputs - 1}:0] x;",
        f"  output [{net.n_outputs - 1}:0] y;",
    ]
    if shape:
        C, SW = shape
        lines.append(f"  output [{C * SW - 1}:0] scores;  // class c's score in scores[c*{SW} +: {SW}]")
    lines += logic
    lines += [f"  assign y[{b}] = {o};" for b, o in enumerate(outs)]
    if shape:
        lines.append(f"  assign scores = {{{', '.join(reversed(class_scores))}}};")
    lines.append("endmodule\n")
    return "\n".join(lines)
