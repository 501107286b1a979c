"""The lessons' stored cluster views carry the view code the package ships.

anywidget keeps a view's JavaScript and CSS in the saved widget state, and what draws the
saved state (an HTML export with its widgets, a static viewer) draws it with the code stored at
build time; JupyterLab itself draws a view when its cell runs.  A change to ``clusterview.js``
or ``.css`` must reach the stored views (``tools/refresh_views.py``, or a rebuild), or an
exported lesson would show the old, taller view.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _tool():
    spec = importlib.util.spec_from_file_location("refresh_views",
                                                  ROOT / "tools" / "refresh_views.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_stored_cluster_view_has_the_shipped_code() -> None:
    tool = _tool()
    js = (tool.STATIC / "clusterview.js").read_text(encoding="utf-8")
    css = (tool.STATIC / "clusterview.css").read_text(encoding="utf-8")
    counted = 0
    for path in tool.notebooks():
        notebook = json.loads(path.read_text(encoding="utf-8"))
        assert tool.stale_views(notebook, js, css) == [], (
            f"{path.name} stores an old cluster view: run python tools/refresh_views.py")
        counted += str(notebook).count(tool.MARK)
    assert counted >= 16  # the lessons' views (02 to 09 and the project) are all looked at


def test_the_check_catches_a_stale_view() -> None:
    tool = _tool()
    path = next((ROOT / "notebooks").glob("07-*.ipynb"))
    notebook = json.loads(path.read_text(encoding="utf-8"))
    js = (tool.STATIC / "clusterview.js").read_text(encoding="utf-8")
    css = (tool.STATIC / "clusterview.css").read_text(encoding="utf-8")
    assert tool.stale_views(notebook, js + "\n// changed", css)
    assert tool.stale_views(notebook, js, css + "\n/* changed */")
