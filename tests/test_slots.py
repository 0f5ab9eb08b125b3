"""Training slots (issue 14): N runs train at once, the rest wait as folders without a process,
caps say so in one sentence, a killed run frees its slot, each run gets its share of threads;
and the incremental metrics reader equals a full read."""

import json
import os
import subprocess
import sys
import time

import psutil
import pytest

from cnnweb import i18n, jobs, paths, runs, train
from tests.helpers import wait_until

SAMPLE = str(paths.data_dir() / "mnist_sample.npz")
SLEEP = [sys.executable, "-c", "import time; time.sleep(60)"]


def _tiny(owner="", **kw):
    """A tiny real run: 1 epoch on 300 images of the shipped MNIST sample."""
    return train.TrainConfig("mnist_cnn", "mnist", epochs=1, limit=300, data_path=SAMPLE,
                             owner=owner, **kw)


@pytest.fixture
def procs():
    """Processes a test starts (sleepers holding slots); all killed at the end."""
    started: list[subprocess.Popen] = []
    yield started
    for p in started:
        p.kill()
        p.wait()


def _held_slot(procs, name="holder", owner="") -> "os.PathLike":
    """A running run in the runs folder whose live process (a sleeper) holds a slot."""
    proc = subprocess.Popen(SLEEP)
    procs.append(proc)
    d = paths.runs_dir() / f"19990101-000000-{name}"
    d.mkdir(parents=True)
    runs.write_config(d, {"run_id": d.name, "arch": "mnist_cnn", "dataset": "mnist",
                          "created": time.time() - 100, "owner": owner})
    runs.set_status(d, state="running", slot=0, **jobs.process_identity(proc.pid))
    return d


def _children():
    return psutil.Process().children(recursive=True)


# ------------------------------------------------------------------ settings

def test_slots_and_thread_shares_default_from_the_hardware(monkeypatch):
    for name in ("CNNWEB_SLOTS", "CNNWEB_THREADS_PER_RUN", "CNNWEB_GPU_MEMORY_MB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CNNWEB_GPUS", "")                      # no GPU
    monkeypatch.setattr(os, "cpu_count", lambda: 16)
    s = jobs.settings()
    assert (s.slots, s.threads, s.gpus) == (7, 2, ())          # 15 cores for runs, 2 each
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    s = jobs.settings()
    assert (s.slots, s.threads) == (1, 2)                      # one run, every core, as today
    monkeypatch.setenv("CNNWEB_THREADS_PER_RUN", "4")
    monkeypatch.setattr(os, "cpu_count", lambda: 16)
    assert (jobs.settings().slots, jobs.settings().threads) == (3, 4)
    monkeypatch.setenv("CNNWEB_GPUS", "0,1")                   # one slot per GPU
    monkeypatch.setenv("CNNWEB_GPU_MEMORY_MB", "3000")
    s = jobs.settings()
    assert s.slots == 2 and s.gpus == ("0", "1") and s.gpu_memory_mb == 3000
    assert [jobs.share_env(s, i)["CUDA_VISIBLE_DEVICES"] for i in (0, 1)] == ["0", "1"]
    assert jobs.share_env(s, 1)["CNNWEB_SLOTS"] == "2"         # the same slots in the child
    monkeypatch.setenv("CNNWEB_SLOTS", "lots")
    assert jobs.settings().slots == 2                          # readers fall back
    with pytest.raises(ValueError, match="CNNWEB_SLOTS must be a whole number"):
        jobs.settings(strict=True)                             # a submit says so


# ------------------------------------------------------------------ caps and queued folders

def test_caps_refuse_with_a_sentence_in_both_languages_and_create_nothing(monkeypatch, procs):
    monkeypatch.setenv("CNNWEB_SLOTS", "1")
    monkeypatch.setenv("CNNWEB_MAX_QUEUED", "4")
    _held_slot(procs)
    jobs.submit(_tiny("ann"))
    jobs.submit(_tiny("ann"))
    with pytest.raises(ValueError) as caught:
        jobs.submit(_tiny("ann"))
    msg = caught.value.args[0]
    assert str(msg) == "ann already has 2 runs training or waiting, the most one student may " \
                       "have at once: wait until one ends, or stop one"
    assert i18n.tr(msg, "zh").startswith("ann 已有 2 个训练正在进行或排队")
    jobs.submit(_tiny("bob"))                # another student is not held back by ann
    jobs.submit(_tiny(""))                   # no owner (single-user mode): no per-student cap
    assert len(jobs.list_runs()) == 5
    with pytest.raises(ValueError, match="the training queue is full") as caught:
        jobs.submit(_tiny(""))
    assert caught.value.args[0].key == "run.queue_full"
    assert len(jobs.list_runs()) == 5        # nothing created by a refused submit


def test_the_command_line_refuses_a_run_past_the_cap_with_exit_2(monkeypatch, procs):
    monkeypatch.setenv("CNNWEB_SLOTS", "1")
    _held_slot(procs, owner="ann")
    jobs.submit(_tiny("ann"))
    r = subprocess.run([sys.executable, "-m", "cnnweb", "train", *_tiny().argv(), "--owner",
                        "ann"], check=False, capture_output=True, text=True, cwd=paths.ROOT, timeout=120,
                       env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "ann already has 2 runs" in lines[0] and "Traceback" not in r.stderr
    assert len(jobs.list_runs()) == 2


def test_queued_runs_have_no_process_and_a_stop_ends_them_at_once(monkeypatch, procs):
    """30 queued runs once held 1.6 GB (a process each); now a queued run is only a folder."""
    monkeypatch.setenv("CNNWEB_SLOTS", "1")
    _held_slot(procs)
    before = {p.pid for p in _children()}
    queued = [jobs.submit(_tiny()) for _ in range(5)]
    assert {p.pid for p in _children()} == before              # no process started
    for r in jobs.list_runs()[1:]:
        assert r.state == "queued" and jobs.awaiting(r) and r.reason == i18n.t("run.waiting")
        assert not (r.path / runs.LAUNCHER).exists() and "pid" not in r.status
    jobs.request_stop(queued[2].id)
    r = jobs.get_run(queued[2].id)
    assert r.state == "stopped" and r.reason == "stopped before it started" and r.status["ended"]
    assert {p.pid for p in _children()} == before


def test_a_killed_run_frees_its_slot_for_the_oldest_waiting_run(monkeypatch, procs):
    """The slot holder is SIGKILLed: the next reader finds it dead, marks it failed and starts
    the oldest waiting run (not the newer one) in the freed slot, with its share of threads.
    The training process is stood in for by a sleeper, so no TensorFlow starts."""
    monkeypatch.setenv("CNNWEB_SLOTS", "1")
    spawned = []
    real_spawn = jobs._spawn

    def fake_spawn(cmd, env, err):
        spawned.append((cmd, env))
        proc = real_spawn(SLEEP, env, err)
        procs.append(proc)
        return proc

    monkeypatch.setattr(jobs, "_spawn", fake_spawn)
    holder = _held_slot(procs)
    older, newer = jobs.submit(_tiny()), jobs.submit(_tiny())
    assert not spawned
    procs[0].kill()
    procs[0].wait()
    found = {r.id: r for r in jobs.list_runs()}
    assert found[holder.name].state == "failed"
    assert jobs.get_run(older.id).state == "running" and jobs.get_run(newer.id).state == "queued"
    [(cmd, env)] = spawned
    assert cmd[-1] == str(older.path) and env["CNNWEB_RUN_THREADS"] == str(jobs.settings().threads)
    st = jobs.get_run(older.id).status
    assert st["slot"] == 0 and st["launched"] and jobs.is_alive(**jobs.process_identity(
        runs.read_launcher(older.path)["pid"]))
    # the started run is killed in turn: the newer one gets the slot
    procs[-1].kill()
    procs[-1].wait()
    jobs.list_runs()
    assert jobs.get_run(older.id).state == "failed" and jobs.get_run(newer.id).state == "running"
    assert len(spawned) == 2


def test_a_hostile_waiting_folder_is_failed_not_started(monkeypatch, procs):
    monkeypatch.setenv("CNNWEB_SLOTS", "1")
    d = paths.runs_dir() / "20000101-000000-hostile"
    d.mkdir(parents=True)
    runs.write_config(d, {"created": 1.0, "argv": ["--arch", 7]})
    runs.set_status(d, state="queued", awaiting_slot=True)
    before = {p.pid for p in _children()}
    jobs.fill_slots()
    r = jobs.get_run(d.name)
    assert r.state == "failed" and "cannot be started" in r.reason
    assert {p.pid for p in _children()} == before


# ------------------------------------------------------------------ real tiny runs in parallel

@pytest.mark.slow
def test_two_slots_two_tiny_runs_overlap_and_a_third_waits_for_one_to_end(monkeypatch):
    """CNNWEB_SLOTS=2, three tiny real runs (1 epoch, 300 images) submitted at once: the first
    two train at the same time (their [launched, ended] intervals overlap), the third is
    launched only after one of them ended, and never more than two run at once."""
    monkeypatch.setenv("CNNWEB_SLOTS", "2")
    a, b, c = (jobs.submit(_tiny(name=f"slot-{i}")) for i in range(3))
    peak = 0

    def all_done():
        nonlocal peak
        found = jobs.list_runs()
        peak = max(peak, sum(r.state == "running" for r in found))
        return all(r.state in runs.FINAL for r in found) and {r.id: r for r in found}

    found = wait_until(all_done, timeout=300, step=0.3)
    for r in found.values():
        assert r.state == "finished", r.reason
    ra, rb, rc = (found[x.id].status for x in (a, b, c))
    assert ra["launched"] < rb["ended"] and rb["launched"] < ra["ended"]     # overlap
    assert rc["launched"] >= min(ra["ended"], rb["ended"])                   # waited
    assert peak <= 2 and {ra["slot"], rb["slot"]} == {0, 1}
    threads = jobs.settings().threads
    assert all(found[x.id].status["share"]["threads"] == threads for x in (a, b, c))
    assert f"{threads} CPU thread{'' if threads == 1 else 's'} for this run" in ra["device"]


# ------------------------------------------------------------------ the incremental reader

def _lines(rows):
    return "".join(json.dumps(r) + "\n" for r in rows)


def test_incremental_metrics_reader_equals_a_full_read_after_appends_truncation_and_partial_lines(
        tmp_path, monkeypatch):
    path = tmp_path / "metrics.jsonl"
    rows = [{"type": "progress", "epoch": 1, "batch": i, "batches": 500, "loss": 1.0 / (i + 1)}
            for i in range(500)]
    path.write_text(_lines(rows[:300]))

    def same():
        got = runs.read_jsonl(path)
        assert got == runs.read_jsonl(path, cached=False)
        return got

    assert len(same()) == 300
    parsed = []
    real = runs._json_rows
    monkeypatch.setattr(runs, "_json_rows", lambda text, keep=None: (
        parsed.append(len(text)), real(text, keep))[1])
    with open(path, "a") as f:
        f.write(_lines(rows[300:302]) + '{"type": "progress", "ep')           # mid-append
    assert len(runs.read_jsonl(path)) == 302
    assert sum(parsed) < 300                         # only the new tail was parsed, not the file
    assert len(same()) == 302
    with open(path, "a") as f:
        f.write('och": 1, "batch": 302, "batches": 500}\n' + "garbage\n\x00\xff\n[1]\n")
    assert len(same()) == 303 and same()[-1]["batch"] == 302
    path.write_text(_lines(rows[:10]))                                       # truncated
    assert same() == rows[:10]
    other = tmp_path / "new.jsonl"
    other.write_text(_lines(rows[:50]))
    other.replace(path)                                                      # rotated
    assert same() == rows[:50]
    text = path.read_text()                          # rewritten in place, longer: same inode
    with open(path, "r+") as f:
        f.write(text.replace('"batch": 49', '"batch": 99'))
        f.write(_lines(rows[50:60]))
    assert len(same()) == 60 and same()[49]["batch"] == 99
    with open(path, "a", newline="") as f:
        f.write('{"type": "epoch", "epoch": 1}\r\n{"type": "epoch", "epoch": 2}')  # no newline
    assert same()[-2:] == [{"type": "epoch", "epoch": 1}, {"type": "epoch", "epoch": 2}]
    path.unlink()
    assert runs.read_jsonl(path) == []


def test_a_run_watched_while_it_grows_shows_the_same_progress_as_a_fresh_reader(tmp_path):
    d = tmp_path / "r"
    d.mkdir()
    runs.write_config(d, {"created": time.time(), "config": {"epochs": 3}})
    runs.set_status(d, state="finished", epochs=3)
    for e in range(1, 4):
        runs.append_metric(d, {"type": "progress", "epoch": e, "batch": 5, "batches": 10,
                               "loss": 1.0, "elapsed": e, "time": 100.0 + e})
        runs.append_metric(d, {"type": "epoch", "epoch": e, "loss": 1.0 / e, "val_loss": 1.1})
        watched = runs.progress(jobs.load_run(d), now=200.0)
        fresh = [r for r in map(runs._metric_row, runs.read_jsonl(d / runs.METRICS,
                                                                  cached=False)) if r]
        assert jobs.load_run(d).metrics() == fresh
        assert [r["epoch"] for r in watched.epoch_rows] == list(range(1, e + 1))


# ------------------------------------------------------------------ the Trainer page

def test_the_trainer_page_shows_a_full_queue_as_one_line_and_starts_nothing(monkeypatch, procs):
    """(The Chinese sentence is checked through i18n above: AppTest cannot click Start on the
    zh page, its preset selectbox's translated options trip AppTest's widget state.)"""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("CNNWEB_SLOTS", "1")
    monkeypatch.setenv("CNNWEB_MAX_QUEUED", "1")
    _held_slot(procs)
    jobs.submit(_tiny())
    at = AppTest.from_file(str(paths.ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/trainer.py").run()
    next(b for b in at.button if b.label == "Start training").click().run()
    assert not at.exception, at.exception
    said = [e.value for e in at.error]
    assert len(said) == 1 and "\n" not in said[0], said     # (escaped as text: ui.md_text)
    assert said[0].replace("\\", "") == ("Cannot start: the training queue is full (1 run is "
                                        "waiting already): try again when one has started")
    assert len(jobs.list_runs()) == 2
