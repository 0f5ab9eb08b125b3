"""Webcam pictures taken class by class (Teachable Machine's flow), kept in a session until they
become a dataset through cnnweb.datasets.add_pictures (the same decoder and checks as an upload).

    Captures()                        the pictures of one session, class by class (in order)
    add_class(c, text)      -> str    a new (or existing) class; ValueError (one line) if bad
    add(c, cls, blob, shot) -> bool   one capture into a class (False: that shot was added already)
    remove_class(c, cls)              its pictures dropped
    missing(c)              -> Msg | None   what is still needed before it can be kept, one line
    pictures(c)             -> {class: [(file name, bytes)]}, the add_pictures argument
    keep(c, name, ...)      -> datasets.Added, and the captures emptied

Bounded: at most MAX_PICTURES pictures and MAX_BYTES bytes in a session (a capture past either
is refused with a line saying so), each picture's header read by cnnweb.images before it is
taken (format and pixel count). No Streamlit here: the Trainer keeps a Captures in session state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cnnweb import archive, datasets, images
from cnnweb.i18n import Msg

MAX_PICTURES = 300            # a session's captures (Teachable Machine's class: a few dozen)
MAX_BYTES = 48 << 20          # their bytes together (a 640x480 webcam JPEG: ~30-80 KB)
MAX_CLASSES = datasets.MAX_CLASSES


@dataclass
class Captures:
    classes: dict[str, list[bytes]] = field(default_factory=dict)   # in the order added
    shots: set[str] = field(default_factory=set)    # ids of the captures already taken in

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.classes.values())

    @property
    def nbytes(self) -> int:
        return sum(len(b) for v in self.classes.values() for b in v)

    def full(self) -> bool:
        return self.total >= MAX_PICTURES or self.nbytes >= MAX_BYTES


def limit_text() -> Msg:
    return Msg("cam.full", n=MAX_PICTURES, size=archive.size_text(MAX_BYTES))


def add_class(c: Captures, text) -> str:
    """The class named `text` (stripped), created empty if new; ValueError (a Msg) for an empty,
    unprintable or too long name, or one class too many."""
    name = str(text).strip()
    if not name or not name.isprintable() or len(name) > datasets.MAX_CLASS_NAME or "/" in name:
        raise ValueError(Msg("cam.bad_class", limit=datasets.MAX_CLASS_NAME))
    if name not in c.classes:
        if len(c.classes) >= MAX_CLASSES:
            raise ValueError(Msg("dset.too_many_classes", n=len(c.classes) + 1, limit=MAX_CLASSES))
        c.classes[name] = []
    return name


def add(c: Captures, cls: str, blob: bytes, shot: str) -> bool:
    """Take one capture (its bytes and the camera widget's id for it) into class `cls`. False
    when that shot was taken in already (a rerun shows the same picture); ValueError (a Msg, one
    line) when the session is full, the class unknown or the bytes are not a usable picture."""
    if shot in c.shots:
        return False
    if cls not in c.classes:
        raise ValueError(Msg("cam.no_class"))
    if c.total + 1 > MAX_PICTURES or c.nbytes + len(blob) > MAX_BYTES:
        raise ValueError(limit_text())
    images.picture_size(blob, f"{cls}/{len(c.classes[cls]) + 1}")   # ImageError: one line
    c.classes[cls].append(bytes(blob))
    c.shots.add(shot)
    return True


def remove_class(c: Captures, cls: str) -> None:
    c.classes.pop(cls, None)


def missing(c: Captures) -> Msg | None:
    """One line saying what is missing before the captures can be a dataset (None: nothing)."""
    need = datasets.MIN_CLASSES - len(c.classes)
    if need > 0:
        return Msg("cam.need_classes", n=need, min=datasets.MIN_CLASSES)
    short = [f"{cls} ({datasets.MIN_PER_CLASS - len(v)})" for cls, v in c.classes.items()
             if len(v) < datasets.MIN_PER_CLASS]
    if short:
        return Msg("cam.need_pictures", classes=", ".join(short[:10]),
                   min=datasets.MIN_PER_CLASS)
    return None


def pictures(c: Captures) -> dict[str, list[tuple[str, bytes]]]:
    """The captures as add_pictures wants them: {class: [("001.jpg", bytes), ...]}."""
    return {cls: [(f"{i:03d}{_suffix(b)}", b) for i, b in enumerate(v, 1)]
            for cls, v in c.classes.items()}


def _suffix(blob: bytes) -> str:
    return ".jpg" if blob[:3] == b"\xff\xd8\xff" else ".png" if blob[:4] == b"\x89PNG" else ""


def keep(c: Captures, name: str | None = None, test_split: float = 0.2,
         image_size: int | None = None) -> datasets.Added:
    """Keep the captures as a named dataset (cnnweb.datasets.add_pictures: every picture decoded
    by the safe decoder, the same minimums as an upload); the captures are emptied after.
    ValueError (one line) when something is missing or the pictures cannot be kept."""
    problem = missing(c)
    if problem:
        raise ValueError(problem)
    added = datasets.add_pictures(pictures(c), (name or "").strip() or None,
                                  test_split=test_split, image_size=image_size)
    c.classes.clear()
    return added
