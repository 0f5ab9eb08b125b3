"""Home: what the app can do, the device, datasets and models found; fast, without TensorFlow."""

import json
import subprocess
import sys
import textwrap

from cnnweb import device, paths, ui
from tests.helpers import APP, open_page


def _home():
    return open_page("home", timeout=60, check=False)


def _text(at):
    return " ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.info, *at.title])


def test_home_shows_what_the_app_does_and_the_compute_device():
    at = _home()
    assert not at.exception
    assert at.title[0].value == "cnnweb"
    text = _text(at)
    assert ui.md_text(device.describe()) in text       # as written (markdown-escaped)
    links = {(link.proto.page, link.proto.label) for link in at.get("page_link")}
    for page in ("explainer", "trainer", "gallery", "predict"):  # a link card per page
        assert (page, f"**{page.title()}**") in links
    lessons = [link.proto for link in at.get("page_link") if link.proto.page == "explainer"]
    assert len(lessons) >= 5  # the card plus the ready-made lessons


def test_home_lists_the_datasets_that_data_py_finds():
    from cnnweb import data

    at = _home()
    text = _text(at)
    for d in data.dataset_status():
        assert d.title in text
        if d.found and d.is_sample:
            assert f"{d.n_train:,} training" in text


def test_home_says_when_there_are_no_models_and_lists_one_when_there_is(tmp_path, monkeypatch):
    from cnnweb import store

    models = tmp_path / "models"
    models.mkdir()
    monkeypatch.setenv("CNNWEB_MODELS_DIR", str(models))
    if not store.list_models():  # nothing shipped yet: Home must say so
        at = _home()
        assert any("No trained models yet" in i.value for i in at.info)
    # a (deliberately unreadable) model file with its sidecar: listed with the reason
    (models / "my_first_cnn.json").write_text(json.dumps(
        {"name": "my_first_cnn", "arch": "seed001_mnist", "dataset": "mnist",
         "test_accuracy": 0.987}))
    (models / "my_first_cnn.keras").write_bytes(b"not a zip")
    at = _home()
    assert not at.exception
    table = at.dataframe[0].value
    row = table[table["model"] == "my_first_cnn"].iloc[0]
    assert (row["dataset"], row["test accuracy"], row["from"]) == ("mnist", "98.7%", "yours")
    assert row["status"] != "ready"


def test_home_and_explainer_never_import_tensorflow():
    """Run Home and every Explainer tab in a fresh interpreter; TF/Keras must stay unloaded."""
    script = textwrap.dedent(f"""
        import sys
        from streamlit.testing.v1 import AppTest
        at = AppTest.from_file({APP!r}, default_timeout=60)
        at.run()
        assert not at.exception, at.exception
        for view in ["Layer table", "Sliding kernel", "Receptive field",
                     "Two 3×3 vs one 5×5", "Pooling and filters"]:
            at.query_params["view"] = view
            at.switch_page("pages/explainer.py").run()
            assert not at.exception, at.exception
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras"))
        print("LOADED", loaded[:5])
        assert not loaded, loaded
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=180, cwd=paths.ROOT, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert "LOADED []" in done.stdout
