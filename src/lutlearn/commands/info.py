"""``lutlearn info``: a model file's settings and per-layer table."""

from __future__ import annotations

import argparse

NAME = "info"
HELP = "show a model file's settings and per-layer accuracy table"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="model file written by lutlearn train")


def run(args: argparse.Namespace) -> int:
    from lutlearn.estimator import load
    from lutlearn.training import effective_params

    m = load(args.model)
    net = m.network_
    print(f"model: {args.model}")
    print(f"inputs: {m.n_features_in_} bits   classes: {m.classes_.tolist()}")
    p = effective_params(m.get_params(), len(m.classes_))
    out = f"output luts: {p['n_output_luts']} (voting)  " if net.voting else ""
    print(
        f"k={p['k']}  output_k={p['output_k'] or p['k']}  hidden layers: {list(p['hidden_layers'])}  "
        f"{out}seed: {m.seed_}"
    )
    print(f"luts: {sum(w.shape[0] for w in net.wires)} trained, {net.cone().n_luts} in the output's cone")
    print(m.format_layer_report())
    return 0
