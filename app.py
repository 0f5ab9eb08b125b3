"""cnnweb: run with `streamlit run app.py`. Navigation only; every page is a thin script in pages/."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import streamlit as st

st.set_page_config(page_title="cnnweb: learn CNNs by playing", page_icon="🧠", layout="wide")

PAGES = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/explainer.py", title="Explainer", icon=":material/calculate:", url_path="explainer"),
    st.Page("pages/trainer.py", title="Trainer", icon=":material/monitoring:", url_path="trainer"),
    st.Page("pages/gallery.py", title="Gallery", icon=":material/account_tree:", url_path="gallery"),
    st.Page("pages/predict.py", title="Predict", icon=":material/draw:", url_path="predict"),
]

st.navigation(PAGES).run()
