"""Work buffers and threads of the fast kernels: types, sizes, memory estimates, chunk choice.

:func:`lutlearn.core.kernels.fit_layer` and :func:`lutlearn.core.kernels.predict_network`
take their scratch space from the caller, one row per block of luts, so that
nothing is allocated inside the parallel loop. This module decides how many
blocks, which pattern type, how many count copies and how many examples per
prediction chunk, says how many bytes that costs before anything is
allocated, and runs kernels on a chosen number of threads.
"""

from __future__ import annotations

import contextlib
from typing import Iterator

import numba
import numpy as np

#: Blocks of luts per thread: enough to even out luts that finish early.
BLOCKS_PER_THREAD = 4


@contextlib.contextmanager
def numba_threads(n_jobs: int | None) -> Iterator[int]:
    """Run the enclosed kernels on ``n_jobs`` threads (None or -1: all), restoring the old count after.

    Yields the number of threads. Numba's thread count is per calling
    thread, so concurrent callers do not disturb each other.
    """
    limit = numba.config.NUMBA_NUM_THREADS
    if n_jobs is None or n_jobs == -1:
        n = limit
    elif n_jobs < 0:
        n = max(1, limit + 1 + n_jobs)
    elif n_jobs == 0:
        raise ValueError("n_jobs=0 is not allowed; use None or -1 for all cores, or a positive count.")
    else:
        n = min(int(n_jobs), limit)
    old = numba.get_num_threads()
    numba.set_num_threads(n)
    try:
        yield n
    finally:
        numba.set_num_threads(old)


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


def count_copies(k: int, n_slots: int, n_samples: int) -> int:
    """Copies of the counts per block: 4 when summing them costs little next to counting ``n_samples``."""
    return 4 if 16 * n_slots * (1 << k) <= n_samples else 1


def fit_buffer_bytes(n_luts: int, n_samples: int, k: int, n_slots: int, n_threads: int) -> int:
    """Bytes of the buffers :func:`fit_buffers` allocates."""
    blocks = n_blocks(n_luts, n_threads)
    per_block = n_samples * np.dtype(pattern_dtype(k)).itemsize
    per_block += 4 * count_copies(k, n_slots, n_samples) * n_slots * (1 << k)
    return blocks * per_block


def fit_buffers(n_luts: int, n_samples: int, k: int, n_slots: int, n_threads: int) -> tuple[np.ndarray, np.ndarray]:
    """``(work, hist)`` for :func:`lutlearn.core.kernels.fit_layer`."""
    blocks = n_blocks(n_luts, n_threads)
    work = np.empty((blocks, n_samples), pattern_dtype(k))
    copies = count_copies(k, n_slots, n_samples)
    hist = np.empty((blocks, copies * n_slots * (1 << k)), np.int32)
    return work, hist


#: Largest hidden lut size for which :func:`lutlearn.core.kernels.predict_network`
#: carries small chunks through the whole network (depth first). Its chunks
#: re-read every table of the cone; with k >= 12 the tables outgrow the cache
#: and large chunks (each layer's tables read once per chunk: layer by layer)
#: are faster (k = 12: as fast; k = 16: twice as fast; 10,000 Binary-MNIST
#: test examples, one thread).
DEPTH_FIRST_MAX_K = 11

#: Examples per chunk, depth first: two layers of 1024 luts for a chunk
#: (2 x 1024 x 256 bytes) stay in a core's L2 cache.
PREDICT_CHUNK = 256

#: Most examples per chunk for large luts: bounds the two layer buffers of
#: each task (2 x width x chunk bytes).
LARGE_CHUNK = 8192


def predict_chunk(n_samples: int, hidden_k: int, n_threads: int) -> int:
    """Examples per chunk of :func:`lutlearn.core.kernels.predict_network`.

    :data:`PREDICT_CHUNK` while the hidden luts' tables fit in the cache
    (``hidden_k <=`` :data:`DEPTH_FIRST_MAX_K`); else about one chunk per
    thread, at most :data:`LARGE_CHUNK`, so that each table is read from
    memory as few times as possible.
    """
    if hidden_k <= DEPTH_FIRST_MAX_K:
        return PREDICT_CHUNK
    return int(max(PREDICT_CHUNK, min(LARGE_CHUNK, -(-n_samples // max(1, n_threads)))))


def predict_buffers(
    n_samples: int, max_width: int, max_k: int, n_threads: int, chunk: int
) -> tuple[np.ndarray, np.ndarray]:
    """``(bufs, pbufs)`` for :func:`lutlearn.core.kernels.predict_network`."""
    n_chunks = -(-n_samples // chunk)
    tasks = max(1, min(n_chunks, n_threads * BLOCKS_PER_THREAD))
    bufs = np.empty((tasks, 2, max_width, chunk), np.uint8)
    pbufs = np.empty((tasks, chunk), pattern_dtype(max_k))
    return bufs, pbufs
