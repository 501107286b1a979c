"""What must hold of a replicated order log, read only through observation functions.

Theory of operation
-------------------
The properties never look inside a replica's handlers; they read these observations of a
``World`` (they work on any world whose cluster is a ``ReplicaCluster``):

- ``chosen_slots(world)``: for each slot, the commands some quorum of replicas accepted at
  one ballot, from the engine's history of every vote ever sent (``World.votes``), not from
  the replicas' current state.  A vote is ``(replica, (slot, ballot), command)``.
- ``log(world, r)``: the command replica ``r`` knows chosen in each slot (None: a gap).
- ``applied(world, r)``: the commands ``r`` has applied, in slot order.
- ``order_states(world, r)``: ``{order id: status}`` in ``r``'s order book.

``always`` properties (safety) must hold in every world; the one ``sometimes`` property
(every submitted command applied everywhere) shows a run made progress, so a passing safety
check is not vacuous.  Each check returns ``(holds, explanation)`` and is wrapped in the core
``Property``, so verdicts print like the single-decree ones.

Every quantity here only grows during a run (votes, chosen logs, applied prefixes), so a
violation at any step is still visible at the end; checking the last world is enough.
"""

from __future__ import annotations

from paxos_lib.engine import World
from paxos_lib.errors import ConfigError, UnknownNodeError, one_of
from paxos_lib.multipaxos import snapshots
from paxos_lib.multipaxos.membership import is_config_command
from paxos_lib.multipaxos.replica import NOOP_TEXT, Replica, is_read
from paxos_lib.orders import Command, OrderBook
from paxos_lib.orders import replay as replay_commands
from paxos_lib.properties import Property, Verdict

__all__ = [
    "MULTIPAXOS_PROPERTIES",
    "applied",
    "check_all",
    "chosen_slots",
    "log",
    "log_cells",
    "order_states",
    "replica",
    "replica_rows",
    "replicas",
]


# -- observation functions --------------------------------------------------------------------


def replicas(world: World) -> tuple[Replica, ...]:
    """Every replica's state, in id order."""
    out = tuple(s for s in world.nodes if isinstance(s, Replica))
    others = sum(1 for s in world.nodes if getattr(s, "ROLE", None) == "client")
    if len(out) + others != len(world.nodes):
        raise ConfigError(
            f"expected a world of a ReplicaCluster, got one of {world.config.cluster!r}"
        )
    return out


def replica(world: World, node: str) -> Replica:
    """The state of replica ``node``."""
    ids = world.config.cluster.node_ids
    if node not in ids:
        raise UnknownNodeError(f"unknown replica {node!r}; choose {one_of(ids)}")
    state = world.nodes[ids.index(node)]
    if not isinstance(state, Replica):
        raise ConfigError(f"{node!r} is not a Multi-Paxos replica: {state!r}")
    return state


def log(world: World, node: str) -> tuple[str | None, ...]:
    """The command ``node`` knows chosen in each slot, None where it knows of none (a gap)."""
    return replica(world, node).log


def applied(world: World, node: str) -> tuple[str, ...]:
    """The commands ``node`` has applied to its order book, in slot order (no-ops included)."""
    r = replica(world, node)
    return tuple(v for v in r.log[: r.applied] if v is not None)


def order_states(world: World, node: str) -> dict[int, str]:
    """``{order id: status name}`` in ``node``'s order book."""
    return replica(world, node).book.as_dict()


def log_cells(world: World, node: str) -> tuple[str, ...]:
    """One short cell per slot of ``node``'s log, for tables: the chosen command; a vote it
    cast whose outcome it does not know, as ``'(pay #3 (c3/3) @ 2.r1)'``; ``'·'`` for nothing."""
    r = replica(world, node)
    votes = {s: (b, v) for s, b, v in r.accepted}
    width = max([len(r.log), *(s + 1 for s in votes)], default=0)
    cells = []
    for s in range(width):
        v = r.log[s] if s < len(r.log) else None
        if v is not None:
            cells.append(v)
        elif s in votes:
            cells.append(f"({votes[s][1]} @ {votes[s][0]})")
        else:
            cells.append("·")
    return tuple(cells)


def replica_rows(world: World) -> list[dict[str, str]]:
    """One row per replica for a state table (the stepper's): ``replica``, ``status`` (up or
    crashed), ``role`` (leader, candidate or follower), ``ballot`` (promised), ``slot`` (next
    slot to apply / slots known), ``state`` (one line) and ``log`` (the cells, joined)."""
    rows = []
    for r in replicas(world):
        role = {"leading": "leader", "preparing": "candidate"}.get(r.phase, "follower")
        rows.append({
            "replica": r.node,
            "status": "crashed" if r.node in world.crashed else "up",
            "role": role,
            "ballot": "none" if r.promised is None else str(r.promised),
            "slot": f"{r.applied}/{len(r.log)}",
            "state": r.describe(),
            "log": " | ".join(log_cells(world, r.node)),
        })
    return rows


def chosen_slots(world: World) -> dict[int, frozenset[str]]:
    """For each slot, the commands a quorum accepted there at one ballot (vote history)."""
    custom = getattr(world.config.rules, "chosen_slots", None)  # per-slot quorums (reconfig.py)
    if custom is not None:
        return custom(world)  # type: ignore[no-any-return]
    quorum = world.config.rules.quorum
    voters: dict[tuple[int, object, str], set[str]] = {}
    out: dict[int, set[str]] = {}
    for who, key, command in world.votes:
        slot, ballot = key  # type: ignore[misc]
        group = voters.setdefault((slot, ballot, command), set())
        group.add(who)
        if len(group) >= quorum:
            out.setdefault(slot, set()).add(command)
    return {s: frozenset(v) for s, v in sorted(out.items())}


# -- the properties ---------------------------------------------------------------------------


def _slot_agreement(world: World) -> tuple[bool, str]:
    bad = {s: v for s, v in chosen_slots(world).items() if len(v) > 1}
    if not bad:
        return True, f"{len(chosen_slots(world))} slot(s) chosen, one command each"
    s, values = next(iter(bad.items()))
    return False, f"slot {s} has {len(values)} commands chosen: {sorted(values)}"


def _replicas_agree(world: World) -> tuple[bool, str]:
    chosen = chosen_slots(world)
    seen: dict[int, tuple[str, str]] = {}
    for r in replicas(world):
        for s, v in enumerate(r.log):
            if v is None or v == snapshots.COMPACTED:
                continue
            if v not in chosen.get(s, ()):
                return False, f"{r.node} holds {v!r} in slot {s}, which was never chosen there"
            if s in seen and seen[s][1] != v:
                other, w = seen[s]
                return False, f"slot {s}: {other} holds {w!r} but {r.node} holds {v!r}"
            seen.setdefault(s, (r.node, v))
    return True, f"every replica's {len(seen)} known slot(s) hold the chosen command"


def _prefixes(world: World) -> tuple[bool, str]:
    reps = sorted(replicas(world), key=lambda r: r.applied)
    longest = reps[-1]
    for r in reps[:-1]:
        if r.log[: r.applied] != longest.log[: r.applied]:
            i = next((i for i in range(r.applied) if r.log[i] != longest.log[i]
                      and snapshots.COMPACTED not in (r.log[i], longest.log[i])), None)
            if i is None:
                continue  # they differ only where one log is compacted: see one-history
            return False, (f"{r.node} applied {r.log[i]!r} in slot {i} but {longest.node} "
                           f"applied {longest.log[i]!r}")
    counts = ", ".join(f"{r.node} {r.applied}" for r in replicas(world))
    return True, f"applied logs are prefixes of {longest.node}'s (applied: {counts})"


def _same_states(world: World) -> tuple[bool, str]:
    reps = replicas(world)
    if any(isinstance(r.log, snapshots.CompactLog) for r in reps):
        return snapshots.same_states_compacted(world)
    longest = max(reps, key=lambda r: r.applied)
    books: dict[int, OrderBook] = {}
    book = OrderBook.empty()
    marks = sorted({r.applied for r in reps})
    done = 0
    for mark in marks:
        commands = [Command.parse(v) for v in longest.log[done:mark]
                    if v is not None and not is_config_command(v) and not is_read(v)]
        book, _ = replay_commands(commands, book)
        books[mark] = book
        done = mark
    for r in reps:
        if r.book != books[r.applied]:
            return False, (f"{r.node} holds {r.book.as_dict()} after {r.applied} slot(s), but "
                           f"those slots give {books[r.applied].as_dict()}")
    return True, "replicas at the same applied index hold the same order states"


def _validity(world: World) -> tuple[bool, str]:
    bad = sorted(
        {v for vs in chosen_slots(world).values() for v in vs if v != NOOP_TEXT}
        - world.proposed
    )
    if not bad:
        return True, "every chosen command was submitted by a client (or is a no-op)"
    return False, f"chosen but never submitted: {', '.join(map(repr, bad))}"


def _all_applied(world: World) -> tuple[bool, str]:
    # Not vacuous: before any command is submitted there is nothing to show (the explorer's
    # shortest example would otherwise be the empty run).
    proposed = world.proposed - {snapshots.SNAPSHOT_REQUEST}  # an operator's, not a client's
    if not proposed:
        return False, "no command submitted yet"
    missing = []
    for r in replicas(world):
        lacking = sorted(c for c in proposed if not snapshots.has_applied(r, c))
        if lacking:
            missing.append(f"{r.node} lacks {len(lacking)} (e.g. {lacking[0]!r})")
    if not missing:
        return True, f"all {len(proposed)} submitted command(s) applied on every replica"
    return False, "; ".join(missing)


MULTIPAXOS_PROPERTIES: tuple[Property, ...] = (
    Property("slot-agreement", "always", "at most one command is chosen in each slot",
             _slot_agreement),
    Property("replicas-agree", "always",
             "every slot a replica knows chosen holds the command chosen there", _replicas_agree),
    Property("prefix", "always", "applied logs are prefixes of one another", _prefixes),
    Property("same-states", "always",
             "at the same applied index two replicas hold the same order states", _same_states),
    Property("validity", "always", "only submitted commands (and no-ops) are chosen", _validity),
    Property("all-applied", "sometimes",
             "at least one command was submitted, and every submitted command is applied on "
             "every replica", _all_applied),
)
MULTIPAXOS_PROPERTIES += snapshots.snapshot_properties()  # one-history, applied-once, ...


def check_all(world: World, kind: str = "always") -> list[Verdict]:
    """Every Multi-Paxos property of ``kind`` ('always' or 'sometimes') checked in ``world``."""
    if kind not in ("always", "sometimes"):
        raise ConfigError(f"kind must be 'always' or 'sometimes', got {kind!r}")
    return [p(world) for p in MULTIPAXOS_PROPERTIES if p.kind == kind]
