"""Home: what the app does, what it runs on, which datasets and models it finds. No TensorFlow."""

import streamlit as st

from cnnweb import data, device, stack, store, ui

ui.ensure_app_navigation()

st.title("cnnweb")
st.markdown("Learn convolutional neural networks by playing with them: see what a convolution "
            "does to an image, train a network and watch it learn, compare architectures, and "
            "ask a trained model what it sees in your drawing.")

PAGES = [
    ("pages/explainer.py", "Explainer", ":material/calculate:",
     ("Stack conv and pooling layers and see output shapes, parameters, multiply-adds and "
     "receptive fields with the formulas worked out; step a kernel over a grid; max vs average "
     "pooling and classic filters on real pictures.")),
    ("pages/trainer.py", "Trainer", ":material/monitoring:",
     ("Train a CNN on MNIST or CIFAR-10 in the background with live loss and accuracy curves, "
     "an overfitting diagnosis in words, run history and confusion matrices.")),
    ("pages/gallery.py", "Gallery", ":material/account_tree:",
     ("Every architecture from the tutorials and every trained model: layer tables, parameter "
     "counts, diagrams and the curves of the run that made it.")),
    ("pages/predict.py", "Predict", ":material/draw:",
     ("Draw a digit or upload pictures and see the top guesses, the exact input the model sees, "
     "its feature maps and a Grad-CAM heat map.")),
]
cols = st.columns(len(PAGES))
for col, (path, title, icon, text) in zip(cols, PAGES):
    with col.container(border=True, height="stretch"):
        st.page_link(path, label=f"**{title}**", icon=icon)
        st.caption(text)

lessons, left, right = st.columns([1, 1, 1], gap="large")
with lessons:
    st.subheader("Start a lesson")
    st.caption("Each opens the Explainer on a ready-made view.")
    VGG16 = "VGG16 feature extractor (13 convs, 5 pools)"
    LESSONS = [
        ("The tutorial's MNIST network, layer by layer", {}),
        ("Why VGG16's last pool sees 212 pixels",
         {"layers": stack.encode_stack(stack.PRESETS[VGG16].layers), "size": 224, "ch": 3,
          "view": "Receptive field"}),
        ("A kernel sliding over a grid, one step at a time", {"view": "Sliding kernel"}),
        ("Two 3×3 convolutions vs one 5×5", {"view": "Two 3×3 vs one 5×5"}),
        ("Edges, blur and pooling on a photo", {"view": "Pooling and filters"}),
    ]
    for label, params in LESSONS:
        st.page_link("pages/explainer.py", label=label, icon=":material/school:",
                     query_params=params or None)

with left:
    st.subheader("This computer")
    where = device.describe()
    st.markdown(f":material/memory: **{where}**")
    if where.startswith("CPU"):
        st.caption("Training runs on the CPU: the tutorials' small networks take seconds to a "
                   "minute per epoch; deeper ones (ResNet-style) are much slower.")
    st.subheader("Datasets")
    try:
        found = data.dataset_status()
    except Exception as e:  # noqa: BLE001 (Home must always render)
        st.warning(f"Datasets could not be listed: {e}")
        found = []
    for d in found:
        if not d["found"]:
            st.markdown(f":material/cancel: **{d['title']}**: not found. {d['source']}")
        elif d["is_sample"]:
            st.markdown(f":material/science: **{d['title']}**: only the small sample shipped "
                        f"with the app ({d['n_train']:,} training / {d['n_test']:,} test "
                        "images): fine for trying things, too small for good accuracy.")
        else:
            st.markdown(f":material/check_circle: **{d['title']}**: {d['source']}")
    st.caption("Full datasets: put mnist.npz or cifar10.npz in data/, or point CNNWEB_DATA_DIR "
               "at a folder holding them.")
with right:
    st.subheader("Trained models")
    try:
        models = store.list_models()
    except Exception as e:  # noqa: BLE001
        st.warning(f"Models could not be listed: {e}")
        models = []
    if not models:
        st.info("No trained models yet: train one in the Trainer.", icon=":material/info:")
    else:
        table = []
        for m in models:
            acc = m.meta.get("test_accuracy")
            table.append({"model": m.name, "architecture": m.meta.get("arch", ""),
                          "dataset": m.meta.get("dataset", ""),
                          "test accuracy": f"{acc:.1%}" if isinstance(acc, float) else "",
                          "from": "shipped" if m.shipped else "yours",
                          "status": "ready" if m.ok else m.error})
        st.dataframe(table, hide_index=True, width="stretch")
        st.page_link("pages/gallery.py", label="See them in the Gallery", icon=":material/arrow_forward:")
