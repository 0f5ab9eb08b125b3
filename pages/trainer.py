import streamlit as st

st.title("Trainer")
st.info("This page is being built.")
