"""
Train a lut network in a few lines
==================================

The paper's two-class network on Binary-Digits (scikit-learn's 8x8 digits,
0-4 v/s 5-9, pixel > 8): fit, score, and the per-layer lut accuracies of the
paper's Table 2, which rise with depth.
"""

import matplotlib.pyplot as plt
import numpy as np

from lutlearn import LutNetworkClassifier
from lutlearn.datasets import get_task

task = get_task("binary-digits")  # 0/1 inputs, 64 bits per image; no download
clf = LutNetworkClassifier(k=6, hidden_layers=(256,) * 4, random_state=0)
clf.fit(task.X_train, task.y_train)
print(f"training accuracy {clf.score(task.X_train, task.y_train):.4f}")
print(f"test accuracy     {clf.score(task.X_test, task.y_test):.4f}")
print(clf.format_layer_report())

# %%
# Every lut's training accuracy, layer by layer (layer 0 is the input bits
# used directly as predictions; the last layer is the single output lut).
accuracies = clf.lut_accuracy_
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.boxplot([np.asarray(a) for a in accuracies], positions=np.arange(len(accuracies)))
ax.set_xlabel("layer")
ax.set_ylabel("training accuracy of a lut")
ax.set_title("Luts get more accurate with depth (Binary-Digits, k = 6)")
fig.tight_layout()
plt.show()
