"""The Keras callback of a training run: its eyes and ears inside model.fit.

Every PROGRESS_EVERY_S (and at each epoch's end) it appends a line to the run's metrics.jsonl;
every batch it checks the stop file and the loss (NaN, or far above a uniform guess, ends the
run as diverged). Imported only by train.py's run, after TensorFlow.
"""

from __future__ import annotations

import math
import os
import threading
import time
from pathlib import Path

import keras
import numpy as np

from cnnweb import runs

PROGRESS_EVERY_S = 0.5     # metrics.jsonl progress lines (the page polls every second)
PRINT_EVERY_S = 5.0        # progress lines on stdout / log.txt


class RunMonitor(keras.callbacks.Callback):
    """Writes progress/epoch lines, honours the stop file, stops on divergence or when the
    run folder cannot take its lines (write_error: a full or read-only disk).

    async_safe: Keras runs the batch hook in a worker thread, so the training loop never
    waits for it (reading the loss would otherwise sync every step, which costs on a GPU).
    A lock keeps the hooks in order; a stop or divergence is honoured within a batch or two.
    """

    async_safe = True

    def __init__(self, run_dir: Path, n_train: int, batch_size: int, epochs: int,
                 threshold: float, log):
        super().__init__()
        self.run_dir, self.n_train, self.bs, self.epochs = run_dir, n_train, batch_size, epochs
        self.steps = math.ceil(n_train / batch_size)
        self.stop_path = run_dir / runs.STOP
        self.threshold = threshold
        self.log = log
        self.stopped = False
        self.diverged: tuple[int, int] | None = None
        self.write_error: OSError | None = None
        self.history: list[dict] = []
        self.train_seconds: list[float] = []
        self.lock = threading.Lock()

    def on_train_begin(self, logs=None):
        self.t_start = time.time()

    def first_point(self, model, x, y, loss_fn) -> None:
        """Batch 0 of epoch 1: the untrained model's loss and accuracy on a few training
        images (x: float32 as the pipeline gives them; y: labels, or one-hot rows; loss_fn: the compiled loss), written
        before Keras traces its training step, which takes a second or two on a CPU, so the
        page draws the curve's first point that much sooner. Eager and in inference mode:
        no weight, metric or random state is touched."""
        import numpy as np

        pred = np.asarray(model(x, training=False), dtype=np.float64)
        loss = float(np.mean(np.asarray(loss_fn(y, pred))))
        labels = np.argmax(y, -1) if np.ndim(y) > 1 else np.asarray(y).reshape(-1)
        now = time.time()
        self._guarded(runs.append_metric, self.run_dir, {
            "type": "progress", "epoch": 1, "epochs": self.epochs, "batch": 0,
            "batches": self.steps, "loss": loss,
            "accuracy": float(np.mean(np.argmax(pred, -1) == labels)),
            "images_per_s": None, "elapsed": 0.0, "time": now})

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
        self.t_epoch = time.time()
        self.t_last_batch = self.t_epoch
        self.c_epoch = self.c_last_batch = time.process_time()  # CPU seconds, all threads
        self.last_write = 0.0
        self.last_print = time.time()
        self.seen = 0
        self.last_batch = -1

    def on_train_batch_end(self, batch, logs=None):
        with self.lock:
            if batch > self.last_batch:      # hooks may arrive out of order from threads
                self.last_batch = batch
                self._guarded(self._batch_end, batch, logs or {})

    def _guarded(self, hook, *args):
        """A write that fails (disk full, read-only) ends training; the run says why."""
        try:
            hook(*args)
        except OSError as e:
            self.write_error = self.write_error or e
            self.model.stop_training = True

    def _batch_end(self, batch, logs):
        now = time.time()
        self.t_last_batch = now
        self.c_last_batch = time.process_time()
        self.seen = min((batch + 1) * self.bs, self.n_train)
        loss = float(logs.get("loss", float("nan")))
        if not math.isfinite(loss) or loss > self.threshold:
            self.diverged = (self.epoch + 1, batch + 1)
            self.model.stop_training = True
            return
        if os.path.exists(self.stop_path):
            self.stopped = True
            self.model.stop_training = True
        if now - self.last_write >= PROGRESS_EVERY_S or batch + 1 == self.steps:
            self.last_write = now
            elapsed = now - self.t_epoch
            runs.append_metric(self.run_dir, {
                "type": "progress", "epoch": self.epoch + 1, "epochs": self.epochs,
                "batch": batch + 1, "batches": self.steps, "loss": loss,
                "accuracy": float(logs.get("accuracy", float("nan"))),
                "images_per_s": self.seen / elapsed if elapsed > 0 else None,
                "elapsed": now - self.t_start, "time": now})
        if now - self.last_print >= PRINT_EVERY_S:
            self.last_print = now
            self.log(f"epoch {self.epoch + 1}/{self.epochs} batch {batch + 1}/{self.steps} "
                     f"loss {loss:.4f} acc {logs.get('accuracy', float('nan')):.4f}")

    def on_epoch_end(self, epoch, logs=None):
        if not self.diverged and not self.write_error:
            self._guarded(self._epoch_end, epoch, logs)

    def _epoch_end(self, epoch, logs):
        logs = dict(logs or {})
        secs = max(self.t_last_batch - self.t_epoch, 1e-9)
        self.train_seconds.append(secs)
        opt = self.model.optimizer
        try:
            lr = float(opt.learning_rate.numpy() if hasattr(opt.learning_rate, "numpy")
                       else opt.learning_rate)
        except (TypeError, ValueError, AttributeError):
            lr = None
        row = {"type": "epoch", "epoch": epoch + 1, "epochs": self.epochs,
               "loss": logs.get("loss"), "accuracy": logs.get("accuracy"),
               "val_loss": logs.get("val_loss"), "val_accuracy": logs.get("val_accuracy"),
               "lr": lr, "images": self.seen, "partial": self.seen < self.n_train,
               "fraction": self.seen / self.n_train,
               "train_seconds": secs, "images_per_s": self.seen / secs,
               "cpu_seconds": self.c_last_batch - self.c_epoch,
               "elapsed": time.time() - self.t_start, "time": time.time()}
        row = {k: (float(v) if isinstance(v, (np.floating, np.integer)) else v)
               for k, v in row.items()}
        self.history.append(row)
        runs.append_metric(self.run_dir, row)
        runs.report(self.run_dir, epoch=epoch + 1)
        val = (f" val_loss {row['val_loss']:.4f} val_acc {row['val_accuracy']:.4f}"
               if row["val_loss"] is not None else "")
        self.log(f"epoch {epoch + 1}/{self.epochs} loss {row['loss']:.4f} "
                 f"acc {row['accuracy']:.4f}{val} {row['images_per_s']:.0f} img/s "
                 f"{secs:.1f}s" + (" (stopped mid-epoch)" if row["partial"] else ""))

    def images_per_s(self) -> float | None:
        """Steady-state throughput: full epochs after the first (which includes tracing)."""
        full = [(h["images"], h["train_seconds"]) for h in self.history if not h["partial"]]
        use = full[1:] or full or [(h["images"], h["train_seconds"]) for h in self.history]
        if not use:
            return None
        return sum(i for i, _ in use) / sum(s for _, s in use)
