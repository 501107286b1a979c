"""Lesson 09's side-by-side figure: Raft beside Multi-Paxos on the same seeded scenarios.

``plot_raft_vs_multipaxos(figures)`` draws the output of ``paxos_lib.raft.compare.compare``
as three small bar charts, one measurement each: messages per command over a workload,
steps from a leader's crash until a follower's command is applied, and the same partition
(a follower cut off alone: how many epochs, ballot rounds or terms, it went up).  Multi-Paxos
and Raft sit side by side in each, told apart by colour (from ``palette.py``) and hatching;
the legend sits under the axes, clear of the bars.  It takes ``axes=`` (three Axes) and
returns them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from paxos_lib.errors import ConfigError
from paxos_lib.viz.palette import KIND_COLOURS

__all__ = ["PANELS", "plot_raft_vs_multipaxos"]

PANELS = (
    ("messages_per_command", "messages per command"),
    ("recovery_steps", "steps to recover\nfrom a leader crash"),
    ("isolated_epochs", "epochs an isolated\nserver went up"),
)
_STYLE = {
    "multi-paxos": (KIND_COLOURS["prepare"], "", "Multi-Paxos"),
    "raft": (KIND_COLOURS["nack"], "//", "Raft"),
}


def plot_raft_vs_multipaxos(
    figures: Mapping[str, Mapping[str, float]],
    axes: Sequence[Axes] | None = None,
) -> Sequence[Axes]:
    """Bar charts of ``figures[protocol][measure]`` for the protocols ``multi-paxos`` and
    ``raft`` and the measures of ``PANELS``."""
    if not isinstance(figures, Mapping) or set(figures) != set(_STYLE):
        raise ConfigError(
            "figures must be compare()'s dict with the keys 'multi-paxos' and 'raft', got "
            f"{figures!r}"
        )
    for protocol, row in figures.items():
        missing = [k for k, _ in PANELS if k not in row]
        if missing:
            raise ConfigError(f"{protocol}: figures lack {', '.join(missing)}")
    if axes is None:
        fig, made = plt.subplots(1, len(PANELS), figsize=(9, 3.6))
        axes = list(made)
    elif len(axes) != len(PANELS):
        raise ConfigError(f"axes must be {len(PANELS)} Axes, got {len(axes)}")
    else:
        fig = axes[0].figure
    for ax, (key, title) in zip(axes, PANELS, strict=True):
        for i, (protocol, (colour, hatch, label)) in enumerate(_STYLE.items()):
            ax.bar(i, figures[protocol][key], width=0.6, color="white", edgecolor=colour,
                   hatch=hatch, linewidth=2, label=label)
        ax.set_xticks([0, 1], [s[2] for s in _STYLE.values()])
        ax.set_title(title, fontsize=10)
        ax.set_xlim(-0.6, 1.6)
        top = max(figures[p][key] for p in _STYLE)
        ax.set_ylim(0, top * 1.25 if top > 0 else 1)
        ax.tick_params(labelsize=9)
    fig.tight_layout()
    return axes
