"""Snapshots and log compaction: a replica forgets the applied prefix of its log.

Theory of operation
-------------------
A replica's log grows by one slot per command, forever, unless it is cut.  Every ``K``
applied slots (``ReplicaCluster(snapshot_every=K)``), and whenever a client asks for one
(``on_propose(SNAPSHOT_REQUEST)``, the "on demand" policy), a replica takes a ``Snapshot`` at
its applied slot ``s``: its order book (order states *and* the client deduplication table,
which live together in ``OrderBook``) and the running digest of every command it applied
below ``s``.  It then drops the log prefix below ``s``; the log becomes a ``CompactLog`` that
holds only the slots from ``s`` on and reads ``COMPACTED`` for the others.

Why dropping chosen-and-applied slots is safe:

1. A slot below the applied slot is *chosen* (the replica applies only slots it knows
   chosen, in order), and Paxos never changes a chosen slot, so no future ballot needs this
   replica's vote there: any leader that proposes in the slot proposes the chosen command
   (single-decree rule 3) and learns it from any replica that knows it.
2. The replica holds no vote below its applied slot anyway: a vote is dropped as soon as its
   slot is known chosen (``replica.py``), so compaction drops log entries, not votes.
3. Everything the dropped commands did is in the snapshot's book, including each client's
   last executed request, so a retried request below ``s`` is still recognised (a duplicate
   of the client's last request, or a stale copy of an older one).

What a replica must still keep: its promise, every vote in a slot it does not know chosen
(the open slots at and above ``s``: forgetting those is the amnesiac acceptor of lesson 04,
and the ``eager-compaction`` variant shows what breaks), its highest round, the snapshot
itself (book, dedup table, slot, digest), and the chosen log from ``s`` on.  All durable.

State transfer.  A replica asked for slots it has compacted cannot send them.  Instead:

- ``CatchUp(prefix)`` with ``prefix`` below the snapshot's slot is answered by an
  ``InstallSnapshot`` and then a ``CatchUpReply`` with the chosen slots from the snapshot on.
- ``LogPrepare(from_slot)`` below the snapshot's slot gets an ``InstallSnapshot`` *instead of
  a promise* (the promise could not report the chosen commands it compacted).  The candidate
  installs it and starts phase 1 again from its new first unapplied slot.

The install rule (lesson 08, exercise 1): a replica installs a snapshot only if its slot is
above its own applied slot (an older one would roll it back and make it apply slots twice);
it keeps the log entries it knows from the snapshot's slot on (they are chosen; dropping them
means fetching them again) and drops the rest, together with any vote below the slot; it
takes the snapshot's book whole, dedup table included (without it a retried request would
execute again); and then it applies what follows, as usual.

Applied history across snapshots.  A replica keeps ``history``, a running digest of every
command it applied in slot order (``chain``), and a snapshot carries the digest of its
prefix.  So "the applied history of every replica is a prefix of one history" is checked by
comparing ``history`` with the digest of the chosen commands (from the engine's vote record)
up to the same slot, whatever the replica dropped.  ``executed`` is a ghost counter (a history
variable in the TLA+ sense, never read by the handlers): one per slot the replica applied or
received in a snapshot, so "nothing applies twice" reads ``executed == applied``.

Broken variants (one rule each): ``stale-snapshot`` installs any snapshot it receives, even
one older than its own applied slot; ``eager-compaction`` also drops its votes in the open
slots above the snapshot.  ``SNAPSHOT_PROPERTIES`` catch both.

NOTE: a ``ReconfigCluster`` never compacts: it reads each slot's configuration from the
chosen log (``reconfig.py``), so a snapshot would have to carry the configurations too.
NOTE: the engine's vote record (``World.votes``) keeps growing; it is the checker's ghost
history, not the replicas' memory.  The dedup table holds one entry per client (see
``orders.py``), so it grows with the clients, not the commands; a snapshot keeps it whole.
This module imports the orders domain and the core; never networkx, matplotlib or ipywidgets.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, overload

from paxos_lib.engine import World
from paxos_lib.errors import ConfigError
from paxos_lib.messages import Message
from paxos_lib.multipaxos.messages import MESSAGE_TYPES
from paxos_lib.orders import Command, OrderBook, OrderStatus, Outcome
from paxos_lib.orders import apply as apply_command

if TYPE_CHECKING:
    from paxos_lib.multipaxos.replica import Replica

__all__ = [
    "COMPACTED",
    "GENESIS",
    "SNAPSHOT_REQUEST",
    "SNAPSHOT_VARIANTS",
    "CompactLog",
    "InstallSnapshot",
    "Snapshot",
    "book_from_json",
    "book_to_json",
    "chain",
    "check_snapshot_every",
    "chosen_history",
    "dedup_entries",
    "log_base",
    "log_entries_held",
    "new_snapshots",
    "snapshot_stats",
]

SNAPSHOT_VARIANTS: tuple[str, ...] = ("stale-snapshot", "eager-compaction")
"""The broken snapshot variants (each changes one rule; see the module docstring)."""

SNAPSHOT_REQUEST = "snapshot"
"""What a client (an operator) proposes to a replica to make it snapshot now."""

COMPACTED = "compacted"
"""What a compacted slot reads as in a ``CompactLog``: chosen and applied, command dropped."""

GENESIS = "0" * 16
"""The digest of the empty history."""

MAX_SNAPSHOT_EVERY = 10**6


def check_snapshot_every(value: object) -> int:
    """Return ``value`` if it is a snapshot period (0: never, else every K applied slots)."""
    if isinstance(value, bool) or not isinstance(value, int) or not (
        0 <= value <= MAX_SNAPSHOT_EVERY
    ):
        raise ConfigError(
            f"snapshot_every must be an int from 0 (never) to {MAX_SNAPSHOT_EVERY} (snapshot "
            f"every K applied slots), got {value!r}"
        )
    return value


def chain(digest: str, command: str) -> str:
    """The running digest after applying ``command`` to a history whose digest is ``digest``."""
    return hashlib.sha256(f"{digest}|{command}".encode()).hexdigest()[:16]


# -- the compacted log --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CompactLog(Sequence):  # type: ignore[type-arg]
    """A log whose slots below ``base`` were dropped; indexed by absolute slot number.

    ``log[s]`` is ``COMPACTED`` for ``s < base`` and ``entries[s - base]`` otherwise, so the
    replica's handlers read it like the plain tuple they had before compaction.  Only
    ``entries`` is held in memory.
    """

    base: int
    entries: tuple[str | None, ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.base, bool) or not isinstance(self.base, int) or self.base < 1:
            raise ConfigError(f"a compacted log's base must be an int >= 1, got {self.base!r}")
        if not isinstance(self.entries, tuple):
            raise ConfigError(f"a compacted log holds a tuple, got {self.entries!r}")

    def __len__(self) -> int:
        return self.base + len(self.entries)

    @overload
    def __getitem__(self, index: int) -> str | None: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[str | None, ...]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        n = len(self)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError(f"slot {index} is beyond the log (length {n})")
        return COMPACTED if index < self.base else self.entries[index - self.base]

    def __iter__(self) -> Iterator[str | None]:
        for _ in range(self.base):
            yield COMPACTED
        yield from self.entries

    def __contains__(self, value: object) -> bool:
        return value == COMPACTED or value in self.entries

    def __repr__(self) -> str:
        return f"CompactLog(base={self.base}, entries={self.entries!r})"


def log_base(log: Sequence[str | None]) -> int:
    """The first slot a log still holds (0 for a log never compacted)."""
    return log.base if isinstance(log, CompactLog) else 0


def held(log: Sequence[str | None]) -> tuple[str | None, ...]:
    """The slots ``log`` holds in memory, from its base on."""
    return log.entries if isinstance(log, CompactLog) else tuple(log)


def log_entries_held(log: Sequence[str | None]) -> int:
    """How many slots of ``log`` are held in memory (compacted slots are not)."""
    return len(log.entries) if isinstance(log, CompactLog) else len(log)


def held_from(log: Sequence[str | None], slot: int) -> tuple[str | None, ...]:
    """The log's cells from ``slot`` on (None for a slot it no longer holds)."""
    base = log_base(log)
    return tuple(None if s < base else log[s] for s in range(slot, len(log)))


def with_entries(log: Sequence[str | None], new: Sequence[tuple[int, str]]) -> Sequence[str | None]:
    """``log`` with the chosen ``(slot, command)`` pairs written in (a compacted log stays
    compacted; slots below its base are already chosen and are not written)."""
    base = log_base(log)
    cells = list(log.entries) if isinstance(log, CompactLog) else list(log)
    for s, v in new:
        if s < base:
            continue
        i = s - base
        if i >= len(cells):
            cells.extend([None] * (i + 1 - len(cells)))
        cells[i] = v
    return CompactLog(base, tuple(cells)) if base else tuple(cells)


# -- the snapshot and its message -----------------------------------------------------------------


def book_to_json(book: OrderBook) -> str:
    """The book as canonical JSON text: orders ``[id, status]`` and dedup entries
    ``[command, outcome kind, status or reason]``, sorted, no spaces."""
    requests = []
    for _, outcome in book.requests:
        detail = outcome.status.name if outcome.status is not None else outcome.reason
        requests.append([str(outcome.command), outcome.kind, detail])
    data = {"orders": [[oid, status.name] for oid, status in book.orders], "requests": requests}
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def book_from_json(text: str) -> OrderBook:
    """Inverse of ``book_to_json`` (ConfigError on malformed text)."""
    try:
        data = json.loads(text)
        orders = tuple((int(oid), OrderStatus[name]) for oid, name in data["orders"])
        requests = []
        for command, kind, detail in data["requests"]:
            cmd = Command.parse(command)
            if kind == "applied":
                outcome = Outcome(kind=kind, command=cmd, status=OrderStatus[detail])
            else:
                outcome = Outcome(kind=kind, command=cmd, reason=detail)
            requests.append((cmd.key, outcome))
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(
            f"a snapshot's book is JSON of orders and requests, got {text!r}"
        ) from None
    return OrderBook(orders=orders, requests=tuple(requests))


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The applied state at ``slot``: every slot below it applied into ``book`` (orders and
    dedup table), ``digest`` the running digest of those commands."""

    slot: int
    book: OrderBook
    digest: str

    def __post_init__(self) -> None:
        if isinstance(self.slot, bool) or not isinstance(self.slot, int) or self.slot < 0:
            raise ConfigError(f"a snapshot's slot must be an int >= 0, got {self.slot!r}")
        if not isinstance(self.book, OrderBook):
            raise ConfigError(f"a snapshot's book must be an OrderBook, got {self.book!r}")
        if not isinstance(self.digest, str) or len(self.digest) != len(GENESIS):
            raise ConfigError(f"a snapshot's digest is 16 hex digits, got {self.digest!r}")

    def to_json(self) -> str:
        """The serialized snapshot (deterministic: the same state gives the same text)."""
        return (f'{{"book":{book_to_json(self.book)},"digest":"{self.digest}",'
                f'"slot":{self.slot}}}')

    @property
    def size_bytes(self) -> int:
        """``snapshot_bytes``: the size of ``to_json()`` in UTF-8."""
        return len(self.to_json().encode())


@dataclass(frozen=True, slots=True, kw_only=True)
class InstallSnapshot(Message):
    """State transfer: "every slot below ``slot`` is applied in this ``book`` (JSON, with the
    dedup table); ``digest`` is their running digest"."""

    KIND: ClassVar[str] = "install-snapshot"
    RANK: ClassVar[int] = 40

    slot: int
    digest: str
    book: str

    def __post_init__(self) -> None:
        Message.__post_init__(self)
        if isinstance(self.slot, bool) or not isinstance(self.slot, int) or self.slot < 1:
            raise ConfigError(f"install-snapshot.slot must be an int >= 1, got {self.slot!r}")
        if not isinstance(self.digest, str) or len(self.digest) != len(GENESIS):
            raise ConfigError(f"install-snapshot.digest is 16 hex digits, got {self.digest!r}")
        if not isinstance(self.book, str):
            raise ConfigError(f"install-snapshot.book is the book as JSON text, got {self.book!r}")

    def _extra(self) -> tuple[object, ...]:
        return (self.slot, self.digest, self.book)

    @property
    def label(self) -> str:
        return f"snapshot up to slot {self.slot}"

    @property
    def snapshot(self) -> Snapshot:
        return Snapshot(self.slot, book_from_json(self.book), self.digest)


MESSAGE_TYPES.setdefault(InstallSnapshot.KIND, InstallSnapshot)  # traces rebuild it by KIND


# -- the rules, run on a replica's working copy (``replica._Draft``) ------------------------------


def compact(d: Any) -> None:
    """Take a snapshot at the applied slot and drop the log below it."""
    s = d.applied
    if s <= log_base(d.log):
        return
    d.snapshot = Snapshot(s, d.book, d.history)
    d.log = CompactLog(s, tuple(d.log[s:len(d.log)]))
    if getattr(d.rules, "compact_open_votes", False):  # eager-compaction (broken)
        d.accepted = ()


def maybe_compact(d: Any) -> None:
    """The periodic policy: a snapshot once ``snapshot_every`` slots applied since the last."""
    k = getattr(d.rules, "snapshot_every", 0)  # 0 for rules without snapshots (reconfig.py)
    if k and d.applied - log_base(d.log) >= k:
        compact(d)


def send_snapshot(d: Any, dst: str) -> None:
    """Send our snapshot to ``dst`` (state transfer)."""
    snap = d.snapshot
    d.send(InstallSnapshot(src=d.node, dst=dst, ballot=d.my_ballot(), slot=snap.slot,
                           digest=snap.digest, book=book_to_json(snap.book)))


def catch_up_from(d: Any, dst: str, prefix: int) -> int:
    """Answering ``CatchUp(prefix)``: send a snapshot first if ``prefix`` was compacted;
    return the first slot to send as log entries."""
    base = log_base(d.log)
    if prefix < base:
        send_snapshot(d, dst)
        return base
    return prefix


def install(d: Any, msg: InstallSnapshot) -> None:
    """The install rule (see the module docstring)."""
    s = msg.slot
    if msg.src == d.leader:
        d.suspect = False  # the leader answered (as a catch-up reply would)
    if s <= d.applied and not getattr(d.rules, "install_older", False):
        return  # nothing new in it: never go back
    snap = msg.snapshot
    was = d.applied
    if s > was:
        d.executed += s - was  # those slots count as executed once, in the snapshot
    d.book = snap.book
    d.history = snap.digest
    d.applied = s
    d.snapshot = snap
    d.log = CompactLog(s, held_from(d.log, s)) if s else d.log
    d.accepted = tuple(e for e in d.accepted if e[0] >= s)
    d.known_commit = max(d.known_commit, s)
    if any(p[0] < s for p in d.proposals):
        d.step_down(None)  # slots we were proposing in were decided without us
    d.pending = tuple(c for c in d.pending if not is_executed(snap.book, c))
    d.advance()
    if d.phase == "preparing" and d.from_slot < d.applied:
        d.start_phase1()  # our 1a asked from a slot that is now applied: ask again from here


def on_demand(state: Replica, rules: Any) -> tuple[Replica, tuple[()]]:
    """``on_propose(SNAPSHOT_REQUEST)``: snapshot now (nothing is sent)."""
    from paxos_lib.multipaxos.replica import _open  # the replica module imports this one

    d = _open(state, rules)
    compact(d)
    new, effects = d.finish()
    return new, effects  # type: ignore[return-value]


def is_executed(book: OrderBook, command: str) -> bool:
    try:
        cmd = Command.parse(command)
    except ConfigError:
        return False  # not an order command (a configuration command, reconfig.py)
    key = cmd.key
    return key is not None and book.has_run(*key)


# -- observations and properties -----------------------------------------------------------------


def _replicas(world: World) -> tuple[Replica, ...]:
    from paxos_lib.multipaxos.properties import replicas

    return replicas(world)


def chosen_history(world: World, upto: int | None = None) -> tuple[str | None, ...]:
    """The command chosen in each slot from 0 (engine vote record), None where no single one."""
    from paxos_lib.multipaxos.properties import chosen_slots

    chosen = chosen_slots(world)
    top = max(chosen, default=-1) + 1 if upto is None else upto
    return tuple(next(iter(chosen[s])) if len(chosen.get(s, ())) == 1 else None
                 for s in range(top))


def has_applied(state: Replica, command: str) -> bool:
    """Has ``state`` applied ``command``: it sits in a held applied slot, or the book's
    client table says that request (or a later one of its client) ran, which covers the
    compacted slots."""
    base = log_base(state.log)
    return command in state.log[base:state.applied] or is_executed(state.book, command)


def new_snapshots(before: Sequence[object], after: Sequence[object]) -> int:
    """How many nodes hold a different snapshot in ``after`` than in ``before``."""
    return sum(1 for a, b in zip(before, after, strict=True)
               if getattr(a, "snapshot", None) is not getattr(b, "snapshot", None)
               and getattr(b, "snapshot", None) is not None)


def dedup_entries(state: Replica) -> int:
    """How many entries the replica's exactly-once table holds (one per client)."""
    return len(state.book.requests)


def snapshot_stats(world: World) -> dict[str, object]:
    """Memory figures of a world: log entries and dedup entries held (total and per replica),
    and the size of the largest snapshot held (``snapshot_bytes``, 0 when none)."""
    reps = _replicas(world)
    held = {r.node: log_entries_held(r.log) for r in reps}
    dedup = {r.node: dedup_entries(r) for r in reps}
    sizes = [r.snapshot.size_bytes for r in reps if r.snapshot is not None]
    return {
        "log_entries_held": sum(held.values()),
        "log_entries_held_per_replica": held,
        "dedup_entries_held": sum(dedup.values()),
        "dedup_entries_held_per_replica": dedup,
        "snapshot_bytes": max(sizes, default=0),
    }


def _one_history(world: World) -> tuple[bool, str]:
    reps = _replicas(world)
    top = max(r.applied for r in reps)
    history = chosen_history(world, top)
    digests = [GENESIS]
    for v in history:
        digests.append(GENESIS if v is None else chain(digests[-1], v))
    for r in reps:
        gap = next((s for s in range(r.applied) if history[s] is None), None)
        if gap is not None:
            return False, f"{r.node} applied slot {gap}, where no single command was chosen"
        if r.history != digests[r.applied]:
            return False, (f"{r.node}'s applied history (digest {r.history}) is not the chosen "
                           f"history of its first {r.applied} slot(s)")
    counts = ", ".join(f"{r.node} {r.applied}" for r in reps)
    return True, f"every replica applied a prefix of the chosen history (applied: {counts})"


def _applied_once(world: World) -> tuple[bool, str]:
    for r in _replicas(world):
        if r.executed != r.applied:
            return False, (f"{r.node} executed {r.executed} slot(s) to reach applied slot "
                           f"{r.applied}: {r.executed - r.applied} applied twice")
    return True, "no replica applied a slot twice"


def _snapshot_chosen(world: World) -> tuple[bool, str]:
    reps = _replicas(world)
    snaps = [r for r in reps if r.snapshot is not None]
    if not snaps:
        return True, "no snapshot taken"
    top = max(r.snapshot.slot for r in snaps)  # type: ignore[union-attr]
    history = chosen_history(world, top)
    digest = GENESIS
    digests = [digest]
    for v in history:
        digest = chain(digest, v) if v is not None else GENESIS
        digests.append(digest)
    for r in snaps:
        snap = r.snapshot
        assert snap is not None
        gap = next((s for s in range(snap.slot) if history[s] is None), None)
        if gap is not None:
            return False, f"{r.node}'s snapshot up to slot {snap.slot} covers unchosen slot {gap}"
        if snap.digest != digests[snap.slot] or snap.slot > r.applied:
            return False, f"{r.node}'s snapshot up to slot {snap.slot} is not the chosen prefix"
    return True, f"{len(snaps)} snapshot(s), each of chosen slots only"


def same_states_compacted(world: World) -> tuple[bool, str]:
    """``same-states`` when some log is compacted: every replica's book is the chosen
    history replayed up to its applied slot."""
    reps = sorted(_replicas(world), key=lambda r: r.applied)
    history = chosen_history(world, reps[-1].applied)
    book = OrderBook.empty()
    done = 0
    for r in reps:
        for v in history[done:r.applied]:
            if v is None:
                return False, f"{r.node} applied a slot where no single command was chosen"
            book, _ = apply_command(book, Command.parse(v))
        done = r.applied
        if r.book != book:
            return False, (f"{r.node} holds {r.book.as_dict()} after {r.applied} slot(s), but "
                           f"those slots give {book.as_dict()}")
    return True, "replicas at the same applied index hold the same order states"


def snapshot_properties() -> tuple[Any, ...]:
    """The three snapshot properties (``always``)."""
    from paxos_lib.properties import Property

    return (
        Property("one-history", "always",
                 "every replica's applied history is a prefix of one chosen history, even "
                 "across snapshots (running digests)", _one_history),
        Property("applied-once", "always",
                 "no replica applies a slot twice (it never goes back)", _applied_once),
        Property("snapshot-chosen", "always",
                 "every snapshot holds chosen slots only, the chosen prefix", _snapshot_chosen),
    )
