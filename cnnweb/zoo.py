"""The model zoo: named Keras 3 Functional builders, and a layer table computed with cnnweb.conv.

    names()                                   -> ["mnist_cnn", "cifar_cnn", ...]
    info("vgg16")                             -> description, source, input shape, hyperparams
    build("vgg16", (32, 32, 3), 10, dropout=0.3) -> keras.Model (uint8 pixels in, probabilities out)
    summary(model)                            -> one dict per layer (shapes, params, MACs, RF)
    to_dot(model)                             -> Graphviz DOT text for st.graphviz_chart

Every model: Input "image" (raw pixels 0..255) -> Rescaling 1/255 "rescale" -> the network ->
Dense "logits" -> Activation softmax "probs" in float32 (so it also works under the
mixed_float16 policy). TensorFlow/Keras is imported when a model is built, not at import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from cnnweb import conv


@dataclass(frozen=True)
class Arch:
    name: str
    builder: Callable       # builder(x, num_classes, **hp) -> logits tensor (x is rescaled input)
    description: str
    source: str
    input_shape: tuple[int, int, int] = (32, 32, 3)
    hyperparams: dict = field(default_factory=dict)   # name -> default
    notes: str = ""                                   # what is special, for the Gallery
    top5_error: str | None = None                     # ImageNet top-5 error of the original
    year: int | None = None
    shipped: bool = False                             # cnnweb's own recipe (see the end)


_ARCHS: dict[str, Arch] = {}


def register(name: str, *, description: str, source: str, input_shape=(32, 32, 3),
             hyperparams: dict | None = None, notes: str = "", top5_error: str | None = None,
             year: int | None = None, shipped: bool = False):
    """Decorator adding a builder to the zoo. The builder gets the rescaled input tensor, the
    class count and the hyperparameters (defaults filled in) and returns the logits tensor
    (a Dense layer with num_classes units, no activation); build() adds the softmax."""
    def deco(builder):
        if name in _ARCHS:
            raise ValueError(f"An architecture named {name!r} is already registered.")
        _ARCHS[name] = Arch(name, builder, description, source, tuple(input_shape),
                            dict(hyperparams or {}), notes, top5_error, year, shipped)
        return builder
    return deco


def names() -> list[str]:
    return list(_ARCHS)


def _arch(name: str) -> Arch:
    if name not in _ARCHS:
        raise ValueError(f"Unknown architecture {name!r}; choose one of: {', '.join(_ARCHS)}.")
    return _ARCHS[name]


def info(name: str) -> dict:
    a = _arch(name)
    return {"name": a.name, "description": a.description, "source": a.source,
            "input_shape": a.input_shape, "hyperparams": dict(a.hyperparams), "notes": a.notes,
            "top5_error": a.top5_error, "year": a.year, "shipped": a.shipped}


# ---------------------------------------------------------------- validation

def _check_hp(arch: Arch, hp: dict) -> dict:
    unknown = sorted(set(hp) - set(arch.hyperparams))
    if unknown:
        accepted = ", ".join(arch.hyperparams) or "none"
        raise ValueError(f"{arch.name} has no hyperparameter {', '.join(map(repr, unknown))}; "
                         f"it accepts: {accepted}.")
    out = dict(arch.hyperparams)
    for key, value in hp.items():
        if value is None:          # "not given": keep the default
            continue
        default = out[key]
        if key == "dropout":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
                raise ValueError(f"dropout must be a number from 0 up to (not including) 1, got {value!r}.")
            value = float(value)
        elif isinstance(default, bool):
            if not isinstance(value, bool):
                raise ValueError(f"{key} must be true or false, got {value!r}.")
        elif isinstance(default, int):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{key} must be a whole number of at least 1, got {value!r}.")
        elif isinstance(default, float):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"{key} must be a number of at least 0, got {value!r}.")
            value = float(value)
        out[key] = value
    return out


def _check_shape(input_shape) -> tuple[int, int, int]:
    try:
        shape = tuple(input_shape)
    except TypeError:
        shape = ()
    if len(shape) != 3 or any(isinstance(d, bool) or not isinstance(d, int) or d < 1 for d in shape):
        raise ValueError(f"input_shape must be three positive whole numbers (height, width, channels),"
                         f" got {input_shape!r}.")
    return shape


def build(name: str, input_shape=(32, 32, 3), num_classes: int = 10, **hp):
    """A fresh, uncompiled keras.Model. ValueError with a sentence for a bad name, shape, class
    count or hyperparameter, or an input too small for the network."""
    arch = _arch(name)
    shape = _check_shape(input_shape)
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"num_classes must be a whole number of at least 2, got {num_classes!r}.")
    params = _check_hp(arch, hp)

    import keras
    from keras import layers

    inputs = keras.Input(shape=shape, name="image")           # raw pixels 0..255, (H, W, C)
    x = layers.Rescaling(1.0 / 255, name="rescale")(inputs)
    try:
        logits = arch.builder(x, num_classes, **params)
    except _TooSmall as e:
        raise ValueError(f"{name} cannot take a {shape[0]}x{shape[1]} input: {e}") from None
    probs = layers.Activation("softmax", dtype="float32", name="probs")(logits)
    return keras.Model(inputs, probs, name=name)


# ---------------------------------------------------------------- building blocks

class _TooSmall(Exception):
    """A window larger than its (padded) input; build() turns it into a ValueError."""


def _spatial_check(x, kernel: int, stride: int, padding: str, name: str) -> None:
    h, w = int(x.shape[1]), int(x.shape[2])
    for size in (h, w):
        try:
            conv.output_size(size, kernel, stride, padding)
        except ValueError:
            raise _TooSmall(f"at layer {name!r} the {kernel}x{kernel} window is larger than its "
                            f"{h}x{w} input, so the feature map would shrink to nothing.") from None


def conv2d(x, filters, kernel, name, stride=1, padding="valid", activation=None, use_bias=True):
    from keras import layers
    _spatial_check(x, kernel, stride, padding, name)
    return layers.Conv2D(filters, kernel, strides=stride, padding=padding, activation=activation,
                         use_bias=use_bias, name=name)(x)


def maxpool(x, pool, name, stride=None, padding="valid"):
    from keras import layers
    stride = stride or pool
    _spatial_check(x, pool, stride, padding, name)
    return layers.MaxPooling2D(pool, strides=stride, padding=padding, name=name)(x)


def cba(x, filters, kernel, name, stride=1, padding="same", act="relu", use_bias=True):
    """Conv -> BatchNorm -> Activation, the seeds' "CBA". Layers: name_conv, name_bn, name_<act>."""
    from keras import layers
    x = conv2d(x, filters, kernel, f"{name}_conv", stride, padding, use_bias=use_bias)
    x = layers.BatchNormalization(name=f"{name}_bn")(x)
    if act == "leaky_relu":
        return layers.LeakyReLU(name=f"{name}_leaky")(x)
    return layers.Activation(act, name=f"{name}_{act}")(x)


def drop(x, rate, name):
    from keras import layers
    return layers.Dropout(rate, name=name)(x)


def dense(x, units, name, activation=None):
    from keras import layers
    return layers.Dense(units, activation=activation, name=name)(x)


def flatten(x):
    from keras import layers
    return layers.Flatten(name="flatten")(x)


def gap_head(x, dropout_rate, num_classes):
    """Global average pooling "gap", Dropout "gap_drop" (only if the rate is above 0), logits."""
    from keras import layers
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    if dropout_rate > 0:
        x = drop(x, dropout_rate, "gap_drop")
    return dense(x, num_classes, "logits")


def dense_head(x, units, dropout_rate, num_classes):
    """Flatten, then Dense-ReLU + Dropout per entry of units (fc1, fc1_drop, ...), then logits."""
    x = flatten(x)
    for i, n in enumerate(units, 1):
        x = dense(x, n, f"fc{i}", "relu")
        x = drop(x, dropout_rate, f"fc{i}_drop")
    return dense(x, num_classes, "logits")


# ---------------------------------------------------------------- the seeds' networks

@register("cifar_cnn", description="The same three-conv stack on 32x32 colour images; dropout 0.4 "
                                   "before the classifier is the seed's fix for overfitting.",
          source="seed 002 (CIFAR-10 CNN, with the Dropout(0.4) variant)", hyperparams={"dropout": 0.0},
          notes="Trains to about 70% on CIFAR-10 and then overfits: training accuracy keeps rising "
                "while validation stalls. The seed adds Dropout(0.4) after the last convolution "
                "(set dropout=0.4) and the gap closes.")
@register("mnist_cnn", description="Three 3x3 convolutions and two max-pools, the classic MNIST CNN.",
          source="seed 001 (TensorFlow 2.0 tutorial, MNIST to 99%)", input_shape=(28, 28, 1),
          hyperparams={"dropout": 0.0},
          notes="Small and fast: about 93 thousand parameters reach about 99% test accuracy on "
                "MNIST in a few epochs. Valid padding shrinks 28 -> 26 -> 13 -> 11 -> 5 -> 3.")
def _simple_cnn(x, num_classes, dropout):
    """Seeds 001/002: conv32, pool, conv64, pool, conv64, (dropout), flatten, dense64, dense."""
    x = conv2d(x, 32, 3, "conv1", activation="relu")
    x = maxpool(x, 2, "pool1")
    x = conv2d(x, 64, 3, "conv2", activation="relu")
    x = maxpool(x, 2, "pool2")
    x = conv2d(x, 64, 3, "conv3", activation="relu")
    if dropout > 0:
        x = drop(x, dropout, "drop1")
    x = flatten(x)
    x = dense(x, 64, "fc1", "relu")
    return dense(x, num_classes, "logits")


@register("baseline", description="One CBAPD block (conv6 5x5, BN, ReLU, max-pool, dropout) and "
                                  "two dense layers.",
          source="seeds 000/003 (the 'Baseline' class, CBAPD)", hyperparams={"dropout": 0.2},
          notes="The course's template: Convolution, Batch norm, Activation, Pooling, Dropout. "
                "Almost all of its parameters sit in the first dense layer (16*16*6 inputs x 128). "
                "Seed 000 wrote it as a subclassed model that could not be reloaded; here it is "
                "Functional and round-trips exactly.")
def _baseline(x, num_classes, dropout):
    x = cba(x, 6, 5, "block1", padding="same")
    x = maxpool(x, 2, "block1_pool", padding="same")
    x = drop(x, dropout, "block1_drop")
    return dense_head(x, (128,), dropout, num_classes)


@register("bn_leaky_cnn", description="Four 3x3 convolutions (two with stride 2) each with batch "
                                      "norm and LeakyReLU, then dense128 with BN and dropout 0.5.",
          source="seed 004 (AIGC in practice: CNN on CIFAR-10, 73.8%)", hyperparams={"dropout": 0.5},
          notes="Downsamples with strided convolutions instead of pooling. Batch norm after every "
                "layer stabilises training; the seed reaches 73.8% on CIFAR-10 in 10 epochs.")
def _bn_leaky_cnn(x, num_classes, dropout):
    for i, (filters, stride) in enumerate([(32, 1), (32, 2), (64, 1), (64, 2)], 1):
        x = cba(x, filters, 3, f"block{i}", stride=stride, act="leaky_relu")
    x = flatten(x)
    from keras import layers
    x = dense(x, 128, "fc1")
    x = layers.BatchNormalization(name="fc1_bn")(x)
    x = layers.LeakyReLU(name="fc1_leaky")(x)
    x = drop(x, dropout, "fc1_drop")
    return dense(x, num_classes, "logits")


@register("lenet5", description="LeNet-5: two 5x5 sigmoid convolutions with max-pooling, then "
                                "dense 120, 84 and the classifier.",
          source="seed 003 (TF2 course 5.11; LeCun et al. 1998)", hyperparams={"dropout": 0.0},
          year=1998,
          notes="The first convolutional network (1998): shared kernels cut the parameter count. "
                "No batch norm and no dropout existed yet, and the only activation was the sigmoid.")
def _lenet5(x, num_classes, dropout):
    x = conv2d(x, 6, 5, "conv1", activation="sigmoid")
    x = maxpool(x, 2, "pool1")
    x = conv2d(x, 16, 5, "conv2", activation="sigmoid")
    x = maxpool(x, 2, "pool2")
    x = flatten(x)
    x = dense(x, 120, "fc1", "sigmoid")
    x = dense(x, 84, "fc2", "sigmoid")
    if dropout > 0:
        x = drop(x, dropout, "fc2_drop")
    return dense(x, num_classes, "logits")


@register("alexnet8", description="AlexNet, 8 layers: five convolutions (the first two with "
                                  "normalisation and 3x3/2 pooling) and three dense layers.",
          source="seed 003 (TF2 course 5.12; Krizhevsky et al. 2012)", hyperparams={"dropout": 0.5},
          top5_error="16.4%", year=2012,
          notes="Won ImageNet 2012 with a top-5 error of 16.4%. It popularised ReLU and dropout, "
                "and used LRN (local response normalisation), which today's networks replace with "
                "batch normalisation, as this CIFAR version does.")
def _alexnet8(x, num_classes, dropout):
    x = cba(x, 96, 3, "conv1", padding="valid")
    x = maxpool(x, 3, "pool1", stride=2)
    x = cba(x, 256, 3, "conv2", padding="valid")
    x = maxpool(x, 3, "pool2", stride=2)
    x = conv2d(x, 384, 3, "conv3", padding="same", activation="relu")
    x = conv2d(x, 384, 3, "conv4", padding="same", activation="relu")
    x = conv2d(x, 256, 3, "conv5", padding="same", activation="relu")
    x = maxpool(x, 3, "pool5", stride=2)
    return dense_head(x, (2048, 2048), dropout, num_classes)


@register("vgg16", description="VGG-16: thirteen 3x3 conv-BN-ReLU layers in five blocks, each "
                               "block ending in 2x2 max-pool and dropout, then dense 512, 512.",
          source="seed 003 (TF2 course 5.13; Simonyan & Zisserman 2014)", hyperparams={"dropout": 0.2},
          top5_error="7.3%", year=2014,
          notes="Runner-up of ImageNet 2014 with a top-5 error of 7.3%. Only small 3x3 kernels: two "
                "stacked 3x3 layers see as far as one 5x5 with fewer parameters. The regular "
                "structure suits hardware acceleration.")
def _vgg16(x, num_classes, dropout):
    for b, (filters, count) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], 1):
        for i in range(1, count + 1):
            x = cba(x, filters, 3, f"block{b}_{i}")
        x = maxpool(x, 2, f"block{b}_pool", padding="same")
        x = drop(x, dropout, f"block{b}_drop")
    return dense_head(x, (512, 512), dropout, num_classes)


def _inception_module(x, filters, stride, name):
    """Four branches of conv-BN-ReLU, concatenated along channels (4 x filters out)."""
    from keras import layers
    b1 = cba(x, filters, 1, f"{name}_b1", stride=stride)
    b2 = cba(x, filters, 1, f"{name}_b2_reduce", stride=stride)
    b2 = cba(b2, filters, 3, f"{name}_b2")
    b3 = cba(x, filters, 1, f"{name}_b3_reduce", stride=stride)
    b3 = cba(b3, filters, 5, f"{name}_b3")
    b4 = maxpool(x, 3, f"{name}_b4_pool", stride=1, padding="same")
    b4 = cba(b4, filters, 1, f"{name}_b4", stride=stride)
    return layers.Concatenate(axis=-1, name=f"{name}_concat")([b1, b2, b3, b4])


@register("inception10", description="A 10-layer InceptionNet: a stem conv, then two blocks of two "
                                     "Inception modules (16 then 32 channels per branch).",
          source="seed 003 (TF2 course 5.14; Szegedy et al. 2014, GoogLeNet)",
          hyperparams={"dropout": 0.0}, top5_error="6.67%", year=2014,
          notes="GoogLeNet won ImageNet 2014 with a top-5 error of 6.67%. Each Inception module "
                "runs 1x1, 3x3, 5x5 convolutions and a pooling branch side by side and stacks "
                "their outputs; the 1x1 convolutions first reduce the depth, which cuts "
                "parameters and computation. Batch norm fights vanishing gradients.")
def _inception10(x, num_classes, dropout):
    x = cba(x, 16, 3, "stem")
    filters = 16
    for block in (1, 2):
        x = _inception_module(x, filters, 2, f"inc{block}a")
        x = _inception_module(x, filters, 1, f"inc{block}b")
        filters *= 2
    return gap_head(x, dropout, num_classes)


def _residual_block(x, filters, stride, name):
    """Two 3x3 conv-BN (no bias); a 1x1 conv-BN shortcut when the shape changes; add; ReLU."""
    from keras import layers
    shortcut = x
    y = cba(x, filters, 3, f"{name}_1", stride=stride, use_bias=False)
    y = conv2d(y, filters, 3, f"{name}_2_conv", padding="same", use_bias=False)
    y = layers.BatchNormalization(name=f"{name}_2_bn")(y)
    if stride != 1 or int(x.shape[-1]) != filters:
        shortcut = conv2d(x, filters, 1, f"{name}_short_conv", stride, "same", use_bias=False)
        shortcut = layers.BatchNormalization(name=f"{name}_short_bn")(shortcut)
    y = layers.Add(name=f"{name}_add")([y, shortcut])
    return layers.Activation("relu", name=f"{name}_relu")(y)


@register("resnet18", description="ResNet-18: a 3x3 stem and four stages of two residual blocks "
                                  "(64, 128, 256, 512 filters), global average pooling.",
          source="seed 003 (TF2 course 5.15; He et al. 2015)", hyperparams={"dropout": 0.0},
          top5_error="3.57%", year=2015,
          notes="Won ImageNet 2015 with a top-5 error of 3.57%. Skip connections add each block's "
                "input to its output (H(x) = F(x) + x, or F(x) + W(x) with a 1x1 convolution W "
                "when the shape changes), so earlier features are not lost and much deeper "
                "networks can be trained.")
def _resnet18(x, num_classes, dropout):
    x = cba(x, 64, 3, "stem", use_bias=False)
    filters = 64
    for stage in range(1, 5):
        for i, letter in enumerate("ab"):
            stride = 2 if stage > 1 and i == 0 else 1
            x = _residual_block(x, filters, stride, f"res{stage}{letter}")
        filters *= 2
    return gap_head(x, dropout, num_classes)


# --- cnnweb's own recipes (shipped models) ---
# Helper "predict" registers the recipes of the shipped models here, e.g.
#
#   @register("digits_v1", description="...", source="cnnweb", input_shape=(28, 28, 1),
#             hyperparams={"dropout": 0.25}, shipped=True)
#   def _digits_v1(x, num_classes, dropout):
#       x = cba(x, 32, 3, "block1")          # building blocks above: conv2d, maxpool, cba,
#       ...                                  # drop, dense, flatten, dense_head
#       return dense(x, num_classes, "logits")
#
# The builder returns the logits; build() adds Input, Rescaling and the float32 softmax.

@register("cnnweb_mnist", description="Four 3x3 conv-BN-ReLU layers in two blocks with max-pooling, "
                                      "then dense128 with dropout: the shipped digit model.",
          source="cnnweb (shipped MNIST model)", input_shape=(28, 28, 1),
          hyperparams={"dropout": 0.25}, shipped=True,
          notes="Batch norm after every convolution lets it train fast; random shifts of up to "
                "10% make it tolerant of digits drawn off-centre. Above 99.3% on MNIST's test "
                "split in a few epochs on a CPU. Valid padding: 28 -> 26 -> 24 -> 12 -> 10 -> 8 -> 4.")
def _cnnweb_mnist(x, num_classes, dropout):
    x = cba(x, 32, 3, "block1a", padding="valid", use_bias=False)
    x = cba(x, 32, 3, "block1b", padding="valid", use_bias=False)
    x = maxpool(x, 2, "block1_pool")
    x = cba(x, 64, 3, "block2a", padding="valid", use_bias=False)
    x = cba(x, 64, 3, "block2b", padding="valid", use_bias=False)
    x = maxpool(x, 2, "block2_pool")
    x = flatten(x)
    x = drop(x, dropout, "flat_drop")
    x = dense(x, 128, "fc1", "relu")
    x = drop(x, dropout, "fc1_drop")
    return dense(x, num_classes, "logits")


@register("cnnweb_cifar", description="A small VGG: three blocks of two 3x3 conv-BN-ReLU layers "
                                      "(width, 2x, 4x filters) with max-pooling, global average "
                                      "pooling, one dense classifier: the shipped CIFAR-10 model.",
          source="cnnweb (shipped CIFAR-10 model)", hyperparams={"width": 32, "dropout": 0.0},
          shipped=True,
          notes="Sized for a CPU: about 38 million multiply-adds per image. Batch norm, flips and "
                "shifts, a cosine learning-rate schedule and label smoothing take it above 82% "
                "test accuracy on CIFAR-10 in 20 epochs; global average pooling instead of a big "
                "dense layer keeps it under 300 thousand parameters. At width 24 (about 20 "
                "million multiply-adds) the same recipe reached 81.5%.")
def _cnnweb_cifar(x, num_classes, width, dropout):
    for block, filters in enumerate((width, 2 * width, 4 * width), 1):
        x = cba(x, filters, 3, f"block{block}a", use_bias=False)
        x = cba(x, filters, 3, f"block{block}b", use_bias=False)
        x = maxpool(x, 2, f"block{block}_pool")
    return gap_head(x, dropout, num_classes)


# Time-to-accuracy recipes (helper "reliability", benchmarks/time_to_accuracy.py): the smallest
# networks that reach the targets fast on a 2-core CPU. One conv-BN-ReLU layer per resolution,
# each followed by max-pooling, so most of the work happens on small feature maps.

@register("cnnweb_mnist_fast", description="Two 3x3 conv-BN-ReLU layers (width, 2x width) with "
                                           "max-pooling, then one dense classifier: MNIST to 99% "
                                           "in three epochs.",
          source="cnnweb (time-to-accuracy recipe)", input_shape=(28, 28, 1),
          hyperparams={"width": 32, "dropout": 0.0},
          notes="About 2.4 million multiply-adds per image, as many as seed 001's network, with "
                "a third of its parameters. Batch norm lets it take a large learning rate and a "
                "cosine schedule does the rest in a few epochs (see BENCHMARKS.md). Valid "
                "padding: 28 -> 26 -> 13 -> 11 -> 5.")
def _cnnweb_mnist_fast(x, num_classes, width, dropout):
    x = cba(x, width, 3, "block1", padding="valid", use_bias=False)
    x = maxpool(x, 2, "block1_pool")
    x = cba(x, 2 * width, 3, "block2", padding="valid", use_bias=False)
    x = maxpool(x, 2, "block2_pool")
    x = flatten(x)
    if dropout > 0:
        x = drop(x, dropout, "flat_drop")
    return dense(x, num_classes, "logits")


# cnnweb_cifar's network at half its width: a quarter of the multiply-adds.
register("cnnweb_cifar_fast", description="cnnweb_cifar at width 16: three blocks of two 3x3 "
                                          "conv-BN-ReLU layers (16, 32, 64 filters) with "
                                          "max-pooling, global average pooling, one dense "
                                          "classifier: CIFAR-10 in minutes on a 2-core CPU.",
         source="cnnweb (time-to-accuracy recipe)", hyperparams={"width": 16, "dropout": 0.0},
         notes="About 10 million multiply-adds per image, a quarter of cnnweb_cifar's at width "
               "32, and 73 thousand parameters. Depth (six convolutions) over width: in a short "
               "run the deeper net learns more per epoch (see BENCHMARKS.md).")(_cnnweb_cifar)


# ---------------------------------------------------------------- the layer table

_ELEMENTWISE = {"Activation", "ReLU", "LeakyReLU", "ELU", "PReLU", "Softmax", "Dropout",
                "SpatialDropout2D", "GaussianNoise", "GaussianDropout", "AlphaDropout", "Identity",
                "Rescaling", "ActivityRegularization"}
_MERGE = {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"}
_POOL = {"MaxPooling2D": "max", "AveragePooling2D": "avg"}
_GLOBAL_POOL = {"GlobalAveragePooling2D", "GlobalMaxPooling2D"}


def _pair(v) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else (int(v[0]), int(v[1]))


def _inbound(layer, known: set[str]) -> list[str]:
    nodes = getattr(layer, "_inbound_nodes", None) or []
    if not nodes:
        return []
    return [p.operation.name for p in nodes[0].parent_nodes if p.operation.name in known]


def _window(layer, cls: str):
    """(kernel (h, w), stride (h, w), padding, dilation (h, w)) of a conv or pooling layer."""
    if cls in _POOL:
        kernel = _pair(layer.pool_size)
        stride = _pair(layer.strides or layer.pool_size)
        return kernel, stride, layer.padding, (1, 1)
    return _pair(layer.kernel_size), _pair(layer.strides), layer.padding, _pair(layer.dilation_rate)


def _compose_rf(rf, kernel: int, stride: int, padding: str, dilation: int):
    """Receptive field (size, jump) after one more window, with cnnweb.conv's single-layer RF."""
    if rf is None:
        return None
    one = conv.receptive_field([{"kernel": kernel, "stride": stride, "padding": padding,
                                 "dilation": dilation}])[0]
    size, jump = rf
    return size + (one.size - 1) * jump, jump * one.jump


def _prod(shape) -> int:
    n = 1
    for d in shape:
        n *= int(d)
    return n


def _layer_row(layer, cls: str, ins: list[tuple], rfs: list) -> dict:
    """Output shape, parameters, MACs and RF of one layer from its input shapes (cnnweb.conv)."""
    cfg = ""
    trainable = non_trainable = macs = 0
    rf = rfs[0] if rfs else None
    shape = ins[0] if ins else None
    if cls == "InputLayer":
        out, rf = tuple(int(d) for d in layer.output.shape[1:]), (1, 1)
    elif cls in _ELEMENTWISE:
        out = shape
        macs = _prod(out) if cls == "Rescaling" else 0
        if cls == "Activation":
            cfg = getattr(layer.activation, "__name__", "")
        elif cls == "Dropout":
            cfg = f"rate {layer.rate:g}"
    elif cls in ("Conv2D", "DepthwiseConv2D", "SeparableConv2D", "MaxPooling2D", "AveragePooling2D"):
        h, w, c = shape
        kernel, stride, padding, dil = _window(layer, cls)
        oh = conv.output_size(h, kernel[0], stride[0], padding, dil[0])
        ow = conv.output_size(w, kernel[1], stride[1], padding, dil[1])
        if cls == "Conv2D":
            oc = layer.filters
            trainable = conv.conv_params(kernel, c, oc, layer.use_bias, layer.groups)
            macs = conv.conv_macs(oh, ow, kernel, c, oc, layer.groups)
        elif cls == "DepthwiseConv2D":
            oc = c * layer.depth_multiplier
            trainable = conv.depthwise_params(kernel, c, layer.depth_multiplier, layer.use_bias)
            macs = conv.depthwise_macs(oh, ow, kernel, c, layer.depth_multiplier)
        elif cls == "SeparableConv2D":
            oc = layer.filters
            trainable = conv.separable_params(kernel, c, oc, layer.depth_multiplier, layer.use_bias)
            macs = conv.separable_macs(oh, ow, kernel, c, oc, layer.depth_multiplier)
        else:
            oc = c
            macs = conv.pool_macs(oh, ow, kernel, c)
        out = (oh, ow, oc)
        rf = _compose_rf(rf, kernel[0], stride[0], padding, dil[0])
        cfg = f"{kernel[0]}x{kernel[1]} /{stride[0]} {padding}" + (f" dil {dil[0]}" if dil[0] > 1 else "")
    elif cls == "Conv2DTranspose":
        h, w, c = shape
        kernel, stride = _pair(layer.kernel_size), _pair(layer.strides)
        op = layer.output_padding
        op = _pair(op) if op is not None else (None, None)
        dil = _pair(layer.dilation_rate)
        oh = conv.transposed_output_size(h, kernel[0], stride[0], layer.padding, op[0], dil[0])
        ow = conv.transposed_output_size(w, kernel[1], stride[1], layer.padding, op[1], dil[1])
        out = (oh, ow, layer.filters)
        trainable = conv.transposed_params(kernel, c, layer.filters, layer.use_bias)
        macs = conv.transposed_macs(h, w, kernel, c, layer.filters)
        rf = None   # a transposed conv spreads each input over many outputs: no single RF
        cfg = f"{kernel[0]}x{kernel[1]} /{stride[0]} {layer.padding}"
    elif cls in _GLOBAL_POOL:
        h, w, c = shape
        out, macs, rf = (c,), conv.pool_macs(1, 1, (h, w), c), None
    elif cls == "Flatten":
        out, rf = (_prod(shape),), None
    elif cls == "Dense":
        out = (*shape[:-1], layer.units)
        trainable = conv.dense_params(shape[-1], layer.units, layer.use_bias)
        macs = conv.dense_macs(shape[-1], layer.units) * _prod(shape[:-1])
        rf = rf if len(out) == 3 else None
        cfg = f"{layer.units} units"
    elif cls == "BatchNormalization":
        out = shape
        trainable, non_trainable = conv.batchnorm_params(shape[-1], layer.center, layer.scale)
        macs = _prod(shape)   # folded into one multiply-add per value at inference
    elif cls == "Concatenate":
        axis = layer.axis if layer.axis >= 0 else len(shape) + layer.axis + 1
        out = list(ins[0])
        out[axis - 1] = sum(s[axis - 1] for s in ins)
        out = tuple(out)
        cfg = f"{len(ins)} branches"
    elif cls in _MERGE:
        out = shape
        cfg = f"{len(ins)} inputs"
    elif cls == "ZeroPadding2D":
        (t, b), (left, r) = layer.padding
        out = (shape[0] + t + b, shape[1] + left + r, shape[2])
    else:
        return None   # not modelled here: the caller asks Keras
    if cls in ("Concatenate", *_MERGE):   # branches: the widest view over all inbound paths
        rf = None if any(r is None for r in rfs) else (max(r[0] for r in rfs), max(r[1] for r in rfs))
    if out is not None and len(out) != 3:
        rf = None
    return {"output_shape": tuple(int(d) for d in out), "trainable": trainable,
            "non_trainable": non_trainable, "macs": macs, "rf": rf, "config": cfg}


def summary(model) -> list[dict]:
    """One dict per layer of a built Keras model, in Keras' order:
    name, type, inbound (layer names), output_shape (no batch axis), params, trainable,
    non_trainable, macs (multiply-adds for one image), rf_size and rf_jump (receptive field
    along the height axis, None where the output is no longer spatial), config (kernel/stride/
    padding or units), computed_by ("cnnweb.conv", or "keras" for layer types not modelled).
    Shapes, parameters and MACs come from cnnweb.conv applied to the propagated shapes; the
    tests check them against Keras. Where branches meet, the receptive field is the largest
    over the inbound paths. MACs: conv/dense dot products, one per value for Rescaling and
    BatchNormalization, one per window element for pooling, 0 for activations and merges."""
    layers = list(model.layers)
    known = {layer.name for layer in layers}
    shapes: dict[str, tuple] = {}
    rfs: dict[str, tuple | None] = {}
    rows = []
    first_input = tuple(int(d) for d in model.inputs[0].shape[1:])
    for layer in layers:
        cls = type(layer).__name__
        inbound = _inbound(layer, known)
        if inbound:
            ins, in_rf = [shapes[n] for n in inbound], [rfs[n] for n in inbound]
        else:
            ins, in_rf = [first_input], [(1, 1)]
        row = None
        if all(s is not None for s in ins):
            row = _layer_row(layer, cls, ins, in_rf)
        if row is None:   # unknown layer type: report Keras' own numbers
            n_train = sum(_prod(w.shape) for w in layer.trainable_weights)
            n_all = layer.count_params() if layer.built else 0
            out = layer.output.shape if hasattr(layer, "output") else None
            row = {"output_shape": tuple(int(d) for d in out[1:]) if out is not None else None,
                   "trainable": n_train, "non_trainable": n_all - n_train, "macs": None,
                   "rf": None, "config": "", "computed_by": "keras"}
        else:
            row["computed_by"] = "cnnweb.conv"
        if not layer.trainable:
            row["non_trainable"] += row["trainable"]
            row["trainable"] = 0
        rf = row.pop("rf")
        shapes[layer.name], rfs[layer.name] = row["output_shape"], rf
        rows.append({"name": layer.name, "type": cls, "inbound": inbound, **row,
                     "params": row["trainable"] + row["non_trainable"],
                     "rf_size": rf[0] if rf else None, "rf_jump": rf[1] if rf else None})
    return rows


def totals(rows: list[dict]) -> dict:
    """Sums of a summary: params, trainable, non_trainable, macs, flops (= 2 x MACs),
    size_mb (the weights as float32, 4 bytes each, in megabytes of 10^6 bytes)."""
    params = sum(r["params"] for r in rows)
    macs = sum(r["macs"] or 0 for r in rows)
    return {"params": params, "trainable": sum(r["trainable"] for r in rows),
            "non_trainable": sum(r["non_trainable"] for r in rows), "macs": macs,
            "flops": 2 * macs, "size_mb": params * 4 / 1e6, "layers": len(rows)}


def format_table(rows: list[dict]) -> str:
    """The summary as fixed-width text with a totals line (for the command line)."""
    head = ("Layer", "Type", "Config", "Output", "Params", "Non-train", "MACs", "RF", "Jump")
    body = []
    for r in rows:
        shape = "x".join(map(str, r["output_shape"])) if r["output_shape"] else "?"
        body.append((r["name"], r["type"], r["config"], shape, f"{r['params']:,}",
                     f"{r['non_trainable']:,}", "?" if r["macs"] is None else f"{r['macs']:,}",
                     "" if r["rf_size"] is None else str(r["rf_size"]),
                     "" if r["rf_jump"] is None else str(r["rf_jump"])))
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(head)]
    right = {4, 5, 6, 7, 8}

    def line(cells):
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    t = totals(rows)
    out = [line(head), line(["-" * w for w in widths]), *(line(b) for b in body)]
    out += ["", (f"Total params: {t['params']:,} (trainable {t['trainable']:,}, "
                 f"non-trainable {t['non_trainable']:,}); weights {t['size_mb']:.2f} MB as float32"),
            f"Multiply-adds per image: {t['macs']:,} (about {t['flops'] / 1e6:,.1f} MFLOPs)"]
    return "\n".join(out)


# ---------------------------------------------------------------- the diagram

_ABSORB = {"BatchNormalization", "Activation", "ReLU", "LeakyReLU", "Dropout", "ELU", "Softmax"}
_COLOURS = {"conv": "#cfe2ff", "pool": "#fff3bf", "dense": "#ffd8e8", "merge": "#d3f9d8",
            "io": "#e9ecef", "other": "#ffffff"}


def _short(row: dict) -> str:
    cls = row["type"]
    names = {"BatchNormalization": "BN", "LeakyReLU": "LeakyReLU", "ReLU": "ReLU",
             "Activation": row["config"] or "act", "Dropout": f"Dropout {row['config'][5:]}"}
    if cls in names:
        return names[cls]
    if cls in ("Conv2D", "SeparableConv2D", "DepthwiseConv2D", "Conv2DTranspose"):
        k = row["config"].split()
        return f"{cls.replace('2D', '')} {k[0].replace('x', '×')} /{k[1][1:]} ×{row['output_shape'][-1]}"
    if cls in _POOL:
        k = row["config"].split()
        return f"{_POOL[cls].capitalize()}Pool {k[0].replace('x', '×')} /{k[1][1:]}"
    if cls == "Dense":
        return f"Dense {row['output_shape'][-1]}"
    return cls


def _colour(cls: str) -> str:
    if "Conv" in cls:
        return _COLOURS["conv"]
    if "Pool" in cls:
        return _COLOURS["pool"]
    if cls == "Dense":
        return _COLOURS["dense"]
    if cls in _MERGE or cls == "Concatenate":
        return _COLOURS["merge"]
    if cls in ("InputLayer", "Rescaling", "Flatten"):
        return _COLOURS["io"]
    return _COLOURS["other"]


def to_dot(model, rows: list[dict] | None = None, collapse: bool = True) -> str:
    """Graphviz DOT of the layer graph for st.graphviz_chart. With collapse, a BN / activation /
    dropout that directly follows a single-consumer layer is written inside that layer's box
    (conv · BN · relu), so branches (Inception) and skip connections (ResNet) stay readable."""
    rows = rows or summary(model)
    consumers: dict[str, list[str]] = {r["name"]: [] for r in rows}
    for r in rows:
        for p in r["inbound"]:
            consumers[p].append(r["name"])
    head: dict[str, str] = {}          # layer -> the box it is drawn in
    parts: dict[str, list[str]] = {}
    last: dict[str, dict] = {}         # box -> its last layer's row
    for r in rows:
        ins = r["inbound"]
        if collapse and r["type"] in _ABSORB and len(ins) == 1 and len(consumers[ins[0]]) == 1:
            box = head[ins[0]]
            head[r["name"]] = box
            parts[box].append(_short(r))
            last[box] = r
        else:
            head[r["name"]] = r["name"]
            parts[r["name"]] = [_short(r)]
            last[r["name"]] = r

    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["digraph model {", "  rankdir=TB; nodesep=0.25; ranksep=0.3;",
             '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
             "  edge [arrowsize=0.6];"]
    by_name = {r["name"]: r for r in rows}
    for box, items in parts.items():
        out = last[box]["output_shape"]
        shape = "×".join(map(str, out)) if out else "?"
        label = "\\n".join(q(t)[1:-1] for t in (box, " · ".join(items), shape))
        lines.append(f'  {q(box)} [label="{label}", fillcolor="{_colour(by_name[box]["type"])}"];')
    for r in rows:
        for p in r["inbound"]:
            a, b = head[p], head[r["name"]]
            if a == b:
                continue
            skip = r["type"] in _MERGE and len(consumers[p]) > 1   # an identity shortcut
            style = ' [style=dashed, label="skip", fontsize=8]' if skip else ""
            lines.append(f"  {q(a)} -> {q(b)}{style};")
    lines.append("}")
    return "\n".join(lines)
