"""The simulator: a world, a seeded scheduler, a trace, and undo.

Theory of operation
-------------------
``Simulation`` wraps the engine for people.  You can apply actions by hand (the stepper does),
or let ``run`` pick them: at each step it rolls its own ``random.Random(seed)`` against the
fault probabilities in ``Faults`` to decide whether a node crashes or recovers, the network
splits or heals, or a retry timer fires; otherwise it delivers a random in-flight message,
which may be dropped or duplicated instead.  The same seed, cluster, variant and calls give
the same trace, on every machine: nothing here reads a clock.

Clients retry: a proposer that was asked for a value and lost it in a crash is asked again
once it is back (a ``Propose`` step in the trace).

``chosen()`` and ``learned()`` read the current world through the observation functions in
``properties.py``; ``check()`` evaluates every safety property.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from paxos_lib.actions import (
    Action,
    Crash,
    Deliver,
    Drop,
    Duplicate,
    Heal,
    Propose,
    Recover,
    Timeout,
)
from paxos_lib.cluster import Cluster
from paxos_lib.engine import (
    World,
    apply,
    check_network,
    enabled_actions,
    initial_world,
    listed_partitions,
    why_not,
)
from paxos_lib.errors import ConfigError, SimulationError
from paxos_lib.messages import MESSAGE_TYPES, Message
from paxos_lib.properties import Verdict, check_all
from paxos_lib.properties import chosen as _chosen
from paxos_lib.properties import learned as _learned
from paxos_lib.roles import Proposer
from paxos_lib.trace import Trace
from paxos_lib.variants import check_variant

__all__ = ["Faults", "RunResult", "Simulation", "replay", "take_steps"]


def _probability(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{name} must be a probability from 0 to 1, got {value!r}")
    if not 0 <= value <= 1:  # compared before float(): a huge int would overflow there
        shown = str(value) if isinstance(value, float) or abs(value) < 10**30 else \
            f"an integer of {len(str(abs(value)))} digits"
        raise ConfigError(f"{name} must be a probability from 0 to 1, got {shown}")
    return float(value)


@dataclass(frozen=True, slots=True)
class Faults:
    """Per-step probabilities of each fault the scheduler may inject.

    ``drop`` and ``duplicate`` apply to the message picked for delivery; ``crash`` picks a
    random up node; ``recover`` a random crashed one; ``partition`` splits the network (one
    node, or a proposer with a minority of the acceptors, cut off); ``heal`` ends a
    partition; ``timeout`` fires a random armed retry timer early.
    """

    drop: float = 0.0
    duplicate: float = 0.0
    crash: float = 0.0
    recover: float = 0.1
    partition: float = 0.0
    heal: float = 0.1
    timeout: float = 0.0

    def __post_init__(self) -> None:
        for name in ("drop", "duplicate", "crash", "recover", "partition", "heal", "timeout"):
            object.__setattr__(self, name, _probability(name, getattr(self, name)))


@dataclass(frozen=True, slots=True)
class RunResult:
    """How a ``Simulation.run`` ended."""

    steps: int
    end: str  # "learned" (every learner learned), "max-steps", or "quiescent"
    chosen: frozenset[str]
    learned: dict[str, str | None]
    verdicts: tuple[Verdict, ...]

    @property
    def ok(self) -> bool:
        """Every safety property holds at the end (and so, by monotonicity, throughout)."""
        return all(v.holds for v in self.verdicts)


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(f"seed must be an int, got {seed!r}")
    return seed


class Simulation:
    """A cluster running one variant of Paxos over one network model, step by step."""

    #: The message kinds ``find``/``deliver``/``drop`` accept (a subclass for another
    #: protocol names its own).
    MESSAGE_KINDS: ClassVar[Mapping[str, type]] = MESSAGE_TYPES

    def __init__(
        self,
        cluster: Cluster,
        seed: int = 0,
        variant: str = "classic",
        network: str = "lossy",
    ) -> None:
        if not isinstance(cluster, Cluster):
            raise ConfigError(
                f"Simulation needs a Cluster such as Cluster(proposers=2, acceptors=3), "
                f"got {cluster!r}"
            )
        self.cluster = cluster
        self.seed = _check_seed(seed)
        self.variant = check_variant(variant)
        self.network = check_network(network)
        self._rng = random.Random(seed)
        self._worlds: list[World] = [initial_world(cluster, self.variant, self.network)]
        self._steps: list[Action] = []
        self._requests: dict[str, str] = {}

    # -- reading -------------------------------------------------------------------------------

    @property
    def world(self) -> World:
        """The current world."""
        return self._worlds[-1]

    @property
    def worlds(self) -> tuple[World, ...]:
        """Every world so far, starting with the initial one."""
        return tuple(self._worlds)

    @property
    def trace(self) -> Trace:
        """The run so far as a replayable ``Trace``."""
        return Trace(self.cluster, self.variant, self.network, tuple(self._steps), self.seed)

    @property
    def steps(self) -> tuple[Action, ...]:
        return tuple(self._steps)

    def chosen(self) -> frozenset[str]:
        """The values some quorum accepted at one ballot (from the history of votes)."""
        return _chosen(self.world)

    def learned(self) -> dict[str, str | None]:
        """``{learner id: value or None}``."""
        return _learned(self.world)

    def check(self) -> list[Verdict]:
        """Every safety (``always``) property, checked in the current world."""
        return check_all(self.world, "always")

    @property
    def ok(self) -> bool:
        return all(v.holds for v in self.check())

    def enabled_actions(self) -> tuple[Action, ...]:
        """What can happen next, in the engine's fixed order."""
        return enabled_actions(self.world)

    def why_not(self, action: Action) -> str | None:
        """None if ``action`` can happen now; else why not."""
        return why_not(self.world, action)

    # -- changing ------------------------------------------------------------------------------

    def apply(self, action: Action) -> World:
        """Apply one action; raises SimulationError (saying why) if it is not enabled."""
        world = apply(self.world, action)
        self._worlds.append(world)
        self._steps.append(action)
        if isinstance(action, Propose):
            self._requests[action.proposer] = action.value
        return world

    def propose(self, node: str, value: str) -> World:
        """A client asks proposer ``node`` to get ``value`` chosen."""
        self.cluster.check_node(node, "proposer")
        return self.apply(Propose(node, value))

    def find(self, kind: str | None = None, src: str | None = None,
             dst: str | None = None) -> Message:
        """The first in-flight message matching ``kind`` ('prepare', 'promise', 'accept',
        'accepted', 'nack', 'decided'), ``src`` and ``dst`` (None matches anything)."""
        kinds = self.MESSAGE_KINDS
        if kind is not None and (not isinstance(kind, str) or kind not in kinds):
            raise ConfigError(f"unknown message kind {kind!r}; kinds: {', '.join(kinds)}")
        for m in self.world.inflight:
            if ((kind is None or kind == m.KIND) and (src is None or m.src == src)
                    and (dst is None or m.dst == dst)):
                return m
        want = " ".join(x for x in (kind or "any message", f"from {src}" if src else "",
                                    f"to {dst}" if dst else "") if x)
        flying = ", ".join(str(m) for m in self.world.inflight) or "nothing"
        raise SimulationError(f"no {want} is in flight; in flight: {flying}")

    def deliver(self, kind: str | None = None, src: str | None = None,
                dst: str | None = None) -> World:
        """Deliver the first in-flight message matching ``kind``, ``src`` and ``dst``."""
        return self.apply(Deliver(self.find(kind, src, dst)))

    def drop(self, kind: str | None = None, src: str | None = None,
             dst: str | None = None) -> World:
        """Lose the first in-flight message matching ``kind``, ``src`` and ``dst``."""
        return self.apply(Drop(self.find(kind, src, dst)))

    def duplicate(self, kind: str | None = None, src: str | None = None,
                  dst: str | None = None) -> World:
        """Copy the first in-flight message matching ``kind``, ``src`` and ``dst``."""
        return self.apply(Duplicate(self.find(kind, src, dst)))

    def undo(self, steps: int = 1) -> World:
        """Go back ``steps`` steps (the random stream is not rewound)."""
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
            raise ConfigError(f"undo steps must be an int >= 1, got {steps!r}")
        if steps > len(self._steps):
            raise SimulationError(
                f"cannot undo {steps} step(s): only {len(self._steps)} step(s) taken"
            )
        del self._worlds[-steps:]
        del self._steps[-steps:]
        self._requests = {
            a.proposer: a.value for a in self._steps if isinstance(a, Propose)
        }
        return self.world

    def rewind(self, step: int) -> World:
        """Go back to the world after ``step`` steps (0: the initial world)."""
        if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= len(self._steps):
            raise ConfigError(f"step must be an int from 0 to {len(self._steps)}, got {step!r}")
        if step < len(self._steps):
            self.undo(len(self._steps) - step)
        return self.world

    # -- the scheduler -------------------------------------------------------------------------

    def next_random_action(self, faults: Faults | None = None) -> Action | None:
        """The action the seeded scheduler picks next (None when nothing can happen)."""
        f = Faults() if faults is None else faults
        if not isinstance(f, Faults):
            raise ConfigError(f"faults must be a Faults(...), got {f!r}")
        w = self.world
        rng = self._rng
        cluster = self.cluster
        crashed = w.crashed
        # A client whose proposer lost its request in a crash asks again.
        for pid, value in self._requests.items():
            if pid not in crashed:
                state = w.nodes[cluster.index(pid)]
                if isinstance(state, Proposer) and state.can_propose:
                    return Propose(pid, value)
        if f.crash and rng.random() < f.crash:
            up = [n for n in cluster.node_ids if n not in crashed]
            if up:
                return Crash(rng.choice(up))
        if crashed and f.recover and rng.random() < f.recover:
            return Recover(rng.choice(sorted(crashed)))
        if w.partition is None:
            if f.partition and rng.random() < f.partition:
                return rng.choice(listed_partitions(cluster))
        elif f.heal and rng.random() < f.heal:
            return Heal()
        timers = [p for p in cluster.proposer_ids if p in w.timers and p not in crashed]
        if timers and f.timeout and rng.random() < f.timeout:
            return Timeout(rng.choice(timers))
        part = w.partition
        deliverable = []
        last = None
        for m in w.inflight:
            if m is last or m == last:
                continue
            last = m
            if m.dst not in crashed and (
                part is None or part.side_of(m.src) == part.side_of(m.dst)
            ):
                deliverable.append(m)
        if deliverable:
            m = rng.choice(deliverable)
            if self.network == "lossy":
                if f.drop and rng.random() < f.drop:
                    return Drop(m)
                if f.duplicate and rng.random() < f.duplicate:
                    return Duplicate(m)
            return Deliver(m)
        if timers:
            return Timeout(rng.choice(timers))
        if crashed and f.recover:
            return Recover(rng.choice(sorted(crashed)))
        if part is not None and f.heal:
            return Heal()
        return None

    def _all_learned(self) -> bool:
        return all(v is not None for v in self.learned().values())

    def run(self, max_steps: int = 1000, faults: Faults | None = None) -> RunResult:
        """Let the seeded scheduler take up to ``max_steps`` steps.

        Stops early when every learner has learned a value ("learned") or nothing can happen
        ("quiescent").  The safety properties are checked at the end; since chosen values,
        votes and learned values only ever accumulate, a violation at any step is still a
        violation at the end.
        """
        if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 0:
            raise ConfigError(f"max_steps must be an int >= 0, got {max_steps!r}")
        if faults is not None and not isinstance(faults, Faults):
            raise ConfigError(f"faults must be a Faults(...), got {faults!r}")
        taken = 0
        end = "max-steps"
        while True:
            if self._all_learned():
                end = "learned"
                break
            if taken >= max_steps:
                break
            action = self.next_random_action(faults)
            if action is None:
                end = "quiescent"
                break
            self.apply(action)
            taken += 1
        return RunResult(
            steps=taken,
            end=end,
            chosen=self.chosen(),
            learned=self.learned(),
            verdicts=tuple(self.check()),
        )

    def __repr__(self) -> str:
        return (f"Simulation({self.cluster!r}, seed={self.seed}, variant={self.variant!r}, "
                f"network={self.network!r}, steps={len(self._steps)})")


def replay(
    cluster: Cluster,
    trace: Trace | Iterable[Action],
    variant: str | None = None,
    network: str | None = None,
) -> Simulation:
    """A Simulation that has taken ``trace``'s steps one by one.

    ``variant`` and ``network`` default to the trace's own.  A ``Trace`` must have been
    recorded on ``cluster`` (ConfigError naming both otherwise).  Raises SimulationError
    naming the first step that cannot happen.
    """
    if isinstance(trace, Trace):
        if isinstance(cluster, Cluster) and trace.cluster != cluster:
            raise ConfigError(
                f"the trace was recorded on {trace.cluster}, not on {cluster}: replaying it "
                "there would be a different run; pass trace.cluster"
            )
        steps = trace.steps
        variant = trace.variant if variant is None else variant
        network = trace.network if network is None else network
        seed = 0 if trace.seed is None else trace.seed
    else:
        try:
            steps = tuple(trace)
        except TypeError:
            raise ConfigError(f"replay needs a Trace or a list of actions, got {trace!r}") from None
        seed = 0
    sim = Simulation(cluster, seed=seed, variant=variant or "classic", network=network or "lossy")
    return take_steps(sim, steps)


_Sim = TypeVar("_Sim", bound=Simulation)


def take_steps(sim: _Sim, steps: Iterable[Action]) -> _Sim:
    """``sim`` after taking ``steps`` one by one; SimulationError names the first step that
    cannot happen, and why.  (``replay`` and ``multipaxos.replay_orders`` end here.)"""
    for i, action in enumerate(steps, 1):
        reason = sim.why_not(action)
        if reason is not None:
            raise SimulationError(f"step {i} of the trace ({action}) cannot happen: {reason}")
        sim.apply(action)
    return sim
