"""Lesson 05: back-off and leaders, checked by running races (``paxos_lib.liveness``).

``check_backoff`` asks four things of a learner's ``backoff(attempt, rng) -> steps``: that it
draws its wait from ``rng`` (two proposers refused together must not come back together),
that its window grows with the attempt (nobody knows how slow the network is), that it stays
shorter than a whole race after ten refusals (an unlucky proposer must come back), and that
proposers using it settle fast, both on the lesson's network and on one three times slower,
compared with the built-in ``random_backoff``.  ``check_should_retry`` asks of a leader rule
``should_retry(me, up) -> bool`` that exactly one of the proposers that are up retries, and
then races with it while proposers crash.
"""

from __future__ import annotations

import inspect
import random
from collections.abc import Callable
from itertools import combinations
from typing import Any

from paxos_lib.exercises.feedback import Feedback, need_function
from paxos_lib.exercises.hidden import hidden_cases
from paxos_lib.liveness import Timings, race, random_backoff, steps_to_decision
from paxos_lib.simulation import Faults

__all__ = ["check_backoff", "check_should_retry"]

#: The networks a back-off is raced on: the lesson's, and one three times slower.
NETWORKS: dict[str, dict[str, Any]] = {
    "the lesson's network": {},
    "a network three times slower": {
        "latency": (3, 6), "accept_latency": (9, 18), "patience": 48, "max_steps": 1200,
    },
}
#: How many steps one quiet round (prepare, promise, accept, accepted) takes on each network.
ROUND: dict[str, tuple[int, int]] = {
    "the lesson's network": (6, 12),
    "a network three times slower": (18, 36),
}
RACES = 30
ATTEMPTS = range(1, 11)
#: The longest a race on the lesson's network may last (``liveness.race``'s ``max_steps``).
LONGEST: int = inspect.signature(race).parameters["max_steps"].default


def _wait_of(fn: Callable[..., Any], attempt: int, seed: int) -> tuple[int | None, str | None]:
    """The learner's wait for ``attempt`` with ``random.Random(seed)``, or what is wrong."""
    try:
        ticks = fn(attempt, random.Random(seed))
    except Exception as exc:  # the learner's code may raise anything: report it, never crash
        return None, f"for attempt {attempt} your function raised {type(exc).__name__}: {exc}"
    if isinstance(ticks, bool) or not isinstance(ticks, int):
        return None, (f"for attempt {attempt} it returned {ticks!r}; return a whole number of "
                      "steps, such as rng.randint(0, 8)")
    if ticks < 0:
        return None, f"for attempt {attempt} it returned {ticks}; a wait cannot be negative"
    return ticks, None


def _p90(t: Timings) -> str:
    x = t.percentile(90)
    return f"more than {t.max_steps}" if x is None else f"{x:g}"


def check_backoff(fn: Callable[[int, random.Random], int]) -> Feedback:
    """Check ``fn(attempt, rng) -> steps``: how long a proposer waits after its attempt-th
    refusal before it tries a higher ballot."""
    fn = need_function(fn, "check_backoff")
    return _check_backoff(fn, NETWORKS, ROUND, range(RACES))


#: Hidden cases of check_backoff (graded, never shown by the check; see ``hidden.py``): a
#: network twice as slow as the lesson's, raced on other seeds.
HIDDEN_NETWORKS: dict[str, dict[str, Any]] = {
    "a network twice as slow": {
        "latency": (2, 4), "accept_latency": (6, 12), "patience": 32, "max_steps": 800,
    },
}
HIDDEN_ROUND: dict[str, tuple[int, int]] = {"a network twice as slow": (12, 24)}


def _check_backoff(fn: Callable[..., Any], networks: dict[str, dict[str, Any]],
                   rounds: dict[str, tuple[int, int]], seeds: range) -> Feedback:
    """check_backoff's judge: the waits themselves, then races on ``networks``."""
    total = 4 + len(networks)
    waits: dict[int, list[int]] = {}
    for attempt in ATTEMPTS:
        for seed in range(40):
            ticks, problem = _wait_of(fn, attempt, seed)
            if problem is not None:  # nothing else can be checked yet
                return Feedback("backoff", False, 1, (problem,))
            assert ticks is not None
            waits.setdefault(attempt, []).append(ticks)
    problems: list[str] = []
    fixed = all(len(set(waits[attempt])) == 1 for attempt in (1, 2, 3))
    if fixed:
        problems.append(
            f"it waits exactly {waits[1][0]} step(s) after the first refusal, "
            f"{waits[2][0]} after the second and {waits[3][0]} after the third, whatever rng "
            "says: two proposers refused at the same moment wait exactly as long, come back "
            "at the same moment, and collide again"
        )
    first, sixth = max(waits[1]), max(waits[6])
    if sixth <= first:
        problems.append(
            f"after 6 refusals in a row its longest wait is still {sixth} step(s), no more "
            "than after the first: six refusals say that the waits so far were too short for "
            "this network, and your function pays no attention to that"
        )
    last = max(waits[ATTEMPTS[-1]])
    if last > LONGEST:
        problems.append(
            f"after {ATTEMPTS[-1]} refusals in a row it may wait {last} steps, longer than a "
            f"whole race may last here ({LONGEST} steps): a proposer that was merely unlucky "
            "sits out long after every rival has finished or crashed, and if none is left, "
            "nothing is chosen until it comes back"
        )
    early = [w for attempt in (1, 2, 3) for w in waits[attempt]]
    mean = sum(early) / len(early)
    for network, args in networks.items():
        ours = steps_to_decision(fn, seeds, progress=False, **args)
        ref = steps_to_decision(random_backoff, seeds, progress=False, **args)
        p90, ref90 = ours.percentile(90), ref.percentile(90)
        assert ref90 is not None
        if p90 is None or p90 > 1.5 * ref90 + 5:
            low, high = rounds[network]
            said = (f"on {network}, 90% of {len(seeds)} races chose a value within {_p90(ours)} "
                    f"steps with your back-off, against {ref90:g} for the course's own")
            if mean < low:
                problems.append(
                    f"{said}: your waits after the first three refusals average {mean:.1f} "
                    f"steps, while one quiet round takes {low} to {high} steps here, so a "
                    "refused proposer is back before its rival can finish, and each "
                    "pre-empts the other again"
                )
            elif mean > 4 * high:
                problems.append(
                    f"{said}: your waits after the first three refusals average {mean:.0f} "
                    f"steps, while one quiet round takes {low} to {high} steps here, so a "
                    "refused proposer sits idle long after its rival has finished or failed"
                )
            elif not fixed and sixth > first:
                problems.append(
                    f"{said}, although your waits are random and grow; look at how the "
                    f"longest wait grows from refusal to refusal ({first} after the first, "
                    f"{sixth} after the sixth) compared with a round of {low} to {high} steps"
                )
            else:
                problems.append(f"{said}; the two points above are why")
    return Feedback("backoff", not problems, total, tuple(problems))


def check_should_retry(fn: Callable[[str, tuple[str, ...]], bool]) -> Feedback:
    """Check ``fn(me, up) -> bool``: may proposer ``me`` retry, when ``up`` are the
    proposers that are up (sorted, ``me`` among them)?  Exactly one of them should."""
    fn = need_function(fn, "check_should_retry")
    proposers = ("p1", "p2", "p3")
    problems: list[str] = []
    total = 1
    for k in (3, 2, 1):
        for up in combinations(proposers, k):
            total += 1
            problem = _judge_rule(fn, up, proposers)
            if problem is not None:
                problems.append(problem)
    faults = Faults(crash=0.03, recover=0.05)
    races = [race("leader", s, proposers=3, leaders=fn, faults=faults) for s in range(RACES)]
    undecided = sum(1 for r in races if not r.decided)
    if undecided:
        problems.append(
            f"in {undecided} of {RACES} races among p1, p2 and p3, with proposers and "
            f"acceptors crashing and recovering, nothing was chosen within {races[0].max_steps} "
            "steps"
        )
    return Feedback("should_retry", not problems, total, tuple(problems))


def _judge_rule(fn: Callable[..., Any], up: tuple[str, ...],
                proposers: tuple[str, ...]) -> str | None:
    retry: list[str] = []
    for me in up:
        try:
            answer = fn(me, up)
        except Exception as exc:  # the learner's code may raise anything
            return (f"with {', '.join(up)} up, asking {me}: your function raised "
                    f"{type(exc).__name__}: {exc}")
        if not isinstance(answer, bool):
            return (f"with {', '.join(up)} up, asking {me}: it should answer True or False, "
                    f"but returned {answer!r}")
        if answer:
            retry.append(me)
    if len(retry) > 1:
        who = "both" if len(retry) == 2 else "all"
        names = ", ".join(retry[:-1]) + " and " + retry[-1]
        return (f"with {', '.join(up)} up, {names} {who} retry: {len(retry)} "
                "leaders duel, as if there were no leader")
    if not retry:
        down = " and ".join(p for p in proposers if p not in up)
        left = (f"{up[0]} does not retry" if len(up) == 1
                else f"neither {' nor '.join(up)} retries")
        return f"with {down} crashed, {left}: order 42 waits until a crashed proposer recovers"
    return None


@hidden_cases(check_backoff)
def _hidden_backoff(fn: Callable[..., Any]) -> Feedback:
    return _check_backoff(fn, HIDDEN_NETWORKS, HIDDEN_ROUND, range(1000, 1000 + RACES))


@hidden_cases(check_should_retry)
def _hidden_should_retry(fn: Callable[..., Any]) -> Feedback:
    """Four proposers instead of three, every set of them that can be up (no races)."""
    proposers = ("p1", "p2", "p3", "p4")
    problems: list[str] = []
    total = 0
    for k in (4, 3, 2, 1):
        for up in combinations(proposers, k):
            total += 1
            problem = _judge_rule(fn, up, proposers)
            if problem is not None:
                problems.append(problem)
    return Feedback("should_retry", not problems, total, tuple(problems))
