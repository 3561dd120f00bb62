"""``lutlearn reproduce``: rerun the paper's tables and figures and report ours beside the paper's numbers."""

from __future__ import annotations

import argparse

from lutlearn.commands._common import add_sweep_control_args, sweep_client, sweep_n_jobs

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
    p.add_argument("--data-home", help="folder holding mnist/ and cifar10/ (default: $LUTLEARN_DATA or ~/.cache/lutlearn)")
    p.add_argument("--out", default="reproduce-results", help="output folder (default: ./reproduce-results)")
    p.add_argument("--seeds", type=int, default=1, help="wirings per setting; numbers are means with std (default 1)")
    p.add_argument("--quick", action="store_true",
                   help="small stand-in tasks (8x8 digits) and fewer k: checks the pipeline in under a minute")
    p.add_argument("--slow", action="store_true", help="also run the conv net and the 300-tree random forest")
    add_sweep_control_args(p)


def run(args: argparse.Namespace) -> int:
    args.n_jobs = sweep_n_jobs(args)
    import datetime as dt
    import time
    from pathlib import Path

    from lutlearn.experiments import EXPERIMENTS, get_experiment
    from lutlearn.experiments.runner import execute, git_hash, load_records
    from lutlearn.report import write_report

    if args.seeds < 1:
        raise ValueError(f"--seeds must be at least 1 (got {args.seeds})")
    names = list(EXPERIMENTS) if args.experiment == "all" else [args.experiment]
    modules = [get_experiment(n) for n in names]
    plans = {m.NAME: m.plan(quick=args.quick, seeds=args.seeds, slow=args.slow) for m in modules}
    runs = [r for plan in plans.values() for r in plan]
    out = Path(args.out)
    config = {"experiment": args.experiment, "quick": args.quick, "seeds": args.seeds, "slow": args.slow,
              "data_home": None if args.data_home is None else str(args.data_home), "n_jobs": args.n_jobs}
    t0 = time.perf_counter()
    if args.report_only:
        outcome = None
    else:
        with sweep_client(args) as client:
            outcome = execute(runs, out, data_home=args.data_home, n_jobs=args.n_jobs, force=args.force,
                              progress=not args.no_progress, config=config, client=client)
    sections = [m.summarize(load_records(out, plans[m.NAME]), quick=args.quick, slow=args.slow) for m in modules]
    header = _header(args, outcome, git_hash(), dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
    path = write_report(sections, out, "report" if args.experiment == "all" else args.experiment, header)
    wall = time.perf_counter() - t0
    if outcome is not None:
        print(f"{outcome.ran} runs done ({outcome.failed} failed, {outcome.no_data} without data), "
              f"{outcome.skipped} already recorded; {wall:.1f} s")
    print(f"report: {path}")
    return 0


def _header(args, outcome, commit, date) -> str:
    lines = ["# Reproducing Chatterjee (2018), \"Learning and Memorization\"", ""]
    if args.quick:
        lines += ["**Quick mode**: small stand-in tasks (scikit-learn's 8x8 digits) and fewer settings; "
                  "these numbers check the pipeline and are not comparable with the paper's.", ""]
    cmd = f"lutlearn reproduce {args.experiment}" + (" --quick" if args.quick else "") + \
        (f" --seeds {args.seeds}" if args.seeds != 1 else "") + (" --slow" if args.slow else "") + \
        (f" --data-home {args.data_home}" if args.data_home else "")
    lines.append(f"Made by `{cmd}` on {date} (lutlearn commit {commit or 'unknown'}).")
    if outcome is not None:
        lines.append(f"This invocation ran {outcome.ran} runs in {outcome.seconds:.0f} s wall time "
                     f"({outcome.skipped} runs were already recorded and skipped).")
    lines += ["", "Each accuracy is ours (mean ± std over seeds when there are several), then the paper's "
              "number and the difference; `!` marks a difference beyond the target (0.02 on MNIST, "
              "0.03 on CIFAR-10). One JSON record per run is under `runs/`."]
    return "\n".join(lines)
