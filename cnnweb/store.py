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
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cnnweb import archive, atomic, paths
from cnnweb.i18n import Msg

MAX_NAME = 64
MAX_NAME_BYTES = 200   # UTF-8; file names may have 255 bytes, and the temporary name adds ~30
_KERAS_MEMBERS = {"config.json", "model.weights.h5"}   # what every .keras archive holds
# Bounds on untrusted model files, checked from the zip directory before Keras reads a byte:
# the shipped models unpack to 1-4 MB (Keras stores members uncompressed, ratio 1.0); a
# ResNet-18 for CIFAR-10 is ~45 MB. A bomb (3-4 MB inflating to 6.9 GB) fails the first two.
MAX_MODEL_BYTES = 512 << 20     # uncompressed total the zip directory may declare
MAX_MEMBER_RATIO = 100          # uncompressed / compressed, for members over 1 MiB
MAX_MEMBERS = 64
MAX_SIDECAR_BYTES = 4 << 20     # models/*.json (the shipped ones are 3-5 KB)
MAX_CONFIG_BYTES = 8 << 20      # config.json inside the archive (shipped: 24 KB at most)
MAX_SIDE = 1024                 # largest input height/width a model may take (Predict resizes to it)
MAX_CLASSES = 1000
MAX_CLASS_NAME = 100            # characters
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
    if text.endswith((".keras", ".json", ".h5")) or os.sep in text or "/" in text:
        path = Path(text).expanduser()
        return path if path.suffix.lower() == ".h5" else path.with_suffix(".keras")
    name = check_name(text)
    for folder, _ in _dirs():
        candidate = folder / f"{name}.keras"
        if candidate.exists() or candidate.with_suffix(".json").exists():
            return candidate
    known = ", ".join(e.name for e in list_models()) or "none yet"
    raise StoreError(f"No model named {name!r} (models: {known}).")


# ---------------------------------------------------------------- cheap checks

def _keras_file_problem(path: Path) -> str | None:
    """Why a .keras file cannot be a Keras model, judged from its zip directory only (never
    opened when it is not a regular file; refused when it would unpack beyond the bounds)."""
    try:
        if path.stat().st_size == 0 and archive.kind(path) == "file":
            return f"{path.name} is empty (0 bytes)"
        with archive.open_zip(path, path.name, max_members=MAX_MEMBERS, max_total=MAX_MODEL_BYTES,
                              max_ratio=MAX_MEMBER_RATIO, what=Msg("arc.what_keras")) as zf:
            members = set(zf.namelist())
    except FileNotFoundError:
        return f"the model file {path.name} is missing"
    except OSError as e:
        return f"{path.name} cannot be read: {e.strerror or e}"
    except ValueError as e:
        return e.args[0]
    missing = _KERAS_MEMBERS - members
    if missing:
        return f"{path.name} is a zip file but not a Keras model (no {', '.join(sorted(missing))})"
    return None


def _read_sidecar(path: Path) -> tuple[dict, str | None]:
    try:
        archive.regular_file(path, path.name, MAX_SIDECAR_BYTES)
        text = path.read_text(encoding="utf-8")
    except ValueError as e:
        if e.args and isinstance(e.args[0], Msg) and e.args[0].key == "arc.missing":
            return {}, f"the metadata file {path.name} is missing"
        if isinstance(e, UnicodeDecodeError):
            return {}, f"{path.name} cannot be read: {e}"
        return {}, e.args[0]
    except FileNotFoundError:
        return {}, f"the metadata file {path.name} is missing"
    except OSError as e:
        return {}, f"{path.name} cannot be read: {e}"
    try:
        meta = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as e:
        where = f" ({e.msg} at line {e.lineno})" if isinstance(e, json.JSONDecodeError) else ""
        return {}, f"{path.name} is not valid JSON{where}"
    if not isinstance(meta, dict):
        return {}, f"{path.name} holds a {type(meta).__name__}, not a metadata object"
    return meta, None


# ---------------------------------------------------------------- does the sidecar fit the model

def _shown(value) -> str:
    """A sidecar value as short text for a message (it may be anything, and huge)."""
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _shape_text(shape) -> str:
    return "×".join(str(d) for d in shape)


def _sidecar_shape(meta: dict, file: str):
    """The sidecar's input_shape as a tuple of three ints (None when absent), or a Msg."""
    shape = meta.get("input_shape")
    if shape is None:
        return None
    if (not isinstance(shape, list) or len(shape) != 3
            or not all(isinstance(d, int) and not isinstance(d, bool) for d in shape)):
        return Msg("store.bad_shape", file=file, value=_shown(shape))
    return tuple(shape)


def shape_problem(shape) -> Msg | None:
    """Why the app cannot feed inputs of this (H, W, C) shape: sides 1..MAX_SIDE, 1 or 3 channels."""
    h, w, c = shape
    if not (1 <= h <= MAX_SIDE and 1 <= w <= MAX_SIDE and c in (1, 3)):
        return Msg("store.shape_limits", shape=_shape_text(shape), side=MAX_SIDE)
    return None


def _sidecar_classes(meta: dict, file: str):
    """The sidecar's class_names as a list (None when absent), or a Msg."""
    names = meta.get("class_names")
    if names is None:
        return None
    if (not isinstance(names, list) or not 1 <= len(names) <= MAX_CLASSES
            or not all(isinstance(n, str) and 0 < len(n) <= MAX_CLASS_NAME for n in names)):
        return Msg("store.bad_classes", file=file, value=_shown(names), limit=MAX_CLASSES,
                   chars=MAX_CLASS_NAME)
    return names


def sidecar_problem(meta: dict, file: str) -> Msg | None:
    """Why a sidecar cannot describe any model we would use, from its own types and bounds
    (cheap, no Keras): input_shape three sizes within bounds, class_names a list of texts."""
    shape = _sidecar_shape(meta, file)
    if isinstance(shape, Msg):
        return shape
    if shape is not None and shape_problem(shape):
        return shape_problem(shape)
    names = _sidecar_classes(meta, file)
    return names if isinstance(names, Msg) else None


def model_io(model, meta: dict, file: str = "the metadata") -> tuple[tuple, list[str]]:
    """(input shape (H, W, C), class names) of a loaded model, with its sidecar checked against
    it; StoreError "cannot use this model: ..." when they disagree or the model's own input or
    output is outside what the app can feed or show. Nothing is sized from the sidecar before
    this check."""
    real = tuple(model.inputs[0].shape[1:]) if getattr(model, "inputs", None) else ()
    if len(real) != 3 or not all(isinstance(d, int) for d in real):
        raise StoreError(Msg("store.cannot_use", why=Msg("store.bad_input", shape=_shown(
            [d for d in real]))))
    out = tuple(model.outputs[0].shape[1:]) if getattr(model, "outputs", None) else ()
    if len(out) != 1 or not isinstance(out[0], int) or not 2 <= out[0] <= MAX_CLASSES:
        raise StoreError(Msg("store.cannot_use", why=Msg("store.bad_output", shape=_shown(
            list(out)), limit=MAX_CLASSES)))
    why = sidecar_problem(meta, file) or shape_problem(real)
    said, names = _sidecar_shape(meta, file), _sidecar_classes(meta, file)
    if why is None and said is not None and said != real:
        why = Msg("store.shape_mismatch", file=file, said=_shape_text(said), real=_shape_text(real))
    if why is None and names is not None and len(names) != out[0]:
        why = Msg("store.classes_mismatch", file=file, n=len(names), units=out[0])
    if why is not None:
        raise StoreError(Msg("store.cannot_use", why=why))
    return real, names if names is not None else [str(i) for i in range(out[0])]


def _archive_io(path: Path) -> tuple[tuple | None, int | None]:
    """(input shape, number of outputs) a .keras file's config.json declares, read without Keras
    (bounded); None for what it does not say plainly (then the loaded model is the judge)."""
    try:
        with zipfile.ZipFile(path) as zf:
            if zf.getinfo("config.json").file_size > MAX_CONFIG_BYTES:
                return None, None
            cfg = json.loads(zf.read("config.json"))["config"]
        layers = {layer["config"]["name"]: layer for layer in cfg["layers"]}
        ends = []
        for key in ("input_layers", "output_layers"):   # ['image', 0, 0] or [['image', 0, 0]]
            node = cfg[key]
            if isinstance(node[0], list):
                if len(node) != 1:
                    return None, None
                node = node[0]
            ends.append(layers[node[0]])
        shape = tuple(ends[0]["config"]["batch_shape"][1:])
        layer = ends[1]
        for _ in range(8):   # back through Activation / Softmax / Dropout to the last Dense
            if layer["class_name"] == "Dense":
                return shape, int(layer["config"]["units"])
            if layer["class_name"] not in ("Activation", "Softmax", "Dropout"):
                break
            layer = layers[layer["inbound_nodes"][0]["args"][0]["config"]["keras_history"][0]]
        return shape, None
    except Exception:  # noqa: BLE001 - any other layout: no opinion
        return None, None


def _entry(stem: str, folder: Path, only_shipped: bool) -> ModelEntry:
    keras_path = folder / f"{stem}.keras"
    meta, error = _read_sidecar(keras_path.with_suffix(".json"))
    problem = _keras_file_problem(keras_path)
    error = problem or error
    if error is None and sidecar_problem(meta, f"{stem}.json"):
        error = Msg("store.cannot_use", why=sidecar_problem(meta, f"{stem}.json"))
    if error is None:
        error = _disagreement(meta, keras_path)
    shipped = only_shipped or bool(meta.get("shipped"))
    return ModelEntry(stem, keras_path, meta, shipped, error)


def _disagreement(meta: dict, keras_path: Path) -> Msg | None:
    """Where the sidecar contradicts what the archive's config.json says plainly."""
    shape, units = _archive_io(keras_path)
    said, names = _sidecar_shape(meta, ""), _sidecar_classes(meta, "")
    file = keras_path.with_suffix(".json").name
    if shape is not None and said is not None and tuple(said) != shape:
        return Msg("store.cannot_use", why=Msg("store.shape_mismatch", file=file,
                                                said=_shape_text(said), real=_shape_text(shape)))
    if units is not None and names is not None and len(names) != units:
        return Msg("store.cannot_use", why=Msg("store.classes_mismatch", file=file, n=len(names),
                                                units=units))
    return None


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
    problem = None if error else sidecar_problem(meta, path.with_suffix(".json").name)
    error = error or (problem and Msg("store.cannot_use", why=problem))
    if error:
        raise StoreError(error)
    return meta


def load_model(name_or_path):
    """The Keras model (safe mode: no arbitrary code from the file, uncompiled)."""
    return load_file(model_path(name_or_path))


_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def model_file_problem(path: Path) -> str | None:
    """Why a model file (.keras, or Keras 2's legacy .h5) cannot be loaded, judged without Keras:
    a .keras from its zip directory (member sizes and ratios bounded), an .h5 from its size
    (at most MAX_MODEL_BYTES) and HDF5 signature; any other extension is refused."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".keras":
        return _keras_file_problem(path)
    if suffix != ".h5":
        return Msg("store.bad_suffix", file=path.name)
    try:
        archive.regular_file(path, path.name, MAX_MODEL_BYTES)
        with open(path, "rb") as f:
            head = f.read(len(_HDF5_SIGNATURE))
    except ValueError as e:
        return e.args[0]
    except OSError as e:
        return f"{path.name} cannot be read: {e.strerror or e}"
    return None if head == _HDF5_SIGNATURE else Msg("store.not_hdf5", file=path.name)


def load_file(path: Path):
    """The Keras model in a .keras or .h5 file, checked by model_file_problem first (safe mode,
    uncompiled); StoreError with one line when it cannot be loaded."""
    path = Path(path)
    problem = model_file_problem(path)
    if problem:
        raise StoreError(problem)
    import keras
    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as e:  # any failure inside Keras means "unreadable"
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        if any(sign in str(e) for sign in _CODE_SIGNS):
            raise StoreError(Msg("store.python_code", file=path.name)) from None
        raise StoreError(f"{path.name} could not be loaded: {first}") from e


# what Keras says when safe mode refuses a Lambda layer, or a class defined in Python code
_CODE_SIGNS = ("safe_mode", "Could not locate class", "Could not locate function")


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
    tmp_model = atomic.tmp_path(folder, name, ".keras")
    tmp_meta = atomic.tmp_path(folder, name, ".json")
    try:
        model.save(tmp_model)
        atomic.fsync(tmp_model)
        with open(tmp_meta, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        atomic.replace(tmp_model, target)                   # model first: a sidecar never points
        atomic.replace(tmp_meta, target.with_suffix(".json"))  # at a model that is not complete
    finally:
        for tmp in (tmp_model, tmp_meta):
            tmp.unlink(missing_ok=True)
    return target


def folder_problem(folder: Path) -> str | None:
    """Why new files cannot be made in folder (created if missing), or None when they can.
    Tried for real: permission bits say nothing to root, nor about a read-only mount."""
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
        atomic.tmp_path(Path(folder), "write-check", "").unlink()
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
