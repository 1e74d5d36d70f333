"""Did the model copy its training data? Nearest training examples of samples, against held-out data.

For each sample: its distance to the nearest training example and to the nearest held-out example,
and their ratio. Held-out examples are the yardstick: they come from the same distribution and were
never trained on, so how close *they* come to the training set is how close an honest sample comes.
The run-level figure is the share of samples closer to the training set than all but 5% of held-out
examples are (``share_closer``; about 0.05 for a model that does not copy, near 1 for one that
returns its training examples). Measured in pixel (or coordinate) space and, for images, in a learned
feature space (``engine.diagnose.features``), where a copy shifted by a pixel still counts as near.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from engine.data.spec import Dataset
from engine.diagnose.features import Embedding
from engine.diagnose.finding import Finding
from engine.diagnose.neighbours import nearest
from engine.i18n import QT_TRANSLATE_NOOP, joined, message

QUANTILE = 0.05          # held-out examples this close to the training set set the bar
ALARM_SHARE = 0.30       # six times the share a model that does not copy shows
MAX_TRAIN = 20_000
MAX_HELD_OUT = 1000
ADVICE = QT_TRANSLATE_NOOP("engine", "Samples sit on training examples: train on more data, stop earlier (the best "
                                    "held-out checkpoint), or use a smaller model or stronger regularisation.")
SPACE_WORDS = {"pixels": QT_TRANSLATE_NOOP("engine", "pixels"),          # the spaces distances are measured in
               "coordinates": QT_TRANSLATE_NOOP("engine", "coordinates"),
               "features": QT_TRANSLATE_NOOP("engine", "features")}


@dataclass
class Reference:
    """One space's yardstick: training and held-out rows, and the held-out examples' own distances."""

    space: str
    train: torch.Tensor
    test: torch.Tensor
    threshold: float            # the QUANTILE of held-out distances to the training set
    held_ratio_median: float    # median over held-out examples of d(train) / d(other held-out)
    held_copies: float          # share of held-out examples with an exact twin in the training set

    @classmethod
    def build(cls, space: str, train: torch.Tensor, test: torch.Tensor) -> "Reference":
        train, test = train.reshape(len(train), -1).float(), test.reshape(len(test), -1).float()
        held = test[:MAX_HELD_OUT]
        d_tr = nearest(held, train)[0][:, 0]
        d_te = nearest(held, test, exclude_self=True)[0][:, 0]
        return cls(space, train, test, float(torch.quantile(d_tr, QUANTILE)),
                   float((d_tr / d_te.clamp_min(1e-12)).median()), float((d_tr < 1e-6).float().mean()))

    def measure(self, samples: torch.Tensor, k: int = 1):
        """(distance to nearest train (n, k), train indices (n, k), distance to nearest held-out (n,))."""
        s = samples.reshape(len(samples), -1).float()
        d_tr, i_tr = nearest(s, self.train, k=k)
        d_te = nearest(s, self.test)[0][:, 0]
        return d_tr, i_tr, d_te


def references(ds: Dataset, emb: Embedding | None) -> list[Reference]:
    """The pixel (or coordinate) yardstick, and the feature one when there is an embedding."""
    train, test = ds.x_train[:MAX_TRAIN], ds.x_test
    refs = [Reference.build("pixels" if ds.spec.kind == "image" else "coordinates", train, test)]
    if emb is not None:
        refs.append(Reference.build("features", emb.features(train), emb.features(test)))
    return refs


MIN_HELD_OUT = 10


def memorization(samples: torch.Tensor, ds: Dataset, emb: Embedding | None,
                 refs: list[Reference] | None = None) -> Finding:
    if len(ds.x_test) < MIN_HELD_OUT or len(ds.x_train) < 1:
        return Finding("memorization", False, message(QT_TRANSLATE_NOOP(
            "engine", "only {held_out} held-out examples: too few to tell copies from honest samples"),
            held_out=len(ds.x_test)), {"held_out": len(ds.x_test), "needed": MIN_HELD_OUT},
            message(QT_TRANSLATE_NOOP("engine", "Keep at least {needed} examples out of training to judge copying."),
                    needed=MIN_HELD_OUT))
    refs = refs or references(ds, emb)
    evidence, alarm = {"samples": len(samples), "expected_share": QUANTILE}, False
    shares = []
    for ref in refs:
        x = samples if ref.space != "features" else emb.features(samples)
        d_tr, _, d_te = ref.measure(x)
        d_tr = d_tr[:, 0]
        share = float((d_tr < ref.threshold).float().mean())
        ratio = d_tr / d_te.clamp_min(1e-12)
        evidence[ref.space] = {
            "share_closer": share, "threshold": ref.threshold,
            "median_ratio": float(ratio.median()), "held_out_median_ratio": ref.held_ratio_median,
            "median_nearest_train": float(d_tr.median()), "held_out_exact_copies": ref.held_copies}
        shares.append((share, ref.space))
        alarm = alarm or share >= ALARM_SHARE
    if emb is not None:
        evidence["embedding"] = emb.describe()
    share, space = max(shares)
    saw = message(QT_TRANSLATE_NOOP(
        "engine", "{share:.0%} of samples are closer to a training example than {held:.0%} of held-out examples are "
                  "({space}; about {expected:.0%} expected without copying)"),
        share=share, held=1 - QUANTILE, space=message(SPACE_WORDS.get(space, space)), expected=QUANTILE)
    if any(r.held_copies > QUANTILE for r in refs):
        saw = joined([saw, message(QT_TRANSLATE_NOOP(
            "engine", "the held-out data itself has exact twins in the training set, so copies are hard to tell "
                      "apart"))])
    advice = message(ADVICE) if alarm else message(QT_TRANSLATE_NOOP(
        "engine", "None needed; a share above {share:.0%} would mean samples copy training data."), share=ALARM_SHARE)
    return Finding("memorization", alarm, saw, evidence, advice)


def verdicts(samples: torch.Tensor, ref: Reference, k: int = 3) -> list[dict]:
    """Per sample: its ``k`` nearest training examples (indices, distances), the distance to the nearest
    held-out example, the ratio and a verdict ("copy": nearer to the training set than 95% of held-out
    examples are, "novel" otherwise), for the window's click on a sample."""
    d_tr, i_tr, d_te = ref.measure(samples, k)
    out = []
    for j in range(len(samples)):
        near = float(d_tr[j, 0])
        out.append({"train_index": [int(i) for i in i_tr[j]], "train_distance": [float(d) for d in d_tr[j]],
                    "held_out_distance": float(d_te[j]), "ratio": near / max(float(d_te[j]), 1e-12),
                    "verdict": "copy" if near < ref.threshold else "novel"})
    return out
