"""Trainer: pick data, architecture and hyperparameters, train in the background, watch it live.

Thin: widgets in, cnnweb calls, figures out. Training runs in its own process (cnnweb.jobs);
this page only reads the run folders, inside an st.fragment that ticks while a run is active.
"""


import numpy as np
import streamlit as st

from cnnweb import (
    charts,
    classroom,
    config,
    data,
    datasets,
    device,
    images,
    jobs,
    paths,
    runs,
    stack,
    store,
    train,
    ui,
    webcam,
    zoo,
)

st.set_page_config(layout="wide")   # also when the page is opened without app.py's navigation
ui.ensure_app_navigation()          # a first link to /trainer goes through st.navigation too
t = ui.t
st.title(t("nav.trainer"))
st.caption(t("tr.caption") + " " + ui.md_text(ui.tr(device.describe())))

FORM = {f.name: f for f in config.form_fields()}     # the settings drawn from their metadata
KEYS = {name: f.metadata["form"].key for name, f in FORM.items()}   # their session keys
DEFAULTS = {"tr_preset": "Custom", "tr_dataset": "mnist", "tr_arch": "mnist_cnn",
            **{KEYS[name]: config.form_default(f) for name, f in FORM.items()}}
for k, v in DEFAULTS.items():
    st.session_state.setdefault(k, v)


def apply_preset():
    p = train.PRESETS.get(st.session_state.tr_preset)
    if p:
        st.session_state.tr_arch, st.session_state.tr_dataset = p["arch"], p["dataset"]
        for name, value in config.preset_form(p).items():
            st.session_state[KEYS[name]] = value


def arch_changed():
    st.session_state.tr_dropout = float(zoo.info(st.session_state.tr_arch)["hyperparams"]
                                        .get("dropout", 0.0))


# a link's ?preset= (an id as the CLI takes it, e.g. cifar10-fast, or a title as older links
# and the lessons give it) fills the form once with that preset
link = st.query_params.get("preset")
if (title := train.PRESET_IDS.get(link, link)) in train.PRESETS and \
        st.session_state.get("tr_preset_link") != link:
    st.session_state.tr_preset_link, st.session_state.tr_preset = link, title
    apply_preset()

# --- your own pictures (issue 13 section 3): upload, preview, transfer learning ------------

def keep_upload():
    """The "Check and keep" button's callback (before the form is drawn, so the dataset picker
    can switch to the new dataset)."""
    ss = st.session_state
    file = ss.get("tr_ds_upload")
    if file is None:
        ss.tr_ds_msg = ("warning", t("tr.own_none"), [])
        return
    try:
        added = ui.keep_uploaded_dataset(
            file, name=ss.tr_ds_name.strip() or None, test_split=float(ss.tr_ds_split),
            image_size=int(ss.tr_ds_size) or None)
    except ValueError as e:
        ss.tr_ds_msg = ("error", t("tr.own_failed", error=ui.md_text(ui.tr(e.args[0]))), [])
        return
    _kept(added)


def _kept(added):
    """A dataset just kept (from a .zip or the webcam): say so and select it above."""
    ss = st.session_state
    key = "tr.own_reused" if added.reused else "tr.own_kept"
    ss.tr_ds_msg = ("success", t(key, name=ui.md_text(added.name), n=sum(
        added.meta["counts"].values()), k=len(added.meta["class_names"])),
        [ui.md_text(ui.tr(line)) for line in added.skipped])
    ss.tr_dataset = added.name


def own_dataset_upload():
    """Upload a .zip of class folders; it is checked and kept under data/ (cnnweb.datasets)."""
    ss = st.session_state
    for k, v in {"tr_ds_name": "", "tr_ds_split": 0.2, "tr_ds_size": 0}.items():
        ss.setdefault(k, v)
    with st.expander(t("tr.own_title"), expanded=bool(ss.get("tr_ds_msg") or ss.get("tr_cam_on"))):
        st.caption(t("tr.own_help", min=datasets.MIN_PER_CLASS, max=datasets.DEFAULT_MAX_SIDE))
        ui.archive_uploader(t("tr.own_upload"), key="tr_ds_upload")
        c1, c2 = st.columns(2)
        c1.text_input(t("tr.own_name"), key="tr_ds_name")
        c2.slider(t("tr.own_split"), 0.1, 0.5, step=0.05, key="tr_ds_split")
        st.number_input(t("tr.own_size"), 0, datasets.MAX_SIDE, step=8, key="tr_ds_size")
        st.button(t("tr.own_keep"), on_click=keep_upload, key="tr_ds_keep")
        webcam_pictures()
        if msg := ss.get("tr_ds_msg"):
            kind, text, skipped = msg
            getattr(st, kind)(text)
            if skipped:
                st.caption(t("tr.own_skipped", n=len(skipped)) + "  \n" + "  \n".join(skipped))


# --- the webcam, class by class (Teachable Machine's flow); cnnweb.webcam holds the logic

def _cam_add_class():
    ss = st.session_state
    try:
        ss.tr_cam_cls = webcam.add_class(ss.tr_cam, ss.get("tr_cam_new", ""))
    except ValueError as e:
        ss.tr_cam_msg = ui.md_text(ui.tr(e.args[0]))
    else:
        ss.tr_cam_new, ss.tr_cam_msg = "", None


def _cam_keep():
    ss = st.session_state
    try:
        added = webcam.keep(ss.tr_cam, ss.get("tr_cam_name"), test_split=float(ss.tr_ds_split),
                            image_size=int(ss.tr_ds_size) or None)
    except ValueError as e:
        ss.tr_cam_msg = t("tr.own_failed", error=ui.md_text(ui.tr(e.args[0])))
    else:
        ss.tr_cam_msg = None
        _kept(added)


def _cam_capture(caps, cls: str):
    """The camera for class `cls`: each picture taken joins it, and the camera is live again."""
    ss = st.session_state
    if caps.full():
        st.warning(ui.tr(webcam.limit_text()))
        return
    n = ss.setdefault("tr_cam_n", 0)
    shot = ui.camera_picture(t("tr.cam_take"), key=f"tr_cam_shot_{n}", help=t("tr.cam_where"))
    if shot is None:
        return
    try:
        added = webcam.add(caps, cls, shot.getvalue(), str(shot.file_id))
    except ValueError as e:
        st.error(ui.md_text(ui.tr(e.args[0])))
        return
    if added:
        ss.tr_cam_n = n + 1          # a fresh camera widget: live again for the next picture
        st.rerun()


def _cam_classes(caps):
    """Each class: its count, its latest pictures, a button that drops it."""
    for i, (cls, blobs) in enumerate(caps.classes.items()):
        c1, c2 = st.columns([4, 1], vertical_alignment="center")
        c1.markdown(t("tr.cam_count", cls=ui.md_text(cls), n=len(blobs)))
        c2.button(t("tr.cam_remove"), key=f"tr_cam_rm_{i}", on_click=webcam.remove_class,
                  args=(caps, cls))
        thumbs = []
        for j, blob in enumerate(blobs[-12:]):
            try:
                thumbs.append(images.upscale(images.resize_rgb(images.decode(blob, str(j), 96),
                                                                (48, 48), "crop"), 48))
            except ValueError:
                continue
        if thumbs:
            st.image(thumbs, width=40)


def webcam_pictures():
    """Pictures from the webcam, class by class, kept as a dataset like an upload."""
    ss = st.session_state
    if not st.toggle(t("tr.cam_on"), key="tr_cam_on"):
        return
    caps = ss.setdefault("tr_cam", webcam.Captures())
    st.caption(t("tr.cam_where") + " " + t("tr.cam_bounds", n=webcam.MAX_PICTURES))
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    c1.text_input(t("tr.cam_class"), key="tr_cam_new")
    c2.button(t("tr.cam_add_class"), on_click=_cam_add_class, key="tr_cam_add")
    if msg := ss.get("tr_cam_msg"):
        st.error(msg)
    if not caps.classes:
        st.info(t("tr.cam_first"))
        return
    if ss.get("tr_cam_cls") not in caps.classes:
        ss.tr_cam_cls = next(iter(caps.classes))
    cls = st.radio(t("tr.cam_for"), list(caps.classes), key="tr_cam_cls", horizontal=True)
    _cam_capture(caps, cls)
    _cam_classes(caps)
    st.text_input(t("tr.cam_name"), key="tr_cam_name")
    missing = webcam.missing(caps)
    st.button(t("tr.cam_keep", n=caps.total), on_click=_cam_keep, key="tr_cam_keep",
              disabled=missing is not None)
    if missing is not None:
        st.caption(ui.md_text(ui.tr(missing)))


@st.cache_data(show_spinner=False, max_entries=8)
def _own_samples(name: str, stamp: float):
    return datasets.samples(name, per_class=8), datasets.describe(name)


def own_dataset_preview(name: str):
    """Class counts and a grid of training pictures of a kept dataset, before training."""
    try:
        grid, meta = _own_samples(name, datasets.npz_path(name).stat().st_mtime)
    except (OSError, ValueError) as e:
        st.error(ui.md_text(ui.tr(e.args[0] if e.args else e)))
        return
    h, w, c = meta["input_shape"]
    st.caption(t("tr.own_facts", shape=f"{h}×{w}", colour=t("tr.own_grey" if c == 1 else
                                                              "tr.own_rgb"),
                 split=meta["test_split"], seed=meta["seed"]))
    import pandas as pd

    st.table(pd.DataFrame([{t("tr.own_class"): cls, t("tr.own_train_n"): meta["train_counts"][cls],
                            t("tr.own_test_n"): meta["test_counts"][cls]}
                           for cls in meta["class_names"]]).set_index(t("tr.own_class")))
    st.markdown(t("tr.own_grid"))
    for cls, pictures in grid:
        st.caption(ui.md_text(cls))
        st.image([images.upscale(x, 64) for x in pictures], width=36)


def transfer_choice() -> str | None:
    """Transfer learning: a stored model whose convolutional base is reused (None: from scratch)."""
    ss = st.session_state
    ss.setdefault("tr_finetune", "")
    ss.setdefault("tr_ft_epochs", 0)
    models = [e.name for e in store.list_models() if e.ok]
    if ss.tr_finetune not in ["", *models]:
        ss.tr_finetune = ""
    st.selectbox(t("tr.ft_from"), ["", *models], key="tr_finetune", help=t("tr.ft_help"),
                 format_func=lambda m: m or t("tr.ft_none"))
    if not ss.tr_finetune:
        return None
    st.number_input(t("tr.ft_epochs"), 0, 50, key="tr_ft_epochs")
    st.caption(t("tr.ft_note", model=ui.md_text(ss.tr_finetune)))
    return ss.tr_finetune


def dataset_title(name: str) -> str:
    return data.DATASETS[name].title if name in data.DATASETS else name




def arch_from_link():
    """?arch= (a zoo name, or stack:<code> with &head= from the Explainer's "Train this
    network") and &dataset= fill the form once; a bad code gets one line and the defaults."""
    ss, q = st.session_state, st.query_params
    link = (q.get("arch"), q.get("head"), q.get("dataset"))
    if link[0] is None or ss.get("tr_arch_link") == link:
        return
    ss.tr_arch_link = link
    try:
        arch = stack.arch_id(*stack.parse_arch(link[0], link[1])) if stack.is_arch(link[0]) \
            else link[0]
        zoo.info(arch)               # an unknown name, or a layer Keras cannot train
    except ValueError as e:
        st.error(t("tr.arch_link_error", error=ui.md_text(e)))
        return
    ss.tr_arch, ss.tr_preset = arch, "Custom"
    if stack.is_arch(arch):
        ss.tr_designed = arch        # stays in the list when another architecture is picked
    arch_changed()
    if link[2] in data.DATASETS:
        ss.tr_dataset = link[2]


def stack_note(arch: str):
    """A stack from the Explainer: its code and parameter count on the chosen dataset."""
    ds = data.info(st.session_state.tr_dataset)
    layers, head = stack.parse_arch(arch)
    try:
        n = stack.network(ds.input_shape, layers, head, len(ds.class_names)).params
    except ValueError as e:
        st.error(t("tr.stack_unfit", shape="×".join(map(str, ds.input_shape)), error=ui.md_text(e)))
        return
    st.caption(t("tr.stack_arch", code=ui.code_text(arch), n=n,
                 shape="×".join(map(str, ds.input_shape))))


def data_fields() -> dict:
    """First column: preset, dataset, architecture; returns the architecture's zoo info."""
    st.selectbox(t("tr.preset"), ["Custom", *train.PRESETS], key="tr_preset",
                 on_change=apply_preset, format_func=ui.term)
    if preset := train.PRESETS.get(st.session_state.tr_preset):
        st.caption(ui.term(preset["seed_result"]) + "  \n" + t("app.tutorials"))
        if preset["mixed_precision"] and not device.mixed_precision_available():
            st.caption(t("tr.preset_float32"))
    if st.session_state.tr_dataset not in data.names():    # a kept dataset deleted meanwhile
        st.session_state.tr_dataset = DEFAULTS["tr_dataset"]
    st.radio(t("col.dataset").capitalize(), data.names(), key="tr_dataset", horizontal=True,
             format_func=dataset_title)
    own_dataset_upload()
    status = data.status(st.session_state.tr_dataset)
    limit = int(st.session_state.tr_limit or 0)
    (st.warning if status.is_sample or not status.n_train else st.caption)(
        t("tr.data", source=ui.dataset_source(status)) + (
            " " + t("tr.data_limit", n=limit) if 0 < limit < (status.n_train or 0) else ""))
    if status.kept:
        own_dataset_preview(st.session_state.tr_dataset)
    finetune = transfer_choice()
    designed = [a for a in [st.session_state.get("tr_designed")] if a]
    st.selectbox(t("col.arch").capitalize(), zoo.names() + designed, key="tr_arch",
                 on_change=arch_changed, disabled=bool(finetune),
                 format_func=lambda a: t("tr.stack_option") if stack.is_arch(a) else a)
    arch_info = zoo.info(st.session_state.tr_arch)
    if stack.is_arch(st.session_state.tr_arch):
        stack_note(st.session_state.tr_arch)
    else:
        st.caption(ui.zoo_text(st.session_state.tr_arch, "description", arch_info))
    return arch_info


def setting(name: str, **extra):
    """The widget of a TrainConfig field, from its metadata (cnnweb.config.Form): options → a
    select slider, choices → a radio, a flag → a checkbox, text → a text box, a number → a
    number box (whole numbers) or a slider."""
    f = FORM[name]
    m, form = f.metadata, f.metadata["form"]
    kw = {"key": form.key, "help": form.help and t(form.help), **extra}
    lo, hi = config.form_bounds(f)
    if form.options:
        st.select_slider(t(form.label), form.options, format_func=lambda v: f"{v:g}", **kw)
    elif m["choices"]:
        st.radio(t(form.label), m["choices"], horizontal=True, format_func=ui.term, **kw)
    elif m["type"] is bool:
        st.checkbox(t(form.label), **kw)
    elif m["type"] is str:
        st.text_input(t(form.label), **kw)
    elif m["type"] is int:
        st.number_input(t(form.label), lo, hi, step=form.step or 1, **kw)
    else:
        st.slider(t(form.label), lo, hi, step=form.step, **kw)


def hyper_fields(arch_info: dict):
    """Second column: how long and how fast it learns."""
    for name in ("epochs", "optimizer", "batch_size", "lr"):
        setting(name)
    if "dropout" in arch_info["hyperparams"]:
        setting("dropout")
    setting("augment")


def run_fields():
    """Third column: stopping, validation, data size and the rarer settings."""
    for name in ("early_stopping", "val_split", "limit"):
        setting(name)
    if not ui.presenting():                  # the presentation view keeps the form short
        with st.expander(t("tr.more")):
            for name in ("schedule", "weight_decay", "label_smoothing", "flip", "tta", "seed"):
                setting(name)
            setting("mixed_precision", disabled=not device.mixed_precision_available())
            setting("name")


def form_config(arch_info: dict) -> train.TrainConfig:
    """The run the form describes: its settings by their session keys, and what is not a plain
    widget: the architecture (transfer learning replaces it), dropout only where the
    architecture has it, and the class server's owner."""
    ss = st.session_state
    finetune = ss.get("tr_finetune") or None      # transfer_choice's model, if any
    has_dropout = "dropout" in arch_info["hyperparams"] and not finetune
    return train.TrainConfig(**{
        **config.from_form({name: ss[key] for name, key in KEYS.items()}),
        "arch": train.TRANSFER if finetune else ss.tr_arch, "dataset": ss.tr_dataset,
        "finetune": finetune, "finetune_epochs": int(ss.tr_ft_epochs) if finetune else 0,
        "dropout": float(ss.tr_dropout) if has_dropout else None, "owner": ui.viewer()})


def start_button(arch_info: dict):
    if st.button(t("tr.start"), type="primary", width="stretch"):
        cfg = form_config(arch_info)
        try:
            if ui.class_mode() and not cfg.owner:
                raise ValueError(t("cls.need_name"))
            cfg.check()
            train.check_arch_and_name(cfg)
            run = jobs.submit(cfg)             # a cap reached says so (an i18n.Msg)
        except ValueError as e:
            st.error(t("tr.cannot_start", error=ui.md_text(ui.tr(e.args[0] if e.args else e))))
        else:
            st.session_state.tr_run = run.id
            st.success(t("tr.started", run=ui.md_text(run.id)))


# the form in three columns, so Start is on the first screen (1366x768 too); the run view below
arch_from_link()
st.subheader(t("tr.new_run"))
_c = st.columns([1.15, 1, 1], gap="medium")
with _c[0]:
    _arch_info = data_fields()
with _c[1]:
    hyper_fields(_arch_info)
with _c[2]:
    run_fields()
    start_button(_arch_info)

all_runs = list(reversed(jobs.list_runs()))      # newest first
jobs.warm_up(all_runs)      # nothing training: a worker with TensorFlow loaded waits for Start
# a class: "My runs" unless the toggle shows everyone's (read only: see stop_button)
if ui.class_mode() and not ui.teacher() and not st.toggle(t("cls.everyone"), key="tr_everyone"):
    all_runs = classroom.mine(all_runs, ui.viewer())
ids = [r.id for r in all_runs]
by_id = {r.id: r for r in all_runs}
if st.session_state.get("tr_run") not in ids:
    active = [r.id for r in all_runs if r.active]
    st.session_state.tr_run = active[0] if active else (ids[0] if ids else None)


def _short(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 10 else runs.fmt_duration(seconds)


def not_responding(silence: runs.Silence | None):
    if silence:
        st.warning(t("tr.not_responding", quiet=_short(silence.seconds), times=runs.SILENT_TIMES,
                     usual=_short(silence.usual_s), min=_short(runs.SILENT_MIN_S)))


def stop_button(run):
    owner = classroom.owner_of(run.config)
    if ui.may_manage(owner):       # the button only for what you may stop; the guard in _stop
        st.button(t("tr.stop"), key=f"stop_{run.id}", on_click=_stop, args=(run,))


def _stop(run):
    try:
        classroom.stop_run(run, ui.viewer(), ui.teacher())
    except classroom.NotYours as e:
        st.error(t("cls.not_yours", name=ui.md_text(e.owner or "–")))
    except OSError as e:              # a read-only or full runs folder
        st.error(t("tr.runs_unwritable", folder=ui.md_text(run.path.parent), problem=e.strerror or e))
    except ValueError:                # deleted meanwhile
        st.warning(t("tr.run_gone", run=ui.md_text(run.id)))
    else:
        st.toast(t("tr.stop_toast") + " " + t("tr.stop_force_note",
                                               grace=round(jobs.STOP_GRACE_S)))


def live_view(run_id: str, ticking: bool):
    try:
        run = jobs.get_run(run_id)
    except ValueError:               # its folder was deleted while it was shown
        st.warning(t("tr.run_gone", run=ui.md_text(run_id)))
        return
    p = runs.progress(run)
    verdict = runs.diagnosis(run, p.epoch_rows)
    state = p.state
    reason = runs.reason_text(run.status, t)
    icon = {"queued": ":material/hourglass_empty:", "running": ":material/directions_run:",
            "finished": ":material/check_circle:", "stopped": ":material/stop_circle:",
            "failed": ":material/error:"}
    st.markdown(f"**{icon.get(state, '')} {ui.term(state).capitalize()}** · `{ui.code_text(run.id)}`"
                + (f" — {ui.md_text(reason)}" if reason and state != "failed" else ""))
    if state == "failed":
        st.error(ui.md_text(reason) if reason else ui.term("failed"))
    if run.active:
        ips = t("tr.ips", n=p.images_per_s) if p.images_per_s else t("tr.ips_unknown")
        where = (t("tr.epoch_of", e=max(p.epoch, 1), n=p.epochs) if p.epochs
                 else t("tr.starting"))
        st.progress(p.fraction, text=(
            f"{where} · {t('tr.eta')} {runs.fmt_duration(p.eta_s)} · {ips} · "
            f"{ui.md_text(ui.tr(p.device)) if p.device else t('tr.loading_tf')}"))
        not_responding(p.silence)
        stop_button(run)
    elif p.device:
        st.caption(ui.md_text(ui.tr(p.device)) + (" · " + t("tr.ips", n=p.images_per_s)
                                        if p.images_per_s else ""))
    if p.data_source:
        st.caption(t("tr.data", source=ui.md_text(ui.tr(p.data_source))))
    # drawn (empty) from the start: the axes wait while TensorFlow loads, and the browser
    # has Plotly ready before the first batch is done
    marker = verdict["marker"] and {**verdict["marker"],
                                    "label": ui.tr(verdict["marker"]["label"])}
    ui.plotly_chart(charts.training_curves_figure(p.epoch_rows, p.tail, marker,
                                                  epochs_total=p.epochs or None),
                    key=f"curves_{run_id}")
    if not (p.epoch_rows or p.tail):
        st.caption(t("tr.curves_wait"))
    ui.verdict(verdict, side_by_side=True)   # under the chart, at its width: not a narrow strip
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
    st.caption(t("tr.saved", name=ui.md_text(res["name"]), command=ui.code_text(res["command"])))
    cm_col, cell_col = st.columns([2, 1], gap="medium")
    cell = st.session_state.get(f"cm_cell_{run.id}")
    names = [ui.term(n) for n in res["class_names"]]
    with cm_col:
        st.markdown(t("tr.cm"))
        key = f"cm_{run.id}_{cell}"                # a fresh chart (no old click) per pick
        ui.plotly_chart(charts.confusion_matrix_figure(res["confusion_matrix"],
                                                       res["class_names"], picked=cell),
                        key=key, width="stretch", selection_mode="points",
                        on_select=lambda: _pick_cell(run.id, key, len(names)))
    with cell_col:
        cell_images(run, res, names, cell)
    mistakes(run, names)


def _pick_cell(run_id: str, chart_key: str, n: int):
    cell = charts.picked_cell(st.session_state.get(chart_key, {}).get("selection", {}), (n, n))
    if cell is not None:
        st.session_state[f"cm_cell_{run_id}"] = cell


def _big(img):
    """A small test image, nearest-neighbour x3, grey as (H, W)."""
    img = np.repeat(np.repeat(img, 3, 0), 3, 1)
    return img[..., 0] if img.shape[-1] == 1 else img


def cell_images(run, res, names, cell):
    """The stored test images of the confusion-matrix cell a click picked."""
    if cell is None:
        st.info(t("tr.cm_click"))
        return
    r, c = cell
    count = int(res["confusion_matrix"][r][c])
    st.markdown(t("tr.cm_cell", true=ui.md_text(names[r]), pred=ui.md_text(names[c]), n=count))
    ex = runs.cell_examples(run.path, r, c)
    if ex is None or not len(ex["x"]):
        st.caption(t("tr.cm_cell_none" if count else "tr.cm_cell_empty"))
        return
    cols = st.columns(4)
    for i, (img, conf) in enumerate(zip(ex["x"], ex["confidence"])):
        cols[i % 4].image(_big(img), caption=f"{100 * conf:.0f}%")
    if len(ex["x"]) < count:
        st.caption(t("tr.cm_cell_some", shown=len(ex["x"]), n=count))


def mistakes(run, names):
    mis = run.misclassified()
    st.markdown(t("tr.mistakes"))
    if mis is None or not len(mis["index"]):
        st.write(t("tr.no_mistakes"))
        return
    cols = st.columns(8)
    for i in range(min(len(mis["index"]), 24)):
        cols[i % 8].image(_big(mis["x"][i]),
                          caption=f"{names[mis['true'][i]]} → {names[mis['pred'][i]]} "
                                  f"{100 * mis['confidence'][i]:.0f}%")


def run_label(run, with_state: bool = True) -> str:
    """A run in lists and legends: the name a user gave it, else its one-line description."""
    name = run.display_name
    return f"{name} ({run.id[:15]})" if name else ui.tr(runs.describe(run, with_state))


st.divider()
with st.container():       # the run view, at the full width under the form
    if problem := store.folder_problem(paths.runs_dir()):
        st.warning(t("tr.runs_unwritable", folder=ui.md_text(paths.runs_dir()), problem=problem))
    if not ids:
        st.info(t("cls.no_mine") if ui.class_mode() and not ui.teacher()
                and not st.session_state.get("tr_everyone") else t("tr.no_runs"))
    else:
        st.selectbox(t("tr.run"), ids, key="tr_run",
                     format_func=lambda i: run_label(by_id[i], False))
        current = by_id[st.session_state.tr_run]
        if ui.class_mode():
            st.caption(ui.owner_text(classroom.owner_of(current.config)))
        ticking = current.active
        st.fragment(run_every=1.0 if ticking else None)(live_view)(current.id, ticking)
        if current.state in ("finished", "stopped"):
            results(current)
        elif current.state == "failed":
            with st.expander(t("tr.log")):
                st.code(current.log_tail(30) or "(empty)")

def runs_table(all_runs):
    """Every run with its hyperparameters and best metrics; click a column header to sort."""
    rows = [{**runs.summary_row(r), "name": r.display_name or r.id[:15], "state": ui.term(r.state)}
            for r in all_runs]
    pct = {"format": "percent"}
    col = st.column_config
    st.dataframe(rows, hide_index=True, width="stretch", column_order=[
        "name", "best_accuracy", "test_accuracy", "lowest_val_loss", "best_epoch", "arch",
        "dataset", "state", "epochs", "batch_size", "lr", "optimizer", "dropout", "augment", "run"],
        column_config={
        "run": col.TextColumn(t("tr.col_run")), "name": col.TextColumn(t("tr.col_name"), pinned=True),
        "arch": col.TextColumn(t("col.arch")), "dataset": col.TextColumn(t("col.dataset")),
        "state": col.TextColumn(t("col.status")), "epochs": col.NumberColumn(t("tr.epochs")),
        "batch_size": col.NumberColumn(t("tr.batch")), "lr": col.NumberColumn(t("tr.lr")),
        "optimizer": col.TextColumn(t("tr.optimizer")),
        "dropout": col.NumberColumn(t("tr.dropout")),
        "augment": col.CheckboxColumn(t("tr.augment")),
        "best_accuracy": col.NumberColumn(t("tr.col_best_acc"), **pct),
        "best_epoch": col.NumberColumn(t("tr.col_best_epoch")),
        "lowest_val_loss": col.NumberColumn(t("tr.col_low_loss"), format="%.4f"),
        "test_accuracy": col.NumberColumn(t("col.test_acc"), **pct)})


def rename_run(all_runs):
    """Give a run a name of one's own (stored in its folder, shown as text everywhere); in a
    class only one's own runs (the teacher: any)."""
    mine = [r.id for r in all_runs if ui.may_manage(classroom.owner_of(r.config))]
    if not mine:
        return
    with st.form("tr_rename_form", border=False):
        c = st.columns([2.6, 2, 1], vertical_alignment="bottom")
        target = c[0].selectbox(t("tr.rename_run"), mine, key="tr_rename_run",
                                format_func=lambda i: run_label(by_id[i], False))
        name = c[1].text_input(t("tr.rename_to"), key="tr_rename_to",
                               help=t("tr.rename_help", n=runs.MAX_DISPLAY_NAME))
        go = c[2].form_submit_button(t("tr.rename"), width="stretch")
    if not go or target not in by_id:
        return
    owner = classroom.owner_of(by_id[target].config)
    if not ui.may_manage(owner):                     # checked again when it is done
        st.error(t("cls.not_yours", name=ui.md_text(owner or "–")))
        return
    try:
        name = runs.set_display_name(by_id[target].path, name)
    except ValueError as e:
        st.error(t("tr.rename_bad", error=ui.md_text(ui.tr(e.args[0] if e.args else e))))
    except OSError as e:
        st.error(t("tr.runs_unwritable", folder=ui.md_text(paths.runs_dir()),
                   problem=e.strerror or e))
    else:
        st.toast(t("tr.renamed", name=ui.md_text(name)) if name else t("tr.rename_cleared"))
        st.rerun()


def compare_runs(all_runs):
    """TensorBoard-style: runs shown or hidden, smoothing, log-scale loss, a sortable table."""
    st.subheader(t("tr.compare"))
    curves = {r.id: r.epochs() for r in all_runs}
    with_curves = [r.id for r in all_runs if curves[r.id]]
    if "tr_overlay" not in st.session_state:          # kept across renames and new runs
        st.session_state.tr_overlay = with_curves[:3]
    st.session_state.tr_overlay = [i for i in st.session_state.tr_overlay if i in with_curves]
    chosen = st.multiselect(t("tr.overlay"), with_curves, key="tr_overlay",
                            format_func=lambda i: run_label(by_id[i]))
    c = st.columns([2.2, 1.6, 1], vertical_alignment="bottom")
    metric = c[0].radio(t("tr.metric"), ["val_accuracy", "val_loss", "accuracy", "loss"],
                        horizontal=True, format_func=ui.term, key="tr_cmp_metric")
    weight = c[1].slider(t("tr.smoothing"), 0.0, 0.95, 0.0, 0.05, key="tr_cmp_smooth",
                         help=t("tr.smoothing_help"))
    log_y = c[2].toggle(t("tr.log_loss"), key="tr_cmp_log", disabled="loss" not in metric)
    ui.plotly_chart(charts.runs_overlay_figure(
        [(run_label(by_id[i]), curves[i]) for i in chosen], metric, smoothing=weight,
        log_y=log_y and "loss" in metric), key="overlay", width="stretch")
    runs_table(all_runs)
    rename_run(all_runs)


if ids and not ui.presenting():
    compare_runs(all_runs)
