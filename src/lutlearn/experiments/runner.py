"""Run the experiments' planned runs once each and keep every result as a JSON record.

A :class:`Run` is one fit and evaluation: a task, a method, its settings and
a seed. Its result is written to ``OUT/runs/<task>/<method>__<settings>__seed=<n>.json``,
a path derived from the settings alone, so a run already recorded as ``ok``
is skipped when the command is started again (``force=True`` reruns it).
Records stored under a method's former name (see
:data:`lutlearn.experiments.learners.FORMER_NAMES`) count as its own.
A run that raises is recorded with status ``failed`` and its error, and the
others go on; a run whose data files are absent is recorded as ``no data``.

A record holds: ``task``, ``method``, ``settings``, ``seed``, ``status``,
``error``, ``train_accuracy``, ``test_accuracy``, ``fit_seconds``,
``predict_seconds`` (on the test set), ``n_train``, ``n_test``,
``n_features``, ``extra`` (e.g. the lut network's per-layer report) and
``provenance`` (date, git hash, library versions, platform, the command's
configuration).

:func:`run_suite` is the whole pipeline of a sweep command (``lutlearn
reproduce``, ``lutlearn memorization``): plan the runs of an experiment
family (:class:`~lutlearn.experiments.registry.Registry`), execute them,
summarize their records and write the report.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import subprocess
import sys
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from lutlearn._files import write_json
from lutlearn._version import __version__
from lutlearn.experiments.learners import FORMER_NAMES, LUT_NETWORK, layers_setting, lut_network

SCHEMA_VERSION = 1
#: A neighbour search shared by the 1-NN and 5-NN records.
NEAREST_NEIGHBORS = "nearest-neighbors"


@dataclass(frozen=True)
class Run:
    """One planned fit-and-evaluate: ``task``, ``method``, ``settings`` (sorted key/value pairs) and ``seed``.

    ``outputs`` names the records the run writes: its own method, except for
    the shared neighbour search, which writes ``1-nn`` and ``5-nn``.
    """

    task: str
    method: str
    settings: tuple = ()
    seed: int | None = None

    @property
    def outputs(self) -> tuple[str, ...]:
        return ("1-nn", "5-nn") if self.method == NEAREST_NEIGHBORS else (self.method,)

    @property
    def options(self) -> dict:
        return dict(self.settings)


def lut_run(task: str, k: int, seed: int, layers: int = 5, width: int = 1024, labels: str = "real") -> Run:
    """The run of a lut network with ``layers`` hidden layers of ``width`` luts of size ``k``."""
    return Run(task, LUT_NETWORK, (("k", k), ("labels", labels), ("layers", layers_setting(layers, width))), seed)


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_.=" else "_" for c in str(text))


def record_path(out: Path, task: str, method: str, settings: tuple, seed: int | None) -> Path:
    """Where the record of ``method`` on ``task`` with ``settings`` and ``seed`` lives under ``out``."""
    parts = [method] + [f"{k}={v}" for k, v in sorted(settings)]
    if seed is not None:
        parts.append(f"seed={seed}")
    return out / "runs" / _slug(task) / (_slug("__".join(parts)) + ".json")


def run_paths(out: Path, run: Run) -> list[Path]:
    """The record files ``run`` writes."""
    return [record_path(out, run.task, m, run.settings, run.seed) for m in run.outputs]


def stored_record(out: Path, run: Run, method: str) -> dict | None:
    """The stored record of ``run``'s output ``method``, or None.

    A record written under one of the method's former names (old result
    folders) is found too, with its ``method`` read as today's name.
    """
    for name in (method, *FORMER_NAMES.get(method, ())):
        rec = read_record(record_path(out, run.task, name, run.settings, run.seed))
        if rec is not None:
            rec["method"] = method
            return rec
    return None


def read_record(path: Path) -> dict | None:
    """The record stored at ``path``, or None when there is none (or it is unreadable, or not a JSON object:
    then a warning names it, and the run counts as not done, so a sweep runs it again)."""
    try:
        with open(path) as fh:
            rec = json.load(fh)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        warnings.warn(f"{path}: unreadable run record ({exc}); the run is done again", stacklevel=2)
        return None
    if not isinstance(rec, dict):
        warnings.warn(f"{path}: not a run record (a JSON {type(rec).__name__}, not an object); "
                      "the run is done again", stacklevel=2)
        return None
    problem = _record_problem(rec)
    if problem:
        warnings.warn(f"{path}: not a valid run record ({problem}); the run is done again", stacklevel=2)
        return None
    return rec


#: The fields of a run record the reports read, with the types they must have (None allowed unless "ok").
_RECORD_FIELDS = {"task": str, "status": str, "train_accuracy": (int, float), "test_accuracy": (int, float),
                  "fit_seconds": (int, float), "predict_seconds": (int, float)}


def _record_problem(rec: dict) -> str | None:
    """What is wrong with a stored run record (a missing field, a non-numeric accuracy), or None."""
    for key, kind in _RECORD_FIELDS.items():
        value = rec.get(key)
        if key not in rec or (value is None and (key in ("task", "status") or rec.get("status") == "ok")):
            return f"no {key!r}"
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
            return f"{key!r} is {json.dumps(value)[:40]}, not a {'string' if kind is str else 'number'}"
    return None


def _git(*args: str) -> str | None:
    here = Path(__file__).resolve().parent
    try:
        res = subprocess.run(["git", "-C", str(here), *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return res.stdout.strip() if res.returncode == 0 else None


def git_hash() -> str | None:
    """The commit of the lutlearn checkout this code runs from, or None outside a git checkout."""
    return _git("rev-parse", "HEAD") or None


def git_dirty() -> bool | None:
    """Whether tracked files of the checkout differ from its commit (None outside a git checkout)."""
    status = _git("status", "--porcelain", "--untracked-files=no")
    return None if status is None else bool(status)


def library_versions() -> dict:
    """Versions of Python and of the libraries that shape the results."""
    import numba
    import sklearn

    versions = {
        "python": platform.python_version(),
        "lutlearn": __version__,
        "numpy": np.__version__,
        "numba": numba.__version__,
        "scikit-learn": sklearn.__version__,
    }
    if "torch" in sys.modules:
        versions["torch"] = sys.modules["torch"].__version__
    return versions


def provenance(config: dict) -> dict:
    """Where a record comes from: date (UTC), git hash, versions, platform and the command's configuration."""
    return {
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "git_hash": git_hash(),
        "git_dirty": git_dirty(),
        "versions": library_versions(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "config": config,
    }


@dataclass
class Outcome:
    """What :func:`execute` did: records written, runs skipped as already done, and wall seconds."""

    ran: int = 0
    skipped: int = 0
    failed: int = 0
    no_data: int = 0
    seconds: float = 0.0
    records: list = field(default_factory=list)


def _is_done(out: Path, run: Run) -> bool:
    for m in run.outputs:
        rec = stored_record(out, run, m)
        if rec is None or rec.get("status") != "ok":
            return False
    return True


def _accuracy(y, pred) -> float:
    return float(np.mean(np.asarray(pred) == np.asarray(y)))


def fit_and_predict(clf, task, y_train) -> tuple:
    """Fit ``clf``; ``(train predictions, test predictions, fit seconds, test predict seconds)``.

    ``clf`` learns ``task.X_train`` with the labels ``y_train``. Both sweeps
    time their learners with it (see also
    :func:`lutlearn.memorization.runs.fit_and_measure`).
    """
    from lutlearn.core.training import expecting_unseen_patterns

    with expecting_unseen_patterns():  # the sweeps use luts too large for the data on purpose (Table 2's k=16)
        t0 = time.perf_counter()
        clf.fit(task.X_train, y_train)
        t_fit = time.perf_counter() - t0
        train_pred = clf.predict(task.X_train)
        t0 = time.perf_counter()
        test_pred = clf.predict(task.X_test)
    return train_pred, test_pred, t_fit, time.perf_counter() - t0


def _fit_lut(run: Run, task, y_train, n_jobs):
    clf = lut_network(run.options, run.seed, n_jobs)
    result = fit_and_predict(clf, task, y_train)
    return {LUT_NETWORK: result + ({"layer_report": clf.layer_report_, "seed_": clf.seed_},)}


def _fit_neighbors(run: Run, task, y_train, n_jobs):
    from lutlearn.experiments.baselines import nearest_neighbor_predictions

    t0 = time.perf_counter()
    on_train, on_test = nearest_neighbor_predictions(
        task.X_train, y_train, [task.X_train, task.X_test], (1, 5), n_jobs=n_jobs
    )
    seconds = time.perf_counter() - t0
    extra = {"note": "1-NN and 5-NN share one neighbour search; its time is the fit time of both"}
    return {f"{k}-nn": (on_train[k], on_test[k], seconds, 0.0, extra) for k in (1, 5)}


def _fit_baseline(run: Run, task, y_train, n_jobs):
    from lutlearn.experiments.baselines import make_baseline

    clf = make_baseline(run.method, random_state=run.seed, n_jobs=n_jobs)
    return {run.method: fit_and_predict(clf, task, y_train) + ({},)}


def _execute_one(run: Run, task, n_jobs, fit=None) -> dict:
    """Fit and evaluate ``run`` on the loaded ``task``; ``{method: (train_acc, test_acc, fit_s, predict_s, extra)}``.

    ``fit``, when given, replaces the built-in methods: ``fit(run, task,
    n_jobs)`` returns that dict itself (see :func:`execute`).
    """
    from lutlearn.experiments.tasks import permuted_labels, random_labels

    if fit is not None:
        return fit(run, task, n_jobs)

    y_train = task.y_train
    labels = run.options.get("labels", "real")
    if labels == "random":
        y_train = random_labels(len(y_train), run.seed or 0)
    elif labels == "permuted":
        y_train = permuted_labels(y_train, run.seed or 0)
    if run.method == LUT_NETWORK:
        results = _fit_lut(run, task, y_train, n_jobs)
    elif run.method == NEAREST_NEIGHBORS:
        results = _fit_neighbors(run, task, y_train, n_jobs)
    else:
        results = _fit_baseline(run, task, y_train, n_jobs)
    return {
        m: (_accuracy(y_train, tr), _accuracy(task.y_test, te), f, p, x) for m, (tr, te, f, p, x) in results.items()
    }


def _base_record(run: Run, method: str, prov: dict) -> dict:
    return {
        "schema": SCHEMA_VERSION,
        "task": run.task,
        "method": method,
        "settings": dict(run.settings),
        "seed": run.seed,
        "status": None,
        "error": None,
        "train_accuracy": None,
        "test_accuracy": None,
        "fit_seconds": None,
        "predict_seconds": None,
        "provenance": prov,
    }


class TaskCache:
    """Tasks by name, loaded from ``data_home`` once for the runs that share them (the last ``size`` are kept).

    :func:`execute` makes one per call (and, with Dask, one per worker), so
    nothing outlives the sweep. A pickled cache travels without its tasks.
    """

    def __init__(self, data_home=None, size: int = 4):
        import threading

        self.data_home, self.size = data_home, size
        self._tasks: dict = {}
        self._lock = threading.Lock()

    def get(self, name: str):
        """The task ``name`` (see :func:`lutlearn.datasets.get_task`), loaded on first use."""
        from lutlearn.datasets import get_task

        with self._lock:
            task = self._tasks.pop(name, None)
            if task is None:
                task = get_task(name, data_home=self.data_home)
            self._tasks[name] = task  # most recently used last
            while len(self._tasks) > self.size:
                del self._tasks[next(iter(self._tasks))]
            return task

    def __getstate__(self) -> dict:
        return {"data_home": self.data_home, "size": self.size}

    def __setstate__(self, state: dict) -> None:
        self.__init__(**state)


def run_records(run: Run, tasks: TaskCache, n_jobs, fit, prov: dict) -> dict[str, dict]:
    """Execute one run, in this process or on a Dask worker, loading its task from ``tasks``; its records.

    One record per output method. Nothing raises: a missing data set gives
    records with status ``no data`` and any other error records with status
    ``failed`` and the error.
    """
    records = {m: _base_record(run, m, prov) for m in run.outputs}
    try:
        task = tasks.get(run.task)
    except FileNotFoundError as exc:
        status = ("no data", str(exc))
    except Exception as exc:  # a broken data file fails its runs, not the command
        status = ("failed", f"{type(exc).__name__}: {exc}")
    else:
        try:
            results = _execute_one(run, task, n_jobs, fit)
        except Exception as exc:  # recorded; the other runs go on
            status = ("failed", f"{type(exc).__name__}: {exc}")
            for rec in records.values():
                rec["traceback"] = traceback.format_exc(limit=6)
        else:
            for m, (acc_tr, acc_te, t_fit, t_pred, extra) in results.items():
                records[m].update(
                    status="ok", train_accuracy=acc_tr, test_accuracy=acc_te, fit_seconds=t_fit,
                    predict_seconds=t_pred, n_train=int(task.X_train.shape[0]),
                    n_test=int(task.X_test.shape[0]), n_features=int(task.X_train.shape[1]), extra=extra,
                )
            return records
    for rec in records.values():
        rec["status"], rec["error"] = status
    return records


def execute(
    runs: list[Run],
    out: str | os.PathLike,
    data_home=None,
    n_jobs: int | None = None,
    force: bool = False,
    progress: bool = True,
    config: dict | None = None,
    fit=None,
    desc: str = "reproduce",
    client=None,
) -> Outcome:
    """Run every run of ``runs`` not yet recorded in ``out``; write one record per output.

    Runs are grouped by task so that each task is loaded once. Interrupting
    loses at most the runs in progress: every record is written atomically as
    soon as its run ends. ``fit(run, task, n_jobs)``, when given, fits and
    evaluates every run instead of the built-in methods, returning
    ``{method: (train_accuracy, test_accuracy, fit_seconds, predict_seconds,
    extra)}`` (other experiment families, e.g. :mod:`lutlearn.memorization`,
    use it). ``desc`` labels the progress bar. With a ``distributed.Client``
    as ``client`` the runs are spread over its workers (each loads the data
    from ``data_home`` itself, so the path must be readable there) and the
    records are written here as the runs finish.
    """
    from tqdm.auto import tqdm

    out = Path(out)
    t_start = time.perf_counter()
    outcome = Outcome()
    unique = list(dict.fromkeys(runs))
    todo = [r for r in unique if force or not _is_done(out, r)]
    outcome.skipped = len(unique) - len(todo)
    todo.sort(key=lambda r: r.task)  # stable: one load per task
    prov = provenance(config or {})
    bar = tqdm(total=len(todo), desc=desc, unit="run", disable=not progress, dynamic_ncols=True)

    def record(run: Run, records: dict[str, dict]) -> None:
        for m, rec in records.items():
            write_json(record_path(out, run.task, m, run.settings, run.seed), rec)
            outcome.records.append(rec)
            outcome.failed += rec["status"] == "failed"
            outcome.no_data += rec["status"] == "no data"
        outcome.ran += 1
        bar.set_postfix_str(f"{run.task} {run.method} {dict(run.settings)} seed={run.seed}")
        bar.update(1)

    try:
        if client is None:
            tasks = TaskCache(data_home)
            for run in todo:
                record(run, run_records(run, tasks, n_jobs, fit, prov))
        else:
            from distributed import as_completed

            tasks = client.scatter(TaskCache(data_home), broadcast=True, hash=False)  # one cache per worker
            futures = {
                client.submit(run_records, run, tasks, n_jobs, fit, prov, pure=False): run for run in todo
            }
            for future in as_completed(futures):
                record(futures[future], future.result())
    finally:
        bar.close()
    outcome.seconds = time.perf_counter() - t_start
    return outcome


def load_records(out: str | os.PathLike, runs: list[Run]) -> list[dict]:
    """The stored records of ``runs`` (missing ones are left out; see :func:`stored_record`)."""
    out = Path(out)
    recs = []
    for run in dict.fromkeys(runs):
        for m in run.outputs:
            rec = stored_record(out, run, m)
            if rec is not None:
                recs.append(rec)
    return recs


@dataclass
class SuiteResult:
    """What :func:`run_suite` did: the :class:`Outcome` (None when it only reported), the report, wall seconds."""

    outcome: Outcome | None
    report: Path
    seconds: float


def report_header(title: str, command: str, date: str, commit: str | None, outcome: Outcome | None = None,
                  quick_note: str | None = None, notes: Sequence[str] = (), closing: str = "") -> str:
    """The Markdown header of a sweep's report: title, quick-mode note, how it was made, notes, closing paragraph."""
    lines = [f"# {title}", ""]
    if quick_note:
        lines += [quick_note, ""]
    lines.append(f"Made by `{command}` on {date} (lutlearn commit {commit or 'unknown'}).")
    if outcome is not None:
        lines.append(f"This invocation ran {outcome.ran} runs in {outcome.seconds:.0f} s wall time "
                     f"({outcome.skipped} runs were already recorded and skipped).")
    for note in notes:
        lines += ["", note]
    lines += ["", closing]
    return "\n".join(lines)


def run_suite(
    registry,
    names: str | Sequence[str],
    options,
    out: str | os.PathLike,
    *,
    command: str,
    config: dict | None = None,
    notes: Sequence[str] = (),
    data_home=None,
    n_jobs: int | None = None,
    force: bool = False,
    report_only: bool = False,
    progress: bool = True,
    client=None,
    dask: str | None = None,
) -> SuiteResult:
    """Plan, execute, summarize and report the experiments ``names`` of a family; the sweep commands' pipeline.

    Parameters
    ----------
    registry : lutlearn.experiments.registry.Registry
        The family (:data:`lutlearn.experiments.REGISTRY`,
        :data:`lutlearn.memorization.REGISTRY`).
    names : str or sequence of str
        Experiments of the family, in report order, or ``"all"``.
    options : object
        The family's options (e.g. :class:`~lutlearn.experiments.PaperConfig`),
        given to its ``plan`` and ``summarize``.
    out : path-like
        Folder of the records (``runs/``), the report (``<name>.md``: the
        experiment's name, or the family's report name for several) and
        its figures.
    command : str
        The command line the report's header says made it.
    config : dict, optional
        The configuration stored in every record's provenance.
    notes : sequence of str
        Extra paragraphs of the header.
    data_home, n_jobs, force, progress, client
        As for :func:`execute`.
    dask : str, optional
        Without ``client``: spread the runs over the Dask cluster of this
        address (:func:`lutlearn.core.scale.dask_client`: ``local:N`` or a
        scheduler address), started and closed around the runs.
    report_only : bool, default=False
        Only render the report from the stored records.
    """
    import contextlib
    import datetime as dt

    from lutlearn.experiments.report import write_report

    names = registry.select(names)
    modules = [registry.get(n) for n in names]
    plans = {m.NAME: registry.plan(m, options) for m in modules}
    out = Path(out)
    t0 = time.perf_counter()
    outcome = None
    if not report_only:
        registry.prepare(options)
        runs = [r for plan in plans.values() for r in plan]
        if client is None and dask:
            from lutlearn.core.scale import dask_client

            cluster = dask_client(dask)
        else:
            cluster = contextlib.nullcontext(client)
        with cluster as client:
            outcome = execute(runs, out, data_home=data_home, n_jobs=n_jobs, force=force, progress=progress,
                              config=config, fit=registry.fit, desc=registry.desc, client=client)
    sections = [registry.summarize(m, load_records(out, plans[m.NAME]), options,
                                   **registry.report_inputs(m, options, data_home)) for m in modules]
    header = report_header(registry.title, command, dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                           git_hash(), outcome, registry.quick_note(options), notes, registry.closing)
    path = write_report(sections, out, names[0] if len(names) == 1 else registry.report, header)
    return SuiteResult(outcome, path, time.perf_counter() - t0)
