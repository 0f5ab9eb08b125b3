"""cnnweb.conv against the truth: real Keras layers, and the seeds' reference facts."""

import random

import numpy as np
import pytest

from cnnweb import conv

keras = pytest.importorskip("keras")
layers = keras.layers


def _random_configs(n, seed):
    rng = random.Random(seed)
    out = []
    while len(out) < n:
        size, k = rng.randint(1, 64), rng.randint(1, 7)
        s, d = rng.randint(1, 4), rng.randint(1, 3)
        if s > 1 and d > 1:  # Keras/TensorFlow refuse strides > 1 together with dilation > 1
            d = 1
        out.append((size, k, s, rng.choice(["valid", "same"]), d))
    return out


CONFIGS = _random_configs(300, seed=1)
# TensorFlow's odd/even "same" cases, all present on purpose: even kernels, odd sizes, strides.
CONFIGS += [(size, k, s, "same", 1) for size in (5, 6, 7, 8) for k in (1, 2, 3, 4) for s in (1, 2, 3)]


def _keras_conv_out(size, k, s, padding, d):
    layer = layers.Conv2D(2, k, strides=s, padding=padding, dilation_rate=d)
    return layer.compute_output_shape((None, size, size, 3))[1]


def _batch_keras_sizes(configs):
    """Keras' answer for each config, or None when Keras refuses it (empty output)."""
    out = []
    for size, k, s, padding, d in configs:
        try:
            out.append(_keras_conv_out(size, k, s, padding, d))
        except ValueError:
            out.append(None)
    return out


def test_output_size_matches_keras_on_hundreds_of_random_configs():
    expected = _batch_keras_sizes(CONFIGS)
    agreed, refused = set(), 0
    for (size, k, s, padding, d), want in zip(CONFIGS, expected):
        if want is None or want <= 0:
            refused += 1
            with pytest.raises(ValueError):
                conv.output_size(size, k, s, padding, d)
        else:
            assert conv.output_size(size, k, s, padding, d) == want, (size, k, s, padding, d)
            agreed.add((padding, s > 1, d > 1, k % 2 == 0))
    # what the configs are for: both paddings met Keras with and without a stride, with and
    # without dilation (Keras refuses both at once), with odd and even kernels; and some sizes
    # Keras refuses were refused here too
    assert agreed >= {(p, s, d, even) for p in ("valid", "same") for s in (False, True)
                      for d in (False, True) for even in (False, True) if not (s and d)}, agreed
    assert refused > 0


def test_output_size_matches_a_real_forward_pass():
    """compute_output_shape could share a bug with us; run actual tensors through TensorFlow."""
    rng = random.Random(7)
    for size, k, s, padding, d in rng.sample(CONFIGS, 40):
        try:
            want = conv.output_size(size, k, s, padding, d)
        except ValueError:
            continue
        y = layers.Conv2D(1, k, strides=s, padding=padding, dilation_rate=d)(np.zeros((1, size, size, 1), "float32"))
        assert y.shape[1] == want, (size, k, s, padding, d)


@pytest.mark.parametrize("size,k,s", [(5, 2, 1), (6, 3, 2), (7, 4, 2), (8, 3, 3), (10, 4, 1), (9, 1, 2)])
def test_same_padding_puts_the_odd_zero_after_like_tensorflow(size, k, s):
    before, after = conv.same_padding(size, k, s)
    # Reproduce "same" by explicit zero padding then "valid": the results must be identical.
    x = np.random.default_rng(0).normal(size=(1, size, size, 1)).astype("float32")
    layer = layers.Conv2D(1, k, strides=s, padding="same")
    same = np.asarray(layer(x))
    padded = np.pad(x, ((0, 0), (before, after), (before, after), (0, 0)))
    valid = np.asarray(keras.ops.conv(padded, layer.kernel, strides=s, padding="valid")) + np.asarray(layer.bias)
    np.testing.assert_allclose(same, valid, rtol=1e-5, atol=1e-5)
    assert after - before in (0, 1)


def test_full_and_explicit_padding_match_zero_padding_layer():
    for size, k, p, s in [(5, 3, 1, 1), (7, 5, 2, 2), (4, 3, 0, 1), (6, 2, 3, 3)]:
        model = keras.Sequential([keras.Input((size, size, 1)), layers.ZeroPadding2D(p), layers.Conv2D(1, k, strides=s)])
        assert conv.output_size(size, k, s, p) == model.output_shape[1]
    assert conv.output_size(5, 3, 1, "full") == 7
    assert conv.padding_amounts(5, 3, 1, "full") == (2, 2)


def _keras_transposed_size(size, k, s, padding, op, d=1):
    """The side length a real Conv2DTranspose produces on a zero input, or None where
    TensorFlow refuses the shapes (or would produce an empty output)."""
    layer = layers.Conv2DTranspose(1, k, strides=s, padding=padding, output_padding=op,
                                   dilation_rate=d)
    try:
        out = layer(np.zeros((1, size, size, 1), "float32")).shape[1]
    except Exception:  # noqa: BLE001 - TensorFlow raises several kinds of error for this
        return None
    return out or None


def test_transposed_output_size_matches_what_keras_accepts_and_refuses():
    """Real layers run on zeros: where TensorFlow refuses ('same', an even kernel and
    output_padding 0: "Size of out_backprop doesn't match computed"; at size 1 oneDNN returns
    an empty output instead), cnnweb.conv raises; elsewhere the sizes agree."""
    rng = random.Random(3)
    cases = [(1, 2, 1, "same", 0, 1), (2, 2, 1, "same", 0, 1), (1, 2, 1, "same", None, 1),
             (2, 2, 1, "same", None, 1), (3, 4, 2, "same", 0, 1), (3, 4, 2, "same", 1, 1)]
    while len(cases) < 120:
        size, k, s = rng.randint(1, 9), rng.randint(1, 6), rng.randint(1, 3)
        op = rng.choice([None, None, rng.randint(0, s - 1)])
        # dilation stays 1: TensorFlow's plain CPU kernel has no dilated transposed convolution
        cases.append((size, k, s, rng.choice(["valid", "same"]), op, 1))
    refused = 0
    for size, k, s, padding, op, d in cases:
        want = _keras_transposed_size(size, k, s, padding, op, d)
        if want is None:
            refused += 1
            with pytest.raises(ValueError, match="TensorFlow refuses"):
                conv.transposed_output_size(size, k, s, padding, op, d)
        else:
            assert conv.transposed_output_size(size, k, s, padding, op, d) == want, (
                size, k, s, padding, op, d)
    assert refused >= 4   # the fixed cases above alone


def test_pooling_output_size_matches_keras():
    for size, pool, s, padding in [(28, 2, 2, "valid"), (27, 2, 2, "same"), (27, 3, 2, "valid"),
                                   (13, 3, 1, "same"), (8, 2, 2, "same"), (5, 3, 2, "same")]:
        for cls in (layers.MaxPooling2D, layers.AveragePooling2D):
            want = cls(pool, strides=s, padding=padding).compute_output_shape((None, size, size, 4))[1]
            assert conv.output_size(size, pool, s, padding) == want


def test_invalid_arguments_give_a_sentence():
    with pytest.raises(ValueError, match="larger than the padded input"):
        conv.output_size(3, 5)
    for bad in [{"size": 0, "kernel": 3}, {"size": 5, "kernel": 0}, {"size": 5, "kernel": 3, "stride": 0},
                {"size": 5, "kernel": 3, "padding": "mirror"}, {"size": 5, "kernel": 3, "padding": -1},
                {"size": 5, "kernel": 3, "dilation": 0}, {"size": 5.5, "kernel": 3},
                {"size": True, "kernel": 3}]:
        with pytest.raises(ValueError):
            conv.output_size(**bad)
    with pytest.raises(ValueError, match="smaller than the stride"):
        conv.transposed_output_size(4, 3, 2, "same", output_padding=2)


@pytest.mark.parametrize("call, words", [
    (lambda: conv.receptive_field([{"kernel": 3, "stride": 0}]), "stride must be"),
    (lambda: conv.receptive_field([{"kernel": 3, "dilation": 0}]), "dilation must be"),
    (lambda: conv.receptive_field([{"kernel": 3, "stride": 1.5}]), "stride must be"),
    (lambda: conv.receptive_field_counts([{"kernel": 3, "stride": 0}], 9, 0), "stride must be"),
    (lambda: conv.dense_params(-5, 10), "in_features must be"),
    (lambda: conv.dense_params(5, 0), "units must be"),
    (lambda: conv.dense_macs(5, -1), "units must be"),
    (lambda: conv.padding_amounts(-5, 3, padding=1), "size must be"),
    (lambda: conv.padding_amounts(5, 0, padding="full"), "kernel must be"),
    (lambda: conv.conv_macs(4, 4, 3, 6, 8, groups=4), "groups"),
    (lambda: conv.conv_macs(0, 4, 3, 4, 8), "output height must be"),
    (lambda: conv.depthwise_params(3, 4, depth_multiplier=0), "depth_multiplier must be"),
    (lambda: conv.depthwise_macs(4, 4, 3, 4, depth_multiplier=0), "depth_multiplier must be"),
    (lambda: conv.separable_params(3, 4, 8, depth_multiplier=0), "depth_multiplier must be"),
    (lambda: conv.separable_macs(4, 4, 3, 4, 0), "filters must be"),
    (lambda: conv.transposed_params(3, 0, 8), "in_channels must be"),
    (lambda: conv.pool_macs(4, 4, 2, 0), "channels must be"),
    (lambda: conv.analyze_stack(8, 8, 2, [conv.LayerSpec("depthwise", depth_multiplier=0)]),
     "depth_multiplier must be"),
])
def test_nonsense_arguments_are_refused_with_a_sentence(call, words):
    with pytest.raises(ValueError, match=words) as e:
        call()
    assert str(e.value).endswith(".")


# ------------------------------------------------------------------ parameters against count_params


def _built(layer, shape):
    layer.build((None, *shape))
    return layer


def test_conv_params_match_keras_on_random_configs():
    rng = random.Random(11)
    for _ in range(120):
        k, cin, f = rng.randint(1, 7), rng.randint(1, 16), rng.randint(1, 32)
        bias = rng.random() < 0.7
        layer = _built(layers.Conv2D(f, k, use_bias=bias), (16, 16, cin))
        assert conv.conv_params(k, cin, f, bias) == layer.count_params()


def test_grouped_conv_params_match_keras():
    layer = _built(layers.Conv2D(8, 3, groups=4), (10, 10, 4))
    assert conv.conv_params(3, 4, 8, True, groups=4) == layer.count_params()
    with pytest.raises(ValueError, match="groups"):
        conv.conv_params(3, 6, 8, groups=4)


def test_depthwise_separable_transposed_dense_params_match_keras():
    rng = random.Random(5)
    for _ in range(40):
        k, cin, f, dm = rng.randint(1, 5), rng.randint(1, 12), rng.randint(1, 20), rng.randint(1, 3)
        bias = rng.random() < 0.5
        dw = _built(layers.DepthwiseConv2D(k, depth_multiplier=dm, use_bias=bias), (12, 12, cin))
        assert conv.depthwise_params(k, cin, dm, bias) == dw.count_params()
        sep = _built(layers.SeparableConv2D(f, k, depth_multiplier=dm, use_bias=bias), (12, 12, cin))
        assert conv.separable_params(k, cin, f, dm, bias) == sep.count_params()
        tr = _built(layers.Conv2DTranspose(f, k, use_bias=bias), (6, 6, cin))
        assert conv.transposed_params(k, cin, f, bias) == tr.count_params()
        de = _built(layers.Dense(f, use_bias=bias), (cin * 7,))
        assert conv.dense_params(cin * 7, f, bias) == de.count_params()


@pytest.mark.parametrize("center,scale", [(True, True), (False, True), (True, False), (False, False)])
def test_batchnorm_trainable_and_non_trainable_match_keras(center, scale):
    bn = _built(layers.BatchNormalization(center=center, scale=scale), (4, 4, 24))
    trainable = sum(int(np.prod(w.shape)) for w in bn.trainable_weights)
    frozen = sum(int(np.prod(w.shape)) for w in bn.non_trainable_weights)
    assert conv.batchnorm_params(24, center, scale) == (trainable, frozen)


def test_seed_reference_parameter_counts():
    assert conv.conv_params(3, 1, 1) == 10          # seed: 3x3x1 + 1
    assert conv.conv_params(3, 3, 1) == 28          # seed: 3x3x3 + 1
    assert conv.conv_params(5, 3, 1) == 76          # seed: 5x5x3 kernel -> 76
    assert conv.conv_params(4, 3, 10) == 490        # (4x4x3 + 1) x 10
    assert conv.conv_params(3, 10, 20) == 1820      # (3x3x10 + 1) x 20
    two_3x3 = 2 * conv.conv_params(3, 1, 1)
    one_5x5 = conv.conv_params(5, 1, 1)
    assert (two_3x3, one_5x5) == (20, 26)
    rf = conv.receptive_field([{"kernel": 3}, {"kernel": 3}])
    assert rf[-1].size == conv.receptive_field([{"kernel": 5}])[-1].size == 5


def test_macs_match_tensorflow_profiler_flops():
    """TensorFlow's own graph profiler counts a conv's FLOPs as 2 x MACs (multiply + add)."""
    tf = pytest.importorskip("tensorflow")
    for size, k, s, cin, f, padding in [(12, 3, 1, 3, 8, "valid"), (9, 5, 2, 2, 4, "same")]:
        x = tf.TensorSpec((1, size, size, cin), tf.float32)
        w = tf.constant(np.ones((k, k, cin, f), "float32"))
        fn = tf.function(
            lambda t, w=w, s=s, padding=padding: tf.nn.conv2d(t, w, s, padding.upper())
        ).get_concrete_function(x)
        opts = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
        flops = tf.compat.v1.profiler.profile(fn.graph, options=opts).total_float_ops
        out = conv.output_size(size, k, s, padding)
        assert flops == 2 * conv.conv_macs(out, out, k, cin, f)


# ------------------------------------------------------------------ receptive fields


def test_keras_mnist_convnet_receptive_fields():
    stack = [{"kernel": 3}, {"kernel": 2, "stride": 2}, {"kernel": 3}, {"kernel": 2, "stride": 2}]
    rf = conv.receptive_field(stack, size=28)
    assert [x.size for x in rf] == [3, 4, 8, 10]
    assert [x.jump for x in rf] == [1, 2, 2, 4]
    assert [x.start for x in rf] == [1.0, 1.5, 3.5, 4.5]


def test_vgg16_pool5_sees_212_pixels_with_jump_32():
    block = lambda n: [{"kernel": 3, "padding": "same"}] * n + [{"kernel": 2, "stride": 2}]
    stack = block(2) + block(2) + block(3) + block(3) + block(3)
    rf = conv.receptive_field(stack, size=224)
    assert (rf[-1].size, rf[-1].jump) == (212, 32)


def _probe_receptive_field(stack_layers, size):
    """Empirical receptive field: which input pixels change output cell (0, 0)? (gradient probe)"""
    import tensorflow as tf

    model = keras.Sequential([keras.Input((size, size, 1)), *stack_layers])
    for layer in model.layers:
        if layer.weights:
            layer.set_weights([np.ones_like(w) for w in layer.get_weights()])
    x = tf.Variable(np.random.default_rng(0).uniform(0.5, 1.0, (1, size, size, 1)).astype("float32"))
    with tf.GradientTape() as tape:
        y = model(x)[0, 0, 0, 0]
    g = np.abs(tape.gradient(y, x).numpy()[0, :, :, 0]) > 0
    rows = np.nonzero(g.any(axis=1))[0]
    return rows.min(), rows.max()


@pytest.mark.parametrize("spec", [
    [("conv", 3, 1, "valid", 1), ("avg", 2, 2, "valid", 1), ("conv", 3, 1, "valid", 1)],
    [("conv", 3, 2, "same", 1), ("conv", 3, 1, "valid", 2), ("avg", 3, 2, "valid", 1)],
    [("conv", 5, 1, "valid", 1), ("conv", 3, 2, "valid", 1), ("conv", 3, 1, "valid", 3)],
])
def test_receptive_field_matches_a_gradient_probe(spec):
    size = 40
    keras_layers, specs = [], []
    for kind, k, s, p, d in spec:
        if kind == "conv":
            keras_layers.append(layers.Conv2D(1, k, strides=s, padding=p, dilation_rate=d))
        else:
            keras_layers.append(layers.AveragePooling2D(k, strides=s, padding=p))
        specs.append({"kernel": k, "stride": s, "padding": p, "dilation": d})
    lo, hi = _probe_receptive_field(keras_layers, size)
    rf = conv.receptive_field(specs, size=size)[-1]
    first = rf.start - (rf.size - 1) / 2   # first input pixel the cell reaches (may be padding)
    assert max(first, 0) == lo
    assert first + rf.size - 1 == hi


def test_analyze_stack_rows_and_errors():
    rows = conv.analyze_stack(28, 28, 1, [
        conv.LayerSpec("conv", 3, filters=32), conv.LayerSpec("maxpool", 2, 2),
        conv.LayerSpec("conv", 3, filters=64), conv.LayerSpec("maxpool", 2, 2),
        conv.LayerSpec("conv", 3, filters=64),
    ])
    model = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(32, 3), layers.MaxPooling2D(),
                              layers.Conv2D(64, 3), layers.MaxPooling2D(), layers.Conv2D(64, 3)])
    for row, layer in zip(rows, model.layers):
        assert row.out_shape == tuple(layer.output.shape[1:])
        assert row.params == layer.count_params()
    assert rows[0].formula.endswith("= 26")
    with pytest.raises(ValueError, match="Layer 3"):
        conv.analyze_stack(8, 8, 1, [conv.LayerSpec("conv", 3), conv.LayerSpec("maxpool", 2, 2),
                                     conv.LayerSpec("conv", 5)])


@pytest.mark.parametrize(("layer", "spec"), [
    (lambda: keras.layers.Conv2D(6, (1, 7), strides=(2, 1), padding="same"),
     conv.LayerSpec("conv", (1, 7), (2, 1), "same", filters=6)),
    (lambda: keras.layers.Conv2D(8, 3, padding="valid", groups=2, dilation_rate=(2, 1)),
     conv.LayerSpec("conv", 3, 1, "valid", (2, 1), filters=8, groups=2)),
    (lambda: keras.layers.DepthwiseConv2D((3, 5), strides=2, depth_multiplier=2, use_bias=False),
     conv.LayerSpec("depthwise", (3, 5), 2, "valid", depth_multiplier=2, use_bias=False)),
    (lambda: keras.layers.Conv2DTranspose(3, (4, 3), strides=(2, 3), padding="same"),
     conv.LayerSpec("transposed", (4, 3), (2, 3), "same", filters=3)),
    (lambda: keras.layers.AveragePooling2D((3, 2), strides=(1, 2), padding="same"),
     conv.LayerSpec("avgpool", (3, 2), (1, 2), "same")),
])
def test_layer_takes_height_and_width_pairs_like_keras(layer, spec):
    keras_layer = layer()
    keras_layer.build((None, 11, 9, 4))
    math = conv.layer(spec, 11, 9, 4)
    assert math.out_shape == tuple(keras_layer.compute_output_shape((None, 11, 9, 4))[1:])
    assert math.params == keras_layer.count_params()
    unknown = conv.layer(spec, None, None, 4)     # a model that takes any size
    assert unknown.params == math.params and unknown.macs is None
    assert unknown.out_shape == (None, None, math.out_shape[2])


# ------------------------------------------------------------------ the command line

@pytest.mark.parametrize("argv, words", [
    (["conv", "--size", "5", "--padding", "²"], "padding must be"),      # a digit to isdigit()
    (["conv", "--size", "5", "--padding", "٣"], "padding must be"),
    (["conv", "--size", "5", "--filters", "0"], "filters must be"),
    (["conv", "--size", "2", "--kernel", "3"], "larger than the padded input"),
    (["summary", "mnist_cnn", "--input-shape", "100000,100000,1"], "at most|from 1 to 1024"),
    (["summary", "mnist_cnn", "--input-shape", "28,28,²"], "expected H,W,C"),
    (["summary", "mnist_cnn", "--input-shape", "28,28,1000"], "C from 1 to 16"),
])
def test_cli_bad_arithmetic_arguments_are_one_line_and_exit_2(argv, words, capsys):
    import re

    from cnnweb.__main__ import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and re.search(words, err), err


def test_cli_conv_takes_ascii_zeros_per_side(capsys):
    from cnnweb.__main__ import main

    assert main(["conv", "--size", "5", "--padding", "1"]) == 0
    assert "zeros added   1 before, 1 after" in capsys.readouterr().out
