"""Lesson 07's checks: the right rules pass; each usual mistake gets its own plain sentence;
the learner's exceptions never escape."""

from __future__ import annotations

import pytest

import paxos_lib as px


def first_gap(log):  # type: ignore[no-untyped-def]
    return next((i for i, v in enumerate(log) if v is None), len(log))


def recover_slot(votes):  # type: ignore[no-untyped-def]
    return max(votes, key=lambda bc: bc[0])[1] if votes else "noop"


def test_right_answers_pass() -> None:
    assert str(px.exercises.check_first_gap(first_gap)).startswith("✓ Well done: first_gap")
    assert px.exercises.check_recover_slot(recover_slot).passed
    fb = px.exercises.check_messages_per_command(lambda n, every: (4 if every else 2) * (n - 1))
    assert fb.passed and fb.total == 6


def test_counting_known_slots_applies_past_a_gap() -> None:
    fb = px.exercises.check_first_gap(lambda log: sum(v is not None for v in log))
    assert not fb.passed and fb.total == 7 and len(fb.problems) == 3
    assert fb.problems[0] == (
        "for the log ['create #42 (c42/1)' | gap | 'cancel #42 (c42/4)'] you would apply 2 "
        "slot(s), but slot 1 is a gap: a replica that applied 'cancel #42 (c42/4)' before "
        "learning slot 1 could run the commands in another order than the others; apply 1")


def test_skipping_noops_is_too_cautious() -> None:
    fb = px.exercises.check_first_gap(
        lambda log: next((i for i, v in enumerate(log) if v in (None, "noop")), len(log)))
    assert fb.problems == (
        "for the log ['create #42 (c42/1)' | 'noop' | 'confirm #42 (c42/2)' | gap | gap | "
        "'cancel #42 (c42/4)'] you would apply only 1 slot(s), but slots 0 to 2 are all known "
        "chosen (a no-op counts too); apply 3",)


def test_first_vote_and_forgetful_leader() -> None:
    fb = px.exercises.check_recover_slot(lambda votes: votes[0][1] if votes else "noop")
    assert fb.problems == (
        "with promises reporting 'confirm #42 (c42/2)' at 1.r1, 'cancel #42 (c42/4)' at 2.r3 "
        "you proposed 'confirm #42 (c42/2)', but only the highest-ballot vote "
        "('cancel #42 (c42/4)' at 2.r3) can have been chosen; proposing anything else could "
        "overwrite a chosen command",
        "with promises reporting 'pay #42 (c42/3)' at 2.r1, 'cancel #42 (c42/4)' at 2.r4 you "
        "proposed 'pay #42 (c42/3)', but only the highest-ballot vote ('cancel #42 (c42/4)' "
        "at 2.r4) can have been chosen; proposing anything else could overwrite a chosen "
        "command",
    )
    fb = px.exercises.check_recover_slot(lambda votes: "noop")
    assert len(fb.problems) == 5


def test_an_empty_slot_is_a_noop() -> None:
    fb = px.exercises.check_recover_slot(lambda votes: recover_slot(votes) if votes else None)
    assert fb.problems == (
        "with promises that report no vote in the slot it returned None; return the command "
        "to propose, as text such as 'noop'",)


def test_phase_one_counted_for_every_command() -> None:
    fb = px.exercises.check_messages_per_command(lambda n, every: 2 * (n - 1))
    assert len(fb.problems) == 3
    assert fb.problems[0].startswith("for 3 replicas with phase 1 for every slot you said 4, "
                                     "but the leader sends a prepare")
    fb = px.exercises.check_messages_per_command(lambda n, every: 2 * n)
    assert "its own vote needs no message" in fb.problems[0]


@pytest.mark.parametrize("check", [px.exercises.check_first_gap, px.exercises.check_recover_slot,
                                   px.exercises.check_messages_per_command])
def test_learner_errors_become_feedback(check) -> None:  # type: ignore[no-untyped-def]
    def broken(*args):  # type: ignore[no-untyped-def]
        raise KeyError("oops")

    fb = check(broken)
    assert not fb.passed and "your function raised KeyError" in fb.problems[0]
    with pytest.raises(px.ConfigError, match="needs your function"):
        check(42)
