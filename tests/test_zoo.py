"""cnnweb.zoo against the issue's exact counts and against Keras itself (shapes, parameters per
layer, receptive fields measured with gradients). Each model is built once per session."""

import functools
import subprocess
import sys

import numpy as np
import pytest

from cnnweb import conv, paths, summary, zoo
from tests.receptive import measured_rf

keras = pytest.importorskip("keras")

# The issue's counts, input 32x32x3 unless noted.
COUNTS_32 = {"mnist_cnn": 122_570, "cifar_cnn": 122_570, "baseline": 198_506,
             "bn_leaky_cnn": 592_554, "lenet5": 62_006, "alexnet8": 9_639_178,
             "vgg16": 15_262_026, "inception10": 121_418, "resnet18": 11_183_562}
# 28x28x1, derived by hand from the 32x32x3 counts: the first conv loses 2 input channels
# (kernel area x filters x 2 weights) and the first dense layer sees a smaller flattened map.
COUNTS_28 = {
    "mnist_cnn": 93_322,                                            # seed 001's printed total
    "cifar_cnn": 93_322,
    "baseline": 198_506 - 25 * 6 * 2 - 128 * (16 * 16 * 6 - 14 * 14 * 6),
    "bn_leaky_cnn": 592_554 - 9 * 32 * 2 - 128 * (8 * 8 * 64 - 7 * 7 * 64),
    "lenet5": 62_006 - 25 * 6 * 2 - 120 * (5 * 5 * 16 - 4 * 4 * 16),
    "alexnet8": 9_639_178 - 9 * 96 * 2 - 2048 * (2 * 2 * 256 - 1 * 1 * 256),
    "vgg16": 15_262_026 - 9 * 64 * 2,                               # pools to 1x1 either way
    "inception10": 121_418 - 9 * 16 * 2,                            # global average pooling
    "resnet18": 11_183_562 - 9 * 64 * 2,
}
SHAPES = {"32": (32, 32, 3), "28": (28, 28, 1)}


@functools.cache
def built(name, shape="32", classes=10):
    return zoo.build(name, SHAPES[shape], classes)


@functools.cache
def rows_of(name, shape="32"):
    return summary.layer_table(built(name, shape))


def test_every_architecture_of_the_issue_is_listed_with_info():
    assert set(COUNTS_32) <= set(zoo.names())
    for name in COUNTS_32:
        info = zoo.info(name)
        assert info["description"] and info["source"] and "dropout" in info["hyperparams"]
        assert len(info["input_shape"]) == 3


@pytest.mark.parametrize("name", sorted(COUNTS_32))
@pytest.mark.parametrize("shape", ["32", "28"])
def test_exact_parameter_count(name, shape):
    want = (COUNTS_32 if shape == "32" else COUNTS_28)[name]
    model = built(name, shape)
    assert model.count_params() == want
    assert summary.totals(rows_of(name, shape))["params"] == want


@pytest.mark.parametrize("name", sorted(COUNTS_32))
@pytest.mark.parametrize("shape", ["32", "28"])
def test_summary_matches_keras_layer_by_layer(name, shape):
    model = built(name, shape)
    rows = rows_of(name, shape)
    assert [r["name"] for r in rows] == [layer.name for layer in model.layers]
    for row, layer in zip(rows, model.layers, strict=True):
        assert row["computed_by"] == "cnnweb.conv", row
        assert row["output_shape"] == tuple(layer.output.shape[1:]), row["name"]
        assert row["params"] == layer.count_params(), row["name"]
        trainable = sum(int(np.prod(w.shape)) for w in layer.trainable_weights)
        assert (row["trainable"], row["non_trainable"]) == (trainable, layer.count_params() - trainable)
    t = summary.totals(rows)
    assert t["trainable"] == sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert t["flops"] == 2 * t["macs"] > 0


def test_models_take_raw_pixels_and_output_float32_probabilities():
    model = built("baseline", "28")
    assert [type(layer).__name__ for layer in model.layers[:2]] == ["InputLayer", "Rescaling"]
    x = np.random.default_rng(0).integers(0, 256, (3, 28, 28, 1), dtype=np.uint8)
    p = model.predict(x, verbose=0)
    assert p.shape == (3, 10) and p.dtype == np.float32
    np.testing.assert_allclose(p.sum(1), 1, rtol=1e-5)
    # Rescaling inside: feeding x/255 to the layers after it gives the same answer
    inner = keras.Model(model.layers[1].output, model.output)
    np.testing.assert_allclose(inner.predict(x.astype("float32") / 255, verbose=0), p, rtol=1e-5)


def test_macs_of_single_layers_follow_the_textbook_formulas():
    by = {r["name"]: r for r in rows_of("lenet5")}
    assert by["conv1"]["macs"] == 28 * 28 * 6 * (5 * 5 * 3)     # every output value: a 5x5x3 dot product
    assert by["conv2"]["macs"] == 10 * 10 * 16 * (5 * 5 * 6)
    assert by["pool1"]["macs"] == 14 * 14 * 6 * 4               # one compare per window element
    assert by["fc1"]["macs"] == 400 * 120
    res = {r["name"]: r for r in rows_of("resnet18")}
    assert res["res2a_short_conv"]["macs"] == 16 * 16 * 128 * 64  # 1x1 stride-2 shortcut
    assert res["res2a_1_conv"]["macs"] == conv.conv_macs(16, 16, 3, 64, 128)
    assert res["res2a_short_bn"]["non_trainable"] == 2 * 128
    inc = {r["name"]: r for r in rows_of("inception10")}
    assert inc["inc1a_concat"]["output_shape"] == (16, 16, 64)
    assert inc["gap"]["macs"] == 8 * 8 * 128


def test_receptive_fields_follow_conv_receptive_field_on_a_plain_stack():
    by = {r["name"]: r for r in rows_of("lenet5")}
    stack = [{"kernel": 5}, {"kernel": 2, "stride": 2}, {"kernel": 5}, {"kernel": 2, "stride": 2}]
    want = conv.receptive_field(stack)
    got = [(by[n]["rf_size"], by[n]["rf_jump"]) for n in ("conv1", "pool1", "conv2", "pool2")]
    assert got == [(r.size, r.jump) for r in want] == [(5, 1), (6, 2), (14, 2), (16, 4)]
    assert by["flatten"]["rf_size"] is None and by["fc1"]["rf_size"] is None


@pytest.mark.parametrize(("name", "layer"), [("bn_leaky_cnn", "block4_leaky"),
                                             ("inception10", "inc1a_concat"),
                                             ("resnet18", "res1b_relu")])
def test_receptive_field_equals_the_gradient_footprint_in_keras(name, layer):
    """Strided convs, a 4-branch Inception concat (max over paths) and a residual add."""
    size = 64
    model = zoo.build(name, (size, size, 3))
    rows = {r["name"]: r for r in summary.layer_table(model)}
    assert measured_rf(model, layer, size) == rows[layer]["rf_size"]


def test_branching_rf_is_the_widest_inbound_path():
    by = {r["name"]: r for r in rows_of("inception10")}
    branches = [by[f"inc1a_b{i}_relu"]["rf_size"] for i in (1, 2, 3, 4)]
    assert len(set(branches)) > 1      # the branches really differ (3, 7, 11, 5)
    assert by["inc1a_concat"]["rf_size"] == max(branches)


def test_other_class_counts_change_only_the_classifier():
    for name in ("lenet5", "inception10"):
        m3 = zoo.build(name, (32, 32, 3), 3)
        head = built(name).get_layer("logits")
        fan_in = head.kernel.shape[0]
        assert m3.output.shape[-1] == 3
        assert COUNTS_32[name] - m3.count_params() == (fan_in + 1) * (10 - 3)


def test_dropout_hyperparameter_sets_every_dropout_rate_and_keeps_the_count():
    plain = zoo.build("cifar_cnn")
    seed_variant = zoo.build("cifar_cnn", dropout=0.4)       # seed 002's fix for overfitting
    assert not [la for la in plain.layers if type(la).__name__ == "Dropout"]
    assert [la.rate for la in seed_variant.layers if type(la).__name__ == "Dropout"] == [0.4]
    assert seed_variant.count_params() == plain.count_params()
    vgg = zoo.build("vgg16", (8, 8, 1), dropout=0.3)
    rates = [la.rate for la in vgg.layers if type(la).__name__ == "Dropout"]
    assert len(rates) == 7 and set(rates) == {0.3}
    assert [la.rate for la in zoo.build("baseline", dropout=None).layers
            if type(la).__name__ == "Dropout"] == [0.2, 0.2]       # None = the default


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"name": "nope"}, "Unknown architecture"),
    ({"name": "lenet5", "input_shape": (12, 12, 1)}, "conv2"),
    ({"name": "alexnet8", "input_shape": (16, 16, 3)}, "shrink to nothing"),
    ({"name": "lenet5", "input_shape": (28, 28)}, "three positive"),
    ({"name": "lenet5", "num_classes": 1}, "at least 2"),
    ({"name": "lenet5", "dropout": 1.5}, "dropout"),
    ({"name": "lenet5", "dropout": "high"}, "dropout"),
    ({"name": "lenet5", "width": 2}, "no hyperparameter 'width'"),
])
def test_bad_input_raises_a_value_error_with_a_sentence(kwargs, words):
    kwargs = dict(kwargs)
    with pytest.raises(ValueError, match=words):
        zoo.build(kwargs.pop("name"), **kwargs)


def test_builders_work_under_mixed_precision_with_a_float32_softmax():
    policy = keras.mixed_precision.global_policy().name
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        for name, shape in (("bn_leaky_cnn", (28, 28, 1)), ("inception10", (16, 16, 3)),
                            ("resnet18", (8, 8, 1))):
            model = zoo.build(name, shape)
            assert model.get_layer("logits").compute_dtype == "float16"
            assert model.get_layer("probs").compute_dtype == "float32"
            p = model.predict(np.zeros((1, *shape), "uint8"), verbose=0)
            assert p.dtype == np.float32 and abs(float(p.sum()) - 1) < 1e-3
    finally:
        keras.mixed_precision.set_global_policy(policy)


def test_register_adds_a_recipe_and_refuses_a_duplicate_name(monkeypatch):
    monkeypatch.setattr(zoo, "_ARCHS", dict(zoo._ARCHS))

    @zoo.register("tiny_test", description="d", source="test", input_shape=(28, 28, 1),
                  hyperparams={"dropout": 0.1, "filters": 4}, shipped=True)
    def _tiny(x, num_classes, dropout, filters):
        x = zoo.cba(x, filters, 3, "b1")
        x = zoo.drop(zoo.flatten(x), dropout, "d1")
        return zoo.dense(x, num_classes, "logits")

    m = zoo.build("tiny_test", (28, 28, 1), 10, filters=2)
    assert m.count_params() == (9 * 2 + 2) + 4 * 2 + (28 * 28 * 2 * 10 + 10)
    assert zoo.info("tiny_test")["shipped"] is True
    with pytest.raises(ValueError, match="at least 1"):
        zoo.build("tiny_test", filters=0)
    with pytest.raises(ValueError, match="already registered"):
        zoo.register("tiny_test", description="", source="")(_tiny)


def test_summary_falls_back_to_keras_for_layer_types_it_does_not_model():
    inp = keras.Input((6, 6, 2))
    x = keras.layers.Conv2D(4, 3, name="c")(inp)
    x = keras.layers.EinsumDense("abcd,de->abce", output_shape=(4, 4, 5), bias_axes="e",
                                  name="ein")(x)
    x = keras.layers.LayerNormalization(name="ln")(x)
    model = keras.Model(inp, keras.layers.GlobalAveragePooling2D(name="g")(x))
    rows = {r["name"]: r for r in summary.layer_table(model)}
    assert rows["ein"]["computed_by"] == "keras" and rows["ein"]["params"] == 4 * 5 + 5
    assert rows["ein"]["output_shape"] == (4, 4, 5) and rows["ein"]["macs"] is None
    assert rows["ln"]["computed_by"] == "cnnweb.conv" and rows["ln"]["params"] == 10
    assert rows["g"]["computed_by"] == "cnnweb.conv" and rows["g"]["output_shape"] == (5,)
    assert summary.totals(list(rows.values()))["params"] == model.count_params()


def test_dot_diagram_shows_branches_and_skip_connections():
    inc = summary.to_dot(built("inception10"), rows_of("inception10"))
    assert inc.startswith("digraph") and inc.rstrip().endswith("}")
    assert sum(1 for line in inc.splitlines() if line.strip().endswith('-> "inc1a_concat";')) == 4
    res = summary.to_dot(built("resnet18"), rows_of("resnet18"))
    # identity shortcuts are dashed "skip" edges: 8 blocks, 3 of them with a 1x1 projection
    assert res.count('label="skip"') == 5
    assert '"res2a_short_conv" -> "res2a_add"' in res
    assert "BN · relu" in res      # conv, BN and ReLU drawn as one box


def test_format_table_ends_with_the_totals():
    text = summary.format_table(rows_of("baseline"))
    assert "Total params: 198,506 (trainable 198,494, non-trainable 12)" in text
    assert text.splitlines()[0].split()[:3] == ["Layer", "Type", "Config"]


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "cnnweb", *args], capture_output=True, text=True,
                          cwd=paths.ROOT, timeout=120, check=False)


def test_cli_summary_prints_the_table_with_totals(capsys):
    from cnnweb.__main__ import main

    assert main(["summary", "lenet5", "--input-shape", "28,28,1", "--classes", "5"]) == 0
    out = capsys.readouterr().out
    want = COUNTS_28["lenet5"] - (84 + 1) * 5
    assert f"Total params: {want:,}" in out
    assert "conv2" in out and "8x8x16" in out


def test_cli_summary_of_a_too_small_input_is_a_usage_error(capsys):
    from cnnweb.__main__ import main

    assert main(["summary", "lenet5", "--input-shape", "8,8,1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and "'conv2'" in err[0]


@pytest.mark.parametrize("args", [("summary", "nope"), ("summary", "lenet5", "--input-shape", "banana"),
                                  ("summary", "lenet5", "--classes", "x")])
def test_cli_summary_bad_arguments_exit_2_with_one_error_line(args):
    r = _cli(*args)     # a real process: these fail before TensorFlow is imported
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [r.stderr.strip()]
    assert r.stderr.startswith("error:") and "Traceback" not in r.stderr


# ---------------------------------------------------------------- the notes' numbers, derived

def _macs(name, **hp):
    model = zoo.build(name, zoo.info(name)["input_shape"], 10, **hp)
    return summary.totals(summary.layer_table(model))["macs"]


def _mac_claims(name):
    """(network the claim is about, hyperparameters) for each "about N million multiply-adds"
    in the note, in order: "At width W" before a claim is about that width, "tutorial 1's
    network" about mnist_cnn, anything else about the architecture itself."""
    import re

    text = zoo.info(name)["notes"]
    out = []
    for m in re.finditer(r"about ([\d.]+) million", text, re.IGNORECASE):
        before = text[max(m.start() - 40, 0):m.start()]
        width = re.search(r"width (\d+) \($", before)
        if width:
            out.append((m.group(1), name, {"width": int(width.group(1))}))
        elif "tutorial 1's network (" in before:
            out.append((m.group(1), "mnist_cnn", {}))
        else:
            out.append((m.group(1), name, {}))
    return out


@pytest.mark.parametrize("name", [n for n in zoo.names() if _mac_claims(n)])
def test_the_notes_multiply_add_claims_are_the_computed_counts_in_both_languages(name):
    """e.g. cnnweb_cifar at width 24: 22,031,808 multiply-adds, so "about 22 million" (it said
    20) and in Chinese "约 2200 万"."""
    import re

    from cnnweb import i18n

    claims = _mac_claims(name)
    zh = [int(n) * 10_000 for n in re.findall(r"约 (\d+) 万次", i18n.t(f"zoo.{name}.notes",
                                                                      lang="zh"))]
    assert len(zh) == len(claims), (name, zh)
    for (said, net, hp), said_zh in zip(claims, zh, strict=True):
        decimals = len(said.split(".")[1]) if "." in said else 0
        want = round(_macs(net, **hp) / 1e6, decimals)
        assert float(said) == want, (name, net, hp, said, want)
        assert said_zh == round(want * 1e6), (name, said_zh)


def test_cnnweb_cifar_at_width_24_has_22_031_808_multiply_adds():
    assert _macs("cnnweb_cifar", width=24) == 22_031_808
    assert "about 22 million" in zoo.info("cnnweb_cifar")["notes"]


def test_the_quick_cifar_net_is_the_plain_one_without_its_second_full_resolution_conv():
    plain, quick = zoo.build("cnnweb_cifar_plain"), zoo.build("cnnweb_cifar_quick")
    kept = {layer.name for layer in quick.layers}
    assert [layer.name for layer in plain.layers if layer.name not in kept] == ["block1b_conv"]
    assert quick.get_layer("block2a_conv").input.shape[1:3] == (16, 16)
    dropped = plain.get_layer("block1b_conv")
    assert plain.count_params() - quick.count_params() == dropped.count_params() == 9 * 32 * 32 + 32
    assert _macs("cnnweb_cifar_plain") - _macs("cnnweb_cifar_quick") == 32 * 32 * 9 * 32 * 32


@pytest.mark.parametrize("name", ["cnnweb_cifar_plain", "cnnweb_cifar_quick"])
def test_the_nets_without_batch_norm_see_pixels_centred_on_zero(name):
    import keras

    model = zoo.build(name)
    centre = keras.Model(model.input, model.get_layer("centre").output)
    x = np.zeros((1, 32, 32, 3), dtype=np.float32)
    x[0, 0, :3, 0] = [0, 51, 255]
    assert np.allclose(centre.predict(x, verbose=0)[0, 0, :3, 0], [-0.5, -0.3, 0.5])
    assert not any("_bn" in layer.name for layer in model.layers)
