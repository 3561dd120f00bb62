"""Export a 10-class network in every circuit format; sizes, times, and agreement with ``predict``.

Run by hand::

    python benchmarks/bench_export_multiclass.py --data-home ../shared/data
    python benchmarks/bench_export_multiclass.py --data-home ../shared/data \\
        --params '{"k": 6, "hidden_layers": [256], "output_k": 6, "n_output_luts": 32}' --synth lut6

Trains ``LutNetworkClassifier(random_state=0, **params)`` on the task (default
``multiclass-mnist``; the defaults give the 256-output-lut, ``output_k=12``
network), writes C (with ``main``), Verilog, BLIF and AIGER into ``--out``,
and checks each against ``predict`` on the test images:

- C: compiled by ``cc -O1``, run on all test images;
- AIGER: simulated by lutlearn (:meth:`lutlearn.export.Aig.evaluate`), all test images;
- BLIF: read by ABC (``strash``), written as an AIG and simulated, all test images;
- Verilog: simulated by Icarus Verilog on ``--n-verilog`` test images
  (it is slow on large circuits), and with ``--synth TARGET`` synthesised by Yosys.

A check whose tool is missing is skipped. Prints one JSON line per step.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from lutlearn import LutNetworkClassifier
from lutlearn.core.training import effective_params
from lutlearn.datasets import get_task
from lutlearn.export import LutNetlist, export_model, read_aiger, tools
from lutlearn.export.netlist import bits_to_index


def _report(**fields) -> None:
    print(json.dumps(fields), flush=True)


def _timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, round(time.perf_counter() - t0, 1)


def _lines(X: np.ndarray) -> str:
    return "".join("".join(map(str, row)) + "\n" for row in X)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-home", default=None)
    p.add_argument("--task", default="multiclass-mnist")
    p.add_argument("--params", type=json.loads, default={}, help="LutNetworkClassifier parameters as JSON")
    p.add_argument("--out", default="export-bench", help="folder for the circuit files (default export-bench)")
    p.add_argument("--n-verilog", type=int, default=200, help="test images simulated in Verilog (default 200)")
    p.add_argument("--synth", choices=("ice40", "lut4", "lut6"), help="also synthesise the Verilog with Yosys")
    args = p.parse_args(argv)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t = get_task(args.task, data_home=args.data_home)
    m, fit_s = _timed(LutNetworkClassifier(random_state=0, **args.params).fit, t.X_train, t.y_train)
    X = t.X_test
    expect = np.searchsorted(m.classes_, m.predict(X))
    _report(step="fit", task=t.name, params=effective_params(m.get_params(), len(m.classes_)), seconds=fit_s,
            test_accuracy=round(float(m.score(X, t.y_test)), 4))
    net, s = _timed(LutNetlist.from_model, m)
    _report(step="netlist", luts=len(net.luts), outputs=net.n_outputs, seconds=s)

    def write(name: str, **kw) -> Path:
        path = out / name
        _, s = _timed(export_model, m, path, net=net, **kw)
        _report(step="write", file=str(path), megabytes=round(os.path.getsize(path) / 1e6, 1), seconds=s)
        return path

    src = write("model.c", with_main=True)
    if shutil.which("cc"):
        exe = out / "model"
        _, s = _timed(subprocess.run, ["cc", "-std=c99", "-O1", "-o", str(exe), str(src)], check=True)
        res, s_run = _timed(subprocess.run, [str(exe)], input=_lines(X), capture_output=True, text=True, check=True)
        index = {str(c): i for i, c in enumerate(m.classes_)}
        got = np.array([index[v] for v in res.stdout.split()])
        _report(step="c", compile_seconds=s, run_seconds=s_run, examples=len(X), agrees=bool((got == expect).all()))

    aig_path = write("model.aig")
    aig = read_aiger(aig_path)
    bits, s = _timed(aig.evaluate, X)
    _report(step="aiger", and_gates=aig.n_ands, simulate_seconds=s, examples=len(X),
            agrees=bool((bits_to_index(bits) == expect).all()))

    blif = write("model.blif")
    if tools.find_abc():
        text, s = _timed(
            tools.run_abc, f"read {blif}; strash; print_stats; write_aiger {out / 'abc.aig'}", timeout=3600
        )
        stats = re.sub(r"\x1b\[[0-9;]*m", "", text.strip().splitlines()[-1])  # ABC colours its output
        abc_bits = read_aiger(out / "abc.aig").evaluate(X)
        _report(step="blif-abc", abc_stats=" ".join(stats.split()), seconds=s, examples=len(X),
                agrees=bool((bits_to_index(abc_bits) == expect).all()))

    verilog = write("model.v")
    n = min(args.n_verilog, len(X))
    if shutil.which("iverilog") and shutil.which("vvp") and n > 0:
        got, s = _timed(tools.icarus_simulate, verilog, X[:n], net.n_outputs)
        _report(step="verilog-icarus", seconds=s, examples=n,
                agrees=bool(len(got) == n and (np.array(got) == expect[:n]).all()))
    if args.synth and shutil.which("yosys"):
        stats, s = _timed(tools.yosys_synth, verilog, "lutlearn_model", target=args.synth, timeout=7200)
        _report(step="yosys", target=args.synth, luts=stats["luts"], seconds=s)
    return 0


if __name__ == "__main__":
    sys.exit(main())
