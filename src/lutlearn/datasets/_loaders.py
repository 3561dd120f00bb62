"""MNIST and CIFAR-10 from their canonical files: where they live, where they come from, how they are checked.

Layout under the data home (see :func:`get_data_home`)::

    mnist/train-images-idx3-ubyte.gz  train-labels-idx1-ubyte.gz
          t10k-images-idx3-ubyte.gz   t10k-labels-idx1-ubyte.gz
    cifar10/data_batch_1.bin .. data_batch_5.bin  test_batch.bin   (binary version)
    cifar10/data_batch_1 .. data_batch_5  test_batch               (python version)

Files with a published checksum (:data:`CHECKSUMS`) are checked for size and
SHA-256 every time they are read; the python version of CIFAR-10 has none
per file (only its tarball's MD5 is published), so its batches are checked
by structure.

Other data sets in these formats (Fashion-MNIST, KMNIST, CIFAR-100, your
own) have no canonical checksum here: :func:`load_idx` and
:func:`load_cifar_format` read them from a folder you name, with the same
structural checks, and ask for a stated ``provenance`` instead; they record
the SHA-256 of every file they read (and check it against ``sha256=`` pins
when given), so a result can say exactly which files it came from.
"""

from __future__ import annotations

import hashlib
import os
import tarfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lutlearn._files import require_regular_file
from lutlearn.datasets._download import DataFileError, DownloadError, FileSpec, copy_verified, fetch, verify_file
from lutlearn.datasets._readers import (
    read_cifar10_bin,
    read_cifar10_python,
    read_cifar_bin,
    read_idx_pair,
    read_mnist_pair,
)

MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
#: ``(X_train, y_train, X_test, y_test)``, all uint8.
Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]

CIFAR10_BATCHES = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
CIFAR10_FORMATS = {
    # format: (file names in cifar10/, tarball, folder inside the tarball, class-names file)
    "binary": ([f"{b}.bin" for b in CIFAR10_BATCHES], "cifar-10-binary.tar.gz", "cifar-10-batches-bin",
               "batches.meta.txt"),
    "python": (list(CIFAR10_BATCHES), "cifar-10-python.tar.gz", "cifar-10-batches-py", "batches.meta"),
}
CIFAR10_CLASSES = [
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
]

#: Expected size and digests of the canonical files, by path under the data home
#: (SHA-256 of the MNIST files and CIFAR-10 binary batches; MD5 of the CIFAR-10
#: tarballs as published on the CIFAR page).
CHECKSUMS: dict[str, FileSpec] = {
    "mnist/train-images-idx3-ubyte.gz": FileSpec(
        9912422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
    "mnist/train-labels-idx1-ubyte.gz": FileSpec(
        28881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
    "mnist/t10k-images-idx3-ubyte.gz": FileSpec(
        1648877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
    "mnist/t10k-labels-idx1-ubyte.gz": FileSpec(
        4542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
    "cifar10/batches.meta.txt": FileSpec(
        61, "558e74b5e208382e186da55784b4bac2cd52e558448e1b5800990fdb28ed8033"),
    "cifar10/data_batch_1.bin": FileSpec(
        30730000, "cee916563c9f80d84e3cc88e17fdc0941787f1244f00a67874d45b261883ada5"),
    "cifar10/data_batch_2.bin": FileSpec(
        30730000, "a591ca11fa1708a91ee40f54b3da4784ccd871ecf2137de63f51ada8b3fa57ed"),
    "cifar10/data_batch_3.bin": FileSpec(
        30730000, "bbe8596564c0f86427f876058170b84dac6670ddf06d79402899d93ceea26f67"),
    "cifar10/data_batch_4.bin": FileSpec(
        30730000, "014e562d6e23c72197cc727519169a60359f5eccd8945ad5a09d710285ff4e48"),
    "cifar10/data_batch_5.bin": FileSpec(
        30730000, "755304fc0b379caeae8c14f0dac912fbc7d6cd469eb67a1029a08a39453a9add"),
    "cifar10/test_batch.bin": FileSpec(
        30730000, "8e2eb146ae340b09e24670f29cabc6326dba54da8789dab6768acf480273f65b"),
    "cifar10/cifar-10-binary.tar.gz": FileSpec(md5="c32a1d4ab5d03f1284b67883e8d87530"),
    "cifar10/cifar-10-python.tar.gz": FileSpec(md5="c58f30108f718f92721af3b95e74349a"),
}

#: Where downloads come from, in the order tried. MNIST's official page often
#: refuses downloads, so the mirror torchvision uses is tried second; every
#: file is checked against :data:`CHECKSUMS` whichever server sent it. The
#: environment variables ``LUTLEARN_MNIST_URL`` and ``LUTLEARN_CIFAR10_URL``
#: replace these lists by one base URL (e.g. a local mirror).
URLS = {
    "mnist": ["http://yann.lecun.com/exdb/mnist/", "https://ossci-datasets.s3.amazonaws.com/mnist/"],
    "cifar10": ["https://www.cs.toronto.edu/~kriz/"],
}
HOME_PAGES = {
    "mnist": "http://yann.lecun.com/exdb/mnist/",
    "cifar10": "https://www.cs.toronto.edu/~kriz/cifar.html",
}


def get_data_home(data_home: str | os.PathLike | None = None) -> Path:
    """Where data sets live: ``data_home``, else ``$LUTLEARN_DATA``, else ``$XDG_CACHE_HOME/lutlearn``
    (``~/.cache/lutlearn``)."""
    if data_home is not None:
        return Path(data_home).expanduser()
    if os.environ.get("LUTLEARN_DATA"):
        return Path(os.environ["LUTLEARN_DATA"]).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lutlearn"


def base_urls(source: str) -> list[str]:
    """The base URLs tried for ``source`` (``"mnist"`` or ``"cifar10"``), honouring ``$LUTLEARN_<SOURCE>_URL``."""
    override = os.environ.get(f"LUTLEARN_{source.upper()}_URL")
    urls = [override] if override else URLS[source]
    return [u if u.endswith("/") else u + "/" for u in urls]


def _present(path: Path) -> bool:
    """True if ``path`` is a regular file, False if nothing is there (to download).

    Anything else (a folder, a FIFO, a device, a symbolic link loop or to
    nothing, or a parent that is not a folder) raises
    :class:`~lutlearn.datasets._download.DataFileError` saying what it is, rather
    than being taken for a missing file.
    """
    for parent in (path.parent.parent, path.parent):
        if os.path.lexists(parent) and not parent.is_dir():
            raise DataFileError(f"{parent}: is not a folder; the data home must hold the folders mnist/ and cifar10/")
    if not os.path.lexists(path):
        return False
    require_regular_file(path, DataFileError)
    return True


def _spec(folder: Path, name: str) -> FileSpec | None:
    return CHECKSUMS.get(f"{folder.name}/{name}")


def _missing_message(source: str, folder: Path, names: list[str], reason: str) -> str:
    return (
        f"{reason}. Put {', '.join(names)} (from {HOME_PAGES[source]}) in {folder}, "
        "or point to a folder holding mnist/ and cifar10/ with data_home=, --data-home or $LUTLEARN_DATA"
    )


def _download_mnist(folder: Path, names: list[str]) -> None:
    for name in names:
        errors = []
        for base in base_urls("mnist"):
            try:
                fetch(base + name, folder / name, _spec(folder, name))
                break
            except DownloadError as exc:
                errors.append(str(exc))
        else:
            raise DownloadError(_missing_message("mnist", folder, names, "; ".join(errors)))


def load_mnist(data_home: str | os.PathLike | None = None, download: bool = True) -> Arrays:
    """MNIST as uint8 arrays ``(X_train (60000, 784), y_train, X_test (10000, 784), y_test)``.

    Reads the four original IDX ``.gz`` files from ``<data_home>/mnist``,
    checking each one's size and SHA-256, its gzip integrity and its IDX
    header. Missing files are downloaded when ``download`` is true (verified,
    written atomically, with a progress bar).

    Raises
    ------
    FileNotFoundError
        Files missing and ``download=False`` or the download failed; the
        message says which files to put where.
    ValueError
        A file is corrupted, truncated or not the original
        (:class:`~lutlearn.datasets._download.DataFileError`).
    """
    folder = get_data_home(data_home) / "mnist"
    missing = [n for n in MNIST_FILES.values() if not _present(folder / n)]
    if missing and not download:
        raise FileNotFoundError(_missing_message("mnist", folder, missing, "MNIST files missing"))
    if missing:
        _download_mnist(folder, missing)
    paths = {key: folder / name for key, name in MNIST_FILES.items()}
    for path in paths.values():
        verify_file(path, _spec(folder, path.name))
    X_train, y_train = read_mnist_pair(paths["train_images"], paths["train_labels"])
    X_test, y_test = read_mnist_pair(paths["test_images"], paths["test_labels"])
    return X_train, y_train, X_test, y_test


def _present_format(folder: Path) -> str | None:
    for fmt, (names, *_rest) in CIFAR10_FORMATS.items():
        if all((folder / n).is_file() for n in names):
            return fmt
    return None


def _extract_cifar10(tarball: Path, folder: Path, fmt: str) -> None:
    """Copy the batch files (and class names) of ``fmt`` out of ``tarball`` into ``folder``, each verified and atomic.

    Only the expected members are read (never ``extractall``), so the
    archive cannot write anywhere else.
    """
    names, _, inner, meta = CIFAR10_FORMATS[fmt]
    try:
        with tarfile.open(tarball, "r:gz") as tar:
            for name in [*names, meta]:
                member = tar.getmember(f"{inner}/{name}")
                if not member.isfile():
                    raise tarfile.TarError(f"{inner}/{name} is not a regular file")
                copy_verified(tar.extractfile(member), folder / name, _spec(folder, name),
                              total=member.size, desc=f"extracting {name}")
    except (tarfile.TarError, KeyError, EOFError, zlib.error) as exc:
        raise ValueError(f"{tarball}: cannot extract the CIFAR-10 {fmt} version ({exc})") from None


def _fetch_cifar10(folder: Path, fmt: str, download: bool) -> None:
    names, tar_name, *_ = CIFAR10_FORMATS[fmt]
    tarball = folder / tar_name
    downloaded = False
    if _present(tarball):
        verify_file(tarball, _spec(folder, tar_name))
    else:
        reason = f"CIFAR-10 ({fmt} version) files missing"
        if download:
            try:
                fetch(base_urls("cifar10")[0] + tar_name, tarball, _spec(folder, tar_name))
                downloaded = True
            except DownloadError as exc:
                reason = str(exc)
        if not downloaded:
            raise DownloadError(_missing_message("cifar10", folder, names, reason)
                                + f"; or put {tar_name} there to have it unpacked")
    _extract_cifar10(tarball, folder, fmt)
    if downloaded:
        tarball.unlink()


def load_cifar10(data_home: str | os.PathLike | None = None, download: bool = True, format: str = "auto") -> Arrays:
    """CIFAR-10 as uint8 arrays ``(X_train (50000, 3072), y_train, X_test (10000, 3072), y_test)``.

    Rows are channel-major as in the original files: 1024 red, 1024 green,
    then 1024 blue values, each plane row-major over the 32x32 image.

    Parameters
    ----------
    data_home : path-like, optional
        Folder holding ``cifar10/`` (see :func:`get_data_home`).
    download : bool, default=True
        Download the tarball of the chosen version from the CIFAR page when
        the batches are missing (MD5 checked, then unpacked file by file).
    format : {"auto", "binary", "python"}, default="auto"
        ``"binary"``: ``data_batch_1.bin`` .. ``test_batch.bin`` (checked
        against their SHA-256); ``"python"``: the pickled batches
        ``data_batch_1`` .. ``test_batch``, read by a restricted unpickler;
        ``"auto"``: whichever is complete in ``cifar10/`` (binary first),
        else the binary version. A tarball already in ``cifar10/`` is
        unpacked instead of downloaded.
    """
    if format not in ("auto", *CIFAR10_FORMATS):
        raise ValueError(f"format must be 'auto', 'binary' or 'python', got {format!r}")
    folder = get_data_home(data_home) / "cifar10"
    fmt = format if format != "auto" else (_present_format(folder) or "binary")
    names = CIFAR10_FORMATS[fmt][0]
    if not all([_present(folder / n) for n in names]):
        _fetch_cifar10(folder, fmt, download)
    read = read_cifar10_bin if fmt == "binary" else read_cifar10_python
    parts = []
    for name in names:
        verify_file(folder / name, _spec(folder, name))
        parts.append(read(folder / name))
    X_train = np.concatenate([X for X, _ in parts[:5]])
    y_train = np.concatenate([y for _, y in parts[:5]])
    return X_train, y_train, parts[5][0], parts[5][1]


def load_digits_raw() -> Arrays:
    """scikit-learn's bundled 8x8 digits split 75/25 (stratified, fixed seed): pixel values 0..16."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    Xtr, Xte, ytr, yte = train_test_split(
        digits.data.astype(np.uint8), digits.target, test_size=0.25, stratify=digits.target,
        random_state=0,
    )
    return Xtr, ytr, Xte, yte


def data_present(source: str, data_home: str | os.PathLike | None = None) -> tuple[bool, Path | None]:
    """Whether ``source``'s files (``"digits"``, ``"mnist"``, ``"cifar10"``) are all in place, and where they are
    looked for.

    Only checks that the files exist; the loaders verify them.
    """
    if source == "digits":
        return True, None
    folder = get_data_home(data_home) / source
    if source == "mnist":
        return all((folder / n).is_file() for n in MNIST_FILES.values()), folder
    return _present_format(folder) is not None, folder


# ----------------------------------------------------------------- other data sets in these formats


@dataclass
class ImageDataSet:
    """An image data set read by :func:`load_idx` or :func:`load_cifar_format`.

    Unpacks like the canonical loaders' result: ``X_train, y_train, X_test,
    y_test = load_idx(...)``.

    Attributes
    ----------
    X_train, y_train, X_test, y_test : uint8 ndarrays
        Images as flat rows (IDX: row-major ``h * w`` pixels; CIFAR: 1024
        red, 1024 green, then 1024 blue values) and class numbers.
    image_shape : tuple of int
        ``(h, w)`` (IDX) or ``(3, 32, 32)`` (CIFAR format, channel-major).
    provenance : str
        Where the files come from, as the caller stated it.
    files : dict
        SHA-256 of every file read, by file name.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    image_shape: tuple
    provenance: str
    files: dict = field(default_factory=dict)

    def __iter__(self):
        return iter((self.X_train, self.y_train, self.X_test, self.y_test))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _check_provenance(provenance) -> str:
    if not isinstance(provenance, str) or not provenance.strip():
        raise ValueError(
            "provenance must say where the files come from (e.g. 'Fashion-MNIST, "
            "https://github.com/zalandoresearch/fashion-mnist, downloaded 2024-05-01'): these files have no "
            "canonical checksum in lutlearn, so the stated provenance (and the SHA-256 recorded of each file) "
            "stands in for it"
        )
    return provenance.strip()


def _verified_files(folder: Path, names: list[str], sha256: dict | None) -> dict[str, str]:
    """SHA-256 of each named file of ``folder``; DataFileError for one that differs from its pin in ``sha256``."""
    digests = {}
    for name in names:
        digests[name] = _sha256(folder / name)
        pin = (sha256 or {}).get(name)
        if pin is not None and pin.lower() != digests[name]:
            raise DataFileError(f"{folder / name}: SHA-256 {digests[name]}, expected {pin} (the sha256= pin)")
    unknown = set(sha256 or {}) - set(names)
    if unknown:
        raise ValueError(f"sha256= pins files that are not read: {sorted(unknown)}")
    return digests


def _idx_file(folder: Path, key: str, files: dict | None) -> str:
    if files and key in files:
        name = files[key]
        if not (folder / name).is_file():
            raise FileNotFoundError(f"{folder / name}: no such file ({key})")
        return name
    canonical = MNIST_FILES[key]
    for name in (canonical, canonical[: -len(".gz")]):
        if (folder / name).is_file():
            return name
    raise FileNotFoundError(
        f"{folder}: no {canonical} (or uncompressed {canonical[:-3]}); name the file with files={{{key!r}: ...}}"
    )


def load_idx(
    folder: str | os.PathLike,
    provenance: str,
    *,
    files: dict | None = None,
    n_classes: int | None = None,
    sha256: dict | None = None,
) -> ImageDataSet:
    """Any MNIST-format (IDX) image data set: Fashion-MNIST, KMNIST, or your own.

    Reads the four files of ``folder``, named as MNIST's
    (``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
    ``t10k-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz``, gzip or
    uncompressed) unless ``files`` names them, with the checks the MNIST
    loader applies: gzip integrity, IDX magic numbers (2051 images, 2049
    labels), header dimensions against the payload, as many labels as
    images, labels below ``n_classes``, and train and test images of the
    same size (any ``h x w``). There is no canonical checksum: ``provenance``
    (required) states where the files come from, the SHA-256 of every file
    is recorded in the result, and ``sha256`` pins (file name -> digest) are
    checked when given.

    Parameters
    ----------
    folder : path-like
    provenance : str
        Where the files come from (a URL, a DOI, a description), kept in the result.
    files : dict, optional
        File names for ``train_images``, ``train_labels``, ``test_images``, ``test_labels``.
    n_classes : int, optional
        Labels must be below it (default: any byte value).
    sha256 : dict, optional
        Expected SHA-256 of files, by file name.

    Returns
    -------
    ImageDataSet
    """
    provenance = _check_provenance(provenance)
    folder = Path(folder).expanduser()
    names = {key: _idx_file(folder, key, files) for key in MNIST_FILES}
    digests = _verified_files(folder, list(names.values()), sha256)
    bound = 256 if n_classes is None else n_classes
    X_train, y_train, shape = read_idx_pair(folder / names["train_images"], folder / names["train_labels"], bound)
    X_test, y_test, test_shape = read_idx_pair(folder / names["test_images"], folder / names["test_labels"], bound)
    if shape != test_shape:
        raise DataFileError(
            f"{folder / names['test_images']}: test images are {test_shape[0]}x{test_shape[1]}, "
            f"training images {shape[0]}x{shape[1]}"
        )
    return ImageDataSet(X_train, y_train, X_test, y_test, shape, provenance, digests)


def load_cifar_format(
    folder: str | os.PathLike,
    provenance: str,
    *,
    train: list[str] | None = None,
    test: list[str] | None = None,
    format: str = "binary",
    label_bytes: int = 1,
    label_index: int = -1,
    label_key: str = "labels",
    n_classes: int | None = None,
    sha256: dict | None = None,
) -> ImageDataSet:
    """Any CIFAR-format data set of 32x32 colour images (CIFAR-100, or your own batches), checked by structure.

    Parameters
    ----------
    folder : path-like
    provenance : str
        Where the files come from; kept in the result (see :func:`load_idx`).
    train, test : list of str, optional
        Batch file names; default CIFAR-10's (``data_batch_1.bin`` ..
        ``data_batch_5.bin`` and ``test_batch.bin``, without ``.bin`` for the
        python format). CIFAR-100: ``["train.bin"]``, ``["test.bin"]``
        (python: ``["train"]``, ``["test"]``).
    format : {"binary", "python"}, default="binary"
        Binary records (label bytes, then 3072 pixel bytes), or pickled
        batch dicts read by the restricted unpickler (never arbitrary code).
    label_bytes, label_index : int
        Binary format: label bytes per record and the one used (CIFAR-100:
        ``label_bytes=2``, ``label_index=0`` coarse or 1 fine).
    label_key : str, default="labels"
        Python format: the dict key of the labels (CIFAR-100: ``"fine_labels"``).
    n_classes : int, optional
        Labels must be below it (default: any byte value).
    sha256 : dict, optional
        Expected SHA-256 of files, by file name.

    Returns
    -------
    ImageDataSet
    """
    provenance = _check_provenance(provenance)
    if format not in CIFAR10_FORMATS:
        raise ValueError(f"format must be 'binary' or 'python', got {format!r}")
    if label_bytes not in (1, 2) or not -label_bytes <= label_index < label_bytes:
        raise ValueError(f"label_bytes must be 1 or 2 and label_index one of them; got {label_bytes}, {label_index}")
    folder = Path(folder).expanduser()
    defaults = CIFAR10_FORMATS[format][0]
    train, test = list(train or defaults[:5]), list(test or defaults[5:])
    for name in train + test:
        if not (folder / name).is_file():
            raise FileNotFoundError(f"{folder / name}: no such file")
    digests = _verified_files(folder, train + test, sha256)
    bound = 256 if n_classes is None else n_classes

    def read(name):
        if format == "binary":
            return read_cifar_bin(folder / name, label_bytes, label_index, bound)
        return read_cifar10_python(folder / name, label_key, bound)

    parts_train, parts_test = [read(n) for n in train], [read(n) for n in test]
    X_train = np.concatenate([X for X, _ in parts_train])
    y_train = np.concatenate([y for _, y in parts_train])
    X_test = np.concatenate([X for X, _ in parts_test])
    y_test = np.concatenate([y for _, y in parts_test])
    return ImageDataSet(X_train, y_train, X_test, y_test, (3, 32, 32), provenance, digests)
