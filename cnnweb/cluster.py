"""Runs on a Ray cluster, an optional extra (requirements-cluster.txt).

With CNNWEB_RAY_ADDRESS set (`auto`: the cluster this machine belongs to, `ray://host:10001`:
a remote head through Ray Client, `local`: an embedded one-machine Ray, for tests) each run
that a slot starts is a detached Ray actor, named after its run, on a worker with the run's
CPUs (CNNWEB_THREADS_PER_RUN) and GPUs (CNNWEB_RAY_GPUS_PER_RUN, default one when the cluster
has any, fractions allowed). The actor's worker process is the training process: it runs
`cnnweb.__main__.main(["train", ...])` as a spawned process would, writing the same run folder,
so the run folder (CNNWEB_RUNS_DIR) and the models folder (CNNWEB_MODELS_DIR) must be on
storage every node shares, and cnnweb at the same path on every node. A stop is the same stop
file; its escalation kills the actor. A run whose actor is gone while its status says it trains
lost its worker (jobs marks it "failed: worker lost").

jobs.py stays the one place of process control; this module only answers its three questions
for a run on Ray: launch, alive, stop. Without CNNWEB_RAY_ADDRESS nothing here imports Ray.
A local Ray is started from a thread of its own that lives as long as the process: Ray's
processes die with the thread that started them, and a Streamlit script's thread is short.
"""

from __future__ import annotations

import functools
import os
import socket
import sys
import threading
import time
from pathlib import Path

ADDRESS_ENV = "CNNWEB_RAY_ADDRESS"
NAMESPACE = "cnnweb"
PREFIX = "cnnweb-run-"            # actor name = PREFIX + run id
CONNECT_WAIT_S = 120.0            # starting a local Ray takes a few seconds, a loaded one more
CAPACITY_TTL_S = 30.0             # the cluster's size is asked again after this long
# what a run's actor gets of the launcher's environment (the rest is the launcher machine's)
PASSED_ENV = ("CNNWEB_", "TF_", "KERAS_", "OMP_", "PYTHONPATH", "PYTHONHASHSEED")
KEPT_LOCAL = ("CNNWEB_GPUS", "CUDA_VISIBLE_DEVICES")   # Ray picks the worker's GPUs itself
_lock = threading.Lock()
_capacity: dict = {}


class Unavailable(OSError):
    """Ray is not installed or the cluster cannot be reached (jobs: the run cannot start)."""


def address() -> str:
    return os.environ.get(ADDRESS_ENV, "").strip()


def enabled() -> bool:
    """Whether runs go to Ray (CNNWEB_RAY_ADDRESS is set)."""
    return bool(address())


def owns(record: dict) -> bool:
    """Whether a run's launcher record (launcher.json) is of a run launched on Ray."""
    name = record.get("ray") if isinstance(record, dict) else None
    return isinstance(name, str) and name.startswith(PREFIX)


def _ray():
    try:
        import ray
    except ImportError:
        raise Unavailable(f"{ADDRESS_ENV} is set but Ray is not installed "
                          f"(pip install -r requirements-cluster.txt)") from None
    return ray


def _init_kwargs(where: str) -> dict:
    common = {"namespace": NAMESPACE, "log_to_driver": False, "ignore_reinit_error": True}
    if where == "local":     # an embedded Ray on this machine, small: for tests
        return {**common, "num_cpus": os.cpu_count() or 1, "include_dashboard": False}
    return {**common, "address": where}


def connect():
    """The ray module, connected to the cluster (once per process; inside a Ray worker it
    already is). Unavailable when it cannot be; without CNNWEB_RAY_ADDRESS it never imports Ray
    (an old run's record that says Ray then gets "cannot tell", not a new local Ray)."""
    ray = sys.modules.get("ray")
    if ray is not None and ray.is_initialized():
        return ray
    if not enabled():
        raise Unavailable(f"{ADDRESS_ENV} is not set")
    ray = _ray()
    with _lock:
        if ray.is_initialized():
            return ray
        where, out, ready = address(), {}, threading.Event()

        def keeper():               # the thread that started Ray must outlive the process' use
            try:
                ray.init(**_init_kwargs(where))
            except Exception as e:  # noqa: BLE001  (Ray raises many kinds; all mean "cannot")
                out["error"] = e
            ready.set()
            if "error" not in out:
                threading.Event().wait()

        threading.Thread(target=keeper, name="cnnweb-ray", daemon=True).start()
        if not ready.wait(CONNECT_WAIT_S) or "error" in out:
            problem = out.get("error", "no answer")
            raise Unavailable(f"cannot connect to Ray at {where!r}: "
                              f"{str(problem).splitlines()[0][:200] if str(problem) else problem!r}")
    return ray


def shutdown() -> None:
    """Disconnect (a local Ray stops with it); the next use connects again."""
    ray = sys.modules.get("ray")
    with _lock:
        if ray is not None:
            ray.shutdown()
        _capacity.clear()


def _gpus_per_run(gpus_in_cluster: float) -> float:
    raw = os.environ.get("CNNWEB_RAY_GPUS_PER_RUN", "").strip()
    try:
        value = float(raw) if raw else (1.0 if gpus_in_cluster else 0.0)
    except ValueError:
        value = 1.0 if gpus_in_cluster else 0.0
    return max(0.0, value)


def capacity(threads: int) -> int:
    """How many runs the cluster holds at once: its GPUs over each run's share when it has
    GPUs, else its CPUs over `threads`; 1 when Ray cannot be asked (never raises)."""
    now = time.time()
    if _capacity.get("at", 0) > now - CAPACITY_TTL_S and _capacity.get("threads") == threads:
        return _capacity["slots"]
    try:
        total = connect().cluster_resources()
    except Exception:  # noqa: BLE001  (a reader never fails on the cluster)
        return 1
    gpus, per_gpu = float(total.get("GPU", 0)), _gpus_per_run(float(total.get("GPU", 0)))
    slots = int(gpus // per_gpu) if gpus and per_gpu else int(total.get("CPU", 1) // threads)
    _capacity.update(at=now, threads=threads, slots=max(1, slots))
    return _capacity["slots"]


# ------------------------------------------------------------------ the three questions

class _Trainer:
    """A run's actor: its worker process trains the run, as a spawned process would, and
    leaves when the run ends (its CPUs/GPUs and its name are free again)."""

    def train(self, argv: list[str], stderr: str) -> int:
        import ray

        from cnnweb import __main__ as cli
        from cnnweb import standby

        os.environ["CNNWEB_RAY_NODE"] = f"{socket.gethostname()} ({ray.util.get_node_ip_address()})"
        os.environ["CNNWEB_RAY_RUN"] = ray.get_runtime_context().get_actor_name() or ""
        standby.redirect_stderr(stderr)
        try:
            return cli.main(["train", *argv])
        finally:
            ray.actor.exit_actor()


@functools.cache
def _actor_class(ray):
    return ray.remote(_Trainer)


def _passed_env(env: dict) -> dict:
    return {k: str(v) for k, v in env.items()
            if k.startswith(PASSED_ENV) and k not in KEPT_LOCAL}


def launch(run_dir: Path, argv: list[str], env: dict, threads: int) -> dict:
    """Start `cnnweb train <argv>` for run_dir as a Ray actor with `threads` CPUs; the
    launcher record to keep (launcher.json). Unavailable when Ray cannot take it."""
    ray = connect()
    name = PREFIX + Path(run_dir).name
    try:
        gpus = _gpus_per_run(float(ray.cluster_resources().get("GPU", 0)))
        actor = _actor_class(ray).options(
            name=name, namespace=NAMESPACE, lifetime="detached", max_restarts=0,
            num_cpus=threads, num_gpus=gpus,
            runtime_env={"env_vars": _passed_env(env)}).remote()
        actor.train.remote(list(argv), str(Path(run_dir) / "stderr.txt"))
    except Exception as e:  # noqa: BLE001  (a taken name, a lost connection: it cannot start)
        raise Unavailable(f"Ray did not take the run: {str(e).splitlines()[0][:200]}") from None
    return {"ray": name, "namespace": NAMESPACE, "address": address(),
            "cpus": threads, "gpus": gpus}


def _actor(record: dict):
    """The run's live actor handle, None when it is gone; Unavailable when Ray cannot say."""
    ray = connect()
    try:
        return ray.get_actor(record["ray"], namespace=record.get("namespace") or NAMESPACE)
    except ValueError:      # Ray's answer for "no live actor of that name"
        return None
    except Exception as e:  # noqa: BLE001
        raise Unavailable(str(e).splitlines()[0][:200] if str(e) else repr(e)) from None


def alive(record: dict) -> bool | None:
    """Whether the run's actor lives (waiting for a worker counts): True, False, or None when
    Ray cannot be asked now (then nothing is concluded about the run)."""
    try:
        return _actor(record) is not None
    except Unavailable:
        return None


def stop(record: dict) -> bool:
    """Kill the run's actor (its worker process); True when there was one to kill."""
    try:
        actor = _actor(record)
        if actor is None:
            return False
        connect().kill(actor)
    except Exception:  # noqa: BLE001
        return False
    return True


def this_run() -> str:
    """Inside a run's actor: its actor name ("" elsewhere), so the run knows it is itself."""
    return os.environ.get("CNNWEB_RAY_RUN", "")
