"""The layer table of any built Keras model: shapes, parameters, multiply-adds, receptive fields.

    layer_table(model)        -> one dict per operation of the model's graph, in Keras' order
    totals(rows)              -> sums (params, MACs, FLOPs, weights in MB)
    format_table(rows, lang)  -> fixed-width text for the command line
    to_dot(model, rows)       -> Graphviz DOT text for st.graphviz_chart

The Functional graph is walked node by node (inbound nodes, so a TensorFlow op between layers,
`x * 2` or `keras.ops.add`, is a row of its own and the next layer gets the right input).
Every input and output shape comes from Keras itself; the arithmetic is cnnweb.conv's, applied
to those inputs, and is checked against Keras: a layer whose computed shape or parameter count
disagrees, or whose type is not modelled here, is shown with Keras' own shape and parameters and
marked "not analysed" (computed_by "keras", MACs None) instead of a wrong number.
TensorFlow is never imported here: the model passed in brings Keras along.
"""

from __future__ import annotations

from cnnweb import conv, i18n

# value by value: shape and receptive field unchanged, no weights (layers and keras.ops)
_PASS = {"Activation", "ReLU", "LeakyReLU", "ELU", "Softmax", "Dropout", "SpatialDropout2D",
         "GaussianNoise", "GaussianDropout", "AlphaDropout", "Identity", "Rescaling",
         "ActivityRegularization", "Relu", "Relu6", "Sigmoid", "HardSigmoid", "HardSilu", "Silu",
         "Gelu", "Tanh"}
_MERGE = {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Divide", "TrueDivide"}
_WINDOW = {"Conv2D": "conv", "DepthwiseConv2D": "depthwise", "SeparableConv2D": "separable",
           "Conv2DTranspose": "transposed", "MaxPooling2D": "maxpool", "AveragePooling2D": "avgpool"}
_GLOBAL_POOL = {"GlobalAveragePooling2D", "GlobalMaxPooling2D"}


def _prod(dims) -> int | None:
    """Product of the dimensions; None when one is unknown."""
    n = 1
    for d in dims:
        if d is None:
            return None
        n *= int(d)
    return n


def _dims(shape) -> tuple:
    """A Keras shape without its batch axis, as ints (None where unknown)."""
    return tuple(None if d is None else int(d) for d in tuple(shape)[1:])


def _calc(out, rf=None, trainable=0, non_trainable=0, macs=0, config="") -> dict:
    return {"output_shape": tuple(out), "trainable": trainable, "non_trainable": non_trainable,
            "macs": macs, "rf": rf, "config": config}


def _spatial(shape) -> bool:
    return len(shape) == 3


# ---------------------------------------------------------------- one function per layer kind
# Each gets (layer, input shapes, input receptive fields) and returns a _calc, or None when the
# layer is set up in a way not modelled here (the caller then shows Keras' numbers).

def _pass(layer, ins, rfs):
    cls, out = type(layer).__name__, ins[0]
    macs = _prod(out) if cls == "Rescaling" else 0
    config = ""
    if cls == "Activation":
        config = getattr(layer.activation, "__name__", "")
    elif cls == "Dropout":
        config = i18n.Msg("sum.cfg.rate", rate=layer.rate)
    return _calc(out, rfs[0], macs=macs, config=config)


def _prelu(layer, ins, rfs):
    shared = set(layer.shared_axes or ())
    alpha = [1 if i in shared else d for i, d in enumerate(ins[0], 1)]
    return _calc(ins[0], rfs[0], trainable=_prod(alpha))


def _channels(layer, shape) -> int | None:
    """The channel count of a per-channel layer normalising along the last axis, else None."""
    axis = layer.axis
    axis = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    last = len(shape)
    return shape[-1] if [a if a >= 0 else last + 1 + a for a in axis] == [last] else None


def _batchnorm(layer, ins, rfs):
    c = _channels(layer, ins[0])
    if c is None:
        return None
    trainable, fixed = conv.batchnorm_params(c, layer.center, layer.scale)
    # folded into one multiply-add per value at inference
    return _calc(ins[0], rfs[0], trainable, fixed, _prod(ins[0]))


def _layernorm(layer, ins, rfs):
    c = _channels(layer, ins[0])
    if c is None:
        return None
    return _calc(ins[0], rfs[0], c * (int(layer.center) + int(layer.scale)), macs=_prod(ins[0]))


def _normalization(layer, ins, rfs):
    """Fixed (mean, variance) given: no weights; adapted: mean and variance per channel + count."""
    c = _channels(layer, ins[0])
    if c is None:
        return None
    given = getattr(layer, "input_mean", None) is not None
    return _calc(ins[0], rfs[0], non_trainable=0 if given else 2 * c + 1, macs=_prod(ins[0]))


def _window(layer, ins, rfs):
    cls = type(layer).__name__
    kind = _WINDOW[cls]
    if getattr(layer, "data_format", "channels_last") != "channels_last" or len(ins[0]) != 3:
        return None
    h, w, c = ins[0]
    if kind in ("maxpool", "avgpool"):
        kernel, stride, dil = layer.pool_size, layer.strides or layer.pool_size, 1
        extra = {}
    else:
        kernel, stride, dil = layer.kernel_size, layer.strides, layer.dilation_rate
        extra = {"use_bias": layer.use_bias, "filters": getattr(layer, "filters", 1) or 1,
                 "depth_multiplier": getattr(layer, "depth_multiplier", 1) or 1,
                 "groups": getattr(layer, "groups", 1) or 1,
                 "output_padding": getattr(layer, "output_padding", None)}
    spec = conv.LayerSpec(kind, tuple(conv.pair(kernel)), tuple(conv.pair(stride)), layer.padding,
                          tuple(conv.pair(dil)), **extra)
    try:
        math = conv.layer(spec, h, w, c)
    except ValueError:
        return None
    (kh, kw), (sh, _), (dh, _) = spec.kernel, spec.stride, spec.dilation
    rf = rfs[0]
    if kind == "transposed":
        rf = None    # a transposed conv spreads each input over many outputs: no single RF
    elif rf is not None:
        rf = conv.compose_rf(rf, kh, sh, math.padding[0], 1 if kind.endswith("pool") else dh)
    config = i18n.Msg("sum.cfg.window_dil" if dh > 1 else "sum.cfg.window", kh=kh, kw=kw, sh=sh,
                      padding=layer.padding, dil=dh)
    return _calc(math.out_shape, rf, math.params, macs=math.macs, config=config)


def _global_pool(layer, ins, rfs):
    h, w, c = ins[0]
    out = (1, 1, c) if getattr(layer, "keepdims", False) else (c,)
    macs = None if h is None or w is None else conv.pool_macs(1, 1, (h, w), c)
    return _calc(out, None, macs=macs)


def _flatten(layer, ins, rfs):
    return _calc((_prod(ins[0]),))


def _reshape(layer, ins, rfs):
    target, total = list(layer.target_shape), _prod(ins[0])
    if -1 in target:
        rest = _prod(d for d in target if d != -1)
        target[target.index(-1)] = None if total is None or not rest else total // rest
    return _calc(target)


def _dense(layer, ins, rfs):
    shape = ins[0]
    if shape[-1] is None:
        return None
    out = (*shape[:-1], layer.units)
    positions = _prod(shape[:-1])
    macs = None if positions is None else conv.dense_macs(shape[-1], layer.units) * positions
    rf = rfs[0] if _spatial(out) else None      # on a feature map: a 1x1 convolution
    return _calc(out, rf, conv.dense_params(shape[-1], layer.units, layer.use_bias), macs=macs,
                 config=i18n.Msg("sum.cfg.units", n=layer.units))


def _widest(rfs):
    """Where branches meet, the receptive field is the largest over the inbound paths."""
    if not rfs or any(r is None for r in rfs):
        return None
    return conv.RF(max(r.size for r in rfs), max(r.jump for r in rfs), min(r.start for r in rfs))


def _concatenate(layer, ins, rfs):
    axis = layer.axis if layer.axis >= 0 else len(ins[0]) + layer.axis + 1
    out = list(ins[0])
    sizes = [s[axis - 1] for s in ins]
    out[axis - 1] = None if None in sizes else sum(sizes)
    return _calc(out, _widest(rfs) if _spatial(out) else None,
                 config=i18n.Msg("sum.cfg.branches", n=len(ins)))


def _broadcast(shapes) -> tuple | None:
    """numpy's rule for inputs of one rank: each axis is 1 or the one other size."""
    if len({len(s) for s in shapes}) != 1:
        return None
    out = []
    for dims in zip(*shapes, strict=True):
        sizes = {d for d in dims if d != 1}
        if len(sizes) > 1:
            return None
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)


def _merge(layer, ins, rfs):
    """Value by value over inputs broadcast to one shape (a squeeze-and-excitation gate of
    1x1xC sees the whole image, so its product has no finite receptive field)."""
    out = _broadcast(ins)
    if out is None:
        return None
    return _calc(out, _widest(rfs) if _spatial(out) else None,
                 config=i18n.Msg("sum.cfg.inputs", n=len(ins)) if len(ins) > 1 else "")


def _pads(value) -> tuple[tuple[int, int], tuple[int, int]]:
    (t, b), (left, r) = value
    return (int(t), int(b)), (int(left), int(r))


def _shift(rf, cells: int):
    """The receptive field of a map with `cells` rows added (>0) or cut (<0) before the first."""
    return None if rf is None else conv.RF(rf.size, rf.jump, rf.start - cells * rf.jump)


def _zero_padding(layer, ins, rfs):
    (t, b), (left, r) = _pads(layer.padding)
    h, w, c = ins[0]
    out = (None if h is None else h + t + b, None if w is None else w + left + r, c)
    return _calc(out, _shift(rfs[0], t))


def _cropping(layer, ins, rfs):
    (t, b), (left, r) = _pads(layer.cropping)
    h, w, c = ins[0]
    out = (None if h is None else h - t - b, None if w is None else w - left - r, c)
    return _calc(out, _shift(rfs[0], -t))


def _upsampling(layer, ins, rfs):
    """Nearest neighbour: each output cell copies one input cell, so the field is the same and
    neighbours are 1/s apart (defined while that is a whole number of input pixels)."""
    sh, sw = conv.pair(layer.size)
    h, w, c = ins[0]
    out = (None if h is None else h * sh, None if w is None else w * sw, c)
    rf = rfs[0]
    if rf is not None and layer.interpolation == "nearest" and rf.jump % sh == 0:
        rf = conv.RF(rf.size, rf.jump // sh, rf.start)
    else:
        rf = None
    return _calc(out, rf)


def _layer_scale(layer, ins, rfs):
    """ConvNeXt's LayerScale (keras.applications' own layer): each channel times one learned
    number."""
    if not type(layer).__module__.startswith("keras.src.applications.convnext"):
        return None
    return _calc(ins[0], rfs[0], ins[0][-1], macs=_prod(ins[0]))


def _nested(model, ins, rfs):
    """A model used as a layer (ConvNeXt's stem is a Sequential): analysed when every operation
    inside it is; its parameters, multiply-adds and receptive field are those of its insides,
    its config the list of them."""
    graph = _graph(model)
    rf_of = {id(t): rf for t, rf in zip(graph.inputs, rfs, strict=True)}
    rows = [_op_row(op, _node(graph, op), rf_of) for op in graph.operations
            if type(op).__name__ != "InputLayer"]
    if not rows or not all(analysed(r) for r in rows):
        return None
    macs = [r["macs"] for r in rows]
    return _calc(rows[-1]["output_shape"], rf_of.get(id(graph.outputs[0])),
                 sum(r["trainable"] for r in rows), sum(r["non_trainable"] for r in rows),
                 None if None in macs else sum(macs), " · ".join(r["type"] for r in rows))


def _is_model(op) -> bool:
    return getattr(_graph(op), "operations", None) is not None and hasattr(op, "layers")


_ANALYSE = {**dict.fromkeys(_PASS, _pass), **dict.fromkeys(_WINDOW, _window),
            **dict.fromkeys(_GLOBAL_POOL, _global_pool), **dict.fromkeys(_MERGE, _merge),
            "PReLU": _prelu, "BatchNormalization": _batchnorm, "LayerNormalization": _layernorm,
            "Normalization": _normalization, "Flatten": _flatten, "Reshape": _reshape,
            "Dense": _dense, "Concatenate": _concatenate, "ZeroPadding2D": _zero_padding,
            "Cropping2D": _cropping, "UpSampling2D": _upsampling, "LayerScale": _layer_scale}


# ---------------------------------------------------------------- walking the graph

def _graph(model):
    """The Functional graph of a model (a Sequential model keeps one inside)."""
    inner = getattr(model, "_functional", None)
    return inner if inner is not None else model


def _node(graph, op):
    """The node where `op` is called inside this graph (a layer may be used in several)."""
    nodes = getattr(graph, "_nodes", None)
    inbound = getattr(op, "_inbound_nodes", None) or []
    for node in inbound:
        if nodes is None or node in nodes:
            return node
    return inbound[0] if inbound else None


def _weights(op) -> tuple[int, int]:
    """(trainable, non-trainable) weights of an operation, as Keras counts them."""
    n_train = sum(_prod(w.shape) for w in getattr(op, "trainable_weights", []))
    n_fixed = sum(_prod(w.shape) for w in getattr(op, "non_trainable_weights", []))
    return n_train, n_fixed


def _analysed(op, ins, in_rfs, keras_out, n_train, n_fixed) -> dict | None:
    """cnnweb.conv's row for this operation when it agrees with Keras, else None."""
    analyse = _nested if _is_model(op) else _ANALYSE.get(type(op).__name__)
    if analyse is None or not ins or any(len(s) == 0 or s[-1] is None for s in ins):
        return None
    try:
        calc = analyse(op, ins, in_rfs)
    except (AttributeError, TypeError, ValueError):
        return None
    if calc is None or calc["output_shape"] != keras_out:
        return None
    if calc["trainable"] + calc["non_trainable"] != n_train + n_fixed:
        return None
    if getattr(op, "trainable", True) and calc["non_trainable"] != n_fixed:
        return None
    return calc


def layer_table(model) -> list[dict]:
    """One dict per operation of a built Keras model's graph, in Keras' order:
    name, type, inbound (names), output_shape (no batch axis; None for an unknown size),
    params, trainable, non_trainable (Keras' split: a frozen layer's weights are
    non-trainable), macs (multiply-adds for one image; None where not analysed or the size is
    unknown), rf_size and rf_jump (receptive field along the height axis; None once the output
    is no longer a feature map or the field is not defined), config (kernel/stride/padding or
    units), computed_by ("cnnweb.conv", or "keras" for a row that is not analysed).
    MACs: conv/dense dot products, one per value for Rescaling and normalisations, one per
    window element for pooling, 0 for activations and merges."""
    graph = _graph(model)
    ops = getattr(graph, "operations", None)
    if ops is None:        # a subclassed model: no graph to walk
        return [_keras_row(layer, None, []) for layer in model.layers]
    rf_of: dict[int, conv.RF | None] = {}
    rows = []
    for op in ops:
        node = _node(graph, op)
        row = _op_row(op, node, rf_of)
        rows.append(row)
    return rows


def _op_row(op, node, rf_of) -> dict:
    tensors = list(getattr(node, "input_tensors", None) or []) if node is not None else []
    outputs = list(node.outputs) if node is not None else []
    keras_out = _dims(outputs[0].shape) if outputs else None
    inbound = [t._keras_history.operation.name for t in tensors]
    n_train, n_fixed = _weights(op)
    if type(op).__name__ == "InputLayer":
        calc = _calc(keras_out, conv.RF(1, 1, 0.0))
    else:
        ins = [_dims(t.shape) for t in tensors]
        calc = _analysed(op, ins, [rf_of.get(id(t)) for t in tensors], keras_out, n_train, n_fixed)
    if calc is None:
        row = _keras_row(op, keras_out, inbound)
    else:
        rf = calc.pop("rf")
        if rf is not None and not _spatial(calc["output_shape"]):
            rf = None
        row = {"name": op.name, "type": type(op).__name__, "inbound": inbound, **calc,
               "trainable": n_train, "non_trainable": n_fixed, "params": n_train + n_fixed,
               "rf_size": rf.size if rf else None, "rf_jump": rf.jump if rf else None,
               "computed_by": "cnnweb.conv"}
        for t in outputs:
            rf_of[id(t)] = rf
    return row


def _keras_row(op, keras_out, inbound) -> dict:
    """A row that is not analysed: Keras' own shape and weights, no MACs, no receptive field."""
    n_train, n_fixed = _weights(op)
    if keras_out is None:
        try:
            keras_out = _dims(op.output.shape)
        except (AttributeError, ValueError, TypeError):   # never called, or called many times
            keras_out = None
    return {"name": op.name, "type": type(op).__name__, "inbound": inbound,
            "output_shape": keras_out, "trainable": n_train, "non_trainable": n_fixed,
            "params": n_train + n_fixed, "macs": None, "config": "", "rf_size": None,
            "rf_jump": None, "computed_by": "keras"}


def analysed(row: dict) -> bool:
    return row["computed_by"] != "keras"


def totals(rows: list[dict]) -> dict:
    """Sums of a table: params, trainable, non_trainable, macs (of the rows that have them),
    flops (= 2 x MACs), size_mb (the weights as float32, 4 bytes each, in 10^6 bytes),
    layers, and not_analysed (how many rows show Keras' numbers only)."""
    params = sum(r["params"] for r in rows)
    macs = sum(r["macs"] or 0 for r in rows)
    return {"params": params, "trainable": sum(r["trainable"] for r in rows),
            "non_trainable": sum(r["non_trainable"] for r in rows), "macs": macs,
            "flops": 2 * macs, "size_mb": params * 4 / 1e6, "layers": len(rows),
            "not_analysed": sum(not analysed(r) for r in rows)}


def shape_text(shape, times: str = "x") -> str:
    """12x12x8; an unknown size is "?"."""
    if not shape:
        return "?"
    return times.join("?" if d is None else str(d) for d in shape)


# ---------------------------------------------------------------- the text table

def _cells(r: dict, lang: str) -> tuple:
    config = i18n.tr(r["config"], lang) if analysed(r) else i18n.t("sum.not_analysed", lang=lang)
    return (r["name"], r["type"], config, shape_text(r["output_shape"]), f"{r['params']:,}",
            f"{r['non_trainable']:,}", "?" if r["macs"] is None else f"{r['macs']:,}",
            "" if r["rf_size"] is None else str(r["rf_size"]),
            "" if r["rf_jump"] is None else str(r["rf_jump"]))


def format_table(rows: list[dict], lang: str = "en") -> str:
    """The table as fixed-width text with a totals line (for the command line)."""
    head = [i18n.term(w, lang) for w in ("layer", "type", "config", "output", "params",
                                         "non-trainable", "multiply-adds", "RF size", "RF jump")]
    if lang == "en":
        head = [h[:1].upper() + h[1:] for h in head]
    body = [_cells(r, lang) for r in rows]
    widths = [max(_width(h), *(_width(b[i]) for b in body)) for i, h in enumerate(head)]
    right = {4, 5, 6, 7, 8}

    def line(cells):
        return "  ".join(_pad(c, w, i in right)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    t = totals(rows)
    out = [line(head), line(["-" * w for w in widths]), *(line(b) for b in body), ""]
    out.append(i18n.t("sum.total_params", lang=lang, params=t["params"], trainable=t["trainable"],
                      fixed=t["non_trainable"], mb=t["size_mb"]))
    out.append(i18n.t("sum.total_macs", lang=lang, macs=t["macs"], mflops=t["flops"] / 1e6))
    if t["not_analysed"]:
        out.append(i18n.t("sum.not_analysed_total", lang=lang, n=t["not_analysed"]))
    return "\n".join(out)


def _width(text: str) -> int:
    """Columns a text takes in a terminal (CJK characters take two)."""
    return sum(2 if "\u2e80" <= ch <= "\ufaff" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - _width(text))
    return fill + text if right else text + fill


# ---------------------------------------------------------------- the diagram

_ABSORB = {"BatchNormalization", "Activation", "ReLU", "LeakyReLU", "Dropout", "ELU", "Softmax"}
_COLOURS = {"conv": "#cfe2ff", "pool": "#fff3bf", "dense": "#ffd8e8", "merge": "#d3f9d8",
            "io": "#e9ecef", "other": "#ffffff"}
_POOL = {"MaxPooling2D": "max", "AveragePooling2D": "avg"}


def _short(row: dict) -> str:
    cls = row["type"]
    names = {"BatchNormalization": "BN", "LeakyReLU": "LeakyReLU", "ReLU": "ReLU",
             "Activation": row["config"] or "act", "Dropout": f"Dropout {row['config'][5:]}"}
    if cls in names:
        return names[cls]
    if not analysed(row):
        return cls
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


def _boxes(rows: list[dict], consumers: dict, collapse: bool):
    """(layer -> its box, box -> the labels inside, box -> its last row)."""
    head: dict[str, str] = {}
    parts: dict[str, list[str]] = {}
    last: dict[str, dict] = {}
    for r in rows:
        ins = r["inbound"]
        absorb = (collapse and r["type"] in _ABSORB and len(ins) == 1
                  and len(consumers.get(ins[0], ())) == 1 and ins[0] in head)
        box = head[ins[0]] if absorb else r["name"]
        head[r["name"]] = box
        parts.setdefault(box, []).append(_short(r))
        last[box] = r
    return head, parts, last


def to_dot(model, rows: list[dict] | None = None, collapse: bool = True) -> str:
    """Graphviz DOT of the layer graph for st.graphviz_chart. With collapse, a BN / activation /
    dropout that directly follows a single-consumer layer is written inside that layer's box
    (conv · BN · relu), so branches (Inception) and skip connections (ResNet) stay readable."""
    rows = rows or layer_table(model)
    consumers: dict[str, list[str]] = {r["name"]: [] for r in rows}
    for r in rows:
        for p in r["inbound"]:
            consumers.setdefault(p, []).append(r["name"])
    head, parts, last = _boxes(rows, consumers, collapse)

    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["digraph model {", "  rankdir=TB; nodesep=0.25; ranksep=0.3;",
             '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
             "  edge [arrowsize=0.6];"]
    by_name = {r["name"]: r for r in rows}
    for box, items in parts.items():
        label = "\\n".join(q(t)[1:-1] for t in (box, " · ".join(items),
                                                 shape_text(last[box]["output_shape"], "×")))
        lines.append(f'  {q(box)} [label="{label}", fillcolor="{_colour(by_name[box]["type"])}"];')
    for r in rows:
        for p in r["inbound"]:
            a, b = head.get(p), head[r["name"]]
            if a is None or a == b:
                continue
            skip = r["type"] in _MERGE and len(consumers[p]) > 1   # an identity shortcut
            style = ' [style=dashed, label="skip", fontsize=8]' if skip else ""
            lines.append(f"  {q(a)} -> {q(b)}{style};")
    lines.append("}")
    return "\n".join(lines)
