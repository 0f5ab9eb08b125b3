"""The model store: `<name>.keras` + `<name>.json` sidecar pairs in models/.

    save_model(model, "my_mnist", meta)   -> Path   (atomic; ValueError on a bad or taken name)
    list_models()                         -> [ModelEntry]  (cheap: reads JSON only, never raises)
    load_model("my_mnist" | path)         -> keras.Model   (Keras safe mode)
    load_meta("my_mnist" | path)          -> dict
    delete_model("my_mnist")

Shipped models live in ROOT/models; the user's in paths.models_dir() (the same folder unless
CNNWEB_MODELS_DIR is set; then ROOT/models holds only shipped ones). A sidecar with
"shipped": true marks a shipped model in the shared folder. Every write goes to a hidden
temporary file in the same folder first and is then renamed over the target (os.replace),
so a crash never leaves a half-written model under a real name.
No TensorFlow at import: Keras is imported inside save_model/load_model only.
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cnnweb import paths

MAX_NAME = 64
MAX_NAME_BYTES = 200   # UTF-8; file names may have 255 bytes, and the temporary name adds ~30
SIDECAR_KEYS = ("name", "arch", "dataset", "class_names", "input_shape", "preprocessing",
                "hyperparams", "test_accuracy", "test_loss", "history", "confusion_matrix",
                "created", "run_id", "command")
_KERAS_MEMBERS = {"config.json", "model.weights.h5"}   # what every .keras archive holds
_IGNORED = {"readme", "readme.md", "readme.txt", "license", ".gitkeep", ".gitignore"}
_NAME_RE = re.compile(r"^[\w][\w.\-]*$")  # \w is unicode-aware: letters and digits of any script


class StoreError(ValueError):
    """A model that is missing or cannot be read; the message says which and why."""


@dataclass
class ModelEntry:
    name: str
    path: Path                 # the .keras file (it may be missing: see error)
    meta: dict = field(default_factory=dict)
    shipped: bool = False
    error: str | None = None   # why the model cannot be used, or None

    @property
    def json_path(self) -> Path:
        return self.path.with_suffix(".json")

    @property
    def ok(self) -> bool:
        return self.error is None


# ---------------------------------------------------------------- names

def check_name(name) -> str:
    """The name normalised (NFC, stripped), or ValueError saying what is wrong with it."""
    if not isinstance(name, str):
        raise TypeError(f"A model name must be text, got {type(name).__name__}.")
    name = unicodedata.normalize("NFC", name.strip())
    if not name:
        raise ValueError("A model name must not be empty.")
    if len(name) > MAX_NAME:
        raise ValueError(f"A model name must be at most {MAX_NAME} characters, this one has {len(name)}.")
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise ValueError(f"A model name must be at most {MAX_NAME_BYTES} bytes as a file name; "
                         f"this one has {len(name.encode('utf-8'))} (letters outside ASCII take 2-4 "
                         f"bytes each): use a shorter name.")
    if "/" in name or "\\" in name or ".." in name:
        raise ValueError(f"A model name must not contain '/', '\\' or '..': {name!r}.")
    if not _NAME_RE.match(name):
        raise ValueError(f"A model name may contain only letters, digits, '_', '-' and '.', and must "
                         f"start with a letter or digit: {name!r} (try {slugify(name)!r}).")
    if name.lower().endswith((".keras", ".json")):
        raise ValueError(f"Give the model name without a file extension: {name!r}.")
    return name


def slugify(text: str) -> str:
    """A valid model name made from any text: spaces and other symbols become '-'."""
    text = unicodedata.normalize("NFC", str(text)).strip()
    text = re.sub(r"[^\w.\-]+", "-", text).replace("..", ".")
    text = text.strip(".-_")[:MAX_NAME].strip(".-_")
    return text or "model"


# ---------------------------------------------------------------- where models are

def shipped_dir() -> Path:
    return paths.ROOT / "models"


def _dirs() -> list[tuple[Path, bool]]:
    """(folder, holds-only-shipped) in lookup order: the user's first."""
    user, ship = paths.models_dir(), shipped_dir()
    if user.resolve() == ship.resolve():
        return [(user, False)]
    return [(user, False), (ship, True)]


def model_path(name_or_path) -> Path:
    """The .keras path for a model name or a path to a .keras/.json file (StoreError if unknown)."""
    text = str(name_or_path)
    if text.endswith((".keras", ".json")) or os.sep in text or "/" in text:
        path = Path(text).expanduser()
        return path.with_suffix(".keras")
    name = check_name(text)
    for folder, _ in _dirs():
        candidate = folder / f"{name}.keras"
        if candidate.exists() or candidate.with_suffix(".json").exists():
            return candidate
    known = ", ".join(e.name for e in list_models()) or "none yet"
    raise StoreError(f"No model named {name!r} (models: {known}).")


# ---------------------------------------------------------------- cheap checks

def _keras_file_problem(path: Path) -> str | None:
    """Why a .keras file cannot be a Keras model, judged from its zip directory only."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return f"the model file {path.name} is missing"
    except OSError as e:
        return f"{path.name} cannot be read: {e.strerror or e}"
    if size == 0:
        return f"{path.name} is empty (0 bytes)"
    try:
        with zipfile.ZipFile(path) as zf:
            members = set(zf.namelist())
    except zipfile.BadZipFile:
        return f"{path.name} is not a Keras archive (truncated, corrupt or another format)"
    except OSError as e:
        return f"{path.name} cannot be read: {e.strerror or e}"
    missing = _KERAS_MEMBERS - members
    if missing:
        return f"{path.name} is a zip file but not a Keras model (no {', '.join(sorted(missing))})"
    return None


def _read_sidecar(path: Path) -> tuple[dict, str | None]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, f"the metadata file {path.name} is missing"
    except (OSError, UnicodeDecodeError) as e:
        return {}, f"{path.name} cannot be read: {e}"
    try:
        meta = json.loads(text)
    except json.JSONDecodeError as e:
        return {}, f"{path.name} is not valid JSON ({e.msg} at line {e.lineno})"
    if not isinstance(meta, dict):
        return {}, f"{path.name} holds a {type(meta).__name__}, not a metadata object"
    return meta, None


def _entry(stem: str, folder: Path, only_shipped: bool) -> ModelEntry:
    keras_path = folder / f"{stem}.keras"
    meta, error = _read_sidecar(keras_path.with_suffix(".json"))
    problem = _keras_file_problem(keras_path)
    error = problem or error   # the model file's problem is the more basic one
    shipped = only_shipped or bool(meta.get("shipped"))
    return ModelEntry(stem, keras_path, meta, shipped, error)


def list_models() -> list[ModelEntry]:
    """Every model in the user's folder and the shipped folder, readable or not, sorted by
    name (shipped first). Reads only the JSON sidecars and zip directories; never raises."""
    entries: dict[str, ModelEntry] = {}
    for folder, only_shipped in _dirs():
        try:
            files = sorted(p for p in folder.iterdir() if p.is_file())
        except OSError:
            continue
        stems = []
        for p in files:
            low = p.name.lower()
            if p.name.startswith(".") or low in _IGNORED:
                continue       # temporary files of a write in progress, README, ...
            if p.suffix in (".keras", ".json"):
                if p.stem not in stems:
                    stems.append(p.stem)
            elif p.name not in entries:
                entries[p.name] = ModelEntry(p.name, p, {}, only_shipped,
                                             f"{p.name} is not a model: expected NAME.keras with a "
                                             f"NAME.json sidecar")
        for stem in stems:
            if stem not in entries:   # the user's folder comes first and wins
                entries[stem] = _entry(stem, folder, only_shipped)
    return sorted(entries.values(), key=lambda e: (not e.shipped, e.name.lower()))


# ---------------------------------------------------------------- reading

def load_meta(name_or_path) -> dict:
    """The sidecar of a model; StoreError when it is missing or unreadable."""
    path = model_path(name_or_path)
    meta, error = _read_sidecar(path.with_suffix(".json"))
    if error:
        raise StoreError(error)
    return meta


def load_model(name_or_path):
    """The Keras model (safe mode: no arbitrary code from the file, uncompiled)."""
    path = model_path(name_or_path)
    problem = _keras_file_problem(path)
    if problem:
        raise StoreError(problem)
    import keras
    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as e:  # any failure inside Keras means "unreadable"
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise StoreError(f"{path.name} could not be loaded: {first}") from e


def history_rows(meta: dict) -> list[dict]:
    """The sidecar's per-epoch lists ({"loss": [...], "val_loss": [...], ...}) as one dict per
    epoch ({"epoch": 1, "loss": ..., ...}), the shape charts.training_curves_figure takes."""
    hist = meta.get("history") or {}
    if not isinstance(hist, dict):
        return []
    series = {k: v for k, v in hist.items() if isinstance(v, list)}
    n = max((len(v) for v in series.values()), default=0)
    return [{"epoch": i + 1, **{k: v[i] for k, v in series.items() if i < len(v)}} for i in range(n)]


# ---------------------------------------------------------------- writing

def _jsonable(value):
    """numpy scalars/arrays, tuples and paths in the sidecar become plain JSON values."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "tolist"):        # numpy arrays and scalars
        return _jsonable(value.tolist())
    if isinstance(value, float) and math.isnan(value):   # NaN is not valid JSON
        return None
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise ValueError(f"The metadata value {value!r} ({type(value).__name__}) cannot be stored as JSON.")


def _tmp_path(folder: Path, name: str, suffix: str) -> Path:
    """A new hidden file beside the target (same file system, so os.replace is atomic), created
    with the usual permissions (tempfile.mkstemp would make it private to this user)."""
    while True:
        tmp = folder / f".{name}.{os.getpid()}-{secrets.token_hex(4)}.tmp{suffix}"
        try:
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            return tmp
        except FileExistsError:
            continue


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def save_model(model, name: str, meta: dict, overwrite: bool = False) -> Path:
    """Save model + sidecar as <models_dir>/<name>.keras/.json, atomically. Returns the .keras path.
    ValueError for a bad name, unstorable metadata, or a taken name without overwrite=True."""
    name = check_name(name)
    if not isinstance(meta, dict):
        raise TypeError(f"meta must be a dict, got {type(meta).__name__}.")
    folder = paths.models_dir()
    if not overwrite:
        for d, _ in _dirs():
            if (d / f"{name}.keras").exists() or (d / f"{name}.json").exists():
                raise ValueError(f"A model named {name!r} already exists in {d}; choose another name "
                                 f"or replace it explicitly (overwrite).")
    if not getattr(model, "built", True) or not getattr(model, "inputs", None):
        raise ValueError("The model must be built (called on data or created with an Input) before saving.")

    return save_model_to(model, folder, name, meta)


def save_model_to(model, folder: Path, name: str, meta: dict) -> Path:
    """The writing half of save_model, into any folder and replacing what is there (training
    keeps a model in its run folder this way when the store cannot take it). OSError when the
    folder cannot be written; a failed write leaves no partial files and the old pair intact."""
    import keras

    folder = Path(folder)
    target = folder / f"{name}.keras"
    record = dict(meta)
    record["name"] = name
    record.setdefault("created", datetime.now(UTC).isoformat(timespec="seconds"))
    record.setdefault("input_shape", [int(d) for d in model.inputs[0].shape[1:]])
    record.setdefault("keras_version", keras.__version__)
    record.setdefault("params", int(model.count_params()))
    text = json.dumps(_jsonable(record), indent=1, ensure_ascii=False)

    folder.mkdir(parents=True, exist_ok=True)
    tmp_model = _tmp_path(folder, name, ".keras")
    tmp_meta = _tmp_path(folder, name, ".json")
    try:
        model.save(tmp_model)
        _fsync(tmp_model)
        with open(tmp_meta, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_model, target)                   # model first: a sidecar never points
        os.replace(tmp_meta, target.with_suffix(".json"))  # at a model that is not complete
    finally:
        for tmp in (tmp_model, tmp_meta):
            tmp.unlink(missing_ok=True)
    return target


def folder_problem(folder: Path) -> str | None:
    """Why new files cannot be made in folder (created if missing), or None when they can.
    Tried for real: permission bits say nothing to root, nor about a read-only mount."""
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
        _tmp_path(Path(folder), "write-check", "").unlink()
    except OSError as e:
        return e.strerror or str(e)
    return None


def delete_model(name: str) -> None:
    """Remove a user model's .keras and .json. StoreError for shipped or unknown models."""
    name = check_name(name)
    entry = next((e for e in list_models() if e.name == name), None)
    if entry is None:
        raise StoreError(f"No model named {name!r}.")
    if entry.shipped:
        raise StoreError(f"{name!r} is a shipped model and cannot be deleted from the app.")
    targets = [entry.path, entry.json_path] if entry.path.suffix == ".keras" else [entry.path]
    for p in targets:   # a foreign file's entry removes only that file
        p.unlink(missing_ok=True)
