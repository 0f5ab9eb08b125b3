"""The training engine and `python -m cnnweb train`: tiny real runs, bad arguments, failures."""

import json
import math
import os
import shlex
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from cnnweb import i18n, jobs, paths, runs, store, train
from tests.helpers import train_cli

SHARED = Path(paths.ROOT).parent / "shared" / "data"
HAVE_FULL = (SHARED / "mnist.npz").exists()


@pytest.mark.slow
def test_train_cli_on_tiny_subset_writes_run_folder_and_model(tmp_path):
    """600 training images, 2 epochs: a toy model, but the whole path is real."""
    env = {"CNNWEB_DATA_DIR": str(SHARED)} if HAVE_FULL else {}
    run_dir = tmp_path / "run"
    r = train_cli("--arch", "mnist_cnn", "--dataset", "mnist", "--epochs", "2", "--limit", "600",
                  "--batch-size", "32", "--name", "tiny-cli", "--run-dir", str(run_dir),
                  "--owner", "Ann Li", env=env)
    assert r.returncode == 0, r.stderr
    assert "test accuracy" in r.stdout and "Traceback" not in r.stderr
    assert {"config.json", "metrics.jsonl", "status.json", "log.txt", "result.json",
            "misclassified.npz"} <= {p.name for p in run_dir.iterdir()}
    status = json.loads((run_dir / "status.json").read_text())
    assert status["state"] == "finished" and status["epoch"] == 2
    # the device line and the data source come back as messages, shown in Chinese on the page
    for name, zh in (("device", ("仅 CPU", "GPU：")), ("data_source", ("完整的 MNIST", "随附的"))):
        said = runs.message(status, name)
        assert isinstance(said, i18n.Msg) and said == status[name], (name, status)
        assert i18n.tr(said, "zh").startswith(zh), i18n.tr(said, "zh")
    rows = runs.read_jsonl(run_dir / "metrics.jsonl")
    assert [r["epoch"] for r in rows if r["type"] == "epoch"] == [1, 2]
    assert any(r["type"] == "progress" and r["epoch"] == 1 for r in rows)   # in-epoch progress
    # the curve's first point comes before Keras traces the training step: batch 0, the
    # untrained model's loss (about ln 10 for ten classes) and accuracy, before batch 1's line
    first, second = rows[0], next(r for r in rows if r.get("batch", 0) > 0)
    assert (first["type"], first["epoch"], first["batch"]) == ("progress", 1, 0), rows[:2]
    assert 0.5 * math.log(10) < first["loss"] < 2 * math.log(10) and 0 <= first["accuracy"] <= 1
    assert first["time"] <= second["time"] and second["batch"] >= 1

    meta = store.load_meta("tiny-cli")
    assert meta["owner"] == "Ann Li"              # the model carries its student (issue 14)
    n_test = 10000 if HAVE_FULL else 1000
    assert meta["n_test"] == n_test and meta["n_train"] == 540 and meta["n_val"] == 60
    assert np.asarray(meta["confusion_matrix"]).sum() == n_test
    cm = np.asarray(meta["confusion_matrix"])
    assert abs(np.trace(cm) / n_test - meta["test_accuracy"]) < 1e-9
    assert meta["test_accuracy"] > 0.6            # it learned: chance is 0.1
    assert len(meta["history"]["val_loss"]) == 2 and meta["class_names"][3] == "3"
    assert meta["input_shape"] == [28, 28, 1] and meta["images_per_s"] > 0
    assert meta["device"].startswith(("CPU", "GPU"))
    assert ("full MNIST" in meta["data_source"]) == HAVE_FULL
    # the recorded command reproduces the run's settings
    args = shlex.split(meta["command"])
    assert args[:4] == ["python", "-m", "cnnweb", "train"]
    from cnnweb.__main__ import build_parser
    again = build_parser().parse_args(args[3:])
    assert (again.epochs, again.limit, again.batch_size, again.arch) == (2, 600, 32, "mnist_cnn")
    mis = runs.load_misclassified(run_dir)
    assert len(mis["index"]) > 0 and (mis["true"] != mis["pred"]).all()
    # the clickable confusion matrix: each cell keeps its own images, the diagonal too
    cm = np.asarray(meta["confusion_matrix"])
    for r, c in [(r, c) for r in range(10) for c in range(10) if cm[r, c]][:12]:
        cell = runs.cell_examples(run_dir, r, c)
        assert len(cell["x"]) == min(cm[r, c], runs.CELL_EXAMPLES), (r, c)


@pytest.mark.parametrize("args, message", [
    (["--arch", "nope", "--dataset", "mnist"], "unknown architecture 'nope'"),
    (["--arch", "mnist_cnn", "--dataset", "svhn"], "unknown dataset 'svhn'"),
    (["--arch", "mnist_cnn", "--dataset", "mnist", "--epochs", "0"], "--epochs must be at least 1"),
    (["--arch", "mnist_cnn", "--dataset", "mnist", "--lr", "nan"], "--lr must be in"),
    (["--arch", "mnist_cnn", "--dataset", "mnist", "--dropout", "1.5"], "--dropout must be in"),
    (["--arch", "mnist_cnn", "--dataset", "mnist", "--name", "../x"], "must not contain"),
    (["--arch", "mnist_cnn", "--dataset", "mnist", "--data-path", "/no/such"], "no such file"),
    (["--arch", "mnist_cnn", "--dataset", "mnist", "--early-stopping", "3", "--val-split", "0"],
     "needs validation data"),
    (["--dataset", "mnist"], "required: --arch"),
])
def test_bad_arguments_exit_2_with_one_line(args, message, tmp_path):
    r = train_cli(*args, "--run-dir", str(tmp_path / "run"))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and lines[0].startswith("error:")
    assert not (tmp_path / "run").exists()       # nothing started


def test_corrupt_dataset_file_fails_with_exit_1_naming_it(tmp_path):
    bad = tmp_path / "mnist.npz"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip")
    r = train_cli("--arch", "mnist_cnn", "--dataset", "mnist", "--data-path", str(bad),
             "--run-dir", str(tmp_path / "run"))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and str(bad) in r.stderr
    st = runs.read_json(tmp_path / "run" / "status.json")
    assert st["state"] == "failed" and "not a valid .npz" in st["reason"]


def test_existing_model_name_is_refused_before_training(tmp_path, monkeypatch):
    models = Path(os.environ["CNNWEB_MODELS_DIR"])
    models.mkdir(parents=True, exist_ok=True)
    (models / "taken.keras").write_bytes(b"x")
    (models / "taken.json").write_text("{}")
    cfg = train.TrainConfig("mnist_cnn", "mnist", name="taken")
    with pytest.raises(ValueError, match="already exists"):
        train.check_arch_and_name(cfg)


# ------------------------------------------------------------------ in-process runs (one TF import)

def _sample(name):
    return str(paths.data_dir() / f"{name}_sample.npz")


@pytest.mark.slow
def test_divergence_stops_the_run_with_a_message_on_tiny_subset(tmp_path):
    cfg = train.TrainConfig("mnist_cnn", "mnist", epochs=3, lr=10.0, limit=640, batch_size=32,
                            name="should-not-exist", data_path=_sample("mnist"))
    run_dir = train.prepare_run_dir(cfg, tmp_path / "run")
    assert train.run(cfg, run_dir, echo=False) == 1
    st = runs.read_json(run_dir / "status.json")
    assert st["state"] == "failed"
    assert st["reason"].startswith("diverged at epoch 1 batch ")
    assert "lower the learning rate" in st["reason"]
    assert not any(m.name == "should-not-exist" for m in store.list_models())
    assert not [r for r in runs.read_jsonl(run_dir / "metrics.jsonl") if r["type"] == "epoch"]


@pytest.mark.slow
def test_stop_request_is_honoured_within_a_batch_and_keeps_the_model(tmp_path):
    cfg = train.TrainConfig("mnist_cnn", "mnist", epochs=40, limit=3000, batch_size=32,
                            name="stopped-early", data_path=_sample("mnist"))
    run_dir = train.prepare_run_dir(cfg, tmp_path / "run")
    seen = {}

    def stopper():
        deadline = time.time() + 120
        while time.time() < deadline:
            rows = runs.read_jsonl(run_dir / "metrics.jsonl")
            prog = [r for r in rows if r["type"] == "progress"]
            if prog:
                seen["batch"] = prog[-1]["batch"]
                jobs.request_stop(run_dir)
                return
            time.sleep(0.05)

    t = threading.Thread(target=stopper)
    t.start()
    assert train.run(cfg, run_dir, echo=False) == 0
    t.join()
    st = runs.read_json(run_dir / "status.json")
    assert st["state"] == "stopped" and "stopped by request" in st["reason"]
    assert "after 0 full epochs and part of epoch 1" in st["reason"]
    epochs = [r for r in runs.read_jsonl(run_dir / "metrics.jsonl") if r["type"] == "epoch"]
    assert len(epochs) == 1 and epochs[0]["partial"]          # stopped inside epoch 1
    assert epochs[0]["images"] < 2700
    meta = store.load_meta("stopped-early")
    assert meta["epochs_completed"] == 1 and meta["stopped_early"]
    assert 0 < meta["test_accuracy"] <= 1


def test_setup_device_says_cpu_plainly_and_ignores_mixed_precision_without_gpu_or_bf16(
        monkeypatch):
    from cnnweb import device
    if device.gpu_names():
        pytest.skip("a GPU is present")
    monkeypatch.setattr(device, "cpu_bf16", lambda: False)
    said = []
    _, label, mp = train.setup_device(True, said.append)
    assert label.startswith("CPU only") and not mp and not label.endswith("bfloat16")
    assert said and "needs a GPU or a CPU with bfloat16" in said[0]


def test_setup_device_computes_in_bfloat16_on_a_cpu_that_has_it(monkeypatch):
    import keras

    from cnnweb import device
    if device.gpu_names():
        pytest.skip("a GPU is present")
    monkeypatch.setattr(device, "cpu_bf16", lambda: True)
    said = []
    try:
        _, label, mp = train.setup_device(True, said.append)
        assert keras.mixed_precision.global_policy().name == "mixed_bfloat16"
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert mp and label.startswith("CPU only") and label.endswith("mixed precision bfloat16")
    assert not said
    assert i18n.tr(label, "zh").endswith("混合精度 bfloat16")


@pytest.mark.slow
def test_a_bf16_run_on_tiny_data_1_epoch_saves_a_float32_model_that_predicts_alike(tmp_path):
    """Fake size on purpose (600 images, one epoch). Only on a CPU that computes bfloat16."""
    import keras

    from cnnweb import device
    if device.gpu_names() or not device.cpu_bf16():
        pytest.skip("needs a CPU with AMX and no GPU")
    run_dir = tmp_path / "run"
    r = train_cli("--arch", "mnist_cnn", "--dataset", "mnist", "--epochs", "1", "--limit", "600",
                  "--mixed-precision", "--name", "tiny-bf16", "--run-dir", str(run_dir),
                  env={"TF_ENABLE_ONEDNN_OPTS": "1"})
    assert r.returncode == 0, r.stderr
    assert "mixed precision bfloat16" in (run_dir / "log.txt").read_text()
    model = keras.saving.load_model(store.model_path("tiny-bf16"), safe_mode=True)
    assert {w.dtype for w in model.weights} == {"float32"}
    assert model.dtype_policy.name == "float32"
    res = runs.read_json(run_dir / "result.json")      # measured by the bfloat16 model
    assert res["data_is_sample"] and res["device"].endswith("mixed precision bfloat16")
    sample = np.load(paths.data_dir() / "mnist_sample.npz")
    pred = model.predict(sample["x_test"][..., None], verbose=0).argmax(1)
    assert abs(float(np.mean(pred == sample["y_test"])) - res["test_accuracy"]) <= 0.02


@pytest.mark.parametrize("flags, has", [("fpu sse avx512f amx_bf16 amx_tile", True),
                                        ("fpu avx512f avx512_bf16", False),  # slower there
                                        ("fpu sse2 avx2 avx512f avx512_vnni", False), (None, False)])
def test_cpu_bf16_reads_the_cpus_flags(tmp_path, monkeypatch, flags, has):
    from cnnweb import device
    info = tmp_path / "cpuinfo"
    if flags is not None:
        info.write_text(f"processor\t: 0\nmodel name\t: Test CPU\nflags\t\t: {flags}\n\n"
                        f"processor\t: 1\nflags\t\t: fpu amx_bf16\n")
    monkeypatch.setattr(device, "CPUINFO", info)
    device.cpu_bf16.cache_clear()
    try:
        assert device.cpu_bf16() is has
    finally:
        device.cpu_bf16.cache_clear()


def test_pipeline_batches_shuffles_every_image_once_and_augments_in_shape():
    x = np.arange(10 * 4 * 4 * 3, dtype=np.uint8).reshape(10, 4, 4, 3)
    y = np.arange(10, dtype=np.uint8)
    ds = train.make_pipeline(x, y, 4, shuffle=True, augment=False, flip=False, seed=1)
    labels = np.concatenate([b[1].numpy() for b in ds])
    assert sorted(labels.tolist()) == list(range(10)) and labels.tolist() != list(range(10))
    for xb, yb in ds:                                        # images still match their labels
        assert np.array_equal(xb.numpy().astype(np.uint8), x[yb.numpy()])
    aug = train.make_pipeline(x, y, 4, shuffle=False, augment=True, flip=True, seed=1,
                              one_hot=10)
    xb, yb = next(iter(aug))
    assert xb.shape == (4, 4, 4, 3) and yb.shape == (4, 10)


def test_pipelines_run_without_tf_data_autotuning_which_stalled_each_epoch_start():
    """Keras ends every epoch's iterator, and with autotuning that waited for its model thread,
    which sleeps up to 10 s between tuning rounds: 0-10 s idle at most epoch starts (BENCHMARKS.md).
    Every pipeline the engine makes (training, validation, test, test-time flips) is untuned."""
    x = np.zeros((8, 4, 4, 3), dtype=np.uint8)
    y = np.arange(8, dtype=np.int32)
    for kw in ({"shuffle": True, "augment": True, "flip": True},
               {"shuffle": False, "augment": False, "flip": False}):
        ds = train.make_pipeline(x, y, 4, seed=0, **kw)
        assert ds.options().autotune.enabled is False, kw
        assert ds.map(lambda a, b: a).options().autotune.enabled is False


def test_flips_alone_mirror_some_pictures_and_shift_none():
    x = np.random.default_rng(0).integers(0, 256, (64, 6, 6, 3), dtype=np.uint8)
    y = np.arange(64, dtype=np.int32)
    ds = train.make_pipeline(x, y, 16, shuffle=False, augment=False, flip=True, seed=3)
    kinds = []
    for xb, yb in ds:
        for img, i in zip(xb.numpy().astype(np.uint8), yb.numpy()):
            kinds.append("same" if np.array_equal(img, x[i]) else
                         "mirror" if np.array_equal(img, x[i][:, ::-1]) else "other")
    assert "other" not in kinds and 10 < kinds.count("mirror") < 54


def test_test_time_augmentation_averages_each_picture_with_its_mirror():
    import tensorflow as tf

    class LeftColumn:           # "probabilities" from the left column's mean: (v, 1 - v)
        def predict(self, images, verbose=0):
            v = np.concatenate([b.numpy()[:, :, 0, 0].mean(1) / 255 for b in images])
            return np.stack([v, 1 - v], 1)

    x = np.random.default_rng(1).integers(0, 256, (10, 4, 5, 1)).astype(np.float32)
    ds = tf.data.Dataset.from_tensor_slices((x, np.zeros(10))).batch(4)
    left, right = x[:, :, 0, 0].mean(1) / 255, x[:, :, -1, 0].mean(1) / 255
    plain = train.test_probs(LeftColumn(), ds, mirror_too=False)
    both = train.test_probs(LeftColumn(), ds, mirror_too=True)
    assert np.allclose(plain[:, 0], left)
    assert np.allclose(both[:, 0], (left + right) / 2) and np.allclose(both.sum(1), 1)


# ------------------------------------------------------------------ pure helpers

def test_confusion_matrix_and_test_metrics_by_hand():
    cm = train.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3)
    assert cm.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.5, 0.4, 0.1]])
    acc, loss = train.test_metrics(probs, np.array([0, 1, 1]))
    assert acc == pytest.approx(2 / 3)
    assert loss == pytest.approx(-(np.log(0.7) + np.log(0.8) + np.log(0.4)) / 3)


def test_validation_split_is_seeded_and_disjoint():
    x = np.arange(100)
    a = train.split_validation(x, x, 0.2, seed=3)
    b = train.split_validation(x, x, 0.2, seed=3)
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert len(a[2]) == 20 and not set(a[0]) & set(a[2]) and len(set(a[0]) | set(a[2])) == 100


def test_config_argv_round_trips_through_the_cli_parser():
    from cnnweb.__main__ import build_parser
    cfg = train.TrainConfig("cifar_cnn", "cifar10", epochs=7, batch_size=128, lr=3e-4,
                            optimizer="sgd", dropout=0.4, augment=True, early_stopping=2,
                            val_split=0.2, limit=1000, schedule="cosine", weight_decay=1e-4,
                            label_smoothing=0.1, seed=5, mixed_precision=True)
    args = build_parser().parse_args(["train", *cfg.argv()])
    back = train.TrainConfig(**{f: getattr(args, f) for f in train.TrainConfig.__dataclass_fields__})
    assert back == cfg


def test_a_finished_run_folder_is_not_reused(tmp_path):
    d = tmp_path / "old"
    d.mkdir()
    runs.write_json(d / "status.json", {"state": "finished"})
    r = train_cli("--arch", "mnist_cnn", "--dataset", "mnist", "--run-dir", str(d))
    assert r.returncode == 2 and "already holds a finished run" in r.stderr
    assert not (d / "config.json").exists()


def test_every_setting_is_a_flag_with_its_default_and_bounds_from_one_place():
    """TrainConfig's field metadata makes the CLI: each field is a flag whose default is the
    field's, and check() refuses a value just outside each declared bound, naming the flag."""
    import dataclasses

    from cnnweb import config
    from cnnweb.__main__ import build_parser

    parsed = build_parser().parse_args(["train"])
    for f in dataclasses.fields(config.TrainConfig):
        assert getattr(parsed, f.name) == f.default, f.name
        m = f.metadata
        for bound, step, open_ in ((m["lo"], -1, m["lo_open"]), (m["hi"], 1, m["hi_open"])):
            if bound is None:
                continue
            bad = bound if open_ else bound + step * (1 if m["type"] is int else 0.5)
            cfg = config.TrainConfig("mnist_cnn", "mnist", **{f.name: m["type"](bad)})
            with pytest.raises(ValueError, match=config.flag(f.name)):
                cfg.check()
            good = bound - step if open_ else bound
            assert config.out_of_bounds(f, m["type"](good)) is None, (f.name, good)
    help_text = build_parser()._subparsers._group_actions[0].choices["train"].format_help()
    assert "default 5, ≥ 1 and ≤ 1000" in help_text and "--owner NAME" in help_text


def test_fake_gpu_is_named_on_home_and_in_the_run_record_with_float16(monkeypatch, tmp_path):
    """No GPU here or in CI: a fake nvidia-smi (Home's source) and a faked TensorFlow device
    list (the run's) stand in for one, to check what a GPU user is told."""
    import keras
    import tensorflow as tf
    from streamlit.testing.v1 import AppTest

    from cnnweb import device
    if sys.platform == "win32":
        pytest.skip("the fake nvidia-smi is a shell script")
    smi = tmp_path / "nvidia-smi"
    smi.write_text("#!/bin/sh\necho 'NVIDIA H200'\n")
    smi.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    device.gpu_names.cache_clear()
    try:
        at = AppTest.from_file(str(paths.ROOT / "app.py"), default_timeout=60).run()
        assert any("GPU: NVIDIA H200" in m.value.replace("\\", "") for m in at.markdown)
    finally:
        device.gpu_names.cache_clear()
    fake = tf.config.PhysicalDevice(name="/physical_device:GPU:0", device_type="GPU")
    monkeypatch.setattr(tf.config, "list_physical_devices",
                        lambda kind=None: [fake] if kind == "GPU" else [])
    monkeypatch.setattr(tf.config.experimental, "set_memory_growth", lambda g, on: None)
    monkeypatch.setattr(tf.config.experimental, "get_device_details",
                        lambda g: {"device_name": "NVIDIA H200"})
    try:
        _, label, mp = train.setup_device(True, print)
        assert keras.mixed_precision.global_policy().name == "mixed_float16"
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert mp and label == "GPU: NVIDIA H200, mixed precision float16"
    assert i18n.tr(label, "zh").startswith("GPU：NVIDIA H200")
