"""cnnweb: run with `streamlit run app.py`. Navigation only; every page is a thin script in pages/."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import streamlit as st

from cnnweb import ui

t = ui.t
st.set_page_config(page_title=t("app.title"), page_icon="🧠", layout="wide",
                   initial_sidebar_state="collapsed" if ui.presenting() else "auto")

PAGES = [
    st.Page("pages/home.py", title=t("nav.home"), icon=":material/home:", default=True),
    st.Page("pages/explainer.py", title=t("nav.explainer"), icon=":material/calculate:",
            url_path="explainer"),
    st.Page("pages/lessons.py", title=t("nav.lessons"), icon=":material/school:",
            url_path="lessons"),
    st.Page("pages/trainer.py", title=t("nav.trainer"), icon=":material/monitoring:",
            url_path="trainer"),
    st.Page("pages/gallery.py", title=t("nav.gallery"), icon=":material/account_tree:",
            url_path="gallery"),
    st.Page("pages/predict.py", title=t("nav.predict"), icon=":material/draw:",
            url_path="predict"),
]
if not ui.class_mode() or ui.teacher():       # the teacher's board: the teacher's only
    PAGES.append(st.Page("pages/board.py", title=t("nav.board"), icon=":material/leaderboard:",
                         url_path="board"))

page = st.navigation(PAGES)
ui.classroom_sidebar()
ui.class_sidebar()
page.run()
