"""The feedback machinery every exercise check shares.

Theory of operation
-------------------
Each ``check_*`` function takes the learner's function, runs it against a table of scenarios
(and, where it helps, the real engine or explorer), and returns a ``Feedback``: passed or
"not yet", with one plain sentence per scenario that went wrong, such as "your acceptor
accepted ballot 1.p2 after promising 2.p1".  A check never raises because of the learner's
code: an exception in it, or an answer of the wrong type, becomes a line of feedback.  Bad
arguments to the check itself (passing something that is not a function) are still a
``ConfigError``, like everywhere else in the library.

A ``Feedback`` shows as text in a terminal and as a small coloured box in a notebook; its
text is deterministic, so stored notebook outputs can be compared.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from paxos_lib.errors import ConfigError
from paxos_lib.messages import Ballot

__all__ = ["Feedback", "bool_answer", "need_function", "run_scenarios", "show"]


@dataclass(frozen=True)
class Feedback:
    """The verdict on one exercise: passed, or not yet with reasons."""

    exercise: str
    passed: bool
    total: int
    problems: tuple[str, ...] = field(default_factory=tuple)
    notes: tuple[str, ...] = field(default_factory=tuple)  # said even when it passed

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        notes = [f"  · {n}" for n in self.notes]
        if self.passed and self.total == 1:
            return "\n".join([f"✓ Well done: {self.exercise} is right.", *notes])
        if self.passed:
            return "\n".join([f"✓ Well done: {self.exercise} is right in all {self.total} "
                              "scenarios.", *notes])
        right = self.total - len(self.problems)
        if self.total == 1:
            lines = [f"✗ Not yet: {self.exercise} is not right yet."]
        else:
            lines = [f"✗ Not yet: {self.exercise} is right in {max(right, 0)} of {self.total} "
                     "scenarios."]
        lines.extend(f"  - {p}" for p in self.problems[:5])
        if len(self.problems) > 5:
            lines.append(f"  - … and {len(self.problems) - 5} more")
        return "\n".join([*lines, *notes])

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        colour = "#1b7837" if self.passed else "#b35806"
        head, *rest = str(self).split("\n")
        items = "".join(f"<li>{html.escape(line.strip()[2:])}</li>" for line in rest
                        if line.startswith("  - "))
        items += "".join(f"<li style='list-style:none'><i>{html.escape(line.strip()[2:])}</i>"
                         "</li>" for line in rest if line.startswith("  · "))
        body = f"<ul style='margin:4px 0 0 0'>{items}</ul>" if items else ""
        return (
            f"<div style='border-left:4px solid {colour};padding:4px 10px;'>"
            f"<b style='color:{colour}'>{html.escape(head)}</b>{body}</div>"
        )


def need_function(fn: object, name: str) -> Callable[..., Any]:
    if not callable(fn):
        raise ConfigError(f"{name} needs your function (for example {name}(my_rule)), got {fn!r}")
    return fn  # type: ignore[return-value]


def _call(fn: Callable[..., Any], *args: Any) -> tuple[Any, str | None]:
    """Run the learner's function; turn any exception into a sentence."""
    try:
        return fn(*args), None
    except Exception as exc:  # the learner's code may raise anything: report it, never crash
        return None, f"your function raised {type(exc).__name__}: {exc}"


def run_scenarios(
    exercise: str,
    scenarios: Iterable[tuple[tuple[Any, ...], Callable[[Any], str | None]]],
    fn: Callable[..., Any],
) -> Feedback:
    problems: list[str] = []
    total = 0
    for args, judge in scenarios:
        total += 1
        result, error = _call(fn, *args)
        if error is not None:
            problems.append(f"with {', '.join(map(show, args))}: {error}")
            continue
        verdict = judge(result)
        if verdict is not None:
            problems.append(verdict)
    return Feedback(exercise, not problems, total, tuple(problems))


def show(value: Any) -> str:
    if value is None:
        return "nothing promised"
    if isinstance(value, Ballot):
        return f"ballot {value}"
    return repr(value)


def bool_answer(result: Any) -> str | None:
    if not isinstance(result, bool):
        return f"it should answer True or False, but returned {result!r}"
    return None
