"""Cost of one watcher poll of a long run: before (metrics.jsonl read and parsed whole every
poll) and after (runs.read_jsonl reads only the lines appended since the last poll).

A poll is what the Trainer's live view does each tick: jobs.get_run, runs.progress and
runs.diagnosis of a run whose metrics.jsonl has 73,000 lines (issue 14: 0.43 s a poll before,
four watchers saturated the server). Between polls one progress line is appended, as a live
run does. Prints the medians and their ratio; writes benchmarks/results/metrics_poll.json.

    python benchmarks/metrics_poll.py [--lines 73000] [--polls 20]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cnnweb import jobs, runs


def _write_run(base: Path, lines: int) -> Path:
    d = base / "20260101-000000-mnist_cnn-mnist-poll00"
    d.mkdir(parents=True)
    epochs = max(1, lines // 1000)
    runs.write_config(d, {"run_id": d.name, "arch": "mnist_cnn", "dataset": "mnist",
                          "created": time.time(), "config": {"epochs": epochs + 1}})
    runs.write_json(d / runs.STATUS, {"state": "running", **jobs.process_identity(),
                                      "epochs": epochs + 1})
    rows, t = [], time.time() - lines
    for i in range(lines):
        e = i // 1000 + 1
        if i % 1000 == 999:
            rows.append({"type": "epoch", "epoch": e, "loss": 1.0 / e, "accuracy": 0.9,
                         "val_loss": 1.1 / e, "val_accuracy": 0.88, "images_per_s": 900.0,
                         "elapsed": float(i), "time": t + i, "lr": 0.001})
        else:
            rows.append({"type": "progress", "epoch": e, "batch": i % 1000 + 1, "batches": 1000,
                         "loss": 1.0 / e, "accuracy": 0.9, "images_per_s": 900.0,
                         "elapsed": float(i), "time": t + i})
    (d / runs.METRICS).write_text("".join(json.dumps(r) + "\n" for r in rows))
    return d


def _poll(d: Path) -> float:
    t0 = time.perf_counter()
    run = jobs.get_run(d.name, d.parent)
    p = runs.progress(run)
    runs.diagnosis(run, p.epoch_rows)
    return time.perf_counter() - t0


def _measure(d: Path, polls: int) -> list[float]:
    out = []
    _poll(d)                                      # the first poll reads the file whole
    for n in range(1, polls + 1):
        runs.append_metric(d, {"type": "progress", "epoch": 74, "batch": n, "batches": 1000,
                               "loss": 0.1, "accuracy": 0.9, "elapsed": 1.0, "time": time.time()})
        out.append(_poll(d))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=73_000)
    ap.add_argument("--polls", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = _write_run(Path(tmp), args.lines)
        real = runs.read_jsonl
        runs.read_jsonl = lambda path, keep=None, cached=True: real(path, keep, cached=False)
        before = _measure(d, max(3, args.polls // 4))
        runs.read_jsonl = real
        after = _measure(d, args.polls)
    b, a = statistics.median(before), statistics.median(after)
    out = {"lines": args.lines, "polls_before": len(before), "polls_after": len(after),
           "before_s": round(b, 4), "after_s": round(a, 5), "ratio": round(b / a, 1),
           "measured": time.strftime("%Y-%m-%d %H:%M")}
    print(f"one poll of a {args.lines:,}-line run: before {b * 1000:.0f} ms, after "
          f"{a * 1000:.1f} ms ({b / a:.0f}x less)")
    res = ROOT / "benchmarks" / "results"
    res.mkdir(parents=True, exist_ok=True)
    (res / "metrics_poll.json").write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
