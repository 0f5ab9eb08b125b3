"""One training run's folder on disk: the file names, and every read and write of them.

A run is a folder runs/<id>/ holding
  config.json       everything needed to reproduce it (argv, hyperparameters, created time)
  status.json       {"state": queued|running|finished|stopped|failed, "reason", "pid", ...}
  metrics.jsonl     one JSON object per line: {"type": "progress"|"epoch", ...}
  log.txt           what the process logged; stderr.txt  crashes it could not report
  stop              present = a stop was requested (the training callback checks it every batch)
  result.json       test accuracy, confusion matrix, where the model went (finished runs)
  misclassified.npz the most confident test mistakes, for the page's grid
  cell_examples.npz up to CELL_EXAMPLES test images per confusion-matrix cell (diagonal too)
  display.json      {"name": ...}: the name a user gave the run on the page (rename)
  launcher.json     the pid (and its start time) of the process that was spawned
Whole files are written atomically (cnnweb.atomic); metrics and log lines are appended.
Readers never fail on a damaged file: they get a default and the good parts.
Who is alive and who may train is jobs.py's business; this module only reads and writes.
No TensorFlow and no streamlit here.
"""

from __future__ import annotations

import io
import itertools
import json
import secrets
import shutil
import stat
import statistics
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cnnweb import atomic, paths

CONFIG, STATUS, METRICS, LOG = "config.json", "status.json", "metrics.jsonl", "log.txt"
STDERR, STOP, RESULT, LAUNCHER = "stderr.txt", "stop", "result.json", "launcher.json"
MISCLASSIFIED, CELLS, DISPLAY = "misclassified.npz", "cell_examples.npz", "display.json"
MAX_MISCLASSIFIED_BYTES = 20 * 2**20    # a bigger file is not ours: the grid holds 48 images
CELL_EXAMPLES = 8                       # test images kept per confusion-matrix cell
MAX_CELL_IMAGES = 4000                  # and in all (a 100-class set keeps the fullest cells)
MAX_DISPLAY_NAME = 60                   # characters of a run's display name

ACTIVE = ("queued", "running")
FINAL = ("finished", "stopped", "failed")

# "not responding": no new line for this many times the run's usual gap between progress
# lines (the median of the last ones), and never less than the minimum. Loading data, building
# the model and the first batch (tracing) come before any progress line, so they are not judged.
SILENT_TIMES = 10
SILENT_MIN_S = 60.0


# ------------------------------------------------------------------ files

def write_json(path: Path, obj) -> None:
    atomic.write(path, json.dumps(obj, indent=1, default=_jsonable))


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


def _json_rows(text: str, keep=None) -> list[dict]:
    out = []
    for line in text.splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict) and (keep is None or (row := keep(row))):
            out.append(row)
    return out


@dataclass
class _Tail:
    """What this process has read of one .jsonl file: the rows of its complete lines (up to
    `offset`, just after the last newline), those of the unfinished last line, and how to tell
    the file is still the one read (device/inode, size, mtime, the bytes before offset)."""
    ident: tuple
    offset: int = 0
    anchor: bytes = b""
    size: int = -1
    mtime_ns: int = -1
    rows: list = field(default_factory=list)
    tail_rows: list = field(default_factory=list)


TAIL_FILES = 64        # files whose rows a watching process keeps (least recently read goes)
_ANCHOR = 64           # bytes before the offset that must be unchanged for a file to be "ours"
_tails: OrderedDict = OrderedDict()
_tails_lock = threading.Lock()


def read_jsonl(path: Path, keep=None, cached: bool = True) -> list[dict]:
    """All complete lines that hold a JSON object (through keep(row) -> row or None, when
    given); a half-written last line (the writer is mid-append) and garbage (a corrupt or
    hand-edited file) are skipped. A missing file, or one that is not a regular file, is [].

    Incremental: this process remembers each file's rows (TAIL_FILES of them) and reads only
    what was appended since, so a watcher polling a long run reads a few new lines, not the
    whole file. A file truncated, replaced (another inode) or rewritten (the bytes before the
    offset changed) is read again from the start. The rows are shared between callers: read,
    never change them. cached=False reads the whole file (the reference the tests compare to).
    """
    path = Path(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):   # a FIFO would block the reader forever
            return []
        if not cached:
            return _json_rows(path.read_bytes().decode("utf-8", "replace"), keep)
        with _tails_lock:
            return _read_tail(path, info, keep)
    except OSError:
        return []


def _read_tail(path: Path, info, keep) -> list[dict]:
    key = (str(path), keep)
    ident = (info.st_dev, info.st_ino)
    c = _tails.get(key)
    with open(path, "rb") as f:
        if c is not None and (c.ident != ident or info.st_size < c.offset):
            c = None                                   # replaced or truncated
        if c is not None and (info.st_size, info.st_mtime_ns) == (c.size, c.mtime_ns):
            _tails.move_to_end(key)
            return c.rows + c.tail_rows                # nothing new
        if c is not None and c.anchor:
            f.seek(c.offset - len(c.anchor))
            if f.read(len(c.anchor)) != c.anchor:
                c = None                               # rewritten in place
        if c is None:
            c = _Tail(ident)
        f.seek(c.offset)
        new = f.read()
    cut = new.rfind(b"\n") + 1
    done = new[:cut]
    c.rows.extend(_json_rows(done.decode("utf-8", "replace"), keep))
    c.tail_rows = _json_rows(new[cut:].decode("utf-8", "replace"), keep)
    c.anchor = (c.anchor + done)[-_ANCHOR:]
    c.offset += cut
    c.size, c.mtime_ns = c.offset + len(new) - cut, info.st_mtime_ns
    _tails[key] = c
    _tails.move_to_end(key)
    while len(_tails) > TAIL_FILES:
        _tails.popitem(last=False)
    return c.rows + c.tail_rows


def number(value, default=None):
    """value if it is a real number (not a bool), else default: fields read from files that
    may have been damaged are checked before arithmetic is done with them."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return value


def mtime(path: Path) -> float | None:
    try:
        return Path(path).stat().st_mtime
    except OSError:
        return None


# ------------------------------------------------------------------ making and changing runs

def new_run_id(arch: str, dataset: str) -> str:
    arch = arch.split(":", 1)[0]      # "stack:<code>" (the Explainer's): the folder says "stack"
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


def read_status(run_dir: Path) -> dict:
    return read_json(Path(run_dir) / STATUS, {}) or {}


def set_status(run_dir: Path, **fields) -> dict:
    """Merge fields into status.json (the process and the readers both call this); OSError
    when the folder cannot be written. A new reason without a reason_key drops the old key."""
    st = read_status(run_dir)
    if "reason" in fields and "reason_key" not in fields:
        st.pop("reason_key", None)
        st.pop("reason_args", None)
    st.update(fields)
    st["updated"] = time.time()
    write_json(Path(run_dir) / STATUS, st)
    return st


def report(run_dir: Path, **fields) -> dict:
    """set_status from the run's own process: also its heartbeat (see last_activity)."""
    return set_status(run_dir, beat=time.time(), **fields)


def reason(key: str, **args) -> dict:
    """status.json fields for a reason the page shows in the reader's language: the English
    text (for the CLI and the log) plus the catalogue key and its arguments."""
    from cnnweb import i18n

    return {"reason": i18n.t(key, **args), "reason_key": key, "reason_args": args}


def message_fields(name: str, text) -> dict:
    """status.json fields for a text the page shows in the reader's language (the device line,
    the data source): the English text under `name` (for the CLI, the log and older readers)
    and, when it is an i18n.Msg, its key and arguments under name_key / name_args."""
    from cnnweb import i18n

    if not isinstance(text, i18n.Msg):
        return {name: text, f"{name}_key": None, f"{name}_args": None}
    return {name: str(text), f"{name}_key": text.key, f"{name}_args": i18n.to_json(text)["args"]}


def message(status: dict, name: str):
    """The text message_fields wrote: an i18n.Msg again when its key is one of ours and its
    arguments fit, else the recorded text (a hand-made or older status.json still shows)."""
    from cnnweb import i18n

    key, args, text = status.get(f"{name}_key"), status.get(f"{name}_args"), status.get(name)
    if isinstance(key, str) and key in i18n.CATALOGUES["en"] and isinstance(args, dict):
        try:
            return i18n.from_json({"msg": key, "args": args})
        except (KeyError, ValueError, IndexError, TypeError, AttributeError):
            pass
    return text


def reason_text(status: dict, t) -> str:
    """The status's reason through t(key, **args) when it has a catalogue key of ours, else the
    recorded text (a damaged or hand-made status.json never breaks the page)."""
    key, args = status.get("reason_key"), status.get("reason_args")
    text = str(status.get("reason") or "")
    if isinstance(key, str) and key.startswith("run.") and isinstance(args, dict):
        try:
            return t(key, **{str(k): v for k, v in args.items()})
        except (KeyError, ValueError, IndexError, TypeError):
            return text
    return text


def write_config(run_dir: Path, config: dict) -> None:
    write_json(Path(run_dir) / CONFIG, config)


def read_config(run_dir: Path) -> dict:
    return read_json(Path(run_dir) / CONFIG, {}) or {}


def write_launcher(run_dir: Path, record: dict) -> None:
    write_json(Path(run_dir) / LAUNCHER, record)


def read_launcher(run_dir: Path) -> dict:
    return read_json(Path(run_dir) / LAUNCHER, {}) or {}


def append_metric(run_dir: Path, row: dict) -> None:
    append_jsonl(Path(run_dir) / METRICS, row)


def write_result(run_dir: Path, result: dict) -> None:
    write_json(Path(run_dir) / RESULT, result)


def log_path(run_dir: Path) -> Path:
    return Path(run_dir) / LOG


def stderr_text(run_dir: Path) -> str:
    try:
        return (Path(run_dir) / STDERR).read_text(errors="replace").strip()
    except OSError:
        return ""


def request_stop(run_dir: Path) -> None:
    (Path(run_dir) / STOP).touch()


def stop_requested(run_dir: Path) -> bool:
    return (Path(run_dir) / STOP).exists()


def stop_time(run_dir: Path) -> float | None:
    """When the stop was requested (the stop file's time), or None."""
    return mtime(Path(run_dir) / STOP)


def last_activity(run_dir: Path, status: dict) -> float | None:
    """The last time the run's own process wrote anything (its status "beat", metrics, log);
    readers that mark a run write status.json too, but never "beat"."""
    times = [number(status.get("beat")), mtime(Path(run_dir) / METRICS),
             mtime(Path(run_dir) / LOG)]
    return max((x for x in times if x is not None), default=None)


def _save_examples(path: Path, x, true, pred, confidence, index) -> None:
    buf = io.BytesIO()
    np.savez_compressed(buf, index=np.asarray(index), x=np.asarray(x), true=np.asarray(true),
                        pred=np.asarray(pred), confidence=np.asarray(confidence, np.float32))
    atomic.write(path, buf.getvalue())


def save_misclassified(run_dir: Path, x, true, pred, confidence, index) -> None:
    _save_examples(Path(run_dir) / MISCLASSIFIED, x, true, pred, confidence, index)


def save_cell_examples(run_dir: Path, x, true, pred, confidence, index) -> None:
    """Test images per confusion-matrix cell (see pick_cell_examples), for the clickable matrix."""
    _save_examples(Path(run_dir) / CELLS, x, true, pred, confidence, index)


def pick_cell_examples(true, pred, confidence, per_cell: int = CELL_EXAMPLES,
                       total: int = MAX_CELL_IMAGES) -> np.ndarray:
    """Indices of at most per_cell test images for each (true, predicted) cell, the most
    confident first, and at most `total` in all (cells with the most images keep theirs first,
    so a many-class set stays bounded). Sorted by cell, then by confidence, highest first."""
    true, pred = np.asarray(true).ravel(), np.asarray(pred).ravel()
    conf = np.asarray(confidence, dtype=float).ravel()
    order = np.lexsort((-conf, pred, true))          # by cell, most confident first
    cells = np.stack([true[order], pred[order]], 1)
    start = np.r_[True, (cells[1:] != cells[:-1]).any(1)] if len(order) else np.zeros(0, bool)
    rank = np.arange(len(order)) - np.maximum.accumulate(np.where(start, np.arange(len(order)), 0))
    keep = order[rank < per_cell]
    if len(keep) > total:                            # drop the images of the smallest cells
        _, inverse, counts = np.unique(np.stack([true[keep], pred[keep]], 1), axis=0,
                                       return_inverse=True, return_counts=True)
        keep = keep[np.argsort(-counts[inverse.ravel()], kind="stable")[:total]]
        keep = keep[np.lexsort((-conf[keep], pred[keep], true[keep]))]
    return keep


def _load_examples(p: Path) -> dict | None:
    """Example arrays (index, x, true, pred, confidence), or None when there is no usable file
    (missing, too big, damaged, or arrays that do not fit together: a run folder may be hostile)."""
    try:
        info = p.stat()
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or not 0 < info.st_size <= MAX_MISCLASSIFIED_BYTES:
        return None                       # a FIFO would hang np.load; a huge file is not ours
    try:
        with np.load(p, allow_pickle=False) as z:
            out = {k: z[k] for k in ("index", "x", "true", "pred", "confidence")}
    except (OSError, ValueError, KeyError, EOFError, RuntimeError):
        return None
    n = len(out["index"]) if out["index"].ndim == 1 else -1
    x = out["x"]
    if n < 0 or x.dtype != np.uint8 or x.ndim != 4 or x.shape[-1] not in (1, 3) \
            or any(out[k].shape != (n,) for k in ("true", "pred", "confidence")) or len(x) != n:
        return None
    return out


def load_misclassified(run_dir: Path) -> dict | None:
    """The mistakes grid's arrays, or None when there is no usable file."""
    return _load_examples(Path(run_dir) / MISCLASSIFIED)


def cell_examples(run_dir: Path, true: int, pred: int, limit: int = CELL_EXAMPLES) -> dict | None:
    """The stored test images of one confusion-matrix cell (true class, predicted class):
    {"x", "confidence", "index"}, from cell_examples.npz, or for a run made before that file
    existed from the misclassified grid (mistakes only); None when the run keeps no images."""
    z = _load_examples(Path(run_dir) / CELLS) or load_misclassified(run_dir)
    if z is None:
        return None
    mine = np.flatnonzero((z["true"] == true) & (z["pred"] == pred))[:limit]
    return {k: z[k][mine] for k in ("x", "confidence", "index")}


def check_display_name(name) -> str:
    """A run's display name as stored: trimmed, at most MAX_DISPLAY_NAME printable characters;
    "" means none (the run shows its usual line). ValueError with a sentence otherwise."""
    from cnnweb.i18n import Msg

    name = str(name).strip()
    if len(name) > MAX_DISPLAY_NAME:
        raise ValueError(Msg("run.name_long", most=MAX_DISPLAY_NAME, n=len(name)))
    if not name.isprintable():
        raise ValueError(Msg("run.name_control"))
    return name


def set_display_name(run_dir: Path, name) -> str:
    """Store (or with "" remove) the name a user gave the run; returns it. ValueError for a
    bad name (nothing is written), OSError when the folder cannot be written."""
    name = check_display_name(name)
    path = Path(run_dir) / DISPLAY
    if name:
        write_json(path, {"name": name})
    else:
        path.unlink(missing_ok=True)
    return name


def read_display_name(run_dir: Path) -> str:
    """The stored display name, or "" (none, a file too big to be ours, or a bad name)."""
    path = Path(run_dir) / DISPLAY
    try:
        info = path.stat()
    except OSError:
        return ""
    if not stat.S_ISREG(info.st_mode) or info.st_size > 4096:
        return ""
    try:
        return check_display_name((read_json(path, {}) or {}).get("name") or "")
    except ValueError:
        return ""


# ------------------------------------------------------------------ reading a run

def _metric_row(row: dict) -> dict | None:
    """A metrics.jsonl row fit for the page, or None: a progress/epoch row needs a whole epoch
    number >= 1 (progress rows: 0 <= batch <= batches, batches >= 1); other fields that should
    be numbers and are not become None."""
    kind, epoch = row.get("type"), row.get("epoch")
    if kind not in ("progress", "epoch") or isinstance(epoch, bool) or not isinstance(epoch, int) \
            or epoch < 1:
        return None
    batch, batches = number(row.get("batch")), number(row.get("batches"))
    if kind == "progress" and not (isinstance(batch, int) and isinstance(batches, int)
                                   and 0 <= batch <= batches and batches >= 1):
        return None
    return {k: (v if k in ("type", "partial") or number(v) is not None or v is None else None)
            for k, v in row.items()}


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
        return float(number(self.config.get("created"), 0.0))

    @property
    def reason(self) -> str:
        return str(self.status.get("reason") or "")

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    def metrics(self) -> list[dict]:
        """Progress and epoch rows, oldest first; damaged lines are left out (see _metric_row)."""
        return read_jsonl(self.path / METRICS, keep=_metric_row)

    def epochs(self) -> list[dict]:
        return [m for m in self.metrics() if m.get("type") == "epoch"]

    def result(self) -> dict:
        return read_json(self.path / RESULT, {}) or {}

    def misclassified(self) -> dict | None:
        return load_misclassified(self.path)

    @property
    def display_name(self) -> str:
        return read_display_name(self.path)

    def log_tail(self, n: int = 20) -> str:
        try:
            return "\n".join((self.path / LOG).read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


def read_run(run_dir: Path, status: dict | None = None) -> Run:
    run_dir = Path(run_dir)
    return Run(run_dir.name, run_dir, read_config(run_dir),
               read_status(run_dir) if status is None else status)


def is_run_dir(d: Path) -> bool:
    """A run's folder (not the queue lock, not a stray file); False for one we may not read."""
    try:
        return d.is_dir() and not d.name.startswith(".") and (d / CONFIG).exists()
    except OSError:
        return False


# ------------------------------------------------------------------ what the page shows

@dataclass
class Silence:
    """How long a running run has written nothing, against what is usual for it."""
    seconds: float        # since its last line
    usual_s: float        # its median gap between progress lines
    limit_s: float        # max(SILENT_TIMES * usual_s, SILENT_MIN_S)


def _last_progress(rows: list[dict], n: int, value=lambda r: r) -> list:
    """value(row) of the last n progress rows where it is not None, oldest first; walks from the
    end, so a long run's watcher does not go through every line each tick."""
    out = []
    for r in reversed(rows):
        if r.get("type") == "progress" and (v := value(r)) is not None:
            out.append(v)
            if len(out) == n:
                break
    return out[::-1]


def silence(run: Run, rows: list[dict], now: float) -> Silence | None:
    """A Silence when a running run has written nothing for longer than its limit (it is "not
    responding": stopped, hung or starved), else None."""
    if run.state != "running":
        return None
    recent = _last_progress(rows, 21, lambda r: number(r.get("time")))   # from the end: cheap
    if not recent:
        return None
    prog = recent
    gaps = [b - a for a, b in itertools.pairwise(recent) if b >= a]
    usual = statistics.median(gaps) if gaps else 0.0
    limit = max(SILENT_TIMES * usual, SILENT_MIN_S)
    last = max([*prog[-1:], last_activity(run.path, run.status) or 0.0])
    quiet = now - last
    return Silence(quiet, usual, limit) if quiet > limit else None


@dataclass
class Progress:
    """Where a run is, for the live view: epoch x of N (`epochs`; 0 while unknown) and the
    epochs done, the overall fraction 0..1, the time left (None while unknown), images/s, the
    device and data source it reported (Msg or text), the finished epochs' rows, the running
    epoch's progress rows (`tail`) and whether it has gone silent."""
    state: str
    reason: object
    epoch: int
    epochs: int
    epochs_done: int
    fraction: float
    eta_s: float | None
    images_per_s: float | None
    device: object
    data_source: object
    epoch_rows: list[dict]
    tail: list[dict]
    silence: Silence | None


def progress(run: Run, now: float | None = None) -> Progress:
    """Where a run is: epoch x/N, overall fraction, ETA, images/s, the running epoch's rows,
    and whether it has gone silent. Pure function of the run's files, so it is tested
    directly (st.fragment does not tick under AppTest)."""
    now = now or time.time()
    rows = run.metrics()
    epochs = [m for m in rows if m.get("type") == "epoch"]
    prog = _last_progress(rows, 1)
    total = int(number(run.status.get("epochs")) or
                number((run.config.get("config") or {}).get("epochs")) or 0)
    done = epochs[-1]["epoch"] if epochs else 0
    tail = []        # the running epoch's progress rows: read from the end, not the whole run
    for r in reversed(rows):
        if r.get("epoch", 0) <= done:
            break
        if r.get("type") == "progress":
            tail.append(r)
    tail.reverse()
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
        since = now - (last.get("time") or now)   # time since the last line, while it goes on
        eta = max(elapsed / fraction * (1 - fraction) - since, 0.0)
    return Progress(state=run.state, reason=run.reason, epoch=cur, epochs=total,
                    epochs_done=done, fraction=min(max(fraction, 0.0), 1.0), eta_s=eta,
                    images_per_s=ips, device=message(run.status, "device"),
                    data_source=message(run.status, "data_source"), epoch_rows=epochs, tail=tail,
                    silence=silence(run, rows, now))


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
    """One line for lists, an i18n.Msg: 'mnist_cnn on mnist, 5 epochs: finished, 98.90% test
    (id)'. Arch and dataset are data, shown as they are."""
    from cnnweb import i18n

    cfg = run.config.get("config") or {}
    epochs = cfg.get("epochs")
    what = i18n.Msg("run.desc_epochs" if isinstance(epochs, int) and epochs > 0 else "run.desc",
               arch=str(run.config.get("arch", "?")), dataset=str(run.config.get("dataset", "?")),
               epochs=epochs)
    if not with_state:
        return i18n.Msg("run.desc_id", what=what, id=run.id[:15])
    acc = number(run.status.get("test_accuracy"))
    state = i18n.Msg(f"run.state_{run.state}")                 # one of ACTIVE + FINAL
    if acc is not None:
        return i18n.Msg("run.desc_acc", what=what, state=state, acc=acc, id=run.id[:15])
    return i18n.Msg("run.desc_state", what=what, state=state, id=run.id[:15])


def _word(value) -> str | None:
    """A short text field from a file that may be hostile (anything else: None)."""
    return value[:40] if isinstance(value, str) else None


def summary_row(run: Run) -> dict:
    """One row of the runs table: the run's hyperparameters and best metrics over its whole
    epochs (None where unknown). Keys are the table's columns (the page names them)."""
    cfg = run.config.get("config") or {}
    whole = [e for e in run.epochs() if not e.get("partial")]

    def best(key, pick):
        values = [(v, e["epoch"]) for e in whole if (v := number(e.get(key))) is not None]
        return pick(values) if values else (None, None)

    acc, acc_epoch = best("val_accuracy", max)
    loss, _ = best("val_loss", min)
    if acc is None:                         # no validation split: the training accuracy
        acc, acc_epoch = best("accuracy", max)
    return {"run": run.id, "name": run.display_name, "arch": _word(run.config.get("arch")),
            "dataset": _word(run.config.get("dataset")), "state": run.state,
            "epochs": len(whole), "batch_size": number(cfg.get("batch_size")),
            "lr": number(cfg.get("lr")), "optimizer": _word(cfg.get("optimizer")),
            "dropout": number(cfg.get("dropout")), "augment": cfg.get("augment") is True,
            "best_accuracy": acc, "best_epoch": acc_epoch, "lowest_val_loss": loss,
            "test_accuracy": number(run.status.get("test_accuracy"))}


def fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return "…"
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def disk_full(folder: Path) -> bool:
    """Whether the file system holding folder has (almost) no room left."""
    try:
        return shutil.disk_usage(folder).free < 1 << 20
    except OSError:
        return False

