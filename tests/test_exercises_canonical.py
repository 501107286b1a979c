"""Lesson 06, exercise 3: a canonical form for symmetry reduction."""

from __future__ import annotations

import pytest

import paxos_lib as px
from paxos_lib.errors import ConfigError
from paxos_lib.exercises import canonical_scenarios, check_canonical


def test_a_sorted_tuple_of_the_acceptors_fields_passes() -> None:
    result = check_canonical(lambda acceptors: tuple(sorted(acceptors.values())))
    assert result.passed and result.total == 375
    assert "Well done" in str(result)


def test_the_starter_is_told_that_renaming_changed_its_answer() -> None:
    result = check_canonical(lambda acceptors: tuple(acceptors.values()))
    assert not result.passed
    assert "renaming a1→a2, a2→a1 turns {a1: (0, -1, None)" in result.problems[0]
    assert "the same situation, but your answer changed" in result.problems[0]


@pytest.mark.parametrize(
    ("answer", "merged"),
    [
        (lambda acceptors: frozenset(acceptors.values()), 51),  # forgets how many share one
        (lambda acceptors: 0, 374),  # every part but the first
        (lambda acceptors: tuple(sorted(f[0] for f in acceptors.values())), None),
    ],
)
def test_answers_that_merge_different_situations_are_caught(answer, merged) -> None:
    result = check_canonical(answer)
    assert not result.passed
    assert "no renaming of the acceptors turns one into the other" in result.problems[0]
    if merged is not None:
        assert len(result.problems) == merged


def test_unhashable_answers_and_exceptions_become_feedback() -> None:
    listed = check_canonical(lambda acceptors: sorted(acceptors.values()))
    assert "returned a list, which cannot be kept in a set" in listed.problems[0]
    raising = check_canonical(lambda acceptors: acceptors["a4"])
    assert "your function raised KeyError" in raising.problems[0]
    with pytest.raises(ConfigError, match="check_canonical needs your function"):
        check_canonical("sorted")  # type: ignore[arg-type]


def test_the_scenarios_are_the_real_models_acceptor_parts() -> None:
    parts = canonical_scenarios()
    assert len(parts) == 375 and parts[0] == {a: (-1, -1, None) for a in ("a1", "a2", "a3")}
    classes = {tuple(sorted(p.values())) for p in parts}
    assert len(classes) == 94  # 375 acceptor parts fall into 94 symmetry classes
    assert px.exercises.check_canonical is check_canonical
