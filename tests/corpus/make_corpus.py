"""Writes the malformed-upload corpus next to this file: `python tests/corpus/make_corpus.py`.

Every file is generated (Pillow, or bytes written by hand), so the corpus can be rebuilt and
reviewed. EXPECTED maps each file to a word that its one-line error message must contain.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent

EXPECTED = {
    "empty.png": "empty",
    "truncated.jpg": "damaged",
    "truncated.png": "damaged",
    "text_named.png": "not an image",
    "drawing.svg": "not an image",
    "bomb_30000x30000.png": "megapixels",
    "bomb_10000x10000.png": "megapixels",
    "bad_crc_header.png": "not an image",
    "pdf_named.jpg": "not an image",
    "blank_white.png": "no digit",        # a valid image, but nothing drawn (digit models)
}


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int = 30000, height: int = 30000) -> bytes:
    """A PNG whose header claims 900 megapixels (1-bit gray) with almost no data: what a
    decompression bomb looks like before decoding."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat)
            + _png_chunk(b"IEND", b""))


def _photo(fmt: str) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (64, 64), (200, 220, 240))
    ImageDraw.Draw(img).ellipse((10, 10, 54, 54), fill=(200, 40, 40))
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


def make(folder: Path = HERE) -> dict[str, Path]:
    from PIL import Image

    files = {
        "empty.png": b"",
        "truncated.jpg": _photo("JPEG")[:300],
        "truncated.png": _photo("PNG")[:-60],
        "text_named.png": b"hello, this is a text file that someone renamed to .png\n",
        "drawing.svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>\n',
        "bomb_30000x30000.png": bomb_png(),
        "bomb_10000x10000.png": bomb_png(10000, 10000),
        "pdf_named.jpg": b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n",
    }
    png = bytearray(_photo("PNG"))
    png[29] ^= 0xFF                              # flip a byte of the IHDR CRC
    files["bad_crc_header.png"] = bytes(png)
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (255, 255, 255)).save(buf, "PNG")
    files["blank_white.png"] = buf.getvalue()
    out = {}
    for name, data in files.items():
        (folder / name).write_bytes(data)
        out[name] = folder / name
    return out


if __name__ == "__main__":
    for name, path in make().items():
        print(f"{path.stat().st_size:6d}  {name}")
