"""The implementation project notebook keeps the course's conventions: its starters run and
the grader diagnoses each, its solution scores full marks, and its stored outputs are real
(nbval, run by the same pytest command, compares them)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "notebooks" / "project-implement-paxos.ipynb"
SOLUTION = ROOT / "notebooks" / "solutions" / "project-implement-paxos.ipynb"


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def text(cell: dict) -> str:
    return "".join(cell["source"])


def grade_outputs(path: Path) -> list[str]:
    """The printed text of each cell that grades (a prediction's revealing cell prints the
    recalled prediction first, as a stream output of its own)."""
    return ["".join("".join(o.get("text", "")) for o in c.get("outputs", []))
            for c in cells(path)
            if c["cell_type"] == "code" and "px.grading.grade(" in text(c)]


@pytest.mark.parametrize("path", [PROJECT, SOLUTION], ids=lambda p: p.parent.name)
def test_shape_first_cell_and_stored_outputs(path: Path) -> None:
    cs = cells(path)
    assert cs[0]["cell_type"] == "markdown" and text(cs[0]).startswith("# Project · ")
    code = [c for c in cs if c["cell_type"] == "code"]
    assert "paxos_lib" in text(code[0]) and re.search(r"^SEED = 0$", text(code[0]), re.M)
    assert all(c.get("execution_count") for c in code)
    for c in code:
        assert all(o["output_type"] != "error" for o in c.get("outputs", [])), text(c)
    md = "\n".join(text(c) for c in cs if c["cell_type"] == "markdown")
    goals = re.search(r"^## Learning goals\n+((?:\d\. .+\n(?: {3}.+\n)*)+)", md, re.M)
    assert goals and 2 <= len(re.findall(r"^\d\. ", goals.group(1), re.M)) <= 3
    assert "Predict, then run" in md and re.search(r"^## What we saw$", md, re.M)
    for handler in ("on_prepare", "on_accept", "on_propose", "on_promise", "on_accepted",
                    "on_nack", "on_timeout", "on_decided"):
        assert handler in md, f"the interface table names {handler}"


def test_each_starter_is_diagnosed_by_its_own_role() -> None:
    outs = grade_outputs(PROJECT)
    assert len(outs) == 4
    for out, role in zip(outs[:3], ("acceptor", "proposer", "learner"), strict=True):
        score = re.search(r"^Score: (\d+)/(\d+)", out, re.M)
        assert score and int(score.group(1)) < int(score.group(2)), out
        assert f"First failing scenario: {role}-" in out
        assert "A shortest counterexample" in out
    assert "Every scenario passed." not in outs[3]


def test_the_solution_scores_full_marks() -> None:
    outs = grade_outputs(SOLUTION)
    assert len(outs) == 4 and all("Every scenario passed." in o for o in outs), outs
    assert outs[3].startswith("Score: 100/100")


def test_the_counterexample_opens_in_the_cluster_view_and_as_a_chart() -> None:
    code = [c for c in cells(PROJECT) if c["cell_type"] == "code"]
    view = [c for c in code if "ClusterView(grade.counterexample)" in text(c)]
    assert view and all("nbval-ignore-output" in c["metadata"].get("tags", [])
                        for c in view)
    assert any("sequence_chart(grade.counterexample)" in text(c) for c in code)


def test_the_builder_and_the_index_know_the_project() -> None:
    out = subprocess.run([sys.executable, "tools/build_notebooks.py", "--check"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout
    readme = (ROOT / "README.md").read_text()
    index = readme[readme.index("<!-- lessons:start -->"):readme.index("<!-- lessons:end -->")]
    assert index.index("04-failures") < index.index("project-implement-paxos") \
        < index.index("05-liveness")
