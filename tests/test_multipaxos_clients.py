"""Multi-Paxos clients on the engine: replies, retries at another replica, 1-replica clusters."""

import pytest

from paxos_lib import orders
from paxos_lib.actions import Deliver, Timeout
from paxos_lib.errors import ConfigError, PaxosError, SimulationError
from paxos_lib.explore import explore
from paxos_lib.linearizability import Operation
from paxos_lib.messages import Ballot
from paxos_lib.multipaxos import OrdersSimulation, ReplicaCluster, ReplicaTrace, replay_orders
from paxos_lib.multipaxos.clients import (
    Client,
    ClientCluster,
    ClientSimulation,
    ServingReplica,
    client_history,
    run_clients,
)
from paxos_lib.multipaxos.messages import Reply, Request
from paxos_lib.multipaxos.properties import replicas
from paxos_lib.simulation import Faults

CREATE = "create #7 (c1/1)"


def _sim(replicas: int = 3, seed: int = 0) -> ClientSimulation:
    return ClientSimulation(ClientCluster(replicas, clients=1, seed=seed), seed=seed)


def test_a_command_is_done_when_its_client_hears_the_reply():
    sim = _sim()
    sim.invoke("c1", CREATE)
    (request,) = sim.world.inflight
    assert isinstance(request, Request) and request.dst == "r1"  # the seed's choice
    assert "c1" in sim.world.timers
    sim.settle()
    c1 = sim.world.node("c1")
    assert isinstance(c1, Client) and c1.command is None and "c1" not in sim.world.timers
    # exactly one operation, from the Propose step to the step the reply was delivered
    replies = [i for i, a in enumerate(sim.trace.steps)
               if isinstance(a, Deliver) and isinstance(a.message, Reply)]
    assert sim.history() == (Operation("c1", CREATE, "applied, now PENDING", 0, replies[0]),)
    # the reply came from the replica the client asked, which applied the command
    reply = sim.trace.steps[replies[0]].message
    assert reply.src == "r1" and reply.result == "applied, now PENDING"
    assert all(r.book.status(7) is orders.OrderStatus.PENDING for r in sim.replicas())


def test_applied_is_not_done_until_the_reply_arrives_and_a_retry_goes_elsewhere():
    sim = _sim()
    sim.invoke("c1", CREATE)
    while not any(isinstance(m, Reply) for m in sim.world.inflight):
        sim.apply(next(Deliver(m) for m in sim.world.inflight if not isinstance(m, Reply)))
    assert CREATE in sim.applied("r1")
    sim.drop("reply")  # the answer is lost: the command is applied, but not done
    c1 = sim.world.node("c1")
    assert c1.command == CREATE and sim.history()[0].pending
    sim.apply(Timeout("c1"))
    (retry,) = [m for m in sim.world.inflight if isinstance(m, Request)]
    assert retry.command == CREATE and retry.dst != "r1"  # the same request, another replica
    assert sim.world.node("c1").retries == 1
    sim.settle()
    (op,) = sim.history()
    assert op.result == "applied, now PENDING" and not op.pending  # the first outcome
    assert sum(v == CREATE for v in sim.applied("r1")) == 1
    assert all(v.holds for v in sim.check())


def test_a_replica_asked_again_answers_with_the_first_outcome():
    # the retry reaches a replica that applied the command already: it answers at once,
    # without a new slot, and the answer is the outcome of the first execution
    sim = _sim()
    sim.invoke("c1", CREATE)
    sim.settle()
    slots = len(sim.log("r1"))
    target = sim.world.node("r1")
    assert isinstance(target, ServingReplica)
    state, effects = target.on_message(
        Request(src="c1", dst="r1", ballot=_ballot("c1"), command=CREATE),
        sim.world.rules,
    )
    (send,) = effects
    assert send.message == Reply(src="r1", dst="c1", ballot=_ballot("r1"), command=CREATE,
                                 result="applied, now PENDING")
    assert state is target and len(sim.log("r1")) == slots


def _ballot(node: str) -> Ballot:
    return Ballot(0, node)


def test_same_seed_same_trace_and_traces_replay():
    faults = Faults(drop=0.1, duplicate=0.05, crash=0.02, timeout=0.01)
    a = ClientSimulation(ClientCluster(3, clients=2, seed=4), seed=4)
    b = ClientSimulation(ClientCluster(3, clients=2, seed=4), seed=4)
    ra, rb = a.run_clients(3, faults), b.run_clients(3, faults)
    assert a.trace == b.trace and ra == rb
    assert ra.end == "converged" and ra.agree and ra.linearizable
    assert ra.answered == ra.operations and ra.retries > 0
    again = ReplicaTrace.from_json(a.trace.to_json())
    assert again == a.trace and isinstance(again.cluster, ClientCluster)
    replayed = replay_orders(again)
    assert isinstance(replayed, ClientSimulation) and replayed.world == a.world
    assert client_history(replayed.world) == a.history()


def test_clients_are_not_replicas_for_the_properties():
    sim = _sim()
    sim.invoke("c1", CREATE)
    sim.settle()
    assert [r.node for r in replicas(sim.world)] == ["r1", "r2", "r3"]
    names = [v.name for v in sim.check()]
    assert names[-1] == "linearizable" and all(v.holds for v in sim.check())
    # a plain replica cluster keeps its properties (and its messages: no client kinds)
    plain = OrdersSimulation(3, seed=0)
    result = plain.run_workload(2)
    assert "linearizable" not in [v.name for v in result.verdicts]
    assert not any(isinstance(a, Deliver) and isinstance(a.message, Request | Reply)
                   for a in plain.trace.steps)


def test_one_replica_is_a_cluster_with_quorum_one():
    cluster = ReplicaCluster(1)
    assert cluster.majority == 1 and cluster.node_ids == ("r1",)
    result = OrdersSimulation(cluster, seed=1).run_workload(3, Faults(drop=0.2, crash=0.05))
    assert result.agree and result.all_applied and result.end == "converged"
    # the engine's vote history holds the lone replica's votes, so the slots are chosen
    sim = OrdersSimulation(1, seed=0)
    sim.submit("r1", CREATE)
    assert sim.chosen_slots() == {0: frozenset({CREATE})}
    assert sim.applied("r1") == (CREATE,)
    clients = run_clients(1, 3, seed=2, faults=Faults(drop=0.1, crash=0.02))
    assert clients.agree and clients.linearizable and clients.answered == clients.operations


def test_explorer_runs_on_one_replica_and_on_clients():
    cmd = str(orders.create(42, "c1", 1))
    r = explore(ReplicaCluster(1), [cmd], max_ballot=1, max_depth=8)
    assert r.violation is None
    ex = r.examples["all-applied"]
    assert ex is not None and len(ex) == 1  # its own vote is a quorum: chosen at once
    r = explore(ClientCluster(1, clients=1), {"c1": CREATE}, max_ballot=1, max_depth=8)
    assert r.violation is None and r.end in ("exhausted", "bound")
    with pytest.raises(PaxosError, match="linearizable"):
        explore(ClientCluster(1, clients=1), {"c1": CREATE}, properties=["linearisable"])


def test_bad_client_input():
    with pytest.raises(ConfigError, match=r"clients must be an int from 1 to 26, got 0"):
        ClientCluster(3, clients=0)
    with pytest.raises(ConfigError, match="ClientSimulation needs a ClientCluster"):
        ClientSimulation(ReplicaCluster(3))  # type: ignore[arg-type]
    sim = _sim()
    with pytest.raises(ConfigError, match="sends only its own requests"):
        sim.invoke("c1", "create #7 (c2/1)")
    with pytest.raises(ConfigError, match="'r1' is a replica"):
        sim.invoke("r1", CREATE)
    with pytest.raises(ConfigError, match="'read #order \\(client/request\\)'"):
        sim.invoke("c1", "read #7")
    sim.invoke("c1", CREATE)
    with pytest.raises(SimulationError, match="already working on"):
        sim.invoke("c1", "confirm #7 (c1/2)")
    with pytest.raises(ConfigError, match="run_clients"):
        sim.run_workload(2)


def test_the_readme_clients_example_runs_and_says_what_it_shows():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Clients and reads", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)
    result, sim, found = namespace["result"], namespace["sim"], namespace["found"]
    assert (result.linearizable, result.answered) == (True, 24)
    assert "(True, 24)" in code
    assert str(sim.history()[0]) in code
    assert found.violation == "linearizable" and "'linearizable'" in code


def test_the_cluster_view_shows_clients_in_words():
    from paxos_lib.viz.viewmodel import view_model

    sim = _sim()
    sim.invoke("c1", CREATE)
    nodes = {n["id"]: n for n in view_model(sim)["nodes"]}
    assert nodes["c1"]["role"] == "client"
    assert nodes["c1"]["lines"] == [f"waiting {CREATE}", "asked r1 · 0 done"]
    sim.settle()
    assert view_model(sim)["nodes"][-1]["lines"] == ["idle", "1 done"]
