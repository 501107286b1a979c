"""Write README's lesson index from the notebooks themselves.

The file names in ``notebooks/`` are the single source of truth for order; each line of the
index is the notebook's H1 title and the first sentence of the paragraph after it, linked to
the notebook.  The index sits between ``<!-- lessons:start -->`` and ``<!-- lessons:end -->``.

Usage::

    python tools/lesson_index.py           # rewrite README.md
    python tools/lesson_index.py --check   # exit 1 if README's index is out of date
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START, END = "<!-- lessons:start -->", "<!-- lessons:end -->"


def lesson_line(path: Path) -> str:
    nb = json.loads(path.read_text())
    md = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
    text = "\n".join(md)
    title_match = re.search(r"^# (.+)$", text, flags=re.M)
    title = title_match.group(1).strip() if title_match else path.stem
    after = text[title_match.end():] if title_match else text
    para = next((p.strip() for p in after.split("\n\n") if p.strip() and
                 not p.strip().startswith("#")), "")
    first = re.split(r"(?<=[.!?])\s", para.replace("\n", " "), maxsplit=1)[0]
    return f"- [{title}](notebooks/{path.name}) — {first}"


#: The implementation project (``project-*.ipynb``) is listed after this lesson.
PROJECT_AFTER = "04-"


def lesson_paths() -> list[Path]:
    """The numbered lessons in order, with the implementation project after lesson 04."""
    numbered = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    projects = sorted((ROOT / "notebooks").glob("project-*.ipynb"))
    at = next((i + 1 for i, p in enumerate(numbered) if p.name.startswith(PROJECT_AFTER)),
              len(numbered))
    return numbered[:at] + projects + numbered[at:]


def index_text() -> str:
    lines = [lesson_line(p) for p in lesson_paths()]
    return "\n".join(lines)


def rewritten(readme: str) -> str:
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{index_text()}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write README's lesson index from notebooks/.")
    ap.add_argument("--check", action="store_true", help="exit 1 if the index is out of date")
    args = ap.parse_args(argv)
    readme = README.read_text()
    if START not in readme or END not in readme:
        print(f"README.md lacks the markers {START} and {END}")
        return 1
    new = rewritten(readme)
    if args.check:
        if new != readme:
            print("README's lesson index is out of date: run python tools/lesson_index.py")
            return 1
        return 0
    README.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
