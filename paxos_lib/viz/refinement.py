"""Lesson 09's picture of a refinement: Consensus, Voting and Paxos stacked, with verdicts.

``plot_refinement(results)`` takes ``RefinementResult`` objects of ``check_refinement`` (the
steps Paxos → Voting and Voting → Consensus) and draws one column per quorum system: three
boxes, the specs from the most abstract at the top to Paxos at the bottom, each naming how
many of its states the check met (a failed check stopped early, so its count reads "states
seen"), and between two boxes an arrow whose label says whether
the lower spec implements the upper one (how many steps map to steps and to stutters), or
after how many steps a behaviour breaks it.  The verdict is written in words (✓ / ✗ and a
sentence), never told by colour alone.  Like every picture here it takes ``ax=`` and
returns the Axes.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from paxos_lib.errors import ConfigError
from paxos_lib.refinement import RefinementResult
from paxos_lib.tla import TlaModel
from paxos_lib.viz.palette import CHOSEN, MUTED, TEXT, VIOLATION

__all__ = ["plot_refinement"]

_LEVEL_Y = {"Consensus": 2.0, "Voting": 1.0, "Paxos": 0.0}
_STEPS = ("paxos-voting", "voting-consensus")


def _quorum_text(model: TlaModel) -> str:
    groups = ", ".join("{" + ", ".join(sorted(q)) + "}" for q in model.quorums)
    if model.quorum_kind == "majority":
        return f"majority quorums\n{groups}"
    return f"quorums that need not intersect\n{groups}"


def plot_refinement(results: Sequence[RefinementResult], ax: Axes | None = None) -> Axes:
    """Draw the levels and the verdict of each refinement step, one column per model."""
    if isinstance(results, RefinementResult) or not isinstance(results, Sequence):
        raise ConfigError("plot_refinement needs a list of RefinementResult objects (from "
                          f"paxos_lib.check_refinement), got {results!r}")
    for r in results:
        if not isinstance(r, RefinementResult):
            raise ConfigError(f"plot_refinement draws RefinementResult objects, not {r!r}")
        if r.levels not in _STEPS:
            raise ConfigError(f"plot_refinement draws the steps {', '.join(_STEPS)}; "
                              f"got {r.levels!r}")
    if not results:
        raise ConfigError("plot_refinement needs at least one RefinementResult")
    columns: list[TlaModel] = []
    for r in results:
        if r.model not in columns:
            columns.append(r.model)
    if ax is None:
        _, ax = plt.subplots(figsize=(5.2 * len(columns), 5.0))
    for col, model in enumerate(columns):
        x = col * 2.6
        mine = {r.levels: r for r in results if r.model is model}
        counts: dict[str, str] = {}
        for levels in _STEPS:  # bottom up, so Voting shows what Paxos reached when both ran
            r = mine.get(levels)
            if r is None:
                continue
            # a failed check stopped early: it saw only some states, and says so
            counts.setdefault(r.lower, f"{r.states:,} states" if r.ok
                              else f"{r.states:,} states seen")
            if r.ok:
                counts[r.upper] = f"{r.images:,} states"
        for level, y in _LEVEL_Y.items():
            label = level if level not in counts else f"{level}\n{counts[level]}"
            ax.text(x, y, label, ha="center", va="center", fontsize=11, color=TEXT,
                    bbox={"boxstyle": "round,pad=0.5", "fc": "white", "ec": MUTED, "lw": 1.2})
        for r in mine.values():
            low, high = (_LEVEL_Y[r.lower], _LEVEL_Y[r.upper])
            colour = CHOSEN if r.ok else VIOLATION
            ax.annotate("", xy=(x, high - 0.3), xytext=(x, low + 0.3),
                        arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 1.6,
                                    "linestyle": "-" if r.ok else "--"})
            if r.ok:
                verdict = (f"✓ implements {r.upper}\n{r.mapped_steps:,} steps → steps\n"
                           f"{r.stutters:,} → stutters")
            else:
                steps = len(r.counterexample or ()) - 1
                verdict = f"✗ does not implement\n{r.upper}: broken\nafter {steps} steps"
            ax.text(x + 0.12, (low + high) / 2, verdict, ha="left", va="center", fontsize=9.5,
                    color=colour)
        ax.text(x, -0.55, _quorum_text(model), ha="center", va="top", fontsize=9.5,
                color=MUTED)
    ax.set_xlim(-1.2, 2.6 * (len(columns) - 1) + 1.6)
    ax.set_ylim(-1.2, 2.45)
    ax.set_axis_off()
    ax.set_title("Refinement: Paxos → Voting → Consensus", fontsize=12, color=TEXT)
    return ax
