"""The real app in headless Chromium: Home and the Explainer render (uses conftest fixtures)."""

from pathlib import Path

import pytest

SHOTS = Path("/tmp/shots/explainer")

pytestmark = pytest.mark.browser


def _wait_idle(page):
    """Wait until Streamlit has finished running the script (no 'Running...' widget)."""
    page.wait_for_selector("[data-testid='stApp']")
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)


def test_home_renders_in_chromium(app_url, page):
    page.goto(app_url)
    page.get_by_role("heading", name="cnnweb").wait_for()
    _wait_idle(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "home.png"), full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0
