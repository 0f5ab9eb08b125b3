"""The receptive field measured the Keras way, for the layer-table tests: the rows of input
pixels whose gradient reaches the centre cell of a layer's output (channels summed)."""

import numpy as np


def measured_rf(model, layer_name: str, size: int, channels: int = 3) -> int:
    import keras
    import tensorflow as tf

    sub = keras.Model(model.inputs[0], model.get_layer(layer_name).output)
    pixels = np.random.default_rng(1).uniform(0, 255, (1, size, size, channels))
    x = tf.Variable(pixels.astype("float32"))
    with tf.GradientTape() as tape:
        y = sub(x, training=False)
        c = y.shape[1] // 2
        target = tf.reduce_sum(y[0, c, c, :])
    g = np.abs(tape.gradient(target, x).numpy()[0]).sum(axis=(1, 2))
    rows = np.nonzero(g > 0)[0]
    return rows.max() - rows.min() + 1
