"""Sampling a ``PixelCNN`` one sub-pixel at a time with every layer's activations cached (as in Fast
PixelCNN++, Ramachandran et al., 2017).

Why: a masked network's activation at a position depends only on the sub-pixels before it, so once the
sampler reaches a pixel, every layer's value there is final. Computing each layer at that one position
from the cached maps below it costs one pixel's worth of the network per step, where a pass over the
pixels that can reach it (the sampler before this one) cost a few hundred: with dilations 1, 2, 4, 8 that
window was most of a 28x28 image, and 64 MNIST samples took 26-36 s of a CPU core, too dear for the
periodic quality readouts and live grids of a five-minute run. The logits are the full pass's (up to the
order of float sums), so the likelihood and the samples' distribution are unchanged.

Colour: the pixel's whole stack is recomputed for each of its sub-pixels (the masks make group g right
once data channels before g are known); the last recomputation, with all but the last channel known, is
the one later pixels read.
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F

from engine.interrupt import check_interrupt
from engine.models.pixelcnn import MaskedConv2d, PixelCNN, flat_masked_weight, gated
from engine.models.pixelcnn_two_stack import CachedTwoStack, TwoStackPixelCNN


class CachedPixelCNN:
    """The activations of ``net`` on ``n`` images being drawn, filled one pixel at a time in raster order."""

    def __init__(self, net: PixelCNN, n: int, height: int, width: int, labels: torch.Tensor | None = None):
        self.net = net
        w0 = net.inp.weight
        self.pad = max([net.inp.padding[0]] + [b.conv.padding[0] for b in net.blocks])
        p, c = self.pad, net.inp.out_channels
        self.x = w0.new_zeros(n, net.colours, height + 2 * p, width + 2 * p)   # zero padding, as in training
        # the input of each block and the last block's output: what later positions gather from
        self.maps = [w0.new_zeros(n, c, height + 2 * p, width + 2 * p) for _ in range(len(net.blocks) + 1)]
        self.weights = [(flat_masked_weight(net.inp), net.inp.bias)]
        self.biases = []
        for block in net.blocks:
            self.weights.append((flat_masked_weight(block.conv), block.conv.bias))
            self.biases.append(block.cond(labels) if block.cond is not None and labels is not None else None)
        self.block_out = [(flat_masked_weight(b.out), b.out.bias) for b in net.blocks]
        self.mid = (flat_masked_weight(net.mid), net.mid.bias)

    def _gather(self, m: torch.Tensor, conv: MaskedConv2d, r: int, c: int) -> torch.Tensor:
        """(n, in * k * k): the neighbourhood of (r, c) that ``conv`` reads, with its dilation."""
        k, d = conv.kernel_size[0], conv.dilation[0]
        top, left = self.pad + r - d * (k // 2), self.pad + c - d * (k // 2)
        return m[:, :, top:top + d * (k - 1) + 1:d, left:left + d * (k - 1) + 1:d].flatten(1)

    def features(self, r: int, c: int) -> torch.Tensor:
        """(n, width) features of pixel (r, c), caching every layer's value there; the sub-pixels before it
        must be set (``set``)."""
        net, p = self.net, self.pad
        h = F.linear(self._gather(self.x, net.inp, r, c), *self.weights[0])
        for i, block in enumerate(net.blocks):
            self.maps[i][:, :, p + r, p + c] = h
            a = F.linear(self._gather(self.maps[i], block.conv, r, c), *self.weights[i + 1])
            if self.biases[i] is not None:
                a = a + self.biases[i]
            h = h + F.linear(gated(a), *self.block_out[i])
        self.maps[-1][:, :, p + r, p + c] = h
        return F.relu(F.linear(F.relu(h), *self.mid))

    def set(self, r: int, c: int, channel: int, value: torch.Tensor) -> None:
        """Sub-pixel ``channel`` of pixel (r, c) := ``value`` (n,), in the network's [-1, 1] input scale."""
        self.x[:, channel, self.pad + r, self.pad + c] = value.to(self.x.dtype)

    def start_row(self, r: int) -> None:
        """Nothing to do at a row's start: every layer is computed pixel by pixel."""


def draw_in_order(net: PixelCNN | TwoStackPixelCNN, n: int, height: int, width: int, labels: torch.Tensor | None,
                  choose: Callable[[int, torch.Tensor | None], torch.Tensor], to_input: Callable,
                  known_before: int = 0) -> None:
    """Walk the sub-pixels in raster order (row, column, channel). At token ``i``, ``choose(i, outputs)``
    returns its (n,) tokens, given the read-out there (logits, or a mixture's parameters); the tokens before
    ``known_before`` are given (a completion's prefix), so ``choose`` gets None for them, which spares the
    read-out. ``to_input`` maps tokens
    to the network's input."""
    cache = (CachedTwoStack if isinstance(net, TwoStackPixelCNN) else CachedPixelCNN)(net, n, height, width, labels)
    ch = net.colours
    for r in range(height):
        check_interrupt()
        cache.start_row(r)
        for c in range(width):
            base = (r * width + c) * ch
            for k in range(ch):
                i = base + k
                known = i < known_before
                if known and k < ch - 1:      # a given sub-pixel: no logits wanted, the stack comes later
                    cache.set(r, c, k, to_input(choose(i, None)))
                    continue
                feats = cache.features(r, c)
                logits = None if known else net.logits_at(feats, k)
                cache.set(r, c, k, to_input(choose(i, logits)))
