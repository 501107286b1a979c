"""Lesson 03's check_chosen: the definition passes; counting votes per value, counting one
acceptor twice, keeping only current votes, or reporting one value of two each get the plain
sentence that names the mistake; the learner's errors never raise."""

from __future__ import annotations

import pytest

import paxos_lib as px
from paxos_lib.errors import ConfigError


def right(votes, quorum):  # type: ignore[no-untyped-def]
    voters: dict = {}
    for acceptor, ballot, value in votes:
        voters.setdefault((ballot, value), set()).add(acceptor)
    return {value for (_, value), who in voters.items() if len(who) >= quorum}


def per_value(votes, quorum):  # type: ignore[no-untyped-def]
    counts: dict = {}
    for _, _, value in votes:
        counts[value] = counts.get(value, 0) + 1
    return {value for value, n in counts.items() if n >= quorum}


def test_the_definition_passes() -> None:
    feedback = px.exercises.check_chosen(right)
    assert feedback.passed and feedback.total == 9
    assert str(feedback) == "✓ Well done: chosen_values is right in all 9 scenarios."
    assert px.exercises.check_chosen(lambda v, q: frozenset(right(v, q))).passed


def test_counting_votes_per_value_is_caught_twice() -> None:
    feedback = px.exercises.check_chosen(per_value)
    assert feedback.problems == (
        "with the votes [a1 'confirmed' at 1.p1, a1 'confirmed' at 2.p1] and a quorum of 2: "
        "you returned {'confirmed'}, but 'confirmed' got votes from a1 at 1.p1 and from a1 at "
        "2.p1: that is one acceptor counted twice, and a quorum is 2 different acceptors",
        "with the votes [a1 'confirmed' at 1.p1, a2 'cancelled' at 1.p2, a3 'confirmed' at "
        "2.p1] and a quorum of 2: you returned {'confirmed'}, but 'confirmed' got votes from a1 "
        "at 1.p1 and from a3 at 2.p1, at different ballots: no quorum of 2 accepted it at one "
        "ballot, so it is not chosen; a later proposer that hears from a1 and a2 finds a2's "
        "'cancelled' at 1.p2 above a1's 'confirmed' at 1.p1, proposes 'cancelled', and may get "
        "it chosen",
    )


def test_distinct_acceptors_across_ballots_is_caught() -> None:
    def any_ballot(votes, quorum):  # type: ignore[no-untyped-def]
        voters: dict = {}
        for acceptor, _, value in votes:
            voters.setdefault(value, set()).add(acceptor)
        return {value for value, who in voters.items() if len(who) >= quorum}

    feedback = px.exercises.check_chosen(any_ballot)
    assert len(feedback.problems) == 1
    assert "at different ballots: no quorum of 2 accepted it at one ballot" in feedback.problems[0]


def test_current_votes_only_forget_the_history() -> None:
    def last_votes(votes, quorum):  # type: ignore[no-untyped-def]
        current = {acceptor: (ballot, value) for acceptor, ballot, value in votes}
        return right([(a, b, v) for a, (b, v) in current.items()], quorum)

    feedback = px.exercises.check_chosen(last_votes)
    assert feedback.problems[0] == (
        "with the votes [a1 'confirmed' at 1.p1, a2 'confirmed' at 1.p1, a2 'confirmed' at "
        "2.p2] and a quorum of 2: you returned set(), but a1 and a2 accepted 'confirmed' at "
        "1.p1, a quorum of 2, so 'confirmed' is chosen (even though a2 voted again later: a "
        "vote, once cast, stays in the history, and so does the fact that a quorum cast it)"
    )


def test_reporting_one_of_two_chosen_values_is_caught() -> None:
    feedback = px.exercises.check_chosen(lambda v, q: set(sorted(right(v, q))[:1]))
    assert len(feedback.problems) == 1
    assert feedback.problems[0].endswith(
        "so 'confirmed' is chosen; two values chosen breaks agreement (this history comes from "
        "a broken variant), and chosen must report both so a checker sees it"
    )


@pytest.mark.parametrize(
    ("fn", "says"),
    [
        (lambda v, q: 1 / 0, "your function raised ZeroDivisionError: division by zero"),
        (lambda v, q: ["confirmed"], "return a set of values such as {'confirmed'} (or set() "
         "when nothing is chosen), got ['confirmed']"),
        (lambda v, q: {1}, "you returned {1}, but nobody voted for 1"),
    ],
)
def test_learner_mistakes_become_feedback(fn, says: str) -> None:  # type: ignore[no-untyped-def]
    feedback = px.exercises.check_chosen(fn)
    assert not feedback.passed
    assert any(says in p for p in feedback.problems), feedback.problems


def test_a_non_function_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="check_chosen needs your function"):
        px.exercises.check_chosen("chosen")  # type: ignore[arg-type]
