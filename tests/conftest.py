"""Shared test set-up: quiet TensorFlow, and never touch the real models/ or runs/ folders."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("CNNWEB_STANDBY", "0")    # no warm worker outliving a test (test_standby)

import pytest

try:    # AppTest reads .streamlit/config.toml, whose "none" hides errors from visitors; tests
    from streamlit import config as _st_config  # want the real message and traceback.

    _st_config.set_option("client.showErrorDetails", "full")
except ImportError:
    pass


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory, monkeypatch):
    """Each test gets empty models/ and runs/ folders unless it sets its own."""
    base = tmp_path_factory.mktemp("cnnweb")
    monkeypatch.setenv("CNNWEB_MODELS_DIR", str(base / "models"))
    monkeypatch.setenv("CNNWEB_RUNS_DIR", str(base / "runs"))
    monkeypatch.setenv("CNNWEB_DATASETS_DIR", str(base / "datasets"))   # kept own datasets


@pytest.fixture
def no_shipped_models(tmp_path, monkeypatch):
    """Only the models a test writes: the shipped ones in ROOT/models are hidden."""
    from cnnweb import store

    monkeypatch.setattr(store, "shipped_dir", lambda: tmp_path / "no_shipped_models")


@pytest.fixture
def fake_canvas(monkeypatch):
    """fake_canvas(rgba): the drawing canvas (a custom component AppTest cannot draw on) gives
    this RGBA image, or None for an empty canvas, to every page from now on."""
    from cnnweb import ui

    def give(rgba):
        monkeypatch.setattr(ui, "draw_canvas", lambda key, stroke_width=18, size=280: rgba)

    return give


# --- Browser fixtures: one real app server per session, one page per test (tests/helpers.settle
# waits for a page to finish).
from tests.helpers import streamlit_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="session")
def app_base(tmp_path_factory):
    """The folder of the shared server's own models/, runs/ and datasets/."""
    return tmp_path_factory.mktemp("server")


@pytest.fixture(scope="session")
def app_url(app_base):
    """URL of the app server shared by all browser tests of the session."""
    with streamlit_server(app_base) as url:
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


# Tiny 1-epoch models for the Predict tests: tiny_models_dir, tiny_models.
from tests.predict_models import tiny_models, tiny_models_dir  # noqa: F401
