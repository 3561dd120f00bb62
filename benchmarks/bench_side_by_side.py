"""Compare this checkout with another commit on the same machine, in one run, alternating their processes.

``make bench BASE=<commit>`` (or ``python benchmarks/bench_side_by_side.py
--base <commit>``) checks the base commit out into a scratch git worktree,
then for several rounds runs every workload once with the base's sources
and once with this checkout's (the order swapped every round), each in a
fresh process on the same data. A round's ratio is new / base of the best
time of its repeats; the table gives the median ratio of the rounds and
their spread (lowest and highest), so "not slower" is a claim about the
same machine at the same time, not about figures from different runs.

Workloads (the data is made once by this checkout and handed to both sides
as arrays, so only ``LutNetworkClassifier``'s constructor, ``fit`` and
``predict`` must exist in the base):

* the paper's network (5 hidden layers of 1,024 luts) predicting the test
  set with k = 8 on one thread and on two, k = 12 and k = 16 on two;
* the paper's network's fit at k = 8 (two threads);
* the 10-class design (default multi-class parameters) predicting;
* with ``--circuits TASKS``: ``lutlearn fit-circuit --task T`` (CPU seconds
  of the command, both sides' CLI).

The full run uses Binary-MNIST and 10-class MNIST (``--data-home``);
``--quick`` uses scikit-learn's 8x8 digits and small networks (what the
tests run). ``--base-src DIR`` compares against a source tree already on
disk instead of a commit (the tests compare this checkout with itself).
A first round, not recorded, fills each side's numba cache (a fresh
worktree compiles every kernel once).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

#: name -> (data, network parameters, threads, what is timed)
FULL = {
    "paper k=8 predict, 1 thread": ("binary", {"k": 8, "hidden_layers": [1024] * 5}, 1, "predict"),
    "paper k=8 predict, 2 threads": ("binary", {"k": 8, "hidden_layers": [1024] * 5}, 2, "predict"),
    "paper k=12 predict, 2 threads": ("binary", {"k": 12, "hidden_layers": [1024] * 5}, 2, "predict"),
    "paper k=16 predict, 2 threads": ("binary", {"k": 16, "hidden_layers": [1024] * 5}, 2, "predict"),
    "paper k=8 fit, 2 threads": ("binary", {"k": 8, "hidden_layers": [1024] * 5}, 2, "fit"),
    "10-class predict, 2 threads": ("multiclass", {}, 2, "predict"),
}
QUICK = {
    "paper k=8 predict, 1 thread": ("binary", {"k": 8, "hidden_layers": [64] * 2}, 1, "predict"),
    "paper k=8 fit, 2 threads": ("binary", {"k": 8, "hidden_layers": [64] * 2}, 2, "fit"),
}
TASKS = {False: {"binary": "binary-mnist", "multiclass": "multiclass-mnist"},
         True: {"binary": "binary-digits", "multiclass": "multiclass-digits"}}

#: The code a measuring process runs (with the side's sources first on ``sys.path``): fit once, warm up, then
#: time ``repeats`` calls; prints one JSON line.
CHILD = r"""
import json, sys, time
import numpy as np
cfg = json.loads(sys.argv[1])
d = np.load(cfg["data"])
from lutlearn import LutNetworkClassifier
clf = LutNetworkClassifier(random_state=0, **cfg["params"])
fit = lambda: clf.fit(d["X_train"], d["y_train"])
fit()
run = fit if cfg["what"] == "fit" else (lambda: clf.predict(d["X_test"]))
run()
times = []
for _ in range(cfg["repeats"]):
    t0 = time.perf_counter()
    out = run()
    times.append(time.perf_counter() - t0)
acc = float(np.mean(clf.predict(d["X_test"]) == d["y_test"]))
print(json.dumps({"times": times, "test_accuracy": acc, "module": __import__("lutlearn").__file__}))
"""


def git(*args: str, cwd: Path = REPO) -> str:
    """The stripped output of a git command in ``cwd``; CalledProcessError if it fails."""
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@contextmanager
def base_worktree(rev: str, parent: Path):
    """A scratch git worktree of ``rev`` under ``parent`` (removed, and git's record of it pruned, on exit)."""
    commit = git("rev-parse", "--verify", f"{rev}^{{commit}}")
    path = parent / f"base-{commit[:12]}"
    git("worktree", "add", "--detach", "--quiet", str(path), commit)
    try:
        yield commit, path
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=REPO, capture_output=True)
        subprocess.run(["git", "worktree", "prune"], cwd=REPO, capture_output=True)


@contextmanager
def base_sources(rev: str | None, src: str | None, parent: Path):
    """``(what the base is, its source folder)``: ``src`` as it is, or commit ``rev`` checked out under ``parent``
    (by :func:`base_worktree`, removed on exit)."""
    if src:
        yield f"source folder {src}", Path(src)
    else:
        with base_worktree(rev, parent) as (commit, tree):
            yield commit, tree / "src"


def make_data(quick: bool, data_home, folder: Path, kinds) -> dict:
    """Write the data sets of ``kinds`` (``"binary"``, ``"multiclass"``) as ``.npz`` files in ``folder``:
    ``{kind: path}``."""
    import numpy as np

    from lutlearn.datasets import get_task

    out = {}
    for kind, name in TASKS[quick].items():
        if kind not in kinds:
            continue
        t = get_task(name, data_home=data_home)
        out[kind] = folder / f"{kind}.npz"
        np.savez(out[kind], X_train=t.X_train, y_train=t.y_train, X_test=t.X_test, y_test=t.y_test)
    return out


def run_child(src: Path, data: Path, params: dict, threads: int, what: str, repeats: int) -> dict:
    """One measuring process with ``src`` first on its path: its best and median time of ``repeats`` calls."""
    env = dict(os.environ, PYTHONPATH=str(src), NUMBA_NUM_THREADS=str(threads), OMP_NUM_THREADS="1",
               PYTHONWARNINGS="ignore")
    cfg = {"data": str(data), "params": params, "what": what, "repeats": repeats}
    res = subprocess.run([sys.executable, "-c", CHILD, json.dumps(cfg)], env=env, capture_output=True, text=True)
    if res.returncode:
        raise RuntimeError(f"measuring with {src} failed:\n{res.stderr[-2000:]}")
    rec = json.loads(res.stdout.strip().splitlines()[-1])
    if not Path(rec["module"]).resolve().is_relative_to(src.resolve()):
        raise RuntimeError(f"the child imported lutlearn from {rec['module']}, not from {src}")
    return {"best_s": min(rec["times"]), "median_s": statistics.median(rec["times"]),
            "test_accuracy": rec["test_accuracy"]}


def make_pla(task: str, folder: Path, data_home) -> Path:
    """Write ``task``'s PLA files with this checkout (``lutlearn pla``): their common prefix."""
    prefix = folder / task.replace(":", "_")
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), PYTHONWARNINGS="ignore")
    extra = ["--data-home", str(data_home)] if data_home else []
    subprocess.run([sys.executable, "-m", "lutlearn", "pla", task, "-o", str(prefix), *extra], env=env, check=True,
                   capture_output=True)
    return prefix


def run_circuit(src: Path, prefix: Path, max_and_gates: int) -> dict:
    """``lutlearn fit-circuit`` on the PLA files at ``prefix`` with ``src``'s sources: its CPU seconds (its own
    and its children's, ABC's included, from ``wait4``, so tasks may run side by side), the AIGER file's bytes'
    digest (the same circuit on both sides, or not), and the circuit's AND gates and test accuracy on
    ``prefix.test.pla`` as this checkout reads them."""
    import hashlib

    env = dict(os.environ, PYTHONPATH=str(src), PYTHONWARNINGS="ignore")
    out = prefix.parent / f"{prefix.name}-{src.parent.name}-{hashlib.sha256(str(src).encode()).hexdigest()[:8]}.aig"
    cmd = [sys.executable, "-m", "lutlearn", "fit-circuit", "--pla", f"{prefix}.train.pla", "--valid",
           f"{prefix}.valid.pla", "--max-and-gates", str(max_and_gates), "-o", str(out)]
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    if child.returncode:
        raise RuntimeError(f"fit-circuit {prefix.name} with {src} failed:\n{stderr[-2000:]}")
    rec = {"best_s": usage.ru_utime + usage.ru_stime, "aig_sha256": hashlib.sha256(out.read_bytes()).hexdigest()}
    test = Path(f"{prefix}.test.pla")
    if test.exists():
        from lutlearn.datasets.pla import read_pla
        from lutlearn.export.aiger import read_aiger

        aig, pla = read_aiger(out), read_pla(test)
        rec["and_gates"] = len(aig.ands)
        rec["test_accuracy"] = float((aig.evaluate(pla.X)[:, 0] == pla.y).mean())
    return rec


def summarize(runs: dict) -> list[dict]:
    """Per workload: the base's and new side's median best time, and the rounds' ratios (median, low, high)."""
    rows = []
    for name, sides in runs.items():
        ratios = [n["best_s"] / b["best_s"] for b, n in zip(sides["base"], sides["new"])]
        rows.append({
            "workload": name,
            "base_s": statistics.median(r["best_s"] for r in sides["base"]),
            "new_s": statistics.median(r["best_s"] for r in sides["new"]),
            "ratio": statistics.median(ratios), "ratio_low": min(ratios), "ratio_high": max(ratios),
            "rounds": len(ratios),
        })
        digests = {r.get("aig_sha256") for r in sides["base"] + sides["new"]}
        if digests != {None}:
            rows[-1]["same_circuit"] = len(digests) == 1
    return rows


def heading(doc: dict) -> str:
    """What was compared with what: the line printed above :func:`render`'s table."""
    base = doc["base"][:12] if all(c in "0123456789abcdef" for c in doc["base"]) else doc["base"]
    return (f"base {base} against {doc['new']} ({doc['rounds']} rounds, alternating; ratio = new / base of each "
            f"round's best time)")


def render(doc: dict) -> str:
    """The Markdown table of a result document (and its fit-circuit families' table, when it has one)."""
    if doc.get("families"):
        return render_workloads(doc) + "\n\nBy family:\n\n" + render_families(doc["families"])
    return render_workloads(doc)


def render_workloads(doc: dict) -> str:
    """The Markdown table of a result document's workloads."""
    lines = ["| workload | base s | new s | ratio (median) | lowest | highest |", "|---|---|---|---|---|---|"]
    for r in doc["rows"]:
        same = {True: " (same circuit)", False: " (circuits differ)"}.get(r.get("same_circuit"), "")
        lines.append(f"| {r['workload']}{same} | {r['base_s']:.4f} | {r['new_s']:.4f} | {r['ratio']:.3f} | "
                     f"{r['ratio_low']:.3f} | {r['ratio_high']:.3f} |")
    return "\n".join(lines)


def measure(base_src: Path, new_src: Path, workloads: dict, circuits: dict, data: dict, rounds: int, repeats: int,
            max_and_gates: int = 5000, jobs: int = 1, saved=None) -> dict:
    """Alternate the two sides over ``rounds`` rounds; every workload's per-round records of each side.

    ``jobs`` fit-circuit tasks run at a time (each task's two sides one after the other, in the round's order);
    ``saved(runs)``, if given, is called after every task, so an interrupted run keeps what it measured.
    """
    from concurrent.futures import ThreadPoolExecutor

    runs = {name: {"base": [], "new": []} for name in [*workloads, *(circuit_name(t) for t in circuits)]}
    # a round not recorded first: each side's numba cache filled (a fresh worktree compiles every kernel once)
    for src in (base_src,) if base_src.resolve() == new_src.resolve() else (base_src, new_src):
        for kind, params, threads, what in workloads.values():
            run_child(src, data[kind], params, threads, what, 1)
        for prefix in list(circuits.values())[:1]:  # fit-circuit's kernels are the same on every task
            run_circuit(src, prefix, max_and_gates)
    for r in range(rounds):
        order = [("base", base_src), ("new", new_src)]
        if r % 2:
            order.reverse()
        for name, (kind, params, threads, what) in workloads.items():
            for side, src in order:
                runs[name][side].append(run_child(src, data[kind], params, threads, what, repeats))

        def one_task(task, order=order):
            return task, [(side, run_circuit(src, circuits[task], max_and_gates)) for side, src in order]

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for done, (task, records) in enumerate(pool.map(one_task, circuits), 1):
                for side, rec in records:
                    runs[circuit_name(task)][side].append(rec)
                print(f"round {r + 1}: fit-circuit {task} done ({done} of {len(circuits)})", file=sys.stderr,
                      flush=True)
                if saved:
                    saved(runs)
        print(f"round {r + 1} of {rounds} done", file=sys.stderr, flush=True)
    return runs


def circuit_name(task: str) -> str:
    """A fit-circuit task's workload name."""
    return f"fit-circuit {task} (CPU s)"


def expand_circuits(spec: str) -> list[str]:
    """``--circuits``' task list: comma-separated tasks, where ``suite`` stands for every task of the generated
    suite but its image groups and ``images`` for the suite's MNIST and CIFAR-10 groups."""
    from lutlearn.circuits.logic_tasks import IMAGE_FAMILIES, SUITE, family_of

    tasks = []
    for t in (t for t in spec.split(",") if t):
        if t == "suite":
            tasks += [s for s in SUITE if family_of(s) not in IMAGE_FAMILIES]
        elif t == "images":
            tasks += [s for s in SUITE if family_of(s) in IMAGE_FAMILIES]
        else:
            tasks.append(t)
    return list(dict.fromkeys(tasks))


def families(runs: dict) -> list[dict]:
    """Per family of the fit-circuit tasks (and ``all`` of them): the median over tasks of each side's median CPU
    seconds, their ratio, the mean test accuracy of each side, and how many tasks got another circuit."""
    import statistics as st

    from lutlearn.circuits.logic_tasks import family_of

    by: dict = {}
    for name, sides in runs.items():
        if not (name.startswith("fit-circuit ") and sides["base"] and sides["new"]):
            continue
        task = name[len("fit-circuit "):-len(" (CPU s)")]
        for fam in (family_of(task), "all"):
            by.setdefault(fam, []).append(sides)
    rows = []
    for fam, tasks in sorted(by.items(), key=lambda kv: (kv[0] == "all", kv[0])):
        cpu = {side: st.median(st.median(r["best_s"] for r in t[side]) for t in tasks) for side in ("base", "new")}
        row = {"family": fam, "tasks": len(tasks), "base_cpu_s": cpu["base"], "new_cpu_s": cpu["new"],
               "ratio": cpu["new"] / cpu["base"],
               "changed": sum(len({r["aig_sha256"] for r in t["base"] + t["new"]}) > 1 for t in tasks)}
        if all("test_accuracy" in t[side][0] for t in tasks for side in ("base", "new")):
            for side in ("base", "new"):
                row[f"{side}_test"] = st.mean(t[side][0]["test_accuracy"] for t in tasks)
        rows.append(row)
    return rows


def render_families(rows: list[dict]) -> str:
    """The Markdown table of :func:`families`."""
    lines = ["| family | tasks | base median CPU s | new median CPU s | ratio | base mean test | new mean test | "
             "circuits changed |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        acc = (f"{r['base_test']:.4f} | {r['new_test']:.4f}" if "base_test" in r else "- | -")
        lines.append(f"| {r['family']} | {r['tasks']} | {r['base_cpu_s']:.2f} | {r['new_cpu_s']:.2f} | "
                     f"{r['ratio']:.3f} | {acc} | {r['changed']} |")
    return "\n".join(lines)


def processor() -> str:
    """The processor's model name (Linux), else what :func:`platform.processor` says."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--base", metavar="REV", help="the commit to compare with (checked out in a scratch worktree)")
    g.add_argument("--base-src", metavar="DIR", help="a source folder (holding lutlearn/) to compare with instead")
    g.add_argument("--render", metavar="JSON", help="print the table of a stored result")
    p.add_argument("--data-home", help="folder holding MNIST (the full run)")
    p.add_argument("--quick", action="store_true", help="8x8 digits and small networks: about a minute")
    p.add_argument("--rounds", type=int, default=None, help="alternations (default 5, 2 with --quick)")
    p.add_argument("--repeats", type=int, default=None, help="timed calls per process (default 8, 3 with --quick)")
    p.add_argument("--circuits", default="", metavar="TASKS",
                   help="comma-separated fit-circuit tasks to time as well (e.g. sym:16:1,cmp:40; 'suite' for the "
                        "generated suite's 70 tasks but its image groups, 'images' for those)")
    p.add_argument("--jobs", type=int, default=1,
                   help="fit-circuit tasks run at a time (default 1; CPU seconds are each process's own)")
    p.add_argument("--max-and-gates", type=int, default=5000, help="fit-circuit's budget (default 5000)")
    p.add_argument("--only", metavar="TEXT", default="",
                   help="only the workloads whose name contains TEXT (e.g. 'k=8 predict')")
    p.add_argument("-o", "--output", default="side-by-side.json", help="the JSON result")
    args = p.parse_args(argv)
    if args.render:
        doc = json.loads(Path(args.render).read_text())
        if doc.get("benchmark") != "side-by-side" or doc.get("format") != 1:
            p.error(f"{args.render} is not a side-by-side result (format 1)")
        print(heading(doc), "", render(doc), sep="\n")
        return 0
    rounds = args.rounds or (2 if args.quick else 5)
    repeats = args.repeats or (3 if args.quick else 8)
    if rounds < 1 or repeats < 1 or args.jobs < 1 or args.max_and_gates < 1:
        p.error("--rounds, --repeats, --jobs and --max-and-gates must be at least 1")
    workloads = {name: w for name, w in (QUICK if args.quick else FULL).items() if args.only in name}
    if not workloads and not args.circuits:
        p.error(f"no workload's name contains {args.only!r} and no --circuits")
    new_src = REPO / "src"
    sys.path.insert(0, str(new_src))  # this checkout's lutlearn makes the data and names the commit
    from lutlearn.experiments.runner import git_dirty, git_hash

    new = f"{git_hash()}{'-dirty' if git_dirty() else ''}"
    circuits = expand_circuits(args.circuits)
    with tempfile.TemporaryDirectory(prefix="lutlearn-side-by-side-") as tmp:
        folder = Path(tmp)
        data = make_data(args.quick, args.data_home, folder, {kind for kind, *_ in workloads.values()})
        circuits = {t: make_pla(t, folder, args.data_home) for t in circuits}
        with base_sources(args.base, args.base_src, folder) as (base, base_src):

            def write(runs, complete=False):
                doc = document(base, new, rounds, repeats, runs, complete)
                Path(args.output).write_text(json.dumps(doc, indent=2) + "\n")
                return doc

            doc = write(measure(base_src, new_src, workloads, circuits, data, rounds, repeats, args.max_and_gates,
                                args.jobs, write), complete=True)
    print(heading(doc), "", render(doc), sep="\n")
    print(f"results written to {args.output}", file=sys.stderr)
    return 0


def document(base: str, new: str, rounds: int, repeats: int, runs: dict, complete: bool) -> dict:
    """The result document (format 1): what was compared, the machine, the table rows, the fit-circuit families
    (when any fit-circuit task ran) and every round's records; ``complete`` False while the run goes on."""
    doc = {"benchmark": "side-by-side", "format": 1, "base": base, "new": new, "rounds": rounds, "repeats": repeats,
           "complete": complete,
           "machine": {"platform": platform.platform(), "processor": processor(), "cpu_count": os.cpu_count(),
                       "load_average": os.getloadavg(), "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
           "rows": summarize({k: v for k, v in runs.items() if v["base"] and v["new"]}), "runs": runs}
    fams = families(runs)
    if fams:
        doc["families"] = fams
    return doc


if __name__ == "__main__":
    sys.exit(main())
