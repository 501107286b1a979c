"""A Raft server: follower, candidate or leader of a replicated log of order commands.

Theory of operation
-------------------
``RaftServer`` is one server's state, frozen and hashable like the Paxos roles; its handlers
take a message (or a timeout, or a client's command) and the ``RaftRules`` and return
``(new_state, effects)``.  They never do I/O, read a clock or draw a random number: the engine
decides what happens when, so the simulator, the stepper and the explorer drive the same code.
Indices are Raft's: the log's first entry has index 1, and ``commit`` is the commit index (the
number of entries known committed).

The rules (Raft, figure 2 of Ongaro and Ousterhout's paper), numbered for lesson 09
---------------------------------------------------------------------------------------
1. **Terms.**  Every message carries its sender's term.  A server that sees a higher term
   adopts it, forgets its vote, and becomes a follower; a message of a lower term is stale
   (a request is refused with the current term, a reply is ignored).
2. **Elections.**  When its election timer fires with no word from a leader, a follower
   becomes a candidate: it starts a new term, votes for itself and sends ``RequestVote`` to
   every peer.  A candidate whose timer fires again starts another term.
3. **One vote per term, up-to-date logs only.**  A server grants its vote in a term to at
   most one candidate, and only to one whose log is at least as up to date as its own: a
   higher last term, or the same last term and at least as many entries.
4. **Leaders.**  A candidate with votes from a majority (its own included) leads the term.
   It sends ``AppendEntries`` to every peer at once and takes client commands: each goes at
   the end of its own log, and out to the peers.  A leader never overwrites or deletes its
   own entries.  There are no holes and no recovery of other servers' slots: the election
   already made sure the new leader holds every committed entry.
5. **Log matching.**  ``AppendEntries`` names the entry just before the new ones
   (``prev_index``, ``prev_term``).  A follower that lacks it refuses, and the leader backs
   ``next_index`` up (to the follower's length at most) and tries again.  Otherwise the
   follower deletes any entry that conflicts with a new one (same index, other term) and
   everything after it, and appends the entries it lacks.
6. **The commit rule.**  The leader advances its commit index to the highest ``N`` such that
   a majority holds index ``N`` *and the entry at ``N`` is of the leader's current term*.
   Entries of earlier terms are then committed with it, indirectly.  Counting replicas of an
   older entry is not enough (figure 8 of the paper; the ``raft-commit-old-term`` variant
   drops the term condition, and the explorer catches it).
7. **Applying.**  Every server applies its committed entries in index order to its
   ``OrderBook``; followers learn the commit index from the leader's ``AppendEntries``.
8. **Clients.**  A follower passes a client's command to the leader it knows (``Forward``);
   with no leader known it waits for its election timer.  A server that is not leading
   drops a forwarded command (the forwarder still holds it).  A follower holding a command that
   is not applied forwards it again when its timer fires, and if the timer fires a second
   time with no word from the leader, it starts an election (rule 2).
9. **Finishing old terms.**  A leader whose log ends with uncommitted entries of earlier
   terms cannot commit them by rule 6 until it holds an entry of its own term; when its timer
   fires with nothing of its term to replicate, it appends a ``noop`` (Raft's no-op entry).

Timer.  A server's timer is armed exactly while it has work the environment must wake it for
(``busy``): a candidate always; a leader while a peer lags (entries or commit index) or its
own log has uncommitted entries; a follower while it holds client commands not yet applied,
or while it knows of a term whose candidate it did not vote for and of no leader in it
(except just after a restart).  Such a follower starts an election on its second timeout:
without it, a candidate whose log is too old to win could keep raising the term while the
servers that could win wait.
NOTE: Raft's election timeouts are randomized so that two followers rarely time out together.
Here the seeded scheduler picks which armed timer fires (and ``Faults.timeout`` fires one
early), which is that randomization; the explorer tries every order.  And as in Multi-Paxos,
an idle follower's timer is off (the engine has no clock), so a run can go quiet; retries
back off exponentially while nothing changes (``backoff``, the same scheme as Multi-Paxos).

Durable and volatile.  ``term``, ``voted_for`` and ``log`` are durable, as Raft requires;
so are ``applied`` (the entries applied, with the term in which each was applied) and the
``book``.  Everything else (role, votes received, ``next_index``, ``match_index``, pending
client commands) is lost in a crash, and the commit index restarts at the applied count.
NOTE: Raft keeps its state machine volatile and replays the log after a restart; keeping the
applied entries with the log is the same as a snapshot written at each apply.
NOTE: ``next_index`` starts at the leader's commit index + 1 rather than at its last index +
1 (figure 2): a follower holds every committed entry of a live majority more often than not,
and walking back from there costs fewer round trips.  Safety rests on rule 5's check, not on
where ``next_index`` starts.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, ClassVar

from paxos_lib.errors import ConfigError
from paxos_lib.messages import Ballot, CancelTimer, Effect, Message, Send, SetTimer
from paxos_lib.orders import NOOP, Command, OrderBook
from paxos_lib.orders import apply as apply_command
from paxos_lib.raft.messages import (
    AppendEntries,
    AppendReply,
    Entry,
    Forward,
    RequestVote,
    VoteReply,
)

if TYPE_CHECKING:
    from paxos_lib.raft.cluster import RaftRules

__all__ = ["NOOP_TEXT", "RAFT_ROLES", "RaftServer"]

NOOP_TEXT = str(NOOP)
RAFT_ROLES = ("follower", "candidate", "leader")

Step = tuple["RaftServer", tuple[Effect, ...]]
_EMPTY_BOOK = OrderBook.empty()
_Applied = tuple[int, str, int]  # (entry term, command, term in which it was applied)
_PerPeer = tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class RaftServer:
    """One Raft server's state (see the module docstring for the rules).

    Durable: ``term``, ``voted_for``, ``log``, ``applied``, ``book``.  Volatile: the rest.
    """

    ROLE: ClassVar[str] = "server"
    DURABLE: ClassVar[tuple[str, ...]] = ("term", "voted_for", "log", "applied", "book")

    node: str
    term: int = 0
    voted_for: str | None = None
    log: tuple[Entry, ...] = ()
    applied: tuple[_Applied, ...] = ()
    book: OrderBook = _EMPTY_BOOK
    role: str = "follower"
    leader: str | None = None
    commit: int = 0
    granted: tuple[str, ...] = ()
    next_index: _PerPeer = ()
    match_index: _PerPeer = ()
    peer_commit: _PerPeer = ()
    pending: tuple[str, ...] = ()
    suspect: bool = False
    restarted: bool = False
    backoff: int = 0

    def __post_init__(self) -> None:
        if self.role not in RAFT_ROLES:
            raise ConfigError(f"unknown Raft role {self.role!r}; roles: {RAFT_ROLES}")

    # -- reading -------------------------------------------------------------------------------

    @property
    def round(self) -> int:
        """The current term (the engine and the explorer bound it like a ballot round)."""
        return self.term

    @property
    def can_propose(self) -> bool:
        """A server takes client commands at any time (it appends, forwards or holds them)."""
        return True

    @property
    def is_leader(self) -> bool:
        return self.role == "leader"

    @property
    def last_term(self) -> int:
        return self.log[-1][0] if self.log else 0

    def commands(self) -> tuple[str, ...]:
        """The commands applied, in index order (no-ops included)."""
        return tuple(c for _, c, _ in self.applied)

    def busy(self, rules: RaftRules) -> bool:
        """True while the server needs its timer (see the module docstring)."""
        if self.role == "candidate":
            return True
        if self.role == "leader":
            if self.commit < len(self.log):
                return True
            match, got = dict(self.match_index), dict(self.peer_commit)
            n = len(self.log)
            return any(match.get(p, 0) < n or got.get(p, 0) < self.commit
                       for p in rules.peers(self.node))
        if self.pending:
            return True
        # We saw a term start but refused its candidate (or never heard from it), and know
        # no leader: the election timer runs, so that some server starts the next election.
        # Not after a restart: a live leader will be heard from when there is work.  (A
        # server that granted its vote leaves the retrying to the candidate.)
        return (self.leader is None and self.term > 0 and self.voted_for is None
                and not self.restarted)

    def describe(self) -> str:
        """One line for traces and tables."""
        if self.role == "leader":
            head = f"leader of term {self.term}"
        elif self.role == "candidate":
            head = f"candidate in term {self.term} ({len(self.granted)} vote(s))"
        else:
            head = f"follower in term {self.term} of {self.leader or 'nobody'}"
        parts = [head, f"log {len(self.log)}, commit {self.commit}, applied {len(self.applied)}"]
        if self.pending:
            parts.append(f"{len(self.pending)} pending")
        return ", ".join(parts)

    def view_lines(self) -> list[str]:
        """Two short lines for the cluster view (``paxos_lib.viz.viewmodel``)."""
        vote = "" if self.voted_for is None else f" · voted {self.voted_for}"
        return [f"{self.role} · term {self.term}{vote}",
                f"log {len(self.log)} · commit {self.commit} · applied {len(self.applied)}"]

    def view_log(self) -> list[dict[str, object]]:
        """The log for the cluster view, one slot per entry (slot = Raft index): ``applied``,
        ``committed``, or ``accepted`` (held, not known committed), with its term."""
        out: list[dict[str, object]] = []
        for i, (term, command) in enumerate(self.log):
            status = ("applied" if i < len(self.applied) else
                      "committed" if i < self.commit else "accepted")
            out.append({"slot": i + 1, "status": status, "command": command,
                        "ballot": f"t{term}", "noop": command == NOOP_TEXT})
        return out

    # -- the engine's interface ---------------------------------------------------------------

    def on_propose(self, value: str, rules: RaftRules) -> Step:
        """A client hands this server a command: append it, forward it or hold it (rule 8)."""
        Command.parse(value)
        d = _Draft(self, rules)
        d.take(value)
        return d.finish()

    def on_message(self, msg: Message, rules: RaftRules) -> Step:
        d = _Draft(self, rules)
        if isinstance(msg, RequestVote):
            d.on_request_vote(msg)
        elif isinstance(msg, VoteReply):
            d.on_vote(msg)
        elif isinstance(msg, AppendEntries):
            d.on_append(msg)
        elif isinstance(msg, AppendReply):
            d.on_append_reply(msg)
        elif isinstance(msg, Forward):
            d.see_term(msg.term)
            if d.role == "leader":
                d.take(msg.command, msg.src)
            # not leading: drop it; the forwarder keeps the command and retries (rule 8)
        return d.finish()

    def on_timeout(self, rules: RaftRules) -> Step:
        """The timer fired: start or restart an election, resend, or append a no-op."""
        d = _Draft(self, rules)
        d.on_timeout()
        return d.finish()

    def after_recover(self, rules: RaftRules) -> Step:
        """Restart code: re-arm the timer (a crash disarmed it) if there is work."""
        return self, ((SetTimer(self.node),) if self.busy(rules) else ())

    def after_crash(self, rules: RaftRules) -> RaftServer:
        """What survives a crash: the durable fields; the commit index restarts at what was
        applied, and the server is a follower that knows no leader."""
        return RaftServer(node=self.node, term=self.term, voted_for=self.voted_for,
                          log=self.log, applied=self.applied, book=self.book,
                          commit=len(self.applied), restarted=True)


_FIELDS = tuple(f.name for f in fields(RaftServer))
_BACKOFF_CAP = 63
_PROGRESS = tuple(n for n in _FIELDS if n not in ("backoff", "suspect"))
_ACT_AT = frozenset({1, 2, 4, 8, 16, 32})


class _Draft:
    """A mutable working copy of a ``RaftServer`` for one handler; ``finish`` freezes it."""

    def __init__(self, state: RaftServer, rules: RaftRules) -> None:
        self._old = state
        self.rules = rules
        for name in _FIELDS:
            setattr(self, name, getattr(state, name))
        self.node: str
        self.term: int
        self.voted_for: str | None
        self.log: tuple[Entry, ...]
        self.applied: tuple[_Applied, ...]
        self.book: OrderBook
        self.role: str
        self.leader: str | None
        self.commit: int
        self.granted: tuple[str, ...]
        self.next_index: _PerPeer
        self.match_index: _PerPeer
        self.peer_commit: _PerPeer
        self.pending: tuple[str, ...]
        self.suspect: bool
        self.backoff: int
        self.timing_out = False
        self.effects: list[Effect] = []

    def finish(self) -> Step:
        old = self._old
        values = {name: getattr(self, name) for name in _FIELDS}
        if not self.timing_out and values["backoff"] and any(
            values[n] != getattr(old, n) for n in _PROGRESS
        ):
            values["backoff"] = 0  # something happened: act at once on the next timeout
        new = RaftServer(**values)
        if not self.effects and new == old:
            return old, ()
        was, now = old.busy(self.rules), new.busy(self.rules)
        if now and not was:
            self.effects.append(SetTimer(self.node))
        elif was and not now:
            self.effects.append(CancelTimer(self.node))
        return new, tuple(self.effects)

    # -- plumbing ------------------------------------------------------------------------------

    def send(self, message: Message) -> None:
        self.effects.append(Send(message))

    def peers(self) -> tuple[str, ...]:
        return self.rules.peers(self.node)

    def commands(self) -> tuple[str, ...]:
        return tuple(c for _, c, _ in self.applied)

    @property
    def last_term(self) -> int:
        return self.log[-1][0] if self.log else 0

    def term_of(self, index: int) -> int:
        """The term of the entry at ``index`` (0 for index 0, before the log)."""
        return self.log[index - 1][0] if index > 0 else 0

    def set_peer(self, name: str, peer: str, value: int) -> None:
        table = dict(getattr(self, name))
        table[peer] = value
        setattr(self, name, tuple(sorted(table.items())))

    # -- rule 1: terms ---------------------------------------------------------------------------

    def see_term(self, term: int) -> None:
        """A higher term: adopt it, forget the vote, and follow (nobody known yet)."""
        if term > self.term:
            self.term = term
            self.voted_for = None
            self.restarted = False
            self.become_follower(None)

    def become_follower(self, leader: str | None) -> None:
        self.role = "follower"
        self.granted = ()
        self.next_index = ()
        self.match_index = ()
        self.peer_commit = ()
        self.follow(leader)

    def follow(self, leader: str | None) -> None:
        """Believe ``leader`` leads this term; pass it the client commands we hold."""
        if leader == self.leader:
            return
        self.leader = leader
        if leader is not None and leader != self.node:
            for c in self.pending:
                self.send(Forward(src=self.node, dst=leader, ballot=Ballot(self.term, leader),
                                  command=c))

    # -- rules 2-4: elections ----------------------------------------------------------------------

    def start_election(self) -> None:
        """Rule 2: a new term, a vote for ourselves, and RequestVote to every peer."""
        self.term += 1
        self.voted_for = self.node
        self.role = "candidate"
        self.leader = None
        self.suspect = False
        self.granted = (self.node,)
        self.next_index = ()
        self.match_index = ()
        self.peer_commit = ()
        for peer in self.peers():
            self.send(RequestVote(src=self.node, dst=peer, ballot=Ballot(self.term, self.node),
                                  last_index=len(self.log), last_term=self.last_term))
        if len(self.granted) >= self.rules.quorum:
            self.become_leader()

    def on_request_vote(self, msg: RequestVote) -> None:
        """Rule 3: one vote per term, and only for a candidate at least as up to date."""
        self.see_term(msg.term)
        up_to_date = (msg.last_term, msg.last_index) >= (self.last_term, len(self.log))
        grant = (msg.term == self.term and self.voted_for in (None, msg.src) and up_to_date)
        if grant:
            self.voted_for = msg.src
            self.suspect = False
        self.send(VoteReply(src=self.node, dst=msg.src, ballot=Ballot(self.term, msg.src),
                            granted=grant))

    def on_vote(self, msg: VoteReply) -> None:
        """Rule 4: with a majority of votes in its term, the candidate leads."""
        self.see_term(msg.term)
        if (self.role != "candidate" or msg.term != self.term or not msg.granted
                or msg.src in self.granted):
            return
        self.granted = (*self.granted, msg.src)
        if len(self.granted) >= self.rules.quorum:
            self.become_leader()

    def become_leader(self) -> None:
        """Rule 4: lead; append the commands we hold; AppendEntries to every peer at once."""
        self.role = "leader"
        self.leader = self.node
        self.granted = ()
        start = self.commit + 1
        self.next_index = tuple((p, start) for p in self.peers())
        self.match_index = tuple((p, 0) for p in self.peers())
        self.peer_commit = tuple((p, 0) for p in self.peers())
        waiting, self.pending = self.pending, ()
        held = {c for _, c in self.log}
        for c in waiting:
            if c not in held:
                self.log = (*self.log, (self.term, c))
        for peer in self.peers():
            self.replicate(peer)
        self.advance_commit()

    # -- rules 4-7: replication --------------------------------------------------------------------

    def replicate(self, peer: str) -> None:
        """AppendEntries to ``peer``: every entry from its ``next_index`` on."""
        nxt = dict(self.next_index).get(peer, len(self.log) + 1)
        prev = nxt - 1
        self.send(AppendEntries(src=self.node, dst=peer, ballot=Ballot(self.term, self.node),
                                prev_index=prev, prev_term=self.term_of(prev),
                                entries=self.log[prev:], commit=self.commit))

    def take(self, command: str, src: str | None = None) -> None:
        """A client's command (or one forwarded by ``src``): append, forward or hold it."""
        if command in self.commands():
            return
        if self.role == "leader":
            if any(c == command for _, c in self.log):
                if src is not None:
                    self.replicate(src)  # the forwarder lags: send it what it lacks
                return
            self.log = (*self.log, (self.term, command))
            for peer in self.peers():
                self.replicate(peer)
            self.advance_commit()
            return
        if command in self.pending:
            return
        self.pending = (*self.pending, command)
        if self.role == "follower" and self.leader is not None and self.leader != self.node:
            self.send(Forward(src=self.node, dst=self.leader,
                              ballot=Ballot(self.term, self.leader), command=command))

    def on_append(self, msg: AppendEntries) -> None:
        """Rule 5: the consistency check, conflict truncation, append; rule 7: commit."""
        if msg.term < self.term:
            self.send(AppendReply(src=self.node, dst=msg.src, ballot=Ballot(self.term, msg.src),
                                  success=False, match=len(self.log), commit=self.commit))
            return
        self.see_term(msg.term)
        if self.role != "follower":
            self.become_follower(None)
        self.follow(msg.src)
        self.suspect = False
        self.restarted = False
        prev = msg.prev_index
        if prev > len(self.log) or self.term_of(prev) != msg.prev_term:
            self.send(AppendReply(src=self.node, dst=msg.src, ballot=Ballot(self.term, msg.src),
                                  success=False, match=min(len(self.log), prev - 1)
                                  if prev > 0 else 0, commit=self.commit))
            return
        log = list(self.log)
        for k, entry in enumerate(msg.entries):
            index = prev + 1 + k
            if index <= len(log):
                if log[index - 1][0] == entry[0]:
                    continue
                del log[index - 1:]  # a conflict: this entry and all that follow it go
            log.append(entry)
        self.log = tuple(log)
        match = prev + len(msg.entries)
        if msg.commit > self.commit:
            self.commit = max(self.commit, min(msg.commit, match))
            self.apply_committed()
        self.send(AppendReply(src=self.node, dst=msg.src, ballot=Ballot(self.term, msg.src),
                              success=True, match=match, commit=self.commit))

    def on_append_reply(self, msg: AppendReply) -> None:
        """The leader learns how far a follower matches it; on a refusal it backs up."""
        self.see_term(msg.term)
        if self.role != "leader" or msg.term != self.term:
            return
        peer = msg.src
        if msg.commit > dict(self.peer_commit).get(peer, 0):
            self.set_peer("peer_commit", peer, msg.commit)
        if msg.success:
            if msg.match > dict(self.match_index).get(peer, 0):
                self.set_peer("match_index", peer, msg.match)
            if msg.match + 1 > dict(self.next_index).get(peer, 1):
                self.set_peer("next_index", peer, msg.match + 1)
            self.advance_commit()
            return
        nxt = dict(self.next_index).get(peer, 1)
        back = max(1, min(nxt - 1, msg.match + 1))
        if back < nxt:
            self.set_peer("next_index", peer, back)
            self.replicate(peer)

    def advance_commit(self) -> None:
        """Rule 6, through ``rules.commit_index`` (the variant's, or an exercise's)."""
        match = dict(self.match_index)
        matches = tuple([len(self.log), *(match.get(p, 0) for p in self.peers())])
        new = self.rules.commit_index(tuple(t for t, _ in self.log), matches, self.term,
                                      self.commit, self.rules.quorum)
        if new > self.commit:
            self.commit = min(new, len(self.log))
            self.apply_committed()

    def apply_committed(self) -> None:
        """Rule 7: apply the committed entries not applied yet, in index order."""
        book = self.book
        applied = list(self.applied)
        for index in range(len(applied) + 1, self.commit + 1):
            t, command = self.log[index - 1]
            book, _ = apply_command(book, Command.parse(command))
            applied.append((t, command, self.term))
        self.book = book
        self.applied = tuple(applied)
        if self.pending:
            done = set(self.commands())
            self.pending = tuple(c for c in self.pending if c not in done)

    # -- timeouts --------------------------------------------------------------------------------

    def on_timeout(self) -> None:
        self.timing_out = True
        if self.rules.backoff:
            self.backoff = (self.backoff + 1 if self.backoff < _BACKOFF_CAP
                            else _BACKOFF_CAP // 2 + 1)
            if self.backoff not in _ACT_AT:
                return  # back off: nothing changed since the last try
        if self.role == "candidate":
            self.start_election()  # rule 2: a split or lost vote; try a new term
            return
        if self.role == "leader":
            if self.commit < len(self.log) and self.last_term < self.term:
                self.log = (*self.log, (self.term, NOOP_TEXT))  # rule 9
                self.advance_commit()
            match, got = dict(self.match_index), dict(self.peer_commit)
            for peer in self.peers():
                if match.get(peer, 0) < len(self.log) or got.get(peer, 0) < self.commit:
                    self.replicate(peer)
            return
        if self.leader is None and not self.pending:
            if self.suspect:
                self.start_election()  # rule 2: still no leader after a whole timeout
            else:
                self.suspect = True
            return
        if self.pending:
            if self.suspect or self.leader is None or self.leader == self.node:
                self.start_election()
            else:
                self.suspect = True
                for c in self.pending:
                    self.send(Forward(src=self.node, dst=self.leader,
                                      ballot=Ballot(self.term, self.leader), command=c))
