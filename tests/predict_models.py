"""Tiny models for the Predict tests: trained for ONE epoch on a few thousand images (so they
are fast to make and only roughly right), saved through cnnweb.store into a session folder.
Import the fixtures into a test module: `from tests.predict_models import tiny_models  # noqa`.
"""

from __future__ import annotations

import pytest

from cnnweb import paths

SHARED = paths.ROOT.parent / "shared" / "data"
SHIPPED = {"mnist": "cnnweb_mnist", "cifar10": "cnnweb_cifar"}


def shipped_available(dataset: str) -> bool:
    return (paths.ROOT / "models" / f"{SHIPPED[dataset]}.keras").exists()


def make_tiny(dataset: str, arch: str, n: int, name: str, folder) -> None:
    import keras
    import numpy as np

    from cnnweb import data, store, zoo

    full = SHARED / f"{dataset}.npz"
    ds = data.load(dataset, path=full) if full.exists() else data.load(dataset, download=False)
    x, y = ds.x_train[:n], ds.y_train[:n]
    keras.utils.set_random_seed(0)
    model = zoo.build(arch, ds.input_shape, len(ds.class_names))
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=64, epochs=1, verbose=0)
    probs = model.predict(ds.x_test[:500], verbose=0)
    acc = float((probs.argmax(1) == ds.y_test[:500]).mean())
    meta = {"name": name, "arch": arch, "dataset": dataset, "class_names": ds.class_names,
            "input_shape": list(ds.input_shape), "preprocessing": ds.info.preprocessing,
            "hyperparams": {"epochs": 1, "limit": n}, "test_accuracy": acc,
            "history": {"loss": [0.0], "accuracy": [0.0], "val_loss": [], "val_accuracy": []},
            "command": f"tests: 1 epoch on {n} images", "data_is_sample": ds.is_sample,
            "created": "test"}
    import os
    old = os.environ.get("CNNWEB_MODELS_DIR")
    os.environ["CNNWEB_MODELS_DIR"] = str(folder)
    try:
        store.save_model(model, name, meta)
    finally:
        if old is None:
            os.environ.pop("CNNWEB_MODELS_DIR", None)
        else:
            os.environ["CNNWEB_MODELS_DIR"] = old
    del np


@pytest.fixture(scope="session")
def tiny_models_dir(tmp_path_factory):
    """A models folder with tiny_1epoch_mnist (mnist_cnn, 1 epoch on 3,000 images) and
    tiny_1epoch_cifar (cifar_cnn, 1 epoch on 2,000 images)."""
    folder = tmp_path_factory.mktemp("tiny_models")
    make_tiny("mnist", "mnist_cnn", 3000, "tiny_1epoch_mnist", folder)
    make_tiny("cifar10", "cifar_cnn", 2000, "tiny_1epoch_cifar", folder)
    return folder


@pytest.fixture
def tiny_models(tiny_models_dir, monkeypatch):
    """Point the store's user folder at the tiny models for this test."""
    monkeypatch.setenv("CNNWEB_MODELS_DIR", str(tiny_models_dir))
    return tiny_models_dir
