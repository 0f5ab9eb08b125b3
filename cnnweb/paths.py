"""Where things live on disk. Each location can be moved with an environment variable."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _dir(env: str, default: Path) -> Path:
    value = os.environ.get(env)
    return Path(value).expanduser().resolve() if value else default


def models_dir() -> Path:
    """Shipped and user-trained models (.keras + .json sidecar). CNNWEB_MODELS_DIR moves it."""
    return _dir("CNNWEB_MODELS_DIR", ROOT / "models")


def runs_dir() -> Path:
    """One folder per training run. CNNWEB_RUNS_DIR moves it."""
    return _dir("CNNWEB_RUNS_DIR", ROOT / "runs")


def data_dir() -> Path:
    """Shipped samples, and where users drop full datasets."""
    return ROOT / "data"


def user_data_dir() -> Path | None:
    """An explicit dataset folder (CNNWEB_DATA_DIR), searched before data/."""
    value = os.environ.get("CNNWEB_DATA_DIR")
    return Path(value).expanduser().resolve() if value else None
