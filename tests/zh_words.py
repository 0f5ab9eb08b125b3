"""Find English a reader of a Chinese page would see: every text an AppTest run shows (headings,
markdown, captions, alerts, widget labels and options, metric labels, tab and expander labels,
table headers and cells, Plotly titles, axes, legends and category labels) and, in Chromium, the
rendered body text. Words are ASCII runs of 3+ letters; names the Chinese tutorials also write
in Latin letters (layer types, datasets, architectures, units) are allowed, and so is an English
gloss in full-width brackets right after a Chinese term, e.g. 轮（epoch）. Everything else is
reported with the text it sits in."""

from __future__ import annotations

import io
import json
import re

# Names, not English: what the Chinese tutorials and Keras write in Latin letters.
ALLOWED = {
    # layers and operations (Keras' names and the tutorials' shorthands)
    "Conv", "Conv2D", "Conv2DTranspose", "MaxPool", "MaxPooling2D", "AveragePooling2D",
    "AvgPool", "ReLU", "Dense", "Flatten", "Dropout", "BatchNormalization", "Softmax",
    "softmax", "relu", "SAME", "VALID", "same", "valid", "full", "CBAPD", "CBA", "GAP",
    "GlobalAveragePooling2D", "Rescaling", "InputLayer", "Input", "Activation", "Add",
    "Concatenate", "DepthwiseConv2D", "SeparableConv2D", "Sobel", "Laplacian", "Gaussian",
    "Grad", "CAM", "Adam", "AdamW", "adam", "SGD", "sgd", "RMSprop", "sigmoid", "tanh", "LRN", "API", "MACs", "FLOPs", "FLOP", "MAC",
    # data sets, frameworks, architectures and people/places whose names they carry
    "MNIST", "CIFAR", "ImageNet", "Keras", "TensorFlow", "NumPy", "Plotly", "Streamlit",
    "LeNet", "AlexNet", "InceptionNet", "VGG", "VGG16", "ResNet", "Inception", "GoogLeNet", "cnnweb",
    "CNN", "GPU", "CPU", "CUDA", "NVIDIA", "Ray", "Intel", "Xeon", "AMD", "EPYC", "Apple",
    "Processor", "Core", "Ryzen",          # the CPU's own model name, shown as the OS reports it
    "AMX",                                 # Intel's matrix instructions (bfloat16 on the CPU)
    "zip", "TFLite", "Lite",               # file formats: .zip, TensorFlow Lite
    "TensorBoard", "Teachable", "Machine", "Explainer", "AIGC", "Baseline", "LeakyReLU",
    "LeCun", "Krizhevsky", "Simonyan", "Zisserman", "Szegedy",   # the papers' authors
    # units and number formats
    "MiB", "GiB", "KiB", "img",
    "top",                                 # "top-5 错误率", as Chinese papers write it
    # the language picker's own label ("Language · 语言") names the languages in both
    "Language", "English",
}
WORD = re.compile(r"[A-Za-z]{3,}")
IDENT = re.compile(r"[A-Za-z0-9_.+\-]*[0-9_][A-Za-z0-9_.+\-]*")   # conv2d_1, seed001_mnist_cnn
GLOSS = re.compile(r"(?<=[\u4e00-\u9fff])[（(][^（）()]*[A-Za-z][^（）()]*[）)]"
                   r"|\b[A-Za-z]+(?=（[\u4e00-\u9fff])")        # or the other way: Pooling（池化）
PATH = re.compile(r"\S*[/\\]\S*|\S+\.(?:npz|keras|json|jsonl|png|jpg|jpeg|csv|gz|txt|py)\b")
MATH = re.compile(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`", re.DOTALL)
CODE = re.compile(r"\b[A-Za-z_]\w*\s*=\s*(?:'[^']*'|\"[^\"]*\"|[\w.\-]+)"   # padding='SAME'
                  r"|\b[a-z_]+(?:\.[A-Za-z_]+)+(?:\([^)]*\))?")               # cnnweb.conv
MARKUP = re.compile(r":material/[a-z_]+:|:[a-z]+\[|\]\(.*?\)|<[^>]+>|&[a-z]+;")


TEX_WORDS = re.compile(r"\\text\{([^{}]*)\}|_\{([A-Za-z]+)\}")   # \text{before}, n_{out}


def english(text: str, allowed=frozenset()) -> list[str]:
    """ASCII words in `text` that are neither allowed names nor inside math, code, paths or a
    gloss after a Chinese term; inside math, the words of \\text{...} and of subscripts such as
    n_{out} are read (they are words, the rest of a formula is symbols)."""
    in_math = [a or b for m in MATH.finditer(text) for a, b in TEX_WORDS.findall(m.group())]
    text = " ".join([text, *in_math])
    for pattern in (MATH, MARKUP, CODE, PATH, GLOSS, IDENT):
        text = pattern.sub(" ", text)
    return [w for w in WORD.findall(text) if w not in ALLOWED and w not in allowed]


# ---------------------------------------------------------------- what AppTest shows

TEXT_FIELDS = {"body", "label", "help", "placeholder", "options", "content", "delta",
               "caption", "text", "formatted_value", "default_label"}
SKIP_TYPES = {"Code", "Exception", "Html"}      # commands, tracebacks (failed anyway), CSS


def _strings(message, name=""):
    """(field name, string) of every string field of a protobuf message, nested ones too."""
    for field, value in message.ListFields():
        repeated = not isinstance(value, (str, bytes)) and not hasattr(value, "ListFields") \
            and hasattr(value, "__len__")     # protobuf's repeated fields have no __iter__
        values = value if repeated else [value]
        for v in values:
            if isinstance(v, str):
                yield field.name, v
            elif hasattr(v, "ListFields"):
                yield from _strings(v, field.name)


def _table_texts(proto) -> list[str]:
    """Column headers as shown (column_config labels win) and the string cells of a table."""
    import pyarrow as pa

    table = pa.ipc.open_stream(io.BytesIO(proto.arrow_data.data)).read_all()
    config = json.loads(proto.columns) if proto.columns else {}
    out = []
    for name, col in zip(table.column_names, table.columns):
        conf = config.get(str(name), {})
        if str(name).startswith("__index_level") or conf.get("hidden"):
            continue
        out.append(str(conf.get("label") or name))
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            out += [v for v in col.to_pylist() if isinstance(v, str)]
    return out


def figure_texts(fig: dict) -> list[str]:
    """Titles, axis titles, legend names, annotations, category tick labels and hover texts
    (templates without their %{...} fields) of a Plotly figure dict."""
    out, layout = [], fig.get("layout", {})

    def title(obj):
        t = obj.get("title") if isinstance(obj, dict) else None
        t = t.get("text") if isinstance(t, dict) else t
        if isinstance(t, str):
            out.append(t)

    title(layout)
    for key, axis in layout.items():
        if key.startswith(("xaxis", "yaxis", "coloraxis")) and isinstance(axis, dict):
            title(axis)
            out += [str(v) for v in axis.get("ticktext", []) or []]
            title(axis.get("colorbar", {}))
    out += [a.get("text", "") for a in layout.get("annotations", []) or []]
    for trace in fig.get("data", []):
        if trace.get("showlegend", True) is not False and isinstance(trace.get("name"), str):
            out.append(trace["name"])
        title(trace.get("colorbar", {}) or {})
        title((trace.get("marker") or {}).get("colorbar", {}) or {})
        for axis in ("x", "y"):
            values = trace.get(axis)
            if isinstance(values, list):
                out += [v for v in values if isinstance(v, str)]
        for field in ("text", "hovertext", "hovertemplate", "texttemplate"):
            texts = trace.get(field)
            if isinstance(texts, str):
                out.append(texts)
            elif isinstance(texts, list):
                out += [v for v in texts if isinstance(v, str)]
    return [t for t in (TEMPLATE_FIELD.sub(" ", o).strip() for o in out) if t]


TEMPLATE_FIELD = re.compile(r"%\{[^}]*\}")   # Plotly fills %{x}, %{z:,}, %{customdata[0]}


def page_texts(at) -> list[tuple[str, str]]:
    """(element type, text) of everything an AppTest run shows, in page order."""
    found = []

    def walk(node):
        proto = getattr(node, "proto", None)
        kind = type(proto).__name__ if proto is not None else ""
        if proto is not None and kind not in SKIP_TYPES:
            if kind == "Dataframe":
                found.extend((kind, s) for s in _table_texts(proto))
            elif kind == "PlotlyChart":
                found.extend((kind, s) for s in figure_texts(json.loads(proto.spec)))
            else:
                found.extend((kind, s) for name, s in _strings(proto) if name in TEXT_FIELDS)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def english_on_page(at, allowed=frozenset()) -> list[tuple[str, str, list[str]]]:
    """(element type, text, its English words) for each text with English in it."""
    out = []
    for kind, text in page_texts(at):
        bad = english(text, allowed)
        if bad:
            out.append((kind, text[:160], bad))
    return out
