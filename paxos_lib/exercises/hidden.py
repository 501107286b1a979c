"""Hidden cases: scenarios each exercise check keeps for grading, never shown by the check.

Theory of operation
-------------------
A ``check_*`` function runs its visible table of scenarios and says, for each wrong answer,
which input it got wrong; so a student could write a function that only knows those inputs.
Grading therefore also runs *hidden cases*: more inputs of the same kind, kept in the check's
own module next to its visible table, and registered there with ``@hidden_cases(check)``::

    @hidden_cases(check_pick_value)
    def _hidden_pick_value(fn):
        return _run_pick(fn, _HIDDEN_PICK_CASES)     # the same judge, other inputs

A check whose exercise is one fixed scene (build *this* schedule, play *this* scene) has no
other inputs to hide; its module says so with ``no_hidden_cases(check, why)``.  Every check
a lesson calls must do one or the other (``tests/test_exercises_hidden.py``), so a new
lesson's check gets hidden cases by adding them in its own module, and nothing else changes:
nbgrader's hidden test cell (``tools/build_nbgrader.py``) calls ``score`` with the check's
name.

``hidden_check(name, fn)`` runs the hidden cases of one check (None when it has none);
``score(name, fn, starter, points)`` is what an autograded cell outputs: the share of all
cases, visible and hidden, that ``fn`` gets right beyond what the lesson's ``starter``
already gets right, times ``points`` (full marks only when every case passes).  It prints one
line saying how many hidden cases passed, never which inputs they were.

This module imports only the feedback machinery; never networkx, matplotlib or ipywidgets.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, TypeVar

from paxos_lib.errors import ConfigError, one_of
from paxos_lib.exercises.feedback import Feedback, need_function

__all__ = ["hidden_cases", "hidden_check", "no_hidden_cases", "registered", "score"]

HiddenRun = Callable[[Callable[..., Any]], Feedback]
_R = TypeVar("_R", bound=HiddenRun)

_HIDDEN: dict[str, HiddenRun] = {}
_NONE: dict[str, str] = {}


def hidden_cases(check: Callable[..., Any]) -> Callable[[_R], _R]:
    """Register the decorated ``run(fn) -> Feedback`` as ``check``'s hidden cases."""
    name = getattr(check, "__name__", None)
    if not callable(check) or not isinstance(name, str) or not name.startswith("check_"):
        raise ConfigError(f"hidden_cases needs a check_... function, got {check!r}")

    def register(run: _R) -> _R:
        _HIDDEN[name] = run
        return run

    return register


def no_hidden_cases(check: Callable[..., Any], why: str) -> None:
    """Say that ``check`` has no hidden cases, and why (its exercise is one fixed scene)."""
    name = getattr(check, "__name__", "")
    if not name.startswith("check_") or not isinstance(why, str) or not why.strip():
        raise ConfigError(f"no_hidden_cases needs a check_... function and a reason, got "
                          f"{check!r}, {why!r}")
    _NONE[name] = why


def registered() -> dict[str, str | None]:
    """``{check name: None if it has hidden cases, else why it has none}``."""
    importlib.import_module("paxos_lib.exercises")  # every check module registers on import
    return {**{n: None for n in _HIDDEN}, **_NONE}


def _find(name: object) -> str:
    known = registered()
    if not isinstance(name, str) or name not in known:
        raise ConfigError(f"no hidden cases are registered for {name!r}; checks: "
                          f"{one_of(sorted(known))}")
    return name


def hidden_check(name: str, fn: Callable[..., Any]) -> Feedback | None:
    """Run check ``name``'s hidden cases on ``fn``; None when the check has none."""
    run = _HIDDEN.get(_find(name))
    return None if run is None else run(need_function(fn, name))


def _right(feedback: Feedback) -> int:
    return max(0, feedback.total - len(feedback.problems))


def score(name: str, fn: Callable[..., Any], starter: Callable[..., Any],
          points: float) -> float:
    """Points for ``fn`` on check ``name``'s visible and hidden cases (module docstring)."""
    _find(name)
    if isinstance(points, bool) or not isinstance(points, int | float) or points <= 0:
        raise ConfigError(f"points must be a positive number, got {points!r}")
    check = getattr(importlib.import_module("paxos_lib.exercises"), name)
    mine = [check(fn)]
    base = [check(starter)]
    hidden_mine = hidden_check(name, fn)
    if hidden_mine is not None:
        hidden_base = hidden_check(name, starter)
        assert hidden_base is not None
        mine.append(hidden_mine)
        base.append(hidden_base)
        right = _right(hidden_mine)
        print(f"Hidden cases: {right} of {hidden_mine.total} right.")
    else:
        print(f"Hidden cases: none ({_NONE[name]}).")
    total = sum(f.total for f in mine)
    right = sum(_right(f) for f in mine)
    starter_right = sum(_right(f) for f in base)
    if all(f.passed for f in mine):
        return round(float(points), 3)
    room = max(1, total - starter_right)
    share = min(max(0, right - starter_right), room - 1) / room  # below full: not all pass
    return round(points * share, 3)
