"""Presets for the window: the engine's (``engine.presets``), read from ``resources/presets``.

A preset file ``<family>-<kind>.json`` (kind ``points`` or ``image``) holds a partial run config,
``{"model": {...}, "train": {...}}``, merged over the defaults; keys are checked one by one, so a stale
key is dropped with a warning. Sizing for a time budget on this machine (``engine.presets.plan_run``)
lives in the engine too, so the window and ``genlab train --preset`` choose alike.
"""

from __future__ import annotations

from engine import presets as engine_presets


def preset_path(family: str, kind: str):
    return engine_presets.preset_path(family, kind)


def preset_values(family: str, kind: str, model_class, data_class) -> tuple[dict, list[str]]:
    """Validated ``{section: {name: value}}`` of the preset, and warnings for keys it had to drop."""
    return engine_presets.preset_values(family, kind, model_class, data_class, path=preset_path(family, kind))
