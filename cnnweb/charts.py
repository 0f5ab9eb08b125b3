"""Plotly figure builders: pure functions, data in, go.Figure out. No streamlit here."""

from __future__ import annotations

from cnnweb import i18n

# ---------------------------------------------------------------- Explainer figures
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


def _panels(titles, widths, gap: float = 0.05, lift: int = 32, on_axes: bool = False) -> dict:
    """Layout of side-by-side panels: axes x, x2, ... with domains and a title above each.
    on_axes: each title is its x axis' title, centred over the drawn grid (a grid with square
    cells is narrower than its domain, so a title centred on the domain can run into its
    neighbour's)."""
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
        if on_axes:
            layout[f"xaxis{s}"]["title"] = {"text": title, "standoff": 8,
                                            "font": {"size": 14, "color": "#555"}}
            continue
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


def conv_step_figure(step, kernel, stride: int = 1, dilation: int = 1, lang: str = "en"):
    """Four panels for one step of a sliding kernel (a cnnweb.filters.ConvStep):
    the input with its zero border (grey) and the window (orange), the kernel, the element-wise
    products, and the output so far with the current cell (orange). Titles in `lang`."""
    import numpy as np

    k = np.asarray(kernel, dtype=float)
    padded, out = step.padded, step.output
    ph, pw = padded.shape
    pt, pb, pl, pr = step.pads
    oh, ow = out.shape
    done = np.full(out.shape, np.nan)
    flat = step.row * ow + step.col
    done.flat[: flat + 1] = out.flat[: flat + 1]
    title = i18n.t("chart.step.input_padded" if any(step.pads) else "chart.step.input",  # VALID
                   h=ph - pt - pb, w=pw - pl - pr, lang=lang)                      # adds no zeros
    layout = _panels([title, i18n.t("chart.step.kernel", h=k.shape[0], w=k.shape[1], lang=lang),
                      i18n.t("chart.step.products", lang=lang),
                      i18n.t("chart.step.output", h=oh, w=ow, lang=lang)],
                     [pw, k.shape[1], k.shape[1], ow], on_axes=True)
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
    layout.update(height=max(300, 44 * ph + 80), margin={"l": 10, "r": 10, "t": 60, "b": 10})
    return _fast_figure(data, layout)


RF_MAX_INPUT = 256   # input pixels drawn per side at most (larger inputs are drawn in blocks)
RF_MAX_OUTPUT = 64   # output cells drawn, and clickable, per side at most


def rf_blocks(n: int, cap: int) -> int:
    """Side of the square blocks a grid of n cells per side is drawn in (1 = every cell), so
    that at most `cap` blocks per side are sent to the browser: a 1024×1024 input drawn cell
    by cell was 24 MB of JSON per view."""
    return max(1, -(-int(n) // int(cap)))


def _block_max(a, f: int):
    """(H, W) -> (ceil(H/f), ceil(W/f)): the largest value of each f×f block."""
    import numpy as np

    a = np.asarray(a, dtype=float)
    if f == 1:
        return a
    h, w = a.shape
    big = np.full((-(-h // f) * f, -(-w // f) * f), -np.inf)
    big[:h, :w] = a
    return big.reshape(big.shape[0] // f, f, big.shape[1] // f, f).max(axis=(1, 3))


def _centres(n_blocks: int, f: int):
    import numpy as np

    return np.arange(n_blocks) * f + (f - 1) / 2


def receptive_field_figure(counts, box, out_shape, cell, image=None, lang: str = "en"):
    """Left: the input, each pixel coloured by how many paths lead to the chosen output cell
    (0 = not seen), the theoretical receptive field as a dashed box (it may reach into the
    padding, outside the input). Right: the output grid with the chosen cell; its cells are
    invisible markers too (trace "cells" at x = column, y = row) so that a click picks one
    (st.plotly_chart's selection events ignore heatmaps).

    counts: (H, W) array; box: (top, left, bottom, right) in input pixel coordinates;
    out_shape: (out_h, out_w); cell: (row, col); image: optional (H, W) grey picture drawn
    under the counts. A side longer than RF_MAX_INPUT (input) or RF_MAX_OUTPUT (output) is
    drawn in blocks of rf_blocks(...) cells, each showing its largest value; axes stay in
    pixel and cell numbers. Titles in `lang`.
    """
    import numpy as np

    counts = np.asarray(counts, dtype=float)
    h, w = counts.shape
    oh, ow = out_shape
    f, g = rf_blocks(max(h, w), RF_MAX_INPUT), rf_blocks(max(oh, ow), RF_MAX_OUTPUT)
    layout = _panels([i18n.t("chart.rf.input", h=h, w=w, lang=lang),
                      i18n.t("chart.rf.output", h=oh, w=ow, lang=lang)], [0.62, 0.38], gap=0.08,
                     on_axes=True)
    data = _rf_input_traces(counts, f, image) + _rf_output_traces(out_shape, cell, g)
    top, left, bottom, right = box
    layout["shapes"] += [dict(_rect(0, 0, h, w, "#333", 1, fill="#f4f4f4"), layer="below"),
                         _rect(top, left, bottom - top + 1, right - left + 1, "#d62728", 3,
                               "dash")]
    if g > 1:
        layout["shapes"].append(_rect(cell[0], cell[1], color="#333", width=2, panel=2))
    pad = max(0, -left, right - (w - 1), -top, bottom - (h - 1))
    _grid_axes(layout, 1, h, w, pad=pad)
    _grid_axes(layout, 2, oh, ow)
    layout.update(height=440, margin={"l": 10, "r": 10, "t": 60, "b": 10},
                  hovermode="closest", hoverdistance=-1, clickmode="event+select")
    return _fast_figure(data, layout)


def _paths_scale(top_count: float) -> list:
    """Oranges for 1..top_count paths, with 0 (not seen) transparent: the bottom of the scale
    instead of NaN (an array with NaN goes to the browser as a JSON list, one without as
    compact binary)."""
    first = min(0.5 / top_count, 0.5)
    scale = [[0, "rgba(0,0,0,0)"], [first, "rgba(0,0,0,0)"]] + [
        [first + (1 - first) * v, c] for v, c in _scale("Oranges")]
    scale[2][0] = first + 1e-9
    return scale


def _rf_input_traces(counts, f: int, image) -> list:
    """The input panel: paths per pixel (in f×f blocks), over the grey picture if one is given;
    the numbers written in the cells of a small input."""
    import numpy as np

    h, w = counts.shape
    # float32 (half the bytes) holds whole numbers of paths exactly up to 2**24
    seen = _block_max(counts, f)
    top_count = float(seen.max()) or 1.0
    seen = seen.astype(np.float32 if top_count <= 2 ** 24 else float)
    at = {"x": _centres(seen.shape[1], f), "y": _centres(seen.shape[0], f)}
    hover = ("row %{y}, col %{x} · paths: %{z:,}<extra></extra>" if f == 1 else   # fixed texts:
             "rows/cols %{y}, %{x} ± %{meta[0]} · paths: up to %{z:,}<extra></extra>")  # terms
    paths = {"type": "heatmap", "z": seen, "zmin": 0, "zmax": top_count,
             "colorscale": _paths_scale(top_count), "showscale": False, "hovertemplate": hover,
             "meta": [f"{(f - 1) / 2:g}"], **at}
    if image is not None:
        return [{"type": "heatmap", "z": _block_max(image, f).astype(np.float32), **at,
                 "colorscale": _scale("gray"), "showscale": False, "hoverinfo": "skip"},
                dict(paths, opacity=0.55)]
    if max(h, w) <= 16:
        paths.update(text=[[_num(v) if v else "" for v in row] for row in seen],
                     texttemplate="%{text}", textfont={"size": 15})
    return [paths]


def _rf_output_traces(out_shape, cell, g: int) -> list:
    """The output panel: its grid (in g×g blocks) with the chosen cell, and an invisible marker
    per block that a click picks."""
    import numpy as np

    oh, ow = out_shape
    grid = np.zeros((-(-oh // g), -(-ow // g)), np.float32)
    grid[cell[0] // g, cell[1] // g] = 1
    rr, cc = np.meshgrid(np.minimum(np.arange(grid.shape[0]) * g + g // 2, oh - 1),
                         np.minimum(np.arange(grid.shape[1]) * g + g // 2, ow - 1),
                         indexing="ij")
    return [{"type": "heatmap", "z": grid, "showscale": False, **_on(2),
             "x": _centres(grid.shape[1], g), "y": _centres(grid.shape[0], g),
             "colorscale": [[0, "#eef3fa"], [1, "#ff7f0e"]], "xgap": 1, "ygap": 1,
             "hoverinfo": "skip"},
            {"type": "scatter", "mode": "markers", **_on(2), "x": cc.ravel(), "y": rr.ravel(),
             "marker": {"size": 12, "symbol": "square", "color": "rgba(0,0,0,0)"},
             "selected": {"marker": {"opacity": 1}}, "unselected": {"marker": {"opacity": 1}},
             "hovertemplate": "row %{y}, col %{x}: click to pick<extra></extra>"}]


def picked_cell(selection, out_shape):
    """The output cell (row, col) a click on receptive_field_figure chose, or None: the first
    selected point that carries a cell (st.plotly_chart's selection dict, or its "points")."""
    points = selection.get("points", []) if hasattr(selection, "get") else selection or []
    for p in points:                    # dicts, or Streamlit's dict-like attribute dicts
        if not hasattr(p, "get"):
            continue
        data = p.get("customdata")     # a confusion-matrix cell carries [row, col, ...]
        cell = data if isinstance(data, (list, tuple)) and len(data) >= 2 else (p.get("y"),
                                                                                p.get("x"))
        try:
            r, c = (round(float(v)) for v in cell[:2])
        except (TypeError, ValueError, IndexError):
            continue
        if 0 <= r < out_shape[0] and 0 <= c < out_shape[1]:
            return r, c
    return None


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
    """Images side by side with their sizes: list of (title, array, scale) or (title, array,
    scale, (low, high)) where array is (H, W) or (H, W, 3) and scale is "gray" (0..255 style),
    "signed" (a +/- response on a red-blue scale centred on 0) or "rgb". (low, high) fixes the
    colour range of a "gray" or "signed" panel (e.g. cnnweb.filters.display_range); without it
    the range is the panel's own minimum to maximum."""
    import numpy as np

    layout = _panels([f"{p[0]} ({p[1].shape[0]}×{p[1].shape[1]})" for p in panels],
                     [1] * len(panels), gap=0.04, lift=4)
    data = []
    hover = "row %{y}, col %{x}: %{z:.1f}<extra></extra>"
    for i, (_, a, scale, *fixed) in enumerate(panels, 1):
        a = np.asarray(a, dtype=float)
        if scale == "rgb":
            data.append({"type": "image", "z": np.clip(a, 0, 255).round().astype(np.uint8),
                         **_on(i)})
        else:
            if fixed:
                low, high = fixed[0]
            elif scale == "signed":
                high = float(np.abs(a).max()) or 1.0
                low = -high
            else:
                low, high = float(a.min()), float(a.max())
            data.append({"type": "heatmap", "z": a, "showscale": False, "zmin": low,
                         "zmax": high, "hovertemplate": hover, **_on(i),
                         "colorscale": _scale("RdBu" if scale == "signed" else "gray")})
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


# ---------------------------------------------------------------- Trainer figures
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
    xs = [_epoch_x(e) for e in epochs]
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
    last = max(epochs_total or 0, xs[-1] if xs else 0)
    fig.update_xaxes(title_text="epoch", rangemode="tozero", **epoch_axis(last))
    if epochs_total:
        fig.update_xaxes(range=[0, last + 0.05])
    fig.update_yaxes(rangemode="tozero", row=1, col=1)
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", row=1, col=2)
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      legend={"orientation": "h", "y": -0.2}, hovermode="x unified")
    return fig


def _epoch_x(e: dict) -> float:
    """Where an epoch row goes on the x axis: a stopped run's last epoch is partial, placed at
    the share of the epoch it trained."""
    fraction = e.get("fraction")
    return e["epoch"] - 1 + (fraction if isinstance(fraction, (int, float)) else 1.0)


def smooth(values, weight: float) -> list:
    """TensorBoard's scalar smoothing: an exponential moving average debiased like Adam's,
    s_i = (w*m_{i-1} + (1-w)*v_i) / (1 - w**n_i) with m the running average and n_i the count
    of finite values so far, so the first point is the value itself, not pulled to 0. Missing
    or non-finite values stay as they are and do not enter the average; weight 0 = no
    smoothing. ValueError for a weight outside [0, 1)."""
    import math

    weight = float(weight)
    if not 0 <= weight < 1:
        raise ValueError(f"the smoothing weight must be at least 0 and below 1 (got {weight:g})")
    last, n, out = 0.0, 0, []
    for v in values:
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
            out.append(v)
            continue
        last = last * weight + (1 - weight) * v
        n += 1
        out.append(last / (1 - weight ** n))
    return out


_STEPS = (1, 2, 5)
MIN_PERCENT_SPAN = 0.001         # a percent axis spans at least 0.1 percentage points


def _nice_step(span: float, most: int) -> float:
    """The smallest 1, 2, 5 x 10^k step that cuts span into at most `most` parts."""
    import math

    k = math.floor(math.log10(max(span, 1e-12) / most))
    for power in (k, k + 1):
        for m in _STEPS:
            if span / (m * 10.0 ** power) <= most:
                return m * 10.0 ** power
    return 10.0 ** (k + 2)


def percent_axis(values, most: int = 8) -> dict:
    """Tick settings for a 0..1 axis shown in percent: a step of 1, 2 or 5 x 10^k and exactly
    the decimals that step needs, so no two ticks print the same label ("98%" twice when
    Plotly's own ticks at 97.5% and 98% met a ".0%" format). The range is set too, at least
    MIN_PERCENT_SPAN wide: Plotly's own range around one value is ±1 (200 points), which at a
    step made for that value drew 100,000 ticks and froze the browser for 40 s."""
    import math

    vals = [v for v in values if isinstance(v, (int, float)) and math.isfinite(v)]
    if not vals:
        return {"tickformat": ".0%"}
    lo, hi = min(vals), max(vals)
    if hi - lo < MIN_PERCENT_SPAN:
        mid = (lo + hi) / 2
        lo, hi = mid - MIN_PERCENT_SPAN / 2, mid + MIN_PERCENT_SPAN / 2
    pad = (hi - lo) * 0.05
    step = _nice_step((hi - lo) * 1.1, most)
    decimals = max(0, -math.floor(math.log10(step * 100) + 1e-9))
    return {"tickformat": f".{decimals}%", "dtick": step, "tick0": 0,
            "range": [lo - pad, hi + pad], "autorange": False}


def epoch_axis(last_epoch: float, most: int = 10) -> dict:
    """Tick settings for an epoch axis: whole numbers only (1, 2, 5, 10, ... apart)."""
    step = max(1, round(_nice_step(max(float(last_epoch), 1.0), most)))
    return {"dtick": step, "tick0": 0, "tickformat": "d"}


def _escape(text) -> str:
    """A name for a Plotly label: Plotly reads tags (<a href>, <b>) and entities in text."""
    import html

    return html.escape(str(text), quote=False)


RUN_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
              "#7f7f7f", "#bcbd22", "#17becf")


def runs_overlay_figure(runs: list[tuple[str, list[dict]]], metric: str = "val_accuracy",
                        height: int = 340, smoothing: float = 0.0, log_y: bool = False):
    """One line per run for one metric (e.g. val_accuracy), to compare runs side by side, as in
    TensorBoard: with smoothing > 0 the smoothed line (see smooth) over the raw one drawn
    faint; log_y draws a loss on a log axis. Labels are names shown as text."""
    import plotly.graph_objects as go

    fig = go.Figure()
    everything = []
    for i, (label, epochs) in enumerate(runs):
        xs, ys = [_epoch_x(e) for e in epochs], [e.get(metric) for e in epochs]
        everything += ys
        color, name = RUN_COLORS[i % len(RUN_COLORS)], _escape(label)
        if smoothing:
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=name, legendgroup=str(i),
                                     showlegend=False, hoverinfo="skip", opacity=0.3,
                                     line={"color": color, "width": 1}))
        fig.add_trace(go.Scatter(x=xs, y=smooth(ys, smoothing) if smoothing else ys,
                                 mode="lines+markers", name=name, legendgroup=str(i),
                                 line={"color": color}, marker={"size": 5}))
    last = max((x for t in fig.data for x in t.x), default=1)
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      xaxis_title="epoch", yaxis_title=metric.replace("_", " "),
                      legend={"orientation": "h", "y": -0.25}, hovermode="x unified")
    fig.update_xaxes(**epoch_axis(last))
    if "accuracy" in metric:
        fig.update_yaxes(**percent_axis(everything))
    elif log_y:
        fig.update_yaxes(type="log")
    return fig


def confusion_matrix_figure(cm, class_names: list[str], height: int | None = None,
                            picked: tuple[int, int] | None = None):
    """Rows = true class, columns = predicted class, counts written in the cells (14 px up to
    12 classes, 12 px up to 20). Each cell also carries an invisible marker with customdata
    [row, col] so that a click picks it (see picked_cell; selection events ignore heatmaps);
    picked outlines that cell."""
    import numpy as np
    import plotly.graph_objects as go

    z = np.asarray(cm, dtype=float)
    n = len(class_names)
    per_row = z.sum(1, keepdims=True)
    frac = np.divide(z, per_row, out=np.zeros_like(z), where=per_row > 0)
    size = 14 if n <= 12 else 12 if n <= 20 else 9
    fig = go.Figure(go.Heatmap(
        z=frac, x=class_names, y=class_names, colorscale="Blues", zmin=0, zmax=1,
        text=z.astype(int), texttemplate="%{text}" if n <= 30 else "", textfont={"size": size},
        colorbar={"title": "share of row", "tickformat": ".0%", "thickness": 14},
        hoverinfo="skip"))
    rows, cols = np.divmod(np.arange(n * n), n)
    fig.add_trace(go.Scatter(
        x=[class_names[c] for c in cols], y=[class_names[r] for r in rows],
        customdata=np.stack([rows, cols, z.ravel().astype(int), frac.ravel() * 100], 1),
        mode="markers", showlegend=False,
        marker={"size": max(8, min(40, 400 // max(n, 1))), "symbol": "square",
                "color": "rgba(0,0,0,0)"},
        selected={"marker": {"opacity": 1}}, unselected={"marker": {"opacity": 1}},
        hovertemplate="true %{y}, predicted %{x}: %{customdata[2]} "
                      "(%{customdata[3]:.1f}% of %{y})<extra></extra>"))
    if picked is not None:
        r, c = picked
        fig.add_shape(type="rect", x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5,
                      line={"color": "#ff7f0e", "width": 3})
    long_names = max((len(str(c)) for c in class_names), default=0) > 3
    fig.update_xaxes(title_text="predicted", side="bottom", tickangle=-45 if long_names else 0,
                     type="category", dtick=1)
    fig.update_yaxes(title_text="true", autorange="reversed", type="category", dtick=1)
    fig.update_layout(height=height or max(460, min(900, 40 * n + 160)),
                      margin={"l": 10, "r": 10, "t": 20, "b": 10}, clickmode="event+select",
                      hovermode="closest", dragmode=False)
    return fig


# ---------------------------------------------------------------- Gallery figures

def _label_positions(points: list[tuple[float, float, str]], width=800, height=300) -> list[str]:
    """A Plotly textposition per (x, y, label) point on log-log axes, chosen greedily so that no
    label box overlaps another label or a marker (boxes estimated at 7 px per character, 14 px
    a line, on a plot area of width x height px)."""
    import math

    if not points:
        return []
    lx = [math.log10(max(p[0], 1)) for p in points]
    ly = [math.log10(max(p[1], 1)) for p in points]
    sx = width / max(max(lx) - min(lx), 1e-9)
    sy = height / max(max(ly) - min(ly), 1e-9)
    centres = [((a - min(lx)) * sx, (max(ly) - b) * sy) for a, b in zip(lx, ly)]
    taken = [(x - 8, y - 8, x + 8, y + 8) for x, y in centres]       # the markers

    def box(i, where):
        x, y = centres[i]
        w, h = 7 * len(points[i][2]) + 4, 14
        return {"top center": (x - w / 2, y - 10 - h, x + w / 2, y - 10),
                "bottom center": (x - w / 2, y + 10, x + w / 2, y + 10 + h),
                "middle right": (x + 10, y - h / 2, x + 10 + w, y + h / 2),
                "middle left": (x - 10 - w, y - h / 2, x - 10, y + h / 2)}[where]

    def overlap(a, b):
        return min(a[2], b[2]) - max(a[0], b[0]) > 0 and min(a[3], b[3]) - max(a[1], b[1]) > 0

    out = []
    for i in range(len(points)):
        options = ["top center", "bottom center", "middle right", "middle left"]
        where = min(options, key=lambda o: sum(overlap(box(i, o), t) for t in taken))
        taken.append(box(i, where))
        out.append(where)
    return out


def arch_comparison_figure(records: list[dict], height: int = 440):
    """Parameters against multiply-adds (both log scale), one labelled point per network.
    records: dicts with name, params, macs and, for a trained architecture, accuracy (best test
    accuracy) and dataset (its title). Identical networks (same params and MACs) share one
    point and one label. The colour says on which dataset a network was trained; its accuracy
    is in the hover text and the table, never a colour scale: MNIST and CIFAR-10 are different
    tasks. Labels are placed so that neighbours do not overlap."""
    import plotly.graph_objects as go

    points: dict[tuple, list[dict]] = {}
    for r in records:
        points.setdefault((r["params"], r["macs"]), []).append(r)
    flat = []                       # (macs, params, label, accuracy text, legend)
    for (params, macs), rs in points.items():
        done = [r for r in rs if r.get("accuracy") is not None]
        sets = sorted({r["dataset"] for r in done}, reverse=True)     # MNIST, CIFAR-10
        legend = "not trained yet" if not sets else "trained on " + " and ".join(sets)
        acc = "".join(f"<br>{r['name']}: {r['dataset']} {r['accuracy']:.1%}" for r in done)
        flat.append((macs, params, " = ".join(r["name"] for r in rs), acc, legend))
    where = _label_positions([(p[0], p[1], p[2]) for p in flat])
    colours = {"not trained yet": "#adb5bd", "trained on MNIST": "#1f77b4",
               "trained on CIFAR-10": "#ff7f0e"}
    fig = go.Figure()
    for legend in dict.fromkeys(p[4] for p in flat):
        mine = [i for i, p in enumerate(flat) if p[4] == legend]
        fig.add_trace(go.Scatter(
            x=[flat[i][0] for i in mine], y=[flat[i][1] for i in mine],
            text=[flat[i][2] for i in mine], customdata=[[flat[i][3]] for i in mine],
            mode="markers+text", name=legend, textposition=[where[i] for i in mine],
            marker={"size": 12 if legend == "not trained yet" else 16,
                    "color": colours.get(legend, "#2ca02c")},
            hovertemplate="%{text}<br>%{y:,} parameters<br>%{x:,} multiply-adds"
                          "%{customdata[0]}<extra></extra>"))
    fig.update_xaxes(type="log", title_text="multiply-adds per image (log)")
    fig.update_yaxes(type="log", title_text="parameters (log)")
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      legend={"orientation": "h", "y": -0.2})
    return fig


# ---------------------------------------------------------------- Predict figures

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


# ---------------------------------------------------------------- the teacher's board

def student_colours(owners: list[str]) -> dict[str, str]:
    """One colour per student (in the order given), spread around the colour wheel."""
    distinct = list(dict.fromkeys(owners))
    return {o: f"hsl({round(i * 137.508) % 360}, 70%, {45 if i % 2 else 38}%)"
            for i, o in enumerate(distinct)}


BOARD_POINTS = 60    # points per curve on the class board (a long run is thinned to these)
BOARD_TRACES = 12    # runs drawn in their student's colour; the rest share one grey trace


def downsample(points: list, n: int) -> list:
    """At most n of the points, evenly spread, the first and the last kept (n < 2: the last)."""
    if len(points) <= n:
        return points
    if n < 2:
        return points[-1:]
    step = (len(points) - 1) / (n - 1)
    return [points[round(i * step)] for i in range(n)]


def _board_points(row: dict) -> list:
    return downsample([(e, v) for e, v in row["curve"] if v is not None], BOARD_POINTS)


def _others_trace(rows: list[dict], lang: str) -> dict:
    """The runs below the best BOARD_TRACES as one thin grey trace (curves apart by a gap),
    each point's hover naming its student: the figure's size no longer grows per run."""
    x, y, who = [], [], []
    for r in rows:
        points = _board_points(r)
        x += [e for e, _ in points] + [None]
        y += [v for _, v in points] + [None]
        who += [r["owner"] or "–"] * len(points) + [""]
    return {"type": "scatter", "x": x, "y": y, "text": who, "mode": "lines",
            "name": i18n.t("chart.board.others", n=len(rows), lang=lang), "opacity": 0.5,
            "connectgaps": False,
            "line": {"color": "hsl(0, 0%, 55%)", "width": 1},
            "hovertemplate": "%{text}: %{y:.1%}<extra></extra>"}


def board_curves_figure(rows: list[dict], height: int = 420, lang: str = "en"):
    """Validation accuracy (training accuracy without a validation split) of the runs on the
    board (rows best first): the best BOARD_TRACES in their student's colour, the leader drawn
    thick and on top, the others in one grey trace. Built from plain dicts without Plotly's
    validation, at most BOARD_POINTS points a curve and BOARD_TRACES + 1 traces: a refresh costs
    about the same for 5 or 40 runs (benchmarks/board_scaling.py)."""
    import plotly.graph_objects as go

    best, rest = rows[:BOARD_TRACES], rows[BOARD_TRACES:]
    colours = student_colours([r["owner"] for r in best])
    data = [_others_trace(rest, lang)] if rest else []
    for r in sorted(best, key=lambda r: r.get("leader", False)):   # the leader last: on top
        points = _board_points(r)
        lead = r.get("leader", False)
        data.append({"type": "scatter", "x": [e for e, _ in points], "y": [v for _, v in points],
                     "mode": "lines+markers", "legendgroup": r["owner"],
                     "name": f"{'★ ' if lead else ''}{r['owner'] or '–'} · {r['arch']}",
                     "opacity": 1.0 if lead else 0.75,
                     "line": {"color": colours[r["owner"]], "width": 6 if lead else 2},
                     "marker": {"size": 10 if lead else 5}})
    last = max((x for trace in data for x in trace["x"] if x is not None), default=1)
    layout = {"height": height, "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
              "xaxis": {"title": {"text": "epoch"}, **epoch_axis(last)},
              "yaxis": {"title": {"text": "val accuracy"}, "tickformat": ".0%"},
              "legend": {"orientation": "v", "x": 1.02, "y": 1}, "hovermode": "closest"}
    return go.Figure({"data": data, "layout": layout}, _validate=False)
