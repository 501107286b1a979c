"""Raft on the real engine: handler walks, scripted scenarios, workloads under faults,
traces, the comparison with Multi-Paxos, and argument checking."""

from __future__ import annotations

import pytest

from paxos_lib.actions import Crash, Deliver, Propose, Recover, Timeout
from paxos_lib.engine import apply, initial_world
from paxos_lib.errors import ConfigError, PaxosError, SimulationError, UnknownNodeError
from paxos_lib.messages import Ballot, CancelTimer, Send, SetTimer
from paxos_lib.orders import create, pay
from paxos_lib.raft import (
    RAFT_VARIANTS,
    AppendEntries,
    AppendReply,
    RaftCluster,
    RaftServer,
    RaftSimulation,
    RaftTrace,
    RequestVote,
    VoteReply,
    check_all,
    commit_counting_replicas,
    commit_current_term,
    leaders,
    replay_raft,
    run_raft,
    server_rows,
    votes_cast,
)
from paxos_lib.raft.compare import compare, leader_crash, messages_per_command, partition
from paxos_lib.raft.messages import message_from_dict
from paxos_lib.raft.scenarios import FIGURE8_COMMANDS, FIGURE8_PREFIX, deliver, figure8
from paxos_lib.simulation import Faults

A = str(create(1, "c1", 1))
B = str(pay(1, "c1", 2))
RULES = RaftCluster(3).make_rules()


def elect_s1(sim: RaftSimulation) -> None:
    sim.submit("s1", A)
    sim.apply(Timeout("s1"))
    deliver(sim, "request-vote", "s1", "s2", 1)
    deliver(sim, "vote", "s2", "s1", 1)


# -- handler walks: whole state and exact effects -----------------------------------------------


def test_a_follower_with_a_command_and_no_leader_waits_for_its_timer() -> None:
    s, effects = RaftServer(node="s1").on_propose(A, RULES)
    assert s == RaftServer(node="s1", pending=(A,))
    assert effects == (SetTimer("s1"),)


def test_timeout_starts_an_election_with_a_new_term_and_a_vote_for_itself() -> None:
    s, effects = RaftServer(node="s1", pending=(A,)).on_timeout(RULES)
    assert s == RaftServer(node="s1", term=1, voted_for="s1", role="candidate",
                           granted=("s1",), pending=(A,), backoff=1)
    assert effects == tuple(
        Send(RequestVote(src="s1", dst=p, ballot=Ballot(1, "s1"), last_index=0, last_term=0))
        for p in ("s2", "s3"))


def test_one_vote_per_term_and_only_for_an_up_to_date_log() -> None:
    voter = RaftServer(node="s3", term=2, log=((2, A),))
    stale = RequestVote(src="s1", dst="s3", ballot=Ballot(3, "s1"), last_index=5, last_term=1)
    s, effects = voter.on_message(stale, RULES)
    # a higher term is adopted, but a log ending in an older term gets no vote
    assert s == RaftServer(node="s3", term=3, log=((2, A),))
    assert effects == (Send(VoteReply(src="s3", dst="s1", ballot=Ballot(3, "s1"),
                                      granted=False)),)
    fresh = RequestVote(src="s2", dst="s3", ballot=Ballot(3, "s2"), last_index=1, last_term=2)
    s2, effects = s.on_message(fresh, RULES)
    assert s2.voted_for == "s2" and effects[0].message.granted  # type: ignore[union-attr]
    other = RequestVote(src="s1", dst="s3", ballot=Ballot(3, "s1"), last_index=4, last_term=2)
    s3, effects = s2.on_message(other, RULES)
    assert s3 == s2 and not effects[0].message.granted  # type: ignore[union-attr]


def test_append_entries_checks_prev_truncates_conflicts_and_commits() -> None:
    f = RaftServer(node="s2", term=2, log=((1, A), (1, B)), leader="s1")
    # prev entry missing: refused, with the follower's length as a hint
    m = AppendEntries(src="s1", dst="s2", ballot=Ballot(2, "s1"), prev_index=3, prev_term=2,
                      entries=((2, "noop"),), commit=0)
    s, effects = f.on_message(m, RULES)
    assert s == RaftServer(node="s2", term=2, log=((1, A), (1, B)), leader="s1")
    assert effects == (Send(AppendReply(src="s2", dst="s1", ballot=Ballot(2, "s1"),
                                        success=False, match=2, commit=0)),)
    # a conflicting entry at index 2 goes, with all after it; the commit index follows
    m = AppendEntries(src="s1", dst="s2", ballot=Ballot(2, "s1"), prev_index=1, prev_term=1,
                      entries=((2, "noop"),), commit=2)
    s, effects = f.on_message(m, RULES)
    assert s.log == ((1, A), (2, "noop"))
    assert s.commit == 2 and s.applied == ((1, A, 2), (2, "noop", 2))
    assert s.book.as_dict() == {1: "PENDING"}
    assert effects == (Send(AppendReply(src="s2", dst="s1", ballot=Ballot(2, "s1"),
                                        success=True, match=2, commit=2)),)
    # a stale leader is refused with the current term
    old = AppendEntries(src="s3", dst="s2", ballot=Ballot(1, "s3"), prev_index=0, prev_term=0)
    s4, effects = s.on_message(old, RULES)
    assert s4 == s and effects[0].message.term == 2 and not effects[0].message.success  # type: ignore[union-attr]


def test_commit_rules() -> None:
    # entries of terms 1, 1, 3 on a leader of term 3; matches: leader 3, peers 2 and 1
    assert commit_current_term((1, 1, 3), (3, 2, 1), 3, 0, 2) == 0
    assert commit_counting_replicas((1, 1, 3), (3, 2, 1), 3, 0, 2) == 2
    assert commit_current_term((1, 1, 3), (3, 3, 1), 3, 0, 2) == 3
    assert commit_current_term((1,), (1, 0, 0), 1, 0, 2) == 0


def test_crash_keeps_term_vote_and_log_and_restart_rearms_the_timer() -> None:
    sim = RaftSimulation(3, seed=0)
    elect_s1(sim)
    before = sim.world.node("s1")
    sim.apply(Crash("s1"))
    after = sim.world.node("s1")
    assert (after.term, after.voted_for, after.log) == (before.term, "s1", ((1, A),))
    assert after.role == "follower" and after.next_index == () and after.pending == ()
    assert "s1" not in sim.world.timers
    sim.apply(Recover("s1"))
    assert "s1" not in sim.world.timers  # nothing to do: no pending command, not leading


# -- scenarios ----------------------------------------------------------------------------------


def test_a_command_is_committed_and_applied_everywhere() -> None:
    sim = RaftSimulation(3, seed=0)
    elect_s1(sim)
    assert sim.leader() == "s1" and sim.world.node("s1").log == ((1, A),)
    sim.settle()
    assert all(sim.applied(s) == (A,) for s in ("s1", "s2", "s3"))
    assert all(v.holds for v in sim.check())
    assert check_all(sim.world, "sometimes")[0].holds
    assert leaders(sim.world) == {1: frozenset({"s1"})}
    assert votes_cast(sim.world) == {("s2", 1): frozenset({"s1"})}
    assert [r["role"] for r in server_rows(sim.world)] == ["leader", "follower", "follower"]


def test_a_follower_forwards_to_the_leader_and_takes_over_when_it_is_gone() -> None:
    sim = RaftSimulation(3, seed=1)
    elect_s1(sim)
    sim.settle()
    sim.apply(Crash("s1"))
    sim.submit("s2", B)
    assert sim.find("forward", "s2", "s1")
    quiet = Faults(recover=0.0, heal=0.0)
    while B not in sim.applied("s2") and B not in sim.applied("s3"):
        sim.apply(sim.next_random_action(quiet))  # type: ignore[arg-type]
    assert sim.leader() in ("s2", "s3") and sim.world.node(sim.leader()).term == 2
    sim.settle()
    assert all(sim.applied(s) == (A, B) for s in ("s1", "s2", "s3"))


def test_figure8_is_safe_under_classic_raft_and_the_commit_waits() -> None:
    sim = figure8("classic")
    assert len(sim.trace) == FIGURE8_PREFIX
    a = FIGURE8_COMMANDS[0]
    deliver(sim, "append", "s1", "s3", 3)
    deliver(sim, "append-reply", "s3", "s1", 3)
    s1 = sim.world.node("s1")
    assert s1.log == ((1, a),) and s1.commit == 0  # a majority holds it, but term 1 < 3
    assert all(v.holds for v in sim.check())


def test_figure8_broken_commit_rule_loses_a_committed_entry() -> None:
    sim = figure8("raft-commit-old-term")
    a, b = FIGURE8_COMMANDS
    deliver(sim, "append", "s1", "s3", 3)
    deliver(sim, "append-reply", "s3", "s1", 3)
    assert sim.applied("s1") == (a,)  # committed by counting replicas
    deliver(sim, "request-vote", "s1", "s2", 3)
    sim.submit("s2", b)
    sim.apply(Timeout("s2"))
    deliver(sim, "request-vote", "s2", "s3", 4)
    deliver(sim, "vote", "s3", "s2", 4)
    bad = [v.name for v in sim.check() if not v.holds]
    assert bad == ["leader-completeness"]
    deliver(sim, "append", "s2", "s3", 4)
    deliver(sim, "append-reply", "s3", "s2", 4)   # s2 commits b at index 1 the same way
    deliver(sim, "append", "s2", "s1", 4)
    assert sim.world.node("s1").log == ((2, b),)  # a overwritten on s1 after it applied it
    bad = [v.name for v in sim.check() if not v.holds]
    assert "state-machine-safety" in bad


# -- workloads, faults, traces ------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_workloads_under_faults_agree_and_finish(seed: int) -> None:
    faults = Faults(drop=0.1, duplicate=0.05, crash=0.03, partition=0.02, timeout=0.01)
    r = run_raft(servers=3 if seed % 2 else 5, orders=3, seed=seed, faults=faults)
    assert r.agree, [v for v in r.verdicts if not v.holds]
    assert r.all_applied and r.end == "converged"
    assert len({tuple(sorted(s.items())) for s in r.order_states.values()}) == 1


def test_same_seed_same_trace_and_traces_replay() -> None:
    def run() -> RaftSimulation:
        sim = RaftSimulation(3, seed=7)
        sim.run_workload(orders=2, faults=Faults(drop=0.1, crash=0.05))
        return sim

    one, two = run(), run()
    assert one.trace == two.trace and len(one.trace) > 20
    again = replay_raft(RaftTrace.from_json(one.trace.to_json()))
    assert again.world == one.world
    assert again.order_states("s1") == one.order_states("s1")


def test_messages_round_trip() -> None:
    sim = RaftSimulation(3, seed=3)
    sim.run_workload(orders=1)
    kinds = set()
    for step in sim.trace.steps:
        if isinstance(step, Deliver):
            kinds.add(step.message.KIND)
            assert message_from_dict(step.message.to_dict()) == step.message
    assert {"request-vote", "vote", "append", "append-reply"} <= kinds


def test_comparison_runs_both_protocols_on_the_same_scenarios() -> None:
    for p in ("multi-paxos", "raft"):
        assert 2 <= messages_per_command(p, seed=0) <= 12
        crash = leader_crash(p, seed=0)
        assert crash["applied"] == 1 and crash["new_leader"] == 1
        cut = partition(p, seed=0)
        assert cut["applied_during"] == 3
    # Raft's isolated candidate starts term after term; a Multi-Paxos candidate retries its
    # one ballot.  Pinned for seed 0, 3 servers, 200 steps.
    assert partition("raft", seed=0)["isolated_epoch"] == 6
    assert partition("multi-paxos", seed=0)["isolated_epoch"] == 1
    table = compare(range(1), orders=1)
    assert set(table) == {"multi-paxos", "raft"}


@pytest.mark.parametrize("seed", range(12))
def test_every_property_holds_after_every_step_of_seeded_runs_with_faults(seed: int) -> None:
    faults = Faults(drop=0.15, duplicate=0.1, crash=0.05, recover=0.2, partition=0.03,
                    heal=0.15, timeout=0.05)
    sim = RaftSimulation(3, seed=seed)
    commands = [str(create(k, f"c{k}", 1)) for k in range(1, 4)]
    for step in range(400):
        if step % 40 == 0 and step // 40 < len(commands):
            up = [n for n in sim.cluster.node_ids if n not in sim.world.crashed]
            if up:
                sim.submit(up[step % len(up)], commands[step // 40])
        action = sim.next_random_action(faults)
        if action is None:
            break
        sim.apply(action)
        bad = [v for v in sim.check() if not v.holds]
        assert not bad, (step, bad, sim.trace.numbered())


# -- bad arguments ------------------------------------------------------------------------------


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ConfigError, match="servers must be an int from 2"):
        RaftCluster(1)
    with pytest.raises(ConfigError, match="backoff must be True or False"):
        RaftCluster(3, backoff="no")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="commit_rule must be a function"):
        RaftCluster(3, commit_rule=5)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="raft-commit-old-term"):
        RaftCluster(3).make_rules("snippet")
    with pytest.raises(ConfigError, match="raft-commit-old-term"):
        RaftSimulation(3, variant="forgetful-leader")
    with pytest.raises(ConfigError, match="RaftCluster"):
        RaftSimulation("three")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="seed must be an int"):
        RaftSimulation(3, seed=1.5)  # type: ignore[arg-type]
    with pytest.raises(UnknownNodeError, match="s1, s2, s3"):
        RaftSimulation(3).submit("r1", A)
    with pytest.raises(ConfigError, match="orders must be an int"):
        RaftSimulation(3).run_workload(0)
    with pytest.raises(ConfigError, match="faults must be a Faults"):
        RaftSimulation(3).run_workload(1, faults="drop")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="clients_know_leader"):
        RaftSimulation(3).run_workload(1, clients_know_leader=1)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="unknown Raft message type"):
        message_from_dict({"type": "prepare"})
    with pytest.raises(ConfigError, match="last_term"):
        RequestVote(src="s1", dst="s2", ballot=Ballot(1, "s1"), last_index=0, last_term=-1)
    with pytest.raises(ConfigError, match="leader 's1'"):
        AppendEntries(src="s1", dst="s2", ballot=Ballot(1, "s2"), prev_index=0, prev_term=0)
    with pytest.raises(ConfigError, match="a Raft trace needs a RaftCluster"):
        RaftTrace(cluster=3)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="multi-paxos' or 'raft'"):
        leader_crash("zab")
    with pytest.raises(ConfigError, match="isolate must be"):
        partition("raft", isolate="everyone")
    with pytest.raises(SimulationError, match="no append of term 9"):
        deliver(RaftSimulation(3), "append", "s1", "s2", 9)
    with pytest.raises(ConfigError, match="unknown Raft message kind 'prepare'"):
        deliver(RaftSimulation(3), "prepare", "s1", "s2", 1)
    with pytest.raises(UnknownNodeError, match="unknown server 'r1'"):
        deliver(RaftSimulation(3), "append", "r1", "s2", 1)
    with pytest.raises(ConfigError, match="commit_rule must be a function"):
        figure8(commit_rule="count")
    with pytest.raises(PaxosError):
        apply(initial_world(RaftCluster(3)), Timeout("s1"))  # no timer armed
    assert RAFT_VARIANTS == ("classic", "raft-commit-old-term")
    with pytest.raises(ConfigError, match="a Raft cluster is a dict"):
        RaftCluster.from_dict({"replicas": 3})
    assert RaftCluster.from_dict(RaftCluster(3, backoff=False).to_dict()) == \
        RaftCluster(3, backoff=False)
    assert CancelTimer  # the timer is cancelled through the same effects as Multi-Paxos
    assert Propose


def test_raft_modules_import_nothing_heavy() -> None:
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys, paxos_lib.raft, paxos_lib.raft.compare, paxos_lib.raft.scenarios, "
            "paxos_lib.exercises.raft; "
            "print(sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('networkx', 'matplotlib', 'ipywidgets')))")
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_raft_and_replica_actions_share_one_decoder_and_its_errors() -> None:
    """Both protocols' traces rebuild actions through ``protocol_action_from_dict``: an action
    that names a message but carries none is refused the same way by both."""
    from paxos_lib.errors import ConfigError
    from paxos_lib.multipaxos.trace import replica_action_from_dict
    from paxos_lib.raft.trace import raft_action_from_dict

    for decode in (raft_action_from_dict, replica_action_from_dict):
        with pytest.raises(ConfigError, match="deliver action is missing the field 'message'"):
            decode({"action": "deliver"})
        assert decode({"action": "crash", "node": "r1"}).to_dict() == {"action": "crash",
                                                                        "node": "r1"}


def test_raft_and_multipaxos_play_the_same_clients_through_one_loop() -> None:
    from paxos_lib.multipaxos import run_orders

    # a few clients sharing the orders, on both protocols: the same plan, every command
    # applied, one client-table entry per client on every server
    raft = run_raft(servers=3, orders=6, seed=5, clients=2)
    mp = run_orders(replicas=3, orders=6, seed=5, clients=2)
    assert raft.commands == mp.commands and raft.agree and mp.agree
    assert raft.all_applied and mp.all_applied and raft.end == mp.end == "converged"
    assert raft.order_states["s1"] == mp.order_states["r1"]
    with pytest.raises(ConfigError, match="clients_know_leader must be True or False"):
        run_orders(replicas=3, orders=1, clients_know_leader="yes")
    with pytest.raises(ConfigError, match="clients must be an int from 1"):
        run_raft(servers=3, orders=2, clients=0)
