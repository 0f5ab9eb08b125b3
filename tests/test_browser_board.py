"""Issue 14 in headless Chromium: a class server with a teacher key, two student browsers and
one teacher browser. The runs are fake finished (and one running) run folders written with
cnnweb.runs before the server starts (no training). Student B sees no Stop or Delete on A's
things; the teacher's board lists both students, best first. Screenshots of the board in the
presentation view at 1280x720, English and Chinese, in /tmp/shots/board/."""

import os
from pathlib import Path

import pytest

from cnnweb import i18n
from tests.class_runs import fake_model, fake_run
from tests.helpers import settle, streamlit_server

KEY = "board-test-key"
SHOTS = Path(os.environ.get("SHOTS") or "/tmp/shots/board")
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def class_url(tmp_path_factory):
    """A server of its own with CNNWEB_TEACHER_KEY set and the class's runs and a model."""
    base = tmp_path_factory.mktemp("class_server")
    runs_dir = base / "runs"
    fake_run("alice", accs=(0.62, 0.81, 0.88, 0.91), base=runs_dir)
    fake_run("alice", "running", accs=(0.55, 0.72), base=runs_dir, lr=3e-3, arch="cifar_cnn")
    fake_run("bob", accs=(0.70, 0.86, 0.93, 0.95, 0.96), base=runs_dir, arch="lenet5",
             batch_size=128, dropout=0.2)
    fake_run("bob", "stopped", accs=(0.4, 0.3), base=runs_dir, lr=1.0)
    fake_model("alices-model", "alice", base / "models")
    old = os.environ.get("CNNWEB_TEACHER_KEY")
    os.environ["CNNWEB_TEACHER_KEY"] = KEY
    try:
        with streamlit_server(base) as url:
            yield url
    finally:
        if old is None:
            os.environ.pop("CNNWEB_TEACHER_KEY", None)
        else:
            os.environ["CNNWEB_TEACHER_KEY"] = old


@pytest.fixture
def browsers(browser):
    """Three contexts of their own (no shared cookies or sessions): alice, bob, the teacher."""
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(3)]
    pages = [c.new_page() for c in contexts]
    for p in pages:
        p.set_default_timeout(30_000)
    yield pages
    for c in contexts:
        c.close()


def _open(page, url):
    page.goto(url)
    settle(page)
    assert page.locator("[data-testid='stException']").count() == 0
    return page


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_students_manage_only_their_own_and_the_teachers_board_lists_both(class_url, browsers):
    alice, bob, teacher = browsers
    stop = i18n.t("tr.stop")

    _open(alice, class_url)          # a fresh server leaves its pages-folder mode on a first visit
    alice.get_by_role("heading", name="cnnweb").wait_for()
    _open(alice, f"{class_url}/trainer?who=alice")
    alice.get_by_role("heading", name=i18n.t("nav.trainer")).wait_for()
    alice.get_by_role("button", name=stop).wait_for()               # her running run
    _shot(alice, "trainer_alice")

    _open(bob, f"{class_url}/trainer?who=bob")
    assert bob.get_by_role("button", name=stop).count() == 0        # My runs: nothing running
    bob.get_by_text(i18n.t("cls.everyone")).click()
    settle(bob)
    bob.locator("[data-testid='stSelectbox']").filter(has_text=i18n.t("tr.run")).first.click()
    bob.get_by_role("option").filter(has_text="cifar_cnn on mnist").click()   # alice's, running
    settle(bob)
    bob.get_by_text(i18n.t("cls.owner", name="alice")).wait_for()   # read only
    bob.get_by_text(i18n.t("term.running").capitalize()).first.wait_for()
    assert bob.get_by_role("button", name=stop).count() == 0
    _shot(bob, "trainer_bob_everyone")
    assert bob.get_by_text(i18n.t("nav.board"), exact=True).count() == 0   # not in his menu

    _open(bob, f"{class_url}/gallery?who=bob")
    bob.get_by_text(i18n.term("Trained models"), exact=True).click()
    settle(bob)
    bob.locator("[data-testid='stSelectbox']").filter(has_text=i18n.t("col.model").capitalize()) \
        .click()
    bob.get_by_role("option").filter(has_text="alices-model").click()
    settle(bob)
    bob.get_by_text("belongs to alice").first.wait_for()
    assert bob.get_by_role("button", name="Delete").count() == 0
    assert bob.locator("button", has_text="Delete").count() == 0
    _shot(bob, "gallery_bob")

    _open(teacher, class_url)
    teacher.get_by_label(i18n.t("cls.key")).fill(KEY)
    teacher.get_by_label(i18n.t("cls.key")).press("Enter")
    teacher.get_by_text(i18n.t("cls.teacher_on")).wait_for()
    teacher.locator("[data-testid='stSidebarNav']").get_by_text(i18n.t("nav.board"),
                                                                exact=True).click()
    teacher.get_by_role("heading", name=i18n.t("nav.board")).wait_for()
    settle(teacher)
    grid = teacher.locator("[data-testid='stDataFrame']")
    grid.wait_for()
    text = teacher.locator("[data-testid='stMain']").inner_text()
    assert "alice" in text and "bob" in text
    assert teacher.locator(".js-plotly-plot .scatterlayer .trace").count() == 4   # 4 runs

    teacher.set_viewport_size({"width": 1280, "height": 720})
    teacher.get_by_text(i18n.t("app.present")).click()              # presentation view
    settle(teacher)
    teacher.wait_for_timeout(800)
    _shot(teacher, "board_en_present")
    grid.scroll_into_view_if_needed()
    _shot(teacher, "board_en_present_table")
    teacher.locator("[data-testid='stExpandSidebarButton']").click()   # collapsed: presenting
    teacher.get_by_text("简体中文", exact=True).click()
    teacher.get_by_role("heading", name=i18n.t("nav.board", lang="zh")).wait_for()
    settle(teacher)
    teacher.locator("[data-testid='stSidebarCollapseButton'] button").click(force=True)
    teacher.wait_for_timeout(800)
    _shot(teacher, "board_zh_present")
    text = teacher.locator("[data-testid='stMain']").inner_text()
    assert "领先" in text and "alice" in text and "bob" in text    # the grid is a canvas
    assert teacher.locator("[data-testid='stException']").count() == 0
