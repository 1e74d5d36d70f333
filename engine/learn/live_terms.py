"""The numbers that go into each family's formula, from the loss terms a training step reports.

A family's ``training_step`` returns its loss terms (the same values ``metrics.jsonl`` records and
``StepCompleted`` carries, averaged over the log interval). The Learn dock writes each formula with
those values in it, and a few values the formula needs are derived from them, never estimated again:
the ELBO is minus the sum of the VAE's ``recon`` and ``kl``, a flow's log p(x) is ``log_pz + log_det``.
Every derived value is exact arithmetic on reported values, so what the dock shows always agrees with
the run's metrics.

Which terms a family reports, which it derives and which model settings choose the version of its
formula are declared by the family's class (``reported_terms``, ``derived_terms``, ``formula_knobs``,
``page_values``: ``engine.models.base``); this module asks the registry for the class. It imports no
PyTorch itself: the family module does, the first time a family's numbers are asked for.
"""

from __future__ import annotations

import math

from engine.models.registry import model_class


def _family(family: str):
    return model_class(family)


def _get(losses: dict, name: str) -> float | None:
    v = losses.get(name)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        return None
    return float(v)


def reported_terms(family: str) -> tuple[str, ...]:
    """The loss terms of a step that ``family``'s formula shows."""
    return tuple(_family(family).reported_terms)


def formula_variant(family: str, model_options: dict | None) -> dict[str, str]:
    """Which version of the family's formula the run trains with: its ``formula_knobs`` and their values
    (``{"loss": ...}`` for a GAN; the defaults of the family's config where the options lack them)."""
    return _family(family).formula_variant(model_options)


def formula_values(family: str, losses: dict, model_options: dict | None = None) -> dict[str, float]:
    """The reported terms of ``family`` present (and finite) in ``losses``, plus the ones derived from
    them by the family's ``derived_terms``."""
    cls = _family(family)
    out = {name: v for name in cls.reported_terms if (v := _get(losses, name)) is not None}
    out.update(cls.derived_terms(dict(out), cls.formula_variant(model_options)))
    return out


def page_values(family: str, model_options: dict | None) -> dict[str, int | float]:
    """Numbers the formula shows that follow from the model settings alone (diffusion's noise bands)."""
    return dict(_family(family).page_values(model_options))


def format_value(v: float | None) -> str:
    """A number as the dock prints it: 4 significant figures, plain notation where it reads well."""
    if v is None or not math.isfinite(v):
        return "—"
    a = abs(v)
    if a != 0 and (a < 1e-3 or a >= 1e6):
        return f"{v:.3e}"
    if a >= 1000:
        return f"{v:.1f}"
    if a >= 100:
        return f"{v:.2f}"
    if a >= 10:
        return f"{v:.3f}"
    return f"{v:.4f}"
