"""Lesson 03: unique ballots and the rule for picking the value to propose."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from paxos_lib.cluster import Cluster
from paxos_lib.exercises.feedback import (
    Feedback,
    need_function,
    run_scenarios,
)
from paxos_lib.messages import Accept, Ballot, Promise, Send
from paxos_lib.roles import Proposer
from paxos_lib.variants import rules_for

_B = Ballot

__all__ = ["check_next_ballot", "check_pick_value"]


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

    def case(promises: Promises, own: str) -> tuple[tuple[Any, ...], Any]:
        expected = _expected_pick(promises, own)

        def judge(result: Any) -> str | None:
            if result == expected:
                return None
            reported = [(a, b, v) for a, b, v in promises if b is not None]
            if not reported:
                return (f"no promise reported a vote, so any value is safe and the proposer "
                        f"should use its own {own!r}; you returned {result!r}")
            a, b, v = max(reported, key=lambda r: r[1])
            return (f"{a} reported {v!r} accepted at {b}, the highest ballot among the "
                    f"promises, so {v!r} may already be chosen; you proposed {result!r}")

        return (list(promises), own), judge

    return run_scenarios("pick_value", (case(p, o) for p, o in _PICK_CASES), fn)


def check_next_ballot(fn: Callable[[Ballot, str], Ballot]) -> Feedback:
    """Check ``fn(refused_by, me) -> Ballot``: the ballot proposer ``me`` should try after an
    acceptor said it promised ``refused_by``."""
    fn = need_function(fn, "check_next_ballot")
    cases = ((_B(1, "p2"), "p1"), (_B(3, "p1"), "p2"), (_B(2, "p1"), "p1"), (_B(7, "p3"), "p1"))

    def case(seen: Ballot, me: str) -> tuple[tuple[Any, ...], Any]:
        def judge(result: Any) -> str | None:
            if not isinstance(result, Ballot):
                return (f"after a refusal citing {seen}: return a Ballot(round, node), "
                        f"got {result!r}")
            if result.node != me:
                return (f"{me} returned ballot {result}, which carries {result.node!r} instead "
                        f"of its own id; two proposers could then use the same ballot")
            if not result > seen:
                return (f"after a refusal citing {seen}, {me} tried {result}, which is not "
                        "higher; it would be refused again")
            return None

        return (seen, me), judge

    return run_scenarios("next_ballot", (case(s, m) for s, m in cases), fn)
