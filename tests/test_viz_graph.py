"""The message-flow graph: nodes, message copies and their attributes; the drawing's artists.

Runs are scripted on the real engine, one action at a time, and the graph is checked after
each: the networkx graph by its nodes, edges and attributes, the drawing by its artists
(collections, segment counts, colours and label strings), never by pixels.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import networkx as nx
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_hex

import paxos_lib as px
from paxos_lib.viz import draw_message_graph, history_of, message_graph
from paxos_lib.viz.graph import (
    BOX_H,
    BOX_W,
    COL_IN,
    ROW_IN,
    GraphView,
    graph_size,
    layout,
    short_state,
)
from paxos_lib.viz.style import CRASHED_FACE, KIND_COLOURS, agg_figure

CLUSTER = px.Cluster(proposers=1, acceptors=3, learners=1)


def prepared() -> px.Simulation:
    """p1 proposed 'confirmed'; its three prepares are in flight."""
    sim = px.Simulation(CLUSTER, seed=0)
    sim.propose("p1", "confirmed")
    return sim


def edges(g: nx.MultiDiGraph, **match: object) -> list[tuple[str, str, dict]]:
    return [
        (u, v, d) for u, v, d in g.edges(data=True)
        if all(d.get(k) == want for k, want in match.items())
    ]


def view_for(sim: px.Simulation) -> GraphView:
    h = history_of(sim)
    ax = agg_figure(6, 4.6).add_subplot()
    view = GraphView(ax, h.node_ids, {n: h.role_of(n) for n in h.node_ids})
    view.update(h)
    return view


def test_nodes_carry_role_status_and_state() -> None:
    g = message_graph(prepared())
    assert isinstance(g, nx.MultiDiGraph)
    assert list(g.nodes) == ["p1", "a1", "a2", "a3", "l1"]
    assert {n: d["role"] for n, d in g.nodes(data=True)} == {
        "p1": "proposer", "a1": "acceptor", "a2": "acceptor", "a3": "acceptor",
        "l1": "learner",
    }
    assert all(d["status"] == "up" and d["side"] is None for _, d in g.nodes(data=True))
    assert g.nodes["p1"]["timer"] is True
    assert g.nodes["p1"]["state"].startswith("preparing, ballot 1.p1")
    assert g.graph["step"] == 1
    assert g.graph["variant"] == "classic"
    assert g.graph["action"] == "p1 proposes 'confirmed'"


def test_edges_are_message_copies_with_type_ballot_value_and_status() -> None:
    sim = prepared()
    g = message_graph(sim)
    assert sorted((u, v) for u, v, _ in edges(g)) == [("p1", "a1"), ("p1", "a2"), ("p1", "a3")]
    for _, _, d in edges(g):
        assert (d["type"], d["ballot"], d["value"], d["status"]) == ("prepare", "1.p1", None,
                                                                     "inflight")
        assert d["label"] == "prepare 1.p1" and d["sent"] == 1 and d["ended"] is None

    sim.deliver("prepare", dst="a1")
    g = message_graph(sim)
    delivered = edges(g, status="delivered")
    assert [(u, v, d["ended"]) for u, v, d in delivered] == [("p1", "a1", 2)]
    promise = edges(g, type="promise")
    assert [(u, v, d["status"], d["sent"]) for u, v, d in promise] == [("a1", "p1", "inflight", 2)]

    sim.deliver("promise", src="a1")
    sim.deliver("prepare", dst="a2")
    sim.deliver("promise", src="a2")  # a quorum: p1 sends accept to all three acceptors
    g = message_graph(sim)
    accepts = edges(g, type="accept")
    assert len(accepts) == 3
    assert {d["value"] for _, _, d in accepts} == {"confirmed"}
    assert g.number_of_edges() == 3 + 2 + 3  # prepares, promises, accepts


def test_drop_and_duplicate_are_recorded_on_the_right_copy() -> None:
    sim = prepared()
    sim.duplicate("prepare", dst="a1")
    g = message_graph(sim)
    to_a1 = edges(g, type="prepare")
    to_a1 = [(d["origin"], d["sent"]) for u, v, d in to_a1 if v == "a1"]
    assert to_a1 == [("sent", 1), ("duplicate", 2)]
    sim.drop("prepare", dst="a1")
    sim.deliver("prepare", dst="a1")
    g = message_graph(sim)
    statuses = sorted(
        (d["origin"], d["status"]) for u, v, d in g.edges(data=True) if v == "a1"
    )
    # the oldest copy goes first: the original is dropped, the duplicate delivered
    assert statuses == [("duplicate", "delivered"), ("sent", "dropped")]


def test_crash_and_partition_show_on_nodes_and_block_edges() -> None:
    sim = prepared()
    sim.apply(px.Crash("a2"))
    sim.apply(px.Partition((("p1", "a1"), ("a2", "a3", "l1"))))
    g = message_graph(sim)
    assert g.nodes["a2"]["status"] == "crashed"
    assert g.graph["partition"] == [["a1", "p1"], ["a2", "a3", "l1"]]
    assert {n: d["side"] for n, d in g.nodes(data=True)} == {
        "p1": 0, "a1": 0, "a2": 1, "a3": 1, "l1": 1
    }
    blocked = {v: d["blocked"] for _, v, d in edges(g, type="prepare")}
    assert blocked == {"a1": False, "a2": True, "a3": True}


def test_trace_and_simulation_and_step_give_the_same_graph() -> None:
    sim = prepared()
    sim.deliver("prepare", dst="a3")
    sim.deliver("promise", src="a3")
    from_sim = message_graph(sim)
    from_trace = message_graph(sim.trace)
    assert nx.utils.edges_equal(from_sim.edges(keys=True), from_trace.edges(keys=True))
    assert dict(from_sim.nodes(data=True)) == dict(from_trace.nodes(data=True))
    earlier = message_graph(sim.trace, step=1)
    assert earlier.graph["step"] == 1 and earlier.number_of_edges() == 3
    with pytest.raises(px.ConfigError, match="step must be an int from 0 to 3"):
        message_graph(sim, step=4)
    with pytest.raises(px.ConfigError, match="expected a Simulation or a Trace"):
        message_graph("not a run")


def test_sent_set_network_delivers_the_one_copy_again_and_again() -> None:
    sim = px.Simulation(CLUSTER, seed=0, network="sent-set")
    sim.propose("p1", "confirmed")
    sim.deliver("prepare", dst="a1")
    sim.deliver("prepare", dst="a1")
    g = message_graph(sim)
    (d,) = [d for _, v, d in edges(g, type="prepare") if v == "a1"]
    assert d["deliveries"] == 2 and d["status"] == "delivered"


def test_layout_puts_proposers_left_acceptors_middle_learners_right() -> None:
    roles = {n: CLUSTER.role_of(n) for n in CLUSTER.node_ids}
    pos = layout(CLUSTER.node_ids, roles)
    assert {n: x for n, (x, _) in pos.items()} == {
        "p1": 0.0, "a1": COL_IN, "a2": COL_IN, "a3": COL_IN, "l1": 2 * COL_IN
    }
    assert pos["a1"][1] > pos["a2"][1] > pos["a3"][1]
    circle = layout(("r1", "r2", "r3"), {"r1": "replica", "r2": "replica", "r3": "replica"})
    assert len({p for p in circle.values()}) == 3
    # boxes never overlap: acceptors a row apart, replicas far enough apart on the circle
    assert pos["a1"][1] - pos["a2"][1] > BOX_H
    (ax, ay), (bx, by) = circle["r1"], circle["r2"]
    assert abs(ax - bx) > BOX_W or abs(ay - by) > BOX_H


def test_drawing_in_flight_messages_dashed_and_labelled_by_type_colour() -> None:
    view = view_for(prepared())
    assert len(view.circles.get_paths()) == 5
    assert len(view.flight_lines.get_segments()) == 3
    dash = view.flight_lines.get_linestyle()[0]
    assert dash[1] is not None  # a dash pattern, not a solid line
    colours = {to_hex(c) for c in view.flight_lines.get_colors()}
    assert colours == {KIND_COLOURS["prepare"].lower()}
    assert view.labels.strings == ["prepare 1.p1"] * 3
    assert view.names.strings == ["p1", "a1", "a2", "a3", "l1"]
    assert len(view.history_lines.get_segments()) == 0
    assert "step 1: p1 proposes 'confirmed'" in view.title.strings[0]


def test_drawing_follows_delivery_drop_crash_and_partition() -> None:
    sim = prepared()
    sim.deliver("prepare", dst="a1")
    view = view_for(sim)
    assert len(view.last_lines.get_segments()) == 1  # the delivered prepare, thick
    assert len(view.history_lines.get_segments()) == 1
    assert sorted(view.labels.strings) == ["prepare 1.p1", "prepare 1.p1", "promise 1.p1"]
    assert "promised 1.p1" in view.states.strings

    sim.drop("prepare", dst="a2")
    view = view_for(sim)
    assert view.drop_marks.get_offsets().shape == (1, 2)
    assert len(view.last_lines.get_segments()) == 0

    sim.apply(px.Crash("a3"))
    view = view_for(sim)
    faces = [to_hex(c) for c in view.circles.get_facecolors()]
    assert faces[3] == CRASHED_FACE and faces[1] != CRASHED_FACE
    assert "crashed" in view.states.strings
    assert "p1\u2192a3 (down)" in view.routes.strings

    sim.apply(px.Partition((("p1", "a1"), ("a2", "a3", "l1"))))
    view = view_for(sim)
    assert view.halos.get_visible()
    assert any(s.startswith("partition: ") for s in view.title.strings)


def test_legend_names_exactly_the_marks_rings_and_lines_drawn() -> None:
    sim = prepared()
    assert view_for(sim).legend.strings == ["prepare", "in flight (dashed)",
                                            "(timer): retry timer set"]
    sim.deliver("prepare", dst="a1")
    sim.duplicate("prepare", dst="a2")
    view = view_for(sim)
    assert view.legend.strings == [
        "prepare", "promise", "in flight (dashed)", "delivered before", "copied this step",
        "(timer): retry timer set", "\u00d7n: n copies in flight"]
    assert "p1\u2192a2 \u00d72" in view.routes.strings
    sim.apply(px.Crash("a3"))
    sim.apply(px.Partition((("p1", "a1"), ("a2", "a3", "l1"))))
    legend = view_for(sim).legend.strings
    for entry in ("crashed node", "partition side 1", "partition side 2",
                  "(cut): partition blocks it"):
        assert entry in legend
    assert "copied this step" not in legend and "delivered this step" not in legend


def test_draw_message_graph_returns_the_axes_and_accepts_one() -> None:
    sim = prepared()
    ax = draw_message_graph(sim)
    try:
        assert isinstance(ax, Axes)
        width, height = ax.figure.get_size_inches().tolist()
        roles = {n: CLUSTER.role_of(n) for n in CLUSTER.node_ids}
        assert (width, height) == graph_size(CLUSTER.node_ids, roles)
        five = px.Cluster(proposers=1, acceptors=5)
        taller = graph_size(five.node_ids, {n: five.role_of(n) for n in five.node_ids})
        assert taller[0] == width and taller[1] == pytest.approx(height + 2 * ROW_IN)
    finally:
        plt.close(ax.figure)
    fig = agg_figure(5, 4)
    mine = fig.add_subplot()
    assert draw_message_graph(sim.trace, ax=mine, step=0) is mine
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        draw_message_graph(sim, ax="axes")  # type: ignore[arg-type]


def test_short_state_names_the_fields_a_learner_watches() -> None:
    sim = prepared()
    sim.deliver("prepare", dst="a1")
    w = sim.world
    assert short_state(w.node("a1")) == "promised 1.p1"
    assert short_state(w.node("p1")) == "preparing 1.p1"
    assert short_state(w.node("l1")) == "learned —"
    assert "promised 1.p1" in view_for(sim).states.strings
