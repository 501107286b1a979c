"""Lesson 01: the acceptor's promise and accept rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from paxos_lib.exercises.feedback import (
    Feedback,
    bool_answer,
    need_function,
    run_scenarios,
    show,
)
from paxos_lib.messages import Ballot

_B = Ballot

__all__ = ["check_should_accept", "check_should_promise"]


# -- lesson 01 and 02: the acceptor's two rules -----------------------------------------------

_PROMISE_CASES: tuple[tuple[Ballot | None, Ballot], ...] = (
    (None, _B(1, "p1")),
    (_B(1, "p1"), _B(2, "p1")),
    (_B(1, "p1"), _B(1, "p2")),
    (_B(2, "p1"), _B(1, "p2")),
    (_B(1, "p2"), _B(1, "p1")),
    (_B(2, "p2"), _B(2, "p2")),
    (_B(3, "p1"), _B(2, "p9")),
)


def check_should_promise(fn: Callable[[Ballot | None, Ballot], bool]) -> Feedback:
    """Check ``fn(promised, ballot) -> bool``: may an acceptor that promised ``promised``
    (None: nothing yet) promise ``ballot``?"""
    fn = need_function(fn, "check_should_promise")

    def case(promised: Ballot | None, ballot: Ballot) -> tuple[tuple[Any, ...], Any]:
        expected = promised is None or ballot >= promised

        def judge(result: Any) -> str | None:
            bad = bool_answer(result)
            if bad is not None:
                return f"with {show(promised)} and ballot {ballot}: {bad}"
            if result == expected:
                return None
            if expected and promised is None:
                return (f"your acceptor refused ballot {ballot} although it had promised "
                        "nothing yet; with no promise there is nothing to protect")
            if expected and ballot == promised:
                return (f"your acceptor refused ballot {ballot}, which it had already promised; "
                        "a duplicated Prepare should get the same answer again")
            if expected:
                return (f"your acceptor refused ballot {ballot} after promising only {promised}; "
                        "a higher ballot must be able to take over")
            return (f"your acceptor promised ballot {ballot} after promising {promised}; it "
                    f"swore to ignore every ballot below {promised}")

        return (promised, ballot), judge

    return run_scenarios("should_promise", (case(p, b) for p, b in _PROMISE_CASES), fn)


def check_should_accept(fn: Callable[[Ballot | None, Ballot], bool]) -> Feedback:
    """Check ``fn(promised, ballot) -> bool``: may an acceptor that promised ``promised``
    accept a value at ``ballot``?"""
    fn = need_function(fn, "check_should_accept")

    def case(promised: Ballot | None, ballot: Ballot) -> tuple[tuple[Any, ...], Any]:
        expected = promised is None or ballot >= promised

        def judge(result: Any) -> str | None:
            bad = bool_answer(result)
            if bad is not None:
                return f"with {show(promised)} and ballot {ballot}: {bad}"
            if result == expected:
                return None
            if expected and promised is None:
                return (f"your acceptor refused to accept at ballot {ballot} with no promise "
                        "made; nothing forbids it, and refusing can stop all progress")
            if expected:
                return (f"your acceptor refused ballot {ballot} although it promised only "
                        f"{promised}; the proposer it promised must be able to finish")
            return (f"your acceptor accepted ballot {ballot} after promising {promised}; that "
                    "promise told the newer proposer no older value could be chosen behind "
                    "its back")

        return (promised, ballot), judge

    return run_scenarios("should_accept", (case(p, b) for p, b in _PROMISE_CASES), fn)
