"""Presets: a good first run per model family and kind of data, from ``resources/presets``.

A preset file ``<family>-<kind>.json`` (kind ``points`` or ``image``) holds a partial run config,
``{"model": {...}, "train": {...}}``, merged over the defaults. Keys are checked one by one with the
engine's validation, so a preset written for an older version of a family (a renamed knob) loses
that key with a warning instead of refusing to load.
"""

from __future__ import annotations

import json

from engine.config import TrainConfig
from engine.errors import ConfigError
from engine.knobs import coerce_value
from engine.resources import resource_path

SECTIONS = ("model", "train", "data")
KEEP_DATA_KEYS = ("name",)   # a preset never changes which dataset the person picked


def preset_path(family: str, kind: str):
    return resource_path("presets", f"{family}-{kind}.json")


def load_preset(family: str, kind: str) -> dict:
    """The preset dict for ``family`` on ``kind`` data ({} when there is none)."""
    path = preset_path(family, kind)
    if not path.is_file():
        return {}
    try:
        preset = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise ConfigError(str(path), "unreadable", f"a JSON preset ({e})") from None
    if not isinstance(preset, dict):
        raise ConfigError(str(path), type(preset).__name__, "a JSON object with model/train sections")
    return preset


def preset_values(family: str, kind: str, model_class, data_class) -> tuple[dict, list[str]]:
    """Validated ``{section: {name: value}}`` of the preset, and warnings for keys it had to drop."""
    preset = load_preset(family, kind)
    classes = {"model": model_class, "train": TrainConfig, "data": data_class}
    out: dict[str, dict] = {s: {} for s in SECTIONS}
    warnings = []
    where = preset_path(family, kind).name
    for section, values in preset.items():
        if section not in classes or not isinstance(values, dict):
            warnings.append(f"preset {where}: ignored unknown section '{section}'")
            continue
        for name, value in values.items():
            if section == "data" and name in KEEP_DATA_KEYS:
                continue
            try:
                out[section][name] = coerce_value(classes[section], name, value, section)
            except ConfigError as e:
                warnings.append(f"preset {where}: ignored {e}")
    return out, warnings
