"""``lutlearn hw-report``: a model's top level synthesised, placed and routed by the open FPGA tools."""

from __future__ import annotations

import argparse

from lutlearn.commands._progress import add_progress_arg, phases, progress_enabled

NAME = "hw-report"
HELP = "hardware numbers of a model: Yosys synthesis and nextpnr place and route on a named FPGA"
EPILOG = """targets: ice40-hx8k, ice40-up5k (nextpnr-ice40), ecp5-85k (nextpnr-ecp5), xc7 and lut6
(synthesis only: lut counts, no open place and route). The design is the top level of
'lutlearn export --top' (inputs shifted in --word-width bits per cycle, registered inputs
and outputs, --pipeline registers). Tools: native yosys/nextpnr-* first, else the YoWASP
wheels of pip install 'lutlearn[fpga]'. A pipeline file (lutlearn.save) of an encoder and
a network is one design: raw integer features in (--feature-bits each), the encoder's
comparators counted in every figure.
examples:
  lutlearn hw-report mnist38.npz --target ice40-hx8k
  lutlearn hw-report mnist10.npz --target ecp5-85k --pipeline 4 --task multiclass-mnist \\
      --data-home ../shared/data -o mnist10-ecp5.json
  lutlearn hw-report boosted.npz --target lut6 --parallel --arithmetic luts
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    from lutlearn.export.fpga import TARGETS

    p.add_argument("model", help="model file written by lutlearn train, or a pipeline file (lutlearn.save) of an "
                                 "encoder and a network")
    p.add_argument("--target", required=True, choices=tuple(TARGETS), help="the FPGA or generic target")
    from lutlearn.commands._common import add_parallel_arg

    p.add_argument("--word-width", type=int, default=8, metavar="W", help="input bits per clock cycle (default 8)")
    add_parallel_arg(p)
    p.add_argument("--pipeline", type=int, default=0, metavar="N",
                   help="a pipeline register every N lut levels (default 0: none)")
    p.add_argument("--arithmetic", choices=("vectors", "luts"), default="vectors",
                   help="multi-class vote as + and > on vectors (carry chains, default) or as luts")
    p.add_argument("--scores", action="store_true",
                   help="multi-class models: the class scores are outputs of the design too")
    p.add_argument("--feature-bits", type=int, default=8, metavar="B",
                   help="a pipeline with an encoder: bits of each raw unsigned integer feature (default 8)")
    p.add_argument("--freq", type=float, default=100.0, metavar="MHZ",
                   help="clock constraint for nextpnr (default 100); the report gives the Fmax achieved")
    p.add_argument("--seed", type=int, default=1, help="nextpnr placement seed (default 1)")
    p.add_argument("--task", help="also report the model's accuracy on this task's test set (not for a pipeline "
                                  "with an encoder: tasks give bits)")
    p.add_argument("--data-home", help="folder holding the data sets")
    p.add_argument("-o", "--output", help="write the report as JSON there")
    p.add_argument("--keep", metavar="DIR", help="keep the Verilog, netlists and tool logs in DIR")
    add_progress_arg(p)


def run(args: argparse.Namespace) -> int:
    import json
    import math

    from lutlearn._files import atomic_writer
    from lutlearn.commands._common import (
        check_outputs,
        load_exportable,
        parallel_word_width,
        refuse_task_with_encoder,
    )
    from lutlearn.export.fpga import format_report, hardware_report
    from lutlearn.export.top import check_word_width

    check_outputs([args.output], [args.model], folders=[args.keep])
    if not (math.isfinite(args.freq) and args.freq > 0):
        raise ValueError(f"--freq must be a positive number of MHz, got {args.freq}")
    if not args.parallel:
        check_word_width(args.word_width)
    model, encoder, _ = load_exportable(args.model, "verilog")
    if args.parallel:
        args.word_width = parallel_word_width(model, args.feature_bits)
    if encoder is not None:
        from lutlearn.export.encoder import check_exportable_encoder

        check_exportable_encoder(encoder, args.feature_bits, args.model)
    accuracy = None
    refuse_task_with_encoder(args.task, encoder, "its accuracy cannot be measured on a task")
    if args.task:
        from lutlearn.datasets import get_task

        t = get_task(args.task, data_home=args.data_home)
        accuracy = round(float((model.predict(t.X_test) == t.y_test).mean()), 4)
    from lutlearn.export.fpga import TARGETS

    steps = ["Verilog", "Yosys synthesis"] + (["nextpnr place and route"] if TARGETS[args.target].pnr else [])
    with phases(f"hw-report {args.target}", steps, progress_enabled(args)) as start:
        report = hardware_report(
            model, args.target, word_width=args.word_width, pipeline=args.pipeline, freq_mhz=args.freq,
            seed=args.seed, workdir=args.keep, arithmetic=args.arithmetic, feature_bits=args.feature_bits,
            scores=args.scores, on_phase=start,
        )
    report = {"model": str(args.model), "accuracy": accuracy, "accuracy_task": args.task, **report}
    print(format_report(report))
    if args.output:
        with atomic_writer(args.output, "w") as fh:
            json.dump(report, fh, indent=2)
            fh.write("\n")
        print(f"report written to {args.output}")
    return 0
