"""A model trained on the user's own grey pictures is given inputs made as its dataset's
pictures were (not MNIST's inverting and centring), on Predict (upload and webcam) and in
`python -m cnnweb predict`. The model is faked: 16 tiny grey pictures, one epoch."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cnnweb import datasets, explain, images, store
from cnnweb.__main__ import main
from tests.helpers import open_page
from tests.shape_pictures import write_folder

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]
MODEL = "grey_tiny_1epoch"


@pytest.fixture(scope="module")
def grey_dirs(tmp_path_factory):
    """A folder with a tiny grey dataset kept and MODEL trained on it for 1 epoch."""
    root = tmp_path_factory.mktemp("grey")
    with pytest.MonkeyPatch.context() as mp:
        _point_at(mp, root)
        src = write_folder(root / "greyshapes", n=8, size=20, grey=True)
        rc = main(["train", "--dataset", str(src), "--arch", "stack:conv-k3-f4_max-k2-s2",
                   "--epochs", "1", "--batch-size", "8", "--name", MODEL,
                   "--run-dir", str(root / "run")])
        assert rc == 0
    return root


def _point_at(mp, root):
    mp.setenv("CNNWEB_DATASETS_DIR", str(root / "kept"))
    mp.setenv("CNNWEB_MODELS_DIR", str(root / "models"))


@pytest.fixture
def grey_model(grey_dirs, monkeypatch):
    """(source folder, kept dataset) of the grey dataset; the store and datasets point there."""
    _point_at(monkeypatch, grey_dirs)
    return grey_dirs / "greyshapes", datasets.load("greyshapes")


def _test_pictures(src, ds):
    """(file bytes, name, what training's test split holds for it) per held-out picture."""
    labels = datasets.describe(ds.name)["test_files"]
    return [((src / label).read_bytes(), label, ds.x_test[i]) for i, label in enumerate(labels)]


def test_grey_own_dataset_model_inputs_equal_what_training_saw_tiny_1epoch(grey_model):
    src, ds = grey_model
    meta = store.load_meta(MODEL)
    shape = tuple(meta["input_shape"])
    assert shape == (20, 20, 1) and meta["dataset"] == "greyshapes"
    how = images.preparation(shape, meta["dataset"])
    assert how == images.PICTURE and images.preparation(shape, "mnist") == images.DIGIT
    pictures = _test_pictures(src, ds)
    assert len(pictures) == 4
    for blob, label, seen in pictures:
        assert np.array_equal(images.prepare_file(blob, label, shape, "squash", how), seen)
    as_digits = [images.prepare_file(b, n, shape) for b, n, _ in pictures]   # MNIST's way
    assert not all(np.array_equal(a, seen) for a, (_, _, seen) in zip(as_digits, pictures))


def test_cli_predict_prepares_a_grey_own_dataset_picture_as_training_did_tiny_1epoch(
        grey_model, tmp_path, capsys):
    src, ds = grey_model
    blob, _, seen = _test_pictures(src, ds)[0]
    path = tmp_path / "picture.png"
    path.write_bytes(blob)
    assert main(["predict", "--model", MODEL, str(path), "--json"]) == 0
    row = json.loads(capsys.readouterr().out.splitlines()[0])
    probs = explain.predict(store.load_model(MODEL), seen)
    assert row["index"] == int(np.argmax(probs))
    assert row["confidence"] == pytest.approx(float(probs.max()), abs=1e-5)


def test_predict_page_webcam_picture_of_a_grey_model_tiny_1epoch(grey_model, monkeypatch):
    from cnnweb import ui
    from tests.test_webcam import Shot

    src, ds = grey_model
    blob, _, seen = _test_pictures(src, ds)[1]
    monkeypatch.setattr(ui, "camera_picture", lambda label, key, help=None: Shot(blob, "w1"))
    at = open_page("predict", timeout=120)
    at.selectbox(key="predict_model").select(MODEL).run()
    assert not at.exception, at.exception
    source = at.radio(key="predict_source")
    assert source.options == ["Upload", "Webcam"]         # no drawing: these are not digits
    source.set_value("Webcam").run()
    assert not at.exception, at.exception
    assert any("`https://`" in c.value for c in at.caption)
    top = explain.top_k(explain.predict(store.load_model(MODEL), seen), ds.class_names, 3)
    captions = [img.caption.replace("\\", "") for el in at.get("image") for img in el.proto.imgs]
    assert f"camera.jpg: {top['label']} ({top['confidence']:.1%})" in captions, captions
    assert "Inside the network" in [h.value for h in at.subheader]
