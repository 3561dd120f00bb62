"""``lutlearn info``: a model file's settings and per-layer table, an AIGER circuit's figures, or a PLA file's."""

from __future__ import annotations

import argparse

NAME = "info"
HELP = ("show a model file's settings and per-layer accuracy table, an AIGER circuit's size and depth, "
        "or a PLA file's outputs")
EPILOG = """examples:
  lutlearn info model.npz
  lutlearn info circuit.aig     (inputs, outputs, latches, AND gates, levels, comment; with several outputs
                                each one's name, and the AND gates and levels of its cone)
  lutlearn info --pla add8.test.pla   (inputs, outputs, examples; ones, zeros and don't-cares per output)
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", nargs="?",
                   help="model file written by lutlearn train, or an AIGER circuit (.aig/.aag)")
    p.add_argument("--pla", metavar="FILE", help="describe a PLA file of examples instead (one or more outputs)")


def run(args: argparse.Namespace) -> int:
    from sklearn.pipeline import Pipeline

    from lutlearn._text import one_line
    from lutlearn.commands._common import is_aiger, load_model
    from lutlearn.core.saving import network_of
    from lutlearn.core.training import effective_params

    if (args.pla is None) == (args.model is None):
        raise ValueError("give a model file or circuit, or --pla FILE (not both)")
    if args.pla is not None:
        return run_pla(args.pla)
    if is_aiger(args.model):
        return run_circuit(args.model)
    obj = load_model(args.model)
    if isinstance(obj, Pipeline) or network_of(obj) is None:
        steps = obj.steps if isinstance(obj, Pipeline) else [("", obj)]
        print(f"pipeline: {args.model}")
        for name, step in steps:  # names come from the file: escaped, so they cannot drive the terminal
            print(f"  {one_line(name)}: {one_line(repr(step))}")
    m = network_of(obj)
    if m is None:
        return 0
    net = m.network_
    print(f"model: {args.model}")
    print(f"inputs: {m.n_features_in_} bits   classes: {one_line(m.classes_.tolist())}")
    p = effective_params(m.get_params(), len(m.classes_))
    kind = "boosted: values summed per class" if getattr(net.head, "rule", "log") == "sum" else "voting"
    out = f"output luts: {p['n_output_luts']} ({kind})  " if net.voting else ""
    print(
        f"k={p['k']}  output_k={p['output_k'] or p['k']}  hidden layers: {list(p['hidden_layers'])}  "
        f"{out}seed: {m.seed_}"
    )
    rs = m.get_params()["random_state"]
    origin = (
        f"drawn from random_state={rs}" if rs is not None
        else "random_state not stored (None, a RandomState instance, or a file from before lutlearn stored it)"
    )
    print(f"seed: the 63-bit network seed {origin} at fit time; the wiring and every tie-break derive from it")
    if net.head.weight_shift:
        print(f"fit with scaled sample weights: counts are in units of 2**{-net.head.weight_shift} of a weight")
    print(f"luts: {sum(w.shape[0] for w in net.wires)} trained, {net.cone().n_luts} in the output's cone")
    print(m.format_layer_report())
    return 0


def run_circuit(path: str) -> int:
    """Print an AIGER file's counts, its depth (combinational files) and its comment section."""
    from lutlearn.export.aiger import aiger_header, output_symbols, parse_aiger

    with open(path, "rb") as fh:
        data = fh.read()
    h = aiger_header(data, path)
    kind = "binary" if h["format"] == "aig" else "ASCII"
    print(f"circuit: {path} ({kind} AIGER)")
    latches = f"latches: {h['L']}   " if h["L"] else ""
    print(f"inputs: {h['I']}   outputs: {h['O']}   {latches}AND gates: {h['A']}")
    extra = {k: h[k] for k in "BCJF" if h[k]}
    if h["L"] or extra:
        props = ", ".join(f"{k}={v}" for k, v in extra.items())
        print(f"levels: not computed (lutlearn reads combinational AIGs; this one has "
              f"{'latches' if h['L'] else ''}{' and ' if h['L'] and props else ''}{props})")
        return 0
    aig = parse_aiger(data, path)
    print(f"levels: {aig.levels}")
    if len(aig.outputs) > 1:
        _print_outputs(aig, output_symbols(data, path))
    if aig.comment is not None:
        from lutlearn._text import comment_lines

        print("comment:")
        print(comment_lines(aig.comment, "  "))
    return 0


#: Outputs ``lutlearn info`` lists one by one (the rest are counted).
MAX_LISTED_OUTPUTS = 64


def _print_outputs(aig, names: dict) -> None:
    """Each output's name (from the symbol table), the AND gates of its cone and its levels."""
    print("outputs (name: AND gates of its cone, levels; gates shared between outputs count in each cone):")
    for o in range(min(len(aig.outputs), MAX_LISTED_OUTPUTS)):
        cone = aig.cone(o)
        print(f"  {names.get(o, f'output {o}')}: {cone.n_ands}, {cone.levels}")
    if len(aig.outputs) > MAX_LISTED_OUTPUTS:
        print(f"  ... and {len(aig.outputs) - MAX_LISTED_OUTPUTS} more")


def run_pla(path: str) -> int:
    """Print a PLA file's inputs, outputs and examples, and each output's ones, zeros and don't-cares."""
    from lutlearn._text import one_line
    from lutlearn.datasets.pla import read_multi_pla

    pla = read_multi_pla(path, dont_care_inputs=True)
    n, m = pla.Y.shape
    kind = f", .type {pla.pla_type}" if pla.pla_type else ""
    print(f"examples: {path} (PLA{kind})")
    print(f"inputs: {pla.X.shape[1]}   outputs: {m}   examples: {n}")
    for j in range(m):
        name = f" ({one_line(pla.output_names[j])})" if pla.output_names else ""
        cared = pla.care[:, j]
        ones = int(pla.Y[cared, j].sum())
        print(f"output {j}{name}: {ones} ones, {int(cared.sum()) - ones} zeros, {int((~cared).sum())} don't-cares")
    print(f"don't-care outputs: {int((~pla.care).sum())} of {pla.care.size}")
    loose = ~pla.input_care
    if loose.any():
        print(f"don't-care inputs: {int(loose.sum())} in {int(loose.any(axis=1).sum())} examples "
              "(cubes: a learner needs fully specified examples)")
    return 0
