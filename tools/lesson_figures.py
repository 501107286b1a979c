"""Draw every static figure a lesson shows, by running the lesson's own code cells.

Theory of operation
-------------------
A lesson source (``tools/lessons/NN-*.py``, percent format) is split into cells with
``build_notebooks.parse_source``; its code cells run in order in one namespace, on the Agg
backend, exactly as the notebook runs them, up to the last cell that draws a figure.  Every
pyplot figure a cell leaves open is collected with the cell's number and source, so the
figures are the lesson's figures: the same calls on the same runs.  Nothing is mocked.

``tests/test_viz_figures.py`` checks each figure's text (no overlaps, no line through a label,
size, contrast).  From the command line the figures are written as PNGs the way the notebook's
inline backend shows them (figure dpi, ``bbox_inches="tight"``), to look at:

    python tools/lesson_figures.py [NN ...] [--out DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from build_notebooks import SOURCES, parse_source  # noqa: E402

#: A code cell that draws a static figure for the lesson's text.
FIGURE_CALL = re.compile(r"\b(sequence_chart|draw_message_graph|history_chart|plot_\w+)\(")


@dataclass(frozen=True)
class LessonFigure:
    """A figure the lesson shows: lesson stem, code cell number (from 1) and that cell."""

    lesson: str
    cell: int
    source: str
    figure: Any

    @property
    def name(self) -> str:
        return f"{self.lesson}-cell{self.cell:02d}"


def lesson_sources(prefixes: list[str] | None = None) -> list[Path]:
    """Every lesson source, or those whose name starts with one of ``prefixes``."""
    found = sorted(SOURCES.glob("[0-9][0-9]-*.py"))
    if prefixes:
        found = [p for p in found if any(p.name.startswith(x) for x in prefixes)]
    return found


def figure_cells(source: Path) -> list[int]:
    """The numbers (from 1) of the code cells of ``source`` that call a drawing function."""
    cells = [c for c in parse_source(source.read_text(encoding="utf-8")) if c["type"] == "code"]
    return [i + 1 for i, c in enumerate(cells) if FIGURE_CALL.search(str(c["source"]))]


def lesson_figures(source: Path) -> list[LessonFigure]:
    """Run ``source``'s code cells up to its last figure cell; return the figures drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cells = [c for c in parse_source(source.read_text(encoding="utf-8")) if c["type"] == "code"]
    drawing = [i for i, c in enumerate(cells) if FIGURE_CALL.search(str(c["source"]))]
    if not drawing:
        return []
    plt.close("all")
    namespace: dict[str, Any] = {"__name__": f"lesson_{source.stem.replace('-', '_')}"}
    figures: list[LessonFigure] = []
    for i, cell in enumerate(cells[: drawing[-1] + 1]):
        code = str(cell["source"])
        before = set(plt.get_fignums())
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            exec(compile(code, f"{source.name}[cell {i + 1}]", "exec"), namespace)
        for num in plt.get_fignums():
            if num not in before:
                figures.append(LessonFigure(source.stem, i + 1, code, plt.figure(num)))
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("lessons", nargs="*", help="lesson numbers (default: all)")
    parser.add_argument("--out", default="figures", help="directory for the PNGs")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    import matplotlib.pyplot as plt

    for source in lesson_sources(args.lessons):
        for f in lesson_figures(source):
            path = out / f"{f.name}.png"
            f.figure.savefig(path, bbox_inches="tight")
            w, h = f.figure.get_size_inches()
            print(f"{path}  ({w:.2f} x {h:.2f} in)")
        plt.close("all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
