"""docs/instructor-guide.md covers every lesson and the project, answers every prediction
prompt with numbers the lessons' stored outputs still show, and names exactly the exercise
checks each lesson calls and the scenarios the project's grader runs.

How numbers are checked.  An answer in the guide belongs to the prompt of the same number in
its lesson; the scene that answers prompt k is every code cell after prompt k's markdown cell
and before prompt k+1's (to the end of the notebook for the last prompt).  A number the guide
marks with ``<!--out-->`` (as the lessons mark theirs) must be a number printed by that scene.
An unmarked number of two or more digits (or with a comma or a decimal point) must be printed
by that scene or be written in the lesson's prose (its markdown, such as "50 seeded duels";
not its code, where format widths and parameters would let stale numbers through).  Ballots
(``31.p1``), client ids (``c42``) and words with digits (``90th``) are not numbers here.  So
a number copied from an older output fails as soon as the lesson no longer prints it.  What
this cannot see: a marked number that the scene still prints elsewhere (a list of all 50 step
counts holds most small numbers), so a stale median that is still one of the step counts
passes.  Single-digit numbers are checked only where marked: small numbers occur everywhere.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "instructor-guide.md"
PROMPT = "**Predict, then run.**"
CHECK_CALL = re.compile(r"px\.exercises\.(check_\w+)\(")
CHECK_NAME = re.compile(r"\bcheck_\w+")
# A number: 3,921 or 8.9 or 17; not part of a word, a ballot (31.p1) or an id (c42).
NUMBER = re.compile(r"(?<![\w.,#-])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w]|\.[A-Za-z])")
MARKED = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)<!--out-->")


def notebooks() -> list[Path]:
    """The lessons, then the project (not the solution notebooks)."""
    found = [*sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")),
             *sorted((ROOT / "notebooks").glob("project-*.ipynb"))]
    assert any(p.name.startswith("project-") for p in found)
    return found


def read(lesson: Path) -> nbformat.NotebookNode:
    return nbformat.read(lesson, as_version=4)


def title(lesson: Path) -> str:
    first = read(lesson).cells[0].source.splitlines()[0]
    assert first.startswith("# ")
    return first[2:].strip()


def guide_section(text: str, heading: str) -> str:
    match = re.search(rf"^### {re.escape(heading)} \(\d+(?:\u2013\d+)? (?:min|hours)\)$", text,
                      re.MULTILINE)
    assert match, f"no '### {heading} (N min)' section in the instructor guide"
    rest = text[match.end():]
    end = re.search(r"^##+ ", rest, re.MULTILINE)
    return rest[: end.start()] if end else rest


def part(section: str, start: str, end: str | None) -> str:
    assert start in section, start
    rest = section.split(start, 1)[1]
    return rest.split(end, 1)[0] if end else rest


def answers(section: str, ends_with: str) -> list[str]:
    """The numbered answers of a section's **Predictions** part, in order."""
    predictions = part(section, "**Predictions**", ends_with)
    starts = list(re.finditer(r"^\d+\. \*.+?\* —\s", predictions, re.MULTILINE | re.DOTALL))
    return [predictions[m.start(): (starts[i + 1].start() if i + 1 < len(starts) else None)]
            for i, m in enumerate(starts)]


def output_text(cell: nbformat.NotebookNode) -> str:
    parts = []
    for output in cell.get("outputs", []):
        text = output.get("text", "")
        parts.append("".join(text) if isinstance(text, list) else text)
        plain = output.get("data", {}).get("text/plain", "")
        parts.append("".join(plain) if isinstance(plain, list) else plain)
    return "\n".join(parts)


def scenes(notebook: nbformat.NotebookNode) -> list[str]:
    """For each prompt, the stored output of the code cells that answer it."""
    found: list[list[str]] = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and PROMPT in cell.source:
            found.extend([] for _ in range(cell.source.count(PROMPT)))
        elif cell.cell_type == "code" and found:
            found[-1].append(output_text(cell))
    return ["\n".join(outputs) for outputs in found]


def numbers(text: str) -> set[str]:
    return {m.group(1) + (m.group(2) or "") for m in NUMBER.finditer(text)}


def quoted_numbers(answer: str) -> tuple[set[str], set[str]]:
    """(marked numbers, unmarked numbers worth checking) of one answer."""
    marked = set(MARKED.findall(answer))
    unmarked = {n for n in numbers(MARKED.sub("", answer))
                if len(n) > 1 and not re.fullmatch(r"0\d*", n)}
    return marked, unmarked


def sections_and_notebooks() -> list[tuple[Path, str]]:
    text = GUIDE.read_text(encoding="utf-8")
    return [(lesson, guide_section(text, title(lesson))) for lesson in notebooks()]


def is_project(lesson: Path) -> bool:
    return lesson.name.startswith("project-")


@pytest.mark.parametrize("lesson", notebooks(), ids=lambda p: p.stem)
def test_guide_answers_every_prediction_prompt_of_the_lesson(lesson: Path) -> None:
    text = GUIDE.read_text(encoding="utf-8")
    section = guide_section(text, title(lesson))
    last = "**Scenarios:**" if is_project(lesson) else "**Exercises:**"
    for label in ("**Assumes:**", "**Outcomes:**", "**Misconceptions", "**Predictions**", last):
        assert label in section, (lesson.name, label)
    notebook = read(lesson)
    prompts = sum(c.source.count(PROMPT) for c in notebook.cells if c.cell_type == "markdown")
    assert prompts >= 1, lesson.name
    found = answers(section, last)
    assert len(found) == prompts, f"{lesson.name}: {prompts} prompts, {len(found)} answers"


@pytest.mark.parametrize("lesson", notebooks(), ids=lambda p: p.stem)
def test_guide_quotes_only_numbers_the_lesson_still_shows(lesson: Path) -> None:
    text = GUIDE.read_text(encoding="utf-8")
    section = guide_section(text, title(lesson))
    last = "**Scenarios:**" if is_project(lesson) else "**Exercises:**"
    notebook = read(lesson)
    written = numbers("\n".join(c.source for c in notebook.cells if c.cell_type == "markdown"))
    problems = []
    for k, (answer, scene) in enumerate(zip(answers(section, last), scenes(notebook),
                                            strict=True), start=1):
        shown = numbers(scene)
        marked, unmarked = quoted_numbers(answer)
        problems += [f"answer {k}: {n}<!--out--> is not in the outputs of prompt {k}'s scene"
                     for n in sorted(marked - shown)]
        problems += [f"answer {k}: {n} is neither in prompt {k}'s outputs nor in the lesson"
                     for n in sorted(unmarked - shown - written)]
    assert not problems, f"{lesson.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("lesson", [p for p in notebooks() if not is_project(p)],
                         ids=lambda p: p.stem)
def test_guide_names_exactly_the_checks_the_lesson_calls(lesson: Path) -> None:
    section = guide_section(GUIDE.read_text(encoding="utf-8"), title(lesson))
    named = set(CHECK_NAME.findall(part(section, "**Exercises:**", None)))
    called = {m.group(1) for c in read(lesson).cells if c.cell_type == "code"
              for m in CHECK_CALL.finditer(c.source)}
    assert called, f"{lesson.name} calls no check"
    assert named == called, (f"{lesson.name}: the guide names {sorted(named - called)} that "
                             f"the lesson does not call, and misses {sorted(called - named)}")
    # Every check also names the function the student writes, as the lesson spells it.
    for check in called:
        assert re.search(rf"`{check}` \(`\w+\(", section), check


def test_guide_names_exactly_the_project_grader_scenarios(monkeypatch) -> None:
    from paxos_lib.grading import ENV_VAR
    from paxos_lib.grading.scenarios import load

    monkeypatch.delenv(ENV_VAR, raising=False)
    project = next(p for p in notebooks() if is_project(p))
    section = guide_section(GUIDE.read_text(encoding="utf-8"), title(project))
    listed = part(section, "**Scenarios:**", "**How the grader works:**")
    named = dict(re.findall(r"`([a-z]+-[a-z-]+)` \((\d+)\)", listed))
    defaults = load(None)
    assert named == {s.name: str(s.points) for s in defaults}
    assert f"{sum(s.points for s in defaults)} points in all" in listed
    assert ENV_VAR in section and "paxos_lib.grading.Scenario" in section
    # The guide lists every field an instructor's scenario file may use.
    from dataclasses import fields

    from paxos_lib.grading import Scenario
    for field in fields(Scenario):
        assert f"`{field.name}`" in section, field.name


def test_number_checks_catch_a_stale_number() -> None:
    """The number rules on a made-up answer: a stale marked number, a stale unmarked one."""
    marked, unmarked = quoted_numbers(
        "1. *q?* — half within 14<!--out--> steps, ballot 31.p1, c42/2, 90th, 0/35, 3,921 states, "
        "8.9 times, 2 of 3")
    assert marked == {"14"} and unmarked == {"3,921", "8.9", "35"}
    scene = "half of them chose within 17 steps; 3,921 distinct states; 8.9 times fewer; 0/35"
    assert marked - numbers(scene) == {"14"}
    assert unmarked - numbers(scene) == set()


def test_guide_has_syllabus_grading_and_every_way_to_run() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    assert re.search(r"^## A 4.5 week lab syllabus$", text, re.MULTILINE)
    weeks = re.findall(r"^\| (\d) \|", text, re.MULTILINE)
    assert weeks == ["1", "2", "3", "4", "5", "6", "7"]
    core = re.split(r"## A 4.5 week lab syllabus", text, maxsplit=1)[1].split("\n### ", 1)[0]
    assert re.findall(r"^\| (\d) \|", core, re.MULTILINE) == ["1", "2", "3", "4", "5"]
    syllabus = re.split(r"## A 4.5 week lab syllabus", text, maxsplit=1)[1].split("\n## ", 1)[0]
    for lesson in notebooks():
        if not is_project(lesson):
            assert re.search(rf"\| [^|]*\b{lesson.name[:2]}\b", syllabus), lesson.name
    assert "project" in syllabus
    assert "## Grading with nbgrader" in text and "nbgrader autograde" in text
    assert "## Grading the project" in text
    for way in ("**Binder**", "**JupyterHub**", "**Browser edition**"):
        assert way in text
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/instructor-guide.md)" in readme
