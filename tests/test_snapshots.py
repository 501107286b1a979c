"""Snapshots and log compaction on the real engine: install, catch-up by state transfer,
restart from a durable snapshot, replay, the properties, and the explorer."""

import json

import pytest

from paxos_lib import orders
from paxos_lib.actions import Crash, Deliver, Propose, Recover, Timeout
from paxos_lib.errors import ConfigError, PaxosError
from paxos_lib.explore import explore
from paxos_lib.messages import Ballot
from paxos_lib.multipaxos import OrdersSimulation, ReplicaCluster, ReplicaTrace, replay_orders
from paxos_lib.multipaxos.messages import message_from_dict
from paxos_lib.multipaxos.properties import check_all, replica, replicas
from paxos_lib.multipaxos.snapshot_scenes import order_commands, transfer, week_away
from paxos_lib.multipaxos.snapshots import (
    COMPACTED,
    GENESIS,
    SNAPSHOT_REQUEST,
    CompactLog,
    InstallSnapshot,
    Snapshot,
    book_from_json,
    book_to_json,
    chain,
    snapshot_stats,
)
from paxos_lib.simulation import Faults

C = [str(c) for c in order_commands(3)]  # order 42: create, confirm, pay
C4 = str(orders.create(7, "c2", 1))


def deliver(sim: OrdersSimulation, kind: str, src: str, dst: str, **fields: object) -> None:
    """Deliver the in-flight message of ``kind`` from ``src`` to ``dst`` with ``fields``."""
    for m in sim.world.inflight:
        if kind == m.KIND and m.src == src and m.dst == dst and all(
            getattr(m, k) == v for k, v in fields.items()
        ):
            sim.apply(Deliver(m))
            return
    raise AssertionError(f"no {kind} {src}->{dst} {fields} in flight")


def holds(sim: OrdersSimulation) -> bool:
    return all(v.holds for v in check_all(sim.world, "always"))


def lagging_start(variant: str = "classic", network: str = "sent-set") -> OrdersSimulation:
    """r3 down; three commands chosen by r1 and r2 (K=2: both compacted at slot 2); r3 back."""
    sim = OrdersSimulation(ReplicaCluster(3, snapshot_every=2), seed=0, variant=variant,
                           network=network)
    sim.apply(Crash("r3"))
    for i, c in enumerate(C):
        sim.submit("r1", c)
        if i == 0:
            deliver(sim, "prepare", "r1", "r2")
            deliver(sim, "promise", "r2", "r1")
        deliver(sim, "accept", "r1", "r2", slot=i)
        deliver(sim, "accepted", "r2", "r1", slot=i)
    sim.apply(Recover("r3"))
    return sim


def open_votes_start(variant: str = "classic", network: str = "sent-set") -> OrdersSimulation:
    """r2 votes in slots 1 and 2 while learning slot 0 (K=1 compacts it at slot 1); slots 1
    and 2 chosen by r1 and r2; r1 crashes; r3, back, is asked for a new order."""
    sim = OrdersSimulation(ReplicaCluster(3, snapshot_every=1), seed=0, variant=variant,
                           network=network)
    sim.apply(Crash("r3"))
    sim.submit("r1", C[0])
    deliver(sim, "prepare", "r1", "r2")
    deliver(sim, "promise", "r2", "r1")
    deliver(sim, "accept", "r1", "r2", slot=0)
    deliver(sim, "accepted", "r2", "r1", slot=0)
    sim.submit("r1", C[1])
    sim.submit("r1", C[2])
    for slot in (2, 1):
        deliver(sim, "accept", "r1", "r2", slot=slot)
        deliver(sim, "accepted", "r2", "r1", slot=slot)
    sim.apply(Crash("r1"))
    sim.apply(Recover("r3"))
    sim.submit("r3", C4)
    return sim


# -- values --------------------------------------------------------------------------------------


def test_compact_log_reads_like_the_log_it_replaces() -> None:
    log = CompactLog(3, ("a", None, "b"))
    assert len(log) == 6 and log[0] == COMPACTED and log[3] == "a" and log[4] is None
    assert log[-1] == "b" and log[2:5] == (COMPACTED, "a", None)
    assert list(log) == [COMPACTED] * 3 + ["a", None, "b"]
    assert "b" in log and "c" not in log
    with pytest.raises(IndexError, match="slot 6 is beyond the log"):
        log[6]
    with pytest.raises(ConfigError, match="base must be an int >= 1"):
        CompactLog(0)


def test_book_and_snapshot_serialize_deterministically() -> None:
    sim = OrdersSimulation(3, seed=0)
    sim.run_workload(3)
    book = replica(sim.world, "r1").book
    assert book_from_json(book_to_json(book)) == book
    snap = Snapshot(replica(sim.world, "r1").applied, book, GENESIS)
    assert snap.to_json() == Snapshot(snap.slot, book_from_json(book_to_json(book)),
                                      GENESIS).to_json()
    assert snap.size_bytes == len(snap.to_json().encode()) > 0
    assert json.loads(snap.to_json())["slot"] == snap.slot
    with pytest.raises(ConfigError, match="JSON of orders and requests"):
        book_from_json("[]")
    with pytest.raises(ConfigError, match="digest is 16 hex digits"):
        Snapshot(1, book, "x")


def test_install_snapshot_message_checks_and_round_trips() -> None:
    m = InstallSnapshot(src="r1", dst="r3", ballot=Ballot(1, "r1"), slot=4, digest=GENESIS,
                        book=book_to_json(orders.OrderBook.empty()))
    assert message_from_dict(json.loads(json.dumps(m.to_dict()))) == m
    assert m.label == "snapshot up to slot 4"
    with pytest.raises(ConfigError, match=r"install-snapshot\.slot must be an int >= 1"):
        InstallSnapshot(src="r1", dst="r3", ballot=Ballot(1, "r1"), slot=0, digest=GENESIS,
                        book="{}")


def test_bad_arguments_name_the_value() -> None:
    with pytest.raises(ConfigError, match="snapshot_every must be an int from 0"):
        ReplicaCluster(3, snapshot_every=-1)
    with pytest.raises(ConfigError, match="snapshot_every must be an int from 0"):
        ReplicaCluster(3, snapshot_every=True)
    with pytest.raises(ConfigError, match="give the cluster snapshot_every >= 1"):
        OrdersSimulation(ReplicaCluster(3), variant="stale-snapshot")
    with pytest.raises(PaxosError, match="'stale-snapshot' or 'eager-compaction'"):
        OrdersSimulation(3, variant="stale")
    with pytest.raises(ConfigError, match="count must be an int from 1"):
        order_commands(0)
    assert ReplicaCluster.from_dict(ReplicaCluster(3, snapshot_every=2).to_dict()) == \
        ReplicaCluster(3, snapshot_every=2)
    assert ReplicaCluster(3).to_dict() == {"replicas": 3}  # old traces stay as they were


# -- compaction and install with the real engine ------------------------------------------------


def test_every_k_applied_slots_the_log_prefix_is_dropped() -> None:
    sim = lagging_start()
    r1, r2, r3 = (replica(sim.world, n) for n in ("r1", "r2", "r3"))
    assert (r1.applied, r1.log, r1.snapshot.slot) == (3, CompactLog(2, (C[2],)), 2)
    assert r1.snapshot.book.as_dict() == {42: "CONFIRMED"} and r1.book.as_dict() == {42: "PAID"}
    assert r1.snapshot.digest == chain(chain(GENESIS, C[0]), C[1])
    assert r1.history == chain(r1.snapshot.digest, C[2])
    assert r2.log == CompactLog(2, ()) and r2.accepted[0][0] == 2  # the open vote is kept
    assert r3.log == () and r3.snapshot is None
    assert holds(sim)


def test_lagging_replica_gets_a_snapshot_then_the_rest_of_the_log() -> None:
    sim = lagging_start()
    sim.apply(Timeout("r1"))                      # the leader calls on r3 (a Commit)
    deliver(sim, "commit", "r1", "r3")
    deliver(sim, "catch-up", "r3", "r1", prefix=0)
    kinds = sorted(m.KIND for m in sim.world.inflight if m.src == "r1" and m.dst == "r3")
    assert "install-snapshot" in kinds and "catch-up-reply" in kinds
    deliver(sim, "catch-up-reply", "r1", "r3")    # the tail first: slot 2 waits in a gap
    r3 = replica(sim.world, "r3")
    assert (r3.applied, r3.log) == (0, (None, None, C[2]))
    deliver(sim, "install-snapshot", "r1", "r3")  # then the snapshot fills the gap
    r3 = replica(sim.world, "r3")
    assert (r3.applied, r3.log, r3.book) == (3, CompactLog(2, (C[2],)),
                                             replica(sim.world, "r1").book)
    assert r3.executed == 3 and r3.history == replica(sim.world, "r1").history
    # an older copy arriving again is ignored: a replica never goes back
    sim.apply(Deliver(next(m for m in sim.world.inflight if m.KIND == "install-snapshot")))
    assert replica(sim.world, "r3") == r3
    assert holds(sim)


def test_a_candidate_behind_a_snapshot_gets_the_snapshot_instead_of_a_promise() -> None:
    sim = open_votes_start(network="lossy")
    deliver(sim, "prepare", "r3", "r2")
    assert [m.KIND for m in sim.world.inflight if m.src == "r2" and m.dst == "r3"] == [
        "install-snapshot"]
    assert replica(sim.world, "r2").promised == Ballot(1, "r1")  # no promise made
    deliver(sim, "install-snapshot", "r2", "r3")
    r3 = replica(sim.world, "r3")
    assert r3.applied == 1 and r3.phase == "preparing" and r3.ballot == Ballot(2, "r3")
    assert r3.from_slot == 1  # phase 1 again, from its new first unapplied slot
    deliver(sim, "prepare", "r3", "r2", from_slot=1)
    deliver(sim, "promise", "r2", "r3")
    # r2 kept its votes in slots 1 and 2, so the new leader re-proposes them, not C4
    proposals = {m.slot: m.command for m in sim.world.inflight
                 if m.KIND == "accept" and m.src == "r3"}
    assert proposals == {1: C[1], 2: C[2], 3: C4}
    sim.settle()
    assert holds(sim)
    assert len({replica(sim.world, n).book for n in ("r2", "r3")}) == 1


def test_a_replica_restarts_from_its_durable_snapshot() -> None:
    sim = lagging_start(network="lossy")
    before = replica(sim.world, "r2")
    sim.apply(Crash("r2"))
    after = replica(sim.world, "r2")
    assert (after.snapshot, after.log, after.applied, after.book, after.history) == (
        before.snapshot, before.log, before.applied, before.book, before.history)
    sim.apply(Recover("r2"))
    sim.settle()
    assert replica(sim.world, "r2").applied == 3 and holds(sim)


def test_on_demand_snapshot() -> None:
    sim = OrdersSimulation(ReplicaCluster(3, snapshot_every=100), seed=1)
    sim.run_workload(2)
    r = replica(sim.world, "r2")
    assert r.snapshot is None and len(r.log) == r.applied > 0
    sim.apply(Propose("r2", SNAPSHOT_REQUEST))
    r = replica(sim.world, "r2")
    assert r.snapshot.slot == r.applied and r.log == CompactLog(r.applied, ())
    assert sim.snapshots == 1
    assert all(v.holds for v in check_all(sim.world, "always"))
    assert check_all(sim.world, "sometimes")[0].holds  # the request is no client's command


def test_long_absence_catches_up_by_snapshot_not_by_replaying_every_slot() -> None:
    figures = {}
    for k in (0, 4):
        sim = week_away(30, snapshot_every=k)
        back = len(sim.trace)
        sim.settle()
        assert holds(sim) and check_all(sim.world, "sometimes")[0].holds
        assert replica(sim.world, "r3").book == replica(sim.world, "r1").book
        figures[k] = (transfer(sim, "r3", back), snapshot_stats(sim.world)["log_entries_held"])
    assert figures[0] == ({"snapshots": 0, "entries": 30, "accepts": 0}, 90)
    assert figures[4] == ({"snapshots": 1, "entries": 2, "accepts": 0}, 6)


# -- replay, seeds, soak ---------------------------------------------------------------------------


def test_same_seed_same_trace_and_the_trace_replays() -> None:
    faults = Faults(drop=0.1, duplicate=0.05, crash=0.03, partition=0.01)
    runs = []
    for _ in range(2):
        sim = OrdersSimulation(ReplicaCluster(5, snapshot_every=3), seed=11)
        result = sim.run_workload(6, faults)
        runs.append((sim, result))
    (a, ra), (b, _rb) = runs
    assert a.trace.to_json() == b.trace.to_json()
    assert ra.agree and ra.all_applied and a.snapshots > 0
    text = a.trace.to_json()
    assert text.count('"install-snapshot"') == 16  # state transfers travel in the trace, too
    again = replay_orders(ReplicaTrace.from_json(text))
    assert again.world == a.world


@pytest.mark.parametrize("seed", range(24))
def test_fault_soak_with_compaction_keeps_every_property(seed: int) -> None:
    faults = Faults(drop=0.15, duplicate=0.05, crash=0.03, partition=0.02, timeout=0.01)
    sim = OrdersSimulation(ReplicaCluster(3 + 2 * (seed % 2), snapshot_every=1 + seed % 3),
                           seed=seed)
    result = sim.run_workload(5, faults)
    assert result.agree, [str(v) for v in result.verdicts if not v.holds]
    assert result.all_applied


# -- the properties catch the broken variants; the explorer finds them ---------------------------


def test_stale_snapshot_is_caught_with_a_shortest_counterexample() -> None:
    sim = lagging_start("stale-snapshot")
    result = explore(sim.cluster, C, start=sim, max_ballot=1, max_depth=4)
    assert result.violation == "applied-once"
    steps = result.counterexample.steps[len(sim.trace):]
    assert [str(a) for a in steps] == [
        "deliver prepare 1.r1 from slot 0 r1→r2",
        "deliver snapshot up to slot 2 r2→r1",
    ]
    assert "r1 executed 4 slot(s) to reach applied slot 3" in result.detail
    fixed = lagging_start()
    for action in steps:
        fixed.apply(action)
    assert holds(fixed)  # the same steps are harmless under the install rule


def test_eager_compaction_is_caught_with_a_shortest_counterexample() -> None:
    sim = open_votes_start("eager-compaction")
    result = explore(sim.cluster, [*C, C4], start=sim, max_ballot=2, max_depth=6)
    assert result.violation == "slot-agreement"
    assert len(result.counterexample.steps) - len(sim.trace) == 5
    assert "slot 2 has 2 commands chosen" in result.detail


def test_explorer_finds_no_violation_with_snapshots() -> None:
    result = explore(ReplicaCluster(3, snapshot_every=1), [C[0]], max_ballot=1, max_depth=10)
    assert result.violation is None and result.end == "bound"
    assert result.states == 12475
    example = replay_orders(result.examples["all-applied"])
    assert all(r.snapshot is not None for r in replicas(example.world))
    sim = lagging_start()
    result = explore(sim.cluster, C, start=sim, max_ballot=1, max_depth=5)
    assert result.violation is None and result.states == 5272


def test_bench_memory_stays_bounded_with_compaction() -> None:
    import subprocess
    import sys
    from pathlib import Path

    bench = Path(__file__).resolve().parent.parent / "bench" / "snapshots.py"
    done = subprocess.run([sys.executable, str(bench), "--quick", "--json"], capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    plain, compacted = json.loads(done.stdout)["runs"]
    assert plain["commands"] == compacted["commands"] == 184
    assert all(r["agree"] and r["all_applied"] for r in (plain, compacted))
    # without compaction the log grows with the commands; with it, it stays small
    assert plain["final_log_entries_held"] == 3 * plain["slots"] == 552
    assert compacted["peak_log_entries_held"] == 24
    assert compacted["snapshots"] == 54 and compacted["snapshot_bytes"] > 0
    # the dedup table keeps one entry per client (10 clients share the 40 orders) on each of
    # the 3 replicas, however many commands were submitted; a snapshot keeps it whole
    for run in (plain, compacted):
        samples = run["samples"]
        assert samples[-1]["commands_submitted"] == 184
        assert max(s["dedup_entries_held"] for s in samples) == 3 * 10
        assert run["final_dedup_entries_held"] == 30


def test_each_snapshot_property_fails_where_it_should() -> None:
    from dataclasses import replace

    sim = lagging_start()
    world = sim.world
    r1, r2, r3 = replicas(world)

    def verdicts(*nodes: object) -> dict[str, str]:
        w = replace(world, nodes=tuple(nodes))
        return {v.name: v.explanation for v in check_all(w, "always") if not v.holds}

    assert verdicts(r1, r2, r3) == {}
    # a replica whose digest says it applied another command in slot 1
    other = chain(chain(GENESIS, C[0]), C[2])
    bad = verdicts(r1, replace(r2, history=other, snapshot=replace(r2.snapshot, digest=other)), r3)
    assert "one-history" in bad and "snapshot-chosen" in bad
    assert "r2's applied history" in bad["one-history"]
    # a snapshot beyond the chosen slots
    beyond = replace(r3, snapshot=Snapshot(5, r1.book, r1.history))
    assert verdicts(r1, r2, beyond) == {
        "snapshot-chosen": "r3's snapshot up to slot 5 covers unchosen slot 3"}
    # a slot counted twice
    assert verdicts(replace(r1, executed=4), r2, r3) == {
        "applied-once": "r1 executed 4 slot(s) to reach applied slot 3: 1 applied twice"}


def test_a_reconfigurable_cluster_refuses_compaction() -> None:
    from paxos_lib.multipaxos.reconfig import ReconfigCluster

    with pytest.raises(ConfigError, match="a ReconfigCluster does not compact its log"):
        ReconfigCluster(6, snapshot_every=2)
    assert ReconfigCluster(6, ("r1", "r2", "r3"), 3).alpha == 3  # positional fields unchanged
