"""Circuits learned under an AND budget on generated contest-like tasks: fit-circuit, greedy, random wiring, tree.

For every task (``lutlearn.circuits.logic_tasks.make_task(spec, seed=0)``) each
learner of :data:`LEARNERS` runs on the same train / valid / test splits:

* ``tree``: the decision-tree baseline (``lutlearn.circuits.tree.fit_tree_circuit``);
* ``random``: ``lutlearn.circuits.search.fit_circuit`` with the paper's random wiring;
* ``greedy``: the same search with chosen support (``wiring="greedy"``);
* ``fit-circuit``: the same search with ``lutlearn fit-circuit``'s defaults
  (``lutlearn.circuits.search.SEARCH_DEFAULTS``: both wirings, both fills of unseen
  patterns, greedy luts of 10 and 12 inputs, cascades, boosted luts of 4 and
  6 inputs, and with ABC the care tables: the truth table of up to 20
  inputs, or of up to 20 chosen inputs of at most 256, memorized with the
  unseen patterns as don't-cares);
* ``boosted`` (not run unless ``--learners`` names it): the search with
  the boosted luts alone (``lutlearn.circuits.boosting``);
* ``fit-circuit-unboosted`` (likewise): ``fit-circuit`` without the
  boosted luts, to compare with and without them in one run.

Each circuit's test accuracy is measured by simulating its AIG on the test
split, and its AND gates and levels (AIG depth) are counted. Prints a
Markdown table (per family and overall: mean test accuracy, ANDs, levels and
seconds per task for each learner; then per task) and writes everything,
with provenance, as JSON (each row also holds the learner's CPU seconds,
``cpu_seconds``: its threads and ABC's processes, the measure that does not
depend on what else the machine runs)::

    python benchmarks/bench_circuits.py --data-home ../shared/data -o circuits.json
    python benchmarks/bench_circuits.py --suite --jobs 2 --abc --data-home ../shared/data -o suite.json
    python benchmarks/bench_circuits.py --suite --resume -o suite.json   # finish an interrupted run
    python benchmarks/bench_circuits.py --suite --no-images --abc --data-home ../shared/data -o s.json  # 70 tasks
    python benchmarks/bench_circuits.py --images --learners tree,fit-circuit-unboosted,boosted,fit-circuit \
        --abc --data-home ../shared/data -o images.json                   # the image families
    python benchmarks/bench_circuits.py --quick -o quick.json      # small tasks, seconds
    python benchmarks/bench_circuits.py --render circuits.json     # the table of a JSON file

``--suite`` runs every task of ``lutlearn.circuits.logic_tasks.SUITE`` (its image
tasks read MNIST and CIFAR-10 from ``--data-home``), ``--images`` those of
``IMAGE_SUITE`` (the suite's MNIST and CIFAR-10 group comparisons and a few
more of each). ``--jobs N`` runs N
tasks at a time in separate processes, each learner single-threaded: the
results are those of ``--jobs 1`` but for the times. The JSON file (``-o``)
is rewritten after every task, so an interrupted run loses at most the
tasks in progress; ``--resume`` reads it and runs only the tasks it lacks
(with the same settings). A line on stderr reports each finished task.

Gate counts and levels are our AIG's (before ABC) unless ``--abc``: then the
searches count gates after ABC, and every delivered circuit's ANDs and
levels are ABC's own (``strash; print_stats``), the contest's unit. ABC
only removes gates, so a circuit within budget before ABC is within it after.
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np

#: Tasks of the default run: comparators, functions of a few hidden inputs, adders, a symmetric and an image task.
TASKS = (
    "cmp:20", "cmp:40", "cmp:100",
    "few:32:2:0", "few:64:3:1", "few:128:4:2", "few:256:4:3",
    "xor-few:128:2:0", "xor-few:256:3:1", "xor-few:100:4:2",
    "add-carry:32", "add-msb:32", "sym:16:1", "mnist:4-9",
)
QUICK_TASKS = ("cmp:20", "few:64:3:1", "xor-few:128:2:0", "add-carry:16")
#: The learners run on every task, in table order (run_task has a branch for each).
LEARNERS = ("tree", "random", "greedy", "fit-circuit")
#: Further learners ``--learners`` may name.
EXTRA_LEARNERS = ("boosted", "fit-circuit-unboosted")
#: Settings a resumed run must share with the JSON file it completes.
RESUME_KEYS = ("n_split", "max_and_gates", "ks", "depths", "max_width", "abc", "learners")


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent, capture_output=True,
                             text=True, timeout=10)
    except OSError:
        return None
    return out.stdout.strip() or None


def abc_stats(aig) -> tuple[int, int]:
    """``(AND gates, levels)`` of an :class:`~lutlearn.export.aiger.Aig` as ABC counts them
    (``strash; print_stats``)."""
    import re

    from lutlearn.export.tools import run_abc

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "c.aig")
        with open(path, "wb") as fh:
            fh.write(aig.to_bytes())
        out = run_abc(f"read {path}; strash; print_stats")
    m = re.search(r"and\s*=\s*(\d+)\s+lev\s*=\s*(\d+)", out)
    if not m:
        raise RuntimeError(f"no gate count in ABC's print_stats:\n{out}")
    return int(m.group(1)), int(m.group(2))


def _cpu_seconds() -> float:
    """CPU seconds of this process (every thread) and of its finished children (ABC)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def run_task(spec: str, cfg: dict) -> list[dict]:
    """Every learner's row for one task."""
    from lutlearn.circuits.logic_tasks import make_task
    from lutlearn.circuits.search import SEARCH_DEFAULTS, fit_circuit
    from lutlearn.circuits.tree import fit_tree_circuit
    from lutlearn.export.aiger import parse_aiger

    t = make_task(spec, seed=0, n_split=cfg["n_split"], data_home=cfg["data_home"])
    rows = []
    for learner in cfg.get("learners", LEARNERS):
        t0, c0 = time.perf_counter(), _cpu_seconds()
        if learner == "tree":
            res = fit_tree_circuit(t.X_train, t.y_train, t.X_valid, t.y_valid, cfg["max_and_gates"])
            aig, valid, gates, desc = res.aig, res.valid_accuracy, res.and_gates, f"max_depth={res.max_depth}"
        else:
            search = {"fit-circuit": SEARCH_DEFAULTS, "fit-circuit-unboosted": {**SEARCH_DEFAULTS, "boosted": ()},
                      "boosted": {"learners": ["boosted"], "boosted": SEARCH_DEFAULTS["boosted"],
                                  "boosted_min_gain": SEARCH_DEFAULTS["boosted_min_gain"]},
                      }.get(learner, {"wirings": (learner,)})
            s = fit_circuit(
                t.X_train, t.y_train, t.X_valid, t.y_valid, cfg["max_and_gates"], ks=cfg["ks"], depths=cfg["depths"],
                max_width=cfg["max_width"], use_abc=cfg["abc"], progress=False, **search,
            )
            aig, valid, gates = parse_aiger(s.aig), s.best.valid_accuracy, s.and_gates
            desc = (f"cascade k={s.best.k} threshold={s.best.threshold}" if s.best.wiring == "cascade"
                    else f"boosted k={s.best.k} luts={s.best.n_output_luts}" if s.best.wiring == "boosted"
                    else f"k={s.best.k} hidden={list(s.best.hidden_layers)} {s.best.wiring} fill={s.best.fill}")
            if s.trained_on != "train":
                desc += f" trained on {s.trained_on}"
            if s.model is not None and s.model.classes_.tolist() != [0, 1]:  # a constant target cannot occur here
                raise RuntimeError(f"{spec}: classes {s.model.classes_}")
        seconds, cpu = time.perf_counter() - t0, _cpu_seconds() - c0
        test = float(np.mean(aig.evaluate(t.X_test)[:, 0] == t.y_test))
        gates, levels = abc_stats(aig) if cfg["abc"] else (gates, aig.levels)
        rows.append({"task": spec, "family": t.family, "learner": learner, "valid_accuracy": valid,
                     "test_accuracy": test, "and_gates": int(gates), "levels": int(levels),
                     "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3), "chosen": desc})
        print(f"  {spec:<18} {learner:<7} test {test:.4f} valid {valid:.4f} {gates:>5} ANDs {levels:>3} levels "
              f"{seconds:7.1f} s ({desc})", file=sys.stderr, flush=True)
    return rows


def learners_of(rows: list[dict]) -> list[str]:
    """The learners in ``rows``: those of :data:`LEARNERS` first, in its order, then any other in order of
    appearance (a JSON file written by a version with other learners still renders)."""
    seen = list(dict.fromkeys(r["learner"] for r in rows))
    return [lr for lr in LEARNERS if lr in seen] + [lr for lr in seen if lr not in LEARNERS]


def summarize(rows: list[dict]) -> dict:
    """Per family, then ``"overall"``, per learner: the number of tasks and the means of test accuracy, AND
    gates, levels and seconds over that family's tasks (families in order of first appearance)."""
    families = list(dict.fromkeys(r["family"] for r in rows))
    out = {}
    for family in [*families, "overall"]:
        mine = [r for r in rows if family in ("overall", r["family"])]
        out[family] = {}
        for lr in learners_of(rows):
            sel = [r for r in mine if r["learner"] == lr]
            if sel:
                out[family][lr] = {"tasks": len(sel), **{
                    key: statistics.fmean(r[key] for r in sel)
                    for key in ("test_accuracy", "and_gates", "levels", "seconds")}}
    return out


def render(doc: dict) -> str:
    """The Markdown tables of a result document: per family and overall, then per task."""
    rows = doc["results"]
    learners = learners_of(rows)
    summary = summarize(rows)
    lines = ["| family | tasks | " + " | ".join(f"{lr} test | {lr} ANDs | {lr} levels | {lr} s" for lr in learners)
             + " |", "|" + "---|" * (2 + 4 * len(learners))]
    for family, per in summary.items():
        name = "**overall**" if family == "overall" else family
        n = max(v["tasks"] for v in per.values())
        cells = [f"{per[lr]['test_accuracy']:.3f} | {per[lr]['and_gates']:.0f} | {per[lr]['levels']:.1f} | "
                 f"{per[lr]['seconds']:.1f}" if lr in per else " | | | " for lr in learners]
        lines.append(f"| {name} | {n} | " + " | ".join(cells) + " |")
    secs = ", ".join(f"{lr} {statistics.median(r['seconds'] for r in rows if r['learner'] == lr):.1f} s"
                     for lr in learners)
    lines += ["", f"Means per task; median time per task: {secs}; budget {doc['config']['max_and_gates']} ANDs "
                  f"({'ABC counts' if doc['config']['abc'] else 'our AIG, before ABC'}).", ""]
    by = {(r["task"], r["learner"]): r for r in rows}
    lines += ["| task | " + " | ".join(f"{lr} test | {lr} ANDs | {lr} levels" for lr in learners) + " |",
              "|" + "---|" * (1 + 3 * len(learners))]
    for task in dict.fromkeys(r["task"] for r in rows):
        cells = [f"{by[task, lr]['test_accuracy']:.3f} | {by[task, lr]['and_gates']} | {by[task, lr]['levels']}"
                 if (task, lr) in by else " | | " for lr in learners]
        lines.append(f"| {task} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(t) for t in text.split(","))


def _single_threaded() -> None:
    """Start of a worker process (spawned, so before lutlearn and numba are imported): numba on one thread
    (the learners already use ``n_jobs=1``)."""
    os.environ["NUMBA_NUM_THREADS"] = "1"


def _resume_rows(path: str, cfg: dict) -> list[dict]:
    """The rows of the JSON file ``path`` of a run with the same settings as ``cfg`` (ValueError otherwise)."""
    try:
        old = json.loads(Path(path).read_text())
        old_cfg, rows = old["config"], old["results"]
    except FileNotFoundError:
        return []
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a result file of bench_circuits.py ({exc})") from None
    differ = [k for k in RESUME_KEYS if old_cfg.get(k) != cfg[k]]
    if differ:
        raise ValueError(f"{path}: cannot resume: its settings differ ({', '.join(differ)}); give the same options")
    return rows


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="four small tasks, 800 examples per split, small search")
    p.add_argument("--tasks", help="comma-separated task specs (default: the module's TASKS)")
    p.add_argument("--suite", action="store_true", help="every task of lutlearn.circuits.logic_tasks.SUITE")
    p.add_argument("--images", action="store_true",
                   help="every task of lutlearn.circuits.logic_tasks.IMAGE_SUITE (MNIST and CIFAR-10 groups)")
    p.add_argument("--no-images", action="store_true", help="with --suite: leave out its MNIST and CIFAR-10 tasks")
    p.add_argument("--data-home", default="../shared/data", help="where MNIST and CIFAR-10 are (image tasks)")
    p.add_argument("--max-and-gates", type=int, default=5000)
    p.add_argument("--ks", type=_ints, default=None, help="lut sizes fit-circuit tries (default 2,4,6,8)")
    p.add_argument("--depths", type=_ints, default=None, help="hidden layer counts (default 0,1,2)")
    p.add_argument("--max-width", type=int, default=None, help="widest hidden layer (default 64)")
    p.add_argument("--abc", action="store_true", help="count gates and levels with ABC (berkeley-abc)")
    p.add_argument("--learners", default=",".join(LEARNERS),
                   help=f"comma-separated learners to run (default {','.join(LEARNERS)}; also "
                        f"{', '.join(EXTRA_LEARNERS)})")
    p.add_argument("--jobs", type=int, default=1, help="tasks run at once, in separate processes (default 1)")
    p.add_argument("-o", "--output", help="write the results as JSON (after every task)")
    p.add_argument("--resume", action="store_true", help="keep the tasks already in -o's file; run the others")
    p.add_argument("--render", metavar="JSON", help="print the table of a JSON file written by -o, and exit")
    args = p.parse_args(argv)
    if args.render:
        print(render(json.loads(Path(args.render).read_text())))
        return 0
    if args.jobs < 1:
        p.error(f"--jobs must be at least 1 (got {args.jobs})")
    if args.resume and not args.output:
        p.error("--resume needs -o FILE, the results file to complete")
    if args.suite + args.images + bool(args.tasks) > 1:
        p.error("give one of --suite, --images and --tasks")
    if args.no_images and not args.suite:
        p.error("--no-images goes with --suite")
    learners = [lr for lr in args.learners.split(",") if lr]
    unknown = [lr for lr in learners if lr not in LEARNERS + EXTRA_LEARNERS]
    if unknown or not learners:
        p.error(f"--learners: unknown learner(s) {', '.join(unknown) or '(none given)'}; "
                f"known: {', '.join(LEARNERS + EXTRA_LEARNERS)}")
    from lutlearn._version import __version__
    from lutlearn.circuits.logic_tasks import IMAGE_FAMILIES, IMAGE_SUITE, SUITE, family_of

    if args.no_images:
        SUITE = tuple(t for t in SUITE if family_of(t) not in IMAGE_FAMILIES)  # noqa: N806
    cfg = {
        "tasks": list(args.tasks.split(",") if args.tasks else SUITE if args.suite else IMAGE_SUITE if args.images
                      else QUICK_TASKS if args.quick else TASKS),
        "n_split": 800 if args.quick else 6400,
        "max_and_gates": args.max_and_gates,
        "ks": list(args.ks or ((2, 4, 6) if args.quick else (2, 4, 6, 8))),
        "depths": list(args.depths or (0, 1, 2)),
        "max_width": args.max_width or (16 if args.quick else 64),
        "abc": args.abc,
        "data_home": args.data_home,
        "learners": learners,
    }
    order = {spec: i for i, spec in enumerate(cfg["tasks"])}
    try:
        kept = _resume_rows(args.output, cfg) if args.resume else []
    except ValueError as exc:
        p.error(str(exc))
    done = {spec for spec in order if {r["learner"] for r in kept if r["task"] == spec} >= set(learners)}
    results = [r for r in kept if r["task"] in done]
    todo = [spec for spec in cfg["tasks"] if spec not in done]
    doc = {
        "benchmark": "bench_circuits",
        "command": " ".join([Path(sys.argv[0]).name, *(argv if argv is not None else sys.argv[1:])]),
        "config": cfg,
        "lutlearn_version": __version__,
        "git_commit": _git_commit(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "jobs": args.jobs},
        "complete": not todo,
        "results": results,
    }

    def write() -> None:
        if args.output:
            from lutlearn._files import atomic_writer

            with atomic_writer(args.output) as fh:
                fh.write(json.dumps(doc, indent=1).encode())

    def record(rows: list[dict]) -> None:
        """Add a finished task's rows (kept in task order), report it, and rewrite the JSON file."""
        results.extend(rows)
        results.sort(key=lambda r: order[r["task"]])  # stable: learners stay in run order
        doc["complete"] = len({r["task"] for r in results}) == len(order)
        figures = ", ".join(f"{r['learner']} {r['test_accuracy']:.3f}/{r['and_gates']} ANDs/{r['levels']} lev"
                            for r in rows)
        print(f"[{len({r['task'] for r in results})}/{len(order)}] {rows[0]['task']}: {figures}; "
              f"{sum(r['seconds'] for r in rows):.1f} s", file=sys.stderr, flush=True)
        write()

    if done:
        print(f"resuming {args.output}: {len(done)} tasks done, {len(todo)} to run", file=sys.stderr, flush=True)
    if args.jobs == 1:
        for spec in todo:
            record(run_task(spec, cfg))
    else:
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(args.jobs, mp_context=spawn, initializer=_single_threaded) as pool:
            futures = [pool.submit(run_task, spec, cfg) for spec in todo]
            for future in as_completed(futures):
                record(future.result())
    if not todo:
        write()  # nothing left to run: the file still gets this run's provenance
    print(render(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
