"""What helps boosted lut designs on CIFAR-10: shrinkage, thermometer levels, and input bits across pixels.

Every variant grows the same design (10 classes, ``--n-output-luts`` output
luts of 8 inputs with 3-bit values, 512 candidate inputs per lut, seed 0)
and prints its training accuracy (on the first 10,000 training images) and
its test accuracy, as a Markdown table::

    python examples/cifar_boosting.py --data-home ../shared/data            # all variants, 500 luts
    python examples/cifar_boosting.py --data-home ../shared/data --variants rate=0.1 rate=1

Variants: ``rate=R`` (the learning rate, on the task's 3 thermometer bits
per value), ``levels=M,rate=R`` (M thermometer bits per value) and
``across,rate=R`` (the 3 bits per value plus bits that compare pixels: a
grey-level pixel brighter than its right and its lower neighbour, the
colour-opponent bits R > G, G > B, B > R of every pixel, and a 15-bit
``ThermometerEncoder`` of the 4x4-pooled channel means, thresholds per
channel). The bits across pixels are an experiment: the exported encoders
do not build them.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from lutlearn import LutNetworkClassifier, ThermometerEncoder
from lutlearn.datasets import get_task, load_cifar10

DEFAULT_VARIANTS = ["rate=1", "rate=0.5", "rate=0.25", "rate=0.1", "rate=0.05", "levels=7,rate=0.1",
                    "across,rate=0.1"]


def pooled(X: np.ndarray) -> np.ndarray:
    """The means of every 4x4 block of each channel of channel-major CIFAR-10 rows ``X`` (channel-major, 3 x 64)."""
    return X.reshape(len(X), 3, 8, 4, 8, 4).mean(axis=(3, 5)).reshape(len(X), -1)


def across_pixels(X: np.ndarray, pooled_encoder: ThermometerEncoder) -> np.ndarray:
    """The bits that compare pixels (see the module docstring) of channel-major CIFAR-10 rows ``X``, the pooled
    means encoded by ``pooled_encoder`` (fitted on the training set's)."""
    n = len(X)
    r, g, b = (X[:, i * 1024:(i + 1) * 1024].astype(np.int16) for i in range(3))
    grey = np.round(0.299 * r + 0.587 * g + 0.114 * b).reshape(n, 32, 32)
    right = (grey[:, :, 1:] > grey[:, :, :-1]).reshape(n, -1)
    below = (grey[:, 1:, :] > grey[:, :-1, :]).reshape(n, -1)
    return np.concatenate([right, below, r > g, g > b, b > r, pooled_encoder.transform(pooled(X))],
                          axis=1).astype(np.uint8)


def variant_data(spec: str, data_home, raw):
    """``(X_train, y_train, X_test, y_test, learning_rate)`` of one variant."""
    opts = dict(p.split("=") if "=" in p else (p, "1") for p in spec.split(","))
    rate = float(opts.get("rate", 1))
    t = get_task(f"multiclass-cifar10,levels={int(opts.get('levels', 3))}", data_home=data_home)
    X, Xt = t.X_train, t.X_test
    if "across" in opts:
        encoder = ThermometerEncoder(n_bits=15, n_channels=3).fit(pooled(raw[0]))
        X = np.concatenate([X, across_pixels(raw[0], encoder)], axis=1)
        Xt = np.concatenate([Xt, across_pixels(raw[2], encoder)], axis=1)
    return X, t.y_train, Xt, t.y_test, rate


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-home", help="folder holding cifar10/")
    p.add_argument("--n-output-luts", type=int, default=500, help="output luts of every design (default 500)")
    p.add_argument("--variants", nargs="+", default=DEFAULT_VARIANTS, metavar="SPEC",
                   help=f"the variants to run (default: {' '.join(DEFAULT_VARIANTS)})")
    args = p.parse_args(argv)
    variants = args.variants
    raw = load_cifar10(args.data_home, download=False)
    print("| variant | input bits | training accuracy (first 10,000) | test accuracy | fit s |")
    print("|---|---|---|---|---|")
    for spec in variants:
        X, y, Xt, yt, rate = variant_data(spec, args.data_home, raw)
        clf = LutNetworkClassifier(wiring="boosted", n_output_luts=args.n_output_luts, output_k=8, output_bits=3,
                                   wiring_candidates=512, learning_rate=rate, random_state=0)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.fit(X, y)
        fit_s = time.perf_counter() - t0
        train = float(np.mean(clf.predict(X[:10000]) == y[:10000]))
        print(f"| `{spec}` | {X.shape[1]} | {train:.4f} | {clf.score(Xt, yt):.4f} | {fit_s:.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
