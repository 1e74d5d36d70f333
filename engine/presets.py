"""Presets: the settings a run starts from, sized to the person's time budget, their data and machine.

Two sources, merged in this order:

- a preset file ``resources/presets/<family>-<kind>.json`` (kind ``points`` or ``image``): a partial run
  config, ``{"model": {...}, "train": {...}}``, checked key by key with the engine's validation, so a
  preset written for an older version of a family (a renamed knob) loses that key with a warning. Its
  optional ``sizes`` (``{candidate name: {"min_dim": N, "channels": C, "train": {...}}}``, in order) say
  which of the family's sizes a run with no budget takes for the loaded data: the first one offered for
  its shape (with ``min_dim``, for data of at least N sub-pixels; with ``channels``, for data of exactly
  C channels: grey or colour), with that size's settings and its
  ``steps_needed`` as the step count, then the file's settings for it. A size belongs to the data's
  shape, not only its kind: the Transformer wins on 8x8 digits and a PixelCNN on 28x28;
- the family's *size candidates* (``GenerativeModel.size_candidates(spec)``, small to large, each with
  its batch, learning rate and the optimiser steps it needs to draw good samples). ``choose_candidate``
  takes the largest whose steps fit in the budget at the steps per second measured on this machine
  (``engine.calibration``), so a laptop gets a narrow network that finishes learning and a GPU a wide one.

``plan_run`` returns a ``Plan``: the candidate, the measured rates, the predicted number of steps and
the settings as ``key=value`` overrides, which the command line (``genlab train --preset``) and the
window (the Setup's budget choice) apply the same way. The choice is a pure function of the budget,
the data's shape and the rates, so it is reproducible and testable without timing anything.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from engine.config import DataConfig, RunConfig, TrainConfig
from engine.errors import ConfigError
from engine.i18n import QT_TRANSLATE_NOOP, message
from engine.knobs import coerce_value
from engine.models.registry import model_class
from engine.resources import resource_path

SECTIONS = ("model", "train", "data")
SIZES_KEY = "sizes"          # a preset file's network sizes for no budget: {candidate name: {section: {...}}}
MIN_DIM_KEY = "min_dim"      # ... each for data of at least this many values (sub-pixels), if it says
CHANNELS_KEY = "channels"    # ... and of exactly this many channels, if it says
KEEP_DATA_KEYS = ("name",)   # a preset never changes which dataset the person picked
# Budgets a person picks by name (the Setup's "about 1 / 5 / 30 minutes", ``genlab train --preset``).
BUDGETS = {"1min": 60.0, "5min": 300.0, "30min": 1800.0}
DEFAULT_BUDGET = "5min"
PRESET_CHOICES = ("auto",) + tuple(BUDGETS)
EVALUATIONS_PER_RUN = 4      # quality readouts spread over a sized run of EVALUATION_SPACING_S or more
EVALUATION_SPACING_S = 75.0  # ... and fewer in a shorter one (never under 2: "how long to the next step"
                             # needs two readouts); an evaluation's time comes out of the budget
EVAL_LIMIT = 250             # held-out examples per evaluation of a sized run (each costs training time) ...
SHORT_EVAL_LIMIT = 100       # ... and of one shorter than EVALUATION_SPACING_S * EVALUATIONS_PER_RUN: a diffusion
                             # model's bound at 250 images took 8 s of a 60 s budget per evaluation on a CPU
UNLIMITED_STEPS = 100_000_000  # as the training loop's: a run bounded by time alone


# ---- preset files ------------------------------------------------------------------------------------
def preset_path(family: str, kind: str):
    return resource_path("presets", f"{family}-{kind}.json")


def load_preset(family: str, kind: str, path=None) -> dict:
    """The preset dict for ``family`` on ``kind`` data ({} when there is none)."""
    path = path if path is not None else preset_path(family, kind)
    if not path.is_file():
        return {}
    try:
        preset = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise ConfigError(str(path), "unreadable", f"a JSON preset ({e})") from None
    if not isinstance(preset, dict):
        raise ConfigError(str(path), type(preset).__name__, "a JSON object with model/train sections")
    return preset


def preset_values(family: str, kind: str, model_config_class, data_class, path=None,
                  spec=None) -> tuple[dict, list[str]]:
    """Validated ``{section: {name: value}}`` of the preset file, and warnings for keys it had to drop.

    With ``spec`` (the loaded data's ``DataSpec``), the file's ``sizes`` apply too: the first size the
    family offers for that data (``preset_size``) adds its network and training settings, then the
    file's own settings for that size, over the file's common sections."""
    values, warnings, _size = preset_values_and_size(family, kind, model_config_class, data_class, path, spec)
    return values, warnings


def preset_values_and_size(family: str, kind: str, model_config_class, data_class, path=None,
                           spec=None) -> tuple[dict, list[str], str | None]:
    """``preset_values`` and the ``preset_size`` name (None without a spec of this kind) from one read of
    the file: the window needs both each time it applies a preset."""
    path = path if path is not None else preset_path(family, kind)
    preset = load_preset(family, kind, path)
    classes = {"model": model_config_class, "train": TrainConfig, "data": data_class}
    out: dict[str, dict] = {s: {} for s in SECTIONS}
    warnings = []
    layers = [(section, values) for section, values in preset.items() if section != SIZES_KEY]
    size = _preset_candidate(family, kind, preset, spec)
    if size is not None:
        candidate, own = size
        layers += [("model", candidate.model), ("train", {**candidate.train, "steps": candidate.steps_needed})]
        layers += [(section, values) for section, values in own.items()]
    for section, values in layers:
        if section not in classes or not isinstance(values, dict):
            warnings.append(f"preset {path.name}: ignored unknown section '{section}'")
            continue
        for name, value in values.items():
            if section == "data" and name in KEEP_DATA_KEYS:
                continue
            try:
                out[section][name] = coerce_value(classes[section], name, value, section)
            except ConfigError as e:
                warnings.append(f"preset {path.name}: ignored {e}")
    name = None if spec is None or spec.kind != kind else (size[0].name if size is not None else "")
    return out, warnings, name


def preset_size(family: str, kind: str, spec, path=None) -> str:
    """Name of the size the preset file picks for data of ``spec`` with no budget ("" for none): the
    first of the file's ``sizes`` the family offers for that shape. The window re-applies a preset when
    this changes (8x8 digits to MNIST changes the autoregressive network, not only the kind of data)."""
    path = path if path is not None else preset_path(family, kind)
    size = _preset_candidate(family, kind, load_preset(family, kind, path), spec)
    return size[0].name if size is not None else ""


def size_settings(family: str, spec, name: str | None) -> str:
    """The network settings of ``family``'s size ``name`` for data of ``spec``, as one comparable string
    ("" without a size). A size can set a knob from the data's shape as well as name a network (diffusion's
    noise levels follow the sub-pixel count), so the window re-applies a preset when these change even
    where the size's name does not."""
    if not name or spec is None:
        return ""
    for candidate in model_class(family).size_candidates(spec):
        if candidate.name == name:
            return json.dumps(candidate.model, sort_keys=True)
    return ""


def _preset_candidate(family: str, kind: str, preset: dict, spec):
    """(the ``SizeCandidate``, the file's settings for it) for the first size in the preset's ``sizes``
    that ``family`` offers for ``spec``; None without a spec (or one of another kind), without sizes, or
    when none is offered."""
    sizes = preset.get(SIZES_KEY)
    if spec is None or spec.kind != kind or not isinstance(sizes, dict):
        return None
    offered = {c.name: c for c in model_class(family).size_candidates(spec)}
    for name, own in sizes.items():
        own = own if isinstance(own, dict) else {}
        min_dim, channels = own.get(MIN_DIM_KEY, 0), own.get(CHANNELS_KEY)
        if (name in offered and spec.dim >= (min_dim if isinstance(min_dim, int) else 0)
                and (not isinstance(channels, int) or spec.channels == channels)):
            return offered[name], {k: v for k, v in own.items() if k not in (MIN_DIM_KEY, CHANNELS_KEY)}
    return None


# ---- budgets ----------------------------------------------------------------------------------------
def budget_seconds(preset: str, time_limit: float | None = None) -> float:
    """Seconds of the budget: the run's own time limit when it has one (it is what the person said),
    else the preset name's (``auto``: the default budget)."""
    if preset not in PRESET_CHOICES:
        raise ConfigError("--preset", preset, "one of " + ", ".join(PRESET_CHOICES))
    if time_limit:
        return float(time_limit)
    return BUDGETS[DEFAULT_BUDGET if preset == "auto" else preset]


def choose_candidate(candidates, rates: dict[str, float], budget_s: float) -> int:
    """Index of the largest candidate whose ``steps_needed`` fit in ``budget_s`` at its measured rate
    (steps per second); the smallest when none fits. Candidates without a rate are skipped."""
    best = 0
    for i, c in enumerate(candidates):
        rate = rates.get(c.name)
        if rate and rate > 0 and rate * budget_s >= c.steps_needed:
            best = i
    return best


@dataclass
class Plan:
    """What a preset decided for one run, and why (shown by the CLI and the window)."""

    family: str
    kind: str
    budget_s: float
    candidate: str = ""                              # the chosen size's name ("" without candidates)
    rates: dict[str, float] = field(default_factory=dict)   # steps/s per candidate, measured
    steps_needed: int = 0
    model: dict = field(default_factory=dict)
    train: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    busy_share: float | None = None                  # processor share while measuring, when other programs were busy

    @property
    def rate(self) -> float | None:
        return self.rates.get(self.candidate)

    @property
    def predicted_steps(self) -> int | None:
        return int(self.rate * self.budget_s) if self.rate else None

    def overrides(self) -> list[str]:
        """The plan as ``section.name=value`` strings for ``RunConfig.with_overrides``."""
        out = []
        for section in SECTIONS:
            for name, value in getattr(self, section).items():
                out.append(f"{section}.{name}={json.dumps(list(value) if isinstance(value, tuple) else value)}")
        return out

    def summary(self) -> str:
        if not self.candidate:
            return f"preset for {self.family} on {self.kind} data, {self.budget_s:.0f} s"
        rate = f"{self.rate:.2f} steps/s" if self.rate else "no rate measured"
        pred = f", about {self.predicted_steps} steps" if self.predicted_steps else ""
        # "needs N" read as a shortfall when the budget gives fewer: N is what the size trains without a
        # budget, and a sized run with fewer steps is still the best of the sizes measured for that time.
        return (f"preset '{self.candidate}' for {self.family} on {self.kind} data: {self.budget_s:.0f} s at "
                f"{rate}{pred} (without a budget it trains {self.steps_needed})")

    def to_dict(self) -> dict:
        return {"family": self.family, "kind": self.kind, "budget_s": self.budget_s, "candidate": self.candidate,
                "rates": dict(self.rates), "steps_needed": self.steps_needed,
                "predicted_steps": self.predicted_steps, "busy_share": self.busy_share, "model": dict(self.model),
                "train": dict(self.train)}


def plan_run(family: str, spec, budget_s: float, device: str = "cpu", threads: int = 1,
             rates: dict[str, float] | None = None, cache_path=None, measure: bool = True) -> Plan:
    """The preset for ``family`` on data of ``spec`` (a ``DataSpec``) with ``budget_s`` seconds.

    ``rates`` (steps/s per candidate name) skips the measurement (tests, a window that measured
    already); else each candidate is timed for a few steps on this device, cached per device and
    thread count (``engine.calibration``). ``measure=False`` uses only cached rates."""
    cls = model_class(family)
    kind = spec.kind
    values, warnings = preset_values(family, kind, cls.config_class, DataConfig)
    plan = Plan(family, kind, float(budget_s), model=dict(values["model"]), train=dict(values["train"]),
                data=dict(values["data"]), warnings=warnings)
    plan.train.pop("steps", None)
    plan.train.update(time_limit=float(budget_s), steps=UNLIMITED_STEPS, lr_schedule="cosine")
    candidates = tuple(cls.size_candidates(spec))
    if not candidates:
        return plan
    if rates is None:
        # lazy: engine.calibration loads PyTorch; the window reads presets before its first paint
        from engine.calibration import calibrate
        measured = calibrate(family, spec, candidates, device, threads, cache_path=cache_path, measure=measure)
        rates, plan.busy_share = measured.rates, measured.busy_share
        if plan.busy_share is not None:
            plan.warnings.append(message(QT_TRANSLATE_NOOP(
                "engine", "other programs kept this machine busy while its speed was measured (GenLab got "
                          "{share:.0%} of the processor time it asked for): the network may be smaller and the "
                          "estimate longer than when the machine is quiet; the next plan measures again"),
                share=plan.busy_share))
    chosen = candidates[choose_candidate(candidates, rates, budget_s)]
    plan.candidate, plan.rates, plan.steps_needed = chosen.name, dict(rates), chosen.steps_needed
    plan.model.update(chosen.model)
    plan.train.update(chosen.train)
    rate = rates.get(chosen.name)
    if rate:
        # Readouts spread over the run: samples about every 20th of it, evaluations evaluations_for(budget) times.
        steps = max(1, int(rate * budget_s))
        plan.train.setdefault("sample_every", max(1, steps // 20))
        plan.train["eval_every"] = max(1, math.ceil(steps / evaluations_for(budget_s)))
        long_run = budget_s >= EVALUATION_SPACING_S * EVALUATIONS_PER_RUN
        plan.train["eval_limit"] = min(int(plan.train.get("eval_limit", EVAL_LIMIT)),
                                       EVAL_LIMIT if long_run else SHORT_EVAL_LIMIT)
    return plan


def evaluations_for(budget_s: float) -> int:
    """Evaluations (held-out likelihood and the quality figure) in a sized run of ``budget_s`` seconds: one
    per ``EVALUATION_SPACING_S``, at least 2, at most ``EVALUATIONS_PER_RUN``."""
    return max(2, min(EVALUATIONS_PER_RUN, int(budget_s // EVALUATION_SPACING_S)))


def apply_plan(config: RunConfig, plan: Plan, keep: list[str] | None = None) -> RunConfig:
    """``config`` with the plan's settings, then ``keep`` (the person's own ``--set`` lines) on top."""
    return config.with_overrides(plan.overrides() + list(keep or []))

