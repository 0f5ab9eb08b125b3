"""Bring your own model in headless Chromium (issue 13 §2/§4): a .keras built here is uploaded
in the Gallery (layer table shown; a Lambda model refused with the safe-mode sentence) and in
Predict (class names typed in, prediction and Grad-CAM shown), in English and Chinese, plus an
untrained MobileNetV2 (weights=None, 96×96) file. Screenshots in /tmp/shots-h-byom/."""

import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

SHOTS = Path(os.environ.get("SHOTS", "/tmp/shots-h-byom"))
pytestmark = pytest.mark.browser


def wait_idle(page):
    page.wait_for_selector("[data-testid='stApp']")
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000)


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _keras_bytes(tmp_path_factory, kind: str) -> bytes:
    """A tiny untrained colour CNN (32x32x3 -> 3 classes), the same with a Lambda layer, or
    MobileNetV2 without weights at 96x96 with 3 classes, as .keras bytes."""
    import keras

    path = tmp_path_factory.mktemp("byom") / f"{kind}.keras"
    keras.utils.set_random_seed(0)
    if kind == "mobilenetv2":
        model = keras.applications.MobileNetV2(input_shape=(96, 96, 3), weights=None, classes=3)
    else:
        inp = keras.Input((32, 32, 3), name="picture")
        x = keras.layers.Rescaling(1 / 255)(inp)
        if kind == "lambda":
            x = keras.layers.Lambda(lambda t: t * 2)(x)
        x = keras.layers.Conv2D(8, 3, activation="relu", name="first_conv")(x)
        x = keras.layers.Conv2D(8, 3, activation="relu", name="second_conv")(x)
        x = keras.layers.GlobalAveragePooling2D()(x)
        model = keras.Model(inp, keras.layers.Dense(3, activation="softmax", name="out")(x))
    model.save(path)
    return path.read_bytes()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return {k: _keras_bytes(tmp_path_factory, k) for k in ("tiny", "lambda", "mobilenetv2")}


def _picture() -> bytes:
    rng = np.random.default_rng(0)
    img = np.zeros((64, 64, 3), np.uint8)
    img[:, :, 0] = np.linspace(0, 255, 64)[None, :]
    img[16:48, 16:48] = rng.integers(0, 255, (32, 32, 3))
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "PNG")
    return buf.getvalue()


def _upload(page, label: str, name: str, data: bytes, mime="application/octet-stream"):
    box = page.locator("[data-testid='stFileUploader']").filter(has_text=label)
    box.locator("input[type='file']").set_input_files(
        [{"name": name, "mimeType": mime, "buffer": data}])


def _choose(page, option: str):
    page.locator("[data-testid='stRadio']").get_by_text(option, exact=True).first.click()
    wait_idle(page)


WORDS = {
    "en": {"file": "Model file", "upload": "Model file (.keras or .h5)", "layers": "Layers",
           "names": "Class names, separated by commas", "pics": "Images (PNG",
           "cam": "where the model looked for", "refused":
           "lambda.keras: this model contains Python code and is not loaded (safe mode)"},
    "zh": {"file": "模型文件", "upload": "模型文件（.keras 或 .h5）", "layers": "逐层",
           "names": "类别名，用逗号分隔", "pics": "图片（PNG",
           "cam": "时看的地方", "refused": "lambda.keras：这个模型包含 Python 代码，安全模式下不加载"},
}


def _gallery(page, app_url, lang, files):
    w = WORDS[lang]
    page.goto(app_url + "/gallery" + ("?lang=zh" if lang == "zh" else ""))
    wait_idle(page)
    _choose(page, w["file"])
    _upload(page, w["upload"], "lambda.keras", files["lambda"])
    page.locator("[data-testid='stAlertContentError']").filter(has_text=w["refused"]).wait_for(
        timeout=120_000)
    wait_idle(page)
    _shot(page, f"gallery_lambda_{lang}")
    _upload(page, w["upload"], "tiny.keras", files["tiny"])
    page.get_by_text("32×32×3", exact=False).first.wait_for(timeout=120_000)
    page.locator("[data-testid='stDataFrame']").first.wait_for()
    wait_idle(page)
    _shot(page, f"gallery_tiny_{lang}")
    assert page.get_by_role("tab", name=w["layers"]).count() == 1
    assert page.locator("[data-testid='stDataFrame']").count() >= 1
    main = page.locator("[data-testid='stMain']").inner_text()
    assert "835" in main          # 3*3*3*8+8 + 3*3*8*8+8 + 8*3+3 parameters, as Keras counts
    assert page.locator("[data-testid='stException']").count() == 0


def _predict(page, app_url, lang, name, data, classes, shot):
    w = WORDS[lang]
    page.goto(app_url + "/predict" + ("?lang=zh" if lang == "zh" else ""))
    wait_idle(page)
    _choose(page, w["file"])
    _upload(page, w["upload"], name, data)
    box = page.get_by_label(w["names"], exact=True)
    box.wait_for(timeout=180_000)
    box.fill(classes)
    box.press("Enter")
    wait_idle(page)
    _upload(page, w["pics"], "colours.png", _picture(), "image/png")
    page.get_by_text(w["cam"]).last.wait_for(timeout=120_000)
    wait_idle(page)
    main = page.locator("[data-testid='stMain']")
    assert main.locator("img").count() >= 3                  # input, feature maps, Grad-CAM
    text = main.inner_text()
    assert all(c.strip() in text for c in classes.split(","))
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    _shot(page, shot)
    page.get_by_text(w["cam"]).last.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / f"{shot}_inside.png"))
    return text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_gallery_shows_an_uploaded_models_table_and_refuses_a_lambda(app_url, page, files, lang):
    _gallery(page, app_url, lang, files)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_predict_with_an_uploaded_model_shows_prediction_and_gradcam(app_url, page, files, lang):
    names = "cat, dog, bird" if lang == "en" else "猫, 狗, 鸟"
    text = _predict(page, app_url, lang, "tiny.keras", files["tiny"], names, f"predict_tiny_{lang}")
    assert "32×32×3" in text
    layer = "Grad-CAM layer" if lang == "en" else "Grad-CAM 所用的层"
    page.locator("[data-testid='stSelectbox']").filter(has_text=layer).click()
    page.get_by_role("option", name="first_conv", exact=True).click()
    page.get_by_text("first_conv (30×30)" if lang == "en" else "first_conv 层（30×30）").wait_for()
    wait_idle(page)


def test_gallery_downloads_a_shipped_model_as_tflite(app_url, page):
    page.goto(app_url + "/gallery")
    wait_idle(page)
    _choose(page, "Trained models")
    button = page.get_by_role("button", name="(TensorFlow Lite)")
    button.wait_for()
    with page.expect_download(timeout=120_000) as dl:
        button.click()
    data = Path(dl.value.path()).read_bytes()
    assert data[4:8] == b"TFL3" and len(data) > 10_000      # a TFLite flatbuffer
    assert dl.value.suggested_filename.endswith(".tflite")
    wait_idle(page)
    _shot(page, "gallery_tflite_en")


def test_an_untrained_mobilenetv2_file_in_gallery_and_predict(app_url, page, files):
    assert len(files["mobilenetv2"]) < 20 << 20
    page.goto(app_url + "/gallery")
    wait_idle(page)
    _choose(page, "Model file")
    _upload(page, WORDS["en"]["upload"], "mobilenetv2.keras", files["mobilenetv2"])
    page.get_by_text("96×96×3", exact=False).first.wait_for(timeout=180_000)
    page.locator("[data-testid='stDataFrame']").first.wait_for()
    wait_idle(page)
    assert page.locator("[data-testid='stException']").count() == 0
    _shot(page, "gallery_mobilenetv2_en")
    _predict(page, app_url, "en", "mobilenetv2.keras", files["mobilenetv2"], "cat, dog, bird",
             "predict_mobilenetv2_en")
