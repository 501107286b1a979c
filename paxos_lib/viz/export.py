"""Turn a recorded run into a pytest test that replays it and checks the properties.

Theory of operation
-------------------
A run clicked through in the stepper is a ``Trace``: plain data.  ``trace_to_pytest`` writes a
self-contained test module around it: the trace as a Python literal (``Trace.to_dict()``, so
no quoting can break it), a test that replays it through the engine with ``px.replay`` -- which
fails, naming the step, if the protocol no longer allows a step -- and assertions that pin what
was observed when it was recorded: whether each safety property held, what was chosen, what
each learner learned.  A run that found a bug keeps finding it; a run that was safe stays safe.

This module needs only the core; it lives here because the stepper is its main user.
"""

from __future__ import annotations

import pprint
import re

from paxos_lib.errors import ConfigError
from paxos_lib.simulation import replay
from paxos_lib.trace import Trace

__all__ = ["trace_to_pytest"]


def _test_name(name: str) -> str:
    cleaned = re.sub(r"\W+", "_", name).strip("_").lower() or "replayed_run"
    return cleaned if cleaned.startswith("test_") else f"test_{cleaned}"


def trace_to_pytest(trace: Trace, name: str | None = None) -> str:
    """The source of a pytest module that replays ``trace`` and checks what it showed."""
    if not isinstance(trace, Trace):
        raise ConfigError(
            f"only single-decree runs (a paxos_lib.Trace) export as a test, "
            f"got {type(trace).__name__}"
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
