"""A training run's settings (TrainConfig): their defaults, bounds, choices and help in one
place. The CLI's `train` flags are generated from these fields (cnnweb.__main__) and check()
validates them for the CLI and the Trainer alike. Light on purpose (no numpy, no TensorFlow),
so that building the command line stays fast."""

from __future__ import annotations

import builtins
import math
import shlex
from dataclasses import asdict, dataclass, field, fields

SCHEDULES = ("constant", "cosine", "onecycle")
TRANSFER = "transfer"      # the --arch of a run that fine-tunes a stored model (--finetune)


@dataclass(frozen=True)
class Form:
    """How the Trainer's form shows a field: its session key, its label (and help) as catalogue
    keys, and the part of the field's bounds the widget offers (lo, hi, step) or its stops
    (options: a select slider). keep: a preset leaves the field as the user set it."""
    key: str
    label: str
    help: str | None = None
    lo: float | None = None
    hi: float | None = None
    step: float | None = None
    options: tuple | None = None
    keep: bool = False


def setting(default, help: str = "", *, type=None, lo=None, hi=None, lo_open=False,
            hi_open=False, choices=None, metavar=None, flag: bool = True, form: Form | None = None):
    """A TrainConfig field with what the CLI flag, the form and check() need to know about it:
    its help, value type (for an optional value), bounds (closed unless *_open), choices and
    how the Trainer's form shows it (None: not in the form's generated part)."""
    return field(default=default, metadata={
        "help": help, "type": type or builtins.type(default), "lo": lo, "hi": hi,
        "lo_open": lo_open, "hi_open": hi_open, "choices": choices, "metavar": metavar,
        "flag": flag, "form": form})


@dataclass
class TrainConfig:
    """One training run's settings: the only place their defaults, bounds and help live. The
    CLI's `train` flags are made from these fields (cnnweb.__main__), and check() validates
    them for the CLI and the Trainer alike."""
    arch: str = setting(None, "required unless --preset or --finetune gives it; a zoo name or stack:<code> "
                        "(the Explainer's layer code, e.g. stack:conv-k3-f32_max-k2-s2_flatten-"
                        "d64)", type=str)
    dataset: str = setting(None, "mnist, cifar10, a kept dataset of your own pictures, or a "
                           "folder / .zip of class folders (checked and kept under data/ first)",
                           type=str, metavar="NAME_OR_PATH")
    epochs: int = setting(5, lo=1, hi=1000, form=Form("tr_epochs", "tr.epochs", hi=200))
    batch_size: int = setting(64, lo=1, form=Form("tr_batch", "tr.batch",
                                                  options=(16, 32, 64, 128, 256, 512)))
    lr: float = setting(1e-3, lo=0, hi=10, lo_open=True, form=Form("tr_lr", "tr.lr", options=(
        1e-4, 3e-4, 5e-4, 1e-3, 3e-3, 6e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0)))
    optimizer: str = setting("adam", choices=("adam", "sgd"), form=Form("tr_opt", "tr.optimizer"))
    dropout: float | None = setting(None, "dropout rate, for architectures that have a dropout "
                                    "hyperparameter", type=float, lo=0, hi=1, hi_open=True,
                                    form=Form("tr_dropout", "tr.dropout", hi=0.8, step=0.05))
    augment: bool = setting(False, "random shifts (and horizontal flips for CIFAR-10)",
                            form=Form("tr_augment", "tr.augment", "tr.augment_help"))
    flip: bool = setting(False, "random horizontal flips only, no shifts (for pictures that "
                         "look right mirrored, like CIFAR-10's; not for digits)",
                         form=Form("tr_flip", "tr.flip", "tr.flip_help"))
    tta: bool = setting(False, "test-time augmentation: each test picture's prediction is the "
                        "average of the picture's and its mirror image's",
                        form=Form("tr_tta", "tr.tta", "tr.tta_help"))
    early_stopping: int = setting(0, "stop when validation loss has not improved for K epochs; "
                                  "keep the best", lo=0, metavar="K",
                                  form=Form("tr_es", "tr.es", "tr.es_help", hi=50))
    val_split: float = setting(0.1, lo=0, hi=1, hi_open=True,
                               form=Form("tr_val", "tr.val", hi=0.3, step=0.05))
    limit: int | None = setting(None, "use only the first N training images", type=int, lo=1,
                                 form=Form("tr_limit", "tr.limit", "tr.limit_help", lo=0,
                                           hi=60000, step=500))
    name: str | None = setting(None, "model name in the store (default: the run id)", type=str,
                                form=Form("tr_name", "tr.name", keep=True))
    schedule: str = setting("constant", "onecycle: warm up from 0 to --lr over the first 20%% "
                            "of the steps, then a cosine down to 0", choices=SCHEDULES,
                            form=Form("tr_schedule", "tr.schedule"))
    weight_decay: float = setting(0.0, "> 0: AdamW / SGD decay", lo=0, form=Form(
        "tr_wd", "tr.wd", options=(0.0, 1e-5, 1e-4, 5e-4, 1e-3, 1e-2)))
    label_smoothing: float = setting(0.0, lo=0, hi=1, hi_open=True,
                                     form=Form("tr_ls", "tr.ls", hi=0.3, step=0.05))
    seed: int = setting(0, lo=0, hi=2**32, hi_open=True,
                         form=Form("tr_seed", "tr.seed", hi=2**31 - 1, keep=True))
    mixed_precision: bool = setting(False, "float16 compute on a GPU, bfloat16 on a "
                                    "CPU with AMX (a recent Intel Xeon)",
                                    form=Form("tr_mp", "tr.mp", keep=True))
    owner: str = setting("", "display name of the student this run belongs to (class server)",
                         metavar="NAME")
    data_path: str | None = setting(None, "dataset file or folder (default: the search "
                                    "described in data.py)", type=str, metavar="PATH")
    finetune: str | None = setting(None, "transfer learning: reuse this stored model's "
                                   "convolutional base, frozen, under a new head for the "
                                   "dataset's classes", type=str, metavar="MODEL")
    finetune_epochs: int = setting(0, "with --finetune: N more epochs with the base unfrozen at "
                                   "a tenth of --lr", lo=0, hi=1000, metavar="N")

    def check(self) -> None:
        """ValueError with a sentence for any bad value (the CLI turns it into exit code 2)."""
        for f in fields(self):
            if (msg := out_of_bounds(f, getattr(self, f.name))) is not None:
                raise ValueError(msg)
        from cnnweb import data

        data.info(self.dataset)
        rules = [
            (len(self.owner) <= 64 and self.owner.isprintable(),
             "--owner must be at most 64 printable characters"),
            (not (self.early_stopping and self.val_split == 0),
             "--early-stopping needs validation data: set --val-split above 0"),
            (not self.limit or validation_count(self.limit, self.val_split) < self.limit,
             f"--val-split {self.val_split} of --limit {self.limit} images leaves none to train on"),
            (not self.finetune_epochs or self.finetune,
             "--finetune-epochs needs --finetune MODEL"),
            ((self.arch == TRANSFER) == bool(self.finetune),
             f"--arch {TRANSFER} goes with --finetune MODEL (and --finetune with no other --arch)"),
        ]
        for ok, msg in rules:
            if not ok:
                raise ValueError(msg)

    def hyperparams(self) -> dict:
        return {k: v for k, v in asdict(self).items()
                if k not in ("arch", "dataset", "name", "data_path", "owner")}

    def argv(self) -> list[str]:
        """The command-line flags that reproduce this run (without --name / --run-dir)."""
        out = ["--arch", self.arch, "--dataset", self.dataset]
        defaults = TrainConfig(self.arch, self.dataset)
        for f in fields(self):
            if f.name in ("arch", "dataset", "name"):
                continue
            v = getattr(self, f.name)
            if isinstance(v, bool):
                if v:
                    out.append(flag(f.name))
            elif v is not None and (f.name in ("epochs", "batch_size", "lr", "seed")
                                    or v != getattr(defaults, f.name)):
                out += [flag(f.name), repr(v) if isinstance(v, float) else str(v)]
        return out

    def command(self) -> str:
        return shlex.join(["python", "-m", "cnnweb", "train", *self.argv()])


def form_fields() -> list:
    """The TrainConfig fields the Trainer's form draws from their metadata, in field order."""
    return [f for f in fields(TrainConfig) if f.metadata["form"]]


def form_default(f):
    """A field's value in the form: its default, or the widget's empty value (0, 0.0, "") when
    the default is None (all training images, no name, the architecture's own dropout)."""
    return f.default if f.default is not None else f.metadata["type"]()


def form_bounds(f) -> tuple:
    """The (low, high) a form widget offers, in the field's type: the form's own range where it
    narrows the field's bounds (epochs up to 200 on the page, up to 1000 on the CLI)."""
    m, form = f.metadata, f.metadata["form"]
    lo = form.lo if form.lo is not None else m["lo"]
    hi = form.hi if form.hi is not None else m["hi"]
    return tuple(None if v is None else m["type"](v) for v in (lo, hi))


def from_form(values) -> dict:
    """TrainConfig keyword arguments from the form's values by field name: each cast to its
    field's type, text stripped, and an optional field's empty value (limit 0, name "") as None."""
    out = {}
    for f in form_fields():
        v = f.metadata["type"](values[f.name])
        v = v.strip() if isinstance(v, str) else v
        out[f.name] = None if f.default is None and not v else v
    return out


def preset_form(preset: dict) -> dict:
    """The form's values a preset sets, by field name: what it names, the rest back to their
    defaults, except the fields the form keeps (seed, mixed precision, the model's name) where
    the preset does not name them."""
    return {f.name: preset.get(f.name, form_default(f)) for f in form_fields()
            if f.name in preset or not f.metadata["form"].keep}


def flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def bounds_text(f) -> str:
    """ "default 5, 1 to 1000" for a field's help ("" for a flag or an unbounded text)."""
    m = f.metadata
    if m["type"] is bool or m["choices"]:
        return ""
    out = [] if f.default in (None, "") else [f"default {f.default}"]
    lo, hi = m["lo"], m["hi"]
    if lo is not None and hi is not None:
        out.append(f"{'>' if m['lo_open'] else '≥'} {lo} and {'<' if m['hi_open'] else '≤'} {hi}")
    elif lo is not None:
        out.append(f"{'>' if m['lo_open'] else '≥'} {lo}")
    return ", ".join(out).replace("%", "%%")


def out_of_bounds(f, v) -> str | None:
    """The sentence for a value outside its field's choices or bounds, else None. Bounds with
    an open end, and float fields, are written as an interval: "--lr must be in (0, 10]"."""
    m = f.metadata
    if v is None or isinstance(v, bool):
        return None
    if m["choices"] and v not in m["choices"]:
        return f"{flag(f.name)} must be one of {', '.join(m['choices'])}, got {v}"
    lo, hi = m["lo"], m["hi"]
    if lo is None and hi is None:
        return None
    if isinstance(v, float) and not math.isfinite(v):
        bad = True
    else:
        bad = ((lo is not None and (v <= lo if m["lo_open"] else v < lo))
               or (hi is not None and (v >= hi if m["hi_open"] else v > hi)))
    if not bad:
        return None
    if m["lo_open"] or m["hi_open"] or m["type"] is float:
        low = "(" if m["lo_open"] else "["
        high = ")" if m["hi_open"] else "]"
        span = f"{low}{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}{high}"
        return f"{flag(f.name)} must be in {span}, got {v}"
    if lo is not None and v < lo:
        return f"{flag(f.name)} must be at least {lo}, got {v}"
    return f"{flag(f.name)} must be at most {hi}, got {v}"


# Presets that reproduce the seeds. Differences from the seeds, on purpose: 10% of the training
# images are held out for validation (seed 002 validated on the test set, which flatters it),
# and test accuracy is measured once, at the end, on the untouched test split.
def validation_count(n: int, frac: float) -> int:
    """How many of n images split_validation holds out: round(n * frac), at least 1 if frac > 0."""
    n_val = round(n * frac)
    return 1 if frac > 0 and n_val == 0 else n_val


