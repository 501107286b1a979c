"""Multi-Paxos on the real engine: scripted scenarios, handler walks, traces and errors.

Each scenario drives an ``OrdersSimulation`` by hand through the engine's own actions
(deliver, drop, crash, partition, timeout), then lets the seeded scheduler settle, and checks
the whole outcome: who leads, what every replica's log holds, and every named property.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from paxos_lib.actions import Crash, Deliver, Drop, Heal, Partition, Propose, Recover, Timeout
from paxos_lib.engine import enabled_actions, initial_world
from paxos_lib.errors import ConfigError, PaxosError, SimulationError, UnknownNodeError
from paxos_lib.messages import Ballot, Message, SetTimer
from paxos_lib.multipaxos import (
    MULTIPAXOS_VARIANTS,
    NOOP_TEXT,
    CatchUp,
    Commit,
    LogAccept,
    LogAccepted,
    LogNack,
    LogPrepare,
    LogPromise,
    OrdersSimulation,
    Replica,
    ReplicaCluster,
    ReplicaTrace,
    applied,
    check_all,
    chosen_slots,
    log_cells,
    order_states,
    plan_orders,
    replay_orders,
    replica_rows,
    run_orders,
)
from paxos_lib.multipaxos.messages import message_from_dict
from paxos_lib.orders import Command, cancel, confirm, create, pay, replay, ship
from paxos_lib.simulation import Faults

A = str(create(1, "c1", 1))
B = str(confirm(1, "c1", 2))
C = str(pay(1, "c1", 3))
D = str(create(2, "c2", 1))
X = str(create(3, "c3", 1))
Y = str(create(4, "c4", 1))
QUIET = Faults(recover=0.0, heal=0.0)  # no faults, and crashed nodes stay down


# -- helpers ----------------------------------------------------------------------------------


def flush(sim: OrdersSimulation, keep: Callable[[Message], bool] = lambda m: True,
          limit: int = 10_000) -> int:
    """Deliver deliverable messages (first in the engine's order) while ``keep`` says so;
    drop the ones it rejects.  Returns the number of steps."""
    steps = 0
    while steps < limit:
        delivers = [a for a in enabled_actions(sim.world) if isinstance(a, Deliver)]
        if not delivers:
            return steps
        m = delivers[0].message
        sim.apply(Deliver(m) if keep(m) else Drop(m))
        steps += 1
    raise AssertionError("the network did not go quiet")


def all_hold(sim: OrdersSimulation) -> None:
    bad = [str(v) for v in sim.check() if not v.holds]
    assert not bad, bad


def live_logs(sim: OrdersSimulation) -> dict[str, tuple[str | None, ...]]:
    return {r.node: r.log for r in sim.replicas() if r.node not in sim.world.crashed}


def lead_with(sim: OrdersSimulation, *commands: str) -> None:
    """r1 runs phase 1 and gets ``commands`` chosen; everyone learns them."""
    for c in commands:
        sim.submit("r1", c)
    flush(sim)
    sim.run(max_steps=2_000, faults=QUIET)
    assert sim.replicas()[0].is_leader
    for r in sim.replicas():
        assert r.log == tuple(commands)


# -- scenarios --------------------------------------------------------------------------------


def test_leader_crash_between_phase_1_and_phase_2_of_a_slot() -> None:
    sim = OrdersSimulation(5, seed=1)
    lead_with(sim, A)  # phase 1 done once, slot 0 chosen
    sim.submit("r1", B)  # phase 2 of slot 1 starts: accepts to r2..r5
    sim.deliver("accept", src="r1", dst="r2")  # only r2 votes
    for dst in ("r3", "r4", "r5"):
        sim.drop("accept", src="r1", dst=dst)
    sim.apply(Crash("r1"))
    # The client hears nothing and retries at r3, which takes over (after a re-forward).
    sim.submit("r3", B)
    sim.run(max_steps=3_000, faults=QUIET)  # the leader keeps calling on r1: never quiet
    leader = sim.leader()
    assert leader is not None and leader != "r1"
    for node, entries in live_logs(sim).items():
        assert entries == (A, B), node
        assert sim.order_states(node) == {1: "CONFIRMED"}
    # The old leader comes back as a follower and catches up.
    sim.settle()
    assert sim.log("r1") == (A, B)
    assert not sim.replicas()[0].is_leader
    all_hold(sim)
    assert check_all(sim.world, "sometimes")[0].holds


def test_leader_partitioned_into_a_minority_then_healed() -> None:
    sim = OrdersSimulation(5, seed=2)
    lead_with(sim, A)
    sim.apply(Partition((("r1", "r2"), ("r3", "r4", "r5"))))
    sim.submit("r1", B)  # the old leader cannot reach a quorum
    sim.submit("r3", D)  # a client on the majority side
    sim.run(max_steps=5_000, faults=QUIET)
    majority = [sim.replicas()[i] for i in (2, 3, 4)]
    leader = sim.leader()
    assert leader in ("r3", "r4", "r5")
    # The minority cannot choose anything, however often r1 and r2 try to lead.
    for r in majority:
        assert r.log == (A, D)
    assert sim.log("r1")[:1] == (A,) and B not in sim.log("r1")  # B is not chosen
    all_hold(sim)
    sim.apply(Heal())
    sim.settle()
    assert len([r for r in sim.replicas() if r.is_leader]) == 1
    logs = {r.node: r.log for r in sim.replicas()}
    assert len(set(logs.values())) == 1
    (final,) = set(logs.values())
    assert final[:2] == (A, D) and final.count(B) == 1  # r1 passed B on; chosen once
    assert sim.order_states("r1") == {1: "CONFIRMED", 2: "PENDING"}
    all_hold(sim)


def test_duplicate_client_request_is_decided_in_two_slots_but_applied_once() -> None:
    sim = OrdersSimulation(5, seed=3)
    lead_with(sim, D)  # slot 0
    # r1 puts X, A, Y in slots 1, 2, 3.  r4 votes for X and Y; r2 votes for A only.
    for c in (X, A, Y):
        sim.submit("r1", c)
    flush(sim, keep=lambda m: isinstance(m, LogAccept) and (
        (m.dst == "r4" and m.command in (X, Y)) or (m.dst == "r2" and m.command == A)))
    sim.apply(Crash("r1"))
    # The client hears nothing and retries A at r3; r2 crashes too.  r3 takes over with r4
    # and r5: it sees X and Y but not A, so it proposes a no-op for slot 2 and gives the
    # retried A the next free slot, 4.  Its no-op is lost; X, Y and A are chosen.
    sim.submit("r3", A)
    sim.apply(Crash("r2"))
    not_noop = lambda m: not (isinstance(m, LogAccept) and m.command == NOOP_TEXT)  # noqa: E731
    flush(sim, keep=not_noop)
    while not sim.replicas()[2].is_leader:  # forward to the crashed r1, then take over
        sim.apply(Timeout("r3"))
        flush(sim, keep=not_noop)
    assert sim.log("r3") == (D, X, None, Y, A)
    assert chosen_slots(sim.world) == {0: {D}, 1: {X}, 3: {Y}, 4: {A}}
    # r3 crashes; r2 comes back (what was sent to it meanwhile is lost).  The next leader's
    # quorum includes r2, whose vote for A is the only one in slot 2: A is chosen again.
    sim.apply(Crash("r3"))
    for m in [m for m in sim.world.inflight if m.dst == "r2"]:
        sim.apply(Drop(m))
    sim.apply(Recover("r2"))
    sim.submit("r2", C)
    sim.run(max_steps=3_000, faults=QUIET)
    slots = chosen_slots(sim.world)
    assert slots[2] == {A} and slots[4] == {A}
    sim.settle()
    for r in sim.replicas():
        assert r.log == (D, X, A, Y, A, C) and r.applied == 6
        # applied twice, executed once: the second time is a duplicate and changes nothing
        assert applied(sim.world, r.node).count(A) == 2
        assert order_states(sim.world, r.node) == {1: "PENDING", 2: "PENDING", 3: "PENDING",
                                                   4: "PENDING"}
        _, outcomes = replay([Command.parse(v) for v in r.log])
        assert [o.kind for o in outcomes] == ["applied"] * 4 + ["duplicate", "rejected"]
        assert outcomes[4].answer == outcomes[2]  # the retry gets A's first answer
        # one entry per client (c1 .. c4); c1's is its last request, C (pay before confirm)
        assert [key for key, _ in r.book.requests] == [("c1", 3), ("c2", 1), ("c3", 1),
                                                        ("c4", 1)]
    all_hold(sim)


def test_lagging_replica_catches_up() -> None:
    sim = OrdersSimulation(5, seed=4)
    lead_with(sim, A)
    sim.apply(Crash("r5"))
    for c in (B, C, D):
        sim.submit("r1", c)
    flush(sim, keep=lambda m: m.dst != "r5")  # r5's messages are lost
    sim.run(max_steps=2_000, faults=QUIET)
    assert sim.log("r5") == (A,)
    assert sim.log("r1") == (A, B, C, D)
    sim.apply(Recover("r5"))
    steps_before = len(sim.steps)
    sim.settle()
    assert sim.log("r5") == (A, B, C, D)
    assert sim.order_states("r5") == sim.order_states("r1") == {1: "PAID", 2: "PENDING"}
    kinds = {a.message.KIND for a in sim.steps[steps_before:] if isinstance(a, Deliver)}
    assert {"commit", "catch-up", "catch-up-reply"} <= kinds
    all_hold(sim)


def test_gap_is_filled_with_a_noop() -> None:
    sim = OrdersSimulation(5, seed=5)
    lead_with(sim, D)
    sim.submit("r1", A)  # slot 1
    sim.submit("r1", B)  # slot 2
    # Slot 1 reaches nobody; slot 2 reaches r2 and r3; then the leader crashes.
    flush(sim, keep=lambda m: isinstance(m, LogAccept) and m.slot == 2 and m.dst in ("r2", "r3"))
    sim.apply(Crash("r1"))
    sim.run(max_steps=5_000, faults=QUIET)  # r2 or r3 time out on their open votes
    leader = sim.leader()
    assert leader in ("r2", "r3")
    for node, entries in live_logs(sim).items():
        assert entries == (D, NOOP_TEXT, B), node
    assert NOOP_TEXT in chosen_slots(sim.world)[1]
    # B (confirm #1) was applied to an order that was never created: rejected, the same way
    # on every replica.
    r = sim.replicas()[1]
    assert r.book.outcome_of("c1", 2) is not None
    assert r.book.outcome_of("c1", 2).kind == "rejected"  # type: ignore[union-attr]
    all_hold(sim)
    sim.settle()
    assert sim.log("r1") == (D, NOOP_TEXT, B)


# -- the workload -----------------------------------------------------------------------------


def test_workload_under_faults_agrees_and_applies_everything() -> None:
    result = run_orders(5, 6, seed=3, faults=Faults(drop=0.1, duplicate=0.05, crash=0.05,
                                                    partition=0.02))
    assert result.agree and result.all_applied and result.end == "converged"
    assert len({tuple(sorted(s.items())) for s in result.order_states.values()}) == 1
    assert result.slots >= result.commands - result.duplicates
    assert result.messages > 0 and result.messages_per_command > 0
    data = result.to_dict()
    for key in ("agree", "slots", "messages", "order_states"):
        assert key in data


def test_same_seed_same_run() -> None:
    f = Faults(drop=0.1, crash=0.02)
    a = OrdersSimulation(3, seed=9)
    b = OrdersSimulation(3, seed=9)
    ra, rb = a.run_workload(4, f), b.run_workload(4, f)
    assert a.steps == b.steps and ra == rb


def test_stable_leader_costs_one_accept_round_per_command() -> None:
    result = run_orders(5, 10, seed=0, clients_know_leader=True, patience=10**6)
    minimum = 2 * (5 - 1)
    assert minimum <= result.messages_per_command < minimum + 2
    per_slot = run_orders(5, 10, seed=0, variant="phase1-per-slot", clients_know_leader=True,
                          patience=10**6)
    assert per_slot.agree and per_slot.all_applied
    assert per_slot.messages_per_command > 1.7 * result.messages_per_command


def test_forgetful_leader_is_caught() -> None:
    caught = [
        seed for seed in range(40)
        if not run_orders(3, 3, seed=seed, variant="forgetful-leader",
                          faults=Faults(drop=0.2, crash=0.02, timeout=0.02)).agree
    ]
    assert caught


def test_plan_orders_lifecycle() -> None:
    import random

    plans = plan_orders(50, random.Random(0))
    kinds = {tuple(c.kind for c in p) for p in plans}
    assert ("create", "confirm", "pay", "ship", "deliver") in kinds
    assert any(k[-1] == "cancel" for k in kinds)
    assert ("create", "confirm", "pay", "ship", "cancel", "deliver") in kinds
    for k, plan in enumerate(plans, 1):
        assert {c.order_id for c in plan} == {k}
        assert [c.request_id for c in plan] == list(range(1, len(plan) + 1))


def test_plan_orders_shared_by_a_few_clients() -> None:
    import random

    alone = plan_orders(10, random.Random(4))
    shared = plan_orders(10, random.Random(4), clients=3)
    assert [p[0].client_id for p in shared] == ["c1", "c2", "c3"]
    # c1 takes orders 1, 4, 7, 10 in turn, each drawn as it is with one client per order
    assert [c.order_id for c in shared[0]] == sorted(
        [k for k in (1, 4, 7, 10) for _ in alone[k - 1]])
    assert [c.kind for c in shared[0]] == [c.kind for k in (1, 4, 7, 10) for c in alone[k - 1]]
    for plan in shared:
        assert [c.request_id for c in plan] == list(range(1, len(plan) + 1))
    assert sum(map(len, shared)) == sum(map(len, alone))
    assert len(plan_orders(2, random.Random(0), clients=5)) == 2  # never an idle client
    with pytest.raises(ConfigError, match="clients must be an int from 1"):
        plan_orders(2, random.Random(0), clients=0)


# -- replica handlers (whole-state walks) -----------------------------------------------------


def test_replica_walk_phase_1_then_phase_2() -> None:
    cluster = ReplicaCluster(3)
    rules = cluster.make_rules()
    r1 = cluster.initial_state("r1")
    assert r1 == Replica(node="r1", leader="r1")
    r1, effects = r1.on_propose(A, rules)
    b = Ballot(1, "r1")
    assert r1 == Replica(node="r1", promised=b, round=1, leader="r1", phase="preparing",
                         ballot=b, heard=("r1",), pending=(A,))
    assert [e.message for e in effects if not isinstance(e, SetTimer)] == [
        LogPrepare(src="r1", dst=p, ballot=b, from_slot=0) for p in ("r2", "r3")
    ]
    assert SetTimer("r1") in effects
    r2 = cluster.initial_state("r2")
    r2, effects = r2.on_message(LogPrepare(src="r1", dst="r2", ballot=b, from_slot=0), rules)
    assert r2 == Replica(node="r2", promised=b, leader="r1")
    assert effects == (
        __import__("paxos_lib.messages", fromlist=["Send"]).Send(
            LogPromise(src="r2", dst="r1", ballot=b, from_slot=0)),
    )
    r1, effects = r1.on_message(LogPromise(src="r2", dst="r1", ballot=b, from_slot=0), rules)
    assert r1.is_leader and r1.proposals == ((0, A, ("r1",)),)
    assert r1.accepted == ((0, b, A),) and r1.pending == () and r1.next_slot == 1
    accepts = [e.message for e in effects]
    assert accepts == [LogAccept(src="r1", dst=p, ballot=b, slot=0, command=A, commit=0)
                       for p in ("r2", "r3")]
    assert accepts[0].vote == ("r1", (0, b), A)
    r2, effects = r2.on_message(accepts[0], rules)
    assert r2.accepted == ((0, b, A),)
    (reply,) = [e.message for e in effects if not isinstance(e, SetTimer)]
    assert reply == LogAccepted(src="r2", dst="r1", ballot=b, slot=0, command=A, prefix=0)
    r1, _ = r1.on_message(reply, rules)
    assert r1.log == (A,) and r1.applied == 1 and r1.accepted == () and r1.proposals == ()
    assert r1.book.as_dict() == {1: "PENDING"}
    # r2 learns from the leader's heartbeat (rule 6) and acknowledges.
    r2, effects = r2.on_message(Commit(src="r1", dst="r2", ballot=b, commit=1), rules)
    assert r2.log == (A,) and r2.applied == 1 and r2.accepted == ()
    assert [e.message for e in effects if hasattr(e, "message")] == [
        CatchUp(src="r2", dst="r1", ballot=b, prefix=1)]


def test_lower_ballot_is_nacked_and_state_unchanged() -> None:
    cluster = ReplicaCluster(3)
    rules = cluster.make_rules()
    high, low = Ballot(2, "r3"), Ballot(1, "r1")
    r2 = Replica(node="r2", promised=high, leader="r3")
    for msg in (LogPrepare(src="r1", dst="r2", ballot=low, from_slot=0),
                LogAccept(src="r1", dst="r2", ballot=low, slot=0, command=A)):
        new, effects = r2.on_message(msg, rules)
        assert new == r2
        assert [e.message for e in effects] == [  # type: ignore[union-attr]
            LogNack(src="r2", dst="r1", ballot=low, promised=high)]
    stale = Commit(src="r1", dst="r2", ballot=low, commit=5)
    assert r2.on_message(stale, rules) == (r2, ())


def test_leader_steps_down_on_nack_and_forwards_its_open_commands() -> None:
    cluster = ReplicaCluster(3)
    rules = cluster.make_rules()
    b, higher = Ballot(1, "r1"), Ballot(3, "r2")
    r1 = Replica(node="r1", promised=b, round=1, leader="r1", phase="leading", ballot=b,
                 accepted=((0, b, A),), proposals=((0, A, ("r1",)),), next_slot=1)
    new, effects = r1.on_message(LogNack(src="r3", dst="r1", ballot=b, promised=higher), rules)
    assert new.phase == "follower" and new.leader == "r2" and new.pending == (A,)
    assert new.round == 3 and new.accepted == ((0, b, A),)  # its vote stays (durable)
    assert [e.message.KIND for e in effects] == ["forward"]  # type: ignore[union-attr]


def test_crash_keeps_durable_fields_and_recover_rearms_the_timer() -> None:
    cluster = ReplicaCluster(3)
    rules = cluster.make_rules()
    b = Ballot(1, "r1")
    r2 = Replica(node="r2", promised=b, leader="r1", accepted=((3, b, A),), pending=(B,),
                 known_commit=2, suspect=True)
    crashed = r2.after_crash(rules)
    assert crashed == Replica(node="r2", promised=b, leader="r1", accepted=((3, b, A),))
    assert crashed.after_recover(rules) == (crashed, (SetTimer("r2"),))
    idle = Replica(node="r3", promised=b, leader="r1")
    assert idle.after_recover(rules) == (idle, ())
    # In the engine: a crash disarms the timer, a recovery arms it again.
    sim = OrdersSimulation(3, seed=0)
    sim.submit("r2", A)
    assert "r2" in sim.world.timers
    sim.apply(Crash("r2"))
    assert "r2" not in sim.world.timers
    sim.apply(Recover("r2"))
    assert "r2" not in sim.world.timers  # its pending command was volatile


def test_describe_and_rows() -> None:
    sim = OrdersSimulation(3, seed=0)
    lead_with(sim, A, B)
    rows = replica_rows(sim.world)
    assert [r["replica"] for r in rows] == ["r1", "r2", "r3"]
    assert rows[0]["role"] == "leader" and rows[1]["role"] == "follower"
    assert rows[0]["slot"] == "2/2" and rows[0]["log"] == f"{A} | {B}"
    assert log_cells(sim.world, "r2") == (A, B)
    assert "leading at 1.r1" in str(sim.world)
    sim.submit("r1", C)
    sim.deliver("accept", dst="r2")
    assert log_cells(sim.world, "r2")[2] == f"({C} @ 1.r1)"


# -- traces, undo, counting ---------------------------------------------------------------------


def test_trace_round_trip_and_replay() -> None:
    sim = OrdersSimulation(3, seed=7, variant="phase1-per-slot")
    sim.run_workload(3, Faults(drop=0.1, duplicate=0.1, crash=0.02, partition=0.02))
    trace = sim.trace
    again = ReplicaTrace.from_json(trace.to_json())
    assert again == trace and again.variant == "phase1-per-slot"
    assert replay_orders(again).world == sim.world
    assert trace.final() == sim.world
    assert trace.numbered().startswith("1. ") or trace.numbered().lstrip().startswith("1.")
    with pytest.raises(ConfigError, match="not a Multi-Paxos trace"):
        ReplicaTrace.from_json('{"format": "paxos_lib.trace/1"}')
    bad = [Deliver(LogPrepare(src="r1", dst="r2", ballot=Ballot(1, "r1"), from_slot=0))]
    with pytest.raises(SimulationError, match="step 1 of the trace"):
        replay_orders(bad, ReplicaCluster(3))


def test_every_message_round_trips() -> None:
    sim = OrdersSimulation(3, seed=11)
    sim.run_workload(4, Faults(drop=0.2, crash=0.05, timeout=0.05))
    kinds = set()
    for a in sim.steps:
        if isinstance(a, Deliver | Drop):
            m = a.message
            kinds.add(m.KIND)
            assert message_from_dict(m.to_dict()) == m
            assert m.label and str(m).startswith(m.label)
    assert {"prepare", "promise", "accept", "accepted", "forward"} <= kinds


def test_undo_and_message_count() -> None:
    sim = OrdersSimulation(3, seed=0)
    sim.submit("r1", A)
    assert sim.messages == 2  # two prepares
    sim.deliver("prepare", dst="r2")
    assert sim.messages == 3  # and a promise
    sim.undo()
    assert sim.messages == 2 and len(sim.steps) == 1
    sim.rewind(0)
    assert sim.messages == 0 and sim.world == initial_world(ReplicaCluster(3))


def test_engine_lists_replica_partitions_and_runs_every_fault() -> None:
    sim = OrdersSimulation(5, seed=0)
    sim.submit("r2", A)
    actions = sim.enabled_actions()
    parts = [a for a in actions if isinstance(a, Partition)]
    assert Partition((("r1", "r2"), ("r3", "r4", "r5"))) in parts
    assert Partition((("r1",), ("r2", "r3", "r4", "r5"))) in parts
    assert Timeout("r2") in actions
    assert not any(isinstance(a, Propose) for a in actions)  # no configured client values


# -- bad input ----------------------------------------------------------------------------------


def test_bad_input_names_the_value_and_the_choices() -> None:
    with pytest.raises(ConfigError, match=r"replicas must be an int from 1 to 26, got 0"):
        ReplicaCluster(0)
    with pytest.raises(ConfigError, match="unknown Multi-Paxos variant 'classik'"):
        OrdersSimulation(3, variant="classik")
    with pytest.raises(ConfigError, match="ReplicaCluster"):
        OrdersSimulation("five")  # type: ignore[arg-type]
    sim = OrdersSimulation(3)
    with pytest.raises(UnknownNodeError, match="unknown replica 'r9'; this cluster has r1"):
        sim.submit("r9", A)
    with pytest.raises(ConfigError, match="a command is written"):
        sim.submit("r1", "confirmed")
    with pytest.raises(ConfigError, match="noop"):
        sim.submit("r1", NOOP_TEXT)
    with pytest.raises(ConfigError, match="a command is written"):
        sim.apply(Propose("r1", "confirmed"))
    with pytest.raises(ConfigError, match="unknown message kind 'decided'"):
        sim.find("decided")
    with pytest.raises(SimulationError, match="no accept"):
        sim.find("accept")
    with pytest.raises(ConfigError, match="orders must be an int from 1"):
        sim.run_workload(0)
    with pytest.raises(ConfigError, match="retry must be a probability"):
        sim.run_workload(2, retry=2)
    with pytest.raises(ConfigError, match="kind must be 'always' or 'sometimes'"):
        check_all(sim.world, "never")
    with pytest.raises(ConfigError, match="a replica cluster is a dict"):
        ReplicaCluster.from_dict({"proposers": 1})
    with pytest.raises(ConfigError, match="from_slot must be a slot number"):
        LogPrepare(src="r1", dst="r2", ballot=Ballot(1, "r1"), from_slot=-1)
    with pytest.raises(ConfigError, match="unknown Multi-Paxos message type"):
        message_from_dict({"type": "decided"})
    assert issubclass(ConfigError, PaxosError)
    assert MULTIPAXOS_VARIANTS == ("classic", "phase1-per-slot", "forgetful-leader")


def test_orders_commands_are_used_as_text() -> None:
    sim = OrdersSimulation(3, seed=0)
    sim.submit("r1", create(7, "c7", 1))
    sim.submit("r1", ship(7, "c7", 2))
    sim.submit("r1", cancel(7, "c7", 3))
    sim.settle()
    assert sim.order_states("r2") == {7: "CANCELLED"}  # ship was refused, cancel allowed
    book = sim.replicas()[1].book
    assert book.has_run("c7", 2) and book.last_request("c7") == 3
    outcome = book.outcome_of("c7", 3)
    assert outcome is not None and outcome.kind == "applied"


def test_cluster_offers_its_properties_to_generic_tools() -> None:
    sim = OrdersSimulation(3, seed=0)
    sim.run_workload(2)
    cluster = sim.cluster
    assert [p.name for p in cluster.properties] == [  # type: ignore[attr-defined]
        "slot-agreement", "replicas-agree", "prefix", "same-states", "validity", "all-applied",
        "one-history", "applied-once", "snapshot-chosen"]
    verdicts = cluster.check_all(sim.world)  # type: ignore[attr-defined]
    assert [v.name for v in verdicts] == [v.name for v in sim.check()]
    assert all(v.holds for v in verdicts)


def test_chosen_by_reads_a_multipaxos_world_by_its_majority() -> None:
    """The viewer's history reads ``chosen_by`` on replica worlds too, whose rules give a
    majority size rather than flexible quorum systems."""
    from paxos_lib.multipaxos import OrdersSimulation
    from paxos_lib.properties import chosen_by

    sim = OrdersSimulation(3, seed=0)
    sim.submit("r1", "create #42 (c42/1)")
    while sim.world.inflight:
        sim.deliver()
    ((value, [(_, who)]),) = chosen_by(sim.world).items()
    assert value == "create #42 (c42/1)" and who == ("r1", "r2", "r3")


def test_a_hundred_clients_do_not_starve_the_network() -> None:
    # every step is one action: with 100 clients retrying every 100 steps (the old fixed
    # patience on 3 replicas), retries took nearly every step and no command was applied in
    # 205,000 steps; patience now grows with the clients
    result = run_orders(3, orders=100, seed=0, rate=0.5, max_steps=20_000)
    assert result.end == "converged" and result.agree and result.all_applied
    assert result.retries < result.commands
    stuck = run_orders(3, orders=100, seed=0, rate=0.5, patience=100, max_steps=20_000)
    assert stuck.end == "max-steps" and not stuck.all_applied
