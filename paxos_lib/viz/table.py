"""The state table and the status bar, as HTML.

Theory of operation
-------------------
``state_table(source)`` shows every node's state: one table per role (proposers, acceptors,
learners, or whatever roles a protocol has), a row per node and a column per field of the
role's state dataclass.  Fields are read generically (``dataclasses.fields``), so any role
the engine can run is shown; the ``node`` field is the row's name.

Two things are marked:

- **durable** fields (the role's ``DURABLE`` class attribute: what survives a crash) have a
  blue header marked "on disk".  Under the ``amnesiac-acceptor`` variant an acceptor keeps
  nothing, so its fields lose the mark -- the amnesia lesson, visible at a glance;
- fields **changed by the last step** are highlighted yellow (compared with the world
  before it).

``status_html(source)`` is the stepper's status bar: the step, variant and network, each
safety property (green when it holds, red naming the witnesses when it does not), and
*chosen* (a fact about the system: which quorum accepted what) shown apart from *learned*
(what each learner knows).

Both return an ``HTML`` string: a ``str`` that a notebook displays as a table.
"""

from __future__ import annotations

import html
from dataclasses import fields, is_dataclass
from typing import Any

from paxos_lib.messages import Ballot
from paxos_lib.properties import check_all, chosen_by
from paxos_lib.viz.history import _worlds_and_steps

__all__ = ["HTML", "state_table", "status_html"]

_CHANGED = "background:#fff1a8;font-weight:bold"
_DURABLE_HEAD = "background:#dbe9f7"
_DISK = '<br><span style="font-weight:normal;font-size:10px">on disk</span>'
_CELL = "padding:1px 7px;border:1px solid #ddd;text-align:left;font-size:12px"


class HTML(str):
    """A string of HTML that a notebook renders (``_repr_html_``)."""

    __slots__ = ()

    def _repr_html_(self) -> str:
        return str(self)


def _fmt(value: Any) -> str:
    """A field's value in a few characters."""
    if value is None:
        return "—"
    if isinstance(value, Ballot | str | int | float):
        return str(value)
    if isinstance(value, tuple | list | frozenset | set):
        items = sorted((_fmt_item(v) for v in value), key=str)
        if not items:
            return "—"
        shown = ", ".join(items[:4])
        return shown if len(items) <= 4 else f"{shown} … ({len(items)})"
    return str(value)


def _fmt_log(value: tuple[Any, ...]) -> str:
    """A replicated log in slot order, each entry with its slot number; ``·`` marks a gap."""
    if not value:
        return "—"
    cells = [f"[{slot}] {'·' if entry is None else _fmt(entry)}"
             for slot, entry in enumerate(value)]
    shown = cells[-6:]
    return ("… " if len(cells) > 6 else "") + "  ".join(shown)


def _fmt_field(name: str, value: Any) -> str:
    if name == "log" and isinstance(value, tuple):
        return _fmt_log(value)
    return _fmt(value)


def _fmt_item(value: Any) -> str:
    if isinstance(value, tuple):
        return " ".join(_fmt(v) for v in value if v is not None)
    return _fmt(value)


def _durable(state: Any, rules: Any) -> tuple[str, ...]:
    durable = tuple(getattr(type(state), "DURABLE", ()))
    if getattr(state, "ROLE", "") == "acceptor" and not getattr(
        rules, "acceptor_storage_durable", True
    ):
        return ()
    return durable


def _field_names(state: Any) -> list[str]:
    if is_dataclass(state):
        return [f.name for f in fields(state) if f.name != "node"]
    return []


def _worlds(source: Any, step: int | None) -> tuple[Any, Any]:
    worlds, steps = _worlds_and_steps(source)
    n = len(steps) if step is None else step
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= len(steps):
        from paxos_lib.errors import ConfigError

        raise ConfigError(f"step must be an int from 0 to {len(steps)}, got {step!r}")
    return worlds[n], (worlds[n - 1] if n > 0 else None)


def state_table(source: Any, step: int | None = None) -> HTML:
    """Every node's state after ``step`` steps (None: now) as HTML tables, one per role."""
    world, before = _worlds(source, step)
    rules = world.config.rules
    groups: dict[str, list[int]] = {}
    for i, state in enumerate(world.nodes):
        groups.setdefault(str(getattr(state, "ROLE", type(state).__name__)), []).append(i)
    parts = ['<div class="paxos-state" style="display:flex;flex-wrap:wrap;gap:10px">']
    for role, idx in groups.items():
        first = world.nodes[idx[0]]
        names = _field_names(first)
        durable = _durable(first, rules)
        head = [f'<th style="{_CELL}">{html.escape(role)}</th>',
                f'<th style="{_CELL}">status</th>']
        for name in names:
            if name in durable:
                head.append(f'<th style="{_CELL};{_DURABLE_HEAD}" class="durable" '
                            f'data-field="{name}" title="durable: survives a crash">'
                            f"{html.escape(name)}{_DISK}</th>")
            else:
                head.append(f'<th style="{_CELL}" class="volatile" data-field="{name}" '
                            f'title="volatile: lost in a crash">{html.escape(name)}</th>')
        rows = []
        for i in idx:
            state = world.nodes[i]
            old = None if before is None else before.nodes[i]
            node = state.node
            down = node in world.crashed
            was_down = before is not None and node in before.crashed
            status = "crashed" if down else "up"
            if node in world.timers:
                status += " (timer)"
            style = _CHANGED if before is not None and down != was_down else ""
            cells = [f'<td style="{_CELL}"><b>{html.escape(node)}</b></td>',
                     f'<td style="{_CELL};{style}" class="{"changed" if style else ""}">'
                     f"{status}</td>"]
            for name in names:
                value = getattr(state, name, None)
                changed = old is not None and old is not state and getattr(old, name, None) != value
                style = _CHANGED if changed else ""
                cls = "changed" if changed else ""
                cells.append(f'<td style="{_CELL};{style}" class="{cls}" data-field="{name}">'
                             f"{html.escape(_fmt_field(name, value), quote=False)}</td>")
            grey = ' style="color:#888"' if down else ""
            rows.append(f'<tr data-node="{html.escape(node)}"{grey}>{"".join(cells)}</tr>')
        parts.append(
            '<table style="border-collapse:collapse">'
            f'<tr>{"".join(head)}</tr>{"".join(rows)}</table>'
        )
    parts.append("</div>")
    parts.append(
        '<div style="font-size:11px;color:#555"><span style="background:#dbe9f7">on disk</span>: '
        'durable, survives a crash · '
        '<span style="background:#fff1a8">highlighted</span>: changed by the last step</div>'
    )
    return HTML("".join(parts))


def _verdicts(source: Any, world: Any) -> list[Any]:
    """The safety verdicts in ``world``: the simulation's own check, else the cluster's
    (another protocol brings its own properties), else single-decree Paxos's."""
    check = getattr(source, "check", None)
    if callable(check) and getattr(source, "world", None) is world:
        return list(check())
    cluster_check = getattr(world.config.cluster, "check_all", None)
    if callable(cluster_check):
        return list(cluster_check(world, "always"))
    return check_all(world, "always")


def status_html(source: Any) -> HTML:
    """The stepper's status bar: step, properties (red when violated), chosen and learned."""
    worlds, steps = _worlds_and_steps(source)
    world = worlds[-1]
    cfg = world.config
    verdicts = _verdicts(source, world)
    badges = []
    for v in verdicts:
        if v.holds:
            badges.append(
                f'<span class="prop ok" title="{html.escape(v.explanation)}" '
                'style="background:#d8f0e0;color:#11602f;padding:1px 6px;border-radius:3px">'
                f"✓ {html.escape(v.name)}</span>"
            )
        else:
            badges.append(
                '<span class="prop violated" style="background:#fbd5cf;color:#8a1300;'
                'padding:1px 6px;border-radius:3px;font-weight:bold">'
                f"✗ {html.escape(v.name)} VIOLATED: "
                f"{html.escape(v.explanation, quote=False)}</span>"
            )
    try:
        by = chosen_by(world)
    except Exception:  # another protocol's votes: fall back to its chosen()
        by = {}
    if by:
        chosen_text = "; ".join(
            f"{value!r} (at {ballots[0][0]} by {', '.join(ballots[0][1])})"
            for value, ballots in by.items()
        )
    else:
        chosen_fn = getattr(source, "chosen", None)
        values = sorted(chosen_fn()) if callable(chosen_fn) else []
        chosen_text = ", ".join(map(repr, values)) if values else "nothing yet"
    learned_fn = getattr(source, "learned", None)
    learned = learned_fn() if callable(learned_fn) else {}
    learned_text = ", ".join(
        f"{n}: {'—' if v is None else repr(v)}" for n, v in learned.items()
    ) or "—"
    durable = getattr(cfg.rules, "acceptor_storage_durable", None)
    storage = "" if durable is None else (
        f" · {'durable' if durable else 'volatile'} acceptor storage")
    return HTML(
        '<div class="paxos-status" style="font-size:13px;line-height:1.7">'
        f'<b>step {len(steps)}</b> · {html.escape(str(cfg.variant))} · '
        f"{html.escape(str(cfg.network))} network{storage}<br>"
        f'{" ".join(badges)}<br>'
        f'<span class="chosen"><b>chosen</b> (a quorum accepted it): '
        f"{html.escape(chosen_text, quote=False)}</span> &nbsp;|&nbsp; "
        f'<span class="learned"><b>learned</b> (what learners know): '
        f"{html.escape(learned_text, quote=False)}</span></div>"
    )
