"""An exponential moving average of a module's weights, used for sampling (GAN, diffusion, ...).

The decay warms up as min(decay, (1 + n) / (10 + n)) so early averages are not dominated by the
random initialisation, and buffers (BatchNorm statistics, ActNorm state) are copied, not averaged.
The copy is a registered submodule, so it lives in the model's state dict and in every checkpoint;
its parameters never require gradients, so optimisers never see them.
"""

from __future__ import annotations

import copy

import torch
from torch import nn


class EMA(nn.Module):
    def __init__(self, source: nn.Module, decay: float = 0.999):
        super().__init__()
        self.decay = decay
        self.shadow = copy.deepcopy(source)
        for p in self.shadow.parameters():
            p.requires_grad_(False)
        self.register_buffer("updates", torch.zeros((), dtype=torch.long))
        # The count on the host too (None: read the buffer once), so the decay needs no read from the
        # device each step: on a GPU that read (a host sync) would stall every training step.
        self._updates: int | None = None

    def _load_from_state_dict(self, *args, **kwargs):
        super()._load_from_state_dict(*args, **kwargs)
        self._updates = None  # the loaded buffer decides again

    @torch.no_grad()
    def update(self, source: nn.Module) -> None:
        if self._updates is None:
            self._updates = int(self.updates)  # once per run (or per load), not per step
        n = self._updates
        d = min(self.decay, (1 + n) / (10 + n))
        src_params = list(source.parameters())
        dst_params = list(self.shadow.parameters())
        torch._foreach_lerp_(dst_params, [p.detach() for p in src_params], 1.0 - d)
        for dst, src in zip(self.shadow.buffers(), source.buffers()):
            dst.copy_(src)
        self.updates += 1
        self._updates = n + 1

    def forward(self, *args, **kwargs):
        return self.shadow(*args, **kwargs)
