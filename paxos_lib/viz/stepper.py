"""The stepper: drive a Simulation by hand and watch the pictures follow every step.

Theory of operation
-------------------
``Stepper(sim)`` is an ipywidgets ``VBox``.  At the top a status bar (the safety properties,
red and naming the witnesses when violated; *chosen* shown apart from *learned*) and a note
saying what the last click did (or why it could not), then the controls, then the
message-flow graph and the sequence chart (side by side when the notebook is wide enough),
then the state table:

- **messages**: the in-flight messages, and Deliver / Drop / Duplicate for the selected one;
  Deliver random;
- **proposers**: propose a value from a proposer; fire its retry timer (Timeout);
- **nodes**: one button per node that crashes it, or recovers it when it is down; a storage
  switch, *durable* or *volatile*, for the acceptors (see below);
- **network**: split it (one of the engine's listed partitions) and heal it;
- **time**: Undo, Step forward, a timeline slider, Play / Pause with a speed, Reset;
- **export** (folded away at the bottom): the run as JSON (``Trace.to_json``) or as a pytest
  test that replays it; load a run from JSON.

Every control goes through one door, ``do(action)``: it asks the engine ``why_not`` first, so
an impossible action only shows the engine's reason in the note line, never a traceback; and
after each step every button is enabled or disabled (with the reason as its tooltip) from the
same ``why_not``.  Any other error inside a callback is caught and shown there too.

The tape
--------
The stepper remembers the furthest run it has seen (the *tape*).  Undo and the slider move
back along the tape without forgetting it, Step forward and the slider move forward along it,
and a different action at an earlier step cuts the tape there and records the new branch.
Loading a trace (an explorer's counterexample, say) puts its steps on the tape at step 0, so
the learner can step through it; Play follows the tape while there is one, then lets the
seeded scheduler pick.

Durable or volatile storage
---------------------------
The only difference between the ``classic`` and ``amnesiac-acceptor`` variants is what an
acceptor keeps when it crashes.  The switch replays the current run under the other variant
(as far as its steps can still happen there) and carries on, so the same crash can be seen
with and without the acceptor's disk.

Pictures
--------
Graph and chart are ``GraphView`` and ``ChartView`` artists on two figures of their own, made
once per cluster on an Agg canvas that pyplot never sees, updated in place and encoded into
``widgets.Image`` values (nbval, which has no widget manager, sees no figure outputs).  The
chart shows the last ``window`` steps.

Everything the stepper knows about the protocol it reads generically -- node ids, roles and
``DURABLE`` fields from the states, labels from the messages, ``enabled_actions`` and
``why_not`` from the engine -- so a Multi-Paxos simulation can be stepped too.
"""

from __future__ import annotations

import functools
import html
import random
from collections.abc import Callable, Iterable
from typing import Any

import ipywidgets as widgets

from paxos_lib.actions import (
    Action,
    Deliver,
    Drop,
    Duplicate,
    Heal,
    Partition,
    Propose,
    Timeout,
)
from paxos_lib.engine import listed_partitions, why_not
from paxos_lib.errors import ConfigError, PaxosError
from paxos_lib.messages import Message
from paxos_lib.simulation import Faults, Simulation
from paxos_lib.trace import Trace
from paxos_lib.viz.chart import CHART_MARGINS, ChartView
from paxos_lib.viz.controller import Controller, Outcome
from paxos_lib.viz.export import trace_to_pytest
from paxos_lib.viz.graph import GRAPH_MARGINS, GraphView, graph_size
from paxos_lib.viz.history import History
from paxos_lib.viz.style import agg_figure, png_bytes, set_margins
from paxos_lib.viz.table import state_table, status_html

__all__ = ["Stepper"]


CHART_SIZE = (6.0, 5.2)


def _safe(method: Callable[..., Any]) -> Callable[..., Any]:
    """Run a callback; show any error in the note line instead of raising it."""

    @functools.wraps(method)
    def wrapper(self: Stepper, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:  # a widget callback must never raise into the notebook
            self.last_error = exc
            kind = "" if isinstance(exc, PaxosError) else f"{type(exc).__name__}: "
            self._say(f"{kind}{exc}", error=True)
            return None

    return wrapper


def _button(description: str, cls: str, tooltip: str = "", style: str = "",
            width: str = "auto") -> widgets.Button:
    b = widgets.Button(description=description, tooltip=tooltip, button_style=style,
                       layout=widgets.Layout(width=width))
    b.add_class("paxos-" + cls)
    return b


def _row(title: str, *children: widgets.Widget) -> widgets.HBox:
    label = widgets.HTML(f"<b>{html.escape(title)}</b>",
                         layout=widgets.Layout(width="84px", min_width="84px"))
    return widgets.HBox([label, *children],
                        layout=widgets.Layout(flex_flow="row wrap", align_items="center"))


def _groups_text(p: Partition) -> str:
    return " | ".join(",".join(g) for g in p.groups)


class Stepper(widgets.VBox):
    """Step a Simulation by hand (or a loaded Trace) and watch graph, chart and table follow.

    ``Stepper(sim)`` drives ``sim`` itself; ``stepper.sim`` is the simulation being driven
    (a new one after ``load``, or after the storage switch replays the run under the other
    variant).  Every button has a method of the same meaning (``deliver``, ``crash_or_recover``,
    ``undo`` …) for scripts and tests.
    """

    def __init__(
        self,
        sim: Simulation | Trace,
        *,
        faults: Faults | None = None,
        window: int = 24,
        interval: int = 700,
        value: str = "confirmed",
    ) -> None:
        super().__init__()
        self.add_class("paxos-stepper")
        if isinstance(window, bool) or not isinstance(window, int) or window < 4:
            raise ConfigError(f"window must be an int >= 4 (steps shown), got {window!r}")
        self.ctl = Controller(sim, faults=faults)
        self.window = window
        self.last_error: Exception | None = None
        self._syncing = False
        self._cluster_key: object = None
        self._build_widgets(interval, value)
        self._install()
        self._say("Pick a message and deliver it, or crash a node.")

    # -- reading -------------------------------------------------------------------------------

    @property
    def sim(self) -> Simulation:
        """The simulation being driven (a new one after ``load`` or the storage switch)."""
        return self.ctl.sim

    @property
    def faults(self) -> Faults:
        return self.ctl.faults

    @property
    def rng(self) -> random.Random:
        """The seeded generator behind Deliver random."""
        return self.ctl.rng

    @property
    def _history(self) -> History:
        return self.ctl.history

    @property
    def _tape(self) -> tuple[Action, ...]:
        return self.ctl.tape

    @property
    def step(self) -> int:
        """How many steps the simulation has taken."""
        return len(self.sim.steps)

    @property
    def tape(self) -> tuple[Action, ...]:
        """The furthest run seen; the simulation's steps are a prefix of it."""
        return tuple(self._tape)

    @property
    def storage(self) -> str:
        """``durable`` or ``volatile`` (what a crashed acceptor keeps)."""
        return self.ctl.storage

    def inflight(self) -> list[Message]:
        """The distinct messages in flight, in the engine's order (what the list shows)."""
        return list(self._choices)

    @property
    def selected(self) -> Message | None:
        """The message selected in the list, or None."""
        i = self.messages.value
        return None if i is None or i >= len(self._choices) else self._choices[i]

    def select(self, message: Message | str) -> None:
        """Select a message in the list, by value or by its text (``str(message)``)."""
        for i, m in enumerate(self._choices):
            if m == message or str(m) == message:
                self.messages.value = i
                return
        raise ConfigError(
            f"{message} is not in flight; in flight: {', '.join(map(str, self._choices))}"
        )

    def __repr__(self) -> str:
        return (f"Stepper({self.sim.cluster}, variant {self.sim.variant}, "
                f"step {self.step} of {len(self._tape)})")

    # -- building ------------------------------------------------------------------------------

    def _build_widgets(self, interval: int, value: str) -> None:
        self.status = widgets.HTML()
        self.status.add_class("paxos-status-bar")
        self.graph_image = widgets.Image(format="png", layout=widgets.Layout(width="600px"))
        self.graph_image.add_class("paxos-graph")
        self.chart_image = widgets.Image(format="png", layout=widgets.Layout(width="600px"))
        self.chart_image.add_class("paxos-chart")
        self.table = widgets.HTML()
        self.table.add_class("paxos-table")
        self.note = widgets.HTML()
        self.note.add_class("paxos-note")

        self.messages = widgets.Select(options=[], rows=7,
                                       layout=widgets.Layout(width="470px"))
        self.messages.add_class("paxos-messages")
        self.deliver_button = _button("Deliver", "deliver", style="primary")
        self.drop_button = _button("Drop", "drop", style="warning")
        self.duplicate_button = _button("Duplicate", "duplicate")
        self.random_button = _button("Deliver random", "random")
        self.deliver_button.on_click(lambda _: self.deliver())
        self.drop_button.on_click(lambda _: self.drop())
        self.duplicate_button.on_click(lambda _: self.duplicate())
        self.random_button.on_click(lambda _: self.deliver_random())
        self.messages.observe(lambda _: self._sync_message_buttons(), names="value")

        self.proposer = widgets.Dropdown(options=[], layout=widgets.Layout(width="80px"))
        self.value = widgets.Text(value=value, layout=widgets.Layout(width="130px"))
        self.propose_button = _button("Propose", "propose", style="primary")
        self.timeout_button = _button("Timeout", "timeout")
        self.propose_button.on_click(lambda _: self.propose())
        self.timeout_button.on_click(lambda _: self.timeout())
        self.proposer.observe(lambda _: self._sync_proposer_buttons(), names="value")
        self.value.observe(lambda _: self._sync_proposer_buttons(), names="value")

        self.node_box = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap"))
        self.node_buttons: dict[str, widgets.Button] = {}
        self.storage_switch = widgets.ToggleButtons(
            options=["durable", "volatile"], value="durable",
            tooltips=["an acceptor keeps its promise and vote on disk",
                      "an acceptor forgets everything when it crashes (amnesiac-acceptor)"],
            style={"button_width": "80px"})
        self.storage_switch.add_class("paxos-storage")
        self.storage_switch.observe(self._on_storage, names="value")

        self.partition_choice = widgets.Dropdown(options=[],
                                                 layout=widgets.Layout(width="210px"))
        self.partition_button = _button("Partition", "partition", style="warning")
        self.heal_button = _button("Heal", "heal", style="success")
        self.partition_button.on_click(lambda _: self.partition())
        self.heal_button.on_click(lambda _: self.heal())

        self.undo_button = _button("Undo", "undo")
        self.forward_button = _button("Step ▶", "forward")
        self.timeline = widgets.IntSlider(min=0, max=0, value=0, description="step",
                                          continuous_update=False,
                                          layout=widgets.Layout(width="330px"))
        self.timeline.add_class("paxos-timeline")
        self.play = widgets.Play(min=0, max=10**9, step=1, interval=interval,
                                 show_repeat=False)
        self.play.add_class("paxos-play")
        self.speed = widgets.IntSlider(min=100, max=2000, step=100, value=interval,
                                       description="ms/step",
                                       layout=widgets.Layout(width="260px"))
        widgets.dlink((self.speed, "value"), (self.play, "interval"))
        self.reset_button = _button("Reset", "reset", style="danger")
        self.undo_button.on_click(lambda _: self.undo())
        self.forward_button.on_click(lambda _: self.forward())
        self.reset_button.on_click(lambda _: self.reset())
        self.timeline.observe(self._on_timeline, names="value")
        self.play.observe(self._on_play, names="value")

        self.export_json_button = _button("Export JSON", "export-json")
        self.export_test_button = _button("Export pytest", "export-test")
        self.load_json_button = _button("Load JSON", "load-json")
        self.export_area = widgets.Textarea(
            placeholder="Exports appear here; paste a trace's JSON here and press Load JSON.",
            layout=widgets.Layout(width="98%", height="110px"))
        self.export_area.add_class("paxos-export")
        self.export_json_button.on_click(lambda _: self.show_json())
        self.export_test_button.on_click(lambda _: self.show_pytest())
        self.load_json_button.on_click(lambda _: self.load_json(self.export_area.value))

        # align to the top: a stretched row would stretch the shorter picture out of shape
        pictures = widgets.HBox([self.graph_image, self.chart_image],
                                layout=widgets.Layout(flex_flow="row wrap",
                                                      align_items="flex-start"))
        controls = widgets.VBox([
            _row("messages", self.messages,
                 widgets.VBox([self.deliver_button, self.drop_button,
                               self.duplicate_button, self.random_button])),
            _row("proposers", self.proposer, self.value, self.propose_button,
                 self.timeout_button),
            _row("nodes", self.node_box, widgets.HTML("&nbsp;acceptor storage:"),
                 self.storage_switch),
            _row("network", self.partition_choice, self.partition_button, self.heal_button),
            _row("time", self.undo_button, self.forward_button, self.timeline, self.play,
                 self.speed, self.reset_button),
        ])
        self.export_box = widgets.Accordion(
            children=[widgets.VBox([
                widgets.HBox([self.export_json_button, self.export_test_button,
                              self.load_json_button]),
                self.export_area,
            ])],
            titles=("export the run (JSON, pytest) or load one",),
            selected_index=None,
        )
        self.children = [self.status, self.note, controls, pictures, self.table,
                         self.export_box]

    def _install(self) -> None:
        """Show the controller's simulation (rebuild the pictures for a new cluster)."""
        key = (tuple(self.sim.cluster.node_ids), type(self.sim.cluster))
        if key != self._cluster_key:
            self._cluster_key = key
            self._build_views()
        self.refresh()

    def _build_views(self) -> None:
        h = self._history
        roles = {n: h.role_of(n) for n in h.node_ids}
        self.graph_figure = agg_figure(*graph_size(h.node_ids, roles))
        set_margins(self.graph_figure, *GRAPH_MARGINS)
        self.graph_view = GraphView(self.graph_figure.add_subplot(), h.node_ids, roles)
        self.chart_figure = agg_figure(*CHART_SIZE)
        set_margins(self.chart_figure, *CHART_MARGINS)
        self.chart_view = ChartView(self.chart_figure.add_subplot(), h.node_ids, self.window)
        cluster = self.sim.cluster
        self.node_buttons = {}
        for n in cluster.node_ids:
            b = _button(f"crash {n}", "node", width="96px")
            b.add_class(f"paxos-node-{n}")
            b.on_click(functools.partial(lambda node, _: self.crash_or_recover(node), n))
            self.node_buttons[n] = b
        self.node_box.children = list(self.node_buttons.values())
        self.proposer.options = list(cluster.proposer_ids)
        if self.proposer.value is None and cluster.proposer_ids:
            self.proposer.value = cluster.proposer_ids[0]
        self._partitions = listed_partitions(cluster)
        self.partition_choice.options = [
            (_groups_text(p), i) for i, p in enumerate(self._partitions)
        ]
        if self._partitions:
            self.partition_choice.value = 0

    def _show(self, outcome: Outcome, redraw: bool = True) -> bool:
        """Redraw after a change, and say what the controller did (or why not)."""
        if outcome.ok and redraw:
            self.refresh()
        self._say(outcome.text, error=outcome.error)
        return outcome.ok

    # -- the one door ----------------------------------------------------------------------------

    @_safe
    def do(self, action: Action) -> bool:
        """Take ``action`` if the engine allows it (then True); else say why not (False)."""
        return self._show(self.ctl.do(action))

    # -- message controls -----------------------------------------------------------------------

    def _selected_or(self, message: Message | None) -> Message:
        m = self.selected if message is None else message
        if m is None:
            raise ConfigError("no message selected: nothing is in flight")
        return m

    @_safe
    def deliver(self, message: Message | None = None) -> bool:
        """Deliver ``message`` (default: the selected one)."""
        return bool(self.do(Deliver(self._selected_or(message))))

    @_safe
    def drop(self, message: Message | None = None) -> bool:
        """Lose one copy of ``message`` (default: the selected one)."""
        return bool(self.do(Drop(self._selected_or(message))))

    @_safe
    def duplicate(self, message: Message | None = None) -> bool:
        """Make one more copy of ``message`` (default: the selected one)."""
        return bool(self.do(Duplicate(self._selected_or(message))))

    @_safe
    def deliver_random(self) -> bool:
        """Deliver a deliverable message picked by the stepper's seeded random generator."""
        return self._show(self.ctl.deliver_random())

    # -- proposer, node and network controls ----------------------------------------------------

    @_safe
    def propose(self, proposer: str | None = None, value: str | None = None) -> bool:
        """A client asks ``proposer`` (default: the chosen one) for ``value``."""
        p = self.proposer.value if proposer is None else proposer
        v = self.value.value.strip() if value is None else value
        return bool(self.do(Propose(p, v)))

    @_safe
    def timeout(self, proposer: str | None = None) -> bool:
        """Fire ``proposer``'s retry timer."""
        return bool(self.do(Timeout(self.proposer.value if proposer is None else proposer)))

    @_safe
    def crash_or_recover(self, node: str) -> bool:
        """Crash ``node`` if it is up, recover it if it is down."""
        return self._show(self.ctl.crash_or_recover(node))

    @_safe
    def partition(self, groups: Iterable[Iterable[str]] | None = None) -> bool:
        """Split the network into ``groups`` (default: the split picked in the list)."""
        if groups is None:
            i = self.partition_choice.value
            if i is None:
                raise ConfigError("no partition picked")
            action = self._partitions[i]
        else:
            action = Partition(tuple(tuple(g) for g in groups))
        return bool(self.do(action))

    @_safe
    def heal(self) -> bool:
        """End the partition."""
        return bool(self.do(Heal()))

    @_safe
    def set_storage(self, storage: str) -> bool:
        """Replay the run with ``durable`` or ``volatile`` acceptor storage and carry on; the
        tape is kept, so switching back replays the steps this storage could not take."""
        if storage == self.storage:
            return True
        outcome = self.ctl.set_storage(storage)
        if not outcome.ok:
            self._sync_storage()
        return self._show(outcome)

    def _storage_reason(self) -> str | None:
        return self.ctl.storage_reason()

    def _on_storage(self, change: dict[str, Any]) -> None:
        if not self._syncing:
            self.set_storage(change["new"])

    # -- time --------------------------------------------------------------------------------------

    @_safe
    def goto(self, step: int) -> bool:
        """Move along the tape to the world after ``step`` steps (back or forward)."""
        outcome = self.ctl.goto(step)
        if not outcome.ok:
            self.refresh()
        return self._show(outcome)

    @_safe
    def undo(self) -> bool:
        """Go back one step (the tape keeps it: Step forward redoes it)."""
        return self._show(self.ctl.undo())

    @_safe
    def forward(self) -> bool:
        """Take the next step on the tape."""
        return self._show(self.ctl.forward())

    def _on_timeline(self, change: dict[str, Any]) -> None:
        if not self._syncing and change["new"] != self.step:
            self.goto(change["new"])

    @_safe
    def auto_step(self) -> bool:
        """One step of Play: the next step on the tape, else the seeded scheduler's pick."""
        return self._show(self.ctl.auto_step())

    def _on_play(self, change: dict[str, Any]) -> None:
        if self._syncing or change["new"] <= (change["old"] or 0):
            return
        if not self.auto_step():
            self.play.playing = False

    @_safe
    def reset(self) -> bool:
        """Back to where the stepper started (its first simulation, variant and steps)."""
        self.play.playing = False
        return self._show(self.ctl.reset())

    # -- loading and exporting ------------------------------------------------------------------

    @_safe
    def load(self, trace: Trace, step: int = 0) -> bool:
        """Step through ``trace``: its steps go on the tape and the stepper moves to ``step``."""
        self.play.playing = False
        outcome = self.ctl.load(trace, step)
        self._install()
        return self._show(outcome, redraw=False)

    @_safe
    def load_json(self, text: str) -> bool:
        """Load a trace from ``Trace.to_json()`` text."""
        return bool(self.load(Trace.from_json(text)))

    def to_json(self) -> str:
        """The run so far as JSON (``Trace.from_json`` reads it back)."""
        return self.sim.trace.to_json(indent=1)

    def to_pytest(self, name: str | None = None) -> str:
        """A pytest module that replays the run so far and checks its properties."""
        return trace_to_pytest(self.sim.trace, name)

    @_safe
    def show_json(self) -> None:
        self.export_area.value = self.to_json()
        self._say("The run as JSON is below; Trace.from_json reads it back.")

    @_safe
    def show_pytest(self) -> None:
        self.export_area.value = self.to_pytest()
        self._say("A pytest test that replays this run is below; save it under tests/.")

    # -- showing ---------------------------------------------------------------------------------

    def _say(self, text: str, error: bool = False) -> None:
        colour = "#a31500" if error else "#333333"
        self.note.value = (f'<span style="color:{colour}" class="{"error" if error else "info"}">'
                           f"{html.escape(text, quote=False)}</span>")

    def refresh(self) -> None:
        """Redraw the pictures, table and status, and enable exactly the possible actions."""
        h = self._history
        self.graph_view.update(h)
        self.graph_image.value = png_bytes(self.graph_figure)
        self.chart_view.update(h)
        self.chart_image.value = png_bytes(self.chart_figure)
        self.table.value = state_table(self.sim)
        self.status.value = status_html(self.sim)
        self._sync_controls()

    def _sync_controls(self) -> None:
        world = self.sim.world
        self._syncing = True
        try:
            previous = self.selected
            choices: list[Message] = []
            for m in world.inflight:
                if not choices or choices[-1] != m:
                    choices.append(m)
            self._choices = choices
            options = []
            for i, m in enumerate(choices):
                text = str(m)
                copies = world.copies(m)
                if copies > 1:
                    text += f"  \u00d7{copies}"
                if m.dst in world.crashed:
                    text += f"  ({m.dst} is down)"
                elif not world.can_reach(m.src, m.dst):
                    text += "  (cut off)"
                options.append((text, i))
            self.messages.options = options
            if choices:
                keep = choices.index(previous) if previous in choices else None
                if keep is None:
                    deliverable = [i for i, m in enumerate(choices) if world.deliverable(m)]
                    keep = deliverable[0] if deliverable else 0
                self.messages.value = keep
            for n, b in self.node_buttons.items():
                down = n in world.crashed
                b.description = f"recover {n}" if down else f"crash {n}"
                b.button_style = "success" if down else "danger"
                b.tooltip = f"{n} is down: recover it" if down else f"crash {n}"
            self.partition_button.disabled = world.partition is not None
            self.partition_button.tooltip = (
                "the network is already partitioned; heal it first"
                if world.partition is not None else "split the network")
            self.partition_choice.disabled = world.partition is not None
            reason = why_not(world, Heal())
            self.heal_button.disabled = reason is not None
            self.heal_button.tooltip = reason or "heal the partition"
            self.random_button.disabled = not any(world.deliverable(m) for m in choices)
            self.random_button.tooltip = (
                "deliver a random deliverable message" if not self.random_button.disabled
                else "nothing can be delivered now")
            self.undo_button.disabled = self.step == 0
            self.forward_button.disabled = self.step >= len(self._tape)
            self.forward_button.tooltip = (
                f"next on the tape: {self._tape[self.step]}" if self.step < len(self._tape)
                else "at the end of the tape")
            self.timeline.max = len(self._tape)
            self.timeline.value = self.step
            self.storage_switch.disabled = self._storage_reason() is not None
            self._sync_storage()
        finally:
            self._syncing = False
        self._sync_message_buttons()
        self._sync_proposer_buttons()

    def _sync_storage(self) -> None:
        was = self._syncing
        self._syncing = True
        try:
            self.storage_switch.value = self.storage
        finally:
            self._syncing = was

    def _sync_message_buttons(self) -> None:
        m = self.selected
        world = self.sim.world
        for button, cls in ((self.deliver_button, Deliver), (self.drop_button, Drop),
                            (self.duplicate_button, Duplicate)):
            reason = "nothing is in flight" if m is None else why_not(world, cls(m))
            button.disabled = reason is not None
            button.tooltip = reason or f"{cls.KIND} {m}"

    def _sync_proposer_buttons(self) -> None:
        world = self.sim.world
        p = self.proposer.value
        v = self.value.value.strip()
        if p is None:
            reasons = ("no proposer", "no proposer")
        else:
            propose = ("type a value to propose" if not v
                       else why_not(world, Propose(p, v)))
            reasons = (propose, why_not(world, Timeout(p)))
        for button, reason, ok in ((self.propose_button, reasons[0], f"{p} proposes {v!r}"),
                                   (self.timeout_button, reasons[1], f"fire {p}'s retry timer")):
            button.disabled = reason is not None
            button.tooltip = reason or ok
