"""Lesson 05's checks: good back-offs and leader rules pass; each usual mistake gets its own
plain sentence; the learner's exceptions never escape."""

from __future__ import annotations

import random

import pytest

import paxos_lib as px
from paxos_lib.liveness import random_backoff


def doubling(attempt: int, rng: random.Random) -> int:
    return rng.randint(0, min(256, 10 * 2 ** (attempt - 1)))


@pytest.mark.parametrize("fn", [random_backoff, doubling])
def test_good_backoffs_pass(fn) -> None:  # type: ignore[no-untyped-def]
    fb = px.exercises.check_backoff(fn)
    assert fb.passed and fb.total == 6
    assert str(fb).startswith("✓ Well done: backoff")


def test_a_fixed_wait() -> None:
    fb = px.exercises.check_backoff(lambda attempt, rng: 3)
    assert not fb.passed
    assert fb.problems[0].startswith(
        "it waits exactly 3 step(s) after the first refusal, 3 after the second and 3 after "
        "the third, whatever rng says")
    assert fb.problems[1].startswith("after 6 refusals in a row its longest wait is still 3")
    assert any(p.startswith("on a network three times slower, 90% of 30 races chose a value "
                            "within 144 steps") for p in fb.problems)


def test_retrying_at_once_is_the_duel() -> None:
    fb = px.exercises.check_backoff(lambda attempt, rng: 0)
    assert len(fb.problems) == 4
    assert "on the lesson's network, 90% of 30 races chose a value within 75 steps" in str(fb)
    assert "a refused proposer is back before its rival can finish" in fb.problems[2]


def test_a_deterministic_doubling_is_told_about_rng_not_about_growth() -> None:
    fb = px.exercises.check_backoff(lambda attempt, rng: 2 ** attempt)
    assert "whatever rng says" in fb.problems[0]
    assert not any("after 6 refusals" in p for p in fb.problems)


def test_a_window_that_starts_too_small() -> None:
    fb = px.exercises.check_backoff(lambda attempt, rng: rng.randint(0, 2 ** attempt))
    assert not fb.passed
    races = [p for p in fb.problems if p.startswith("on ")]
    assert races and all("is back before its rival can finish" in p for p in races)
    assert fb.problems[0].startswith("after 10 refusals in a row it may wait 982 steps")


def test_a_window_that_doubles_without_end() -> None:
    fb = px.exercises.check_backoff(lambda attempt, rng: rng.randint(0, 8 * 2 ** (attempt - 1)))
    assert fb.problems == (
        "after 10 refusals in a row it may wait 3931 steps, longer than a whole race may last "
        "here (400 steps): a proposer that was merely unlucky sits out long after every rival "
        "has finished or crashed, and if none is left, nothing is chosen until it comes back",
    )


def test_a_window_that_never_grows() -> None:
    fb = px.exercises.check_backoff(lambda attempt, rng: rng.randint(0, 1000))
    assert fb.problems[0] == (
        "after 6 refusals in a row its longest wait is still 988 step(s), no more than after "
        "the first: six refusals say that the waits so far were too short for this network, "
        "and your function pays no attention to that")
    assert len(fb.problems) == 2 and "may wait 988 steps" in fb.problems[1]


@pytest.mark.parametrize("fn, says", [
    (lambda attempt, rng: 1 / 0, "for attempt 1 your function raised ZeroDivisionError"),
    (lambda attempt, rng: 2.5, "for attempt 1 it returned 2.5; return a whole number"),
    (lambda attempt, rng: None, "for attempt 1 it returned None"),
    (lambda attempt, rng: -1, "a wait cannot be negative"),
    (lambda attempt: 1, "TypeError"),
])
def test_broken_backoffs_get_a_sentence(fn, says) -> None:  # type: ignore[no-untyped-def]
    fb = px.exercises.check_backoff(fn)
    assert not fb.passed and says in fb.problems[0]


@pytest.mark.parametrize("rule", [
    lambda me, up: me == min(up),
    lambda me, up: me == max(up),
    lambda me, up: me == up[0],
])
def test_good_leader_rules_pass(rule) -> None:  # type: ignore[no-untyped-def]
    fb = px.exercises.check_should_retry(rule)
    assert fb.passed and fb.total == 8


def test_everyone_leads() -> None:
    fb = px.exercises.check_should_retry(lambda me, up: me in up)
    assert fb.problems[:2] == (
        "with p1, p2, p3 up, p1, p2 and p3 all retry: 3 leaders duel, as if there were no "
        "leader",
        "with p1, p2 up, p1 and p2 both retry: 2 leaders duel, as if there were no leader",
    )


def test_a_fixed_leader_that_crashes() -> None:
    fb = px.exercises.check_should_retry(lambda me, up: me == "p1")
    assert fb.problems[0] == (
        "with p1 crashed, neither p2 nor p3 retries: order 42 waits until a crashed proposer "
        "recovers"
    )
    assert "with p1 and p3 crashed, p2 does not retry" in fb.problems[1]


@pytest.mark.parametrize("rule, says", [
    (lambda me, up: None, "it should answer True or False, but returned None"),
    (lambda me, up: up[3], "your function raised IndexError"),
])
def test_broken_leader_rules_get_a_sentence(rule, says) -> None:  # type: ignore[no-untyped-def]
    fb = px.exercises.check_should_retry(rule)
    assert not fb.passed and says in fb.problems[0]


def test_not_a_function() -> None:
    with pytest.raises(px.ConfigError, match="check_backoff needs your function"):
        px.exercises.check_backoff(5)
    with pytest.raises(px.ConfigError, match="check_should_retry needs your function"):
        px.exercises.check_should_retry("p1")
