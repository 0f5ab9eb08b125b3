"""Atomic file writes: readers see the old file or the new one, never half of one.

Every write goes to a new hidden file beside the target (same folder, so the same file system)
whose name no other writer can share (pid + random hex, created with O_EXCL), is flushed to
disk, then renamed over the target. The model store and the run folders both write this way.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path


def tmp_path(folder: Path, name: str, suffix: str = "") -> Path:
    """A new, empty hidden file in folder, created with the usual permissions (tempfile.mkstemp
    would make it private to this user)."""
    while True:
        tmp = Path(folder) / f".{name}.{os.getpid()}-{secrets.token_hex(4)}.tmp{suffix}"
        try:
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            return tmp
        except FileExistsError:
            continue


def fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def replace(tmp: Path, target: Path, tries: int = 5) -> None:
    """os.replace, retried briefly: on Windows a reader holding the target open makes it fail."""
    for i in range(tries):
        try:
            os.replace(tmp, target)
            return
        except PermissionError:
            if i == tries - 1:
                raise
            time.sleep(0.02 * (i + 1))


def write(path: Path, data: bytes | str) -> None:
    """Write data (text is UTF-8) to path atomically; OSError (disk full, read-only) leaves the
    old file as it was and no temporary file behind."""
    path = Path(path)
    tmp = tmp_path(path.parent, path.name)
    try:
        with open(tmp, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
