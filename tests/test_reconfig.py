"""Reconfiguration: members change through the log and take effect alpha slots later.

The window rule, per-slot quorums, a spare that joins empty and catches up, a removed replica
that stops voting, the two broken variants' shortest counterexamples (pinned), replay and
determinism, the membership soak, and every bad argument refused with a message that names it.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paxos_lib import orders
from paxos_lib.actions import Deliver, Timeout
from paxos_lib.engine import apply, enabled_actions
from paxos_lib.errors import PaxosError
from paxos_lib.explore import explore
from paxos_lib.multipaxos import (
    ReconfigCluster,
    ReconfigSimulation,
    ReplicaCluster,
    ReplicaTrace,
    check_all,
    config_command,
    configuration_for,
    parse_reconfigure,
    plan_changes,
    reconfig_soak_case,
    replay_orders,
)
from paxos_lib.multipaxos.reconfig import chosen_slots_by_configuration
from paxos_lib.simulation import Faults

CMD = str(orders.create(42, "c1", 1))
FIVE = ("r1", "r2", "r3", "r4", "r5")


def shop(alpha: int = 2) -> ReconfigCluster:
    return ReconfigCluster(replicas=6, members=FIVE, alpha=alpha)


# -- the window --------------------------------------------------------------------------------


def test_configuration_of_a_slot_is_the_one_chosen_alpha_slots_before() -> None:
    initial = ("r1", "r2", "r3")
    log = [CMD, "config r1,r2,r3,r4", "noop", "config r2,r3,r4"]
    assert configuration_for(log, 0, 2, initial) == initial
    assert configuration_for(log, 2, 2, initial) == initial       # slot 0 holds no config
    assert configuration_for(log, 3, 2, initial) == ("r1", "r2", "r3", "r4")  # chosen in 1
    assert configuration_for(log, 5, 2, initial) == ("r2", "r3", "r4")        # chosen in 3
    assert configuration_for(log, 3, 3, initial) == initial
    assert configuration_for(log, 6, 2, initial) is None          # slot 4 is not known
    assert configuration_for([CMD, None, CMD], 4, 2, initial) is None  # a gap in slot 1
    with pytest.raises(PaxosError, match="alpha must be an int from 1 on, got 0"):
        configuration_for(log, 3, 0, initial)
    with pytest.raises(PaxosError, match="slot must be an int from 0 on, got -1"):
        configuration_for(log, -1, 2, initial)
    with pytest.raises(PaxosError, match="initial must be a non-empty tuple"):
        configuration_for(log, 3, 2, ())


def test_chosen_counts_a_majority_of_the_slots_own_configuration() -> None:
    from paxos_lib.messages import Ballot
    b = Ballot(1, "r1")
    votes = {("r1", (0, b), "config r1,r4"), ("r2", (0, b), "config r1,r4"),
             ("r1", (1, b), CMD), ("r4", (1, b), CMD),      # slot 1: old config, r4 counts not
             ("r1", (2, b), "noop"), ("r4", (2, b), "noop")}  # slot 2: new config {r1, r4}
    chosen = chosen_slots_by_configuration(votes, ("r1", "r2", "r3"), 2)
    assert chosen == {0: frozenset({"config r1,r4"}), 2: frozenset({"noop"})}


# -- a shop adds a sixth replica and retires an old one ----------------------------------------


@pytest.fixture(scope="module")
def sale() -> ReconfigSimulation:
    cluster = shop()
    sim = ReconfigSimulation(cluster, seed=3,
                             changes=parse_reconfigure("add:r6@10,remove:r1@20", cluster))
    sim.run_workload(12, Faults(drop=0.1, crash=0.05))
    return sim


def test_changes_go_through_the_log_and_every_replica_agrees(sale: ReconfigSimulation) -> None:
    world = sale.world
    assert all(v.holds for v in sale.check())
    configs = sale.configurations()
    assert [c["members"] for c in configs] == [
        list(FIVE), [*FIVE, "r6"], ["r2", "r3", "r4", "r5", "r6"]]
    assert configs[0]["chosen_in"] is None and configs[0]["takes_effect"] == 0
    for c in configs[1:]:
        assert c["chosen_in"] >= 10
        assert c["takes_effect"] == c["chosen_in"] + 2
        # the command sits in the chosen log of every replica, at that slot
        for r in sale.replicas():
            assert r.log[c["chosen_in"]] == config_command(c["members"])
    applied = {r.node: r.applied for r in sale.replicas()}
    assert len(set(applied.values())) == 1, applied  # the new replica caught up, all agree
    assert {r.node for r in sale.replicas()} == {*FIVE, "r6"}
    assert world.crashed == frozenset()


def test_the_new_replica_votes_only_after_it_joins(sale: ReconfigSimulation) -> None:
    joined = sale.configurations()[1]["takes_effect"]
    slots = {key[0] for who, key, _ in sale.world.votes if who == "r6"}
    assert slots, "r6 never voted"
    assert min(slots) >= joined


def test_a_removed_replica_stops_voting_for_slots_past_its_removal(
        sale: ReconfigSimulation) -> None:
    removed = sale.configurations()[2]["takes_effect"]
    votes = {key[0] for who, key, _ in sale.world.votes if who == "r1"}
    assert votes and max(votes) < removed
    longest = max(r.applied for r in sale.replicas())
    assert longest > removed + 5  # the log went on well past the removal without r1


def test_a_leader_never_has_more_than_alpha_slots_in_flight() -> None:
    for alpha in (1, 3):
        cluster = shop(alpha)
        sim = ReconfigSimulation(cluster, seed=1,
                                 changes=parse_reconfigure("add:r6@4,remove:r2@8", cluster))
        sim.run_workload(6, Faults(drop=0.05))
        most = 0
        for world in sim.worlds:
            for r in world.nodes:
                if r.is_leader:  # type: ignore[union-attr]
                    for slot, _, _ in r.proposals:  # type: ignore[union-attr]
                        assert slot < r.applied + alpha  # type: ignore[union-attr]
                        most = max(most, slot - r.applied + 1)  # type: ignore[union-attr]
        assert most == alpha  # the pipeline is used in full, and never more


def test_same_seed_same_trace_and_the_trace_replays(sale: ReconfigSimulation) -> None:
    cluster = shop()
    again = ReconfigSimulation(cluster, seed=3,
                               changes=parse_reconfigure("add:r6@10,remove:r1@20", cluster))
    again.run_workload(12, Faults(drop=0.1, crash=0.05))
    assert again.trace == sale.trace
    back = ReplicaTrace.from_json(sale.trace.to_json())
    assert back == sale.trace and back.cluster == cluster
    replayed = replay_orders(back)
    assert replayed.world == sale.world


def test_the_operator_changes_members_by_hand() -> None:
    cluster = ReconfigCluster(replicas=4, members=("r1", "r2", "r3"), alpha=1)
    sim = ReconfigSimulation(cluster, seed=0)
    sim.reconfigure("r2", ["r2", "r3", "r4"])
    sim.submit("r3", CMD)
    sim.run(max_steps=3000)
    assert all(v.holds for v in sim.check())
    assert [c["members"] for c in sim.configurations()][-1] == ["r2", "r3", "r4"]
    assert all(CMD in r.log[: r.applied] for r in sim.replicas())
    # r1 left the members, so it does not lead any more: the leader is a member
    assert sim.leader() in ("r2", "r3", "r4")


# -- the explorer: the correct rule holds, the broken ones are caught --------------------------

TINY = ReconfigCluster(replicas=3, members=("r1", "r2"), alpha=2)
REPLACE = {"r1": ["config r1,r3", CMD]}  # replace r2 by r3 in one command, and an order


def test_correct_window_has_no_violation_within_depth_bound() -> None:
    r = explore(TINY, REPLACE, max_ballot=1, max_depth=11)
    assert r.violation is None and r.end in ("exhausted", "bound")
    example = r.examples["all-applied"]
    assert example is not None and len(example) == 10  # r3 learns by catch-up, too


def test_config_at_once_shortest_counterexample() -> None:
    r = explore(TINY, REPLACE, variant="config-at-once", max_ballot=1, max_depth=14)
    assert r.end == "violation" and r.violation == "replicas-agree"
    trace = r.counterexample
    assert isinstance(trace, ReplicaTrace) and len(trace) == 9
    labels = [str(a) for a in trace.steps]
    assert labels[6] == "timeout r1"
    assert labels[-1] == "deliver accepted 1.r1 slot 1 'create #42 (c1/1)' r3→r1"
    sim = replay_orders(trace)
    assert not all(v.holds for v in sim.check())
    # the same schedule under the correct rule breaks nothing
    fixed = ReplicaTrace(TINY, "classic", trace.network, trace.steps)
    with pytest.raises(PaxosError):
        replay_orders(fixed)  # the correct leader never sends r3 that accept for slot 1


def test_no_window_shortest_counterexample() -> None:
    cluster = ReconfigCluster(replicas=3, members=("r1", "r2"), alpha=1)
    r = explore(cluster, REPLACE, variant="no-window", max_ballot=1, max_depth=12)
    assert r.end == "violation" and r.violation == "replicas-agree"
    assert isinstance(r.counterexample, ReplicaTrace) and len(r.counterexample) == 7
    labels = [str(a) for a in r.counterexample.steps]
    assert labels[5] == "deliver accept 1.r1 slot 1 'create #42 (c1/1)' r1→r2"
    assert not all(v.holds for v in replay_orders(r.counterexample).check())


def test_no_window_replacing_every_member_at_once() -> None:
    # old majority {r1, r2} and new majority {r3, r4} do not intersect
    cluster = ReconfigCluster(replicas=4, members=("r1", "r2"), alpha=1)
    r = explore(cluster, {"r1": ["config r3,r4", CMD]}, variant="no-window", max_ballot=1,
                max_depth=12)
    assert r.end == "violation" and r.violation == "replicas-agree"
    assert isinstance(r.counterexample, ReplicaTrace) and len(r.counterexample) == 7
    assert r.states == 418
    assert "slot 1" in r.detail


# -- the soak with membership changes ----------------------------------------------------------


def test_membership_soak_has_no_violation_and_nothing_stuck() -> None:
    bad, stuck = [], []
    for seed in range(1000, 1030):  # tests/test_multipaxos_soak.py runs seeds from 0
        case = reconfig_soak_case(seed)
        result = case.run()
        if not result.agree:
            bad.append((seed, [str(v) for v in result.verdicts if not v.holds]))
        if result.end != "converged" or not result.all_applied:
            stuck.append((seed, result.end, str(result.progress)))
    assert not bad, bad[:3]
    assert not stuck, stuck[:3]
    assert reconfig_soak_case(7) == reconfig_soak_case(7)


# -- bad arguments -----------------------------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"alpha": 0}, r"alpha must be an int from 1 to 64.*got 0"),
    ({"alpha": True}, r"alpha must be an int"),
    ({"members": ()}, r"at least 2 replicas.*got \[\]"),
    ({"members": ("r1",)}, r"at least 2 replicas.*r1, r2, r3, r4, r5, r6"),
    ({"members": ("r1", "r9")}, r"unknown replica id\(s\) 'r9'.*r1, r2, r3, r4, r5, r6"),
    ({"members": ("r1", "r1")}, r"each replica once"),
    ({"members": "r1,r2"}, r"list of replica ids"),
])
def test_bad_clusters_are_refused(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(PaxosError, match=match):
        ReconfigCluster(replicas=6, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("spec", "match"), [
    ("", r"add:r6@10,remove:r1@20"),
    ("add:r6", r"cannot read 'add:r6'.*kind:replica@slot"),
    ("add:r6@x", r"cannot read 'add:r6@x'"),
    ("grow:r6@3", r"unknown change 'grow'; choose 'add' or 'remove'"),
    ("add:r9@3", r"unknown replica 'r9' in add; this cluster has r1, r2, r3, r4, r5, r6"),
    ("add:r2@3", r"cannot add r2: it is already a member"),
    ("remove:r6@3", r"cannot remove r6: it is not a member"),
    ("add:r6@9,remove:r1@4", r"slot of remove r1 must be a whole number from 9 on"),
])
def test_bad_reconfigure_specs_are_refused(spec: str, match: str) -> None:
    with pytest.raises(PaxosError, match=match):
        parse_reconfigure(spec, shop())


def test_other_bad_arguments_are_refused() -> None:
    tiny = ReconfigCluster(replicas=2, members=("r1", "r2"))
    with pytest.raises(PaxosError, match=r"at least 2 replicas.*got \['r2'\]"):
        plan_changes(tiny, [("remove", "r1", 0)])
    with pytest.raises(PaxosError, match="needs a ReconfigCluster"):
        plan_changes(ReplicaCluster(3), [])  # type: ignore[arg-type]
    with pytest.raises(PaxosError, match="ReconfigSimulation needs a ReconfigCluster"):
        ReconfigSimulation(ReplicaCluster(3))  # type: ignore[arg-type]
    with pytest.raises(PaxosError, match="needs a ReconfigCluster"):
        ReplicaCluster(3).make_rules("config-at-once")
    with pytest.raises(PaxosError, match=r"'phase1-per-slot'.*'classic', 'config-at-once'"):
        shop().make_rules("phase1-per-slot")
    sim = ReconfigSimulation(shop())
    with pytest.raises(PaxosError, match=r"unknown replica id\(s\) 'r7'"):
        sim.reconfigure("r1", ["r1", "r7"])
    with pytest.raises(PaxosError, match=r"names unknown replica\(s\) r8"):
        sim.apply(__import__("paxos_lib").actions.Propose("r1", "config r1,r8"))
    with pytest.raises(PaxosError, match=r"at least 2 replicas"):
        sim.reconfigure("r1", [])
    with pytest.raises(PaxosError, match=r"patience must be an int from 1 on, got 0"):
        ReconfigSimulation(shop(), patience=0)
    with pytest.raises(PaxosError, match=r"max_orders must be an int from 1"):
        reconfig_soak_case(1, max_orders=0)
    with pytest.raises(PaxosError, match=r"a configuration command is written"):
        from paxos_lib.multipaxos.membership import parse_config_command
        parse_config_command("r1,r2")


@given(st.sampled_from([1, 2]),
       st.lists(st.integers(min_value=0, max_value=10_000), max_size=80))
@settings(max_examples=60, deadline=None)
def test_every_step_keeps_every_property(alpha: int, choices: list[int]) -> None:
    cluster = ReconfigCluster(replicas=4, members=("r1", "r2", "r3"), alpha=alpha)
    sim = ReconfigSimulation(cluster, seed=0)
    sim.reconfigure("r1", ["r2", "r3", "r4"])
    sim.submit("r2", CMD)
    world = sim.world
    for choice in choices:
        actions = enabled_actions(world)
        useful = [a for a in actions if isinstance(a, Deliver | Timeout)]
        pool = useful if useful and choice % 4 else actions
        world = apply(world, pool[choice % len(pool)])
        bad = [str(v) for v in check_all(world) if not v.holds]
        assert not bad, bad


@pytest.mark.parametrize("seed", [443, 1376, 2049])
def test_a_removed_leader_is_replaced_and_a_lagging_spare_catches_up(seed: int) -> None:
    # In these runs the leader is the replica removed; without its last heartbeat and the
    # members' timers the spare ended lagging with nobody leading.
    case = reconfig_soak_case(seed)
    sim = case.simulation()
    result = sim.run_workload(case.orders, case.faults)
    removed = case.steps[1][1]
    assert result.agree and result.all_applied and result.end == "converged"
    assert any(r.node == removed and r.is_leader for w in sim.worlds for r in w.nodes)  # type: ignore[union-attr]


def test_the_lesson_view_opens_each_broken_run_at_its_violation() -> None:
    from paxos_lib.viz.clusterview import ClusterView

    at_once = explore(TINY, REPLACE, variant="config-at-once", max_ballot=1,
                      max_depth=14).counterexample
    no_window = explore(ReconfigCluster(replicas=3, members=("r1", "r2"), alpha=1), REPLACE,
                        variant="no-window", max_ballot=1, max_depth=12).counterexample
    assert at_once is not None and no_window is not None
    v = ClusterView(at_once, runs={"config-at-once": at_once, "no-window": no_window})
    assert v.view["step"] == len(at_once)
    broken = [x for x in v.view["verdicts"] if not x["holds"]]
    assert broken[0]["name"] == "replicas-agree" and "slot 1" in broken[0]["text"]
    assert v.note.startswith("This run breaks replicas-agree at step")
    v._on_msg(v, {"do": "run", "name": "no-window"}, [])  # the run menu, as the browser sends it
    assert v.view["step"] == len(no_window)
