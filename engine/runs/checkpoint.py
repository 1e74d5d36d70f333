"""Checkpoints without pickle: tensors in safetensors, structure in a JSON sidecar.

A checkpoint is two files, ``ckpt_<step>.safetensors`` and ``ckpt_<step>.json``. The sidecar is
written last and records the tensor file's size and SHA-256, so a checkpoint whose tensor file was
torn, truncated or swapped is refused and the previous one is used. Optimiser state is flattened into
tensors (``optim/<name>/<param index>/<key>``) with its non-tensor parts in the sidecar; random
generator states are uint8 tensors. Nothing here calls ``pickle`` or ``torch.load``.

Checkpoints are device-independent: every tensor is saved from the host and loaded to wherever the
model is. Random generator states are the exception torch makes: a CPU generator refuses a CUDA
(Philox) state and the reverse, so a run trained on a GPU and resumed on a laptop (or the reverse)
restores each generator whose state its device accepts and re-seeds the others deterministically
(``restore_generators``), saying so in the run's log.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save

from engine.atomic import write_bytes_atomic, write_text_atomic
from engine.budget import available, size_text
from engine.errors import CheckpointError, GenLabError
from engine.models.registry import model_class
from engine.models.size_guard import ModelTooLargeError, estimate
from engine.runs.checkpoint_contents import check_contents
from engine.runs.trust import check_init_args
from engine.safe_io import read_bytes, read_json, ReadRefused

FORMAT = "genlab-checkpoint"
FORMAT_VERSION = 1
MAX_SIDECAR_BYTES = 16 * 1024 * 1024
MAX_TENSOR_BYTES = 8 * 1024 ** 3
NAME_RE = re.compile(r"^ckpt_(\d{9})\.json$")


@dataclass
class CheckpointData:
    step: int
    family: str
    init_args: dict
    model_state: dict[str, torch.Tensor]
    optim_states: dict[str, dict]
    rng_states: dict[str, torch.Tensor]
    trainer: dict
    path: Path


def _flatten_optimizer(name: str, state: dict, tensors: dict) -> dict:
    """Put an optimiser's tensors into ``tensors``; return its JSON-able remainder."""
    scalars: dict[str, dict] = {}
    for idx, per_param in state["state"].items():
        for key, value in per_param.items():
            if isinstance(value, torch.Tensor):
                tensors[f"optim/{name}/{idx}/{key}"] = value.detach().to("cpu", copy=True).contiguous()
            else:
                scalars.setdefault(str(idx), {})[key] = value
    groups = []
    for g in state["param_groups"]:
        groups.append({k: (list(v) if isinstance(v, tuple) else v) for k, v in g.items()})
    return {"param_groups": groups, "scalars": scalars}


def _unflatten_optimizer(name: str, meta: dict, tensors: dict) -> dict:
    state: dict[int, dict] = {}
    prefix = f"optim/{name}/"
    for key, value in tensors.items():
        if key.startswith(prefix):
            idx, k = key[len(prefix):].split("/", 1)
            state.setdefault(int(idx), {})[k] = value
    for idx, extra in meta.get("scalars", {}).items():
        state.setdefault(int(idx), {}).update(extra)
    groups = []
    for g in meta["param_groups"]:
        g = dict(g)
        if "betas" in g and isinstance(g["betas"], list):
            g["betas"] = tuple(g["betas"])
        groups.append(g)
    return {"state": state, "param_groups": groups}


def save_checkpoint(folder: str | Path, step: int, model, generators: dict[str, torch.Generator],
                    trainer: dict | None = None) -> Path:
    """Write a checkpoint atomically; returns the sidecar's path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tensors: dict[str, torch.Tensor] = {}
    for k, v in model.state_dict().items():
        tensors[f"model/{k}"] = v.detach().to("cpu", copy=True).contiguous()
    optim_meta = {name: _flatten_optimizer(name, opt.state_dict(), tensors)
                  for name, opt in model.optimizers.items()}
    for name, gen in generators.items():
        tensors[f"rng/{name}"] = gen.get_state().to("cpu", copy=True)
    tensors["rng/torch_global"] = torch.get_rng_state()
    blob = st_save(tensors, metadata={"format": FORMAT, "step": str(step)})
    stem = f"ckpt_{step:09d}"
    tensor_path = folder / f"{stem}.safetensors"
    write_bytes_atomic(tensor_path, blob)
    sidecar = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "step": step,
        "family": model.family,
        "init_args": model.init_args,
        "optimizers": optim_meta,
        "rng": sorted(generators),
        # where each generator lived: a state saved on one device may not load on another (restore_generators)
        "rng_devices": {name: gen.device.type for name, gen in generators.items()},
        "trainer": trainer or {},
        "file": tensor_path.name,
        "bytes": len(blob),
        "sha256": hashlib.sha256(blob).hexdigest(),
        "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    try:
        return write_text_atomic(folder / f"{stem}.json", json.dumps(sidecar, indent=1))
    except OSError:
        try:  # no sidecar, no checkpoint: do not leave an orphan tensor file filling the disk
            tensor_path.unlink()
        except OSError:
            pass
        raise


def list_checkpoints(folder: str | Path) -> list[Path]:
    """Sidecars in ``folder``, oldest first (by step)."""
    folder = Path(folder)
    try:
        found = [p for p in folder.iterdir() if NAME_RE.match(p.name)]
    except OSError:
        return []
    return sorted(found, key=lambda p: int(NAME_RE.match(p.name).group(1)))


def read_sidecar(path: Path) -> dict:
    try:
        meta = read_json(path, MAX_SIDECAR_BYTES, "checkpoint description")
    except OSError as e:
        raise CheckpointError(f"{path}: cannot be read ({e.strerror or e})") from None
    except ReadRefused as e:
        raise CheckpointError(f"{e} (not a readable checkpoint description)") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not a GenLab checkpoint")
    if meta.get("version") != FORMAT_VERSION:
        raise CheckpointError(f"{path}: checkpoint format version {str(meta.get('version'))[:40]} is not supported")
    for key, kind in (("step", int), ("family", str), ("init_args", dict), ("file", str), ("bytes", int),
                      ("sha256", str), ("optimizers", dict)):
        if not isinstance(meta.get(key), kind) or isinstance(meta.get(key), bool):
            raise CheckpointError(f"{path}: field '{key}' is missing or has the wrong type")
    if "/" in meta["file"] or "\\" in meta["file"] or not meta["file"].endswith(".safetensors"):
        raise CheckpointError(f"{path}: refers to a tensor file outside its folder")
    if not isinstance(meta.get("trainer", {}), dict) or not isinstance(meta.get("rng", []), list):
        raise CheckpointError(f"{path}: field 'trainer' or 'rng' has the wrong type")
    return meta


def read_tensor_file(path: Path, expected_bytes: int) -> bytes:
    """The bytes of a checkpoint's tensor file: a regular file of exactly ``expected_bytes``, read with
    that bound whatever the file system says."""
    try:
        blob = read_bytes(path, min(expected_bytes, MAX_TENSOR_BYTES), "checkpoint tensor file")
    except FileNotFoundError:
        raise CheckpointError(f"{path}: missing (the checkpoint is incomplete)") from None
    except OSError as e:
        raise CheckpointError(f"{path}: cannot be read ({e.strerror or e})") from None
    except ReadRefused as e:
        raise CheckpointError(f"{e} (its description says {expected_bytes} bytes)") from None
    if len(blob) != expected_bytes:
        raise CheckpointError(f"{path}: has {len(blob)} bytes, its description says {expected_bytes} "
                              "(the file is damaged or was replaced)")
    return blob


def load_checkpoint(sidecar_path: str | Path, map_location: str = "cpu") -> CheckpointData:
    """Read and verify one checkpoint: its description, the model it describes (sized on the meta device
    before anything is read or built), size and SHA-256 of its tensor file, and every tensor and
    setting against that model (``engine.runs.checkpoint_contents``)."""
    sidecar_path = Path(sidecar_path)
    meta = read_sidecar(sidecar_path)
    check_init_args(meta["family"], meta["init_args"], sidecar_path)  # before anything is built from it
    tensor_path = sidecar_path.with_name(meta["file"])
    if meta["bytes"] > MAX_TENSOR_BYTES or meta["bytes"] < 0:
        raise CheckpointError(f"{tensor_path}: its description says {meta['bytes']} bytes, more than the "
                              f"{MAX_TENSOR_BYTES // 2**30} GB a checkpoint may have")
    _check_room(meta, tensor_path)
    blob = read_tensor_file(tensor_path, meta["bytes"])
    if hashlib.sha256(blob).hexdigest() != meta["sha256"]:
        raise CheckpointError(f"{tensor_path}: checksum mismatch (the file is damaged or was replaced)")
    try:
        tensors = st_load(blob)
    except Exception as e:  # safetensors raises its own error types for malformed headers
        raise CheckpointError(f"{tensor_path}: not a valid safetensors file ({e})") from None
    del blob
    check_contents(meta, tensors, tensor_path)
    model_state = {k[len("model/"):]: v.to(map_location) for k, v in tensors.items() if k.startswith("model/")}
    optim_states = {name: _unflatten_optimizer(name, m, tensors) for name, m in meta["optimizers"].items()}
    rng = {k[len("rng/"):]: v for k, v in tensors.items() if k.startswith("rng/")}
    return CheckpointData(step=meta["step"], family=meta["family"], init_args=meta["init_args"],
                          model_state=model_state, optim_states=optim_states, rng_states=rng,
                          trainer=meta.get("trainer", {}), path=sidecar_path)


def _check_room(meta: dict, tensor_path: Path) -> None:
    """Before reading: the tensor file must be able to hold the model's weights, and reading it plus
    building the model must fit in memory (a lying description is a damaged checkpoint; a true one
    too large for this machine is refused with the estimate)."""
    try:
        est = estimate(model_class(meta["family"]), meta["init_args"])
    except GenLabError as e:
        raise CheckpointError(f"{tensor_path}: describes a model that cannot be built ({e})") from None
    except (RuntimeError, ValueError, TypeError, KeyError, IndexError, ZeroDivisionError) as e:
        raise CheckpointError(f"{tensor_path}: describes a model that cannot be built "
                              f"({type(e).__name__}: {str(e)[:160]})") from None
    if est.state_bytes > meta["bytes"]:
        raise CheckpointError(f"{tensor_path}: holds {size_text(meta['bytes'])}, but the model its description "
                              f"asks for has {size_text(est.state_bytes)} of weights ({est.parameters:,} "
                              "parameters); the description does not belong to this file")
    need, have = meta["bytes"] + est.total(training=False), available()
    if need > have:
        raise ModelTooLargeError(f"{tensor_path}: reading this checkpoint and building its model would need "
                                 f"{size_text(need)} ({est.describe(False)}); only {size_text(have)} of "
                                 "memory is free")


def latest_checkpoint(folder: str | Path, map_location: str = "cpu") -> CheckpointData | None:
    """The newest checkpoint that verifies; damaged newer ones are skipped."""
    for sidecar in reversed(list_checkpoints(folder)):
        try:
            return load_checkpoint(sidecar, map_location)
        except CheckpointError:
            continue
    return None


def prune_checkpoints(folder: str | Path, keep: int, protect: set[int] | frozenset = frozenset()) -> None:
    """Delete all but the ``keep`` newest checkpoints, sparing the steps in ``protect`` (the best)."""
    sidecars = list_checkpoints(folder)
    for sidecar in sidecars[:-keep] if keep > 0 else sidecars:
        step = int(NAME_RE.match(sidecar.name).group(1))
        if step in protect:
            continue
        for p in (sidecar, sidecar.with_suffix(".safetensors")):
            try:
                p.unlink()
            except OSError:
                pass


def restore_model(model, data: CheckpointData) -> None:
    model.load_state_dict(data.model_state)
    for name, state in data.optim_states.items():
        if name in model.optimizers:
            model.optimizers[name].load_state_dict(state)


RESEED_STRIDE = 1_000_003   # a prime: runs re-seeded at different steps draw unrelated streams


def reseed_value(seed: int, step: int) -> int:
    """The seed a generator gets when its saved state cannot be restored on this device: a function of the
    generator's own seed and the checkpoint's step only, so every resume of that checkpoint on this kind
    of device continues identically."""
    return (int(seed) + RESEED_STRIDE * int(step)) % (2 ** 63)


def restore_generators(generators: dict[str, torch.Generator], states: dict[str, torch.Tensor],
                       seeds: dict[str, int], step: int) -> list[str]:
    """Set each generator to its saved state; where this device's generator refuses the state (saved on
    another kind of device), seed it with ``reseed_value(seeds[name], step)`` instead. Returns one line
    per generator re-seeded, for the run's log (its random stream differs from the uninterrupted run's
    from here on; the weights, optimiser and data order are exactly restored)."""
    notes = []
    for name, gen in generators.items():
        state = states.get(name)
        if state is None:
            continue
        try:
            gen.set_state(state.clone())
            continue
        except (RuntimeError, ValueError, TypeError):
            pass
        value = reseed_value(seeds.get(name, 0), step)
        gen.manual_seed(value)
        notes.append(f"the '{name}' random generator's state was saved on another kind of device "
                     f"({state.numel()} bytes; this {gen.device.type} generator cannot take it): re-seeded "
                     f"with {value} (its seed and step {step})")
    return notes
