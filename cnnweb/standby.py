"""A warm worker: one idle process with TensorFlow already imported takes the next run.

Starting `python -m cnnweb train` costs seconds before the first batch (most of it importing
TensorFlow and Keras), so a run's first curve point came ~8 s after Start. A standby process
pays that cost ahead, while nothing trains, and then waits, doing nothing, for a job file. The
launcher (cnnweb.jobs) hands a run to it instead of spawning a new process:

  <runs>/.standby/<pid>.idle     written by a ready worker: {"pid", "pid_start", "since"}
  <runs>/.standby/<pid>.claimed  the launcher renamed .idle to this: an atomic claim, so two
                                 launchers never take one worker (a failed rename = taken)
  <runs>/.standby/<pid>.job      then written by the launcher: {"argv", "env", "stderr"}

The worker then runs exactly what a fresh process would (`cnnweb.__main__.main(["train",
...])`) with the run's environment and stderr file, and exits when the run ends. A new standby
is started only while nothing trains (the end of a run, or a page that finds the runs idle),
so it never takes CPU from a run's first epoch. At most one waits per runs folder; it exits on
its own after IDLE_S, or when its folder is gone. CNNWEB_STANDBY=0 turns all of this off.
Portable: files, renames and psutil only.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from pathlib import Path

from cnnweb import atomic, paths

IDLE_S = 20 * 60         # an unused standby exits after this long
POLL_S = 0.05            # how often a standby looks for its job file
CLAIM_WAIT_S = 10.0      # a claimed worker waits this long for the job file, then exits
FOLDER = ".standby"
# read once, when TensorFlow is imported: a worker takes only runs that agree with it on these
IMPORT_TIME_ENV = ("TF_ENABLE_ONEDNN_OPTS", "TF_CPP_MIN_LOG_LEVEL", "KERAS_BACKEND",
                   "TF_XLA_FLAGS", "PYTHONHASHSEED")


def enabled() -> bool:
    return os.environ.get("CNNWEB_STANDBY", "1").strip() not in ("0", "false", "no", "off")


def folder(base: Path | None = None) -> Path:
    return Path(base or paths.runs_dir()) / FOLDER


def _read(path: Path) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            value = json.loads(f.read(10_000))
        return value if isinstance(value, dict) else {}
    except (OSError, ValueError):
        return {}


def _write(path: Path, obj: dict) -> None:
    tmp = atomic.tmp_path(path.parent, path.name)
    tmp.write_text(json.dumps(obj), encoding="utf-8")
    atomic.replace(tmp, path)


def _alive(record: dict) -> bool:
    from cnnweb import jobs

    return jobs.is_alive(record.get("pid") if isinstance(record.get("pid"), int) else None,
                         record.get("pid_start"))


def idle_workers(base: Path | None = None) -> list[dict]:
    """Live, ready standby workers; files of dead ones are removed on the way."""
    out = []
    for p in sorted(folder(base).glob("*.idle")):
        rec = _read(p)
        if _alive(rec):
            out.append({**rec, "file": p})
        else:
            with contextlib.suppress(OSError):
                p.unlink()
    return out


def take(env: dict, argv: list[str], stderr: Path, base: Path | None = None) -> dict | None:
    """Hand a run (`train` argv, its environment and stderr file) to a ready worker: its
    {"pid", "pid_start"}, or None when there is none (then the caller spawns a process)."""
    if not enabled():
        return None
    wanted = {k: env.get(k) for k in IMPORT_TIME_ENV}
    for rec in idle_workers(base):
        if rec.get("import_env") != wanted:
            continue
        claimed = rec["file"].with_suffix(".claimed")
        try:
            os.rename(rec["file"], claimed)          # atomic: only one launcher succeeds
        except OSError:
            continue
        _write(rec["file"].with_suffix(".job"),
               {"argv": list(argv), "env": dict(env), "stderr": str(stderr)})
        return {"pid": rec["pid"], "pid_start": rec.get("pid_start")}
    return None


def _starting(base: Path | None) -> bool:
    """A standby was started moments ago and is still importing TensorFlow."""
    rec = _read(folder(base) / "starting")
    return bool(rec) and _alive(rec) and time.time() - rec.get("since", 0) < 120


def ensure(env: dict | None = None, base: Path | None = None, found=None) -> bool:
    """Start a standby worker unless one is ready or starting, or a run is training or waiting
    (importing TensorFlow takes a few CPU-seconds a run should have); True if one started.
    found: the runs folder's runs when the caller has just listed them."""
    if not enabled():
        return False
    d = folder(base)
    try:
        from cnnweb import jobs

        if any(r.active for r in (jobs.list_runs(base) if found is None else found)):
            return False
        d.mkdir(parents=True, exist_ok=True)
        if idle_workers(base) or _starting(base):
            return False

        full = {**os.environ, **(env or {})}
        full["PYTHONPATH"] = os.pathsep.join(
            [str(paths.ROOT)] + [p for p in full.get("PYTHONPATH", "").split(os.pathsep) if p])
        with open(d / "standby.log", "ab") as err:
            proc = jobs._spawn([sys.executable, "-m", "cnnweb.standby", str(d)], full, err)
        _write(d / "starting", {**jobs.process_identity(proc.pid), "since": time.time()})
        return True
    except OSError:
        return False                                 # a read-only runs folder: no standby


# ------------------------------------------------------------------ the worker process

def _wait_for_job(d: Path, me: dict, spawned_env: dict) -> dict | None:
    """Ready and waiting: the job handed over, or None after IDLE_S or without a folder."""
    idle, job = d / f"{me['pid']}.idle", d / f"{me['pid']}.job"
    _write(idle, {**me, "since": time.time(),
                  "import_env": spawned_env})
    deadline = time.time() + IDLE_S
    while time.time() < deadline and d.is_dir():
        if job.exists():
            break
        time.sleep(POLL_S)
    else:
        try:
            os.rename(idle, d / f"{me['pid']}.gone")  # not claimed meanwhile: leave
            (d / f"{me['pid']}.gone").unlink()
            return None
        except OSError:                              # claimed just now: the job is coming
            pass
    until = time.time() + CLAIM_WAIT_S
    while not job.exists() and time.time() < until:
        time.sleep(POLL_S)
    rec = _read(job)
    for p in (job, d / f"{me['pid']}.claimed"):
        with contextlib.suppress(OSError):
            p.unlink()
    return rec if isinstance(rec.get("argv"), list) and isinstance(rec.get("env"), dict) else None


def redirect_stderr(path: str) -> None:
    """The run's stderr file becomes this process's fd 2, as if it had been spawned with it."""
    sys.stderr.flush()
    with open(path, "ab") as f:
        os.dup2(f.fileno(), 2)


def serve(d: Path) -> int:
    """The worker: import what training needs, wait for a job, run it, leave."""
    spawned_env = {k: os.environ.get(k) for k in IMPORT_TIME_ENV}   # before any default is set
    import keras  # noqa: F401  (the point of a standby: these imports are paid ahead)
    import tensorflow  # noqa: F401

    from cnnweb import __main__ as cli
    from cnnweb import jobs, monitor, train  # noqa: F401

    me = jobs.process_identity()
    with contextlib.suppress(OSError):
        if _read(d / "starting").get("pid") == me["pid"]:
            (d / "starting").unlink()
    job = _wait_for_job(d, me, spawned_env)
    if job is None:
        return 0
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in job["env"].items()})
    redirect_stderr(job["stderr"])
    code = cli.main(["train", *map(str, job["argv"])])
    ensure(base=d.parent)             # the next run's worker, now that this one is done
    return code


if __name__ == "__main__":
    sys.exit(serve(Path(sys.argv[1])))
