"""Nearest neighbours in chunks: the distance from each query to its nearest reference, and which one.

Distances are Euclidean on flattened float32 rows; references are visited in chunks so 256 samples
against 20 000 MNIST images stay within a few tens of megabytes.
"""

from __future__ import annotations

import torch


def nearest(queries: torch.Tensor, refs: torch.Tensor, k: int = 1, exclude_self: bool = False,
            chunk: int = 4096) -> tuple[torch.Tensor, torch.Tensor]:
    """(distances, indices), each (n, k): the ``k`` nearest rows of ``refs`` to every row of ``queries``.
    ``exclude_self``: ``queries`` is ``refs`` (same rows, same order) and a row is not its own neighbour."""
    q = queries.reshape(len(queries), -1).float()
    r = refs.reshape(len(refs), -1).float()
    k = min(k, len(r) - (1 if exclude_self else 0))
    best_d = torch.full((len(q), k), float("inf"))
    best_i = torch.zeros((len(q), k), dtype=torch.long)
    for start in range(0, len(r), chunk):
        block = r[start:start + chunk]
        d = torch.cdist(q, block)
        if exclude_self:
            rows = torch.arange(len(q))
            cols = rows - start
            inside = (cols >= 0) & (cols < len(block))
            d[rows[inside], cols[inside]] = float("inf")
        kk = min(k, len(block))
        vals, idx = d.topk(kk, dim=1, largest=False)
        cat_d = torch.cat([best_d, vals], 1)
        cat_i = torch.cat([best_i, idx + start], 1)
        order = cat_d.argsort(dim=1)[:, :k]
        best_d, best_i = cat_d.gather(1, order), cat_i.gather(1, order)
    return best_d, best_i
