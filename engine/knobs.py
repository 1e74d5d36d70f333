"""Knobs: dataclass fields that carry their range, unit, help text and whether they may change live.

A knob is declared once. The CLI's ``--set``, the window's generated form, the JSON loader and every
family's config read the same metadata through this module, so a value that is rejected in one place
is rejected everywhere with the same words.

This is the lowest layer of the configuration: it knows dataclasses and ``ConfigError`` and nothing of
runs, data or families, so ``engine.config`` (the run config) and ``engine.models`` (the family configs)
both build on it without importing each other.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import field

from engine.errors import ConfigError


def knob(default, *, help: str, min=None, max=None, choices=None, unit: str = "",
         live: bool = False, label: str = "", log: bool = False, advanced: bool = False):
    """A dataclass field with the metadata that validation, the CLI and the window's form use.

    ``live`` marks values that may change while training runs (learning rate, beta, ...);
    ``log`` asks the form for a logarithmic spin box; ``advanced`` hides the knob behind a toggle.
    """
    meta = dict(help=help, min=min, max=max, choices=tuple(choices) if choices else None,
                unit=unit, live=live, label=label, log=log, advanced=advanced)
    return field(default=default, metadata=meta)


def _type_name(tp) -> str:
    return {int: "an integer", float: "a number", bool: "true or false", str: "a string"}.get(tp, str(tp))


def _resolve_type(cls, f: dataclasses.Field):
    hints = typing.get_type_hints(cls)
    tp = hints[f.name]
    optional = False
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        optional = len(args) < len(typing.get_args(tp))
        tp = args[0] if len(args) == 1 else tp
    return tp, optional


def _accepted(tp, meta) -> str:
    if meta.get("choices"):
        return "one of " + ", ".join(repr(c) for c in meta["choices"])
    text = _type_name(tp)
    lo, hi = meta.get("min"), meta.get("max")
    if lo is not None and hi is not None:
        text += f" from {lo} to {hi}"
    elif lo is not None:
        text += f" >= {lo}"
    elif hi is not None:
        text += f" <= {hi}"
    return text


def coerce_value(cls, name: str, value, where: str = ""):
    """Check ``value`` for field ``name`` of dataclass ``cls``; return it in the field's type."""
    fields = {f.name: f for f in dataclasses.fields(cls)}
    path = f"{where}.{name}" if where else name
    if name not in fields:
        raise ConfigError(path, value, "one of the known keys: " + ", ".join(sorted(fields)))
    f = fields[name]
    tp, optional = _resolve_type(cls, f)
    meta = dict(f.metadata)
    if value is None:
        if optional:
            return None
        raise ConfigError(path, value, _accepted(tp, meta))
    if tp is bool:
        if isinstance(value, str) and value.lower() in ("true", "1", "yes", "on", "false", "0", "no", "off"):
            value = value.lower() in ("true", "1", "yes", "on")
        if not isinstance(value, bool):
            raise ConfigError(path, value, "true or false")
    elif tp is int:
        if isinstance(value, str):
            try:
                value = int(value)
            except ValueError:
                raise ConfigError(path, value, _accepted(tp, meta)) from None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(path, value, _accepted(tp, meta))
    elif tp is float:
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise ConfigError(path, value, _accepted(tp, meta)) from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(path, value, _accepted(tp, meta))
        value = float(value)
        if value != value or value in (float("inf"), float("-inf")):
            raise ConfigError(path, value, "a finite " + _accepted(tp, meta).removeprefix("a "))
    elif tp is str:
        if not isinstance(value, str):
            raise ConfigError(path, value, _accepted(tp, meta))
    elif typing.get_origin(tp) in (list, tuple):
        if isinstance(value, str):
            value = [v for v in value.split(",") if v]
        if not isinstance(value, (list, tuple)):
            raise ConfigError(path, value, "a list")
        value = list(value)
    if meta.get("choices") and value not in meta["choices"]:
        raise ConfigError(path, value, _accepted(tp, meta))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        lo, hi = meta.get("min"), meta.get("max")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise ConfigError(path, value, _accepted(tp, meta))
    return value


def dataclass_from_dict(cls, data: dict, where: str):
    """Build ``cls`` from a plain dict, validating every key; unknown keys are errors."""
    if not isinstance(data, dict):
        raise ConfigError(where, data, "an object of settings")
    values = {k: coerce_value(cls, k, v, where) for k, v in data.items()}
    obj = cls(**values)
    validate = getattr(obj, "validate", None)
    if validate:
        validate(where)
    return obj


def field_info(cls) -> list[dict]:
    """Metadata of every knob of ``cls``, in declaration order, for forms and help texts."""
    out = []
    for f in dataclasses.fields(cls):
        tp, optional = _resolve_type(cls, f)
        info = dict(f.metadata)
        info.update(name=f.name, type=tp, optional=optional, default=f.default)
        info["label"] = info.get("label") or f.name.replace("_", " ")
        out.append(info)
    return out


def parse_scalar(text: str):
    """Turn a ``--set`` value into JSON's types (numbers, booleans, null), else keep the string."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text
