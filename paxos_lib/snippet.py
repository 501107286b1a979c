"""The seed's toy Paxos, kept faithfully: one node agrees with itself on an order's state.

This is the code the course starts from (notebook 01).  It behaves exactly like the original
snippet: ``run_paxos("confirmed")`` returns ``"Consensus reached: confirmed"``.  The only
addition is that ``run_paxos`` rejects an order state that is not a non-empty string.

What it leaves out, on purpose, so the later lessons have something to fix:

- **One acceptor.**  A single ``PaxosNode`` decides alone; there is no quorum, so when that
  node crashes nothing can be decided, and nothing is "agreed across nodes".
- **No competing proposer.**  ``run_paxos`` proposes once and alone; nobody else ever sends
  a prepare or an accept, so no race between proposers is ever tried.
- **The promise carries no previously accepted value.**  ``prepare`` answers only yes or no,
  so a second proposer could not learn a value that was already chosen and would overwrite
  it (the ``snippet`` variant in ``paxos_lib.variants`` shows this going wrong).
- **Ballot 1 for everyone.**  Every run uses proposal id 1, so two proposers would share a
  ballot; real Paxos makes ballots unique per proposer, ``Ballot(round, node)``.

NOTE: ids here are plain ints and "none yet" is ``None``, as in the seed; the rest of
``paxos_lib`` uses ``Ballot`` values instead.  This module imports only ``paxos_lib.errors``.
"""

from __future__ import annotations

from dataclasses import dataclass

from paxos_lib.errors import ConfigError

__all__ = ["PaxosNode", "Proposal", "run_paxos"]


@dataclass
class Proposal:
    """A proposed value with its proposal id (the seed's name for a ballot)."""

    id: int
    value: str


class PaxosNode:
    """The seed's single node: it promises, then accepts, and remembers what it accepted."""

    def __init__(self) -> None:
        self.promised_id: int | None = None
        self.accepted: Proposal | None = None

    def prepare(self, proposal_id: int) -> bool:
        """Promise (and return True) when nothing is promised yet or the id is greater."""
        if self.promised_id is None or proposal_id > self.promised_id:
            self.promised_id = proposal_id
            return True
        return False

    def accept(self, proposal: Proposal) -> bool:
        """Accept (and return True) only when the promised id equals the proposal's id."""
        if self.promised_id == proposal.id:
            self.accepted = proposal
            return True
        return False


def run_paxos(order_state: str) -> str:
    """Propose ``order_state`` with id 1 to one fresh node and report whether it was accepted."""
    if not isinstance(order_state, str) or not order_state:
        raise ConfigError(f"order_state must be a non-empty string, got {order_state!r}")
    node = PaxosNode()
    proposal = Proposal(id=1, value=order_state)
    if node.prepare(proposal.id) and node.accept(proposal):
        return f"Consensus reached: {node.accepted.value}"
    return "Consensus failed"
