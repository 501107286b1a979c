"""The browser view's Python half, driven headless through the messages its buttons send.

Each test sends the same ``{"do": ...}`` messages the browser sends (``_on_msg``) to a
ClusterView over the real engine, then reads the synced ``view``: the step, the note, the
message tokens, and ``controls`` (each control's engine reason when it is not allowed).  The
drawing itself is tested in a real browser (``test_browser_view.py``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import paxos_lib as px
from paxos_lib.multipaxos import OrdersSimulation
from paxos_lib.viz import ClusterView


def view_of(proposers: int = 2, variant: str = "classic") -> ClusterView:
    sim = px.Simulation(px.Cluster(proposers=proposers, acceptors=3), seed=0, variant=variant)
    sim.propose("p1", "confirmed")
    return ClusterView(sim)


def click(v: ClusterView, **msg: object) -> dict:
    v._on_msg(v, msg, [])
    return v.view


def counterexample() -> px.Trace:
    return px.explore(px.Cluster(proposers=2, acceptors=3, learners=1),
                      values=("confirmed", "cancelled"), variant="minority-quorum",
                      max_ballot=1).counterexample


def test_ships_its_module_and_stylesheet_as_files() -> None:
    static = Path(px.viz.clusterview.__file__).parent / "static"
    js = (static / "clusterview.js").read_text(encoding="utf-8")
    assert "export default" in js and "import " not in js.split("export default")[0][:200]
    assert "http://" not in js.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in js
    assert "--jp-" in (static / "clusterview.css").read_text(encoding="utf-8")
    v = view_of()
    assert "export default" in v._esm and "--jp-" in v._css


def test_module_and_stylesheet_are_package_data_for_a_wheel() -> None:
    import tomllib

    root = Path(__file__).resolve().parent.parent
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    data = config["tool"]["setuptools"]["package-data"]["paxos_lib.viz"]
    assert {"static/*.js", "static/*.css"} <= set(data)


def test_starts_with_the_world_and_the_engines_reasons() -> None:
    v = view_of()
    vm = v.view
    assert vm["step"] == 1 and vm["rev"] == 1 and vm["note"]["ok"]
    c = vm["controls"]
    assert c["undo"] is None and c["forward"] == "at the end of the tape"
    assert c["heal"] == "the network is not partitioned"
    p1 = next(p for p in c["proposers"] if p["id"] == "p1")
    assert "already working on 'confirmed'" in p1["propose"]
    assert c["nodes"]["a1"] == {"action": "crash", "why": None}
    assert c["messages"]["0"] == {"deliver": None, "drop": None, "duplicate": None}
    assert c["storage"] == {"value": "durable", "why": None}
    assert repr(v) == ("ClusterView(2 proposer(s), 3 acceptor(s), 1 learner(s), "
                       "variant classic, step 1 of 1)")


def test_deliver_a_token_then_undo_and_forward() -> None:
    v = view_of()
    vm = click(v, do="deliver", id=1, req=7)
    assert vm["step"] == 2 and vm["note"]["reply"] == 7
    assert vm["note"]["text"] == "step 2: deliver prepare 1.p1 p1→a2"
    assert vm["last"]["copy"]["id"] == 1 and vm["last"]["how"] == "delivered"
    assert 1 not in [m["id"] for m in vm["messages"]]
    assert vm["animate"] is True
    vm = click(v, do="undo")
    assert vm["step"] == 1 and vm["animate"] is False and vm["controls"]["tape"] == 2
    assert vm["controls"]["next"] == "deliver prepare 1.p1 p1→a2"
    vm = click(v, do="forward")
    assert vm["step"] == 2


def test_an_impossible_click_shows_the_engines_reason() -> None:
    v = view_of()
    vm = click(v, do="node", node="a1")
    assert vm["step"] == 2 and vm["controls"]["nodes"]["a1"]["action"] == "recover"
    why = vm["controls"]["messages"]["0"]["deliver"]
    assert why is not None and "a1" in why  # the engine's reason, for the button's tooltip
    vm = click(v, do="deliver", id=0)
    assert vm["step"] == 2 and vm["note"]["error"] and why in vm["note"]["text"]
    vm = click(v, do="deliver", id=99)
    assert vm["note"]["error"] and "no message copy 99 is in flight" in vm["note"]["text"]
    vm = click(v, do="partition", index=999)
    assert vm["note"]["error"] and "partition index must be from 0" in vm["note"]["text"]
    vm = click(v, do="teleport")
    assert "unknown control 'teleport'" in vm["note"]["text"]
    vm = click(v, do="timeout", node="p2")
    assert vm["note"]["error"] and vm["note"]["text"].startswith("Cannot timeout")
    assert isinstance(v.last_error, px.PaxosError) or v.last_error is None


def test_propose_partition_heal_and_play() -> None:
    v = view_of()
    vm = click(v, do="propose", node="p2", value="cancelled")
    assert vm["step"] == 2 and vm["controls"]["value"] == "cancelled"
    parts = vm["controls"]["partitions"]
    vm = click(v, do="partition", index=parts[0]["index"])
    assert vm["partition"] is not None and vm["controls"]["heal"] is None
    assert vm["controls"]["partitioned"]
    vm = click(v, do="heal")
    assert vm["partition"] is None
    before = vm["step"]
    vm = click(v, do="auto", req=3)
    assert vm["step"] == before + 1 and vm["note"]["reply"] == 3
    while click(v, do="auto")["note"]["ok"]:
        pass
    assert "quiet" in v.note


def test_a_counterexample_opens_at_its_violation_and_replays() -> None:
    bad = counterexample()
    v = ClusterView(bad)
    vm = v.view
    assert vm["step"] == len(bad.steps) and vm["controls"]["tape"] == len(bad.steps)
    broken = [x for x in vm["verdicts"] if not x["holds"]]
    assert broken[0]["name"] == "agreement"
    assert "confirmed" in broken[0]["text"] and "cancelled" in broken[0]["text"]
    assert v.note.startswith("This run breaks agreement at step")
    vm = click(v, do="replay")
    assert vm["step"] == 0 and vm["controls"]["tape"] == len(bad.steps)
    assert all(x["holds"] for x in vm["verdicts"])
    for _ in bad.steps:
        vm = click(v, do="auto")
    assert vm["step"] == len(bad.steps) and not all(x["holds"] for x in vm["verdicts"])
    assert ClusterView(bad, at=2).step == 2


def test_runs_chooser_opens_each_at_its_violation() -> None:
    bad = counterexample()
    fine = px.Simulation(px.Cluster(proposers=1, acceptors=3), seed=0)
    fine.propose("p1", "confirmed")
    fine.run(max_steps=20)
    v = ClusterView(bad, runs={"minority": bad, "classic": fine.trace})
    assert v.view["runs"] == {"names": ["minority", "classic"], "current": "minority"}
    vm = click(v, do="run", name="classic")
    assert vm["runs"]["current"] == "classic" and vm["step"] == 0  # nothing broken: step 0
    vm = click(v, do="run", name="nope")
    assert "no run called 'nope'" in vm["note"]["text"]
    with pytest.raises(px.ConfigError, match="runs must map names to Traces"):
        ClusterView(bad, runs={"x": "y"})  # type: ignore[dict-item]


def test_storage_switch_goes_both_ways() -> None:
    v = view_of()
    click(v, do="deliver", id=0)
    click(v, do="node", node="a1")
    vm = click(v, do="storage", value="volatile")
    assert vm["storage"] == "volatile" and vm["step"] == 3
    assert "Replayed 3 of 3 steps with volatile" in vm["note"]["text"]
    vm = click(v, do="storage", value="durable")
    assert vm["storage"] == "durable" and vm["step"] == 3
    a1 = next(n for n in vm["nodes"] if n["id"] == "a1")
    assert a1["lines"] == ["promised 1.p1"]  # the disk kept the promise


def test_multipaxos_replicas_with_logs() -> None:
    sim = OrdersSimulation(3, seed=0)
    sim.submit("r1", "create #42 (c42/1)")
    v = ClusterView(sim, value="pay #42 (c42/2)")
    while v.view["messages"]:
        click(v, do="deliver", id=v.view["messages"][0]["id"])
    vm = v.view
    assert vm["nodes"][0]["log"][0]["status"] == "applied"  # the leader applied slot 0
    assert {n["log"][0]["command"] for n in vm["nodes"]} == {"create #42 (c42/1)"}
    assert vm["controls"]["storage"]["why"] == (
        "the storage switch is for single-decree Paxos simulations")
    vm = click(v, do="propose", node="r1", value="pay #42 (c42/2)")
    assert vm["note"]["ok"], vm["note"]["text"]


def test_bad_arguments_are_config_errors() -> None:
    sim = px.Simulation(px.Cluster(proposers=1, acceptors=3), seed=0)
    with pytest.raises(px.ConfigError, match="ClusterView needs a Simulation or a Trace"):
        ClusterView("sim")  # type: ignore[arg-type]
    with pytest.raises(px.ConfigError, match="window must be an int from 4 to 60"):
        ClusterView(sim, window=2)
    with pytest.raises(px.ConfigError, match="interval must be an int from 50 to 5000"):
        ClusterView(sim, interval=10)
    with pytest.raises(px.ConfigError, match="value must be a string"):
        ClusterView(sim, value=3)  # type: ignore[arg-type]
    with pytest.raises(px.ConfigError, match="no run called 'x'"):
        ClusterView(sim).open_run("x")
