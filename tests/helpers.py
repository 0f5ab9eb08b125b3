"""What many test modules need, in one place (test modules never import each other):

- open_page: a page of the app under Streamlit's AppTest, in a language, with a link's query
  parameters and session state set before it opens;
- fake_run: a run folder written by hand (config.json, status.json, metrics.jsonl and, for a
  finished run, result.json and misclassified.npz), as cnnweb.train would leave it;
- settle: wait in Chromium until Streamlit has finished running the page's script;
- drawing / seven: a canvas image with strokes drawn on it, as streamlit-drawable-canvas gives;
- SEED002: tutorial 2's published per-epoch history (val loss falls, then rises);
- small shared makers: scan_png (a photographed digit), POSTSCRIPT, claim_size (a zip entry
  that lies about its size), SLEEPER / wait_until, train_cli (`python -m cnnweb train`),
  silent_running_run, RAW_KEY / CJK (words on a page).

Fixtures built on these (no_shipped_models, fake_canvas, and the browser's app_url/page) are in
conftest.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from cnnweb import paths, runs
from cnnweb.i18n import Msg

APP = str(paths.ROOT / "app.py")


# ---------------------------------------------------------------- pages under AppTest

def open_page(page: str = "home", *, lang: str | None = None, params: dict | None = None,
              state: dict | None = None, timeout: float = 90, check: bool = True):
    """AppTest of app.py run once, then switched to pages/<page>.py (unless page is "home").
    lang and params are the link's query parameters (set before the first run, as a shared link
    gives them); state is set in st.session_state before the page opens. With check, the page
    must have raised no exception."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=timeout)
    if lang:
        at.query_params["lang"] = lang
    at.query_params.update(params or {})
    at.run()
    if page != "home":
        for key, value in (state or {}).items():
            at.session_state[key] = value
        at.switch_page(f"pages/{page}.py").run()
    if check:
        assert not at.exception, [e.value for e in at.exception]
    return at


class Upload:
    """What st.file_uploader hands a page (AppTest cannot upload): a name and the bytes."""

    def __init__(self, name: str, data: bytes):
        self.name, self._data = name, data

    def getvalue(self) -> bytes:
        return self._data


# ---------------------------------------------------------------- run folders

# seed 002, CIFAR CNN, 10 epochs (validation = the test set in the seed): overfits after epoch 7
SEED002 = {
    "loss": [1.5249, 1.1353, 0.9876, 0.8943, 0.8251, 0.7695, 0.7245, 0.6795, 0.6393, 0.6069],
    "accuracy": [0.4436, 0.5964, 0.6531, 0.6858, 0.7120, 0.7327, 0.7453, 0.7623, 0.7761, 0.7865],
    "val_loss": [1.2871, 1.1610, 0.9847, 0.9196, 0.8963, 0.8835, 0.8565, 0.8657, 0.8812, 0.8741],
    "val_accuracy": [0.5290, 0.5881, 0.6471, 0.6797, 0.6842, 0.6954, 0.7037, 0.7017, 0.7061,
                     0.7117],
}
CIFAR_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
               "truck"]


def write_run(d: Path, config: dict, status: dict, rows=(), result: dict | None = None) -> Path:
    """A run folder d with these files (what cnnweb.train writes), made if missing."""
    d.mkdir(parents=True, exist_ok=True)
    runs.write_json(d / runs.CONFIG, {"run_id": d.name, **config})
    if rows:
        (d / runs.METRICS).write_text("".join(f"{json.dumps(r)}\n" for r in rows))
    runs.write_json(d / runs.STATUS, status)
    if result is not None:
        runs.write_json(d / "result.json", result)
    return d


def fake_run(base: Path, name: str, status: dict, created: float | None = None,
             arch: str = "mnist_cnn", dataset: str = "mnist", epochs: int = 4) -> Path:
    """A run folder base/name with only config.json and status.json: a run as the queue or a
    dead process leaves it."""
    return write_run(Path(base) / name,
                     {"arch": arch, "dataset": dataset, "created": created or time.time(),
                      "config": {"epochs": epochs}}, status)


def handwritten_run(state: str = "finished", reason: str = "", history=None,
                    base: Path | None = None, **status) -> Path:
    """A ten-epoch cifar_cnn run on CIFAR-10 with tutorial 2's history (or `history`) in the
    runs folder; a finished one also has its test results (confusion matrix, eight
    misclassified pictures). Its device line and data source are written as cnnweb.train
    writes them (text plus catalogue key). status: more fields of status.json."""
    history = history or SEED002
    n = len(history["loss"])
    d = Path(base or paths.runs_dir()) / f"20250101-000000-cifar_cnn-cifar10-{state}"
    rows = [{"type": "epoch", "epoch": i + 1, **{k: v[i] for k, v in history.items()},
             "images_per_s": 3700.0, "elapsed": 12.0 * (i + 1)} for i in range(n)]
    result = None
    if state == "finished":
        cm = np.full((10, 10), 30) + np.eye(10, dtype=int) * 700
        result = {
            "name": "handmade", "test_accuracy": 0.7117, "test_loss": 0.8741,
            "confusion_matrix": cm.tolist(), "class_names": CIFAR_NAMES, "device": "CPU",
            "images_per_s": 3700.0, "data_source": "full", "data_is_sample": False,
            "epochs_completed": n, "best_epoch": 7, "train_seconds": 120.0, "params": 122570,
            "command": f"python -m cnnweb train --arch cifar_cnn --dataset cifar10 --epochs {n}"}
    write_run(d, {"arch": "cifar_cnn", "dataset": "cifar10", "created": time.time(),
                  "config": {"epochs": n}, "hyperparams": {"dropout": 0.0, "lr": 1e-3,
                                                           "epochs": n}},
              {"state": state, "reason": reason, "epochs": n, "epoch": n,
               **runs.message_fields("device", Msg("dev.run_cpu", n=2, machine="x86_64")),
               **runs.message_fields("data_source", Msg(
                   "ds.src_full", title="CIFAR-10", path="x/cifar10.npz",
                   where=Msg("ds.where_data"), n=50_000)),
               "test_accuracy": 0.7117 if state == "finished" else None, **status},
              rows, result)
    if state == "finished":
        rng = np.random.default_rng(0)
        np.savez(d / "misclassified.npz", index=np.arange(8),
                 x=rng.integers(0, 255, (8, 32, 32, 3), dtype=np.uint8),
                 true=np.arange(8) % 10, pred=(np.arange(8) + 1) % 10,
                 confidence=np.linspace(0.99, 0.6, 8).astype(np.float32))
    return d


# ---------------------------------------------------------------- processes

SLEEPER = [sys.executable, "-c", "import time; time.sleep(30)"]   # alive, and writes nothing


def wait_until(pred, timeout=120, step=0.2):
    """pred()'s first true value, polled every `step` s; AssertionError after `timeout` s."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = pred()
        if got:
            return got
        time.sleep(step)
    raise AssertionError("timed out")


def train_cli(*args, env=None, timeout=240):
    """`python -m cnnweb train ARGS` in a process of its own (deterministic TensorFlow)."""
    full = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0", **(env or {})}
    return subprocess.run([sys.executable, "-m", "cnnweb", "train", *args], capture_output=True,
                          check=False, text=True, cwd=paths.ROOT, env=full, timeout=timeout)


def silent_running_run(base, proc, gap_s: float, quiet_s: float, now: float):
    """A fake running run of proc whose last of ten progress lines (gap_s apart) is quiet_s old;
    the files' times agree with the lines (nothing written since)."""
    from cnnweb import jobs

    d = fake_run(base, f"silent-{gap_s}", {"state": "running", **jobs.process_identity(proc.pid),
                                           "epochs": 4})
    last = now - quiet_s
    rows = [{"type": "progress", "epoch": 1, "batch": i + 1, "batches": 100, "loss": 1.0,
             "accuracy": 0.5, "elapsed": i * gap_s, "time": last - (9 - i) * gap_s}
            for i in range(10)]
    (d / runs.METRICS).write_text("".join(json.dumps(r) + "\n" for r in rows))
    for f in (runs.METRICS, runs.STATUS, runs.CONFIG):
        os.utime(d / f, (last, last))
    return d


# ---------------------------------------------------------------- files

# An EPS file named like a picture: Pillow would hand it to Ghostscript (a loop that never ends).
POSTSCRIPT = (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 64 64\n"
              b"{ 1 pop } loop\nshowpage\n%%EOF\n")

# Strokes of a few digits in canvas fractions (0..1), one list of points per stroke.
DIGITS = {
    "7": [[(0.22, 0.16), (0.78, 0.16), (0.45, 0.86)]],
    "1": [[(0.42, 0.24), (0.55, 0.12), (0.55, 0.88)]],
    "4": [[(0.58, 0.86), (0.58, 0.12), (0.22, 0.62), (0.80, 0.62)]],
}


def scan_png(digit_strokes) -> bytes:
    """Dark ink on light paper, off-centre: what a phone photo of a written digit looks like."""
    import io

    from PIL import Image, ImageDraw

    img = Image.new("L", (300, 240), 228)
    d = ImageDraw.Draw(img)
    for stroke in digit_strokes:
        d.line([(60 + x * 120, 40 + y * 150) for x, y in stroke], fill=30, width=9, joint="curve")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def patch_zip_directory(path: Path, member: str, offset: int, fmt: str, *values):
    """Overwrite fields of `member`'s zip directory entry (offset from the entry's start)."""
    import struct
    import zipfile

    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        pos = zf.start_dir
    while True:
        pos = raw.index(b"PK\x01\x02", pos)
        n = struct.unpack_from("<H", raw, pos + 28)[0]
        if raw[pos + 46:pos + 46 + n].decode() == member:
            struct.pack_into(fmt, raw, pos + offset, *values)
            break
        pos += 46
    path.write_bytes(bytes(raw))


def claim_size(path: Path, member: str, size: int):
    """Patch the zip directory so `member` claims `size` bytes unpacked (the bytes stay small)."""
    patch_zip_directory(path, member, 24, "<I", size)


# ---------------------------------------------------------------- words on a page

def _namespaces() -> set[str]:
    from cnnweb import i18n

    return {key.split(".")[0] for key in i18n.CATALOGUES["en"]}


# a catalogue key shown as such: a known namespace, a dot, a lower-case name
RAW_KEY = re.compile(rf"\b(?:{'|'.join(sorted(_namespaces()))})\.[a-z][a-z0-9_]*\b")
CJK = re.compile(r"[\u4e00-\u9fff]")


# ---------------------------------------------------------------- drawings

def drawing(size=280, strokes=(((140, 40), (140, 240)),), width=18, ink=(0, 0, 0),
            paper=(255, 255, 255)):
    """An RGBA canvas like streamlit-drawable-canvas returns (opaque paper, strokes)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (size, size), (*paper, 255))
    d = ImageDraw.Draw(img)
    for line in strokes:
        d.line(line, fill=(*ink, 255), width=width, joint="curve")
    return np.asarray(img)


def seven(offset=(0, 0), scale=1.0, size=280):
    ox, oy = offset
    pts = [(60, 50), (210, 50), (120, 240)]
    return (tuple((ox + x * scale, oy + y * scale) for x, y in pts),)


# ---------------------------------------------------------------- Chromium

def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(base):
    """`streamlit run app.py` from the project root on a free port, with its own models/ and
    runs/ folders under `base`; yields its URL once /_stcore/health answers, then stops it."""
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    pytest.importorskip("streamlit", reason="streamlit is not installed")
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, CNNWEB_MODELS_DIR=str(base / "models"),
               CNNWEB_RUNS_DIR=str(base / "runs"), CNNWEB_DATASETS_DIR=str(base / "datasets"), PYTHONUNBUFFERED="1")
    port = free_port()
    with open(base / "streamlit.log", "w+b") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.fileWatcherType", "none", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    log.seek(0)
                    pytest.fail(f"streamlit exited with {proc.returncode}:\n"
                                f"{log.read().decode()}")
                try:
                    with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail("streamlit did not answer /_stcore/health within 60 s")
                time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()



SETTLED = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  return !!app && app.getAttribute("data-test-script-state") === "notRunning"
    && !document.querySelector("[data-testid='stStatusWidget'] [data-testid='stStatusWidgetRunningIcon']");
}"""


def slider_value(page, name: str) -> float:
    """The value a Streamlit slider shows in the browser (its thumb's aria-valuenow, or the
    label on the thumb where the thumb has none)."""
    thumb = page.get_by_role("slider", name=name)
    return float(thumb.get_attribute("aria-valuenow") or thumb.locator(
        "xpath=ancestor::*[@data-testid='stSlider'][1]").get_by_test_id(
        "stSliderThumbValue").inner_text())


def settle(page, selector: str = "[data-testid='stApp']", quiet: int = 3,
           timeout: float = 60_000, must: bool = True) -> bool:
    """Wait for `selector`, then until Streamlit has run the page's script to its end (the
    app's data-test-script-state is "notRunning", which it is not before the first run) and it
    stays so for `quiet` polls 250 ms apart (a rerun a widget asks for starts within that). A
    page that reruns itself every second (the Trainer's live view) takes quiet=1. After
    `timeout` ms: TimeoutError, or False when must is False; True once settled."""
    page.wait_for_selector(selector, timeout=timeout)
    deadline = time.monotonic() + timeout / 1000
    calm = 0
    while calm < quiet:
        left = (deadline - time.monotonic()) * 1000
        try:
            if left <= 0:
                raise TimeoutError
            page.wait_for_function(SETTLED, timeout=left)
        except Exception as e:
            if must:
                raise TimeoutError(f"the page was still running after {timeout / 1000:.0f} s"
                                   ) from e
            return False
        page.wait_for_timeout(250)
        calm = calm + 1 if page.evaluate(SETTLED) else 0
    return True


def shot(page, path, timeout: float = 60_000) -> bool:
    """A full-page screenshot for people to look at; on a loaded machine a page that redraws
    itself every second can make Chromium miss the deadline, which is not the behaviour under
    test, so that case is skipped (False) instead of failing the test."""
    try:
        page.screenshot(path=str(path), full_page=True, timeout=timeout)
        return True
    except Exception as e:      # playwright's TimeoutError; anything else goes on up
        if type(e).__name__ != "TimeoutError":
            raise
        return False

