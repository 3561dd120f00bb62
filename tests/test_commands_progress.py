"""The progress bars of the long commands (``lutlearn.commands._progress``): phase names on standard error when
asked, nothing with ``--no-progress``, and the option on each long command."""

from __future__ import annotations

import pytest

from lutlearn.cli import build_parser
from lutlearn.commands._progress import phases


def test_phases_name_each_phase_and_count_them(capsys):
    with phases("hw-report lut6", ["Verilog", "Yosys synthesis"], True) as start:
        start("Verilog")
        start("Yosys synthesis")
    err = capsys.readouterr().err
    assert "hw-report lut6" in err and "Verilog" in err and "Yosys synthesis" in err and "[1/2]" in err


def test_no_bar_when_turned_off_or_not_on_a_terminal(capsys):
    for progress in (False, None):  # None: only on a terminal, and pytest's stderr is not one
        with phases("export", ["AIGER circuit"], progress) as start:
            start("AIGER circuit")
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("command", [
    ["fit-circuit", "--pla", "t.pla", "--valid", "v.pla", "--max-and-gates", "9", "-o", "c.aig"],
    ["hw-report", "m.npz", "--target", "lut6"],
    ["export", "m.npz", "-o", "m.aig", "--optimize"],
])
def test_the_long_commands_take_no_progress(command):
    parser = build_parser()
    assert parser.parse_args(command).no_progress is False
    assert parser.parse_args([*command, "--no-progress"]).no_progress is True
