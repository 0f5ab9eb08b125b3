"""Gallery: every zoo architecture (layer table, totals, diagram, what is special), a comparison
of all of them, and every trained model in the store (metrics, curves, confusion matrix,
download, delete). Thin: the numbers come from cnnweb.zoo / cnnweb.store via cnnweb.ui caches."""

import streamlit as st

from cnnweb import charts, store, ui, zoo

ui.ensure_app_navigation()

SHAPES = {"32×32×3 (CIFAR-10 colour)": (32, 32, 3), "28×28×1 (MNIST grey)": (28, 28, 1)}


def fmt_shape(shape) -> str:
    return "×".join(map(str, shape)) if shape else "?"


def layer_table(rows):
    return [{"layer": r["name"], "type": r["type"], "config": r["config"],
             "output": fmt_shape(r["output_shape"]), "params": r["params"],
             "non-trainable": r["non_trainable"], "multiply-adds": r["macs"],
             "RF size": r["rf_size"], "RF jump": r["rf_jump"]} for r in rows]


def best_accuracy(entries) -> dict:
    """arch -> (best test accuracy, model name, dataset) over the readable trained models."""
    best = {}
    for e in entries:
        acc = e.meta.get("test_accuracy")
        if e.ok and isinstance(acc, (int, float)) and acc > best.get(e.meta.get("arch"), (-1,))[0]:
            best[e.meta.get("arch")] = (acc, e.name, e.meta.get("dataset"))
    return best


st.title("Gallery")
st.write("The classic CNNs side by side, and every model trained in this app.")
view = st.radio("View", ["Architectures", "Compare all", "Trained models"], horizontal=True,
                key="gallery_view", label_visibility="collapsed")

# ------------------------------------------------------------------ one architecture
if view == "Architectures":
    names = zoo.names()
    c1, c2, c3 = st.columns([2, 2, 1])
    name = c1.selectbox("Architecture", names, key="gallery_arch",
                        format_func=lambda n: f"{n}: {zoo.info(n)['source'].split(' (')[0]}")
    arch = zoo.info(name)
    default = next((k for k, v in SHAPES.items() if v == tuple(arch["input_shape"])), None)
    labels = list(SHAPES)
    shape_label = c2.radio("Input", labels, horizontal=True, key=f"gallery_shape_{name}",
                           index=labels.index(default) if default else 0)
    classes = c3.number_input("Classes", min_value=2, max_value=1000, value=10, step=1,
                              key="gallery_classes")
    st.markdown(f"**{name}**: {arch['description']}  \n*Source: {arch['source']}*")
    try:
        analysis = ui.zoo_analysis(name, SHAPES[shape_label], int(classes))
    except ValueError as e:
        st.error(str(e))
        st.stop()
    t, rows = analysis["totals"], analysis["rows"]
    last_rf = next((r for r in reversed(rows) if r["rf_size"]), None)
    m = st.columns(4)
    m[0].metric("Total parameters", f"{t['params']:,}",
                help=f"trainable {t['trainable']:,}, non-trainable {t['non_trainable']:,} "
                     "(batch-norm moving means and variances)")
    m[1].metric("Weights (float32)", f"{t['size_mb']:.2f} MB")
    m[2].metric("Multiply-adds", f"{t['macs'] / 1e6:,.1f} M",
                help=f"{t['macs']:,} multiply-adds per image; FLOPs ≈ 2 × that = {t['flops']:,}")
    m[3].metric("Receptive field", f"{last_rf['rf_size']} px" if last_rf else "-",
                help=f"of one cell of {last_rf['name']}, the last spatial layer "
                     f"(jump {last_rf['rf_jump']})" if last_rf else None)
    st.caption(f"{t['layers']} layers · FLOPs ≈ 2 × multiply-adds = {t['flops'] / 1e6:,.1f} M "
               "per image")
    if arch["notes"]:
        st.info(f"**What is special.** {arch['notes']}")
    tab_layers, tab_diagram = st.tabs(["Layers", "Diagram"])
    with tab_layers:
        st.dataframe(layer_table(rows), hide_index=True, height=min(38 + 35 * len(rows), 640),
                     column_config={"layer": st.column_config.TextColumn(width="medium"),
                                    "params": st.column_config.NumberColumn(format="localized"),
                                    "non-trainable": st.column_config.NumberColumn(format="localized"),
                                    "multiply-adds": st.column_config.NumberColumn(format="localized")})
        st.caption("Shapes, parameters, multiply-adds and receptive fields are computed with "
                   "cnnweb.conv from the layer settings (the tests check them against Keras). "
                   "Receptive field along the height: where branches meet, the largest over the "
                   "inbound paths.")
    with tab_diagram:
        st.caption("Batch norm, activation and dropout are drawn inside the box of the layer they "
                   "follow; dashed edges are identity skip connections.")
        st.graphviz_chart(analysis["dot"], width="content")

# ------------------------------------------------------------------ all architectures
elif view == "Compare all":
    shape_label = st.radio("Compare at input", list(SHAPES), horizontal=True, key="gallery_cmp_shape")
    best = best_accuracy(store.list_models())
    records, problems = [], []
    with st.spinner("Building every architecture once…"):
        for name in zoo.names():
            try:
                t = ui.zoo_analysis(name, SHAPES[shape_label], 10)["totals"]
            except ValueError as e:
                problems.append(f"{name}: {e}")
                continue
            acc = best.get(name)
            records.append({"name": name, "params": t["params"], "macs": t["macs"],
                            "size_mb": round(t["size_mb"], 2), "accuracy": acc[0] if acc else None,
                            "model": acc[1] if acc else "", "dataset": acc[2] if acc else "",
                            "ImageNet top-5": zoo.info(name)["top5_error"] or ""})
    for p in problems:
        st.warning(p)
    st.plotly_chart(charts.arch_comparison_figure(records), width="stretch")
    st.dataframe(records, hide_index=True, column_config={
        "params": st.column_config.NumberColumn("parameters", format="localized"),
        "macs": st.column_config.NumberColumn("multiply-adds", format="localized"),
        "size_mb": st.column_config.NumberColumn("MB (float32)"),
        "accuracy": st.column_config.NumberColumn("best test accuracy", format="percent")})
    st.caption("Accuracy is the best test-set accuracy of a model of that architecture trained in "
               "this app (empty until one is trained). Parameters and multiply-adds for 10 classes.")

# ------------------------------------------------------------------ trained models
else:
    entries = store.list_models()
    if not entries:
        st.info("No trained models yet. Train one on the Trainer page and it appears here.")
        st.page_link("pages/trainer.py", label="Go to the Trainer", icon="📈")
        st.stop()
    good = [e for e in entries if e.ok]
    bad = [e for e in entries if not e.ok]
    if good:
        st.dataframe([{"model": e.name, "architecture": e.meta.get("arch"),
                       "dataset": e.meta.get("dataset"), "test accuracy": e.meta.get("test_accuracy"),
                       "shipped": e.shipped, "created": e.meta.get("created")} for e in good],
                     hide_index=True, column_config={
                         "test accuracy": st.column_config.NumberColumn(format="percent")})
    for e in bad:
        st.warning(f"**{e.name}** cannot be used: {e.error}.")
    unreadable = {e.name for e in bad}
    target = st.selectbox("Model", [e.name for e in good + bad], key="gallery_model",
                          format_func=lambda n: n + ("  (unreadable)" if n in unreadable else ""))
    entry = next(e for e in entries if e.name == target)
    meta = entry.meta
    if entry.ok:
        acc, loss = meta.get("test_accuracy"), meta.get("test_loss")
        m = st.columns(4)
        m[0].metric("Test accuracy", f"{acc:.2%}" if isinstance(acc, (int, float)) else "-")
        m[1].metric("Test loss", f"{loss:.4f}" if isinstance(loss, (int, float)) else "-")
        m[2].metric("Architecture", meta.get("arch") or "-")
        m[3].metric("Dataset", meta.get("dataset") or "-")
        facts = [f"input {fmt_shape(meta.get('input_shape'))}",
                 f"{meta['params']:,} parameters" if isinstance(meta.get("params"), int) else None,
                 f"created {meta.get('created')}" if meta.get("created") else None,
                 f"run {meta.get('run_id')}" if meta.get("run_id") else None,
                 "shipped with cnnweb" if entry.shipped else None]
        st.caption(" · ".join(f for f in facts if f))
        if meta.get("hyperparams"):
            st.caption("Hyperparameters: " + ", ".join(
                f"{k}={v}" for k, v in meta["hyperparams"].items() if v is not None))
        if meta.get("command"):
            st.code(meta["command"], language="bash", wrap_lines=True)
        epochs = store.history_rows(meta)
        if epochs:
            st.plotly_chart(charts.training_curves_figure(epochs), width="stretch")
        else:
            st.caption("No training curves were recorded for this model.")
        cm, classes = meta.get("confusion_matrix"), meta.get("class_names")
        if cm and classes and len(cm) == len(classes):
            st.subheader("Confusion matrix (test set)")
            st.plotly_chart(charts.confusion_matrix_figure(cm, classes), width="stretch")
        st.download_button(f"Download {entry.path.name}", data=entry.path.read_bytes,
                           file_name=entry.path.name, mime="application/octet-stream",
                           key=f"gallery_dl_{entry.name}")
    if entry.shipped:
        st.caption("Shipped models cannot be deleted from the app.")
    elif st.session_state.get("gallery_confirm") != entry.name:
        if st.button(f"Delete {entry.name}…", key="gallery_delete"):
            st.session_state["gallery_confirm"] = entry.name
            st.rerun()
    else:
        st.warning(f"Delete **{entry.name}** for good? Its .keras and .json files are removed.")
        yes, no = st.columns(2)
        if yes.button("Yes, delete it", type="primary", key="gallery_delete_yes"):
            try:
                store.delete_model(entry.name)
            except ValueError as e:
                st.error(str(e))
            else:
                st.session_state.pop("gallery_confirm", None)
                st.session_state.pop("gallery_model", None)
                st.toast(f"Deleted {entry.name}")
                st.rerun()
        if no.button("Cancel", key="gallery_delete_no"):
            st.session_state.pop("gallery_confirm", None)
            st.rerun()
