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


def run(args: argparse.Namespace) -> int:
    from lutlearn.export import LutNetlist, export_model, format_from_path
    from lutlearn.export.aiger import count_ands

    check_outputs([args.output], [args.model])
    fmt = args.format or format_from_path(args.output)
    if args.optimize and fmt != "aiger":
        raise ValueError("--optimize applies to the AIGER format only")
    if args.synth and fmt != "verilog":
        raise ValueError("--synth applies to the Verilog format only")
    model = load_network(args.model)
    net = LutNetlist.from_model(model)
    export_model(model, args.output, fmt, with_main=args.with_main, name=args.name, net=net, progress=True)
    outputs = "1 output" if net.n_outputs == 1 else f"{net.n_outputs} outputs (class index bits)"
    print(f"{fmt} circuit written to {args.output}: {model.n_features_in_} inputs, {outputs}, {len(net.luts)} luts")
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

    from lutlearn.saving import load, network_of

    obj = load(path)
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
