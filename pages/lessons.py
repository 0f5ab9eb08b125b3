"""Lessons: the seeds' own examples as guided steps a teacher can walk a class through.

Each lesson is a short sequence of explanation + live widgets; the lesson is in the URL
(?lesson=padding&lang=zh), so a link opens it directly. Numbers from cnnweb.lessons (which asks
cnnweb.conv and cnnweb.diagnose); words from the i18n catalogue. No TensorFlow here.
"""

import streamlit as st

from cnnweb import charts, filters, lessons, stack, ui

ui.ensure_app_navigation()
t, ss = ui.t, st.session_state

# the lesson lives in the URL by its id, whatever the language of its label
if "les_pick" not in ss:
    link = st.query_params.get("lesson")
    ss.les_pick = link if link in lessons.LESSONS else lessons.LESSONS[0]

st.title(t("les.title"))
lesson = st.segmented_control(t("les.pick"), lessons.LESSONS, key="les_pick", required=True,
                              format_func=lambda name: t(f"les.{name}.title"))
st.query_params["lesson"] = lesson
st.caption(t(f"les.{lesson}.intro"))


_TO_TOP = """<span data-lesson="LESSON"></span><script>
for (const wait of [0, 150, 500]) setTimeout(() => {
  for (const el of [document.querySelector('[data-testid="stMain"]'),
                    document.querySelector('[data-testid="stAppViewContainer"]'),
                    document.scrollingElement]) { if (el) el.scrollTo(0, 0); }
}, wait);
</script>"""


def step(n: int, **fmt) -> None:
    st.subheader(f"{n}. {t(f'les.{lesson}.s{n}')}")
    st.markdown(t(f"les.{lesson}.s{n}_text", **fmt))


def fmt_shape(shape) -> str:
    return "×".join(map(str, shape))


# ---------------------------------------------------------------- two 3x3 vs one 5x5
def stacked3x3():
    step(1)
    c = st.columns([1, 1, 2], vertical_alignment="bottom")
    k = c[0].select_slider(t("les.kernel_size"), [1, 3, 5, 7], 3, key="l1_k")
    ch = c[1].radio(t("les.in_channels"), [1, 3], horizontal=True, key="l1_c")
    kp = lessons.kernel_params(k, ch)
    with c[2]:
        st.latex(rf"{k}\times{k}\times{ch} + 1 = {kp['weights']} + 1 = {kp['params']}")

    step(2)
    n = st.slider(t("les.stacked3x3.n"), 2, 4, 2, key="l1_n")
    cmp = lessons.stacked(n, 1)
    big = cmp["big"]
    st.markdown(" → ".join(t("les.stacked3x3.after_layer", i=i, size=s)
                           for i, s in enumerate(cmp["rf_by_depth"], 1)))
    ui.plotly_chart(charts.grid_panels([
        (t("les.stacked3x3.paths_stacked", n=n), cmp["paths_stacked"]),
        (t("les.stacked3x3.paths_single", big=big), cmp["paths_single"])]), width="stretch")
    st.caption(t("les.stacked3x3.paths_caption", centre=int(cmp["paths_stacked"].max())))

    step(3)
    cc = st.number_input(t("les.stacked3x3.channels"), 1, 512, 1, key="l1_cc")
    cmp = lessons.stacked(n, int(cc))
    m = st.columns(3)
    m[0].metric(t("les.stacked3x3.m_stacked", n=n), f"{cmp['stacked_params']:,}")
    m[1].metric(t("les.stacked3x3.m_single", big=big), f"{cmp['single_params']:,}")
    m[2].metric(t("les.stacked3x3.m_saved"), f"{cmp['saved']:,}",
                f"{cmp['saved'] / cmp['single_params']:.0%}")
    st.latex(stack.stacked_vs_single_tex(cmp))
    st.markdown(t("les.stacked3x3.why", n=n, big=big))

    step(4)
    st.page_link("pages/explainer.py", label=t("les.stacked3x3.link"),
                 icon=":material/calculate:", query_params={"view": t("xp.tab_cmp")})


# ---------------------------------------------------------------- SAME vs VALID
def padding():
    step(1)
    c = st.columns(3)
    n = c[0].slider(t("les.padding.n"), 3, 12, 5, key="l2_n")
    k = c[1].slider(t("les.kernel_size"), 1, 7, 3, key="l2_k")
    s = c[2].slider(t("les.stride"), 1, 3, 1, key="l2_s")
    sz = lessons.padding_sizes(n, k, s)
    m = st.columns(2)
    with m[0]:
        st.metric(t("les.padding.same"), f"{sz['same']}×{sz['same']}")
        st.latex(rf"\left\lceil \frac{{n}}{{s}} \right\rceil = \left\lceil \frac{{{n}}}{{{s}}}"
                 rf"\right\rceil = {sz['seed_same']}")
    with m[1]:
        st.metric(t("les.padding.valid"), f"{sz['valid']}×{sz['valid']}" if sz["valid"]
                  else t("les.padding.no_output"))
        inner = (n - k + 1) / s
        shown = f"{inner:g}" if inner == int(inner) else rf"\tfrac{{{n - k + 1}}}{{{s}}}"
        st.latex(rf"\left\lceil \frac{{n - k + 1}}{{s}} \right\rceil = \left\lceil "
                 rf"\frac{{{n} - {k} + 1}}{{{s}}} \right\rceil = \lceil {shown} \rceil = "
                 rf"{sz['seed_valid']}")
    if sz["agree"]:
        st.caption(t("les.padding.agree", before=sz["zeros_before"], after=sz["zeros_after"]))
    else:
        st.caption(t("les.padding.disagree", valid=sz["seed_valid"], before=sz["zeros_before"],
                     after=sz["zeros_after"]))

    step(2)
    for pad in ("same", "valid"):
        st.markdown(f"**{t('les.padding.' + pad)}**")
        if pad == "valid" and k > n:
            st.info(t("les.padding.too_big"))
            continue
        first, kernel = lessons.padding_step(n, k, s, pad)
        ui.plotly_chart(charts.conv_step_figure(first, kernel, s, lang=ui.lang()), width="stretch",
                        key=f"l2_fig_{pad}")

    step(3)
    c = st.columns(2)
    size = c[0].number_input(t("les.padding.input"), 8, 64, 28, key="l2_size")
    depth = c[1].slider(t("les.padding.depth"), 1, 8, 4, key="l2_depth")
    through = lessons.sizes_through_layers(int(size), k, depth)
    st.dataframe([{t("les.padding.layer"): i,
                   t("les.padding.same"): through["same"][i],
                   t("les.padding.valid"): through["valid"][i] if i < len(through["valid"])
                   else "–"} for i in range(depth + 1)], hide_index=True)
    st.markdown(t("les.padding.layers_end", k=k, depth=depth, same=through["same"][-1],
                  valid=through["valid"][-1]))


# ---------------------------------------------------------------- CBAPD
def cbapd():
    step(1)
    step(2)
    c = st.columns(3)
    f = c[0].number_input(t("les.cbapd.filters"), 1, 256, 6, key="l3_f")
    k = c[1].select_slider(t("les.kernel_size"), [1, 3, 5, 7], 5, key="l3_k")
    rate = c[2].slider(t("les.cbapd.rate"), 0.0, 0.8, 0.2, 0.05, key="l3_rate")
    rows = lessons.cbapd_rows(32, 3, int(f), int(k), 2, float(rate))
    st.dataframe([{t("les.cbapd.block"): f"{r['letter']} · {t('les.cbapd.' + r['letter'])}",
                   "Keras": r["code"], t("les.cbapd.shape"): fmt_shape(r["shape"]),
                   t("les.cbapd.params"): r["params"]} for r in rows], hide_index=True,
                 width="stretch")
    st.caption(t("les.cbapd.total", params=sum(r["params"] for r in rows)))

    step(3)
    images = filters.sample_images()
    c = st.columns([2, 2, 1], vertical_alignment="bottom")
    pick = c[0].selectbox(t("les.cbapd.picture"), list(images), key="l3_img",
                          format_func=ui.term)
    kname = c[1].selectbox(t("les.cbapd.kernel"), list(filters.KERNELS), key="l3_kernel",
                           index=list(filters.KERNELS).index("sobel x (vertical edges)"),
                           format_func=ui.term)
    if c[2].button(t("les.cbapd.new_mask"), icon=":material/casino:"):
        ss.l3_seed = ss.get("l3_seed", 0) + 1
    stages = lessons.cbapd_pictures(images[pick], kname, 2, float(rate), ss.get("l3_seed", 0))
    ui.plotly_chart(charts.image_panels(
        [(letter, a, "signed" if letter in "CB" else "gray")
         for letter, a in stages], height=300), width="stretch")
    st.markdown(t("les.cbapd.picture_text"))

    step(4, **lessons.vgg16_cbapd())


# ---------------------------------------------------------------- overfitting and dropout
def overfit():
    seed = lessons.SEED002
    step(1)
    m = st.columns(3)
    m[0].metric(t("les.overfit.before", epochs=seed["epochs_before"]), f"{seed['before']:.2%}")
    m[1].metric(t("les.overfit.after", rate=seed["dropout"], epochs=seed["epochs_after"]),
                f"{seed['after']:.2%}", f"{100 * (seed['after'] - seed['before']):+.2f} pp")
    m[2].metric(t("les.overfit.target"), "72%")

    step(2)
    try:
        total = lessons.overfit_run()["epochs"]
    except ValueError as e:
        st.error(t("les.overfit.missing", error=e))
        return
    upto = st.slider(t("les.overfit.upto"), 2, total, total, key="l4_upto")
    run = lessons.overfit_run(upto)
    v = run["verdict"]
    marker = v["marker"] and {**v["marker"], "label": ui.tr(v["marker"]["label"])}
    left, right = st.columns([2.2, 1])
    with left:
        ui.plotly_chart(charts.training_curves_figure(run["rows"], None, marker),
                        width="stretch")
        acc = run["meta"].get("test_accuracy")
        st.caption(t("les.overfit.ours", acc=acc or 0, epochs=run["epochs"]))
    with right:
        ui.verdict(v)

    step(3)
    c = st.columns([1, 2])
    rate = c[0].slider(t("les.overfit.rate"), 0.0, 0.8, seed["dropout"], 0.05, key="l4_rate")
    if c[0].button(t("les.cbapd.new_mask"), icon=":material/casino:", key="l4_new"):
        ss.l4_seed = ss.get("l4_seed", 0) + 1
    mask = lessons.dropout_mask((8, 8), rate, ss.get("l4_seed", 0))
    kept = int((mask > 0).sum())
    c[0].markdown(t("les.overfit.kept", kept=kept, total=mask.size,
                    scale=1 / (1 - rate) if rate < 1 else 0))
    with c[1]:
        ui.plotly_chart(charts.grid_panels([(t("les.overfit.mask"), mask.round(2))], height=380,
                                           colorscale="Blues"), width="stretch")

    step(4)
    for preset in lessons.TRAINER_PRESETS:
        st.page_link("pages/trainer.py", label=ui.term(preset), icon=":material/monitoring:",
                     query_params={"preset": preset})


{"stacked3x3": stacked3x3, "padding": padding, "cbapd": cbapd, "overfit": overfit}[lesson]()

following = lessons.LESSONS[(lessons.LESSONS.index(lesson) + 1) % len(lessons.LESSONS)]
st.divider()
st.button(t("les.next", title=t(f"les.{following}.title")), icon=":material/arrow_forward:",
          on_click=lambda: ss.update(les_pick=following, les_to_top=True))
if ss.pop("les_to_top", False):
    # the button sits at the foot of the lesson, and Streamlit keeps the scroll position: bring
    # the next lesson in at its top (a fixed script, no user text in it)
    st.html(_TO_TOP.replace("LESSON", lesson), unsafe_allow_javascript=True)
