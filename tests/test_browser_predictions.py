"""Predictions in a real browser: a freshly opened lesson shows no answer, and a committed
prediction gets its verdict once the scene runs.

A JupyterLab server (``tests/browser_support.py``: isolated Jupyter folders, a free port, no
token, stopped by its PID) serves the lessons exactly as they are stored, outputs included,
as a student gets them.  Headless Debian Chromium opens them at 1366 x 768.

1. Every lesson, before anything runs: each revealing cell's output is collapsed (its output
   area hidden, JupyterLab's "…" placeholder shown instead, previewing only the line
   "Your prediction: none committed"), each folded explanation shows only the builder's
   neutral first line, and no verdict text ("What happened") and no sentence of a folded
   explanation is visible anywhere on the page.
2. Lesson 01: run the cells above the first prediction, run the prediction cell, pick an
   answer, commit it, run the revealing cell; the widget must then say whether the
   prediction was right, and the revealing cell's output (unfolded by a click if JupyterLab
   kept it collapsed) must print the same verdict.

Screenshots go to ``tests/artifacts/``.  The tests skip only when Chromium or Playwright is
missing and the environment variable ``CI`` is unset.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from browser_support import CHROMIUM, ROOT, TIMEOUT_MS, chromium, jupyter_lab, wait_for_idle_kernel

pytestmark = pytest.mark.browser

if not os.environ.get("CI"):
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's /usr/bin/chromium (apt-get install chromium); "
                    "set CI=true to make this a failure", allow_module_level=True)
    pytest.importorskip("playwright.sync_api")

#: Every notebook that stores outputs and asks for predictions: the lessons and the project.
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")) + sorted(
    (ROOT / "notebooks").glob("project-*.ipynb"))
ARTIFACTS = ROOT / "tests" / "artifacts"
VIEWPORT = {"width": 1366, "height": 768}
PROMPT = "**Predict, then run.**"


def notebook_cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def hidden(cell: dict, key: str) -> bool:
    return bool(cell.get("metadata", {}).get("jupyter", {}).get(key))


def open_lesson(page, url: str, name: str):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto(f"{url}/lab/tree/{name}?reset", wait_until="domcontentloaded")
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    expect(panel).to_be_visible(timeout=TIMEOUT_MS)
    expect(panel.locator(".jp-Notebook-ExecutionIndicator")).to_have_attribute(
        "data-status", "idle", timeout=TIMEOUT_MS)
    wait_for_idle_kernel(url)
    cells = panel.locator(".jp-Notebook .jp-Cell")
    expect(cells).to_have_count(len(notebook_cells(ROOT / "notebooks" / name)),
                                timeout=TIMEOUT_MS)
    return panel, cells


def plain(markdown: str) -> str:
    return " ".join(re.sub(r"[`*_#]|<!--out-->", "", markdown).split())


def explanation_sentences(nb: list[dict], i: int) -> list[str]:
    """A few plain-text snippets of folded explanation ``i`` (after its neutral first line)
    that appear nowhere else in the lesson."""
    words = plain(source(nb[i]).split("\n\n", 1)[1]).split()
    elsewhere = plain(" ".join(
        source(c) + "".join("".join(o.get("text", "")) + "".join(o.get("data", {}).get(
            "text/plain", "")) for o in c.get("outputs", []))
        for k, c in enumerate(nb) if k != i))
    snippets = [" ".join(words[k:k + 6]) for k in range(0, min(len(words), 60), 6)]
    return [s for s in snippets if len(s.split()) == 6 and s not in elsewhere]


def test_fresh_lessons_show_no_answer(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with jupyter_lab(tmp_path, LESSONS) as url, sync_playwright() as p:
        browser = chromium(p)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(TIMEOUT_MS)
            for lesson in LESSONS:
                nb = notebook_cells(lesson)
                _, cells = open_lesson(page, url, lesson.name)
                outputs_hidden = [i for i, c in enumerate(nb) if hidden(c, "outputs_hidden")]
                folded = [i for i, c in enumerate(nb) if hidden(c, "source_hidden")]
                assert outputs_hidden and folded, lesson.name
                for i in outputs_hidden:
                    cell = cells.nth(i)
                    expect(cell.locator(".jp-OutputArea")).to_be_hidden(timeout=TIMEOUT_MS)
                    placeholder = cell.locator(".jp-OutputPlaceholder")
                    expect(placeholder).to_be_visible(timeout=TIMEOUT_MS)
                    # JupyterLab previews the first output line: only the recalled prediction
                    expect(placeholder).not_to_contain_text("What happened", timeout=TIMEOUT_MS)
                    if ".recall()" in source(nb[i]):
                        expect(placeholder).to_contain_text("Your prediction: none committed",
                                                            timeout=TIMEOUT_MS)
                for i in folded:
                    cell = cells.nth(i)
                    placeholder = cell.locator(".jp-InputPlaceholder")
                    expect(placeholder).to_be_visible(timeout=TIMEOUT_MS)
                    expect(placeholder).to_contain_text("Explanation folded",
                                                        timeout=TIMEOUT_MS)
                    expect(cell.locator(".jp-RenderedMarkdown")).to_be_hidden(
                        timeout=TIMEOUT_MS)
                    snippets = explanation_sentences(nb, i)
                    assert snippets, f"{lesson.name}: cell {i} has no snippet of its own"
                    for snippet in snippets:
                        shown = page.get_by_text(snippet, exact=False)
                        for k in range(shown.count()):
                            assert not shown.nth(k).is_visible(), (
                                f"{lesson.name}: folded explanation visible: {snippet!r}")
                verdicts = page.get_by_text(re.compile(r"What happened: "))
                for k in range(verdicts.count()):
                    assert not verdicts.nth(k).is_visible(), f"{lesson.name}: a verdict shows"
                # every prompt is still readable, and a screenshot of the first one to look at
                prompts = [i for i, c in enumerate(nb)
                           if c["cell_type"] == "markdown" and PROMPT in source(c)]
                for i in prompts:
                    expect(cells.nth(i)).to_contain_text("Predict, then run.",
                                                         timeout=TIMEOUT_MS)
                cells.nth(prompts[0]).scroll_into_view_if_needed()
                page.screenshot(path=str(ARTIFACTS / f"predictions-fresh-{lesson.stem}.png"))
        finally:
            browser.close()


def test_commit_then_run_shows_the_verdict(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    lesson = ROOT / "notebooks" / "01-one-acceptor.ipynb"
    nb = notebook_cells(lesson)
    widget_at = next(i for i, c in enumerate(nb)
                     if c["cell_type"] == "code" and "px.viz.predict(" in source(c))
    choice = "it refuses id 1, and at the end holds 'cancelled'"
    assert choice in source(nb[widget_at])
    ARTIFACTS.mkdir(exist_ok=True)
    with jupyter_lab(tmp_path, [lesson]) as url, sync_playwright() as p:
        browser = chromium(p)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(TIMEOUT_MS)
            panel, cells = open_lesson(page, url, lesson.name)
            indicator = panel.locator(".jp-Notebook-ExecutionIndicator")

            # select the prediction cell, run everything above it, then the cell itself
            cells.nth(widget_at).locator(".jp-InputPrompt").click()
            page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator("#jp-mainmenu-run .lm-Menu-item").filter(
                has=page.locator(".lm-Menu-itemLabel",
                                 has_text=re.compile(r"^Run All Above Selected Cell$"))
            ).click()
            expect(cells.nth(widget_at - 2)).to_contain_text("node accepted:",
                                                             timeout=TIMEOUT_MS)
            expect(indicator).to_have_attribute("data-status", "idle", timeout=TIMEOUT_MS)
            cells.nth(widget_at).locator(".jp-InputPrompt").click()
            page.keyboard.press("Shift+Enter")
            widget = cells.nth(widget_at).locator(".paxos-prediction")
            expect(widget).to_be_visible(timeout=TIMEOUT_MS)
            verdict = widget.locator(".paxos-prediction-verdict")
            expect(verdict).to_contain_text("Pick an answer", timeout=TIMEOUT_MS)
            commit = widget.locator("button.paxos-prediction-commit")
            expect(commit).to_be_disabled(timeout=TIMEOUT_MS)

            widget.locator("label", has_text=choice).click()
            expect(commit).to_be_enabled(timeout=TIMEOUT_MS)
            commit.click()
            expect(verdict).to_contain_text("Committed", timeout=TIMEOUT_MS)
            expect(commit).to_be_disabled(timeout=TIMEOUT_MS)
            cells.nth(widget_at).scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "predictions-committed.png"))

            # run the revealing cell (Shift+Enter moved the selection onto it)
            revealing = cells.nth(widget_at + 1)
            revealing.locator(".jp-InputPrompt").click()
            page.keyboard.press("Shift+Enter")
            expect(verdict).to_contain_text(f"✓ You predicted: {choice}, and that is what "
                                            "happened.", timeout=TIMEOUT_MS)
            expect(indicator).to_have_attribute("data-status", "idle", timeout=TIMEOUT_MS)
            placeholder = revealing.locator(".jp-OutputPlaceholder")
            if placeholder.is_visible():
                placeholder.click()
            output = revealing.locator(".jp-OutputArea")
            expect(output).to_be_visible(timeout=TIMEOUT_MS)
            expect(output).to_contain_text(f"✓ You predicted: {choice}", timeout=TIMEOUT_MS)
            expect(panel.locator('[data-mime-type="application/vnd.jupyter.stderr"]')
                   ).to_have_count(0, timeout=TIMEOUT_MS)
            revealing.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "predictions-verdict.png"))
        finally:
            browser.close()
    assert (ARTIFACTS / "predictions-verdict.png").stat().st_size > 10_000
