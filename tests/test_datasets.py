"""Your own pictures (cnnweb.datasets): folder and .zip datasets checked, kept under data/<name>/
with a held-out test split, trained on from scratch and by transfer learning (--finetune)."""

from __future__ import annotations

import json
import os
import stat
import zipfile

import numpy as np
import pytest

from cnnweb import data, datasets, i18n
from cnnweb.__main__ import main
from tests.shape_pictures import png, write_folder, write_zip


@pytest.fixture
def kept(tmp_path, monkeypatch):
    folder = tmp_path / "kept"
    monkeypatch.setenv("CNNWEB_DATASETS_DIR", str(folder))
    return folder


def _files(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_folder_of_class_folders_is_kept_with_counts_size_and_colour(tmp_path, kept):
    src = write_folder(tmp_path / "shapes", n=12, size=40)
    added = datasets.add(src)
    assert added.name == "shapes" and not added.reused and added.skipped == []
    m = added.meta
    assert m["class_names"] == ["circle", "square"]
    assert m["counts"] == {"circle": 12, "square": 12}
    assert m["input_shape"] == [40, 40, 3] and m["colour"] == "rgb"
    assert m["test_counts"] == {"circle": 2, "square": 2}      # round(12 * 0.2) per class
    assert m["n_train"] == 20 and m["n_test"] == 4 and m["seed"] == 0
    assert datasets.names() == ["shapes"] and "shapes" in data.names()
    ds = data.load("shapes")
    assert ds.x_train.shape == (20, 40, 40, 3) and ds.x_test.shape == (4, 40, 40, 3)
    assert sorted(np.bincount(ds.y_test).tolist()) == [2, 2]
    assert data.info("shapes").input_shape == (40, 40, 3)


def test_a_zip_with_a_top_folder_is_kept_like_the_folder(tmp_path, kept):
    z = write_zip(tmp_path / "my shapes.zip", n=10, size=24)
    added = datasets.add(z)
    assert added.name == "my_shapes"
    assert added.meta["counts"] == {"circle": 10, "square": 10}
    assert added.meta["input_shape"] == [24, 24, 3]


def test_grey_pictures_are_kept_grey_and_size_is_capped_or_chosen(tmp_path, kept):
    src = write_folder(tmp_path / "grey", n=6, size=100, grey=True)
    m = datasets.add(src).meta
    assert m["colour"] == "grey" and m["input_shape"] == [datasets.DEFAULT_MAX_SIDE] * 2 + [1]
    m2 = datasets.add(src, name="grey_small", image_size=16).meta
    assert m2["input_shape"] == [16, 16, 1]


def test_a_second_different_dataset_of_the_same_name_never_overwrites(tmp_path, kept):
    datasets.add(write_folder(tmp_path / "a" / "shapes", n=6, seed=1))
    before = _files(kept / "shapes")
    again = datasets.add(write_folder(tmp_path / "a" / "shapes", n=6, seed=1))
    assert again.reused and again.name == "shapes"          # the same pictures: not kept twice
    other = datasets.add(write_folder(tmp_path / "b" / "shapes", n=7, seed=2))
    assert other.name == "shapes-2" and not other.reused
    assert _files(kept / "shapes") == before
    with pytest.raises(ValueError) as e:                   # a name given explicitly: refused
        datasets.add(write_folder(tmp_path / "c" / "x", n=8, seed=3), name="shapes")
    assert e.value.args[0].key == "dset.taken"
    assert _files(kept / "shapes") == before


def test_the_held_out_split_never_overlaps_training_and_is_fixed_by_the_seed(tmp_path, kept):
    src = write_folder(tmp_path / "shapes", n=25)
    m = datasets.add(src, name="s0", seed=7, test_split=0.3).meta
    ds = data.load("s0")
    train_px = {x.tobytes() for x in ds.x_train}
    assert not any(x.tobytes() in train_px for x in ds.x_test)
    assert len(ds.x_train) + len(ds.x_test) == 50 and m["n_test"] == 16   # round(25 * .3) x 2
    stored = json.loads((kept / "s0" / "dataset.json").read_text())
    assert stored["seed"] == 7 and stored["test_split"] == 0.3
    same = data.load(datasets.add(src, name="s1", seed=7, test_split=0.3).name)
    assert np.array_equal(same.x_test, ds.x_test)
    other = data.load(datasets.add(src, name="s2", seed=8, test_split=0.3).name)
    assert not np.array_equal(other.x_test, ds.x_test)
    y = np.repeat([0, 1], 30)
    tr, te = datasets.split_indices(y, 2, 0.2, 0)
    assert not set(tr) & set(te) and len(tr) + len(te) == 60


def test_hostile_zip_traversal_links_and_non_images_are_listed_and_skipped(tmp_path, kept):
    z = write_zip(tmp_path / "h.zip", n=6, extra={
        "../../evil.png": png(np.zeros((8, 8, 3), np.uint8)),
        "/abs/circle/x.png": b"x", "pictures/circle/notes.txt": b"hello",
        "pictures/square/fake.png": b"\x89PNG not really", "pictures/loose.png": b"x",
        "pictures/circle/doc.eps": b"%!PS-Adobe-3.0 EPSF-3.0\n"})
    with zipfile.ZipFile(z, "a") as zf:
        info = zipfile.ZipInfo("pictures/circle/link.png")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    added = datasets.add(z)
    text = "\n".join(map(str, added.skipped))
    for name in ("../../evil.png", "/abs/circle/x.png", "notes.txt", "fake.png", "loose.png",
                 "doc.eps", "link.png"):
        assert name in text, name
    assert len(added.skipped) == 7 and all("\n" not in str(s) for s in added.skipped)
    assert added.meta["counts"] == {"circle": 6, "square": 6}
    assert not (tmp_path / "evil.png").exists() and not (kept.parent / "evil.png").exists()


def test_the_list_of_bad_files_is_capped(tmp_path, kept):
    extra = {f"pictures/circle/bad{i}.png": b"nope" for i in range(30)}
    added = datasets.add(write_zip(tmp_path / "many.zip", n=6, extra=extra))
    assert len(added.skipped) == datasets.MAX_LISTED + 1
    assert "10 more" in str(added.skipped[-1])
    assert added.meta["n_skipped"] == 30


def test_a_zip_with_too_many_members_is_refused_before_reading(tmp_path, kept, monkeypatch):
    monkeypatch.setattr(datasets, "MAX_ZIP_MEMBERS", 10)
    with pytest.raises(ValueError) as e:
        datasets.add(write_zip(tmp_path / "big.zip", n=6))
    assert e.value.args[0].key == "arc.members"
    assert datasets.names() == []


@pytest.mark.parametrize("kw, key", [
    ({"classes": ("circle",)}, "dset.few_classes"),
    ({"n": 3}, "dset.few_pictures"),
])
def test_one_class_or_too_few_pictures_is_refused_in_one_line(tmp_path, kept, kw, key):
    with pytest.raises(ValueError) as e:
        datasets.add(write_folder(tmp_path / "d", **kw))
    assert e.value.args[0].key == key and "\n" not in str(e.value)
    assert "类别" in i18n.tr(e.value.args[0], "zh")
    assert datasets.names() == [] and not kept.exists() or not any(kept.iterdir())


def test_a_class_whose_pictures_are_all_broken_counts_as_too_few(tmp_path, kept):
    src = write_folder(tmp_path / "d", n=6)
    for f in (src / "square").iterdir():
        f.write_bytes(b"broken")
    with pytest.raises(ValueError) as e:
        datasets.add(src)
    assert e.value.args[0].key == "dset.few_pictures" and "square (0)" in str(e.value)


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_a_link_in_a_folder_is_listed_not_followed(tmp_path, kept):
    src = write_folder(tmp_path / "d", n=6)
    (src / "circle" / "secret.png").symlink_to(tmp_path / "d" / "square" / "square_000.png")
    added = datasets.add(src)
    assert any("secret.png" in str(s) for s in added.skipped)
    assert added.meta["counts"]["circle"] == 6


def test_bad_names_and_options_are_refused(tmp_path, kept):
    src = write_folder(tmp_path / "d", n=6)
    for name in ("../x", "mnist", "a b", "x" * 65):
        with pytest.raises(ValueError):
            datasets.add(src, name=name)
    with pytest.raises(ValueError):
        datasets.add(src, test_split=0.9)
    with pytest.raises(ValueError):
        datasets.add(src, image_size=4096)
    assert datasets.names() == []


def test_a_tampered_dataset_json_is_a_message_not_a_crash(tmp_path, kept):
    datasets.add(write_folder(tmp_path / "shapes", n=6))
    (kept / "shapes" / "dataset.json").write_text('{"class_names": "x", "input_shape": [1e9]}')
    with pytest.raises(ValueError) as e:
        data.load("shapes")
    assert "dataset.json" in str(e.value)


def test_cli_a_bad_dataset_path_exits_2_in_one_line(tmp_path, kept, capsys):
    write_folder(tmp_path / "one", classes=("circle",), n=6)
    assert main(["train", "--arch", "mnist_cnn", "--dataset", str(tmp_path / "one")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: train:") and "\n" not in err and "at least 2" in err
    assert main(["train", "--arch", "mnist_cnn", "--dataset", str(tmp_path / "nope.zip")]) == 2
    assert main(["train", "--finetune", "no_such_model", "--dataset", "mnist"]) == 2
    assert main(["train", "--arch", "mnist_cnn", "--dataset", "mnist",
                 "--finetune-epochs", "2"]) == 2


# ------------------------------------------------------------------ training (tiny, one epoch)

def _result(name: str) -> dict:
    from cnnweb import store

    return store.load_meta(name)


@pytest.mark.slow
def test_tiny_from_scratch_run_1_epoch_tests_on_the_held_out_split(tmp_path, kept, capsys):
    src = write_folder(tmp_path / "shapes", n=15, size=32)
    rc = main(["train", "--dataset", str(src), "--arch", "cifar_cnn", "--epochs", "1",
               "--batch-size", "8", "--name", "scratch_tiny", "--run-dir", str(tmp_path / "r")])
    assert rc == 0, capsys.readouterr().err
    assert "kept as shapes" in capsys.readouterr().out
    meta = _result("scratch_tiny")
    assert meta["dataset"] == "shapes" and meta["n_test"] == 6          # 3 per class held out
    assert meta["n_train"] + meta["n_val"] == 24
    assert sum(map(sum, meta["confusion_matrix"])) == 6


@pytest.mark.slow
def test_tiny_finetune_run_1_epoch_adapts_grey_and_size_and_says_so(tmp_path, kept, capsys):
    from cnnweb import store

    src = write_folder(tmp_path / "greyshapes", n=15, size=20, grey=True)
    rc = main(["train", "--dataset", str(src), "--finetune", "cnnweb_cifar", "--epochs", "1",
               "--finetune-epochs", "1", "--batch-size", "8", "--name", "ft_tiny",
               "--run-dir", str(tmp_path / "r")])
    assert rc == 0, capsys.readouterr().err
    meta = _result("ft_tiny")
    assert meta["arch"] == "transfer" and meta["finetuned_from"] == "cnnweb_cifar"
    notes = " ".join(meta["adapted"])
    assert "20x20 resized to 32x32" in notes and "grey pictures repeated" in notes
    assert meta["epochs_completed"] == 2 and meta["input_shape"] == [20, 20, 1]
    log = (tmp_path / "r" / "log.txt").read_text()
    assert "fine-tuning: the base is unfrozen" in log and "frozen" in log
    model = store.load_model("ft_tiny")                       # safe mode: no Lambda layers
    assert model.input_shape == (None, 20, 20, 1) and model.output_shape == (None, 2)


@pytest.mark.slow
def test_transfer_model_freezes_the_base_and_converts_colour_to_grey():
    import keras

    from cnnweb import train

    cfg = train.TrainConfig("transfer", "mnist", finetune="cnnweb_mnist")
    model, base, notes = train.transfer_model(cfg, (40, 40, 3), 3)
    assert base[-1].name == "block2_pool" and all(not layer.trainable for layer in base)
    assert model.get_layer("rgb_to_grey") and "turned grey" in " ".join(notes)
    trainable = sum(int(np.prod(v.shape)) for v in model.trainable_weights)
    assert trainable == 64 * 3 + 3                           # only the new head learns
    x = np.full((1, 40, 40, 3), 200, np.float32)
    assert np.allclose(model.predict(x, verbose=0).sum(), 1.0, atol=1e-5)
    added = train.unfreeze(base)
    assert added > 0 and all(layer.trainable for layer in base
                             if layer.weights and not isinstance(layer,
                                                                 keras.layers.BatchNormalization))


# ------------------------------------------------------------------ the Trainer (AppTest)

def _trainer():
    from streamlit.testing.v1 import AppTest

    from cnnweb import paths

    at = AppTest.from_file(str(paths.ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/trainer.py")
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.filterwarnings("ignore")
def test_trainer_shows_a_kept_dataset_and_starts_a_finetune_run(tmp_path, kept, monkeypatch):
    from cnnweb import jobs

    datasets.add(write_folder(tmp_path / "shapes", n=10, size=24))
    at = _trainer()
    at.radio(key="tr_dataset").set_value("shapes").run()
    assert not at.exception, at.exception
    counts = at.table[0].value
    assert counts.reset_index().to_dict("records") == [
        {"class": "circle", "training pictures": 8, "test pictures": 2},
        {"class": "square", "training pictures": 8, "test pictures": 2}]
    grid = at.get("image")                                  # one row of 8 per class
    assert [len(row.proto.imgs) for row in grid] == [8, 8]
    submitted = []
    monkeypatch.setattr(jobs, "submit", lambda cfg: submitted.append(cfg) or
                        type("R", (), {"id": "r1"})())
    at.selectbox(key="tr_finetune").set_value("cnnweb_cifar").run()
    at.number_input(key="tr_ft_epochs").set_value(2).run()
    next(b for b in at.button if b.label == "Start training").click().run()
    assert not at.exception, at.exception
    (cfg,) = submitted
    assert (cfg.arch, cfg.dataset, cfg.finetune, cfg.finetune_epochs) == (
        "transfer", "shapes", "cnnweb_cifar", 2)
    assert "--finetune cnnweb_cifar" in cfg.command()
