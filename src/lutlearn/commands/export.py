"""``lutlearn export``: write a trained model as a logic circuit (C, Verilog, BLIF or AIGER)."""

from __future__ import annotations

import argparse

from lutlearn.commands._common import check_outputs, load_exportable, refuse_task_with_encoder
from lutlearn.commands._progress import add_progress_arg, phases, progress_enabled

NAME = "export"
HELP = "write a trained model as a circuit: C, Verilog, BLIF or AIGER"
EPILOG = """outputs: bit b of the class index (one output for two classes, 1 = the second class;
ceil(log2(C)) outputs for C classes). Multi-class models export their whole vote (adders
and comparators included); their circuits grow as n_output_luts x classes x 2**output_k.
The format follows the file suffix (.c .v .blif .aig .aag) unless --format is given.
A pipeline file (lutlearn.save) of an encoder (ThresholdBinarizer, ThermometerEncoder) and a
network exports to Verilog only: raw unsigned integer features in (--feature-bits each), the
thresholds as comparators; C, BLIF and AIGER take the network's input bits and cannot carry it.
examples:
  lutlearn export model.npz -o model.c --with-main && cc -O2 -o model model.c
  lutlearn export model.npz --format verilog -o model.v --synth ice40
  lutlearn export model.npz -o model.aig --optimize
  lutlearn export model.npz -o model.v --top --word-width 8 --pipeline 2 \\
      --testbench --task binary-mnist --data-home ../shared/data
  lutlearn export mnist10.npz -o mnist10.v --top --pipeline 2 --scores --testbench --task multiclass-mnist
  lutlearn export pipeline.npz -o p.v --top --testbench --testbench-data raw.npz
hardware: --top adds the module NAME_top (inputs shifted in W bits per cycle with a start/valid
handshake, registered inputs and outputs); --pipeline N puts registers every N lut levels;
--scores (multi-class models) adds the class scores as outputs. --testbench writes NAME_tb.v
and its golden vectors (model.predict and, with --scores, the integer vote scores on the data)
beside the design and runs it with Icarus Verilog when it is installed.
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "model", help="model file written by lutlearn train, or a pipeline file (lutlearn.save) of an encoder and "
                      "a network (Verilog only)"
    )
    p.add_argument("-o", "--output", required=True, help="circuit file to write")
    p.add_argument("--format", choices=("c", "verilog", "blif", "aiger"), help="default: from the suffix")
    p.add_argument("--with-main", action="store_true", help="C: a complete program classifying stdin lines of 0/1")
    p.add_argument("--name", help="C function or Verilog/BLIF module name")
    p.add_argument(
        "--optimize", action="store_true",
        help="AIGER: then optimise the file with ABC (strash; dc2; dc2; needs berkeley-abc)",
    )
    add_progress_arg(p)
    p.add_argument(
        "--synth", choices=("ice40", "lut4", "lut6"), metavar="TARGET",
        help="Verilog: synthesise with Yosys and report the lut count (ice40, lut6, lut4)",
    )


    g = p.add_argument_group("hardware (Verilog)")
    g.add_argument(
        "--top", action="store_true",
        help="add the synthesisable top level NAME_top: inputs shifted in --word-width bits per clock cycle "
             "with a start/valid handshake, registered inputs and outputs",
    )
    g.add_argument("--word-width", type=int, default=8, metavar="W", help="input bits per cycle of --top (default 8)")
    from lutlearn.commands._common import add_parallel_arg

    add_parallel_arg(g)
    g.add_argument(
        "--pipeline", type=int, default=0, metavar="N",
        help="a pipeline register every N lut levels (default 0: none); the latency is printed",
    )
    g.add_argument(
        "--arithmetic", choices=("vectors", "luts"), default="vectors",
        help="multi-class vote: sums and argmax as + and > on vectors, mapped to carry chains (default), "
             "or as luts (full adders, like the other formats)",
    )
    g.add_argument(
        "--scores", action="store_true",
        help="multi-class models: also output the class scores (the exact integer vote of each class; "
             "with --top, registered ports score0 .. score<C-1>, their width printed)",
    )
    g.add_argument(
        "--feature-bits", type=int, default=8, metavar="B",
        help="a pipeline with an encoder: bits of each raw unsigned integer feature (default 8)",
    )
    g.add_argument(
        "--testbench", action="store_true",
        help="also write a self-checking testbench (NAME_tb.v) and golden vectors from the data (--task or "
             "--testbench-data), and run it with Icarus Verilog if installed",
    )
    g.add_argument(
        "--testbench-data", metavar="FILE",
        help="data file for the golden vectors (.pla, or .npz/.npy/.csv, the label column last or absent; "
             "raw integer features for a pipeline with an encoder)",
    )
    g.add_argument("--vectors", type=int, default=1000, metavar="N", help="golden vectors: at most N examples (1000)")
    g.add_argument("--task", help="the task whose test set gives the golden vectors")
    g.add_argument("--data-home", help="folder holding the data sets")


def testbench_data(args: argparse.Namespace, n_features: int, encoder=None):
    """The examples the golden vectors are made of: the task's test set or a data file, at most ``--vectors``.

    With an encoder the examples are raw features: a task (whose inputs are bits) is refused.
    """
    refuse_task_with_encoder(args.task, encoder, "give them with --testbench-data FILE")
    if args.vectors < 1:
        raise ValueError(f"--vectors must be >= 1, got {args.vectors}")
    if args.task:
        from lutlearn.datasets import get_task

        X = get_task(args.task, data_home=args.data_home).X_test
    elif args.testbench_data:
        from lutlearn.datasets.io import read_examples

        X = read_examples(args.testbench_data, None)[0]  # a .pla file gives its inputs
        if X.ndim == 2 and X.shape[1] == n_features + 1:  # a labelled file: drop the label column
            X = X[:, :-1]
    else:
        raise ValueError("--testbench needs data for its golden vectors: --task NAME or --testbench-data FILE")
    return X[: args.vectors]


def testbench_vectors(args: argparse.Namespace, model):
    """``(X, bits, indices, scores)``: the testbench's examples and golden vectors, checked before any file is
    written. ``model`` is the classifier or the pipeline of its encoder and the classifier."""
    from lutlearn.export import split_pipeline
    from lutlearn.export.top import golden_vectors

    encoder, clf = split_pipeline(model)
    n_features = clf.n_features_in_ if encoder is None else encoder.n_features_in_
    what = "input bits" if encoder is None else "raw features"
    X = testbench_data(args, n_features, encoder)
    if X.ndim != 2 or X.shape[1] != n_features:
        raise ValueError(f"the golden vectors need {n_features} {what} per example, the data has shape {X.shape}")
    return (X, *golden_vectors(model, X, args.scores, args.feature_bits))


def write_testbench_files(args: argparse.Namespace, vectors, design, net, timing, name: str, shape) -> None:
    """Write the testbench and its vectors beside ``design`` (the staged ``-o``), and run it when Icarus Verilog
    is installed.

    ``vectors`` is what :func:`testbench_vectors` gave; ``shape`` the scores' ``(C, SW)`` with ``--scores``, else
    None. The messages name the final files (``-o``'s folder).
    """
    import shutil

    from lutlearn._files import atomic_writer
    from lutlearn.export.top import bench_files, write_testbench, write_vectors

    X, bits, indices, scores = vectors
    tb, inputs, expected = bench_files(design)
    write_vectors(inputs, expected, bits, indices, net.n_outputs, scores, shape[1] if shape else 0)
    text = write_testbench(
        name, bits.shape[1], net.n_outputs, len(X), timing, inputs.name, expected.name,
        args.word_width if args.top else None, shape,
    )
    with atomic_writer(tb, "w") as fh:
        fh.write(text)
    final_tb = bench_files(args.output)[0]
    print(f"testbench written to {final_tb} with {len(X)} golden vectors ({inputs.name}, {expected.name})")
    if shutil.which("iverilog") is None:
        print(f"Icarus Verilog is not installed: run it with  iverilog -g2012 -o tb {tb.name} "
              f"{args.output} && vvp tb  (in {final_tb.parent})")
        return
    from lutlearn.export.tools import run_testbench

    r = run_testbench(tb, design)
    print(f"Icarus Verilog: {r['outputs']} outputs for {r['examples']} examples, {r['mismatches']} mismatches, "
          f"latency {r['latency_cycles']} cycles: {'passed' if r['passed'] else 'FAILED'}")
    if not r["passed"]:
        raise RuntimeError(f"the testbench {final_tb.name} failed: no file written")


def check_tools(args: argparse.Namespace) -> None:
    """ValueError, before any work, when an option needs a tool that is not installed (ABC, Yosys)."""
    import shutil

    from lutlearn.export.tools import find_abc

    if args.optimize and find_abc() is None:
        raise ValueError("--optimize needs ABC, which is not installed (Debian package 'berkeley-abc')")
    if args.synth and shutil.which("yosys") is None:
        raise ValueError("--synth needs Yosys, which is not installed (Debian package 'yosys')")


def run(args: argparse.Namespace) -> int:
    from lutlearn._files import staged_outputs
    from lutlearn.export import LutNetlist, export_model, format_from_path
    from lutlearn.export.top import bench_files, check_word_width

    outputs = [args.output, *(bench_files(args.output) if args.testbench else ())]
    check_outputs(outputs, [args.model, args.testbench_data if args.testbench else None])
    fmt = args.format or format_from_path(args.output)
    warn_suffix(args.output, fmt)
    if args.optimize and fmt != "aiger":
        raise ValueError("--optimize applies to the AIGER format only")
    if (args.synth or args.top or args.pipeline or args.testbench or args.scores) and fmt != "verilog":
        raise ValueError("--synth, --top, --pipeline, --scores and --testbench apply to the Verilog format only")
    if args.parallel and not args.top:
        raise ValueError("--parallel shapes the top level: give it with --top")
    if args.top and not args.parallel:
        check_word_width(args.word_width)
    check_tools(args)
    model, encoder, clf = load_exportable(args.model, fmt)
    if args.parallel:
        from lutlearn.commands._common import parallel_word_width

        args.word_width = parallel_word_width(model, args.feature_bits)
    if encoder is not None:
        from lutlearn.export.encoder import check_exportable_encoder

        check_exportable_encoder(encoder, args.feature_bits, args.model)
    vectors = testbench_vectors(args, model) if args.testbench else None
    net = LutNetlist.from_model(clf)
    word_width = args.word_width if args.top else None
    steps = ["AIGER circuit", "ABC optimisation"] if args.optimize else []  # the slow ones: a bar
    with staged_outputs(*outputs) as staged, phases("export", steps, progress_enabled(args)) as start:
        design = staged[0]  # every file moved into place only when all of them succeeded
        if steps:
            start(steps[0])
        export_model(
            model, design, fmt, with_main=args.with_main, name=args.name, net=net,
            progress=progress_enabled(args) is not False,
            pipeline=args.pipeline, word_width=word_width, arithmetic=args.arithmetic,
            feature_bits=args.feature_bits, scores=args.scores,
        )
        if steps:
            start(steps[1])
        report_design(args, fmt, model, encoder, clf, net, design, word_width, vectors)
    return 0


def warn_suffix(output, fmt: str) -> None:
    """A warning on standard error when ``output``'s suffix names another format than ``fmt`` (``--format c -o
    x.v``); the file is written as asked."""
    import sys

    from lutlearn.export import format_from_path

    try:
        named = format_from_path(output)
    except ValueError:
        return  # a suffix that names no format (model.out): nothing contradicts --format
    if named != fmt:
        print(f"lutlearn export: warning: {output} has the suffix of a {named} file, but --format {fmt} writes "
              f"{fmt}", file=sys.stderr)


def report_design(args: argparse.Namespace, fmt: str, model, encoder, clf, net, design, word_width, vectors) -> None:
    """Print what was written to the staged ``design``; run the testbench, ABC and Yosys on it as asked."""
    from lutlearn.export import design_shape
    from lutlearn.export.aiger import count_ands

    outputs = "1 output" if net.n_outputs == 1 else f"{net.n_outputs} outputs (class index bits)"
    if encoder is None:
        inputs = f"{clf.n_features_in_} inputs"
    else:
        inputs = (f"{encoder.n_features_in_} raw features of {args.feature_bits} bits in, "
                  f"{type(encoder).__name__} as {net.n_inputs} comparators")
    print(f"{fmt} circuit written to {args.output}: {inputs}, {outputs}, {len(net.luts)} luts")
    if fmt == "verilog":
        from lutlearn.export.top import top_timing
        from lutlearn.export.verilog import score_shape

        name = args.name or "lutlearn_model"
        depth = int(net.levels()[net.outputs].max()) if net.outputs else 0
        n_in, n_regs = design_shape(model, net, args.pipeline, args.arithmetic, args.feature_bits)
        timing = top_timing(n_in, word_width, n_regs)
        print(f"{depth} lut levels, {timing.pipeline_registers} pipeline registers"
              + (f"; top level {name}_top: {timing.n_words} words of {word_width} bits per example, "
                 f"class out {timing.latency_cycles} cycles after the first word, "
                 f"one example every {timing.cycles_per_example} cycles" if word_width else ""))
        shape = score_shape(net, args.arithmetic) if args.scores else None
        if shape:
            ports = f"score0 .. score{shape[0] - 1}" if word_width else f"scores[c*{shape[1]} +: {shape[1]}]"
            print(f"class scores out: {shape[0]} unsigned integers of {shape[1]} bits ({ports}), with the class index")
        if vectors is not None:
            write_testbench_files(args, vectors, design, net, timing, name, shape)
    if fmt == "aiger":
        print(f"AND gates: {count_ands(design)}")
        if args.optimize:
            from lutlearn.export.tools import optimize_aiger

            print(f"AND gates after ABC: {optimize_aiger(design)}")
    if args.synth:
        from lutlearn.export.tools import yosys_synth

        stats = yosys_synth(design, args.name or "lutlearn_model", target=args.synth)
        print(f"Yosys {args.synth}: {stats['luts']} luts, {stats['cells']} cells {stats['cells_by_type']}")
