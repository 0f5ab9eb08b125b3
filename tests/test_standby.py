"""The warm worker (cnnweb.standby): a process with TensorFlow imported takes the next run, so
the first curve point comes without the import; it never starts while a run trains, is taken
by one launcher only, and leaves when it is not needed."""

import json
import os
import time

import psutil
import pytest

from cnnweb import config, jobs, runs, standby

pytestmark = pytest.mark.slow


@pytest.fixture
def warm(monkeypatch, tmp_path):
    monkeypatch.setenv("CNNWEB_STANDBY", "1")
    base = tmp_path / "runs"
    base.mkdir()
    yield base
    for p in psutil.process_iter(["cmdline"]):       # no worker outlives the test
        if str(standby.folder(base)) in " ".join(p.info["cmdline"] or []):
            p.kill()


def _ready(base, timeout=90):
    t = time.time()
    while time.time() - t < timeout:
        if found := standby.idle_workers(base):
            return found
        time.sleep(0.2)
    raise AssertionError("no standby worker became ready: "
                         + (standby.folder(base) / "standby.log").read_text()[-2000:])


def _tiny_cfg():
    return config.TrainConfig("mnist_cnn", "mnist", epochs=1, limit=256, batch_size=64,
                              val_split=0.25)


def _until_final(run, timeout=120):
    t = time.time()
    while time.time() - t < timeout:
        r = jobs.load_run(run.path)
        if r.state in runs.FINAL:
            return r
        time.sleep(0.3)
    raise AssertionError(f"run still {r.state}")


def test_a_ready_worker_takes_the_next_run_on_tiny_data_and_a_new_one_follows(warm):
    assert jobs.warm_up(base=warm)
    assert not jobs.warm_up(base=warm)              # one at a time, even while it starts
    (worker,) = _ready(warm)
    run = jobs.submit(_tiny_cfg(), base=warm)
    launcher = runs.read_launcher(run.path)
    assert launcher["warm"] and launcher["pid"] == worker["pid"]
    assert not standby.idle_workers(warm)            # taken: nobody else can have it
    done = _until_final(run)
    assert done.state == "finished", runs.read_status(run.path)
    assert runs.read_json(run.path / "result.json")["test_accuracy"] is not None
    (again,) = _ready(warm)                          # the finished worker started the next
    assert again["pid"] != worker["pid"]


def test_no_worker_starts_while_a_run_waits_or_trains(warm):
    d = runs.create_run_dir("mnist_cnn", "mnist", warm)
    runs.write_config(d, {"run_id": d.name, "arch": "mnist_cnn", "dataset": "mnist"})
    runs.set_status(d, state="running", **jobs.process_identity())   # this test "trains"
    assert not jobs.warm_up(base=warm)
    assert not standby.folder(warm).exists() or not any(standby.folder(warm).iterdir())


def test_a_dead_or_mismatched_worker_is_never_handed_a_run(warm, tmp_path):
    d = standby.folder(warm)
    d.mkdir()
    gone = psutil.Popen(["python3", "-c", "pass"])
    gone.wait()
    (d / f"{gone.pid}.idle").write_text(json.dumps({"pid": gone.pid, "pid_start": 1.0,
                                                     "import_env": {}}))
    me = jobs.process_identity()
    other = {k: None for k in standby.IMPORT_TIME_ENV} | {"TF_ENABLE_ONEDNN_OPTS": "0"}
    (d / f"{os.getpid()}.idle").write_text(json.dumps({**me, "import_env": other}))
    env = {k: None for k in standby.IMPORT_TIME_ENV}
    assert standby.take(env, ["--arch", "x"], tmp_path / "err", warm) is None
    assert not (d / f"{gone.pid}.idle").exists()     # the dead one's file is cleaned away
    assert (d / f"{os.getpid()}.idle").exists()      # a live one with other settings stays


def test_switched_off_nothing_is_started(warm, monkeypatch):
    monkeypatch.setenv("CNNWEB_STANDBY", "0")
    assert not jobs.warm_up(base=warm) and not standby.folder(warm).exists()
