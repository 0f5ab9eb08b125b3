"""The webcam flows in real headless Chromium with its fake camera (a test pattern): pictures
taken class by class in the Trainer become a dataset; Predict classifies a webcam picture. The
browser is launched here with the fake-camera switches (the shared one has none)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.helpers import settle, streamlit_server

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore")]
FAKE_CAMERA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture
def camera_page(tmp_path, browser):
    """(page, server base URL, the server's folder) with Chromium's fake camera allowed: a
    second Chromium from the session's Playwright (one sync Playwright per thread), launched
    with the fake-camera switches."""
    with streamlit_server(tmp_path) as url:
        b = browser.browser_type.launch(executable_path=CHROMIUM,
                                        args=CHROMIUM_ARGS + FAKE_CAMERA, headless=True)
        context = b.new_context(viewport={"width": 1400, "height": 1000},
                                permissions=["camera"])
        pg = context.new_page()
        pg.set_default_timeout(120_000)     # a loaded machine: the camera restarts per picture
        yield pg, url, tmp_path
        b.close()


VIDEO_READY = """() => { const v = document.querySelector('[data-testid="stCameraInput"] video');
                     return !!v && v.readyState >= 2 && v.videoWidth > 0; }"""


def _count(pg, cls: str) -> int:
    """The class's picture count as the page shows it ("left: 3 pictures"), 0 before any."""

    for text in pg.get_by_test_id("stMarkdownContainer").all_inner_texts():
        if m := re.fullmatch(rf"{re.escape(cls)}: (\d+) pictures?", text.strip()):
            return int(m.group(1))
    return 0


def _take(pg, n: int, cls: str):
    """Take n pictures with the camera widget; the class's count must reach exactly n. Each
    click waits for the fake camera's video to play (a fresh widget restarts the camera, slow
    on a loaded machine); a click that took no picture (count unchanged after 30 s) is repeated,
    at most three times per picture."""
    for i in range(1, n + 1):
        for _ in range(3):
            pg.wait_for_function(VIDEO_READY, timeout=120_000)
            pg.get_by_role("button", name="Take Photo").click()
            try:
                pg.wait_for_function(
                    "([c, i]) => [...document.querySelectorAll('[data-testid=stMarkdownContainer]')]"
                    ".some(e => e.innerText.trim().startsWith(c + ': ' + i + ' picture'))",
                    arg=[cls, i], timeout=30_000)
                break
            except Exception:
                if _count(pg, cls) != i - 1:
                    raise
        settle(pg, quiet=2)
        assert _count(pg, cls) == i, (cls, i, _count(pg, cls))


def test_trainer_webcam_pictures_class_by_class_become_a_dataset(camera_page, monkeypatch):
    from cnnweb import datasets

    pg, url, base = camera_page
    pg.goto(f"{url}/trainer")
    settle(pg)
    pg.get_by_test_id("stExpander").filter(has_text="Your own pictures").locator(
        "summary").click()
    pg.get_by_text("Take pictures with the webcam").click()
    settle(pg)
    assert pg.get_by_text("only on localhost or an https:// address", exact=False).count()
    for cls in ("left", "right"):
        pg.get_by_label("New class name").fill(cls)
        pg.get_by_role("button", name="Add class").click()
        settle(pg)
        _take(pg, datasets.MIN_PER_CLASS, cls)
    pg.get_by_label("Dataset name (empty: webcam)").fill("cam_browser")
    pg.get_by_role("button", name="Keep 10 pictures as a dataset").click()
    pg.get_by_text("Kept as cam_browser", exact=False).wait_for()
    monkeypatch.setenv("CNNWEB_DATASETS_DIR", str(base / "datasets"))
    assert datasets.describe("cam_browser")["counts"] == {"left": 5, "right": 5}


def test_predict_classifies_a_webcam_picture(camera_page):
    pg, url, _ = camera_page
    pg.goto(f"{url}/predict")
    settle(pg)
    pg.get_by_test_id("stRadio").get_by_text("Webcam", exact=True).click()
    settle(pg)
    pg.wait_for_function(VIDEO_READY, timeout=120_000)
    pg.get_by_role("button", name="Take Photo").click()
    settle(pg, quiet=4)
    shown = pg.get_by_text("Inside the network").count()
    problem = pg.get_by_test_id("stAlertContentError").all_inner_texts()
    assert shown or (problem and all("\n" not in p for p in problem)), problem
    assert not pg.get_by_test_id("stException").count()
