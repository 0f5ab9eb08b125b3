"""Plotly figure builders: pure functions, data in, go.Figure out. No streamlit here."""

from __future__ import annotations

# ---------------------------------------------------------------- Explainer figures (helper "explainer")
# Grids are heatmaps with row 0 at the top and square cells; numbers are written in the cells
# when the grid is small enough to read them. These figures are built as plain dicts and wrapped
# without Plotly's per-property validation (make_subplots + add_shape took 50-190 ms a figure;
# this takes a few), because the Explainer rebuilds them on every click.

def _num(v: float) -> str:
    """Short label for a cell: integers without '.0', others with up to 2 decimals, '' for NaN."""
    import math

    v = float(v)
    if math.isnan(v):  # a cell not computed yet
        return ""
    if v.is_integer():
        return f"{v + 0:.0f}"  # + 0 turns -0.0 into 0
    return f"{v:.2f}".rstrip("0")


def _scale(name: str) -> list:
    """An explicit colour scale (plotly.js' own named scales differ from Python's)."""
    import plotly.colors as pc

    if name == "gray":
        return [[0, "rgb(0,0,0)"], [1, "rgb(255,255,255)"]]
    if name.startswith("flat:"):
        return [[0, name[5:]], [1, name[5:]]]
    colors = getattr(pc.sequential, name, None) or getattr(pc.diverging, name)
    return [[i / (len(colors) - 1), c] for i, c in enumerate(colors)]


def _fast_figure(data: list, layout: dict):
    import plotly.graph_objects as go

    layout = {"plot_bgcolor": "white", "paper_bgcolor": "white", "showlegend": False, **layout}
    return go.Figure({"data": data, "layout": layout}, _validate=False)


def _panels(titles, widths, gap: float = 0.05, lift: int = 32) -> dict:
    """Layout of side-by-side panels: axes x, x2, ... with domains and a title above each."""
    usable = 1 - gap * (len(widths) - 1)
    layout, x = {"annotations": [], "shapes": []}, 0.0
    for i, (title, w) in enumerate(zip(titles, widths), 1):
        d = [x, x + usable * w / sum(widths)]
        x = d[1] + gap
        s = "" if i == 1 else str(i)
        layout[f"xaxis{s}"] = {"domain": d, "anchor": f"y{s}", "showgrid": False,
                               "zeroline": False}
        layout[f"yaxis{s}"] = {"domain": [0, 1], "anchor": f"x{s}", "showgrid": False,
                               "zeroline": False}
        layout["annotations"].append({"text": title, "x": (d[0] + d[1]) / 2, "y": 1,
                                      "xref": "paper", "yref": "paper", "yanchor": "bottom",
                                      "showarrow": False, "yshift": lift,
                                      "font": {"size": 14, "color": "#555"}})
    return layout


def _grid_axes(layout: dict, i: int, n_rows: int, n_cols: int, pad: float = 0,
               ticks: bool = True) -> None:
    """Panel i shows an n_rows x n_cols grid: square cells, row 0 on top, numbers on top."""
    s = "" if i == 1 else str(i)
    small = max(n_rows, n_cols) <= 16
    marks = {"showticklabels": ticks, **({} if ticks else {"ticks": ""}),
             **({"dtick": 1} if small else {})}
    layout[f"xaxis{s}"].update(range=[-0.5 - pad, n_cols - 0.5 + pad], side="top",
                               constrain="domain", **marks)
    layout[f"yaxis{s}"].update(range=[n_rows - 0.5 + pad, -0.5 - pad], scaleanchor=f"x{s}",
                               scaleratio=1, constrain="domain", **marks)


def _on(i: int) -> dict:
    s = "" if i == 1 else str(i)
    return {"xaxis": f"x{s}", "yaxis": f"y{s}"}


def _ref(i: int) -> dict:
    s = "" if i == 1 else str(i)
    return {"xref": f"x{s}", "yref": f"y{s}"}


def _heatmap(values, colorscale="Blues", zmid=None, text=True, panel=1, **kw) -> dict:
    """A heatmap trace dict with each cell's number written in it (NaN cells stay blank)."""
    import numpy as np

    z = np.asarray(values, dtype=float)
    trace = {"type": "heatmap", "z": z, "colorscale": _scale(colorscale), "showscale": False,
             "hovertemplate": "row %{y}, col %{x}: %{z}<extra></extra>", **_on(panel), **kw}
    if zmid is not None:
        m = float(np.nanmax(np.abs(z - zmid))) if np.isfinite(z).any() else 1.0
        trace.update(zmin=zmid - (m or 1.0), zmax=zmid + (m or 1.0))
    if text:
        trace.update(text=[[_num(v) for v in row] for row in z], texttemplate="%{text}",
                     textfont={"size": 15})
    return trace


def _rect(r0: float, c0: float, h: float = 1, w: float = 1, color: str = "#ff7f0e",
          width: float = 3, dash: str = "solid", fill: str = "rgba(0,0,0,0)", panel: int = 1):
    """A rectangle around grid cells (r0, c0) .. (r0 + h - 1, c0 + w - 1)."""
    return {"type": "rect", "x0": c0 - 0.5, "x1": c0 - 0.5 + w, "y0": r0 - 0.5,
            "y1": r0 - 0.5 + h, "line": {"color": color, "width": width, "dash": dash},
            "fillcolor": fill, **_ref(panel)}


def conv_step_figure(step, kernel, stride: int = 1, dilation: int = 1):
    """Four panels for one step of a sliding kernel (a cnnweb.filters.ConvStep):
    the input with its zero border (grey) and the window (orange), the kernel, the element-wise
    products, and the output so far with the current cell (orange)."""
    import numpy as np

    k = np.asarray(kernel, dtype=float)
    padded, out = step.padded, step.output
    ph, pw = padded.shape
    pt, pb, pl, pr = step.pads
    oh, ow = out.shape
    done = np.full(out.shape, np.nan)
    flat = step.row * ow + step.col
    done.flat[: flat + 1] = out.flat[: flat + 1]
    layout = _panels([f"input {ph - pt - pb}×{pw - pl - pr} + zero padding (grey)",
                      f"kernel {k.shape[0]}×{k.shape[1]}", "input × kernel",
                      f"output {oh}×{ow}"], [pw, k.shape[1], k.shape[1], ow])
    pad_mask = np.ones_like(padded)
    pad_mask[pt:ph - pb, pl:pw - pr] = np.nan
    ys, xs = np.nonzero(~np.isnan(pad_mask))
    data = [
        _heatmap(padded, "Blues"),
        {"type": "heatmap", "z": pad_mask, "colorscale": _scale("flat:#d9d9d9"),
         "showscale": False, "hoverinfo": "skip"},
        {"type": "scatter", "x": xs, "y": ys, "mode": "text", "text": ["0"] * len(xs),
         "hoverinfo": "skip", "textfont": {"size": 15, "color": "#777"}},
        _heatmap(k, "RdBu", zmid=0, panel=2),
        _heatmap(step.products, "RdBu", zmid=0, panel=3),
        {"type": "heatmap", "z": np.zeros_like(out), "colorscale": _scale("flat:#f2f2f2"),
         "showscale": False, "hoverinfo": "skip", "xgap": 2, "ygap": 2, **_on(4)},
        _heatmap(done, "Greens", panel=4, xgap=2, ygap=2),
    ]
    shapes = layout["shapes"]
    if pt or pb or pl or pr:  # the real input's outline
        shapes.append(_rect(pt, pl, ph - pt - pb, pw - pl - pr, "#333", 2, "dot"))
    # the window: each cell it reads tinted orange (dilation leaves gaps), then its outline
    shapes += [_rect(r, c, width=1, fill="rgba(255,127,14,0.28)") for r, c in step.cells]
    (r0, c0), (r1, c1) = step.cells[0], step.cells[-1]
    shapes.append(_rect(r0, c0, r1 - r0 + 1, c1 - c0 + 1, width=4))
    shapes.append(_rect(step.row, step.col, width=4, panel=4))
    for i, (nr, nc) in enumerate([(ph, pw), k.shape, k.shape, (oh, ow)], 1):
        _grid_axes(layout, i, nr, nc)
    layout.update(height=max(340, 54 * ph + 110), margin={"l": 10, "r": 10, "t": 90, "b": 10})
    return _fast_figure(data, layout)


def receptive_field_figure(counts, box, out_shape, cell, image=None):
    """Left: the input, each pixel coloured by how many paths lead to the chosen output cell
    (0 = not seen), the theoretical receptive field as a dashed box (it may reach into the
    padding, outside the input). Right: the output grid with the chosen cell.

    counts: (H, W) array; box: (top, left, bottom, right) in input pixel coordinates;
    out_shape: (out_h, out_w); cell: (row, col); image: optional (H, W) grey picture drawn
    under the counts.
    """
    import numpy as np

    counts = np.asarray(counts, dtype=float)
    h, w = counts.shape
    oh, ow = out_shape
    layout = _panels([f"input {h}×{w}: pixels the cell sees (darker = more paths)",
                      f"output {oh}×{ow}: the chosen cell"], [0.62, 0.38], gap=0.08)
    seen = np.where(counts > 0, counts, np.nan)
    hover = "row %{y}, col %{x}: %{z} paths<extra></extra>"
    if image is not None:
        data = [{"type": "heatmap", "z": np.asarray(image, float), "colorscale": _scale("gray"),
                 "showscale": False, "hoverinfo": "skip"},
                _heatmap(seen, "Oranges", text=False, opacity=0.55, hovertemplate=hover)]
    else:
        data = [{"type": "heatmap", "z": np.zeros_like(counts), "showscale": False,
                 "colorscale": _scale("flat:#f4f4f4"), "hoverinfo": "skip"},
                _heatmap(seen, "Oranges", text=max(h, w) <= 16, hovertemplate=hover)]
    grid = np.zeros(out_shape)
    grid[cell] = 1
    data.append({"type": "heatmap", "z": grid, "showscale": False, **_on(2),
                 "colorscale": [[0, "#eef3fa"], [1, "#ff7f0e"]],
                 "xgap": 1 if ow <= 64 else 0, "ygap": 1 if oh <= 64 else 0,
                 "hovertemplate": "row %{y}, col %{x}<extra></extra>"})
    top, left, bottom, right = box
    layout["shapes"] += [_rect(top, left, bottom - top + 1, right - left + 1, "#d62728", 3,
                               "dash"),
                         _rect(0, 0, h, w, "#333", 1)]
    pad = max(0, -left, right - (w - 1), -top, bottom - (h - 1))
    _grid_axes(layout, 1, h, w, pad=pad)
    _grid_axes(layout, 2, oh, ow)
    layout.update(height=540, margin={"l": 10, "r": 10, "t": 90, "b": 10})
    return _fast_figure(data, layout)


def grid_panels(panels, height: int = 330, text: bool = True, colorscale: str = "Oranges",
                zmid: float | None = None):
    """Side-by-side annotated heatmaps, e.g. the paths of two 3x3 convs vs one 5x5.
    panels: list of (title, 2-D array). Use colorscale="RdBu", zmid=0 for signed values.
    Without zmid all panels share one colour range (0 to the largest value), so equal numbers
    look equal across panels."""
    import numpy as np

    layout = _panels([t for t, _ in panels], [1] * len(panels), gap=0.08)
    top = max(float(np.nanmax(np.asarray(z, float))) for _, z in panels)
    low = min(0.0, *(float(np.nanmin(np.asarray(z, float))) for _, z in panels))
    shared = {} if zmid is not None else {"zmin": low, "zmax": max(top, low + 1e-9)}
    data = []
    for i, (_, z) in enumerate(panels, 1):
        data.append(_heatmap(z, colorscale, zmid=zmid, text=text, panel=i, **shared))
        _grid_axes(layout, i, len(z), len(z[0]))
    layout.update(height=height, margin={"l": 10, "r": 10, "t": 80, "b": 10})
    return _fast_figure(data, layout)


def image_panels(panels, height: int = 380):
    """Images side by side with their sizes: list of (title, array, scale) where array is
    (H, W) or (H, W, 3) and scale is "gray" (0..255 style), "signed" (a +/- response on a
    red-blue scale centred on 0) or "rgb"."""
    import numpy as np

    layout = _panels([f"{t} ({a.shape[0]}×{a.shape[1]})" for t, a, _ in panels],
                     [1] * len(panels), gap=0.04, lift=4)
    data = []
    hover = "row %{y}, col %{x}: %{z:.1f}<extra></extra>"
    for i, (_, a, scale) in enumerate(panels, 1):
        a = np.asarray(a, dtype=float)
        if scale == "rgb":
            data.append({"type": "image", "z": np.clip(a, 0, 255).round().astype(np.uint8),
                         **_on(i)})
        elif scale == "signed":
            m = float(np.abs(a).max()) or 1.0
            data.append({"type": "heatmap", "z": a, "colorscale": _scale("RdBu"), "zmin": -m,
                         "zmax": m, "showscale": False, "hovertemplate": hover, **_on(i)})
        else:
            data.append({"type": "heatmap", "z": a, "colorscale": _scale("gray"),
                         "showscale": False, "hovertemplate": hover, **_on(i)})
        _grid_axes(layout, i, a.shape[0], a.shape[1], ticks=False)
    layout.update(height=height, margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return _fast_figure(data, layout)


def stack_growth_figure(labels, sizes, rf_sizes):
    """Feature-map size shrinks while the receptive field grows, layer by layer."""
    data = [{"type": "scatter", "x": labels, "y": sizes, "mode": "lines+markers",
             "name": "feature map side"},
            {"type": "scatter", "x": labels, "y": rf_sizes, "mode": "lines+markers",
             "name": "receptive field side"}]
    return _fast_figure(data, {"height": 300, "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
                               "yaxis": {"title": {"text": "pixels"}, "gridcolor": "#eee"},
                               "xaxis": {"type": "category"}, "showlegend": True,
                               "legend": {"orientation": "h", "y": 1.12},
                               "hovermode": "x unified"})


# ---------------------------------------------------------------- Trainer figures (helper "trainer")
# Curves take the per-epoch rows of metrics.jsonl (dicts with epoch, loss, accuracy, val_loss,
# val_accuracy) and optionally the in-epoch progress rows of the epoch still running.

TRAIN_COLOR, VAL_COLOR = "#1f77b4", "#d62728"


def training_curves_figure(epochs: list[dict], progress: list[dict] | None = None,
                           marker: dict | None = None, height: int = 360,
                           epochs_total: int | None = None):
    """Loss and accuracy, train vs validation, against epoch; the running epoch as a dotted tail.

    marker {"epoch": E, "label": "..."} draws a dashed vertical line (e.g. overfitting start).
    epochs_total fixes the x axis at 0..N so a live curve grows across it.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, subplot_titles=("loss", "accuracy"),
                        horizontal_spacing=0.1)
    # a stopped run's last epoch is partial: place it at the share of the epoch it trained
    xs = [e["epoch"] - 1 + e.get("fraction", 1.0) for e in epochs]
    done = epochs[-1]["epoch"] if epochs else 0
    tail = [p for p in (progress or []) if p.get("epoch", 0) > done]
    for col, key in ((1, "loss"), (2, "accuracy")):
        show = col == 1
        fig.add_trace(go.Scatter(x=xs, y=[e.get(key) for e in epochs], mode="lines+markers",
                                 name="train", legendgroup="train", showlegend=show,
                                 line={"color": TRAIN_COLOR}), 1, col)
        if any(e.get("val_" + key) is not None for e in epochs):
            fig.add_trace(go.Scatter(x=xs, y=[e.get("val_" + key) for e in epochs],
                                     mode="lines+markers", name="validation", legendgroup="val",
                                     showlegend=show, line={"color": VAL_COLOR}), 1, col)
        if tail:
            tx = [p["epoch"] - 1 + p["batch"] / p["batches"] for p in tail]
            ty = [p.get(key) for p in tail]
            if xs:  # join the dotted tail to the last finished epoch
                tx, ty = [xs[-1]] + tx, [epochs[-1].get(key)] + ty
            fig.add_trace(go.Scatter(x=tx, y=ty, mode="lines+markers",
                                     name="train (this epoch so far)", legendgroup="tail",
                                     showlegend=show, marker={"size": 4},
                                     line={"color": TRAIN_COLOR, "dash": "dot"}), 1, col)
        if marker and marker.get("epoch"):
            fig.add_vline(x=marker["epoch"], line={"color": "#ff7f0e", "dash": "dash", "width": 2},
                          row=1, col=col)
    if marker and marker.get("epoch"):
        fig.add_annotation(x=marker["epoch"], y=1.0, yref="y domain", xref="x",
                           text=marker.get("label", ""), showarrow=False, xanchor="left",
                           yanchor="top", font={"color": "#ff7f0e"}, row=1, col=1)
    fig.update_xaxes(title_text="epoch", rangemode="tozero")
    if epochs_total:
        fig.update_xaxes(range=[0, max(epochs_total, xs[-1] if xs else 0) + 0.05])
    fig.update_yaxes(rangemode="tozero", row=1, col=1)
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", row=1, col=2)
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      legend={"orientation": "h", "y": -0.2}, hovermode="x unified")
    return fig


def runs_overlay_figure(runs: list[tuple[str, list[dict]]], metric: str = "val_accuracy",
                        height: int = 340):
    """One line per run for one metric (e.g. val_accuracy), to compare runs side by side."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for label, epochs in runs:
        fig.add_trace(go.Scatter(x=[e["epoch"] for e in epochs], y=[e.get(metric) for e in epochs],
                                 mode="lines+markers", name=label))
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      xaxis_title="epoch", yaxis_title=metric.replace("_", " "),
                      legend={"orientation": "h", "y": -0.25}, hovermode="x unified")
    if "accuracy" in metric:
        fig.update_yaxes(tickformat=".0%")
    return fig


def confusion_matrix_figure(cm, class_names: list[str], height: int = 460):
    """Rows = true class, columns = predicted class, counts written in the cells."""
    import numpy as np
    import plotly.graph_objects as go

    z = np.asarray(cm, dtype=float)
    per_row = z.sum(1, keepdims=True)
    frac = np.divide(z, per_row, out=np.zeros_like(z), where=per_row > 0)
    fig = go.Figure(go.Heatmap(
        z=frac, x=class_names, y=class_names, colorscale="Blues", zmin=0, zmax=1,
        text=z.astype(int), texttemplate="%{text}", customdata=frac * 100,
        colorbar={"title": "share of row", "tickformat": ".0%"},
        hovertemplate="true %{y}, predicted %{x}: %{text} (%{customdata:.1f}% of %{y})"
                      "<extra></extra>"))
    fig.update_xaxes(title_text="predicted", side="bottom", tickangle=-45, type="category", dtick=1)
    fig.update_yaxes(title_text="true", autorange="reversed", type="category", dtick=1)
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 20, "b": 10})
    return fig


# ---------------------------------------------------------------- Gallery figures (helper "zoo")

def arch_comparison_figure(records: list[dict], height: int = 440):
    """Parameters against multiply-adds (both log scale), one labelled point per architecture.
    records: dicts with name, params, macs and accuracy (best test accuracy of a trained model
    of that architecture, or None). Trained ones are coloured by accuracy, the rest grey."""
    import plotly.graph_objects as go

    merged: dict[tuple, dict] = {}     # identical networks (same params and MACs) share a point
    for r in records:
        key = (r["params"], r["macs"], r.get("accuracy"))
        if key in merged:
            merged[key] = {**merged[key], "name": f"{merged[key]['name']} = {r['name']}"}
        else:
            merged[key] = r
    records = list(merged.values())
    fig = go.Figure()
    untrained = [r for r in records if r.get("accuracy") is None]
    trained = [r for r in records if r.get("accuracy") is not None]
    hover = "%{text}<br>%{y:,} parameters<br>%{x:,} multiply-adds"
    if untrained:
        fig.add_trace(go.Scatter(
            x=[r["macs"] for r in untrained], y=[r["params"] for r in untrained],
            text=[r["name"] for r in untrained], mode="markers+text", textposition="top center",
            name="not trained yet", marker={"size": 12, "color": "#adb5bd"},
            hovertemplate=hover + "<extra>not trained yet</extra>"))
    if trained:
        fig.add_trace(go.Scatter(
            x=[r["macs"] for r in trained], y=[r["params"] for r in trained],
            text=[r["name"] for r in trained], mode="markers+text", textposition="top center",
            name="trained (colour = test accuracy)",
            customdata=[[r["accuracy"] * 100] for r in trained],
            marker={"size": 16, "color": [r["accuracy"] for r in trained], "colorscale": "Viridis",
                    "cmin": 0, "cmax": 1, "colorbar": {"title": "test acc.", "tickformat": ".0%"}},
            hovertemplate=hover + "<br>best test accuracy %{customdata[0]:.1f}%<extra></extra>"))
    fig.update_xaxes(type="log", title_text="multiply-adds per image (log)")
    fig.update_yaxes(type="log", title_text="parameters (log)")
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      legend={"orientation": "h", "y": -0.2})
    return fig


# ---------------------------------------------------------------- Predict figures (helper "predict")

def topk_figure(top: list, height: int = 260):
    """Horizontal bars of the top-k classes, most likely at the top. top: [[label, p], ...].
    Built from one dict (about 2 ms) rather than update_* calls (about 20 ms): it is redrawn
    after every stroke on the Predict page."""
    import plotly.graph_objects as go

    labels = [str(t[0]) for t in top]
    probs = [float(t[1]) for t in top]
    return go.Figure({
        "data": [{"type": "bar", "x": probs, "y": labels, "orientation": "h",
                  "marker": {"color": ["#1f77b4"] + ["#9ecae1"] * (len(top) - 1)},
                  "text": [f"{p:.1%}" for p in probs], "textposition": "auto",
                  "hovertemplate": "%{y}: %{x:.2%}<extra></extra>"}],
        "layout": {"height": height, "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
                   "xaxis": {"range": [0, 1], "tickformat": ".0%", "title": {"text": "probability"}},
                   "yaxis": {"autorange": "reversed", "type": "category"}}})
