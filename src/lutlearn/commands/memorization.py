"""``lutlearn memorization``: the literature's memorization protocols for lut networks and a small MLP."""

from __future__ import annotations

import argparse

from lutlearn.commands._common import add_sweep_control_args, sweep_client, sweep_n_jobs

NAME = "memorization"
HELP = "memorization lab: real vs random data (noise, difficulty, critical, capacity), lut networks and an MLP"
EPILOG = """experiments: noise difficulty critical capacity all
examples:
  lutlearn memorization all --quick --data-home ../shared/data --out /tmp/lab-quick   # seconds per experiment
  lutlearn memorization noise --data-home ../shared/data --out lab
  lutlearn memorization difficulty --learners 100 --data-home ../shared/data --out lab
  lutlearn memorization critical --no-mlp --data-home ../shared/data --out lab
  lutlearn memorization all --out lab --report-only          # re-render the report from the records
Runs already recorded in --out are skipped; --force reruns them. The MLP side needs the
optional extra lutlearn[torch]; without it the MLP runs are left out and the report says so.
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    from lutlearn.memorization import EXPERIMENTS

    p.add_argument("experiment", choices=[*EXPERIMENTS, "all"], metavar="EXPERIMENT",
                   help=f"one of {', '.join(EXPERIMENTS)}, or all")
    p.add_argument("--task", default="binary-mnist", help="base task (default: binary-mnist; see `lutlearn tasks`)")
    p.add_argument("--data-home", help="folder holding mnist/ and cifar10/ (default: $LUTLEARN_DATA or ~/.cache/lutlearn)")
    p.add_argument("--out", default="memorization-results", help="output folder (default: ./memorization-results)")
    p.add_argument("--quick", action="store_true",
                   help="subsample (1000 training, 500 test examples), small networks, few settings: seconds")
    p.add_argument("--seeds", type=int, default=1,
                   help="noise, critical, capacity: replicates, each with its own data draw and learner (default 1)")
    p.add_argument("--learners", type=int, default=100, help="difficulty: lut networks per setting (default 100)")
    p.add_argument("--mlp-learners", type=int, default=20, help="difficulty: MLPs per setting (default 20)")
    p.add_argument("--mlp-n-train", type=int, default=10000,
                   help="training examples of the MLP, a stratified subsample (default 10000; 0: all)")
    p.add_argument("--no-mlp", action="store_true", help="lut networks only")
    add_sweep_control_args(p)


def run(args: argparse.Namespace) -> int:
    args.n_jobs = sweep_n_jobs(args)
    import datetime as dt
    import time
    from pathlib import Path

    from lutlearn.datasets import parse_task_name
    from lutlearn.experiments.runner import execute, git_hash, load_records
    from lutlearn.memorization import EXPERIMENTS, LabConfig, get_experiment
    from lutlearn.memorization.mlp import TORCH_EXTRA_MESSAGE, require_torch, torch_available
    from lutlearn.memorization.runs import fit_and_measure
    from lutlearn.report import write_report

    for flag in ("seeds", "learners", "mlp_learners"):
        if getattr(args, flag) < 1:
            raise ValueError(f"--{flag.replace('_', '-')} must be at least 1 (got {getattr(args, flag)})")
    if args.mlp_n_train < 0:
        raise ValueError(f"--mlp-n-train must be 0 (all) or a positive number (got {args.mlp_n_train})")
    base, options = parse_task_name(args.task)
    if options:
        raise ValueError(f"--task takes a base task without options (got {args.task!r}); "
                         "the experiments set the subsample and randomizations themselves")
    mlp_missing = not args.no_mlp and not torch_available()
    cfg = LabConfig(task=base, quick=args.quick, seeds=args.seeds, learners=args.learners,
                    mlp=not args.no_mlp and not mlp_missing, mlp_learners=args.mlp_learners, mlp_n_train=args.mlp_n_train or None)
    names = list(EXPERIMENTS) if args.experiment == "all" else [args.experiment]
    modules = [get_experiment(n) for n in names]
    plans = {m.NAME: m.plan(cfg) for m in modules}
    out = Path(args.out)
    config = {"command": "memorization", "experiment": args.experiment, "task": base, "quick": args.quick,
              "seeds": args.seeds,
              "learners": args.learners, "mlp": cfg.mlp, "mlp_learners": args.mlp_learners,
              "mlp_n_train": cfg.mlp_n_train, "data_home": None if args.data_home is None else str(args.data_home),
              "n_jobs": args.n_jobs}
    t0 = time.perf_counter()
    outcome = None
    if cfg.mlp and not args.report_only:
        require_torch()  # imported before the records' provenance is taken, so they name its version
    if not args.report_only:
        runs = [r for plan in plans.values() for r in plan]
        with sweep_client(args) as client:
            outcome = execute(runs, out, data_home=args.data_home, n_jobs=args.n_jobs, force=args.force,
                              progress=not args.no_progress, config=config, fit=fit_and_measure,
                              desc="memorization", client=client)
    sections = []
    for m in modules:
        records = load_records(out, plans[m.NAME])
        if m.NAME == "difficulty":
            sections.append(m.summarize(records, cfg, images=_test_images(cfg, args.data_home)))
        else:
            sections.append(m.summarize(records, cfg))
    header = _header(args, cfg, outcome, mlp_missing, TORCH_EXTRA_MESSAGE, git_hash(),
                     dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
    path = write_report(sections, out, "memorization" if args.experiment == "all" else args.experiment, header)
    wall = time.perf_counter() - t0
    if mlp_missing:
        print(f"note: MLP runs left out: {TORCH_EXTRA_MESSAGE}")
    if outcome is not None:
        print(f"{outcome.ran} runs done ({outcome.failed} failed, {outcome.no_data} without data), "
              f"{outcome.skipped} already recorded; {wall:.1f} s")
    print(f"report: {path}")
    return 0


def _test_images(cfg, data_home):
    """The measured test inputs of the base task, for the difficulty image grid (None if they cannot be loaded)."""
    from lutlearn.datasets import get_task
    from lutlearn.memorization.runs import test_subset

    try:
        task = get_task(cfg.task, data_home=data_home)
    except (OSError, ValueError):
        return None
    return task.X_test[test_subset(task.y_test, cfg.n_test)]


def _header(args, cfg, outcome, mlp_missing, torch_message, commit, date) -> str:
    lines = ["# Memorization lab: real versus random data", ""]
    if args.quick:
        lines += [f"**Quick mode**: {cfg.quick_n_train} training and {cfg.quick_n_test} test examples, small "
                  "networks, few settings: these numbers check the pipeline, not the claims.", ""]
    cmd = f"lutlearn memorization {args.experiment} --task {cfg.task}" + (" --quick" if args.quick else "") + \
        (f" --seeds {args.seeds}" if args.seeds != 1 else "") + \
        (f" --learners {args.learners}" if args.learners != 100 else "") + \
        (f" --mlp-learners {args.mlp_learners}" if args.mlp_learners != 20 else "") + \
        (f" --mlp-n-train {args.mlp_n_train}" if args.mlp_n_train != 10000 else "") + \
        (" --no-mlp" if args.no_mlp else "") + (f" --data-home {args.data_home}" if args.data_home else "")
    lines.append(f"Made by `{cmd}` on {date} (lutlearn commit {commit or 'unknown'}).")
    if outcome is not None:
        lines.append(f"This invocation ran {outcome.ran} runs in {outcome.seconds:.0f} s wall time "
                     f"({outcome.skipped} runs were already recorded and skipped).")
    if mlp_missing:
        lines += ["", f"**MLP runs left out**: {torch_message}."]
    elif args.no_mlp:
        lines += ["", "MLP runs left out (`--no-mlp`)."]
    lines += ["", "Protocols of Zhang et al. (2017) and Arpit et al. (2017). One JSON record per run is under "
              "`runs/`; 'paper' columns do not apply here (there are no published numbers for these settings)."]
    return "\n".join(lines)
