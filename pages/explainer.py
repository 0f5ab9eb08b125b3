"""Explainer: convolution arithmetic a teacher can show a class. Widgets in, cnnweb out.

Every setting of every tab lives in the URL (`layers` for the stack, `view` for the open tab,
one parameter per widget), so a copied link restores the exact view. No TensorFlow here: all
numbers come from cnnweb.conv.
"""

from dataclasses import dataclass

import numpy as np
import streamlit as st

from cnnweb import charts, data, filters, i18n, lessons, stack, ui
from cnnweb.conv import LayerSpec

ui.ensure_app_navigation()
t, ss = ui.t, st.session_state
KINDS = list(stack.KINDS)
LIM = stack.LIMITS


# ---------------------------------------------------------------- settings in the URL
# Widgets are not bound to the URL by Streamlit (a bound widget's parameter vanishes when its tab
# is closed, and a bound label changes with the language). Instead `_linked` seeds a widget from
# ?key= whenever the session holds no value for it (a first visit, or a tab opened again: a
# closed tab's widgets are not drawn, so Streamlit forgets them) and records its value; at the
# end of the run `_write_link` writes the values drawn in this run and leaves the rest of the
# URL (closed tabs) as it is. Values are written language-free (option values, not labels).
LINK: dict = {}


def _seed(key, parse):
    """The widget `key` starts from ?key= when the session has no value for it."""
    if key not in ss and key in st.query_params:
        try:
            ss[key] = parse(st.query_params[key])
        except (ValueError, TypeError):
            pass                                  # a broken parameter: the widget's default


def _linked(widget, *args, key, parse, plain=None, always=False, **kw):
    """widget(*args, key=key, **kw), seeded from the link; its value goes back into the link
    (left out when it equals `plain`, unless `always`: a default that depends on the rest of
    the view)."""
    _seed(key, parse)
    value = widget(*args, key=key, **kw)
    LINK[key] = None if (value == plain and not always) else value
    return value


def _write_link():
    for key, value in LINK.items():
        text = None if value is None else stack.link_text(value)
        if text is None:
            st.query_params.pop(key, None)
        elif st.query_params.get(key) != text:
            st.query_params[key] = text


def _ints(lo, hi):
    return lambda text: stack.link_int(text, lo, hi)


def _among(options, label=i18n.term):
    """Parse a link value into one of `options` (its value, or its label in any language)."""
    return lambda text: stack.link_option(text, options, label, i18n.LANGS)


def _flag(text):
    return stack.link_option(text, [True, False], None, ())


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
    if "xp_stack" not in ss:    # a link that opens a tab: its visual first (stack folded away)
        ss.xp_linked = "view" in st.query_params
        ss.xp_stack_open = not (ss.xp_linked or ui.presenting())
    layers = stack.PRESETS[stack.DEFAULT_PRESET].layers
    if link is not None:
        try:
            layers = stack.decode_stack(link)
        except ValueError as e:
            ss.xp_link_error = t("xp.link_error", error=e)
    _set_stack(layers)


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
    _seed(key, _ints(1, LIM["layers"][1]))
    if key in ss and ss[key] not in options:  # e.g. the chosen layer was just removed
        del ss[key]
    return _linked(st.segmented_control, label, options, default=default, required=True,
                   key=key, parse=int, always=True)


def _builder():
    """The editable layer table; returns the layers it now describes (or the last good ones)."""
    col = st.column_config
    edited = st.data_editor(
        ss.xp_base, key=f"xp_editor{ss.xp_version}", num_rows="dynamic", width="stretch",
        placeholder="—",
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


# ---------------------------------------------------------------- the classifier head
# Its widgets start from ?head= (e.g. flatten-d128-p0.5; the default head when it is missing or
# broken) and write it back as one parameter; ?classes= is the last Dense's size.

def _seed_head():
    if "hd_pool" in ss:
        return
    head = stack.DEFAULT_HEAD
    if "head" in st.query_params:
        try:
            head = stack.decode_head(st.query_params["head"])
        except ValueError as e:
            ss.xp_head_error = t("xp.head_error", error=e)
    ss.hd_pool, ss.hd_units, ss.hd_drop = head.pool, head.units, head.dropout


def _head_editor() -> tuple[stack.Head, int]:
    """Flatten or GAP, the hidden Dense's units (0: none), dropout and the class count."""
    _seed_head()
    if "xp_head_error" in ss:
        st.error(ss.pop("xp_head_error"))
    c = st.columns([2.2, 1.3, 1.3, 1.2], vertical_alignment="bottom")
    pool = c[0].segmented_control(t("xp.head"), list(stack.HEAD_POOLS), key="hd_pool",
                                  required=True, help=t("xp.head_help"),
                                  format_func=lambda p: t(f"xp.head_{p}"))
    units = c[1].number_input(t("xp.head_units"), 0, stack.LIMITS["units"][1], key="hd_units",
                              help=t("xp.head_units_help"))
    rate = c[2].number_input(t("xp.head_dropout"), 0.0, 0.9, step=0.05, key="hd_drop",
                             format="%.2f")
    classes = _linked(c[3].number_input, t("xp.head_classes"), *stack.LIMITS["classes"], 10,
                      key="classes", parse=_ints(*stack.LIMITS["classes"]), plain=10)
    head = stack.Head(pool or "flatten", int(units), round(float(rate), 3))
    LINK["head"] = None if head == stack.DEFAULT_HEAD else stack.encode_head(head)
    return head, int(classes)


def _train_link(size, ch, specs, head):
    """"Train this network": a link to the Trainer with this stack, its head and the dataset
    whose channels match (a link a teacher can hand out), or why it cannot be trained."""
    datasets = {n: (d.title, d.input_shape, len(d.class_names)) for n, d in data.DATASETS.items()}
    link = stack.train_link(int(size), int(ch), specs, head, datasets)
    query = dict(link.query or {}, **({"lang": ui.lang()} if ui.lang() != "en" else {}))
    c = st.columns([1.3, 3], vertical_alignment="center")
    c[0].page_link("pages/trainer.py", label=t("xp.train"), icon=":material/model_training:",
                   query_params=query or None, disabled=link.query is None)
    if link.query is None:
        c[1].caption(t("xp.train_cannot", why=ui.tr(link.problem)))
        return
    title, shape, classes = datasets[link.dataset]
    c[1].caption(t("xp.train_on", title=title, shape="×".join(map(str, shape)), classes=classes,
                   n=link.params) + ("" if (size, size, ch) == shape else " " + t("xp.train_adapt")))


def _head_table(net):
    """The classifier head's layers, numbered on from the stack's (their parameters are in the
    total above)."""
    cols = ["#", "layer", "output shape", "params", "MACs", "params formula"]
    st.caption(t("xp.head_table"))
    count = st.column_config.TextColumn
    st.dataframe([{ui.term(k): row[k] for k in cols} for row in stack.head_table_rows(net)],
                 hide_index=True, width="stretch", column_config={
                     ui.term("params"): count(alignment="right"),
                     ui.term("MACs"): count(alignment="right")})


# ---------------------------------------------------------------- the page's top: title and stack

_COMPACT_CSS = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 4rem !important; }
h1 { font-size: 1.7rem !important; padding: 0.2rem 0 0.3rem 0 !important; }
</style>"""
_PRESENT_TITLE_CSS = """<style>
h1 { font-size: 1.2rem !important; padding: 0 !important; }
[data-testid="stMainBlockContainer"] { padding-top: 3.7rem !important; }
</style>"""


def compact() -> bool:
    """A link that opens a tab, and the presentation view, put the tab's visual on the first
    screen of a 1366×768 laptop or a 1280×720 projector: a smaller title, no caption, the stack
    folded."""
    return ui.presenting() or ss.get("xp_linked", False)


def header():
    if COMPACT:
        st.html(_COMPACT_CSS + (_PRESENT_TITLE_CSS if ui.presenting() else ""))
    st.title(t("xp.title"))
    if not COMPACT:
        st.caption(t("xp.caption"))
    if "xp_link_error" in ss:
        st.error(ss.pop("xp_link_error"))


@dataclass
class View:
    """What the tabs show: the input's side and channels, the layers (the bias switch applied)
    and the network, None when it does not fit (the page says why)."""
    size: int
    ch: int
    specs: list
    net: stack.Network | None


def stack_editor() -> View:
    """The stack, folded in an expander: preset, input, bias, the layer table, add / remove,
    the head and "Train this network"."""
    for key, parse in (("size", _ints(*LIM["size"])), ("ch", _ints(*LIM["channels"])),
                       ("bias", _flag)):
        _seed(key, parse)       # before the expander's label, which shows them
    n_layers = stack.edited_count(len(ss.xp_base), ss.get(f"xp_editor{ss.xp_version}"))
    with st.expander(t("xp.stack_label", n=n_layers, size=ss.get("size", 28), ch=ss.get("ch", 1)),
                     key="xp_stack_open", on_change="rerun", icon=":material/layers:"):
        top = st.columns([2.6, 1.2, 1.2, 1.2], vertical_alignment="bottom")
        top[0].selectbox(t("xp.preset"), list(stack.PRESETS), index=None, key="xp_preset",
                         placeholder=t("xp.preset_placeholder"), on_change=_load_preset,
                         format_func=ui.term)
        size = _linked(top[1].number_input, t("xp.size"), LIM["size"][0], LIM["size"][1], 28,
                       key="size", parse=_ints(*LIM["size"]), plain=28)
        ch = _linked(top[2].number_input, t("xp.channels"), LIM["channels"][0],
                     LIM["channels"][1], 1, key="ch", parse=_ints(*LIM["channels"]), plain=1,
                     help=t("xp.channels_help"))
        bias = _linked(top[3].toggle, t("xp.bias"), True, key="bias", parse=_flag, plain=True,
                       help=t("xp.bias_help"))
        if "xp_note" in ss:
            st.info(ss.pop("xp_note"))
        st.caption(t("xp.stack_help"))
        ss.xp_stack = _builder()
        _add_remove()
        head, classes = _head_editor()
        _train_link(size, ch, stack.with_bias(ss.xp_stack, bias), head)
    _stack_to_link(ss.xp_stack)
    return _network(int(size), int(ch), stack.with_bias(ss.xp_stack, bias), head, classes)


def _add_remove():
    add = st.columns([2.2, 1.6, 1.9, 3.1], vertical_alignment="bottom")  # "Remove last" whole at 1280 px
    add[0].selectbox(t("xp.new_layer"), KINDS, key="xp_add_kind",
                     format_func=lambda k: stack.KINDS[k][1])
    add[1].button(t("xp.add_layer"), icon=":material/add:", on_click=_add_layer,
                  disabled=len(ss.xp_stack) >= LIM["layers"][1])
    add[2].button(t("xp.remove_last"), icon=":material/remove:", on_click=_remove_last,
                  disabled=not ss.xp_stack)


def _stack_to_link(layers):
    """?layers= holds the stack's code, left out for the default stack."""
    code = stack.encode_stack(layers)
    if code == stack.encode_stack(stack.PRESETS[stack.DEFAULT_PRESET].layers):
        st.query_params.pop("layers", None)
    elif st.query_params.get("layers") != code:
        st.query_params["layers"] = code
    ss.xp_code = code


def _network(size: int, ch: int, specs: list, head, classes: int) -> View:
    try:
        net = stack.network((size, size, ch), specs, head, classes)
    except ValueError as e:
        net = None
        st.error(t("xp.stack_error", error=e), icon=":material/error:")
    return View(size, ch, specs, net)


TABS = ["xp.tab_table", "xp.tab_sliding", "xp.tab_rf", "xp.tab_cmp", "xp.tab_pooling"]


def _tabs():
    """The tabs, opened at ?view= (a tab's label in any language). A language switch or a link
    that brings a tab starts a new widget (its key says the language and the tab it opens
    with; its default must stay the same while it lives, or the next click is lost)."""
    link = st.query_params.get("view")
    here = ui.lang()
    if link is not None and link != ss.get("xp_view_link"):      # a link brings a tab
        ss.xp_view_link = link
        try:
            ss.xp_view = _among(TABS, lambda k, lang: i18n.t(k, lang=lang))(link)
            ss.pop("xp_tabs_key", None)
        except ValueError:
            pass
    view = ss.get("xp_view", TABS[0])
    if ss.get("xp_tabs_key", (None,))[0] != here:
        ss.xp_tabs_key = (here, view)
    first = ss.xp_tabs_key[1]
    out = st.tabs([t(k) for k in TABS], default=t(first), on_change="rerun",
                  key=f"xp_tabs_{here}_{TABS.index(first)}")
    view = next((k for k, tab in zip(TABS, out) if tab.open), view)
    ss.xp_view = view
    LINK["view"] = ss.xp_view_link = None if view == TABS[0] else i18n.t(view, lang="en")
    return out



# ---------------------------------------------------------------- tab 1: the table
def table_tab(v: View):
    rows = v.net.rows
    shape, rf = stack.final_shape_and_rf(rows, (v.size, v.size, v.ch))
    m = st.columns([1, 1, 1.1, 1.7])     # room for the receptive-field label at 1280 px
    m[0].metric(t("xp.m_shape"), "×".join(map(str, shape)))
    m[1].metric(t("xp.m_params"), f"{v.net.params:,}", help=t("xp.m_params_help"))
    m[2].metric(t("xp.m_macs"), f"{v.net.macs:,}", help=t("xp.m_macs_help"))
    m[3].metric(t("xp.m_rf"), f"{rf}×{rf}")
    _layer_table(rows, v.specs)
    _head_table(v.net)
    for r, spec in zip(rows, v.specs):
        for note in stack.keras_notes(spec):
            st.caption(t("xp.layer_note", i=r.index, note=ui.tr(note)))
    if any(s.kind == "transposed" for s in v.specs):
        st.caption(t("xp.transposed_note"))
    if rows:
        _working_and_growth(rows, v)


def _layer_table(rows, specs):
    table = [{ui.term(k): ui.term(v) if v == "input" else ui.tr(v) for k, v in row.items()}
             for row in stack.table_rows(rows, specs)]
    count = st.column_config.TextColumn   # counts come as text ("18,496"): no int64 limit
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        ui.term("params"): count(alignment="right"), ui.term("MACs"): count(alignment="right"),
        ui.term("RF size"): count(alignment="right"),
        ui.term("start"): st.column_config.NumberColumn(help=t("xp.start_help")),
        ui.term("jump"): count(help=t("xp.jump_help"), alignment="right")})


def _working_and_growth(rows, v: View):
    """One layer's formulas worked out, beside the chart of sizes and receptive fields."""
    left, right = st.columns([1.2, 1])
    with left:
        i = _pick_layer(t("xp.work"), [r.index for r in rows], 1, "work")
        st.caption(t("xp.layer_note", i=i, note=ui.tr(stack.describe(v.specs[i - 1]))))
        for w in stack.working(rows, v.specs, i, ui.lang()):
            st.markdown(f"**{ui.term(w.title)}**")
            for line in w.lines:
                st.latex(line)
    with right:
        sizes, rfs = stack.growth(rows, v.size)
        ui.plotly_chart(charts.stack_growth_figure(
            [ui.term("input")] + [f"{r.index} {stack.KINDS[r.kind][1]}" for r in rows],
            sizes, rfs), width="stretch")
        st.caption(t("xp.growth_caption"))


# ---------------------------------------------------------------- tab 2: sliding kernel
SPEEDS = {"slow": 2.0, "normal": 1.0, "fast": 0.4}   # seconds per step while playing


def _speed_label(speed, lang):
    return i18n.t(f"xp.speed_{speed}", lang=lang)


def _play_every() -> float:
    """Seconds per step at the chosen speed."""
    return SPEEDS.get(ss.get("s_speed"), SPEEDS["normal"])


def _kernel_steps(grid, kernel, cells, stride, pad, dil, bias, every):
    """Previous / Play / Next, the speed, the step slider, the picture of that step and its dot
    product. While playing this runs as a fragment every `every` seconds and moves one cell on
    (back to 0 after the last); a change of play or speed reruns the page to restart it."""

    # ss.s_pos is the cell while playing, shown by a slider of its own (the browser could send
    # the step slider back a tick behind with a click); pausing hands it to the step slider
    def here():
        return ss.get("s_pos", 0) if ss.get("s_play") else ss.get("s_step", 0)

    def move(delta):
        ss.s_step = (here() + delta) % cells
        ss.s_play = False

    def play(on):       # not a toggle: a second click on a Pause still on screen stays paused
        ss.s_step = ss.s_pos = here() % cells
        ss.s_play = on

    playing = ss.get("s_play", False) and cells > 1
    if (_play_every() if playing else None) != every:
        st.rerun()      # paused or a new speed: restart the timer before drawing anything (the
        #                 browser can drop a fragment run's widgets cut short by a rerun)
    if playing and every:
        ss.s_pos = (ss.get("s_pos", 0) + 1) % cells
    elif playing:
        ss.s_pos = ss.get("s_pos", 0) % cells
    nav = st.columns([1.3, 1.3, 1.2, 1.4, 4], vertical_alignment="bottom")
    nav[0].button(t("xp.previous"), icon=":material/arrow_back:", on_click=move, args=(-1,),
                  width="stretch", key="s_prev")
    nav[1].button(t("xp.pause") if playing else t("xp.play"), on_click=play, args=(not playing,),
                  icon=":material/pause:" if playing else ":material/play_arrow:",
                  width="stretch", type="primary" if playing else "secondary",
                  disabled=cells == 1, key="s_pause_button" if playing else "s_play_button")
    nav[2].button(t("xp.next"), icon=":material/arrow_forward:", on_click=move, args=(1,),
                  width="stretch", key="s_next")
    label = "collapsed" if COMPACT else "visible"       # one row of controls, no labels
    _linked(nav[3].selectbox, t("xp.speed"), list(SPEEDS), index=1, plain="normal",
                    key="s_speed", label_visibility=label,
                    parse=_among(list(SPEEDS), _speed_label),
                    format_func=lambda s: _speed_label(s, ui.lang()))
    if playing:
        step_i = nav[4].slider(t("xp.cell"), 0, cells - 1, ss.s_pos, disabled=True,
                               key=f"s_playing_{ss.s_pos}", label_visibility=label)
        LINK["s_step"] = step_i or None
    else:
        ss.s_step = ss.get("s_step", 0)     # sent to the browser on every run, so its slider
        #                                     never sends back a value from before Play
        step_i = _linked(nav[4].slider, t("xp.cell"), 0, max(cells - 1, 1), 0, key="s_step",
                         parse=_ints(0, cells - 1), plain=0, disabled=cells == 1,
                         label_visibility=label)
    step = filters.conv_step(grid, kernel, min(int(step_i), cells - 1), stride, pad, dil, bias)
    ui.plotly_chart(charts.conv_step_figure(step, kernel, stride, dil, ui.lang()), width="stretch")
    st.latex(filters.dot_product_latex(step, kernel, ui.lang()))
    if every:
        _write_link()                   # a fragment run: the page's own write does not run


def _sliding_settings() -> dict:
    """The demo grid, the kernel and the convolution's settings (folded away when compact)."""
    box = (st.expander(t("xp.sliding_settings"), key="s_settings_open", on_change="rerun",
                       icon=":material/tune:") if COMPACT else st.container())
    c = box.columns([1.3, 0.9, 1.9, 0.9, 0.9, 1.2, 0.9, 0.9])
    grid_name = _linked(c[0].selectbox, t("xp.grid"), filters.DEMO_GRIDS, key="s_grid",
                        parse=_among(filters.DEMO_GRIDS), plain=filters.DEMO_GRIDS[0],
                        format_func=ui.term)
    n = _linked(c[1].number_input, t("xp.grid_size"), 3, 10, 5, key="s_n",
                parse=_ints(3, 10), plain=5)
    kernels = ["random -1..1", "all ones", *filters.KERNELS]
    kname = _linked(c[2].selectbox, t("xp.kernel"), kernels, format_func=ui.term,
                    index=kernels.index("sobel x (vertical edges)"), key="s_kernel",
                    parse=_among(kernels), plain="sobel x (vertical edges)")
    ks = _linked(c[3].number_input, t("les.kernel_size"), 1, 5, 3, key="s_k",
                 parse=_ints(1, 5), plain=3, disabled=kname in filters.KERNELS,
                 help=t("xp.kernel_size_help"))
    stride = _linked(c[4].number_input, t("les.stride"), 1, 3, 1, key="s_stride",
                     parse=_ints(1, 3), plain=1)
    pads = ["valid", "same", "full", 1, 2]
    pad = _linked(c[5].selectbox, t("xp.padding"), pads, 1, key="s_pad",
                  parse=_among(pads, ui.pad_label), plain="same", format_func=ui.pad_label)
    dil = _linked(c[6].number_input, t("xp.dilation"), 1, 3, 1, key="s_dil",
                  parse=_ints(1, 3), plain=1)
    bias = _linked(c[7].number_input, t("xp.bias_one"), -9, 9, 0, key="s_bias",
                   parse=_ints(-9, 9), plain=0)
    return {"n": int(n), "grid": filters.demo_grid(grid_name, int(n)),
            "kernel": filters.demo_kernel(kname, int(ks)), "stride": int(stride), "pad": pad,
            "dil": int(dil), "bias": float(bias)}


def sliding_tab():
    if not COMPACT:
        st.markdown(t("xp.sliding_text"))
    s = _sliding_settings()
    grid, kernel = s["grid"], s["kernel"]
    try:
        oh, size_tex = stack.conv_size_line(s["n"], kernel.shape[0], s["stride"],
                                            s["pad"], s["dil"], ui.lang())
    except ValueError as e:
        st.error(t("xp.sliding_error", error=e))
        return
    cells = oh * oh
    _seed("s_step", _ints(0, 10 ** 6))
    if ss.get("s_step", 0) >= cells:
        ss.s_step = cells - 1
    args = (grid, kernel, cells, s["stride"], s["pad"], s["dil"], s["bias"])
    if ss.get("s_play", False) and cells > 1:
        _seed("s_speed", _among(list(SPEEDS), _speed_label))
        every = _play_every()
        st.fragment(run_every=every)(_kernel_steps)(*args, every=every)
    else:
        _kernel_steps(*args, every=None)
    st.latex(size_tex)
    if COMPACT:
        st.caption(t("xp.sliding_text"))


# ---------------------------------------------------------------- tab 3: receptive field
def _pick_cell(chart_key, out_shape):
    """A click on an output cell of the chart picks that cell (the row and column inputs follow)."""
    cell = charts.picked_cell(ss.get(chart_key, {}).get("selection", {}), out_shape)
    if cell is not None:
        ss.rf_row, ss.rf_col = cell


def rf_tab(v: View):
    rows = v.net.rows
    traced = [r for r in rows if r.rf is not None]
    if not traced:
        st.info(t("xp.rf_none"))
        return
    c = st.columns([2.2, 1, 1, 1.6])      # "Draw on a picture" whole at 1280 px
    with c[0]:
        li = _pick_layer(t("xp.rf_layer"), [r.index for r in traced], traced[-1].index,
                         "rf_layer")
    row = rows[li - 1]
    oh, ow, _ = row.out_shape
    for key, limit in (("rf_row", oh), ("rf_col", ow)):
        _seed(key, _ints(0, 10 ** 6))
        if ss.get(key, 0) >= limit:
            ss[key] = limit - 1
    r_i = int(_linked(c[1].number_input, t("xp.row"), 0, oh - 1, oh // 2, key="rf_row",
                      parse=int, always=True))
    c_i = int(_linked(c[2].number_input, t("xp.col"), 0, ow - 1, ow // 2, key="rf_col",
                      parse=int, always=True))
    same_size = [x for x in filters.sample_images().values() if x.shape[0] == v.size]
    picture = None
    if same_size and _linked(c[3].toggle, t("xp.on_picture"), key="rf_pic",
                             parse=_flag, plain=False, help=t("xp.on_picture_help")):
        picture = filters.to_gray(same_size[0])
    cell = stack.receptive_cell(v.specs[:li], v.size, row.rf, r_i, c_i)
    chart_key = f"rf_click_{li}_{r_i}_{c_i}"      # a fresh chart (no old click) per cell
    ui.plotly_chart(charts.receptive_field_figure(np.outer(cell.rows, cell.cols), cell.box,
                                                  (oh, ow), (r_i, c_i), picture, ui.lang()),
                    width="stretch", key=chart_key, selection_mode="points",
                    on_select=lambda k=chart_key, s=(oh, ow): _pick_cell(k, s))
    _rf_text(v, li, row, cell, (r_i, c_i))


def _rf_text(v: View, li: int, row, cell: stack.RFCell, rc: tuple[int, int]):
    blocks = (charts.rf_blocks(v.size, charts.RF_MAX_INPUT),
              charts.rf_blocks(max(row.out_shape[:2]), charts.RF_MAX_OUTPUT))
    st.caption(t("xp.layer_note", i=li, note=ui.tr(stack.describe(v.specs[li - 1])))
               + ". " + t("xp.rf_click")
               + (t("xp.rf_blocks", f=blocks[0], g=blocks[1]) if max(blocks) > 1 else ""))
    top, left, bottom, right = cell.box
    st.markdown(
        t("xp.rf_text", r=rc[0], c=rc[1], li=li, size=row.rf.size, top=top, bottom=bottom,
          left=left, right=right, jump=row.rf.jump, r0=cell.seen_rows[0], r1=cell.seen_rows[1],
          c0=cell.seen_cols[0], c1=cell.seen_cols[1])
        + (t("xp.rf_outside", outside=cell.outside) if cell.outside else t("xp.rf_inside"))
        + t("xp.rf_paths", most=cell.most, least=cell.least))


# ---------------------------------------------------------------- tab 4: two 3x3 vs one 5x5
def compare_tab():
    c = st.columns([1, 1, 3])
    n_small = _linked(c[0].radio, t("les.stacked3x3.n"), [2, 3], horizontal=True,
                      key="cmp_n", parse=_among([2, 3]), plain=2)
    cc = _linked(c[1].number_input, t("les.stacked3x3.channels"), 1, 1024, 1, key="cmp_c",
                 parse=_ints(1, 1024), plain=1)
    cmp = lessons.stacked(int(n_small), int(cc))
    big = cmp["big"]
    m = st.columns(3)
    m[0].metric(t("xp.cmp_rf"), f"{big}×{big}")
    m[1].metric(t("les.stacked3x3.m_stacked", n=n_small),
                t("xp.cmp_params", n=cmp["stacked_params"]))
    m[2].metric(t("les.stacked3x3.m_single", big=big),
                t("xp.cmp_params", n=cmp["single_params"]),
                delta=t("xp.cmp_delta", d=cmp["saved"]), delta_color="inverse")
    st.latex(stack.stacked_vs_single_tex(cmp))
    ui.plotly_chart(charts.grid_panels([
        (t("les.stacked3x3.paths_stacked", n=n_small), cmp["paths_stacked"]),
        (t("les.stacked3x3.paths_single", big=big), cmp["paths_single"])]), width="stretch")
    st.markdown(t("les.stacked3x3.why", n=n_small, big=big))
    st.page_link("pages/lessons.py", label=t("les.stacked3x3.title"),
                 icon=":material/school:", query_params={"lesson": "stacked3x3"})


# ---------------------------------------------------------------- tab 5: pooling and filters
def pooling_tab():
    image = _picture()
    if image is not None:
        _pooling(image)
        _classic_filters(image)


def _picture():
    """A sample picture, or one of the user's own (None until a good one is uploaded)."""
    images = filters.sample_images()
    c = st.columns([2, 2])
    pictures = [*images, "Upload my own…"]
    pick = _linked(c[0].selectbox, t("les.cbapd.picture"), pictures, key="img",
                   parse=_among(pictures), plain=pictures[0], format_func=ui.term)
    image = images.get(pick)
    if image is None:
        with c[1]:
            up = ui.picture_uploader(t("xp.upload"))
        if up is not None:
            image, error = ui.decode_upload(up, max_side=256)
            if error:
                st.error(ui.md_text(ui.tr(error)))
        if image is None:
            st.info(t("xp.upload_hint"))
    return image


def _pooling(image):
    st.subheader(t("xp.pool_title"))
    p = st.columns(4)
    pool = _linked(p[0].number_input, t("xp.pool_size"), 2, 8, 2, key="pool",
                   parse=_ints(2, 8), plain=2)
    pstride = _linked(p[1].number_input, t("xp.pool_stride"), 0, 8, 0, key="pstride",
                      parse=_ints(0, 8), plain=0)
    ppad = _linked(p[2].selectbox, t("xp.padding"), ["valid", "same"], key="ppad",
                   parse=_among(["valid", "same"]), plain="valid")
    try:
        mx = filters.pool2d(image, int(pool), int(pstride) or None, ppad, "max")
        av = filters.pool2d(image, int(pool), int(pstride) or None, ppad, "avg")
    except ValueError as e:
        st.error(str(e))
        return
    scale = "rgb" if image.ndim == 3 else "gray"
    ui.plotly_chart(charts.image_panels([(t("xp.original"), image, scale),
                                         (t("xp.max_pool"), mx, scale),
                                         (t("xp.avg_pool"), av, scale)]), width="stretch")
    st.caption(t("xp.pool_caption"))
    demo = filters.demo_grid("random digits", 4, seed=2)
    ui.plotly_chart(charts.grid_panels(
        [(t("xp.grid4"), demo), ("2×2 " + t("xp.max_pool"), filters.pool2d(demo, 2)),
         ("2×2 " + t("xp.avg_pool"), filters.pool2d(demo, 2, mode="avg"))],
        height=260, colorscale="Blues"), width="stretch")


def _classic_filters(image):
    rgb = image.ndim == 3
    st.subheader(t("xp.classic"))
    f = st.columns([2, 2, 1])
    named = [*filters.KERNELS, "custom"]
    kname = _linked(f[0].selectbox, t("xp.kernel"), named, format_func=ui.term,
                    index=named.index("sobel x (vertical edges)"), key="flt",
                    parse=_among(named), plain="sobel x (vertical edges)")
    custom = _linked(f[1].text_input, t("xp.custom"), "1 0 -1; 2 0 -2; 1 0 -1",
                     key="kcustom", parse=lambda text: text[:200],
                     plain="1 0 -1; 2 0 -2; 1 0 -1", disabled=kname != "custom")
    gray = _linked(f[2].toggle, t("xp.grey"), True, key="gray", parse=_flag,
                   plain=True, disabled=not rgb)
    try:
        k = filters.parse_kernel(custom) if kname == "custom" else filters.KERNELS[kname]
    except ValueError as e:
        st.error(ui.md_text(ui.tr(e.args[0])))
        return
    out = filters.apply_filter(image, k if kname == "custom" else kname, gray=gray or not rgb)
    shown = (t("xp.output") + (t("xp.signed") if out.scale == "signed" else ""), out.out,
             out.scale) + ((out.range,) if out.range else ())
    left, right = st.columns([1, 3])
    with left:
        ui.plotly_chart(charts.grid_panels([(t("xp.kernel"), k)], height=260,
                                           colorscale="RdBu", zmid=0), width="stretch")
    with right:
        ui.plotly_chart(charts.image_panels([
            (ui.term("input"), out.x if out.x.ndim == 2 else image,
             "gray" if out.x.ndim == 2 else "rgb"), shown]), width="stretch")
    st.caption(t("xp.filter_caption") + (t("xp.filter_range") if out.scale != "rgb" else ""))


# ---------------------------------------------------------------- the page
_stack_from_link()
COMPACT = compact()
header()
view = stack_editor()
tabs = _tabs()
for tab, draw, needs_net in zip(tabs, (table_tab, sliding_tab, rf_tab, compare_tab, pooling_tab),
                                (True, False, True, False, False)):
    if tab.open and (view.net is not None or not needs_net):
        with tab:
            draw(*([view] if needs_net else []))
_write_link()
