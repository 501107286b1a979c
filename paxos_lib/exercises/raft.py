"""Lesson 09, exercise 3: Raft's commit rule, checked in tables and in the real engine.

``check_raft_commit`` asks of ``commit_index(log_terms, match_index, current_term,
commit_index, majority) -> int`` how far a Raft leader may advance its commit index:
``log_terms[i - 1]`` is the term of the leader's entry at index ``i``, and ``match_index``
holds, for every server (the leader first), the highest index known to be stored there.

The check runs the learner's rule three ways:

1. a table of leader situations, each compared with Raft's rule;
2. figure 8 of the Raft paper on the engine (``paxos_lib.raft.scenarios.figure8``) with the
   learner's rule in every leader: the scripted run goes on until a later leader could
   overwrite an entry, and the Raft properties are checked;
3. an order workload on three servers, which must apply every command (a rule that never
   commits is safe, and useless).

Every message describes the situation and what went wrong, never the rule itself; the check
never raises because of the learner's code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from paxos_lib.actions import Timeout
from paxos_lib.exercises.feedback import Feedback, need_function, show
from paxos_lib.exercises.hidden import hidden_cases
from paxos_lib.raft.cluster import RaftCluster, commit_current_term
from paxos_lib.raft.scenarios import FIGURE8_COMMANDS, deliver, figure8
from paxos_lib.raft.simulation import RaftSimulation

__all__ = ["check_raft_commit"]

# (log_terms, match_index, current_term, commit_index, majority)
COMMIT_SCENARIOS: tuple[tuple[tuple[int, ...], tuple[int, ...], int, int, int], ...] = (
    ((1, 2), (2, 2, 0), 2, 0, 2),          # a majority holds both: commit both
    ((1,), (1, 1, 0), 3, 0, 2),            # figure 8: only an entry of term 1 on a majority
    ((1, 1, 3), (3, 2, 1), 3, 0, 2),       # the term-3 entry is on the leader only
    ((1, 1, 3), (3, 3, 1), 3, 0, 2),       # now on a majority: all three committed
    ((2, 2), (2, 1, 1), 2, 0, 2),          # index 1 everywhere, index 2 on the leader only
    ((2, 2, 2), (3, 3, 1, 1, 0), 2, 0, 3),  # five servers
    ((1, 1, 3), (3, 1, 1), 3, 2, 2),       # already committed up to 2
    ((), (0, 0, 0), 1, 0, 2),              # a new leader with an empty log
)


def _all_hold(log_terms: tuple[int, ...], match: tuple[int, ...], commit: int) -> int:
    for n in range(len(log_terms), commit, -1):
        if all(m >= n for m in match):
            return n
    return commit


def _situation(args: tuple[Any, ...]) -> str:
    terms, match, term, commit, majority = args
    return (f"log terms {terms}, match {match}, term {term}, commit {commit}, majority "
            f"{majority}")


def _judge(args: tuple[Any, ...], result: Any) -> str | None:
    terms, match, term, commit, majority = args
    want = commit_current_term(terms, match, term, commit, majority)
    where = _situation(args)
    if isinstance(result, bool) or not isinstance(result, int):
        return f"with {where}: it should return an index (an int), but returned {show(result)}"
    if result == want:
        return None
    if result < commit:
        return (f"with {where}: the commit index went backwards from {commit} to {result}; "
                "an entry once committed stays committed")
    if result > len(terms):
        return (f"with {where}: you answered {result}, beyond the leader's last index "
                f"{len(terms)}")
    holders = sum(1 for m in match if m >= result)
    if holders < majority:
        return (f"with {where}: index {result} is stored on only {holders} of the "
                f"{len(match)} servers, fewer than a majority ({majority})")
    if result > want:
        return (f"with {where}: you committed index {result}, whose entry is from an earlier "
                f"term ({terms[result - 1]}) than the leader's ({term}); a majority holds it, "
                "yet a later leader could still replace it (see the figure-8 run)")
    if result == _all_hold(terms, match, commit):
        return (f"with {where}: you answered {result}: you waited until every server held "
                f"the entry, but index {want} is safe to commit with fewer")
    if want < len(terms):
        return (f"with {where}: you answered {result}, but index {want} can be committed here, "
                "although the last entry cannot be yet")
    return f"with {where}: you answered {result}, but index {want} can be committed here"


def _figure8(fn: Callable[..., Any]) -> str | None:
    """The scripted figure-8 run with the learner's rule; a sentence if it goes wrong."""
    a, b = FIGURE8_COMMANDS
    sim = figure8(commit_rule=fn)
    deliver(sim, "append", "s1", "s3", 3)
    deliver(sim, "append-reply", "s3", "s1", 3)
    committed = sim.applied("s1") == (a,)
    deliver(sim, "request-vote", "s1", "s2", 3)
    sim.submit("s2", b)
    sim.apply(Timeout("s2"))
    deliver(sim, "request-vote", "s2", "s3", 4)
    deliver(sim, "vote", "s3", "s2", 4)
    broken = [v for v in sim.check() if not v.holds]
    if committed or broken:
        why = broken[0].explanation if broken else "a later leader could replace it"
        return ("in the engine's figure-8 run (3 servers): s1, leader of term 3, committed "
                f"{a!r} of term 1 as soon as s3 held a copy; then s2, whose log ends in term 2, "
                f"won term 4 with s3's vote and does not hold it ({why})")
    return None


def _workload(fn: Callable[..., Any]) -> str | None:
    sim = RaftSimulation(RaftCluster(3, commit_rule=fn), seed=0)
    result = sim.run_workload(orders=1)
    if not result.agree:
        bad = next(v for v in result.verdicts if not v.holds)
        return (f"in an order workload on the engine (3 servers), {bad.name} broke: "
                f"{bad.explanation}")
    if not result.all_applied:
        return ("in an order workload on the engine (3 servers, one order), the servers never "
                f"applied every command ({result.progress.explanation}): the leader must "
                "commit something")
    return None


def _table(rule: Callable[..., Any], scenarios: tuple[tuple[Any, ...], ...]) -> list[str]:
    """The problems of ``rule`` on a table of leader situations (visible, or hidden)."""
    problems: list[str] = []
    for args in scenarios:
        try:
            result = rule(*args)
        except Exception as exc:  # the learner's code may raise anything
            problems.append(f"with {_situation(args)}: your function raised "
                            f"{type(exc).__name__}: {exc}")
            continue
        verdict = _judge(args, result)
        if verdict is not None:
            problems.append(verdict)
    return problems


def check_raft_commit(fn: object) -> Feedback:
    """Check a Raft leader's commit rule ``commit_index(log_terms, match_index, current_term,
    commit_index, majority) -> int`` (see the module docstring)."""
    rule = need_function(fn, "check_raft_commit")
    name = "your commit rule"
    problems = _table(rule, COMMIT_SCENARIOS)
    total = len(COMMIT_SCENARIOS)
    for run in (_figure8, _workload):
        total += 1
        try:
            verdict = run(rule)
        except Exception as exc:  # the learner's rule runs inside the engine's leaders
            verdict = (f"in the engine run, your function raised {type(exc).__name__}: {exc}")
        if verdict is not None:
            problems.append(verdict)
    return Feedback(name, not problems, total, tuple(problems))


#: Hidden leader situations of check_raft_commit (graded, never shown by the check; see
#: ``hidden.py``): the same judge as the visible table, on other logs.  The engine runs are
#: fixed scenes and are not repeated here.
HIDDEN_COMMIT_SCENARIOS: tuple[tuple[tuple[int, ...], tuple[int, ...], int, int, int], ...] = (
    ((1, 2, 2), (3, 2, 0), 2, 0, 2),                 # majority up to 2: commit 2, not 3
    ((1, 1, 2, 4), (4, 4, 3, 2, 1), 4, 1, 3),        # five: only index 3, of term 2, on three
    ((1, 2, 2, 5), (4, 3, 3, 3, 0), 5, 0, 3),        # majority only up to 3, of term 2
    ((3, 3, 3), (3, 3, 3), 3, 3, 2),                 # everything already committed
    ((1, 4, 4, 4), (4, 1, 1, 3, 2, 2, 0), 4, 1, 4),  # seven servers: index 2 on four of them
    ((2,), (1, 0, 0), 2, 0, 2),                      # the leader alone holds its entry
    ((1, 1, 1, 6, 6), (5, 5, 3), 6, 0, 2),           # older entries ride along with term 6
)


@hidden_cases(check_raft_commit)
def _hidden_raft_commit(fn: Callable[..., Any]) -> Feedback:
    problems = _table(fn, HIDDEN_COMMIT_SCENARIOS)
    return Feedback("your commit rule", not problems, len(HIDDEN_COMMIT_SCENARIOS),
                    tuple(problems))
