"""Turn a recorded run into a pytest test that replays it and checks the properties.

Theory of operation
-------------------
A run clicked through in the stepper is a ``Trace`` (or, for an order log, a Multi-Paxos
``ReplicaTrace``): plain data.  ``trace_to_pytest`` writes a
self-contained test module around it: the trace as a Python literal (``Trace.to_dict()``, so
no quoting can break it), a test that replays it through the engine with ``px.replay`` -- which
fails, naming the step, if the protocol no longer allows a step -- and assertions that pin what
was observed when it was recorded: whether each safety property held, what was chosen, what
each learner learned (for an order log: each replica's applied commands and order states).
A run that found a bug keeps finding it; a run that was safe stays safe.

This module needs only the core; it lives here because the stepper is its main user.
"""

from __future__ import annotations

import pprint
import re

from paxos_lib.errors import ConfigError
from paxos_lib.multipaxos.simulation import replay_orders
from paxos_lib.multipaxos.trace import ReplicaTrace
from paxos_lib.simulation import replay
from paxos_lib.trace import Trace

__all__ = ["trace_to_pytest"]


def _test_name(name: str) -> str:
    cleaned = re.sub(r"\W+", "_", name).strip("_").lower() or "replayed_run"
    return cleaned if cleaned.startswith("test_") else f"test_{cleaned}"


def trace_to_pytest(trace: Trace | ReplicaTrace, name: str | None = None) -> str:
    """The source of a pytest module that replays ``trace`` and checks what it showed.

    ``trace`` is a single-decree ``Trace`` or a Multi-Paxos ``ReplicaTrace``."""
    if isinstance(trace, ReplicaTrace):
        return _replica_trace_to_pytest(trace, name)
    if not isinstance(trace, Trace):
        raise ConfigError(
            "a run exports as a test from a paxos_lib.Trace (single decree) or a "
            f"multipaxos.ReplicaTrace (an order log), got {type(trace).__name__}"
        )
    sim = replay(trace.cluster, trace)
    verdicts = sim.check()
    test = _test_name(name or f"stepper_{trace.variant}_{len(trace)}_steps")
    literal = pprint.pformat(trace.to_dict(), indent=1, width=96, sort_dicts=False)
    lines = [
        f'"""A run recorded in the paxos_lib stepper: {len(trace)} steps of '
        f"{trace.variant} Paxos on {trace.cluster}.",
        "",
        "Replaying it checks that every step can still happen and that each safety property",
        'comes out as it did when the run was recorded."""',
        "",
        "import paxos_lib as px",
        "",
        f"TRACE = {literal}",
        "",
        "",
        f"def {test}() -> None:",
        "    trace = px.Trace.from_dict(TRACE)",
        "    sim = px.replay(trace.cluster, trace)",
        "    verdicts = {v.name: v for v in sim.check()}",
    ]
    for v in verdicts:
        lines.append(
            f"    assert verdicts[{v.name!r}].holds is {v.holds}, "
            f"verdicts[{v.name!r}].explanation"
        )
    lines.append(f"    assert sorted(sim.chosen()) == {sorted(sim.chosen())!r}")
    lines.append(f"    assert sim.learned() == {sim.learned()!r}")
    return "\n".join(lines) + "\n"


def _replica_trace_to_pytest(trace: ReplicaTrace, name: str | None) -> str:
    """The Multi-Paxos form: replay with ``replay_orders``, pin every safety property, each
    replica's applied log and its order states."""
    sim = replay_orders(trace)
    replicas = trace.cluster.replica_ids
    test = _test_name(name or f"orders_{trace.variant}_{len(trace)}_steps")
    literal = pprint.pformat(trace.to_dict(), indent=1, width=96, sort_dicts=False)
    applied = {r: list(sim.applied(r)) for r in replicas}
    states = {r: sim.order_states(r) for r in replicas}
    lines = [
        f'"""A run recorded in the paxos_lib stepper: {len(trace)} steps of '
        f"{trace.variant} Multi-Paxos on {trace.cluster}.",
        "",
        "Replaying it checks that every step can still happen, that each safety property",
        "comes out as it did when the run was recorded, and that every replica applied the",
        'same commands and holds the same order states as then."""',
        "",
        "from paxos_lib.multipaxos import ReplicaTrace, replay_orders",
        "",
        f"TRACE = {literal}",
        f"APPLIED = {pprint.pformat(applied, indent=1, width=96, sort_dicts=False)}",
        f"ORDER_STATES = {pprint.pformat(states, indent=1, width=96, sort_dicts=False)}",
        "",
        "",
        f"def {test}() -> None:",
        "    trace = ReplicaTrace.from_dict(TRACE)",
        "    sim = replay_orders(trace)",
        "    verdicts = {v.name: v for v in sim.check()}",
    ]
    for v in sim.check():
        lines.append(
            f"    assert verdicts[{v.name!r}].holds is {v.holds}, "
            f"verdicts[{v.name!r}].explanation"
        )
    lines.append("    for replica, log in APPLIED.items():")
    lines.append("        assert list(sim.applied(replica)) == log, replica")
    lines.append("        assert sim.order_states(replica) == ORDER_STATES[replica], replica")
    return "\n".join(lines) + "\n"
