"""Lesson 02: majority quorums and how many crashes they survive."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from paxos_lib.exercises.feedback import (
    Feedback,
    need_function,
    run_scenarios,
)
from paxos_lib.messages import Ballot

_B = Ballot

__all__ = ["check_quorum_size", "check_tolerated_crashes"]


# -- lesson 02: quorums ----------------------------------------------------------------------


def check_quorum_size(fn: Callable[[int], int]) -> Feedback:
    """Check ``fn(n) -> int``: the smallest quorum of n acceptors such that any two quorums
    share an acceptor."""
    fn = need_function(fn, "check_quorum_size")

    def case(n: int) -> tuple[tuple[Any, ...], Any]:
        expected = n // 2 + 1

        def judge(result: Any) -> str | None:
            if isinstance(result, bool) or not isinstance(result, int):
                return f"with {n} acceptor(s): it should return a whole number, got {result!r}"
            if result == expected:
                return None
            if result < 1:
                return (f"with {n} acceptor{'s' * (n > 1)}, a quorum of {result} means nobody "
                        "has to vote, so anything could be chosen; a quorum is at least 1")
            if result > n:
                return (f"with {n} acceptor{'s' * (n > 1)}, a quorum of {result} can never "
                        "be reached: there are not that many acceptors")
            if result < expected:
                a = [f"a{i}" for i in range(1, result + 1)]
                b = [f"a{i}" for i in range(n - result + 1, n + 1)]
                return (f"with {n} acceptors, quorums of {result} need not overlap: "
                        f"{{{', '.join(a)}}} and {{{', '.join(b)}}} share no acceptor, so they "
                        "could choose different values")
            return (f"with {n} acceptors a quorum of {result} is safe but larger than needed: "
                    f"{expected} already overlap, and every extra acceptor you wait for is one "
                    "fewer crash you survive")

        return (n,), judge

    return run_scenarios("quorum_size", (case(n) for n in range(1, 10)), fn)


def check_tolerated_crashes(fn: Callable[[int], int]) -> Feedback:
    """Check ``fn(n) -> int``: how many acceptors may crash while a majority quorum can still
    be formed."""
    fn = need_function(fn, "check_tolerated_crashes")

    def case(n: int) -> tuple[tuple[Any, ...], Any]:
        expected = (n - 1) // 2

        def judge(result: Any) -> str | None:
            if isinstance(result, bool) or not isinstance(result, int):
                return f"with {n} acceptor(s): it should return a whole number, got {result!r}"
            if result == expected:
                return None
            left = n - result
            if result > expected:
                still = f"only {left} is" if left == 1 else f"only {left} are"
                return (f"with {n} acceptors and {result} crashed {still} left, fewer "
                        f"than a majority of {n // 2 + 1}: no quorum, no progress")
            return (f"with {n} acceptors, {expected} may crash and a majority of {n // 2 + 1} "
                    f"is still up; you said only {result}")

        return (n,), judge

    return run_scenarios("tolerated_crashes", (case(n) for n in range(1, 10)), fn)
