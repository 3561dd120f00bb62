"""
The paper's worked example
==========================

Seven examples of three bits and two 2-input luts, one over ``x0 x1`` and
one over ``x0 x2``, as in the paper's illustration of training. A network
with no hidden layer and a 2-input output lut is exactly one such lut; the
seed fixes its wiring (``random_state=1`` wires ``x0`` as the most
significant bit), and ``output_counts_`` are the counts the paper prints.
"""

import numpy as np

from lutlearn import LutNetworkClassifier

#                 x0 x1 x2  y
data = np.array([[0, 0, 0, 0],
                 [0, 0, 0, 1],
                 [0, 0, 0, 1],
                 [0, 0, 1, 1],
                 [1, 0, 0, 0],
                 [1, 1, 0, 0],
                 [1, 1, 0, 1]], dtype=np.uint8)
y = data[:, 3]

for name, columns in [("f10 over x0 x1", [0, 1]), ("f11 over x0 x2", [0, 2])]:
    lut = LutNetworkClassifier(k=2, hidden_layers=(), output_k=2, random_state=1)
    lut.fit(data[:, columns], y)
    assert lut.wires_[-1].tolist() == [[0, 1]]  # x0 is the pattern's most significant bit
    print(name)
    print("  pattern  count(y=0)  count(y=1)  f")
    for pattern, (c0, c1) in enumerate(lut.output_counts_):
        chosen = lut.tables_[-1][0, pattern]
        tie = "  (tie: chosen from the seed)" if c0 == c1 else ""
        print(f"  {pattern:02b}       {c0:>6}      {c1:>6}      {chosen}{tie}")
