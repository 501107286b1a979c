"""Lesson 03: the rule for picking the value to propose.

``check_pick_value`` compares the learner's ``pick_value(promises, own)`` with what the
course's own proposer (``roles.Proposer``) proposes after the same quorum of promises.  A wrong
answer is explained by what the promises report: a reported vote ignored, or a vote that a
later ballot has superseded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from paxos_lib.cluster import Cluster
from paxos_lib.exercises.feedback import (
    Feedback,
    need_function,
    run_scenarios,
)
from paxos_lib.exercises.hidden import hidden_cases
from paxos_lib.messages import Accept, Ballot, Promise, Send
from paxos_lib.roles import Proposer
from paxos_lib.variants import rules_for

_B = Ballot

__all__ = ["check_pick_value"]


# -- lesson 03: ballots and the value rule ---------------------------------------------------

Promises = list[tuple[str, Ballot | None, str | None]]

_PICK_CASES: tuple[tuple[Promises, str], ...] = (
    ([("a1", None, None), ("a2", None, None)], "cancelled"),
    ([("a1", _B(1, "p1"), "confirmed"), ("a2", None, None)], "cancelled"),
    ([("a1", None, None), ("a3", _B(1, "p1"), "confirmed")], "cancelled"),
    ([("a1", _B(1, "p1"), "confirmed"), ("a2", _B(2, "p2"), "cancelled")], "confirmed"),
    ([("a1", _B(3, "p1"), "confirmed"), ("a2", _B(2, "p3"), "cancelled"),
      ("a3", None, None)], "cancelled"),
    ([("a2", _B(1, "p2"), "cancelled"), ("a3", _B(1, "p1"), "confirmed")], "confirmed"),
)


def _expected_pick(promises: Promises, own: str) -> str:
    """What the course's own proposer (``roles.Proposer``) proposes after these promises."""
    rules = rules_for(Cluster(proposers=1, acceptors=len(promises), quorum=len(promises)))
    ballot = _B(9, "p1")
    proposer = Proposer(node="p1", round=9, phase="preparing", value=own, ballot=ballot)
    effects: tuple[Any, ...] = ()
    for acceptor, accepted_ballot, accepted_value in promises:
        promise = Promise(src=acceptor, dst="p1", ballot=ballot,
                          accepted_ballot=accepted_ballot, accepted_value=accepted_value)
        proposer, effects = proposer.on_message(promise, rules)  # type: ignore[assignment]
    accepts = [e.message for e in effects if isinstance(e, Send)]
    assert accepts and isinstance(accepts[0], Accept), "a quorum of promises starts phase 2"
    return accepts[0].value


def check_pick_value(fn: Callable[[Promises, str], str]) -> Feedback:
    """Check ``fn(promises, own_value) -> value``: which value a proposer must propose in
    phase 2, given a quorum of promises ``(acceptor, accepted_ballot, accepted_value)``."""
    fn = need_function(fn, "check_pick_value")
    return _check_pick_value(fn, _PICK_CASES)


def _check_pick_value(fn: Callable[..., Any], cases: Any) -> Feedback:
    """check_pick_value's judge over ``cases`` (the visible table, or the hidden one)."""

    def case(promises: Promises, own: str) -> tuple[tuple[Any, ...], Any]:
        expected = _expected_pick(promises, own)

        def judge(result: Any) -> str | None:
            if result == expected:
                return None
            reported = [(a, b, v) for a, b, v in promises if b is not None]
            if not reported:
                return (f"no promise reported a vote, so nothing can have been chosen yet and "
                        f"the proposer is free; you returned {result!r}, which is not the value "
                        "its client asked for")
            a, b, v = max(reported, key=lambda r: r[1])
            mine = [(ma, mb) for ma, mb, mv in reported if mv == result]
            if not mine:
                return (f"{a} reported {v!r} accepted at {b}, so {v!r} may already be chosen; "
                        f"you proposed {result!r}, which no promise reported, and that could "
                        "overwrite it")
            ma, mb = max(mine, key=lambda r: r[1])
            return (f"you proposed {result!r}, which {ma} reported at {mb}; but {a} reported "
                    f"{v!r} at {b}, a higher ballot, whose proposer had made sure nothing else "
                    f"could be chosen below it, so {result!r} cannot have been chosen at {mb}, "
                    f"and {v!r} may have been")

        return (list(promises), own), judge

    return run_scenarios("pick_value", (case(p, o) for p, o in cases), fn)


#: Hidden cases of check_pick_value (graded, never shown by the check; see ``hidden.py``).
_HIDDEN_PICK_CASES = (
    ([("a2", _B(2, "p3"), "confirmed"), ("a3", _B(4, "p1"), "cancelled")], "confirmed"),
    ([("a1", None, None), ("a2", None, None), ("a3", None, None)], "confirmed"),
    ([("a3", _B(5, "p2"), "cancelled"), ("a1", _B(5, "p1"), "confirmed")], "confirmed"),
    ([("a1", None, None), ("a2", _B(2, "p2"), "confirmed"), ("a3", _B(1, "p3"), "cancelled")],
     "cancelled"),
    ([("a4", _B(3, "p1"), "cancelled"), ("a5", _B(3, "p1"), "cancelled"),
      ("a1", _B(2, "p2"), "confirmed")], "confirmed"),
)


@hidden_cases(check_pick_value)
def _hidden_pick_value(fn: Callable[..., Any]) -> Feedback:
    return _check_pick_value(fn, _HIDDEN_PICK_CASES)
