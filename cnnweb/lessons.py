"""Guided lessons: the numbers and pictures behind pages/lessons.py, from the seeds' examples.

Pure Python + numpy (no TensorFlow, no streamlit). Every size and parameter count comes from
cnnweb.conv; the only numbers written here are the seeds' own published results (SEED002).
The words are in the i18n catalogue under "les.<lesson>.*".
"""

from __future__ import annotations

import math

import numpy as np

from cnnweb import conv, diagnose, filters, stack, store

LESSONS = ("stacked3x3", "padding", "cbapd", "overfit")

# seed 002 (K同学啊, 365天深度学习训练营 T2): CIFAR-10 test accuracy of its CNN after 10 epochs,
# then with layers.Dropout(0.4) and 15 epochs (the tutorial's printed evaluate() results)
SEED002 = {"before": 0.7117, "after": 0.7329, "epochs_before": 10, "epochs_after": 15,
           "dropout": 0.4}
SEED002_MODEL = "seed002_cifar_cnn"     # shipped: our own 10-epoch run of seed 002's recipe
# the Trainer's presets (cnnweb.train.PRESETS) that replay the overfitting lesson
TRAINER_PRESETS = ("Seed 002: CIFAR CNN, 10 epochs (overfits)",
                   "Seed 002 remedy: Dropout 0.4, 15 epochs",
                   "Overfitting in one minute: CIFAR CNN on 2,000 images")


# ---------------------------------------------------------------- 1. two 3x3 vs one 5x5

def kernel_params(kernel: int, in_channels: int) -> dict:
    """One kernel of kernel×kernel×in_channels plus its bias (seed 000: 3×3×1 → 10)."""
    return {"weights": kernel * kernel * in_channels,
            "params": conv.conv_params(kernel, in_channels, 1)}


def stacked(n_small: int, channels: int) -> dict:
    """n stacked 3×3 vs the single conv with the same receptive field (stack.stacked_vs_single)
    plus the path counts that show the stack weighs the centre more."""
    out = stack.stacked_vs_single(channels, n_small)
    big = out["big"]
    out["paths_stacked"] = np.outer(*[conv.receptive_field_counts([{"kernel": 3}] * n_small,
                                                                  big, 0)] * 2)
    out["paths_single"] = np.outer(*[conv.receptive_field_counts([{"kernel": big}], big, 0)] * 2)
    out["rf_by_depth"] = [r.size for r in conv.receptive_field([{"kernel": 3}] * n_small)]
    out["saved"] = out["single_params"] - out["stacked_params"]
    return out


# ---------------------------------------------------------------- 2. SAME vs VALID

def padding_sizes(n: int, kernel: int, stride: int) -> dict:
    """Output side for SAME and VALID by Keras's arithmetic (conv.output_size) and by the seed's
    formulas (SAME: ⌈n / s⌉, VALID: ⌈(n − k + 1) / s⌉); plus SAME's zeros.

    A kernel larger than the input has no VALID output: Keras refuses it, "valid" is None and
    the seed's formula gives what it gives (⌈(3 − 7 + 1) / 3⌉ = ⌈−1⌉ = −1), shown as such.
    "agree" says whether both formulas match Keras (only then may the page say so)."""
    same = conv.output_size(n, kernel, stride, "same")
    valid = conv.output_size(n, kernel, stride, "valid") if kernel <= n else None
    before, after = conv.same_padding(n, kernel, stride)
    seed_same, seed_valid = math.ceil(n / stride), math.ceil((n - kernel + 1) / stride)
    return {"same": same, "valid": valid, "seed_same": seed_same, "seed_valid": seed_valid,
            "agree": seed_same == same and seed_valid == valid,
            "zeros_before": before, "zeros_after": after}


def padding_step(n: int, kernel: int, stride: int, padding: str):
    """(first step, kernel) of a kernel of ones on a small digit grid: the zero-border picture."""
    ones = np.ones((kernel, kernel))
    grid = filters.demo_grid("random digits", n, seed=3)
    return filters.conv_step(grid, ones, 0, stride, padding), ones


def sizes_through_layers(n: int, kernel: int, layers: int) -> dict[str, list[int]]:
    """Side length after each of `layers` stride-1 convs, with SAME and with VALID padding
    (VALID stops at the layer where the kernel no longer fits)."""
    out = {}
    for padding in ("same", "valid"):
        sizes = [n]
        for _ in range(layers):
            if padding == "valid" and sizes[-1] < kernel:
                break
            sizes.append(conv.output_size(sizes[-1], kernel, 1, padding))
        out[padding] = sizes
    return out


# ---------------------------------------------------------------- 3. CBAPD

VGG16_PRESET = "VGG16 feature extractor (13 convs, 5 pools)"   # stack.PRESETS, = zoo "vgg16"


def cbapd_letters(layers) -> str:
    """A conv/pool stack in seed 003's letters: each conv is CBA (conv, batch norm, activation)
    and the conv that a pooling layer (with its dropout) follows is CBAPD."""
    words: list[str] = []
    for spec in layers:
        if spec.kind in stack.POOLS:
            if not words or words[-1].endswith("PD"):
                raise ValueError("A CBAPD block pools once, after a convolution.")
            words[-1] += "PD"
        else:
            words.append("CBA")
    return " ".join(words)


def vgg16_cbapd() -> dict:
    """VGG16's feature extractor in letters, with its conv and pool counts (from the stack)."""
    layers = stack.PRESETS[VGG16_PRESET].layers
    return {"letters": cbapd_letters(layers),
            "convs": sum(s.kind not in stack.POOLS for s in layers),
            "pools": sum(s.kind in stack.POOLS for s in layers)}


def cbapd_rows(size: int, channels: int, filters_: int, kernel: int, pool: int,
               dropout: float) -> list[dict]:
    """The seed's block (Conv2D(6, 5×5, same) → BN → ReLU → MaxPool2D(2, 2, same) →
    Dropout(0.2)) as rows: letter, Keras call, output shape, parameters (all from conv)."""
    pooled = conv.output_size(size, pool, pool, "same")
    bn_trainable, bn_fixed = conv.batchnorm_params(filters_)
    return [
        {"letter": "C", "code": f"Conv2D(filters={filters_}, kernel_size=({kernel}, {kernel}), "
                                f"padding='same')",
         "shape": (size, size, filters_), "params": conv.conv_params(kernel, channels, filters_)},
        {"letter": "B", "code": "BatchNormalization()", "shape": (size, size, filters_),
         "params": bn_trainable + bn_fixed},
        {"letter": "A", "code": "Activation('relu')", "shape": (size, size, filters_),
         "params": 0},
        {"letter": "P", "code": f"MaxPool2D(pool_size=({pool}, {pool}), strides={pool}, "
                                f"padding='same')",
         "shape": (pooled, pooled, filters_), "params": 0},
        {"letter": "D", "code": f"Dropout({dropout:g})", "shape": (pooled, pooled, filters_),
         "params": 0},
    ]


def dropout_mask(shape, rate: float, seed: int = 0) -> np.ndarray:
    """Training-time dropout: each unit kept with probability 1 − rate and then scaled by
    1 / (1 − rate) so the expected sum is unchanged; 0 where dropped."""
    if not 0 <= rate < 1:
        raise ValueError(f"A dropout rate is at least 0 and below 1, got {rate}.")
    keep = np.random.default_rng(seed).random(shape) >= rate
    return keep / (1 - rate)


def cbapd_pictures(image, kernel: str, pool: int, rate: float, seed: int = 0) -> list:
    """A grey picture through one filter of each block: (step letter, 2-D array) pairs."""
    c = filters.apply_filter(image, kernel).out
    b = (c - c.mean()) / (c.std() + 1e-3)                    # batch norm with γ = 1, β = 0
    a = np.maximum(b, 0)
    p = filters.pool2d(a, pool, padding="same")
    d = p * dropout_mask(p.shape, rate, seed)
    return [("C", c), ("B", b), ("A", a), ("P", p), ("D", d)]


# ---------------------------------------------------------------- 4. overfitting and dropout

def overfit_run(epochs: int | None = None) -> dict:
    """The shipped seed-002 run's curves (first `epochs` epochs) with diagnose's verdict on them."""
    meta = store.load_meta(SEED002_MODEL)
    rows = store.history_rows(meta)
    shown = rows[:epochs] if epochs else rows
    verdict = diagnose.diagnose(shown, hyperparams=meta.get("hyperparams") or {},
                                has_batchnorm=False, n_train=meta.get("n_train"))
    return {"meta": meta, "rows": shown, "epochs": len(rows), "verdict": verdict,
            "best_epoch": min(range(len(rows)), key=lambda i: rows[i]["val_loss"]) + 1}
