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
5. ``"memory limit"`` -- the process grew past the memory ceiling first.

Bounded by default: every search has a time limit (``DEFAULT_TIME_LIMIT`` seconds) and a
memory ceiling (``DEFAULT_MEMORY_LIMIT`` MB of resident memory, below a 2 GB Binder pod), so
a search ends with a verdict instead of running for ever or being killed by the operating
system.  ``MemoryGauge`` reads the resident set size from ``/proc/self/statm`` (a few
microseconds; the searches read it every few hundred states), or the peak from ``resource``
where there is no ``/proc``.

Depth follows TLC: the initial state is level 1, so a trace of ``n`` steps reaches depth
``n + 1``, and ``max_depth`` bounds the same number.  ``transitions`` counts every successor
computed, duplicates and stuttering steps included (TLC's "states generated" is that number
plus the initial states, available as ``generated``).

The progress bar is tqdm's: a widget in a notebook, one self-updating text line on a
terminal, showing distinct states, depth and states per second.  This module imports
nothing from the protocol, so both explorers can use it.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, Self

from paxos_lib.errors import ConfigError

__all__ = [
    "DEFAULT_MEMORY_LIMIT",
    "DEFAULT_TIME_LIMIT",
    "END_BOUND",
    "END_EXHAUSTED",
    "END_MEMORY_LIMIT",
    "END_NAMES",
    "END_TIME_LIMIT",
    "END_VIOLATION",
    "ExploreResult",
    "MemoryGauge",
    "Progress",
    "check_count",
    "check_memory_limit",
    "check_time_limit",
    "trace_steps",
]

END_EXHAUSTED = "exhausted"
END_VIOLATION = "violation"
END_BOUND = "bound"
END_TIME_LIMIT = "time limit"
END_MEMORY_LIMIT = "memory limit"
END_NAMES = (END_EXHAUSTED, END_VIOLATION, END_BOUND, END_TIME_LIMIT, END_MEMORY_LIMIT)

#: Seconds a search may run unless told otherwise, and the most it may be told (a day).
DEFAULT_TIME_LIMIT = 600.0
MAX_TIME_LIMIT = 86_400.0
#: Megabytes of resident memory a search may grow to unless told otherwise, and the range.
DEFAULT_MEMORY_LIMIT = 1_500
MIN_MEMORY_LIMIT = 50
MAX_MEMORY_LIMIT = 1_000_000


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
    """Raise ConfigError unless ``value`` is None or a number of seconds in 0 < s <= a day."""
    if value is None:
        return
    ok = not isinstance(value, bool) and isinstance(value, int | float)
    if ok:
        try:
            ok = 0 < float(value) <= MAX_TIME_LIMIT  # type: ignore[arg-type]
        except OverflowError:  # an int too large for a float
            ok = False
    if not ok:
        raise ConfigError(
            f"time_limit must be a positive number of seconds, at most {MAX_TIME_LIMIT:,.0f} "
            f"(a day), or None for the default {DEFAULT_TIME_LIMIT:.0f}, not {_short(value)}"
        )


def check_memory_limit(value: object) -> None:
    """Raise ConfigError unless ``value`` is None or megabytes in the allowed range."""
    if value is None:
        return
    ok = not isinstance(value, bool) and isinstance(value, int | float)
    if ok:
        try:
            ok = MIN_MEMORY_LIMIT <= float(value) <= MAX_MEMORY_LIMIT  # type: ignore[arg-type]
        except OverflowError:
            ok = False
    if not ok:
        raise ConfigError(
            f"memory_limit must be a number of megabytes from {MIN_MEMORY_LIMIT} to "
            f"{MAX_MEMORY_LIMIT:,}, or None for the default {DEFAULT_MEMORY_LIMIT}, "
            f"not {_short(value)}"
        )


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:20] + "..." + text[-8:] + f" ({len(text)} chars)"


class MemoryGauge:
    """The process's resident memory in megabytes, read cheaply (see the module docstring)."""

    def __init__(self) -> None:
        self._page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
        self._statm = os.path.exists("/proc/self/statm")

    def megabytes(self) -> float:
        if self._statm:
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * self._page / 1e6
        try:
            import resource  # the peak, where /proc is missing (macOS)
        except ImportError:
            # Windows and WebAssembly (Pyodide) have neither /proc nor resource: the memory
            # is unknown there, so the memory ceiling never ends a search (the time limit does).
            return 0.0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 1e6 if sys.platform == "darwin" else peak / 1e3


def budget(time_limit: float | None, memory_limit: float | None) -> tuple[float, float]:
    """The limits in force: the defaults where None was given."""
    seconds = DEFAULT_TIME_LIMIT if time_limit is None else float(time_limit)
    megabytes = DEFAULT_MEMORY_LIMIT if memory_limit is None else float(memory_limit)
    return seconds, megabytes


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
    #: the most resident memory (MB) the process held while searching, 0 when not measured
    peak_memory_mb: float = 0.0

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
            "peak_memory_mb": self.peak_memory_mb,
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
    """Progress of a search on stderr: a tqdm bar, plain lines, or nothing.

    ``enabled`` is False (nothing), True (tqdm's bar: a widget in a notebook, one
    self-updating line on a terminal) or ``"lines"``: one plain line on stderr every
    ``LINE_EVERY`` seconds and, if any was printed, one at the end (for logs and ``--json``
    runs, where a bar's carriage returns would garble the output; a search shorter than
    ``LINE_EVERY`` prints nothing).  Call ``update(states, depth)`` now and then
    with running totals.  Use as a context manager so it closes.
    """

    LINE_EVERY = 5.0

    def __init__(self, enabled: bool | str, description: str = "explore") -> None:
        self._bar: Any = None
        self._lines = enabled == "lines"
        self._description = description
        self._shown = 0
        self._start = self._last = time.perf_counter()
        self._state: tuple[int, int] | None = None
        self._printed = False
        if enabled is True:
            from tqdm.auto import tqdm

            self._bar = tqdm(desc=description, unit=" states", unit_scale=True, leave=True)

    def update(self, states: int, depth: int, *, force: bool = False) -> None:
        """Advance to ``states`` distinct states at ``depth`` (a bar at most 10 times/s)."""
        if self._lines:
            self._state = (states, depth)
            now = time.perf_counter()
            if now - self._last >= self.LINE_EVERY:
                self._last = now
                self._printed = True
                self._line(states, depth, now)
            return
        if self._bar is None:
            return
        now = time.perf_counter()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        self._bar.set_postfix(depth=depth, refresh=False)
        self._bar.update(states - self._shown)
        self._shown = states

    def _line(self, states: int, depth: int, now: float) -> None:
        seconds = now - self._start
        print(
            f"{self._description}: {states:,} states, depth {depth}, {seconds:.0f} s, "
            f"{states / max(seconds, 1e-9):,.0f} states/s, "
            f"{MemoryGauge().megabytes():,.0f} MB",
            file=sys.stderr,
            flush=True,
        )

    def close(self) -> None:
        if self._lines and self._printed and self._state is not None:
            self._line(*self._state, time.perf_counter())  # the last word of a long search
            self._state = None
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
