"""Home: what the app does, what it runs on, which datasets and models it finds. No TensorFlow."""

import streamlit as st

from cnnweb import data, device, lessons, stack, store, ui

ui.ensure_app_navigation()
t = ui.t

PAGES = [
    ("pages/explainer.py", "nav.explainer", ":material/calculate:", "home.card_explainer"),
    ("pages/lessons.py", "nav.lessons", ":material/school:", "home.card_lessons"),
    ("pages/trainer.py", "nav.trainer", ":material/monitoring:", "home.card_trainer"),
    ("pages/gallery.py", "nav.gallery", ":material/account_tree:", "home.card_gallery"),
    ("pages/predict.py", "nav.predict", ":material/draw:", "home.card_predict"),
]
VGG16 = "VGG16 feature extractor (13 convs, 5 pools)"


def header():
    # page links wrap instead of ending in "…" (the lesson titles are long in a third of 1280 px)
    st.html("""<style>[data-testid="stPageLink-NavLink"], [data-testid="stPageLink-NavLink"] * {
white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
height: auto !important; }</style>""")
    st.title("cnnweb")
    st.markdown(t("home.intro"))


def page_cards():
    """One card per page: its link and what it is for."""
    for col, (path, title, icon, text) in zip(st.columns(len(PAGES)), PAGES):
        with col.container(border=True, height="stretch"):
            st.page_link(path, label=f"**{t(title)}**", icon=icon)
            st.caption(t(text))


def start_here():
    """The lessons, and links that open the Explainer at a view worth showing."""
    st.subheader(t("home.lessons"))
    st.caption(t("home.lessons_caption"))
    for lesson in lessons.LESSONS:
        st.page_link("pages/lessons.py", label=t(f"les.{lesson}.title"), icon=":material/school:",
                     query_params={"lesson": lesson})
    st.caption(t("home.views_caption"))
    views = [
        ("home.view_mnist", {}),
        ("home.view_vgg", {"layers": stack.encode_stack(stack.PRESETS[VGG16].layers),
                           "size": 224, "ch": 3, "view": t("xp.tab_rf")}),
        ("home.view_sliding", {"view": t("xp.tab_sliding")}),
        ("home.view_pooling", {"view": t("xp.tab_pooling")}),
    ]
    for label, params in views:
        st.page_link("pages/explainer.py", label=t(label), icon=":material/calculate:",
                     query_params=params or None)
    st.caption(t("app.tutorials"))


def computer():
    st.subheader(t("home.computer"))
    where = device.describe()
    st.markdown(f":material/memory: **{ui.md_text(ui.tr(where))}**")
    if where.startswith("CPU"):
        st.caption(t("home.cpu_note"))


def datasets():
    """Each dataset: missing, the shipped sample, or found (with why a file cannot be used)."""
    st.subheader(t("home.datasets"))
    try:
        found = data.dataset_status()
    except Exception as e:  # noqa: BLE001 (Home must always render)
        st.warning(t("home.datasets_error", error=ui.md_text(e)))
        found = []
    for d in found:
        if not d.found:
            st.markdown(t("home.ds_missing", title=d.title, source=ui.md_text(ui.tr(d.source))))
        elif d.is_sample:
            st.markdown(t("home.ds_sample", title=d.title, n_train=d.n_train,
                          n_test=d.n_test))
        else:   # a file that cannot be used has no image count, and says why
            icon = ":material/check_circle:" if d.n_train else ":material/error:"
            st.markdown(f"{icon} **{d.title}**: {ui.md_text(ui.dataset_source(d))}")
    if not found or any(not d.n_train or d.is_sample for d in found):
        st.caption(t("home.ds_hint"))      # only while a full dataset is still missing


def model_row(m) -> dict:
    acc = m.meta.get("test_accuracy")
    # the accuracy right after the name: at 1280-1366 px the last columns are cut
    return {t("col.model"): m.name,
            t("col.test_acc"): f"{acc:.1%}" if isinstance(acc, float) else "",
            t("col.dataset"): m.meta.get("dataset", ""),
            t("col.arch"): m.meta.get("arch", ""),
            t("col.from"): t("home.shipped") if m.shipped else t("home.yours"),
            t("col.status"): t("home.ready") if m.ok else ui.tr(m.error)}


def models():
    st.subheader(t("home.models"))
    try:
        found = store.list_models()
    except Exception as e:  # noqa: BLE001
        st.warning(t("home.models_error", error=ui.md_text(e)))
        found = []
    if not found:
        st.info(t("home.no_models"), icon=":material/info:")
        return
    st.dataframe([model_row(m) for m in found], hide_index=True, width="stretch")
    st.page_link("pages/gallery.py", label=t("home.see_gallery"), icon=":material/arrow_forward:")


header()
page_cards()
_start, _left, _right = st.columns([1, 0.9, 1.2], gap="medium")   # the models table needs room
with _start:
    start_here()
with _left:
    computer()
    datasets()
with _right:
    models()
