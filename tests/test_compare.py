"""The pure parts of the run comparison and the clickable confusion matrix (issue 15 items 9, 10):
TensorBoard's smoothing, tick choices that never repeat a label, per-cell examples, display names."""

import json
import math

import numpy as np
import pytest

from cnnweb import charts, runs
from tests.helpers import handwritten_run


def test_smoothing_is_tensorboards_debiased_moving_average():
    values = [1.0, 2.0, 3.0, 4.0]
    w = 0.6
    out = charts.smooth(values, w)
    assert out[0] == pytest.approx(1.0)                     # debiased: not pulled towards 0
    # by hand: m1 = 0.4, m2 = 0.24 + 0.8 = 1.04 -> 1.04 / (1 - 0.36) = 1.625
    assert out[1] == pytest.approx(1.625)
    m = 0.0
    for i, v in enumerate(values, 1):
        m = w * m + (1 - w) * v
        assert out[i - 1] == pytest.approx(m / (1 - w ** i))
    assert charts.smooth(values, 0) == values
    assert charts.smooth([5.0] * 4, 0.9) == pytest.approx([5.0] * 4)   # a constant stays put


def test_smoothing_skips_missing_values_and_refuses_a_bad_weight():
    out = charts.smooth([1.0, None, float("nan"), 3.0], 0.5)
    assert out[1] is None and math.isnan(out[2])
    assert out[3] == pytest.approx((0.5 * 0.5 * 1 + 0.5 * 3) / (1 - 0.25))   # 2 values seen
    for bad in (1.0, -0.1, 2):
        with pytest.raises(ValueError, match="smoothing weight"):
            charts.smooth([1.0], bad)


def _labels(axis: dict, lo: float, hi: float) -> list[str]:
    """The tick labels Plotly prints between lo and hi for percent_axis' settings."""
    step, decimals = axis["dtick"], int(axis["tickformat"][1:-1])
    first = math.ceil(lo / step - 1e-9)
    ticks = [k * step for k in range(first, int(hi / step + 1e-9) + 1)]
    return [f"{100 * x:.{decimals}f}%" for x in ticks]


@pytest.mark.parametrize("lo, hi", [(0.975, 0.99), (0.978, 0.989), (0.1, 0.99), (0.9812, 0.9815),
                                    (0.5, 0.5), (0.71, 0.74)])
def test_percent_ticks_never_repeat_a_label_and_say_their_value(lo, hi):
    axis = charts.percent_axis([lo, (lo + hi) / 2, hi])
    labels = _labels(axis, lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))
    assert len(labels) == len(set(labels))
    step, decimals = axis["dtick"], int(axis["tickformat"][1:-1])
    assert round(step * 100, decimals) == pytest.approx(step * 100)   # exact at that precision
    assert 1 <= (hi - lo) / step <= 8 or hi - lo < charts.MIN_PERCENT_SPAN


@pytest.mark.parametrize("values", [[0.5], [0.2, 0.2], [0.98123, 0.98124], [0.0, 1.0]])
def test_percent_axis_range_is_set_so_one_value_draws_a_handful_of_ticks(values):
    # one finished 1-epoch run in the comparison chart: Plotly's own ±1 range at a step made
    # for that one value drew ~100,000 ticks and froze Chromium for 40 s
    axis = charts.percent_axis(values)
    lo, hi = axis["range"]
    assert axis["autorange"] is False and lo <= min(values) and hi >= max(values)
    assert hi - lo >= charts.MIN_PERCENT_SPAN
    assert 2 <= len(_labels(axis, lo, hi)) <= 10


def test_old_format_repeated_labels_on_a_narrow_range():
    # what the issue saw: ticks 97.5% and 98% printed with ".0%" are both "98%"
    assert f"{97.5:.0f}" == f"{98.0:.0f}"
    assert charts.percent_axis([0.975, 0.99])["tickformat"] == ".1%"


def test_epoch_ticks_are_whole_numbers():
    for last, step in ((1, 1), (5, 1), (10, 1), (12, 2), (30, 5), (200, 20)):
        axis = charts.epoch_axis(last)
        assert axis["dtick"] == step and axis["tickformat"] == "d"


def test_overlay_escapes_names_smooths_and_logs():
    rows = [{"epoch": i, "val_loss": 1 / i, "val_accuracy": 0.9 + i / 100} for i in range(1, 6)]
    fig = charts.runs_overlay_figure([("<a href='x'>run</a>", rows)], "val_loss", smoothing=0.5,
                                     log_y=True)
    raw, smoothed = fig.data
    assert raw.name == smoothed.name == "&lt;a href='x'&gt;run&lt;/a&gt;"
    assert list(smoothed.y) == pytest.approx(charts.smooth([1 / i for i in range(1, 6)], 0.5))
    assert fig.layout.yaxis.type == "log" and fig.layout.xaxis.dtick == 1
    acc = charts.runs_overlay_figure([("a", rows)], "val_accuracy")
    assert len(acc.data) == 1 and (acc.layout.yaxis.tickformat, acc.layout.yaxis.dtick) == (".0%", 0.01)


def test_confusion_matrix_cells_carry_their_row_and_column_for_a_click():
    cm = [[5, 1, 0], [0, 4, 2], [1, 0, 6]]
    fig = charts.confusion_matrix_figure(cm, ["cat", "dog", "bird"], picked=(1, 2))
    heat, cells = fig.data
    assert heat.textfont.size >= 12
    assert [list(c[:2]) for c in cells.customdata][5] == [1, 2]
    assert fig.layout.shapes[0].x0 == 1.5 and fig.layout.shapes[0].y0 == 0.5
    point = {"customdata": [2, 0, 1, 14.3], "x": "cat", "y": "bird"}
    assert charts.picked_cell({"points": [point]}, (3, 3)) == (2, 0)
    assert charts.picked_cell({"points": [{"customdata": [5, 0]}]}, (3, 3)) is None


def test_cell_examples_keep_a_few_per_cell_most_confident_first_and_stay_bounded():
    true = np.array([0, 0, 0, 1, 1, 2, 0, 0])
    pred = np.array([0, 0, 1, 1, 0, 2, 0, 1])
    conf = np.array([0.9, 0.5, 0.8, 0.7, 0.6, 0.99, 0.95, 0.4])
    keep = runs.pick_cell_examples(true, pred, conf, per_cell=2)
    cells = {}
    for i in keep:
        cells.setdefault((true[i], pred[i]), []).append(i)
    assert cells == {(0, 0): [6, 0], (0, 1): [2, 7], (1, 0): [4], (1, 1): [3], (2, 2): [5]}
    few = runs.pick_cell_examples(true, pred, conf, per_cell=2, total=3)
    assert len(few) == 3
    rng = np.random.default_rng(0)
    big = runs.pick_cell_examples(rng.integers(0, 100, 50_000), rng.integers(0, 100, 50_000),
                                  rng.random(50_000))
    assert len(big) == runs.MAX_CELL_IMAGES


def test_a_cell_reads_its_stored_images_and_old_runs_fall_back_to_mistakes(tmp_path):
    x = np.arange(4 * 2 * 2 * 1, dtype=np.uint8).reshape(4, 2, 2, 1)
    true, pred = np.array([3, 3, 5, 5]), np.array([5, 5, 5, 3])
    conf = np.array([0.9, 0.8, 0.7, 0.6], np.float32)
    runs.save_misclassified(tmp_path, x=x[[0, 1, 3]], true=true[[0, 1, 3]], pred=pred[[0, 1, 3]],
                            confidence=conf[[0, 1, 3]], index=[0, 1, 3])
    old = runs.cell_examples(tmp_path, 3, 5)
    assert len(old["x"]) == 2 and runs.cell_examples(tmp_path, 5, 5)["x"].shape[0] == 0
    runs.save_cell_examples(tmp_path, x=x, true=true, pred=pred, confidence=conf,
                            index=np.arange(4))
    assert runs.cell_examples(tmp_path, 5, 5)["index"].tolist() == [2]
    (tmp_path / runs.CELLS).write_bytes(b"not a zip")          # damaged: back to the mistakes
    assert len(runs.cell_examples(tmp_path, 3, 5)["x"]) == 2
    assert runs.cell_examples(tmp_path / "nothing", 3, 5) is None


def test_display_names_are_checked_stored_and_cleared(tmp_path):
    assert runs.set_display_name(tmp_path, "  Ada's <b>run</b>  ") == "Ada's <b>run</b>"
    assert runs.read_display_name(tmp_path) == "Ada's <b>run</b>"
    for bad, words in (("x" * 61, "at most 60 characters"), ("two\nlines", "line breaks")):
        with pytest.raises(ValueError, match=words):
            runs.set_display_name(tmp_path, bad)
    assert runs.read_display_name(tmp_path) == "Ada's <b>run</b>"   # a refused name writes nothing
    runs.write_json(tmp_path / runs.DISPLAY, {"name": "bad\x00name"})   # hostile file
    assert runs.read_display_name(tmp_path) == ""
    (tmp_path / runs.DISPLAY).write_text("{" + " " * 10_000 + "}")
    assert runs.read_display_name(tmp_path) == ""
    runs.set_display_name(tmp_path, "ok")
    runs.set_display_name(tmp_path, "")
    assert not (tmp_path / runs.DISPLAY).exists()


def test_summary_row_reads_best_metrics_over_whole_epochs(tmp_path):
    d = tmp_path / "r"
    d.mkdir()
    runs.write_config(d, {"arch": "mnist_cnn", "dataset": "mnist",
                          "config": {"batch_size": 32, "lr": 0.001, "optimizer": ["x"] * 9}})
    for e, acc, loss in ((1, 0.9, 0.3), (2, 0.95, 0.2), (3, 0.99, 0.5)):
        runs.append_metric(d, {"type": "epoch", "epoch": e, "val_accuracy": acc, "val_loss": loss,
                               **({"partial": True} if e == 3 else {})})
    row = runs.summary_row(runs.read_run(d))
    assert (row["best_accuracy"], row["best_epoch"], row["lowest_val_loss"]) == (0.95, 2, 0.2)
    assert row["epochs"] == 2 and row["batch_size"] == 32 and row["optimizer"] is None


@pytest.mark.parametrize("lang, want", [
    ("en", "cifar_cnn on cifar10, 1 epoch: finished, 70.12% test ({id})"),
    ("zh", "cifar_cnn，数据集 cifar10，1 轮：已完成，测试准确率 70.12%（{id}）")])
def test_a_run_line_is_one_message_in_each_language_with_a_singular_epoch(lang, want):
    # it was English with phrases replaced inside it: "1 epochs", and a dataset or model name
    # containing " on " or " epochs" would have been "translated" too
    from cnnweb import i18n

    path = handwritten_run("finished", test_accuracy=0.70123)
    run = runs.read_run(path)
    cfg = json.loads((path / "config.json").read_text())
    cfg["config"]["epochs"] = 1
    run = runs.Run(run.id, run.path, cfg, run.status)
    assert i18n.tr(runs.describe(run), lang) == want.format(id=run.id[:15])
    assert i18n.tr(runs.describe(run, with_state=False), lang).endswith(
        ("1 epoch (" if lang == "en" else "1 轮（") + run.id[:15] + (")" if lang == "en" else "）"))


def test_board_curves_tick_every_epoch_only_when_there_are_few():
    # a tick per epoch was fixed at dtick 1: a 200-epoch run printed 200 overlapping labels
    rows = [{"owner": "ana", "arch": "mnist_cnn", "curve": [(e, 0.5 + e / 1000) for e in
                                                           range(1, n + 1)]} for n in (3, 200)]
    short = charts.board_curves_figure(rows[:1]).layout.xaxis
    long = charts.board_curves_figure(rows).layout.xaxis
    assert short.dtick == 1 and long.dtick == 20 and long.tickformat == "d"
