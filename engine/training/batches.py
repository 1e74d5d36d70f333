"""``BatchSampler``: which training examples each step reads, in which order; ``BatchSource``: where
the training set lives and how a batch reaches the device.

Shuffled without replacement from the ``train`` generator; in a distributed job every rank draws the
same global order and rank ``r`` of ``world`` takes every world-th index of each global batch, so the
ranks read disjoint shards of the batch one process would read (``engine.training.distributed``). Its
state travels in checkpoints, so a resumed run reads exactly what the uninterrupted one would.
"""

from __future__ import annotations

import torch

from engine.devices import to_device
from engine.models.base import Batch


class BatchSampler:
    """Shuffled batches without replacement; rank ``r`` of ``world`` takes every world-th index."""

    def __init__(self, n: int, batch_size: int, generator: torch.Generator, rank: int = 0, world: int = 1):
        self.n, self.batch_size, self.generator = n, batch_size, generator
        self.rank, self.world = rank, world
        self._order = torch.empty(0, dtype=torch.long)
        self._pos = 0

    def next(self) -> torch.Tensor:
        need = self.batch_size * self.world
        if self._pos + need > len(self._order):
            rest = self._order[self._pos:]
            fresh = torch.randperm(self.n, generator=self.generator)
            while len(rest) + len(fresh) < need:  # a dataset smaller than a global batch
                fresh = torch.cat([fresh, torch.randperm(self.n, generator=self.generator)])
            self._order, self._pos = torch.cat([rest, fresh]), 0
        idx = self._order[self._pos:self._pos + need]
        self._pos += need
        return idx[self.rank::self.world]

    def state(self) -> dict:
        return {"order": self._order.tolist(), "pos": self._pos}

    def load_state(self, state: dict) -> None:
        order = torch.tensor(state.get("order", []), dtype=torch.long)
        if len(order) and (int(order.min()) < 0 or int(order.max()) >= self.n):
            order = torch.empty(0, dtype=torch.long)  # another dataset size: start a fresh epoch
        self._order = order
        self._pos = min(int(state.get("pos", 0)), len(order))


class BatchSource:
    """The training set where the device policy puts it, and the batches gathered from it.

    ``on_device`` (``engine.devices.keep_data_on_device``): the set is copied to the device once and
    each step sends only its indices (one non-blocking copy from pinned memory, no wait); otherwise the
    set stays on the host and each step gathers its batch there and sends it the same way. Either way a
    step never makes the host wait for the device."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor | None, device: torch.device, on_device: bool):
        self.device, self.on_device = device, on_device
        place = (lambda t: t.to(device)) if on_device else (lambda t: t)
        self.x = place(x)
        self.y = place(y) if y is not None else None

    def batch(self, idx: torch.Tensor) -> Batch:
        """The examples at ``idx`` (host indices, from ``BatchSampler``) on the device."""
        if self.on_device:
            idx = to_device(idx, self.device)
            return Batch(self.x.index_select(0, idx), self.y.index_select(0, idx) if self.y is not None else None)
        x = to_device(self.x.index_select(0, idx), self.device)
        return Batch(x, to_device(self.y.index_select(0, idx), self.device) if self.y is not None else None)
