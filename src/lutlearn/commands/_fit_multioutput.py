"""``lutlearn fit-circuit`` on PLA files of several outputs (or don't-care outputs): one circuit for all of them."""

from __future__ import annotations

import argparse


def run_multioutput(args: argparse.Namespace, suffix: str, train, options: dict) -> int:
    """Learn every output of ``train`` (a :class:`~lutlearn.datasets.pla.MultiPla`) within the budget
    (:func:`lutlearn.circuits.multioutput.fit_multioutput_circuit`, every output's search with ``options``, the
    keyword arguments of :func:`~lutlearn.circuits.search.fit_circuit`); write the circuit (and ``--json``)."""
    import json

    from lutlearn._files import atomic_writer, staged_outputs
    from lutlearn.circuits.multioutput import JOINT_TABLE_INPUTS, fit_multioutput_circuit
    from lutlearn.datasets.pla import PlaFormatError, read_multi_pla
    from lutlearn.export.aiger import parse_aiger, replace_comment, with_output_names

    if args.save_model:
        raise ValueError(f"{args.pla} has {train.n_outputs} outputs (or don't-care outputs): its circuit is one "
                         "per output, not one network model; drop --save-model")
    valid = read_multi_pla(args.valid)
    if valid.X.shape[1] != train.X.shape[1] or valid.n_outputs != train.n_outputs:
        raise PlaFormatError(f"{args.valid} has {valid.X.shape[1]} inputs and {valid.n_outputs} outputs but "
                             f"{args.pla} has {train.X.shape[1]} and {train.n_outputs}")
    options = dict(options)
    use_abc, abc_script, progress = options.pop("use_abc"), options.pop("abc_script"), options.pop("progress")
    joint = JOINT_TABLE_INPUTS if args.joint_table is None else args.joint_table
    r = fit_multioutput_circuit(train.X, train.Y, valid.X, valid.Y, args.max_and_gates, care=train.care,
                                care_valid=valid.care, joint_table=joint, use_abc=use_abc, abc_script=abc_script,
                                progress=progress, **options)
    names = train.output_names or [f"y{o}" for o in range(train.n_outputs)]
    searched = sum(any(c.circuit_gates is None for c in m) for m in r.menu)
    shared = "" if searched == len(r.menu) else (
        "the joint care table of all the outputs offered to each; "
        f"{'no output' if not searched else f'{searched} output(s)'} searched alone")
    alone = f"each searched output's circuits under {r.budgets} ANDs" if searched else ""
    print(f"{train.n_outputs} outputs: {'; '.join(x for x in (shared, alone) if x)}; "
          f"gate counts {'after ABC' if r.abc else 'without ABC'}")
    for o, c in enumerate(r.outputs):
        print(f"  {names[o]}: validation accuracy {c.valid_accuracy:.4f} in {c.and_gates} ANDs ({c.chosen})")
    print(f"mean validation accuracy {sum(r.valid_accuracy) / len(r.outputs):.4f}")
    print(f"AND gates: {r.and_gates} (budget {args.max_and_gates}; the outputs' circuits apart: "
          f"{r.and_gates_separate}), levels: {parse_aiger(r.aig).levels}")
    comment = f"lutlearn fit-circuit: {train.n_outputs} outputs ({', '.join(names)})"
    data = replace_comment(r.aig, comment) if suffix == ".aig" else parse_aiger(r.aig).to_bytes(False, comment)
    data = with_output_names(data, names)
    outputs = [o for o in (args.output, args.json) if o]
    with staged_outputs(*outputs) as staged:
        where = dict(zip(outputs, staged))
        with atomic_writer(where[args.output]) as fh:
            fh.write(data)
        if args.json:
            record = {"pla": args.pla, "valid": args.valid, "max_and_gates": args.max_and_gates,
                      "and_gates": r.and_gates, "and_gates_separate": r.and_gates_separate,
                      "joint_table": any(c.circuit_gates is not None for c in r.outputs),
                      "outputs": [{"name": names[c.output], "budget": c.budget, "and_gates": c.and_gates,
                                   "valid_accuracy": c.valid_accuracy, "chosen": c.chosen} for c in r.outputs],
                      "menu": [[{"budget": c.budget, "and_gates": c.and_gates, "valid_accuracy": c.valid_accuracy,
                                 "chosen": c.chosen} for c in m] for m in r.menu]}
            with atomic_writer(where[args.json]) as fh:
                fh.write(json.dumps(record, indent=1).encode())
    print(f"circuit written to {args.output}")
    return 0
