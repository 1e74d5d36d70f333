"""Monotone rational-quadratic splines (Durkan et al., 2019, "Neural Spline Flows").

A spline maps [-bound, bound] onto itself through ``bins`` segments whose widths, heights and knot
derivatives come from a network; outside the interval it is the identity, and the end derivatives are
1 so the map is smooth at the joins. It is strictly increasing, has a closed-form inverse (the root of
one quadratic per point) and an exact log-derivative, which is what a flow layer needs. Everything
here runs in float32 or better, whatever the caller's autocast says.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

MIN_WIDTH = 1e-3
MIN_HEIGHT = 1e-3
MIN_DERIVATIVE = 1e-3
# Softplus argument that gives a derivative of exactly 1 once MIN_DERIVATIVE is added.
_ONE = math.log(math.expm1(1.0 - MIN_DERIVATIVE))


def _knots(raw: torch.Tensor, bound: float, minimum: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Unconstrained (..., K) -> knot positions (..., K + 1) from -bound to bound, and sizes (..., K)."""
    k = raw.shape[-1]
    sizes = minimum + (1 - minimum * k) * torch.softmax(raw, -1)
    knots = F.pad(torch.cumsum(sizes, -1), (1, 0))
    knots = 2 * bound * knots - bound
    knots = torch.cat([torch.full_like(knots[..., :1], -bound), knots[..., 1:-1],
                       torch.full_like(knots[..., :1], bound)], -1)
    return knots, knots[..., 1:] - knots[..., :-1]


def rational_quadratic_spline(x: torch.Tensor, widths: torch.Tensor, heights: torch.Tensor,
                              derivatives: torch.Tensor, bound: float, inverse: bool = False):
    """Apply the spline (or its inverse) elementwise; returns (y, log |dy/dx|).

    ``x`` has shape (...); ``widths`` and ``heights`` (..., K); ``derivatives`` (..., K - 1) are the
    unconstrained parameters of the inner knots.
    """
    dtype = x.dtype
    x, widths, heights, derivatives = (t.float() for t in (x, widths, heights, derivatives))
    inside = (x > -bound) & (x < bound)
    xc = x.clamp(-bound, bound)
    cw, w = _knots(widths, bound, MIN_WIDTH)
    ch, h = _knots(heights, bound, MIN_HEIGHT)
    d = MIN_DERIVATIVE + F.softplus(F.pad(derivatives, (1, 1), value=_ONE))
    edges = ch if inverse else cw
    idx = (xc[..., None] >= edges[..., 1:-1]).sum(-1, keepdim=True)

    def at(t):
        return t.gather(-1, idx).squeeze(-1)

    x0, wk, y0, hk = at(cw), at(w), at(ch), at(h)
    dk, dk1 = at(d), at(d[..., 1:])
    delta = hk / wk
    if inverse:
        dy = xc - y0
        a = dy * (dk + dk1 - 2 * delta) + hk * (delta - dk)
        b = hk * dk - dy * (dk + dk1 - 2 * delta)
        c = -delta * dy
        disc = (b.pow(2) - 4 * a * c).clamp_min(0)
        theta = (2 * c / (-b - torch.sqrt(disc))).clamp(0, 1)
        out = theta * wk + x0
    else:
        theta = ((xc - x0) / wk).clamp(0, 1)
        t1mt = theta * (1 - theta)
        out = y0 + hk * (delta * theta.pow(2) + dk * t1mt) / (delta + (dk + dk1 - 2 * delta) * t1mt)
    t1mt = theta * (1 - theta)
    denom = delta + (dk + dk1 - 2 * delta) * t1mt
    num = delta.pow(2) * (dk1 * theta.pow(2) + 2 * delta * t1mt + dk * (1 - theta).pow(2))
    logdet = torch.log(num) - 2 * torch.log(denom)
    if inverse:
        logdet = -logdet
    y = torch.where(inside, out, x)
    logdet = torch.where(inside, logdet, torch.zeros_like(logdet))
    return y.to(dtype), logdet
