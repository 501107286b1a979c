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
        # Lamport's own rule (Paxos Made Simple, Paxos.tla's Phase1b) is right too, and the
        # feedback says what each choice does with a duplicated prepare.
        assert strict.passed, str(strict)
        assert "your acceptor refuses, as Paxos Made Simple and Paxos.tla do" in str(strict)
        assert "your acceptor promises again" in str(check(right_rule))
        rounds = check(lambda promised, ballot: promised is None or ballot.round > promised.round)
        assert not rounds.passed and not rounds.notes


def test_pick_value() -> None:
    def right(promises, own):  # type: ignore[no-untyped-def]
        reported = [(b, v) for _, b, v in promises if b is not None]
        return max(reported)[1] if reported else own

    assert px.exercises.check_pick_value(right).passed
    mine = px.exercises.check_pick_value(lambda promises, own: own)
    assert mine.problems[0] == (
        "a1 reported 'confirmed' accepted at 1.p1, so 'confirmed' may already be chosen; you "
        "proposed 'cancelled', which no promise reported, and that could overwrite it"
    )

    def lowest(promises, own):  # type: ignore[no-untyped-def]
        reported = [(b, v) for _, b, v in promises if b is not None]
        return min(reported)[1] if reported else own

    low = px.exercises.check_pick_value(lowest)
    assert low.problems[0] == (
        "you proposed 'confirmed', which a1 reported at 1.p1; but a2 reported 'cancelled' at "
        "2.p2, a higher ballot, whose proposer had made sure nothing else could be chosen below "
        "it, so 'confirmed' cannot have been chosen at 1.p1, and 'cancelled' may have been")


def test_learner_code_that_raises_is_reported_not_raised() -> None:
    fb = px.exercises.check_pick_value(lambda promises, own: 1 / 0)
    assert not fb.passed and "your function raised ZeroDivisionError" in fb.problems[0]
    fb = px.exercises.check_should_promise(lambda promised, ballot: "yes")
    assert "it should answer True or False, but returned 'yes'" in fb.problems[0]


def test_feedback_renders_as_text_and_html() -> None:
    fb = px.exercises.check_should_accept(lambda promised, ballot: True)
    assert str(fb).startswith("✗ Not yet: should_accept is right in 5 of 8 scenarios.")
    assert repr(fb) == str(fb)
    assert "<li>" in fb._repr_html_() and "Not yet" in fb._repr_html_()
    good = Feedback("x", True, 3)
    assert str(good) == "✓ Well done: x is right in all 3 scenarios." and bool(good)
    assert str(Feedback("x", True, 1)) == "✓ Well done: x is right."
    assert str(Feedback("x", False, 1, ("why",))) == "✗ Not yet: x is not right yet.\n  - why"


def test_a_check_needs_a_function() -> None:
    with pytest.raises(px.ConfigError, match="check_pick_value needs your function"):
        px.exercises.check_pick_value("max")  # type: ignore[arg-type]
