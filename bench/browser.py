"""The index page in Chromium (Debian's, through Playwright, as tests/browser): bytes on the wire
for a first and a repeat visit, DOMContentLoaded, and the time until every chart is drawn.

Each run opens a new browser context (an empty HTTP cache), visits / (the first visit), then
opens / again in a new tab of the same context (the repeat visit: what the cache kept is not
fetched again). Bytes are the sum of CDP's encodedDataLength over the requests that finished:
headers and bodies as sent, compressed where they were. The server is warm (the HTTP bench ran
before); the browser's cache is cold. Median of RUNS.
"""

from __future__ import annotations

import os
import statistics

RUNS = 3
FIRST_GOAL_KB, REPEAT_GOAL_KB, DCL_GOAL_MS, DRAWN_GOAL_MS = 350, 60, 400, 1000
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A chart is drawn when its figure shows a picture: a rendered Vega view (svg.marks or
# canvas.marks, or the element marked data-rendered), a loaded <img>, or an <svg> of the
# server's own (not an icon inside a menu). Records the time once every figure is.
DRAWN = """() => {
  const figures = [...document.querySelectorAll("figure.chart")];
  const drawn = (figure) =>
    figure.querySelector("[data-rendered='true'], svg.marks, canvas.marks") ||
    [...figure.querySelectorAll("img")].some((i) => i.complete && i.naturalWidth > 0) ||
    [...figure.querySelectorAll("svg")].some(
      (s) => !s.closest("details, summary") && s.querySelector("path, rect, circle")
    );
  if (figures.length && figures.every(drawn)) {
    window.__drawn = window.__drawn || performance.now();
    return true;
  }
  return false;
}"""


def _visit(context, url: str, wait_charts: bool) -> dict:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    sizes = {}
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]),
    )
    page.goto(url, wait_until="load")
    drawn = None
    if wait_charts:
        page.wait_for_function(DRAWN, polling="raf", timeout=30_000)
        drawn = page.evaluate("window.__drawn")
    page.wait_for_load_state("networkidle")
    timing = page.evaluate(
        "(() => { const n = performance.getEntriesByType('navigation')[0];"
        " return n.domContentLoadedEventEnd; })()"
    )
    count = page.evaluate("document.querySelectorAll('figure.chart').length")
    page.close()
    return {
        "bytes": sum(sizes.values()),
        "requests": len(sizes),
        "dcl": timing,
        "drawn": drawn,
        "charts": count,
    }


def browser_bench(base_url: str, notes: list[str]) -> list:
    from playwright.sync_api import sync_playwright

    from bench.http import Row

    if not os.path.exists(CHROMIUM):
        notes.append(f"browser: no Chromium at {CHROMIUM}; not measured")
        return []
    first, repeat = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            warm = browser.new_context()  # the server renders what it renders once
            _visit(warm, base_url + "/", wait_charts=True)
            warm.close()
            for _ in range(RUNS):
                context = browser.new_context()
                first.append(_visit(context, base_url + "/", wait_charts=True))
                repeat.append(_visit(context, base_url + "/", wait_charts=False))
                context.close()
        finally:
            browser.close()

    def median(runs: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in runs)

    first_kb, repeat_kb = median(first, "bytes") / 1024, median(repeat, "bytes") / 1024
    dcl, drawn = median(first, "dcl"), median(first, "drawn")
    dcls = ", ".join(f"{r['dcl']:.0f}" for r in first)
    drawns = ", ".join(f"{r['drawn']:.0f}" for r in first)
    notes.append(
        f"browser: Chromium, loopback, median of {RUNS} fresh contexts; first visit "
        f"{median(first, 'requests'):.0f} requests, repeat visit {median(repeat, 'requests'):.0f}"
        f"; {first[0]['charts']} charts on /; DOMContentLoaded runs "
        f"{dcls} ms, drawn {drawns} ms"
    )
    return [
        Row(
            "browser / first visit",
            f"{first_kb:.0f} KB",
            "-",
            None,
            f"<= {FIRST_GOAL_KB} KB",
            first_kb <= FIRST_GOAL_KB,
        ),
        Row(
            "browser / repeat visit",
            f"{repeat_kb:.0f} KB",
            "-",
            None,
            f"<= {REPEAT_GOAL_KB} KB",
            repeat_kb <= REPEAT_GOAL_KB,
        ),
        Row(
            "browser / DOMContentLoaded",
            f"{dcl:.0f} ms",
            "-",
            None,
            f"<= {DCL_GOAL_MS} ms",
            dcl <= DCL_GOAL_MS,
        ),
        Row(
            "browser / every chart drawn",
            f"{drawn:.0f} ms",
            "-",
            None,
            f"<= {DRAWN_GOAL_MS} ms",
            drawn <= DRAWN_GOAL_MS,
        ),
    ]
