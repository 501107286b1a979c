"""paxos_lib runs on WebAssembly: the same self-check on CPython and on Pyodide under Node.

Pyodide is the pinned npm package in tools/wasm (installed by `npm ci` there, which .ci/run
does); the library's files are written into Pyodide's filesystem, with no micropip and no
network.  The test is skipped only when Node or that package is missing and CI is unset.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WASM = ROOT / "tools" / "wasm"
PYODIDE = WASM / "node_modules" / "pyodide"
NODE = shutil.which("node")
TLC_TINY = {"ok": True, "states": 3_921, "generated": 23_563, "depth": 17}

pytestmark = pytest.mark.slow


def pyodide_or_skip() -> str:
    if NODE is None or not (PYODIDE / "pyodide.asm.wasm").exists():
        if os.environ.get("CI"):
            pytest.fail("Node.js and the npm pyodide package are needed: cd tools/wasm && npm ci")
        pytest.skip("needs Node.js and `npm ci` in tools/wasm (the pinned pyodide package)")
    return NODE


def run_on_pyodide(library: Path) -> dict:
    node = pyodide_or_skip()
    done = subprocess.run(
        [node, str(WASM / "run_pyodide.mjs"), str(library), str(WASM / "selfcheck.py")],
        cwd=WASM,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def on_cpython() -> dict:
    done = subprocess.run(
        [sys.executable, str(WASM / "selfcheck.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def on_pyodide() -> dict:
    return run_on_pyodide(ROOT / "paxos_lib")


def test_pinned_pyodide_is_the_one_the_browser_edition_loads() -> None:
    """tools/wasm pins the npm pyodide that jupyterlite-pyodide-kernel's kernel loads."""
    pinned = json.loads((WASM / "package.json").read_text(encoding="utf-8"))
    version = pinned["dependencies"]["pyodide"]
    lock = json.loads((WASM / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/pyodide"]["version"] == version
    labext = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyterlite"
    kernel_js = "".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in (labext / "pyodide-kernel-extension").rglob("*.js")
    )
    assert f"pyodide/v{version}/" in kernel_js


def test_self_check_runs_on_webassembly(on_pyodide: dict) -> None:
    assert on_pyodide["platform"] == "emscripten"
    assert on_pyodide["imported_from"] == "/home/pyodide/paxos_lib/__init__.py"
    assert on_pyodide["tla_tiny"] == TLC_TINY
    sim = on_pyodide["simulation"]
    assert sim["ok"] and sim["end"] == "learned"
    assert set(sim["verdicts"]) == {"agreement", "validity", "learners"}
    assert all(sim["verdicts"].values())
    assert len(sim["chosen"]) == 1 and set(sim["learned"].values()) == set(sim["chosen"])
    variant = on_pyodide["variant"]
    assert (variant["ok"], variant["end"], variant["violation"], variant["length"]) == (
        False, "violation", "votes-safe", 11)
    assert variant["steps"].startswith("Trace: 2 proposer(s), 2 acceptor(s)")


def test_webassembly_and_cpython_agree_step_for_step(on_cpython: dict, on_pyodide: dict) -> None:
    assert on_cpython["platform"] != "emscripten"
    strip = {"python", "platform", "imported_from"}
    assert {k: v for k, v in on_pyodide.items() if k not in strip} == {
        k: v for k, v in on_cpython.items() if k not in strip
    }


def test_runner_reports_a_python_error_with_exit_status_1(tmp_path: Path) -> None:
    node = pyodide_or_skip()
    script = tmp_path / "boom.py"
    script.write_text("import paxos_lib as px\npx.Cluster(proposers=0)\n", encoding="utf-8")
    done = subprocess.run(
        [node, str(WASM / "run_pyodide.mjs"), str(ROOT / "paxos_lib"), str(script)],
        cwd=WASM, capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 1
    assert "ConfigError" in done.stderr


LOOP_SCRIPT = '''
import json
from dataclasses import replace
import paxos_lib as px
from paxos_lib import grading, roles

class LoopingAcceptor(grading.Acceptor):
    def on_prepare(self, msg, rules):
        return roles.Acceptor.on_prepare(self, msg, rules)

    def on_accept(self, msg, rules):
        while msg.ballot is not None:
            pass
        return self, ()

sim = px.Simulation(grading.RoleCluster(implementation=grading.Implementation(
    acceptor=LoopingAcceptor)))
sim.propose("p1", "v1")
sim.deliver("prepare", src="p1", dst="a1")
sim.deliver("promise", src="a1", dst="p1")
sim.deliver("prepare", src="p1", dst="a2")
sim.deliver("promise", src="a2", dst="p1")
try:
    sim.deliver("accept", src="p1", dst="a1")
    print(json.dumps({"stopped": False}))
except grading.StudentCodeError as exc:
    print(json.dumps({"stopped": True, "problem": exc.problem}))
'''


def test_the_graders_endless_loop_guard_works_on_webassembly(tmp_path: Path) -> None:
    """The line budget is a trace function, which Pyodide supports: a student's handler that
    never returns is stopped there too (no threads or processes needed)."""
    node = pyodide_or_skip()
    script = tmp_path / "loop.py"
    script.write_text(LOOP_SCRIPT)
    done = subprocess.run([node, str(WASM / "run_pyodide.mjs"), str(ROOT / "paxos_lib"),
                           str(script)], cwd=WASM, capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    result = json.loads(done.stdout)
    assert result["stopped"], result
    assert "never returned" in result["problem"]
    assert re.search(r"\(line \d+ `(while msg\.ballot is not None:|pass)`\)", result["problem"])
