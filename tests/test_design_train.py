"""Issue 13 §1: a network designed in the Explainer (stack:<code> plus a classifier head) is a
Keras model with readable names whose parameter count is the same in the Explainer, the Gallery's
`summary`, the Trainer and Keras' count_params(); bad codes are one-line refusals; a tiny run
trains it and stores it like any other model."""

import json
import os
import re
import subprocess
import sys
from urllib.parse import parse_qs

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from cnnweb import paths, stack, store, zoo
from cnnweb.__main__ import main

APP = str(paths.ROOT / "app.py")
pytestmark = pytest.mark.filterwarnings("ignore")

# strides, every padding (valid, same, full, zeros), dilation, depthwise, separable, transposed,
# no-bias layers, both head pools, hidden Dense and dropout, and an empty stack
CODES = [
    "stack:conv-k3-f32_max-k2-s2_conv-k3-f64_max-k2-s2_conv-k3-f64_flatten-d64",
    "stack:conv-k5-s2-same-f16_avg-k3-s2-same_sep-k3-f32_gap-d32-p0.25",
    "stack:conv-k3-full-f8_max-k2-s2-p1_dw-k3-d2-same_conv-k1-f4-nb_flatten-p0.5",
    "stack:conv-k3-s2-same-f16_tconv-k3-s2-same-f8_tconv-k4-s3-f4-nb_gap",
    "stack:conv-k3-d3-p2-f8_sep-k5-s2-f12-nb_dw-k3-s2_gap-d10",
    "stack:flatten",
]


def _count_params(model) -> int:
    return int(model.count_params())


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("shape", [(28, 28, 1), (32, 32, 3)])
def test_designed_networks_params_equal_keras_count_params_everywhere(code, shape):
    from cnnweb import summary

    layers, head = stack.parse_arch(code)
    explainer = stack.network(shape, layers, head, 10)
    model = zoo.build(code, shape, 10)
    assert explainer.params == _count_params(model)                       # Explainer, Trainer
    assert summary.totals(summary.layer_table(model))["params"] == explainer.params   # Gallery
    assert type(model).__name__ == "Functional"
    per_layer = {r.name: r.params for r in explainer.head}
    for name, params in per_layer.items():
        assert model.get_layer(name).count_params() == params


def test_layer_names_are_readable_in_order():
    model = zoo.build(CODES[2], (28, 28, 1), 10)
    assert [layer.name for layer in model.layers] == [
        "image", "rescale", "conv1_pad", "conv1", "pool1_pad", "pool1", "dwconv1", "conv2",
        "flatten", "dropout1", "predictions", "probs"]
    model = zoo.build(CODES[1], (32, 32, 3), 10)
    assert [layer.name for layer in model.layers][2:] == [
        "conv1", "pool1", "sepconv1", "gap", "dense1", "dropout1", "predictions", "probs"]
    assert model.get_layer("conv1").activation.__name__ == "relu"
    assert model.get_layer("dropout1").rate == 0.25


def test_the_default_stack_and_head_are_tutorial_1s_network():
    layers = stack.PRESETS[stack.DEFAULT_PRESET].layers
    assert stack.network((28, 28, 1), layers).params == 93_322 == \
        _count_params(zoo.build("mnist_cnn", (28, 28, 1), 10))


@pytest.mark.parametrize("code, head", [
    ("stack:conv-k3-f32-nb_max-k2-s2_gap-d128-p0.5", None),
    ("stack:dw-k3-d2-same_tconv-k3-s2-same-f4", "flatten"),
    ("stack:conv-k3-full-f8", "gap-p0.125"),
])
def test_arch_codes_round_trip_with_the_head_written_out(code, head):
    layers, h = stack.parse_arch(code, head)
    full = stack.arch_id(layers, h)
    assert stack.parse_arch(full) == (layers, h)
    assert full.rsplit("_", 1)[-1] == stack.encode_head(h)
    assert (layers[0].use_bias is False) == ("-nb" in code.split("_")[0])


@pytest.mark.parametrize("code, head, words", [
    ("conv-k3-f32", None, "starts with 'stack:'"),
    ("stack:conv-k3-fx", None, "Layer 1 of the code: in 'conv-k3-fx', filters"),
    ("stack:blob-k3", None, "does not start with a layer kind"),
    ("stack:gap_conv-k3", None, "must be the last part"),
    ("stack:conv-k3_gap-d0", None, "units must be a whole number from 1 to 4096"),
    ("stack:conv-k3_gap-p1", None, "'p1' is not understood"),
    ("stack:conv-k3", "pool", "must start with flatten or gap"),
    ("stack:conv-k3_gap", "flatten", "give one"),
    ("stack:" + "conv-k3_" * 300, None, "characters long"),
])
def test_bad_codes_say_what_is_wrong(code, head, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        stack.parse_arch(code, head)


def test_layers_keras_cannot_train_get_a_clear_message():
    for code, words in (("stack:conv-k3-s2-d2-f8", "cannot train stride 2 together with dilation"),
                        ("stack:dw-k3-s3-d2", "layer 1 (DepthwiseConv2D)")):
        with pytest.raises(ValueError, match=re.escape(words)):
            zoo.info(code)
    # the pure check says why a transposed conv with numeric padding cannot be built
    problem = stack.keras_problem([stack.LayerSpec("transposed", 3, 2, 1, filters=4)])
    assert "only valid or same padding" in problem
    with pytest.raises(ValueError, match="cannot take a 28x28x1 input: Layer 5"):
        zoo.build("stack:" + "_".join(["max-k2-s2"] * 5), (28, 28, 1), 10)


# ---------------------------------------------------------------- the command line

def _one_line_exit_2(capsys, argv, words):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and words in err[0], err


@pytest.mark.parametrize("argv, words", [
    (["--arch", "stack:conv-k3-fx"], "filters must be a whole number"),
    (["--arch", "stack:conv-k3", "--head", "max"], "must start with flatten or gap"),
    (["--arch", "mnist_cnn", "--head", "gap"], "--head is only for --arch stack:<code>"),
    (["--arch", "stack:conv-k3-f8", "--dropout", "0.3"], "sets its dropout in the head"),
    (["--arch", "stack:conv-k3-s2-d2-f8"], "stride 2 together with dilation 2"),
    (["--arch", "stack:" + "_".join(["max-k2-s2"] * 5)],
     "cannot take MNIST's 28x28x1 input: Layer 5 (MaxPool)"),
])
def test_train_cli_refuses_bad_codes_with_one_line_and_exit_2(capsys, argv, words):
    _one_line_exit_2(capsys, ["train", *argv, "--dataset", "mnist"], words)
    assert not paths.runs_dir().exists() or not any(paths.runs_dir().iterdir())  # nothing started


def test_summary_cli_shows_the_designed_network_and_refuses_bad_codes(capsys):
    assert main(["summary", "stack:conv-k3-f32_max-k2-s2", "--head", "gap-d16-p0.5",
                 "--input-shape", "32,32,3"]) == 0
    out = capsys.readouterr().out
    layers, head = stack.parse_arch("stack:conv-k3-f32_max-k2-s2", "gap-d16-p0.5")
    n = stack.network((32, 32, 3), layers, head).params
    assert f"Total params: {n:,} " in out and "dropout1" in out and "predictions" in out
    _one_line_exit_2(capsys, ["summary", "stack:conv-k3_blob"], "Layer 2 of the code")
    _one_line_exit_2(capsys, ["summary", "stack:" + "_".join(["max-k2-s2"] * 5)],
                     "cannot take a 28x28x1 input")


@pytest.mark.slow
def test_tiny_1epoch_run_on_300_images_stores_the_designed_network(tmp_path, capsys):
    """A toy run (300 MNIST sample images, one epoch): the model is stored with its sidecar,
    listed by `models`, shown by the Gallery and used by `predict` like any other."""
    code, head, name = "stack:conv-k3-f8_max-k2-s2_conv-k3-s2-same-f16-nb", "gap-d16-p0.25", \
        "designed-tiny"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CNNWEB_DATA_DIR": str(tmp_path / "none")}
    r = subprocess.run([sys.executable, "-m", "cnnweb", "train", "--arch", code, "--head", head,
                        "--dataset", "mnist", "--epochs", "1", "--limit", "300", "--name", name],
                       capture_output=True, text=True, cwd=paths.ROOT, env=env, timeout=300,
                       check=False)
    assert r.returncode == 0, r.stderr
    full = stack.arch_id(*stack.parse_arch(code, head))
    meta = store.load_meta(name)
    assert meta["arch"] == full and meta["input_shape"] == [28, 28, 1]
    model = store.load_model(name)
    assert meta["params"] == _count_params(model) == \
        stack.network((28, 28, 1), *stack.parse_arch(full)).params
    assert [la.name for la in model.layers][-4:] == ["dense1", "dropout1", "predictions", "probs"]
    run_folder = next(p for p in paths.runs_dir().iterdir() if p.is_dir()).name
    assert "-stack-mnist-" in run_folder and ":" not in run_folder
    assert main(["models", "--json"]) == 0
    listed = {m["name"]: m for m in json.loads(capsys.readouterr().out)}
    assert listed[name]["arch"] == full and not listed[name]["error"]
    from PIL import Image

    digit = np.zeros((28, 28), np.uint8)
    digit[6:22, 12:16] = 255
    Image.fromarray(digit).save(tmp_path / "one.png")
    assert main(["predict", "--model", name, str(tmp_path / "one.png"), "--json"]) == 0
    row = json.loads(capsys.readouterr().out.splitlines()[0])
    assert row["label"] in meta["class_names"] and len(row["top"]) == 3
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/gallery.py").run()
    at.radio(key="gallery_view").set_value("Trained models").run()
    at.selectbox(key="gallery_model").set_value(name).run()
    assert not at.exception
    assert any(f"{meta['params']:,}" in c.value for c in at.caption)


# ---------------------------------------------------------------- the pages (AppTest)

def _page(page, query):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_trainer_prefills_the_designed_network_from_its_link():
    code = "stack:conv-k3-f32_max-k2-s2_sep-k3-f16-nb"
    at = _page("pages/trainer.py", {"arch": code, "head": "gap-d32", "dataset": "cifar10"})
    full = stack.arch_id(*stack.parse_arch(code, "gap-d32"))
    assert at.selectbox(key="tr_arch").value == full
    assert at.radio(key="tr_dataset").value == "cifar10"
    n = stack.network((32, 32, 3), *stack.parse_arch(full)).params
    assert any(f"{n:,} parameters on 32×32×3" in c.value for c in at.caption)
    assert not at.error
    at.radio(key="tr_dataset").set_value("mnist").run()          # the count follows the data
    n1 = stack.network((28, 28, 1), *stack.parse_arch(full)).params
    assert any(f"{n1:,} parameters on 28×28×1" in c.value for c in at.caption)


def test_trainer_refuses_a_bad_link_in_one_line_and_keeps_the_defaults():
    at = _page("pages/trainer.py", {"arch": "stack:conv-k3-fx", "dataset": "cifar10"})
    assert [e.value for e in at.error] and len(at.error) == 1
    assert "filters must be a whole number" in at.error[0].value.replace("\\", "")
    assert at.selectbox(key="tr_arch").value == "mnist_cnn"
    assert at.radio(key="tr_dataset").value == "mnist"


def test_explainer_head_counts_in_the_total_and_the_train_link_carries_it():
    at = _page("pages/explainer.py", {"head": "gap-d32-p0.5", "classes": "10"})
    layers = stack.PRESETS[stack.DEFAULT_PRESET].layers
    net = stack.network((28, 28, 1), layers, stack.decode_head("gap-d32-p0.5"))
    assert {m.label: m.value for m in at.metric}["Parameters"] == f"{net.params:,}"
    heads = [d.value for d in at.dataframe if "params formula" in d.value.columns][-1]
    assert list(heads["layer"]) == ["GlobalAveragePooling2D", "Dense 32, ReLU", "Dropout 0.5",
                                    "Dense 10, softmax"]
    (link,) = [p for p in at.get("page_link") if p.proto.page == "trainer"]
    q = {k: v[0] for k, v in parse_qs(link.proto.query_string).items()}
    assert q == {"arch": stack.ARCH_PREFIX + stack.encode_stack(layers), "head": "gap-d32-p0.5",
                 "dataset": "mnist"}
    # a switch of the head goes back into the page's own link
    at.segmented_control(key="hd_pool").set_value("flatten")
    at.number_input(key="hd_units").set_value(0).run()
    assert at.query_params["head"] == "flatten-p0.5"
    # bias off: the Trainer gets no-bias layers
    at.toggle(key="bias").set_value(False).run()
    (link,) = [p for p in at.get("page_link") if p.proto.page == "trainer"]
    assert "conv-k3-f32-nb" in parse_qs(link.proto.query_string)["arch"][0]


def test_explainer_says_why_a_stack_cannot_be_trained():
    at = _page("pages/explainer.py", {"layers": "conv-k3-s2-d2-f8", "ch": "2"})
    (link,) = [p for p in at.get("page_link") if p.proto.page == "trainer"]
    assert link.proto.disabled
    assert any("MNIST 1, CIFAR-10 3" in c.value for c in at.caption)
    at.number_input(key="ch").set_value(3).run()
    assert any("stride 2 together with dilation 2" in c.value for c in at.caption)
    at = _page("pages/explainer.py", {"head": "gap-x"})
    assert any("classifier head could not be read" in e.value for e in at.error)
