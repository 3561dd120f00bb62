"""benchmarks/bench_frontier.py: the --quick run end to end, --render of its JSON, the plot, the stored result."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from _scripts import load_script

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "benchmarks" / "bench_frontier.py"
RESULTS = REPO / "benchmarks" / "results" / "frontier.json"


def _module():
    """The benchmark script as a module (its ``render``)."""
    return load_script("benchmarks/bench_frontier.py")


@pytest.mark.skipif(shutil.which("yosys") is None, reason="Yosys not installed (the lut6 counts need it)")
def test_quick_run_end_to_end(tmp_path):
    out = tmp_path / "quick.json"
    res = subprocess.run([sys.executable, str(SCRIPT), "--quick", "-o", str(out)], capture_output=True, text=True,
                         timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    doc = json.loads(out.read_text())
    assert doc["benchmark"] == "frontier" and doc["provenance"]["versions"]["lutlearn"]
    rows = doc["rows"]
    assert [r["n_output_luts"] for r in rows] == [40, 100]
    for r in rows:
        # the whole classifier: at least a lut per output lut, and the popcounts and argmax on top
        assert r["luts"] > r["n_output_luts"] and 0.8 < r["test_accuracy"] <= 1
        assert r["predict_per_s"] > 0 and r["comparators"] <= 128
    assert rows[1]["luts"] > rows[0]["luts"]
    tab = doc["tabular"][0]
    assert tab["task"] == "wine" and 0.8 < tab["cv_accuracy"] <= 1 and 0.8 < tab["random_forest_300"] <= 1
    assert (tmp_path / "quick.png").stat().st_size > 1000 and "<svg" in (tmp_path / "quick.svg").read_text()
    assert "| 8x8 digits 10 classes" in res.stdout and "DWN: 0.971 in 692 LUTs" in res.stdout
    again = subprocess.run([sys.executable, str(SCRIPT), "--render", str(out)], capture_output=True, text=True)
    assert again.returncode == 0 and again.stdout.strip() == res.stdout.strip()
    resumed = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--resume", "-o", str(out)],
                             capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "output luts:" not in resumed.stderr  # every design was in the file: nothing trained again
    kept = json.loads(out.read_text())
    assert kept["rows"] == doc["rows"] and kept["tabular"] == doc["tabular"]
    # the first run's provenance stays; the resumed run is listed, here with no series of its own
    assert kept["provenance"] == doc["provenance"] and kept["resumed"][0]["series"] == []


def test_render_refuses_other_documents(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text(json.dumps({"benchmark": "hardware", "format": 1}))
    res = subprocess.run([sys.executable, str(SCRIPT), "--render", str(bad)], capture_output=True, text=True)
    assert res.returncode != 0 and "not a frontier benchmark result" in res.stderr


@pytest.mark.skipif(not RESULTS.exists(), reason="no stored frontier result")
def test_stored_result_meets_the_mnist_targets():
    doc = json.loads(RESULTS.read_text())
    mnist = [r for r in doc["rows"] if r["task"].startswith("multiclass-mnist") and r["luts"]]
    assert max(r["test_accuracy"] for r in mnist if r["luts"] <= 2000) >= 0.97
    assert max(r["test_accuracy"] for r in mnist if r["luts"] <= 1000) >= 0.95


def test_stored_result_meets_the_cifar_target():
    doc = json.loads(RESULTS.read_text())
    assert max(r["test_accuracy"] for r in doc["rows"] if r["task"].startswith("multiclass-cifar10")) >= 0.50


def test_docs_table_is_the_stored_result():
    """Every row the benchmark renders from its stored JSON is in the docs page, digit for digit."""
    doc = json.loads(RESULTS.read_text())
    page = (REPO / "docs" / "frontier.md").read_text()
    rows = [line for line in _module().render(doc).splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) >= len(doc["rows"]) + len(doc["tabular"])
    missing = [line for line in rows if line not in page]
    assert not missing, missing
