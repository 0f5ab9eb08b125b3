"""Hostile uploads in headless Chromium (issue 11): a PostScript file named .png on the
Explainer's "Upload my own picture" gets a one-line refusal and no Ghostscript ever runs; on
Predict, names that look like Markdown, KaTeX or HTML are shown literally and a broken file
does not stop the others. Uses the app_url / page fixtures of tests/conftest.py; screenshots in
/tmp/shots/upload/."""

from pathlib import Path
from urllib.parse import quote

import psutil
import pytest

from tests.helpers import DIGITS, POSTSCRIPT, scan_png, settle
from tests.predict_models import shipped_available

SHOTS = Path("/tmp/shots/upload")

pytestmark = pytest.mark.browser


def ghostscripts() -> list[str]:
    """Ghostscript processes anywhere on this machine (issue 11 found one pinning a core)."""
    found = []
    for p in psutil.process_iter(["name", "cmdline"]):
        name = (p.info["name"] or "").lower()
        argv0 = Path((p.info["cmdline"] or [""])[0]).name.lower()
        if name in ("gs", "gsc", "gswin64c", "ghostscript") or argv0 in ("gs", "gsc"):
            found.append(f"{p.pid} {name}")
    return found


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_postscript_named_png_on_the_explainer_is_refused_in_one_line(app_url, page):
    assert not ghostscripts()
    page.goto(app_url + "/explainer?view=Pooling+and+filters&img=" + quote("Upload my own…"))
    page.get_by_text("Upload a picture, or pick one of the samples.").wait_for()
    settle(page, quiet=1)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        [{"name": "loop.png", "mimeType": "image/png", "buffer": POSTSCRIPT}])
    alert = page.locator("[data-testid='stAlertContentError']")
    alert.filter(has_text="loop.png: not an image").wait_for()
    settle(page, quiet=1)
    _shot(page, "explainer_postscript")
    text = alert.inner_text().strip()
    assert "\n" not in text and "BytesIO" not in text
    assert page.locator("[data-testid='stException']").count() == 0
    page.wait_for_timeout(1000)                      # Ghostscript would be running by now
    assert not ghostscripts()
    server_children = [c.name() for c in psutil.Process().children(recursive=True)]
    assert not any(n.lower().startswith("gs") for n in server_children), server_children


@pytest.mark.skipif(not shipped_available("mnist"), reason="needs models/cnnweb_mnist")
def test_predict_shows_markup_names_literally_and_serves_the_rest(app_url, page):
    page.goto(app_url + "/predict")
    page.get_by_role("heading", name="Predict").wait_for()
    settle(page, quiet=1)
    page.get_by_text("Upload", exact=True).click()
    settle(page, quiet=1)
    seven = scan_png(DIGITS["7"])
    names = ["![img](http://127.0.0.9/x).png", "[link](http://127.0.0.9/y).png",
             "$x^2$.png", "<b>x</b>.png"]
    files = ([{"name": n, "mimeType": "image/png", "buffer": b"broken"} for n in names]
             + [{"name": "seven.png", "mimeType": "image/png", "buffer": seven},
                {"name": "seven.png", "mimeType": "image/png", "buffer": seven}])
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(files)
    page.get_by_text("Download the results (CSV)").wait_for()
    settle(page, quiet=1)
    _shot(page, "predict_names")
    errors = page.locator("[data-testid='stAlertContentError']")
    texts = [errors.nth(i).inner_text().strip().replace("\u200b", "") for i in range(errors.count())]
    assert [t.split(": ")[0] for t in texts] == names            # literally, in order
    main = page.locator("[data-testid='stMain']")
    assert main.locator("a[href*='127.0.0.9']").count() == 0
    assert main.locator("img[src*='127.0.0.9']").count() == 0
    assert main.locator("[data-testid='stAlertContentError'] .katex").count() == 0
    assert main.locator("[data-testid='stAlertContentError'] b").count() == 0
    closer = page.locator("[data-testid='stSelectbox']").filter(has_text="Look closer")
    closer.scroll_into_view_if_needed()
    settle(page, quiet=1)
    closer.locator("[role='combobox'], input").first.click()
    _shot(page, "predict_closer_open")
    page.get_by_role("option").first.wait_for()
    options = [o.strip() for o in page.get_by_role("option").all_inner_texts()]
    assert options == ["seven.png", "seven (2).png"]              # both can be inspected
    page.get_by_role("option", name="seven (2).png").click()
    page.locator("[data-testid='stImageCaption']").filter(has_text="seven (2).png: 7").wait_for()
    assert page.locator("[data-testid='stException']").count() == 0
