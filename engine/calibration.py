"""How many training steps per second each candidate network size makes on this machine.

The preset (``engine.presets``) sizes a network for the person's time budget from these rates, so it
must know the machine, not guess it: a candidate is built at its real size and batch, trained on random
data of the run's shape for a few steps, and the fastest of those steps counts (the least disturbed by
other programs). Results are cached per device, thread count and torch version in
``<cache>/calibration.json`` (``GENLAB_CACHE`` or the platform cache folder), so a person pays the few
seconds once per data shape.

A fastest step is not enough when other programs keep every core busy for the whole measurement: then
each step is slow, and a rate cached then would size every later run for a busy machine (measured: four
benchmarks on two cores gave 55% of the quiet rate, and the smaller diffusion size). So the measurement
also reads the processor time it got (the thread's at one thread, else the process's) over the wall time
it asked for (threads x seconds, on the CPU device). Below ``BUSY_SHARE`` the rate is "busy": it is used
(it is what the machine gives now), kept apart in the cache under ``<machine>|busy`` (older versions read
only the quiet entries) and measured again on the next plan, where a quiet measurement replaces it.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch

from engine.atomic import write_text_atomic
from engine.crash import user_dir
from engine.devices import resolve_device, set_torch_threads
from engine.models.base import Batch
from engine.models.registry import model_class

CACHE_FILE = "calibration.json"
TIMED_STEPS = 3          # after one warm-up step; the fastest counts
MIN_WINDOW_S = 0.25      # timed steps go on until this much wall time, so the processor share is not one time slice
MAX_SECONDS = 4.0        # per candidate: a huge candidate stops after one timed step
BUSY_SHARE = 0.75        # measured here: quiet 0.99-1.0 at one and two threads; a quarter of a CPU 0.2-0.26
BUSY_SUFFIX = "|busy"


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


@dataclass
class Timing:
    """One candidate timed now: ``rate`` (steps/s of its fastest step) and ``cpu_share`` (processor time
    got over threads x wall time, for all timed steps; None off the CPU)."""

    rate: float
    cpu_share: float | None = None

    @property
    def busy(self) -> bool:
        return self.cpu_share is not None and self.cpu_share < BUSY_SHARE


@dataclass
class Calibration:
    """Steps/s per candidate name, and the lowest processor share among those that were measured busy
    (now, or cached so and not measured again); None when every rate came from a quiet machine."""

    rates: dict[str, float] = field(default_factory=dict)
    busy_share: float | None = None


def time_candidate(family: str, spec, candidate, device: torch.device, threads: int = 1) -> Timing:
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
    # Processor time: this thread's at one thread (torch then computes on the calling thread, and the
    # process's other threads, a window's among them, would count as this one's); else the process's.
    # The share is read over the whole span of timed steps: summed per step it missed the waits that the
    # scheduler puts between steps (at the clock reads), and read 0.65-0.94 for 2.6 ms steps on a CPU that
    # gave this thread a quarter.
    cpu_clock = time.thread_time if threads <= 1 else time.process_time

    def step() -> None:
        model.training_step(batch, gen)
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    started = time.perf_counter()
    step()                                   # warm-up: first-call costs are not the rate
    span_wall, span_cpu = time.perf_counter(), cpu_clock()
    best, timed = float("inf"), 0
    while True:
        t0 = time.perf_counter()
        step()
        now = time.perf_counter()
        best, timed = min(best, now - t0), timed + 1
        if now - started > MAX_SECONDS or (timed >= TIMED_STEPS and now - span_wall >= MIN_WINDOW_S):
            break
    wall = time.perf_counter() - span_wall
    share = min(1.0, (cpu_clock() - span_cpu) / (wall * max(1, threads))) if device.type == "cpu" else None
    return Timing(1.0 / best if best > 0 else 0.0, share)


def calibrate(family: str, spec, candidates, device: str = "cpu", threads: int = 1, cache_path=None,
              measure: bool = True) -> Calibration:
    """Steps/s per candidate: quiet cached figures, else timed now (when ``measure``) and cached, else
    (``measure=False``) a busy cached figure."""
    path = Path(cache_path) if cache_path is not None else default_cache_path()
    dev = resolve_device(device)
    n_threads = set_torch_threads(threads)
    cache = _read_cache(path)
    machine = machine_key(str(dev), n_threads)
    quiet = cache.get(machine)
    if not isinstance(quiet, dict):       # absent, or a damaged file: measured again
        quiet = cache[machine] = {}
    busy = cache.get(machine + BUSY_SUFFIX)
    busy = dict(busy) if isinstance(busy, dict) else {}
    result, changed = Calibration(), False
    shares = []
    for c in candidates:
        key = candidate_key(family, spec, c)
        settled = _number(quiet.get(key))
        if settled is not None:
            result.rates[c.name] = settled
            continue
        earlier = _busy_entry(busy.get(key))
        if measure:
            timing = time_candidate(family, spec, c, dev, n_threads)
            changed = True
            if not timing.busy:
                quiet[key] = timing.rate
                busy.pop(key, None)
                result.rates[c.name] = timing.rate
                continue
            # busy again: the faster of the two busy figures is nearer what the machine gives
            if earlier is None or timing.rate >= earlier[0]:
                earlier = (timing.rate, timing.cpu_share)
            busy[key] = list(earlier)
        if earlier is not None:
            result.rates[c.name] = earlier[0]
            shares.append(earlier[1])
    result.busy_share = min(shares) if shares else None
    if changed:
        if busy:
            cache[machine + BUSY_SUFFIX] = busy
        else:
            cache.pop(machine + BUSY_SUFFIX, None)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(path, json.dumps(cache, indent=1))
        except OSError:
            pass  # a read-only cache costs a new measurement next time, nothing else
    return result


def _number(value) -> float | None:
    """A cached quiet rate, or None (absent, or not a positive number)."""
    try:
        rate = float(value)
    except (TypeError, ValueError):
        return None
    return rate if rate > 0 else None


def _busy_entry(value) -> tuple[float, float] | None:
    """A cached busy figure ``[rate, share]``, or None (absent, or not in that form)."""
    try:
        rate, share = value
        share = float(share)
    except (TypeError, ValueError):
        return None
    rate = _number(rate)
    return None if rate is None else (rate, share)


def measure_rates(family: str, spec, candidates, device: str = "cpu", threads: int = 1, cache_path=None,
                  measure: bool = True) -> dict[str, float]:
    """Steps/s per candidate name (``calibrate``'s rates)."""
    return calibrate(family, spec, candidates, device, threads, cache_path, measure).rates
