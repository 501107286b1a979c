"""The browser-drawn cluster view: graph, space-time diagram and controls on one screen.

Theory of operation
-------------------
``ClusterView(sim)`` is an ``anywidget`` widget.  Python owns every decision; the browser
only draws and forwards clicks:

1. **Python → browser.**  After each step the widget sets one synced trait, ``view``: the
   ``view_model`` of the run (``viewmodel.py``: nodes, copies in flight, last step,
   partition, verdicts, chosen and learned, timeline) plus ``controls``, which says for every
   control whether the engine allows it now and, if not, the engine's own reason (from
   ``why_not``), and ``note``, the line saying what the last click did.
2. **Browser → Python.**  A click sends a small custom message (``{"do": "deliver",
   "id": 7}``); ``_on_msg`` turns it into a call on the shared ``Controller``
   (``controller.py``: one door through ``why_not``, the tape, undo, play, reset, the storage
   switch), which the matplotlib ``Stepper`` uses too.  Nothing in the JavaScript knows a
   protocol rule: it greys a button because ``controls`` gave a reason, and shows the reason.
3. **Drawing** (``static/clusterview.js`` and ``.css``, plain ES module and CSS shipped in the
   package: no build step, no network import).  Nodes and message tokens are SVG elements
   that persist across steps, keyed by node id and message-copy id, so a delivered token
   moves along its edge and a dropped one fades by CSS transitions; the space-time diagram
   is redrawn from the timeline, its labels placed apart or shortened (full text on hover).
   Colours come from JupyterLab's theme variables; message kinds carry their paper name
   (1a, 1b, 2a, 2b) as text, so no meaning rests on colour alone.

Play runs in the browser: a timer sends ``{"do": "auto"}`` (the next step on the tape, else
the seeded scheduler's pick) at the chosen pace, one request at a time, and stops when the
answer says nothing more can happen.

A ``Trace`` whose run breaks a safety property (an explorer's counterexample) opens at its
last step, the violation in red naming the witnesses; "Replay from the start" goes back to
step 0 with the whole run still on the tape, and Play walks it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from paxos_lib.actions import Crash, Deliver, Drop, Duplicate, Heal, Propose, Recover, Timeout
from paxos_lib.engine import why_not
from paxos_lib.errors import ConfigError, PaxosError
from paxos_lib.messages import Message
from paxos_lib.simulation import Faults, Simulation
from paxos_lib.trace import TraceMethods
from paxos_lib.viz.controller import Controller, Outcome
from paxos_lib.viz.viewmodel import view_model

__all__ = ["ClusterView", "controls"]

_STATIC = Path(__file__).parent / "static"

#: How many steps the space-time diagram shows.
WINDOW = 16


def controls(ctl: Controller, value: str) -> dict[str, Any]:
    """Which controls the engine allows now, each with the engine's reason when it does not
    (None: allowed).  ``value`` is the value a Propose button would send."""
    world = ctl.sim.world
    h = ctl.history
    messages = {}
    for c in h.inflight():
        m = c.message
        messages[str(c.id)] = {
            "deliver": why_not(world, Deliver(m)),
            "drop": why_not(world, Drop(m)),
            "duplicate": why_not(world, Duplicate(m)),
        }
    proposers = []
    for p in ctl.sim.cluster.proposer_ids:
        propose = "type a value to propose" if not value.strip() else why_not(
            world, Propose(p, value.strip()))
        proposers.append({"id": p, "propose": propose, "timeout": why_not(world, Timeout(p))})
    nodes = {}
    for n in ctl.sim.cluster.node_ids:
        down = n in world.crashed
        action = Recover(n) if down else Crash(n)
        nodes[n] = {"action": "recover" if down else "crash", "why": why_not(world, action)}
    step, length = ctl.step, len(ctl.tape)
    partitioned = world.partition is not None
    return {
        "step": step,
        "tape": length,
        "next": str(ctl.tape[step]) if step < length else None,
        "undo": None if step > 0 else "nothing to undo: this is step 0",
        "forward": None if step < length else "at the end of the tape",
        "random": None if ctl.deliverable() else "nothing can be delivered now",
        "messages": messages,
        "proposers": proposers,
        "value": value,
        "nodes": nodes,
        "partitions": [
            {"index": i, "text": " | ".join(",".join(g) for g in p.groups),
             "why": why_not(world, p)}
            for i, p in enumerate(ctl.partitions())
        ],
        "partitioned": partitioned,
        "heal": why_not(world, Heal()),
        "storage": {"value": ctl.storage, "why": ctl.storage_reason()},
    }


class ClusterView(anywidget.AnyWidget):
    """Step a Simulation (or an explorer's Trace) by hand in the browser.

    ``ClusterView(sim)`` drives ``sim`` itself; ``ClusterView(trace)`` opens a trace at its
    last step when that step breaks a safety property (else at step 0).  ``runs=`` offers
    several traces (for example every counterexample the checker found) in a chooser.
    Every control has a method for scripts and tests (``deliver``, ``undo``, ``play_step`` …),
    all through the same ``Controller`` as the buttons.
    """

    _esm = _STATIC / "clusterview.js"
    _css = _STATIC / "clusterview.css"

    view = traitlets.Dict().tag(sync=True)

    def __init__(
        self,
        source: Simulation | TraceMethods,
        *,
        runs: Mapping[str, TraceMethods] | None = None,
        faults: Faults | None = None,
        window: int = WINDOW,
        interval: int = 700,
        value: str = "confirmed",
        at: int | None = None,
    ) -> None:
        super().__init__()
        if isinstance(window, bool) or not isinstance(window, int) or not 4 <= window <= 60:
            raise ConfigError(f"window must be an int from 4 to 60 (steps shown), got {window!r}")
        if isinstance(interval, bool) or not isinstance(interval, int) or not (
                50 <= interval <= 5000):
            raise ConfigError(f"interval must be an int from 50 to 5000 (ms per step of "
                              f"Play), got {interval!r}")
        if not isinstance(value, str):
            raise ConfigError(f"value must be a string such as 'confirmed', got {value!r}")
        self.runs: dict[str, TraceMethods] = {}
        if runs is not None:
            if not isinstance(runs, Mapping) or not all(
                    isinstance(k, str) and isinstance(t, TraceMethods) for k, t in runs.items()):
                raise ConfigError("runs must map names to Traces, such as "
                                  f"{{'snippet': trace}}, got {runs!r}")
            self.runs = dict(runs)
        self.window = window
        self.interval = interval
        self.value = value
        self.last_error: Exception | None = None
        self._rev = 0
        self._t0 = time.perf_counter()
        self._run_name: str | None = None
        self.ctl = Controller(source, faults=faults, owner="ClusterView")
        if isinstance(source, TraceMethods):
            outcome = self._open(source, at)
        else:
            outcome = Outcome(True, "Click a message to select it, double-click it to "
                                    "deliver it; ← and → step back and forth.")
        if self.runs and self._run_name is None:
            self._run_name = next(iter(self.runs))
        self.on_msg(self._on_msg)
        self._publish(outcome)

    # -- reading -------------------------------------------------------------------------------

    @property
    def sim(self) -> Simulation:
        """The simulation being driven."""
        return self.ctl.sim

    @property
    def step(self) -> int:
        return self.ctl.step

    @property
    def note(self) -> str:
        """What the last action did, or why it could not."""
        return str(self.view.get("note", {}).get("text", ""))

    def message(self, copy_id: int) -> Message:
        """The message of the in-flight copy ``copy_id`` (the token's id)."""
        for c in self.ctl.history.inflight():
            if c.id == copy_id:
                return c.message
        flying = ", ".join(f"{c.id}: {c.message}" for c in self.ctl.history.inflight())
        raise ConfigError(f"no message copy {copy_id!r} is in flight; in flight: "
                          f"{flying or 'nothing'}")

    def __repr__(self) -> str:
        return (f"ClusterView({self.sim.cluster}, variant {self.sim.variant}, "
                f"step {self.step} of {len(self.ctl.tape)})")

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, tuple):
            data, meta = bundle
        elif isinstance(bundle, dict):
            data, meta = bundle, {}
        else:
            return bundle
        data = dict(data)
        data["text/plain"] = repr(self)
        return data, meta

    # -- opening runs --------------------------------------------------------------------------

    def _open(self, trace: TraceMethods, at: int | None) -> Outcome:
        """Load ``trace``: at ``at``, else at its violation (the last step) when it breaks a
        safety property, else at step 0."""
        for name, t in self.runs.items():
            if t is trace:
                self._run_name = name
        if at is not None:
            return self.ctl.load(trace, at)
        self.ctl.load(trace, -1)
        broken = [v for v in self.ctl.sim.check() if not v.holds]
        if broken:
            names = ", ".join(v.name for v in broken)
            return Outcome(True, f"This run breaks {names} at step {self.step}: see the red "
                                 "verdict. Press ⟲ Replay from the start, then ▶ Play.")
        self.ctl.goto(0)
        return Outcome(True, f"Loaded a run of {len(trace.steps)} steps; press Step ▶ or "
                             "▶ Play to go through it.")

    def open_run(self, name: str) -> bool:
        """Show the run called ``name`` in ``runs`` (at its violation, if it has one)."""
        if name not in self.runs:
            raise ConfigError(f"no run called {name!r}; runs: {', '.join(self.runs) or 'none'}")
        self._run_name = name
        return self._publish(self._open(self.runs[name], None))

    # -- the controls (each ends in the controller) ---------------------------------------------

    def deliver(self, copy_id: int) -> bool:
        return self._publish(self.ctl.deliver(self.message(copy_id)))

    def drop(self, copy_id: int) -> bool:
        return self._publish(self.ctl.drop(self.message(copy_id)))

    def duplicate(self, copy_id: int) -> bool:
        return self._publish(self.ctl.duplicate(self.message(copy_id)))

    def deliver_random(self) -> bool:
        return self._publish(self.ctl.deliver_random())

    def propose(self, proposer: str, value: str | None = None) -> bool:
        v = self.value if value is None else value
        if not isinstance(v, str) or not v.strip():
            raise ConfigError(f"type a value to propose, such as 'confirmed'; got {v!r}")
        self.value = v.strip()
        return self._publish(self.ctl.propose(proposer, self.value))

    def timeout(self, proposer: str) -> bool:
        return self._publish(self.ctl.timeout(proposer))

    def crash_or_recover(self, node: str) -> bool:
        return self._publish(self.ctl.crash_or_recover(node))

    def partition(self, index: int) -> bool:
        parts = self.ctl.partitions()
        if isinstance(index, bool) or not isinstance(index, int) or not (
                0 <= index < len(parts)):
            raise ConfigError(f"partition index must be an int from 0 to {len(parts) - 1}, "
                              f"got {index!r}")
        return self._publish(self.ctl.do(parts[index]))

    def heal(self) -> bool:
        return self._publish(self.ctl.heal())

    def undo(self) -> bool:
        return self._publish(self.ctl.undo(), animate=False)

    def forward(self) -> bool:
        return self._publish(self.ctl.forward())

    def goto(self, step: int) -> bool:
        return self._publish(self.ctl.goto(step), animate=False)

    def play_step(self) -> bool:
        """One tick of Play: the next step on the tape, else the seeded scheduler's pick."""
        return self._publish(self.ctl.auto_step())

    def replay(self) -> bool:
        """Back to step 0 with the run kept on the tape (Play or Step ▶ walk it again)."""
        outcome = self.ctl.goto(0)
        return self._publish(Outcome(outcome.ok, "Back at step 0; the run is still on the "
                                     "tape: press ▶ Play or Step ▶."), animate=False)

    def reset(self) -> bool:
        return self._publish(self.ctl.reset(), animate=False)

    def set_storage(self, storage: str) -> bool:
        return self._publish(self.ctl.set_storage(storage), animate=False)

    # -- plumbing ------------------------------------------------------------------------------

    def _publish(self, outcome: Outcome, animate: bool = True,
                 reply: Any = None) -> bool:
        """Send the new view (and the note) to the browser; return whether it happened."""
        sim = self.ctl.sim
        vm = view_model(self.ctl.history, window=self.window, verdicts=sim.check(),
                        learned=sim.learned())
        chosen_fn = getattr(sim, "chosen_slots", None)
        if callable(chosen_fn) and not vm["chosen"]:
            vm["chosen"] = [{"step": None, "value": ", ".join(sorted(v)), "ballot": f"slot {s}",
                             "acceptors": [], "violation": len(v) > 1}
                            for s, v in chosen_fn().items()]
        self._rev += 1
        vm["rev"] = self._rev
        vm["animate"] = animate and outcome.ok
        vm["note"] = {"text": outcome.text, "error": outcome.error, "ok": outcome.ok,
                      "reply": reply}
        vm["controls"] = controls(self.ctl, self.value)
        vm["interval"] = self.interval
        vm["runs"] = {"names": list(self.runs), "current": self._run_name}
        vm["kernel_ms"] = round((time.perf_counter() - self._t0) * 1000, 2)
        self.view = vm
        return outcome.ok

    def _on_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        """A click in the browser: ``{"do": name, ...}``.  Never raises into the kernel: an
        error is shown in the note line."""
        reply = content.get("req") if isinstance(content, dict) else None
        self._t0 = time.perf_counter()
        try:
            self._handle(content, reply)
        except Exception as exc:  # a widget callback must never raise into the notebook
            self.last_error = exc
            kind = "" if isinstance(exc, PaxosError) else f"{type(exc).__name__}: "
            self._publish(Outcome(False, f"{kind}{exc}", error=True), reply=reply)

    def _handle(self, content: Any, reply: Any) -> None:
        if not isinstance(content, dict) or not isinstance(content.get("do"), str):
            raise ConfigError(f"a control message needs a 'do' name, got {content!r}")
        do = content["do"]
        ctl = self.ctl
        outcome: Outcome
        animate = True
        if do in ("deliver", "drop", "duplicate"):
            m = self.message(int(content.get("id", -1)))
            outcome = getattr(ctl, do)(m)
        elif do == "random":
            outcome = ctl.deliver_random()
        elif do == "propose":
            value = str(content.get("value", "")).strip()
            if not value:
                raise ConfigError("type a value to propose, such as 'confirmed'")
            self.value = value
            outcome = ctl.propose(str(content.get("node")), value)
        elif do == "value":
            self.value = str(content.get("value", ""))
            outcome = Outcome(True, f"value to propose: {self.value!r}")
            animate = False
        elif do == "timeout":
            outcome = ctl.timeout(str(content.get("node")))
        elif do == "node":
            outcome = ctl.crash_or_recover(str(content.get("node")))
        elif do == "partition":
            parts = ctl.partitions()
            i = content.get("index")
            if not isinstance(i, int) or not 0 <= i < len(parts):
                raise ConfigError(f"partition index must be from 0 to {len(parts) - 1}, "
                                  f"got {i!r}")
            outcome = ctl.do(parts[i])
        elif do == "heal":
            outcome = ctl.heal()
        elif do == "undo":
            outcome, animate = ctl.undo(), False
        elif do == "forward":
            outcome = ctl.forward()
        elif do == "auto":
            outcome = ctl.auto_step()
        elif do == "goto":
            outcome, animate = ctl.goto(int(content.get("step", -1))), False
        elif do == "replay":
            self.replay()
            return
        elif do == "reset":
            outcome, animate = ctl.reset(), False
        elif do == "storage":
            outcome, animate = ctl.set_storage(str(content.get("value"))), False
        elif do == "run":
            name = str(content.get("name"))
            if name not in self.runs:
                raise ConfigError(f"no run called {name!r}; runs: {', '.join(self.runs)}")
            self._run_name = name
            outcome, animate = self._open(self.runs[name], None), False
        else:
            raise ConfigError(
                f"unknown control {do!r}; controls: deliver, drop, duplicate, random, "
                "propose, value, timeout, node, partition, heal, undo, forward, auto, goto, "
                "replay, reset, storage, run")
        self._publish(outcome, animate=animate, reply=reply)
