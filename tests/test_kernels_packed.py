"""The bit-packed kernels against unpack + the unpacked kernels (+ pack)."""

from __future__ import annotations

import numpy as np
import pytest

from lutlearn import kernels
from lutlearn.kernels_packed import count_layer_packed, predict_layer_packed
from lutlearn.network import random_wiring


@pytest.mark.parametrize(
    "n_prev, n, n_luts, k",
    [(1, 5, 1, 1), (8, 64, 8, 3), (37, 1001, 13, 5), (70, 333, 17, 8), (9, 0, 3, 2)],
)
def test_packed_kernels_match_unpacked(n_prev, n, n_luts, k):
    rng = np.random.default_rng(n_prev * 1000 + n)
    A = rng.integers(0, 2, (n_prev, n), dtype=np.uint8)
    y = rng.integers(0, 3, n).astype(np.uint8)
    P = np.packbits(A, axis=0)
    wires = random_wiring(rng, n_luts, n_prev, k)

    counts = count_layer_packed(P, y, wires, 3)
    expected = kernels.count_layer(A, y, wires, 3)
    assert counts.dtype == np.int64 and np.array_equal(counts, expected)
    assert counts.sum() == n_luts * n

    tables = rng.integers(0, 2, (n_luts, 1 << k), dtype=np.uint8)
    out = np.full((-(-n_luts // 8), n), 0xFF, np.uint8)  # garbage must be overwritten
    predict_layer_packed(P, wires, tables, out)
    values = np.empty((n_luts, n), np.uint8)
    kernels.predict_layer(A, wires, tables, values)
    assert np.array_equal(out, np.packbits(values, axis=0))


def test_wire_order_sets_pattern_bits():
    # Lut reads feature 9 then feature 2: pattern = 2 * x9 + x2 (wire 0 is the top bit).
    A = np.zeros((10, 4), np.uint8)
    A[9] = [0, 0, 1, 1]
    A[2] = [0, 1, 0, 1]
    wires = np.array([[9, 2]], np.int32)
    y = np.zeros(4, np.uint8)
    counts = count_layer_packed(np.packbits(A, axis=0), y, wires, 1)
    assert counts[0, :, 0].tolist() == [1, 1, 1, 1]
    tables = np.array([[0, 1, 1, 0]], np.uint8)  # xor
    out = np.empty((1, 4), np.uint8)
    predict_layer_packed(np.packbits(A, axis=0), wires, tables, out)
    assert np.unpackbits(out, axis=0, count=1)[0].tolist() == [0, 1, 1, 0]
