"""AppTest of pages/trainer.py. Runs shown here are written by hand into the runs folder (the
real engine is tested in test_train/test_jobs, and the live page in the browser test)."""

import time

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from cnnweb import jobs, paths
from tests.test_diagnose import SEED002

pytestmark = pytest.mark.filterwarnings("ignore")


def _page():
    at = AppTest.from_file(str(paths.ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/trainer.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _handwritten_run(state="finished", reason=""):
    base = paths.runs_dir()
    d = base / f"20250101-000000-cifar_cnn-cifar10-{state}"
    d.mkdir(parents=True)
    jobs.write_json(d / "config.json", {
        "run_id": d.name, "arch": "cifar_cnn", "dataset": "cifar10", "created": time.time(),
        "config": {"epochs": 10}, "hyperparams": {"dropout": 0.0, "lr": 1e-3, "epochs": 10}})
    rows = [{"type": "epoch", "epoch": i + 1, **{k: v[i] for k, v in SEED002.items()},
             "images_per_s": 3700.0, "elapsed": 12.0 * (i + 1)} for i in range(10)]
    (d / "metrics.jsonl").write_text("".join(f"{jobs.json.dumps(r)}\n" for r in rows))
    jobs.write_json(d / "status.json", {"state": state, "reason": reason, "epochs": 10,
                                        "epoch": 10, "device": "CPU only (2 cores)",
                                        "data_source": "full CIFAR-10 from x/cifar10.npz",
                                        "test_accuracy": 0.7117 if state == "finished" else None})
    if state == "finished":
        names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
                 "truck"]
        cm = np.full((10, 10), 30) + np.eye(10, dtype=int) * 700
        jobs.write_json(d / "result.json", {
            "name": "handmade", "test_accuracy": 0.7117, "test_loss": 0.8741,
            "confusion_matrix": cm.tolist(), "class_names": names, "device": "CPU",
            "images_per_s": 3700.0, "data_source": "full", "data_is_sample": False,
            "epochs_completed": 10, "best_epoch": 7, "train_seconds": 120.0, "params": 122570,
            "command": "python -m cnnweb train --arch cifar_cnn --dataset cifar10 --epochs 10"})
        rng = np.random.default_rng(0)
        np.savez(d / "misclassified.npz", index=np.arange(8),
                 x=rng.integers(0, 255, (8, 32, 32, 3), dtype=np.uint8),
                 true=np.arange(8) % 10, pred=(np.arange(8) + 1) % 10,
                 confidence=np.linspace(0.99, 0.6, 8).astype(np.float32))
    return d


def test_empty_page_presets_fill_the_form():
    at = _page()
    assert any("No runs yet" in i.value for i in at.info)
    data_lines = [e.value for e in [*at.warning, *at.caption] if e.value.startswith("Data: ")]
    assert len(data_lines) == 1
    assert "shipped sample of MNIST" in data_lines[0] or "full MNIST from" in data_lines[0]
    at.selectbox(key="tr_preset").set_value("Seed 002 remedy: Dropout 0.4, 15 epochs").run()
    ss = at.session_state
    assert (ss.tr_arch, ss.tr_dataset, ss.tr_epochs, ss.tr_dropout, ss.tr_batch) == (
        "cifar_cnn", "cifar10", 15, 0.4, 32)
    assert any("73.29%" in c.value for c in at.caption)
    assert not at.exception


def test_bad_settings_show_an_error_and_start_nothing():
    at = _page()
    at.text_input(key="tr_name").set_value("../evil").run()
    at.button[0].click().run()
    assert any("Cannot start" in e.value for e in at.error)
    assert jobs.list_runs() == []


def test_page_shows_a_finished_run_recorded_by_hand_with_diagnosis_and_results():
    _handwritten_run("finished")
    at = _page()
    assert not at.exception
    md = " ".join(m.value for m in at.markdown)
    assert "Finished" in md and "Diagnosis: overfitting" in md
    assert any("Overfitting from epoch 8" in m.value for m in at.markdown)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Test accuracy"] == "71.17%" and metrics["Epochs"] == "10"
    assert len(at.get("image")) == 8                       # the misclassified grid
    assert any("airplane → automobile 99%" in str(i.proto) for i in at.get("image"))
    assert "Compare runs" in [s.value for s in at.subheader]


def test_page_shows_why_a_run_failed():
    _handwritten_run("failed", "diverged at epoch 1 batch 3; lower the learning rate (now 10)")
    at = _page()
    assert any("diverged at epoch 1 batch 3" in e.value for e in at.error)
    assert not at.exception


def test_chart_builders_put_the_numbers_where_they_belong():
    from cnnweb import charts
    rows = _rows_seed002()
    tail = [{"epoch": 11, "batch": 5, "batches": 10, "loss": 0.55, "accuracy": 0.8}]
    fig = charts.training_curves_figure(rows, tail, {"epoch": 8, "label": "overfitting"},
                                        epochs_total=12)
    by = {(t.name, t.xaxis): t for t in fig.data}
    assert list(by["validation", "x"].y) == SEED002["val_loss"]
    assert list(by["validation", "x2"].y) == SEED002["val_accuracy"]
    assert list(by["train (this epoch so far)", "x"].x) == [10, 10.5]   # joined to epoch 10
    assert [s.x0 for s in fig.layout.shapes] == [8, 8]                 # marker on both plots
    assert fig.layout.xaxis.range[1] > 12 - 1e-9
    cm = [[5, 1], [0, 4]]
    heat = charts.confusion_matrix_figure(cm, ["cat", "dog"]).data[0]
    assert heat.text.tolist() == cm and list(heat.x) == ["cat", "dog"]
    assert heat.z[0][1] == pytest.approx(1 / 6)                        # share of the true row
    over = charts.runs_overlay_figure([("a", rows), ("b", rows[:3])], "val_accuracy")
    assert [len(t.x) for t in over.data] == [10, 3]


def _rows_seed002():
    return [{"epoch": i + 1, **{k: v[i] for k, v in SEED002.items()}} for i in range(10)]


def test_stop_button_of_a_running_run_writes_the_stop_request():
    """The running run is faked: status 'running' with this test process as its pid."""
    d = _handwritten_run("running")
    jobs.set_status(d, state="running", **jobs.process_identity())
    at = _page()
    assert any("Running" in m.value for m in at.markdown)
    assert at.get("progress")                                  # the progress bar is there
    stop = next(b for b in at.button if b.label == "Stop training")
    stop.click().run()
    assert jobs.stop_requested(d)
    assert not at.exception
