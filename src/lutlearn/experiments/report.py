"""Render experiment sections (from :mod:`lutlearn.experiments`) as Markdown tables and figures.

A section is plain data: ``title``, ``tables`` (``title``, ``columns``,
``rows`` of strings and cells, optional ``compact``), ``notes`` and
``figures`` (``file``, ``kind`` = ``line`` or ``box``, ``title``, axis labels,
``series``; or ``kind`` = ``images``, ``title``, ``shape``, ``rows``: a grid
of images). A cell (see :mod:`lutlearn.experiments.cells`) is shown as our
number, then the paper's and the difference; a cell without a result shows
its status (``no data``, ``failed``, ``not run``, or ``n/a`` for a cell empty
by design). This is the only module that imports matplotlib (the
``lutlearn[plot]`` extra); without it the Markdown report is still written,
each figure replaced by a note.

Figures are written for print: a PNG at :data:`PNG_DPI` dpi (the one the
Markdown shows) beside a PDF and an SVG of the same drawing; every line
series has its own marker and line style besides its colour (so greyscale
prints tell them apart), a series and its ``paper: ``/``expected: ``
reference share colour and marker (reference dashed, hollow), and a
``random labels`` series is drawn like its ``real labels`` twin, dashed and
hollow.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from lutlearn._files import atomic_writer
from lutlearn._text import one_line

__all__ = [
    "NO_RESULT", "format_compact", "format_diff", "format_paper", "format_value", "missing",
    "off_target", "plot_figure", "section_markdown", "table_markdown", "write_report",
]

NO_RESULT = {"no data": "no data", "failed": "failed", "not run": "not run", "n/a": "n/a"}

#: What each status of a cell without a result means, for the report's footnote.
STATUS_MEANING = {
    "no data": "the data files are absent",
    "failed": "the run failed; its JSON record holds the error",
    "not run": "not part of this sweep (or not run yet)",
    "n/a": "empty by design: the runs succeeded but the measurement does not apply to them "
           "(e.g. the noisy part of a training set without noise)",
}

#: Resolution of the PNG figures; a PDF and an SVG are written beside each.
PNG_DPI = 300

#: Line series styles, in order: (marker, line style); colours cycle separately.
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
_LINESTYLES = ("-", "-.", ":", (0, (5, 1, 1, 1, 1, 1)))


def _num(x: float | None, digits: int = 3) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def _is_cell(x) -> bool:
    return isinstance(x, dict) and "status" in x


def format_value(cell: dict) -> str:
    """Our number (with ``± std`` over several seeds), or the cell's status when there is no result."""
    if cell["status"] != "ok":
        why = cell.get("error")
        short = f" ({why})" if why and cell["status"] == "not run" else ""
        return NO_RESULT.get(cell["status"], cell["status"]) + short
    mean = cell["mean"]
    text = str(int(round(mean))) if cell.get("integer") else _num(mean, cell.get("digits", 3))
    if cell.get("n", 1) > 1 and cell.get("std") is not None:
        text += f" ± {cell['std']:.{cell.get('digits', 3)}f}"
    return text


def format_paper(p: float | None) -> str:
    """The paper's number as printed there (two decimals, four for small standard deviations)."""
    if p is None:
        return "—"
    if isinstance(p, int):
        return str(p)
    return f"{p:.2f}" if round(p, 2) == p else f"{p:.4f}"


def format_diff(cell: dict) -> str:
    """``mean - paper`` with a sign, marked with ``!`` when beyond the tolerance."""
    if cell.get("diff") is None or cell.get("integer"):
        return ""
    return f"{cell['diff']:+.3f}" + (" !" if cell.get("off") else "")


def format_compact(cell: dict) -> str:
    """One-column form: ``ours (paper, diff)``."""
    text = format_value(cell)
    if cell.get("paper") is not None and cell["status"] == "ok":
        text += f" ({format_paper(cell['paper'])}, {format_diff(cell)})"
    elif cell.get("paper") is not None:
        text += f" (paper {format_paper(cell['paper'])})"
    return text


def _md_row(values) -> str:
    return "| " + " | ".join(one_line(str(v).replace("\n", " ")).replace("|", "\\|") for v in values) + " |"


def table_markdown(table: dict) -> str:
    """A table as Markdown; cell columns expand to ``ours | paper | diff`` unless the table is compact."""
    rows, columns = table["rows"], table["columns"]
    expand = [not table.get("compact") and any(_is_cell(r[i]) and r[i].get("paper") is not None for r in rows)
              for i in range(len(columns))]
    header = []
    for name, ex in zip(columns, expand):
        header += [name, "paper", "diff"] if ex else [name]
    lines = [_md_row(header), _md_row(["---"] * len(header))]
    for row in rows:
        out = []
        for value, ex in zip(row, expand):
            if _is_cell(value):
                if table.get("compact"):
                    out.append(format_compact(value))
                elif ex:
                    out += [format_value(value), format_paper(value.get("paper")), format_diff(value)]
                else:
                    out.append(format_value(value))
            else:
                out += [value, "", ""] if ex else [value]
        lines.append(_md_row(out))
    return "\n".join(lines)


def off_target(section: dict) -> list[str]:
    """Plain sentences naming every cell that differs from the paper by more than its tolerance."""
    found = []
    for table in section.get("tables", []):
        cols = table["columns"]
        for row in table["rows"]:
            for i, value in enumerate(row):
                if _is_cell(value) and value.get("off"):
                    found.append(
                        f"{table['title']}: row {row[0]!s}, column {cols[i]!s}: ours {value['mean']:.3f}, "
                        f"paper {format_paper(value['paper'])}, difference {value['diff']:+.3f} "
                        f"(tolerance {value['tol']:.2f})"
                    )
    return found


def missing(section: dict) -> dict[str, int]:
    """How many cells have no result, by status."""
    counts: dict[str, int] = {}
    for table in section.get("tables", []):
        for row in table["rows"]:
            for value in row:
                if _is_cell(value) and value["status"] != "ok":
                    counts[value["status"]] = counts.get(value["status"], 0) + 1
    return counts


def section_markdown(section: dict, figures_dir: str | None = None, level: int = 2) -> str:
    """A whole section: title, tables, figure links, notes, and the list of cells off target."""
    h = "#" * level
    parts = [f"{h} {section['title']}"]
    for table in section.get("tables", []):
        parts.append(f"**{table['title']}**\n\n" + table_markdown(table))
    for fig in section.get("figures", []):
        path = fig["file"] if figures_dir is None else f"{figures_dir}/{fig['file']}"
        parts.append(f"![{fig['title']}]({path})")
    for note in section.get("notes", []):
        parts.append(f"- {note}")
    off = off_target(section)
    if off:
        parts.append(
            "**Cells off target** (|ours - paper| above the tolerance):\n\n" + "\n".join(f"- {o}" for o in off)
        )
    else:
        parts.append("**Cells off target:** none among the cells with a result.")
    miss = missing(section)
    if miss:
        meaning = "; ".join(f"`{s}`: {STATUS_MEANING.get(s, s)}" for s in sorted(miss))
        parts.append("**Cells without a result:** " + ", ".join(f"{n} {s}" for s, n in sorted(miss.items())) +
                     f" ({meaning}).")
    return "\n\n".join(parts) + "\n"


def _series_styles(names) -> dict[str, dict]:
    """Colour, marker, line style and fill of every line series (see the module docstring)."""
    styles, bases = {}, {}
    for name in names:
        base = name.removeprefix("paper: ").removeprefix("expected: ")
        reference = base != name
        twin = base.replace("random labels", "real labels")
        random = twin != base
        i = bases.setdefault(twin, len(bases))
        style = dict(color=f"C{i % 10}", marker=_MARKERS[i % len(_MARKERS)],
                     linestyle=_LINESTYLES[(i // len(_MARKERS)) % len(_LINESTYLES)])
        if reference or random:
            style.update(linestyle="--" if not reference else (0, (2, 2)), markerfacecolor="white")
        if reference:
            style.update(alpha=0.75, markersize=7)
        styles[name] = style
    return styles


def _pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError("figures need matplotlib: pip install 'lutlearn[plot]'") from exc
    return plt


def plot_figure(fig: dict, path: str | os.PathLike) -> Path:
    """Draw one figure spec (``line``: accuracy curves with std bars; ``box``: box plots) to ``path``.

    ``path`` is the PNG (:data:`PNG_DPI` dpi); the same drawing is written
    beside it as ``.pdf`` and ``.svg``.
    """
    plt = _pyplot()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fig["kind"] == "images":
        return _plot_images(fig, path, plt)
    line = fig["kind"] == "line"
    f, ax = plt.subplots(figsize=(8.6 if line else 6.4, 4.2), dpi=100)
    if line:
        styles = _series_styles(fig["series"])
        for name, points in fig["series"].items():
            pts = [(x, y, s) for x, y, s in points if y is not None]
            if not pts:
                continue
            xs, ys, ss = zip(*pts)
            ax.errorbar(xs, ys, yerr=ss, label=name, capsize=3, **styles[name])
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    elif fig["kind"] == "box":
        labels = list(fig["series"])
        data = [fig["series"][k] for k in labels]
        keep = [(lab, d) for lab, d in zip(labels, data) if d]
        if keep:
            ax.boxplot([d for _, d in keep], tick_labels=[lab for lab, _ in keep])
        else:
            ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
    else:
        raise ValueError(f"unknown figure kind {fig['kind']!r}")
    ax.set_title(fig["title"], fontsize=10)
    ax.set_xlabel(fig["xlabel"])
    ax.set_ylabel(fig["ylabel"])
    ax.grid(alpha=0.3)
    return _save(f, path, plt)


def _plot_images(fig: dict, path: Path, plt) -> Path:
    """A grid of grey images: ``rows`` is a list of ``(row label, [(pixels, caption), ...])``, ``shape`` (h, w)."""
    rows = fig["rows"]
    n_cols = max((len(items) for _, items in rows), default=1) or 1
    f, axes = plt.subplots(len(rows) or 1, n_cols, figsize=(1.1 * n_cols + 1.2, 1.3 * max(len(rows), 1) + 0.6),
                           dpi=100, squeeze=False)
    for r, (label, items) in enumerate(rows):
        for c in range(n_cols):
            ax = axes[r][c]
            ax.set_xticks([])
            ax.set_yticks([])
            if c < len(items):
                pixels, caption = items[c]
                ax.imshow(np.asarray(pixels, dtype=float).reshape(fig["shape"]), cmap="gray_r", vmin=0, vmax=1)
                ax.set_title(caption, fontsize=7)
            else:
                ax.axis("off")
        axes[r][0].set_ylabel(label, fontsize=8)
    f.suptitle(fig["title"], fontsize=10)
    return _save(f, path, plt)


def _save(f, path: Path, plt) -> Path:
    """Lay out and write figure ``f`` to ``path`` (PNG) and beside it as PDF and SVG, each atomically."""
    f.tight_layout()
    try:
        for fmt in ("png", "pdf", "svg"):
            with atomic_writer(path.with_suffix(f".{fmt}")) as fh:
                f.savefig(fh, format=fmt, dpi=PNG_DPI, metadata={"Date": None} if fmt != "png" else None)
    finally:
        plt.close(f)
    return path


def write_report(sections: list[dict], out: str | os.PathLike, name: str, header: str = "",
                 figures: bool = True) -> Path:
    """Write ``OUT/<name>.md`` from ``sections`` and their figures under ``OUT/figures/``; return the Markdown path.

    Without matplotlib the Markdown is written all the same, each figure
    replaced by a note saying how to draw it.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    skipped = None
    if figures and any(s.get("figures") for s in sections):
        try:
            _pyplot()
        except ImportError as exc:
            skipped = str(exc)
    if figures and skipped is None:
        for section in sections:
            for fig in section.get("figures", []):
                plot_figure(fig, out / "figures" / fig["file"])
    elif skipped is not None:
        note = (f"figure not drawn ({skipped}; then rerun with --report-only)")
        sections = [dict(s, figures=[], notes=[f"*{fig['title']}*: {note}" for fig in s.get("figures", [])]
                         + list(s.get("notes", []))) for s in sections]
        header = (header.rstrip() + "\n\n" if header else "") + f"Figures skipped: {skipped}."
    text = (header.rstrip() + "\n\n" if header else "") + "\n".join(
        section_markdown(s, figures_dir="figures" if figures else None) for s in sections)
    path = out / f"{name}.md"
    with atomic_writer(path, "w") as fh:
        fh.write(text)
    return path
