"""Seeded, fault-injected Multi-Paxos workloads: zero violations, every command applied.

``test_soak`` runs ``SOAK_RUNS`` seeded workloads (``soak_case(seed)``: 3 or 5 replicas, up
to 4 orders, drops, duplicates, crashes, partitions, early timeouts, both safe variants):
2,000 under CI (about half a minute on one core), 300 otherwise; ``bench/soak.py`` runs
100,000 or more.  ``test_every_step`` lets hypothesis pick schedules from the engine's
enabled actions and checks every safety property after every step.
"""

from __future__ import annotations

import os

from hypothesis import given
from hypothesis import strategies as st

from paxos_lib.actions import Deliver, Timeout
from paxos_lib.engine import apply, enabled_actions
from paxos_lib.multipaxos import OrdersSimulation, check_all, soak_case
from paxos_lib.orders import confirm, create

SOAK_RUNS = 2_000 if os.environ.get("CI") else 300


def test_soak() -> None:
    violations, stuck = [], []
    for seed in range(SOAK_RUNS):
        case = soak_case(seed)
        result = case.run()
        if not result.agree:
            violations.append((case, [str(v) for v in result.verdicts if not v.holds]))
        if not result.all_applied or result.end != "converged":
            stuck.append((case, result.end, str(result.progress)))
    assert not violations, violations[:3]
    assert not stuck, stuck[:3]


@given(st.sampled_from(["classic", "phase1-per-slot"]),
       st.lists(st.integers(min_value=0, max_value=10_000), max_size=80))
def test_every_step(variant: str, choices: list[int]) -> None:
    sim = OrdersSimulation(3, seed=0, variant=variant)
    sim.submit("r2", str(create(1, "c1", 1)))
    sim.submit("r3", str(confirm(1, "c1", 2)))
    world = sim.world
    for choice in choices:
        actions = enabled_actions(world)
        # Favour the protocol's own steps so schedules get somewhere.
        useful = [a for a in actions if isinstance(a, Deliver | Timeout)]
        pool = useful if useful and choice % 4 else actions
        world = apply(world, pool[choice % len(pool)])
        bad = [str(v) for v in check_all(world) if not v.holds]
        assert not bad, bad


# Membership changes (``paxos_lib.multipaxos.reconfig``): every run adds a spare and removes an
# original member through the log, alpha from 1 to 3; ``bench/soak.py --membership`` runs more.
MEMBERSHIP_RUNS = 500 if os.environ.get("CI") else 100


def test_soak_with_membership_changes() -> None:
    from paxos_lib.multipaxos import reconfig_soak_case

    violations, stuck = [], []
    for seed in range(MEMBERSHIP_RUNS):
        case = reconfig_soak_case(seed)
        result = case.run()
        if not result.agree:
            violations.append((case, [str(v) for v in result.verdicts if not v.holds]))
        if not result.all_applied or result.end != "converged":
            stuck.append((case, result.end, str(result.progress)))
    assert not violations, violations[:3]
    assert not stuck, stuck[:3]
