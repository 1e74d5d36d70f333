"""Which detectors apply to a model and its data, run in one place (see ``engine.diagnose``)."""

from __future__ import annotations

import torch

from engine.data.spec import Dataset
from engine.diagnose.collapse import mode_collapse, posterior_collapse
from engine.diagnose.features import embedding_for
from engine.diagnose.finding import Finding
from engine.diagnose.memorization import memorization
from engine.diagnose.signals import discriminator_saturation, gradients, loss_plateau

DETECTORS = ("memorization", "mode_collapse", "posterior_collapse", "discriminator_saturation", "gradients",
             "loss_plateau")


def draw(model, n: int, seed: int = 0, **options) -> torch.Tensor:
    """``n`` samples from a fixed seed, on the CPU, in chunks."""
    gen = torch.Generator(device=model.device if model.device.type == "cuda" else "cpu").manual_seed(seed)
    step = 4096 if model.spec.kind == "points" else 256
    out = [model.sample(min(step, n - i), generator=gen, **options).float().cpu() for i in range(0, n, step)]
    return torch.cat(out)


def sample_count(ds: Dataset) -> int:
    return 1000 if ds.spec.kind == "points" else 256


def diagnose(model, ds: Dataset, records: list[dict], n: int | None = None, seed: int = 0,
             cache: bool = True) -> list[Finding]:
    """Every detector that applies, in ``DETECTORS`` order."""
    samples = draw(model, n or sample_count(ds), seed)
    emb = embedding_for(ds, cache=cache)
    found = [memorization(samples, ds, emb), mode_collapse(samples, ds, emb)]
    found += _model_detectors(model, ds, samples)
    found += _record_detectors(model, records)
    return found


def live_findings(model, ds: Dataset, records: list[dict], seed: int = 0, refs: list | None = None,
                  samples: torch.Tensor | None = None, n: int | None = None) -> list[Finding]:
    """The cheap detectors, for the loop's evaluation moments: memorisation in pixel (or coordinate)
    space only, what the records say, the posterior and the critic on a few hundred examples, and (points
    only) mode coverage. The feature space and image diversity are ``genlab diagnose``'s. ``refs``: the
    memorisation yardstick from an earlier look (``references(ds, None)``), reused. ``samples`` drawn
    already (the quality readout's), or ``n`` to draw (default 500 points or 128 images); with ``n`` = 0
    the detectors that need samples (copying, coverage, the critic's) sit this look out: a slow sampler
    (a PixelCNN on colour images) would otherwise spend minutes of a short run on them."""
    points = ds.spec.kind == "points"
    if samples is None and n != 0:
        samples = draw(model, n or (500 if points else 128), seed, **model.display_options())
    found = []
    if samples is not None:
        found.append(memorization(samples, ds, None, refs))   # builds the yardstick when refs is None
        if points:
            found.append(mode_collapse(samples, ds, None))
    found += _model_detectors(model, ds, samples)
    found += _record_detectors(model, records)
    return found


def _model_detectors(model, ds: Dataset, samples) -> list[Finding]:
    found = []
    if model.has("posterior"):
        found.append(posterior_collapse(model, ds))
    if model.has("critic") and samples is not None:
        found.append(discriminator_saturation(model, ds.x_test[:len(samples)], samples))
    return found


def _record_detectors(model, records: list[dict]) -> list[Finding]:
    found = [gradients(records), loss_plateau(records, minimised=not model.training_phases, value=model.plateau_value)]
    return [f for f in found if f is not None]
