"""The board costs the same for 5 and 40 runs (issue 14): an ended run is read once until its
files change, and the figure has a bounded number of traces and points."""

from cnnweb import charts, classroom, jobs, runs
from tests.class_runs import fake_run


def _counting_reads(monkeypatch) -> list:
    calls = []
    real = runs.read_run
    monkeypatch.setattr(runs, "read_run", lambda d, st=None: calls.append(d) or real(d, st))
    return calls


def test_an_ended_run_is_read_once_and_again_only_when_its_status_or_config_changes(
        monkeypatch):
    d = fake_run("alice")
    calls = _counting_reads(monkeypatch)
    first = jobs.load_run(d)
    assert jobs.load_run(d) is first and len(calls) == 1          # unchanged: not read again
    runs.set_status(d, test_accuracy=0.5)
    again = jobs.load_run(d)
    assert len(calls) == 2 and again.status["test_accuracy"] == 0.5
    runs.write_config(d, {**again.config, "owner": "bob"})
    assert jobs.load_run(d).config["owner"] == "bob" and len(calls) == 3


def test_an_active_run_is_read_on_every_look(monkeypatch):
    d = fake_run("alice", "running")
    calls = _counting_reads(monkeypatch)
    jobs.load_run(d)
    jobs.load_run(d)
    assert len(calls) == 2


def test_the_board_figure_of_40_runs_has_13_traces_and_still_names_every_student():
    for i in range(40):
        fake_run(f"s{i:02d}", accs=[0.3 + 0.001 * i + 0.002 * e for e in range(200)])
    rows = classroom.board(jobs.list_runs())
    fig = charts.board_curves_figure(rows)
    assert len(fig.data) == charts.BOARD_TRACES + 1
    others, *coloured = fig.data
    assert others.name == "other runs (28)" and len({t.line.color for t in coloured}) == 12
    assert coloured[-1].name.startswith("★ s39") and coloured[-1].line.width == 6   # on top
    named = {t.name.split(" · ")[0].lstrip("★ ") for t in coloured} | set(others.text) - {""}
    assert named == {f"s{i:02d}" for i in range(40)}
    assert all(len(t.x) <= charts.BOARD_POINTS for t in coloured)
    assert coloured[0].x[0] == 1 and coloured[0].x[-1] == 200       # first and last kept
    assert len(fig.data) == len(charts.board_curves_figure(rows[:13]).data)


def test_downsample_keeps_short_curves_whole_and_spreads_long_ones_evenly():
    assert charts.downsample([1, 2, 3], 5) == [1, 2, 3]
    thin = charts.downsample(list(range(101)), 11)
    assert thin == list(range(0, 101, 10))
    assert charts.downsample([1, 2, 3], 1) == [3]


def test_the_grey_trace_of_the_other_runs_is_named_in_the_readers_language():
    rows = [{"owner": f"s{i:02d}", "arch": "mnist_cnn", "curve": [(e, 0.5) for e in (1, 2, 3)]}
            for i in range(charts.BOARD_TRACES + 3)]
    names = {lang: charts.board_curves_figure(rows, lang=lang).data[0].name for lang in ("en", "zh")}
    assert names == {"en": "other runs (3)", "zh": "其他运行（3）"}
