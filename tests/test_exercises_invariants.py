"""Lesson 06's checks: an agreement invariant judged on the explorer's counterexamples and on
classic runs, and bounds judged by running the explorer within them.  Right answers pass;
each wrong one gets a sentence naming the run, the step and the reason; the learner's
mistakes never raise."""

from __future__ import annotations

import pytest

import paxos_lib as px
from paxos_lib.errors import ConfigError
from paxos_lib.exercises.invariants import BROKEN


def agreement(world):  # type: ignore[no-untyped-def]
    return len(px.chosen(world)) <= 1


def current_votes_agree(world):  # type: ignore[no-untyped-def]
    votes = [vote for vote in px.accepted(world).values() if vote is not None]
    return len({value for _, value in votes}) <= 1


def smallest(variant):  # type: ignore[no-untyped-def]
    acceptors, crashes = BROKEN[variant]
    return {"acceptors": acceptors, "max_ballot": 1, "max_crashes": crashes}


def test_the_scenarios_are_what_the_check_says() -> None:
    runs = px.exercises.agreement_scenarios()
    assert list(runs) == [*BROKEN, "classic: first choice", "classic: outvoted",
                          "classic: crash after the vote", "classic: faults"]
    for name, trace in runs.items():
        assert isinstance(trace, px.Trace)
        worlds = trace.worlds()
        if name in BROKEN:
            assert trace.variant == name and len(px.chosen(worlds[-1])) == 2
            assert all(len(px.chosen(w)) <= 1 for w in worlds[:-1])
        else:
            assert trace.variant == "classic"
            assert all(len(px.chosen(w)) <= 1 for w in worlds)
            assert px.chosen(worlds[-1])


def test_the_agreement_property_passes() -> None:
    feedback = px.exercises.check_agreement(agreement)
    assert feedback.passed and feedback.total == 9
    assert str(feedback) == "✓ Well done: agreement is right in all 9 scenarios."


def test_current_votes_miss_violations_and_flag_correct_worlds() -> None:
    feedback = px.exercises.check_agreement(current_votes_agree)
    assert not feedback.passed
    missed = [p for p in feedback.problems if p.startswith("it missed a violation")]
    flagged = [p for p in feedback.problems if p.startswith("it flagged a correct world")]
    assert len(missed) == 4 and len(flagged) == 1
    assert missed[0] == (
        "it missed a violation: in the explorer's shortest counterexample for snippet "
        "(2 proposers, 1 acceptor, 8 steps), after step 8 (deliver accept 1.p2 'cancelled' "
        "p2→a1), 'cancelled' and 'confirmed' are both chosen (a1 accepted 'confirmed' at 1.p1; "
        "a1 accepted 'cancelled' at 1.p2), but your invariant returned True. Looking at the "
        "current votes (a1: 'cancelled' at 1.p2) is not enough: an acceptor keeps only its last "
        "vote, while chosen counts every vote ever cast (px.chosen reads that history)"
    )
    assert flagged[0] == (
        "it flagged a correct world: in classic Paxos where p2 gets 'cancelled' chosen after "
        "a1 accepted p1's 'confirmed' (2 proposers, 3 acceptors, 14 steps), after step 12 "
        "(deliver accept 1.p2 'cancelled' p2→a2), nothing is chosen yet, but your invariant "
        "returned False. The acceptors hold votes for different values (a1: 'confirmed' at "
        "1.p1, a2: 'cancelled' at 1.p2), which is fine: agreement fails only when two "
        "different values are each chosen"
    )


def test_learned_values_miss_what_nobody_learned() -> None:
    feedback = px.exercises.check_agreement(
        lambda w: len({v for v in px.learned(w).values() if v is not None}) <= 1
    )
    assert len(feedback.problems) == 5
    assert all(p.startswith("it missed a violation") for p in feedback.problems)
    assert feedback.problems[-1].endswith(
        "No learner has learned anything yet: a value is chosen by the votes, before anyone "
        "learns it"
    )


@pytest.mark.parametrize(
    ("fn", "says"),
    [
        (lambda w: False, "at the start, nothing is chosen yet, but your invariant returned "
         "False"),
        (lambda w: None, "at the start: your invariant should return True or False, but "
         "returned None"),
        (lambda w: w.nope, "at the start: your invariant raised AttributeError"),
    ],
)
def test_invariant_mistakes_become_feedback(fn, says: str) -> None:  # type: ignore[no-untyped-def]
    feedback = px.exercises.check_agreement(fn)
    assert feedback.total == 9 and len(feedback.problems) == 9
    assert says in feedback.problems[0]


def test_the_smallest_bounds_catch_every_bug() -> None:
    feedback = px.exercises.check_bounds(smallest)
    assert feedback.passed and feedback.total == 5


def test_bounds_that_cannot_reach_the_bug_are_explained() -> None:
    feedback = px.exercises.check_bounds(
        lambda v: {"acceptors": 1, "max_ballot": 1, "max_crashes": 0}
    )
    assert feedback.problems == (
        "amnesiac-acceptor: the explorer searched all 136 states with acceptors=1, "
        "max_ballot=1, max_crashes=0 and proved agreement, because its changed rule is what "
        "an acceptor keeps through a crash, and with max_crashes=0 nothing ever crashes; the "
        "proof is true but says nothing about crashes",
        "minority-quorum: the explorer searched all 136 states with acceptors=1, max_ballot=1, "
        "max_crashes=0 and proved agreement, because with 1 acceptor the smaller quorum is "
        "still 1, a majority: in this model the variant is classic Paxos",
    )


@pytest.mark.parametrize(
    ("fn", "says"),
    [
        (lambda v: [1], "for snippet: return a dict such as {'acceptors': 1, 'max_ballot': 1, "
         "'max_crashes': 0}, got [1]"),
        (lambda v: {"acceptors": 1, "max_ballot": 1}, "for snippet: say how many crashes (the "
         "key 'max_crashes' is missing)"),
        (lambda v: {"acceptors": 1, "max_ballot": 1, "max_crashes": 0, "seed": 0},
         "for snippet: there is no bound called 'seed'; the bounds are acceptors, max_ballot, "
         "max_crashes"),
        (lambda v: {"acceptors": 9, "max_ballot": 1, "max_crashes": 0},
         "for snippet: acceptors must be a whole number from 1 to 3 (small models keep this "
         "check fast), got 9"),
        (lambda v: {"acceptors": 1, "max_ballot": True, "max_crashes": 0},
         "for snippet: max_ballot must be a whole number from 1 to 2"),
        (lambda v: {}["x"], "for snippet: your function raised KeyError: 'x'"),
    ],
)
def test_bounds_mistakes_become_feedback(fn, says: str) -> None:  # type: ignore[no-untyped-def]
    feedback = px.exercises.check_bounds(fn)
    assert len(feedback.problems) == 5
    assert feedback.problems[0].startswith(says), feedback.problems[0]


def test_non_functions_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="check_agreement needs your function"):
        px.exercises.check_agreement(True)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="check_bounds needs your function"):
        px.exercises.check_bounds({"acceptors": 1})  # type: ignore[arg-type]
