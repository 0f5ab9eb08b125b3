"""Your own pictures, trained from scratch and by transfer learning (issue 13's measured numbers).

    python benchmarks/own_pictures.py [--per-class 60] [--classes cat dog ship] [--json OUT]

A folder of class folders is written from CIFAR-10's TEST split (PNG files, a hundred per
class: what a class brings from its phones), given to the real command as `--dataset FOLDER` (kept as a
named dataset with a held-out test split of 0.2 that training never sees; the second run
reuses it), and trained twice with the real
command: from scratch (cifar_cnn, 30 epochs) and by transfer learning from the shipped
cnnweb_cifar (its convolutional base frozen under a new head, 30 epochs, then 5 fine-tuning
epochs). Reported: held-out test accuracy, wall time of the whole command, and the time from
the start of the command to its first metrics line. The shipped model was trained on
CIFAR-10's training split only, so these pictures are new to it, but its classes are the same
kind of pictures: transfer learning is expected to help more here than on pictures far from
CIFAR-10. Needs ../shared/data/cifar10.npz (or CNNWEB_DATA_DIR).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import _kit

CIFAR = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def write_folder(root: Path, classes: list[str], per_class: int) -> Path:
    from PIL import Image

    from cnnweb import data

    ds = data.load("cifar10")
    for name in classes:
        folder = root / "pictures" / name
        folder.mkdir(parents=True)
        idx = np.flatnonzero(ds.y_test.reshape(-1) == CIFAR.index(name))[:per_class]
        for i in idx:
            Image.fromarray(ds.x_test[i]).save(folder / f"{name}_{i:05d}.png")
    return root / "pictures"


def first_line(run_dir: Path, t0: float, out: dict, done: threading.Event) -> None:
    while not done.is_set():
        p = run_dir / "metrics.jsonl"
        if p.exists() and p.stat().st_size:
            out["first_line_s"] = round(time.perf_counter() - t0, 2)
            return
        time.sleep(0.05)


def train(args: list[str], env: dict, tmp: Path, label: str) -> dict:
    run_dir = tmp / f"run_{label}"
    found, done = {}, threading.Event()
    t0 = time.perf_counter()
    watch = threading.Thread(target=first_line, args=(run_dir, t0, found, done))
    watch.start()
    r = _kit.run_measured([sys.executable, "-m", "cnnweb", "train", *args, "--run-dir",
                           str(run_dir), "--name", f"own-{label}"], env)
    done.set()
    watch.join()
    status = json.loads((run_dir / "status.json").read_text())
    return {"run": label, "command": " ".join(["python -m cnnweb train", *args]),
            "rc": r["rc"], "wall_s": round(r["wall_s"], 1), "cpu_s": round(r["cpu_s"], 1),
            "test_accuracy": status.get("test_accuracy"),
            **found, **({"stderr": r["stderr"][-300:]} if r["rc"] else {})}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-class", type=int, default=100)
    ap.add_argument("--classes", nargs="+", default=["cat", "dog", "ship"])
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks/results/own_pictures.json")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cnnweb-own-"))
    env = {**os.environ, **_kit.QUIET, "CNNWEB_DATASETS_DIR": str(tmp / "datasets"),
           "CNNWEB_MODELS_DIR": str(tmp / "models"), "CNNWEB_RUNS_DIR": str(tmp / "runs")}
    folder = str(write_folder(tmp, args.classes, args.per_class))
    own = ["--dataset", folder, "--test-split", "0.2"]
    rows = [train(["--arch", "cifar_cnn", *own, "--epochs", "30"], env, tmp, "scratch"),
            train(["--finetune", "cnnweb_cifar", *own, "--epochs", "30", "--finetune-epochs", "5"],
                  env, tmp, "transfer")]
    out = {"classes": args.classes, "per_class": args.per_class, "test_split": 0.2,
           "n_test": round(0.2 * args.per_class) * len(args.classes),
           "source": "CIFAR-10 test split as PNG files", "machine": _kit.machine(),
           "onednn": "TensorFlow's default", "rows": rows,
           "measured": time.strftime("%Y-%m-%d %H:%M")}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(out, indent=1))
    print(json.dumps(out, indent=1))
    return 0 if all(r["rc"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
