"""Server time of a prediction after a stroke on the Predict page, with the model warm.

    python benchmarks/predict_latency.py [--model cnnweb_mnist] [--n 200]

Measures, for drawings of random strokes on a 280x280 canvas:
  ours      what the page does after a stroke: decode the canvas PNG (as streamlit-drawable-canvas'
            image_data does), images.canvas_to_input, explain.predict (a direct model call),
            explain.top_k and the Plotly top-k figure;
  baseline  the same with Keras' usual `model.predict(x)` for the model call (same run, same
            inputs), the way the seeds predict;
  page      one whole rerun of pages/predict.py under AppTest with a faked canvas, including the
            feature maps and Grad-CAM of the "Inside the network" section (informative).
Prints p50 / p95 in milliseconds and the ratio ours / baseline. Target: ours p95 well under 50 ms.
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np
from PIL import Image, ImageDraw


def random_drawing(rng) -> str:
    """A canvas data URL (PNG, like the component sends) with 1-3 random strokes."""
    img = Image.new("RGBA", (280, 280), (255, 255, 255, 255))
    d = ImageDraw.Draw(img)
    for _ in range(rng.integers(1, 4)):
        pts = [tuple(rng.integers(30, 250, 2).tolist()) for _ in range(rng.integers(2, 6))]
        d.line(pts, fill=(0, 0, 0, 255), width=18, joint="curve")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def decode(url: str) -> np.ndarray:
    _, encoded = url.split(";base64,", 1)
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(encoded))))


def pct(times, q) -> float:
    s = sorted(times)
    return s[min(len(s) - 1, round(q / 100 * (len(s) - 1)))] * 1000


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="cnnweb_mnist")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--page-runs", type=int, default=20)
    args = ap.parse_args(argv)

    from cnnweb import charts, explain, images, store

    model = store.load_model(args.model)
    names = store.load_meta(args.model).get("class_names")
    rng = np.random.default_rng(0)
    urls = [random_drawing(rng) for _ in range(args.n)]

    def ours(url):
        x = images.canvas_to_input(decode(url))
        top = explain.top_k(explain.predict(model, x), names, 3)
        charts.topk_figure(top["top"])
        return top["index"]

    def baseline(url):
        x = images.canvas_to_input(decode(url))
        probs = model.predict(x[None].astype(np.float32), verbose=0)[0]
        top = explain.top_k(probs, names, 3)
        charts.topk_figure(top["top"])
        return top["index"]

    for f in (ours, baseline):            # warm up: graph tracing, first-call allocations
        for u in urls[:5]:
            f(u)
    t_ours, t_base, agree = [], [], 0
    for u in urls:                       # interleaved, so load changes hit both alike
        t0 = time.perf_counter()
        a = ours(u)
        t1 = time.perf_counter()
        b = baseline(u)
        t2 = time.perf_counter()
        t_ours.append(t1 - t0)
        t_base.append(t2 - t1)
        agree += a == b
    print(f"model {args.model}, {args.n} drawings, warm")
    print(f"ours      p50 {pct(t_ours, 50):6.1f} ms   p95 {pct(t_ours, 95):6.1f} ms")
    print(f"baseline  p50 {pct(t_base, 50):6.1f} ms   p95 {pct(t_base, 95):6.1f} ms   (model.predict)")
    print(f"ratio ours/baseline  p50 {statistics.median(t_ours) / statistics.median(t_base):.2f}   "
          f"same class {agree}/{args.n}")

    if args.page_runs:
        from streamlit.testing.v1 import AppTest

        from cnnweb import ui

        drawings = [decode(u) for u in urls[: args.page_runs + 2]]
        state = {"i": 0}
        ui.draw_canvas = lambda key, stroke_width=18, size=280: drawings[state["i"]]
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.run()
        at.switch_page("pages/predict.py")
        at.run()
        at.selectbox(key="predict_model").select(args.model)
        at.run()
        times = []
        for i in range(1, args.page_runs + 1):
            state["i"] = i
            t0 = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - t0)
        assert not at.exception, at.exception
        print(f"page rerun (AppTest, with feature maps + Grad-CAM)  p50 {pct(times, 50):6.1f} ms   "
              f"p95 {pct(times, 95):6.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
