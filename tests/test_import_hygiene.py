"""Importing the library pulls in no drawing or widget packages.

The notebooks need networkx, matplotlib and ipywidgets; the library's core must not, so that
``import paxos_lib`` stays fast and works where they are not installed.  Each check runs in a
fresh interpreter, because this test process may already have imported them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("networkx", "matplotlib", "ipywidgets")

CORE_MODULES = (
    "paxos_lib",
    "paxos_lib.errors",
    "paxos_lib.messages",
    "paxos_lib.cluster",
    "paxos_lib.variants",
    "paxos_lib.roles",
    "paxos_lib.actions",
    "paxos_lib.engine",
    "paxos_lib.properties",
    "paxos_lib.trace",
    "paxos_lib.simulation",
    "paxos_lib.cli.simulate",
)


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          cwd=ROOT)


def test_importing_paxos_lib_does_not_import_networkx_matplotlib_or_ipywidgets() -> None:
    proc = run_python(
        "import paxos_lib, sys; "
        "assert not {'networkx','matplotlib','ipywidgets'} & set(sys.modules), "
        "sorted({'networkx','matplotlib','ipywidgets'} & set(sys.modules))"
    )
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_imports_nothing_heavy(module: str) -> None:
    proc = run_python(
        f"import importlib, sys; importlib.import_module({module!r}); "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_a_simulated_run_imports_nothing_heavy() -> None:
    proc = run_python(
        "import sys, paxos_lib as px\n"
        "sim = px.Simulation(px.Cluster(proposers=2, acceptors=3), seed=1)\n"
        "sim.propose('p1', 'confirmed')\n"
        "r = sim.run(max_steps=500, faults=px.Faults(drop=0.1, crash=0.05))\n"
        "px.Trace.from_json(sim.trace.to_json())\n"
        "assert r.ok\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('networkx', 'matplotlib', 'ipywidgets')))\n"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_the_check_itself_can_fail() -> None:
    """The subprocess sees a heavy import when there is one (so the checks above are live)."""
    pytest.importorskip("networkx")
    proc = run_python("import networkx, sys; import paxos_lib; "
                      "assert not {'networkx'} & set(sys.modules)")
    assert proc.returncode != 0 and "AssertionError" in proc.stderr
