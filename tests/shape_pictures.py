"""Small learnable picture datasets made by the tests (never shipped): bright circles vs
squares on a dark noisy background, a few dozen per class, as PNG files in class folders or a
.zip of them. Import: `from tests.shape_pictures import write_folder, write_zip`."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

CLASSES = ("circle", "square")


def picture(cls: str, rng, size: int = 40, grey: bool = False) -> np.ndarray:
    """One (size, size, 3) uint8 picture of the class: a bright shape at a random place."""
    a = rng.integers(0, 60, (size, size, 1 if grey else 3)).astype(np.uint8)
    yy, xx = np.mgrid[:size, :size]
    cx, cy = rng.integers(size // 4, size - size // 4, 2)
    r = int(rng.integers(size // 7, size // 4))
    if cls == "circle":
        mask = (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
    else:
        mask = (abs(yy - cy) <= r) & (abs(xx - cx) <= r)
    a[mask] = rng.integers(150, 256, a.shape[-1])
    return np.repeat(a, 3, axis=2) if grey else a


def png(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, format="PNG")
    return buf.getvalue()


def pictures(n: int = 30, size: int = 40, grey: bool = False, seed: int = 0,
             classes=CLASSES) -> dict[str, list[tuple[str, bytes]]]:
    rng = np.random.default_rng(seed)
    return {c: [(f"{c}_{i:03d}.png", png(picture(c if c in CLASSES else CLASSES[k % 2], rng,
                                                  size, grey)))
                for i in range(n)] for k, c in enumerate(classes)}


def write_folder(root, **kw) -> Path:
    root = Path(root)
    for cls, files in pictures(**kw).items():
        (root / cls).mkdir(parents=True, exist_ok=True)
        for name, data in files:
            (root / cls / name).write_bytes(data)
    return root


def write_zip(path, top: str | None = "pictures", extra: dict | None = None, **kw) -> Path:
    """A .zip of class folders (inside one top folder, as zipping a folder gives), plus
    extra {member name: bytes} members."""
    path = Path(path)
    with zipfile.ZipFile(path, "w") as zf:
        for cls, files in pictures(**kw).items():
            for name, data in files:
                zf.writestr(f"{top}/{cls}/{name}" if top else f"{cls}/{name}", data)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path
