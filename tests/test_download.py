"""Downloads from a local fake server on 127.0.0.1 (never the internet), verification and atomic writes."""

from __future__ import annotations

import functools
import gzip
import http.server
import os
import stat
import threading
from pathlib import Path

import numpy as np
import pytest

from _datafiles import (
    BIN_NAMES,
    PY_NAMES,
    cifar10_tarball,
    fake_cifar10_batches,
    fake_mnist,
    spec_of,
    write_fake_mnist,
)
from lutlearn.datasets import _loaders, load_cifar10, load_mnist
from lutlearn.datasets._download import DataFileError, DownloadError, FileSpec, atomic_writer, fetch, verify_file


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    """``(folder, base_url)``: files put in ``folder`` are served at ``base_url``."""
    root = tmp_path / "served"
    root.mkdir()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def checksums(monkeypatch):
    """An empty, patchable copy of the checksum table (generated files are not the canonical ones)."""
    table = {}
    monkeypatch.setattr(_loaders, "CHECKSUMS", table)
    return table


def _leftovers(folder):
    return sorted(p.name for p in folder.rglob("*.part"))


def test_atomic_writer_leaves_nothing_on_failure(tmp_path):
    dest = tmp_path / "sub" / "file.bin"
    with pytest.raises(RuntimeError):
        with atomic_writer(dest) as fh:
            fh.write(b"half")
            raise RuntimeError("interrupted")
    assert not dest.exists() and _leftovers(tmp_path) == []
    with atomic_writer(dest) as fh:
        fh.write(b"whole")
    assert dest.read_bytes() == b"whole" and _leftovers(tmp_path) == []


def test_verify_file_names_the_file_and_the_problem(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"abcdef")
    good = spec_of(path)
    verify_file(path, good)
    with pytest.raises(DataFileError, match=r"f.bin: 6 bytes, expected 7 \(truncated\)"):
        verify_file(path, FileSpec(size=7, sha256=good.sha256))
    with pytest.raises(DataFileError, match=r"f.bin: SHA-256 [0-9a-f]{64} does not match the original's 00"):
        verify_file(path, FileSpec(size=6, sha256="00" * 32))
    with pytest.raises(DataFileError, match="f.bin: MD5"):
        verify_file(path, FileSpec(md5="0" * 32))


def test_fetch_verifies_before_renaming(server, tmp_path):
    root, url = server
    (root / "blob").write_bytes(b"x" * 5000)
    dest = tmp_path / "home" / "blob"
    with pytest.raises(DownloadError, match="blob is corrupted.*SHA-256"):
        fetch(url + "blob", dest, FileSpec(sha256="ab" * 32))
    assert not dest.exists() and _leftovers(tmp_path) == []
    fetch(url + "blob", dest, spec_of(root / "blob"))
    assert dest.read_bytes() == b"x" * 5000


def test_fetch_interrupted_mid_stream_leaves_nothing(monkeypatch, tmp_path):
    import requests

    class Broken:
        headers = {"content-length": "3000000"}

        def raise_for_status(self):
            pass

        def iter_content(self, chunk_size):
            yield b"y" * chunk_size
            raise ConnectionResetError("connection reset by peer")

    monkeypatch.setattr(requests, "get", lambda url, **kwargs: Broken())  # what pooch's HTTPDownloader calls
    dest = tmp_path / "big.bin"
    with pytest.raises(DownloadError, match="cannot download http://example.invalid/big.bin: connection reset"):
        fetch("http://example.invalid/big.bin", dest)
    assert not dest.exists() and _leftovers(tmp_path) == []


class _ShortBody(_Quiet):
    """Announces 3,000,000 bytes, sends 5,000 and closes the connection."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "3000000")
        self.end_headers()
        self.wfile.write(b"z" * 5000)
        self.close_connection = True


def test_fetch_of_a_transfer_cut_short_or_refused_says_why_on_one_line(tmp_path):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ShortBody)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/big.bin"
        with pytest.raises(DownloadError, match=f"^cannot download {url}: .*(IncompleteRead|more expected)"):
            fetch(url, tmp_path / "big.bin")
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert os.listdir(tmp_path) == []
    with pytest.raises(DownloadError, match=r"^cannot download http://127.0.0.1:9/f: .*Connection refused$") as err:
        fetch("http://127.0.0.1:9/f", tmp_path / "f")  # the discard port: nobody listens
    assert "\n" not in str(err.value) and "HTTPConnection" not in str(err.value)


def test_fetch_reports_a_server_error(server, tmp_path):
    _, url = server
    with pytest.raises(DownloadError, match=f"^cannot download {url}absent.bin: 404 Client Error"):
        fetch(url + "absent.bin", tmp_path / "absent.bin")
    assert os.listdir(tmp_path) == ["served"]


class _GzipAsEncoding(_Quiet):
    """Serves a ``.gz`` file labelled ``Content-Encoding: gzip`` to clients that accept gzip (as some servers
    are set up), which an HTTP client would then decompress."""

    def do_GET(self):
        body = (Path(self.directory) / self.path.lstrip("/")).read_bytes()
        self.send_response(200)
        if "gzip" in self.headers.get("Accept-Encoding", ""):
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_fetch_asks_for_the_files_own_bytes(tmp_path):
    root = tmp_path / "served"
    root.mkdir()
    (root / "x.gz").write_bytes(gzip.compress(b"payload" * 100))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                            functools.partial(_GzipAsEncoding, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        fetch(f"http://127.0.0.1:{httpd.server_address[1]}/x.gz", tmp_path / "x.gz", spec_of(root / "x.gz"))
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert (tmp_path / "x.gz").read_bytes() == (root / "x.gz").read_bytes()


def test_load_mnist_downloads_verified_files(server, tmp_path, monkeypatch, checksums):
    root, url = server
    arrays = fake_mnist()
    for name, path in write_fake_mnist(root, arrays).items():
        checksums[f"mnist/{name}"] = spec_of(path)
    monkeypatch.setenv("LUTLEARN_MNIST_URL", url)
    home = tmp_path / "home"
    Xtr, ytr, Xte, yte = load_mnist(home)
    np.testing.assert_array_equal(Xtr, arrays[0].reshape(-1, 784))
    np.testing.assert_array_equal(yte, arrays[3])
    assert sorted(p.name for p in (home / "mnist").iterdir()) == sorted(_loaders.MNIST_FILES.values())
    # a second load reads the files in place: the server is no longer needed
    monkeypatch.setenv("LUTLEARN_MNIST_URL", "http://127.0.0.1:9/")
    np.testing.assert_array_equal(load_mnist(home)[1], arrays[1])


def test_load_mnist_falls_back_to_the_next_mirror(server, tmp_path, monkeypatch, checksums):
    root, url = server
    arrays = fake_mnist()
    for name, path in write_fake_mnist(root, arrays).items():
        checksums[f"mnist/{name}"] = spec_of(path)
    (root / "broken").mkdir()
    (root / "broken" / "train-labels-idx1-ubyte.gz").write_bytes(b"not the file")  # a mirror serving a bad copy
    monkeypatch.delenv("LUTLEARN_MNIST_URL", raising=False)
    monkeypatch.setitem(_loaders.URLS, "mnist", ["http://127.0.0.1:9/", url + "broken", url])
    assert _loaders.base_urls("mnist") == ["http://127.0.0.1:9/", url + "broken/", url]
    home = tmp_path / "home"
    np.testing.assert_array_equal(load_mnist(home)[1], arrays[1])
    assert _leftovers(home) == []
    monkeypatch.setenv("LUTLEARN_MNIST_URL", "http://127.0.0.1:9")  # the variable replaces the list
    assert _loaders.base_urls("mnist") == ["http://127.0.0.1:9/"]


def test_load_mnist_rejects_a_corrupted_download(server, tmp_path, monkeypatch, checksums):
    root, url = server
    for name, path in write_fake_mnist(root, fake_mnist()).items():
        checksums[f"mnist/{name}"] = spec_of(path)
    data = bytearray((root / "t10k-labels-idx1-ubyte.gz").read_bytes())
    data[20] ^= 1
    (root / "t10k-labels-idx1-ubyte.gz").write_bytes(bytes(data))
    monkeypatch.setenv("LUTLEARN_MNIST_URL", url)
    home = tmp_path / "home"
    with pytest.raises(FileNotFoundError, match="t10k-labels-idx1-ubyte.gz is corrupted.*SHA-256"):
        load_mnist(home)
    assert not (home / "mnist" / "t10k-labels-idx1-ubyte.gz").exists()
    assert _leftovers(home) == []


def test_offline_error_says_which_files_to_put_where(tmp_path, monkeypatch):
    monkeypatch.setenv("LUTLEARN_MNIST_URL", "http://127.0.0.1:9/")  # discard port: connection refused
    home = tmp_path / "home"
    with pytest.raises(FileNotFoundError) as err:
        load_mnist(home)
    message = str(err.value)
    assert "cannot download http://127.0.0.1:9/train-images-idx3-ubyte.gz" in message
    for name in _loaders.MNIST_FILES.values():
        assert name in message
    assert f"in {home / 'mnist'}" in message and "yann.lecun.com" in message
    with pytest.raises(FileNotFoundError, match=r"MNIST files missing\. Put train-images-idx3-ubyte.gz"):
        load_mnist(home, download=False)
    monkeypatch.setenv("LUTLEARN_CIFAR10_URL", "http://127.0.0.1:9/")
    with pytest.raises(FileNotFoundError, match=r"cifar-10-binary.tar.gz.*Put data_batch_1.bin, .*test_batch.bin"):
        load_cifar10(home)
    with pytest.raises(FileNotFoundError, match=r"or put cifar-10-python.tar.gz there"):
        load_cifar10(home, download=False, format="python")


@pytest.mark.parametrize("fmt", ["binary", "python"])
def test_load_cifar10_downloads_and_unpacks_the_tarball(server, tmp_path, monkeypatch, checksums, fmt):
    root, url = server
    batches = fake_cifar10_batches(n=20, seed=3)
    tar_name = f"cifar-10-{fmt}.tar.gz"
    checksums[f"cifar10/{tar_name}"] = FileSpec(md5=spec_of(cifar10_tarball(root / tar_name, batches, fmt)).md5)
    monkeypatch.setenv("LUTLEARN_CIFAR10_URL", url)
    home = tmp_path / "home"
    Xtr, ytr, Xte, yte = load_cifar10(home, format=fmt)
    assert Xtr.shape == (100, 3072) and Xte.shape == (20, 3072)
    np.testing.assert_array_equal(Xtr, np.concatenate([X for X, _ in batches[:5]]))
    np.testing.assert_array_equal(ytr, np.concatenate([y for _, y in batches[:5]]))
    np.testing.assert_array_equal(yte, batches[5][1])
    names = BIN_NAMES if fmt == "binary" else PY_NAMES
    assert all((home / "cifar10" / n).is_file() for n in names)
    assert not (home / "cifar10" / tar_name).exists()  # the downloaded tarball is removed once unpacked
    assert _leftovers(home) == []
    # "auto" finds the format now in place
    np.testing.assert_array_equal(load_cifar10(home, download=False)[3], batches[5][1])


def test_load_cifar10_unpacks_a_tarball_put_in_place_and_checks_batches(tmp_path, checksums):
    batches = fake_cifar10_batches(n=10, seed=4)
    folder = tmp_path / "cifar10"
    folder.mkdir()
    tarball = cifar10_tarball(folder / "cifar-10-binary.tar.gz", batches, "binary")
    checksums["cifar10/cifar-10-binary.tar.gz"] = spec_of(tarball)
    checksums["cifar10/data_batch_2.bin"] = FileSpec(size=10 * 3073, sha256="0" * 64)  # pretend canonical
    with pytest.raises(DataFileError, match=r"data_batch_2.bin: SHA-256 .* does not match"):
        load_cifar10(tmp_path, download=False)
    assert not (folder / "data_batch_2.bin").exists() and (folder / "data_batch_1.bin").exists()
    del checksums["cifar10/data_batch_2.bin"]
    Xtr, _, _, _ = load_cifar10(tmp_path, download=False)
    np.testing.assert_array_equal(Xtr[10:20], batches[1][0])
    assert tarball.exists()  # a tarball the user put there is kept


def test_load_cifar10_rejects_a_tarball_with_the_wrong_md5(tmp_path, checksums):
    folder = tmp_path / "cifar10"
    folder.mkdir()
    cifar10_tarball(folder / "cifar-10-binary.tar.gz", fake_cifar10_batches(n=5), "binary")
    checksums["cifar10/cifar-10-binary.tar.gz"] = FileSpec(md5="c32a1d4ab5d03f1284b67883e8d87530")
    with pytest.raises(DataFileError, match="cifar-10-binary.tar.gz: MD5 .* does not match"):
        load_cifar10(tmp_path, download=False)


def test_load_cifar10_format_argument_is_checked(tmp_path):
    with pytest.raises(ValueError, match="format must be 'auto', 'binary' or 'python', got 'matlab'"):
        load_cifar10(tmp_path, format="matlab")


@pytest.mark.skipif(os.name != "posix", reason="file modes, FIFOs and devices")
def test_a_killed_download_leaves_no_part_file_once_downloaded_again_and_the_mode_honours_the_umask(
        server, tmp_path, monkeypatch, checksums):
    root, url = server
    for name, path in write_fake_mnist(root, fake_mnist()).items():
        checksums[f"mnist/{name}"] = spec_of(path)
    monkeypatch.setenv("LUTLEARN_MNIST_URL", url)
    home = tmp_path / "home"
    part = home / "mnist" / ".train-images-idx3-ubyte.gz.0123abcd.part"  # what a SIGKILLed download leaves
    part.parent.mkdir(parents=True)
    part.write_bytes(b"half a download")
    os.utime(part, (1e9, 1e9))
    old = os.umask(0o027)
    try:
        load_mnist(home)
    finally:
        os.umask(old)
    assert _leftovers(home) == []
    for path in (home / "mnist").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o640, path


@pytest.mark.skipif(os.name != "posix", reason="FIFOs, devices and symbolic links")
@pytest.mark.parametrize("kind", ["directory", "fifo", "device", "loop"])
def test_a_data_file_that_is_not_a_file_is_reported_as_what_it_is(tmp_path, kind):
    target = tmp_path / "home" / "mnist" / "train-images-idx3-ubyte.gz"
    target.parent.mkdir(parents=True)
    {"directory": target.mkdir, "fifo": lambda: os.mkfifo(target),
     "device": lambda: target.symlink_to("/dev/zero"), "loop": lambda: target.symlink_to(target)}[kind]()
    what = {"directory": "a directory", "fifo": r"a named pipe \(FIFO\)", "device": "a character device",
            "loop": "a symbolic link loop"}[kind]
    with pytest.raises(DataFileError, match=f"^{target}: is {what}"):
        load_mnist(tmp_path / "home")
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(DataFileError, match="file: is not a folder"):
        load_cifar10(tmp_path / "file")
