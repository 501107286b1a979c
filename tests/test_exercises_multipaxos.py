"""Lesson 07's checks: the right rules pass; each usual mistake gets its own plain sentence;
the learner's exceptions never escape."""

from __future__ import annotations

import pytest

import paxos_lib as px


def first_gap(log):  # type: ignore[no-untyped-def]
    return next((i for i, v in enumerate(log) if v is None), len(log))


def recover_slot(votes):  # type: ignore[no-untyped-def]
    return max(votes, key=lambda bc: bc[0])[1] if votes else "noop"


def dedup(table, client, request):  # type: ignore[no-untyped-def]
    if client not in table or request > table[client][0]:
        return ("apply", None)
    last_request, last_reply = table[client]
    if request == last_request:
        return ("reply", last_reply)
    return ("ignore", None)


def test_right_answers_pass() -> None:
    assert str(px.exercises.check_first_gap(first_gap)).startswith("✓ Well done: first_gap")
    assert px.exercises.check_recover_slot(recover_slot).passed
    fb = px.exercises.check_dedup(dedup)
    assert fb.passed and fb.total == 9


def test_counting_known_slots_applies_past_a_gap() -> None:
    fb = px.exercises.check_first_gap(lambda log: sum(v is not None for v in log))
    assert not fb.passed and fb.total == 7 and len(fb.problems) == 3
    assert fb.problems[0] == (
        "for the log ['create #42 (c42/1)' | gap | 'cancel #42 (c42/4)'] you would apply 2 "
        "slot(s), but slot 1 is a gap: a replica that applied 'cancel #42 (c42/4)' before "
        "learning slot 1 could run the commands in another order than the others")


def test_a_negative_count_is_feedback_not_a_crash() -> None:
    fb = px.exercises.check_first_gap(lambda log: len(log) - 1)
    assert not fb.passed
    assert "for an empty log it returned -1; a count of slots is never negative" in fb.problems


def test_skipping_noops_is_too_cautious() -> None:
    fb = px.exercises.check_first_gap(
        lambda log: next((i for i, v in enumerate(log) if v in (None, "noop")), len(log)))
    assert fb.problems == (
        "for the log ['create #42 (c42/1)' | 'noop' | 'confirm #42 (c42/2)' | gap | gap | "
        "'cancel #42 (c42/4)'] you would apply only 1 slot(s), but slot 1 holds a no-op, which "
        "is chosen like any other command, and every slot before it is applied: nothing is "
        "missing there, so the replica waits for no reason",)


def test_first_vote_and_forgetful_leader() -> None:
    fb = px.exercises.check_recover_slot(lambda votes: votes[0][1] if votes else "noop")
    assert fb.problems == (
        "with promises reporting 'confirm #42 (c42/2)' at 1.r1, 'cancel #42 (c42/4)' at 2.r3 "
        "you proposed 'confirm #42 (c42/2)', voted at 1.r1; but 'cancel #42 (c42/4)' was voted "
        "at 2.r3, a higher ballot, whose leader had made sure nothing else could be chosen "
        "below it, so 'confirm #42 (c42/2)' cannot have been chosen at 1.r1, and "
        "'cancel #42 (c42/4)' may have been",
        "with promises reporting 'pay #42 (c42/3)' at 2.r1, 'cancel #42 (c42/4)' at 2.r4 you "
        "proposed 'pay #42 (c42/3)', voted at 2.r1; but 'cancel #42 (c42/4)' was voted at "
        "2.r4, a higher ballot, whose leader had made sure nothing else could be chosen below "
        "it, so 'pay #42 (c42/3)' cannot have been chosen at 2.r1, and 'cancel #42 (c42/4)' "
        "may have been",
    )
    fb = px.exercises.check_recover_slot(lambda votes: "noop")
    assert len(fb.problems) == 5
    assert all("which no promise reported for this slot" in p for p in fb.problems)


def test_a_client_command_in_a_hole() -> None:
    fb = px.exercises.check_recover_slot(lambda votes: recover_slot(votes) if votes
                                         else "create #42 (c42/1)")
    assert fb.problems == (
        "with promises that report no vote in the slot you proposed 'create #42 (c42/1)'; "
        "nobody voted in this slot, so no command can have been chosen there, and a client's "
        "command put into a hole runs wherever the hole happens to be, out of order with the "
        "commands its client sent before and after it",)


def test_an_empty_slot_is_a_noop() -> None:
    fb = px.exercises.check_recover_slot(lambda votes: recover_slot(votes) if votes else None)
    assert fb.problems == (
        "with promises that report no vote in the slot it returned None; return the command "
        "to propose, as text",)


def test_a_known_client_is_not_always_a_retry() -> None:
    def starter(table, client, request):  # type: ignore[no-untyped-def]
        if client in table:
            return ("reply", table[client][1])
        return ("apply", None)

    fb = px.exercises.check_dedup(starter)
    assert len(fb.problems) == 4
    assert fb.problems[0] == (
        "in slot 1, 'confirm #42 (c42/2)': the table holds c42's request 1, answered "
        "'applied, now PENDING', so request 2 is new, but you answered it without running it: "
        "'confirm #42' never happens, and the client is told 'applied, now PENDING'")
    assert fb.problems[2] == (
        "in slot 6, 'confirm #42 (c42/2)': the table holds c42's request 3, answered "
        "'applied, now PAID'; request 2 is older and was answered long ago, so this copy is "
        "stale, and nobody is waiting for 'applied, now PAID', which is another request's "
        "reply anyway")


def test_a_stale_copy_run_again() -> None:
    def only_equal(table, client, request):  # type: ignore[no-untyped-def]
        if client in table and table[client][0] == request:
            return ("reply", table[client][1])
        return ("apply", None)

    fb = px.exercises.check_dedup(only_equal)
    assert fb.problems == (
        "in slot 6, 'confirm #42 (c42/2)': the table holds c42's request 3, answered "
        "'applied, now PAID'; request 2 is older, and a client sends a new request only once "
        "the previous one was answered, so this copy is stale: running it again would apply "
        "'confirm #42' a second time, after request 3",)


@pytest.mark.parametrize(("fn", "says"), [
    (lambda t, c, r: ("apply", None), "'pay #42' happens twice"),
    (lambda t, c, r: ("apply", None) if c not in t or r > t[c][0] else ("ignore", None),
     "ignoring the retry leaves it waiting forever"),
    (lambda t, c, r: ("apply", None) if c not in t or r > t[c][0] else ("reply", "ok"),
     "and you replied 'ok', which is not what it answered when it ran"),
    (lambda t, c, r: ("ignore", None) if c in t else ("apply", None),
     "so request 2 is new, but you ignored it"),
    (lambda t, c, r: "apply", "return a pair such as ('apply', None)"),
])
def test_dedup_mistakes_each_get_their_reason(fn, says) -> None:  # type: ignore[no-untyped-def]
    fb = px.exercises.check_dedup(fn)
    assert not fb.passed and any(says in p for p in fb.problems), fb.problems


@pytest.mark.parametrize("check", [px.exercises.check_first_gap, px.exercises.check_recover_slot,
                                   px.exercises.check_dedup])
def test_learner_errors_become_feedback(check) -> None:  # type: ignore[no-untyped-def]
    def broken(*args):  # type: ignore[no-untyped-def]
        raise KeyError("oops")

    fb = check(broken)
    assert not fb.passed and "your function raised KeyError" in fb.problems[0]
    with pytest.raises(px.ConfigError, match="needs your function"):
        check(42)
