"""Options and helpers shared by several sub-commands."""

from __future__ import annotations

import argparse
import os
import time
import warnings
from pathlib import Path

from lutlearn.core._validation import parse_layers


def layers_arg(text: str) -> tuple[int, ...]:
    """Parse ``--hidden-layers``: comma-separated widths (``1024,1024``) or ``NxW`` (``5x1024``); ``0`` or empty
    for none."""
    try:
        return parse_layers(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def k_arg(text: str):
    """Parse ``-k``: a number of inputs, or ``auto``."""
    if text == "auto":
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"k must be a whole number or 'auto', not {text!r}") from None


def label_column_arg(text: str):
    """Parse ``--label-column``: last, first, none, an index or a column name."""
    return None if text.lower() == "none" else text


def add_network_args(p: argparse.ArgumentParser, k: int | None = None, k_help: str | None = None) -> None:
    """Add the options that define a LutNetworkClassifier (None: the estimator's defaults)."""
    g = p.add_argument_group("network")
    g.add_argument(
        "-k", "--k", type=k_arg, default=k,
        help=k_help or f"inputs per lut, or 'auto' to size them for the training set "
                       f"(default {k if k is not None else '8 for two classes, 6 for more'})",
    )
    g.add_argument(
        "--hidden-layers", type=layers_arg, default=None, metavar="LAYERS",
        help="hidden layer widths, e.g. 5x1024 or 512,256 (default 5x1024 for two classes, 1x2048 for more)",
    )
    g.add_argument(
        "--output-k", type=int, default=None,
        help="inputs of each output lut (default: k for two classes, 12 for more)",
    )
    g.add_argument(
        "--n-output-luts", type=int, default=None,
        help="voting output luts of the multi-class design (default 256 for more than two classes)",
    )
    g.add_argument(
        "--wiring", choices=("random", "greedy", "boosted"), default="random",
        help="how luts choose their inputs: random (the paper's, default), greedy (chosen support, two classes) "
             "or boosted (output luts grown by boosting by counting, one bit each, summed per class)",
    )
    g.add_argument(
        "--wiring-candidates", type=int, default=None, metavar="N",
        help="greedy or boosted wiring: inputs each lut chooses among (default: all for greedy, 256 for boosted)",
    )
    g.add_argument(
        "--output-bits", type=int, default=1, metavar="B",
        help="boosted wiring: bits of each output lut's value (1, default: a bit, popcounts; more: real-valued "
             "boosting, 2**B - 1 values per table entry)",
    )
    g.add_argument(
        "--learning-rate", type=float, default=1.0, metavar="R",
        help="boosted wiring: shrinkage of each output lut's share, in (0, 1] (default 1: plain AdaBoost; "
             "smaller needs more luts and usually generalizes better)",
    )
    g.add_argument("--seed", type=int, default=0, help="random seed for wiring and ties (default 0)")
    g.add_argument("--n-jobs", type=int, default=None, help="threads (default: all cores)")


def make_classifier(args: argparse.Namespace, verbose: int = 0):
    """The classifier the network options describe."""
    from lutlearn.core.estimator import LutNetworkClassifier

    return LutNetworkClassifier(
        k=args.k, hidden_layers=args.hidden_layers, output_k=args.output_k,
        n_output_luts=args.n_output_luts, wiring=args.wiring, wiring_candidates=args.wiring_candidates,
        output_bits=args.output_bits, learning_rate=args.learning_rate,
        random_state=args.seed, n_jobs=args.n_jobs, verbose=verbose,
    )


def add_data_args(p: argparse.ArgumentParser, labels: bool = True) -> None:
    """Add ``--task``/``DATA`` selection options."""
    p.add_argument("--task",
                   help="a named task ('lutlearn tasks' lists them), e.g. binary-mnist or binary-mnist,randY=1")
    p.add_argument("--data-home", help="folder holding the data sets (default: $LUTLEARN_DATA or ~/.cache/lutlearn)")
    p.add_argument(
        "--label-column", type=label_column_arg, default="last" if labels else None,
        help="label column of .npy/.csv data: last (default), first, an index, a name, or none",
    )


def add_sweep_control_args(p: argparse.ArgumentParser) -> None:
    """Add the options that steer a resumable sweep of runs (``reproduce``, ``memorization``)."""
    p.add_argument("--force", action="store_true", help="rerun runs already recorded")
    p.add_argument("--report-only", action="store_true", help="only render the report from the stored records")
    p.add_argument("--n-jobs", type=int, default=None, help="threads per run (default: all cores; 1 with --dask)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument(
        "--dask", metavar="ADDRESS", default=None,
        help="spread the runs over a Dask cluster: a scheduler address (tcp://host:8786) or local:N "
             "for N local worker processes; workers need lutlearn and must read --data-home",
    )


#: Largest ``--seeds`` / ``--learners`` of a sweep: every one is a full set of runs, each recorded in its own file,
#: so a larger count is a typo (``--seeds 100000000`` would plan 10**8 runs before doing any).
MAX_SWEEP_COUNT = 10_000


def check_sweep_counts(args: argparse.Namespace, *flags: str) -> None:
    """ValueError unless each ``--flag`` of a sweep is a count from 1 to :data:`MAX_SWEEP_COUNT`, checked before
    any run is planned."""
    for flag in flags:
        value, name = getattr(args, flag), f"--{flag.replace('_', '-')}"
        if value < 1:
            raise ValueError(f"{name} must be at least 1 (got {value})")
        if value > MAX_SWEEP_COUNT:
            raise ValueError(f"{name} must be at most {MAX_SWEEP_COUNT} (got {value}); each one repeats the "
                             "sweep's runs")


def sweep_n_jobs(args: argparse.Namespace) -> int | None:
    """Threads per run: ``--n-jobs``, else 1 with ``--dask`` (the workers are the parallelism), all cores without."""
    if args.n_jobs is None and args.dask:
        return 1
    return args.n_jobs


def print_sweep_result(result) -> None:
    """Print what a sweep (:func:`lutlearn.experiments.runner.run_suite`) did and where its report is."""
    outcome = result.outcome
    if outcome is not None:
        print(f"{outcome.ran} runs done ({outcome.failed} failed, {outcome.no_data} without data), "
              f"{outcome.skipped} already recorded; {result.seconds:.1f} s")
    print(f"report: {result.report}")


def timed(fn, *args):
    """Call ``fn(*args)``; return ``(result, seconds)``."""
    t0 = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t0


#: What :func:`lutlearn.datasets.io.describe_file` calls the files :func:`load_model` hands to
#: :func:`lutlearn.core.saving.load` (a damaged zip archive included, so that its message says what is wrong inside).
_MODEL_LIKE = ("a lutlearn model file", "a zip archive", "an empty zip archive")


def load_model(path):
    """:func:`lutlearn.core.saving.load` of a model or pipeline file, after a look at its first bytes.

    A file that is not a model (an AIGER circuit, a PLA or ``.npz`` data
    file, gzip data, an image, a pickle, ...) is a one-line ValueError saying
    what it looks like and which command reads it.
    """
    from lutlearn.core.saving import load
    from lutlearn.datasets.io import describe_file

    if Path(path).is_file():
        what = describe_file(path)
        if not what.startswith(_MODEL_LIKE):
            raise ValueError(f"{path}: not a valid lutlearn model or pipeline file; it looks like {what}")
    return load(path)


def is_aiger(path) -> bool:
    """Whether ``path`` is a file that starts as an AIGER circuit does (``aig `` or ``aag ``)."""
    from lutlearn.datasets.io import describe_file

    return describe_file(path).startswith("an AIGER circuit")


def read_model_inputs(model, path, label_column):
    """``(X, y)`` from a data file for a fitted ``model``: a CSV file's columns put in the order of the model's
    input names when both have names (ValueError when the names differ)."""
    from lutlearn.datasets.io import align_columns, read_csv, read_examples

    if str(path).lower().endswith(".csv"):
        X, y, names = read_csv(path, label_column)
        return align_columns(X, names, getattr(model, "feature_names_in_", None), path), y
    return read_examples(path, label_column)


def predict_unnamed(model, X, proba: bool = False):
    """``model.predict(X)`` (``predict_proba`` when ``proba``) for an array whose columns are already in the
    model's order: no warning that ``X`` has no column names."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="X does not have valid feature names")
        return model.predict_proba(X) if proba else model.predict(X)


def check_known_labels(model, y, path) -> None:
    """ValueError naming ``path`` when ``y`` holds labels that are not among the model's classes (numbers and
    text never match each other)."""
    import numpy as np

    y, classes = np.asarray(y), np.asarray(model.classes_)
    numeric = [a.dtype.kind in "iufb" for a in (y, classes)]
    known = np.isin(y, classes) if numeric[0] == numeric[1] else np.zeros(len(y), bool)
    if not known.all():
        unknown = np.unique(y[~known])

        def show(values) -> str:
            return ", ".join(repr(v.item() if hasattr(v, "item") else v) for v in values[:5]) + (
                ", ..." if len(values) > 5 else "")

        raise ValueError(f"{path}: labels the model does not know: {show(unknown)} (its classes: {show(classes)})")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def check_outputs(outputs, inputs=(), folders=()) -> None:
    """Check, before any work, that the files ``outputs`` and the folders ``folders`` can be written.

    ValueError when an output is one of the ``inputs`` (``export m.npz -o m.npz`` would destroy the model)
    or the same path twice, names an existing folder, or lies under a path whose nearest existing part is
    not a folder lutlearn may write into (missing folders below it are created when writing). None
    entries are skipped.
    """
    outputs = [Path(o) for o in outputs if o is not None]
    inputs = [Path(i) for i in inputs if i is not None]
    for i, out in enumerate(outputs):
        for source in inputs:
            if _same_file(out, source):
                raise ValueError(f"{out}: is also an input of this command; writing it would destroy that input")
        if any(_same_file(out, other) for other in outputs[:i]):
            raise ValueError(f"{out}: given as two outputs of this command")
        if out.is_dir():
            raise ValueError(f"{out}: is a folder; give a file name")
    for target in [*(o.parent for o in outputs), *(Path(f) for f in folders if f is not None)]:
        here = target.absolute()
        while not here.exists() and here != here.parent:
            here = here.parent
        if not here.is_dir():
            raise ValueError(f"cannot write under {target}: {here} is not a folder")
        if not os.access(here, os.W_OK | os.X_OK):
            raise ValueError(f"cannot write under {target}: {here} is not writable")


def load_exportable(path, fmt: str) -> tuple:
    """``(model, encoder, classifier)`` of a model or pipeline file; ``model`` is what to export.

    A pipeline of one encoder and a network exports to Verilog only;
    ValueError for the other formats (saying which can carry an encoder), for
    a file without a network, or for a pipeline of another shape.
    """
    from sklearn.pipeline import Pipeline

    from lutlearn.core.saving import network_of
    from lutlearn.export import split_pipeline

    obj = load_model(path)
    network = network_of(obj)
    if network is None:
        raise ValueError(f"{path} holds no LutNetworkClassifier: only a network can be exported as a circuit")
    if not isinstance(obj, Pipeline) or len(obj.steps) == 1:
        return network, None, network
    encoder, clf = split_pipeline(obj)
    if fmt != "verilog":
        raise ValueError(
            f"{path} is a pipeline with a {type(encoder).__name__} before the network: only the Verilog format "
            f"carries an encoder (as comparators on the raw features); C, BLIF and AIGER take the network's input "
            "bits: use --format verilog, or save the network alone (pipeline[-1].save(...)) and export that file"
        )
    return obj, encoder, clf


def refuse_task_with_encoder(task, encoder, instead: str) -> None:
    """ValueError when ``--task`` (whose examples are input bits) is given for a pipeline whose encoder reads raw
    features; ``instead`` says what to do (or what cannot be done)."""
    if task and encoder is not None:
        raise ValueError(f"--task gives the task's input bits, but this pipeline's {type(encoder).__name__} reads "
                         f"raw features: {instead}")


def add_parallel_arg(p) -> None:
    """Add ``--parallel``: the top level takes all its inputs at once (one example per clock cycle)."""
    p.add_argument(
        "--parallel", action="store_true",
        help="the top level takes all its input bits at once, one example per clock cycle (the word width is "
             "the design's input count; no input shift register), as published lut designs are counted",
    )


def parallel_word_width(model, feature_bits: int) -> int:
    """The word width of a top level that takes all of ``model``'s input bits at once (raw feature bits with an
    encoder)."""
    from lutlearn.export import split_pipeline
    from lutlearn.export.encoder import InputEncoder

    encoder, clf = split_pipeline(model)
    if encoder is None:
        return int(clf.n_features_in_)
    return InputEncoder.from_encoder(encoder, feature_bits).n_raw_inputs
