"""A class-conditional generative model used as a classifier, by Bayes' rule.

    p(y | x) = p(x | y) p(y) / sum_y' p(x | y') p(y')

A model trained with ``conditional`` on labelled data gives log p(x | y) for any label y (exactly, or
as a bound, as its ``likelihood_kind`` says). Scoring every test example under every class, adding
log p(y) (the training set's class frequencies) and taking the largest is a classifier that no one
trained to classify. Its accuracy on the held-out set, and the examples it gets wrong, say how much
of the class structure the generative model has learned.

Bounds and estimates are random (a VAE's importance samples, diffusion's timesteps): every class is
scored with the same random draws (the generator is re-seeded per class), so the comparison between
classes is not drowned in the estimator's own noise. The family's ``classify_options`` lighten the
dearest estimators, since each example is scored once per class; the kind of figure is unchanged.

A model that cannot classify this way says why with a code (``classifier_problem``); the window words
it (in the person's language) and says how to get one.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from engine.errors import GenLabError
from engine.interrupt import check_interrupt
from engine.models.registry import model_class

DEFAULT_LIMIT = 500

PROBLEMS = ("no_labels", "no_likelihood", "not_conditional")


class NotAClassifier(GenLabError):
    """The model cannot be turned into a classifier; ``code`` is one of ``PROBLEMS``."""

    def __init__(self, code: str, family: str):
        self.code = code
        self.family = family
        super().__init__({"no_labels": "the data has no class labels",
                          "no_likelihood": f"the {family} family has no likelihood",
                          "not_conditional": f"this {family} model was trained without its labels "
                                             "(tick 'conditional' in the model settings)"}[code])


@dataclass
class Classification:
    accuracy: float
    n: int                          # test examples classified (the first ``n``)
    true: np.ndarray                # int64 (n,)
    predicted: np.ndarray           # int64 (n,)
    log_joint: np.ndarray           # float64 (n, K): log p(x | y) + log p(y)
    log_prior: np.ndarray           # float64 (K,)
    likelihood_kind: str
    family: str
    seconds: float

    @property
    def wrong(self) -> np.ndarray:
        """Indices (into the test set) of the misclassified examples."""
        return np.flatnonzero(self.predicted != self.true)

    def posterior(self) -> np.ndarray:
        """p(y | x) for every example, (n, K)."""
        z = self.log_joint - self.log_joint.max(1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(1, keepdims=True)


def classifier_problem(model, has_labels: bool = True) -> str | None:
    """Why ``model`` cannot classify by Bayes' rule (a code of ``PROBLEMS``), or None when it can."""
    if not has_labels or model.spec.num_classes < 2:
        return "no_labels"
    if not model.has("log_likelihood"):
        return "no_likelihood"
    if not model.conditional:
        return "not_conditional"
    return None


def problem_for(family: str, init_args: dict) -> str | None:
    """``classifier_problem`` from a model's construction arguments (a snapshot's), without building it."""
    spec = init_args.get("spec") or {}
    config = init_args.get("config") or {}
    if int(spec.get("num_classes") or 0) < 2:
        return "no_labels"
    if not model_class(family).likelihood_for(config, str(spec.get("kind", ""))):
        return "no_likelihood"
    if not config.get("conditional"):
        return "not_conditional"
    return None


def class_log_prior(y_train: torch.Tensor | None, k: int) -> np.ndarray:
    """log p(y) from the training labels' frequencies (uniform without them; every class kept > 0)."""
    if y_train is None or len(y_train) == 0:
        return np.full(k, -math.log(k))
    counts = np.bincount(np.asarray(y_train, dtype=np.int64), minlength=k)[:k].astype(np.float64) + 1e-3
    return np.log(counts / counts.sum())


def classify(model, x: torch.Tensor, y: torch.Tensor | None, y_train: torch.Tensor | None = None,
             limit: int = DEFAULT_LIMIT, seed: int = 0, batch_size: int = 0, options: dict | None = None,
             progress: Callable[[int, int], None] | None = None) -> Classification:
    """Classify the first ``limit`` examples of ``x`` by argmax_y log p(x | y) + log p(y) (see the module).

    ``progress(done, total)`` is called after every batch (done and total count example-class scores).
    Inside ``engine.interrupt.interruptible`` the work stops at the next batch when asked."""
    problem = classifier_problem(model, y is not None)
    if problem is not None:
        raise NotAClassifier(problem, model.family)
    t0 = time.perf_counter()
    k = int(model.spec.num_classes)
    n = min(int(limit), len(x))
    if n == 0:
        raise GenLabError("there are no test examples to classify")
    opts = dict(model.classify_options)     # the family's settings for scoring K classes per example
    opts.update(options or {})
    if not batch_size:
        batch_size = 1000 if model.spec.kind == "points" else 100
    device = model.device
    gen_device = device if device.type == "cuda" else torch.device("cpu")
    scores = torch.empty(n, k, dtype=torch.float64)
    total, done = n * k, 0
    for label in range(k):
        gen = torch.Generator(device=gen_device).manual_seed(seed)   # the same draws for every class
        for start in range(0, n, batch_size):
            check_interrupt()
            xb = x[start:min(n, start + batch_size)].to(device)
            labels = torch.full((len(xb),), label, dtype=torch.long, device=device)
            scores[start:start + len(xb), label] = model.log_likelihood(xb, labels=labels, generator=gen,
                                                                        **opts).double().cpu()
            done += len(xb)
            if progress is not None:
                progress(done, total)
    log_prior = class_log_prior(y_train, k)
    log_joint = scores.numpy() + log_prior[None, :]
    log_joint = np.where(np.isfinite(log_joint), log_joint, -np.inf)
    predicted = log_joint.argmax(1).astype(np.int64)
    true = np.asarray(y[:n], dtype=np.int64)
    return Classification(accuracy=float((predicted == true).mean()), n=n, true=true, predicted=predicted,
                          log_joint=log_joint, log_prior=log_prior, likelihood_kind=str(model.likelihood_kind),
                          family=model.family, seconds=time.perf_counter() - t0)
