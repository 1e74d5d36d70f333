"""Devices and CPU threads: ``auto`` picks CUDA, then Apple MPS, then the CPU."""

from __future__ import annotations

import os

import torch

from engine.errors import ConfigError


def available_devices() -> list[str]:
    out = ["cpu"]
    if torch.cuda.is_available():
        out.insert(0, "cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        out.insert(0, "mps")
    return out


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name not in ("cpu", "cuda", "mps") and not name.startswith("cuda:"):
        raise ConfigError("train.device", name, "one of auto, cpu, cuda, mps")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError("train.device", name, "a device this machine has: " + ", ".join(available_devices()))
    if name == "mps" and "mps" not in available_devices():
        raise ConfigError("train.device", name, "a device this machine has: " + ", ".join(available_devices()))
    return torch.device(name)


def default_threads() -> int:
    """cores - 1, at least 1: leaves a core for the window (two busy cores run torch many times slower)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return max(1, cores - 1)


def set_torch_threads(threads: int) -> int:
    """Set torch's CPU threads for the calling thread (0 means the default); returns the number set."""
    n = threads if threads and threads > 0 else default_threads()
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    return n


def describe_device(device: torch.device) -> str:
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    return device.type
