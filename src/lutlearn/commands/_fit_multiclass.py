"""``lutlearn fit-circuit --task NAME``: a multi-class task learned as one AIG within the budget.

The task's training split is cut into training and validation rows (the
last ``--n-valid``), :func:`lutlearn.circuits.multiclass.fit_multiclass_circuit`
chooses the boosted design, and the circuit is scored on the test split by
simulating it.
"""

from __future__ import annotations

import argparse

#: The multi-class tasks, their raw loader's source and the 1-bit threshold of their pixels.
RAW_SOURCES = {"multiclass-mnist": ("mnist", 127), "multiclass-cifar10": ("cifar10", 127),
               "multiclass-digits": ("digits", 8)}


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of the multi-class form (the budget, ``-o``, ``--ks``, ``--seed``, ABC's and the outputs'
    options are shared with the PLA form)."""
    g = p.add_argument_group("a multi-class task as one circuit (instead of --pla/--valid)")
    g.add_argument("--task", choices=sorted(RAW_SOURCES), help="learn this task's classes as one circuit")
    g.add_argument("--data-home", help="folder holding the data sets (MNIST, CIFAR-10)")
    g.add_argument("--n-valid", type=int, default=None,
                   help="the last N training rows validate (default 10000; a quarter of the digits)")
    g.add_argument("--raw-inputs", action="store_true",
                   help="the circuit reads the raw 8-bit pixels (feature f bit b at input 8f+b, least significant "
                        "first; the IWLS 2021 contest's inputs), its comparators part of the budget")
    g.add_argument("--levels", type=int, default=1,
                   help="with --raw-inputs: thresholds per pixel (1: the task's threshold, the top bit of an "
                        "8-bit pixel; more: a uniform thermometer code)")
    g.add_argument("--one-hot", action="store_true",
                   help="one output per class, exactly one of them 1 (the IWLS 2021 contest's outputs); "
                        "default: the class index in binary")
    g.add_argument("--learning-rates", type=_floats, default=None, metavar="RATES",
                   help="shrinkages of the boosted designs, a family each with each lut size (default 0.2,0.5)")
    g.add_argument("--output-bits", type=int, default=1, metavar="B",
                   help="bits of every boosted lut's vote (default 1; 3 did better on CIFAR-10)")
    g.add_argument("--start-luts", type=int, default=None, metavar="N",
                   help="luts of every family's first design (default two per class; larger reaches a large "
                        "budget in fewer doublings)")
    g.add_argument("--n-jobs", type=int, default=None, help="threads of each design's fit (default: all cores; "
                   "the same circuit whatever the number)")


def _floats(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(t) for t in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from None


def raw_splits(task: str, data_home) -> tuple:
    """``(X_train, y_train, X_test, y_test)`` of ``task`` with raw features (8-bit pixels; the digits' 0..16)."""
    from lutlearn.datasets import load_cifar10, load_digits_raw, load_mnist

    source = RAW_SOURCES[task][0]
    return load_digits_raw() if source == "digits" else {"mnist": load_mnist, "cifar10": load_cifar10}[source](
        data_home)


def _data(args: argparse.Namespace):
    """Training, validation and test rows, and the input encoder (None: the task's bits)."""
    import numpy as np

    from lutlearn.datasets import get_task
    from lutlearn.export.encoder import InputEncoder

    source, threshold = RAW_SOURCES[args.task]
    encoder = None
    if args.raw_inputs:
        X, y, Xt, yt = raw_splits(args.task, args.data_home)
    else:
        if args.levels != 1:
            raise ValueError("--levels needs --raw-inputs (without it the circuit reads the task's bits)")
        t = get_task(args.task, data_home=args.data_home)
        X, y, Xt, yt = t.X_train, t.y_train, t.X_test, t.y_test
    n_valid = args.n_valid if args.n_valid is not None else (len(X) // 4 if source == "digits" else 10000)
    if not 0 < n_valid < len(X):
        raise ValueError(f"--n-valid must be between 1 and {len(X) - 1}, got {n_valid}")
    if args.raw_inputs:
        from lutlearn.core.encoders import ThermometerEncoder, ThresholdBinarizer

        if args.levels < 1:
            raise ValueError(f"--levels must be at least 1, got {args.levels}")
        enc = (ThresholdBinarizer(threshold=threshold) if args.levels == 1
               else ThermometerEncoder(n_bits=args.levels, method="uniform"))
        encoder = InputEncoder.from_encoder(enc.fit(X[:-n_valid]))
    X, y, Xt, yt = (np.asarray(a) for a in (X, y, Xt, yt))
    return X[:-n_valid], y[:-n_valid], X[-n_valid:], y[-n_valid:], Xt, yt, encoder


def run_multiclass(args: argparse.Namespace, suffix: str) -> int:
    """Learn ``args.task`` as one circuit; write it (and ``--save-model``, ``--json``)."""
    import json

    import numpy as np

    from lutlearn._files import atomic_writer, staged_outputs
    from lutlearn.circuits.multiclass import fit_multiclass_circuit
    from lutlearn.commands._common import check_outputs
    from lutlearn.commands._progress import progress_enabled
    from lutlearn.export.aiger import parse_aiger, replace_comment, with_output_names

    check_outputs([args.output, args.save_model, args.json])
    X, y, Xv, yv, Xt, yt, encoder = _data(args)
    r = fit_multiclass_circuit(X, y, Xv, yv, args.max_and_gates, ks=args.ks or (4, 5, 6),
                               learning_rates=args.learning_rates or (0.2, 0.5), encoder=encoder,
                               one_hot=args.one_hot, random_state=args.seed, output_bits=args.output_bits,
                               start_luts=args.start_luts, n_jobs=args.n_jobs, refit=args.refit == "all",
                               use_abc=False if args.no_abc else None, abc_script=args.abc_script,
                               progress=progress_enabled(args))
    test = r.score(Xt, yt)
    m = r.model
    print(f"tried {len(r.candidates)} boosted designs; gate counts {'after ABC' if r.abc else 'without ABC'}")
    print(f"chosen: {m.n_output_luts} boosted luts of {m.output_k} inputs, learning rate {m.learning_rate}, "
          f"seed {args.seed}")
    print(f"validation accuracy {r.valid_accuracy:.4f}, test accuracy {test:.4f} (the circuit, simulated, on "
          f"{len(yt)} test examples)")
    if r.refitted:
        print("final circuit: the chosen design fitted again on training + validation rows (the validation "
              "accuracy above is the one that chose it)")
    aig = parse_aiger(r.aig)
    print(f"AND gates: {r.and_gates} (budget {args.max_and_gates}), levels: {aig.levels}, inputs: {aig.n_inputs}, "
          f"outputs: {len(aig.outputs)} ({'one per class' if args.one_hot else 'the class index, bit 0 first'})")
    out_kind = "one-hot" if args.one_hot else "class index, bit 0 first"
    comment = (f"lutlearn fit-circuit --task {args.task}: {m.n_output_luts} boosted luts of {m.output_k} inputs; "
               f"classes {np.asarray(m.classes_).tolist()}; outputs {out_kind}; "
               f"inputs {'raw 8-bit features, bit 0 first' if encoder is not None else 'the task bits'}")
    data = replace_comment(r.aig, comment) if suffix == ".aig" else parse_aiger(r.aig).to_bytes(False, comment)
    names = ([f"class_{c}" for c in m.classes_] if args.one_hot
             else [f"class_bit{b}" for b in range(len(aig.outputs))])
    data = with_output_names(data, names)
    outputs = [o for o in (args.output, args.save_model, args.json) if o]
    with staged_outputs(*outputs) as staged:
        where = dict(zip(outputs, staged))
        with atomic_writer(where[args.output]) as fh:
            fh.write(data)
        if args.save_model:
            m.save(where[args.save_model])
        if args.json:
            record = {"task": args.task, "max_and_gates": args.max_and_gates, "and_gates": r.and_gates,
                      "valid_accuracy": r.valid_accuracy, "test_accuracy": test, "one_hot": args.one_hot,
                      "raw_inputs": args.raw_inputs, "levels": args.levels, "k": m.output_k,
                      "learning_rate": m.learning_rate,
                      "n_output_luts": m.n_output_luts, "candidates": r.candidates}
            with atomic_writer(where[args.json]) as fh:
                fh.write(json.dumps(record, indent=1).encode())
    print(f"circuit written to {args.output}")
    if args.save_model:
        print(f"model written to {args.save_model} (it reads the encoded bits)")
    return 0
