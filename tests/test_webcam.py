"""Webcam pictures class by class (cnnweb.webcam) and the Trainer's webcam part under AppTest
(st.camera_input replaced through cnnweb.ui.camera_picture: AppTest cannot take a picture)."""

from __future__ import annotations

import pytest

from cnnweb import datasets, i18n, webcam
from tests.helpers import open_page
from tests.shape_pictures import pictures


@pytest.fixture
def kept(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNWEB_DATASETS_DIR", str(tmp_path / "kept"))
    return tmp_path / "kept"


def _shots(n=6, size=40):
    """PNG bytes of n circles and n squares (test pictures standing in for webcam JPEGs)."""
    p = pictures(n=n, size=size)
    return [b for _, b in p["circle"]], [b for _, b in p["square"]]


def test_captures_join_their_class_once_and_say_what_is_missing():
    circles, squares = _shots()
    c = webcam.Captures()
    assert webcam.missing(c).key == "cam.need_classes"
    with pytest.raises(ValueError, match="Add a class first"):
        webcam.add(c, "circle", circles[0], "s0")
    assert webcam.add_class(c, "  circle ") == "circle"
    assert webcam.add(c, "circle", circles[0], "s0") is True
    assert webcam.add(c, "circle", circles[0], "s0") is False     # a rerun of the same shot
    assert c.total == 1 and webcam.missing(c).key == "cam.need_classes"
    webcam.add_class(c, "square")
    for i, b in enumerate(circles[1:3]):
        webcam.add(c, "circle", b, f"c{i}")
    webcam.add(c, "square", squares[0], "q0")
    line = str(webcam.missing(c))
    assert "circle (2)" in line and "square (4)" in line and "\n" not in line
    names = webcam.pictures(c)
    assert [n for n, _ in names["circle"]] == ["001.png", "002.png", "003.png"]
    assert names["square"][0][1] == squares[0]


def test_bad_class_names_and_non_pictures_are_refused_in_one_line():
    c = webcam.Captures()
    for bad in ["", "   ", "a/b", "x" * (datasets.MAX_CLASS_NAME + 1), "tab\there"]:
        with pytest.raises(ValueError) as e:
            webcam.add_class(c, bad)
        assert e.value.args[0].key == "cam.bad_class"
    webcam.add_class(c, "cat")
    with pytest.raises(ValueError) as e:
        webcam.add(c, "cat", b"<script>not a picture</script>", "s1")
    assert "\n" not in str(e.value) and c.total == 0 and "s1" not in c.shots


def test_a_session_is_bounded_in_pictures_and_bytes(monkeypatch):
    circles, _ = _shots(n=4)
    c = webcam.Captures()
    webcam.add_class(c, "circle")
    monkeypatch.setattr(webcam, "MAX_PICTURES", 3)
    for i in range(3):
        webcam.add(c, "circle", circles[i], f"s{i}")
    assert c.full()
    with pytest.raises(ValueError) as e:
        webcam.add(c, "circle", circles[3], "s3")
    assert e.value.args[0].key == "cam.full" and c.total == 3
    monkeypatch.setattr(webcam, "MAX_PICTURES", 100)
    monkeypatch.setattr(webcam, "MAX_BYTES", c.nbytes + 10)     # the next picture is larger
    with pytest.raises(ValueError, match="at their limit"):
        webcam.add(c, "circle", circles[3], "s3")
    assert i18n.t("cam.full", lang="zh", n=3, size="1 MB") != i18n.t("cam.full", n=3, size="1 MB")


def test_keep_makes_a_dataset_through_add_pictures_and_empties_the_captures(kept):
    circles, squares = _shots()
    c = webcam.Captures()
    with pytest.raises(ValueError, match="Still missing"):
        webcam.keep(c, "cam")
    for cls, blobs in (("circle", circles), ("square", squares)):
        webcam.add_class(c, cls)
        for i, b in enumerate(blobs):
            webcam.add(c, cls, b, f"{cls}{i}")
    added = webcam.keep(c, None, test_split=0.2)
    assert added.name == "webcam" and c.total == 0
    meta = datasets.describe("webcam")
    assert meta["class_names"] == ["circle", "square"] and meta["source"] == "webcam"
    assert meta["counts"] == {"circle": 6, "square": 6} and meta["n_test"] == 2
    for cls, blobs in (("circle", circles), ("square", squares)):     # a second one: -2
        for i, b in enumerate(blobs):
            webcam.add_class(c, cls)
            webcam.add(c, cls, b[:-1] + b"\0" if i == 0 else b, f"again{cls}{i}")
    assert webcam.keep(c).name == "webcam-2"
    assert datasets.describe("webcam")["counts"] == {"circle": 6, "square": 6}   # untouched


# ---------------------------------------------------------------- the Trainer (AppTest)

def plain(markdown: str) -> str:
    return markdown.replace("\\", "")


class Shot:
    """What st.camera_input hands a page: a name, an id and the bytes."""

    def __init__(self, data: bytes, file_id: str):
        self.name, self.file_id, self._data = "camera.jpg", file_id, data

    def getvalue(self) -> bytes:
        return self._data


@pytest.fixture
def fake_camera(monkeypatch):
    """fake_camera(blobs): each run that draws the camera takes the next picture (None after)."""
    import itertools

    from cnnweb import ui

    ids = itertools.count()

    def give(blobs):
        queue = [Shot(b, f"shot{next(ids)}") for b in blobs]
        monkeypatch.setattr(ui, "camera_picture",
                            lambda label, key, help=None: queue.pop(0) if queue else None)

    return give


@pytest.mark.filterwarnings("ignore")
def test_trainer_webcam_captures_class_by_class_and_keeps_a_dataset(kept, fake_camera):
    circles, squares = _shots(n=5)
    fake_camera([])
    at = open_page("trainer", timeout=60)
    at.toggle(key="tr_cam_on").set_value(True).run()
    assert any("only on `localhost` or an `https://` address" in c.value for c in at.caption)
    assert any("add it, then take pictures" in i.value for i in at.info)
    at.text_input(key="tr_cam_new").set_value("circle")
    fake_camera(circles)
    next(b for b in at.button if b.label == "Add class").click().run()
    assert not at.exception, at.exception
    counts = [m.value for m in at.markdown if m.value.startswith("**circle**")]
    assert counts == ["**circle**: 5 pictures"]
    keep = next(b for b in at.button if b.key == "tr_cam_keep")
    assert keep.disabled
    assert any(plain(c.value).startswith("Still missing: 1 class (") for c in at.caption)
    at.text_input(key="tr_cam_new").set_value("square")
    fake_camera(squares[:3])
    next(b for b in at.button if b.label == "Add class").click().run()
    assert at.session_state.tr_cam_cls == "square"
    assert any("square (2)" in plain(c.value) for c in at.caption)
    fake_camera(squares[3:])
    at.radio(key="tr_cam_cls").set_value("square").run()
    keep = next(b for b in at.button if b.key == "tr_cam_keep")
    assert not keep.disabled and keep.label == "Keep 10 pictures as a dataset"
    at.text_input(key="tr_cam_name").set_value("shapes_cam")
    keep.click().run()
    assert not at.exception, at.exception
    assert any("Kept as shapes\\_cam: 10 pictures in 2 classes" in s.value for s in at.success)
    assert at.session_state.tr_dataset == "shapes_cam"
    assert datasets.describe("shapes_cam")["counts"] == {"circle": 5, "square": 5}


@pytest.mark.filterwarnings("ignore")
def test_trainer_webcam_in_chinese_and_a_full_session_says_so(kept, fake_camera, monkeypatch):
    from tests.zh_words import english_on_page

    monkeypatch.setattr(webcam, "MAX_PICTURES", 2)
    circles, _ = _shots(n=3)
    caps = webcam.Captures()
    webcam.add_class(caps, "猫")                 # AppTest cannot click on this zh page (its
    fake_camera(circles)                        # preset picker's format_func): state instead
    at = open_page("trainer", lang="zh", state={"tr_cam_on": True, "tr_cam": caps}, timeout=60)
    assert any("已达上限" in w.value for w in at.warning)
    assert any("**猫**：2 张" == m.value for m in at.markdown)
    cam = [(k, tx, bad) for k, tx, bad in english_on_page(at) if "摄像头" in tx or "类别" in tx]
    assert not cam, cam


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore")
def test_predict_webcam_in_chinese_on_a_shipped_colour_model(fake_camera, monkeypatch):
    from cnnweb import ui
    from tests.zh_words import english_on_page

    circles, _ = _shots(n=1, size=64)
    monkeypatch.setattr(ui, "camera_picture", lambda label, key, help=None: Shot(circles[0], "p"))
    at = open_page("predict", lang="zh", timeout=120,
                   state={"predict_model": "cnnweb_cifar", "predict_source": "Webcam"})
    assert at.radio(key="predict_source").value == "Webcam"
    assert "网络内部" in [h.value for h in at.subheader]          # the picture was classified
    assert not at.error
    from cnnweb import explain, store

    ids = {e.name for e in store.list_models()} | {"mnist", "cifar10", "camera", "jpg"}
    ids |= set(explain.conv_layers(store.load_model("cnnweb_cifar")))      # layer names
    found = english_on_page(at, ids)
    assert not found, found
