"""The implementation project: students write the roles, the grader judges them.

Theory of operation
-------------------
A student subclasses ``Acceptor``, ``Proposer`` and ``Learner`` from this package and writes
their handlers (``interface.py`` lists them and guards every call).  ``grade(...)`` runs those
classes, on the library's one engine, through hidden scenarios: exhaustive explorer searches
and seeded simulations with faults (``scenarios.py``), and returns a ``Grade``: points per
scenario, the total, and the first failing scenario explained with a counterexample
``Trace`` that opens in the cluster view (``px.viz.ClusterView(grade.counterexample)``).

The messages and effects a handler builds (``Prepare`` … ``Decided``, ``Send``, ``SetTimer``,
``CancelTimer``, ``Ballot``) are re-exported here, so one import serves a notebook.

A learner may also be a class of the student's own, with no base class, that defines
``on_accepted`` and ``on_decided``: the grader runs it inside an adapter (``adapter.py``), so
what it learns still feeds the ``learners`` and ``learned-stable`` properties.  A handler
that never returns is stopped by a line budget and reported (``interface.py``).

For instructors: the scenarios a student is graded on are data.  Write your own as a JSON
list (the fields of ``scenarios.Scenario``), keep the file where students cannot read it,
and point the environment variable ``PAXOS_GRADING_SCENARIOS`` at it where grading runs (or
pass ``scenarios="hidden.json"`` to ``grade``).  Seeds for the simulations are drawn when
grading runs; the report prints the seed, and ``grade(..., seed=N)`` regrades identically.

Usage::

    import paxos_lib as px

    class MyAcceptor(px.grading.Acceptor):
        def on_prepare(self, msg, rules): ...
        def on_accept(self, msg, rules): ...

    result = px.grading.grade(acceptor=MyAcceptor, proposer=MyProposer, learner=MyLearner)
    result.score, result.total
    px.viz.ClusterView(result.counterexample)
"""

from paxos_lib.grading.grader import Grade, RoleCluster, ScenarioResult, grade
from paxos_lib.grading.interface import (
    HANDLERS,
    Acceptor,
    Implementation,
    Learner,
    Proposer,
    StudentCodeError,
)
from paxos_lib.grading.scenarios import ENV_VAR, Scenario
from paxos_lib.messages import (
    Accept,
    Accepted,
    Ballot,
    CancelTimer,
    Decided,
    Nack,
    Prepare,
    Promise,
    Send,
    SetTimer,
)

__all__ = [
    "ENV_VAR",
    "HANDLERS",
    "Accept",
    "Accepted",
    "Acceptor",
    "Ballot",
    "CancelTimer",
    "Decided",
    "Grade",
    "Implementation",
    "Learner",
    "Nack",
    "Prepare",
    "Promise",
    "Proposer",
    "RoleCluster",
    "Scenario",
    "ScenarioResult",
    "Send",
    "SetTimer",
    "StudentCodeError",
    "grade",
]
