"""``lutlearn memorization``: the literature's memorization protocols for lut networks and a small MLP."""

from __future__ import annotations

import argparse

from lutlearn.commands._common import (
    add_sweep_control_args,
    check_outputs,
    check_sweep_counts,
    print_sweep_result,
    sweep_n_jobs,
)

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
    p.add_argument("--data-home",
                   help="folder holding mnist/ and cifar10/ (default: $LUTLEARN_DATA or ~/.cache/lutlearn)")
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
    from lutlearn.datasets import parse_task_name
    from lutlearn.experiments.runner import run_suite
    from lutlearn.memorization import REGISTRY, LabConfig
    from lutlearn.memorization.mlp import TORCH_EXTRA_MESSAGE, torch_available

    check_sweep_counts(args, "seeds", "learners", "mlp_learners")
    check_outputs([], folders=[args.out])
    if args.mlp_n_train < 0:
        raise ValueError(f"--mlp-n-train must be 0 (all) or a positive number (got {args.mlp_n_train})")
    base, options = parse_task_name(args.task)
    if options:
        raise ValueError(f"--task takes a base task without options (got {args.task!r}); "
                         "the experiments set the subsample and randomizations themselves")
    mlp_missing = not args.no_mlp and not torch_available()
    cfg = LabConfig(task=base, quick=args.quick, seeds=args.seeds, learners=args.learners,
                    mlp=not args.no_mlp and not mlp_missing, mlp_learners=args.mlp_learners,
                    mlp_n_train=args.mlp_n_train or None)
    config = {"command": "memorization", "experiment": args.experiment, "task": base, "quick": args.quick,
              "seeds": args.seeds,
              "learners": args.learners, "mlp": cfg.mlp, "mlp_learners": args.mlp_learners,
              "mlp_n_train": cfg.mlp_n_train, "data_home": None if args.data_home is None else str(args.data_home),
              "n_jobs": args.n_jobs}
    command = f"lutlearn memorization {args.experiment} --task {cfg.task}" + (" --quick" if args.quick else "") + \
        (f" --seeds {args.seeds}" if args.seeds != 1 else "") + \
        (f" --learners {args.learners}" if args.learners != 100 else "") + \
        (f" --mlp-learners {args.mlp_learners}" if args.mlp_learners != 20 else "") + \
        (f" --mlp-n-train {args.mlp_n_train}" if args.mlp_n_train != 10000 else "") + \
        (" --no-mlp" if args.no_mlp else "") + (f" --data-home {args.data_home}" if args.data_home else "")
    notes = [f"**MLP runs left out**: {TORCH_EXTRA_MESSAGE}."] if mlp_missing else \
        ["MLP runs left out (`--no-mlp`)."] if args.no_mlp else []
    result = run_suite(REGISTRY, args.experiment, cfg, args.out, command=command, config=config, notes=notes,
                       data_home=args.data_home, n_jobs=args.n_jobs, force=args.force, report_only=args.report_only,
                       progress=not args.no_progress, dask=args.dask)
    if mlp_missing:
        print(f"note: MLP runs left out: {TORCH_EXTRA_MESSAGE}")
    print_sweep_result(result)
    return 0
