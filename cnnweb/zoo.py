"""The model zoo: named Keras 3 Functional builders, and keras.applications to inspect.

    names()                                   -> ["mnist_cnn", "cifar_cnn", ...] (trainable here)
    application_names()                       -> ["mobilenet", "mobilenetv2", ...] (to inspect)
    info("vgg16")                             -> description, source, input shape, hyperparams
    build("vgg16", (32, 32, 3), 10, dropout=0.3) -> keras.Model (uint8 pixels in, probabilities out)

The layer table and the diagram of a built model are cnnweb.summary's.
Every zoo model: Input "image" (raw pixels 0..255) -> Rescaling 1/255 "rescale" -> the network ->
Dense "logits" -> Activation softmax "probs" in float32 (so it also works under the
mixed_float16 policy). An application is keras.applications' own model, built with
weights=None (nothing is downloaded). TensorFlow/Keras is imported when a model is built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from cnnweb import conv, stack


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
    application: str = ""                             # keras.applications.<this>, to inspect
    min_size: int = 1                                 # smallest input side it takes


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


def trainable(name: str) -> bool:
    """A zoo architecture, or a stack from the Explainer (stack:<code>, checked by info())."""
    return name in _ARCHS or stack.is_arch(name)


def application_names() -> list[str]:
    return list(_APPS)


def _arch(name: str) -> Arch:
    if stack.is_arch(name):
        return _stack_arch(name)
    if name in _APPS:
        return _APPS[name]
    if name not in _ARCHS:
        raise ValueError(f"Unknown architecture {name!r}; choose one of: "
                         f"{', '.join([*_ARCHS, *_APPS])}.")
    return _ARCHS[name]


def info(name: str) -> dict:
    a = _arch(name)
    return {"name": a.name, "description": a.description, "source": a.source,
            "input_shape": a.input_shape, "hyperparams": dict(a.hyperparams), "notes": a.notes,
            "top5_error": a.top5_error, "year": a.year, "shipped": a.shipped,
            "application": bool(a.application)}


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
    if arch.application:
        return _application(arch, shape, num_classes)

    import keras
    from keras import layers

    inputs = keras.Input(shape=shape, name="image")           # raw pixels 0..255, (H, W, C)
    x = layers.Rescaling(1.0 / 255, name="rescale")(inputs)
    try:
        logits = arch.builder(x, num_classes, **params)
    except _TooSmall as e:
        raise ValueError(f"{name} cannot take a {shape[0]}x{shape[1]} input: {e}") from None
    probs = layers.Activation("softmax", dtype="float32", name="probs")(logits)
    # a stack's code has characters Keras refuses in a model name (its sidecar keeps the code)
    return keras.Model(inputs, probs, name="stack" if stack.is_arch(name) else name)


# ---------------------------------------------------------------- keras.applications, to inspect

_APPS: dict[str, Arch] = {}


def _register_application(name: str, keras_name: str, source: str, year: int, min_size: int,
                          description: str) -> None:
    _APPS[name] = Arch(name, None, description, f"keras.applications.{keras_name} ({source})",
                       (96, 96, 3), year=year, application=keras_name, min_size=min_size)


_register_application("mobilenet", "MobileNet", "Howard et al. 2017", 2017, 32,
                      "Depthwise separable convolutions: a 3x3 filter per channel, then a 1x1 convolution "
                      "mixing channels, for a fraction of the multiply-adds.")
_register_application("mobilenetv2", "MobileNetV2", "Sandler et al. 2018", 2018, 32,
                      "Inverted residual blocks: a 1x1 expansion, a 3x3 depthwise convolution and a linear "
                      "1x1 bottleneck, with skip connections between the thin ends.")
_register_application("mobilenetv3small", "MobileNetV3Small", "Howard et al. 2019", 2019, 32,
                      "MobileNetV2's blocks found by architecture search, with squeeze-and-excitation and "
                      "the hard-swish activation; the small variant.")
_register_application("mobilenetv3large", "MobileNetV3Large", "Howard et al. 2019", 2019, 32,
                      "MobileNetV2's blocks found by architecture search, with squeeze-and-excitation and "
                      "the hard-swish activation; the large variant.")
_register_application("resnet50", "ResNet50", "He et al. 2015", 2015, 32,
                      "Fifty layers of bottleneck residual blocks (1x1, 3x3, 1x1 convolutions) whose "
                      "identity shortcuts let the gradient through.")
_register_application("efficientnetb0", "EfficientNetB0", "Tan & Le 2019", 2019, 32,
                      "Mobile inverted residual blocks with squeeze-and-excitation, scaled in depth, width "
                      "and resolution together.")
_register_application("densenet121", "DenseNet121", "Huang et al. 2017", 2017, 32,
                      "Every layer of a dense block receives the feature maps of all layers before it "
                      "(concatenation instead of addition).")
_register_application("xception", "Xception", "Chollet 2017", 2017, 71,
                      "Inception taken to the extreme: separable convolutions everywhere, with residual "
                      "connections.")
_register_application("inceptionv3", "InceptionV3", "Szegedy et al. 2016", 2016, 75,
                      "Inception modules with factorised convolutions (a 7x7 becomes 1x7 then 7x1) and "
                      "parallel branches joined by concatenation.")
_register_application("convnexttiny", "ConvNeXtTiny", "Liu et al. 2022", 2022, 32,
                      "A ResNet modernised after vision transformers: 7x7 depthwise convolutions, layer "
                      "normalisation, GELU and inverted bottlenecks.")


def _application(arch: Arch, shape, num_classes: int):
    """keras.applications' model with weights=None (no download) and num_classes outputs."""
    if min(shape[:2]) < arch.min_size:
        raise ValueError(f"{arch.name} needs an input of at least {arch.min_size}x{arch.min_size}, "
                         f"got {shape[0]}x{shape[1]}.")
    import keras

    try:
        return getattr(keras.applications, arch.application)(
            weights=None, input_shape=shape, classes=num_classes)
    except Exception as e:  # noqa: BLE001 - any refusal by Keras is a bad input here
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise ValueError(f"{arch.name} cannot take a {shape[0]}x{shape[1]}x{shape[2]} input: "
                         f"{first}") from None


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
                                   "before the classifier is the tutorial's fix for overfitting.",
          source="Tutorial 2 (CIFAR-10 CNN, with the Dropout(0.4) variant)", hyperparams={"dropout": 0.0},
          notes="Trains to about 70% on CIFAR-10 and then overfits: training accuracy keeps rising "
                "while validation stalls. The tutorial adds Dropout(0.4) after the last convolution "
                "(set dropout=0.4) and the gap closes.")
@register("mnist_cnn", description="Three 3x3 convolutions and two max-pools, the classic MNIST CNN.",
          source="Tutorial 1 (TensorFlow 2.0 tutorial, MNIST to 99%)", input_shape=(28, 28, 1),
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
          source="Tutorials 0 and 3 (the 'Baseline' class, CBAPD)", hyperparams={"dropout": 0.2},
          notes="The course's template: Convolution, Batch norm, Activation, Pooling, Dropout. "
                "Almost all of its parameters sit in the first dense layer (16×16×6 inputs × 128). "
                "Tutorial 0 wrote it as a subclassed model that could not be reloaded; here it is "
                "Functional and round-trips exactly.")
def _baseline(x, num_classes, dropout):
    x = cba(x, 6, 5, "block1", padding="same")
    x = maxpool(x, 2, "block1_pool", padding="same")
    x = drop(x, dropout, "block1_drop")
    return dense_head(x, (128,), dropout, num_classes)


@register("bn_leaky_cnn", description="Four 3x3 convolutions (two with stride 2) each with batch "
                                      "norm and LeakyReLU, then dense128 with BN and dropout 0.5.",
          source="Tutorial 4 (AIGC in practice: CNN on CIFAR-10, 73.8%)", hyperparams={"dropout": 0.5},
          notes="Downsamples with strided convolutions instead of pooling. Batch norm after every "
                "layer stabilises training; the tutorial reaches 73.8% on CIFAR-10 in 10 epochs.")
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
          source="Tutorial 3 (TF2 course 5.11; LeCun et al. 1998)", hyperparams={"dropout": 0.0},
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
          source="Tutorial 3 (TF2 course 5.12; Krizhevsky et al. 2012)", hyperparams={"dropout": 0.5},
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
          source="Tutorial 3 (TF2 course 5.13; Simonyan & Zisserman 2014)", hyperparams={"dropout": 0.2},
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
          source="Tutorial 3 (TF2 course 5.14; Szegedy et al. 2014, GoogLeNet)",
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
          source="Tutorial 3 (TF2 course 5.15; He et al. 2015)", hyperparams={"dropout": 0.0},
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


def _three_blocks(x, width, layer, first_block: str = "ab"):
    """cnnweb_cifar's body: blocks 1-3 of two 3x3 layers (width, 2x, 4x filters) and a 2x2
    max-pool each; layer(x, filters, name) makes one (block1a, block1b, ...). first_block="a":
    one layer in block 1, at full resolution."""
    for block, filters in enumerate((width, 2 * width, 4 * width), 1):
        for part in first_block if block == 1 else "ab":
            x = layer(x, filters, f"block{block}{part}")
        x = maxpool(x, 2, f"block{block}_pool")
    return x


@register("cnnweb_cifar", description="A small VGG: three blocks of two 3x3 conv-BN-ReLU layers "
                                      "(width, 2x, 4x filters) with max-pooling, global average "
                                      "pooling, one dense classifier: the shipped CIFAR-10 model.",
          source="cnnweb (shipped CIFAR-10 model)", hyperparams={"width": 32, "dropout": 0.0},
          shipped=True,
          notes="Sized for a CPU: about 39 million multiply-adds per image. Batch norm, flips and "
                "shifts, a cosine learning-rate schedule and label smoothing take it above 82% "
                "test accuracy on CIFAR-10 in 20 epochs; global average pooling instead of a big "
                "dense layer keeps it under 300 thousand parameters. At width 24 (about 22 "
                "million multiply-adds) the same recipe reached 81.5%.")
def _cnnweb_cifar(x, num_classes, width, dropout):
    x = _three_blocks(x, width, lambda x, filters, name: cba(x, filters, 3, name, use_bias=False))
    return gap_head(x, dropout, num_classes)


# Time-to-accuracy recipes (benchmarks/time_to_accuracy.py): the smallest
# networks that reach the targets fast on a 2-core CPU. One conv-BN-ReLU layer per resolution,
# each followed by max-pooling, so most of the work happens on small feature maps.

@register("cnnweb_mnist_fast", description="Two 3x3 conv-BN-ReLU layers (width, 2x width) with "
                                           "max-pooling, then one dense classifier: MNIST to 99% "
                                           "in three epochs.",
          source="cnnweb (time-to-accuracy recipe)", input_shape=(28, 28, 1),
          hyperparams={"width": 32, "dropout": 0.0},
          notes="About 2.5 million multiply-adds per image, nearly as many as tutorial 1's network "
                "(about 2.8 million), with 35 thousand parameters to its 93 thousand. Batch norm "
                "lets it take a large learning rate and a cosine schedule does the rest in a few "
                "epochs (see BENCHMARKS.md). Valid padding: 28 -> 26 -> 13 -> 11 -> 5.")
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


def _centre(x):
    """Pixels 0..1 -> -0.5..0.5 ("centre"): without batch norm, inputs around zero train faster
    (cifar10-quick's net, 6 epochs: 75.5% uncentred, 78.4% centred)."""
    from keras import layers

    return layers.Rescaling(1.0, offset=-0.5, name="centre")(x)


def _conv_relu(x, filters, name):
    """A He-initialised 3x3 conv with ReLU and no batch norm (the plain nets' layer)."""
    from keras import layers

    return layers.Conv2D(filters, 3, padding="same", activation="relu",
                         kernel_initializer="he_normal", name=f"{name}_conv")(x)


@register("cnnweb_cifar_plain", description="cnnweb_cifar without batch norm: three blocks of two "
                                           "3x3 conv-ReLU layers (32, 64, 128 filters) with "
                                           "max-pooling, global average pooling, one dense "
                                           "classifier.",
          source="cnnweb (time-to-accuracy recipe)", hyperparams={"width": 32, "dropout": 0.0},
          notes="About 39 million multiply-adds per image and 288 thousand parameters. No batch "
                "norm: in bfloat16 on a CPU with AMX, cnnweb_cifar_fast trained 1,128 images per "
                "CPU-second and the same net without batch norm 4,335 (see BENCHMARKS.md). "
                "He-initialised and given pixels centred on zero, so it learns without it.")
def _cnnweb_cifar_plain(x, num_classes, width, dropout):
    return gap_head(_three_blocks(_centre(x), width, _conv_relu), dropout, num_classes)


@register("cnnweb_cifar_quick", description="cnnweb_cifar_plain with one convolution in its first "
                                           "block: five 3x3 conv-ReLU layers (32; 64, 64; 128, "
                                           "128 filters) with max-pooling, global average "
                                           "pooling, one dense classifier.",
          source="cnnweb (time-to-accuracy recipe)", hyperparams={"width": 32, "dropout": 0.0},
          notes="About 29 million multiply-adds per image and 279 thousand parameters. The "
                "layer it drops is the costliest on a CPU: it works on full 32x32 maps, where "
                "moving the data costs more than the arithmetic. cnnweb_cifar_plain's epoch took "
                "14 s on 2 cores and this one's 10.5 s (bfloat16, see BENCHMARKS.md).")
def _cnnweb_cifar_quick(x, num_classes, width, dropout):
    return gap_head(_three_blocks(_centre(x), width, _conv_relu, first_block="a"), dropout,
                    num_classes)


# ---------------------------------------------------------------- a stack from the Explainer
# "stack:<layer codes>_<head>" (cnnweb.stack.parse_arch): the Explainer's layers with ReLU after
# each convolution, then the head. Readable names: conv1, pool1, dwconv2, sepconv3, tconv4
# (conv3_pad before a layer with full or numeric padding), flatten or gap, dense1, dropout1,
# predictions (the logits; build() adds the float32 softmax "probs").

_STACK_NAMES = {"conv": "conv", "depthwise": "dwconv", "separable": "sepconv",
                "transposed": "tconv", "maxpool": "pool", "avgpool": "pool"}


def stack_fit_problem(name: str, input_shape, what: str) -> str | None:
    """Why the stack `name` cannot take `what`'s input (e.g. "MNIST's 28x28x1"), or None."""
    layers, head = stack.parse_arch(name)
    try:
        stack.network(tuple(input_shape), layers, head)
    except ValueError as e:
        return (f"this stack cannot take {what} input: {e} In the Explainer, set the input to "
                f"{'x'.join(map(str, input_shape))} and change that layer.")
    return None


def _stack_arch(name: str) -> Arch:
    layers, head = stack.parse_arch(name)          # ValueError for a bad code
    problem = stack.keras_problem(layers)
    if problem:
        raise ValueError(problem)
    kinds = ", ".join(dict.fromkeys(conv.LAYER_NAMES[s.kind] for s in layers)) or "no layers"
    return Arch(name, _stack_builder(layers, head),
                f"Your network from the Explainer: {len(layers)} layers ({kinds}), then "
                f"{stack.HEAD_POOLS[head.pool]}" + (f", Dense {head.units}" if head.units else "")
                + (f", Dropout {head.dropout:g}" if head.dropout else "") + " and the classifier.",
                "the Explainer's stack", (28, 28, 1))


def _stack_layer(spec, name: str):
    from keras import layers

    pad = spec.padding if spec.padding in ("valid", "same") else "valid"
    k, s, d = spec.kernel, spec.stride, spec.dilation
    common = {"strides": s, "padding": pad, "name": name}
    if spec.kind in stack.POOLS:
        pool = layers.MaxPooling2D if spec.kind == "maxpool" else layers.AveragePooling2D
        return pool(k, **common)
    conv_kw = {**common, "dilation_rate": d, "use_bias": spec.use_bias, "activation": "relu"}
    if spec.kind == "conv":
        return layers.Conv2D(spec.filters, k, **conv_kw)
    if spec.kind == "depthwise":
        return layers.DepthwiseConv2D(k, depth_multiplier=spec.depth_multiplier, **conv_kw)
    if spec.kind == "separable":
        return layers.SeparableConv2D(spec.filters, k, depth_multiplier=spec.depth_multiplier,
                                      **conv_kw)
    return layers.Conv2DTranspose(spec.filters, k, **conv_kw)


def _stack_builder(specs, head):
    def builder(x, num_classes):
        from keras import layers

        h, w, c = (int(d) for d in x.shape[1:])
        try:
            net = stack.network((h, w, c), specs, head, num_classes)
        except ValueError as e:
            raise ValueError(f"this stack cannot take a {h}x{w}x{c} input: {e}") from None
        counts: dict[str, int] = {}
        for spec, row in zip(specs, net.rows):
            base = _STACK_NAMES[spec.kind]
            counts[base] = counts.get(base, 0) + 1
            name = f"{base}{counts[base]}"
            if row.padding != (0, 0) and spec.padding not in ("valid", "same"):
                x = layers.ZeroPadding2D(row.padding, name=f"{name}_pad")(x)
            try:
                x = _stack_layer(spec, name)(x)
            except Exception as e:  # noqa: BLE001 - Keras refusing a setting is a bad input
                first = (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
                raise ValueError(f"Layer {row.index}: Keras refuses this layer: {first}") from None
            if tuple(x.shape[1:]) != row.out_shape:      # the Explainer's numbers are Keras'
                raise ValueError(f"Layer {row.index}: Keras makes {tuple(x.shape[1:])}, the "
                                 f"Explainer {row.out_shape}; this stack cannot be trained.")
        x = (layers.Flatten if head.pool == "flatten" else layers.GlobalAveragePooling2D)(
            name=head.pool)(x)
        if head.units:
            x = dense(x, head.units, "dense1", "relu")
        if head.dropout:
            x = drop(x, head.dropout, "dropout1")
        return dense(x, num_classes, "predictions")
    return builder
