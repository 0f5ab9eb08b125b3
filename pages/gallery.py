import streamlit as st

st.title("Gallery")
st.info("This page is being built.")
