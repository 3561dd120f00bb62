"""Tests of the paper's experiments: planning, the runner's records, resuming, failures, and the reproduce command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lutlearn import LutNetworkClassifier
from lutlearn.cli import main
from lutlearn.datasets import get_task as load_task
from lutlearn.experiments import EXPERIMENTS, get_experiment, paper, runner, table3
from lutlearn.experiments.cells import Records, make_cell, value_cell
from lutlearn.experiments.learners import LUT_NETWORK
from lutlearn.experiments.runner import (
    NEAREST_NEIGHBORS,
    Run,
    execute,
    load_records,
    lut_run,
    record_path,
    run_paths,
)
from lutlearn.experiments.tasks import labels_with_balance, permuted_labels, random_labels


def test_reproduce_all_quick_end_to_end(tmp_path, capsys):
    """``lutlearn reproduce all --quick``, run once (one test, so parallel workers do not repeat it)."""
    out = tmp_path / "quick"
    assert main(["reproduce", "all", "--quick", "--out", str(out), "--no-progress"]) == 0
    check_report_figures_and_records(out)
    check_lut_record_matches_a_direct_fit(out)
    check_random_labels_are_harder_to_memorize(out)
    capsys.readouterr()
    check_rerun_skips_recorded_runs_and_redoes_a_deleted_one(out, capsys)


def _all_runs(quick=True, seeds=1, slow=False):
    return [r for name in EXPERIMENTS for r in get_experiment(name).plan(quick=quick, seeds=seeds, slow=slow)]


# ---------------------------------------------------------------- the command
def check_report_figures_and_records(quick_out):
    report = (quick_out / "report.md").read_text()
    for name in EXPERIMENTS:
        assert get_experiment(name).TITLE in report
    for fig in ("figure1_gap_vs_k.png", "figure1_gap_vs_depth.png", "accuracy_vs_k.png", "depth_accuracy.png"):
        assert (quick_out / "figures" / fig).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    runs = list(dict.fromkeys(_all_runs()))
    paths = [p for r in runs for p in run_paths(quick_out, r)]
    assert sorted(paths) == sorted((quick_out / "runs").rglob("*.json"))
    for p in paths:
        rec = json.loads(p.read_text())
        assert rec["status"] == "ok", rec.get("error")
        assert 0.0 <= rec["train_accuracy"] <= 1.0 and 0.0 <= rec["test_accuracy"] <= 1.0
        assert rec["fit_seconds"] >= 0 and rec["predict_seconds"] >= 0
        prov = rec["provenance"]
        assert prov["versions"]["numpy"] == np.__version__
        assert prov["config"]["quick"] is True and prov["date"].endswith("+00:00")
        assert prov["git_hash"] is None or len(prov["git_hash"]) == 40


def check_lut_record_matches_a_direct_fit(quick_out):
    task = load_task("binary-digits")
    rec = json.loads(record_path(quick_out, "binary-digits", LUT_NETWORK,
                                 lut_run("binary-digits", 8, 0).settings, 0).read_text())
    clf = LutNetworkClassifier(k=8, hidden_layers=(1024,) * 5, random_state=0).fit(task.X_train, task.y_train)
    assert rec["test_accuracy"] == clf.score(task.X_test, task.y_test)
    assert rec["train_accuracy"] == clf.score(task.X_train, task.y_train)
    assert rec["extra"]["layer_report"] == clf.layer_report_


def check_random_labels_are_harder_to_memorize(quick_out):
    recs = Records(load_records(quick_out, _all_runs()))
    for k in (2, 6):
        real = recs.values("binary-digits", LUT_NETWORK, lut_run("binary-digits", k, 0).settings, "train_accuracy")
        rand = recs.values("binary-digits", LUT_NETWORK,
                           lut_run("binary-digits", k, 0, labels=table3.RANDOM).settings, "train_accuracy")
        assert real[0] > rand[0] + 0.05


def check_rerun_skips_recorded_runs_and_redoes_a_deleted_one(quick_out, capsys):
    victim = record_path(quick_out, "binary-digits", "naive-bayes", (), None)
    mtimes = {p: p.stat().st_mtime_ns for p in (quick_out / "runs").rglob("*.json")}
    victim.unlink()
    assert main(["reproduce", "table1", "--quick", "--out", str(quick_out), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 runs done")
    assert victim.exists()
    for p, t in mtimes.items():
        if p != victim:
            assert p.stat().st_mtime_ns == t, p
    assert (quick_out / "table1.md").exists()


def test_report_only_does_not_run(tmp_path, capsys):
    assert main(["reproduce", "table2", "--quick", "--out", str(tmp_path), "--report-only"]) == 0
    assert not (tmp_path / "runs").exists()
    assert "not run" in (tmp_path / "table2.md").read_text()


@pytest.mark.parametrize("content", ["[]", "3", '"text"', "{not json", '{"status": "ok"}', "ACCURACY"])
def test_a_record_that_is_not_a_json_object_is_named_and_run_again(tmp_path, capsys, content):
    assert main(["reproduce", "table2", "--quick", "--out", str(tmp_path), "--no-progress"]) == 0
    victim = next((tmp_path / "runs").rglob("*.json"))
    if content == "ACCURACY":  # a non-numeric accuracy stopped reproduce; {"status": "ok"} gave "error: 'task'"
        content = json.dumps({**json.loads(victim.read_text()), "test_accuracy": "high"})
    victim.write_text(content)
    with pytest.warns(UserWarning, match=rf"{victim.name}: (not a run record|unreadable run record|not a valid "
                                         r"run record).*done again"):
        assert main(["reproduce", "table2", "--quick", "--out", str(tmp_path), "--no-progress"]) == 0
    assert capsys.readouterr().out.splitlines()[-2].startswith("1 runs done")
    assert json.loads(victim.read_text())["status"] == "ok"


def test_bad_seeds_is_a_clear_error(tmp_path, capsys):
    assert main(["reproduce", "table2", "--quick", "--out", str(tmp_path), "--seeds", "0"]) == 1
    assert "--seeds must be at least 1" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["reproduce", "table2", "--quick", "--seeds", "100000000"],
                                  ["memorization", "noise", "--quick", "--seeds", "100000000"],
                                  ["memorization", "difficulty", "--quick", "--learners", "100000000"]])
def test_huge_sweep_counts_are_refused_before_any_work(tmp_path, capsys, argv):
    import time

    t0 = time.perf_counter()
    assert main([*argv, "--out", str(tmp_path), "--no-progress"]) == 1
    assert time.perf_counter() - t0 < 2
    assert "must be at most 10000 (got 100000000)" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()


# ---------------------------------------------------------------- the runner
def test_failed_run_is_recorded_and_the_others_go_on(tmp_path, monkeypatch):
    import lutlearn.experiments.baselines as baselines

    real = baselines.make_baseline

    def broken(name, **kw):
        if name == "naive-bayes":
            raise RuntimeError("boom")
        return real(name, **kw)

    monkeypatch.setattr(baselines, "make_baseline", broken)
    runs = [Run("binary-digits", "naive-bayes"), Run("binary-digits", "random-guess", (), 0)]
    outcome = execute(runs, tmp_path, progress=False)
    assert (outcome.ran, outcome.failed) == (2, 1)
    bad = json.loads(record_path(tmp_path, "binary-digits", "naive-bayes", (), None).read_text())
    assert bad["status"] == "failed" and bad["error"] == "RuntimeError: boom" and bad["test_accuracy"] is None
    good = json.loads(record_path(tmp_path, "binary-digits", "random-guess", (), 0).read_text())
    assert good["status"] == "ok"
    # a failed run is retried next time, a successful one is not
    monkeypatch.setattr(baselines, "make_baseline", real)
    again = execute(runs, tmp_path, progress=False)
    assert (again.ran, again.skipped, again.failed) == (1, 1, 0)


def test_absent_data_gives_no_data_cells_not_a_failure(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "out"
    assert main(["reproduce", "table1", "--data-home", str(empty), "--out", str(out), "--no-progress"]) == 0
    recs = [json.loads(p.read_text()) for p in (out / "runs").rglob("*.json")]
    assert recs and all(r["status"] == "no data" for r in recs)
    # the loader tried its download (sent to a closed local port by conftest) and says what to put where
    error = recs[0]["error"]
    assert "Put " in error and ("train-images-idx3-ubyte.gz" in error or "data_batch_1.bin" in error), error
    report = (out / "table1.md").read_text()
    assert "| no data | 0.90 |" in report  # memorization's test cell on MNIST, beside the paper's number


def test_record_path_is_derived_from_settings(tmp_path):
    a = record_path(tmp_path, "pairwise-mnist:4-9", LUT_NETWORK, lut_run("t", 8, 0).settings, 0)
    b = record_path(tmp_path, "pairwise-mnist:4-9", LUT_NETWORK, lut_run("t", 10, 0).settings, 0)
    c = record_path(tmp_path, "pairwise-mnist:4-9", LUT_NETWORK, lut_run("t", 8, 1).settings, 1)
    assert len({a, b, c}) == 3
    assert a == record_path(
        tmp_path, "pairwise-mnist:4-9", LUT_NETWORK, tuple(reversed(lut_run("t", 8, 0).settings)), 0
    )
    assert ":" not in a.name and a.parent.name == "pairwise-mnist_4-9"
    assert [p.stem for p in run_paths(tmp_path, Run("x", NEAREST_NEIGHBORS))] == ["1-nn", "5-nn"]


def test_seeds_plan_one_run_per_seed_and_deterministic_baselines_once():
    runs = get_experiment("table1").plan(quick=False, seeds=3)
    mem = [r for r in runs if r.method == LUT_NETWORK and r.task == "binary-mnist"]
    assert [r.seed for r in mem] == [0, 1, 2] and dict(mem[0].settings)["k"] == 12
    assert [r.seed for r in runs if r.method == "logistic-regression" and r.task == "binary-mnist"] == [None]
    assert not any(r.method in ("conv-net", "random-forest-300") for r in runs)
    slow = get_experiment("table1").plan(quick=False, seeds=1, slow=True)
    assert {"conv-net", "random-forest-300"} <= {r.method for r in slow}
    assert len(get_experiment("table4").plan()) == 45
    fig = get_experiment("figure1").plan()
    assert len(fig) == 45 * (6 + 7)  # 6 values of k, 8 depths at k = 2 (depth 5 shared)


# ---------------------------------------------------------------- cells, tasks, paper
def test_cells_average_over_seeds_and_compare_with_the_paper():
    recs = [{"status": "ok", "test_accuracy": v} for v in (0.80, 0.84)]
    c = make_cell(recs, "test_accuracy", paper=0.87, tol=0.02)
    assert c["mean"] == pytest.approx(0.82) and c["std"] == pytest.approx(0.02) and c["n"] == 2
    assert c["diff"] == pytest.approx(-0.05) and c["off"] is True
    assert make_cell(recs, "test_accuracy", paper=0.83, tol=0.02)["off"] is False
    assert make_cell([{"status": "no data", "error": "x"}], "test_accuracy")["status"] == "no data"
    mixed = make_cell([{"status": "no data"}, {"status": "failed", "error": "E"}], "test_accuracy")
    assert mixed["status"] == "failed" and mixed["error"] is None or mixed["status"] == "failed"
    assert make_cell([], "test_accuracy")["status"] == "not run"
    assert value_cell(0.9, 0.95, 0.02)["off"] is True and value_cell(None)["status"] == "not run"


def test_random_labels_are_seeded_and_balanced():
    a, b = random_labels(10000, 0), random_labels(10000, 0)
    assert np.array_equal(a, b) and set(np.unique(a)) == {0, 1}
    assert abs(a.mean() - 0.5) < 0.02
    assert (a != random_labels(10000, 1)).mean() > 0.4


def test_table3_random_columns_are_the_real_labels_permuted(monkeypatch):
    """Table 3's random data keep the real labels' class balance (Zhang et al.'s protocol), seeded per run."""
    runs = table3.plan(quick=True, seeds=2)
    random_runs = [r for r in runs if r.options["labels"] != "real"]
    assert random_runs and {r.options["labels"] for r in random_runs} == {"permuted"}
    task = load_task("binary-digits")
    seen = []
    monkeypatch.setattr(runner, "_fit_lut", lambda run, task, y, n_jobs: seen.append(y) or {
        LUT_NETWORK: (y, task.y_test, 0.0, 0.0, {})})
    for run in random_runs[:2]:
        runner._execute_one(run, task, 1)
    for y, seed in zip(seen, (0, 1)):
        np.testing.assert_array_equal(np.bincount(y), np.bincount(task.y_train))  # same balance
        assert 0.3 < (y != task.y_train).mean() < 0.7
        np.testing.assert_array_equal(y, permuted_labels(task.y_train, seed))
    assert (seen[0] != seen[1]).any()


def test_labels_with_balance_have_exactly_that_many_ones():
    y = labels_with_balance(1000, 0.49, 3)
    assert y.sum() == 490 and np.array_equal(y, labels_with_balance(1000, 0.49, 3))
    assert (y != labels_with_balance(1000, 0.49, 4)).any()
    with pytest.raises(ValueError, match="fraction of ones"):
        labels_with_balance(10, 1.5, 0)


def test_pairwise_digits_task_keeps_only_the_two_classes():
    t = load_task("pairwise-digits:4-9")
    full = load_task("binary-digits")
    assert t.X_train.shape[1] == 64 and set(np.unique(t.y_train)) == {0, 1}
    assert 0.3 < t.y_train.mean() < 0.7 and len(t.y_train) < len(full.y_train) / 4
    with pytest.raises(ValueError, match="must differ"):
        load_task("pairwise-digits:3-3")


def test_pairwise_digits_is_a_registered_task_with_the_same_bits_as_before():
    """The registry builds pairwise-digits from the bundled digits exactly as the experiments' own builder did."""
    from lutlearn.datasets import TASKS, load_digits_raw, task_size

    assert TASKS["pairwise-digits:I-J"].source == "digits"
    Xtr, ytr, Xte, yte = load_digits_raw()
    for i, j in ((4, 9), (0, 1), (8, 3)):
        t = load_task(f"pairwise-digits:{i}-{j}")
        tr, te = np.isin(ytr, (i, j)), np.isin(yte, (i, j))  # the former builder, kept here as the oracle
        for got, want in ((t.X_train, (Xtr[tr] > 8).astype(np.uint8)), (t.y_train, (ytr[tr] == j).astype(np.int64)),
                          (t.X_test, (Xte[te] > 8).astype(np.uint8)), (t.y_test, (yte[te] == j).astype(np.int64))):
            assert got.dtype == want.dtype
            np.testing.assert_array_equal(got, want)
        assert t.name == f"pairwise-digits:{i}-{j}"
        assert task_size(t.name) == (len(t.y_train), len(t.y_test), 64)


def test_paper_table4_reads_train_below_and_test_above_the_diagonal():
    assert len(paper.TABLE4) == 45
    assert paper.TABLE4[(0, 1)] == (0.96, 0.77)  # plane v/s auto
    assert paper.TABLE4[(8, 9)] == (0.98, 0.77)  # ship v/s truck
    assert paper.TABLE4[(3, 5)] == (0.96, 0.61)  # cat v/s dog, the hardest
    assert paper.tolerance("pairwise-cifar10:1-2") == 0.03 and paper.tolerance("binary-mnist") == 0.02


# ---------------------------------------------------------------- on the real data
def test_table2_on_binary_mnist_matches_the_paper(mnist_home, tmp_path):
    """The k = 8 network's per-layer statistics and test accuracy are within 0.02 of Table 2."""
    out = tmp_path / "t2"
    assert main(["reproduce", "table2", "--data-home", str(mnist_home), "--out", str(out), "--no-progress"]) == 0
    section = get_experiment("table2").summarize(load_records(out, get_experiment("table2").plan()))
    from lutlearn.experiments.report import off_target

    cells = [c for t in section["tables"] for row in t["rows"] for c in row[1:]]
    assert all(c["status"] == "ok" for c in cells)
    assert off_target(section) == []


@pytest.mark.slow
def test_table3_on_binary_mnist_matches_the_paper(mnist_home, tmp_path):
    out = tmp_path / "t3"
    assert main(["reproduce", "table3", "--data-home", str(mnist_home), "--out", str(out), "--no-progress"]) == 0
    from lutlearn.experiments.report import off_target

    section = get_experiment("table3").summarize(load_records(out, get_experiment("table3").plan()))
    # Real labels match the paper except at k = 2 (one wiring is noisy there); the random-label
    # columns are known to differ (the report's note says how and why), so only real-label cells count.
    real_misses = [c for c in off_target(section) if "column Real" in c and "row 2," not in c]
    assert real_misses == [], real_misses
    assert any("column Random: training" in c for c in off_target(section))  # the documented gap is reported


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_reproduce_on_a_local_dask_cluster_writes_the_same_records(tmp_path):
    """``--dask local:2`` spreads the runs over worker processes; records equal the in-process run's."""
    pytest.importorskip("distributed")
    serial, spread = tmp_path / "serial", tmp_path / "dask"
    assert main(["reproduce", "table3", "--quick", "--out", str(serial), "--no-progress", "--n-jobs", "1"]) == 0
    assert main(["reproduce", "table3", "--quick", "--out", str(spread), "--no-progress", "--dask", "local:2"]) == 0

    def accuracies(folder):
        recs = [json.loads(p.read_text()) for p in sorted((folder / "runs").rglob("*.json"))]
        return [(r["task"], r["method"], json.dumps(r["settings"], sort_keys=True), r["seed"], r["status"],
                 r["train_accuracy"], r["test_accuracy"]) for r in recs]

    got, want = accuracies(spread), accuracies(serial)
    assert len(want) == 6
    assert got == want
    assert all(row[4] == "ok" for row in got)


# ---------------------------------------------------------------- one pipeline, one learner name
OLD_RECORDS = Path(__file__).parent / "fixtures" / "old-records"


def _body(report: str) -> str:
    """A report without its header (which names the date and what this invocation ran)."""
    return report[report.index("\n## "):]


def test_records_under_the_old_lut_name_are_found_and_not_rerun(tmp_path, capsys):
    """Result folders from before the rename (method ``memorization``) still count: read, not rerun."""
    import shutil

    old = tmp_path / "old"
    shutil.copytree(OLD_RECORDS, old)
    files = sorted(p.relative_to(old) for p in old.rglob("*.json"))
    assert files and all(p.name.startswith("memorization__") for p in files)
    # Table 3's random labels are now the real ones permuted: the old coin-flip records ("random") are not its
    # runs any more, the real-label ones still are
    real = [p for p in files if "labels=real" in p.name]
    plan = get_experiment("table3").plan(quick=True)
    assert main(["reproduce", "table3", "--quick", "--out", str(old), "--no-progress"]) == 0
    assert capsys.readouterr().out.startswith(
        f"{len(plan) - len(real)} runs done (0 failed, 0 without data), {len(real)} already recorded")
    written = sorted(set(p.relative_to(old) for p in old.rglob("*.json")) - set(files))
    assert len(written) == len(plan) - len(real) and all("labels=permuted" in p.name for p in written)
    recs = load_records(old, plan)
    assert len(recs) == len(plan) and {r["method"] for r in recs} == {LUT_NETWORK}
    assert execute(plan, old, progress=False).skipped == len(plan)
    # the same report as from records written today, under today's name
    new = tmp_path / "new"
    assert main(["reproduce", "table3", "--quick", "--out", str(new), "--no-progress"]) == 0
    assert all(p.name.startswith(LUT_NETWORK + "__") for p in new.rglob("*.json"))
    assert _body((old / "table3.md").read_text()) == _body((new / "table3.md").read_text())
    old_accuracies = sorted((r["settings"]["k"], r["settings"]["labels"], r["train_accuracy"], r["test_accuracy"])
                            for r in recs)
    assert old_accuracies == sorted((r["settings"]["k"], r["settings"]["labels"], r["train_accuracy"],
                                     r["test_accuracy"]) for r in load_records(new, plan))
    # a record under today's name wins over the old one
    fresh = json.loads(record_path(new, "binary-digits", LUT_NETWORK, plan[0].settings, 0).read_text())
    fresh["test_accuracy"] = 0.123
    record_path(old, "binary-digits", LUT_NETWORK, plan[0].settings, 0).write_text(json.dumps(fresh))
    assert [r["test_accuracy"] for r in load_records(old, plan[:1])] == [0.123]


def test_run_suite_serves_both_sweep_commands(tmp_path, monkeypatch, capsys):
    from lutlearn.experiments import REGISTRY as PAPER, PaperConfig, runner
    from lutlearn.memorization import REGISTRY as LAB, LabConfig

    calls = []
    real = runner.run_suite

    def spy(registry, names, options, out, **kwargs):
        calls.append((registry, names, options))
        return real(registry, names, options, out, **kwargs)

    monkeypatch.setattr(runner, "run_suite", spy)
    paper_out, lab_out = tmp_path / "reproduce", tmp_path / "lab"
    assert main(["reproduce", "table2", "--quick", "--out", str(paper_out), "--no-progress"]) == 0
    assert main(["memorization", "noise", "--quick", "--task", "binary-digits", "--no-mlp", "--out", str(lab_out),
                 "--no-progress"]) == 0
    lab_options = LabConfig(task="binary-digits", quick=True, mlp=False)
    assert calls == [(PAPER, "table2", PaperConfig(quick=True)), (LAB, "noise", lab_options)]
    printed = capsys.readouterr().out
    assert printed.count("runs done") == 2 and f"report: {paper_out / 'table2.md'}" in printed
    paper_report, lab_report = (paper_out / "table2.md").read_text(), (lab_out / "noise.md").read_text()
    assert paper_report.startswith("# Reproducing Chatterjee (2018)")
    assert "**Quick mode**: small stand-in" in paper_report
    assert lab_report.startswith("# Memorization lab") and "1000 training and 500 test examples" in lab_report
    assert "MLP runs left out (`--no-mlp`)." in lab_report
    for report in (paper_report, lab_report):
        assert "This invocation ran" in report and "One JSON record per run is under `runs/`" in report
    # called as a library, it renders the same reports from the stored records
    for registry, name, options, out, report in ((PAPER, "table2", PaperConfig(quick=True), paper_out, paper_report),
                                                 (LAB, "noise", lab_options, lab_out, lab_report)):
        result = real(registry, [name], options, out, command="x", report_only=True,
                      notes=["MLP runs left out (`--no-mlp`)."] if registry is LAB else ())
        assert result.outcome is None and result.report == out / f"{name}.md"
        assert _body(result.report.read_text()) == _body(report)
    # every experiment of a family, in order, goes to the family's report
    result = real(PAPER, "all", PaperConfig(quick=True), tmp_path / "all", command="x", report_only=True)
    assert result.report.name == "report.md"
    assert [line[3:] for line in result.report.read_text().splitlines() if line.startswith("## ")] == \
        [get_experiment(n).TITLE for n in EXPERIMENTS]


def test_task_cache_loads_each_task_once_and_travels_empty(monkeypatch):
    import pickle

    import lutlearn.datasets as datasets
    from lutlearn.experiments.runner import TaskCache

    loads = []
    real = datasets.get_task
    monkeypatch.setattr(datasets, "get_task", lambda name, **kw: loads.append(name) or real(name, **kw))
    cache = TaskCache(size=2)
    a = cache.get("binary-digits")
    assert cache.get("binary-digits") is a and loads == ["binary-digits"]
    cache.get("pairwise-digits:0-1"), cache.get("pairwise-digits:1-2"), cache.get("binary-digits")
    assert loads == ["binary-digits", "pairwise-digits:0-1", "pairwise-digits:1-2", "binary-digits"]
    copy = pickle.loads(pickle.dumps(cache))
    assert copy._tasks == {} and copy.size == 2 and copy.get("binary-digits") is not a


def test_one_layers_notation_for_the_cli_and_both_sweeps():
    import argparse

    from lutlearn.commands._common import layers_arg
    from lutlearn.experiments.learners import lut_network, parse_layers
    from lutlearn.memorization.runs import lut_run as lab_lut_run, make_learner

    assert parse_layers("5x1024") == layers_arg("5x1024") == (1024,) * 5
    assert parse_layers(" 512,256 ") == (512, 256) and parse_layers("0") == parse_layers("none") == ()
    with pytest.raises(ValueError, match="invalid layer list '5x'"):
        parse_layers("5x")
    with pytest.raises(argparse.ArgumentTypeError, match="invalid layer list 'axb'"):
        layers_arg("axb")
    for run in (lut_run("t", 6, 3, layers=2, width=64), lab_lut_run("t", 6, 3, layers=2, width=64)):
        assert run.method == LUT_NETWORK
        clf = make_learner(run, 1) if "measure" in run.options else lut_network(run.options, run.seed, 1)
        assert (clf.k, clf.hidden_layers, clf.random_state, clf.n_jobs) == (6, (64, 64), 3, 1)


def test_report_without_matplotlib_from_the_command_line(tmp_path, capsys, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    assert main(["reproduce", "depth", "--quick", "--out", str(tmp_path), "--report-only"]) == 0
    text = (tmp_path / "depth.md").read_text()
    assert "Figures skipped: figures need matplotlib" in text and "Binary-Digits: accuracy against depth" in text
