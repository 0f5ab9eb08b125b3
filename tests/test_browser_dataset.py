"""Your own pictures in real headless Chromium: upload a .zip of class folders (two shapes, a few
dozen generated pictures per class, made here) in the Trainer, see the class counts and the
sample grid, in English and Chinese; in English then fine-tune the shipped CIFAR model on it
for one epoch (faked: tiny data, one epoch) and see its curves and test accuracy."""

import os
import time
from pathlib import Path

import pytest

from tests.shape_pictures import write_zip

SHOTS = Path(os.environ.get("SHOTS") or "/tmp/shots-h-data")

pytestmark = pytest.mark.browser

CURVE_POINTS = """() => [...document.querySelectorAll('.js-plotly-plot')]
    .flatMap(p => (p.data || []).filter(t => (t.name || '').startsWith('train')))
    .reduce((n, t) => n + (t.x || []).length, 0)"""


def _wait_idle(page):
    page.wait_for_selector("[data-testid='stApp']")
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


def _open_trainer(page, url, lang):
    page.goto(url + ("/?lang=zh" if lang == "zh" else ""))
    _wait_idle(page)
    nav = "训练" if lang == "zh" else "Trainer"
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name=nav, exact=True).click()
    page.get_by_role("heading", name=nav).first.wait_for()
    _wait_idle(page)


def _upload(page, zip_path, lang, name):
    words = {"en": ("Your own pictures", "Dataset name (empty: the file's name)",
                    "Check and keep", "Kept as"),
             "zh": ("你自己的图片", "数据集名称（留空：用文件名）", "检查并保存", "已保存为")}[lang]
    page.get_by_test_id("stExpander").filter(has_text=words[0]).locator("summary").click()
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(zip_path))
    page.get_by_text(zip_path.name).first.wait_for()
    _wait_idle(page)
    box = page.get_by_label(words[1], exact=True)
    box.fill(name)
    box.press("Enter")
    _wait_idle(page)
    page.get_by_role("button", name=words[2]).click()
    page.get_by_text(words[3]).first.wait_for(timeout=60_000)
    page.get_by_test_id("stTable").wait_for()            # the kept dataset's class counts
    _wait_idle(page)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_upload_a_zip_shows_class_counts_and_the_sample_grid(app_url, page, tmp_path, lang):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 2400})
    z = write_zip(tmp_path / f"shapes_{lang}.zip", n=30, size=40, seed=1 if lang == "en" else 2,
                  extra={"pictures/circle/readme.txt": b"not a picture"})
    _open_trainer(page, app_url, lang)
    _upload(page, z, lang, f"shapes_{lang}")
    table = page.get_by_test_id("stTable")
    table.wait_for()
    text = table.inner_text()
    header = ("训练集图片", "测试集图片") if lang == "zh" else ("training pictures", "test pictures")
    assert all(h in text for h in header)
    rows = [row.inner_text().split() for row in table.locator("tbody tr").all()]
    assert rows == [["circle", "24", "6"], ["square", "24", "6"]], text
    skipped = page.get_by_text("readme.txt", exact=False)
    assert skipped.count() >= 1                          # the bad file is listed
    grid = page.get_by_test_id("stImage").locator("img")
    assert grid.count() == 16                            # 8 training pictures a class
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(SHOTS / f"dataset_{lang}.png"), full_page=True)


def test_finetune_the_shipped_model_on_an_uploaded_zip_1_epoch(app_url, page, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 2400})
    z = write_zip(tmp_path / "ft.zip", n=30, size=40, seed=3)
    _open_trainer(page, app_url, "en")
    _upload(page, z, "en", "shapes_ft")
    page.get_by_text("Start from a trained model (transfer learning)").wait_for()
    page.get_by_role("combobox", name="Start from a trained model (transfer learning)").click()
    page.get_by_role("option", name="cnnweb_cifar", exact=True).click()
    _wait_idle(page)
    page.get_by_text("The convolutional base of cnnweb_cifar is frozen").wait_for()
    box = page.get_by_label("Epochs", exact=True)
    box.fill("1")
    box.press("Enter")
    _wait_idle(page)
    t0 = time.time()
    page.get_by_role("button", name="Start training").click()
    page.get_by_text("Started run").wait_for()
    first_point = None
    deadline = time.time() + 180
    while time.time() < deadline and not page.get_by_text("Test accuracy", exact=True).count():
        if first_point is None and page.evaluate(CURVE_POINTS):
            first_point = time.time() - t0
        time.sleep(0.3)
    assert page.get_by_text("Test accuracy", exact=True).count(), "the run did not finish"
    assert first_point is not None or page.evaluate(CURVE_POINTS)
    print(f"time to first curve point: {first_point if first_point else 'after the end'} s")
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(SHOTS / "finetune_en.png"), full_page=True)
