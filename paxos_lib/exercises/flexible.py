"""Lesson 09, exercise 2: which Flexible Paxos quorum sizes are safe?

``check_flexible_quorums`` gives the learner's ``safe(n, q1, q2)`` (n acceptors, phase-1
quorums of q1, phase-2 quorums of q2) a table of configurations and compares the answer with
the engine's own ``Cluster.quorums_intersect()``.  Where the answer is "safe" but is not, the
feedback names a phase-1 quorum and a phase-2 quorum with no acceptor in common (from
``Cluster.disjoint_quorums()``) and what then goes wrong; where it is "unsafe" but is safe,
it says which requirement was too strong (phase-2 quorums need not meet each other, nor
phase-1 quorums), without stating the condition itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from paxos_lib.cluster import Cluster
from paxos_lib.exercises.feedback import Feedback, need_function
from paxos_lib.exercises.hidden import hidden_cases

__all__ = ["check_flexible_quorums"]

#: (acceptors, phase-1 quorum size, phase-2 quorum size)
_CASES: tuple[tuple[int, int, int], ...] = (
    (3, 2, 2), (1, 1, 1), (4, 2, 2), (4, 3, 2), (4, 2, 3), (5, 3, 1), (5, 1, 5),
    (5, 4, 2), (5, 2, 4), (5, 3, 3), (5, 2, 3), (4, 4, 1), (6, 3, 3), (6, 4, 3),
)

#: Grading's hidden cases (``paxos_lib.exercises.hidden``): larger clusters and both sides of
#: each boundary, never shown by the check.
_HIDDEN_CASES: tuple[tuple[int, int, int], ...] = (
    (7, 4, 4), (7, 5, 3), (7, 4, 3), (7, 6, 2), (7, 2, 5), (7, 3, 4), (8, 5, 4), (8, 4, 4),
    (9, 7, 2), (9, 2, 7), (2, 1, 2), (2, 1, 1), (3, 3, 1), (3, 1, 2),
)


def _names(group: tuple[str, ...]) -> str:
    return "{" + ", ".join(group) + "}"


def _why_unsafe(n: int, q1: int, q2: int) -> str:
    pair = Cluster(acceptors=n, phase1_quorum=q1, phase2_quorum=q2).disjoint_quorums()
    assert pair is not None
    one, two = pair
    text = (f"it is not: {_names(two)} can vote for 'confirmed' (a phase-2 quorum, so it is "
            f"chosen), then a proposer hears promises from {_names(one)} only (a phase-1 "
            "quorum), learns of no vote, and gets 'cancelled' chosen too")
    if q1 + q2 == n:
        text += (f"; with {q1} and {q2} out of {n}, the two quorums can split the acceptors "
                 "exactly, leaving nobody in both")
    if q1 > n / 2 and q2 <= n / 2:
        text += "; a majority in phase 1 is not enough when phase-2 quorums are small"
    elif q2 > n / 2 and q1 <= n / 2:
        text += "; a majority in phase 2 is not enough when phase-1 quorums are small"
    return text


def _why_safe(n: int, q1: int, q2: int) -> str:
    left = n - q1
    text = (f"it is safe: whichever {q1} acceptor(s) promise, only {left} are left out, so "
            f"any {q2} that vote include one that promised and reports the vote")
    if q1 <= n / 2 or q2 <= n / 2:
        small = "phase-2" if q2 <= n / 2 else "phase-1"
        text += (f"; {small} quorums may be smaller than a majority, because two {small} "
                 "quorums never need to meet")
    return text


def check_flexible_quorums(fn: Callable[[int, int, int], Any]) -> Feedback:
    """Check ``fn(n, q1, q2) -> bool``: True when n acceptors with phase-1 quorums of q1 and
    phase-2 quorums of q2 can never choose two values."""
    return _check(fn, _CASES)


def _check(fn: Callable[[int, int, int], Any], cases: tuple[tuple[int, int, int], ...]
           ) -> Feedback:
    fn = need_function(fn, "check_flexible_quorums")
    problems: list[str] = []
    for n, q1, q2 in cases:
        where = f"with {n} acceptor(s), phase-1 quorums of {q1} and phase-2 quorums of {q2}"
        try:
            result = fn(n, q1, q2)
        except Exception as exc:  # the learner's code may raise anything: report it
            problems.append(f"{where}: your function raised {type(exc).__name__}: {exc}")
            continue
        if not isinstance(result, bool):
            problems.append(f"{where}: return True or False, got {result!r}")
            continue
        expected = Cluster(acceptors=n, phase1_quorum=q1, phase2_quorum=q2).quorums_intersect()
        if result == expected:
            continue
        if result:
            problems.append(f"{where}: you said safe, but {_why_unsafe(n, q1, q2)}")
        else:
            problems.append(f"{where}: you said unsafe, but {_why_safe(n, q1, q2)}")
    return Feedback("safe(n, q1, q2)", not problems, len(cases), tuple(problems))


@hidden_cases(check_flexible_quorums)
def _hidden_flexible_quorums(fn: Callable[..., Any]) -> Feedback:
    return _check(fn, _HIDDEN_CASES)
