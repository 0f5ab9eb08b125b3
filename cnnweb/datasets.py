"""Your own pictures: a folder of class subfolders (keras.utils.image_dataset_from_directory's
layout) or a .zip of one, checked and kept as a named dataset under data/<name>/.

    add(path, name=None, test_split=0.2, seed=0, image_size=None) -> Added  (ValueError: one line)
    add_pictures({class: [(file name, bytes), ...]}, name, ...)   -> Added  (the webcam's pictures)
    names()                        -> kept dataset names
    info(name)                     -> data.DatasetInfo of a kept dataset
    load(name, limit=None)         -> data.Dataset (the held-out test split as x_test / y_test)
    describe(name)                 -> its dataset.json (class counts, size, colour, bad files)

Every picture goes through cnnweb.images (allow-listed raster formats, pixel bound, one-line
errors); a zip is judged from its directory by cnnweb.archive before a byte is inflated, and is
never extracted to disk (members are read into memory, so a "../" name cannot write anywhere).
Bad files are listed (at most MAX_LISTED lines) and skipped. The pictures are resized to one
square size (the most common shorter side, at most DEFAULT_MAX_SIDE, or image_size), kept in
grey when every picture is grey (else RGB), and split per class into training and a held-out
test split by a seeded shuffle; both are stored, with the seed, in data/<name>/dataset.npz and
dataset.json, and training only ever sees the training split. A name is never reused: a taken
one gets "-2", "-3", ... (a name given explicitly is refused instead). No TensorFlow here.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import stat
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cnnweb import archive, atomic, images, paths
from cnnweb.i18n import Msg

MIN_CLASSES = 2
MIN_PER_CLASS = 5            # pictures a class needs (after bad ones are skipped)
MAX_CLASSES = 100
MAX_PICTURES = 20_000
MAX_ZIP_MEMBERS = 25_000
MAX_ZIP_BYTES = 1 << 30      # unpacked, as the zip's directory declares
MAX_ZIP_RATIO = 100          # per member over 1 MiB (JPEG/PNG barely compress: real ~1.0)
MAX_SOURCE_BYTES = 1 << 30   # a folder's pictures together
MAX_ARRAY_BYTES = 256 << 20  # the kept arrays (the same bound as data.MAX_DATASET_BYTES)
MAX_LISTED = 20              # bad files listed by name; the rest are counted
MIN_SIDE, MAX_SIDE = 8, 128  # --image-size bounds
DEFAULT_MAX_SIDE = 64        # the most common size is capped here
MAX_NAME = 64
MAX_CLASS_NAME = 100
NPZ, META = "dataset.npz", "dataset.json"
MAX_META_BYTES = 8 << 20
_NAME_RE = re.compile(r"^[\w][\w.\-]*$")
_SKIP = {"__macosx", ".ds_store", "thumbs.db", "desktop.ini"}


@dataclass
class Added:
    name: str
    meta: dict
    reused: bool = False              # the same pictures were already kept under this name
    skipped: list[str] = field(default_factory=list)   # one line per bad file (capped)


def datasets_dir() -> Path:
    """Where kept datasets live: data/ (CNNWEB_DATASETS_DIR moves it, e.g. for tests)."""
    value = os.environ.get("CNNWEB_DATASETS_DIR")
    return Path(value).expanduser().resolve() if value else paths.data_dir()


# ------------------------------------------------------------------ names

def builtin_names() -> set[str]:
    from cnnweb import data

    return set(data.DATASETS)


def slug(text: str) -> str:
    """A valid dataset name made from any text (a file name, a typed title)."""
    text = unicodedata.normalize("NFC", str(text)).strip()
    for ext in (".zip",):
        if text.lower().endswith(ext):
            text = text[: -len(ext)]
    text = re.sub(r"[^\w.\-]+", "_", text).replace("..", ".")
    text = text.strip("._-")[:MAX_NAME].strip("._-")
    return text or "dataset"


def check_name(name) -> str:
    """The name normalised, or ValueError (a Msg) saying what is wrong with it."""
    name = unicodedata.normalize("NFC", str(name).strip())
    if (not name or len(name) > MAX_NAME or not _NAME_RE.match(name) or ".." in name
            or name.lower().endswith((".zip", ".npz", ".json"))):
        raise ValueError(Msg("dset.bad_name", name=_shown(name), limit=MAX_NAME,
                             suggestion=slug(name)))
    if name in builtin_names():
        raise ValueError(Msg("dset.builtin_name", name=name))
    return name


def _shown(text: str, limit: int = 80) -> str:
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def names() -> list[str]:
    """Kept datasets (folders of datasets_dir() holding a dataset.json), sorted."""
    try:
        entries = list(os.scandir(datasets_dir()))
    except OSError:
        return []
    out = []
    for e in entries:
        try:
            if (e.is_dir(follow_symlinks=False) and _NAME_RE.match(e.name)
                    and e.name not in builtin_names()
                    and archive.kind(Path(e.path) / META) == "file"):
                out.append(e.name)
        except OSError:
            continue
    return sorted(out, key=str.lower)


def is_kept(name: str) -> bool:
    return isinstance(name, str) and name in names()


# ------------------------------------------------------------------ reading the source

@dataclass
class _Entry:
    cls: str
    label: str            # what the user sees: the path inside the folder or zip
    read: object          # () -> bytes (ImageError / ValueError on a bad file)


def _bad_path(name: str, parts: list[str]) -> bool:
    """An absolute, drive-letter, backslash or "../" member name (never extracted anyway)."""
    return (name.startswith(("/", "\\")) or "\\" in name or bool(re.match(r"^[A-Za-z]:", name))
            or any(p in ("", ".", "..") for p in parts))


def _common_root(all_parts: list[tuple[str, ...]]) -> tuple[str, ...]:
    """A zip of a folder holds "flowers/rose/1.jpg": the one top folder above the classes
    (descended while everything is in one folder and something lies two levels below it)."""
    root: tuple[str, ...] = ()
    while all_parts:
        firsts = {p[len(root)] for p in all_parts}
        if len(firsts) == 1 and any(len(p) > len(root) + 2 for p in all_parts):
            root = (*root, next(iter(firsts)))
        else:
            return root
    return root


def _classify(files: list[tuple[tuple[str, ...], str, object]], bad: list) -> list[_Entry]:
    """(parts, label, reader) per file -> entries of root/<class>/...; a file beside the class
    folders is listed and skipped."""
    root = _common_root([parts for parts, _, _ in files])
    out = []
    for parts, label, read in files:
        rel = parts[len(root):]
        if len(rel) < 2:
            bad.append(Msg("dset.loose", file=_shown(label)))
        else:
            out.append(_Entry(rel[0], label, read))
    return out


def _litter(parts) -> bool:
    return any(p.lower() in _SKIP or (p.startswith(".") and p not in (".", ".."))
               for p in parts)


def _zip_entries(path: Path, label: str, bad: list) -> tuple[list[_Entry], zipfile.ZipFile]:
    zf = archive.open_zip(path, label, max_members=MAX_ZIP_MEMBERS, max_total=MAX_ZIP_BYTES,
                          max_ratio=MAX_ZIP_RATIO, what=Msg("dset.what_zip"))
    files = []
    for m in zf.infolist():
        name = m.filename
        parts = name.replace("\\", "/").split("/")
        if m.is_dir() or _litter(parts):
            continue                              # folders; macOS/Windows litter, hidden files
        if stat.S_ISLNK((m.external_attr >> 16) & 0xFFFF):
            bad.append(Msg("dset.link", file=_shown(name)))
        elif _bad_path(name, parts):
            bad.append(Msg("dset.bad_path", file=_shown(name)))
        elif m.flag_bits & 0x1:
            bad.append(Msg("dset.encrypted", file=_shown(name)))
        else:
            files.append((tuple(parts), name, lambda m=m: _read_member(zf, m)))
    return _classify(files, bad), zf


def _read_member(zf: zipfile.ZipFile, m: zipfile.ZipInfo) -> bytes:
    if m.file_size > images.MAX_FILE_BYTES:
        raise images.ImageError(Msg("dset.file_big", file=_shown(m.filename),
                                    size=archive.size_text(m.file_size),
                                    limit=archive.size_text(images.MAX_FILE_BYTES)))
    try:
        return zf.read(m)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as e:
        raise images.ImageError(Msg("dset.unreadable", file=_shown(m.filename),
                                    why=str(e)[:120])) from None


def _folder_entries(root: Path, bad: list) -> list[_Entry]:
    """Pictures under root/<class>/..., walked without following links (a link is listed)."""
    files, total, seen = [], 0, 0

    def walk(folder: Path, rel: tuple[str, ...]):
        nonlocal total, seen
        try:
            items = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as e:
            bad.append(Msg("dset.unreadable", file=_shown("/".join(rel) or "."),
                           why=e.strerror or str(e)))
            return
        for e in items:
            seen += 1
            if seen > MAX_ZIP_MEMBERS:
                raise ValueError(Msg("arc.members", file=str(root), n=seen, limit=MAX_ZIP_MEMBERS))
            parts = (*rel, e.name)
            shown = _shown("/".join(parts))
            if _litter([e.name]):
                continue
            if e.is_symlink():
                bad.append(Msg("dset.link", file=shown))
            elif e.is_dir(follow_symlinks=False):
                walk(Path(e.path), parts)
            elif not e.is_file(follow_symlinks=False):
                bad.append(Msg("arc.special", file=shown))
            else:
                total += e.stat(follow_symlinks=False).st_size
                if total > MAX_SOURCE_BYTES:
                    raise ValueError(Msg("arc.too_big", file=str(root),
                                         size=archive.size_text(total),
                                         limit=archive.size_text(MAX_SOURCE_BYTES)))
                files.append((parts, "/".join(parts),
                              lambda p=Path(e.path): images.read_file(p)))

    walk(root, ())
    return _classify(files, bad)


# ------------------------------------------------------------------ checking and converting

def _check_classes(entries: list[_Entry], bad: list) -> list[str]:
    counts = Counter(e.cls for e in entries)
    for cls in list(counts):
        if not cls.isprintable() or len(cls) > MAX_CLASS_NAME:
            bad.append(Msg("dset.bad_class", name=_shown(cls), limit=MAX_CLASS_NAME))
            del counts[cls]
    classes = sorted(counts)
    if len(classes) > MAX_CLASSES:
        raise ValueError(Msg("dset.too_many_classes", n=len(classes), limit=MAX_CLASSES))
    return classes


def _counts_problem(counts: dict[str, int]) -> None:
    if len(counts) < MIN_CLASSES:
        raise ValueError(Msg("dset.few_classes", n=len(counts), min=MIN_CLASSES,
                             classes=", ".join(_shown(c, 30) for c in counts) or "-"))
    few = [f"{_shown(c, 30)} ({n})" for c, n in counts.items() if n < MIN_PER_CLASS]
    if few:
        raise ValueError(Msg("dset.few_pictures", classes=", ".join(few[:10]),
                             min=MIN_PER_CLASS))


def _headers(entries: list[_Entry], classes: list[str], bad: list):
    """Pass 1: every file's header read (format, pixel count): (good entries, sizes, hash)."""
    digest, good, sizes = hashlib.sha256(), [], []
    if len(entries) > MAX_PICTURES:
        raise ValueError(Msg("dset.too_many_pictures", n=len(entries), limit=MAX_PICTURES))
    for e in sorted(entries, key=lambda e: (e.cls, e.label)):
        if e.cls not in classes:
            continue
        try:
            blob = e.read()
            w, h = images.picture_size(blob, _shown(e.label))
        except (images.ImageError, ValueError) as err:
            bad.append(str(err) if isinstance(err, images.ImageError) else Msg(
                "dset.unreadable", file=_shown(e.label), why=str(err)))
            continue
        digest.update(e.label.encode("utf-8", "replace") + b"\0" + hashlib.sha256(blob).digest())
        good.append(e)
        sizes.append((w, h))
    return good, sizes, digest.hexdigest()


def choose_side(sizes: list[tuple[int, int]], image_size: int | None) -> int:
    """The square side pictures are resized to: image_size, else the most common shorter side,
    at most DEFAULT_MAX_SIDE and at least MIN_SIDE."""
    if image_size:
        return int(image_size)
    common = Counter(min(w, h) for w, h in sizes).most_common(1)[0][0]
    return int(min(max(common, MIN_SIDE), DEFAULT_MAX_SIDE))


def _decode_all(good: list[_Entry], side: int, bad: list):
    """Pass 2: each picture decoded (cnnweb.images) and squashed to side x side RGB."""
    if len(good) * side * side * 3 > MAX_ARRAY_BYTES:
        raise ValueError(Msg("dset.too_big", n=len(good), side=side,
                             limit=archive.size_text(MAX_ARRAY_BYTES)))
    x = np.empty((len(good), side, side, 3), np.uint8)
    keep = []
    for e in good:
        try:
            rgb = images.decode(e.read(), _shown(e.label), images.picture_side((side, side)))
        except (images.ImageError, ValueError) as err:
            bad.append(str(err))
            continue
        x[len(keep)] = images.resize_rgb(rgb, (side, side), "squash")
        keep.append(e)
    return x[: len(keep)], keep


def split_indices(y: np.ndarray, n_classes: int, test_split: float, seed: int):
    """(train, test) indices: per class a seeded shuffle, round(n * test_split) of it (at least
    one) held out for testing. Disjoint by construction; the same seed gives the same split."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in range(n_classes):
        idx = np.flatnonzero(y == c)
        idx = idx[rng.permutation(len(idx))]
        n_test = max(1, round(len(idx) * test_split)) if test_split > 0 else 0
        test += idx[:n_test].tolist()
        train += idx[n_test:].tolist()
    return np.array(sorted(train), np.int64), np.array(sorted(test), np.int64)


# ------------------------------------------------------------------ adding

def add(path, name: str | None = None, test_split: float = 0.2, seed: int = 0,
        image_size: int | None = None, label: str | None = None,
        default_name: str | None = None) -> Added:
    """Check a folder or .zip of class folders and keep it as a named dataset (see the module
    docstring). ValueError (one line, a Msg) when it cannot be used; nothing kept is touched."""
    _check_options(test_split, seed, image_size)
    p = Path(path).expanduser()
    label = label or str(p)
    bad: list = []
    kind = archive.kind(p)
    zf = None
    if kind == "folder":
        entries = _folder_entries(p, bad)
    elif kind == "missing":
        raise ValueError(Msg("arc.missing", file=label))
    elif kind == "file":
        entries, zf = _zip_entries(p, label, bad)
    else:
        raise ValueError(Msg("arc.special", file=label))
    try:
        stem = default_name or (p.name if kind == "folder" else p.stem)
        return _keep(entries, bad, name, slug(stem or "dataset"), test_split, seed, image_size,
                     source=label)
    finally:
        if zf is not None:
            zf.close()


def add_pictures(pictures: dict[str, list[tuple[str, bytes]]], name: str | None,
                 test_split: float = 0.2, seed: int = 0, image_size: int | None = None) -> Added:
    """Keep pictures given in memory (the webcam's), {class: [(file name, bytes), ...]}; no
    name: "webcam" (then "webcam-2", ... when taken)."""
    _check_options(test_split, seed, image_size)
    entries = [_Entry(str(cls), f"{cls}/{fname}", lambda b=blob: b)
               for cls, files in pictures.items() for fname, blob in files]
    return _keep(entries, [], name, slug(name or "webcam"), test_split, seed, image_size,
                 source="webcam")


def _check_options(test_split, seed, image_size) -> None:
    if not (isinstance(test_split, (int, float)) and 0.05 <= test_split <= 0.5):
        raise ValueError(Msg("dset.bad_split", value=test_split))
    if not (isinstance(seed, int) and 0 <= seed < 2**32):
        raise ValueError(f"--seed must be in [0, 2**32), got {seed}")
    if image_size is not None and not (isinstance(image_size, int)
                                       and MIN_SIDE <= image_size <= MAX_SIDE):
        raise ValueError(Msg("dset.bad_size", value=image_size, min=MIN_SIDE, max=MAX_SIDE))


def _keep(entries, bad, name, default_name, test_split, seed, image_size, source) -> Added:
    explicit = name is not None and str(name).strip() != ""
    wanted = check_name(name) if explicit else check_name(default_name)
    classes = _check_classes(entries, bad)
    _counts_problem(Counter(e.cls for e in entries if e.cls in classes))
    good, sizes, digest = _headers(entries, classes, bad)
    counts = Counter(e.cls for e in good)
    _counts_problem({c: counts.get(c, 0) for c in classes})
    side = choose_side(sizes, image_size)
    settings = {"test_split": float(test_split), "seed": int(seed), "image_size": image_size}
    same = _same_kept(wanted, digest, settings)
    if same:
        return Added(same, describe(same), reused=True, skipped=_capped(bad))
    x, kept = _decode_all(good, side, bad)
    y = np.array([classes.index(e.cls) for e in kept], np.uint8)
    counts = Counter(e.cls for e in kept)
    _counts_problem({c: counts.get(c, 0) for c in classes})
    grey = bool(np.array_equal(x[..., 0], x[..., 1]) and np.array_equal(x[..., 1], x[..., 2]))
    if grey:
        x = x[..., :1]
    tr, te = split_indices(y, len(classes), float(test_split), int(seed))
    meta = {"name": "", "class_names": classes, "input_shape": [side, side, 1 if grey else 3],
            "colour": "grey" if grey else "rgb", "source": _shown(source, 200),
            "source_sha256": digest, **settings,
            "counts": {c: int(counts[c]) for c in classes},
            "train_counts": {c: int(np.sum(y[tr] == i)) for i, c in enumerate(classes)},
            "test_counts": {c: int(np.sum(y[te] == i)) for i, c in enumerate(classes)},
            "n_train": len(tr), "n_test": len(te),
            "test_files": [kept[i].label for i in te],
            "skipped": [str(b) for b in _capped(bad)], "n_skipped": len(bad)}
    final = _claim(wanted, explicit)
    meta["name"] = final
    _write(final, meta, x[tr], y[tr], x[te], y[te])
    return Added(final, meta, skipped=_capped(bad))


def _capped(bad: list) -> list:
    if len(bad) <= MAX_LISTED:
        return list(bad)
    return list(bad[:MAX_LISTED]) + [Msg("dset.more_skipped", n=len(bad) - MAX_LISTED)]


def _same_kept(name: str, digest: str, settings: dict) -> str | None:
    """A kept dataset made from exactly these pictures with these settings: name or name-N."""
    for n in names():
        if n == name or re.fullmatch(re.escape(name) + r"-\d+", n):
            try:
                meta = describe(n)
            except ValueError:
                continue
            if meta.get("source_sha256") == digest and all(meta.get(k) == v
                                                           for k, v in settings.items()):
                return n
    return None


def _claim(name: str, explicit: bool) -> str:
    """Create the dataset's folder under a name nobody has (os.mkdir is atomic: two uploads
    never share one). An explicit name that is taken is refused; a derived one gets -2, -3..."""
    base = datasets_dir()
    base.mkdir(parents=True, exist_ok=True)
    for i in range(1, 1000):
        candidate = name if i == 1 else f"{name[: MAX_NAME - 5]}-{i}"
        try:
            os.mkdir(base / candidate)
            return candidate
        except FileExistsError:
            if explicit:
                raise ValueError(Msg("dset.taken", name=name)) from None
    raise ValueError(Msg("dset.taken", name=name))


def _write(name: str, meta: dict, x_tr, y_tr, x_te, y_te) -> None:
    """The arrays, then dataset.json last (a folder without it is not a dataset yet)."""
    folder = datasets_dir() / name
    buf = io.BytesIO()
    np.savez(buf, x_train=x_tr, y_train=y_tr, x_test=x_te, y_test=y_te)
    try:
        atomic.write(folder / NPZ, buf.getvalue())
        atomic.write(folder / META, json.dumps(meta, indent=1, ensure_ascii=False))
    except OSError:
        for f in (folder / NPZ, folder / META):
            f.unlink(missing_ok=True)
        try:
            folder.rmdir()
        except OSError:
            pass
        raise


# ------------------------------------------------------------------ reading a kept dataset

def _folder(name: str) -> Path:
    name = check_name(name)
    folder = datasets_dir() / name
    if archive.kind(folder / META) != "file":
        known = ", ".join(names()) or "-"
        raise ValueError(Msg("dset.unknown", name=name, known=known))
    return folder


def describe(name: str) -> dict:
    """A kept dataset's dataset.json, checked (ValueError naming the file otherwise)."""
    path = _folder(name) / META
    archive.regular_file(path, str(path), MAX_META_BYTES)
    try:
        meta = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(Msg("dset.bad_meta", file=str(path), why=str(e)[:120])) from None
    classes, shape = meta.get("class_names") if isinstance(meta, dict) else None, None
    if isinstance(meta, dict):
        shape = meta.get("input_shape")
    if (not isinstance(classes, list) or not MIN_CLASSES <= len(classes) <= MAX_CLASSES
            or not all(isinstance(c, str) and 0 < len(c) <= MAX_CLASS_NAME for c in classes)
            or not isinstance(shape, list) or len(shape) != 3
            or not all(type(d) is int for d in shape)
            or not MIN_SIDE <= shape[0] <= MAX_SIDE or shape[0] != shape[1]
            or shape[2] not in (1, 3)):
        raise ValueError(Msg("dset.bad_meta", file=str(path), why="class_names / input_shape"))
    return meta


def info(name: str):
    from cnnweb import data

    meta = describe(name)
    h, w, c = meta["input_shape"]
    colour = "grayscale" if c == 1 else "RGB"
    return data.DatasetInfo(
        name, name, list(meta["class_names"]), (h, w, c), int(meta.get("n_train") or 0),
        int(meta.get("n_test") or 0), (NPZ,), "", NPZ,
        f"{h}x{w} {colour}, raw pixels 0..255 (your own pictures, squashed to {h}x{w})")


def npz_path(name: str) -> Path:
    return _folder(name) / NPZ


def load(name: str, limit: int | None = None):
    """The kept dataset as a data.Dataset: x_train/y_train the training split, x_test/y_test
    the held-out test split. Read through data.py's bounded .npz reader and validated."""
    from cnnweb import data

    ds_info = info(name)
    p = npz_path(name)
    raw = data._read_npz(p, limit)
    x_tr, y_tr, x_te, y_te = data.validate(raw, ds_info, str(p))
    if limit:
        x_tr, y_tr = x_tr[:limit], y_tr[:limit]
    meta = describe(name)
    source = Msg("dset.source", name=name, n=len(x_tr), test=len(x_te),
                 classes=len(ds_info.class_names), shape="x".join(map(str, ds_info.input_shape)),
                 colour=Msg("dset.grey" if ds_info.input_shape[2] == 1 else "dset.rgb"),
                 split=meta.get("test_split", "?"))
    return data.Dataset(name, x_tr, y_tr, x_te, y_te, list(ds_info.class_names), source, str(p),
                        False, ds_info)


def samples(name: str, per_class: int = 6) -> list[tuple[str, list[np.ndarray]]]:
    """A few training pictures of each class, for the page's grid: [(class, [(H, W, C)])]."""
    ds = load(name)
    out = []
    for i, c in enumerate(ds.class_names):
        idx = np.flatnonzero(ds.y_train == i)[:per_class]
        out.append((c, [ds.x_train[j] for j in idx]))
    return out

