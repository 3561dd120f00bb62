"""``lutlearn evaluate``: accuracy of a saved model, or of an AIGER circuit, on labelled data."""

from __future__ import annotations

import argparse

from lutlearn.commands._common import (
    add_data_args,
    check_known_labels,
    is_aiger,
    load_model,
    predict_unnamed,
    read_model_inputs,
    timed,
)

NAME = "evaluate"
HELP = "accuracy of a model file or an AIGER circuit on labelled data (a file or a task's test set)"
EPILOG = """examples:
  lutlearn evaluate model.npz test.csv
  lutlearn evaluate model.npz test.pla
  lutlearn evaluate model.npz --task binary-mnist --data-home ../shared/data
  lutlearn evaluate circuit.aig test.pla      (also prints the circuit's AND gates and levels)
  lutlearn evaluate adder.aig add8.test.pla   (several outputs: each output's accuracy on its cared
                                               examples, and the examples with every cared output right)
  lutlearn evaluate mnist10.aig --task multiclass-mnist   (a multi-class circuit: its class accuracy)
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="model file written by lutlearn train, a pipeline file (lutlearn.save), "
                                 "or an AIGER circuit (.aig/.aag; one with several outputs is scored on a PLA file "
                                 "of as many outputs)")
    p.add_argument("data", nargs="?", help="labelled data file (.npz/.npy/.csv/.pla), unless --task")
    add_data_args(p)


def _labelled_data(args: argparse.Namespace, read):
    """``(X, y)`` of ``--task``'s test set or of the data file (through ``read(path, label_column)``)."""
    if args.task:
        from lutlearn.datasets import get_task

        t = get_task(args.task, data_home=args.data_home)
        return t.X_test, t.y_test
    if not args.data:
        raise ValueError("no data: give a data file or --task NAME")
    X, y = read(args.data, args.label_column or "last")
    if y is None:
        raise ValueError(f"{args.data}: evaluation needs labels")
    return X, y


def run(args: argparse.Namespace) -> int:
    if is_aiger(args.model):
        return run_circuit(args)
    model = load_model(args.model)
    X, y = _labelled_data(args, lambda path, label_column: read_model_inputs(model, path, label_column))
    check_known_labels(model, y, args.task or args.data)
    pred, secs = timed(predict_unnamed, model, X)
    print(f"accuracy {float((pred == y).mean()):.4f} on {len(y)} examples ({secs:.4f} s)")
    return 0


def run_circuit(args: argparse.Namespace) -> int:
    """Accuracy, AND gates and levels of an AIGER circuit on 0/1 examples with 0/1 labels.

    A single-output circuit is scored on any labelled data; a PLA file of
    several outputs, or with don't-care outputs, is scored output by output
    (:func:`_score_outputs`) by a circuit of as many outputs.
    """
    import numpy as np

    from lutlearn.datasets.io import read_examples
    from lutlearn.export.aiger import read_aiger

    aig = read_aiger(args.model)
    where = args.task or args.data
    X = y = None
    if not args.task and args.data and str(args.data).lower().endswith(".pla"):
        from lutlearn.datasets.pla import read_multi_pla

        pla = read_multi_pla(args.data)
        if pla.n_outputs > 1 or not pla.care.all():
            return _score_outputs(args, aig, pla)
        X, y = pla.X, pla.Y[:, 0]
    if len(aig.outputs) != 1 and args.task:
        return _score_classes(args, aig)
    if len(aig.outputs) != 1:
        raise ValueError(f"{args.model}: the circuit has {len(aig.outputs)} outputs; evaluate scores "
                         "single-output circuits on single-output data, and a circuit of several outputs on a "
                         "PLA file of as many outputs")
    if X is None:
        X, y = _labelled_data(args, read_examples)
    X, y = np.asarray(X), np.asarray(y)
    _check_width(args, aig, X)
    for values, what in ((X, "inputs"), (y, "labels")):
        if not np.isin(values, (0, 1)).all():
            raise ValueError(f"{where}: a circuit needs 0/1 {what}; found {np.unique(values)[:5].tolist()}")
    pred, secs = timed(aig.evaluate, X)
    print(f"accuracy {float((pred[:, 0] == y).mean()):.4f} on {len(y)} examples ({secs:.4f} s)")
    print(f"circuit: {aig.n_inputs} inputs, {aig.n_ands} AND gates, {aig.levels} levels")
    return 0


def _score_classes(args: argparse.Namespace, aig) -> int:
    """Class accuracy of a multi-class circuit (``fit-circuit --task``) on ``--task``'s test set.

    The outputs are read as the class index in binary (``ceil(log2(C))``
    outputs, bit 0 first) or one per class (``C`` outputs, the first that
    is 1); the inputs as the task's bits or, when the circuit reads eight
    times as many, the raw 8-bit pixels (``fit-circuit --raw-inputs``).
    """
    import numpy as np

    from lutlearn.circuits.multiclass import circuit_predict
    from lutlearn.commands._fit_multiclass import raw_splits
    from lutlearn.datasets import get_task
    from lutlearn.export.encoder import feature_bits

    t = get_task(args.task, data_home=args.data_home)
    classes = np.unique(t.y_train)
    n_out, n_classes = len(aig.outputs), len(classes)
    if n_out not in (n_classes, max(1, (n_classes - 1).bit_length())):
        raise ValueError(f"{args.model}: the circuit has {n_out} outputs; a classifier of {args.task}'s "
                         f"{n_classes} classes has {max(1, (n_classes - 1).bit_length())} (the class index) or "
                         f"{n_classes} (one per class)")
    X, y = t.X_test, t.y_test
    if aig.n_inputs == 8 * X.shape[1]:  # the raw pixels, bit 0 first
        _, _, X, y = raw_splits(args.task, args.data_home)
        X = feature_bits(X, 8)
    _check_width(args, aig, X)
    out, secs = timed(aig.evaluate, X)
    pred = circuit_predict(out, classes, n_out == n_classes and n_classes > 2)
    print(f"class accuracy {float((pred == y).mean()):.4f} on {len(y)} examples of {args.task} ({secs:.4f} s; "
          f"outputs: {'one per class' if n_out == n_classes and n_classes > 2 else 'the class index'}, inputs: "
          f"{'raw 8-bit features' if aig.n_inputs != t.X_test.shape[1] else 'the task bits'})")
    print(f"circuit: {aig.n_inputs} inputs, {aig.n_ands} AND gates, {aig.levels} levels")
    return 0


def _check_width(args: argparse.Namespace, aig, X) -> None:
    if X.ndim != 2 or X.shape[1] != aig.n_inputs:
        raise ValueError(f"{args.model} reads {aig.n_inputs} inputs but the examples of {args.task or args.data} "
                         f"have {X.shape[1] if X.ndim == 2 else X.shape}")


def _score_outputs(args: argparse.Namespace, aig, pla) -> int:
    """Score a circuit on a PLA file output by output, on cared entries only, and on whole output vectors.

    The first line's accuracy counts the examples whose every cared output is
    right, among those with at least one cared output; one line per output
    follows (its accuracy on the examples where it is cared for), then the
    circuit's figures.
    """
    m = pla.n_outputs
    if len(aig.outputs) != m:
        raise ValueError(f"{args.model}: the circuit has {len(aig.outputs)} outputs but {args.data} has {m}; "
                         "evaluate scores a circuit on a PLA file of as many outputs")
    _check_width(args, aig, pla.X)
    scored = pla.care.any(axis=1)
    if not scored.any():
        raise ValueError(f"{args.data}: every output of every example is a don't-care; nothing to score")
    pred, secs = timed(aig.evaluate, pla.X)
    right = (pred == pla.Y) | ~pla.care
    n = int(scored.sum())
    print(f"accuracy {float(right[scored].all(axis=1).mean()):.4f} on {n} examples: every cared output "
          f"right, {m} outputs ({secs:.4f} s)")
    for j in range(m):
        cared = pla.care[:, j]
        name = f" ({pla.output_names[j]})" if pla.output_names else ""
        acc = f"{float(right[cared, j].mean()):.4f}" if cared.any() else "n/a"
        skipped = f", {int((~cared).sum())} don't-cares skipped" if not cared.all() else ""
        print(f"output {j}{name}: accuracy {acc} on {int(cared.sum())} examples{skipped}")
    print(f"circuit: {aig.n_inputs} inputs, {aig.n_ands} AND gates, {aig.levels} levels")
    return 0
