"""The two-stack gated PixelCNN (van den Oord et al., 2016): no blind spot.

Why a second network beside ``engine.models.pixelcnn``: a single stack of masked 3x3 convolutions never
sees the pixels above and to the right of each pixel beyond a 45-degree line (its "blind spot"), so the
top-right of a digit's stroke is guessed, not read. Here a vertical stack sees every pixel in the rows
above (its value at row r depends only on rows before r) and a horizontal stack the pixels to the left in
the same row; each block feeds the vertical stack's new value into the horizontal one, and the read-out
sees only the horizontal stack. A block has the multiply-adds of the single stack's masked 3x3 block (2x3
and 1x2 kernels instead of a 3x3 one whose masked taps are computed anyway) in more, smaller operations: a
training step on MNIST costs 1.44x, and learns more per CPU second (bench/results/images.md, round 10). The
likelihood stays exact.

Colour: as in the single stack, channels form one group per data channel; only the horizontal stack sees
the current pixel, and there group g sees the data channels before g (first layer) or up to g (later).

Sampling (``CachedTwoStack``): the vertical stack of a whole row is computed once the rows above are
drawn, then the horizontal stack one pixel at a time on cached values, as ``pixelcnn_sampler`` does.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from engine.models.pixelcnn import MaskedConv2d, MaskedReadout, _groups, block_dilations, flat_masked_weight, gated

INPUT_ROWS, INPUT_HALF_WIDTH = 3, 3     # the first layer: 3 rows above, 7 columns wide; 3 pixels to the left


class RowConv(nn.Conv2d):
    """A 1 x ``taps`` convolution over the pixel and the ``taps - 1`` before it in its row (spaced by
    ``dilation``). At the pixel itself, output group g sees input groups before g (mask "A") or up to g
    ("B"); the pixels before it are seen whole."""

    def __init__(self, c_in: int, c_out: int, taps: int, mask_type: str, groups_in: torch.Tensor,
                 groups_out: torch.Tensor, dilation: int = 1):
        super().__init__(c_in, c_out, (1, taps), dilation=(1, dilation))
        mask = torch.ones_like(self.weight)
        gi, go = groups_in[None, :], groups_out[:, None]
        mask[:, :, 0, -1] = ((gi < go) if mask_type == "A" else (gi <= go)).float()
        self.register_buffer("mask", mask, persistent=False)
        self.reach = (taps - 1) * dilation

    def forward(self, x):
        return F.conv2d(F.pad(x, (self.reach, 0, 0, 0)), self.weight * self.mask, self.bias, dilation=self.dilation)


class TwoStackBlock(nn.Module):
    """(v, h) -> (v', h + W gate(H + link(v'))) with v' = v + gate(V), where V is a 2x3 convolution of v over
    its row and the row ``dilation`` above, H a 1x2 convolution of h over the pixel and the one ``dilation``
    to its left, and gate(a, b) = tanh(a) * sigmoid(b); a class bias joins V and H. The link reads v'
    (width channels) rather than V (twice as many) as the paper does: half its cost."""

    def __init__(self, width: int, colours: int, num_classes: int, dilation: int):
        super().__init__()
        g = _groups(width, colours)
        self.dilation = dilation
        self.v_conv = nn.Conv2d(width, 2 * width, (2, 3), dilation=dilation)
        self.link = nn.Conv2d(width, 2 * width, 1)     # the rows above know nothing of the pixel: no mask
        self.h_conv = RowConv(width, 2 * width, 2, "B", g, g.repeat(2), dilation)
        self.h_out = MaskedConv2d(width, width, 1, "B", g, g)
        self.cond = nn.Embedding(num_classes, 2 * width) if num_classes else None

    def forward(self, v, h, labels=None):
        d = self.dilation
        av = self.v_conv(F.pad(v, (d, d, d, 0)))
        ah = self.h_conv(h)
        if self.cond is not None and labels is not None:
            bias = self.cond(labels)[:, :, None, None]
            av, ah = av + bias, ah + bias
        v = v + gated(av)
        return v, h + self.h_out(gated(ah + self.link(v)))


class TwoStackPixelCNN(MaskedReadout):
    """(N, C, H, W) values in [-1, 1] -> (N, C * outputs, H, W) of each sub-pixel; the same interface
    as ``PixelCNN``."""

    def __init__(self, colours: int, outputs: int, width: int, blocks: int, num_classes: int = 0,
                 max_dilation: int = 1):
        super().__init__(colours, outputs, width)
        width = self.width
        self.v_in = nn.Conv2d(colours, width, (INPUT_ROWS, 2 * INPUT_HALF_WIDTH + 1))
        self.h_in = RowConv(colours, width, INPUT_HALF_WIDTH + 1, "A", torch.arange(colours), _groups(width, colours))
        self.blocks = nn.ModuleList(TwoStackBlock(width, colours, num_classes, d)
                                    for d in block_dilations(blocks, max_dilation))
        self._add_readout()

    def vertical_input(self, x: torch.Tensor) -> torch.Tensor:
        """The first vertical layer: row r from rows r-3 .. r-1 of ``x`` (zeros above the image)."""
        rows = x.shape[2]
        padded = F.pad(x, (INPUT_HALF_WIDTH, INPUT_HALF_WIDTH, INPUT_ROWS, 0))
        return self.v_in(padded)[:, :, :rows]

    def features(self, x, labels=None):
        """(N, C, H, W) -> (N, width, H, W): what the 1x1 read-out turns into logits."""
        v, h = self.vertical_input(x), self.h_in(x)
        for block in self.blocks:
            v, h = block(v, h, labels)
        return self.read_out(h)


def _rows(m: torch.Tensor, first: int, last: int, side: int) -> torch.Tensor:
    """Rows ``first`` .. ``last`` - 1 of ``m`` (N, C, H, W), zeros for rows above the image, padded by
    ``side`` zero columns on both sides."""
    above = max(0, -first)
    return F.pad(m[:, :, max(0, first):last], (side, side, above, 0))


class CachedTwoStack:
    """The activations of a ``TwoStackPixelCNN`` on ``n`` images being drawn. ``start_row(r)`` computes the
    vertical stack of row r (the rows above must be drawn); ``features(r, c)`` the horizontal stack at one
    pixel from the cached pixels to its left."""

    def __init__(self, net: TwoStackPixelCNN, n: int, height: int, width: int, labels: torch.Tensor | None = None):
        self.net = net
        w0 = net.v_in.weight
        c = net.v_in.out_channels
        self.left = max([net.h_in.reach] + [b.h_conv.reach for b in net.blocks])
        self.x = w0.new_zeros(n, net.colours, height, self.left + width)      # zeros left of the image
        self.v = [w0.new_zeros(n, c, height, width) for _ in net.blocks]     # each block's vertical input
        self.h = [w0.new_zeros(n, c, self.left + width) for _ in net.blocks]  # the current row's, per block
        self.link = [None] * len(net.blocks)
        self.bias = [b.cond(labels) if b.cond is not None and labels is not None else None for b in net.blocks]
        self.h_in = flat_masked_weight(net.h_in)
        self.h_conv = [flat_masked_weight(b.h_conv) for b in net.blocks]
        self.h_out = [flat_masked_weight(b.h_out) for b in net.blocks]
        self.mid = (flat_masked_weight(net.mid), net.mid.bias)

    def start_row(self, r: int) -> None:
        """The vertical stack's values on row r for every block, and what each feeds the horizontal one."""
        net, p = self.net, self.left
        image = self.x[:, :, :, p:]
        v = net.v_in(_rows(image, r - INPUT_ROWS, r, INPUT_HALF_WIDTH))
        for i, block in enumerate(net.blocks):
            d = block.dilation
            self.v[i][:, :, r] = v[:, :, 0]
            av = block.v_conv(_rows(self.v[i], r - d, r + 1, d))
            if self.bias[i] is not None:
                av = av + self.bias[i][:, :, None, None]
            v = self.v[i][:, :, r:r + 1] + gated(av)
            link = block.link(v)[:, :, 0]
            self.link[i] = link if self.bias[i] is None else link + self.bias[i][:, :, None]
            self.h[i].zero_()

    def features(self, r: int, c: int) -> torch.Tensor:
        """(n, width) features of pixel (r, c); ``start_row(r)`` and the sub-pixels before it must be set."""
        net, p = self.net, self.left
        k = net.h_in.kernel_size[1]
        h = F.linear(self.x[:, :, r, p + c - k + 1:p + c + 1].flatten(1), self.h_in, net.h_in.bias)
        for i, block in enumerate(net.blocks):
            d = block.dilation
            self.h[i][:, :, p + c] = h
            taps = self.h[i][:, :, p + c - d:p + c + 1:d].flatten(1)
            ah = F.linear(taps, self.h_conv[i], block.h_conv.bias) + self.link[i][:, :, c]
            h = h + F.linear(gated(ah), self.h_out[i], block.h_out.bias)
        return F.relu(F.linear(F.relu(h), *self.mid))

    def set(self, r: int, c: int, channel: int, value: torch.Tensor) -> None:
        """Sub-pixel ``channel`` of pixel (r, c) := ``value`` (n,), in the network's [-1, 1] input scale."""
        self.x[:, channel, r, self.left + c] = value.to(self.x.dtype)
