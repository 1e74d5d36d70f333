"""Building blocks shared by families: MLPs for points, conv stacks that adapt to the image size."""

from __future__ import annotations

import math

from torch import nn


def mlp(d_in: int, d_out: int, hidden: int, depth: int, act=nn.SiLU) -> nn.Sequential:
    """``depth`` hidden layers of width ``hidden``."""
    layers: list[nn.Module] = []
    d = d_in
    for _ in range(depth):
        layers += [nn.Linear(d, hidden), act()]
        d = hidden
    layers.append(nn.Linear(d, d_out))
    return nn.Sequential(*layers)


def downsample_plan(size: int, max_downs: int = 3, min_size: int = 4) -> int:
    """How many stride-2 halvings an image side allows while staying even and >= ``min_size``."""
    downs = 0
    while downs < max_downs and size % 2 == 0 and size // 2 >= min_size:
        size //= 2
        downs += 1
    return downs


def group_norm(ch: int, min_group_channels: int = 1) -> nn.GroupNorm:
    """Up to 8 groups (a power of two dividing ``ch``), halved while a group would hold fewer than
    ``min_group_channels`` channels. With 1, a layer of 8 channels normalises each channel alone, which
    removes every channel's per-image mean (a whole shape's colour) before each block."""
    groups = math.gcd(ch, 8)
    while groups > 1 and ch // groups < min_group_channels:
        groups //= 2
    return nn.GroupNorm(groups, ch)


class ConvEncoder(nn.Module):
    """(C, H, W) -> feature vector: a 3x3 stem, then stride-2 convs while the size allows."""

    def __init__(self, in_ch: int, size: tuple[int, int], width: int, out_dim: int):
        super().__init__()
        h, w = size
        downs = min(downsample_plan(h), downsample_plan(w))
        layers: list[nn.Module] = [nn.Conv2d(in_ch, width, 3, padding=1), nn.SiLU()]
        ch = width
        for _ in range(downs):
            layers += [nn.Conv2d(ch, ch * 2, 4, stride=2, padding=1), group_norm(ch * 2), nn.SiLU()]
            ch *= 2
            h, w = h // 2, w // 2
        layers += [nn.Conv2d(ch, ch, 3, padding=1), nn.SiLU()]
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(ch * h * w, out_dim)
        self.feature_shape = (ch, h, w)

    def forward(self, x):
        return self.head(self.body(x).flatten(1))


class ConvDecoder(nn.Module):
    """Vector -> (out_ch, H, W): the mirror of ``ConvEncoder``, upsampling with transposed convs."""

    def __init__(self, in_dim: int, out_ch: int, size: tuple[int, int], width: int):
        super().__init__()
        h, w = size
        downs = min(downsample_plan(h), downsample_plan(w))
        ch = width * 2 ** downs
        self.start = (ch, h // 2 ** downs, w // 2 ** downs)
        self.head = nn.Linear(in_dim, ch * self.start[1] * self.start[2])
        layers: list[nn.Module] = [nn.SiLU(), nn.Conv2d(ch, ch, 3, padding=1), group_norm(ch), nn.SiLU()]
        for _ in range(downs):
            layers += [nn.ConvTranspose2d(ch, ch // 2, 4, stride=2, padding=1), group_norm(ch // 2), nn.SiLU()]
            ch //= 2
        layers += [nn.Conv2d(ch, out_ch, 3, padding=1)]
        self.body = nn.Sequential(*layers)

    def forward(self, z):
        return self.body(self.head(z).view(-1, *self.start))
