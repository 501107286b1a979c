"""The tallest ClusterViews of the lessons fit a 1366x768 laptop screen in real JupyterLab.

On such a screen, with the file browser open, JupyterLab's notebook area is about 650 px tall.
Each test opens a lesson (its stored notebook, outputs stripped) in a throwaway JupyterLab
(``browserlab.py``) and Debian's headless Chromium at 1366x768, runs all its cells from the Run
menu, waits until every code cell has run, and then, for every ClusterView of the lesson:

- scrolled to its top, the view is at most ``MAX_HEIGHT`` px tall and its status, controls,
  graph, space-time diagram and logs are inside the viewport, above JupyterLab's status bar;
- a log longer than the window folds its oldest slots into one chip per row, and each row stays
  one line;
- after Undo and Step (or Replay and Step on a view that opens at the end of its run) it still
  fits, and the unfolded state table scrolls inside the view instead of pushing it down;
- the key names the message kinds of the protocol on show (Raft's in lesson 09's Raft view).

Lesson 08's return view (a 30-slot log, 680 px tall before the logs were windowed) and lesson
09's Raft view are the tallest scenes.  Every wait and every ``expect`` has a generous timeout;
screenshots go to ``tests/artifacts/``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from browserlab import CHROMIUM, LAPTOP, ROOT, TIMEOUT_MS, launch, run_lesson, running_lab

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
VIEWPORT = LAPTOP
#: the notebook area of a 1366x768 screen is about 650 px tall; a view must leave room above it
MAX_HEIGHT = 600

pytestmark = pytest.mark.browser

if not os.environ.get("CI"):
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's /usr/bin/chromium (apt-get install chromium); "
                    "set CI=true to make this a failure", allow_module_level=True)
    pytest.importorskip("playwright.sync_api")

#: each log row's height and whether it holds a folded chip
LOG_ROWS = """
el => [...el.querySelectorAll('.pxv-logrow')].map((r) => ({
  node: r.dataset.node, height: r.getBoundingClientRect().height,
  folds: r.querySelectorAll('.pxv-fold').length, slots: r.querySelectorAll('.slot').length }))
"""


def _errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    return errors


def _fits(page: Any, view: Any, what: str, shot: str | None = None) -> float:
    """Scroll the view to its top; assert it fits the screen; return its height."""
    view.evaluate("el => el.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(400)
    view.evaluate("el => el.scrollIntoView({block: 'start'})")  # after any late layout
    page.wait_for_timeout(200)
    bottom = page.locator("#jp-main-statusbar").bounding_box()["y"]
    box = view.bounding_box()
    assert box is not None, what
    if shot:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / shot))
    assert box["height"] <= MAX_HEIGHT, f"{what}: {box['height']:.0f} px tall"
    logged = view.locator(".pxv-logrow").count() > 0
    for part in (".pxv-status", ".pxv-controls", ".pxv-graph", ".pxv-time",
                 *([".pxv-logs"] if logged else [])):
        b = view.locator(part).bounding_box()
        assert b is not None, f"{what}: {part} not rendered"
        assert b["y"] >= 0 and b["x"] >= 0, (what, part, b)
        assert b["x"] + b["width"] <= VIEWPORT["width"] + 0.5, (what, part, b)
        assert b["y"] + b["height"] <= bottom + 0.5, (what, part, b, bottom)
    # each log row is one line: no slot chip wraps below another
    for row in view.evaluate(LOG_ROWS):
        assert row["height"] <= 24, (what, row)
    return float(box["height"])


def _click(view: Any, selector: str) -> None:
    from playwright.sync_api import expect

    rev = view.get_attribute("data-rev") or ""
    view.locator(selector).click()
    expect(view).not_to_have_attribute("data-rev", rev, timeout=TIMEOUT_MS)


def _check_lesson(tmp_path: Path, lesson: str, views: int) -> list[Any]:
    """Open ``lesson``, check every ClusterView; return each view's log rows as opened."""
    from playwright.sync_api import expect, sync_playwright

    T = TIMEOUT_MS
    path = next((ROOT / "notebooks").glob(f"{lesson}-*.ipynb"))
    opened = []
    with running_lab(tmp_path, {path.name: path}) as url, sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            errors = _errors(page)
            panel = run_lesson(page, url, path.name)
            found = panel.locator(".pxv")
            expect(found).to_have_count(views, timeout=T)
            for i in range(views):
                view = found.nth(i)
                expect(view).to_have_attribute("data-step", re.compile(r"^\d+$"), timeout=T)
                what = f"lesson {lesson}, view {i}"
                _fits(page, view, what, f"fit-{lesson}-view{i}.png")
                opened.append((view, view.evaluate(LOG_ROWS), view.locator(".pxv-legend")
                               .inner_text(), view.locator(".pxv-status").inner_text()))
                if view.locator("button.pxv-forward").is_disabled():
                    _click(view, "button.pxv-replay")
                else:
                    _click(view, "button.pxv-undo")
                _fits(page, view, f"{what} after going back")
                _click(view, "button.pxv-forward")
                _fits(page, view, f"{what} after Step")
                # the unfolded table scrolls inside the view
                before = view.bounding_box()["height"]
                view.locator(".pxv-table summary").click()
                expect(view.locator(".pxv-tables table").first).to_be_visible(timeout=T)
                tables = view.locator(".pxv-tables").bounding_box()
                assert tables["height"] <= 220, (what, tables)
                assert view.bounding_box()["height"] <= before + 230, what
                view.locator(".pxv-table summary").click()
                expect(view.locator(".pxv-tables table")).to_have_count(0, timeout=T)
            expect(panel.locator('[data-mime-type="application/vnd.jupyter.stderr"]')
                   ).to_have_count(0, timeout=T)
            assert not [e for e in errors if "favicon" not in e], errors
            return [(rows, legend, status) for _view, rows, legend, status in opened]
        finally:
            browser.close()


def test_lesson_08_views_fit_a_laptop_screen(tmp_path: Path) -> None:
    """Lesson 08: the return view (30 slots on r1 and r2), the linearizable-read scene and the
    reconfiguration counterexamples."""
    views = _check_lesson(tmp_path, "08", 3)
    rows, legend, status = views[0]
    assert "chosen" in status and "learned" in status, status
    long_rows = [r for r in rows if r["folds"]]
    assert [r["node"] for r in long_rows] == ["r1", "r2"], rows
    assert all(r["slots"] <= 4 for r in rows), rows
    assert "cm commit" in legend and "log slots" in legend, legend


def test_lesson_09_raft_view_fits_a_laptop_screen(tmp_path: Path) -> None:
    """Lesson 09: the Flexible Paxos counterexample and the Raft counterexample."""
    views = _check_lesson(tmp_path, "09", 2)
    rows, legend, status = views[1]
    assert [r["node"] for r in rows] == ["s1", "s2", "s3"], rows
    assert "rv request-vote" in legend and "ae append" in legend, legend
    assert "cm commit" not in legend, legend
    # Raft speaks of committed and applied entries, not of Paxos's chosen and learned values
    assert "applied" in status and "chosen" not in status and "learned" not in status, status
    assert "chosen" not in legend and "learned" not in legend, legend
    assert "? stored, not known committed" in legend, legend
