"""Lesson 08: when may a leader answer a read from its own copy, under a lease?

``check_lease_read`` asks of ``lease_read_safe(now, start, duration, drift) -> bool``: the
leader asked for a lease when its own clock read ``start``; each follower that granted it
accepts no other leader until its own clock has run ``duration`` units; every clock runs at a
rate within ``1 ± drift`` of real time.  Its clock now reads ``now``.  May it answer a read
from its own copy?  Only while, whatever the drift, no follower can yet be free: the answer
must be True exactly in the safe window (continuous time, no rounding; the engine's
``paxos_lib.multipaxos.clients.safe_margin`` adds one unit for its whole-number clocks).

Each wrong answer students write gets its own diagnosis, in numbers from the scenario:
ignoring drift altogether, allowing for only one of the two clocks, answering at the very
instant the window closes, or giving the lease up sooner than needed.  The check never
raises because of the learner's code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from paxos_lib.exercises.feedback import Feedback, bool_answer, need_function, run_scenarios
from paxos_lib.exercises.hidden import hidden_cases

__all__ = ["HIDDEN_LEASE_SCENARIOS", "LEASE_SCENARIOS", "check_lease_read"]

#: (now, start, duration, drift): the leader's clock now, its clock when it asked, how long
#: the followers' clocks must run before they are free, the drift bound.
LEASE_SCENARIOS: tuple[tuple[float, float, float, float], ...] = (
    (100, 100, 30, 0.5),
    (105, 100, 30, 0.5),
    (109, 100, 30, 0.5),
    (110, 100, 30, 0.5),
    (112, 100, 30, 0.5),
    (117, 100, 30, 0.5),
    (125, 100, 30, 0.5),
    (131, 100, 30, 0.5),
    (50, 0, 100, 0.1),
    (81, 0, 100, 0.1),
    (85, 0, 100, 0.1),
    (90.5, 0, 100, 0.1),
    (95, 0, 100, 0.1),
    (9, 0, 10, 0.0),
    (10, 0, 10, 0.0),
)

#: Grading's hidden cases (``paxos_lib.exercises.hidden``): other leases, drifts and starts,
#: on both sides of each window's edge, never shown by the check.
HIDDEN_LEASE_SCENARIOS: tuple[tuple[float, float, float, float], ...] = (
    (1000, 1000, 60, 0.2),
    (1039, 1000, 60, 0.2),
    (1040, 1000, 60, 0.2),
    (1047, 1000, 60, 0.2),
    (1049, 1000, 60, 0.2),
    (20, 7, 40, 0.25),
    (30, 7, 40, 0.25),
    (31, 7, 40, 0.25),
    (4.5, 2, 5, 0.0),
    (7, 2, 5, 0.0),
)


def _window(duration: float, drift: float) -> float:
    """How long, on the leader's clock, no follower can be free."""
    return duration * (1 - drift) / (1 + drift)


def _judge(now: float, start: float, duration: float, drift: float) -> Callable[[Any], str | None]:
    elapsed = now - start
    safe = elapsed < _window(duration, drift)
    scene = (f"your clock reads {now:g}, {elapsed:g} unit(s) after you asked at {start:g}, "
             f"with a lease of {duration:g} and drift up to {drift:g}")

    def judge(result: Any) -> str | None:
        wrong = bool_answer(result)
        if wrong is not None:
            return f"when {scene}, {wrong}"
        if result == safe:
            return None
        if not result:
            return (f"when {scene}, you refused, but no follower can be free yet even with "
                    "the worst drift: you give up the lease sooner than needed, and every "
                    "read you refuse costs a slot in the log")
        if abs(elapsed - _window(duration, drift)) < 1e-9:
            return (f"when {scene}, you answered, but this is exactly the instant a follower "
                    "may become free (your clock slow, its clock fast): at that instant "
                    "another leader may already be chosen, so the lease must end before it")
        if elapsed >= duration / (1 + drift):
            return (f"when {scene}, you answered; but a follower's clock may run "
                    f"{1 + drift:g} times as fast as real time, so it can count out the whole "
                    f"lease of {duration:g} in only {duration / (1 + drift):g} unit(s) of "
                    "real time, and then promise another leader")
        if elapsed >= duration * (1 - drift):
            return (f"when {scene}, you answered; but your own clock may run slow: "
                    f"{elapsed:g} unit(s) on it can be {elapsed / (1 - drift):g} of real time, "
                    f"while a follower with a fast clock is free after "
                    f"{duration / (1 + drift):g}")
        return (f"when {scene}, you answered; allowing for one drift is not enough, take "
                f"both at once: your clock slow ({elapsed:g} unit(s) may be "
                f"{elapsed / (1 - drift):g} of real time) and a follower's fast (free after "
                f"{duration / (1 + drift):g} of real time)")

    return judge


def check_lease_read(fn: Callable[[float, float, float, float], bool]) -> Feedback:
    """Check ``fn(now, start, duration, drift) -> bool``: may the leader answer a read from
    its own copy now?"""
    return _check_lease_read(fn, LEASE_SCENARIOS)


def _check_lease_read(fn: Callable[[float, float, float, float], bool],
                      scenarios: tuple[tuple[float, float, float, float], ...]) -> Feedback:
    fn = need_function(fn, "check_lease_read")
    return run_scenarios("lease_read_safe", [(s, _judge(*s)) for s in scenarios], fn)


@hidden_cases(check_lease_read)
def _hidden_lease_read(fn: Callable[..., Any]) -> Feedback:
    return _check_lease_read(fn, HIDDEN_LEASE_SCENARIOS)
