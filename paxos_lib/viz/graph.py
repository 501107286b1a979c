"""The message-flow graph: who is up, what is in flight, what was delivered or dropped.

Theory of operation
-------------------
``message_graph(source)`` turns a run (a Simulation, a Trace, or a ``History``) into a
``networkx.MultiDiGraph``.  Nodes are the cluster's nodes, with their role, status (``up`` or
``crashed``), partition side and a one-line state.  Edges are message *copies* keyed by copy
id (see ``history.py``): every copy ever sent, with its type, ballot, value, label, status
(``inflight``, ``delivered``, ``dropped``) and the steps that sent and ended it.  Tests and
curious learners read this graph; nothing in it depends on drawing.

``draw_message_graph`` draws the same facts at one instant.  Positions are fixed: proposers
left, acceptors in the middle, learners right (a cluster whose roles are something else, such
as Multi-Paxos replicas, is drawn on a circle).  Many copies share a pair of nodes, so the
drawing groups them per directed pair:

- in-flight copies: one dashed curve per pair, coloured by the newest copy's type, labelled
  with its short label (``prepare 1.p1``) and how many more are waiting; a copy the partition
  blocks, or whose receiver is down, is labelled so;
- delivered history: one faint grey curve per pair that ever carried a delivered message;
- the last step's message: a thick curve (delivered), a cross at its midpoint (dropped) or a
  plus (duplicated).

Crashed nodes are grey; partition sides get coloured rings and the title names the groups.

``GraphView`` builds every artist once and ``update`` only changes their data, which is what
keeps the stepper's redraw fast (see ``bench/stepper.py``).  All geometry is in data units on
equal-aspect axes, so circles stay round and arrowheads need no pixel arithmetic.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import networkx as nx
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PatchCollection, PolyCollection
from matplotlib.patches import Circle

from paxos_lib.engine import describe_state
from paxos_lib.viz.history import DROPPED, INFLIGHT, History, history_of, message_value
from paxos_lib.viz.style import (
    CRASHED_EDGE,
    CRASHED_FACE,
    KIND_COLOURS,
    ROLE_COLUMN,
    SIDE_COLOURS,
    kind_colour,
    new_axes,
    role_face,
)
from paxos_lib.viz.textpaths import PathTexts, TextItem

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
GRAPH_MARGINS = (0.05, 0.05, 0.3, 0.05)

_CURVE_POINTS = 12
_BEND = 0.12          # sideways bend of a curve, as a fraction of its length
_LONG_BEND = 0.32     # bend of a curve that skips a column (proposer -> learner)


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
    text = describe_state(state)
    return text if len(text) <= 28 else text[:27] + "…"


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


def layout(node_ids: tuple[str, ...], roles: dict[str, str]) -> dict[str, Point]:
    """Fixed positions: a column per role (proposers, acceptors, learners); nodes that all
    play one role (Multi-Paxos replicas), or roles this layout does not know, on a circle."""
    kinds = {roles[n] for n in node_ids}
    if len(kinds) > 1 and kinds <= set(ROLE_COLUMN):
        columns: dict[int, list[str]] = {}
        for n in node_ids:
            columns.setdefault(ROLE_COLUMN[roles[n]], []).append(n)
        tallest = max(len(c) for c in columns.values())
        gap = min(0.3, 1.3 / max(tallest - 1, 1))
        pos: dict[str, Point] = {}
        for x, members in columns.items():
            top = 0.65 + gap * (len(members) - 1) / 2
            for i, n in enumerate(members):
                pos[n] = (float(x), top - gap * i)
        return pos
    k = len(node_ids)
    return {
        n: (1.0 + 0.75 * math.cos(math.pi / 2 - 2 * math.pi * i / k),
            0.62 + 0.62 * math.sin(math.pi / 2 - 2 * math.pi * i / k))
        for i, n in enumerate(node_ids)
    }


def _limits(pos: dict[str, Point]) -> tuple[Point, Point]:
    """The data limits that fit the nodes, their state lines, the title and the legend."""
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    return (min(xs) - 0.38, max(xs) + 0.38), (min(ys) - 0.34, max(ys) + 0.2)


def graph_size(node_ids: tuple[str, ...], roles: dict[str, str],
               width: float = 6.0) -> tuple[float, float]:
    """A figure size (inches) ``width`` wide whose height fits the drawing, no taller."""
    (x0, x1), (y0, y1) = _limits(layout(tuple(node_ids), roles))
    left, right, top, bottom = GRAPH_MARGINS
    inner = width - left - right
    return width, round(inner * (y1 - y0) / (x1 - x0) + top + bottom, 2)


def _curve(p: Point, q: Point, radius: float, bend: float) -> np.ndarray:
    """Points of a quadratic curve from node ``p`` to node ``q``, trimmed at both circles."""
    (x0, y0), (x1, y1) = p, q
    dx, dy = x1 - x0, y1 - y0
    length = math.hypot(dx, dy) or 1.0
    cx = (x0 + x1) / 2 + bend * dy
    cy = (y0 + y1) / 2 - bend * dx
    t0 = min(0.45, radius * 1.15 / length)
    t = np.linspace(t0, 1 - t0, _CURVE_POINTS)
    u = 1 - t
    xs = u * u * x0 + 2 * u * t * cx + t * t * x1
    ys = u * u * y0 + 2 * u * t * cy + t * t * y1
    return np.column_stack([xs, ys])


def _head(curve: np.ndarray, size: float) -> np.ndarray:
    """A triangular arrowhead at the end of ``curve``."""
    tip = curve[-1]
    d = tip - curve[-2]
    d = d / (np.hypot(*d) or 1.0)
    n = np.array([-d[1], d[0]])
    base = tip - d * size
    return np.array([tip, base + n * size * 0.45, base - n * size * 0.45])


# -- drawing ----------------------------------------------------------------------------------


class GraphView:
    """The message-flow drawing on one Axes, built once and updated in place."""

    def __init__(self, ax: Axes, node_ids: tuple[str, ...], roles: dict[str, str]) -> None:
        self.ax = ax
        self.node_ids = tuple(node_ids)
        self.roles = dict(roles)
        self.pos = layout(self.node_ids, self.roles)
        closest = min(
            (math.dist(p, q) for p, q in itertools.combinations(self.pos.values(), 2)),
            default=1.0,
        )
        self.radius = min(0.1, 0.42 * closest)
        ax.clear()
        ax.set_aspect("equal", adjustable="box")
        self.xlim, self.ylim = _limits(self.pos)
        ax.set_xlim(*self.xlim)
        ax.set_ylim(*self.ylim)
        ax.set_axis_off()

        def lines(**kw: Any) -> LineCollection:
            return ax.add_collection(LineCollection([], **kw), autolim=False)

        def heads(**kw: Any) -> PolyCollection:
            return ax.add_collection(PolyCollection([], **kw), autolim=False)

        self.history_lines = lines(colors="#bbbbbb", linewidths=0.8, zorder=1)
        self.history_heads = heads(facecolors="#bbbbbb", edgecolors="none", zorder=1)
        self.flight_lines = lines(linewidths=1.4, linestyles=(0, (4, 2.5)), zorder=3)
        self.flight_heads = heads(edgecolors="none", zorder=3)
        self.last_lines = lines(linewidths=3.0, zorder=4)
        self.last_heads = heads(edgecolors="none", zorder=4)
        self.drop_marks = ax.scatter([], [], s=70, marker="x", linewidths=2.2, zorder=6,
                                     color="#D55E00")
        self.dup_marks = ax.scatter([], [], s=70, marker="P", zorder=6, color="#000000")
        self.halos = ax.add_collection(PatchCollection(
            [Circle(self.pos[n], self.radius * 1.38) for n in self.node_ids],
            facecolors="none", linewidths=3.5, zorder=4.5), autolim=False)
        self.halos.set_visible(False)
        self.circles = ax.add_collection(PatchCollection(
            [Circle(self.pos[n], self.radius) for n in self.node_ids],
            linewidths=1.2, zorder=5), autolim=False)
        self.names = PathTexts(ax, zorder=7)
        self.states = PathTexts(ax, zorder=7)
        self.labels = PathTexts(ax, zorder=8, halo=True)
        self.title = PathTexts(ax, zorder=8, clip=False)
        self._legend()
        self._geometry: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}

    def _legend(self) -> None:
        """Colour swatches for the message types, and the two line styles, along the bottom
        (in axes coordinates, so they fit whatever the layout's limits)."""
        entries = [(k, c, "-") for k, c in KIND_COLOURS.items()]
        entries += [("in flight", "#555555", "--"), ("delivered", "#bbbbbb", "-")]
        step = 1.0 / len(entries)
        segs, colours, styles, items = [], [], [], []
        for i, (name, colour, style) in enumerate(entries):
            x = step * i + 0.005
            segs.append([(x, 0.03), (x + 0.03, 0.03)])
            colours.append(colour)
            styles.append((0, (3, 2)) if style == "--" else "solid")
            items.append(TextItem(name, x + 0.037, 0.03, "#333333", 6.5))
        swatches = LineCollection(segs, colors=colours, linestyles=styles, linewidths=2,
                                  zorder=2, transform=self.ax.transAxes)
        self.ax.add_collection(swatches, autolim=False)
        self.legend = PathTexts(self.ax, zorder=7, clip=False, coords=self.ax.transAxes)
        self.legend.set(items)

    # -- geometry cache --------------------------------------------------------------------

    def _edge(self, src: str, dst: str) -> tuple[np.ndarray, np.ndarray]:
        key = (src, dst)
        got = self._geometry.get(key)
        if got is None:
            p, q = self.pos[src], self.pos[dst]
            skips = abs(p[0] - q[0]) > 1.5 and abs(p[1] - q[1]) < 0.5
            curve = _curve(p, q, self.radius, _LONG_BEND if skips else _BEND)
            got = (curve, _head(curve, self.radius * 0.55))
            self._geometry[key] = got
        return got

    def _label_at(self, src: str, dst: str) -> int:
        """Where along a curve its label goes: near the acceptor end of the curve, so that
        the labels spread out along the acceptor column instead of piling up midway."""
        t = 0.5
        if self.roles.get(dst) == "acceptor":
            t = 0.64
        elif self.roles.get(src) == "acceptor":
            t = 0.36
        return round(t * (_CURVE_POINTS - 1))

    # -- update ------------------------------------------------------------------------------

    def update(self, h: History) -> None:
        """Show the world after the last step of ``h``."""
        world = h.world
        crashed = world.crashed
        part = world.partition

        faces, edges, widths = [], [], []
        names, states = [], []
        for n, state in zip(self.node_ids, world.nodes, strict=True):
            down = n in crashed
            x, y = self.pos[n]
            faces.append(CRASHED_FACE if down else role_face(self.roles[n]))
            edges.append(CRASHED_EDGE if down else "#333333")
            widths.append(1.0 if down else 1.4)
            names.append(TextItem(n, x, y, CRASHED_EDGE if down else "black", 9, "center",
                                  "center", weight="bold"))
            text = "crashed" if down else short_state(state)
            if n in world.timers and not down:
                text += " (timer)"
            for i, line in enumerate(text.split("\n")):
                states.append(TextItem(line, x, y - self.radius * 1.2 - 0.06 * i,
                                       "#b00000" if down else "#333333", 6.5, "center", "top"))
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
            self.halos.set_edgecolors(
                [SIDE_COLOURS[part.side_of(n) % len(SIDE_COLOURS)] for n in self.node_ids]
            )
            split = "partition: " + " | ".join(",".join(g) for g in part.groups)
        last = h.last()
        head = f"step {h.now}" + ("" if last is None else f": {last.action}")
        x0, y1 = self.xlim[0], self.ylim[1]
        title = [TextItem(head, x0, y1, "#000000", 8.5, "left", "bottom")]
        if split:
            title.append(TextItem(split, x0, y1 - 0.09, "#9a6a00", 7.5, "left", "bottom"))
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
        self.history_lines.set_segments(hl)
        self.history_heads.set_verts(hh)

        fl, fh, fc, labels = [], [], [], []
        for key, copies in flight.items():
            curve, head_ = self._edge(*key)
            newest = copies[-1].message
            colour = kind_colour(newest.KIND)
            fl.append(curve)
            fh.append(head_)
            fc.append(colour)
            text = newest.label
            if len(copies) > 1:
                same = sum(1 for c in copies if c.message == newest)
                text += f" \u00d7{same}" if same == len(copies) else f" +{len(copies) - 1}"
            src, dst = key
            if not world.can_reach(src, dst):
                text += " (cut)"
            elif dst in crashed:
                text += " (down)"
            x, y = curve[self._label_at(src, dst)]
            labels.append(TextItem(text, float(x), float(y), colour, 6.5, "center", "center"))
        self.labels.set(labels)
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
                elif c.origin == "duplicate" and c.sent == h.now:
                    dup_xy.append((mid[0], mid[1]))
                elif c.deliveries:
                    ll.append(curve)
                    lh.append(head_)
                    lc.append(kind_colour(c.message.KIND))
        self.last_lines.set_segments(ll)
        self.last_lines.set_colors(lc)
        self.last_heads.set_verts(lh)
        self.last_heads.set_facecolors(lc)
        self.drop_marks.set_offsets(np.array(drop_xy, dtype=float).reshape(-1, 2))
        self.dup_marks.set_offsets(np.array(dup_xy, dtype=float).reshape(-1, 2))


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
