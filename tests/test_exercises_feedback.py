"""Every check a lesson uses, held to the same three rules:

1. the reference answer (as in the solution notebook) gets "✓ Well done";
2. several distinct wrong answers each get their own diagnosis (a phrase that names that
   mistake), and no two of them are told the same thing;
3. no feedback message, for any of those wrong answers (the lesson's starter included),
   contains the reference answer's code or its key expression.
"""

from __future__ import annotations

import inspect
import random
import re
import textwrap
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import paxos_lib as px
from paxos_lib.exercises import Feedback

ex = px.exercises


@dataclass(frozen=True)
class Case:
    check: Callable[[Any], Feedback]
    reference: Callable[..., Any]
    keys: tuple[str, ...]  # the answer's key expressions, which no message may contain
    wrong: tuple[tuple[Callable[..., Any], str], ...]  # (wrong answer, phrase of its diagnosis)


# -- reference answers, as in tools/lessons/solutions/ ------------------------------------------


def lease_read_safe(now, start, duration, drift):  # type: ignore[no-untyped-def]
    return now - start < duration * (1 - drift) / (1 + drift)


def lease_read_safe_window(duration, drift):  # type: ignore[no-untyped-def]  # for a wrong one
    return duration * (1 - drift) / (1 + drift)



def should_promise(promised, ballot):  # type: ignore[no-untyped-def]
    return promised is None or ballot >= promised


def should_accept(promised, ballot):  # type: ignore[no-untyped-def]
    return promised is None or ballot >= promised


def learn(accepted, n):  # type: ignore[no-untyped-def]
    voters = {}
    for acceptor, ballot, value in accepted:
        voters.setdefault((ballot, value), set()).add(acceptor)
        if len(voters[(ballot, value)]) > n / 2:
            return value
    return None


def tradeoff(n, quorum):  # type: ignore[no-untyped-def]
    return n - quorum, 2 * quorum > n


def pick_value(promises, own):  # type: ignore[no-untyped-def]
    votes = [(ballot, value) for acceptor, ballot, value in promises if ballot is not None]
    if not votes:
        return own
    _, value = max(votes)
    return value


def foo_bar():  # type: ignore[no-untyped-def]
    return {"B proposes": "foo", "because of": "a3", "chosen": "foo"}


def chosen_values(votes, quorum):  # type: ignore[no-untyped-def]
    voters = {}
    for acceptor, ballot, value in votes:
        voters.setdefault((ballot, value), set()).add(acceptor)
    return {value for (ballot, value), who in voters.items() if len(who) >= quorum}


def accept_y(sim):  # type: ignore[no-untyped-def]
    sim.deliver("accept", "p3", "a4")


def persist(acceptor):  # type: ignore[no-untyped-def]
    return {
        "promised": acceptor.promised,
        "accepted_ballot": acceptor.accepted_ballot,
        "accepted_value": acceptor.accepted_value,
    }


def writes(message, before, after):  # type: ignore[no-untyped-def]
    fields = ("promised", "accepted_ballot", "accepted_value")
    return {name for name in fields if getattr(before, name) != getattr(after, name)}


def can_choose(cluster, side):  # type: ignore[no-untyped-def]
    has_proposer = any(node in cluster.proposer_ids for node in side)
    acceptors = sum(1 for node in side if node in cluster.acceptor_ids)
    return has_proposer and acceptors >= cluster.quorum_size


def backoff(attempt, rng):  # type: ignore[no-untyped-def]
    window = min(256, 8 * 2 ** (attempt - 1))
    return rng.randint(0, window)


def should_retry(me, up):  # type: ignore[no-untyped-def]
    return me == min(up)


def agreement(world):  # type: ignore[no-untyped-def]
    voters = {}
    for acceptor, ballot, value in world.votes:
        voters.setdefault((ballot, value), set()).add(acceptor)
    quorum = world.config.rules.quorum
    chosen = {value for (ballot, value), who in voters.items() if len(who) >= quorum}
    return len(chosen) <= 1


def bounds(variant):  # type: ignore[no-untyped-def]
    acceptors = 2 if variant == "minority-quorum" else 1
    crashes = 1 if variant == "amnesiac-acceptor" else 0
    rounds = 2 if variant == "snippet" else 1
    return {"acceptors": acceptors, "max_ballot": rounds, "max_crashes": crashes}


def snippet_schedule(sim):  # type: ignore[no-untyped-def]
    b1, b2 = px.Ballot(1, "p"), px.Ballot(2, "p")
    first_choice_on_snippet(sim)
    sim.propose("p2", "cancelled")
    sim.apply(px.Deliver(px.Prepare(src="p2", dst="a2", ballot=b1)))
    sim.apply(px.Deliver(px.Nack(src="a2", dst="p2", ballot=b1, promised=b1)))
    sim.apply(px.Timeout("p2"))
    for a in ("a2", "a3"):
        sim.apply(px.Deliver(px.Prepare(src="p2", dst=a, ballot=b2)))
    for a in ("a2", "a3"):
        sim.apply(px.Deliver(px.Promise(src=a, dst="p2", ballot=b2)))
    for a in ("a2", "a3"):
        sim.apply(px.Deliver(px.Accept(src="p2", dst=a, ballot=b2, value="cancelled")))


def first_choice_on_snippet(sim):  # type: ignore[no-untyped-def]
    b1 = px.Ballot(1, "p")
    sim.propose("p1", "confirmed")
    for a in ("a1", "a2"):
        sim.apply(px.Deliver(px.Prepare(src="p1", dst=a, ballot=b1)))
    for a in ("a1", "a2"):
        sim.apply(px.Deliver(px.Promise(src=a, dst="p1", ballot=b1)))
    for a in ("a1", "a2"):
        sim.apply(px.Deliver(px.Accept(src="p1", dst=a, ballot=b1, value="confirmed")))


def classic_ballot_on_snippet(sim):  # type: ignore[no-untyped-def]
    sim.propose("p1", "confirmed")
    sim.apply(px.Deliver(px.Prepare(src="p1", dst="a1", ballot=px.Ballot(1, "p1"))))


def canonical(acceptors):  # type: ignore[no-untyped-def]
    return tuple(sorted(acceptors.values()))


def first_gap(log):  # type: ignore[no-untyped-def]
    for slot, command in enumerate(log):
        if command is None:
            return slot
    return len(log)


def recover_slot(votes):  # type: ignore[no-untyped-def]
    if not votes:
        return "noop"
    _, command = max(votes, key=lambda vote: vote[0])
    return command


def dedup(table, client, request):  # type: ignore[no-untyped-def]
    if client not in table or request > table[client][0]:
        return ("apply", None)
    last_request, last_reply = table[client]
    if request == last_request:
        return ("reply", last_reply)
    return ("ignore", None)


def commit_index(log_terms, match_index, current_term, commit_index, majority):  # type: ignore[no-untyped-def]
    for n in range(len(log_terms), commit_index, -1):
        stored = sum(1 for m in match_index if m >= n)
        if log_terms[n - 1] == current_term and stored >= majority:
            return n
    return commit_index


def counting_copies(log_terms, match_index, current_term, commit_index, majority):  # type: ignore[no-untyped-def]  # lesson 09's starter
    for n in range(len(log_terms), commit_index, -1):
        if sum(1 for m in match_index if m >= n) >= majority:
            return n
    return commit_index


def every_server(log_terms, match_index, current_term, commit_index, majority):  # type: ignore[no-untyped-def]
    for n in range(len(log_terms), commit_index, -1):
        if log_terms[n - 1] == current_term and all(m >= n for m in match_index):
            return n
    return commit_index


def last_entry_only(log_terms, match_index, current_term, commit_index, majority):  # type: ignore[no-untyped-def]
    n = len(log_terms)
    if n > commit_index and log_terms[-1] == current_term and sum(
            1 for m in match_index if m >= n) >= majority:
        return n
    return commit_index


def from_scratch(log_terms, match_index, current_term, commit_index, majority):  # type: ignore[no-untyped-def]
    for n in range(len(log_terms), 0, -1):
        if log_terms[n - 1] == current_term and sum(1 for m in match_index if m >= n) >= majority:
            return n
    return 0
def inductive_invariant(s):  # type: ignore[no-untyped-def]
    def safe_at(b, v):
        return all(any(all(s.voted_for(a, c, v) or s.cannot_vote_at(a, c) for a in q)
                       for q in s.quorums) for c in range(b))

    values_in = {}
    for a in s.acceptors:
        for b, v in s.votes[a]:
            if not safe_at(b, v):
                return False
            values_in.setdefault(b, set()).add(v)
    return all(len(values) == 1 for values in values_in.values())


def one_value_per_ballot(s):  # type: ignore[no-untyped-def]
    values_in = {}
    for a in s.acceptors:
        for b, v in s.votes[a]:
            values_in.setdefault(b, set()).add(v)
    return all(len(values) == 1 for values in values_in.values())


# -- wrong answers that need more than a lambda ------------------------------------------------


def counted_messages(accepted, n):  # type: ignore[no-untyped-def]  # lesson 02's starter
    counts = Counter()
    for _, _, value in accepted:
        counts[value] += 1
        if counts[value] > n / 2:
            return value
    return None


def across_ballots(accepted, n):  # type: ignore[no-untyped-def]
    voters = {}
    for acceptor, _, value in accepted:
        voters.setdefault(value, set()).add(acceptor)
        if len(voters[value]) > n / 2:
            return value
    return None


def first_vote(promises, own):  # type: ignore[no-untyped-def]  # lesson 03's starter
    for _, _, value in promises:
        if value is not None:
            return value
    return own


def per_value(votes, quorum):  # type: ignore[no-untyped-def]  # lesson 03's starter
    counts = Counter(value for _, _, value in votes)
    return {value for value, n in counts.items() if n >= quorum}


def last_votes(votes, quorum):  # type: ignore[no-untyped-def]
    last = {acceptor: (ballot, value) for acceptor, ballot, value in votes}
    return chosen_values([(a, b, v) for a, (b, v) in last.items()], quorum)


def new_ballot(sim):  # type: ignore[no-untyped-def]  # lesson 03's starter
    sim.apply(px.Timeout("p3"))
    for acceptor in ("a4", "a5"):
        sim.deliver("prepare", "p3", acceptor)
        sim.deliver("promise", acceptor, "p3")


def current_votes(world):  # type: ignore[no-untyped-def]  # lesson 06's starter
    votes = [vote for vote in px.accepted(world).values() if vote is not None]
    return len({value for ballot, value in votes}) <= 1


def any_two_votes(world):  # type: ignore[no-untyped-def]
    return len({value for _, _, value in world.votes}) <= 1


def seen_client(table, client, request):  # type: ignore[no-untyped-def]  # lesson 07's starter
    if client in table:
        return ("reply", table[client][1])
    return ("apply", None)


def equal_only(table, client, request):  # type: ignore[no-untyped-def]
    if client in table and table[client][0] == request:
        return ("reply", table[client][1])
    return ("apply", None)


def install_snapshot(replica, snapshot):  # type: ignore[no-untyped-def]  # lesson 08
    if snapshot["slot"] <= replica["applied"]:
        return replica
    return {
        "applied": snapshot["slot"],
        "log": {slot: command for slot, command in replica["log"].items()
                if slot >= snapshot["slot"]},
        "orders": dict(snapshot["orders"]),
        "clients": dict(snapshot["clients"]),
    }


def install_any(replica, snapshot):  # type: ignore[no-untyped-def]  # lesson 08's starter
    return {"applied": snapshot["slot"], "log": {}, "orders": dict(snapshot["orders"]),
            "clients": replica["clients"]}


def install_any_snapshot(replica, snapshot):  # type: ignore[no-untyped-def]
    return install_snapshot({**replica, "applied": -1}, snapshot)


def install_dropping_log(replica, snapshot):  # type: ignore[no-untyped-def]
    return {**install_snapshot(replica, snapshot), "log": {}} \
        if snapshot["slot"] > replica["applied"] else replica


def install_keeping_clients(replica, snapshot):  # type: ignore[no-untyped-def]
    return {**install_snapshot(replica, snapshot), "clients": replica["clients"]} \
        if snapshot["slot"] > replica["applied"] else replica


def pick_alpha(depth, chosen_in):  # type: ignore[no-untyped-def]
    alpha = depth
    return alpha, chosen_in + alpha


def at_once(depth, chosen_in):  # type: ignore[no-untyped-def]  # lesson 08's starter
    alpha = 1
    return alpha, chosen_in + alpha


def flexible_safe(n, q1, q2):  # type: ignore[no-untyped-def]
    return q1 + q2 > n


CASES: dict[str, Case] = {
    "should_promise": Case(ex.check_should_promise, should_promise, (">= promised", "> promised"), (
        (lambda p, b: p is None or b.round > p.round, "the refusal is safe, yet p2 must now"),
        (lambda p, b: p is None or b.round >= p.round, "it swore to p2 to ignore every ballot"),
        (lambda p, b: p is None or b.node >= p.node, "the round decides first"),
        (lambda p, b: p is not None and b > p, "with no promise there is nothing to protect"),
    )),
    "should_accept": Case(ex.check_should_accept, should_accept, (">= promised",), (
        (lambda p, b: p == b, "may hold promises for it from another majority"),
        (lambda p, b: p is None or b > p, "the very ballot it promised"),
        (lambda p, b: True, "that promise told the newer proposer"),
        (lambda p, b: p is not None and b >= p, "with no promise made; nothing forbids it"),
    )),
    "learn": Case(ex.check_learn, learn, ("(ballot, value)", "n / 2", "n // 2"), (
        (counted_messages, "a duplicated message is still one acceptor"),
        (across_ballots, "votes at different ballots do not add up"),
        (lambda acc, n: learn(acc, n + 1), "you learned nothing, but"),
        (lambda acc, n: learn(acc, n - 1) if n > 1 else learn(acc, n),
         "a majority of 4 is 3"),
    )),
    "quorum_tradeoff": Case(ex.check_quorum_tradeoff, tradeoff,
                            ("n - quorum", "2 * quorum", "2 \u00d7 quorum"), (
        (lambda n, q: ((n - 1) // 2, True), "fewer than a quorum of 4"),
        (lambda n, q: (n - q, q >= n / 2), "share no acceptor"),
        (lambda n, q: (n - q - 1, 2 * q > n), "so more than 0 can be survived"),
        (lambda n, q: (n - q, False), "some acceptor is in both"),
    )),
    "pick_value": Case(ex.check_pick_value, pick_value, ("max(", "highest"), (
        (first_vote, "a higher ballot, whose proposer had made sure"),
        (lambda promises, own: own, "which no promise reported, and that could overwrite it"),
        (lambda promises, own: None, "not the value its client asked for"),
    )),
    "foo_bar": Case(ex.check_foo_bar, foo_bar, ("'because of': 'a3'",), (
        (lambda: {"B proposes": "bar", "because of": None, "chosen": "bar"},
         "you named no acceptor"),
        (lambda: {"B proposes": "foo", "because of": "a2", "chosen": "foo"},
         "a2 has nothing to report"),
        (lambda: {"B proposes": "foo", "because of": "a1", "chosen": "foo"},
         "p2 heard only from a2 and a3"),
        (lambda: {"B proposes": "foo", "because of": "a3", "chosen": "bar"},
         "the question's last step cannot happen"),
    )),
    "chosen": Case(ex.check_chosen, chosen_values, ("(ballot, value)", "setdefault"), (
        (per_value, "one acceptor counted twice"),
        (last_votes, "a vote, once cast, stays in the history"),
        (lambda votes, q: chosen_values(votes, q + 1), "a quorum of 2, so"),
        (lambda votes, q: list(chosen_values(votes, q)), "return a set of values"),
    )),
    "accept_y": Case(ex.check_accept_y, accept_y, ('deliver("accept"', "deliver('accept'"), (
        (new_ballot, "p3 started ballot 2.p3 but holds promises only from a4, a5"),
        (lambda sim: sim.deliver("accept", "p3", "a1"), "a1 refused 1.p3 with 'Y'"),
        (lambda sim: None, "your schedule took no step"),
    )),
    "persist": Case(ex.check_persist, persist,
                    ("acceptor.accepted_ballot", "acceptor.accepted_value"), (
        (lambda a: {"accepted_ballot": a.accepted_ballot, "accepted_value": a.accepted_value},
         "no longer knew it had sworn to ignore it"),
        (lambda a: {"promised": a.promised}, "so its promise to p2 reported no vote"),
        (lambda a: {"promise": a.promised}, "an acceptor has no field 'promise'"),
    )),
    "writes": Case(ex.check_writes, writes, ("getattr(before", "!= getattr"), (
        (lambda m, b, a: {"promised"} if m.KIND == "prepare" else {"accepted_ballot",
                                                                  "accepted_value"},
         "(a copy of a prepare a2 already answered), you wrote promised"),
        (lambda m, b, a: set(), "would come back with no vote on disk"),
        (lambda m, b, a: {"promised", "accepted_ballot", "accepted_value"},
         "you wrote accepted_ballot and accepted_value, but handling it changed only promised"),
    )),
    "can_choose": Case(ex.check_can_choose, can_choose, ("quorum_size", "has_proposer"), (
        (lambda c, side: len(side) > len(c.node_ids) / 2, "and a quorum is 3, so no ballot"),
        (lambda c, side: sum(n in c.acceptor_ids for n in side) >= c.quorum_size,
         "but no proposer, so nobody asks them to vote"),
        (lambda c, side: False, "can choose: it holds p1"),
    )),
    "backoff": Case(ex.check_backoff, backoff, ("randint(0, window)", "double", "2 **"), (
        (lambda attempt, rng: 3, "whatever rng says"),
        (lambda attempt, rng: rng.randint(0, 1000), "your function pays no attention to that"),
        (lambda attempt, rng: rng.randint(0, attempt), "is back before its rival can finish"),
    )),
    "should_retry": Case(ex.check_should_retry, should_retry, ("min(up)", "up[0]"), (
        (lambda me, up: me in up, "leaders duel, as if there were no leader"),
        (lambda me, up: me == "p1", "waits until a crashed proposer recovers"),
        (lambda me, up: "yes", "it should answer True or False"),
    )),
    "agreement": Case(ex.check_agreement, agreement, ("px.chosen", "(ballot, value)"), (
        (current_votes, "the same answer as the acceptors' current votes"),
        (lambda w: len({v for v in px.learned(w).values() if v}) <= 1,
         "the same answer as what the learners learned"),
        (any_two_votes, "the same answer as \"no two values ever got a vote\""),
    )),
    "bounds": Case(ex.check_bounds, bounds, ("2 if variant", "1 if variant", "needs a crash"), (
        (lambda v: {"acceptors": 1, "max_ballot": 1, "max_crashes": 0},
         "with max_crashes=0 nothing ever crashes"),
        (lambda v: {"acceptors": 1, "max_ballot": 1, "max_crashes": 1},
         "with 1 acceptor every quorum is that acceptor"),
        (lambda v: {"acceptors": 9, "max_ballot": 1, "max_crashes": 0},
         "acceptors must be a whole number from 1 to 3"),
    )),
    "snippet_schedule": Case(ex.check_snippet_schedule, snippet_schedule,
                             ("px.Timeout(\"p2\")", "ballot=b2"), (
        (first_choice_on_snippet, "only 'confirmed' is chosen"),
        (classic_ballot_on_snippet, "cannot happen"),
        (lambda sim: 3, "apply the steps to sim"),
    )),
    "canonical": Case(ex.check_canonical, canonical, ("sorted(",), (
        (lambda acceptors: tuple(acceptors.values()), "your answer changed"),
        (lambda acceptors: frozenset(acceptors.values()), "no renaming of the acceptors"),
        (lambda acceptors: sorted(acceptors.values()), "cannot be kept in a set"),
    )),
    "first_gap": Case(ex.check_first_gap, first_gap, ("enumerate(", "; apply "), (
        (lambda log: sum(v is not None for v in log), "could run the commands in another order"),
        (lambda log: next((i for i, v in enumerate(log) if v in (None, "noop")), len(log)),
         "a no-op, which is chosen like any other command"),
        (lambda log: 0, "so the replica waits for no reason"),
    )),
    "recover_slot": Case(ex.check_recover_slot, recover_slot,
                         ("max(votes", "highest-ballot vote"), (
        (lambda votes: votes[0][1] if votes else "noop", "a higher ballot, whose leader"),
        (lambda votes: "noop", "which no promise reported for this slot"),
        (lambda votes: recover_slot(votes) if votes else "create #42 (c42/1)",
         "a client's command put into a hole"),
    )),
    "flexible_quorums": Case(ex.check_flexible_quorums, flexible_safe, ("q1 + q2 > n",), (
        (lambda n, q1, q2: q1 + q2 >= n, "split the acceptors exactly"),  # lesson 09's starter
        (lambda n, q1, q2: q1 > n / 2 and q2 > n / 2, "two phase-2 quorums never need to meet"),
        (lambda n, q1, q2: q1 > n / 2, "a majority in phase 1 is not enough"),
        (lambda n, q1, q2: q2 > n / 2, "a majority in phase 2 is not enough"),
    )),
    "dedup": Case(ex.check_dedup, dedup, ("table[client][0]", "request > "), (
        (seen_client, "but you answered it without running it"),
        (equal_only, "running it again would apply 'confirm #42' a second time"),
        (lambda t, c, r: ("apply", None), "'pay #42' happens twice"),
        (lambda t, c, r: ("apply", None) if c not in t or r > t[c][0] else ("ignore", None),
         "ignoring the retry leaves it waiting forever"),
    )),
    "snapshot_install": Case(ex.check_snapshot_install, install_snapshot,
                             ('snapshot["slot"] <= replica["applied"]', ">= snapshot"), (
        (install_any, "would run again"),
        (install_any_snapshot, "a second time (a second payment"),
        (install_dropping_log, "you dropped the log entries"),
        (install_keeping_clients, "applied inside the snapshot, would run again"),
    )),
    "raft_commit": Case(ex.check_raft_commit, commit_index,
                        ("== current_term", "!= current_term", "log_terms[n - 1]"), (
        (counting_copies, "from an earlier term"),
        (every_server, "you waited until every server held"),
        (last_entry_only, "although the last entry cannot be yet"),
        (from_scratch, "went backwards"),
    )),
    "alpha": Case(ex.check_alpha, pick_alpha, ("chosen_in + alpha", "alpha = depth",
                                               "k + alpha", "= depth"), (
        (at_once, "which the leader may already have proposed"),
        (lambda d, k: (0, k), "the very slot that chose it"),
        (lambda d, k: (d + 1, k + d + 1), "stay in charge 1 slot(s) longer"),
        (lambda d, k: (d, k + d - 1), "too early"),
        (lambda d, k: (d, k), "which is not chosen yet there"),
    )),
    "inductive_invariant": Case(ex.check_inductive_invariant, inductive_invariant,
                                ("cannot_vote_at", "safe_at", "range(b)"), (
        (lambda s: len(s.chosen()) <= 1, "could still be chosen in the lower ballot 0"),
        (one_value_per_ballot, "it does not imply agreement"),
        (lambda s: False, "it is false in the initial state"),
    )),
}


CASES["lease_read"] = Case(  # lesson 08
    ex.check_lease_read, lease_read_safe, ("(1 - drift) / (1 + drift)", "(1 + drift)"), (
        (lambda now, start, duration, drift: now - start < duration,
         "count out the whole lease"),
        (lambda now, start, duration, drift: now - start < duration * (1 - drift),
         "both at once"),
        (lambda now, start, duration, drift: now - start < duration / (1 + drift),
         "your own clock may run slow"),
        (lambda now, start, duration, drift: now - start <= lease_read_safe_window(
            duration, drift), "this is exactly the instant"),
        (lambda now, start, duration, drift: now - start < duration * (1 - 2 * drift),
         "sooner than needed"),
    ))


def _body(fn: Callable[..., Any]) -> list[str]:
    """The reference's code lines (its body), as the answer a message must not reveal."""
    lines = textwrap.dedent(inspect.getsource(fn)).splitlines()[1:]
    return [line.strip() for line in lines if len(line.strip()) >= 12]


@pytest.mark.parametrize("name", list(CASES))
def test_the_reference_answer_is_well_done(name: str) -> None:
    case = CASES[name]
    feedback = case.check(case.reference)
    assert feedback.passed and str(feedback).startswith("✓ Well done"), str(feedback)


@pytest.mark.parametrize("name", list(CASES))
def test_each_wrong_answer_gets_its_own_diagnosis(name: str) -> None:
    case = CASES[name]
    assert len(case.wrong) >= 3
    results = [case.check(fn) for fn, _ in case.wrong]
    for (_, phrase), feedback in zip(case.wrong, results, strict=True):
        assert not feedback.passed and str(feedback).startswith("✗ Not yet")
        assert any(phrase in p for p in feedback.problems), (phrase, feedback.problems)
    # different mistakes, different feedback: no two wrong answers are told the same thing
    assert len({fb.problems for fb in results}) == len(results)


@pytest.mark.parametrize("name", list(CASES))
def test_no_message_gives_the_answer_away(name: str) -> None:
    case = CASES[name]
    forbidden = [*case.keys, *_body(case.reference)]
    messages = [p for fn, _ in case.wrong for p in case.check(fn).problems]
    assert messages
    for message in messages:
        for piece in forbidden:
            assert piece not in message, (piece, message)


def test_every_check_a_lesson_calls_is_covered() -> None:
    root = Path(__file__).resolve().parent.parent / "tools" / "lessons"
    called = set()
    for path in root.glob("[0-9][0-9]-*.py"):
        called |= set(re.findall(r"px\.exercises\.check_(\w+)\(", path.read_text()))
    covered = {case.check.__name__.removeprefix("check_") for case in CASES.values()}
    assert called <= covered, called - covered


def test_the_backoff_reference_draws_from_rng() -> None:
    assert len({backoff(1, random.Random(s)) for s in range(20)}) > 1
