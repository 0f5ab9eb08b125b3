"""Explainer: convolution arithmetic a teacher can show a class. Widgets in, cnnweb out.

Every setting lives in the URL (bound widgets, plus `layers` for the stack), so a copied link
restores the exact view. No TensorFlow here: all numbers come from cnnweb.conv.
"""

import numpy as np
import streamlit as st

from cnnweb import charts, conv, filters, i18n, stack, ui
from cnnweb.conv import LayerSpec

ui.ensure_app_navigation()
t, ss = ui.t, st.session_state
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
            ss.xp_link_error = t("xp.link_error", error=e)
    _set_stack(layers)


_stack_from_link()


def _load_preset():
    title = ss.get("xp_preset")
    if title is None:
        return
    p = stack.PRESETS[title]
    ss.size, ss.ch = p.size, p.channels
    _set_stack(p.layers)
    ss.xp_note = f"**{ui.term(p.title)}** ({p.size}×{p.size}×{p.channels}): {ui.term(p.note)}"
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
            "layer": col.SelectboxColumn(t("xp.col_layer"), options=[v[1] for v in stack.KINDS.values()],
                                         required=True, default="Conv2D", width="medium"),
            "kernel": col.NumberColumn(t("xp.col_kernel"), min_value=LIM["kernel"][0],
                                       max_value=LIM["kernel"][1], step=1, default=3),
            "stride": col.NumberColumn(t("xp.col_stride"), min_value=LIM["stride"][0],
                                       max_value=LIM["stride"][1], step=1, default=1),
            "padding": col.SelectboxColumn(t("xp.col_padding"), options=stack.PAD_OPTIONS,
                                           default="valid", help=t("xp.col_padding_help")),
            "dilation": col.NumberColumn(t("xp.col_dilation"), min_value=LIM["dilation"][0],
                                         max_value=LIM["dilation"][1], step=1, default=1,
                                         help=t("xp.col_dilation_help")),
            "filters": col.NumberColumn(t("xp.col_filters"), min_value=LIM["filters"][0],
                                        max_value=LIM["filters"][1], step=1, default=32,
                                        help=t("xp.col_filters_help")),
        })
    rows = edited.to_dict("records") if hasattr(edited, "to_dict") else list(edited)
    try:
        return stack.from_editor_rows(rows)
    except ValueError as e:
        st.error(t("xp.table_error", error=e))
        return ss.xp_stack


# ---------------------------------------------------------------- page

st.title(t("xp.title"))
if not ui.presenting():
    st.caption(t("xp.caption"))
if "xp_link_error" in ss:
    st.error(ss.pop("xp_link_error"))

top = st.columns([2.6, 1.2, 1.2, 1.2], vertical_alignment="bottom")
top[0].selectbox(t("xp.preset"), list(stack.PRESETS), index=None, key="xp_preset",
                 placeholder=t("xp.preset_placeholder"), on_change=_load_preset,
                 format_func=ui.term)
size = top[1].number_input(t("xp.size"), LIM["size"][0], LIM["size"][1], 28,
                           key="size", bind="query-params")
ch = top[2].number_input(t("xp.channels"), LIM["channels"][0], LIM["channels"][1], 1, key="ch",
                         bind="query-params", help=t("xp.channels_help"))
bias = top[3].toggle(t("xp.bias"), True, key="bias", bind="query-params",
                     help=t("xp.bias_help"))
if "xp_note" in ss:
    st.info(ss.pop("xp_note"))

with st.expander(t("xp.stack", n=len(ss.xp_stack)), expanded=not ui.presenting()):
    ss.xp_stack = _builder()
    add = st.columns([2.2, 1.4, 1.4, 4], vertical_alignment="bottom")
    add[0].selectbox(t("xp.new_layer"), KINDS, key="xp_add_kind",
                     format_func=lambda k: stack.KINDS[k][1])
    add[1].button(t("xp.add_layer"), icon=":material/add:", on_click=_add_layer,
                  disabled=len(ss.xp_stack) >= LIM["layers"][1])
    add[2].button(t("xp.remove_last"), icon=":material/remove:", on_click=_remove_last,
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
    st.error(t("xp.stack_error", error=e), icon=":material/error:")

TABS = ["xp.tab_table", "xp.tab_sliding", "xp.tab_rf", "xp.tab_cmp", "xp.tab_pooling"]
tabs = st.tabs(ui.relabel("view", TABS), key="view", bind="query-params")

# ---------------------------------------------------------------- tab 1: the table
if tabs[0].open and rows is not None:
    with tabs[0]:
        last = rows[-1] if rows else None
        m = st.columns(4)
        m[0].metric(t("xp.m_shape"), "×".join(map(str, last.out_shape)) if last else
                    f"{size}×{size}×{ch}")
        m[1].metric(t("xp.m_params"), f"{sum(r.params for r in rows):,}")
        m[2].metric(t("xp.m_macs"), f"{sum(r.macs for r in rows):,}", help=t("xp.m_macs_help"))
        rf_rows = [r for r in rows if r.rf]
        m[3].metric(t("xp.m_rf"),
                    f"{rf_rows[-1].rf.size}×{rf_rows[-1].rf.size}" if rf_rows else "1×1")
        table = [{ui.term(k): ui.words(v) if k == "layer" else v for k, v in row.items()}
                 for row in stack.table_rows(rows, specs)]
        st.dataframe(table, hide_index=True, width="stretch", column_config={
            ui.term("params"): st.column_config.NumberColumn(format="localized"),
            ui.term("MACs"): st.column_config.NumberColumn(format="localized"),
            ui.term("start"): st.column_config.NumberColumn(help=t("xp.start_help")),
            ui.term("jump"): st.column_config.NumberColumn(help=t("xp.jump_help"))})
        for r, spec in zip(rows, specs):
            for note in stack.keras_notes(spec):
                st.caption(t("xp.layer_note", i=r.index, note=ui.words(note)))
        if any(s.kind == "transposed" for s in specs):
            st.caption(t("xp.transposed_note"))
        if rows:
            left, right = st.columns([1.2, 1])
            with left:
                i = _pick_layer(t("xp.work"), [r.index for r in rows], 1, "work")
                st.caption(t("xp.layer_note", i=i, note=ui.words(stack.describe(specs[i - 1]))))
                for w in stack.working(rows, specs, i):
                    st.markdown(f"**{ui.term(w.title)}**")
                    for line in w.lines:
                        st.latex(line)
            with right:
                ui.plotly_chart(charts.stack_growth_figure(
                    [ui.term("input")] + [f"{r.index} {stack.KINDS[r.kind][0]}" for r in rows],
                    [size] + [r.out_shape[0] for r in rows],
                    [1] + [r.rf.size if r.rf else None for r in rows]), width="stretch")
                st.caption(t("xp.growth_caption"))

# ---------------------------------------------------------------- tab 2: sliding kernel
if tabs[1].open:
    with tabs[1]:
        st.markdown(t("xp.sliding_text"))
        c = st.columns([1.3, 0.9, 1.9, 0.9, 0.9, 1.2, 0.9])
        ui.relink("s_grid", filters.DEMO_GRIDS, i18n.term)
        grid_name = c[0].selectbox(t("xp.grid"), filters.DEMO_GRIDS, key="s_grid",
                                   bind="query-params", format_func=ui.term)
        n = c[1].number_input(t("xp.grid_size"), 3, 10, 5, key="s_n", bind="query-params")
        kernels = ["random -1..1", "all ones", *filters.KERNELS]
        ui.relink("s_kernel", kernels, i18n.term)
        kname = c[2].selectbox(t("xp.kernel"), kernels, format_func=ui.term,
                               index=kernels.index("sobel x (vertical edges)"),
                               key="s_kernel", bind="query-params")
        ks = c[3].number_input(t("les.kernel_size"), 1, 5, 3, key="s_k", bind="query-params",
                               disabled=kname in filters.KERNELS, help=t("xp.kernel_size_help"))
        stride_s = c[4].number_input(t("les.stride"), 1, 3, 1, key="s_stride", bind="query-params")
        pads = ["valid", "same", "full", 1, 2]
        ui.relink("s_pad", pads, ui.pad_label)
        pad_s = c[5].selectbox(t("xp.padding"), pads, 1, key="s_pad", bind="query-params",
                               format_func=ui.pad_label)
        dil_s = c[6].number_input(t("xp.dilation"), 1, 3, 1, key="s_dil", bind="query-params")
        kernel = filters.demo_kernel(kname, int(ks))
        grid = filters.demo_grid(grid_name, int(n))
        try:
            oh = conv.output_size(int(n), kernel.shape[0], int(stride_s), pad_s, int(dil_s))
        except ValueError as e:
            st.error(t("xp.sliding_error", error=e))
            oh = None
        if oh is not None:
            cells = oh * oh
            if ss.get("s_step", 0) >= cells:
                ss.s_step = cells - 1

            def _move(delta, cells=cells):
                ss.s_step = (ss.get("s_step", 0) + delta) % cells

            nav = st.columns([1.2, 1.2, 6, 1], vertical_alignment="bottom")
            nav[0].button(t("xp.previous"), icon=":material/arrow_back:", on_click=_move, args=(-1,),
                          width="stretch")
            nav[1].button(t("xp.next"), icon=":material/arrow_forward:", on_click=_move, args=(1,),
                          width="stretch")
            step_i = nav[2].slider(t("xp.cell"), 0, max(cells - 1, 1), 0,
                                   key="s_step", bind="query-params", disabled=cells == 1)
            bias_s = nav[3].number_input(t("xp.bias_one"), -9, 9, 0, key="s_bias", bind="query-params")
            step = filters.conv_step(grid, kernel, min(int(step_i), cells - 1), int(stride_s),
                                     pad_s, int(dil_s), float(bias_s))
            ui.plotly_chart(charts.conv_step_figure(step, kernel, int(stride_s), int(dil_s)),
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
            st.info(t("xp.rf_none"))
        else:
            c = st.columns([2.5, 1, 1, 1.2])
            with c[0]:
                li = _pick_layer(t("xp.rf_layer"), [r.index for r in traced], traced[-1].index,
                                 "rf_layer")
                st.caption(t("xp.layer_note", i=li,
                             note=ui.words(stack.describe(specs[li - 1]))))
            row = rows[li - 1]
            oh, ow, _ = row.out_shape
            for key, limit in (("rf_row", oh), ("rf_col", ow)):
                if ss.get(key, 0) >= limit:
                    ss[key] = limit - 1
            r_i = c[1].number_input(t("xp.row"), 0, oh - 1, oh // 2, key="rf_row",
                                    bind="query-params")
            c_i = c[2].number_input(t("xp.col"), 0, ow - 1, ow // 2, key="rf_col",
                                    bind="query-params")
            same_size = [x for x in filters.sample_images().values() if x.shape[0] == size]
            picture = None
            if same_size and c[3].toggle(t("xp.on_picture"), key="rf_pic", bind="query-params",
                                         help=t("xp.on_picture_help")):
                picture = filters.to_gray(same_size[0])
            sub = specs[:li]
            counts = np.outer(conv.receptive_field_counts(sub, int(size), int(r_i)),
                              conv.receptive_field_counts(sub, int(size), int(c_i)))
            rf = row.rf
            half = (rf.size - 1) / 2
            top_, left_ = rf.start + r_i * rf.jump - half, rf.start + c_i * rf.jump - half
            box = (int(top_), int(left_), int(top_) + rf.size - 1, int(left_) + rf.size - 1)
            ui.plotly_chart(charts.receptive_field_figure(counts, box, (oh, ow), (r_i, c_i),
                                                          picture), width="stretch")
            seen = np.nonzero(counts.any(axis=1))[0], np.nonzero(counts.any(axis=0))[0]
            outside = rf.size * rf.size - int((counts > 0).sum())
            st.markdown(
                t("xp.rf_text", r=r_i, c=c_i, li=li, size=rf.size, top=box[0], bottom=box[2],
                  left=box[1], right=box[3], jump=rf.jump, r0=seen[0][0], r1=seen[0][-1],
                  c0=seen[1][0], c1=seen[1][-1])
                + (t("xp.rf_outside", outside=outside) if outside else t("xp.rf_inside"))
                + t("xp.rf_paths", most=int(counts.max()), least=int(counts[counts > 0].min())))

# ---------------------------------------------------------------- tab 4: two 3x3 vs one 5x5
if tabs[3].open:
    with tabs[3]:
        c = st.columns([1, 1, 3])
        n_small = c[0].radio(t("les.stacked3x3.n"), [2, 3], horizontal=True, key="cmp_n",
                             bind="query-params")
        cc = c[1].number_input(t("les.stacked3x3.channels"), 1, 1024, 1, key="cmp_c",
                               bind="query-params")
        cmp = stack.stacked_vs_single(int(cc), int(n_small))
        big = cmp["big"]
        m = st.columns(3)
        m[0].metric(t("xp.cmp_rf"), f"{big}×{big}")
        m[1].metric(t("les.stacked3x3.m_stacked", n=n_small),
                    t("xp.cmp_params", n=cmp["stacked_params"]))
        m[2].metric(t("les.stacked3x3.m_single", big=big),
                    t("xp.cmp_params", n=cmp["single_params"]),
                    delta=t("xp.cmp_delta", d=cmp["single_params"] - cmp["stacked_params"]),
                    delta_color="inverse")
        st.latex(cmp["stacked_formula"].replace("×", r"\times ").replace(",", "{,}")
                 + r"\quad\text{vs}\quad "
                 + cmp["single_formula"].replace("×", r"\times ").replace(",", "{,}"))
        stacked = np.outer(*[conv.receptive_field_counts([{"kernel": 3}] * n_small, big, 0)] * 2)
        single = np.outer(*[conv.receptive_field_counts([{"kernel": big}], big, 0)] * 2)
        ui.plotly_chart(charts.grid_panels([
            (t("les.stacked3x3.paths_stacked", n=n_small), stacked),
            (t("les.stacked3x3.paths_single", big=big), single)]), width="stretch")
        st.markdown(t("les.stacked3x3.why", n=n_small, big=big))
        st.page_link("pages/lessons.py", label=t("les.stacked3x3.title"),
                     icon=":material/school:", query_params={"lesson": "stacked3x3"})

# ---------------------------------------------------------------- tab 5: pooling and filters
if tabs[4].open:
    with tabs[4]:
        images = filters.sample_images()
        c = st.columns([2, 2])
        pictures = [*images, "Upload my own…"]
        ui.relink("img", pictures, i18n.term)
        pick = c[0].selectbox(t("les.cbapd.picture"), pictures, key="img", bind="query-params",
                              format_func=ui.term)
        image = images.get(pick)
        if image is None:
            up = c[1].file_uploader(t("xp.upload"),
                                    type=["png", "jpg", "jpeg", "bmp", "gif", "webp"])
            if up is not None:
                try:
                    image = filters.decode_image(up.getvalue())
                except ValueError as e:
                    st.error(str(e))
            if image is None:
                st.info(t("xp.upload_hint"))
        if image is not None:
            rgb = image.ndim == 3
            st.subheader(t("xp.pool_title"))
            p = st.columns(4)
            pool = p[0].number_input(t("xp.pool_size"), 2, 8, 2, key="pool", bind="query-params")
            pstride = p[1].number_input(t("xp.pool_stride"), 0, 8, 0, key="pstride",
                                        bind="query-params")
            ppad = p[2].selectbox(t("xp.padding"), ["valid", "same"], key="ppad", bind="query-params")
            try:
                mx = filters.pool2d(image, int(pool), int(pstride) or None, ppad, "max")
                av = filters.pool2d(image, int(pool), int(pstride) or None, ppad, "avg")
            except ValueError as e:
                st.error(str(e))
            else:
                scale = "rgb" if rgb else "gray"
                ui.plotly_chart(charts.image_panels([(t("xp.original"), image, scale),
                                                     (t("xp.max_pool"), mx, scale),
                                                     (t("xp.avg_pool"), av, scale)]),
                                width="stretch")
                st.caption(t("xp.pool_caption"))
                demo = filters.demo_grid("random digits", 4, seed=2)
                ui.plotly_chart(charts.grid_panels(
                    [(t("xp.grid4"), demo), ("2×2 " + t("xp.max_pool"), filters.pool2d(demo, 2)),
                     ("2×2 " + t("xp.avg_pool"), filters.pool2d(demo, 2, mode="avg"))],
                    height=260, colorscale="Blues"), width="stretch")
            st.subheader(t("xp.classic"))
            f = st.columns([2, 2, 1])
            named = [*filters.KERNELS, "custom"]
            ui.relink("flt", named, i18n.term)
            kname = f[0].selectbox(t("xp.kernel"), named, format_func=ui.term,
                                   index=named.index("sobel x (vertical edges)"),
                                   key="flt", bind="query-params")
            custom = f[1].text_input(t("xp.custom"), "1 0 -1; 2 0 -2; 1 0 -1",
                                     key="kcustom", bind="query-params",
                                     disabled=kname != "custom")
            gray = f[2].toggle(t("xp.grey"), True, key="gray", bind="query-params",
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
                with left:
                    ui.plotly_chart(charts.grid_panels([(t("xp.kernel"), k)], height=260,
                                                       colorscale="RdBu", zmid=0),
                                    width="stretch")
                with right:
                    ui.plotly_chart(charts.image_panels([
                    (ui.term("input"), x if x.ndim == 2 else image,
                     "gray" if x.ndim == 2 else "rgb"),
                    (t("xp.output") + (t("xp.signed") if signed else ""),
                     out if out.ndim == 2 or not signed else out.mean(axis=2), out_scale)]),
                    width="stretch")
                st.caption(t("xp.filter_caption"))
