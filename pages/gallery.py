"""Gallery: every zoo architecture (layer table, totals, diagram, what is special), a comparison
of all of them, and every trained model in the store (metrics, curves, confusion matrix,
download, delete). Thin: the numbers come from cnnweb.zoo / cnnweb.store via cnnweb.ui caches."""

import streamlit as st

from cnnweb import byom, charts, classroom, data, stack, store, summary, ui, zoo

ui.ensure_app_navigation()
t = ui.t

SHAPES = {"32×32×3 (CIFAR-10 colour)": (32, 32, 3), "28×28×1 (MNIST grey)": (28, 28, 1)}
APP_SHAPES = {"96×96×3": (96, 96, 3), "224×224×3": (224, 224, 3)}   # keras.applications


def fmt_shape(shape) -> str:
    return summary.shape_text(shape, "×")


def layer_table(rows):
    return [{ui.term("layer"): r["name"], ui.term("type"): r["type"],
             ui.term("config"): ui.tr(r["config"]) if summary.analysed(r) else t("sum.not_analysed"),
             ui.term("output"): fmt_shape(r["output_shape"]),
             ui.term("params"): r["params"], ui.term("non-trainable"): r["non_trainable"],
             ui.term("multiply-adds"): r["macs"], ui.term("RF size"): _rf_cell(r["rf_size"]),
             ui.term("RF jump"): _rf_cell(r["rf_jump"])} for r in rows]


def _rf_cell(value) -> str:
    """A receptive-field cell: its number, or a dash after the spatial layers (a grid would
    print Python's "None", in English, on a Chinese page too)."""
    return "—" if value is None else f"{value:g}"


def designed_archs() -> dict:
    """stack:<code> architectures to show -> the input they were trained on (or None): the one
    of a link (?arch=stack:..., once; a bad code is one line) and those of stored models."""
    ss, found = st.session_state, {}
    for e in store.list_models():
        arch = e.meta.get("arch") if e.ok else None
        shape = e.meta.get("input_shape")
        if stack.is_arch(arch) and arch not in found:
            found[arch] = tuple(shape) if isinstance(shape, list) and len(shape) == 3 else None
    link = st.query_params.get("arch")
    if stack.is_arch(link):
        try:
            arch = stack.arch_id(*stack.parse_arch(link))
            zoo.info(arch)                       # a layer Keras cannot build
        except ValueError as e:
            st.error(t("gal.arch_link_error", error=ui.md_text(ui.tr(e.args[0] if e.args else e))))
        else:
            found.setdefault(arch, None)
            if ss.get("gallery_arch_link") != link:      # selected once, then the reader's pick
                ss.gallery_arch_link, ss.gallery_arch = link, arch
    elif link in zoo.names() + zoo.application_names() and ss.get("gallery_arch_link") != link:
        ss.gallery_arch_link = ss.gallery_arch = link
    return found


def arch_title(name: str, designed: list[str]) -> str:
    """A picker's line: a zoo architecture with its source, a designed one numbered."""
    if stack.is_arch(name):
        n = designed.index(name) + 1
        return t("tr.stack_option") + (f" {n}" if len(designed) > 1 else "")
    return f"{name}: {ui.term(zoo.info(name)['source'].split(' (')[0])}"


def arch_heading(name: str, arch: dict) -> None:
    """What the architecture is: a zoo one's description and source, a designed one's code."""
    if stack.is_arch(name):
        layers, _ = stack.parse_arch(name)
        st.markdown(t("gal.stack_desc", n=len(layers), code=ui.code_text(name)))
        return
    st.markdown(f"**{ui.md_text(name)}**: {ui.md_text(ui.zoo_text(name, 'description', arch))}  \n"
                f"*{t('gal.source', source=ui.md_text(ui.term(arch['source'])))}*")
    if arch["source"].startswith("Tutorial"):
        st.caption(t("app.tutorials"))


def best_accuracy(entries) -> dict:
    """arch -> (best test accuracy, model name, dataset) over the readable trained models."""
    best = {}
    for e in entries:
        acc = e.meta.get("test_accuracy")
        if e.ok and isinstance(acc, (int, float)) and acc > best.get(e.meta.get("arch"), (-1,))[0]:
            best[e.meta.get("arch")] = (acc, e.name, e.meta.get("dataset"))
    return best


def analysis_metrics(analysis: dict) -> None:
    """Total parameters, weights, multiply-adds and the last receptive field of a layer table."""
    tot, rows = analysis["totals"], analysis["rows"]
    last_rf = next((r for r in reversed(rows) if r["rf_size"]), None)
    m = st.columns([1.5, 1, 1, 1])        # room for "15,352,754" at 1280 px
    m[0].metric(t("gal.total_params"), f"{tot['params']:,}",
                help=t("gal.total_params_help", trainable=tot["trainable"],
                       fixed=tot["non_trainable"]))
    m[1].metric(t("gal.weights"), f"{tot['size_mb']:.2f} MB")
    m[2].metric(t("gal.macs"), f"{tot['macs'] / 1e6:,.1f} M",
                help=t("gal.macs_help", macs=tot["macs"], flops=tot["flops"]))
    m[3].metric(t("les.rf"), f"{last_rf['rf_size']} px" if last_rf else "-",
                help=t("gal.rf_help", name=ui.md_text(last_rf["name"]), jump=last_rf["rf_jump"])
                if last_rf else None)
    st.caption(t("gal.layers_caption", layers=tot["layers"], flops=tot["flops"] / 1e6))


def analysis_tabs(analysis: dict) -> None:
    """The layer table and the diagram of a layer table, in two tabs."""
    tot, rows = analysis["totals"], analysis["rows"]
    tab_layers, tab_diagram = st.tabs([t("gal.tab_layers"), t("gal.tab_diagram")])
    with tab_layers:
        st.dataframe(layer_table(rows), hide_index=True, height=min(38 + 35 * len(rows), 640),
                     column_config={ui.term("layer"): st.column_config.TextColumn(width="medium"),
                                    **{ui.term(c): st.column_config.NumberColumn(format="localized")
                                       for c in ("params", "non-trainable", "multiply-adds")}})
        st.caption(t("gal.layers_note"))
        if tot["not_analysed"]:
            st.caption(t("gal.not_analysed_note", n=tot["not_analysed"]))
    with tab_diagram:
        st.caption(t("gal.diagram_note"))
        st.graphviz_chart(analysis["dot"], width="content")


def model_file_view() -> None:
    """An uploaded .keras/.h5 file: checked in a worker (cnnweb.byom), its layer table and
    diagram; kept in the store only when the reader saves it under a new name."""
    st.caption(t("gal.byom_intro"))
    info, path = ui.model_file_upload(t("gal.byom_upload"), key="gallery_byom_file")
    if info is None:
        return
    st.markdown(t("gal.byom_facts", input=fmt_shape(info["input_shape"]),
                  output=fmt_shape(info["output_shape"]), params=info["keras_params"],
                  convs=len(info["conv_layers"])))
    if info["predict_problem"]:
        st.warning(ui.md_text(ui.tr(info["predict_problem"])))
    analysis_metrics(info)
    analysis_tabs(info)
    save_model_file(info, path)


def save_model_file(info: dict, path) -> None:
    """Save the uploaded model into the store under a name not taken (never overwriting)."""
    with st.form("gallery_byom_save"):
        st.markdown(f"**{t('gal.byom_save_title')}**")
        name = st.text_input(t("gal.byom_save_name"), key="gallery_byom_name")
        names = st.text_input(t("pred.byom_names"), key="gallery_byom_classes",
                              help=t("pred.byom_names_help"))
        if not st.form_submit_button(t("gal.byom_save")):
            return
    try:
        meta = {"source_file": ui.uploaded_name("gallery_byom_file")}
        if names.strip():
            meta["class_names"] = byom.class_names(names, info["output_shape"][-1])
        saved = byom.save(path, name, meta)
    except ValueError as e:
        st.error(ui.md_text(ui.tr(e.args[0])))
    else:
        st.success(t("gal.byom_saved", name=ui.md_text(saved.stem)))


def export_buttons(entry) -> None:
    """Download the model as its .keras file and as TensorFlow Lite (converted on click)."""
    c1, c2 = st.columns(2)
    c1.download_button(t("gal.download", file=ui.md_text(entry.path.name)), data=entry.path.read_bytes,
                       file_name=entry.path.name, mime="application/octet-stream",
                       key=f"gallery_dl_{entry.name}")
    c2.download_button(t("gal.download_tflite", file=ui.md_text(entry.name + ".tflite")),
                       data=lambda: ui.tflite_bytes(entry.path), file_name=entry.name + ".tflite",
                       mime="application/octet-stream", key=f"gallery_tflite_{entry.name}",
                       help=t("gal.tflite_help"))


def _delete(name: str):
    """The confirmed delete (a button callback): only what this session may manage."""
    try:
        classroom.delete_model(name, ui.viewer(), ui.teacher())
    except classroom.NotYours as e:
        st.error(t("cls.not_yours", name=ui.md_text(e.owner or "–")))
    except ValueError as e:
        st.error(ui.md_text(e))
    else:
        st.session_state.pop("gallery_confirm", None)
        st.session_state.pop("gallery_model", None)
        st.toast(t("gal.deleted", name=ui.md_text(name)))


def pick_view() -> str:
    st.title(t("nav.gallery"))
    st.write(t("gal.intro"))
    return st.radio(t("gal.view"), list(VIEWS), horizontal=True, key="gallery_view",
                    label_visibility="collapsed", format_func=ui.term)


# ------------------------------------------------------------------ one architecture
def architecture_view():
    trained_on = designed_archs()
    designed = list(trained_on)
    names = zoo.names() + zoo.application_names() + designed
    c1, c2, c3 = st.columns([2, 2, 1])
    name = c1.selectbox(t("col.arch").capitalize(), names, key="gallery_arch",
                        format_func=lambda n: arch_title(n, designed))
    arch = zoo.info(name)
    shapes = APP_SHAPES if arch["application"] else SHAPES
    own = trained_on.get(name)
    if own and own not in shapes.values():            # a designed stack's own dataset's input
        shapes = {**shapes, fmt_shape(own): own}
    default = next((k for k, v in shapes.items() if v == (own or tuple(arch["input_shape"]))), None)
    labels = list(shapes)
    shape_label = c2.radio(t("gal.app_input" if arch["application"] else "gal.input"), labels,
                           horizontal=True, key=f"gallery_shape_{name}",
                           index=labels.index(default) if default else 0, format_func=ui.term)
    classes = c3.number_input(t("gal.classes"), min_value=2, max_value=1000, value=10, step=1,
                              key="gallery_classes")
    arch_heading(name, arch)
    try:
        analysis = ui.zoo_analysis(name, shapes[shape_label], int(classes))
    except ValueError as e:
        st.error(ui.md_text(ui.tr(e.args[0] if e.args else e)))
        st.stop()
    analysis_metrics(analysis)
    if arch["notes"] and not stack.is_arch(name):
        st.info(f"**{t('gal.special')}** {ui.md_text(ui.zoo_text(name, 'notes', arch))}")
    analysis_tabs(analysis)


# ------------------------------------------------------------------ all architectures
def compare_view():
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
                            "model": acc[1] if acc else "",
                            "dataset": data.DATASETS[acc[2]].title if acc and acc[2] in
                            data.DATASETS else (acc[2] if acc else ""),
                            "ImageNet top-5": zoo.info(name)["top5_error"] or ""})
    for p in problems:
        st.warning(p)
    ui.plotly_chart(charts.arch_comparison_figure(records), width="stretch")
    st.dataframe(records, hide_index=True, column_config={
        "name": st.column_config.TextColumn(t("col.arch")),
        "ImageNet top-5": st.column_config.TextColumn(t("gal.top5")),
        "params": st.column_config.NumberColumn(t("les.cbapd.params"), format="localized"),
        "macs": st.column_config.NumberColumn(ui.term("multiply-adds"), format="localized"),
        "size_mb": st.column_config.NumberColumn("MB (float32)"),
        "accuracy": st.column_config.NumberColumn(t("gal.best_acc"), format="percent"),
        "model": st.column_config.TextColumn(t("col.model"), width="medium"),
        "dataset": st.column_config.TextColumn(t("col.dataset"))})
    st.caption(t("gal.compare_note") + " " + t("gal.compare_acc"))


# ------------------------------------------------------------------ trained models
def trained_models_view():
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
        st.warning(t("gal.unusable", name=ui.md_text(e.name), error=ui.md_text(ui.tr(e.error))))
    unreadable = {e.name for e in bad}
    target = st.selectbox(t("col.model").capitalize(), [e.name for e in good + bad],
                          key="gallery_model", format_func=lambda n: n + (
                              t("gal.unreadable") if n in unreadable else ""))
    entry = next(e for e in entries if e.name == target)
    if entry.ok:
        model_details(entry)
    delete_controls(entry)


def model_details(entry):
    """A readable model's metrics, facts, command, curves, confusion matrix and downloads."""
    meta = entry.meta
    acc, loss = meta.get("test_accuracy"), meta.get("test_loss")
    m = st.columns([1, 1, 1.9, 1.1])     # "cnnweb_cifar_fast" whole at 1280 px
    m[0].metric(t("tr.test_acc"), f"{acc:.2%}" if isinstance(acc, (int, float)) else "-")
    m[1].metric(t("tr.test_loss"), f"{loss:.4f}" if isinstance(loss, (int, float)) else "-")
    m[2].metric(t("col.arch").capitalize(), ui.md_text(meta.get("arch") or "-"))
    m[3].metric(t("col.dataset").capitalize(), ui.md_text(meta.get("dataset") or "-"))
    facts = [t("gal.fact_input", shape=fmt_shape(meta.get("input_shape"))),
             t("xp.cmp_params", n=meta["params"]) if isinstance(meta.get("params"), int)
             else None,
             t("gal.fact_created", when=ui.md_text(meta["created"])) if meta.get("created") else None,
             t("gal.fact_run", run=ui.md_text(meta["run_id"])) if meta.get("run_id") else None,
             t("gal.fact_shipped") if entry.shipped else None]
    st.caption(" · ".join(f for f in facts if f))
    if meta.get("hyperparams"):
        st.caption(t("gal.hyperparams") + ", ".join(     # the names as in the command
            f"`{ui.code_text(f'{k}={v}')}`" for k, v in meta["hyperparams"].items() if v is not None))
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
    export_buttons(entry)


def delete_controls(entry):
    """Delete (after a confirmation) what this session may manage; say why not otherwise."""
    owner = classroom.owner_of(entry.meta)
    if ui.class_mode():
        st.caption(ui.owner_text(owner))
    if entry.shipped:
        st.caption(t("gal.no_delete"))
    elif not ui.may_manage(owner):     # no button; the guard itself is in _delete
        st.caption(t("cls.not_yours", name=ui.md_text(owner or "–")))
    elif st.session_state.get("gallery_confirm") != entry.name:
        if st.button(t("gal.delete", name=ui.md_text(entry.name)), key="gallery_delete"):
            st.session_state["gallery_confirm"] = entry.name
            st.rerun()
    else:
        st.warning(t("gal.confirm", name=ui.md_text(entry.name)))
        yes, no = st.columns(2)
        yes.button(t("gal.yes"), type="primary", key="gallery_delete_yes", on_click=_delete,
                   args=(entry.name,))
        if no.button(t("gal.cancel"), key="gallery_delete_no"):
            st.session_state.pop("gallery_confirm", None)
            st.rerun()


VIEWS = {"Architectures": architecture_view, "Compare all": compare_view,
         "Trained models": trained_models_view, "Model file": model_file_view}
VIEWS[pick_view()]()
