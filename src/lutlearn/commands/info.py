"""``lutlearn info``: a model file's settings and per-layer table."""

from __future__ import annotations

import argparse

NAME = "info"
HELP = "show a model file's settings and per-layer accuracy table"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="model file written by lutlearn train")


def run(args: argparse.Namespace) -> int:
    from lutlearn import load
    from lutlearn.network import output_cone

    m = load(args.model)
    _, keep, _ = output_cone(m.wires_)
    print(f"model: {args.model}")
    print(f"inputs: {m.n_features_in_} bits   classes: {list(m.classes_)}")
    print(f"k={m.k}  output_k={m.output_k or m.k}  hidden layers: {list(m.hidden_layers)}  seed: {m.seed_}")
    print(f"luts: {sum(w.shape[0] for w in m.wires_)} trained, {sum(len(k) for k in keep)} in the output's cone")
    print(m.format_layer_report())
    return 0
