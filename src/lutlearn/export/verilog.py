"""A lut netlist as a synthesisable combinational Verilog-2001 module.

::

    module NAME (input [N-1:0] x, output [B-1:0] y);

``x[i]`` is input bit ``i``; ``y[b]`` is bit ``b`` of the class index (see
:mod:`lutlearn.export.netlist`). Lut ``j`` is the wire ``n<j>``.

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


def write_verilog(
    net: LutNetlist, name: str = "lutlearn_model", comment: str = "", pipeline: int = 0,
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
        module gets a ``clk`` input when the circuit is deeper than N levels,
        and a signal used ``d`` stages after its own is delayed by ``d``
        registers (:func:`pipeline_stages`); ``y`` is the class index of the
        ``x`` of ``S`` cycles before.
    """
    check_c_name(name)
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

    ports = "clk, x, y" if n_regs else "x, y"
    lines = [
        "// " + (comment or "Generated by lutlearn.").replace("\n", "\n// "),
        "// y is the class index in binary (bit 0 first); labels: "
        + ", ".join(f"{i} = {c}" for i, c in enumerate(net.classes)),
    ]
    if n_regs:
        lines.append(f"// pipelined: {pipeline} lut levels per stage, y comes {n_regs} clock cycles after x")
    lines += [f"module {name} ({ports});"] + (["  input clk;"] if n_regs else []) + [
        f"  input [{n_in - 1}:0] x;",
        f"  output [{net.n_outputs - 1}:0] y;",
    ]
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
    for b, s in enumerate(net.outputs):
        body.append(f"  assign y[{b}] = {sig(s, n_regs)};")
    if delays:
        regs, steps = [], []
        for s in sorted(delays):
            for d in range(1, delays[s] + 1):
                regs.append(delayed(s, d))
                steps.append(f"    {delayed(s, d)} <= {delayed(s, d - 1)};")
        for j in range(0, len(regs), 16):
            lines.append("  reg " + ", ".join(regs[j: j + 16]) + ";")
        body += ["  always @(posedge clk) begin"] + steps + ["  end"]
    lines += body
    lines.append("endmodule\n")
    return "\n".join(lines)
