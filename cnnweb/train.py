"""The training engine: one run of `python -m cnnweb train ...`, in its own process.

  config -> wait for the queue -> load data -> build the zoo model -> tf.data pipeline -> fit
  (progress and per-epoch metrics to metrics.jsonl, stop file and divergence checked every
  batch) -> evaluate on the TEST split -> confusion matrix, misclassified examples -> store.

Everything the app shows is read from the run folder (see jobs.py); this module never imports
streamlit, and imports TensorFlow only inside run().
"""

from __future__ import annotations

import math
import os
import platform
import shlex
import signal
import sys
import threading
import time
import traceback
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np

from cnnweb import data, jobs

PROGRESS_EVERY_S = 0.5     # metrics.jsonl progress lines (the page polls every second)
PRINT_EVERY_S = 5.0        # progress lines on stdout / log.txt
N_MISCLASSIFIED = 48       # most confident mistakes kept for the page's grid


class Diverged(Exception):
    pass


@dataclass
class TrainConfig:
    arch: str
    dataset: str
    epochs: int = 5
    batch_size: int = 64
    lr: float = 1e-3
    optimizer: str = "adam"
    dropout: float | None = None
    augment: bool = False
    early_stopping: int = 0
    val_split: float = 0.1
    limit: int | None = None
    name: str | None = None
    schedule: str = "constant"
    weight_decay: float = 0.0
    label_smoothing: float = 0.0
    seed: int = 0
    mixed_precision: bool = False
    data_path: str | None = None

    def check(self) -> None:
        """ValueError with a sentence for any bad value (the CLI turns it into exit code 2)."""
        data.info(self.dataset)
        rules = [
            (self.epochs >= 1, f"--epochs must be at least 1, got {self.epochs}"),
            (self.epochs <= 1000, f"--epochs must be at most 1000, got {self.epochs}"),
            (self.batch_size >= 1, f"--batch-size must be at least 1, got {self.batch_size}"),
            (math.isfinite(self.lr) and 0 < self.lr <= 10,
             f"--lr must be in (0, 10], got {self.lr}"),
            (self.optimizer in ("adam", "sgd"), "--optimizer must be adam or sgd"),
            (self.dropout is None or 0 <= self.dropout < 1,
             f"--dropout must be in [0, 1), got {self.dropout}"),
            (self.early_stopping >= 0, "--early-stopping must be 0 (off) or a patience >= 1"),
            (0 <= self.val_split < 1, f"--val-split must be in [0, 1), got {self.val_split}"),
            (self.limit is None or self.limit >= 1, "--limit must be at least 1"),
            (self.schedule in ("constant", "cosine"), "--schedule must be constant or cosine"),
            (self.weight_decay >= 0, f"--weight-decay must be >= 0, got {self.weight_decay}"),
            (0 <= self.label_smoothing < 1,
             f"--label-smoothing must be in [0, 1), got {self.label_smoothing}"),
            (not (self.early_stopping and self.val_split == 0),
             "--early-stopping needs validation data: set --val-split above 0"),
            (0 <= self.seed < 2**32, f"--seed must be in [0, 2**32), got {self.seed}"),
            (not self.limit or validation_count(self.limit, self.val_split) < self.limit,
             f"--val-split {self.val_split} of --limit {self.limit} images leaves none to train on"),
        ]
        for ok, msg in rules:
            if not ok:
                raise ValueError(msg)

    def hyperparams(self) -> dict:
        return {k: v for k, v in asdict(self).items()
                if k not in ("arch", "dataset", "name", "data_path")}

    def argv(self) -> list[str]:
        """The command-line flags that reproduce this run (without --name / --run-dir)."""
        out = ["--arch", self.arch, "--dataset", self.dataset]
        defaults = TrainConfig(self.arch, self.dataset)
        for f in fields(self):
            if f.name in ("arch", "dataset", "name"):
                continue
            v = getattr(self, f.name)
            flag = "--" + f.name.replace("_", "-")
            if isinstance(v, bool):
                if v:
                    out.append(flag)
            elif v is not None and (f.name in ("epochs", "batch_size", "lr", "seed")
                                    or v != getattr(defaults, f.name)):
                out += [flag, repr(v) if isinstance(v, float) else str(v)]
        return out

    def command(self) -> str:
        return shlex.join(["python", "-m", "cnnweb", "train", *self.argv()])


# Presets that reproduce the seeds. Differences from the seeds, on purpose: 10% of the training
# images are held out for validation (seed 002 validated on the test set, which flatters it),
# and test accuracy is measured once, at the end, on the untouched test split.
def _preset(arch: str, dataset: str, epochs: int, note: str, lr: float = 1e-3,
            dropout: float = 0.0, **extra) -> dict:
    """Adam, batch 32 (Keras' default, which the seeds used), no augmentation unless said."""
    return {"arch": arch, "dataset": dataset, "epochs": epochs, "batch_size": 32, "lr": lr,
            "optimizer": "adam", "dropout": dropout, "augment": False, "early_stopping": 0,
            **extra, "seed_result": note}


PRESETS: dict[str, dict] = {
    "Seed 001: MNIST CNN, 5 epochs": _preset(
        "mnist_cnn", "mnist", 5, "seed 001: 99.01% test accuracy after 5 epochs"),
    "Seed 002: CIFAR CNN, 10 epochs (overfits)": _preset(
        "cifar_cnn", "cifar10", 10,
        "seed 002: 71.17% test accuracy; validation loss turns up after epoch 7"),
    "Seed 002 remedy: Dropout 0.4, 15 epochs": _preset(
        "cifar_cnn", "cifar10", 15,
        "seed 002 with Dropout(0.4): 73.29% test accuracy, the gap closes", dropout=0.4),
    "Seed 004: BN + LeakyReLU CNN, 10 epochs": _preset(
        "bn_leaky_cnn", "cifar10", 10, "seed 004: 73.79% test accuracy", lr=5e-4, dropout=0.5),
    "Overfitting in one minute: CIFAR CNN on 2,000 images": _preset(
        "cifar_cnn", "cifar10", 15,
        "a small training set and no dropout: the train/validation gap opens within minutes",
        limit=2000, val_split=0.2),
}


class BadConfig(ValueError):
    """A setting that only turned out wrong inside the run (e.g. an input too small for the net)."""


def check_arch_and_name(cfg: TrainConfig) -> None:
    """ValueError for an unknown architecture, a hyperparameter it lacks, or a bad/taken name."""
    from cnnweb import store, zoo

    if cfg.arch not in zoo.names():
        raise ValueError(f"unknown architecture {cfg.arch!r}; choose one of {', '.join(zoo.names())}")
    if cfg.dropout is not None and "dropout" not in zoo.info(cfg.arch)["hyperparams"]:
        raise ValueError(f"{cfg.arch} has no dropout layer, so --dropout cannot be set")
    if cfg.name is not None:
        store.check_name(cfg.name)
        if any(m.name == cfg.name for m in store.list_models()):
            raise ValueError(f"a model named {cfg.name!r} already exists; choose another --name")
    # found out now, not after an hour of training: both folders must take new files
    for what, folder in (("model store", store.paths.models_dir()),
                         ("runs folder", store.paths.runs_dir())):
        problem = store.folder_problem(folder)
        if problem:
            raise ValueError(f"the {what} {folder} cannot be written ({problem}), so the run "
                             f"could not save its results")


# ------------------------------------------------------------------ helpers (pure numpy)

def validation_count(n: int, frac: float) -> int:
    """How many of n images split_validation holds out: round(n * frac), at least 1 if frac > 0."""
    n_val = round(n * frac)
    return 1 if frac > 0 and n_val == 0 else n_val


def split_validation(x, y, frac: float, seed: int):
    """Seeded shuffle, then the last `frac` becomes validation. Returns (x_tr, y_tr, x_val, y_val)."""
    n_val = validation_count(len(x), frac)
    if n_val >= len(x):
        raise ValueError(f"--val-split {frac} leaves no training images out of {len(x)}")
    order = np.random.default_rng(seed).permutation(len(x))
    tr, va = order[: len(x) - n_val], order[len(x) - n_val:]
    return x[tr], y[tr], x[va], y[va]


def confusion_matrix(y_true, y_pred, n_classes: int) -> np.ndarray:
    """cm[i, j] = number of test images of true class i predicted as class j."""
    idx = np.asarray(y_true, np.int64) * n_classes + np.asarray(y_pred, np.int64)
    return np.bincount(idx, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def test_metrics(probs: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(accuracy, cross-entropy loss) of softmax outputs against integer labels."""
    p_true = np.clip(probs[np.arange(len(y)), y.astype(np.int64)], 1e-7, 1.0)
    return float(np.mean(probs.argmax(1) == y)), float(np.mean(-np.log(p_true)))


def explode_threshold(n_classes: int) -> float:
    """Mean cross-entropy this far above a uniform guess (ln C) means training has blown up."""
    return 4.0 * math.log(n_classes)


# ------------------------------------------------------------------ TensorFlow parts

def setup_device(mixed_precision: bool, log):
    """Memory growth on GPUs, MirroredStrategy for several; returns (strategy, label, mp_on)."""
    import keras
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    for g in gpus:
        try:
            tf.config.experimental.set_memory_growth(g, True)
        except (RuntimeError, ValueError):
            pass
    if len(gpus) > 1:
        strategy = tf.distribute.MirroredStrategy()
    else:
        strategy = tf.distribute.get_strategy()
    if gpus:
        names = []
        for g in gpus:
            try:
                names.append(tf.config.experimental.get_device_details(g).get("device_name", g.name))
            except (RuntimeError, ValueError):
                names.append(g.name)
        label = f"GPU: {', '.join(names)}" + (" (MirroredStrategy)" if len(gpus) > 1 else "")
    else:
        label = f"CPU only ({os.cpu_count()} cores, {platform.machine()}); no GPU found"
    mp_on = False
    if mixed_precision:
        if gpus:
            keras.mixed_precision.set_global_policy("mixed_float16")
            mp_on = True
            label += ", mixed precision float16"
        else:
            log("mixed precision needs a GPU; training in float32 on the CPU")
    return strategy, label, mp_on


def make_pipeline(x, y, batch_size: int, *, shuffle: bool, augment: bool, flip: bool,
                  seed: int, one_hot: int | None = None):
    """tf.data: (shuffled) index batches -> gather images -> (augment) -> prefetch.

    Gathering whole batches by index keeps the input cheap next to the model, even for 50,000
    CIFAR images held in memory; augmentation runs as Keras preprocessing layers on batches.
    """
    import keras
    import tensorflow as tf

    n = len(x)
    xt, yt = tf.constant(x), tf.constant(y)
    ds = tf.data.Dataset.range(n)
    if shuffle:
        ds = ds.shuffle(n, seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)

    def gather(i):
        xb = tf.cast(tf.gather(xt, i), tf.float32)   # (B, H, W, C) raw 0..255
        yb = tf.gather(yt, i)
        if one_hot:
            yb = tf.one_hot(tf.cast(yb, tf.int32), one_hot)
        return xb, yb

    ds = ds.map(gather, num_parallel_calls=tf.data.AUTOTUNE)
    if augment:
        aug = []
        if flip:
            aug.append(keras.layers.RandomFlip("horizontal", seed=seed))
        aug.append(keras.layers.RandomTranslation(0.1, 0.1, fill_mode="constant", seed=seed + 1))
        pipe = keras.Sequential(aug)
        ds = ds.map(lambda a, b: (pipe(a, training=True), b), num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def build_model(cfg: TrainConfig, input_shape, n_classes: int, mp_on: bool):
    import keras

    from cnnweb import zoo

    hp = {} if cfg.dropout is None else {"dropout": cfg.dropout}
    model = zoo.build(cfg.arch, input_shape=tuple(input_shape), num_classes=n_classes, **hp)
    if mp_on and model.output.dtype != "float32":  # softmax in float32 for stable losses
        out = keras.layers.Activation("linear", dtype="float32", name="float32_output")(model.output)
        model = keras.Model(model.inputs, out, name=model.name)
    return model


def make_optimizer(cfg: TrainConfig, steps_per_epoch: int):
    import keras

    lr = cfg.lr
    if cfg.schedule == "cosine":
        lr = keras.optimizers.schedules.CosineDecay(cfg.lr, decay_steps=cfg.epochs * steps_per_epoch)
    if cfg.optimizer == "adam":
        if cfg.weight_decay > 0:
            return keras.optimizers.AdamW(learning_rate=lr, weight_decay=cfg.weight_decay)
        return keras.optimizers.Adam(learning_rate=lr)
    return keras.optimizers.SGD(learning_rate=lr, momentum=0.9,
                                weight_decay=cfg.weight_decay or None)


def _monitor_class():
    import keras

    class RunMonitor(keras.callbacks.Callback):
        """Writes progress/epoch lines, honours the stop file, stops on divergence.

        async_safe: Keras runs the batch hook in a worker thread, so the training loop never
        waits for it (reading the loss would otherwise sync every step, which costs on a GPU).
        A lock keeps the hooks in order; a stop or divergence is honoured within a batch or two.
        """

        async_safe = True

        def __init__(self, run_dir: Path, n_train: int, batch_size: int, epochs: int,
                     n_classes: int, log):
            super().__init__()
            self.run_dir, self.n_train, self.bs, self.epochs = run_dir, n_train, batch_size, epochs
            self.steps = math.ceil(n_train / batch_size)
            self.metrics_path = run_dir / "metrics.jsonl"
            self.stop_path = run_dir / "stop"
            self.threshold = explode_threshold(n_classes)
            self.log = log
            self.stopped = False
            self.diverged: tuple[int, int] | None = None
            self.history: list[dict] = []
            self.train_seconds: list[float] = []
            self.lock = threading.Lock()

        def on_train_begin(self, logs=None):
            self.t_start = time.time()

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
                    self._batch_end(batch, logs or {})

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
                jobs.append_jsonl(self.metrics_path, {
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
            if self.diverged:
                return
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
            jobs.append_jsonl(self.metrics_path, row)
            jobs.set_status(self.run_dir, epoch=epoch + 1)
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

    return RunMonitor


# ------------------------------------------------------------------ one run

class _Logger:
    def __init__(self, run_dir: Path, echo: bool):
        self.path, self.echo = run_dir / "log.txt", echo

    def __call__(self, msg: str) -> None:
        line = f"[{time.strftime('%H:%M:%S')}] {msg}"
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(line + "\n")
        if self.echo:
            print(line, flush=True)


def prepare_run_dir(cfg: TrainConfig, run_dir: str | os.PathLike | None) -> Path:
    if run_dir is None:
        d = jobs.create_run_dir(cfg.arch, cfg.dataset)
    else:
        d = Path(run_dir).expanduser().resolve()
        old_state = (jobs.read_json(d / "status.json", {}) or {}).get("state")
        if old_state in jobs.FINAL:
            raise ValueError(f"{d} already holds a {old_state} run; give a new --run-dir")
        d.mkdir(parents=True, exist_ok=True)
    old = jobs.read_json(d / "config.json", {}) or {}
    jobs.write_json(d / "config.json", {
        "run_id": d.name, "arch": cfg.arch, "dataset": cfg.dataset,
        "created": old.get("created", time.time()), "name": cfg.name,
        "config": asdict(cfg), "hyperparams": cfg.hyperparams(), "command": cfg.command(),
        "argv": old.get("argv", cfg.argv()), "python": sys.version.split()[0]})
    return d


def run(cfg: TrainConfig, run_dir: Path, echo: bool = True) -> int:
    """Train one run in this process. Returns the exit code: 0 finished or stopped, 1 failed."""
    log = _Logger(run_dir, echo)
    nice = os.environ.get("CNNWEB_TRAIN_NICE")
    if nice and nice.isdigit():
        os.nice(int(nice))
    jobs.set_status(run_dir, state="queued", reason="", **jobs.process_identity(),
                    epochs=cfg.epochs, epoch=0)
    # SIGTERM (e.g. `kill`) becomes a polite stop: the model so far is still saved
    main = threading.current_thread() is threading.main_thread()
    old = (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT))
    if main:
        signal.signal(signal.SIGTERM, lambda *_: (run_dir / "stop").touch())

        def on_ctrl_c(*_):
            if (run_dir / "stop").exists():
                raise KeyboardInterrupt
            (run_dir / "stop").touch()
            log("Ctrl-C: stopping after this batch and saving the model (Ctrl-C again to abort)")
        signal.signal(signal.SIGINT, on_ctrl_c)
    try:
        return _run_in_turn(cfg, run_dir, log)
    finally:
        if main:
            signal.signal(signal.SIGTERM, old[0])
            signal.signal(signal.SIGINT, old[1])


def _run_in_turn(cfg: TrainConfig, run_dir: Path, log) -> int:
    try:
        with jobs.queue_turn(run_dir, on_wait=lambda ahead: (
                log(f"queued behind {', '.join(ahead)}"),
                jobs.set_status(run_dir, reason=f"waiting for {', '.join(ahead)}"))) as turn:
            if not turn:
                log("stopped before it started")
                jobs.set_status(run_dir, state="stopped", reason="stopped before it started",
                                ended=time.time())
                return 0
            return _train(cfg, run_dir, log)
    except KeyboardInterrupt:
        log("aborted by Ctrl-C; nothing saved")
        jobs.set_status(run_dir, state="failed", reason="aborted by Ctrl-C", ended=time.time())
        return 130
    except Exception as e:  # noqa: BLE001 - the run must end with a reason, not a traceback
        with open(run_dir / "log.txt", "a", encoding="utf-8") as f:
            traceback.print_exc(file=f)
        reason = f"{type(e).__name__}: {e}".splitlines()[0][:500]
        if isinstance(e, MemoryError) or "OOM" in reason or "out of memory" in reason.lower():
            reason += " (out of memory: try a smaller --batch-size or model)"
        log(f"failed: {reason}")
        jobs.set_status(run_dir, state="failed", reason=reason, ended=time.time())
        return 2 if isinstance(e, BadConfig) else 1


def _train(cfg: TrainConfig, run_dir: Path, log) -> int:
    t0 = time.time()
    jobs.set_status(run_dir, state="running", reason="loading data", started=t0)
    ds = data.load(cfg.dataset, path=cfg.data_path)
    log(f"data: {ds.source}")
    x_all, y_all = ds.x_train, ds.y_train
    if cfg.limit:
        x_all, y_all = x_all[: cfg.limit], y_all[: cfg.limit]
    x_tr, y_tr, x_val, y_val = split_validation(x_all, y_all, cfg.val_split, cfg.seed)
    n_classes = len(ds.class_names)

    jobs.set_status(run_dir, reason="building the model")
    import keras

    strategy, device, mp_on = setup_device(cfg.mixed_precision, log)
    keras.utils.set_random_seed(cfg.seed)
    log(f"device: {device}")
    one_hot = n_classes if cfg.label_smoothing > 0 else None
    steps = math.ceil(len(x_tr) / cfg.batch_size)
    with strategy.scope():
        try:
            model = build_model(cfg, ds.input_shape, n_classes, mp_on)
        except ValueError as e:
            raise BadConfig(str(e)) from None
        if one_hot:
            loss = keras.losses.CategoricalCrossentropy(label_smoothing=cfg.label_smoothing)
            acc = keras.metrics.CategoricalAccuracy(name="accuracy")
        else:
            loss = keras.losses.SparseCategoricalCrossentropy()
            acc = keras.metrics.SparseCategoricalAccuracy(name="accuracy")
        model.compile(optimizer=make_optimizer(cfg, steps), loss=loss, metrics=[acc])
    has_bn = any(type(layer).__name__ == "BatchNormalization" for layer in model.layers)
    flip = cfg.dataset == "cifar10"
    train_ds = make_pipeline(x_tr, y_tr, cfg.batch_size, shuffle=True, augment=cfg.augment,
                             flip=flip, seed=cfg.seed, one_hot=one_hot)
    val_ds = (make_pipeline(x_val, y_val, max(cfg.batch_size, 256), shuffle=False, augment=False,
                            flip=False, seed=cfg.seed, one_hot=one_hot) if len(x_val) else None)
    monitor = _monitor_class()(run_dir, len(x_tr), cfg.batch_size, cfg.epochs, n_classes, log)
    callbacks = [monitor]
    if cfg.early_stopping:
        callbacks.append(keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=cfg.early_stopping, restore_best_weights=True))
    log(f"training {cfg.arch} on {len(x_tr):,} images, validating on {len(x_val):,}, "
        f"{cfg.epochs} epochs of {steps} batches; {model.count_params():,} parameters")
    jobs.set_status(run_dir, reason="", device=device, n_train=len(x_tr), n_val=len(x_val),
                    data_source=ds.source, data_is_sample=ds.is_sample, steps=steps,
                    has_batchnorm=has_bn)
    model.fit(train_ds, validation_data=val_ds, epochs=cfg.epochs, callbacks=callbacks, verbose=0,
              shuffle=False)  # the pipeline shuffles

    if monitor.diverged:
        e, b = monitor.diverged
        reason = (f"diverged at epoch {e} batch {b} (the loss became NaN or exploded); "
                  f"lower the learning rate (now {cfg.lr:g})")
        log(reason)
        jobs.set_status(run_dir, state="failed", reason=reason, diverged={"epoch": e, "batch": b},
                        ended=time.time())
        return 1
    if not monitor.history:
        reason = "stopped before the first batch finished; nothing to save"
        jobs.set_status(run_dir, state="stopped", reason=reason, ended=time.time())
        log(reason)
        return 0

    jobs.set_status(run_dir, reason="evaluating on the test set")
    test_ds = make_pipeline(ds.x_test, ds.y_test, 512, shuffle=False, augment=False, flip=False,
                            seed=cfg.seed)
    probs = model.predict(test_ds.map(lambda x, y: x), verbose=0).astype(np.float32)
    test_acc, test_loss = test_metrics(probs, ds.y_test)
    pred = probs.argmax(1)
    cm = confusion_matrix(ds.y_test, pred, n_classes)
    log(f"test accuracy {test_acc:.4f}, test loss {test_loss:.4f} on {len(ds.y_test):,} images")
    _save_misclassified(run_dir, ds, pred, probs)

    if mp_on:  # save a plain float32 copy so the model runs anywhere
        keras.mixed_precision.set_global_policy("float32")
        plain = build_model(cfg, ds.input_shape, n_classes, False)
        plain.set_weights(model.get_weights())
        model = plain

    stopped = monitor.stopped
    es = next((c for c in callbacks if isinstance(c, keras.callbacks.EarlyStopping)), None)
    hist = {k: [h[k] for h in monitor.history]
            for k in ("loss", "accuracy", "val_loss", "val_accuracy", "lr")}
    ips = monitor.images_per_s()
    from cnnweb import diagnose
    verdict = diagnose.diagnose(monitor.history, hyperparams=cfg.hyperparams(),
                                n_train=len(x_tr), is_sample=ds.is_sample, has_batchnorm=has_bn,
                                n_classes=n_classes)
    meta = {
        "name": cfg.name or run_dir.name, "arch": cfg.arch, "dataset": cfg.dataset,
        "class_names": ds.class_names, "input_shape": list(ds.input_shape),
        "preprocessing": ds.info.preprocessing, "hyperparams": cfg.hyperparams(),
        "test_accuracy": test_acc, "test_loss": test_loss, "history": hist,
        "confusion_matrix": cm.tolist(), "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "run_id": run_dir.name, "command": cfg.command(), "data_source": ds.source,
        "data_is_sample": ds.is_sample, "n_train": len(x_tr), "n_val": len(x_val),
        "n_test": len(ds.y_test), "device": device, "images_per_s": ips,
        "epochs_completed": len(monitor.history), "stopped_early": bool(stopped) or bool(
            es and es.stopped_epoch), "best_epoch": verdict.get("best_epoch"),
        "diagnosis": verdict.get("summary"), "train_seconds": time.time() - t0,
        "params": int(model.count_params()),
    }
    jobs.set_status(run_dir, reason="saving the model")
    path, save_problem = _save(model, meta, run_dir, log)
    if path is None:
        jobs.set_status(run_dir, state="failed", reason=save_problem, ended=time.time(),
                        test_accuracy=test_acc)
        return 1
    result = {**{k: meta[k] for k in ("name", "test_accuracy", "test_loss", "confusion_matrix",
                                      "class_names", "device", "images_per_s", "data_source",
                                      "data_is_sample", "epochs_completed", "best_epoch",
                                      "train_seconds", "params", "command")},
              "model_path": str(path)}
    jobs.write_json(run_dir / "result.json", result)
    state = "stopped" if stopped else "finished"
    done = sum(not h["partial"] for h in monitor.history)
    part = (f" and part of epoch {done + 1}"
            if monitor.history and monitor.history[-1]["partial"] else "")
    reason = f"stopped by request after {done} full epoch(s){part}; model saved" if stopped else ""
    if save_problem:   # trained and kept, but not where it was meant to go: say so
        state, reason = "failed", save_problem
    jobs.set_status(run_dir, state=state, reason=reason, ended=time.time(),
                    test_accuracy=test_acc, model_name=meta["name"], images_per_s=ips)
    log(f"{state}: model saved as {meta['name']} ({path})")
    return 1 if save_problem else 0


def _save(model, meta: dict, run_dir: Path, log) -> tuple[Path | None, str]:
    """Put the trained model in the store without ever losing it: (path, problem).

    A name that another run took while this one trained (two starts with the same name) gets
    the run id's suffix, and the reason says so. A store that cannot be written (read-only,
    full) leaves the model in the run folder, with a reason that says where; problem is ""
    when it went as planned. (None, reason) only when not even the run folder could take it.
    """
    from cnnweb import store

    name = meta["name"]
    try:
        return store.save_model(model, name, meta), ""
    except ValueError:     # taken since the run started: keep both, under a new name
        if not any(m.name == name for m in store.list_models()):
            raise
        meta["name"] = store.check_name(f"{name[:store.MAX_NAME - 7]}-{run_dir.name[-6:]}")
        log(f"a model named {name!r} appeared while this run trained; saving as {meta['name']!r}")
        return store.save_model(model, meta["name"], meta), ""
    except OSError as e:
        why = f"{e.strerror or e}"
        log(f"could not save into the model store {store.paths.models_dir()}: {why}")
    try:
        kept = store.save_model_to(model, run_dir, "model", meta)
    except OSError as e:
        return None, (f"trained, but the model could not be saved anywhere: {e.strerror or e} "
                      f"(model store {store.paths.models_dir()}); the metrics and log are kept")
    return kept, (f"trained, but the model store {store.paths.models_dir()} could not take the "
                  f"model ({why}); it was kept in the run folder as {kept}: copy {kept.name} and "
                  f"{kept.with_suffix('.json').name} into the store as {name}.keras/.json")


def _save_misclassified(run_dir: Path, ds, pred: np.ndarray, probs: np.ndarray) -> None:
    wrong = np.flatnonzero(pred != ds.y_test)
    conf = probs[wrong, pred[wrong]]
    pick = wrong[np.argsort(-conf)[:N_MISCLASSIFIED]]
    np.savez_compressed(run_dir / "misclassified.npz", index=pick, x=ds.x_test[pick],
                        true=ds.y_test[pick], pred=pred[pick],
                        confidence=probs[pick, pred[pick]].astype(np.float32))


def load_misclassified(run_dir: Path) -> dict | None:
    p = Path(run_dir) / "misclassified.npz"
    if not p.exists():
        return None
    with np.load(p, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}
