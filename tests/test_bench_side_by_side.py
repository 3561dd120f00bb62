"""The side-by-side benchmark: a commit checked out beside this one, both measured in one alternating run."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from _scripts import load_script

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "benchmarks" / "bench_side_by_side.py"


def _module():
    return load_script("benchmarks/bench_side_by_side.py")


def test_summary_pairs_the_rounds_and_reports_the_spread():
    mod = _module()
    runs = {"w": {"base": [{"best_s": 2.0}, {"best_s": 1.0}, {"best_s": 4.0}],
                  "new": [{"best_s": 1.0}, {"best_s": 1.5}, {"best_s": 4.0}]},
            "c": {"base": [{"best_s": 3.0, "aig_sha256": "a"}], "new": [{"best_s": 3.0, "aig_sha256": "b"}]}}
    rows = {r["workload"]: r for r in mod.summarize(runs)}
    assert rows["w"]["ratio"] == 1.0 and rows["w"]["ratio_low"] == 0.5 and rows["w"]["ratio_high"] == 1.5
    assert rows["w"]["base_s"] == 2.0 and rows["w"]["new_s"] == 1.5 and "same_circuit" not in rows["w"]
    assert rows["c"]["same_circuit"] is False
    table = mod.render({"base": "0123456789abcdef0", "new": "x", "rounds": 3, "rows": list(rows.values())})
    assert "| w | 2.0000 | 1.5000 | 1.000 | 0.500 | 1.500 |" in table and "(circuits differ)" in table


def test_base_worktree_is_checked_out_and_removed(tmp_path):
    if subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True).returncode:
        pytest.skip("not a git checkout")
    mod = _module()
    with mod.base_worktree("HEAD", tmp_path) as (commit, path):
        assert (path / "src" / "lutlearn" / "__init__.py").exists() and len(commit) == 40
    assert not path.exists()
    assert str(path) not in subprocess.run(["git", "worktree", "list"], cwd=REPO, capture_output=True,
                                           text=True).stdout
    with pytest.raises(subprocess.CalledProcessError):
        with mod.base_worktree("no-such-commit-anywhere", tmp_path):
            pass


def test_quick_run_end_to_end(tmp_path):
    """This checkout against its own sources (``--base-src``): every workload measured on both sides."""
    out = tmp_path / "s.json"
    res = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--base-src", str(REPO / "src"), "--rounds", "1",
                          "--repeats", "1", "--circuits", "cmp:6", "-o", str(out)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-3000:]
    doc = json.loads(out.read_text())
    names = [r["workload"] for r in doc["rows"]]
    assert names == ["paper k=8 predict, 1 thread", "paper k=8 fit, 2 threads", "fit-circuit cmp:6 (CPU s)"]
    for r in doc["rows"]:
        assert r["base_s"] > 0 and r["new_s"] > 0 and r["rounds"] == 1
    assert doc["rows"][-1]["same_circuit"] is True  # the same sources give the same circuit
    assert "| paper k=8 predict, 1 thread |" in res.stdout
    assert doc["complete"] is True
    run = doc["runs"]["fit-circuit cmp:6 (CPU s)"]
    assert run["base"][0]["test_accuracy"] == run["new"][0]["test_accuracy"] > 0.9  # a comparator of 6 inputs
    (cmp6, total) = doc["families"]
    assert cmp6["family"] == "cmp" and total["family"] == "all" and cmp6["changed"] == 0 and cmp6["tasks"] == 1
    assert "By family:" in res.stdout and "| cmp | 1 |" in res.stdout


def test_families_table_medians_means_and_changed_circuits():
    """Per family: the median over tasks of each side's CPU seconds, the mean test accuracy, the circuits that
    differ; 'all' over every task; workloads that are not fit-circuit tasks are left out."""
    mod = _module()

    def rec(cpu, sha, acc):
        return {"best_s": cpu, "aig_sha256": sha, "test_accuracy": acc}

    runs = {
        "paper k=8 predict, 1 thread": {"base": [{"best_s": 1.0}], "new": [{"best_s": 1.0}]},
        "fit-circuit cmp:10 (CPU s)": {"base": [rec(4.0, "a", 0.9)], "new": [rec(2.0, "a", 0.9)]},
        "fit-circuit cmp:20 (CPU s)": {"base": [rec(10.0, "b", 0.8)], "new": [rec(4.0, "c", 0.9)]},
        "fit-circuit sym:16:1 (CPU s)": {"base": [rec(6.0, "d", 1.0)], "new": [rec(6.0, "d", 1.0)]},
    }
    rows = {r["family"]: r for r in mod.families(runs)}
    assert list(rows) == ["cmp", "sym", "all"]
    assert rows["cmp"]["base_cpu_s"] == 7.0 and rows["cmp"]["new_cpu_s"] == 3.0 and rows["cmp"]["changed"] == 1
    assert rows["cmp"]["base_test"] == pytest.approx(0.85) and rows["cmp"]["new_test"] == pytest.approx(0.9)
    assert rows["all"]["tasks"] == 3 and rows["all"]["base_cpu_s"] == 6.0 and rows["all"]["new_cpu_s"] == 4.0
    assert rows["all"]["ratio"] == pytest.approx(4 / 6)
    table = mod.render_families(list(rows.values()))
    assert "| cmp | 2 | 7.00 | 3.00 | 0.429 | 0.8500 | 0.9000 | 1 |" in table


def test_circuit_task_lists_expand_suite_and_images():
    mod = _module()
    suite = mod.expand_circuits("suite")
    assert len(suite) == 70 and "cmp:40" in suite and not any(t.startswith(("mnist", "cifar10")) for t in suite)
    images = mod.expand_circuits("images")
    assert len(images) == 10 and all(t.startswith(("mnist", "cifar10")) for t in images)
    assert mod.expand_circuits("cmp:6,suite,cmp:6") == ["cmp:6", *[t for t in suite if t != "cmp:6"]]


def test_docs_tables_are_the_stored_results():
    """The performance page shows the stored side-by-side results as ``--render`` prints them."""
    mod = _module()
    page = (REPO / "docs" / "performance.md").read_text()
    stored = sorted((REPO / "benchmarks" / "results").glob("side-by-side-*.json"))
    assert stored
    for path in stored:
        table = mod.render(json.loads(path.read_text()))
        assert table in page, f"{path.name} is not on the performance page as rendered"


def test_nothing_to_measure_is_refused():
    res = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--base-src", str(REPO / "src"), "--only", "nothing"],
                         capture_output=True, text=True)
    assert res.returncode == 2 and "no workload's name contains 'nothing' and no --circuits" in res.stderr
