"""Circuits learned under an AND budget on generated contest-like tasks: fit-circuit, greedy, random wiring, tree.

For every task (``lutlearn.logic_tasks.make_task(spec, seed=0)``) four
learners run on the same train / valid / test splits:

* ``tree``: the decision-tree baseline (``lutlearn.export.tree.fit_tree_circuit``);
* ``random``: ``lutlearn.circuit.fit_circuit`` with the paper's random wiring;
* ``greedy``: the same search with chosen support (``wiring="greedy"``);
* ``fit-circuit``: the same search with ``lutlearn fit-circuit``'s defaults
  (``lutlearn.circuit.SEARCH_DEFAULTS``: both wirings, both fills of unseen
  patterns, greedy luts of 10 and 12 inputs).

Each circuit's test accuracy is measured by simulating its AIG on the test
split. Prints a Markdown table (per task, then the mean per learner) and
writes everything, with provenance, as JSON::

    python benchmarks/bench_circuits.py --data-home ../shared/data -o circuits.json
    python benchmarks/bench_circuits.py --quick -o quick.json      # small tasks, seconds
    python benchmarks/bench_circuits.py --render circuits.json     # the table of a JSON file

Gate counts are our AIG's (before ABC) unless ``--abc``; ABC only removes
gates, so a circuit within budget before ABC is within it after.
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import statistics
import subprocess
import sys
import time
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
LEARNERS = ("tree", "random", "greedy", "fit-circuit")


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent, capture_output=True,
                             text=True, timeout=10)
    except OSError:
        return None
    return out.stdout.strip() or None


def run_task(spec: str, cfg: dict) -> list[dict]:
    """The learners' rows for one task."""
    from lutlearn.circuit import SEARCH_DEFAULTS, fit_circuit
    from lutlearn.export.aiger import parse_aiger
    from lutlearn.export.tree import fit_tree_circuit
    from lutlearn.logic_tasks import make_task

    t = make_task(spec, seed=0, n_split=cfg["n_split"], data_home=cfg["data_home"])
    rows = []
    for learner in LEARNERS:
        t0 = time.perf_counter()
        if learner == "tree":
            res = fit_tree_circuit(t.X_train, t.y_train, t.X_valid, t.y_valid, cfg["max_and_gates"])
            aig, valid, gates, desc = res.aig, res.valid_accuracy, res.and_gates, f"max_depth={res.max_depth}"
        else:
            search = SEARCH_DEFAULTS if learner == "fit-circuit" else {"wirings": (learner,)}
            s = fit_circuit(
                t.X_train, t.y_train, t.X_valid, t.y_valid, cfg["max_and_gates"], ks=cfg["ks"], depths=cfg["depths"],
                max_width=cfg["max_width"], use_abc=cfg["abc"], progress=False, **search,
            )
            aig, valid, gates = parse_aiger(s.aig), s.best.valid_accuracy, s.and_gates
            desc = f"k={s.best.k} hidden={list(s.best.hidden_layers)} {s.best.wiring} fill={s.best.fill}"
            if s.model is not None and s.model.classes_.tolist() != [0, 1]:  # a constant target cannot occur here
                raise RuntimeError(f"{spec}: classes {s.model.classes_}")
        seconds = time.perf_counter() - t0
        test = float(np.mean(aig.evaluate(t.X_test)[:, 0] == t.y_test))
        rows.append({"task": spec, "learner": learner, "valid_accuracy": valid, "test_accuracy": test,
                     "and_gates": int(gates), "seconds": round(seconds, 3), "chosen": desc})
        print(f"  {spec:<18} {learner:<7} test {test:.4f} valid {valid:.4f} {gates:>5} ANDs {seconds:7.1f} s "
              f"({desc})", file=sys.stderr, flush=True)
    return rows


def render(doc: dict) -> str:
    """The Markdown table of a result document: per task, then the mean per learner."""
    rows = doc["results"]
    by = {(r["task"], r["learner"]): r for r in rows}
    tasks = list(dict.fromkeys(r["task"] for r in rows))
    head = "| task | " + " | ".join(f"{lr} test | {lr} ANDs" for lr in LEARNERS) + " |"
    lines = [head, "|" + "---|" * (1 + 2 * len(LEARNERS))]
    for task in tasks:
        cells = [f"{by[task, lr]['test_accuracy']:.3f} | {by[task, lr]['and_gates']}" for lr in LEARNERS]
        lines.append(f"| {task} | " + " | ".join(cells) + " |")
    means = []
    for lr in LEARNERS:
        mine = [r for r in rows if r["learner"] == lr]
        means.append(f"**{statistics.mean(r['test_accuracy'] for r in mine):.3f}** | "
                     f"{statistics.mean(r['and_gates'] for r in mine):.0f}")
    lines.append("| mean | " + " | ".join(means) + " |")
    secs = ", ".join(f"{lr} {statistics.median(r['seconds'] for r in rows if r['learner'] == lr):.1f} s"
                     for lr in LEARNERS)
    lines.append("")
    lines.append(f"Median time per task: {secs}; budget {doc['config']['max_and_gates']} ANDs "
                 f"({'after ABC' if doc['config']['abc'] else 'our AIG, before ABC'}).")
    return "\n".join(lines)


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(t) for t in text.split(","))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="four small tasks, 800 examples per split, small search")
    p.add_argument("--tasks", help="comma-separated task specs (default: the module's TASKS)")
    p.add_argument("--data-home", default="../shared/data", help="where MNIST is (image tasks)")
    p.add_argument("--max-and-gates", type=int, default=5000)
    p.add_argument("--ks", type=_ints, default=None, help="lut sizes fit-circuit tries (default 2,4,6,8)")
    p.add_argument("--depths", type=_ints, default=None, help="hidden layer counts (default 0,1,2)")
    p.add_argument("--max-width", type=int, default=None, help="widest hidden layer (default 64)")
    p.add_argument("--abc", action="store_true", help="count gates after ABC (berkeley-abc)")
    p.add_argument("-o", "--output", help="write the results as JSON")
    p.add_argument("--render", metavar="JSON", help="print the table of a JSON file written by -o, and exit")
    args = p.parse_args(argv)
    if args.render:
        print(render(json.loads(Path(args.render).read_text())))
        return 0
    from lutlearn._version import __version__

    cfg = {
        "tasks": list(args.tasks.split(",") if args.tasks else QUICK_TASKS if args.quick else TASKS),
        "n_split": 800 if args.quick else 6400,
        "max_and_gates": args.max_and_gates,
        "ks": list(args.ks or ((2, 4, 6) if args.quick else (2, 4, 6, 8))),
        "depths": list(args.depths or (0, 1, 2)),
        "max_width": args.max_width or (16 if args.quick else 64),
        "abc": args.abc,
        "data_home": args.data_home,
    }
    results = []
    for spec in cfg["tasks"]:
        results.extend(run_task(spec, cfg))
    doc = {
        "benchmark": "bench_circuits",
        "command": " ".join([Path(sys.argv[0]).name, *(argv if argv is not None else sys.argv[1:])]),
        "config": cfg,
        "lutlearn_version": __version__,
        "git_commit": _git_commit(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "results": results,
    }
    print(render(doc))
    if args.output:
        from lutlearn._files import atomic_writer

        with atomic_writer(args.output) as fh:
            fh.write(json.dumps(doc, indent=1).encode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
