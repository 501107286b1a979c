"""Traces: a run written down as the list of actions that made it.

A ``Trace`` is the cluster, the variant, the network model and the actions in order.  It
holds no worlds: replaying the actions through the engine rebuilds every world exactly,
because ``apply`` is pure.  Traces come from the simulator, the explorer (shortest
counterexamples) and the stepper; each turns into JSON and back, and ``numbered()`` prints
it as a numbered list for a terminal or a notebook.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from paxos_lib.actions import ACTION_TYPES, Action, action_from_dict
from paxos_lib.cluster import Cluster
from paxos_lib.engine import World, apply, check_network, initial_world, why_not
from paxos_lib.errors import ConfigError, SimulationError
from paxos_lib.variants import check_variant

__all__ = ["TRACE_FORMAT", "Trace", "TraceMethods"]

TRACE_FORMAT = "paxos_lib.trace/1"
ACTION_CLASSES = tuple(ACTION_TYPES.values())


class TraceMethods:
    """What every run record shares, whatever its protocol: length, steps, the worlds it
    passes through (replayed on the one engine), a numbered listing, and JSON.

    A subclass is a frozen dataclass with the fields ``cluster``, ``variant``, ``network``,
    ``steps`` and ``seed``, and says how its JSON is marked and read back: ``FORMAT``,
    ``WHAT`` and ``FORMAT_NAME`` (for error messages), ``cluster_from_dict`` and
    ``action_from_dict``.
    """

    __slots__ = ()

    FORMAT: ClassVar[str]
    WHAT: ClassVar[str]
    FORMAT_NAME: ClassVar[str]
    cluster: Any
    variant: str
    network: str
    steps: tuple[Action, ...]
    seed: int | None

    @staticmethod
    def cluster_from_dict(data: object) -> Any:
        raise NotImplementedError

    @staticmethod
    def action_from_dict(data: object) -> Action:
        raise NotImplementedError

    def _check_steps(self) -> None:
        if not isinstance(self.steps, list | tuple):
            raise ConfigError(f"a trace's steps are a list of actions, got {self.steps!r}")
        for i, step in enumerate(self.steps, 1):
            if not isinstance(step, ACTION_CLASSES):
                raise ConfigError(
                    f"step {i} of a trace must be an action (Propose, Deliver, Drop, Duplicate, "
                    f"Crash, Recover, Partition, Heal or Timeout), got {step!r}"
                )
        object.__setattr__(self, "steps", tuple(self.steps))

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self) -> Iterator[Action]:
        return iter(self.steps)

    def __getitem__(self, i: int) -> Action:
        return self.steps[i]

    def worlds(self) -> list[World]:
        """Every world of the run, starting with the initial one (len(trace) + 1 worlds)."""
        world = initial_world(self.cluster, self.variant, self.network)
        out = [world]
        for i, action in enumerate(self.steps, 1):
            reason = why_not(world, action)
            if reason is not None:
                raise SimulationError(f"step {i} ({action}) cannot happen: {reason}")
            world = apply(world, action)
            out.append(world)
        return out

    def final(self) -> World:
        """The world at the end of the run."""
        return self.worlds()[-1]

    def numbered(self) -> str:
        """The steps as a numbered list, one per line."""
        if not self.steps:
            return "(no steps)"
        width = len(str(len(self.steps)))
        return "\n".join(f"{i:>{width}}. {a}" for i, a in enumerate(self.steps, 1))

    def __str__(self) -> str:
        head = f"Trace: {self.cluster}, variant {self.variant}, network {self.network}"
        return f"{head}\n{self.numbered()}"

    def to_dict(self) -> dict[str, object]:
        return {
            "format": self.FORMAT,
            "cluster": self.cluster.to_dict(),
            "variant": self.variant,
            "network": self.network,
            "seed": self.seed,
            "steps": [a.to_dict() for a in self.steps],
        }

    def to_json(self, indent: int | None = None) -> str:
        """The trace as JSON text (``from_json`` reads it back)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: object) -> Self:
        if not isinstance(data, dict):
            raise ConfigError(f"a {cls.WHAT} is a JSON object, got {type(data).__name__}")
        if data.get("format") != cls.FORMAT:
            raise ConfigError(
                f"not a {cls.FORMAT_NAME} trace: format is {data.get('format')!r}, "
                f"expected {cls.FORMAT!r}"
            )
        steps = data.get("steps", [])
        if not isinstance(steps, list):
            raise ConfigError(f"a trace's steps are a list, got {steps!r}")
        return cls(
            cluster=cls.cluster_from_dict(data.get("cluster")),  # type: ignore[call-arg]
            variant=data.get("variant", "classic"),
            network=data.get("network", "lossy"),
            steps=tuple(cls.action_from_dict(s) for s in steps),
            seed=data.get("seed"),
        )

    @classmethod
    def from_json(cls, text: str) -> Self:
        """Read a trace written by ``to_json``."""
        try:
            data = json.loads(text)
        except (TypeError, ValueError, RecursionError) as exc:
            raise ConfigError(f"not valid trace JSON: {exc}") from None
        return cls.from_dict(data)


@dataclass(frozen=True, slots=True)
class Trace(TraceMethods):
    """A run as data: what cluster, which rules, and the actions in order."""

    FORMAT: ClassVar[str] = TRACE_FORMAT
    WHAT: ClassVar[str] = "trace"
    FORMAT_NAME: ClassVar[str] = "paxos_lib"

    cluster: Cluster
    variant: str = "classic"
    network: str = "lossy"
    steps: tuple[Action, ...] = ()
    seed: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.cluster, Cluster):
            raise ConfigError(f"a trace needs a Cluster, got {self.cluster!r}")
        check_variant(self.variant)
        check_network(self.network)
        self._check_steps()

    @staticmethod
    def cluster_from_dict(data: object) -> Cluster:
        return Cluster.from_dict(data)

    @staticmethod
    def action_from_dict(data: object) -> Action:
        return action_from_dict(data)
