"""``lutlearn predict``: labels of unlabelled examples from a saved model."""

from __future__ import annotations

import argparse
import sys

NAME = "predict"
HELP = "predict labels for a data file with a model file"
EPILOG = """The data file holds inputs only unless --label-column names a column to drop.
Predictions are written one per line to standard output, or to -o FILE (.csv, .txt or .npy).
examples:
  lutlearn predict model.npz inputs.npy -o labels.csv
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="model file written by lutlearn train, or a pipeline file (lutlearn.save)")
    p.add_argument("data", help="data file (.npz/.npy/.csv)")
    p.add_argument("--label-column", default=None, help="a label column to drop from the data (default: none)")
    p.add_argument("--proba", action="store_true", help="print class probabilities instead of labels")
    p.add_argument("-o", "--output", help="write predictions here instead of standard output")


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from lutlearn.commands._common import check_outputs, load_model, predict_unnamed, read_model_inputs

    check_outputs([args.output], [args.model, args.data])
    model = load_model(args.model)
    X, _ = read_model_inputs(model, args.data, args.label_column)
    out = predict_unnamed(model, X, args.proba)
    what = "class probabilities" if args.proba else "predictions"
    if args.output and args.output.endswith(".npy"):
        np.save(args.output, out)
        print(f"{len(out)} {what} written to {args.output}")
        return 0
    fh = open(args.output, "w") if args.output else sys.stdout
    try:
        for row in out:
            fh.write((",".join(f"{v:.6g}" for v in row) if args.proba else str(row)) + "\n")
    finally:
        if fh is not sys.stdout:
            fh.close()
    if args.output:
        print(f"{len(out)} {what} written to {args.output}")
    return 0
