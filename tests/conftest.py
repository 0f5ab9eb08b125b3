"""Shared test set-up: quiet TensorFlow, and never touch the real models/ or runs/ folders."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory, monkeypatch):
    """Each test gets empty models/ and runs/ folders unless it sets its own."""
    base = tmp_path_factory.mktemp("cnnweb")
    monkeypatch.setenv("CNNWEB_MODELS_DIR", str(base / "models"))
    monkeypatch.setenv("CNNWEB_RUNS_DIR", str(base / "runs"))
