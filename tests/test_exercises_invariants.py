"""Lesson 06's checks: an agreement invariant judged on the explorer's counterexamples and on
classic runs, and bounds judged by running the explorer within them.  Right answers pass;
each wrong one gets a sentence naming the run, the step and the reason; the learner's
mistakes never raise."""

from __future__ import annotations

import pytest

import paxos_lib as px
from paxos_lib.errors import ConfigError
from paxos_lib.exercises.invariants import BROKEN, ROUNDS


def agreement(world):  # type: ignore[no-untyped-def]
    voters = {}
    for acceptor, ballot, value in world.votes:
        voters.setdefault((ballot, value), set()).add(acceptor)
    quorum = world.config.rules.quorum
    return len({v for (_, v), who in voters.items() if len(who) >= quorum}) <= 1


def across_ballots(world):  # type: ignore[no-untyped-def]
    voters = {}
    for acceptor, _, value in world.votes:
        voters.setdefault(value, set()).add(acceptor)
    return sum(len(who) >= world.config.rules.quorum for who in voters.values()) <= 1


def majority_quorum(world):  # type: ignore[no-untyped-def]
    voters = {}
    for acceptor, ballot, value in world.votes:
        voters.setdefault((ballot, value), set()).add(acceptor)
    quorum = world.cluster.majority
    return len({v for (_, v), who in voters.items() if len(who) >= quorum}) <= 1


def current_votes_agree(world):  # type: ignore[no-untyped-def]
    votes = [vote for vote in px.accepted(world).values() if vote is not None]
    return len({value for _, value in votes}) <= 1


def smallest(variant):  # type: ignore[no-untyped-def]
    acceptors, crashes = BROKEN[variant]
    return {"acceptors": acceptors, "max_ballot": ROUNDS.get(variant, 1), "max_crashes": crashes}


def test_the_scenarios_are_what_the_check_says() -> None:
    runs = px.exercises.agreement_scenarios()
    assert list(runs) == [*BROKEN, "classic: first choice", "classic: outvoted",
                          "classic: crash after the vote", "classic: scattered votes",
                          "classic: faults"]
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
    for fn in (agreement, lambda w: len(px.chosen(w)) <= 1):
        feedback = px.exercises.check_agreement(fn)
        assert feedback.passed and feedback.total == 10
        assert str(feedback) == "✓ Well done: agreement is right in all 10 scenarios."


def test_current_votes_miss_violations_and_flag_correct_worlds() -> None:
    feedback = px.exercises.check_agreement(current_votes_agree)
    assert not feedback.passed
    missed = [p for p in feedback.problems if p.startswith("it missed a violation")]
    flagged = [p for p in feedback.problems if p.startswith("it flagged a correct world")]
    assert len(missed) == 5 and len(flagged) == 2
    assert missed[0] == (
        "it missed a violation: in the explorer's shortest counterexample for snippet "
        "(2 proposers, 1 acceptor, 9 steps), after step 9 (deliver accept 2.p 'cancelled' "
        "p2→a1), 'cancelled' and 'confirmed' are both chosen (a1 accepted 'confirmed' at 1.p; "
        "a1 accepted 'cancelled' at 2.p), but your invariant returned True. Your invariant "
        "gives the same answer as the acceptors' current votes in every world of every run; "
        "here they are a1: 'cancelled' at 2.p, but an acceptor keeps only its last vote, and "
        "the votes that chose the other value were replaced"
    )
    assert flagged[0] == (
        "it flagged a correct world: in classic Paxos where p2 gets 'cancelled' chosen after "
        "a1 accepted p1's 'confirmed' (2 proposers, 3 acceptors, 14 steps), after step 12 "
        "(deliver accept 1.p2 'cancelled' p2→a2), nothing is chosen yet, but your invariant "
        "returned False. Your invariant gives the same answer as the acceptors' current votes in "
        "every world of every run; here they are for different values (a1: 'confirmed' at "
        "1.p1, a2: 'cancelled' at 1.p2), which happens whenever a proposal is outvoted, and is "
        "fine"
    )


def test_learned_values_miss_what_nobody_learned() -> None:
    feedback = px.exercises.check_agreement(
        lambda w: len({v for v in px.learned(w).values() if v is not None}) <= 1
    )
    assert len(feedback.problems) == 5
    assert all(p.startswith("it missed a violation") for p in feedback.problems)
    assert all(p.endswith(
        "Your invariant gives the same answer as what the learners learned in every world of "
        "every run; here they learned nothing yet, but a value is chosen by the acceptors' "
        "votes the moment the last of them is cast, whether or not any learner has heard of it"
    ) for p in feedback.problems)


def test_votes_counted_across_ballots_are_named() -> None:
    feedback = px.exercises.check_agreement(across_ballots)
    assert feedback.problems == (
        "it flagged a correct world: in classic Paxos where 'confirmed' gets votes at two "
        "ballots and 'cancelled' is chosen at 2.p2 (2 proposers, 3 acceptors, 25 steps), after "
        "step 24 (deliver accept 2.p2 'cancelled' p2→a1), nothing is chosen yet, but your "
        "invariant returned False. Your invariant gives the same answer as counting each "
        "value's voters over all ballots together in every world of every run; here "
        "'cancelled' has votes from a2 at 1.p2 and a1 at 2.p2, enough acceptors but at "
        "different ballots, and no single ballot gathered a quorum for it",
    )


def test_a_majority_instead_of_the_quorum_in_force_is_named() -> None:
    feedback = px.exercises.check_agreement(majority_quorum)
    assert len(feedback.problems) == 1
    assert "minority-quorum" in feedback.problems[0]
    assert feedback.problems[0].endswith(
        "counting a majority (2 of 2) in every world of every run; but this system runs with "
        "quorums of 1, and what it counts as chosen is what its own quorums decided")


def test_an_answer_that_matches_no_usual_mistake_gets_only_facts() -> None:
    # Right except in the duplicate-ballots run, and unlike every usual mistake elsewhere.
    def odd(world):  # type: ignore[no-untyped-def]
        return agreement(world) or world.config.variant == "duplicate-ballots"

    feedback = px.exercises.check_agreement(odd)
    assert len(feedback.problems) == 1
    assert feedback.problems[0].endswith("but your invariant returned True")


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
    assert feedback.total == 10 and len(feedback.problems) == 10
    assert says in feedback.problems[0]


def test_the_smallest_bounds_catch_every_bug() -> None:
    feedback = px.exercises.check_bounds(smallest)
    assert feedback.passed and feedback.total == 5


def test_bounds_that_cannot_reach_the_bug_are_explained() -> None:
    feedback = px.exercises.check_bounds(
        lambda v: {"acceptors": 1, "max_ballot": 1, "max_crashes": 0}
    )
    assert feedback.problems == (
        "snippet: the explorer searched all 92 states with acceptors=1, max_ballot=1, "
        "max_crashes=0 and proved agreement, because at round 1 the original code is safe: "
        "each acceptor promises round 1 to one proposer, once; its broken rule shows only when "
        "a proposer retries with round 2",
        "amnesiac-acceptor: the explorer searched all 136 states with acceptors=1, "
        "max_ballot=1, max_crashes=0 and proved agreement, because its changed rule is what "
        "an acceptor keeps through a crash, and with max_crashes=0 nothing ever crashes; the "
        "proof is true but says nothing about crashes",
        "minority-quorum: the minority-quorum variant needs at least 2 acceptors, got 1: with "
        "1 acceptor every quorum is that acceptor, a majority, so no quorum can be a minority",
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
