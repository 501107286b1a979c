"""The lessons keep the course's conventions; nbval (run by the same pytest command) then
executes every notebook and compares its stored outputs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
SOLUTIONS = sorted((ROOT / "notebooks" / "solutions").glob("[0-9][0-9]-*.ipynb"))


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def text(cell: dict) -> str:
    return "".join(cell["source"])


def test_there_are_lessons_and_each_has_a_solution() -> None:
    assert NOTEBOOKS, "no lessons in notebooks/"
    names = {p.name for p in NOTEBOOKS}
    assert {p.name for p in SOLUTIONS} == names


@pytest.mark.parametrize("path", NOTEBOOKS + SOLUTIONS, ids=lambda p: p.name)
def test_name_first_cell_and_seed(path: Path) -> None:
    assert re.fullmatch(r"\d\d-[a-z0-9]+(-[a-z0-9]+)*\.ipynb", path.name)
    cs = cells(path)
    assert cs[0]["cell_type"] == "markdown" and text(cs[0]).startswith("# ")
    code = [c for c in cs if c["cell_type"] == "code"]
    first = text(code[0])
    assert "paxos_lib" in first and re.search(r"^SEED = 0$", first, flags=re.M)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_lesson_shape(path: Path) -> None:
    md = "\n".join(text(c) for c in cells(path) if c["cell_type"] == "markdown")
    goals = re.search(r"^## Learning goals\n+((?:\d\. .+\n?)+)", md, flags=re.M)
    assert goals, "a '## Learning goals' heading followed by a numbered list"
    assert 2 <= len(re.findall(r"^\d\. ", goals.group(1), flags=re.M)) <= 3
    assert "Predict, then run" in md
    assert re.search(r"^## What we saw$", md, flags=re.M)
    assert re.search(r"^## Exercises$", md, flags=re.M)
    code = "\n".join(text(c) for c in cells(path) if c["cell_type"] == "code")
    checks = re.findall(r"px\.exercises\.check_\w+\(", code)
    assert 2 <= len(checks) <= 4
    if "Stepper(" in code:
        assert "sequence_chart(" in code, "every widget scene also appears as a static chart"


@pytest.mark.parametrize("path", NOTEBOOKS + SOLUTIONS, ids=lambda p: p.name)
def test_outputs_are_stored_and_error_free(path: Path) -> None:
    code = [c for c in cells(path) if c["cell_type"] == "code"]
    assert all(c.get("execution_count") for c in code), "run the notebook before committing"
    assert any(c.get("outputs") for c in code)
    for c in code:
        for out in c.get("outputs", []):
            assert out["output_type"] != "error", text(c)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_starters_run_and_say_not_yet(path: Path) -> None:
    outs = [
        "".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
        for c in cells(path) if c["cell_type"] == "code" and "px.exercises.check_" in text(c)
        for o in c.get("outputs", [])
    ]
    assert outs and all("Not yet" in o for o in outs), outs


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_solutions_pass(path: Path) -> None:
    outs = [
        "".join(o.get("data", {}).get("text/plain", ""))
        for c in cells(path) if c["cell_type"] == "code" and "px.exercises.check_" in text(c)
        for o in c.get("outputs", [])
    ]
    assert outs and all("Well done" in o for o in outs), outs


def test_notebooks_match_their_sources() -> None:
    out = subprocess.run([sys.executable, "tools/build_notebooks.py", "--check"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_readme_lesson_index_is_current() -> None:
    out = subprocess.run([sys.executable, "tools/lesson_index.py", "--check"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    readme = (ROOT / "README.md").read_text()
    for path in NOTEBOOKS:
        assert f"(notebooks/{path.name})" in readme
