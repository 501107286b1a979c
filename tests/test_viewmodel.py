"""The browser view's model and the widget-free controller, as pure functions of the engine.

``view_model`` is checked on real single-decree and Multi-Paxos runs: node positions, state
lines, durable and changed fields, in-flight copies with stable ids, the last step, partition
sides, verdicts naming witnesses, chosen apart from learned, replica logs as slots, and the
timeline window.  ``Controller`` is checked for its one door (``why_not``), the tape and the
storage switch going both ways.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import paxos_lib as px
from paxos_lib.multipaxos import OrdersSimulation
from paxos_lib.viz.controller import Controller
from paxos_lib.viz.history import History
from paxos_lib.viz.viewmodel import layout, view_model


def two_by_three() -> px.Simulation:
    sim = px.Simulation(px.Cluster(proposers=2, acceptors=3), seed=0)
    sim.propose("p1", "confirmed")
    return sim


def node(vm: dict, node_id: str) -> dict:
    return next(n for n in vm["nodes"] if n["id"] == node_id)


def test_modules_import_neither_ipywidgets_nor_matplotlib() -> None:
    """The view model, the controller and the modules they read import only the core (and
    networkx for the layout): their import statements, read from the source."""
    import ast
    import importlib

    for name in ("viewmodel", "controller", "history", "table"):
        module = importlib.import_module(f"paxos_lib.viz.{name}")
        tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
        imported = set()
        for stmt in ast.walk(tree):
            if isinstance(stmt, ast.Import):
                imported |= {a.name.split(".")[0] for a in stmt.names}
            elif isinstance(stmt, ast.ImportFrom) and stmt.module:
                imported.add(stmt.module)
        assert not {m for m in imported if m.split(".")[0] in
                    ("ipywidgets", "matplotlib", "anywidget")}, (name, imported)
        assert not {m for m in imported if m.startswith("paxos_lib.viz.")} - {
            "paxos_lib.viz.history", "paxos_lib.viz.table", "paxos_lib.viz.viewmodel"}, name


def test_columns_for_roles_and_a_circle_for_replicas() -> None:
    pos = layout(("p1", "p2", "a1", "a2", "a3", "l1"),
                 ("proposer", "proposer", "acceptor", "acceptor", "acceptor", "learner"))
    assert pos["p1"][0] == pos["p2"][0] == 0.0
    assert pos["a1"][0] == pos["a2"][0] == pos["a3"][0] == 0.5
    assert pos["l1"] == (1.0, 0.5)
    assert pos["a1"][1] < pos["a2"][1] < pos["a3"][1]  # in order, first on top
    assert pos["p1"][1] < pos["p2"][1]
    ring = layout(("r1", "r2", "r3", "r4", "r5"), ("replica",) * 5)
    assert ring["r1"] == (0.5, 0.0)  # on top
    assert ring["r2"][0] > 0.5  # then clockwise, to the right
    assert len(set(ring.values())) == 5


def test_a_fresh_proposal() -> None:
    sim = two_by_three()
    vm = view_model(sim)
    json.dumps(vm)  # JSON-able
    assert vm["step"] == 1 and vm["variant"] == "classic" and vm["storage"] == "durable"
    assert [n["id"] for n in vm["nodes"]] == ["p1", "p2", "a1", "a2", "a3", "l1"]
    assert node(vm, "p1")["lines"] == ["preparing 1.p1", "value 'confirmed'"]
    assert node(vm, "p1")["timer"] is True and node(vm, "p2")["lines"] == ["idle"]
    assert [(m["id"], m["phase"], m["from"], m["to"], m["label"]) for m in vm["messages"]] == [
        (0, "1a", "p1", "a1", "prepare 1.p1"), (1, "1a", "p1", "a2", "prepare 1.p1"),
        (2, "1a", "p1", "a3", "prepare 1.p1")]
    assert vm["messages"][0]["text"] == "prepare 1.p1 p1→a1"
    assert all(m["deliverable"] and m["why"] is None for m in vm["messages"])
    assert vm["last"] == {"step": 1, "text": "p1 proposes 'confirmed'", "kind": "propose",
                          "copy": None, "how": None, "sent": [0, 1, 2]}
    assert [v["name"] for v in vm["verdicts"]][:2] == ["agreement", "validity"]
    assert all(v["holds"] for v in vm["verdicts"])
    assert vm["chosen"] == [] and vm["learned"] == {"l1": None}
    assert vm["partition"] is None


def test_delivery_keeps_copy_ids_and_marks_changed_durable_fields() -> None:
    sim = two_by_three()
    sim.deliver("prepare", "p1", "a2")
    vm = view_model(sim)
    assert vm["last"]["how"] == "delivered" and vm["last"]["copy"]["id"] == 1
    assert vm["last"]["copy"]["from"] == "p1" and vm["last"]["copy"]["to"] == "a2"
    ids = [m["id"] for m in vm["messages"]]
    assert ids == [0, 2, 3]  # copy 1 left flight; the promise is a new copy
    assert vm["messages"][-1]["text"] == "promise 1.p1 a2→p1"
    a2 = node(vm, "a2")
    assert a2["changed"] and not node(vm, "a1")["changed"]
    promised = next(f for f in a2["fields"] if f["name"] == "promised")
    assert promised == {"name": "promised", "value": "1.p1", "durable": True, "changed": True}
    assert a2["lines"] == ["promised 1.p1"]


def test_crash_partition_and_undeliverable_reasons() -> None:
    sim = two_by_three()
    sim.apply(px.Crash("a1"))
    sim.apply(px.Partition((("p1", "a1", "a2"), ("p2", "a3", "l1"))))
    vm = view_model(sim)
    assert not node(vm, "a1")["up"] and node(vm, "a2")["up"]
    assert vm["partition"] == [["a1", "a2", "p1"], ["a3", "l1", "p2"]]
    assert node(vm, "p1")["side"] == node(vm, "a2")["side"] != node(vm, "a3")["side"]
    why = {m["to"]: m["why"] for m in vm["messages"]}
    assert why == {"a1": "a1 is down", "a2": None,
                   "a3": "the partition cuts p1 off from a3"}
    assert vm["timeline"]["partitions"] == [
        {"start": 3, "end": None, "groups": [["a1", "a2", "p1"], ["a3", "l1", "p2"]]}]
    assert [e["kind"] for e in vm["timeline"]["events"]] == ["propose", "crash"]


def test_chosen_apart_from_learned_and_a_violation_names_witnesses() -> None:
    sim = two_by_three()
    for a in ("a1", "a2"):
        sim.deliver("prepare", "p1", a)
        sim.deliver("promise", a, "p1")
    sim.deliver("accept", "p1", "a1")
    sim.deliver("accept", "p1", "a2")
    vm = view_model(sim)
    assert [(c["value"], c["ballot"], c["acceptors"]) for c in vm["chosen"]] == [
        ("confirmed", "1.p1", ["a1", "a2"])]
    assert vm["learned"] == {"l1": None}  # chosen, not yet learned
    while sim.world.inflight:
        sim.deliver()
    vm = view_model(sim)
    assert vm["learned"] == {"l1": "confirmed"} and node(vm, "l1")["learned"] == "confirmed"
    bad = px.explore(px.Cluster(proposers=2, acceptors=3, learners=1),
                     values=("confirmed", "cancelled"), variant="minority-quorum",
                     max_ballot=1).counterexample
    vm = view_model(bad)
    broken = [v for v in vm["verdicts"] if not v["holds"]]
    assert broken and broken[0]["name"] == "agreement"
    assert "confirmed" in broken[0]["text"] and "cancelled" in broken[0]["text"]
    assert any(c["violation"] for c in vm["chosen"])


def test_timeline_keeps_the_window() -> None:
    sim = two_by_three()
    sim.run(max_steps=30)
    vm = view_model(sim, window=6)
    tl = vm["timeline"]
    assert tl["now"] == sim.trace.steps.__len__() and tl["first"] == tl["now"] - 6
    assert all(a["ended"] is None or a["ended"] >= tl["first"] for a in tl["arrows"])
    assert all(e["step"] >= tl["first"] for e in tl["events"])
    with pytest.raises(px.ConfigError, match="window must be an int >= 1"):
        view_model(sim, window=0)


def test_multipaxos_replicas_show_their_logs_as_slots() -> None:
    sim = OrdersSimulation(3, seed=0)
    sim.submit("r1", "create #42 (c42/1)")
    while sim.world.inflight:
        sim.deliver()
    sim.submit("r1", "pay #42 (c42/2)")
    sim.deliver("accept", "r1", "r2")
    vm = view_model(sim, verdicts=sim.check(), learned=sim.learned())
    assert [n["role"] for n in vm["nodes"]] == ["replica"] * 3
    assert node(vm, "r1")["x"] == 0.5 and node(vm, "r1")["y"] == 0.0
    r2 = node(vm, "r2")["log"]
    assert r2[0]["command"] == "create #42 (c42/1)"
    assert r2[0]["status"] in ("applied", "committed")
    assert r2[1] == {"slot": 1, "status": "accepted", "command": "pay #42 (c42/2)",
                     "ballot": "1.r1", "noop": False}
    assert node(vm, "r1")["lines"][0].startswith("leader")
    assert all(v["holds"] for v in vm["verdicts"])
    json.dumps(vm)


def test_view_model_of_a_history_equals_that_of_its_simulation() -> None:
    sim = two_by_three()
    sim.deliver("prepare", "p1", "a1")
    h = History(sim.worlds, sim.steps)
    assert view_model(h) == view_model(sim)


# -- the controller -------------------------------------------------------------------------------


def test_controller_asks_the_engine_first() -> None:
    c = Controller(two_by_three())
    out = c.do(px.Recover("a1"))
    assert not out and out.error and "only a crashed node can recover" in out.text
    assert c.step == 1
    out = c.deliver(c.sim.find("prepare", "p1", "a1"))
    assert out and out.text == "step 2: deliver prepare 1.p1 p1→a1"
    assert c.history.now == 2
    assert c.undo() and c.step == 1 and len(c.tape) == 2
    assert c.forward() and c.step == 2
    assert not c.forward() and "end of the tape" in c.forward().text
    with pytest.raises(px.ConfigError, match="step must be an int from 0 to 2"):
        c.goto(9)
    with pytest.raises(px.ConfigError, match="Stepper needs a Simulation or a Trace"):
        Controller("nope")  # type: ignore[arg-type]


def test_controller_loads_a_counterexample_at_its_violation() -> None:
    bad = px.explore(px.Cluster(proposers=2, acceptors=3, learners=1),
                     values=("confirmed", "cancelled"), variant="minority-quorum",
                     max_ballot=1).counterexample
    c = Controller(bad)
    assert c.step == 0
    assert c.load(bad, step=-1)
    assert c.step == len(bad.steps) and not c.sim.ok
    assert c.goto(0) and c.step == 0 and len(c.tape) == len(bad.steps)
    with pytest.raises(px.ConfigError, match="or -1: the last"):
        c.load(bad, step=99)


def test_storage_switch_goes_both_ways_without_reset() -> None:
    sim = px.Simulation(px.Cluster(proposers=2, acceptors=3), seed=0,
                        variant="amnesiac-acceptor")
    sim.propose("p1", "confirmed")
    c = Controller(sim)
    for a in ("a1", "a2"):
        assert c.deliver(c.sim.find("prepare", "p1", a))
        assert c.deliver(c.sim.find("promise", a, "p1"))
    assert c.propose("p2", "cancelled")
    assert c.deliver(c.sim.find("prepare", "p2", "a1"))
    assert c.crash_or_recover("a1") and c.crash_or_recover("a1")
    assert c.deliver(c.sim.find("accept", "p1", "a1"))  # amnesia: a1 accepts below 1.p2
    assert c.deliver(c.sim.find("accepted", "a1", "p1"))  # ... and its vote reaches p1
    steps = c.step
    out = c.set_storage("durable")
    assert "cannot happen with durable storage" in out.text
    assert c.step == steps - 1 and c.sim.variant == "classic"
    out = c.set_storage("volatile")  # back again: the step durable storage refused returns
    assert out.text.startswith(f"Replayed {steps} of {steps} steps with volatile")
    assert c.step == steps and c.sim.variant == "amnesiac-acceptor"
    assert c.sim.world.node("a1").accepted_ballot == px.Ballot(1, "p1")
