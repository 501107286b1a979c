"""Lesson 03: when is a value *chosen*? Counted from the history of votes.

``check_chosen`` gives the learner's ``chosen_values(votes, quorum)`` lists of votes, each
``(acceptor, ballot, value)`` in the order they were cast, and compares the answer with the
definition the properties use (``paxos_lib.properties.chosen``): a value is chosen when a
quorum of *distinct* acceptors accepted it *at one ballot*, at any time in the history.  The
feedback names the votes that make a value chosen, or explains why the votes the learner
counted are not a quorum: one acceptor counted twice, or votes at different ballots.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from paxos_lib.exercises.feedback import Feedback, need_function
from paxos_lib.exercises.hidden import hidden_cases
from paxos_lib.messages import Ballot

__all__ = ["check_chosen"]

_B = Ballot
Vote = tuple[str, Ballot, str]

#: (votes in the order they were cast, quorum size)
_CASES: tuple[tuple[tuple[Vote, ...], int], ...] = (
    ((), 2),
    ((("a1", _B(1, "p1"), "confirmed"),), 2),
    ((("a1", _B(1, "p1"), "confirmed"), ("a2", _B(1, "p1"), "confirmed")), 2),
    # the same acceptor twice is not a quorum
    ((("a1", _B(1, "p1"), "confirmed"), ("a1", _B(2, "p1"), "confirmed")), 2),
    # two votes for one value, but at different ballots
    ((("a1", _B(1, "p1"), "confirmed"), ("a2", _B(1, "p2"), "cancelled"),
      ("a3", _B(2, "p1"), "confirmed")), 2),
    # chosen at 1.p1; a2 votes again later, and the old votes still count
    ((("a1", _B(1, "p1"), "confirmed"), ("a2", _B(1, "p1"), "confirmed"),
      ("a2", _B(2, "p2"), "confirmed")), 2),
    # five acceptors: three votes at one ballot are a quorum, two are not
    ((("a4", _B(2, "p2"), "cancelled"), ("a5", _B(2, "p2"), "cancelled"),
      ("a1", _B(1, "p1"), "confirmed")), 3),
    ((("a1", _B(2, "p2"), "cancelled"), ("a4", _B(2, "p2"), "cancelled"),
      ("a5", _B(2, "p2"), "cancelled")), 3),
    # a broken variant (duplicate-ballots): both values chosen, and chosen must say so
    ((("a1", _B(1, "p"), "confirmed"), ("a2", _B(1, "p"), "confirmed"),
      ("a1", _B(1, "p"), "cancelled"), ("a2", _B(1, "p"), "cancelled")), 2),
)


#: Hidden cases (graded, never shown by the check; see ``hidden.py``).
_HIDDEN_CASES: tuple[tuple[tuple[Vote, ...], int], ...] = (
    ((("a2", _B(3, "p2"), "cancelled"), ("a3", _B(3, "p2"), "cancelled")), 2),
    ((("a3", _B(2, "p1"), "confirmed"), ("a3", _B(2, "p1"), "confirmed")), 2),
    ((("a1", _B(4, "p3"), "cancelled"), ("a2", _B(5, "p1"), "cancelled"),
      ("a3", _B(5, "p1"), "cancelled")), 2),
    ((("a1", _B(2, "p2"), "confirmed"), ("a2", _B(2, "p2"), "confirmed"),
      ("a3", _B(3, "p1"), "confirmed"), ("a4", _B(3, "p1"), "confirmed")), 3),
    ((("a5", _B(1, "p3"), "cancelled"), ("a4", _B(1, "p3"), "cancelled"),
      ("a3", _B(1, "p3"), "cancelled")), 3),
    ((("a1", _B(2, "p1"), "confirmed"), ("a1", _B(3, "p2"), "cancelled"),
      ("a2", _B(3, "p2"), "cancelled")), 2),
)


def _expected(votes: Iterable[Vote], quorum: int) -> frozenset[str]:
    voters: dict[tuple[Ballot, str], set[str]] = {}
    for acceptor, ballot, value in votes:
        voters.setdefault((ballot, value), set()).add(acceptor)
    return frozenset(v for (_, v), who in voters.items() if len(who) >= quorum)


def _vote_text(vote: Vote) -> str:
    acceptor, ballot, value = vote
    return f"{acceptor} {value!r} at {ballot}"


def _values_text(values: Iterable[str]) -> str:
    items = sorted(values, key=repr)
    return "{" + ", ".join(map(repr, items)) + "}" if items else "set()"


def _why_chosen(votes: tuple[Vote, ...], quorum: int, value: str) -> str:
    voters: dict[Ballot, list[str]] = {}
    for acceptor, ballot, v in votes:
        if v == value and acceptor not in voters.setdefault(ballot, []):
            voters[ballot].append(acceptor)
    ballot, who = next((b, w) for b, w in voters.items() if len(w) >= quorum)
    text = (f"{' and '.join(who)} accepted {value!r} at {ballot}, a quorum of {quorum}, "
            f"so {value!r} is chosen")
    later = [a for a, b, _ in votes if a in who and b > ballot]
    if later:
        text += (f" (even though {later[0]} voted again later: a vote, once cast, stays in the "
                 "history, and so does the fact that a quorum cast it)")
    return text


_TIMES = {1: "once", 2: "twice", 3: "three times"}


def _why_not_chosen(votes: tuple[Vote, ...], quorum: int, value: str) -> str:
    mine = [v for v in votes if v[2] == value]
    if not mine:
        return f"nobody voted for {value!r}"
    listed = " and ".join(f"from {a} at {b}" for a, b, _ in mine)
    acceptors = sorted({a for a, _, _ in mine})
    if len(acceptors) < quorum:
        if len(acceptors) == 1 and len(mine) > 1:
            return (f"{value!r} got votes {listed}: that is one acceptor counted "
                    f"{_TIMES.get(len(mine), f'{len(mine)} times')}, and a quorum is "
                    f"{quorum} different acceptors")
        return f"{value!r} got only votes {listed}, and a quorum is {quorum} acceptors"
    text = (f"{value!r} got votes {listed}, at different ballots: no quorum of {quorum} "
            "accepted it at one ballot, so it is not chosen")
    others = [v for v in votes if v[2] != value]
    if others:
        rival = max(others, key=lambda v: v[1])
        last = {a: (b, v) for a, b, v in votes}
        outranked = [(a, b) for a, b, _ in mine
                     if a != rival[0] and b < rival[1] and last[a] == (b, value)]
        if outranked:
            a, b = outranked[0]
            text += (f"; a later proposer that hears from {a} and {rival[0]} finds "
                     f"{rival[0]}'s {rival[2]!r} at {rival[1]} above {a}'s {value!r} at {b}, "
                     f"proposes {rival[2]!r}, and may get it chosen")
    return text


def check_chosen(fn: Callable[[list[Vote], int], Any]) -> Feedback:
    """Check ``fn(votes, quorum) -> set``: the values chosen by ``votes``, every vote ever cast
    as ``(acceptor, ballot, value)`` in order, when a quorum is ``quorum`` acceptors."""
    fn = need_function(fn, "check_chosen")
    return _run_chosen(fn, _CASES)


def _run_chosen(fn: Callable[[list[Vote], int], Any],
                cases: tuple[tuple[tuple[Vote, ...], int], ...]) -> Feedback:
    problems: list[str] = []
    for votes, quorum in cases:
        where = (f"with the votes [{', '.join(_vote_text(v) for v in votes)}] and a quorum of "
                 f"{quorum}" if votes else f"with no votes at all and a quorum of {quorum}")
        try:
            result = fn(list(votes), quorum)
        except Exception as exc:  # the learner's code may raise anything: report it
            problems.append(f"{where}: your function raised {type(exc).__name__}: {exc}")
            continue
        if not isinstance(result, set | frozenset):
            problems.append(f"{where}: return a set of values such as {{'confirmed'}} (or "
                            f"set() when nothing is chosen), got {result!r}")
            continue
        expected = _expected(votes, quorum)
        if result == expected:
            continue
        reasons = [_why_not_chosen(votes, quorum, v) for v in sorted(result - expected, key=str)]
        reasons += [_why_chosen(votes, quorum, v) for v in sorted(expected - result)]
        if len(expected) > 1:
            reasons.append("two values chosen breaks agreement (this history comes from a "
                           "broken variant), and chosen must report both so a checker sees it")
        problems.append(f"{where}: you returned {_values_text(result)}, but "
                        + "; ".join(reasons))
    return Feedback("chosen_values", not problems, len(cases), tuple(problems))


@hidden_cases(check_chosen)
def _hidden_chosen(fn: Callable[[list[Vote], int], Any]) -> Feedback:
    return _run_chosen(fn, _HIDDEN_CASES)
