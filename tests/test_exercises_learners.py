"""Lesson 02's checks: a learner judged against the course's own learner, and the trade-off a
quorum size makes.  Each usual mistake gets its own reason; right answers pass."""

from __future__ import annotations

import pytest

import paxos_lib as px
from paxos_lib.exercises.learners import LEARN_CASES, engine_learns


def learn(accepted, n):  # type: ignore[no-untyped-def]
    voters = {}
    for acceptor, ballot, value in accepted:
        voters.setdefault((ballot, value), set()).add(acceptor)
        if len(voters[(ballot, value)]) > n / 2:
            return value
    return None


def counts_messages(accepted, n):  # type: ignore[no-untyped-def]
    counts = {}
    for _, _, value in accepted:
        counts[value] = counts.get(value, 0) + 1
        if counts[value] > n / 2:
            return value
    return None


def counts_across_ballots(accepted, n):  # type: ignore[no-untyped-def]
    voters = {}
    for acceptor, _, value in accepted:
        voters.setdefault(value, set()).add(acceptor)
        if len(voters[value]) > n / 2:
            return value
    return None


def half_is_enough(accepted, n):  # type: ignore[no-untyped-def]
    voters = {}
    for acceptor, ballot, value in accepted:
        voters.setdefault((ballot, value), set()).add(acceptor)
        if len(voters[(ballot, value)]) >= n // 2:
            return value
    return None


def test_the_cases_include_every_trap() -> None:
    learned = [engine_learns(a, n) for a, n in LEARN_CASES]
    assert learned.count(None) == 4
    assert any(len({a for a, _, _ in acc}) < len(acc) for acc, _ in LEARN_CASES)


def test_the_reference_learner_passes() -> None:
    fb = px.exercises.check_learn(learn)
    assert str(fb) == "✓ Well done: learn is right in all 11 scenarios."


def test_counting_messages_is_fooled_by_a_duplicate_and_by_two_ballots() -> None:
    fb = px.exercises.check_learn(counts_messages)
    assert fb.problems == (
        "with the messages [a1 'confirmed' at 1.p1, a1 'confirmed' at 1.p1] from 3 acceptors: "
        "you learned 'confirmed', but nothing can be learned yet: 'confirmed' has votes from "
        "a1 at 1.p1 (a1's vote at 1.p1 arrived twice: a duplicated message is still one "
        "acceptor); the most at one ballot is 1 acceptor, and a majority of 3 is 2",
        "with the messages [a1 'confirmed' at 1.p1, a2 'confirmed' at 2.p1] from 3 acceptors: "
        "you learned 'confirmed', but nothing can be learned yet: 'confirmed' has votes from "
        "a1 at 1.p1; a2 at 2.p1, at different ballots: votes at different ballots do not add "
        "up, because a later proposer that also hears of a vote for another value at a higher "
        "ballot proposes that value instead; the most at one ballot is 1 acceptor, and a "
        "majority of 3 is 2",
    )


def test_counting_acceptors_across_ballots_is_named() -> None:
    fb = px.exercises.check_learn(counts_across_ballots)
    assert len(fb.problems) == 1 and "at different ballots" in fb.problems[0]
    assert "arrived twice" not in fb.problems[0]


def test_half_is_not_a_majority() -> None:
    fb = px.exercises.check_learn(half_is_enough)
    assert ("with the messages [a1 'confirmed' at 1.p1, a2 'confirmed' at 1.p1] from 4 "
            "acceptors: you learned 'confirmed', but nothing can be learned yet: 'confirmed' "
            "has votes from a1 and a2 at 1.p1; the most at one ballot is 2 acceptors, and a "
            "majority of 4 is 3") in fb.problems
    assert any("you learned 'confirmed', but 'confirmed' has votes from a1 at 1.p1" in p
               and "a2 and a3 voted 'cancelled' at 1.p2" in p for p in fb.problems)


def test_a_learner_that_never_learns_is_shown_the_quorum() -> None:
    fb = px.exercises.check_learn(lambda accepted, n: None)
    assert ("with the messages [a1 'confirmed' at 1.p1, a2 'confirmed' at 1.p1] from 3 "
            "acceptors: you learned nothing, but a1 and a2 voted 'confirmed' at 1.p1: 2 of 3 "
            "acceptors at one ballot, so 'confirmed' is chosen") in fb.problems


def test_quorum_tradeoff() -> None:
    check = px.exercises.check_quorum_tradeoff
    assert check(lambda n, q: (n - q, 2 * q > n)).passed
    starter = check(lambda n, q: ((n - 1) // 2, True))
    assert ("with 5 acceptors and quorums of 4: after 2 crashes only 3 acceptors are left, "
            "fewer than a quorum of 4: no ballot can finish") in starter.problems
    assert ("with 4 acceptors and quorums of 2: after 2 crashes there are still 2 acceptors "
            "up, enough for a quorum of 2, so more than 1 can be survived; and {a1, a2} and "
            "{a3, a4} are both quorums and share no acceptor, so each could choose its own "
            "value") in starter.problems
    half = check(lambda n, q: (n - q, q >= n / 2))
    assert half.problems == ("with 4 acceptors and quorums of 2: {a1, a2} and {a3, a4} are "
                             "both quorums and share no acceptor, so each could choose its "
                             "own value",)
    strict = check(lambda n, q: (n - q, False))
    assert any("two quorums of 3 hold 6 places among only 5 acceptors" in p
               for p in strict.problems)


@pytest.mark.parametrize("check", [px.exercises.check_learn, px.exercises.check_quorum_tradeoff])
def test_learner_errors_become_feedback(check) -> None:  # type: ignore[no-untyped-def]
    fb = check(lambda *args: 1 / 0)
    assert not fb.passed and "your function raised ZeroDivisionError" in fb.problems[0]
    with pytest.raises(px.ConfigError, match="needs your function"):
        check("n // 2")
