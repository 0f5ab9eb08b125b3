"""Untrusted files and zip archives judged before they are read: the checks that keep a hostile
dataset or model file (a FIFO under a data file's name, a zip bomb) from hanging the app or
filling its memory. Pure Python, portable (os.stat and zipfile only).

    regular_file(path, label, limit)   -> size in bytes, or ValueError (one line, an i18n Msg)
    open_zip(path, label, ...)         -> zipfile.ZipFile whose directory passed the bounds

Python's zipfile never returns more bytes for a member than its directory entry declares, so
bounding the declared sizes bounds what any later reader can inflate.
"""

from __future__ import annotations

import os
import stat
import struct
import zipfile

from cnnweb.i18n import Msg

SMALL_MEMBER = 1 << 20      # members below this are not judged by their compression ratio


def size_text(n: int) -> str:
    """Bytes for people: '512 MiB', '6.9 GB'-style, exact below 1 MiB."""
    if n >= 1 << 30:
        return f"{n / (1 << 30):,.1f} GiB"
    return f"{n / (1 << 20):,.1f} MiB" if n >= 1 << 20 else f"{n:,} bytes"


def kind(path) -> str:
    """'file', 'folder', 'missing' or 'special' (FIFO, device, socket), from stat alone:
    stat never blocks, while opening a FIFO waits for a writer forever."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "missing"
    except OSError:
        return "special"
    if stat.S_ISREG(mode):
        return "file"
    return "folder" if stat.S_ISDIR(mode) else "special"


def regular_file(path, label: str, limit: int | None = None) -> int:
    """The size of a regular file no larger than limit, else ValueError saying what it is."""
    what = kind(path)
    if what == "missing":
        raise ValueError(Msg("arc.missing", file=label))
    if what == "folder":
        raise ValueError(Msg("arc.folder", file=label))
    if what != "file":
        raise ValueError(Msg("arc.special", file=label))
    size = os.stat(path).st_size
    if limit is not None and size > limit:
        raise ValueError(Msg("arc.file_too_big", file=label, size=size_text(size),
                             limit=size_text(limit)))
    return size


def _declared_members(f) -> int | None:
    """The member count the end record claims, read before zipfile builds its directory (a
    directory of a million entries would cost ~0.5 GB to list)."""
    try:
        end = zipfile._EndRecData(f)   # private but stable since Python 2; no public twin
    except (OSError, ValueError, IndexError, struct.error):
        return None
    return None if end is None else int(end[zipfile._ECD_ENTRIES_TOTAL])


class _OwnedZip(zipfile.ZipFile):
    """A ZipFile that closes the file object it was given (zipfile leaves a passed one open)."""

    def __init__(self, f):
        self.fp_owned = f          # first: close() may run from __del__ if __init__ fails
        super().__init__(f)

    def close(self):
        try:
            super().close()
        finally:
            self.fp_owned.close()


def open_zip(path, label: str, *, max_members: int, max_total: int, max_ratio: float,
             what: str) -> zipfile.ZipFile:
    """A ZipFile (the caller closes it) whose members were judged from the directory only:
    at most max_members, at most max_total bytes unpacked, no member over 1 MiB compressed more
    than max_ratio times, no members sharing compressed bytes. ValueError otherwise, and for a
    file that is not a zip archive at all (what: 'an .npz file', 'a Keras archive')."""
    size = regular_file(path, label)
    f = open(path, "rb")   # noqa: SIM115 - handed to the ZipFile, which closes it
    try:
        declared = _declared_members(f)
        if declared is None:
            raise ValueError(Msg("arc.not_zip", file=label, what=what))
        if declared > max_members:
            raise ValueError(Msg("arc.members", file=label, n=declared, limit=max_members))
        f.seek(0)
        try:
            zf = _OwnedZip(f)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
            raise ValueError(Msg("arc.not_zip", file=label, what=what)) from e
        members = zf.infolist()
        problem = _members_problem(members, label, size, max_members, max_total, max_ratio)
        if problem:
            zf.close()
            raise ValueError(problem)
        return zf
    except BaseException:
        f.close()
        raise


def _members_problem(members, label, size, max_members, max_total, max_ratio):
    if len(members) > max_members:
        return Msg("arc.members", file=label, n=len(members), limit=max_members)
    total = sum(m.file_size for m in members)
    if total > max_total:
        return Msg("arc.too_big", file=label, size=size_text(total), limit=size_text(max_total))
    if sum(m.compress_size for m in members) > size:
        return Msg("arc.overlap", file=label)
    for m in members:
        ratio = m.file_size / max(m.compress_size, 1)
        if m.file_size > SMALL_MEMBER and ratio > max_ratio:
            return Msg("arc.ratio", file=label, member=m.filename[:80], ratio=ratio,
                       limit=max_ratio)
    return None
