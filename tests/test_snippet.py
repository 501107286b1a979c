"""The seed's toy Paxos behaves exactly as the seed did, and says what it leaves out."""

from __future__ import annotations

import dataclasses

import pytest

from paxos_lib import snippet
from paxos_lib.errors import ConfigError, PaxosError
from paxos_lib.snippet import PaxosNode, Proposal, run_paxos


def test_proposal_is_a_plain_dataclass_with_id_and_value() -> None:
    proposal = Proposal(id=1, value="confirmed")
    assert [f.name for f in dataclasses.fields(Proposal)] == ["id", "value"]
    assert (proposal.id, proposal.value) == (1, "confirmed")
    assert proposal == Proposal(1, "confirmed")


def test_new_node_has_promised_nothing_and_accepted_nothing() -> None:
    node = PaxosNode()
    assert node.promised_id is None
    assert node.accepted is None


def test_prepare_promises_when_nothing_promised_yet() -> None:
    node = PaxosNode()
    assert node.prepare(1) is True
    assert (node.promised_id, node.accepted) == (1, None)


def test_prepare_promises_a_greater_id() -> None:
    node = PaxosNode()
    node.prepare(1)
    assert node.prepare(5) is True
    assert (node.promised_id, node.accepted) == (5, None)


@pytest.mark.parametrize("proposal_id", [3, 2])
def test_prepare_refuses_an_equal_or_smaller_id_and_keeps_its_promise(proposal_id: int) -> None:
    node = PaxosNode()
    node.prepare(3)
    assert node.prepare(proposal_id) is False
    assert (node.promised_id, node.accepted) == (3, None)


def test_prepare_accepts_zero_and_negative_ids_as_the_seed_did() -> None:
    node = PaxosNode()
    assert node.prepare(0) is True
    assert node.prepare(-1) is False
    assert node.promised_id == 0


def test_accept_when_promised_id_equals_the_proposal_id() -> None:
    node = PaxosNode()
    node.prepare(2)
    proposal = Proposal(id=2, value="shipped")
    assert node.accept(proposal) is True
    assert (node.promised_id, node.accepted) == (2, proposal)


def test_accept_refused_without_any_promise() -> None:
    node = PaxosNode()
    assert node.accept(Proposal(id=1, value="confirmed")) is False
    assert (node.promised_id, node.accepted) == (None, None)


@pytest.mark.parametrize("proposal_id", [1, 3])
def test_accept_refused_when_promised_id_differs(proposal_id: int) -> None:
    node = PaxosNode()
    node.prepare(2)
    assert node.accept(Proposal(id=proposal_id, value="confirmed")) is False
    assert (node.promised_id, node.accepted) == (2, None)


def test_a_later_accept_overwrites_the_accepted_value() -> None:
    # The seed's acceptor keeps no memory that a value was chosen: the flaw notebook 03 fixes.
    node = PaxosNode()
    node.prepare(1)
    node.accept(Proposal(id=1, value="confirmed"))
    node.prepare(2)
    assert node.accept(Proposal(id=2, value="cancelled")) is True
    assert node.accepted == Proposal(id=2, value="cancelled")


@pytest.mark.parametrize("state", ["confirmed", "cancelled", "shipped", " "])
def test_run_paxos_reaches_consensus_on_the_given_state(state: str) -> None:
    assert run_paxos(state) == f"Consensus reached: {state}"


def test_run_paxos_reproduces_the_seed_output_line() -> None:
    assert f"Paxos result: {run_paxos('confirmed')}" == "Paxos result: Consensus reached: confirmed"


def test_run_paxos_reports_failure_when_the_node_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(PaxosNode, "prepare", lambda self, proposal_id: False)
    assert run_paxos("confirmed") == "Consensus failed"
    monkeypatch.undo()
    monkeypatch.setattr(PaxosNode, "accept", lambda self, proposal: False)
    assert run_paxos("confirmed") == "Consensus failed"


@pytest.mark.parametrize(
    ("bad", "shown"), [("", "''"), (None, "None"), (42, "42"), (b"confirmed", "b'confirmed'")]
)
def test_run_paxos_rejects_a_non_string_or_empty_state(bad: object, shown: str) -> None:
    with pytest.raises(ConfigError, match=f"non-empty string, got {shown}$"):
        run_paxos(bad)  # type: ignore[arg-type]


def test_config_error_is_a_paxos_error_and_a_value_error() -> None:
    with pytest.raises(PaxosError, match="order_state"):
        run_paxos("")
    with pytest.raises(ValueError, match="order_state"):
        run_paxos("")


def test_module_docstring_says_what_it_leaves_out() -> None:
    doc = (snippet.__doc__ or "").lower()
    for omission in (
        "one acceptor",
        "no competing proposer",
        "promise carries no previously accepted value",
        "ballot 1 for everyone",
    ):
        assert omission in doc, omission


def test_rule_docstrings_state_the_rule() -> None:
    assert "greater" in (PaxosNode.prepare.__doc__ or "")
    assert "equals" in (PaxosNode.accept.__doc__ or "")
