"""A class on one server: who owns what, the teacher's key, and the teacher's board.

Without a class key nothing here restricts anything: the app is one user's, as always.
With a key (CNNWEB_TEACHER_KEY, or `teacher_key` in .streamlit/secrets.toml; with
CNNWEB_CLASS=1 and neither, one is made up and printed once in the terminal) a student, known
by the display name they give (no password: a classroom, not a bank), may stop and delete only
their own runs and models; whoever types the key is the teacher and may manage everything.
The board lists the class's active and recent runs, best first, with one word for each.
Pure: no streamlit, no TensorFlow.
"""

from __future__ import annotations

import hmac
import os
import secrets
import sys
import time
import tomllib
from pathlib import Path

from cnnweb import paths, runs

MAX_NAME = 64                 # a display name: at most this many printable characters
MAX_KEY = 256
BOARD_FILE = ".board.json"    # in the runs folder; a leading dot keeps it out of the run list
MAX_BOARD_RUNS = 60           # the board shows at most this many runs, the newest
_generated: str | None = None  # a key made up for CNNWEB_CLASS=1, the same for the server's life


# ------------------------------------------------------------------ the class key

def _secrets_key(path: Path | None = None) -> str | None:
    """`teacher_key` of .streamlit/secrets.toml, or None (no file, unreadable, not a string)."""
    path = path or paths.ROOT / ".streamlit" / "secrets.toml"
    try:
        if path.stat().st_size > 1 << 20:
            return None
        value = tomllib.loads(path.read_text(encoding="utf-8")).get("teacher_key")
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, str) else None


def _usable(key) -> str | None:
    key = key.strip() if isinstance(key, str) else ""
    return key if 0 < len(key) <= MAX_KEY else None


def teacher_key() -> str | None:
    """The class key, or None when the app is not in class mode (a single user's app)."""
    global _generated
    key = _usable(os.environ.get("CNNWEB_TEACHER_KEY")) or _usable(_secrets_key())
    if key or os.environ.get("CNNWEB_CLASS", "") not in ("1", "true", "yes"):
        return key
    if _generated is None:
        _generated = secrets.token_urlsafe(9)
        print(f"cnnweb class mode: the teacher key is {_generated} (type it in the sidebar's "
              f"'Teacher key' field; set CNNWEB_TEACHER_KEY to choose your own)",
              file=sys.stderr, flush=True)
    return _generated


def class_mode() -> bool:
    return teacher_key() is not None


def is_teacher(given_key) -> bool:
    """Whether given_key is the class key (compared in constant time); False without a key."""
    key = teacher_key()
    if key is None or not isinstance(given_key, str) or not given_key:
        return False
    return hmac.compare_digest(given_key.strip().encode(), key.encode())


# ------------------------------------------------------------------ owners

def check_name(name) -> str:
    """A display name, stripped: 1 to MAX_NAME printable characters (ValueError otherwise)."""
    text = name.strip() if isinstance(name, str) else ""
    if not text or len(text) > MAX_NAME or not text.isprintable():
        raise ValueError(f"a display name is 1 to {MAX_NAME} printable characters")
    return text


def owner_of(record) -> str:
    """The "owner" of a run's config.json or a model's sidecar; "" when missing or damaged."""
    value = record.get("owner") if isinstance(record, dict) else None
    try:
        return check_name(value)
    except ValueError:
        return ""


def may_manage(viewer: str, teacher: bool, owner: str) -> bool:
    """Whether viewer may stop, rename or delete a thing of owner: always without a class key;
    with one, the teacher always, a student only their own (a named owner equal to them)."""
    if not class_mode() or teacher:
        return True
    return bool(viewer) and bool(owner) and viewer == owner


class NotYours(Exception):
    """An action on a run or model that the viewer does not own; .owner says whose it is."""

    def __init__(self, owner: str):
        super().__init__(f"this belongs to {owner or 'nobody'}; only they or the teacher may "
                         f"change it")
        self.owner = owner


def check_may_manage(viewer: str, teacher: bool, owner: str) -> None:
    """NotYours unless may_manage(viewer, teacher, owner): the guard every action calls."""
    if not may_manage(viewer, teacher, owner):
        raise NotYours(owner)


def stop_run(run: runs.Run, viewer: str, teacher: bool) -> None:
    """Ask a run to stop, if the viewer may (NotYours), see jobs.request_stop."""
    from cnnweb import jobs

    check_may_manage(viewer, teacher, owner_of(run.config))
    jobs.request_stop(run.path)


def delete_model(name: str, viewer: str, teacher: bool) -> None:
    """Delete a stored model, if the viewer may (NotYours), see store.delete_model."""
    from cnnweb import store

    meta = next((e.meta for e in store.list_models() if e.name == name), {})
    check_may_manage(viewer, teacher, owner_of(meta))
    store.delete_model(name)


def mine(all_runs: list[runs.Run], viewer: str) -> list[runs.Run]:
    return [r for r in all_runs if viewer and owner_of(r.config) == viewer]


# ------------------------------------------------------------------ the board

def _board_path(base: Path | None = None) -> Path:
    return Path(base or paths.runs_dir()) / BOARD_FILE


def cleared_at(base: Path | None = None) -> float:
    """When the teacher last cleared the board (0 if never)."""
    return float(runs.number(runs.read_json(_board_path(base), {}).get("cleared"), 0.0))


def clear_board(base: Path | None = None, now: float | None = None) -> None:
    """Hide every run that has ended from the board; no run's files are touched."""
    runs.write_json(_board_path(base), {"cleared": now or time.time()})


def on_board(all_runs: list[runs.Run], cleared: float) -> list[runs.Run]:
    """Active runs, and ended ones created since the board was cleared; at most the newest
    MAX_BOARD_RUNS."""
    shown = [r for r in all_runs if r.active or r.created >= cleared]
    return sorted(shown, key=lambda r: r.created)[-MAX_BOARD_RUNS:]


_rows: dict[str, tuple[tuple, dict]] = {}   # run id -> (what its files looked like, its row)


def _files_key(run: runs.Run) -> tuple:
    """Changes whenever the run's metrics or status change, so a row is recomputed only then."""
    try:
        s = (run.path / runs.METRICS).stat()
        metrics = (s.st_mtime_ns, s.st_size)
    except OSError:
        metrics = None
    return metrics, runs.number(run.status.get("updated")), run.state


def _word(run: runs.Run, epochs: list[dict]) -> str:
    """One word for the run: diverged / overfitting / learning / ... (a diagnose verdict), or
    its state when it waits, failed or was stopped."""
    if run.status.get("diverged"):
        return "diverged"
    if run.state in ("queued", "failed", "stopped"):
        return run.state
    return runs.diagnosis(run, epochs)["verdict"] if epochs else "not clear yet"


def _shown(value):
    """A hyperparameter from a (possibly hostile) file, fit for a table cell."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)[:40]


def board_row(run: runs.Run) -> dict:
    """What the board shows of a run; recomputed only when its files changed."""
    key = _files_key(run)
    cached = _rows.get(run.id)
    if cached and cached[0] == key:
        return cached[1]
    epochs = run.epochs()
    vals = [runs.number(e.get("val_accuracy")) for e in epochs]
    vals = [v for v in vals if v is not None] or \
        [v for v in (runs.number(e.get("accuracy")) for e in epochs) if v is not None]
    hp = run.config.get("hyperparams")
    hp = {str(k)[:40]: _shown(v) for k, v in hp.items()} if isinstance(hp, dict) else {}
    row = {"id": run.id, "owner": owner_of(run.config), "arch": str(run.config.get("arch", "?")),
           "dataset": str(run.config.get("dataset", "?")), "state": run.state,
           "word": _word(run, epochs), "best_val": max(vals) if vals else None,
           "test": runs.number(run.status.get("test_accuracy")), "epochs_done": len(epochs),
           "hyperparams": hp,
           "curve": [(e["epoch"], runs.number(e.get("val_accuracy"),
                                              runs.number(e.get("accuracy")))) for e in epochs]}
    _rows[run.id] = (key, row)
    if len(_rows) > 4 * MAX_BOARD_RUNS:           # forget runs long gone from the board
        for old in list(_rows)[:len(_rows) - 2 * MAX_BOARD_RUNS]:
            del _rows[old]
    return row


def score(row: dict) -> float:
    """What ranks a run: its test accuracy once it has one, else its best validation accuracy."""
    value = row["test"] if row["test"] is not None else row["best_val"]
    return -1.0 if value is None else float(value)


def board(all_runs: list[runs.Run], cleared: float = 0.0) -> list[dict]:
    """The board's rows, best first; the leader (the first, if it has any accuracy) is marked."""
    rows = sorted((board_row(r) for r in on_board(all_runs, cleared)), key=score, reverse=True)
    return [{**row, "leader": i == 0 and score(row) >= 0} for i, row in enumerate(rows)]
