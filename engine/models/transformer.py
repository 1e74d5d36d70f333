"""A small causal Transformer (GPT-style, pre-LayerNorm) with a key/value cache for sampling.

The autoregressive family feeds it embeddings and reads hidden states; tokens, positions and the
output head are the family's business, so the same stack serves 2D points (two tokens) and images
(one token per sub-pixel). Sampling one token at a time re-runs only the newest position: each
attention layer keeps the keys and values of earlier positions in a preallocated ``KVCache``, so a
28x28 image costs 784 cheap steps instead of 784 full passes over a growing sequence.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class KVCache:
    """Keys and values of the positions seen so far, per layer, in preallocated buffers."""

    def __init__(self, layers: int, batch: int, heads: int, max_len: int, head_dim: int,
                 device, dtype=torch.float32):
        shape = (batch, heads, max_len, head_dim)
        self.keys = [torch.empty(shape, device=device, dtype=dtype) for _ in range(layers)]
        self.values = [torch.empty(shape, device=device, dtype=dtype) for _ in range(layers)]
        self.length = 0          # positions already stored (in every layer)
        self.max_len = max_len


class CausalSelfAttention(nn.Module):
    """Multi-head causal attention. No dropout on the attention weights: it would force the slow
    path that materialises every (T x T) score (10x slower on a CPU at 784 tokens); the block's
    residual dropout regularises instead."""

    def __init__(self, width: int, heads: int):
        super().__init__()
        if width % heads:
            raise ValueError(f"width {width} is not divisible by heads {heads}")
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)

    def forward(self, x: torch.Tensor, cache: KVCache | None = None, layer: int = 0) -> torch.Tensor:
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        if cache is None:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            start = cache.length
            end = start + t
            if end > cache.max_len:
                raise ValueError(f"sequence of {end} positions exceeds the cache's {cache.max_len}")
            cache.keys[layer][:, :, start:end] = k.to(cache.keys[layer].dtype)
            cache.values[layer][:, :, start:end] = v.to(cache.values[layer].dtype)
            keys = cache.keys[layer][:, :, :end].to(q.dtype)
            values = cache.values[layer][:, :, :end].to(q.dtype)
            if t == 1:
                y = F.scaled_dot_product_attention(q, keys, values)
            else:
                # Query i sits at absolute position start + i and sees keys 0 .. start + i.
                rows = torch.arange(start, end, device=x.device)[:, None]
                cols = torch.arange(end, device=x.device)[None, :]
                y = F.scaled_dot_product_attention(q, keys, values, attn_mask=cols <= rows)
        return self.proj(y.transpose(1, 2).reshape(b, t, d))


class Block(nn.Module):
    def __init__(self, width: int, heads: int, dropout: float):
        super().__init__()
        self.ln1 = nn.LayerNorm(width)
        self.attn = CausalSelfAttention(width, heads)
        self.ln2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))
        self.drop = nn.Dropout(dropout)

    def forward(self, x, cache=None, layer=0):
        x = x + self.drop(self.attn(self.ln1(x), cache, layer))
        return x + self.drop(self.mlp(self.ln2(x)))


class CausalTransformer(nn.Module):
    """Embeddings (B, T, width) -> hidden states (B, T, width); position t sees positions <= t."""

    def __init__(self, width: int, layers: int, heads: int, dropout: float = 0.0):
        super().__init__()
        self.width, self.heads = width, heads
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(Block(width, heads, dropout) for _ in range(layers))
        self.ln_f = nn.LayerNorm(width)
        self.apply(_init_weights)
        for block in self.blocks:  # GPT-2: scale residual projections by depth
            for proj in (block.attn.proj, block.mlp[2]):
                nn.init.normal_(proj.weight, std=0.02 / (2 * layers) ** 0.5)

    def new_cache(self, batch: int, max_len: int, device, dtype=torch.float32) -> KVCache:
        return KVCache(len(self.blocks), batch, self.heads, max_len, self.width // self.heads, device, dtype)

    def forward(self, h: torch.Tensor, cache: KVCache | None = None) -> torch.Tensor:
        h = self.drop(h)
        for i, block in enumerate(self.blocks):
            h = block(h, cache, i)
        if cache is not None:
            cache.length += h.shape[1]
        return self.ln_f(h)


def _init_weights(module: nn.Module) -> None:
    if isinstance(module, nn.Linear):
        nn.init.normal_(module.weight, std=0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.Embedding):
        nn.init.normal_(module.weight, std=0.02)


def keep_known(out: torch.Tensor, given: torch.Tensor | None, known: torch.Tensor | None) -> tuple[torch.Tensor, int]:
    """Tokens to generate into, with ``given`` kept where ``known`` (n, length) is True, and the first
    position any row still has to draw (``length`` when every token is known). Shared by the image and
    text generators of the autoregressive family: completion from a known prefix."""
    if known is None:
        return out, 0
    out = torch.where(known, given, out)
    unknown = (~known).any(0).nonzero()
    return out, (int(unknown[0]) if len(unknown) else out.shape[1])
