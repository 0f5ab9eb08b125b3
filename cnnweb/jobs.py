"""Training processes: start, watch, stop and queue `python -m cnnweb train` processes.

The run folder's files are runs.py's; this module decides who is alive and who may train.
The training process writes its own files, so the app can be closed or restarted at any time;
whoever reads a run notices a process that died (killed, out of memory, or its pid now another
program's: a pid is only trusted together with its process start time) and marks it failed.
A stop that the process does not honour escalates: terminate, then kill, each after
STOP_GRACE_S without a sign of life.

Slots: up to `settings().slots` runs train at once per runs folder (CNNWEB_SLOTS; by default
one per GPU, on a CPU the cores less one for the server divided by CNNWEB_THREADS_PER_RUN).
A run that waits is only a folder (state "queued", "awaiting_slot"): no process, no memory.
Whoever frees or may fill a slot (a run ending, a submit, a reader that finds a run dead)
calls fill_slots, which starts the oldest waiting runs while slots are free, under the
runs/.queue.lock filelock, so two starters never start the same run nor more than N. A run
started by hand (`python -m cnnweb train` in a terminal) waits in the same order in its own
process (slot_turn). Submitting checks the caps first: CNNWEB_MAX_PER_STUDENT active runs per
owner (a run without an owner, single-user mode, is not capped per student) and
CNNWEB_MAX_QUEUED waiting runs in all.
Several machines: with CNNWEB_RAY_ADDRESS set a slot's run is started on a Ray cluster
instead (cnnweb.cluster launches it, says whether it lives and kills it); everything else here
(slots, caps, stops, a lost worker marked failed) is the same. Without it Ray is not imported.
Portable: psutil and filelock, no /proc, fcntl or fork; no TensorFlow and no streamlit here.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import filelock
import psutil

from cnnweb import cluster, device, i18n, paths, runs, standby
from cnnweb.runs import ACTIVE, Run

NEVER_STARTED_S = 60.0  # a queued run with no live process after this long has failed to start
STOP_GRACE_S = 30.0     # a stop with no sign of life this long after it: terminate, then kill
START_TOLERANCE_S = 1.0  # process start times from two readers may differ by rounding
LOCK_WAIT_S = 30.0      # the slots lock is held for milliseconds; this long means trouble
THREADS_PER_RUN = 2     # CPU threads one run needs by default (CNNWEB_THREADS_PER_RUN)
MAX_PER_STUDENT = 2     # active (training or waiting) runs per owner (CNNWEB_MAX_PER_STUDENT)
MAX_QUEUED = 60         # waiting runs in one runs folder (CNNWEB_MAX_QUEUED)
MAX_ARGV = 200          # a queued run's argv (read from its folder) longer than this is not ours
_children: dict[int, subprocess.Popen] = {}   # processes this one spawned, to collect them
MAX_ENDED_KEPT = 200                          # exit codes of ended children kept for is_alive
_filling = threading.local()                  # set while this thread fills slots


# ------------------------------------------------------------------ processes

def process_identity(pid: int | None = None) -> dict:
    """{"pid", "pid_start"}: a pid alone may be reused by another program after a crash."""
    pid = pid or os.getpid()
    try:
        return {"pid": pid, "pid_start": psutil.Process(pid).create_time()}
    except psutil.Error:
        return {"pid": pid, "pid_start": None}


def _pid(value) -> int | None:
    """A process id read from a file, or None when it is not a plausible one."""
    return value if isinstance(runs.number(value), int) and value > 0 else None


def _exit_of_child(pid: int) -> str | None:
    """If pid is a process this one spawned and it has ended, collect it, say how it ended."""
    proc = _children.get(pid)
    if proc is None or proc.poll() is None:
        return None
    del _children[pid]
    code = proc.returncode
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by signal {-code} ({signal.Signals(-code).name})"
        return f"killed by signal {-code}"
    return f"exited with code {code}"


def is_alive(pid: int | None, pid_start: float | None = None) -> bool:
    """pid runs and, when pid_start is known, is the same process (not a reused pid)."""
    if not pid or _exit_of_child(pid) is not None:
        return False
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:   # dead, just not collected yet
            return False
        return pid_start is None or abs(proc.create_time() - pid_start) < START_TOLERANCE_S
    except psutil.AccessDenied:     # another user's process: not one of our runs
        return pid_start is None
    except psutil.Error:
        return False


def lower_priority(step: int) -> None:
    """Run this process a little below normal priority (POSIX nice `step`, Windows below
    normal), so the app stays responsive on a small machine. Not cumulative: a run started by
    another (niced) run is niced as much, not more."""
    with contextlib.suppress(psutil.Error, OSError, ValueError):
        me = psutil.Process()
        if os.name == "nt":
            me.nice(psutil.BELOW_NORMAL_PRIORITY_CLASS)
        elif me.nice() < step:
            me.nice(step)


def _signal(pid: int, pid_start: float | None, how: str) -> bool:
    """terminate or kill the run's process, if it is still the same one; True when sent."""
    if not is_alive(pid, pid_start):
        return False
    try:
        getattr(psutil.Process(pid), how)()
    except psutil.Error:
        return False
    return True


def _death_reason(run_dir: Path, pid: int, how: str | None) -> dict:
    if runs.disk_full(run_dir):
        return runs.reason("run.disk_full", folder=str(run_dir))
    how = how or "ended without reporting"
    text = (f"the training process (pid {pid}) {how}: it was killed, crashed or ran out of "
            f"memory before it could finish")
    # TensorFlow's C++ start-up chatter (absl "I0000 ..." lines) is not an error
    lines = [ln for ln in runs.stderr_text(run_dir).splitlines()
             if ln.strip() and not re.match(r"^(I|W)\d{4} ", ln)
             and not ln.startswith("WARNING: All log messages before absl")]
    if lines:
        text += " — last error: " + lines[-1][:300]
    return {"reason": text}


# ------------------------------------------------------------------ settings

@dataclass(frozen=True)
class Settings:
    """How runs share this machine (read from the environment; see settings())."""
    slots: int                  # runs that train at once
    threads: int                # CPU threads (TensorFlow intra-op) each run may use
    gpus: tuple[str, ...]       # GPU ids runs are spread over (CUDA_VISIBLE_DEVICES), () on CPU
    gpu_memory_mb: int | None   # each run's GPU memory limit, None: memory growth, no limit
    max_per_student: int        # 0: no per-student cap
    max_queued: int             # 0: no queue cap


def _env_int(name: str, strict: bool, low: int = 0) -> int | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < low:
        if strict:
            raise ValueError(f"{name} must be a whole number of at least {low}, got {raw[:40]!r}")
        return None
    return value


def _gpu_ids() -> tuple[str, ...]:
    """The GPUs runs may use: CNNWEB_GPUS (passed on by a starter), else CUDA_VISIBLE_DEVICES
    when set, else every GPU nvidia-smi lists (no TensorFlow needed)."""
    for name in ("CNNWEB_GPUS", "CUDA_VISIBLE_DEVICES"):
        if name in os.environ:
            ids = [g.strip() for g in os.environ[name].split(",") if g.strip()]
            return () if ids[:1] == ["-1"] else tuple(ids)
    return tuple(str(i) for i in range(len(device.gpu_names())))


def settings(strict: bool = False) -> Settings:
    """Slots, threads and caps from the environment. With strict, a malformed setting is a
    ValueError (a submit says so); otherwise it falls back to its default (readers never fail).

    Defaults: one slot per GPU; on a CPU max(1, (cores - 1) // CNNWEB_THREADS_PER_RUN), so
    the server keeps a core. Each run gets CNNWEB_THREADS_PER_RUN threads when set, else the
    cores divided by the slots (one slot: every core, as a single user has it). On Ray
    (cluster.enabled) a run gets CNNWEB_THREADS_PER_RUN CPUs (default THREADS_PER_RUN) and the
    slots are what the cluster holds (cluster.capacity).
    """
    cpus = os.cpu_count() or 1
    gpus = _gpu_ids()
    per_run = _env_int("CNNWEB_THREADS_PER_RUN", strict, 1)
    slots = _env_int("CNNWEB_SLOTS", strict, 1)
    if cluster.enabled():      # on Ray: as many runs as the cluster holds, the threads asked
        per_run = per_run or THREADS_PER_RUN
        slots = slots or cluster.capacity(per_run)
    slots = slots or (len(gpus) if gpus else max(1, (cpus - 1) // (per_run or THREADS_PER_RUN)))
    cap = _env_int("CNNWEB_MAX_PER_STUDENT", strict)
    queued = _env_int("CNNWEB_MAX_QUEUED", strict)
    return Settings(slots=slots, threads=per_run or max(1, cpus // slots), gpus=gpus,
                    gpu_memory_mb=_env_int("CNNWEB_GPU_MEMORY_MB", strict, 1) or None,
                    max_per_student=MAX_PER_STUDENT if cap is None else cap,
                    max_queued=MAX_QUEUED if queued is None else queued)


def share_env(s: Settings, slot: int) -> dict:
    """The environment of the run in `slot`: its thread share and GPU, and the resolved
    settings, so that it (a starter too, when it ends) sees the same slots as this process."""
    env = {"CNNWEB_SLOTS": str(s.slots), "CNNWEB_RUN_THREADS": str(s.threads),
           "CNNWEB_GPUS": ",".join(s.gpus), "CNNWEB_SLOT": str(slot),
           "TF_NUM_INTRAOP_THREADS": str(s.threads),
           "TF_NUM_INTEROP_THREADS": str(min(2, s.threads)), "OMP_NUM_THREADS": str(s.threads)}
    if len(s.gpus) > 1:
        env["CUDA_VISIBLE_DEVICES"] = s.gpus[slot % len(s.gpus)]
    if s.gpu_memory_mb:
        env["CNNWEB_GPU_MEMORY_MB"] = str(s.gpu_memory_mb)
    return env


# ------------------------------------------------------------------ slots

def _lock(base: Path) -> filelock.FileLock:
    """runs/.queue.lock: one per folder and process, re-entrant within a thread, exclusive
    between threads (Streamlit sessions) and processes."""
    return filelock.FileLock(str(Path(base) / ".queue.lock"), thread_local=True,
                             is_singleton=True)


def awaiting(run: Run) -> bool:
    """A run that is only a folder waiting for a starter (jobs.start), not a process."""
    return run.state == "queued" and run.status.get("awaiting_slot") is True


def _argv(run: Run) -> list[str] | None:
    """The queued run's train flags, or None when its folder holds no usable ones."""
    argv = run.config.get("argv")
    if not isinstance(argv, list) or len(argv) > MAX_ARGV or not all(
            isinstance(a, str) and len(a) <= 4096 and "\0" not in a for a in argv):
        return None
    return argv


def _used_slots(found: list[Run]) -> set[int]:
    return {n for r in found if r.state == "running"
            and isinstance(n := r.status.get("slot"), int) and not isinstance(n, bool)}


def _fill(base: Path, s: Settings, me: Path | None = None) -> tuple[list[Run], bool, list[str]]:
    """With the lock held: start the oldest waiting runs while slots are free. A run waiting
    in its own process (me, or another one's) is not started from here: the walk stops at the
    first one that is not me. Returns (started, whether me got a slot, the runs ahead of me)."""
    found = list_runs(base)
    running = [r for r in found if r.state == "running"]
    free = s.slots - len(running)
    used = _used_slots(found)
    started, ahead = [], []
    for r in sorted((r for r in found if r.state == "queued"), key=lambda r: (r.created, r.id)):
        mine = me is not None and r.path == me
        if runs.stop_requested(r.path) and awaiting(r):
            _mark(r.path, r.status, state="stopped", ended=time.time(),
                  **runs.reason("run.stopped_queued"))
            continue
        if free <= 0 or not (mine or awaiting(r)):
            if mine:
                return started, False, ahead or [x.id for x in running] or ["another run"]
            ahead.append(r.id)
            if not awaiting(r):
                break                # a process that waits for itself: its turn comes first
            continue
        slot = min(set(range(s.slots + len(used))) - used)
        used.add(slot)
        if mine:
            _mark(r.path, r.status, state="running", reason="starting", slot=slot,
                  launched=time.time(), awaiting_slot=False)
            return started, True, []
        if _launch(r, s, slot):
            started.append(r)
            free -= 1
    return started, False, ahead


def _launch(run: Run, s: Settings, slot: int) -> bool:
    """Start a waiting run's process in `slot`; a run that cannot be started fails with why."""
    argv = _argv(run)
    if argv is None:
        _mark(run.path, run.status, state="failed", ended=time.time(),
              reason="its config.json holds no usable train arguments, so it cannot be started")
        return False
    try:   # first the status (a reader between the two sees a fresh launch, not a dead one)
        runs.set_status(run.path, state="running", reason="starting", slot=slot,
                        launched=time.time(), awaiting_slot=False, threads=s.threads)
        _spawn_run(run.path, argv, share_env(s, slot))
    except OSError as e:
        _mark(run.path, run.status, state="failed", ended=time.time(),
              reason=f"the training process could not be started: {e.strerror or e}")
        return False
    return True


def fill_slots(base: Path | None = None) -> list[Run]:
    """Start the oldest waiting runs of a runs folder while slots are free; the runs started.
    Never raises OSError (a folder that cannot be written starts nothing)."""
    base = Path(base or paths.runs_dir())
    if getattr(_filling, "active", False) or not base.is_dir():
        return []
    _filling.active = True
    try:
        with _lock(base).acquire(timeout=LOCK_WAIT_S):
            return _fill(base, settings())[0]
    except (OSError, filelock.Timeout):
        return []
    finally:
        _filling.active = False


@contextlib.contextmanager
def slot_turn(run_dir: Path, on_wait=None, poll_s: float = 0.3):
    """A run that trains in this process (the command line): wait until it holds a slot, in
    order with the waiting folders, and hold it inside the block (the slot is free again when
    the run's status is final or its process gone).

    Yields True when it is this run's turn, False when a stop was requested while waiting.
    on_wait(ahead: list[str]) is called once with the runs ahead of this one.
    """
    run_dir = Path(run_dir)
    base, told = run_dir.parent, False
    while runs.read_status(run_dir).get("state") != "running":   # else: it holds its slot
        if runs.stop_requested(run_dir):
            yield False
            return
        _filling.active = True
        try:
            with _lock(base).acquire(timeout=LOCK_WAIT_S):
                _, mine, ahead = _fill(base, settings(), me=run_dir)
        except filelock.Timeout:
            mine, ahead = False, ["another run"]
        finally:
            _filling.active = False
        if mine:
            break
        if not told and on_wait:
            on_wait(ahead)
            told = True
        time.sleep(poll_s)
    yield True


queue_turn = slot_turn      # its name before slots


def check_new_run(run_dir, owner: str) -> None:
    """The caps, for a run started by hand (`python -m cnnweb train [--run-dir D]`): a new
    folder counts against them; an existing one (a queued run given its slot) does not."""
    if run_dir is not None and Path(run_dir).expanduser().exists():
        return
    base = Path(run_dir).expanduser().resolve().parent if run_dir else paths.runs_dir()
    check_caps(list_runs(base), owner, settings(strict=True))


def granted(run_dir: Path) -> bool:
    """Whether this process was started by fill_slots for run_dir, in the slot it claimed
    (CNNWEB_SLOT in its environment, that slot in the run's status, no process yet)."""
    st = runs.read_status(run_dir)
    slot = os.environ.get("CNNWEB_SLOT", "")
    return (slot.isdigit() and st.get("state") == "running" and st.get("slot") == int(slot)
            and not _pid(st.get("pid")))


def run_share() -> dict:
    """What this training process may use, for train.setup_device and the run's record:
    {"threads", "inter_threads", "gpu", "gpu_memory_mb", "slot", "node"} (node: the Ray node
    that trains it, None off Ray). A process that fill_slots
    started reads its share from the environment; one started by hand takes settings()'."""
    s = settings()
    threads = _env_int("CNNWEB_RUN_THREADS", False, 1) or s.threads
    slot = os.environ.get("CNNWEB_SLOT", "")
    gpu = os.environ.get("CUDA_VISIBLE_DEVICES") if len(s.gpus) > 1 else (s.gpus or [None])[0]
    return {"threads": threads, "inter_threads": min(2, threads), "gpu": gpu,
            "gpu_memory_mb": s.gpu_memory_mb if s.gpus else None,
            "slot": int(slot) if slot.isdigit() else None,
            "node": os.environ.get("CNNWEB_RAY_NODE") or None}


def check_caps(found: list[Run], owner: str, s: Settings) -> None:
    """ValueError (an i18n.Msg sentence) when one more run for owner would pass a cap."""
    waiting = sum(r.state == "queued" for r in found)
    if s.max_queued and waiting >= s.max_queued:
        raise ValueError(i18n.Msg("run.queue_full", n=s.max_queued))
    if owner and s.max_per_student:
        mine = sum(r.active and r.config.get("owner") == owner for r in found)
        if mine >= s.max_per_student:
            raise ValueError(i18n.Msg("run.student_cap", owner=owner, n=s.max_per_student))


# ------------------------------------------------------------------ the true state of a run

def _owner(run_dir: Path, st: dict) -> tuple[int | None, float | None]:
    """The pid (and its start time) that answers for an active run: the training process once
    it has said so, else the launcher's record of the process it spawned."""
    if _pid(st.get("pid")):
        return st["pid"], runs.number(st.get("pid_start"))
    launched = runs.read_launcher(run_dir)
    return _pid(launched.get("pid")), runs.number(launched.get("pid_start"))


def _mark(run_dir: Path, st: dict, **fields) -> dict:
    """Record what a reader found out; when the folder cannot be written (read-only, full) the
    reader still gets the true state, with "unsaved" saying it is not on disk."""
    try:
        return runs.set_status(run_dir, **fields)
    except OSError as e:
        return {**st, **fields, "unsaved": e.strerror or str(e)}


def refresh(run_dir: Path, now: float | None = None) -> dict:
    """status.json as it truly is: a dead process noticed and recorded as failed (or stopped,
    when it was stopped by force), an ignored stop escalated. Never raises OSError."""
    run_dir = Path(run_dir)
    now = now or time.time()
    st = runs.read_status(run_dir)
    if st.get("state", "queued") not in ACTIVE:
        return st
    if st.get("state", "queued") == "queued" and st.get("awaiting_slot") is True:
        if runs.stop_requested(run_dir):     # no process to tell: the reader ends it
            return _mark(run_dir, st, state="stopped", ended=now,
                         **runs.reason("run.stopped_queued"))
        return st                            # a folder waiting for a slot costs nothing
    st = _refresh_process(run_dir, st, now)
    if st.get("state") not in ACTIVE:         # its slot is free: the next run may start
        fill_slots(run_dir.parent)
    return st


def _refresh_process(run_dir: Path, st: dict, now: float) -> dict:
    launched = runs.read_launcher(run_dir)
    if cluster.owns(launched):              # a run on Ray: its actor answers for it
        alive = cluster.alive(launched)
        if alive is None:                   # Ray cannot be asked now: nothing is concluded
            return st
        if alive:
            return _escalate_stop(run_dir, st, lambda how: cluster.stop(launched), now)
        share = st.get("share")
        node = share.get("node") if isinstance(share, dict) else None
        return _ended(run_dir, st, now, runs.reason("run.worker_lost", node=node or "?"))
    pid, pid_start = _owner(run_dir, st)
    if pid:
        how = _exit_of_child(pid)
        if how is None and is_alive(pid, pid_start):
            return _escalate_stop(run_dir, st, lambda how: _signal(pid, pid_start, how), now)
        return _ended(run_dir, st, now, _death_reason(run_dir, pid, how))
    created = runs.number(st.get("launched")) or runs.number(
        runs.read_config(run_dir).get("created"))
    if created is None:  # a damaged config.json: the folder's age will do
        created = runs.mtime(run_dir)
    if created and now - created > NEVER_STARTED_S:
        return _mark(run_dir, st, state="failed", ended=now,
                     reason="the training process never started")
    return st


def _ended(run_dir: Path, st: dict, now: float, failure: dict) -> dict:
    """The process (or Ray worker) that trained the run is gone: its own last word when it
    had one, else stopped (when it was stopped by force) or failed with `failure`."""
    again = runs.read_status(run_dir)   # it may have just finished
    if again.get("state") not in ACTIVE:
        return again
    if st.get("forced"):
        return _mark(run_dir, st, state="stopped", ended=now,
                     **runs.reason("run.stop_forced", grace=round(STOP_GRACE_S)))
    return _mark(run_dir, st, state="failed", ended=now, **failure)


def _escalate_stop(run_dir: Path, st: dict, send, now: float) -> dict:
    """A stop requested STOP_GRACE_S ago with no sign of life since: terminate; still there
    STOP_GRACE_S after that: kill. Each step is written into the status. send(how) signals the
    run's process ("terminate" or "kill"; on Ray both kill its actor), True when sent."""
    asked = runs.stop_time(run_dir)
    if asked is None or now - asked < STOP_GRACE_S:
        return st
    if (runs.last_activity(run_dir, st) or 0.0) > asked:
        return st                    # it is answering (finishing the batch, saving the model)
    forced_at = runs.number(st.get("forced_at"), asked)
    if not st.get("forced") and send("terminate"):
        return _mark(run_dir, st, forced="terminate", forced_at=now,
                     **runs.reason("run.stop_terminate", grace=round(STOP_GRACE_S)))
    if st.get("forced") == "terminate" and now - forced_at >= STOP_GRACE_S and send("kill"):
        return _mark(run_dir, st, forced="kill", forced_at=now,
                     **runs.reason("run.stop_kill", grace=round(STOP_GRACE_S)))
    return st


_ended_runs: dict[Path, tuple[tuple, Run]] = {}   # run folder -> (its files' stamp, the run)
MAX_ENDED_CACHED = 500


def _stamp(run_dir: Path) -> tuple | None:
    """What status.json and config.json look like (inode, mtime, size: both are replaced
    atomically, so any change makes a new inode), or None when either cannot be read."""
    try:
        return tuple((s.st_ino, s.st_mtime_ns, s.st_size)
                     for s in ((run_dir / runs.STATUS).stat(), (run_dir / runs.CONFIG).stat()))
    except OSError:
        return None


def load_run(run_dir: Path) -> Run:
    """The run as it truly is (see refresh). A run that has ended is read once and kept while
    its status.json and config.json stay as they were: a board of 40 ended runs costs a stat
    per file on each refresh, not two JSON reads (the Run is shared: do not change it)."""
    run_dir = Path(run_dir)
    stamp = _stamp(run_dir)
    hit = _ended_runs.get(run_dir)
    if stamp is not None and hit is not None and hit[0] == stamp:
        return hit[1]
    run = runs.read_run(run_dir, refresh(run_dir))
    if run.state in runs.FINAL and stamp is not None and _stamp(run_dir) == stamp:
        if len(_ended_runs) >= MAX_ENDED_CACHED:
            _ended_runs.clear()
        _ended_runs[run_dir] = (stamp, run)
    return run


def list_runs(base: Path | None = None) -> list[Run]:
    """Every run folder, oldest first; cheap (JSON only); never raises on a damaged folder."""
    base = Path(base or paths.runs_dir())
    try:
        dirs = [d for d in base.iterdir() if runs.is_run_dir(d)]
    except OSError:
        return []
    return sorted(map(load_run, dirs), key=lambda r: (r.created, r.id))


def _check_run_id(run_id) -> str:
    """A run id is one folder name inside the runs folder: no path, no '..' (ValueError)."""
    text = str(run_id)
    if not text or text in (".", "..") or "/" in text or "\\" in text or "\0" in text:
        raise ValueError(f"{text[:80]!r} is not a run id (a run id is a folder name such as "
                         f"20250101-120000-mnist_cnn-mnist-1a2b3c)")
    return text


def get_run(run_id: str, base: Path | None = None) -> Run:
    d = Path(base or paths.runs_dir()) / _check_run_id(run_id)
    if not (d / runs.CONFIG).exists():
        raise ValueError(f"no run named {run_id!r} in {d.parent}")
    return load_run(d)


def training_elsewhere(run_dir: Path) -> int | None:
    """The pid of another live process that trains (or waits to train) in run_dir, or None."""
    st = runs.read_status(run_dir)
    if st.get("state") not in ACTIVE:
        return None
    launched = runs.read_launcher(run_dir)
    if cluster.owns(launched):     # its Ray actor, unless this process is that actor
        if launched["ray"] != cluster.this_run() and cluster.alive(launched) is not False:
            return _pid(st.get("pid")) or 0
        return None
    pid, pid_start = _owner(run_dir, st)
    if pid and pid != os.getpid() and is_alive(pid, pid_start):
        return pid
    return None


# ------------------------------------------------------------------ starting and stopping

def _spawn(cmd: list[str], env: dict, err) -> subprocess.Popen:
    """The training process, detached from this one: its own session (POSIX) or process group
    (Windows), so closing the app or its terminal does not stop it."""
    detach = ({"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP} if os.name == "nt"
              else {"start_new_session": True})
    proc = subprocess.Popen(cmd, cwd=str(paths.ROOT), env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=err, close_fds=True, **detach)
    collect_children()
    _children[proc.pid] = proc
    return proc


def collect_children() -> int:
    """Collect the children that ended on their own (a finished run, an idle warm worker), so
    none is left a zombie; their exit stays known to _exit_of_child. Returns how many run."""
    for proc in list(_children.values()):
        proc.poll()                           # waits for an ended child, keeps its returncode
    ended = [pid for pid, proc in _children.items() if proc.returncode is not None]
    for pid in ended[:-MAX_ENDED_KEPT] if len(ended) > MAX_ENDED_KEPT else []:
        del _children[pid]                    # the oldest exit codes: their runs are long read
    return len(_children) - len(ended)


def _spawn_run(run_dir: Path, argv: list[str], env: dict) -> None:
    """`python -m cnnweb train <argv> --run-dir run_dir`, detached, with stderr to its file;
    on Ray (cluster.enabled) the same command in a Ray actor with the run's CPUs."""
    cmd = [sys.executable, "-m", "cnnweb", "train", *argv, "--run-dir", str(run_dir)]
    # a little below the app in CPU priority, so the page stays responsive on a small machine
    full_env = {**os.environ, "CNNWEB_TRAIN_NICE": "5", **env}
    full_env["PYTHONPATH"] = os.pathsep.join(
        [str(paths.ROOT)] + [p for p in full_env.get("PYTHONPATH", "").split(os.pathsep) if p])
    if cluster.enabled():
        (run_dir / runs.STDERR).write_bytes(b"")
        threads = int(env.get("CNNWEB_RUN_THREADS") or THREADS_PER_RUN)
        runs.write_launcher(run_dir, {**cluster.launch(run_dir, cmd[4:], full_env, threads),
                                      "cmd": cmd, "warm": False})
        return
    with open(run_dir / runs.STDERR, "wb") as err:
        warm = standby.take(full_env, cmd[4:], run_dir / runs.STDERR, run_dir.parent)
        ident = warm or process_identity(_spawn(cmd, full_env, err).pid)
    runs.write_launcher(run_dir, {**ident, "cmd": cmd, "warm": warm is not None})


def start(argv: list[str], arch: str, dataset: str, base: Path | None = None,
          owner: str = "") -> Run:
    """Queue `python -m cnnweb train <argv>` in a new run folder and fill the free slots.

    The run is a folder until a slot is free (no process), then a detached process that
    outlives the Streamlit server and the browser tab. Returns the run at once. ValueError
    (an i18n.Msg) when a cap is reached or a setting is malformed; nothing is created then.
    """
    base = Path(base or paths.runs_dir())
    s = settings(strict=True)
    base.mkdir(parents=True, exist_ok=True)
    try:
        lock = _lock(base).acquire(timeout=LOCK_WAIT_S)
    except filelock.Timeout:
        raise ValueError(f"the runs folder {base} is busy (its .queue.lock is held); "
                         f"try again") from None
    with lock:
        check_caps(list_runs(base), owner, s)
        run_dir = runs.create_run_dir(arch, dataset, base)
        runs.write_config(run_dir, {"run_id": run_dir.name, "arch": arch, "dataset": dataset,
                                    "created": time.time(), "argv": list(argv),
                                    "owner": owner})
        runs.set_status(run_dir, state="queued", awaiting_slot=True,
                        **runs.reason("run.waiting"))
        fill_slots(base)
    return load_run(run_dir)


def warm_up(found: list[Run] | None = None, base: Path | None = None) -> bool:
    """Have a warm worker ready for the next Start when nothing trains (cnnweb.standby);
    found: the runs just listed, if the caller has them. None on Ray (runs train elsewhere)."""
    collect_children()
    if cluster.enabled():
        return False
    return standby.ensure({"CNNWEB_TRAIN_NICE": "5"}, base, found)


def request_stop(run_id_or_dir) -> None:
    """Ask a run to stop: it finishes the current batch, saves the model so far, says "stopped".
    A process that does not answer is terminated, then killed (see refresh). A run that is
    still only a waiting folder is stopped at once (there is no process to ask)."""
    d = Path(run_id_or_dir)
    if not d.is_absolute() and not d.exists():
        d = paths.runs_dir() / _check_run_id(run_id_or_dir)
    if not (d / runs.CONFIG).exists():
        raise ValueError(f"no run at {d}")
    runs.request_stop(d)
    with contextlib.suppress(OSError, filelock.Timeout), _lock(d.parent).acquire(
            timeout=LOCK_WAIT_S):   # not while a starter launches it
        refresh(d)


def submit(cfg, base: Path | None = None) -> Run:
    """Queue a training config (a train.TrainConfig); its name and owner go along."""
    argv = cfg.argv() + (["--name", cfg.name] if cfg.name else [])
    return start(argv, cfg.arch, cfg.dataset, base, owner=cfg.owner)
