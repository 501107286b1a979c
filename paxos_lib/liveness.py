"""Liveness: do competing proposers finish, and what makes them finish sooner?

Theory of operation
-------------------
Safety never depends on timing; termination does.  So everything here is *environment*: the
roles stay exactly as they are, and a scheduler with a clock decides when messages arrive and
when each proposer's retry timer fires.  A proposer refused by a higher ballot (a ``Nack``)
goes to phase ``nacked`` and retries only when its timer fires (``Timeout``).  *When* that
happens is the strategy, one of ``STRATEGIES``:

``duel``
    A refused proposer retries at once (its timer fires in the same step).  Two proposers can
    keep pre-empting each other: each new prepare overtakes the rival's accepts.
``backoff``
    Randomized back-off: after its n-th refusal a proposer waits a random number of steps
    drawn from ``0 .. BACKOFF_BASE * 2**(n-1)`` (at most ``BACKOFF_CAP``), so sooner or later
    one of them retries alone.  A function ``backoff(attempt, rng) -> steps`` (a learner's)
    may stand in for the name.
``leader``
    A distinguished proposer: only the leader retries; the others' timers never fire while it
    is up.  By default the leader is the first proposer that is up, as a perfect failure
    detector would tell.  ``leaders=`` says who *believes* it leads instead: a tuple of
    proposer ids, or a rule ``should_retry(me, up) -> bool``.
``heartbeat``
    A leader elected without an oracle (``ELECTION``, not one of ``STRATEGIES``).  Every
    ``heartbeat`` ticks each proposer that is up sends a heartbeat to the others; a heartbeat
    takes ``latency`` ticks, is lost with the probability ``faults.drop``, and cannot cross
    a partition.  A proposer *suspects* another when it has heard nothing from it for more
    than its timeout (``suspect_after`` ticks at first), and believes it leads when every
    proposer before it (by id) is suspected.  Only a proposer that believes it leads
    retries.  A slow link looks exactly like a crash, so suspicions can be false: then two
    proposers believe they lead at once (``Race.two_leaders``), which is safe, only slower.
    Two things end it.  A refused leader backs off (``random_backoff``) before it retries,
    so two leaders do not duel for long; and when a suspected proposer is heard again the
    suspicion is dropped and that timeout doubles (up to ``SUSPECT_CAP``), as in an
    eventually perfect failure detector, so the same slowness does not fool it twice.
    ``hiccup=(proposer, start, end)`` loses that proposer's heartbeats from tick ``start``
    up to ``end`` (it keeps working): a false suspicion on purpose.

The clock
---------
Here a *step* is one tick of a clock (a count, never the wall clock), and many things may
happen in one tick.  Each message
gets a latency when it is sent, drawn from the race's own ``random.Random(seed)``: an
``Accept`` (which carries the value) takes ``accept_latency`` ticks, every other message
``latency`` ticks.  In each tick the scheduler may inject a fault (as ``Simulation.run`` does:
crash, recover, partition, heal), then delivers every message that is due, in random order
(dropping or duplicating it with the probabilities in ``faults``), then fires the retry timers
that are due.  A proposer that hears nothing for ``patience`` ticks retries too (its messages
may have been lost).  A tick in which nothing is due passes with no action: waiting costs
time, which is the price of back-off.

A race ends as soon as some value is chosen (a quorum accepted it at one ballot); its
``steps`` is that tick.  Every action goes through the engine's ``apply``, so ``Race.trace``
replays with ``paxos_lib.replay`` and the safety verdicts are the usual ones.  The same
arguments give the same race on every machine.

NOTE: why are accepts slower by default?  A duel continues only while a rival's whole
phase 1 (a prepare and its promise) fits inside your phase 2; with equally fast messages most
duels end after a round or two.  Slower accepts (they carry the order, and acceptors write it
to disk before voting) make duels long enough to see.  ``accept_latency=latency`` removes it.

This module imports tqdm only when a progress bar is asked for (``steps_to_decision``,
``compare``) and matplotlib only inside the ``plot_*`` functions; the rest needs only the
standard library.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
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
from paxos_lib.engine import World, apply, initial_world, listed_partitions
from paxos_lib.errors import ConfigError, one_of
from paxos_lib.messages import Message, Nack
from paxos_lib.properties import Verdict, check_all, chosen, chosen_by, learned
from paxos_lib.roles import Proposer
from paxos_lib.simulation import Faults
from paxos_lib.trace import Trace

__all__ = [
    "BACKOFF_BASE",
    "BACKOFF_CAP",
    "ELECTION",
    "STRATEGIES",
    "VALUES",
    "Race",
    "Timings",
    "compare",
    "first_up",
    "plot_election",
    "plot_rounds",
    "plot_steps",
    "race",
    "random_backoff",
    "steps_to_decision",
]

STRATEGIES = ("duel", "backoff", "leader")
#: The leader elected by heartbeats and timeouts (see the module docstring).
ELECTION = "heartbeat"
#: The longest a proposer's suspicion timeout grows, in ticks.
SUSPECT_CAP = 256

#: The clients' values: proposer i asks for ``VALUES[(i - 1) % len(VALUES)]``.
VALUES = ("confirmed", "cancelled")

#: Randomized back-off: the first window is 0..BACKOFF_BASE steps, doubling per refusal.
BACKOFF_BASE = 8
BACKOFF_CAP = 256

#: ``backoff(attempt, rng) -> steps``: how long to wait after the attempt-th refusal.
Backoff = Callable[[int, random.Random], Any]
#: ``should_retry(me, up) -> bool``: may proposer ``me`` retry, when ``up`` are the proposers
#: it believes are up (sorted)?
LeaderRule = Callable[[str, tuple[str, ...]], Any]


def random_backoff(attempt: int, rng: random.Random) -> int:
    """Steps to wait after the ``attempt``-th refusal: uniform in a window that doubles."""
    window = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1))
    return rng.randint(0, window)


def first_up(me: str, up: tuple[str, ...]) -> bool:
    """The default leader rule: the first proposer that is up leads."""
    return bool(up) and up[0] == me


@dataclass(frozen=True, slots=True)
class Race:
    """One seeded race between proposers under one strategy."""

    strategy: str
    seed: int
    steps: int | None  # the tick at which a value was chosen; None: not within max_steps
    max_steps: int
    chosen: frozenset[str]
    learned: dict[str, str | None]
    rounds: dict[str, tuple[int, ...]]  # each proposer's ballot round after every tick
    ballots: dict[str, int]  # how many ballots each proposer started
    trace: Trace
    verdicts: tuple[Verdict, ...]
    events: tuple[tuple[int, str], ...] = ()  # (step, what happened), for ``story``
    error: str | None = None  # what went wrong in a learner's function, if anything
    #: who believed they led after every tick (``heartbeat`` races only)
    leaders: tuple[tuple[str, ...], ...] = ()

    @property
    def two_leaders(self) -> tuple[int, ...]:
        """The ticks after which two or more proposers believed they led."""
        return tuple(t for t, who in enumerate(self.leaders) if len(who) > 1)

    @property
    def decided(self) -> bool:
        return self.steps is not None

    @property
    def ok(self) -> bool:
        """Every safety property holds (at the end, and so throughout)."""
        return all(v.holds for v in self.verdicts)

    def story(self, first: int | None = None) -> str:
        """The race in plain words, one line per event: ballots started, promises gathered,
        refusals, crashes, and the value chosen.  ``first`` limits the number of lines."""
        lines = [f"step {t:>3}: {what}" for t, what in self.events]
        if first is not None and len(lines) > first:
            lines = [*lines[:first], f"… and {len(lines) - first} more events"]
        return "\n".join(lines)

    def __str__(self) -> str:
        if self.steps is None:
            head = f"nothing chosen within {self.max_steps} steps"
        else:
            head = f"{' and '.join(map(repr, sorted(self.chosen)))} chosen at step {self.steps}"
        who = ", ".join(f"{p} {n}" for p, n in self.ballots.items())
        safe = "safe" if self.ok else "UNSAFE: " + "; ".join(
            str(v) for v in self.verdicts if not v.holds)
        return f"{self.strategy}, seed {self.seed}: {head}; ballots started: {who}; {safe}"


def _check_int(name: str, value: object, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or (
            minimum is not None and value < minimum):
        least = "" if minimum is None else f" >= {minimum}"
        raise ConfigError(f"{name} must be an int{least}, got {value!r}")
    return value


def _check_latency(name: str, value: object) -> tuple[int, int]:
    if not (isinstance(value, tuple | list) and len(value) == 2
            and all(isinstance(x, int) and not isinstance(x, bool) for x in value)
            and 1 <= value[0] <= value[1]):
        raise ConfigError(
            f"{name} must be (fewest, most) ticks with 1 <= fewest <= most, such as (1, 2), "
            f"got {value!r}"
        )
    return int(value[0]), int(value[1])


def _check_strategy(strategy: object) -> tuple[str, Backoff | None]:
    """The strategy's name and, for back-off, the delay function."""
    if isinstance(strategy, str):
        if strategy not in (*STRATEGIES, ELECTION):
            raise ConfigError(
                f"unknown strategy {strategy!r}; choose {one_of(STRATEGIES)} (or "
                f"{ELECTION!r}: a leader elected by heartbeats), or pass a function "
                "backoff(attempt, rng) -> steps"
            )
        return strategy, random_backoff if strategy in ("backoff", ELECTION) else None
    if callable(strategy):
        return str(getattr(strategy, "__name__", "your back-off")), strategy
    raise ConfigError(
        f"strategy must be {one_of(STRATEGIES)} or a function backoff(attempt, rng) -> steps, "
        f"got {strategy!r}"
    )


def _check_leaders(leaders: object, strategy: str, cluster: Cluster) -> LeaderRule | None:
    if leaders is None:
        return first_up if strategy == "leader" else None
    if strategy != "leader":
        raise ConfigError(f"leaders= goes with strategy 'leader', not {strategy!r}")
    if callable(leaders):
        return leaders  # type: ignore[return-value]
    if isinstance(leaders, str):
        leaders = (leaders,)
    if not isinstance(leaders, tuple | list | set | frozenset) or not leaders:
        raise ConfigError(
            "leaders must name the proposers that believe they lead, such as ('p1', 'p2'), "
            f"or be a rule should_retry(me, up) -> bool; got {leaders!r}"
        )
    believers = frozenset(cluster.check_node(p, "proposer") for p in leaders)
    return lambda me, up: me in believers


def _ask(fn: Callable[..., Any], args: tuple[Any, ...], what: str) -> tuple[Any, str | None]:
    """Call a learner's function; its mistakes become a sentence, never an exception."""
    try:
        return fn(*args), None
    except Exception as exc:  # a learner's function may raise anything
        shown = ", ".join(map(repr, args))
        return None, f"your {what} raised {type(exc).__name__}: {exc} (called with {shown})"


def _wait(fn: Backoff, attempt: int, rng: random.Random) -> tuple[int, str | None]:
    ticks, problem = _ask(fn, (attempt, rng), "back-off")
    if problem is not None:
        return 0, problem
    if isinstance(ticks, bool) or not isinstance(ticks, int | float) or ticks != ticks:
        return 0, f"your back-off returned {ticks!r} for attempt {attempt}; return whole steps"
    if ticks < 0:
        return 0, f"your back-off returned {ticks} for attempt {attempt}; a wait cannot be < 0"
    return int(min(ticks, 10**9)), None


@dataclass
class _Clock:
    """The scheduler's bookkeeping: when each message copy is due, when each timer fires."""

    rng: random.Random
    latency: tuple[int, int]
    accept_latency: tuple[int, int]
    now: int = 0
    due: dict[Message, list[int]] = field(default_factory=dict)
    deadline: dict[str, int | None] = field(default_factory=dict)
    refusals: Counter[str] = field(default_factory=Counter)
    seen: dict[str, tuple[str, object]] = field(default_factory=dict)

    def send(self, m: Message) -> None:
        lo, hi = self.accept_latency if m.KIND == "accept" else self.latency
        self.due.setdefault(m, []).append(self.now + self.rng.randint(lo, hi))

    def take(self, m: Message) -> None:
        """One copy of ``m`` left the network: forget its earliest due tick."""
        ticks = self.due[m]
        ticks.remove(min(ticks))
        if not ticks:
            del self.due[m]

    def is_due(self, m: Message) -> bool:
        return m in self.due and min(self.due[m]) <= self.now


@dataclass
class _Heartbeats:
    """The heartbeat failure detector of every proposer (strategy ``heartbeat``).

    Its own ``random.Random`` draws heartbeat delays and losses, so the Paxos messages of a
    race keep the delays they have under the other strategies until the election differs.
    """

    proposers: tuple[str, ...]
    every: int
    suspect_after: int
    latency: tuple[int, int]
    hiccup: tuple[str, int, int] | None
    rng: random.Random
    heard: dict[tuple[str, str], int] = field(default_factory=dict)
    timeout: dict[tuple[str, str], int] = field(default_factory=dict)
    suspects: dict[str, set[str]] = field(default_factory=dict)
    flying: list[tuple[int, str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for r in self.proposers:
            self.restart(r, 0)
            for q in self.proposers:
                self.timeout[r, q] = self.suspect_after

    def restart(self, r: str, now: int) -> None:
        """A (re)started proposer trusts everybody and starts its clocks afresh."""
        self.suspects[r] = set()
        for q in self.proposers:
            self.heard[r, q] = now

    def believes(self, r: str) -> bool:
        """``r`` believes it leads: every proposer before it is suspected."""
        return all(q in self.suspects[r] for q in self.proposers[: self.proposers.index(r)])

    def leaders(self, world: World) -> tuple[str, ...]:
        return tuple(r for r in self.proposers if r not in world.crashed and self.believes(r))

    def tick(self, world: World, now: int, drop: float, events: list[tuple[int, str]]) -> None:
        """Deliver the heartbeats due, send this tick's, and update every suspicion."""
        before = self.leaders(world)
        due = [h for h in self.flying if h[0] <= now]
        self.flying = [h for h in self.flying if h[0] > now]
        for _, q, r in due:
            if r in world.crashed or not world.can_reach(q, r):
                continue  # lost: the receiver is down, or a partition is in the way
            self.heard[r, q] = now
            if q in self.suspects[r]:
                self.suspects[r].discard(q)
                self.timeout[r, q] = min(SUSPECT_CAP, 2 * self.timeout[r, q])
                events.append((now, f"{r} hears {q} again and trusts it; it will now wait "
                                    f"{self.timeout[r, q]} ticks before suspecting {q}"))
        if now % self.every == 0:
            for q in self.proposers:
                if q in world.crashed:
                    continue
                muted = self.hiccup is not None and self.hiccup[0] == q and (
                    self.hiccup[1] <= now < self.hiccup[2])
                for r in self.proposers:
                    if r == q:
                        continue
                    lost = self.rng.random() < drop if drop else False
                    if not muted and not lost:
                        self.flying.append((now + self.rng.randint(*self.latency), q, r))
        for r in self.proposers:
            if r in world.crashed:
                continue
            for q in self.proposers:
                silent = now - self.heard[r, q]
                if q != r and q not in self.suspects[r] and silent > self.timeout[r, q]:
                    self.suspects[r].add(q)
                    really = "it has crashed" if q in world.crashed else "but it is up"
                    events.append((now, f"{r} suspects {q}: no heartbeat for {silent} ticks "
                                        f"({really})"))
        after = self.leaders(world)
        if after != before:
            if len(after) > 1:
                what = f"two leaders at once: {' and '.join(after)} each believe they lead"
            elif after:
                what = f"{after[0]} is the only one that believes it leads"
            else:
                what = "no proposer believes it leads"
            events.append((now, what))


def race(
    strategy: str | Backoff = "duel",
    seed: int = 0,
    *,
    proposers: int = 2,
    acceptors: int = 3,
    faults: Faults | None = None,
    max_steps: int = 400,
    latency: tuple[int, int] = (1, 2),
    accept_latency: tuple[int, int] = (3, 6),
    patience: int = 16,
    leaders: Sequence[str] | LeaderRule | None = None,
    heartbeat: int = 2,
    suspect_after: int = 6,
    hiccup: tuple[str, int, int] | None = None,
) -> Race:
    """Race ``proposers`` proposers (p1 wants "confirmed", p2 "cancelled", p3 "confirmed",
    ...) under ``strategy`` until a value is chosen or ``max_steps`` ticks have passed.

    ``strategy`` is ``"duel"``, ``"backoff"``, ``"leader"``, ``"heartbeat"``, or a function
    ``backoff(attempt, rng) -> steps`` used in place of the built-in back-off.  ``leaders``
    (only with ``"leader"``) names the proposers that believe they lead, or is a rule
    ``should_retry(me, up) -> bool``.  ``heartbeat``, ``suspect_after`` (ticks) and
    ``hiccup`` set the election of ``"heartbeat"``.  See the module docstring for the clock.
    """
    name, backoff = _check_strategy(strategy)
    seed = _check_int("seed", seed)
    cluster = Cluster(proposers=_check_int("proposers", proposers, 1),
                      acceptors=_check_int("acceptors", acceptors, 1))
    f = Faults() if faults is None else faults
    if not isinstance(f, Faults):
        raise ConfigError(f"faults must be a Faults(...), got {f!r}")
    _check_int("max_steps", max_steps, 0)
    _check_int("patience", patience, 1)
    rule = _check_leaders(leaders, name, cluster)
    _check_int("heartbeat", heartbeat, 1)
    _check_int("suspect_after", suspect_after, 1)
    if hiccup is not None:
        if name != ELECTION:
            raise ConfigError(f"hiccup= goes with strategy {ELECTION!r}, not {name!r}")
        if not (isinstance(hiccup, tuple | list) and len(hiccup) == 3):
            raise ConfigError(f"hiccup must be (proposer, start tick, end tick), such as "
                              f"('p1', 2, 30), got {hiccup!r}")
        cluster.check_node(hiccup[0], "proposer")
        _check_int("hiccup start", hiccup[1], 0)
        _check_int("hiccup end", hiccup[2], hiccup[1])
        hiccup = (hiccup[0], hiccup[1], hiccup[2])
    rng = random.Random(seed)
    clock = _Clock(rng, _check_latency("latency", latency),
                   _check_latency("accept_latency", accept_latency))
    proposer_ids = cluster.proposer_ids
    detector = None
    if name == ELECTION:
        detector = _Heartbeats(proposer_ids, heartbeat, suspect_after, clock.latency, hiccup,
                               random.Random(f"{seed}/heartbeats"))
    believed: list[tuple[str, ...]] = []
    world = initial_world(cluster)
    steps: list[Action] = []
    requests = {p: VALUES[i % len(VALUES)] for i, p in enumerate(proposer_ids)}
    rounds: dict[str, list[int]] = {p: [] for p in proposer_ids}
    started = dict.fromkeys(proposer_ids, 0)
    errors: list[str] = []
    events: list[tuple[int, str]] = []

    def do(action: Action) -> None:
        nonlocal world
        if isinstance(action, Crash | Recover | Partition | Heal):
            events.append((clock.now, str(action).replace("crash ", "").replace(
                "recover ", "") + {"crash": " crashes", "recover": " recovers"}.get(
                action.KIND, "")))
        before = Counter(world.inflight)
        if isinstance(action, Deliver | Drop):
            clock.take(action.message)
            before[action.message] -= 1
        world = apply(world, action)
        steps.append(action)
        if detector is not None and isinstance(action, Recover) and action.node in proposer_ids:
            detector.restart(action.node, clock.now)
        for m, n in (Counter(world.inflight) - before).items():
            for _ in range(n):
                clock.send(m)
        for p in proposer_ids:
            s = world.node(p)
            assert isinstance(s, Proposer)
            key = (s.phase, s.ballot)
            if clock.seen.get(p) == key:
                continue
            clock.seen[p] = key
            if s.phase == "preparing":
                started[p] += 1
                clock.deadline[p] = clock.now + patience
                events.append((clock.now, f"{p} starts ballot {s.ballot}"))
            elif s.phase == "accepting":
                events.append((clock.now, f"{p} has a quorum of promises for {s.ballot} and "
                                          f"asks the acceptors to accept {s.proposal!r}"))
            elif s.phase == "nacked":
                if isinstance(action, Deliver) and isinstance(action.message, Nack):
                    events.append((clock.now, f"{p} is refused by {action.message.src}, which "
                                              f"promised {action.message.promised}"))
                clock.refusals[p] += 1
                wait = 0
                if backoff is not None:
                    wait, problem = _wait(backoff, clock.refusals[p], rng)
                    if problem is not None:
                        errors.append(problem)
                clock.deadline[p] = clock.now + wait
            elif s.phase in ("idle", "decided"):
                clock.deadline[p] = None

    def may_retry(p: str) -> bool:
        if detector is not None:
            return detector.believes(p)
        if rule is None:
            return True
        up = tuple(q for q in proposer_ids if q not in world.crashed)
        answer, problem = _ask(rule, (p, up), "leader rule")
        if problem is not None:
            errors.append(problem)
            return False
        return bool(answer)

    for p in proposer_ids:
        do(Propose(p, requests[p]))
    decided_at: int | None = None
    while True:
        for p in proposer_ids:
            rounds[p].append(_round(world.node(p)))
        if detector is not None:
            believed.append(detector.leaders(world))
        if chosen(world):
            decided_at = clock.now
            for value, votes in chosen_by(world).items():
                ballot, who = votes[0]
                events.append((clock.now, f"{value!r} is chosen: {', '.join(who)} accepted it "
                                          f"at ballot {ballot}"))
            break
        if clock.now >= max_steps or errors:
            break
        clock.now += 1
        _inject_fault(world, f, rng, cluster, do)
        if detector is not None:
            detector.tick(world, clock.now, f.drop, events)
        for p in proposer_ids:  # a client whose proposer crashed asks again once it is back
            s = world.node(p)
            if p not in world.crashed and isinstance(s, Proposer) and s.can_propose:
                do(Propose(p, requests[p]))
        due = sorted((m for m in clock.due if clock.is_due(m)), key=lambda m: m.sort_key)
        rng.shuffle(due)
        for m in due:
            if not clock.is_due(m) or not world.deliverable(m):
                continue  # waits for its receiver to recover or the partition to heal
            if f.drop and rng.random() < f.drop:
                do(Drop(m))
                continue
            if f.duplicate and rng.random() < f.duplicate:
                do(Duplicate(m))
            do(Deliver(m))
        for p in proposer_ids:
            d = clock.deadline.get(p)
            if (d is not None and d <= clock.now and p in world.timers
                    and p not in world.crashed and may_retry(p)):
                do(Timeout(p))

    return Race(
        strategy=name,
        seed=seed,
        steps=decided_at,
        max_steps=max_steps,
        chosen=chosen(world),
        learned=learned(world),
        rounds={p: tuple(r) for p, r in rounds.items()},
        ballots=started,
        trace=Trace(cluster, world.config.variant, world.config.network, tuple(steps), seed),
        verdicts=tuple(check_all(world, "always")),
        events=tuple(events),
        error=errors[0] if errors else None,
        leaders=tuple(believed),
    )


def _round(state: object) -> int:
    ballot = getattr(state, "ballot", None)
    return 0 if ballot is None else int(ballot.round)


def _inject_fault(world: World, f: Faults, rng: random.Random, cluster: Cluster,
                  do: Callable[[Action], None]) -> None:
    """At most one crash, recovery, split or heal per tick, with the probabilities in ``f``."""
    if f.crash and rng.random() < f.crash:
        up = [n for n in cluster.node_ids if n not in world.crashed]
        if up:
            do(Crash(rng.choice(up)))
            return
    if world.crashed and f.recover and rng.random() < f.recover:
        do(Recover(rng.choice(sorted(world.crashed))))
        return
    if world.partition is None:
        if f.partition and rng.random() < f.partition:
            do(rng.choice(listed_partitions(cluster)))
    elif f.heal and rng.random() < f.heal:
        do(Heal())


@dataclass(frozen=True, slots=True)
class Timings:
    """Steps to decision of many seeded races: one strategy, one message-loss rate."""

    strategy: str
    fault_rate: float
    seeds: tuple[int, ...]
    steps: tuple[int | None, ...]
    max_steps: int
    ballots: tuple[int, ...]  # ballots started in each race, all proposers together
    unsafe: int  # races in which a safety property failed (0 for Paxos, whatever the timing)

    @property
    def undecided(self) -> int:
        return sum(1 for s in self.steps if s is None)

    def percentile(self, q: float) -> float | None:
        """The q-th percentile (0-100, nearest rank) of the steps, counting an undecided race
        as longer than any decided one; None if that percentile is undecided."""
        if not self.steps:
            return None
        ordered = sorted(self.max_steps + 1 if s is None else s for s in self.steps)
        k = min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))  # nearest rank
        return None if ordered[k] > self.max_steps else float(ordered[k])

    @property
    def median(self) -> float | None:
        return self.percentile(50)

    def __str__(self) -> str:
        def fmt(x: float | None) -> str:
            return "never" if x is None else f"{x:g}"

        mean_ballots = sum(self.ballots) / len(self.ballots) if self.ballots else 0.0
        return (f"{self.strategy:>8}, loss {self.fault_rate:>4.0%}: median {fmt(self.median):>5}"
                f" steps, 90th percentile {fmt(self.percentile(90)):>5}, slowest "
                f"{fmt(self.percentile(100)):>5}; {mean_ballots:4.1f} ballots per race; "
                f"{self.unsafe} unsafe")


def _seed_list(seeds: object) -> tuple[int, ...]:
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        return tuple(range(_check_int("seeds", seeds, 1)))
    try:
        if isinstance(seeds, str | bytes):
            raise TypeError
        seed_list = tuple(seeds)  # type: ignore[call-overload]
    except TypeError:
        raise ConfigError(f"seeds must be a count or a list of ints, got {seeds!r}") from None
    for s in seed_list:
        _check_int("each seed", s)
    return seed_list


def _progress(total: int, desc: str, on: bool) -> Any:
    """A tqdm bar (a widget in a notebook, text in a terminal), or None."""
    if not on:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc)


def _timings(strategy: str | Backoff, seeds: tuple[int, ...], fault_rate: float, bar: Any,
             race_args: dict[str, Any]) -> Timings:
    name, _ = _check_strategy(strategy)
    if "faults" in race_args:
        raise ConfigError("the faults are made from fault_rate here; pass fault_rate=")
    faults = Faults(drop=fault_rate)
    results = []
    for s in seeds:
        results.append(race(strategy, s, faults=faults, **race_args))
        if bar is not None:
            bar.update(1)
    return Timings(
        strategy=name,
        fault_rate=faults.drop,
        seeds=seeds,
        steps=tuple(r.steps for r in results),
        max_steps=race_args.get("max_steps", 400),
        ballots=tuple(sum(r.ballots.values()) for r in results),
        unsafe=sum(1 for r in results if not r.ok),
    )


def steps_to_decision(
    strategy: str | Backoff,
    seeds: Iterable[int] | int = 50,
    fault_rate: float = 0.0,
    *,
    progress: bool = True,
    **race_args: Any,
) -> Timings:
    """Race once per seed (``seeds``: a list, or a count meaning ``range(count)``), each
    message lost with probability ``fault_rate``; a tqdm progress bar counts the races.
    Other keyword arguments go to ``race``."""
    name, _ = _check_strategy(strategy)
    rate = Faults(drop=fault_rate).drop
    seed_list = _seed_list(seeds)
    bar = _progress(len(seed_list), f"{name}, loss {rate:.0%}", progress)
    try:
        return _timings(strategy, seed_list, rate, bar, race_args)
    finally:
        if bar is not None:
            bar.close()


def compare(
    strategies: Sequence[str | Backoff] = STRATEGIES,
    fault_rates: Sequence[float] = (0.0,),
    seeds: Iterable[int] | int = 50,
    *,
    progress: bool = True,
    **race_args: Any,
) -> tuple[Timings, ...]:
    """``steps_to_decision`` for every fault rate and strategy (in that order: all
    strategies at the first rate, then at the next), under one progress bar."""
    if isinstance(strategies, str) or not isinstance(strategies, Sequence) or not strategies:
        raise ConfigError(f"strategies must be a list such as {list(STRATEGIES)}, "
                          f"got {strategies!r}")
    for strategy in strategies:
        _check_strategy(strategy)
    if not isinstance(fault_rates, Sequence) or isinstance(fault_rates, str) or not fault_rates:
        raise ConfigError(f"fault_rates must be a list such as [0.0, 0.1], got {fault_rates!r}")
    rates = tuple(Faults(drop=r).drop for r in fault_rates)
    seed_list = _seed_list(seeds)
    bar = _progress(len(strategies) * len(rates) * len(seed_list), "races", progress)
    try:
        return tuple(_timings(strategy, seed_list, rate, bar, race_args)
                     for rate in rates for strategy in strategies)
    finally:
        if bar is not None:
            bar.close()


def plot_rounds(races: Race | Sequence[Race], axes: Any = None) -> Any:
    """Each proposer's ballot round over the steps of a race, one panel per race (sharing
    both axes); a dotted line marks the step at which a value was chosen."""
    import matplotlib.pyplot as plt

    many = [races] if isinstance(races, Race) else list(races)
    if not many or not all(isinstance(r, Race) for r in many):
        raise ConfigError(f"plot_rounds needs a Race or a list of Races, got {races!r}")
    if axes is None:
        _, axes = plt.subplots(1, len(many), figsize=(min(12, 4.5 * len(many)), 3),
                               sharex=True, sharey=True, squeeze=False, layout="constrained")
        axes = axes[0]
    elif not isinstance(axes, Sequence) and not hasattr(axes, "__len__"):
        axes = [axes]
    longest = max(len(rs) for r in many for rs in r.rounds.values())
    for ax, r in zip(axes, many, strict=False):
        for i, (p, rs) in enumerate(r.rounds.items()):
            ax.step(range(len(rs)), rs, where="post", label=p, color=f"C{i}",
                    linewidth=1.8 - 0.3 * i)
        if r.steps is not None:
            ax.axvline(r.steps, color="grey", linestyle=":")
            right = r.steps < longest / 2
            ax.annotate(f"{' and '.join(map(repr, sorted(r.chosen)))} chosen",
                        (r.steps, 0.5), xytext=(4 if right else -4, 0),
                        textcoords="offset points", ha="left" if right else "right",
                        fontsize=9, color="#555555")
        ax.set_xlabel("step (clock tick)")
        ax.set_title(f"{r.strategy}, seed {r.seed}", fontsize=10)
        ax.yaxis.get_major_locator().set_params(integer=True)
    axes[0].set_ylabel("ballot round")
    axes[0].legend(loc="upper left", fontsize=9)
    return axes


def plot_steps(timings: Sequence[Timings], ax: Any = None) -> Any:
    """Steps to decision of many races: a strip of dots per strategy and loss rate, a black
    bar at the median; races that chose nothing sit on the red line above ``max_steps``."""
    import matplotlib.pyplot as plt

    many = list(timings)
    if not many or not all(isinstance(t, Timings) for t in many):
        raise ConfigError(f"plot_steps needs a list of Timings, got {timings!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.8), layout="constrained")
    names = list(dict.fromkeys(t.strategy for t in many))
    top = max(t.max_steps for t in many) + 1
    for i, t in enumerate(many):
        jitter = random.Random(i)
        xs = [i + jitter.uniform(-0.28, 0.28) for _ in t.steps]
        ys = [top if s is None else s for s in t.steps]
        colour = f"C{names.index(t.strategy) % 10}"
        first = all(u.strategy != t.strategy for u in many[:i])
        ax.scatter(xs, ys, s=9, color=colour, alpha=0.55, linewidths=0,
                   label=t.strategy if first else None)
        if t.median is not None:
            ax.hlines(t.median, i - 0.38, i + 0.38, color="black", linewidth=2)
    if any(t.undecided for t in many):
        ax.axhline(top, color="tab:red", linestyle=":", linewidth=1)
    ax.set_xticks(range(len(many)),
                  [f"{t.strategy}\nloss {t.fault_rate:.0%}" for t in many], fontsize=9)
    for i in range(1, len(many)):
        if many[i].fault_rate != many[i - 1].fault_rate:
            ax.axvline(i - 0.5, color="lightgrey", linewidth=1)
    ax.set_ylabel("steps until a value is chosen")
    ax.set_yscale("log")
    shown = [top if s is None else s for t in many for s in t.steps] or [1]
    low, high = min(shown), max(shown)
    ax.set_yticks([y for y in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
                   if low / 2 <= y <= high * 2])
    ax.yaxis.set_major_formatter("{x:g}")
    ax.yaxis.set_minor_formatter("")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=len(names), fontsize=9,
              markerscale=2, frameon=False)
    return ax


def plot_election(r: Race, ax: Any = None) -> Any:
    """Who believes it leads, tick by tick, in a ``heartbeat`` race: one bar per proposer
    while it believes it leads, the ticks with two leaders shaded red, a cross where one
    proposer starts suspecting another and a dot where it trusts it again; a dotted line at
    the tick a value is chosen."""
    import matplotlib.pyplot as plt

    from paxos_lib.viz.palette import MUTED

    if not isinstance(r, Race) or not r.leaders:
        raise ConfigError(f"plot_election needs a Race run with strategy {ELECTION!r}, "
                          f"got {r!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 2.2), layout="constrained")
    proposers = list(r.rounds)
    rows = {p: len(proposers) - 1 - i for i, p in enumerate(proposers)}
    for i, p in enumerate(proposers):
        spans: list[tuple[int, int]] = []
        for t, who in enumerate(r.leaders):
            if p in who:
                if spans and spans[-1][0] + spans[-1][1] == t:
                    spans[-1] = (spans[-1][0], spans[-1][1] + 1)
                else:
                    spans.append((t, 1))
        ax.broken_barh(spans, (rows[p] - 0.3, 0.6), color=f"C{i}", label=f"{p} believes it leads")
    for t in r.two_leaders:
        ax.axvspan(t, t + 1, color="tab:red", alpha=0.15, linewidth=0)
    for t, what in r.events:
        words = what.split()
        if len(words) > 2 and words[1] in ("suspects", "hears") and words[0] in rows:
            marker = "x" if words[1] == "suspects" else "o"
            ax.plot(t + 0.5, rows[words[0]], marker=marker, color="black", markersize=6)
    if r.steps is not None:
        ax.axvline(r.steps + 1, color=MUTED, linestyle=":")
        ax.annotate(f"{' and '.join(map(repr, sorted(r.chosen)))} chosen", (r.steps + 1, -0.6),
                    xytext=(-4, 0), textcoords="offset points", ha="right", fontsize=9,
                    color=MUTED, annotation_clip=False)
    ax.set_yticks([rows[p] for p in proposers], proposers)
    ax.set_ylim(-0.8, len(proposers) - 0.4)
    ax.set_xlim(0, len(r.leaders) + 1)
    ax.set_xlabel("step (clock tick)")
    shaded = " (red: two leaders at once)" if r.two_leaders else ""
    ax.set_title(f"who believes it leads, seed {r.seed}{shaded}", fontsize=10)
    return ax
