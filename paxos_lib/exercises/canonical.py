"""Lesson 06: a canonical form for symmetry reduction.

The learner writes ``canonical(acceptors)``: given the acceptors' part of a state of
Lamport's ``Paxos.tla`` as a dict from acceptor id to ``(maxBal, maxVBal, maxVal)``, return a
value that is the same for two states exactly when renaming the acceptors turns one into the
other.  That is what a model checker with symmetry reduction stores instead of the state.

``check_canonical`` judges it on the acceptor parts of every reachable state of the Tiny
model (3 acceptors, 2 values, ballots 0..1), found by the real model in ``paxos_lib.tla``:

1. The answer must be hashable (the explorer keeps canonical forms in a set).
2. Renaming must not change it: for each state and each of the 6 renamings of ``a1``,
   ``a2``, ``a3``, the renamed state gets the same answer.
3. It must not merge states that are *not* renamings of each other (a constant, or a set that
   forgets how many acceptors share a value, would): as many different answers as there are
   symmetry classes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from itertools import permutations
from typing import Any

from paxos_lib.exercises.feedback import Feedback, need_function
from paxos_lib.exercises.hidden import no_hidden_cases
from paxos_lib.tla import TINY, initial_state, successors

__all__ = ["canonical_scenarios", "check_canonical"]

Part = tuple[tuple[str, tuple[int, int, str | None]], ...]


@functools.cache
def _parts() -> tuple[Part, ...]:
    """The distinct acceptor parts of the Tiny model's reachable states, in BFS order."""
    first = initial_state(TINY)
    seen = {first}
    frontier = [first]
    parts: dict[Part, None] = {}
    while frontier:
        nxt = []
        for state in frontier:
            parts[_part(state)] = None
            for _, after in successors(TINY, state):
                if after not in seen:
                    seen.add(after)
                    nxt.append(after)
        frontier = nxt
    return tuple(parts)


def _part(state: Any) -> Part:
    return tuple(
        (a, (state.max_bal[i], state.max_vbal[i], state.max_val[i]))
        for i, a in enumerate(TINY.acceptors)
    )


def canonical_scenarios() -> list[dict[str, tuple[int, int, str | None]]]:
    """The acceptor parts the check uses, as the dicts ``canonical`` receives."""
    return [dict(p) for p in _parts()]


def _renamed(part: Part, perm: tuple[str, ...]) -> Part:
    """``part`` with acceptor ``TINY.acceptors[i]`` renamed ``perm[i]``, listed in id order."""
    names = dict(zip(TINY.acceptors, perm, strict=True))
    return tuple(sorted((names[a], fields) for a, fields in part))


def _orbit(part: Part) -> frozenset[Part]:
    return frozenset(_renamed(part, perm) for perm in permutations(TINY.acceptors))


def _show(part: Part) -> str:
    return "{" + ", ".join(f"{a}: {f}" for a, f in part) + "}"


def check_canonical(fn: Callable[[dict[str, tuple[int, int, str | None]]], Hashable]) -> Feedback:
    """Check ``fn(acceptors) -> hashable``: equal answers exactly for acceptor parts that are
    renamings of each other (see the module docstring)."""
    fn = need_function(fn, "check_canonical")
    parts = _parts()
    problems: list[str] = []
    answers: dict[Part, Any] = {}
    for part in parts:
        try:
            answer = fn(dict(part))
            hash(answer)
        except TypeError as exc:
            if "unhashable" in str(exc):
                problems.append(
                    f"for {_show(part)} it returned a {type(answer).__name__}, which cannot be "
                    "kept in a set of seen states; return something hashable, such as a tuple"
                )
                break
            problems.append(f"with {_show(part)} your function raised TypeError: {exc}")
            break
        except Exception as exc:  # the learner's code may raise anything: report it
            problems.append(f"with {_show(part)} your function raised {type(exc).__name__}: {exc}")
            break
        answers[part] = answer
    if not problems:
        problems.extend(_renaming_problems(fn, answers))
    if not problems:
        problems.extend(_merging_problems(answers))
    return Feedback("canonical", not problems, len(parts), tuple(problems))


def _renaming_problems(fn: Callable[..., Any], answers: dict[Part, Any]) -> list[str]:
    problems: list[str] = []
    for part, answer in answers.items():
        for perm in permutations(TINY.acceptors):
            other = _renamed(part, perm)
            if other == part:
                continue
            try:
                theirs = fn(dict(other))
            except Exception as exc:  # the learner's code may raise anything: report it
                return [f"with {_show(other)} your function raised {type(exc).__name__}: {exc}"]
            if theirs != answer:
                moves = ", ".join(
                    f"{a}→{b}" for a, b in zip(TINY.acceptors, perm, strict=True) if a != b
                )
                problems.append(
                    f"renaming {moves} turns {_show(part)} into {_show(other)}, the same "
                    f"situation, but your answer changed from {answer!r} to {theirs!r}"
                )
                break
    return problems


def _merging_problems(answers: dict[Part, Any]) -> list[str]:
    problems: list[str] = []
    first: dict[Any, Part] = {}
    for part, answer in answers.items():
        if answer not in first:
            first[answer] = part
            continue
        other = first[answer]
        if part not in _orbit(other):
            problems.append(
                f"{_show(other)} and {_show(part)} both get {answer!r}, but no renaming of "
                "the acceptors turns one into the other: the explorer would skip a state it "
                "never saw"
            )
    return problems


no_hidden_cases(
    check_canonical,
    "the check already judges the acceptor part of every reachable state of "
    "the model, each under every renaming; no input of that model is left "
    "to keep back",
)
