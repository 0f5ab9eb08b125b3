"""The Explainer's layer stack: presets, short codes for the URL, table rows and worked formulas.

Pure Python on top of cnnweb.conv (no TensorFlow, no streamlit). A stack is an input size and
channel count plus a list of conv.LayerSpec. In a link it is written as short codes joined by
"_", e.g. `conv-k3-f32_max-k2-s2_conv-k3-same-f64` (defaults are left out: stride 1, valid
padding, dilation 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from cnnweb import conv, i18n
from cnnweb.conv import LayerSpec
from cnnweb.i18n import Msg

# kind -> (short code in links, label in the UI)
KINDS = {kind: (code, conv.LAYER_NAMES[kind]) for kind, code in (
    ("conv", "conv"), ("maxpool", "max"), ("avgpool", "avg"), ("transposed", "tconv"),
    ("depthwise", "dw"), ("separable", "sep"))}
_KIND_OF_CODE = {code: kind for kind, (code, _) in KINDS.items()}
POOLS = ("maxpool", "avgpool")
HAS_FILTERS = ("conv", "transposed", "separable")

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
    if not spec.use_bias and spec.kind not in POOLS:
        parts.append("nb")                      # no bias (the Explainer's bias switch)
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
        elif part == "nb":
            spec.use_bias = False
        elif part[:1] in names:
            value = _bounded(names[part[0]], part[1:], code)
            field = {"pad": "padding"}.get(names[part[0]], names[part[0]])
            setattr(spec, field, value)
        else:
            raise ValueError(f"in {code!r}, {part!r} is not understood (use k3, s2, same, full, "
                             "p1, d2, f32 or nb).")
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

def counted(n: int, word: str) -> str:
    """'1 filter', '32 filters' (English: the editor's padding choices, which are values)."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def describe(spec: LayerSpec) -> Msg:
    """'Conv2D 3×3, 32 filters, stride 2, same' in words a class can read: a Msg whose parts
    are Msgs chained through {more}, so each language words every part itself."""
    parts = []
    if spec.kind in HAS_FILTERS:
        parts.append(("stack.desc.filters", {"n": spec.filters}))
    if spec.stride != 1:
        parts.append(("stack.desc.stride", {"s": spec.stride}))
    if spec.dilation != 1 and spec.kind not in POOLS:
        parts.append(("stack.desc.dilation", {"d": spec.dilation}))
    pad = spec.padding
    parts.append(("stack.desc.zeros", {"n": pad}) if isinstance(pad, int)
                 else ("stack.desc.padding", {"padding": pad}))
    more = ""
    for key, args in reversed(parts):
        more = Msg(key, **args, more=more)
    return Msg("stack.desc", kind=KINDS[spec.kind][1], k=spec.kernel, more=more)


def keras_notes(spec: LayerSpec) -> list[Msg]:
    """Things that are fine arithmetic but that Keras would refuse or need extra layers for."""
    notes = []
    if spec.stride > 1 and spec.dilation > 1 and spec.kind not in POOLS:
        notes.append(Msg("stack.note.stride_dilation"))
    if spec.padding == "full":
        notes.append(Msg("stack.note.full"))
    if isinstance(spec.padding, int) and spec.padding > 0:
        notes.append(Msg("stack.note.zeros", n=spec.padding))
    return notes


def _count(n) -> str | None:
    """A count as text with thousands separators: exact at any size (Python ints), where a
    dataframe column of int64 would overflow (8 transposed convs at 1024 pass 10^21 MACs)."""
    return None if n is None else f"{n:,}"


def table_rows(rows: list[conv.LayerRow], layers: list[LayerSpec]) -> list[dict]:
    """One dict per layer for st.dataframe (plus the input as row 0). Counts (params, MACs,
    RF size, jump) are text such as "18,496"; start is a number."""
    h, w, c = rows[0].in_shape if rows else (None, None, None)
    out = [{"#": 0, "layer": "input", "output shape": f"{h}×{w}×{c}" if rows else "",
            "params": "0", "MACs": "0", "RF size": "1", "jump": "1", "start": 0.0,
            "output size": "", "params formula": ""}]
    for row, spec in zip(rows, layers):
        oh, ow, oc = row.out_shape
        rf = row.rf
        out.append({
            "#": row.index, "layer": describe(spec), "output shape": f"{oh}×{ow}×{oc}",
            "params": _count(row.params), "MACs": _count(row.macs),
            "RF size": _count(rf.size) if rf else None, "jump": _count(rf.jump) if rf else None,
            "start": float(rf.start) if rf else None,
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


_TEX_WORDS = ("out", "in", "eff", "before", "after", "start", "same_zeros", "pool_none")


def _tex_words(lang: str) -> dict:
    """The words inside the worked formulas (the subscripts of n_out, k_eff, ...) in `lang`,
    each as LaTeX \\text{...} (upright, and Chinese renders there): the catalogue's "tex.*"."""
    return {w: r"\text{" + i18n.t(f"tex.{w}", lang=lang) + "}" for w in _TEX_WORDS}


def size_line(n: int, pad_before: int, pad_after: int, k_eff: int, stride: int, out: int,
              lang: str = "en") -> str:
    """The output size with its numbers, as LaTeX: n_out = ⌊(n + p + p − k_eff) / s⌋ + 1."""
    out_ = _tex_words(lang)["out"]
    return (rf"n_{{{out_}}} = \left\lfloor \frac{{{n} + {pad_before} + {pad_after} - {k_eff}}}"
            rf"{{{stride}}}\right\rfloor + 1 = {out}")


def conv_size_line(n: int, kernel: int, stride: int, padding, dilation: int,
                   lang: str = "en") -> tuple[int, str]:
    """One convolution over n pixels: its output size and size_line (ValueError if none fits)."""
    out = conv.output_size(n, kernel, stride, padding, dilation)
    before, after = conv.padding_amounts(n, kernel, stride, padding, dilation)
    return out, size_line(n, before, after, conv.effective_kernel(kernel, dilation), stride, out,
                          lang)


def working(rows: list[conv.LayerRow], layers: list[LayerSpec], i: int,
            lang: str = "en") -> list[Working]:
    """Output size, parameters, MACs and receptive field of layer i (1-based), worked out; the
    words in the formulas in `lang` (titles stay English: the page shows them as terms)."""
    row, spec = rows[i - 1], layers[i - 1]
    w = _tex_words(lang)
    out = [Working("Output size (per side)", _size_working(row, spec, w, lang)),
           *_cost_working(row, spec, w)]
    if row.rf is not None:
        prev = rows[i - 2].rf if i > 1 else conv.RF(1, 1, 0.0)
        out.append(Working("Receptive field", _rf_working(row, spec, prev, w)))
    return out


def _size_working(row: conv.LayerRow, spec: LayerSpec, w: dict, lang: str) -> list[str]:
    out_, eff, bef, aft = w["out"], w["eff"], w["before"], w["after"]
    if spec.kind == "transposed":
        return [rf"n_{{{out_}}} = " + ("n \\cdot s" if spec.padding == "same"
                                       else r"(n-1)\,s + k + \max(s-k, 0)"),
                rf"n_{{{out_}}} = " + _tex(transposed_formula(row, spec))]
    k, s, d = spec.kernel, spec.stride, (1 if spec.kind in POOLS else spec.dilation)
    ke = conv.effective_kernel(k, d)
    pb, pa = row.padding
    lines = [(rf"n_{{{out_}}} = \left\lfloor \frac{{n + p_{{{bef}}} + p_{{{aft}}}"
              rf" - k_{{{eff}}}}}{{s}}\right\rfloor + 1"),
             size_line(row.in_shape[0], pb, pa, ke, s, row.out_shape[0], lang)]
    if d > 1:
        lines.insert(1, rf"k_{{{eff}}} = d\,(k-1) + 1 = {d}\cdot({k}-1)+1 = {ke}")
    if spec.padding == "same":
        split = i18n.t("tex.split", lang=lang, before=pb, after=pa)
        lines.append(rf"{w['same_zeros']} = \max((\lceil n/s\rceil - 1)\,s + k_{{{eff}}}"
                     rf" - n,\ 0) = {pb + pa}\ \text{{{split}}}")
    return lines


def _cost_working(row: conv.LayerRow, spec: LayerSpec, w: dict) -> list[Working]:
    """Parameters and operations (MACs) of a layer, general formula then numbers."""
    n, _, c_in = row.in_shape
    oh, ow, oc = row.out_shape
    k = spec.kernel
    if spec.kind in POOLS:
        return [Working("Parameters", [w["pool_none"] + " 0"]),
                Working("Operations (compares or adds)",
                        [rf"{oh}\times{ow}\times{oc}\times{k}\times{k} = {row.macs:,}"
                         .replace(",", "{,}")])]
    general = {"conv": r"k \times k \times c_{IN} \times f + f",
               "transposed": r"k \times k \times c_{IN} \times f + f",
               "depthwise": r"k \times k \times c_{IN} m + c_{IN} m",
               "separable": r"k \times k \times c_{IN} m + c_{IN} m \times f + f"}[spec.kind]
    general = general.replace("IN", w["in"])
    if not spec.use_bias:
        general = general.rsplit(" + ", 1)[0]
    if spec.kind == "transposed":
        macs = rf"{n}\times{n}\times{c_in}\times{k}\times{k}\times{oc} = {row.macs:,}"
    elif spec.kind == "conv":
        macs = rf"{oh}\times{ow}\times{oc}\times{k}\times{k}\times{c_in} = {row.macs:,}"
    else:
        macs = rf"= {row.macs:,}"
    return [Working("Parameters", [general, _tex(row.param_formula).replace(",", "{,}")]),
            Working("Multiply-adds (MACs) per image", [macs.replace(",", "{,}")])]


def _rf_working(row: conv.LayerRow, spec: LayerSpec, prev: conv.RF, w: dict) -> list[str]:
    """r, j and start of a layer's receptive field from the previous layer's."""
    in_, eff, bef, start = w["in"], w["eff"], w["before"], w["start"]
    d = 1 if spec.kind in POOLS else spec.dilation
    ke, s, pb = conv.effective_kernel(spec.kernel, d), spec.stride, row.padding[0]
    r, j, st = prev.size, prev.jump, prev.start
    return [
        (rf"r = r_{{{in_}}} + (k_{{{eff}}} - 1)\,j_{{{in_}}} = {r} + ({ke} - 1)\cdot {j}"
         rf" = {row.rf.size}"),
        rf"j = j_{{{in_}}}\cdot s = {j}\cdot {s} = {row.rf.jump}",
        (rf"{start} = {start}_{{{in_}}} + \left(\frac{{k_{{{eff}}} - 1}}{{2}} - p_{{{bef}}}"
         rf"\right) j_{{{in_}}}"),
        (rf"{start} = {st:g} + \left(\frac{{{ke} - 1}}{{2}} - {pb}\right)\cdot {j}"
         rf" = {row.rf.start:g}"),
    ]


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


def stacked_vs_single_tex(cmp: dict) -> str:
    """stacked_vs_single's two parameter counts side by side, as LaTeX."""
    return (cmp["stacked_formula"] + r"\quad\text{vs}\quad " + cmp["single_formula"]).replace(
        "×", r"\times ").replace(",", "{,}")


# ---------------------------------------------------------------- what the Explainer's tabs show

def final_shape_and_rf(rows: list[conv.LayerRow], input_shape: tuple) -> tuple[tuple, int]:
    """The stack's output shape (the input's when there are no layers) and the receptive field
    of its last layer that has one (1: a pixel sees itself)."""
    traced = [r for r in rows if r.rf]
    return (rows[-1].out_shape if rows else tuple(input_shape),
            traced[-1].rf.size if traced else 1)


def growth(rows: list[conv.LayerRow], size: int) -> tuple[list[int], list[int | None]]:
    """Feature-map side and receptive field from the input through each layer (None where a
    layer's receptive field is not traced)."""
    return ([size] + [r.out_shape[0] for r in rows],
            [1] + [r.rf.size if r.rf else None for r in rows])


@dataclass(frozen=True)
class RFCell:
    """What one output cell (r, c) of a layer sees. rows / cols: the paths from each input row
    and column to it (a pixel's paths are their product); box: top, left, bottom, right of its
    receptive field, which may reach into the padding; seen_rows / seen_cols: the first and last
    input row / column it really sees; outside: box pixels it does not see (padding, dilation's
    holes); most / least: the most and fewest paths from a pixel it sees."""
    rows: list[int]
    cols: list[int]
    box: tuple[int, int, int, int]
    seen_rows: tuple[int, int]
    seen_cols: tuple[int, int]
    outside: int
    most: int
    least: int


def receptive_cell(layers: list[LayerSpec], size: int, rf: conv.RF, r: int, c: int) -> RFCell:
    """The receptive field of output cell (r, c) of the last of `layers` (rf: its conv.RF) on a
    size × size input."""
    rows = conv.receptive_field_counts(layers, size, r)
    cols = conv.receptive_field_counts(layers, size, c)
    half = (rf.size - 1) / 2
    top, left = int(rf.start + r * rf.jump - half), int(rf.start + c * rf.jump - half)
    seen_r = [i for i, n in enumerate(rows) if n]
    seen_c = [i for i, n in enumerate(cols) if n]
    return RFCell(rows, cols, (top, left, top + rf.size - 1, left + rf.size - 1),
                  (seen_r[0], seen_r[-1]), (seen_c[0], seen_c[-1]),
                  rf.size * rf.size - len(seen_r) * len(seen_c), max(rows) * max(cols),
                  min(rows[i] for i in seen_r) * min(cols[i] for i in seen_c))


# ---------------------------------------------------------------- the builder's editable table

PAD_OPTIONS = ["valid", "same", "full"] + [counted(n, "zero")
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


def edited_count(base_rows: int, editor_state) -> int:
    """How many layers the builder's table holds now: its starting rows plus the rows added and
    less the rows deleted in st.data_editor's state ({"added_rows": [...], "deleted_rows":
    [...], ...}), so a label drawn above the table is not one edit behind."""
    state = editor_state if isinstance(editor_state, dict) else {}
    return base_rows + len(state.get("added_rows") or ()) - len(state.get("deleted_rows") or ())


# ---------------------------------------------------------------- page settings in a link
# The Explainer keeps each widget's value in the URL as plain text (see pages/explainer.py);
# these read a link's text back, refusing what a widget could not take (ValueError).

def link_text(value) -> str:
    """A widget value as written in a link: true/false, numbers and option values as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def link_int(text: str, lo: int, hi: int) -> int:
    """A whole number from lo to hi written in a link (ValueError otherwise)."""
    text = str(text).strip()
    if not text.lstrip("-").isdigit() or len(text) > 12 or not lo <= int(text) <= hi:
        raise ValueError(f"{text[:40]!r} is not a whole number from {lo} to {hi}.")
    return int(text)


def link_option(text: str, options, label=None, langs=()):
    """The option a link names: by its value as written by link_text, or (label(option, lang),
    for lang in langs) by its label in any language, as older links and other pages write it."""
    for option in options:
        if text == link_text(option):
            return option
    for option in options:
        if label is not None and any(text == label(option, lang) for lang in langs):
            return option
    raise ValueError(f"{str(text)[:40]!r} is not one of the choices.")


# ---------------------------------------------------------------- the classifier head
# A stack of conv and pooling layers becomes a classifier with a head: Flatten or global average
# pooling, an optional hidden Dense (ReLU) and Dropout, then Dense(classes) with softmax. In a
# link it is written like a layer, e.g. "flatten-d128-p0.5" or "gap" (no hidden Dense, no
# dropout). The same arithmetic serves the Explainer's table, the Trainer's count and the CLI;
# tests check it against Keras' count_params().

HEAD_POOLS = {"flatten": "Flatten", "gap": "GlobalAveragePooling2D"}
LIMITS.update({"units": (1, 4096), "classes": (2, 1000)})
ARCH_PREFIX = "stack:"
MAX_ARCH_CHARS = 2000      # 40 layers of the longest code fit with room to spare


@dataclass(frozen=True)
class Head:
    pool: str = "flatten"      # "flatten" | "gap"
    units: int = 0             # hidden Dense (ReLU) units; 0 = none
    dropout: float = 0.0       # Dropout before the last Dense (after the hidden one); 0 = none


# Tutorial 1's head (Flatten, Dense 64 ReLU, Dense 10): with the default stack the Explainer
# shows the very network of mnist_cnn (93,322 parameters).
DEFAULT_HEAD = Head("flatten", 64, 0.0)


def encode_head(head: Head) -> str:
    parts = [head.pool]
    if head.units:
        parts.append(f"d{head.units}")
    if head.dropout:
        parts.append(f"p{head.dropout:g}")
    return "-".join(parts)


def decode_head(code: str) -> Head:
    """'gap-d128-p0.5' -> Head; ValueError with a sentence naming the bad part."""
    pool, *parts = str(code).strip().split("-")
    if pool not in HEAD_POOLS:
        raise ValueError(f"the head {code[:40]!r} must start with flatten or gap.")
    units, rate = 0, 0.0
    for part in parts:
        if part[:1] == "d":
            units = _bounded("units", part[1:], code)
        elif part[:1] == "p" and _is_rate(part[1:]):
            rate = float(part[1:])
        else:
            raise ValueError(f"in the head {code[:40]!r}, {part[:20]!r} is not understood (use "
                             "d128 for a hidden Dense of 128 units, p0.5 for dropout 0.5).")
    return Head(pool, units, rate)


def _is_rate(text: str) -> bool:
    """A dropout rate as written in a link: 0, or 0.x with up to 3 decimals (below 1)."""
    whole, _, frac = text.partition(".")
    return (whole in ("0", "") and frac.isdigit() and len(frac) <= 3 and frac.isascii()) or text == "0"


@dataclass
class HeadRow:
    name: str                       # the Keras layer name: flatten, gap, dense1, dropout1, predictions
    layer: str                      # what it is, in Keras' words
    out_shape: tuple
    params: int
    macs: int
    param_formula: str


def head_rows(in_shape: tuple, head: Head, classes: int = 10) -> list[HeadRow]:
    """The head's layers after a stack whose output is in_shape (h, w, c)."""
    h, w, c = in_shape
    n = h * w * c if head.pool == "flatten" else c
    rows = [HeadRow(head.pool, HEAD_POOLS[head.pool], (n,), 0,
                    0 if head.pool == "flatten" else h * w * c,
                    "0")]
    dense = [(f"dense{1}", head.units, "ReLU")] if head.units else []
    for name, units, act in [*dense, ("predictions", classes, "softmax")]:
        if name == "predictions" and head.dropout:
            rows.append(HeadRow("dropout1", f"Dropout {head.dropout:g}", (n,), 0, 0, "0"))
        p = conv.dense_params(n, units)
        rows.append(HeadRow(name, f"Dense {units:,}, {act}", (units,), p, conv.dense_macs(n, units),
                            f"{n:,}×{units:,} + {units:,} = {p:,}"))
        n = units
    return rows


# ---------------------------------------------------------------- a whole network: stack:<code>
# `python -m cnnweb train --arch stack:conv-k3-f32_max-k2-s2_flatten-d64` and the Trainer's
# ?arch= take the Explainer's layer codes with the head as the last part (the default head when
# it is left out). A layer without bias writes "nb" (the Explainer's bias switch).

def arch_id(layers: list[LayerSpec], head: Head = DEFAULT_HEAD) -> str:
    return ARCH_PREFIX + "_".join([*map(encode_layer, layers), encode_head(head)])


def is_arch(text) -> bool:
    return isinstance(text, str) and text.startswith(ARCH_PREFIX)


def parse_arch(text: str, head: str | None = None) -> tuple[list[LayerSpec], Head]:
    """'stack:<layers>[_<head>]' (and a head given apart, e.g. --head gap) -> (layers, Head).
    ValueError with one sentence for anything else."""
    if not is_arch(text):
        raise ValueError(f"an architecture from the Explainer starts with {ARCH_PREFIX!r}.")
    if len(text) > MAX_ARCH_CHARS:
        raise ValueError(f"the architecture code is {len(text):,} characters long; at most "
                         f"{MAX_ARCH_CHARS:,}.")
    codes = [c for c in text[len(ARCH_PREFIX):].split("_") if c.strip()]
    inline = codes.pop() if codes and codes[-1].split("-")[0] in HEAD_POOLS else None
    if inline and head and decode_head(inline) != decode_head(head):
        raise ValueError(f"the code ends with the head {inline!r} and --head says {head!r}; "
                         "give one.")
    given = head or inline
    if any(c.split("-")[0] in HEAD_POOLS for c in codes):
        raise ValueError("the head (flatten or gap) must be the last part of the code.")
    try:
        layers = decode_stack("_".join(codes))
    except ValueError as e:
        raise ValueError(str(e).replace(" of the link:", " of the code:")) from None
    return layers, decode_head(given) if given else DEFAULT_HEAD


def keras_problem(layers: list[LayerSpec]) -> Msg | None:
    """Why Keras could not build this stack as a trainable classifier (None when it can)."""
    for i, spec in enumerate(layers, 1):
        kind = KINDS[spec.kind][1]
        if spec.kind not in POOLS and spec.stride > 1 and spec.dilation > 1:
            return Msg("xp.keras_stride_dilation", i=i, kind=kind, s=spec.stride, d=spec.dilation)
        if spec.kind == "transposed" and spec.padding not in ("valid", "same"):
            return Msg("xp.keras_tpad", i=i, kind=kind)
    return None


@dataclass
class Network:
    """A stack plus its head on one input: every layer's numbers and the total."""
    rows: list[conv.LayerRow]
    head: list[HeadRow]

    @property
    def params(self) -> int:
        return sum(r.params for r in self.rows) + sum(r.params for r in self.head)

    @property
    def macs(self) -> int:
        return sum(r.macs for r in self.rows) + sum(r.macs for r in self.head)


def network(input_shape, layers: list[LayerSpec], head: Head = DEFAULT_HEAD,
            classes: int = 10) -> Network:
    """The numbers of the whole classifier; ValueError naming the first layer that cannot work."""
    h, w, c = input_shape
    rows = conv.analyze_stack(h, w, c, layers)
    return Network(rows, head_rows(rows[-1].out_shape if rows else (h, w, c), head, classes))


def head_table_rows(net: Network) -> list[dict]:
    """The head's rows in table_rows' columns (after the stack's)."""
    start = len(net.rows) + 1
    return [{"#": start + i, "layer": r.layer, "output shape": "×".join(map(str, r.out_shape)),
             "params": _count(r.params), "MACs": _count(r.macs), "RF size": None, "jump": None,
             "start": None, "output size": "", "params formula": r.param_formula}
            for i, r in enumerate(net.head)]


@dataclass
class TrainLink:
    """The Explainer's "Train this network": the Trainer's query, or why there is none."""
    dataset: str | None             # the dataset whose channels match
    query: dict | None              # the Trainer's ?arch=&head=&dataset= (None: cannot train)
    problem: object = None          # Msg or error text when query is None
    params: int | None = None       # parameters of the network the Trainer builds


def train_link(size: int, channels: int, layers: list[LayerSpec], head: Head,
               datasets: dict) -> TrainLink:
    """datasets: name -> (title, input shape, class count), e.g. from cnnweb.data.DATASETS.
    The dataset is the first one with the stack's channel count; the network is built for
    its input (the Explainer's size may differ: the page says so)."""
    name = next((n for n, (_, shape, _) in datasets.items() if shape[2] == channels), None)
    if name is None:
        return TrainLink(None, None, Msg("xp.train_channels", ch=channels, have=", ".join(
            f"{title} {shape[2]}" for title, shape, _ in datasets.values())))
    problem = keras_problem(layers)
    if problem:
        return TrainLink(name, None, problem)
    title, shape, classes = datasets[name]
    try:
        params = network(shape, layers, head, classes).params
    except ValueError as e:
        return TrainLink(name, None, Msg("xp.train_unfit", title=title,
                                         shape="×".join(map(str, shape)), error=str(e)))
    query = {"arch": ARCH_PREFIX + encode_stack(layers), "head": encode_head(head),
             "dataset": name}
    return TrainLink(name, query, None, params)
