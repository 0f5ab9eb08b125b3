import streamlit as st

st.title("Explainer")
st.info("This page is being built.")
