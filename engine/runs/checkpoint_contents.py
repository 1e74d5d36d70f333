"""Does a checkpoint hold what its description promises? One check of every part, before any use.

A checkpoint can be a valid safetensors file with a matching checksum and still be wrong: tensors of
the wrong shape or type, weights missing, optimiser settings of the wrong kind, a random-generator
state that is not bytes, trainer counters that are not numbers. Each of those used to surface later
as an unhandled error in ``load_state_dict``, an optimiser step or ``Generator.set_state``. Here the
model the sidecar describes is built on the meta device (no memory, ``engine.models.size_guard``) and
everything is compared with it: the model's weights key by key, shape and dtype; each optimiser's
groups against a fresh optimiser of the same model; every optimiser tensor against its parameter;
every generator state against what a generator accepts; the trainer's counters by type and range.
A mismatch is a ``CheckpointError`` naming the file and the part, so ``latest_checkpoint`` falls back
to the previous checkpoint as it does for a damaged file.
"""

from __future__ import annotations

import math

import torch

from engine.errors import CheckpointError, GenLabError
from engine.models.registry import model_class
from engine.models.size_guard import meta_model, optional_state

PREFIXES = ("model/", "optim/", "rng/")
CUDA_STATE_BYTES = 16           # a CUDA (Philox) generator state: seed and offset
MAX_RNG_BYTES = 1 << 16


def _num(v, lo: float = -math.inf) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= lo


def _int(v, lo: int = 0, hi: int = 2**62) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi


def _same_kind(saved, fresh) -> bool:
    """A saved optimiser setting has the kind a fresh optimiser gives it (numbers finite)."""
    if fresh is None:
        return saved is None or isinstance(saved, bool)
    if isinstance(fresh, bool):
        return isinstance(saved, bool)
    if isinstance(fresh, (int, float)):
        return _num(saved)
    if isinstance(fresh, (tuple, list)):
        return (isinstance(saved, (tuple, list)) and len(saved) == len(fresh)
                and all(_same_kind(s, f) for s, f in zip(saved, fresh)))
    if isinstance(fresh, str):
        return isinstance(saved, str)
    return False


def _fail(path, text: str):
    raise CheckpointError(f"{path}: {text}")


def check_model_state(model, state: dict, path) -> None:
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state) - optional_state(model))
    extra = sorted(set(state) - set(expected))
    if missing:
        _fail(path, f"lacks the model's weights {', '.join(missing[:3])}" + (" ..." if len(missing) > 3 else ""))
    if extra:
        _fail(path, f"holds weights the model does not have: {', '.join(extra[:3])}" + (" ..." if len(extra) > 3 else ""))
    for key, want in expected.items():
        if key not in state:
            continue
        got = state[key]
        if tuple(got.shape) != tuple(want.shape) or got.dtype != want.dtype:
            _fail(path, f"weight '{key}' is {got.dtype} {tuple(got.shape)}, the model needs {want.dtype} "
                        f"{tuple(want.shape)}")


def _check_optimizer(name: str, fresh, saved_meta, tensors: dict, params: list, path) -> None:
    if not isinstance(saved_meta, dict) or not isinstance(saved_meta.get("param_groups"), list):
        _fail(path, f"optimiser '{name}' has no list of parameter groups")
    fresh_groups = fresh.state_dict()["param_groups"]
    groups = saved_meta["param_groups"]
    if len(groups) != len(fresh_groups):
        _fail(path, f"optimiser '{name}' has {len(groups)} parameter groups, the model's has {len(fresh_groups)}")
    for i, (g, f) in enumerate(zip(groups, fresh_groups)):
        if not isinstance(g, dict) or set(g) != set(f):
            _fail(path, f"optimiser '{name}' group {i} has settings {sorted(g) if isinstance(g, dict) else g!r:.80}, "
                        f"expected {sorted(f)}")
        if g["params"] != f["params"]:
            _fail(path, f"optimiser '{name}' group {i} lists other parameters than the model has")
        for key, value in g.items():
            if key != "params" and not _same_kind(value, f[key]):
                _fail(path, f"optimiser '{name}' setting '{key}' is {value!r:.60}, not a value of its kind")
    scalars = saved_meta.get("scalars", {})
    if not isinstance(scalars, dict):
        _fail(path, f"optimiser '{name}' scalars are not an object")
    for idx, extra in scalars.items():
        if not (idx.isdigit() and int(idx) < len(params)) or not isinstance(extra, dict) \
                or not all(isinstance(k, str) and _num(v) for k, v in extra.items()):
            _fail(path, f"optimiser '{name}' state of parameter {idx!r:.20} is not a set of finite numbers")
    prefix = f"optim/{name}/"
    for key, value in tensors.items():
        if not key.startswith(prefix):
            continue
        idx, _, what = key[len(prefix):].partition("/")
        if not (idx.isdigit() and int(idx) < len(params) and what):
            _fail(path, f"optimiser tensor '{key}' names no parameter of the model")
        param = params[int(idx)]
        if not value.is_floating_point() or (value.numel() != 1 and tuple(value.shape) != tuple(param.shape)):
            _fail(path, f"optimiser tensor '{key}' is {value.dtype} {tuple(value.shape)}, its parameter is "
                        f"{tuple(param.shape)}")


def check_rng_state(name: str, t: torch.Tensor, path) -> None:
    if t.dtype != torch.uint8 or t.dim() != 1 or t.numel() > MAX_RNG_BYTES:
        _fail(path, f"random generator state '{name}' is {t.dtype} {tuple(t.shape)}, not the bytes of a state")
    if name == "torch_global":
        if t.numel() != torch.get_rng_state().numel():
            _fail(path, f"random generator state '{name}' has {t.numel()} bytes, not a CPU generator's")
        return
    if t.numel() == CUDA_STATE_BYTES:
        return
    try:
        torch.Generator().set_state(t.clone())
    except (RuntimeError, ValueError, TypeError):
        _fail(path, f"random generator state '{name}' ({t.numel()} bytes) is not one a generator accepts")


def check_trainer(trainer, path) -> None:
    if not isinstance(trainer, dict):
        _fail(path, "trainer state is not an object")
    checks = {"step": lambda v: _int(v), "elapsed": lambda v: _num(v, 0.0),
              "best_nll": lambda v: v is None or _num(v), "best_step": lambda v: v is None or _int(v),
              "lr": lambda v: _num(v, 0.0), "lr_factor": lambda v: v is None or _num(v),
              "config": lambda v: isinstance(v, dict), "sampler": lambda v: isinstance(v, dict)}
    for key, ok in checks.items():
        if key in trainer and not ok(trainer[key]):
            _fail(path, f"trainer.{key} is {trainer[key]!r:.60}, not a value of its kind")
    sampler = trainer.get("sampler", {})
    order = sampler.get("order", [])
    if not isinstance(order, list) or not all(_int(i) for i in order) or not _int(sampler.get("pos", 0)):
        _fail(path, "trainer.sampler is not a batch order (whole numbers) and a position")


def check_contents(meta: dict, tensors: dict, path) -> None:
    """Raise ``CheckpointError`` unless the tensors and the sidecar match the model ``init_args`` describe."""
    bad = sorted(k for k in tensors if not k.startswith(PREFIXES))
    if bad:
        _fail(path, f"holds tensors GenLab never writes: {', '.join(bad[:3])}")
    try:
        model = meta_model(model_class(meta["family"]), meta["init_args"])
        model.configure_optimizers(1e-3)
    except GenLabError as e:
        _fail(path, f"describes a model that cannot be built ({e})")
    except (RuntimeError, ValueError, TypeError, KeyError, IndexError, ZeroDivisionError) as e:
        _fail(path, f"describes a model that cannot be built ({type(e).__name__}: {str(e)[:160]})")
    check_model_state(model, {k[len("model/"):]: v for k, v in tensors.items() if k.startswith("model/")}, path)
    saved = meta["optimizers"]
    if set(saved) != set(model.optimizers):
        _fail(path, f"has optimisers {sorted(saved)}, the model trains with {sorted(model.optimizers)}")
    for name, fresh in model.optimizers.items():
        params = [p for g in fresh.param_groups for p in g["params"]]
        _check_optimizer(name, fresh, saved[name], tensors, params, path)
    for key, t in tensors.items():
        if key.startswith("rng/"):
            check_rng_state(key[len("rng/"):], t, path)
    check_trainer(meta.get("trainer", {}), path)
