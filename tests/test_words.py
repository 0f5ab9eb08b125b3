"""Words a class reads (issue 15, items 15, 18, 19): the seeds are called tutorials (their ids
and links unchanged), Home drops the data/ hint once both full datasets are found, the Trainer
says when a limit cuts the images, Predict says a photo model only knows its classes and warns
when it is given a drawing, CIFAR-10's classes are named in Chinese, and the Gallery comparison
keeps one label per network and MNIST and CIFAR-10 accuracies apart."""

import re

import numpy as np
import pytest

from cnnweb import charts, data, i18n, paths, stack, train
from tests.helpers import Upload, drawing, open_page, seven

CIFAR_ZH = ["飞机", "汽车", "鸟", "猫", "鹿", "狗", "青蛙", "马", "船", "卡车"]


# ---------------------------------------------------------------- tutorials, not seeds

def test_no_catalogue_text_calls_the_tutorials_seeds():
    for lang, cat in i18n.CATALOGUES.items():
        for key, text in cat.items():
            bare = re.sub(r"seed00\d_\w+", "", text)           # model ids stay ids
            assert not re.search(r"\b[Ss]eeds? 0|种子教程", bare), (lang, key, text)
    assert i18n.t("tr.seed") == "Random seed"                  # the Trainer's seed is a seed


def test_preset_ids_still_work_and_read_as_tutorials():
    for key in [*train.PRESETS, *stack.PRESETS]:
        if key.startswith("Seed"):
            number = key[5:8].lstrip("0") or "0"
            assert i18n.term(key).startswith(f"Tutorial {number}"), key
            assert i18n.term(key, "zh").startswith(f"教程 {number}"), key
    assert "1 TensorFlow 2.0" in i18n.t("app.tutorials") and "K同学啊" in i18n.t("app.tutorials")


def _open(page, state=None, **params):
    """The page in Chinese, opened from a link with these query parameters."""
    return open_page(page, lang="zh", params=params, state=state, timeout=180)


def test_trainer_link_with_an_old_preset_id_opens_the_tutorial_preset():
    key = "Seed 002 remedy: Dropout 0.4, 15 epochs"
    at = _open("trainer", preset=key)
    assert at.session_state["tr_preset"] == key
    assert i18n.term(key, "zh") in at.selectbox(key="tr_preset").options
    assert any(i18n.t("app.tutorials", lang="zh") in c.value for c in at.caption)


# ---------------------------------------------------------------- Home's data hint

def _full_npz(folder, name, x_shape, n_train, n_test):
    """A full-size dataset file of zeros, stored (a compressed one would be refused as a bomb);
    Home reads only its headers."""
    np.savez(folder / name, x_train=np.zeros((n_train, *x_shape), np.uint8),
                        y_train=np.zeros(n_train, np.uint8),
                        x_test=np.zeros((n_test, *x_shape), np.uint8),
                        y_test=np.zeros(n_test, np.uint8))


def test_home_hint_goes_once_both_full_datasets_are_found(monkeypatch, tmp_path):
    hint = i18n.t("home.ds_hint", lang="zh")
    at = _open("home")                      # the shipped samples only
    assert hint in [c.value for c in at.caption]
    _full_npz(tmp_path, "mnist.npz", (28, 28), 60_000, 10_000)
    _full_npz(tmp_path, "cifar10.npz", (32, 32, 3), 50_000, 10_000)
    monkeypatch.setenv("CNNWEB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CNNWEB_NO_DOWNLOAD", "1")
    assert all(d.n_train and not d.is_sample for d in data.dataset_status())
    at = _open("home")
    assert hint not in [c.value for c in at.caption]
    assert sum("60,000" in m.value or "50,000" in m.value for m in at.markdown) == 2


def test_home_says_in_chinese_that_a_dataset_is_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("CNNWEB_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(data, "sample_path", lambda name: tmp_path / "none.npz")
    monkeypatch.setattr(paths, "data_dir", lambda: tmp_path)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    at = _open("home")
    missing = [m.value for m in at.markdown if "没有找到 MNIST" in m.value]
    assert missing and "not found" not in missing[0], [m.value for m in at.markdown]


# ---------------------------------------------------------------- the Trainer's image count

def test_trainer_says_a_limit_cuts_the_training_images():
    at = _open("trainer", state={"tr_limit": 500})
    line = i18n.t("tr.data_limit", lang="zh", n=500)
    assert any(line in e.value for e in [*at.caption, *at.warning])
    at = _open("trainer")
    assert not any("500" in e.value for e in [*at.caption, *at.warning])


# ---------------------------------------------------------------- Predict on a photo model

def _png(rgb) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.asarray(rgb, np.uint8)).save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize("picture,warned", [("drawing", True), ("colour", False)])
def test_photo_model_warns_on_a_drawing_and_names_classes_in_chinese(picture, warned,
                                                                      monkeypatch, fake_canvas):
    import streamlit

    rgb = drawing(strokes=seven())[..., :3] if picture == "drawing" else \
        np.random.default_rng(0).integers(0, 256, (64, 64, 3))
    monkeypatch.setattr(streamlit, "file_uploader",
                        lambda *a, **k: [Upload(f"{picture}.png", _png(rgb))])
    fake_canvas(None)
    at = _open("predict", state={"predict_model": "cnnweb_cifar"})
    text = " ".join(w.value for w in at.warning)
    assert (i18n.t("pred.not_a_photo", lang="zh", n=10, classes="、".join(CIFAR_ZH))[:20]
            in text) is warned, text
    facts = " ".join(c.value for c in at.caption)
    assert all(name in facts for name in CIFAR_ZH) and "airplane" not in facts
    assert i18n.t("pred.only_classes", lang="zh", n=10) in facts


# ---------------------------------------------------------------- Gallery comparison

def test_comparison_gives_identical_networks_one_label_and_keeps_datasets_apart():
    records = [
        {"name": "mnist_cnn", "params": 122_570, "macs": 3_000_000, "accuracy": 0.992,
         "dataset": "MNIST"},
        {"name": "cifar_cnn", "params": 122_570, "macs": 3_000_000, "accuracy": 0.731,
         "dataset": "CIFAR-10"},
        {"name": "lenet5", "params": 60_000, "macs": 400_000, "accuracy": 0.61,
         "dataset": "CIFAR-10"},
        {"name": "vgg16", "params": 15_000_000, "macs": 300_000_000, "accuracy": None,
         "dataset": ""}]
    fig = charts.arch_comparison_figure(records)
    labels = [text for trace in fig.data for text in trace.text]
    assert len(labels) == 3 and "mnist_cnn = cifar_cnn" in labels    # one point per network
    both = next(tr for tr in fig.data if "mnist_cnn = cifar_cnn" in tr.text)
    assert "MNIST 99.2%" in both.customdata[0][0] and "CIFAR-10 73.1%" in both.customdata[0][0]
    names = {trace.name for trace in fig.data}
    assert names == {"trained on MNIST and CIFAR-10", "trained on CIFAR-10", "not trained yet"}
    for trace in fig.data:                                    # no accuracy colour scale
        assert isinstance(trace.marker.color, str) and trace.marker.colorscale is None
    for name in names:
        assert i18n.term(name, "zh") != name


def test_comparison_labels_of_close_points_do_not_overlap():
    # lenet-like neighbours: same MACs decade, params 20% apart (would print on each other)
    pts = [(4.5e6, 122_570, "mnist_cnn = cifar_cnn"), (4.2e6, 100_000, "cnnweb_mnist_fast"),
           (1.5e7, 300_000, "cnnweb_mnist"), (1.3e7, 120_000, "inception10"), (1e9, 1e7, "vgg16")]
    where = charts._label_positions(pts)
    assert where[0] != where[1]                     # the two close neighbours take other sides
    assert len(where) == len(pts) and set(where) <= {"top center", "bottom center",
                                                      "middle right", "middle left"}


@pytest.mark.parametrize("lang, want, note", [
    ("en", "Conv2D 3×3, 1 filter, stride 2, dilation 2, 1 zero",
     "In Keras: ZeroPadding2D(1) followed by a 'valid' layer."),
    ("zh", "Conv2D 3×3，1 个卷积核，步长 2，膨胀率 2，1 个零",
     "在 Keras 中：ZeroPadding2D(1)，后面接一个 'valid' 层。")])
def test_a_layer_is_described_in_each_language_where_it_is_made(lang, want, note):
    # it was English with phrases replaced inside it ("1 filter" had its own phrase entry)
    from cnnweb.conv import LayerSpec

    spec = LayerSpec("conv", 3, stride=2, padding=1, dilation=2, filters=1)
    assert i18n.tr(stack.describe(spec), lang) == want
    assert [i18n.tr(n, lang) for n in stack.keras_notes(spec)][-1] == note
    assert i18n.tr(stack.describe(LayerSpec("maxpool", 2, stride=2)), lang) == (
        "MaxPool 2×2, stride 2, valid" if lang == "en" else "MaxPool 2×2，步长 2，valid")


def test_the_layer_table_config_column_is_words_of_each_language():
    keras = pytest.importorskip("keras")
    from cnnweb import summary

    x = keras.Input((8, 8, 1))
    a = keras.layers.Conv2D(2, 3, dilation_rate=2, padding="same")(x)
    b = keras.layers.Conv2D(2, 3, padding="same")(x)
    y = keras.layers.Dense(1)(keras.layers.Flatten()(keras.layers.Dropout(0.5)(
        keras.layers.Add()([a, b]))))
    rows = summary.layer_table(keras.Model(x, y))
    got = {r["type"]: (i18n.tr(r["config"], "en"), i18n.tr(r["config"], "zh")) for r in rows
           if r["config"]}
    assert got["Dense"] == ("1 unit", "1 个单元") and got["Add"] == ("2 inputs", "2 个输入")
    assert got["Dropout"] == ("rate 0.5", "比率 0.5")
    assert ("3x3 /1 same dil 2", "3x3 /1 same 膨胀 2") in [
        (i18n.tr(r["config"], "en"), i18n.tr(r["config"], "zh")) for r in rows]


def test_chart_panel_titles_are_made_in_the_readers_language():
    from cnnweb import filters

    step = filters.conv_step(np.ones((5, 5)), np.ones((3, 3)), 0, padding="same")

    def titles(fig):                       # on_axes panels: each x axis' title
        return [ax.title.text for ax in fig.select_xaxes() if ax.title.text]

    zh = titles(charts.conv_step_figure(step, np.ones((3, 3)), lang="zh"))
    assert zh[:2] == ["输入 5×5 + 全零填充（灰色）", "卷积核 3×3"], zh
    en = titles(charts.receptive_field_figure(np.ones((5, 5)), (0, 0, 2, 2), (3, 3), (0, 0)))
    assert en == ["input 5×5: pixels the cell sees (darker = more paths)",
                  "output 3×3: the chosen cell"], en
