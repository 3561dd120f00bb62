"""The ``lutlearn`` command line, run in-process through ``main(argv)`` and once as a real console script."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lutlearn import load
from lutlearn.cli import COMMANDS, build_parser, main

SMALL = ["-k", "3", "--hidden-layers", "2x16", "--seed", "1"]


@pytest.fixture()
def data_files(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, size=(300, 12)).astype(np.uint8)
    y = (X[:, :3].sum(axis=1) >= 2).astype(int)
    table = np.c_[X, y]
    np.savetxt(tmp_path / "train.csv", table[:200], fmt="%d", delimiter=",",
               header=",".join([f"b{i}" for i in range(12)] + ["label"]), comments="")
    np.save(tmp_path / "test.npy", table[200:])
    np.savez(tmp_path / "test.npz", X=X[200:], y=y[200:])
    np.save(tmp_path / "inputs.npy", X[200:])
    return tmp_path, X, y


def test_help_for_every_command(capsys):
    for name in COMMANDS:
        with pytest.raises(SystemExit) as exc:
            main([name, "--help"])
        assert exc.value.code == 0
        assert name in capsys.readouterr().out
    assert main([]) == 2


def test_demo(capsys):
    assert main(["demo", *SMALL]) == 0
    out = capsys.readouterr().out
    assert "binary-digits" in out and "test accuracy" in out
    acc = float(out.split("test accuracy")[1].split()[0])
    assert 0.6 < acc <= 1.0
    assert "layer  count" in out and out.count("\n    ") >= 3


def test_train_evaluate_predict_info_round_trip(data_files, capsys):
    tmp, X, y = data_files
    model = tmp / "m.npz"
    assert main(
        ["train", str(tmp / "train.csv"), "--test", str(tmp / "test.npy"), "-o", str(model), "--report", *SMALL]
    ) == 0
    out = capsys.readouterr().out
    assert "training accuracy" in out and "test accuracy" in out and model.exists()
    clf = load(model)
    expected = float((clf.predict(X[200:]) == y[200:]).mean())

    assert main(["evaluate", str(model), str(tmp / "test.npz")]) == 0
    assert f"accuracy {expected:.4f} on 100 examples" in capsys.readouterr().out

    assert main(["predict", str(model), str(tmp / "inputs.npy")]) == 0
    printed = [int(v) for v in capsys.readouterr().out.split()]
    np.testing.assert_array_equal(printed, clf.predict(X[200:]))

    assert main(["predict", str(model), str(tmp / "test.npy"), "--label-column", "last", "-o", str(tmp / "p.npy")]) == 0
    np.testing.assert_array_equal(np.load(tmp / "p.npy"), clf.predict(X[200:]))

    assert main(["info", str(model)]) == 0
    out = capsys.readouterr().out
    assert "k=3" in out and "in the output's cone" in out and "layer  count" in out


def test_label_column_by_name(data_files, capsys):
    tmp, X, y = data_files
    assert main(["train", str(tmp / "train.csv"), "--label-column", "label", "-o", str(tmp / "m.npz"), *SMALL]) == 0
    assert load(tmp / "m.npz").n_features_in_ == 12


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "missing.csv", "-o", "m.npz"], "no such file: missing.csv"),
        (["train", "-o", "m.npz"], "no training data"),
        (["evaluate", "missing.npz", "x.csv"], "no such file"),
        (["demo", "--dataset", "nonsense"], "unknown task 'nonsense'"),
        (["demo", "-k", "99"], "k"),
    ],
)
def test_errors_are_one_line(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_bad_data_is_reported(data_files, capsys):
    tmp, X, y = data_files
    np.savetxt(tmp / "pixels.csv", np.c_[X * 200, y], fmt="%d", delimiter=",")
    assert main(["train", str(tmp / "pixels.csv"), "-o", str(tmp / "m.npz"), *SMALL]) == 1
    assert "only 0 and 1" in capsys.readouterr().err
    (tmp / "bad.npz").write_bytes(b"not a zip")
    assert main(["info", str(tmp / "bad.npz")]) == 1
    assert "not a valid lutlearn model" in capsys.readouterr().err


def test_bad_option_value_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["train", "--hidden-layers", "a,b", "-o", "m"])
    assert exc.value.code == 2


def test_console_script_and_module_entry_point():
    out = subprocess.run([sys.executable, "-m", "lutlearn", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("lutlearn ")


def test_info_shows_the_multiclass_defaults(tmp_path, capsys):
    from lutlearn import LutNetworkClassifier

    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, (300, 20), dtype=np.uint8)
    y = X[:, 0] + 2 * X[:, 1]  # 4 classes
    LutNetworkClassifier(hidden_layers=(32,), output_k=4, n_output_luts=16, random_state=0).fit(X, y).save(
        tmp_path / "m.npz")
    assert main(["info", str(tmp_path / "m.npz")]) == 0
    out = capsys.readouterr().out
    assert "k=6  output_k=4  hidden layers: [32]  output luts: 16 (voting)  seed:" in out
    assert "classes: [0, 1, 2, 3]" in out


def test_predict_and_evaluate_order_csv_columns_by_the_header(data_files, capsys):
    """The training CSV's header names the model's inputs: the same columns in another order give the same
    predictions, other columns are refused."""
    from lutlearn.commands._common import predict_unnamed

    tmp, X, y = data_files
    model = tmp / "m.npz"
    assert main(["train", str(tmp / "train.csv"), "-o", str(model), *SMALL]) == 0
    clf = load(model)
    assert list(clf.feature_names_in_) == [f"b{i}" for i in range(12)]
    order = np.random.default_rng(1).permutation(12)
    names = [f"b{i}" for i in order]
    np.savetxt(tmp / "shuffled.csv", np.c_[X[200:, order], y[200:]], fmt="%d", delimiter=",",
               header=",".join(names + ["label"]), comments="")
    capsys.readouterr()
    assert main(["predict", str(model), str(tmp / "shuffled.csv"), "--label-column", "label"]) == 0
    printed = [int(v) for v in capsys.readouterr().out.split()]
    assert printed == [int(v) for v in predict_unnamed(clf, X[200:])]
    assert main(["evaluate", str(model), str(tmp / "shuffled.csv")]) == 0
    expected = float((predict_unnamed(clf, X[200:]) == y[200:]).mean())
    assert f"accuracy {expected:.4f} on 100 examples" in capsys.readouterr().out
    np.savetxt(tmp / "other.csv", X[200:], fmt="%d", delimiter=",",
               header=",".join(f"c{i}" for i in range(12)), comments="")
    assert main(["predict", str(model), str(tmp / "other.csv")]) == 1
    err = capsys.readouterr().err
    assert "other.csv: its columns are not the model's inputs (missing: b0, b1" in err and err.count("\n") == 1


def test_evaluate_refuses_labels_the_model_does_not_know(tmp_path, capsys):
    """A model trained on text labels, data with integer labels: an error, not "accuracy 0.0000"."""
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, (200, 8), dtype=np.uint8)
    np.savez(tmp_path / "text.npz", X=X, y=np.where(X[:, 0] == 1, "yes", "no"))
    np.savez(tmp_path / "ints.npz", X=X, y=X[:, 0].astype(np.int64))
    assert main(["train", str(tmp_path / "text.npz"), "-o", str(tmp_path / "m.npz"), *SMALL]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(tmp_path / "m.npz"), str(tmp_path / "ints.npz")]) == 1
    err = capsys.readouterr().err
    assert "ints.npz: labels the model does not know: 0, 1 (its classes: 'no', 'yes')" in err
    assert main(["evaluate", str(tmp_path / "m.npz"), str(tmp_path / "text.npz")]) == 0


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc to see what the child has loaded")
@pytest.mark.parametrize("loaded", ["numpy", "sklearn", "numba"])
def test_ctrl_c_is_one_line_and_exit_130_even_during_the_imports(tmp_path, loaded):
    """SIGINT as soon as the command has loaded ``loaded``'s compiled modules: still importing, or just working."""
    import os
    import signal
    import time

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    p = subprocess.Popen([sys.executable, "-m", "lutlearn", "reproduce", "all", "--quick", "--no-progress",
                          "--out", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and p.poll() is None:  # the interpreter's own start-up is not lutlearn's
        if loaded in Path(f"/proc/{p.pid}/maps").read_text():
            break
        time.sleep(0.005)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    # 130, or ended by SIGINT itself, which a shell reports as $? = 130 too: under `python -m`, CPython sometimes
    # re-raises SIGINT at exit after a KeyboardInterrupt it saw inside an import, although main() caught it and
    # returned 130 (about 1 run in 10 with sklearn loading; the one-line message is the same)
    assert p.returncode in (130, -signal.SIGINT) and err == "lutlearn: interrupted\n", (p.returncode, err)


def test_outputs_are_checked_before_the_work(data_files, capsys, monkeypatch):
    """An output that is an input, a folder, or under a file: refused before training (nothing trained, nothing
    written); a missing folder is created."""
    tmp, X, y = data_files
    model = tmp / "m.npz"
    assert main(["train", str(tmp / "train.csv"), "-o", str(model), *SMALL]) == 0
    before = model.read_bytes()
    (tmp / "file.txt").write_text("x")
    fits = []
    monkeypatch.setattr("lutlearn.core.estimator.LutNetworkClassifier.fit", lambda *a, **k: fits.append(1))
    capsys.readouterr()
    for argv, message in [
        (["export", str(model), "-o", str(model), "--format", "c"], "is also an input of this command"),
        (["train", str(tmp / "test.npz"), "-o", str(tmp / "test.npz")], "is also an input of this command"),
        (["predict", str(model), str(tmp / "inputs.npy"), "-o", str(tmp / "inputs.npy")], "is also an input"),
        (["train", str(tmp / "train.csv"), "-o", str(tmp / "file.txt" / "m.npz")], "file.txt is not a folder"),
        (["train", str(tmp / "train.csv"), "-o", str(tmp)], "is a folder; give a file name"),
        (["reproduce", "table2", "--quick", "--out", str(tmp / "file.txt")], "file.txt is not a folder"),
    ]:
        assert main(argv) == 1, argv
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, (argv, err)
    assert fits == [] and model.read_bytes() == before and (tmp / "file.txt").read_text() == "x"
    monkeypatch.undo()
    assert main(["train", str(tmp / "train.csv"), "-o", str(tmp / "new" / "dir" / "m.npz"), *SMALL]) == 0
    assert load(tmp / "new" / "dir" / "m.npz").n_features_in_ == 12


def test_an_error_caused_by_ctrl_c_is_reported_as_an_interruption(monkeypatch, capsys):
    """A SIGINT inside a C extension's import comes out as an ImportError: still 'interrupted', exit 130."""
    import os
    import signal

    def interrupted_import(args):
        try:
            os.kill(os.getpid(), signal.SIGINT)  # the handler main installed raises KeyboardInterrupt here
        except KeyboardInterrupt as exc:
            raise ImportError("Importing the numpy C-extensions failed") from exc
        return 0

    monkeypatch.setattr("lutlearn.commands.tasks.run", interrupted_import)
    before = signal.getsignal(signal.SIGINT)
    assert main(["tasks"]) == 130
    assert capsys.readouterr().err == "lutlearn: interrupted\n"
    assert signal.getsignal(signal.SIGINT) is before  # main restores the handler it replaced


def test_a_ctrl_c_the_command_swallowed_is_still_an_interruption(monkeypatch, capsys):
    """A SIGINT that became an ImportError a library caught (an optional import falling back): the command goes on
    and finishes, and main still reports the interruption with exit 130 (it exited 0, silently, about one run in
    many of the Ctrl-C test under load)."""
    import os
    import signal

    def swallowed(args):
        try:
            try:
                os.kill(os.getpid(), signal.SIGINT)
            except KeyboardInterrupt as exc:
                raise ImportError("no module named 'tbbpool'") from exc
        except ImportError:  # the library's fallback
            pass
        print("done")
        return 0

    monkeypatch.setattr("lutlearn.commands.tasks.run", swallowed)
    assert main(["tasks"]) == 130
    out = capsys.readouterr()
    assert out.out == "done\n" and out.err == "lutlearn: interrupted\n"
    monkeypatch.setattr("lutlearn.commands.tasks.run", lambda args: 0)
    assert main(["tasks"]) == 0 and capsys.readouterr().err == ""  # no SIGINT, nothing said


def test_info_escapes_the_names_a_pipeline_file_holds(tmp_path, capsys):
    """A step name with escape sequences (clear the screen, forge a line) is printed escaped, on its line."""
    from sklearn.pipeline import Pipeline

    from lutlearn import LutNetworkClassifier, ThermometerEncoder

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] > 0).astype(int)
    evil = "enc\x1b[2J\x1b[H\rmodel: forged\n"
    pipe = Pipeline([(evil, ThermometerEncoder(n_bits=4)),
                     ("net", LutNetworkClassifier(k=2, hidden_layers=(8,), random_state=0))]).fit(X, y)
    from lutlearn import save

    save(pipe, tmp_path / "p.npz")
    assert main(["info", str(tmp_path / "p.npz")]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\r" not in out and "\nmodel: forged" not in out
    assert "  enc\\x1b[2J\\x1b[H\\x0dmodel: forged\\x0a: ThermometerEncoder(" in out


def test_a_closed_stdout_pipe_ends_quietly(tmp_path):
    """``lutlearn info m.npz | head -1``: no 'Broken pipe' error, the status of a process ended by SIGPIPE."""
    import os

    from lutlearn import LutNetworkClassifier

    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, (100, 8), dtype=np.uint8)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    for n_layers in (1, 300):  # output in one write at exit, or in several while the command runs
        path = tmp_path / f"m{n_layers}.npz"
        LutNetworkClassifier(k=2, hidden_layers=(4,) * n_layers, random_state=0).fit(X, X[:, 0]).save(path)
        read, write = os.pipe()
        os.close(read)  # the reader is gone before anything is written
        p = subprocess.run([sys.executable, "-m", "lutlearn", "info", str(path)], stdout=write,
                           stderr=subprocess.PIPE, text=True, env=env, timeout=120)
        os.close(write)
        assert p.stderr == "" and p.returncode == 141, (n_layers, p.returncode, p.stderr)
