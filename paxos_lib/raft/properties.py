"""What must hold of Raft, read only through observation functions.

Theory of operation
-------------------
The properties read a ``World`` whose cluster is a ``RaftCluster`` through these observations:

- ``leaders(world)``: ``{term: servers that led it}``, from the engine's history of facts read
  off every message (an ``AppendEntries`` records that its sender led its term; a new leader
  sends one to every peer at once) and from the servers now leading.
- ``votes_cast(world)``: ``{(voter, term): candidates it granted its vote}`` (history).
- ``log(world, s)``: server ``s``'s log, ``(term, command)`` entries from index 1.
- ``applied(world, s)``: the commands ``s`` has applied, in index order.
- ``order_states(world, s)``: ``{order id: status}`` in ``s``'s order book.

The ``always`` properties are Raft's (figure 3 of the paper) plus two of the engine's own:

- ``election-safety``: at most one leader per term.
- ``one-vote-per-term``: no server grants two candidates its vote in one term.
- ``log-matching``: if two logs hold an entry with the same index and term, the logs are
  identical up to that index.
- ``leader-completeness``: an entry applied (so committed) by any server in term ``t`` is in
  the log of every leader of a term above ``t``.  (A server applies an entry in a term no
  earlier than the one it was committed in, so this is Raft's property, checked from the
  history the servers keep.)
- ``state-machine-safety``: applied command sequences are prefixes of one another, and two
  servers that applied as many entries hold the same order states.
- ``validity``: only submitted commands (and no-ops) are applied.

The ``sometimes`` property ``all-applied`` (every submitted command applied on every server)
shows a run made progress, so a passing safety check is not vacuous.  Every quantity read here
only grows, or is checked in every world the explorer reaches.
"""

from __future__ import annotations

from paxos_lib.engine import World
from paxos_lib.errors import ConfigError, UnknownNodeError, one_of
from paxos_lib.orders import Command, OrderBook
from paxos_lib.orders import replay as replay_commands
from paxos_lib.properties import Property, Verdict
from paxos_lib.raft.messages import Entry
from paxos_lib.raft.server import NOOP_TEXT, RaftServer

__all__ = [
    "RAFT_PROPERTIES",
    "applied",
    "check_all",
    "leaders",
    "log",
    "order_states",
    "server",
    "server_rows",
    "servers",
    "votes_cast",
]


# -- observation functions --------------------------------------------------------------------


def servers(world: World) -> tuple[RaftServer, ...]:
    """Every server's state, in id order."""
    out = tuple(s for s in world.nodes if isinstance(s, RaftServer))
    if len(out) != len(world.nodes):
        raise ConfigError(f"expected a world of a RaftCluster, got one of {world.config.cluster!r}")
    return out


def server(world: World, node: str) -> RaftServer:
    """The state of server ``node``."""
    ids = world.config.cluster.node_ids
    if node not in ids:
        raise UnknownNodeError(f"unknown server {node!r}; choose {one_of(ids)}")
    state = world.nodes[ids.index(node)]
    if not isinstance(state, RaftServer):
        raise ConfigError(f"{node!r} is not a Raft server: {state!r}")
    return state


def log(world: World, node: str) -> tuple[Entry, ...]:
    """``node``'s log: ``(term, command)`` entries, the first at index 1."""
    return server(world, node).log


def applied(world: World, node: str) -> tuple[str, ...]:
    """The commands ``node`` has applied to its order book, in index order."""
    return server(world, node).commands()


def order_states(world: World, node: str) -> dict[int, str]:
    """``{order id: status name}`` in ``node``'s order book."""
    return server(world, node).book.as_dict()


def leaders(world: World) -> dict[int, frozenset[str]]:
    """``{term: every server that led it}`` (history, plus the servers leading now)."""
    out: dict[int, set[str]] = {}
    for fact in world.votes:
        if len(fact) == 4 and fact[1] == "leader":
            out.setdefault(fact[2], set()).add(fact[0])  # type: ignore[arg-type,misc]
    for s in servers(world):
        if s.is_leader:
            out.setdefault(s.term, set()).add(s.node)
    return {t: frozenset(v) for t, v in sorted(out.items())}


def votes_cast(world: World) -> dict[tuple[str, int], frozenset[str]]:
    """``{(voter, term): the candidates it granted its vote}`` (history)."""
    out: dict[tuple[str, int], set[str]] = {}
    for fact in world.votes:
        if len(fact) == 4 and fact[1] == "vote":
            out.setdefault((fact[0], fact[2]), set()).add(fact[3])  # type: ignore[arg-type,misc]
    return {k: frozenset(v) for k, v in sorted(out.items())}


def server_rows(world: World) -> list[dict[str, str]]:
    """One row per server for a state table: ``server``, ``status``, ``role``, ``term``,
    ``commit`` (commit index / log length), ``state`` (one line) and ``log`` (entries as
    ``term:command``)."""
    rows = []
    for s in servers(world):
        rows.append({
            "server": s.node,
            "status": "crashed" if s.node in world.crashed else "up",
            "role": s.role,
            "term": str(s.term),
            "commit": f"{s.commit}/{len(s.log)}",
            "state": s.describe(),
            "log": " | ".join(f"{t}:{c}" for t, c in s.log) or "·",
        })
    return rows


# -- the properties ---------------------------------------------------------------------------


def _election_safety(world: World) -> tuple[bool, str]:
    by_term = leaders(world)
    for term, who in by_term.items():
        if len(who) > 1:
            return False, f"term {term} has {len(who)} leaders: {', '.join(sorted(who))}"
    return True, f"{len(by_term)} term(s) with a leader, one leader each"


def _one_vote(world: World) -> tuple[bool, str]:
    for (voter, term), cands in votes_cast(world).items():
        if len(cands) > 1:
            return False, (f"{voter} voted for {' and '.join(sorted(cands))} in term {term}")
    return True, "no server voted twice in one term"


def _log_matching(world: World) -> tuple[bool, str]:
    reps = servers(world)
    for i, a in enumerate(reps):
        for b in reps[i + 1:]:
            for n in range(min(len(a.log), len(b.log)), 0, -1):
                if a.log[n - 1][0] == b.log[n - 1][0]:
                    if a.log[:n] != b.log[:n]:
                        k = next(k for k in range(n) if a.log[k] != b.log[k])
                        return False, (f"{a.node} and {b.node} both hold a term-"
                                       f"{a.log[n - 1][0]} entry at index {n}, but differ at "
                                       f"index {k + 1}: {a.log[k]} vs {b.log[k]}")
                    break
    return True, "logs that share an entry (index and term) agree on every entry before it"


def _leader_completeness(world: World) -> tuple[bool, str]:
    reps = servers(world)
    ruling = [s for s in reps if s.is_leader]
    for s in reps:
        for index, (term, command, when) in enumerate(s.applied, 1):
            for lead in ruling:
                if lead.term > when and (
                    len(lead.log) < index or lead.log[index - 1] != (term, command)
                ):
                    return False, (f"{s.node} applied {command!r} (term {term}) at index "
                                   f"{index} in term {when}, but {lead.node}, leader of term "
                                   f"{lead.term}, does not hold it there")
    return True, "every leader holds every entry applied in an earlier term"


def _state_machine_safety(world: World) -> tuple[bool, str]:
    reps = sorted(servers(world), key=lambda s: len(s.applied))
    longest = reps[-1]
    cmds = longest.commands()
    for s in reps[:-1]:
        mine = s.commands()
        if mine != cmds[: len(mine)]:
            i = next(i for i in range(len(mine)) if mine[i] != cmds[i])
            return False, (f"{s.node} applied {mine[i]!r} at index {i + 1} but {longest.node} "
                           f"applied {cmds[i]!r}")
    book = OrderBook.empty()
    done = 0
    for s in reps:
        n = len(s.applied)
        book, _ = replay_commands([Command.parse(c) for c in cmds[done:n]], book)
        done = n
        if s.book != book:
            return False, (f"{s.node} holds {s.book.as_dict()} after {n} entries, but those "
                           f"entries give {book.as_dict()}")
    counts = ", ".join(f"{s.node} {len(s.applied)}" for s in servers(world))
    return True, f"applied sequences are prefixes of one another (applied: {counts})"


def _validity(world: World) -> tuple[bool, str]:
    bad = sorted({c for s in servers(world) for c in s.commands() if c != NOOP_TEXT}
                 - world.proposed)
    if not bad:
        return True, "every applied command was submitted by a client (or is a no-op)"
    return False, f"applied but never submitted: {', '.join(map(repr, bad))}"


def _all_applied(world: World) -> tuple[bool, str]:
    if not world.proposed:
        return False, "no command submitted yet"
    missing = []
    for s in servers(world):
        lacking = sorted(world.proposed - set(s.commands()))
        if lacking:
            missing.append(f"{s.node} lacks {len(lacking)} (e.g. {lacking[0]!r})")
    if not missing:
        return True, f"all {len(world.proposed)} submitted command(s) applied on every server"
    return False, "; ".join(missing)


RAFT_PROPERTIES: tuple[Property, ...] = (
    Property("election-safety", "always", "at most one leader in each term", _election_safety),
    Property("one-vote-per-term", "always", "no server votes for two candidates in one term",
             _one_vote),
    Property("log-matching", "always",
             "two logs with an entry of the same index and term agree up to it", _log_matching),
    Property("leader-completeness", "always",
             "an entry committed in a term is in the log of every leader of a later term",
             _leader_completeness),
    Property("state-machine-safety", "always",
             "servers apply the same commands in the same order", _state_machine_safety),
    Property("validity", "always", "only submitted commands (and no-ops) are applied", _validity),
    Property("all-applied", "sometimes",
             "at least one command was submitted, and every submitted command is applied on "
             "every server", _all_applied),
)


def check_all(world: World, kind: str = "always") -> list[Verdict]:
    """Every Raft property of ``kind`` ('always' or 'sometimes') checked in ``world``."""
    if kind not in ("always", "sometimes"):
        raise ConfigError(f"kind must be 'always' or 'sometimes', got {kind!r}")
    return [p(world) for p in RAFT_PROPERTIES if p.kind == kind]
