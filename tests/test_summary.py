"""cnnweb.summary on any Keras model: keras.applications (built without weights), PReLU, TensorFlow
ops between layers, unknown input sizes, layers it does not model, and the `summary` command."""

import numpy as np
import pytest

from cnnweb import store, summary, zoo
from tests.receptive import measured_rf

keras = pytest.importorskip("keras")

# the smallest input each application takes, to keep the builds fast
SMALL = {"xception": 71, "inceptionv3": 75}



def _rows(model):
    return {r["name"]: r for r in summary.layer_table(model)}


def _check_against_keras(model, rows):
    assert summary.totals(list(rows.values()))["params"] == model.count_params()
    for layer in model.layers:
        row = rows[layer.name]
        assert row["output_shape"] == tuple(layer.output.shape[1:]), layer.name
        assert row["params"] == layer.count_params(), layer.name


@pytest.mark.slow
@pytest.mark.parametrize("name", zoo.application_names())
def test_totals_equal_count_params_for_every_keras_application(name):
    size = SMALL.get(name, 32)
    model = zoo.build(name, (size, size, 3), 10)
    rows = _rows(model)
    _check_against_keras(model, rows)
    t = summary.totals(list(rows.values()))
    assert t["macs"] > 0 and t["flops"] == 2 * t["macs"]
    # every row analysed: a computed shape or parameter count that disagreed with Keras would
    # have shown up as a "not analysed" row
    assert t["not_analysed"] == 0, [r["name"] for r in rows.values() if not summary.analysed(r)]
    if name == "convnexttiny":      # its stem is a Sequential inside the model, then LayerScale
        stem = rows["convnext_tiny_stem"]
        assert (stem["rf_size"], stem["rf_jump"]) == (4, 4) and stem["macs"] > 0
        assert rows["convnext_tiny_stage_0_block_0_layer_scale"]["rf_size"] == 4 + 6 * 4


@pytest.mark.parametrize("name", ["mnist_cnn", "baseline", "inception10", "resnet18",
                                  "cnnweb_cifar"])
def test_zoo_models_are_fully_analysed(name):
    model = zoo.build(name, (32, 32, 3), 10)
    rows = _rows(model)
    _check_against_keras(model, rows)
    assert all(summary.analysed(r) for r in rows.values())


def test_mobilenet_with_its_top_and_keepdims_pooling_do_not_crash():
    model = zoo.build("mobilenetv3small", (32, 32, 3), 5)
    rows = _rows(model)
    _check_against_keras(model, rows)
    gap = next(r for r in rows.values() if r["type"] == "GlobalAveragePooling2D")
    assert len(gap["output_shape"]) == 3 and gap["output_shape"][:2] == (1, 1)   # keepdims
    assert gap["rf_size"] is None


def test_a_model_inside_a_model_is_one_row_with_the_arithmetic_of_its_insides():
    inp = keras.Input((16, 16, 3))
    inner = keras.Sequential([keras.layers.Conv2D(4, 3), keras.layers.ReLU()], name="seq")
    model = keras.Model(inp, keras.layers.Conv2D(2, 3, name="after")(inner(inp)))
    rows = _rows(model)
    _check_against_keras(model, rows)
    assert rows["seq"]["params"] == 3 * 3 * 3 * 4 + 4 and rows["seq"]["config"] == "Conv2D · ReLU"
    assert rows["seq"]["macs"] == 14 * 14 * 4 * 27 and rows["after"]["rf_size"] == 5


def test_prelu_has_one_weight_per_value_unless_axes_are_shared():
    inp = keras.Input((32, 32, 3))
    x = keras.layers.PReLU(name="p")(inp)
    x = keras.layers.PReLU(shared_axes=[1, 2], name="shared")(x)
    model = keras.Model(inp, x)
    rows = _rows(model)
    assert rows["p"]["params"] == 32 * 32 * 3 == 3_072 and summary.analysed(rows["p"])
    assert rows["shared"]["params"] == 3 and summary.analysed(rows["shared"])
    assert summary.totals(list(rows.values()))["params"] == model.count_params()


def test_a_tensorflow_op_between_layers_is_a_row_and_the_next_layer_gets_its_output():
    inp = keras.Input((32, 32, 3))
    x = keras.layers.Conv2D(8, 3, name="c1")(inp)
    x = x * 2
    x = keras.ops.add(x, 1.0)
    x = keras.layers.Conv2D(16, 3, name="c2")(x)
    model = keras.Model(inp, x)
    rows = summary.layer_table(model)
    by = {r["name"]: r for r in rows}
    assert [r["type"] for r in rows] == ["InputLayer", "Conv2D", "Multiply", "Add", "Conv2D"]
    assert by["c2"]["params"] == 3 * 3 * 8 * 16 + 16 == 1_168
    assert by["c2"]["output_shape"] == (28, 28, 16)
    assert by["c2"]["inbound"] == [rows[3]["name"]]
    assert by["c2"]["macs"] == 28 * 28 * 16 * 3 * 3 * 8
    assert by["c2"]["rf_size"] == 5                      # the ops pass the field through
    assert summary.totals(rows)["params"] == model.count_params()


def test_an_input_of_unknown_size_gives_parameters_but_no_multiply_adds():
    inp = keras.Input((None, None, 3))
    x = keras.layers.Conv2D(8, 3, strides=2, padding="same", name="c")(inp)
    x = keras.layers.MaxPooling2D(name="pool")(x)
    x = keras.layers.GlobalAveragePooling2D(name="g")(x)
    model = keras.Model(inp, keras.layers.Dense(4, name="d")(x))
    rows = _rows(model)
    assert rows["c"]["output_shape"] == (None, None, 8) and rows["c"]["params"] == 224
    assert rows["c"]["macs"] is None and (rows["c"]["rf_size"], rows["c"]["rf_jump"]) == (3, 2)
    assert rows["pool"]["rf_size"] == 5 and rows["d"]["macs"] == 8 * 4
    assert summary.totals(list(rows.values()))["params"] == model.count_params()
    assert "?x?x8" in summary.format_table(list(rows.values()))


def test_rows_not_analysed_show_keras_numbers_and_say_so_in_both_languages():
    inp = keras.Input((6, 6, 2))
    x = keras.layers.EinsumDense("abcd,de->abce", output_shape=(6, 6, 5), bias_axes="e",
                                 name="ein")(inp)
    model = keras.Model(inp, keras.layers.Conv2D(3, 3, name="c")(x))
    rows = summary.layer_table(model)
    ein = rows[1]
    assert not summary.analysed(ein) and ein["macs"] is None and ein["rf_size"] is None
    assert ein["output_shape"] == (6, 6, 5) and ein["params"] == 2 * 5 + 5
    assert summary.analysed(rows[2]) and rows[2]["params"] == 3 * 3 * 5 * 3 + 3
    en, zh = summary.format_table(rows), summary.format_table(rows, "zh")
    assert "not analysed" in en.splitlines()[3] and "1 rows not analysed" in en
    assert "未分析" in zh and "1 行未分析" in zh and f"总参数量：{model.count_params()}" in zh


def test_receptive_fields_continue_through_crop_upsampling_and_normalisation():
    inp = keras.Input((32, 32, 1))
    x = keras.layers.Rescaling(1 / 255, name="scale")(inp)
    x = keras.layers.Normalization(mean=0.5, variance=0.25, name="norm")(x)
    x = keras.layers.Conv2D(4, 3, strides=2, name="c1")(x)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.Cropping2D(1, name="crop")(x)
    x = keras.layers.UpSampling2D(2, name="up")(x)
    x = keras.layers.Activation("tanh", name="act")(x)
    x = keras.layers.Conv2D(2, 3, name="c2")(x)
    model = keras.Model(inp, x)
    rows = _rows(model)
    _check_against_keras(model, rows)
    got = [(rows[n]["rf_size"], rows[n]["rf_jump"]) for n in ("norm", "c1", "crop", "up", "c2")]
    assert got == [(1, 1), (3, 2), (3, 2), (3, 1), (5, 1)]
    assert all(summary.analysed(r) for r in rows.values())
    assert measured_rf(model, "c2", 32, channels=1) == rows["c2"]["rf_size"]


def test_an_application_too_small_for_its_input_is_a_sentence():
    with pytest.raises(ValueError, match="at least 71x71"):
        zoo.build("xception", (32, 32, 3))
    assert zoo.info("resnet50")["application"] and "resnet50" not in zoo.names()


# ---------------------------------------------------------------- the command line

def test_cli_summary_of_an_application(capsys):
    from cnnweb.__main__ import main

    assert main(["summary", "mobilenetv3small", "--input-shape", "32,32,3", "--classes", "4"]) == 0
    out = capsys.readouterr().out
    want = zoo.build("mobilenetv3small", (32, 32, 3), 4).count_params()
    assert f"Total params: {want:,}" in out and "keras.applications.MobileNetV3Small" in out


def test_cli_summary_of_a_keras_file_in_chinese(tmp_path, capsys):
    from cnnweb.__main__ import main

    model = zoo.build("lenet5", (28, 28, 1), 10)
    path = tmp_path / "mine.keras"
    model.save(path)
    assert main(["summary", str(path), "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("mine.keras：输入 28x28x1") and f"总参数量：{model.count_params():,}" in out


def test_cli_summary_of_a_model_with_python_code_is_refused_in_one_line(tmp_path, capsys):
    from cnnweb.__main__ import main

    inp = keras.Input((8, 8, 1))
    x = keras.layers.Lambda(lambda t: t * 2)(inp)
    model = keras.Model(inp, keras.layers.Dense(2)(keras.layers.Flatten()(x)))
    path = tmp_path / "lambda.keras"
    model.save(path)
    assert main(["summary", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [(f"error: summary: {path}: this model contains Python code and is not "
                    "loaded (safe mode)")]         # the file named as the user typed it
    with pytest.raises(store.StoreError, match="Python code"):
        store.load_model(path)


def test_cli_summary_of_a_broken_file_is_one_line_exit_2(tmp_path, capsys):
    from cnnweb.__main__ import main

    path = tmp_path / "broken.keras"
    path.write_bytes(b"not a zip")
    assert main(["summary", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: summary: {path}: not a Keras archive")


def test_a_subclassed_model_without_a_graph_lists_its_layers_not_analysed():
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.c, self.d = keras.layers.Conv2D(4, 3), keras.layers.Dense(2)

        def call(self, x):
            return self.d(keras.ops.mean(self.c(x), axis=(1, 2)))

    model = Net()
    model(np.zeros((1, 8, 8, 3), "float32"))
    rows = summary.layer_table(model)
    assert [r["params"] for r in rows] == [112, 10] and not any(map(summary.analysed, rows))
    assert summary.totals(rows)["params"] == model.count_params()
    assert "digraph" in summary.to_dot(model, rows)
