"""Issue 13 §1 in headless Chromium: change a layer and the head in the Explainer, press "Train
this network", land on the Trainer with that network chosen and its parameter count, in
English and Chinese. Screenshots in $SHOTS or /tmp/shots-h-design/."""

import os
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from cnnweb import i18n, stack
from tests.helpers import settle

SHOTS = Path(os.environ.get("SHOTS", "/tmp/shots-h-design"))

pytestmark = pytest.mark.browser


def _no_exception(page):
    assert page.locator("[data-testid='stException']").count() == 0


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_design_in_the_explainer_then_train_it(app_url, page, lang):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(app_url + "/explainer" + ("?lang=zh" if lang == "zh" else ""))
    settle(page, "[data-testid='stMetric']")
    page.get_by_text("93,322").first.wait_for()        # tutorial 1's network, head included
    # layer 1's kernel 3 -> 5 in the builder grid (header ~35 px, rows ~35 px)
    box = page.locator("[data-testid='stDataFrame']").first.bounding_box()
    page.mouse.click(box["x"] + 120, box["y"] + 52)
    for key in ("ArrowRight", "5", "Enter"):
        page.wait_for_timeout(400)
        page.keyboard.press(key)
    page.get_by_text("93,834").first.wait_for(timeout=30_000)   # 832 instead of 320
    settle(page)
    # the head: global average pooling instead of Flatten (64 features, not 576)
    page.get_by_role("radiogroup", name=i18n.t("xp.head", lang=lang)).get_by_text(
        i18n.t("xp.head_gap", lang=lang), exact=True).click()
    page.get_by_text("61,066").first.wait_for(timeout=30_000)
    settle(page)
    _no_exception(page)
    page.screenshot(path=str(SHOTS / f"explainer_design_{lang}.png"), full_page=True)
    page.get_by_text(i18n.t("xp.head_table", lang=lang)).scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"explainer_head_table_{lang}.png"))

    page.get_by_role("link", name=i18n.t("xp.train", lang=lang)).click()
    page.wait_for_url("**/trainer?**", timeout=30_000)
    settle(page, "[data-testid='stSelectbox']")
    query = {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}
    assert query["arch"] == "stack:conv-k5-f32_max-k2-s2_conv-k3-f64_max-k2-s2_conv-k3-f64"
    assert query["head"] == "gap-d64" and query["dataset"] == "mnist"
    full = stack.arch_id(*stack.parse_arch(query["arch"], query["head"]))
    words = ("61,066 parameters on 28×28×1" if lang == "en" else "在 28×28×1 上有 61,066 个参数")
    page.get_by_text(words).wait_for(timeout=30_000)
    page.get_by_text(full).first.wait_for()
    boxes = page.locator("[data-testid='stSelectbox']")
    chosen = [(boxes.nth(i).text_content() or "") + " ".join(
        x.input_value() for x in boxes.nth(i).locator("input").all()) for i in range(boxes.count())]
    assert any(i18n.t("tr.stack_option", lang=lang)[:20] in text for text in chosen), chosen
    _no_exception(page)
    page.screenshot(path=str(SHOTS / f"trainer_prefilled_{lang}.png"), full_page=True)
