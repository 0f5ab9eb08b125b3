"""Bring your own model (cnnweb.byom) and take it home (cnnweb.export, `python -m cnnweb export`).

Model files are checked in a worker process: a good model is described, a Lambda layer is
refused with the safe-mode sentence, a zip bomb or an oversized file never reaches Keras, and
a worker that crashes, runs too long or takes too much memory is one line. Exports never
replace a file unless --force, and TFLite gives Keras' top-1 on real test images."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from cnnweb import byom, export, i18n, paths, store
from cnnweb.__main__ import main

MB = 1 << 20
SHIPPED = paths.ROOT / "models" / "seed001_mnist_cnn.keras"


def _tiny(path: Path, lam: bool = False) -> Path:
    """A tiny untrained Functional model (8x8x1 -> Conv2D -> Dense(3)), saved to path; with lam a
    Lambda layer (Python code) in the middle."""
    import keras

    inp = keras.Input((8, 8, 1), name="image")
    x = keras.layers.Rescaling(1 / 255, name="rescaling")(inp)
    if lam:
        x = keras.layers.Lambda(lambda t: t * 2)(x)
    x = keras.layers.Conv2D(4, 3, activation="relu", name="conv")(x)
    x = keras.layers.Flatten()(x)
    out = keras.layers.Dense(3, activation="softmax", name="out")(x)
    keras.Model(inp, out).save(path)
    return path


@pytest.fixture(autouse=True)
def _uploads(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNWEB_UPLOADS_DIR", str(tmp_path / "uploads"))


# ------------------------------------------------------------------ the worker

def test_the_worker_describes_a_good_model_and_the_server_never_loads_it(tmp_path, monkeypatch):
    path = byom.stage(_tiny(tmp_path / "good.keras").read_bytes(), "good.keras")
    assert path.parent == tmp_path / "uploads" and not store.paths.models_dir().exists()
    monkeypatch.setattr(store, "load_file", lambda p: pytest.fail("loaded in the server"))
    info = byom.inspect(path)
    assert info["input_shape"] == [8, 8, 1] and info["output_shape"] == [3]
    assert info["keras_params"] == 4 * 9 + 4 + 6 * 6 * 4 * 3 + 3 == info["totals"]["params"]
    assert info["conv_layers"] == ["conv"] and "conv" in info["dot"]
    assert [r["name"] for r in info["rows"]][:3] == ["image", "rescaling", "conv"]
    assert info["predict_problem"] is None


def test_a_lambda_layer_is_refused_in_the_worker_with_the_safe_mode_sentence(tmp_path):
    path = byom.stage(_tiny(tmp_path / "lam.keras", lam=True).read_bytes(), "lam.keras")
    with pytest.raises(byom.ModelFileError) as e:
        byom.inspect(path, label="my lambda.keras")
    assert e.value.args[0].key == "store.python_code"
    assert str(e.value) == ("my lambda.keras: this model contains Python code and is not "
                            "loaded (safe mode)")
    assert i18n.tr(e.value.args[0], "zh") == "my lambda.keras：这个模型包含 Python 代码，安全模式下不加载"


def test_a_keras2_h5_file_loads_in_the_worker_and_its_lambda_is_refused_too(tmp_path):
    import keras

    good = keras.saving.load_model(_tiny(tmp_path / "g.keras"), compile=False)
    good.save(tmp_path / "g.h5")
    info = byom.inspect(byom.stage((tmp_path / "g.h5").read_bytes(), "g.h5"))
    assert info["keras_params"] == good.count_params()
    fake = tmp_path / "fake.h5"
    fake.write_bytes(b"not hdf5 at all")
    with pytest.raises(byom.ModelFileError, match="fake.h5 is not an HDF5 file"):
        byom.inspect(fake)


def test_a_zip_bomb_is_refused_before_any_worker_starts(tmp_path, monkeypatch):
    monkeypatch.setattr(byom, "worker_command", lambda *a: pytest.fail("a worker started"))
    bomb = tmp_path / "bomb.keras"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("config.json", "{}")
        with z.open("model.weights.h5", "w") as f:
            for _ in range(64):
                f.write(bytes(MB))
    assert bomb.stat().st_size < 1 * MB
    with pytest.raises(byom.ModelFileError, match="a zip bomb"):
        byom.inspect(byom.stage(bomb.read_bytes(), "bomb.keras"), label="bomb.keras")


def test_oversized_uploads_and_wrong_extensions_are_refused_unstaged(tmp_path, monkeypatch):
    monkeypatch.setattr(byom, "MAX_UPLOAD_BYTES", 1000)
    with pytest.raises(byom.ModelFileError, match="big.keras is 2,000 bytes, more than the "
                                                  "1,000 bytes allowed"):
        byom.stage(bytes(2000), "big.keras")
    with pytest.raises(byom.ModelFileError, match="model.pkl: not a model file"):
        byom.stage(b"x", "model.pkl")
    assert not (tmp_path / "uploads").exists() or not any((tmp_path / "uploads").iterdir())
    monkeypatch.setattr(store, "MAX_MODEL_BYTES", 100)     # the .h5 bound is the file's size
    h5 = tmp_path / "big.h5"
    h5.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(200))
    with pytest.raises(byom.ModelFileError, match="more than the 100 bytes allowed"):
        byom.inspect(h5)


@pytest.mark.parametrize("command, limits, key", [
    ([sys.executable, "-c", "import os; os._exit(7)"], {}, "byom.crashed"),
    ([sys.executable, "-c", "import time; time.sleep(30)"], {"timeout": 1}, "byom.timeout"),
    ([sys.executable, "-c", "b = bytearray(400 << 20); import time; time.sleep(30)"],
     {"memory_mb": 200}, "byom.memory"),
], ids=["crash", "timeout", "memory"])
def test_a_worker_that_crashes_hangs_or_grows_is_one_line(tmp_path, monkeypatch, command,
                                                          limits, key):
    monkeypatch.setattr(byom, "worker_command", lambda path, out: command)
    path = byom.stage(_tiny(tmp_path / "good.keras").read_bytes(), "good.keras")
    with pytest.raises(byom.ModelFileError) as e:
        byom.inspect(path, label="mine.keras", **limits)
    assert e.value.args[0].key == key and "\n" not in str(e.value)
    assert str(e.value).startswith("mine.keras: ")
    if key == "byom.crashed":
        assert "exit code 7" in str(e.value)


def test_class_names_typed_in_are_validated_against_the_outputs():
    assert byom.class_names(" cat, dog ,bird", 3) == ["cat", "dog", "bird"]
    with pytest.raises(byom.ModelFileError, match="2 class names given, but the model has 3"):
        byom.class_names("cat, dog", 3)
    with pytest.raises(byom.ModelFileError, match="1 to 100 printable"):
        byom.class_names("cat,,bird", 3)
    with pytest.raises(byom.ModelFileError, match="must be different"):
        byom.class_names("cat,cat,bird", 3)
    with pytest.raises(byom.ModelFileError, match="not a JSON metadata object"):
        byom.sidecar(b"[1, 2]", "m.json")
    assert byom.sidecar(b'{"class_names": ["a", "b", "c"]}', "m.json")["class_names"][2] == "c"


def test_saving_an_uploaded_model_never_replaces_a_stored_one(tmp_path):
    path = byom.stage(_tiny(tmp_path / "good.keras").read_bytes(), "good.keras")
    saved = byom.save(path, "mine", {"class_names": ["a", "b", "c"]})
    assert store.load_meta("mine")["class_names"] == ["a", "b", "c"]
    before = saved.read_bytes()
    with pytest.raises(ValueError, match="already exists"):
        byom.save(path, "mine", {})
    assert saved.read_bytes() == before
    with pytest.raises(ValueError, match="2 names but the model has 3 outputs|classes"):
        byom.save(path, "other", {"class_names": ["a", "b"]})
    assert not (saved.parent / "other.keras").exists()


# ------------------------------------------------------------------ export

def _mnist_test(n=300):
    d = np.load(paths.ROOT / "data" / "mnist_sample.npz")
    return d["x_test"][:n, :, :, None], d["y_test"][:n]


def test_cli_export_tflite_gives_keras_top1_on_real_test_images(tmp_path, capsys):
    out = tmp_path / "m.tflite"
    assert main(["export", "--model", str(SHIPPED), "--format", "tflite", "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"{out} ({out.stat().st_size:,} bytes, tflite)\n"
    x, y = _mnist_test()
    keras_top1 = store.load_model(SHIPPED).predict(x, verbose=0).argmax(1)
    lite_top1 = export.tflite_predict(out.read_bytes(), x).argmax(1)
    assert (lite_top1 == keras_top1).all()
    assert (lite_top1 == y).mean() > 0.95        # a real model on held-out digits, not noise


def test_cli_export_keras_is_the_stored_file_and_never_overwrites(tmp_path, capsys):
    out = tmp_path / "copy.keras"
    assert main(["export", "--model", str(SHIPPED), "--format", "keras", "--out", str(out)]) == 0
    assert out.read_bytes() == SHIPPED.read_bytes()
    out.write_bytes(b"mine")
    capsys.readouterr()
    assert main(["export", "--model", str(SHIPPED), "--format", "keras", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already exists" in err and "--force" in err
    assert out.read_bytes() == b"mine"
    assert main(["export", "--model", str(SHIPPED), "--format", "keras", "--out", str(out),
                 "--force"]) == 0
    assert out.read_bytes() == SHIPPED.read_bytes()


@pytest.mark.parametrize("args, words", [
    (["--model", "no_such_model", "--format", "keras"], "No model named 'no_such_model'"),
    (["--model", str(SHIPPED), "--format", "onnx"], "invalid choice: 'onnx'"),
    (["--model", str(SHIPPED), "--format", "keras", "--out", "/no/such/folder/m.keras"],
     "the folder /no/such/folder does not exist"),
], ids=["unknown-model", "bad-format", "missing-folder"])
def test_cli_export_bad_arguments_exit_2_with_one_line(tmp_path, capsys, args, words):
    if "--out" not in args:
        args = [*args, "--out", str(tmp_path / "x.keras")]
    assert main(["export", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err
    assert not (tmp_path / "x.keras").exists()


# ------------------------------------------------------------------ the pages, in Chinese (AppTest)

def _open_zh(page: str, monkeypatch, state: dict):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(paths.ROOT / "app.py"), default_timeout=180)
    at.query_params.update(lang="zh")
    at.run()
    for key, value in state.items():
        at.session_state[key] = value
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_model_file_views_speak_chinese(tmp_path, monkeypatch):
    """Gallery's "Model file" view with a model the worker checked (AppTest cannot upload, so
    the uploader seam returns it), and Predict's before an upload, with no English words."""
    from cnnweb import ui
    from tests.zh_words import english_on_page

    path = byom.stage(_tiny(tmp_path / "good.keras").read_bytes(), "good.keras")
    info = byom.inspect(path)
    monkeypatch.setattr(ui, "model_file_upload", lambda label, key: (info, path))
    monkeypatch.setattr(ui, "uploaded_name", lambda key: "good.keras")
    at = _open_zh("gallery", monkeypatch, {"gallery_view": "Model file"})
    assert "输入 **8×8×1**，输出 **3**" in " ".join(m.value for m in at.markdown)
    assert at.metric[0].value == f"{info['keras_params']:,}"
    names = {"keras", "Python", "json", "NAME"}          # a file extension and a language
    ids = {r["name"] for r in info["rows"]} | {"good"} | names
    assert not english_on_page(at, ids), english_on_page(at, ids)
    monkeypatch.setattr(ui, "model_file_upload", lambda label, key: (None, None))
    at = _open_zh("predict", monkeypatch, {"predict_origin": "Model file"})
    assert any("上传一个 Keras 模型文件" in i.value for i in at.info)
    assert not english_on_page(at, names), english_on_page(at, names)


# ------------------------------------------------------------------ the CLI on a model file

def test_cli_predict_and_summary_take_a_model_file_with_typed_class_names(tmp_path, capsys):
    import keras
    from PIL import Image

    model = _tiny(tmp_path / "own.keras")
    keras.saving.load_model(model, compile=False).save(tmp_path / "own.h5")
    picture = tmp_path / "p.png"
    Image.fromarray(255 - _mnist_test(1)[0][0, :, :, 0]).save(picture)   # a test digit, inked
    assert main(["predict", "--model", str(model), "--classes", "cat, dog, bird", "--json",
                 str(picture)]) == 0
    import json
    row = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert row["label"] in ("cat", "dog", "bird") and len(row["top"]) == 3
    assert main(["predict", "--model", str(model), "--classes", "cat, dog", str(picture)]) == 2
    assert "2 class names given, but the model has 3 outputs" in capsys.readouterr().err
    assert main(["summary", str(tmp_path / "own.h5")]) == 0
    out = capsys.readouterr().out
    assert "own.h5: input 8x8x1" in out and "Total params: 475" in out
