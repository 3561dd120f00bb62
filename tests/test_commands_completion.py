"""``lutlearn completion``: scripts generated from the parser, checked by the shells themselves where installed."""

from __future__ import annotations

import argparse
import shutil
import subprocess

import pytest

from lutlearn.cli import COMMANDS, build_parser, main
from lutlearn.commands.completion import SHELLS


def _script(shell, capsys):
    assert main(["completion", shell]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


def _subparsers():
    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return sub.choices


@pytest.mark.parametrize("shell", SHELLS)
def test_the_script_names_every_command(shell, capsys):
    script = _script(shell, capsys)
    for name in COMMANDS:
        assert name in script, (shell, name)
    for option in ("--data-home", "--hidden-layers", "--format", "--wiring"):
        assert (option[2:] if shell == "tcsh" else option) in script, (shell, option)  # tcsh lists them bare
    checker = {"bash": ["bash", "-n"], "zsh": ["zsh", "-n"], "fish": ["fish", "--no-execute"]}.get(shell)
    if checker and shutil.which(checker[0]):
        result = subprocess.run([*checker, "/dev/stdin"], input=script, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr


def test_the_bash_script_has_every_option_of_every_command(capsys):
    script = _script("bash", capsys)
    for name, sub in _subparsers().items():
        line = next(s for s in script.splitlines()
                    if s.startswith(f"_shtab_lutlearn_{name.replace('-', '_')}_option_strings="))
        words = set(line.split("=(", 1)[1].rstrip(")").split())
        assert words == {o for a in sub._actions for o in a.option_strings}, name


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_commands_options_choices_and_file_names(capsys, tmp_path):
    (tmp_path / "script.bash").write_text(_script("bash", capsys))
    (tmp_path / "model.npz").write_bytes(b"")
    (tmp_path / "data").mkdir()
    cases = {
        "lutlearn ex": "export",
        "lutlearn comp": "completion",
        "lutlearn export --fo": "--format",
        "lutlearn export m.npz --format ''": "c verilog blif aiger",
        "lutlearn fit-circuit --wir": "--wiring --wiring-candidates",
        "lutlearn info mo": "model.npz",  # a model file
        "lutlearn tasks --data-home ''": "data",  # a folder, not the file beside it
        "lutlearn completion ''": " ".join(SHELLS),
    }
    program = ['source script.bash',
               'comp() { COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_LINE="$*"; '
               'COMP_POINT=${#COMP_LINE}; COMPREPLY=(); _shtab_lutlearn; echo "${COMPREPLY[*]}"; }']
    program += [f"comp {line}" for line in cases]
    result = subprocess.run(["bash", "-c", "\n".join(program)], cwd=tmp_path, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert dict(zip(cases, result.stdout.splitlines())) == cases


def test_an_unknown_shell_is_refused(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["completion", "cmd.exe"])
    assert exc.value.code == 2
    assert "invalid choice: 'cmd.exe'" in capsys.readouterr().err
