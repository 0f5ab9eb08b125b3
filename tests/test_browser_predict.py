"""The Predict page in headless Chromium with the shipped models: draw a digit with the mouse on
the real canvas and read the prediction; upload several files, one of them broken.
Screenshots in /tmp/shots/predict/."""

import itertools
from pathlib import Path

import pytest

from tests.helpers import DIGITS, scan_png, settle
from tests.predict_models import shipped_available

SHOTS = Path("/tmp/shots/predict")
CORPUS = Path(__file__).parent / "corpus"

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not shipped_available("mnist"), reason="needs models/cnnweb_mnist")]

def draw(page, strokes, steps=12):
    """Mouse strokes on the drawing surface (the last <canvas> of the component)."""
    box = page.locator("canvas").last.bounding_box()

    def at(p):
        return box["x"] + p[0] * box["width"], box["y"] + p[1] * box["height"]

    for stroke in strokes:
        page.mouse.move(*at(stroke[0]))
        page.mouse.down()
        for a, b in itertools.pairwise(stroke):
            for t in range(1, steps + 1):
                page.mouse.move(*at((a[0] + (b[0] - a[0]) * t / steps, a[1] + (b[1] - a[1]) * t / steps)))
        page.mouse.up()


def prediction(page) -> str:
    settle(page, quiet=1)
    page.wait_for_timeout(500)           # the canvas posts its image after the stroke ends
    settle(page, quiet=1)
    value = page.locator("[data-testid='stMetricValue']").first
    try:
        return value.inner_text(timeout=20_000).strip()
    except Exception:
        page.screenshot(path=str(SHOTS / "no_prediction.png"), full_page=True)
        raise


def open_predict(app_url, page):
    page.goto(app_url + "/predict")
    page.get_by_role("heading", name="Predict").wait_for()
    page.locator("canvas").last.wait_for()
    settle(page, quiet=1)


def test_drawing_digits_with_the_mouse_gives_the_right_prediction_and_shows_inside(app_url, page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    open_predict(app_url, page)
    assert "Draw a digit first" in page.inner_text("[data-testid='stMain']")
    got = {}
    for digit, strokes in DIGITS.items():
        draw(page, strokes)
        got[digit] = prediction(page)
        page.screenshot(path=str(SHOTS / f"draw_{digit}.png"), full_page=True)
        if digit == "7":                 # the first one: also look inside the network
            page.get_by_role("heading", name="Inside the network").scroll_into_view_if_needed()
            page.get_by_text("where the model looked for").wait_for()
            assert page.locator("[data-testid='stImage'] img").count() >= 3   # input, maps, CAM
            page.screenshot(path=str(SHOTS / "inside_the_network.png"), full_page=True)
        page.get_by_role("button", name="Clear", exact=True).click()
        page.get_by_text("Draw a digit first").wait_for()
        settle(page, quiet=1)
        page.locator("canvas").last.wait_for()
        page.wait_for_timeout(800)       # the new canvas attaches its mouse handlers
    assert got == {d: d for d in DIGITS}
    assert page.locator("[data-testid='stException']").count() == 0


def test_uploading_several_files_shows_a_table_and_the_broken_one_by_name(app_url, page):
    open_predict(app_url, page)
    page.get_by_text("Upload", exact=True).click()
    settle(page, quiet=1)
    files = [{"name": "seven.png", "mimeType": "image/png", "buffer": scan_png(DIGITS["7"])},
             {"name": "truncated.jpg", "mimeType": "image/jpeg",
              "buffer": (CORPUS / "truncated.jpg").read_bytes()},
             {"name": "four.png", "mimeType": "image/png", "buffer": scan_png(DIGITS["4"])}]
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(files)
    page.get_by_text("truncated.jpg: the image data is damaged").wait_for()
    page.get_by_text("Download the results (CSV)").wait_for()
    settle(page, quiet=1)
    table = page.locator("[data-testid='stDataFrame']")
    assert table.count() == 1
    page.screenshot(path=str(SHOTS / "upload_three.png"), full_page=True)
    with page.expect_download() as dl:
        page.get_by_text("Download the results (CSV)").click()
    csv_text = Path(dl.value.path()).read_text()
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("file,prediction,confidence")
    assert [ln.split(",")[:2] for ln in lines[1:]] == [["seven.png", "7"], ["four.png", "4"]]
    assert page.locator("[data-testid='stException']").count() == 0
