"""Configurations of a replicated log: which replicas vote in which slot (pure functions).

Theory of operation
-------------------
A *configuration* is the set of replicas whose votes count in a slot; a quorum for the slot is
a majority of that slot's configuration.  The configuration changes through the log itself: a
client (the shop's operator) submits a *configuration command*, written
``'config r1,r2,r3,r4,r5,r6'``, which is chosen in some slot like any order command and changes
no order.  Following Paxos Made Moderately Complex (van Renesse and Altinbuken), a command
chosen in slot ``k`` governs slot ``k + alpha`` onwards (their ``WINDOW``):

    the configuration of slot ``s`` is the one named by the last configuration command in
    slots ``0 .. s - alpha``, or the initial configuration if there is none.

So every replica that knows the log up to slot ``s - alpha`` computes the same configuration
for slot ``s``; one that does not, does not know it yet (``configuration_for`` answers None).
A leader that never has more than ``alpha`` slots in flight beyond the slots it knows chosen
therefore always knows the configuration of every slot it proposes in.

This module is pure text and tuple work: it imports only the errors, so the replica, the
properties and the cluster can all use it without import cycles.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from paxos_lib.errors import ConfigError

__all__ = [
    "CONFIG_PREFIX",
    "RECONFIG_VARIANTS",
    "config_command",
    "configuration_for",
    "is_config_command",
    "majority_of",
    "newest_configuration",
    "parse_config_command",
]

CONFIG_PREFIX = "config "
"""How a configuration command starts: ``'config r1,r2,r3'``."""


def is_config_command(text: object) -> bool:
    """True if ``text`` is a configuration command such as ``'config r1,r2,r3'``."""
    return isinstance(text, str) and text.startswith(CONFIG_PREFIX)


def config_command(members: Iterable[str]) -> str:
    """The command text naming ``members``: ``config_command(['r1', 'r2']) == 'config r1,r2'``."""
    names = tuple(members) if not isinstance(members, str) else (members,)
    if not names:
        raise ConfigError("a configuration needs at least one replica, got none")
    for n in names:
        if not isinstance(n, str) or not n or "," in n or " " in n:
            raise ConfigError(f"a configuration names replicas such as 'r1', got {n!r}")
    if len(set(names)) != len(names):
        raise ConfigError(f"a configuration names each replica once, got {list(names)}")
    return CONFIG_PREFIX + ",".join(names)


def parse_config_command(text: object, known: Sequence[str] | None = None) -> tuple[str, ...]:
    """The members a configuration command names; ``known``: the replica ids allowed."""
    if not is_config_command(text):
        raise ConfigError(
            f"a configuration command is written 'config r1,r2,r3', got {text!r}"
        )
    names = tuple(str(text)[len(CONFIG_PREFIX):].split(","))
    if names == ("",) or any(not n for n in names):
        raise ConfigError(f"a configuration needs at least one replica id, got {text!r}")
    if len(set(names)) != len(names):
        raise ConfigError(f"a configuration names each replica once, got {text!r}")
    if known is not None:
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ConfigError(
                f"the configuration {text!r} names unknown replica(s) {', '.join(unknown)}; "
                f"this cluster has {', '.join(known)}"
            )
    return names


def majority_of(members: Sequence[str]) -> int:
    """How many members make a majority: more than half."""
    return len(members) // 2 + 1


def configuration_for(
    log: Sequence[str | None], slot: int, alpha: int, initial: tuple[str, ...]
) -> tuple[str, ...] | None:
    """The configuration of ``slot``: the last one chosen in slots ``0 .. slot - alpha`` of
    ``log`` (or ``initial``); None if a slot in that range is not known (None in ``log``)."""
    for name, value, low in (("slot", slot, 0), ("alpha", alpha, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ConfigError(f"{name} must be an int from {low} on, got {value!r}")
    if isinstance(initial, str) or not initial:
        raise ConfigError(f"initial must be a non-empty tuple of replica ids, got {initial!r}")
    last = slot - alpha
    current = initial
    if last < 0:
        return current
    if last >= len(log):
        return None
    for s in range(last + 1):
        v = log[s]
        if v is None:
            return None
        if is_config_command(v):
            current = parse_config_command(v)
    return current


def newest_configuration(log: Sequence[str | None], upto: int,
                         initial: tuple[str, ...]) -> tuple[str, ...]:
    """The configuration named last in ``log[:upto]`` (or ``initial``): the newest one known."""
    current = initial
    for v in log[:upto]:
        if is_config_command(v):
            current = parse_config_command(v)
    return current


RECONFIG_VARIANTS: tuple[str, ...] = ("config-at-once", "no-window")
"""The broken reconfiguration variants (``paxos_lib.multipaxos.reconfig`` says what each does);
they need a ``ReconfigCluster``."""
