"""Command line: python -m cnnweb {summary,models,train,predict,conv} ...

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


def _shape(text: str) -> tuple[int, ...]:
    try:
        dims = tuple(int(x) for x in text.replace("x", ",").split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected H,W,C such as 28,28,1, got {text!r}") from None
    if len(dims) != 3 or min(dims) < 1:
        raise argparse.ArgumentTypeError(f"expected H,W,C such as 28,28,1, got {text!r}")
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

    padding = int(args.padding) if args.padding.isdigit() else args.padding
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
    p = sub.add_parser("summary", help="layer table of a zoo architecture")
    p.add_argument("name")
    p.add_argument("--input-shape", type=_shape, default=None, help="H,W,C (default: the zoo's)")
    p.add_argument("--classes", type=int, default=10)
    p.set_defaults(func=cmd_summary)


def cmd_summary(args) -> int:
    from cnnweb import zoo

    if args.name not in zoo.names():
        raise UsageError(f"summary: unknown architecture {args.name!r}; choose one of: "
                         f"{', '.join(zoo.names())}")
    shape = args.input_shape or zoo.info(args.name)["input_shape"]
    try:
        model = zoo.build(args.name, shape, args.classes)
    except ValueError as e:
        raise UsageError(f"summary: {e}") from None
    rows = zoo.summary(model)
    print(f"{args.name} on {shape[0]}x{shape[1]}x{shape[2]} inputs, {args.classes} classes "
          f"({zoo.info(args.name)['source']})")
    print(zoo.format_table(rows))
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
    p = sub.add_parser("train", help="train a zoo architecture on MNIST or CIFAR-10")
    p.add_argument("--arch", required=True)
    p.add_argument("--dataset", required=True, choices=["mnist", "cifar10"])
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    p.add_argument("--dropout", type=float, default=None,
                   help="dropout rate, for architectures that have a dropout hyperparameter")
    p.add_argument("--augment", action="store_true",
                   help="random shifts (and horizontal flips for CIFAR-10)")
    p.add_argument("--early-stopping", type=int, default=0, metavar="K",
                   help="stop when validation loss has not improved for K epochs; keep the best")
    p.add_argument("--val-split", type=float, default=0.1)
    p.add_argument("--limit", type=int, default=None, help="use only the first N training images")
    p.add_argument("--name", default=None, help="model name in the store (default: the run id)")
    p.add_argument("--run-dir", default=None)
    p.add_argument("--schedule", choices=["constant", "cosine"], default="constant")
    p.add_argument("--weight-decay", type=float, default=0.0, help="> 0: AdamW / SGD decay")
    p.add_argument("--label-smoothing", type=float, default=0.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--mixed-precision", action="store_true", help="float16 compute on a GPU")
    p.add_argument("--data-path", default=None, metavar="PATH",
                   help="dataset file or folder (default: the search described in data.py)")
    p.set_defaults(func=cmd_train)


def cmd_train(args) -> int:
    from cnnweb import data, train

    cfg = train.TrainConfig(**{f: getattr(args, f) for f in train.TrainConfig.__dataclass_fields__})
    try:
        cfg.check()
        data.locate(cfg.dataset, cfg.data_path)
        train.check_arch_and_name(cfg)
        run_dir = train.prepare_run_dir(cfg, args.run_dir)
    except ValueError as e:
        raise UsageError(f"train: {e}") from None
    except OSError as e:   # e.g. a --run-dir on a read-only disk
        print(f"error: train: cannot write the run folder: {e.strerror or e} "
              f"({e.filename or args.run_dir})", file=sys.stderr)
        return 1
    print(f"run {run_dir.name}: {run_dir}", flush=True)
    rc = train.run(cfg, run_dir)
    from cnnweb import jobs

    st = jobs.read_json(run_dir / "status.json", {}) or {}
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
    p.set_defaults(func=cmd_predict)


def cmd_predict(args) -> int:
    """The Predict page's preprocessing (cnnweb.images) and top-k (cnnweb.explain) per file."""
    import json

    from cnnweb import images, store

    if args.top_k < 1:
        raise UsageError(f"predict: --top-k must be at least 1, got {args.top_k}")
    try:
        meta = store.load_meta(args.model)
    except ValueError as e:
        raise UsageError(f"predict: {e}") from None
    from cnnweb import explain

    try:
        model = store.load_model(args.model)
    except ValueError as e:
        print(f"error: predict: {e}", file=sys.stderr)
        return 1
    shape = tuple(meta.get("input_shape") or model.input_shape[1:])
    names = meta.get("class_names") or []
    failed = 0
    for path in args.images:
        try:
            x = images.prepare_file(images.read_file(path), path, shape, args.fit)
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


# ------------------------------------------------------------------ entry point

def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cnnweb", description="cnnweb command line")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for add in (add_conv, add_summary, add_models, add_train, add_predict):
        add(sub)
    return parser


def main(argv=None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args) or 0)
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
