"""Pictures and widgets: see a Paxos run, and step it by hand.

Theory of operation
-------------------
Everything here is drawn from a ``History`` (``history.py``): the worlds of a run walked pair
by pair, which recovers every message copy (sent, delivered, dropped, duplicated) and every
node and network event.  From it:

- ``message_graph(source)`` -- a ``networkx.MultiDiGraph`` of nodes and message copies, for
  reading and testing; ``draw_message_graph(source, ax=None)`` draws the world at one step;
- ``sequence_chart(source, ax=None)`` -- the space-time diagram of the whole run; in a lesson,
  ``px.viz.sequence_chart(sim.trace);`` shows it as a static figure;
- ``state_table(source)`` -- every node's state as HTML, durable fields marked and the fields
  the last step changed highlighted;
- ``ClusterView(sim)`` -- the browser-drawn view (an anywidget: SVG graph with message tokens,
  space-time diagram and controls on one screen), what the lessons use;
- ``Stepper(sim)`` -- the matplotlib widget that puts them together with controls for every
  action (the fallback: PNG pictures drawn in the kernel);
- ``predict(options)`` -- a lesson's prediction prompt: commit a choice, then ``reveal``;
- ``history_chart(history, result=None)`` -- a client history of order operations, one bar
  per operation, with the linearizability checker's verdict (``client_history.py``).

``source`` is a ``Simulation`` or a ``Trace`` (or a ``History``); ``step=`` picks an earlier
moment.  The drawing functions take ``ax=`` and return the Axes they drew on (a new pyplot
figure when none is given, so a notebook's inline backend shows it exactly once).

Every colour comes from ``palette.py`` (Okabe-Ito hues, text colours at WCAG AA contrast on
white, no meaning carried by colour alone), which imports nothing outside the standard library
so a browser view can use the same colours.  Every text is at least 9 pt; no text overlaps
another or sits on a line (``tests/test_viz_figures.py`` checks every lesson's figures).

This package is the only place in ``paxos_lib`` that imports matplotlib, networkx and
ipywidgets; ``import paxos_lib`` loads it lazily on first use of ``px.viz``.
"""

from __future__ import annotations

from paxos_lib.viz.chart import sequence_chart
from paxos_lib.viz.client_history import history_chart
from paxos_lib.viz.clusterview import ClusterView
from paxos_lib.viz.export import trace_to_pytest
from paxos_lib.viz.graph import draw_message_graph, message_graph
from paxos_lib.viz.history import History, history_of
from paxos_lib.viz.plots import plot_flexible_tradeoff, plot_messages_per_command
from paxos_lib.viz.predict import Prediction, predict
from paxos_lib.viz.raftplots import plot_raft_vs_multipaxos
from paxos_lib.viz.refinement import plot_refinement
from paxos_lib.viz.stepper import Stepper
from paxos_lib.viz.table import state_table, status_html
from paxos_lib.viz.viewmodel import view_model

__all__ = [
    "ClusterView",
    "History",
    "Prediction",
    "Stepper",
    "draw_message_graph",
    "history_chart",
    "history_of",
    "message_graph",
    "plot_flexible_tradeoff",
    "plot_messages_per_command",
    "plot_raft_vs_multipaxos",
    "plot_refinement",
    "predict",
    "sequence_chart",
    "state_table",
    "status_html",
    "trace_to_pytest",
    "view_model",
]
