"""What the training records and the critic say: saturation, gradients, a loss that stopped moving.

``discriminator_saturation`` (families with a ``critic``): how well the critic tells held-out data
from samples, as the area under its ROC curve (rank-based, so any score scale works). Near 1 the
critic wins outright and the generator learns from gradients that vanish or point nowhere.

``gradients``: the total gradient norm each optimiser's step measured (the loop logs
``grad_norm_<name>`` beside the losses in ``metrics.jsonl``): exploding (non-finite, a spike a
thousand times the run's median, or grown a hundredfold over the run) or vanishing (shrunk to a ten-thousandth, or below 1e-6).

``loss_plateau`` (families that minimise one loss, i.e. without training phases): the loss over the
run against its own noise: never moving beyond its noise, or rising over the second half.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from engine.diagnose.finding import Finding
from engine.i18n import QT_TRANSLATE_NOOP, joined, message

AUC_ALARM = 0.95
GROWTH_ALARM = 100.0
SPIKE_ALARM = 1000.0
SHRINK_ALARM = 1e-4
VANISHED = 1e-6
NONE_NEEDED = message(QT_TRANSLATE_NOOP("engine", "None needed."))


def auc(pos: torch.Tensor, neg: torch.Tensor) -> float:
    """P(score of a random positive > score of a random negative), ties counted half."""
    s = torch.cat([pos, neg]).double()
    ranks = torch.empty_like(s)
    order = s.argsort()
    ranks[order] = torch.arange(1, len(s) + 1, dtype=torch.float64)
    for v in torch.unique(s):                     # average ranks of ties
        tie = s == v
        if int(tie.sum()) > 1:
            ranks[tie] = ranks[tie].mean()
    n_pos, n_neg = len(pos), len(neg)
    return float((ranks[:n_pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def discriminator_saturation(model, held: torch.Tensor, samples: torch.Tensor) -> Finding:
    real = model.critic(held.to(model.device)).flatten().cpu()
    fake = model.critic(samples.to(model.device)).flatten().cpu()
    a = auc(real, fake)
    alarm = a >= AUC_ALARM
    evidence = {"auc_real_vs_samples": a, "critic_real_mean": float(real.mean()),
                "critic_samples_mean": float(fake.mean()), "critic": model.critic_label(),
                "real": len(real), "samples": len(fake)}
    saw = message(QT_TRANSLATE_NOOP("engine", "the critic tells held-out data from samples with AUC {auc:.3f} (it has won)")
                  if alarm else QT_TRANSLATE_NOOP("engine", "the critic tells held-out data from samples with AUC {auc:.3f}"),
                  auc=a)
    advice = message(QT_TRANSLATE_NOOP(
        "engine", "The critic separates real from generated almost perfectly: lower its learning rate, add a "
                  "gradient penalty or spectral normalisation, or give the generator more steps.") if alarm else
        QT_TRANSLATE_NOOP("engine", "None needed; an AUC of {auc} or more would mean the critic saturated."),
        auc=AUC_ALARM)
    return Finding("discriminator_saturation", alarm, saw, evidence, advice)


def _train_records(records: list[dict]) -> list[dict]:
    return [r for r in records if r.get("event") == "train"]


def gradients(records: list[dict]) -> Finding | None:
    """None when the run logged no gradient norms (runs from before they were logged)."""
    train = _train_records(records)
    keys = sorted({k for r in train for k in r if k.startswith("grad_norm_")})
    if not keys:
        return None
    evidence, problems = {}, []
    for key in keys:
        v = np.array([_num(r.get(key)) for r in train if key in r], dtype=np.float64)
        name = key[len("grad_norm_"):]
        finite = v[np.isfinite(v)]
        q = max(1, len(v) // 4)
        early = float(np.median(v[:q][np.isfinite(v[:q])])) if np.isfinite(v[:q]).any() else math.nan
        late = float(np.median(v[-q:][np.isfinite(v[-q:])])) if np.isfinite(v[-q:]).any() else math.nan
        evidence[name] = {"records": len(v), "first": _first(v), "early_median": early, "late_median": late,
                          "max": float(finite.max()) if len(finite) else None, "non_finite": int((~np.isfinite(v)).sum())}
        median = float(np.median(finite)) if len(finite) else math.nan
        evidence[name]["median"] = median
        if (~np.isfinite(v)).any():
            problems.append(message(QT_TRANSLATE_NOOP("engine", "{name}: non-finite gradient norm"), name=name))
        elif median > 0 and float(finite.max()) / median >= SPIKE_ALARM:
            problems.append(message(QT_TRANSLATE_NOOP(
                "engine", "{name}: gradient norm spiked to {peak:.3g}, {times:.3g} times its median (exploding)"),
                name=name, peak=float(finite.max()), times=float(finite.max()) / median))
        elif early > 0 and late / early >= GROWTH_ALARM:
            problems.append(message(QT_TRANSLATE_NOOP("engine", "{name}: gradient norm grew {times:.3g} times (exploding)"),
                                    name=name, times=late / early))
        elif late < VANISHED or (early > 0 and late / early <= SHRINK_ALARM):
            problems.append(message(QT_TRANSLATE_NOOP("engine", "{name}: gradient norm fell to {late:.3g} (vanishing)"),
                                    name=name, late=late))
    alarm = bool(problems)
    saw = joined(problems) if alarm else message(QT_TRANSLATE_NOOP(
        "engine", "gradient norms stayed within a hundredfold of where they started"))
    advice = message(QT_TRANSLATE_NOOP(
        "engine", "Exploding: lower the learning rate or set train.grad_clip; vanishing: the network stopped "
                  "learning (dead units or a saturated critic): lower the learning rate and restart from an earlier "
                  "checkpoint.") if alarm else NONE_NEEDED)
    return Finding("gradients", alarm, saw, evidence, advice)


def loss_plateau(records: list[dict], minimised: bool = True, value=None) -> Finding | None:
    """None when the family's loss is not minimised (adversarial players) or there are too few records.
    ``value(record)``: the number to follow (the family's ``plateau_value``; default the loss)."""
    if not minimised:
        return None
    value = value or (lambda r: r.get("loss"))
    v = np.array([_num(value(r)) for r in _train_records(records)], dtype=np.float64)
    if len(v) < 8:
        return None
    if not np.isfinite(v).all():
        return Finding("loss_plateau", True, message(QT_TRANSLATE_NOOP("engine", "the loss became non-finite")),
                       {"records": len(v)}, message(QT_TRANSLATE_NOOP(
                           "engine", "Lower the learning rate or clip gradients (train.grad_clip).")))
    q = max(2, len(v) // 5)
    first, last = v[:q], v[-q:]
    mid = v[len(v) // 2 - q // 2: len(v) // 2 - q // 2 + q]
    # The noise of one record, from the spread of record-to-record changes (robust to a trend and spikes).
    d = np.diff(v)
    noise = 1.4826 * float(np.median(np.abs(d - np.median(d)))) / math.sqrt(2) + 1e-12
    se = noise / math.sqrt(q)                      # of the mean of q records
    progress = float(first.mean() - last.mean())
    second_half = float(mid.mean() - last.mean())
    # Stuck: the loss's means over the run's fifths stay within noise of each other (a warm-up that
    # makes the loss rise before it falls still counts as moving).
    fifths = [float(c.mean()) for c in np.array_split(v, 5)]
    stuck = max(fifths) - min(fifths) < 4 * noise / math.sqrt(len(v) / 5) and abs(progress) < 3 * se
    rising = second_half < -4 * se
    evidence = {"records": len(v), "first_mean": float(first.mean()), "middle_mean": float(mid.mean()),
                "last_mean": float(last.mean()), "noise_se": se, "progress": progress, "fifths": fifths,
                "second_half_progress": second_half}
    values = {"first": float(first.mean()), "middle": float(mid.mean()), "last": float(last.mean()), "noise": se}
    if stuck:
        template = QT_TRANSLATE_NOOP("engine", "the loss did not move over the run ({first:.4g} -> {last:.4g}, "
                                               "noise {noise:.2g})")
    elif rising:
        template = QT_TRANSLATE_NOOP("engine", "the loss rose over the second half ({middle:.4g} -> {last:.4g})")
    elif second_half < 3 * se:
        template = QT_TRANSLATE_NOOP("engine", "the loss went from {first:.4g} to {last:.4g} and has settled over "
                                               "the second half")
    else:
        template = QT_TRANSLATE_NOOP("engine", "the loss went from {first:.4g} to {last:.4g}")
    saw = message(template, **values)
    alarm = stuck or rising
    advice = message(QT_TRANSLATE_NOOP(
        "engine", "The loss is not going down: check the learning rate (too small: nothing moves; too large: it "
                  "bounces), and that the model is large enough for the data.")) if alarm else NONE_NEEDED
    return Finding("loss_plateau", alarm, saw, evidence, advice)


def _num(v) -> float:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else math.nan


def _first(v: np.ndarray):
    return float(v[0]) if len(v) else None
