"""cnnweb.jobs: background processes, the queue, dead-process detection, state read from disk."""

import json
import os
import subprocess
import sys
import threading
import time

import psutil
import pytest

from cnnweb import jobs, paths, runs
from tests.helpers import SLEEPER, fake_run, silent_running_run, wait_until

SAMPLE = str(paths.data_dir() / "mnist_sample.npz")


@pytest.mark.slow
def test_queue_sigkill_stop_while_queued_and_restart_on_tiny_runs(monkeypatch):
    """Three tiny runs started at the same moment with one slot: one trains, the others queue;
    one queued run is stopped before it starts, the training one is SIGKILLed (-> failed, and
    the queue moves on), the last one trains to the end. A fresh process then sees all three
    from disk."""
    monkeypatch.setenv("CNNWEB_SLOTS", "1")
    base = paths.runs_dir()
    started = []

    def go(i):
        argv = ["--arch", "mnist_cnn", "--dataset", "mnist", "--epochs", "2", "--limit", "1500",
                "--data-path", SAMPLE, "--name", f"queued-{i}"]
        started.append(jobs.start(argv, "mnist_cnn", "mnist"))

    threads = [threading.Thread(target=go, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({r.id for r in started}) == 3          # no two share a folder

    def running_with_progress():
        found = jobs.list_runs(base)
        assert sum(r.state == "running" for r in found) <= 1   # one at a time, always
        return next((r for r in found if r.state == "running" and any(
            m["type"] == "progress" for m in r.metrics())), None)

    first = wait_until(running_with_progress)
    cancel, survivor = [r for r in jobs.list_runs(base) if r.id != first.id]
    assert wait_until(lambda: all("waiting for" in jobs.get_run(r.id).reason
                             for r in (cancel, survivor)))
    jobs.request_stop(cancel.id)
    assert wait_until(lambda: jobs.get_run(cancel.id).state == "stopped")
    assert jobs.get_run(cancel.id).reason == "stopped before it started"

    psutil.Process(first.status["pid"]).kill()          # SIGKILL; TerminateProcess on Windows
    dead = wait_until(lambda: (r := jobs.get_run(first.id)).state != "running" and r)
    assert dead.state == "failed"
    assert "killed" in dead.reason and f"pid {first.status['pid']}" in dead.reason

    def all_done():
        found = jobs.list_runs(base)
        assert sum(r.state == "running" for r in found) <= 1
        return all(r.state in runs.FINAL for r in found) and found

    found = {r.id: r for r in wait_until(all_done, timeout=180)}
    assert found[survivor.id].state == "finished", found[survivor.id].reason
    assert found[survivor.id].result()["test_accuracy"] > 0.5
    assert not (found[cancel.id].path / "result.json").exists()

    # "restart": a new process reads the same folder and sees the same states
    code = ("import json; from cnnweb import jobs; "
            "print(json.dumps({r.id: r.state for r in jobs.list_runs()}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=paths.ROOT, env=dict(os.environ)).stdout
    assert json.loads(out) == {first.id: "failed", cancel.id: "stopped", survivor.id: "finished"}


def test_dead_or_reused_pid_and_never_started_runs_are_marked_failed(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()                                          # a pid that is gone
    d = fake_run(tmp_path, "gone", {"state": "running", "pid": proc.pid})
    assert jobs.load_run(d).state == "failed"
    assert f"pid {proc.pid}" in jobs.load_run(d).reason
    # our own live pid, but with a different start time: the pid was reused -> not our run
    me = jobs.process_identity()
    d = fake_run(tmp_path, "reused", {"state": "running", "pid": me["pid"],
                                       "pid_start": me["pid_start"] + 100})
    assert jobs.load_run(d).state == "failed"
    d = fake_run(tmp_path, "alive", {"state": "running", **me})
    assert jobs.load_run(d).state == "running"
    d = fake_run(tmp_path, "never", {"state": "queued"}, created=time.time() - 3600)
    r = jobs.load_run(d)
    assert r.state == "failed" and "never started" in r.reason
    d = fake_run(tmp_path, "fresh", {"state": "queued"})
    assert jobs.load_run(d).state == "queued"


def test_progress_eta_and_tail_from_a_handwritten_metrics_file(tmp_path):
    d = fake_run(tmp_path, "r", {"state": "running", **jobs.process_identity(), "epochs": 4,
                                  "device": "CPU only (2 cores)"})
    now = 1000.0
    lines = [
        {"type": "progress", "epoch": 1, "batch": 10, "batches": 10, "loss": 1.0,
         "accuracy": 0.5, "elapsed": 10.0, "time": now - 20, "images_per_s": 100.0},
        {"type": "epoch", "epoch": 1, "loss": 1.0, "accuracy": 0.5, "val_loss": 1.1,
         "val_accuracy": 0.4, "images_per_s": 100.0, "elapsed": 10.0, "time": now - 20},
        {"type": "progress", "epoch": 2, "batch": 5, "batches": 10, "loss": 0.8,
         "accuracy": 0.6, "elapsed": 15.0, "time": now, "images_per_s": 110.0},
    ]
    (d / "metrics.jsonl").write_text("\n".join(json.dumps(x) for x in lines)
                                     + '\n{"type": "progr')                # half-written line
    p = runs.progress(jobs.load_run(d), now=now)
    assert (p.epoch, p.epochs, p.epochs_done) == (2, 4, 1)
    assert p.fraction == 1.5 / 4
    assert p.eta_s == 15.0 / (1.5 / 4) * (1 - 1.5 / 4)   # 25 s left at this pace
    assert p.images_per_s == 110.0 and len(p.tail) == 1
    assert p.device.startswith("CPU only")
    assert runs.fmt_duration(p.eta_s) == "25 s" and runs.fmt_duration(3725) == "1 h 02 min"


def test_stop_request_needs_an_existing_run(tmp_path):
    with pytest.raises(ValueError, match="no run"):
        jobs.request_stop(tmp_path / "nothing")
    d = fake_run(tmp_path, "x", {"state": "running"})
    jobs.request_stop(d)
    assert runs.stop_requested(d)


# ------------------------------------------------------------------ tiny processes, no training

@pytest.fixture
def sleeper():
    """A tiny live process that is not a training run (it writes nothing)."""
    proc = subprocess.Popen(SLEEPER)
    yield proc
    proc.kill()
    proc.wait()


def test_a_reused_pid_counts_as_dead_and_does_not_block_the_queue(tmp_path, sleeper):
    """A queued run whose launcher pid now belongs to another live process (pid reuse after a
    crash or reboot): the start time recorded with the pid does not match, so the run failed,
    and a newer run gets its turn at once instead of waiting behind it forever."""
    other = jobs.process_identity(sleeper.pid)
    assert other["pid_start"] is not None and jobs.is_alive(**other)
    old = fake_run(tmp_path, "old", {"state": "queued"}, created=time.time() - 5)
    runs.write_launcher(old, {"pid": sleeper.pid, "pid_start": other["pid_start"] - 3600})
    new = fake_run(tmp_path, "new", {"state": "queued"})
    with jobs.queue_turn(new, poll_s=0.05) as turn:
        assert turn is True
    assert jobs.load_run(old).state == "failed"
    assert f"pid {sleeper.pid}" in jobs.load_run(old).reason
    # the same pid with its true start time is alive, in status.json as in launcher.json
    d = fake_run(tmp_path, "true", {"state": "running", **other})
    assert jobs.load_run(d).state == "running"
    d = fake_run(tmp_path, "reused", {"state": "running", "pid": sleeper.pid,
                                       "pid_start": other["pid_start"] + 100})
    assert jobs.load_run(d).state == "failed"


def test_a_run_started_by_hand_waits_for_the_slot_and_gets_it_when_the_first_ends(
        tmp_path, monkeypatch):
    """One slot: a running run holds it (its turn comes at once), a run started by hand in its
    own process says who it waits for and gets the turn when the first one's run ends."""
    monkeypatch.setenv("CNNWEB_SLOTS", "1")
    first = fake_run(tmp_path, "first", {"state": "running", **jobs.process_identity()})
    second = fake_run(tmp_path, "second", {"state": "queued"})
    told, order = [], []
    with jobs.queue_turn(first) as turn:
        assert turn

        def wait_turn():
            with jobs.queue_turn(second, on_wait=told.append, poll_s=0.05) as t:
                order.append(("second", t))

        th = threading.Thread(target=wait_turn)
        th.start()
        wait_until(lambda: told, timeout=10, step=0.05)
        time.sleep(0.2)
        assert not order                                  # still waiting
        order.append(("first done", True))
        runs.set_status(first, state="finished")
    th.join(10)
    assert told == [["first"]] and order == [("first done", True), ("second", True)]


def test_a_stopped_process_is_flagged_not_responding_after_n_times_its_usual_interval(
        tmp_path, sleeper):
    """Progress every 0.5 s: silent for more than max(10 x 0.5 s, 60 s) = 60 s is 'not
    responding'; 59 s is not yet. A slow run (a line every 10 s) gets 10 x 10 s = 100 s."""
    now = time.time()
    assert (runs.SILENT_TIMES, runs.SILENT_MIN_S) == (10, 60.0)
    fast = jobs.load_run(silent_running_run(tmp_path, sleeper, 0.5, 0.0, now))
    assert runs.progress(fast, now=now + 59).silence is None
    s = runs.progress(fast, now=now + 61).silence
    assert s and s.usual_s == 0.5 and s.limit_s == 60.0 and 60.9 < s.seconds < 61.1
    slow = jobs.load_run(silent_running_run(tmp_path, sleeper, 10.0, 0.0, now))
    assert runs.progress(slow, now=now + 90).silence is None
    assert runs.progress(slow, now=now + 101).silence.limit_s == 100.0
    finished = runs.Run(fast.id, fast.path, fast.config, {**fast.status, "state": "finished"})
    assert runs.progress(finished, now=now + 1000).silence is None


def test_stop_escalates_to_terminate_then_kill_for_a_suspended_process(
        tmp_path, sleeper, monkeypatch):
    """A SIGSTOPed training process (psutil suspend: SIGSTOP, or SuspendThread on Windows) never
    reads its stop file. After the grace period Stop terminates it (a stopped process does not
    act on SIGTERM), after another one kills it; the run ends 'stopped' by force, and each
    step is written in its status."""
    monkeypatch.setattr(jobs, "STOP_GRACE_S", 1.0)
    psutil.Process(sleeper.pid).suspend()
    d = silent_running_run(tmp_path, sleeper, 0.5, 120.0, time.time())
    jobs.request_stop(d)
    r = jobs.load_run(d)
    assert r.state == "running" and not r.status.get("forced")
    time.sleep(1.1)
    st = jobs.load_run(d).status
    assert st["forced"] == "terminate" and "terminate signal" in st["reason"]
    if os.name != "nt":        # Windows' terminate ends it at once; POSIX SIGTERM waits, pending
        assert sleeper.poll() is None
        time.sleep(1.1)
        st = jobs.load_run(d).status
        assert st["forced"] == "kill" and "killed it" in st["reason"]
    sleeper.wait(10)
    r = jobs.load_run(d)
    assert r.state == "stopped" and "stopped by force" in r.reason and r.status["ended"]
    assert runs.reason_text(r.status, lambda k, **a: f"{k}{sorted(a)}") == \
        "run.stop_forced['grace']"


def test_a_run_that_answers_its_stop_is_never_forced(tmp_path, sleeper, monkeypatch):
    """Writing anything after the stop (finishing the batch, evaluating, saving) is an answer."""
    monkeypatch.setattr(jobs, "STOP_GRACE_S", 0.2)
    d = silent_running_run(tmp_path, sleeper, 0.5, 120.0, time.time())
    jobs.request_stop(d)
    old = time.time() - 1
    os.utime(d / runs.STOP, (old, old))
    runs.report(d, reason="evaluating on the test set")      # the run's own heartbeat
    time.sleep(0.3)
    assert not jobs.load_run(d).status.get("forced") and sleeper.poll() is None


def test_process_control_imports_and_works_without_fcntl_or_proc():
    """Windows has no fcntl; nothing in jobs/runs/train may need it (nor /proc) at import or
    to tell a live process from a dead one."""
    code = ("import sys; sys.modules['fcntl'] = None\n"
            "import subprocess, time\n"
            "from cnnweb import jobs, runs, train\n"
            "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)'])\n"
            "me = jobs.process_identity(p.pid); assert jobs.is_alive(**me)\n"
            "p.kill(); p.wait(); assert not jobs.is_alive(**me)\n"
            "print('ok')")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       cwd=paths.ROOT, check=False, timeout=60)
    assert r.stdout.strip() == "ok", r.stderr


def test_children_that_end_on_their_own_are_collected_and_keep_their_exit(tmp_path):
    # a finished run or an idle warm worker ends by itself; nobody asked about it, so it
    # stayed a zombie of the server until the server ended
    with open(tmp_path / "err", "wb") as err:
        proc = jobs._spawn([sys.executable, "-c", "raise SystemExit(3)"], dict(os.environ), err)
    wait_until(lambda: psutil.Process(proc.pid).status() == psutil.STATUS_ZOMBIE
               if psutil.pid_exists(proc.pid) else True, timeout=30)
    jobs.collect_children()
    assert not psutil.pid_exists(proc.pid) or \
        psutil.Process(proc.pid).status() != psutil.STATUS_ZOMBIE
    assert jobs._exit_of_child(proc.pid) == "exited with code 3"
