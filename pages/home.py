"""Home: what the app does, what it runs on, which datasets and models it finds. No TensorFlow."""

import streamlit as st

from cnnweb import data, device, lessons, stack, store, ui

ui.ensure_app_navigation()
t = ui.t

st.title("cnnweb")
st.markdown(t("home.intro"))

PAGES = [
    ("pages/explainer.py", "nav.explainer", ":material/calculate:", "home.card_explainer"),
    ("pages/lessons.py", "nav.lessons", ":material/school:", "home.card_lessons"),
    ("pages/trainer.py", "nav.trainer", ":material/monitoring:", "home.card_trainer"),
    ("pages/gallery.py", "nav.gallery", ":material/account_tree:", "home.card_gallery"),
    ("pages/predict.py", "nav.predict", ":material/draw:", "home.card_predict"),
]
cols = st.columns(len(PAGES))
for col, (path, title, icon, text) in zip(cols, PAGES):
    with col.container(border=True, height="stretch"):
        st.page_link(path, label=f"**{t(title)}**", icon=icon)
        st.caption(t(text))

start, left, right = st.columns([1, 1, 1], gap="large")
with start:
    st.subheader(t("home.lessons"))
    st.caption(t("home.lessons_caption"))
    for lesson in lessons.LESSONS:
        st.page_link("pages/lessons.py", label=t(f"les.{lesson}.title"), icon=":material/school:",
                     query_params={"lesson": lesson})
    st.caption(t("home.views_caption"))
    VGG16 = "VGG16 feature extractor (13 convs, 5 pools)"
    VIEWS = [
        ("home.view_mnist", {}),
        ("home.view_vgg", {"layers": stack.encode_stack(stack.PRESETS[VGG16].layers),
                           "size": 224, "ch": 3, "view": t("xp.tab_rf")}),
        ("home.view_sliding", {"view": t("xp.tab_sliding")}),
        ("home.view_pooling", {"view": t("xp.tab_pooling")}),
    ]
    for label, params in VIEWS:
        st.page_link("pages/explainer.py", label=t(label), icon=":material/calculate:",
                     query_params=params or None)

with left:
    st.subheader(t("home.computer"))
    where = device.describe()
    st.markdown(f":material/memory: **{ui.words(where)}**")
    if where.startswith("CPU"):
        st.caption(t("home.cpu_note"))
    st.subheader(t("home.datasets"))
    try:
        found = data.dataset_status()
    except Exception as e:  # noqa: BLE001 (Home must always render)
        st.warning(t("home.datasets_error", error=e))
        found = []
    for d in found:
        if not d["found"]:
            st.markdown(t("home.ds_missing", title=d["title"], source=d["source"]))
        elif d["is_sample"]:
            st.markdown(t("home.ds_sample", title=d["title"], n_train=d["n_train"],
                          n_test=d["n_test"]))
        else:
            st.markdown(f":material/check_circle: **{d['title']}**: {ui.dataset_source(d)}")
    st.caption(t("home.ds_hint"))
with right:
    st.subheader(t("home.models"))
    try:
        models = store.list_models()
    except Exception as e:  # noqa: BLE001
        st.warning(t("home.models_error", error=e))
        models = []
    if not models:
        st.info(t("home.no_models"), icon=":material/info:")
    else:
        table = []
        for m in models:
            acc = m.meta.get("test_accuracy")
            table.append({t("col.model"): m.name, t("col.arch"): m.meta.get("arch", ""),
                          t("col.dataset"): m.meta.get("dataset", ""),
                          t("col.test_acc"): f"{acc:.1%}" if isinstance(acc, float) else "",
                          t("col.from"): t("home.shipped") if m.shipped else t("home.yours"),
                          t("col.status"): t("home.ready") if m.ok else m.error})
        st.dataframe(table, hide_index=True, width="stretch")
        st.page_link("pages/gallery.py", label=t("home.see_gallery"),
                     icon=":material/arrow_forward:")
