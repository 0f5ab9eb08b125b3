"""Trainer: pick data, architecture and hyperparameters, train in the background, watch it live.

Thin: widgets in, cnnweb calls, figures out. Training runs in its own process (cnnweb.jobs);
this page only reads the run folders, inside an st.fragment that ticks while a run is active.
"""

import numpy as np
import streamlit as st

from cnnweb import charts, data, device, jobs, train, ui, zoo

st.set_page_config(layout="wide")   # also when the page is opened without app.py's navigation
ui.ensure_app_navigation()          # a first link to /trainer goes through st.navigation too
t = ui.t
st.title(t("nav.trainer"))
st.caption(t("tr.caption") + " " + ui.words(device.describe()))

DEFAULTS = {"tr_preset": "Custom", "tr_dataset": "mnist", "tr_arch": "mnist_cnn",
            "tr_epochs": 5, "tr_batch": 64, "tr_opt": "adam", "tr_lr": 1e-3, "tr_dropout": 0.0,
            "tr_augment": False, "tr_es": 0, "tr_val": 0.1, "tr_limit": 0,
            "tr_schedule": "constant", "tr_wd": 0.0, "tr_ls": 0.0, "tr_seed": 0, "tr_mp": False,
            "tr_name": ""}
for k, v in DEFAULTS.items():
    st.session_state.setdefault(k, v)
LRS = [1e-4, 3e-4, 5e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0]
FIELDS = {"arch": "tr_arch", "dataset": "tr_dataset", "epochs": "tr_epochs",
          "batch_size": "tr_batch", "lr": "tr_lr", "optimizer": "tr_opt", "dropout": "tr_dropout",
          "augment": "tr_augment", "early_stopping": "tr_es"}


def apply_preset():
    p = train.PRESETS.get(st.session_state.tr_preset)
    if p:
        for field, key in FIELDS.items():
            st.session_state[key] = p[field]
        st.session_state.tr_limit = p.get("limit", 0)
        st.session_state.tr_val = p.get("val_split", 0.1)


def arch_changed():
    st.session_state.tr_dropout = float(zoo.info(st.session_state.tr_arch)["hyperparams"]
                                        .get("dropout", 0.0))


# a lesson's link (?preset=...) fills the form once with that preset
if (link := st.query_params.get("preset")) in train.PRESETS and \
        st.session_state.get("tr_preset_link") != link:
    st.session_state.tr_preset_link = st.session_state.tr_preset = link
    apply_preset()

form, view = st.columns([1, 2.4], gap="large")

with form:
    st.subheader(t("tr.new_run"))
    st.selectbox(t("tr.preset"), ["Custom", *train.PRESETS], key="tr_preset",
                 on_change=apply_preset, format_func=ui.term)
    if st.session_state.tr_preset in train.PRESETS:
        st.caption(ui.term(train.PRESETS[st.session_state.tr_preset]["seed_result"]))
    st.radio(t("col.dataset").capitalize(), list(data.DATASETS), key="tr_dataset", horizontal=True,
             format_func=lambda n: data.DATASETS[n].title)
    status = {r["name"]: r for r in data.dataset_status()}[st.session_state.tr_dataset]
    (st.warning if status["is_sample"] or not status["found"] else st.caption)(
        t("tr.data", source=ui.dataset_source(status)))
    st.selectbox(t("col.arch").capitalize(), zoo.names(), key="tr_arch", on_change=arch_changed)
    arch_info = zoo.info(st.session_state.tr_arch)
    st.caption(ui.zoo_text(st.session_state.tr_arch, "description", arch_info))
    c1, c2 = st.columns(2)
    c1.number_input(t("tr.epochs"), 1, 200, key="tr_epochs")
    c2.select_slider(t("tr.batch"), [16, 32, 64, 128, 256, 512], key="tr_batch")
    c1.radio(t("tr.optimizer"), ["adam", "sgd"], key="tr_opt", horizontal=True)
    c2.select_slider(t("tr.lr"), LRS, key="tr_lr", format_func=lambda v: f"{v:g}")
    if "dropout" in arch_info["hyperparams"]:
        st.slider(t("tr.dropout"), 0.0, 0.8, step=0.05, key="tr_dropout")
    st.checkbox(t("tr.augment"), key="tr_augment", help=t("tr.augment_help"))
    c1, c2 = st.columns(2)
    c1.number_input(t("tr.es"), 0, 50, key="tr_es", help=t("tr.es_help"))
    c2.slider(t("tr.val"), 0.0, 0.3, step=0.05, key="tr_val")
    st.number_input(t("tr.limit"), 0, 60000, step=500, key="tr_limit", help=t("tr.limit_help"))
    if not ui.presenting():                  # the presentation view keeps the form short
        with st.expander(t("tr.more")):
            st.radio(t("tr.schedule"), ["constant", "cosine"], key="tr_schedule", horizontal=True,
                     format_func=ui.term)
            st.select_slider(t("tr.wd"), [0.0, 1e-5, 1e-4, 5e-4, 1e-3, 1e-2], key="tr_wd",
                             format_func=lambda v: f"{v:g}")
            st.slider(t("tr.ls"), 0.0, 0.3, step=0.05, key="tr_ls")
            st.number_input(t("tr.seed"), 0, 2**31 - 1, key="tr_seed")
            st.checkbox(t("tr.mp"), key="tr_mp", disabled=not device.gpu_names())
            st.text_input(t("tr.name"), key="tr_name")
    if st.button(t("tr.start"), type="primary", width="stretch"):
        ss = st.session_state
        cfg = train.TrainConfig(
            arch=ss.tr_arch, dataset=ss.tr_dataset, epochs=int(ss.tr_epochs),
            batch_size=int(ss.tr_batch), lr=float(ss.tr_lr), optimizer=ss.tr_opt,
            dropout=float(ss.tr_dropout) if "dropout" in arch_info["hyperparams"] else None,
            augment=bool(ss.tr_augment), early_stopping=int(ss.tr_es),
            val_split=float(ss.tr_val), limit=int(ss.tr_limit) or None,
            name=ss.tr_name.strip() or None, schedule=ss.tr_schedule,
            weight_decay=float(ss.tr_wd), label_smoothing=float(ss.tr_ls), seed=int(ss.tr_seed),
            mixed_precision=bool(ss.tr_mp))
        try:
            cfg.check()
            train.check_arch_and_name(cfg)
        except ValueError as e:
            st.error(t("tr.cannot_start", error=e))
        else:
            run = jobs.submit(cfg)
            ss.tr_run = run.id
            st.success(t("tr.started", run=run.id))

runs = list(reversed(jobs.list_runs()))          # newest first
ids = [r.id for r in runs]
by_id = {r.id: r for r in runs}
if st.session_state.get("tr_run") not in ids:
    active = [r.id for r in runs if r.active]
    st.session_state.tr_run = active[0] if active else (ids[0] if ids else None)


def live_view(run_id: str, ticking: bool):
    run = jobs.get_run(run_id)
    p = jobs.progress(run)
    verdict = jobs.diagnosis(run, p["epoch_rows"])
    state = p["state"]
    icon = {"queued": ":material/hourglass_empty:", "running": ":material/directions_run:",
            "finished": ":material/check_circle:", "stopped": ":material/stop_circle:",
            "failed": ":material/error:"}
    st.markdown(f"**{icon.get(state, '')} {ui.term(state).capitalize()}** · `{run.id}`"
                + (f" — {p['reason']}" if p["reason"] and state != "failed" else ""))
    if state == "failed":
        st.error(p["reason"] or ui.term("failed"))
    if run.active:
        ips = t("tr.ips", n=p["images_per_s"]) if p["images_per_s"] else t("tr.ips_unknown")
        where = (t("tr.epoch_of", e=max(p["epoch"], 1), n=p["epochs"]) if p["epochs"]
                 else t("tr.starting"))
        st.progress(p["fraction"], text=(
            f"{where} · {t('tr.eta')} {jobs.fmt_duration(p['eta_s'])} · {ips} · "
            f"{p['device'] or t('tr.loading_tf')}"))
        if st.button(t("tr.stop"), key=f"stop_{run_id}"):
            jobs.request_stop(run.path)
            st.toast(t("tr.stop_toast"))
    elif p["device"]:
        st.caption(f"{p['device']}" + (" · " + t("tr.ips", n=p["images_per_s"])
                                        if p["images_per_s"] else ""))
    if p["data_source"]:
        st.caption(t("tr.data", source=p["data_source"]))
    chart, words = st.columns([2.2, 1])
    with chart:
        # drawn (empty) from the start: the axes wait while TensorFlow loads, and the browser
        # has Plotly ready before the first batch is done
        marker = verdict["marker"] and {**verdict["marker"],
                                        "label": ui.tr(verdict["marker"]["label"])}
        ui.plotly_chart(charts.training_curves_figure(p["epoch_rows"], p["tail"], marker,
                                                      epochs_total=p["epochs"] or None),
                        key=f"curves_{run_id}")
        if not (p["epoch_rows"] or p["tail"]):
            st.caption(t("tr.curves_wait"))
    with words:
        ui.verdict(verdict)
    if ticking and not run.active:
        st.rerun()  # the run just ended: redraw the whole page with its results, stop ticking


def results(run):
    res = run.result()
    if not res:
        return
    st.subheader(t("tr.results"))
    c = st.columns(4)
    c[0].metric(t("tr.test_acc"), f"{100 * res['test_accuracy']:.2f}%")
    c[1].metric(t("tr.test_loss"), f"{res['test_loss']:.3f}")
    c[2].metric(t("tr.epochs"), res.get("epochs_completed"))
    c[3].metric(t("tr.ips_title"), f"{res['images_per_s']:,.0f}" if res.get("images_per_s") else "–")
    st.caption(t("tr.saved", name=res["name"], command=res["command"]))
    cm_col, _ = st.columns([3, 1])
    with cm_col:
        st.markdown(t("tr.cm"))
        ui.plotly_chart(charts.confusion_matrix_figure(res["confusion_matrix"],
                                                       res["class_names"]),
                        key=f"cm_{run.id}")
    mis = train.load_misclassified(run.path)
    st.markdown(t("tr.mistakes"))
    if mis is None or not len(mis["index"]):
        st.write(t("tr.no_mistakes"))
    else:
        names = res["class_names"]
        cols = st.columns(8)
        for i in range(min(len(mis["index"]), 24)):
            img = mis["x"][i]
            img = np.repeat(np.repeat(img, 3, 0), 3, 1)      # nearest-neighbour x3
            cols[i % 8].image(img[..., 0] if img.shape[-1] == 1 else img,
                              caption=f"{names[mis['true'][i]]} → {names[mis['pred'][i]]} "
                                      f"{100 * mis['confidence'][i]:.0f}%")


with view:
    if not ids:
        st.info(t("tr.no_runs"))
    else:
        st.selectbox(t("tr.run"), ids, key="tr_run",
                     format_func=lambda i: ui.words(jobs.describe(by_id[i], False)))
        current = jobs.get_run(st.session_state.tr_run)
        ticking = current.active
        st.fragment(run_every=1.0 if ticking else None)(live_view)(current.id, ticking)
        if current.state in ("finished", "stopped"):
            results(current)
        elif current.state == "failed":
            with st.expander(t("tr.log")):
                st.code(current.log_tail(30) or "(empty)")

if len([r for r in runs if r.epochs()]) >= 1 and not ui.presenting():
    st.subheader(t("tr.compare"))
    with_curves = [r for r in runs if r.epochs()]
    chosen = st.multiselect(t("tr.overlay"), [r.id for r in with_curves],
                            default=[r.id for r in with_curves[:3]],
                            format_func=lambda i: ui.words(jobs.describe(by_id[i])))
    metric = st.radio(t("tr.metric"), ["val_accuracy", "val_loss", "accuracy", "loss"],
                      horizontal=True, format_func=ui.term)
    ui.plotly_chart(charts.runs_overlay_figure(
        [(ui.words(jobs.describe(by_id[i])), by_id[i].epochs()) for i in chosen], metric),
        key="overlay")
