"""
Ten classes from real-valued pixels
===================================

A pipeline of a :class:`~lutlearn.ThermometerEncoder` (2 bits per pixel at
the training quantiles) and the multi-class voting design on all ten digits
of scikit-learn's 8x8 images (pixels 0..16), with the confusion matrix.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from lutlearn import LutNetworkClassifier, ThermometerEncoder

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
clf = make_pipeline(ThermometerEncoder(n_bits=2, method="quantile"),
                    LutNetworkClassifier(hidden_layers=(512,), n_output_luts=64, output_k=10, random_state=0))
clf.fit(X_train, y_train)
print(f"test accuracy {clf.score(X_test, y_test):.4f} on {len(y_test)} images")

# %%
fig, ax = plt.subplots(figsize=(5.5, 5))
ConfusionMatrixDisplay.from_estimator(clf, X_test, y_test, ax=ax, colorbar=False, cmap="Greys")
ax.set_title("8x8 digits, 10 classes, 2 thermometer bits per pixel")
fig.tight_layout()
plt.show()
