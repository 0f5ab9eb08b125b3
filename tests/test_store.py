"""cnnweb.store: round trips of every zoo architecture (the seed 000 bug made impossible), atomic
and no-overwrite writes, name sanitising, and corrupt or foreign files listed, never raised."""

import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from cnnweb import paths, store, zoo

keras = pytest.importorskip("keras")

# Small inputs where the architecture allows them, to keep the round trips fast.
ROUND_TRIP_SHAPES = {"mnist_cnn": (28, 28, 1), "cifar_cnn": (32, 32, 3), "baseline": (12, 12, 1),
                     "bn_leaky_cnn": (12, 12, 3), "lenet5": (16, 16, 1), "alexnet8": (28, 28, 1),
                     "vgg16": (8, 8, 1), "inception10": (8, 8, 3), "resnet18": (8, 8, 1),
                     "cnnweb_mnist_fast": (12, 12, 1), "cnnweb_cifar_fast": (8, 8, 3),
                     "cnnweb_cifar_plain": (8, 8, 3), "cnnweb_cifar_quick": (8, 8, 3)}




pytestmark = pytest.mark.usefixtures("no_shipped_models")   # only the models a test writes


def _perturb_batchnorm(model, rng):
    """Give every BN layer non-default statistics, so that losing them on reload would show."""
    for layer in model.layers:
        if type(layer).__name__ == "BatchNormalization":
            gamma, beta, mean, var = layer.get_weights()
            layer.set_weights([rng.uniform(0.5, 1.5, gamma.shape), rng.normal(0, 0.1, beta.shape),
                               rng.normal(0, 0.1, mean.shape), rng.uniform(0.5, 2.0, var.shape)])


def _tiny_model(shape=(12, 12, 1)):
    return zoo.build("baseline", shape, 10)


def test_round_trip_covers_every_architecture():
    assert set(ROUND_TRIP_SHAPES) == set(zoo.names()) - {
        n for n in zoo.names() if zoo.info(n)["shipped"]}


@pytest.mark.parametrize("name", sorted(ROUND_TRIP_SHAPES))
def test_every_architecture_with_dropout_and_bn_reloads_with_identical_predictions(name):
    rng = np.random.default_rng(0)
    shape = ROUND_TRIP_SHAPES[name]
    model = zoo.build(name, shape, 7, dropout=0.35)         # not any builder's default rate
    _perturb_batchnorm(model, rng)
    x = rng.integers(0, 256, (4, *shape), dtype=np.uint8)
    before = np.asarray(model(x, training=False))     # eager: no predict() compile per model
    store.save_model(model, f"rt_{name}", {"arch": name, "dataset": "test",
                                            "hyperparams": {"dropout": 0.35}})
    loaded = store.load_model(f"rt_{name}")
    np.testing.assert_array_equal(np.asarray(loaded(x, training=False)), before)
    assert [type(la).__name__ for la in loaded.layers] == [type(la).__name__ for la in model.layers]
    rates = [la.rate for la in loaded.layers if type(la).__name__ == "Dropout"]
    assert rates == [0.35] * len(rates)                       # seed 000 lost exactly this
    assert store.load_meta(f"rt_{name}")["hyperparams"] == {"dropout": 0.35}


def test_sidecar_gets_name_date_shape_and_plain_json_values():
    model = _tiny_model()
    meta = {"arch": "baseline", "test_accuracy": np.float32(0.5), "test_loss": float("nan"),
            "confusion_matrix": np.eye(2, dtype=np.int64), "input_shape": (12, 12, 1)}
    path = store.save_model(model, "meta_check", meta)
    saved = json.loads(path.with_suffix(".json").read_text())
    assert saved["name"] == "meta_check" and saved["created"]
    assert saved["test_accuracy"] == 0.5 and saved["test_loss"] is None
    assert saved["confusion_matrix"] == [[1, 0], [0, 1]] and saved["input_shape"] == [12, 12, 1]
    assert saved["params"] == model.count_params()
    assert path.parent == paths.models_dir()
    umask = os.umask(0)
    os.umask(umask)
    for p in (path, path.with_suffix(".json")):   # ordinary permissions, not a private temp file
        assert p.stat().st_mode & 0o777 == 0o666 & ~umask


def test_no_overwrite_without_asking_and_the_old_model_survives():
    m1, m2 = _tiny_model(), _tiny_model()
    x = np.full((1, 12, 12, 1), 200, np.uint8)
    store.save_model(m1, "keep", {"arch": "baseline", "note": "first"})
    with pytest.raises(ValueError, match="already exists"):
        store.save_model(m2, "keep", {"arch": "baseline", "note": "second"})
    assert store.load_meta("keep")["note"] == "first"
    np.testing.assert_array_equal(store.load_model("keep")(x, training=False),
                                  m1(x, training=False))
    store.save_model(m2, "keep", {"arch": "baseline", "note": "second"}, overwrite=True)
    assert store.load_meta("keep")["note"] == "second"
    np.testing.assert_array_equal(store.load_model("keep")(x, training=False),
                                  m2(x, training=False))


def test_a_save_that_fails_half_way_leaves_no_files_and_keeps_the_old_model(monkeypatch):
    model = _tiny_model()
    store.save_model(model, "safe", {"arch": "baseline", "note": "old"})
    before = sorted(p.name for p in paths.models_dir().iterdir())

    def broken_save(self, filepath, *a, **k):
        with open(filepath, "wb") as f:
            f.write(b"PK half a zip")          # a partial write, then the crash
        raise OSError("disk full")

    monkeypatch.setattr(type(model), "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        store.save_model(model, "safe", {"arch": "baseline", "note": "new"}, overwrite=True)
    with pytest.raises(OSError):
        store.save_model(model, "fresh", {"arch": "baseline"})
    assert sorted(p.name for p in paths.models_dir().iterdir()) == before   # no temp files left
    assert store.load_meta("safe")["note"] == "old"
    assert [e.name for e in store.list_models() if e.ok] == ["safe"]


@pytest.mark.parametrize("bad", ["", "   ", "../evil", "a/b", "a\\b", "..", ".hidden", "x" * 65,
                                 "name.keras", "semi;colon", "tab\tname", "new\nline", "-dash"])
def test_bad_names_are_refused_before_anything_is_written(bad):
    with pytest.raises(ValueError):
        store.save_model(_tiny_model(), bad, {})
    folder = paths.models_dir()
    assert not folder.exists() or not any(folder.iterdir())


def test_names_accept_unicode_and_slugify_suggests_a_valid_name():
    assert store.check_name("  ünïcødé_模型-v1.2 ") == "ünïcødé_模型-v1.2"
    assert store.check_name("x" * 64) == "x" * 64
    assert store.slugify("my CIFAR model (best!)") == "my-CIFAR-model-best"
    assert store.slugify("../../etc/passwd") == "etc-passwd"
    assert store.slugify("///") == "model"
    for text in ("my model", "a/b/../c", "é" * 80, "  ", "---"):
        assert store.check_name(store.slugify(text))
    path = store.save_model(_tiny_model(), "模型", {"arch": "baseline"})
    assert path.name == "模型.keras" and store.load_meta("模型")["name"] == "模型"


def _write_corpus(folder):
    """One of each kind of bad file, next to one good model."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "empty.keras").write_bytes(b"")
    (folder / "empty.json").write_text('{"arch": "baseline"}')
    good = folder / "good.keras"
    data = good.read_bytes()
    (folder / "truncated.keras").write_bytes(data[: len(data) // 2])
    (folder / "truncated.json").write_text('{"arch": "baseline"}')
    (folder / "orphan.json").write_text('{"arch": "lenet5", "test_accuracy": 0.9}')
    (folder / "noise.keras").write_bytes(np.random.default_rng(0).bytes(5000))
    with zipfile.ZipFile(folder / "otherzip.keras", "w") as zf:
        zf.writestr("hello.txt", "not a model")
    (folder / "badjson.keras").write_bytes(data)
    (folder / "badjson.json").write_text("{not json")
    (folder / "listjson.keras").write_bytes(data)
    (folder / "listjson.json").write_text("[1, 2]")
    (folder / "nosidecar.keras").write_bytes(data)
    (folder / "notes.txt").write_text("a stray file")
    (folder / ".good.abc.tmp.keras").write_bytes(b"a write in progress")     # ignored
    (folder / "README.md").write_text("ignored")


EXPECTED_ERRORS = {"empty": "empty (0 bytes)", "truncated": "not a Keras archive",
                   "orphan": "model file orphan.keras is missing", "noise": "not a Keras archive",
                   "otherzip": "not a Keras model", "badjson": "not valid JSON",
                   "listjson": "not a metadata object", "nosidecar": "metadata file nosidecar.json",
                   "notes.txt": "not a model"}


def test_corrupt_truncated_and_foreign_files_are_listed_with_the_reason_never_raised():
    store.save_model(_tiny_model(), "good", {"arch": "baseline", "test_accuracy": 0.8})
    _write_corpus(paths.models_dir())
    entries = {e.name: e for e in store.list_models()}
    assert set(entries) == {"good", *EXPECTED_ERRORS}
    assert entries["good"].ok and entries["good"].meta["test_accuracy"] == 0.8
    for name, words in EXPECTED_ERRORS.items():
        assert words in entries[name].error, (name, entries[name].error)
    assert entries["orphan"].meta["arch"] == "lenet5"            # what could be read is kept
    for name in ("empty", "truncated", "noise", "otherzip", "orphan"):
        with pytest.raises(store.StoreError, match=name):
            store.load_model(name)
    with pytest.raises(store.StoreError, match="not valid JSON"):
        store.load_meta("badjson")


def test_a_keras_file_that_passes_the_cheap_check_but_fails_in_keras_is_a_store_error():
    folder = paths.models_dir()
    folder.mkdir(parents=True)
    with zipfile.ZipFile(folder / "fake.keras", "w") as zf:
        zf.writestr("config.json", '{"class_name": "Nope"}')
        zf.writestr("model.weights.h5", "not hdf5")
        zf.writestr("metadata.json", "{}")
    (folder / "fake.json").write_text("{}")
    assert [e.name for e in store.list_models() if e.ok] == ["fake"]   # cheap listing: looks fine
    with pytest.raises(store.StoreError, match="fake.keras could not be loaded"):
        store.load_model("fake")


def test_unknown_names_and_paths():
    with pytest.raises(store.StoreError, match="No model named 'ghost'"):
        store.load_model("ghost")
    with pytest.raises(ValueError):
        store.load_meta("../ghost")
    path = store.save_model(_tiny_model(), "bypath", {"arch": "baseline"})
    assert store.load_meta(str(path))["name"] == "bypath"
    assert store.load_model(path).count_params() == _tiny_model().count_params()


def test_shipped_models_are_listed_separately_and_cannot_be_deleted_or_shadowed(tmp_path,
                                                                                monkeypatch):
    shipped = tmp_path / "shipped"
    monkeypatch.setattr(store, "shipped_dir", lambda: shipped)
    model = _tiny_model()
    monkeypatch.setenv("CNNWEB_MODELS_DIR", str(shipped))
    store.save_model(model, "digits", {"arch": "baseline"})
    monkeypatch.setenv("CNNWEB_MODELS_DIR", str(tmp_path / "user"))
    (tmp_path / "user").mkdir()
    (tmp_path / "user" / "ours.keras").write_bytes(b"")   # a broken user model
    entries = store.list_models()
    assert [(e.name, e.shipped, e.ok) for e in entries] == [("digits", True, True),
                                                            ("ours", False, False)]
    with pytest.raises(ValueError, match="already exists"):
        store.save_model(model, "digits", {})
    with pytest.raises(store.StoreError, match="shipped"):
        store.delete_model("digits")
    assert store.load_model("digits").count_params() == model.count_params()
    store.delete_model("ours")
    assert [e.name for e in store.list_models()] == ["digits"]


def test_delete_removes_both_files_and_only_those():
    store.save_model(_tiny_model(), "a", {"arch": "baseline"})
    store.save_model(_tiny_model(), "ab", {"arch": "baseline"})
    (paths.models_dir() / "stray.txt").write_text("x")
    store.delete_model("a")
    assert sorted(p.name for p in paths.models_dir().iterdir()) == ["ab.json", "ab.keras", "stray.txt"]
    store.delete_model("stray.txt")
    with pytest.raises(store.StoreError):
        store.delete_model("a")


def test_history_rows_turn_the_sidecar_lists_into_epochs():
    meta = {"history": {"loss": [1.0, 0.5], "val_loss": [1.2, 0.9], "lr": [0.001]}}
    assert store.history_rows(meta) == [{"epoch": 1, "loss": 1.0, "val_loss": 1.2, "lr": 0.001},
                                        {"epoch": 2, "loss": 0.5, "val_loss": 0.9}]
    assert store.history_rows({}) == [] and store.history_rows({"history": "junk"}) == []


def test_listing_never_imports_tensorflow(tmp_path):
    (tmp_path / "m.keras").write_bytes(b"")
    code = ("import sys; from cnnweb import store; "
            "print([e.error for e in store.list_models() if e.name == 'm']); "
            "print(any(m.split('.')[0] in ('tensorflow', 'keras') for m in sys.modules))")
    env = dict(os.environ, CNNWEB_MODELS_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=paths.ROOT, timeout=60, check=True).stdout.splitlines()
    assert out == ["['m.keras is empty (0 bytes)']", "False"]


def test_cli_models_lists_good_and_unreadable_models(capsys):
    from cnnweb.__main__ import main

    store.save_model(_tiny_model(), "good", {"arch": "baseline", "dataset": "mnist",
                                             "test_accuracy": 0.875})
    (paths.models_dir() / "broken.keras").write_bytes(b"")
    assert main(["models", "--json"]) == 0
    records = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert records["good"]["test_accuracy"] == 0.875 and records["good"]["error"] is None
    assert "empty" in records["broken"]["error"]
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert "87.50%" in out and "UNREADABLE" in out
