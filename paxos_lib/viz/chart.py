"""The space-time (Lamport) diagram of a run: a lifeline per node, an arrow per message.

Theory of operation
-------------------
Time runs down the page, one row per step (step ``i`` is the ``i``-th action of the trace);
each node has a vertical lifeline.  From a ``History`` (see ``history.py``):

- a delivered copy is an arrow from its sender's lifeline at the step that sent it to its
  receiver's lifeline at the step that delivered it, coloured by message type;
- a dropped copy is a line that stops halfway, at the step that dropped it, under a ✖;
- a duplicated copy starts at a ◆ (the network copied it there) and is drawn dotted;
- a crash is a bold ✖ on the lifeline, which stays dotted grey until the recovery (▲);
  proposals are squares, timeouts circles;
- a partition is a shaded band from the step that split the network to the heal;
- the moment a value became chosen is a dashed line across the lifelines; a second value
  chosen (a safety violation) is dash-dotted; a learner learning a value is a ★.

Text never sits on the drawing.  A step does exactly one thing, so its row has exactly one
line of text, written in a column to the right of the last lifeline: the message the step
delivered, dropped or duplicated (``prepare 1.p1`` in its type's colour, then ``p1→a2``), or
the event (``crash a3``).  What a step caused -- a value chosen, a learner learning -- gets a
row of its own just below it, where its dashed line or ★ is drawn.  Rows are at least a line
of 9 pt text apart, so no two labels overlap and no line crosses one; a legend under the
chart names every mark and line style the chart uses, and only those.

``ChartView`` makes the artists once (a few collections and pools of texts) and ``update``
changes their data; ``window`` shows only the latest steps, which is what the stepper uses.
Arrowheads are computed in display space after the limits are set, so they look right on any
aspect ratio.  ``sequence_chart(trace)`` draws a whole run in a new figure sized to fit it,
for a notebook cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.transforms import blended_transform_factory

from paxos_lib.actions import Crash, Deliver, Drop, Duplicate, Heal, Partition, Recover
from paxos_lib.viz.history import History, describe_ballot, history_of
from paxos_lib.viz.keys import Key, KeyLegend
from paxos_lib.viz.palette import (
    CHOSEN,
    CRASH,
    LEARN,
    MUTED,
    PARTITION,
    PARTITION_TEXT,
    RECOVER,
    TEXT,
    VIOLATION,
)
from paxos_lib.viz.style import kind_colour, new_axes
from paxos_lib.viz.textpaths import PathTexts, TextItem, text_width

__all__ = ["CHART_MARGINS", "ChartView", "chart_size", "sequence_chart"]

_HEAD_PX = 7.0
TEXT_PT = 9.0          # every text on the chart
ROW_IN = 0.28          # inches per row (a 9 pt line is 0.125 in)
NODE_IN = 0.8          # inches between lifelines
_COLUMN_GAP = 0.3      # data units between the last lifeline and the text column
_COLUMN_MIN = 3.2      # inches the text column keeps, when the figure is given
_SPACE_PT = 3.5        # the gap between a label and its route
_VIOLATED = "a second value: agreement violated"

#: Margins (left, right, top, bottom; inches) that leave room for names, steps and legend.
CHART_MARGINS = (0.4, 0.1, 0.7, 0.8)


def _lanes(nodes: int) -> float:
    """The width of the lifelines' part in node spacings: from the left limit (-0.6) to the
    text column (``nodes - 0.5 + _COLUMN_GAP``)."""
    return nodes - 0.5 + _COLUMN_GAP + 0.6


def chart_size(nodes: int, steps: int, column: float = 3.0) -> tuple[float, float]:
    """A figure size (inches) that fits ``nodes`` lifelines, ``steps`` rows and a text
    column ``column`` inches wide."""
    left, right, top, bottom = CHART_MARGINS
    width = left + right + NODE_IN * _lanes(nodes) + column
    return (round(max(6.0, width), 2),
            round(min(40.0, max(3.2, top + bottom + ROW_IN * (steps + 1.5))), 2))


@dataclass(frozen=True, slots=True)
class _Row:
    """A row below a step for something the step caused."""

    kind: str                 # "chosen", "violated" or "learn"
    text: str
    colour: str
    node: str | None = None
    violation: bool = False


def _annotations(h: History) -> dict[int, list[_Row]]:
    """The rows each step adds below itself: values chosen, learners learning."""
    rows: dict[int, list[_Row]] = {}
    for ch in h.chosen:
        colour = VIOLATION if ch.violation else CHOSEN
        rows.setdefault(ch.step, []).append(_Row(
            "chosen",
            f"chosen {ch.value!r} at {describe_ballot(ch.ballot)} by {', '.join(ch.acceptors)}",
            colour, violation=ch.violation))
        if ch.violation:
            rows[ch.step].append(_Row("violated", _VIOLATED, VIOLATION))
    for e in h.node_events:
        if e.kind == "learn":
            rows.setdefault(e.step, []).append(_Row("learn", f"{e.node} {e.text}", LEARN,
                                                    node=e.node))
    return rows


def _row_ys(now: int, extra: dict[int, list[_Row]]) -> list[float]:
    """``ys[i]`` is the row of step ``i`` (0 is the start): steps are a row apart, plus
    one row for each annotation of an earlier step."""
    ys, y = [0.0], 0.0
    for step in range(1, now + 1):
        y += 1 + len(extra.get(step - 1, ()))
        ys.append(y)
    return ys


def _row_text(action: Any) -> tuple[str, str, str]:
    """A step's row: (message label or event text, its colour, what follows in grey)."""
    if isinstance(action, Deliver | Drop | Duplicate):
        m = action.message
        route = f"{m.src}\u2192{m.dst}"
        after = {Deliver: route, Drop: f"{route} dropped", Duplicate: f"{route} duplicated"}
        return m.label, kind_colour(m.KIND), after[type(action)]
    if isinstance(action, Crash):
        return str(action), CRASH, ""
    if isinstance(action, Recover):
        return str(action), RECOVER, ""
    if isinstance(action, Partition | Heal):
        return str(action), PARTITION_TEXT, ""
    return str(action), TEXT, ""


def column_width(h: History, lo: int = 0) -> float:
    """The width (inches) of the widest row text of ``h`` from step ``lo`` on."""
    widest = 0.0
    for action in h.steps[lo:]:
        text, _, after = _row_text(action)
        width = text_width(text, TEXT_PT)
        if after:
            width += _SPACE_PT + text_width(after, TEXT_PT)
        widest = max(widest, width)
    for rows in _annotations(h).values():
        for r in rows:
            widest = max(widest, text_width(r.text, TEXT_PT, "bold"))
    return widest / 72 + 0.1


def _from_row(
    seg: tuple[tuple[float, float], tuple[float, float]], y_first: float
) -> tuple[tuple[float, float], tuple[float, float]]:
    """``seg`` cut so that it starts no higher than ``y_first`` (rows grow downwards): a
    message sent before a window's first step enters from the window's top edge, on its own
    course, instead of running through the title and the node names above it."""
    (x0, y0), (x1, y1) = seg
    if y0 >= y_first or y1 <= y0:
        return seg
    t = (y_first - y0) / (y1 - y0)
    return (x0 + t * (x1 - x0), y_first), (x1, y1)


class ChartView:
    """The sequence chart on one Axes, built once and updated in place."""

    def __init__(self, ax: Axes, node_ids: tuple[str, ...], window: int | None = None,
                 column: float = 0.0) -> None:
        """Lifelines for ``node_ids`` on ``ax``; ``column`` is the width (inches) the text
        column needs (``column_width``), if known; else the column keeps 3.2 in."""
        self.ax = ax
        self.node_ids = tuple(node_ids)
        self.x = {n: float(i) for i, n in enumerate(self.node_ids)}
        self.window = window
        n = len(self.node_ids)
        ax.clear()
        # lifelines NODE_IN apart if they fit in 60% of the axes; the text column takes the rest
        # lifelines NODE_IN apart if that leaves the text column _COLUMN_MIN inches, closer
        # (down to 0.45 in) if not; texts wider than the column are cut with an ellipsis
        self.column_x = n - 0.5 + _COLUMN_GAP
        self.column = column
        self._columns(column if column > 0 else _COLUMN_MIN)
        ax.set_ylim(1, 0)
        ax.set_axis_off()
        top = blended_transform_factory(ax.transData, ax.transAxes)
        left = blended_transform_factory(ax.transAxes, ax.transData)

        def lines(**kw: Any) -> LineCollection:
            return ax.add_collection(LineCollection([], **kw), autolim=False)

        self.bands = ax.add_collection(PolyCollection(
            [], facecolors=PARTITION, alpha=0.13, edgecolors="none", zorder=0), autolim=False)
        self.grid = lines(colors="#eeeeee", linewidths=0.6, zorder=0)
        self.life_up = lines(colors="#444444", linewidths=1.0, zorder=1)
        self.life_down = lines(colors="#aaaaaa", linewidths=1.0, linestyles=":", zorder=1)
        self.chosen_lines = lines(linewidths=1.6, zorder=2)
        self.arrows = lines(linewidths=1.3, zorder=3)
        self.dup_arrows = lines(linewidths=1.3, linestyles=":", zorder=3)
        self.drops = lines(linewidths=1.1, zorder=3)
        self.heads = ax.add_collection(PolyCollection([], edgecolors="none", zorder=3),
                                       autolim=False)

        def marks(marker: str, colour: str, size: float = 40, **kw: Any) -> Any:
            return ax.scatter([], [], marker=marker, s=size, color=colour, zorder=5, **kw)

        self.drop_marks = marks("x", CRASH, 36, linewidths=1.8)
        self.dup_marks = marks("D", "#333333", 22)
        self.crash_marks = marks("X", CRASH, 70)
        self.recover_marks = marks("^", RECOVER, 55)
        self.propose_marks = marks("s", "#000000", 34)
        self.timeout_marks = marks("o", "#000000", 34)
        self.learn_marks = marks("*", LEARN, 120)
        self.labels = PathTexts(ax, zorder=6, clip=False)   # message labels, one per row
        self.routes = PathTexts(ax, zorder=6, clip=False)   # "p1→a2" after each label
        self.events = PathTexts(ax, zorder=6, clip=False)   # other steps and annotations
        self.steps = PathTexts(ax, zorder=6, clip=False, coords=left)
        self.title = PathTexts(ax, zorder=6, clip=False, coords=ax.transAxes)
        names = PathTexts(ax, zorder=6, clip=False, coords=top)
        names.set([TextItem(nid, self.x[nid], 1.0, "#000000", TEXT_PT, "center", "bottom",
                            weight="bold") for nid in self.node_ids])
        self.names = names
        self.legend = KeyLegend(ax, TEXT_PT, top_in=0.1)

    def _columns(self, column: float) -> None:
        """Share the axes' width between lifelines (NODE_IN apart, or closer down to 0.45 in)
        and a text column ``column`` inches wide; ``column_pt`` is what the column holds."""
        ax = self.ax
        width_in = max(1.0, ax.get_position().width * ax.figure.get_size_inches()[0])
        node_in = max(0.45, min(NODE_IN, (width_in - column) / _lanes(len(self.node_ids))))
        ax.set_xlim(-0.6, -0.6 + width_in / node_in)
        self.column_pt = (width_in - (self.column_x + 0.6) * node_in) * 72 + 6

    # -- update ------------------------------------------------------------------------------

    def update(self, h: History) -> None:
        """Draw the run in ``h`` (its last ``window`` steps, if a window is set)."""
        ax = self.ax
        now = h.now
        lo = 0 if self.window is None else max(0, now - self.window)
        extra = _annotations(h)
        if self.column <= 0:  # the stepper: make room for the widest text shown now
            self._columns(max(_COLUMN_MIN, column_width(h, lo)))
        ys = _row_ys(now, extra)
        y_top = ys[lo] - 0.6
        y_last = ys[now] + len(extra.get(now, ()))
        y_bottom = max(y_last, ys[lo] + 1) + 0.6
        ax.set_ylim(y_bottom, y_top)
        last = h.last()
        self.title.set([TextItem(
            f"{h.world.config.variant} · step {now}"
            + ("" if last is None else f": {last.action}"),
            0.0, 1.0 + 26 / max(1.0, ax.bbox.height), "#000000", TEXT_PT + 1, "left",
            "bottom")])
        span = y_bottom - y_top
        row_pt = ax.get_position().height * ax.figure.get_size_inches()[1] * 72 / span
        every = _tick_every(row_pt)
        ticks = [t for t in range(lo, now + 1) if t % every == 0]
        self.steps.set([TextItem(str(t), -0.005, ys[t], MUTED, TEXT_PT, "right", "center")
                        for t in ticks])
        n_nodes = len(self.node_ids)
        right = n_nodes - 0.5
        self.grid.set_segments([[(-0.5, ys[t]), (right, ys[t])] for t in ticks])
        x = self.x
        used: set[str] = set()

        # lifelines, dotted while a node is down
        down_from: dict[str, int] = {}
        up: list[np.ndarray] = []
        down: list[np.ndarray] = []
        start = {n: float(y_top) for n in self.node_ids}
        y_lo, y_hi = sorted((float(y_top), float(y_bottom)))

        def at(step: int) -> float:
            # a crash or recovery outside the window draws its lifeline from the window's edge
            return min(max(float(ys[step]), y_lo), y_hi)

        for e in h.node_events:
            if e.node not in x:
                continue
            if e.kind == "crash":
                up.append(np.array([[x[e.node], start[e.node]], [x[e.node], at(e.step)]]))
                start[e.node] = at(e.step)
                down_from[e.node] = e.step
            elif e.kind == "recover" and e.node in down_from:
                down.append(np.array([[x[e.node], start[e.node]], [x[e.node], at(e.step)]]))
                start[e.node] = at(e.step)
                del down_from[e.node]
        for n in self.node_ids:
            seg = np.array([[x[n], start[n]], [x[n], y_bottom]])
            (down if n in down_from else up).append(seg)
        self.life_up.set_segments(up)
        self.life_down.set_segments(down)

        # partitions
        bands = []
        for p in h.partitions:
            end = y_bottom if p.end is None else ys[p.end]
            bands.append([(-0.5, ys[p.start]), (right, ys[p.start]), (right, end),
                          (-0.5, end)])
            if end >= y_top:
                used.add("partition")
        self.bands.set_verts(bands)

        # messages
        solid, dotted, dropped, arrows = [], [], [], []
        solid_c, dotted_c, dropped_c, arrow_c = [], [], [], []
        drop_xy, dup_xy = [], []
        for c in h.copies:
            m = c.message
            if m.src not in x or m.dst not in x:
                continue
            xs, xd = x[m.src], x[m.dst]
            colour = kind_colour(m.KIND)
            y0 = ys[c.sent]
            x0 = xs
            if c.origin == "duplicate":
                x0 = (xs + xd) / 2
                if c.sent >= lo:
                    dup_xy.append((x0, y0))
                    used.add("duplicate")
            for d in c.deliveries:
                if d < lo:
                    continue
                seg = _from_row(((x0, y0), (xd, ys[d])), y_top + 0.1)
                if c.origin == "duplicate":
                    dotted.append(seg)
                    dotted_c.append(colour)
                else:
                    solid.append(seg)
                    solid_c.append(colour)
                arrows.append(seg)
                arrow_c.append(colour)
                used.add("kind:" + m.KIND)
            if c.status == "dropped" and c.ended is not None and c.ended >= lo:
                xm = (xs + xd) / 2
                if xm == int(xm) and xs != xd:  # halfway is a lifeline: stop short of it
                    xm -= 0.3 if xd > xs else -0.3
                dropped.append(_from_row(((x0, y0), (xm, ys[c.ended])), y_top + 0.1))
                dropped_c.append(colour)
                drop_xy.append((xm, ys[c.ended]))
                used.add("kind:" + m.KIND)
                used.add("drop")
        heads = _heads(np.array(arrows, dtype=float).reshape(-1, 2, 2), ax.transData)
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
            if e.node not in x or e.step < lo or e.kind == "learn":
                continue
            kinds.setdefault(e.kind, []).append((x[e.node], ys[e.step]))
            used.add(e.kind)
        if kinds["crash"] or down:
            used.add("crash")

        # the text column: one row per step, then a row per thing the step caused
        labels, routes, events = [], [], []
        cx = self.column_x
        segs, colours, styles = [], [], []
        for step in range(lo + 1, now + 1):
            text, colour, after = _row_text(h.steps[step - 1])
            y = ys[step]
            room = self.column_pt
            if after:
                text = _fit(text, room)
                labels.append(TextItem(text, cx, y, colour, TEXT_PT))
                gap = text_width(text, TEXT_PT) + _SPACE_PT
                after = _fit(after, room - gap)
                if after:
                    routes.append(TextItem(after, cx + self._data_dx(gap), y, MUTED,
                                           TEXT_PT))
            else:
                events.append(TextItem(_fit(text, room), cx, y, colour, TEXT_PT))
            for k, r in enumerate(extra.get(step, ()), start=1):
                ry = y + k
                events.append(TextItem(_fit(r.text, room, "bold"), cx, ry, r.colour, TEXT_PT,
                                       weight="bold"))
                if r.kind == "chosen":
                    segs.append(np.array([[-0.5, ry], [right, ry]]))
                    colours.append(r.colour)
                    styles.append((0, (6, 2, 1.5, 2)) if r.violation else (0, (5, 3)))
                    used.add("violation" if r.violation else "chosen")
                elif r.kind == "learn" and r.node in x:
                    kinds["learn"].append((x[r.node], ry))
                    used.add("learn")
        _offsets(self.crash_marks, kinds["crash"])
        _offsets(self.recover_marks, kinds["recover"])
        _offsets(self.propose_marks, kinds["propose"])
        _offsets(self.timeout_marks, kinds["timeout"])
        _offsets(self.learn_marks, kinds["learn"])
        self.chosen_lines.set_segments(segs)
        self.chosen_lines.set_colors(colours)
        self.chosen_lines.set_linestyles(styles or ["solid"])
        self.labels.set(labels)
        self.routes.set(routes)
        self.events.set(events)
        self._set_legend(used)

    def _data_dx(self, points: float) -> float:
        """``points`` of width in data units along x."""
        ax = self.ax
        x0, x1 = ax.get_xlim()
        width_pt = ax.get_position().width * ax.figure.get_size_inches()[0] * 72
        return points * (x1 - x0) / max(width_pt, 1.0)

    def _set_legend(self, used: set[str]) -> None:
        """A legend of exactly the marks and line styles drawn (laid out only on change)."""
        self.legend.set(_legend_keys(used))


def _legend_keys(used: set[str]) -> list[Key]:
    from paxos_lib.viz.palette import KIND_COLOURS

    kinds = [k[5:] for k in sorted(used) if k.startswith("kind:")]
    order = list(KIND_COLOURS)
    kinds.sort(key=lambda k: (order.index(k) if k in order else len(order), k))
    keys = [Key(k, kind_colour(k), "-") for k in kinds]
    marks = [
        ("propose", Key("proposal", "#000000", marker="s")),
        ("timeout", Key("timeout: try again", "#000000", marker="o")),
        ("drop", Key("message dropped", CRASH, marker="x", marker_size=7)),
        ("duplicate", Key("copy made by the network", "#333333", ":", marker="D",
                          marker_size=4.5)),
        ("crash", Key("crash (dotted while down)", "#aaaaaa", ":", marker="X",
                      marker_size=8, marker_colour=CRASH)),
        ("recover", Key("recover", RECOVER, marker="^", marker_size=7)),
        ("partition", Key("partitioned", face=PARTITION, alpha=0.3)),
        ("chosen", Key("value chosen", CHOSEN, (0, (5, 3)))),
        ("violation", Key("second value chosen", VIOLATION, (0, (6, 2, 1.5, 2)))),
        ("learn", Key("learner learned", LEARN, marker="*", marker_size=10)),
    ]
    return keys + [key for name, key in marks if name in used]


def _fit(text: str, room_pt: float, weight: str = "normal") -> str:
    """``text``, cut with an ellipsis to fit ``room_pt`` points at 9 pt ('' if nothing fits)."""
    if text_width(text, TEXT_PT, weight) <= room_pt:
        return text
    while text and text_width(text.rstrip() + "…", TEXT_PT, weight) > room_pt:
        text = text[:-1]
    return text.rstrip() + "…" if text.strip() else ""


def _tick_every(row_pt: float) -> int:
    """Number every step, or every 2nd, 5th, ... when rows are closer than a 9 pt line."""
    for every in (1, 2, 5, 10, 20, 50, 100, 200, 500):
        if every * row_pt >= TEXT_PT * 1.3:
            return every
    return 1000


def _offsets(scatter: Any, points: list[tuple[float, float]]) -> None:
    scatter.set_offsets(np.array(points, dtype=float).reshape(-1, 2))


def _heads(segs: np.ndarray, trans: Any) -> np.ndarray:
    """For arrows ``segs`` (N x 2 x 2, data): arrowheads drawn in pixels, returned in data
    coordinates (N x 3 x 2)."""
    if len(segs) == 0:
        return np.zeros((0, 3, 2))
    px = trans.transform(segs.reshape(-1, 2)).reshape(-1, 2, 2)
    d = px[:, 1] - px[:, 0]
    d = d / np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-9)[:, None]
    n = np.column_stack([-d[:, 1], d[:, 0]])
    tip = px[:, 1]
    base = tip - d * _HEAD_PX
    tri = np.stack([tip, base + n * _HEAD_PX * 0.42, base - n * _HEAD_PX * 0.42], axis=1)
    return trans.inverted().transform(tri.reshape(-1, 2)).reshape(-1, 3, 2)


def sequence_chart(
    source: Any, ax: Axes | None = None, step: int | None = None, window: int | None = None
) -> Axes:
    """Draw the sequence chart of a Trace or Simulation (up to ``step``; the last ``window``
    steps only, if given).

    With no ``ax`` a new figure sized to the run is made (in a notebook, end the line with
    ``;`` and the chart shows once); either way the Axes drawn on is returned.
    """
    h = history_of(source, step)
    lo = 0 if window is None else max(0, h.now - window)
    rows = h.now - lo + sum(len(r) for s, r in _annotations(h).items() if s > lo)
    ax = new_axes(ax, *chart_size(len(h.node_ids), rows, column_width(h, lo)),
                  margins=CHART_MARGINS)
    view = ChartView(ax, h.node_ids, window, column_width(h, lo))
    view.update(h)
    return ax
