"""The real app in headless Chromium: Home and the Explainer render, edit, step and share links.
Uses the app_url / fresh_app_url / page fixtures of tests/conftest.py."""

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from cnnweb import i18n, stack
from tests.helpers import settle, slider_value

SHOTS = Path("/tmp/shots/explainer")

pytestmark = pytest.mark.browser


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _no_exception(page):
    assert page.locator("[data-testid='stException']").count() == 0


def _query(page) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def test_home_renders_in_chromium(app_url, page):
    page.goto(app_url)
    page.get_by_role("heading", name="cnnweb").wait_for()
    settle(page)
    page.get_by_text("Start a lesson").wait_for()
    _shot(page, "home")
    _no_exception(page)


def test_explainer_renders_and_a_table_edit_updates_numbers_and_link(app_url, page):
    page.set_viewport_size({"width": 1400, "height": 2200})
    page.goto(app_url + "/explainer")
    settle(page, "[data-testid='stMetric']")
    page.get_by_text("93,322", exact=True).wait_for()  # the MNIST stack and tutorial 1's head
    _shot(page, "explainer_table")
    _no_exception(page)
    # edit layer 1's kernel in the builder grid: click its first cell, step right, type 5
    grid = page.locator("[data-testid='stDataFrame']").first
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 120, box["y"] + 52)  # header ~35 px, rows ~35 px
    for key in ("ArrowRight", "5", "Enter"):  # typing opens the cell editor, Enter commits
        page.wait_for_timeout(400)
        page.keyboard.press(key)
    page.get_by_text("93,834", exact=True).wait_for(timeout=30_000)  # 5×5×1×32+32 = 832 instead of 320
    settle(page)
    assert _query(page)["layers"].startswith("conv-k5-f32_max-k2-s2")
    _shot(page, "explainer_edited")
    _no_exception(page)


def test_sliding_kernel_steps_and_the_link_follows(app_url, page):
    page.goto(app_url + "/explainer?view=Sliding+kernel")
    settle(page, "[data-testid='stPlotlyChart']")
    page.get_by_role("button", name="Next").click()
    page.wait_for_function("() => location.search.includes('s_step=1')", timeout=30_000)
    settle(page)
    page.get_by_role("button", name="Next").click()
    page.wait_for_function("() => location.search.includes('s_step=2')", timeout=30_000)
    settle(page)
    assert _query(page)["view"] == "Sliding kernel"
    _shot(page, "explainer_sliding")
    _no_exception(page)


def test_a_shared_link_opened_first_on_a_fresh_server_restores_the_view(fresh_app_url, page):
    """The very first visit of a new server is a deep link: it must still go through app.py's
    navigation (Home, Explainer... in the sidebar, not file names) and restore the setup."""
    vgg = stack.PRESETS["VGG16 feature extractor (13 convs, 5 pools)"]
    page.goto(f"{fresh_app_url}/explainer?layers={stack.encode_stack(vgg.layers)}"
              "&size=224&ch=3&view=Receptive+field")
    settle(page, "[data-testid='stPlotlyChart']")
    page.get_by_text(re.compile(r"receptive field of\s+212×212")).wait_for()
    nav = page.locator("[data-testid='stSidebarNav']").inner_text()
    assert "Home" in nav and "Explainer" in nav and "app" not in nav.split()
    _shot(page, "explainer_shared_link")
    _no_exception(page)


# ---------------------------------------------------------------- issue 15: click, play, links, first screen

def _cell_xy(page, row, col):
    """Screen position of output cell (row, col) of the receptive-field chart (its 2nd panel)."""
    chart = page.locator("[data-testid='stPlotlyChart'] .js-plotly-plot").first
    return chart.evaluate(
        """(el, [row, col]) => { const l = el._fullLayout, b = el.getBoundingClientRect();
             return [b.left + l.xaxis2._offset + l.xaxis2.d2p(col),
                     b.top + l.yaxis2._offset + l.yaxis2.d2p(row)]; }""", [row, col])


def _inputs(page):
    return [page.get_by_label(name).input_value() for name in ("Output row", "Output column")]


def test_clicking_an_output_cell_picks_it_and_the_inputs_follow(app_url, page):
    page.goto(app_url + "/explainer?view=Receptive+field")
    settle(page, "[data-testid='stPlotlyChart']")
    page.get_by_text(re.compile(r"Output cell\s+\(1, 1\)")).wait_for()
    for row, col in ((0, 2), (2, 0)):
        x, y = _cell_xy(page, row, col)
        page.mouse.click(x, y)
        page.get_by_text(re.compile(rf"Output cell\s+\({row}, {col}\)")).wait_for(timeout=30_000)
        settle(page)
        assert _inputs(page) == [str(row), str(col)]
        assert (_query(page)["rf_row"], _query(page)["rf_col"]) == (str(row), str(col))
    # the highlighted input region followed: cell (2, 0) of layer 5 sees rows 8-25, columns 0-17
    page.get_by_text(re.compile(r"rows 8 to 25")).wait_for()
    _shot(page, "explainer_rf_clicked")
    _no_exception(page)


def test_play_moves_the_kernel_on_by_itself_and_pause_stops_it(app_url, page):
    page.goto(app_url + "/explainer?view=Sliding+kernel&s_speed=fast")
    settle(page, "[data-testid='stPlotlyChart']")
    page.get_by_role("button", name="Play").click()
    page.wait_for_function("() => /s_step=([3-9]|1[0-9])/.test(location.search)",
                           timeout=45_000)           # at least three steps with no clicks
    play = page.get_by_role("button", name="Play")
    for _ in range(3):      # a click that lands while a tick redraws the button can be lost;
        page.get_by_role("button", name="Pause").click()    # a second one never resumes
        try:
            play.wait_for(timeout=15_000)
            break
        except Exception as e:      # playwright's TimeoutError; any other error goes on up
            if type(e).__name__ != "TimeoutError":
                raise
    play.wait_for(timeout=10_000)
    settle(page)

    def shown():                                     # the cell of the dot product shown
        text = page.locator(".katex").first.inner_text()
        row, col = re.search(r"out\W*\[\W*(\d+)\W*,\W*(\d+)", text).groups()
        return int(row) * 5 + int(col)

    stopped = shown()
    page.wait_for_timeout(2500)                      # six ticks at the fast speed
    assert shown() == stopped
    assert slider_value(page, "Output cell (row by row)") == stopped   # the browser's slider too
    following = (stopped + 1) % 25

    def link_says(step):
        page.wait_for_function(f"() => /[?&]s_step={step}(&|$)/.test(location.search)"
                               if step else "() => !/s_step=/.test(location.search)",
                               timeout=30_000)

    link_says(stopped)                               # the link says where it stopped
    page.get_by_role("button", name="Next").click()  # the step buttons still work
    link_says(following)
    settle(page)
    assert shown() == following
    _no_exception(page)


def test_a_copied_link_restores_every_tab_and_survives_a_language_switch(app_url, page,
                                                                         browser):
    page.goto(app_url + "/explainer")
    settle(page, "[data-testid='stMetric']")
    page.get_by_role("radiogroup", name="Work out layer").get_by_text("3", exact=True).click()
    page.wait_for_function("() => location.search.includes('work=3')", timeout=30_000)
    settle(page)
    page.get_by_role("tab", name="Receptive field").click()
    settle(page, "[data-testid='stPlotlyChart']")
    row = page.get_by_label("Output row")
    row.fill("2")
    row.press("Enter")
    page.get_by_text(re.compile(r"Output cell\s+\(2, 1\)")).wait_for(timeout=30_000)
    settle(page)
    page.get_by_role("tab", name="Sliding kernel").click()
    settle(page, "[data-testid='stPlotlyChart']")
    page.get_by_role("button", name="Next").click()
    page.wait_for_function("() => location.search.includes('s_step=1')", timeout=30_000)
    settle(page)
    page.get_by_text("简体中文", exact=True).click()
    page.get_by_role("tab", name=i18n.t("xp.tab_sliding", lang="zh")).wait_for()
    settle(page)
    q = _query(page)
    assert {k: q.get(k) for k in ("view", "work", "rf_row", "rf_col", "s_step", "lang")} == {
        "view": "Sliding kernel", "work": "3", "rf_row": "2", "rf_col": "1", "s_step": "1",
        "lang": "zh"}, q
    # the copied link, opened in a fresh browser: the same tab, step, cell and layer
    other = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    try:
        other.goto(page.url)
        settle(other, "[data-testid='stPlotlyChart']")
        assert other.get_by_role("tab", selected=True).inner_text() == i18n.t(
            "xp.tab_sliding", lang="zh")
        shown = re.sub(r"\s", "", other.locator(".katex").first.inner_text())
        assert i18n.t("tex.out", lang="zh") + "[0,1]" in shown, shown[:80]   # 输出[0,1]
        other.get_by_role("tab", name=i18n.t("xp.tab_rf", lang="zh")).click()
        other.get_by_text(re.compile(r"\(2, 1\)")).first.wait_for(timeout=30_000)
        other.get_by_role("tab", name=i18n.t("xp.tab_table", lang="zh")).click()
        settle(other, "[data-testid='stMetric']")
        work = " ".join(other.locator(".katex").all_inner_texts())     # layer 3: 13 -> 11
        assert re.search(r"13\s*\+\s*0\s*\+\s*0\s*[−-]\s*3", work), work[:300]
        assert _query(other)["work"] == "3" and _query(other)["rf_row"] == "2"
        _no_exception(other)
    finally:
        other.context.close()


@pytest.mark.parametrize("width,height,present", [(1366, 768, False), (1280, 720, True)])
@pytest.mark.parametrize("view", ["Sliding kernel", "Receptive field"])
def test_a_link_to_a_tab_shows_its_visual_on_the_first_screen(app_url, page, width, height,
                                                              present, view):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{app_url}/explainer?view={view.replace(' ', '+')}"
              + ("&present=true" if present else ""))
    settle(page, "[data-testid='stPlotlyChart']")
    page.wait_for_timeout(500)
    grid = page.locator("[data-testid='stPlotlyChart']").first.bounding_box()
    visible = min(grid["y"] + grid["height"], height) - grid["y"]
    assert grid["y"] < 0.6 * height and visible > 0.55 * grid["height"], (grid, height)
    assert not page.locator("[data-testid='stDataFrame']").first.is_visible()  # stack folded
    page.screenshot(path=str(SHOTS.parent / f"first_screen_{view[:5]}_{width}x{height}.png"))
    _no_exception(page)
