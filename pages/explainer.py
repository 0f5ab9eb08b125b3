"""Explainer: convolution arithmetic a teacher can show a class. Widgets in, cnnweb out.

Every setting lives in the URL (bound widgets, plus `layers` for the stack), so a copied link
restores the exact view. No TensorFlow here: all numbers come from cnnweb.conv.
"""

import numpy as np
import streamlit as st

from cnnweb import charts, conv, filters, stack, ui
from cnnweb.conv import LayerSpec

ui.ensure_app_navigation()
ss = st.session_state
KINDS = list(stack.KINDS)
LIM = stack.LIMITS


# ---------------------------------------------------------------- the layer stack in session state
# ss.xp_stack: the current list of LayerSpec. The builder is one st.data_editor (one widget for
# the whole stack: a grid of per-layer widgets cost O(widgets²) in Streamlit and was slow at
# 20 layers). The editor is fed ss.xp_base and keyed by ss.xp_version; a change from outside
# (preset, "Add layer", a link) sets a new base and version so the editor starts afresh.

def _set_stack(layers):
    ss.xp_stack = list(layers)
    ss.xp_base = stack.to_editor_rows(layers)
    ss.xp_version = ss.get("xp_version", 0) + 1


def _stack_from_link():
    """Read `layers` from the URL on the first visit, or when a link brings a new one."""
    link = st.query_params.get("layers")
    if "xp_stack" in ss and (link is None or link == ss.get("xp_code")):
        return
    layers = stack.PRESETS[stack.DEFAULT_PRESET].layers
    if link is not None:
        try:
            layers = stack.decode_stack(link)
        except ValueError as e:
            ss.xp_link_error = (f"This link's layer stack could not be read, so the default "
                                f"stack is shown. {e}")
    _set_stack(layers)


_stack_from_link()


def _load_preset():
    title = ss.get("xp_preset")
    if title is None:
        return
    p = stack.PRESETS[title]
    ss.size, ss.ch = p.size, p.channels
    _set_stack(p.layers)
    ss.xp_note = f"**{p.title}** ({p.size}×{p.size}×{p.channels}): {p.note}"
    ss.xp_preset = None


def _add_layer():
    kind = ss.get("xp_add_kind", "conv")
    spec = LayerSpec(kind, kernel=2, stride=2) if kind in stack.POOLS else LayerSpec(
        kind, kernel=3, stride=2 if kind == "transposed" else 1,
        padding="same" if kind == "transposed" else "valid", filters=32)
    _set_stack([*ss.xp_stack, spec])


def _remove_last():
    _set_stack(ss.xp_stack[:-1])


def _pick_layer(label, options, default, key):
    """A row of layer numbers (a dropdown's labels would go stale when the stack changes)."""
    if key in ss and ss[key] not in options:  # e.g. the chosen layer was just removed
        del ss[key]
    return st.segmented_control(label, options, default=default, required=True, key=key,
                                bind="query-params")


def _builder():
    """The editable layer table; returns the layers it now describes (or the last good ones)."""
    col = st.column_config
    edited = st.data_editor(
        ss.xp_base, key=f"xp_editor{ss.xp_version}", num_rows="dynamic", width="stretch",
        column_config={
            "layer": col.SelectboxColumn("layer", options=[v[1] for v in stack.KINDS.values()],
                                         required=True, default="Conv2D", width="medium"),
            "kernel": col.NumberColumn("kernel", min_value=LIM["kernel"][0],
                                       max_value=LIM["kernel"][1], step=1, default=3),
            "stride": col.NumberColumn("stride", min_value=LIM["stride"][0],
                                       max_value=LIM["stride"][1], step=1, default=1),
            "padding": col.SelectboxColumn("padding", options=stack.PAD_OPTIONS,
                                           default="valid",
                                           help="valid: none; same: keep the size (÷ stride); "
                                                "full: kernel − 1 zeros; or N zeros per side"),
            "dilation": col.NumberColumn("dilation", min_value=LIM["dilation"][0],
                                         max_value=LIM["dilation"][1], step=1, default=1,
                                         help="Gaps between kernel taps (not for pooling)"),
            "filters": col.NumberColumn("filters", min_value=LIM["filters"][0],
                                        max_value=LIM["filters"][1], step=1, default=32,
                                        help="Output channels (conv, transposed, separable)"),
        })
    rows = edited.to_dict("records") if hasattr(edited, "to_dict") else list(edited)
    try:
        return stack.from_editor_rows(rows)
    except ValueError as e:
        st.error(f"{e} The table below still shows the last stack that worked.")
        return ss.xp_stack


# ---------------------------------------------------------------- page

st.title("Explainer: what a convolution does to shapes")
st.caption("Build a stack of layers and watch sizes, parameters, multiply-adds and receptive "
           "fields change. Every setting is kept in the address bar: copy it to share this "
           "exact view with a class.")
if "xp_link_error" in ss:
    st.error(ss.pop("xp_link_error"))

top = st.columns([2.6, 1.2, 1.2, 1.2], vertical_alignment="bottom")
top[0].selectbox("Load a preset stack", list(stack.PRESETS), index=None, key="xp_preset",
                 placeholder="Choose a network from the tutorials…", on_change=_load_preset)
size = top[1].number_input("Input size (pixels per side)", LIM["size"][0], LIM["size"][1], 28,
                           key="size", bind="query-params")
ch = top[2].number_input("Input channels", LIM["channels"][0], LIM["channels"][1], 1, key="ch",
                         bind="query-params", help="1 for grey (MNIST), 3 for colour (CIFAR-10)")
bias = top[3].toggle("Biases", True, key="bias", bind="query-params",
                     help="Each filter adds one learned number after its dot product.")
if "xp_note" in ss:
    st.info(ss.pop("xp_note"))

with st.expander(f"Layer stack: {len(ss.xp_stack)} layers. Click a cell to change it; "
                 "the + under the table adds a row, ticking rows shows a bin to delete them",
                 expanded=True):
    ss.xp_stack = _builder()
    add = st.columns([2.2, 1.4, 1.4, 4], vertical_alignment="bottom")
    add[0].selectbox("New layer", KINDS, key="xp_add_kind",
                     format_func=lambda k: stack.KINDS[k][1])
    add[1].button("Add layer", icon=":material/add:", on_click=_add_layer,
                  disabled=len(ss.xp_stack) >= LIM["layers"][1])
    add[2].button("Remove last", icon=":material/remove:", on_click=_remove_last,
                  disabled=not ss.xp_stack)

layers = ss.xp_stack
code = stack.encode_stack(layers)
default_code = stack.encode_stack(stack.PRESETS[stack.DEFAULT_PRESET].layers)
if code == default_code:
    st.query_params.pop("layers", None)
elif st.query_params.get("layers") != code:
    st.query_params["layers"] = code
ss.xp_code = code

specs = stack.with_bias(layers, bias)
try:
    rows = conv.analyze_stack(int(size), int(size), int(ch), specs)
except ValueError as e:
    rows = None
    st.error(f"{e} Change this layer (or the input size) to continue.", icon=":material/error:")

tabs = st.tabs(["Layer table", "Sliding kernel", "Receptive field", "Two 3×3 vs one 5×5",
                "Pooling and filters"], key="view", bind="query-params")

# ---------------------------------------------------------------- tab 1: the table
if tabs[0].open and rows is not None:
    with tabs[0]:
        last = rows[-1] if rows else None
        m = st.columns(4)
        m[0].metric("Output shape", "×".join(map(str, last.out_shape)) if last else
                    f"{size}×{size}×{ch}")
        m[1].metric("Parameters", f"{sum(r.params for r in rows):,}")
        m[2].metric("Multiply-adds per image", f"{sum(r.macs for r in rows):,}",
                    help="FLOPs are about twice this (one multiply and one add each).")
        rf_rows = [r for r in rows if r.rf]
        m[3].metric("Receptive field of the last traced layer",
                    f"{rf_rows[-1].rf.size}×{rf_rows[-1].rf.size}" if rf_rows else "1×1")
        st.dataframe(stack.table_rows(rows, specs), hide_index=True, width="stretch",
                     column_config={
                         "params": st.column_config.NumberColumn(format="localized"),
                         "MACs": st.column_config.NumberColumn(format="localized"),
                         "start": st.column_config.NumberColumn(
                             help="Centre of the first output cell, in input pixels"),
                         "jump": st.column_config.NumberColumn(
                             help="Input pixels between neighbouring output cells"),
                     })
        for r, spec in zip(rows, specs):
            for note in stack.keras_notes(spec):
                st.caption(f"Layer {r.index}: {note}")
        if any(s.kind == "transposed" for s in specs):
            st.caption("Receptive fields are not traced past a transposed convolution "
                       "(it spreads each input pixel over several outputs).")
        if rows:
            left, right = st.columns([1.2, 1])
            with left:
                i = _pick_layer("Work out layer", [r.index for r in rows], 1, "work")
                st.caption(f"Layer {i}: {stack.describe(specs[i - 1])}")
                for w in stack.working(rows, specs, i):
                    st.markdown(f"**{w.title}**")
                    for line in w.lines:
                        st.latex(line)
            with right:
                st.plotly_chart(charts.stack_growth_figure(
                    ["input"] + [f"{r.index} {stack.KINDS[r.kind][0]}" for r in rows],
                    [size] + [r.out_shape[0] for r in rows],
                    [1] + [r.rf.size if r.rf else None for r in rows]), width="stretch")
                st.caption("Each layer shrinks (or keeps) the feature map while the receptive "
                           "field grows: deep cells see a large part of the picture.")

# ---------------------------------------------------------------- tab 2: sliding kernel
if tabs[1].open:
    with tabs[1]:
        st.markdown("One kernel sliding over a small grid. Grey cells are the zero padding; "
                    "the orange window is multiplied cell by cell with the kernel and summed.")
        c = st.columns([1.3, 0.9, 1.9, 0.9, 0.9, 1.2, 0.9])
        grid_name = c[0].selectbox("Input grid", filters.DEMO_GRIDS, key="s_grid",
                                   bind="query-params")
        n = c[1].number_input("Grid size", 3, 10, 5, key="s_n", bind="query-params")
        kname = c[2].selectbox("Kernel", ["random -1..1", "all ones", *filters.KERNELS],
                               index=2 + list(filters.KERNELS).index("sobel x (vertical edges)"),
                               key="s_kernel", bind="query-params")
        ks = c[3].number_input("Kernel size", 1, 5, 3, key="s_k", bind="query-params",
                               disabled=kname in filters.KERNELS,
                               help="Named kernels are 3×3; size applies to ones and random.")
        stride_s = c[4].number_input("Stride", 1, 3, 1, key="s_stride", bind="query-params")
        pad_s = c[5].selectbox("Padding", ["valid", "same", "full", 1, 2], 1, key="s_pad",
                               bind="query-params",
                               format_func=lambda p: f"{p} zeros/side" if isinstance(p, int) else p)
        dil_s = c[6].number_input("Dilation", 1, 3, 1, key="s_dil", bind="query-params")
        kernel = filters.demo_kernel(kname, int(ks))
        grid = filters.demo_grid(grid_name, int(n))
        try:
            oh = conv.output_size(int(n), kernel.shape[0], int(stride_s), pad_s, int(dil_s))
        except ValueError as e:
            st.error(f"{e} Use a smaller kernel or dilation, or more padding.")
            oh = None
        if oh is not None:
            cells = oh * oh
            if ss.get("s_step", 0) >= cells:
                ss.s_step = cells - 1

            def _move(delta, cells=cells):
                ss.s_step = (ss.get("s_step", 0) + delta) % cells

            nav = st.columns([1.2, 1.2, 6, 1], vertical_alignment="bottom")
            nav[0].button("Previous", icon=":material/arrow_back:", on_click=_move, args=(-1,),
                          width="stretch")
            nav[1].button("Next", icon=":material/arrow_forward:", on_click=_move, args=(1,),
                          width="stretch")
            step_i = nav[2].slider("Output cell (row by row)", 0, max(cells - 1, 1), 0,
                                   key="s_step", bind="query-params", disabled=cells == 1)
            bias_s = nav[3].number_input("Bias", -9, 9, 0, key="s_bias", bind="query-params")
            step = filters.conv_step(grid, kernel, min(int(step_i), cells - 1), int(stride_s),
                                     pad_s, int(dil_s), float(bias_s))
            st.plotly_chart(charts.conv_step_figure(step, kernel, int(stride_s), int(dil_s)),
                            width="stretch")
            st.latex(filters.dot_product_latex(step, kernel))
            pt, pb, _, _ = step.pads
            ke = conv.effective_kernel(kernel.shape[0], int(dil_s))
            st.latex(rf"n_{{out}} = \left\lfloor \frac{{{n} + {pt} + {pb} - {ke}}}{{{stride_s}}}"
                     rf"\right\rfloor + 1 = {oh}")

# ---------------------------------------------------------------- tab 3: receptive field
if tabs[2].open and rows is not None:
    with tabs[2]:
        traced = [r for r in rows if r.rf is not None]
        if not traced:
            st.info("Add a convolution or pooling layer to see a receptive field.")
        else:
            c = st.columns([2.5, 1, 1, 1.2])
            with c[0]:
                li = _pick_layer("Layer", [r.index for r in traced], traced[-1].index,
                                 "rf_layer")
                st.caption(f"Layer {li}: {stack.describe(specs[li - 1])}")
            row = rows[li - 1]
            oh, ow, _ = row.out_shape
            for key, limit in (("rf_row", oh), ("rf_col", ow)):
                if ss.get(key, 0) >= limit:
                    ss[key] = limit - 1
            r_i = c[1].number_input("Output row", 0, oh - 1, oh // 2, key="rf_row",
                                    bind="query-params")
            c_i = c[2].number_input("Output column", 0, ow - 1, ow // 2, key="rf_col",
                                    bind="query-params")
            same_size = [x for x in filters.sample_images().values() if x.shape[0] == size]
            picture = None
            if same_size and c[3].toggle("Draw on a picture", key="rf_pic", bind="query-params",
                                         help="A sample picture of the input's size underneath"):
                picture = filters.to_gray(same_size[0])
            sub = specs[:li]
            counts = np.outer(conv.receptive_field_counts(sub, int(size), int(r_i)),
                              conv.receptive_field_counts(sub, int(size), int(c_i)))
            rf = row.rf
            half = (rf.size - 1) / 2
            top_, left_ = rf.start + r_i * rf.jump - half, rf.start + c_i * rf.jump - half
            box = (int(top_), int(left_), int(top_) + rf.size - 1, int(left_) + rf.size - 1)
            st.plotly_chart(charts.receptive_field_figure(counts, box, (oh, ow), (r_i, c_i),
                                                          picture), width="stretch")
            seen = np.nonzero(counts.any(axis=1))[0], np.nonzero(counts.any(axis=0))[0]
            outside = rf.size * rf.size - int((counts > 0).sum())
            st.markdown(
                f"Output cell **({r_i}, {c_i})** of layer {li} has a receptive field of "
                f"**{rf.size}×{rf.size}** input pixels (dashed box: rows {box[0]} to {box[2]}, "
                f"columns {box[1]} to {box[3]}); neighbouring cells are **{rf.jump}** pixels "
                f"apart. It reads rows {seen[0][0]}–{seen[0][-1]} and columns "
                f"{seen[1][0]}–{seen[1][-1]} of the real input"
                + (f"; {outside} of the box's pixels are padding or holes left by dilation."
                   if outside else ".")
                + f" The centre is reached by up to **{int(counts.max())}** paths and the edge "
                f"by as few as **{int(counts[counts > 0].min())}**: the middle of a receptive "
                "field counts most.")

# ---------------------------------------------------------------- tab 4: two 3x3 vs one 5x5
if tabs[3].open:
    with tabs[3]:
        c = st.columns([1, 1, 3])
        n_small = c[0].radio("Stacked 3×3 convs", [2, 3], horizontal=True, key="cmp_n",
                             bind="query-params")
        cc = c[1].number_input("Channels (in = out)", 1, 1024, 1, key="cmp_c",
                               bind="query-params")
        cmp = stack.stacked_vs_single(int(cc), int(n_small))
        big = cmp["big"]
        m = st.columns(3)
        m[0].metric("Receptive field, both ways", f"{big}×{big}")
        m[1].metric(f"{n_small} stacked 3×3", f"{cmp['stacked_params']:,} parameters")
        m[2].metric(f"one {big}×{big}", f"{cmp['single_params']:,} parameters",
                    delta=f"{cmp['single_params'] - cmp['stacked_params']:+,} vs stacked",
                    delta_color="inverse")
        st.latex(cmp["stacked_formula"].replace("×", r"\times ").replace(",", "{,}")
                 + r"\quad\text{vs}\quad "
                 + cmp["single_formula"].replace("×", r"\times ").replace(",", "{,}"))
        stacked = np.outer(*[conv.receptive_field_counts([{"kernel": 3}] * n_small, big, 0)] * 2)
        single = np.outer(*[conv.receptive_field_counts([{"kernel": big}], big, 0)] * 2)
        st.plotly_chart(charts.grid_panels([
            (f"{n_small} stacked 3×3: paths to one output", stacked),
            (f"one {big}×{big}: each pixel once", single)]), width="stretch")
        st.markdown(f"Both see the same {big}×{big} window, but the stack needs fewer weights, "
                    f"puts {n_small} non-linearities (ReLU) in between instead of one, and "
                    "weighs the centre more. This is why VGG uses only 3×3 kernels.")

# ---------------------------------------------------------------- tab 5: pooling and filters
if tabs[4].open:
    with tabs[4]:
        images = filters.sample_images()
        c = st.columns([2, 2])
        pick = c[0].selectbox("Picture", [*images, "Upload my own…"], key="img",
                              bind="query-params")
        image = images.get(pick)
        if image is None:
            up = c[1].file_uploader("A picture (PNG or JPEG; shrunk to 256 pixels)",
                                    type=["png", "jpg", "jpeg", "bmp", "gif", "webp"])
            if up is not None:
                try:
                    image = filters.decode_image(up.getvalue())
                except ValueError as e:
                    st.error(str(e))
            if image is None:
                st.info("Upload a picture, or pick one of the samples.")
        if image is not None:
            rgb = image.ndim == 3
            st.subheader("Max vs average pooling")
            p = st.columns(4)
            pool = p[0].number_input("Pool size", 2, 8, 2, key="pool", bind="query-params")
            pstride = p[1].number_input("Stride (0 = pool size)", 0, 8, 0, key="pstride",
                                        bind="query-params")
            ppad = p[2].selectbox("Padding", ["valid", "same"], key="ppad", bind="query-params")
            try:
                mx = filters.pool2d(image, int(pool), int(pstride) or None, ppad, "max")
                av = filters.pool2d(image, int(pool), int(pstride) or None, ppad, "avg")
            except ValueError as e:
                st.error(str(e))
            else:
                scale = "rgb" if rgb else "gray"
                st.plotly_chart(charts.image_panels([("original", image, scale),
                                                     ("max pooling", mx, scale),
                                                     ("average pooling", av, scale)]),
                                width="stretch")
                st.caption("Max pooling keeps the strongest value of each window (edges and "
                           "texture survive); average pooling smooths (backgrounds survive). "
                           "Neither has weights to learn.")
                demo = filters.demo_grid("random digits", 4, seed=2)
                st.plotly_chart(charts.grid_panels(
                    [("a 4×4 grid", demo), ("2×2 max pooling", filters.pool2d(demo, 2)),
                     ("2×2 average pooling", filters.pool2d(demo, 2, mode="avg"))],
                    height=260, colorscale="Blues"), width="stretch")
            st.subheader("Classic kernels")
            f = st.columns([2, 2, 1])
            kname = f[0].selectbox("Kernel", [*filters.KERNELS, "custom"],
                                   index=list(filters.KERNELS).index("sobel x (vertical edges)"),
                                   key="flt", bind="query-params")
            custom = f[1].text_input("Custom kernel (rows split by ';')", "1 0 -1; 2 0 -2; 1 0 -1",
                                     key="kcustom", bind="query-params",
                                     disabled=kname != "custom")
            gray = f[2].toggle("Grey first", True, key="gray", bind="query-params",
                               disabled=not rgb)
            try:
                k = filters.parse_kernel(custom) if kname == "custom" else filters.KERNELS[kname]
            except ValueError as e:
                st.error(str(e))
            else:
                x = filters.to_gray(image) if (gray or not rgb) else image.astype(float)
                out = filters.convolve2d(x, k, padding="same")
                signed = kname in filters.SIGNED or (kname == "custom" and k.sum() == 0)
                if out.ndim == 3 and not signed:
                    out_scale = "rgb"
                elif signed:
                    out_scale = "signed"
                else:
                    out_scale = "gray"
                left, right = st.columns([1, 3])
                left.plotly_chart(charts.grid_panels([("kernel", k)], height=260,
                                                     colorscale="RdBu", zmid=0),
                                  width="stretch")
                right.plotly_chart(charts.image_panels([
                    ("input", x if x.ndim == 2 else image, "gray" if x.ndim == 2 else "rgb"),
                    ("output" + (" (blue +, red −)" if signed else ""),
                     out if out.ndim == 2 or not signed else out.mean(axis=2), out_scale)]),
                    width="stretch")
                st.caption("Each output pixel is the sum of the 3×3 neighbourhood times the "
                           "kernel ('same' padding keeps the size; a strong response along the "
                           "border comes from the zeros outside the picture). A CNN learns "
                           "kernels like these from data instead of having them written by hand.")
