"""A minimal DDPM on 28x28 grey images: the simplest public recipe, as a yardstick for bench/images.py.

Ho et al. (2020) as minimal public re-implementations write it (e.g. minDiffusion, the DDPM MNIST
examples): a small U-Net (two halvings 28 -> 14 -> 7, 32/64 channels, GroupNorm, SiLU, sinusoidal time
embedding added in every block, skip connections by concatenation), the linear schedule of betas 1e-4 ..
0.02 over T = 1000 steps, epsilon prediction with the plain squared error, t drawn uniformly, Adam 2e-4,
batch 128, no EMA, and ancestral sampling with all 1000 steps (sigma_t^2 = beta_t), clipped to [-1, 1]
at the end. Nothing here is GenLab's: the point is to compare GenLab's diffusion defaults with what a
person would get from the textbook recipe in the same CPU time and threads.
"""

from __future__ import annotations

import math
import time

import torch
import torch.nn.functional as F
from torch import nn

T = 1000


def _emb(t: torch.Tensor, dim: int) -> torch.Tensor:
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    args = t.float()[:, None] * freqs[None]
    return torch.cat([args.sin(), args.cos()], 1)


class Block(nn.Module):
    def __init__(self, c_in: int, c_out: int, emb: int):
        super().__init__()
        self.c1, self.c2 = nn.Conv2d(c_in, c_out, 3, padding=1), nn.Conv2d(c_out, c_out, 3, padding=1)
        self.n1, self.n2 = nn.GroupNorm(8, c_out), nn.GroupNorm(8, c_out)
        self.t = nn.Linear(emb, c_out)

    def forward(self, x, e):
        h = F.silu(self.n1(self.c1(x))) + self.t(e)[:, :, None, None]
        return F.silu(self.n2(self.c2(h)))


class SmallUNet(nn.Module):
    """eps(x_t, t): 28 -> 14 -> 7 and back, 32 and 64 channels."""

    def __init__(self, c: int = 32, emb: int = 128):
        super().__init__()
        self.emb = emb
        self.temb = nn.Sequential(nn.Linear(emb, emb), nn.SiLU(), nn.Linear(emb, emb))
        self.d1, self.d2, self.mid = Block(1, c, emb), Block(c, 2 * c, emb), Block(2 * c, 2 * c, emb)
        self.u2, self.u1 = Block(4 * c, c, emb), Block(2 * c, c, emb)
        self.out = nn.Conv2d(c, 1, 1)

    def forward(self, x, t):
        e = self.temb(_emb(t, self.emb))
        h1 = self.d1(x, e)                                # 28
        h2 = self.d2(F.avg_pool2d(h1, 2), e)             # 14
        m = self.mid(F.avg_pool2d(h2, 2), e)             # 7
        u = self.u2(torch.cat([F.interpolate(m, scale_factor=2), h2], 1), e)
        u = self.u1(torch.cat([F.interpolate(u, scale_factor=2), h1], 1), e)
        return self.out(u)


class MinimalDDPM:
    def __init__(self, seed: int = 0):
        torch.manual_seed(seed)
        self.net = SmallUNet()
        self.betas = torch.linspace(1e-4, 0.02, T)
        self.alphas = 1 - self.betas
        self.abar = torch.cumprod(self.alphas, 0)
        self.opt = torch.optim.Adam(self.net.parameters(), lr=2e-4)
        self.gen = torch.Generator().manual_seed(seed)
        self.steps = 0
        self.seconds = 0.0      # training CPU seconds so far (kept by the caller)

    def train_for(self, x_train: torch.Tensor, seconds: float, clock=time.thread_time, batch: int = 128) -> int:
        """Train on images in [0, 1] (N, 1, 28, 28) for ``seconds`` of ``clock``; returns the steps so far."""
        t0 = clock()
        while clock() - t0 < seconds:
            x0 = x_train[torch.randint(0, len(x_train), (batch,), generator=self.gen)] * 2 - 1
            t = torch.randint(0, T, (batch,), generator=self.gen)
            noise = torch.randn(x0.shape, generator=self.gen)
            ab = self.abar[t].view(-1, 1, 1, 1)
            loss = F.mse_loss(self.net(ab.sqrt() * x0 + (1 - ab).sqrt() * noise, t), noise)
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            self.steps += 1
        return self.steps

    @torch.no_grad()
    def sample(self, n: int, seed: int = 1) -> torch.Tensor:
        """Ancestral sampling with all T steps; images in [0, 1]."""
        gen = torch.Generator().manual_seed(seed)
        x = torch.randn((n, 1, 28, 28), generator=gen)
        for i in reversed(range(T)):
            eps = self.net(x, torch.full((n,), i, dtype=torch.long))
            a, ab, b = self.alphas[i], self.abar[i], self.betas[i]
            x = (x - b / (1 - ab).sqrt() * eps) / a.sqrt()
            if i > 0:
                x = x + b.sqrt() * torch.randn(x.shape, generator=gen)
        return ((x.clamp(-1, 1) + 1) / 2)
