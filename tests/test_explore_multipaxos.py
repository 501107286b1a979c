"""The explorer on Multi-Paxos replica clusters (small bounds, sent-set network)."""

import pytest

from paxos_lib import orders
from paxos_lib.errors import PaxosError
from paxos_lib.explore import explore
from paxos_lib.multipaxos import ReplicaCluster, ReplicaTrace, replay_orders
from paxos_lib.multipaxos.properties import replicas

CMD = str(orders.create(42, "c1", 1))


def test_classic_no_violation_within_depth_bound():
    r = explore(ReplicaCluster(3), [CMD], max_ballot=1, max_depth=10)
    assert r.violation is None
    assert r.end in ("exhausted", "bound")
    if r.end == "bound":
        assert "not exhausted" in r.detail
    ex = r.examples["all-applied"]
    assert isinstance(ex, ReplicaTrace)
    # not the empty run: the command is submitted, chosen and applied on every replica
    assert len(ex) == 9 and ex.steps[0].value == CMD
    sim = replay_orders(ex)
    assert all(CMD in r.log[: r.applied] for r in replicas(sim.world))


def test_forgetful_leader_shortest_counterexample():
    r = explore(ReplicaCluster(3), [CMD], variant="forgetful-leader", max_ballot=1,
                max_depth=14)
    assert r.end == "violation"
    assert r.violation == "slot-agreement"
    assert isinstance(r.counterexample, ReplicaTrace)
    assert len(r.counterexample) == 10
    sim = replay_orders(r.counterexample)
    assert not all(v.holds for v in ReplicaCluster(3).check_all(sim.world))


def test_bad_names_are_refused():
    with pytest.raises(PaxosError, match="forgetful-leader"):
        explore(ReplicaCluster(3), [CMD], variant="snippet")
    with pytest.raises(PaxosError, match="slot-agreement"):
        explore(ReplicaCluster(3), [CMD], properties=["agreement"])
