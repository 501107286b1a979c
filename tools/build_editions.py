"""Write the student and instructor editions of the course.

    python tools/build_editions.py              # writes dist/student/ and dist/instructor/
    python tools/build_editions.py --output-dir /tmp/course

``dist/instructor/`` is everything: every file git tracks in this repository (lessons with
their stored outputs, reference answers in ``notebooks/solutions/``, lesson sources, tests,
``docs/`` with the instructor guide).

``dist/student/`` is a course folder a student can open as it is (``pip install -r
requirements.txt && jupyter lab``, or on Binder): the library, the install files, the licences,
a short README, and the notebooks of ``notebooks/`` (the lessons ``NN-*.ipynb`` and the
implementation project ``project-*.ipynb``), with three changes made to each:

1. **Predictions are not revealed.**  A code cell that answers a ``**Predict, then run.**``
   prompt (every code cell from the prompt's markdown cell up to the next markdown cell) loses
   its stored outputs and execution count, so the answer appears only when the student runs it.
2. **Exercises start fresh.**  The code cells under ``## Exercises`` lose their stored outputs;
   their checks (``px.exercises.check_...``) run against the student's code as before.  In
   the project notebook the whole notebook is the exercise: from its first call of the
   grader (``px.grading.grade(``) on, every code cell loses its stored output, because those
   outputs are the starters' grades and counterexamples, computed from code the student is
   about to replace.
3. **No solutions.**  ``notebooks/solutions/`` (the reference answers of the lessons and the
   project's reference implementation) and the lesson sources are left out, a cell tagged
   ``instructor-only`` is dropped, and the sentence pointing at the reference answers
   ("Reference answers are in `solutions/...`; try first.") says the instructor has them.

Theory of operation: everything is derived from the built notebooks in ``notebooks/`` and from
the markers above, never from a list of lessons, so new lessons, predictions and exercises
are picked up as they are written.  The markers are the lesson conventions of
``tools/lessons/README.md``; if a lesson changes how it marks a prediction or its exercises,
``PREDICTION_MARK`` / ``EXERCISES_HEADING`` here must follow.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "dist"
PREDICTION_MARK = "**Predict, then run.**"
EXERCISES_HEADING = re.compile(r"^## Exercises\b", re.MULTILINE)
GRADER_CALL = "px.grading.grade("
# The notebooks of both editions: the lessons, then the implementation project.
NOTEBOOK_GLOBS = ("[0-9][0-9]-*.ipynb", "project-*.ipynb")
INSTRUCTOR_TAG = "instructor-only"
REFERENCE_SENTENCE = re.compile(
    r"Reference\s+answers\s+are\s+in\s+`solutions/[^`]+`;\s*try\s+first\.", re.MULTILINE
)
STUDENT_REFERENCE = "Your instructor has the reference answers; try first."
# What the student edition holds besides the lessons (paths relative to the repository).
STUDENT_FILES = ("pyproject.toml", "requirements.txt", "runtime.txt", "LICENSE", "LICENSE-lessons")
STUDENT_README = """\
# Paxos, step by step: student edition

A hands-on course on the Paxos consensus algorithm, in Jupyter notebooks backed by the
`paxos_lib` library in this folder.

You need Python 3.11. From this folder:

```bash
python3.11 -m venv .venv && source .venv/bin/activate
pip install -r requirements.txt && jupyter lab
```

Then open `notebooks/01-one-acceptor.ipynb` and work through the lessons in order. When a
lesson asks you to **predict, then run**, write your prediction down before you run the next
cell. Every lesson ends with exercises: change the function in the cell and run it again until
its check says "✓ Well done". After lesson 04, `notebooks/project-implement-paxos.ipynb` asks
you to write the acceptor, proposer and learner yourself; its grader says what is still wrong.

Code: MIT License (LICENSE). Lesson text: CC BY 4.0 (LICENSE-lessons).
"""


class EditionError(Exception):
    """The editions cannot be built; the message says why."""


def tracked_files(root: Path = ROOT) -> list[Path]:
    """Every file git tracks under ``root`` (the instructor edition's contents)."""
    done = subprocess.run(
        ["git", "-C", str(root), "ls-files", "-z"], capture_output=True, check=False
    )
    if done.returncode != 0:
        raise EditionError(f"git ls-files failed in {root}: {done.stderr.decode().strip()}")
    return [root / name for name in done.stdout.decode().split("\0") if name]


def course_notebooks(root: Path = ROOT) -> list[Path]:
    """The course's notebooks in ``root/notebooks`` (lessons, then the project), without
    the reference answers in ``notebooks/solutions/``."""
    return [path for pattern in NOTEBOOK_GLOBS
            for path in sorted((root / "notebooks").glob(pattern))]


def _clear(cell: nbformat.NotebookNode) -> None:
    cell.outputs = []
    cell.execution_count = None


def student_notebook(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The student version of one lesson notebook (see the module docstring)."""
    copy = nbformat.from_dict(notebook)
    cells = []
    answering = in_exercises = False
    for cell in copy.cells:
        if INSTRUCTOR_TAG in cell.metadata.get("tags", []):
            continue
        if cell.cell_type == "markdown":
            answering = PREDICTION_MARK in cell.source
            in_exercises = in_exercises or bool(EXERCISES_HEADING.search(cell.source))
            cell.source = REFERENCE_SENTENCE.sub(STUDENT_REFERENCE, cell.source)
        elif cell.cell_type == "code":
            in_exercises = in_exercises or GRADER_CALL in cell.source
            if answering or in_exercises:
                _clear(cell)
        cells.append(cell)
    copy.cells = cells
    return copy


def prediction_cells(notebook: nbformat.NotebookNode) -> list[int]:
    """Indices of the code cells that answer a prediction prompt."""
    found, answering = [], False
    for i, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            answering = PREDICTION_MARK in cell.source
        elif answering:
            found.append(i)
    return found


def build_student(target: Path, root: Path = ROOT) -> Path:
    """Write the student edition into ``target`` (replaced if it exists)."""
    lessons = course_notebooks(root)
    if not lessons:
        raise EditionError(f"no lesson notebooks in {root / 'notebooks'}")
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(root / "paxos_lib", target / "paxos_lib",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in STUDENT_FILES:
        shutil.copy2(root / name, target / name)
    (target / "README.md").write_text(STUDENT_README, encoding="utf-8")
    (target / "notebooks").mkdir()
    for lesson in lessons:
        notebook = nbformat.read(lesson, as_version=4)
        nbformat.write(student_notebook(notebook), target / "notebooks" / lesson.name)
    return target


def build_instructor(target: Path, root: Path = ROOT) -> Path:
    """Write the instructor edition (every tracked file) into ``target``."""
    if target.exists():
        shutil.rmtree(target)
    for path in tracked_files(root):
        if not path.is_file():
            continue  # deleted in the work tree but not yet in git
        dest = target / path.relative_to(root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output-dir", type=Path, default=DEFAULT_OUTPUT,
                        help="where to write student/ and instructor/ (default: dist)")
    args = parser.parse_args(argv)
    try:
        student = build_student(args.output_dir / "student")
        instructor = build_instructor(args.output_dir / "instructor")
    except EditionError as error:
        print(f"build_editions: {error}", file=sys.stderr)
        return 1
    print(f"student edition in {student}\ninstructor edition in {instructor}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
