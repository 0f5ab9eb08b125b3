"""Time to the seeds' accuracies: run the Trainer's seed presets through the real CLI.

    CNNWEB_DATA_DIR=../shared/data python benchmarks/seed_presets.py [--preset N ...] [--list]

For each preset: wall time of the whole run, test accuracy at the end (on the untouched test
split) next to the seed's number, and the first epoch (with its elapsed training time) whose
validation accuracy reached the seed's accuracy. Runs go to a temporary models/runs folder.
Long: minutes per preset on a 2-core CPU; run under `nice -n 10` on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from cnnweb import runs, train


def seed_accuracy(note: str) -> float | None:
    m = re.search(r"(\d+\.\d+)%", note)
    return float(m.group(1)) / 100 if m else None


def run_preset(name: str, tmp: Path, extra: list[str]) -> dict:
    p = {k: v for k, v in train.PRESETS[name].items() if k != "seed_result"}
    return run_config(name, p, seed_accuracy(train.PRESETS[name]["seed_result"]), tmp, extra)


def run_config(label: str, params: dict, target: float | None, tmp: Path,
               extra: list[str] = ()) -> dict:
    """One `python -m cnnweb train` run of params (TrainConfig fields) to the end: wall time of
    the whole command, test accuracy, peak memory, and the first epoch whose validation
    accuracy reached target (None without a validation split). Used by time_to_accuracy.py."""
    from _kit import QUIET, run_measured

    cfg = train.TrainConfig(**params)
    run_dir = tmp / "runs" / re.sub(r"\W+", "-", label)[:40]
    env = {**os.environ, **QUIET, "CNNWEB_MODELS_DIR": str(tmp / "models"),
           "CNNWEB_RUNS_DIR": str(tmp / "runs")}
    r = run_measured([sys.executable, "-m", "cnnweb", "train", *cfg.argv(), *extra,
                      "--run-dir", str(run_dir)], env)
    if r["rc"] != 0:
        return {"preset": label, "error": (r["stderr"].splitlines() or ["?"])[-1]}
    res = runs.read_json(run_dir / "result.json")
    epochs = [m for m in runs.read_jsonl(run_dir / "metrics.jsonl") if m["type"] == "epoch"]
    hit = next((e for e in epochs if target and (e.get("val_accuracy") or 0) >= target), None)
    return {"preset": label, "seed": target, "test_accuracy": res["test_accuracy"],
            "wall_s": r["wall_s"], "train_s": sum(e["train_seconds"] for e in epochs),
            "images_per_s": res["images_per_s"], "device": res["device"],
            "peak_rss_mb": r["peak_rss_mb"], "epochs": len(epochs), "cpu_s": r["cpu_s"],
            "load_before": r["load_before"],
            "val_reached_seed_at_epoch": hit and hit["epoch"],
            "val_reached_seed_after_s": hit and hit["elapsed"], "command": res["command"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    names = list(train.PRESETS)
    ap.add_argument("--preset", type=int, action="append",
                    help="index into the list (see --list); default: the four seed presets")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("extra", nargs="*", help="extra train flags after --, e.g. -- --epochs 1")
    args = ap.parse_args()
    if args.list:
        for i, n in enumerate(names):
            print(i, n)
        return 0
    chosen = [names[i] for i in (args.preset or [0, 1, 2, 3])]
    with tempfile.TemporaryDirectory(prefix="cnnweb-seeds-") as tmp:
        for name in chosen:
            row = run_preset(name, Path(tmp), args.extra)
            if "error" in row:
                print(f"{name}: FAILED {row['error']}")
                continue
            seed = f"{100 * row['seed']:.2f}%" if row["seed"] else "-"
            reached = (f"val >= seed at epoch {row['val_reached_seed_at_epoch']} "
                       f"({row['val_reached_seed_after_s']:.0f} s)"
                       if row["val_reached_seed_at_epoch"] else "val never reached the seed's")
            print(f"{name}: test {100 * row['test_accuracy']:.2f}% (seed {seed}); "
                  f"{row['wall_s']:.0f} s wall, {row['train_s']:.0f} s training, "
                  f"{row['images_per_s']:,.0f} img/s; {reached}; {row['device']}")
            print(f"    {row['command']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
