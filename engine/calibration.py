"""How many training steps per second each candidate network size makes on this machine.

The preset (``engine.presets``) sizes a network for the person's time budget from these rates, so it
must know the machine, not guess it: a candidate is built at its real size and batch, trained on random
data of the run's shape for a few steps, and the fastest of those steps counts (the least disturbed by
other programs). Results are cached per device, thread count and torch version in
``<cache>/calibration.json`` (``GENLAB_CACHE`` or the platform cache folder), so a person pays the few
seconds once per data shape.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import torch

from engine.atomic import write_text_atomic
from engine.crash import user_dir
from engine.devices import resolve_device, set_torch_threads
from engine.models.base import Batch
from engine.models.registry import model_class

CACHE_FILE = "calibration.json"
TIMED_STEPS = 3          # after one warm-up step; the fastest counts
MAX_SECONDS = 4.0        # per candidate: a huge candidate stops after one timed step


def default_cache_path() -> Path:
    env = os.environ.get("GENLAB_CACHE")
    return (Path(env) if env else user_dir("cache")) / CACHE_FILE


def machine_key(device: str, threads: int) -> str:
    return f"{device}|threads={threads}|torch={torch.__version__}"


def candidate_key(family: str, spec, candidate) -> str:
    shape = "x".join(str(s) for s in spec.shape)
    settings = json.dumps({"model": candidate.model, "train": candidate.train}, sort_keys=True)
    return f"{family}|{spec.kind}|{shape}|levels={spec.levels}|{settings}"


def _read_cache(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def time_candidate(family: str, spec, candidate, device: torch.device) -> float:
    """Steps per second of ``candidate`` at its batch size on ``device`` (random data of ``spec``)."""
    cls = model_class(family)
    model = cls(spec.to_dict(), dict(candidate.model)).to(device)
    model.configure_optimizers(float(candidate.train.get("lr", 1e-3)))
    n = int(candidate.train.get("batch_size", 64))
    gen = torch.Generator().manual_seed(0)
    if spec.kind == "image":
        levels = (spec.levels or 256) - 1
        x = torch.randint(0, levels + 1, (n, *spec.shape), generator=gen).float() / levels
    else:
        x = torch.randn(n, *spec.shape, generator=gen)
    x = x.to(device)
    y = torch.randint(0, max(1, spec.num_classes), (n,), generator=gen).to(device) if spec.num_classes else None
    batch = Batch(x, y)
    best = float("inf")
    started = time.perf_counter()
    for i in range(TIMED_STEPS + 1):
        t0 = time.perf_counter()
        model.training_step(batch, gen)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        dt = time.perf_counter() - t0
        if i > 0:
            best = min(best, dt)
        if i > 0 and time.perf_counter() - started > MAX_SECONDS:
            break
    return 1.0 / best if best > 0 else 0.0


def measure_rates(family: str, spec, candidates, device: str = "cpu", threads: int = 1, cache_path=None,
                  measure: bool = True) -> dict[str, float]:
    """Steps/s per candidate name: cached figures, else timed now (when ``measure``) and cached."""
    path = Path(cache_path) if cache_path is not None else default_cache_path()
    dev = resolve_device(device)
    n_threads = set_torch_threads(threads)
    cache = _read_cache(path)
    mine = cache.setdefault(machine_key(str(dev), n_threads), {})
    rates, changed = {}, False
    for c in candidates:
        key = candidate_key(family, spec, c)
        if key not in mine and measure:
            mine[key] = time_candidate(family, spec, c, dev)
            changed = True
        if key in mine:
            rates[c.name] = float(mine[key])
    if changed:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(path, json.dumps(cache, indent=1))
        except OSError:
            pass  # a read-only cache costs a new measurement next time, nothing else
    return rates
