"""Colours, sizes and figure plumbing shared by every picture in ``paxos_lib.viz``.

Theory of operation
-------------------
Colours come from ``palette.py`` (Okabe-Ito hues, darkened where they are text to WCAG AA
contrast on white); a message type the palette does not know (a Multi-Paxos message, say)
gets the next spare colour, always the same one for the same name.

Two kinds of figure exist.  A picture drawn for a notebook cell with no ``ax=`` gets a pyplot
figure, so the notebook's inline backend shows it once even when the line ends with ``;``.
The stepper instead owns plain ``Figure`` objects on an Agg canvas, never registered with
pyplot, and turns them into PNG bytes for a ``widgets.Image`` (``png_bytes``): nothing leaks
into the cell's outputs and nothing has to be closed.
"""

from __future__ import annotations

import io

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from paxos_lib.viz.palette import (
    CRASHED_EDGE,
    CRASHED_FACE,
    KIND_COLOURS,
    OKABE_ITO,
    OTHER_FACE,
    ROLE_FACE,
    SIDE_COLOURS,
    SPARE_COLOURS,
)

__all__ = [
    "CRASHED_EDGE",
    "CRASHED_FACE",
    "KIND_COLOURS",
    "OKABE_ITO",
    "ROLE_COLUMN",
    "ROLE_FACE",
    "SIDE_COLOURS",
    "agg_figure",
    "kind_colour",
    "new_axes",
    "png_bytes",
    "set_margins",
]

ROLE_COLUMN = {"proposer": 0, "acceptor": 1, "learner": 2}

_extra: dict[str, str] = {}


def kind_colour(kind: str) -> str:
    """The colour of a message type (stable for names this table does not list)."""
    colour = KIND_COLOURS.get(kind) or _extra.get(kind)
    if colour is None:
        colour = SPARE_COLOURS[len(_extra) % len(SPARE_COLOURS)]
        _extra[kind] = colour
    return colour


def role_face(role: str) -> str:
    return ROLE_FACE.get(role, OTHER_FACE)


def agg_figure(width: float, height: float, dpi: int = 100) -> Figure:
    """A figure on its own Agg canvas, unknown to pyplot (nothing to close, nothing leaks)."""
    fig = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def set_margins(fig: Figure, left: float, right: float, top: float, bottom: float) -> None:
    """Place the figure's one Axes with margins given in inches."""
    w, h = fig.get_size_inches()
    fig.subplots_adjust(left=left / w, right=1 - right / w, top=1 - top / h, bottom=bottom / h)


def new_axes(
    ax: Axes | None,
    width: float,
    height: float,
    margins: tuple[float, float, float, float] = (0.1, 0.1, 0.1, 0.1),
) -> Axes:
    """``ax`` itself, or the axes of a new pyplot figure of the given size whose margins
    (left, right, top, bottom, in inches) are ``margins``."""
    if ax is not None:
        if not isinstance(ax, Axes):
            raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
        return ax
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(width, height))
    set_margins(fig, *margins)
    return fig.add_subplot()


def png_bytes(fig: Figure) -> bytes:
    """Draw ``fig`` on Agg and encode it as a PNG, quickly.

    The image is reduced to a palette of 64 colours first (the pictures use a dozen flat
    colours plus antialiasing shades), which makes the PNG a third of the size and faster to
    compress; zlib runs at its lowest effort.
    """
    from PIL import Image

    canvas = fig.canvas
    if not isinstance(canvas, FigureCanvasAgg):
        canvas = FigureCanvasAgg(fig)
    canvas.draw()
    buf = canvas.buffer_rgba()
    w, h = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (w, h), buf, "raw", "RGBA", 0, 1)
    out = io.BytesIO()
    small = image.quantize(64, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    small.save(out, format="PNG", compress_level=1)
    return out.getvalue()
