"""The slow half of the reliability sweep (the fast half is tests/test_reliability.py).

    python benchmarks/reliability_sweep.py [--sessions 8] [--rounds 2] [--quick] [--json OUT]

One shared `streamlit run app.py` server, its own models/ and runs/ folders:
  load       a training job runs (cifar_cnn on the full CIFAR-10, started by cnnweb.jobs as the
             Trainer starts it) while --sessions headless Chromium sessions use every page at once
             (Home, Explainer, Lessons, Gallery, Predict with a mouse stroke on the canvas,
             Trainer); sessions 0 and 1 press Start training at the same moment. Recorded: page
             times (click to drawn, p50/p95), Streamlit exceptions, browser errors, the runs
             afterwards (none lost, none failed, one training at a time).
  server     SIGKILL of the server mid-training, restart on the same port: the job goes on, the
             Trainer shows it running, the epochs written before are all there.
  train      SIGKILL of the training process: the page says failed, killed by signal 9.
  metrics    garbage written into the run's metrics.jsonl: the page still draws.
  read-only  a models/ folder on a read-only file system (a real tmpfs mount, needs root):
             the CLI refuses to train before it starts; the Gallery still lists the models.
  full       a models/ folder on a full file system (a 64 KiB tmpfs): the run trains, the model
             is kept in its run folder, the model already in the store survives.
Each case prints one line and lands in --json; run_all.py writes them into RELIABILITY.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
_tmp = Path(tempfile.mkdtemp(prefix="cnnweb-sweep-"))
os.environ["CNNWEB_MODELS_DIR"] = str(_tmp / "models")
os.environ["CNNWEB_RUNS_DIR"] = str(_tmp / "runs")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import _kit
from playwright.async_api import TimeoutError as PlaywrightTimeout

from cnnweb import jobs, paths

SHOTS = Path("/tmp/shots/reliability")
PAGES = [p for p in ("explainer", "lessons", "gallery", "predict", "trainer")
         if (paths.ROOT / "pages" / f"{p}.py").exists()]
SAMPLE = str(paths.data_dir() / "mnist_sample.npz")
CASES: list[dict] = []


def case(name: str, tried: str, happened: str, ok: bool, lost: str = "nothing", **extra) -> None:
    CASES.append({"case": name, "tried": tried, "happened": happened, "ok": ok, "lost": lost,
                  **extra})
    print(f"[{'ok' if ok else 'FAIL'}] {name}: {happened} (lost: {lost})", flush=True)


def background_job(quick: bool) -> jobs.Run:
    """cifar_cnn on the full CIFAR-10 (quick, or without the full set: on 5,000 images)."""
    data = _kit.SHARED_DATA / "cifar10.npz"
    argv = ["--arch", "cifar_cnn", "--dataset", "cifar10", "--epochs", "50",
            "--batch-size", "64", "--name", "sweep_background"]
    argv += ["--data-path", str(data)] if data.exists() else []
    argv += ["--limit", "5000"] if quick or not data.exists() else []
    run = jobs.start(argv, "cifar_cnn", "cifar10")
    _wait(lambda: jobs.get_run(run.id).epochs() or None, 600, "the first epoch")
    return jobs.get_run(run.id)


def _wait(pred, timeout: float, what: str):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = pred()
        if got:
            return got
        time.sleep(0.3)
    raise TimeoutError(f"waited {timeout:.0f} s for {what}")


# ------------------------------------------------------------------ load: N sessions at once

async def draw_stroke(page) -> None:
    canvas = page.locator("canvas").last
    await canvas.wait_for()
    await page.wait_for_timeout(500)       # the canvas attaches its mouse handlers
    box = await canvas.bounding_box()
    pts = [(0.5, 0.15), (0.5, 0.85)]        # a "1"
    await page.mouse.move(box["x"] + box["width"] * pts[0][0], box["y"] + box["height"] * pts[0][1])
    await page.mouse.down()
    for k in range(1, 13):
        y = pts[0][1] + (pts[1][1] - pts[0][1]) * k / 12
        await page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * y)
    await page.mouse.up()


async def one_session(i: int, browser, url: str, rounds: int, both_ready, out: dict) -> None:
    try:
        await _session(i, browser, url, rounds, both_ready, out)
    except BaseException as e:
        with contextlib.suppress(Exception):
            await out[f"page {i}"].screenshot(path=str(SHOTS / f"session{i}_failed.png"))
        await both_ready.abort()    # the other starter must not wait for this one forever
        print(f"session {i} failed: {type(e).__name__}: {str(e)[:300]}", flush=True)
        raise


async def _session(i: int, browser, url: str, rounds: int, both_ready, out: dict) -> None:
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await ctx.new_page()
    out[f"page {i}"] = page
    page.set_default_timeout(120_000)
    errors, times, retries = [], [], 0
    page.on("pageerror", lambda e: errors.append(str(e)[:200]))
    t0 = time.perf_counter()
    await page.goto(url)
    await _kit.await_idle(page, 120_000)
    times.append(("home", time.perf_counter() - t0))
    exceptions = 0
    for rnd in range(rounds):
        for slug in PAGES:
            t0 = time.perf_counter()
            for _ in range(3):           # a click can land while the page is being redrawn
                await page.locator(_kit.NAV_LINK.format(slug=slug)).click()
                try:
                    await page.wait_for_function(f"location.pathname.endsWith('/{slug}')",
                                                 timeout=30_000)
                    break
                except PlaywrightTimeout:
                    retries += 1
            await _kit.await_idle(page, 120_000)
            times.append((slug, time.perf_counter() - t0))
            if slug == "predict":
                await draw_stroke(page)
                t0 = time.perf_counter()
                await page.wait_for_timeout(100)
                await _kit.await_idle(page, 120_000)
                times.append(("predict stroke", time.perf_counter() - t0))
            if slug == "trainer" and rnd == 0 and i in (0, 1):
                # both sessions press Start at the same moment
                await asyncio.wait_for(both_ready.wait(), 600)
                await page.get_by_role("button", name="Start training").click()
                await page.get_by_text("Started run").wait_for()
            exceptions += await page.locator(_kit.EXCEPTIONS).count()
    if i == 0:
        SHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SHOTS / "load_session0_trainer.png"), full_page=True)
    await ctx.close()
    out[i] = {"times": times, "exceptions": exceptions, "errors": errors, "retries": retries}


async def load(url: str, sessions: int, rounds: int) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=_kit.CHROMIUM, args=_kit.CHROMIUM_ARGS)
        both_ready = asyncio.Barrier(2)
        out: dict = {}
        SHOTS.mkdir(parents=True, exist_ok=True)
        results = await asyncio.gather(*(one_session(i, browser, url, rounds, both_ready, out)
                                         for i in range(sessions)), return_exceptions=True)
        await browser.close()
    failures = [f"session {i}: {type(r).__name__}: {str(r).splitlines()[0][:200]}"
                for i, r in enumerate(results) if isinstance(r, BaseException)]
    return {"sessions": {k: v for k, v in out.items() if isinstance(k, int)},
            "failures": failures}


# ------------------------------------------------------------------ faults, in the browser

def trainer_text(url: str, shot: str, wait_for: str | None = None,
                 pick: str | None = None) -> tuple[str, int]:
    """Open the Trainer in a fresh session, choose the run whose label has `pick` in the Run
    box: (page text, number of Streamlit exceptions)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=_kit.CHROMIUM, args=_kit.CHROMIUM_ARGS)
        page = b.new_page(viewport={"width": 1400, "height": 1400})
        page.set_default_timeout(90_000)
        page.goto(url)
        _kit.wait_idle(page)
        page.locator(_kit.NAV_LINK.format(slug="trainer")).click()
        page.wait_for_url("**/trainer*")
        _kit.wait_idle(page)
        if pick:
            page.get_by_test_id("stSelectbox").filter(
                has=page.get_by_text("Run", exact=True)).click()
            page.get_by_role("option").filter(has_text=pick).first.click()
            _kit.wait_idle(page)
        if wait_for:
            page.get_by_text(wait_for, exact=False).first.wait_for(timeout=60_000)
            _kit.wait_idle(page)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.wait_for_timeout(1500)           # Plotly draws after the script run ends
        page.screenshot(path=str(SHOTS / shot), full_page=True)
        text, exc = page.inner_text("body"), page.locator(_kit.EXCEPTIONS).count()
        b.close()
    return text, exc


def server_kill_and_restart(srv: _kit.Server, job: jobs.Run) -> None:
    for r in jobs.list_runs():            # leave the background job as the only active run
        if r.active and r.id != job.id:
            jobs.request_stop(r.path)
    _wait(lambda: all(not r.active for r in jobs.list_runs() if r.id != job.id), 120,
          "the queued runs to stop")
    before = jobs.get_run(job.id).epochs()
    srv.kill(signal.SIGKILL)
    pid = job.status["pid"]
    alive = jobs.is_alive(pid, job.status.get("pid_start"))
    srv.start()
    text, exc = trainer_text(srv.url, "server_restarted_trainer.png", wait_for="Running")
    after = jobs.get_run(job.id)
    kept = after.epochs()[: len(before)] == before
    ok = alive and after.state == "running" and "Running" in text and exc == 0 and kept
    case("SIGKILL of the Streamlit server mid-training, then a restart",
         f"kill -9 of the server while {job.id} trained (epoch {len(before)} done); restart on "
         f"the same port; a new browser session opens the Trainer",
         f"training process {'kept running' if alive else 'DIED'}; page shows it "
         f"{'Running' if 'Running' in text else 'NOT running'}, {len(after.epochs())} epoch(s) "
         f"(was {len(before)}), {exc} exception(s)", ok,
         "nothing" if kept else "epochs written before the kill")


def training_killed(srv: _kit.Server, job: jobs.Run) -> None:
    job = jobs.get_run(job.id)
    n = len(job.epochs())
    os.kill(job.status["pid"], signal.SIGKILL)
    text, exc = trainer_text(srv.url, "training_killed.png", wait_for="Failed", pick="cifar_cnn")
    run = jobs.get_run(job.id)
    # the server that reads it is not its parent after a restart, so it cannot learn the signal;
    # "killed" is in the reason either way ("killed by signal 9" / "it was killed, crashed ...")
    ok = run.state == "failed" and "killed" in run.reason and run.reason[:60] in text and exc == 0
    case("SIGKILL of a training process",
         f"kill -9 of the training process of {job.id} during epoch {n + 1}",
         f"run marked {run.state}: '{run.reason[:90]}…'; the page says so; {exc} exception(s)",
         ok, f"the unfinished epoch {n + 1} (the {n} epoch(s) before are kept; no model saved)")


def garbled_metrics(srv: _kit.Server, job: jobs.Run) -> None:
    path = job.path / "metrics.jsonl"
    good = len(jobs.get_run(job.id).epochs())
    with open(path, "ab") as f:
        f.write(b"\x00\xff garbage {\"type\": \"epoch\", \"epoch\": \"x\"}\n[1,2]\n42\n")
    _, exc = trainer_text(srv.url, "garbled_metrics.png", pick="cifar_cnn")
    kept = len(jobs.get_run(job.id).epochs())
    case("corrupt metrics file", "binary garbage, a list and a number appended to a run's "
         "metrics.jsonl; the Trainer opened on it",
         f"page drawn, {exc} exception(s); {kept} of {good} epochs still read", exc == 0
         and kept == good, "the garbage lines only")


# ------------------------------------------------------------------ faults: file systems

@contextlib.contextmanager
def tmpfs(path: Path, size: str, read_only: bool = False):
    path.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                       capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise PermissionError(r.stderr.strip() or "mount failed")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def _train_cli(models: Path, runs: Path, *extra) -> subprocess.CompletedProcess:
    env = {**os.environ, **_kit.QUIET, "CNNWEB_MODELS_DIR": str(models),
           "CNNWEB_RUNS_DIR": str(runs)}
    return subprocess.run([sys.executable, "-m", "cnnweb", "train", "--arch", "mnist_cnn",
                           "--dataset", "mnist", "--data-path", SAMPLE, "--epochs", "1",
                           "--limit", "600", *extra], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=False)


def read_only_models() -> None:
    from cnnweb import store

    mnt = _tmp / "ro_models"
    try:
        with tmpfs(mnt, "4m"):
            (mnt / "models").mkdir()
            subprocess.run(["cp", str(ROOT / "models" / "cnnweb_mnist.keras"),
                            str(ROOT / "models" / "cnnweb_mnist.json"), str(mnt / "models")],
                           check=True)
            subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
            r = _train_cli(mnt / "models", _tmp / "ro_runs", "--name", "wont_fit")
            os.environ["CNNWEB_MODELS_DIR"] = str(mnt / "models")
            try:
                listed = [e.name for e in store.list_models()
                          if e.ok and e.path.parent == mnt / "models"]
            finally:
                os.environ["CNNWEB_MODELS_DIR"] = str(_tmp / "models")
    except (PermissionError, subprocess.CalledProcessError) as e:
        case("read-only models/ folder", "a read-only tmpfs mount", f"not tried: {e}", True,
             "n/a")
        return
    line = (r.stderr.strip().splitlines() or [""])[-1]
    ok = r.returncode == 2 and "cannot be written" in line and listed == ["cnnweb_mnist"]
    case("read-only models/ folder", "`python -m cnnweb train` with CNNWEB_MODELS_DIR on a "
         "read-only tmpfs holding one model",
         f"exit {r.returncode} before training: '{line[:110]}'; the store still lists "
         f"{listed}", ok)


def full_models() -> None:
    mnt = _tmp / "full_models"
    try:
        with tmpfs(mnt, "64k"):
            (mnt / "keep.json").write_text('{"name": "keep"}')
            (mnt / "filler").write_bytes(b"\0" * 40_000)
            r = _train_cli(mnt, _tmp / "full_runs", "--name", "too_big")
            runs = jobs.list_runs(_tmp / "full_runs")
            leftovers = sorted(p.name for p in mnt.iterdir() if p.name.startswith("."))
            keep_ok = (mnt / "keep.json").read_text() == '{"name": "keep"}'
    except (PermissionError, subprocess.CalledProcessError) as e:
        case("full models/ folder", "a 64 KiB tmpfs", f"not tried: {e}", True, "n/a")
        return
    run = runs[0] if runs else None
    kept = run and (run.path / "model.keras").exists()
    ok = bool(r.returncode == 1 and run and run.state == "failed" and kept and keep_ok
              and not leftovers and "No space left" in run.reason)
    case("full models/ folder (disk full at save time)", "`python -m cnnweb train` with "
         "CNNWEB_MODELS_DIR on a 64 KiB tmpfs that a 40 KB file nearly fills",
         f"exit {r.returncode}; run {run and run.state}: '{(run and run.reason or '')[:120]}…'; "
         f"temporary files left in the store: {leftovers or 'none'}; the model already there "
         f"{'intact' if keep_ok else 'DAMAGED'}", ok,
         "nothing: the trained model waits in the run folder" if kept else "the trained model")


# ------------------------------------------------------------------ main

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="2 sessions, 1 round")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    if args.quick:
        args.sessions, args.rounds = 2, 1
    out = {"machine": _kit.machine(), "sessions": args.sessions, "rounds": args.rounds}
    srv = _kit.Server(_tmp)
    srv.start()
    try:
        job = background_job(args.quick)
        res = asyncio.run(load(srv.url, args.sessions, args.rounds))
        times: dict[str, list[float]] = {}
        for s in res["sessions"].values():
            for page, sec in s["times"]:
                times.setdefault(page, []).append(sec)
        out["page_seconds"] = {p: {"p50": _kit.pct(v, 50), "p95": _kit.pct(v, 95), "n": len(v)}
                               for p, v in times.items()}
        exc = sum(s["exceptions"] for s in res["sessions"].values())
        errs = [e for s in res["sessions"].values() for e in s["errors"]]
        retries = sum(s["retries"] for s in res["sessions"].values())
        runs = jobs.list_runs()
        states = {r.id: r.state for r in runs}
        training = sum(s == "running" for s in states.values())
        new = [r for r in runs if r.id != job.id]
        ok = (not res["failures"] and exc == 0 and states.get(job.id) == "running"
              and training == 1 and len(new) == 2 and all(r.state == "queued" for r in new))
        out["load"] = {"failures": res["failures"], "exceptions": exc, "browser_errors": errs,
                       "runs": states, "nav_retries": retries}
        case(f"{args.sessions} browser sessions on every page while a job trains",
             f"{args.sessions} headless Chromium sessions x {args.rounds} rounds over Home, "
             f"{', '.join(PAGES)} (a stroke on Predict); sessions 0 and 1 press Start training "
             f"at the same moment",
             f"{len(res['failures'])} session failure(s) {res['failures'][:2]}, {exc} "
             f"exception(s), {len(errs)} browser error(s), {retries} sidebar click(s) that "
             f"had to be repeated; runs: background "
             f"{states.get(job.id)}, the two new ones {[r.state for r in new]}", ok,
             "nothing" if job.id in states else "the background run")
        server_kill_and_restart(srv, job)
        training_killed(srv, job)
        garbled_metrics(srv, job)
    finally:
        srv.kill(signal.SIGTERM)
        for r in jobs.list_runs():
            if r.active:
                jobs.request_stop(r.path)
    read_only_models()
    full_models()
    out["cases"] = CASES
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))
    print(json.dumps(out.get("page_seconds", {}), indent=1))
    return 0 if all(c["ok"] for c in CASES) else 1


if __name__ == "__main__":
    sys.exit(main())
