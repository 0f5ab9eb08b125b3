"""Issue 14, who owns what and the teacher's board: the pure rules of cnnweb.classroom, then the
pages under AppTest with a class key set. Every run here is a fake run folder written by hand
(no training); its "running" process is this test process."""


import pytest
from streamlit.testing.v1 import AppTest

from cnnweb import classroom, jobs, paths, runs
from tests.class_runs import fake_model, fake_run
from tests.zh_words import english_on_page

KEY = "s3cret-class-key"
APP = str(paths.ROOT / "app.py")
pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture(autouse=True)
def _no_key(monkeypatch):
    """No class key unless a test sets one (the repository's secrets.toml is not read)."""
    monkeypatch.delenv("CNNWEB_TEACHER_KEY", raising=False)
    monkeypatch.delenv("CNNWEB_CLASS", raising=False)
    monkeypatch.setattr(classroom, "_secrets_key", lambda path=None: None)
    monkeypatch.setattr(classroom, "_generated", None)


@pytest.fixture
def class_key(monkeypatch):
    monkeypatch.setenv("CNNWEB_TEACHER_KEY", KEY)
    return KEY


# ---------------------------------------------------------------- the rules

def test_without_a_class_key_everyone_may_manage_everything():
    assert classroom.teacher_key() is None and not classroom.class_mode()
    assert classroom.may_manage("", False, "alice")
    assert classroom.may_manage("bob", False, "alice")
    assert not classroom.is_teacher("anything")


def test_with_a_key_a_student_manages_only_their_own_and_the_teacher_everything(class_key):
    assert classroom.may_manage("alice", False, "alice")
    assert not classroom.may_manage("bob", False, "alice")
    assert not classroom.may_manage("", False, "")          # a nameless viewer, an ownerless run
    assert not classroom.may_manage("", False, "alice")
    assert not classroom.may_manage("alice", False, "")     # a run from the command line
    assert classroom.may_manage("", True, "alice") and classroom.may_manage("bob", True, "")
    with pytest.raises(classroom.NotYours) as e:
        classroom.check_may_manage("bob", False, "alice")
    assert e.value.owner == "alice"


@pytest.mark.parametrize("given", [KEY, f"  {KEY} "])
def test_the_teacher_key_unlocks_teacher_mode(class_key, given):
    assert classroom.is_teacher(given)


@pytest.mark.parametrize("given", ["", None, 12345, KEY[:-1], KEY + "x", KEY.upper(), [KEY]])
def test_anything_but_the_key_does_not(class_key, given):
    assert not classroom.is_teacher(given)


def test_class_mode_without_a_key_makes_one_up_and_prints_it_once(monkeypatch, capsys):
    monkeypatch.setenv("CNNWEB_CLASS", "1")
    key = classroom.teacher_key()
    assert key and classroom.teacher_key() == key and classroom.class_mode()
    err = capsys.readouterr().err
    assert err.count(key) == 1 and "teacher key" in err
    assert classroom.is_teacher(key) and not classroom.is_teacher(key + "!")


def test_an_environment_key_wins_over_class_mode_and_nothing_is_printed(class_key, monkeypatch,
                                                                         capsys):
    monkeypatch.setenv("CNNWEB_CLASS", "1")
    assert classroom.teacher_key() == KEY and not capsys.readouterr().err


def test_secrets_toml_gives_the_key_and_a_damaged_one_gives_none(tmp_path, monkeypatch):
    monkeypatch.undo()           # the real _secrets_key, on files of this test
    monkeypatch.delenv("CNNWEB_TEACHER_KEY", raising=False)
    good, bad, odd = tmp_path / "good.toml", tmp_path / "bad.toml", tmp_path / "odd.toml"
    good.write_text('teacher_key = "from-secrets"\n')
    bad.write_text("teacher_key = [unclosed\n")
    odd.write_text("teacher_key = 42\n")
    assert classroom._secrets_key(good) == "from-secrets"
    assert classroom._secrets_key(bad) is None and classroom._secrets_key(odd) is None
    assert classroom._secrets_key(tmp_path / "missing.toml") is None
    monkeypatch.setattr(classroom, "_secrets_key", lambda path=None: "from-secrets")
    assert classroom.teacher_key() == "from-secrets"


@pytest.mark.parametrize("name", ["", "   ", "a" * 65, "tab\there", "new\nline", None, 7])
def test_a_display_name_is_1_to_64_printable_characters(name):
    with pytest.raises(ValueError):
        classroom.check_name(name)


def test_names_are_kept_as_typed_but_stripped_and_hostile_owners_read_as_nobody():
    assert classroom.check_name("  李雷 *bold* ") == "李雷 *bold*"
    assert classroom.check_name("a" * 64) == "a" * 64
    for record in ({"owner": 12}, {"owner": "x\x00y"}, {"owner": ["alice"]}, [], None, {}):
        assert classroom.owner_of(record) == ""


def test_a_student_cannot_stop_anothers_run_the_teacher_can(class_key):
    run = jobs.load_run(fake_run("alice", "running"))
    with pytest.raises(classroom.NotYours):
        classroom.stop_run(run, "bob", False)
    assert not runs.stop_requested(run.path)
    classroom.stop_run(run, "bob", True)
    assert runs.stop_requested(run.path)


def test_a_student_cannot_delete_anothers_model_the_owner_can(class_key):
    path = fake_model("alices-model", "alice")
    with pytest.raises(classroom.NotYours):
        classroom.delete_model("alices-model", "bob", False)
    assert path.exists() and path.with_suffix(".json").exists()
    classroom.delete_model("alices-model", "alice", False)
    assert not path.exists() and not path.with_suffix(".json").exists()


# ---------------------------------------------------------------- the board's rows

def test_the_board_is_best_first_with_the_leader_marked_and_one_word_each():
    fake_run("alice", accs=(0.5, 0.7, 0.8))
    fake_run("bob", accs=(0.6, 0.9, 0.95))
    fake_run("carol", "stopped", accs=(0.3,))
    fake_run("dave", "running", accs=(0.4, 0.2, 0.1))
    rows = classroom.board(jobs.list_runs())
    assert [r["owner"] for r in rows][:2] == ["bob", "alice"]
    assert rows[0]["leader"] and not any(r["leader"] for r in rows[1:])
    words = {r["owner"]: r["word"] for r in rows}
    assert words["carol"] == "stopped" and words["bob"] in ("learning", "good")
    assert rows[0]["test"] == 0.95 and rows[0]["best_val"] == pytest.approx(0.94)
    assert rows[0]["hyperparams"]["lr"] == 1e-3 and rows[0]["curve"][-1] == (3, pytest.approx(0.94))


def test_clearing_the_board_hides_ended_runs_keeps_active_ones_and_deletes_nothing():
    old = fake_run("alice", created=1000.0)
    active = fake_run("bob", "running", created=1000.0)
    classroom.clear_board(now=2000.0)
    new = fake_run("carol", created=3000.0)
    shown = {r["id"] for r in classroom.board(jobs.list_runs(), classroom.cleared_at())}
    assert shown == {active.name, new.name}
    assert (old / runs.CONFIG).exists() and (old / runs.METRICS).exists()
    assert len(jobs.list_runs()) == 3          # the board file is no run


def test_a_boards_row_is_recomputed_when_the_run_writes_and_only_then(monkeypatch):
    d = fake_run("alice", "running", accs=(0.5,))
    first = classroom.board_row(jobs.load_run(d))
    calls = []
    monkeypatch.setattr(runs.Run, "epochs", lambda self: calls.append(1) or [])
    assert classroom.board_row(jobs.load_run(d)) is first and not calls
    monkeypatch.undo()
    runs.append_metric(d, {"type": "epoch", "epoch": 2, "accuracy": 0.9, "val_accuracy": 0.88})
    assert classroom.board_row(jobs.load_run(d))["best_val"] == 0.88


def test_hostile_run_folders_do_not_break_the_board():
    d = fake_run("alice")
    runs.write_json(d / runs.CONFIG, {"owner": {"x": 1}, "hyperparams": ["lr"], "arch": 5,
                                      "created": "yesterday"})
    (d / runs.METRICS).write_text('{"type": "epoch", "epoch": 1, "val_accuracy": "high"}\nnot json\n')
    rows = classroom.board(jobs.list_runs())
    assert rows[0]["owner"] == "" and rows[0]["hyperparams"] == {} and rows[0]["best_val"] is None


# ---------------------------------------------------------------- the pages (AppTest)

def _session(page="trainer", who=None, key=None, lang=None):
    at = AppTest.from_file(APP, default_timeout=60)
    if who:
        at.query_params["who"] = who
    if lang:
        at.query_params["lang"] = lang
    if key is not None:        # under AppTest only the first run has app.py's sidebar
        at.session_state["class_key"] = key
    at.run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _keys(widgets):
    return [w.key for w in widgets]


def _buttons(at, label):
    return [b for b in at.button if b.label == label]


def test_without_a_key_the_sidebar_asks_no_name_and_every_run_can_be_stopped():
    fake_run("alice", "running")
    at = _session()
    assert "who" not in _keys(at.text_input) and "teacher_key" not in _keys(at.text_input)
    assert "tr_everyone" not in _keys(at.toggle) and len(_buttons(at, "Stop training")) == 1


def test_my_runs_is_the_default_and_another_students_run_is_read_only(class_key):
    alice_run = fake_run("alice", "running")
    alice = _session(who="alice")
    assert len(_buttons(alice, "Stop training")) == 1
    bob = _session(who="bob")
    assert "tr_run" not in _keys(bob.selectbox) and any("no runs yet" in i.value for i in bob.info)
    bob.toggle(key="tr_everyone").set_value(True).run()
    assert bob.selectbox(key="tr_run").value == alice_run.name
    assert not _buttons(bob, "Stop training")
    assert any("alice" in c.value for c in bob.caption)
    assert not runs.stop_requested(alice_run)


def test_the_stop_guard_is_in_the_action_not_only_in_the_hidden_button(class_key):
    """Alice's page shows Stop; the session's name turns into bob's in the same rerun as the
    click (a stale button): the click arrives, the guard refuses it."""
    d = fake_run("alice", "running")
    at = _session(who="alice")
    at.session_state["class_who"] = "bob"
    _buttons(at, "Stop training")[0].click().run()
    assert not runs.stop_requested(d)
    assert any("belongs to alice" in e.value for e in at.error), [e.value for e in at.error]


def test_the_teacher_may_stop_any_run_a_wrong_key_may_not(class_key):
    d = fake_run("alice", "running")
    for given, said in (("guess", "not the class key"), (KEY, "Teacher mode")):
        home = AppTest.from_file(APP, default_timeout=60)    # only its first run has the
        home.session_state["class_key"] = given            # sidebar (app.py) under AppTest
        home.run()
        assert any(said in e.value for e in [*home.sidebar.error, *home.sidebar.success])
    wrong = _session(who="mallory", key="guess")
    wrong.toggle(key="tr_everyone").set_value(True).run()
    assert not _buttons(wrong, "Stop training")
    teacher = _session(key=KEY)
    _buttons(teacher, "Stop training")[0].click().run()
    assert runs.stop_requested(d)


def test_a_student_needs_a_name_to_start_and_the_run_carries_it(class_key, monkeypatch):
    submitted = []
    monkeypatch.setattr(jobs, "submit", lambda cfg, base=None: submitted.append(cfg) or
                        jobs.load_run(fake_run(cfg.owner, "queued")))
    nameless = _session()
    _buttons(nameless, "Start training")[0].click().run()
    assert not submitted and any("name" in e.value for e in nameless.error)
    alice = _session(who="alice")
    _buttons(alice, "Start training")[0].click().run()
    assert [c.owner for c in submitted] == ["alice"]


def _open_model(at, name):
    at.radio(key="gallery_view").set_value("Trained models").run()
    at.selectbox(key="gallery_model").set_value(name).run()
    return at


def test_gallery_delete_only_for_ones_own_model_and_the_guard_holds(class_key):
    path = fake_model("alices-model", "alice")
    bob = _open_model(_session("gallery", who="bob"), "alices-model")
    assert "gallery_delete" not in _keys(bob.button)
    assert any("belongs to alice" in c.value for c in bob.caption)
    alice = _open_model(_session("gallery", who="alice"), "alices-model")
    alice.button(key="gallery_delete").click().run()
    alice.session_state["class_who"] = "bob"         # a stale confirm in bob's hands
    alice.button(key="gallery_delete_yes").click().run()
    assert path.exists() and any("belongs to alice" in e.value for e in alice.error)
    alice.session_state["class_who"] = "alice"
    alice.run()                                       # alice again: her confirm is still open
    alice.button(key="gallery_delete_yes").click().run()
    assert not path.exists() and not alice.exception


def test_the_board_is_the_teachers_students_do_not_get_it(class_key):
    fake_run("alice")
    with pytest.raises(ValueError, match="navigation page"):     # not in the navigation
        _session("board", who="bob")
    direct = AppTest.from_file(str(paths.ROOT / "pages" / "board.py"), default_timeout=60)
    direct.query_params["who"] = "bob"
    direct.run()                                                 # the page refuses by itself
    assert any("Only the teacher" in w.value for w in direct.warning)
    assert not direct.dataframe and "board_clear" not in _keys(direct.button)


def test_the_teachers_board_lists_every_student_best_first_and_clears(class_key):
    a, b = fake_run("alice", accs=(0.5, 0.7)), fake_run("bob", accs=(0.6, 0.9, 0.96))
    at = _session("board", key=KEY)
    table = at.dataframe[0].value
    assert [s.lstrip("★ ") for s in table["student"]] == ["bob", "alice"]
    assert table["student"][0].startswith("★") and table["best val accuracy"][0] == "95.0%"
    assert any("bob" in m.value for m in at.markdown)               # the leader line
    at.button(key="board_clear").click().run()
    assert any("Board cleared" in t.value for t in at.toast)
    at.run()
    assert not at.dataframe and (a / runs.CONFIG).exists() and (b / runs.CONFIG).exists()


def test_the_board_in_chinese(class_key):
    fake_run("alice", accs=(0.5, 0.7))
    fake_run("bob", "stopped", accs=(0.6,))
    at = _session("board", key=KEY, lang="zh")
    assert at.dataframe and "学生" in at.dataframe[0].value.columns
    found = english_on_page(at, {"alice", "bob", "mnist_cnn", "mnist", "adam"})
    assert not found, found[:5]


def test_without_a_key_the_board_is_in_the_navigation_for_everyone():
    fake_run("")
    at = _session("board")
    assert at.dataframe and at.button(key="board_clear")
