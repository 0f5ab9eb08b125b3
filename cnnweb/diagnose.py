"""Verdicts on a training history: overfitting, underfitting, divergence, or fine, in words.

Pure Python; no TensorFlow, no streamlit. Input is the per-epoch history (a list of dicts with
loss, accuracy, val_loss, val_accuracy, or a dict of such lists). The remedies are the ones
seed 002 lists (more data / augmentation, dropout, a smaller model, early stopping, weight
decay, a lower learning rate) made concrete for this run's settings.
"""

from __future__ import annotations

import math

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


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def remedies_for_overfitting(best_epoch: int, best_val_loss: float, hp: dict,
                             has_batchnorm: bool | None, n_train: int | None,
                             is_sample: bool, last_epoch: int | None = None) -> list[str]:
    """Concrete next steps, most effective first, skipping what this run already does."""
    out = []
    if last_epoch is None or best_epoch < last_epoch:
        out.append(f"Early stopping: the best model was at epoch {best_epoch} (validation loss "
                   f"{best_val_loss:.3f}); train for {best_epoch} epochs, or turn on early "
                   f"stopping with patience 2 so the weights of the best epoch are kept.")
    p = hp.get("dropout")
    if not p:
        out.append("Dropout: add dropout (e.g. 0.4). In seed 002, Dropout(0.4) plus 15 epochs "
                   "lifted CIFAR-10 test accuracy from 71.17% to 73.29%.")
    elif p < 0.6:
        out.append(f"Dropout: raise it from {p:g} to {min(round(p + 0.2, 2), 0.6):g}.")
    if not hp.get("augment"):
        out.append("Data augmentation: turn it on (random shifts, and flips for CIFAR-10), so "
                   "the model never sees exactly the same image twice.")
    if hp.get("limit") or is_sample:
        n = f"{n_train:,} " if n_train else ""
        out.append(f"More data: this run trained on only {n}images"
                   + (" (the shipped sample)" if is_sample else " (--limit)")
                   + "; the full dataset is the best regulariser.")
    if not hp.get("weight_decay"):
        out.append("Weight decay: e.g. 1e-4 (AdamW) keeps the weights small.")
    if has_batchnorm is False:
        out.append("Batch normalization: an architecture with BatchNormalization (seed 004's "
                   "BN + LeakyReLU net reached 73.79% on CIFAR-10) trains more stably and "
                   "regularises a little.")
    out.append("A smaller model: fewer filters or dense units leave less room to memorise.")
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
        where = f"epoch {e}" + (f" batch {diverged['batch']}" if diverged and
                                diverged.get("batch") else "")
        out.update(verdict="diverged", began_epoch=e,
                   summary=f"Training diverged at {where}: the loss became NaN or exploded.",
                   marker={"epoch": e, "label": "diverged"})
        out["remedies"] = [
            "Lower the learning rate" + (f" (try {lr / 10:g} instead of {lr:g})" if lr else
                                         " by 10x") + ".",
            "Use an architecture with BatchNormalization, which keeps activations in range.",
            "With SGD, switch to Adam, which adapts the step size per weight."]
        return out

    if n < 2:
        out["summary"] = "Too early to judge: wait for at least two epochs."
        return out

    loss, acc = s["loss"], s["accuracy"]
    vloss, vacc = s["val_loss"], s["val_accuracy"]
    if not all(_finite(v) for v in vloss):
        out["verdict"] = "no validation"
        out["summary"] = ("No validation data, so overfitting cannot be seen: "
                          "set a validation split above 0.")
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
                   marker={"epoch": began, "label": f"overfitting from epoch {began}"})
        d = []
        if val_rising:
            d.append(f"Validation loss was lowest at epoch {best + 1} ({vloss[best]:.3f}) and rose "
                     f"to {vloss[-1]:.3f} by epoch {n}, while training loss kept falling "
                     f"({loss[best]:.3f} -> {loss[-1]:.3f}).")
        if gap:
            d.append(f"The gap between training and validation accuracy is {_pct(gap[-1])} "
                     f"(it was {_pct(gap[best])} at epoch {best + 1}).")
        out["details"] = d
        out["summary"] = (f"Overfitting from epoch {began}: the model is memorising the training "
                          f"images instead of learning what generalises.")
        out["remedies"] = remedies_for_overfitting(best + 1, vloss[best], hp, has_batchnorm,
                                                   n_train, is_sample, last_epoch=n)
        return out

    low = acc[-1] is not None and acc[-1] < chance + 0.5 * (1 - chance)
    flat = n >= 3 and abs(acc[-1] - acc[-3]) / 2 < FLAT
    if low and flat:
        out.update(verdict="underfitting",
                   summary=(f"Underfitting: training accuracy is only {_pct(acc[-1])} and flat; "
                            f"the model is not learning the training images well."),
                   marker={"epoch": n, "label": "underfitting"})
        out["details"] = [f"Validation accuracy {_pct(vacc[-1])}; chance is {_pct(chance)}."]
        rem = [("Train longer, or with a learning rate that moves (with SGD try 0.01-0.1; "
               "with Adam 1e-3).")]
        if hp.get("dropout"):
            rem.append(f"Less regularisation: lower dropout from {hp['dropout']:g}.")
        if hp.get("weight_decay"):
            rem.append("Less regularisation: lower or remove the weight decay.")
        rem.append("A bigger model: more filters or another conv block.")
        if has_batchnorm is False:
            rem.append("Batch normalization helps deeper nets train at all.")
        out["remedies"] = rem
        return out

    still = vloss[-1] <= min(vloss) + 1e-12 and n >= 2 and vloss[-1] < vloss[-2]
    if still:
        out.update(verdict="learning",
                   summary=(f"Still improving: validation loss is at its lowest so far "
                            f"({vloss[-1]:.3f}) after epoch {n}; no sign of overfitting yet."),
                   remedies=[("More epochs would probably help; watch for validation loss "
                             "turning up.")])
    else:
        out.update(verdict="good",
                   summary=(f"No clear overfitting: validation loss is lowest at epoch {best + 1} "
                            f"and has not risen meaningfully since."),
                   remedies=[(f"Epoch {best + 1} had the best validation loss; early stopping "
                             f"there would keep that model.")])
    if gap:
        out["details"] = [f"Train/validation accuracy gap: {_pct(gap[-1])}."]
    return out


def _gap_start(gap: list[float]) -> int:
    """1-based epoch from which the train/val accuracy gap stayed above GAP_START."""
    began = len(gap)
    for i in range(len(gap) - 1, -1, -1):
        if gap[i] <= GAP_START:
            break
        began = i + 1
    return began
