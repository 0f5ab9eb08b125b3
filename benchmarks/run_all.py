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
import statistics
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
from fast_presets import PAIRS as FAST_PAIRS

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
    # --- h2-storedata: hostile dataset and model files (issue 11, items 5, 6, 7, 14). Bounds:
    # a dataset file may declare 256 MiB of arrays (1.4x full CIFAR-10), an .npz member may be
    # compressed 100x (real: 1.1-4.8x), a CIFAR pickle 64 MiB, a .tar.gz 256 MiB in 64 members;
    # a .keras archive may unpack to 512 MiB in 64 members at 100x, its sidecar 4 MiB.
    ("tests/test_untrusted_data.py", ("test_a_fifo_named_mnist_npz_neither_hangs_status_nor_load_"
     "and_says_what_it_is"), "FIFO named mnist.npz", ("os.mkfifo in CNNWEB_DATA_DIR; Home's "
     "dataset status and data.load"), ("both return at once: '… is not a regular file (a pipe, "
     "device or socket)' (before: Home and the Trainer hung forever, one thread per visit)"),
     "nothing"),
    ("tests/test_untrusted_data.py", ("test_a_device_as_the_data_path_is_refused_without_reading_"
     "it"), "a device as the dataset", "data.load(path='/dev/zero')",
     "one line, nothing read (stat before open)", "nothing"),
    ("tests/test_untrusted_data.py", "test_a_folder_named_mnist_npz_says_it_is_a_folder",
     "folder named mnist.npz / cifar10.npz", "empty folders under the file names",
     "'… is a folder, not a file' on Home and on load (before: 'missing data_batch_1')",
     "nothing"),
    ("tests/test_untrusted_data.py", "test_train_cli_on_a_fifo_fails_fast_and_gives_the_queue_back",
     "`cnnweb train` on a FIFO", "--data-path a FIFO", ("exit 1 within a second, one line; "
     "the run is failed with the reason and the queue turn is given back at once (before: it "
     "hung holding the queue lock)"), "nothing"),
    ("tests/test_untrusted_data.py", ("test_a_header_claiming_a_trillion_images_is_malformed_not_"
     "out_of_memory"), "a header claiming 10^12 images", ("x_train.npy header (10^12, 28, 28) "
     "over 784 bytes"), ("'malformed or too large: x_train claims (1,000,000,000,000, 28, 28)…; "
     "refused before reading'; Home shows no count; traced peak < 5 MB (before: 'out of memory: "
     "try a smaller --batch-size', Home showed 1,000,000,000,000 images)"), "nothing"),
    ("tests/test_untrusted_data.py", "test_a_header_that_disagrees_with_the_bytes_is_malformed",
     "a header that disagrees with its bytes", "(5000, 28, 28) declared over 20 images",
     "'is malformed: the header of x_train claims (5,000, 28, 28)…, but the file holds …'",
     "nothing"),
    ("tests/test_untrusted_data.py", "test_a_member_claiming_gigabytes_is_refused_before_inflating",
     "npz directory claiming 3.1 GB", ("a small npz whose zip directory says x_train unpacks to "
     "3.1 GB"), ("refused from the directory (bound 256 MiB); traced peak < 5 MB (before: 3.1 GB "
     "inflated before --limit applied)"), "nothing"),
    ("tests/test_untrusted_data.py", "test_an_npz_zero_bomb_is_refused_by_its_ratio_before_inflating",
     "npz zero bomb", "64 MiB of zeros deflated into < 2 MB", ("refused from the directory: "
     "compressed ~1000x (bound 100x); traced peak < 8 MB"), "nothing"),
    ("tests/test_untrusted_data.py", "test_zero_d_arrays_are_one_line_on_load_status_and_both_pages",
     "0-d arrays", "x_train=np.array(5) etc.", ("'x_train has shape (), expected (N, 28, 28, 1)' "
     "on load, Home and the Trainer (before: IndexError on the Trainer)"), "nothing"),
    ("tests/test_untrusted_data.py", "test_a_text_file_named_cifar10_npz_is_not_an_npz_file",
     "a text file named cifar10.npz", "plain text", ("'not a valid .npz file (not a zip "
     "archive)' (before: 'pickled data')"), "nothing"),
    ("tests/test_untrusted_data.py", "test_a_text_file_named_data_batch_1_is_not_a_pickle",
     "a text file named data_batch_1", "plain text in cifar-10-batches-py/",
     "'… is not a pickle file' (before: 'invalid load key')", "nothing"),
    ("tests/test_untrusted_data.py", ("test_a_pickle_of_repeated_rows_is_refused_before_it_becomes_"
     "gigabytes"), "pickle bombs", ("~300 KB pickle: one list of 10,000 labels referenced "
     "100,000 times; data as a list of 1,000,000 references to one row"), ("refused before "
     "np.asarray: labels must be at most 100,000 ints, data an array; traced peak < 40 MB "
     "(before: 400 KB -> 7.2 GB)"), "nothing"),
    ("tests/test_untrusted_data.py", "test_numpys_pickle_hook_is_refused_an_array_beyond_the_bound",
     "numpy's pickle hook asked for 10^11 bytes", "_reconstruct(ndarray, (10**11,), 'b')",
     "refused in the restricted unpickler before numpy allocates (bound 64 MiB per array)",
     "nothing"),
    ("tests/test_untrusted_data.py", ("test_oversized_batch_files_and_tar_members_are_refused_from_"
     "their_size"), "oversized CIFAR files", ("a 100 MiB test_batch; a .tar.gz whose first "
     "header claims 1 GB"), ("refused from stat / the tar header in < 2 s, nothing inflated "
     "(bounds 64 MiB per batch, 256 MiB per archive)"), "nothing"),
    ("tests/test_untrusted_data.py", "test_limit_reads_only_the_images_it_keeps_from_a_compressed_npz",
     "--limit on the full MNIST", "data.load(limit=300)", ("only the first 300 images are "
     "inflated: traced peak 11.6 MB (the full load: 56 MB)"), "nothing"),
    ("tests/test_untrusted_models.py", "test_a_sidecar_that_disagrees_is_one_line_in_the_store",
     "lying model sidecars", ("input_shape 32x32x3 on a 28x28 model, 'abc', [100000,100000,1], "
     "[28,28,true]; 5 class names, 1, numbers, a string"), ("the model is listed as unusable: "
     "'cannot use this model: …' (before: a traceback; [100000,100000,1] allocated 17.7 GB)"),
     "nothing"),
    ("tests/test_untrusted_models.py", "test_the_loaded_model_is_the_judge_where_the_archive_does_not_say",
     "sidecar against the loaded model", "each lying sidecar with the real model",
     "store.model_io refuses each before anything is sized from it", "nothing"),
    ("tests/test_untrusted_models.py", "test_cli_predict_with_a_lying_sidecar_exits_2_with_one_line",
     "lying sidecar in `cnnweb predict`", "input_shape [100000,100000,1]",
     "exit 2, one line 'cannot use this model: …'", "nothing"),
    ("tests/test_untrusted_models.py", "test_predict_and_gallery_pages_say_cannot_use_this_model",
     "lying sidecars on Predict and the Gallery", "'abc' as input_shape; 5 class names",
     "Predict: one st.error line, no exception; Gallery: the model marked unusable with the reason",
     "nothing"),
    ("tests/test_untrusted_models.py", "test_a_fifo_as_a_sidecar_neither_hangs_the_listing_nor_the_cli",
     "a FIFO as a sidecar", "models/m.json a FIFO", ("listing and `predict` return at once: "
     "'not a regular file'; the CLI exits 2"), "nothing"),
    ("tests/test_untrusted_models.py", "test_an_oversized_sidecar_is_refused_unread",
     "a 5 MiB sidecar", "m.json of 5 MiB", "refused from its size (bound 4 MiB)", "nothing"),
    ("tests/test_untrusted_models.py", "test_a_deflated_zero_member_is_refused_by_its_ratio",
     ".keras zero bomb", "64 MiB of zeros as a member of a < 4 MB .keras", ("refused from the "
     "zip directory before Keras reads it (bound 100x); traced peak < 8 MB, < 5 s"), "nothing"),
    ("tests/test_untrusted_models.py", "test_a_directory_claiming_gigabytes_is_refused_before_keras_reads_it",
     ".keras directory claiming 3.7 GiB", "model.weights.h5 patched to claim 4 GB",
     "refused before Keras reads it (bound 512 MiB; before: 3-4 MB -> 6.9 GB in 57 s)", "nothing"),
    ("tests/test_untrusted_models.py", "test_too_many_members_and_overlapping_members_are_refused",
     ".keras with 103 members; overlapping members", ("100 extra files; two directory entries "
     "sharing one compressed body (a non-recursive zip bomb)"), ("refused from the directory "
     "(bound 64 members; compressed sizes may not add up to more than the file)"), "nothing"),
    # --- h3-runs: issue 11 items 9-13, issue 12 item 3
    ('tests/test_reliability.py',
     'test_readers_of_a_runs_folder_that_cannot_be_written_never_fail',
     'read-only or full runs folder with a dead run (issue 11.9)',
     ("a 'running' run whose pid is gone; every new file in runs/ fails with EROFS, then "
      'ENOSPC'),
     ("list_runs, refresh and the Trainer (English and Chinese) show it failed ('failed: "
      "disk full' when the disk is full) without writing; one warning line says the runs "
      'folder cannot be written and why; status.json unchanged (before: OSError, a '
      'traceback for every session)'),
     'nothing'),
    ('tests/test_reliability.py',
     'test_disk_filling_up_after_the_model_is_saved_fails_disk_full_and_keeps_it_on_tiny_subset',
     'disk full during the end of training (issue 11.10)',
     'writing misclassified.npz fails with ENOSPC after training, one tiny real run',
     ('the model is saved first and loads from the store; result.json written; the run ends'
      " 'failed: disk full … the model is kept' in both languages (before: the model was "
      "lost and status stayed 'running')"),
     'the misclassified examples only'),
    ('tests/test_reliability.py',
     'test_a_write_error_during_training_is_a_disk_full_failure_never_running',
     'a write error while training (issue 11.10)',
     'an ENOSPC from metrics/status writes (the callback stops training and re-raises it)',
     ("the run ends 'failed: disk full', with the model named when it was saved; other "
      'errors keep their words'),
     'the unfinished epoch'),
    ('tests/test_jobs.py',
     'test_a_reused_pid_counts_as_dead_and_does_not_block_the_queue',
     'pid reuse (issue 11.11)',
     "a queued run's launcher pid now belongs to another live process (start time differs)",
     ('the pid is judged with its psutil start time: the run failed, a newer run gets the '
      'queue at once (before: the queue blocked forever)'),
     'nothing'),
    ('tests/test_jobs.py',
     'test_a_stopped_process_is_flagged_not_responding_after_n_times_its_usual_interval',
     'a SIGSTOPed training process (issue 11.12)',
     ('a running run that wrote nothing for 61 s (progress every 0.5 s) or 101 s (every 10 '
      's)'),
     ("'not responding' after max(10 x its median progress interval, 60 s); not before; the"
      ' Trainer shows it as one warning (test_trainer_page)'),
     'nothing'),
    ('tests/test_jobs.py',
     'test_stop_escalates_to_terminate_then_kill_for_a_suspended_process',
     'Stop on a suspended process (issue 11.12)',
     'psutil suspend of a tiny process, then Stop (grace shortened to 0.3 s)',
     ('stop file, then terminate after the grace period (it stays, a stopped process '
      "ignores SIGTERM), then kill; each step in the status; the run ends 'stopped by "
      "force' (before: Stop only wrote a file)"),
     "the run's model (nothing was saved)"),
    ('tests/test_reliability.py',
     'test_run_dir_of_a_run_still_training_is_refused_and_left_as_it_was',
     '--run-dir of a run still training (issue 11.13)',
     '`python -m cnnweb train --run-dir` on a folder whose run a live process owns',
     ('exit 2 with one line naming the pid; config, status and metrics unchanged byte for '
      'byte (before: overwritten)'),
     'nothing'),
    ('tests/test_trainer_page.py',
     'test_a_run_folder_deleted_while_it_is_shown_says_the_run_no_longer_exists',
     'run folder deleted while shown (issue 11.13)',
     'the run was listed, then its folder removed before the live view read it',
     "'This run no longer exists' in one line (before: a traceback)",
     'nothing'),
    ('tests/test_jobs.py',
     'test_process_control_imports_and_works_without_fcntl_or_proc',
     'no fcntl or /proc (Windows, macOS; issue 12.3)',
     ('jobs, runs and train imported with fcntl blocked; a tiny process checked alive, then'
      ' dead'),
     ('works: psutil for liveness, filelock for the queue (before: ImportError on Windows; '
      'every live run failed on macOS)'),
     'nothing'),
    # --- h1-upload (issue 11, items 1-5)
    ("tests/test_upload_safety.py", "test_postscript_pdf_svg_renamed_are_refused_in_one_line_without_a_child",
     "PostScript, PDF, SVG named .png / .jpg", ("a 75-byte `{ 1 pop } loop` EPS, a PDF and an "
     "SVG through the Predict, Explainer and CLI decoder (subprocess.Popen made to fail, psutil "
     "children checked)"), ("one line 'NAME: not an image'; Pillow is never asked for EPS, no "
     "child process (before the fix: Ghostscript ran the visitor's PostScript)"), "nothing"),
    ("tests/test_browser_upload.py", "test_postscript_named_png_on_the_explainer_is_refused_in_one_line",
     "PostScript upload in the browser", ("loop.png (PostScript) on the Explainer's Upload my own "
     "picture, in Chromium"), "a one-line refusal; no gs process on the machine", "nothing"),
    ("tests/test_upload_safety.py", "test_damaged_files_of_every_format_give_one_line_never_a_traceback",
     "damaged files of every allowed format", ("60 seeded random byte edits and cuts each of PNG, "
     "GIF, BMP, TIFF, WebP, JPEG"), "each decodes or gives one ImageError line", "nothing"),
    ("tests/test_upload_safety.py", "test_bomb_check_leaves_warning_filters_alone_across_threads",
     "decompression bombs from many sessions", ("3 threads decoding a 100-megapixel header while "
     "another thread warns"), ("refused by the decoder's own pixel check; no warnings filter is "
     "changed (before the fix: catch_warnings leaked an 'error' filter to other sessions)"),
     "nothing"),
    ("tests/test_upload_safety.py", "test_streamlit_config_matches_the_upload_limit_and_hides_details",
     "server settings", ".streamlit/config.toml against images.MAX_FILE_BYTES",
     ("maxUploadSize 20 MB = the decoder's limit, showErrorDetails none, toolbar viewer, "
     "address localhost"), "nothing"),
    ("tests/test_upload_safety.py", "test_predict_page_serves_the_batch_around_hostile_names",
     "hostile upload names on Predict", ("a NUL byte, the same name twice, `=HYPERLINK(...)`, "
     "`[link](...)`, `![img](...)` in one batch"), ("the NUL name fails alone in one line (before "
     "the fix: StreamlitAPIException for the page), the duplicate is 'seven (2).png' and can be "
     "inspected, markup names shown literally"), "nothing"),
    ("tests/test_browser_upload.py", "test_predict_shows_markup_names_literally_and_serves_the_rest",
     "markup names in the browser", ("`![img](http://…)`, `[link](http://…)`, `$x^2$`, `<b>x</b>` "
     "as names of broken files next to two good ones"), ("shown literally: no link, no image "
     "fetched, no KaTeX, no bold; the good files predicted"), "nothing"),
    ("tests/test_upload_safety.py", "test_predictions_csv_escapes_formula_cells", "formula injection in predictions.csv",
     "cells beginning with = + - @, a tab, a carriage return", "prefixed with an apostrophe",
     "nothing"),
    ("tests/test_upload_safety.py", "test_decoding_a_40_megapixel_upload_stays_under_its_bound",
     "6300x6330 uploads (just under 40 megapixels)", ("a 148 KB RGB PNG, a 64 KB gray PNG, a "
     "668 KB JPEG, RGBA, palette and 16-bit PNGs, for a digit and a colour model; peak RSS of a "
     "child"), ("RGB 175 MB, gray 45 MB, JPEG 10 MB (each was 877 MB), RGBA 175 MB, 16-bit "
     "96 MB, palette 62 MB; about 2 s instead of 4 s on the shared CPU"), "nothing"),
    ("tests/test_upload_safety.py", "test_prepare_uploads_decodes_each_file_once_across_reruns",
     "uploads decoded again on every rerun", "three reruns of a 4-file batch",
     "each file decoded once (cache by content, name, model input and fit)", "nothing"),
    ("tests/test_upload_safety.py", "test_cli_refuses_dev_zero_at_once_with_exit_2", "/dev/zero to predict",
     "python -m cnnweb predict --model cnnweb_mnist /dev/zero",
     "exit 2 with one line at once (before the fix: read until MemoryError)", "nothing"),
    ("tests/test_upload_safety.py", "test_cli_refuses_a_fifo_without_hanging", "a FIFO to predict",
     "a FIFO named digit.png that nobody writes",
     "exit 2 with one line (before the fix: hung forever)", "nothing"),
]

# Memory bounds of the upload path (issue 11 item 4), stated and tested in tests/test_upload_safety.py.
UPLOAD_BOUNDS = [
    ("Per file: a JPEG is decoded at 1/2, 1/4 or 1/8 size (Image.draft); any other format holds "
     "its decoded first frame once, in Pillow's own layout (1 byte a pixel for gray and palette, "
     "2 for 16-bit, 4 for RGB, RGBA and CMYK), and is converted and averaged down a strip of "
     "rows at a time (about 16 MB more) to 8x a digit model's input (at least 512 px), 4x a "
     "picture model's (at least 64 px: images.picture_side, the rule its dataset was made "
     "with) or 256 px on the Explainer. At the limit of 40 megapixels: at most about 176 MB (RGB or RGBA); measured on "
     "6300x6330 pictures: RGB and RGBA 175 MB, 16-bit 96 MB, palette 62 MB, gray 45 MB, JPEG "
     "10 MB (was 877 MB). A file over 20 MB or 40 megapixels is refused before any pixel is "
     "decoded."),
    ("Whole server: at most two frames decode at once (a semaphore in cnnweb.images), so thirty "
     "sessions uploading together add at most about 350 MB, and the others wait their turn."),
    ("Per session: one decode at a time (a session runs one script at a time), plus the "
     "uploaded bytes that Streamlit itself keeps while files stay in the uploader (at most 20 MB "
     "a file, server.maxUploadSize; the number of files is not limited by cnnweb), plus the "
     "prepared inputs, cached for all sessions: "
     "256 model inputs (3 KB each for 28x28 or 32x32) and 64 Explainer pictures (at most "
     "256x256x3 = 192 KB each, 12 MB in all)."),
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
    # --- h2-storedata
    ("Dataset and model files were opened before their kind was known (a FIFO named mnist.npz "
    "hung Home and the Trainer) and read as their headers said (a 10^12-image header 'ran out of "
    "memory', pickles and zips inflated to gigabytes); now every file is stat-ed first and "
    "judged from its zip directory, .npy headers and pickle hooks against stated bounds before "
    "a byte is inflated (cnnweb/archive.py, cnnweb/data.py, cnnweb/store.py)."),
    ("Model sidecars were trusted: a wrong input_shape or class_names gave a traceback or a "
    "17.7 GB allocation; now they are checked against the model: 'cannot use this model: …' "
    "(cnnweb/store.py)."),
]


def run_step(name: str, cmd: list[str], timeout: float) -> dict:
    """Run one benchmark script; its JSON result, or {"error": ...}."""
    out = RESULTS / f"{name}.json"
    out.unlink(missing_ok=True)
    print(f"== {name}: {' '.join(cmd)}", flush=True)
    t0 = time.time()
    env = {**os.environ, **_kit.QUIET}
    if _kit.SHARED_DATA.is_dir():      # the full sets where they are, as the figures say
        env.setdefault("CNNWEB_DATA_DIR", str(_kit.SHARED_DATA))
    try:
        r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    (RESULTS / f"{name}.log").write_text(r.stdout + "\n--- stderr ---\n" + r.stderr[-20000:])
    print(r.stdout[-3000:], flush=True)
    if name.startswith("throughput_"):
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
    keys = ("throughput_mnist", "throughput_cifar10", "throughput_mnist_onednn_off")
    # the target each result was judged by (train_throughput.TARGET when it ran)
    target = next((res[k]["target"] for k in keys if "target" in (res.get(k) or {})), None)
    lines = ["## Training engine vs bare `model.fit`", "",
             ("Same model, data and batch size; the engine is the real `cnnweb.train.run` (tf.data "
             "pipeline, progress lines, stop and divergence checks). Ratio = engine / fit; target "
             f">= {target}. Wall-clock throughput swings on a shared machine, so images "
             "per CPU-second are reported too (benchmarks/train_throughput.py)."), ""]
    rows, table = [], [("| model / data | fit img/s | engine img/s | ratio (wall, best) | "
                       "ratio (per CPU-s, median) | judged by |"), "|---|---|---|---|---|---|"]
    for key in keys:
        r = res.get(key) or {}
        if "error" in r or not r:
            table.append(f"| {key} | failed: {r.get('error', 'not run')} | | | | |")
            continue
        off = " **oneDNN off**" if r.get("onednn") == "off" else ""
        table.append(f"| {r['arch']} on {r['dataset']} ({r['n']:,} images, batch "
                     f"{r['batch_size']}){off} | {max(r['fit_images_per_s']):,.0f} | "
                     f"{max(r['engine_images_per_s']):,.0f} | {r['ratio_best_wall']:.3f} | "
                     f"{r['ratio_median_cpu']:.3f} | {r['judged_by']} |")
        rows.append((f"{r['arch']} / {r['dataset']}{' (oneDNN off)' if off else ''}", r["ratio"],
                     OK if r["ratio"] >= r["target"] else MISS))
    if rows:
        _kit.bar_chart_svg(FIGURES / "throughput_ratio.svg", "Engine / bare model.fit throughput",
                           rows, "", target=target,
                           target_label=f"target {target}",
                           note="same run, same model, data and batch size")
        lines += ["![engine vs fit](benchmarks/figures/throughput_ratio.svg)", ""]
    on, off = res.get("throughput_mnist") or {}, res.get("throughput_mnist_onednn_off") or {}
    if "engine_images_per_cpu_s" in on and "engine_images_per_cpu_s" in off:
        per_cpu = (statistics.median(on["engine_images_per_cpu_s"])
                   / statistics.median(off["engine_images_per_cpu_s"]))
        wall = max(on["engine_images_per_s"]) / max(off["engine_images_per_s"])
        table += ["", (f"oneDNN as TensorFlow sets it (every row but the one marked) vs off "
                       f"(`TF_ENABLE_ONEDNN_OPTS=0`), engine on MNIST: {per_cpu:.2f}x the images "
                       f"per CPU-second, {wall:.2f}x wall-clock (best rounds).")]
    return lines + table + [""]


def tta_section(res: dict) -> list[str]:
    r = dict(res.get("time_to_accuracy") or {})
    machine = r.get("machine") or "not recorded in results/time_to_accuracy.json"
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
    limit = r.get("target_ratio", 1.5)
    lines += [(f"Machine: {r['machine']}. The background job is cifar_cnn on the full CIFAR-10, "
              "started by cnnweb.jobs exactly as the Trainer starts it. Page reruns are the "
              "server's script time under AppTest with compiled scripts cached as the server "
              f"does (median of {r['runs']}); Predict is what the page does after a stroke "
              "(benchmarks/app_responsiveness.py). The Trainer's idle time is taken with the same "
              "run on the page and its process paused, so both sides draw the same live view. "
              f"Target: busy / idle at most {limit}."), ""]
    ratios = r["busy_over_idle"]
    rows = [(k, v, OK if v <= limit else MISS) for k, v in ratios.items()]
    _kit.bar_chart_svg(FIGURES / "busy_over_idle.svg", "While training / idle (same run)", rows,
                       "x", target=limit, target_label=f"limit {limit}x",
                       note=r["machine"][:150])
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
        lines.append(f"| {label} (not a target: Chromium starts on the same cores) | {idle['cold_start'][k]:.1f} s | {busy['cold_start'][k]:.1f} s "
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


def fast_section(res: dict) -> list[str]:
    """The fast presets against the tutorial presets, whole commands interleaved in one run."""
    lines = ["## Fast presets vs the tutorial presets (benchmarks/fast_presets.py)", "",
             ("`python -m cnnweb train --preset ID`, whole command (start-up, data, training, "
              "test evaluation, save), baseline and fast preset alternating in the same run; "
              "test accuracy on the test split. Ratio = fast / baseline (medians)."), "",
             ("| fast preset | baseline | fast test acc | wall s (fast / base) | wall ratio "
              "(target) | CPU-s (fast / base) | CPU ratio | met |"),
             "|---|---|---|---|---|---|---|---|"]
    for key in (f"fast_presets_{p}" for p in FAST_PAIRS):
        r = res.get(key) or {}
        if "wall_ratio" not in r:
            lines.append(f"| {key} | failed: {r.get('error', 'not run')} | | | | | | |")
            continue

        def runs(preset, what, r=r):
            return ", ".join(f"{x[what]:.0f}" for x in r["rows"]
                             if x["preset"] == preset and "error" not in x)
        lines.append(
            f"| {r['fast']} | {r['baseline']} | {100 * r['fast_test_accuracy']:.2f}% "
            f"(target {100 * r['target_accuracy']:.1f}%) | {runs(r['fast'], 'wall_s')} / "
            f"{runs(r['baseline'], 'wall_s')} | {r['wall_ratio']:.3f} (<= {r['max_wall_ratio']}) "
            f"| {runs(r['fast'], 'cpu_s')} / {runs(r['baseline'], 'cpu_s')} | "
            f"{r['cpu_ratio']:.3f} | {'yes' if r['met'] else '**no**'} |")
    return lines + [""]


def _table(head: list[str], rows: list[list]) -> list[str]:
    return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head),
            *["| " + " | ".join(str(c) for c in row) + " |" for row in rows]]


def class_section(res: dict) -> list[str]:
    """A class on one server (benchmarks/class_server.py), the live view's polling cost
    (metrics_poll.py), the board's refresh with 5 and 40 runs (board_scaling.py) and Start to
    the first curve point (first_point.py): each from its own results file, which says when."""
    lines = ["## A class on one server", ""]
    c = res.get("class_server_40") or {}
    if "wall_s" in c:
        lines += [(f"{c['students']} students submit a small run at once and watch it as the "
                   f"page does; {c['slots']} slots of {c['threads_per_run']} thread(s) on "
                   f"{c['cores']} cores (benchmarks/class_server.py, measured {c['measured']})."),
                  "", *_table(["measure", "value"], [
                      ["all runs done", f"{c['wall_s']:.0f} s"],
                      ["runs training at once (max)", c["max_running"]],
                      ["queue wait p50 / p95", (f"{c['queue_wait_p50_s']:.0f} s / "
                                                f"{c['queue_wait_p95_s']:.0f} s")],
                      ["server CPU", (f"{c['server_cpu_s']:.1f} s "
                                      f"({c['server_cpu_percent_of_one_core']:.1f}% of a core)")],
                      ["server RSS (max)", f"{c['server_rss_max_mib']} MiB"],
                      ["processes of waiting runs (max)", c["processes_of_waiting_runs_max"]],
                      ["errors", len(c["errors"])],
                      *([[f"{c['browsers']} Chromium sessions: {page} update p50 / p95",
                          f"{v['p50_s']:.2f} s / {v['p95_s']:.2f} s (n={v['n']})"]
                         for page, v in c["pages"].items()]
                        + [["Streamlit server CPU / RSS", (f"{c['streamlit_cpu_s']:.0f} s / "
                                                           f"{c['streamlit_rss_mib']} MiB")]]
                        if c.get("browsers") else [])]),
                  ""]
    m = res.get("metrics_poll") or {}
    if "ratio" in m:
        lines += [(f"One watcher of a {m['lines']:,}-line run: {1000 * m['before_s']:.1f} ms a "
                   f"poll reading the whole file before, {1000 * m['after_s']:.1f} ms reading "
                   f"only the new lines: {m['ratio']:.0f}x less (benchmarks/metrics_poll.py, "
                   f"measured {m['measured']})."), ""]
    b = res.get("board_scaling") or {}
    if b.get("rows"):
        lines += [("The teacher's board, server time per refresh under AppTest "
                   "(benchmarks/board_scaling.py):"), "",
                  *_table(list(b["rows"][0]), [list(r.values()) for r in b["rows"]]), ""]
    f = res.get("first_point") or {}
    if "warm" in f:
        lines += [("Start to the run's first curve point (benchmarks/first_point.py; target "
                   "<= 3 s on the page, which polls every second):"), "",
                  *_table(["start", "first metrics line (median)", "on the page within",
                           "first epoch img/s"],
                          [[k, f"{f[k]['first_line_median_s']:.2f} s",
                            f"{f[k]['page_shows_within_s']:.2f} s",
                            f"{f[k]['images_per_s_median']:,.0f}"] for k in ("cold", "warm")]),
                  ""]
    return lines if len(lines) > 2 else []


def write_docs(res: dict, quick: bool, from_results: bool = False) -> None:
    machine = _kit.machine()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True, check=False).stdout.strip()
    head = ["# Benchmarks", "",
            (f"Written by `python benchmarks/run_all.py{' --quick' if quick else ''}"
            f"` on "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} at commit {commit}"
            + (" from the results files of earlier runs (benchmarks/results/, each written "
               "when its script last ran; machines named in each section)" if from_results else
               f". Machine: {machine}") + ". No GPU was lent to the sessions that measured "
            "these."), ""]
    body = (throughput_section(res) + tta_section(res) + fast_section(res)
            + responsiveness_section(res)
            + load_section(res) + class_section(res))
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
    lines += ["", "## Memory bounds of uploads", ""] + [f"- {b}" for b in UPLOAD_BOUNDS]
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
        # the one row with oneDNN off (TF_ENABLE_ONEDNN_OPTS=0); every other row is the default
        "throughput_mnist_onednn_off": [py, str(BENCH / "train_throughput.py"), "--dataset",
                                        "mnist", *thr, "--onednn", "off", "--json"],
        "time_to_accuracy": [py, str(BENCH / "time_to_accuracy.py"), *q, "--only", "recipes",
                             "--json", str(RESULTS / "time_to_accuracy.json")],
        # not with --quick: its committed result is the record tests/test_fast_presets.py checks
        **({} if args.quick else {f"fast_presets_{p}": [
            py, str(BENCH / "fast_presets.py"), "--preset", p, "--rounds", "2",
            "--json", str(RESULTS / f"fast_presets_{p}.json")] for p in FAST_PAIRS}),
        "app_responsiveness": [py, str(BENCH / "app_responsiveness.py"), *q,
                               "--json", str(RESULTS / "app_responsiveness.json")],
        "reliability_sweep": [py, str(BENCH / "reliability_sweep.py"), *q,
                              "--json", str(RESULTS / "reliability_sweep.json")],
        "first_point": [py, str(BENCH / "first_point.py"), "--rounds", "1" if args.quick else "3",
                        "--json", str(RESULTS / "first_point.json")],
        "metrics_poll": [py, str(BENCH / "metrics_poll.py")],
        "board_scaling": [py, str(BENCH / "board_scaling.py")],
        **({} if args.quick else {"class_server_40": [
            py, str(BENCH / "class_server.py"), "--students", "40", "--slots", "2",
            "--browsers", "8"]}),
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
    write_docs(res, args.quick, args.from_results or args.only is not None)
    print("wrote BENCHMARKS.md and RELIABILITY.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
