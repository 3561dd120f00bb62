"""Reading examples from files: ``.npz``, ``.npy``, ``.csv`` and ``.pla`` files, and chunked data for Dask.

:func:`read_examples` reads one file into memory:

* ``.npz``: arrays ``X`` (n_samples, n_features) and, when labelled, ``y``.
  Read with ``allow_pickle=False``.
* ``.npy``: one 2-D array; the label column is chosen by ``label_column``.
* ``.csv``: comma-separated numbers, with or without a header line; the label
  column is chosen by ``label_column`` (index, or name when there is a header).
* ``.pla``: a single-output Espresso PLA file (:func:`lutlearn.datasets.pla.read_pla`):
  the inputs, and the output as the label (none when ``label_column`` is None).

:func:`describe_file` says what a file looks like from its first bytes (an
AIGER circuit, a PLA file, a model file, gzip data, an image, ...) and which
command reads it, for one-line errors when a file is given in the wrong place.

:func:`read_chunked` reads chunked data as lazy Dask arrays (the ``dask``
extra, and ``zarr`` for Zarr stores): a folder of ``.npy`` chunks
(:func:`read_npy_chunks`) or a Zarr store (:func:`read_zarr`).

``label_column`` is ``"last"`` (default), ``"first"``, an integer index, a
column name (files with a header), or ``None`` for unlabelled data.
"""

from __future__ import annotations

import csv
import importlib
import json
import os
import re
from pathlib import Path

import numpy as np

from lutlearn._files import require_regular_file
from lutlearn.datasets._sniff import _looks_like, describe_file

__all__ = ["align_columns", "describe_file", "read_csv", "read_examples"]

_EXTRA_HINT = 'install the "dask" extra: pip install "lutlearn[dask]"'


def _column_index(
    label_column, n_columns: int, header: list[str] | None, path: Path, no_names: str | None = None
) -> int:
    """Index of the label column among ``n_columns``: ``"last"``, ``"first"``, an index, or a name in ``header``.

    ``no_names`` is the error for a column name when the data has no header
    (None: the name is reported as not found).
    """
    if label_column == "last":
        return n_columns - 1
    if label_column == "first":
        return 0
    if isinstance(label_column, str) and not label_column.lstrip("-").isdigit():
        if header is None and no_names:
            raise ValueError(f"{path}: {no_names}")
        if header is None or label_column not in header:
            raise ValueError(f"{path}: no column named {label_column!r}")
        return header.index(label_column)
    i = int(label_column)
    if not -n_columns <= i < n_columns:
        raise ValueError(f"{path}: label column {i} is out of range for {n_columns} columns")
    return i % n_columns


def _split(data: np.ndarray, label_column, header, path: Path):
    if data.ndim != 2:
        raise ValueError(f"{path}: expected a 2-D table of examples, got shape {data.shape}")
    if label_column is None:
        return data, None
    i = _column_index(label_column, data.shape[1], header, path)
    return np.delete(data, i, axis=1), data[:, i]


def _check_signature(path: Path, head: bytes, signature: bytes, kind: str) -> None:
    if not head.startswith(signature):
        raise ValueError(f"{path}: not {kind} file (it looks like {describe_file(path)})")


def _numpy_error(path: Path, exc: Exception, kind: str) -> ValueError:
    """A one-line error for what ``np.load`` raised on ``path``; never numpy's advice to allow pickle."""
    text = str(exc)
    if "allow_pickle" in text or "Object arrays" in text or "Python objects" in text:
        return ValueError(f"{path}: holds pickled objects (Python objects), which lutlearn never loads; "
                          "save plain numeric arrays")
    return ValueError(f"{path}: not a readable {kind} file ({exc.__class__.__name__}: {text})")


def _check_shapes(X: np.ndarray, y: np.ndarray | None, path: Path) -> None:
    """One line naming ``path`` (not scikit-learn's dump of the array) unless ``X`` is a 2-D table of real numbers
    and ``y``, if any, one label per row."""
    if X.dtype.kind not in "biuf":
        what = "complex numbers" if X.dtype.kind == "c" else f"values of type {X.dtype}"
        raise ValueError(f"{path}: the examples are {what}; lutlearn reads real numbers (bits, integers, floats)")
    if X.ndim != 2:
        raise ValueError(f"{path}: expected a 2-D table of examples (rows x features), got an array of shape "
                         f"{X.shape}")
    if y is not None and (y.ndim != 1 or len(y) != len(X)):
        raise ValueError(f"{path}: 'y' has shape {y.shape}; expected one label per example ({len(X)},)")


def _check_finite(X: np.ndarray, path: Path) -> None:
    """Refuse NaN or infinite feature values, naming the first one's row and column."""
    if X.dtype.kind in "fc" and not np.isfinite(X).all():
        row, col = np.argwhere(~np.isfinite(X))[0]
        raise ValueError(
            f"{path}: the value in example {row + 1}, feature {col + 1} is {X[row, col]}; lut networks need "
            "every feature present and finite (fill or drop missing values first)"
        )


def read_examples(path: str | os.PathLike, label_column="last") -> tuple[np.ndarray, np.ndarray | None]:
    """Read ``(X, y)`` from a ``.npz``, ``.npy``, ``.csv`` or ``.pla`` file (``y`` is None when unlabelled).

    Raises
    ------
    FileNotFoundError
        Nothing at ``path``.
    ValueError
        ``path`` is not a regular file (a folder, FIFO, device, symbolic
        link loop), is not the format its suffix says (the message says
        what it looks like: gzip data, an image, an AIGER circuit, ...),
        holds Python objects (never unpickled), ragged or non-numeric CSV
        rows, or missing (NaN) or infinite features. Every message starts
        with the file's name.
    """
    path = require_regular_file(path)
    suffix = path.suffix.lower()
    if suffix == ".pla":
        from lutlearn.datasets.pla import read_pla

        pla = read_pla(path)
        return pla.X, None if label_column is None else pla.y
    if suffix not in (".npz", ".npy", ".csv"):
        raise ValueError(f"{path}: unknown data file type {suffix!r} (it looks like {describe_file(path)}); "
                         "data files are .npz, .npy, .csv or .pla")
    with open(path, "rb") as fh:
        head = fh.read(16)
    if suffix == ".npz":
        _check_signature(path, head, b"PK", "an .npz")
        try:
            with np.load(path, allow_pickle=False) as npz:
                files = npz.files
                X = npz["X"] if "X" in files else None
                y = npz["y"] if ("y" in files and label_column is not None) else None
        except Exception as exc:  # whatever numpy or zipfile make of a damaged file
            raise _numpy_error(path, exc, ".npz") from None
        if X is None:
            raise ValueError(f"{path}: an .npz data file needs an array named 'X' (has {files})")
        _check_shapes(X, y, path)
        _check_finite(X, path)
        return X, y
    if suffix == ".npy":
        _check_signature(path, head, b"\x93NUMPY", "a .npy")
        data = _load_npy(path)
        _check_shapes(data, None, path)
        X, y = _split(data, label_column, None, path)
        _check_finite(X, path)
        return X, y
    X, y, _ = read_csv(path, label_column)
    return X, y


#: Integers up to this magnitude are exact in float64: CSV values beyond it stay floats.
_EXACT_INTEGERS = 2**53


def _as_integers_if_exact(a: np.ndarray) -> np.ndarray:
    """``a`` as int64 when all its values are whole numbers that float64 holds exactly, else unchanged."""
    if a.size and np.all(np.isfinite(a)) and np.all(np.abs(a) <= _EXACT_INTEGERS) and np.all(a == np.round(a)):
        return a.astype(np.int64)
    return a


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _is_header(rows: list[list[str]], label_column, path: Path) -> bool:
    """Whether the first row of a CSV file names the columns: a feature value that is not a number, or a label
    that is not a number above labels that all are (text labels are classes: ``1,0,cat`` is a row of data)."""
    first = rows[0]
    if all(_number(v) is not None for v in first):
        return False
    if label_column is None or not (label_column in ("last", "first") or str(label_column).lstrip("-").isdigit()):
        return True  # no label column, or one given by name: only a header can name it
    label = _column_index(label_column, len(first), None, path)
    if any(_number(v) is None for j, v in enumerate(first) if j != label):
        return True
    rest = [r[label] for r in rows[1:] if len(r) == len(first)]
    return bool(rest) and all(_number(v) is not None for v in rest)


def _csv_labels(texts: list[str], path: Path, first_line: int) -> np.ndarray:
    """The labels of a CSV file from their ``texts``: int64 when every one is an integer literal (exactly, however
    large up to 64 bits: 2**53 and 2**53 + 1 stay two classes), float64 when every one is a number (refused when
    not finite), else text (str): class names such as ``cat``, as Python and ``.npz`` files take them."""
    def line(j) -> str:
        return f"{path}: line {int(j) + first_line}: label {texts[int(j)].strip()!r}"

    try:
        ints = [int(t) for t in texts]
    except ValueError:
        ints = None
    if ints is not None:
        big = next((j for j, v in enumerate(ints) if not -2**63 <= v < 2**63), None)
        if big is not None:
            raise ValueError(f"{line(big)} does not fit a 64-bit integer; use smaller labels or text")
        return np.array(ints, dtype=np.int64)
    numbers = [_number(t) for t in texts]
    if any(v is None for v in numbers):
        empty = next((j for j, t in enumerate(texts) if not t.strip()), None)
        if empty is not None:
            raise ValueError(f"{path}: line {empty + first_line}: the label is empty")
        return np.array([t.strip() for t in texts], dtype=str)
    y = np.array(numbers, dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(y))
    if len(bad):
        raise ValueError(f"{line(bad[0])} is not a finite number")
    return _as_integers_if_exact(y)


def read_csv(path: str | os.PathLike, label_column="last") -> tuple[np.ndarray, np.ndarray | None, list[str] | None]:
    """``(X, y, feature_names)`` from a ``.csv`` file; ``feature_names`` are the header's (None without one).

    The file is UTF-8, with or without a byte-order mark (Excel's "CSV
    UTF-8"). Inputs and labels are int64 when all their values are whole
    numbers up to 2**53, else float64; a numeric label that is not finite
    (``inf``, ``nan``) is refused. Labels that are not all numbers are text
    (``cat``, ``dog``): class names, as in an ``.npz`` file's ``y``. A first
    row with a feature that is not a number is the header (a text label alone
    does not make one, unless the labels below it are all numbers).
    """
    path = require_regular_file(path)
    with open(path, "rb") as fh:
        head = fh.read(16)
    if _looks_like(head):
        raise ValueError(f"{path}: not a text CSV file (it looks like {_looks_like(head)})")
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = [r for r in csv.reader(fh) if r]
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text (byte {exc.start}); save the CSV file as UTF-8") from None
    except csv.Error as exc:
        raise ValueError(f"{path}: not a readable text CSV file ({exc})") from None
    if not rows:
        raise ValueError(f"{path}: empty file")
    header = None
    if _is_header(rows, label_column, path):
        header, rows = [h.strip() for h in rows[0]], rows[1:]
    width = len(header) if header is not None else len(rows[0])
    for i, r in enumerate(rows, start=1):
        if len(r) != width:
            raise ValueError(f"{path}: data row {i} has {len(r)} values, but the {'header' if header else 'first row'} "
                             f"has {width}")
    label = None if label_column is None else _column_index(label_column, width, header, path)
    features = [j for j in range(width) if j != label]
    try:
        X = np.array([[float(r[j]) for j in features] for r in rows]).reshape(len(rows), len(features))
    except ValueError as exc:
        raise ValueError(f"{path}: non-numeric value ({exc})") from None
    _check_finite(X, path)
    y = None
    if label is not None:
        y = _csv_labels([r[label] for r in rows], path, 1 + (header is not None))
    names = None
    if header is not None:
        names = [header[j] for j in features]
    return _as_integers_if_exact(X), y, names


def align_columns(X: np.ndarray, names: list[str] | None, expected, path) -> np.ndarray:
    """The columns of ``X`` (named ``names``, from a header) in the order of the names ``expected`` (a model's).

    When either has no names, ``X`` is returned as it is (columns by
    position). Different names are refused: ValueError naming the file.
    """
    if names is None or expected is None:
        return X
    expected = [str(n) for n in expected]
    if names == expected:
        return X
    if sorted(names) != sorted(expected) or len(set(names)) != len(names):
        missing = [n for n in expected if n not in names]
        extra = [n for n in names if n not in expected]
        raise ValueError(
            f"{path}: its columns are not the model's inputs "
            f"(missing: {', '.join(missing[:5]) or 'none'}; not in the model: {', '.join(extra[:5]) or 'none'})"
        )
    return X[:, [names.index(n) for n in expected]]


# ----------------------------------------------------------------- chunked data (Dask)


_NEEDS_DASK = "Dask support needs dask[array]"


def _require(module: str, what: str):
    """Import ``module``, or raise an ImportError saying ``what`` and naming the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(f"{what}; {_EXTRA_HINT}") from exc


#: The oldest versions the ``[dask]`` extra asks for, checked before a Zarr store is opened.
_ZARR_VERSIONS = {"zarr": (3, 1), "numcodecs": (0, 16)}


def _check_versions(minimum: dict[str, tuple[int, ...]]) -> None:
    """ImportError naming the ``[dask]`` extra when an installed package is older than ``minimum`` asks."""
    from importlib.metadata import PackageNotFoundError, version

    for name, least in minimum.items():
        try:
            text = version(name)
        except PackageNotFoundError:
            continue  # not installed: the import says so
        got = tuple(int(p) for p in re.findall(r"\d+", text)[: len(least)])
        if got < least:
            raise ImportError(f"{name} {text} is installed, but lutlearn reads Zarr stores with {name} >= "
                              f"{'.'.join(map(str, least))} only; {_EXTRA_HINT}")


def _natural_key(path: Path):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path.name)]


def _load_npy(path: str | os.PathLike) -> np.ndarray:
    try:
        return np.load(path, allow_pickle=False)
    except Exception as exc:  # whatever numpy makes of a damaged file (a header that does not parse...)
        raise _numpy_error(Path(path), exc, ".npy") from None


def _npy_header(path: Path) -> tuple[tuple[int, ...], np.dtype]:
    """Shape and dtype of a ``.npy`` file, without reading its data (memory-mapped, never unpickled)."""
    try:
        a = np.load(require_regular_file(path), mmap_mode="r", allow_pickle=False)
    except Exception as exc:
        raise _numpy_error(path, exc, ".npy") from None
    if not isinstance(a, np.ndarray):
        raise ValueError(f"{path}: not a .npy array file")
    return a.shape, a.dtype


def read_npy_chunks(folder: str | os.PathLike):
    """A lazy Dask array over a folder of ``.npy`` files, stacked by rows in natural name order.

    Every file is one row chunk: a 2-D array, all with the same number of
    columns and dtype. Only headers are read here; workers load the files
    (so on a multi-machine cluster the folder must be at the same path on
    every worker). Files are read with ``allow_pickle=False``.
    """
    dask, da = _require("dask", _NEEDS_DASK), _require("dask.array", _NEEDS_DASK)
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(2, "No such directory", str(folder))
    files = sorted(folder.glob("*.npy"), key=_natural_key)
    if not files:
        raise ValueError(f"{folder}: no .npy files in this folder")
    blocks, first = [], None
    for f in files:
        shape, dtype = _npy_header(f)
        if len(shape) != 2:
            raise ValueError(f"{f}: expected a 2-D table of examples, got shape {shape}")
        if first is None:
            first = (shape[1], dtype, f)
        elif (shape[1], dtype) != first[:2]:
            raise ValueError(
                f"{f}: has {shape[1]} columns of {dtype}, but {first[2].name} has "
                f"{first[0]} columns of {first[1]}; all chunks must agree"
            )
        blocks.append(da.from_delayed(dask.delayed(_load_npy)(str(f)), shape=shape, dtype=dtype))
    return da.concatenate(blocks, axis=0)


#: Zarr data types and codecs lutlearn reads: plain numbers, and codecs that
#: only compress, reorder or checksum bytes. Anything else (object dtypes,
#: ``pickle``, ``vlen-*``, ``json2``, ``msgpack2``, ``categorize``, unknown
#: codecs) is refused before Zarr opens the store: some of them unpickle.
_ZARR_V2_DTYPE = re.compile(r"[<>|=]?(b1|[iu][1248]|f[248])")
_ZARR_V3_DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                   "float16", "float32", "float64"}
_ZARR_CODECS = {
    "blosc", "zstd", "zlib", "gzip", "bz2", "lzma", "lz4", "lz4hc", "shuffle", "bitshuffle", "delta",
    "crc32", "crc32c", "adler32", "fletcher32", "jenkins_lookup3", "bytes", "endian", "transpose",
    "sharding_indexed",
}
_ZARR_METADATA = {".zarray", ".zgroup", ".zmetadata", "zarr.json"}


def _zarr_codec_name(codec) -> str | None:
    if not isinstance(codec, dict):
        return None
    name = codec.get("id", codec.get("name"))
    if not isinstance(name, str):
        return None
    return name.removeprefix("numcodecs.")


def _check_zarr_node(meta, where: str) -> None:
    """Raise ValueError unless every array described in the JSON ``meta`` is plain numbers with safe codecs."""
    if isinstance(meta, list):
        for item in meta:
            _check_zarr_node(item, where)
        return
    if not isinstance(meta, dict):
        return
    if ("dtype" in meta and "zarr_format" in meta) or "data_type" in meta:
        dtype = meta.get("dtype", meta.get("data_type"))
        ok = (isinstance(dtype, str) and (_ZARR_V2_DTYPE.fullmatch(dtype) or dtype in _ZARR_V3_DTYPES))
        if not ok:
            raise ValueError(f"{where}: data type {str(dtype)[:60]!r} refused; lutlearn reads Zarr arrays "
                             "of plain numbers only (object and string arrays may need pickle)")
        codecs = [meta.get("compressor"), *(meta.get("filters") or []), *(meta.get("codecs") or [])]
        for codec in codecs:
            if codec is None:
                continue
            name = _zarr_codec_name(codec)
            if name not in _ZARR_CODECS:
                raise ValueError(f"{where}: codec {str(name or codec)[:60]!r} refused; lutlearn reads Zarr "
                                 f"arrays compressed with {', '.join(sorted(_ZARR_CODECS))} only")
            config = codec.get("configuration")
            if isinstance(config, dict):  # a sharding codec's inner codecs
                _check_zarr_node({"data_type": "uint8", "codecs": config.get("codecs") or []}, where)
                _check_zarr_node({"data_type": "uint8", "codecs": config.get("index_codecs") or []}, where)
    for key, value in meta.items():
        if key != "attributes" and isinstance(value, (dict, list)):  # attributes: the user's own JSON
            _check_zarr_node(value, where)


def check_zarr_store(path: str | os.PathLike) -> None:
    """Refuse a Zarr store (a folder) holding anything but plain numeric arrays with safe codecs.

    Reads every metadata file (``.zarray``, ``.zmetadata``, ``zarr.json``,
    ...) as JSON, without Zarr, before any chunk is read, so that no codec
    that unpickles (numcodecs' ``pickle``, object arrays) can run whatever
    Zarr version is installed.

    Raises
    ------
    ValueError
        Naming the metadata file and what is refused.
    """
    path = Path(path)
    if not path.is_dir():
        raise ValueError(f"{path}: a Zarr store must be a folder")
    seen: set[tuple[int, int]] = set()
    # symbolic links to folders are followed, as Zarr follows them (a linked folder is checked like any other)
    for folder, dirs, files in os.walk(path, followlinks=True):
        st = os.stat(folder)
        if (st.st_dev, st.st_ino) in seen:
            raise ValueError(f"{folder}: a symbolic link loop in the Zarr store")
        seen.add((st.st_dev, st.st_ino))
        dirs.sort()
        for name in sorted(set(files) & _ZARR_METADATA):
            where = Path(folder) / name
            try:
                meta = json.loads(require_regular_file(where).read_text(encoding="utf-8"))
            except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError included
                raise ValueError(f"{where}: not valid Zarr metadata ({exc.__class__.__name__}: {exc})") from None
            _check_zarr_node(meta, str(where))


def read_zarr(path: str | os.PathLike):
    """``(X, y)`` from a Zarr store: a group with arrays ``X`` and ``y``, or one 2-D array (``y`` None).

    The store's metadata is checked first (:func:`check_zarr_store`): only
    plain numeric arrays with compression codecs are read.
    """
    da = _require("dask.array", _NEEDS_DASK)
    zarr = _require("zarr", "Zarr data needs the zarr package")
    _check_versions(_ZARR_VERSIONS)
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(2, "No such file or directory", str(path))
    check_zarr_store(path)
    try:
        node = zarr.open(str(path), mode="r")
    except Exception as exc:
        raise ValueError(f"{path}: not a readable Zarr store ({exc})") from None
    if isinstance(node, zarr.Array):
        return da.from_zarr(node), None
    if "X" not in node:
        raise ValueError(f"{path}: a Zarr group needs an array named 'X' (has {sorted(node.keys())})")
    X = da.from_zarr(node["X"])
    y = da.from_zarr(node["y"]) if "y" in node else None
    return X, y


def is_chunked_source(path) -> bool:
    """True when ``path`` names chunked data: a folder of ``.npy`` chunks or a Zarr store."""
    if path is None:
        return False
    p = Path(path)
    return p.is_dir() or p.suffix.lower() == ".zarr"


def read_chunked(path: str | os.PathLike, label_column="last"):
    """``(X, y)`` as lazy Dask arrays from a folder of ``.npy`` chunks or a Zarr store.

    A Zarr group gives ``X`` and ``y`` directly. A folder of ``.npy`` chunks
    or a single 2-D Zarr array holds the labels in one column, chosen by
    ``label_column`` (``"last"``, ``"first"``, an integer index, or None
    for unlabelled data), as for single ``.npy`` files in :func:`read_examples`.
    """
    p = Path(path)
    is_zarr = p.suffix.lower() == ".zarr" or (p / "zarr.json").exists() or (p / ".zarray").exists() or (
        p / ".zgroup"
    ).exists()
    if is_zarr:
        X, y = read_zarr(p)
        if y is not None or label_column is None:
            return X, y
    else:
        X = read_npy_chunks(p)
    if label_column is None:
        return X, None
    n_cols = X.shape[1]
    i = _column_index(
        label_column, n_cols, None, p, no_names="chunked data has no column names; give the label column as an index"
    )
    keep = np.delete(np.arange(n_cols), i)
    return X[:, keep], X[:, i]
