"""The only cnnweb module that imports streamlit: shared widgets and caching for the pages."""

from __future__ import annotations

import re

import streamlit as st

from cnnweb import i18n  # pure: the catalogues of UI strings

# --- Gallery and the model store ---------------------------------------------

def zoo_model(name: str, input_shape: tuple, num_classes: int):
    """A fresh zoo model, built once per (name, input shape, class count); the spinner says so
    in the reader's language (a cached function's own spinner text is fixed at import)."""
    with st.spinner(t("ui.building_model")):
        return _zoo_model(name, tuple(input_shape), int(num_classes))


@st.cache_resource(show_spinner=False, max_entries=12)
def _zoo_model(name: str, input_shape: tuple, num_classes: int):
    from cnnweb import zoo

    return settle_heap(zoo.build(name, tuple(input_shape), int(num_classes)))


def zoo_analysis(name: str, input_shape: tuple, num_classes: int) -> dict:
    """Layer table, totals and DOT diagram of a zoo architecture (ValueError if it cannot be built)."""
    with st.spinner(t("ui.building_model")):
        return _zoo_analysis(name, tuple(input_shape), int(num_classes))


@st.cache_data(show_spinner=False, max_entries=64)
def _zoo_analysis(name: str, input_shape: tuple, num_classes: int) -> dict:
    from cnnweb import summary

    model = _zoo_model(name, tuple(input_shape), int(num_classes))
    rows = summary.layer_table(model)
    return {"rows": rows, "totals": summary.totals(rows), "dot": summary.to_dot(model, rows)}


@st.cache_resource(show_spinner=False, max_entries=8)
def _stored_model(path: str, mtime_ns: int):
    from cnnweb import store

    return settle_heap(store.load_model(path))


def settle_heap(obj=None):
    """Move every object alive now into the garbage collector's permanent generation; returns obj.

    Streamlit runs a full gc.collect(2) after every script run (runner.postScriptGC). Once
    TensorFlow and a model are loaded the server holds ~360,000 long-lived objects and that
    collection took ~200 ms of GIL time after each rerun of ANY page, for every session
    (measured: Home rerun 20 ms -> 204 ms; benchmarks/app_responsiveness.py). Called after each
    (cached, so rare) model build or load, it brings the collection back to ~1 ms.
    """
    import gc

    gc.collect()
    gc.freeze()
    return obj


def load_stored_model(name_or_path):
    """A model from the store, cached by file path and modification time, so a model saved
    again under the same name is reloaded. StoreError (a ValueError) when it cannot be read."""
    from cnnweb import store

    path = store.model_path(name_or_path)
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as e:
        raise store.StoreError(f"{path.name} cannot be read: {e.strerror or e}") from None
    with st.spinner(t("ui.loading_model")):
        return _stored_model(str(path), mtime)


# --- A model file of the user's (cnnweb.byom) ---------------------------

@st.cache_data(show_spinner=False, max_entries=16)
def _model_file_info(digest: str, path: str, label: str):
    """(description, None) or (None, reason as JSON) of a staged model file, by its digest."""
    from cnnweb import byom

    try:
        return byom.inspect(path, label=label), None
    except ValueError as e:
        return None, i18n.to_json(e.args[0])


def model_file_upload(label: str, key: str):
    """An uploader for one .keras/.h5 file: (description, staged path) once a worker process
    loaded it in safe mode (see cnnweb.byom.inspect), else (None, None) with the one-line reason
    shown. Checked once per file content (cached); the file is never put in models/ here."""
    import hashlib

    from cnnweb import byom

    file = st.file_uploader(label, key=key, max_upload_size=byom.MAX_UPLOAD_MB,
                            help=t("byom.upload_help", mb=byom.MAX_UPLOAD_MB))
    if file is None:
        return None, None
    name = uploaded_name(key)
    try:
        data = file.getvalue()
        path = byom.stage(data, name)
    except (ValueError, OSError) as e:
        st.error(md_text(tr(e.args[0] if isinstance(e, ValueError) else e)))
        return None, None
    with st.spinner(t("byom.checking")):
        info, error = _model_file_info(hashlib.sha256(data).hexdigest(), str(path), name)
    if error is not None:
        st.error(md_text(tr(i18n.from_json(error))))
        return None, None
    return info, path


def uploaded_name(key: str) -> str:
    """The shown (safe, printable) name of the file in the uploader `key`."""
    from cnnweb import images

    file = st.session_state.get(key)
    return images.upload_names([file.name])[0][0] if file is not None else ""


@st.cache_resource(show_spinner=False, max_entries=4)
def _file_model(path: str, mtime_ns: int):
    from cnnweb import byom

    return settle_heap(byom.load(path))


def model_file_model(path):
    """The Keras model of a model file that model_file_upload accepted (cached by path)."""
    from pathlib import Path

    with st.spinner(t("ui.loading_model")):
        return _file_model(str(path), Path(path).stat().st_mtime_ns)


@st.cache_data(show_spinner=False, max_entries=8)
def _tflite(path: str, mtime_ns: int) -> bytes:
    from cnnweb import export

    return export.export_bytes(path, "tflite")


def tflite_bytes(path) -> bytes:
    """A stored model converted to TensorFlow Lite (cached by file and modification time)."""
    from pathlib import Path

    return _tflite(str(path), Path(path).stat().st_mtime_ns)


# --- Predict ------------------------------------------------------------

def draw_canvas(key: str, stroke_width: int = 18, size: int = 280):
    """The drawing canvas (white paper, black ink): its RGBA image (size, size, 4) uint8, or
    None before the first stroke. Reruns the page after every stroke. The test seam of the
    Predict page: AppTest replaces this function (the canvas cannot run under AppTest)."""
    from streamlit_drawable_canvas import st_canvas

    result = st_canvas(fill_color="rgba(0, 0, 0, 0)", stroke_width=int(stroke_width),
                       stroke_color="#000000", background_color="#FFFFFF", height=size,
                       width=size, drawing_mode="freedraw", update_streamlit=True,
                       return_image_data=True, key=key)
    return None if result is None else result.image_data


# --- Uploads and names --------------------------------------------------

MAX_UPLOAD_MB = 20   # per file, for st.file_uploader: images.MAX_FILE_BYTES (a test checks)

_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=@)|(?i:(?<=www))(?=\.)")
_MARKUP = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$&:=\"'])")


def md_text(text) -> str:
    """Any name (a file, model, run or class name) for st.markdown / st.error / st.caption /
    st.write, shown literally: Markdown, KaTeX ($...$) and HTML characters are backslash-escaped,
    control characters shown as escapes, and bare URLs / e-mail addresses (which Streamlit's
    Markdown links even when escaped) broken by an invisible zero-width space in "://", "www." and
    after "@". Widget options and st.text need no escaping."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))
    text = _AUTOLINK.sub("\u200b", text)     # escapes do not stop GFM's autolinks: break them
    return _MARKUP.sub(r"\\\1", text)


def picture_uploader(label: str, **kwargs):
    """st.file_uploader for pictures, at most MAX_UPLOAD_MB a file. No `type=` on purpose: with
    it, Streamlit refuses a whole batch (an exception instead of the page) when one file name
    has a NUL byte or an unexpected extension. cnnweb.images checks every name and every
    file's content, one file at a time (prepare_uploads, decode_upload)."""
    return st.file_uploader(label, max_upload_size=MAX_UPLOAD_MB, **kwargs)


def camera_picture(label: str, key: str, help: str | None = None):
    """st.camera_input: the picture just taken (an UploadedFile: .name, .file_id, .getvalue())
    or None. Browsers give a page the camera only on localhost or over HTTPS. One place, so
    tests replace it (AppTest cannot take a picture)."""
    return st.camera_input(label, key=key, help=help)


MAX_ARCHIVE_MB = 200   # a .zip of your own pictures (cnnweb.datasets judges its contents)


def archive_uploader(label: str, **kwargs):
    """st.file_uploader for one .zip of class folders, at most MAX_ARCHIVE_MB. No `type=`, as
    for pictures: cnnweb.datasets / cnnweb.archive judge the file, whatever its name says."""
    return st.file_uploader(label, max_upload_size=MAX_ARCHIVE_MB, **kwargs)


def keep_uploaded_dataset(file, **options):
    """An uploaded .zip -> cnnweb.datasets.add(...) on a private temporary copy (removed after),
    named in messages by the upload's shown name. ValueError (one line) as add() gives."""
    import os

    from cnnweb import atomic, datasets, images

    (name, error), = images.upload_names([file.name])
    if error:
        raise ValueError(error)
    folder = datasets.datasets_dir()
    folder.mkdir(parents=True, exist_ok=True)
    tmp = atomic.tmp_path(folder, "upload", ".zip")
    try:
        tmp.write_bytes(file.getvalue())
        return datasets.add(tmp, label=name, default_name=os.path.splitext(name)[0], **options)
    finally:
        tmp.unlink(missing_ok=True)


def code_text(text) -> str:
    """Text for inside a `code span` of a catalogue string: backticks (which would end the span)
    and control characters replaced; nothing else is markup there."""
    return "".join(c if c.isprintable() else " " for c in str(text)).replace("`", "'")


@st.cache_data(show_spinner=False, max_entries=256)
def _prepared_upload(digest: str, _data: bytes, name: str, input_shape: tuple, fit: str,
                     how: str | None):
    from cnnweb import images

    return images.prepare_files([(name, _data)], input_shape, fit, how)[0]


@st.cache_data(show_spinner=False, max_entries=64)
def _decoded_upload(digest: str, _data: bytes, name: str, max_side: int):
    from cnnweb import images

    try:
        return images.decode(_data, name, max_side), None
    except images.ImageError as e:
        return None, e.args[0]              # an i18n.Msg, shown with tr()


def _uploads(files):
    """(shown name, error, bytes, sha256) per uploaded file; see images.upload_names."""
    import hashlib

    from cnnweb import images

    files = list(files or [])
    for f, (name, error) in zip(files, images.upload_names([f.name for f in files])):
        data = b"" if error else f.getvalue()
        yield name, error, data, hashlib.sha256(data).hexdigest()


def prepare_uploads(files, input_shape, fit: str = "squash", how: str | None = None) -> list:
    """Streamlit's uploaded files (or a camera picture) -> one cnnweb.images.Prepared each, in
    order, names made distinct and safe. Cached by file contents, name, model input, fit and
    preparation (images.preparation; shared by all sessions, 256 entries of at most one model
    input each), so a rerun decodes nothing again."""
    from cnnweb import images

    return [images.Prepared(name, error=error) if error
            else _prepared_upload(digest, data, name, tuple(int(d) for d in input_shape), fit, how)
            for name, error, data, digest in _uploads(files)]


def decode_upload(file, max_side: int = 256):
    """One uploaded picture -> ((H, W, 3) uint8 at most max_side, None) or (None, one-line
    error naming the file). Cached like prepare_uploads (64 entries of at most 256x256x3)."""
    for name, error, data, digest in _uploads([file]):
        return (None, error) if error else _decoded_upload(digest, data, name, int(max_side))
    return None, None


# --- Navigation ---------------------------------------------------------

def ensure_app_navigation() -> None:
    """Send a first visit that lands straight on a page through app.py's st.navigation.

    Streamlit 1.67 starts a server in its old "pages/ folder" mode (because pages/ exists) and
    leaves it only once some session has run st.navigation. A shared link such as
    /explainer?layers=... opened on a freshly started server would run the page alone: file
    names as the sidebar, no page config. Call this first thing in every page script.
    """
    import sys

    from streamlit.runtime.pages_manager import PagesManager

    # AppTest resets this flag before every run and then runs pages in the old mode by design;
    # a rerun there would swallow one-shot button clicks. A real server never imports it.
    if "streamlit.testing.v1.local_script_runner" in sys.modules:
        return
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


# --- Classroom: language and presentation view --------------------------

def lang() -> str:
    """The reader's language: the sidebar picker (app.py), else ?lang= in the URL, else English."""
    value = st.session_state.get("lang")
    return i18n.normalize(value if value is not None else st.query_params.get("lang"))


def t(key: str, /, **fmt) -> str:
    """Catalogue text of `key` in the reader's language (see cnnweb.i18n)."""
    return i18n.t(key, lang=lang(), **fmt)


def tr(text) -> str:
    """Words from a cnnweb module (an i18n.Msg) in the reader's language; other text as is."""
    return i18n.tr(text, lang())


def presenting() -> bool:
    """Presentation view on (sidebar switch, or ?present=true in a shared link)."""
    value = st.session_state.get("present")
    if value is None:
        value = st.query_params.get("present")
    return value in (True, "true", "True", "1")


_PRESENT_CSS = """<style>
html { font-size: 22px; }
[data-testid="stMainBlockContainer"] { max-width: 100%; padding: 2.2rem 2rem 2rem 2rem; }
h1 { font-size: 2.4rem !important; }
[data-testid="stCaptionContainer"] { font-size: 0.95rem; }
</style>"""


def classroom_sidebar() -> None:
    """The language picker and the presentation switch at the foot of every page's sidebar.
    Both live in the URL (?lang=zh, ?present=true) so a teacher can share the set-up; the
    language is written back after every page switch (which clears the query string)."""
    ss = st.session_state
    if "lang" not in ss:
        ss.lang = lang()
    with st.sidebar:
        # not bound to the URL: a bound picker would write its label (简体中文), not the code
        st.segmented_control("Language · 语言", list(i18n.LANGS), format_func=i18n.LANGS.get,
                             required=True, key="lang")
        st.toggle(t("app.present"), key="present", bind="query-params",
                  help=t("app.present_help"))
    if ss.lang == i18n.DEFAULT:
        st.query_params.pop("lang", None)
    elif st.query_params.get("lang") != ss.lang:
        st.query_params["lang"] = ss.lang
    if presenting():
        st.html(_PRESENT_CSS)


def term(text) -> str:
    """A word that is data elsewhere (filter, picture, chart labels) in the reader's language."""
    return i18n.term(text, lang())


def zoo_text(name: str, field: str, info: dict) -> str:
    """A zoo architecture's description or notes in the reader's language; English when the
    catalogue's translation is of an older text than zoo.info() now gives."""
    text, key = info.get(field) or "", f"zoo.{name}.{field}"
    return t(key) if text and i18n.CATALOGUES["en"].get(key) == text else text


def dataset_source(d) -> str:
    """Where a dataset of data.dataset_status() comes from, in the reader's language."""
    if d.found and d.is_sample:
        return t("ds.sample", title=d.title, n=d.n_train)
    if d.found and d.n_train:
        return t("ds.found", title=d.title, path=d.path, n=d.n_train)
    return tr(d.source)      # why it is missing or cannot be used


def pad_label(p, language: str | None = None) -> str:
    """A padding choice in words: "same", "valid", "full", or N zeros per side."""
    if isinstance(p, int):
        return i18n.t("xp.zeros_per_side", lang=language or lang(), n=p)
    return str(p)


def verdict(v: dict, side_by_side: bool = False) -> None:
    """A cnnweb.diagnose verdict in words: summary, details and what to try (side_by_side: the
    remedies in a second column, for a verdict as wide as the page)."""
    said, tried = st.columns(2, gap="large") if side_by_side and v["remedies"] else (st, st)
    said.markdown(f"**{t('diag.title', verdict=t('diag.verdict.' + v['verdict']))}**")
    said.write(tr(v["summary"]))
    for d in v["details"]:
        said.caption(tr(d))
    if v["remedies"]:
        tried.markdown(f"**{t('diag.try')}**\n" + "\n".join(f"- {tr(r)}" for r in v["remedies"]))


def _translate_figure(fig) -> None:
    """Trace names, hover texts, panel titles and axis titles of a cnnweb.charts figure, via
    i18n terms."""
    here = lang()

    def tr_(text):
        return i18n.term(text, here)

    def colorbar(obj):
        bar = getattr(obj, "colorbar", None)
        if bar is not None and bar.title.text:
            bar.title.text = tr_(bar.title.text)

    for trace in fig.data:
        if trace.name:
            trace.name = tr_(trace.name)
        if getattr(trace, "hovertemplate", None):  # a fixed text per chart: a whole term
            trace.hovertemplate = i18n.term(trace.hovertemplate, here)
        for axis in ("x", "y"):          # category labels such as class names
            values = getattr(trace, axis, None) if axis in trace else None
            if values is not None and len(values) and all(isinstance(v, str) for v in values):
                trace[axis] = [i18n.term(v, here) for v in values]
        colorbar(trace)
        if "marker" in trace:
            colorbar(trace.marker)
    colorbar(fig.layout.coloraxis)
    if fig.layout.title.text:
        fig.layout.title.text = tr_(fig.layout.title.text)
    for note in fig.layout.annotations or ():
        if note.text:
            note.text = tr_(note.text)
    fig.for_each_xaxis(lambda ax: ax.title.text and ax.update(title_text=tr_(ax.title.text)))
    fig.for_each_yaxis(lambda ax: ax.title.text and ax.update(title_text=tr_(ax.title.text)))


def plotly_chart(fig, **kwargs):
    """st.plotly_chart in the reader's language, with bigger fonts and a taller chart in the
    presentation view."""
    if lang() != "en":
        _translate_figure(fig)
    if presenting():                 # readable from the back of the room
        height = fig.layout.height
        fig.update_layout(font_size=20, height=int(height * 1.3) if height else None,
                          legend_font_size=20)
        fig.update_annotations(font_size=22)
        fig.update_xaxes(tickfont_size=18, title_font_size=20)
        fig.update_yaxes(tickfont_size=18, title_font_size=20)
        for trace in fig.data:
            if "textfont" in trace:
                trace.textfont.size = 18
    return st.plotly_chart(fig, **kwargs)


# --- Class server: who is looking, and the teacher ------------------------

def class_mode() -> bool:
    """A class key is configured (see cnnweb.classroom): names and ownership count."""
    from cnnweb import classroom

    return classroom.class_mode()


def viewer() -> str:
    """The display name this session gave (sidebar, or ?who= in its link), "" if none or bad."""
    from cnnweb import classroom

    ss = st.session_state
    value = ss.get("who", ss.get("class_who"))      # the widget's value as soon as it changes
    if value is None:
        value = st.query_params.get("who")
    try:
        return classroom.check_name(value)
    except ValueError:
        return ""


def teacher() -> bool:
    """This session typed the class key into the sidebar."""
    from cnnweb import classroom

    ss = st.session_state                  # the widget's value (app.py asks before drawing it)
    return classroom.is_teacher(ss.get("teacher_key", ss.get("class_key")))


def may_manage(owner: str) -> bool:
    """Whether this session may stop or delete a thing of `owner` (cnnweb.classroom rules)."""
    from cnnweb import classroom

    return classroom.may_manage(viewer(), teacher(), owner)


def owner_text(owner: str) -> str:
    """Whose a run or model is, for a caption (names escaped)."""
    return t("cls.owner", name=md_text(owner)) if owner else t("cls.owner_nobody")


def class_sidebar() -> None:
    """In class mode: the student's display name (kept in ?who= so the link remembers it) and
    the teacher's key. Nothing without a class key. What they typed is kept under keys of its
    own (class_who, class_key), which outlive the widgets on a page that does not draw them."""
    if not class_mode():
        return
    ss = st.session_state
    if "who" not in ss:
        ss.who = str(ss.get("class_who") or st.query_params.get("who") or "")[:200]
    if "teacher_key" not in ss:
        ss.teacher_key = ss.get("class_key") or ""
    with st.sidebar:
        st.text_input(t("cls.who"), key="who", max_chars=64, placeholder=t("cls.who_hint"))
        ss.class_who = ss.who
        name = viewer()
        if ss.who.strip() and not name:
            st.error(t("cls.who_bad", n=64))
        st.text_input(t("cls.key"), key="teacher_key", type="password")
        ss.class_key = ss.teacher_key
        if teacher():
            st.success(t("cls.teacher_on"))
        elif ss.get("teacher_key"):
            st.error(t("cls.key_wrong"))
    if name and st.query_params.get("who") != name:
        st.query_params["who"] = name
    elif not name:
        st.query_params.pop("who", None)
