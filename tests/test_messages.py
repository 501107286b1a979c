"""Ballots, messages and effects: ordering, validation, labels, and the dict round trip."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paxos_lib import (
    Accept,
    Accepted,
    Ballot,
    ConfigError,
    Decided,
    Nack,
    PaxosError,
    Prepare,
    Promise,
)
from paxos_lib.messages import CancelTimer, Message, Send, SetTimer, message_from_dict

B1P1, B1P2, B2P1 = Ballot(1, "p1"), Ballot(1, "p2"), Ballot(2, "p1")


def every_message() -> list[Message]:
    return [
        Prepare(src="p1", dst="a1", ballot=B1P1),
        Promise(src="a1", dst="p1", ballot=B1P1),
        Promise(src="a1", dst="p1", ballot=B2P1, accepted_ballot=B1P2, accepted_value="y"),
        Accept(src="p1", dst="a1", ballot=B1P1, value="x"),
        Accepted(src="a1", dst="l1", ballot=B1P1, value="x"),
        Nack(src="a1", dst="p1", ballot=B1P1, promised=B2P1),
        Decided(src="p1", dst="l1", ballot=B1P1, value="x"),
    ]


# -- ballots ------------------------------------------------------------------------------------


def test_ballots_order_by_round_then_node() -> None:
    assert Ballot(1, "p1") < Ballot(1, "p2") < Ballot(2, "p1") < Ballot(2, "p2") < Ballot(10, "p1")
    assert sorted([B2P1, B1P2, B1P1]) == [B1P1, B1P2, B2P1]
    assert Ballot(0, "p1") < B1P1
    assert Ballot(3, "p2") == Ballot(3, "p2") and hash(Ballot(3, "p2")) == hash(Ballot(3, "p2"))


@given(st.integers(0, 10**6), st.sampled_from(["p1", "p2", "p12", "p"]),
       st.integers(0, 10**6), st.sampled_from(["p1", "p2", "p12", "p"]))
def test_ballot_order_is_total_and_matches_round_node_tuples(r1: int, n1: str, r2: int,
                                                              n2: str) -> None:
    a, b = Ballot(r1, n1), Ballot(r2, n2)
    assert (a < b) == ((r1, n1) < (r2, n2))
    assert (a == b) == ((r1, n1) == (r2, n2))
    assert sum([a < b, a == b, a > b]) == 1
    assert Ballot.parse(str(a)) == a


def test_ballot_prints_and_parses() -> None:
    assert str(Ballot(2, "p1")) == "2.p1"
    assert Ballot.parse("2.p1") == Ballot(2, "p1")
    assert Ballot.parse("12.p3") == Ballot(12, "p3")
    assert Ballot.parse("0.p") == Ballot(0, "p")
    assert Ballot.parse("1.5") == Ballot(1, "5")  # only the first dot splits


@pytest.mark.parametrize("text", ["", "2", "p1", ".p1", "2.", "-1.p1", "x.p1", "2p1"])
def test_ballot_parse_rejects_malformed_text(text: str) -> None:
    with pytest.raises(ConfigError, match=r"a ballot is written 'round.node' such as '2.p1', got "):
        Ballot.parse(text)


@pytest.mark.parametrize("round_", [-1, 1.0, "1", True, None])
def test_ballot_rejects_a_bad_round(round_: object) -> None:
    with pytest.raises(ConfigError, match=r"a ballot's round must be an int >= 0, got "):
        Ballot(round_, "p1")  # type: ignore[arg-type]


@pytest.mark.parametrize("node", ["", 1, None])
def test_ballot_rejects_a_bad_node(node: object) -> None:
    with pytest.raises(ConfigError, match=r"a ballot's node must be a non-empty node id such as "
                                          r"'p1', got "):
        Ballot(1, node)  # type: ignore[arg-type]


# -- messages -----------------------------------------------------------------------------------


def test_labels_and_str_name_the_step_and_the_endpoints() -> None:
    labels = [m.label for m in every_message()]
    assert labels == [
        "prepare 1.p1",
        "promise 1.p1",
        "promise 2.p1 (had 1.p2 'y')",
        "accept 1.p1 'x'",
        "accepted 1.p1 'x'",
        "nack 1.p1 (promised 2.p1)",
        "decided 1.p1 'x'",
    ]
    assert str(every_message()[0]) == "prepare 1.p1 p1→a1"
    assert str(every_message()[5]) == "nack 1.p1 (promised 2.p1) a1→p1"


def test_only_accepted_messages_are_votes() -> None:
    votes = [m.vote for m in every_message()]
    assert votes == [None, None, None, None, ("a1", B1P1, "x"), None, None]


def test_messages_are_frozen_hashable_values() -> None:
    a = Accept(src="p1", dst="a1", ballot=B1P1, value="x")
    b = Accept(src="p1", dst="a1", ballot=B1P1, value="x")
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != Accepted(src="p1", dst="a1", ballot=B1P1, value="x")
    with pytest.raises(AttributeError, match=r"cannot assign to field 'value'"):
        a.value = "y"  # type: ignore[misc]
    with pytest.raises(TypeError, match=r"takes 1 positional argument"):
        Accept("p1", "a1", B1P1, "x")  # type: ignore[misc]  # keyword-only


def test_sort_key_is_a_total_order_by_kind_then_endpoints() -> None:
    msgs = every_message()
    keys = [m.sort_key for m in msgs]
    assert len(set(keys)) == len(keys)
    assert [type(m).__name__ for m in sorted(msgs, key=lambda m: m.sort_key)] == [
        "Prepare", "Promise", "Promise", "Accept", "Accepted", "Nack", "Decided",
    ]
    bare = Promise(src="a1", dst="p1", ballot=B2P1)
    voted = Promise(src="a1", dst="p1", ballot=B2P1, accepted_ballot=B1P1, accepted_value="x")
    assert bare.sort_key < voted.sort_key
    assert Prepare(src="p1", dst="a1", ballot=B1P1).sort_key < \
        Prepare(src="p1", dst="a2", ballot=B1P1).sort_key


@pytest.mark.parametrize("msg", every_message(), ids=lambda m: m.label)
def test_every_message_survives_the_dict_round_trip(msg: Message) -> None:
    data = msg.to_dict()
    assert data["type"] == msg.KIND
    assert data["ballot"] == str(msg.ballot)
    assert message_from_dict(data) == msg


def test_to_dict_spells_ballots_as_text() -> None:
    msg = Promise(src="a1", dst="p1", ballot=B2P1, accepted_ballot=B1P2, accepted_value="y")
    assert msg.to_dict() == {
        "type": "promise", "src": "a1", "dst": "p1", "ballot": "2.p1",
        "accepted_ballot": "1.p2", "accepted_value": "y",
    }
    assert Nack(src="a1", dst="p1", ballot=B1P1, promised=B2P1).to_dict() == {
        "type": "nack", "src": "a1", "dst": "p1", "ballot": "1.p1", "promised": "2.p1",
    }


def test_a_promise_without_its_vote_fields_reads_back_as_bare() -> None:
    assert message_from_dict({"type": "promise", "src": "a1", "dst": "p1", "ballot": "1.p1"}) \
        == Promise(src="a1", dst="p1", ballot=B1P1)


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: Prepare(src="", dst="a1", ballot=B1P1),
         r"prepare.src must be a non-empty node id such as 'p1', got ''"),
        (lambda: Prepare(src="p1", dst=3, ballot=B1P1),
         r"prepare.dst must be a non-empty node id such as 'p1', got 3"),
        (lambda: Prepare(src="p1", dst="a1", ballot=(1, "p1")),
         r"prepare.ballot must be a Ballot, got \(1, 'p1'\)"),
        (lambda: Accept(src="p1", dst="a1", ballot=B1P1, value=""),
         r"accept.value must be a non-empty string such as 'confirmed', got ''"),
        (lambda: Accepted(src="a1", dst="p1", ballot=B1P1, value=None),
         r"accepted.value must be a non-empty string such as 'confirmed', got None"),
        (lambda: Decided(src="p1", dst="l1", ballot=B1P1, value=7),
         r"decided.value must be a non-empty string such as 'confirmed', got 7"),
        (lambda: Nack(src="a1", dst="p1", ballot=B1P1, promised="2.p1"),
         r"nack.promised must be a Ballot, got '2.p1'"),
        (lambda: Promise(src="a1", dst="p1", ballot=B1P1, accepted_ballot=B1P1),
         r"promise.accepted_ballot and promise.accepted_value are both set or both None, "
         r"got Ballot\(round=1, node='p1'\) and None"),
        (lambda: Promise(src="a1", dst="p1", ballot=B1P1, accepted_value="x"),
         r"both set or both None, got None and 'x'"),
        (lambda: Promise(src="a1", dst="p1", ballot=B1P1, accepted_ballot="1.p1",
                         accepted_value="x"),
         r"promise.accepted_ballot must be a Ballot or None, got '1.p1'"),
        (lambda: Promise(src="a1", dst="p1", ballot=B1P1, accepted_ballot=B1P1,
                         accepted_value=""),
         r"promise.accepted_value must be a non-empty string such as 'confirmed', got ''"),
    ],
)
def test_messages_validate_their_fields(build: object, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        build()  # type: ignore[operator]


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ("prepare", r"a message is a dict with a 'type', got 'prepare'"),
        ({"src": "p1"}, r"unknown message type None; known types: accept, accepted, decided, "
                        r"nack, prepare, promise"),
        ({"type": "hello"}, r"unknown message type 'hello'; known types: accept, accepted, "),
        ({"type": "accept", "src": "p1", "dst": "a1", "ballot": "1.p1"},
         r"accept message is missing the field 'value'"),
        ({"type": "prepare", "src": "p1", "dst": "a1", "ballot": "one.p1"},
         r"a ballot is written 'round.node' such as '2.p1', got 'one.p1'"),
        ({"type": "prepare", "src": "p1", "dst": "a1", "ballot": None},
         r"prepare.ballot must be a Ballot, got None"),
        ({"type": "nack", "src": "a1", "dst": "p1", "ballot": "1.p1", "promised": 2},
         r"a ballot is written 'round.node' such as '2.p1', got '2'"),
    ],
)
def test_message_from_dict_rejects_junk(data: object, match: str) -> None:
    with pytest.raises(PaxosError, match=match):
        message_from_dict(data)  # type: ignore[arg-type]


# -- effects ------------------------------------------------------------------------------------


def test_effects_are_values() -> None:
    m = Prepare(src="p1", dst="a1", ballot=B1P1)
    assert Send(m) == Send(Prepare(src="p1", dst="a1", ballot=B1P1))
    assert SetTimer("p1") == SetTimer("p1") != CancelTimer("p1")
    assert len({Send(m), Send(m), SetTimer("p1"), CancelTimer("p1")}) == 3


def test_the_cached_sort_key_is_not_a_field_and_survives_copies() -> None:
    import copy
    import pickle

    from paxos_lib.multipaxos.messages import LogPrepare

    fresh = Promise(src="a1", dst="p1", ballot=B1P1, accepted_ballot=B1P1, accepted_value="v")
    used = Promise(src="a1", dst="p1", ballot=B1P1, accepted_ballot=B1P1, accepted_value="v")
    assert used.sort_key == fresh.sort_key  # computed once, then cached on ``used``
    assert used == fresh and hash(used) == hash(fresh) and repr(used) == repr(fresh)
    assert "_sort" not in used.to_dict() and message_from_dict(used.to_dict()) == used
    for m in (fresh, used, LogPrepare(src="r1", dst="r2", ballot=B1P1, from_slot=0)):
        for copied in (pickle.loads(pickle.dumps(m)), copy.deepcopy(m), copy.copy(m)):
            assert copied == m and copied.sort_key == m.sort_key
