"""`python tools/build_editions.py`: the student edition holds the lessons and the
implementation project, no solutions (no lesson's reference answers, not the project's
reference implementation) and reveals no prediction, and its checkers work; the instructor
edition holds everything."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import build_editions  # noqa: E402

CHECK_CALL = re.compile(r"px\.exercises\.(check_\w+)\(")


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("editions")
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_editions.py"), "--output-dir", str(out)],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stderr
    return out


def lessons() -> list[Path]:
    """Every notebook of the course: the lessons and the project (not the solutions)."""
    found = build_editions.course_notebooks(ROOT)
    assert sorted(found) == sorted((ROOT / "notebooks").glob("*.ipynb")), (
        "a notebook in notebooks/ that the editions do not know as a lesson or project")
    assert any(p.name.startswith("project-") for p in found), "the project notebook is missing"
    return found


def reference_cells(lesson: Path) -> list[str]:
    """The code of the reference answers: every code cell of the lesson's solution notebook
    that defines a function or a class and is not a code cell of the lesson itself (the
    starters); the solution notebook's own imports and demonstrations are not answers."""
    original = nbformat.read(lesson, as_version=4)
    solution = nbformat.read(ROOT / "notebooks" / "solutions" / lesson.name, as_version=4)
    starters = {c.source for c in original.cells if c.cell_type == "code"}
    found = [c.source for c in solution.cells
             if c.cell_type == "code" and c.source not in starters
             and re.search(r"^(def|class) ", c.source, re.MULTILINE)]
    assert found, f"{lesson.name}: its solution notebook holds no reference answer"
    return found


def exercises_start(notebook: nbformat.NotebookNode) -> int:
    """Index of the first cell from which stored outputs must be gone: the `## Exercises`
    heading of a lesson, the first grader call of the project."""
    for i, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown" and re.search(r"^## Exercises", cell.source, re.M):
            return i
        if cell.cell_type == "code" and "px.grading.grade(" in cell.source:
            return i
    raise AssertionError("a notebook without exercises or grader calls")


def exercise_answers(lesson: Path) -> dict[str, str]:
    """check name -> the reference answer's code cell, from the lesson's solution notebook."""
    solution = nbformat.read(ROOT / "notebooks" / "solutions" / lesson.name, as_version=4)
    return {
        m.group(1): cell.source
        for cell in solution.cells
        if cell.cell_type == "code" and (m := CHECK_CALL.search(cell.source))
    }


def execute(notebook: nbformat.NotebookNode, env: dict[str, str], cwd: Path) -> None:
    """Run ``notebook`` in a fresh kernel started with ``env``, in ``cwd``."""
    old = dict(os.environ)
    os.environ.update(env)  # the kernel inherits the environment it is started in
    try:
        NotebookClient(notebook, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(cwd)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(old)


def notebook_text(path: Path) -> str:
    """A notebook's cells as a reader sees them: sources and outputs, decoded (in the raw
    JSON every line of a cell is a separate quoted string, so a multi-line answer would
    never match it)."""
    notebook = nbformat.read(path, as_version=4)
    parts = []
    for cell in notebook.cells:
        parts.append(cell.source)
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.extend(str(v) for v in output.get("data", {}).values())
    return "\n".join(parts)


def student_text(dist: Path) -> str:
    return "\n".join(
        notebook_text(p) if p.suffix == ".ipynb" else p.read_text(encoding="utf-8",
                                                                  errors="replace")
        for p in (dist / "student").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )


def test_student_edition_has_the_lessons_and_no_solutions(dist: Path) -> None:
    student = dist / "student"
    assert sorted(p.name for p in (student / "notebooks").iterdir()) == [
        p.name for p in lessons()]
    assert not list(student.rglob("solutions"))
    assert not (student / "tools").exists() and not (student / "tests").exists()
    assert {"pyproject.toml", "requirements.txt", "runtime.txt", "LICENSE", "LICENSE-lessons",
            "README.md"} <= {p.name for p in student.iterdir()}
    text = student_text(dist)
    lesson_text = "\n".join(
        p.read_text(encoding="utf-8") for p in [*(student / "notebooks").iterdir(),
                                                student / "README.md"])
    assert "solutions/" not in lesson_text
    assert "project-implement-paxos.ipynb" in (student / "README.md").read_text(encoding="utf-8")
    # No reference answer's code travels with the student edition: not the lessons' answers,
    # not the project's reference classes (checked by their class bodies too).
    for lesson in lessons():
        for answer in reference_cells(lesson):
            assert answer not in text, (lesson.name, answer)
            for block in re.split(r"\n(?=class )", answer):
                if block.startswith("class ") and block.count("\n") > 5:
                    assert block.strip() not in text, (lesson.name, block)


def test_student_lessons_hide_prediction_answers_and_keep_the_rest(dist: Path) -> None:
    seen_predictions = 0
    for lesson in lessons():
        original = nbformat.read(lesson, as_version=4)
        student = nbformat.read(dist / "student" / "notebooks" / lesson.name, as_version=4)
        assert [c.source for c in student.cells if c.cell_type == "code"] == [
            c.source for c in original.cells if c.cell_type == "code"]
        answers = build_editions.prediction_cells(original)
        assert answers, f"{lesson.name} has no prediction prompt"
        seen_predictions += len(answers)
        exercises_at = exercises_start(original)
        for i, (before, after) in enumerate(zip(original.cells, student.cells, strict=True)):
            if before.cell_type != "code":
                continue
            if i in answers or i >= exercises_at:
                assert after.outputs == [] and after.execution_count is None, (lesson.name, i)
            else:
                assert after.outputs == before.outputs, (lesson.name, i)
        # Some answer cells did store an output that the student edition now hides.
        assert any(original.cells[i].outputs for i in answers), lesson.name
    assert seen_predictions >= len(lessons())


def test_student_project_starts_with_the_starters_and_no_grades(dist: Path) -> None:
    """The project notebook is in the student edition with its starters, and none of the
    starters' stored grades or counterexamples."""
    name = "project-implement-paxos.ipynb"
    original = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    student = nbformat.read(dist / "student" / "notebooks" / name, as_version=4)
    graders = [c for c in student.cells
               if c.cell_type == "code" and "px.grading.grade(" in c.source]
    assert len(graders) >= 4
    assert all(c.outputs == [] for c in graders)
    assert any(c.outputs for c in original.cells
               if c.cell_type == "code" and "px.grading.grade(" in c.source)
    for role in ("MyAcceptor", "MyProposer", "MyLearner"):
        assert any(c.source.startswith(f"class {role}(") for c in student.cells), role
    assert "Score:" not in (dist / "student" / "notebooks" / name).read_text(encoding="utf-8")


def test_instructor_only_cells_are_dropped() -> None:
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 99 · Test"),
        nbformat.v4.new_code_cell("secret = 1", metadata={"tags": ["instructor-only"]}),
        nbformat.v4.new_code_cell("x = 2"),
    ])
    student = build_editions.student_notebook(notebook)
    assert [c.source for c in student.cells] == ["# 99 · Test", "x = 2"]


def test_student_checkers_work_on_starters_and_on_answers(dist: Path) -> None:
    """Run lesson 02 of the student edition in a kernel that imports the edition's own
    paxos_lib: the starters get "Not yet"; with the reference answers pasted in, "Well done"."""
    student = dist / "student"
    lesson = student / "notebooks" / "02-many-acceptors.ipynb"
    env = {**os.environ, "PYTHONPATH": str(student), "MPLBACKEND": "Agg"}

    def run(notebook: nbformat.NotebookNode) -> list[str]:
        execute(notebook, env, lesson.parent)
        return [
            "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in c.outputs)
            for c in notebook.cells
            if c.cell_type == "code" and CHECK_CALL.search(c.source)
        ]

    starters = run(nbformat.read(lesson, as_version=4))
    assert starters and all("Not yet" in out for out in starters), starters

    answers = exercise_answers(ROOT / "notebooks" / lesson.name)
    notebook = nbformat.read(lesson, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code" and (m := CHECK_CALL.search(cell.source)):
            cell.source = answers[m.group(1)]
    solved = run(notebook)
    assert solved and all("Well done" in out for out in solved), solved
    # The kernel imported the edition's copy of the library, not the repository's.
    probe = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import paxos_lib; print(paxos_lib.__file__)")])
    execute(probe, env, lesson.parent)
    assert probe.cells[0].outputs[0]["text"].strip() == str(student / "paxos_lib" / "__init__.py")


def test_instructor_edition_is_everything_git_tracks(dist: Path) -> None:
    instructor = dist / "instructor"
    for path in build_editions.tracked_files(ROOT):
        if path.is_file():
            copy = instructor / path.relative_to(ROOT)
            assert copy.read_bytes() == path.read_bytes(), copy
    assert sorted(p.name for p in (instructor / "notebooks" / "solutions").glob("*.ipynb")) == [
        p.name for p in lessons()]
