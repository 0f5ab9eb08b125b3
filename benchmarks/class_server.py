"""A class on one server, without browsers: N students each submit a small run at once, the
way the Trainer page does (jobs.submit, owner = the student's name), and each watches it as
the page's live view does (jobs.get_run + runs.progress once a second) until it ends.

This process stands in for the Streamlit server (the students are its threads, as Streamlit
sessions are); the training processes are the real ones. Records the slots in use over time,
the queue wait of each run (launched - submitted) p50/p95, the server's CPU and RSS, the
memory of all training processes, the processes of waiting runs, and errors (a submit
or a poll that raised, a run that did not finish). Writes benchmarks/results/class_server_<students>.json.

    python benchmarks/class_server.py --students 40 --slots 2     # the issue's class
    python benchmarks/class_server.py --students 10 --slots 2     # a few minutes on 2 cores
    python benchmarks/class_server.py --students 40 --slots 2 --browsers 8

With --browsers N, a real Streamlit server on the same runs folder and N headless Chromium
sessions while the class trains: half watch the teacher's board, half the Trainer (each
reopens its page every few seconds); records page update p50/p95 (click in the sidebar to
the page drawn with no script run in flight), the server's CPU and RSS, and every exception
box or page error (must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.update({"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONUNBUFFERED": "1"})


def _pct(xs: list[float], q: float) -> float | None:
    if not xs:
        return None
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def _training_processes(tmp: Path) -> tuple[list, int]:
    """The processes training in this benchmark's runs folder (a run started by a run that
    ended is no child of this process) and their total RSS."""
    found, rss = [], 0
    for p in psutil.process_iter(["cmdline", "memory_info"]):
        cmd = p.info["cmdline"] or []
        if "train" in cmd and any(str(tmp) in c for c in cmd) and p.info["memory_info"]:
            found.append(p)
            rss += p.info["memory_info"].rss
    return found, rss


def _cmdline(p) -> list[str]:
    try:
        return p.cmdline()
    except psutil.Error:
        return []


def _student(i: int, cfg_kw: dict, out: dict, errors: list, done: threading.Event) -> None:
    from cnnweb import jobs, runs, train

    try:
        run = jobs.submit(train.TrainConfig(owner=f"student-{i:02d}", **cfg_kw))
        out[i] = run.id
        while not done.is_set():
            r = jobs.get_run(run.id)
            runs.progress(r)
            if r.state in runs.FINAL:
                return
            time.sleep(1.0)
    except Exception as e:    # noqa: BLE001 - every error is counted, none may happen
        errors.append(f"student {i}: {type(e).__name__}: {e}")


async def _browser(i: int, browser, url: str, done: threading.Event, out: dict) -> None:
    import _kit

    slug = "board" if i % 2 == 0 else "trainer"
    ctx = await browser.new_context(viewport={"width": 1366, "height": 768})
    page = await ctx.new_page()
    page.set_default_timeout(120_000)
    errors, times = [], []
    page.on("pageerror", lambda e: errors.append(str(e)[:200]))
    await page.goto(url)
    await _kit.await_idle(page, 120_000)
    try:
        await _watch(page, slug, done, times)
    except Exception:
        shots = Path(os.environ.get("SHOTS") or tempfile.gettempdir())
        await page.screenshot(path=str(shots / f"class_server_browser{i}_failed.png"))
        (shots / f"class_server_browser{i}_failed.txt").write_text(
            await page.evaluate("() => document.body.innerText"))
        raise
    finally:
        exceptions = await page.locator(_kit.EXCEPTIONS).count()
        await ctx.close()
        out[i] = {"page": slug, "times": times, "exceptions": exceptions, "errors": errors}


async def _watch(page, slug: str, done: threading.Event, times: list) -> None:
    import _kit

    while not done.is_set():
        for target in ("", slug):          # Home, then the watched page: a real page change
            t0 = time.perf_counter()
            link = page.locator(_kit.NAV_LINK.format(slug=target)) if target else \
                page.locator("[data-testid='stSidebarNavItems'] a").first
            await link.click()
            await page.wait_for_function(f"location.pathname.endsWith('/{target}')")
            await page.wait_for_timeout(50)       # the page's script run has begun
            await _kit.await_idle(page, 120_000)
            if target:
                times.append(time.perf_counter() - t0)
        await asyncio.sleep(3)


def _browsers(n: int, url: str, done: threading.Event, out: dict) -> None:
    """n Chromium sessions until done is set (run in a thread of its own)."""
    import _kit
    from playwright.async_api import async_playwright

    async def all_of_them():
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=_kit.CHROMIUM,
                                               args=_kit.CHROMIUM_ARGS)
            found = await asyncio.gather(*(_browser(i, browser, url, done, out)
                                           for i in range(n)), return_exceptions=True)
            out["failures"] = [f"browser {i}: {type(r).__name__}: {str(r)[:200]}"
                               for i, r in enumerate(found) if isinstance(r, BaseException)]
            await browser.close()
    asyncio.run(all_of_them())


def _browser_figures(out: dict) -> dict:
    figures = {}
    for slug in ("board", "trainer"):
        times = [t for v in out.values() if isinstance(v, dict) and v["page"] == slug
                 for t in v["times"]]
        figures[slug] = {"p50_s": _pct(times, 0.5), "p95_s": _pct(times, 0.95), "n": len(times)}
    problems = [*out.get("failures", [])] + [
        f"browser {i}: {v['exceptions']} exception box(es), page errors {v['errors'][:2]}"
        for i, v in out.items() if isinstance(v, dict) and (v["exceptions"] or v["errors"])]
    return {"pages": figures, "problems": problems}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--students", type=int, default=40)
    ap.add_argument("--slots", type=int, default=None, help="CNNWEB_SLOTS (default: hardware)")
    ap.add_argument("--limit", type=int, default=300, help="training images per run")
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--browsers", type=int, default=0, help="Chromium sessions on a real server")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cnnweb-class-"))
    os.environ["CNNWEB_RUNS_DIR"], os.environ["CNNWEB_MODELS_DIR"] = str(tmp / "runs"), str(
        tmp / "models")
    os.environ["CNNWEB_MAX_QUEUED"] = str(max(60, args.students))
    if args.slots:
        os.environ["CNNWEB_SLOTS"] = str(args.slots)
    from cnnweb import jobs, paths, runs

    settings = jobs.settings()
    cfg_kw = {"arch": "mnist_cnn", "dataset": "mnist", "epochs": 1, "limit": args.limit,
              "data_path": str(paths.data_dir() / "mnist_sample.npz")}
    me = psutil.Process()
    me.cpu_percent()
    server, seen, watched = None, {}, None
    if args.browsers:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        import _kit

        server = _kit.Server(tmp, {"CNNWEB_MAX_QUEUED": os.environ["CNNWEB_MAX_QUEUED"],
                                   **({"CNNWEB_SLOTS": str(args.slots)} if args.slots else {})})
        server.start()
        stop_browsers = threading.Event()
        watched = threading.Thread(target=_browsers, args=(args.browsers, server.url,
                                                           stop_browsers, seen))
        watched.start()
        time.sleep(10)                        # the sessions are on their pages before Start
    ids: dict[int, str] = {}
    errors: list[str] = []
    done = threading.Event()
    t0 = time.time()
    threads = [threading.Thread(target=_student, args=(i, cfg_kw, ids, errors, done))
               for i in range(args.students)]
    for t in threads:
        t.start()
    timeline, server_rss, train_rss, procs_while_waiting = [], [], [], []
    while any(t.is_alive() for t in threads) and time.time() - t0 < args.timeout:
        found = jobs.list_runs()
        running = sum(r.state == "running" for r in found)
        waiting = sum(r.state == "queued" for r in found)
        kids, rss = _training_processes(tmp)
        timeline.append({"t": round(time.time() - t0, 1), "running": running,
                         "waiting": waiting, "processes": len(kids)})
        if waiting:      # processes of runs that wait (before slots: one each)
            queued = {str(r.path) for r in found if r.state == "queued"}
            procs_while_waiting.append(sum(any(c in queued for c in _cmdline(k)) for k in kids))
        server_rss.append(me.memory_info().rss)
        train_rss.append(rss)
        time.sleep(1.0)
    done.set()
    for t in threads:
        t.join(30)
    wall = time.time() - t0
    cpu = me.cpu_times()
    browsers = {}
    if server:
        srv = psutil.Process(server.proc.pid)
        server_cpu = srv.cpu_times()
        browsers = {"browsers": args.browsers, "streamlit_cpu_s": round(
            server_cpu.user + server_cpu.system, 1),
            "streamlit_rss_mib": round(srv.memory_info().rss / 2**20)}
        stop_browsers.set()
        watched.join(300)
        server.kill()
        browsers.update(_browser_figures(seen))
        errors += browsers["problems"]
    final = {r.id: r for r in jobs.list_runs()}
    waits, not_finished = [], []
    for run_id in ids.values():
        r = final.get(run_id)
        if r is None or r.state != "finished":
            not_finished.append(f"{run_id}: {r.state if r else 'missing'} {r.reason if r else ''}")
            continue
        launched = runs.number(r.status.get("launched"))
        if launched:
            waits.append(launched - r.created)
    errors += not_finished
    out = {
        "students": args.students, "slots": settings.slots, "threads_per_run": settings.threads,
        "cores": os.cpu_count(), "wall_s": round(wall, 1),
        "max_running": max((x["running"] for x in timeline), default=0),
        "queue_wait_p50_s": _pct(waits, 0.5), "queue_wait_p95_s": _pct(waits, 0.95),
        "server_cpu_s": round(cpu.user + cpu.system, 1),
        "server_cpu_percent_of_one_core": round(100 * (cpu.user + cpu.system) / wall, 1),
        "server_rss_max_mib": round(max(server_rss, default=0) / 2**20),
        "training_rss_max_mib": round(max(train_rss, default=0) / 2**20),
        "processes_of_waiting_runs_max": max(procs_while_waiting, default=0),
        "errors": errors, "timeline": timeline, "measured": time.strftime("%Y-%m-%d %H:%M"),
        **browsers,
    }
    for k in ("queue_wait_p50_s", "queue_wait_p95_s"):
        out[k] = None if out[k] is None else round(out[k], 1)
    res = ROOT / "benchmarks" / "results"
    res.mkdir(parents=True, exist_ok=True)
    (res / f"class_server_{args.students}.json").write_text(json.dumps(out, indent=1))
    print(json.dumps({k: v for k, v in out.items() if k != "timeline"}, indent=1))
    used = [x["running"] for x in timeline]
    print("slots in use over time (one sample a second):", "".join(map(str, used)))
    if waits:
        print(f"mean wait {statistics.mean(waits):.1f} s")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
