"""Decoding and preprocessing of drawings and uploaded images (Pillow + numpy, no TensorFlow).

    canvas_to_input(rgba)                  -> (28, 28, 1) uint8, what MNIST looks like
    decode(data, name, max_side)           -> (H, W, 3) uint8 RGB, shrunk (ImageError naming the file)
    to_model_input(rgb, input_shape, fit)  -> (H, W, C) uint8 for the model
    prepare_files([(name, data), ...], input_shape, fit) -> [Prepared], bad files as errors

Every model takes raw pixels 0..255 (Rescaling is inside the model). A model with one channel
is a digit model: its input is made to look like MNIST (white digit on black, the digit fitted
into a 20x20 box and centred by its centre of mass in 28x28, as LeCun et al. prepared MNIST),
unless it was trained on the user's own grey pictures (preparation()). Every other model gets
the picture resized to its input ("squash" or "crop") and turned grey for one channel, as
cnnweb.datasets made its training pictures.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import threading
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from cnnweb import i18n

MAX_FILE_BYTES = 20 * 1024 * 1024          # larger uploads are refused before decoding
MAX_PIXELS = 40_000_000                    # 40 megapixels; more is treated as a decompression bomb
# Raster formats that Pillow decodes itself (MPO: phone JPEGs). Never EPS/PS (Ghostscript), PDF,
# SVG or anything that would run an external program.
FORMATS = ("PNG", "JPEG", "MPO", "BMP", "DIB", "GIF", "WEBP", "TIFF")
_OPENERS = [f for f in FORMATS if f != "MPO"]   # Pillow opens MPO through its JPEG plugin
FITS = ("squash", "crop")
EMPTY_DRAWING = "draw a digit first"

# MNIST geometry, scaled for other input sizes: the digit fits a 20x20 box inside 28x28.
_BOX_FRACTION = 20 / 28
_MIN_CONTRAST = 40.0       # ink must differ from the background by this much (of 255)
_NOISE = 0.2               # ink below this fraction of the strongest ink counts as background


class ImageError(ValueError):
    """A file that cannot be used; the message (args[0], an i18n.Msg: English as str(e), the
    page shows it in the reader's language with i18n.tr) is one line and names the file."""


@dataclass
class Prepared:
    name: str
    x: np.ndarray | None = None      # (H, W, C) uint8: exactly what the model is given
    error: str | None = None         # one-line reason when the file could not be used (a Msg)

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
#
# Every upload path (Predict, the Explainer, the command line) decodes through decode(): it
# opens only raster formats that Pillow decodes itself (never EPS/PS/PDF/SVG: Pillow runs
# Ghostscript for EPS), checks the pixel count against MAX_PIXELS before any pixel is decoded,
# shrinks while decoding (JPEG draft, then reduce) and turns every decoder error into one line.
# No warnings filters are touched, so it is safe from many sessions' threads at once.

def _work_side(input_shape) -> int:
    """How large (longest side, pixels) a picture is decoded for a model: 8x its input, at
    least 512 (a digit that fills a tenth of a scan still has 50 pixels for its 20 px box, and
    a scan the size of the drawing canvas, 280 px, is read exactly as the drawing)."""
    return max(512, 8 * max(int(d) for d in tuple(input_shape)[:2]))


def _limit_message(what: str, size: int) -> i18n.Msg:
    return i18n.Msg("img.too_big", file=what, mb=size / 2**20, limit=MAX_FILE_BYTES // 2**20)


def read_file(path) -> bytes:
    """The bytes of an image file; ImageError naming it when it is missing, unreadable, not a
    regular file (a device such as /dev/zero, a FIFO, a folder: refused before opening, so
    nothing blocks or reads without end) or larger than MAX_FILE_BYTES. Reads at most
    MAX_FILE_BYTES + 1 bytes, whatever the file claims."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise ImageError(i18n.Msg("img.not_regular", file=str(path)))
        if st.st_size > MAX_FILE_BYTES:
            raise ImageError(_limit_message(str(path), st.st_size))
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise ImageError(i18n.Msg("img.unreadable", file=str(path),
                                  error=e.strerror or str(e))) from None
    if len(data) > MAX_FILE_BYTES:                       # it grew after the stat
        raise ImageError(_limit_message(str(path), len(data)))
    return data


def is_special_file(path) -> bool:
    """True for a path that exists but is not a regular file (device, FIFO, socket, folder)."""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _open(data: bytes, name: str) -> Image.Image:
    """Pillow's lazy image (header read, no pixels decoded) of an allowed raster format whose
    first frame is within MAX_PIXELS."""
    img = Image.open(io.BytesIO(data), formats=_OPENERS)
    if img.format not in FORMATS:                        # a plugin's subclass named otherwise
        raise ImageError(i18n.Msg("img.format", file=name, format=img.format,
                                  formats=i18n.Msg("img.formats")))
    w, h = img.size
    if w * h > MAX_PIXELS:
        raise ImageError(i18n.Msg("img.megapixels", file=name, w=w, h=h, mp=w * h / 1e6,
                                  limit=MAX_PIXELS / 1e6))
    return img


_EXIF_TURN = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
              4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
              6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
              8: Image.Transpose.ROTATE_90}
_REDUCIBLE = {"1": "L", "P": "RGB", "PA": "RGBA", "I;16": "I", "I;16B": "I", "I;16L": "I",
              "I;16N": "I"}      # modes that Pillow shrinks badly (nearest) or not at all


# At most two full frames in memory at once in the whole server, whatever the number of sessions
# (each at most MAX_PIXELS x 4 bytes + one strip while it is shrunk; see RELIABILITY.md).
_DECODE_SLOTS = threading.BoundedSemaphore(2)


def _decode_small(data: bytes, name: str, max_side: int) -> np.ndarray:
    img = _open(data, name)
    with _DECODE_SLOTS:
        return _shrink(img, max_side)


def _shrink(img: Image.Image, max_side: int) -> np.ndarray:
    img.seek(0)                                          # GIF, TIFF, WebP: the first frame
    if img.format in ("JPEG", "MPO"):
        img.draft(None, (max_side, max_side))            # DCT scaling: 1/2, 1/4 or 1/8 size
    img.load()
    turn = _EXIF_TURN.get(img.getexif().get(0x0112))     # EXIF orientation
    mode = _REDUCIBLE.get(img.mode, img.mode)
    if mode == "RGB" and "transparency" in img.info:
        mode = "RGBA"
    factor = max(img.size) // (3 * max_side)
    small = _reduce_in_strips(img, factor, mode) if factor >= 2 else img.convert(mode)
    img.close()                                          # free the full frame now
    if max(small.size) > max_side:
        small.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    if turn is not None:
        small = small.transpose(turn)
    return _to_rgb(small)


def _reduce_in_strips(img: Image.Image, factor: int, mode: str) -> Image.Image:
    """img averaged over factor x factor blocks (Image.reduce) and converted to mode, a strip of
    rows at a time: only the decoded frame and one strip (not a converted or premultiplied
    copy of the whole frame) are in memory. Same pixels as converting, then reducing it all."""
    w, h = img.size
    out = Image.new(mode, (-(-w // factor), -(-h // factor)))
    rows = factor * max(1, 256 // factor)                # a multiple of the block height
    for top in range(0, h, rows):
        strip = img.crop((0, top, w, min(h, top + rows)))
        if strip.mode != mode:
            strip = strip.convert(mode)
        out.paste(strip.reduce(factor), (0, top // factor))
    return out


def decode(data: bytes, name: str = "image", max_side: int = 1024) -> np.ndarray:
    """File bytes -> (H, W, 3) uint8 RGB, longest side at most max_side (shrunk keeping the
    aspect): the first frame, EXIF orientation applied, alpha composited on white, grayscale /
    palette / CMYK / 16-bit converted. ImageError with a one-line message naming the file for
    anything that is not a usable image of an allowed format.

    Memory: a JPEG is decoded at 1/2, 1/4 or 1/8 size directly; other formats hold their full
    first frame once (at most MAX_PIXELS x 4 bytes) while it is converted and averaged down a
    strip at a time, so the float work downstream is on max_side pixels only."""
    if not data:
        raise ImageError(i18n.Msg("img.empty", file=name))
    if len(data) > MAX_FILE_BYTES:
        raise ImageError(_limit_message(name, len(data)))
    with _one_line(name):
        return _decode_small(data, name, int(max_side))


@contextlib.contextmanager
def _one_line(name: str):
    """Any decoder fault inside becomes an ImageError with one line naming the file."""
    try:
        yield
    except ImageError:
        raise
    except UnidentifiedImageError:
        raise ImageError(i18n.Msg("img.not_image", file=name,
                                  formats=i18n.Msg("img.formats"))) from None
    except Image.DecompressionBombError:
        raise ImageError(i18n.Msg("img.bomb", file=name, limit=MAX_PIXELS / 1e6)) from None
    except MemoryError:
        raise ImageError(i18n.Msg("img.too_large", file=name)) from None
    except Exception as e:  # noqa: BLE001 -- any decoder fault (broken PNG, struct, zlib) is one line
        raise ImageError(i18n.Msg("img.damaged", file=name, error=_first_line(e))) from None


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
    """Grayscale models are digit models (MNIST-like input), unless preparation() says their
    dataset was of pictures."""
    return int(input_shape[-1]) == 1


DIGIT, PICTURE = "digit", "picture"     # how a model's input is made (preparation())
DIGIT_DATASETS = ("mnist",)


def preparation(input_shape, dataset=None) -> str:
    """How a model's inputs are made from a picture: DIGIT (the MNIST look: ink found, centred,
    white on black) for a grey model of MNIST or of unknown origin; PICTURE (resized, channels
    converted, exactly as cnnweb.datasets made its training pictures) for every other model,
    a grey model of the user's own pictures included."""
    grey = is_digit_model(input_shape)
    return DIGIT if grey and (not dataset or dataset in DIGIT_DATASETS) else PICTURE


def picture_side(size) -> int:
    """How large (longest side) a picture is decoded before it is resized to a picture
    model's input (or a dataset's side): 4x the input, at least 64. One rule for the kept
    datasets and for Predict, so a picture is prepared as the model saw it in training."""
    return max(64, 4 * max(int(d) for d in tuple(size)[:2]))


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


def to_model_input(rgb: np.ndarray, input_shape, fit: str = "squash", name: str = "image",
                   how: str | None = None) -> np.ndarray:
    """A decoded picture (H, W, 3) uint8 -> the model's input (h, w, c) uint8. Digit models
    get the digit preprocessing (either polarity: a scan of dark ink on white paper works);
    picture models (how=PICTURE, see preparation()) the picture resized, grey when c is 1."""
    h, w, c = (int(d) for d in input_shape)
    how = how or (DIGIT if is_digit_model(input_shape) else PICTURE)
    if how == DIGIT:
        ink = ink_map(_luminance(rgb))
        if h != w:
            raise ValueError(i18n.Msg("img.not_square", h=h, w=w))
        return digit_input(ink, h, empty_message=i18n.Msg("img.no_digit", file=name))[..., None]
    out = resize_rgb(rgb, (h, w), fit)
    if c == 3:
        return out
    if c == 1:          # as Pillow's "L" (0.299 R + 0.587 G + 0.114 B): a grey picture exactly
        return np.asarray(Image.fromarray(out).convert("L"), dtype=np.uint8)[..., None]
    raise ValueError(i18n.Msg("img.channels", c=c))


def prepare_file(data: bytes, name: str, input_shape, fit: str = "squash",
                 how: str | None = None) -> np.ndarray:
    """decode (a digit model: shrunk to 8x its input; a picture model: picture_side) +
    to_model_input; ImageError (one line, naming the file) on any problem."""
    how = how or (DIGIT if is_digit_model(input_shape) else PICTURE)
    rgb = decode(data, name, _work_side(input_shape) if how == DIGIT else picture_side(input_shape))
    try:
        return to_model_input(rgb, input_shape, fit, name, how)
    except ImageError:
        raise
    except ValueError as e:
        msg = e.args[0] if e.args else str(e)
        raise ImageError(msg if str(msg).startswith(f"{name}:")
                         else i18n.Msg("img.named", file=name, error=msg)) from None


def prepare_files(files, input_shape, fit: str = "squash", how: str | None = None) -> list[Prepared]:
    """[(name, bytes), ...] -> one Prepared per file, in order; a bad file gets its error and
    the others are still processed."""
    out = []
    for name, data in files:
        try:
            out.append(Prepared(name, prepare_file(data, name, input_shape, fit, how)))
        except ImageError as e:
            out.append(Prepared(name, error=e.args[0]))    # an i18n.Msg: shown translated
    return out


def upload_names(names) -> list[tuple[str, str | None]]:
    """The names of one batch of uploads as (name to show, error or None), in order. A name with
    control characters (a NUL byte, a newline) is shown with them escaped and gets a one-line
    error, so that file alone fails; a name that repeats becomes "name (2)", "name (3)", ... so
    each file can be told apart and inspected."""
    out, seen = [], set()
    for raw in names:
        raw = str(raw)
        name = "".join(c if c.isprintable() else repr(c)[1:-1] for c in raw) or "(no name)"
        error = None if raw.isprintable() else i18n.Msg("upl.bad_name", name=name)
        shown, n = name, 1
        while shown in seen:
            n += 1
            stem, dot, ext = name.rpartition(".")
            shown = f"{stem} ({n}).{ext}" if dot and stem else f"{name} ({n})"
        seen.add(shown)
        out.append((shown, error and i18n.Msg("upl.bad_name", name=shown)))
    return out


def upscale(x: np.ndarray, size: int = 224) -> np.ndarray:
    """A small model input (h, w, c) uint8 -> (size, size, 3) RGB with square pixels, to show."""
    a = np.asarray(x, dtype=np.uint8)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[..., 0]
    img = Image.fromarray(a).convert("RGB")
    return np.asarray(img.resize((size, size), Image.Resampling.NEAREST), dtype=np.uint8)


def picture_size(data: bytes, name: str = "image") -> tuple[int, int]:
    """(width, height) of a picture from its header alone (no pixels decoded), with decode()'s
    checks of format and pixel count; ImageError (one line, naming the file) otherwise."""
    if not data:
        raise ImageError(i18n.Msg("img.empty", file=name))
    with _one_line(name), _open(data, name) as img:
        return img.size
