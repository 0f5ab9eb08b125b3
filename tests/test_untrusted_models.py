"""Hostile model files (issue 11, item 6): sidecars (models/*.json) that lie about the model or
are not what they claim, and .keras archives that are zip bombs. Each ends in one line
("cannot use this model: ..." for a sidecar that disagrees) in the store, the CLI (exit 2),
Predict and the Gallery; bombs are refused from the zip directory with memory bounded."""

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from cnnweb import paths, store, ui
from tests.helpers import claim_size, patch_zip_directory

SOURCE = paths.ROOT / "models" / "seed001_mnist_cnn.keras"     # a 28x28x1 model, 10 outputs
MB = 1 << 20
pytestmark = pytest.mark.skipif(not SOURCE.exists(), reason="the shipped seed001 model is missing")


def _models() -> Path:
    folder = Path(os.environ["CNNWEB_MODELS_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _model(name="m", **sidecar) -> Path:
    """A copy of the shipped seed-001 MNIST model under `name` with its sidecar changed."""
    target = _models() / f"{name}.keras"
    shutil.copyfile(SOURCE, target)
    meta = json.loads(SOURCE.with_suffix(".json").read_text(encoding="utf-8"))
    meta.pop("shipped", None)
    meta.update(sidecar)
    target.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
    return target


def _entry(name="m"):
    return next(e for e in store.list_models() if e.name == name)


def _cli_predict(model: str, timeout=120):
    """`cnnweb predict` on one picture path (never read: the model is refused first)."""
    return subprocess.run([sys.executable, "-m", "cnnweb", "predict", "--model", model,
                           "picture.png"], capture_output=True, text=True,
                          cwd=paths.ROOT, timeout=timeout, check=False)


BAD_SIDECARS = [
    ("32x32x3 on a 28x28 model", {"input_shape": [32, 32, 3]},
     "m.json says the input is 32×32×3, but the model takes 28×28×1"),
    ("text as the shape", {"input_shape": "abc"},
     "input_shape in m.json is 'abc', not a list of three whole numbers"),
    ("a shape of 10^10 pixels", {"input_shape": [100000, 100000, 1]},
     "it takes 100000×100000×1 inputs; the app feeds at most 1024×1024"),
    ("a true in the shape", {"input_shape": [28, 28, True]}, "not a list of three whole numbers"),
    ("five class names", {"class_names": list("abcde")},
     "m.json names 5 classes, but the model has 10 outputs"),
    ("one class name", {"class_names": ["only"]}, "names 1 classes, but the model has 10"),
    ("numbers as class names", {"class_names": list(range(10))}, "class_names in m.json is"),
    ("a string as class names", {"class_names": "0123456789"}, "class_names in m.json is"),
]


@pytest.mark.parametrize("case, sidecar, message", BAD_SIDECARS, ids=[c[0] for c in BAD_SIDECARS])
def test_a_sidecar_that_disagrees_is_one_line_in_the_store(case, sidecar, message):
    _model(**sidecar)
    entry = _entry()
    assert not entry.ok and "\n" not in entry.error
    assert entry.error.startswith("cannot use this model: ") and message in entry.error, entry.error


def test_the_loaded_model_is_the_judge_where_the_archive_does_not_say():
    """model_io checks every case against the loaded model itself (what Predict and the CLI
    use), before anything is sized from the sidecar."""
    model = store.load_model(SOURCE)
    meta = json.loads(SOURCE.with_suffix(".json").read_text(encoding="utf-8"))
    assert store.model_io(model, meta, "x.json") == ((28, 28, 1), [str(d) for d in range(10)])
    assert store.model_io(model, {}, "x.json")[1] == [str(d) for d in range(10)]   # absent: model's
    for case, sidecar, message in BAD_SIDECARS:
        with pytest.raises(store.StoreError) as e:
            store.model_io(model, {**meta, **sidecar}, "m.json")
        assert str(e.value).startswith("cannot use this model: ") and message in str(e.value), case


def test_cli_predict_with_a_lying_sidecar_exits_2_with_one_line():
    _model(input_shape=[100000, 100000, 1])
    r = _cli_predict("m")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith("error: predict: cannot use this model: it takes 100000×100000×1")


def test_predict_and_gallery_pages_say_cannot_use_this_model(monkeypatch):
    from streamlit.testing.v1 import AppTest

    _model("bad", input_shape="abc")                      # seen from the sidecar alone
    _model("odd", class_names=list("abcde"))              # seen only once the model is loaded
    monkeypatch.setattr(store, "_archive_io", lambda path: (None, None))
    at = AppTest.from_file(str(paths.ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("pages/predict.py").run()
    assert not at.exception
    assert "bad" not in at.selectbox(key="predict_model").options
    at.selectbox(key="predict_model").select("odd").run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [ui.md_text(
        "cannot use this model: odd.json names 5 classes, but the model has 10 outputs")]
    at.switch_page("pages/gallery.py").run()
    at.radio(key="gallery_view").set_value("Trained models").run()
    assert not at.exception
    said = [w.value for w in at.warning]
    assert any(w.startswith("**bad** cannot be used: " + ui.md_text(
        "cannot use this model: input_shape in bad.json is 'abc'")) for w in said), said


# ------------------------------------------------------------------ files that are not what they say

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_as_a_sidecar_neither_hangs_the_listing_nor_the_cli():
    _model()
    side = _models() / "m.json"
    side.unlink()
    os.mkfifo(side)
    result = {}
    th = threading.Thread(target=lambda: result.update(e=_entry()), daemon=True)
    th.start()
    th.join(10)
    assert not th.is_alive(), "list_models hung on a FIFO"
    assert result["e"].error == "m.json is not a regular file (a pipe, device or socket); only " \
                                "ordinary files are read"
    r = _cli_predict(str(_models() / "m.keras"), timeout=60)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "not a regular file" in r.stderr


def test_an_oversized_sidecar_is_refused_unread():
    target = _model()
    with open(target.with_suffix(".json"), "r+b") as f:
        f.truncate(5 * MB)                                   # sparse; JSON never parsed
    assert _entry().error == "m.json is 5.0 MiB, more than the 4.0 MiB allowed"


# ------------------------------------------------------------------ zip bombs inside a .keras

def _repack(target: Path, extra=()):
    """target = the shipped model's members (stored, as Keras writes them) + extra (name, writer)."""
    with zipfile.ZipFile(SOURCE) as src, zipfile.ZipFile(target, "w") as out:
        for info in src.infolist():
            out.writestr(info, src.read(info.filename))
        for name, write in extra:
            with out.open(name, "w") as f:
                write(f)


def _refused(name: str, limit_mb: float = 8) -> str:
    """load_model's one line for a bomb, with the traced memory peak and time bounded."""
    tracemalloc.start()
    t = time.monotonic()
    try:
        with pytest.raises(store.StoreError) as e:
            store.load_model(name)
        peak = tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()
    assert peak < limit_mb and time.monotonic() - t < 5, (peak, str(e.value))
    assert "\n" not in str(e.value) and _entry(name).error == str(e.value)
    return str(e.value)


def test_a_deflated_zero_member_is_refused_by_its_ratio():
    target = _model("zeros")

    def zeros(f):
        for _ in range(64):
            f.write(bytes(MB))
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out, \
            zipfile.ZipFile(SOURCE) as src:
        for info in src.infolist():
            out.writestr(info.filename, src.read(info.filename))
        with out.open("assets/pad.bin", "w") as f:
            zeros(f)
    assert target.stat().st_size < 4 * MB
    line = _refused("zeros")
    assert "zeros.keras: assets/pad.bin would unpack to" in line and "a zip bomb?" in line


def test_a_directory_claiming_gigabytes_is_refused_before_keras_reads_it():
    target = _model("claims")
    _repack(target)
    claim_size(target, "model.weights.h5", 4_000_000_000)
    line = _refused("claims")
    assert line == ("claims.keras would unpack to 3.7 GiB, more than the 512.0 MiB allowed "
                    "(a zip bomb?): refused before unpacking")


def test_too_many_members_and_overlapping_members_are_refused():
    target = _model("many")
    _repack(target, [(f"assets/{i}", lambda f: f.write(b"x")) for i in range(100)])
    assert "many.keras holds 103 files, more than the 64 allowed" in _refused("many")
    # a non-recursive bomb: two directory entries share one compressed body
    target = _model("overlap")
    _repack(target)
    with zipfile.ZipFile(target) as zf:
        weights, config = zf.getinfo("model.weights.h5"), zf.getinfo("config.json")
    # point config.json's entry at the weights' body
    patch_zip_directory(target, "config.json", 20, "<II", weights.compress_size, weights.file_size)
    patch_zip_directory(target, "config.json", 42, "<I", weights.header_offset)
    assert config.file_size < weights.file_size
    assert "overlap.keras is malformed: its members share compressed data" in _refused("overlap")


def test_shipped_models_pass_the_bounds_and_still_load():
    for e in store.list_models():
        if e.shipped:
            assert e.ok, (e.name, e.error)
    model = store.load_model(SOURCE)
    assert model.count_params() > 0
