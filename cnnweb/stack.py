"""The Explainer's layer stack: presets, short codes for the URL, table rows and worked formulas.

Pure Python on top of cnnweb.conv (no TensorFlow, no streamlit). A stack is an input size and
channel count plus a list of conv.LayerSpec. In a link it is written as short codes joined by
"_", e.g. `conv-k3-f32_max-k2-s2_conv-k3-same-f64` (defaults are left out: stride 1, valid
padding, dilation 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from cnnweb import conv
from cnnweb.conv import LayerSpec

# kind -> (short code in links, label in the UI)
KINDS = {
    "conv": ("conv", "Conv2D"),
    "maxpool": ("max", "MaxPool"),
    "avgpool": ("avg", "AvgPool"),
    "transposed": ("tconv", "Conv2DTranspose"),
    "depthwise": ("dw", "DepthwiseConv2D"),
    "separable": ("sep", "SeparableConv2D"),
}
_KIND_OF_CODE = {code: kind for kind, (code, _) in KINDS.items()}
POOLS = ("maxpool", "avgpool")
HAS_FILTERS = ("conv", "transposed", "separable")
PADDING_MODES = ("valid", "same", "full", "zeros")  # "zeros" = an explicit number per side

# Bounds shared by the URL decoder and the page's widgets (so a link can never break a widget).
LIMITS = {"kernel": (1, 15), "stride": (1, 8), "pad": (0, 16), "dilation": (1, 8),
          "filters": (1, 4096), "size": (1, 1024), "channels": (1, 4096), "layers": (0, 40)}


@dataclass
class Preset:
    title: str
    size: int
    channels: int
    layers: list[LayerSpec]
    note: str = ""


def _c(f, k=3, s=1, p="valid", d=1):
    return LayerSpec("conv", kernel=k, stride=s, padding=p, dilation=d, filters=f)


def _pool(kind="maxpool", k=2, s=2, p="valid"):
    return LayerSpec(kind, kernel=k, stride=s, padding=p)


def _vgg16():
    out = []
    for width, n in ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)):
        out += [_c(width, p="same") for _ in range(n)] + [_pool()]
    return out


PRESETS: dict[str, Preset] = {p.title: p for p in [
    Preset("Seed 001: the Keras MNIST CNN", 28, 1,
           [_c(32), _pool(), _c(64), _pool(), _c(64)],
           "The tutorial's network: 26→13→11→5→3; parameters 320, 18,496 and 36,928."),
    Preset("Seed 002: the CIFAR-10 CNN", 32, 3,
           [_c(32), _pool(), _c(64), _pool(), _c(64)],
           "Same shape as the MNIST net on colour input: the first conv has 3×3×3×32+32 = 896."),
    Preset("Seed 004: strided convolutions, same padding", 32, 3,
           [_c(32, p="same"), _c(32, s=2, p="same"), _c(64, p="same"), _c(64, s=2, p="same")],
           "Stride 2 with 'same' padding halves the size: 32→32→16→16→8, no pooling needed."),
    Preset("Seed 004: two small convs (490 and 1,820 parameters)", 32, 3,
           [_c(10, k=4, s=2, p="same"), _c(20, k=3, s=2, p="same")],
           "(4×4×3+1)×10 = 490 and (3×3×10+1)×20 = 1,820."),
    Preset("Seed 000: one 5×5 conv, same padding, then pooling", 32, 3,
           [_c(6, k=5, p="same"), _pool(p="same")],
           "5×5×3×6+6 = 456 parameters; 'same' keeps 32×32 until the pooling halves it."),
    Preset("VGG block: two 3×3 convs and a pool", 224, 3,
           [_c(64, p="same"), _c(64, p="same"), _pool()],
           "Two 3×3 convs see 5×5 of the input; the pool doubles the jump."),
    Preset("VGG16 feature extractor (13 convs, 5 pools)", 224, 3, _vgg16(),
           "pool5 sees 212 pixels of the 224 with a jump of 32 (7×7×512 output)."),
    Preset("Dilated convolutions (1, 2, 4)", 32, 1,
           [_c(8, p="same", d=1), _c(8, p="same", d=2), _c(8, p="same", d=4)],
           "Receptive field 3, 7, 15 with the parameters of three 3×3 convs; look at the holes "
           "in the Receptive field tab."),
    Preset("Encoder-decoder with transposed convolutions", 28, 1,
           [_c(16, s=2, p="same"), _c(32, s=2, p="same"),
            LayerSpec("transposed", 3, 2, "same", filters=16),
            LayerSpec("transposed", 3, 2, "same", filters=1)],
           "Strided convs shrink 28→14→7, transposed convs grow it back 7→14→28."),
]}
DEFAULT_PRESET = "Seed 001: the Keras MNIST CNN"


# ---------------------------------------------------------------- link codes

def _padding_code(p) -> str:
    return f"p{p}" if isinstance(p, int) else p


def encode_layer(spec: LayerSpec) -> str:
    """LayerSpec -> short code, e.g. 'conv-k3-s2-same-f32' (defaults omitted)."""
    parts = [KINDS[spec.kind][0], f"k{spec.kernel}"]
    if spec.stride != 1:
        parts.append(f"s{spec.stride}")
    if spec.padding != "valid":
        parts.append(_padding_code(spec.padding))
    if spec.dilation != 1 and spec.kind not in POOLS:
        parts.append(f"d{spec.dilation}")
    if spec.kind in HAS_FILTERS:
        parts.append(f"f{spec.filters}")
    return "-".join(parts)


def _bounded(name, text, code):
    lo, hi = LIMITS[name]
    if not text.isdigit() or not lo <= int(text) <= hi:
        raise ValueError(f"in {code!r}, {name} must be a whole number from {lo} to {hi}.")
    return int(text)


def decode_layer(code: str) -> LayerSpec:
    """Short code -> LayerSpec; ValueError with a sentence naming the bad part."""
    head, *parts = code.strip().split("-")
    if head not in _KIND_OF_CODE:
        raise ValueError(f"{code!r} does not start with a layer kind "
                         f"({', '.join(_KIND_OF_CODE)}).")
    spec = LayerSpec(_KIND_OF_CODE[head], filters=8)
    names = {"k": "kernel", "s": "stride", "d": "dilation", "f": "filters", "p": "pad"}
    for part in parts:
        if part in ("valid", "same", "full"):
            spec.padding = part
        elif part[:1] in names:
            value = _bounded(names[part[0]], part[1:], code)
            field = {"pad": "padding"}.get(names[part[0]], names[part[0]])
            setattr(spec, field, value)
        else:
            raise ValueError(f"in {code!r}, {part!r} is not understood (use k3, s2, same, full, "
                             "p1, d2 or f32).")
    if spec.kind == "transposed" and spec.padding not in ("valid", "same"):
        raise ValueError(f"in {code!r}, a transposed convolution takes 'valid' or 'same' padding.")
    return spec


def encode_stack(layers: list[LayerSpec]) -> str:
    return "_".join(encode_layer(s) for s in layers)


def decode_stack(text: str) -> list[LayerSpec]:
    """'conv-k3-f32_max-k2-s2' -> [LayerSpec, ...]; ValueError naming the layer that fails."""
    codes = [c for c in (text or "").split("_") if c.strip()]
    if len(codes) > LIMITS["layers"][1]:
        raise ValueError(f"The link has {len(codes)} layers; at most {LIMITS['layers'][1]}.")
    out = []
    for i, code in enumerate(codes, 1):
        try:
            out.append(decode_layer(code))
        except ValueError as e:
            raise ValueError(f"Layer {i} of the link: {e}") from None
    return out


# ---------------------------------------------------------------- words and numbers for the page

def describe(spec: LayerSpec) -> str:
    """'Conv2D 3×3, 32 filters, stride 2, same' in words a class can read."""
    k = spec.kernel
    text = f"{KINDS[spec.kind][1]} {k}×{k}"
    if spec.kind in HAS_FILTERS:
        text += f", {spec.filters} filters"
    if spec.stride != 1:
        text += f", stride {spec.stride}"
    if spec.dilation != 1 and spec.kind not in POOLS:
        text += f", dilation {spec.dilation}"
    pad = spec.padding
    text += f", {pad} zeros" if isinstance(pad, int) else f", {pad}"
    return text


def keras_notes(spec: LayerSpec) -> list[str]:
    """Things that are fine arithmetic but that Keras would refuse or need extra layers for."""
    notes = []
    if spec.stride > 1 and spec.dilation > 1 and spec.kind not in POOLS:
        notes.append("Keras refuses stride > 1 together with dilation > 1 (PyTorch allows it).")
    if spec.padding == "full":
        notes.append("Keras has no 'full' padding: add ZeroPadding2D(kernel − 1) before a valid layer.")
    if isinstance(spec.padding, int) and spec.padding > 0:
        notes.append(f"In Keras: ZeroPadding2D({spec.padding}) followed by a 'valid' layer.")
    return notes


def table_rows(rows: list[conv.LayerRow], layers: list[LayerSpec]) -> list[dict]:
    """One dict per layer for st.dataframe (plus the input as row 0)."""
    h, w, c = rows[0].in_shape if rows else (None, None, None)
    out = [{"#": 0, "layer": "input", "output shape": f"{h}×{w}×{c}" if rows else "",
            "params": 0, "MACs": 0, "RF size": 1, "jump": 1, "start": 0.0,
            "output size": "", "params formula": ""}]
    for row, spec in zip(rows, layers):
        oh, ow, oc = row.out_shape
        rf = row.rf
        out.append({
            "#": row.index, "layer": describe(spec), "output shape": f"{oh}×{ow}×{oc}",
            "params": row.params, "MACs": row.macs,
            "RF size": rf.size if rf else None, "jump": rf.jump if rf else None,
            "start": rf.start if rf else None,
            "output size": transposed_formula(row, spec) if spec.kind == "transposed"
            else row.formula,
            "params formula": row.param_formula,
        })
    return out


def transposed_formula(row: conv.LayerRow, spec: LayerSpec) -> str:
    n, out = row.in_shape[0], row.out_shape[0]
    k = conv.effective_kernel(spec.kernel, spec.dilation)
    if spec.padding == "same":
        return f"{n} × {spec.stride} = {out}"
    return f"({n} − 1) × {spec.stride} + {k} + max({spec.stride} − {k}, 0) = {out}"


@dataclass
class Working:
    """The formulas of one layer with its numbers substituted, as LaTeX lines."""
    title: str
    lines: list[str]


def _tex(text: str) -> str:
    return text.replace("×", r"\times ").replace("−", "-").replace("⌊", r"\lfloor ").replace(
        "⌋", r"\rfloor ").replace("·", r"\cdot ")


def working(rows: list[conv.LayerRow], layers: list[LayerSpec], i: int) -> list[Working]:
    """Output size, parameters, MACs and receptive field of layer i (1-based), worked out."""
    row, spec = rows[i - 1], layers[i - 1]
    n, _, c_in = row.in_shape
    oh, ow, oc = row.out_shape
    k, s, d = spec.kernel, spec.stride, (1 if spec.kind in POOLS else spec.dilation)
    ke = conv.effective_kernel(k, d)
    pb, pa = row.padding
    out = []
    if spec.kind == "transposed":
        size_lines = [r"n_{out} = " + ("n \\cdot s" if spec.padding == "same"
                                       else r"(n-1)\,s + k + \max(s-k, 0)"),
                      "n_{out} = " + _tex(transposed_formula(row, spec))]
    else:
        size_lines = [(r"n_{out} = \left\lfloor \frac{n + p_{before} + p_{after} - k_{eff}}{s}"
                      r"\right\rfloor + 1"),
                      (rf"n_{{out}} = \left\lfloor \frac{{{n} + {pb} + {pa} - {ke}}}{{{s}}}"
                      rf"\right\rfloor + 1 = {oh}")]
        if d > 1:
            size_lines.insert(1, rf"k_{{eff}} = d\,(k-1) + 1 = {d}\cdot({k}-1)+1 = {ke}")
        if spec.padding == "same":
            size_lines.append(r"\text{same: zeros} = \max((\lceil n/s\rceil - 1)\,s + k_{eff}"
                              rf" - n,\ 0) = {pb + pa}\ \text{{split }} {pb}\ \text{{before}},"
                              rf"\ {pa}\ \text{{after}}")
    out.append(Working("Output size (per side)", size_lines))
    if spec.kind in POOLS:
        out.append(Working("Parameters", [r"\text{pooling has no weights: } 0"]))
        out.append(Working("Operations (compares or adds)",
                           [rf"{oh}\times{ow}\times{oc}\times{k}\times{k} = {row.macs:,}"
                            .replace(",", "{,}")]))
    else:
        general = {"conv": r"k \times k \times c_{in} \times f + f",
                   "transposed": r"k \times k \times c_{in} \times f + f",
                   "depthwise": r"k \times k \times c_{in} m + c_{in} m",
                   "separable": r"k \times k \times c_{in} m + c_{in} m \times f + f"}[spec.kind]
        if not spec.use_bias:
            general = general.rsplit(" + ", 1)[0]
        out.append(Working("Parameters", [general, _tex(row.param_formula).replace(",", "{,}")]))
        if spec.kind == "transposed":
            macs = rf"{n}\times{n}\times{c_in}\times{k}\times{k}\times{oc} = {row.macs:,}"
        elif spec.kind == "conv":
            macs = rf"{oh}\times{ow}\times{oc}\times{k}\times{k}\times{c_in} = {row.macs:,}"
        else:
            macs = rf"= {row.macs:,}"
        out.append(Working("Multiply-adds (MACs) per image", [macs.replace(",", "{,}")]))
    if row.rf is not None:
        prev = rows[i - 2].rf if i > 1 else conv.RF(1, 1, 0.0)
        r, j, st = prev.size, prev.jump, prev.start
        out.append(Working("Receptive field", [
            rf"r = r_{{in}} + (k_{{eff}} - 1)\,j_{{in}} = {r} + ({ke} - 1)\cdot {j} = {row.rf.size}",
            rf"j = j_{{in}}\cdot s = {j}\cdot {s} = {row.rf.jump}",
            r"start = start_{in} + \left(\frac{k_{eff} - 1}{2} - p_{before}\right) j_{in}",
            rf"start = {st:g} + \left(\frac{{{ke} - 1}}{{2}} - {pb}\right)\cdot {j} = {row.rf.start:g}",
        ]))
    return out


def with_bias(layers: list[LayerSpec], use_bias: bool) -> list[LayerSpec]:
    return [replace(s, use_bias=use_bias) for s in layers]


# ---------------------------------------------------------------- two 3x3 vs one 5x5

def stacked_vs_single(channels: int, n_small: int = 2, small: int = 3) -> dict:
    """n stacked small×small convs vs the one big conv with the same receptive field
    (channels in = channels out = `channels`, with bias)."""
    big = conv.receptive_field([{"kernel": small}] * n_small)[-1].size
    stacked = n_small * conv.conv_params(small, channels, channels)
    single = conv.conv_params(big, channels, channels)
    return {"big": big, "stacked_params": stacked, "single_params": single,
            "stacked_formula": f"{n_small} × ({small}×{small}×{channels}×{channels} + {channels})"
                               f" = {stacked:,}",
            "single_formula": f"{big}×{big}×{channels}×{channels} + {channels} = {single:,}"}


# ---------------------------------------------------------------- the builder's editable table

PAD_OPTIONS = ["valid", "same", "full"] + [f"{n} zero{'s' if n != 1 else ''}"
                                           for n in range(LIMITS["pad"][0], LIMITS["pad"][1] + 1)]
_LABEL_TO_KIND = {label: kind for kind, (_, label) in KINDS.items()}
EDITOR_DEFAULTS = {"layer": "Conv2D", "kernel": 3, "stride": 1, "padding": "valid",
                   "dilation": 1, "filters": 32}


def _pad_label(p) -> str:
    return PAD_OPTIONS[3 + p] if isinstance(p, int) else p


def to_editor_rows(layers: list[LayerSpec]) -> list[dict]:
    """One row per layer for st.data_editor (pooling leaves dilation and filters empty)."""
    return [{"layer": KINDS[s.kind][1], "kernel": s.kernel, "stride": s.stride,
             "padding": _pad_label(s.padding),
             "dilation": None if s.kind in POOLS else s.dilation,
             "filters": s.filters if s.kind in HAS_FILTERS else None} for s in layers]


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v == ""  # None, NaN, ""


def from_editor_rows(rows: list[dict]) -> list[LayerSpec]:
    """The data_editor's rows -> LayerSpecs. Empty cells (a freshly added row) take the
    defaults; a value out of range raises ValueError naming the row and the column."""
    out = []
    for i, row in enumerate(rows, 1):
        label = EDITOR_DEFAULTS["layer"] if _blank(row.get("layer")) else row["layer"]
        if label not in _LABEL_TO_KIND:
            raise ValueError(f"Layer {i}: unknown layer {label!r}.")
        kind = _LABEL_TO_KIND[label]
        defaults = dict(EDITOR_DEFAULTS, **({"kernel": 2, "stride": 2} if kind in POOLS else {}))
        v = {k: (defaults[k] if _blank(row.get(k)) else row[k]) for k in defaults}
        if v["padding"] not in PAD_OPTIONS:
            raise ValueError(f"Layer {i}: padding must be one of valid, same, full or a number "
                             f"of zeros, not {v['padding']!r}.")
        pad = v["padding"] if PAD_OPTIONS.index(v["padding"]) < 3 else \
            PAD_OPTIONS.index(v["padding"]) - 3
        nums = {}
        for name in ("kernel", "stride", "dilation", "filters"):
            lo, hi = LIMITS[name]
            value = v[name]
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
                raise ValueError(f"Layer {i}: {name} must be a whole number from {lo} to {hi}, "
                                 f"not {v[name]!r}.")
            nums[name] = value
        out.append(LayerSpec(kind, nums["kernel"], nums["stride"], pad,
                             1 if kind in POOLS else nums["dilation"],
                             nums["filters"] if kind in HAS_FILTERS else 8))
    return out
