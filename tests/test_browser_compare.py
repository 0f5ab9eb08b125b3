"""The Trainer's run view and comparison in real headless Chromium (issue 15 items 9, 10, 12, 15):
a click on a confusion-matrix cell shows that cell's test images; the overlay smooths, switches
the loss to a log axis, hides runs and shows a renamed run's name as text; its ticks never repeat
a label; the form puts Start on the first screen; named text is never cut off.

The runs are fake folders written with cnnweb.runs (metric rows, result, example arrays), not
trained: the engine is tested in test_train / test_browser_trainer."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from cnnweb import charts, i18n, runs
from tests.helpers import settle, slider_value, streamlit_server

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots-h-compare")
VIEWPORTS = [(1280, 900), (1366, 768), (1280, 720)]

# val_accuracy 97.8% .. 98.9%: Plotly's own ticks (97.5%, 98%, 98.5%, 99%) printed "98%" and
# "99%" twice each with the ".0%" format the overlay had
VAL_ACC = {"fake_a": [0.978, 0.981, 0.983, 0.984, 0.983, 0.986, 0.987, 0.986, 0.988, 0.989],
           "fake_b": [0.979, 0.980, 0.982, 0.983, 0.982, 0.983, 0.985, 0.984, 0.986, 0.987],
           "fake_c": [0.980, 0.982, 0.984, 0.985]}
NAMES = [str(i) for i in range(10)]


def _fake_run(base: Path, tag: str, created: float, cell_images: dict) -> Path:
    """A finished (faked) mnist_cnn run: epoch rows, result with a confusion matrix, and the
    stored example arrays; cell_images maps (true, pred) to how many images that cell keeps."""
    d = base / f"20260101-00000{int(created) % 10}-mnist_cnn-mnist-{tag}"
    d.mkdir(parents=True)
    acc = VAL_ACC[tag]
    runs.write_config(d, {"run_id": d.name, "arch": "mnist_cnn", "dataset": "mnist",
                          "created": created, "owner": "",
                          "config": {"epochs": len(acc), "batch_size": 64, "lr": 1e-3,
                                     "optimizer": "adam", "dropout": 0.0, "augment": False},
                          "hyperparams": {"epochs": len(acc), "lr": 1e-3}})
    for i, a in enumerate(acc, 1):
        runs.append_metric(d, {"type": "epoch", "epoch": i, "loss": 0.5 / i, "accuracy": a + 0.005,
                               "val_loss": 0.4 / i + 0.02, "val_accuracy": a,
                               "images_per_s": 5000.0, "elapsed": 10.0 * i, "time": created + i})
    cm = np.full((10, 10), 1) + np.eye(10, dtype=int) * 95
    for (r, c), n in cell_images.items():
        cm[r, c] = max(cm[r, c], n)
    runs.write_result(d, {"name": f"{tag}_model", "test_accuracy": acc[-1], "test_loss": 0.05,
                          "confusion_matrix": cm.tolist(), "class_names": NAMES, "device": "CPU",
                          "images_per_s": 5000.0, "data_source": "fake", "data_is_sample": False,
                          "epochs_completed": len(acc), "best_epoch": len(acc),
                          "train_seconds": 100.0, "params": 1000,
                          "command": "python -m cnnweb train --arch mnist_cnn --dataset mnist"})
    rng = np.random.default_rng(int(created))
    cells = [(r, c) for (r, c), n in cell_images.items() for _ in range(n)]
    x = rng.integers(0, 255, (len(cells), 28, 28, 1), dtype=np.uint8)
    true, pred = (np.array([rc[k] for rc in cells]) for k in (0, 1))
    conf = np.linspace(0.99, 0.5, len(cells)).astype(np.float32)
    runs.save_cell_examples(d, x=x, true=true, pred=pred, confidence=conf, index=np.arange(len(x)))
    wrong = true != pred
    runs.save_misclassified(d, x=x[wrong], true=true[wrong], pred=pred[wrong],
                            confidence=conf[wrong], index=np.flatnonzero(wrong))
    runs.set_status(d, state="finished", reason="", epochs=len(acc), epoch=len(acc),
                    device="CPU", test_accuracy=acc[-1])
    return d


@pytest.fixture(scope="module")
def compare_app(tmp_path_factory):
    """A server of its own over three fake finished runs (fake_a is the newest)."""
    base = tmp_path_factory.mktemp("compare")
    folders = {"fake_a": _fake_run(base / "runs", "fake_a", 1_767_000_003,
                                   {(3, 5): 2, (5, 5): 3, (7, 1): 1}),
               "fake_b": _fake_run(base / "runs", "fake_b", 1_767_000_002, {(2, 7): 1}),
               "fake_c": _fake_run(base / "runs", "fake_c", 1_767_000_001, {})}
    with streamlit_server(base) as url:
        yield url, folders


def _open_trainer(page, url, lang="en", size=(1400, 1000)):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{url}/trainer" + ("?lang=zh" if lang == "zh" else ""))
    page.get_by_role("heading", name=i18n.t("nav.trainer", lang=lang), exact=True).wait_for(
        timeout=60_000)
    settle(page, quiet=1)


def _shot(page, name, full=True):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def _no_exception(page):
    assert page.locator("[data-testid='stException']").count() == 0


# ------------------------------------------------------------------ item 9

CM_CELL_XY = """([row, col]) => {
  const p = [...document.querySelectorAll('.js-plotly-plot')]
      .find(p => (p.data || []).some(t => t.type === 'heatmap'));
  p.scrollIntoView({block: 'center'});
  const l = p._fullLayout, b = p.getBoundingClientRect();
  return [b.left + l.xaxis._offset + l.xaxis.l2p(col), b.top + l.yaxis._offset + l.yaxis.l2p(row)];
}"""


def _images(page):
    return page.locator("img[src*='/media/']").count()


def _images_settled(page):
    """The number of pictures once it has stopped changing (a grid's images arrive one by
    one after the script run ends): two counts 0.6 s apart that agree."""
    settle(page, quiet=2)
    last = -1
    for _ in range(50):
        n = _images(page)
        if n == last:
            return n
        last = n
        page.wait_for_timeout(600)
    return last


def test_clicking_a_confusion_matrix_cell_shows_its_test_images(compare_app, page):
    url, _ = compare_app
    _open_trainer(page, url)
    page.get_by_text(i18n.t("tr.cm_click")).wait_for()
    page.get_by_text(i18n.t("tr.cm_click")).scroll_into_view_if_needed()
    page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot')].some("
                           "p => (p.data || []).some(t => t.type === 'heatmap'))", timeout=30_000)
    before = _images_settled(page)               # the mistakes grid
    for (row, col), shown in (((3, 5), 2), ((5, 5), 3)):
        x, y = page.evaluate(CM_CELL_XY, [row, col])
        page.mouse.click(x, y)
        page.get_by_text(re.compile(rf"True {row}, predicted {col}")).wait_for(timeout=30_000)
        assert _images_settled(page) == before + shown, (row, col)
    _shot(page, "cm_clicked_5_5")
    # the numbers in the cells are readable: at least 12 px
    font = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')]
        .find(p => (p.data || []).some(t => t.type === 'heatmap'))._fullData[0].textfont.size""")
    assert font >= 12
    grid = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')]
        .find(p => (p.data || []).some(t => t.type === 'heatmap'))._fullLayout.xaxis._length""")
    assert grid >= 400                           # the grid itself, in a 1400 px window
    _no_exception(page)


# ------------------------------------------------------------------ item 10

OVERLAY = """() => [...document.querySelectorAll('.js-plotly-plot')]
    .find(p => ((p.layout.yaxis || {}).title || {}).text !== undefined
               && (p.data || []).every(t => t.type === 'scatter')
               && (p.layout.legend || {}).orientation === 'h'
               && !(p.layout.xaxis2))"""


def _overlay(page, what):
    return page.evaluate(f"() => {{ const p = ({OVERLAY})(); return {what}; }}")


def _ticks(page, axis):
    return _overlay(page, f"[...p.querySelectorAll('.{axis}tick text')].map(t => t.textContent)")


def _set_slider(page, name, value):
    """Move a slider to value with the arrow keys, one step at a time, reading the value back
    after each (a rerun on a loaded machine can take the focus away mid-way)."""
    thumb = page.get_by_role("slider", name=name)
    for _ in range(60):
        now = slider_value(page, name)
        if now == pytest.approx(value):
            settle(page, quiet=1)
            return
        thumb.focus()
        thumb.press("ArrowRight" if now < value else "ArrowLeft")
        page.wait_for_timeout(100)
    raise AssertionError(f"slider {name!r} never reached {value}")


def test_overlay_smooths_logs_hides_renames_and_never_repeats_a_tick(compare_app, page):
    url, folders = compare_app
    _open_trainer(page, url, size=(1400, 1400))
    page.get_by_role("heading", name="Compare runs").scroll_into_view_if_needed()
    settle(page, quiet=1)
    page.wait_for_function(f"() => {{ const p = ({OVERLAY})(); return !!p && p.data.length === 3"
                           " && p.querySelectorAll('.ytick text').length >= 3; }", timeout=30_000)
    ys = _ticks(page, "y")
    assert len(ys) >= 3 and len(set(ys)) == len(ys), ys          # no "98%" twice
    for value, text in _overlay(page, "p._fullLayout.yaxis._vals.map(v => [v.x, v.text])"):
        assert float(text.rstrip("%")) / 100 == pytest.approx(value, abs=1e-9), (value, text)
    xs = _ticks(page, "x")
    assert xs and all(re.fullmatch(r"\d+", x) for x in xs), xs    # whole epochs
    assert _overlay(page, "p.data.length") == 3

    # smoothing 0.6: a faint raw line and the debiased moving average (TensorBoard's numbers)
    _set_slider(page, "Smoothing", 0.6)                      # 12 steps of 0.05
    page.wait_for_function(f"() => ({OVERLAY})().data.length === 6", timeout=30_000)
    shown = _overlay(page, "p.data.filter(t => t.showlegend !== false).map(t => t.y)")
    want = charts.smooth(VAL_ACC["fake_a"], 0.6)
    assert shown[0] == pytest.approx(want)

    # loss on a log axis
    page.get_by_role("radiogroup", name="Metric").get_by_text("val_loss", exact=True).click()
    settle(page, quiet=1)
    page.get_by_text("Log-scale loss").click()
    settle(page, quiet=1)
    assert _overlay(page, "p._fullLayout.yaxis.type") == "log"
    _shot(page, "overlay_log_smoothed")

    # hide a run: remove its chip from "Runs to overlay"
    chips = page.get_by_role("button", name=re.compile("^Remove"))
    n_before = _overlay(page, "p.data.length")
    chips.last.click()
    settle(page, quiet=1)
    assert _overlay(page, "p.data.length") == n_before - 2

    # rename: a name with markup is stored in the run folder and shown as text
    name = "<b>Ada's *run*</b>"
    page.get_by_label("New name (empty = none)", exact=True).fill(name)
    page.get_by_role("button", name="Rename", exact=True).click()
    settle(page, quiet=1)
    assert json.loads((folders["fake_a"] / runs.DISPLAY).read_text())["name"] == name
    page.wait_for_function(f"() => ({OVERLAY})().data.some(t => t.name.includes('Ada'))",
                           timeout=30_000)
    legend = _overlay(page, "[...p.querySelectorAll('.legendtext')].map(t => t.textContent)")
    assert any(t.startswith(name) for t in legend), legend        # literal, not bold
    assert page.locator("b", has_text="Ada").count() == 0
    # a name too long is refused with a sentence, nothing written
    page.get_by_label("New name (empty = none)", exact=True).fill("x" * 61)
    page.get_by_role("button", name="Rename", exact=True).click()
    page.get_by_text("Cannot rename: a run name has at most 60 characters").wait_for()
    assert json.loads((folders["fake_a"] / runs.DISPLAY).read_text())["name"] == name
    assert _overlay(page, "p.data.length") == n_before - 2       # the hidden run stays hidden
    _shot(page, "overlay_renamed")
    _no_exception(page)


# ------------------------------------------------------------------ items 12 and 15

CUT_OFF = """() => [...document.querySelectorAll(
      '[data-testid="stMain"] label, [data-testid="stMain"] button, [data-testid="stMain"] p,'
    + '[data-testid="stMetricValue"] div, [data-testid="stMetricLabel"] div, .katex-display')]
  .filter(e => e.offsetParent !== null && e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1
               && getComputedStyle(e).overflowX !== 'auto')
  .map(e => e.textContent.trim().slice(0, 60))"""


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("size", VIEWPORTS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_trainer_start_is_on_the_first_screen_and_nothing_is_cut_off(compare_app, page, lang,
                                                                      size):
    url, _ = compare_app
    _open_trainer(page, url, lang, size)
    start = page.get_by_role("button", name=i18n.t("tr.start", lang=lang))
    box = start.bounding_box()
    assert box["y"] + box["height"] <= size[1], box             # no scrolling to start a run
    _shot(page, f"trainer_{lang}_{size[0]}x{size[1]}_first", full=False)
    assert page.evaluate(CUT_OFF) == []
    # the diagnosis is as wide as the chart above it, not a strip beside it
    title = i18n.t("diag.title", lang=lang, verdict="").strip()
    verdict = page.get_by_text(title, exact=False).first.bounding_box()
    chart = page.locator(".js-plotly-plot").first.bounding_box()
    assert verdict["y"] > chart["y"] + chart["height"] - 1
    _shot(page, f"trainer_{lang}_{size[0]}x{size[1]}")
    _no_exception(page)
