"""Replica traces: a Multi-Paxos run written down as the actions that made it.

Theory of operation
-------------------
``ReplicaTrace`` is ``paxos_lib.trace.Trace`` for a ``ReplicaCluster``: the cluster, the
variant, the network model and the engine actions in order, with no worlds in it.  Replaying
the actions through the one engine rebuilds every world, because ``apply`` is pure.  It turns
into JSON and back (messages by their Multi-Paxos ``KIND``), so a run seen in the stepper or
found by the soak test can be saved and replayed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from paxos_lib.actions import Action, Deliver, Drop, Duplicate, action_from_dict
from paxos_lib.engine import World, apply, check_network, initial_world, why_not
from paxos_lib.errors import ConfigError, SimulationError
from paxos_lib.multipaxos.cluster import ReplicaCluster, check_multipaxos_variant
from paxos_lib.multipaxos.messages import message_from_dict

__all__ = ["REPLICA_TRACE_FORMAT", "ReplicaTrace", "replica_action_from_dict"]

REPLICA_TRACE_FORMAT = "paxos_lib.multipaxos.trace/1"


def replica_action_from_dict(data: object) -> Action:
    """Rebuild an action of a replica run from ``to_dict()`` output."""
    if isinstance(data, dict) and data.get("action") in ("deliver", "drop", "duplicate"):
        cls = {"deliver": Deliver, "drop": Drop, "duplicate": Duplicate}[data["action"]]
        if "message" not in data:
            raise ConfigError(f"{data['action']} action is missing the field 'message': {data!r}")
        return cls(message_from_dict(data["message"]))  # type: ignore[no-any-return]
    return action_from_dict(data)


@dataclass(frozen=True, slots=True)
class ReplicaTrace:
    """A Multi-Paxos run as data: the replica cluster, the rules, and the actions in order."""

    cluster: ReplicaCluster
    variant: str = "classic"
    network: str = "lossy"
    steps: tuple[Action, ...] = ()
    seed: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.cluster, ReplicaCluster):
            raise ConfigError(f"a replica trace needs a ReplicaCluster, got {self.cluster!r}")
        check_multipaxos_variant(self.variant)
        check_network(self.network)
        object.__setattr__(self, "steps", tuple(self.steps))

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self) -> Iterator[Action]:
        return iter(self.steps)

    def __getitem__(self, i: int) -> Action:
        return self.steps[i]

    def worlds(self) -> list[World]:
        """Every world of the run, starting with the initial one."""
        world = initial_world(self.cluster, self.variant, self.network)  # type: ignore[arg-type]
        out = [world]
        for i, action in enumerate(self.steps, 1):
            reason = why_not(world, action)
            if reason is not None:
                raise SimulationError(f"step {i} ({action}) cannot happen: {reason}")
            world = apply(world, action)
            out.append(world)
        return out

    def final(self) -> World:
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

    def json_steps(self) -> list[dict[str, Any]]:
        return [a.to_dict() for a in self.steps]

    def to_dict(self) -> dict[str, object]:
        return {
            "format": REPLICA_TRACE_FORMAT,
            "cluster": self.cluster.to_dict(),
            "variant": self.variant,
            "network": self.network,
            "seed": self.seed,
            "steps": self.json_steps(),
        }

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: object) -> ReplicaTrace:
        if not isinstance(data, dict):
            raise ConfigError(f"a replica trace is a JSON object, got {type(data).__name__}")
        if data.get("format") != REPLICA_TRACE_FORMAT:
            raise ConfigError(
                f"not a Multi-Paxos trace: format is {data.get('format')!r}, "
                f"expected {REPLICA_TRACE_FORMAT!r}"
            )
        steps = data.get("steps", [])
        if not isinstance(steps, list):
            raise ConfigError(f"a trace's steps are a list, got {steps!r}")
        return cls(
            cluster=ReplicaCluster.from_dict(data.get("cluster")),
            variant=data.get("variant", "classic"),
            network=data.get("network", "lossy"),
            steps=tuple(replica_action_from_dict(s) for s in steps),
            seed=data.get("seed"),
        )

    @classmethod
    def from_json(cls, text: str) -> ReplicaTrace:
        try:
            data = json.loads(text)
        except (TypeError, json.JSONDecodeError) as exc:
            raise ConfigError(f"not valid trace JSON: {exc}") from None
        return cls.from_dict(data)
