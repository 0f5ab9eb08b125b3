"""Hostile dataset files (issue 11, items 5, 7 and 14): FIFOs, devices and folders under a
dataset's name, npz and pickle bombs, headers that lie, 0-d arrays, text files in disguise.
Each ends in one line naming the file, fast, with memory bounded (measured with tracemalloc,
which sees numpy's and zlib's buffers), and the rest of the app still works."""

import io
import os
import pickle
import subprocess
import sys
import tarfile
import threading
import time
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest

from cnnweb import data, paths, runs, ui
from tests.helpers import claim_size

SHARED = Path(paths.ROOT).parent / "shared" / "data"
MB = 1 << 20
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """CNNWEB_DATA_DIR is an empty folder of this test; no Keras cache, no downloads."""
    folder = tmp_path / "datasets"
    folder.mkdir()
    monkeypatch.setenv("CNNWEB_DATA_DIR", str(folder))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("CNNWEB_NO_DOWNLOAD", "1")
    return folder


def _npy(shape, dtype=np.uint8, body: bytes | None = None) -> bytes:
    """An .npy member: a real header for `shape`, then `body` (default: zeros of that size)."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)),
                                               "fortran_order": False, "shape": shape})
    if body is None:
        body = bytes(int(np.prod(shape)) * np.dtype(dtype).itemsize)
    return buf.getvalue() + body


def _small_npz(path: Path, **members):
    """An npz of 4 tiny valid MNIST-shaped arrays, any of them replaced by raw member bytes."""
    arrays = {"x_train": _npy((20, 28, 28)), "y_train": _npy((20,)),
              "x_test": _npy((10, 28, 28)), "y_test": _npy((10,))}
    arrays.update(members)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for k, b in arrays.items():
            zf.writestr(f"{k}.npy", b)
    return path


def _bounded(fn, limit_mb: float):
    """fn() under tracemalloc: its ValueError's one line; asserts the peak stayed under limit_mb."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as e:
            fn()
        peak = tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()
    line = str(e.value)
    assert "\n" not in line and peak < limit_mb, (line, peak)
    return line


def _within(fn, seconds=10):
    """fn() in a thread that must finish within `seconds` (a FIFO read would block forever)."""
    out = {}
    th = threading.Thread(target=lambda: out.update(r=_catch(fn)), daemon=True)
    th.start()
    th.join(seconds)
    assert not th.is_alive(), "hung"
    return out["r"]


def _catch(fn):
    try:
        return fn()
    except ValueError as e:
        return e


def _row(name="mnist"):
    return next(r for r in data.dataset_status() if r.name == name)


# ------------------------------------------------------------------ not a regular file (item 5)

@needs_fifo
def test_a_fifo_named_mnist_npz_neither_hangs_status_nor_load_and_says_what_it_is(isolated):
    os.mkfifo(isolated / "mnist.npz")
    row = _within(_row)
    assert row.found and row.n_train is None
    assert "not a regular file" in row.source and str(isolated / "mnist.npz") in row.source
    err = _within(lambda: data.load("mnist"))
    assert isinstance(err, ValueError) and "not a regular file" in str(err)
    assert "\n" not in str(err)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_as_the_data_path_is_refused_without_reading_it():
    err = _within(lambda: data.load("mnist", path="/dev/zero"))
    assert isinstance(err, ValueError) and "/dev/zero is not a regular file" in str(err)


def test_a_folder_named_mnist_npz_says_it_is_a_folder(isolated):
    (isolated / "mnist.npz").mkdir()
    row = _row()
    assert row.n_train is None and "is a folder, not a file" in row.source
    with pytest.raises(ValueError, match="mnist.npz is a folder, not a file"):
        data.load("mnist")
    (isolated / "cifar10.npz").mkdir()                       # not "missing data_batch_1"
    with pytest.raises(ValueError, match="cifar10.npz is a folder") as e:
        data.load("cifar10")
    assert "data_batch" not in str(e.value)


@needs_fifo
def test_train_cli_on_a_fifo_fails_fast_and_gives_the_queue_back(tmp_path):
    fifo = tmp_path / "mnist.npz"
    os.mkfifo(fifo)
    t = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "cnnweb", "train", "--arch", "mnist_cnn",
                        "--dataset", "mnist", "--data-path", str(fifo), "--run-dir",
                        str(tmp_path / "run")], capture_output=True, text=True, cwd=paths.ROOT,
                       timeout=120, check=False)
    assert time.monotonic() - t < 60 and r.returncode == 1 and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "not a regular file" in lines[0]
    st = runs.read_status(tmp_path / "run")
    assert st["state"] == "failed" and "not a regular file" in st["reason"]


# ------------------------------------------------------------------ npz bombs and lying headers (7, 14)

def test_a_header_claiming_a_trillion_images_is_malformed_not_out_of_memory(isolated):
    _small_npz(isolated / "mnist.npz", x_train=_npy((10**12, 28, 28), body=b"\0" * 784))
    row = _row()
    assert row.n_train is None                               # Home shows no 10^12 count
    assert "malformed or too large" in row.source and "1,000,000,000,000" in row.source
    line = _bounded(lambda: data.load("mnist"), 5)
    assert "malformed or too large" in line and "memory" not in line


def test_a_header_that_disagrees_with_the_bytes_is_malformed(isolated):
    _small_npz(isolated / "mnist.npz", x_train=_npy((5000, 28, 28), body=bytes(784 * 20)))
    line = _bounded(lambda: data.load("mnist"), 5)
    assert "is malformed: the header of x_train claims (5,000, 28, 28)" in line
    assert _row().n_train is None


def test_a_member_claiming_gigabytes_is_refused_before_inflating(isolated):
    """3 MB on disk that says it unpacks to 3.1 GB (the issue's case), from the zip directory."""
    p = _small_npz(isolated / "mnist.npz")
    claim_size(p, "x_train.npy", 3_100_000_000)
    line = _bounded(lambda: data.load("mnist"), 5)
    assert "would unpack to 2.9 GiB, more than the 256.0 MiB allowed" in line, line
    assert "would unpack" in _row().source


def test_an_npz_zero_bomb_is_refused_by_its_ratio_before_inflating(isolated):
    """64 MiB of zeros deflate to ~64 KB (ratio ~1000; real datasets: 1.1 to 4.8): refused from
    the directory, so loading it costs kilobytes, not the 64 MiB it would inflate to."""
    n = 64 * MB // 784
    p = isolated / "mnist.npz"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("x_train.npy", "w") as f:
            f.write(_npy((n, 28, 28), body=b""))
            for _ in range(n * 784 // MB):
                f.write(bytes(MB))
            f.write(bytes(n * 784 % MB))
        for k, shape in (("y_train", (n,)), ("x_test", (10, 28, 28)), ("y_test", (10,))):
            zf.writestr(f"{k}.npy", _npy(shape))
    assert p.stat().st_size < 2 * MB
    line = _bounded(lambda: data.load("mnist"), 8)
    assert "x_train.npy would unpack to" in line and "times its stored size" in line
    assert _row().n_train is None


def test_zero_d_arrays_are_one_line_on_load_status_and_both_pages(isolated):
    buf = io.BytesIO()
    np.savez(buf, x_train=np.array(5), y_train=np.array(1), x_test=np.array(5), y_test=np.array(1))
    (isolated / "mnist.npz").write_bytes(buf.getvalue())
    with pytest.raises(ValueError, match=r"x_train has shape \(\), expected \(N, 28, 28, 1\)"):
        data.load("mnist")
    row = _row()
    assert row.n_train is None and "x_train has shape ()" in row.source

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(paths.ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert any(ui.md_text("x_train has shape ()") in m.value for m in at.markdown)  # Home
    at.switch_page("pages/trainer.py").run()
    assert not at.exception, at.exception                                       # was IndexError
    assert any("x_train has shape ()" in w.value for w in at.warning)


def test_a_text_file_named_cifar10_npz_is_not_an_npz_file(isolated):
    (isolated / "cifar10.npz").write_text("just some text, not an archive\n")
    with pytest.raises(ValueError, match=r"cifar10.npz: not a valid .npz file \(not a zip archive\)"):
        data.load("cifar10")
    assert "not a valid .npz file" in _row("cifar10").source


def test_limit_reads_only_the_images_it_keeps_from_a_compressed_npz():
    if not (SHARED / "mnist.npz").exists():
        pytest.skip("../shared/data not present")
    data.load("mnist", path=SHARED / "mnist.npz", limit=10)        # warm up imports
    tracemalloc.start()
    try:
        ds = data.load("mnist", path=SHARED / "mnist.npz", limit=300)
        peak = tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()
    assert ds.x_train.shape == (300, 28, 28, 1) and ds.x_test.shape == (10000, 28, 28, 1)
    assert "full MNIST" in ds.source and "60,000" in ds.source       # what the file holds
    full = data.load("mnist", path=SHARED / "mnist.npz")
    assert np.array_equal(full.x_train[:300], ds.x_train) and np.array_equal(full.y_train[:300], ds.y_train)
    assert peak < 16, f"{peak:.1f} MB for 300 images (x_train is 47 MB, x_test 7.8 MB)"


# ------------------------------------------------------------------ pickle bombs (item 7)

def _cifar_folder(folder: Path, bad: bytes | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {b"data": np.zeros((4, 3072), np.uint8), b"labels": [0, 1, 2, 3]}
        (folder / name).write_bytes(pickle.dumps(batch, protocol=4))
    if bad is not None:
        (folder / "data_batch_2").write_bytes(bad)
    return folder


def test_a_pickle_of_repeated_rows_is_refused_before_it_becomes_gigabytes(isolated):
    """~300 KB of pickle: one list of 10,000 labels referenced 100,000 times (np.asarray of it
    would be 8 GB, as in the issue's 400 KB -> 7.2 GB)."""
    row = list(range(10_000))
    bomb = pickle.dumps({b"data": np.zeros((4, 3072), np.uint8), b"labels": [row] * 100_000},
                        protocol=4)
    assert len(bomb) < 600_000
    _cifar_folder(isolated / "cifar-10-batches-py", bomb)
    line = _bounded(lambda: data.load("cifar10"), 40)
    assert "data_batch_2: the labels are not a list of at most 100,000 whole numbers" in line
    data_bomb = pickle.dumps({b"data": [[0] * 3072] * 1_000_000, b"labels": [0]}, protocol=4)
    _cifar_folder(isolated / "cifar-10-batches-py", data_bomb)
    line = _bounded(lambda: data.load("cifar10"), 40)
    assert "batch data is list, expected an array" in line


class _HugeArray:
    """Pickles as numpy's own array hook asked for 10^11 bytes (numpy would try to allocate them)."""

    def __reduce__(self):
        from numpy._core.multiarray import _reconstruct

        return (_reconstruct, (np.ndarray, (10**11,), b"b"))


def test_numpys_pickle_hook_is_refused_an_array_beyond_the_bound(isolated):
    bomb = pickle.dumps({b"data": _HugeArray(), b"labels": []}, protocol=4)
    _cifar_folder(isolated / "cifar-10-batches-py", bomb)
    line = _bounded(lambda: data.load("cifar10"), 5)
    assert "data_batch_2: not a CIFAR-10 batch" in line and "not allowed" in line


def test_a_text_file_named_data_batch_1_is_not_a_pickle(isolated):
    folder = _cifar_folder(isolated / "cifar-10-batches-py")
    (folder / "data_batch_1").write_text("hello, I am text\n")
    with pytest.raises(ValueError, match="data_batch_1 is not a pickle file") as e:
        data.load("cifar10")
    assert "pickled data" not in str(e.value)


def test_oversized_batch_files_and_tar_members_are_refused_from_their_size(isolated):
    folder = _cifar_folder(isolated / "cifar-10-batches-py")
    with open(folder / "test_batch", "r+b") as f:                # sparse: costs no disk
        f.truncate(100 * MB)
    line = _bounded(lambda: data.load("cifar10"), 5)
    assert "test_batch is 100.0 MiB, more than the 64.0 MiB allowed" in line
    assert "test_batch is 100.0 MiB" in _row("cifar10").source
    # a .tar.gz whose first member's header claims 1 GB: refused at the header, nothing inflated
    tgz = isolated.parent / "cifar-10-python.tar.gz"
    info = tarfile.TarInfo("cifar-10-batches-py/data_batch_1")
    info.size = 10**9
    import gzip

    with gzip.open(tgz, "wb") as g:
        g.write(info.tobuf(format=tarfile.GNU_FORMAT) + bytes(4096))
    t = time.monotonic()
    line = _bounded(lambda: data.load("cifar10", path=tgz), 5)
    assert "would unpack to 953.7 MiB" in line and time.monotonic() - t < 2


def test_the_real_files_and_the_samples_still_load(isolated):
    """The bounds leave every real dataset readable (full CIFAR-10 is 184 MB of arrays)."""
    ds = data.load("mnist", path=paths.data_dir() / "mnist_sample.npz")
    assert ds.x_train.shape == (6000, 28, 28, 1)
    if (SHARED / "cifar10.npz").exists():
        rows = data._status_counts(data.DATASETS["cifar10"], SHARED / "cifar10.npz")
        assert rows == (50000, 10000)
