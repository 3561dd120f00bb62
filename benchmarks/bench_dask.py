"""Benchmark: training on Dask on a synthetic task stored on disk in ``.npy`` chunks.

The task has ``--rows`` examples (default 10,000,000) of ``--features`` random
bits (default 256); the label is the majority of the first 9 bits, flipped with
probability 0.1. It is generated chunk by chunk into ``--data`` (under /tmp by
default; never in the repository) and reused by later runs with the same
settings. Then, for each worker count in ``--workers``, a local cluster of that
many single-threaded worker processes with ``--memory-limit`` each trains the
same network, and the benchmark reports wall time, throughput, every worker's
peak resident memory, the cluster's peak process memory, the client's peak
memory, and whether all runs gave the same model (they must).

Run by hand, not by pytest (``tests/test_scale.py`` runs the ``--quick`` form)::

    python benchmarks/bench_dask.py                  # 10M x 256, workers 1 and 2
    python benchmarks/bench_dask.py --quick          # 40,000 rows: a smoke test
    python benchmarks/bench_dask.py --out results.json
    python benchmarks/bench_dask.py --scheduler tcp://scheduler:8786 --data /shared/bench
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

DATA_VERSION = 1


def _peak_rss_bytes() -> int:
    """Peak resident memory of the calling process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _cpu_seconds() -> float:
    """User + system CPU time of the calling process so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def make_chunk(i: int, rows: int, features: int, seed: int) -> np.ndarray:
    """Chunk ``i`` of the synthetic task: ``rows`` x (``features`` bits + label), uint8."""
    rng = np.random.default_rng([seed, i])
    table = rng.integers(0, 2, size=(rows, features + 1), dtype=np.uint8)
    votes = table[:, :9].sum(axis=1, dtype=np.int16)
    flip = rng.random(rows) < 0.1
    table[:, -1] = (votes >= 5) ^ flip
    return table


def generate(folder: Path, rows: int, features: int, chunk_rows: int, seed: int) -> dict:
    """Write the task as ``.npy`` chunks, one at a time (never all in memory); reuse a complete copy."""
    from tqdm.auto import tqdm

    spec = {"version": DATA_VERSION, "rows": rows, "features": features, "chunk_rows": chunk_rows, "seed": seed}
    manifest = folder / "manifest.json"
    if manifest.exists() and json.loads(manifest.read_text()) == spec:
        return spec
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.npy"):
        old.unlink()
    manifest.unlink(missing_ok=True)
    n_chunks = -(-rows // chunk_rows)
    for i in tqdm(range(n_chunks), desc=f"writing {folder}", unit="chunk", file=sys.stderr):
        n = min(chunk_rows, rows - i * chunk_rows)
        tmp = folder / f".part-{i:05d}.tmp.npy"
        np.save(tmp, make_chunk(i, n, features, seed))
        os.replace(tmp, folder / f"part-{i:05d}.npy")
    manifest.write_text(json.dumps(spec))  # written last: marks the data complete
    return spec


def model_digest(clf) -> str:
    """SHA-256 of a fitted model's seed, wiring, tables and output counts."""
    h = hashlib.sha256(str(clf.seed_).encode())
    for a in [*clf.wires_, *clf.tables_, clf.output_counts_]:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def run_once(folder: Path, cluster: str, memory_limit: str, params: dict) -> dict:
    """Train on ``folder`` on ``cluster`` (``local:N`` starts a fresh one, else a scheduler address)."""
    from distributed.diagnostics import MemorySampler

    from lutlearn import LutNetworkClassifier
    from lutlearn.core.scale import dask_client
    from lutlearn.datasets.io import read_chunked

    X, y = read_chunked(folder)
    with dask_client(cluster, memory_limit=memory_limit) as client:
        n_workers = len(client.run(lambda: None))  # workers up
        sampler = MemorySampler()
        clf = LutNetworkClassifier(**params)
        cpu_before = client.run(_cpu_seconds)
        client_cpu = _cpu_seconds()
        with sampler.sample("fit", measure="process", interval=0.5):
            t0 = time.perf_counter()
            clf.fit(X, y)
            seconds = time.perf_counter() - t0
        client_cpu = _cpu_seconds() - client_cpu
        cpu_after = client.run(_cpu_seconds)
        worker_cpu = sum(cpu_after[w] - cpu_before[w] for w in cpu_before)
        workers_peak = sorted(client.run(_peak_rss_bytes).values())
        samples = sampler.to_pandas() if _has_pandas() else None
        cluster_peak = int(samples["fit"].max()) if samples is not None else max(
            v for _, v in sampler.samples["fit"]
        )
    rows = X.shape[0]
    return {
        "workers": n_workers,
        "fit_seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds),
        "worker_cpu_seconds": round(worker_cpu, 1),
        "rows_per_worker_cpu_second": round(rows / worker_cpu),
        "client_cpu_seconds": round(client_cpu, 1),
        "worker_peak_rss_bytes": workers_peak,
        "cluster_peak_process_memory_bytes": cluster_peak,
        "training_accuracy": float(clf.lut_accuracy_[-1][0]),
        "model_sha256": model_digest(clf),
    }


def _has_pandas() -> bool:
    try:
        import pandas  # noqa: F401
    except ImportError:
        return False
    return True


def _gib(n: int) -> str:
    return f"{n / 2**30:.2f} GiB"


def format_table(result: dict) -> str:
    """Markdown table of the runs in a result dict."""
    lines = [
        "| workers | fit (s) | rows/s | worker CPU (s) | rows per CPU-s | peak RSS per worker | cluster peak "
        "| training acc. |",
        "|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for r in result["runs"]:
        peaks = ", ".join(_gib(b) for b in r["worker_peak_rss_bytes"])
        lines.append(
            f"| {r['workers']} | {r['fit_seconds']:.1f} | {r['rows_per_second']:,} | {r['worker_cpu_seconds']:.0f} | "
            f"{r['rows_per_worker_cpu_second']:,} | {peaks} | "
            f"{_gib(r['cluster_peak_process_memory_bytes'])} | {r['training_accuracy']:.4f} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, help="examples (default 10,000,000; --quick 40,000)")
    p.add_argument("--features", type=int, default=256)
    p.add_argument("--chunk-rows", type=int, help="rows per chunk file (default 250,000; --quick 10,000)")
    p.add_argument("--data", type=Path, default=None,
                   help="folder for the chunks (default /tmp/lutlearn-bench-dask-ROWSxFEATURES)")
    p.add_argument("--workers", default="1,2", help="worker counts to run, comma-separated (default 1,2)")
    p.add_argument("--scheduler", help="run once on this existing cluster (address) instead of local clusters")
    p.add_argument("--memory-limit", help="memory limit of every local worker (default 2GiB; --quick 1GiB)")
    p.add_argument("-k", type=int, default=8)
    p.add_argument("--hidden-layers", help="NxW or comma-separated widths (default 5x1024, the paper's; --quick 2x64)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quick", action="store_true", help="a smoke test: small defaults (in brackets above)")
    p.add_argument("--out", type=Path, help="write the results as JSON here")
    args = p.parse_args(argv)
    defaults = (40_000, 10_000, "2x64", "1GiB") if args.quick else (10_000_000, 250_000, "5x1024", "2GiB")
    for name, value in zip(("rows", "chunk_rows", "hidden_layers", "memory_limit"), defaults):
        if getattr(args, name) is None:
            setattr(args, name, value)
    from lutlearn.core._validation import parse_layers

    hidden = parse_layers(args.hidden_layers)
    folder = args.data or Path(f"/tmp/lutlearn-bench-dask-{args.rows}x{args.features}")
    spec = generate(folder, args.rows, args.features, args.chunk_rows, args.seed)
    params = {"k": args.k, "hidden_layers": hidden, "random_state": args.seed, "verbose": 1}
    load_before = os.getloadavg()
    runs = []
    clusters = [args.scheduler] if args.scheduler else [f"local:{int(w)}" for w in args.workers.split(",")]
    for cluster in clusters:
        runs.append(run_once(folder, cluster, args.memory_limit, params))
        print(f"{cluster}: {runs[-1]['workers']} worker(s), {runs[-1]['fit_seconds']} s", file=sys.stderr)
    import dask
    import distributed

    from lutlearn.experiments.runner import provenance

    prov = provenance({**spec, "network": params, "clusters": clusters, "memory_limit": args.memory_limit})
    result = {
        "benchmark": "bench_dask",
        "date": prov["date"],
        "git_hash": prov["git_hash"],
        "versions": {**prov["versions"], "dask": dask.__version__, "distributed": distributed.__version__},
        "machine": {
            "cpus": prov["cpu_count"], "load_average_before": load_before, "load_average_after": os.getloadavg(),
        },
        "data": {**spec, "folder": str(folder), "bytes_on_disk": sum(f.stat().st_size for f in folder.glob("*.npy"))},
        "network": {"k": args.k, "hidden_layers": list(hidden)},
        "memory_limit_per_worker": None if args.scheduler else args.memory_limit,
        "client_peak_rss_bytes": _peak_rss_bytes(),
        "runs": runs,
        "same_model_for_all_worker_counts": len({r["model_sha256"] for r in runs}) == 1,
    }
    text = json.dumps(result, indent=2)
    if args.out:
        tmp = args.out.with_suffix(args.out.suffix + ".tmp")
        tmp.write_text(text)
        os.replace(tmp, args.out)
    print(text)
    print(format_table(result))
    return 0 if result["same_model_for_all_worker_counts"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
