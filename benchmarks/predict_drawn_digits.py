"""How well the shipped MNIST model reads digits drawn with the mouse on the real canvas.

    python benchmarks/predict_drawn_digits.py [--per-class 3] [--model cnnweb_mnist]

Starts `streamlit run app.py`, opens the Predict page in headless Chromium, and for every digit
0-9 draws --per-class variants (different size, position, slant and wobble) with mouse strokes,
reads the prediction shown on the page, and clears. Prints a confusion list and the accuracy.
Screenshots of every drawing: /tmp/shots/predict/drawn/.
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOTS = Path("/tmp/shots/predict/drawn")


def _arc(cx, cy, rx, ry, a0, a1, n=16):
    return [(cx + rx * math.cos(math.radians(a0 + (a1 - a0) * i / n)),
             cy + ry * math.sin(math.radians(a0 + (a1 - a0) * i / n))) for i in range(n + 1)]


# Each digit: strokes as point lists in a unit box (x right, y down), written the usual way.
DIGITS = {
    0: [_arc(0.5, 0.5, 0.28, 0.42, -90, 275)],
    1: [[(0.38, 0.25), (0.55, 0.08), (0.55, 0.92)]],
    2: [_arc(0.5, 0.3, 0.25, 0.2, 200, 370, 10) + [(0.6, 0.55), (0.25, 0.92), (0.8, 0.9)]],
    3: [_arc(0.48, 0.28, 0.24, 0.19, 210, 450, 12) + _arc(0.48, 0.7, 0.27, 0.22, -90, 150, 14)],
    4: [[(0.55, 0.08), (0.2, 0.62), (0.82, 0.62)], [(0.62, 0.3), (0.62, 0.95)]],
    5: [[(0.75, 0.1), (0.32, 0.1), (0.28, 0.45)] + _arc(0.48, 0.65, 0.27, 0.25, -120, 150, 14)],
    6: [[(0.7, 0.1), (0.45, 0.3)] + _arc(0.5, 0.68, 0.24, 0.24, 200, 560, 20)],
    7: [[(0.2, 0.12), (0.8, 0.12), (0.42, 0.92)]],
    8: [_arc(0.5, 0.28, 0.2, 0.18, 90, 450, 16) + _arc(0.5, 0.7, 0.25, 0.22, -90, 270, 18)],
    9: [_arc(0.5, 0.3, 0.24, 0.2, 0, 360, 18) + [(0.74, 0.3), (0.72, 0.6), (0.66, 0.93)]],
}


def variant(strokes, k: int):
    """Variant k: scaled 0.55-0.9 of the canvas, moved, slanted, with a little wobble."""
    import random

    r = random.Random(k * 7919 + len(strokes))
    scale, slant = r.uniform(0.55, 0.9), r.uniform(-0.25, 0.2)
    ox, oy = r.uniform(0.02, 0.98 - scale), r.uniform(0.02, 0.98 - scale)
    out = []
    for s in strokes:
        pts = []
        for x, y in s:
            x = x + slant * (0.5 - y)
            pts.append((ox + scale * x + r.uniform(-0.006, 0.006), oy + scale * y + r.uniform(-0.006, 0.006)))
        out.append([(min(max(x, 0.01), 0.99), min(max(y, 0.01), 0.99)) for x, y in pts])
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-class", type=int, default=3)
    ap.add_argument("--model", default="cnnweb_mnist")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    port = _free_port()
    tmp = tempfile.mkdtemp()
    env = dict(os.environ, CNNWEB_MODELS_DIR=tmp, CNNWEB_RUNS_DIR=tmp, TF_CPP_MIN_LOG_LEVEL="3")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.fileWatcherType", "none", "--server.port", str(port),
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(60_000)
            page.goto(url + "/predict")
            page.get_by_role("heading", name="Predict").wait_for()

            def idle():
                page.wait_for_function(
                    "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")

            if args.model != "cnnweb_mnist":
                page.get_by_text("cnnweb_mnist ·").first.click()
                page.get_by_text(f"{args.model} ·").last.click()
            for digit, k in itertools.product(range(10), range(args.per_class)):
                canvas = page.locator("canvas").last
                canvas.wait_for()
                idle()
                page.wait_for_timeout(1500)      # a fresh canvas (after Clear) needs a moment
                box = canvas.bounding_box()
                for stroke in variant(DIGITS[digit], k):
                    pts = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in stroke]
                    page.mouse.move(*pts[0])
                    page.mouse.down()
                    for (ax, ay), (bx, by) in itertools.pairwise(pts):
                        for t in (0.34, 0.67, 1.0):
                            page.mouse.move(ax + (bx - ax) * t, ay + (by - ay) * t)
                    page.mouse.up()
                    page.wait_for_timeout(150)
                # every stroke posts the canvas and reruns the page: read until it settles
                got, last = None, ""
                while got != last:
                    last = got
                    page.wait_for_timeout(800)
                    idle()
                    got = page.locator("[data-testid='stMetricValue']").first.inner_text().strip()
                results.append((digit, got))
                page.screenshot(path=str(SHOTS / f"{digit}_{k}_read_as_{got}.png"),
                                clip={"x": 300, "y": 380, "width": 1000, "height": 420})
                print(f"drew {digit} (variant {k}): read {got}", flush=True)
                page.get_by_role("button", name="Clear", exact=True).click()
                page.get_by_text("Draw a digit first").wait_for()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    right = sum(str(d) == g for d, g in results)
    print(f"{args.model}: {right}/{len(results)} drawn digits read correctly "
          f"({right / len(results):.0%}); wrong: {[(d, g) for d, g in results if str(d) != g]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
