"""Server time of the teacher's board (pages/board.py) with 5 against 40 runs (issue 14: it
should cost the same whether 5 or 40 runs are shown).

Fake run folders (tests/class_runs.py: config, status, 20 epoch rows each; no training) of one
student each, under AppTest. Rows: the first render (every run's metrics read and diagnosed),
a rerender with nothing changed (the fragment's tick: rows come from classroom's cache, only
the run list, the figure and the table are built again), and a rerender after every run wrote
one more epoch (all rows recomputed). Prints medians in milliseconds and the 40/5 ratios.

    python benchmarks/board_scaling.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from streamlit.testing.v1 import AppTest

from cnnweb import classroom, runs
from tests.class_runs import fake_run

EPOCHS = 20


def _time(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return 1000 * (time.perf_counter() - t0)


def measure(n: int, repeats: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CNNWEB_RUNS_DIR"] = str(Path(tmp) / "runs")
        os.environ["CNNWEB_MODELS_DIR"] = str(Path(tmp) / "models")
        classroom._rows.clear()
        dirs = [fake_run(f"student{i:02d}", accs=[0.5 + 0.4 * (1 - 0.85 ** e) + 0.002 * i
                                                  for e in range(EPOCHS)])
                for i in range(n)]
        at = AppTest.from_file(str(ROOT / "pages" / "board.py"), default_timeout=120)
        first = _time(at.run)
        assert not at.exception, at.exception
        assert len(at.dataframe[0].value) == n
        at.run()
        same = [_time(at.run) for _ in range(repeats)]
        changed = []
        for k in range(repeats):
            for d in dirs:
                runs.append_metric(d, {"type": "epoch", "epoch": EPOCHS + k + 1, "loss": 0.1,
                                       "accuracy": 0.95, "val_loss": 0.12, "val_accuracy": 0.94})
            changed.append(_time(at.run))
        return {"first": first, "same": statistics.median(same),
                "changed": statistics.median(changed)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15, help="rerenders per figure (median)")
    args = ap.parse_args()
    measure(5, 2)                       # warm up imports and Plotly
    results = {n: measure(n, args.runs) for n in (5, 40)}
    print(f"board render, ms (median of {args.runs}; {EPOCHS} epochs per run)")
    print(f"{'':28}{'5 runs':>10}{'40 runs':>10}{'40/5':>8}")
    for key, label in (("first", "first render"), ("same", "rerender, nothing new"),
                       ("changed", "rerender, every run +1 epoch")):
        a, b = results[5][key], results[40][key]
        print(f"{label:28}{a:10.1f}{b:10.1f}{b / a:8.2f}")


if __name__ == "__main__":
    main()
