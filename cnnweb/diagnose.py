"""Verdicts on a training history: overfitting, underfitting, divergence, or fine, in words.

Pure Python; no TensorFlow, no streamlit. Input is the per-epoch history (a list of dicts with
loss, accuracy, val_loss, val_accuracy, or a dict of such lists). The remedies are the ones
seed 002 lists (more data / augmentation, dropout, a smaller model, early stopping, weight
decay, a lower learning rate) made concrete for this run's settings. Every sentence is an i18n.Msg: English text that also
carries its catalogue key ("diag.*"), so a page can show it in the reader's language.
"""

from __future__ import annotations

import math

from cnnweb.i18n import Msg

# thresholds, in one place so that the tests and the page agree
VAL_RISE = 0.01        # val loss this fraction above its minimum (on average, after it) = rising
TRAIN_FALL = 0.02      # train loss this fraction below its value at the best epoch = still falling
GAP_GROWTH = 0.02      # train-val accuracy gap grew by this much since the best epoch
BIG_GAP = 0.10         # a train-val accuracy gap this large is overfitting on its own
FLAT = 0.01            # accuracy change per epoch below this is "flat"
GAP_START = 0.05       # overfitting by the gap "began" when the gap rose above this for good


def _series(history) -> dict[str, list[float | None]]:
    if isinstance(history, dict):
        return {k: list(history.get(k) or []) for k in
                ("loss", "accuracy", "val_loss", "val_accuracy")}
    return {k: [h.get(k) for h in history] for k in ("loss", "accuracy", "val_loss", "val_accuracy")}


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

    verdict is one of: "too early", "diverged", "overfitting", "underfitting", "learning",
    "good", "no validation". Epochs are 1-based. marker = {"epoch", "label"} for the chart.
    """
    hp = dict(hyperparams or {})
    s = _series(history)
    n = len(s["loss"])
    out = {"verdict": "too early", "summary": "", "details": [], "remedies": [],
           "best_epoch": None, "began_epoch": None, "marker": None}
    lr = hp.get("lr")

    bad = next((i for i, v in enumerate(s["loss"]) if v is not None and not _finite(v)), None)
    if diverged or bad is not None:
        e = (diverged or {}).get("epoch") or (bad + 1)
        batch = diverged.get("batch") if diverged else None
        out.update(verdict="diverged", began_epoch=e,
                   summary=(Msg("diag.diverged_batch", epoch=e, batch=batch) if batch else
                            Msg("diag.diverged", epoch=e)),
                   marker={"epoch": e, "label": Msg("diag.verdict.diverged")})
        out["remedies"] = [
            Msg("diag.rem.lower_lr", new=lr / 10, old=lr) if lr else Msg("diag.rem.lower_lr_10x"),
            Msg("diag.rem.use_bn"), Msg("diag.rem.adam")]
        return out

    if n < 2:
        out["summary"] = Msg("diag.too_early")
        return out

    loss, acc = s["loss"], s["accuracy"]
    vloss, vacc = s["val_loss"], s["val_accuracy"]
    if not all(_finite(v) for v in vloss):
        out["verdict"] = "no validation"
        out["summary"] = Msg("diag.no_validation")
        return out

    best = min(range(n), key=lambda i: vloss[i])          # 0-based epoch of lowest val loss
    out["best_epoch"] = best + 1
    chance = 1.0 / n_classes
    gap = [a - v for a, v in zip(acc, vacc)] if all(_finite(a) for a in acc + vacc) else None
    after = vloss[best + 1:]
    val_rising = bool(after) and (sum(after) / len(after)) > vloss[best] * (1 + VAL_RISE)
    train_falling = loss[-1] < loss[best] * (1 - TRAIN_FALL)
    gap_growth = (gap[-1] - min(gap)) if gap else 0.0
    big_gap = bool(gap) and gap[-1] > BIG_GAP and gap_growth > GAP_GROWTH

    if (val_rising and train_falling) or big_gap:
        began = best + 2 if val_rising else _gap_start(gap)
        out.update(verdict="overfitting", began_epoch=began,
                   marker={"epoch": began, "label": Msg("diag.marker_overfit", epoch=began)})
        d = []
        if val_rising:
            d.append(Msg("diag.val_rose", best=best + 1, best_loss=vloss[best],
                         last_loss=vloss[-1], n=n, train_best=loss[best], train_last=loss[-1]))
        if gap:
            d.append(Msg("diag.gap_grew", gap=gap[-1], gap_best=gap[best], best=best + 1))
        out["details"] = d
        out["summary"] = Msg("diag.overfitting", epoch=began)
        out["remedies"] = remedies_for_overfitting(best + 1, vloss[best], hp, has_batchnorm,
                                                   n_train, is_sample, last_epoch=n)
        return out

    low = acc[-1] is not None and acc[-1] < chance + 0.5 * (1 - chance)
    flat = n >= 3 and abs(acc[-1] - acc[-3]) / 2 < FLAT
    if low and flat:
        out.update(verdict="underfitting",
                   summary=Msg("diag.underfitting", acc=acc[-1]),
                   marker={"epoch": n, "label": Msg("diag.verdict.underfitting")})
        out["details"] = [Msg("diag.val_vs_chance", acc=vacc[-1], chance=chance)]
        rem = [Msg("diag.rem.train_longer")]
        if hp.get("dropout"):
            rem.append(Msg("diag.rem.less_dropout", p=hp["dropout"]))
        if hp.get("weight_decay"):
            rem.append(Msg("diag.rem.less_wd"))
        rem.append(Msg("diag.rem.bigger"))
        if has_batchnorm is False:
            rem.append(Msg("diag.rem.bn_deeper"))
        out["remedies"] = rem
        return out

    still = vloss[-1] <= min(vloss) + 1e-12 and n >= 2 and vloss[-1] < vloss[-2]
    if still:
        out.update(verdict="learning",
                   summary=Msg("diag.learning", loss=vloss[-1], n=n),
                   remedies=[Msg("diag.rem.more_epochs")])
    else:
        out.update(verdict="good",
                   summary=Msg("diag.good", best=best + 1),
                   remedies=[Msg("diag.rem.stop_at_best", best=best + 1)])
    if gap:
        out["details"] = [Msg("diag.gap", gap=gap[-1])]
    return out


def _gap_start(gap: list[float]) -> int:
    """1-based epoch from which the train/val accuracy gap stayed above GAP_START."""
    began = len(gap)
    for i in range(len(gap) - 1, -1, -1):
        if gap[i] <= GAP_START:
            break
        began = i + 1
    return began
