"""Shared parts of the benchmark scripts: a Streamlit server that can be killed and restarted,
waiting for a page in headless Chromium, peak memory of processes, percentiles, SVG bar charts.

No pytest here (benchmarks run as plain scripts); the test fixtures live in tests/conftest.py.
"""

from __future__ import annotations

import html
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
# What users get: TensorFlow's own default for oneDNN (on for x86 CPUs with AVX-512 and the
# like). Only the tests fix it off (for determinism); ONEDNN_OFF is for the row measuring that.
QUIET = {"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONUNBUFFERED": "1"}
ONEDNN_OFF = {"TF_ENABLE_ONEDNN_OPTS": "0"}


def machine() -> str:
    """One line naming the machine every absolute figure was measured on."""
    sys.path.insert(0, str(ROOT))
    from cnnweb import device

    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    gpus = device.gpu_names()
    return f"{model}, {os.cpu_count()} cores{mem}; " + (f"GPU: {', '.join(gpus)}" if gpus
                                                          else "no GPU")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run app.py` with its own models/runs folders; start, kill -9 and restart it on
    the same port (a restarted server is what a user gets after a crash)."""

    def __init__(self, base: Path, env: dict | None = None, port: int | None = None):
        self.base, self.port = Path(base), port or free_port()
        self.env = {**os.environ, **QUIET, "CNNWEB_MODELS_DIR": str(self.base / "models"),
                    "CNNWEB_RUNS_DIR": str(self.base / "runs"), **(env or {})}
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 90) -> float:
        """Seconds until /_stcore/health answers."""
        t0 = time.perf_counter()
        log = open(self.base / "streamlit.log", "ab")   # noqa: SIM115 - lives as long as the server
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.fileWatcherType", "none", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        while time.perf_counter() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.proc.returncode}; see "
                                   f"{self.base / 'streamlit.log'}")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return time.perf_counter() - t0
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("streamlit did not answer /_stcore/health")

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)

    def peak_rss_mb(self) -> float | None:
        return peak_rss_mb(self.proc.pid) if self.proc else None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.kill(signal.SIGTERM)


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM (the peak resident set) of a live process, in MiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


def run_measured(cmd: list[str], env: dict, cwd=ROOT, stdout=subprocess.DEVNULL) -> dict:
    """Run a command to the end: exit code, wall and CPU seconds, peak RSS (MiB), the 1-minute
    load average before it started (other work on the machine), and the stderr tail."""
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    with open(os.devnull, "w") as devnull:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=stdout or devnull,
                                stderr=subprocess.PIPE, text=True)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {"rc": proc.returncode, "wall_s": time.perf_counter() - t0,
            "cpu_s": usage.ru_utime + usage.ru_stime, "load_before": load_before,
            "peak_rss_mb": usage.ru_maxrss / 1024, "stderr": err.strip()[-2000:]}


def pct(values, q: float) -> float:
    """The q-th percentile (nearest rank) of a list of numbers."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * (len(s) - 1))))]


# ------------------------------------------------------------------ headless Chromium

def wait_idle(page, timeout_ms: int = 60_000) -> None:
    """The app has drawn and no script run is in flight (Streamlit's status widget is gone)."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout_ms)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms)


async def await_idle(page, timeout_ms: int = 60_000) -> None:
    """wait_idle for Playwright's async API."""
    await page.wait_for_selector("[data-testid='stApp']", timeout=timeout_ms)
    await page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms)


NAV_LINK = "[data-testid='stSidebarNavItems'] a[href$='/{slug}']"
EXCEPTIONS = "[data-testid='stException']"


# ------------------------------------------------------------------ SVG charts (render on GitHub)

def bar_chart_svg(path: Path, title: str, rows: list[tuple[str, float, str]], unit: str = "",
                  target: float | None = None, target_label: str = "", note: str = "") -> Path:
    """Horizontal bars: rows of (label, value, colour); an optional dashed target line.
    Plain SVG with no script or external font, so GitHub shows it inline in BENCHMARKS.md."""
    label_w, bar_w, row_h, top = 330, 420, 26, 46
    vmax = max([v for _, v, _ in rows] + [target or 0]) * 1.12 or 1.0
    height = top + row_h * len(rows) + (44 if note else 26)
    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 90}" '
           f'height="{height}" font-family="Helvetica, Arial, sans-serif" font-size="13">'),
           '<rect width="100%" height="100%" fill="white"/>',
           f'<text x="10" y="24" font-size="15" font-weight="bold">{html.escape(title)}</text>']
    for i, (label, value, colour) in enumerate(rows):
        y = top + i * row_h
        w = max(bar_w * value / vmax, 1)
        out += [f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">{html.escape(label)}</text>',
                (f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" '
                f'fill="{colour}"/>'),
                f'<text x="{label_w + w + 5:.1f}" y="{y + 16}">{value:,.3g}{html.escape(unit)}</text>']
    if target is not None:
        x = label_w + bar_w * target / vmax
        out += [(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{top + row_h * len(rows)}" '
                f'stroke="#c0392b" stroke-width="2" stroke-dasharray="5,4"/>'),
                (f'<text x="{x + 4:.1f}" y="{top - 8}" fill="#c0392b">{html.escape(target_label)}'
                f'</text>')]
    if note:
        out.append(f'<text x="10" y="{height - 12}" fill="#555" font-size="11">'
                   f'{html.escape(note)}</text>')
    out.append("</svg>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path
