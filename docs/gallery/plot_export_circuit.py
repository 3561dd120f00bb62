"""
A trained network as a circuit
==============================

A small network on Binary-Digits exported as a Verilog module: the luts the
output depends on, simplified. The C, BLIF and AIGER circuits compute the
same function, exactly ``predict`` (the tests check it with a C compiler,
Icarus Verilog and ABC). Then the trade-off the export makes visible:
accuracy against the AND gates of the circuit.
"""

import matplotlib.pyplot as plt

from lutlearn import LutNetworkClassifier
from lutlearn.datasets import get_task
from lutlearn.export import LutNetlist, render
from lutlearn.export.aiger import Aig

task = get_task("binary-digits")
clf = LutNetworkClassifier(k=4, hidden_layers=(16, 8), random_state=0).fit(task.X_train, task.y_train)
print(f"test accuracy {clf.score(task.X_test, task.y_test):.4f}")

netlist = LutNetlist.from_model(clf)
print(f"{len(netlist.luts)} luts after pruning and simplification")
verilog = render(clf, "verilog", net=netlist).decode()
print("\n".join(verilog.splitlines()[:25]))

# %%
# Accuracy against circuit size
# -----------------------------
# Each network below is exported as an and-inverter graph (the AIGER format's
# circuit) and its AND gates counted: wider, deeper networks of larger luts
# are more accurate, and cost more gates. ``lutlearn fit-circuit`` searches
# this trade-off under a gate budget.
points = []
for k in (2, 3, 4, 6):
    for hidden in ((), (8,), (32, 16), (128, 64)):
        net_k = LutNetworkClassifier(k=k, hidden_layers=hidden, random_state=0).fit(task.X_train, task.y_train)
        gates = Aig.from_netlist(LutNetlist.from_model(net_k)).n_ands
        points.append((k, hidden, max(gates, 1), net_k.score(task.X_test, task.y_test)))
        print(f"k={k} hidden {list(hidden)}: {gates} AND gates, test accuracy {points[-1][3]:.3f}")

fig, ax = plt.subplots(figsize=(7, 4.5))
for k, marker in zip((2, 3, 4, 6), "os^D"):
    mine = [p for p in points if p[0] == k]
    ax.plot([p[2] for p in mine], [p[3] for p in mine], marker=marker, label=f"k = {k}")
ax.set_xscale("log")
ax.set_xlabel("AND gates of the exported circuit (log scale)")
ax.set_ylabel("test accuracy (Binary-Digits, 0-4 v/s 5-9)")
ax.set_title("Larger circuits, more accurate: k and hidden layers (none, 8, 32-16, 128-64)")
ax.grid(True, which="both", alpha=0.3)
ax.legend()
fig.tight_layout()
plt.show()
