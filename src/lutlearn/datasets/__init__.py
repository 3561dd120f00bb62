"""Data sets and the paper's tasks, by name.

Loaders return the canonical data as uint8 arrays ``(X_train, y_train,
X_test, y_test)``, reading verified files from the data home (``data_home``
argument, else ``$LUTLEARN_DATA``, else ``~/.cache/lutlearn``) and downloading
missing ones:

* :func:`load_mnist`: MNIST's four IDX ``.gz`` files in ``mnist/``.
* :func:`load_cifar10`: CIFAR-10, binary or python version, in ``cifar10/``.
* :func:`load_digits_raw`: scikit-learn's bundled 8x8 digits (no download).

Other data sets in the same formats (Fashion-MNIST, KMNIST, CIFAR-100, your
own) are read from a folder you name, with the same structural checks and a
stated provenance in place of the canonical checksum:

* :func:`load_idx`: any MNIST-format (IDX) data set, images of any size.
* :func:`load_cifar_format`: any CIFAR-format data set (binary or python batches).

A *task* is a ready-to-learn split with Boolean inputs; :func:`get_task`
builds one from its name:

``binary-digits``
    scikit-learn's 8x8 digits 0-4 v/s 5-9, pixel > 8 (of 0..16).
``binary-mnist``
    MNIST digits 0-4 v/s 5-9, pixel > 127 (784 bits): the paper's Binary-MNIST.
``binary-cifar10``
    CIFAR-10 classes 0-4 v/s 5-9, each colour channel > 127 (3072 bits). The
    paper does not say how it split or quantized CIFAR-10: this is our
    inference (it reproduces the paper's Table 1 and Table 4 numbers).
``pairwise-digits:I-J``, ``pairwise-mnist:I-J``, ``pairwise-cifar10:I-J``
    Class I (label 0) v/s class J (label 1), train and test restricted to
    them; :func:`pairwise_task_names` lists the 45 pairs and
    :func:`iter_pairwise_tasks` builds them all from one load.

Options (threshold, CIFAR-10 grey levels, stratified subsample, random labels
"randY" (Arpit et al.'s fair coin flips), permuted labels "permY" (Zhang et
al.'s random labels, which keep the class balance: the paper's random data),
random inputs "randX", seed) are keywords of :func:`get_task` or
comma-separated suffixes of the name, e.g. ``binary-mnist,permY=1`` (see
:mod:`lutlearn.datasets._tasks`).
"""

from lutlearn.datasets._download import DataFileError, DownloadError
from lutlearn.datasets._loaders import (
    CHECKSUMS,
    CIFAR10_CLASSES,
    MNIST_FILES,
    ImageDataSet,
    data_present,
    get_data_home,
    load_cifar10,
    load_cifar_format,
    load_digits_raw,
    load_idx,
    load_mnist,
)
from lutlearn.datasets._readers import RestrictedUnpickler
from lutlearn.datasets._tasks import (
    TASKS,
    Task,
    TaskSpec,
    get_task,
    iter_pairwise_tasks,
    pairwise_task_names,
    parse_task_name,
    permute_labels,
    randomize_inputs,
    randomize_labels,
    stratified_subsample,
    task_names,
    task_size,
    to_grey,
)

__all__ = [
    "CHECKSUMS", "CIFAR10_CLASSES", "MNIST_FILES", "TASKS", "DataFileError", "DownloadError", "ImageDataSet",
    "RestrictedUnpickler", "Task", "TaskSpec", "data_present", "get_data_home", "get_task",
    "iter_pairwise_tasks", "load_cifar10", "load_cifar_format", "load_digits_raw", "load_idx", "load_mnist",
    "pairwise_task_names", "parse_task_name", "permute_labels", "randomize_inputs", "randomize_labels",
    "stratified_subsample", "task_names",
    "task_size", "to_grey",
]
