"""docs/instructor-guide.md covers every lesson and answers every prediction prompt."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "instructor-guide.md"
PROMPT = "**Predict, then run.**"


def lessons() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def title(lesson: Path) -> str:
    notebook = nbformat.read(lesson, as_version=4)
    first = notebook.cells[0].source.splitlines()[0]
    assert first.startswith("# ")
    return first[2:].strip()


def guide_section(text: str, heading: str) -> str:
    match = re.search(rf"^### {re.escape(heading)} \((\d+) min\)$", text, re.MULTILINE)
    assert match, f"no '### {heading} (N min)' section in the instructor guide"
    rest = text[match.end():]
    end = re.search(r"^##+ ", rest, re.MULTILINE)
    return rest[: end.start()] if end else rest


@pytest.mark.parametrize("lesson", lessons(), ids=lambda p: p.stem)
def test_guide_answers_every_prediction_prompt_of_the_lesson(lesson: Path) -> None:
    text = GUIDE.read_text(encoding="utf-8")
    section = guide_section(text, title(lesson))
    for part in ("**Assumes:**", "**Outcomes:**", "**Misconceptions", "**Predictions**",
                 "**Exercises:**"):
        assert part in section, (lesson.name, part)
    notebook = nbformat.read(lesson, as_version=4)
    prompts = sum(c.source.count(PROMPT) for c in notebook.cells if c.cell_type == "markdown")
    predictions = section.split("**Predictions**", 1)[1].split("**Exercises:**", 1)[0]
    answers = re.findall(r"^\d+\. \*.+?\* —\s", predictions, re.MULTILINE | re.DOTALL)
    assert len(answers) >= prompts, f"{lesson.name}: {prompts} prompts, {len(answers)} answers"


def test_guide_has_syllabus_grading_and_every_way_to_run() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    assert re.search(r"^## A 4.5 week lab syllabus$", text, re.MULTILINE)
    weeks = re.findall(r"^\| (\d) \|", text, re.MULTILINE)
    assert weeks == ["1", "2", "3", "4", "5"]
    assert "## Grading with nbgrader" in text and "nbgrader autograde" in text
    for way in ("**Binder**", "**JupyterHub**", "**Browser edition**"):
        assert way in text
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/instructor-guide.md)" in readme
