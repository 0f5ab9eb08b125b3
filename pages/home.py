import streamlit as st

from cnnweb import device

st.title("cnnweb")
st.write("Learn convolutional neural networks by playing with them.")
st.caption(f"Compute device: {device.describe()}")
