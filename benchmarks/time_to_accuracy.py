"""Time to accuracy on this machine, full datasets: cnnweb's recipes and the seeds' presets.

    python benchmarks/time_to_accuracy.py [--only recipes|seeds] [--quick] [--json OUT]

Each run is the real command line (`python -m cnnweb train ...`, through seed_presets.run_config),
timed from start to saved model: Python and TensorFlow start-up, data loading, training, the
test-set evaluation and saving are all inside the wall time. Accuracy is on the TEST split (10,000
images the run never trained or validated on), measured once at the end. Our recipes train on all
of the training split (no validation split, so no time goes to it); the seeds' presets hold out
10% for validation as the Trainer does, and the epoch whose validation accuracy first reached the
seed's figure is reported too. Peak memory (max RSS) of each training process is recorded.

Targets (issue 7): MNIST to 99.0% in under 60 s, CIFAR-10 to 75% in under 5 minutes.
--quick trains each recipe for one epoch on 5,000 images (checks the path, not the targets).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import seed_presets
from _kit import SHARED_DATA, machine

from cnnweb import train

# Ours. Chosen on this 2-core CPU (see BENCHMARKS.md for the tries that led here): batch 128
# keeps both cores busy, Adam at 3e-3 with a cosine schedule that ends at zero when the budget
# does, no time spent on a validation split. MNIST: seed 001's own network (without batch norm
# it runs twice as many images per second). CIFAR-10: cnnweb_cifar's six convolutions at half
# width, no augmentation (a short run underfits; flips and shifts only slowed it).
RECIPES = {
    "MNIST recipe (mnist_cnn)": {
        "params": {"arch": "mnist_cnn", "dataset": "mnist", "epochs": 3,
                   "batch_size": 128, "lr": 3e-3, "optimizer": "adam", "schedule": "cosine",
                   "val_split": 0.0},
        "target": 0.99, "budget_s": 60.0},
    "CIFAR-10 recipe (cnnweb_cifar_fast)": {
        "params": {"arch": "cnnweb_cifar_fast", "dataset": "cifar10", "epochs": 8,
                   "batch_size": 128, "lr": 3e-3, "optimizer": "adam", "schedule": "cosine",
                   "label_smoothing": 0.1, "val_split": 0.0},
        "target": 0.75, "budget_s": 300.0},
}

# The seeds' presets (cnnweb.train.PRESETS), with the seeds' published test accuracies.
SEED_PRESETS = [name for name in train.PRESETS if name.startswith("Seed")]
PUBLISHED = {"Keras example convnet (MNIST, 15 epochs)": 0.9922}


def data_path(dataset: str) -> str:
    return str(SHARED_DATA / {"mnist": "mnist.npz", "cifar10": "cifar10.npz"}[dataset])


def run_recipes(tmp: Path, quick: bool, which: list[str] | None = None) -> list[dict]:
    rows = []
    for label, r in RECIPES.items():
        if which and r["params"]["dataset"] not in which:
            continue
        p = {**r["params"], "data_path": data_path(r["params"]["dataset"])}
        if quick:
            p.update(epochs=1, limit=5000)
        row = seed_presets.run_config(label, p, None, tmp)
        row.update(kind="ours", target=r["target"], budget_s=r["budget_s"],
                   quick=quick, dataset=p["dataset"])
        if "error" not in row:
            row["met"] = (row["test_accuracy"] >= r["target"] and row["wall_s"] <= r["budget_s"])
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    return rows


def run_seeds(tmp: Path, quick: bool, which: list[int] | None = None) -> list[dict]:
    rows = []
    for name in [SEED_PRESETS[i] for i in (which or range(len(SEED_PRESETS)))]:
        preset = train.PRESETS[name]
        extra = ["--data-path", data_path(preset["dataset"])]
        if quick:
            extra += ["--epochs", "1", "--limit", "5000"]
        row = seed_presets.run_preset(name, tmp, extra)
        row.update(kind="seed", quick=quick, dataset=preset["dataset"],
                   published=seed_presets.seed_accuracy(preset["seed_result"]))
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=["recipes", "seeds"], default=None)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", default=None, help="write the rows here")
    ap.add_argument("--recipes", nargs="*", choices=["mnist", "cifar10"], default=None,
                    help="only the recipes for these datasets")
    ap.add_argument("--seeds", type=int, nargs="*", default=None,
                    help=f"which seed presets (0..{len(SEED_PRESETS) - 1}: "
                         f"{'; '.join(SEED_PRESETS)}); default all")
    args = ap.parse_args(argv)
    if not (SHARED_DATA / "mnist.npz").exists():
        print(f"error: the full datasets are not in {SHARED_DATA}", file=sys.stderr)
        return 1
    os.environ.setdefault("CNNWEB_NO_DOWNLOAD", "1")
    with tempfile.TemporaryDirectory(prefix="cnnweb-tta-") as tmp:
        rows = []
        if args.only in (None, "recipes"):
            rows += run_recipes(Path(tmp), args.quick, args.recipes)
        if args.only in (None, "seeds"):
            rows += run_seeds(Path(tmp), args.quick, args.seeds)
    for row in rows:
        if "error" in row:
            print(f"{row['preset']}: FAILED {row['error']}")
            continue
        print(f"{row['preset']:<48} test {100 * row['test_accuracy']:6.2f}%  "
              f"{row['wall_s']:6.0f} s wall  {row['images_per_s']:7,.0f} img/s  "
              f"peak {row['peak_rss_mb']:5.0f} MiB" + (f"  met: {row['met']}" if "met" in row
                                                       else ""))
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "published": PUBLISHED,
                                                "machine": machine()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
