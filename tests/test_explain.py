"""cnnweb.explain: feature maps checked against a hand computation, Grad-CAM on a network whose
answer is known, and Grad-CAM/feature maps on every zoo architecture (untrained, built fresh)."""

import numpy as np
import pytest

from cnnweb import explain, zoo


def blob_model():
    """32x32x1 -> one 1x1 conv that copies the input (weight 1, bias 0), ReLU, global average
    pooling, Dense(2) with weights [-1, +1]: class 1's logit grows with the bright pixels, so
    Grad-CAM for class 1 must light up exactly where they are, and class 0 nowhere."""
    import keras
    from keras import layers

    inp = keras.Input((32, 32, 1))
    x = layers.Conv2D(1, 1, activation="relu", name="copy")(inp)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    logits = layers.Dense(2, name="logits")(x)
    out = layers.Activation("softmax", name="probs")(logits)
    m = keras.Model(inp, out)
    m.get_layer("copy").set_weights([np.ones((1, 1, 1, 1), np.float32), np.zeros(1, np.float32)])
    m.get_layer("logits").set_weights([np.array([[-1.0, 1.0]], np.float32), np.zeros(2, np.float32)])
    return m


def test_gradcam_finds_the_bright_square_and_nothing_for_the_other_class():
    m = blob_model()
    x = np.zeros((32, 32, 1), np.uint8)
    x[20:28, 4:12] = 200
    cam = explain.gradcam(m, x)
    assert cam.class_index == 1 and cam.layer == "copy" and cam.probability > 0.5
    hot = cam.heatmap > 0.5
    assert hot[20:28, 4:12].all() and hot.sum() == 64            # exactly the square
    assert explain.gradcam(m, x, class_index=0).heatmap.max() == 0
    with pytest.raises(ValueError, match="out of range"):
        explain.gradcam(m, x, class_index=2)


def test_feature_maps_match_a_hand_computed_convolution():
    m = zoo.build("mnist_cnn", (28, 28, 1))
    x = np.random.default_rng(1).integers(0, 256, (28, 28, 1)).astype(np.uint8)
    maps = explain.feature_maps(m, x)
    assert list(maps) == ["conv1", "conv2", "conv3"] == explain.conv_layers(m)
    assert [v.shape for v in maps.values()] == [(26, 26, 32), (11, 11, 64), (3, 3, 64)]
    w, b = m.get_layer("conv1").get_weights()                   # (3, 3, 1, 32), (32,)
    xs = x[..., 0] / 255.0
    ref = np.zeros((26, 26, 32))
    for i in range(3):
        for j in range(3):
            ref += xs[i:i + 26, j:j + 26, None] * w[i, j, 0][None, None, :]
    ref = np.maximum(ref + b, 0)                                 # conv1 has a ReLU
    np.testing.assert_allclose(maps["conv1"], ref, atol=1e-4)


def test_predict_and_top_k_agree_with_keras():
    m = zoo.build("cifar_cnn", (32, 32, 3))
    xs = np.random.default_rng(2).integers(0, 256, (3, 32, 32, 3)).astype(np.uint8)
    ref = m.predict(xs.astype(np.float32), verbose=0)
    np.testing.assert_allclose(explain.predict(m, xs[0]), ref[0], atol=1e-5)
    np.testing.assert_allclose(explain.predict_many(m, list(xs), batch_size=2), ref, atol=1e-5)
    top = explain.top_k([0.1, 0.6, 0.3], ["cat", "dog", "eel"], 2)
    assert top == {"label": "dog", "index": 1, "confidence": 0.6, "top": [["dog", 0.6], ["eel", 0.3]]}
    assert explain.top_k([0.2, 0.8], None, 5)["top"] == [["1", 0.8], ["0", 0.2]]


@pytest.mark.parametrize("name", zoo.names())
def test_feature_maps_and_gradcam_work_for_every_zoo_architecture(name):
    shape = zoo.info(name)["input_shape"]
    m = zoo.build(name, shape)
    x = np.random.default_rng(3).integers(0, 256, shape).astype(np.uint8)
    layer = explain.gradcam_layer(m)
    out = m.get_layer(layer).output.shape
    assert out[1] * out[2] > 1                                   # a real spatial map
    cam = explain.gradcam(m, x, class_index=3)
    assert cam.heatmap.shape == tuple(out[1:3]) and cam.class_index == 3
    assert np.isfinite(cam.heatmap).all() and 0 <= cam.heatmap.min() <= cam.heatmap.max() <= 1
    convs = explain.conv_layers(m)
    assert convs
    maps = explain.feature_maps(m, x, [convs[0], convs[-1]])
    assert maps[convs[-1]].shape == tuple(m.get_layer(convs[-1]).output.shape[1:])


def test_gradcam_looks_at_the_merge_of_branches_and_residual_blocks():
    inc = zoo.build("inception10")
    assert type(inc.get_layer(explain.gradcam_layer(inc))).__name__ == "Concatenate"
    res = zoo.build("resnet18")
    layer = res.get_layer(explain.gradcam_layer(res))
    assert type(layer.input._keras_history[0]).__name__ == "Add"   # the block's output, after the add
    vgg = zoo.build("cnnweb_cifar")
    assert explain.gradcam_layer(vgg) == "block3b_relu"            # before the last pool: 8x8, not 4x4


def test_feature_grid_and_overlay_images():
    maps = np.zeros((5, 5, 10), np.float32)
    maps[2, 2, :] = np.arange(10)
    maps[..., 3] = 7.0                                           # a constant map shows black
    grid = explain.feature_grid(maps, max_maps=8, cols=4, tile=10, gap=2)
    assert grid.shape == (2 * 12 - 2, 4 * 12 - 2) and grid.dtype == np.uint8
    assert grid[:10, 36:46].max() == 0                          # tile 3 (constant) is black
    assert grid[4:6, 16:18].min() == 255                        # tile 1: its peak is white
    img = np.full((28, 28, 1), 255, np.uint8)
    heat = np.zeros((4, 4), np.float32)
    heat[0, 0] = 1
    assert (explain.overlay(img, heat, alpha=0.0, size=56) == 255).all()
    full = explain.overlay(img, heat, alpha=1.0, size=56)
    assert full.shape == (56, 56, 3)
    assert tuple(full[-1, -1]) == tuple(explain.colorize(np.zeros((1, 1)))[0, 0])   # cold corner
    assert full[0, 0].tolist() != full[-1, -1].tolist()
