"""Start -> first curve point, with and without the warm worker (cnnweb.standby).

    python benchmarks/first_point.py [--rounds 3] [--json OUT]

Each round submits the mnist-fast preset through cnnweb.jobs exactly as the Trainer's Start
does, cold (a new `python -m cnnweb train` process) and warm (handed to a standby worker that
has TensorFlow imported), alternating, and times until the run's first metrics line exists
(the page polls that file every second, so the page shows it at most a second later); the run
is then stopped. The warm worker is started while nothing trains and is ready before the warm
round begins, as it would be on a Trainer page left open. Target (issue 16): <= 3 s including
the page's poll. Also records the first epoch's training speed of both, which must not differ
(a warm start must not make the run slower).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _kit import machine

from cnnweb import config, jobs, runs, standby, train

POLL_S = 1.0           # the Trainer page's refresh while a run is shown


def _first_line(run_dir: Path, timeout: float = 180) -> tuple[float, dict]:
    t0 = time.perf_counter()
    path = run_dir / runs.METRICS
    while time.perf_counter() - t0 < timeout:
        if path.exists() and path.stat().st_size:
            return time.perf_counter() - t0, json.loads(path.read_text().splitlines()[0])
        time.sleep(0.02)
    raise RuntimeError(f"no metrics line in {run_dir}: {runs.stderr_text(run_dir)[-500:]}")


def _until_final(run_dir: Path, timeout: float = 180) -> None:
    t0 = time.time()
    while time.time() - t0 < timeout and jobs.refresh(run_dir).get("state") not in runs.FINAL:
        time.sleep(0.2)


def one(base: Path, warm: bool) -> dict:
    os.environ["CNNWEB_STANDBY"] = "1" if warm else "0"
    if warm:
        jobs.warm_up(base=base)
        t0 = time.time()
        while not standby.idle_workers(base) and time.time() - t0 < 120:
            time.sleep(0.2)
    cfg = config.TrainConfig(**train.preset_config("mnist-fast"))
    t0 = time.perf_counter()
    run = jobs.submit(cfg, base)
    seconds, _ = _first_line(run.path)
    time.sleep(3)                                    # a few seconds of the first epoch
    rows = [r for r in runs.read_jsonl(run.path / runs.METRICS) if r.get("type") == "progress"]
    jobs.request_stop(run.path)
    _until_final(run.path)
    return {"warm": warm, "taken_by_worker": bool(runs.read_launcher(run.path).get("warm")),
            "first_line_s": round(seconds, 2), "submit_s": round(time.perf_counter() - t0, 2),
            "images_per_s": rows[-1].get("images_per_s") if rows else None}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks/results/first_point.json")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CNNWEB_MODELS_DIR"] = str(Path(tmp) / "models")
        base = Path(tmp) / "runs"
        base.mkdir()
        for _ in range(args.rounds):
            for warm in (False, True):
                rows.append(one(base, warm))
                print(rows[-1], flush=True)
        for proc in psutil.process_iter(["cmdline"]):    # the workers started on the way
            if str(standby.folder(base)) in " ".join(proc.info["cmdline"] or []):
                proc.kill()
    out = {"machine": machine(), "rounds": rows}
    for warm in (False, True):
        got = [r["first_line_s"] for r in rows if r["warm"] == warm]
        speed = [r["images_per_s"] for r in rows if r["warm"] == warm and r["images_per_s"]]
        out["warm" if warm else "cold"] = {
            "first_line_median_s": statistics.median(got),
            "page_shows_within_s": round(statistics.median(got) + POLL_S, 2),
            "images_per_s_median": statistics.median(speed) if speed else None}
    print(json.dumps({k: out[k] for k in ("cold", "warm")}, indent=1))
    args.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
