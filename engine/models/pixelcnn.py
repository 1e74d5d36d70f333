"""A gated PixelCNN (van den Oord et al., 2016) for the autoregressive family's images.

Masked convolutions see only the pixels before each position in raster order (row, column, then
channel), so one pass gives the logits of every sub-pixel given the ones before it: the same exact
discrete likelihood as the Transformer over tokens, at a fraction of its cost on a CPU (convolutions
over 28x28 instead of attention over 784 tokens). The stack is one masked 7x7 convolution (mask "A":
not the centre pixel's own value) and residual blocks of a masked 3x3 convolution with a gated
activation, tanh(a) * sigmoid(b), then a 1x1 read-out to ``outputs`` per sub-pixel: the logits of its levels,
or the parameters of a mixture of discretised logistics over them (``engine.models.pixel_mixture``).

Colour: channels are split into groups, one per data channel; at the centre pixel, group g sees the
data channels before g (mask A) or up to g (mask B), as in the PixelCNN paper. This single stack has the
"blind spot" above-right of each pixel; ``engine.models.pixelcnn_two_stack`` has none and is what the
presets train on grey images (``model.stacks``); colour images keep this one (two stacks bought nothing
there), as do the runs saved with it.

Sampling evaluates the network at one pixel per step on the cached activations of the pixels before it
(``engine.models.pixelcnn_sampler``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def _groups(n: int, colours: int) -> torch.Tensor:
    """Colour group of each of ``n`` channels: contiguous blocks, one per data channel."""
    return torch.arange(n) * colours // n


def block_dilations(blocks: int, max_dilation: int) -> list[int]:
    """Dilations of the gated blocks: doubling from 1 up to ``max_dilation`` (rounded down to a power of two),
    then again from 1. Plain 3x3 blocks see one more row per block, so four of them and the 7x7 input see 7
    rows above a pixel: strokes, but not a 28x28 digit's shape; dilations 1, 2, 4, 8 see 18 at the same
    cost per pass."""
    top = max(0, int(max_dilation).bit_length() - 1)
    return [2 ** (i % (top + 1)) for i in range(blocks)]


def gated(a: torch.Tensor) -> torch.Tensor:
    """tanh(x) * sigmoid(g) of the two halves [x, g] of ``a``'s dimension 1. tanh(x) is computed as
    2 sigmoid(2x) - 1 (equal to float rounding): CPU torch's tanh is several times slower than its sigmoid,
    and this form made the gate's forward and backward a quarter faster (6.4 against 8.6 ms on a 32x64x28x28
    batch, one thread)."""
    x, g = a.chunk(2, dim=1)
    return (2.0 * torch.sigmoid(2.0 * x) - 1.0) * torch.sigmoid(g)


def flat_masked_weight(conv: nn.Conv2d) -> torch.Tensor:
    """(out, in * kh * kw) masked weight of a masked convolution (one with a ``mask`` buffer), in the order
    a gathered (n, in, kh, kw) neighbourhood flattens to: what the cached samplers apply at one pixel."""
    return (conv.weight * conv.mask).flatten(1)


class MaskedConv2d(nn.Conv2d):
    def __init__(self, c_in: int, c_out: int, k: int, mask_type: str, groups_in: torch.Tensor,
                 groups_out: torch.Tensor, dilation: int = 1):
        # the mask is over kernel taps, so a dilated kernel stays causal: its taps only spread out
        super().__init__(c_in, c_out, k, padding=dilation * (k // 2), dilation=dilation)
        mask = torch.ones_like(self.weight)
        mid = k // 2
        mask[:, :, mid, mid + 1:] = 0
        mask[:, :, mid + 1:, :] = 0
        gi, go = groups_in[None, :], groups_out[:, None]
        allowed = (gi < go) if mask_type == "A" else (gi <= go)
        mask[:, :, mid, mid] = allowed.float()
        self.register_buffer("mask", mask, persistent=False)

    def forward(self, x):
        return F.conv2d(x, self.weight * self.mask, self.bias, padding=self.padding, dilation=self.dilation)


class GatedBlock(nn.Module):
    """h -> h + W tanh(a) * sigmoid(b), with [a, b] a masked 3x3 convolution of h (plus a class bias),
    dilated by ``dilation``."""

    def __init__(self, width: int, colours: int, num_classes: int, dilation: int = 1):
        super().__init__()
        g = _groups(width, colours)
        self.conv = MaskedConv2d(width, 2 * width, 3, "B", g, g.repeat(2), dilation)   # a_i and b_i share a group
        self.out = MaskedConv2d(width, width, 1, "B", g, g)
        self.cond = nn.Embedding(num_classes, 2 * width) if num_classes else None

    def forward(self, h, labels=None):
        a = self.conv(h)
        if self.cond is not None and labels is not None:
            a = a + self.cond(labels)[:, :, None, None]
        return h + self.out(gated(a))


class MaskedReadout(nn.Module):
    """What both PixelCNNs share: ``width`` channels in colour groups, and the read-out of ``outputs`` per
    sub-pixel from the last layer, for a whole image (``forward``) or one pixel (``logits_at``)."""

    def __init__(self, colours: int, outputs: int, width: int):
        super().__init__()
        self.width = max(width, colours)
        self.colours, self.outputs = colours, outputs

    def _add_readout(self) -> None:
        """Made last, so the parameters keep the order saved runs' optimiser states were written in."""
        g = _groups(self.width, self.colours)
        self.mid = MaskedConv2d(self.width, self.width, 1, "B", g, g)
        self.out = MaskedConv2d(self.width, self.colours * self.outputs, 1, "B", g,
                                torch.arange(self.colours * self.outputs) // self.outputs)

    def read_out(self, h: torch.Tensor) -> torch.Tensor:
        return F.relu(self.mid(F.relu(h)))

    def forward(self, x, labels=None):
        return self.out(self.features(x, labels))

    def logits_at(self, features: torch.Tensor, channel: int) -> torch.Tensor:
        """(N, width) features of one pixel -> (N, outputs) of its sub-pixel ``channel``: the read-out for one
        position only (the sampler's)."""
        rows = slice(channel * self.outputs, (channel + 1) * self.outputs)
        weight = flat_masked_weight(self.out)[rows]
        return F.linear(features, weight, self.out.bias[rows])


class PixelCNN(MaskedReadout):
    """(N, C, H, W) values in [-1, 1] -> (N, C * outputs, H, W): each sub-pixel's outputs."""

    def __init__(self, colours: int, outputs: int, width: int, blocks: int, num_classes: int = 0,
                 max_dilation: int = 1):
        super().__init__(colours, outputs, width)
        width = self.width
        self.inp = MaskedConv2d(colours, width, 7, "A", torch.arange(colours), _groups(width, colours))
        dilations = block_dilations(blocks, max_dilation)
        self.blocks = nn.ModuleList(GatedBlock(width, colours, num_classes, d) for d in dilations)
        self._add_readout()

    def features(self, x, labels=None):
        """(N, C, H, W) -> (N, width, H, W): what the 1x1 read-out turns into logits."""
        h = self.inp(x)
        for block in self.blocks:
            h = block(h, labels)
        return self.read_out(h)
