"""What the PyTorch learners (the MLP of the memorization lab, Table 1's conv net) share.

PyTorch is an optional extra (``pip install 'lutlearn[torch]'``: any
``torch>=2.1``; the project tests with the CPU build ``torch==2.13.0``, which
``make test`` installs); nothing here imports it at module import time.
"""

from __future__ import annotations

import contextlib
from typing import Iterator


def torch_extra_message(what: str) -> str:
    """The message an ImportError gives when ``what`` needs PyTorch and it is absent."""
    return f"{what} needs PyTorch: pip install 'lutlearn[torch]' (torch>=2.1; the CPU build is enough)"


def require_torch(what: str = "this learner"):
    """Import and return :mod:`torch`, or raise an ImportError naming the ``lutlearn[torch]`` extra."""
    try:
        import torch
    except ImportError as exc:
        raise ImportError(torch_extra_message(what)) from exc
    return torch


@contextlib.contextmanager
def torch_session(torch, seed: int | None = None, n_threads: int | None = None) -> Iterator[None]:
    """Run a block with ``n_threads`` PyTorch threads and its own RNG seeded with ``seed``, leaving no trace.

    ``n_threads`` (None: leave the thread count alone) is set for the block
    and the previous count restored after it. With a ``seed``, the block runs
    in :func:`torch.random.fork_rng` (CPU) after ``torch.manual_seed(seed)``,
    so what it draws from the global generator is fixed by the seed, and the
    caller's global RNG state is the same after the block as before it.
    """
    old_threads = torch.get_num_threads()
    if n_threads is not None:
        torch.set_num_threads(int(n_threads))
    try:
        if seed is None:
            yield
        else:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(int(seed))
                yield
    finally:
        if n_threads is not None:
            torch.set_num_threads(old_threads)


def train_minibatches(torch, model, optimizer, X, y, epochs: int, batch_size: int, generator) -> None:
    """Train ``model`` on tensors ``X``, ``y`` with cross-entropy: ``epochs`` passes over shuffled mini-batches.

    The shuffles come from ``generator`` (a seeded ``torch.Generator``), so a
    seed fixes the training run. The model is left in evaluation mode.
    """
    loss_fn = torch.nn.CrossEntropyLoss()
    model.train()
    for _ in range(int(epochs)):
        order = torch.randperm(len(y), generator=generator)
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            optimizer.zero_grad()
            loss_fn(model(X[batch]), y[batch]).backward()
            optimizer.step()
    model.eval()
