"""Gallery: every zoo architecture (layer table, totals, diagram, what is special), a comparison
of all of them, and every trained model in the store (metrics, curves, confusion matrix,
download, delete). Thin: the numbers come from cnnweb.zoo / cnnweb.store via cnnweb.ui caches."""

import streamlit as st

from cnnweb import charts, store, ui, zoo

ui.ensure_app_navigation()
t = ui.t

SHAPES = {"32×32×3 (CIFAR-10 colour)": (32, 32, 3), "28×28×1 (MNIST grey)": (28, 28, 1)}


def fmt_shape(shape) -> str:
    return "×".join(map(str, shape)) if shape else "?"


def layer_table(rows):
    return [{ui.term("layer"): r["name"], ui.term("type"): r["type"],
             ui.term("config"): r["config"], ui.term("output"): fmt_shape(r["output_shape"]),
             ui.term("params"): r["params"], ui.term("non-trainable"): r["non_trainable"],
             ui.term("multiply-adds"): r["macs"], ui.term("RF size"): r["rf_size"],
             ui.term("RF jump"): r["rf_jump"]} for r in rows]


def best_accuracy(entries) -> dict:
    """arch -> (best test accuracy, model name, dataset) over the readable trained models."""
    best = {}
    for e in entries:
        acc = e.meta.get("test_accuracy")
        if e.ok and isinstance(acc, (int, float)) and acc > best.get(e.meta.get("arch"), (-1,))[0]:
            best[e.meta.get("arch")] = (acc, e.name, e.meta.get("dataset"))
    return best


st.title(t("nav.gallery"))
st.write(t("gal.intro"))
view = st.radio(t("gal.view"), ["Architectures", "Compare all", "Trained models"],
                horizontal=True, key="gallery_view", label_visibility="collapsed",
                format_func=ui.term)

# ------------------------------------------------------------------ one architecture
if view == "Architectures":
    names = zoo.names()
    c1, c2, c3 = st.columns([2, 2, 1])
    name = c1.selectbox(t("col.arch").capitalize(), names, key="gallery_arch",
                        format_func=lambda n: f"{n}: {zoo.info(n)['source'].split(' (')[0]}")
    arch = zoo.info(name)
    default = next((k for k, v in SHAPES.items() if v == tuple(arch["input_shape"])), None)
    labels = list(SHAPES)
    shape_label = c2.radio(t("gal.input"), labels, horizontal=True, key=f"gallery_shape_{name}",
                           index=labels.index(default) if default else 0, format_func=ui.term)
    classes = c3.number_input(t("gal.classes"), min_value=2, max_value=1000, value=10, step=1,
                              key="gallery_classes")
    st.markdown(f"**{name}**: {ui.zoo_text(name, 'description', arch)}  \n"
                f"*{t('gal.source', source=arch['source'])}*")
    try:
        analysis = ui.zoo_analysis(name, SHAPES[shape_label], int(classes))
    except ValueError as e:
        st.error(str(e))
        st.stop()
    tot, rows = analysis["totals"], analysis["rows"]
    last_rf = next((r for r in reversed(rows) if r["rf_size"]), None)
    m = st.columns(4)
    m[0].metric(t("gal.total_params"), f"{tot['params']:,}",
                help=t("gal.total_params_help", trainable=tot["trainable"],
                       fixed=tot["non_trainable"]))
    m[1].metric(t("gal.weights"), f"{tot['size_mb']:.2f} MB")
    m[2].metric(t("gal.macs"), f"{tot['macs'] / 1e6:,.1f} M",
                help=t("gal.macs_help", macs=tot["macs"], flops=tot["flops"]))
    m[3].metric(t("les.rf"), f"{last_rf['rf_size']} px" if last_rf else "-",
                help=t("gal.rf_help", name=last_rf["name"], jump=last_rf["rf_jump"])
                if last_rf else None)
    st.caption(t("gal.layers_caption", layers=tot["layers"], flops=tot["flops"] / 1e6))
    if arch["notes"]:
        st.info(f"**{t('gal.special')}** {ui.zoo_text(name, 'notes', arch)}")
    tab_layers, tab_diagram = st.tabs([t("gal.tab_layers"), t("gal.tab_diagram")])
    with tab_layers:
        st.dataframe(layer_table(rows), hide_index=True, height=min(38 + 35 * len(rows), 640),
                     column_config={"layer": st.column_config.TextColumn(width="medium"),
                                    "params": st.column_config.NumberColumn(format="localized"),
                                    "non-trainable": st.column_config.NumberColumn(format="localized"),
                                    "multiply-adds": st.column_config.NumberColumn(format="localized")})
        st.caption(t("gal.layers_note"))
    with tab_diagram:
        st.caption(t("gal.diagram_note"))
        st.graphviz_chart(analysis["dot"], width="content")

# ------------------------------------------------------------------ all architectures
elif view == "Compare all":
    shape_label = st.radio(t("gal.compare_at"), list(SHAPES), horizontal=True,
                           key="gallery_cmp_shape", format_func=ui.term)
    best = best_accuracy(store.list_models())
    records, problems = [], []
    with st.spinner(t("gal.building")):
        for name in zoo.names():
            try:
                tot = ui.zoo_analysis(name, SHAPES[shape_label], 10)["totals"]
            except ValueError as e:
                problems.append(f"{name}: {e}")
                continue
            acc = best.get(name)
            records.append({"name": name, "params": tot["params"], "macs": tot["macs"],
                            "size_mb": round(tot["size_mb"], 2), "accuracy": acc[0] if acc else None,
                            "model": acc[1] if acc else "", "dataset": acc[2] if acc else "",
                            "ImageNet top-5": zoo.info(name)["top5_error"] or ""})
    for p in problems:
        st.warning(p)
    ui.plotly_chart(charts.arch_comparison_figure(records), width="stretch")
    st.dataframe(records, hide_index=True, column_config={
        "params": st.column_config.NumberColumn(t("les.cbapd.params"), format="localized"),
        "macs": st.column_config.NumberColumn(ui.term("multiply-adds"), format="localized"),
        "size_mb": st.column_config.NumberColumn("MB (float32)"),
        "accuracy": st.column_config.NumberColumn(t("gal.best_acc"), format="percent"),
        "model": st.column_config.TextColumn(t("col.model")),
        "dataset": st.column_config.TextColumn(t("col.dataset"))})
    st.caption(t("gal.compare_note"))

# ------------------------------------------------------------------ trained models
else:
    entries = store.list_models()
    if not entries:
        st.info(t("gal.no_models"))
        st.page_link("pages/trainer.py", label=t("gal.go_trainer"), icon=":material/monitoring:")
        st.stop()
    good = [e for e in entries if e.ok]
    bad = [e for e in entries if not e.ok]
    if good:
        st.dataframe([{t("col.model"): e.name, t("col.arch"): e.meta.get("arch"),
                       t("col.dataset"): e.meta.get("dataset"),
                       t("col.test_acc"): e.meta.get("test_accuracy"),
                       t("home.shipped"): e.shipped, t("gal.created"): e.meta.get("created")}
                      for e in good], hide_index=True, column_config={
                         t("col.test_acc"): st.column_config.NumberColumn(format="percent")})
    for e in bad:
        st.warning(t("gal.unusable", name=e.name, error=e.error))
    unreadable = {e.name for e in bad}
    target = st.selectbox(t("col.model").capitalize(), [e.name for e in good + bad],
                          key="gallery_model", format_func=lambda n: n + (
                              t("gal.unreadable") if n in unreadable else ""))
    entry = next(e for e in entries if e.name == target)
    meta = entry.meta
    if entry.ok:
        acc, loss = meta.get("test_accuracy"), meta.get("test_loss")
        m = st.columns(4)
        m[0].metric(t("tr.test_acc"), f"{acc:.2%}" if isinstance(acc, (int, float)) else "-")
        m[1].metric(t("tr.test_loss"), f"{loss:.4f}" if isinstance(loss, (int, float)) else "-")
        m[2].metric(t("col.arch").capitalize(), meta.get("arch") or "-")
        m[3].metric(t("col.dataset").capitalize(), meta.get("dataset") or "-")
        facts = [t("gal.fact_input", shape=fmt_shape(meta.get("input_shape"))),
                 t("xp.cmp_params", n=meta["params"]) if isinstance(meta.get("params"), int)
                 else None,
                 t("gal.fact_created", when=meta["created"]) if meta.get("created") else None,
                 t("gal.fact_run", run=meta["run_id"]) if meta.get("run_id") else None,
                 t("gal.fact_shipped") if entry.shipped else None]
        st.caption(" · ".join(f for f in facts if f))
        if meta.get("hyperparams"):
            st.caption(t("gal.hyperparams") + ", ".join(
                f"{k}={v}" for k, v in meta["hyperparams"].items() if v is not None))
        if meta.get("command"):
            st.code(meta["command"], language="bash", wrap_lines=True)
        epochs = store.history_rows(meta)
        if epochs:
            ui.plotly_chart(charts.training_curves_figure(epochs), width="stretch")
        else:
            st.caption(t("gal.no_curves"))
        cm, classes = meta.get("confusion_matrix"), meta.get("class_names")
        if cm and classes and len(cm) == len(classes):
            st.subheader(t("gal.cm"))
            ui.plotly_chart(charts.confusion_matrix_figure(cm, classes), width="stretch")
        st.download_button(t("gal.download", file=entry.path.name), data=entry.path.read_bytes,
                           file_name=entry.path.name, mime="application/octet-stream",
                           key=f"gallery_dl_{entry.name}")
    if entry.shipped:
        st.caption(t("gal.no_delete"))
    elif st.session_state.get("gallery_confirm") != entry.name:
        if st.button(t("gal.delete", name=entry.name), key="gallery_delete"):
            st.session_state["gallery_confirm"] = entry.name
            st.rerun()
    else:
        st.warning(t("gal.confirm", name=entry.name))
        yes, no = st.columns(2)
        if yes.button(t("gal.yes"), type="primary", key="gallery_delete_yes"):
            try:
                store.delete_model(entry.name)
            except ValueError as e:
                st.error(str(e))
            else:
                st.session_state.pop("gallery_confirm", None)
                st.session_state.pop("gallery_model", None)
                st.toast(t("gal.deleted", name=entry.name))
                st.rerun()
        if no.button(t("gal.cancel"), key="gallery_delete_no"):
            st.session_state.pop("gallery_confirm", None)
            st.rerun()
