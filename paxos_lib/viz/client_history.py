"""The chart of a client history: one row per client, one bar per operation.

Theory of operation
-------------------
``history_chart(history, result=None)`` draws what a linearizability checker judges
(``paxos_lib.linearizability``).  Time (engine steps) runs left to right:

- each client has a row (a second row, with the same name, when one client's operations
  overlap, as after a pending one it gave up on); each
  operation is a bar from its invocation to its response, labelled above with its command
  (``confirm #42``) and what the client saw (``→ applied``, ``→ CONFIRMED``); writes and reads
  differ in colour *and* in their words;
- a pending operation (no response) is a hatched bar with a dashed edge running to the right
  edge of the chart, ending in ``▶``, labelled ``→ no reply``;
- given a verdict (``result``, a ``Linearizability``): when linearizable, a ◆ on each bar marks
  the instant it takes effect in the witness order (the running maximum of invocations along
  that order, which lies inside every bar); when not, the shortest violation's operations are
  drawn in the violation colour with a ✗ before their labels, the others greyed, and the
  explanation is the title.

Layout: labels are left-aligned at their bar's start and measured once drawn; a label that
would touch an earlier one in its lane goes one level up.  Then the figure's height is set
from the lanes, the levels and the wrapped title, in inches, so no text overlaps another, no
line crosses a label, and every text is at least 9 pt in a colour of ``palette.py`` (WCAG AA
on white).  Bars are patches, and the chart draws no grid lines.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from paxos_lib.errors import ConfigError
from paxos_lib.linearizability import Linearizability, Operation, _validate
from paxos_lib.viz.palette import MUTED, OKABE_ITO, TEXT, VIOLATION
from paxos_lib.viz.style import set_margins

__all__ = ["history_chart"]

WIDTH = 9.0  # inches
LEFT, RIGHT, BOTTOM = 0.9, 0.35, 0.6  # margins, inches
LABEL_PT = 9.5
TITLE_PT = 10.5
BAR_H = 0.16  # inches
GAP = 0.05  # between a bar and its first label level, and between levels
LANE_GAP = 0.22
PAD_PX = 6.0  # horizontal room between two labels on one level

WRITE_FACE = OKABE_ITO[0]  # blue
READ_FACE = OKABE_ITO[3]  # bluish green
GREY_FACE = "#c8c8c8"
VIOLATION_FACE = OKABE_ITO[4]  # vermillion
POINT = "#222222"


def _label(op: Operation) -> str:
    kind = op.kind
    head = f"{kind} #{op.order_id}"
    if op.result is None:
        return f"{head}\n→ no reply"
    if op.is_read:
        return f"{head}\n→ {op.result.strip().upper()}"
    result = op.result.strip()
    if result.startswith(op.command + ": "):
        result = result[len(op.command) + 2:]
    word = "applied" if result.startswith("applied") else (
        "rejected" if result.startswith("rejected") else "duplicate")
    return f"{head}\n→ {word}"


def _lanes(ops: Sequence[Operation]) -> list[tuple[str, list[Operation]]]:
    """(client, operations) per lane: clients by first invocation; overlapping operations of
    one client go to a further lane of that client."""
    clients: dict[str, list[list[Operation]]] = {}
    for op in ops:
        lanes = clients.setdefault(op.client, [])
        for lane in lanes:
            last = lane[-1]
            if last.responded is not None and last.responded <= op.invoked:
                lane.append(op)
                break
        else:
            lanes.append([op])
    return [(client, lane) for client, lanes in clients.items() for lane in lanes]


def _instants(order: Sequence[Operation]) -> dict[Operation, float]:
    """Where each operation of a witness takes effect, strictly increasing where there is room.

    Operation k may take effect at ``base_k``, the latest invocation among operations 0..k:
    each of them was placed no later than every operation j >= k, so it was invoked no later
    than j responded, hence ``base_k <= min(responded of k..end)``.  Ties are nudged apart by
    half a step at most, never past that bound, so every instant stays inside its own bar and
    the instants keep the witness order.
    """
    ends = [float("inf") if op.responded is None else float(op.responded) for op in order]
    bound = ends[:]
    for k in range(len(bound) - 2, -1, -1):
        bound[k] = min(bound[k], bound[k + 1])
    instants: dict[Operation, float] = {}
    base = previous = float("-inf")
    for k, op in enumerate(order):
        base = max(base, op.invoked)
        instant = max(base, previous)
        if k and instant == previous:
            instant = min(previous + 0.5, (previous + bound[k]) / 2)
        instants[op] = instant
        previous = instant
    return instants


def _title(result: Linearizability | None, ops: Sequence[Operation]) -> str:
    if result is None:
        return f"{len(ops)} client operations: a bar from invocation to response"
    if result.linearizable:
        return (
            "Linearizable: ◆ marks the instant each operation takes effect; in that order "
            "the order book gives every result the clients saw."
        )
    return "✗ " + result.explanation


def history_chart(history: Iterable[Operation], result: Linearizability | None = None) -> Axes:
    """Draw ``history`` (and, when given, the checker's verdict ``result``) in a new figure;
    return its Axes."""
    ops = tuple(sorted(_validate(history), key=lambda op: (op.invoked, op.client)))
    if not ops:
        raise ConfigError("history_chart needs at least one Operation, got an empty history")
    if result is not None and not isinstance(result, Linearizability):
        raise ConfigError(
            f"result must be the Linearizability that check_linearizable returned, or None, "
            f"got {result!r}"
        )
    known = set(ops)
    bad = {
        op for group in (() if result is None else (result.order or (), result.violation or ()))
        for op in group if op not in known
    }
    if bad:
        raise ConfigError(
            f"result names operations that are not in the history: {sorted(map(str, bad))}; "
            "pass the verdict of this same history"
        )
    violation = set(result.violation or ()) if result is not None else set()
    instants = _instants(result.order) if result is not None and result.order else {}

    last = max(max(op.invoked, op.responded or op.invoked) for op in ops)
    first = min(op.invoked for op in ops)
    span = max(last - first, 1)
    x0, x1 = first - 0.03 * span - 0.5, last + 0.08 * span + 1.0

    fig = plt.figure(figsize=(WIDTH, 3.0))
    set_margins(fig, LEFT, RIGHT, 0.5, BOTTOM)
    ax = fig.add_subplot()
    ax.set_xlim(x0, x1)
    ax.set_ylim(0, 1)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    dpi = fig.dpi

    lanes = _lanes(ops)
    texts: dict[Operation, Text] = {}
    levels: dict[Operation, int] = {}
    lane_levels: list[int] = []
    label_h = 0.0
    for _, lane in lanes:
        placed: list[list[tuple[float, float]]] = []
        for op in lane:
            colour = VIOLATION if op in violation else (MUTED if violation else TEXT)
            text = ("✗ " if op in violation else "") + _label(op)
            t = ax.text(op.invoked, 0.5, text, fontsize=LABEL_PT, color=colour, ha="left",
                        va="bottom", linespacing=1.15)
            box = t.get_window_extent(renderer)
            label_h = max(label_h, box.height / dpi)
            span_px = (box.x0 - PAD_PX / 2, box.x1 + PAD_PX / 2)
            for level, taken in enumerate(placed):
                if all(span_px[1] <= a or span_px[0] >= b for a, b in taken):
                    taken.append(span_px)
                    levels[op] = level
                    break
            else:
                placed.append([span_px])
                levels[op] = len(placed) - 1
            texts[op] = t
        lane_levels.append(len(placed))

    title_text = _title(result, ops)
    chars = int((WIDTH - 0.3) * 72 / (0.56 * TITLE_PT))
    while True:
        wrapped = "\n".join(textwrap.fill(part, chars) for part in title_text.split("\n"))
        title = fig.suptitle(wrapped, fontsize=TITLE_PT, color=VIOLATION if violation else TEXT,
                             x=0.5 / WIDTH, ha="left", va="top")
        box = title.get_window_extent(renderer)
        if box.width / dpi <= WIDTH - 0.6 or chars < 30:
            break
        chars -= 6
    title_h = box.height / dpi
    top = title_h + 0.35

    heights = [BAR_H + n * (label_h + GAP) + GAP + LANE_GAP for n in lane_levels]
    plot_h = sum(heights)
    fig.set_size_inches(WIDTH, top + plot_h + BOTTOM)
    set_margins(fig, LEFT, RIGHT, top, BOTTOM)
    title.set_y(1 - 0.15 / (top + plot_h + BOTTOM))
    ax.set_ylim(plot_h, 0)

    ticks: list[float] = []
    tick_labels: list[str] = []
    y = 0.0
    for (client, lane), height in zip(lanes, heights, strict=True):
        bar_y = y + height - LANE_GAP / 2 - BAR_H / 2
        ticks.append(bar_y)
        tick_labels.append(client)
        for op in lane:
            face = READ_FACE if op.is_read else WRITE_FACE
            if violation:
                face = VIOLATION_FACE if op in violation else GREY_FACE
            end = x1 if op.responded is None else op.responded
            if op.responded is None:
                ax.add_patch(Rectangle((op.invoked, bar_y - BAR_H / 2), end - op.invoked, BAR_H,
                                       facecolor="white", edgecolor=face, hatch="///",
                                       linestyle="--", linewidth=1.2, zorder=2))
                ax.plot([x1], [bar_y], marker=">", color=face, markersize=7, linestyle="None",
                        clip_on=False, zorder=3)
            else:
                ax.add_patch(Rectangle((op.invoked, bar_y - BAR_H / 2), end - op.invoked, BAR_H,
                                       facecolor=face, edgecolor=TEXT if op in violation
                                       else face, linewidth=1.2, zorder=2))
            if op in instants:
                ax.plot([instants[op]], [bar_y], marker="D", color=POINT, markersize=6,
                        markeredgecolor="white", linestyle="None", zorder=4, gid=str(op))
            label_y = bar_y - BAR_H / 2 - GAP - levels[op] * (label_h + GAP)
            texts[op].set_position((op.invoked, label_y))
        y += height

    ax.set_yticks(ticks, tick_labels, fontsize=LABEL_PT + 0.5, color=TEXT)
    ax.tick_params(axis="y", length=0)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(axis="x", labelsize=LABEL_PT, colors=TEXT)
    ax.set_xlabel("engine step", fontsize=LABEL_PT, color=TEXT)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    return ax
