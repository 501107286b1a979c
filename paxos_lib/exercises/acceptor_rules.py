"""Lesson 01: the acceptor's promise and accept rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from paxos_lib.cluster import Cluster
from paxos_lib.exercises.feedback import (
    Feedback,
    bool_answer,
    need_function,
    run_scenarios,
    show,
)
from paxos_lib.exercises.hidden import hidden_cases
from paxos_lib.messages import Accept, Ballot, Nack, Prepare, Send
from paxos_lib.roles import Acceptor
from paxos_lib.variants import rules_for

_B = Ballot
_RULES = rules_for(Cluster(proposers=1, acceptors=1))

__all__ = ["check_should_accept", "check_should_promise"]


# -- lesson 01: the acceptor's two rules -------------------------------------------------------

#: (promised, ballot) pairs both rules are asked about.  Ballots order by round, then by the
#: proposer's id, so 1.p2 is above 1.p1 and 3.p1 is above 2.p2.
_PROMISE_CASES: tuple[tuple[Ballot | None, Ballot], ...] = (
    (None, _B(1, "p1")),
    (_B(1, "p1"), _B(2, "p1")),
    (_B(1, "p1"), _B(1, "p2")),
    (_B(2, "p1"), _B(1, "p2")),
    (_B(1, "p2"), _B(1, "p1")),
    (_B(2, "p2"), _B(2, "p2")),
    (_B(3, "p1"), _B(2, "p9")),
    (_B(2, "p2"), _B(3, "p1")),
)


#: Hidden cases (graded, never shown by the check; see ``hidden.py``): other rounds, other
#: proposers, ties broken the other way, gaps of several rounds.
_HIDDEN_PROMISE_CASES: tuple[tuple[Ballot | None, Ballot], ...] = (
    (None, _B(7, "p4")),
    (_B(4, "p3"), _B(4, "p2")),
    (_B(4, "p2"), _B(4, "p3")),
    (_B(5, "p1"), _B(6, "p1")),
    (_B(2, "p3"), _B(10, "p1")),
    (_B(10, "p2"), _B(9, "p3")),
    (_B(6, "p4"), _B(6, "p4")),
    (_B(3, "p2"), _B(1, "p3")),
)


def _engine_says_yes(kind: type[Prepare] | type[Accept], promised: Ballot | None,
                     ballot: Ballot) -> bool:
    """What the course's own acceptor (``roles.Acceptor``) answers: anything but a Nack."""
    acceptor = Acceptor(node="a1", promised=promised)
    if kind is Prepare:
        msg: Prepare | Accept = Prepare(src=ballot.node, dst="a1", ballot=ballot)
    else:
        msg = Accept(src=ballot.node, dst="a1", ballot=ballot, value="confirmed")
    _, effects = acceptor.on_message(msg, _RULES)
    return not any(isinstance(e, Send) and isinstance(e.message, Nack) for e in effects)


Explain = Callable[[Ballot | None, Ballot, bool], str]


def _check_rule(name: str, kind: type[Prepare] | type[Accept], fn: Callable[..., Any],
                explain: Explain, either_on_duplicate: bool,
                cases: tuple[tuple[Ballot | None, Ballot], ...] = _PROMISE_CASES) -> Feedback:
    """Run ``fn(promised, ballot)`` on every case; ``explain`` words a wrong answer.  With
    ``either_on_duplicate``, both answers are right when ``ballot`` is the one promised."""

    def case(promised: Ballot | None, ballot: Ballot) -> tuple[tuple[Any, ...], Any]:
        expected = _engine_says_yes(kind, promised, ballot)

        def judge(result: Any) -> str | None:
            bad = bool_answer(result)
            if bad is not None:
                return f"with {show(promised)} and ballot {ballot}: {bad}"
            if either_on_duplicate and ballot == promised:
                return None
            return None if result == expected else explain(promised, ballot, expected)

        return (promised, ballot), judge

    return run_scenarios(name, (case(p, b) for p, b in cases), fn)


def _same_round(promised: Ballot, ballot: Ballot) -> str:
    """Why two ballots of one round compare the way they do."""
    low, high = sorted((promised, ballot))
    return (f"{low} and {high} share round {low.round}, and a tie in the round is broken by "
            f"the proposer's id, so {high} is the higher ballot")


def _explain_promise(promised: Ballot | None, ballot: Ballot, expected: bool) -> str:
    if expected and promised is None:
        return (f"your acceptor refused ballot {ballot} although it had promised "
                "nothing yet; with no promise there is nothing to protect")
    assert promised is not None
    if expected and ballot.round == promised.round:
        return (f"your acceptor refused ballot {ballot} after promising {promised}, but "
                f"{_same_round(promised, ballot)}; the refusal is safe, yet {ballot.node} "
                "must now start a whole new round for nothing")
    if expected and ballot.node < promised.node:
        return (f"your acceptor refused ballot {ballot} after promising {promised}, but "
                f"round {ballot.round} is above round {promised.round}, whatever the "
                "proposers' ids: the round decides first")
    if expected:
        return (f"your acceptor refused ballot {ballot} after promising only {promised}; "
                "a higher ballot must be able to take over, or a proposer that crashed "
                "holding this promise would block everyone forever")
    if ballot.round == promised.round:
        return (f"your acceptor promised ballot {ballot} after promising {promised}, but "
                f"{_same_round(promised, ballot)}; it swore to {promised.node} to ignore "
                f"every ballot below {promised}, and {ballot} is one of them")
    return (f"your acceptor promised ballot {ballot} after promising {promised}; it "
            f"swore to ignore every ballot below {promised}")


def _explain_accept(promised: Ballot | None, ballot: Ballot, expected: bool) -> str:
    if expected and promised is None:
        return (f"your acceptor refused to accept at ballot {ballot} with no promise "
                "made; nothing forbids it, and refusing can stop all progress")
    assert promised is not None
    if expected and ballot == promised:
        return (f"your acceptor refused ballot {ballot}, the very ballot it promised; the "
                "proposer it promised must be able to finish")
    if expected:
        order = (_same_round(promised, ballot) if ballot.round == promised.round
                 else f"{ballot} is above {promised}")
        return (f"your acceptor refused ballot {ballot} after promising {promised}, but "
                f"{order}: its promise only ruled out ballots below {promised}. "
                f"This acceptor never promised {ballot}, yet {ballot.node} may hold promises "
                "for it from another majority of acceptors, so its accept is legitimate, "
                "and refusing it can stall the only proposer that could finish")
    if ballot.round == promised.round:
        return (f"your acceptor accepted ballot {ballot} after promising {promised}, but "
                f"{_same_round(promised, ballot)}; that promise told {promised.node} no "
                "older value could be chosen behind its back")
    return (f"your acceptor accepted ballot {ballot} after promising {promised}; that "
            "promise told the newer proposer no older value could be chosen behind "
            "its back")


def check_should_promise(fn: Callable[[Ballot | None, Ballot], bool]) -> Feedback:
    """Check ``fn(promised, ballot) -> bool``: may an acceptor that promised ``promised``
    (None: nothing yet) promise ``ballot``?  The right answers are the course acceptor's,
    except for the ballot already promised, where refusing (Lamport's strict ``>``) and
    promising again (the course acceptor's ``>=``) are both safe, so both pass."""
    fn = need_function(fn, "check_should_promise")
    feedback = _check_rule("should_promise", Prepare, fn, _explain_promise, True)
    if not feedback.passed:
        return feedback
    again = _B(2, "p2")
    try:
        answer = fn(again, again)
    except Exception:  # the learner's code may raise anything; run_scenarios reported it
        return feedback
    if answer is True:
        note = ("For the ballot it already promised, your acceptor promises again, as the "
                "course's acceptor does: a duplicated prepare gets the same answer twice, "
                "which changes nothing. Paxos Made Simple and Paxos.tla refuse it instead "
                "(a strict comparison); both are safe.")
    elif answer is False:
        note = ("For the ballot it already promised, your acceptor refuses, as Paxos Made "
                "Simple and Paxos.tla do (a strict comparison): safe, since the proposer "
                "already holds that promise, but a proposer whose first promise was lost "
                "now gets a refusal. The course's acceptor promises again; both are safe.")
    else:
        return feedback
    return replace(feedback, notes=(note,))


def check_should_accept(fn: Callable[[Ballot | None, Ballot], bool]) -> Feedback:
    """Check ``fn(promised, ballot) -> bool``: may an acceptor that promised ``promised``
    accept a value at ``ballot``?  The right answers are the course acceptor's."""
    fn = need_function(fn, "check_should_accept")
    return _check_rule("should_accept", Accept, fn, _explain_accept, False)


@hidden_cases(check_should_promise)
def _hidden_should_promise(fn: Callable[[Ballot | None, Ballot], bool]) -> Feedback:
    return _check_rule("should_promise", Prepare, fn, _explain_promise, True,
                       _HIDDEN_PROMISE_CASES)


@hidden_cases(check_should_accept)
def _hidden_should_accept(fn: Callable[[Ballot | None, Ballot], bool]) -> Feedback:
    return _check_rule("should_accept", Accept, fn, _explain_accept, False,
                       _HIDDEN_PROMISE_CASES)
