"""benchmarks/bench_hardware.py: the --quick run end to end, --render of a small JSON, the published figures.

The quick run needs Yosys (skipped with the reason without it); its iCE40
row is placed and routed when nextpnr-ice40 is installed and recorded as
skipped, with the reason, when it is not.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from _scripts import load_script
from lutlearn.export import fpga

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "benchmarks" / "bench_hardware.py"
RESULTS = REPO / "benchmarks" / "results" / "hardware.json"


@pytest.fixture(scope="module")
def bench():
    return load_script("benchmarks/bench_hardware.py")


def _row(**over):
    row = {
        "design": "d", "task": "binary-mnist", "params": {"k": 6, "hidden_layers": [256, 256]}, "variant": "bits",
        "target": "ice40-hx8k", "status": "ok", "accuracy": 0.78571, "part": "Lattice iCE40 HX8K (iCE40HX8K-CT256)",
        "tools": ["yosys: Yosys 0.23", "nextpnr-ice40: nextpnr-ice40 (Version 0.4)"], "inputs": 784,
        "word_width": 8, "pipeline": 1, "netlist_luts": 40, "lut_levels_netlist": 3, "luts": 231, "ffs": 917,
        "carry_cells": 5, "logic_levels": 4, "logic_cells": {"type": "ICESTORM_LC", "used": 1120, "available": 7680},
        "fmax_mhz": 163.2, "latency_cycles": 102, "cycles_per_example": 98, "latency_ns": 625.0,
        "throughput_per_s": 1665306, "encoder": None, "seconds": 3.0,
    }
    row.update(over)
    return row


def _doc(rows):
    return {
        "benchmark": "bench_hardware", "format": 1, "command": "python benchmarks/bench_hardware.py -o x.json",
        "provenance": {"date": "2026-11-30T15:00:00+00:00", "git_hash": "0123456789abcdef", "git_dirty": False,
                       "versions": {"lutlearn": "0.1.0"}, "platform": "Linux", "cpu_count": 2, "config": {}},
        "config": {"word_width": 8, "pipeline": 1, "freq_mhz": 100.0, "seed": 1}, "results": rows,
    }


def test_quick_run_end_to_end(tmp_path):
    """--quick trains the tiny digits model, synthesises it (and its encoder) and writes JSON that renders back."""
    if fpga.find_tool("yosys") is None:
        pytest.skip("yosys not installed (Debian package 'yosys', or pip install 'lutlearn[fpga]')")
    out = tmp_path / "q.json"
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "-o", str(out)], capture_output=True, text=True,
                          timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert doc["benchmark"] == "bench_hardware" and doc["command"].endswith(f"--quick -o {out}")
    assert doc["provenance"]["versions"]["lutlearn"] and doc["provenance"]["date"]
    rows = {(r["variant"], r["target"]): r for r in doc["results"]}
    assert set(rows) == {("bits", "lut6"), ("bits", "ice40-hx8k"), ("encoder", "lut6")}
    bits, enc = rows["bits", "lut6"], rows["encoder", "lut6"]
    assert bits["status"] == enc["status"] == "ok"
    # the encoder variant is the same network behind comparators on the raw 0..16 pixels: the same answers
    assert 0.5 < bits["accuracy"] == enc["accuracy"] < 1
    assert bits["inputs"] == 64 and enc["inputs"] == 64 * 8 and enc["encoder"].startswith("ThresholdBinarizer")
    assert bits["luts"] > 0 and enc["luts"] > bits["luts"] and bits["logic_levels"] >= 1
    assert bits["latency_cycles"] == 8 + bits["pipeline"] + 1 and bits["fmax_mhz"] is None
    assert any(t.startswith("yosys") for t in bits["tools"])
    ice = rows["bits", "ice40-hx8k"]
    if fpga.find_tool("nextpnr-ice40") is None:
        assert ice["status"] == "skipped" and "nextpnr-ice40 is not installed" in ice["reason"]
    else:
        assert ice["status"] == "ok" and ice["fmax_mhz"] > 0 and ice["logic_cells"]["type"] == "ICESTORM_LC"
        assert ice["latency_ns"] == pytest.approx(ice["latency_cycles"] * 1e3 / ice["fmax_mhz"], abs=0.1)
    table = subprocess.run([sys.executable, str(SCRIPT), "--render", str(out)], capture_output=True, text=True,
                           timeout=120)
    assert table.returncode == 0 and table.stdout.strip() in proc.stdout
    assert "| binary-digits | k=4, 1x16 | raw (encoder in) |" in table.stdout


def test_render_small_document(bench, tmp_path, capsys):
    """A measured row, a design too large and a skipped target render as table rows with their figures."""
    rows = [
        _row(),
        _row(target="ice40-up5k", status="does not fit", reason=(
            "the design does not fit the Lattice iCE40 UltraPlus 5K (iCE40UP5K-SG48): it needs 9001 luts, the part "
            "has 5280 (3721 too many, 1.70x); try a smaller model")),
        _row(target="ecp5-85k", status="skipped", reason="nextpnr-ecp5 is not installed: pip install 'lutlearn[fpga]'"),
    ]
    path = tmp_path / "small.json"
    path.write_text(json.dumps(_doc(rows)))
    assert bench.main(["--render", str(path)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("| task | network | inputs | acc. | target | luts | FFs |")
    assert lines[2] == ("| binary-mnist | k=6, 2x256 | bits | 0.7857 | ice40-hx8k | 231 | 917 | 5 | 4 | 1120 | 163.2 "
                        "| 102 | 625.0 |")
    assert lines[3].startswith("| binary-mnist | k=6, 2x256 | bits | 0.7857 | ice40-up5k | does not fit: ")
    assert "it needs 9001 luts, the part has 5280 (3721 too many, 1.70x)" in lines[3] and "try" not in lines[3]
    assert "| ecp5-85k | skipped: nextpnr-ecp5 is not installed" in lines[4]
    # the JSON keeps the commit; the page shows the command with its data folder as DATA_HOME, and no commit
    assert "0123456789" not in out and "nextpnr-ice40: nextpnr-ice40 (Version 0.4)" in out
    assert "`python benchmarks/bench_hardware.py -o x.json` (lutlearn 0.1.0, 2026-11-30T15:00:00+00:00)" in out
    shown = bench._shown_command("bench_hardware.py --data-home /data/x -o y")
    assert shown == "bench_hardware.py --data-home DATA_HOME -o y"
    assert "a register every 1 lut levels" in out


@pytest.mark.parametrize("damage, message", [
    (lambda d: d.update(benchmark="bench_circuits"), "not a bench_hardware result document"),
    (lambda d: d.update(format=99), "bench_hardware result format 99"),
    (lambda d: d.update(results={}), "without a 'results' list"),
    (lambda d: d["results"][0].pop("target"), "row 0 lacks target"),
    (lambda d: d["results"][0].pop("fmax_mhz"), "row 0 is 'ok' but lacks hardware figures"),
])
def test_render_refuses_other_documents(bench, tmp_path, capsys, damage, message):
    doc = _doc([_row()])
    damage(doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    assert bench.main(["--render", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_misfit_on_the_hx8k_implies_the_up5k_and_the_encoder(bench):
    """A network too large for the HX8K is not synthesised again for the UP5K, nor with its encoder."""
    design = bench.Design("d", "binary-mnist", {"k": 8, "hidden_layers": [1024] * 5}, encoder="threshold")
    misfit = _row(target="ice40-hx8k", status="does not fit", reason=(
        "the design does not fit the Lattice iCE40 HX8K (iCE40HX8K-CT256): it needs 60000 luts, the part has 7680 "
        "(52320 too many, 7.81x); try a smaller model"))
    rows = [_row(target="lut6"), misfit]
    up5k = bench.implied_misfit(rows, design, "bits", "ice40-up5k")
    assert up5k.startswith("larger than the iCE40 HX8K (it needs 60000 luts, the part has 7680 (52320 too many")
    assert "try" not in up5k
    assert bench.implied_misfit(rows, design, "encoder", "ice40-hx8k").startswith(
        "its network alone does not fit (it needs 60000 luts")
    assert bench.implied_misfit(rows, design, "encoder", "lut6") is None
    assert bench.implied_misfit([_row(target="ice40-hx8k")], design, "bits", "ice40-up5k") is None
    assert bench.implied_misfit([_row(design="other", **{k: v for k, v in misfit.items() if k != "design"})],
                                design, "bits", "ice40-up5k") is None


def test_published_table_names_devices_and_sources(bench):
    """PolyLUT, NeuraLUT, DWN and LogicNets each appear with a device, a source and the encoder caveat."""
    table = bench.render_published()
    works = {p["work"].split(" (")[0] for p in bench.PUBLISHED}
    assert works == {"PolyLUT", "NeuraLUT", "DWN", "LogicNets"}
    for p in bench.PUBLISHED:
        assert p["source"] and p["notes"]
        assert f"| {p['work']} | {p['model']} | {p['device']} |" in table
    assert "| 0.96 | 70673 | 4681 | 378 | 16 |" in table and "| 0.96 | 54798 | 3757 | 431 | 12 |" in table
    counted = [p for p in bench.PUBLISHED if p["luts"] is not None]
    assert all("encoder not counted" in p["notes"] or "as the small model" in p["notes"] for p in counted)


def test_hardware_page_table_is_the_committed_run(bench):
    """The hardware page's table (docs/hardware.md) is --render of benchmarks/results/hardware.json, line for line."""
    doc = json.loads(RESULTS.read_text())
    assert bench.check_document(copy.deepcopy(doc)) and doc["command"].startswith("python benchmarks/bench_hardware.py")
    page = (REPO / "docs" / "hardware.md").read_text()
    for line in bench.render(doc).splitlines():
        assert line in page, line
    assert "--data-home DATA_HOME" in bench.render(doc) and "/work/" not in bench.render(doc)
    designs = {r["design"] for r in doc["results"]}
    assert {"mnist-3v8-k6-2x64", "mnist10-k6-256-o4x16", "breast-cancer-k6-2x64"} <= designs
    assert {f"binary-mnist-k{k}-2x256" for k in (4, 6, 8)} <= designs


def test_resume_keeps_rows_of_the_same_settings_only(bench):
    """--resume keeps measured and misfit rows of a run with the same settings, never skipped ones."""
    doc = _doc([_row(), _row(target="ice40-up5k", status="does not fit", reason="too big"),
                _row(target="ecp5-85k", status="skipped", reason="nextpnr-ecp5 is not installed")])
    cfg = dict(doc["config"])
    kept = bench.reusable_rows(copy.deepcopy(doc), cfg)
    key = json.dumps(_row()["params"], sort_keys=True)
    assert set(kept) == {("d", key, "bits", "ice40-hx8k"), ("d", key, "bits", "ice40-up5k")}
    assert kept["d", key, "bits", "ice40-hx8k"]["fmax_mhz"] == 163.2
    assert bench.reusable_rows(copy.deepcopy(doc), {**cfg, "pipeline": 2}) == {}
    assert bench.reusable_rows(copy.deepcopy(doc), {**cfg, "seed": 7}) == {}
    with pytest.raises(ValueError, match="not a bench_hardware result document"):
        bench.reusable_rows({"benchmark": "other"}, cfg)
