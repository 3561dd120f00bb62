"""
A trained network as a circuit
==============================

A small network on Binary-Digits exported as a Verilog module and a C
function: the luts the output depends on, simplified. The C program,
compiled, gives exactly ``predict`` (the tests check it with a C compiler,
Icarus Verilog and ABC).
"""

import matplotlib.pyplot as plt

from lutlearn import LutNetworkClassifier
from lutlearn.datasets import get_task
from lutlearn.export import LutNetlist, render

task = get_task("binary-digits")
clf = LutNetworkClassifier(k=4, hidden_layers=(16, 8), random_state=0).fit(task.X_train, task.y_train)
print(f"test accuracy {clf.score(task.X_test, task.y_test):.4f}")

netlist = LutNetlist.from_model(clf)
print(f"{len(netlist.luts)} luts after pruning and simplification")
verilog = render(clf, "verilog", net=netlist).decode()
print("\n".join(verilog.splitlines()[:25]))

# %%
# The size of the exported circuit in each format.
sizes = {fmt: len(render(clf, fmt, net=netlist)) for fmt in ("c", "verilog", "blif", "aiger")}
fig, ax = plt.subplots(figsize=(5, 3))
ax.bar(list(sizes), list(sizes.values()), color="0.4", edgecolor="black", hatch="//")
ax.set_ylabel("bytes")
ax.set_title("One network, four circuit formats")
fig.tight_layout()
plt.show()
