"""Lesson 04's checks: what an acceptor persists, and which side of a partition can choose.
Right answers pass; each wrong one gets the plain sentence that names what went wrong; the
learner's mistakes never raise."""

from __future__ import annotations

import pytest

import paxos_lib as px
from paxos_lib.exercises.failures import _SIDES, _run_side


def everything(acceptor):  # type: ignore[no-untyped-def]
    return {
        "promised": acceptor.promised,
        "accepted_ballot": acceptor.accepted_ballot,
        "accepted_value": acceptor.accepted_value,
    }


def test_persisting_everything_passes() -> None:
    feedback = px.exercises.check_persist(everything)
    assert feedback.passed and feedback.total == 2
    assert str(feedback) == "✓ Well done: persist is right in all 2 scenarios."


def test_forgetting_the_vote_chooses_two_values() -> None:
    feedback = px.exercises.check_persist(lambda a: {"promised": a.promised})
    assert not feedback.passed
    assert feedback.problems == (
        "a2 voted for 'confirmed' at 1.p1, and with a1's vote that chose it; a2 then crashed "
        "and restarted from your disk having promised 1.p1 and cast no vote, so its promise "
        "to p2 reported no vote, p2 proposed its own 'cancelled', and a2 and a3 accepted it: "
        "two values chosen (a1 and a2 chose 'confirmed' at 1.p1; a2 and a3 chose 'cancelled' "
        "at 1.p2)",
    )


def test_forgetting_the_promise_chooses_two_values() -> None:
    vote_only = px.exercises.check_persist(
        lambda a: {"accepted_ballot": a.accepted_ballot, "accepted_value": a.accepted_value}
    )
    assert not vote_only.passed
    assert len(vote_only.problems) == 2
    first, second = vote_only.problems
    # In the first history the lost promise does no harm, but it is still a lost promise.
    assert first.startswith("when a2 crashes right after its vote chose 'confirmed': no harm")
    assert "restarted having promised nothing and voted for 'confirmed' at 1.p1" in first
    assert second.startswith("a2 promised ballot 1.p2 to p2")
    assert "a2 no longer knew it had sworn to ignore it, accepted 'confirmed'" in second
    assert second.endswith(
        "two values chosen (a1 and a2 chose 'confirmed' at 1.p1; a2 and a3 chose 'cancelled' "
        "at 1.p2)"
    )


def test_forgetting_everything_fails_both_histories() -> None:
    feedback = px.exercises.check_persist(lambda a: {})
    assert len(feedback.problems) == 2
    assert all("two values chosen" in p for p in feedback.problems)


def test_a_promise_derived_from_the_vote_is_caught() -> None:
    def derived(a):  # type: ignore[no-untyped-def]
        return {"promised": a.accepted_ballot, "accepted_ballot": a.accepted_ballot,
                "accepted_value": a.accepted_value}

    feedback = px.exercises.check_persist(derived)
    assert feedback.problems and "two values chosen" in feedback.problems[0]


@pytest.mark.parametrize(
    ("persist", "says"),
    [
        (lambda a: None, "persist should return a dict of the fields written to disk"),
        (lambda a: {"promise": a.promised}, "an acceptor has no field 'promise'; its fields "
         "are promised, accepted_ballot, accepted_value"),
        (lambda a: {"accepted_value": a.accepted_value},
         "a2 could not restart from your disk: Acceptor.accepted_ballot and "
         "Acceptor.accepted_value are both set or both None"),
        (lambda a: 1 / 0, "your function raised ZeroDivisionError: division by zero"),
    ],
)
def test_persist_mistakes_become_feedback(persist, says) -> None:  # type: ignore[no-untyped-def]
    feedback = px.exercises.check_persist(persist)
    assert not feedback.passed
    assert says in feedback.problems[0]


def right_side(cluster, side):  # type: ignore[no-untyped-def]
    acceptors = sum(1 for n in side if n in cluster.acceptor_ids)
    return any(n in cluster.proposer_ids for n in side) and acceptors >= cluster.quorum_size


def test_can_choose_right_answer_passes() -> None:
    feedback = px.exercises.check_can_choose(right_side)
    assert feedback.passed and feedback.total == len(_SIDES)


@pytest.mark.parametrize(("cluster", "side"), _SIDES, ids=lambda x: str(x))
def test_the_engine_agrees_with_the_rule(cluster, side) -> None:  # type: ignore[no-untyped-def]
    """The expected answers come from runs on the engine; they match the quorum rule."""
    run = _run_side(cluster, side)
    assert bool(run.chosen) == right_side(cluster, side)
    assert _run_side(cluster, side) == run  # seeded: the same run every time


def test_majority_of_all_nodes_is_wrong_in_plain_words() -> None:
    feedback = px.exercises.check_can_choose(lambda c, side: len(side) > len(c.node_ids) / 2)
    assert not feedback.passed
    assert feedback.problems[0] == (
        "with 1 proposer, 3 acceptors, the side {p1, a1, l1} cannot choose: it holds only 1 "
        "of the 3 acceptors, and a quorum is 2, so no ballot there can collect enough "
        "promises (on the engine, p1 got up to ballot 67.p1 in 200 steps and nothing was "
        "chosen)"
    )
    assert feedback.problems[1] == (
        "with 1 proposer, 3 acceptors, the side {a1, a2, a3} cannot choose: 3 of the 3 "
        "acceptors are there, but no proposer, so nobody asks them to vote"
    )
    assert feedback.problems[2].startswith(
        "with 2 proposers, 5 acceptors, the side {p1, a1, a2, a3} can choose: it holds p1 "
        "and 3 of the 5 acceptors, a quorum of 3; on the engine 'confirmed' was chosen"
    )


def test_can_choose_mistakes_become_feedback() -> None:
    assert "should answer True or False, but returned 'yes'" in str(
        px.exercises.check_can_choose(lambda c, side: "yes")
    )
    raised = px.exercises.check_can_choose(lambda c, side: side.nope)
    assert "your function raised AttributeError" in raised.problems[0]


def test_checks_need_a_function() -> None:
    with pytest.raises(px.ConfigError, match="check_persist needs your function"):
        px.exercises.check_persist("persist")
    with pytest.raises(px.ConfigError, match="check_can_choose needs your function"):
        px.exercises.check_can_choose(None)


def writes_changed(message, before, after):  # type: ignore[no-untyped-def]
    fields = ("promised", "accepted_ballot", "accepted_value")
    return {name for name in fields if getattr(before, name) != getattr(after, name)}


def test_writes_the_changed_fields_passes() -> None:
    feedback = px.exercises.check_writes(writes_changed)
    assert str(feedback) == "✓ Well done: writes is right in all 7 scenarios."


def test_writes_by_message_kind_misses_the_promise_an_accept_raises() -> None:
    def by_kind(message, before, after):  # type: ignore[no-untyped-def]
        return {"promised"} if message.KIND == "prepare" else {"accepted_ballot",
                                                                "accepted_value"}

    feedback = px.exercises.check_writes(by_kind)
    assert feedback.problems == (
        "after prepare 1.p1 p1→a2 (a copy of a prepare a2 already answered), you wrote "
        "promised, but handling it changed nothing: that write keeps nothing new, and a disk "
        "write is the slowest step an acceptor takes",
        "after prepare 1.p1 p1→a2 (below a2's promise 1.p2, so refused), you wrote promised, "
        "but handling it changed nothing: that write keeps nothing new, and a disk write is "
        "the slowest step an acceptor takes",
        "after accept 1.p1 'confirmed' p1→a2 (below a2's promise 1.p2, so refused), you wrote "
        "accepted_ballot and accepted_value, but handling it changed nothing: that write "
        "keeps nothing new, and a disk write is the slowest step an acceptor takes",
        "after accept 2.p1 'confirmed' p1→a2, a2's promise changed from 1.p2 to 2.p1, but you "
        "did not write it: if a2 crashed right after replying, it would come back having "
        "promised 1.p2, and could then accept a ballot below 2.p1, which it has sworn to "
        "ignore",
    )


@pytest.mark.parametrize(("fn", "says"), [
    (lambda m, b, a: set(), "but you did not write accepted_ballot and accepted_value: if a2 "
                            "crashed right after replying, it would come back with no vote"),
    (lambda m, b, a: {"accepted_value"} if m.KIND == "accept" else {"promised"},
     "its disk would hold half of the new vote next to half of no vote, a vote nobody cast"),
    (lambda m, b, a: {"promised", "accepted_ballot", "accepted_value"},
     "you wrote promised and accepted_ballot and accepted_value, but handling it changed "
     "nothing"),
    (lambda m, b, a: {"vote"}, "an acceptor has no field 'vote'"),
    (lambda m, b, a: "promised", "return the names of the fields to write"),
    (lambda m, b, a: 1 / 0, "your function raised ZeroDivisionError"),
])
def test_writes_mistakes_get_their_reason(fn, says) -> None:  # type: ignore[no-untyped-def]
    feedback = px.exercises.check_writes(fn)
    assert not feedback.passed and any(says in p for p in feedback.problems), feedback.problems
