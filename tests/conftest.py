"""Shared fixtures: where the canonical data sets are, and tasks built from them.

Tests that need MNIST or CIFAR-10 use ``../shared/data`` beside the checkout
(or ``$LUTLEARN_TEST_DATA``) and are skipped with a visible reason when the
files are not there.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# No network at test time: any download a test does not point at its own local
# server goes to a closed port on this machine and fails at once.
os.environ.setdefault("LUTLEARN_MNIST_URL", "http://127.0.0.1:9/")
os.environ.setdefault("LUTLEARN_CIFAR10_URL", "http://127.0.0.1:9/")


def _shared_data() -> Path:
    env = os.environ.get("LUTLEARN_TEST_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder holding ``mnist/`` and ``cifar10/``; skips the test when absent."""
    path = _shared_data()
    if not path.is_dir():
        pytest.skip(f"shared data folder not found at {path} (set LUTLEARN_TEST_DATA)")
    return path


@pytest.fixture(scope="session")
def mnist_home(shared_data: Path) -> Path:
    """Data home with the four MNIST files; skips when they are missing."""
    if not (shared_data / "mnist" / "train-images-idx3-ubyte.gz").exists():
        pytest.skip(f"MNIST not found in {shared_data / 'mnist'}")
    return shared_data


@pytest.fixture(scope="session")
def cifar10_home(shared_data: Path) -> Path:
    """Data home with CIFAR-10's binary version; skips when it is missing."""
    if not (shared_data / "cifar10" / "test_batch.bin").exists():
        pytest.skip(f"CIFAR-10 (binary version) not found in {shared_data / 'cifar10'}")
    return shared_data


@pytest.fixture(scope="session")
def binary_mnist(mnist_home: Path):
    """The Binary-MNIST task (0-4 v/s 5-9, pixel > 127), loaded once per session."""
    from lutlearn.datasets import get_task

    return get_task("binary-mnist", data_home=mnist_home)
