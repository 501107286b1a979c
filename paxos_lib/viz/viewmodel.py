"""The view model: a run at one step as a compact, JSON-able dict that a browser view draws.

Theory of operation
-------------------
``view_model(source)`` reads a run (a ``History``, or a Simulation or Trace, turned into one)
and returns plain dicts, lists, strings, numbers and booleans -- nothing a browser must
interpret by protocol rules.  Everything is computed from the engine:

- ``nodes``: id, role, position (``x``, ``y`` in 0..1, from a networkx layout: proposers,
  acceptors and learners in columns; Multi-Paxos replicas on a circle), ``up``, partition
  ``side``, ``timer``, a few state ``lines``, every state field with its ``durable`` and
  ``changed`` (by the last step) flags, what it ``learned``, and for a replica its ``log`` as
  slots (``accepted`` / ``committed`` / ``applied`` / ``gap``, ``noop`` marked);
- ``messages``: each copy in flight (``history.py``'s copy ids, stable across steps, so a view
  can move a token when its copy is delivered): kind, paper ``phase`` (1a, 1b, 2a, 2b), from,
  to, short ``label``, full ``text``, the step that sent it, and whether it is deliverable now
  (with the reason when not);
- ``last``: the last step (its text, action kind, the copy it acted on and how: delivered,
  dropped or duplicated, the copies it sent);
- ``partition`` (the groups, or None), ``verdicts`` (each safety property, holding or not,
  with its explanation naming the witnesses), ``chosen`` (value, ballot, acceptors, step: a
  fact about the system) apart from ``learned`` (each learner's knowledge);
- ``timeline``: the space-time diagram's material for the last ``window`` steps -- arrows
  (copy id, from, to, sent, ended, status, label), node events, chosen events, partitions.

A view adds its controls' state (which actions the engine allows and why not) with
``controls(...)`` from ``clusterview.py``; this module never imports ipywidgets or matplotlib
(networkx only computes positions).
"""

from __future__ import annotations

import functools
from dataclasses import fields, is_dataclass
from typing import Any

import networkx as nx

from paxos_lib.viz.history import INFLIGHT, History, describe_ballot, history_of
from paxos_lib.viz.table import _fmt_field, _verdicts

__all__ = ["PHASES", "layout", "view_model"]

#: The paper's name for each message kind (Lamport's 1a/1b/2a/2b), shown on tokens.
PHASES = {
    "prepare": "1a", "promise": "1b", "accept": "2a", "accepted": "2b",
    "nack": "nack", "decided": "dec",
    # Multi-Paxos's own kinds
    "commit": "cm", "forward": "fw", "catch-up": "cu", "catch-up-reply": "cr",
    # Raft's own kinds
    "request-vote": "rv", "vote": "vt", "append": "ae", "append-reply": "ar",
}

_COLUMNS = {"proposer": 0, "acceptor": 1, "learner": 2}


@functools.lru_cache(maxsize=64)
def layout(node_ids: tuple[str, ...], roles: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    """Positions in 0..1 (y grows downwards, first node on top): a column per role when
    every role is a proposer, acceptor or learner (networkx's multipartite layout), else a
    circle (networkx's circular layout)."""
    g = nx.Graph()
    kinds = set(roles)
    columns = len(kinds) > 1 and kinds <= set(_COLUMNS)
    for n, r in zip(node_ids, roles, strict=True):
        g.add_node(n, layer=_COLUMNS.get(r, 0))
    if columns:
        raw = nx.multipartite_layout(g, subset_key="layer", align="vertical")
        # keep each column in the cluster's order, first node on top
        for layer in set(_COLUMNS.values()):
            members = [n for n, r in zip(node_ids, roles, strict=True) if _COLUMNS[r] == layer]
            heights = sorted(float(raw[n][1]) for n in members)
            for n, y in zip(members, heights, strict=True):
                raw[n] = (raw[n][0], y)
    else:
        raw = nx.circular_layout(g)
        # start at the top and go clockwise (y grows downwards below): networkx's circle
        # starts on the right and goes anticlockwise
        raw = {n: (float(y), -float(x)) for n, (x, y) in raw.items()}
    xs = [float(p[0]) for p in raw.values()]
    ys = [float(p[1]) for p in raw.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    out = {}
    for n in node_ids:
        x, y = raw[n]
        fx = 0.5 if max(xs) == min(xs) else (float(x) - min(xs)) / span_x
        fy = 0.5 if max(ys) == min(ys) else (float(y) - min(ys)) / span_y
        out[n] = (round(fx, 4), round(fy, 4))
    return out


def _lines(state: Any) -> list[str]:
    """A node's state in two or three short lines."""
    own = getattr(state, "view_lines", None)
    if callable(own):  # another protocol's state draws its own lines (Raft's servers)
        return list(own())
    role = getattr(state, "ROLE", "")
    if role == "acceptor":
        promised = "—" if state.promised is None else str(state.promised)
        lines = [f"promised {promised}"]
        if state.accepted_ballot is not None:
            lines.append(f"accepted {state.accepted_value!r} at {state.accepted_ballot}")
        return lines
    if role == "proposer":
        ballot = "" if state.ballot is None else f" {state.ballot}"
        lines = [f"{state.phase}{ballot}"]
        if state.value is not None:
            lines.append(f"value {state.value!r}")
        return lines
    if role == "learner":
        return ["learned —" if state.learned is None else f"learned {state.learned!r}"]
    if role == "replica":
        part = {"leading": "leader", "preparing": "candidate"}.get(state.phase, "follower")
        ballot = "—" if state.promised is None else str(state.promised)
        return [f"{part} · promised {ballot}",
                f"log {len(state.log)} · applied {state.applied}"]
    own = getattr(state, "view_lines", None)  # a role that says it itself (clients)
    if callable(own):
        return [str(line)[:40] for line in own()]
    return [str(state)[:40]]


def _log(state: Any) -> list[dict[str, Any]] | None:
    """A replica's log as slots: ``applied`` < ``committed`` (chosen, known) < ``accepted``
    (a vote whose outcome it does not know) < ``gap`` (nothing, below a known slot)."""
    own = getattr(state, "view_log", None)
    if callable(own):  # another protocol's state lays out its own log (Raft's servers)
        return list(own())
    log = getattr(state, "log", None)
    compacted = hasattr(log, "entries")  # a snapshot dropped its prefix (multipaxos.snapshots)
    if not (isinstance(log, tuple) or compacted) or getattr(state, "ROLE", "") != "replica":
        return None
    votes = {s: (b, v) for s, b, v in getattr(state, "accepted", ())}
    width = max([len(log), *(s + 1 for s in votes)], default=0)
    slots = []
    for s in range(width):
        command = log[s] if s < len(log) else None
        if command is not None:
            status = "applied" if s < state.applied else "committed"
            ballot = None
        elif s in votes:
            status, (b, command) = "accepted", votes[s]
            ballot = str(b)
        else:
            status, ballot = "gap", None
        slots.append({"slot": s, "status": status, "command": command, "ballot": ballot,
                      "noop": command == "noop"})
    return slots


def _durable(state: Any, rules: Any) -> tuple[str, ...]:
    if getattr(state, "ROLE", "") == "acceptor" and not getattr(
        rules, "acceptor_storage_durable", True
    ):
        return ()
    return tuple(getattr(type(state), "DURABLE", ()))


def _fields(state: Any, before: Any, rules: Any) -> list[dict[str, Any]]:
    if not is_dataclass(state):
        return []
    durable = _durable(state, rules)
    out = []
    for f in fields(state):
        if f.name == "node":
            continue
        value = getattr(state, f.name)
        changed = before is not None and before is not state and getattr(
            before, f.name, None) != value
        out.append({"name": f.name, "value": _fmt_field(f.name, value),
                    "durable": f.name in durable, "changed": bool(changed)})
    return out


def _message(world: Any, copy: Any) -> dict[str, Any]:
    m = copy.message
    if m.dst in world.crashed:
        why = f"{m.dst} is down"
    elif not world.can_reach(m.src, m.dst):
        why = f"the partition cuts {m.src} off from {m.dst}"
    else:
        why = None
    return {"id": copy.id, "kind": m.KIND, "phase": PHASES.get(m.KIND, m.KIND),
            "from": m.src, "to": m.dst, "label": m.label, "text": str(m),
            "sent": copy.sent, "duplicate": copy.origin == "duplicate",
            "deliverable": why is None, "why": why}


def _last(h: History) -> dict[str, Any] | None:
    rec = h.last()
    if rec is None:
        return None
    how = None
    copy = None
    if rec.copy is not None:
        c = h.copies[rec.copy]
        copy = {"id": c.id, "from": c.message.src, "to": c.message.dst,
                "phase": PHASES.get(c.message.KIND, c.message.KIND)}
        how = {"deliver": "delivered", "drop": "dropped", "duplicate": "duplicated"}.get(
            rec.action.KIND)
    return {"step": rec.step, "text": str(rec.action), "kind": rec.action.KIND,
            "copy": copy, "how": how, "sent": list(rec.sent)}


def _timeline(h: History, window: int) -> dict[str, Any]:
    now = h.now
    first = max(0, now - window)
    arrows = []
    for c in h.copies:
        end = c.ended if c.ended is not None else now
        if end < first and c.status != INFLIGHT:
            continue
        m = c.message
        arrows.append({"id": c.id, "from": m.src, "to": m.dst, "sent": c.sent,
                       "ended": c.ended, "status": c.status, "label": m.label,
                       "phase": PHASES.get(m.KIND, m.KIND), "text": str(m),
                       "duplicate": c.origin == "duplicate"})
    events = [{"step": e.step, "node": e.node, "kind": e.kind, "text": e.text}
              for e in h.node_events if e.step >= first]
    chosen = [{"step": e.step, "value": e.value, "ballot": describe_ballot(e.ballot),
               "acceptors": list(e.acceptors), "violation": e.violation}
              for e in h.chosen]
    parts = [{"start": p.start, "end": p.end, "groups": [list(g) for g in p.groups]}
             for p in h.partitions if p.end is None or p.end >= first]
    return {"first": first, "now": now, "window": window, "arrows": arrows, "events": events,
            "chosen": chosen, "partitions": parts}


def view_model(source: Any, *, window: int = 16, verdicts: list[Any] | None = None,
               learned: dict[str, Any] | None = None) -> dict[str, Any]:
    """The run's last world as a JSON-able dict (see the module docstring).

    ``source`` is a History (or a Simulation or Trace); ``window`` is how many steps the
    timeline keeps.  ``verdicts`` and ``learned`` default to what the world shows (a
    Simulation passes its own ``check()`` and ``learned()`` through ``source``).
    """
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        from paxos_lib.errors import ConfigError

        raise ConfigError(f"window must be an int >= 1 (steps shown), got {window!r}")
    h = source if isinstance(source, History) else history_of(source)
    world = h.world
    before = h.worlds[-2] if len(h.worlds) > 1 else None
    cfg = world.config
    ids = h.node_ids
    roles = tuple(h.role_of(n) for n in ids)
    pos = layout(ids, roles)
    part = world.partition
    nodes = []
    for i, (n, role) in enumerate(zip(ids, roles, strict=True)):
        state = world.nodes[i]
        old = None if before is None else before.nodes[i]
        learned_value = getattr(state, "learned", None)
        nodes.append({
            "id": n, "role": role, "x": pos[n][0], "y": pos[n][1],
            "up": n not in world.crashed,
            "changed": before is not None and (old is not state or (
                (n in world.crashed) != (n in before.crashed))),
            "side": None if part is None else part.side_of(n),
            "timer": n in world.timers,
            "lines": _lines(state),
            "fields": _fields(state, old, cfg.rules),
            "learned": learned_value if isinstance(learned_value, str) else None,
            "log": _log(state),
        })
    if verdicts is None:
        verdicts = _verdicts(source, world)
    if learned is None:
        learned = {n["id"]: n["learned"] for n in nodes if n["role"] == "learner"}
    durable = getattr(cfg.rules, "acceptor_storage_durable", None)
    tl = _timeline(h, window)
    return {
        "step": h.now,
        "variant": str(cfg.variant),
        "network": str(cfg.network),
        "storage": None if durable is None else ("durable" if durable else "volatile"),
        "nodes": nodes,
        "messages": [_message(world, c) for c in h.inflight()],
        "last": _last(h),
        "partition": None if part is None else [list(g) for g in part.groups],
        "verdicts": [{"name": v.name, "holds": bool(v.holds), "text": v.explanation}
                     for v in verdicts],
        "chosen": tl["chosen"],
        "learned": {k: v for k, v in learned.items()},
        "timeline": tl,
    }
