"""Bring your own model: a model file from an upload or a path, checked in a worker process.

    stage(data, filename)          -> Path  (a private copy in the uploads folder; never models/)
    inspect(path)                  -> dict  (input shape, output units, layer table, totals, DOT,
                                             conv layers, why Predict cannot feed it or None)
    load(path)                     -> keras.Model, after inspect() succeeded (safe mode)
    class_names(text, units)       -> [str]  from "cat, dog, bird" typed in
    sidecar(data, filename)        -> dict   an uploaded NAME.json, bounded and type-checked
    save(path, name, meta)         -> Path   into the store, only when the user asks; never
                                             over an existing model

A model file is untrusted: it may be a zip bomb, a Lambda layer's Python code, or an HDF5 file
that crashes the library reading it. The cheap checks (store.model_file_problem: size, zip
directory, signature) run first, in the caller; then a separate Python process (`python -m
cnnweb.byom PATH OUT`) loads it with safe_mode=True and writes what the pages need as JSON.
That process is watched (psutil, portable): killed past WORKER_TIMEOUT_S seconds or
WORKER_MEMORY_MB of memory, and a crash is one line. The server loads the file itself only
after the worker succeeded. No TensorFlow is imported here except in the worker and load().
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from cnnweb import archive, i18n, store
from cnnweb.i18n import Msg

MAX_UPLOAD_MB = 100              # st.file_uploader's limit for model files (a test checks it)
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB << 20
WORKER_TIMEOUT_S = 180.0         # TF import ~3 s, MobileNetV2 load + table ~4 s on 2 busy cores
WORKER_MEMORY_MB = 3072          # MobileNetV2 at 96x96: ~0.9 GB resident in the worker
WORKERS = 2                      # at most this many checks at once in one server
KEEP_UPLOADS = 32                # staged files kept (oldest removed first)
MAX_RESULT_BYTES = 32 << 20      # the worker's JSON answer
SUFFIXES = (".keras", ".h5")

_SLOTS = threading.BoundedSemaphore(WORKERS)


class ModelFileError(ValueError):
    """A model file that cannot be used; args[0] is the one-line reason (often an i18n Msg)."""


# ---------------------------------------------------------------- staging an upload

def uploads_dir() -> Path:
    """Where uploaded model files wait while they are looked at (CNNWEB_UPLOADS_DIR moves it)."""
    value = os.environ.get("CNNWEB_UPLOADS_DIR")
    return Path(value).expanduser() if value else Path(tempfile.gettempdir()) / "cnnweb-uploads"


def stage(data: bytes, filename: str) -> Path:
    """The uploaded bytes as <uploads>/<sha256>.keras|.h5 (same bytes, same file), the oldest
    staged files beyond KEEP_UPLOADS removed. ModelFileError for a wrong extension or size."""
    suffix = Path(str(filename)).suffix.lower()
    if suffix not in SUFFIXES:
        raise ModelFileError(Msg("store.bad_suffix", file=str(filename)[:80]))
    if len(data) > MAX_UPLOAD_BYTES:
        raise ModelFileError(Msg("arc.file_too_big", file=str(filename)[:80],
                                 size=archive.size_text(len(data)),
                                 limit=archive.size_text(MAX_UPLOAD_BYTES)))
    folder = uploads_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{hashlib.sha256(data).hexdigest()[:32]}{suffix}"
    if not target.exists():
        from cnnweb import atomic

        atomic.write(target, data)
    _prune(folder, keep=target)
    return target


def _prune(folder: Path, keep: Path) -> None:
    try:
        staged = sorted((p for p in folder.iterdir() if p.suffix in SUFFIXES and p != keep),
                        key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for p in staged[KEEP_UPLOADS - 1:]:
        p.unlink(missing_ok=True)


# ---------------------------------------------------------------- the worker (its own process)

def describe(model) -> dict:
    """What the pages need of a loaded model, as JSON values."""
    from cnnweb import explain, summary

    rows = summary.layer_table(model)
    try:
        store.model_io(model, {})
        why = None
    except ValueError as e:
        why = e.args[0]
    inputs = [None if d is None else int(d) for d in tuple(model.inputs[0].shape)[1:]]
    outputs = [None if d is None else int(d) for d in tuple(model.outputs[0].shape)[1:]]
    return {"input_shape": inputs, "output_shape": outputs,
            "rows": [{**r, "config": i18n.to_json(r["config"])} for r in rows],
            "totals": summary.totals(rows), "dot": summary.to_dot(model, rows),
            "conv_layers": explain.conv_layers(model), "keras_params": int(model.count_params()),
            "layers": len(getattr(model, "operations", model.layers)),
            "predict_problem": i18n.to_json(why)}


def check_here(path: Path) -> dict:
    """Load and describe a model file in this process: {"ok": True, ...} or {"ok": False,
    "error": reason}. Used by the worker; call inspect() from a server."""
    try:
        model = store.load_file(Path(path))
        return {"ok": True, **describe(model)}
    except ValueError as e:
        return {"ok": False, "error": i18n.to_json(e.args[0] if e.args else str(e))}


def worker_main(argv: list[str]) -> int:
    path, out = Path(argv[0]), Path(argv[1])
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    result = check_here(path)
    text = json.dumps(result, ensure_ascii=False, default=str)
    from cnnweb import atomic

    atomic.write(out, text)
    return 0


def worker_command(path: Path, out: Path) -> list[str]:
    """The worker's command line (a test replaces it to make the worker crash)."""
    return [sys.executable, "-m", "cnnweb.byom", str(path), str(out)]


# ---------------------------------------------------------------- the server's side

def inspect(path, *, label: str | None = None, timeout: float = WORKER_TIMEOUT_S,
            memory_mb: int = WORKER_MEMORY_MB) -> dict:
    """The worker's description of a model file, or ModelFileError (one line) when the file
    fails the cheap checks, Keras refuses it, or the worker crashes, runs too long or uses too
    much memory. Nothing of the file is read by Keras in this process. label: the file name to
    say in messages (an upload's own name rather than its staged one)."""
    path = Path(path)
    label = label or path.name
    try:
        problem = store.model_file_problem(path)
        if problem:
            raise ModelFileError(problem)
        if not _SLOTS.acquire(timeout=timeout):
            raise ModelFileError(Msg("byom.busy"))
        try:
            with tempfile.TemporaryDirectory(prefix="cnnweb-check-") as tmp:
                out = Path(tmp) / "result.json"
                _watch(worker_command(path, out), path.name, timeout, memory_mb, Path(tmp))
                return _answer(out, path.name)
        finally:
            _SLOTS.release()
    except ModelFileError as e:
        raise ModelFileError(relabel(e.args[0], path.name, label)) from None


def relabel(text, old: str, new: str):
    """A reason with the staged file's name replaced by the name the user knows."""
    if old == new:
        return text
    if isinstance(text, Msg):
        return Msg(text.key, **{k: relabel(v, old, new) for k, v in text.params.items()})
    return text.replace(old, new) if isinstance(text, str) else text


def _rss(proc) -> int:
    """Resident bytes of a process and its children (0 when it is gone)."""
    import psutil

    try:
        p = psutil.Process(proc.pid)
        total = p.memory_info().rss
        for child in p.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        return total
    except psutil.Error:
        return 0


def _watch(cmd: list[str], file: str, timeout: float, memory_mb: int, tmp: Path) -> None:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")   # CPU is enough
    with open(tmp / "worker.log", "wb") as log:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env,
                                cwd=str(Path(__file__).resolve().parent.parent))
        deadline = time.monotonic() + timeout
        why = None
        while proc.poll() is None:
            if time.monotonic() > deadline:
                why = Msg("byom.timeout", file=file, s=int(timeout))
            elif _rss(proc) > memory_mb << 20:
                why = Msg("byom.memory", file=file, mb=memory_mb)
            if why is not None:
                proc.kill()
                proc.wait()
                raise ModelFileError(why)
            time.sleep(0.05)
    if proc.returncode != 0:
        raise ModelFileError(Msg("byom.crashed", file=file, code=proc.returncode))


def _answer(out: Path, file: str) -> dict:
    try:
        archive.regular_file(out, out.name, MAX_RESULT_BYTES)
        result = json.loads(out.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        raise ModelFileError(Msg("byom.crashed", file=file, code="?")) from None
    if not result.get("ok"):
        raise ModelFileError(i18n.from_json(result.get("error")))
    result["predict_problem"] = i18n.from_json(result.get("predict_problem"))
    for row in result.get("rows") or []:
        if isinstance(row, dict):
            row["config"] = i18n.from_json(row.get("config"))
    return result


def load(path):
    """The model of a file inspect() accepted, loaded in this process (safe mode)."""
    return store.load_file(Path(path))


# ---------------------------------------------------------------- class names

def class_names(text: str, units: int) -> list[str]:
    """Class names typed as "cat, dog, bird": stripped, non-empty, printable, at most
    store.MAX_CLASS_NAME characters, no repeats, exactly `units` of them (the model's outputs).
    ModelFileError saying what is wrong."""
    names = [n.strip() for n in str(text).split(",")]
    if len(names) != units:
        raise ModelFileError(Msg("byom.names_count", n=len(names), units=units))
    for n in names:
        if not n or len(n) > store.MAX_CLASS_NAME or not n.isprintable():
            raise ModelFileError(Msg("byom.names_bad", name=n[:40], chars=store.MAX_CLASS_NAME))
    if len(set(names)) != len(names):
        raise ModelFileError(Msg("byom.names_repeat"))
    return names


def sidecar(data: bytes, filename: str) -> dict:
    """An uploaded sidecar NAME.json as a dict whose class_names and input_shape have the right
    types and bounds (store.sidecar_problem); whether they fit the model is store.model_io's."""
    if len(data) > store.MAX_SIDECAR_BYTES:
        raise ModelFileError(Msg("arc.file_too_big", file=str(filename)[:80],
                                 size=archive.size_text(len(data)),
                                 limit=archive.size_text(store.MAX_SIDECAR_BYTES)))
    try:
        meta = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ModelFileError(Msg("byom.bad_sidecar", file=str(filename)[:80])) from None
    if not isinstance(meta, dict):
        raise ModelFileError(Msg("byom.bad_sidecar", file=str(filename)[:80]))
    problem = store.sidecar_problem(meta, str(filename)[:80])
    if problem:
        raise ModelFileError(problem)
    return meta


def save(path, name: str, meta: dict) -> Path:
    """Keep an inspected model file in the store as NAME (ValueError when the name is bad or
    taken: nothing is ever overwritten). Class names, if any, go into the sidecar."""
    model = load(path)
    store.model_io(model, meta, "the class names")     # they must fit the model
    record = {"arch": "uploaded", **meta}
    return store.save_model(model, name, record, overwrite=False)


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:]))
