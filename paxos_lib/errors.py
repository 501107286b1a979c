"""The one error hierarchy of paxos_lib.

Every error the library raises on bad input is a ``PaxosError``.  Messages name the bad
value and list what is allowed, so a learner can fix the call without reading the source.

- ``ConfigError`` (also a ``ValueError``): a bad argument to a constructor or entry point
  (a count of zero, an unknown variant or network name, a probability outside [0, 1]).
- ``UnknownNodeError`` (a ``ConfigError``): a node id that is not in the cluster, or a node
  of the wrong role (proposing from an acceptor).
- ``SimulationError``: an environment action that is impossible in the current world
  (delivering a message that is not in flight, recovering a node that is up).
- ``InvalidTransitionError``: a move the orders domain does not allow (shipping a
  cancelled order).

This module imports nothing from the rest of the package.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "ConfigError",
    "InvalidTransitionError",
    "PaxosError",
    "SimulationError",
    "UnknownNodeError",
    "one_of",
]


class PaxosError(Exception):
    """Base of every error paxos_lib raises on bad input."""


class ConfigError(PaxosError, ValueError):
    """A bad argument: the message names the value and what is allowed."""


class UnknownNodeError(ConfigError):
    """A node id that is not in the cluster, or not of the role the call needs."""


class SimulationError(PaxosError):
    """An environment action that is not possible in the current world."""


class InvalidTransitionError(PaxosError):
    """A state change the orders domain does not allow."""


def one_of(options: Iterable[object]) -> str:
    """Format allowed options for an error message: ``'a', 'b' or 'c'``."""
    items = [repr(o) for o in options]
    if not items:
        return "nothing"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " or " + items[-1]
