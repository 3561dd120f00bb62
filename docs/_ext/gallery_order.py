"""The order of the gallery's examples: from the first fit to the whole paper."""

from __future__ import annotations

ORDER = (
    "plot_quickstart.py",
    "plot_worked_example.py",
    "plot_multiclass_encoders.py",
    "plot_export_circuit.py",
    "plot_reproduce_quick.py",
)


class ExampleOrder:
    """A sphinx-gallery ``within_subsection_order`` key: the position in :data:`ORDER`, then the name."""

    def __init__(self, src_dir: str) -> None:
        self.src_dir = src_dir

    def __call__(self, filename: str) -> tuple[int, str]:
        return (ORDER.index(filename) if filename in ORDER else len(ORDER), filename)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"
