"""Training throughput of cnnweb's engine vs a bare `model.fit`, same model, data and batch size.

    python benchmarks/train_throughput.py [--dataset mnist] [--arch mnist_cnn] [--n 12800]
                                          [--epochs 3] [--batch-size 64] [--rounds 2]
                                          [--onednn default|off]

The engine run is the real thing (`cnnweb.train.run`: tf.data pipeline, per-batch progress,
stop-file and divergence checks, metrics.jsonl), minus the validation split so both sides train
on the same N images. The baseline is `model.fit(x, y)` on in-memory float32 arrays, verbose=0.
Both are timed on training epochs after the first (which includes graph tracing), and the
rounds alternate baseline/engine so that a busy machine hurts both alike; the best round of
each is compared. Target: engine / baseline >= TARGET (0.98). Exit code 1 when it is missed.

Wall-clock images/s is the measure. On a machine shared with other work it swings by 2x from
round to round (other processes take a core), so the script also reports images per CPU-second
(process CPU time, all threads), which interference barely moves; when the wall-clock rounds
spread by more than 15% it says the wall ratio is noise and judges by the CPU ratio instead.
Data comes from the normal search (set CNNWEB_DATA_DIR=../shared/data for the full sets).
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

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_tmp = tempfile.mkdtemp(prefix="cnnweb-bench-")
os.environ["CNNWEB_MODELS_DIR"] = os.path.join(_tmp, "models")   # never touch the real store
os.environ["CNNWEB_RUNS_DIR"] = os.path.join(_tmp, "runs")

from cnnweb import data, runs, train, zoo

TARGET = 0.98     # issue 16: the engine keeps >= 0.98 of bare model.fit's throughput


def baseline(ds, args) -> float:
    """images/s of bare model.fit on the same first N images."""
    import keras
    import numpy as np

    x = ds.x_train[: args.n].astype(np.float32)
    y = ds.y_train[: args.n]
    keras.utils.set_random_seed(0)
    model = zoo.build(args.arch, input_shape=ds.input_shape, num_classes=len(ds.class_names))
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
    times = []

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t, self.c = time.perf_counter(), time.process_time()

        def on_epoch_end(self, epoch, logs=None):
            times.append((time.perf_counter() - self.t, time.process_time() - self.c))

    model.fit(x, y, batch_size=args.batch_size, epochs=args.epochs, shuffle=True, verbose=0,
              callbacks=[Timer()])
    steady = times[1:] or times
    return (len(x) * len(steady) / sum(w for w, _ in steady),
            len(x) * len(steady) / sum(c for _, c in steady))


def engine(ds_path: str | None, args) -> tuple[float, float, str]:
    """(images/s, images per CPU-second, device) of a real cnnweb training run."""
    cfg = train.TrainConfig(args.arch, args.dataset, epochs=args.epochs,
                            batch_size=args.batch_size, lr=1e-3, val_split=0.0, limit=args.n,
                            data_path=ds_path)
    run_dir = train.prepare_run_dir(cfg, None)
    if train.run(cfg, run_dir, echo=False) != 0:
        raise SystemExit(f"engine run failed: {runs.read_json(run_dir / 'status.json')}")
    res = runs.read_json(run_dir / "result.json")
    rows = [r for r in runs.read_jsonl(run_dir / "metrics.jsonl") if r["type"] == "epoch"][1:]
    cpu = sum(r["images"] for r in rows) / sum(r["cpu_seconds"] for r in rows)
    return res["images_per_s"], cpu, res["device"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="mnist", choices=list(data.DATASETS))
    ap.add_argument("--arch", default=None, help="default: mnist_cnn / cifar_cnn")
    ap.add_argument("--n", type=int, default=12800, help="training images per epoch")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--onednn", choices=["default", "off"], default="default",
                    help="default: as TensorFlow sets it (on for x86 CPUs); off: "
                         "TF_ENABLE_ONEDNN_OPTS=0, for the off-vs-on row")
    args = ap.parse_args()
    # oneDNN as TensorFlow sets it (what users get), or off for the off-vs-on row; decided here,
    # before baseline()/engine() import TensorFlow
    if args.onednn == "off":
        os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
    else:
        os.environ.pop("TF_ENABLE_ONEDNN_OPTS", None)
    args.arch = args.arch or {"mnist": "mnist_cnn", "cifar10": "cifar_cnn"}[args.dataset]
    ds = data.load(args.dataset)
    args.n = min(args.n, len(ds.x_train))
    print(f"data: {ds.source}", file=sys.stderr)
    base, eng, base_cpu, eng_cpu, device = [], [], [], [], ""
    for r in range(args.rounds):
        b, bc = baseline(ds, args)
        e, ec, device = engine(ds.path, args)
        base.append(b)
        eng.append(e)
        base_cpu.append(bc)
        eng_cpu.append(ec)
        print(f"round {r + 1}: model.fit {b:,.0f} img/s ({bc:,.0f} per CPU-s), "
              f"engine {e:,.0f} img/s ({ec:,.0f} per CPU-s)", file=sys.stderr)
    ratio = max(eng) / max(base)
    ratio_cpu = statistics.median(eng_cpu) / statistics.median(base_cpu)
    spread = max((max(v) - min(v)) / max(v) for v in (base, eng))
    noisy = args.rounds > 1 and spread > 0.15
    judged = ratio_cpu if noisy else ratio
    out = {"arch": args.arch, "dataset": args.dataset, "n": args.n, "epochs": args.epochs,
           "onednn": args.onednn, "TF_ENABLE_ONEDNN_OPTS": os.environ.get("TF_ENABLE_ONEDNN_OPTS"),
           "batch_size": args.batch_size, "device": device, "fit_images_per_s": base,
           "engine_images_per_s": eng, "fit_images_per_cpu_s": base_cpu,
           "engine_images_per_cpu_s": eng_cpu, "ratio_best_wall": ratio,
           "ratio_median_cpu": ratio_cpu, "wall_spread": spread, "judged_by":
           "cpu" if noisy else "wall", "ratio": judged, "target": TARGET}
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        print(f"{args.arch} on {args.dataset}, {args.n:,} images x {args.epochs} epochs, "
              f"batch {args.batch_size}, oneDNN {args.onednn}, {device}")
        print(f"  bare model.fit : best {max(base):8,.0f} img/s   (rounds: "
              f"{', '.join(f'{b:,.0f}' for b in base)})")
        print(f"  cnnweb engine  : best {max(eng):8,.0f} img/s   (rounds: "
              f"{', '.join(f'{e:,.0f}' for e in eng)})")
        print(f"  ratio engine / fit: wall-clock (best rounds) {ratio:.3f}, "
              f"per CPU-second (median) {ratio_cpu:.3f}")
        if noisy:
            print(f"  wall-clock rounds spread by {100 * spread:.0f}%: the machine is busy, "
                  f"judging by the CPU ratio")
        print(f"  => {judged:.3f} (target >= {TARGET}: {'met' if judged >= TARGET else 'MISSED'})")
    return 0 if judged >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
