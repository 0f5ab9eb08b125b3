"""`python -m cnnweb summary PATH` and `predict --model PATH` check the user's file in the same
worker process as the Gallery's and Predict's uploads (cnnweb.byom): a Lambda layer is the
one-line safe-mode message with exit 2, and summary never loads the file in this process."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from cnnweb import byom, store
from cnnweb.__main__ import main
from tests.test_byom import _tiny

SAFE = "this model contains Python code and is not loaded (safe mode)"


@pytest.fixture(autouse=True)
def _uploads(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNWEB_UPLOADS_DIR", str(tmp_path / "uploads"))


@pytest.fixture
def checks(monkeypatch):
    """The paths byom.inspect (the worker) was asked to check."""
    seen, real = [], byom.inspect
    monkeypatch.setattr(byom, "inspect", lambda path, **kw: seen.append(path) or real(path, **kw))
    return seen


def _one_line_exit_2(capsys, argv, words):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert words in err and "\n" not in err and "Traceback" not in err, err
    return err


def test_summary_and_predict_of_a_lambda_file_are_the_safe_mode_line_exit_2(tmp_path, capsys,
                                                                             checks):
    bad = _tiny(tmp_path / "lam.keras", lam=True)
    picture = tmp_path / "p.png"
    Image.new("L", (8, 8), 200).save(picture)
    err = _one_line_exit_2(capsys, ["summary", str(bad)], SAFE)
    assert err.startswith("error: summary: ") and str(bad) in err
    _one_line_exit_2(capsys, ["summary", str(bad), "--lang", "zh"], "安全模式下不加载")
    _one_line_exit_2(capsys, ["predict", "--model", str(bad), str(picture)], SAFE)
    assert checks == [bad] * 3


def test_summary_of_a_file_comes_from_the_worker_not_this_process(tmp_path, capsys, checks,
                                                                  monkeypatch):
    good = _tiny(tmp_path / "good.keras")
    monkeypatch.setattr(store, "load_file", lambda p: pytest.fail("loaded in this process"))
    assert main(["summary", str(good)]) == 0
    out = capsys.readouterr().out
    assert "good.keras: input 8x8x1" in out and "Total params: 475" in out
    assert checks == [good]


def test_predict_of_a_file_is_checked_in_the_worker_before_it_is_loaded(tmp_path, capsys,
                                                                        checks, monkeypatch):
    good = _tiny(tmp_path / "good.keras")
    picture = tmp_path / "p.png"
    img = Image.new("L", (28, 28), 255)
    img.paste(0, (10, 4, 16, 24))                      # a dark bar on white: a "1"
    img.save(picture)
    loaded = []
    real = store.load_file
    monkeypatch.setattr(store, "load_file", lambda p: loaded.append(checks[:]) or real(p))
    assert main(["predict", "--model", str(good), "--json", str(picture)]) == 0
    row = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert row["file"] == str(picture) and len(row["top"]) == 3
    assert loaded == [[good]]                 # loaded here only after the worker said yes
    missing = tmp_path / "nothing.keras"
    _one_line_exit_2(capsys, ["predict", "--model", str(missing), str(picture)], "nothing.keras")
