"""
Reproducing the paper, quickly
==============================

``lutlearn reproduce all --quick`` reruns every table and figure of the paper
on stand-in tasks (the 8x8 digits instead of MNIST and CIFAR-10) in seconds.
This page runs it while the site is built and shows the start of its
Markdown report and its figures. The full run on the paper's data is
``lutlearn reproduce all --data-home DATA --out results`` (see
:doc:`/reproducing`).
"""

import tempfile
from pathlib import Path

import matplotlib.image as mpimg
import matplotlib.pyplot as plt

from lutlearn.cli import main

out = Path(tempfile.mkdtemp()) / "quick"
status = main(["reproduce", "all", "--quick", "--out", str(out), "--no-progress"])  # no bar in the page
print("exit status", status)
report = (out / "report.md").read_text()
print("\n".join(report.splitlines()[:40]))

# %%
# The figures the command drew, as written to ``figures/``.
for path in sorted((out / "figures").glob("*.png")):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.imshow(mpimg.imread(path))
    ax.set_axis_off()
    ax.set_title(path.name)
    fig.tight_layout()
plt.show()
