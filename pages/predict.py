"""Predict: draw a digit or upload pictures, see what a trained model says, how sure it is, what
its layers see and where it looked. Thin: preprocessing in cnnweb.images, predictions, feature
maps and Grad-CAM in cnnweb.explain, cached model loading and the canvas in cnnweb.ui."""


import numpy as np
import streamlit as st

from cnnweb import byom, charts, explain, images, store, ui

ui.ensure_app_navigation()
t = ui.t


def model_label(e) -> str:
    m = e.meta
    acc = m.get("test_accuracy")
    acc = f"{acc:.1%}" if isinstance(acc, (int, float)) else t("pred.acc_unknown")
    shape = "×".join(map(str, m.get("input_shape") or [])) or "?"
    return f"{'★ ' if e.shipped else ''}{e.name} · {m.get('dataset', '?')} · {acc} · {shape}"


def show_prediction(x, probs, class_names, k, caption):
    """The exact model input beside the top-k bar chart."""
    left, right = st.columns([1, 2])
    left.image(images.upscale(x, 196), caption=caption)
    with right:
        ui.plotly_chart(charts.topk_figure(explain.top_k(probs, class_names, k)["top"]),
                        width="stretch", key=f"topk_{caption}")


def stored_model():
    """(widget key, model, input shape, class names, caption, preparation) of a model from the
    store; its inputs are made as its dataset's pictures were (images.preparation)."""
    # shipped first (digit models leading, so drawing works out of the box), then the user's
    entries = sorted((e for e in store.list_models() if e.ok),
                     key=lambda e: (not e.shipped, e.meta.get("dataset") != "mnist", e.name.lower()))
    if not entries:
        st.warning(t("pred.no_model"))
        st.stop()
    by_name = {e.name: e for e in entries}
    name = st.selectbox(t("col.model").capitalize(), list(by_name), key="predict_model",
                        format_func=lambda n: model_label(by_name[n]), help=t("pred.model_help"))
    entry = by_name[name]
    meta = entry.meta
    try:
        model = ui.load_stored_model(entry.path)
    except ValueError as e:
        st.error(t("pred.load_error", error=ui.md_text(ui.tr(e.args[0]))))
        st.stop()
    try:    # the sidecar is untrusted: nothing is sized from it before it agrees with the model
        shape, class_names = store.model_io(model, meta, entry.json_path.name)
    except ValueError as e:
        st.error(ui.md_text(ui.tr(e.args[0])))
        st.stop()
    class_names = [ui.term(c) for c in class_names]      # CIFAR-10's names in the reader's language
    acc = meta.get("test_accuracy")
    caption = (t("pred.model_facts", arch=ui.md_text(meta.get("arch", "?")),
                 dataset=ui.md_text(meta.get("dataset", "?")), shape="×".join(map(str, shape)))
               + (t("pred.model_acc", acc=acc) if isinstance(acc, (int, float)) else ""))
    return name, model, shape, class_names, caption, images.preparation(shape, meta.get("dataset"))


def file_model():
    """The same for an uploaded .keras/.h5 file (checked in a worker process first), with class
    names from an uploaded sidecar or typed in (else numbered)."""
    info, path = ui.model_file_upload(t("pred.byom_upload"), key="predict_byom_file")
    if info is None:
        st.info(t("pred.byom_hint"))
        st.stop()
    if info["predict_problem"]:
        st.error(ui.md_text(ui.tr(info["predict_problem"])))
        st.stop()
    model = ui.model_file_model(path)
    side = st.file_uploader(t("pred.byom_sidecar"), key="predict_byom_sidecar", max_upload_size=4)
    typed = st.text_input(t("pred.byom_names"), key="predict_byom_classes",
                          help=t("pred.byom_names_help"))
    meta = {}
    try:
        if side is not None:
            meta = byom.sidecar(side.getvalue(), ui.uploaded_name("predict_byom_sidecar"))
        if typed.strip():
            meta["class_names"] = byom.class_names(typed, info["output_shape"][-1])
        shape, class_names = store.model_io(model, meta, ui.uploaded_name("predict_byom_sidecar")
                                            or t("pred.byom_names"))
    except ValueError as e:
        st.error(ui.md_text(ui.tr(e.args[0])))
        shape, class_names = store.model_io(model, {})
    caption = t("pred.byom_facts", file=ui.md_text(ui.uploaded_name("predict_byom_file")),
                shape="×".join(map(str, shape)))
    return ("file_" + path.stem[:16], model, shape, class_names, caption,
            images.preparation(shape, meta.get("dataset")))


st.title(t("nav.predict"))
st.write(t("pred.intro"))
origin = st.radio(t("pred.origin"), ["Stored model", "Model file"], horizontal=True,
                  key="predict_origin", format_func=ui.term)
c1, c2 = st.columns([3, 1])
k = c2.number_input(t("pred.topk"), min_value=1, max_value=10, value=3, key="predict_topk")
with c1:
    name, model, shape, class_names, facts, how = (stored_model() if origin == "Stored model"
                                                   else file_model())
digit = how == images.DIGIT
st.caption(facts + t("pred.model_classes", classes=ui.md_text(", ".join(map(str, class_names))))
           + ("" if digit else "  \n" + t("pred.only_classes", n=len(class_names))))


def draw_input():
    """A digit drawn on the canvas: (model input, probabilities) or (None, None)."""
    d1, d2 = st.columns([3, 2])
    with d1:
        stroke = st.slider(t("pred.stroke"), 6, 40, 18, key="predict_stroke")
        clears = st.session_state.setdefault("predict_clears", 0)
        rgba = ui.draw_canvas(key=f"predict_canvas_{clears}", stroke_width=stroke)
        if st.button(t("pred.clear"), key="predict_clear"):
            st.session_state["predict_clears"] = clears + 1
            st.rerun()
    with d2:
        try:
            x = images.canvas_to_input(rgba, shape)
        except ValueError as e:
            st.info(t("pred.draw_hint", why=ui.term(str(e).capitalize())))
            return None, None
        probs = explain.predict(model, x)
        top = explain.top_k(probs, class_names, k)
        st.metric(t("pred.prediction"), ui.md_text(top["label"]), t("pred.sure", p=top["confidence"]),
                  delta_color="off", delta_arrow="off")
        st.image(images.upscale(x, 168), caption=t("pred.sees", h=shape[0], w=shape[1]))
        ui.plotly_chart(charts.topk_figure(top["top"]), width="stretch", key="topk_draw")
    return x, probs


def fit_choice() -> str:
    return "squash" if digit else st.radio(t("pred.fit"), images.FITS, horizontal=True,
                                           key="predict_fit",
                                           format_func=lambda f: t("pred.fit_" + f))


def upload_input():
    """Uploaded pictures: (the picked one's model input, probabilities) or (None, None)."""
    fit = fit_choice()
    files = ui.picture_uploader(t("pred.files"), accept_multiple_files=True, key="predict_files")
    if not files:
        st.info(t("pred.upload_hint") + (t("pred.upload_scans") if digit else ""))
    return pictures_view(ui.prepare_uploads(files, shape, fit, how))


def webcam_input():
    """A webcam picture, through the same decoder and view as an uploaded one."""
    fit = fit_choice()
    shot = ui.camera_picture(t("pred.cam_take"), key="predict_camera")
    st.caption(t("tr.cam_where"))
    if shot is None:
        st.info(t("pred.cam_hint"))
        return None, None
    return pictures_view(ui.prepare_uploads([shot], shape, fit, how))


def pictures_view(prepared):
    """Each prepared picture's error, a table when there are several, the picked one's input
    beside its top-k: (its model input, probabilities) or (None, None)."""
    for p in prepared:
        if not p.ok:
            st.error(ui.md_text(ui.tr(p.error)))
    good = [p for p in prepared if p.ok]
    if not good:
        return None, None
    all_probs = explain.predict_many(model, [p.x for p in good])
    rows = [{"file": p.name, **explain.top_k(pr, class_names, k)} for p, pr in zip(good, all_probs)]
    i = results_table(rows) if len(good) > 1 else 0
    x, probs = good[i].x, all_probs[i]
    if x.shape[-1] == 3 and np.ptp(x.astype(np.int16), axis=-1).max() <= 8:
        st.warning(t("pred.not_a_photo", n=len(class_names), classes=", ".join(class_names)),
                   icon=":material/warning:")
    show_prediction(x, probs, class_names, k,
                    ui.md_text(f"{good[i].name}: {rows[i]['label']} ({rows[i]['confidence']:.1%})"))
    return x, probs


def results_table(rows) -> int:
    """Several pictures: a table, a CSV download and a picker; the index of the picked one."""
    table = [{"file": r["file"], "prediction": r["label"], "confidence": r["confidence"],
              f"top {k}": ", ".join(f"{lab} {q:.0%}" for lab, q in r["top"])} for r in rows]
    st.dataframe(table, width="stretch", hide_index=True, column_config={
        "file": st.column_config.TextColumn(t("pred.col_file")),
        "prediction": st.column_config.TextColumn(t("pred.prediction")),
        f"top {k}": st.column_config.TextColumn(t("pred.col_top", k=k)),
        "confidence": st.column_config.ProgressColumn(
            t("pred.col_confidence"), format="percent", min_value=0, max_value=1)})
    st.download_button(t("pred.csv"), explain.predictions_csv(table), "predictions.csv",
                       "text/csv", key="predict_csv")
    pick = st.selectbox(t("pred.closer"), [r["file"] for r in rows], key="predict_pick")
    return [r["file"] for r in rows].index(pick)


def inside(x):
    """Feature maps of a layer beside Grad-CAM for a class, for the current input x."""
    st.subheader(t("pred.inside"))
    convs = explain.conv_layers(model)
    f1, f2 = st.columns(2)
    with f1:
        if convs:
            layer = st.selectbox(t("pred.fmaps"), convs, key=f"predict_layer_{name}")
            fmap = explain.feature_maps(model, x, [layer])[layer]
            shown = min(fmap.shape[2], 64)
            st.image(explain.feature_grid(fmap, max_maps=64, cols=8),
                     caption=t("pred.fmaps_caption", layer=ui.md_text(layer), h=fmap.shape[0],
                               w=fmap.shape[1], shown=shown, total=fmap.shape[2]))
        else:
            st.info(t("pred.no_convs"))
    with f2:
        target = st.selectbox(t("pred.cam_class"), range(-1, len(class_names)),
                              key=f"predict_cam_class_{name}",
                              format_func=lambda c: t("pred.cam_predicted") if c < 0
                              else class_names[c])
        cam_layer = st.selectbox(t("pred.cam_layer"), [None, *convs], key=f"predict_cam_layer_{name}",
                                 format_func=lambda n: t("pred.cam_auto") if n is None else n)
        try:
            cam = explain.gradcam(model, x, None if target < 0 else target, cam_layer)
        except ValueError as e:
            st.warning(t("pred.cam_error", error=ui.md_text(e)))
        else:
            note = "" if cam.heatmap.max() > 0 else t("pred.cam_none")
            st.image(explain.overlay(x, cam.heatmap, 0.5, 280),
                     caption=t("pred.cam_caption", label=ui.md_text(class_names[cam.class_index]),
                               p=cam.probability, layer=ui.md_text(cam.layer),
                               h=cam.heatmap.shape[0], w=cam.heatmap.shape[1]) + note)


SOURCES = {"Draw": draw_input, "Upload": upload_input, "Webcam": webcam_input}   # ids, not titles
choices = list(SOURCES) if digit else ["Upload", "Webcam"]
if st.session_state.get("predict_source") not in choices:     # Draw, then a colour model
    st.session_state.predict_source = choices[0]
source = st.radio(t("gal.input"), choices, horizontal=True, key="predict_source",
                  label_visibility="collapsed", format_func=ui.term)
if not digit:
    st.caption(t("pred.draw_digits_only"))
x, probs = SOURCES[source]()                 # the current input and its prediction

if x is not None:
    inside(x)
