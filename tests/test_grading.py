"""The grader judges student role classes on the one engine: the reference scores full marks,
each one-rule-broken version fails with a counterexample that replays, and a student's
exception or bad return value becomes feedback, never a traceback."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import paxos_lib as px
from paxos_lib import grading
from paxos_lib.errors import ConfigError, PaxosError
from paxos_lib.grading.scenarios import load
from paxos_lib.properties import check_all

sys.path.insert(0, str(Path(__file__).parent))
import grading_students as s

REF = {"acceptor": s.RefAcceptor, "proposer": s.RefProposer, "learner": s.RefLearner}


def _grade(only: str | None = None, seed: int = 5, **broken: type) -> grading.Grade:
    return grading.grade(**{**REF, **broken}, seed=seed, only=only)


def test_reference_scores_full_marks() -> None:
    result = _grade()
    assert result.passed and result.score == result.total == 100, str(result)
    assert result.counterexample is None
    assert "Every scenario passed." in str(result)


@pytest.mark.parametrize(
    ("role", "cls", "scenario", "prop"),
    [
        ("acceptor", s.SnippetAcceptor, "acceptor-keeps-chosen", "agreement"),
        ("acceptor", s.AmnesiacAcceptor, "acceptor-restarts", "agreement"),
        ("acceptor", s.AcceptsBelowPromise, "acceptor-two-proposers", "agreement"),
        ("proposer", s.ForgetfulProposer, "proposer-keeps-chosen", "agreement"),
        ("proposer", s.DuplicateBallotProposer, "proposer-two-proposers", "agreement"),
        ("proposer", s.MinorityQuorumProposer, "proposer-faults", "learners"),
        ("learner", s.AcrossBallotsLearner, "learner-every-order", "learners"),
    ],
    ids=lambda x: getattr(x, "__name__", None) if isinstance(x, type) else None,
)
def test_a_broken_rule_fails_with_a_counterexample(role: str, cls: type, scenario: str,
                                                    prop: str) -> None:
    result = _grade(only=role, **{role: cls})
    first = result.first_failure
    assert first is not None and first.name == scenario, str(result)
    assert result.score < result.total
    assert first.summary == f"{prop} violated"
    trace = result.counterexample
    assert isinstance(trace, px.Trace) and len(trace) > 0
    # the counterexample replays on the engine, with the student's class, to the violation
    sim = px.replay(trace.cluster, trace)
    assert type(sim.world.node(getattr(trace.cluster, f"{role}_ids")[0])) is cls
    assert any(v.name == prop and not v.holds for v in check_all(sim.world, "always"))
    text = str(result)
    assert f"First failing scenario: {scenario}" in text and "ClusterView(" in text


def test_a_search_counterexample_is_shortest() -> None:
    result = _grade(only="acceptor", acceptor=s.SnippetAcceptor)
    trace = result.counterexample
    assert trace is not None
    # no shorter prefix of it violates, and BFS guarantees no shorter run does
    worlds = trace.worlds()
    assert all(all(v.holds for v in check_all(w, "always")) for w in worlds[:-1])
    assert "A shortest counterexample" in str(result)


def test_a_simulation_counterexample_is_shrunk() -> None:
    result = _grade(only="proposer", proposer=s.MinorityQuorumProposer)
    first = result.first_failure
    assert first is not None and first.seed is not None
    assert "none of which can be left out" in first.detail
    trace = first.trace
    assert trace is not None
    from paxos_lib.grading.grader import _replays_to_violation

    for i in range(len(trace)):
        if isinstance(trace.steps[i], px.Propose):
            continue
        shorter = list(trace.steps[:i] + trace.steps[i + 1:])
        assert not _replays_to_violation(trace.cluster, trace.network, shorter, "learners")


def test_a_liveness_bug_is_reported_as_no_progress() -> None:
    result = _grade(only="proposer", proposer=s.LazyProposer)
    first = result.first_failure
    assert first is not None and first.summary.startswith("no progress")
    assert "retry when its timer fires" in first.detail


def test_a_student_exception_becomes_feedback() -> None:
    result = _grade(only="acceptor", acceptor=s.RaisingAcceptor)
    first = result.first_failure
    assert first is not None
    text = str(result)
    assert "RaisingAcceptor.on_prepare" in text and "KeyError" in text
    assert "raise KeyError" in text  # the student's own line
    assert "Traceback" not in text


def test_a_bad_return_value_becomes_feedback() -> None:
    result = _grade(only="learner", learner=s.BadReturnLearner)
    assert "BadReturnLearner.on_decided" in str(result)
    assert "a handler returns a pair (new_state, effects)" in str(result)


def test_a_handler_not_written_yet_becomes_feedback() -> None:
    class HalfAcceptor(grading.Acceptor):
        def on_prepare(self, msg, rules):  # type: ignore[no-untyped-def]
            return s.RefAcceptor.on_prepare(self, msg, rules)

    result = _grade(only="acceptor", acceptor=HalfAcceptor)
    assert result.score == 0
    assert "HalfAcceptor.on_accept" in str(result) and "not written yet" in str(result)


def test_the_guard_names_handler_and_message() -> None:
    class SendsAsOthers(s.RefAcceptor):
        def on_prepare(self, msg, rules):  # type: ignore[no-untyped-def]
            promise = px.Promise(src="a9", dst=msg.src, ballot=msg.ballot)
            return self, (grading.interface.Send(promise),)

    sim = px.Simulation(grading.RoleCluster(implementation=grading.Implementation(
        acceptor=SendsAsOthers)))
    sim.propose("p1", "v1")
    with pytest.raises(grading.StudentCodeError, match=r"SendsAsOthers.on_prepare \(handling "
                       r"prepare 1.p1 p1→a1\): sent .* in the name of a9"):
        sim.deliver("prepare")


def test_overriding_on_message_is_refused() -> None:
    with pytest.raises(PaxosError, match="defines on_message"):
        class Sneaky(grading.Acceptor):
            def on_message(self, msg, rules):  # type: ignore[no-untyped-def]
                return self, ()


def test_the_same_seed_regrades_identically_and_none_draws_one() -> None:
    a = _grade(only="proposer", proposer=s.MinorityQuorumProposer, seed=11)
    b = _grade(only="proposer", proposer=s.MinorityQuorumProposer, seed=11)
    assert str(a) == str(b) and "seed 11" in str(a)
    drawn = grading.grade(**REF, only="learner")
    assert isinstance(drawn.seed, int) and f"seed {drawn.seed}" in str(drawn)


def test_hidden_scenarios_are_not_in_the_namespace() -> None:
    names = {sc.name for sc in load()}
    public = {n: getattr(grading, n) for n in dir(grading) if not n.startswith("_")}
    for n in names:
        assert n.replace("-", "_") not in public and n.replace("-", "_") not in dir(px)
    for value in public.values():
        assert not (isinstance(value, tuple | list) and value
                    and isinstance(value[0], grading.Scenario))


def test_an_instructor_file_replaces_the_scenarios(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    mine = [{"name": "mine", "kind": "simulate", "points": 7, "student": ["learner"],
             "about": "one quick run", "values": {"p1": "v1"}, "runs": 2,
             "expect": "learned"}]
    path = tmp_path / "hidden.json"
    path.write_text(json.dumps(mine))
    monkeypatch.setenv(grading.ENV_VAR, str(path))
    result = grading.grade(**REF, seed=1)
    assert [r.name for r in result.results] == ["mine"] and result.score == 7
    assert grading.grade(**REF, seed=1, scenarios=mine).score == 7


def test_bad_arguments_raise_config_errors() -> None:
    with pytest.raises(ConfigError, match=r"subclasses px\.grading\.Acceptor"):
        grading.grade(acceptor=int)
    with pytest.raises(ConfigError, match="only names roles"):
        grading.grade(**REF, only="leader")
    with pytest.raises(ConfigError, match="seed must be an int"):
        grading.grade(**REF, seed="x")
    with pytest.raises(ConfigError, match="unknown kind"):
        grading.Scenario(name="x", kind="fuzz", about="x", points=1, student=("acceptor",),
                         values={"p1": "v1"})
    with pytest.raises(ConfigError, match="unknown scenario field"):
        load([{"name": "x", "seeds": 3}])


def test_a_counterexample_opens_in_the_stepper_with_the_students_classes() -> None:
    only_one = [sc for sc in load() if sc.name == "acceptor-keeps-chosen"]
    result = grading.grade(**{**REF, "acceptor": s.SnippetAcceptor}, seed=1,
                           scenarios=only_one)
    trace = result.counterexample
    assert trace is not None
    stepper = px.viz.Stepper(trace)
    assert stepper.goto(len(trace)) and stepper.step == len(trace)
    assert all(type(stepper.sim.world.node(a)) is s.SnippetAcceptor
               for a in trace.cluster.acceptor_ids)
    assert not stepper.sim.ok  # the stepper shows the same violation
    assert stepper.undo() and stepper.step == len(trace) - 1


def test_a_counterexample_opens_in_the_cluster_view_with_the_students_classes() -> None:
    """What the report and the project notebook open: the view replays the student's code
    and opens at the violation."""
    only_one = [sc for sc in load() if sc.name == "acceptor-keeps-chosen"]
    result = grading.grade(**{**REF, "acceptor": s.SnippetAcceptor}, seed=1,
                           scenarios=only_one)
    trace = result.counterexample
    assert trace is not None
    view = px.viz.ClusterView(trace)
    assert view.view["step"] == len(trace)
    assert all(type(view.ctl.sim.world.node(a)) is s.SnippetAcceptor
               for a in trace.cluster.acceptor_ids)
    assert [v["name"] for v in view.view["verdicts"] if not v["holds"]] == ["agreement"]


# -- a handler that never returns -------------------------------------------------------------


def test_a_handler_that_never_returns_fails_its_scenarios_instead_of_hanging() -> None:
    result = _grade(only="acceptor", acceptor=s.LoopingAcceptor)
    assert result.score == 0 and all(not r.passed for r in result.results), str(result)
    text = str(result)
    assert "LoopingAcceptor.on_accept" in text and "never returned" in text
    assert f"{grading.interface.LINE_BUDGET:,} lines" in text
    assert "`waited += 1`" in text  # the student's own line where it was looping
    assert "Traceback" not in text


def test_an_endless_loop_that_catches_every_exception_is_still_stopped() -> None:
    sim = px.Simulation(grading.RoleCluster(implementation=grading.Implementation(
        proposer=s.SwallowingLoopProposer)))
    sim.propose("p1", "v1")
    with pytest.raises(grading.StudentCodeError,
                       match=r"SwallowingLoopProposer.on_timeout \(on its timer\): never "
                             r"returned: it ran 200,000 lines .*\(line \d+ `"):
        sim.apply(px.Timeout("p1"))


def test_the_line_budget_leaves_the_reference_and_the_trace_function_alone() -> None:
    before = sys.gettrace()
    result = _grade(only="learner")
    assert result.passed, str(result)
    assert sys.gettrace() is before


# -- shortest counterexamples of simulations ---------------------------------------------------


def _violates(world: object, name: str) -> bool:
    return any(v.name == name and not v.holds
               for v in check_all(world, "always", invariants=True))  # type: ignore[arg-type]


def _no_shorter_run_of_the_same_steps(trace: px.Trace, name: str) -> bool:
    """Independently of the grader: depth-first over every sequence of fewer steps drawn
    from ``trace``'s own steps (each at most as often), none reaches the violation."""
    from paxos_lib.engine import apply, initial_world, why_not

    distinct = list(dict.fromkeys(trace.steps))
    counts = [trace.steps.count(a) for a in distinct]

    def dfs(world: object, depth: int) -> bool:
        if depth == len(trace) - 1:
            return True
        for k, action in enumerate(distinct):
            if counts[k] == 0 or why_not(world, action) is not None:  # type: ignore[arg-type]
                continue
            after = apply(world, action)  # type: ignore[arg-type]
            if _violates(after, name):
                return False
            counts[k] -= 1
            ok = dfs(after, depth + 1)
            counts[k] += 1
            if not ok:
                return False
        return True

    return dfs(initial_world(trace.cluster, trace.variant, trace.network), 0)


def test_a_simulation_counterexample_is_shortest_among_runs_of_its_own_steps() -> None:
    import re

    result = _grade(only="proposer", proposer=s.MinorityQuorumProposer)
    first = result.first_failure
    assert first is not None and first.seed is not None and first.trace is not None
    name = first.summary.removesuffix(" violated")
    trace = first.trace
    assert "A shortest counterexample" in first.detail
    left = re.search(r"delta debugging alone left (\d+) steps", first.detail)
    assert left and int(left.group(1)) >= len(trace)
    assert _violates(px.replay(trace.cluster, trace).world, name)
    assert len(trace) <= 9, "small enough to enumerate every shorter run"
    assert _no_shorter_run_of_the_same_steps(trace, name)


def test_the_re_search_finds_runs_shorter_than_delta_debugging() -> None:
    """Seed 5's failing run: delta debugging stops at a run no single step of which can be
    left out, and the breadth-first re-search over its steps finds a shorter one."""
    import re

    from paxos_lib.grading.grader import _shortest

    result = _grade(only="proposer", proposer=s.MinorityQuorumProposer)
    first = result.first_failure
    assert first is not None and first.trace is not None
    left = re.search(r"delta debugging alone left (\d+) steps", first.detail)
    assert left and int(left.group(1)) > len(first.trace), first.detail
    # a re-search with no room to search gives back its input and says it is not proven
    name = first.summary.removesuffix(" violated")
    longer = px.Trace(first.trace.cluster, first.trace.variant, first.trace.network,
                      first.trace.steps, first.trace.seed)
    assert _shortest(longer, name, budget=1) == (longer, False)


# -- learners of the student's own class --------------------------------------------------------


def test_a_learner_of_its_own_class_is_graded_like_a_subclass() -> None:
    assert not issubclass(s.DuckLearner, grading.Learner)
    result = _grade(only="learner", learner=s.DuckLearner)
    assert result.passed and result.score == result.total, str(result)


def test_a_learner_of_its_own_class_feeds_learned_stable() -> None:
    from paxos_lib import roles
    from paxos_lib.grading.grader import _check_class

    adapted = _check_class("learner", s.FickleDuckLearner)
    assert adapted is not None and issubclass(adapted, roles.Learner)
    assert adapted.__name__ == "FickleDuckLearner"
    sim = px.Simulation(grading.RoleCluster(proposers=2, implementation=grading.Implementation(
        learner=adapted)))
    sim.propose("p1", "v1")
    for a in ("a1", "a2"):
        sim.deliver("prepare", src="p1", dst=a)
    for a in ("a1", "a2"):
        sim.deliver("promise", src=a, dst="p1")
    sim.deliver("accept", src="p1", dst="a1")
    sim.deliver("accepted", src="a1", dst="l1")
    assert sim.world.learned_log == {("l1", "v1")}
    sim.propose("p2", "v2")
    for a in ("a2", "a3"):
        sim.deliver("prepare", src="p2", dst=a)
    for a in ("a2", "a3"):
        sim.deliver("promise", src=a, dst="p2")
    sim.deliver("accept", src="p2", dst="a2")
    sim.deliver("accepted", src="a2", dst="l1")
    assert sim.world.learned_log == {("l1", "v1"), ("l1", "v2")}
    assert _violates(sim.world, "learned-stable")
    # and the grader reports it, with the student's class in the counterexample
    result = _grade(only="learner", learner=s.FickleDuckLearner)
    assert result.score == 0
    node = px.replay(result.counterexample.cluster, result.counterexample).world.node("l1")
    assert type(node).__name__ == "FickleDuckLearner" and isinstance(node.inner,
                                                                   s.FickleDuckLearner)


def test_a_learner_class_without_the_handlers_is_refused() -> None:
    class NotALearner:
        def __init__(self, node: str) -> None:
            self.node = node

    with pytest.raises(ConfigError, match=r"NotALearner has no on_accepted or on_decided"):
        grading.grade(learner=NotALearner, only="learner", seed=1)
