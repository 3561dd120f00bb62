"""The one atomic-write helper: content, no leftovers, the old file kept on failure, umask-honouring modes."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import numpy as np
import pytest

from lutlearn._files import atomic_writer, write_json


@pytest.fixture
def umask():
    """Set the process umask for the test (``umask(value)``) and restore it afterwards."""
    old = os.umask(0o022)
    os.umask(old)
    yield os.umask
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_binary_and_text_content_is_written(tmp_path):
    with atomic_writer(tmp_path / "a.bin") as fh:
        fh.write(b"\x00\x01bytes")
    with atomic_writer(tmp_path / "sub" / "b.txt", "w", encoding="utf-8") as fh:
        fh.write("text — é\n")
    assert (tmp_path / "a.bin").read_bytes() == b"\x00\x01bytes"
    assert (tmp_path / "sub" / "b.txt").read_text(encoding="utf-8") == "text — é\n"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.bin", "b.txt", "sub"]


def test_write_json_sorts_keys_converts_numpy_and_ends_with_a_newline(tmp_path):
    path = tmp_path / "runs" / "r.json"
    write_json(path, {"b": np.int64(3), "a": np.float32(0.5), "c": np.arange(2)})
    text = path.read_text()
    assert text == '{\n "a": 0.5,\n "b": 3,\n "c": [\n  0,\n  1\n ]\n}\n'
    assert json.loads(text) == {"a": 0.5, "b": 3, "c": [0, 1]}
    with pytest.raises(TypeError, match="not JSON serializable"):
        write_json(path, {"x": object()})
    assert json.loads(path.read_text())["b"] == 3 and os.listdir(path.parent) == ["r.json"]


@pytest.mark.parametrize("mode", ["wb", "w"])
def test_a_failed_write_leaves_no_temporary_file_and_no_target(tmp_path, mode):
    dest = tmp_path / "f"
    with pytest.raises(RuntimeError, match="interrupted"):
        with atomic_writer(dest, mode) as fh:
            fh.write(b"half" if mode == "wb" else "half")
            raise RuntimeError("interrupted")
    assert os.listdir(tmp_path) == []


def test_a_failed_write_keeps_the_old_file(tmp_path):
    dest = tmp_path / "model.npz"
    dest.write_bytes(b"old content")
    for exc in (ValueError("bad"), KeyboardInterrupt()):
        with pytest.raises(type(exc)):
            with atomic_writer(dest) as fh:
                fh.write(b"new, but not all of it")
                raise exc
        assert dest.read_bytes() == b"old content" and os.listdir(tmp_path) == ["model.npz"]
    with atomic_writer(dest) as fh:
        fh.write(b"new content")
    assert dest.read_bytes() == b"new content" and os.listdir(tmp_path) == ["model.npz"]


def test_a_path_for_an_external_program(tmp_path):
    dest = tmp_path / "c.aig"
    dest.write_bytes(b"old")
    code = "import sys; open(sys.argv[1], 'wb').write(b'from the tool')"
    with atomic_writer(dest, None, suffix=".aig") as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".aig" and tmp.exists() and dest.read_bytes() == b"old"
        subprocess.run([sys.executable, "-c", code, str(tmp)], check=True)
    assert dest.read_bytes() == b"from the tool" and os.listdir(tmp_path) == ["c.aig"]
    with pytest.raises(subprocess.CalledProcessError):
        with atomic_writer(dest, None) as tmp:
            subprocess.run([sys.executable, "-c", "raise SystemExit(1)"], check=True)
    assert dest.read_bytes() == b"from the tool" and os.listdir(tmp_path) == ["c.aig"]


def test_bad_modes_are_refused(tmp_path):
    with pytest.raises(ValueError, match="mode"):
        with atomic_writer(tmp_path / "f", "a"):
            pass
    with pytest.raises(ValueError, match="encoding"):
        with atomic_writer(tmp_path / "f", "wb", encoding="utf-8"):
            pass
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_file_mode_honours_the_umask(tmp_path, umask, mask):
    umask(mask)
    with atomic_writer(tmp_path / "a.bin") as fh:
        fh.write(b"x")
    write_json(tmp_path / "r.json", {})
    with atomic_writer(tmp_path / "c.aig", None):
        pass
    for name in ("a.bin", "r.json", "c.aig"):
        assert _mode(tmp_path / name) == 0o666 & ~mask, name
    # replacing a file gives the new file the umask's mode, not the old file's
    (tmp_path / "a.bin").chmod(0o600)
    with atomic_writer(tmp_path / "a.bin") as fh:
        fh.write(b"y")
    assert _mode(tmp_path / "a.bin") == 0o666 & ~mask


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_the_library_writers_honour_the_umask(tmp_path, umask):
    from lutlearn import LutNetworkClassifier
    from lutlearn.datasets.pla import write_pla
    from lutlearn.experiments.report import write_report
    from lutlearn.export import export_model

    umask(0o022)
    X = np.array([[0, 1], [1, 0], [1, 1], [0, 0]] * 4, np.uint8)
    model = LutNetworkClassifier(k=2, hidden_layers=(), random_state=0).fit(X, X[:, 0] ^ X[:, 1])
    model.save(tmp_path / "m.npz")
    export_model(model, tmp_path / "m.v")
    write_pla(tmp_path / "f.pla", X, X[:, 0])
    write_report([{"title": "t", "tables": [], "notes": [], "figures": []}], tmp_path, "r", figures=False)
    for name in ("m.npz", "m.v", "f.pla", "r.md"):
        assert _mode(tmp_path / name) == 0o644, name
    assert sorted(os.listdir(tmp_path)) == ["f.pla", "m.npz", "m.v", "r.md"]


_HOLD = """
import sys, time
from lutlearn._files import atomic_writer
with atomic_writer(sys.argv[1]) as fh:
    fh.write(b"half a model")
    fh.flush()
    print("writing", flush=True)
    time.sleep(60)
"""


def _writer_in_the_middle(target):
    """A process stopped inside :func:`atomic_writer` of ``target`` (its temporary file exists)."""
    proc = subprocess.Popen([sys.executable, "-c", _HOLD, str(target)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "writing\n"
    return proc


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL and advisory locks")
def test_temporaries_of_a_killed_writer_are_removed_by_the_next_write(tmp_path):
    target = tmp_path / "model.npz"
    killed = _writer_in_the_middle(target)
    killed.kill()
    killed.wait()
    stale = [p for p in tmp_path.iterdir()]
    assert len(stale) == 1 and stale[0].name.startswith(".model.npz.")
    live = _writer_in_the_middle(target)  # a concurrent writer, still running: it removed the killed one's file
    try:
        assert not stale[0].exists()
        (tmp_path / ".model.npz.notmine").write_bytes(b"x")  # not lutlearn's naming: kept
        with atomic_writer(target) as fh:
            fh.write(b"whole")
        names = sorted(p.name for p in tmp_path.iterdir())
        assert stale[0].name not in names
        assert len(names) == 3 and "model.npz" in names and ".model.npz.notmine" in names
    finally:
        live.kill()
        live.wait()
    assert target.read_bytes() == b"whole"


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL and advisory locks")
def test_a_writer_killed_a_moment_ago_leaves_nothing_after_the_next_write(tmp_path):
    """Killed mid-write and resumed at once (a record of a sweep): its young temporary file is removed too (it
    stayed forever when only files older than 10 s were)."""
    target = tmp_path / "record.json"
    killed = _writer_in_the_middle(target)
    killed.kill()
    killed.wait()
    assert len(list(tmp_path.iterdir())) == 1
    write_json(target, {"status": "ok"})
    assert [p.name for p in tmp_path.iterdir()] == ["record.json"]


def test_a_temporary_removed_before_its_writer_locked_it_is_made_again(tmp_path, monkeypatch):
    """The race a minimum age used to guard: a cleaner removes a writer's new file before its lock; the writer
    sees it gone and writes another, so the target is still written whole."""
    import lutlearn._files as files

    real, raced = files._lock, []

    def lock_after_a_cleaner(fd, wait=False):
        if wait and not raced:
            raced.append(1)
            for p in tmp_path.glob(".m.npz.*"):
                p.unlink()  # what remove_stale_temporaries of another writer does to an unlocked file
        return real(fd, wait)

    monkeypatch.setattr(files, "_lock", lock_after_a_cleaner)
    with atomic_writer(tmp_path / "m.npz") as fh:
        fh.write(b"whole")
    assert raced and (tmp_path / "m.npz").read_bytes() == b"whole"
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]


@pytest.mark.skipif(os.name != "posix", reason="FIFOs, devices and symbolic links")
def test_require_regular_file_says_what_a_path_is(tmp_path):
    from lutlearn._files import require_regular_file

    (tmp_path / "f").write_bytes(b"x")
    assert require_regular_file(tmp_path / "f") == tmp_path / "f"
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "dangling").symlink_to(tmp_path / "nothing")
    cases = {tmp_path: "a directory", tmp_path / "fifo": r"a named pipe \(FIFO\)",
             "/dev/zero": "a character device", tmp_path / "loop": "a symbolic link loop"}
    for path, kind in cases.items():
        with pytest.raises(ValueError, match=f"^{path}: is {kind}"):
            require_regular_file(path)
    with pytest.raises(FileNotFoundError, match="broken symbolic link"):
        require_regular_file(tmp_path / "dangling")
    with pytest.raises(FileNotFoundError):
        require_regular_file(tmp_path / "missing")


def test_a_killed_commands_staging_folder_goes_with_the_next_command(tmp_path):
    """SIGKILL inside ``staged_outputs`` leaves its hidden folder; the next staging of that output removes it,
    and a live one's folder is never touched."""
    import signal
    import subprocess
    import sys

    from lutlearn._files import remove_stale_stages, staged_outputs

    out = tmp_path / "circuit.aig"
    code = ("import os, signal, sys; from lutlearn._files import staged_outputs\n"
            "with staged_outputs(sys.argv[1]) as (s,):\n"
            "    open(s, 'w').write('half')\n"
            "    os.kill(os.getpid(), signal.SIGKILL)\n")
    p = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True)
    assert p.returncode == -signal.SIGKILL
    left = [n for n in os.listdir(tmp_path) if n.endswith(".stage")]
    assert len(left) == 1 and not out.exists()
    with staged_outputs(out) as (s,):
        assert [n for n in os.listdir(tmp_path) if n.endswith(".stage")] == [s.parent.name]  # the dead one gone
        assert remove_stale_stages(out) == []  # a live staging folder is locked: left alone
        s.write_text("whole")
    assert out.read_text() == "whole" and not [n for n in os.listdir(tmp_path) if n.endswith(".stage")]
