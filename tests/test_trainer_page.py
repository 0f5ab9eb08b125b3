"""AppTest of pages/trainer.py. Runs shown here are written by hand into the runs folder (the
real engine is tested in test_train/test_jobs, and the live page in the browser test)."""

import os
import shutil
import time

import pytest

from cnnweb import jobs, paths, runs
from tests.helpers import SEED002, handwritten_run, open_page, silent_running_run

pytestmark = pytest.mark.filterwarnings("ignore")


def _page():
    return open_page("trainer", timeout=60)


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
    next(b for b in at.button if b.label == "Start training").click().run()
    assert any("Cannot start" in e.value for e in at.error)
    assert jobs.list_runs() == []


def test_page_shows_a_finished_run_recorded_by_hand_with_diagnosis_and_results():
    handwritten_run("finished")
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
    handwritten_run("failed", "diverged at epoch 1 batch 3; lower the learning rate (now 10)")
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
    d = handwritten_run("running")
    runs.set_status(d, state="running", **jobs.process_identity())
    at = _page()
    assert any("Running" in m.value for m in at.markdown)
    assert at.get("progress")                                  # the progress bar is there
    stop = next(b for b in at.button if b.label == "Stop training")
    stop.click().run()
    assert runs.stop_requested(d)
    assert not at.exception


def test_a_silent_running_run_is_shown_not_responding_and_stop_says_it_escalates():
    """The run's process (this test process) is alive but has written nothing for 120 s while
    its progress lines came every 0.5 s: the live view says 'Not responding' with the rule."""
    class Me:
        pid = os.getpid()

    silent_running_run(paths.runs_dir(), Me, 0.5, 120.0, time.time())
    at = _page()
    said = [w.value for w in at.warning if "Not responding" in w.value]
    assert len(said) == 1 and "10×" in said[0] and "1 min 00 s" in said[0], said
    next(b for b in at.button if b.label == "Stop training").click().run()
    assert any("terminated" in t.value for t in at.toast), [t.value for t in at.toast]
    assert not at.exception


def test_a_run_folder_deleted_while_it_is_shown_says_the_run_no_longer_exists(monkeypatch):
    """Listed a moment ago, deleted before the live view reads it (another session, a teacher
    cleaning up): one line instead of a traceback."""
    d = handwritten_run("running")
    runs.set_status(d, state="running", **jobs.process_identity())
    at = _page()
    listed = jobs.list_runs()
    shutil.rmtree(d)
    monkeypatch.setattr(jobs, "list_runs", lambda base=None: listed)
    at.run()
    assert any("no longer exists" in w.value for w in at.warning), [w.value for w in at.warning]
    assert not at.exception


def test_stop_on_a_runs_folder_that_cannot_be_written_says_so_in_one_line(monkeypatch):
    d = handwritten_run("running")
    runs.set_status(d, state="running", **jobs.process_identity())
    at = _page()

    def read_only(*a, **k):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(runs, "request_stop", read_only)
    next(b for b in at.button if b.label == "Stop training").click().run()
    said = [e.value for e in at.error if "cannot be written" in e.value]
    assert len(said) == 1 and "Read-only file system" in said[0] and not at.exception
