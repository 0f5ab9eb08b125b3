"""Datasets: find, load, validate. The one place that knows the file formats. No TensorFlow here.

Search order for a dataset (the first that exists wins, and the user is told which):
  1. an explicit path (file or folder), else the folder in CNNWEB_DATA_DIR
  2. the project's data/ folder: mnist.npz, cifar10.npz, cifar-10-batches-py/, cifar-10-python.tar.gz
  3. the Keras download cache (~/.keras/datasets or $KERAS_HOME/datasets)
  4. a download into that cache, when online (time-boxed; fails fast offline)
  5. the small samples shipped in data/ (mnist_sample.npz, cifar10_sample.npz)
A file that is found but wrong or corrupt is an error naming the file, never silently skipped.

Everything returned is in one layout: x (N, H, W, C) uint8 raw pixels 0..255, y (N,) uint8.
"""

from __future__ import annotations

import io
import os
import pickle
import socket
import tarfile
import typing
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cnnweb import paths

MNIST_CLASSES = [str(d) for d in range(10)]
CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer",
                   "dog", "frog", "horse", "ship", "truck"]


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    title: str
    class_names: list[str]
    input_shape: tuple[int, int, int]
    full_train: int          # size of the full training split
    full_test: int
    files: tuple[str, ...]   # file or folder names searched in a data folder, in order
    url: str                 # where a download comes from when online
    cache_name: str          # the name in the Keras cache
    preprocessing: str       # what a model trained on it expects as input


DATASETS: dict[str, DatasetInfo] = {
    "mnist": DatasetInfo(
        "mnist", "MNIST", MNIST_CLASSES, (28, 28, 1), 60_000, 10_000,
        ("mnist.npz",),
        "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz", "mnist.npz",
        "28x28 grayscale, raw pixels 0..255, white digit on black background"),
    "cifar10": DatasetInfo(
        "cifar10", "CIFAR-10", CIFAR10_CLASSES, (32, 32, 3), 50_000, 10_000,
        ("cifar10.npz", "cifar-10-batches-py", "cifar-10-python.tar.gz"),
        "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz", "cifar-10-batches-py",
        "32x32 RGB, raw pixels 0..255"),
}


@dataclass
class Dataset:
    name: str
    x_train: np.ndarray        # (N, H, W, C) uint8
    y_train: np.ndarray        # (N,) uint8
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]
    source: str                # one line for people, e.g. "full MNIST from /x/mnist.npz, 60,000 ..."
    path: str
    is_sample: bool
    info: DatasetInfo = field(repr=False, default=None)

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return tuple(self.x_train.shape[1:])


def info(name: str) -> DatasetInfo:
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    return DATASETS[name]


def sample_path(name: str) -> Path:
    return paths.data_dir() / f"{name}_sample.npz"


def keras_cache_dir() -> Path:
    base = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(base) / "datasets"


# ------------------------------------------------------------------ finding

def _in_folder(folder: Path, ds: DatasetInfo) -> Path | None:
    for f in ds.files:
        p = folder / f
        if p.exists():
            return p
    return None


def _candidates(ds: DatasetInfo, path: str | os.PathLike | None):
    """(where, path) pairs in search order; only places that exist."""
    if path is not None:
        p = Path(path).expanduser()
        if not p.exists():
            raise ValueError(f"{p}: no such file or folder")
        found = _in_folder(p, ds) if p.is_dir() and p.name not in ds.files else p
        if found is None:
            raise ValueError(f"{p}: no {' or '.join(ds.files)} in this folder")
        yield "given path", found
        return
    user = paths.user_data_dir()
    if user is not None:
        found = _in_folder(user, ds)
        if found is not None:
            yield "CNNWEB_DATA_DIR", found
    found = _in_folder(paths.data_dir(), ds)
    if found is not None:
        yield "data/", found
    cache = keras_cache_dir()
    found = _in_folder(cache, ds) or ((cache / ds.cache_name) if (cache / ds.cache_name).exists()
                                      else None)
    if found is not None:
        yield "Keras cache", found


def locate(name: str, path=None, allow_sample: bool = True) -> tuple[str, Path, bool]:
    """(where, path, is_sample) of the file load() would read, without reading it or downloading."""
    ds = info(name)
    for where, p in _candidates(ds, path):
        return where, p, False
    if allow_sample and sample_path(name).exists():
        return "shipped sample", sample_path(name), True
    raise ValueError(f"{ds.title} not found: put {ds.files[0]} in {paths.data_dir()} "
                     f"or set CNNWEB_DATA_DIR to a folder that holds it")


# ------------------------------------------------------------------ reading and validating

class _NumpyOnlyUnpickler(pickle.Unpickler):
    """CIFAR-10's python pickles hold dicts of numpy arrays and lists; allow nothing else."""

    _ALLOWED: typing.ClassVar = {("numpy.core.multiarray", "_reconstruct"),
                                 ("numpy._core.multiarray", "_reconstruct"),
                                 ("numpy", "ndarray"), ("numpy", "dtype")}

    def find_class(self, module, name):
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def _unpickle(data: bytes, label: str) -> dict:
    try:
        d = _NumpyOnlyUnpickler(io.BytesIO(data), encoding="bytes").load()
    except Exception as e:  # noqa: BLE001 - any failure is a corrupt file
        raise ValueError(f"{label}: not a CIFAR-10 batch ({e})") from None
    if not isinstance(d, dict) or b"data" not in d or b"labels" not in d:
        raise ValueError(f"{label}: not a CIFAR-10 batch (no data/labels)")
    x = np.asarray(d[b"data"])
    if x.ndim != 2 or x.shape[1] != 3072:
        raise ValueError(f"{label}: CIFAR-10 batch data has shape {x.shape}, expected (N, 3072)")
    # stored as N x (3 planes of 32x32): -> (N, 32, 32, 3)
    return {"x": x.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), "y": np.asarray(d[b"labels"])}


def _read_cifar_batches(get, label: str) -> dict[str, np.ndarray]:
    train = [_unpickle(get(f"data_batch_{i}"), f"{label}/data_batch_{i}") for i in range(1, 6)]
    test = _unpickle(get("test_batch"), f"{label}/test_batch")
    return {"x_train": np.concatenate([b["x"] for b in train]),
            "y_train": np.concatenate([b["y"] for b in train]),
            "x_test": test["x"], "y_test": test["y"]}


def _read_raw(p: Path) -> dict[str, np.ndarray]:
    """The four arrays from an .npz, a cifar-10-batches-py folder or the .tar.gz."""
    if p.is_dir():
        def get(member):
            f = p / member
            if not f.is_file():
                raise ValueError(f"{p}: missing {member}")
            return f.read_bytes()
        return _read_cifar_batches(get, str(p))
    if p.name.endswith((".tar.gz", ".tgz")):
        try:
            with tarfile.open(p, "r:gz") as tar:
                members = {Path(m.name).name: m for m in tar.getmembers() if m.isfile()}

                def get(member):
                    if member not in members:
                        raise ValueError(f"{p}: missing {member}")
                    return tar.extractfile(members[member]).read()
                return _read_cifar_batches(get, str(p))
        except (tarfile.TarError, OSError, EOFError) as e:
            raise ValueError(f"{p}: not a readable .tar.gz ({e})") from None
    try:
        with np.load(p, allow_pickle=False) as z:
            missing = [k for k in ("x_train", "y_train", "x_test", "y_test") if k not in z.files]
            if missing:
                raise ValueError(f"{p}: missing arrays {', '.join(missing)} "
                                 f"(expected x_train, y_train, x_test, y_test)")
            return {k: z[k] for k in ("x_train", "y_train", "x_test", "y_test")}
    except ValueError as e:
        if str(e).startswith(str(p)):
            raise
        raise ValueError(f"{p}: not a valid .npz file ({e})") from None
    except (OSError, EOFError, zipfile.BadZipFile) as e:
        raise ValueError(f"{p}: not a valid .npz file ({e})") from None


def validate(arrays: dict, ds: DatasetInfo, label: str) -> tuple[np.ndarray, ...]:
    """Check shapes, dtypes and label ranges; return x_train, y_train, x_test, y_test normalised."""
    out = []
    h, w, c = ds.input_shape
    for split in ("train", "test"):
        x, y = np.asarray(arrays[f"x_{split}"]), np.asarray(arrays[f"y_{split}"])
        if x.ndim == 3 and c == 1:
            x = x[..., None]
        if x.ndim != 4 or x.shape[1:] != (h, w, c):
            raise ValueError(f"{label}: x_{split} has shape {x.shape}, expected (N, {h}, {w}, {c}) "
                             f"for {ds.title}")
        if not (np.issubdtype(x.dtype, np.integer) or x.dtype == np.bool_):
            raise ValueError(f"{label}: x_{split} has dtype {x.dtype}, expected uint8 pixels 0..255")
        if x.size and (x.min() < 0 or x.max() > 255):
            raise ValueError(f"{label}: x_{split} pixels range {x.min()}..{x.max()}, expected 0..255")
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            raise ValueError(f"{label}: y_{split} has shape {y.shape}, expected (N,) or (N, 1)")
        if len(y) != len(x):
            raise ValueError(f"{label}: {len(x)} images but {len(y)} labels in the {split} split")
        if len(x) == 0:
            raise ValueError(f"{label}: the {split} split is empty")
        if not np.issubdtype(y.dtype, np.integer):
            raise ValueError(f"{label}: y_{split} has dtype {y.dtype}, expected integer labels")
        if y.min() < 0 or y.max() >= len(ds.class_names):
            raise ValueError(f"{label}: y_{split} labels range {y.min()}..{y.max()}, expected "
                             f"0..{len(ds.class_names) - 1}")
        out += [np.ascontiguousarray(x, dtype=np.uint8), y.astype(np.uint8)]
    return tuple(out)


def _source_label(ds: DatasetInfo, where: str, p: Path, n_train: int, is_sample: bool) -> str:
    if is_sample:
        return (f"shipped sample of {ds.title} ({p.name}, {n_train:,} training images); "
                f"put the full set in data/ or set CNNWEB_DATA_DIR for real accuracy")
    kind = "full" if n_train >= ds.full_train else "partial"
    return f"{kind} {ds.title} from {p} ({where}), {n_train:,} training images"


def load_file(name: str, p: Path, where: str = "given path", is_sample: bool = False) -> Dataset:
    ds = info(name)
    is_sample = is_sample or Path(p).resolve() == sample_path(name).resolve()
    x_tr, y_tr, x_te, y_te = validate(_read_raw(Path(p)), ds, str(p))
    return Dataset(name, x_tr, y_tr, x_te, y_te, list(ds.class_names),
                   _source_label(ds, where, Path(p), len(x_tr), is_sample), str(p), is_sample, ds)


def load(name: str, path=None, allow_sample: bool = True, download: bool | None = None) -> Dataset:
    """Find and load a dataset (see the module docstring for the order). ValueError names the file.

    download: try the internet when nothing local is found (default: yes, unless
    CNNWEB_NO_DOWNLOAD is set); the attempt gives up within a few seconds offline.
    """
    ds = info(name)
    for where, p in _candidates(ds, path):
        return load_file(name, p, where)
    if download is None:
        download = not os.environ.get("CNNWEB_NO_DOWNLOAD")
    if download:
        p = _download(ds)
        if p is not None:
            return load_file(name, p, "downloaded into the Keras cache")
    if allow_sample and sample_path(name).exists():
        return load_file(name, sample_path(name), "shipped sample", is_sample=True)
    raise ValueError(f"{ds.title} not found: put {ds.files[0]} in {paths.data_dir()} "
                     f"or set CNNWEB_DATA_DIR to a folder that holds it")


def _download(ds: DatasetInfo, timeout: float = 3.0) -> Path | None:
    """Fetch into the Keras cache when online; None (quickly) when offline or on any failure."""
    host = urllib.request.urlparse(ds.url).hostname
    try:
        socket.create_connection((host, 443), timeout=timeout).close()
    except OSError:
        return None
    cache = keras_cache_dir()
    target = cache / Path(ds.url).name
    tmp = target.with_suffix(target.suffix + ".part")
    try:
        cache.mkdir(parents=True, exist_ok=True)
        with urllib.request.urlopen(ds.url, timeout=30) as r, open(tmp, "wb") as f:
            while chunk := r.read(1 << 20):
                f.write(chunk)
        os.replace(tmp, target)
        return target
    except OSError:
        tmp.unlink(missing_ok=True)
        return None


# ------------------------------------------------------------------ cheap status for Home

def _npz_len(p: Path, key: str) -> int | None:
    """Number of rows of one array in an .npz, reading only its header."""
    try:
        with zipfile.ZipFile(p) as z, z.open(f"{key}.npy") as f:
            version = np.lib.format.read_magic(f)
            shape, _, _ = (np.lib.format.read_array_header_1_0(f) if version == (1, 0)
                           else np.lib.format.read_array_header_2_0(f))
            return int(shape[0])
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None


def dataset_status() -> list[dict]:
    """One dict per dataset for Home: which file would be used, without loading or downloading."""
    rows = []
    for name, ds in DATASETS.items():
        try:
            where, p, is_sample = locate(name)
        except ValueError as e:
            rows.append({"name": name, "title": ds.title, "found": False, "source": str(e),
                         "path": None, "is_sample": False, "n_train": None, "n_test": None})
            continue
        if p.suffix == ".npz":
            n_train, n_test = _npz_len(p, "x_train"), _npz_len(p, "x_test")
        else:
            n_train, n_test = ds.full_train, ds.full_test
        label = (_source_label(ds, where, p, n_train, is_sample) if n_train
                 else f"{ds.title} at {p} ({where}); could not read its size")
        rows.append({"name": name, "title": ds.title, "found": True, "source": label,
                     "path": str(p), "is_sample": is_sample, "n_train": n_train, "n_test": n_test})
    return rows
