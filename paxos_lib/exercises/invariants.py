"""Lesson 06: writing an invariant, and choosing bounds within which a check means something.

Both checks judge the learner's answer with the explorer and the real engine:

- ``check_agreement`` runs the learner's invariant ``agreement(world) -> bool`` on every world
  of ten runs: the explorer's shortest counterexample for each broken variant (each ends in
  a world where two values are chosen, and every earlier world is fine) and five runs of
  classic Paxos (every world fine, though acceptors may hold votes for different values).
  The truth is the ``agreement`` property, which reads ``chosen`` from the history of votes.
  The feedback names the run, the step and what the world holds, for the first world of
  each run where the invariant answers wrongly.  When the invariant's answers on every world
  equal those of a usual wrong invariant (the acceptors' current votes, what the learners
  learned, any two values voted for, voters counted across ballots, a majority where the
  system's quorum is smaller), the feedback names that mistake; otherwise it states only the
  facts of the world, so it never blames a mistake the learner did not make.
  ``agreement_scenarios()`` returns the runs as ``Trace`` objects, to replay or chart.
- ``check_bounds`` asks the learner's ``bounds(variant)`` for the bounds of a search (how
  many acceptors, the highest ballot round, how many crashes), runs the explorer on each
  broken variant within them, and passes when every bug is caught.  When a search proves
  agreement instead, the feedback says why those bounds cannot reach the broken rule.

The explorer runs here are small (at most a few thousand states each) and cached, so a check
takes about a second the first time and far less after.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from paxos_lib.actions import Crash, Deliver, Timeout
from paxos_lib.cluster import Cluster
from paxos_lib.engine import World
from paxos_lib.errors import ConfigError
from paxos_lib.exercises.feedback import Feedback, need_function
from paxos_lib.exercises.hidden import hidden_cases, no_hidden_cases
from paxos_lib.explore import explore
from paxos_lib.properties import accepted, chosen, chosen_by, learned
from paxos_lib.search import END_EXHAUSTED, END_VIOLATION, ExploreResult
from paxos_lib.simulation import Faults, Simulation
from paxos_lib.trace import Trace

__all__ = ["agreement_scenarios", "check_agreement", "check_bounds"]

#: What each proposer's client asks for, in every search of this module.
CLIENTS = {"p1": "confirmed", "p2": "cancelled"}
#: The properties searched for: the learners are left out, which keeps the searches small.
SEARCHED = ("agreement", "validity", "chosen")
#: The broken variants and the smallest cluster in which the explorer catches each.
BROKEN: dict[str, tuple[int, int]] = {  # variant -> (acceptors, crashes)
    "snippet": (1, 0),
    "forgetful-proposer": (1, 0),
    "duplicate-ballots": (1, 0),
    "amnesiac-acceptor": (1, 1),
    "minority-quorum": (2, 0),
}
#: The ballot rounds each needs, where more than 1: the original code is safe at round 1.
ROUNDS: dict[str, int] = {"snippet": 2}
_SAY = {"acceptors": "how many acceptors", "max_ballot": "the highest ballot round",
        "max_crashes": "how many crashes"}
#: Seconds a search may take; one that runs out catches nothing and proves nothing.
TIME_LIMIT = 20.0


# -- the runs an invariant is judged on ------------------------------------------------------


@dataclass(frozen=True)
class _Run:
    """A run to judge an invariant on, and how the feedback names it."""

    key: str
    title: str
    trace: Trace


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def _shape(cluster: Cluster) -> str:
    return f"{_plural(cluster.proposers, 'proposer')}, {_plural(cluster.acceptors, 'acceptor')}"


@functools.cache
def _search(variant: str, acceptors: int, max_ballot: int, crashes: int) -> ExploreResult:
    return explore(Cluster(proposers=2, acceptors=acceptors), CLIENTS, variant=variant,
                   max_ballot=max_ballot, max_crashes=crashes, properties=SEARCHED,
                   time_limit=TIME_LIMIT)


def _outvoted() -> Trace:
    # p1's "confirmed" reaches only a1; p2 then gets "cancelled" chosen by a2 and a3.
    sim = Simulation(Cluster(proposers=2, acceptors=3))
    sim.propose("p1", "confirmed")
    for a in ("a1", "a2"):
        sim.deliver("prepare", "p1", a)
        sim.deliver("promise", a, "p1")
    sim.deliver("accept", "p1", "a1")
    sim.propose("p2", "cancelled")
    for a in ("a2", "a3"):
        sim.deliver("prepare", "p2", a)
        sim.deliver("promise", a, "p2")
    for a in ("a2", "a3"):
        sim.deliver("accept", "p2", a)
    sim.deliver("accept", "p1", "a2")
    return sim.trace


def _crash_after_vote() -> Trace:
    # Lesson 03's scene: a2's vote chooses "confirmed", a2 crashes, p2 must adopt it.
    sim = Simulation(Cluster(proposers=2, acceptors=3))
    sim.propose("p1", "confirmed")
    for a in ("a1", "a2"):
        sim.deliver("prepare", "p1", a)
        sim.deliver("promise", a, "p1")
    sim.deliver("accept", "p1", "a1")
    sim.deliver("accepted", "a1", "p1")
    sim.deliver("accepted", "a1", "l1")
    sim.deliver("accept", "p1", "a2")
    sim.apply(Crash("a2"))
    sim.drop("accepted", "a2")
    sim.drop("accepted", "a2")
    sim.propose("p2", "cancelled")
    for a in ("a1", "a3"):
        sim.deliver("prepare", "p2", a)
        sim.deliver("promise", a, "p2")
    for a in ("a1", "a3"):
        sim.deliver("accept", "p2", a)
        sim.deliver("accepted", a, "l1")
    return sim.trace


def _scattered_votes() -> Trace:
    # 'confirmed' gets votes from a1 (at 1.p1) and a3 (at 2.p1): two acceptors, but at two
    # ballots, so it is not chosen; 'cancelled' is chosen at 2.p2 by a1 and a2.
    sim = Simulation(Cluster(proposers=2, acceptors=3))

    def hop(kind: str, src: str, dst: str, ballot: str) -> None:
        message = next(m for m in sim.world.inflight if kind == m.KIND and m.src == src
                       and m.dst == dst and str(getattr(m, "ballot", "")) == ballot)
        sim.apply(Deliver(message))

    sim.propose("p1", "confirmed")
    for a in ("a1", "a2"):
        hop("prepare", "p1", a, "1.p1")
        hop("promise", a, "p1", "1.p1")
    hop("accept", "p1", "a1", "1.p1")
    sim.propose("p2", "cancelled")
    for a in ("a2", "a3"):
        hop("prepare", "p2", a, "1.p2")
        hop("promise", a, "p2", "1.p2")
    hop("accept", "p2", "a2", "1.p2")
    sim.apply(Timeout("p1"))
    for a in ("a1", "a3"):
        hop("prepare", "p1", a, "2.p1")
        hop("promise", a, "p1", "2.p1")
    hop("accept", "p1", "a3", "2.p1")
    sim.apply(Timeout("p2"))
    for a in ("a1", "a2"):
        hop("prepare", "p2", a, "2.p2")
        hop("promise", a, "p2", "2.p2")
    for a in ("a1", "a2"):
        hop("accept", "p2", a, "2.p2")
    return sim.trace


def _under_faults() -> Trace:
    sim = Simulation(Cluster(proposers=2, acceptors=3), seed=0)
    sim.propose("p1", "confirmed")
    sim.propose("p2", "cancelled")
    sim.run(max_steps=300, faults=Faults(drop=0.1, duplicate=0.1, crash=0.05))
    return sim.trace


@functools.cache
def _runs() -> tuple[_Run, ...]:
    runs = []
    for variant, (acceptors, crashes) in BROKEN.items():
        found = _search(variant, acceptors, ROUNDS.get(variant, 1), crashes)
        trace = found.counterexample
        assert isinstance(trace, Trace), f"the explorer found no counterexample for {variant}"
        title = (f"the explorer's shortest counterexample for {variant} "
                 f"({_shape(trace.cluster)}, {len(trace)} steps)")
        runs.append(_Run(variant, title, trace))
    example = _search("classic", 1, 1, 0).examples["chosen"]
    assert isinstance(example, Trace)
    classic = (
        ("classic: first choice", "the explorer's shortest classic run that chooses a value",
         example),
        ("classic: outvoted", "classic Paxos where p2 gets 'cancelled' chosen after a1 "
         "accepted p1's 'confirmed'", _outvoted()),
        ("classic: crash after the vote", "classic Paxos where a2 crashes right after its "
         "vote chose 'confirmed' (lesson 03)", _crash_after_vote()),
        ("classic: scattered votes", "classic Paxos where 'confirmed' gets votes at two "
         "ballots and 'cancelled' is chosen at 2.p2", _scattered_votes()),
        ("classic: faults", "classic Paxos under random faults (seed 0)", _under_faults()),
    )
    for key, title, trace in classic:
        runs.append(_Run(key, f"{title} ({_shape(trace.cluster)}, {len(trace)} steps)", trace))
    return tuple(runs)


def agreement_scenarios() -> dict[str, Trace]:
    """The runs ``check_agreement`` judges an invariant on, by name, as ``Trace`` objects."""
    return {run.key: run.trace for run in _runs()}


def _chosen_text(world: World) -> str:
    parts = [
        f"{' and '.join(who)} accepted {value!r} at {ballot}"
        for value, ballots in chosen_by(world).items()
        for ballot, who in ballots
    ]
    values = sorted(chosen(world))
    if not values:
        return "nothing is chosen yet"
    if len(values) == 1:
        return f"only {values[0]!r} is chosen ({'; '.join(parts)})"
    return f"{' and '.join(map(repr, values))} are both chosen ({'; '.join(parts)})"


def _current_votes(world: World) -> tuple[set[str], str]:
    """The values the acceptors' current votes are for, and those votes as text."""
    votes = {a: vote for a, vote in accepted(world).items() if vote is not None}
    text = ", ".join(f"{a}: {value!r} at {ballot}" for a, (ballot, value) in votes.items())
    return {value for _, value in votes.values()}, text


# The usual wrong invariants, each as a function of the world.  When the learner's answers
# match one of them on every world of every run, the feedback names that mistake; otherwise it
# only states the facts of the world where the answer went wrong.


def _by_current_votes(world: World) -> bool:
    return len(_current_votes(world)[0]) <= 1


def _by_learned(world: World) -> bool:
    return len({v for v in learned(world).values() if v is not None}) <= 1


def _by_any_vote(world: World) -> bool:
    return len({value for _, _, value in world.votes}) <= 1


def _across_ballots(world: World) -> set[str]:
    """Values with votes from a quorum of acceptors, the ballots mixed together."""
    quorum = world.config.rules.quorum
    voters: dict[str, set[str]] = {}
    for acceptor, _, value in world.votes:
        voters.setdefault(value, set()).add(acceptor)
    return {v for v, who in voters.items() if len(who) >= quorum}


def _by_votes_across_ballots(world: World) -> bool:
    return len(_across_ballots(world)) <= 1


def _by_majority(world: World) -> bool:
    quorum = world.cluster.majority
    voters: dict[tuple[Any, str], set[str]] = {}
    for acceptor, ballot, value in world.votes:
        voters.setdefault((ballot, value), set()).add(acceptor)
    return len({v for (_, v), who in voters.items() if len(who) >= quorum}) <= 1


def _hint_majority(world: World, holds: bool) -> str:
    del holds
    quorum = world.config.rules.quorum
    if quorum == world.cluster.majority:
        return ""
    return (f". Your invariant gives the same answer as counting a majority "
            f"({world.cluster.majority} of {world.cluster.acceptors}) in every world of every "
            f"run; but this system runs with quorums of {quorum}, and what it counts as chosen "
            "is what its own quorums decided")


def _mixed_text(world: World, value: str) -> str:
    votes = sorted((b, a) for a, b, v in world.votes if v == value)
    return " and ".join(f"{a} at {b}" for b, a in votes)


def _hint_current(world: World, holds: bool) -> str:
    current = _current_votes(world)[1]
    if holds:
        return (f". Your invariant gives the same answer as the acceptors' current votes in "
                f"every world of every run; here they are for different values ({current}), "
                "which happens whenever a proposal is outvoted, and is fine")
    return (f". Your invariant gives the same answer as the acceptors' current votes in every "
            f"world of every run; here they are {current or 'none'}, but an acceptor keeps only "
            "its last vote, and the votes that chose the other value were replaced")


def _hint_learned(world: World, holds: bool) -> str:
    said = {k: v for k, v in learned(world).items() if v is not None}
    if holds:
        return (". Your invariant gives the same answer as what the learners learned in every "
                f"world of every run; here they learned {said}, and a learner may learn a "
                "value that is chosen while another learner learned it earlier")
    return (". Your invariant gives the same answer as what the learners learned in every "
            f"world of every run; here they learned {said or 'nothing yet'}, but a value is "
            "chosen by the acceptors' votes the moment the last of them is cast, whether or "
            "not any learner has heard of it")


def _hint_any_vote(world: World, holds: bool) -> str:
    del holds
    return (". Your invariant gives the same answer as \"no two values ever got a vote\" in "
            "every world of every run; votes for a second value are normal in a correct run "
            "(a proposal that lost), and only two values each *chosen* break agreement")


def _hint_across_ballots(world: World, holds: bool) -> str:
    del holds
    extra = sorted(_across_ballots(world) - chosen(world))
    if not extra:
        return ""
    value = extra[0]
    return (f". Your invariant gives the same answer as counting each value's voters over all "
            f"ballots together in every world of every run; here {value!r} has votes from "
            f"{_mixed_text(world, value)}, enough acceptors but at different ballots, and no "
            f"single ballot gathered a quorum for it")


_MODELS: tuple[tuple[Callable[[World], bool], Callable[[World, bool], str]], ...] = (
    (_by_current_votes, _hint_current),
    (_by_learned, _hint_learned),
    (_by_any_vote, _hint_any_vote),
    (_by_votes_across_ballots, _hint_across_ballots),
    (_by_majority, _hint_majority),
)


def check_agreement(fn: Callable[[World], Any]) -> Feedback:
    """Check ``fn(world) -> bool``, an invariant meant to be True exactly when at most one
    value is chosen, on every world of the runs in ``agreement_scenarios()``."""
    fn = need_function(fn, "check_agreement")
    return _check_agreement(fn, _runs())


def _check_agreement(fn: Callable[..., Any], runs: tuple[_Run, ...]) -> Feedback:
    """check_agreement's judge over ``runs`` (the visible ones, or the hidden ones)."""
    problems: list[str] = []
    answers: list[tuple[World, bool]] = []
    wrong: list[tuple[_Run, str, World, bool]] = []  # run, where, world, the truth there
    for run in runs:
        first_wrong = True
        for step, world in enumerate(run.trace.worlds()):
            at = "at the start" if step == 0 else f"after step {step} ({run.trace[step - 1]})"
            try:
                answer = fn(world)
            except Exception as exc:  # the learner's code may raise anything: report it
                problems.append(f"in {run.title}, {at}: your invariant raised "
                                f"{type(exc).__name__}: {exc}")
                break
            if not isinstance(answer, bool):
                problems.append(f"in {run.title}, {at}: your invariant should return True or "
                                f"False, but returned {answer!r}")
                break
            answers.append((world, answer))
            holds = len(chosen(world)) <= 1
            if answer != holds and first_wrong:
                wrong.append((run, at, world, holds))
                first_wrong = False
    if problems:  # an exception or a wrong type: that comes first
        return Feedback("agreement", False, len(runs), tuple(problems))
    hint = next((h for model, h in _MODELS if all(model(w) == a for w, a in answers)), None)
    for run, at, world, holds in wrong:
        said = hint(world, holds) if hint is not None else ""
        if holds:
            problems.append(f"it flagged a correct world: in {run.title}, {at}, "
                            f"{_chosen_text(world)}, but your invariant returned False{said}")
        else:
            problems.append(f"it missed a violation: in {run.title}, {at}, "
                            f"{_chosen_text(world)}, but your invariant returned True{said}")
    return Feedback("agreement", not problems, len(runs), tuple(problems))


# -- bounds that reach the bug ---------------------------------------------------------------

#: What ``bounds`` may return: each key, its lowest and highest value.
LIMITS: dict[str, tuple[int, int]] = {
    "acceptors": (1, 3),
    "max_ballot": (1, 2),
    "max_crashes": (0, 1),
}


def _read_bounds(answer: Any) -> tuple[dict[str, int] | None, str | None]:
    if not isinstance(answer, Mapping):
        return None, ("return a dict such as {'acceptors': 1, 'max_ballot': 1, "
                      f"'max_crashes': 0}}, got {answer!r}")
    unknown = sorted(str(k) for k in answer if k not in LIMITS)
    if unknown:
        return None, (f"there is no bound called {', '.join(map(repr, unknown))}; the bounds "
                      f"are {', '.join(LIMITS)}")
    out: dict[str, int] = {}
    for key, (low, high) in LIMITS.items():
        if key not in answer:
            return None, f"say {_SAY[key]} (the key {key!r} is missing)"
        value = answer[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return None, (f"{key} must be a whole number from {low} to {high} (small models "
                          f"keep this check fast), got {value!r}")
        out[key] = value
    return out, None


def _not_caught(variant: str, b: dict[str, int], result: ExploreResult) -> str:
    within = ", ".join(f"{k}={v}" for k, v in b.items())
    if result.end != END_EXHAUSTED:
        return (f"{variant} with {within}: the search stopped after {result.seconds:.0f} s "
                f"with {result.states:,} states seen and no violation, which proves nothing "
                "either way; a smaller model reaches this bug sooner")
    proved = (f"the explorer searched all {result.states:,} states with {within} and proved "
              "agreement")
    if variant == "amnesiac-acceptor" and b["max_crashes"] == 0:
        return (f"{variant}: {proved}, because its changed rule is what an acceptor keeps "
                "through a crash, and with max_crashes=0 nothing ever crashes; the proof is "
                "true but says nothing about crashes")
    if variant == "snippet" and b["max_ballot"] == 1:
        return (f"{variant}: {proved}, because at round 1 the original code is safe: each "
                "acceptor promises round 1 to one proposer, once; its broken rule shows only "
                "when a proposer retries with round 2")
    if variant == "minority-quorum" and b["acceptors"] == 1:
        return (f"{variant}: {proved}, because with 1 acceptor the smaller quorum is still 1, "
                "a majority: in this model the variant is classic Paxos")
    return f"{variant}: {proved}; these bounds do not reach its broken rule"


def check_bounds(fn: Callable[[str], Any]) -> Feedback:
    """Check ``fn(variant) -> {'acceptors': n, 'max_ballot': r, 'max_crashes': c}``: bounds
    within which the explorer (2 proposers, one value each) catches each broken variant."""
    fn = need_function(fn, "check_bounds")
    problems: list[str] = []
    for variant in BROKEN:
        try:
            answer = fn(variant)
        except Exception as exc:  # the learner's code may raise anything: report it
            problems.append(f"for {variant}: your function raised {type(exc).__name__}: {exc}")
            continue
        b, problem = _read_bounds(answer)
        if b is None:
            problems.append(f"for {variant}: {problem}")
            continue
        try:
            result = _search(variant, b["acceptors"], b["max_ballot"], b["max_crashes"])
        except ConfigError as exc:  # a model the variant refuses (minority-quorum on 1)
            problems.append(f"{variant}: {exc}")
            continue
        if result.end != END_VIOLATION:
            problems.append(_not_caught(variant, b, result))
    return Feedback("bounds", not problems, len(BROKEN), tuple(problems))


@functools.cache
def _hidden_runs() -> tuple[_Run, ...]:
    """Hidden cases of check_agreement (graded, never shown by the check; see
    ``hidden.py``): seeded runs under faults, of classic Paxos on five acceptors and of two
    broken variants, none of them a run the check shows."""
    runs = []
    for variant, acceptors, seed in (("classic", 5, 1), ("forgetful-proposer", 3, 2),
                                     ("duplicate-ballots", 3, 3)):
        sim = Simulation(Cluster(proposers=2, acceptors=acceptors), seed=seed, variant=variant)
        sim.propose("p1", "confirmed")
        sim.propose("p2", "cancelled")
        sim.run(max_steps=300, faults=Faults(drop=0.1, duplicate=0.1, timeout=0.1))
        runs.append(_Run(f"hidden {variant}", f"a hidden seeded run of {variant} "
                         f"({_shape(sim.trace.cluster)}, {len(sim.trace)} steps)", sim.trace))
    return tuple(runs)


@hidden_cases(check_agreement)
def _hidden_agreement(fn: Callable[..., Any]) -> Feedback:
    return _check_agreement(fn, _hidden_runs())


no_hidden_cases(check_bounds, "each answer judges one of the lesson's named broken variants; "
                "there is no other input of the same kind to keep back")
