"""Student implementations for the grader's tests: the reference written as a student
would hand it in, and versions that each break one rule (some wrap the library's variants).

Each class subclasses the project's base class and delegates to the library's reference
handlers, with one rule changed."""

from __future__ import annotations

from dataclasses import dataclass, replace

from paxos_lib import roles
from paxos_lib.grading import Acceptor, Learner, Proposer


def _rules(rules, **changes):
    return replace(rules, **changes)


class RefAcceptor(Acceptor):
    def on_prepare(self, msg, rules):
        return roles.Acceptor.on_prepare(self, msg, rules)

    def on_accept(self, msg, rules):
        return roles.Acceptor.on_accept(self, msg, rules)


class RefProposer(Proposer):
    _start_ballot = roles.Proposer._start_ballot
    _pick_value = roles.Proposer._pick_value

    def on_propose(self, value, rules):
        return roles.Proposer.on_propose(self, value, rules)

    def on_promise(self, msg, rules):
        return roles.Proposer.on_promise(self, msg, rules)

    def on_accepted(self, msg, rules):
        return roles.Proposer.on_accepted(self, msg, rules)

    def on_nack(self, msg, rules):
        return roles.Proposer.on_nack(self, msg, rules)

    def on_timeout(self, rules):
        return roles.Proposer.on_timeout(self, rules)


class RefLearner(Learner):
    def on_accepted(self, msg, rules):
        return roles.Learner.on_accepted(self, msg, rules)

    def on_decided(self, msg, rules):
        return roles.Learner.on_decided(self, msg, rules)


# -- the library's variants, as student code ---------------------------------------------------


class SnippetAcceptor(RefAcceptor):
    """The rule the 'snippet' variant breaks in its acceptors: promises carry no vote."""

    def on_prepare(self, msg, rules):
        return roles.Acceptor.on_prepare(self, msg, _rules(rules, promise_reports_accepted=False))


class AmnesiacAcceptor(RefAcceptor):
    """variant 'amnesiac-acceptor': forgets its promise and vote on a crash."""

    def after_crash(self, rules):
        return type(self)(node=self.node)


class ForgetfulProposer(RefProposer):
    """variant 'forgetful-proposer': ignores the values reported in promises."""

    def on_promise(self, msg, rules):
        return roles.Proposer.on_promise(self, msg, _rules(rules, pick_vote="own"))


class DuplicateBallotProposer(RefProposer):
    """variant 'duplicate-ballots': every proposer uses the same ballot ids."""

    def on_propose(self, value, rules):
        return roles.Proposer.on_propose(self, value, _rules(rules, unique_ballots=False))

    def on_timeout(self, rules):
        return roles.Proposer.on_timeout(self, _rules(rules, unique_ballots=False))


class MinorityQuorumProposer(RefProposer):
    """variant 'minority-quorum': a quorum of half the acceptors, rounded down."""

    def on_promise(self, msg, rules):
        q = max(1, len(rules.acceptors) // 2)
        return roles.Proposer.on_promise(self, msg, _rules(rules, quorum=q))

    def on_accepted(self, msg, rules):
        q = max(1, len(rules.acceptors) // 2)
        return roles.Proposer.on_accepted(self, msg, _rules(rules, quorum=q))


# -- one rule broken, written here ---------------------------------------------------------


class AcceptsBelowPromise(RefAcceptor):
    """Accepts any ballot, whatever it promised."""

    def on_accept(self, msg, rules):
        return roles.Acceptor.on_accept(replace(self, promised=None), msg, rules)


class AcrossBallotsLearner(RefLearner):
    """Counts votes for a value across ballots."""

    def on_accepted(self, msg, rules):
        if self.learned is not None:
            return self, ()
        votes = self.votes | {(msg.src, msg.ballot, msg.value)}
        voters = {a for a, _, v in votes if v == msg.value}
        learned = msg.value if len(voters) >= rules.quorum else None
        return replace(self, votes=votes, learned=learned), ()


class LazyProposer(RefProposer):
    """Never retries when its timer fires (a liveness bug)."""

    def on_timeout(self, rules):
        return self, ()


class ForgetsRoundProposer(RefProposer):
    """Forgets its round when it crashes."""

    def after_crash(self, rules):
        return type(self)(node=self.node)


class RaisingAcceptor(RefAcceptor):
    """Raises on the second ballot it sees."""

    def on_prepare(self, msg, rules):
        if self.promised is not None:
            raise KeyError("promised")
        return roles.Acceptor.on_prepare(self, msg, rules)


class BadReturnLearner(RefLearner):
    """Returns only the new state."""

    def on_decided(self, msg, rules):
        return replace(self, learned=msg.value)


class LoopingAcceptor(RefAcceptor):
    """Never returns from on_accept: its loop's condition never changes."""

    def on_accept(self, msg, rules):
        waited = 0
        while msg.ballot is not None:
            waited += 1
        return self, ()


class SwallowingLoopProposer(RefProposer):
    """Loops for ever on a timeout, catching every Exception inside the loop."""

    def on_timeout(self, rules):
        while True:
            try:
                int("not a number")
            except Exception:
                continue


@dataclass(frozen=True)
class DuckLearner:
    """The reference learner written from scratch: no px.grading.Learner base class."""

    node: str
    learned: str | None = None
    votes: frozenset = frozenset()

    def on_accepted(self, msg, rules):
        if self.learned is not None:
            return self, ()
        votes = self.votes | {(msg.src, msg.ballot, msg.value)}
        count = sum(1 for _, b, v in votes if b == msg.ballot and v == msg.value)
        return replace(self, votes=votes,
                       learned=msg.value if count >= rules.quorum else None), ()

    def on_decided(self, msg, rules):
        return (self, ()) if self.learned is not None else (replace(self, learned=msg.value), ())


@dataclass(frozen=True)
class FickleDuckLearner(DuckLearner):
    """Written from scratch, and takes every vote's value as learned: changes its mind."""

    def on_accepted(self, msg, rules):
        return replace(self, learned=msg.value), ()


__all__ = [n for n in dir() if n[0].isupper()]

