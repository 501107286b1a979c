"""Build the lesson notebooks from their sources, run them, and store their outputs.

Each lesson is written as a plain Python file in ``tools/lessons/`` (``NN-kebab-title.py``;
reference answers in ``tools/lessons/solutions/``) using the "percent" cell format::

    # %% [markdown]
    # # A title
    # Prose, one comment line per line.

    # %% tags=["nbval-ignore-output"]
    code()

    # %% reveal
    run_the_scene()           # a prediction's revealing cell: its output is stored collapsed

    # %% [markdown] reveal
    # The explanation of that answer: stored folded, so it is not read before the run.

The word ``reveal`` after ``# %%`` marks a cell that would give a prediction's answer away
in a freshly opened lesson (whose outputs are stored): a code cell gets the metadata
``jupyter.outputs_hidden`` (its output is collapsed until the student runs it or clicks it
open), a markdown cell ``jupyter.source_hidden`` (the text is folded to a "…" bar).

This script turns each source into ``notebooks/NN-kebab-title.ipynb`` (or
``notebooks/solutions/...``), executes it top to bottom in a fresh kernel (so the stored
outputs are real and Binder users see a finished lesson), and writes it.  ``--check`` only
verifies that every notebook's cells match its source, which the test suite also does.

Usage::

    python tools/build_notebooks.py            # build and execute every lesson
    python tools/build_notebooks.py 03 05      # only lessons whose name starts with 03 or 05
    python tools/build_notebooks.py --check    # exit 1 if a notebook drifted from its source
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "tools" / "lessons"
NOTEBOOKS = ROOT / "notebooks"

#: The first line of every folded explanation (a ``# %% [markdown] reveal`` cell), added by
#: the builder: JupyterLab previews a folded cell by its first line.
REVEAL_FIRST_LINE = "*Explanation folded until you have run the scene above: click to unfold.*"

_HEADER = re.compile(r"^# %%(?P<md> \[markdown\])?(?P<rest>.*)$")


def parse_source(text: str) -> list[dict[str, object]]:
    """Split a percent-format source into cells: ``{"type", "source", "tags"}``."""
    cells: list[dict[str, object]] = []
    current: dict[str, object] | None = None
    lines: list[str] = []

    def close() -> None:
        if current is None:
            return
        body = "\n".join(lines).strip("\n")
        if current["type"] == "markdown":
            out = []
            for line in body.split("\n"):
                if line.startswith("# "):
                    out.append(line[2:])
                elif line.strip() == "#":
                    out.append("")
                else:
                    raise ValueError(f"markdown line does not start with '# ': {line!r}")
            body = "\n".join(out)
            if current.get("reveal"):
                # JupyterLab shows a folded cell's first line: make it one that gives nothing away
                body = f"{REVEAL_FIRST_LINE}\n\n{body}"
        current["source"] = body
        cells.append(current)

    for line in text.split("\n"):
        m = _HEADER.match(line)
        if m:
            close()
            rest = m.group("rest").strip()
            reveal = False
            if rest == "reveal" or rest.startswith("reveal "):
                reveal = True
                rest = rest[len("reveal"):].strip()
            tags: list[str] = []
            if rest.startswith("tags="):
                tags = json.loads(rest[len("tags="):])
            elif rest:
                raise ValueError(f"unknown cell marker after '# %%': {rest!r} "
                                 f"(allowed: 'reveal', 'tags=[...]', or both in that order)")
            current = {"type": "markdown" if m.group("md") else "code", "tags": tags,
                       "reveal": reveal}
            lines = []
        elif current is not None:
            lines.append(line)
    close()
    return cells


def to_notebook(cells: list[dict[str, object]]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": "python3",
    }
    nb.metadata["language_info"] = {"name": "python"}
    for i, c in enumerate(cells):
        if c["type"] == "markdown":
            cell = nbformat.v4.new_markdown_cell(c["source"])
        else:
            cell = nbformat.v4.new_code_cell(c["source"])
        if c["tags"]:
            cell.metadata["tags"] = list(c["tags"])  # type: ignore[arg-type]
        if c.get("reveal"):
            cell.metadata["jupyter"] = hidden_metadata(str(c["type"]))
        cell["id"] = f"cell-{i:02d}"
        nb.cells.append(cell)
    return nb


def hidden_metadata(cell_type: str) -> dict[str, bool]:
    """The ``jupyter`` metadata of a ``reveal`` cell: code output collapsed, markdown folded."""
    return {"outputs_hidden": True} if cell_type == "code" else {"source_hidden": True}


def target_for(source: Path) -> Path:
    rel = source.relative_to(SOURCES).with_suffix(".ipynb")
    return NOTEBOOKS / rel


#: Lesson sources (``NN-...``) and the implementation project (``project-...``, after 04).
PATTERNS = ("[0-9][0-9]-*.py", "project-*.py")


def all_sources() -> list[Path]:
    return [p for folder in (SOURCES, SOURCES / "solutions") for pattern in PATTERNS
            for p in sorted(folder.glob(pattern))]


def cells_of(notebook: Path) -> list[tuple[str, str, list[str], dict[str, bool]]]:
    nb = nbformat.read(notebook, as_version=4)
    return [
        (c.cell_type, c.source, list(c.metadata.get("tags", [])),
         dict(c.metadata.get("jupyter", {})))
        for c in nb.cells
    ]


def drifted() -> list[str]:
    """Names of notebooks whose cells differ from their sources (or are missing)."""
    out = []
    for src in all_sources():
        target = target_for(src)
        want = [
            (c["type"], c["source"], list(c["tags"]),
             hidden_metadata(str(c["type"])) if c["reveal"] else {})
            for c in parse_source(src.read_text())
        ]
        if not target.exists() or cells_of(target) != want:
            out.append(str(target.relative_to(ROOT)))
    return out


def coalesce_streams(outputs: list[nbformat.NotebookNode]) -> list[nbformat.NotebookNode]:
    """Merge consecutive outputs of the same stream into one, as Jupyter displays them, so a
    rebuild on a busy machine (where the kernel flushes a cell's prints in several messages)
    stores the same outputs as a rebuild on an idle one."""
    merged: list[nbformat.NotebookNode] = []
    for out in outputs:
        last = merged[-1] if merged else None
        if (last is not None and out.get("output_type") == "stream"
                and last.get("output_type") == "stream" and last.get("name") == out.get("name")):
            last["text"] = last["text"] + out["text"]
        else:
            merged.append(out)
    return merged


def build(source: Path, timeout: int = 300) -> Path:
    nb = to_notebook(parse_source(source.read_text()))
    target = target_for(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(target.parent)}},
        store_widget_state=True,
    )
    client.execute()
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = coalesce_streams(cell.get("outputs", []))
            for out in cell.outputs:
                if out.get("output_type") == "error":
                    raise SystemExit(f"{target.name}: a cell raised {out.get('ename')}: "
                                     f"{out.get('evalue')}\n{cell.source}")
    nbformat.write(nb, target)
    return target


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("only", nargs="*", help="build only lessons whose file name starts so")
    ap.add_argument("--check", action="store_true", help="only check for drift; build nothing")
    args = ap.parse_args(argv)
    if args.check:
        bad = drifted()
        for name in bad:
            print(f"out of date: {name} (run python tools/build_notebooks.py)")
        return 1 if bad else 0
    for src in all_sources():
        if args.only and not any(src.name.startswith(o) for o in args.only):
            continue
        target = build(src)
        print(f"built {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
