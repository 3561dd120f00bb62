"""Work buffers of the fast kernels: their types, sizes and memory estimates.

:func:`lutlearn.kernels.fit_layer_fast` and
:func:`lutlearn.kernels.predict_network` take their scratch space from the
caller, one row per block of luts, so that nothing is allocated inside the
parallel loop. This module decides how many blocks, which pattern type and how
many count copies, and says how many bytes that costs before anything is
allocated.
"""

from __future__ import annotations

import numpy as np

#: Blocks of luts per thread: enough to even out luts that finish early.
BLOCKS_PER_THREAD = 4


def pattern_dtype(k: int) -> type:
    """The narrowest unsigned integer type holding a ``k``-bit pattern."""
    if k <= 8:
        return np.uint8
    if k <= 16:
        return np.uint16
    return np.uint32


def n_blocks(n_luts: int, n_threads: int) -> int:
    """How many blocks of luts (each with its own buffers) a layer is split into."""
    return max(1, min(n_luts, n_threads * BLOCKS_PER_THREAD))


def count_copies(k: int, n_classes: int, n_samples: int) -> int:
    """Copies of the counts per block: 4 when summing them costs little next to counting ``n_samples``."""
    return 4 if 16 * n_classes * (1 << k) <= n_samples else 1


def fit_buffer_bytes(n_luts: int, n_samples: int, k: int, n_classes: int, n_threads: int) -> int:
    """Bytes of the buffers :func:`fit_buffers` allocates."""
    blocks = n_blocks(n_luts, n_threads)
    per_block = n_samples * np.dtype(pattern_dtype(k)).itemsize
    per_block += 4 * count_copies(k, n_classes, n_samples) * n_classes * (1 << k)
    return blocks * per_block


def fit_buffers(n_luts: int, n_samples: int, k: int, n_classes: int, n_threads: int) -> tuple[np.ndarray, np.ndarray]:
    """``(work, hist)`` for :func:`lutlearn.kernels.fit_layer_fast`."""
    blocks = n_blocks(n_luts, n_threads)
    work = np.empty((blocks, n_samples), pattern_dtype(k))
    copies = count_copies(k, n_classes, n_samples)
    hist = np.empty((blocks, copies * n_classes * (1 << k)), np.int32)
    return work, hist


#: Largest lut size :func:`lutlearn.kernels.predict_network` is used for. Its
#: chunks re-read every table of the cone; with k >= 12 the tables outgrow
#: the cache and evaluating layer by layer is faster (k = 12: as fast;
#: k = 16: twice as fast; 10,000 Binary-MNIST test examples, one thread).
DEPTH_FIRST_MAX_K = 11

#: Examples per chunk in :func:`lutlearn.kernels.predict_network`: two layers of
#: 1024 luts for a chunk (2 x 1024 x 256 bytes) stay in a core's L2 cache.
PREDICT_CHUNK = 256


def predict_buffers(n_samples: int, max_width: int, max_k: int, n_threads: int) -> tuple[np.ndarray, np.ndarray]:
    """``(bufs, pbufs)`` for :func:`lutlearn.kernels.predict_network`."""
    n_chunks = -(-n_samples // PREDICT_CHUNK)
    tasks = max(1, min(n_chunks, n_threads * BLOCKS_PER_THREAD))
    bufs = np.empty((tasks, 2, max_width, PREDICT_CHUNK), np.uint8)
    pbufs = np.empty((tasks, PREDICT_CHUNK), pattern_dtype(max_k))
    return bufs, pbufs
