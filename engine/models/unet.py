"""Denoising networks for diffusion: a residual MLP for points and a small U-Net for images.

Both take the noisy input, the continuous time tau in [0, 1] and optional class labels, and return a
tensor of the input's shape (the predicted noise or velocity). Time enters every residual block as
a learned shift of its features, after a sinusoidal embedding (Ho et al., 2020); a class label adds a
learned embedding to the time embedding, with one extra index meaning "no label" for
classifier-free guidance. The U-Net adapts to the image size with ``nets.downsample_plan`` (8x8 -> one
halving, 28x28 -> two, 32x32 -> three) and keeps few channels at full resolution, so a display grid
of 64 images stays cheap on one CPU thread.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from engine.models.nets import downsample_plan, group_norm


def timestep_embedding(tau: torch.Tensor, dim: int, scale: float = 1000.0) -> torch.Tensor:
    """Sinusoidal features of ``tau * scale`` (N,) -> (N, dim), frequencies from 1 to 1/10000."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, device=tau.device, dtype=torch.float32) / half)
    args = tau.float()[:, None] * scale * freqs[None]
    emb = torch.cat([torch.cos(args), torch.sin(args)], dim=1)
    if dim % 2:
        emb = F.pad(emb, (0, 1))
    return emb


class Conditioning(nn.Module):
    """Time (and label) -> one embedding vector per example."""

    def __init__(self, dim: int, num_classes: int = 0):
        super().__init__()
        self.dim = dim
        self.mlp = nn.Sequential(nn.Linear(dim, dim), nn.SiLU(), nn.Linear(dim, dim))
        self.label = nn.Embedding(num_classes + 1, dim) if num_classes else None
        self.num_classes = num_classes

    def forward(self, tau: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        emb = self.mlp(timestep_embedding(tau, self.dim))
        if self.label is not None:
            if labels is None:  # unconditional: the reserved "no label" index
                labels = torch.full((tau.shape[0],), self.num_classes, dtype=torch.long, device=tau.device)
            emb = emb + self.label(labels)
        return emb


class PointDenoiser(nn.Module):
    """x (N, D), tau (N,) -> (N, D): ``depth`` residual blocks of width ``hidden``.

    The time (and label) embedding shifts every block's features; all the shifts come from one
    matrix product, and there are no normalisation layers, because on one CPU thread a 2D model's
    step is dominated by the number of small operations, not by arithmetic.
    """

    def __init__(self, dim: int, hidden: int, depth: int, num_classes: int = 0, emb_dim: int = 64,
                 fourier: int = 0, fourier_scale: float = 1.0):
        super().__init__()
        self.depth = depth
        self.cond = Conditioning(emb_dim, num_classes)
        # Random Fourier features of the input (Tancik et al., 2020): MLPs learn the fine, angular
        # structure of 2D densities (8 separate modes, a checkerboard) far sooner with them.
        # Fixed, seeded directions, kept as a buffer so checkpoints carry them.
        gen = torch.Generator().manual_seed(0)
        self.register_buffer("freqs", torch.randn(dim, fourier, generator=gen) * fourier_scale * 2 * math.pi)
        self.inp = nn.Linear(dim + 2 * fourier, hidden)
        self.shifts = nn.Linear(emb_dim, hidden * (depth + 1))
        self.fc1 = nn.ModuleList(nn.Linear(hidden, hidden) for _ in range(depth))
        self.fc2 = nn.ModuleList(nn.Linear(hidden, hidden) for _ in range(depth))
        self.out = nn.Linear(hidden, dim)

    def forward(self, x, tau, labels=None):
        shifts = self.shifts(F.silu(self.cond(tau, labels))).chunk(self.depth + 1, dim=1)
        if self.freqs.shape[1]:
            proj = x @ self.freqs
            x = torch.cat([x, torch.sin(proj), torch.cos(proj)], 1)
        h = self.inp(x) + shifts[0]
        for fc1, fc2, shift in zip(self.fc1, self.fc2, shifts[1:]):
            h = h + fc2(F.silu(fc1(F.silu(h)) + shift))
        return self.out(F.silu(h))


class ResBlock(nn.Module):
    def __init__(self, c_in: int, c_out: int, emb_dim: int, dropout: float = 0.0, group: int = 1):
        super().__init__()
        self.norm1 = group_norm(c_in, group)
        self.conv1 = nn.Conv2d(c_in, c_out, 3, padding=1)
        self.emb = nn.Linear(emb_dim, c_out)
        self.norm2 = group_norm(c_out, group)
        self.drop = nn.Dropout(dropout)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1)
        self.skip = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x, emb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.emb(emb)[:, :, None, None]
        h = self.conv2(self.drop(F.silu(self.norm2(h))))
        return self.skip(x) + h


class SelfAttention(nn.Module):
    """Single-head attention over positions, used only at the lowest resolution (cheap there)."""

    def __init__(self, ch: int, group: int = 1):
        super().__init__()
        self.norm = group_norm(ch, group)
        self.qkv = nn.Conv2d(ch, 3 * ch, 1)
        self.proj = nn.Conv2d(ch, ch, 1)

    def forward(self, x):
        n, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(n, 3, c, h * w).unbind(1)
        out = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2))
        return x + self.proj(out.transpose(1, 2).reshape(n, c, h, w))


class UNet(nn.Module):
    """(N, C, H, W), tau (N,) -> (N, C, H, W).

    Channels ``width * 2**level``; one residual block per level on the way down and two on the way
    up (one per skip), stride-2 convs down and nearest-neighbour upsampling + conv up, attention in
    the middle. Sides that cannot halve evenly (7 after 28 -> 14 -> 7) stop the descent. ``group``: the
    fewest channels each normalisation group holds (``nets.group_norm``).
    """

    def __init__(self, channels: int, size: tuple[int, int], width: int, num_classes: int = 0,
                 dropout: float = 0.0, attention: bool = True, group: int = 1):
        super().__init__()
        h, w = size
        levels = min(downsample_plan(h), downsample_plan(w))
        emb_dim = width * 4
        self.cond = Conditioning(emb_dim, num_classes)
        self.inp = nn.Conv2d(channels, width, 3, padding=1)
        chans = [width * 2 ** i for i in range(levels + 1)]
        self.down_blocks = nn.ModuleList()
        self.downsamples = nn.ModuleList()
        skip_ch = [width]
        ch = width
        for i, c in enumerate(chans):
            self.down_blocks.append(ResBlock(ch, c, emb_dim, dropout, group))
            ch = c
            skip_ch.append(ch)
            if i < levels:
                self.downsamples.append(nn.Conv2d(ch, ch, 3, stride=2, padding=1))
                skip_ch.append(ch)
        self.mid1 = ResBlock(ch, ch, emb_dim, dropout, group)
        self.mid_attn = SelfAttention(ch, group) if attention else nn.Identity()
        self.mid2 = ResBlock(ch, ch, emb_dim, dropout, group)
        self.up_blocks = nn.ModuleList()
        self.upsamples = nn.ModuleList()
        for i, c in reversed(list(enumerate(chans))):
            blocks = nn.ModuleList()
            for _ in range(2):
                blocks.append(ResBlock(ch + skip_ch.pop(), c, emb_dim, dropout, group))
                ch = c
            self.up_blocks.append(blocks)
            if i > 0:
                self.upsamples.append(nn.Conv2d(ch, ch, 3, padding=1))
        self.out_norm = group_norm(ch, group)
        self.out = nn.Conv2d(ch, channels, 3, padding=1)
        self.levels = levels

    def forward(self, x, tau, labels=None):
        emb = F.silu(self.cond(tau, labels))
        h = self.inp(x)
        skips = [h]
        for i, block in enumerate(self.down_blocks):
            h = block(h, emb)
            skips.append(h)
            if i < self.levels:
                h = self.downsamples[i](h)
                skips.append(h)
        h = self.mid2(self.mid_attn(self.mid1(h, emb)), emb)
        for j, blocks in enumerate(self.up_blocks):
            for block in blocks:
                h = block(torch.cat([h, skips.pop()], 1), emb)
            if j < self.levels:
                h = F.interpolate(h, scale_factor=2, mode="nearest")
                h = self.upsamples[j](h)
        return self.out(F.silu(self.out_norm(h)))


class FlatDenoiser(nn.Module):
    """(N, C, H, W), tau -> (N, C, H, W) through a ``PointDenoiser`` over the flattened image: no
    convolutions, so on a CPU a step costs a fraction of the smallest U-Net's; it learns the digits'
    shapes quickly but draws them less crisply than a U-Net given long enough."""

    def __init__(self, shape: tuple[int, int, int], hidden: int, depth: int, num_classes: int = 0):
        super().__init__()
        self.shape = tuple(shape)
        self.net = PointDenoiser(shape[0] * shape[1] * shape[2], hidden, depth, num_classes, emb_dim=128)

    def forward(self, x, tau, labels=None):
        return self.net(x.flatten(1), tau, labels).view(-1, *self.shape)
