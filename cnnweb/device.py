"""What will the app compute on? Answered without importing TensorFlow (Home must open fast)."""

from __future__ import annotations

import functools
import platform
import shutil
import subprocess


@functools.lru_cache(maxsize=1)
def gpu_names() -> tuple[str, ...]:
    """NVIDIA GPU names from nvidia-smi, or () when there is none (or no driver)."""
    exe = shutil.which("nvidia-smi")
    if not exe:
        return ()
    try:
        out = subprocess.run([exe, "--query-gpu=name", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=5, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    return tuple(line.strip() for line in out.splitlines() if line.strip())


@functools.lru_cache(maxsize=1)
def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "CPU"


def describe() -> str:
    """One line for the UI, e.g. 'GPU: NVIDIA H100 80GB HBM3' or 'CPU only (8 cores): ...'
    (an i18n.Msg: English as a str; pages show it with i18n.tr)."""
    from cnnweb.i18n import Msg

    gpus = gpu_names()
    if gpus:
        return Msg("dev.gpu", names=", ".join(gpus))
    import os
    return Msg("dev.cpu", n=os.cpu_count(), cpu=cpu_name())
