"""Command line: python -m cnnweb {summary,models,train,predict,conv,export} ...

Exit codes: 0 success, 1 failure (e.g. a file that could not be read, a run that failed),
2 bad arguments; errors are one line on stderr, never a traceback.
Each command imports only what it needs, so `python -m cnnweb conv` starts without TensorFlow.
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


class UsageError(Exception):
    """Bad arguments: exit 2 with the message."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage dump
        raise UsageError(f"{self.prog}: {message}")


# `summary --input-shape` builds the model, weights included: bound it like the Explainer's
# input size (a 100000x100000 input would ask for terabytes of dense weights)
MAX_SIDE, MAX_CHANNELS = 1024, 16


def _shape(text: str) -> tuple[int, ...]:
    want = (f"expected H,W,C such as 28,28,1 (H and W from 1 to {MAX_SIDE}, C from 1 to "
            f"{MAX_CHANNELS}), got {text!r}")
    parts = text.replace("x", ",").split(",")
    if not all(p.strip().isascii() and p.strip().isdigit() for p in parts):
        raise argparse.ArgumentTypeError(want)
    dims = tuple(int(p) for p in parts)
    if (len(dims) != 3 or min(dims) < 1 or max(dims[:2]) > MAX_SIDE
            or dims[2] > MAX_CHANNELS):
        raise argparse.ArgumentTypeError(want)
    return dims


# ------------------------------------------------------------------ conv (arithmetic, no TF)

def add_conv(sub):
    p = sub.add_parser("conv", help="output size, parameters and receptive field of one conv layer")
    p.add_argument("--size", type=int, required=True, help="input height = width")
    p.add_argument("--kernel", type=int, default=3)
    p.add_argument("--stride", type=int, default=1)
    p.add_argument("--padding", default="valid", help="valid, same, full or a number of zeros")
    p.add_argument("--dilation", type=int, default=1)
    p.add_argument("--in-channels", type=int, default=1)
    p.add_argument("--filters", type=int, default=1)
    p.set_defaults(func=cmd_conv)


def cmd_conv(args) -> int:
    from cnnweb import conv

    text = args.padding.strip()
    # "²" and "٣" are digits to str.isdigit() but not to int(): only ASCII digits are a number
    padding = int(text) if text.isascii() and text.isdigit() else text
    spec = conv.LayerSpec("conv", args.kernel, args.stride, padding, args.dilation, args.filters)
    try:
        (row,) = conv.analyze_stack(args.size, args.size, args.in_channels, [spec])
    except ValueError as e:
        raise UsageError(str(e)) from None
    print(f"output shape  {row.out_shape[0]}x{row.out_shape[1]}x{row.out_shape[2]}")
    print(f"output size   {row.formula}")
    print(f"zeros added   {row.padding[0]} before, {row.padding[1]} after")
    print(f"parameters    {row.param_formula}")
    print(f"multiply-adds {row.macs:,}")
    print(f"receptive     {row.rf.size}x{row.rf.size}, jump {row.rf.jump}, start {row.rf.start:g}")
    return 0


# ------------------------------------------------------------------ summary / models (zoo, store)

def add_summary(sub):
    p = sub.add_parser("summary", help="layer table of a zoo architecture, a keras.applications "
                                       "one or a .keras model file")
    p.add_argument("name", help="an architecture (cnnweb's or keras.applications') or PATH.keras")
    p.add_argument("--input-shape", type=_shape, default=None, help="H,W,C (default: the zoo's)")
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--head", default=None, metavar="HEAD",
                   help="with stack:<code>: the classifier head, e.g. gap or flatten-d128-p0.5")
    p.add_argument("--lang", choices=("en", "zh"), default="en")
    p.set_defaults(func=cmd_summary)


def is_model_path(text: str) -> bool:
    """A --model / summary argument that names a file (PATH.keras, PATH.h5, a/b) rather than
    a stored model or an architecture."""
    return not text.startswith("stack:") and (
        text.lower().endswith((".keras", ".h5")) or os.sep in text or "/" in text)


def checked_file(path: str, command: str, lang: str = "en") -> dict:
    """The user's model file checked and described in a worker process (cnnweb.byom, as the
    Gallery's and Predict's uploads are: safe mode, bounded, a crash is one line); UsageError
    with that line otherwise (exit 2)."""
    from cnnweb import byom, i18n, store

    try:
        return byom.inspect(store.model_path(path), label=path)
    except ValueError as e:
        raise UsageError(f"{command}: {i18n.tr(e.args[0] if e.args else e, lang)}") from None


def _summary_of_file(args):
    """(title, layer table) of a model file, from the worker's description: nothing of the
    file is loaded in this process."""
    from cnnweb import i18n, summary

    info = checked_file(args.name, "summary", args.lang)
    title = i18n.t("sum.cli_file", lang=args.lang, file=os.path.basename(args.name),
                   shape=summary.shape_text(tuple(info["input_shape"])), layers=info["layers"])
    return title, info["rows"]


def _summary_of_arch(args):
    from cnnweb import i18n, summary, zoo

    known = [*zoo.names(), *zoo.application_names()]
    args.name = stack_arch(args.name, args.head, "summary")
    if args.name not in known and not zoo.trainable(args.name):
        raise UsageError(f"summary: unknown architecture {args.name!r}; choose one of: "
                         f"{', '.join(known)}, or give a PATH.keras")
    try:
        shape = args.input_shape or zoo.info(args.name)["input_shape"]
        model = zoo.build(args.name, shape, args.classes)
    except ValueError as e:
        raise UsageError(f"summary: {e}") from None
    except Exception as e:  # TensorFlow's ResourceExhaustedError, or MemoryError
        if not (isinstance(e, MemoryError) or type(e).__name__ == "ResourceExhaustedError"):
            raise
        raise UsageError(f"summary: {args.name} at {shape[0]}x{shape[1]}x{shape[2]} needs more "
                         "memory for its weights than this machine has; try a smaller "
                         "--input-shape") from None
    title = i18n.t("sum.cli_arch", lang=args.lang, name=args.name, classes=args.classes,
                   shape=f"{shape[0]}x{shape[1]}x{shape[2]}", source=zoo.info(args.name)["source"])
    return title, summary.layer_table(model)


def cmd_summary(args) -> int:
    from cnnweb import summary

    title, rows = (_summary_of_file if is_model_path(args.name) else _summary_of_arch)(args)
    print(title)
    print(summary.format_table(rows, args.lang))
    return 0


def add_models(sub):
    p = sub.add_parser("models", help="list shipped and trained models")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_models)


def cmd_models(args) -> int:
    import json

    from cnnweb import store

    entries = store.list_models()
    records = [{"name": e.name, "shipped": e.shipped, "dataset": e.meta.get("dataset"),
                "arch": e.meta.get("arch"), "test_accuracy": e.meta.get("test_accuracy"),
                "path": str(e.path), "error": e.error} for e in entries]
    if args.json:
        print(json.dumps(records, indent=1, ensure_ascii=False))
        return 0
    if not records:
        print(f"no models yet in {store.shipped_dir()} or {store.paths.models_dir()}")
        return 0
    for r in records:
        kind = "shipped" if r["shipped"] else "user"
        if r["error"]:
            print(f"{r['name']:<24} {kind:<7} UNREADABLE: {r['error']}")
            continue
        acc = r["test_accuracy"]
        acc = f"{acc:.2%}" if isinstance(acc, (int, float)) else "-"
        print(f"{r['name']:<24} {kind:<7} {r['dataset'] or '-':<8} {r['arch'] or '-':<14} "
              f"test acc {acc:>7}  {r['path']}")
    return 0


# ------------------------------------------------------------------ train (data, train, store)

def add_train(sub):
    p = sub.add_parser("train", help="train a zoo architecture on MNIST or CIFAR-10",
                       allow_abbrev=False)   # a preset is overridden by the flags written out
    p.add_argument("--preset", default=None, metavar="ID",
                   help="start from a preset (seed001, mnist-fast, ...); other flags override it")
    from dataclasses import fields

    from cnnweb import config

    for f in fields(config.TrainConfig):                       # every setting is a flag
        add_setting(p, f)
    p.add_argument("--head", default=None, metavar="HEAD",
                   help="with --arch stack:<code>: the classifier head, e.g. gap or "
                        "flatten-d128-p0.5 (default flatten-d64)")
    p.add_argument("--run-dir", default=None)
    add_dataset_flags(p)
    p.set_defaults(func=cmd_train)


def add_setting(p, f) -> None:
    """The flag of one TrainConfig field, from its metadata (cnnweb.config.setting)."""
    from cnnweb import config

    m = f.metadata
    kw = {"help": "; ".join(filter(None, [m["help"], config.bounds_text(f)])) or None,
          "default": f.default}
    if m["metavar"]:
        kw["metavar"] = m["metavar"]
    if m["type"] is bool:
        p.add_argument(config.flag(f.name), action="store_true", **kw)
        return
    if m["choices"]:
        kw["choices"] = list(m["choices"])
    p.add_argument(config.flag(f.name), type=m["type"], **kw)


def add_dataset_flags(p) -> None:
    """How a folder or .zip given as --dataset is kept (stored with the dataset)."""
    p.add_argument("--test-split", type=float, default=0.2,
                   help="a folder/.zip dataset: the fraction of each class held out for the test")
    p.add_argument("--image-size", type=int, default=None, metavar="PIXELS",
                   help="a folder/.zip dataset: resize pictures to this square size (default: "
                        "the most common size, at most 64)")
    p.add_argument("--dataset-name", default=None, metavar="NAME",
                   help="a folder/.zip dataset: keep it under this name (default: its file name)")


def keep_dataset(args) -> str:
    """--dataset as a kept dataset's name: a folder or .zip is checked and kept first (one line
    per skipped file on stderr); built-in and kept names pass through. UsageError otherwise."""
    from cnnweb import data, datasets, i18n

    given = args.dataset
    if given is None or data.is_builtin(given) or datasets.is_kept(given):
        return given
    if not (os.sep in given or "/" in given or given.lower().endswith(".zip")
            or os.path.exists(given)):
        return given                 # an unknown name: TrainConfig.check says so
    try:
        added = datasets.add(given, name=args.dataset_name, test_split=args.test_split,
                             seed=args.seed, image_size=args.image_size)
    except ValueError as e:
        raise UsageError(f"train: {i18n.tr(e.args[0] if e.args else e, 'en')}") from None
    for line in added.skipped:
        print(f"skipped: {line}", file=sys.stderr)
    meta = added.meta
    counts = ", ".join(f"{c} {n}" for c, n in meta["counts"].items())
    how = "already kept as" if added.reused else "kept as"
    print(f"dataset {how} {added.name} in {datasets.datasets_dir() / added.name}: {counts}; "
          f"{meta['input_shape'][0]}x{meta['input_shape'][1]} "
          f"{'grey' if meta['colour'] == 'grey' else 'RGB'}; {meta['n_train']} training, "
          f"{meta['n_test']} held out for the test (split {meta['test_split']}, seed "
          f"{meta['seed']})", flush=True)
    return added.name


def _given(argv: list[str]) -> set[str]:
    """Destinations of the train flags written on the command line (they override a preset)."""
    flags = {a.split("=", 1)[0] for a in argv if a.startswith("--")}
    return {f.lstrip("-").replace("-", "_") for f in flags}


def train_config(args):
    """The TrainConfig of parsed `train` arguments: a --preset's settings, then the flags written
    out on top. UsageError for an unknown preset or a missing --arch/--dataset."""
    from cnnweb import train

    values = {f: getattr(args, f) for f in train.TrainConfig.__dataclass_fields__}
    if values.get("finetune") and values["arch"] is None:
        values["arch"] = train.TRANSFER
    if args.preset is not None:
        try:
            preset = train.preset_config(args.preset)
        except ValueError as e:
            raise UsageError(f"train: {e}") from None
        given = _given(getattr(args, "argv", []))
        values.update({k: v for k, v in preset.items() if k not in given})
    missing = [f"--{k}" for k in ("arch", "dataset") if values[k] is None]
    if missing:
        raise UsageError(f"train: the following arguments are required: {', '.join(missing)} "
                         f"(or give --preset ID)")
    values["arch"] = stack_arch(values["arch"], getattr(args, "head", None), "train")
    return train.TrainConfig(**values)


def stack_arch(arch: str, head: str | None, command: str) -> str:
    """A stack:<code> architecture written out in full (its head included), other names as
    they are; UsageError for a bad code, or --head without a stack."""
    from cnnweb import stack

    if not stack.is_arch(arch):
        if head is not None:
            raise UsageError(f"{command}: --head is only for --arch stack:<code> (the Explainer's "
                             f"layer code); {arch!r} has its own head")
        return arch
    try:
        return stack.arch_id(*stack.parse_arch(arch, head))
    except ValueError as e:
        raise UsageError(f"{command}: {e}") from None


def cmd_train(args) -> int:
    from cnnweb import data, jobs, train

    args.dataset = keep_dataset(args)
    cfg = train_config(args)
    try:
        cfg.check()
        data.locate(cfg.dataset, cfg.data_path)
        granted = args.run_dir is not None and jobs.granted(args.run_dir)   # queued, now started
        train.check_arch_and_name(cfg, taken_ok=granted)
        jobs.check_new_run(args.run_dir, cfg.owner)
        run_dir = train.prepare_run_dir(cfg, args.run_dir)
    except ValueError as e:
        raise UsageError(f"train: {e}") from None
    except OSError as e:   # e.g. a --run-dir on a read-only disk
        print(f"error: train: cannot write the run folder: {e.strerror or e} "
              f"({e.filename or args.run_dir})", file=sys.stderr)
        return 1
    print(f"run {run_dir.name}: {run_dir}", flush=True)
    rc = train.run(cfg, run_dir)
    from cnnweb import runs

    st = runs.read_status(run_dir)
    if rc != 0:
        print(f"error: {st.get('reason') or 'training failed'} (log: {run_dir / 'log.txt'})",
              file=sys.stderr)
    return rc


# ------------------------------------------------------------------ predict (images, store)

def add_predict(sub):
    p = sub.add_parser("predict", help="classify image files with a shipped or trained model")
    p.add_argument("--model", required=True, metavar="NAME_OR_PATH",
                   help="a name from `python -m cnnweb models` or a path to a .keras file")
    p.add_argument("images", nargs="+", metavar="IMAGE")
    p.add_argument("--top-k", type=int, default=3)
    p.add_argument("--fit", choices=["squash", "crop"], default="squash",
                   help="colour models: stretch the whole picture, or cut the centre square")
    p.add_argument("--json", action="store_true", help="one JSON object per image, one per line")
    p.add_argument("--classes", default=None, metavar="A,B,...",
                   help="class names, comma-separated, one per output (default: the sidecar's; "
                        "a model file without a sidecar gets numbers)")
    p.set_defaults(func=cmd_predict)


def _predict_meta(args) -> dict:
    """The sidecar of --model; {} for a model file given by path that has none."""
    from cnnweb import store

    text = args.model
    if is_model_path(text) and not store.model_path(text).with_suffix(".json").exists():
        return {}
    return store.load_meta(text)


def cmd_predict(args) -> int:
    """The Predict page's preprocessing (cnnweb.images) and top-k (cnnweb.explain) per file."""
    import json

    from cnnweb import images, store

    if args.top_k < 1:
        raise UsageError(f"predict: --top-k must be at least 1, got {args.top_k}")
    for path in args.images:              # /dev/zero, a FIFO, a folder: refused before any read
        if images.is_special_file(path):
            raise UsageError(f"predict: {path}: not a regular file (a folder, device or pipe); "
                             f"give image files")
    try:
        meta = _predict_meta(args)
    except ValueError as e:
        raise UsageError(f"predict: {e}") from None
    from cnnweb import byom, explain

    if is_model_path(args.model):        # the user's file: checked in a worker first
        checked_file(args.model, "predict")
        model = byom.load(store.model_path(args.model))
    else:
        try:
            model = store.load_model(args.model)
        except ValueError as e:
            print(f"error: predict: {e}", file=sys.stderr)
            return 1
    try:    # the sidecar is untrusted: checked against the model before anything is sized
        units = model.outputs[0].shape[-1] if getattr(model, "outputs", None) else None
        if args.classes is not None and isinstance(units, int):   # else model_io says why
            meta = {**meta, "class_names": byom.class_names(args.classes, units)}
        shape, names = store.model_io(model, meta, store.model_path(args.model).with_suffix(".json").name)
    except ValueError as e:
        raise UsageError(f"predict: {e}") from None
    how = images.preparation(shape, meta.get("dataset"))    # as the model's dataset was made
    failed = 0
    for path in args.images:
        try:
            x = images.prepare_file(images.read_file(path), path, shape, args.fit, how)
        except images.ImageError as e:
            row = {"file": path, "error": str(e)}
        else:
            row = {"file": path, **explain.top_k(explain.predict(model, x), names, args.top_k)}
        if "error" in row:
            failed += 1
        if args.json:
            print(json.dumps(row, ensure_ascii=False), flush=True)
        elif "error" in row:
            print(f"error: {row['error']}", file=sys.stderr, flush=True)
        else:
            top = ", ".join(f"{label} {p:.1%}" for label, p in row["top"])
            print(f"{path}: {row['label']} ({row['confidence']:.1%})   top {args.top_k}: {top}", flush=True)
    return 1 if failed else 0


# ------------------------------------------------------------------ export (store, export)

def add_export(sub):
    p = sub.add_parser("export", help="write a shipped or trained model as .keras or TFLite")
    p.add_argument("--model", required=True, metavar="NAME_OR_PATH",
                   help="a name from `python -m cnnweb models` or a path to a .keras file")
    p.add_argument("--format", required=True, choices=["keras", "tflite"])
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.set_defaults(func=cmd_export)


def cmd_export(args) -> int:
    from cnnweb import export, store

    try:
        problem = export.out_problem(args.out, args.force)
        if problem:
            raise export.ExportError(problem)
        path = store.model_path(args.model)
        problem = store.model_file_problem(path)
        if problem:
            raise export.ExportError(problem)
    except ValueError as e:
        raise UsageError(f"export: {e.args[0] if e.args else e}") from None
    try:
        out = export.export(args.model, args.format, args.out, args.force)
    except export.ExportError as e:
        raise UsageError(f"export: {e.args[0]}") from None
    except ValueError as e:        # the model could not be loaded or converted
        print(f"error: export: {e.args[0] if e.args else e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"error: export: cannot write {args.out}: {e.strerror or e}", file=sys.stderr)
        return 1
    print(f"{out} ({out.stat().st_size:,} bytes, {args.format})")
    return 0


# ------------------------------------------------------------------ entry point

def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cnnweb", description="cnnweb command line")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for add in (add_conv, add_summary, add_models, add_train, add_predict, add_export):
        add(sub)
    return parser


def main(argv=None) -> int:
    try:
        argv = sys.argv[1:] if argv is None else list(argv)
        args = build_parser().parse_args(argv)
        args.argv = argv
        return int(args.func(args) or 0)
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
