"""The grader: run a student's roles through the hidden scenarios, score them, explain.

Theory of operation
-------------------
``grade(acceptor, proposer, learner)`` builds, for each scenario, a ``RoleCluster``: an
ordinary ``Cluster`` whose ``initial_state`` hook (the engine's extension point, the one
Multi-Paxos uses) makes the student's class for each role the scenario grades, and the
library's reference class for the others.  Everything else is the one engine: ``explore``
searches it, ``Simulation`` samples it, the usual properties judge it, and every
counterexample is a ``Trace`` of that cluster, so ``px.viz.Stepper(trace)`` (or any view
that replays a Trace) steps through the student's own code.

Scoring.  A scenario earns its points when no safety property fails, the expected progress
happens, the student's code raises nothing and breaks no rule of the interface, and (for a
search) the search exhausts its bounds within ``max_states``.  The report lists every
scenario and explains the first failure in full: the property, a counterexample, and how to
open it.

Shortest counterexamples.  A search's counterexample is shortest among *all* runs of its
bounds (breadth-first search).  A simulation's failing run is (1) cut at the first step that
violates the property, (2) shrunk by delta debugging until no single step can be left out,
and (3) searched again breadth-first over the runs made of the shrunk run's own steps: from
the scenario's first world, any of those steps in any order, each at most as often as the
shrunk run takes it (a delivery of one message, a crash of one node, a timeout...).  The
counterexample shown is a shortest run of that search that violates the same property, so
no run made of those steps violates it in fewer steps (and none of its steps can be left
out).  Runs that need steps the failing run never took are not searched: the whole space of a
five-acceptor cluster under faults is far too large.  The re-search visits at most
``SHORTEST_BUDGET`` distinct (world, steps left) pairs; beyond that the report says the run is
only shrunk, not shortest.

Seeds.  Searches need none.  The seeds of the simulations are drawn at grading time from the
operating system unless ``seed`` is given; the report prints the seed, and the same seed
regrades identically.

This module never imports networkx, matplotlib or ipywidgets.
"""

from __future__ import annotations

import html
import random
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from paxos_lib import roles
from paxos_lib.actions import Action, Propose
from paxos_lib.cluster import Cluster
from paxos_lib.engine import World, apply, initial_world, why_not
from paxos_lib.errors import ConfigError, PaxosError
from paxos_lib.explore import explore
from paxos_lib.grading.adapter import adapt_learner
from paxos_lib.grading.interface import (
    Acceptor,
    Implementation,
    Learner,
    Proposer,
    StudentCodeError,
)
from paxos_lib.grading.scenarios import Scenario, load
from paxos_lib.properties import ALL_PROPERTIES, PROPERTIES, Verdict, chosen, learned
from paxos_lib.search import END_EXHAUSTED, END_VIOLATION
from paxos_lib.simulation import Faults, Simulation
from paxos_lib.trace import Trace

__all__ = ["SHORTEST_BUDGET", "Grade", "RoleCluster", "ScenarioResult", "grade"]

#: The most distinct (world, steps left) pairs the re-search of a failing simulation visits
#: (see "Shortest counterexamples" above).
SHORTEST_BUDGET = 20_000

_BASES = {"acceptor": (Acceptor, roles.Acceptor), "proposer": (Proposer, roles.Proposer),
          "learner": (Learner, roles.Learner)}


@dataclass(frozen=True, slots=True)
class RoleCluster(Cluster):
    """A ``Cluster`` whose nodes run the classes in ``implementation``.

    The engine asks a cluster for each node's first state through ``initial_state``; this
    is all it takes for other role classes to run on the one engine.  NOTE: ``to_dict`` (and
    so a trace's JSON) records only the sizes, so a trace read back from JSON replays with
    the reference roles; keep the ``Trace`` object to replay a student's code.
    """

    implementation: Implementation = field(default_factory=Implementation)

    def initial_state(self, node: str) -> roles.NodeState:
        return self.implementation.make(node, self.role_of(node))


def _check_class(role: str, cls: object) -> type | None:
    if cls is None:
        return None
    base, reference = _BASES[role]
    if cls is reference:
        return reference  # the library's own role, for instructors' comparisons
    if role == "learner" and isinstance(cls, type) and not issubclass(cls, base):
        return adapt_learner(cls)  # a learner of its own class still feeds the properties
    if not isinstance(cls, type) or not issubclass(cls, base):
        raise ConfigError(
            f"{role} must be a class that subclasses px.grading.{base.__name__} "
            f"(class My{base.__name__}(px.grading.{base.__name__}): ...), got {cls!r}"
        )
    return cls


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """How one scenario went."""

    scenario: Scenario
    passed: bool
    points: int
    summary: str  # one line
    detail: str = ""  # the full explanation of a failure
    trace: Trace | None = None  # the counterexample (or the run so far), if any
    seed: int | None = None  # the simulation seed that failed

    @property
    def name(self) -> str:
        return self.scenario.name


@dataclass(frozen=True, slots=True)
class Grade:
    """The verdict: one result per scenario, the score, and the seed to regrade with."""

    results: tuple[ScenarioResult, ...]
    seed: int
    source: str

    @property
    def score(self) -> int:
        return sum(r.points for r in self.results)

    @property
    def total(self) -> int:
        return sum(r.scenario.points for r in self.results)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    @property
    def first_failure(self) -> ScenarioResult | None:
        return next((r for r in self.results if not r.passed), None)

    @property
    def counterexample(self) -> Trace | None:
        """The first failing scenario's counterexample: open it with px.viz.ClusterView."""
        first = self.first_failure
        return None if first is None else first.trace

    def __str__(self) -> str:
        width = max(len(r.name) for r in self.results)
        lines = [f"Score: {self.score}/{self.total} ({self.source}; seed {self.seed})"]
        for r in self.results:
            mark = "✓" if r.passed else "✗"
            lines.append(f"  {mark} {r.name:<{width}}  {r.points:>3}/{r.scenario.points:<3} "
                         f"{r.summary}")
        first = self.first_failure
        if first is None:
            lines.append("Every scenario passed.")
        else:
            lines.append("")
            lines.append(f"First failing scenario: {first.name} ({first.scenario.about})")
            lines.extend("  " + line for line in first.detail.split("\n") if line)
            if first.trace is not None:
                lines.append("  Step through it: px.viz.ClusterView(grade.counterexample)")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        colour = "#1b7837" if self.passed else "#b35806"
        return (f"<pre style='border-left:4px solid {colour};padding-left:8px'>"
                f"{html.escape(str(self))}</pre>")


# -- running one scenario ---------------------------------------------------------------------


def _cluster(s: Scenario, impl: Implementation) -> RoleCluster:
    chosen_impl = Implementation(
        acceptor=impl.acceptor if "acceptor" in s.student else roles.Acceptor,
        proposer=impl.proposer if "proposer" in s.student else roles.Proposer,
        learner=impl.learner if "learner" in s.student else roles.Learner,
    )
    return RoleCluster(proposers=s.proposers, acceptors=s.acceptors, learners=s.learners,
                       implementation=chosen_impl)


def _code_failure(s: Scenario, exc: StudentCodeError, trace: Trace | None,
                  seed: int | None = None) -> ScenarioResult:
    where = "" if trace is None else f" after {len(trace)} step(s) of the run below"
    detail = f"Your {exc.role}.{exc.handler} failed{where}, {exc.handling}:\n  {exc.problem}"
    if trace is not None and trace.steps:
        detail += "\n" + _listing(trace)
    return ScenarioResult(s, False, 0, f"your {exc.role}.{exc.handler}: {exc.problem}",
                          detail, trace, seed)


def _other_failure(s: Scenario, exc: Exception) -> ScenarioResult:
    # Student code can break the engine's own assumptions in ways the guard does not see
    # (an __eq__ that raises, say); report it as a sentence, never a traceback.
    problem = f"{type(exc).__name__}: {exc}"
    return ScenarioResult(s, False, 0, f"the run stopped: {problem}",
                          f"The grader could not run this scenario with your classes: {problem}")


def _listing(trace: Trace, limit: int = 40) -> str:
    lines = trace.numbered().split("\n")
    if len(lines) > limit:
        lines = [*lines[: limit // 2], f"   … {len(lines) - limit} steps …",
                 *lines[-limit // 2:]]
    return "\n".join("  " + line for line in lines)


def _run_explore(s: Scenario, cluster: RoleCluster) -> ScenarioResult:
    props = s.properties
    start = None
    if s.first is not None:
        reach = explore(cluster, s.first, max_ballot=s.max_ballot, max_states=s.max_states,
                        properties=("agreement", "validity", "chosen"))
        if not reach.ok and reach.end == END_VIOLATION:
            return _violation(s, reach.detail, reach.counterexample, "search")
        start = reach.examples.get("chosen")
        if start is None:
            return ScenarioResult(
                s, False, 0, "no value can be chosen",
                f"With clients asking {_clients(s.first)}, no run of the search chose a "
                f"value ({reach.states:,} states): a quorum never accepted one ballot.")
    result = explore(cluster, s.values, max_ballot=s.max_ballot, max_crashes=s.max_crashes,
                     max_states=s.max_states, properties=props, start=start)
    if result.end == END_VIOLATION:
        return _violation(s, result.detail, result.counterexample, "search")
    if result.end != END_EXHAUSTED:
        return ScenarioResult(
            s, False, 0, f"search not finished within {s.max_states:,} states",
            f"The search stopped after {result.states:,} states without covering every run. "
            "The reference needs far fewer: does a handler change state when nothing "
            "changed (a duplicate, a stale message), or send more than it must?")
    if "chosen" in props and start is None and result.examples.get("chosen") is None:
        return ScenarioResult(
            s, False, 0, "no value can ever be chosen",
            f"In all {result.states:,} states no value was chosen: Paxos that never decides "
            "is safe but useless. Does a proposer reach phase 2, do acceptors vote?")
    return ScenarioResult(s, True, s.points, f"safe in all {result.states:,} states")


def _violation(s: Scenario, detail: str, trace: Trace | None, how: str,
               seed: int | None = None, shrunk: int | None = None) -> ScenarioResult:
    summary = detail.split(":")[0]
    if how == "search":
        what = f"A shortest counterexample ({len(trace or ())} steps):"
    elif how == "shortest":
        what = (f"A shortest counterexample ({len(trace or ())} steps) from the failing run "
                f"(seed {seed}), none of which can be left out: no run made of that run's "
                f"own steps, in any order, violates it in fewer (delta debugging alone left "
                f"{shrunk} steps):")
    else:
        what = (f"The failing run (seed {seed}), cut at the first violation and shrunk to "
                f"{len(trace or ())} steps, none of which can be left out (the search for a "
                "shorter reordering stopped at its budget):")
    text = f"{detail}\n{what}"
    if trace is not None:
        text += "\n" + _listing(trace)
    return ScenarioResult(s, False, 0, summary, text, trace, seed)


def _clients(values: dict[str, str]) -> str:
    return ", ".join(f"{p} for {v!r}" for p, v in values.items())


def _run_simulations(s: Scenario, cluster: RoleCluster, rng: random.Random) -> ScenarioResult:
    faults = Faults(**s.faults)
    quiet = Faults(recover=1.0, heal=1.0)
    for _ in range(s.runs):
        seed = rng.randrange(2**31)
        sim = Simulation(cluster, seed=seed, network="lossy")
        try:
            for p, v in s.values.items():
                sim.propose(p, v)
            ok = _steps(sim, s.max_steps, faults, s.expect)
            ok = ok and _steps(sim, s.quiet_steps, quiet, s.expect)
        except StudentCodeError as exc:
            return _code_failure(s, exc, sim.trace, seed)
        bad = [v for v in _safety(sim.world) if not v.holds]
        if bad:
            first = _first_violation(sim.trace, bad[0].name)
            shrunk = _shrink(first, bad[0].name)
            trace, proven = _shortest(shrunk, bad[0].name)
            verdict = next(v for v in _safety(trace.final())
                           if v.name == bad[0].name)
            return _violation(s, f"{verdict.name} violated: {verdict.explanation}", trace,
                              "shortest" if proven else "simulation", seed, len(shrunk))
        if not _progress(sim.world, s.expect):
            want = ("no value was chosen" if s.expect == "chosen"
                    else "not every learner learned the value")
            return ScenarioResult(
                s, False, 0, f"no progress: {want}",
                f"In the run with seed {seed}, {want}, even after {s.quiet_steps} steps "
                f"on a network that had stopped losing messages and crashing nodes "
                f"(learned: {learned(sim.world)}; chosen: {sorted(chosen(sim.world))}). "
                "Does a waiting proposer retry when its timer fires, with a higher ballot? "
                "Does a learner learn from the votes and from Decided?\n"
                f"The last steps of that run:\n{_listing(_tail(sim.trace, 12))}",
                _tail(sim.trace, 0), seed)
    return ScenarioResult(s, True, s.points, f"{s.runs} seeded runs: safe, and "
                          f"{'a value chosen' if s.expect == 'chosen' else 'all learned'}")


def _tail(trace: Trace, n: int) -> Trace:
    if n == 0:
        return trace
    return Trace(trace.cluster, trace.variant, trace.network, trace.steps[-n:], trace.seed)


def _progress(world: World, expect: str) -> bool:
    if expect == "chosen":
        return bool(chosen(world))
    return all(v is not None for v in learned(world).values())


def _steps(sim: Simulation, n: int, faults: Faults, expect: str) -> bool:
    """Take up to n scheduler steps; False once a safety property fails (stop early).

    Under faults the run goes on after a value is chosen (a chosen value must stay chosen);
    on the quiet network it stops once the expected progress happened."""
    quiet = faults.crash == 0 and faults.drop == 0 and faults.partition == 0
    for _ in range(n):
        if quiet and _progress(sim.world, expect) and (
                expect == "chosen" or not sim.world.inflight):
            break
        action = sim.next_random_action(faults)
        if action is None:
            break
        sim.apply(action)
        if not all(v.holds for v in _safety(sim.world)):
            return False
    return True


#: What a simulation checks after every step: the consensus properties, and that no learner
#: changes the value it learned (read from the world's learned log, which every learner
#: feeds, whatever its class: see ``adapter.py``).
SAFETY = tuple(p for p in ALL_PROPERTIES
               if p.kind == "always" and (p in PROPERTIES or p.name == "learned-stable"))


def _safety(world: World) -> list[Verdict]:
    return [p(world) for p in SAFETY]


def _violates(world: World, name: str) -> bool:
    return any(v.name == name and not v.holds for v in _safety(world))


def _first_violation(trace: Trace, name: str) -> Trace:
    world = initial_world(trace.cluster, trace.variant, trace.network)
    for i, action in enumerate(trace.steps, 1):
        world = apply(world, action)
        if _violates(world, name):
            return Trace(trace.cluster, trace.variant, trace.network, trace.steps[:i],
                         trace.seed)
    return trace


def _replays_to_violation(cluster: Cluster, network: str, steps: list[Action],
                          name: str) -> bool:
    world = initial_world(cluster, "classic", network)
    try:
        for action in steps:
            if why_not(world, action) is not None:
                return False
            world = apply(world, action)
    except PaxosError:
        return False
    return _violates(world, name)


def _shrink(trace: Trace, name: str) -> Trace:
    """Leave out chunks of steps, then single steps, while the run still replays and still
    violates ``name`` (delta debugging): no single step of the result can be left out."""
    steps = list(trace.steps)
    chunk = max(1, len(steps) // 2)
    while True:
        i = 0
        changed = False
        while i < len(steps):
            candidate = steps[:i] + steps[i + chunk:]
            # a client's request is what the run is about: keep the proposals
            if not any(isinstance(a, Propose) for a in steps[i:i + chunk]) and \
                    _replays_to_violation(trace.cluster, trace.network, candidate, name):
                steps = candidate
                changed = True
            else:
                i += chunk
        if chunk == 1 and not changed:
            break
        chunk = max(1, chunk // 2) if not changed or chunk > 1 else 1
    return Trace(trace.cluster, trace.variant, trace.network, tuple(steps), trace.seed)


def _shortest(trace: Trace, name: str, budget: int | None = None) -> tuple[Trace, bool]:
    """A shortest run made of ``trace``'s own steps that violates ``name``, and whether the
    search finished (False: it stopped after ``budget`` pairs and ``trace`` comes back).

    Breadth-first over (world, how many of each step are left), from the first world of
    ``trace``'s cluster: a step is taken only when the engine enables it, and a step whose
    handler raises ends that branch (it is another failure, not this one).  The first
    violating world found is at the least depth, so its path is a shortest such run."""
    limit = SHORTEST_BUDGET if budget is None else budget
    prop = next(p for p in ALL_PROPERTIES if p.name == name)
    steps = list(dict.fromkeys(trace.steps))
    left0 = tuple(trace.steps.count(a) for a in steps)
    start = initial_world(trace.cluster, trace.variant, trace.network)
    frontier: list[tuple[World, tuple[int, ...], tuple[Action, ...]]] = [(start, left0, ())]
    seen = {(start, left0)}
    while frontier:
        deeper = []
        for world, left, path in frontier:
            for k, action in enumerate(steps):
                if not left[k] or why_not(world, action) is not None:
                    continue
                try:
                    after = apply(world, action)
                    broken = not prop(after).holds
                except Exception:  # the student's code failed another way on this branch
                    continue
                if broken:
                    return Trace(trace.cluster, trace.variant, trace.network, (*path, action),
                                 trace.seed), True
                rest = (*left[:k], left[k] - 1, *left[k + 1:])
                if (after, rest) in seen:
                    continue
                if len(seen) >= limit:
                    return trace, False
                seen.add((after, rest))
                deeper.append((after, rest, (*path, action)))
        frontier = deeper
    return trace, False  # not reached: the trace itself is one such run


# -- the entry point --------------------------------------------------------------------------


def grade(
    acceptor: type | None = None,
    proposer: type | None = None,
    learner: type | None = None,
    *,
    seed: int | None = None,
    scenarios: str | Iterable[Any] | None = None,
    only: Iterable[str] | str | None = None,
) -> Grade:
    """Grade a student's role classes on the hidden scenarios (see the module docstring).

    ``acceptor``, ``proposer``, ``learner``: subclasses of ``px.grading.Acceptor`` etc. (a
    learner may be a class of its own with ``on_accepted`` and ``on_decided``); a role left
    out (None) is graded only where the scenario does not need it, and its scenarios score 0.
    ``seed``: None draws one now (the report prints it); an int regrades identically.
    ``scenarios``: a JSON file or a list (default: ``$PAXOS_GRADING_SCENARIOS``, else the
    built-in ones).  ``only``: a role or roles; grade only the scenarios that run
    no other role of the student's (``only="acceptor"`` skips the all-together ones).
    """
    classes = {"acceptor": _check_class("acceptor", acceptor),
               "proposer": _check_class("proposer", proposer),
               "learner": _check_class("learner", learner)}
    if seed is None:
        seed = secrets.randbelow(2**31)
    elif isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(f"seed must be an int or None (draw one now), got {seed!r}")
    wanted: tuple[str, ...] | None = None
    if only is not None:
        wanted = (only,) if isinstance(only, str) else tuple(only)
        for role in wanted:
            if role not in _BASES:
                raise ConfigError(f"only names roles from 'acceptor', 'proposer' or "
                                  f"'learner', got {role!r}")
    chosen_scenarios = load(scenarios)
    source = ("your scenarios" if scenarios is not None
              else "hidden scenarios")
    impl = Implementation(
        acceptor=classes["acceptor"] or roles.Acceptor,
        proposer=classes["proposer"] or roles.Proposer,
        learner=classes["learner"] or roles.Learner,
    )
    results = []
    for s in chosen_scenarios:
        if wanted is not None and not set(s.student) <= set(wanted):
            continue
        missing = [r for r in s.student if classes[r] is None]
        if missing:
            results.append(ScenarioResult(
                s, False, 0, f"no {' or '.join(missing)} class given",
                f"This scenario runs your {', '.join(s.student)}; pass "
                + ", ".join(f"{r}=My{r.title()}" for r in missing) + " to grade it."))
            continue
        results.append(_run(s, _cluster(s, impl), seed))
    if not results:
        raise ConfigError(f"no scenario grades the roles {wanted}")
    return Grade(tuple(results), seed, source)


def _run(s: Scenario, cluster: RoleCluster, seed: int) -> ScenarioResult:
    runner: Callable[[], ScenarioResult]
    if s.kind == "explore":
        def runner() -> ScenarioResult:
            return _run_explore(s, cluster)
    else:
        rng = random.Random(f"{seed}/{s.name}")

        def runner() -> ScenarioResult:
            return _run_simulations(s, cluster, rng)
    try:
        return runner()
    except StudentCodeError as exc:
        return _code_failure(s, exc, None)
    except Exception as exc:  # anything else the student's classes provoke
        return _other_failure(s, exc)
