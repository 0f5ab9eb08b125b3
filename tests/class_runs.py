"""Fake run folders and stored models of named students, as jobs/train write them (no
training), for the class-server tests (issue 14). A "running" run's process is the caller."""

import time
import zipfile
from pathlib import Path

from cnnweb import jobs, paths, runs


def fake_run(owner, state="finished", accs=(0.5, 0.7, 0.8), name=None, created=None,
             base: Path | None = None, arch="mnist_cnn", **hp):
    """A run folder: config (with owner), status, one epoch row per accuracy in accs."""
    d = runs.create_run_dir(arch, "mnist", base)
    hyper = {"epochs": len(accs), "batch_size": 64, "lr": 1e-3, "optimizer": "adam", **hp}
    runs.write_config(d, {"run_id": d.name, "arch": arch, "dataset": "mnist",
                          "created": created or time.time(), "owner": owner,
                          "name": name, "config": {"epochs": len(accs)}, "hyperparams": hyper})
    for i, a in enumerate(accs):
        runs.append_metric(d, {"type": "epoch", "epoch": i + 1, "loss": 1 - a, "accuracy": a,
                               "val_loss": 1.05 - a, "val_accuracy": a - 0.01})
    fields = jobs.process_identity() if state == "running" else {}
    runs.set_status(d, state=state, epochs=len(accs),
                    test_accuracy=accs[-1] if state == "finished" else None, **fields)
    return d


def fake_model(name, owner, folder: Path | None = None):
    """A model entry in the store: a sidecar with its owner and a stand-in .keras file."""
    folder = Path(folder or paths.models_dir())
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(folder / f"{name}.keras", "w") as z:
        z.writestr("metadata.json", "{}")
    runs.write_json(folder / f"{name}.json", {
        "name": name, "arch": "mnist_cnn", "dataset": "mnist", "owner": owner,
        "class_names": [str(i) for i in range(10)], "input_shape": [28, 28, 1],
        "test_accuracy": 0.9})
    return folder / f"{name}.keras"
