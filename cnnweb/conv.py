"""Convolution arithmetic: output sizes, padding, parameters, multiply-adds, receptive fields.

Pure Python, no TensorFlow: the Explainer page imports this and must open fast.
Keras is the reference; tests/test_conv.py checks every formula here against real Keras layers.

Conventions
- Sizes are along one spatial axis (square kernels and inputs are the common case; call twice
  for height and width otherwise).
- "same" padding is TensorFlow's rule: output = ceil(size / stride); the zeros needed are split
  with the odd one after (bottom/right).
- Receptive-field coordinates are input pixel indices: pixel i has its centre at i, so a 3x3
  valid convolution's first output cell is centred on pixel 1 (start = 1).
- MACs are multiply-accumulate operations for one input example (FLOPs are about 2 x MACs).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from cnnweb.i18n import Msg

PADDINGS = ("valid", "same", "full")
LAYER_KINDS = ("conv", "depthwise", "separable", "transposed", "maxpool", "avgpool")
# the names a class reads (the Explainer's builder shows the same): errors name layers by them
LAYER_NAMES = {"conv": "Conv2D", "depthwise": "DepthwiseConv2D", "separable": "SeparableConv2D",
               "transposed": "Conv2DTranspose", "maxpool": "MaxPool", "avgpool": "AvgPool"}


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        # ValueError, not TypeError: callers (CLI, pages) report any bad setting the same way.
        raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}.")
    return value


def _check_padding(padding):
    if isinstance(padding, bool):  # ValueError, like every other bad setting
        msg = f"padding must be 'valid', 'same', 'full' or a number of zeros, got {padding!r}."
        raise ValueError(msg)  # noqa: TRY004
    if isinstance(padding, int):
        if padding < 0:
            raise ValueError(f"padding must not be negative, got {padding}.")
        return padding
    if isinstance(padding, str) and padding.lower() in PADDINGS:
        return padding.lower()
    raise ValueError(f"padding must be 'valid', 'same', 'full' or a number of zeros, got {padding!r}.")


def effective_kernel(kernel: int, dilation: int = 1) -> int:
    """Span of a dilated kernel: k + (k - 1)(d - 1). A 3x3 kernel with dilation 2 spans 5."""
    _positive_int("kernel", kernel)
    _positive_int("dilation", dilation)
    return dilation * (kernel - 1) + 1


def same_padding(size: int, kernel: int, stride: int = 1, dilation: int = 1) -> tuple[int, int]:
    """Zeros TensorFlow adds before and after for padding="same" (the odd one goes after)."""
    _positive_int("size", size)
    _positive_int("stride", stride)
    k = effective_kernel(kernel, dilation)
    out = -(-size // stride)  # ceil(size / stride)
    total = max((out - 1) * stride + k - size, 0)
    return total // 2, total - total // 2


def padding_amounts(size: int, kernel: int, stride: int = 1, padding="valid",
                    dilation: int = 1) -> tuple[int, int]:
    """Zeros added (before, after) along one axis for any padding mode."""
    _positive_int("size", size)
    _positive_int("stride", stride)
    effective_kernel(kernel, dilation)
    padding = _check_padding(padding)
    if padding == "valid":
        return 0, 0
    if padding == "same":
        return same_padding(size, kernel, stride, dilation)
    if padding == "full":
        p = effective_kernel(kernel, dilation) - 1
        return p, p
    return padding, padding


def output_size(size: int, kernel: int, stride: int = 1, padding="valid", dilation: int = 1) -> int:
    """Output length of a convolution or pooling window along one axis.

    floor((size + pad_before + pad_after - dilation*(kernel-1) - 1) / stride) + 1
    """
    _positive_int("size", size)
    _positive_int("kernel", kernel)
    _positive_int("stride", stride)
    _positive_int("dilation", dilation)
    before, after = padding_amounts(size, kernel, stride, padding, dilation)
    k = effective_kernel(kernel, dilation)
    padded = size + before + after
    if padded < k:
        span = f"{kernel}" if dilation == 1 else f"{kernel} (spanning {k} with dilation {dilation})"
        raise ValueError(
            f"The kernel {span} is larger than the padded input ({size} + {before + after} zeros"
            f" = {padded}), so the output would be empty."
        )
    return (padded - k) // stride + 1


def transposed_output_size(size: int, kernel: int, stride: int = 1, padding="valid",
                           output_padding: int | None = None, dilation: int = 1) -> int:
    """Output length of keras.layers.Conv2DTranspose along one axis (Keras' own rule)."""
    _positive_int("size", size)
    _positive_int("stride", stride)
    k = effective_kernel(kernel, dilation)
    padding = _check_padding(padding)
    if padding not in ("valid", "same"):
        raise ValueError("A transposed convolution's padding must be 'valid' or 'same'.")
    if output_padding is not None:
        if isinstance(output_padding, bool) or not isinstance(output_padding, int) or output_padding < 0:
            raise ValueError(f"output_padding must be a whole number >= 0, got {output_padding!r}.")
        if output_padding >= stride:
            raise ValueError(f"output_padding ({output_padding}) must be smaller than the stride ({stride}).")
    if padding == "valid":
        extra = max(k, stride) - k if output_padding is None else output_padding
        return (size - 1) * stride + k + extra
    if output_padding is None:
        return size * stride
    out = (size - 1) * stride + k % 2 + output_padding
    if out <= (size - 1) * stride:
        # TensorFlow checks that a 'same' conv of stride s would map the output back to size:
        # ceil(out / s) = size. An even kernel with output_padding 0 misses by one (or is empty).
        raise ValueError(
            f"With 'same' padding, an even kernel ({k}) and output_padding 0, the output would be"
            f" ({size} − 1) × {stride} = {out} cells, which a stride-{stride} 'same' convolution "
            f"maps back to {max(size - 1, 0)}, not {size}: TensorFlow refuses it. Use an odd "
            f"kernel or output_padding of at least 1.")
    return out


# ---------------------------------------------------------------- parameters and multiply-adds

def _out_hw(h, w) -> None:
    _positive_int("output height", h)
    _positive_int("output width", w)


def _kernel_hw(kernel) -> tuple[int, int]:
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    return _positive_int("kernel", kh), _positive_int("kernel", kw)


def conv_params(kernel, in_channels: int, filters: int, use_bias: bool = True, groups: int = 1) -> int:
    """Conv2D weights: kh*kw*(in/groups)*filters, plus one bias per filter."""
    kh, kw = _kernel_hw(kernel)
    _positive_int("in_channels", in_channels)
    _positive_int("filters", filters)
    _positive_int("groups", groups)
    if in_channels % groups or filters % groups:
        raise ValueError(f"groups ({groups}) must divide both the input channels ({in_channels}) "
                         f"and the filters ({filters}).")
    return kh * kw * (in_channels // groups) * filters + (filters if use_bias else 0)


def conv_macs(out_h: int, out_w: int, kernel, in_channels: int, filters: int, groups: int = 1) -> int:
    """Multiply-adds of a Conv2D: every output value is a kh*kw*(in/groups) dot product."""
    kh, kw = _kernel_hw(kernel)
    _out_hw(out_h, out_w)
    conv_params(kernel, in_channels, filters, groups=groups)   # the same checks, groups too
    return out_h * out_w * filters * kh * kw * (in_channels // groups)


def depthwise_params(kernel, in_channels: int, depth_multiplier: int = 1, use_bias: bool = True) -> int:
    kh, kw = _kernel_hw(kernel)
    _positive_int("in_channels", in_channels)
    _positive_int("depth_multiplier", depth_multiplier)
    out = in_channels * depth_multiplier
    return kh * kw * out + (out if use_bias else 0)


def depthwise_macs(out_h: int, out_w: int, kernel, in_channels: int, depth_multiplier: int = 1) -> int:
    kh, kw = _kernel_hw(kernel)
    _out_hw(out_h, out_w)
    depthwise_params(kernel, in_channels, depth_multiplier)
    return out_h * out_w * in_channels * depth_multiplier * kh * kw


def separable_params(kernel, in_channels: int, filters: int, depth_multiplier: int = 1,
                     use_bias: bool = True) -> int:
    """SeparableConv2D: a depthwise kernel per channel, then a 1x1 pointwise conv (one bias)."""
    kh, kw = _kernel_hw(kernel)
    depthwise_params(kernel, in_channels, depth_multiplier)
    _positive_int("filters", filters)
    mid = in_channels * depth_multiplier
    return kh * kw * mid + mid * filters + (filters if use_bias else 0)


def separable_macs(out_h: int, out_w: int, kernel, in_channels: int, filters: int,
                   depth_multiplier: int = 1) -> int:
    kh, kw = _kernel_hw(kernel)
    _out_hw(out_h, out_w)
    separable_params(kernel, in_channels, filters, depth_multiplier)
    mid = in_channels * depth_multiplier
    return out_h * out_w * (mid * kh * kw + mid * filters)


def transposed_params(kernel, in_channels: int, filters: int, use_bias: bool = True) -> int:
    kh, kw = _kernel_hw(kernel)
    _positive_int("in_channels", in_channels)
    _positive_int("filters", filters)
    return kh * kw * in_channels * filters + (filters if use_bias else 0)


def transposed_macs(in_h: int, in_w: int, kernel, in_channels: int, filters: int) -> int:
    """Every input value is scattered through the whole kernel into every filter."""
    kh, kw = _kernel_hw(kernel)
    _positive_int("input height", in_h)
    _positive_int("input width", in_w)
    transposed_params(kernel, in_channels, filters)
    return in_h * in_w * in_channels * kh * kw * filters


def pool_macs(out_h: int, out_w: int, pool, channels: int) -> int:
    """Pooling has no weights; count one operation (compare or add) per window element."""
    kh, kw = _kernel_hw(pool)
    _out_hw(out_h, out_w)
    _positive_int("channels", channels)
    return out_h * out_w * channels * kh * kw


def dense_params(in_features: int, units: int, use_bias: bool = True) -> int:
    _positive_int("in_features", in_features)
    _positive_int("units", units)
    return in_features * units + (units if use_bias else 0)


def dense_macs(in_features: int, units: int) -> int:
    dense_params(in_features, units)
    return in_features * units


def batchnorm_params(channels: int, center: bool = True, scale: bool = True) -> tuple[int, int]:
    """(trainable, non-trainable): gamma and beta learn; moving mean and variance do not."""
    _positive_int("channels", channels)
    return channels * (int(center) + int(scale)), 2 * channels


# ---------------------------------------------------------------- receptive fields

@dataclass(frozen=True)
class RF:
    size: int      # input pixels seen by one output cell, along one axis
    jump: int      # input pixels between neighbouring output cells (effective stride)
    start: float   # centre of the first output cell, in input pixel indices (may be < 0 with padding)


def _get(layer, name, default=None):
    if isinstance(layer, dict):
        return layer.get(name, default)
    return getattr(layer, name, default)


def _window_of(layer) -> tuple[int, int, int]:
    """(kernel, stride, dilation) of a layer dict/object: a missing or None stride or dilation
    is 1; 0, a negative or a fraction is refused (a stride of 0 would never move)."""
    kernel = _positive_int("kernel", _get(layer, "kernel"))
    stride, dilation = _get(layer, "stride", 1), _get(layer, "dilation", 1)
    stride = _positive_int("stride", 1 if stride is None else stride)
    dilation = _positive_int("dilation", 1 if dilation is None else dilation)
    return kernel, stride, dilation


def receptive_field(layers, size: int | None = None) -> list[RF]:
    """Receptive field after each layer of a conv/pool stack.

    Each layer is a dict (or object) with kernel, stride=1, padding="valid", dilation=1.
    r_out = r_in + (k_eff - 1) * j_in;  j_out = j_in * stride;
    start_out = start_in + ((k_eff - 1) / 2 - pad_before) * j_in.
    `size` (the input length) is needed only to place "same" padding's zeros; without it a
    "same" layer is assumed to add floor((k_eff - 1) / 2) before, which is TensorFlow's split
    whenever the input length is a multiple of the stride.
    """
    rf = RF(1, 1, 0.0)
    out: list[RF] = []
    for layer in layers:
        kernel, stride, dilation = _window_of(layer)
        padding = _check_padding(_get(layer, "padding", "valid"))
        k = effective_kernel(kernel, dilation)
        if size is not None:
            before, _ = padding_amounts(size, kernel, stride, padding, dilation)
            size = output_size(size, kernel, stride, padding, dilation)
        elif padding == "same":
            before = (k - 1) // 2
        else:
            before = padding_amounts(1, kernel, stride, padding, dilation)[0]
        rf = compose_rf(rf, kernel, stride, before, dilation)
        out.append(rf)
    return out


def compose_rf(rf: RF, kernel: int, stride: int = 1, pad_before: int = 0, dilation: int = 1) -> RF:
    """The receptive field after one more window (the one composition every table uses):
    r_out = r_in + (k_eff - 1) * j_in;  j_out = j_in * stride;
    start_out = start_in + ((k_eff - 1) / 2 - pad_before) * j_in."""
    k = effective_kernel(kernel, dilation)
    return RF(rf.size + (k - 1) * rf.jump, rf.jump * stride,
              rf.start + ((k - 1) / 2 - pad_before) * rf.jump)


# ---------------------------------------------------------------- a whole stack, for the Explainer

@dataclass
class LayerSpec:
    """One layer of the Explainer's stack. `kind` is one of LAYER_KINDS."""
    kind: str = "conv"
    kernel: int = 3
    stride: int = 1
    padding: object = "valid"   # "valid" | "same" | "full" | int zeros per side
    dilation: int = 1
    filters: int = 8            # conv / separable / transposed output channels
    use_bias: bool = True
    output_padding: int | None = None  # transposed only
    depth_multiplier: int = 1          # depthwise / separable
    groups: int = 1                    # conv only (Keras' grouped convolution)


@dataclass
class LayerRow:
    index: int
    kind: str
    in_shape: tuple[int, int, int]
    out_shape: tuple[int, int, int]
    params: int
    macs: int
    rf: RF | None               # None once a transposed conv is in the stack
    padding: tuple[int, int]    # zeros (before, after) along each axis
    formula: str                # the output-size formula with the numbers filled in
    param_formula: str
    notes: list[str] = field(default_factory=list)


def _size_formula(size, spec: LayerSpec, pads, out) -> str:
    k = effective_kernel(spec.kernel, spec.dilation)
    kk = f"{k}" if spec.dilation == 1 else f"({spec.dilation}·({spec.kernel}−1)+1)"
    if spec.kind == "transposed":
        return f"out = transposed({size}, k={k}, s={spec.stride}, {spec.padding}) = {out}"
    return f"⌊({size} + {pads[0]} + {pads[1]} − {kk}) / {spec.stride}⌋ + 1 = {out}"


def pair(value) -> tuple:
    """A number or an (height, width) pair as a pair."""
    return (value, value) if value is None or isinstance(value, int) else (value[0], value[1])


@dataclass(frozen=True)
class LayerMath:
    """What one conv or pooling layer does to an (h, w, c) input."""
    out_shape: tuple            # (h, w, c); h or w None where the input size is unknown
    params: int
    macs: int | None            # None where the input size is unknown
    padding: tuple[int, int]    # zeros (before, after) along the height axis


def layer(spec: LayerSpec, h: int | None, w: int | None, c: int) -> LayerMath:
    """The one per-layer arithmetic of the conv and pooling kinds (LAYER_KINDS): output shape,
    weights and multiply-adds, for the Explainer's stack and for any Keras model's table.
    kernel, stride, dilation (and output_padding) are a number or a (height, width) pair;
    h and w may be None (a model that takes any size). ValueError for an impossible layer."""
    kind = spec.kind
    k, (sh, sw), m = pair(spec.kernel), pair(spec.stride), spec.depth_multiplier
    dh, dw = (1, 1) if kind in ("maxpool", "avgpool") else pair(spec.dilation)
    oph, opw = pair(spec.output_padding)

    def size(n, kernel, stride, dilation, out_pad):
        if n is None:
            return None
        if kind == "transposed":
            return transposed_output_size(n, kernel, stride, spec.padding, out_pad, dilation)
        return output_size(n, kernel, stride, spec.padding, dilation)

    oh, ow = size(h, k[0], sh, dh, oph), size(w, k[1], sw, dw, opw)
    pads = (0, 0) if kind == "transposed" or h is None else padding_amounts(h, k[0], sh, spec.padding, dh)
    known = oh is not None and ow is not None
    if kind == "conv":
        oc = spec.filters
        params = conv_params(k, c, oc, spec.use_bias, spec.groups)
        macs = known and conv_macs(oh, ow, k, c, oc, spec.groups)
    elif kind == "depthwise":
        oc = c * m
        params = depthwise_params(k, c, m, spec.use_bias)
        macs = known and depthwise_macs(oh, ow, k, c, m)
    elif kind == "separable":
        oc = spec.filters
        params = separable_params(k, c, oc, m, spec.use_bias)
        macs = known and separable_macs(oh, ow, k, c, oc, m)
    elif kind == "transposed":
        oc = spec.filters
        params = transposed_params(k, c, oc, spec.use_bias)
        macs = known and transposed_macs(h, w, k, c, oc)
    elif kind in ("maxpool", "avgpool"):
        oc, params = c, 0
        macs = known and pool_macs(oh, ow, k, c)
    else:
        raise ValueError(f"unknown kind {kind!r}.")
    return LayerMath((oh, ow, oc), params, macs if known else None, pads)


def _param_formula(spec: LayerSpec, c: int, oc: int, params: int) -> str:
    k, bias = spec.kernel, f" + {oc}" if spec.use_bias else ""
    if spec.kind in ("maxpool", "avgpool"):
        return Msg("xp.pool_no_weights")   # a str; pages show it in the reader's language
    if spec.kind == "depthwise":
        return f"{k}×{k}×{oc}{bias} = {params:,}"
    if spec.kind == "separable":
        mid = c * spec.depth_multiplier
        return f"{k}×{k}×{mid} + {mid}×{oc}{bias} = {params:,}"
    return f"{k}×{k}×{c}×{oc}{bias} = {params:,}"


def analyze_stack(height: int, width: int, channels: int, layers: list[LayerSpec]) -> list[LayerRow]:
    """Shapes, parameters, MACs and receptive fields of every layer; raises ValueError naming
    the first layer that cannot work (e.g. a kernel larger than its padded input)."""
    _positive_int("height", height)
    _positive_int("width", width)
    _positive_int("channels", channels)
    rows: list[LayerRow] = []
    h, w, c = height, width, channels
    rf: RF | None = RF(1, 1, 0.0)
    for i, spec in enumerate(layers, 1):
        if spec.kind not in LAYER_KINDS:
            raise ValueError(f"Layer {i}: unknown kind {spec.kind!r}.")
        if spec.kind in ("maxpool", "avgpool"):
            spec = replace(spec, dilation=1)  # Keras pooling has no dilation
        try:
            math = layer(spec, h, w, c)
        except ValueError as e:
            raise ValueError(f"Layer {i} ({LAYER_NAMES[spec.kind]}): {e}") from None
        (oh, ow, oc), pads = math.out_shape, math.padding
        if spec.kind == "transposed":
            rf = None   # a transposed conv spreads each input over many outputs: no single RF
        elif rf is not None:
            rf = compose_rf(rf, spec.kernel, spec.stride, pads[0], spec.dilation)
        rows.append(LayerRow(i, spec.kind, (h, w, c), (oh, ow, oc), math.params, math.macs, rf,
                             pads, _size_formula(h, spec, pads, oh),
                             _param_formula(spec, c, oc, math.params)))
        h, w, c = oh, ow, oc
    return rows


# ---------------------------------------------------------------- windows, for the Explainer's pictures

def window_indices(out_index: int, kernel: int, stride: int = 1, pad_before: int = 0,
                   dilation: int = 1) -> list[int]:
    """Input indices (along one axis) that output cell `out_index` reads.

    Indices < 0 or >= the input length fall on the zero padding. A 3x3 kernel, stride 2,
    one zero before: output cell 1 reads input indices 1, 2, 3.
    """
    _positive_int("kernel", kernel)
    _positive_int("stride", stride)
    _positive_int("dilation", dilation)
    first = out_index * stride - pad_before
    return [first + t * dilation for t in range(kernel)]


def receptive_field_counts(layers, size: int, index: int) -> list[int]:
    """How many paths lead from each input pixel to output cell `index` of the last layer.

    Along one axis, over a conv/pool stack (dicts or LayerSpecs with kernel, stride, padding,
    dilation, kind). Non-zero entries are the pixels the cell actually sees (dilation leaves
    holes); the counts are what an all-ones network would weigh them by, which is why the
    centre of a receptive field matters more than its edge. Returns a list of length `size`.
    """
    _positive_int("size", size)
    plan = []  # (in_size, kernel, stride, pad_before, dilation) per layer
    n = size
    for i, layer in enumerate(layers, 1):
        kind = _get(layer, "kind", "conv")
        if kind == "transposed":
            raise ValueError(f"Layer {i} is a transposed convolution; receptive fields are "
                             "traced only through conv and pooling layers.")
        kernel, stride, dilation = _window_of(layer)
        if kind in ("maxpool", "avgpool"):
            dilation = 1
        padding = _get(layer, "padding", "valid")
        before, _ = padding_amounts(n, kernel, stride, padding, dilation)
        plan.append((n, kernel, stride, before, dilation))
        n = output_size(n, kernel, stride, padding, dilation)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n:
        raise ValueError(f"Output cell {index!r} does not exist: the last layer has {n} cells "
                         f"(0 to {n - 1}).")
    counts = {index: 1}
    for n_in, kernel, stride, before, dilation in reversed(plan):
        below: dict[int, int] = {}
        for o, c in counts.items():
            for i in window_indices(o, kernel, stride, before, dilation):
                if 0 <= i < n_in:
                    below[i] = below.get(i, 0) + c
        counts = below
    return [counts.get(i, 0) for i in range(size)]
