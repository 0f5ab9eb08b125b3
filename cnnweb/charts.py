"""Plotly figure builders: pure functions, data in, go.Figure out. No streamlit here."""

from __future__ import annotations

# ---------------------------------------------------------------- Explainer figures (helper "explainer")
# Grids are drawn as heatmaps with row 0 at the top and square cells; numbers are written in
# the cells when the grid is small enough to read them.

def _num(v: float) -> str:
    """Short label for a cell: integers without '.0', others with up to 2 decimals, '' for NaN."""
    import math

    v = float(v)
    if math.isnan(v):  # a cell not computed yet
        return ""
    if v.is_integer():
        return f"{v + 0:.0f}"  # + 0 turns -0.0 into 0
    return f"{v:.2f}".rstrip("0")


def _lift_titles(fig, pixels: int = 22):
    """Move subplot titles above the column numbers written along the top axis."""
    for a in fig.layout.annotations:
        a.yshift = pixels


def _square_axes(fig, row: int, col: int, n_rows: int, n_cols: int, title: str | None = None):
    fig.update_xaxes(row=row, col=col, range=[-0.5, n_cols - 0.5], showgrid=False,
                     zeroline=False, constrain="domain", side="top", title_text=title,
                     tickmode="linear" if n_cols <= 16 else "auto")
    fig.update_yaxes(row=row, col=col, range=[n_rows - 0.5, -0.5], showgrid=False,
                     zeroline=False, constrain="domain",
                     tickmode="linear" if n_rows <= 16 else "auto")


def _cell_rect(r: float, c: float, color: str, width: float = 3, dash: str | None = None,
               h: float = 1, w: float = 1) -> dict:
    return {"type": "rect", "x0": c - 0.5, "x1": c - 0.5 + w, "y0": r - 0.5, "y1": r - 0.5 + h,
                "line": {"color": color, "width": width, "dash": dash}, "fillcolor": "rgba(0,0,0,0)"}


def _annotated_heatmap(values, colorscale="Blues", zmid=None, text=True, **kw):
    """A heatmap with each cell's number written in it (NaN cells stay blank)."""
    import numpy as np
    import plotly.graph_objects as go
    z = np.asarray(values, dtype=float)
    trace = go.Heatmap(z=z, colorscale=colorscale, showscale=False, zmid=zmid,
                       hovertemplate="row %{y}, col %{x}: %{z}<extra></extra>", **kw)
    if text:
        trace.update(text=[[_num(v) for v in row] for row in z], texttemplate="%{text}",
                     textfont={"size": 15})
    return trace


def conv_step_figure(step, kernel, stride: int = 1, dilation: int = 1):
    """Four panels for one step of a sliding kernel (a cnnweb.filters.ConvStep):
    the input with its zero border (grey) and the window (orange), the kernel, the element-wise
    products, and the output so far with the current cell (orange)."""
    import numpy as np
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    k = np.asarray(kernel, dtype=float)
    padded, out = step.padded, step.output
    ph, pw = padded.shape
    pt, pb, pl, pr = step.pads
    oh, ow = out.shape
    done = np.full(out.shape, np.nan)
    flat = step.row * ow + step.col
    done.flat[: flat + 1] = out.flat[: flat + 1]
    widths = [pw, k.shape[1], k.shape[1], ow]
    fig = make_subplots(
        1, 4, column_widths=[w / sum(widths) for w in widths], horizontal_spacing=0.05,
        subplot_titles=(f"input {ph - pt - pb}×{pw - pl - pr} + zero padding (grey)",
                        f"kernel {k.shape[0]}×{k.shape[1]}", "input × kernel",
                        f"output {oh}×{ow}"))
    fig.add_trace(_annotated_heatmap(padded, "Blues"), 1, 1)
    pad_mask = np.ones_like(padded)
    pad_mask[pt:ph - pb, pl:pw - pr] = np.nan
    fig.add_trace(go.Heatmap(z=pad_mask, colorscale=[[0, "#d9d9d9"], [1, "#d9d9d9"]],
                             showscale=False, hoverinfo="skip"), 1, 1)
    # the zeros on the border, written over the grey
    ys, xs = np.nonzero(~np.isnan(pad_mask))
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="text", text=["0"] * len(xs), hoverinfo="skip",
                             textfont={"size": 15, "color": "#777"}), 1, 1)
    fig.add_trace(_annotated_heatmap(k, "RdBu", zmid=0), 1, 2)
    fig.add_trace(_annotated_heatmap(step.products, "RdBu", zmid=0), 1, 3)
    fig.add_trace(go.Heatmap(z=np.zeros_like(out), colorscale=[[0, "#f2f2f2"], [1, "#f2f2f2"]],
                             showscale=False, hoverinfo="skip", xgap=2, ygap=2), 1, 4)
    fig.add_trace(_annotated_heatmap(done, "Greens", xgap=2, ygap=2), 1, 4)
    shapes = []
    if pt or pb or pl or pr:  # the real input's outline
        shapes.append({"type": "rect", "x0": pl - 0.5, "x1": pw - pr - 0.5, "y0": pt - 0.5,
                       "y1": ph - pb - 0.5, "line": {"color": "#333", "width": 2, "dash": "dot"}})
    # the window: each cell it reads tinted orange (dilation leaves gaps), then its outline
    orange = "#ff7f0e"
    shapes += [dict(_cell_rect(r, c, orange, 1), fillcolor="rgba(255,127,14,0.28)")
               for r, c in step.cells]
    (r0, c0), (r1, c1) = step.cells[0], step.cells[-1]
    shapes.append(_cell_rect(r0, c0, orange, 4, h=r1 - r0 + 1, w=c1 - c0 + 1))
    for s in shapes:
        fig.add_shape(s, row=1, col=1)
    fig.add_shape(_cell_rect(step.row, step.col, orange, 4), row=1, col=4)
    for col, (nr, nc) in enumerate([(ph, pw), k.shape, k.shape, (oh, ow)], 1):
        _square_axes(fig, 1, col, nr, nc)
        fig.update_yaxes(row=1, col=col, scaleanchor=f"x{'' if col == 1 else col}",
                         scaleratio=1)
    _lift_titles(fig)
    fig.update_layout(height=max(340, 54 * ph + 110), margin={"l": 10, "r": 10, "t": 90, "b": 10},
                      plot_bgcolor="white")
    return fig


def receptive_field_figure(counts, box, out_shape, cell, image=None):
    """Left: the input, each pixel coloured by how many paths lead to the chosen output cell
    (0 = not seen), the theoretical receptive field as a dashed box (it may reach into the
    padding, outside the input). Right: the output grid with the chosen cell.

    counts: (H, W) array; box: (top, left, bottom, right) in input pixel coordinates;
    out_shape: (out_h, out_w); cell: (row, col); image: optional (H, W) grey picture drawn
    under the counts.
    """
    import numpy as np
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    counts = np.asarray(counts, dtype=float)
    h, w = counts.shape
    oh, ow = out_shape
    fig = make_subplots(1, 2, column_widths=[0.62, 0.38], horizontal_spacing=0.08,
                        subplot_titles=(f"input {h}×{w}: pixels the cell sees (darker = more paths)",
                                        f"output {oh}×{ow}: the chosen cell"))
    seen = np.where(counts > 0, counts, np.nan)
    small = max(h, w) <= 16
    if image is not None:
        fig.add_trace(go.Heatmap(z=np.asarray(image, float), colorscale="gray",
                                 showscale=False, hoverinfo="skip"), 1, 1)
        fig.add_trace(go.Heatmap(z=seen, colorscale="Oranges", opacity=0.55, showscale=False,
                                 hovertemplate="row %{y}, col %{x}: %{z} paths<extra></extra>"),
                      1, 1)
    else:
        fig.add_trace(go.Heatmap(z=np.zeros_like(counts), colorscale=[[0, "#f4f4f4"],
                                 [1, "#f4f4f4"]], showscale=False, hoverinfo="skip"), 1, 1)
        fig.add_trace(_annotated_heatmap(seen, "Oranges", text=small), 1, 1)
    top, left, bottom, right = box
    fig.add_shape({"type": "rect", "x0": left - 0.5, "x1": right + 0.5, "y0": top - 0.5, "y1": bottom + 0.5,
                       "line": {"color": "#d62728", "width": 3, "dash": "dash"}}, row=1, col=1)
    fig.add_shape({"type": "rect", "x0": -0.5, "x1": w - 0.5, "y0": -0.5, "y1": h - 0.5,
                       "line": {"color": "#333", "width": 1}}, row=1, col=1)
    grid = np.zeros(out_shape)
    grid[cell] = 1
    fig.add_trace(go.Heatmap(z=grid, colorscale=[[0, "#eef3fa"], [1, "#ff7f0e"]],
                             showscale=False, xgap=1 if ow <= 64 else 0, ygap=1 if oh <= 64 else 0,
                             hovertemplate="row %{y}, col %{x}<extra></extra>"), 1, 2)
    pad_x = max(0, -left, right - (w - 1))
    pad_y = max(0, -top, bottom - (h - 1))
    fig.update_xaxes(row=1, col=1, range=[-0.5 - pad_x, w - 0.5 + pad_x], showgrid=False,
                     zeroline=False, side="top", constrain="domain")
    fig.update_yaxes(row=1, col=1, range=[h - 0.5 + pad_y, -0.5 - pad_y], showgrid=False,
                     zeroline=False, scaleanchor="x", scaleratio=1, constrain="domain")
    _lift_titles(fig)
    _square_axes(fig, 1, 2, oh, ow)
    fig.update_yaxes(row=1, col=2, scaleanchor="x2", scaleratio=1)
    fig.update_layout(height=540, margin={"l": 10, "r": 10, "t": 90, "b": 10}, plot_bgcolor="white")
    return fig


def grid_panels(panels, height: int = 330, text: bool = True, colorscale: str = "Oranges",
                zmid: float | None = None):
    """Side-by-side annotated heatmaps, e.g. the paths of two 3x3 convs vs one 5x5.
    panels: list of (title, 2-D array). Use colorscale="RdBu", zmid=0 for signed values."""
    from plotly.subplots import make_subplots

    fig = make_subplots(1, len(panels), subplot_titles=[t for t, _ in panels],
                        horizontal_spacing=0.08)
    for i, (_, z) in enumerate(panels, 1):
        fig.add_trace(_annotated_heatmap(z, colorscale, zmid=zmid, text=text), 1, i)
        _square_axes(fig, 1, i, len(z), len(z[0]))
        fig.update_yaxes(row=1, col=i, scaleanchor=f"x{'' if i == 1 else i}", scaleratio=1)
    _lift_titles(fig)
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 80, "b": 10}, plot_bgcolor="white")
    return fig


def image_panels(panels, height: int = 380):
    """Images side by side with their sizes: list of (title, array, scale) where array is
    (H, W) or (H, W, 3) and scale is "gray" (0..255 style), "signed" (a +/- response on a
    red-blue scale centred on 0) or "rgb"."""
    import numpy as np
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(1, len(panels), horizontal_spacing=0.04,
                        subplot_titles=[f"{t} ({a.shape[0]}×{a.shape[1]})" for t, a, _ in panels])
    for i, (_, a, scale) in enumerate(panels, 1):
        a = np.asarray(a, dtype=float)
        if scale == "rgb":
            fig.add_trace(go.Image(z=np.clip(a, 0, 255)), 1, i)
        elif scale == "signed":
            m = float(np.abs(a).max()) or 1.0
            fig.add_trace(go.Heatmap(z=a, colorscale="RdBu", zmin=-m, zmax=m, showscale=False,
                                     hovertemplate="row %{y}, col %{x}: %{z:.1f}<extra></extra>"),
                          1, i)
        else:
            fig.add_trace(go.Heatmap(z=a, colorscale="gray", showscale=False,
                                     hovertemplate="row %{y}, col %{x}: %{z:.1f}<extra></extra>"),
                          1, i)
        fig.update_xaxes(row=1, col=i, showticklabels=False, showgrid=False, zeroline=False,
                         range=[-0.5, a.shape[1] - 0.5], constrain="domain")
        fig.update_yaxes(row=1, col=i, showticklabels=False, showgrid=False, zeroline=False,
                         range=[a.shape[0] - 0.5, -0.5], scaleanchor=f"x{'' if i == 1 else i}",
                         scaleratio=1, constrain="domain")
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 50, "b": 10}, plot_bgcolor="white")
    return fig


def stack_growth_figure(labels, sizes, rf_sizes):
    """Feature-map size shrinks while the receptive field grows, layer by layer."""
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_trace(go.Scatter(x=labels, y=sizes, mode="lines+markers", name="feature map side"))
    fig.add_trace(go.Scatter(x=labels, y=rf_sizes, mode="lines+markers",
                             name="receptive field side"))
    fig.update_layout(height=300, margin={"l": 10, "r": 10, "t": 30, "b": 10}, yaxis_title="pixels",
                      legend={"orientation": "h", "y": 1.12}, hovermode="x unified")
    return fig


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
    xs = [e["epoch"] for e in epochs]
    tail = [p for p in (progress or []) if p.get("epoch", 0) > (xs[-1] if xs else 0)]
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
    """Horizontal bars of the top-k classes, most likely at the top. top: [[label, p], ...]."""
    import plotly.graph_objects as go

    labels = [str(t[0]) for t in top]
    probs = [float(t[1]) for t in top]
    colors = ["#1f77b4"] + ["#9ecae1"] * (len(top) - 1)
    fig = go.Figure(go.Bar(x=probs, y=labels, orientation="h", marker_color=colors,
                           text=[f"{p:.1%}" for p in probs], textposition="auto",
                           hovertemplate="%{y}: %{x:.2%}<extra></extra>"))
    fig.update_xaxes(range=[0, 1], tickformat=".0%", title_text="probability")
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return fig
