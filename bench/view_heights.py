"""How tall is every widget view of the lessons on a 1366x768 laptop screen, in JupyterLab?

Opens each lesson (``notebooks/NN-*.ipynb``, outputs stripped) in a throwaway JupyterLab and
Debian's headless Chromium at 1366x768 with the file browser open, runs all cells, waits until
every code cell has run, and measures each widget output (``getBoundingClientRect``): its cell,
its height, whether it is a ``ClusterView`` (``.pxv``), and for those whether the controls fit
inside the notebook area once the view is scrolled to its top.  JupyterLab's notebook area on
that screen is about 650 px tall, so a view taller than about 600 px cannot be seen whole.

Screenshots of every widget (the view alone, and the notebook area with the view scrolled to
its top) go to ``--shots`` (default ``bench/artifacts/views``).  Prints one line per view, or
``--json`` a list of ``{"lesson", "cell", "index", "pxv", "height", "width", "controls_in",
"screen"}``.  Figures, never assertions.

    python bench/view_heights.py [07 08 ...] [--shots DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from browserlab import LAPTOP, ROOT, launch, run_lesson, running_lab

VIEWPORT = LAPTOP
#: a cell's own outputs (not those inside an ``ipywidgets.Output``) that hold a widget
WIDGET = (".jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output"
          ":is(.jupyter-widgets, :has(.jupyter-widgets), :has(.pxv))")

MEASURE = """
([el, area]) => {
  const r = el.getBoundingClientRect();
  const a = area.getBoundingClientRect();
  const cell = el.closest('.jp-Cell');
  const cells = [...document.querySelectorAll(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell')];
  const pxv = el.querySelector('.pxv');
  let controls = null;
  if (pxv) {
    const c = pxv.querySelector('.pxv-controls').getBoundingClientRect();
    controls = c.top >= a.top - 0.5 && c.bottom <= a.bottom + 0.5;
  }
  return { cell: cells.indexOf(cell), height: Math.round(r.height), width: Math.round(r.width),
           pxv: !!pxv, controls_in: controls, area: Math.round(a.height) };
}
"""


def lessons(wanted: list[str]) -> list[Path]:
    found = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    found += sorted((ROOT / "notebooks").glob("project-*.ipynb"))
    if wanted:
        found = [p for p in found if any(p.name.startswith(w) for w in wanted)]
    return found


def measure(path: Path, shots: Path, tmp: Path) -> list[dict]:
    from playwright.sync_api import sync_playwright

    rows = []
    with running_lab(tmp, {path.name: path}) as url, sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            panel = run_lesson(page, url, path.name, timeout_s=600)
            page.wait_for_timeout(1500)
            area = panel.locator(".jp-WindowedPanel-outer").first
            errors = panel.locator('[data-mime-type="application/vnd.jupyter.stderr"]')
            tracebacks = [errors.nth(i).inner_text()[:300] for i in range(errors.count())]
            views = panel.locator(WIDGET)
            for i in range(views.count()):
                v = views.nth(i)
                v.evaluate("el => el.scrollIntoView({block: 'start'})")
                page.wait_for_timeout(300)
                row = page.evaluate(MEASURE, [v.element_handle(), area.element_handle()])
                stem = f"{path.name[:2]}-cell{row['cell']:02d}-{i}"
                v.screenshot(path=str(shots / f"{stem}-view.png"))
                page.screenshot(path=str(shots / f"{stem}-screen.png"))
                row.update(lesson=path.name, index=i, screen=str(shots / f"{stem}-screen.png"))
                rows.append(row)
            if tracebacks:
                rows.append({"lesson": path.name, "stderr": tracebacks})
        finally:
            browser.close()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("lessons", nargs="*", help="lesson numbers (default: all)")
    ap.add_argument("--shots", type=Path, default=ROOT / "bench" / "artifacts" / "views")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    args.shots.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    for path in lessons(args.lessons):
        with tempfile.TemporaryDirectory() as tmp:
            got = measure(path, args.shots, Path(tmp))
        rows += got
        if not args.json:
            for r in got:
                if "stderr" in r:
                    print(f"{r['lesson']}: stderr output: {r['stderr']}")
                    continue
                kind = "ClusterView" if r["pxv"] else "widget"
                extra = "" if r["controls_in"] is None else (
                    f"  controls {'inside' if r['controls_in'] else 'OUTSIDE'} the "
                    f"{r['area']} px notebook area")
                print(f"{r['lesson']} cell {r['cell']:>3} {kind:<11} {r['height']:>4} px tall, "
                      f"{r['width']} wide{extra}", flush=True)
    if args.json:
        print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
