"""cnnweb: the core of a Streamlit app that teaches convolutional neural networks.

Modules (one noun each): conv (arithmetic, no TensorFlow), zoo (model builders), data
(datasets), images (upload/drawing preprocessing), train (training process), jobs (background
runs), store (saved models), diagnose (over/underfitting), explain (feature maps, Grad-CAM),
charts (Plotly figures), ui (the only module importing streamlit), paths, device.
"""

__version__ = "0.1.0"
