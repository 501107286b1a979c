"""Refresh the cluster view's code stored in the lessons' saved widget state.

A lesson's stored outputs include each ``ClusterView``'s widget state, and anywidget keeps the
view's JavaScript and CSS (``_esm``, ``_css``) in that state.  JupyterLab draws a view only
when its cell runs (with the package's current code), but renderers of the saved state (an
HTML export with its widget state, a static notebook viewer) draw it with the stored code,
the code current when the lesson was built.  After a change
to ``paxos_lib/viz/static/clusterview.js`` or ``.css`` that leaves the Python side alone, this
script puts the current files into every stored view instead of rebuilding (and re-running)
every lesson.  ``tests/test_stored_views.py`` fails when a stored view is out of date.

Usage::

    python tools/refresh_views.py           # rewrite the notebooks whose views are stale
    python tools/refresh_views.py --check   # exit 1 if any is stale
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "paxos_lib" / "viz" / "static"
MARK = "// The browser half of paxos_lib.viz.ClusterView"
STATE = "application/vnd.jupyter.widget-state+json"


def stale_views(notebook: dict, js: str, css: str) -> list[dict]:
    """The stored ClusterView states of ``notebook`` whose code differs from ``js``/``css``."""
    states = notebook.get("metadata", {}).get("widgets", {}).get(STATE, {}).get("state", {})
    views = [m["state"] for m in states.values()
             if str(m.get("state", {}).get("_esm", "")).startswith(MARK)]
    return [v for v in views if v["_esm"] != js or v.get("_css") != css]


def notebooks() -> list[Path]:
    return sorted([*(ROOT / "notebooks").glob("*.ipynb"),
                   *(ROOT / "notebooks" / "solutions").glob("*.ipynb")])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report stale notebooks")
    args = parser.parse_args(argv)
    js = (STATIC / "clusterview.js").read_text(encoding="utf-8")
    css = (STATIC / "clusterview.css").read_text(encoding="utf-8")
    stale = []
    for path in notebooks():
        notebook = json.loads(path.read_text(encoding="utf-8"))
        views = stale_views(notebook, js, css)
        if not views:
            continue
        stale.append(path)
        if not args.check:
            for view in views:
                view["_esm"], view["_css"] = js, css
            # nbformat's own layout, so only the two strings change in a diff
            text = json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
            path.write_text(text, encoding="utf-8")
        print(f"{'stale' if args.check else 'refreshed'}: {path.relative_to(ROOT)} "
              f"({len(views)} view(s))")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
