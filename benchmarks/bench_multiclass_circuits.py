"""Classifiers of ten classes and functions of many outputs, each as one AIG under AND budgets, beside a tree.

The IWLS 2021 programming contest learned CIFAR-10's ten classes as one AIG
of at most 10,000, 100,000 and 1,000,000 ANDs; the second-placed team's
circuits (decision trees voting one-against-one, and a quantized network for
the largest budget) reached 0.3931, 0.4469 and 0.5468 test accuracy. For
every task and budget this runs, on the same splits (the last ``--n-valid``
training rows validate; the test split scores):

* ``boosted``: :func:`lutlearn.circuits.multiclass.fit_multiclass_circuit`
  with its defaults (lut sizes 4, 5, 6; learning rates 0.2 and 0.5; the
  number of luts doubled until the budget, then filled);
* ``tree``: :func:`lutlearn.circuits.tree.fit_tree_circuit`, the depth-limited
  decision tree with the best validation accuracy whose AIG fits the budget
  (depths stop after two in a row over the budget).

Both read the task's bits (pixel > 127: the top bit of each 8-bit pixel, so
the same circuit on the contest's raw pixel inputs costs no more gates), and
output the class index in binary (one-hot outputs, the contest's format, add
about ten gates: ``lutlearn fit-circuit --task ... --one-hot``). Test
accuracy is the circuit's own, simulated; gates are counted after ABC when
it is installed. Prints a Markdown table and writes everything, with
provenance, as JSON, rewritten after every row.

``--multi-output`` runs the generated multi-output families
(:mod:`lutlearn.circuits.multi_tasks`: whole adders, multipliers, dividers,
the three-way comparator, shared-term DNFs) instead, each under one budget
(``--multi-budget``):

* ``per-output``: :func:`lutlearn.circuits.multioutput.fit_multioutput_circuit`
  without the joint care table (``joint_table=0``) and with ``lutlearn
  fit-circuit``'s search defaults: every output's circuits under half, one
  and two equal shares of the budget, the budget spent by validation gain
  per gate, the circuits merged and optimised by ABC together
  (``and_gates``) beside their sum apart (``and_gates_separate``);
* ``fit-circuit``: the same with the joint care table (``joint_table=``
  :data:`~lutlearn.circuits.multioutput.JOINT_TABLE_INPUTS`, what ``lutlearn
  fit-circuit`` does): one memorized table of all the outputs over the
  inputs they share (all of them up to that many, else a support chosen
  for all the outputs together), synthesised as one circuit and offered to
  every output; an output it validates perfectly is not searched on its
  own. Without ABC it is the same call as ``per-output``, so that row is
  reused (``same_as``) rather than computed twice;
* ``tree``: a decision tree per output under an equal share, merged and
  optimised the same way.

Their rows give the mean of the outputs' test accuracies and the share of
test rows whose every output is right::

    python benchmarks/bench_multiclass_circuits.py --data-home ../shared/data -o multiclass-circuits.json
    python benchmarks/bench_multiclass_circuits.py --budgets 10000,100000 --tasks multiclass-mnist -o m.json
    python benchmarks/bench_multiclass_circuits.py --quick -o quick.json     # digits, small budgets, seconds
    python benchmarks/bench_multiclass_circuits.py --multi-output -o multi-output.json
    python benchmarks/bench_multiclass_circuits.py --multi-output --quick -o quick.json   # add:4, seconds
    python benchmarks/bench_multiclass_circuits.py --render m.json          # the table of a JSON file
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from bench_circuits import _cpu_seconds, _git_commit  # this folder's circuit benchmark: provenance and CPU time

#: The contest's published figures (second place, IWLS 2021) per budget, for the table.
IWLS2021_SECOND = {10_000: 0.3931, 100_000: 0.4469, 1_000_000: 0.5468}


def _splits(task: str, data_home: str | None, n_valid: int | None):
    from lutlearn.datasets import get_task

    t = get_task(task, data_home=data_home)
    n = n_valid if n_valid is not None else (len(t.X_train) // 4 if "digits" in task else 10000)
    return t.X_train[:-n], t.y_train[:-n], t.X_train[-n:], t.y_train[-n:], t.X_test, t.y_test


def _raw_splits(task: str, data_home: str | None, n_valid: int | None, levels: int):
    """The splits of :func:`_splits` with raw 8-bit pixels, and the thermometer code of ``levels`` uniform
    thresholds (fitted on the training rows) as the circuit's comparators."""
    import numpy as np

    from lutlearn.commands._fit_multiclass import raw_splits
    from lutlearn.core.encoders import ThermometerEncoder
    from lutlearn.export.encoder import InputEncoder

    X, y, Xt, yt = (np.asarray(a) for a in raw_splits(task, data_home))
    n = n_valid if n_valid is not None else (len(X) // 4 if "digits" in task else 10000)
    encoder = InputEncoder.from_encoder(ThermometerEncoder(n_bits=levels, method="uniform").fit(X[:-n]))
    return (X[:-n], y[:-n], X[-n:], y[-n:], Xt, yt), encoder


def run_row(task: str, budget: int, learner: str, data, cfg: dict, encoder=None) -> dict:
    """Fit one learner under one budget; its circuit's test accuracy, gates and time (with ``encoder``, the
    boosted circuit reads the raw features of ``data`` through its comparators)."""
    from lutlearn.circuits.multiclass import circuit_predict, fit_multiclass_circuit
    from lutlearn.circuits.tree import fit_tree_circuit
    from lutlearn.export.aiger import parse_aiger

    X, y, Xv, yv, Xt, yt = data
    t0, c0 = time.perf_counter(), _cpu_seconds()
    one_hot = False
    if learner == "boosted":
        one_hot = cfg.get("one_hot", False)
        r = fit_multiclass_circuit(X, y, Xv, yv, budget, ks=cfg["ks"], learning_rates=cfg["learning_rates"],
                                   encoder=encoder, one_hot=one_hot, output_bits=cfg.get("output_bits", 1),
                                   start_luts=cfg.get("start_luts"), n_jobs=cfg.get("n_jobs", 1),
                                   refit=cfg.get("refit", False), use_abc=cfg["abc"], progress=False)
        aig, classes, valid = parse_aiger(r.aig), r.classes, r.valid_accuracy
        chosen = f"k={r.model.output_k} rate={r.model.learning_rate} luts={r.model.n_output_luts}"
        if r.model.output_bits != 1:
            chosen += f" votes={r.model.output_bits} bits"
        if encoder is not None:
            Xt = encoder.raw_bits(Xt)
            chosen += f", raw pixels, {cfg['levels']} thresholds each"
        if r.refitted:
            chosen += ", refitted on training + validation rows"
    else:
        r = fit_tree_circuit(X, y, Xv, yv, budget, patience=2)
        aig, classes, valid = r.aig, r.tree.classes_, r.valid_accuracy
        if cfg["abc"]:  # the tree's circuit as ABC leaves it
            from lutlearn.circuits.search import _abc_count
            from lutlearn.export.tools import ABC_SCRIPT

            with tempfile.TemporaryDirectory() as tmp:
                aig = parse_aiger(_abc_count(aig.to_bytes(), tmp, ABC_SCRIPT)[1])
        chosen = f"max_depth={r.max_depth}"
    test = float((circuit_predict(aig.evaluate(Xt), classes, one_hot) == yt).mean())
    return {"task": task, "budget": budget, "learner": learner, "test_accuracy": test, "valid_accuracy": valid,
            "and_gates": aig.n_ands, "levels": aig.levels, "seconds": round(time.perf_counter() - t0, 2),
            "cpu_seconds": round(_cpu_seconds() - c0, 2), "chosen": chosen}


#: The multi-output families of ``--multi-output``.
MULTI_TASKS = ("add:8", "mul:6", "div:8", "cmp3:16", "mdnf:24:12:8:0")


#: The learners of ``--multi-output``.
MULTI_LEARNERS = ("tree", "per-output", "fit-circuit")


def joint_inputs(learner: str, abc: bool) -> int:
    """The ``joint_table`` of a multi-output learner (0 where it does not apply, without ABC; so ``fit-circuit``
    and ``per-output`` are the same call exactly when this is equal)."""
    from lutlearn.circuits.multioutput import JOINT_TABLE_INPUTS

    return JOINT_TABLE_INPUTS if learner == "fit-circuit" and abc else 0


def run_multi_row(spec: str, budget: int, learner: str, cfg: dict) -> dict:
    """Learn every output of a generated multi-output task as one circuit; its test figures."""
    from lutlearn.circuits.multi_tasks import make_multi_task
    from lutlearn.circuits.multioutput import fit_multioutput_circuit, merge_aigs
    from lutlearn.circuits.search import SEARCH_DEFAULTS, _abc_smaller
    from lutlearn.circuits.tree import fit_tree_circuit
    from lutlearn.export.tools import ABC_SCRIPT

    t = make_multi_task(spec, n_split=cfg["n_split"])
    t0, c0 = time.perf_counter(), _cpu_seconds()
    joint = "-"
    if learner in ("per-output", "fit-circuit"):
        options = ({"ks": (2, 4), "depths": (0, 1), "max_width": 16, "full_table": 8} if cfg["quick"]
                   else dict(SEARCH_DEFAULTS))
        r = fit_multioutput_circuit(t.X_train, t.Y_train, t.X_valid, t.Y_valid, budget, use_abc=cfg["abc"],
                                    joint_table=joint_inputs(learner, cfg["abc"]), progress=False,
                                    **options)
        joint = sum(c.circuit_gates is not None for c in r.outputs)
        data, gates, apart = r.aig, r.and_gates, r.and_gates_separate
    else:
        share = budget // t.Y_train.shape[1]
        trees = [fit_tree_circuit(t.X_train, t.Y_train[:, o], t.X_valid, t.Y_valid[:, o], share)
                 for o in range(t.Y_train.shape[1])]
        merged = merge_aigs(t.X_train.shape[1], [tr.aig.to_bytes() for tr in trees])
        data, gates, apart = merged.to_bytes(), merged.n_ands, sum(tr.and_gates for tr in trees)
        if cfg["abc"]:
            with tempfile.TemporaryDirectory() as tmp:
                data, gates = _abc_smaller(data, gates, tmp, ABC_SCRIPT)
    from lutlearn.export.aiger import parse_aiger

    aig = parse_aiger(data)
    out = aig.evaluate(t.X_test)
    right = out == t.Y_test
    return {"task": spec, "budget": budget, "learner": learner, "n_outputs": int(t.Y_test.shape[1]),
            "test_accuracy": float(right.mean()), "all_outputs_right": float(right.all(axis=1).mean()),
            "and_gates": aig.n_ands, "and_gates_separate": apart, "levels": aig.levels,
            "seconds": round(time.perf_counter() - t0, 2), "cpu_seconds": round(_cpu_seconds() - c0, 2),
            "chosen": f"{len(t.output_names)} outputs", "n_inputs": int(t.X_train.shape[1]),
            "outputs_from_joint_table": joint}


def multi_rows(spec: str, budget: int, learners: list, cfg: dict) -> list[dict]:
    """Every learner's row for one multi-output task; a learner that would make the same call as one before it
    (``fit-circuit`` where the joint table does not apply) reuses that row, marked ``same_as``."""
    done: dict = {}  # (learner kind, joint_table) -> the row computed for it
    rows = []
    for learner in learners:
        key = ("tree",) if learner == "tree" else ("search", joint_inputs(learner, cfg["abc"]))
        row = (dict(done[key], learner=learner, same_as=done[key]["learner"]) if key in done
               else run_multi_row(spec, budget, learner, cfg))
        done.setdefault(key, row)
        rows.append(row)
    return rows


def render(doc: dict) -> str:
    """The Markdown table of a result file."""
    if doc["config"].get("multi_output"):
        lines = ["| task | outputs | budget | learner | mean test accuracy | rows all right | ANDs | ANDs apart | "
                 "from the joint table | CPU s |", "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|"]
        for r in doc["results"]:
            cpu = f"= {r['same_as']}" if r.get("same_as") else f"{r['cpu_seconds']:.0f}"
            lines.append(f"| {r['task']} | {r['n_outputs']} | {r['budget']:,} | {r['learner']} | "
                         f"{r['test_accuracy']:.4f} | {r['all_outputs_right']:.4f} | {r['and_gates']:,} | "
                         f"{r['and_gates_separate']:,} | {r.get('outputs_from_joint_table', '-')} | {cpu} |")
        return "\n".join(lines)
    lines = ["| task | budget | learner | test accuracy | ANDs | levels | CPU s | chosen |",
             "|---|---:|---|---:|---:|---:|---:|---|"]
    for r in doc["results"]:
        lines.append(f"| {r['task']} | {r['budget']:,} | {r['learner']} | {r['test_accuracy']:.4f} | "
                     f"{r['and_gates']:,} | {r['levels']} | {r['cpu_seconds']:.0f} | {r['chosen']} |")
    lines += ["", "IWLS 2021, CIFAR-10, second place: " + ", ".join(
        f"{v:.4f} within {k:,} ANDs" for k, v in IWLS2021_SECOND.items()) + "."]
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--tasks", default="multiclass-mnist,multiclass-cifar10")
    p.add_argument("--budgets", default="10000,100000", help="AND budgets (comma-separated)")
    p.add_argument("--learners", default="tree,boosted",
                   help="tree and boosted; with --multi-output tree, per-output and fit-circuit (the default)")
    p.add_argument("--ks", default="4,5,6", help="boosted lut sizes")
    p.add_argument("--learning-rates", default="0.2,0.5", help="boosted learning rates")
    p.add_argument("--n-valid", type=int, default=None, help="validation rows (default 10000; digits a quarter)")
    p.add_argument("--levels", type=int, default=None, metavar="L",
                   help="boosted circuits read the raw 8-bit pixels (the IWLS 2021 contest's inputs) through a "
                        "thermometer code of L uniform thresholds per pixel, its comparators in the budget "
                        "(default: the task's bits; trees always read those)")
    p.add_argument("--one-hot", action="store_true", help="boosted circuits output one bit per class")
    p.add_argument("--output-bits", type=int, default=1, help="bits of every boosted lut's vote (default 1)")
    p.add_argument("--start-luts", type=int, default=None, help="luts of every boosted family's first design")
    p.add_argument("--n-jobs", type=int, default=1, help="threads of each boosted fit (default 1)")
    p.add_argument("--refit", action="store_true", help="boosted: fit the chosen design again on training + "
                   "validation rows for the final circuit when it fits the budget too")
    p.add_argument("--data-home", default="../shared/data")
    p.add_argument("--no-abc", action="store_true", help="count gates without ABC")
    p.add_argument("--quick", action="store_true", help="the bundled digits at 1,000 and 3,000 ANDs (seconds); with "
                   "--multi-output: add:4, quick searches")
    p.add_argument("--multi-output", action="store_true", help="the generated multi-output families instead")
    p.add_argument("--multi-tasks", default=",".join(MULTI_TASKS), help="with --multi-output: the tasks")
    p.add_argument("--multi-budget", type=int, default=5000, help="with --multi-output: the budget (default 5000)")
    p.add_argument("--jobs", type=int, default=1, help="with --multi-output: tasks run at once (default 1)")
    p.add_argument("--render", metavar="JSON", help="print the table of a result file and exit")
    p.add_argument("-o", "--output", help="JSON file to write")
    args = p.parse_args(argv)
    if args.render:
        print(render(json.loads(Path(args.render).read_text())))
        return 0
    from lutlearn.export.tools import find_abc

    if args.quick:
        args.tasks, args.budgets, args.ks = "multiclass-digits", "1000,3000", "4"
        args.multi_tasks, args.multi_budget = "add:4", 300
    learners = args.learners.split(",")
    if args.multi_output:
        learners = list(MULTI_LEARNERS) if args.learners == p.get_default("learners") else learners
        if set(learners) - set(MULTI_LEARNERS):
            p.error(f"--learners with --multi-output takes {', '.join(MULTI_LEARNERS)}; got {args.learners}")
    elif set(learners) - {"tree", "boosted"}:
        p.error(f"--learners takes tree and boosted; got {args.learners}")
    cfg = {"multi_output": args.multi_output, "quick": args.quick, "multi_tasks": args.multi_tasks.split(","),
           "multi_budget": args.multi_budget, "n_split": 800 if args.quick else 6400,
           "tasks": args.tasks.split(","), "budgets": [int(b) for b in args.budgets.split(",")],
           "learners": learners, "ks": tuple(int(k) for k in args.ks.split(",")),
           "learning_rates": tuple(float(r) for r in args.learning_rates.split(",")), "n_valid": args.n_valid,
           "abc": not args.no_abc and find_abc() is not None, "levels": args.levels, "one_hot": args.one_hot,
           "output_bits": args.output_bits, "start_luts": args.start_luts, "n_jobs": args.n_jobs,
           "refit": args.refit}
    doc = {"benchmark": "bench_multiclass_circuits", "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
           "config": cfg, "git_commit": _git_commit(),
           "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
           "machine": {"python": platform.python_version(), "processor": platform.processor() or platform.machine(),
                       "cpus": os.cpu_count()},
           "results": [], "complete": False}

    def write() -> None:
        if args.output:
            tmp = Path(args.output + ".tmp")
            tmp.write_text(json.dumps(doc, indent=1))
            tmp.replace(args.output)

    if args.multi_output:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=args.jobs) as pool:  # a task's rows in one worker, in task order
            for spec, rows in zip(cfg["multi_tasks"], pool.map(multi_rows, cfg["multi_tasks"],
                                                               [args.multi_budget] * len(cfg["multi_tasks"]),
                                                               [learners] * len(cfg["multi_tasks"]),
                                                               [cfg] * len(cfg["multi_tasks"]))):
                for row in rows:
                    doc["results"].append(row)
                    print(f"  {spec} {row['learner']}: test {row['test_accuracy']:.4f}, all right "
                          f"{row['all_outputs_right']:.4f}, {row['and_gates']} ANDs ({row['and_gates_separate']} "
                          f"apart), {row['cpu_seconds']:.0f} s CPU", file=sys.stderr, flush=True)
                write()
    for task in [] if args.multi_output else cfg["tasks"]:
        data = _splits(task, args.data_home, args.n_valid)
        raw, encoder = (_raw_splits(task, args.data_home, args.n_valid, args.levels) if args.levels
                        else (data, None))
        for budget in cfg["budgets"]:
            for learner in learners:
                row = (run_row(task, budget, learner, raw, cfg, encoder) if learner == "boosted"
                       else run_row(task, budget, learner, data, cfg))
                doc["results"].append(row)
                print(f"  {task} {budget:,} {learner}: test {row['test_accuracy']:.4f}, {row['and_gates']} ANDs, "
                      f"{row['cpu_seconds']:.0f} s CPU ({row['chosen']})", file=sys.stderr, flush=True)
                write()
    doc["complete"] = True
    write()
    print(render(doc))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
