"""Predict: draw a digit or upload pictures, see what a trained model says, how sure it is, what
its layers see and where it looked. Thin: preprocessing in cnnweb.images, predictions, feature
maps and Grad-CAM in cnnweb.explain, cached model loading and the canvas in cnnweb.ui."""

import csv
import io

import streamlit as st

from cnnweb import charts, explain, images, store, ui

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


st.title(t("nav.predict"))
st.write(t("pred.intro"))

# shipped first (digit models leading, so drawing works out of the box), then the user's
entries = sorted((e for e in store.list_models() if e.ok),
                 key=lambda e: (not e.shipped, e.meta.get("dataset") != "mnist", e.name.lower()))
if not entries:
    st.warning(t("pred.no_model"))
    st.stop()
by_name = {e.name: e for e in entries}
c1, c2 = st.columns([3, 1])
name = c1.selectbox(t("col.model").capitalize(), list(by_name), key="predict_model",
                    format_func=lambda n: model_label(by_name[n]), help=t("pred.model_help"))
k = c2.number_input(t("pred.topk"), min_value=1, max_value=10, value=3, key="predict_topk")
entry = by_name[name]
meta = entry.meta
try:
    model = ui.load_stored_model(entry.path)
except ValueError as e:
    st.error(t("pred.load_error", error=e))
    st.stop()
shape = tuple(meta.get("input_shape") or model.input_shape[1:])
class_names = meta.get("class_names") or [str(i) for i in range(int(model.output.shape[-1]))]
digit = images.is_digit_model(shape)
acc = meta.get("test_accuracy")
st.caption(t("pred.model_facts", arch=meta.get("arch", "?"), dataset=meta.get("dataset", "?"),
             shape="×".join(map(str, shape)))
           + (t("pred.model_acc", acc=acc) if isinstance(acc, (int, float)) else "")
           + t("pred.model_classes", classes=", ".join(class_names)))

if digit:
    source = st.radio(t("gal.input"), ["Draw", "Upload"], horizontal=True, key="predict_source",
                      label_visibility="collapsed", format_func=ui.term)
else:
    source = "Upload"
    st.caption(t("pred.draw_digits_only"))

x = probs = None                       # the current input and its prediction
if source == "Draw":
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
        else:
            probs = explain.predict(model, x)
            top = explain.top_k(probs, class_names, k)
            st.metric(t("pred.prediction"), top["label"], t("pred.sure", p=top["confidence"]),
                      delta_color="off", delta_arrow="off")
            st.image(images.upscale(x, 168), caption=t("pred.sees", h=shape[0], w=shape[1]))
            ui.plotly_chart(charts.topk_figure(top["top"]), width="stretch", key="topk_draw")
else:
    fit = "squash"
    if not digit:
        fit = st.radio(t("pred.fit"), images.FITS, horizontal=True, key="predict_fit",
                       format_func=lambda f: t("pred.fit_" + f))
    files = st.file_uploader(t("pred.files"), accept_multiple_files=True,
                             key="predict_files",
                             type=["png", "jpg", "jpeg", "bmp", "gif", "webp", "tif", "tiff"])
    if not files:
        st.info(t("pred.upload_hint") + (t("pred.upload_scans") if digit else ""))
    prepared = images.prepare_files([(f.name, f.getvalue()) for f in files or []], shape, fit)
    for p in prepared:
        if not p.ok:
            st.error(p.error)
    good = [p for p in prepared if p.ok]
    if good:
        all_probs = explain.predict_many(model, [p.x for p in good])
        rows = [{"file": p.name, **explain.top_k(pr, class_names, k)} for p, pr in zip(good, all_probs)]
        if len(good) > 1:
            table = [{"file": r["file"], "prediction": r["label"], "confidence": r["confidence"],
                      f"top {k}": ", ".join(f"{lab} {q:.0%}" for lab, q in r["top"])} for r in rows]
            st.dataframe(table, width="stretch", hide_index=True, column_config={
                "file": st.column_config.TextColumn(t("pred.col_file")),
                "prediction": st.column_config.TextColumn(t("pred.prediction")),
                f"top {k}": st.column_config.TextColumn(t("pred.col_top", k=k)),
                "confidence": st.column_config.ProgressColumn(
                    t("pred.col_confidence"), format="percent", min_value=0, max_value=1)})
            buf = io.StringIO()
            writer = csv.DictWriter(buf, fieldnames=list(table[0]))
            writer.writeheader()
            writer.writerows(table)
            st.download_button(t("pred.csv"), buf.getvalue(), "predictions.csv",
                               "text/csv", key="predict_csv")
            pick = st.selectbox(t("pred.closer"), [r["file"] for r in rows], key="predict_pick")
            i = [r["file"] for r in rows].index(pick)
        else:
            i = 0
        x, probs = good[i].x, all_probs[i]
        show_prediction(x, probs, class_names, k,
                        f"{good[i].name}: {rows[i]['label']} ({rows[i]['confidence']:.1%})")

if x is not None:
    st.subheader(t("pred.inside"))
    convs = explain.conv_layers(model)
    f1, f2 = st.columns(2)
    with f1:
        if convs:
            layer = st.selectbox(t("pred.fmaps"), convs, key=f"predict_layer_{name}")
            fmap = explain.feature_maps(model, x, [layer])[layer]
            shown = min(fmap.shape[2], 64)
            st.image(explain.feature_grid(fmap, max_maps=64, cols=8),
                     caption=t("pred.fmaps_caption", layer=layer, h=fmap.shape[0], w=fmap.shape[1],
                               shown=shown, total=fmap.shape[2]))
        else:
            st.info(t("pred.no_convs"))
    with f2:
        target = st.selectbox(t("pred.cam_class"), range(-1, len(class_names)),
                              key=f"predict_cam_class_{name}",
                              format_func=lambda c: t("pred.cam_predicted") if c < 0
                              else class_names[c])
        try:
            cam = explain.gradcam(model, x, None if target < 0 else target)
        except ValueError as e:
            st.warning(t("pred.cam_error", error=e))
        else:
            note = "" if cam.heatmap.max() > 0 else t("pred.cam_none")
            st.image(explain.overlay(x, cam.heatmap, 0.5, 280),
                     caption=t("pred.cam_caption", label=class_names[cam.class_index],
                               p=cam.probability, layer=cam.layer, h=cam.heatmap.shape[0],
                               w=cam.heatmap.shape[1]) + note)
