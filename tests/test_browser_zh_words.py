"""No English left on a Chinese page, as Chromium renders it (issue 15, item 17): each page with
?lang=zh, its whole rendered text (sidebar, widgets, charts' SVG text) read by tests/zh_words.py.
Every Explainer tab, and the Trainer with a run in its list. Screenshots at 1280x900 in
/tmp/shots/zh_words/."""

import re
from pathlib import Path

import pytest

from cnnweb import data, datasets, store, train, zoo
from tests.helpers import handwritten_run, settle, streamlit_server
from tests.zh_words import english

SHOTS = Path("/tmp/shots/zh_words")
PAGES = ["", "explainer", "explainer?view=Sliding+kernel", "explainer?view=Receptive+field",
         "explainer?view=Pooling+and+filters", "trainer", "gallery", "predict",
         "lessons?lesson=stacked3x3", "lessons?lesson=padding", "lessons?lesson=cbapd",
         "lessons?lesson=overfit"]

pytestmark = pytest.mark.browser

# The page's text without Streamlit's own chrome (its header with Deploy and the running/Stop
# widget, the "Skip to main content" link), without code (commands and ids are code, as in
# tests/zh_words.py) and without Material icons, whose ligature names
# ("calculate", "school") are in the DOM as text but drawn as pictures.
READ = """() => {
  const live = document.querySelector("[data-testid='stApp']");
  const icons = [...live.querySelectorAll("span, i")].filter(
    e => getComputedStyle(e).fontFamily.includes("Material"));
  icons.forEach(e => e.setAttribute("data-icon-font", ""));
  const app = live.cloneNode(true);
  icons.forEach(e => e.removeAttribute("data-icon-font"));
  app.querySelectorAll("[data-icon-font]").forEach(e => e.remove());
  app.querySelectorAll("[data-testid='stHeader'], [data-testid='stToolbar'], "
    + "[data-testid='stIconMaterial'], [data-testid='stSkipToContent'], "
    + "[data-testid='stStatusWidget'], code, pre").forEach(e => e.remove());
  document.body.appendChild(app);
  const text = app.innerText;
  app.remove();
  return text;
}"""


def _server_folders(monkeypatch, base):
    """Read models and datasets from the server's own folders, as the page does: their names
    and users' class names are data, not UI words."""
    monkeypatch.setenv("CNNWEB_MODELS_DIR", str(base / "models"))
    monkeypatch.setenv("CNNWEB_DATASETS_DIR", str(base / "datasets"))


def _english_in_chromium(page, url, path, name, names=frozenset()):
    """Open url/path in Chinese at 1280x900, screenshot it, and return its English lines."""
    page.set_viewport_size({"width": 1280, "height": 900})
    sep = "&" if "?" in path else "?"
    page.goto(f"{url}/{path}{sep}lang=zh")
    settle(page)
    page.wait_for_timeout(800)                          # let Plotly paint its SVG text
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0, name
    text = page.evaluate(READ)
    assert len(text) > 200, (name, text)                # the page is there, not a blank one
    kept = [n for n in data.names() if datasets.is_kept(n)]      # users' own datasets: their
    users = {w for n in kept for c in [n, *datasets.describe(n)["class_names"]]  # names are data
             for w in re.findall(r"[A-Za-z]+", c)}
    ids = ({e.name for e in store.list_models()} | set(zoo.names()) | {"mnist", train.TRANSFER}
           | set(names) | users)
    found = sorted({w for line in text.splitlines() for w in english(line, ids)})
    return found, [line for line in text.splitlines() if english(line, ids)][:8]


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p) or "home")
def test_chinese_page_in_chromium_shows_no_english(app_url, app_base, monkeypatch, page, path):
    _server_folders(monkeypatch, app_base)
    name = path.replace("?lesson=", "_").replace("?view=", "_").replace("+", "_") or "home"
    found, lines = _english_in_chromium(page, app_url, path, name)
    assert not found, (name, found[:20], lines)


def test_chinese_trainer_with_a_finished_run_in_chromium_shows_no_english(
        tmp_path_factory, monkeypatch, page):
    """The run view (status, device line, data source, curves, diagnosis, test results and
    the confusion matrix) of a run in the list, on a server of its own."""
    base = tmp_path_factory.mktemp("zh_trainer")
    run = handwritten_run("finished", base=base / "runs")
    _server_folders(monkeypatch, base)
    with streamlit_server(base) as url:
        found, lines = _english_in_chromium(page, url, "trainer", "trainer_run",
                                            {"handmade"})          # the run's model name
        assert page.get_by_text("仅 CPU（2 核", exact=False).count(), "no device line"
    assert not found, ("trainer_run", found[:20], lines, run.name)
