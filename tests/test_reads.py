"""Reads three ways (log, lease, any), judged by the linearizability checker."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paxos_lib.actions import Deliver, Partition, Propose, Timeout
from paxos_lib.engine import apply, enabled_actions
from paxos_lib.errors import ConfigError
from paxos_lib.explore import explore
from paxos_lib.linearizability import check_linearizable
from paxos_lib.multipaxos import replay_orders
from paxos_lib.multipaxos.clients import (
    SCENE_CANCEL,
    SCENE_READ,
    ClientCluster,
    ClientSimulation,
    client_history,
    partition_scene,
    run_clients,
    safe_margin,
)
from paxos_lib.multipaxos.messages import Reply, Request
from paxos_lib.simulation import Faults

FAULTS = Faults(drop=0.1, duplicate=0.05, crash=0.02, partition=0.02, timeout=0.01)


def _search(sim: ClientSimulation, depth: int):
    return explore(sim.cluster, {"c2": SCENE_READ}, start=sim, max_ballot=3, max_copies=1,
                   properties=["linearizable"], max_depth=depth)


@pytest.mark.parametrize("reads, margin", [("any", None), ("lease", 0)])
def test_explorer_catches_the_stale_read_with_a_shortest_counterexample(reads, margin):
    sim = partition_scene(reads, margin=margin)
    before = len(sim.trace)
    assert sim.world.node("c1").history[-1][:2] == (SCENE_CANCEL, "applied, now CANCELLED")
    r = _search(sim, 8)
    assert r.end == "violation" and r.violation == "linearizable"
    steps = r.counterexample.steps[before:]
    # the shop page asks r1 (cut off with it), which answers from its own stale copy
    assert steps[0] == Propose("c2", SCENE_READ)
    assert isinstance(steps[1], Deliver) and isinstance(steps[1].message, Request)
    assert steps[1].message.dst == "r1"
    assert isinstance(steps[2], Deliver) and steps[2].message == Reply(
        src="r1", dst="c2", ballot=steps[2].message.ballot, command=SCENE_READ,
        result="CONFIRMED")
    assert len(steps) == 3
    verdict = check_linearizable(client_history(replay_orders(r.counterexample).world))
    assert not verdict.linearizable
    assert [op.command for op in verdict.violation] == [SCENE_CANCEL, SCENE_READ]


def test_a_lease_within_its_margin_and_a_log_read_never_go_stale():
    # the same story with a safe margin: r1's lease ran out before r2 could take over, so
    # r1 sends the read through the log, which it cannot reach a quorum for
    assert partition_scene("lease").cluster.margin == safe_margin(20, 0.5) == 14
    for sim in (partition_scene("lease"), partition_scene("log")):
        r = _search(sim, 5)
        assert r.violation is None and r.end == "bound"


def test_safe_margin():
    assert safe_margin(20, 0.0) == 1  # the clocks' rounding only
    assert safe_margin(20, 0.5) == 14
    assert safe_margin(10, 0.1) == 3
    with pytest.raises(ConfigError, match=r"drift must be a number from 0 to 0\.9"):
        safe_margin(10, 1.5)


def test_log_reads_are_linearizable_under_faults_and_cost_a_slot_each():
    for seed in range(12):
        r = run_clients(3, 3, seed=seed, faults=FAULTS, reads="log")
        assert r.agree and r.linearizable, (seed, r.linearizability.explanation)
        assert r.end == "converged" and r.answered == r.operations
        assert r.read_slots >= r.read_operations  # every read took a slot (or two, retried)


def test_any_reads_go_stale_in_random_runs_too():
    stale = [seed for seed in range(12)
             if not run_clients(3, 3, seed=seed, faults=FAULTS, reads="any").linearizable]
    assert stale  # found by the checker in some runs


def test_leases_save_slots_and_stay_linearizable_with_their_margin():
    log = lease = 0
    for seed in range(12):
        a = run_clients(3, 3, seed=seed, faults=FAULTS, reads="lease", drift=0.2)
        assert a.agree and a.linearizable, (seed, a.linearizability.explanation)
        b = run_clients(3, 3, seed=seed, faults=FAULTS, reads="log", drift=0.2)
        lease += a.read_slots
        log += b.read_slots
    assert lease < log


def test_bad_read_settings():
    with pytest.raises(ConfigError, match="unknown read mode 'stale'; choose"):
        ClientCluster(3, reads="stale")
    with pytest.raises(ConfigError, match="margin must be an int from 0 to 9, got 10"):
        ClientCluster(3, reads="lease", lease=10, margin=10)
    with pytest.raises(ConfigError, match=r"rates must be 3 number\(s\), each from 0.9 to 1.1"):
        ClientCluster(3, drift=0.1, rates=(1.0, 1.0, 1.5))
    with pytest.raises(ConfigError, match="lease must be an int from 1"):
        ClientCluster(3, lease=0)


def test_explorer_finds_the_write_and_the_stale_read_from_a_quiet_cluster():
    # no partition: order #1 is created and every replica applied it; the explorer must
    # find the interleaving itself: the cancel chosen by r1 with r2's vote and answered,
    # then a read at r3, which has not heard of it yet
    cluster = ClientCluster(3, clients=2, reads="any", seed=25)
    sim = ClientSimulation(cluster, seed=0)
    sim.invoke("c1", "create #1 (c1/1)")
    sim.settle()
    r = explore(cluster, {"c1": "cancel #1 (c1/2)", "c2": "read #1 (c2/1)"}, start=sim,
                max_ballot=2, max_copies=1, properties=["linearizable"])
    assert r.violation == "linearizable"
    steps = r.counterexample.steps[len(sim.trace):]
    assert len(steps) == 8
    assert steps[0] == Propose("c1", "cancel #1 (c1/2)")
    last = steps[-1].message
    assert isinstance(last, Reply) and last.dst == "c2" and last.result == "PENDING"
    assert last.src != "r1"  # a follower that has not applied the cancel


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["log", "lease"]),
       st.lists(st.integers(min_value=0, max_value=10_000), min_size=60, max_size=150))
def test_every_step_of_any_schedule_is_linearizable(reads, choices):
    # hypothesis picks schedules from the engine's enabled actions (crashes, partitions,
    # drops, duplicates and early timeouts included); clients invoke writes and reads of
    # one order; log reads and leases within their margin keep every history linearizable
    # (with reads="any" the same schedules find a stale read within the first examples)
    cluster = ClientCluster(3, clients=2, reads=reads, lease=8, drift=0.5, seed=3)
    ops = {"c1": ["create #1 (c1/1)", "confirm #1 (c1/2)", "cancel #1 (c1/3)"],
           "c2": [f"read #1 (c2/{i})" for i in range(1, 7)]}
    sim = ClientSimulation(cluster, seed=0)
    world = sim.world
    for choice in choices:
        idle = [c for c in ops if ops[c] and c not in world.crashed
                and world.node(c).can_propose]
        if idle and choice % 3 == 0:
            client = idle[choice % len(idle)]
            world = apply(world, Propose(client, ops[client].pop(0)))
        else:
            actions = [a for a in enabled_actions(world) if not isinstance(a, Propose)]
            useful = [a for a in actions if isinstance(a, Deliver | Timeout)]
            pool = useful if useful and choice % 3 else actions
            world = apply(world, pool[choice % len(pool)])
        bad = [str(v) for v in cluster.check_all(world) if not v.holds]
        assert not bad, bad


def test_bad_scene_and_plan_arguments():
    import random

    from paxos_lib.multipaxos.clients import plan_client_ops

    with pytest.raises(ConfigError, match="max_steps must be an int from 1"):
        partition_scene("any", max_steps=0)
    with pytest.raises(ConfigError, match="unknown read mode 'fast'"):
        partition_scene("fast")
    with pytest.raises(ConfigError, match="read_rate must be a probability from 0 to 1, got 2"):
        plan_client_ops(2, 2, random.Random(0), read_rate=2)


# -- a lease used beyond its margin, found from a quiet cluster (lease_search.py) ---------------


def test_the_quiet_lease_start_is_quiet_and_its_leader_holds_the_lease():
    from paxos_lib.multipaxos.clients import SCENE_SPLIT
    from paxos_lib.multipaxos.lease_search import QUIET_CREATE, quiet_lease_scene

    sim = quiet_lease_scene(0)
    world = sim.world
    rules = world.config.rules
    assert sim.cluster.rates == (0.4, 1.6, 1.6) and sim.cluster.lease == 10
    assert world.inflight == () and world.timers == frozenset()
    assert world.node("c1").history[0][:2] == (QUIET_CREATE, "applied, now PENDING")
    for r in ("r1", "r2", "r3"):
        assert world.node(r).applied == 1 and world.node(r).book.as_dict() == {1: "PENDING"}
        assert world.node(r).owed == () and world.node(r).proposals == ()
    assert world.node("r1").phase == "leading" and world.node("r1").holds_lease(rules)
    assert world.node("r2").lease_holder == world.node("r3").lease_holder == "r1"
    # the lower bound in lease_search's docstring needs followers that suspect nobody
    assert [(world.node(r).leader, world.node(r).suspect) for r in ("r2", "r3")] == [
        ("r1", False), ("r1", False)]
    assert world.partition == Partition(SCENE_SPLIT)  # the only step after the calm run
    assert sim.trace.steps[-1] == Partition(SCENE_SPLIT)
    assert not any(isinstance(a, Partition) for a in sim.trace.steps[:-1])
    assert quiet_lease_scene(0, split=False).world.partition is None


def test_explorer_finds_a_lease_used_beyond_its_margin_from_a_quiet_cluster():
    from paxos_lib.multipaxos.lease_search import (
        QUIET_CANCEL,
        QUIET_READ,
        STALE_READ_STEPS,
        explore_lease,
        quiet_lease_scene,
    )
    from paxos_lib.multipaxos.messages import LogAccept, LogAccepted, LogPrepare, LogPromise

    for margin in (0, 1):  # both below safe_margin(10, 0.6) == 8
        sim = quiet_lease_scene(margin)
        r = explore_lease(sim)
        assert r.end == "violation" and r.violation == "linearizable"
        steps = r.counterexample.steps[len(sim.trace):]
        # shortest in the bounded model (breadth-first) and no run of the full model is
        # shorter (the argument in lease_search's docstring)
        assert len(steps) == STALE_READ_STEPS == 12
        assert steps[0] == Propose("c1", QUIET_CANCEL)
        assert steps[1] == Deliver(Request(src="c1", dst="r3", ballot=steps[1].message.ballot,
                                           command=QUIET_CANCEL))
        # r3 re-sends the forward, then suspects r1 and takes over: r1's lease no longer
        # binds r3 and r2 on their fast clocks
        assert steps[2] == steps[3] == Timeout("r3")
        kinds = [(type(a.message), a.message.src, a.message.dst) for a in steps[4:8]]
        assert kinds == [(LogPrepare, "r3", "r2"), (LogPromise, "r2", "r3"),
                         (LogAccept, "r3", "r2"), (LogAccepted, "r2", "r3")]
        assert steps[4].message.ballot.round == 2 and steps[4].message.ballot.node == "r3"
        assert steps[8] == Deliver(Reply(src="r3", dst="c1", ballot=steps[8].message.ballot,
                                         command=QUIET_CANCEL, result="applied, now CANCELLED"))
        assert steps[9] == Propose("c2", QUIET_READ)
        assert steps[10].message.dst == "r1" and isinstance(steps[10].message, Request)
        # r1, whose slow clock says its lease still holds, answers from its stale book
        assert steps[11] == Deliver(Reply(src="r1", dst="c2", ballot=steps[11].message.ballot,
                                          command=QUIET_READ, result="PENDING"))
        world = replay_orders(r.counterexample).world
        verdict = check_linearizable(client_history(world))
        assert not verdict.linearizable
        assert [op.command for op in verdict.violation] == [QUIET_CANCEL, QUIET_READ]


def test_the_same_search_with_a_safe_margin_finds_no_stale_read():
    from paxos_lib.multipaxos.lease_search import explore_lease, quiet_lease_scene

    sim = quiet_lease_scene()
    assert sim.cluster.margin == safe_margin(10, 0.6) == 8
    r = explore_lease(sim, max_depth=15)
    # not exhausted: a client that finished may re-invoke its answered operation, a step
    # that changes only the time, so the space never ends
    assert r.violation is None and r.end == "bound" and r.depth == 15


def test_the_lease_search_bounds_are_in_force():
    from paxos_lib.multipaxos.lease_search import explore_lease, quiet_lease_scene

    sim = quiet_lease_scene(0)
    # one timer firing is not enough: a follower takes over on its second timeout
    r = explore_lease(sim, max_timeouts=1, max_depth=13)
    assert r.violation is None and r.end == "bound"
    assert "no loss, timeouts <= 1" in r.detail
    with pytest.raises(ConfigError, match="max_timeouts must be"):
        explore_lease(sim, max_timeouts=-1)
    with pytest.raises(ConfigError, match="drops must be True or False, not 'no'"):
        explore_lease(sim, drops="no")
    with pytest.raises(ConfigError, match="explore_lease needs a ClientSimulation"):
        explore_lease(sim.world)
