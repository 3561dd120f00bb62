"""``lutlearn reproduce``: rerun the paper's tables and figures and report ours beside the paper's numbers."""

from __future__ import annotations

import argparse

from lutlearn.commands._common import (
    add_sweep_control_args,
    check_outputs,
    check_sweep_counts,
    print_sweep_result,
    sweep_n_jobs,
)

NAME = "reproduce"
HELP = "reproduce the paper's tables and figures (JSON records, Markdown report, PNG figures)"
EPILOG = """experiments: table1 table2 table3 table4 figure1 depth all
examples:
  lutlearn reproduce all --quick --out /tmp/quick          # Binary-Digits stand-ins, under a minute
  lutlearn reproduce table2 --data-home ../shared/data --out results
  lutlearn reproduce all --data-home ../shared/data --out results --seeds 3
  lutlearn reproduce table1 --data-home ../shared/data --out results --slow   # + conv net, 300-tree forest
  lutlearn reproduce all --out results --report-only        # re-render the report from the records
Runs already recorded in --out are skipped; --force reruns them.
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    from lutlearn.experiments import EXPERIMENTS

    p.add_argument("experiment", choices=[*EXPERIMENTS, "all"], metavar="EXPERIMENT",
                   help=f"one of {', '.join(EXPERIMENTS)}, or all")
    p.add_argument("--data-home",
                   help="folder holding mnist/ and cifar10/ (default: $LUTLEARN_DATA or ~/.cache/lutlearn)")
    p.add_argument("--out", default="reproduce-results", help="output folder (default: ./reproduce-results)")
    p.add_argument("--seeds", type=int, default=1, help="wirings per setting; numbers are means with std (default 1)")
    p.add_argument("--quick", action="store_true",
                   help="small stand-in tasks (8x8 digits) and fewer k: checks the pipeline in under a minute")
    p.add_argument("--slow", action="store_true", help="also run the conv net and the 300-tree random forest")
    add_sweep_control_args(p)


def run(args: argparse.Namespace) -> int:
    args.n_jobs = sweep_n_jobs(args)
    from lutlearn.experiments import REGISTRY, PaperConfig
    from lutlearn.experiments.runner import run_suite

    check_sweep_counts(args, "seeds")
    check_outputs([], folders=[args.out])
    config = {"experiment": args.experiment, "quick": args.quick, "seeds": args.seeds, "slow": args.slow,
              "data_home": None if args.data_home is None else str(args.data_home), "n_jobs": args.n_jobs}
    command = f"lutlearn reproduce {args.experiment}" + (" --quick" if args.quick else "") + \
        (f" --seeds {args.seeds}" if args.seeds != 1 else "") + (" --slow" if args.slow else "") + \
        (f" --data-home {args.data_home}" if args.data_home else "")
    result = run_suite(REGISTRY, args.experiment, PaperConfig(quick=args.quick, seeds=args.seeds, slow=args.slow),
                       args.out, command=command, config=config, data_home=args.data_home, n_jobs=args.n_jobs,
                       force=args.force, report_only=args.report_only, progress=not args.no_progress,
                       dask=args.dask)
    print_sweep_result(result)
    return 0
