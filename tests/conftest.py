"""Shared test set-up: quiet TensorFlow, and never touch the real models/ or runs/ folders."""

import contextlib
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import pytest


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory, monkeypatch):
    """Each test gets empty models/ and runs/ folders unless it sets its own."""
    base = tmp_path_factory.mktemp("cnnweb")
    monkeypatch.setenv("CNNWEB_MODELS_DIR", str(base / "models"))
    monkeypatch.setenv("CNNWEB_RUNS_DIR", str(base / "runs"))


# --- Browser fixtures (helper "explainer"): one real app server per session, one page per test.

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def _free_port() -> int:
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
               CNNWEB_RUNS_DIR=str(base / "runs"), PYTHONUNBUFFERED="1")
    port = _free_port()
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


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """URL of the app server shared by all browser tests of the session."""
    with streamlit_server(tmp_path_factory.mktemp("server")) as url:
        yield url


@pytest.fixture
def fresh_app_url(tmp_path_factory):
    """A server of its own that no browser has visited yet (for first-visit behaviour)."""
    with streamlit_server(tmp_path_factory.mktemp("fresh_server")) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright; skips when either is missing."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} not found (install Debian's chromium for browser tests)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh 1400x1000 page (own context) for each test."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


# Tiny 1-epoch models for the Predict tests (helper "predict"): tiny_models_dir, tiny_models.
from tests.predict_models import tiny_models, tiny_models_dir  # noqa: F401
