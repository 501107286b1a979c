"""Many short texts drawn as one collection of glyph outlines: fast enough to redraw per step.

Theory of operation
-------------------
Matplotlib draws each ``Text`` glyph by glyph, laying it out again on every draw: about 2-3 ms
for a label like ``accepted 1.p2 'cancelled'`` on this machine.  A stepper frame has fifty
such labels (message labels, node states, step numbers, events), so plain ``Text`` artists
alone would take over 100 ms per step.

``PathTexts`` instead turns each string into its outline once (``TextPath``, cached by string,
size and weight), places the outlines with the anchor, alignment and rotation asked for, and
hands them all to a single ``PathCollection``: one draw call fills every glyph of every label
(about 3 ms for thirty labels).  Outlines are in points, positioned at data coordinates, and
scaled by the figure's ``dpi_scale_trans``, so they keep their size at any dpi.  A white halo,
when asked for, is a second collection that strokes the same outlines underneath.

NOTE: outlines are not hinted like the glyphs of ``Text``, so very small text is a little
softer; at the sizes used here (9-10 pt at 100 dpi) it reads the same.

``PathTexts.extents()`` gives each text's box in pixels, which the figure checks read.

``PathTexts.strings`` lists what is shown, which is what the tests read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.font_manager import FontProperties
from matplotlib.path import Path
from matplotlib.textpath import TextPath
from matplotlib.transforms import Affine2D, Bbox, Transform

__all__ = ["PathTexts", "TextItem", "text_width"]

_FONTS = {
    "normal": FontProperties(family="DejaVu Sans", weight="normal"),
    "bold": FontProperties(family="DejaVu Sans", weight="bold"),
}
_OUTLINES: dict[tuple[str, float, str], tuple[Path, float]] = {}
_MAX_CACHED = 4000


def _outline(text: str, size: float, weight: str) -> tuple[Path, float]:
    """The outline of ``text`` (in points, baseline at y=0) and its advance width."""
    key = (text, size, weight)
    got = _OUTLINES.get(key)
    if got is None:
        if len(_OUTLINES) >= _MAX_CACHED:
            _OUTLINES.clear()
        path = TextPath((0, 0), text, size=size, prop=_FONTS.get(weight, _FONTS["normal"]))
        width = float(path.vertices[:, 0].max()) if len(path.vertices) else 0.0
        got = (path, width)
        _OUTLINES[key] = got
    return got


def text_width(text: str, size: float, weight: str = "normal") -> float:
    """The advance width of ``text`` at ``size`` points, in points."""
    return _outline(text, size, weight)[1]


@dataclass(frozen=True, slots=True)
class TextItem:
    """One text: at data point (``x``, ``y``), aligned and rotated (degrees) about it."""

    text: str
    x: float
    y: float
    colour: str = "#222222"
    size: float = 9.0
    ha: str = "left"
    va: str = "center"
    rotation: float = 0.0
    weight: str = "normal"


# An (N, 2) array with N = 0: matplotlib 3.10 turns a bare [] into shape (0,), which its
# renderer refuses; later releases reshape it themselves.
_NO_OFFSETS = np.zeros((0, 2))

_PLACED: dict[tuple[str, float, str, str, str, float], Path] = {}


def _placed(item: TextItem) -> Path:
    """The outline of ``item`` aligned and rotated about its anchor (cached)."""
    rotation = round(item.rotation, 1)
    key = (item.text, item.size, item.weight, item.ha, item.va, rotation)
    got = _PLACED.get(key)
    if got is None:
        if len(_PLACED) >= _MAX_CACHED:
            _PLACED.clear()
        got = _place(item, rotation)
        _PLACED[key] = got
    return got


def _place(item: TextItem, rotation: float) -> Path:
    path, width = _outline(item.text, item.size, item.weight)
    dx = {"left": 0.0, "center": -width / 2, "right": -width}.get(item.ha, 0.0)
    dy = {"baseline": 0.0, "bottom": item.size * 0.22, "center": -item.size * 0.36,
          "top": -item.size * 0.78}.get(item.va, 0.0)
    verts = path.vertices + np.array((dx, dy))
    if rotation:
        a = math.radians(rotation)
        c, s = math.cos(a), math.sin(a)
        verts = verts @ ((c, s), (-s, c))
    return Path(verts, path.codes, readonly=True)


class _TextCollection(PathCollection):
    """A PathCollection whose extent is that of its glyphs, not just of their anchors, so
    ``bbox_inches="tight"`` (the notebook's inline backend) keeps texts outside the axes."""

    pool: PathTexts | None = None

    def get_window_extent(self, renderer: Any = None) -> Bbox:
        paths = self.get_paths()
        if not paths:
            return Bbox.null()
        anchors = self.get_offset_transform().transform(self.get_offsets())
        to_px = self.get_transform()
        corners = []
        for path, anchor in zip(paths, anchors, strict=False):
            if len(path.vertices):
                v = to_px.transform(path.vertices) + anchor
                corners.append(v.min(axis=0))
                corners.append(v.max(axis=0))
        if not corners:
            return Bbox.null()
        c = np.array(corners)
        return Bbox([c.min(axis=0), c.max(axis=0)])


class PathTexts:
    """A pool of texts drawn as one ``PathCollection`` (see the module docstring)."""

    def __init__(self, ax: Axes, zorder: float = 6, halo: bool = False,
                 clip: bool = True, coords: Transform | None = None) -> None:
        """Texts on ``ax``; positions are data coordinates unless ``coords`` says otherwise
        (``ax.transAxes``, or a blended transform)."""
        self.ax = ax
        where = ax.transData if coords is None else coords
        to_px = Affine2D().scale(1 / 72) + ax.figure.dpi_scale_trans
        self.halo: PathCollection | None = None
        if halo:
            self.halo = _TextCollection([], offsets=_NO_OFFSETS, offset_transform=where,
                                       facecolors="none", edgecolors="white",
                                       linewidths=2.2, zorder=zorder - 0.01)
            self.halo.set_transform(to_px)
            ax.add_collection(self.halo, autolim=False)
            self.halo.set_clip_on(clip)
        self.fill = _TextCollection([], offsets=_NO_OFFSETS, offset_transform=where,
                                   edgecolors="none", linewidths=0, zorder=zorder)
        self.fill.set_transform(to_px)
        self.fill.pool = self  # what reads a figure back finds the texts through this
        ax.add_collection(self.fill, autolim=False)
        self.fill.set_clip_on(clip)
        self.items: tuple[TextItem, ...] = ()

    def extents(self) -> list[tuple[TextItem, Bbox]]:
        """Each text shown with the box its glyphs cover on the canvas, in pixels (the
        renderer's coordinates, like ``Text.get_window_extent``)."""
        if not self.items:
            return []
        anchors = self.fill.get_offset_transform().transform(self.fill.get_offsets())
        to_px = self.fill.get_transform()
        out = []
        for item, path, anchor in zip(self.items, self.fill.get_paths(), anchors, strict=False):
            if len(path.vertices):
                v = to_px.transform(path.vertices) + anchor
                out.append((item, Bbox([v.min(axis=0), v.max(axis=0)])))
        return out

    def width(self, text: str, size: float, weight: str = "normal") -> float:
        """The advance width of ``text`` in points."""
        return _outline(text, size, weight)[1]

    @property
    def strings(self) -> list[str]:
        """The texts shown, in the order given."""
        return [i.text for i in self.items]

    def set(self, items: list[TextItem] | tuple[TextItem, ...]) -> None:
        """Show exactly ``items``."""
        items = tuple(i for i in items if i.text)
        if items == self.items:
            return
        self.items = items
        paths = [_placed(i) for i in items]
        offsets = [(i.x, i.y) for i in items] or [(0.0, 0.0)]
        self.fill.set_paths(paths)
        self.fill.set_offsets(offsets)
        self.fill.set_facecolors([i.colour for i in items] or ["none"])
        if self.halo is not None:
            self.halo.set_paths(paths)
            self.halo.set_offsets(offsets)
