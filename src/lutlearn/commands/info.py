"""``lutlearn info``: a model file's settings and per-layer table."""

from __future__ import annotations

import argparse

NAME = "info"
HELP = "show a model file's settings and per-layer accuracy table"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="model file written by lutlearn train")


def run(args: argparse.Namespace) -> int:
    from sklearn.pipeline import Pipeline

    from lutlearn.saving import load, network_of
    from lutlearn.training import effective_params

    obj = load(args.model)
    if isinstance(obj, Pipeline) or network_of(obj) is None:
        steps = obj.steps if isinstance(obj, Pipeline) else [("", obj)]
        print(f"pipeline: {args.model}")
        for name, step in steps:
            print(f"  {name}: {step!r}")
    m = network_of(obj)
    if m is None:
        return 0
    net = m.network_
    print(f"model: {args.model}")
    print(f"inputs: {m.n_features_in_} bits   classes: {m.classes_.tolist()}")
    p = effective_params(m.get_params(), len(m.classes_))
    out = f"output luts: {p['n_output_luts']} (voting)  " if net.voting else ""
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
        print(f"fit with fractional sample weights: counts are in units of 2**-{net.head.weight_shift}")
    print(f"luts: {sum(w.shape[0] for w in net.wires)} trained, {net.cone().n_luts} in the output's cone")
    print(m.format_layer_report())
    return 0
