"""The training engine: one run of `python -m cnnweb train ...`, in its own process.

  config -> wait for the queue -> load data -> build the zoo model -> tf.data pipeline -> fit
  (progress and per-epoch metrics to metrics.jsonl, stop file and divergence checked every
  batch: cnnweb.monitor) -> evaluate on the TEST split -> the model into the store FIRST ->
  result.json, misclassified examples. Any write error (a full disk) ends the run "failed:
  disk full", with the model kept if it was saved.

Everything the app shows is read from the run folder (see runs.py); this module never imports
streamlit, and imports TensorFlow only inside run().
"""

from __future__ import annotations

import contextlib
import errno
import logging
import math
import os
import platform
import signal
import sys
import threading
import time
from dataclasses import asdict, fields
from pathlib import Path

import numpy as np

from cnnweb import data, device, jobs, runs
from cnnweb.config import SCHEDULES, TRANSFER, TrainConfig, flag, validation_count  # noqa: F401
from cnnweb.i18n import Msg

FINETUNE_LR_FACTOR = 0.1   # the unfrozen phase learns at this fraction of --lr
PROBE_IMAGES = 64          # the curve's first point, before the first batch (monitor.first_point)
WARMUP = 0.2               # onecycle: the first 20% of the steps warm the learning rate up from 0
N_MISCLASSIFIED = 48       # most confident mistakes kept for the page's grid


# Presets that reproduce the seeds. Differences from the seeds, on purpose: 10% of the training
# images are held out for validation (seed 002 validated on the test set, which flatters it),
# and test accuracy is measured once, at the end, on the untouched test split.
def _preset(arch: str, dataset: str, epochs: int, note: str, lr: float = 1e-3,
            dropout: float = 0.0, **extra) -> dict:
    """Adam, batch 32 (Keras' default, which the seeds used), float32, no augmentation unless
    said."""
    return {"arch": arch, "dataset": dataset, "epochs": epochs, "batch_size": 32, "lr": lr,
            "optimizer": "adam", "dropout": dropout, "augment": False, "early_stopping": 0,
            "mixed_precision": False, **extra, "seed_result": note}


def _fast(arch: str, dataset: str, epochs: int, batch_size: int, lr: float, note: str,
          **extra) -> dict:
    """A fast preset: one-cycle Adam to lr, label smoothing 0.1, mixed precision, no dropout and
    no validation split (every image trains)."""
    return _preset(arch, dataset, epochs, note, lr=lr, batch_size=batch_size,
                   schedule="onecycle", label_smoothing=0.1, val_split=0.0,
                   mixed_precision=True, **extra)


FAST_MNIST = "Fast: tutorial 1's CNN to 99% in one epoch"
FAST_MNIST_NOTE = ("What makes it fast: tutorial 1's own network, one epoch instead of five. Batches "
                   "of 128 instead of 32 do more work per step; the learning rate warms up from 0 to"
                   " 0.01 and falls back to 0 (one-cycle), so the big steps come when they help and "
                   "the last ones settle; label smoothing 0.1 keeps it from growing overconfident; "
                   "no validation split, so every image trains; mixed precision (bfloat16 on a CPU "
                   "with AMX, where it trains twice as fast; float16 on a GPU). About 99.2% "
                   "test accuracy: on a CPU with AMX in under a fifth of tutorial 1's time, "
                   "elsewhere in about a quarter")
FAST_CIFAR = "Fast: CIFAR-10 to 80% in tutorial 2's time"
FAST_CIFAR_NOTE = ("What makes it fast: five 3x3 convolutions with no batch norm (on a CPU batch "
                   "norm cost more than the convolutions), only one of them on the full 32x32 "
                   "maps, pixels centred on zero, mixed precision (bfloat16 on a CPU with AMX, "
                   "float16 on a GPU), batches of 128, a one-cycle learning rate up to 0.006, "
                   "label smoothing 0.1, mirror flips while training and at test time, no "
                   "validation split. About 81% test accuracy after 8 epochs: on a CPU with AMX "
                   "in under tutorial 2's time, elsewhere slower")
QUICK_CIFAR = "Quick: CIFAR-10 to 75% in half tutorial 2's time"
QUICK_CIFAR_NOTE = ("What makes it fast: the fast CIFAR-10 preset for 4 epochs instead of 8. About "
                    "76% test accuracy: on a CPU with AMX in under half of tutorial 2's time, "
                    "elsewhere slower")
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
    # Fast presets (issue 16, benchmarks/fast_presets.py): the note says what makes them fast.
    FAST_MNIST: _fast("mnist_cnn", "mnist", 1, 128, 1e-2, FAST_MNIST_NOTE),
    FAST_CIFAR: _fast("cnnweb_cifar_quick", "cifar10", 8, 128, 6e-3, FAST_CIFAR_NOTE, flip=True,
                      tta=True),
    QUICK_CIFAR: _fast("cnnweb_cifar_quick", "cifar10", 4, 128, 6e-3, QUICK_CIFAR_NOTE, flip=True,
                       tta=True),
}


# Short ids for `python -m cnnweb train --preset ID` (the Trainer lists the titles).
PRESET_IDS: dict[str, str] = dict(zip(
    ("seed001", "seed002", "seed002-dropout", "seed004", "overfit-2000", "mnist-fast",
     "cifar10-fast", "cifar10-quick"),
    PRESETS))


def preset_config(preset_id: str) -> dict:
    """The TrainConfig fields of a preset, by id; ValueError naming the ids for an unknown one."""
    if preset_id not in PRESET_IDS:
        raise ValueError(f"unknown preset {preset_id!r}; choose one of {', '.join(PRESET_IDS)}")
    names = {f.name for f in fields(TrainConfig)}
    return {k: v for k, v in PRESETS[PRESET_IDS[preset_id]].items() if k in names}


class BadConfig(ValueError):
    """A setting that only turned out wrong inside the run (e.g. an input too small for the net)."""


def check_arch_and_name(cfg: TrainConfig, taken_ok: bool = False) -> None:
    """ValueError for an unknown architecture, a hyperparameter it lacks, or a bad/taken name
    (taken_ok: a queued run whose name was free when it was submitted; _save keeps both)."""
    from cnnweb import stack, store, zoo

    if cfg.finetune:
        store.load_meta(cfg.finetune)            # StoreError (a ValueError): no such model
    elif not zoo.trainable(cfg.arch):
        raise ValueError(f"unknown architecture {cfg.arch!r}; choose one of {', '.join(zoo.names())}"
                         f" or stack:<code> from the Explainer")
    elif stack.is_arch(cfg.arch):
        zoo.info(cfg.arch)          # a bad code or a layer Keras cannot train: ValueError
        if cfg.dropout is not None:
            raise ValueError("a stack from the Explainer sets its dropout in the head (e.g. "
                             "--head flatten-d128-p0.5), so --dropout cannot be set")
        known = data.DATASETS.get(cfg.dataset)
        problem = known and zoo.stack_fit_problem(
            cfg.arch, known.input_shape, f"{known.title}'s "
            f"{'x'.join(map(str, known.input_shape))}")
        if problem:
            raise ValueError(problem)
    elif cfg.dropout is not None and "dropout" not in zoo.info(cfg.arch)["hyperparams"]:
        raise ValueError(f"{cfg.arch} has no dropout layer, so --dropout cannot be set")
    if cfg.name is not None:
        store.check_name(cfg.name)
        if not taken_ok and any(m.name == cfg.name for m in store.list_models()):
            raise ValueError(f"a model named {cfg.name!r} already exists; choose another --name")
    # found out now, not after an hour of training: both folders must take new files
    for what, folder in (("model store", store.paths.models_dir()),
                         ("runs folder", store.paths.runs_dir())):
        problem = store.folder_problem(folder)
        if problem:
            raise ValueError(f"the {what} {folder} cannot be written ({problem}), so the run "
                             f"could not save its results")


# ------------------------------------------------------------------ helpers (pure numpy)

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

def setup_device(mixed_precision: bool, log, share: dict | None = None):
    """This run's share of the machine (see jobs.run_share: CPU threads, and on a GPU memory
    growth or a memory limit), MirroredStrategy for several GPUs; (strategy, label, mp_on).
    Called before TensorFlow runs anything: its thread pools are fixed at the first op."""
    import keras
    import tensorflow as tf

    share = share or {}
    if share.get("threads"):
        with contextlib.suppress(RuntimeError, ValueError):
            tf.config.threading.set_intra_op_parallelism_threads(share["threads"])
            tf.config.threading.set_inter_op_parallelism_threads(share["inter_threads"])
    gpus = tf.config.list_physical_devices("GPU")
    for g in gpus:
        try:
            if share.get("gpu_memory_mb"):   # a limit and memory growth exclude each other
                tf.config.set_logical_device_configuration(g, [
                    tf.config.LogicalDeviceConfiguration(memory_limit=share["gpu_memory_mb"])])
            else:
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
        label = Msg("dev.run_gpus" if len(gpus) > 1 else "dev.run_gpu", names=", ".join(names))
    else:
        label = Msg("dev.run_cpu", n=os.cpu_count(), machine=platform.machine())
    if share.get("threads"):
        label = Msg("dev.run_threads", device=label, n=share["threads"])
    if gpus and share.get("gpu_memory_mb"):
        label = Msg("dev.run_gpu_memory", device=label, mb=share["gpu_memory_mb"])
    if share.get("node"):            # trained by a Ray worker (cnnweb.cluster)
        label = Msg("dev.run_ray", device=label, node=share["node"])
    policy = "float32"          # set every time: a Ray worker process trains run after run
    if mixed_precision and gpus:
        policy, label = "mixed_float16", Msg("dev.run_mp", device=label)
    elif mixed_precision and device.cpu_bf16():
        policy, label = "mixed_bfloat16", Msg("dev.run_bf16", device=label)
    elif mixed_precision:
        log("mixed precision needs a GPU or a CPU with bfloat16 (AMX); training in float32")
    keras.mixed_precision.set_global_policy(policy)
    return strategy, label, policy != "float32"


PREFETCH = 2          # batches made ahead of the model (make_pipeline)


def make_pipeline(x, y, batch_size: int, *, shuffle: bool, augment: bool, flip: bool,
                  seed: int, one_hot: int | None = None):
    """tf.data: (shuffled) index batches -> gather images -> (flip, shift) -> prefetch.

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
    if augment or flip:
        aug = []
        if flip:
            aug.append(keras.layers.RandomFlip("horizontal", seed=seed))
        if augment:
            aug.append(keras.layers.RandomTranslation(0.1, 0.1, fill_mode="constant",
                                                      seed=seed + 1))
        pipe = keras.Sequential(aug)
        ds = ds.map(lambda a, b: (pipe(a, training=True), b), num_parallel_calls=tf.data.AUTOTUNE)
    # No tf.data autotuning: its model thread sleeps up to 10 s between tuning rounds, and
    # Keras ends each epoch's iterator, which waits for that thread. On 2 cores that idled up to
    # 10 s at the start of most epochs after the second (cifar10-quick: 71 s -> 52 s for 4
    # epochs). Without it the parallel maps use one call per core and two batches are ready.
    options = tf.data.Options()
    options.autotune.enabled = False
    return ds.prefetch(PREFETCH).with_options(options)


def test_probs(model, test_ds, mirror_too: bool) -> np.ndarray:
    """The model's class probabilities for each (x, y) batch's pictures; with mirror_too, the
    average of each picture's and its left-right mirror image's (test-time augmentation)."""
    import tensorflow as tf

    images = test_ds.map(lambda x, y: x)
    probs = model.predict(images, verbose=0).astype(np.float32)
    if mirror_too:
        mirrored = images.map(lambda x: tf.reverse(x, axis=[2]))
        probs = (probs + model.predict(mirrored, verbose=0).astype(np.float32)) / 2
    return probs


def build_model(cfg: TrainConfig, input_shape, n_classes: int, mp_on: bool):
    from cnnweb import zoo

    if cfg.finetune:
        model = transfer_model(cfg, input_shape, n_classes)[0]
    else:
        hp = {} if cfg.dropout is None else {"dropout": cfg.dropout}
        model = zoo.build(cfg.arch, input_shape=tuple(input_shape), num_classes=n_classes, **hp)
    return float32_output(model, mp_on)


def float32_output(model, mp_on: bool):
    import keras

    if mp_on and model.output.dtype != "float32":  # softmax in float32 for stable losses
        out = keras.layers.Activation("linear", dtype="float32", name="float32_output")(model.output)
        model = keras.Model(model.inputs, out, name=model.name)
    return model


# ------------------------------------------------------------------ transfer learning

def conv_base(model) -> list:
    """The layers of a model's convolutional base, in order: everything after the input up to
    the last layer whose output is still a picture (B, H, W, C), before Flatten / pooling."""
    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    last = max((i for i, layer in enumerate(layers) if len(layer.output.shape) == 4),
               default=None)
    if last is None:
        raise BadConfig(f"{model.name} has no convolutional layers to reuse")
    return layers[: last + 1]


def _is_chain(model, base: list) -> bool:
    prev = model.inputs[0]
    for layer in base:
        if layer.input is not prev:
            return False
        prev = layer.output
    return True


def transfer_model(cfg: TrainConfig, input_shape, n_classes: int):
    """(model, base layers, notes): a stored model's convolutional base, frozen, behind the
    adaptations the data needs (resize, grey <-> colour), and a new head for n_classes
    (global average pooling, optional dropout, Dense + softmax). notes say what was adapted."""
    import keras

    from cnnweb import store

    source = store.load_model(cfg.finetune)
    (sh, sw, sc), (h, w, c) = tuple(source.inputs[0].shape[1:]), tuple(input_shape)
    base, notes = conv_base(source), []
    inp = keras.Input(shape=(h, w, c), name="image")
    x = inp
    if (h, w) != (sh, sw):
        x = keras.layers.Resizing(sh, sw, name="resize_for_base")(x)
        notes.append(f"pictures {h}x{w} resized to {sh}x{sw}, the input of {cfg.finetune}")
    if c == 1 and sc == 3:
        x = keras.layers.Concatenate(name="grey_to_rgb")([x, x, x])
        notes.append(f"grey pictures repeated into 3 channels for {cfg.finetune}'s colour input")
    elif c == 3 and sc == 1:
        grey = keras.layers.Conv2D(1, 1, use_bias=False, trainable=False, name="rgb_to_grey")
        x = grey(x)
        grey.set_weights([np.array([0.299, 0.587, 0.114], np.float32).reshape(1, 1, 3, 1)])
        notes.append(f"colour pictures turned grey (0.299 R + 0.587 G + 0.114 B) for "
                     f"{cfg.finetune}'s grey input")
    elif c != sc:
        raise BadConfig(f"{cfg.finetune} takes {sc} channels; the pictures have {c}")
    if _is_chain(source, base):
        for layer in base:
            x = layer(x)
    else:
        x = keras.Model(source.inputs, base[-1].output, name="base")(x)
    for layer in base:
        layer.trainable = False
    frozen = sum(int(np.prod(v.shape)) for layer in base for v in layer.weights)
    notes.append(f"convolutional base of {cfg.finetune}: {len(base)} layers up to "
                 f"{base[-1].name}, {frozen:,} parameters frozen; new head for {n_classes} classes")
    x = keras.layers.GlobalAveragePooling2D(name="new_gap")(x)
    if cfg.dropout:
        x = keras.layers.Dropout(cfg.dropout, name="new_drop")(x)
    x = keras.layers.Dense(n_classes, name="new_logits")(x)
    out = keras.layers.Activation("softmax", name="new_probs")(x)
    return keras.Model(inp, out, name=f"transfer_{source.name}"), base, notes


def unfreeze(base: list) -> int:
    """Make the base trainable for fine-tuning, BatchNormalization excepted (it stays in
    inference mode, as the Keras guide advises); returns the trainable parameters it adds."""
    n = 0
    for layer in base:
        if type(layer).__name__ == "BatchNormalization" or not layer.weights:
            continue
        layer.trainable = True
        n += sum(int(np.prod(v.shape)) for v in layer.trainable_weights)
    return n


def make_optimizer(cfg: TrainConfig, steps_per_epoch: int):
    import keras

    lr, total = cfg.lr, cfg.epochs * steps_per_epoch
    if cfg.schedule == "cosine":
        lr = keras.optimizers.schedules.CosineDecay(cfg.lr, decay_steps=total)
    elif cfg.schedule == "onecycle":   # up from 0 to --lr, then a cosine back down to 0
        warm = max(1, round(WARMUP * total))
        lr = keras.optimizers.schedules.CosineDecay(
            0.0, decay_steps=max(1, total - warm), warmup_target=cfg.lr, warmup_steps=warm)
    if cfg.optimizer == "adam":
        if cfg.weight_decay > 0:
            return keras.optimizers.AdamW(learning_rate=lr, weight_decay=cfg.weight_decay)
        return keras.optimizers.Adam(learning_rate=lr)
    return keras.optimizers.SGD(learning_rate=lr, momentum=0.9,
                                weight_decay=cfg.weight_decay or None)


# ------------------------------------------------------------------ one run

def prepare_run_dir(cfg: TrainConfig, run_dir: str | os.PathLike | None) -> Path:
    """The run folder for cfg: a new one, or --run-dir when it holds no other run (ValueError
    for a finished run, or one that another live process is training)."""
    if run_dir is None:
        d = runs.create_run_dir(cfg.arch, cfg.dataset)
    else:
        d = Path(run_dir).expanduser().resolve()
        old_state = runs.read_status(d).get("state")
        if old_state in runs.FINAL:
            raise ValueError(f"{d} already holds a {old_state} run; give a new --run-dir")
        if (pid := jobs.training_elsewhere(d)) is not None:
            raise ValueError(f"{d} is a run that is still training (pid {pid}); stop it first "
                             f"or give a new --run-dir")
        d.mkdir(parents=True, exist_ok=True)
    old = runs.read_config(d)
    runs.write_config(d, {
        "run_id": d.name, "arch": cfg.arch, "dataset": cfg.dataset,
        "created": old.get("created", time.time()), "name": cfg.name, "owner": cfg.owner,
        "config": asdict(cfg), "hyperparams": cfg.hyperparams(), "command": cfg.command(),
        "argv": old.get("argv", cfg.argv()), "python": sys.version.split()[0]})
    return d


class _RunLogFile(logging.FileHandler):
    """log.txt; a line that cannot be written (disk full) is dropped, never a traceback."""

    def handleError(self, record):  # logging's name for it
        pass


def _logger(run_dir: Path, echo: bool) -> logging.Logger:
    """The run's logger: log.txt (with tracebacks) and, with echo, stdout (without)."""
    log = logging.getLogger(f"cnnweb.run.{run_dir.name}")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    fmt = logging.Formatter("[%(asctime)s] %(message)s", datefmt="%H:%M:%S")
    handlers = [_RunLogFile(runs.log_path(run_dir), encoding="utf-8", delay=True)]
    if echo:
        handlers.append(logging.StreamHandler(sys.stdout))
        handlers[-1].setLevel(logging.INFO)
    for h in handlers:
        h.setFormatter(fmt)
        log.addHandler(h)
    return log


def _close(log: logging.Logger) -> None:
    for h in list(log.handlers):
        log.removeHandler(h)
        h.close()


def run(cfg: TrainConfig, run_dir: Path, echo: bool = True) -> int:
    """Train one run in this process. Returns the exit code: 0 finished or stopped, 1 failed."""
    logger = _logger(run_dir, echo)
    log = logger.info
    nice = os.environ.get("CNNWEB_TRAIN_NICE")
    if nice and nice.isdigit():
        jobs.lower_priority(int(nice))
    # started by jobs in a slot it claimed for it (state "running"), or by hand: wait for one
    runs.report(run_dir, state="running" if jobs.granted(run_dir) else "queued", reason="",
                **jobs.process_identity(), epochs=cfg.epochs, epoch=0)
    # SIGTERM (e.g. `kill`) becomes a polite stop: the model so far is still saved
    main = threading.current_thread() is threading.main_thread()
    old = (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT))
    if main:
        signal.signal(signal.SIGTERM, lambda *_: runs.request_stop(run_dir))

        def on_ctrl_c(*_):
            if runs.stop_requested(run_dir):
                raise KeyboardInterrupt
            runs.request_stop(run_dir)
            log("Ctrl-C: stopping after this batch and saving the model (Ctrl-C again to abort)")
        signal.signal(signal.SIGINT, on_ctrl_c)
    try:
        return _run_in_turn(cfg, run_dir, logger)
    finally:
        if main:
            signal.signal(signal.SIGTERM, old[0])
            signal.signal(signal.SIGINT, old[1])
        _close(logger)
        jobs.fill_slots(run_dir.parent)       # this run's slot is free: start the next ones


def _run_in_turn(cfg: TrainConfig, run_dir: Path, logger: logging.Logger) -> int:
    log, saved = logger.info, {}
    try:
        with jobs.slot_turn(run_dir, on_wait=lambda ahead: (
                log(f"queued behind {', '.join(ahead)}"),
                runs.report(run_dir, reason=f"waiting for {', '.join(ahead)}"))) as turn:
            if not turn:
                log("stopped before it started")
                runs.report(run_dir, state="stopped", reason="stopped before it started",
                            ended=time.time())
                return 0
            return _train(cfg, run_dir, log, saved)
    except KeyboardInterrupt:
        log("aborted by Ctrl-C; nothing saved")
        _final(run_dir, logger, state="failed", reason="aborted by Ctrl-C")
        return 130
    except Exception as e:  # the run must end with a reason, not a traceback
        logger.debug("the error in full:", exc_info=True)     # log.txt only
        _final(run_dir, logger, state="failed", **_failure(e, run_dir, saved))
        return 2 if isinstance(e, BadConfig) else 1


def _failure(e: Exception, run_dir: Path, saved: dict) -> dict:
    """The status fields of a run that failed with e; a full disk says whether the model made
    it (saved: {"name", "path"} once it did)."""
    if isinstance(e, OSError) and (e.errno in _DISK_FULL or runs.disk_full(run_dir)):
        if saved:
            return {**runs.reason("run.disk_full_kept", folder=str(run_dir), **saved),
                    "model_name": saved["name"]}
        return runs.reason("run.disk_full", folder=str(run_dir))
    reason = f"{type(e).__name__}: {e}".splitlines()[0][:500]
    if isinstance(e, MemoryError) or "OOM" in reason or "out of memory" in reason.lower():
        reason += " (out of memory: try a smaller --batch-size or model)"
    return {"reason": reason}


_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def _final(run_dir: Path, logger: logging.Logger, **fields) -> None:
    """The run's last status; when even that cannot be written, the log and stderr say why
    and readers find the process gone (jobs.refresh)."""
    logger.info(f"{fields['state']}: {fields.get('reason', '')}")
    try:
        runs.report(run_dir, ended=time.time(), **fields)
    except OSError as e:
        print(f"cannot record the run's end in {run_dir}: {e.strerror or e}", file=sys.stderr)


def _train(cfg: TrainConfig, run_dir: Path, log, saved: dict) -> int:
    t0 = time.time()
    ds, (x_tr, y_tr, x_val, y_val) = _load_data(cfg, run_dir, log, t0)
    n_classes = len(ds.class_names)
    runs.report(run_dir, reason="building the model")
    import keras

    share = jobs.run_share()
    runs.report(run_dir, share=share)
    strategy, on, mp_on = setup_device(cfg.mixed_precision, log, share)
    keras.utils.set_random_seed(cfg.seed)
    log(f"device: {on}")
    one_hot = n_classes if cfg.label_smoothing > 0 else None
    steps = math.ceil(len(x_tr) / cfg.batch_size)
    with strategy.scope():
        model, base, notes, loss, acc = _compiled_model(cfg, ds, one_hot, steps, mp_on, run_dir,
                                                        log)
    has_bn = any(type(layer).__name__ == "BatchNormalization" for layer in model.layers)
    train_ds = make_pipeline(x_tr, y_tr, cfg.batch_size, shuffle=True, augment=cfg.augment,
                             flip=cfg.flip or (cfg.augment and cfg.dataset == "cifar10"),
                             seed=cfg.seed, one_hot=one_hot)
    val_ds = (make_pipeline(x_val, y_val, max(cfg.batch_size, 256), shuffle=False, augment=False,
                            flip=False, seed=cfg.seed, one_hot=one_hot) if len(x_val) else None)
    monitor, callbacks = _callbacks(cfg, run_dir, len(x_tr), n_classes, log)
    log(f"training {cfg.arch} on {len(x_tr):,} images, validating on {len(x_val):,}, "
        f"{cfg.epochs} epochs of {steps} batches; {model.count_params():,} parameters")
    runs.report(run_dir, reason="", n_train=len(x_tr), n_val=len(x_val),
                data_is_sample=ds.is_sample, steps=steps, has_batchnorm=has_bn,
                epochs=monitor.epochs, **runs.message_fields("device", on),
                **runs.message_fields("data_source", ds.source))
    probe = x_tr[:PROBE_IMAGES].astype("float32"), y_tr[:PROBE_IMAGES]
    monitor.first_point(model, probe[0], np.eye(n_classes, dtype="float32")[probe[1].astype(int)]
                        if one_hot else probe[1], loss)
    model.fit(train_ds, validation_data=val_ds, epochs=cfg.epochs, callbacks=callbacks, verbose=0,
              shuffle=False)  # the pipeline shuffles
    if (base and cfg.finetune_epochs and len(monitor.history) >= cfg.epochs
            and not (monitor.stopped or monitor.diverged or monitor.write_error)):
        _fine_tune(cfg, model, base, loss, acc, steps, log,
                   fit={"x": train_ds, "validation_data": val_ds, "callbacks": callbacks})
    if (code := _ended_without_a_model(cfg, run_dir, monitor, log)) is not None:
        return code
    return _evaluate_and_save(cfg, run_dir, log, saved, model=model, ds=ds, monitor=monitor,
                              fitted={"device": on, "mp_on": mp_on, "has_bn": has_bn,
                                      "adapted": notes,
                                      "n_train": len(x_tr), "n_val": len(x_val), "t0": t0,
                                      "early": any(getattr(c, "stopped_epoch", 0)
                                                   for c in callbacks[1:])})


def _load_data(cfg: TrainConfig, run_dir: Path, log, t0: float):
    """The dataset and its (x_train, y_train, x_val, y_val) after --limit and --val-split."""
    runs.report(run_dir, state="running", reason="loading data", started=t0)
    ds = data.load(cfg.dataset, path=cfg.data_path, limit=cfg.limit)   # reads no more
    log(f"data: {ds.source}")
    x_all, y_all = ds.x_train, ds.y_train
    if cfg.limit:
        x_all, y_all = x_all[: cfg.limit], y_all[: cfg.limit]
    return ds, split_validation(x_all, y_all, cfg.val_split, cfg.seed)


def _compiled_model(cfg: TrainConfig, ds, one_hot: int | None, steps: int, mp_on: bool,
                    run_dir: Path, log):
    """(model, transfer base, adaptation notes, loss, accuracy metric), compiled; BadConfig for
    an architecture that does not fit the data."""
    import keras

    n_classes = len(ds.class_names)
    try:
        if cfg.finetune:        # transfer learning: the base's layers are kept for later
            model, base, notes = transfer_model(cfg, ds.input_shape, n_classes)
            model = float32_output(model, mp_on)
            for note in notes:
                log(f"transfer learning: {note}")
            runs.report(run_dir, adapted=notes, finetuned_from=cfg.finetune)
        else:
            model, base, notes = build_model(cfg, ds.input_shape, n_classes, mp_on), [], []
    except ValueError as e:
        raise BadConfig(str(e)) from None
    if one_hot:
        loss = keras.losses.CategoricalCrossentropy(label_smoothing=cfg.label_smoothing)
        acc = keras.metrics.CategoricalAccuracy(name="accuracy")
    else:
        loss = keras.losses.SparseCategoricalCrossentropy()
        acc = keras.metrics.SparseCategoricalAccuracy(name="accuracy")
    model.compile(optimizer=make_optimizer(cfg, steps), loss=loss, metrics=[acc])
    return model, base, notes, loss, acc


def _callbacks(cfg: TrainConfig, run_dir: Path, n_train: int, n_classes: int, log):
    """The run's monitor (progress, stop requests, divergence) and early stopping if asked."""
    import keras

    from cnnweb.monitor import RunMonitor

    total_epochs = cfg.epochs + (cfg.finetune_epochs if cfg.finetune else 0)
    monitor = RunMonitor(run_dir, n_train, cfg.batch_size, total_epochs,
                         explode_threshold(n_classes), log)
    callbacks = [monitor]
    if cfg.early_stopping:
        callbacks.append(keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=cfg.early_stopping, restore_best_weights=True))
    return monitor, callbacks


def _ended_without_a_model(cfg: TrainConfig, run_dir: Path, monitor, log) -> int | None:
    """The exit code of a run that diverged or stopped before its first batch (None: it has a
    model to evaluate); a failed write of the progress files is raised."""
    if monitor.write_error:
        raise monitor.write_error
    if monitor.diverged:
        e, b = monitor.diverged
        reason = (f"diverged at epoch {e} batch {b} (the loss became NaN or exploded); "
                  f"lower the learning rate (now {cfg.lr:g})")
        log(reason)
        runs.report(run_dir, state="failed", reason=reason, diverged={"epoch": e, "batch": b},
                    ended=time.time())
        return 1
    if not monitor.history:
        reason = "stopped before the first batch finished; nothing to save"
        runs.report(run_dir, state="stopped", reason=reason, ended=time.time())
        log(reason)
        return 0
    return None


def _fine_tune(cfg: TrainConfig, model, base: list, loss, acc, steps: int, log, fit: dict):
    """The second phase of transfer learning: the base unfrozen (BatchNormalization stays
    frozen), the learning rate FINETUNE_LR_FACTOR of --lr, cfg.finetune_epochs more epochs."""
    from dataclasses import replace

    slow = replace(cfg, lr=cfg.lr * FINETUNE_LR_FACTOR, schedule="constant")
    added = unfreeze(base)
    log(f"fine-tuning: the base is unfrozen ({added:,} more trainable parameters), learning "
        f"rate {slow.lr:g}, {cfg.finetune_epochs} epochs")
    model.compile(optimizer=make_optimizer(slow, steps), loss=loss, metrics=[acc])
    model.fit(**fit, initial_epoch=cfg.epochs, epochs=cfg.epochs + cfg.finetune_epochs,
              verbose=0, shuffle=False)


def _evaluate_and_save(cfg: TrainConfig, run_dir: Path, log, saved: dict, *, model, ds, monitor,
                       fitted: dict) -> int:
    """Test accuracy, then the model into the store FIRST (a disk that fills up now costs
    the extras, never the model), then result.json and the misclassified examples."""
    runs.report(run_dir, reason="evaluating on the test set")
    test_ds = make_pipeline(ds.x_test, ds.y_test, 512, shuffle=False, augment=False, flip=False,
                            seed=cfg.seed)
    probs = test_probs(model, test_ds, mirror_too=cfg.tta)
    test_acc, test_loss = test_metrics(probs, ds.y_test)
    pred = probs.argmax(1)
    log(f"test accuracy {test_acc:.4f}, test loss {test_loss:.4f} on {len(ds.y_test):,} images")
    if fitted["mp_on"]:  # save a plain float32 copy so the model runs anywhere
        import keras

        keras.mixed_precision.set_global_policy("float32")
        plain = build_model(cfg, ds.input_shape, len(ds.class_names), False)
        plain.set_weights(model.get_weights())
        model = plain
    meta = _meta(cfg, run_dir, ds, monitor, fitted, test_acc, test_loss,
                 confusion_matrix(ds.y_test, pred, len(ds.class_names)), model)
    runs.report(run_dir, reason="saving the model")
    path, save_problem = _save(model, meta, run_dir, log)
    if path is None:
        runs.report(run_dir, state="failed", reason=save_problem, ended=time.time(),
                    test_accuracy=test_acc)
        return 1
    saved.update(name=meta["name"], path=str(path))
    runs.write_result(run_dir, {**{k: meta[k] for k in _RESULT_KEYS}, "model_path": str(path)})
    _save_misclassified(run_dir, ds, pred, probs)
    stopped, ips = monitor.stopped, meta["images_per_s"]
    done = sum(not h["partial"] for h in monitor.history)
    key = "run.stopped_part" if monitor.history[-1]["partial"] else "run.stopped"
    state = "stopped" if stopped else "finished"
    why = runs.reason(key, done=done, next=done + 1) if stopped else {"reason": ""}
    if save_problem:   # trained and kept, but not where it was meant to go: say so
        state, why = "failed", {"reason": save_problem}
    runs.report(run_dir, state=state, **why, ended=time.time(), test_accuracy=test_acc,
                model_name=meta["name"], images_per_s=ips)
    log(f"{state}: model saved as {meta['name']} ({path})")
    return 1 if save_problem else 0


_RESULT_KEYS = ("name", "test_accuracy", "test_loss", "confusion_matrix", "class_names", "device",
                "images_per_s", "data_source", "data_is_sample", "epochs_completed",
                "best_epoch", "train_seconds", "params", "command")


def _meta(cfg, run_dir, ds, monitor, fitted, test_acc, test_loss, cm, model) -> dict:
    """The model's sidecar: what it is, how it was trained, how well it did."""
    from cnnweb import diagnose

    hist = {k: [h[k] for h in monitor.history]
            for k in ("loss", "accuracy", "val_loss", "val_accuracy", "lr")}
    verdict = diagnose.diagnose(monitor.history, hyperparams=cfg.hyperparams(),
                                n_train=fitted["n_train"], is_sample=ds.is_sample,
                                has_batchnorm=fitted["has_bn"], n_classes=len(ds.class_names))
    return {
        "name": cfg.name or run_dir.name, "arch": cfg.arch, "dataset": cfg.dataset,
        "class_names": ds.class_names, "input_shape": list(ds.input_shape),
        "preprocessing": ds.info.preprocessing, "hyperparams": cfg.hyperparams(),
        "test_accuracy": test_acc, "test_loss": test_loss, "history": hist,
        "confusion_matrix": cm.tolist(), "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "run_id": run_dir.name, "owner": cfg.owner, "command": cfg.command(), "data_source": ds.source,
        "data_is_sample": ds.is_sample, "n_train": fitted["n_train"], "n_val": fitted["n_val"],
        "n_test": len(ds.y_test), "device": fitted["device"],
        "images_per_s": monitor.images_per_s(), "epochs_completed": len(monitor.history),
        "stopped_early": bool(monitor.stopped or fitted["early"]),
        "best_epoch": verdict.get("best_epoch"), "diagnosis": verdict.get("summary"),
        "train_seconds": time.time() - fitted["t0"], "params": int(model.count_params()),
        **({"finetuned_from": cfg.finetune, "adapted": fitted.get("adapted", [])}
           if cfg.finetune else {}),
    }


def _save_misclassified(run_dir: Path, ds, pred: np.ndarray, probs: np.ndarray) -> None:
    wrong = np.flatnonzero(pred != ds.y_test)
    pick = wrong[np.argsort(-probs[wrong, pred[wrong]])[:N_MISCLASSIFIED]]
    runs.save_misclassified(run_dir, x=ds.x_test[pick], true=ds.y_test[pick], pred=pred[pick],
                            confidence=probs[pick, pred[pick]], index=pick)
    # the clickable confusion matrix: a few images of every cell, at most half the file limit
    conf = probs[np.arange(len(pred)), pred]
    room = runs.MAX_MISCLASSIFIED_BYTES // 2 // max(ds.x_test[:1].nbytes, 1)
    keep = runs.pick_cell_examples(ds.y_test, pred, conf, total=min(runs.MAX_CELL_IMAGES, room))
    runs.save_cell_examples(run_dir, x=ds.x_test[keep], true=ds.y_test[keep], pred=pred[keep],
                            confidence=conf[keep], index=keep)


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
        if e.errno in _DISK_FULL:
            raise                  # "failed: disk full" (see _failure)
        return None, (f"trained, but the model could not be saved anywhere: {e.strerror or e} "
                      f"(model store {store.paths.models_dir()}); the metrics and log are kept")
    return kept, (f"trained, but the model store {store.paths.models_dir()} could not take the "
                  f"model ({why}); it was kept in the run folder as {kept}: copy {kept.name} and "
                  f"{kept.with_suffix('.json').name} into the store as {name}.keras/.json")
