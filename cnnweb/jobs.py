"""Training runs on disk: start, watch, stop and queue `python -m cnnweb train` processes.

A run is a folder runs/<id>/ holding
  config.json    everything needed to reproduce it (argv, hyperparameters, created time)
  status.json    {"state": queued|running|finished|stopped|failed, "reason", "pid", ...}
  metrics.jsonl  one JSON object per line: {"type": "progress"|"epoch", ...}
  log.txt        what the process printed; stderr.txt  crashes the process could not report
  stop           present = a stop was requested (the training callback checks it every batch)
The training process writes these itself, so the app can be closed or restarted at any time;
whoever reads a run notices a process that died (killed, out of memory) and marks it failed.
One run trains at a time per runs folder: the others wait for an flock on runs/.queue.lock,
oldest first. The kernel drops the lock when a process dies, so a crash never blocks the queue.
No TensorFlow and no streamlit here.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from cnnweb import paths

ACTIVE = ("queued", "running")
FINAL = ("finished", "stopped", "failed")
NEVER_STARTED_S = 60.0  # a queued run with no live process after this long has failed to start


# ------------------------------------------------------------------ small file helpers

def write_json(path: Path, obj) -> None:
    """Atomic: readers see the old or the new file, never half of one."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(obj, indent=1, default=_jsonable), encoding="utf-8")
    os.replace(tmp, path)


def _jsonable(o):
    if hasattr(o, "tolist"):
        return o.tolist()
    if hasattr(o, "item"):
        return o.item()
    return str(o)


def read_json(path: Path, default=None):
    """The file's JSON, or default when it is missing, unreadable or corrupt. With a dict or
    list default, a file holding another kind of JSON (say `[1, 2]` where a status object
    belongs) counts as corrupt too, so callers can rely on the type they asked for."""
    try:
        value = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default
    if isinstance(default, (dict, list)) and not isinstance(value, type(default)):
        return default
    return value


def append_jsonl(path: Path, obj) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(obj, default=_jsonable) + "\n")


def read_jsonl(path: Path) -> list[dict]:
    """All complete lines that hold a JSON object; a half-written last line (the writer is
    mid-append) and garbage (a corrupt or hand-edited file) are skipped."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    out = []
    for line in text.splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict):
            out.append(row)
    return out


def _number(value, default=None):
    """value if it is a real number (not a bool), else default: fields read from files that
    may have been damaged are checked before arithmetic is done with them."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return value


def _metric_row(row: dict) -> dict | None:
    """A metrics.jsonl row fit for the page, or None: a progress/epoch row needs a whole epoch
    number >= 1 (progress rows: 0 <= batch <= batches, batches >= 1); other fields that should
    be numbers and are not become None."""
    kind, epoch = row.get("type"), row.get("epoch")
    if kind not in ("progress", "epoch") or isinstance(epoch, bool) or not isinstance(epoch, int) \
            or epoch < 1:
        return None
    batch, batches = _number(row.get("batch")), _number(row.get("batches"))
    if kind == "progress" and not (isinstance(batch, int) and isinstance(batches, int)
                                   and 0 <= batch <= batches and batches >= 1):
        return None
    return {k: (v if k in ("type", "partial") or _number(v) is not None or v is None else None)
            for k, v in row.items()}


# ------------------------------------------------------------------ run folders

def new_run_id(arch: str, dataset: str) -> str:
    return f"{time.strftime('%Y%m%d-%H%M%S')}-{arch}-{dataset}-{secrets.token_hex(3)}"


def create_run_dir(arch: str, dataset: str, base: Path | None = None) -> Path:
    base = Path(base or paths.runs_dir())
    base.mkdir(parents=True, exist_ok=True)
    while True:  # mkdir is atomic: two starts in the same second get different folders
        d = base / new_run_id(arch, dataset)
        try:
            d.mkdir()
            return d
        except FileExistsError:
            continue


def set_status(run_dir: Path, **fields) -> dict:
    """Merge fields into status.json (the process and the readers both call this)."""
    st = read_json(Path(run_dir) / "status.json", {}) or {}
    st.update(fields)
    st["updated"] = time.time()
    write_json(Path(run_dir) / "status.json", st)
    return st


def stop_requested(run_dir: Path) -> bool:
    return (Path(run_dir) / "stop").exists()


# ------------------------------------------------------------------ processes

def _proc_start_time(pid: int) -> float | None:
    """Start time of a process in clock ticks since boot (tells a reused pid apart), or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] == "Z":  # zombie: dead, just not reaped
        return None
    return float(fields[19])


def process_identity(pid: int | None = None) -> dict:
    pid = pid or os.getpid()
    return {"pid": pid, "pid_start": _proc_start_time(pid)}


def _pid(value) -> int | None:
    """A process id read from a file, or None when it is not a plausible one."""
    return value if isinstance(_number(value), int) and value > 0 else None


def _reap(pid: int) -> str | None:
    """If pid is our own child that has ended, collect it and say how it ended."""
    try:
        done, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return None
    if done == 0:
        return None
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return f"killed by signal {sig} ({signal.Signals(sig).name})"
    return f"exited with code {os.WEXITSTATUS(status)}"


def is_alive(pid: int | None, pid_start: float | None = None) -> bool:
    if not pid:
        return False
    if _reap(pid) is not None:
        return False
    start = _proc_start_time(pid)
    if start is None:
        return False
    return pid_start is None or abs(start - pid_start) < 1e-6


def _death_reason(run_dir: Path, pid: int, how: str | None) -> str:
    how = how or "ended without reporting"
    reason = (f"the training process (pid {pid}) {how}: it was killed, crashed or ran out of "
              f"memory before it could finish")
    err = ""
    with contextlib.suppress(OSError):
        err = (Path(run_dir) / "stderr.txt").read_text(errors="replace").strip()
    # TensorFlow's C++ start-up chatter (absl "I0000 ..." lines) is not an error
    lines = [ln for ln in err.splitlines() if ln.strip() and not re.match(r"^(I|W)\d{4} ", ln)
             and not ln.startswith("WARNING: All log messages before absl")]
    if lines:
        reason += " — last error: " + lines[-1][:300]
    return reason


# ------------------------------------------------------------------ the queue

@contextlib.contextmanager
def queue_turn(run_dir: Path, on_wait=None, poll_s: float = 0.3):
    """Wait until this run may train (oldest queued first), hold the turn inside the block.

    Yields True when it is this run's turn, False when a stop was requested while waiting.
    on_wait(ahead: list[str]) is called once with the runs ahead of this one.
    """
    run_dir = Path(run_dir)
    lock_path = run_dir.parent / ".queue.lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    told = False
    try:
        while True:
            if stop_requested(run_dir):
                yield False
                return
            ahead = [r.id for r in _older_waiting(run_dir)]
            if not ahead:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    running = [r.id for r in list_runs(run_dir.parent) if r.state == "running"]
                    ahead = running or ["another run"]
            if not told and on_wait:
                on_wait(ahead)
                told = True
            time.sleep(poll_s)
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _older_waiting(run_dir: Path) -> list[Run]:
    me = read_json(run_dir / "config.json", {}) or {}
    mine = (me.get("created", 0.0), run_dir.name)
    return [r for r in list_runs(run_dir.parent)
            if r.state == "queued" and r.path != run_dir and (r.created, r.id) < mine]


# ------------------------------------------------------------------ reading runs

@dataclass
class Run:
    id: str
    path: Path
    config: dict
    status: dict

    @property
    def state(self) -> str:
        state = self.status.get("state", "queued")
        return state if state in ACTIVE + FINAL else "failed"

    @property
    def created(self) -> float:
        return float(_number(self.config.get("created"), 0.0))

    @property
    def reason(self) -> str:
        return self.status.get("reason", "")

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    def metrics(self) -> list[dict]:
        """Progress and epoch rows, oldest first; damaged lines are left out (see _metric_row)."""
        return [r for r in map(_metric_row, read_jsonl(self.path / "metrics.jsonl")) if r]

    def epochs(self) -> list[dict]:
        return [m for m in self.metrics() if m.get("type") == "epoch"]

    def result(self) -> dict:
        return read_json(self.path / "result.json", {}) or {}

    def log_tail(self, n: int = 20) -> str:
        try:
            return "\n".join(Path(self.path / "log.txt").read_text(errors="replace")
                             .splitlines()[-n:])
        except OSError:
            return ""


def refresh(run_dir: Path) -> dict:
    """status.json, with a dead process noticed and recorded as failed."""
    run_dir = Path(run_dir)
    st = read_json(run_dir / "status.json", {}) or {}
    state = st.get("state", "queued")
    if state not in ACTIVE:
        return st
    pid = _pid(st.get("pid")) or _pid((read_json(run_dir / "launcher.json", {}) or {}).get("pid"))
    pid_start = _number(st.get("pid_start")) if _pid(st.get("pid")) else None
    if pid:
        how = _reap(pid)
        if how is None and is_alive(pid, pid_start):
            return st
        again = read_json(run_dir / "status.json", {}) or {}  # it may have just finished
        if again.get("state") not in ACTIVE:
            return again
        return set_status(run_dir, state="failed", reason=_death_reason(run_dir, pid, how),
                          ended=time.time())
    created = _number((read_json(run_dir / "config.json", {}) or {}).get("created"))
    if created is None:  # a damaged config.json: the folder's age will do
        with contextlib.suppress(OSError):
            created = run_dir.stat().st_mtime
    if created and time.time() - created > NEVER_STARTED_S:
        return set_status(run_dir, state="failed", ended=time.time(),
                          reason="the training process never started")
    return st


def load_run(run_dir: Path) -> Run:
    run_dir = Path(run_dir)
    return Run(run_dir.name, run_dir, read_json(run_dir / "config.json", {}) or {},
               refresh(run_dir))


def list_runs(base: Path | None = None) -> list[Run]:
    """Every run folder, oldest first; cheap (JSON only)."""
    base = Path(base or paths.runs_dir())
    if not base.is_dir():
        return []
    runs = [load_run(d) for d in base.iterdir()
            if d.is_dir() and not d.name.startswith(".") and (d / "config.json").exists()]
    return sorted(runs, key=lambda r: (r.created, r.id))


def _check_run_id(run_id) -> str:
    """A run id is one folder name inside the runs folder: no path, no '..' (ValueError)."""
    text = str(run_id)
    if not text or text in (".", "..") or "/" in text or "\\" in text or "\0" in text:
        raise ValueError(f"{text[:80]!r} is not a run id (a run id is a folder name such as "
                         f"20250101-120000-mnist_cnn-mnist-1a2b3c)")
    return text


def get_run(run_id: str, base: Path | None = None) -> Run:
    d = Path(base or paths.runs_dir()) / _check_run_id(run_id)
    if not (d / "config.json").exists():
        raise ValueError(f"no run named {run_id!r} in {d.parent}")
    return load_run(d)


# ------------------------------------------------------------------ starting and stopping

def start(argv: list[str], arch: str, dataset: str, base: Path | None = None,
          env: dict | None = None) -> Run:
    """Spawn `python -m cnnweb train <argv>` detached (own session) in a new run folder.

    The process outlives the Streamlit server and the browser tab; if another run is training
    it waits its turn (state "queued"). Returns the run at once.
    """
    run_dir = create_run_dir(arch, dataset, base)
    created = time.time()
    write_json(run_dir / "config.json", {"run_id": run_dir.name, "arch": arch,
                                         "dataset": dataset, "created": created,
                                         "argv": list(argv)})
    set_status(run_dir, state="queued", reason="starting")
    cmd = [sys.executable, "-m", "cnnweb", "train", *argv, "--run-dir", str(run_dir)]
    # a little below the app in CPU priority, so the page stays responsive on a small machine
    full_env = {**os.environ, "CNNWEB_TRAIN_NICE": "5", **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join(
        [str(paths.ROOT)] + [p for p in full_env.get("PYTHONPATH", "").split(os.pathsep) if p])
    with open(run_dir / "stderr.txt", "wb") as err:
        proc = subprocess.Popen(cmd, cwd=str(paths.ROOT), env=full_env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err, start_new_session=True,
                                close_fds=True)
    write_json(run_dir / "launcher.json", {"pid": proc.pid, "cmd": cmd})
    return load_run(run_dir)


def request_stop(run_id_or_dir) -> None:
    """Ask a run to stop: it finishes the current batch, saves the model so far, says "stopped"."""
    d = Path(run_id_or_dir)
    if not d.is_absolute() and not d.exists():
        d = paths.runs_dir() / _check_run_id(run_id_or_dir)
    if not (d / "config.json").exists():
        raise ValueError(f"no run at {d}")
    (d / "stop").touch()


def submit(cfg, base: Path | None = None) -> Run:
    """Start a training config (a train.TrainConfig) in the background; its name goes along."""
    argv = cfg.argv() + (["--name", cfg.name] if cfg.name else [])
    return start(argv, cfg.arch, cfg.dataset, base)


# ------------------------------------------------------------------ what the page shows

def progress(run: Run, now: float | None = None) -> dict:
    """Where a run is: epoch x/N, overall fraction, ETA, images/s, the running epoch's rows.

    Pure function of the run's files, so it is tested directly (st.fragment does not tick
    under AppTest).
    """
    now = now or time.time()
    rows = run.metrics()
    epochs = [m for m in rows if m.get("type") == "epoch"]
    prog = [m for m in rows if m.get("type") == "progress"]
    total = int(run.status.get("epochs") or (run.config.get("config") or {}).get("epochs") or 0)
    done = epochs[-1]["epoch"] if epochs else 0
    tail = [p for p in prog if p.get("epoch", 0) > done]
    if tail:
        cur, within = tail[-1]["epoch"], tail[-1]["batch"] / max(tail[-1]["batches"], 1)
        fraction = (cur - 1 + within) / total if total else 0.0
        ips = tail[-1].get("images_per_s")
    else:
        cur, fraction = done, (done / total if total else 0.0)
        ips = epochs[-1].get("images_per_s") if epochs else None
    if run.state in ("finished",):
        fraction = 1.0
    last = (prog or epochs or [{}])[-1]
    elapsed = last.get("elapsed")
    eta = None
    if run.state == "running" and elapsed and 0.02 <= fraction < 1:
        since = now - last.get("time", now)   # time since the last line, while it keeps going
        eta = max(elapsed / fraction * (1 - fraction) - since, 0.0)
    return {"state": run.state, "reason": run.reason, "epoch": cur, "epochs": total,
            "epochs_done": done, "fraction": min(max(fraction, 0.0), 1.0), "eta_s": eta,
            "images_per_s": ips, "device": run.status.get("device"),
            "data_source": run.status.get("data_source"), "epoch_rows": epochs, "tail": tail}


def diagnosis(run: Run, epoch_rows: list[dict] | None = None) -> dict:
    """diagnose.diagnose() of a run's history so far, with what the run knows about itself."""
    from cnnweb import diagnose

    st = run.status
    return diagnose.diagnose(run.epochs() if epoch_rows is None else epoch_rows,
                             hyperparams=run.config.get("hyperparams") or {},
                             diverged=st.get("diverged"), n_train=st.get("n_train"),
                             is_sample=bool(st.get("data_is_sample")),
                             has_batchnorm=st.get("has_batchnorm"))


def describe(run: Run, with_state: bool = True) -> str:
    """One line for lists: 'mnist_cnn on mnist, 5 epochs: finished, 98.9% test (id)'."""
    cfg = run.config.get("config") or {}
    text = f"{run.config.get('arch', '?')} on {run.config.get('dataset', '?')}"
    if cfg.get("epochs"):
        text += f", {cfg['epochs']} epochs"
    if not with_state:
        return f"{text} ({run.id[:15]})"
    text += f": {run.state}"
    acc = run.status.get("test_accuracy")
    if acc is not None:
        text += f", {100 * acc:.2f}% test"
    return f"{text} ({run.id[:15]})"


def fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return "…"
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"
