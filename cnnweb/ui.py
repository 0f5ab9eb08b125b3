"""The only cnnweb module that imports streamlit: shared widgets and caching for the pages."""

from __future__ import annotations

import streamlit as st

from cnnweb import i18n  # pure: the catalogues of UI strings

# --- Gallery and the model store (helper "zoo") ---------------------------------------------

@st.cache_resource(show_spinner="Building the model…", max_entries=12)
def zoo_model(name: str, input_shape: tuple, num_classes: int):
    """A fresh zoo model, built once per (name, input shape, class count)."""
    from cnnweb import zoo

    return settle_heap(zoo.build(name, tuple(input_shape), int(num_classes)))


@st.cache_data(show_spinner=False, max_entries=64)
def zoo_analysis(name: str, input_shape: tuple, num_classes: int) -> dict:
    """Layer table, totals and DOT diagram of a zoo architecture (ValueError if it cannot be built)."""
    from cnnweb import zoo

    model = zoo_model(name, tuple(input_shape), int(num_classes))
    rows = zoo.summary(model)
    return {"rows": rows, "totals": zoo.totals(rows), "dot": zoo.to_dot(model, rows)}


@st.cache_resource(show_spinner="Loading the model…", max_entries=8)
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
    return _stored_model(str(path), mtime)


# --- Predict (helper "predict") ------------------------------------------------------------

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


# --- Navigation (helper "explainer") ---------------------------------------------------------

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


# --- Classroom: language and presentation view (helper "classroom") --------------------------

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


def words(text) -> str:
    """Text built by a cnnweb module (layer descriptions, notes) in the reader's language."""
    return i18n.words(text, lang())


def zoo_text(name: str, field: str, info: dict) -> str:
    """A zoo architecture's description or notes in the reader's language; English when the
    catalogue's translation is of an older text than zoo.info() now gives."""
    text, key = info.get(field) or "", f"zoo.{name}.{field}"
    return t(key) if text and i18n.CATALOGUES["en"].get(key) == text else text


def dataset_source(d: dict) -> str:
    """Where a dataset of data.dataset_status() comes from, in the reader's language."""
    if d["found"] and d["is_sample"]:
        return t("ds.sample", title=d["title"], n=d["n_train"])
    if d["found"] and d["n_train"]:
        return t("ds.found", title=d["title"], path=d["path"], n=d["n_train"])
    return d["source"]


def pad_label(p, language: str | None = None) -> str:
    """A padding choice in words: "same", "valid", "full", or N zeros per side."""
    if isinstance(p, int):
        return i18n.t("xp.zeros_per_side", lang=language or lang(), n=p)
    return str(p)


def relink(key: str, options, label, as_label: bool = False) -> None:
    """Keep links working across languages for a widget bound to the URL by its label
    (Streamlit writes the label, not the value): when ?key= holds the label of an option in
    another language, choose that option (as_label: st.tabs, whose value is its label).
    label(option, language) -> str. Call before the widget; acts on a page's first run only
    (later the widget's own state is the truth, and Streamlit owns a bound parameter)."""
    value, here = st.query_params.get(key), lang()
    if value is None or key in st.session_state:
        return
    for option in options:
        mine = label(option, here)
        if value != mine and value in {label(option, code) for code in i18n.LANGS}:
            st.session_state[key] = mine if as_label else option
            return


def relabel(key: str, keys: list[str]) -> list[str]:
    """Labels of catalogue `keys` for st.tabs bound to the URL, so that a tab chosen in another
    language (a link, or just before a language switch) stays chosen."""

    def label(k, language):
        return i18n.t(k, lang=language)

    labels = [t(k) for k in keys]
    old = st.session_state.get(key)
    if old is not None and old not in labels:               # the language was just switched
        for k, mine in zip(keys, labels):
            if old in {label(k, code) for code in i18n.LANGS}:
                st.session_state[key] = mine
    relink(key, keys, label, as_label=True)
    return labels


def verdict(v: dict) -> None:
    """A cnnweb.diagnose verdict in words: summary, details and what to try."""
    st.markdown(f"**{t('diag.title', verdict=t('diag.verdict.' + v['verdict']))}**")
    st.write(tr(v["summary"]))
    for d in v["details"]:
        st.caption(tr(d))
    if v["remedies"]:
        st.markdown(f"**{t('diag.try')}**\n" + "\n".join(f"- {tr(r)}" for r in v["remedies"]))


def _translate_figure(fig) -> None:
    """Trace names, panel titles and axis titles of a cnnweb.charts figure, via i18n terms."""
    here = lang()

    def tr_(text):
        return i18n.words(text, here)

    for trace in fig.data:
        if trace.name:
            trace.name = tr_(trace.name)
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
