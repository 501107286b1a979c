"""The stepper, driven headless through its buttons.

Every test clicks real ``ipywidgets.Button`` objects (``button.click()``) on a Stepper over the
real engine, then checks both the simulation and what is displayed: the message list, button
labels and which buttons are disabled (with the engine's reason as tooltip), the status bar,
the state table, and the labels drawn in the graph and chart.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import re

import pytest

import paxos_lib as px
from paxos_lib.viz import Stepper

CLUSTER = px.Cluster(proposers=1, acceptors=3, learners=1)


def stepper(proposers: int = 1, variant: str = "classic") -> Stepper:
    sim = px.Simulation(px.Cluster(proposers=proposers, acceptors=3), seed=0, variant=variant)
    sim.propose("p1", "confirmed")
    return Stepper(sim)


def options(s: Stepper) -> list[str]:
    return [label for label, _ in s.messages.options]


def test_starts_showing_the_world_it_was_given() -> None:
    s = stepper()
    assert s.step == 1 and s.tape == s.sim.steps
    assert options(s) == ["prepare 1.p1 p1→a1", "prepare 1.p1 p1→a2", "prepare 1.p1 p1→a3"]
    assert s.selected == s.sim.world.inflight[0]
    assert not s.deliver_button.disabled and not s.drop_button.disabled
    assert s.heal_button.disabled and s.heal_button.tooltip == "the network is not partitioned"
    assert not s.undo_button.disabled and s.forward_button.disabled
    assert [b.description for b in s.node_buttons.values()] == [
        "crash p1", "crash a1", "crash a2", "crash a3", "crash l1"
    ]
    assert s.propose_button.disabled
    assert "already working on 'confirmed'" in s.propose_button.tooltip
    assert not s.timeout_button.disabled
    assert "step 1" in s.status.value and "✓ agreement" in s.status.value
    assert "nothing yet" in s.status.value
    assert s.graph_view.labels.strings == ["prepare 1.p1"] * 3
    assert bytes(s.graph_image.value).startswith(b"\x89PNG")
    assert bytes(s.chart_image.value).startswith(b"\x89PNG")
    assert repr(s) == ("Stepper(1 proposer(s), 3 acceptor(s), 1 learner(s), variant classic, "
                       "step 1 of 1)")


def test_deliver_button_delivers_the_selected_message_and_everything_follows() -> None:
    s = stepper()
    s.select("prepare 1.p1 p1→a2")
    image_before = s.graph_image.value
    s.deliver_button.click()
    assert s.step == 2
    assert s.sim.steps[-1] == px.Deliver(px.Prepare(src="p1", dst="a2",
                                                    ballot=px.Ballot(1, "p1")))
    assert s.sim.world.node("a2").promised == px.Ballot(1, "p1")
    assert "promise 1.p1 a2→p1" in options(s)
    assert "prepare 1.p1 p1→a2" not in options(s)
    assert s.graph_image.value != image_before
    assert "promise 1.p1" in s.graph_view.labels.strings
    assert s.chart_view.labels.strings == ["prepare 1.p1"]
    assert "step 2: deliver prepare 1.p1 p1→a2" in s.note.value
    # the table highlights exactly the field the step changed
    row = s.table.value.split('data-node="a2"')[1].split("</tr>")[0]
    assert 'class="changed" data-field="promised">1.p1' in row
    assert 'data-node="a1"' in s.table.value
    assert 'class="changed"' not in s.table.value.split('data-node="a1"')[1].split("</tr>")[0]


def test_drop_and_duplicate_buttons() -> None:
    s = stepper()
    s.select("prepare 1.p1 p1→a1")
    s.duplicate_button.click()
    assert "prepare 1.p1 p1→a1  \u00d72" in options(s)
    assert s.sim.world.copies(s.sim.world.inflight[0]) == 2
    s.select(s.sim.world.inflight[0])
    s.drop_button.click()
    s.drop_button.click()
    assert not any("p1→a1" in o for o in options(s))
    assert s.graph_view.drop_marks.get_offsets().shape == (1, 2)


def test_crash_button_toggles_and_disables_what_cannot_happen() -> None:
    s = stepper()
    s.node_buttons["a1"].click()
    assert s.sim.world.crashed == frozenset({"a1"})
    assert s.node_buttons["a1"].description == "recover a1"
    assert "prepare 1.p1 p1→a1  (a1 is down)" in options(s)
    s.select(s.sim.world.inflight[0])
    assert s.deliver_button.disabled
    assert s.deliver_button.tooltip == "a1 is crashed, so it cannot receive prepare 1.p1"
    assert not s.drop_button.disabled  # the network can still lose it
    assert "crashed" in s.table.value.split('data-node="a1"')[1].split("</tr>")[0]
    assert "crashed" in s.graph_view.states.strings
    assert s.chart_view.crash_marks.get_offsets().tolist() == [[1.0, 2.0]]
    # clicking Deliver anyway does nothing but explain (no traceback)
    s.deliver_button.click()
    assert s.step == 2
    s.node_buttons["a1"].click()
    assert s.sim.world.crashed == frozenset()
    assert s.node_buttons["a1"].description == "crash a1"


def test_impossible_actions_explain_instead_of_raising() -> None:
    s = stepper()
    assert s.do(px.Recover("a1")) is False
    assert "a1 is up; only a crashed node can recover" in s.note.value
    assert s.do(px.Heal()) is False
    assert s.propose("p1", "cancelled") is False
    assert "already working on" in s.note.value
    assert s.propose("a1", "x") is False
    assert "'a1' is not a proposer" in s.note.value
    s.value.value = ""
    assert s.propose_button.disabled and s.propose_button.tooltip == "type a value to propose"
    assert s.goto(99) is None  # a bad argument is caught and shown too
    assert "step must be an int from 0 to 1" in s.note.value
    assert isinstance(s.last_error, px.ConfigError)
    assert s.step == 1


def test_propose_timeout_partition_and_heal_buttons() -> None:
    s = stepper(proposers=2)
    s.proposer.value = "p2"
    s.value.value = "cancelled"
    assert not s.propose_button.disabled
    s.propose_button.click()
    assert s.sim.world.node("p2").value == "cancelled"
    s.timeout_button.click()
    assert s.sim.world.node("p2").ballot == px.Ballot(2, "p2")
    assert s.chart_view.timeout_marks.get_offsets().tolist() == [[1.0, 3.0]]
    labels = [label for label, _ in s.partition_choice.options]
    assert "a1,p1 | a2,a3,l1,p2" in labels
    s.partition_choice.value = labels.index("a1,p1 | a2,a3,l1,p2")
    s.partition_button.click()
    assert s.sim.world.partition is not None
    assert s.partition_button.disabled and not s.heal_button.disabled
    assert any(o.endswith("(cut off)") for o in options(s))
    assert s.graph_view.halos.get_visible()
    s.heal_button.click()
    assert s.sim.world.partition is None and s.heal_button.disabled


def test_undo_then_another_branch() -> None:
    s = stepper()
    s.select("prepare 1.p1 p1→a1")
    s.deliver_button.click()
    s.select("prepare 1.p1 p1→a2")
    s.deliver_button.click()
    assert s.step == 3 and len(s.tape) == 3
    s.undo_button.click()
    assert s.step == 2 and len(s.tape) == 3  # the tape keeps the undone step
    assert s.timeline.value == 2 and s.timeline.max == 3
    assert not s.forward_button.disabled
    assert s.sim.world.node("a2").promised is None
    s.forward_button.click()  # redo along the tape
    assert s.sim.world.node("a2").promised == px.Ballot(1, "p1")
    s.timeline.value = 1  # back to just after the proposal
    assert s.step == 1 and s.sim.world.node("a1").promised is None
    s.select("prepare 1.p1 p1→a3")
    s.deliver_button.click()  # a new branch
    assert s.step == 2 and len(s.tape) == 2
    assert "a new branch" in s.note.value
    assert s.sim.world.node("a3").promised == px.Ballot(1, "p1")
    assert s.sim.world.node("a1").promised is None
    assert s.forward_button.disabled


def test_durable_versus_volatile_storage_replays_the_run() -> None:
    s = stepper()
    s.select("prepare 1.p1 p1→a1")
    s.deliver_button.click()
    s.node_buttons["a1"].click()  # crash a1 after it promised
    assert s.sim.world.node("a1").promised == px.Ballot(1, "p1")  # durable: kept
    assert 'class="durable" data-field="promised"' in s.table.value
    s.storage_switch.value = "volatile"
    assert s.sim.variant == "amnesiac-acceptor" and s.step == 3
    assert s.sim.world.node("a1").promised is None  # amnesia: forgotten
    assert "volatile acceptor storage" in s.status.value
    assert 'class="volatile" data-field="promised"' in s.table.value
    assert "Replayed 3 of 3 steps with volatile" in s.note.value
    s.storage_switch.value = "durable"
    assert s.sim.variant == "classic"
    assert s.sim.world.node("a1").promised == px.Ballot(1, "p1")


def test_storage_switch_stops_the_replay_where_a_step_cannot_happen() -> None:
    s = stepper(proposers=2, variant="amnesiac-acceptor")
    assert s.storage_switch.value == "volatile"

    def deliver(kind: str, src: str | None = None, dst: str | None = None) -> None:
        assert s.deliver(s.sim.find(kind, src, dst)), s.note.value

    for a in ("a1", "a2"):
        deliver("prepare", "p1", a)
        deliver("promise", a, "p1")  # the second promise sends the accepts
    assert s.propose("p2", "cancelled")
    deliver("prepare", "p2", "a1")  # a1 promises 1.p2
    s.node_buttons["a1"].click()
    s.node_buttons["a1"].click()  # back up, its promise forgotten
    deliver("accept", "p1", "a1")  # so it accepts 1.p1 ...
    deliver("accepted", "a1", "p1")  # ... and its vote reaches p1
    steps = s.step
    s.storage_switch.value = "durable"  # a durable a1 would have refused the accept
    assert s.sim.variant == "classic"
    assert s.step == steps - 1
    assert "cannot happen with durable storage" in s.note.value
    assert s.sim.find("nack", "a1", "p1").promised == px.Ballot(1, "p2")
    other = stepper(variant="snippet")
    assert other.storage_switch.disabled
    assert other.set_storage("volatile") is False
    assert "moves between classic and amnesiac-acceptor" in other.note.value


def test_deliver_random_and_play_take_seeded_steps() -> None:
    s = stepper()
    s.random_button.click()
    first = s.sim.steps[-1]
    t = stepper()
    t.random_button.click()
    assert t.sim.steps[-1] == first  # same seed, same pick
    s.play.value += 1
    assert s.step == 3
    while s.auto_step():
        pass
    assert s.sim.learned() == {"l1": "confirmed"}
    assert "run is quiet" in s.note.value
    s.play.playing = True
    s.play.value += 1
    assert s.play.playing is False  # nothing more to do: Play stops itself
    assert s.random_button.disabled


def test_load_a_counterexample_and_step_through_it() -> None:
    result = px.explore(px.Cluster(proposers=2, acceptors=3), {"p1": "v1", "p2": "v2"},
                        variant="minority-quorum", max_ballot=1)
    trace = result.counterexample
    s = stepper()
    s.load(trace)
    assert s.step == 0 and s.tape == trace.steps
    assert s.sim.network == "sent-set" and s.sim.variant == "minority-quorum"
    assert list(s.node_buttons) == ["p1", "p2", "a1", "a2", "a3", "l1"]
    for _ in trace.steps:
        s.forward_button.click()
    assert s.step == len(trace.steps)
    assert "✗ agreement VIOLATED" in s.status.value
    assert "a second value: agreement violated" in " ".join(s.chart_view.events.strings)
    s.timeline.value = 2
    assert s.step == 2 and "✓ agreement" in s.status.value
    s.reset_button.click()
    assert s.step == 0 and s.tape == ()


def test_json_export_and_import_round_trip() -> None:
    s = stepper()
    s.deliver_random()
    s.node_buttons["a3"].click()
    s.export_json_button.click()
    text = s.export_area.value
    assert px.Trace.from_json(text) == s.sim.trace
    other = stepper()
    other.export_area.value = text
    other.load_json_button.click()
    assert other.tape == s.sim.trace.steps and other.step == 0
    other.timeline.value = len(other.tape)
    assert other.sim.world == s.sim.world
    other.export_area.value = "{not json"
    other.load_json_button.click()
    assert "not valid trace JSON" in other.note.value


def test_pytest_export_replays_the_run_and_checks_the_properties() -> None:
    result = px.explore(px.Cluster(proposers=2, acceptors=3), {"p1": "v1", "p2": "v2"},
                        variant="minority-quorum", max_ballot=1)
    s = stepper()
    s.load(result.counterexample, step=len(result.counterexample))
    s.export_test_button.click()
    source = s.export_area.value
    assert "def test_stepper_minority_quorum_8_steps() -> None:" in source
    assert "assert verdicts['agreement'].holds is False" in source
    namespace: dict[str, object] = {}
    exec(compile(source, "exported_test.py", "exec"), namespace)
    namespace["test_stepper_minority_quorum_8_steps"]()  # type: ignore[operator]
    broken = source.replace("verdicts['agreement'].holds is False",
                            "verdicts['agreement'].holds is True")
    namespace = {}
    exec(compile(broken, "exported_test.py", "exec"), namespace)
    with pytest.raises(AssertionError):
        namespace["test_stepper_minority_quorum_8_steps"]()  # type: ignore[operator]


def test_reset_returns_to_the_start_even_after_the_storage_switch() -> None:
    s = stepper()
    original = s.sim
    s.deliver_random()
    s.storage_switch.value = "volatile"
    assert s.sim is not original
    s.reset_button.click()
    assert s.sim is original and s.sim.variant == "classic"
    assert s.step == 1 and s.storage_switch.value == "durable"


def test_bad_construction_is_a_config_error() -> None:
    with pytest.raises(px.ConfigError, match="Stepper needs a Simulation or a Trace"):
        Stepper("sim")  # type: ignore[arg-type]
    with pytest.raises(px.ConfigError, match="window must be an int >= 4"):
        Stepper(px.Simulation(CLUSTER), window=2)
    trace_stepper = Stepper(px.Simulation(CLUSTER).trace)
    assert trace_stepper.step == 0


def test_px_viz_is_lazy_and_exposes_the_stepper() -> None:
    assert px.viz.Stepper is Stepper


def test_a_multi_paxos_simulation_steps_too() -> None:
    from paxos_lib.multipaxos import OrdersSimulation

    sim = OrdersSimulation(3, seed=0)
    sim.submit("r1", "confirm #42 (c1/1)")
    s = Stepper(sim)
    assert list(s.node_buttons) == ["r1", "r2", "r3"]
    assert s.storage_switch.disabled
    for _ in range(12):
        s.random_button.click()
    assert s.last_error is None
    assert "✓ slot-agreement" in s.status.value
    assert any(e.startswith("chosen 'confirm #42 (c1/1)' at 1.r1 in slot 0")
               for e in s.chart_view.events.strings)
    s.node_buttons["r2"].click()
    assert s.node_buttons["r2"].description == "recover r2"
    assert 'data-node="r2"' in s.table.value and "crashed" in s.table.value
    s.value.value = "not a command"
    s.propose_button.click()
    assert "a command is written" in s.note.value  # shown, not raised


def test_a_multi_paxos_run_exports_as_a_test_that_pins_the_order_states() -> None:
    from paxos_lib import orders
    from paxos_lib.multipaxos import OrdersSimulation

    sim = OrdersSimulation(3, seed=0)
    sim.submit("r1", orders.create(42, "c1", 1))
    sim.settle()
    s = Stepper(sim)
    assert not s.export_test_button.disabled
    s.export_test_button.click()
    source = s.export_area.value
    assert s.last_error is None and "replay_orders" in source
    assert "assert verdicts['slot-agreement'].holds is True" in source
    test = re.search(r"def (test_orders_classic_\d+_steps)\(", source)
    assert test is not None
    namespace: dict[str, object] = {}
    exec(compile(source, "exported_test.py", "exec"), namespace)
    namespace[test.group(1)]()  # type: ignore[operator]
    # the test pins each replica's order states: a different state fails it
    assert source.count("'PENDING'") == 3
    broken = source.replace("'PENDING'", "'PAID'", 1)
    namespace = {}
    exec(compile(broken, "exported_test.py", "exec"), namespace)
    with pytest.raises(AssertionError, match="r1"):
        namespace[test.group(1)]()  # type: ignore[operator]


def test_bench_prints_median_and_p95_as_json() -> None:
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run(
        [sys.executable, str(root / "bench" / "stepper.py"), "--samples", "3", "--json"],
        capture_output=True, text=True, cwd=root, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    figures = json.loads(proc.stdout)
    assert figures["samples"] == 3
    assert 0 < figures["median_ms"] <= figures["p95_ms"] + 1e-9


def test_state_table_shows_each_replicas_log_in_slot_order() -> None:
    import re

    from paxos_lib import orders
    from paxos_lib.multipaxos import OrdersSimulation

    sim = OrdersSimulation(3, seed=0)
    sim.submit("r1", orders.create(42, "c1", 1))
    sim.settle()
    sim.submit("r1", orders.confirm(42, "c1", 2))
    sim.settle()
    logs = re.findall(r'data-field="log">([^<]*)<', px.viz.state_table(sim))
    assert logs == ["[0] create #42 (c1/1)  [1] confirm #42 (c1/2)"] * 3
