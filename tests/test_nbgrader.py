"""`python tools/build_nbgrader.py` makes an nbgrader course that real `nbgrader
generate_assignment` and `nbgrader autograde` grade as intended: reference answers full
marks, the lesson's starters zero, a half-right submission in between."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import build_nbgrader  # noqa: E402

ASSIGNMENT = "02-many-acceptors"
pytestmark = pytest.mark.slow


def nbgrader(course: Path, *args: str) -> None:
    bin_dir = str(Path(sys.executable).parent)  # nbgrader runs `alembic` from PATH
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
           "MPLBACKEND": "Agg"}
    done = subprocess.run(
        [str(Path(bin_dir) / "nbgrader"), *args], cwd=course, env=env,
        capture_output=True, text=True, timeout=900, check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def answer_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("solution")]


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    course = tmp_path_factory.mktemp("nbgrader") / "course"
    names = build_nbgrader.build(course)
    lessons = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    assert names == lessons
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    return course


def test_source_cells_carry_solutions_hidden_tests_and_points(course: Path) -> None:
    source = nbformat.read(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    answers, tests = answer_cells(source), [
        c for c in source.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(answers) == len(tests) >= 2
    for cell in answers:
        assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
    for cell in tests:
        meta = cell.metadata["nbgrader"]
        assert meta["points"] == build_nbgrader.POINTS and meta["locked"]
        assert "### BEGIN HIDDEN TESTS" in cell.source


def test_release_shows_the_starters_and_hides_answers_and_scoring(course: Path) -> None:
    release = nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    lesson = nbformat.read(ROOT / "notebooks" / f"{ASSIGNMENT}.ipynb", 4)
    text = "\n".join(c.source for c in release.cells)
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text and "_share" not in text
    assert "solutions/" not in text
    starters = [c.source for c in lesson.cells if "px.exercises.check_" in c.source]
    for cell, starter in zip(answer_cells(release), starters, strict=True):
        assert starter.startswith(cell.source.strip())
    solution = nbformat.read(ROOT / "notebooks" / "solutions" / f"{ASSIGNMENT}.ipynb", 4)
    for answer in build_nbgrader.reference_answers(solution).values():
        assert answer.strip() not in text


def test_autograde_gives_full_zero_and_partial_marks(course: Path) -> None:
    release = course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    source = nbformat.read(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    solved = [
        c.source.replace("### BEGIN SOLUTION\n", "").replace("### END SOLUTION", "")
        for c in answer_cells(source)
    ]

    def submit(student: str, right: int) -> None:
        notebook = nbformat.read(release, 4)
        for cell, answer in zip(answer_cells(notebook)[:right], solved, strict=False):
            cell.source = answer
        target = course / "submitted" / student / ASSIGNMENT / release.name
        target.parent.mkdir(parents=True)
        nbformat.write(notebook, target)

    submit("reference", len(solved))
    submit("starter", 0)
    submit("half", 1)
    nbgrader(course, "db", "student", "add", "reference")
    nbgrader(course, "db", "student", "add", "starter")
    nbgrader(course, "db", "student", "add", "half")
    nbgrader(course, "autograde", ASSIGNMENT, "--force")

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {s: gradebook.find_submission(ASSIGNMENT, s).score
                  for s in ("reference", "starter", "half")}
        max_score = gradebook.find_assignment(ASSIGNMENT).max_score
        first = gradebook.find_grade(
            answer_cells(source)[0].metadata["nbgrader"]["grade_id"].replace("-answer", "-score"),
            ASSIGNMENT, ASSIGNMENT, "half").score
    assert max_score == build_nbgrader.POINTS * len(solved)
    assert scores["reference"] == max_score
    assert scores["starter"] == 0
    assert 0 < scores["half"] < max_score
    assert first == build_nbgrader.POINTS


def test_partial_credit_counts_scenarios_beyond_the_starter() -> None:
    """Run one test cell's scoring by hand: a function right in more scenarios than the
    starter earns a share of the points, below full marks."""
    import paxos_lib as px

    starter = "def first_gap(log):\n    return sum(1 for command in log if command is not None)\n"
    source = build_nbgrader.test_cell_source("check_first_gap", "first_gap", starter, 2)
    hidden = source.split("### BEGIN HIDDEN TESTS\n", 1)[1].split("### END HIDDEN TESTS")[0]
    *body, last = hidden.strip().splitlines()

    def score(fn: object) -> float:
        namespace = {"px": px, "first_gap": fn}
        exec("\n".join(body), namespace)
        return eval(last, namespace)

    def right(log: tuple[str | None, ...]) -> int:
        return next((slot for slot, command in enumerate(log) if command is None), len(log))

    assert score(lambda log: sum(1 for command in log if command is not None)) == 0
    assert score(right) == 2
    better = score(lambda log: right(log) if len(log) < 6 else 0)
    assert 0 < better < 2


def test_an_exercise_cell_must_end_with_its_check() -> None:
    with pytest.raises(build_nbgrader.NbgraderBuildError, match="must end its cell"):
        build_nbgrader.split_exercise("def f(n):\n    return n\n\npx.exercises.check_f(f)\nf(1)\n")


def test_generated_course_can_be_rebuilt_in_place(tmp_path: Path) -> None:
    first = build_nbgrader.build(tmp_path / "c")
    shutil.copy(tmp_path / "c" / "nbgrader_config.py", tmp_path / "keep.py")
    assert build_nbgrader.build(tmp_path / "c") == first
    assert (tmp_path / "c" / "nbgrader_config.py").read_text() == (tmp_path / "keep.py").read_text()
