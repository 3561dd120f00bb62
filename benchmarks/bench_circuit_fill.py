"""AND gates of lut networks' AIGs with and without filling unseen patterns (lutlearn.circuits.search.fill_unseen).

Run by hand: ``python benchmarks/bench_circuit_fill.py [DATA_HOME]`` (default
``../shared/data``). Task: MNIST 3 v/s 8, first 6400 training examples, the
pair's test split as validation. Prints one line per network: gates before
and after (our AIG, before ABC), validation accuracy before and after.
"""

from __future__ import annotations

import sys

from lutlearn import LutNetworkClassifier
from lutlearn.core.inspection import fill_unseen
from lutlearn.datasets import get_task
from lutlearn.export import Aig, LutNetlist

NETWORKS = [(6, (192,) * 3), (7, (448,) * 2), (8, (128,) * 2), (8, (1024,) * 5)]


def main(data_home: str = "../shared/data") -> None:
    t = get_task("pairwise-mnist:3-8", data_home=data_home)
    X, y = t.X_train[:6400], t.y_train[:6400]
    print(f"{'k':>2} {'hidden layers':<34} {'gates':>7} {'filled':>7} {'valid':>7} {'filled':>7}")
    for k, hidden in NETWORKS:
        m = LutNetworkClassifier(k=k, hidden_layers=hidden, random_state=0).fit(X, y)
        g0, v0 = Aig.from_netlist(LutNetlist.from_model(m)).n_ands, m.score(t.X_test, t.y_test)
        m.network_ = fill_unseen(m.network_, X)
        g1, v1 = Aig.from_netlist(LutNetlist.from_model(m)).n_ands, m.score(t.X_test, t.y_test)
        print(f"{k:>2} {str(list(hidden)):<34} {g0:>7} {g1:>7} {v0:>7.4f} {v1:>7.4f}")


if __name__ == "__main__":
    main(*sys.argv[1:])
