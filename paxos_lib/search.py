"""What every exhaustive search in paxos_lib shares: how it ended, its result, its progress bar.

Theory of operation
-------------------
Two explorers walk a state graph breadth-first: ``paxos_lib.explore`` over the message-level
engine, and ``paxos_lib.tla`` over the model of Lamport's ``Paxos.tla``.  Both report the
same ``ExploreResult`` so the command line, the notebooks and the tests read them alike.

A search ends in exactly one of four ways (``END_NAMES``):

1. ``"exhausted"`` -- every reachable state within the model was visited and no ``always``
   property failed.  Only this end is ``ok``: a search that stopped early proves nothing.
2. ``"violation"`` -- an ``always`` property failed.  Breadth-first order makes the
   counterexample a shortest one.
3. ``"bound"`` -- the depth bound cut off states that were still unexplored.
4. ``"time limit"`` -- the clock ran out first.

Depth follows TLC: the initial state is level 1, so a trace of ``n`` steps reaches depth
``n + 1``, and ``max_depth`` bounds the same number.  ``transitions`` counts every successor
computed, duplicates and stuttering steps included (TLC's "states generated" is that number
plus the initial states, available as ``generated``).

The progress bar is tqdm's: a widget in a notebook, one self-updating text line on a
terminal, showing distinct states, depth and states per second.  This module imports
nothing from the protocol, so both explorers can use it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, Self

from paxos_lib.errors import ConfigError

__all__ = [
    "END_BOUND",
    "END_EXHAUSTED",
    "END_NAMES",
    "END_TIME_LIMIT",
    "END_VIOLATION",
    "ExploreResult",
    "Progress",
    "check_count",
    "check_time_limit",
    "trace_steps",
]

END_EXHAUSTED = "exhausted"
END_VIOLATION = "violation"
END_BOUND = "bound"
END_TIME_LIMIT = "time limit"
END_NAMES = (END_EXHAUSTED, END_VIOLATION, END_BOUND, END_TIME_LIMIT)


class TraceLike(Protocol):
    """What a result needs from a trace: numbered text, a length, and ``steps``."""

    def __str__(self) -> str: ...

    def __len__(self) -> int: ...


def trace_steps(trace: Any) -> list[dict[str, Any]]:
    """A trace as a JSON-ready list of numbered steps.

    A trace with ``json_steps()`` (the TLA+ model's) says how; an engine ``Trace`` gives
    one dict per action: its number, its text, and the fields ``Action.to_dict()`` has.
    """
    steps = getattr(trace, "json_steps", None)
    if steps is not None:
        return list(steps())
    return [
        {"step": n, "text": str(action), **action.to_dict()}
        for n, action in enumerate(trace.steps, 1)
    ]


def check_count(name: str, value: object, *, low: int, high: int, allow_none: bool = False) -> None:
    """Raise ConfigError unless ``value`` is an int in ``low..high`` (or None when allowed)."""
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        none = " or None" if allow_none else ""
        raise ConfigError(f"{name} must be an integer from {low} to {high}{none}, not {value!r}")


def check_time_limit(value: object) -> None:
    """Raise ConfigError unless ``value`` is None or a positive number of seconds."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ConfigError(f"time_limit must be a positive number of seconds or None, not {value!r}")


@dataclass(frozen=True)
class ExploreResult:
    """How an exhaustive search ended and what it found.

    ``states`` counts distinct states (symmetry classes when ``symmetry`` is on);
    ``counterexample`` is a shortest trace to the first violated ``always`` property;
    ``examples`` maps each ``sometimes`` property to a shortest trace reaching it, or None
    when none was found.
    """

    end: str
    states: int
    transitions: int
    depth: int
    seconds: float
    detail: str
    violation: str | None = None
    counterexample: TraceLike | None = None
    examples: Mapping[str, TraceLike | None] = field(default_factory=dict)
    symmetry: bool = False
    initial_states: int = 1
    model: str = ""

    def __post_init__(self) -> None:
        if self.end not in END_NAMES:
            raise ConfigError(f"unknown end {self.end!r}; expected one of {END_NAMES}")

    @property
    def ok(self) -> bool:
        """True only when the whole space was searched and no ``always`` property failed."""
        return self.end == END_EXHAUSTED

    @property
    def generated(self) -> int:
        """TLC's "states generated": the initial states plus every successor computed."""
        return self.initial_states + self.transitions

    def summary(self) -> str:
        """A few plain lines: verdict, counts, and the sometimes-properties found."""
        verdict = "OK" if self.ok else ("VIOLATION" if self.end == END_VIOLATION else "INCOMPLETE")
        kind = "symmetry classes" if self.symmetry else "distinct states"
        lines = [
            f"{verdict}: {self.detail}",
            (
                f"{self.states:,} {kind}, {self.generated:,} states generated "
                f"({self.transitions:,} transitions), depth {self.depth}, {self.seconds:.2f} s"
            ),
        ]
        for name, trace in self.examples.items():
            if trace is None:
                lines.append(f"sometimes {name!r}: no example found")
            else:
                lines.append(f"sometimes {name!r}: shortest example has {len(trace)} steps")
        return "\n".join(lines)

    def __str__(self) -> str:
        text = self.summary()
        if self.counterexample is not None:
            text += f"\ncounterexample to {self.violation!r}:\n{self.counterexample}"
        return text

    def assert_ok(self) -> None:
        """Raise AssertionError (with the numbered counterexample) unless the search is ok."""
        if not self.ok:
            raise AssertionError(str(self))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: verdict, counts, and traces as lists of steps."""
        return {
            "model": self.model,
            "ok": self.ok,
            "end": self.end,
            "detail": self.detail,
            "states": self.states,
            "transitions": self.transitions,
            "generated": self.generated,
            "depth": self.depth,
            "seconds": round(self.seconds, 4),
            "symmetry": self.symmetry,
            "violation": self.violation,
            "counterexample": (
                None if self.counterexample is None else trace_steps(self.counterexample)
            ),
            "examples": {
                name: None if trace is None else trace_steps(trace)
                for name, trace in self.examples.items()
            },
            "counterexample_trace": (
                self.counterexample.to_dict()
                if hasattr(self.counterexample, "to_dict")
                else None
            ),
        }


class Progress:
    """A tqdm progress bar for a search, or nothing at all when ``enabled`` is False.

    Call ``update(states, depth)`` now and then with running totals; the bar shows the
    distinct states, the depth and the rate.  Use as a context manager so it closes.
    """

    def __init__(self, enabled: bool, description: str = "explore") -> None:
        self._bar: Any = None
        self._shown = 0
        self._last = 0.0
        if enabled:
            from tqdm.auto import tqdm

            self._bar = tqdm(desc=description, unit=" states", unit_scale=True, leave=True)

    def update(self, states: int, depth: int, *, force: bool = False) -> None:
        """Advance the bar to ``states`` distinct states at ``depth`` (at most 10 times/s)."""
        if self._bar is None:
            return
        now = time.perf_counter()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        self._bar.set_postfix(depth=depth, refresh=False)
        self._bar.update(states - self._shown)
        self._shown = states

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
