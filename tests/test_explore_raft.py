"""The explorer on Raft (3 servers, sent-set network): exhaustive checks of the Raft
properties, and the figure-8 counterexample of the broken commit rule, pinned."""

from __future__ import annotations

import pytest

from paxos_lib.errors import PaxosError
from paxos_lib.explore import explore
from paxos_lib.raft import RaftCluster, RaftTrace, replay_raft
from paxos_lib.raft.scenarios import FIGURE8_COMMANDS, FIGURE8_PREFIX, figure8, figure8_values

CMD = FIGURE8_COMMANDS[0]
MODEL = RaftCluster(3, backoff=False)


@pytest.mark.parametrize("terms,states", [(1, 945), (2, 4917)])
def test_classic_raft_is_safe_in_every_state_of_a_small_model(terms: int, states: int) -> None:
    r = explore(MODEL, {"s1": CMD}, max_ballot=terms)
    assert r.end == "exhausted" and r.violation is None
    assert r.states == states  # a regression alarm: the model changed
    for name in ("election-safety", "one-vote-per-term", "log-matching",
                 "leader-completeness", "state-machine-safety"):
        assert name in r.detail
    ex = r.examples["all-applied"]
    assert isinstance(ex, RaftTrace) and len(ex) == 9
    sim = replay_raft(ex)
    assert all(sim.applied(s) == (CMD,) for s in ("s1", "s2", "s3"))


def test_a_crash_and_restart_keeps_raft_safe_with_one_term() -> None:
    # term, vote and log survive the crash; nothing breaks anywhere in the space
    r = explore(MODEL, {"s1": CMD}, max_ballot=1, max_crashes=1)
    assert r.end == "exhausted" and r.violation is None
    assert r.states == 7380


@pytest.mark.slow
def test_classic_raft_with_three_terms_is_safe_everywhere() -> None:
    r = explore(MODEL, {"s1": CMD}, max_ballot=3)
    assert r.end == "exhausted" and r.violation is None
    assert r.states == 40665


@pytest.mark.slow
def test_commit_old_term_gives_the_figure8_counterexample() -> None:
    start = figure8("raft-commit-old-term")
    r = explore(start.cluster, figure8_values(), start=start, max_ballot=4)
    assert r.end == "violation" and r.violation == "leader-completeness"
    trace = r.counterexample
    assert isinstance(trace, RaftTrace)
    assert len(trace) == 20 and len(trace) - FIGURE8_PREFIX == 7
    sim = replay_raft(trace)
    assert sim.applied("s1") == (CMD,)
    assert sim.world.node("s2").is_leader and sim.world.node("s2").term == 4
    assert not all(v.holds for v in sim.check())


def test_bad_property_names_are_refused() -> None:
    with pytest.raises(PaxosError, match="leader-completeness"):
        explore(MODEL, {"s1": CMD}, properties=["agreement"])
    with pytest.raises(PaxosError, match="raft-commit-old-term"):
        explore(MODEL, {"s1": CMD}, variant="forgetful-leader")
