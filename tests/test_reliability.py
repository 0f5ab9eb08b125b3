"""Reliability (issue 7): damaged run files, hostile names and settings, folders that cannot be
written, two runs with one name, the app server killed mid-training. The slow cases (8 browser
sessions, real read-only and full file systems) are in benchmarks/reliability_sweep.py; every
case and its outcome is listed in RELIABILITY.md.

Runs here train on tiny subsets of the shipped MNIST sample (1 epoch, a few hundred images):
toy models, but the processes, files and folders are real."""

import dataclasses
import errno
import json
import os
import subprocess
import sys
import threading
import time

import pytest

from cnnweb import atomic, i18n, jobs, paths, runs, store, train, ui
from tests.helpers import SLEEPER, open_page, train_cli, wait_until

SAMPLE = str(paths.data_dir() / "mnist_sample.npz")
TINY = ["--arch", "mnist_cnn", "--dataset", "mnist", "--data-path", SAMPLE, "--epochs", "1",
        "--limit", "400"]


def _one_error_line(r, code):
    lines = r.stderr.strip().splitlines()
    assert r.returncode == code, r.stderr
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in r.stderr
    return lines[0]


# ------------------------------------------------------------------ damaged run folders

DAMAGED = {   # folder -> (config.json, status.json, metrics.jsonl) as written to disk
    "wrong-json-kinds": ('{"created": 1, "arch": "x", "dataset": "mnist"}', '{"state": "finished"}',
                         ('42\n[1, 2]\n"text"\n{"type": "epoch", "epoch": "x"}\n\x00\x01\xff\n'
                         '{"type": "progress", "epoch": 1, "batch": "b", "batches": 3}\n'
                         '{"type": "epoch", "epoch": 1, "loss": "high", "accuracy": 0.5}\n'
                         '{"type": "epoch", "epoch": 2, "loss": 0.9, "accuracy": 0.6}\n{"type": "ep')),
    "status-is-a-list": ('{"created": 2}', "[1, 2, 3]", ""),
    "config-is-a-list": ("[]", '{"state": "running", "pid": "abc"}', ""),
    "bad-created-and-dead-pid": ('{"created": "yesterday"}',
                                 '{"state": "running", "pid": 999999999}', ""),
    "undecodable": ("\xff\xfe not json", "null", ('{"type": "progress", "epoch": 1, "batch": 5, '
                                                 '"batches": 0}\n')),
    "unknown-state": ('{"created": 3}', '{"state": "exploded", "pid": true}', ""),
}


def _write_damaged_runs(base):
    for name, (config, status, metrics) in DAMAGED.items():
        d = base / name
        d.mkdir(parents=True)
        for fn, text in (("config.json", config), ("status.json", status),
                         ("metrics.jsonl", metrics)):
            (d / fn).write_bytes(text.encode("utf-8", "surrogateescape") if "\xff" not in text
                                 else text.encode("latin-1"))
        old = time.time() - 2 * jobs.NEVER_STARTED_S       # long enough ago to judge
        os.utime(d, (old, old))


def test_damaged_run_files_are_listed_and_judged_without_raising():
    base = paths.runs_dir()
    _write_damaged_runs(base)
    found = {r.id: r for r in jobs.list_runs(base)}
    assert set(found) == set(DAMAGED)
    for r in found.values():
        p = runs.progress(r)
        assert 0.0 <= p.fraction <= 1.0 and runs.describe(r) and runs.diagnosis(r)
        assert r.state in runs.ACTIVE + runs.FINAL
    kept = found["wrong-json-kinds"].epochs()
    assert [e["epoch"] for e in kept] == [1, 2]            # the good lines survive
    assert kept[0]["loss"] is None and kept[1]["loss"] == 0.9
    assert found["wrong-json-kinds"].state == "finished"
    # no live process to vouch for them: a corrupt "running" run does not run forever
    for name in ("config-is-a-list", "bad-created-and-dead-pid"):
        assert found[name].state == "failed", name
    assert found["unknown-state"].state == "failed"


def test_trainer_page_with_damaged_runs_shows_them_without_an_exception():
    _write_damaged_runs(paths.runs_dir())
    at = open_page("trainer", timeout=60)
    for run_id in DAMAGED:
        at.selectbox(key="tr_run").set_value(run_id).run()
        assert not at.exception, (run_id, at.exception)


# ------------------------------------------------------------------ hostile names and settings

@pytest.mark.parametrize("run_id", ["../outside", "a/b", "..", "x\\y", "/etc"])
def test_run_ids_with_paths_are_refused(run_id, tmp_path):
    (paths.runs_dir()).mkdir(parents=True, exist_ok=True)
    with pytest.raises(ValueError, match="not a run id"):
        jobs.get_run(run_id)
    with pytest.raises(ValueError, match="not a run id|no run at"):   # it also takes folders
        jobs.request_stop(run_id)
    assert not (paths.runs_dir().parent / "outside" / "stop").exists()


def test_names_that_are_too_long_as_a_file_name_are_refused_before_training():
    wide = "\U00020000" * 60                          # 60 letters (CJK ext. B), 240 bytes
    assert len(wide) <= store.MAX_NAME
    with pytest.raises(ValueError, match="bytes"):
        store.check_name(wide)
    assert store.check_name("模型_" * 20) == "模型_" * 20  # 60 letters, 160 bytes: fine
    for long_name in ("x" * 65, "x" * 10_000):
        with pytest.raises(ValueError, match="at most 64 characters"):
            store.check_name(long_name)


@pytest.mark.parametrize("extra, message", [
    (["--seed", "-1"], "--seed must be in"),
    (["--seed", str(2**32)], "--seed must be in"),
    (["--limit", "1"], "leaves none to train on"),       # 10% validation of 1 image
    (["--lr", "-0.001"], "--lr must be in"),
    (["--lr", "inf"], "--lr must be in"),
    (["--batch-size", "-5"], "--batch-size must be at least 1"),
    (["--epochs", "1000000"], "--epochs must be at most"),
    (["--name", "\U00020000" * 60], "bytes"),
    (["--name", "x" * 10_000], "at most 64 characters"),
    (["--name", "..\\..\\evil"], "must not contain"),
    (["--name", "evil\u202egnp"], "may contain only"),  # right-to-left override
])
def test_out_of_range_settings_and_hostile_names_exit_2_and_start_nothing(extra, message, tmp_path):
    r = train_cli(*TINY, *extra, "--run-dir", str(tmp_path / "run"))
    assert message in _one_error_line(r, 2)
    assert not (tmp_path / "run").exists()


@pytest.mark.slow
def test_unicode_model_name_and_a_batch_larger_than_the_data_train_on_tiny_subset(tmp_path):
    """--batch-size 4096 on 360 training images: one (smaller) batch per epoch, as Keras does."""
    r = train_cli(*TINY, "--batch-size", "4096", "--name", "Ziffern_数字", "--run-dir",
             str(tmp_path / "run"))
    assert r.returncode == 0, r.stderr
    st = runs.read_json(tmp_path / "run" / "status.json")
    assert st["state"] == "finished" and st["steps"] == 1
    assert [e.name for e in store.list_models() if not e.shipped] == ["Ziffern_数字"]
    assert store.load_meta("Ziffern_数字")["test_accuracy"] > 0.1


def test_hostile_model_paths_in_predict_are_one_line_errors(tmp_path):
    img = paths.ROOT / "tests" / "corpus" / "blank_white.png"
    for model in ("../../../etc/passwd", "/etc/passwd", "no_such_model", "x" * 5000):
        r = subprocess.run([sys.executable, "-m", "cnnweb", "predict", "--model", model, str(img)],
                           capture_output=True, text=True, cwd=paths.ROOT, check=False,
                           env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
        assert r.returncode in (1, 2) and "Traceback" not in r.stderr, (model, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1, (model, r.stderr)


# ------------------------------------------------------------------ folders that cannot be written

def test_a_model_store_that_cannot_be_written_is_refused_before_training(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CNNWEB_MODELS_DIR", str(blocker / "models"))   # mkdir fails, even as root
    r = train_cli(*TINY, "--run-dir", str(tmp_path / "run"))
    assert "model store" in _one_error_line(r, 2) and "cannot be written" in r.stderr
    assert not (tmp_path / "run").exists()
    at = open_page("trainer", timeout=60)                                   # the page says the same and starts nothing
    next(b for b in at.button if b.label == "Start training").click().run()
    assert any("cannot be written" in e.value for e in at.error), [e.value for e in at.error]
    assert jobs.list_runs() == [] and not at.exception


def test_a_run_folder_that_cannot_be_written_is_exit_1_with_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    r = train_cli(*TINY, "--run-dir", str(blocker / "run"))
    assert "cannot write the run folder" in _one_error_line(r, 1)


@pytest.mark.slow
def test_store_failing_at_save_time_keeps_the_model_in_the_run_folder_on_tiny_subset(
        tmp_path, monkeypatch):
    """The store turns read-only (or full) while the run trains: the trained model is kept in the
    run folder, the run says where; when even that fails, metrics and log are kept."""
    def read_only(*a, **k):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(store, "save_model", read_only)
    cfg = train.TrainConfig("mnist_cnn", "mnist", epochs=1, limit=400, data_path=SAMPLE,
                            name="kept")
    run_dir = train.prepare_run_dir(cfg, tmp_path / "run")
    assert train.run(cfg, run_dir, echo=False) == 1
    st = runs.read_json(run_dir / "status.json")
    assert st["state"] == "failed" and "Read-only file system" in st["reason"]
    assert str(run_dir / "model.keras") in st["reason"] and st["test_accuracy"] > 0.1
    kept = store.load_model(run_dir / "model.keras")           # it is a real, loadable model
    assert kept.count_params() > 0 and store.load_meta(run_dir / "model.json")["name"] == "model"
    assert runs.read_json(run_dir / "result.json")["model_path"] == str(run_dir / "model.keras")

    def disk_full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store, "save_model_to", disk_full)
    run_dir = train.prepare_run_dir(cfg, tmp_path / "run2")
    assert train.run(cfg, run_dir, echo=False) == 1
    st = runs.read_json(run_dir / "status.json")
    assert st["state"] == "failed" and st["reason"].startswith("failed: disk full")
    assert "metrics and log so far are kept" in st["reason"] and "model_name" not in st
    assert jobs.get_run(run_dir.name, run_dir.parent).epochs()       # the curves survive


def _enospc(*a, **k):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.slow
def test_disk_filling_up_after_the_model_is_saved_fails_disk_full_and_keeps_it_on_tiny_subset(
        tmp_path, monkeypatch):
    """The model goes into the store before the extras: a disk that is full by the time the
    misclassified examples are written costs those, not the model; the run ends 'failed: disk
    full' (in English and Chinese) and says where the model is."""
    monkeypatch.setattr(runs, "save_misclassified", _enospc)
    cfg = train.TrainConfig("mnist_cnn", "mnist", epochs=1, limit=400, data_path=SAMPLE,
                            name="saved_first")
    run_dir = train.prepare_run_dir(cfg, tmp_path / "run")
    assert train.run(cfg, run_dir, echo=False) == 1
    st = runs.read_status(run_dir)
    assert st["state"] == "failed" and st["reason"].startswith("failed: disk full")
    assert "saved_first" in st["reason"] and st["model_name"] == "saved_first"
    zh = runs.reason_text(st, lambda k, **a: i18n.t(k, lang="zh", **a))
    assert zh.startswith("失败") and "磁盘已满" in zh and "saved_first" in zh
    assert store.load_model("saved_first").count_params() > 0
    assert runs.read_json(run_dir / runs.RESULT)["name"] == "saved_first"
    assert not (run_dir / runs.MISCLASSIFIED).exists()
    assert "the error in full" in (run_dir / runs.LOG).read_text()   # traceback in log.txt only


def test_a_write_error_during_training_is_a_disk_full_failure_never_running():
    """What _run_in_turn records for an OSError anywhere in a run (the callback raises the
    first write error it met after fit): 'failed: disk full', with the model when it was
    saved; other errors keep their own words."""
    d = paths.runs_dir()
    full = OSError(errno.ENOSPC, "No space left on device")
    assert train._failure(full, d, {})["reason_key"] == "run.disk_full"
    kept = train._failure(full, d, {"name": "m", "path": "/x/m.keras"})
    assert kept["reason_key"] == "run.disk_full_kept" and kept["model_name"] == "m"
    assert train._failure(ValueError("bad"), d, {}) == {"reason": "ValueError: bad"}


def _dead_running_run(base, created_ago: float = 3600) -> "os.PathLike":
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()                                              # a pid that is gone
    d = base / "20250101-000000-mnist_cnn-mnist-dead00"
    d.mkdir(parents=True)
    runs.write_config(d, {"run_id": d.name, "arch": "mnist_cnn", "dataset": "mnist",
                          "created": time.time() - created_ago, "config": {"epochs": 2}})
    runs.write_json(d / runs.STATUS, {"state": "running", "pid": proc.pid})
    return d


@pytest.mark.parametrize("err", [errno.EROFS, errno.ENOSPC])
def test_readers_of_a_runs_folder_that_cannot_be_written_never_fail(err, monkeypatch):
    """A dead run in a read-only or full runs folder: list_runs, refresh and the Trainer page
    (every session) see it failed without writing; the page says the folder is not writable,
    in one line, in English and Chinese. (Before: OSError from set_status, a traceback.)"""
    d = _dead_running_run(paths.runs_dir())
    before = (d / runs.STATUS).read_bytes()

    def cannot(*a, **k):
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(atomic, "tmp_path", cannot)          # every new file fails
    if err == errno.ENOSPC:
        monkeypatch.setattr(runs, "disk_full", lambda folder: True)
    [r] = jobs.list_runs()
    assert r.state == "failed" and r.status["unsaved"] == os.strerror(err)
    assert r.reason.startswith("failed: disk full") == (err == errno.ENOSPC)
    assert jobs.refresh(d)["state"] == "failed"
    assert (d / runs.STATUS).read_bytes() == before          # nothing written, nothing raised
    for lang, words in (("en", "cannot be written"), ("zh", "无法写入")):
        at = open_page("trainer", timeout=60) if lang == "en" else _page_in("zh")
        said = [w.value for w in at.warning if words in w.value]
        assert len(said) == 1 and os.strerror(err) in said[0], [w.value for w in at.warning]
        assert at.error and not at.exception                 # the run is shown as failed


def _page_in(lang):
    return open_page("trainer", lang=lang, timeout=60)


def test_run_dir_of_a_run_still_training_is_refused_and_left_as_it_was(tmp_path):
    """--run-dir of a folder whose run another live process trains: exit 2, one line; its
    status, config and metrics stay byte for byte (before: overwritten)."""
    d = tmp_path / "busy"
    d.mkdir()
    proc = subprocess.Popen(SLEEPER)
    try:
        runs.write_config(d, {"run_id": "busy", "created": time.time(), "arch": "mnist_cnn"})
        runs.write_json(d / runs.STATUS, {"state": "running", **jobs.process_identity(proc.pid)})
        (d / runs.METRICS).write_text('{"type": "epoch", "epoch": 1, "loss": 0.5}\n')
        before = {f.name: f.read_bytes() for f in d.iterdir()}
        line = _one_error_line(train_cli(*TINY, "--run-dir", str(d)), 2)
        assert "still training" in line and f"pid {proc.pid}" in line
        assert {f.name: f.read_bytes() for f in d.iterdir()} == before
    finally:
        proc.kill()
        proc.wait()


# ------------------------------------------------------------------ concurrency and crashes

@pytest.mark.slow
def test_two_runs_started_at_once_with_one_name_both_keep_their_models_on_tiny_subset():
    """Two sessions press Start at the same moment with the same model name: both pass the
    name check, one trains while the other queues; the second to finish must not lose its
    model because the first took the name meanwhile."""
    cfg = train.TrainConfig("mnist_cnn", "mnist", epochs=1, limit=400, data_path=SAMPLE,
                            name="class_model")
    for c in (cfg, cfg):
        train.check_arch_and_name(c)                 # what each session's page checks first
    started = []
    threads = [threading.Thread(target=lambda: started.append(jobs.submit(cfg))) for _ in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    found = wait_until(lambda: all(jobs.get_run(r.id).state in runs.FINAL for r in started) and
                  [jobs.get_run(r.id) for r in started], timeout=180)
    assert [r.state for r in found] == ["finished", "finished"], [r.reason for r in found]
    names = sorted(r.result()["name"] for r in found)
    assert names[0] == "class_model" and names[1].startswith("class_model-")
    assert sorted(e.name for e in store.list_models() if not e.shipped) == names


@pytest.mark.slow
def test_app_server_killed_mid_training_the_run_goes_on_and_is_shown_after_restart():
    """A stand-in for the Streamlit server starts a run exactly as the page does (jobs.submit)
    and is SIGKILLed mid-training; the run (its own session) goes on, a restarted page shows it
    running with the epochs so far, and it finishes with its model."""
    code = ("import sys, time; from cnnweb import jobs, train; "
            f"cfg = train.TrainConfig('mnist_cnn', 'mnist', epochs=3, limit=3000, "
            f"data_path={SAMPLE!r}, name='survivor'); "
            "r = jobs.submit(cfg); print(r.id, flush=True); time.sleep(600)")
    server = subprocess.Popen([sys.executable, "-c", code], cwd=paths.ROOT, text=True,
                              stdout=subprocess.PIPE, env=dict(os.environ))
    run_id = server.stdout.readline().strip()
    try:
        wait_until(lambda: jobs.get_run(run_id).epochs(), timeout=120)   # mid-training
    finally:
        server.kill()                                   # SIGKILL (TerminateProcess on Windows)
        server.wait()
        server.stdout.close()
    run = jobs.get_run(run_id)
    assert run.state == "running", run.reason
    before = run.epochs()
    at = open_page("trainer", timeout=60)                                        # "restart": a fresh session and page
    assert at.session_state.tr_run == run_id and not at.exception
    assert any("Running" in m.value for m in at.markdown)
    done = wait_until(lambda: (r := jobs.get_run(run_id)).state in runs.FINAL and r, timeout=180)
    assert done.state == "finished", done.reason
    assert done.epochs()[: len(before)] == before      # nothing written before was lost
    assert store.load_meta("survivor")["run_id"] == run_id


@pytest.mark.slow
def test_metrics_file_garbled_while_a_run_trains_does_not_stop_it_on_tiny_subset(tmp_path):
    """Garbage appended to metrics.jsonl mid-run (a bad disk, a stray editor) costs those lines
    only: the run finishes and the good epochs are read back."""
    cfg = train.TrainConfig("mnist_cnn", "mnist", epochs=2, limit=1000, data_path=SAMPLE)
    run = jobs.submit(cfg)
    wait_until(lambda: (run.path / "metrics.jsonl").exists())
    with open(run.path / "metrics.jsonl", "ab") as f:
        f.write(b'\x00\xff{"type": "epoch", "epoch": 99\n[]\n')
    done = wait_until(lambda: (r := jobs.get_run(run.id)).state in runs.FINAL and r, timeout=180)
    assert done.state == "finished", done.reason
    assert [e["epoch"] for e in done.epochs()] == [1, 2]
    assert json.loads(json.dumps(dataclasses.asdict(runs.progress(done))))["fraction"] == 1.0


# ------------------------------------------------------------------ hostile links, broken data

@pytest.mark.parametrize("query", [
    {"layers": "garbage!!", "size": "-5", "ch": "abc"},
    {"size": "99999999", "ch": "100000"},
    {"layers": "conv:3:1:same:1:64," * 200, "view": "nonexistent", "size": "0"},
])
def test_explainer_survives_hostile_links(query):
    at = open_page("explainer", params=query, timeout=60)
    if "layers" in query:
        said = [m.value for m in [*at.warning, *at.error]]
        assert any("could not be read" in m for m in said), said


def test_pages_with_a_corrupt_dataset_file_say_so(tmp_path, monkeypatch):
    (tmp_path / "mnist.npz").write_bytes(b"PK\x03\x04 not really a zip")
    monkeypatch.setenv("CNNWEB_DATA_DIR", str(tmp_path))
    at = open_page("trainer", timeout=60)                                     # the Trainer (MNIST chosen by default)
    shown = [e.value for e in [*at.warning, *at.caption] if e.value.startswith("Data: ")]
    assert shown and str(tmp_path / "mnist.npz") in shown[0] and not at.exception
    at.switch_page("pages/home.py").run()
    assert not at.exception
    assert any(ui.md_text(tmp_path / "mnist.npz") in m.value for m in at.markdown)  # as text


# ------------------------------------------------------------------ responsiveness of the server

def test_loading_a_model_for_the_app_keeps_streamlits_after_rerun_gc_cheap():
    """Streamlit runs gc.collect(2) after every script run; with TensorFlow and a model loaded
    that took ~200 ms per rerun of any page. ui moves the loaded objects out of the collector's
    way (gc.freeze), so the objects it still tracks stay few."""
    import gc

    from cnnweb import ui

    path = paths.ROOT / "models" / "cnnweb_mnist.keras"
    if not path.exists():
        pytest.skip("the shipped cnnweb_mnist model is not there")
    try:
        ui._stored_model.clear()
        model = ui.load_stored_model(path)
        assert model.count_params() > 0
        assert gc.get_freeze_count() > 100_000          # TensorFlow, Keras and the model
        assert len(gc.get_objects()) < 20_000           # what a full collection still walks
    finally:
        gc.unfreeze()
