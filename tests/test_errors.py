"""Bad input: every public constructor and entry point refuses it with a ``PaxosError``.

Each case names the error class and matches the message, which must name the bad value and
say what is allowed.  The fuzz tests at the end feed junk to every entry point and accept only
success or a ``PaxosError`` -- never a bare KeyError, IndexError, AttributeError or TypeError.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import paxos_lib as px
from paxos_lib import (
    Ballot,
    ConfigError,
    Crash,
    Deliver,
    Drop,
    Heal,
    PaxosError,
    Prepare,
    Propose,
    Recover,
    SimulationError,
    Timeout,
    UnknownNodeError,
)
from paxos_lib.actions import action_from_dict
from paxos_lib.messages import message_from_dict
from paxos_lib.properties import check_property_names

VARIANT_LIST = ("'classic', 'snippet', 'forgetful-proposer', 'lowest-vote', 'amnesiac-acceptor', "
                "'accept-below-promise', "
                "'duplicate-ballots', 'ballot-reuse', 'cross-ballot-learner', 'minority-quorum', "
                "'part-time-parliament', 'paxos-made-simple' or 'paxos-tla'")
NODES = "p1, p2, a1, a2, a3, l1"


def busy_sim(network: str = "lossy") -> px.Simulation:
    sim = px.Simulation(px.Cluster(proposers=2, acceptors=3), network=network)
    sim.propose("p1", "x")
    return sim


def raises(error: type[Exception], match: str, call: Callable[[], object]) -> None:
    with pytest.raises(error, match=match):
        call()


def test_the_error_hierarchy() -> None:
    assert issubclass(ConfigError, PaxosError) and issubclass(ConfigError, ValueError)
    assert issubclass(UnknownNodeError, ConfigError)
    assert issubclass(SimulationError, PaxosError)
    assert issubclass(px.InvalidTransitionError, PaxosError)


# -- zero, negative and out-of-range counts -----------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"proposers": 0}, r"^proposers must be from 1 to 26, got 0$"),
        ({"proposers": -2}, r"^proposers must be from 1 to 26, got -2$"),
        ({"acceptors": 0}, r"^acceptors must be from 1 to 26, got 0$"),
        ({"acceptors": -1}, r"^acceptors must be from 1 to 26, got -1$"),
        ({"learners": 0}, r"^learners must be from 1 to 26, got 0$"),
        ({"learners": 27}, r"^learners must be from 1 to 26, got 27$"),
        ({"proposers": 2.0}, r"^proposers must be an int from 1 to 26, got 2\.0$"),
        ({"acceptors": True}, r"^acceptors must be an int from 1 to 26, got True$"),
        ({"acceptors": "3"}, r"^acceptors must be an int from 1 to 26, got '3'$"),
        ({"quorum": 0}, r"^quorum must be from 1 to 3 \(the number of acceptors\), got 0$"),
        ({"quorum": -1}, r"^quorum must be from 1 to 3 \(the number of acceptors\), got -1$"),
        ({"quorum": 4}, r"^quorum must be from 1 to 3 \(the number of acceptors\), got 4$"),
        ({"quorum": "2"}, r"^quorum must be None \(a majority\) or an int from 1 to 3, got '2'$"),
    ],
)
def test_cluster_counts(kwargs: dict[str, object], match: str) -> None:
    raises(ConfigError, match, lambda: px.Cluster(**kwargs))  # type: ignore[arg-type]


def test_cluster_from_dict() -> None:
    raises(ConfigError, r"unknown cluster field\(s\) \['nodes'\]; allowed: proposers, "
                        r"acceptors, learners, quorum", lambda: px.Cluster.from_dict({"nodes": 3}))
    raises(ConfigError, r"a cluster is a dict with proposers/acceptors/learners, got \[3\]",
           lambda: px.Cluster.from_dict([3]))
    raises(ConfigError, r"proposers must be from 1 to 26, got 0",
           lambda: px.Cluster.from_dict({"proposers": 0}))


def test_simulation_step_counts() -> None:
    sim = busy_sim()
    raises(ConfigError, r"^undo steps must be an int >= 1, got 0$", lambda: sim.undo(0))
    raises(ConfigError, r"^undo steps must be an int >= 1, got -1$", lambda: sim.undo(-1))
    raises(ConfigError, r"^undo steps must be an int >= 1, got '1'$", lambda: sim.undo("1"))
    raises(SimulationError, r"^cannot undo 2 step\(s\): only 1 step\(s\) taken$",
           lambda: sim.undo(2))
    raises(ConfigError, r"^step must be an int from 0 to 1, got -1$", lambda: sim.rewind(-1))
    raises(ConfigError, r"^step must be an int from 0 to 1, got 2$", lambda: sim.rewind(2))
    raises(ConfigError, r"^max_steps must be an int >= 0, got -1$",
           lambda: sim.run(max_steps=-1))
    raises(ConfigError, r"^max_steps must be an int >= 0, got 1\.5$",
           lambda: sim.run(max_steps=1.5))  # type: ignore[arg-type]
    assert len(sim.steps) == 1  # nothing above changed the run


# -- unknown node ids ---------------------------------------------------------------------------


def test_unknown_node_ids() -> None:
    sim = busy_sim()
    raises(UnknownNodeError, rf"^unknown node 'z9'; this cluster has {NODES}$",
           lambda: sim.propose("z9", "x"))
    raises(UnknownNodeError, rf"^unknown node 'z9'; this cluster has {NODES}$",
           lambda: sim.world.node("z9"))
    raises(UnknownNodeError, rf"^unknown node 7; this cluster has {NODES}$",
           lambda: sim.cluster.check_node(7))
    raises(ConfigError, r"^unknown role 'leader'; roles: proposer, acceptor, learner$",
           lambda: sim.cluster.check_node("p1", "leader"))
    raises(SimulationError, rf"^cannot crash z9: unknown node 'z9'; this cluster has {NODES}$",
           lambda: sim.apply(Crash("z9")))
    raises(SimulationError, rf"^cannot recover z9: unknown node 'z9'; this cluster has {NODES}$",
           lambda: sim.apply(Recover("z9")))
    raises(SimulationError, rf"unknown node\(s\) \['z9'\] in the partition; this cluster has "
                            rf"{NODES}",
           lambda: sim.apply(px.Partition((("z9", "p1"), ("p2", "a1", "a2", "a3", "l1")))))
    raises(SimulationError, r"'z9' is not a proposer; the proposers are p1, p2",
           lambda: sim.apply(Timeout("z9")))


def test_replaying_a_trace_on_another_cluster_is_refused_naming_both() -> None:
    big = px.Simulation(px.Cluster(proposers=3, acceptors=3))
    big.propose("p3", "x")
    raises(ConfigError, r"^the trace was recorded on 3 proposer\(s\), 3 acceptor\(s\), 1 "
                        r"learner\(s\), not on 2 proposer\(s\), 3 acceptor\(s\), 1 learner\(s\)",
           lambda: px.replay(px.Cluster(proposers=2, acceptors=3), big.trace))
    # issue 12's case: 2x3 with one learner replayed on two learners
    small = px.Simulation(px.Cluster(proposers=2, acceptors=3, learners=1))
    small.propose("p1", "x")
    raises(ConfigError, r"1 learner\(s\), not on 2 proposer\(s\), 3 acceptor\(s\), 2 learner",
           lambda: px.replay(px.Cluster(proposers=2, acceptors=3, learners=2), small.trace))
    assert px.replay(small.cluster, small.trace).steps == small.steps
    # a bare list of actions carries no cluster: its steps are checked one by one
    raises(SimulationError, r"^step 1 of the trace \(p3 proposes 'x'\) cannot happen: 'p3' is "
                            r"not a proposer; the proposers are p1, p2$",
           lambda: px.replay(px.Cluster(proposers=2, acceptors=3), list(big.steps)))


def test_huge_numbers_are_paxos_errors_not_value_or_overflow_errors() -> None:
    raises(ConfigError, r"^a ballot's round has at most 18 digits, got one with 5000 digits",
           lambda: px.Ballot.parse("9" * 5000 + ".p1"))
    assert px.Ballot.parse("0" * 30 + "7.p1") == px.Ballot(7, "p1")
    sim = px.Simulation(px.Cluster(proposers=1, acceptors=1))
    sim.propose("p1", "x")
    sim.deliver("prepare")
    text = sim.trace.to_json().replace('"1.p1"', '"' + "9" * 5000 + '.p1"')
    assert text.count("9" * 5000) == 1
    raises(ConfigError, r"^a ballot's round has at most 18 digits",
           lambda: px.Trace.from_json(text))
    for name in ("drop", "duplicate", "crash", "recover", "partition", "heal", "timeout"):
        raises(ConfigError, rf"^{name} must be a probability from 0 to 1, got an integer of 401 "
                            r"digits$", lambda name=name: px.Faults(**{name: 10**400}))
    raises(ConfigError, r"^drop must be a probability from 0 to 1, got an integer of 401 digits$",
           lambda: px.Faults(drop=-(10**400)))
    raises(ConfigError, r"^drop must be a probability from 0 to 1, got inf$",
           lambda: px.Faults(drop=float("inf")))


# -- unknown variant and network names ----------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: px.Simulation(px.Cluster(), variant="paxos"),
        lambda: px.initial_world(px.Cluster(), variant="paxos"),
        lambda: px.Trace(px.Cluster(), variant="paxos"),
        lambda: px.replay(px.Cluster(), [], variant="paxos"),
        lambda: px.Trace.from_dict({"format": "paxos_lib.trace/1", "cluster": {},
                                    "variant": "paxos"}),
    ],
)
def test_unknown_variant(call: Callable[[], object]) -> None:
    raises(ConfigError, rf"^unknown variant 'paxos'; choose {VARIANT_LIST}$", call)


@pytest.mark.parametrize(
    "call",
    [
        lambda: px.Simulation(px.Cluster(), network="tcp"),
        lambda: px.initial_world(px.Cluster(), network="tcp"),
        lambda: px.Trace(px.Cluster(), network="tcp"),
        lambda: px.replay(px.Cluster(), [], network="tcp"),
    ],
)
def test_unknown_network(call: Callable[[], object]) -> None:
    raises(ConfigError, r"^unknown network 'tcp'; choose 'lossy' or 'sent-set'$", call)


def test_variant_and_network_must_be_names() -> None:
    raises(ConfigError, rf"^unknown variant None; choose {VARIANT_LIST}$",
           lambda: px.Simulation(px.Cluster(), variant=None))  # type: ignore[arg-type]
    raises(ConfigError, r"^unknown network \['lossy'\]; choose 'lossy' or 'sent-set'$",
           lambda: px.Simulation(px.Cluster(), network=["lossy"]))  # type: ignore[arg-type]


# -- proposing from a node that is not a proposer -----------------------------------------------


def test_proposing_from_a_node_that_is_not_a_proposer() -> None:
    sim = busy_sim()
    raises(UnknownNodeError, r"^'a1' is an acceptor, not a proposer; the proposers are p1, p2$",
           lambda: sim.propose("a1", "x"))
    raises(UnknownNodeError, r"^'l1' is a learner, not a proposer; the proposers are p1, p2$",
           lambda: sim.propose("l1", "x"))
    raises(SimulationError, r"^cannot a2 proposes 'x': 'a2' is not a proposer; the proposers "
                            r"are p1, p2$", lambda: sim.apply(Propose("a2", "x")))
    raises(SimulationError, r"^cannot l1 proposes 'x': 'l1' is not a proposer",
           lambda: px.apply(sim.world, Propose("l1", "x")))
    raises(ConfigError, r"^a proposed value must be a non-empty string such as 'confirmed', "
                        r"got ''$", lambda: sim.propose("p2", ""))
    raises(ConfigError, r"got 3$", lambda: sim.propose("p2", 3))  # type: ignore[arg-type]
    assert len(sim.steps) == 1


# -- applying an action that is not enabled -----------------------------------------------------


def test_applying_an_action_that_is_not_enabled() -> None:
    sim = busy_sim()
    stray = Prepare(src="p2", dst="a1", ballot=Ballot(1, "p2"))
    cases: list[tuple[px.Action, str]] = [
        (Deliver(stray), r"^cannot deliver prepare 1\.p2 p2→a1: prepare 1\.p2 p2→a1 is not in "
                         r"flight$"),
        (Drop(stray), r"^cannot drop prepare 1\.p2 p2→a1: prepare 1\.p2 p2→a1 is not in flight$"),
        (Propose("p1", "y"), r"^cannot p1 proposes 'y': p1 is already working on 'x'; a proposer "
                             r"takes one value at a time$"),
        (Timeout("p2"), r"^cannot timeout p2: p2 has no retry timer armed \(it is not waiting\)$"),
        (Recover("a1"), r"^cannot recover a1: a1 is up; only a crashed node can recover$"),
        (Heal(), r"^cannot heal: the network is not partitioned$"),
        (px.Partition((("p1",), ("a1",))), r"^cannot partition a1 \| p1: a partition must place "
                                           r"every node in a group; missing p2, a2, a3, l1$"),
    ]
    before = sim.world
    for action, match in cases:
        raises(SimulationError, match, lambda a=action: sim.apply(a))  # type: ignore[misc]
    assert sim.world is before and len(sim.steps) == 1
    sim.apply(Crash("a1"))
    raises(SimulationError, r"^cannot crash a1: a1 is already crashed$",
           lambda: sim.apply(Crash("a1")))
    raises(SimulationError, r"^cannot deliver prepare 1\.p1 p1→a1: a1 is crashed, so it cannot "
                            r"receive prepare 1\.p1$",
           lambda: sim.deliver("prepare", dst="a1"))
    raises(SimulationError, r"^cannot crash a2: 'crash a2' is not an action; actions are "
                            r"Propose, Deliver, Drop, Duplicate, Crash, Recover, Partition, Heal "
                            r"and Timeout$",
           lambda: sim.apply("crash a2"))  # type: ignore[arg-type]


def test_the_sent_set_network_refuses_drops() -> None:
    sim = busy_sim("sent-set")
    raises(SimulationError, r"the sent-set network never loses or copies a message; drop needs "
                            r"network='lossy'", lambda: sim.drop("prepare"))
    raises(SimulationError, r"duplicate needs network='lossy'", lambda: sim.duplicate("prepare"))


def test_finding_a_message_that_is_not_there() -> None:
    sim = busy_sim()
    raises(ConfigError, r"^unknown message kind 'promis'; kinds: prepare, promise, accept, "
                        r"accepted, nack, decided$", lambda: sim.find("promis"))
    raises(ConfigError, r"^unknown message kind \['prepare'\]; kinds: prepare",
           lambda: sim.find(["prepare"]))  # type: ignore[arg-type]
    raises(SimulationError, r"^no accept to a1 is in flight; in flight: prepare 1\.p1 p1→a1, ",
           lambda: sim.deliver("accept", dst="a1"))


# -- fault probabilities ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("drop", 1.5, "1.5"),
        ("duplicate", -0.1, "-0.1"),
        ("crash", 2, "2"),
        ("recover", -1, "-1"),
        ("partition", math.nan, "nan"),
        ("heal", math.inf, "inf"),
        ("timeout", "0.1", "'0.1'"),
        ("drop", True, "True"),
        ("crash", None, "None"),
    ],
)
def test_fault_probabilities_outside_zero_to_one(name: str, value: object, shown: str) -> None:
    raises(ConfigError, rf"^{name} must be a probability from 0 to 1, got {re.escape(shown)}$",
           lambda: px.Faults(**{name: value}))  # type: ignore[arg-type]


def test_faults_must_be_a_faults_value() -> None:
    sim = busy_sim()
    raises(ConfigError, r"^faults must be a Faults\(\.\.\.\), got \{'drop': 0\.1\}$",
           lambda: sim.run(faults={"drop": 0.1}))  # type: ignore[arg-type]
    raises(ConfigError, r"^faults must be a Faults\(\.\.\.\), got 0\.1$",
           lambda: sim.next_random_action(0.1))  # type: ignore[arg-type]
    assert px.Faults(drop=0, duplicate=1).duplicate == 1.0


# -- other constructors and entry points --------------------------------------------------------


def test_simulation_constructor() -> None:
    raises(ConfigError, r"^Simulation needs a Cluster such as Cluster\(proposers=2, "
                        r"acceptors=3\), got 'p1,a1'$", lambda: px.Simulation("p1,a1"))  # type: ignore[arg-type]
    raises(ConfigError, r"^seed must be an int, got '0'$",
           lambda: px.Simulation(px.Cluster(), seed="0"))  # type: ignore[arg-type]
    raises(ConfigError, r"^seed must be an int, got 1\.0$",
           lambda: px.Simulation(px.Cluster(), seed=1.0))  # type: ignore[arg-type]


def test_engine_entry_points_need_a_world() -> None:
    for call in (px.enabled_actions, px.chosen, px.learned, px.promised, px.accepted):
        raises(ConfigError, r"^expected a World \(from initial_world\(\.\.\.\) or "
                            r"Simulation\.world\), got None$", lambda c=call: c(None))  # type: ignore[misc]
    raises(ConfigError, r"^expected a World .*got 'world'$",
           lambda: px.apply("world", Heal()))  # type: ignore[arg-type]
    raises(ConfigError, r"^expected a World .*got \{\}$",
           lambda: px.why_not({}, Heal()))  # type: ignore[arg-type]
    raises(ConfigError, r"^cluster must be a Cluster, got 3$", lambda: px.initial_world(3))  # type: ignore[arg-type]
    raises(ConfigError, r"^values must be a list of strings such as \['confirmed'\], got 'xy'$",
           lambda: px.initial_world(px.Cluster(), values="xy"))
    raises(ConfigError, r"^values must be distinct, got \('x', 'x'\)$",
           lambda: px.initial_world(px.Cluster(), values=["x", "x"]))
    raises(ConfigError, r"^values must be non-empty strings such as 'confirmed', got 1$",
           lambda: px.initial_world(px.Cluster(), values=[1]))  # type: ignore[list-item]


def test_traces_and_replay() -> None:
    raises(ConfigError, r"^a trace needs a Cluster, got None$", lambda: px.Trace(None))  # type: ignore[arg-type]
    raises(ConfigError, r"^a trace's steps are a list of actions, got 5$",
           lambda: px.Trace(px.Cluster(), steps=5))  # type: ignore[arg-type]
    raises(ConfigError, r"^step 2 of a trace must be an action \(Propose, Deliver, Drop, "
                        r"Duplicate, Crash, Recover, Partition, Heal or Timeout\), got 'heal'$",
           lambda: px.Trace(px.Cluster(), steps=[Heal(), "heal"]))  # type: ignore[list-item]
    raises(ConfigError, r"^not valid trace JSON: ", lambda: px.Trace.from_json("{"))
    raises(ConfigError, r"^not valid trace JSON: ", lambda: px.Trace.from_json(b"\xff"))  # type: ignore[arg-type]
    raises(ConfigError, r"^not valid trace JSON: ", lambda: px.Trace.from_json(None))  # type: ignore[arg-type]
    raises(ConfigError, r"^a trace is a JSON object, got list$", lambda: px.Trace.from_json("[]"))
    raises(ConfigError, r"^not a paxos_lib trace: format is 'x', expected 'paxos_lib\.trace/1'$",
           lambda: px.Trace.from_json('{"format": "x"}'))
    raises(ConfigError, r"^a trace's steps are a list, got 'heal'$",
           lambda: px.Trace.from_dict({"format": "paxos_lib.trace/1", "cluster": {},
                                       "steps": "heal"}))
    raises(ConfigError, r"^seed must be an int, got 'x'$",
           lambda: px.replay(px.Cluster(), px.Trace.from_dict(
               {"format": "paxos_lib.trace/1", "cluster": {}, "seed": "x"})))
    raises(ConfigError, r"^replay needs a Trace or a list of actions, got 5$",
           lambda: px.replay(px.Cluster(), 5))  # type: ignore[arg-type]
    raises(SimulationError, r"^step 1 of the trace \(heal\) cannot happen: 'heal' is not an "
                            r"action", lambda: px.replay(px.Cluster(), ["heal"]))  # type: ignore[list-item]
    raises(ConfigError, r"^Simulation needs a Cluster", lambda: px.replay(None, []))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (None, r"^an action is a dict with an 'action' key, got None$"),
        ({"node": "a1"}, r"^an action is a dict with an 'action' key, got \{'node': 'a1'\}$"),
        ({"action": "teleport"}, r"^unknown action 'teleport'; known: propose, deliver, drop, "
                                 r"duplicate, crash, recover, partition, heal, timeout$"),
        ({"action": ["crash"]}, r"^unknown action \['crash'\]; known: propose"),
        ({"action": "crash"}, r"^crash action is missing the field 'node'"),
        ({"action": "crash", "node": ""}, r"^Crash.node must be a node id such as 'a1', got ''$"),
        ({"action": "partition", "groups": 5}, r"^a partition's groups are lists of node ids "
                                               r"such as \[\['p1', 'a1'\], \['a2', 'a3', "
                                               r"'l1'\]\], got 5$"),
        ({"action": "partition", "groups": [["p1"]]}, r"^a partition needs at least two "
                                                      r"non-empty groups, got \(\('p1',\),\)$"),
        ({"action": "deliver", "message": {"type": "prepare"}},
         r"^prepare message is missing the field 'src'"),
    ],
)
def test_action_from_dict(data: object, match: str) -> None:
    raises(ConfigError, match, lambda: action_from_dict(data))


def test_message_from_dict() -> None:
    raises(ConfigError, r"^unknown message type \{\}; known types: accept, accepted, decided, "
                        r"nack, prepare, promise$", lambda: message_from_dict({"type": {}}))


def test_actions_validate_their_fields() -> None:
    raises(ConfigError, r"^Deliver needs a message \(Prepare, Promise, \.\.\.\), got 'prepare'$",
           lambda: Deliver("prepare"))  # type: ignore[arg-type]
    raises(ConfigError, r"^Timeout.proposer must be a node id such as 'a1', got None$",
           lambda: Timeout(None))  # type: ignore[arg-type]
    raises(ConfigError, r"^a partition is a list of groups of node ids, such as "
                        r"\[\['p1', 'a1'\], \['a2', 'a3', 'l1'\]\], got 5$",
           lambda: px.Partition(5))  # type: ignore[arg-type]
    raises(ConfigError, r"^node 'p1' is in two groups of the partition",
           lambda: px.Partition((("p1",), ("p1", "a1"))))


def test_role_states_validate_their_fields() -> None:
    raises(ConfigError, r"^Acceptor.node must be a non-empty node id such as 'a1', got 5$",
           lambda: px.Acceptor(node=5))  # type: ignore[arg-type]
    raises(ConfigError, r"^Acceptor.promised must be a Ballot or None, got '1.p1'$",
           lambda: px.Acceptor(node="a1", promised="1.p1"))  # type: ignore[arg-type]
    raises(ConfigError, r"^Acceptor.accepted_ballot and Acceptor.accepted_value are both set or "
                        r"both None, got None and 'x'$",
           lambda: px.Acceptor(node="a1", accepted_value="x"))
    raises(ConfigError, r"^Proposer.round must be an int >= 0, got -1$",
           lambda: px.Proposer(node="p1", round=-1))
    raises(ConfigError, r"^Proposer.value must be None or a non-empty string such as "
                        r"'confirmed', got ''$", lambda: px.Proposer(node="p1", value=""))
    raises(ConfigError, r"^Proposer.ballot must be a Ballot or None, got \(1, 'p1'\)$",
           lambda: px.Proposer(node="p1", ballot=(1, "p1")))  # type: ignore[arg-type]
    raises(ConfigError, r"^Learner.learned must be None or a non-empty string",
           lambda: px.Learner(node="l1", learned=1))  # type: ignore[arg-type]
    raises(ConfigError, r"^Learner.votes must be a frozenset of \(acceptor, ballot, value\), "
                        r"got \[\]$", lambda: px.Learner(node="l1", votes=[]))  # type: ignore[arg-type]


def test_property_names() -> None:
    raises(ConfigError, r"^unknown property 'liveness'; choose from 'one-value-per-ballot', "
                        r"'votes-within-promise', 'promises-report-votes', 'votes-safe', "
                        r"'learned-stable', 'agreement', 'validity', 'learners' or 'chosen'$",
           lambda: check_property_names(["liveness"]))
    raises(ConfigError, r"^properties must be a list of names from 'one-value-per-ballot', ",
           lambda: check_property_names(3))


# -- fuzz: junk into every entry point ----------------------------------------------------------


def _sim() -> px.Simulation:
    sim = px.Simulation(px.Cluster(proposers=2, acceptors=3))
    sim.propose("p1", "x")
    return sim


_WORLD = px.initial_world(px.Cluster(proposers=2, acceptors=3), values=("x",))

ENTRY_POINTS: dict[str, Callable[[object, object, object, object], object]] = {
    "Cluster": lambda a, b, c, d: px.Cluster(a, b, c, d),  # type: ignore[arg-type]
    "Cluster.from_dict": lambda a, b, c, d: px.Cluster.from_dict(a),
    "Cluster.check_node": lambda a, b, c, d: px.Cluster().check_node(a, b),  # type: ignore[arg-type]
    "Simulation": lambda a, b, c, d: px.Simulation(a, b, c, d),  # type: ignore[arg-type]
    "Simulation(options)": lambda a, b, c, d: px.Simulation(px.Cluster(), a, b, c),  # type: ignore[arg-type]
    "Faults": lambda a, b, c, d: px.Faults(a, b, c, d),  # type: ignore[arg-type]
    "Simulation.propose": lambda a, b, c, d: _sim().propose(a, b),  # type: ignore[arg-type]
    "Simulation.apply": lambda a, b, c, d: _sim().apply(a),  # type: ignore[arg-type]
    "Simulation.undo": lambda a, b, c, d: _sim().undo(a),  # type: ignore[arg-type]
    "Simulation.rewind": lambda a, b, c, d: _sim().rewind(a),  # type: ignore[arg-type]
    "Simulation.run": lambda a, b, c, d: _sim().run(
        a if isinstance(a, int) and not isinstance(a, bool) and a < 50 else 10, b),  # type: ignore[arg-type]
    "Simulation.why_not": lambda a, b, c, d: _sim().why_not(a),  # type: ignore[arg-type]
    "Simulation.find": lambda a, b, c, d: _sim().find(a, b, c),  # type: ignore[arg-type]
    "Simulation.next_random_action": lambda a, b, c, d: _sim().next_random_action(a),  # type: ignore[arg-type]
    "Trace": lambda a, b, c, d: px.Trace(a, b, c, d),  # type: ignore[arg-type]
    "Trace(options)": lambda a, b, c, d: px.Trace(px.Cluster(), a, b, c, d),  # type: ignore[arg-type]
    "Trace.from_json": lambda a, b, c, d: px.Trace.from_json(a),  # type: ignore[arg-type]
    "Trace.from_dict": lambda a, b, c, d: px.Trace.from_dict(a),
    "Trace.from_dict(steps)": lambda a, b, c, d: px.Trace.from_dict(
        {"format": "paxos_lib.trace/1", "cluster": {}, "steps": a, "seed": b}).worlds(),
    "replay": lambda a, b, c, d: px.replay(a, b),  # type: ignore[arg-type]
    "replay(options)": lambda a, b, c, d: px.replay(px.Cluster(), a, b, c),  # type: ignore[arg-type]
    "Ballot": lambda a, b, c, d: px.Ballot(a, b),  # type: ignore[arg-type]
    "Ballot.parse": lambda a, b, c, d: Ballot.parse(a),  # type: ignore[arg-type]
    "message_from_dict": lambda a, b, c, d: message_from_dict(a),  # type: ignore[arg-type]
    "action_from_dict": lambda a, b, c, d: action_from_dict(a),
    "Prepare": lambda a, b, c, d: Prepare(src=a, dst=b, ballot=c),  # type: ignore[arg-type]
    "Promise": lambda a, b, c, d: px.Promise(src="a1", dst="p1", ballot=Ballot(1, "p1"),
                                             accepted_ballot=a, accepted_value=b),  # type: ignore[arg-type]
    "Accept": lambda a, b, c, d: px.Accept(src=a, dst=b, ballot=c, value=d),  # type: ignore[arg-type]
    "Nack": lambda a, b, c, d: px.Nack(src="a1", dst="p1", ballot=Ballot(1, "p1"), promised=a),  # type: ignore[arg-type]
    "Propose": lambda a, b, c, d: Propose(a, b),  # type: ignore[arg-type]
    "Crash": lambda a, b, c, d: Crash(a),  # type: ignore[arg-type]
    "Timeout": lambda a, b, c, d: Timeout(a),  # type: ignore[arg-type]
    "Deliver": lambda a, b, c, d: Deliver(a),  # type: ignore[arg-type]
    "Partition": lambda a, b, c, d: px.Partition(a),  # type: ignore[arg-type]
    "initial_world": lambda a, b, c, d: px.initial_world(a, b, c, d),  # type: ignore[arg-type]
    "initial_world(options)": lambda a, b, c, d: px.initial_world(px.Cluster(), a, b, c),  # type: ignore[arg-type]
    "enabled_actions": lambda a, b, c, d: px.enabled_actions(a),  # type: ignore[arg-type]
    "apply": lambda a, b, c, d: px.apply(a, b),  # type: ignore[arg-type]
    "apply(world)": lambda a, b, c, d: px.apply(_WORLD, a),  # type: ignore[arg-type]
    "why_not": lambda a, b, c, d: px.why_not(a, b),  # type: ignore[arg-type]
    "is_enabled": lambda a, b, c, d: px.is_enabled(_WORLD, a),
    "chosen": lambda a, b, c, d: px.chosen(a),  # type: ignore[arg-type]
    "learned": lambda a, b, c, d: px.learned(a),  # type: ignore[arg-type]
    "promised": lambda a, b, c, d: px.promised(a),  # type: ignore[arg-type]
    "accepted": lambda a, b, c, d: px.accepted(a),  # type: ignore[arg-type]
    "World.node": lambda a, b, c, d: _WORLD.node(a),  # type: ignore[arg-type]
    "Acceptor": lambda a, b, c, d: px.Acceptor(node=a, promised=b, accepted_ballot=c,
                                               accepted_value=d),  # type: ignore[arg-type]
    "Proposer": lambda a, b, c, d: px.Proposer(node=a, round=b, phase=c, value=d),  # type: ignore[arg-type]
    "Learner": lambda a, b, c, d: px.Learner(node=a, learned=b, votes=c),  # type: ignore[arg-type]
    "check_property_names": lambda a, b, c, d: check_property_names(a),
}

JUNK: tuple[object, ...] = (
    None, True, 0, -1, 7, 1.5, math.nan, "", "zz", "p1", "a1", "1.p1", "².p1", "classic",
    b"x", [], [[]], [1, 2], {}, {"type": []}, {"action": {}}, ("p1",), (("p1",), 5),
    frozenset({1}), object(), Ballot(1, "p1"), Heal(), px.Cluster(),
)


def _call(name: str, args: tuple[object, ...]) -> None:
    try:
        ENTRY_POINTS[name](*args)
    except PaxosError:
        pass
    except Exception as exc:  # anything else is a leak
        pytest.fail(f"{name}{args!r} leaked {exc!r}")


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
def test_every_entry_point_refuses_each_junk_value_with_a_paxos_error(name: str) -> None:
    good = ("p1", "classic", "lossy", None)
    for junk in JUNK:
        for position in range(4):
            args = list(good)
            args[position] = junk
            _call(name, tuple(args))


_KEYS = ("type", "src", "dst", "ballot", "value", "promised", "accepted_ballot",
         "accepted_value", "action", "message", "proposer", "node", "groups", "format",
         "cluster", "steps", "seed", "variant", "network", "proposers", "acceptors",
         "learners", "quorum")
_atoms = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 30), st.floats(), st.text(max_size=4),
    st.sampled_from(["p1", "a1", "l1", "p9", "classic", "lossy", "sent-set", "1.p1",
                     "prepare", "deliver", "partition", "paxos_lib.trace/1", "confirmed"]),
)
junk_values = st.recursive(
    _atoms,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.tuples(inner, inner),
                            st.dictionaries(st.sampled_from(_KEYS), inner, max_size=5)),
    max_leaves=12,
)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(name=st.sampled_from(sorted(ENTRY_POINTS)), args=st.tuples(*[junk_values] * 4))
def test_entry_points_given_random_junk_raise_only_paxos_errors(
    name: str, args: tuple[object, ...]
) -> None:
    _call(name, args)
