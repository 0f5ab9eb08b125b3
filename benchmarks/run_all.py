"""Run every benchmark and the reliability sweep, then write BENCHMARKS.md and RELIABILITY.md.

    python benchmarks/run_all.py            # the full set: about 45 minutes on a 2-core CPU
    python benchmarks/run_all.py --quick    # every path once on small sizes: a few minutes
    python benchmarks/run_all.py --no-seeds # skip the seeds' presets (the longest part)
    python benchmarks/run_all.py --from-results   # rewrite the documents from the last results

Each script writes JSON into benchmarks/results/; the figures are SVG files in
benchmarks/figures/ (plain SVG, shown inline on GitHub). Every figure is either a ratio against
a baseline measured in the same run, or an absolute number with the machine named.
Run it under `nice` on a shared machine; it never touches the real models/ or runs/ folders.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
RESULTS, FIGURES = BENCH / "results", BENCH / "figures"
sys.path.insert(0, str(BENCH))

import _kit

OK, MISS = "#2e86c1", "#e67e22"

# The fast half of the sweep: the tests that try each fault or bad input, and what they check.
TEST_CASES = [
    ("tests/test_jobs.py", "test_queue_sigkill_stop_while_queued_and_restart_on_tiny_runs",
     "SIGKILL of a training process; three runs started at once", ("kill -9 of the training run "
     "while two others queue; one queued run stopped before it starts"),
     ("the killed run is marked failed with the signal named, the queue moves on, the last run "
     "finishes; a fresh process reads the same states from disk"), "the killed run's model"),
    ("tests/test_reliability.py", ("test_app_server_killed_mid_training_the_run_goes_on_and_is_"
     "shown_after_restart"), "SIGKILL of the app server mid-training",
     "the process that started the run (as the page does) is killed -9 mid-training",
     ("the run keeps training in its own session, a new page shows it Running, it finishes and "
     "saves its model; all epochs written before are kept"), "nothing"),
    ("tests/test_reliability.py", ("test_two_runs_started_at_once_with_one_name_both_keep_their_"
     "models_on_tiny_subset"), "two jobs started at the same moment, same model name",
     "two sessions submit the same config with one --name in the same instant",
     ("one trains, one queues; the second to finish finds the name taken and saves as "
     "name-<run id suffix>, saying so in its log"), "nothing (before the fix: the second model)"),
    ("tests/test_reliability.py", ("test_store_failing_at_save_time_keeps_the_model_in_the_run_"
     "folder_on_tiny_subset"), "models/ read-only or full when the model is saved",
     "the store raises EROFS, then (second run) the run folder raises ENOSPC too",
     ("the model is kept in the run folder and the run says where (failed, with the path); when "
     "nothing can be written the metrics and log remain"), "nothing / the model weights only"),
    ("tests/test_reliability.py", ("test_a_model_store_that_cannot_be_written_is_refused_before_"
     "training"), "models/ folder that cannot be written, found before training",
     "CNNWEB_MODELS_DIR below a regular file (fails even for root); CLI and Trainer page",
     ("CLI: exit 2, one line; page: 'Cannot start: the model store … cannot be written'; no run "
     "folder"), "nothing"),
    ("tests/test_reliability.py", ("test_a_run_folder_that_cannot_be_written_is_exit_1_with_one_"
     "line"), "run folder that cannot be written", "--run-dir below a regular file",
     "exit 1 with one line, no traceback (before the fix: a traceback)", "nothing"),
    ("tests/test_reliability.py", "test_damaged_run_files_are_listed_and_judged_without_raising",
     "corrupt run files", ("metrics.jsonl with binary garbage, numbers, lists, wrong types and a "
     "half line; status.json a list or null; config.json a list or undecodable; bad pids"),
     ("good lines kept, bad ones skipped, wrong-typed numbers become gaps; a 'running' run with "
     "no live process is failed; before the fix the run list raised"), "the damaged lines only"),
    ("tests/test_reliability.py", ("test_trainer_page_with_damaged_runs_shows_them_without_an_"
     "exception"), "corrupt run files on the Trainer page", "each damaged run chosen on the page",
     "drawn without an exception (before the fix: AttributeError, ZeroDivisionError)", "nothing"),
    ("tests/test_reliability.py", ("test_metrics_file_garbled_while_a_run_trains_does_not_stop_it_"
     "on_tiny_subset"), "metrics file garbled mid-run", "garbage appended while the run writes",
     "the run finishes; its epochs read back in order", "the garbage lines only"),
    ("tests/test_reliability.py", ("test_out_of_range_settings_and_hostile_names_exit_2_and_start_"
     "nothing"), "out-of-range settings and hostile names (CLI)", ("--seed -1 and 2**32, --limit 1 "
     "(no image left after validation), --lr -0.001 and inf, --batch-size -5, --epochs 10^6, "
     "names of 240 UTF-8 bytes, 10,000 characters, '..\\\\..\\\\evil', a right-to-left override"),
     ("exit 2 with one line naming the setting; no run folder (before the fix: --seed -1 and "
     "--limit 1 failed after TensorFlow loaded, a 240-byte name after training)"), "nothing"),
    ("tests/test_train.py", "test_bad_arguments_exit_2_with_one_line", ("0 epochs, NaN lr, "
     "dropout 1.5, path traversal in --name, missing data path"), ("the CLI's own bad-argument "
     "cases"), "exit 2 with one line; nothing started", "nothing"),
    ("tests/test_reliability.py", ("test_unicode_model_name_and_a_batch_larger_than_the_data_"
     "train_on_tiny_subset"), "batch larger than the data; unicode name",
     "--batch-size 4096 on 360 images, --name Ziffern_数字", ("one batch per epoch, the run "
     "finishes, the model is listed and loads under its unicode name"), "nothing"),
    ("tests/test_reliability.py", "test_run_ids_with_paths_are_refused",
     "path traversal in run ids", "'../outside', 'a/b', '..', 'x\\\\y', '/etc' as run ids",
     "ValueError before any file is touched (before the fix: a path outside runs/ was read)",
     "nothing"),
    ("tests/test_reliability.py", ("test_names_that_are_too_long_as_a_file_name_are_refused_before_"
     "training"), "very long and wide-unicode model names", ("64 letters of 4 UTF-8 bytes; 65 and "
     "10,000 characters"), "refused with a sentence; 60 CJK letters (160 bytes) accepted",
     "nothing"),
    ("tests/test_reliability.py", "test_hostile_model_paths_in_predict_are_one_line_errors",
     "hostile model names in predict", ("--model ../../../etc/passwd, /etc/passwd, an unknown "
     "name, 5,000 characters"), "one error line each, exit 1 or 2, no traceback", "nothing"),
    ("tests/test_reliability.py", "test_explainer_survives_hostile_links",
     "hostile Explainer links", ("query strings with garbage stacks, size -5 / 0 / 99999999, "
     "100,000 channels, 200 layers, an unknown view"), ("the page draws the default stack and says the link "
     "could not be read"), "nothing"),
    ("tests/test_reliability.py", "test_pages_with_a_corrupt_dataset_file_say_so",
     "corrupt dataset file", "CNNWEB_DATA_DIR with a broken mnist.npz; Home and Trainer",
     "both draw and name the file; a run on it fails naming the file (test_train)", "nothing"),
    ("tests/test_images.py", "test_each_malformed_file_gets_one_line_naming_it",
     "malformed uploads", ("the corpus: truncated JPEG, bad CRC, empty, decompression bombs, "
     "PDF/text named as images, SVG"), "one line naming the file and the problem", "nothing"),
    ("tests/test_images.py", "test_bad_files_do_not_stop_the_others_in_the_same_upload",
     "bad files in a multi-file upload", "good and bad files together",
     "the good ones are predicted, the bad ones listed with their reasons", "nothing"),
    ("tests/test_data.py", "test_corrupt_or_foreign_files_are_reported", "dataset error paths",
     "truncated, foreign and wrongly shaped dataset files; pickles that run code",
     "ValueError naming the file; the pickle is refused", "nothing"),
]


# What the sweep found broken, and what changed (issue 7).
BUGS_FIXED = [
    ("A damaged run folder (metrics.jsonl lines that are numbers or lists, a status.json holding "
    "a list, a non-numeric `created` or pid, a progress line with 0 batches) raised in "
    "jobs.list_runs, so the Trainer page failed for every session; now each damaged field is "
    "skipped or read as missing (cnnweb/jobs.py)."),
    ("A 'running' run whose status lost its pid and whose config lost its start time stayed "
    "running forever; the folder's age now stands in (cnnweb/jobs.py)."),
    ("Two runs started at once with the same model name both passed the name check; the second "
    "to finish failed at save time and its trained model was lost. It now saves as "
    "name-<run id suffix> and says so (cnnweb/train.py)."),
    ("A models/ folder that was read-only or full was found only after training, and the model "
    "was lost; the CLI and the Trainer now refuse to start when models/ or runs/ cannot be "
    "written, and a store that fails at save time leaves the model in the run folder with a "
    "reason that says where (cnnweb/train.py, cnnweb/store.py)."),
    ("A model name of 64 letters outside ASCII (up to 256 bytes) passed the check and failed "
    "when the file was written, after training; names are now limited to 200 UTF-8 bytes too "
    "(cnnweb/store.py)."),
    ("--seed outside [0, 2**32) and a --limit that the validation split leaves empty failed "
    "after TensorFlow had loaded, as a failed run; they are now exit-2 usage errors "
    "(cnnweb/train.py). An unwritable --run-dir printed a traceback; now one line, exit 1 "
    "(cnnweb/__main__.py)."),
    ("jobs.get_run and jobs.request_stop joined a run id onto runs/ unchecked, so '../x' reached "
    "outside it; ids with a path in them are refused (cnnweb/jobs.py)."),
    ("With TensorFlow loaded, Streamlit's gc.collect(2) after every script run cost ~200 ms of "
    "GIL time per rerun of any page; ui.py now freezes the heap after each model load "
    "(see BENCHMARKS.md)."),
]


def run_step(name: str, cmd: list[str], timeout: float) -> dict:
    """Run one benchmark script; its JSON result, or {"error": ...}."""
    out = RESULTS / f"{name}.json"
    out.unlink(missing_ok=True)
    print(f"== {name}: {' '.join(cmd)}", flush=True)
    t0 = time.time()
    env = {**os.environ, **_kit.QUIET}
    try:
        r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    (RESULTS / f"{name}.log").write_text(r.stdout + "\n--- stderr ---\n" + r.stderr[-20000:])
    print(r.stdout[-3000:], flush=True)
    if name == "throughput_cifar10" or name == "throughput_mnist":
        try:     # train_throughput prints its JSON on stdout
            out.write_text(r.stdout[r.stdout.index("{"):])
        except ValueError:
            pass
    if not out.exists():
        return {"error": f"exit {r.returncode}: {(r.stderr.strip().splitlines() or ['?'])[-1]}"}
    res = json.loads(out.read_text())
    res["_seconds"] = time.time() - t0
    out.write_text(json.dumps(res, indent=1))
    return res


def run_tests() -> dict[str, str]:
    """pytest on the fast reliability cases: test name -> passed / failed / skipped."""
    files = sorted({f for f, *_ in TEST_CASES})
    xml = RESULTS / "reliability_tests.xml"
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                    f"--junitxml={xml}", *files], cwd=ROOT, env={**os.environ, **_kit.QUIET},
                   capture_output=True, text=True, check=False)
    outcome: dict[str, str] = {}
    for tc in ET.parse(xml).getroot().iter("testcase"):
        name = tc.get("name").split("[")[0]
        state = ("failed" if tc.find("failure") is not None or tc.find("error") is not None
                 else "skipped" if tc.find("skipped") is not None else "passed")
        if outcome.get(name) in (None, "passed", "skipped"):   # any failed case fails the row
            outcome[name] = state if outcome.get(name) != "passed" or state == "failed" else "passed"
    (RESULTS / "reliability_tests.json").write_text(json.dumps(outcome, indent=1))
    return outcome


# ------------------------------------------------------------------ documents

def _fmt(v, spec=".0f", unit=""):
    return "–" if v is None else f"{v:{spec}}{unit}"


def throughput_section(res: dict) -> list[str]:
    lines = ["## Training engine vs bare `model.fit`", "",
             ("Same model, data and batch size; the engine is the real `cnnweb.train.run` (tf.data "
             "pipeline, progress lines, stop and divergence checks). Ratio = engine / fit; target "
             ">= 0.95. Wall-clock throughput swings on a shared machine, so images per CPU-second "
             "are reported too (benchmarks/train_throughput.py)."), ""]
    rows, table = [], [("| model / data | fit img/s | engine img/s | ratio (wall, best) | "
                       "ratio (per CPU-s, median) | judged by |"), "|---|---|---|---|---|---|"]
    for key in ("throughput_mnist", "throughput_cifar10"):
        r = res.get(key) or {}
        if "error" in r or not r:
            table.append(f"| {key} | failed: {r.get('error', 'not run')} | | | | |")
            continue
        table.append(f"| {r['arch']} on {r['dataset']} ({r['n']:,} images, batch "
                     f"{r['batch_size']}) | {max(r['fit_images_per_s']):,.0f} | "
                     f"{max(r['engine_images_per_s']):,.0f} | {r['ratio_best_wall']:.3f} | "
                     f"{r['ratio_median_cpu']:.3f} | {r['judged_by']} |")
        rows.append((f"{r['arch']} / {r['dataset']}", r["ratio"],
                     OK if r["ratio"] >= 0.95 else MISS))
    if rows:
        _kit.bar_chart_svg(FIGURES / "throughput_ratio.svg", "Engine / bare model.fit throughput",
                           rows, "", target=0.95, target_label="target 0.95",
                           note="same run, same model, data and batch size")
        lines += ["![engine vs fit](benchmarks/figures/throughput_ratio.svg)", ""]
    return lines + table + [""]


def tta_section(res: dict, machine: str) -> list[str]:
    r = dict(res.get("time_to_accuracy") or {})
    seeds = res.get("seed_presets") or {}
    if "rows" in r:
        r["rows"] = r["rows"] + seeds.get("rows", [])
        # runs timed by a separate call of time_to_accuracy.py replace the same-named rows
        for extra in sorted([*RESULTS.glob("seed_presets_*.json"), *RESULTS.glob("tta_*.json")]):
            for row in json.loads(extra.read_text()).get("rows", []):
                same = [i for i, x in enumerate(r["rows"]) if x.get("preset") == row["preset"]]
                if same:
                    r["rows"][same[0]] = row
                else:
                    r["rows"].append(row)
    lines = ["## Time to accuracy (full datasets, this CPU)", "",
             f"Machine: {machine}. No GPU was lent to this session, so there are no GPU figures.",
             "", ("Wall time of the whole `python -m cnnweb train …` command (start-up, data, "
             "training, test evaluation, saving). Accuracy is on the **test split** (10,000 images "
             "never trained or validated on), measured once at the end. The seeds' presets hold "
             "out 10% of the training split for validation; 'val reached' is the first epoch "
             "whose held-out validation accuracy reached the seed's figure "
             "(benchmarks/time_to_accuracy.py)."), ""]
    if "error" in r or not r:
        return lines + [f"Not run: {r.get('error', 'skipped')}", ""]
    rows = r["rows"]
    if any(x.get("quick") for x in rows):
        lines += [("**Quick mode: one epoch on 5,000 images; these numbers check the path, not "
                  "the targets.**"), ""]
    table = [("| run | epochs | test accuracy | target / published | wall time | budget | "
              "CPU time | load before | img/s | peak RSS | met (accuracy / time) |"),
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    by_ds: dict[str, list] = {"mnist": [], "cifar10": []}
    for x in rows:
        if "error" in x:
            table.append(f"| {x['preset']} | failed: {x['error']} | | | | | | | | | |")
            continue
        ref = (f"target {100 * x['target']:.1f}%" if x["kind"] == "ours"
               else f"seed: {100 * x['published']:.2f}%" if x.get("published") else "–")
        val = (f" (val reached at epoch {x['val_reached_seed_at_epoch']}, "
               f"{x['val_reached_seed_after_s']:.0f} s)" if x.get("val_reached_seed_at_epoch")
               else "")
        met = "–"
        if "met" in x:         # accuracy target / time budget, each on its own
            met = " / ".join("yes" if ok else "**no**" for ok in (
                x["test_accuracy"] >= x["target"], x["wall_s"] <= x["budget_s"]))
        table.append(f"| {x['preset']} | {x['epochs']} | {100 * x['test_accuracy']:.2f}%{val} | "
                     f"{ref} | {x['wall_s']:.0f} s | "
                     f"{_fmt(x.get('budget_s'), '.0f', ' s')} | {_fmt(x.get('cpu_s'), '.0f', ' s')} "
                     f"| {_fmt(x.get('load_before'), '.1f')} | {x['images_per_s']:,.0f} | "
                     f"{x['peak_rss_mb']:.0f} MiB | {met} |")
        colour = OK if x.get("met", True) else MISS
        by_ds[x["dataset"]].append((f"{x['preset'][:34]} ({100 * x['test_accuracy']:.1f}%)",
                                    x["wall_s"], colour))
    for name, budget in (("mnist", 60), ("cifar10", 300)):
        if by_ds[name]:
            f = _kit.bar_chart_svg(FIGURES / f"tta_{name}.svg",
                                   f"{'MNIST' if name == 'mnist' else 'CIFAR-10'}: wall time of "
                                   f"the whole run (test accuracy reached)", by_ds[name], " s",
                                   target=budget, target_label=f"budget {budget} s",
                                   note=machine[:150])
            lines += [f"![time to accuracy {name}](benchmarks/figures/{f.name})", ""]
    pub = r.get("published") or {}
    lines += table + [""] + [f"Published for comparison: {k}: {100 * v:.2f}%." for k, v in
                             pub.items()] + [""]
    return lines


def responsiveness_section(res: dict) -> list[str]:
    r = res.get("app_responsiveness") or {}
    lines = ["## App responsiveness, idle vs while a training job runs", ""]
    if "error" in r or not r:
        return lines + [f"Not run: {r.get('error', 'skipped')}", ""]
    lines += [(f"Machine: {r['machine']}. The background job is cifar_cnn on the full CIFAR-10, "
              "started by cnnweb.jobs exactly as the Trainer starts it. Page reruns are the "
              "server's script time under AppTest with compiled scripts cached as the server "
              f"does (median of {r['runs']}); Predict is what the page does after a stroke "
              "(benchmarks/app_responsiveness.py). Target: busy / idle under 2."), ""]
    ratios = r["busy_over_idle"]
    rows = [(k, v, OK if v < 2 else MISS) for k, v in ratios.items()]
    _kit.bar_chart_svg(FIGURES / "busy_over_idle.svg", "While training / idle (same run)", rows,
                       "x", target=2.0, target_label="limit 2x", note=r["machine"][:150])
    lines += ["![busy over idle](benchmarks/figures/busy_over_idle.svg)", "",
              "| measure | idle | while training | ratio |", "|---|---|---|---|"]
    idle, busy = r["idle"], r["busy"]
    for k, v in idle["page_rerun_ms"].items():
        lines.append(f"| rerun of {k} | {v:.0f} ms | {busy['page_rerun_ms'][k]:.0f} ms | "
                     f"{ratios['rerun ' + k]:.2f} |")
    for q in ("p50", "p95"):
        lines.append(f"| Predict after a stroke, {q} | {idle['predict'][q + '_ms']:.1f} ms | "
                     f"{busy['predict'][q + '_ms']:.1f} ms | {ratios['predict ' + q]:.2f} |")
    for k, label in (("health_s", "cold start: server answers"),
                     ("home_rendered_s", "cold start: Home drawn in Chromium")):
        lines.append(f"| {label} | {idle['cold_start'][k]:.1f} s | {busy['cold_start'][k]:.1f} s "
                     f"| {busy['cold_start'][k] / idle['cold_start'][k]:.2f} |")
    m = r["memory"]
    lines += ["", "## Memory", "",
              (f"Peak RSS (VmHWM). Server: {_fmt(m.get('server_start_rss_mb'), '.0f', ' MiB')} "
              f"after start-up, {_fmt(m.get('server_peak_rss_mb'), '.0f', ' MiB')} after every "
              f"page was drawn and all {m.get('models_loaded')} shipped models were loaded on "
              f"the Predict page. Training process (cifar_cnn, full CIFAR-10, batch 64): "
              f"{_fmt(m.get('training_peak_rss_mb'), '.0f', ' MiB')}. Each run of the time-to-"
              "accuracy table has its own peak in the table above."), ""]
    mem_rows = [(k, v, OK) for k, v in (("server, started", m.get("server_start_rss_mb")),
                                        ("server, all models loaded", m.get("server_peak_rss_mb")),
                                        ("training process", m.get("training_peak_rss_mb")))
                if v]
    tta = (res.get("time_to_accuracy") or {}).get("rows", [])
    mem_rows += [(f"training: {x['preset'][:30]}", x["peak_rss_mb"], OK) for x in tta
                 if "peak_rss_mb" in x]
    if mem_rows:
        _kit.bar_chart_svg(FIGURES / "memory.svg", "Peak resident memory", mem_rows, " MiB",
                           note=r["machine"][:150])
        lines += ["![memory](benchmarks/figures/memory.svg)", ""]
    return lines


def load_section(res: dict) -> list[str]:
    r = res.get("reliability_sweep") or {}
    lines = ["## Many sessions while a job trains", ""]
    if "error" in r or not r or "page_seconds" not in r:
        return lines + [f"Not run: {r.get('error', 'skipped')}", ""]
    lines += [(f"{r['sessions']} headless Chromium sessions at once, {r['rounds']} rounds over "
              "every page, one shared server, a training job running (benchmarks/"
              f"reliability_sweep.py; machine: {r['machine']}). Seconds from the click in the "
              "sidebar to the page drawn with no script run in flight:"), "",
              "| page | p50 | p95 | n |", "|---|---|---|---|"]
    rows = []
    for page, s in r["page_seconds"].items():
        lines.append(f"| {page} | {s['p50']:.2f} s | {s['p95']:.2f} s | {s['n']} |")
        rows.append((f"{page} p95", s["p95"], OK))
    _kit.bar_chart_svg(FIGURES / "load_pages.svg", f"Page time with {r['sessions']} sessions and "
                       "a job training (p95)", rows, " s", note=r["machine"][:150])
    return lines + ["", "![pages under load](benchmarks/figures/load_pages.svg)", "",
                    "Faults and bad input: see [RELIABILITY.md](RELIABILITY.md).", ""]


def write_docs(res: dict, quick: bool) -> None:
    machine = _kit.machine()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True, check=False).stdout.strip()
    head = ["# Benchmarks", "",
            (f"Written by `python benchmarks/run_all.py{' --quick' if quick else ''}` on "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} at commit {commit}. "
            f"Machine: {machine}. No GPU was lent to the session that measured these."), ""]
    body = (throughput_section(res) + tta_section(res, machine) + responsiveness_section(res)
            + load_section(res))
    notes = BENCH / "NOTES.md"
    tail = ["## Notes", "", notes.read_text().strip(), ""] if notes.exists() else []
    (ROOT / "BENCHMARKS.md").write_text("\n".join(head + body + tail))

    tests = res.get("reliability_tests") or {}
    sweep = (res.get("reliability_sweep") or {}).get("cases", [])
    lines = ["# Reliability", "",
             ("Every fault and bad input tried, what happened, and whether anything was lost. "
             "Written by `python benchmarks/run_all.py`; the fast cases are pytest tests (part of "
             "the default run), the slow ones are benchmarks/reliability_sweep.py."), "",
             "## Slow cases (benchmarks/reliability_sweep.py)", ""]
    if sweep:
        lines += ["| case | what was tried | what happened | lost | result |",
                  "|---|---|---|---|---|"]
        lines += [f"| {c['case']} | {c['tried']} | {c['happened']} | {c['lost']} | "
                  f"{'ok' if c['ok'] else '**FAILED**'} |" for c in sweep]
    else:
        lines.append(f"Not run: {(res.get('reliability_sweep') or {}).get('error', 'skipped')}")
    lines += ["", "## Fast cases (pytest)", "",
              "| case | what was tried | what happens | lost | test | result |",
              "|---|---|---|---|---|---|"]
    for file, test, name, tried, happened, lost in TEST_CASES:
        lines.append(f"| {name} | {tried} | {happened} | {lost} | `{file}::{test}` | "
                     f"{tests.get(test, 'not run')} |")
    lines += ["", "## Bugs the sweep found, fixed with tests", ""] + [f"- {b}" for b in BUGS_FIXED]
    (ROOT / "RELIABILITY.md").write_text("\n".join(lines) + "\n")


def run_tests_step(args, tests_json: Path) -> dict:
    if args.from_results or (args.only is not None and "tests" not in args.only):
        return json.loads(tests_json.read_text()) if tests_json.exists() else {}
    return run_tests()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-seeds", action="store_true")
    ap.add_argument("--seeds", type=int, nargs="*", default=None,
                    help="only these seed presets (indices, see time_to_accuracy.py --help)")
    ap.add_argument("--from-results", action="store_true")
    ap.add_argument("--only", nargs="*", default=None, help="step names to (re)run")
    args = ap.parse_args(argv)
    RESULTS.mkdir(exist_ok=True)
    py, q = sys.executable, ["--quick"] if args.quick else []
    thr = ["--n", "2560", "--epochs", "2", "--rounds", "1"] if args.quick else ["--rounds", "2"]
    steps = {
        "throughput_mnist": [py, str(BENCH / "train_throughput.py"), "--dataset", "mnist", *thr,
                             "--json"],
        "throughput_cifar10": [py, str(BENCH / "train_throughput.py"), "--dataset", "cifar10",
                               *thr, "--json"],
        "time_to_accuracy": [py, str(BENCH / "time_to_accuracy.py"), *q, "--only", "recipes",
                             "--json", str(RESULTS / "time_to_accuracy.json")],
        "app_responsiveness": [py, str(BENCH / "app_responsiveness.py"), *q,
                               "--json", str(RESULTS / "app_responsiveness.json")],
        "reliability_sweep": [py, str(BENCH / "reliability_sweep.py"), *q,
                              "--json", str(RESULTS / "reliability_sweep.json")],
        # the longest part last: the seeds' presets (about 30 minutes on an idle 2-core CPU)
        "seed_presets": [py, str(BENCH / "time_to_accuracy.py"), *q, "--only", "seeds",
                         *(["--seeds", *map(str, args.seeds)] if args.seeds else []),
                         "--json", str(RESULTS / "seed_presets.json")],
    }
    if args.no_seeds:
        del steps["seed_presets"]
    res = {}
    tests_json = RESULTS / "reliability_tests.json"
    for name, cmd in steps.items():
        if name == "seed_presets":       # the fast reliability tests before the long part
            res["reliability_tests"] = run_tests_step(args, tests_json)
        path = RESULTS / f"{name}.json"
        if args.from_results or (args.only is not None and name not in args.only):
            res[name] = json.loads(path.read_text()) if path.exists() else {"error": "not run"}
            continue
        res[name] = run_step(name, cmd, timeout=3 * 3600)
    if "reliability_tests" not in res:
        res["reliability_tests"] = run_tests_step(args, tests_json)
    write_docs(res, args.quick)
    print("wrote BENCHMARKS.md and RELIABILITY.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
