"""``benchmarks/bench_circuits.py``: the per-family summary, ``--jobs`` and ``--resume`` (run end to end)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from _scripts import load_script

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_circuits.py"


@pytest.fixture(scope="module")
def bench():
    return load_script("benchmarks/bench_circuits.py")


def _row(task, family, learner, test, gates, levels, seconds):
    return {"task": task, "family": family, "learner": learner, "valid_accuracy": test, "test_accuracy": test,
            "and_gates": gates, "levels": levels, "seconds": seconds, "chosen": ""}


def test_summary_and_tables_are_computed_from_the_rows(bench):
    rows = [_row("cmp:8", "cmp", "tree", 0.5, 10, 3, 1.0), _row("cmp:8", "cmp", "greedy", 1.0, 4, 2, 3.0),
            _row("cmp:16", "cmp", "tree", 0.75, 30, 5, 2.0), _row("cmp:16", "cmp", "greedy", 0.9, 8, 3, 5.0),
            _row("sym:16:1", "sym", "tree", 0.25, 100, 9, 4.0), _row("sym:16:1", "sym", "greedy", 0.6, 50, 7, 1.0)]
    summary = bench.summarize(rows)
    assert list(summary) == ["cmp", "sym", "overall"] and list(summary["cmp"]) == ["tree", "greedy"]
    for family in summary:
        for learner, got in summary[family].items():
            mine = [r for r in rows if r["learner"] == learner and family in ("overall", r["family"])]
            assert got["tasks"] == len(mine)
            for key in ("test_accuracy", "and_gates", "levels", "seconds"):
                assert got[key] == pytest.approx(statistics.mean(r[key] for r in mine)), (family, learner, key)
    table = bench.render({"results": rows, "config": {"max_and_gates": 5000, "abc": True}})
    lines = table.splitlines()
    assert lines[0].startswith("| family | tasks | tree test | tree ANDs | tree levels | tree s | greedy test")
    cmp_tree, cmp_greedy = summary["cmp"]["tree"], summary["cmp"]["greedy"]
    assert lines[2] == (f"| cmp | 2 | {cmp_tree['test_accuracy']:.3f} | {cmp_tree['and_gates']:.0f} | "
                        f"{cmp_tree['levels']:.1f} | {cmp_tree['seconds']:.1f} | {cmp_greedy['test_accuracy']:.3f} | "
                        f"{cmp_greedy['and_gates']:.0f} | {cmp_greedy['levels']:.1f} | {cmp_greedy['seconds']:.1f} |")
    assert lines[4].startswith("| **overall** | 3 | ")
    assert "median time per task: tree 2.0 s, greedy 3.0 s" in table and "(ABC counts)" in table
    assert table.index("| **overall** |") < table.index("| task | ") < table.index("| sym:16:1 | 0.250 | 100 | 9 |")


def _run(*args, timeout=600):
    proc = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_jobs_and_resume_give_the_rows_of_one_run(tmp_path, bench):
    """--jobs 2 gives the rows of a serial run; a run cut after its first task, resumed, runs only the rest."""
    tasks = ["few:12:2:0", "cmp:8"]
    small = ["--quick", "--tasks", ",".join(tasks), "--ks", "2,4", "--depths", "0,1", "--max-width", "8"]
    full = tmp_path / "full.json"
    proc = _run(*small, "--jobs", "2", "-o", str(full))
    assert proc.stderr.count("] few:12:2:0: tree ") == 1 and proc.stderr.count("] cmp:8: tree ") == 1
    doc = json.loads(full.read_text())
    assert doc["complete"] and doc["machine"]["jobs"] == 2
    n = len(bench.LEARNERS)
    assert [r["task"] for r in doc["results"]] == [t for t in tasks for _ in range(n)]  # task order, not finish order

    cut = tmp_path / "cut.json"  # as if interrupted after the first task: the file holds that task only
    cut.write_text(json.dumps({**doc, "complete": False, "results": doc["results"][:n]}))
    proc = _run(*small, "-o", str(cut), "--resume")
    assert f"resuming {cut}: 1 tasks done, 1 to run" in proc.stderr
    assert "few:12:2:0" not in proc.stderr.split("to run")[1].split("| family")[0]  # not run again
    assert "[2/2] cmp:8: " in proc.stderr
    resumed = json.loads(cut.read_text())
    assert resumed["complete"]
    assert resumed["results"][:n] == doc["results"][:n]  # kept as they were, times included

    def strip(rows):
        return [{k: v for k, v in r.items() if k not in ("seconds", "cpu_seconds")} for r in rows]

    assert strip(resumed["results"]) == strip(doc["results"])
    assert _run("--render", str(cut)).stdout.strip() in proc.stdout


def test_resume_refuses_other_settings(tmp_path, bench):
    out = tmp_path / "r.json"
    out.write_text(json.dumps({"config": {"n_split": 800, "max_and_gates": 10, "ks": [2], "depths": [0],
                                          "max_width": 16, "abc": False, "learners": list(bench.LEARNERS)},
                               "results": []}))
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--tasks", "cmp:8", "-o", str(out), "--resume"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "cannot resume: its settings differ (max_and_gates, ks, depths)" in proc.stderr


def test_learners_option_runs_only_those(tmp_path):
    out = tmp_path / "l.json"
    _run("--quick", "--tasks", "cmp:8", "--learners", "tree,greedy", "-o", str(out))
    assert [r["learner"] for r in json.loads(out.read_text())["results"]] == ["tree", "greedy"]
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--learners", "tree,forest"], capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 2 and "unknown learner(s) forest" in proc.stderr


def test_boosted_learners_and_the_image_families(tmp_path, bench):
    from lutlearn.circuits.logic_tasks import IMAGE_SUITE, SUITE, family_of

    assert {family_of(s) for s in IMAGE_SUITE} == {"mnist", "cifar10"} and len(set(IMAGE_SUITE)) == len(IMAGE_SUITE)
    assert [s for s in SUITE if family_of(s) in ("mnist", "cifar10")] == list(IMAGE_SUITE[:10])
    out = tmp_path / "b.json"
    _run("--quick", "--tasks", "few:64:3:1", "--learners", "boosted,fit-circuit-unboosted", "-o", str(out))
    rows = json.loads(out.read_text())["results"]
    assert [r["learner"] for r in rows] == ["boosted", "fit-circuit-unboosted"]
    assert rows[0]["chosen"].startswith("boosted k=") and rows[0]["test_accuracy"] > 0.9
    assert "boosted" not in rows[1]["chosen"]
    proc = subprocess.run([sys.executable, str(SCRIPT), "--images", "--tasks", "cmp:8"], capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 2 and "one of --suite, --images and --tasks" in proc.stderr


def test_no_images_goes_with_the_suite():
    proc = subprocess.run([sys.executable, str(SCRIPT), "--no-images", "--quick"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2 and "--no-images goes with --suite" in proc.stderr
