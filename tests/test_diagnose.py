"""cnnweb.diagnose on the seeds' own histories, synthetic edge cases, and one real overfitting run."""

import math

import pytest

from cnnweb import diagnose, i18n, jobs, paths, runs, train
from tests.helpers import SEED002

# seed 002's remedy: Dropout(0.4), 15 epochs, 73.29%: no overfitting
SEED002_DROPOUT = {
    "loss": [1.5991, 1.2697, 1.1372, 1.0468, 0.9842, 0.9279, 0.8926, 0.8517, 0.8212, 0.8004,
             0.7729, 0.7541, 0.7330, 0.7204, 0.6966],
    "accuracy": [0.4103, 0.5447, 0.5962, 0.6295, 0.6517, 0.6723, 0.6842, 0.6993, 0.7099, 0.7171,
                 0.7263, 0.7346, 0.7408, 0.7458, 0.7535],
    "val_loss": [1.2660, 1.1952, 1.0070, 0.9739, 0.8994, 0.8807, 0.8701, 0.8823, 0.8147, 0.7914,
                 0.8080, 0.8217, 0.7825, 0.7820, 0.7707],
    "val_accuracy": [0.5516, 0.5719, 0.6447, 0.6545, 0.6838, 0.6915, 0.6974, 0.6904, 0.7160,
                     0.7226, 0.7227, 0.7129, 0.7264, 0.7262, 0.7329],
}


def _rows(hist):
    return [{"epoch": i + 1, **{k: v[i] for k, v in hist.items()}} for i in range(len(hist["loss"]))]


def test_seed_002_overfits_from_epoch_8_with_concrete_remedies():
    v = diagnose.diagnose(SEED002, hyperparams={"dropout": 0.0, "lr": 1e-3}, has_batchnorm=False)
    assert v["verdict"] == "overfitting"
    assert v["best_epoch"] == 7 and v["began_epoch"] == 8
    assert v["marker"] == {"epoch": 8, "label": "overfitting from epoch 8"}
    text = " ".join(v["remedies"])
    assert "epoch 7" in text and "0.857" in text           # early stopping at the best epoch
    assert "Dropout(0.4)" in text and "73.29%" in text      # the seed's own fix
    assert "augmentation" in text.lower() and "Weight decay" in text
    assert "73.79%" in text                                 # BN net suggested: this one has none
    assert any("0.8565" in d or "0.857" in d for d in v["details"])


def test_seed_002_dropout_remedy_is_not_overfitting():
    v = diagnose.diagnose(_rows(SEED002_DROPOUT), hyperparams={"dropout": 0.4})
    assert v["verdict"] == "learning" and v["best_epoch"] == 15 and v["marker"] is None


def test_remedies_skip_what_the_run_already_does():
    hp = {"dropout": 0.5, "augment": True, "weight_decay": 1e-4}
    text = " ".join(diagnose.diagnose(SEED002, hyperparams=hp, has_batchnorm=True)["remedies"])
    assert "raise it from 0.5 to 0.6" in text
    assert "augmentation" not in text.lower() and "Weight decay" not in text
    assert "BatchNormalization" not in text
    small = diagnose.diagnose(SEED002, hyperparams={"limit": 500}, n_train=450)
    assert "only 450 images" in " ".join(small["remedies"])


def test_growing_accuracy_gap_alone_is_overfitting():
    n = 8
    hist = {"loss": [1.0 - 0.1 * i for i in range(n)],
            "accuracy": [0.60 + 0.05 * i for i in range(n)],
            "val_loss": [0.9 - 0.01 * i for i in range(n)],          # still creeping down
            "val_accuracy": [0.60 + 0.005 * i for i in range(n)]}
    v = diagnose.diagnose(hist)
    assert v["verdict"] == "overfitting"
    assert v["began_epoch"] == 3                   # gap 0.09 at epoch 3, above 0.05 from then on
    assert not any("Early stopping" in r for r in v["remedies"])   # best epoch is the last


def test_noisy_early_gap_does_not_date_overfitting_too_early():
    """A real CIFAR run on 2,000 images (recorded): the gap wobbles around 0 for five epochs."""
    acc = [.152, .265, .322, .351, .399, .423, .452, .486, .515, .538, .564, .589, .615, .656, .673]
    vacc = [.215, .275, .325, .360, .405, .390, .400, .415, .420, .440, .420, .480, .470, .445, .530]
    vloss = [2.07, 1.90, 1.81, 1.72, 1.63, 1.67, 1.57, 1.56, 1.62, 1.65, 1.73, 1.60, 1.59, 1.66, 1.54]
    loss = [2.23, 1.99, 1.84, 1.75, 1.63, 1.59, 1.50, 1.40, 1.35, 1.27, 1.22, 1.14, 1.08, .98, .92]
    v = diagnose.diagnose({"loss": loss, "accuracy": acc, "val_loss": vloss, "val_accuracy": vacc})
    assert v["verdict"] == "overfitting" and v["began_epoch"] == 7


def test_underfitting_low_and_flat():
    hist = {"loss": [2.30, 2.29, 2.29, 2.29], "accuracy": [0.11, 0.12, 0.12, 0.12],
            "val_loss": [2.30, 2.30, 2.30, 2.30], "val_accuracy": [0.10, 0.11, 0.11, 0.11]}
    v = diagnose.diagnose(hist, hyperparams={"dropout": 0.5})
    assert v["verdict"] == "underfitting"
    assert "lower dropout from 0.5" in " ".join(v["remedies"])
    rising = {k: list(x) for k, x in hist.items()}
    rising["accuracy"] = [0.11, 0.2, 0.3, 0.4]                 # low but learning: not flat
    rising["val_accuracy"] = [0.11, 0.2, 0.3, 0.4]
    rising["val_loss"] = [2.3, 2.0, 1.8, 1.6]
    assert diagnose.diagnose(rising)["verdict"] == "learning"


def test_divergence_from_nan_history_or_status():
    v = diagnose.diagnose({"loss": [2.0, math.nan], "accuracy": [0.3, 0.1],
                           "val_loss": [2.0, math.nan], "val_accuracy": [0.3, 0.1]},
                          hyperparams={"lr": 0.1})
    assert v["verdict"] == "diverged" and v["began_epoch"] == 2
    assert "try 0.01 instead of 0.1" in v["remedies"][0]
    v = diagnose.diagnose([], diverged={"epoch": 1, "batch": 7})
    assert v["verdict"] == "diverged" and "epoch 1 batch 7" in v["summary"]


def test_too_early_and_no_validation():
    v = diagnose.diagnose(_rows(SEED002)[:1])
    assert v["verdict"] == "not clear yet" and v["marker"] is None and not v["remedies"]
    assert v["summary"] == "Not clear yet: 1 whole epoch so far, and the diagnosis needs at least 2."
    assert "2 个完整" not in i18n.tr(v["summary"], "zh") and "1 个完整" in i18n.tr(v["summary"], "zh")
    hist = {k: v for k, v in SEED002.items()}
    hist["val_loss"] = [None] * 10
    assert diagnose.diagnose(hist)["verdict"] == "no validation"


@pytest.mark.slow
def test_real_short_run_built_to_overfit_is_caught(tmp_path):
    """A real run, made to overfit on purpose: 400 MNIST images from the shipped sample, no
    dropout, small batches, 20 epochs. The diagnosis of the recorded history must say so."""
    cfg = train.TrainConfig(arch="mnist_cnn", dataset="mnist", epochs=20, batch_size=16,
                            dropout=0.0, limit=400, val_split=0.25, name="overfit-on-purpose",
                            data_path=str(paths.data_dir() / "mnist_sample.npz"))
    run_dir = train.prepare_run_dir(cfg, tmp_path / "run")
    assert train.run(cfg, run_dir, echo=False) == 0
    epochs = jobs.load_run(run_dir).epochs()
    assert len(epochs) == 20
    v = diagnose.diagnose(epochs, hyperparams=cfg.hyperparams(), n_train=300)
    assert v["verdict"] == "overfitting", v
    best = min(epochs, key=lambda e: e["val_loss"])
    assert best["epoch"] < 20 and epochs[-1]["loss"] < best["loss"]  # the textbook picture
    assert v["began_epoch"] == best["epoch"] + 1
    assert "only 300 images" in " ".join(v["remedies"])
    from cnnweb import store
    assert store.load_meta("overfit-on-purpose")["diagnosis"].startswith("Overfitting")


@pytest.mark.parametrize("name", list(train.PRESETS))
def test_presets_are_valid_configs(name):
    p = {k: v for k, v in train.PRESETS[name].items() if k != "seed_result"}
    cfg = train.TrainConfig(**p)
    cfg.check()
    train.check_arch_and_name(cfg)


# ---------------------------------------------------------------- whole epochs, sustained signals

def _hist(vloss, acc, vacc, loss=None):
    n = len(vloss)
    return {"loss": loss or [1.0 - 0.05 * i for i in range(n)], "accuracy": acc,
            "val_loss": vloss, "val_accuracy": vacc}


def _all_text(v, lang="en"):
    return " ".join(i18n.tr(x, lang) for x in [v["summary"], *v["details"], *v["remedies"]])


def test_a_run_stopped_in_epoch_2_is_judged_on_its_one_whole_epoch():
    """The issue's case (seed 001 preset stopped during epoch 2): val loss 0.058 -> 0.061 and a
    0.5-point gap in an epoch that never finished must not read "overfitting from epoch 2"."""
    rows = [{"epoch": 1, "loss": 0.20, "accuracy": 0.94, "val_loss": 0.058, "val_accuracy": 0.982,
             "partial": False},
            {"epoch": 2, "loss": 0.05, "accuracy": 0.985, "val_loss": 0.061, "val_accuracy": 0.980,
             "partial": True}]
    v = diagnose.diagnose(rows, hyperparams={"dropout": 0.0})
    assert v["verdict"] == "not clear yet" and v["marker"] is None and v["began_epoch"] is None
    text = _all_text(v)
    assert "verfitting from" not in text and "1 epochs" not in text
    assert "Epoch 2 stopped part-way and is left out" in text
    assert "第 2 轮在中途停止" in _all_text(v, "zh")
    # the same history with epoch 2 finished is still only one epoch of rise: not clear yet
    rows[1]["partial"] = False
    v = diagnose.diagnose(rows)
    assert v["verdict"] == "not clear yet" and v["best_epoch"] == 1
    assert "5.2% above it" in v["summary"] and "0.5 points" in v["summary"]


def test_overfitting_needs_the_stated_rise_for_the_stated_epochs_and_gap():
    """Histories built just above and just below each threshold of diagnose (VAL_RISE for
    SUSTAIN whole epochs with a GAP_MIN accuracy gap): only the one above all is overfitting."""
    k, rise, gap = diagnose.SUSTAIN, diagnose.VAL_RISE, diagnose.GAP_MIN
    best = 0.50

    def hist(r, epochs_up, g):
        vloss = [0.9, 0.7, best] + [best * (1 + r)] * epochs_up
        n = len(vloss)
        vacc = [0.80] * n
        return _hist(vloss, [a + g for a in vacc], vacc)

    assert diagnose.diagnose(hist(rise + 0.005, k, gap + 0.005))["verdict"] == "overfitting"
    for weaker in (hist(rise - 0.005, k, gap + 0.005),      # rise too small
                   hist(rise + 0.005, k - 1, gap + 0.005),  # not sustained
                   hist(rise + 0.05, k, gap - 0.005)):      # the accuracies agree
        v = diagnose.diagnose(weaker)
        assert v["verdict"] in ("not clear yet", "good"), v["verdict"]
        assert "verfitting from" not in v["summary"]
    v = diagnose.diagnose(hist(rise + 0.05, k, gap - 0.005))
    assert v["verdict"] == "not clear yet"
    assert v["remedies"] == [i18n.t("diag.rem.more_epochs")]


def test_the_rule_is_written_out_with_the_numbers_the_code_uses():
    v = diagnose.diagnose(SEED002)
    rule = v["details"][-1]
    assert rule == diagnose.rule()
    assert (f"for {diagnose.SUSTAIN} whole epochs in a row" in rule
            and f"at least {diagnose.VAL_RISE:.0%} above its best" in rule
            and f"at least {100 * diagnose.GAP_MIN:g} points" in rule
            and f"at least {100 * diagnose.BIG_GAP:g} points" in rule)
    zh = i18n.tr(rule, "zh")
    assert f"{diagnose.VAL_RISE:.0%}" in zh and f"{100 * diagnose.GAP_MIN:g} 个百分点" in zh


def test_early_stopping_remedy_says_1_epoch_not_1_epochs():
    vloss = [0.50, 0.60, 0.70, 0.80]
    v = diagnose.diagnose(_hist(vloss, [0.8, 0.9, 0.95, 0.99], [0.8, 0.78, 0.76, 0.74]))
    assert v["verdict"] == "overfitting" and v["best_epoch"] == 1
    text = _all_text(v)
    assert "train for 1 epoch," in text and "1 epochs" not in text
    later = diagnose.diagnose(_hist([0.9, *vloss], [0.7, 0.8, 0.9, 0.95, 0.99],
                                    [0.7, 0.8, 0.78, 0.76, 0.74]))
    assert "train for 2 epochs," in _all_text(later)


@pytest.mark.slow
def test_real_tiny_run_stopped_during_epoch_2_is_not_called_overfitting(tmp_path, monkeypatch):
    """A real training run on tiny data (200 images of the shipped MNIST sample, batch 16):
    the stop file is written the moment epoch 1's row is, so the run stops after the first
    batch of epoch 2, as when a student presses Stop. Its recorded history, read back the way
    the Trainer reads it (runs.diagnosis), is judged on the one whole epoch."""
    cfg = train.TrainConfig(arch="mnist_cnn", dataset="mnist", epochs=4, batch_size=16,
                            limit=200, val_split=0.25, name="stopped-in-epoch-2-tiny",
                            data_path=str(paths.data_dir() / "mnist_sample.npz"))
    run_dir = train.prepare_run_dir(cfg, tmp_path / "run")
    append = runs.append_jsonl

    def append_then_stop(path, row):
        append(path, row)
        if row.get("type") == "epoch" and row.get("epoch") == 1:
            (run_dir / "stop").touch()

    monkeypatch.setattr(runs, "append_jsonl", append_then_stop)
    assert train.run(cfg, run_dir, echo=False) == 0
    run = jobs.load_run(run_dir)
    epochs = run.epochs()
    assert [e["epoch"] for e in epochs] == [1, 2] and run.state == "stopped"
    assert epochs[1]["partial"] and not epochs[0]["partial"]
    v = runs.diagnosis(run)
    assert v["verdict"] == "not clear yet" and v["marker"] is None, v
    text = _all_text(v)
    assert "1 whole epoch so far" in text and "Epoch 2 stopped part-way" in text
    assert "verfitting" not in v["summary"] and "1 epochs" not in text
    from cnnweb import store
    assert store.load_meta("stopped-in-epoch-2-tiny")["diagnosis"].startswith("Not clear yet")
