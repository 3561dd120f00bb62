"""A synthesisable top level around an exported network, and Verilog testbenches with golden vectors.

The core module (:func:`lutlearn.export.verilog.write_verilog`) takes all
input bits at once, one port per bit: more pins than any FPGA has for
an image. :func:`write_top` wraps it in a module that loads the bits
``W`` at a time and registers its inputs and outputs::

    module NAME_top #(parameter W = 8) (
      input clk, input rst,            // rst: synchronous, active high
      input start,                     // high with in_valid on an example's first word
      input in_valid, input [W-1:0] in_data,
      output reg out_valid, output reg [B-1:0] class_index,
      output reg [SW-1:0] score0, .., score<C-1>);  // with scores (multi-class models) only

Word ``w`` of an example carries input bits ``x[w*W] .. x[w*W + W - 1]``
(bit 0 of the word first; bits past the last input are ignored), so an
example takes ``NWORDS = ceil(n_inputs / W)`` words, one per clock cycle
with ``in_valid`` high (gaps are allowed). The words shift into a register;
the last one loads the input register ``x``, the core (pipelined or not)
computes, and the class index is registered with ``out_valid`` high for
one cycle. The next example's words may follow at once: the design takes
one example every ``NWORDS`` cycles whatever the pipeline depth.

Timing (:class:`TopTiming`): an example whose first word is presented in
cycle 0 has its class out in cycle ``NWORDS + S + 1`` (``S`` the core's
pipeline registers); the testbench measures this and checks it.

:func:`write_testbench` writes a self-checking testbench for either the
core or the top level, reading golden vectors written by
:func:`write_vectors`: it prints ``lutlearn testbench: N examples, M
outputs, E mismatches, latency L cycles`` and :func:`run_testbench` runs it
with Icarus Verilog. :func:`golden_vectors` gives what a design must output
(``predict``'s class indices and, with scores, the integer vote scores) for
a classifier or a pipeline of an encoder and the classifier.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lutlearn._files import atomic_writer
from lutlearn.export.c import check_c_name

#: The line a testbench prints at the end (parsed by :func:`lutlearn.export.tools.run_testbench`).
SUMMARY = "lutlearn testbench:"


@dataclass(frozen=True)
class TopTiming:
    """Cycle counts of a design.

    Attributes
    ----------
    n_words : int
        Input words per example (clock cycles to load one); 0 for the bare core.
    pipeline_registers : int
        ``S``: registers between the core's inputs and outputs.
    latency_cycles : int
        Cycles from the first input word (or, for the core, from ``x``) to the
        class index: ``n_words + S + 1`` for the top level, ``S`` for the core.
    cycles_per_example : int
        Clock cycles between examples at full rate (``n_words``, 1 for the core).
    """

    n_words: int
    pipeline_registers: int
    latency_cycles: int
    cycles_per_example: int


#: Widest input word of the top level: a wider bus is no real port (10**8 made a testbench simulate for minutes).
MAX_WORD_WIDTH = 4096


def check_word_width(word_width: int, n_inputs: int = 0) -> None:
    """ValueError unless ``word_width`` (``--word-width``) is from 1 to :data:`MAX_WORD_WIDTH`, or exactly all of
    a design's ``n_inputs`` at once (``--parallel``)."""
    if not (1 <= word_width <= MAX_WORD_WIDTH or word_width == n_inputs > 0):
        raise ValueError(f"the input word width (--word-width) must be from 1 to {MAX_WORD_WIDTH} bits, "
                         f"got {word_width}")


def top_timing(n_inputs: int, word_width: int | None, pipeline_registers: int) -> TopTiming:
    """The timing of the top level (``word_width`` given) or of the bare core (None)."""
    if word_width is None:
        return TopTiming(0, pipeline_registers, pipeline_registers, 1)
    check_word_width(word_width, n_inputs)
    n_words = math.ceil(n_inputs / word_width)
    return TopTiming(n_words, pipeline_registers, n_words + pipeline_registers + 1, n_words)


def write_top(
    core: str, n_inputs: int, n_outputs: int, pipeline_registers: int, word_width: int = 8,
    scores: tuple[int, int] | None = None,
) -> str:
    """The Verilog of the top level ``CORE_top`` around the core module ``core`` (see the module docstring).

    Parameters
    ----------
    core : str
        Name of the core module (ports ``x``, ``y`` and, when pipelined, ``clk``).
    n_inputs, n_outputs : int
        Widths of the core's ``x`` and ``y``.
    pipeline_registers : int
        The core's ``S`` (:func:`lutlearn.export.verilog.pipeline_registers`).
    word_width : int, default=8
        Default of the parameter ``W``.
    scores : (int, int), optional
        ``(C, SW)``: the core also outputs ``scores`` (C class scores of SW
        bits, :func:`lutlearn.export.verilog.score_shape`), and the top level
        registers them with the class index as ``output reg [SW-1:0] score0
        .. score<C-1>``.
    """
    check_c_name(core)
    timing = top_timing(n_inputs, word_width, pipeline_registers)
    S = pipeline_registers
    clk = ".clk(clk), " if S else ""
    C, SW = scores if scores else (0, 0)
    score_ports = "".join(f", score{c}" for c in range(C))
    ports = "clk, rst, start, in_valid, in_data, out_valid, class_index" + score_ports
    score_decl = (f"  output reg [{SW - 1}:0] {score_ports[2:]};  // class c's integer score\n"
                  f"  wire [{C * SW - 1}:0] scores;\n" if C else "")
    score_regs = "".join(f"    score{c} <= scores[{c * SW + SW - 1}:{c * SW}];\n" for c in range(C))
    valid = (
        "  wire y_valid = x_valid;"
        if S == 0
        else f"  reg [{S - 1}:0] v;\n"
        + "  always @(posedge clk) v <= rst ? "
        + f"{S}'b0 : {{{'v[' + str(S - 2) + ':0], ' if S > 1 else ''}x_valid}};\n"
        + f"  wire y_valid = v[{S - 1}];"
    )
    return f"""// Top level of {core}: inputs shifted in W bits per clock cycle, registered inputs and outputs.
// An example is NWORDS = ceil({n_inputs} / W) words (word w: bits x[w*W] .. x[w*W+W-1], bit 0 first), one per
// cycle with in_valid high, start high with the first; its class index comes out NWORDS + {S} + 1 cycles after
// the first word (with W = {word_width}: {timing.latency_cycles} cycles), with out_valid high for one cycle.
module {core}_top #(parameter W = {word_width}) ({ports});
  input clk, rst, start, in_valid;
  input [W-1:0] in_data;
  output reg out_valid;
  output reg [{n_outputs - 1}:0] class_index;
{score_decl}  localparam N = {n_inputs};
  localparam NWORDS = (N + W - 1) / W;
  localparam CW = NWORDS > 1 ? $clog2(NWORDS) : 1;
  reg [NWORDS*W-1:0] shift;
  wire [NWORDS*W-1:0] shifted;
  generate
    if (NWORDS == 1) begin : one_word
      assign shifted = in_data;
    end else begin : words
      assign shifted = {{in_data, shift[NWORDS*W-1:W]}};
    end
  endgenerate
  reg [CW-1:0] count;
  wire [CW-1:0] index = start ? {{CW{{1'b0}}}} : count;
  wire last = in_valid && index == NWORDS - 1;
  reg [N-1:0] x;
  reg x_valid;
  always @(posedge clk) begin
    if (in_valid) shift <= shifted;
    if (last) x <= shifted[N-1:0];
    if (rst) begin
      count <= 0;
      x_valid <= 1'b0;
    end else begin
      x_valid <= last;
      if (in_valid) count <= last ? {{CW{{1'b0}}}} : index + 1'b1;
    end
  end
  wire [{n_outputs - 1}:0] y;
  {core} core ({clk}.x(x), .y(y){', .scores(scores)' if C else ''});
{valid}
  always @(posedge clk) begin
    out_valid <= rst ? 1'b0 : y_valid;
    class_index <= y;
{score_regs}  end
endmodule
"""


def write_vectors(
    inputs: str | os.PathLike, expected: str | os.PathLike, X: np.ndarray, indices: np.ndarray, n_outputs: int,
    scores: np.ndarray | None = None, score_bits: int = 0,
) -> None:
    """Golden vectors for :func:`write_testbench`, as ``$readmemb`` files (written atomically).

    ``inputs`` gets one line per example, its bits from ``x[N-1]`` down to
    ``x[0]``; ``expected`` the class index in ``n_outputs`` bits, most
    significant first, preceded, when ``scores`` (integers, shape
    ``(n_examples, C)``) are given, by the scores of classes ``C-1`` down
    to 0 in ``score_bits`` bits each (the value ``{scores, y}`` of the design).
    """
    X = np.asarray(X, np.uint8)
    indices = np.asarray(indices, np.int64)
    if X.ndim != 2 or len(X) != len(indices) or len(X) == 0:
        raise ValueError("golden vectors need a non-empty 2-D array of input bits and one class index per row")
    if X.max(initial=0) > 1:
        raise ValueError("golden vectors: the inputs must be bits (0/1)")
    lines = [format(int(i), f"0{n_outputs}b") for i in indices]
    if scores is not None:
        scores = np.asarray(scores, np.int64)
        if scores.ndim != 2 or len(scores) != len(indices) or score_bits < 1:
            raise ValueError("golden vectors: the scores need one row per example and a width in bits")
        if scores.min(initial=0) < 0 or scores.max(initial=0) >= 1 << score_bits:
            raise ValueError(f"golden vectors: the scores must be integers in 0..{(1 << score_bits) - 1}")
        lines = ["".join(format(int(v), f"0{score_bits}b") for v in row[::-1]) + line
                 for row, line in zip(scores, lines)]
    with atomic_writer(inputs, "w") as fh:
        fh.write("".join("".join(map(str, row)) + "\n" for row in X[:, ::-1]))
    with atomic_writer(expected, "w") as fh:
        fh.write("".join(line + "\n" for line in lines))


def golden_vectors(model, X, scores: bool = False, feature_bits: int = 8) -> tuple:
    """What a design of ``model`` must do on the examples ``X``: ``(input bits, class indices, scores)``.

    ``model`` is a fitted classifier (``X`` its input bits) or a pipeline of
    an encoder and the classifier (``X`` raw integer features, which become
    the circuit's input bits, ``feature_bits`` per feature). The class
    indices are ``predict``'s; ``scores`` (None unless asked for) are the
    integer vote scores of ``VoteHead.scores``, shape ``(n, C)``.
    """
    from lutlearn.export._pipeline import split_pipeline
    from lutlearn.export.encoder import InputEncoder

    encoder, clf = split_pipeline(model)
    X = np.asarray(X)
    if encoder is None:
        bits = encoded = X
    else:
        enc = InputEncoder.from_encoder(encoder, feature_bits)
        bits, encoded = enc.raw_bits(X), encoder.transform(X)
    indices = np.searchsorted(clf.classes_, model.predict(X))
    if not scores:
        return bits, indices, None
    network = clf.network_
    if not network.voting:
        raise ValueError("class scores are outputs of multi-class (voting) models only; this model has a single "
                         "output lut and no integer scores")
    return bits, indices, network.head.scores(network.output_patterns(encoded))


def write_testbench(
    name: str, n_inputs: int, n_outputs: int, n_examples: int, timing: TopTiming,
    inputs: str, expected: str, word_width: int | None = None, scores: tuple[int, int] | None = None,
) -> str:
    """A self-checking Verilog testbench ``NAME_tb`` of the core ``name`` or of its top level ``NAME_top``.

    Parameters
    ----------
    name : str
        The core module's name.
    n_inputs, n_outputs, n_examples : int
        Widths and number of golden vectors.
    timing : TopTiming
        From :func:`top_timing`: the testbench checks the latency it states.
    inputs, expected : str
        The vector files (:func:`write_vectors`), as ``$readmemb`` will open
        them (relative to the simulator's working folder).
    word_width : int, optional
        Test the top level with this ``W`` (None: the core).
    scores : (int, int), optional
        ``(C, SW)``: the design outputs the class scores too, and the
        expected vectors hold them (:func:`write_vectors`); they are compared
        with the class index.

    The testbench streams the examples back to back at full rate, compares
    every class index (and the scores) with the expected ones, and prints
    :data:`SUMMARY` followed by the counts; it fails (``$fatal``) when any differs.
    """
    check_c_name(name)
    S = timing.pipeline_registers
    C, SW = scores if scores else (0, 0)
    E = n_outputs + C * SW  # bits of an expected vector: {scores, class index}
    what = "class indices and scores" if C else "class indices"
    head = f"""`timescale 1ns/1ps
// Generated by lutlearn: streams {n_examples} golden vectors through {name if word_width is None else name + '_top'}
// and counts the outputs whose {what} differ from the expected ones (model.predict{', VoteHead.scores' if C else ''}).
module {name}_tb;
  reg [{n_inputs - 1}:0] xs [0:{n_examples - 1}];
  reg [{E - 1}:0] want [0:{n_examples - 1}];
  integer i, w, got, bad, cycle, first_in, first_out;
  reg clk;
  initial clk = 1'b0;
  always #5 clk = ~clk;
  initial cycle = 0;
  always @(posedge clk) cycle <= cycle + 1;
"""
    tail = f"""  initial begin
    $readmemb("{inputs}", xs);
    $readmemb("{expected}", want);
    got = 0; bad = 0; first_out = -1;
    {{drive}}
    repeat ({S + 4}) @(negedge clk);
    $display("{SUMMARY} %0d examples, %0d outputs, %0d mismatches, latency %0d cycles",
             {n_examples}, got, bad, first_out - first_in);
    if (bad != 0 || got != {n_examples} || first_out - first_in != {timing.latency_cycles})
      $fatal(1, "testbench failed (expected latency {timing.latency_cycles} cycles)");
    $finish;
  end
endmodule
"""
    want_index = f"want[got][{n_outputs - 1}:0]"
    got_scores, want_scores = f"out[{E - 1}:{n_outputs}]", f"want[got][{E - 1}:{n_outputs}]"
    show_scores = f'\n        $display("  scores %h, expected %h", {got_scores}, {want_scores});' if C else ""
    core_scores = f"  wire [{C * SW - 1}:0] scores;\n" if C else ""
    top_scores = "".join(f"  wire [{SW - 1}:0] score{c};\n" for c in range(C))
    top_out = "".join(f"score{c}, " for c in reversed(range(C)))
    top_ports = "".join(f", .score{c}(score{c})" for c in range(C))
    if word_width is None:
        clk = ".clk(clk), " if S else ""
        body = f"""  reg [{n_inputs - 1}:0] x;
  wire [{n_outputs - 1}:0] y;
{core_scores}  wire [{E - 1}:0] out = {{{'scores, ' if C else ''}y}};
  {name} dut ({clk}.x(x), .y(y){', .scores(scores)' if C else ''});
  // y is sampled just before each rising edge: example i's class index is there S = {S} cycles after x
  always @(posedge clk) if (first_in >= 0 && cycle >= first_in + {S} && got < {n_examples}) begin
    if (first_out < 0) first_out = cycle;
    if (out !== want[got]) begin
      if (bad < 10) begin
        $display("mismatch: example %0d gives %0d, expected %0d", got, y, {want_index});{show_scores}
      end
      bad = bad + 1;
    end
    got = got + 1;
  end
"""
        drive = f"""first_in = -1;
    @(negedge clk);
    for (i = 0; i < {n_examples}; i = i + 1) begin
      x = xs[i];
      if (i == 0) first_in = cycle;
      @(negedge clk);
    end"""
    else:
        body = f"""  localparam W = {word_width};
  localparam NWORDS = ({n_inputs} + W - 1) / W;
  reg rst, start, in_valid;
  reg [W-1:0] in_data;
  wire out_valid;
  wire [{n_outputs - 1}:0] class_index;
{top_scores}  wire [{E - 1}:0] out = {{{top_out}class_index}};
  {name}_top #(.W(W)) dut (.clk(clk), .rst(rst), .start(start), .in_valid(in_valid), .in_data(in_data),
      .out_valid(out_valid), .class_index(class_index){top_ports});
  always @(posedge clk) if (out_valid) begin
    if (first_out < 0) first_out = cycle;
    if (got >= {n_examples} || out !== want[got]) begin
      if (bad < 10) begin
        $display("mismatch: output %0d gives %0d, expected %0d", got, class_index, {want_index});{show_scores}
      end
      bad = bad + 1;
    end
    got = got + 1;
  end
"""
        drive = f"""rst = 1'b1; start = 1'b0; in_valid = 1'b0; in_data = 0; first_in = -1;
    repeat (2) @(negedge clk);
    rst = 1'b0;
    for (i = 0; i < {n_examples}; i = i + 1)
      for (w = 0; w < NWORDS; w = w + 1) begin
        in_valid = 1'b1; start = w == 0; in_data = xs[i] >> (w * W);
        if (i == 0 && w == 0) first_in = cycle;
        @(negedge clk);
      end
    in_valid = 1'b0; start = 1'b0;"""
    return head + body + tail.replace("{drive}", drive)


def bench_files(design: str | os.PathLike) -> tuple[Path, Path, Path]:
    """Where ``--testbench`` writes for the design file ``design``: the testbench and its two vector files."""
    design = Path(design)
    stem = design.with_suffix("")
    return (
        stem.with_name(stem.name + "_tb.v"),
        stem.with_name(stem.name + "_tb_inputs.mem"),
        stem.with_name(stem.name + "_tb_expected.mem"),
    )
