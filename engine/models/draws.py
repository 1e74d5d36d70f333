"""Random draws for the families: noise from the caller's generator on any device, sharded for
distributed training (``noise_shard``), and one-hot rows without a host synchronisation.
"""

from __future__ import annotations

import contextlib
import threading

import torch


def _gen_device(generator: torch.Generator | None, fallback: torch.device) -> torch.device:
    return generator.device if generator is not None else fallback


_noise_shard = threading.local()


@contextlib.contextmanager
def noise_shard(rank: int, world: int):
    """Distributed training: inside this block ``randn`` and ``rand`` draw the noise of the whole global
    batch (``world`` times the first dimension) and keep this rank's rows ``rank, rank + world, ...``,
    the rows the batch sampler deals it. N ranks with batch B then get exactly the noise one process
    with batch N*B gets, so their averaged gradients are that process's gradient. The loop wraps only
    the training step in it (display samples and evaluation draw as usual); world 1 changes nothing."""
    if world <= 1:
        yield
        return
    previous = getattr(_noise_shard, "value", None)
    _noise_shard.value = (int(rank), int(world))
    try:
        yield
    finally:
        _noise_shard.value = previous


def _draw(fn, shape, generator, device, dtype) -> torch.Tensor:
    shard = getattr(_noise_shard, "value", None)
    shape = tuple(shape)
    if shard is not None and shape:
        rank, world = shard
        full = _draw_plain(fn, (shape[0] * world,) + shape[1:], generator, device, dtype)
        return full[rank::world].contiguous()
    return _draw_plain(fn, shape, generator, device, dtype)


def _draw_plain(fn, shape, generator, device, dtype) -> torch.Tensor:
    if generator is not None and generator.device != torch.device(device):
        return fn(shape, generator=generator, device=generator.device, dtype=dtype).to(device)
    return fn(shape, generator=generator, device=device, dtype=dtype)


def one_hot(labels: torch.Tensor, classes: int, dtype=torch.float32) -> torch.Tensor:
    """One-hot rows of ``labels`` as ``dtype``. Not ``F.one_hot``: it reads the labels' range back to the
    host to check it, a GPU synchronisation in every conditional step (engine.devices' sync policy)."""
    return (labels.unsqueeze(-1) == torch.arange(classes, device=labels.device)).to(dtype)


def randn(shape, generator: torch.Generator | None, device, dtype=torch.float32) -> torch.Tensor:
    """Normal noise from ``generator`` on ``device`` (generators are per device in torch)."""
    return _draw(torch.randn, shape, generator, device, dtype)


def rand(shape, generator: torch.Generator | None, device, dtype=torch.float32) -> torch.Tensor:
    return _draw(torch.rand, shape, generator, device, dtype)
