"""The Explainer: its numpy filters and stack helpers against Keras, and the page under AppTest."""

import io
import random

import numpy as np
import pytest

from cnnweb import conv, filters, i18n, paths, stack
from cnnweb.conv import LayerSpec
from tests.helpers import open_page

APP = str(paths.ROOT / "app.py")
TABS = ["Layer table", "Sliding kernel", "Receptive field", "Two 3×3 vs one 5×5",
        "Pooling and filters"]


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


# ---------------------------------------------------------------- numpy convolution and pooling

def _conv_configs(n, seed):
    rng = random.Random(seed)
    out = []
    while len(out) < n:
        size, k = rng.randint(3, 12), rng.randint(1, 4)
        s, d = rng.randint(1, 3), rng.randint(1, 2)
        if s > 1:
            d = 1  # Keras refuses stride > 1 together with dilation > 1
        pad = rng.choice(["valid", "same", 1, 2])
        try:
            conv.output_size(size, k, s, pad, d)
        except ValueError:
            continue
        out.append((size, k, s, pad, d))
    return out


def test_convolve2d_matches_keras_conv2d_on_random_configs(keras):
    rng = np.random.default_rng(0)
    for size, k, s, pad, d in _conv_configs(25, seed=3):
        x = rng.normal(size=(size, size, 2)).astype("float32")
        kernel = rng.normal(size=(k, k)).astype("float32")
        layers = []
        if isinstance(pad, int):
            layers.append(keras.layers.ZeroPadding2D(pad))
        dw = keras.layers.DepthwiseConv2D(k, strides=s, padding="valid" if isinstance(pad, int)
                                          else pad, dilation_rate=d, bias_initializer="ones")
        model = keras.Sequential([keras.Input((size, size, 2)), *layers, dw])
        dw.set_weights([np.repeat(kernel[:, :, None, None], 2, axis=2), np.full(2, 0.5)])
        want = model(x[None]).numpy()[0]
        got = filters.convolve2d(x, kernel, s, pad, d, bias=0.5)
        assert got.shape == want.shape, (size, k, s, pad, d)
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pool2d_matches_keras_pooling_including_same_padding(keras, mode):
    layer_cls = keras.layers.MaxPooling2D if mode == "max" else keras.layers.AveragePooling2D
    rng = np.random.default_rng(1)
    for size in (5, 6, 7):
        for pool, stride in ((2, None), (3, 2), (3, 1), (2, 3)):
            for pad in ("valid", "same"):
                x = rng.uniform(0, 255, size=(size, size, 3)).astype("float32")
                want = layer_cls(pool, strides=stride, padding=pad)(x[None]).numpy()[0]
                got = filters.pool2d(x, pool, stride, pad, mode)
                assert got.shape == want.shape, (size, pool, stride, pad)
                np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-3)


def test_convolve2d_is_a_cross_correlation_like_keras_not_a_flipped_convolution():
    x = np.arange(9.0).reshape(3, 3)
    k = np.zeros((3, 3))
    k[0, 0] = 1  # picks the top-left neighbour when not flipped
    assert filters.convolve2d(x, k)[0, 0] == x[0, 0]
    assert filters.convolve2d(x, k, padding="same")[1, 1] == x[0, 0]


def test_conv_step_dot_product_equals_the_output_cell_everywhere():
    grid = filters.demo_grid("random digits", 6, seed=4)
    kernel = filters.demo_kernel("random -1..1", 3, seed=4)
    for pad, s, d in (("valid", 1, 1), ("same", 2, 1), ("full", 1, 2), (1, 3, 1)):
        out = filters.convolve2d(grid, kernel, s, pad, d, bias=2)
        for i in range(out.size):
            step = filters.conv_step(grid, kernel, i, s, pad, d, bias=2)
            assert (step.row, step.col) == divmod(i, out.shape[1])
            assert step.total == pytest.approx(out[step.row, step.col])
            assert step.products.sum() + 2 == pytest.approx(step.total)
            rows = sorted({r for r, _ in step.cells})
            assert rows == [step.row * s + t * d for t in range(3)]
            assert all(step.padded[r, c] == v for (r, c), v in
                       zip(step.cells, step.values.ravel()))
    with pytest.raises(ValueError, match="does not exist"):
        filters.conv_step(grid, kernel, 99)


def test_dot_product_latex_writes_every_term_and_the_total():
    grid = filters.demo_grid("ramp", 4)
    k = filters.KERNELS["sobel x (vertical edges)"]
    step = filters.conv_step(grid, k, 5, padding="same", bias=1)
    text = filters.dot_product_latex(step, k)
    assert text.count(r"\cdot") == 9
    assert text.endswith(rf"&= {step.total:.0f}\end{{aligned}}")
    assert f"out}}[{step.row}, {step.col}]" in text


def test_parse_kernel_accepts_rows_and_explains_bad_input():
    np.testing.assert_array_equal(filters.parse_kernel("1 0 -1; 2 0 -2\n1, 0, -1"),
                                  [[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    for bad, words in (("1 2; 3", "square"), ("a b; c d", "numbers"), ("", "square"),
                       ("nan", "finite")):
        with pytest.raises(ValueError, match=words):
            filters.parse_kernel(bad)


def test_named_kernels_do_what_their_names_say():
    img = np.zeros((8, 8))
    img[:, 4:] = 100  # a vertical edge
    vert = filters.apply_filter(img, "sobel x (vertical edges)").out
    horiz = filters.apply_filter(img, "sobel y (horizontal edges)").out
    assert np.abs(vert[2:6, 3:5]).min() > 0 and np.abs(horiz[2:6, 2:6]).max() == 0
    np.testing.assert_allclose(filters.apply_filter(img, "identity").out, img)
    blur = filters.apply_filter(img, "box blur").out
    assert blur[4, 3] == pytest.approx(100 / 3)


def test_sample_images_and_uploads_decode():
    images = filters.sample_images()
    assert len(images) >= 6
    assert {x.shape for x in images.values()} == {(32, 32, 3), (28, 28)}
    assert all(x.dtype == np.uint8 for x in images.values())
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.full((600, 300, 3), 200, np.uint8)).save(buf, "PNG")
    from cnnweb import images as decoder

    pic = decoder.decode(buf.getvalue(), "tall.png", max_side=256)    # the Explainer's upload
    assert pic.shape == (256, 128, 3)
    with pytest.raises(decoder.ImageError, match="^x.png: not an image"):
        decoder.decode(b"this is not an image", "x.png", max_side=256)


# ---------------------------------------------------------------- receptive-field paths

def _keras_stack(keras, specs, size, channels=1, ones=False):
    layers = [keras.Input((size, size, channels))]
    for spec in specs:
        pad = spec.padding
        if isinstance(pad, int):
            layers.append(keras.layers.ZeroPadding2D(pad))
            pad = "valid"
        if spec.kind == "conv" or (ones and spec.kind in stack.POOLS):
            layers.append(keras.layers.Conv2D(
                1 if ones else spec.filters, spec.kernel, strides=spec.stride, padding=pad,
                dilation_rate=spec.dilation, use_bias=spec.use_bias and not ones,
                kernel_initializer="ones" if ones else "glorot_uniform"))
        elif spec.kind == "maxpool":
            layers.append(keras.layers.MaxPooling2D(spec.kernel, spec.stride, pad))
        elif spec.kind == "avgpool":
            layers.append(keras.layers.AveragePooling2D(spec.kernel, spec.stride, pad))
        elif spec.kind == "transposed":
            layers.append(keras.layers.Conv2DTranspose(spec.filters, spec.kernel, spec.stride,
                                                       pad, use_bias=spec.use_bias))
    return keras.Sequential(layers)


@pytest.mark.parametrize("specs,size,cell", [
    ([LayerSpec("conv", 3), LayerSpec("conv", 3)], 7, (1, 2)),
    ([LayerSpec("conv", 3, padding="same"), LayerSpec("maxpool", 2, 2),
      LayerSpec("conv", 3, dilation=2, padding="same")], 12, (0, 5)),
    ([LayerSpec("conv", 4, 2, "same"), LayerSpec("conv", 3, 2, padding=1)], 13, (3, 0)),
])
def test_receptive_field_counts_equal_the_gradient_of_an_all_ones_network(keras, specs, size,
                                                                          cell):
    import tensorflow as tf

    model = _keras_stack(keras, specs, size, ones=True)
    x = tf.Variable(tf.zeros((1, size, size, 1)))
    with tf.GradientTape() as tape:
        y = model(x)[0, cell[0], cell[1], 0]
    grad = tape.gradient(y, x).numpy()[0, :, :, 0]
    counts = np.outer(conv.receptive_field_counts(specs, size, cell[0]),
                      conv.receptive_field_counts(specs, size, cell[1]))
    np.testing.assert_allclose(counts, grad)


def test_receptive_field_counts_span_the_receptive_field_and_refuse_transposed():
    specs = stack.PRESETS[stack.DEFAULT_PRESET].layers
    rf = conv.receptive_field(specs)[-1]
    counts = conv.receptive_field_counts(specs, 28, 1)
    seen = [i for i, c in enumerate(counts) if c]
    assert len(seen) == rf.size and seen[0] + (rf.size - 1) / 2 == rf.start + rf.jump
    with pytest.raises(ValueError, match="transposed"):
        conv.receptive_field_counts([LayerSpec("transposed", 3)], 8, 0)
    with pytest.raises(ValueError, match="does not exist"):
        conv.receptive_field_counts(specs, 28, 3)


# ---------------------------------------------------------------- presets, link codes, table

def test_every_preset_matches_keras_shapes_and_parameter_counts(keras):
    for title, p in stack.PRESETS.items():
        model = _keras_stack(keras, p.layers, p.size, p.channels)
        rows = conv.analyze_stack(p.size, p.size, p.channels, p.layers)
        keras_layers = [layer for layer in model.layers
                        if not isinstance(layer, keras.layers.ZeroPadding2D)]
        assert len(keras_layers) == len(rows), title
        for row, layer in zip(rows, keras_layers):
            assert row.out_shape == tuple(layer.output.shape[1:]), (title, row.index)
            assert row.params == layer.count_params(), (title, row.index)


def test_presets_reproduce_the_tutorials_reference_numbers():
    def rows(title):
        p = stack.PRESETS[title]
        return conv.analyze_stack(p.size, p.size, p.channels, p.layers)

    mnist = rows("Seed 001: the Keras MNIST CNN")  # seed 001's printed model.summary()
    assert [r.out_shape for r in mnist] == [(26, 26, 32), (13, 13, 32), (11, 11, 64),
                                            (5, 5, 64), (3, 3, 64)]
    assert [r.params for r in mnist] == [320, 0, 18496, 0, 36928]
    assert rows("Seed 002: the CIFAR-10 CNN")[0].params == 896
    assert [r.params for r in rows("Seed 004: two small convs (490 and 1,820 parameters)")] \
        == [490, 1820]
    vgg = rows("VGG16 feature extractor (13 convs, 5 pools)")[-1]
    assert (vgg.rf.size, vgg.rf.jump, vgg.out_shape) == (212, 32, (7, 7, 512))


def _random_spec(rng):
    kind = rng.choice(list(stack.KINDS))
    pad = rng.choice(["valid", "same"] if kind == "transposed" else
                     ["valid", "same", "full", rng.randint(0, 16)])
    return LayerSpec(kind, rng.randint(1, 15), rng.randint(1, 8), pad,
                     1 if kind in stack.POOLS else rng.randint(1, 8),
                     rng.randint(1, 4096) if kind in stack.HAS_FILTERS else 8)


def test_link_codes_round_trip_for_random_stacks():
    rng = random.Random(7)
    for _ in range(200):
        specs = [_random_spec(rng) for _ in range(rng.randint(0, 6))]
        text = stack.encode_stack(specs)
        assert all(ch.isalnum() or ch in "-_" for ch in text)  # nothing to escape in a URL
        assert stack.decode_stack(text) == specs


@pytest.mark.parametrize("text,words", [
    ("conv-k3_blob-k2", "Layer 2 of the link.*does not start with a layer kind"),
    ("conv-k99", "Layer 1 of the link.*kernel must be a whole number from 1 to 15"),
    ("conv-k3-s0", "stride must be"),
    ("conv-k3-zz", "'zz' is not understood"),
    ("tconv-k3-full", "transposed convolution takes 'valid' or 'same'"),
    ("_".join(["max-k2"] * 41), "at most 40"),
])
def test_bad_link_codes_say_which_layer_and_why(text, words):
    with pytest.raises(ValueError, match=words):
        stack.decode_stack(text)


def test_table_rows_and_worked_formulas_carry_the_stacks_numbers():
    p = stack.PRESETS["Dilated convolutions (1, 2, 4)"]
    rows = conv.analyze_stack(p.size, p.size, p.channels, p.layers)
    table = stack.table_rows(rows, p.layers)
    assert [t["RF size"] for t in table] == ["1", "3", "7", "15"]
    assert _ints(t["params"] for t in table) == [0] + [r.params for r in rows]
    work = {w.title: w.lines for w in stack.working(rows, p.layers, 3)}
    assert any("k_{\\text{eff}} = d" in line and "= 9" in line for line in work["Output size (per side)"])
    assert work["Receptive field"][0].endswith("= 7 + (9 - 1)\\cdot 1 = 15")
    assert work["Parameters"][1] == "3\\times 3\\times 8\\times 8 + 8 = 584"


BIG_STACK = "_".join(["tconv-k3-s8-same-f8"] * 8)   # from a valid link: 1024 × 8^8 per side


def test_eight_strided_transposed_convs_at_1024_are_exact_python_ints_past_int64():
    layers = stack.decode_stack(BIG_STACK)
    rows = conv.analyze_stack(1024, 1024, 1, layers)
    n, c, macs = 1024, 1, []
    for row in rows:                                   # each input value through 3×3×8 weights
        macs.append(n * n * c * 3 * 3 * 8)
        n, c = n * 8, 8
    assert [r.macs for r in rows] == macs and rows[-1].out_shape == (1024 * 8**8,) * 2 + (8,)
    assert all(type(r.macs) is int for r in rows) and max(macs) > 2**63   # past int64
    table = stack.table_rows(rows, layers)
    assert table[-1]["MACs"] == f"{macs[-1]:,}" and _ints(t["MACs"] for t in table)[1:] == macs
    assert table[-1]["output shape"] == f"{1024 * 8**8}×{1024 * 8**8}×8"
    work = {w.title: w.lines for w in stack.working(rows, layers, 8)}
    assert f"{macs[-1]:,}".replace(",", "{,}") in work["Multiply-adds (MACs) per image"][0]


def test_the_big_transposed_stack_link_opens_every_tab_without_an_exception():
    """Issue 11's link: eight tconv-k3-s8-same-f8 layers at input size 1024 overflowed int64
    in the layer table (pyarrow); now the table shows the counts as text."""
    at = _explainer({"layers": BIG_STACK, "size": "1024"})
    assert not at.exception, [e.value for e in at.exception]
    df = _table(at)
    rows = conv.analyze_stack(1024, 1024, 1, stack.decode_stack(BIG_STACK))
    assert list(df["MACs"]) == ["0"] + [f"{r.macs:,}" for r in rows]
    metrics = {m.label: m.value for m in at.metric}
    net = stack.network((1024, 1024, 1), stack.decode_stack(BIG_STACK))   # with the head
    assert metrics[i18n.t("xp.m_macs")] == f"{net.macs:,}" and net.macs > sum(r.macs for r in rows)
    for tab in TABS[1:]:
        at = _explainer({"layers": BIG_STACK, "size": "1024", "view": tab})
        assert not at.exception, (tab, [e.value for e in at.exception])


def test_two_stacked_3x3_convs_have_20_parameters_against_26_for_one_5x5(keras):
    cmp = stack.stacked_vs_single(1)
    assert (cmp["big"], cmp["stacked_params"], cmp["single_params"]) == (5, 20, 26)
    for c, n in ((8, 2), (16, 3)):
        cmp = stack.stacked_vs_single(c, n)
        small = keras.Sequential([keras.Input((9, 9, c))] +
                                 [keras.layers.Conv2D(c, 3) for _ in range(n)])
        big = keras.Sequential([keras.Input((9, 9, c)), keras.layers.Conv2D(c, cmp["big"])])
        assert (cmp["stacked_params"], cmp["single_params"]) == (small.count_params(),
                                                                 big.count_params())
        assert small.output_shape == big.output_shape  # same receptive field, same output


# ---------------------------------------------------------------- the page under AppTest

def _explainer(query=None):
    return open_page("explainer", params=query, timeout=60, check=False)


def _ints(column) -> list:
    """The table's counts ("18,496", shown as text) back as ints (None stays None)."""
    return [None if v is None else int(v.replace(",", "")) for v in column]


def _table(at):
    """The results table (the builder's data_editor is a dataframe too)."""
    return next(d.value for d in at.dataframe if "params" in d.value.columns)


def test_explainer_default_table_shows_the_mnist_networks_shapes_and_parameters():
    at = _explainer()
    assert not at.exception
    df = _table(at)
    assert list(df["output shape"]) == ["28×28×1", "26×26×32", "13×13×32", "11×11×64",
                                        "5×5×64", "3×3×64"]
    assert list(df["params"]) == ["0", "320", "0", "18,496", "0", "36,928"]
    assert _ints(df["RF size"]) == [1, 3, 4, 8, 10, 18]
    assert _ints(df["jump"]) == [1, 1, 2, 2, 4, 4]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Parameters"] == "93,322"   # 55,744 in the layers + tutorial 1's head


def test_a_shared_link_restores_the_stack_and_the_view():
    vgg = stack.PRESETS["VGG16 feature extractor (13 convs, 5 pools)"]
    at = _explainer({"layers": stack.encode_stack(vgg.layers), "size": "224", "ch": "3"})
    assert not at.exception
    df = _table(at)
    assert (df["RF size"].iloc[-1], df["jump"].iloc[-1]) == ("212", "32")
    assert df["output shape"].iloc[-1] == "7×7×512"
    assert at.number_input(key="size").value == 224
    # a later run writes the (edited) stack back to the URL
    next(b for b in at.button if b.label == "Remove last").click().run()
    assert stack.decode_stack(at.query_params["layers"]) == vgg.layers[:-1]


def test_a_bad_setting_shows_an_error_not_an_exception():
    at = _explainer()
    at.number_input(key="size").set_value(4).run()
    assert not at.exception
    assert any("larger than the padded input" in e.value for e in at.error)
    assert not [d for d in at.dataframe if "params" in d.value.columns]  # no impossible table


def test_an_unreadable_link_shows_an_error_and_the_default_stack():
    at = _explainer({"layers": "conv-k3_blob"})
    assert not at.exception
    assert any("could not be read" in e.value and "Layer 2" in e.value for e in at.error)
    assert _ints(_table(at)["params"]) == [0, 320, 0, 18496, 0, 36928]


def test_builder_adds_removes_and_loads_presets():
    at = _explainer()
    at.selectbox(key="xp_add_kind").set_value("avgpool")
    next(b for b in at.button if b.label == "Add layer").click().run()
    assert not at.exception
    df = _table(at)
    assert len(df) == 7 and df["layer"].iloc[-1].startswith("AvgPool 2×2, stride 2")
    next(b for b in at.button if b.label == "Remove last").click().run()
    next(b for b in at.button if b.label == "Remove last").click().run()
    df = _table(at)
    assert len(df) == 5 and df["layer"].iloc[-1].startswith("MaxPool")
    at.selectbox(key="xp_preset").set_value("Seed 004: two small convs (490 and 1,820 "
                                            "parameters)").run()
    assert not at.exception
    assert _ints(_table(at)["params"]) == [0, 490, 1820]
    assert at.number_input(key="ch").value == 3
    assert any("490" in i.value for i in at.info)


@pytest.mark.parametrize("tab", TABS)
def test_every_tab_renders_from_its_link(tab):
    at = _explainer({"view": tab})
    assert not at.exception
    text = " ".join(str(e.value) for e in [*at.markdown, *at.latex, *at.metric, *at.subheader])
    expected = {"Layer table": "Receptive field", "Sliding kernel": r"\text{out}[0, 0]",
                "Receptive field": "has a receptive field of **18×18**",
                "Two 3×3 vs one 5×5": "20 parameters", "Pooling and filters": "Max vs average"}
    assert expected[tab] in text


def test_sliding_kernel_steps_with_the_buttons_and_explains_an_impossible_kernel():
    at = _explainer({"view": "Sliding kernel"})
    next_button = next(b for b in at.button if b.label == "Next")
    next_button.click().run()
    assert any(r"\text{out}[0, 1]" in x.value for x in at.latex)
    at.selectbox(key="s_pad").set_value("valid")
    at.number_input(key="s_n").set_value(3)
    at.number_input(key="s_dil").set_value(2).run()  # 3x3 spans 5 > 3
    assert not at.exception
    assert any("larger than the padded input" in e.value for e in at.error)


def test_play_and_pause_are_separate_buttons_so_a_repeated_click_never_toggles_back():
    """A click on Pause that arrives after the page already paused (a slow server redraws the
    button late) must not start playing again: Play and Pause have their own keys."""
    at = _explainer({"view": "Sliding kernel"})
    at.button(key="s_play_button").click().run()
    assert at.session_state["s_play"] and at.button(key="s_pause_button").label == "Pause"
    assert "s_play_button" not in [b.key for b in at.button]
    at.button(key="s_pause_button").click().run()
    assert not at.session_state["s_play"] and at.button(key="s_play_button").label == "Play"
    assert "s_pause_button" not in [b.key for b in at.button]


def test_pooling_tab_rejects_a_malformed_custom_kernel():
    at = _explainer({"view": "Pooling and filters", "flt": "custom"})
    at.text_input(key="kcustom").set_value("1 2; 3").run()
    assert not at.exception
    assert any("square" in e.value for e in at.error)


def test_receptive_field_tab_follows_the_chosen_cell():
    at = _explainer({"view": "Receptive field", "rf_row": "0", "rf_col": "0"})
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "Output cell **(0, 0)** of layer 5" in text and "rows 0 to 17" in text


def test_builder_table_rows_round_trip_and_fill_a_new_row_with_defaults():
    for p in stack.PRESETS.values():
        assert stack.from_editor_rows(stack.to_editor_rows(p.layers)) == p.layers
    nan = float("nan")
    got = stack.from_editor_rows([
        {"layer": "MaxPool", "kernel": None, "stride": nan, "padding": None},  # a fresh row
        {"layer": "Conv2D", "kernel": 5.0, "stride": 1, "padding": "2 zeros", "dilation": 2,
         "filters": 16}])
    assert got == [LayerSpec("maxpool", 2, 2, "valid"), LayerSpec("conv", 5, 1, 2, 2, 16)]
    for bad, words in (({"kernel": 0}, "Layer 1: kernel must be a whole number from 1 to 15"),
                       ({"stride": 2.5}, "stride"), ({"padding": "lots"}, "padding"),
                       ({"layer": "Dense"}, "unknown layer")):
        with pytest.raises(ValueError, match=words):
            stack.from_editor_rows([bad])


# ---------------------------------------------------------------- issue 15 / issue 11.8 (h5-explainer)

def test_the_layer_count_counts_rows_added_and_deleted_in_the_editor():
    assert stack.edited_count(5, None) == 5
    assert stack.edited_count(5, {"edited_rows": {0: {"kernel": 5}}, "added_rows": [{}, {}],
                                  "deleted_rows": [1]}) == 6
    assert stack.edited_count(2, {"added_rows": [], "deleted_rows": [0, 1]}) == 0


def test_errors_name_layers_as_the_builder_does_not_by_internal_code():
    with pytest.raises(ValueError, match=r"Layer 2 \(MaxPool\)") as e:
        conv.analyze_stack(3, 3, 1, [LayerSpec("conv", 3), LayerSpec("maxpool", 2, 2)])
    assert "(maxpool)" not in str(e.value)
    with pytest.raises(ValueError, match=r"Layer 1 \(Conv2D\)"):
        conv.analyze_stack(2, 2, 1, [LayerSpec("conv", 3)])


def test_pooling_rows_leave_dilation_and_filters_blank_and_the_editor_shows_a_dash():
    rows = stack.to_editor_rows([LayerSpec("maxpool", 2, 2), LayerSpec("conv", 3, filters=8)])
    assert (rows[0]["dilation"], rows[0]["filters"]) == (None, None)
    at = _explainer()
    editor = next(d for d in at.dataframe if "dilation" in d.value.columns)
    assert editor.proto.placeholder == "—"       # shown for blank cells instead of "None"


def test_link_values_are_read_back_only_when_a_widget_could_take_them():
    assert stack.link_int("7", 1, 8) == 7
    for bad in ("0", "9", "x", "", "1e3", "99999999999999"):
        with pytest.raises(ValueError):
            stack.link_int(bad, 1, 8)
    label = lambda o, lang: {"en": f"{o} zeros", "zh": f"{o} 个零"}[lang]
    assert stack.link_option("1", ["same", 1], label, ("en", "zh")) == 1
    assert stack.link_option("1 个零", ["same", 1], label, ("en", "zh")) == 1
    assert stack.link_option("same", ["same", 1], label, ("en", "zh")) == "same"
    assert stack.link_text(True) == "true" and stack.link_option("false", [True, False]) is False
    with pytest.raises(ValueError):
        stack.link_option("<script>", ["same", 1], label, ("en", "zh"))


def test_a_click_on_the_chart_picks_an_output_cell_or_nothing():
    from cnnweb import charts

    pick = charts.picked_cell
    assert pick({"points": [{"curve_number": 2, "x": 2, "y": 0}]}, (3, 3)) == (0, 2)
    assert pick({"points": [{"x": 1.0, "y": 2.0}]}, (3, 3)) == (2, 1)
    assert pick({"points": [{"x": 5, "y": 0}]}, (3, 3)) is None          # outside the grid
    assert pick({"points": [{"x": None, "y": None}, {"x": 0, "y": 1}]}, (3, 3)) == (1, 0)
    assert pick({"points": []}, (3, 3)) is None and pick({}, (3, 3)) is None


def _rf_figure(specs, size, cell=None):
    from cnnweb import charts

    rows = conv.analyze_stack(size, size, 3, specs)
    last = rows[-1]
    r, c = cell or (last.out_shape[0] // 2, last.out_shape[1] // 2)
    rf_cell = stack.receptive_cell(specs, size, last.rf, r, c)
    counts = np.outer(rf_cell.rows, rf_cell.cols)
    return charts.receptive_field_figure(counts, rf_cell.box, last.out_shape[:2], (r, c)), counts


def test_the_receptive_field_view_at_size_1024_sends_under_a_megabyte():
    from cnnweb import charts

    mnist = stack.PRESETS[stack.DEFAULT_PRESET].layers
    vgg = stack.PRESETS["VGG16 feature extractor (13 convs, 5 pools)"].layers
    for specs in (mnist, vgg):
        fig, counts = _rf_figure(specs, 1024)
        assert len(fig.to_json()) < 1_000_000      # was 24 MB drawn cell by cell
        paths = fig.data[0]
        assert len(paths.x) == len(paths.y) == 256   # 1024 pixels in blocks of 4
        assert float(np.max(paths.z)) == counts.max()  # blocks keep their largest value
        cells = next(d for d in fig.data if d.type == "scatter" and d.mode == "markers")  # clicks
        assert len(cells.x) <= charts.RF_MAX_OUTPUT ** 2
    fig, counts = _rf_figure(mnist, 28)                 # small inputs: every pixel, exact
    assert fig.data[0].z.shape == (28, 28)
    np.testing.assert_array_equal(fig.data[0].z, counts)
    assert charts.rf_blocks(1024, 256) == 4 and charts.rf_blocks(28, 256) == 1


def test_the_receptive_field_panel_titles_sit_over_their_own_panels():
    fig, _ = _rf_figure(stack.PRESETS[stack.DEFAULT_PRESET].layers, 28)
    assert not fig.layout.annotations                  # no titles floating over the middle
    assert fig.layout.xaxis.title.text.startswith("input 28×28")
    assert fig.layout.xaxis2.title.text.startswith("output 3×3")
    assert fig.layout.xaxis.domain[1] < fig.layout.xaxis2.domain[0]


def test_filter_colours_come_from_the_picture_not_the_zero_border():
    rng = np.random.default_rng(0)
    photo = 180 + rng.normal(0, 8, size=(64, 64))        # a bright, mildly textured photo
    out = filters.apply_filter(photo, "edges (laplacian)").out
    border = float(np.abs(out).max())                     # the rim next to the zeros: ~-360
    low, high = filters.display_range(out, 3, signed=True)
    inner = np.abs(out[1:-1, 1:-1])
    assert high == -low and high < border / 3             # by the max, the picture is pale
    assert (inner <= high).mean() >= 0.98 and high >= np.percentile(inner, 98)
    blur = filters.apply_filter(photo, "box blur").out
    low, high = filters.display_range(blur, 3, signed=False)
    assert 150 < low < high < 210                         # not 0..max set by the dark rim
    assert filters.display_range(np.zeros((4, 4)), 3, signed=True) == (-1.0, 1.0)


def test_pooling_tab_says_how_the_filter_colours_are_scaled():
    at = _explainer({"view": "Pooling and filters", "flt": "edges (laplacian)"})
    assert not at.exception
    assert any("99th percentile" in c.value for c in at.caption)


def test_settings_of_closed_tabs_stay_in_the_link_and_come_back():
    at = _explainer({"view": "Receptive field", "rf_row": "0", "rf_col": "2", "work": "3",
                     "s_step": "4", "flt": "box blur"})
    assert not at.exception
    assert at.number_input(key="rf_col").value == 2
    # other tabs' parameters are kept while this one is open
    assert [at.query_params[k] for k in ("work", "s_step", "flt")] == ["3", "4", "box blur"]
    at.number_input(key="rf_row").set_value(1).run()
    assert {k: at.query_params[k] for k in ("rf_row", "rf_col", "work", "view")} == {
        "rf_row": "1", "rf_col": "2", "work": "3", "view": "Receptive field"}


def test_a_hostile_or_stale_link_value_falls_back_to_the_widgets_default():
    at = _explainer({"view": "Sliding kernel", "s_n": "99999", "s_pad": "<b>x</b>",
                     "s_kernel": "nope", "s_step": "-3", "s_speed": "warp"})
    assert not at.exception
    assert at.number_input(key="s_n").value == 5
    assert at.selectbox(key="s_pad").value == "same"
    assert at.selectbox(key="s_kernel").value == "sobel x (vertical edges)"


def test_a_link_in_chinese_labels_opens_the_same_settings():
    from cnnweb import i18n

    zh_pad = i18n.t("xp.zeros_per_side", lang="zh", n=1)
    at = _explainer({"view": i18n.t("xp.tab_sliding", lang="zh"), "s_pad": zh_pad,
                     "s_kernel": i18n.term("box blur", "zh")})
    assert not at.exception
    assert at.selectbox(key="s_pad").value == 1
    assert at.selectbox(key="s_kernel").value == "box blur"
    assert any(r"\text{out}[0, 0]" in x.value for x in at.latex)


def test_a_link_that_opens_a_tab_folds_the_stack_away():
    plain = _explainer()
    linked = _explainer({"view": "Receptive field"})
    assert plain.expander[0].proto.expanded and not linked.expander[0].proto.expanded
    assert "5 layers on a 28×28×1 input" in linked.expander[0].label
