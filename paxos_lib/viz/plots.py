"""Small plots the lessons use beside the message graph and the sequence chart.

``plot_messages_per_command`` draws lesson 07's comparison: messages per command for a
stable Multi-Paxos leader against phase 1 for every slot, with the minimums 2(n-1) and
4(n-1) as dashed lines (colours from ``palette.py``, told apart by marker too; the legend
sits under the axes, clear of the lines).  Like every picture here it takes ``ax=`` and
returns the Axes.

``plot_flexible_tradeoff`` draws lesson 09's Flexible Paxos trade-off from
``paxos_lib.flexible.measure``'s rows: against the phase-2 quorum size, the messages a
leader waits for per command (phase 2) and at a leader change (phase 1), and, on a second
axis, how many acceptors each phase survives losing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from paxos_lib.errors import ConfigError
from paxos_lib.viz.palette import KIND_COLOURS

__all__ = ["plot_flexible_tradeoff", "plot_messages_per_command"]

_STYLE = {
    "classic": ("o-", KIND_COLOURS["prepare"], "stable leader (phase 1 once)", 2),
    "phase1-per-slot": ("s-", KIND_COLOURS["nack"], "phase 1 for every slot", 4),
}


def plot_messages_per_command(
    sizes: Sequence[int],
    cost: Mapping[str, Sequence[float]],
    ax: Axes | None = None,
    title: str = "messages per command",
) -> Axes:
    """Plot ``cost[variant][i]`` (messages per command) against ``sizes[i]`` (replicas) for
    the variants ``classic`` and ``phase1-per-slot``, each with its minimum."""
    unknown = sorted(set(cost) - set(_STYLE))
    if unknown:
        raise ConfigError(f"unknown variant(s) {unknown}; choose from {sorted(_STYLE)}")
    for variant, values in cost.items():
        if len(values) != len(sizes):
            raise ConfigError(f"{variant}: {len(values)} values for {len(sizes)} cluster sizes")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4))
    for variant, values in cost.items():
        marker, colour, label, per = _STYLE[variant]
        ax.plot(sizes, values, marker, color=colour, label=label)
        ax.plot(sizes, [per * (n - 1) for n in sizes], "--", color=colour, alpha=0.6,
                label=f"minimum {per}(n\u22121)")
    ax.set_xlabel("replicas n")
    ax.set_ylabel("messages per command")
    ax.set_xticks(list(sizes))
    ax.set_title(title)
    # under the axes, so that no line or grid line runs through its text
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=2, frameon=False)
    ax.grid(alpha=0.3)
    return ax


def plot_flexible_tradeoff(
    rows: Sequence[Mapping[str, float]],
    ax: Axes | None = None,
    title: str = "Flexible Paxos: cheaper commands, costlier leader changes",
) -> Axes:
    """Plot ``rows`` (``paxos_lib.flexible.measure``) against the phase-2 quorum size."""
    needed = ("phase2_quorum", "phase2_messages", "phase1_messages", "phase2_survives",
              "phase1_survives")
    if not rows:
        raise ConfigError("plot_flexible_tradeoff needs at least one row of measure()")
    for row in rows:
        missing = [k for k in needed if k not in row]
        if missing:
            raise ConfigError(f"a row of measure() has {sorted(row)}; missing {missing}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4.2))
    q2 = [int(r["phase2_quorum"]) for r in rows]
    ax.plot(q2, [r["phase2_messages"] for r in rows], "o-", color=KIND_COLOURS["accept"],
            label="messages per command (phase 2)")
    ax.plot(q2, [r["phase1_messages"] for r in rows], "s-", color=KIND_COLOURS["prepare"],
            label="messages per leader change (phase 1)")
    ax.plot(q2, [r["phase2_survives"] for r in rows], "o--", color=KIND_COLOURS["accept"],
            alpha=0.7, label="slow acceptors a command survives")
    ax.plot(q2, [r["phase1_survives"] for r in rows], "s--", color=KIND_COLOURS["prepare"],
            alpha=0.7, label="crashes a leader change survives")
    ax.set_xlabel("phase-2 quorum q2 (phase-1 quorum n \u2212 q2 + 1)")
    ax.set_ylabel("messages, or acceptors")
    ax.set_xticks(q2)
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2, frameon=False)
    ax.grid(alpha=0.3)
    return ax
