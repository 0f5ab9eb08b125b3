"""The Gallery page: AppTest for the three views and the delete confirmation, and one look at it
in real headless Chromium (screenshots in /tmp/shots/gallery/)."""

import os
import re
from pathlib import Path

import numpy as np
import pytest

from cnnweb import paths, store, summary, zoo
from tests.helpers import open_page

pytest.importorskip("keras")

SHOTS = Path("/tmp/shots/gallery")




pytestmark = pytest.mark.usefixtures("no_shipped_models")   # only the models a test writes


def _gallery():
    return open_page("gallery", timeout=120)


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_architecture_view_shows_the_exact_total_for_the_chosen_architecture():
    at = _gallery()
    assert _metric(at, "Total parameters") == "93,322"          # mnist_cnn on 28x28x1 first
    at.selectbox(key="gallery_arch").set_value("lenet5").run()
    assert not at.exception
    assert _metric(at, "Total parameters") == "62,006"
    assert "LeCun" in at.markdown[1].value or any("LeCun" in m.value for m in at.markdown)
    at.selectbox(key="gallery_arch").set_value("inception10").run()
    at.radio(key="gallery_shape_inception10").set_value("28×28×1 (MNIST grey)").run()
    assert not at.exception
    assert _metric(at, "Total parameters") == f"{121_418 - 9 * 16 * 2:,}"
    assert any("6.67%" in i.value.replace("\\", "") and "1x1" in i.value for i in at.info)  # special
    table = at.dataframe[0].value
    assert len(table) == len(summary.layer_table(zoo.build("inception10", (28, 28, 1))))


def test_architecture_view_offers_keras_applications_built_without_weights():
    at = _gallery()
    at.selectbox(key="gallery_arch").set_value("mobilenetv3small").run()
    assert not at.exception
    want = zoo.build("mobilenetv3small", (96, 96, 3), 10).count_params()
    assert _metric(at, "Total parameters") == f"{want:,}"
    table = at.dataframe[0].value
    assert "not analysed" not in set(table["config"])     # every row of it is analysed


def test_compare_view_lists_every_architecture_with_the_best_trained_accuracy():
    store.save_model(zoo.build("lenet5", (32, 32, 3)), "lenet_run",
                     {"arch": "lenet5", "dataset": "cifar10", "test_accuracy": 0.55})
    at = _gallery()
    at.radio(key="gallery_view").set_value("Compare all").run()
    assert not at.exception
    df = at.dataframe[0].value
    assert list(df["name"]) == zoo.names()
    row = df.set_index("name").loc["lenet5"]
    assert row["params"] == 62_006 and row["accuracy"] == 0.55 and row["model"] == "lenet_run"
    assert np.isnan(df.set_index("name").loc["vgg16"]["accuracy"])


def _trained_model():
    meta = {"arch": "baseline", "dataset": "mnist", "test_accuracy": 0.9731, "test_loss": 0.0912,
            "class_names": [str(i) for i in range(10)], "input_shape": [12, 12, 1],
            "history": {"loss": [0.9, 0.4], "accuracy": [0.7, 0.9], "val_loss": [0.5, 0.3],
                        "val_accuracy": [0.85, 0.93]},
            "confusion_matrix": (np.eye(10, dtype=int) * 90 + 1).tolist(),
            "hyperparams": {"dropout": 0.2}, "command": "python -m cnnweb train --arch baseline"}
    store.save_model(zoo.build("baseline", (12, 12, 1)), "digits_test", meta)


def test_trained_view_shows_metrics_and_unreadable_files_without_breaking():
    at = _gallery()
    at.radio(key="gallery_view").set_value("Trained models").run()
    assert not at.exception and "No trained models yet" in at.info[0].value
    _trained_model()
    (paths.models_dir() / "broken.keras").write_bytes(b"")
    at.run()
    assert not at.exception
    assert _metric(at, "Test accuracy") == "97.31%"
    assert any("broken" in w.value and "0 bytes" in w.value for w in at.warning)
    assert at.code[0].value.startswith("python -m cnnweb train")
    at.selectbox(key="gallery_model").set_value("broken").run()
    assert not at.exception


def test_delete_asks_for_confirmation_and_cancel_keeps_the_model():
    _trained_model()
    at = _gallery()
    at.radio(key="gallery_view").set_value("Trained models").run()
    at.button(key="gallery_delete").click().run()
    assert any("for good" in w.value for w in at.warning)
    assert (paths.models_dir() / "digits_test.keras").exists()
    at.button(key="gallery_delete_no").click().run()
    assert (paths.models_dir() / "digits_test.keras").exists()
    at.button(key="gallery_delete").click().run()
    at.button(key="gallery_delete_yes").click().run()
    assert not at.exception
    assert not list(paths.models_dir().iterdir())
    assert "No trained models yet" in at.info[0].value


@pytest.mark.browser
def test_gallery_in_chromium_shows_table_diagram_and_comparison(app_url, page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(app_url)
    page.get_by_role("heading", name="cnnweb").wait_for()
    nav = page.get_by_test_id("stSidebarNavItems")
    nav.get_by_role("link", name="Home", exact=True).wait_for()   # st.navigation's menu is up
    nav.get_by_role("link", name="Gallery", exact=True).click()
    page.get_by_text("Total parameters").wait_for(timeout=90_000)
    page.get_by_text("93,322").first.wait_for()
    page.locator('[data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="resnet18").click()
    page.get_by_text("11,183,562").first.wait_for(timeout=90_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(SHOTS / "architecture_resnet18.png"))
    page.get_by_role("tab", name="Diagram").click()
    page.locator('[data-testid="stGraphVizChart"] svg').first.wait_for(timeout=60_000)
    page.wait_for_timeout(1000)
    page.get_by_role("tab", name="Diagram").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "diagram_resnet18.png"))
    svg = page.locator('[data-testid="stGraphVizChart"] svg').first.inner_html()
    assert "res1a_add" in svg and "skip" in svg
    page.get_by_text("Compare all").click()
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=90_000)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(SHOTS / "compare.png"), full_page=True)
    page.get_by_text("Trained models").click()
    page.get_by_text(re.compile("Test accuracy|No trained models yet")).first.wait_for()
    page.wait_for_timeout(1500)
    page.screenshot(path=str(SHOTS / "trained.png"))
    assert page.locator('[data-testid="stException"]').count() == 0


def test_stored_models_are_cached_by_path_and_reloaded_when_the_file_changes():
    from cnnweb import ui

    model = zoo.build("baseline", (12, 12, 1))
    path = store.save_model(model, "cached", {"arch": "baseline"})
    first = ui.load_stored_model("cached")
    assert ui.load_stored_model(str(path)) is first           # same file, same mtime: cached
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    second = ui.load_stored_model("cached")                   # saved again: a fresh load
    assert second is not first and second.count_params() == model.count_params()
    with pytest.raises(store.StoreError):
        ui.load_stored_model("missing")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_layer_table_numbers_are_localized_and_dense_layers_show_a_dash_in_each_language(lang):
    # the column settings were keyed by the English column names, so in Chinese the counts
    # lost their thousands separators; layers after the spatial ones printed Python's "None"
    import json

    at = open_page("gallery", lang=lang, timeout=120)
    df = at.dataframe[0]
    table = df.value
    rf = [c for c in table.columns if c not in ("layer", "type", "config", "output")][-2:]
    assert set(table[rf[0]].iloc[-3:]) == {"—"} and table[rf[0]].iloc[3] == "4"    # pool1 sees 4
    assert "None" not in set(table[rf[0]]) | set(table[rf[1]])
    columns = json.loads(df.proto.columns)
    localized = {name for name, c in columns.items()
                 if c.get("type_config", {}).get("format") == "localized"}
    assert len(localized) == 3 and localized <= set(table.columns), (columns, table.columns)
