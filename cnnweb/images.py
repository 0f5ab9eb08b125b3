"""Decoding and preprocessing of drawings and uploaded images (Pillow + numpy, no TensorFlow).

    canvas_to_input(rgba)                  -> (28, 28, 1) uint8, what MNIST looks like
    decode(data, name)                     -> (H, W, 3) uint8 RGB (ImageError naming the file)
    to_model_input(rgb, input_shape, fit)  -> (H, W, C) uint8 for the model
    prepare_files([(name, data), ...], input_shape, fit) -> [Prepared], bad files as errors

Every model takes raw pixels 0..255 (Rescaling is inside the model). A model with one channel
is a digit model: its input is made to look like MNIST (white digit on black, the digit fitted
into a 20x20 box and centred by its centre of mass in 28x28, as LeCun et al. prepared MNIST).
A model with three channels gets the picture resized to its input ("squash" or "crop").
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_FILE_BYTES = 20 * 1024 * 1024          # larger uploads are refused before decoding
MAX_PIXELS = 40_000_000                    # 40 megapixels; more is treated as a decompression bomb
FORMATS = {"PNG", "JPEG", "MPO", "BMP", "DIB", "GIF", "WEBP", "TIFF"}  # MPO: phone JPEGs
FORMAT_NAMES = "PNG, JPEG, BMP, GIF, WebP or TIFF"
FITS = ("squash", "crop")
EMPTY_DRAWING = "draw a digit first"

# MNIST geometry, scaled for other input sizes: the digit fits a 20x20 box inside 28x28.
_BOX_FRACTION = 20 / 28
_MIN_CONTRAST = 40.0       # ink must differ from the background by this much (of 255)
_NOISE = 0.2               # ink below this fraction of the strongest ink counts as background


class ImageError(ValueError):
    """A file that cannot be used; the message is one line and names the file."""


@dataclass
class Prepared:
    name: str
    x: np.ndarray | None = None      # (H, W, C) uint8: exactly what the model is given
    error: str | None = None         # one-line reason when the file could not be used

    @property
    def ok(self) -> bool:
        return self.error is None


# ---------------------------------------------------------------- digits (MNIST look)

def _border(a: np.ndarray) -> np.ndarray:
    """The pixels of a frame about 5% wide around a 2-D array."""
    h, w = a.shape
    k = max(1, min(h, w) // 20)
    return np.concatenate([a[:k].ravel(), a[-k:].ravel(), a[:, :k].ravel(), a[:, -k:].ravel()])


def ink_map(gray: np.ndarray) -> np.ndarray:
    """Ink strength 0..1 of a grayscale picture (H, W) in 0..255, with either polarity.

    The background is the median of the border: if it is light the picture is dark ink on
    paper and is inverted. The background level is subtracted and the strongest ink scaled to
    1; faint shading (< 20% of it) is dropped. All zeros if there is no ink with enough
    contrast.
    """
    g = np.asarray(gray, dtype=np.float32)
    bg = float(np.median(_border(g)))
    ink = (255.0 - g) if bg > 127.5 else g
    ink = ink - min(bg, 255.0 - bg)             # background level -> 0
    np.clip(ink, 0, None, out=ink)
    peak = float(np.percentile(ink, 99.9)) if ink.size > 1000 else float(ink.max())
    if peak < _MIN_CONTRAST:
        return np.zeros_like(ink)
    ink = (ink / peak - _NOISE) / (1 - _NOISE)
    return np.clip(ink, 0, 1)


def digit_input(ink: np.ndarray, size: int = 28, empty_message: str = EMPTY_DRAWING) -> np.ndarray:
    """An ink map (H, W) in 0..1 -> (size, size) uint8, white digit on black: cropped to the
    ink, scaled (up or down, keeping aspect) to fit a 20x20 box (for size 28), anti-aliased,
    and placed so that its centre of mass is the centre of the image, as far as that keeps the
    whole digit inside. ValueError(empty_message) when there is no ink."""
    rows = np.flatnonzero(ink.max(axis=1) > 0)
    cols = np.flatnonzero(ink.max(axis=0) > 0)
    if rows.size == 0:
        raise ValueError(empty_message)
    crop = ink[rows[0]: rows[-1] + 1, cols[0]: cols[-1] + 1]          # (h, w) just the digit
    h, w = crop.shape
    box = max(1, round(size * _BOX_FRACTION))
    scale = box / max(h, w)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    resample = Image.Resampling.BOX if scale < 1 else Image.Resampling.BILINEAR  # area average
    small = Image.fromarray(crop.astype(np.float32)).resize((nw, nh), resample)  # anti-aliased
    small = np.clip(np.asarray(small, dtype=np.float32), 0, 1)            # (nh, nw)
    mass = small.sum()
    if mass <= 0:
        raise ValueError(empty_message)
    yy, xx = np.indices(small.shape)
    cy, cx = (yy * small).sum() / mass, (xx * small).sum() / mass
    top, left = round((size - 1) / 2 - cy), round((size - 1) / 2 - cx)
    top = min(max(top, 0), size - nh)      # never push part of the digit out of the frame
    left = min(max(left, 0), size - nw)    # (a "7" has its mass high up: keep its foot in)
    out = np.zeros((size, size), np.float32)
    out[top: top + nh, left: left + nw] = small
    return np.round(out * 255).astype(np.uint8)


def canvas_to_input(rgba: np.ndarray | None, input_shape=(28, 28, 1)) -> np.ndarray:
    """The drawing canvas' image (H, W, 4) RGBA -> the digit model's input (h, w, 1) uint8.

    With an opaque background (alpha 255 everywhere) the ink is read from the colours, with
    either polarity; with a transparent background the ink is the alpha channel.
    ValueError("draw a digit first") for an empty canvas.
    """
    if rgba is None:
        raise ValueError(EMPTY_DRAWING)
    a = np.asarray(rgba)
    if a.ndim != 3 or a.shape[2] not in (3, 4):
        raise ValueError(f"expected an RGBA image of shape (H, W, 4), got {a.shape}")
    if a.shape[2] == 4 and a[..., 3].min() < 250:
        ink = ink_map(a[..., 3])                        # strokes opaque on transparent
    else:
        ink = ink_map(_luminance(a[..., :3]))
    return digit_input(ink, int(input_shape[0]))[..., None]


def _luminance(rgb: np.ndarray) -> np.ndarray:
    rgb = np.asarray(rgb, dtype=np.float32)
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


# ---------------------------------------------------------------- decoding uploads

def read_file(path) -> bytes:
    """The bytes of an image file; ImageError naming it when it is missing, unreadable or
    larger than MAX_FILE_BYTES (checked before reading)."""
    try:
        size = os.stat(path).st_size
        if size > MAX_FILE_BYTES:
            raise ImageError(f"{path}: the file is {size / 2**20:.1f} MB; the limit is "
                             f"{MAX_FILE_BYTES // 2**20} MB")
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise ImageError(f"{path}: cannot be read ({e.strerror or e})") from None


def decode(data: bytes, name: str = "image") -> np.ndarray:
    """File bytes -> (H, W, 3) uint8 RGB: the first frame, EXIF orientation applied, alpha
    composited on white, grayscale / palette / CMYK / 16-bit converted. ImageError with a
    one-line message naming the file for anything that is not a usable image."""
    if not data:
        raise ImageError(f"{name}: the file is empty (0 bytes)")
    if len(data) > MAX_FILE_BYTES:
        raise ImageError(f"{name}: the file is {len(data) / 2**20:.1f} MB; the limit is "
                         f"{MAX_FILE_BYTES // 2**20} MB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            if img.format not in FORMATS:
                raise ImageError(f"{name}: {img.format} images are not supported; use {FORMAT_NAMES}")
            w, h = img.size
            if w * h > MAX_PIXELS:
                raise ImageError(f"{name}: the image is {w}x{h} pixels ({w * h / 1e6:.0f} megapixels);"
                                 f" the limit is {MAX_PIXELS / 1e6:.0f} megapixels")
            img.seek(0)                                  # GIF, TIFF, WebP: the first frame
            img.load()
            img = ImageOps.exif_transpose(img)
            return _to_rgb(img)
    except ImageError:
        raise
    except UnidentifiedImageError:
        raise ImageError(f"{name}: not an image (or not a format that can be read: "
                         f"use {FORMAT_NAMES})") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"{name}: the image has too many pixels, far more than the limit of "
                         f"{MAX_PIXELS / 1e6:.0f} megapixels (a decompression bomb?)") from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError) as e:
        raise ImageError(f"{name}: the image data is damaged or incomplete ({_first_line(e)})") from None
    except MemoryError:
        raise ImageError(f"{name}: the image is too large to decode") from None


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__


def _to_rgb(img: Image.Image) -> np.ndarray:
    mode = img.mode
    if mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        a = np.asarray(img, dtype=np.float32)
        top = float(a.max()) if a.size else 0.0
        if mode == "F" and top <= 1.0:
            a = a * 255.0                                # float images in 0..1
        elif top > 255:
            a = a / 257.0                                # 16-bit 0..65535 -> 0..255
        g = np.clip(np.round(a), 0, 255).astype(np.uint8)
        return np.repeat(g[..., None], 3, axis=2)
    if mode == "P" and "transparency" in img.info:
        img = img.convert("RGBA")
    if mode in ("LA", "PA", "La", "RGBa"):
        img = img.convert("RGBA")
    if img.mode == "RGBA":
        white = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, img)
    return np.asarray(img.convert("RGB"), dtype=np.uint8)


# ---------------------------------------------------------------- model inputs

def is_digit_model(input_shape) -> bool:
    """Grayscale models are digit models (MNIST-like input)."""
    return int(input_shape[-1]) == 1


def resize_rgb(rgb: np.ndarray, size: tuple[int, int], fit: str = "squash") -> np.ndarray:
    """(H, W, 3) uint8 -> (h, w, 3) uint8. "squash" stretches the whole picture to the size;
    "crop" keeps the aspect ratio and cuts the centre out."""
    if fit not in FITS:
        raise ValueError(f"fit must be one of {', '.join(FITS)}, got {fit!r}")
    h, w = size
    img = Image.fromarray(np.asarray(rgb, dtype=np.uint8))
    if fit == "crop":
        img = ImageOps.fit(img, (w, h), Image.Resampling.LANCZOS)
    else:
        img = img.resize((w, h), Image.Resampling.LANCZOS)
    return np.asarray(img, dtype=np.uint8)


def to_model_input(rgb: np.ndarray, input_shape, fit: str = "squash", name: str = "image") -> np.ndarray:
    """A decoded picture (H, W, 3) uint8 -> the model's input (h, w, c) uint8. Digit models
    get the digit preprocessing (either polarity: a scan of dark ink on white paper works)."""
    h, w, c = (int(d) for d in input_shape)
    if is_digit_model(input_shape):
        ink = ink_map(_luminance(rgb))
        if h != w:
            raise ValueError(f"digit preprocessing needs a square input, not {h}x{w}")
        return digit_input(ink, h, empty_message=f"{name}: no digit found (the picture is blank "
                                                  f"or has too little contrast)")[..., None]
    out = resize_rgb(rgb, (h, w), fit)
    if c == 3:
        return out
    raise ValueError(f"models with {c} input channels are not supported (only 1 or 3)")


def prepare_file(data: bytes, name: str, input_shape, fit: str = "squash") -> np.ndarray:
    """decode + to_model_input; ImageError (one line, naming the file) on any problem."""
    rgb = decode(data, name)
    try:
        return to_model_input(rgb, input_shape, fit, name)
    except ImageError:
        raise
    except ValueError as e:
        msg = str(e)
        raise ImageError(msg if msg.startswith(f"{name}:") else f"{name}: {msg}") from None


def prepare_files(files, input_shape, fit: str = "squash") -> list[Prepared]:
    """[(name, bytes), ...] -> one Prepared per file, in order; a bad file gets its error and
    the others are still processed."""
    out = []
    for name, data in files:
        try:
            out.append(Prepared(name, prepare_file(data, name, input_shape, fit)))
        except ImageError as e:
            out.append(Prepared(name, error=str(e)))
    return out


def upscale(x: np.ndarray, size: int = 224) -> np.ndarray:
    """A small model input (h, w, c) uint8 -> (size, size, 3) RGB with square pixels, to show."""
    a = np.asarray(x, dtype=np.uint8)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[..., 0]
    img = Image.fromarray(a).convert("RGB")
    return np.asarray(img.resize((size, size), Image.Resampling.NEAREST), dtype=np.uint8)
