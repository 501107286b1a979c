"""Lesson 04: what an acceptor must keep on disk, and which side of a partition can choose.

Both checks judge the learner's answer on the real engine, not against a table of answers:

- ``check_persist`` runs two short histories in which acceptor a2 crashes at the worst
  moment.  At the crash, a2 is rebuilt from whatever the learner's ``persist`` wrote to disk,
  and the history goes on; if two values end up chosen for order 42, the feedback says which
  field a2 forgot and how that let a proposer get a second value chosen.
- ``check_writes`` walks one classic history on the engine and, for every message acceptor
  a2 handles, asks which fields it must write before replying: exactly those the message
  changed.  A field left out is explained by what a crash right after the reply would bring
  back; a field written for nothing, by the cost of a disk write.
- ``check_can_choose`` splits a cluster in two, lets the proposers on one side try to get a
  value chosen while the other side is cut off, and compares what happened with the
  learner's prediction, explaining the outcome in terms of proposers and quorums.

NOTE: the engine applies an acceptor's new state and its reply in one atomic step, which
models "write to disk, then reply".  Here a crash replaces the acceptor's state by the one
rebuilt from the learner's disk, which models an acceptor that wrote only those fields.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any

from paxos_lib.actions import (
    Action,
    Crash,
    Deliver,
    Duplicate,
    Partition,
    Propose,
    Recover,
    Timeout,
)
from paxos_lib.cluster import Cluster
from paxos_lib.engine import World, apply, initial_world
from paxos_lib.errors import PaxosError
from paxos_lib.exercises.feedback import (
    Feedback,
    bool_answer,
    need_function,
    run_scenarios,
)
from paxos_lib.exercises.hidden import hidden_cases
from paxos_lib.messages import Message
from paxos_lib.properties import chosen, chosen_by
from paxos_lib.roles import Acceptor, Proposer
from paxos_lib.simulation import Faults, Simulation

__all__ = ["check_can_choose", "check_persist", "check_writes"]

#: The fields of an acceptor's state, in the order the feedback lists them.
ACCEPTOR_FIELDS = tuple(f.name for f in fields(Acceptor) if f.name != "node")


# -- what an acceptor persists -------------------------------------------------------------


def _find(world: World, kind: str, src: str, dst: str) -> Message:
    for m in world.inflight:
        if kind == m.KIND and m.src == src and m.dst == dst:
            return m
    raise AssertionError(f"scenario bug: no {kind} {src}→{dst} in flight")  # pragma: no cover


def _deliver(world: World, *hops: tuple[str, str, str]) -> World:
    for kind, src, dst in hops:
        world = apply(world, Deliver(_find(world, kind, src, dst)))
    return world


def _describe(a: Acceptor) -> str:
    promised = "promised nothing" if a.promised is None else f"promised {a.promised}"
    vote = (
        "cast no vote"
        if a.accepted_ballot is None
        else f"voted for {a.accepted_value!r} at {a.accepted_ballot}"
    )
    return f"{promised} and {vote}"


def _voters(world: World) -> str:
    parts = []
    for value, ballots in chosen_by(world).items():
        for ballot, who in ballots:
            parts.append(f"{' and '.join(who)} chose {value!r} at {ballot}")
    return "; ".join(parts)


@dataclass(frozen=True)
class _CrashScenario:
    """A history up to a2's crash, and the steps that follow its restart."""

    name: str
    before: World  # the world just before a2 crashes
    after: Callable[[World], World]  # what happens once a2 is back
    story: Callable[[World, Acceptor], str]  # explains a violation in plain words


def _restart(world: World, node: str, disk: Acceptor) -> World:
    """Crash ``node`` and bring it back as ``disk`` (the state rebuilt from its disk)."""
    world = apply(world, Crash(node))
    i = world.cluster.index(node)
    nodes = (*world.nodes[:i], disk, *world.nodes[i + 1 :])
    return apply(replace(world, nodes=nodes), Recover(node))


def _forgotten_vote() -> _CrashScenario:
    # p1 gets "confirmed" chosen by a1 and a2 at 1.p1; then a2 crashes.
    w = initial_world(Cluster(proposers=2, acceptors=3), "classic", "lossy")
    w = apply(w, Propose("p1", "confirmed"))
    w = _deliver(w, ("prepare", "p1", "a1"), ("prepare", "p1", "a2"),
                 ("promise", "a1", "p1"), ("promise", "a2", "p1"),
                 ("accept", "p1", "a1"), ("accept", "p1", "a2"))

    def after(w: World) -> World:
        # p2 asks a2 and a3 for ballot 1.p2 and proposes what their promises make it propose.
        w = apply(w, Propose("p2", "cancelled"))
        w = _deliver(w, ("prepare", "p2", "a2"), ("prepare", "p2", "a3"),
                     ("promise", "a2", "p2"), ("promise", "a3", "p2"))
        return _deliver(w, ("accept", "p2", "a2"), ("accept", "p2", "a3"))

    def story(end: World, disk: Acceptor) -> str:
        return (
            "a2 voted for 'confirmed' at 1.p1, and with a1's vote that chose it; a2 then "
            f"crashed and restarted from your disk having {_describe(disk)}, so its promise "
            "to p2 reported no vote, p2 proposed its own 'cancelled', and a2 and a3 accepted "
            f"it: two values chosen ({_voters(end)})"
        )

    name = "when a2 crashes right after its vote chose 'confirmed'"
    return _CrashScenario(name, w, after, story)


def _forgotten_promise() -> _CrashScenario:
    # p1 (ballot 1.p1) has its accepts in flight; p2 (1.p2) then gets promises from a2 and a3,
    # and a3 accepts p2's "cancelled".  Then a2 crashes, before either accept reaches it.
    w = initial_world(Cluster(proposers=2, acceptors=3), "classic", "lossy")
    w = apply(w, Propose("p1", "confirmed"))
    w = _deliver(w, ("prepare", "p1", "a1"), ("prepare", "p1", "a2"),
                 ("promise", "a1", "p1"), ("promise", "a2", "p1"))
    w = apply(w, Propose("p2", "cancelled"))
    w = _deliver(w, ("prepare", "p2", "a2"), ("prepare", "p2", "a3"),
                 ("promise", "a2", "p2"), ("promise", "a3", "p2"),
                 ("accept", "p2", "a3"))

    def after(w: World) -> World:
        # The old accept 1.p1 reaches a2 and a1, then p2's accept 1.p2 reaches a2.
        w = _deliver(w, ("accept", "p1", "a2"), ("accept", "p1", "a1"))
        return _deliver(w, ("accept", "p2", "a2"))

    def story(end: World, disk: Acceptor) -> str:
        return (
            "a2 promised ballot 1.p2 to p2 (so p2 went on to propose 'cancelled'), then "
            f"crashed and restarted from your disk having {_describe(disk)}; when p1's older "
            "accept 1.p1 arrived, a2 no longer knew it had sworn to ignore it, accepted "
            "'confirmed', and with a1 that chose it; p2's 'cancelled' was chosen too: two "
            f"values chosen ({_voters(end)})"
        )

    name = "when a2 crashes after promising 1.p2, before the older accept 1.p1 reaches it"
    return _CrashScenario(name, w, after, story)


def _rebuild(node: str, disk: Any) -> tuple[Acceptor | None, str | None]:
    """The acceptor restarted from ``disk``, or a sentence saying why that cannot be done."""
    if not isinstance(disk, dict):
        return None, (
            "persist should return a dict of the fields written to disk, such as "
            f"{{'promised': acceptor.promised}}, but returned {disk!r}"
        )
    unknown = sorted(str(k) for k in disk if k not in ACCEPTOR_FIELDS)
    if unknown:
        return None, (
            f"an acceptor has no field {', '.join(map(repr, unknown))}; its fields are "
            f"{', '.join(ACCEPTOR_FIELDS)}"
        )
    try:
        return Acceptor(node=node, **disk), None
    except PaxosError as exc:
        return None, f"a2 could not restart from your disk: {exc}"


def check_persist(fn: Callable[[Acceptor], dict[str, Any]]) -> Feedback:
    """Check ``fn(acceptor) -> dict``: the fields an acceptor writes to disk before replying.

    After a crash the acceptor restarts as ``Acceptor(node=..., **fn(acceptor))``; two
    histories on the real engine show whether that can get two values chosen.
    """
    fn = need_function(fn, "check_persist")

    def case(scenario: _CrashScenario) -> tuple[tuple[Any, ...], Any]:
        before = scenario.before
        crashed = before.node("a2")
        assert isinstance(crashed, Acceptor)

        def judge(disk: Any) -> str | None:
            restarted, problem = _rebuild("a2", disk)
            if problem is not None:
                return f"{scenario.name}: {problem}"
            assert restarted is not None
            end = scenario.after(_restart(before, "a2", restarted))
            if len(chosen(end)) > 1:
                return scenario.story(end, restarted)
            if restarted != crashed:
                return (
                    f"{scenario.name}: no harm done this time, but a2 forgot something: it "
                    f"crashed having {_describe(crashed)}, and restarted having "
                    f"{_describe(restarted)}; a restarted acceptor must know exactly what it "
                    "knew before"
                )
            return None

        return (crashed,), judge

    scenarios = (_forgotten_vote(), _forgotten_promise())
    return run_scenarios("persist", (case(s) for s in scenarios), fn)


# -- which side of a partition can choose ----------------------------------------------------

_SIDES: tuple[tuple[Cluster, tuple[str, ...]], ...] = (
    (Cluster(proposers=1, acceptors=3), ("p1", "a1", "a2")),
    (Cluster(proposers=1, acceptors=3), ("p1", "a1", "l1")),
    (Cluster(proposers=1, acceptors=3), ("a1", "a2", "a3")),
    (Cluster(proposers=2, acceptors=5), ("p1", "a1", "a2", "a3")),
    (Cluster(proposers=2, acceptors=5), ("p2", "a4", "a5", "l1")),
    (Cluster(proposers=1, acceptors=4), ("p1", "a1", "a2")),
    (Cluster(proposers=2, acceptors=4), ("p1", "p2", "a1", "a2", "l1")),
    (Cluster(proposers=1, acceptors=1), ("p1", "a1")),
)

#: How long the proposers on a side get to try (plenty: a 5-acceptor ballot takes ~15 steps).
_STEPS = 200


@dataclass(frozen=True)
class _SideRun:
    """What happened on one side of a partition while it was cut off."""

    chosen: frozenset[str]
    steps: int
    ballots: dict[str, str]  # proposer -> the last ballot it tried


def _run_side(cluster: Cluster, side: tuple[str, ...], seed: int = 0) -> _SideRun:
    """Cut ``side`` off from the rest of ``cluster``, let each proposer on it propose, and run
    (no healing, no other faults) until something is chosen or ``_STEPS`` steps pass."""
    sim = Simulation(cluster, seed=seed)
    rest = tuple(n for n in cluster.node_ids if n not in side)
    sim.apply(Partition((side, rest)))
    mine = [p for p in cluster.proposer_ids if p in side]
    values = ("confirmed", "cancelled")
    for i, p in enumerate(mine):
        sim.propose(p, values[i % 2])
    steps = 0
    while not sim.chosen() and steps < _STEPS:
        action: Action | None = sim.next_random_action(Faults(recover=0.0, heal=0.0))
        if action is None:
            break
        sim.apply(action)
        steps += 1
    ballots = {}
    for p in mine:
        state = sim.world.node(p)
        assert isinstance(state, Proposer)
        ballots[p] = str(state.ballot)
    return _SideRun(sim.chosen(), steps, ballots)


def _set(nodes: tuple[str, ...]) -> str:
    return "{" + ", ".join(nodes) + "}"


def _shape(cluster: Cluster) -> str:
    return (f"{cluster.proposers} proposer{'s' * (cluster.proposers > 1)}, "
            f"{cluster.acceptors} acceptor{'s' * (cluster.acceptors > 1)}")


def check_can_choose(fn: Callable[[Cluster, set[str]], bool]) -> Feedback:
    """Check ``fn(cluster, side) -> bool``: can the nodes in ``side`` (a set of node ids) get
    a value chosen while a partition cuts them off from the rest of ``cluster``?"""
    fn = need_function(fn, "check_can_choose")
    return _check_can_choose(fn, _SIDES)


def _check_can_choose(fn: Callable[..., Any], cases: Any) -> Feedback:
    """check_can_choose's judge over ``cases`` (the visible table, or the hidden one)."""

    def case(cluster: Cluster, side: tuple[str, ...]) -> tuple[tuple[Any, ...], Any]:
        run = _run_side(cluster, side)
        expected = bool(run.chosen)
        proposers = [p for p in side if p in cluster.proposer_ids]
        acceptors = [a for a in side if a in cluster.acceptor_ids]
        where = f"with {_shape(cluster)}, the side {_set(side)}"
        have = (f"{len(acceptors)} of the {cluster.acceptors} acceptor"
                f"{'s' * (cluster.acceptors > 1)}")

        def judge(result: Any) -> str | None:
            bad = bool_answer(result)
            if bad is not None:
                return f"{where}: {bad}"
            if result == expected:
                return None
            if expected:
                value = next(iter(sorted(run.chosen)))
                return (f"{where} can choose: it holds {', '.join(proposers)} and {have}, "
                        f"a quorum of {cluster.quorum_size}; on the engine {value!r} was "
                        f"chosen there in {run.steps} steps while the rest was cut off")
            if not proposers:
                return (f"{where} cannot choose: {have} are there, but no proposer, so "
                        "nobody asks them to vote")
            tried = ", ".join(f"{p} got up to ballot {b}" for p, b in run.ballots.items())
            return (f"{where} cannot choose: it holds only {have}, and a quorum is "
                    f"{cluster.quorum_size}, so no ballot there can collect enough promises "
                    f"(on the engine, {tried} in {run.steps} steps and nothing was chosen)")

        return (cluster, set(side)), judge

    return run_scenarios("can_choose", (case(c, s) for c, s in cases), fn)


# -- what each reply must wait for ------------------------------------------------------------


def _history_for_writes() -> tuple[tuple[Message, Acceptor, Acceptor], ...]:
    """Every message acceptor a2 handles in one classic history, with its state before and
    after: a first promise, a duplicated and a stale prepare, a refused accept, a vote at the
    promised ballot, and a vote at a ballot above the promise (which raises the promise too)."""
    sim = Simulation(Cluster(proposers=2, acceptors=3))

    def msg(kind: str, src: str, dst: str, ballot: str) -> Message:
        return next(m for m in sim.world.inflight if kind == m.KIND and m.src == src
                    and m.dst == dst and str(getattr(m, "ballot", "")) == ballot)

    def hop(kind: str, src: str, dst: str, ballot: str) -> None:
        sim.apply(Deliver(msg(kind, src, dst, ballot)))

    sim.propose("p1", "confirmed")
    for _ in range(2):
        sim.apply(Duplicate(msg("prepare", "p1", "a2", "1.p1")))
    hop("prepare", "p1", "a2", "1.p1")
    hop("prepare", "p1", "a2", "1.p1")
    hop("prepare", "p1", "a1", "1.p1")
    hop("promise", "a1", "p1", "1.p1")
    hop("promise", "a2", "p1", "1.p1")
    sim.propose("p2", "cancelled")
    hop("prepare", "p2", "a2", "1.p2")
    hop("prepare", "p1", "a2", "1.p1")
    hop("prepare", "p2", "a3", "1.p2")
    hop("accept", "p1", "a2", "1.p1")
    hop("promise", "a2", "p2", "1.p2")
    hop("promise", "a3", "p2", "1.p2")
    hop("accept", "p2", "a2", "1.p2")
    sim.apply(Timeout("p1"))
    for a in ("a1", "a3"):
        hop("prepare", "p1", a, "2.p1")
    for a in ("a1", "a3"):
        hop("promise", a, "p1", "2.p1")
    hop("accept", "p1", "a2", "2.p1")
    out = []
    worlds = sim.trace.worlds()
    for i, action in enumerate(sim.trace.steps):
        if isinstance(action, Deliver) and action.message.dst == "a2":
            before, after = worlds[i].node("a2"), worlds[i + 1].node("a2")
            assert isinstance(before, Acceptor) and isinstance(after, Acceptor)
            out.append((action.message, before, after))
    return tuple(out)


def _field_text(a: Acceptor, name: str) -> str:
    value = getattr(a, name)
    return "nothing" if value is None else (repr(value) if isinstance(value, str) else str(value))


def _label(msg: Message, before: Acceptor) -> str:
    """The message, and what kind of repeat or refusal it is for a2."""
    ballot = getattr(msg, "ballot", None)
    if before.promised is not None and ballot is not None and ballot < before.promised:
        return f"{msg} (below a2's promise {before.promised}, so refused)"
    if msg.KIND == "prepare" and ballot == before.promised:
        return f"{msg} (a copy of a prepare a2 already answered)"
    return str(msg)


def _missing(where: str, names: list[str], before: Acceptor, after: Acceptor) -> str:
    head = f"{where}, a2's "
    if "promised" in names:
        old, new = _field_text(before, "promised"), _field_text(after, "promised")
        text = (f"{head}promise changed from {old} to {new}, but you did not write it: if a2 "
                f"crashed right after replying, it would come back having promised {old}, and "
                f"could then accept a ballot below {new}, which it has sworn to ignore")
        rest = [n for n in names if n != "promised"]
        return text if not rest else text + "; and " + _missing("there", rest, before, after)
    if before.accepted_ballot is None:
        old_vote = "no vote"
    else:
        old_vote = f"its vote for {before.accepted_value!r} at {before.accepted_ballot}"
    if len(names) == 1:
        return (f"{head}vote changed to {after.accepted_value!r} at {after.accepted_ballot}, but "
                f"you did not write {names[0]}: if a2 crashed right after replying, its disk "
                f"would hold half of the new vote next to half of {old_vote}, a vote nobody "
                "cast")
    return (f"{head}vote changed to {after.accepted_value!r} at {after.accepted_ballot}, but you "
            f"did not write {' and '.join(names)}: if a2 crashed right after replying, it "
            f"would come back with {old_vote} on disk, and a later proposer that hears from "
            "it would not learn of the new vote")


def check_writes(fn: Callable[[Message, Acceptor, Acceptor], Any]) -> Feedback:
    """Check ``fn(message, before, after) -> fields``: the fields acceptor a2 must write to
    disk before it replies to ``message``, which took it from state ``before`` to ``after``.
    Every field that changed must be written (a crash after the reply would lose it), and no
    field that stayed the same (a disk write is the slowest step an acceptor takes)."""
    fn = need_function(fn, "check_writes")
    return _check_writes(fn, _history_for_writes())


def _check_writes(fn: Callable[..., Any], cases: Any) -> Feedback:
    """check_writes's judge over ``cases`` (the visible table, or the hidden one)."""

    def case(msg: Message, before: Acceptor, after: Acceptor) -> tuple[tuple[Any, ...], Any]:
        changed = {f for f in ACCEPTOR_FIELDS if getattr(before, f) != getattr(after, f)}

        def judge(result: Any) -> str | None:
            if isinstance(result, str) or not isinstance(result, set | frozenset | list | tuple):
                return (f"after {msg}: return the names of the fields to write, such as "
                        f"{{'promised'}} or set(), got {result!r}")
            unknown = sorted(str(f) for f in result if f not in ACCEPTOR_FIELDS)
            if unknown:
                return (f"after {msg}: an acceptor has no field {', '.join(map(repr, unknown))}"
                        f"; its fields are {', '.join(ACCEPTOR_FIELDS)}")
            written = set(result)
            where = f"after {_label(msg, before)}"
            reasons = []
            missing = [f for f in ACCEPTOR_FIELDS if f in changed - written]
            if missing:
                reasons.append(_missing(where, missing, before, after))
            extra = [f for f in ACCEPTOR_FIELDS if f in written - changed]
            if extra:
                what = "nothing" if not changed else "only " + " and ".join(
                    f for f in ACCEPTOR_FIELDS if f in changed)
                reasons.append(
                    f"{where}, you wrote {' and '.join(extra)}, but handling it changed "
                    f"{what}: that write keeps nothing new, and a disk write is the slowest "
                    "step an acceptor takes")
            return "; ".join(reasons) if reasons else None

        return (msg, before, after), judge

    return run_scenarios("writes", (case(*h) for h in cases), fn)


#: Hidden cases of check_can_choose (graded, never shown by the check; see ``hidden.py``).
_HIDDEN_SIDES = (
    (Cluster(proposers=2, acceptors=5), ("p2", "a2", "a4", "a5")),
    (Cluster(proposers=2, acceptors=5), ("p1", "p2", "a1", "a2")),
    (Cluster(proposers=1, acceptors=5), ("a1", "a2", "a3", "a4", "a5")),
    (Cluster(proposers=2, acceptors=3), ("p2", "a3", "a1")),
    (Cluster(proposers=1, acceptors=2), ("p1", "a2")),
)


@hidden_cases(check_can_choose)
def _hidden_can_choose(fn: Callable[..., Any]) -> Feedback:
    return _check_can_choose(fn, _HIDDEN_SIDES)


def _hidden_history_for_writes() -> tuple[tuple[Message, Acceptor, Acceptor], ...]:
    """Hidden cases of check_writes (graded, never shown by the check; see ``hidden.py``):
    the first messages a2 handles in a seeded run of three proposers on a network that
    copies messages and fires timeouts, each with a2's state before and after."""
    sim = Simulation(Cluster(proposers=3, acceptors=3), seed=5)
    for p, v in zip(("p1", "p2", "p3"), ("confirmed", "cancelled", "confirmed"), strict=True):
        sim.propose(p, v)
    sim.run(max_steps=400, faults=Faults(duplicate=0.15, timeout=0.03, recover=0.0, heal=0.0))
    out = []
    worlds = sim.trace.worlds()
    for i, action in enumerate(sim.trace.steps):
        if isinstance(action, Deliver) and action.message.dst == "a2":
            before, after = worlds[i].node("a2"), worlds[i + 1].node("a2")
            assert isinstance(before, Acceptor) and isinstance(after, Acceptor)
            out.append((action.message, before, after))
    return tuple(out[:12])


@hidden_cases(check_writes)
def _hidden_writes(fn: Callable[..., Any]) -> Feedback:
    return _check_writes(fn, _hidden_history_for_writes())
