"""Run the logic-synthesis tools on exported circuits, when they are installed.

ABC (Debian package ``berkeley-abc``, command ``berkeley-abc``; also found
as ``abc`` or Yosys's ``yosys-abc``) optimises and checks AIGs; Yosys
(``yosys``) synthesises Verilog for FPGA targets; Icarus Verilog
(``iverilog``) simulates it. Nothing here is needed to
export: these helpers measure and verify. Each raises
:class:`ToolNotFoundError` when its tool is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from lutlearn._files import atomic_writer

#: Names ABC's executable goes by, tried in order.
ABC_NAMES = ("berkeley-abc", "abc", "yosys-abc")
#: ABC's standard optimisation, applied by :func:`abc_optimize`.
ABC_SCRIPT = "strash; dc2; dc2"
#: Yosys synthesis commands per target, and the cell types counted as luts.
YOSYS_TARGETS = {
    "ice40": ("synth_ice40 -top {top}", ("SB_LUT4",)),
    "lut6": ("synth -lut 6 -top {top}", ("$lut",)),
    "lut4": ("synth -lut 4 -top {top}", ("$lut",)),
}


class ToolNotFoundError(FileNotFoundError):
    """An external tool (ABC, Yosys, ...) is not installed."""


def find_abc() -> str | None:
    """Path of ABC's executable, or None."""
    for name in ABC_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _need(path: str | None, what: str, package: str) -> str:
    if path is None:
        raise ToolNotFoundError(f"{what} is not installed (Debian package '{package}')")
    return path


def _check_name(path: str | os.PathLike) -> str:
    text = str(path)
    if any(c in text for c in ' ;"\'\n'):
        raise ValueError(f"{text!r}: ABC and Yosys scripts cannot take file names with spaces, quotes or ';'")
    return text


_ABC_COMMANDS: dict = {}  # (ABC's path, command) -> whether it knows the command


def abc_has_command(command: str) -> bool:
    """Whether the installed ABC knows ``command`` (``&ttopt`` came in 2022; older builds lack it).

    False when ABC is not installed. The answer is kept per executable.
    """
    path = find_abc()
    if path is None:
        return False
    key = (path, command)
    if key not in _ABC_COMMANDS:
        res = subprocess.run([path, "-c", f"{command} -h"], capture_output=True, text=True, timeout=60)
        _ABC_COMMANDS[key] = "unknown command" not in res.stdout + res.stderr
    return _ABC_COMMANDS[key]


def run_abc(script: str, timeout: float = 600) -> str:
    """Run ABC on ``script`` (commands separated by ``;``); return its output, raising on failure."""
    abc = _need(find_abc(), "ABC", "berkeley-abc")
    res = subprocess.run([abc, "-c", script], capture_output=True, text=True, timeout=timeout)
    out = res.stdout + res.stderr
    failed = ("Error", "Cannot", "has failed", "Wrong input", "requires a known file extension", "unknown command")
    if res.returncode != 0 or any(f in out for f in failed):
        raise RuntimeError(f"ABC failed on {script!r}:\n{out.strip()}")
    return out


def abc_optimize(src: str | os.PathLike, dst: str | os.PathLike, script: str = ABC_SCRIPT) -> int:
    """Optimise the circuit in ``src`` (AIGER or BLIF) with ABC and write the AIG to ``dst``.

    Returns the number of AND gates of the result. ``dst`` is written
    atomically. ABC's comment section (a temporary file's name and the date)
    is replaced by ``optimised by ABC: SCRIPT``, so that the same circuit and
    script give the same bytes run to run.
    """
    from lutlearn.export.aiger import count_ands, replace_comment

    with atomic_writer(dst, None, suffix=".aig") as tmp:
        run_abc(f"read {_check_name(src)}; {script}; write_aiger -s {_check_name(tmp)}")
        data = Path(tmp).read_bytes()
        Path(tmp).write_bytes(replace_comment(data, f"optimised by ABC: {script}"))
        n = count_ands(tmp)
    return n


def optimize_aiger(path: str | os.PathLike, script: str = ABC_SCRIPT) -> int:
    """Optimise the AIGER file ``path`` in place with ABC; return its number of AND gates after.

    ABC reads and writes binary AIGER only, so an ASCII file (suffix
    ``.aag``) makes a round trip: it goes to ABC as a binary copy, and ABC's
    result is written back as ASCII (comment "optimised by ABC"). The file
    is replaced atomically.
    """
    from lutlearn._files import atomic_writer
    from lutlearn.export.aiger import read_aiger

    path = Path(path)
    if path.suffix.lower() != ".aag":
        return abc_optimize(path, path, script)
    with tempfile.TemporaryDirectory() as tmp:
        binary = Path(tmp) / "model.aig"
        binary.write_bytes(read_aiger(path).to_bytes(binary=True))
        n = abc_optimize(binary, binary, script)
        ascii_aig = read_aiger(binary).to_bytes(binary=False, comment="optimised by ABC")
    with atomic_writer(path) as fh:
        fh.write(ascii_aig)
    return n


def abc_equivalent(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Whether ABC proves the two circuits equivalent (inputs and outputs matched by name).

    ABC reads binary AIGER (``.aig``) and BLIF, not ASCII AIGER (``.aag``);
    :func:`yosys_to_blif` converts the latter.
    """
    out = run_abc(f"cec {_check_name(a)} {_check_name(b)}")
    if "are equivalent" in out:
        return True
    if "NOT EQUIVALENT" in out.upper():
        return False
    raise RuntimeError(f"ABC's cec gave no verdict:\n{out.strip()}")


def yosys_synth(
    verilog: str | os.PathLike, top: str, target: str = "ice40", blif: str | os.PathLike | None = None,
    timeout: float = 600,
) -> dict:
    """Synthesise a Verilog module with Yosys; return its cell statistics.

    Parameters
    ----------
    verilog : path
        The Verilog file.
    top : str
        The module to synthesise.
    target : {"ice40", "lut6", "lut4"}, default="ice40"
        Lattice iCE40 FPGAs (4-input ``SB_LUT4`` cells) or generic k-input luts.
    blif : path, optional
        Also write the synthesised netlist there as BLIF.

    Returns
    -------
    dict
        ``luts`` (number of lut cells), ``cells`` (all cells) and
        ``cells_by_type``.
    """
    yosys = _need(shutil.which("yosys"), "Yosys", "yosys")
    if target not in YOSYS_TARGETS:
        raise ValueError(f"unknown Yosys target {target!r}; use one of {', '.join(YOSYS_TARGETS)}")
    synth, lut_cells = YOSYS_TARGETS[target]
    with tempfile.TemporaryDirectory() as tmp:
        stat = Path(tmp) / "stat.json"
        script = f"read_verilog {_check_name(verilog)}; {synth.format(top=top)}; tee -q -o {stat} stat -json"
        if blif is not None:
            script += f"; write_blif {_check_name(blif)}"
        res = subprocess.run([yosys, "-q", "-p", script], capture_output=True, text=True, timeout=timeout)
        if res.returncode != 0 or not stat.exists():
            raise RuntimeError(f"Yosys failed:\n{(res.stdout + res.stderr).strip()}")
        design = json.loads(stat.read_text())["design"]
    by_type = design.get("num_cells_by_type", {})
    return {
        "target": target,
        "luts": int(sum(by_type.get(c, 0) for c in lut_cells)),
        "cells": int(design["num_cells"]),
        "cells_by_type": by_type,
    }


def yosys_to_blif(src: str | os.PathLike, dst: str | os.PathLike, timeout: float = 600) -> None:
    """Convert an AIGER file (binary or ASCII) to BLIF with Yosys's reader (names kept)."""
    yosys = _need(shutil.which("yosys"), "Yosys", "yosys")
    script = f"read_aiger -module_name top {_check_name(src)}; write_blif {_check_name(dst)}"
    res = subprocess.run([yosys, "-q", "-p", script], capture_output=True, text=True, timeout=timeout)
    if res.returncode != 0:
        raise RuntimeError(f"Yosys failed:\n{(res.stdout + res.stderr).strip()}")


def icarus_simulate(
    verilog: str | os.PathLike, X, n_outputs: int, top: str = "lutlearn_model", timeout: float = 3600
) -> list[int]:
    """Simulate an exported module with Icarus Verilog on the rows of ``X``; each row's output value.

    A test bench reads the rows (``$readmemb``), applies each to ``x`` and
    prints ``y`` (the class index) as a decimal number.
    """
    import numpy as np

    iverilog = _need(shutil.which("iverilog"), "Icarus Verilog", "iverilog")
    vvp = _need(shutil.which("vvp"), "Icarus Verilog", "iverilog")
    X = np.asarray(X, np.uint8)
    n, d = X.shape
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # $readmemb reads the most significant bit first: x[d-1] .. x[0]
        (tmp / "vec.txt").write_text("".join("".join(map(str, row)) + "\n" for row in X[:, ::-1]))
        (tmp / "tb.v").write_text(f"""module tb;
  reg [{d - 1}:0] mem [0:{max(n, 1) - 1}];
  reg [{d - 1}:0] x;
  wire [{n_outputs - 1}:0] y;
  integer i;
  {top} dut (.x(x), .y(y));
  initial begin
    $readmemb("vec.txt", mem);
    for (i = 0; i < {n}; i = i + 1) begin
      x = mem[i];
      #1 $display("%0d", y);
    end
    $finish;
  end
endmodule
""")
        run = dict(cwd=tmp, capture_output=True, text=True, timeout=timeout)
        res = subprocess.run([iverilog, "-o", "sim", "tb.v", str(Path(verilog).resolve())], **run)
        if res.returncode == 0:
            res = subprocess.run([vvp, "-n", "sim"], **run)
        if res.returncode != 0:
            raise RuntimeError(f"Icarus Verilog failed:\n{(res.stdout + res.stderr).strip()}")
    return [int(t) for t in res.stdout.split() if t.isdigit()]


def run_testbench(testbench: str | os.PathLike, design: str | os.PathLike, timeout: float = 3600) -> dict:
    """Compile and run a testbench written by :func:`lutlearn.export.top.write_testbench` with Icarus Verilog.

    It runs in the testbench's folder (where its vector files are).

    Returns
    -------
    dict
        ``examples``, ``outputs``, ``mismatches``, ``latency_cycles`` (as the
        testbench printed them) and ``passed`` (the testbench's own verdict:
        every output there and equal, the latency as stated).
    """
    import re

    from lutlearn.export.top import SUMMARY

    iverilog = _need(shutil.which("iverilog"), "Icarus Verilog", "iverilog")
    vvp = _need(shutil.which("vvp"), "Icarus Verilog", "iverilog")
    testbench, design = Path(testbench).resolve(), Path(design).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        sim = str(Path(tmp) / "sim")
        run = dict(cwd=testbench.parent, capture_output=True, text=True, timeout=timeout)
        res = subprocess.run([iverilog, "-g2012", "-o", sim, str(testbench), str(design)], **run)
        if res.returncode != 0:
            raise RuntimeError(f"Icarus Verilog could not compile the testbench:\n{(res.stdout + res.stderr).strip()}")
        res = subprocess.run([vvp, "-n", sim], **run)
    out = res.stdout + res.stderr
    m = re.search(re.escape(SUMMARY) + r" (\d+) examples, (\d+) outputs, (\d+) mismatches, latency (-?\d+) cycles", out)
    if m is None:
        raise RuntimeError(f"the testbench printed no summary:\n{out.strip()[-2000:]}")
    n, got, bad, latency = (int(g) for g in m.groups())
    return {
        "examples": n, "outputs": got, "mismatches": bad, "latency_cycles": latency,
        "passed": res.returncode == 0 and "testbench failed" not in out, "log": out,
    }
