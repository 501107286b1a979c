"""The message-flow graph: who is up, what is in flight, what was delivered or dropped.

Theory of operation
-------------------
``message_graph(source)`` turns a run (a Simulation, a Trace, or a ``History``) into a
``networkx.MultiDiGraph``.  Nodes are the cluster's nodes, with their role, status (``up`` or
``crashed``), partition side and a one-line state.  Edges are message *copies* keyed by copy
id (see ``history.py``): every copy ever sent, with its type, ballot, value, label, status
(``inflight``, ``delivered``, ``dropped``) and the steps that sent and ended it.  Tests and
curious learners read this graph; nothing in it depends on drawing.

``draw_message_graph`` draws the same facts at one instant.  Each node is a box holding its
name and two lines of state (9 pt).  Positions are fixed, in inches: proposers left, acceptors
in the middle, learners right (a cluster whose roles are something else, such as Multi-Paxos
replicas, is drawn on a circle).  Many copies share a pair of nodes, so the drawing groups
them per directed pair:

- in-flight copies: one dashed curve per pair, coloured by the newest copy's type;
- delivered history: one faint grey curve per pair that ever carried a delivered message;
- the last step's message: a thick curve (delivered), a ✖ at its midpoint (dropped) or a
  ✚ (duplicated).

Curves between columns leave and enter the boxes' sides horizontally and pass over or under a
column they skip, so no curve runs through a box's text; the two directions of a pair attach
apart.  Text never sits on a curve: the in-flight messages are listed under the nodes
(the newest label in its type's colour, then ``p1→a2``, a count of equal copies, ``+1`` for
others waiting, ``(cut)`` or ``(down)``), and a legend under that names every line style,
mark and ring the picture uses, and only those.  Crashed nodes are grey; partition sides get rings,
solid or dashed, and the title names the groups.

``GraphView`` builds every artist once and ``update`` only changes their data, which is what
keeps the stepper's redraw fast (see ``bench/stepper.py``).  The axes are equal-aspect, one
data unit an inch, so boxes keep their shape and text is never squashed.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import networkx as nx
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PatchCollection, PolyCollection
from matplotlib.patches import FancyBboxPatch

from paxos_lib.engine import describe_state
from paxos_lib.viz.history import DROPPED, INFLIGHT, History, history_of, message_value
from paxos_lib.viz.keys import Key, KeyLegend
from paxos_lib.viz.palette import (
    CRASH,
    CRASHED_EDGE,
    CRASHED_FACE,
    DELIVERED,
    KIND_COLOURS,
    MUTED,
    PARTITION_TEXT,
    SIDE_COLOURS,
    TEXT,
)
from paxos_lib.viz.style import ROLE_COLUMN, kind_colour, new_axes, role_face
from paxos_lib.viz.textpaths import PathTexts, TextItem, text_width

__all__ = [
    "GRAPH_MARGINS",
    "GraphView",
    "draw_message_graph",
    "graph_size",
    "layout",
    "message_graph",
    "short_state",
]

Point = tuple[float, float]

#: Margins (left, right, top, bottom; inches) of a figure made for the graph alone.
GRAPH_MARGINS = (0.05, 0.05, 0.05, 0.85)


# -- the graph ----------------------------------------------------------------------------------


def short_state(state: Any) -> str:
    """A few characters of a node's state for the drawing (the state table has the rest)."""
    role = getattr(state, "ROLE", "")
    if role == "acceptor":
        promised = "—" if state.promised is None else str(state.promised)
        if state.accepted_ballot is None:
            return f"promised {promised}"
        return f"promised {promised}\naccepted {state.accepted_value}"
    if role == "proposer":
        ballot = "" if state.ballot is None else f" {state.ballot}"
        return f"{state.phase}{ballot}"
    if role == "learner":
        return "learned —" if state.learned is None else f"learned {state.learned}"
    # another protocol's node (a Multi-Paxos replica): its description on two short lines
    lines, line = [], ""
    for part in describe_state(state).split(", "):
        if line and len(line) + 2 + len(part) > 24:
            lines.append(line)
            line = part
        else:
            line = f"{line}, {part}" if line else part
    lines.append(line)
    if len(lines) > 2:
        lines = [lines[0], lines[1] + "…"]
    return "\n".join(lines)


def message_graph(source: Any, step: int | None = None) -> nx.MultiDiGraph:
    """The run as a ``networkx.MultiDiGraph`` (see the module docstring).

    ``source`` is a Simulation, a Trace or a History; ``step`` picks the world after that
    many steps (None: the last).  Graph attributes: ``step``, ``variant``, ``network``,
    ``partition`` (groups or None), ``chosen`` (sorted values) and ``action`` (the last step,
    as text, or None).
    """
    h = history_of(source, step)
    world = h.world
    cfg = world.config
    part = world.partition
    last = h.last()
    chosen = sorted({e.value for e in h.chosen})
    g = nx.MultiDiGraph(
        step=h.now,
        variant=cfg.variant,
        network=cfg.network,
        partition=None if part is None else [list(grp) for grp in part.groups],
        chosen=chosen,
        action=None if last is None else str(last.action),
    )
    for node, state in zip(h.node_ids, world.nodes, strict=True):
        side = None if part is None else part.side_of(node)
        g.add_node(
            node,
            role=h.role_of(node),
            status="crashed" if node in world.crashed else "up",
            side=side,
            timer=node in world.timers,
            state=describe_state(state),
        )
    for c in h.copies:
        m = c.message
        g.add_edge(
            m.src,
            m.dst,
            key=c.id,
            type=m.KIND,
            ballot=str(m.ballot),
            value=message_value(m),
            label=m.label,
            status=c.status,
            sent=c.sent,
            ended=c.ended,
            origin=c.origin,
            deliveries=len(c.deliveries),
            blocked=c.status == INFLIGHT and not world.can_reach(m.src, m.dst),
            message=m,
        )
    return g


# -- layout and geometry --------------------------------------------------------------------------

COL_IN = 2.3      # inches between role columns
ROW_IN = 0.85     # inches between nodes of a column
BOX_W = 1.4       # a node's box: name and two state lines of 9 pt text
BOX_H = 0.62
TEXT_PT = 9.0
_LINE_IN = 0.18   # a line of 9 pt text
_BAND = 0.32      # how far above / below the boxes a curve may bend
_LIST_ROWS = 5    # rows of the in-flight list under the nodes
_TITLE_IN = 0.5   # two title lines above the nodes


def layout(node_ids: tuple[str, ...], roles: dict[str, str]) -> dict[str, Point]:
    """Fixed positions, in inches: a column per role (proposers, acceptors, learners), each
    column centred on y = 0; nodes that all play one role (Multi-Paxos replicas), or roles
    this layout does not know, on a circle."""
    kinds = {roles[n] for n in node_ids}
    if len(kinds) > 1 and kinds <= set(ROLE_COLUMN):
        columns: dict[int, list[str]] = {}
        for n in node_ids:
            columns.setdefault(ROLE_COLUMN[roles[n]], []).append(n)
        pos: dict[str, Point] = {}
        for x, members in columns.items():
            for i, n in enumerate(members):
                pos[n] = (x * COL_IN, ((len(members) - 1) / 2 - i) * ROW_IN)
        return pos
    k = len(node_ids)
    radius = max(1.3, k * (BOX_W + 0.45) / (2 * math.pi))
    return {
        n: (round(radius * math.cos(math.pi / 2 - 2 * math.pi * i / k), 6),
            round(radius * math.sin(math.pi / 2 - 2 * math.pi * i / k), 6))
        for i, n in enumerate(node_ids)
    }


def _inside(points: np.ndarray, centre: Point, margin: float) -> np.ndarray:
    """Which of ``points`` lie in the box around ``centre`` grown by ``margin``."""
    return ((np.abs(points[:, 0] - centre[0]) <= BOX_W / 2 + margin)
            & (np.abs(points[:, 1] - centre[1]) <= BOX_H / 2 + margin))


def _route(p: Point, q: Point, others: list[Point], band: tuple[float, float]) -> np.ndarray:
    """A quadratic curve from box ``p`` to box ``q`` that enters no other box and stays in
    ``band`` (y from, to), trimmed at both boxes: the first bend that works, else the least
    bent."""
    (x0, y0), (x1, y1) = p, q
    dx, dy = x1 - x0, y1 - y0
    t = np.linspace(0.0, 1.0, 64)
    u = 1 - t
    best = None
    for bend in (0.12, -0.12, 0.3, -0.3, 0.5, -0.5, 0.75, -0.75):
        cx = (x0 + x1) / 2 + bend * dy
        cy = (y0 + y1) / 2 - bend * dx
        pts = np.column_stack([u * u * x0 + 2 * u * t * cx + t * t * x1,
                               u * u * y0 + 2 * u * t * cy + t * t * y1])
        keep = ~_inside(pts, p, 0.03) & ~_inside(pts, q, 0.03)
        first = int(np.argmax(keep))
        last = len(keep) - int(np.argmax(keep[::-1]))
        pts = pts[first:last]
        if best is None:
            best = pts
        clear = all(not _inside(pts, o, 0.06).any() for o in others)
        if clear and band[0] <= pts[:, 1].min() and pts[:, 1].max() <= band[1]:
            return pts
    assert best is not None
    return best


def _bezier(a: Point, b: Point, n: int = 20) -> np.ndarray:
    """A cubic curve from ``a`` to ``b`` leaving and arriving horizontally (x-monotone)."""
    k = (b[0] - a[0]) / 2
    t = np.linspace(0.0, 1.0, n)[:, None]
    u = 1 - t
    a_, b_ = np.array(a), np.array(b)
    c1, c2 = np.array((a[0] + k, a[1])), np.array((b[0] - k, b[1]))
    return u ** 3 * a_ + 3 * u * u * t * c1 + 3 * u * t * t * c2 + t ** 3 * b_


def _across(p: Point, q: Point, columns: dict[float, tuple[float, float]]) -> np.ndarray:
    """A curve between boxes in different columns: from the side of ``p``'s box to the
    facing side of ``q``'s, staying between the columns, and passing over (left to right) or
    under (right to left) any column in between.  Messages one way attach a little above the
    middle of a box's side, the other way a little below, so the two directions run apart."""
    right = q[0] > p[0]
    sign = 1.0 if right else -1.0
    lift = 0.07 * sign

    def spread(here: Point, there: Point) -> float:  # fan the ends out along the side
        return float(np.clip(0.08 * (there[1] - here[1]), -0.17, 0.17))

    points: list[Point] = [(p[0] + sign * BOX_W / 2, p[1] + lift + spread(p, q))]
    between = sorted((x for x in columns if min(p[0], q[0]) < x < max(p[0], q[0])),
                     reverse=not right)
    for x in between:
        low, high = columns[x]
        y = high + 0.16 if right else low - 0.16
        points += [(x - sign * (BOX_W / 2 + 0.12), y), (x + sign * (BOX_W / 2 + 0.12), y)]
    points.append((q[0] - sign * BOX_W / 2, q[1] + lift + spread(q, p)))
    parts = [_bezier(a, b) for a, b in itertools.pairwise(points)]
    return np.concatenate([parts[0], *(part[1:] for part in parts[1:])])


def _head(curve: np.ndarray, size: float) -> np.ndarray:
    """A triangular arrowhead at the end of ``curve``."""
    tip = curve[-1]
    d = tip - curve[-2]
    d = d / (np.hypot(*d) or 1.0)
    n = np.array([-d[1], d[0]])
    base = tip - d * size
    return np.array([tip, base + n * size * 0.45, base - n * size * 0.45])


def _limits(pos: dict[str, Point]) -> tuple[Point, Point]:
    """The data limits (inches) that fit the nodes, their curves, the title above and the
    in-flight list below."""
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    x0, x1 = min(xs) - BOX_W / 2 - 0.1, max(xs) + BOX_W / 2 + 0.1
    x1 = max(x1, x0 + 5.2)  # room for two columns of the in-flight list
    return ((x0, x1),
            (min(ys) - BOX_H / 2 - _BAND - 0.1 - _LINE_IN * (_LIST_ROWS + 1),
             max(ys) + BOX_H / 2 + _BAND + _TITLE_IN))


def graph_size(node_ids: tuple[str, ...], roles: dict[str, str]) -> tuple[float, float]:
    """The figure size (inches) that shows the drawing at one data unit per inch."""
    (x0, x1), (y0, y1) = _limits(layout(tuple(node_ids), roles))
    left, right, top, bottom = GRAPH_MARGINS
    return round(x1 - x0 + left + right, 2), round(y1 - y0 + top + bottom, 2)


def _fit(text: str, width_in: float, weight: str = "normal") -> str:
    """``text``, cut with an ellipsis to fit ``width_in`` at 9 pt."""
    if text_width(text, TEXT_PT, weight) <= width_in * 72:
        return text
    while text and text_width(text + "…", TEXT_PT, weight) > width_in * 72:
        text = text[:-1]
    return text.rstrip() + "…"


# -- drawing ----------------------------------------------------------------------------------


class GraphView:
    """The message-flow drawing on one Axes, built once and updated in place."""

    def __init__(self, ax: Axes, node_ids: tuple[str, ...], roles: dict[str, str]) -> None:
        self.ax = ax
        self.node_ids = tuple(node_ids)
        self.roles = dict(roles)
        self.pos = layout(self.node_ids, self.roles)
        ax.clear()
        ax.set_aspect("equal", adjustable="box")
        self.xlim, self.ylim = _limits(self.pos)
        ax.set_xlim(*self.xlim)
        ax.set_ylim(*self.ylim)
        ax.set_axis_off()
        ys = [p[1] for p in self.pos.values()] or [0.0]
        self._band = (min(ys) - BOX_H / 2 - _BAND, max(ys) + BOX_H / 2 + _BAND)
        # the role columns (x: lowest and highest box edge), when the layout has them
        self._columns: dict[float, tuple[float, float]] = {}
        if {self.roles[n] for n in self.node_ids} <= set(ROLE_COLUMN):
            for x, y in self.pos.values():
                low, high = self._columns.get(x, (y, y))
                self._columns[x] = (min(low, y - BOX_H / 2), max(high, y + BOX_H / 2))

        def lines(**kw: Any) -> LineCollection:
            return ax.add_collection(LineCollection([], **kw), autolim=False)

        def heads(**kw: Any) -> PolyCollection:
            return ax.add_collection(PolyCollection([], **kw), autolim=False)

        self.history_lines = lines(colors=DELIVERED, linewidths=0.9, zorder=1)
        self.history_heads = heads(facecolors=DELIVERED, edgecolors="none", zorder=1)
        self.flight_lines = lines(linewidths=1.5, linestyles=(0, (4, 2.5)), zorder=3)
        self.flight_heads = heads(edgecolors="none", zorder=3)
        self.last_lines = lines(linewidths=3.2, zorder=4)
        self.last_heads = heads(edgecolors="none", zorder=4)
        self.drop_marks = ax.scatter([], [], s=80, marker="x", linewidths=2.4, zorder=6,
                                     color=CRASH)
        self.dup_marks = ax.scatter([], [], s=80, marker="P", zorder=6, color="#000000")

        def box(n: str, grow: float) -> FancyBboxPatch:
            x, y = self.pos[n]
            return FancyBboxPatch((x - BOX_W / 2 - grow, y - BOX_H / 2 - grow),
                                  BOX_W + 2 * grow, BOX_H + 2 * grow,
                                  boxstyle="round,pad=0,rounding_size=0.08")

        self.halos = ax.add_collection(PatchCollection(
            [box(n, 0.06) for n in self.node_ids], facecolors="none", linewidths=3.5,
            zorder=4.5), autolim=False)
        self.halos.set_visible(False)
        self.circles = ax.add_collection(PatchCollection(
            [box(n, 0.0) for n in self.node_ids], linewidths=1.2, zorder=5), autolim=False)
        self.names = PathTexts(ax, zorder=7)
        self.states = PathTexts(ax, zorder=7)
        self.labels = PathTexts(ax, zorder=8, clip=False)   # the in-flight list: labels
        self.routes = PathTexts(ax, zorder=8, clip=False)   # ... and where each goes
        self.title = PathTexts(ax, zorder=8, clip=False)
        self.legend = KeyLegend(ax, TEXT_PT, top_in=0.02)
        self._geometry: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}

    # -- geometry cache --------------------------------------------------------------------

    def _edge(self, src: str, dst: str) -> tuple[np.ndarray, np.ndarray]:
        key = (src, dst)
        got = self._geometry.get(key)
        if got is None:
            p, q = self.pos[src], self.pos[dst]
            if self._columns and abs(p[0] - q[0]) > BOX_W:
                curve = _across(p, q, self._columns)
            else:
                others = [xy for n, xy in self.pos.items() if n not in key]
                curve = _route(p, q, others, self._band)
            got = (curve, _head(curve, 0.11))
            self._geometry[key] = got
        return got

    # -- update ------------------------------------------------------------------------------

    def update(self, h: History) -> None:
        """Show the world after the last step of ``h``."""
        world = h.world
        crashed = world.crashed
        part = world.partition
        used: set[str] = set()

        faces, edges, widths = [], [], []
        names, states = [], []
        inner = BOX_W - 0.12
        for n, state in zip(self.node_ids, world.nodes, strict=True):
            down = n in crashed
            x, y = self.pos[n]
            faces.append(CRASHED_FACE if down else role_face(self.roles[n]))
            edges.append(CRASHED_EDGE if down else "#333333")
            widths.append(1.0 if down else 1.4)
            top = y + BOX_H / 2 - 0.13
            names.append(TextItem(n, x, top, CRASHED_EDGE if down else "#000000", TEXT_PT,
                                  "center", "center", weight="bold"))
            text = "crashed" if down else short_state(state)
            lines_ = text.split("\n")
            if n in world.timers and not down:
                if len(lines_) < 2:
                    lines_.append("(timer)")
                else:
                    lines_[0] += " (timer)"
                used.add("timer")
            if down:
                used.add("crashed")
            for i, line in enumerate(lines_[:2]):
                states.append(TextItem(_fit(line, inner), x, top - _LINE_IN * (i + 1),
                                       "#8B0000" if down else TEXT, TEXT_PT, "center",
                                       "center"))
        self.circles.set_facecolors(faces)
        self.circles.set_edgecolors(edges)
        self.circles.set_linewidths(widths)
        self.names.set(names)
        self.states.set(states)

        if part is None:
            self.halos.set_visible(False)
            split = ""
        else:
            self.halos.set_visible(True)
            sides = [part.side_of(n) for n in self.node_ids]
            self.halos.set_edgecolors([SIDE_COLOURS[s % len(SIDE_COLOURS)] for s in sides])
            self.halos.set_linestyles(["solid" if s % 2 == 0 else (0, (3, 1.5)) for s in sides])
            split = "partition: " + " | ".join(",".join(g) for g in part.groups)
            used.add("partition")
        last = h.last()
        head = f"step {h.now}" + ("" if last is None else f": {last.action}")
        x0, y1 = self.xlim[0], self.ylim[1]
        title = [TextItem(head, x0, y1 - 0.2, "#000000", TEXT_PT + 1, "left", "center")]
        if split:
            title.append(TextItem(split, x0, y1 - 0.42, PARTITION_TEXT, TEXT_PT, "left",
                                  "center"))
        self.title.set(title)

        # delivered history: one faint curve per pair; in flight: grouped per pair
        seen: set[tuple[str, str]] = set()
        hl, hh = [], []
        flight: dict[tuple[str, str], list[Any]] = {}
        for c in h.copies:
            m = c.message
            key = (m.src, m.dst)
            if key[0] not in self.pos or key[1] not in self.pos:
                continue
            if c.status == INFLIGHT:
                flight.setdefault(key, []).append(c)
            if c.deliveries and key not in seen:
                seen.add(key)
                curve, head_ = self._edge(*key)
                hl.append(curve)
                hh.append(head_)
        if hl:
            used.add("delivered")
        self.history_lines.set_segments(hl)
        self.history_heads.set_verts(hh)

        fl, fh, fc, rows = [], [], [], []
        for key, copies in flight.items():
            curve, head_ = self._edge(*key)
            newest = copies[-1].message
            colour = kind_colour(newest.KIND)
            fl.append(curve)
            fh.append(head_)
            fc.append(colour)
            used.add("kind:" + newest.KIND)
            src, dst = key
            after = f"{src}\u2192{dst}"
            if len(copies) > 1:
                same = sum(1 for c in copies if c.message == newest)
                if same == len(copies):
                    after += f" \u00d7{same}"
                    used.add("times")
                else:
                    after += f" +{len(copies) - 1}"
                    used.add("plus")
            if not world.can_reach(src, dst):
                after += " (cut)"
                used.add("cut")
            elif dst in crashed:
                after += " (down)"
                used.add("down")
            rows.append((newest.label, colour, after))
        if fl:
            used.add("inflight")
        self._list(rows)
        self.flight_lines.set_segments(fl)
        self.flight_lines.set_colors(fc)
        self.flight_heads.set_verts(fh)
        self.flight_heads.set_facecolors(fc)

        ll, lh, lc = [], [], []
        drop_xy: list[tuple[float, float]] = []
        dup_xy: list[tuple[float, float]] = []
        if last is not None and last.copy is not None:
            c = h.copies[last.copy]
            key = (c.message.src, c.message.dst)
            if key[0] in self.pos and key[1] in self.pos:
                curve, head_ = self._edge(*key)
                mid = curve[len(curve) // 2]
                if c.status == DROPPED and c.ended == h.now:
                    drop_xy.append((mid[0], mid[1]))
                    used.add("drop")
                elif c.origin == "duplicate" and c.sent == h.now:
                    dup_xy.append((mid[0], mid[1]))
                    used.add("duplicate")
                elif c.deliveries:
                    ll.append(curve)
                    lh.append(head_)
                    lc.append(kind_colour(c.message.KIND))
                    used.add("last")
                    used.add("kind:" + c.message.KIND)
        self.last_lines.set_segments(ll)
        self.last_lines.set_colors(lc)
        self.last_heads.set_verts(lh)
        self.last_heads.set_facecolors(lc)
        self.drop_marks.set_offsets(np.array(drop_xy, dtype=float).reshape(-1, 2))
        self.dup_marks.set_offsets(np.array(dup_xy, dtype=float).reshape(-1, 2))
        self._set_legend(used)

    def _list(self, rows: list[tuple[str, str, str]]) -> None:
        """The in-flight messages as a list under the nodes, in two columns: each pair's
        newest label in its type's colour, then where it goes and how many wait."""
        x0, x1 = self.xlim
        y0 = self._band[0] - 0.1
        col_w = (x1 - x0 - 0.1) / 2
        capacity = 2 * _LIST_ROWS
        if len(rows) > capacity:
            rest = len(rows) - capacity + 1
            rows = [*rows[: capacity - 1], (f"… and {rest} more", MUTED, "")]
        labels, routes = [], []
        if rows:
            routes.append(TextItem("in flight:", x0 + 0.05, y0 - _LINE_IN * 0.5, MUTED,
                                   TEXT_PT))
        for i, (label, colour, after) in enumerate(rows):
            col, row = divmod(i, _LIST_ROWS)
            x = x0 + 0.05 + col * col_w
            y = y0 - _LINE_IN * (row + 1.5)
            room = col_w - 0.15 - (text_width(after, TEXT_PT) / 72 + 0.05 if after else 0)
            label = _fit(label, max(room, col_w * 0.5))
            labels.append(TextItem(label, x, y, colour, TEXT_PT))
            if after:
                dx = text_width(label, TEXT_PT) / 72 + 0.05
                routes.append(TextItem(_fit(after, col_w - dx - 0.1), x + dx, y, MUTED,
                                       TEXT_PT))
        self.labels.set(labels)
        self.routes.set(routes)

    def _set_legend(self, used: set[str]) -> None:
        """A legend of exactly the marks, rings and line styles drawn (laid out on change)."""
        self.legend.set(_legend_keys(used))


def _legend_keys(used: set[str]) -> list[Key]:
    kinds = [k[5:] for k in sorted(used) if k.startswith("kind:")]
    order = list(KIND_COLOURS)
    kinds.sort(key=lambda k: (order.index(k) if k in order else len(order), k))
    keys = [Key(k, kind_colour(k), "-", width=2.5) for k in kinds]
    marks = [
        ("inflight", Key("in flight (dashed)", MUTED, (0, (4, 2.5)))),
        ("delivered", Key("delivered before", DELIVERED, "-", width=1.0)),
        ("last", Key("delivered this step", MUTED, "-", width=3.2)),
        ("drop", Key("dropped this step", CRASH, marker="x", marker_size=8)),
        ("duplicate", Key("copied this step", "#000000", marker="P", marker_size=8)),
        ("crashed", Key("crashed node", face=CRASHED_FACE, edge=CRASHED_EDGE)),
        ("partition", Key("partition side 1", edge=SIDE_COLOURS[0])),
        ("partition", Key("partition side 2", edge=SIDE_COLOURS[1], edge_style=(0, (3, 1.5)))),
        ("timer", Key("(timer): retry timer set")),
        ("times", Key("\u00d7n: n copies in flight")),
        ("plus", Key("+n: n more on that edge")),
        ("cut", Key("(cut): partition blocks it")),
        ("down", Key("(down): receiver crashed")),
    ]
    return keys + [key for name, key in marks if name in used]


def _roles(h: History) -> dict[str, str]:
    return {n: h.role_of(n) for n in h.node_ids}


def draw_message_graph(source: Any, ax: Axes | None = None, step: int | None = None) -> Axes:
    """Draw the message-flow graph of a Simulation or Trace (after ``step`` steps).

    With no ``ax`` a new figure is made; either way the Axes drawn on is returned.
    """
    h = history_of(source, step)
    roles = _roles(h)
    ax = new_axes(ax, *graph_size(h.node_ids, roles), margins=GRAPH_MARGINS)
    view = GraphView(ax, h.node_ids, roles)
    view.update(h)
    return ax
