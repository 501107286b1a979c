"""Grading scenarios: what one hidden test runs, as plain data an instructor can write.

Theory of operation
-------------------
A ``Scenario`` is one graded test.  ``kind`` says how it runs:

``explore``
    An exhaustive breadth-first search (``paxos_lib.explore``) over every interleaving of a
    small cluster, within ``max_ballot`` rounds and ``max_crashes`` crashes, on Lamport's
    sent-set network.  With ``first`` (a dict of client values) the search *chains*, as
    DSLabs' search tests do: a first search finds the shortest run in which a value is
    chosen with only those clients, and the graded search starts there with ``values``.
    Deterministic: it needs no seed.  A violation comes with a shortest counterexample.
``simulate``
    ``runs`` seeded simulations on the lossy network: up to ``max_steps`` steps with the
    ``faults`` (probabilities, as ``paxos_lib.Faults``), then up to ``quiet_steps`` steps
    with no new faults (crashed nodes recover, partitions heal).  Safety is checked in every
    run, and ``expect`` says what must have happened by the end: ``"chosen"`` (some value)
    or ``"learned"`` (every learner learned).  The seeds are drawn from the grading seed.

``student`` names the roles played by the student's classes; the others run the library's
reference roles, so a failure points at one role.  ``about`` is the one line a student sees;
the parameters stay with the grader.

Where scenarios come from (``load``): an explicit path or list given to ``grade``; else the
file named by the environment variable ``PAXOS_GRADING_SCENARIOS``; else the defaults that
ship with the library.  An instructor keeps a JSON file (a list of objects with the fields of
``Scenario``) outside the student's reach and sets the variable where grading runs.

This module imports only the standard library and the errors.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from paxos_lib.errors import ConfigError, one_of

__all__ = ["ENV_VAR", "KINDS", "ROLES", "Scenario", "load"]

ENV_VAR = "PAXOS_GRADING_SCENARIOS"
KINDS = ("explore", "simulate")
ROLES = ("acceptor", "proposer", "learner")
EXPECT = ("chosen", "learned")
FAULTS = ("drop", "duplicate", "crash", "recover", "partition", "heal", "timeout")
PROPERTY_NAMES = ("agreement", "validity", "learners", "learned-stable", "chosen")


def _int(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"scenario {name} must be an int from {low} to {high}, got {value!r}")
    return value


def _values(name: str, value: object) -> dict[str, str]:
    if not isinstance(value, Mapping) or not value:
        raise ConfigError(f"scenario {name} must map proposer ids to values, such as "
                          f"{{'p1': 'v1'}}, got {value!r}")
    for k, v in value.items():
        if not isinstance(k, str) or not isinstance(v, str) or not v:
            raise ConfigError(f"scenario {name} must map proposer ids to non-empty values, "
                              f"got {k!r}: {v!r}")
    return dict(value)


@dataclass(frozen=True)
class Scenario:
    """One graded test (see the module docstring)."""

    name: str
    kind: str
    about: str
    points: int
    student: tuple[str, ...]
    values: dict[str, str]
    proposers: int = 2
    acceptors: int = 3
    learners: int = 1
    # explore
    first: dict[str, str] | None = None
    max_ballot: int = 1
    max_crashes: int = 0
    max_states: int = 200_000
    properties: tuple[str, ...] = ("agreement", "validity", "chosen")
    # simulate
    runs: int = 20
    max_steps: int = 300
    quiet_steps: int = 600
    faults: dict[str, float] = field(default_factory=dict)
    expect: str = "chosen"

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ConfigError(f"a scenario needs a name, got {self.name!r}")
        if self.kind not in KINDS:
            raise ConfigError(f"scenario {self.name}: unknown kind {self.kind!r}; "
                              f"choose {one_of(KINDS)}")
        if not isinstance(self.about, str) or not self.about:
            raise ConfigError(f"scenario {self.name}: 'about' is the line a student sees")
        _int("points", self.points, 0, 1000)
        student = (self.student,) if isinstance(self.student, str) else tuple(self.student)
        if not student or any(r not in ROLES for r in student):
            raise ConfigError(f"scenario {self.name}: student must name roles from "
                              f"{one_of(ROLES)}, got {self.student!r}")
        object.__setattr__(self, "student", student)
        object.__setattr__(self, "values", _values("values", self.values))
        if self.first is not None:
            object.__setattr__(self, "first", _values("first", self.first))
        for name in ("proposers", "acceptors", "learners"):
            _int(name, getattr(self, name), 1, 9)
        _int("max_ballot", self.max_ballot, 1, 9)
        _int("max_crashes", self.max_crashes, 0, 9)
        _int("max_states", self.max_states, 1, 10_000_000)
        props = tuple(self.properties)
        if not props or any(p not in PROPERTY_NAMES for p in props):
            raise ConfigError(f"scenario {self.name}: properties come from "
                              f"{one_of(PROPERTY_NAMES)}, got {self.properties!r}")
        object.__setattr__(self, "properties", props)
        _int("runs", self.runs, 1, 10_000)
        _int("max_steps", self.max_steps, 0, 1_000_000)
        _int("quiet_steps", self.quiet_steps, 0, 1_000_000)
        if not isinstance(self.faults, Mapping) or any(k not in FAULTS for k in self.faults):
            raise ConfigError(f"scenario {self.name}: faults name probabilities from "
                              f"{one_of(FAULTS)}, got {self.faults!r}")
        if self.expect not in EXPECT:
            raise ConfigError(f"scenario {self.name}: expect must be {one_of(EXPECT)}, "
                              f"got {self.expect!r}")

    @classmethod
    def from_dict(cls, data: object) -> Scenario:
        if not isinstance(data, Mapping):
            raise ConfigError(f"a scenario is a JSON object, got {data!r}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown scenario field(s) {unknown}; fields: "
                              f"{', '.join(sorted(known))}")
        return cls(**data)


def load(source: str | os.PathLike[str] | Iterable[Any] | None = None) -> tuple[Scenario, ...]:
    """The scenarios from ``source`` (a JSON file or a list of dicts/Scenarios), else from
    the file named by ``$PAXOS_GRADING_SCENARIOS``, else the defaults."""
    if source is None:
        env = os.environ.get(ENV_VAR)
        if env:
            source = env
        else:
            from paxos_lib.grading import _defaults

            source = json.loads(_defaults.TEXT)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            source = json.loads(path.read_text())
        except OSError as exc:
            raise ConfigError(f"cannot read the scenarios file {str(path)!r}: {exc}") from None
        except ValueError as exc:
            raise ConfigError(f"the scenarios file {str(path)!r} is not JSON: {exc}") from None
    if isinstance(source, Mapping) or not isinstance(source, Iterable):
        raise ConfigError(f"scenarios are a list (of Scenario or dicts), got {source!r}")
    out = tuple(s if isinstance(s, Scenario) else Scenario.from_dict(s) for s in source)
    if not out:
        raise ConfigError("there must be at least one scenario")
    names = [s.name for s in out]
    if len(set(names)) != len(names):
        raise ConfigError(f"scenario names must be distinct, got {names}")
    return out
