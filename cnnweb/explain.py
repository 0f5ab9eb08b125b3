"""Inside the network: feature maps, Grad-CAM and overlays for a Keras model and one input.

    predict(model, x)                     -> probabilities (num_classes,)
    conv_layers(model)                    -> names of the convolution layers, input to output
    feature_maps(model, x, names)         -> {name: (h, w, channels) float32}
    feature_grid(maps, max_maps, cols)    -> one uint8 image: every channel as a tile
    gradcam_layer(model)                  -> the layer Grad-CAM looks at
    gradcam(model, x, class_index=None)   -> GradCam(heatmap (h, w) in 0..1, class, layer)
    overlay(image, heatmap, alpha)        -> uint8 RGB: the heatmap coloured over the image
    predictions_csv(rows)                 -> CSV text, cells that a spreadsheet would run escaped

x is one model input (H, W, C) in raw pixels 0..255, as cnnweb.images makes it. Works for every
zoo architecture, including branches (Inception's concatenations) and residual blocks (adds).
TensorFlow is imported inside the functions that need it.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
from PIL import Image

CONV_TYPES = ("Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose")


_SUBMODELS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _submodel(model, outputs: tuple):
    """keras.Model(model's input, the given tensors), built once per model and output list
    (the cache goes away with the model)."""
    import keras

    per_model = _SUBMODELS.setdefault(model, {})
    key = tuple(id(t) for t in outputs)
    if key not in per_model:
        per_model[key] = keras.Model(model.inputs[0], list(outputs))
    return per_model[key]


def _batch(x) -> np.ndarray:
    a = np.asarray(x, dtype=np.float32)
    return a[None] if a.ndim == 3 else a


def predict(model, x) -> np.ndarray:
    """Class probabilities for one input (H, W, C). predict_on_batch runs Keras' compiled
    predict function: about 3 ms warm, where an eager model(x) call takes about 50 ms."""
    out = model.predict_on_batch(_batch(x))
    return np.asarray(out)[0].astype(np.float64)


def predict_many(model, xs, batch_size: int = 64) -> np.ndarray:
    """Probabilities (N, num_classes) for a list of inputs of the model's shape."""
    if len(xs) == 0:
        return np.zeros((0, int(model.output.shape[-1])))
    a = np.stack([np.asarray(x, dtype=np.float32) for x in xs])
    parts = [np.asarray(model.predict_on_batch(a[i:i + batch_size])) for i in range(0, len(a), batch_size)]
    return np.concatenate(parts).astype(np.float64)


def top_k(probs, class_names, k: int = 3) -> dict:
    """{"label", "index", "confidence", "top": [[label, p], ...]} for one probability vector
    (the CLI's JSON line and the page's table share this)."""
    p = np.asarray(probs, dtype=np.float64)
    names = list(class_names) if class_names else [str(i) for i in range(len(p))]
    if len(names) != len(p):
        names = [str(i) for i in range(len(p))]
    order = np.argsort(-p, kind="stable")[: max(1, int(k))]
    best = int(order[0])
    return {"label": names[best], "index": best, "confidence": round(float(p[best]), 6),
            "top": [[names[int(i)], round(float(p[i]), 6)] for i in order]}


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """A value for a CSV cell that a spreadsheet will not run as a formula: text that begins
    with = + - @, a tab or a carriage return gets a leading apostrophe (OWASP's advice)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def predictions_csv(rows: list[dict]) -> str:
    """A table of predictions (dicts with the same keys) as CSV text, safe for spreadsheets."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]) if rows else [])
    writer.writeheader()
    writer.writerows({k: csv_cell(v) for k, v in row.items()} for row in rows)
    return buf.getvalue()


def _spatial(layer) -> bool:
    shape = getattr(layer, "output", None)
    shape = getattr(shape, "shape", None)
    return shape is not None and len(shape) == 4


def conv_layers(model) -> list[str]:
    """Names of the convolution layers, in the model's (topological) order."""
    return [layer.name for layer in model.layers if type(layer).__name__ in CONV_TYPES]


def feature_maps(model, x, names=None) -> dict[str, np.ndarray]:
    """The outputs of the named layers (default: every conv layer) for one input:
    {name: (h, w, channels) float32}, from one sub-model sharing the model's weights."""
    names = list(names) if names is not None else conv_layers(model)
    if not names:
        return {}
    sub = _submodel(model, tuple(model.get_layer(n).output for n in names))
    res = sub.predict_on_batch(_batch(x))
    if not isinstance(res, (list, tuple)):
        res = [res]
    return {n: np.asarray(r)[0].astype(np.float32) for n, r in zip(names, res)}


def feature_grid(maps: np.ndarray, max_maps: int = 64, cols: int = 8, tile: int = 64,
                 gap: int = 2) -> np.ndarray:
    """(h, w, channels) -> one uint8 grayscale image with a tile per channel (each channel
    scaled to its own min..max, nearest-neighbour upscaling to `tile` pixels)."""
    m = np.asarray(maps, dtype=np.float32)
    if m.ndim != 3:
        raise ValueError(f"expected feature maps of shape (h, w, channels), got {m.shape}")
    n = min(m.shape[2], max_maps)
    cols = max(1, min(cols, n))
    rows = -(-n // cols)
    out = np.full((rows * (tile + gap) - gap, cols * (tile + gap) - gap), 255, np.uint8)
    for i in range(n):
        a = m[..., i]
        lo, hi = float(a.min()), float(a.max())
        a = (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)
        img = Image.fromarray(np.round(a * 255).astype(np.uint8)).resize((tile, tile), Image.Resampling.NEAREST)
        r, c = divmod(i, cols)
        out[r * (tile + gap): r * (tile + gap) + tile, c * (tile + gap): c * (tile + gap) + tile] = img
    return out


# ---------------------------------------------------------------- Grad-CAM

@dataclass
class GradCam:
    heatmap: np.ndarray      # (h, w) in 0..1 at the resolution of the layer
    class_index: int
    layer: str
    probability: float


def gradcam_layer(model) -> str:
    """The layer Grad-CAM looks at: the last one with a spatial output (more than 1x1) before
    the classifier, stepping back over pooling/dropout to the higher-resolution map that feeds
    it. For a branching model this is the merge (Concatenate, Add) of the last block, so every
    branch counts."""
    spatial = [layer for layer in model.layers[1:] if _spatial(layer)
               and type(layer).__name__ not in ("InputLayer", "Rescaling")]
    big = [layer for layer in spatial if (layer.output.shape[1] or 0) * (layer.output.shape[2] or 0) > 1]
    if not big:
        raise ValueError(f"{model.name} has no layer with a spatial output, so there is nothing "
                         f"to localise")
    layer = big[-1]
    while type(layer).__name__ in ("MaxPooling2D", "AveragePooling2D", "Dropout", "SpatialDropout2D"):
        prev = layer.input
        src = getattr(prev, "_keras_history", None)
        if src is None or not _spatial(src[0]) or src[0] not in spatial:
            break
        layer = src[0]
    return layer.name


def _logits_tensor(model):
    """The pre-softmax tensor when the model ends with a softmax, else the output."""
    last = model.layers[-1]
    act = getattr(last, "activation", None)
    if type(last).__name__ in ("Activation", "Softmax") and (
            type(last).__name__ == "Softmax" or getattr(act, "__name__", "") == "softmax"):
        return last.input
    return model.output


def gradcam(model, x, class_index: int | None = None, layer_name: str | None = None) -> GradCam:
    """Grad-CAM (Selvaraju et al. 2017) for one input: the layer's channels weighted by the mean
    gradient of the class score (the logit) over each channel, summed, ReLU, scaled to 0..1."""
    import tensorflow as tf

    layer_name = layer_name or gradcam_layer(model)
    n_classes = int(model.output.shape[-1])
    if class_index is not None and not 0 <= int(class_index) < n_classes:
        raise ValueError(f"class index {class_index} is out of range 0..{n_classes - 1}")
    sub = _submodel(model, (model.get_layer(layer_name).output, _logits_tensor(model), model.output))
    if not hasattr(sub, "_cnnweb_gradcam"):
        @tf.function(reduce_retracing=True)
        def cam_fn(xb, k):                                   # k < 0: the predicted class
            with tf.GradientTape() as tape:
                fmap, logits, probs = sub(xb, training=False)
                k = tf.where(k < 0, tf.argmax(probs[0], output_type=tf.int32), k)
                score = logits[:, k]
            grads = tape.gradient(score, fmap)                   # (1, h, w, c)
            weights = tf.reduce_mean(grads, axis=(1, 2))         # (1, c): importance per channel
            cam = tf.nn.relu(tf.reduce_sum(fmap * weights[:, None, None, :], axis=-1))[0]  # (h, w)
            return cam, k, probs[0, k]
        sub._cnnweb_gradcam = cam_fn
    k_in = -1 if class_index is None else int(class_index)
    cam, k, p = sub._cnnweb_gradcam(tf.convert_to_tensor(_batch(x)), tf.constant(k_in, tf.int32))
    cam = np.asarray(cam, dtype=np.float32)
    top = float(cam.max())
    cam = cam / top if top > 0 else np.zeros_like(cam)
    return GradCam(cam, int(k), layer_name, float(p))


# ---------------------------------------------------------------- colours and overlays

# A perceptual dark-blue -> green -> yellow colour map (viridis at 6 anchors).
_ANCHORS = np.array([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [190, 223, 38],
                     [253, 231, 37]], dtype=np.float32)


def colorize(values: np.ndarray) -> np.ndarray:
    """Values in 0..1 (h, w) -> (h, w, 3) uint8 colours."""
    v = np.clip(np.asarray(values, dtype=np.float32), 0, 1) * (len(_ANCHORS) - 1)
    i = np.minimum(v.astype(int), len(_ANCHORS) - 2)
    f = (v - i)[..., None]
    return np.round(_ANCHORS[i] * (1 - f) + _ANCHORS[i + 1] * f).astype(np.uint8)


def overlay(image: np.ndarray, heatmap: np.ndarray, alpha: float = 0.5, size: int = 224) -> np.ndarray:
    """The input (H, W, C) uint8 upscaled to size x size, with the heatmap (bilinear upsampled)
    blended over it. Returns (size, size, 3) uint8."""
    img = np.asarray(image, dtype=np.uint8)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[..., 0]
    base = np.asarray(Image.fromarray(img).convert("RGB").resize((size, size), Image.Resampling.NEAREST),
                      dtype=np.float32)
    heat = np.asarray(Image.fromarray(np.asarray(heatmap, dtype=np.float32)).resize(
        (size, size), Image.Resampling.BILINEAR), dtype=np.float32)
    col = colorize(heat).astype(np.float32)
    out = base * (1 - alpha) + col * alpha
    return np.clip(np.round(out), 0, 255).astype(np.uint8)
