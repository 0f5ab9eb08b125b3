"""The Predict page under AppTest (with the canvas faked through cnnweb.ui.draw_canvas) and the
`python -m cnnweb predict` command line, on tiny 1-epoch models made here and, when present,
on the shipped models."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cnnweb import explain, images, paths, store
from tests.helpers import drawing, open_page, seven
from tests.predict_models import SHARED, shipped_available

ROOT = paths.ROOT
CORPUS = Path(__file__).parent / "corpus"


def cli(*args, env_models=None, timeout=120):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TF_ENABLE_ONEDNN_OPTS="0")
    if env_models:
        env["CNNWEB_MODELS_DIR"] = str(env_models)
    return subprocess.run([sys.executable, "-m", "cnnweb", "predict", *map(str, args)], check=False,
                          cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=timeout)


def png(array) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.asarray(array, np.uint8)).save(buf, "PNG")
    return buf.getvalue()


# ---------------------------------------------------------------- command line

@pytest.mark.slow
def test_predict_cli_json_lines_on_tiny_1epoch_model(tiny_models, tmp_path):
    good = tmp_path / "seven.png"
    good.write_bytes(png(drawing(strokes=seven())))
    files = [good, CORPUS / "empty.png", CORPUS / "truncated.jpg", tmp_path / "missing.png"]
    r = cli("--model", "tiny_1epoch_mnist", *files, "--top-k", "2", "--json", env_models=tiny_models)
    assert r.returncode == 1, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["file"] for row in rows] == [str(f) for f in files]
    first = rows[0]
    assert set(first) == {"file", "label", "index", "confidence", "top"}
    assert first["label"] == str(first["index"]) and len(first["top"]) == 2
    assert first["top"][0] == [first["label"], first["confidence"]]
    assert first["top"][0][1] >= first["top"][1][1]
    # the same numbers as the page's path: images.prepare_file + explain.predict
    model = store.load_model("tiny_1epoch_mnist")
    probs = explain.predict(model, images.prepare_file(good.read_bytes(), "seven.png", (28, 28, 1)))
    assert first["index"] == int(np.argmax(probs))
    assert abs(first["confidence"] - float(probs.max())) < 1e-4
    for row, word in zip(rows[1:], ["empty", "damaged", "cannot be read"]):
        assert set(row) == {"file", "error"} and row["error"].startswith(row["file"]) and word in row["error"]
    assert "error" not in r.stderr and "Traceback" not in r.stderr   # with --json all goes to stdout

    ok = cli("--model", tiny_models / "tiny_1epoch_mnist.keras", good, env_models=tiny_models)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith(f"{good}: {first['label']} (") and "top 3:" in ok.stdout


def test_predict_cli_bad_arguments_exit_2_with_one_line(tmp_path):
    r = cli("--model", "no_such_model", "x.png")
    assert r.returncode == 2 and "No model named 'no_such_model'" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    r = cli("--model", "x", "a.png", "--top-k", "0")
    assert r.returncode == 2 and "--top-k must be at least 1" in r.stderr


@pytest.mark.skipif(not shipped_available("mnist") or not (SHARED / "mnist.npz").exists(),
                    reason="needs the shipped MNIST model and the full MNIST data")
def test_shipped_mnist_model_reads_scans_of_mnist_test_digits(tmp_path):
    """MNIST test digits printed dark on light paper, small, off-centre, as JPEG: the upload
    path must undo all of that."""
    d = np.load(SHARED / "mnist.npz")
    rng = np.random.default_rng(0)
    idx = rng.choice(len(d["y_test"]), 40, replace=False)
    files = []
    for i in idx:
        page = np.full((240, 200), 235, np.uint8)              # grey-white paper
        digit = np.asarray(Image.fromarray(255 - d["x_test"][i]).resize((84, 84), Image.Resampling.BICUBIC))
        y0, x0 = rng.integers(10, 140), rng.integers(10, 100)
        page[y0:y0 + 84, x0:x0 + 84] = np.minimum(page[y0:y0 + 84, x0:x0 + 84], digit)
        f = tmp_path / f"scan_{i}.jpg"
        Image.fromarray(page).save(f, "JPEG", quality=80)
        files.append(f)
    r = cli("--model", "cnnweb_mnist", *files, "--json", "--top-k", "1")
    assert r.returncode == 0, r.stderr
    pred = [json.loads(line)["index"] for line in r.stdout.splitlines()]
    acc = np.mean(np.array(pred) == d["y_test"][idx])
    assert acc >= 0.95, acc


# ---------------------------------------------------------------- the page (AppTest)

def _predict(fake_canvas, canvas=None):
    """The Predict page with the drawing canvas giving `canvas`."""
    fake_canvas(canvas)
    return open_page("predict", check=False)


@pytest.mark.slow
def test_page_predicts_a_faked_drawing_with_tiny_1epoch_model(tiny_models, fake_canvas):
    rgba = drawing(strokes=seven())
    at = _predict(fake_canvas, rgba)
    assert not at.exception
    at.selectbox(key="predict_model").select("tiny_1epoch_mnist").run()
    assert not at.exception
    model = store.load_model("tiny_1epoch_mnist")
    want = int(np.argmax(explain.predict(model, images.canvas_to_input(rgba))))
    (metric,) = at.metric
    assert metric.value == str(want)
    assert [s.label for s in at.selectbox] == ["Model", "Feature maps of layer", "Grad-CAM for class",
                                               "Grad-CAM layer"]
    at.selectbox(key="predict_layer_tiny_1epoch_mnist").select("conv3").run()
    at.selectbox(key="predict_cam_class_tiny_1epoch_mnist").select(2).run()
    assert not at.exception and not at.error
    at.selectbox(key="predict_cam_layer_tiny_1epoch_mnist").select("conv1").run()   # any conv layer
    assert not at.exception and not at.error and not at.warning     # (the caption: Chromium)


@pytest.mark.slow
def test_page_empty_canvas_asks_for_a_digit_with_tiny_1epoch_model(tiny_models, fake_canvas):
    at = _predict(fake_canvas, np.full((280, 280, 4), 255, np.uint8))
    at.selectbox(key="predict_model").select("tiny_1epoch_mnist").run()
    assert not at.exception and not at.metric
    assert any("Draw a digit first" in i.value for i in at.info)
    assert "Inside the network" not in [h.value for h in at.subheader]


@pytest.mark.slow
def test_page_colour_model_offers_upload_only_with_tiny_1epoch_model(tiny_models, fake_canvas):
    at = _predict(fake_canvas, None)
    at.selectbox(key="predict_model").select("tiny_1epoch_cifar").run()
    assert not at.exception
    assert at.radio(key="predict_source").options == ["Upload", "Webcam"]   # no Draw for photos
    assert at.radio(key="predict_fit").value == "squash" and len(at.radio(key="predict_fit").options) == 2


@pytest.mark.slow
def test_page_lists_shipped_models_first_then_the_users(tiny_models, fake_canvas):
    at = _predict(fake_canvas, None)
    box = at.selectbox(key="predict_model")
    names = [o.removeprefix("★ ").split(" · ")[0] for o in box.options]
    shipped = {e.name for e in store.list_models() if e.shipped}
    assert set(names[: len(shipped)]) == shipped
    assert all(o.startswith("★") for o in box.options[: len(shipped)])
    assert names[len(shipped):] == ["tiny_1epoch_mnist", "tiny_1epoch_cifar"]   # digits first
    assert store.load_meta(box.value)["dataset"] == "mnist"    # drawing works out of the box


def test_page_without_any_model_says_how_to_get_one(no_shipped_models, fake_canvas):
    at = _predict(fake_canvas, None)
    assert not at.exception
    assert any("No trained model found" in w.value for w in at.warning)
