"""``lutlearn export``: write a trained model as a logic circuit (C, Verilog, BLIF or AIGER)."""

from __future__ import annotations

import argparse

from lutlearn.commands._common import check_outputs

NAME = "export"
HELP = "write a trained model as a circuit: C, Verilog, BLIF or AIGER"
EPILOG = """outputs: bit b of the class index (one output for two classes, 1 = the second class;
ceil(log2(C)) outputs for C classes). Multi-class models export their whole vote (adders
and comparators included); their circuits grow as n_output_luts x classes x 2**output_k.
The format follows the file suffix (.c .v .blif .aig .aag) unless --format is given.
examples:
  lutlearn export model.npz -o model.c --with-main && cc -O2 -o model model.c
  lutlearn export model.npz --format verilog -o model.v --synth ice40
  lutlearn export model.npz -o model.aig --optimize
  lutlearn export model.npz -o model.v --top --word-width 8 --pipeline 2 \\
      --testbench --task binary-mnist --data-home ../shared/data
hardware: --top adds the module NAME_top (inputs shifted in W bits per cycle with a start/valid
handshake, registered inputs and outputs); --pipeline N puts registers every N lut levels.
--testbench writes NAME_tb.v and its golden vectors (model.predict on the data) beside the
design and runs it with Icarus Verilog when it is installed.
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "model", help="model file written by lutlearn train (a pipeline file only if it holds the network alone)"
    )
    p.add_argument("-o", "--output", required=True, help="circuit file to write")
    p.add_argument("--format", choices=("c", "verilog", "blif", "aiger"), help="default: from the suffix")
    p.add_argument("--with-main", action="store_true", help="C: a complete program classifying stdin lines of 0/1")
    p.add_argument("--name", help="C function or Verilog/BLIF module name")
    p.add_argument(
        "--optimize", action="store_true",
        help="AIGER: then optimise the file with ABC (strash; dc2; dc2; needs berkeley-abc)",
    )
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
        "--testbench", action="store_true",
        help="also write a self-checking testbench (NAME_tb.v) and golden vectors from the data (--task or "
             "--testbench-data), and run it with Icarus Verilog if installed",
    )
    g.add_argument(
        "--testbench-data", metavar="FILE",
        help="data file for the golden vectors (.pla, or .npz/.npy/.csv, the label column last or absent)",
    )
    g.add_argument("--vectors", type=int, default=1000, metavar="N", help="golden vectors: at most N examples (1000)")
    g.add_argument("--task", help="the task whose test set gives the golden vectors")
    g.add_argument("--data-home", help="folder holding the data sets")


def testbench_data(args: argparse.Namespace, n_features: int):
    """The examples the golden vectors are made of: the task's test set or a data file, at most ``--vectors``."""
    if args.task:
        from lutlearn.datasets import get_task

        X = get_task(args.task, data_home=args.data_home).X_test
    elif args.testbench_data and args.testbench_data.lower().endswith(".pla"):
        from lutlearn.pla import read_pla

        X = read_pla(args.testbench_data).X
    elif args.testbench_data:
        from lutlearn.io import read_examples

        X = read_examples(args.testbench_data, None)[0]
        if X.ndim == 2 and X.shape[1] == n_features + 1:  # a labelled file: drop the label column
            X = X[:, :-1]
    else:
        raise ValueError("--testbench needs data for its golden vectors: --task NAME or --testbench-data FILE")
    if args.vectors < 1:
        raise ValueError(f"--vectors must be >= 1, got {args.vectors}")
    return X[: args.vectors]


def write_testbench_files(args: argparse.Namespace, model, net, timing, name: str) -> None:
    """Write the testbench and its vectors beside the design, and run it when Icarus Verilog is installed."""
    import shutil

    import numpy as np

    from lutlearn.export.top import bench_files, write_testbench, write_vectors

    X = testbench_data(args, net.n_inputs)
    if X.ndim != 2 or X.shape[1] != net.n_inputs:
        raise ValueError(f"the golden vectors need {net.n_inputs} input bits per example, the data has shape {X.shape}")
    tb, inputs, expected = bench_files(args.output)
    write_vectors(inputs, expected, X, np.searchsorted(model.classes_, model.predict(X)), net.n_outputs)
    text = write_testbench(
        name, net.n_inputs, net.n_outputs, len(X), timing, inputs.name, expected.name,
        args.word_width if args.top else None,
    )
    from lutlearn._files import atomic_writer

    with atomic_writer(tb, "w") as fh:
        fh.write(text)
    print(f"testbench written to {tb} with {len(X)} golden vectors ({inputs.name}, {expected.name})")
    if shutil.which("iverilog") is None:
        print(f"Icarus Verilog is not installed: run it with  iverilog -g2012 -o tb {tb.name} "
              f"{args.output} && vvp tb  (in {tb.parent})")
        return
    from lutlearn.export.tools import run_testbench

    r = run_testbench(tb, args.output)
    print(f"Icarus Verilog: {r['outputs']} outputs for {r['examples']} examples, {r['mismatches']} mismatches, "
          f"latency {r['latency_cycles']} cycles: {'passed' if r['passed'] else 'FAILED'}")
    if not r["passed"]:
        raise RuntimeError(f"the testbench {tb} failed")


def run(args: argparse.Namespace) -> int:
    from lutlearn.export import LutNetlist, export_model, format_from_path
    from lutlearn.export.aiger import count_ands

    check_outputs([args.output], [args.model])
    fmt = args.format or format_from_path(args.output)
    if args.optimize and fmt != "aiger":
        raise ValueError("--optimize applies to the AIGER format only")
    if (args.synth or args.top or args.pipeline or args.testbench) and fmt != "verilog":
        raise ValueError("--synth, --top, --pipeline and --testbench apply to the Verilog format only")
    model = load_network(args.model)
    net = LutNetlist.from_model(model)
    word_width = args.word_width if args.top else None
    export_model(
        model, args.output, fmt, with_main=args.with_main, name=args.name, net=net, progress=True,
        pipeline=args.pipeline, word_width=word_width, arithmetic=args.arithmetic,
    )
    outputs = "1 output" if net.n_outputs == 1 else f"{net.n_outputs} outputs (class index bits)"
    print(f"{fmt} circuit written to {args.output}: {model.n_features_in_} inputs, {outputs}, {len(net.luts)} luts")
    if fmt == "verilog":
        from lutlearn.export.top import top_timing
        from lutlearn.export.verilog import pipeline_registers

        name = args.name or "lutlearn_model"
        depth = int(net.levels()[net.outputs].max()) if net.outputs else 0
        timing = top_timing(net.n_inputs, word_width, pipeline_registers(net, args.pipeline, args.arithmetic))
        print(f"{depth} lut levels, {timing.pipeline_registers} pipeline registers"
              + (f"; top level {name}_top: {timing.n_words} words of {word_width} bits per example, "
                 f"class out {timing.latency_cycles} cycles after the first word, "
                 f"one example every {timing.cycles_per_example} cycles" if word_width else ""))
        if args.testbench:
            write_testbench_files(args, model, net, timing, name)
    if fmt == "aiger":
        print(f"AND gates: {count_ands(args.output)}")
        if args.optimize:
            from lutlearn.export.tools import optimize_aiger

            print(f"AND gates after ABC: {optimize_aiger(args.output)}")
    if args.synth:
        from lutlearn.export.tools import yosys_synth

        stats = yosys_synth(args.output, args.name or "lutlearn_model", target=args.synth)
        print(f"Yosys {args.synth}: {stats['luts']} luts, {stats['cells']} cells {stats['cells_by_type']}")
    return 0


def load_network(path):
    """The network a model or pipeline file holds; ValueError for a pipeline with encoders or without a network."""
    from sklearn.pipeline import Pipeline

    from lutlearn.commands._common import load_model
    from lutlearn.saving import network_of

    obj = load_model(path)
    network = network_of(obj)
    if network is None:
        raise ValueError(f"{path} holds no LutNetworkClassifier: only a network can be exported as a circuit")
    if isinstance(obj, Pipeline) and len(obj.steps) > 1:
        encoders = ", ".join(type(step).__name__ for _, step in obj.steps[:-1])
        raise ValueError(
            f"{path} is a pipeline with {encoders} before the network; encoders cannot be exported as circuits "
            "yet (a circuit reads the network's input bits): save the network alone (pipeline[-1].save(...)) "
            "and export that file"
        )
    return network
