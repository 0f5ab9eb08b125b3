"""Classroom mode in headless Chromium: every page in each language without raw catalogue keys,
the sidebar language switch kept in the URL across pages, and the presentation view at
1280x720 (screenshots in /tmp/shots/classroom/)."""

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from cnnweb import i18n
from tests.helpers import CJK, RAW_KEY, settle

SHOTS = Path("/tmp/shots/classroom")
PAGES = ["", "explainer", "lessons?lesson=overfit", "trainer", "gallery", "predict"]

pytestmark = pytest.mark.browser


def _visit(page, url, shot):
    page.goto(url)
    settle(page)
    page.wait_for_timeout(500)                      # let Plotly and the data grids paint
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{shot}.png"))
    assert page.locator("[data-testid='stException']").count() == 0, shot
    text = page.locator("[data-testid='stApp']").inner_text()
    assert not RAW_KEY.findall(text), (shot, RAW_KEY.findall(text)[:5])
    return text


@pytest.mark.parametrize("lang", list(i18n.LANGS))
def test_every_page_in_each_language_shows_no_untranslated_keys(app_url, page, lang):
    page.set_viewport_size({"width": 1280, "height": 720})
    for path in PAGES:
        sep = "&" if "?" in path else "?"
        name = path.split("?")[0] or "home"
        text = _visit(page, f"{app_url}/{path}{sep}lang={lang}", f"{name}_{lang}")
        nav = page.locator("[data-testid='stSidebarNav']").inner_text()
        assert i18n.t("nav.lessons", lang=lang) in nav
        if lang == "zh":
            assert len(CJK.findall(text)) > 30, name


def test_the_language_switch_is_kept_in_the_url_across_pages(app_url, page):
    page.set_viewport_size({"width": 1280, "height": 720})
    _visit(page, f"{app_url}/lessons?lesson=padding", "switch_before")
    page.get_by_text("简体中文", exact=True).click()
    page.get_by_role("heading", name=i18n.t("les.title", lang="zh")).wait_for()
    settle(page)
    query = parse_qs(urlparse(page.url).query)
    assert query["lang"] == ["zh"] and query["lesson"] == ["padding"]
    page.locator("[data-testid='stSidebarNav']").get_by_text(i18n.t("nav.explainer", lang="zh"),
                                                             exact=True).click()
    page.get_by_role("heading", name=i18n.t("xp.title", lang="zh")).wait_for()
    settle(page)
    assert parse_qs(urlparse(page.url).query)["lang"] == ["zh"]
    page.screenshot(path=str(SHOTS / "switch_after.png"))


def test_presentation_view_at_1280x720_has_big_text_and_no_sidebar(app_url, page):
    page.set_viewport_size({"width": 1280, "height": 720})
    sizes = {}
    for present in ("false", "true"):
        _visit(page, f"{app_url}/lessons?lesson=stacked3x3&lang=zh&present={present}",
               f"present_{present}")
        body = page.locator("[data-testid='stMarkdownContainer'] p").first
        sizes[present] = float(re.sub("px", "", body.evaluate(
            "e => getComputedStyle(e).fontSize")))
        box = page.locator("[data-testid='stSidebar']").bounding_box()
        shown = box["x"] + box["width"] if box else 0            # px of sidebar on screen
        assert (shown < 50) == (present == "true"), (present, box)
    assert sizes["true"] >= 1.3 * sizes["false"]


def test_switching_language_keeps_the_explainers_open_tab(app_url, page):
    _visit(page, f"{app_url}/explainer?view=Receptive+field", "switch_tab_before")
    assert page.get_by_text("has a receptive field of").count() == 1
    page.get_by_text("简体中文", exact=True).click()
    page.get_by_text("的感受野是").wait_for()
    settle(page)
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(SHOTS / "switch_tab_after.png"))


_SCROLLED = """() => Math.max(...[document.querySelector('[data-testid="stMain"]'),
    document.querySelector('[data-testid="stAppViewContainer"]'), document.scrollingElement]
    .filter(Boolean).map(e => e.scrollTop))"""


def test_next_lesson_opens_the_next_lesson_at_its_top(app_url, page):
    page.set_viewport_size({"width": 1366, "height": 768})
    _visit(page, f"{app_url}/lessons?lesson=stacked3x3", "next_lesson_before")
    button = page.get_by_role("button", name=re.compile(r"^Next lesson"))
    button.scroll_into_view_if_needed()
    assert page.evaluate(_SCROLLED) > 300                 # the button is far down the page
    button.click()
    page.wait_for_function("() => location.search.includes('lesson=padding')", timeout=30_000)
    settle(page)
    page.wait_for_timeout(800)
    assert page.evaluate(_SCROLLED) < 5
    intro = page.get_by_text(i18n.t("les.padding.intro")[:30]).first.bounding_box()
    assert 0 <= intro["y"] < 768
    page.screenshot(path=str(SHOTS / "next_lesson_after.png"))
