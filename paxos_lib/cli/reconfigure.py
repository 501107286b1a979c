"""``orders --reconfigure SPEC --alpha N``: membership changes during the order workload.

``SPEC`` is ``kind:replica@slot`` items separated by commas, e.g. ``add:r6@10,remove:r1@20``:
once the log reaches that many slots the operator submits the new configuration (the current
members plus or minus that replica) as a command; it is chosen in some slot ``k`` and governs
slots from ``k + alpha`` on.  Replica ids beyond ``--replicas`` are spares that start empty.
``--json`` then reports ``alpha``, ``configurations`` (members, ``chosen_in``,
``takes_effect``) and ``changes`` (each planned change and whether it was made).

Bad input (a malformed item, an unknown id, adding a member, removing a non-member, slots out
of order, ``--alpha`` below 1 or without ``--reconfigure``) is one line on stderr, exit 2.
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from paxos_lib.cluster import MAX_NODES_PER_ROLE
from paxos_lib.errors import ConfigError
from paxos_lib.multipaxos.reconfig import (
    MAX_ALPHA,
    ReconfigCluster,
    ReconfigSimulation,
    parse_reconfigure,
)

__all__ = ["add_arguments", "json_fields", "simulation", "text_lines"]


def _alpha(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a whole number from 1 to {MAX_ALPHA}, got {text!r}"
        ) from None
    if not 1 <= value <= MAX_ALPHA:
        raise argparse.ArgumentTypeError(
            f"must be from 1 to {MAX_ALPHA} (a configuration chosen in slot k governs slot "
            f"k + alpha), got {value}"
        )
    return value


def add_arguments(group: Any) -> None:
    """Add ``--reconfigure`` and ``--alpha`` to the ``orders`` command's argument group."""
    group.add_argument("--reconfigure", default=None, metavar="SPEC",
                       help="membership changes through the log, e.g. 'add:r6@10,remove:r1@20' "
                            "(kind:replica@slot; ids beyond --replicas are spares)")
    group.add_argument("--alpha", type=_alpha, default=None, metavar="N",
                       help="a configuration chosen in slot k governs slots from k + N on; a "
                            "leader keeps at most N slots in flight (default: 2; needs "
                            "--reconfigure)")


def simulation(args: argparse.Namespace) -> ReconfigSimulation | None:
    """The simulation ``--reconfigure`` asks for, or None without it."""
    spec = args.reconfigure
    if spec is None:
        if args.alpha is not None:
            raise ConfigError("--alpha only matters with --reconfigure SPEC, "
                              "e.g. --reconfigure add:r6@10")
        return None
    ids = [int(n) for n in re.findall(r"(?::|^)r(\d+)@", spec.replace(",", ",:"))]
    universe = max([args.replicas, *ids])
    if universe > MAX_NODES_PER_ROLE:
        raise ConfigError(f"--reconfigure names r{universe}; replica ids go up to "
                          f"r{MAX_NODES_PER_ROLE}")
    members = tuple(f"r{i}" for i in range(1, args.replicas + 1))
    cluster = ReconfigCluster(replicas=universe, members=members,
                              alpha=2 if args.alpha is None else args.alpha)
    changes = parse_reconfigure(spec, cluster)
    return ReconfigSimulation(cluster, seed=args.seed, variant=args.variant, changes=changes)


def json_fields(sim: object) -> dict[str, object]:
    """``alpha``, ``configurations`` and ``changes`` for ``--json`` (nothing without changes)."""
    if not isinstance(sim, ReconfigSimulation):
        return {}
    pending = sim.pending_changes()
    return {
        "alpha": sim.cluster.alpha,  # type: ignore[attr-defined]
        "configurations": sim.configurations(),
        "changes": [{**c.to_dict(), "made": c not in pending} for c in sim.changes],
    }


def text_lines(sim: object) -> list[str]:
    """The configurations, one line each, for the text report."""
    if not isinstance(sim, ReconfigSimulation):
        return []
    lines = [f"Configurations (alpha {sim.cluster.alpha}):"]  # type: ignore[attr-defined]
    for c in sim.configurations():
        how = ("at the start" if c["chosen_in"] is None
               else f"chosen in slot {c['chosen_in']}")
        lines.append(f"  {', '.join(c['members'])}: {how}, governs slots from "
                     f"{c['takes_effect']}")
    lines += [f"  not made ({c.label} @ slot {c.at_slot}): the log never reached that slot"
              for c in sim.pending_changes()]
    return lines
