"""The sequence chart, and the history it is drawn from.

A scripted run on the real engine -- one proposer, three acceptors, one learner -- with a
duplicate, a drop, a crash and recovery and a partition; then the chart's artists are checked:
an arrow per delivered copy, a cross per drop, a diamond per duplicate, crash and recovery
marks with a dotted lifeline between them, a band for the partition, a line where the value
became chosen, a star where the learner learned it.  No pixels are compared.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes

import paxos_lib as px
from paxos_lib.viz import History, draw_message_graph, history_of, sequence_chart
from paxos_lib.viz.chart import ChartView, chart_size, column_width
from paxos_lib.viz.style import agg_figure

CLUSTER = px.Cluster(proposers=1, acceptors=3, learners=1)


def scripted() -> px.Simulation:
    sim = px.Simulation(CLUSTER, seed=0)
    sim.propose("p1", "confirmed")                          # 1
    sim.duplicate("prepare", dst="a1")                      # 2
    sim.deliver("prepare", dst="a1")                        # 3
    sim.deliver("prepare", dst="a1")                        # 4 (the duplicate)
    sim.drop("prepare", dst="a3")                           # 5
    sim.deliver("prepare", dst="a2")                        # 6
    sim.apply(px.Crash("a3"))                               # 7
    sim.deliver("promise", src="a1")                        # 8
    sim.deliver("promise", src="a2")                        # 9: accepts go out
    sim.apply(px.Recover("a3"))                             # 10
    sim.apply(px.Partition((("p1", "a1", "a2", "l1"), ("a3",))))  # 11
    sim.deliver("accept", dst="a1")                         # 12
    sim.deliver("accept", dst="a2")                         # 13: chosen
    sim.apply(px.Heal())                                    # 14
    sim.deliver("accepted", src="a1", dst="l1")             # 15
    sim.deliver("accepted", src="a2", dst="l1")             # 16: learned
    return sim


def chart(sim: px.Simulation, window: int | None = None) -> ChartView:
    h = history_of(sim)
    ax = agg_figure(7, 6).add_subplot()
    view = ChartView(ax, h.node_ids, window)
    view.update(h)
    return view


def test_history_follows_every_copy() -> None:
    h = history_of(scripted())
    assert h.now == 16
    prepares = [c for c in h.copies if c.message.KIND == "prepare"]
    assert [(c.message.dst, c.origin, c.status, c.sent, c.ended) for c in prepares] == [
        ("a1", "sent", "delivered", 1, 3),
        ("a2", "sent", "delivered", 1, 6),
        ("a3", "sent", "dropped", 1, 5),
        ("a1", "duplicate", "delivered", 2, 4),
    ]
    assert prepares[3].parent == prepares[0].id
    assert [(e.step, e.node, e.kind) for e in h.node_events] == [
        (1, "p1", "propose"), (7, "a3", "crash"), (10, "a3", "recover"), (16, "l1", "learn")
    ]
    assert [(p.start, p.end, p.groups) for p in h.partitions] == [
        (11, 14, (("a1", "a2", "l1", "p1"), ("a3",)))
    ]
    (chosen,) = h.chosen
    assert (chosen.step, chosen.value, str(chosen.ballot), chosen.acceptors) == (
        13, "confirmed", "1.p1", ("a1", "a2")
    )
    assert h.learned_at() == {"l1": (16, "'confirmed'")}
    record = h.records[8]  # step 9: p1 got its second promise and sent three accepts
    assert record.step == 9
    assert [h.copies[i].message.label for i in record.sent] == ["accept 1.p1 'confirmed'"] * 3


def test_history_grows_step_by_step_like_a_rebuild() -> None:
    sim = scripted()
    grown = History(sim.worlds[:1], ())
    for action, world in zip(sim.steps, sim.worlds[1:], strict=True):
        grown.extend(action, world)
    whole = history_of(sim.trace)
    assert [(c.message, c.status, c.sent, c.ended) for c in grown.copies] == [
        (c.message, c.status, c.sent, c.ended) for c in whole.copies
    ]
    with pytest.raises(px.ConfigError, match="one more world than steps"):
        History(sim.worlds, sim.steps[:-1])


def test_chart_draws_arrows_drops_duplicates_crashes_partition_chosen_and_learn() -> None:
    view = chart(scripted())
    delivered = 3 + 2 + 2 + 2  # prepares (one a duplicate), promises, accepts, accepted
    assert len(view.arrows.get_segments()) == delivered - 1
    assert len(view.dup_arrows.get_segments()) == 1
    assert len(view.heads.get_paths()) == delivered
    assert view.drop_marks.get_offsets().tolist() == [[1.5, 5.0]]  # halfway p1..a3, step 5
    assert view.dup_marks.get_offsets().tolist() == [[0.5, 2.0]]
    assert view.crash_marks.get_offsets().tolist() == [[3.0, 7.0]]
    assert view.recover_marks.get_offsets().tolist() == [[3.0, 10.0]]
    # step 13 chose a value: a row of its own below it moves later steps down one row, and
    # the learn at step 16 (row 17) gets the row after it (18)
    assert view.learn_marks.get_offsets().tolist() == [[4.0, 18.0]]
    assert view.propose_marks.get_offsets().tolist() == [[0.0, 1.0]]
    down = view.life_down.get_segments()
    assert [seg.tolist() for seg in down] == [[[3.0, 7.0], [3.0, 10.0]]]
    (band,) = view.bands.get_paths()
    # from the partition (step 11) to the heal (step 14, one row down: 13 chose a value)
    assert band.vertices[:, 1].min() == 11 and band.vertices[:, 1].max() == 15
    (chosen,) = view.chosen_lines.get_segments()
    assert chosen[0, 1] == pytest.approx(14.0)
    events = view.events.strings
    assert "chosen 'confirmed' at 1.p1 by a1, a2" in events
    assert "l1 learned 'confirmed'" in events and "crash a3" in events
    assert "recover a3" in events and "p1 proposes 'confirmed'" in events
    assert any(s.startswith("partition ") for s in events) and "heal" in events
    # one row of text per step that moved a message: its label, then where it went
    assert view.labels.strings == [
        "prepare 1.p1", "prepare 1.p1", "prepare 1.p1", "prepare 1.p1", "prepare 1.p1",
        "promise 1.p1", "promise 1.p1", "accept 1.p1 'confirmed'", "accept 1.p1 'confirmed'",
        "accepted 1.p1 'confirmed'", "accepted 1.p1 'confirmed'"]
    assert view.routes.strings[:4] == ["p1\u2192a1 duplicated", "p1\u2192a1", "p1\u2192a1",
                                       "p1\u2192a3 dropped"]
    # the legend names exactly what is drawn
    legend = view.legend.strings
    assert legend == ["prepare", "promise", "accept", "accepted", "proposal",
                      "message dropped", "copy made by the network",
                      "crash (dotted while down)", "recover", "partitioned", "value chosen",
                      "learner learned"]
    assert view.names.strings == ["p1", "a1", "a2", "a3", "l1"]
    assert view.title.strings == ["classic · step 16: deliver accepted 1.p1 'confirmed' a2→l1"]


def test_a_second_chosen_value_is_drawn_as_a_violation() -> None:
    result = px.explore(px.Cluster(proposers=2, acceptors=3), {"p1": "v1", "p2": "v2"},
                        variant="minority-quorum", max_ballot=1)
    trace = result.counterexample
    view = chart(px.replay(trace.cluster, trace))
    assert len(view.chosen_lines.get_segments()) == 2
    assert any("agreement violated" in s for s in view.events.strings)
    colours = view.chosen_lines.get_colors()
    assert not np.allclose(colours[0], colours[1])


def test_window_shows_only_the_latest_steps() -> None:
    sim = scripted()
    view = chart(sim, window=6)
    bottom, top = view.ax.get_ylim()
    # rows: step 13's chosen value takes a row, step 16's learn another
    assert (top, bottom) == (10 - 0.6, 16 + 1 + 1 + 0.6)
    assert "1" not in view.steps.strings and "16" in view.steps.strings
    assert view.propose_marks.get_offsets().shape == (0, 2)  # step 1 is out of the window


def test_sequence_chart_makes_a_figure_sized_to_the_run_or_uses_the_given_axes() -> None:
    sim = scripted()
    ax = sequence_chart(sim.trace)
    try:
        assert isinstance(ax, Axes)
        h = history_of(sim)
        rows = 16 + 2  # the steps, and the rows for the value chosen and the learn
        assert tuple(ax.figure.get_size_inches()) == chart_size(5, rows, column_width(h))
        assert column_width(h) > 2.0  # "accepted 1.p1 'confirmed' a2→l1" fits
    finally:
        plt.close(ax.figure)
    mine = agg_figure(6, 4).add_subplot()
    assert sequence_chart(sim, ax=mine, step=3) is mine
    assert mine.get_ylim() == (3.6, -0.6)
    empty = agg_figure(6, 4).add_subplot()
    sequence_chart(px.Simulation(CLUSTER).trace, ax=empty)
    assert empty.get_ylim() == (1.6, -0.6)


def test_static_pictures_draw_without_missing_glyphs(recwarn: pytest.WarningsRecorder) -> None:
    sim = scripted()
    chart_ax = sequence_chart(sim.trace)
    graph_ax = draw_message_graph(sim.trace, step=9)
    try:
        chart_ax.figure.canvas.draw()
        graph_ax.figure.canvas.draw()
    finally:
        plt.close(chart_ax.figure)
        plt.close(graph_ax.figure)
    assert not [w for w in recwarn if "Glyph" in str(w.message)]


def test_chosen_events_are_per_slot_for_a_log_and_flag_a_second_value() -> None:
    from paxos_lib import orders
    from paxos_lib.multipaxos import OrdersSimulation

    log = OrdersSimulation(3, seed=0)
    log.submit("r1", orders.create(42, "c1", 1))
    log.settle()
    log.submit("r1", orders.confirm(42, "c1", 2))
    log.settle()
    events = px.viz.history_of(log.trace).chosen
    assert [(e.slot, e.violation) for e in events] == [(0, False), (1, False)]

    broken = px.Simulation(px.Cluster(proposers=2, acceptors=3), variant="forgetful-proposer")
    broken.propose("p1", "confirmed")
    for kind, src, dst in [("prepare", "p1", "a1"), ("prepare", "p1", "a2"),
                           ("promise", "a1", "p1"), ("promise", "a2", "p1"),
                           ("accept", "p1", "a1"), ("accept", "p1", "a2")]:
        broken.deliver(kind, src, dst)
    broken.propose("p2", "cancelled")
    for kind, src, dst in [("prepare", "p2", "a2"), ("prepare", "p2", "a3"),
                           ("promise", "a2", "p2"), ("promise", "a3", "p2"),
                           ("accept", "p2", "a2"), ("accept", "p2", "a3")]:
        broken.deliver(kind, src, dst)
    events = px.viz.history_of(broken.trace).chosen
    assert [(e.value, e.slot, e.violation) for e in events] == [
        ("confirmed", None, False), ("cancelled", None, True)]


def test_messages_per_command_plot_draws_both_variants_and_their_minimums() -> None:
    ax = px.viz.plot_messages_per_command((3, 5), {"classic": [4.1, 8.2],
                                                   "phase1-per-slot": [8.05, 16.1]})
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["stable leader (phase 1 once)", "minimum 2(n\u22121)",
                      "phase 1 for every slot", "minimum 4(n\u22121)"]
    assert list(ax.get_lines()[1].get_ydata()) == [4, 8]
    with pytest.raises(px.ConfigError, match="unknown variant"):
        px.viz.plot_messages_per_command((3,), {"fast": [1.0]})
    plt.close("all")
