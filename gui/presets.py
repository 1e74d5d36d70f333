"""Presets for the window: the engine's (``engine.presets``), read from ``resources/presets``.

A preset file ``<family>-<kind>.json`` (kind ``points`` or ``image``) holds a partial run config,
``{"model": {...}, "train": {...}}``, merged over the defaults; keys are checked one by one, so a stale
key is dropped with a warning. Sizing for a time budget on this machine (``engine.presets.plan_run``)
lives in the engine too, so the window and ``genlab train --preset`` choose alike.
"""

from __future__ import annotations

from engine import presets as engine_presets
from engine.errors import GenLabError


def preset_path(family: str, kind: str):
    return engine_presets.preset_path(family, kind)


def preset_values(family: str, kind: str, model_class, data_class, spec=None) -> tuple[dict, list[str], tuple]:
    """Validated ``{section: {name: value}}`` of the preset, warnings for keys it had to drop, and its
    ``preset_key``; with the loaded data's ``spec``, the network size the file names for that shape. One
    read of the file."""
    values, warnings, size = engine_presets.preset_values_and_size(family, kind, model_class, data_class,
                                                                    path=preset_path(family, kind), spec=spec)
    return values, warnings, (family, kind, size, engine_presets.size_settings(family, spec, size))


def form_defaults(model_form, train_form) -> tuple[dict, dict]:
    """The defaults a preset is merged over: the model form's, and the training form's with the family's
    own training defaults (a VAE's higher lr) over the global ones."""
    model = {i["name"]: i["default"] for i in model_form.infos.values()}
    train = {i["name"]: i["default"] for i in train_form.infos.values()}
    family = getattr(model_form.cls, "train_defaults", {})
    train.update({k: v for k, v in family.items() if k in train})
    return model, train


HELD = "held"   # the size of a preset key whose settings came with a run or a file: kept when its data loads


def held_key(family: str | None, kind: str | None) -> tuple:
    """The preset key of settings that came with a run or a config file (kept when their data loads)."""
    return (family, kind, HELD, None)


def preset_key(family: str | None, kind: str | None, spec) -> tuple:
    """What a shown preset was made for: the family, the kind of data, the size the file picks for the
    data's shape (None while no data of that kind is loaded) and that size's settings for the shape
    (``engine.presets.size_settings``)."""
    if not family or not kind or spec is None or spec.kind != kind:
        return (family, kind, None, "")
    try:
        size = engine_presets.preset_size(family, kind, spec, path=preset_path(family, kind))
    except GenLabError:   # an unreadable preset file: apply_preset reports it
        size = ""
    return (family, kind, size, engine_presets.size_settings(family, spec, size))
