"""No English left on a Chinese page (issue 15, item 17): every page, lesson, Explainer tab,
Gallery architecture and model, and the Predict page on every shipped model, run under AppTest
with ?lang=zh; every text it shows (tests/zh_words.py collects them) may hold only names the
Chinese tutorials also write in Latin letters. The words the check must catch are tested too."""

import pytest

from cnnweb import i18n, lessons, runs, store, ui, zoo
from tests.helpers import Upload, drawing, handwritten_run, open_page, seven
from tests.zh_words import english, english_on_page, figure_texts


def _open(page, state=None, **params):
    return open_page(page, lang="zh", params=params, state=state, timeout=180)


def _assert_chinese(at, allowed=frozenset(), where=""):
    found = english_on_page(at, allowed)
    words = sorted({w for _, _, bad in found for w in bad})
    assert not found, (where, words, [f"{kind}: {text}" for kind, text, _ in found][:6])


def _ids() -> set[str]:
    """Names that are ids, shown as such: models in the store, the zoo's architectures and the
    Keras applications it lists."""
    return {e.name for e in store.list_models()} | set(zoo.names()) | set(zoo.application_names())


# ---------------------------------------------------------------- the check itself

def test_the_check_flags_english_and_passes_names_glosses_paths_and_math():
    assert english("训练结束：stopped by request after 2 epochs") == ["stopped", "request",
                                                                   "after", "epochs"]
    assert english("共享行（share of row）") == []                  # gloss after a Chinese term
    assert english("share of row") == ["share", "row"]
    assert english("Conv2D 和 MaxPool，ReLU 激活，MNIST 与 CIFAR-10，12 MiB") == []
    assert english("来自 /work/data/mnist.npz 的 conv2d_1 层，$\\lceil n/s \\rceil$") == []
    assert english("Seed 001: MNIST CNN") == ["Seed"]
    assert english("鸟 bird 91.8%") == ["bird"]
    assert english("$$n_{out} = 5\\ \\text{split 1 before}$$") == ["out", "split", "before"]
    assert english("$$n_{\\text{输出}} = \\lfloor n/s \\rfloor$$") == []
    fig = {"layout": {"xaxis": {"title": {"text": "预测"}}, "coloraxis": {
        "colorbar": {"title": {"text": "share of row"}}}},
        "data": [{"type": "bar", "x": ["airplane", "猫"], "name": "val",
                  "hovertemplate": "row %{y}, col %{x}: %{z:,}<extra></extra>"}]}
    assert figure_texts(fig) == ["预测", "share of row", "val", "airplane", "猫",
                                 "row  , col  :  <extra></extra>"]
    assert english(figure_texts(fig)[-1]) == ["row", "col"]


# ---------------------------------------------------------------- the pages

def test_home_in_chinese():
    _assert_chinese(_open("home"), _ids() | {"mnist"})


def test_trainer_form_in_chinese():
    _assert_chinese(_open("trainer"), _ids() | {"mnist"})


@pytest.mark.parametrize("lesson", lessons.LESSONS)
def test_every_lesson_in_chinese(lesson):
    _assert_chinese(_open("lessons", lesson=lesson), _ids(), lesson)


@pytest.mark.parametrize("tab", ["xp.tab_table", "xp.tab_sliding", "xp.tab_rf", "xp.tab_cmp",
                                 "xp.tab_pooling"])
def test_every_explainer_tab_in_chinese(tab):
    at = _open("explainer", view=i18n.t(tab, lang="zh"))
    _assert_chinese(at, _ids(), tab)


def _layer_names(name, shape) -> set[str]:
    """The Keras layer names of a zoo model (ids shown in the layer table's first column)."""
    return {r["name"] for r in ui.zoo_analysis(name, shape, 10)["rows"]}


# (AppTest cannot rerun a page whose radio translates its options: it looks the raw value up
# among the labels; so each view below is a fresh run with its state set before the page opens)

@pytest.mark.parametrize("name", zoo.names())
def test_gallery_every_architecture_in_chinese(name):
    at = _open("gallery", state={"gallery_arch": name})
    shape = tuple(zoo.info(name)["input_shape"])
    shape = shape if shape in ((32, 32, 3), (28, 28, 1)) else (32, 32, 3)
    _assert_chinese(at, _ids() | _layer_names(name, shape), name)


def test_gallery_compare_in_chinese():
    at = _open("gallery", state={"gallery_view": "Compare all"})
    _assert_chinese(at, _ids() | {"mnist"}, "compare")


@pytest.mark.parametrize("name", [e.name for e in store.list_models()])
def test_gallery_every_trained_model_in_chinese(name):
    at = _open("gallery", state={"gallery_view": "Trained models", "gallery_model": name})
    _assert_chinese(at, _ids() | {"mnist"}, name)


@pytest.mark.parametrize("name", [e.name for e in store.list_models()])
def test_predict_every_shipped_model_in_chinese(name, monkeypatch, fake_canvas):
    """A drawn seven on the digit models; the same seven uploaded to the photo models, the case
    of a picture that is none of the model's classes."""
    import io

    import streamlit
    from PIL import Image

    canvas = drawing(strokes=seven())
    buf = io.BytesIO()
    Image.fromarray(canvas[..., :3]).save(buf, "PNG")
    monkeypatch.setattr(streamlit, "file_uploader",
                        lambda *a, **k: [Upload("seven.png", buf.getvalue())])
    fake_canvas(canvas)
    at = _open("predict", state={"predict_model": name})
    assert at.session_state["predict_model"] == name
    assert at.subheader, name                                  # a prediction is shown
    layers = set(at.selectbox(key=f"predict_layer_{name}").options)
    _assert_chinese(at, _ids() | {"mnist"} | layers, name)


@pytest.mark.parametrize("state", ["finished", "stopped"])
def test_trainer_run_view_in_chinese(state):
    """A run in the list: its status line and reason, device line, data source, curves and
    diagnosis, and for a finished run its results (confusion matrix, mistakes), all in Chinese;
    the device and the data source come translated from what the run recorded."""
    stopped = runs.reason("run.stopped_part", done=2, next=3) if state == "stopped" else {}
    d = handwritten_run(state, **stopped)
    at = _open("trainer")
    shown = " ".join(c.value for c in at.caption)
    assert "仅 CPU（2 核" in shown and "完整的 CIFAR\\-10" in shown, shown
    assert any(m.value.endswith(i18n.t("run.stopped_part", lang="zh", done=2, next=3))
               for m in at.markdown) == (state == "stopped")
    _assert_chinese(at, _ids() | {"mnist", d.name, "handmade"}, state)


def test_a_runs_recorded_device_and_data_source_come_back_as_messages(tmp_path):
    """runs.message_fields / runs.message: what a run writes (English text plus key and
    arguments, nested messages too) reads back as the same message, shown in any language; a
    hand-made or unknown key falls back to the recorded text."""
    src = i18n.Msg("ds.src_full", title="MNIST", path="/d/mnist.npz",
                   where=i18n.Msg("ds.where_data"), n=60_000)
    status = {**runs.message_fields("data_source", src), "device": "CPU only (2 cores)"}
    back = runs.message(status, "data_source")
    assert back == src and isinstance(back, i18n.Msg)
    assert i18n.tr(back, "zh") == "完整的 MNIST，来自 /d/mnist.npz（data/ 文件夹），训练集 60,000 张"
    assert runs.message(status, "device") == "CPU only (2 cores)"           # no key: the text
    forged = {**status, "data_source_key": "os.system", "data_source_args": {}}
    assert runs.message(forged, "data_source") == str(src)
