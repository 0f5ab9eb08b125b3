"""What will the app compute on? Answered without importing TensorFlow (Home must open fast)."""

from __future__ import annotations

import functools
import platform
import shutil
import subprocess
from pathlib import Path


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


CPUINFO = Path("/proc/cpuinfo")


def _cpuinfo(field: str) -> str | None:
    """A field of the first CPU in /proc/cpuinfo (Linux), None where there is none."""
    try:
        with CPUINFO.open(encoding="utf-8") as f:
            for line in f:
                if line.split(":", 1)[0].strip() == field:
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


@functools.lru_cache(maxsize=1)
def cpu_name() -> str:
    return _cpuinfo("model name") or platform.processor() or platform.machine() or "CPU"


# The CPU feature with which TensorFlow's oneDNN computes bfloat16 faster than float32: AMX
# (Intel Xeon from Sapphire Rapids on): seed 001's net trained 2.0x faster per CPU-second in
# mixed_bfloat16. With AVX-512 BF16 alone (an AMD EPYC) it was 1.7x SLOWER, and elsewhere
# bfloat16 is emulated, so mixed precision stays off there. Only Linux says (others: off).
BF16_FLAG = "amx_bf16"


@functools.lru_cache(maxsize=1)
def cpu_bf16() -> bool:
    return BF16_FLAG in (_cpuinfo("flags") or "").split()


def mixed_precision_available() -> bool:
    """float16 on an NVIDIA GPU, or bfloat16 on a CPU with AMX."""
    return bool(gpu_names()) or cpu_bf16()


def describe() -> str:
    """One line for the UI, e.g. 'GPU: NVIDIA H100 80GB HBM3' or 'CPU only (8 cores): ...'
    (an i18n.Msg: English as a str; pages show it with i18n.tr)."""
    from cnnweb.i18n import Msg

    gpus = gpu_names()
    if gpus:
        return Msg("dev.gpu", names=", ".join(gpus))
    import os
    return Msg("dev.cpu", n=os.cpu_count(), cpu=cpu_name())
