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
    assert any(p.name.startswith("project-") for p in PREDICTING), "the project is covered"
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


# -- predictions: the student commits before the answer can be seen ---------------------------

PROMPT = "**Predict, then run.**"

#: The lessons and the implementation project: every one stores its outputs, so every
#: prediction prompt in any of them must be committed before its answer shows.
PREDICTING = NOTEBOOKS + sorted((ROOT / "notebooks").glob("project-*.ipynb"))


def hidden(cell: dict, key: str) -> bool:
    return bool(cell.get("metadata", {}).get("jupyter", {}).get(key))


def outputs_text(cell: dict) -> str:
    return "".join(
        "".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
        for o in cell.get("outputs", [])
    )


@pytest.mark.parametrize("path", PREDICTING, ids=lambda p: p.name)
def test_every_prediction_is_committed_before_its_answer_shows(path: Path) -> None:
    """Each prompt: a widget cell next, then the revealing code cells with their output
    collapsed (one of them prints the verdict), then the explanation folded."""
    cs = cells(path)
    prompts = [i for i, c in enumerate(cs) if c["cell_type"] == "markdown" and PROMPT in text(c)]
    assert prompts, "at least one prediction prompt"
    for i in prompts:
        where = f"{path.name}, prompt in cell {i}: {text(cs[i])[text(cs[i]).index(PROMPT):][:70]!r}"
        assert not hidden(cs[i], "source_hidden"), f"{where}: the prompt itself is folded"
        widget = cs[i + 1]
        assert widget["cell_type"] == "code" and "px.viz.predict(" in text(widget), (
            f"{where}: the next cell must show a px.viz.predict(...) widget")
        assert "nbval-ignore-output" in widget.get("metadata", {}).get("tags", []), where
        assert not hidden(widget, "outputs_hidden"), f"{where}: the widget must be visible"
        j = i + 2
        revealing = []
        while j < len(cs) and cs[j]["cell_type"] == "code":
            revealing.append(cs[j])
            j += 1
        assert revealing, f"{where}: no code cell runs the scene after the widget"
        for c in revealing:
            assert hidden(c, "outputs_hidden"), (
                f"{where}: revealing cell {text(c)[:60]!r} must be stored with its output "
                "collapsed (mark it '# %% reveal' in the source)")
        verdicts = [c for c in revealing if ".reveal(" in text(c)]
        assert len(verdicts) == 1, f"{where}: exactly one revealing cell calls .reveal()"
        verdict = verdicts[0]
        assert "No prediction was committed above. What happened:" in outputs_text(verdict), (
            f"{where}: the stored verdict is the deterministic no-prediction text")
        assert j < len(cs) and hidden(cs[j], "source_hidden"), (
            f"{where}: the explanation after the revealing cells must be folded "
            "('# %% [markdown] reveal')")
        assert PROMPT not in text(cs[j]), f"{where}: a folded cell hides the next prompt"


def first_text_line(cell: dict) -> str | None:
    """The first line of a cell's first output when that output is printed text (what
    JupyterLab previews when the output is collapsed), else None."""
    outs = cell.get("outputs", [])
    if not outs or outs[0].get("output_type") != "stream" or outs[0].get("name") != "stdout":
        return None
    return "".join(outs[0]["text"]).split("\n", 1)[0]


@pytest.mark.parametrize("path", PREDICTING, ids=lambda p: p.name)
def test_collapsed_outputs_preview_nothing_of_the_answer(path: Path) -> None:
    """JupyterLab shows a collapsed output's first line: it must be the recalled prediction."""
    for c in cells(path):
        if hidden(c, "outputs_hidden"):
            line = first_text_line(c)
            assert line is None or line.startswith("Your prediction: none committed"), (
                f"{path.name}: a collapsed output previews {line!r}; start the cell with "
                "guess.recall()")
    for c in cells(path):
        if hidden(c, "source_hidden"):
            first = text(c).split("\n", 1)[0]
            assert first.startswith("*Explanation folded"), (
                f"{path.name}: a folded explanation previews {first!r}")


@pytest.mark.parametrize("path", PREDICTING, ids=lambda p: p.name)
def test_stored_widget_state_gives_no_verdict_away(path: Path) -> None:
    state = json.loads(path.read_text()).get("metadata", {}).get("widgets", {})
    blob = json.dumps(state, ensure_ascii=False)
    for giveaway in ("What happened", "You predicted", "Committed:"):
        assert giveaway not in blob, f"{path.name}: stored widget state holds {giveaway!r}"


@pytest.mark.parametrize("path", PREDICTING, ids=lambda p: p.name)
def test_hidden_cells_are_only_prediction_reveals(path: Path) -> None:
    """Nothing else is folded: a hidden cell that no prompt explains would just be missing."""
    cs = cells(path)
    allowed = set()
    for i, c in enumerate(cs):
        if c["cell_type"] == "markdown" and PROMPT in text(c):
            j = i + 2
            while j < len(cs) and cs[j]["cell_type"] == "code":
                allowed.add(j)
                j += 1
            allowed.add(j)
    for i, c in enumerate(cs):
        if hidden(c, "outputs_hidden") or hidden(c, "source_hidden"):
            assert i in allowed, f"{path.name}: cell {i} is hidden but reveals no prediction"


# -- numbers the prose quotes from an output ---------------------------------------------------

#: A number in the prose that is read off an output carries this marker right after it, e.g.
#: ``13,652<!--out-->`` (an HTML comment: invisible in the rendered lesson).
QUOTED = re.compile(r"(\d[\d,.]*?)<!--out-->")


def printed(cell: dict) -> str:
    """A cell's text output without figure reprs (``<Figure size ...>`` quotes nothing)."""
    return "\n".join(line for line in outputs_text(cell).splitlines()
                     if not line.startswith("<Figure"))


def quoted_numbers(path: Path) -> list[tuple[int, str, str]]:
    """(markdown cell index, number, text of the nearest earlier code output) per marker."""
    cs = cells(path)
    found = []
    for i, c in enumerate(cs):
        if c["cell_type"] != "markdown":
            continue
        for number in QUOTED.findall(text(c)):
            before = next((printed(cs[k]) for k in range(i - 1, -1, -1)
                           if cs[k]["cell_type"] == "code" and printed(cs[k])), "")
            found.append((i, number, before))
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_quoted_numbers_match_the_output_they_quote(path: Path) -> None:
    for i, number, output in quoted_numbers(path):
        token = re.compile(rf"(?<!\d)(?<!\d[,.]){re.escape(number)}(?!\d|[,.]\d)")
        assert token.search(output), (
            f"{path.name}, cell {i}: the prose quotes {number} from the output above it, "
            f"which does not show it:\n{output[:600]}")


def test_quoted_numbers_are_marked_where_the_issue_found_drift() -> None:
    """The numbers that once drifted from their outputs are now checked."""
    marked = {path.name[:2]: {n for _, n, _ in quoted_numbers(path)} for path in NOTEBOOKS}
    assert {"9", "13,652"} <= marked["03"]
    assert {"166", "41"} <= marked["05"]
    assert {"8", "16"} <= marked["07"]


def test_a_wrong_quoted_number_is_caught(tmp_path: Path) -> None:
    nb = {"cells": [
        {"cell_type": "code", "source": "print(7)", "metadata": {},
         "outputs": [{"output_type": "stream", "name": "stdout", "text": "after 14 steps\n"}]},
        {"cell_type": "markdown", "source": "Within 9<!--out--> steps.", "metadata": {}},
    ]}
    path = tmp_path / "99-probe.ipynb"
    path.write_text(json.dumps(nb))
    with pytest.raises(AssertionError, match="quotes 9"):
        test_quoted_numbers_match_the_output_they_quote(path)


# -- consensus is defined before it is used ---------------------------------------------------


def test_lesson_01_defines_consensus_before_safety_is_used() -> None:
    from paxos_lib.properties import PROPERTIES

    md = "\n".join(text(c) for c in cells(NOTEBOOKS[0]) if c["cell_type"] == "markdown")
    first_safety = re.search(r"safety", md, flags=re.I)
    assert first_safety
    for term in ("**validity**", "**agreement**", "**learner integrity**", "**termination**"):
        assert 0 <= md.find(term) < first_safety.start(), f"{term} is defined before 'safety'"
    for prop in PROPERTIES:
        assert f"`{prop.name}`" in md[: md.find("## The toy, run as written")], (
            f"the checkers' property name {prop.name!r} is tied to its definition")


def test_the_reveal_marker_hides_output_or_folds_text() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_notebooks",
                                                  ROOT / "tools" / "build_notebooks.py")
    assert spec and spec.loader
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    source = ("# %% [markdown]\n# # T\n\n# %% reveal tags=[\"x\"]\nprint(1)\n\n"
              "# %% [markdown] reveal\n# Why.\n\n# %%\nprint(2)\n")
    nb = build.to_notebook(build.parse_source(source))
    assert [c.metadata.get("jupyter") for c in nb.cells] == [
        None, {"outputs_hidden": True}, {"source_hidden": True}, None]
    assert nb.cells[1].metadata["tags"] == ["x"]
    with pytest.raises(ValueError, match="unknown cell marker"):
        build.parse_source("# %% hidden\nprint(1)\n")
