"""cnnweb.data: search order, formats (npz, CIFAR pickles folder, tar.gz), validation, samples."""

import pickle
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import numpy as np
import pytest

from cnnweb import data, paths

SHARED = Path(paths.ROOT).parent / "shared" / "data"


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No CNNWEB_DATA_DIR, an empty Keras cache, no downloads; data/ is the real one."""
    monkeypatch.delenv("CNNWEB_DATA_DIR", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("CNNWEB_NO_DOWNLOAD", "1")
    return tmp_path


def _npz(path: Path, n_train=20, n_test=10, shape=(28, 28), classes=10, **override):
    rng = np.random.default_rng(len(str(path)))
    arrays = {"x_train": rng.integers(0, 256, (n_train, *shape), dtype=np.uint8),
              "y_train": (np.arange(n_train) % classes).astype(np.uint8),
              "x_test": rng.integers(0, 256, (n_test, *shape), dtype=np.uint8),
              "y_test": (np.arange(n_test) % classes).astype(np.uint8)}
    arrays.update(override)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)
    return arrays


def test_shipped_samples_are_balanced_small_and_used_last(isolated):
    total = sum(f.stat().st_size for f in paths.data_dir().rglob("*") if f.is_file())
    assert total < 15e6, f"data/ holds {total / 1e6:.1f} MB"
    ds = data.load("mnist")
    assert ds.is_sample and "shipped sample" in ds.source
    assert ds.x_train.shape == (6000, 28, 28, 1) and ds.x_train.dtype == np.uint8
    assert np.bincount(ds.y_train).tolist() == [600] * 10
    assert np.bincount(ds.y_test).tolist() == [100] * 10
    c = data.load("cifar10")
    assert c.x_train.shape == (2500, 32, 32, 3) and c.y_test.shape == (500,)
    assert np.bincount(c.y_train).tolist() == [250] * 10
    with pytest.raises(ValueError, match="not found"):
        data.load("mnist", allow_sample=False)


def test_search_order_given_path_then_env_then_data_dir_then_keras_cache(isolated, monkeypatch):
    tmp = isolated
    _npz(tmp / "env" / "mnist.npz", n_train=11)
    _npz(tmp / "proj" / "mnist.npz", n_train=12)
    _npz(tmp / "keras" / "datasets" / "mnist.npz", n_train=13)
    _npz(tmp / "given.npz", n_train=14)
    monkeypatch.setattr(paths, "data_dir", lambda: tmp / "proj")
    monkeypatch.setenv("CNNWEB_DATA_DIR", str(tmp / "env"))
    assert len(data.load("mnist", path=tmp / "given.npz").y_train) == 14
    got = data.load("mnist")
    assert len(got.y_train) == 11 and "CNNWEB_DATA_DIR" in got.source and not got.is_sample
    monkeypatch.delenv("CNNWEB_DATA_DIR")
    assert len(data.load("mnist").y_train) == 12
    (tmp / "proj" / "mnist.npz").unlink()
    got = data.load("mnist")
    assert len(got.y_train) == 13 and "Keras cache" in got.source
    (tmp / "keras" / "datasets" / "mnist.npz").unlink()
    with pytest.raises(ValueError, match="MNIST not found"):
        data.load("mnist")      # and no sample in this fake data/ folder


@pytest.mark.skipif(not (SHARED / "mnist.npz").exists(), reason="../shared/data not present")
def test_full_mnist_through_CNNWEB_DATA_DIR(isolated, monkeypatch):
    monkeypatch.setenv("CNNWEB_DATA_DIR", str(SHARED))
    ds = data.load("mnist")
    assert ds.x_train.shape == (60000, 28, 28, 1) and ds.x_test.shape == (10000, 28, 28, 1)
    assert ds.y_train.shape == (60000,) and ds.y_train.max() == 9
    assert ds.source.startswith("full MNIST from") and "60,000" in ds.source
    row = next(r for r in data.dataset_status() if r.name == "mnist")
    assert row.n_train == 60000 and not row.is_sample


def _cifar_batch(n, offset):
    x = np.arange(n * 3072, dtype=np.int64).reshape(n, 3072) % 251 + offset
    return {b"data": x.astype(np.uint8), b"labels": [(i + offset) % 10 for i in range(n)]}


def _write_cifar_folder(folder: Path):
    folder.mkdir(parents=True)
    for i in range(1, 6):
        (folder / f"data_batch_{i}").write_bytes(pickle.dumps(_cifar_batch(4, i)))
    (folder / "test_batch").write_bytes(pickle.dumps(_cifar_batch(3, 0)))


def test_cifar_original_pickles_folder_and_tar_gz_give_the_same_arrays(isolated):
    folder = isolated / "cifar-10-batches-py"
    _write_cifar_folder(folder)
    a = data.load("cifar10", path=folder)
    assert a.x_train.shape == (20, 32, 32, 3) and a.y_train.tolist()[:4] == [1, 2, 3, 4]
    raw = _cifar_batch(4, 1)[b"data"][0]
    # stored as three 32x32 planes: pixel (row 0, col 1) has R=raw[1], G=raw[1024+1], B=raw[2048+1]
    assert a.x_train[0, 0, 1].tolist() == [raw[1], raw[1025], raw[2049]]
    tgz = isolated / "cifar-10-python.tar.gz"
    with tarfile.open(tgz, "w:gz") as tar:
        tar.add(folder, arcname="cifar-10-batches-py")
    b = data.load("cifar10", path=tgz)
    assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.y_test, b.y_test)


def test_a_pickle_that_runs_code_is_refused_and_named(isolated):
    folder = isolated / "cifar-10-batches-py"
    _write_cifar_folder(folder)
    marker = isolated / "pwned"

    class Evil:
        def __reduce__(self):
            return (Path.touch, (marker,))

    (folder / "data_batch_3").write_bytes(pickle.dumps({b"data": Evil(), b"labels": []}))
    with pytest.raises(ValueError, match="data_batch_3"):
        data.load("cifar10", path=folder)
    assert not marker.exists()


@pytest.mark.parametrize("problem, override, message", [
    ("wrong shape", {"x_train": np.zeros((20, 32, 32), np.uint8)}, r"x_train has shape"),
    ("float pixels", {"x_test": np.zeros((10, 28, 28), np.float32)}, r"dtype float32"),
    ("labels out of range", {"y_train": np.full(20, 12, np.uint8)}, r"labels range 12\.\.12"),
    ("count mismatch", {"y_test": np.zeros(9, np.uint8)}, r"10 images but 9 labels"),
    ("pixels out of range", {"x_train": np.full((20, 28, 28), 300, np.int32)}, r"0\.\.255"),
])
def test_wrong_npz_contents_give_a_message_naming_the_file(isolated, problem, override, message):
    p = isolated / "bad.npz"
    _npz(p, **override)
    with pytest.raises(ValueError, match=message) as e:
        data.load("mnist", path=p)
    assert str(p) in str(e.value)


def test_corrupt_or_foreign_files_are_reported(isolated):
    trunc = isolated / "trunc.npz"
    _npz(trunc)
    trunc.write_bytes(trunc.read_bytes()[:200])
    with pytest.raises(ValueError, match="trunc.npz: not a valid .npz"):
        data.load("mnist", path=trunc)
    text = isolated / "mnist.npz"
    text.write_text("hello")
    with pytest.raises(ValueError, match="mnist.npz: not a valid .npz"):
        data.load("mnist", path=isolated)          # a folder: mnist.npz inside it
    keys = isolated / "keys.npz"
    np.savez(keys, images=np.zeros((2, 28, 28), np.uint8))
    with pytest.raises(ValueError, match="missing arrays x_train"):
        data.load("mnist", path=keys)
    with pytest.raises(ValueError, match="no such file"):
        data.load("mnist", path=isolated / "nope.npz")
    with pytest.raises(ValueError, match="unknown dataset"):
        data.load("imagenet")


def test_offline_download_gives_up_fast(isolated, monkeypatch):
    import socket

    def offline(*a, **k):
        raise OSError("Name or service not known")

    monkeypatch.setattr(socket, "create_connection", offline)
    t = time.monotonic()
    assert data._download(data.DATASETS["mnist"]) is None
    ds = data.load("mnist", download=True)        # falls through to the shipped sample
    assert ds.is_sample and time.monotonic() - t < 5


def test_dataset_status_is_cheap_and_imports_no_tensorflow(isolated):
    t = time.monotonic()
    rows = {r.name: r for r in data.dataset_status()}
    assert time.monotonic() - t < 1.0
    assert rows["mnist"].is_sample and rows["mnist"].n_train == 6000
    assert rows["cifar10"].n_test == 500 and "shipped sample" in rows["cifar10"].source
    code = ("import sys, cnnweb.data as d; d.dataset_status(); d.load('mnist'); "
            "print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=paths.ROOT, check=True).stdout.split()
    assert out == ["False", "False"]
