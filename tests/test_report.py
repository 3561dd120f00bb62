"""Tests of the report: Markdown tables beside the paper's numbers, cells off target, PNG figures."""

from __future__ import annotations

import sys

import pytest

from lutlearn.experiments.cells import make_cell, value_cell
from lutlearn.experiments.report import (
    PNG_DPI,
    _series_styles,
    format_compact,
    format_diff,
    format_paper,
    format_value,
    off_target,
    plot_figure,
    section_markdown,
    table_markdown,
    write_report,
)

PNG = b"\x89PNG\r\n\x1a\n"


def _cell(values, paper=None, tol=0.02):
    return make_cell([{"status": "ok", "test_accuracy": v} for v in values], "test_accuracy", paper, tol)


def test_cell_text_shows_ours_paper_and_difference():
    one, two = _cell([0.897], 0.90), _cell([0.80, 0.84], 0.87)
    assert format_value(one) == "0.897"
    assert format_value(two) == "0.820 ± 0.020"
    assert format_diff(one) == "-0.003" and format_diff(two) == "-0.050 !"
    assert format_compact(one) == "0.897 (0.90, -0.003)"
    assert (
        format_paper(0.0034) == "0.0034" and format_paper(784) == "784" and format_paper(1) == "1"
        and format_paper(1.0) == "1.00"
    )


def test_cells_without_results_show_their_status():
    nodata = make_cell([{"status": "no data", "error": "MNIST files missing"}], "test_accuracy", 0.9, 0.02)
    assert format_value(nodata) == "no data"
    assert format_compact(nodata) == "no data (paper 0.90)"
    assert format_value(make_cell([{"status": "failed", "error": "E"}], "x")) == "failed"
    notrun = make_cell([], "x")
    notrun["error"] = "a --slow member"
    assert format_value(notrun) == "not run (a --slow member)"


def test_table_expands_compared_columns_and_lists_off_target_cells():
    table = {"title": "T", "columns": ["Method", "Test", "Seconds"],
             "rows": [["lut", _cell([0.897], 0.90), make_cell([{"status": "ok", "x": 2.5}], "x")],
                      ["nn", _cell([0.93], 0.97), make_cell([], "x")]]}
    md = table_markdown(table).splitlines()
    assert md[0] == "| Method | Test | paper | diff | Seconds |"
    assert md[2] == "| lut | 0.897 | 0.90 | -0.003 | 2.500 |"
    assert md[3] == "| nn | 0.930 | 0.97 | -0.040 ! | not run |"
    off = off_target({"tables": [table]})
    assert len(off) == 1 and off[0].startswith("T: row nn, column Test: ours 0.930, paper 0.97")
    text = section_markdown({"title": "X", "tables": [table], "notes": ["a note"], "figures": []})
    assert "**Cells off target**" in text and "- a note" in text and "1 not run" in text


def test_compact_table_puts_everything_in_one_cell():
    table = {"title": "M", "columns": ["", "a", "b"], "compact": True,
             "rows": [["a", "—", _cell([0.8], 0.77, 0.03)], ["b", value_cell(0.95, 0.96, 0.03), "—"]]}
    md = table_markdown(table).splitlines()
    assert md[0] == "|  | a | b |"
    assert md[2] == "| a | — | 0.800 (0.77, +0.030) |"
    assert md[3] == "| b | 0.950 (0.96, -0.010) | — |"


def test_pipes_in_text_do_not_break_the_table():
    md = table_markdown({"title": "P", "columns": ["a"], "rows": [["x|y"]]})
    assert md.splitlines()[2] == "| x\\|y |"


@pytest.mark.parametrize("fig", [
    {"kind": "line", "series": {"ours": [(2, 0.6, 0.01), (4, 0.8, 0.0), (6, None, None)],
                                "paper: ours": [(2, 0.66, 0.0)]}},
    {"kind": "box", "series": {"2": [0.01, 0.05, 0.02], "4": [0.03, 0.04], "6": []}},
    {"kind": "box", "series": {"2": []}},
])
def test_figures_are_png_files(tmp_path, fig):
    fig = dict(fig, file="f.png", title="t", xlabel="x", ylabel="y")
    path = plot_figure(fig, tmp_path / "sub" / "f.png")
    assert path.read_bytes()[:8] == PNG and path.stat().st_size > 2000
    pdf, svg = path.with_suffix(".pdf"), path.with_suffix(".svg")
    assert pdf.read_bytes()[:5] == b"%PDF-" and b"<svg" in svg.read_bytes()[:2000]
    assert sorted((tmp_path / "sub").iterdir()) == sorted([path, pdf, svg])  # no temporary file left behind


def test_unknown_figure_kind_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="unknown figure kind"):
        plot_figure({"kind": "pie", "series": {}, "title": "", "xlabel": "", "ylabel": ""}, tmp_path / "x.png")


def test_write_report_writes_markdown_and_figures(tmp_path):
    section = {"title": "S", "tables": [], "notes": [], "figures": [
        {"file": "g.png", "kind": "box", "series": {"1": [0.1, 0.2]}, "title": "g", "xlabel": "", "ylabel": ""}]}
    path = write_report([section], tmp_path, "report", header="# H")
    text = path.read_text()
    assert text.startswith("# H\n\n## S") and "![g](figures/g.png)" in text
    assert (tmp_path / "figures" / "g.png").read_bytes()[:8] == PNG


def test_png_is_high_resolution(tmp_path):
    import struct

    fig = {"kind": "line", "series": {"a": [(1, 0.5, 0.0), (2, 0.6, 0.0)]}, "title": "t", "xlabel": "x", "ylabel": "y"}
    data = plot_figure(fig, tmp_path / "f.png").read_bytes()
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert width >= 8.6 * PNG_DPI * 0.9 and height >= 4.2 * PNG_DPI * 0.9 and PNG_DPI >= 300


def test_series_survive_greyscale_and_pair_real_with_random():
    names = ["n=100, real labels", "n=100, random labels", "n=all, real labels", "n=all, random labels",
             "test", "paper: test", "training"]
    st = _series_styles(names)
    assert st["n=100, real labels"]["marker"] == st["n=100, random labels"]["marker"]
    assert st["n=100, real labels"]["color"] == st["n=100, random labels"]["color"]
    assert st["n=100, real labels"]["linestyle"] == "-" and st["n=100, random labels"]["linestyle"] == "--"
    assert st["n=100, random labels"]["markerfacecolor"] == "white"
    assert st["paper: test"]["marker"] == st["test"]["marker"] and st["paper: test"]["color"] == st["test"]["color"]
    own = [n for n in names if "random" not in n and not n.startswith("paper")]
    assert len({(st[n]["marker"], str(st[n]["linestyle"])) for n in own}) == len(own)  # not by colour alone


def test_report_is_written_without_matplotlib(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    section = {"title": "S", "tables": [{"title": "T", "columns": ["a"], "rows": [["1"]]}], "notes": ["n"],
               "figures": [{"file": "g.png", "kind": "box", "series": {"1": [0.1]}, "title": "Gap against k",
                            "xlabel": "", "ylabel": ""}]}
    path = write_report([section], tmp_path, "report", header="# H")
    text = path.read_text()
    assert "Figures skipped: figures need matplotlib: pip install 'lutlearn[plot]'" in text
    assert "*Gap against k*: figure not drawn" in text and "| 1 |" in text and "- n" in text
    assert "![" not in text and not (tmp_path / "figures").exists()


def test_cells_empty_by_design_are_not_blamed_on_data_or_failures():
    na = {**_cell([]), "status": "n/a"}
    section = {"title": "S", "tables": [{"title": "T", "columns": ["x", "noisy part"], "rows": [["0", na]]}]}
    text = section_markdown(section)
    assert "1 n/a (`n/a`: empty by design" in text
    assert "data files are absent" not in text and "failed" not in text
    nodata = {**_cell([]), "status": "no data"}
    section["tables"][0]["rows"].append(["1", nodata])
    assert "`no data`: the data files are absent" in section_markdown(section)


def test_readable_titles_and_the_paper_point_on_the_depth_plot():
    from lutlearn.experiments import depth
    from lutlearn.experiments.tasks import readable_task

    assert readable_task("binary-mnist") == "Binary-MNIST"
    assert readable_task("pairwise-cifar10:3-5") == "Pairwise-CIFAR-10 3 v/s 5"
    assert readable_task("binary-digits,n=500") == "Binary-Digits (n=500)"
    fig = depth.summarize([], quick=False)["figures"][0]
    assert fig["title"].startswith("Binary-MNIST: ")
    assert fig["series"]["paper: test"] == [(5, 0.87, 0.0)] and fig["series"]["paper: training"] == [(5, 0.89, 0.0)]
    assert "paper: test" not in depth.summarize([], quick=True)["figures"][0]["series"]


def _write_reports(out: str, times: int) -> None:
    section = {"title": "T", "tables": [], "notes": ["n"],
               "figures": [{"file": "f.png", "kind": "line", "title": "t", "xlabel": "x", "ylabel": "y",
                            "series": {"a": [(1, 0.5, 0.0), (2, 0.6, 0.1)]}}]}
    for _ in range(times):
        write_report([section], out, "report", header="# h")


def test_concurrent_report_writers_do_not_collide(tmp_path):
    """Processes re-rendering the same report at once (``reproduce --report-only`` run in parallel) all succeed:
    every temporary file has its own name, and none is left behind."""
    import multiprocessing

    _write_reports(str(tmp_path / "warm"), 1)  # matplotlib imported once, before the fork
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_write_reports, args=(str(tmp_path), 4)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * 4
    written = sorted(p.name for p in tmp_path.rglob("*") if "warm" not in p.parts)
    assert written == ["f.pdf", "f.png", "f.svg", "figures", "report.md"]
    assert (tmp_path / "figures" / "f.png").read_bytes()[:8] == PNG
    assert (tmp_path / "report.md").read_text().startswith("# h")
