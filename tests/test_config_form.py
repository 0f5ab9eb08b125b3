"""The Trainer's form generated from TrainConfig's field metadata (cnnweb.config.Form): what it
offers stays inside what check() accepts, its defaults are TrainConfig's, and the page builds
the run it shows from the session in one loop."""

from dataclasses import fields

import pytest

from cnnweb import config, jobs, train
from cnnweb.config import TrainConfig
from cnnweb.i18n import en, zh
from tests.helpers import open_page

pytestmark = pytest.mark.filterwarnings("ignore")


def test_every_form_field_has_a_label_in_both_catalogues_and_its_own_session_key():
    form = [f.metadata["form"] for f in config.form_fields()]
    assert len(form) == 17
    for lang in (en.MESSAGES, zh.MESSAGES):
        assert all(x.label in lang and (x.help is None or x.help in lang) for x in form)
    keys = [x.key for x in form]
    assert len(set(keys)) == len(keys) and "tr_preset" not in keys


def test_the_form_offers_only_values_check_accepts():
    for f in config.form_fields():
        form = f.metadata["form"]
        lo, hi = config.form_bounds(f)
        offered = form.options or f.metadata["choices"] or [v for v in (lo, hi) if v is not None]
        for v in offered:
            # the form's empty value means "none" (limit 0 = all images): from_form makes it None
            v = config.from_form({**_defaults(), f.name: v})[f.name]
            assert config.out_of_bounds(f, v) is None, (f.name, v)


def test_a_narrower_form_range_is_in_the_fields_type():
    by = {f.name: f for f in fields(TrainConfig)}
    assert config.form_bounds(by["epochs"]) == (1, 200)            # the CLI allows 1000
    assert config.form_bounds(by["limit"]) == (0, 60000)           # 0 = all, None in the run
    lo, hi = config.form_bounds(by["dropout"])
    assert (lo, hi) == (0.0, 0.8) and isinstance(lo, float)        # st.slider needs one type


def _defaults() -> dict:
    return {f.name: config.form_default(f) for f in config.form_fields()}


def test_the_forms_defaults_make_trainconfigs_defaults():
    assert _defaults()["limit"] == 0 and _defaults()["name"] == ""
    assert TrainConfig("mnist_cnn", "mnist", **config.from_form(_defaults())) == \
        TrainConfig("mnist_cnn", "mnist")


def test_form_values_are_cast_stripped_and_an_empty_optional_is_none():
    got = config.from_form({**_defaults(), "name": "  mine ", "limit": 500.0, "val_split": 0,
                            "epochs": 7.0, "augment": 1})
    assert (got["name"], got["limit"], got["epochs"], got["augment"]) == ("mine", 500, 7, True)
    assert type(got["val_split"]) is float and type(got["limit"]) is int
    assert config.from_form({**_defaults(), "name": "   "})["name"] is None


def test_a_preset_sets_what_it_names_resets_the_rest_and_keeps_seed_and_name():
    got = config.preset_form(train.PRESETS[train.FAST_MNIST])
    assert (got["batch_size"], got["schedule"], got["val_split"]) == (128, "onecycle", 0.0)
    assert got["limit"] == 0 and got["weight_decay"] == 0.0        # not in it: the defaults
    assert not {"seed", "name"} & set(got)
    assert got["mixed_precision"] is True       # a kept field the preset names: the preset's
    assert config.preset_form(train.PRESETS[train.PRESET_IDS["seed001"]])["mixed_precision"] is False
    unnamed = {k: v for k, v in train.PRESETS[train.FAST_MNIST].items() if k != "mixed_precision"}
    assert "mixed_precision" not in config.preset_form(unnamed)    # not named: the form keeps it


def test_start_submits_the_run_the_form_shows(monkeypatch):
    """The page's widgets found by their labels; jobs.submit faked to catch the config."""
    sent = []

    class Run:
        id = "fakerun1"

    monkeypatch.setattr(jobs, "submit", lambda cfg: sent.append(cfg) or Run())
    at = open_page("trainer", timeout=60)
    by_label = {w.label: w for kind in ("number_input", "slider", "select_slider", "radio",
                                        "checkbox", "text_input") for w in at.get(kind)}
    by_label["Epochs"].set_value(3)
    by_label["Training images to use (0 = all)"].set_value(1000)
    by_label["Batch size"].set_value(128)
    by_label["Learning rate"].set_value(3e-3)
    by_label["Optimizer"].set_value("sgd")
    by_label["Data augmentation"].check()
    by_label["Dropout"].set_value(0.25)          # mnist_cnn has a dropout hyperparameter
    by_label["Random seed"].set_value(7)
    by_label["Model name (empty: the run id)"].set_value(" my-net ")
    at.run()
    next(b for b in at.button if b.label == "Start training").click().run()
    assert not at.exception and len(sent) == 1, [e.value for e in at.error]
    assert sent[0] == TrainConfig(
        "mnist_cnn", "mnist", epochs=3, limit=1000, batch_size=128, lr=3e-3, optimizer="sgd",
        augment=True, seed=7, name="my-net", dropout=0.25)
    assert any("fakerun1" in s.value for s in at.success)
