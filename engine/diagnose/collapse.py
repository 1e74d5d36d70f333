"""Collapse: samples that cover too little of the data, and a posterior that ignores its input.

``mode_collapse``: sample diversity (mean pairwise distance among samples) against held-out
diversity, judged in the feature space for images (pixels reported too) and in coordinates for points; for labelled images the spread of the classes a
classifier trained on the data predicts for samples; for 2D points the share of the data's mass
(clusters of held-out points) that samples cover.

``posterior_collapse`` (families that declare the ``posterior`` capability): active latent units
(Burda et al., 2016: a unit is active when its posterior mean varies across inputs, Cov_x E_q[z_u] >
0.01) and the KL divergence to the prior per latent dimension, on held-out data.
"""

from __future__ import annotations

import math

import torch

from engine.data.spec import Dataset
from engine.diagnose.features import Embedding
from engine.diagnose.finding import Finding
from engine.i18n import QT_TRANSLATE_NOOP, joined, message

DIVERSITY_ALARM = 0.5        # samples half as spread out as held-out data
COVERAGE_ALARM = 0.75        # samples reach less than 3/4 of the data's mass
CLASS_SHARE = 0.25           # a class is covered when it gets a quarter of its fair share of samples
CLUSTERS = 16
ACTIVE = 0.01                # Burda et al.'s threshold on Cov_x E_q[z_u]
KL_ALARM = 0.1               # nats, all dimensions together: the posterior is the prior
PAIRS = 256


def diversity(x: torch.Tensor) -> float:
    """Mean Euclidean distance between distinct rows (the first PAIRS rows)."""
    x = x[:PAIRS].reshape(min(PAIRS, len(x)), -1).float()
    n = len(x)
    if n < 2:
        return 0.0
    return float(torch.cdist(x, x).sum() / (n * (n - 1)))


def kmeans(x: torch.Tensor, k: int, iters: int = 25, seed: int = 0) -> torch.Tensor:
    """Centres of ``k`` clusters (k-means++ seeding from a fixed generator, then Lloyd steps)."""
    gen = torch.Generator().manual_seed(seed)
    x = x.float()
    centres = [x[torch.randint(0, len(x), (1,), generator=gen)].squeeze(0)]
    for _ in range(1, k):
        d = torch.cdist(x, torch.stack(centres)).min(1).values.pow(2)
        centres.append(x[torch.multinomial(d / d.sum(), 1, generator=gen)].squeeze(0))
    c = torch.stack(centres)
    for _ in range(iters):
        assign = torch.cdist(x, c).argmin(1)
        for j in range(k):
            members = x[assign == j]
            if len(members):
                c[j] = members.mean(0)
    return c


def mode_collapse(samples: torch.Tensor, ds: Dataset, emb: Embedding | None) -> Finding:
    held = ds.x_test[:2000]
    div_s, div_h = diversity(samples), diversity(held)
    ratio = div_s / max(div_h, 1e-12)
    space = "coordinates" if ds.spec.kind == "points" else "pixels"
    evidence = {"samples": len(samples), f"diversity_ratio_{space}": ratio,
                f"sample_diversity_{space}": div_s, f"held_out_diversity_{space}": div_h}
    findings = []
    low = ratio
    if emb is not None:
        # Judged in the feature space where there is one: a blurry (averaging) decoder is less diverse
        # in pixels without covering less of the data.
        low = diversity(emb.features(samples)) / max(diversity(emb.features(held)), 1e-12)
        evidence["diversity_ratio_features"] = low
    alarm = low < DIVERSITY_ALARM
    if alarm:
        findings.append(_as_diverse(low))
    probs = emb.classify(samples) if emb is not None else None
    if probs is not None:
        k = probs.shape[1]
        share = torch.bincount(probs.argmax(1), minlength=k).float() / len(samples)
        covered = int((share >= CLASS_SHARE / k).sum())
        entropy = float(-(share[share > 0] * share[share > 0].log()).sum()) / math.log(k)
        evidence.update(classes=k, classes_covered=covered, class_entropy=entropy,
                        class_shares=[float(s) for s in share], classifier_accuracy=emb.accuracy)
        if covered < math.ceil(0.6 * k):
            alarm = True
            findings.append(message(QT_TRANSLATE_NOOP("engine", "samples fall in {covered} of {classes} classes"),
                                    covered=covered, classes=k))
    if ds.spec.kind == "points" and len(held) >= 4 * CLUSTERS:
        centres = kmeans(held, CLUSTERS)
        p = torch.bincount(torch.cdist(held.float(), centres).argmin(1), minlength=CLUSTERS).float() / len(held)
        q = torch.bincount(torch.cdist(samples.float(), centres).argmin(1), minlength=CLUSTERS).float() / len(samples)
        covered = q >= CLASS_SHARE * p
        coverage = float(p[covered].sum())
        evidence.update(clusters=CLUSTERS, clusters_covered=int(covered.sum()), mass_covered=coverage)
        if coverage < COVERAGE_ALARM:
            alarm = True
            findings.append(message(QT_TRANSLATE_NOOP(
                "engine", "samples reach {share:.0%} of the data's mass ({covered} of {regions} regions)"),
                share=coverage, covered=int(covered.sum()), regions=CLUSTERS))
    saw = joined(findings) if findings else _as_diverse(low)
    advice = message(QT_TRANSLATE_NOOP(
        "engine", "Samples cover too little of the data: for an adversarial model slow the discriminator or add "
                  "a gradient penalty, otherwise train longer or lower the learning rate; check the data is shuffled.")
        if alarm else QT_TRANSLATE_NOOP(
            "engine", "None needed; diversity under half of the held-out data's would mean collapse."))
    return Finding("mode_collapse", alarm, saw, evidence, advice)


def _as_diverse(ratio: float):
    return message(QT_TRANSLATE_NOOP("engine", "samples are {ratio:.2f} times as diverse as held-out data"),
                   ratio=ratio)


def posterior_collapse(model, ds: Dataset) -> Finding:
    if len(ds.x_test) < 10:
        return Finding("posterior_collapse", False, message(QT_TRANSLATE_NOOP(
            "engine", "only {held_out} held-out examples: too few to measure how the code varies"),
            held_out=len(ds.x_test)), {"held_out": len(ds.x_test)},
            message(QT_TRANSLATE_NOOP("engine", "Keep at least {needed} examples out of training."), needed=10))
    x = ds.x_test[:1000].to(model.device)
    y = ds.y_test[:1000].to(model.device) if model.conditional and ds.y_test is not None else None
    mean, std = model.posterior_stats(x, y)
    mean, std = mean.double().cpu(), std.double().cpu()
    activity = mean.var(0)
    kl = (0.5 * (mean.pow(2) + std.pow(2) - 1.0 - 2 * std.clamp_min(1e-12).log())).mean(0)
    active = int((activity > ACTIVE).sum())
    total = float(kl.sum())
    dims = mean.shape[1]
    alarm = active == 0 or total < KL_ALARM
    evidence = {"latent_dims": dims, "active_units": active, "kl_total_nats": total,
                "kl_per_dim_nats": [float(v) for v in kl], "activity_per_dim": [float(v) for v in activity],
                "threshold": ACTIVE}
    saw = message(QT_TRANSLATE_NOOP(
        "engine", "{active} of {dims} latent units are active; KL to the prior {kl:.3f} nats in all: the decoder "
                  "ignores the code") if alarm else QT_TRANSLATE_NOOP(
        "engine", "{active} of {dims} latent units are active; KL to the prior {kl:.3f} nats in all"),
        active=active, dims=dims, kl=total)
    advice = message(QT_TRANSLATE_NOOP(
        "engine", "The posterior equals the prior: lower the weight of the KL term, warm it up over longer, or "
                  "weaken the decoder so it must use the code.") if alarm else QT_TRANSLATE_NOOP(
        "engine", "None needed; no active unit (or KL under 0.1 nats) would mean posterior collapse."))
    return Finding("posterior_collapse", alarm, saw, evidence, advice)
