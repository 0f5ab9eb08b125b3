"""cnnweb.jobs: background processes, the queue, dead-process detection, state read from disk."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from cnnweb import jobs, paths

SAMPLE = str(paths.data_dir() / "mnist_sample.npz")


def _wait(pred, timeout=120, step=0.2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = pred()
        if got:
            return got
        time.sleep(step)
    raise AssertionError("timed out")


def test_queue_sigkill_stop_while_queued_and_restart_on_tiny_runs():
    """Three tiny runs started at the same moment: one trains, the others queue; one queued run
    is stopped before it starts, the training one is SIGKILLed (-> failed, and the queue moves
    on), the last one trains to the end. A fresh process then sees all three from disk."""
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
        runs = jobs.list_runs(base)
        assert sum(r.state == "running" for r in runs) <= 1   # one at a time, always
        return next((r for r in runs if r.state == "running" and any(
            m["type"] == "progress" for m in r.metrics())), None)

    first = _wait(running_with_progress)
    cancel, survivor = [r for r in jobs.list_runs(base) if r.id != first.id]
    assert _wait(lambda: all("waiting for" in jobs.get_run(r.id).reason
                             for r in (cancel, survivor)))
    jobs.request_stop(cancel.id)
    assert _wait(lambda: jobs.get_run(cancel.id).state == "stopped")
    assert jobs.get_run(cancel.id).reason == "stopped before it started"

    os.kill(first.status["pid"], signal.SIGKILL)
    dead = _wait(lambda: (r := jobs.get_run(first.id)).state != "running" and r)
    assert dead.state == "failed"
    assert "killed" in dead.reason and f"pid {first.status['pid']}" in dead.reason

    def all_done():
        runs = jobs.list_runs(base)
        assert sum(r.state == "running" for r in runs) <= 1
        return all(r.state in jobs.FINAL for r in runs) and runs

    runs = {r.id: r for r in _wait(all_done, timeout=180)}
    assert runs[survivor.id].state == "finished", runs[survivor.id].reason
    assert runs[survivor.id].result()["test_accuracy"] > 0.5
    assert not (runs[cancel.id].path / "result.json").exists()

    # "restart": a new process reads the same folder and sees the same states
    code = ("import json; from cnnweb import jobs; "
            "print(json.dumps({r.id: r.state for r in jobs.list_runs()}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=paths.ROOT, env=dict(os.environ)).stdout
    assert json.loads(out) == {first.id: "failed", cancel.id: "stopped", survivor.id: "finished"}


def _fake_run(base: Path, name: str, status: dict, created: float | None = None) -> Path:
    d = base / name
    d.mkdir(parents=True)
    jobs.write_json(d / "config.json", {"run_id": name, "arch": "mnist_cnn", "dataset": "mnist",
                                        "created": created or time.time(),
                                        "config": {"epochs": 4}})
    jobs.write_json(d / "status.json", status)
    return d


def test_dead_or_reused_pid_and_never_started_runs_are_marked_failed(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()                                          # a pid that is gone
    d = _fake_run(tmp_path, "gone", {"state": "running", "pid": proc.pid})
    assert jobs.load_run(d).state == "failed"
    assert f"pid {proc.pid}" in jobs.load_run(d).reason
    # our own live pid, but with a different start time: the pid was reused -> not our run
    me = jobs.process_identity()
    d = _fake_run(tmp_path, "reused", {"state": "running", "pid": me["pid"],
                                       "pid_start": me["pid_start"] + 100})
    assert jobs.load_run(d).state == "failed"
    d = _fake_run(tmp_path, "alive", {"state": "running", **me})
    assert jobs.load_run(d).state == "running"
    d = _fake_run(tmp_path, "never", {"state": "queued"}, created=time.time() - 3600)
    r = jobs.load_run(d)
    assert r.state == "failed" and "never started" in r.reason
    d = _fake_run(tmp_path, "fresh", {"state": "queued"})
    assert jobs.load_run(d).state == "queued"


def test_progress_eta_and_tail_from_a_handwritten_metrics_file(tmp_path):
    d = _fake_run(tmp_path, "r", {"state": "running", **jobs.process_identity(), "epochs": 4,
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
    p = jobs.progress(jobs.load_run(d), now=now)
    assert (p["epoch"], p["epochs"], p["epochs_done"]) == (2, 4, 1)
    assert p["fraction"] == 1.5 / 4
    assert p["eta_s"] == 15.0 / (1.5 / 4) * (1 - 1.5 / 4)   # 25 s left at this pace
    assert p["images_per_s"] == 110.0 and len(p["tail"]) == 1
    assert p["device"].startswith("CPU only")
    assert jobs.fmt_duration(p["eta_s"]) == "25 s" and jobs.fmt_duration(3725) == "1 h 02 min"


def test_stop_request_needs_an_existing_run(tmp_path):
    import pytest
    with pytest.raises(ValueError, match="no run"):
        jobs.request_stop(tmp_path / "nothing")
    d = _fake_run(tmp_path, "x", {"state": "running"})
    jobs.request_stop(d)
    assert jobs.stop_requested(d)
