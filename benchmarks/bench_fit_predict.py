"""Benchmark lut networks against scikit-learn peers on the same bits.

Run ``make bench`` (or ``python benchmarks/bench_fit_predict.py``) for the
full suite on Binary-MNIST, ``--quick`` for a seconds-long version on
Binary-Digits (what the tests run). Every configuration runs in a fresh
process, so its peak memory (``ru_maxrss``) is its own: numba allocates
outside Python's allocator, so ``tracemalloc`` would miss most of it.

Measured, all on the same binarised training and test bits:

* lut networks (5 hidden layers of 1024 luts, k in 2, 8, 12, 16): fit and
  predict, wall seconds (median of 5 after one warm-up run), samples per
  second, peak resident memory;
* scikit-learn's random forest (10 trees, all cores) fit and predict, and
  1-nearest-neighbour predict on 1,000 test examples;
* the paper's Table 3 sweep (k = 2..16 step 2, real and random labels): one
  timed pass after the kernels are loaded;
* start-up: ``lutlearn demo`` in a fresh process with an empty numba cache
  (cold: everything is compiled) and again with the cache it filled (warm),
  plus a breakdown of where a warm start spends its time.

Results are written as JSON (config, git hash, versions, machine, load
average) and printed as a Markdown table rendered from that JSON;
``--render FILE`` re-prints the table of a stored result.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

FULL = {
    "task": "binary-mnist",
    "hidden_layers": [1024] * 5,
    "ks": [2, 8, 12, 16],
    "repeats": 5,
    "knn_test": 1000,
    "sweep_ks": [2, 4, 6, 8, 10, 12, 14, 16],
    "cold_start": True,
    "demo_args": [],
}
QUICK = {
    "task": "binary-digits",
    "hidden_layers": [64, 64],
    "ks": [2, 8],
    "repeats": 2,
    "knn_test": 100,
    "sweep_ks": [2, 4],
    "cold_start": False,
    "demo_args": ["--hidden-layers", "2x64"],
}


# ---------------------------------------------------------------- children
def _peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _load(cfg: dict):
    from lutlearn.datasets import get_task

    return get_task(cfg["task"], data_home=cfg.get("data_home"))


def _timed_median(fn, repeats: int) -> tuple[float, list[float], float]:
    """Run ``fn`` once to warm up, then ``repeats`` times: median wall seconds, all of them, median CPU seconds.

    CPU seconds (all threads of this process) say how much work a run took;
    on a busy machine they move much less than wall seconds.
    """
    fn()
    times, cpu = [], []
    for _ in range(repeats):
        c0 = time.process_time()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(times), times, statistics.median(cpu)


def _measure(
    method: str, model, X_train, y_train, X_test, y_test, repeats: int, time_fit: bool = True, **extra
) -> dict:
    """Time ``model``'s fit (unless ``time_fit`` is false: fitted once, untimed) and predict, as one record."""
    import numpy as np

    base = _peak_rss_mb()
    rec = {"method": method, **extra}
    if time_fit:
        rec["fit_s"], rec["fit_runs_s"], rec["fit_cpu_s"] = _timed_median(lambda: model.fit(X_train, y_train), repeats)
        rec["fit_samples_per_s"] = len(y_train) / rec["fit_s"]
    else:
        model.fit(X_train, y_train)
    rec["predict_s"], rec["predict_runs_s"], rec["predict_cpu_s"] = _timed_median(
        lambda: model.predict(X_test), repeats
    )
    rec["predict_samples"] = len(y_test)
    rec["predict_samples_per_s"] = len(y_test) / rec["predict_s"]
    rec["test_accuracy"] = float(np.mean(model.predict(X_test) == y_test))
    rec["rss_before_fit_mb"] = base
    rec["peak_rss_mb"] = _peak_rss_mb()
    return rec


def child_lut(cfg: dict) -> dict:
    """One lut network: fit and predict speed, accuracy, peak memory."""
    from lutlearn import LutNetworkClassifier

    t = _load(cfg)
    clf = LutNetworkClassifier(k=cfg["k"], hidden_layers=tuple(cfg["hidden_layers"]), random_state=0)
    rec = _measure(f"lutlearn k={cfg['k']}", clf, t.X_train, t.y_train, t.X_test, t.y_test, cfg["repeats"], k=cfg["k"])
    rec["train_accuracy"] = float(clf.score(t.X_train, t.y_train))
    rec["luts_evaluated_by_predict"] = clf.network_.cone().n_luts
    return rec


def child_forest(cfg: dict) -> dict:
    """scikit-learn's random forest (10 trees, all cores) on the same bits."""
    from sklearn.ensemble import RandomForestClassifier

    t = _load(cfg)
    rf = RandomForestClassifier(n_estimators=10, n_jobs=-1, random_state=0)
    return _measure("random forest (10 trees)", rf, t.X_train, t.y_train, t.X_test, t.y_test, cfg["repeats"])


def child_knn(cfg: dict) -> dict:
    """1-nearest-neighbour (all cores) predicting ``knn_test`` test examples; its fit is not timed."""
    from sklearn.neighbors import KNeighborsClassifier

    t = _load(cfg)
    m = min(cfg["knn_test"], len(t.y_test))
    knn = KNeighborsClassifier(n_neighbors=1, n_jobs=-1)
    return _measure("1-NN", knn, t.X_train, t.y_train, t.X_test[:m], t.y_test[:m], cfg["repeats"], time_fit=False)


def child_sweep(cfg: dict) -> dict:
    """The paper's Table 3: every k of the sweep on real and on random labels, timed as one pass."""
    import numpy as np

    from lutlearn import LutNetworkClassifier

    task = _load(cfg)
    y_random = np.random.default_rng(0).integers(0, 2, len(task.y_train))
    layers = tuple(cfg["hidden_layers"])
    LutNetworkClassifier(k=2, hidden_layers=(8,), random_state=0).fit(task.X_train[:50], y_random[:50])
    rows = []
    t0 = time.perf_counter()
    for k in cfg["sweep_ks"]:
        for labels, y in (("real", task.y_train), ("random", y_random)):
            clf = LutNetworkClassifier(k=k, hidden_layers=layers, random_state=0).fit(task.X_train, y)
            y_test = task.y_test if labels == "real" else np.random.default_rng(1).integers(0, 2, len(task.y_test))
            rows.append({"k": k, "labels": labels, "train_accuracy": float(clf.score(task.X_train, y)),
                         "test_accuracy": float(clf.score(task.X_test, y_test))})
    return {"method": "Table 3 sweep", "sweep_s": time.perf_counter() - t0, "rows": rows,
            "peak_rss_mb": _peak_rss_mb()}


def child_imports(cfg: dict) -> dict:
    """Where a fresh process's start-up goes: imports, then the first (tiny) fit and predict."""
    t = {}
    t0 = time.perf_counter()
    import numpy as np  # noqa: F401

    t["import_numpy_s"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    import numba  # noqa: F401

    t["import_numba_s"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    import sklearn.base  # noqa: F401

    t["import_sklearn_s"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    from lutlearn import LutNetworkClassifier

    t["import_lutlearn_rest_s"] = time.perf_counter() - t1
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, (64, 16))
    t1 = time.perf_counter()
    clf = LutNetworkClassifier(k=4, hidden_layers=(8,), random_state=0).fit(X, X[:, 0])
    t["first_fit_s"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    clf.predict(X)
    clf.predict_proba(X)
    t["first_predict_s"] = time.perf_counter() - t1
    return {"method": "start-up breakdown", **t}


CHILDREN = {"lut": child_lut, "forest": child_forest, "knn": child_knn, "sweep": child_sweep, "imports": child_imports}


# ------------------------------------------------------------------ parent
def _run_child(kind: str, cfg: dict, env: dict | None = None) -> dict:
    """Run one configuration in a fresh interpreter and return its record."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, json.dumps(cfg)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child {kind} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _start_up(cfg: dict) -> list[dict]:
    """``lutlearn demo`` cold (empty numba cache) and warm, each in a fresh process, plus the breakdowns."""
    records = []
    with tempfile.TemporaryDirectory(prefix="lutlearn-numba-cache-") as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        demo = [sys.executable, "-m", "lutlearn", "demo", *cfg["demo_args"]]
        runs = (["cold", "warm"] if cfg["cold_start"] else ["warm"])
        for state in runs:
            run_env = env if cfg["cold_start"] else dict(os.environ)
            if state == "cold":
                records.append({"method": "start-up breakdown (cold cache)",
                                **_run_child("imports", cfg, run_env), "cache": state})
                for p in Path(cache).iterdir():  # empty again for the demo itself
                    subprocess.run(["rm", "-rf", str(p)], check=True)
            t0 = time.perf_counter()
            proc = subprocess.run(demo, capture_output=True, text=True, env=run_env)
            wall = time.perf_counter() - t0
            if proc.returncode != 0:
                raise RuntimeError(f"lutlearn demo failed:\n{proc.stderr[-3000:]}")
            records.append({"method": f"lutlearn demo ({state} cache)", "wall_s": wall, "cache": state,
                            "command": " ".join(["lutlearn", "demo", *cfg["demo_args"]])})
        records.append({"method": "start-up breakdown (warm cache)",
                        **_run_child("imports", cfg, env if cfg["cold_start"] else None), "cache": "warm"})
    return records


def _machine(prov: dict) -> dict:
    """The machine: CPU model and memory, with the core count, Python and platform of ``prov`` (the provenance)."""
    model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return {"cpu": model, "cores": prov["cpu_count"], "memory_gib": mem, "python": prov["versions"]["python"],
            "platform": prov["platform"]}


def run_suite(cfg: dict, progress=print) -> dict:
    """Run every configuration of ``cfg`` and return the result document."""
    from lutlearn.experiments.runner import provenance

    prov = provenance(cfg)
    started = time.time()
    load_before = os.getloadavg()
    results = []
    steps = [("lut", {**cfg, "k": k}) for k in cfg["ks"]] + [("forest", cfg), ("knn", cfg), ("sweep", cfg)]
    for kind, c in steps:
        progress(f"[bench] {kind}" + (f" k={c['k']}" if kind == "lut" else "") + " ...")
        results.append({"kind": kind, **_run_child(kind, c)})
    progress("[bench] start-up ...")
    results += [{"kind": "startup", **r} for r in _start_up(cfg)]
    return {
        "benchmark": "fit_predict",
        "date": prov["date"],
        "seconds": round(time.time() - started, 1),
        "config": cfg,
        "git_hash": prov["git_hash"] and prov["git_hash"] + ("+dirty" if prov["git_dirty"] else ""),
        "versions": prov["versions"],
        "machine": _machine(prov),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "results": results,
    }


# ----------------------------------------------------------------- render
def _fmt(x, spec: str) -> str:
    return "" if x is None else format(x, spec)


def render(doc: dict) -> str:
    """A Markdown report of a result document (speeds, ratios to the forest, sweep, start-up)."""
    res = doc["results"]
    forest = next((r for r in res if r["kind"] == "forest"), {})
    lines = [
        f"Task {doc['config']['task']}, hidden layers {doc['config']['hidden_layers']}; "
        f"{doc['machine']['cpu']}, {doc['machine']['cores']} cores; {doc['date']}; "
        f"load average {doc['load_average_before'][0]:.1f} before, {doc['load_average_after'][0]:.1f} after.",
        "",
        "| method | fit s | fit CPU s | fit samples/s | fit vs forest | predict s (n) | predict samples/s "
        "| peak RSS MiB | test acc |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in res:
        if r["kind"] not in ("lut", "forest", "knn"):
            continue
        ratio = forest["fit_s"] / r["fit_s"] if "fit_s" in r and "fit_s" in forest else None
        lines.append(
            f"| {r['method']} | {_fmt(r.get('fit_s'), '.3f')} | {_fmt(r.get('fit_cpu_s'), '.2f')} "
            f"| {_fmt(r.get('fit_samples_per_s'), ',.0f')} "
            f"| {_fmt(ratio, '.1f') + 'x' if ratio else ''} | {r['predict_s']:.4f} ({r['predict_samples']}) "
            f"| {r['predict_samples_per_s']:,.0f} | {r['peak_rss_mb']:,.0f} | {r['test_accuracy']:.4f} |"
        )
    sweep = next((r for r in res if r["kind"] == "sweep"), None)
    if sweep:
        lines += ["", f"Table 3 sweep (k = {doc['config']['sweep_ks'][0]}..{doc['config']['sweep_ks'][-1]}, "
                  f"real and random labels, fit + train and test scores): {sweep['sweep_s']:.1f} s", "",
                  "| k | real train | real test | random train | random test |", "|---:|---:|---:|---:|---:|"]
        by = {(r["k"], r["labels"]): r for r in sweep["rows"]}
        for k in doc["config"]["sweep_ks"]:
            a, b = by[(k, "real")], by[(k, "random")]
            lines.append(f"| {k} | {a['train_accuracy']:.2f} | {a['test_accuracy']:.2f} "
                         f"| {b['train_accuracy']:.2f} | {b['test_accuracy']:.2f} |")
    starts = [r for r in res if r["kind"] == "startup"]
    if starts:
        lines += ["", "| start-up | seconds |", "|---|---:|"]
        for r in starts:
            if "wall_s" in r:
                lines.append(f"| `{r['command']}`, {r['cache']} numba cache, fresh process | {r['wall_s']:.2f} |")
            else:
                parts = ", ".join(f"{k[:-2].replace('_', ' ')} {v:.2f}" for k, v in r.items() if k.endswith("_s"))
                lines.append(f"| {r['method']}: {parts} | |")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="small sizes on Binary-Digits (seconds; what the tests run)")
    p.add_argument("--data-home", default=os.environ.get("LUTLEARN_DATA", str(REPO.parent / "shared" / "data")),
                   help="folder holding mnist/ (default $LUTLEARN_DATA or ../shared/data)")
    p.add_argument("--ks", type=lambda s: [int(x) for x in s.split(",")], help="lut sizes to time, e.g. 2,8,12,16")
    p.add_argument("--repeats", type=int, help="timed runs per measurement, after one warm-up (median)")
    p.add_argument("--no-cold-start", action="store_true",
                   help="skip the empty-cache start-up (it compiles everything)")
    p.add_argument("-o", "--output", help="JSON file to write (default benchmarks/results/fit_predict-<time>.json)")
    p.add_argument("--render", metavar="JSON", help="only print the table of a stored result")
    p.add_argument("--child", nargs=2, metavar=("KIND", "CONFIG"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.child:
        kind, cfg = args.child
        print(json.dumps(CHILDREN[kind](json.loads(cfg))))
        return 0
    if args.render:
        print(render(json.loads(Path(args.render).read_text())))
        return 0

    cfg = dict(QUICK if args.quick else FULL, data_home=args.data_home)
    if args.ks:
        cfg["ks"] = args.ks
    if args.repeats:
        cfg["repeats"] = args.repeats
    if args.no_cold_start:
        cfg["cold_start"] = False
    doc = run_suite(cfg, progress=lambda m: print(m, file=sys.stderr, flush=True))
    stamp = doc["date"].replace(":", "").replace("+0000", "Z")
    out = Path(args.output) if args.output else HERE / "results" / f"fit_predict-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=1))
    tmp.replace(out)  # atomic: never a half-written result
    print(render(doc))
    print(f"\nresults written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
