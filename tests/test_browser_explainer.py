"""The real app in headless Chromium: Home and the Explainer render, edit, step and share links.
Uses the app_url / fresh_app_url / page fixtures of tests/conftest.py."""

import re
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from cnnweb import stack

SHOTS = Path("/tmp/shots/explainer")

pytestmark = pytest.mark.browser


def _settle(page, selector="[data-testid='stApp']", timeout=60_000):
    """Wait for `selector`, then until Streamlit has stopped running the script."""
    page.wait_for_selector(selector, timeout=timeout)
    deadline = time.monotonic() + timeout / 1000
    quiet = 0
    while time.monotonic() < deadline and quiet < 3:  # three quiet polls in a row
        running = page.locator("[data-testid='stStatusWidget']").count()
        quiet = 0 if running else quiet + 1
        page.wait_for_timeout(250)


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
    _settle(page)
    page.get_by_text("Start a lesson").wait_for()
    _shot(page, "home")
    _no_exception(page)


def test_explainer_renders_and_a_table_edit_updates_numbers_and_link(app_url, page):
    page.set_viewport_size({"width": 1400, "height": 2200})
    page.goto(app_url + "/explainer")
    _settle(page, "[data-testid='stMetric']")
    page.get_by_text("55,744").wait_for()  # the MNIST stack's parameters
    _shot(page, "explainer_table")
    _no_exception(page)
    # edit layer 1's kernel in the builder grid: click its first cell, step right, type 5
    grid = page.locator("[data-testid='stDataFrame']").first
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 120, box["y"] + 52)  # header ~35 px, rows ~35 px
    for key in ("ArrowRight", "5", "Enter"):  # typing opens the cell editor, Enter commits
        page.wait_for_timeout(400)
        page.keyboard.press(key)
    page.get_by_text("56,256").wait_for(timeout=30_000)  # 5×5×1×32+32 = 832 instead of 320
    _settle(page)
    assert _query(page)["layers"].startswith("conv-k5-f32_max-k2-s2")
    _shot(page, "explainer_edited")
    _no_exception(page)


def test_sliding_kernel_steps_and_the_link_follows(app_url, page):
    page.goto(app_url + "/explainer?view=Sliding+kernel")
    _settle(page, "[data-testid='stPlotlyChart']")
    page.get_by_role("button", name="Next").click()
    page.wait_for_function("() => location.search.includes('s_step=1')", timeout=30_000)
    _settle(page)
    page.get_by_role("button", name="Next").click()
    page.wait_for_function("() => location.search.includes('s_step=2')", timeout=30_000)
    _settle(page)
    assert _query(page)["view"] == "Sliding kernel"
    _shot(page, "explainer_sliding")
    _no_exception(page)


def test_a_shared_link_opened_first_on_a_fresh_server_restores_the_view(fresh_app_url, page):
    """The very first visit of a new server is a deep link: it must still go through app.py's
    navigation (Home, Explainer... in the sidebar, not file names) and restore the setup."""
    vgg = stack.PRESETS["VGG16 feature extractor (13 convs, 5 pools)"]
    page.goto(f"{fresh_app_url}/explainer?layers={stack.encode_stack(vgg.layers)}"
              "&size=224&ch=3&view=Receptive+field")
    _settle(page, "[data-testid='stPlotlyChart']")
    page.get_by_text(re.compile(r"receptive field of\s+212×212")).wait_for()
    nav = page.locator("[data-testid='stSidebarNav']").inner_text()
    assert "Home" in nav and "Explainer" in nav and "app" not in nav.split()
    _shot(page, "explainer_shared_link")
    _no_exception(page)
