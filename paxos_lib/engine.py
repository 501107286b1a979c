"""The engine: one world, the actions enabled in it, and a pure ``apply``.

Theory of operation
-------------------
A ``World`` is everything about a run at one instant: each node's state, the messages in
flight, which nodes are down, the partition, which retry timers are armed, and two pieces of
history that no node can see but the properties need: every vote ever cast (``votes``) and
every value a client ever proposed (``proposed``); a third, ``learned_log``, records every
(learner, value) a learner ever learned, so a learner that changes its mind is caught.
NOTE: the explorer's seen-set keys include ``learned_log``.  With the roles' learners, which
keep what they learn, it is a function of the learners' states and splits no state; a learner
class of a graded project need not keep it, and there the log is what ``learned-stable`` reads.
A World is frozen and hashable, so the
explorer can keep a set of the worlds it has seen.

``enabled_actions(world)`` lists what can happen next, always in the same order;
``apply(world, action)`` returns the next world and never changes the old one.  The seeded
simulator, the exhaustive explorer and the stepper widgets all drive these two functions, so
a trace recorded by any of them replays in all of them.

Network models
--------------
``lossy`` (the default): an unordered multiset of messages.  Delivering a message removes one
copy; the network may also drop a copy or add one (duplicate).  Delay and reordering come for
free: any in-flight message may be delivered next.

``sent-set``: the model of Lamport's TLA+ spec.  ``inflight`` holds every message ever sent
and nothing is removed; a message may be received any number of times, or never.  NOTE: this
is sound for safety because receiving a message again, or not at all, covers loss,
duplication and reordering at once.  Drop and Duplicate are not actions here.

Crashes and partitions
----------------------
A crashed node keeps its durable state only (the roles say which fields are durable) and
takes no messages; messages addressed to it wait in the network.  While a partition lasts,
a message whose sender and receiver are on different sides cannot be delivered.

Other protocols
---------------
The engine is not tied to single-decree Paxos.  A cluster object that defines
``make_rules(variant)`` and ``initial_state(node)`` (and the id helpers ``Cluster`` has)
brings its own roles, whose states answer ``on_message``, ``on_timeout``, ``after_crash``
and, for nodes that take client values, ``can_propose``/``on_propose``; a state may also
answer ``after_recover`` (restart code returning ``(state, effects)``, e.g. re-arming its
retry timer, which a crash disarms).  Multi-Paxos
(``paxos_lib.multipaxos``) runs on this same engine that way, with the same faults.
A ``Cluster`` subclass that defines only ``initial_state`` keeps Paxos's rules and
properties and swaps the classes that play the roles: the project grader's ``RoleCluster``
(``paxos_lib.grading``) runs students' classes on this engine that way.

This module imports only the values, roles and variants; never networkx, matplotlib or
ipywidgets.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from paxos_lib.actions import (
    Action,
    Crash,
    Deliver,
    Drop,
    Duplicate,
    Heal,
    Partition,
    Propose,
    Recover,
    Timeout,
)
from paxos_lib.cluster import Cluster
from paxos_lib.errors import ConfigError, SimulationError, one_of
from paxos_lib.messages import Ballot, CancelTimer, Effect, Message, Send, SetTimer
from paxos_lib.roles import Acceptor, Learner, NodeState, Proposer, initial_state
from paxos_lib.variants import Rules, check_variant, rules_for

__all__ = [
    "NETWORKS",
    "Config",
    "World",
    "apply",
    "apply_enabled",
    "check_network",
    "enabled_actions",
    "initial_world",
    "is_enabled",
    "why_not",
]

NETWORKS = ("lossy", "sent-set")


def check_network(network: object) -> str:
    """Return ``network`` if it names a network model; else raise ConfigError."""
    if not isinstance(network, str) or network not in NETWORKS:
        raise ConfigError(f"unknown network {network!r}; choose {one_of(NETWORKS)}")
    return network


def _sort_key(message: Message) -> tuple[object, ...]:
    return message.sort_key


@dataclass(frozen=True, slots=True)
class Config:
    """What stays fixed for a whole run: cluster, variant, network model, client values."""

    cluster: Cluster
    variant: str = "classic"
    network: str = "lossy"
    values: tuple[str, ...] = ()
    rules: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        custom = hasattr(self.cluster, "make_rules")
        if not isinstance(self.cluster, Cluster) and not custom:
            raise ConfigError(f"cluster must be a Cluster, got {self.cluster!r}")
        if not custom:
            check_variant(self.variant)
        check_network(self.network)
        if isinstance(self.values, str | bytes) or not hasattr(self.values, "__iter__"):
            raise ConfigError(
                f"values must be a list of strings such as ['confirmed'], got {self.values!r}"
            )
        values = tuple(self.values)
        for v in values:
            if not isinstance(v, str) or not v:
                raise ConfigError(
                    f"values must be non-empty strings such as 'confirmed', got {v!r}"
                )
        if len(set(values)) != len(values):
            raise ConfigError(f"values must be distinct, got {values!r}")
        object.__setattr__(self, "values", values)
        rules = (
            self.cluster.make_rules(self.variant)  # type: ignore[attr-defined]
            if custom
            else rules_for(self.cluster, self.variant)
        )
        object.__setattr__(self, "rules", rules)


@dataclass(frozen=True, slots=True)
class World:
    """All of a run at one instant (see the module docstring).

    NOTE: ``inflight`` is kept sorted by ``Message.sort_key`` (so one multiset has one
    tuple, and the engine finds a message by binary search); a World built by hand must
    list its messages in that order.
    """

    config: Config
    nodes: tuple[NodeState, ...]
    inflight: tuple[Message, ...] = ()
    crashed: frozenset[str] = frozenset()
    partition: Partition | None = None
    timers: frozenset[str] = frozenset()
    votes: frozenset[tuple[str, Ballot, str]] = frozenset()
    proposed: frozenset[str] = frozenset()
    learned_log: frozenset[tuple[str, str]] = frozenset()

    # -- reading ---------------------------------------------------------------------------

    @property
    def cluster(self) -> Cluster:
        return self.config.cluster

    @property
    def rules(self) -> Rules:
        return self.config.rules

    def node(self, node_id: str) -> NodeState:
        """The state of ``node_id``."""
        return self.nodes[self.config.cluster.index(node_id)]

    def is_up(self, node_id: str) -> bool:
        return node_id not in self.crashed

    def can_reach(self, src: str, dst: str) -> bool:
        """True unless a partition puts ``src`` and ``dst`` on different sides."""
        p = self.partition
        return p is None or p.side_of(src) == p.side_of(dst)

    def deliverable(self, message: Message) -> bool:
        """The message is in flight, its receiver is up and on the sender's side."""
        return (
            message.dst not in self.crashed
            and self.can_reach(message.src, message.dst)
            and message in self.inflight
        )

    def copies(self, message: Message) -> int:
        """How many copies of ``message`` are in flight."""
        return self.inflight.count(message)

    @property
    def max_round(self) -> int:
        """The highest ballot round any proposer has used."""
        return max((getattr(s, "round", 0) for s in self.nodes), default=0)

    def __str__(self) -> str:
        lines = []
        for s in self.nodes:
            status = " (crashed)" if s.node in self.crashed else ""
            lines.append(f"{s.node}{status}: {describe_state(s)}")
        lines.append(f"in flight: {len(self.inflight)} message(s)")
        if self.partition is not None:
            lines.append(str(self.partition))
        return "\n".join(lines)


def describe_state(state: Any) -> str:
    """One line of a node's state, for traces and tables."""
    describe = getattr(state, "describe", None)
    if describe is not None:
        return str(describe())
    if isinstance(state, Acceptor):
        acc = (
            "nothing"
            if state.accepted_ballot is None
            else f"{state.accepted_value!r} at {state.accepted_ballot}"
        )
        promised = "none" if state.promised is None else str(state.promised)
        return f"promised {promised}, accepted {acc}"
    if isinstance(state, Proposer):
        ballot = "none" if state.ballot is None else str(state.ballot)
        return f"{state.phase}, ballot {ballot}, value {state.value!r}, proposal {state.proposal!r}"
    if isinstance(state, Learner):
        return f"learned {state.learned!r}, {len(state.votes)} vote(s) seen"
    return repr(state)


def initial_world(
    cluster: Cluster,
    variant: str = "classic",
    network: str = "lossy",
    values: Iterable[str] = (),
) -> World:
    """The world before anything has happened: every node in its initial state."""
    config = Config(
        cluster=cluster, variant=variant, network=network, values=values  # type: ignore[arg-type]
    )
    make = getattr(cluster, "initial_state", None)
    if make is not None:
        nodes = tuple(make(n) for n in cluster.node_ids)
    else:
        nodes = tuple(initial_state(n, cluster.role_of(n)) for n in cluster.node_ids)
    return World(config=config, nodes=nodes)


# -- what can happen next ---------------------------------------------------------------------


def _distinct(messages: tuple[Message, ...]) -> list[Message]:
    out: list[Message] = []
    for m in messages:  # sorted, so copies are adjacent
        if not out or out[-1] != m:
            out.append(m)
    return out


def listed_partitions(cluster: Cluster) -> tuple[Partition, ...]:
    """The partitions ``enabled_actions`` offers: each node cut off alone, and each proposer
    with a minority of the acceptors.  (``apply`` accepts any partition of the nodes.)

    Computed once per cluster (clusters are frozen and hashable)."""
    return _listed_partitions(cluster)


@lru_cache(maxsize=64)
def _listed_partitions(cluster: Cluster) -> tuple[Partition, ...]:
    ids = cluster.node_ids
    out: list[Partition] = []
    seen: set[Partition] = set()
    minority = cluster.acceptor_ids[: (cluster.acceptors - 1) // 2]
    candidates = [(n,) for n in ids]
    if minority:
        # dict.fromkeys: a proposer that is also an acceptor (a replica) is listed once
        candidates += [tuple(dict.fromkeys((p, *minority))) for p in cluster.proposer_ids]
    for side in candidates:
        rest = tuple(n for n in ids if n not in side)
        if not rest:
            continue
        p = Partition((side, rest))
        if p not in seen:
            seen.add(p)
            out.append(p)
    return tuple(out)


def check_world(world: object) -> World:
    """Return ``world`` if it is a World; else raise ConfigError."""
    if not isinstance(world, World):
        raise ConfigError(
            f"expected a World (from initial_world(...) or Simulation.world), got {world!r}"
        )
    return world


def enabled_actions(world: World) -> tuple[Action, ...]:
    """Every action possible in ``world``, in a fixed order.

    Order: proposals (for the configured client values), deliveries, timeouts, drops and
    duplicates (lossy network only), crashes, recoveries, partitions, heal.
    """
    check_world(world)
    cfg = world.config
    cluster = cfg.cluster
    crashed = world.crashed
    out: list[Action] = []
    if cfg.values:
        for pid in cluster.proposer_ids:
            state = world.nodes[cluster.index(pid)]
            if pid not in crashed and getattr(state, "can_propose", False):
                out.extend(Propose(pid, v) for v in cfg.values)
    distinct = _distinct(world.inflight)
    part = world.partition
    for m in distinct:
        if m.dst not in crashed and (part is None or part.side_of(m.src) == part.side_of(m.dst)):
            out.append(Deliver(m))
    for pid in cluster.proposer_ids:
        if pid in world.timers and pid not in crashed:
            out.append(Timeout(pid))
    if cfg.network == "lossy":
        out.extend(Drop(m) for m in distinct)
        out.extend(Duplicate(m) for m in distinct)
    out.extend(Crash(n) for n in cluster.node_ids if n not in crashed)
    out.extend(Recover(n) for n in cluster.node_ids if n in crashed)
    if part is None:
        out.extend(listed_partitions(cluster))
    else:
        out.append(Heal())
    return tuple(out)


def why_not(world: World, action: object) -> str | None:
    """None if ``action`` is enabled in ``world``; else a sentence saying why not."""
    check_world(world)
    cfg = world.config
    cluster = cfg.cluster
    ids = cluster.node_ids
    if isinstance(action, Propose):
        if action.proposer not in ids or cluster.role_of(action.proposer) != "proposer":
            return (f"{action.proposer!r} is not a proposer; the proposers are "
                    f"{', '.join(cluster.proposer_ids)}")
        if action.proposer in world.crashed:
            return f"{action.proposer} is crashed; recover it first"
        state = world.node(action.proposer)
        if not getattr(state, "can_propose", False):
            return (f"{action.proposer} is already working on {state.value!r}; a proposer "
                    "takes one value at a time")
        return None
    if isinstance(action, Deliver | Drop | Duplicate):
        m = action.message
        if m not in world.inflight:
            return f"{m} is not in flight"
        if isinstance(action, Deliver):
            if m.dst in world.crashed:
                return f"{m.dst} is crashed, so it cannot receive {m.label}"
            if not world.can_reach(m.src, m.dst):
                return f"the partition separates {m.src} from {m.dst}"
        elif cfg.network != "lossy":
            return (f"the {cfg.network} network never loses or copies a message; "
                    f"{action.KIND} needs network='lossy'")
        return None
    if isinstance(action, Crash | Recover):
        if action.node not in ids:
            return f"unknown node {action.node!r}; this cluster has {', '.join(ids)}"
        if isinstance(action, Crash) and action.node in world.crashed:
            return f"{action.node} is already crashed"
        if isinstance(action, Recover) and action.node not in world.crashed:
            return f"{action.node} is up; only a crashed node can recover"
        return None
    if isinstance(action, Partition):
        if world.partition is not None:
            return "the network is already partitioned; heal it first"
        members = [n for g in action.groups for n in g]
        unknown = [n for n in members if n not in ids]
        if unknown:
            return f"unknown node(s) {unknown} in the partition; this cluster has {', '.join(ids)}"
        missing = [n for n in ids if n not in members]
        if missing:
            return f"a partition must place every node in a group; missing {', '.join(missing)}"
        return None
    if isinstance(action, Heal):
        return None if world.partition is not None else "the network is not partitioned"
    if isinstance(action, Timeout):
        if action.proposer not in cluster.proposer_ids:
            return (f"{action.proposer!r} is not a proposer; the proposers are "
                    f"{', '.join(cluster.proposer_ids)}")
        if action.proposer in world.crashed:
            return f"{action.proposer} is crashed"
        if action.proposer not in world.timers:
            return f"{action.proposer} has no retry timer armed (it is not waiting)"
        return None
    return f"{action!r} is not an action; actions are Propose, Deliver, Drop, Duplicate, " \
           "Crash, Recover, Partition, Heal and Timeout"


def is_enabled(world: World, action: object) -> bool:
    """True if ``action`` can happen in ``world``."""
    return why_not(world, action) is None


# -- applying ---------------------------------------------------------------------------------


def _run_effects(
    world: World,
    nodes: list[NodeState],
    inflight: list[Message],
    effects: tuple[Effect, ...],
) -> tuple[frozenset[str], frozenset[tuple[str, Ballot, str]]]:
    timers = world.timers
    votes = world.votes
    sent_set = world.config.network == "sent-set"
    for e in effects:
        if isinstance(e, Send):
            m = e.message
            if not sent_set:
                insort(inflight, m, key=_sort_key)
            else:
                # The set of sent messages holds each message once.  ``inflight`` is sorted,
                # so look ``m`` up by binary search among the messages with its sort key
                # (no set of the whole network built and hashed on every step).
                key = m.sort_key
                i = bisect_left(inflight, key, key=_sort_key)
                j = i
                while j < len(inflight) and inflight[j].sort_key == key:
                    if inflight[j] == m:
                        break
                    j += 1
                else:
                    inflight.insert(i, m)
            v = m.vote
            if v is not None and v not in votes:
                votes = votes | {v}
        elif isinstance(e, SetTimer):
            timers = timers | {e.node}
        elif isinstance(e, CancelTimer):
            timers = timers - {e.node}
    return timers, votes


def apply(world: World, action: Action) -> World:
    """The world after ``action``.  Raises SimulationError if it is not enabled."""
    reason = why_not(world, action)
    if reason is not None:
        raise SimulationError(f"cannot {action}: {reason}")
    return apply_enabled(world, action)


def apply_enabled(world: World, action: Action) -> World:
    """``apply`` without the check, for an action taken from ``enabled_actions(world)``.

    The explorer applies millions of actions it has just listed as enabled; checking each
    again would only repeat ``enabled_actions``' work.

    Clocks: rules with a ``tick(world)`` method (Multi-Paxos with clients,
    ``paxos_lib.multipaxos.clients``) make every step one unit of real time; ``tick`` then
    advances every node's clock after the step.
    """
    after = _step(world, action)
    tick = getattr(world.config.rules, "tick", None)
    return after if tick is None else tick(after)  # type: ignore[no-any-return]


def _step(world: World, action: Action) -> World:
    cfg = world.config
    rules = cfg.rules
    index = cfg.cluster.index
    if isinstance(action, Deliver):
        m = action.message
        nodes = list(world.nodes)
        inflight = list(world.inflight)
        if cfg.network == "lossy":
            inflight.remove(m)
        i = index(m.dst)
        old = nodes[i]
        new_state, effects = old.on_message(m, rules)
        nodes[i] = new_state
        timers, votes = _run_effects(world, nodes, inflight, effects)
        log = world.learned_log
        if isinstance(new_state, Learner) and new_state.learned is not None and (
            new_state.learned != getattr(old, "learned", None)
        ):
            log = log | {(new_state.node, new_state.learned)}
        return World(cfg, tuple(nodes), tuple(inflight), world.crashed, world.partition,
                     timers, votes, world.proposed, log)
    if isinstance(action, Propose):
        nodes = list(world.nodes)
        inflight = list(world.inflight)
        i = index(action.proposer)
        new_state, effects = nodes[i].on_propose(action.value, rules)  # type: ignore[union-attr]
        nodes[i] = new_state
        timers, votes = _run_effects(world, nodes, inflight, effects)
        return World(cfg, tuple(nodes), tuple(inflight), world.crashed, world.partition,
                     timers, votes, world.proposed | {action.value}, world.learned_log)
    if isinstance(action, Timeout):
        nodes = list(world.nodes)
        inflight = list(world.inflight)
        i = index(action.proposer)
        new_state, effects = nodes[i].on_timeout(rules)
        nodes[i] = new_state
        timers, votes = _run_effects(world, nodes, inflight, effects)
        return World(cfg, tuple(nodes), tuple(inflight), world.crashed, world.partition,
                     timers, votes, world.proposed, world.learned_log)
    if isinstance(action, Drop):
        inflight = list(world.inflight)
        inflight.remove(action.message)
        return _replace(world, inflight=tuple(inflight))
    if isinstance(action, Duplicate):
        inflight = list(world.inflight)
        insort(inflight, action.message, key=_sort_key)
        return _replace(world, inflight=tuple(inflight))
    if isinstance(action, Crash):
        nodes = list(world.nodes)
        i = index(action.node)
        nodes[i] = nodes[i].after_crash(rules)
        return _replace(world, nodes=tuple(nodes), crashed=world.crashed | {action.node},
                        timers=world.timers - {action.node})
    if isinstance(action, Recover):
        up = world.crashed - {action.node}
        i = index(action.node)
        restart = getattr(world.nodes[i], "after_recover", None)
        if restart is None:
            return _replace(world, crashed=up)
        # A role with restart code (Multi-Paxos replicas) may arm its timer again.
        nodes = list(world.nodes)
        inflight = list(world.inflight)
        nodes[i], effects = restart(rules)
        timers, votes = _run_effects(world, nodes, inflight, effects)
        return World(cfg, tuple(nodes), tuple(inflight), up, world.partition,
                     timers, votes, world.proposed, world.learned_log)
    if isinstance(action, Partition):
        return _replace(world, partition=action)
    assert isinstance(action, Heal)
    return _replace(world, partition=None)


def _replace(world: World, **changes: object) -> World:
    fields = {
        "config": world.config,
        "nodes": world.nodes,
        "inflight": world.inflight,
        "crashed": world.crashed,
        "partition": world.partition,
        "timers": world.timers,
        "votes": world.votes,
        "proposed": world.proposed,
        "learned_log": world.learned_log,
    }
    fields.update(changes)
    return World(**fields)  # type: ignore[arg-type]


def learner_states(world: World) -> tuple[Learner, ...]:
    return tuple(s for s in world.nodes if isinstance(s, Learner))
