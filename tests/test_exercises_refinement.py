"""Lesson 09's exercise 1: the inductive-invariant check, on the real checker."""

from __future__ import annotations

import pytest

import paxos_lib as px
from paxos_lib.errors import ConfigError

check = px.exercises.check_inductive_invariant


def safe_at(s, b, v):  # type: ignore[no-untyped-def]
    return all(any(all(s.voted_for(a, c, v) or s.cannot_vote_at(a, c) for a in q)
                   for q in s.quorums) for c in range(b))


def votes_safe(s):  # type: ignore[no-untyped-def]
    return all(safe_at(s, b, v) for a in s.acceptors for b, v in s.votes[a])


def lamport(s):  # type: ignore[no-untyped-def]
    values_in: dict = {}
    for a in s.acceptors:
        for b, v in s.votes[a]:
            values_in.setdefault(b, set()).add(v)
    return votes_safe(s) and all(len(values) == 1 for values in values_in.values())


def test_the_reference_passes_and_says_how_many_states():
    feedback = check(lamport)
    assert feedback.passed and str(feedback).startswith("✓ Well done")
    assert "all 110,592 type-correct Voting states" in str(feedback)
    assert "holds in 2,771 of them" in str(feedback)


def test_the_starter_gets_a_counterexample_to_induction_in_words():
    feedback = check(lambda s: len(s.chosen()) <= 1)
    assert not feedback.passed and len(feedback.problems) == 1
    (problem,) = feedback.problems
    assert problem.startswith("it is not preserved by every step")
    assert "Voting allows the step VoteFor(" in problem
    assert "(v1 and v2 are both chosen)" in problem
    assert "could still be chosen in the lower ballot 0" in problem


def test_votes_safe_alone_lets_two_values_into_one_ballot():
    feedback = check(votes_safe)
    assert any("does not imply agreement" in p for p in feedback.problems)
    assert any("two acceptors voted for different values in the same ballot" in p
               for p in feedback.problems)
    assert any("Both are chosen in ballot 0" in p for p in feedback.problems)


def test_one_value_per_ballot_alone_is_told_where_two_values_come_from():
    def one_value(s):  # type: ignore[no-untyped-def]
        values_in: dict = {}
        for a in s.acceptors:
            for b, v in s.votes[a]:
                values_in.setdefault(b, set()).add(v)
        return all(len(values) == 1 for values in values_in.values())

    (problem,) = check(one_value).problems
    assert problem.startswith("it does not imply agreement")
    assert "v1 is chosen in ballot 0 and v2 in ballot 1" in problem


def test_the_learners_mistakes_become_feedback_not_errors():
    raised = check(lambda s: s.votes["a9"])
    assert not raised.passed and "raised KeyError" in raised.problems[0]
    vague = check(lambda s: 1)
    assert not vague.passed and "should answer True or False" in vague.problems[0]
    with pytest.raises(ConfigError, match="needs your function"):
        check("len(chosen) <= 1")
