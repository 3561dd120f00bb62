"""benchmarks/bench_multiclass_circuits.py: the --quick run end to end, its JSON and --render of it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "benchmarks" / "bench_multiclass_circuits.py"


def test_quick_run_end_to_end(tmp_path):
    out = tmp_path / "quick.json"
    res = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--no-abc", "-o", str(out)], capture_output=True,
                         text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    doc = json.loads(out.read_text())
    assert doc["complete"] and doc["benchmark"] == "bench_multiclass_circuits" and doc["git_commit"]
    rows = {(r["budget"], r["learner"]): r for r in doc["results"]}
    assert set(rows) == {(1000, "tree"), (1000, "boosted"), (3000, "tree"), (3000, "boosted")}
    for (budget, _), r in rows.items():
        assert 0 < r["and_gates"] <= budget and 0.5 < r["test_accuracy"] <= 1
    # on ten classes the boosted luts beat the tree under the same budget
    assert rows[3000, "boosted"]["test_accuracy"] > rows[3000, "tree"]["test_accuracy"]
    table = subprocess.run([sys.executable, str(SCRIPT), "--render", str(out)], capture_output=True, text=True,
                           timeout=120)
    assert table.returncode == 0 and table.stdout.count("| multiclass-digits |") == 4
    assert f"{rows[3000, 'boosted']['test_accuracy']:.4f}" in table.stdout


@pytest.mark.parametrize("abc", [False, True])
def test_quick_multi_output_run(tmp_path, abc):
    from lutlearn.export import tools

    if abc and (tools.find_abc() is None or not tools.abc_has_command("&ttopt")):
        pytest.skip("ABC with &ttopt not installed (Debian package 'berkeley-abc')")
    out = tmp_path / "multi.json"
    res = subprocess.run([sys.executable, str(SCRIPT), "--multi-output", "--quick", *([] if abc else ["--no-abc"]),
                          "-o", str(out)], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    doc = json.loads(out.read_text())
    rows = {r["learner"]: r for r in doc["results"]}
    assert set(rows) == {"tree", "per-output", "fit-circuit"} and all(r["task"] == "add:4" for r in doc["results"])
    for r in rows.values():
        assert r["n_outputs"] == 5 and 0 < r["and_gates"] <= 300 and r["and_gates"] <= r["and_gates_separate"]
    assert rows["fit-circuit"]["test_accuracy"] > 0.95 and rows["fit-circuit"]["all_outputs_right"] > 0.8
    assert "| add:4 | 5 | 300 | fit-circuit |" in res.stdout
    if abc:  # the joint care table gives every output of the adder, in fewer gates than the outputs apart
        assert rows["fit-circuit"]["outputs_from_joint_table"] == 5 and "same_as" not in rows["fit-circuit"]
        assert rows["fit-circuit"]["and_gates"] < rows["per-output"]["and_gates_separate"]
    else:  # without ABC there is no joint table: the same call as per-output, not run twice
        assert rows["fit-circuit"]["same_as"] == "per-output" and rows["fit-circuit"]["outputs_from_joint_table"] == 0
        assert "| = per-output |" in res.stdout


def test_the_circuits_page_shows_the_stored_runs():
    """The circuits page's ten-class and multi-output tables are --render of the stored result files, line for
    line, and the files say how they were made."""
    page = (REPO / "docs" / "circuits.md").read_text()
    for name in ("circuits-multiclass", "circuits-multiclass-100k-mnist", "circuits-multiclass-100k-cifar10",
                 "circuits-multiclass-1m-cifar10", "circuits-multiclass-1m-cifar10-tree", "circuits-multi-output"):
        path = REPO / "benchmarks" / "results" / f"{name}.json"
        doc = json.loads(path.read_text())
        assert doc["complete"] and doc["command"].startswith("bench_multiclass_circuits.py") and doc["git_commit"]
        table = subprocess.run([sys.executable, str(SCRIPT), "--render", str(path)], capture_output=True, text=True,
                               timeout=120)
        assert table.returncode == 0
        for line in table.stdout.splitlines():
            assert line in page, (name, line)


def test_quick_run_on_raw_pixels_with_one_hot_outputs(tmp_path):
    out = tmp_path / "raw.json"
    res = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--no-abc", "--learners", "boosted", "--levels", "2",
                          "--one-hot", "--output-bits", "2", "--start-luts", "30", "-o", str(out)],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    doc = json.loads(out.read_text())
    assert doc["config"]["levels"] == 2 and doc["config"]["one_hot"]
    for r in doc["results"]:
        assert r["learner"] == "boosted" and "votes=2 bits, raw pixels, 2 thresholds each" in r["chosen"]
        assert 0 < r["and_gates"] <= r["budget"] and r["test_accuracy"] > 0.6
