"""Scripted walks through each role, asserting the whole new state and the exact effects.

Each step hands one message (or a client value, or a timeout) to a role and compares what it
returns -- the complete new state and the complete effects tuple -- with what the protocol
says.  A stale or lower-ballot message must leave the state exactly as it was.
"""

from __future__ import annotations

from dataclasses import fields
from itertools import permutations

import pytest

from paxos_lib import (
    Accept,
    Accepted,
    Acceptor,
    Ballot,
    Cluster,
    ConfigError,
    Decided,
    Learner,
    Nack,
    Prepare,
    Promise,
    Proposer,
)
from paxos_lib.messages import CancelTimer, Message, Send, SetTimer
from paxos_lib.variants import Rules, rules_for

B1P1, B1P2, B2P1, B2P2, B3P2 = (Ballot(1, "p1"), Ballot(1, "p2"), Ballot(2, "p1"),
                                Ballot(2, "p2"), Ballot(3, "p2"))


def rules(variant: str = "classic", **cluster: int) -> Rules:
    shape = {"proposers": 2, "acceptors": 3, "learners": 2, **cluster}
    return rules_for(Cluster(**shape), variant)


CLASSIC = rules()


def prepares(src: str, ballot: Ballot, acceptors: tuple[str, ...] = ("a1", "a2", "a3")
             ) -> tuple[Send, ...]:
    return tuple(Send(Prepare(src=src, dst=a, ballot=ballot)) for a in acceptors)


def accepts(src: str, ballot: Ballot, value: str,
            acceptors: tuple[str, ...] = ("a1", "a2", "a3")) -> tuple[Send, ...]:
    return tuple(Send(Accept(src=src, dst=a, ballot=ballot, value=value)) for a in acceptors)


def promise(src: str, dst: str, ballot: Ballot, had: tuple[Ballot, str] | None = None
            ) -> Promise:
    if had is None:
        return Promise(src=src, dst=dst, ballot=ballot)
    return Promise(src=src, dst=dst, ballot=ballot, accepted_ballot=had[0],
                   accepted_value=had[1])


def unchanged(state: object, msg: Message, r: Rules = CLASSIC) -> None:
    new, effects = state.on_message(msg, r)  # type: ignore[attr-defined]
    assert new == state
    assert effects == ()


# -- acceptor -----------------------------------------------------------------------------------


def test_acceptor_walk_promise_accept_nack() -> None:
    a1 = Acceptor(node="a1")

    # 1a arrives at a fresh acceptor: it promises and reports no vote.
    a1, effects = a1.on_message(Prepare(src="p1", dst="a1", ballot=B1P1), CLASSIC)
    assert a1 == Acceptor(node="a1", promised=B1P1)
    assert effects == (Send(promise("a1", "p1", B1P1)),)

    # The same 1a again (a duplicate): the same answer, no change.
    again, effects = a1.on_message(Prepare(src="p1", dst="a1", ballot=B1P1), CLASSIC)
    assert again == a1
    assert effects == (Send(promise("a1", "p1", B1P1)),)

    # A higher ballot from p2: promise it.
    a1, effects = a1.on_message(Prepare(src="p2", dst="a1", ballot=B1P2), CLASSIC)
    assert a1 == Acceptor(node="a1", promised=B1P2)
    assert effects == (Send(promise("a1", "p2", B1P2)),)

    # Lower-ballot 1a and 2a: refused with a Nack naming the promise; the state is untouched.
    before = a1
    a1, effects = a1.on_message(Prepare(src="p1", dst="a1", ballot=B1P1), CLASSIC)
    assert a1 is before
    assert effects == (Send(Nack(src="a1", dst="p1", ballot=B1P1, promised=B1P2)),)
    a1, effects = a1.on_message(Accept(src="p1", dst="a1", ballot=B1P1, value="x"), CLASSIC)
    assert a1 is before
    assert effects == (Send(Nack(src="a1", dst="p1", ballot=B1P1, promised=B1P2)),)

    # 2a at the promised ballot: accept, and tell the proposer and every learner (2b).
    a1, effects = a1.on_message(Accept(src="p2", dst="a1", ballot=B1P2, value="y"), CLASSIC)
    assert a1 == Acceptor(node="a1", promised=B1P2, accepted_ballot=B1P2, accepted_value="y")
    assert effects == tuple(
        Send(Accepted(src="a1", dst=d, ballot=B1P2, value="y")) for d in ("p2", "l1", "l2")
    )

    # A higher 1a: the promise reports the vote.
    a1, effects = a1.on_message(Prepare(src="p1", dst="a1", ballot=B2P1), CLASSIC)
    assert a1 == Acceptor(node="a1", promised=B2P1, accepted_ballot=B1P2, accepted_value="y")
    assert effects == (Send(promise("a1", "p1", B2P1, (B1P2, "y"))),)

    # The old 2a again, now below the promise: Nack, no change (the vote stays 1.p2 'y').
    before = a1
    a1, effects = a1.on_message(Accept(src="p2", dst="a1", ballot=B1P2, value="y"), CLASSIC)
    assert a1 is before
    assert effects == (Send(Nack(src="a1", dst="p2", ballot=B1P2, promised=B2P1)),)

    # A 2a above the promise, with no 1a before it: accepted, and the promise rises with it.
    a1, effects = a1.on_message(Accept(src="p2", dst="a1", ballot=B3P2, value="y"), CLASSIC)
    assert a1 == Acceptor(node="a1", promised=B3P2, accepted_ballot=B3P2, accepted_value="y")
    assert [e.message.dst for e in effects if isinstance(e, Send)] == ["p2", "l1", "l2"]
    assert len(effects) == 3


def test_acceptor_accepts_the_same_2a_twice_and_votes_twice() -> None:
    a1 = Acceptor(node="a1", promised=B1P1)
    accept = Accept(src="p1", dst="a1", ballot=B1P1, value="x")
    first, effects1 = a1.on_message(accept, CLASSIC)
    second, effects2 = first.on_message(accept, CLASSIC)
    assert first == second == Acceptor(node="a1", promised=B1P1, accepted_ballot=B1P1,
                                       accepted_value="x")
    assert effects1 == effects2 and len(effects1) == 3


def test_acceptor_ignores_messages_it_does_not_handle() -> None:
    a1 = Acceptor(node="a1", promised=B1P1, accepted_ballot=B1P1, accepted_value="x")
    for msg in (
        promise("a2", "a1", B2P2),
        Accepted(src="a2", dst="a1", ballot=B2P2, value="y"),
        Nack(src="a2", dst="a1", ballot=B1P1, promised=B2P2),
        Decided(src="p1", dst="a1", ballot=B2P2, value="y"),
    ):
        unchanged(a1, msg)
    assert a1.on_timeout(CLASSIC) == (a1, ())


def test_snippet_acceptor_promises_without_its_vote() -> None:
    r = rules("snippet")
    a1 = Acceptor(node="a1", promised=B1P1, accepted_ballot=B1P1, accepted_value="x")
    new, effects = a1.on_message(Prepare(src="p2", dst="a1", ballot=B1P2), r)
    assert new == Acceptor(node="a1", promised=B1P2, accepted_ballot=B1P1, accepted_value="x")
    assert effects == (Send(Promise(src="a1", dst="p2", ballot=B1P2)),)


def test_acceptor_after_crash_keeps_exactly_its_durable_fields() -> None:
    assert Acceptor.DURABLE == ("promised", "accepted_ballot", "accepted_value")
    a1 = Acceptor(node="a1", promised=B2P1, accepted_ballot=B1P2, accepted_value="y")
    assert a1.after_crash(CLASSIC) == a1
    assert a1.after_crash(rules("amnesiac-acceptor")) == Acceptor(node="a1")
    for variant in ("snippet", "forgetful-proposer", "duplicate-ballots", "minority-quorum"):
        assert a1.after_crash(rules(variant)) == a1


# -- proposer -----------------------------------------------------------------------------------


def test_proposer_walk_from_a_client_value_to_a_decision() -> None:
    p1 = Proposer(node="p1")
    assert p1.can_propose and not p1.waiting

    # Rule 1: a client's value starts ballot 1.p1: 1a to every acceptor, timer armed.
    p1, effects = p1.on_propose("x", CLASSIC)
    assert p1 == Proposer(node="p1", round=1, phase="preparing", value="x", ballot=B1P1)
    assert effects == (*prepares("p1", B1P1), SetTimer("p1"))
    assert not p1.can_propose and p1.waiting

    # One promise is not a quorum of 3.
    p1, effects = p1.on_message(promise("a2", "p1", B1P1), CLASSIC)
    assert p1 == Proposer(node="p1", round=1, phase="preparing", value="x", ballot=B1P1,
                          promises=(("a2", None, None),))
    assert effects == ()

    # The same promise again, and promises for other ballots: nothing changes.
    unchanged(p1, promise("a2", "p1", B1P1))
    unchanged(p1, promise("a1", "p1", B2P1))
    unchanged(p1, promise("a1", "p1", B1P2))
    # Votes before phase 2 and nacks for other ballots change nothing either.
    unchanged(p1, Accepted(src="a1", dst="p1", ballot=B1P1, value="x"))
    unchanged(p1, Nack(src="a1", dst="p1", ballot=B2P1, promised=B3P2))

    # The second promise makes a quorum; no vote reported, so p1 proposes its own value.
    p1, effects = p1.on_message(promise("a1", "p1", B1P1), CLASSIC)
    assert p1 == Proposer(node="p1", round=1, phase="accepting", value="x", ballot=B1P1,
                          promises=(("a1", None, None), ("a2", None, None)), proposal="x")
    assert effects == accepts("p1", B1P1, "x")

    # A late promise after phase 2 began changes nothing.
    unchanged(p1, promise("a3", "p1", B1P1))

    # Votes: one is not enough; repeats and other ballots are ignored.
    p1, effects = p1.on_message(Accepted(src="a3", dst="p1", ballot=B1P1, value="x"), CLASSIC)
    assert p1 == Proposer(node="p1", round=1, phase="accepting", value="x", ballot=B1P1,
                          promises=(("a1", None, None), ("a2", None, None)), proposal="x",
                          accepts=("a3",))
    assert effects == ()
    unchanged(p1, Accepted(src="a3", dst="p1", ballot=B1P1, value="x"))
    unchanged(p1, Accepted(src="a1", dst="p1", ballot=B2P1, value="x"))

    # A quorum of votes: decided; tell every learner and disarm the timer.
    p1, effects = p1.on_message(Accepted(src="a1", dst="p1", ballot=B1P1, value="x"), CLASSIC)
    assert p1 == Proposer(node="p1", round=1, phase="decided", value="x", ballot=B1P1,
                          promises=(("a1", None, None), ("a2", None, None)), proposal="x",
                          accepts=("a1", "a3"))
    assert effects == (
        Send(Decided(src="p1", dst="l1", ballot=B1P1, value="x")),
        Send(Decided(src="p1", dst="l2", ballot=B1P1, value="x")),
        CancelTimer("p1"),
    )
    assert not p1.waiting and not p1.can_propose

    # Once decided, nothing moves it: more votes, nacks, timeouts.
    unchanged(p1, Accepted(src="a2", dst="p1", ballot=B1P1, value="x"))
    unchanged(p1, Nack(src="a2", dst="p1", ballot=B1P1, promised=B3P2))
    assert p1.on_timeout(CLASSIC) == (p1, ())


def test_proposer_ignores_messages_it_does_not_handle() -> None:
    p1, _ = Proposer(node="p1").on_propose("x", CLASSIC)
    unchanged(p1, Prepare(src="p2", dst="p1", ballot=B1P1))
    unchanged(p1, Accept(src="p2", dst="p1", ballot=B1P1, value="y"))
    unchanged(p1, Decided(src="p2", dst="p1", ballot=B1P1, value="y"))


def promised_proposer(promises: list[Promise], r: Rules, value: str = "mine") -> Proposer:
    """Proposer p1 at ballot 3.p1 after receiving ``promises`` in order."""
    p1 = Proposer(node="p1", round=3, phase="preparing", value=value, ballot=Ballot(3, "p1"))
    for msg in promises:
        p1, _ = p1.on_message(msg, r)
    return p1


def test_proposer_adopts_the_value_of_the_highest_ballot_vote_in_any_order() -> None:
    r = rules(acceptors=5)  # quorum 3
    b3 = Ballot(3, "p1")
    reported = [
        promise("a1", "p1", b3, (B1P2, "old")),
        promise("a2", "p1", b3),
        promise("a3", "p1", b3, (B2P1, "newer")),
    ]
    for order in permutations(reported):
        p1 = promised_proposer(list(order), r)
        assert p1 == Proposer(
            node="p1", round=3, phase="accepting", value="mine", ballot=b3,
            promises=(("a1", B1P2, "old"), ("a2", None, None), ("a3", B2P1, "newer")),
            proposal="newer",
        )


def test_a_ballots_node_breaks_a_tie_between_equal_rounds() -> None:
    b3 = Ballot(3, "p1")
    p1 = promised_proposer([promise("a1", "p1", b3, (B2P2, "by p2")),
                            promise("a2", "p1", b3, (B2P1, "by p1"))], CLASSIC)
    assert p1.proposal == "by p2"  # 2.p2 > 2.p1


def test_the_quorum_reached_decides_which_votes_count() -> None:
    # a3's vote at the highest ballot arrives after the quorum: it is not among the promises.
    b3 = Ballot(3, "p1")
    p1 = promised_proposer([promise("a1", "p1", b3, (B1P2, "old")),
                            promise("a2", "p1", b3),
                            promise("a3", "p1", b3, (B2P1, "late"))], CLASSIC)
    assert p1.promises == (("a1", B1P2, "old"), ("a2", None, None))
    assert p1.proposal == "old"


def test_forgetful_proposer_ignores_reported_votes() -> None:
    b3 = Ballot(3, "p1")
    p1 = promised_proposer([promise("a1", "p1", b3, (B2P2, "chosen")),
                            promise("a2", "p1", b3, (B2P2, "chosen"))],
                           rules("forgetful-proposer"))
    assert p1.phase == "accepting" and p1.proposal == "mine"


@pytest.mark.parametrize(
    ("acceptors", "quorum", "needed"),
    [(1, None, 1), (2, None, 2), (4, None, 3), (5, None, 3), (5, 4, 4), (5, 1, 1)],
)
def test_phase_two_starts_at_exactly_the_quorum(acceptors: int, quorum: int | None,
                                                needed: int) -> None:
    r = rules_for(Cluster(proposers=1, acceptors=acceptors, quorum=quorum), "classic")
    ids = r.acceptors
    p1, _ = Proposer(node="p1").on_propose("x", r)
    for i, a in enumerate(ids[:needed], 1):
        p1, effects = p1.on_message(promise(a, "p1", B1P1), r)
        if i < needed:
            assert p1.phase == "preparing" and effects == ()
        else:
            assert p1.phase == "accepting"
            assert effects == accepts("p1", B1P1, "x", ids)
    for i, a in enumerate(ids[:needed], 1):
        p1, effects = p1.on_message(Accepted(src=a, dst="p1", ballot=B1P1, value="x"), r)
        assert p1.phase == ("decided" if i == needed else "accepting")
    assert effects == (Send(Decided(src="p1", dst="l1", ballot=B1P1, value="x")),
                       CancelTimer("p1"))


def test_minority_quorum_variant_needs_fewer_promises() -> None:
    r = rules("minority-quorum", acceptors=5)
    assert r.quorum == 2
    p1, _ = Proposer(node="p1").on_propose("x", r)
    p1, _ = p1.on_message(promise("a1", "p1", B1P1), r)
    p1, effects = p1.on_message(promise("a5", "p1", B1P1), r)
    assert p1.phase == "accepting"
    assert effects == accepts("p1", B1P1, "x", r.acceptors)


def test_nack_for_the_current_ballot_gives_it_up_until_the_timer_fires() -> None:
    p1, _ = Proposer(node="p1").on_propose("x", CLASSIC)
    p1, _ = p1.on_message(promise("a1", "p1", B1P1), CLASSIC)
    p1, effects = p1.on_message(Nack(src="a2", dst="p1", ballot=B1P1, promised=B3P2), CLASSIC)
    nacked = Proposer(node="p1", round=3, phase="nacked", value="x", ballot=B1P1,
                      promises=(("a1", None, None),))
    assert p1 == nacked
    assert effects == ()
    assert p1.waiting and not p1.can_propose

    # While nacked, promises and votes for the refused ballot change nothing.
    unchanged(p1, promise("a3", "p1", B1P1))
    unchanged(p1, Accepted(src="a3", dst="p1", ballot=B1P1, value="x"))
    # A second nack for it with a lower promise keeps the higher round.
    unchanged(p1, Nack(src="a3", dst="p1", ballot=B1P1, promised=B1P2))

    # The timer fires: a fresh ballot above the promise that refused us.
    p1, effects = p1.on_timeout(CLASSIC)
    b4 = Ballot(4, "p1")
    assert p1 == Proposer(node="p1", round=4, phase="preparing", value="x", ballot=b4)
    assert effects == (*prepares("p1", b4), SetTimer("p1"))

    # A nack for the abandoned ballot arrives late: ignored.
    unchanged(p1, Nack(src="a3", dst="p1", ballot=B1P1, promised=B3P2))


def test_nack_below_our_own_round_keeps_our_round() -> None:
    b5 = Ballot(5, "p1")
    p1 = Proposer(node="p1", round=5, phase="preparing", value="x", ballot=b5)
    p1, effects = p1.on_message(Nack(src="a1", dst="p1", ballot=b5, promised=Ballot(5, "p2")),
                                CLASSIC)
    assert p1 == Proposer(node="p1", round=5, phase="nacked", value="x", ballot=b5)
    assert effects == ()
    p1, effects = p1.on_timeout(CLASSIC)
    assert p1 == Proposer(node="p1", round=6, phase="preparing", value="x", ballot=Ballot(6, "p1"))
    assert effects == (*prepares("p1", Ballot(6, "p1")), SetTimer("p1"))


def test_nack_in_phase_two_gives_up_the_ballot_too() -> None:
    p1 = Proposer(node="p1", round=1, phase="accepting", value="x", ballot=B1P1,
                  promises=(("a1", None, None), ("a2", None, None)), proposal="x",
                  accepts=("a1",))
    p1, effects = p1.on_message(Nack(src="a2", dst="p1", ballot=B1P1, promised=B1P2), CLASSIC)
    assert p1 == Proposer(node="p1", round=1, phase="nacked", value="x", ballot=B1P1,
                          promises=(("a1", None, None), ("a2", None, None)), proposal="x",
                          accepts=("a1",))
    assert effects == ()
    # A vote for the refused ballot no longer counts toward a decision.
    unchanged(p1, Accepted(src="a3", dst="p1", ballot=B1P1, value="x"))
    p1, effects = p1.on_timeout(CLASSIC)
    assert p1 == Proposer(node="p1", round=2, phase="preparing", value="x", ballot=B2P1)
    assert effects == (*prepares("p1", B2P1), SetTimer("p1"))


def test_idle_proposer_ignores_nacks_and_timeouts() -> None:
    p1 = Proposer(node="p1", round=2)
    unchanged(p1, Nack(src="a1", dst="p1", ballot=B2P1, promised=B3P2))
    assert p1.on_timeout(CLASSIC) == (p1, ())


def test_timeout_retries_with_the_next_round_and_the_same_value() -> None:
    p1, _ = Proposer(node="p1").on_propose("x", CLASSIC)
    p1, _ = p1.on_message(promise("a1", "p1", B1P1), CLASSIC)
    p1, effects = p1.on_timeout(CLASSIC)
    assert p1 == Proposer(node="p1", round=2, phase="preparing", value="x", ballot=B2P1)
    assert effects == (*prepares("p1", B2P1), SetTimer("p1"))


def test_duplicate_ballots_variant_uses_a_shared_ballot_node() -> None:
    r = rules("duplicate-ballots")
    shared = Ballot(1, "p")
    p1, e1 = Proposer(node="p1").on_propose("x", r)
    p2, e2 = Proposer(node="p2").on_propose("y", r)
    assert p1.ballot == p2.ballot == shared
    assert e1 == (*prepares("p1", shared), SetTimer("p1"))
    assert e2 == (*prepares("p2", shared), SetTimer("p2"))


def test_proposer_after_crash_keeps_exactly_its_round() -> None:
    assert Proposer.DURABLE == ("round",)
    busy = Proposer(node="p2", round=7, phase="accepting", value="x", ballot=Ballot(7, "p2"),
                    promises=(("a1", None, None), ("a2", B1P1, "y")), proposal="y",
                    accepts=("a1",))
    restarted = busy.after_crash(CLASSIC)
    assert restarted == Proposer(node="p2", round=7)
    assert restarted.can_propose
    again, effects = restarted.on_propose("x", CLASSIC)
    assert again.ballot == Ballot(8, "p2")  # never reuses a ballot it used before the crash
    assert effects[-1] == SetTimer("p2")


def test_a_proposer_rejects_an_unknown_phase() -> None:
    with pytest.raises(ConfigError, match=r"unknown proposer phase 'waiting'; phases: "
                                          r"\('idle', 'preparing', 'accepting', 'nacked', "
                                          r"'decided'\)"):
        Proposer(node="p1", phase="waiting")


# -- learner ------------------------------------------------------------------------------------


def test_learner_walk_votes_then_learns() -> None:
    l1 = Learner(node="l1")
    v1 = Accepted(src="a1", dst="l1", ballot=B1P1, value="x")

    l1, effects = l1.on_message(v1, CLASSIC)
    assert l1 == Learner(node="l1", votes=frozenset({("a1", B1P1, "x")}))
    assert effects == ()

    unchanged(l1, v1)  # the same vote again

    # A vote for the same value at another ballot does not count toward 1.p1's quorum.
    l1, effects = l1.on_message(Accepted(src="a2", dst="l1", ballot=B1P2, value="x"), CLASSIC)
    assert l1 == Learner(node="l1", votes=frozenset({("a1", B1P1, "x"), ("a2", B1P2, "x")}))
    assert effects == ()

    # A vote for another value at the same ballot does not count either (duplicate ballots).
    l1, _ = l1.on_message(Accepted(src="a3", dst="l1", ballot=B1P1, value="y"), CLASSIC)
    assert l1.learned is None

    # The second vote for 'x' at 1.p1: a quorum, so 'x' is learned.
    l1, effects = l1.on_message(Accepted(src="a2", dst="l1", ballot=B1P1, value="x"), CLASSIC)
    assert l1 == Learner(
        node="l1",
        learned="x",
        votes=frozenset({("a1", B1P1, "x"), ("a2", B1P2, "x"), ("a3", B1P1, "y"),
                         ("a2", B1P1, "x")}),
    )
    assert effects == ()

    # Having learned, it ignores further votes and decisions.
    unchanged(l1, Accepted(src="a3", dst="l1", ballot=B2P2, value="y"))
    unchanged(l1, Decided(src="p2", dst="l1", ballot=B2P2, value="y"))


def test_learner_takes_a_decided_message_at_its_word() -> None:
    l1 = Learner(node="l1", votes=frozenset({("a1", B1P1, "x")}))
    l1, effects = l1.on_message(Decided(src="p1", dst="l1", ballot=B1P1, value="x"), CLASSIC)
    assert l1 == Learner(node="l1", learned="x", votes=frozenset({("a1", B1P1, "x")}))
    assert effects == ()


def test_learner_ignores_messages_it_does_not_handle() -> None:
    l1 = Learner(node="l1")
    for msg in (Prepare(src="p1", dst="l1", ballot=B1P1), promise("a1", "l1", B1P1),
                Accept(src="p1", dst="l1", ballot=B1P1, value="x"),
                Nack(src="a1", dst="l1", ballot=B1P1, promised=B1P2)):
        unchanged(l1, msg)
    assert l1.on_timeout(CLASSIC) == (l1, ())


def test_learner_with_a_quorum_of_one_learns_from_one_vote() -> None:
    r = rules("minority-quorum")
    l1, _ = Learner(node="l1").on_message(Accepted(src="a3", dst="l1", ballot=B1P2, value="y"), r)
    assert l1 == Learner(node="l1", learned="y", votes=frozenset({("a3", B1P2, "y")}))


def test_learner_after_crash_keeps_exactly_what_it_learned() -> None:
    assert Learner.DURABLE == ("learned",)
    l1 = Learner(node="l1", learned="x", votes=frozenset({("a1", B1P1, "x")}))
    assert l1.after_crash(CLASSIC) == Learner(node="l1", learned="x")
    fresh = Learner(node="l1", votes=frozenset({("a1", B1P1, "x")}))
    assert fresh.after_crash(CLASSIC) == Learner(node="l1")


# -- durability, generically --------------------------------------------------------------------


@pytest.mark.parametrize(
    "state",
    [
        Acceptor(node="a1", promised=B2P1, accepted_ballot=B1P2, accepted_value="y"),
        Proposer(node="p1", round=4, phase="accepting", value="x", ballot=Ballot(4, "p1"),
                 promises=(("a1", None, None), ("a2", B1P2, "y")), proposal="y",
                 accepts=("a2",)),
        Learner(node="l1", learned="x", votes=frozenset({("a1", B1P1, "x")})),
    ],
)
@pytest.mark.parametrize("variant", ["classic", "amnesiac-acceptor"])
def test_after_crash_keeps_durable_fields_and_resets_the_rest(state: object,
                                                              variant: str) -> None:
    r = rules(variant)
    after = state.after_crash(r)  # type: ignore[attr-defined]
    fresh = type(state)(node=state.node)  # type: ignore[attr-defined,call-arg]
    amnesia = isinstance(state, Acceptor) and variant == "amnesiac-acceptor"
    for f in fields(state):  # type: ignore[arg-type]
        kept = f.name == "node" or (f.name in state.DURABLE and not amnesia)  # type: ignore[attr-defined]
        expected = getattr(state if kept else fresh, f.name)
        assert getattr(after, f.name) == expected, (f.name, variant)
