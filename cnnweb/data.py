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
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cnnweb import archive, paths
from cnnweb.i18n import Msg

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
    """A built-in dataset's facts, or a kept one's (your own pictures: cnnweb.datasets)."""
    if name in DATASETS:
        return DATASETS[name]
    from cnnweb import datasets

    if datasets.is_kept(name):
        return datasets.info(name)
    raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(names())}, "
                     f"or give a folder or .zip of class folders")


def names() -> list[str]:
    """Built-in datasets, then the kept ones (cnnweb.datasets), for pickers."""
    from cnnweb import datasets

    return [*DATASETS, *datasets.names()]


def is_builtin(name: str) -> bool:
    return name in DATASETS


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
    if name not in DATASETS:                     # a kept dataset of your own pictures
        from cnnweb import datasets

        info(name)
        return "kept dataset", datasets.npz_path(name), False
    ds = info(name)
    for where, p in _candidates(ds, path):
        return where, p, False
    if allow_sample and sample_path(name).exists():
        return "shipped sample", sample_path(name), True
    raise ValueError(Msg("ds.not_found", title=ds.title, file=ds.files[0],
                         folder=str(paths.data_dir())))


# ------------------------------------------------------------------ reading and validating

# Bounds on what a dataset file may make us allocate, checked from headers before reading:
# full CIFAR-10 is 184 MB of arrays (MNIST 55 MB), so 256 MiB is 1.4x the largest real set.
MAX_DATASET_BYTES = 256 << 20    # all four arrays together, as declared
MAX_NPZ_RATIO = 100              # unpacked / compressed per .npz member (real: 1.1 to 4.8)
MAX_NPZ_MEMBERS = 16
MAX_BATCH_BYTES = 64 << 20       # one CIFAR-10 pickle (real: 31 MB)
MAX_TAR_MEMBERS = 64             # cifar-10-python.tar.gz holds 8 files, 178 MB
MAX_TAR_BYTES = 256 << 20
MAX_LABELS = 100_000             # per CIFAR-10 batch (real: 10,000)
_KEYS = ("x_train", "y_train", "x_test", "y_test")
_CHUNK = 1 << 20               # read straight into the array in pieces this big


def _too_big(label: str, what: str, shape, nbytes: int) -> ValueError:
    return ValueError(Msg("ds.too_big", file=label, array=what, shape=_shape_text(shape),
                          size=archive.size_text(nbytes), limit=archive.size_text(MAX_DATASET_BYTES)))


def _shape_text(shape) -> str:
    return "(" + ", ".join(f"{d:,}" for d in shape) + ")"


def _checked_reconstruct(cls, shape, dtype):
    """numpy's pickle hook, refusing (before it allocates) an array larger than the bound."""
    try:
        from numpy._core.multiarray import _reconstruct
    except ImportError:      # numpy 1.x
        from numpy.core.multiarray import _reconstruct

    d = np.dtype(dtype)
    n = int(np.prod(shape, dtype=object)) * d.itemsize
    if d.hasobject or n > MAX_BATCH_BYTES:
        raise pickle.UnpicklingError(f"an array of shape {shape} and type {d} is not allowed")
    return _reconstruct(cls, shape, dtype)


def _checked_dtype(*args, **kwargs):
    d = np.dtype(*args, **kwargs)
    if d.hasobject:
        raise pickle.UnpicklingError("arrays of Python objects are not allowed")
    return d


class _NumpyOnlyUnpickler(pickle.Unpickler):
    """CIFAR-10's python pickles hold dicts of numpy arrays and lists; allow nothing else, and
    no array larger than one real batch (the bound is checked before numpy allocates)."""

    _ALLOWED: typing.ClassVar = {("numpy.core.multiarray", "_reconstruct"): _checked_reconstruct,
                                 ("numpy._core.multiarray", "_reconstruct"): _checked_reconstruct,
                                 ("numpy", "ndarray"): np.ndarray, ("numpy", "dtype"): _checked_dtype}

    def find_class(self, module, name):
        if (module, name) in self._ALLOWED:
            return self._ALLOWED[(module, name)]
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def _unpickle(data: bytes, label: str) -> dict:
    if data[:1] != b"\x80":                      # every pickle since protocol 2 starts so
        raise ValueError(Msg("ds.not_pickle", file=label))
    try:
        d = _NumpyOnlyUnpickler(io.BytesIO(data), encoding="bytes").load()
    except Exception as e:  # noqa: BLE001 - any failure is a corrupt file
        raise ValueError(f"{label}: not a CIFAR-10 batch ({e})") from None
    if not isinstance(d, dict) or b"data" not in d or b"labels" not in d:
        raise ValueError(f"{label}: not a CIFAR-10 batch (no data/labels)")
    x, labels = d[b"data"], d[b"labels"]
    # real batches hold an array and a list of ints; a list of lists could stand for gigabytes
    # (one small row referenced a million times), so nothing else is turned into an array
    if not isinstance(x, np.ndarray) or x.ndim != 2 or x.shape[1] != 3072:
        what = _shape_text(x.shape) if isinstance(x, np.ndarray) else type(x).__name__
        raise ValueError(f"{label}: CIFAR-10 batch data is {what}, expected an array (N, 3072)")
    if isinstance(labels, np.ndarray):
        labels = labels.tolist() if labels.ndim == 1 and labels.size <= MAX_LABELS else None
    if (not isinstance(labels, list) or len(labels) > MAX_LABELS
            or not all(type(v) is int for v in labels)):
        raise ValueError(Msg("ds.bad_labels", file=label, limit=MAX_LABELS))
    # stored as N x (3 planes of 32x32): -> (N, 32, 32, 3)
    return {"x": x.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), "y": np.asarray(labels)}


def _read_cifar_batches(get, label: str) -> dict[str, np.ndarray]:
    batches, total = [], 0
    for member in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batches.append(_unpickle(get(member), f"{label}/{member}"))
        total += batches[-1]["x"].nbytes
        if total > MAX_DATASET_BYTES:
            raise _too_big(label, member, batches[-1]["x"].shape, total)
    train, test = batches[:5], batches[5]
    return {"x_train": np.concatenate([b["x"] for b in train]),
            "y_train": np.concatenate([b["y"] for b in train]),
            "x_test": test["x"], "y_test": test["y"]}


def _tar_members(tar, label: str) -> dict:
    """Regular members by base name, judged header by header: the scan stops at the first
    member beyond the bounds, before a gzip bomb's body is inflated."""
    members, total = {}, 0
    for i, m in enumerate(tar):
        if i >= MAX_TAR_MEMBERS:
            raise ValueError(Msg("arc.members", file=label, n=i + 1, limit=MAX_TAR_MEMBERS))
        if m.isfile():
            total += m.size
            if m.size > MAX_BATCH_BYTES or total > MAX_TAR_BYTES:
                raise ValueError(Msg("arc.too_big", file=label, size=archive.size_text(total),
                                     limit=archive.size_text(MAX_TAR_BYTES)))
            members[Path(m.name).name] = m
    return members


def _npy_header(f, label: str, key: str, member_size: int):
    """(shape, fortran_order, dtype) of one .npy member, read from its header only and checked:
    no Python objects, at most the dataset bound, and exactly as many bytes as the header says."""
    try:
        version = np.lib.format.read_magic(f)
        if version not in ((1, 0), (2, 0)):
            raise ValueError(f"unsupported .npy format version {version}")
        read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                else np.lib.format.read_array_header_2_0)
        shape, fortran, dtype = read(f)
    except ValueError as e:
        raise ValueError(f"{label}: {key} is not a valid array ({e})") from None
    if dtype.hasobject:
        raise ValueError(f"{label}: {key} holds Python objects, not numbers")
    nbytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
    if nbytes > MAX_DATASET_BYTES:
        raise _too_big(label, key, shape, nbytes)
    if f.tell() + nbytes != member_size:
        raise ValueError(Msg("ds.malformed", file=label, array=key, shape=_shape_text(shape),
                             size=archive.size_text(nbytes),
                             held=archive.size_text(max(member_size - f.tell(), 0))))
    return shape, fortran, dtype


def _open_npz(p: Path) -> zipfile.ZipFile:
    zf = archive.open_zip(p, str(p), max_members=MAX_NPZ_MEMBERS, max_total=MAX_DATASET_BYTES,
                          max_ratio=MAX_NPZ_RATIO, what=Msg("arc.what_npz"))
    missing = [k for k in _KEYS if f"{k}.npy" not in zf.namelist()]
    if missing:
        zf.close()
        raise ValueError(f"{p}: missing arrays {', '.join(missing)} "
                         f"(expected x_train, y_train, x_test, y_test)")
    return zf


def _npz_shapes(p: Path) -> dict[str, tuple]:
    """The four arrays' shapes from an .npz's headers (a few KB read), checked as in _read_npz."""
    with _open_npz(p) as zf:
        shapes = {}
        for k in _KEYS:
            with zf.open(f"{k}.npy") as f:
                shapes[k] = _npy_header(f, str(p), k, zf.getinfo(f"{k}.npy").file_size)[0]
        return shapes


def _read_npy(f, shape, fortran: bool, dtype, rows: int | None) -> np.ndarray:
    """The array after the header, only its first `rows` rows when given (C order), read in
    chunks straight into the result (no second copy)."""
    if rows is not None and shape and not fortran:
        shape = (min(shape[0], rows), *shape[1:])
    out = np.empty(shape[::-1] if fortran else shape, dtype=dtype)
    flat = out.reshape(-1).view(np.uint8)
    for pos in range(0, flat.size, _CHUNK):
        part = flat[pos:pos + _CHUNK]
        if f.readinto(part) != part.size:
            raise ValueError("the file ends early (truncated)")
    out = out.T if fortran else out
    return out[:rows] if rows is not None and out.ndim else out


def _read_npz(p: Path, limit: int | None) -> dict[str, np.ndarray]:
    """The four arrays of an .npz, each judged from its header before a byte of it is
    inflated; with limit, only the first `limit` training images are read."""
    try:
        with _open_npz(p) as zf:
            out = {}
            for k in _KEYS:
                with zf.open(f"{k}.npy") as f:
                    shape, fortran, dtype = _npy_header(f, str(p), k,
                                                        zf.getinfo(f"{k}.npy").file_size)
                    out[k] = _read_npy(f, shape, fortran, dtype, limit if "train" in k else None)
                    if k == "x_train" and shape:
                        out["_n_train"] = shape[0]      # what the file holds, before the limit
            return out
    except ValueError as e:
        if str(e).startswith(str(p)):
            raise
        raise ValueError(f"{p}: not a valid .npz file ({e})") from None
    except (OSError, EOFError, zipfile.BadZipFile) as e:
        raise ValueError(f"{p}: not a valid .npz file ({e})") from None


def _is_archive_name(p: Path) -> bool:
    return p.name.endswith((".npz", ".tar.gz", ".tgz"))


def _read_raw(p: Path, limit: int | None = None) -> dict[str, np.ndarray]:
    """The four arrays from an .npz, a cifar-10-batches-py folder or the .tar.gz. Nothing is
    opened that is not a regular file (a FIFO would wait forever), and nothing is allocated
    that the file's headers do not declare within the bounds above."""
    if archive.kind(p) == "folder" and not _is_archive_name(p):
        def get(member):
            f = p / member
            if archive.kind(f) == "missing":
                raise ValueError(f"{p}: missing {member}")
            archive.regular_file(f, str(f), MAX_BATCH_BYTES)
            return f.read_bytes()
        return _read_cifar_batches(get, str(p))
    archive.regular_file(p, str(p))
    if p.name.endswith((".tar.gz", ".tgz")):
        try:
            with tarfile.open(p, "r:gz") as tar:
                members = _tar_members(tar, str(p))

                def get(member):
                    if member not in members:
                        raise ValueError(f"{p}: missing {member}")
                    return tar.extractfile(members[member]).read()
                return _read_cifar_batches(get, str(p))
        except (tarfile.TarError, OSError, EOFError, zlib.error) as e:
            raise ValueError(f"{p}: not a readable .tar.gz ({e})") from None
    return _read_npz(p, limit)


def _check_shape(key: str, shape: tuple, ds: DatasetInfo, label: str) -> None:
    """Is this the shape of x_train/x_test (N, H, W[, C]) or y_* (N,) / (N, 1) for ds?"""
    h, w, c = ds.input_shape
    if key.startswith("x"):
        if tuple(shape[1:]) not in ((h, w, c),) + (((h, w),) if c == 1 else ()):
            raise ValueError(f"{label}: {key} has shape {tuple(shape)}, expected (N, {h}, {w}, {c}) "
                             f"for {ds.title}")
    elif len(shape) not in (1, 2) or shape[1:] not in ((), (1,)):
        raise ValueError(f"{label}: {key} has shape {tuple(shape)}, expected (N,) or (N, 1)")


def validate(arrays: dict, ds: DatasetInfo, label: str) -> tuple[np.ndarray, ...]:
    """Check shapes, dtypes and label ranges; return x_train, y_train, x_test, y_test normalised."""
    out = []
    for split in ("train", "test"):
        x, y = np.asarray(arrays[f"x_{split}"]), np.asarray(arrays[f"y_{split}"])
        _check_shape(f"x_{split}", x.shape, ds, label)
        if x.ndim == 3:
            x = x[..., None]
        if not (np.issubdtype(x.dtype, np.integer) or x.dtype == np.bool_):
            raise ValueError(f"{label}: x_{split} has dtype {x.dtype}, expected uint8 pixels 0..255")
        if x.size and (x.min() < 0 or x.max() > 255):
            raise ValueError(f"{label}: x_{split} pixels range {x.min()}..{x.max()}, expected 0..255")
        _check_shape(f"y_{split}", y.shape, ds, label)
        y = y.reshape(-1)
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


# where a file was found (_candidates, load) -> its words in the catalogues
_WHERE = {"given path": "ds.where_given", "CNNWEB_DATA_DIR": "ds.where_env",
          "data/": "ds.where_data", "Keras cache": "ds.where_cache",
          "downloaded into the Keras cache": "ds.where_downloaded",
          "shipped sample": "ds.where_sample"}


def _source_label(ds: DatasetInfo, where: str, p: Path, n_train: int, is_sample: bool) -> Msg:
    """One line for people (an i18n.Msg: English as a str, the page shows it translated)."""
    if is_sample:
        return Msg("ds.src_sample", title=ds.title, file=p.name, n=n_train)
    return Msg("ds.src_full" if n_train >= ds.full_train else "ds.src_partial", title=ds.title,
               path=str(p), where=Msg(_WHERE[where]) if where in _WHERE else where, n=n_train)


def load_file(name: str, p: Path, where: str = "given path", is_sample: bool = False,
              limit: int | None = None) -> Dataset:
    """Read and validate one dataset file or folder. limit: read at most this many training
    images where the format allows it (.npz: only their bytes are inflated)."""
    ds = info(name)
    is_sample = is_sample or Path(p).resolve() == sample_path(name).resolve()
    raw = _read_raw(Path(p), limit)
    declared = len(raw["x_train"]) if np.ndim(raw["x_train"]) else 0
    declared = raw.get("_n_train", declared)
    x_tr, y_tr, x_te, y_te = validate(raw, ds, str(p))
    if limit:
        x_tr, y_tr = x_tr[:limit], y_tr[:limit]
    return Dataset(name, x_tr, y_tr, x_te, y_te, list(ds.class_names),
                   _source_label(ds, where, Path(p), declared, is_sample), str(p), is_sample, ds)


def load(name: str, path=None, allow_sample: bool = True, download: bool | None = None,
         limit: int | None = None) -> Dataset:
    """Find and load a dataset (see the module docstring for the order). ValueError names the file.

    download: try the internet when nothing local is found (default: yes, unless
    CNNWEB_NO_DOWNLOAD is set); the attempt gives up within a few seconds offline.
    limit: keep only the first `limit` training images (read no more where possible).
    A kept dataset (cnnweb.datasets) is read from data/<name>/, its held-out split as the test.
    """
    if name not in DATASETS:
        from cnnweb import datasets

        info(name)
        return datasets.load(name, limit=limit)
    ds = info(name)
    for where, p in _candidates(ds, path):
        return load_file(name, p, where, limit=limit)
    if download is None:
        download = not os.environ.get("CNNWEB_NO_DOWNLOAD")
    if download:
        p = _download(ds)
        if p is not None:
            return load_file(name, p, "downloaded into the Keras cache", limit=limit)
    if allow_sample and sample_path(name).exists():
        return load_file(name, sample_path(name), "shipped sample", is_sample=True, limit=limit)
    raise ValueError(Msg("ds.not_found", title=ds.title, file=ds.files[0],
                         folder=str(paths.data_dir())))


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
                if f.tell() > MAX_TAR_BYTES:
                    raise OSError("the download is larger than any dataset here")
        os.replace(tmp, target)
        return target
    except OSError:
        tmp.unlink(missing_ok=True)
        return None


# ------------------------------------------------------------------ cheap status for Home

def _status_counts(ds: DatasetInfo, p: Path) -> tuple[int, int]:
    """(training, test) image counts for Home, from headers and stat only (a few KB read), with
    the same checks as loading: ValueError (one line) for a file that load() would refuse."""
    if archive.kind(p) == "folder" and not _is_archive_name(p):
        for member in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
            if archive.kind(p / member) == "missing":
                raise ValueError(f"{p}: missing {member}")
            archive.regular_file(p / member, str(p / member), MAX_BATCH_BYTES)
        return ds.full_train, ds.full_test
    archive.regular_file(p, str(p))
    if p.name.endswith((".tar.gz", ".tgz")):
        return ds.full_train, ds.full_test
    try:
        shapes = _npz_shapes(p)
    except (OSError, EOFError, zipfile.BadZipFile) as e:
        raise ValueError(f"{p}: not a valid .npz file ({e})") from None
    for k in _KEYS:
        _check_shape(k, shapes[k], ds, str(p))
    return shapes["x_train"][0], shapes["x_test"][0]


@dataclass(frozen=True)
class DatasetStatus:
    """Where a dataset would come from, without loading it (Home, the Trainer): found, the file
    (path), its source in words (a Msg, or the one-line reason it cannot be used), whether it is
    the shipped sample, and its training / test counts (None when unknown or unusable)."""
    name: str
    title: str
    found: bool
    source: str
    path: str | None = None
    is_sample: bool = False
    n_train: int | None = None
    n_test: int | None = None
    kept: bool = False            # a user's own dataset under data/


def dataset_status() -> list[DatasetStatus]:
    """One row per built-in dataset for Home: which file would be used, without loading or
    downloading. A file that cannot be used is found, with n_train None and the reason as its
    source."""
    rows = []
    for name, ds in DATASETS.items():
        try:
            where, p, is_sample = locate(name)
        except ValueError as e:
            rows.append(DatasetStatus(name, ds.title, False, e.args[0]))
            continue
        try:
            n_train, n_test = _status_counts(ds, p)
            label = _source_label(ds, where, p, n_train, is_sample)
        except ValueError as e:
            n_train = n_test = None
            label = Msg("ds.unusable", title=ds.title, where=where, error=e.args[0])
        rows.append(DatasetStatus(name, ds.title, True, label, str(p), is_sample, n_train, n_test))
    return rows


def status(name: str) -> DatasetStatus:
    """dataset_status()'s row for one dataset, built-in or kept (a kept one is read from its
    dataset.json only)."""
    if name in DATASETS:
        return {r.name: r for r in dataset_status()}[name]
    from cnnweb import datasets

    try:
        meta = datasets.describe(name)
    except ValueError as e:
        return DatasetStatus(name, name, False, e.args[0])
    path = str(datasets.npz_path(name))
    return DatasetStatus(name, name, True, path, path, False, meta.get("n_train"),
                         meta.get("n_test"), kept=True)
