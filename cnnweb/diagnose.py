"""Verdicts on a training history: overfitting, underfitting, divergence, or fine, in words.

Pure Python; no TensorFlow, no streamlit. Input is the per-epoch history (a list of dicts with
loss, accuracy, val_loss, val_accuracy, or a dict of such lists). Only whole epochs count: a row
marked "partial" (a run stopped mid-epoch writes one) is left out, because its training numbers
cover part of the data. Overfitting needs a clear, sustained signal (the thresholds below, also
written out in the text shown); anything weaker is "not clear yet". The remedies are the ones
seed 002 lists (more data / augmentation, dropout, a smaller model, early stopping, weight
decay, a lower learning rate) made concrete for this run's settings. Every sentence is an i18n.Msg: English text that also
carries its catalogue key ("diag.*"), so a page can show it in the reader's language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cnnweb.i18n import Msg

# thresholds, in one place so that the tests, the page and its words agree. Overfitting is
# called when
#   (a) after its best epoch, validation loss stayed at least VAL_RISE above that best for
#       SUSTAIN whole epochs in a row, training loss ended at least TRAIN_FALL below its value
#       at the best epoch and training accuracy ends at least GAP_MIN above validation
#       accuracy, or
#   (b) the train-val accuracy gap was at least BIG_GAP in each of the last SUSTAIN whole
#       epochs (and grew by GAP_GROWTH overall).
VAL_RISE = 0.02        # val loss 2% above its minimum
SUSTAIN = 2            # ... in 2 consecutive whole epochs
GAP_MIN = 0.03         # ... with train accuracy 3 points above val accuracy
TRAIN_FALL = 0.02      # train loss this fraction below its value at the best epoch = still falling
GAP_GROWTH = 0.02      # train-val accuracy gap grew by this much since its smallest
BIG_GAP = 0.10         # a train-val accuracy gap this large, sustained, is overfitting on its own
FLAT = 0.01            # accuracy change per epoch below this is "flat"
GAP_START = 0.05       # overfitting by the gap "began" when the gap rose above this for good


def _series(history) -> dict[str, list[float | None]]:
    if isinstance(history, dict):
        return {k: list(history.get(k) or []) for k in
                ("loss", "accuracy", "val_loss", "val_accuracy")}
    return {k: [h.get(k) for h in history] for k in ("loss", "accuracy", "val_loss", "val_accuracy")}


def whole_epochs(history):
    """The history without rows marked "partial" (epoch rows of cnnweb.train), and the 1-based
    epoch of the partial one left out (None if there was none)."""
    if isinstance(history, dict):
        return history, None
    rows = list(history)
    partial = [i for i, h in enumerate(rows) if h.get("partial")]
    cut = next(iter(partial), None)
    return [h for h in rows if not h.get("partial")], (
        None if cut is None else rows[cut].get("epoch") or cut + 1)


def rule() -> Msg:
    """The overfitting rule in words, with the numbers the code uses."""
    return Msg("diag.rule", rise=VAL_RISE, k=SUSTAIN, gap=100 * GAP_MIN, big=100 * BIG_GAP)


def _longest_run(flags: list[bool]) -> int:
    """The longest stretch of True in a row."""
    best = n = 0
    for f in flags:
        n = n + 1 if f else 0
        best = max(best, n)
    return best


def _run_length(flags: list[bool]) -> int:
    """How many of the last entries are True in a row."""
    n = 0
    for f in reversed(flags):
        if not f:
            break
        n += 1
    return n


def _finite(x) -> bool:
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)


def remedies_for_overfitting(best_epoch: int, best_val_loss: float, hp: dict,
                             has_batchnorm: bool | None, n_train: int | None,
                             is_sample: bool, last_epoch: int | None = None) -> list[str]:
    """Concrete next steps, most effective first, skipping what this run already does."""
    out = []
    if last_epoch is None or best_epoch < last_epoch:
        out.append(Msg("diag.rem.early_stopping", epoch=best_epoch, loss=best_val_loss))
    p = hp.get("dropout")
    if not p:
        out.append(Msg("diag.rem.add_dropout"))
    elif p < 0.6:
        out.append(Msg("diag.rem.raise_dropout", old=p, new=min(round(p + 0.2, 2), 0.6)))
    if not hp.get("augment"):
        out.append(Msg("diag.rem.augment"))
    if hp.get("limit") or is_sample:
        why = Msg("diag.rem.why_sample" if is_sample else "diag.rem.why_limit")
        out.append(Msg("diag.rem.more_data_n", n=n_train, why=why) if n_train else
                   Msg("diag.rem.more_data", why=why))
    if not hp.get("weight_decay"):
        out.append(Msg("diag.rem.weight_decay"))
    if has_batchnorm is False:
        out.append(Msg("diag.rem.batchnorm"))
    out.append(Msg("diag.rem.smaller"))
    return out


def diagnose(history, *, hyperparams: dict | None = None, has_batchnorm: bool | None = None,
             n_train: int | None = None, is_sample: bool = False, diverged: dict | None = None,
             n_classes: int = 10, **_ignored) -> dict:
    """{verdict, summary, details, remedies, best_epoch, began_epoch, marker}.

    verdict is one of: "not clear yet", "diverged", "overfitting", "underfitting", "learning",
    "good", "no validation". Epochs are 1-based and count whole epochs only.
    marker = {"epoch", "label"} for the chart. The checks run in this order; the first that
    applies gives the verdict.
    """
    hp = dict(hyperparams or {})
    out = {"verdict": "not clear yet", "summary": "", "details": [], "remedies": [],
           "best_epoch": None, "began_epoch": None, "marker": None}
    found = _divergence(_series(history), diverged, hp.get("lr"))  # the partial row counts
    if found:                                                       # here: NaN there is real
        return {**out, **found}
    whole, partial = whole_epochs(history)
    s = _series(whole)
    n = len(s["loss"])
    skipped = [Msg("diag.partial_left_out", epoch=partial)] if partial else []
    if n < SUSTAIN:
        return {**out, "summary": Msg("diag.too_early", n=n, k=SUSTAIN),
                "details": [*skipped, rule()]}
    if not all(_finite(v) for v in s["val_loss"]):
        return {**out, "verdict": "no validation", "summary": Msg("diag.no_validation")}
    c = _Curves.of(s)
    out["best_epoch"] = c.best + 1
    remedy_args = (hp, has_batchnorm, n_train, is_sample)
    for check in (_overfitting, _not_clear, _underfitting):
        found = check(c, skipped, remedy_args, 1.0 / n_classes)
        if found:
            return {**out, **found}
    return {**out, **_steady(c, skipped)}


def _divergence(s, diverged: dict | None, lr) -> dict | None:
    """A non-finite training loss (or the monitor's report of one) is divergence."""
    bad = next((i for i, v in enumerate(s["loss"]) if v is not None and not _finite(v)), None)
    if not diverged and bad is None:
        return None
    e = (diverged or {}).get("epoch") or (bad + 1)
    batch = diverged.get("batch") if diverged else None
    return {"verdict": "diverged", "began_epoch": e,
            "summary": (Msg("diag.diverged_batch", epoch=e, batch=batch) if batch else
                        Msg("diag.diverged", epoch=e)),
            "marker": {"epoch": e, "label": Msg("diag.verdict.diverged")},
            "remedies": [Msg("diag.rem.lower_lr", new=lr / 10, old=lr) if lr else
                         Msg("diag.rem.lower_lr_10x"), Msg("diag.rem.use_bn"),
                         Msg("diag.rem.adam")]}


@dataclass
class _Curves:
    """Whole-epoch curves and what the rules read from them (indices 0-based)."""
    loss: list
    acc: list
    vloss: list
    vacc: list
    best: int                  # epoch of the lowest validation loss
    gap: list | None           # train minus validation accuracy, None without accuracies
    above: list                # val loss at least VAL_RISE above its best, per epoch
    val_rising: bool           # rule (a)
    big_gap: bool              # rule (b)

    @classmethod
    def of(cls, s) -> _Curves:
        loss, acc, vloss, vacc = s["loss"], s["accuracy"], s["val_loss"], s["val_accuracy"]
        best = min(range(len(vloss)), key=lambda i: vloss[i])
        gap = [a - v for a, v in zip(acc, vacc)] if all(_finite(a) for a in acc + vacc) else None
        above = [v >= vloss[best] * (1 + VAL_RISE) and v > vloss[best] for v in vloss]
        train_falling = loss[-1] < loss[best] * (1 - TRAIN_FALL)
        gap_ok = gap[-1] >= GAP_MIN if gap else train_falling
        val_rising = _longest_run(above[best + 1:]) >= SUSTAIN and train_falling and gap_ok
        big_run = _run_length([g >= BIG_GAP for g in gap]) if gap else 0
        big_gap = big_run >= SUSTAIN and gap[-1] - min(gap) > GAP_GROWTH
        return cls(loss, acc, vloss, vacc, best, gap, above, val_rising, big_gap)


def _overfitting(c: _Curves, skipped, remedy_args, chance) -> dict | None:
    if not (c.val_rising or c.big_gap):
        return None
    best, n = c.best, len(c.loss)
    began = best + 2 if c.val_rising else _gap_start(c.gap)
    d = []
    if c.val_rising:
        d.append(Msg("diag.val_rose", best=best + 1, best_loss=c.vloss[best],
                     last_loss=c.vloss[-1], n=n, train_best=c.loss[best], train_last=c.loss[-1]))
    if c.gap:
        d.append(Msg("diag.gap_grew", gap=c.gap[-1], gap_best=c.gap[best], best=best + 1))
    return {"verdict": "overfitting", "began_epoch": began,
            "marker": {"epoch": began, "label": Msg("diag.marker_overfit", epoch=began)},
            "details": [*d, *skipped, rule()], "summary": Msg("diag.overfitting", epoch=began),
            "remedies": remedies_for_overfitting(best + 1, c.vloss[best], *remedy_args,
                                                 last_epoch=n)}


def _not_clear(c: _Curves, skipped, remedy_args, chance) -> dict | None:
    """A rise or a big gap that is not (yet) sustained: a hint, not a signal."""
    if not (c.above[-1] or (c.gap and c.gap[-1] >= BIG_GAP)):
        return None
    vbest = c.vloss[c.best]
    return {"verdict": "not clear yet",
            "summary": Msg("diag.not_clear", n=len(c.loss), best=c.best + 1,
                           rise=c.vloss[-1] / vbest - 1 if vbest > 0 else 0.0,
                           gap=100 * c.gap[-1] if c.gap else 0.0),
            "details": [*skipped, rule()], "remedies": [Msg("diag.rem.more_epochs")]}


def _underfitting(c: _Curves, skipped, remedy_args, chance) -> dict | None:
    """Training accuracy low (under half-way from chance to 100%) and flat for two epochs."""
    n, acc = len(c.loss), c.acc
    low = acc[-1] is not None and acc[-1] < chance + 0.5 * (1 - chance)
    flat = n >= 3 and abs(acc[-1] - acc[-3]) / 2 < FLAT
    if not (low and flat):
        return None
    hp, has_batchnorm = remedy_args[0], remedy_args[1]
    rem = [Msg("diag.rem.train_longer")]
    if hp.get("dropout"):
        rem.append(Msg("diag.rem.less_dropout", p=hp["dropout"]))
    if hp.get("weight_decay"):
        rem.append(Msg("diag.rem.less_wd"))
    rem.append(Msg("diag.rem.bigger"))
    if has_batchnorm is False:
        rem.append(Msg("diag.rem.bn_deeper"))
    return {"verdict": "underfitting", "summary": Msg("diag.underfitting", acc=acc[-1]),
            "marker": {"epoch": n, "label": Msg("diag.verdict.underfitting")},
            "details": [Msg("diag.val_vs_chance", acc=c.vacc[-1], chance=chance)],
            "remedies": rem}


def _steady(c: _Curves, skipped) -> dict:
    """Still improving ("learning") or past its best without overfitting ("good")."""
    n, vloss = len(c.loss), c.vloss
    if vloss[-1] <= min(vloss) + 1e-12 and n >= 2 and vloss[-1] < vloss[-2]:
        out = {"verdict": "learning", "summary": Msg("diag.learning", loss=vloss[-1], n=n),
               "remedies": [Msg("diag.rem.more_epochs")]}
    else:
        out = {"verdict": "good", "summary": Msg("diag.good", best=c.best + 1),
               "remedies": [Msg("diag.rem.stop_at_best", best=c.best + 1)]}
    out["details"] = ([Msg("diag.gap", gap=c.gap[-1])] if c.gap else []) + skipped
    return out


def _gap_start(gap: list[float]) -> int:
    """1-based epoch from which the train/val accuracy gap stayed above GAP_START."""
    began = len(gap)
    for i in range(len(gap) - 1, -1, -1):
        if gap[i] <= GAP_START:
            break
        began = i + 1
    return began
