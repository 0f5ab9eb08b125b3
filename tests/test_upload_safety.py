"""Hostile uploads (issue 11, items 1-5): every upload path decodes through cnnweb.images with a
raster allow-list (PostScript never reaches Ghostscript), every decoder fault is one line,
memory per file is bounded, uploads are decoded once, names are text and never markup, the
predictions CSV cannot run formulas, and the command line refuses devices and FIFOs.
Page tests use AppTest; the browser side is in tests/test_browser_upload.py."""

import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import numpy as np
import psutil
import pytest
from PIL import EpsImagePlugin, Image, ImageDraw

from cnnweb import explain, images, paths, ui
from tests.helpers import POSTSCRIPT, open_page

ROOT = paths.ROOT
# What `{ 1 pop } loop` looked like in issue 11: Pillow without an allow-list opens it as EPS
# and runs Ghostscript on it when the picture is loaded.


def png(img: Image.Image, fmt="PNG", **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def digit_scan(size=(280, 280)) -> bytes:
    img = Image.new("L", size, 255)
    w, h = size
    ImageDraw.Draw(img).line([(w * .2, h * .2), (w * .75, h * .2), (w * .45, h * .85)],
                             fill=0, width=max(3, w // 14))
    return png(img)


@pytest.fixture
def no_child_processes(monkeypatch):
    """Fails the test if anything starts a program (subprocess or Pillow's Ghostscript call)
    or if Pillow is asked to open EPS; checks psutil's list of children at the end too."""
    opened_eps = []

    def refuse(*args, **kwargs):
        raise AssertionError(f"a child process was started: {args[:1]}")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setattr(os, "system", refuse)
    real_open = EpsImagePlugin.EpsImageFile._open
    monkeypatch.setattr(EpsImagePlugin.EpsImageFile, "_open",
                        lambda self: (opened_eps.append(1), real_open(self))[1])
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    yield opened_eps
    after = {p.pid for p in psutil.Process().children(recursive=True)}
    assert after <= before, "a child process appeared while decoding"
    assert not opened_eps, "Pillow was asked to open EPS"


# ---------------------------------------------------------------- 1. one safe decoder

def test_the_postscript_fixture_is_what_pillow_would_hand_to_ghostscript():
    """Without the allow-list Pillow takes this file for EPS (so the tests below can fail)."""
    with Image.open(io.BytesIO(POSTSCRIPT)) as im:
        assert im.format == "EPS"


@pytest.mark.parametrize("name,data", [("evil.png", POSTSCRIPT), ("evil.jpg", POSTSCRIPT),
                                       ("doc.png", b"%PDF-1.4\n%%EOF\n"),
                                       ("art.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>")])
def test_postscript_pdf_svg_renamed_are_refused_in_one_line_without_a_child(
        name, data, no_child_processes):
    for max_side in (256, 1024):                       # the Explainer's and Predict's sizes
        with pytest.raises(images.ImageError) as e:
            images.decode(data, name, max_side)
        msg = str(e.value)
        assert msg.startswith(f"{name}: not an image") and "\n" not in msg and "BytesIO" not in msg
    p, = images.prepare_files([(name, data)], (28, 28, 1))
    assert not p.ok and p.error.startswith(f"{name}: not an image")


def test_postscript_refused_also_with_ghostscript_installed(no_child_processes):
    if not shutil.which("gs"):
        pytest.skip("Ghostscript (gs) is not installed; the EPS-never-opened check above holds")
    with pytest.raises(images.ImageError, match="not an image"):
        images.decode(POSTSCRIPT, "evil.png")


def test_explainer_decoder_is_the_same_and_never_shows_bytesio(no_child_processes):
    pic, err = ui.decode_upload(_Upload("loop.png", POSTSCRIPT), max_side=256)
    assert pic is None and err.startswith("loop.png: not an image") and "BytesIO" not in err
    pic, err = ui.decode_upload(_Upload("tall.png", png(Image.new("RGB", (600, 1200)))))
    assert err is None and pic.shape == (256, 128, 3) and pic.dtype == np.uint8


def _mutations(data: bytes, n: int, seed: int):
    rng = random.Random(seed)
    for _ in range(n):
        b = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        yield bytes(b[: rng.randint(len(b) // 2, len(b))] if rng.random() < 0.3 else b)


@pytest.mark.parametrize("fmt", ["PNG", "GIF", "BMP", "TIFF", "WEBP", "JPEG"])
def test_damaged_files_of_every_format_give_one_line_never_a_traceback(fmt):
    """60 randomly damaged copies per format (seeded): each decodes or gives one ImageError line."""
    img = Image.new("RGB", (48, 40), (30, 120, 200))
    ImageDraw.Draw(img).ellipse((5, 5, 40, 35), fill=(250, 20, 20))
    refused = 0
    for i, data in enumerate(_mutations(png(img, fmt), 60, seed=len(fmt))):
        try:
            rgb = images.decode(data, f"m{i}.{fmt.lower()}")
        except images.ImageError as e:
            refused += 1
            assert str(e).startswith(f"m{i}.{fmt.lower()}: ") and "\n" not in str(e)
        else:
            assert rgb.ndim == 3 and rgb.shape[2] == 3 and rgb.dtype == np.uint8
    assert refused > 0                      # the damage was real for some copies


def test_bomb_check_leaves_warning_filters_alone_across_threads():
    """The old decoder set an "error" filter inside catch_warnings (process-wide, not thread
    safe): other sessions' warnings turned into exceptions. Decoding now touches no filter."""
    bomb = (Path(__file__).parent / "corpus" / "bomb_10000x10000.png").read_bytes()
    before = list(warnings.filters)
    errors = []

    def decode_bombs():
        for _ in range(20):
            try:
                images.decode(bomb, "bomb.png")
            except images.ImageError as e:
                errors.append(str(e))

    def warn_elsewhere():
        for _ in range(200):
            with warnings.catch_warnings(record=True):      # the other session's own code
                pass
            warnings.warn("harmless", Image.DecompressionBombWarning, stacklevel=1)

    threads = [threading.Thread(target=decode_bombs) for _ in range(3)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for th in threads:
            th.start()
        warn_elsewhere()                                     # never raises
        for th in threads:
            th.join()
    assert list(warnings.filters) == before
    assert len(errors) == 60 and all("megapixels" in e for e in errors)


def test_pixel_limit_is_checked_before_any_pixel_is_decoded(monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 100 * 100)
    from PIL import ImageFile

    loaded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: loaded.append(1))
    with pytest.raises(images.ImageError, match=r"wide.png: the image is 101x100 \("):
        images.decode(png(Image.new("L", (101, 100))), "wide.png")
    assert not loaded


# ---------------------------------------------------------------- 2. the shipped server config

def test_streamlit_config_matches_the_upload_limit_and_hides_details():
    tomllib = pytest.importorskip("tomllib", reason="tomllib is Python 3.11+")
    conf = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert conf["server"]["maxUploadSize"] * 2**20 == images.MAX_FILE_BYTES
    assert ui.MAX_UPLOAD_MB * 2**20 == images.MAX_FILE_BYTES
    assert conf["server"]["address"] == "localhost"
    assert conf["client"]["showErrorDetails"] == "none"
    assert conf["client"]["toolbarMode"] == "viewer"


# ---------------------------------------------------------------- 3. names are text

HOSTILE_NAMES = ["![img](http://x).png", "[link](http://x).png", "$x^2$.png", "<b>x</b>.png",
                 "**bold** _it_ `code` # h.png", ":red[x] \\ & &amp; |a|b|.png"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_md_text_renders_as_the_literal_name(name):
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark").render(ui.md_text(name))
    assert "<a " not in html and "<img" not in html and "<b>" not in html
    assert "<strong>" not in html and "<code>" not in html and "<h1>" not in html
    import html as html_lib
    text = html_lib.unescape(re.sub(r"</?p>\n?", "", html))
    assert text.replace("\u200b", "") == name      # zero-width spaces break bare URLs
    assert "$" not in ui.md_text(name).replace("\\$", "")     # no bare $ left for KaTeX


def test_md_text_shows_control_characters_as_escapes_and_breaks_bare_links():
    assert "\x00" not in ui.md_text("a\x00b.png") and "x00" in ui.md_text("a\x00b.png")
    for name in ("http://evil.example/x.png", "HTTPS://a.b/c", "www.evil.example", "me@evil.org"):
        shown = ui.md_text(name).replace("\\", "")
        assert shown != name and shown.replace("\u200b", "") == name
        assert not re.search(r"(?i)https?://|www\.|@\w", shown)


def test_predictions_csv_escapes_formula_cells():
    import csv
    rows = [{"file": n, "prediction": p, "confidence": 0.5}
            for n, p in [("=cmd|' /C calc'!A0.png", "7"), ("+1.png", "@SUM(A1)"),
                         ("-2.png", "\tx"), ("\rx.png", "ok"), ("fine.png", "3")]]
    parsed = list(csv.DictReader(io.StringIO(explain.predictions_csv(rows))))
    assert [r["file"] for r in parsed] == ["'=cmd|' /C calc'!A0.png", "'+1.png", "'-2.png",
                                           "'\rx.png", "fine.png"]
    assert [r["prediction"] for r in parsed] == ["7", "'@SUM(A1)", "'\tx", "ok", "3"]
    assert parsed[0]["confidence"] == "0.5"


def test_upload_names_control_characters_fail_alone_and_duplicates_are_numbered():
    got = images.upload_names(["a.png", "b\x00.png", "a.png", "a (2).png", "a.png", "c\n",
                               "noext", "noext", ""])
    names = [n for n, _ in got]
    assert names == ["a.png", "b\\x00.png", "a (2).png", "a (2) (2).png", "a (3).png", "c\\n",
                     "noext", "noext (2)", "(no name)"]
    errors = [e for _, e in got]
    assert [i for i, e in enumerate(errors) if e] == [1, 5]
    assert errors[1] == "b\\x00.png: the file name has control characters; rename the file " \
                        "and upload it again"
    assert len(set(names)) == len(names)


class _Upload:
    """What st.file_uploader gives a page: .name and .getvalue()."""

    def __init__(self, name, data):
        self.name, self._data = name, data

    def getvalue(self):
        return self._data


def test_prepare_uploads_decodes_each_file_once_across_reruns(monkeypatch):
    ui._prepared_upload.clear()
    calls = []
    real = images.decode
    monkeypatch.setattr(images, "decode", lambda *a, **k: (calls.append(a[1]), real(*a, **k))[1])
    files = [_Upload("s.png", digit_scan()), _Upload("s.png", digit_scan()),
             _Upload("bad\x00.png", digit_scan()), _Upload("t.png", b"not an image")]
    for _ in range(3):                                   # three reruns of the page
        out = ui.prepare_uploads(files, (28, 28, 1))
    assert [p.name for p in out] == ["s.png", "s (2).png", "bad\\x00.png", "t.png"]
    assert [p.ok for p in out] == [True, True, False, False]
    assert sorted(calls) == ["s (2).png", "s.png", "t.png"]   # once each, never the bad name
    other_model = ui.prepare_uploads(files[:1], (32, 32, 3))
    assert other_model[0].x.shape == (32, 32, 3) and calls.count("s.png") == 2


# ---------------------------------------------------------------- 4. bounded memory

_MEASURE = r"""
import gc, json, sys, time
from cnnweb import images

def status(field):                      # kB in /proc/self/status (Linux)
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))

data = open(sys.argv[1], "rb").read()
gc.collect()
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")                         # reset the peak (VmHWM) to the current RSS
base = status("VmRSS")
t = time.perf_counter()
x = images.prepare_file(data, "big", tuple(json.loads(sys.argv[2])))
print(json.dumps({"mb": (status("VmHWM") - base) / 1024, "s": time.perf_counter() - t,
                  "shape": x.shape}))
"""


@pytest.fixture(scope="module")
def big_pictures(tmp_path_factory):
    """6300x6330 pictures (just under 40 megapixels) of a drawn 7, made in a child process so
    that this process stays small: RGB, RGBA, gray, palette (with transparency) and 16-bit
    PNGs (65-150 KB each) and a JPEG."""
    folder = tmp_path_factory.mktemp("big")
    script = (
        "import sys\nfrom PIL import Image, ImageDraw\n"
        "img = Image.new('RGB', (6300, 6330), (255, 255, 255))\n"
        "ImageDraw.Draw(img).line([(1500, 1200), (4800, 1200), (2800, 5200)], fill=0, width=400)\n"
        "img.save(sys.argv[1] + '/rgb.png')\nimg.convert('L').save(sys.argv[1] + '/gray.png')\n"
        "img.save(sys.argv[1] + '/photo.jpg', quality=80)\n"
        "img.convert('RGBA').save(sys.argv[1] + '/rgba.png')\n"
        "img.convert('P').save(sys.argv[1] + '/palette.png', transparency=255)\n"
        "import numpy as np\n"
        "Image.fromarray(np.asarray(img.convert('L'), np.uint16) * 257).save(sys.argv[1] + '/16bit.png')\n")
    subprocess.run([sys.executable, "-c", script, str(folder)], check=True, timeout=120)
    return folder


@pytest.mark.parametrize("file,shape,bound_mb", [
    ("rgb.png", (28, 28, 1), 200), ("rgb.png", (32, 32, 3), 200), ("rgba.png", (28, 28, 1), 200),
    ("palette.png", (32, 32, 3), 80), ("16bit.png", (28, 28, 1), 120),
    ("gray.png", (28, 28, 1), 60), ("photo.jpg", (28, 28, 1), 30)])
def test_decoding_a_40_megapixel_upload_stays_under_its_bound(big_pictures, file, shape, bound_mb):
    """Peak RSS growth of one prepare_file on a 6300x6330 picture (was 877 MB for the RGB and
    gray PNGs at f96d389). Bound: the decoded frame in Pillow's own layout (4 bytes a pixel for
    RGB and RGBA, 2 for 16-bit, 1 for gray and palette) + 40 MB of strips and work, since it is
    converted and reduced a strip at a time; a JPEG is decoded at 1/8 size. Pillow's pixels are not seen by tracemalloc,
    hence the peak RSS (VmHWM, reset first) of a child process."""
    if not os.path.exists("/proc/self/clear_refs"):
        pytest.skip("measuring the peak RSS of a child needs Linux's /proc/self/clear_refs")
    r = subprocess.run([sys.executable, "-c", _MEASURE, str(big_pictures / file),
                        json.dumps(shape)], check=False, cwd=ROOT, capture_output=True, text=True,
                       timeout=120, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert tuple(got["shape"]) == shape
    assert got["mb"] < bound_mb, got


@pytest.mark.parametrize("mode,fmt,kw", [("P", "GIF", {}), ("P", "PNG", {"transparency": 3}),
                                         ("RGBA", "PNG", {}), ("I;16", "PNG", {}),
                                         ("L", "TIFF", {}), ("RGB", "WEBP", {"lossless": True})])
def test_shrinking_a_strip_at_a_time_gives_the_picture_shrunk_whole(mode, fmt, kw):
    """The strip-wise convert + reduce (bounded memory) against converting the whole decoded
    frame to RGB and shrinking it in one go: the same picture, within about one grey level."""
    rng = np.random.default_rng(0)
    base = Image.fromarray(rng.integers(0, 255, (40, 60, 3), dtype=np.uint8)).resize(
        (1800, 1200), Image.Resampling.NEAREST)
    img = (Image.fromarray(np.asarray(base.convert("L"), np.uint16) * 257) if mode == "I;16"
           else base.convert(mode))
    data = png(img, fmt, **kw)
    got = images.decode(data, "x", 256).astype(int)                    # factor 2: strips
    with Image.open(io.BytesIO(data)) as whole:
        whole.load()
        rgba = "RGBA" if "transparency" in whole.info else "RGB"
        whole = whole.convert({"P": rgba, "I;16": "I"}.get(whole.mode, whole.mode))
        ref = Image.fromarray(images._to_rgb(whole))
    ref.thumbnail((256, 256), Image.Resampling.LANCZOS)
    assert got.shape == (171, 256, 3)
    assert np.abs(got - np.asarray(ref).astype(int)).mean() < 1.5


def test_a_large_digit_scan_still_reads_as_the_same_digit():
    small = images.prepare_file(digit_scan((280, 280)), "small.png", (28, 28, 1)).astype(int)
    big = images.prepare_file(digit_scan((3000, 3000)), "big.png", (28, 28, 1)).astype(int)
    assert np.abs(small - big).mean() < 12            # same 7, shrunk while decoding


# ---------------------------------------------------------------- 5. the command line

def _cli(*args, timeout=60):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run([sys.executable, "-m", "cnnweb", "predict", *map(str, args)],
                          check=False, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_cli_refuses_dev_zero_at_once_with_exit_2():
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero on this system")
    r = _cli("--model", "cnnweb_mnist", "/dev/zero")      # was: read until MemoryError
    assert r.returncode == 2
    assert r.stderr.strip() == ("error: predict: /dev/zero: not a regular file (a folder, "
                                "device or pipe); give image files")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="os.mkfifo is not available")
def test_cli_refuses_a_fifo_without_hanging(tmp_path):
    fifo = tmp_path / "digit.png"
    os.mkfifo(fifo)                                        # nobody writes: open() would block
    r = _cli("--model", "cnnweb_mnist", fifo, timeout=60)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "not a regular file" in r.stderr
    with pytest.raises(images.ImageError, match="not a regular file"):
        images.read_file(fifo)


def test_read_file_reads_at_most_the_limit_plus_one(tmp_path, monkeypatch):
    """Even when the size seen by stat is wrong (a file that grows), no more than the limit
    + 1 byte is read."""
    f = tmp_path / "grows.png"
    f.write_bytes(b"x" * 50_000)
    monkeypatch.setattr(images, "MAX_FILE_BYTES", 1000)
    real_stat = os.stat
    fake = os.stat_result((*real_stat(f)[:6], 10, *real_stat(f)[7:]))     # st_size = 10
    monkeypatch.setattr(images.os, "stat", lambda p: fake if Path(p) == f else real_stat(p))
    with pytest.raises(images.ImageError, match=r"grows.png: the file is 0.0 MB; the limit is"):
        images.read_file(f)
    with pytest.raises(images.ImageError, match="not a regular file"):
        images.read_file(tmp_path)


# ---------------------------------------------------------------- the pages under AppTest

def _page(path, query=None):
    return open_page(path.removeprefix("pages/").removesuffix(".py"), params=query,
                     check=False)


@pytest.mark.slow
def test_predict_page_serves_the_batch_around_hostile_names(tiny_models):
    ui._prepared_upload.clear()
    at = _page("pages/predict.py")
    at.selectbox(key="predict_model").select("tiny_1epoch_mnist").run()
    at.radio(key="predict_source").set_value("Upload").run()
    seven = digit_scan()
    at.file_uploader(key="predict_files").set_value([
        ("seven.png", seven, "image/png"), ("nul\x00.png", seven, "image/png"),
        ("seven.png", seven, "image/png"), ("=HYPERLINK(x).png", seven, "image/png"),
        ("[link](http://x).png", POSTSCRIPT, "image/png"),
        ("![img](http://x).png", b"broken", "image/png")]).run()
    assert not at.exception, [e.stack_trace for e in at.exception]
    errors = [e.value for e in at.error]
    assert len(errors) == 3
    assert errors[0] == ui.md_text("nul\\x00.png: the file name has control characters; rename "
                                   "the file and upload it again")
    assert errors[1].startswith(ui.md_text("[link](http://x).png: not an image"))
    assert errors[2].startswith(ui.md_text("![img](http://x).png: not an image"))
    table = next(d.value for d in at.dataframe)
    assert list(table["file"]) == ["seven.png", "seven (2).png", "=HYPERLINK(x).png"]
    pick = at.selectbox(key="predict_pick")
    assert pick.options == ["seven.png", "seven (2).png", "=HYPERLINK(x).png"]
    pick.select("seven (2).png").run()                  # the duplicate can be inspected
    assert not at.exception and at.selectbox(key="predict_pick").value == "seven (2).png"


def test_explainer_upload_refuses_postscript_and_shrinks_a_big_picture(no_child_processes):
    ui._decoded_upload.clear()
    at = _page("pages/explainer.py", query={"view": "Pooling and filters"})
    at.selectbox(key="img").select("Upload my own…").run()
    uploader = at.file_uploader[0]
    uploader.set_value(("evil\x00.png", POSTSCRIPT, "image/png")).run()
    assert not at.exception, [e.stack_trace for e in at.exception]
    assert [e.value for e in at.error] == [ui.md_text(
        "evil\\x00.png: the file name has control characters; rename the file and upload it again")]
    at.file_uploader[0].set_value(("evil.png", POSTSCRIPT, "image/png")).run()
    (err,) = at.error
    assert err.value.startswith(ui.md_text("evil.png: not an image")) and "BytesIO" not in err.value
    at.file_uploader[0].set_value(("big.png", png(Image.new("RGB", (3000, 1500))), "image/png")).run()
    assert not at.exception and not at.error
    assert any("Max vs average" in h.value for h in at.subheader)
