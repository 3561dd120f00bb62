"""``lutlearn tasks``, and ``lutlearn train --task`` with task names and options, run in-process."""

from __future__ import annotations

import re

from lutlearn.cli import main
from lutlearn.datasets import TASKS, pairwise_task_names


def test_tasks_lists_every_task_and_missing_data(tmp_path, capsys):
    assert main(["tasks", "--data-home", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for name in TASKS:
        assert re.search(rf"^{re.escape(name)}\s", out, re.M), name
    assert re.search(r"^binary-digits\s+64\s+1347\s+450\s+bundled$", out, re.M)
    assert re.search(rf"^binary-mnist\s+784\s+60000\s+10000\s+missing: downloaded to {tmp_path / 'mnist'}", out, re.M)
    assert "inferred" in out  # the CIFAR-10 split is flagged as our inference


def test_tasks_sees_the_shared_data(shared_data, capsys):
    assert main(["tasks", "--data-home", str(shared_data)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^binary-mnist\s+784\s+60000\s+10000\s+present$", out, re.M)
    assert re.search(r"^pairwise-cifar10:I-J\s+3072\s+10000\s+2000\s+present$", out, re.M)


def test_tasks_pairs_lists_45(tmp_path, capsys):
    assert main(["tasks", "--pairs", "mnist", "--data-home", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[1:46]] == pairwise_task_names("mnist")
    assert re.match(r"pairwise-mnist:0-1\s+784\s+12665\s+2115\s", lines[1])


def test_train_accepts_task_options(tmp_path, capsys):
    model = tmp_path / "random.npz"
    assert main(["train", "--task", "binary-digits,randY=1,seed=2", "-k", "4", "--hidden-layers", "2x64",
                 "-o", str(model)]) == 0
    assert model.exists()
    out = capsys.readouterr().out
    assert "trained on 1347 examples x 64 bits" in out


def test_train_reports_a_bad_task_in_one_line(tmp_path, capsys):
    assert main(["train", "--task", "binary-mnist,randY=2", "-o", str(tmp_path / "m.npz")]) == 1
    err = capsys.readouterr().err.strip()
    assert err == "lutlearn train: error: random_labels must be a fraction in [0, 1], got 2.0"


def test_train_binary_mnist_matches_the_paper(mnist_home, tmp_path, capsys):
    """The paper's first experiment: 5 x 1024 luts, k = 8, about 0.89 train / 0.87 test."""
    assert main(["train", "--task", "binary-mnist", "--data-home", str(mnist_home), "-o", str(tmp_path / "m.npz")]) == 0
    out = capsys.readouterr().out
    train = float(re.search(r"training accuracy ([0-9.]+)", out).group(1))
    test = float(re.search(r"test accuracy ([0-9.]+) \(10000 examples\)", out).group(1))
    assert 0.87 <= train <= 0.91 and 0.86 <= test <= 0.89, out
