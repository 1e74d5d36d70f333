"""Generator and discriminator networks for the GAN family: MLPs for points, DCGAN-style for images.

The discriminators are built layer by layer so spectral normalisation (Miyato et al., 2018) can wrap
every weight, and so a class-conditional discriminator can use the projection trick (Miyato &
Koyama, 2018): the score is a linear read-out of the features plus the inner product of those
features with an embedding of the label. The generator takes the label as a one-hot appended to z.
No batch normalisation anywhere: its batch statistics make samples depend on what else is in the
batch, and the EMA copy of the generator would sample with stale running statistics.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from engine.models.base import one_hot
from engine.models.nets import ConvDecoder, downsample_plan, mlp


def _maybe_sn(layer: nn.Module, use: bool) -> nn.Module:
    return spectral_norm(layer) if use else layer


class PointGenerator(nn.Module):
    def __init__(self, latent_dim: int, dim: int, hidden: int, depth: int, num_classes: int = 0):
        super().__init__()
        self.num_classes = num_classes
        self.net = mlp(latent_dim + num_classes, dim, hidden, depth, act=lambda: nn.LeakyReLU(0.2))

    def forward(self, z, labels=None):
        if self.num_classes:
            z = torch.cat([z, one_hot(labels, self.num_classes, z.dtype)], 1)
        return self.net(z)


class ImageGenerator(nn.Module):
    """z -> (C, H, W) in [0, 1]: linear to a small map, transposed convs up (``nets.ConvDecoder``), sigmoid."""

    def __init__(self, latent_dim: int, shape: tuple[int, int, int], width: int, num_classes: int = 0):
        super().__init__()
        ch, h, w = shape
        self.num_classes = num_classes
        self.body = ConvDecoder(latent_dim + num_classes, ch, (h, w), width)

    def forward(self, z, labels=None):
        if self.num_classes:
            z = torch.cat([z, one_hot(labels, self.num_classes, z.dtype)], 1)
        return torch.sigmoid(self.body(z))


class _ProjectionHead(nn.Module):
    """features -> one score per example, plus the label projection when conditional."""

    def __init__(self, features: int, num_classes: int, sn: bool):
        super().__init__()
        self.linear = _maybe_sn(nn.Linear(features, 1), sn)
        self.embed = _maybe_sn(nn.Embedding(num_classes, features), sn) if num_classes else None

    def forward(self, h, labels):
        out = self.linear(h).squeeze(1)
        if self.embed is not None and labels is not None:
            out = out + (self.embed(labels) * h).sum(1)
        return out


class PointDiscriminator(nn.Module):
    """x (N, D) -> (N,) raw scores (logits for the non-saturating loss, critic values otherwise)."""

    def __init__(self, dim: int, hidden: int, depth: int, num_classes: int = 0, sn: bool = False):
        super().__init__()
        layers: list[nn.Module] = []
        d = dim
        for _ in range(depth):
            layers += [_maybe_sn(nn.Linear(d, hidden), sn), nn.LeakyReLU(0.2)]
            d = hidden
        self.body = nn.Sequential(*layers)
        self.head = _ProjectionHead(d, num_classes, sn)

    def forward(self, x, labels=None):
        return self.head(self.body(x), labels)


class ImageDiscriminator(nn.Module):
    """(C, H, W) -> (N,): a 3x3 stem, stride-2 4x4 convs doubling the channels while the size allows."""

    def __init__(self, shape: tuple[int, int, int], width: int, num_classes: int = 0, sn: bool = False):
        super().__init__()
        ch, h, w = shape
        downs = min(downsample_plan(h), downsample_plan(w))
        layers: list[nn.Module] = [_maybe_sn(nn.Conv2d(ch, width, 3, padding=1), sn), nn.LeakyReLU(0.2)]
        c = width
        for _ in range(downs):
            layers += [_maybe_sn(nn.Conv2d(c, c * 2, 4, stride=2, padding=1), sn), nn.LeakyReLU(0.2)]
            c *= 2
            h, w = h // 2, w // 2
        layers += [_maybe_sn(nn.Conv2d(c, c, 3, padding=1), sn), nn.LeakyReLU(0.2)]
        self.body = nn.Sequential(*layers)
        self.head = _ProjectionHead(c * h * w, num_classes, sn)

    def forward(self, x, labels=None):
        return self.head(self.body(x).flatten(1), labels)


class FlatImageGenerator(nn.Module):
    """z -> (C, H, W) in [0, 1] through an MLP over the flattened image (the original GAN's design):
    on a CPU many times cheaper per image than transposed convolutions."""

    def __init__(self, latent_dim: int, shape: tuple[int, int, int], hidden: int, depth: int, num_classes: int = 0):
        super().__init__()
        self.shape = tuple(shape)
        self.net = PointGenerator(latent_dim, shape[0] * shape[1] * shape[2], hidden, depth, num_classes)

    def forward(self, z, labels=None):
        return torch.sigmoid(self.net(z, labels)).view(-1, *self.shape)


class FlatImageDiscriminator(nn.Module):
    """(C, H, W) -> (N,): an MLP over the flattened image (``PointDiscriminator``)."""

    def __init__(self, shape: tuple[int, int, int], hidden: int, depth: int, num_classes: int = 0, sn: bool = False):
        super().__init__()
        self.net = PointDiscriminator(shape[0] * shape[1] * shape[2], hidden, depth, num_classes, sn)

    def forward(self, x, labels=None):
        return self.net(x.flatten(1), labels)
