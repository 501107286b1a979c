"""The stepping logic shared by every stepper view: one door to the engine, a tape, undo, play.

Theory of operation
-------------------
``Controller(sim)`` drives a ``Simulation`` (or an ``OrdersSimulation``) by hand.  It knows
nothing about widgets: each method returns an ``Outcome`` -- did it happen, and one line
saying what happened or why not -- and the view (the matplotlib ``Stepper`` or the browser
``ClusterView``) shows that line and redraws.

- **The one door.**  ``do(action)`` asks the engine ``why_not`` first; an impossible action
  comes back as ``Outcome(False, "Cannot …: <the engine's reason>")`` and changes nothing.
  Every other method (deliver, crash, undo, play …) ends in ``do`` or moves along the tape.
- **The tape** is the furthest run seen.  ``goto``/``undo`` move back along it without
  forgetting it, ``forward`` takes its next step, and a different action at an earlier step
  cuts it there.  ``load(trace)`` puts a trace's steps on the tape; ``auto_step`` (one tick
  of Play) follows the tape while there is one, then lets the seeded scheduler pick.
- **History.**  ``history`` (``history.py``) grows with each step and is rebuilt after a move
  back, so views can draw every message copy without replaying the run.
- **Storage switch.**  ``set_storage("durable" | "volatile")`` replays the run under
  ``classic`` or ``amnesiac-acceptor`` (the variants differ only in what an acceptor keeps
  through a crash) as far as its steps can still happen, and keeps the tape: switching back
  replays the steps the other variant could not take, so the switch goes both ways.

This module imports only the core (never matplotlib, networkx or ipywidgets).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from paxos_lib.actions import (
    Action,
    Crash,
    Deliver,
    Drop,
    Duplicate,
    Heal,
    Partition,
    Propose,
    Recover,
    Timeout,
)
from paxos_lib.engine import enabled_actions, listed_partitions, why_not
from paxos_lib.errors import ConfigError
from paxos_lib.messages import Message
from paxos_lib.simulation import Faults, Simulation
from paxos_lib.trace import Trace, TraceMethods
from paxos_lib.viz.history import History

__all__ = ["STORAGE_VARIANTS", "Controller", "Outcome"]

#: The variants the storage switch moves between.
STORAGE_VARIANTS = {"durable": "classic", "volatile": "amnesiac-acceptor"}


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a control did: ``ok`` (it happened) and ``text`` (what, or why not)."""

    ok: bool
    text: str
    error: bool = False

    def __bool__(self) -> bool:
        return self.ok


def _fail(text: str) -> Outcome:
    return Outcome(False, text, error=True)


class Controller:
    """Drive a simulation by hand through the engine's ``why_not`` (see the module docstring).

    ``Controller(sim)`` starts at ``sim``'s current step (Reset returns there); a ``Trace``
    starts at step 0 with the trace's steps on the tape.
    """

    def __init__(self, sim: Simulation | TraceMethods, *, faults: Faults | None = None,
                 owner: str = "Stepper") -> None:
        if faults is not None and not isinstance(faults, Faults):
            raise ConfigError(f"faults must be a Faults(...) or None, got {faults!r}")
        self.faults = faults if faults is not None else Faults(recover=0.0, heal=0.0)
        self._wanted: int | None = None
        if isinstance(sim, TraceMethods):
            self.sim = self.sim_for(sim)
            self.install(self.sim, tape=sim.steps, start=())
        elif isinstance(sim, Simulation):
            self.sim = sim
            self.install(sim, tape=sim.steps, start=sim.steps)
        else:
            raise ConfigError(
                f"{owner} needs a Simulation or a Trace, got {type(sim).__name__}"
            )

    # -- reading -------------------------------------------------------------------------------

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
        rules = self.sim.world.config.rules
        return "durable" if getattr(rules, "acceptor_storage_durable", True) else "volatile"

    def storage_reason(self) -> str | None:
        """Why the storage switch cannot be used on this run, or None."""
        if type(self.sim) is not Simulation:
            return "the storage switch is for single-decree Paxos simulations"
        if self.sim.variant not in STORAGE_VARIANTS.values():
            return (f"the storage switch moves between classic and amnesiac-acceptor; this run "
                    f"uses {self.sim.variant}")
        return None

    def partitions(self) -> tuple[Partition, ...]:
        """The engine's listed partitions for this cluster (what a view offers)."""
        return listed_partitions(self.sim.cluster)

    def deliverable(self) -> list[Message]:
        """The messages that can be delivered now, in the engine's order."""
        return [a.message for a in enabled_actions(self.sim.world) if isinstance(a, Deliver)]

    # -- installing ----------------------------------------------------------------------------

    def sim_for(self, trace: Any, variant: str | None = None) -> Simulation:
        """A fresh simulation for ``trace``'s cluster (at step 0)."""
        seed = 0 if getattr(trace, "seed", None) is None else trace.seed
        variant = trace.variant if variant is None else variant
        if isinstance(trace, Trace):
            return Simulation(trace.cluster, seed=seed, variant=variant, network=trace.network)
        if not isinstance(trace, TraceMethods):
            cls: type[Simulation] = type(self.sim)
        else:  # a Multi-Paxos ReplicaTrace, or another protocol's (its cluster names its sim)
            from paxos_lib.multipaxos import OrdersSimulation

            cls = getattr(trace.cluster, "simulation_class", OrdersSimulation)
        return cls(trace.cluster, seed=seed, variant=variant, network=trace.network)

    def install(self, sim: Simulation, tape: Iterable[Action], start: Iterable[Action]) -> None:
        """Drive ``sim`` from now on; ``tape`` is the run to step along, ``start`` what Reset
        returns to."""
        self.sim = sim
        self._origin = sim
        self._start = tuple(start)
        self._tape = list(tape)
        self._wanted = None
        self.rng = random.Random(sim.seed)
        self.history = History(sim.worlds, sim.steps)

    # -- the one door ----------------------------------------------------------------------------

    def do(self, action: Action) -> Outcome:
        """Take ``action`` if the engine allows it; else say why not and change nothing."""
        reason = why_not(self.sim.world, action)
        if reason is not None:
            return _fail(f"Cannot {action}: {reason}")
        pos = self.step
        ahead = len(self._tape) - pos
        on_tape = ahead > 0 and self._tape[pos] == action
        world = self.sim.apply(action)
        if not on_tape:
            self._tape = list(self.sim.steps)
        self._wanted = None
        self.history.extend(action, world)
        cut = "" if on_tape or ahead == 0 else (
            f"  (a new branch: the {ahead} step(s) that followed on the tape are gone)")
        return Outcome(True, f"step {self.step}: {action}{cut}")

    def deliver(self, message: Message) -> Outcome:
        return self.do(Deliver(message))

    def drop(self, message: Message) -> Outcome:
        return self.do(Drop(message))

    def duplicate(self, message: Message) -> Outcome:
        return self.do(Duplicate(message))

    def deliver_random(self) -> Outcome:
        """Deliver a deliverable message picked by the controller's seeded generator."""
        choices = self.deliverable()
        if not choices:
            return _fail("Nothing can be delivered now.")
        return self.do(Deliver(self.rng.choice(choices)))

    def propose(self, proposer: str, value: str) -> Outcome:
        return self.do(Propose(proposer, value))

    def timeout(self, proposer: str) -> Outcome:
        return self.do(Timeout(proposer))

    def crash_or_recover(self, node: str) -> Outcome:
        """Crash ``node`` if it is up, recover it if it is down."""
        if node in self.sim.world.crashed:
            return self.do(Recover(node))
        return self.do(Crash(node))

    def partition(self, groups: Iterable[Iterable[str]]) -> Outcome:
        return self.do(Partition(tuple(tuple(g) for g in groups)))

    def heal(self) -> Outcome:
        return self.do(Heal())

    # -- time ------------------------------------------------------------------------------------

    def goto(self, step: int) -> Outcome:
        """Move along the tape to the world after ``step`` steps (back or forward)."""
        if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= len(self._tape):
            raise ConfigError(f"step must be an int from 0 to {len(self._tape)}, got {step!r}")
        now = self.step
        if step < now:
            self.sim.rewind(step)
            self.history = History(self.sim.worlds, self.sim.steps)
        else:
            for action in self._tape[now:step]:
                reason = why_not(self.sim.world, action)
                if reason is not None:
                    return _fail(f"Cannot {action}: {reason}")
                world = self.sim.apply(action)
                self.history.extend(action, world)
        self._wanted = None
        return Outcome(True, f"at step {step} of {len(self._tape)}")

    def undo(self) -> Outcome:
        """Go back one step (the tape keeps it: ``forward`` redoes it)."""
        if self.step == 0:
            return _fail("Nothing to undo.")
        return self.goto(self.step - 1)

    def forward(self) -> Outcome:
        """Take the next step on the tape."""
        if self.step >= len(self._tape):
            return _fail("At the end of the tape: take any action to go on.")
        return self.do(self._tape[self.step])

    def auto_step(self) -> Outcome:
        """One tick of Play: the next step on the tape, else the seeded scheduler's pick."""
        if self.step < len(self._tape):
            return self.forward()
        action = self.sim.next_random_action(self.faults)
        if action is None:
            return Outcome(False, "Nothing more can happen: the run is quiet.")
        return self.do(action)

    def reset(self) -> Outcome:
        """Back to where the controller started (its first simulation, variant and steps)."""
        sim = self._origin
        sim.rewind(0)
        for action in self._start:
            sim.apply(action)
        self.sim = sim
        self._tape = list(self._start)
        self._wanted = None
        self.rng = random.Random(sim.seed)
        self.history = History(sim.worlds, sim.steps)
        return Outcome(True, "Reset.")

    # -- loading ---------------------------------------------------------------------------------

    def load(self, trace: TraceMethods, step: int = 0) -> Outcome:
        """Step through ``trace``: its steps go on the tape and the controller moves to
        ``step`` (``-1``: the last step)."""
        if not hasattr(trace, "steps") or not hasattr(trace, "cluster"):
            raise ConfigError(f"load needs a Trace, got {type(trace).__name__}")
        n = len(trace.steps)
        if step == -1:
            step = n
        if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= n:
            raise ConfigError(f"step must be an int from 0 to {n} (or -1: the last), "
                              f"got {step!r}")
        sim = self.sim_for(trace)
        self.install(sim, tape=trace.steps, start=())
        if step:
            done = self.goto(step)
            if not done:
                return done
        return Outcome(True, f"Loaded a {trace.variant} run of {n} steps; "
                             "press Step ▶ to go through it.")

    # -- storage ---------------------------------------------------------------------------------

    def set_storage(self, storage: str) -> Outcome:
        """Replay the run with ``durable`` or ``volatile`` acceptor storage and carry on.

        The tape is kept, so steps the other storage could not take are replayed when the
        switch goes back (without a Reset)."""
        if storage not in STORAGE_VARIANTS:
            raise ConfigError(f"storage is 'durable' or 'volatile', got {storage!r}")
        if storage == self.storage:
            return Outcome(True, f"Acceptor storage is already {storage}.")
        reason = self.storage_reason()
        if reason is not None:
            return _fail(reason)
        wanted = self.step if self._wanted is None else self._wanted
        steps = self._tape[:wanted]
        sim = self.sim_for(self.sim.trace, variant=STORAGE_VARIANTS[storage])
        stopped = ""
        for i, action in enumerate(steps, 1):
            why = sim.why_not(action)
            if why is not None:
                stopped = (f" Step {i} ({action}) cannot happen with {storage} storage "
                           f"({why}), so the run stops before it.")
                break
            sim.apply(action)
        tape = self._tape
        self.sim = sim
        self._tape = tape
        self._wanted = wanted
        self.history = History(sim.worlds, sim.steps)
        return Outcome(True, f"Replayed {len(sim.steps)} of {len(steps)} steps with {storage} "
                             f"acceptor storage ({sim.variant}).{stopped}")
