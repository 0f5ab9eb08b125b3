"""The teacher's board: every active and recent run of the class, live curves (one colour per
student, the leader thick), a table best first with the hyperparameters, one word per run.
Thin: the rows come from cnnweb.classroom, the figure from cnnweb.charts; refreshed in a
fragment while runs are active. The teacher's (or everyone's without a class key)."""

import streamlit as st

from cnnweb import charts, classroom, i18n, jobs, ui

st.set_page_config(layout="wide")
ui.ensure_app_navigation()
t = ui.t
REFRESH_S, IDLE_REFRESH_S = 2.0, 5.0
HYPER = {"epochs": "tr.epochs", "batch_size": "tr.batch", "lr": "tr.lr",
         "optimizer": "tr.optimizer", "dropout": "tr.dropout", "augment": "tr.augment"}


def word(row: dict, lang: str) -> str:
    """The run's one word in the reader's language (a diagnosis verdict or its state)."""
    key = "diag.verdict." + row["word"]
    return i18n.t(key, lang=lang) if key in i18n.CATALOGUES["en"] else i18n.term(row["word"], lang)


def pct(value) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def setting(value) -> str:
    """A hyperparameter for a table cell: 0.001, ✓ for an option that is on, blank if unset."""
    if value is None or value is False:
        return ""
    if value is True:
        return "✓"
    return f"{value:g}" if isinstance(value, float) else str(value)


def table(rows: list[dict]):
    """The runs best first: place, student, score, word and the hyperparameters behind it.
    The column names are looked up once, not per row (each lookup reads the session's language:
    per row they were most of a 40-run board's refresh)."""
    lang = ui.lang()
    col = {k: i18n.t(k, lang=lang) for k in ("board.student", "board.best_val", "col.test_acc",
                                              "board.word", "col.arch", "col.dataset",
                                              "board.epochs_done", *HYPER.values())}
    records = [{"#": i + 1,
                col["board.student"]: ("★ " if r["leader"] else "") + (r["owner"] or "–"),
                col["board.best_val"]: pct(r["best_val"]), col["col.test_acc"]: pct(r["test"]),
                col["board.word"]: word(r, lang), col["col.arch"]: r["arch"],
                col["col.dataset"]: r["dataset"], col["board.epochs_done"]: r["epochs_done"],
                **{col[label]: setting(r["hyperparams"].get(h)) for h, label in HYPER.items()}}
               for i, r in enumerate(rows)]
    st.dataframe(records, hide_index=True, width="stretch",
                 height=min(38 + 35 * len(records), 36 * 16))


def live():
    """The part that refreshes: curves and table from the run folders as they are now."""
    all_runs = jobs.list_runs()
    rows = classroom.board(all_runs, classroom.cleared_at())
    active = sum(r.active for r in all_runs)
    st.caption(t("board.caption") + " " + t("board.counts", shown=len(rows), active=active))
    if not rows:
        st.info(t("board.empty"))
        return
    leader = rows[0]
    if leader["leader"]:
        st.markdown(t("board.leader", name=ui.md_text(leader["owner"] or "–"),
                      acc=pct(classroom.score(leader))))
    figure = charts.board_curves_figure(rows, height=330 if ui.presenting() else 420,
                                        lang=ui.lang())
    ui.plotly_chart(figure, key="board_curves")
    table(rows)


def clear():
    """Clear the board (the teacher's): ended runs leave it; their files stay."""
    if st.button(t("board.clear"), help=t("board.clear_help"), key="board_clear"):
        if not ui.may_manage(""):          # the guard, not only the hidden button
            st.error(t("cls.teacher_only"))
            return
        try:
            classroom.clear_board()
        except OSError as e:
            st.error(t("board.clear_failed", problem=ui.md_text(e.strerror or e)))
        else:
            st.toast(t("board.cleared"))


st.title(t("nav.board"))
if ui.class_mode() and not ui.teacher():
    st.warning(t("cls.teacher_only"))
    st.stop()
# ticks also while nothing runs (slower), so the first run a student starts appears by itself
ticking = any(r.active for r in jobs.list_runs())
st.fragment(run_every=REFRESH_S if ticking else IDLE_REFRESH_S)(live)()
clear()
