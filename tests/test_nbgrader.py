"""`python tools/build_nbgrader.py` makes an nbgrader course that real `nbgrader
generate_assignment` and `nbgrader autograde` grade as intended: reference answers full
marks, the lesson's starters zero, a half-right submission in between; and the implementation
project, whose autograded cell awards the grader's score on the instructor's hidden scenarios
(``PAXOS_GRADING_SCENARIOS``)."""

from __future__ import annotations

import os
import re
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
PROJECT = "project-implement-paxos"
# The instructor's hidden scenarios for the project test: exhaustive searches only, so every
# score is deterministic (a simulated scenario draws fresh seeds at each autograde).
HIDDEN = """[
 {"name": "keeps-chosen", "kind": "explore", "points": 10, "student": ["acceptor"],
  "about": "your acceptors, after a value is chosen, when a second proposer runs",
  "acceptors": 2, "first": {"p1": "v1"}, "values": {"p1": "v1", "p2": "v2"}, "max_ballot": 1},
 {"name": "two-proposers", "kind": "explore", "points": 10, "student": ["proposer"],
  "about": "your proposers, in every interleaving of two of them",
  "acceptors": 2, "values": {"p1": "v1", "p2": "v2"}, "max_ballot": 1},
 {"name": "two-ballots", "kind": "explore", "points": 10, "student": ["learner"],
  "about": "your learner, in every order the votes of two ballots can arrive",
  "proposers": 1, "acceptors": 2, "values": {"p1": "v1"}, "max_ballot": 2,
  "max_states": 50000, "properties": ["agreement", "validity", "learners", "chosen"]}
]"""
pytestmark = pytest.mark.slow


def nbgrader(course: Path, *args: str, env_extra: dict[str, str] | None = None) -> None:
    bin_dir = str(Path(sys.executable).parent)  # nbgrader runs `alembic` from PATH
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
           "MPLBACKEND": "Agg", **(env_extra or {})}
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
    assert names == [*lessons, PROJECT]
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


def overfitted_answers() -> dict[str, str]:
    """grade id -> an answer that knows only the visible scenarios of lesson 02's checks:
    it looks its input up in a table of them (what a student tuning to the feedback writes)."""
    from paxos_lib.exercises import learners

    learn = {repr((list(a), n)): learners.engine_learns(a, n) for a, n in learners.LEARN_CASES}
    tradeoff = {(n, q): (n - q, 2 * q > n) for n, q in learners.TRADEOFF_CASES}
    return {
        "check_learn-answer": (f"_SEEN = {learn!r}\n\n\n"
                               "def learn(accepted, n):\n"
                               "    return _SEEN.get(repr((accepted, n)))\n"),
        "check_quorum_tradeoff-answer": (f"_SEEN = {tradeoff!r}\n\n\n"
                                         "def tradeoff(n, quorum):\n"
                                         "    return _SEEN.get((n, quorum), (0, False))\n"),
    }


def test_autograde_takes_points_from_answers_tuned_to_the_visible_scenarios(
        course: Path) -> None:
    """The hidden test cells run hidden cases: answers that pass both visible checks of
    lesson 02 ("Well done") by memorising their scenarios still lose points, per exercise."""
    release = course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    notebook = nbformat.read(release, 4)
    answers = overfitted_answers()
    for cell in answer_cells(notebook):
        cell.source = answers[cell.metadata["nbgrader"]["grade_id"]]
    target = course / "submitted" / "overfit" / ASSIGNMENT / release.name
    target.parent.mkdir(parents=True)
    nbformat.write(notebook, target)
    nbgrader(course, "db", "student", "add", "overfit")
    nbgrader(course, "autograde", ASSIGNMENT, "--student", "overfit", "--force")
    graded = nbformat.read(course / "autograded" / "overfit" / ASSIGNMENT / release.name, 4)
    tests = [c for c in graded.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(tests) == len(answers) == 2
    for cell in tests:
        printed = "".join(o.get("text", "") for o in cell.outputs)
        assert "✓ Well done" in printed, printed  # the visible check is fooled
        assert re.search(r"Hidden cases: \d+ of \d+ right", printed), printed

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for grade_id in answers:
            got = gradebook.find_grade(grade_id.replace("-answer", "-score"), ASSIGNMENT,
                                       ASSIGNMENT, "overfit").score
            assert got < build_nbgrader.POINTS, (grade_id, got)
        total = gradebook.find_submission(ASSIGNMENT, "overfit").score
        assert total < gradebook.find_assignment(ASSIGNMENT).max_score


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


def role_cells(notebook: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    return {c.source.split("(", 1)[0].removeprefix("class "): c for c in answer_cells(notebook)}


def test_project_autograde_awards_the_graders_score(course: Path, tmp_path: Path) -> None:
    """Real generate_assignment and autograde of the project with hidden scenarios: the
    reference implementation full marks, the starters 0, the reference acceptor alone the
    grader's share for it; each equal to what px.grading scores the same classes."""
    from nbgrader.api import Gradebook

    from paxos_lib.grading.grader import grade

    nbgrader(course, "generate_assignment", PROJECT, "--force")
    source = nbformat.read(course / "source" / PROJECT / f"{PROJECT}.ipynb", 4)
    release_path = course / "release" / PROJECT / f"{PROJECT}.ipynb"
    release = nbformat.read(release_path, 4)
    project = nbformat.read(ROOT / "notebooks" / f"{PROJECT}.ipynb", 4)
    reference = nbformat.read(ROOT / "notebooks" / "solutions" / f"{PROJECT}.ipynb", 4)

    # The release: the starters exactly as the project notebook has them, no reference class,
    # no scoring code; one graded cell worth the project's points.
    text = "\n".join(c.source for c in release.cells)
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text and "_grade" not in text
    starters = {c.source.split("(", 1)[0]: c.source for c in project.cells
                if c.cell_type == "code" and c.source.startswith("class My")}
    released = role_cells(release)
    assert sorted(released) == ["MyAcceptor", "MyLearner", "MyProposer"]
    for role, cell in released.items():
        assert cell.source.strip() == starters[f"class {role}"].strip()
    for cell in reference.cells:
        if cell.cell_type == "code" and cell.source.startswith("class My"):
            assert cell.source.strip() not in text
    graded = [c for c in source.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(graded) == 1
    assert graded[0].metadata["nbgrader"]["points"] == build_nbgrader.PROJECT_POINTS

    solved = {role: c.source.replace("### BEGIN SOLUTION\n", "").replace("### END SOLUTION", "")
              for role, c in role_cells(source).items()}

    def submit(student: str, roles: tuple[str, ...]) -> dict[str, object]:
        notebook = nbformat.read(release_path, 4)
        namespace: dict[str, object] = {}
        exec("from dataclasses import replace\nfrom paxos_lib.grading import *", namespace)
        for role, cell in role_cells(notebook).items():
            if role in roles:
                cell.source = solved[role]
            exec(cell.source, namespace)
        target = course / "submitted" / student / PROJECT / release_path.name
        target.parent.mkdir(parents=True)
        nbformat.write(notebook, target)
        return namespace

    hidden = tmp_path / "hidden.json"
    hidden.write_text(HIDDEN, encoding="utf-8")
    expected = {}
    for student, roles in (("reference", ("MyAcceptor", "MyProposer", "MyLearner")),
                           ("starter", ()), ("acceptor-only", ("MyAcceptor",))):
        ns = submit(student, roles)
        result = grade(ns["MyAcceptor"], ns["MyProposer"], ns["MyLearner"],
                       scenarios=str(hidden))
        expected[student] = round(build_nbgrader.PROJECT_POINTS * result.score / result.total, 3)
        nbgrader(course, "db", "student", "add", student)
    assert expected == {"reference": 100.0, "starter": 0.0, "acceptor-only": 33.333}
    nbgrader(course, "autograde", PROJECT, "--force",
             env_extra={"PAXOS_GRADING_SCENARIOS": str(hidden)})

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {s: gradebook.find_submission(PROJECT, s).score for s in expected}
        max_score = gradebook.find_assignment(PROJECT).max_score
    assert max_score == build_nbgrader.PROJECT_POINTS
    assert scores == pytest.approx(expected)
    # The autograded notebook shows the student the grader's report on the hidden scenarios.
    autograded = nbformat.read(course / "autograded" / "starter" / PROJECT / release_path.name, 4)
    report = "".join(o.get("text", "") for o in autograded.cells[-1].outputs)
    assert "Score: 0/30 (hidden scenarios; seed" in report and "two-proposers" in report
