"""Runs on Ray (issue 14, "Beyond one machine"): with CNNWEB_RAY_ADDRESS=local (an embedded
Ray of 2 CPUs, started once for this module) a run is a Ray actor that writes the same run
folder as a local run, a stop works, and a killed Ray worker ends its run "failed: worker
lost" while the other run goes on. Without the variable nothing imports Ray.
All runs here are faked small: the shipped MNIST sample, 300 images."""

import json
import os
import subprocess
import sys

import psutil
import pytest

from cnnweb import cluster, i18n, jobs, paths, runs, train
from tests.helpers import wait_until

SAMPLE = str(paths.data_dir() / "mnist_sample.npz")


def _tiny(epochs=1, name=""):
    return train.TrainConfig("mnist_cnn", "mnist", epochs=epochs, limit=300, data_path=SAMPLE,
                             name=name)


@pytest.fixture(scope="module")
def ray_local():
    """An embedded Ray (2 CPUs, no dashboard, no worker logs in the test output) for the
    module, shut down after it."""
    pytest.importorskip("ray")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(cluster.ADDRESS_ENV, "local")
        cluster.connect()
        yield
        cluster.shutdown()


@pytest.fixture
def two_slots(monkeypatch):
    monkeypatch.setenv("CNNWEB_SLOTS", "2")
    monkeypatch.setenv("CNNWEB_THREADS_PER_RUN", "1")


def _ended(run):
    r = jobs.load_run(run.path)
    return r if r.state in runs.FINAL else None


def _training(run):
    """The run has trained a batch (a progress line) and its status names its process."""
    r = jobs.load_run(run.path)
    return r if r.state == "running" and r.metrics() and r.status.get("pid") else None


@pytest.mark.slow
def test_without_the_variable_a_tiny_faked_local_run_never_imports_ray():
    """Starting and training a run locally (the launcher and the training process in one
    interpreter) leaves `ray` out of sys.modules."""
    code = (
        "import sys, time\n"
        "from cnnweb import __main__ as cli, classroom, cluster, jobs, runs, train\n"
        "cfg = train.TrainConfig('mnist_cnn', 'mnist', epochs=1, limit=300, data_path=sys.argv[1])\n"
        "run = jobs.submit(cfg)\n"
        "jobs.request_stop(run.path)\n"
        "assert cli.main(['train', *cfg.argv(), '--limit', '200']) == 0\n"
        "jobs.list_runs(); cluster.enabled()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'ray'))\n")
    env = {k: v for k, v in os.environ.items() if k != cluster.ADDRESS_ENV}
    r = subprocess.run([sys.executable, "-c", code, SAMPLE], capture_output=True, text=True,
                       cwd=paths.ROOT, env={**env, "CNNWEB_SLOTS": "2"}, timeout=240,
                       check=False)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip().splitlines()[-1] == "[]"


def test_an_old_ray_record_without_the_variable_is_not_judged_and_imports_nothing(
        monkeypatch):
    monkeypatch.delenv(cluster.ADDRESS_ENV, raising=False)
    record = {"ray": cluster.PREFIX + "x", "namespace": cluster.NAMESPACE}
    absent = "ray" not in sys.modules
    assert cluster.alive(record) is None and cluster.stop(record) is False   # cannot tell
    assert not absent or "ray" not in sys.modules
    assert cluster.owns(record) and not cluster.owns({"pid": 5}) and not cluster.owns([])


def test_on_ray_the_slots_are_what_the_cluster_holds(ray_local, monkeypatch):
    monkeypatch.delenv("CNNWEB_SLOTS", raising=False)
    monkeypatch.setenv("CNNWEB_THREADS_PER_RUN", "1")
    assert jobs.settings().slots == 2                      # 2 CPUs, one each
    monkeypatch.setenv("CNNWEB_THREADS_PER_RUN", "2")
    assert (jobs.settings().slots, jobs.settings().threads) == (1, 2)


@pytest.mark.slow
def test_a_tiny_faked_run_on_ray_finishes_with_the_run_folder_a_local_run_has(
        ray_local, two_slots, monkeypatch):
    """The same tiny config once on Ray and once as a local process, at the same time: the
    same files in both folders, both finished, the Ray one says where it trained."""
    on_ray = jobs.submit(_tiny(name="on-ray"))
    monkeypatch.delenv(cluster.ADDRESS_ENV)
    local = jobs.submit(_tiny(name="local"))
    monkeypatch.setenv(cluster.ADDRESS_ENV, "local")
    launcher = runs.read_launcher(on_ray.path)
    assert cluster.owns(launcher) and "pid" not in launcher
    assert not cluster.owns(runs.read_launcher(local.path))
    ray_run = wait_until(lambda: _ended(on_ray), timeout=240)
    local_run = wait_until(lambda: _ended(local), timeout=240)
    assert ray_run.state == local_run.state == "finished", (ray_run.reason, local_run.reason)
    names = {p.name for p in ray_run.path.iterdir()}
    assert names == {p.name for p in local_run.path.iterdir()}
    assert {runs.CONFIG, runs.STATUS, runs.METRICS, runs.LOG, runs.RESULT,
            runs.MISCLASSIFIED} <= names
    assert len(ray_run.epochs()) == len(local_run.epochs()) == 1
    assert set(ray_run.result()) == set(local_run.result())
    assert 0.0 <= ray_run.result()["test_accuracy"] <= 1.0
    device = runs.message(ray_run.status, "device")
    assert isinstance(device, i18n.Msg) and device.key == "dev.run_ray"
    assert runs.message(local_run.status, "device").key != "dev.run_ray"
    assert "Ray 节点" in i18n.tr(device, "zh")
    wait_until(lambda: cluster.alive(launcher) is False, timeout=30)   # its actor left


@pytest.mark.slow
def test_a_killed_ray_worker_fails_only_its_run_and_the_other_stops_on_request(
        ray_local, two_slots):
    doomed, other = (jobs.submit(_tiny(epochs=60, name=n)) for n in ("doomed", "other"))
    victim = wait_until(lambda: _training(doomed), timeout=180)
    wait_until(lambda: _training(other), timeout=180)
    proc = psutil.Process(victim.status["pid"])
    assert "ray::" in " ".join(proc.cmdline())               # the Ray worker process itself
    proc.kill()
    lost = wait_until(lambda: _ended(doomed), timeout=60)
    assert lost.state == "failed" and lost.status["reason_key"] == "run.worker_lost"
    assert lost.reason.startswith("worker lost")
    assert runs.reason_text(lost.status, lambda k, **a: i18n.t(k, lang="zh", **a)).startswith(
        "工作进程丢失")
    assert jobs.load_run(other.path).state == "running"        # nothing else affected
    jobs.request_stop(other.path)
    stopped = wait_until(lambda: _ended(other), timeout=120)
    assert stopped.state == "stopped", stopped.reason
    assert json.loads((other.path / runs.STATUS).read_text())["state"] == "stopped"
    wait_until(lambda: cluster.alive(runs.read_launcher(other.path)) is False, timeout=30)
