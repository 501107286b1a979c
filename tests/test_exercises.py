"""The exercise checks: right answers pass, wrong ones get a plain sentence, and the learner's
exceptions never escape."""

from __future__ import annotations

import pytest

import paxos_lib as px
from paxos_lib.exercises import Feedback


def right_rule(promised, ballot):  # type: ignore[no-untyped-def]
    return promised is None or ballot >= promised


@pytest.mark.parametrize(
    "check", [px.exercises.check_should_promise, px.exercises.check_should_accept]
)
def test_acceptor_rules(check) -> None:  # type: ignore[no-untyped-def]
    assert check(right_rule).passed
    seed_rule = check(lambda promised, ballot: promised == ballot)
    assert not seed_rule.passed
    strict = check(lambda promised, ballot: promised is None or ballot > promised)
    if check is px.exercises.check_should_accept:
        assert "refused ballot 2.p2, the very ballot it promised" in str(strict)
        bad = check(lambda promised, ballot: True)
        assert "your acceptor accepted ballot 1.p2 after promising 2.p1" in str(bad)
    else:
        # Lamport's own rule (Paxos Made Simple, Paxos.tla's Phase1b) is right too.
        assert strict.passed, str(strict)


def test_quorum_checks() -> None:
    assert px.exercises.check_quorum_size(lambda n: n // 2 + 1).passed
    half = px.exercises.check_quorum_size(lambda n: n // 2)
    assert not half.passed
    assert "{a1, a2} and {a3, a4} share no acceptor" in str(half) or any(
        "{a1, a2} and {a3, a4} share no acceptor" in p for p in half.problems
    )
    assert px.exercises.check_tolerated_crashes(lambda n: (n - 1) // 2).passed
    too_many = px.exercises.check_tolerated_crashes(lambda n: n // 2)
    assert any("no quorum, no progress" in p for p in too_many.problems)


def test_pick_value() -> None:
    def right(promises, own):  # type: ignore[no-untyped-def]
        reported = [(b, v) for _, b, v in promises if b is not None]
        return max(reported)[1] if reported else own

    assert px.exercises.check_pick_value(right).passed
    mine = px.exercises.check_pick_value(lambda promises, own: own)
    assert mine.problems[0] == (
        "a1 reported 'confirmed' accepted at 1.p1, the highest ballot among the promises, so "
        "'confirmed' may already be chosen; you proposed 'cancelled'"
    )

    def lowest(promises, own):  # type: ignore[no-untyped-def]
        reported = [(b, v) for _, b, v in promises if b is not None]
        return min(reported)[1] if reported else own

    assert not px.exercises.check_pick_value(lowest).passed


def test_next_ballot() -> None:
    ok = px.exercises.check_next_ballot(lambda seen, me: px.Ballot(seen.round + 1, me))
    assert ok.passed
    same = px.exercises.check_next_ballot(lambda seen, me: px.Ballot(seen.round + 1, "p"))
    assert "two proposers could then use the same ballot" in str(same)


def test_learner_code_that_raises_is_reported_not_raised() -> None:
    fb = px.exercises.check_pick_value(lambda promises, own: 1 / 0)
    assert not fb.passed and "your function raised ZeroDivisionError" in fb.problems[0]
    fb = px.exercises.check_quorum_size(lambda n: "three")
    assert "should return a whole number" in fb.problems[0]


def test_feedback_renders_as_text_and_html() -> None:
    fb = px.exercises.check_quorum_size(lambda n: n)
    assert str(fb).startswith("✗ Not yet: quorum_size is right in 2 of 9 scenarios.")
    assert repr(fb) == str(fb)
    assert "<li>" in fb._repr_html_() and "Not yet" in fb._repr_html_()
    good = Feedback("x", True, 3)
    assert str(good) == "✓ Well done: x is right in all 3 scenarios." and bool(good)


def test_a_check_needs_a_function() -> None:
    with pytest.raises(px.ConfigError, match="check_pick_value needs your function"):
        px.exercises.check_pick_value("max")  # type: ignore[arg-type]
