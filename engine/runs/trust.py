"""Checks on what a checkpoint from elsewhere tells the engine to build, before anything is built.

A checkpoint's sidecar says which model to construct (``init_args``: the data's spec, the family's
settings, the preprocessing). Weights never run code (safetensors), but construction arguments could
still ask for an absurd network that exhausts memory, or smuggle in keys the family does not know.
So they pass the same validation as a run config (every model setting within its declared range,
unknown keys refused) plus bounds on the data's shape, levels, classes and preprocessing, and a
failure is a ``CheckpointError`` that names the file and the field.
"""

from __future__ import annotations

import math

from engine.errors import CheckpointError, GenLabError
from engine.knobs import dataclass_from_dict
from engine.models.registry import config_class

MAX_SIDE = 1024        # as data.image_size
MAX_CHANNELS = 4
MAX_POINT_DIM = 64
MAX_LEVELS = 65536
MAX_CLASSES = 100_000
MAX_TEXT_SLOTS = 4097    # data.max_length + the end token
MAX_VOCAB = 65535        # as data.max_vocab


def _fail(where, field: str, why: str):
    raise CheckpointError(f"{where}: init_args.{field} {why}")


def _int_in(v, lo: int, hi: int) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi


def _finite_list(v, n_max: int) -> bool:
    return (isinstance(v, (list, tuple)) and len(v) <= n_max
            and all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in v))


def check_init_args(family: str, init_args, where) -> None:
    """Raise ``CheckpointError`` unless ``init_args`` describe a model GenLab could have built."""
    if not isinstance(init_args, dict):
        _fail(where, "", "is not an object")
    spec, config, pre = init_args.get("spec"), init_args.get("config"), init_args.get("preprocess")
    if not isinstance(spec, dict):
        _fail(where, "spec", "is missing")
    kind, shape = spec.get("kind"), spec.get("shape")
    if kind == "points":
        if not (isinstance(shape, list) and len(shape) == 1 and _int_in(shape[0], 1, MAX_POINT_DIM)):
            _fail(where, "spec.shape", f"must be [d] with d from 1 to {MAX_POINT_DIM}")
    elif kind == "image":
        if not (isinstance(shape, list) and len(shape) == 3 and _int_in(shape[0], 1, MAX_CHANNELS)
                and _int_in(shape[1], 1, MAX_SIDE) and _int_in(shape[2], 1, MAX_SIDE)):
            _fail(where, "spec.shape", f"must be [channels 1-{MAX_CHANNELS}, height, width up to {MAX_SIDE}]")
        if spec.get("levels") is not None and not _int_in(spec.get("levels"), 2, MAX_LEVELS):
            _fail(where, "spec.levels", f"must be from 2 to {MAX_LEVELS}")
    elif kind == "text":
        if not (isinstance(shape, list) and len(shape) == 1 and _int_in(shape[0], 2, MAX_TEXT_SLOTS)):
            _fail(where, "spec.shape", f"must be [slots] with slots from 2 to {MAX_TEXT_SLOTS}")
        vocab = spec.get("vocab")
        if not (isinstance(vocab, list) and 1 <= len(vocab) <= MAX_VOCAB
                and all(isinstance(c, str) and len(c) == 1 for c in vocab) and len(set(vocab)) == len(vocab)):
            _fail(where, "spec.vocab", f"must be 1 to {MAX_VOCAB} distinct single characters")
    else:
        _fail(where, "spec.kind", "must be 'points', 'image' or 'text'")
    if not _int_in(spec.get("num_classes", 0), 0, MAX_CLASSES):
        _fail(where, "spec.num_classes", f"must be from 0 to {MAX_CLASSES}")
    vr = spec.get("value_range")
    if not (isinstance(vr, list) and len(vr) == 2 and all(isinstance(x, (int, float)) and not isinstance(x, bool)
                                                          and x == x for x in vr)):
        _fail(where, "spec.value_range", "must be two numbers (points: -inf and inf)")
    names = spec.get("class_names", [])
    if not isinstance(names, list) or len(names) > MAX_CLASSES or not all(isinstance(n, str) and len(n) < 200
                                                                         for n in names):
        _fail(where, "spec.class_names", "must be a list of short strings")
    if pre is not None:
        if not isinstance(pre, dict) or pre.get("kind", "none") not in ("none", "standardize"):
            _fail(where, "preprocess", "must be a standardisation or none")
        for key in ("mean", "std"):
            if not _finite_list(pre.get(key, []), MAX_POINT_DIM):
                _fail(where, f"preprocess.{key}", "must be a short list of finite numbers")
        if any(s <= 0 for s in pre.get("std", [])):
            _fail(where, "preprocess.std", "must be positive")
    if not isinstance(config, dict):
        _fail(where, "config", "is missing")
    try:
        dataclass_from_dict(config_class(family), config, "model")
    except GenLabError as e:
        raise CheckpointError(f"{where}: init_args.config: {e}") from None
