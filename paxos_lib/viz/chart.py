"""The space-time (Lamport) diagram of a run: a lifeline per node, an arrow per message.

Theory of operation
-------------------
Time runs down the page in steps (step ``i`` is the ``i``-th action of the trace); each node
has a vertical lifeline.  From a ``History`` (see ``history.py``):

- a delivered copy is an arrow from its sender's lifeline at the step that sent it to its
  receiver's lifeline at the step that delivered it, coloured by message type and labelled
  along the arrow (``prepare 1.p1``);
- a dropped copy is a line that stops halfway, at the step that dropped it, under a cross;
- a duplicated copy starts at a diamond (the network copied it there) and is drawn dotted;
- a crash is a red cross on the lifeline, which stays dotted grey until the recovery (a green
  triangle); proposals are squares, timeouts circles, a learn is a star;
- a partition is a shaded band from the step that split the network to the heal;
- the moment a value became chosen is a green line across the chart naming the ballot and
  the acceptors whose votes chose it; a second value chosen (a safety violation) is red.

``ChartView`` makes the artists once (a few collections and a pool of texts) and ``update``
changes their data; ``window`` shows only the latest steps, which is what the stepper uses.
Arrowheads and label angles are computed in display space after the limits are set, so they
look right on any aspect ratio.  ``sequence_chart(trace)`` draws a whole run in a new figure
sized to fit it, for a notebook cell (end the line with ``;``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.transforms import blended_transform_factory

from paxos_lib.viz.history import History, describe_ballot, history_of
from paxos_lib.viz.style import KIND_COLOURS, kind_colour, new_axes
from paxos_lib.viz.textpaths import PathTexts, TextItem

__all__ = ["CHART_MARGINS", "ChartView", "chart_size", "sequence_chart"]

_CHOSEN = "#009E73"
_VIOLATION = "#D55E00"
_CRASH = "#D55E00"
_RECOVER = "#009E73"
_HEAD_PX = 7.0

#: Margins (left, right, top, bottom; inches) that leave room for names, steps and legend.
CHART_MARGINS = (0.4, 0.1, 0.7, 0.35)


def chart_size(nodes: int, steps: int) -> tuple[float, float]:
    """A figure size (inches) that fits ``nodes`` lifelines and ``steps`` steps legibly."""
    return (max(6.0, 1.6 + 1.05 * nodes), min(40.0, max(3.2, 1.5 + 0.3 * steps)))


class ChartView:
    """The sequence chart on one Axes, built once and updated in place."""

    def __init__(self, ax: Axes, node_ids: tuple[str, ...], window: int | None = None) -> None:
        self.ax = ax
        self.node_ids = tuple(node_ids)
        self.x = {n: float(i) for i, n in enumerate(self.node_ids)}
        self.window = window
        n = len(self.node_ids)
        ax.clear()
        ax.set_xlim(-0.6, n - 0.2)
        ax.set_ylim(1, 0)
        ax.set_axis_off()
        top = blended_transform_factory(ax.transData, ax.transAxes)
        left = blended_transform_factory(ax.transAxes, ax.transData)

        def lines(**kw: Any) -> LineCollection:
            return ax.add_collection(LineCollection([], **kw), autolim=False)

        self.bands = ax.add_collection(PolyCollection(
            [], facecolors="#E69F00", alpha=0.13, edgecolors="none", zorder=0), autolim=False)
        self.grid = lines(colors="#eeeeee", linewidths=0.6, zorder=0)
        self.life_up = lines(colors="#444444", linewidths=1.0, zorder=1)
        self.life_down = lines(colors="#aaaaaa", linewidths=1.0, linestyles=":", zorder=1)
        self.chosen_lines = lines(linewidths=1.6, linestyles="--", zorder=2)
        self.arrows = lines(linewidths=1.3, zorder=3)
        self.dup_arrows = lines(linewidths=1.3, linestyles=":", zorder=3)
        self.drops = lines(linewidths=1.1, zorder=3)
        self.heads = ax.add_collection(PolyCollection([], edgecolors="none", zorder=3),
                                       autolim=False)

        def marks(marker: str, colour: str, size: float = 40, **kw: Any) -> Any:
            return ax.scatter([], [], marker=marker, s=size, color=colour, zorder=5, **kw)

        self.drop_marks = marks("x", _CRASH, 36, linewidths=1.8)
        self.dup_marks = marks("D", "#333333", 22)
        self.crash_marks = marks("X", _CRASH, 70)
        self.recover_marks = marks("^", _RECOVER, 55)
        self.propose_marks = marks("s", "#000000", 34)
        self.timeout_marks = marks("o", "#000000", 34)
        self.learn_marks = marks("*", "#CC79A7", 120)
        self.labels = PathTexts(ax, zorder=6)
        self.events = PathTexts(ax, zorder=6, halo=True)
        self.steps = PathTexts(ax, zorder=6, clip=False, coords=left)
        self.title = PathTexts(ax, zorder=6, clip=False, coords=ax.transAxes)
        names = PathTexts(ax, zorder=6, clip=False, coords=top)
        names.set([TextItem(nid, self.x[nid], 1.0, "#000000", 8.5, "center", "bottom",
                            weight="bold") for nid in self.node_ids])
        self.names = names
        legend = [(k, c) for k, c in KIND_COLOURS.items()]
        width = 1.0 / len(legend)
        segs, items = [], []
        for i, (kind, _) in enumerate(legend):
            x0 = i * width + 0.01
            segs.append([(x0, -0.025), (x0 + 0.035, -0.025)])
            items.append(TextItem(kind, x0 + 0.045, -0.025, "#333333", 6.5))
        swatches = LineCollection(segs, colors=[c for _, c in legend], linewidths=2,
                                  transform=ax.transAxes)
        swatches.set_clip_on(False)
        ax.add_collection(swatches, autolim=False)
        self.legend = PathTexts(ax, zorder=6, clip=False, coords=ax.transAxes)
        self.legend.set(items)

    # -- update ------------------------------------------------------------------------------

    def update(self, h: History) -> None:
        """Draw the run in ``h`` (its last ``window`` steps, if a window is set)."""
        ax = self.ax
        now = h.now
        lo = 0 if self.window is None else max(0, now - self.window)
        # room below the last step for a "chosen" line (at step + 0.4) and its label
        below = 1.0 if any(ch.step == now for ch in h.chosen) else 0.6
        top, bottom = lo - 0.6, max(now, lo + 1) + below
        ax.set_ylim(bottom, top)
        last = h.last()
        self.title.set([TextItem(
            f"{h.world.config.variant} · step {now}"
            + ("" if last is None else f": {last.action}"),
            0.0, 1.0 + 30 / max(1.0, ax.bbox.height), "#000000", 8.5, "left", "bottom")])
        every = _tick_every(bottom - top)
        ticks = [t for t in range(lo, now + 1) if t % every == 0]
        self.steps.set([TextItem(str(t), -0.005, t, "#555555", 7, "right", "center")
                        for t in ticks])
        n_nodes = len(self.node_ids)
        self.grid.set_segments([[(-0.5, t), (n_nodes - 0.5, t)] for t in ticks])
        x = self.x

        # lifelines, dotted while a node is down
        down_from: dict[str, int] = {}
        up: list[np.ndarray] = []
        down: list[np.ndarray] = []
        start = {n: float(top) for n in self.node_ids}
        for e in h.node_events:
            if e.node not in x:
                continue
            if e.kind == "crash":
                up.append(np.array([[x[e.node], start[e.node]], [x[e.node], e.step]]))
                start[e.node] = e.step
                down_from[e.node] = e.step
            elif e.kind == "recover" and e.node in down_from:
                down.append(np.array([[x[e.node], start[e.node]], [x[e.node], e.step]]))
                start[e.node] = e.step
                del down_from[e.node]
        for n in self.node_ids:
            seg = np.array([[x[n], start[n]], [x[n], bottom]])
            (down if n in down_from else up).append(seg)
        self.life_up.set_segments(up)
        self.life_down.set_segments(down)

        events: list[TextItem] = []
        # partitions
        bands = []
        for p in h.partitions:
            end = bottom if p.end is None else p.end
            bands.append([(-0.5, p.start), (n_nodes - 0.5, p.start), (n_nodes - 0.5, end),
                          (-0.5, end)])
            if p.start >= lo:
                events.append(TextItem(
                    "partition " + " | ".join(",".join(g) for g in p.groups),
                    n_nodes - 0.55, p.start + 0.12, "#9a6a00", 6.5, "right", "top"))
        self.bands.set_verts(bands)

        # messages
        solid, dotted, dropped, arrows = [], [], [], []
        solid_c, dotted_c, dropped_c, arrow_c = [], [], [], []
        drop_xy, dup_xy = [], []
        labelled: list[tuple[int, str, str]] = []
        for c in h.copies:
            m = c.message
            if m.src not in x or m.dst not in x:
                continue
            xs, xd = x[m.src], x[m.dst]
            colour = kind_colour(m.KIND)
            y0 = float(c.sent)
            x0 = xs
            if c.origin == "duplicate":
                x0 = (xs + xd) / 2
                if c.sent >= lo:
                    dup_xy.append((x0, y0))
            for y1 in c.deliveries:
                if y1 < lo:
                    continue
                seg = ((x0, y0), (xd, float(y1)))
                if c.origin == "duplicate":
                    dotted.append(seg)
                    dotted_c.append(colour)
                else:
                    solid.append(seg)
                    solid_c.append(colour)
                if (y0 + y1) / 2 >= lo - 0.5:
                    labelled.append((len(arrows), m.label, colour))
                arrows.append(seg)
                arrow_c.append(colour)
            if c.status == "dropped" and c.ended is not None and c.ended >= lo:
                xm = (xs + xd) / 2
                dropped.append(((x0, y0), (xm, float(c.ended))))
                dropped_c.append(colour)
                drop_xy.append((xm, float(c.ended)))
        heads, angles = _heads_and_angles(np.array(arrows, dtype=float).reshape(-1, 2, 2),
                                          ax.transData)
        labels = []
        for i, text, colour in labelled:
            (ax0, ay0), (ax1, ay1) = arrows[i]
            labels.append(TextItem(text, (ax0 + ax1) / 2, (ay0 + ay1) / 2, colour, 6.0,
                                   "center", "bottom", float(angles[i])))
        self.labels.set(labels)
        self.arrows.set_segments(solid)
        self.arrows.set_colors(solid_c)
        self.dup_arrows.set_segments(dotted)
        self.dup_arrows.set_colors(dotted_c)
        self.drops.set_segments(dropped)
        self.drops.set_colors(dropped_c)
        self.heads.set_verts(list(heads))
        self.heads.set_facecolors(arrow_c)
        _offsets(self.drop_marks, drop_xy)
        _offsets(self.dup_marks, dup_xy)

        # node events
        kinds: dict[str, list[tuple[float, float]]] = {
            "crash": [], "recover": [], "propose": [], "timeout": [], "learn": []
        }
        for e in h.node_events:
            if e.node not in x or e.step < lo:
                continue
            kinds.setdefault(e.kind, []).append((x[e.node], float(e.step)))
            if e.kind in ("propose", "learn", "timeout", "crash", "recover"):
                right = x[e.node] > n_nodes - 1.5
                events.append(TextItem(
                    e.text, x[e.node] + (-0.1 if right else 0.1), e.step,
                    _EVENT_COLOURS.get(e.kind, "#222222"), 6.5,
                    "right" if right else "left", "center"))
        _offsets(self.crash_marks, kinds["crash"])
        _offsets(self.recover_marks, kinds["recover"])
        _offsets(self.propose_marks, kinds["propose"])
        _offsets(self.timeout_marks, kinds["timeout"])
        _offsets(self.learn_marks, kinds["learn"])

        # chosen
        segs, colours = [], []
        for ch in h.chosen:
            colour = _VIOLATION if ch.violation else _CHOSEN
            y = ch.step + 0.4
            segs.append(np.array([[-0.5, y], [n_nodes - 0.5, y]]))
            colours.append(colour)
            if ch.step >= lo:
                text = (f"chosen {ch.value!r} at {describe_ballot(ch.ballot)} by "
                        f"{', '.join(ch.acceptors)}"
                        + (" — a second value: agreement violated" if ch.violation else ""))
                events.append(TextItem(text, -0.45, y, colour, 7, "left", "top",
                                       weight="bold"))
        self.chosen_lines.set_segments(segs)
        self.chosen_lines.set_colors(colours)
        self.events.set(events)


_EVENT_COLOURS = {"learn": "#CC79A7", "crash": _CRASH, "recover": _RECOVER}


def _tick_every(span: float) -> int:
    for every in (1, 2, 5, 10, 20, 50, 100, 200, 500):
        if span / every <= 26:
            return every
    return 1000


def _offsets(scatter: Any, points: list[tuple[float, float]]) -> None:
    scatter.set_offsets(np.array(points, dtype=float).reshape(-1, 2))


def _heads_and_angles(segs: np.ndarray, trans: Any) -> tuple[np.ndarray, np.ndarray]:
    """For arrows ``segs`` (N x 2 x 2, data): arrowheads drawn in pixels, returned in data
    coordinates (N x 3 x 2), and each arrow's angle on screen, in degrees, turned so that
    text along it reads left to right."""
    if len(segs) == 0:
        return np.zeros((0, 3, 2)), np.zeros(0)
    px = trans.transform(segs.reshape(-1, 2)).reshape(-1, 2, 2)
    d = px[:, 1] - px[:, 0]
    d = d / np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-9)[:, None]
    n = np.column_stack([-d[:, 1], d[:, 0]])
    tip = px[:, 1]
    base = tip - d * _HEAD_PX
    tri = np.stack([tip, base + n * _HEAD_PX * 0.42, base - n * _HEAD_PX * 0.42], axis=1)
    heads = trans.inverted().transform(tri.reshape(-1, 2)).reshape(-1, 3, 2)
    angles = np.degrees(np.arctan2(d[:, 1], d[:, 0]))
    angles = np.where(angles > 90, angles - 180, np.where(angles < -90, angles + 180, angles))
    return heads, angles


def sequence_chart(
    source: Any, ax: Axes | None = None, step: int | None = None, window: int | None = None
) -> Axes:
    """Draw the sequence chart of a Trace or Simulation (up to ``step``; the last ``window``
    steps only, if given).

    With no ``ax`` a new figure sized to the run is made (in a notebook, end the line with
    ``;`` and the chart shows once); either way the Axes drawn on is returned.
    """
    h = history_of(source, step)
    shown = h.now if window is None else min(h.now, window)
    ax = new_axes(ax, *chart_size(len(h.node_ids), shown), margins=CHART_MARGINS)
    view = ChartView(ax, h.node_ids, window)
    view.update(h)
    return ax
