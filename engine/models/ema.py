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

    @torch.no_grad()
    def update(self, source: nn.Module) -> None:
        n = int(self.updates)
        d = min(self.decay, (1 + n) / (10 + n))
        src_params = list(source.parameters())
        dst_params = list(self.shadow.parameters())
        torch._foreach_lerp_(dst_params, [p.detach() for p in src_params], 1.0 - d)
        for dst, src in zip(self.shadow.buffers(), source.buffers()):
            dst.copy_(src)
        self.updates += 1

    def forward(self, *args, **kwargs):
        return self.shadow(*args, **kwargs)
