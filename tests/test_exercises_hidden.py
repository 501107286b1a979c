"""Hidden cases: every check a lesson calls keeps inputs it never shows (or says why it has
none), the reference answers pass them, and answers that only know the visible scenarios
pass the check but fail the hidden cases and lose points."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat
import pytest

import paxos_lib as px
from paxos_lib.errors import ConfigError
from paxos_lib.exercises import hidden
from paxos_lib.exercises.hidden import hidden_check, registered, score

ROOT = Path(__file__).resolve().parent.parent
CALL = re.compile(r"px\.exercises\.(check_\w+)\((\w+)\)\s*$", re.MULTILINE)


def lesson_checks() -> dict[str, tuple[Path, str, str]]:
    """check name -> (solution notebook, the reference answer's code, its function's name),
    for every check a lesson's exercises call (the first reference answer of each)."""
    found: dict[str, tuple[Path, str, str]] = {}
    for solution in sorted((ROOT / "notebooks" / "solutions").glob("[0-9][0-9]-*.ipynb")):
        for cell in nbformat.read(solution, 4).cells:
            match = CALL.search(cell.source) if cell.cell_type == "code" else None
            if match and match.group(1) not in found:
                found[match.group(1)] = (solution, cell.source[: match.start()], match.group(2))
    return found


def reference(check: str) -> Any:
    _, code, argument = lesson_checks()[check]
    namespace: dict[str, Any] = {"px": px}
    exec(code, namespace)
    return namespace[argument]


def test_every_check_a_lesson_calls_has_hidden_cases_or_says_why_not() -> None:
    known = registered()
    checks = lesson_checks()
    assert len(checks) >= 19
    missing = sorted(set(checks) - set(known))
    assert not missing, (f"{missing}: register hidden cases in the check's module "
                         "(@hidden_cases(check)) or say why it has none (no_hidden_cases)")
    with_cases = [c for c in checks if known[c] is None]
    assert len(with_cases) >= 14, with_cases


@pytest.mark.parametrize("check", sorted(c for c, why in registered().items() if why is None))
def test_the_reference_answer_passes_the_hidden_cases(check: str) -> None:
    if check not in lesson_checks():
        pytest.skip(f"{check} is not called by a lesson")
    feedback = hidden_check(check, reference(check))
    assert feedback is not None and feedback.passed and feedback.total >= 1, str(feedback)
    assert score(check, reference(check), reference(check), 2) == 2


# -- answers tuned to the visible scenarios ----------------------------------------------------


def memorised(check: str, visible: list[tuple[tuple[Any, ...], Any]], default: Any) -> Any:
    """An answer that looks its input up in a table of the visible scenarios' answers."""
    table = {repr(args): answer for args, answer in visible}

    def answer(*args: Any) -> Any:
        return table.get(repr(args), default)

    return answer


def overfitted_pick_value() -> Any:
    from paxos_lib.exercises import proposer_rules as m

    return memorised("check_pick_value", [((list(p), o), m._expected_pick(p, o))
                                          for p, o in m._PICK_CASES], "confirmed")


def overfitted_first_gap() -> Any:
    from paxos_lib.exercises import multipaxos as m

    return memorised("check_first_gap", [((log,), m._first_gap(log)) for log in m.GAP_LOGS], 0)


def overfitted_should_retry() -> Any:
    def should_retry(me: str, up: tuple[str, ...]) -> bool:
        # knows p1, p2 and p3 only: the first of them that is up leads
        return me == next((p for p in ("p1", "p2", "p3") if p in up), None)

    return should_retry


def overfitted_learn() -> Any:
    from paxos_lib.exercises import learners as m

    return memorised("check_learn", [((list(a), n), m.engine_learns(a, n))
                                     for a, n in m.LEARN_CASES], None)


def overfitted_quorum_tradeoff() -> Any:
    from paxos_lib.exercises import learners as m

    return memorised("check_quorum_tradeoff",
                     [((n, q), (n - q, 2 * q > n)) for n, q in m.TRADEOFF_CASES], (0, False))


def overfitted_alpha() -> Any:
    from paxos_lib.exercises import reconfig as m

    return memorised("check_alpha", [((d, k), (d, d + k)) for d, k in m.ALPHA_SCENARIOS],
                     (1, 1))


def overfitted_lease_read() -> Any:
    from paxos_lib.exercises import leases as m

    return memorised("check_lease_read",
                     [(s, s[0] - s[1] < s[2] * (1 - s[3]) / (1 + s[3]))
                      for s in m.LEASE_SCENARIOS], True)


def overfitted_flexible_quorums() -> Any:
    from paxos_lib.exercises import flexible as m

    return memorised("check_flexible_quorums",
                     [(c, c[1] + c[2] > c[0]) for c in m._CASES], True)


def overfitted_snapshot_install() -> Any:
    import copy

    from paxos_lib.exercises import snapshots as m

    def answer(replica: dict[str, Any], snap: dict[str, Any]) -> dict[str, Any]:
        if snap["slot"] <= replica["applied"]:
            return replica
        return {"applied": snap["slot"],
                "log": {t: c for t, c in replica["log"].items() if t >= snap["slot"]},
                "orders": dict(snap["orders"]), "clients": dict(snap["clients"])}

    return memorised("check_snapshot_install",
                     [((copy.deepcopy(r), copy.deepcopy(s)), answer(r, s))
                      for _, r, s in m.SCENES], None)


def overfitted_raft_commit() -> Any:
    from paxos_lib.exercises import raft as m
    from paxos_lib.raft.cluster import commit_current_term

    table = {args: commit_current_term(*args) for args in m.COMMIT_SCENARIOS}

    def commit_index(terms: Any, match: Any, term: int, commit: int, majority: int) -> int:
        if (terms, match, term, commit, majority) in table:  # the visible table, memorised
            return table[(terms, match, term, commit, majority)]
        # elsewhere (the engine runs hand it lists): a majority of *three* holds the
        # current term's entry; that is all the visible runs ever need
        for n in range(len(terms), commit, -1):
            if terms[n - 1] == term and sum(1 for x in match if x >= n) >= 2:
                return n
        return commit

    return commit_index


def overfitted_inductive_invariant() -> Any:
    from collections import deque

    from paxos_lib.refinement import _voting_next, voting_initial
    from paxos_lib.tla import TINY

    # every state Voting reaches on the Tiny model: an inductive invariant there by
    # construction, that says nothing about why
    start = voting_initial(TINY)
    reachable = {start}
    todo = deque([start])
    while todo:
        for _, nxt in _voting_next(TINY, todo.popleft()):
            if nxt not in reachable:
                reachable.add(nxt)
                todo.append(nxt)

    def invariant(view: Any) -> bool:
        return view.state in reachable

    return invariant


OVERFITTED = {
    "check_pick_value": overfitted_pick_value,
    "check_first_gap": overfitted_first_gap,
    "check_should_retry": overfitted_should_retry,
    "check_learn": overfitted_learn,
    "check_quorum_tradeoff": overfitted_quorum_tradeoff,
    "check_alpha": overfitted_alpha,
    "check_flexible_quorums": overfitted_flexible_quorums,
    "check_lease_read": overfitted_lease_read,
    "check_snapshot_install": overfitted_snapshot_install,
    "check_raft_commit": overfitted_raft_commit,
    "check_inductive_invariant": overfitted_inductive_invariant,
}


@pytest.mark.parametrize("check", sorted(OVERFITTED))
def test_an_answer_tuned_to_the_visible_scenarios_fails_the_hidden_cases(check: str) -> None:
    fn = OVERFITTED[check]()
    visible = getattr(px.exercises, check)(fn)
    assert visible.passed, f"the tuned answer passes what the check shows: {visible}"
    secret = hidden_check(check, fn)
    assert secret is not None and not secret.passed, str(secret)
    solution = lesson_checks()[check][0]
    lesson = ROOT / "notebooks" / solution.name
    starter_cell = next(c.source for c in nbformat.read(lesson, 4).cells
                        if c.cell_type == "code" and f"px.exercises.{check}(" in c.source)
    match = CALL.search(starter_cell)
    assert match
    namespace: dict[str, Any] = {"px": px}
    exec(starter_cell[: match.start()], namespace)
    starter = namespace[match.group(2)]
    points = score(check, fn, starter, 2)
    assert 0 <= points < 2, points  # never full marks; often no more than the starter
    assert score(check, reference(check), starter, 2) == 2
    assert score(check, starter, starter, 2) == 0


def test_hidden_inputs_are_not_the_visible_ones() -> None:
    from paxos_lib.exercises import (
        acceptor_rules,
        chosen,
        flexible,
        learners,
        leases,
        multipaxos,
        proposer_rules,
        raft,
        reconfig,
        refinement,
        snapshots,
    )

    pairs = [
        (acceptor_rules._PROMISE_CASES, acceptor_rules._HIDDEN_PROMISE_CASES),
        (chosen._CASES, chosen._HIDDEN_CASES),
        (learners.LEARN_CASES, learners.HIDDEN_LEARN_CASES),
        (learners.TRADEOFF_CASES, learners.HIDDEN_TRADEOFF_CASES),
        (multipaxos.GAP_LOGS, multipaxos.HIDDEN_GAP_LOGS),
        (multipaxos.RECOVERY_VOTES, multipaxos.HIDDEN_RECOVERY_VOTES),
        ([repr(c) for c in proposer_rules._PICK_CASES],
         [repr(c) for c in proposer_rules._HIDDEN_PICK_CASES]),
        (reconfig.ALPHA_SCENARIOS, reconfig.HIDDEN_ALPHA_SCENARIOS),
        (raft.COMMIT_SCENARIOS, raft.HIDDEN_COMMIT_SCENARIOS),
        ([(r, s) for _, r, s in snapshots.SCENES], [(r, s) for _, r, s in snapshots.HIDDEN_SCENES]),
        ([repr(refinement.TINY)], [repr(m) for m in refinement.HIDDEN_MODELS]),
        (flexible._CASES, flexible._HIDDEN_CASES),
        (leases.LEASE_SCENARIOS, leases.HIDDEN_LEASE_SCENARIOS),
    ]
    for visible, secret in pairs:
        assert secret and not set(map(repr, visible)) & set(map(repr, secret))


def test_the_score_prints_counts_not_inputs(capsys: pytest.CaptureFixture[str]) -> None:
    fn = overfitted_first_gap()
    score("check_first_gap", fn, fn, 2)
    out = capsys.readouterr().out
    assert re.fullmatch(r"Hidden cases: \d+ of \d+ right\.\n", out), out
    score("check_foo_bar", reference("check_foo_bar"), reference("check_foo_bar"), 2)
    assert capsys.readouterr().out.startswith("Hidden cases: none (the exercise is one fixed "
                                              "scene")


def test_bad_arguments_raise_config_errors() -> None:
    with pytest.raises(ConfigError, match=r"no hidden cases are registered for 'check_nope'"):
        score("check_nope", len, len, 2)
    with pytest.raises(ConfigError, match=r"points must be a positive number, got 0"):
        score("check_first_gap", len, len, 0)
    with pytest.raises(ConfigError, match=r"hidden_cases needs a check_\.\.\. function"):
        hidden.hidden_cases(len)
    with pytest.raises(ConfigError, match=r"needs a check_\.\.\. function and a reason"):
        hidden.no_hidden_cases(px.exercises.check_first_gap, "")
