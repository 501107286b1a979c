"""A fast legend: a key per mark, line style or ring a picture uses, under its axes.

Theory of operation
-------------------
Matplotlib's ``Legend`` lays itself out again on every draw, text by text, which cost the
stepper about 60 ms a frame.  ``KeyLegend`` lays its keys out once, when the set of keys
changes: texts go into one ``PathTexts`` pool, each key's sample (a short line, a marker, a
filled or outlined box, or nothing for a note such as ``(timer): …``) is one small artist.
Positions are in inches from the axes' lower-left corner, so the legend sits under the
axes at the same size whatever the data limits; entries fill rows of ``columns`` keys.

``KeyLegend.strings`` lists the labels shown, which is what the tests read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.transforms import ScaledTranslation

from paxos_lib.viz.palette import TEXT
from paxos_lib.viz.textpaths import PathTexts, TextItem, text_width

__all__ = ["Key", "KeyLegend"]

_ROW_IN = 0.21
_SAMPLE_IN = 0.32
_GAP_IN = 0.08


@dataclass(frozen=True, slots=True)
class Key:
    """One legend entry: ``label`` and how its sample is drawn.

    ``line`` is a line style (``"-"``, a dash tuple, or None for no line); ``marker`` a
    matplotlib marker; ``face``/``edge`` draw a small box instead (``edge_style`` its
    outline's style).  A key with none of these is a note: text only.
    """

    label: str
    colour: str = TEXT
    line: Any = None
    width: float = 1.5
    marker: str | None = None
    marker_size: float = 6.0
    marker_colour: str | None = None
    face: str | None = None
    edge: str | None = None
    edge_style: Any = "solid"
    alpha: float = 1.0


class KeyLegend:
    """Keys under ``ax``, laid out again only when they change."""

    def __init__(self, ax: Axes, size: float = 9.0, top_in: float = 0.12) -> None:
        self.ax = ax
        self.size = size
        self.top_in = top_in
        self.where = ax.figure.dpi_scale_trans + ScaledTranslation(0, 0, ax.transAxes)
        self.texts = PathTexts(ax, zorder=8, clip=False, coords=self.where)
        self.samples: list[Any] = []
        self.keys: tuple[Key, ...] = ()

    @property
    def strings(self) -> list[str]:
        return [k.label for k in self.keys]

    def set(self, keys: list[Key] | tuple[Key, ...]) -> None:
        """Show exactly ``keys`` (nothing happens when they are the ones shown)."""
        keys = tuple(keys)
        if keys == self.keys:
            return
        self.keys = keys
        for artist in self.samples:
            artist.remove()
        self.samples = []
        ax = self.ax
        width_in = ax.get_position().width * ax.figure.get_size_inches()[0]
        widest = max((text_width(k.label, self.size) / 72 for k in keys), default=0.0)
        cell = _SAMPLE_IN + _GAP_IN + widest + 0.25
        columns = max(1, min(len(keys), int(width_in // cell)))
        items = []
        for i, key in enumerate(keys):
            row, col = divmod(i, columns)
            x = col * cell
            y = -self.top_in - _ROW_IN * (row + 0.5)
            items.append(TextItem(key.label, x + _SAMPLE_IN + _GAP_IN, y, TEXT, self.size))
            self.samples += self._sample(key, x, y)
        self.texts.set(items)

    def _sample(self, key: Key, x: float, y: float) -> list[Any]:
        ax = self.ax
        out: list[Any] = []
        if key.face is not None or key.edge is not None:
            box = Rectangle((x + 0.02, y - 0.06), _SAMPLE_IN - 0.04, 0.12,
                            facecolor=key.face or "none", edgecolor=key.edge or "none",
                            linestyle=key.edge_style, linewidth=2.0 if key.edge else 0,
                            alpha=key.alpha, transform=self.where, clip_on=False, zorder=8)
            out.append(ax.add_artist(box))
        if key.line is not None or key.marker is not None:
            line = Line2D([x, x + _SAMPLE_IN], [y, y], transform=self.where, clip_on=False,
                          color=key.colour, linewidth=key.width,
                          linestyle=key.line if key.line is not None else "none",
                          zorder=8)
            out.append(ax.add_artist(line))
            if key.marker is not None:
                mark = Line2D([x + _SAMPLE_IN / 2], [y], transform=self.where, clip_on=False,
                              linestyle="none", marker=key.marker,
                              markersize=key.marker_size, markeredgewidth=1.8,
                              color=key.marker_colour or key.colour, zorder=8.1)
                out.append(ax.add_artist(mark))
        return out
