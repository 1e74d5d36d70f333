"""Invertible layers for the flow family. Each maps ``forward(x, cond) -> (y, log|det dy/dx|)`` per
example and ``inverse(y, cond) -> x``, in the normalising direction (data towards noise).

- ``ActNorm`` (Glow): a per-channel affine map initialised from the first training batch so its
  output starts with zero mean and unit variance; the "initialised" flag is a registered buffer, so
  a checkpoint or snapshot never re-initialises it.
- ``InvertibleLinear``: an invertible 1x1 convolution (images) or a dense layer (points),
  parametrised by its LU decomposition so the log-determinant is a sum and never a ``slogdet``.
- ``AffineCoupling``: RealNVP coupling on channel halves with a bounded log-scale.
- ``SplineCoupling``: neural-spline coupling for points (a rational-quadratic spline per coordinate,
  its parameters from an MLP of the other coordinates).
- ``SplitPrior`` and ``ClassPrior``: standardise a tensor by a predicted mean and log-scale (Glow's
  split prior; a per-class base), log-determinant included, so the base is always N(0, I).

Log-determinants are always float32; the coupling networks alone run under autocast.
"""

from __future__ import annotations

import contextlib

import torch
import torch.nn.functional as F
from torch import nn

from engine.models.nets import mlp
from engine.models.splines import rational_quadratic_spline


def _sum_per_example(t: torch.Tensor) -> torch.Tensor:
    return t.flatten(1).sum(1)


def squeeze2d(x: torch.Tensor) -> torch.Tensor:
    """(B, C, H, W) -> (B, 4C, H/2, W/2): each 2x2 block becomes four channels."""
    b, c, h, w = x.shape
    x = x.view(b, c, h // 2, 2, w // 2, 2).permute(0, 1, 3, 5, 2, 4)
    return x.reshape(b, c * 4, h // 2, w // 2)


def unsqueeze2d(x: torch.Tensor) -> torch.Tensor:
    b, c, h, w = x.shape
    x = x.view(b, c // 4, 2, 2, h, w).permute(0, 1, 4, 2, 5, 3)
    return x.reshape(b, c // 4, h * 2, w * 2)


class ActNorm(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.loc = nn.Parameter(torch.zeros(channels))
        self.log_scale = nn.Parameter(torch.zeros(channels))
        self.register_buffer("initialized", torch.zeros((), dtype=torch.uint8))
        # A Python mirror of ``initialized`` (None: not read yet), so a training step reads the buffer
        # from the device once per run, not once per step (each read is a host sync on a GPU).
        self._known_initialized: bool | None = None

    def _load_from_state_dict(self, *args, **kwargs):
        super()._load_from_state_dict(*args, **kwargs)
        self._known_initialized = None  # the loaded buffer decides again

    def _shape(self, x):
        return (1, -1) + (1,) * (x.dim() - 2)

    @torch.no_grad()
    def _initialise(self, x):
        dims = [0] + list(range(2, x.dim()))
        mean = x.float().mean(dims)
        std = x.float().std(dims).clamp_min(1e-6) if x.shape[0] > 1 else torch.ones_like(mean)
        self.loc.copy_(-mean)
        self.log_scale.copy_(-std.log())
        self.initialized.fill_(1)
        self._known_initialized = True

    def forward(self, x, cond=None):
        if self.training and not self._known_initialized:
            if bool(self.initialized):   # the one read of the buffer (a fresh or loaded layer)
                self._known_initialized = True
            else:
                self._initialise(x)
        shape = self._shape(x)
        y = (x + self.loc.view(shape)) * self.log_scale.exp().view(shape)
        spatial = x[0, 0].numel()
        logdet = self.log_scale.sum() * spatial
        return y, logdet.expand(x.shape[0])

    def inverse(self, y, cond=None):
        shape = self._shape(y)
        return y * (-self.log_scale).exp().view(shape) - self.loc.view(shape)


class InvertibleLinear(nn.Module):
    """W = P L (U + diag(sign * exp(log_s))), applied over channels (1x1 conv) or features."""

    def __init__(self, channels: int):
        super().__init__()
        q, _ = torch.linalg.qr(torch.randn(channels, channels))
        p, lower, upper = torch.linalg.lu(q)
        s = torch.diagonal(upper)
        self.register_buffer("perm", p)
        self.register_buffer("sign", torch.sign(s))
        self.register_buffer("mask_lower", torch.tril(torch.ones(channels, channels), -1))
        self.lower = nn.Parameter(lower)
        self.upper = nn.Parameter(torch.triu(upper, 1))
        self.log_s = nn.Parameter(s.abs().log())

    def weight(self) -> torch.Tensor:
        eye = torch.eye(self.perm.shape[0], device=self.perm.device)
        lower = self.lower * self.mask_lower + eye
        upper = self.upper * self.mask_lower.T + torch.diag(self.sign * self.log_s.exp())
        return self.perm @ lower @ upper

    def _mix(self, x, w):
        if x.dim() == 2:
            return x @ w.T
        return F.conv2d(x, w[:, :, None, None])

    def forward(self, x, cond=None):
        w = self.weight()
        spatial = x[0, 0].numel()
        return self._mix(x, w), (self.log_s.sum() * spatial).expand(x.shape[0])

    def inverse(self, y, cond=None):
        return self._mix(y, self.inverse_weight())

    def inverse_weight(self) -> torch.Tensor:
        """W^-1 = U^-1 L^-1 P^T by two triangular solves in float32 (no float64: Apple's MPS has none;
        the factors are triangular with a unit or exp(log_s) diagonal, so the solves are well conditioned).

        Without autograd the matrix is kept until a factor changes (an optimiser step or a snapshot
        load bumps the tensors' version counters): the explorer decodes one snapshot many times a
        second while a person drags, and the solves were a tenth of a flow decode."""
        if torch.is_grad_enabled():
            return self._solve_inverse()
        key = (self.lower._version, self.upper._version, self.log_s._version, self.lower.data_ptr(),
               self.upper.data_ptr(), self.log_s.data_ptr(), self.lower.device, self.lower.dtype)
        cached = self.__dict__.get("_inverse_cache")
        if cached is None or cached[0] != key:
            cached = (key, self._solve_inverse())
            self.__dict__["_inverse_cache"] = cached
        return cached[1]

    def _solve_inverse(self) -> torch.Tensor:
        eye = torch.eye(self.perm.shape[0], device=self.perm.device)
        lower = self.lower * self.mask_lower + eye
        upper = self.upper * self.mask_lower.T + torch.diag(self.sign * self.log_s.exp())
        x = torch.linalg.solve_triangular(lower, self.perm.T, upper=False, unitriangular=True)
        return torch.linalg.solve_triangular(upper, x, upper=True)


class AffineCoupling(nn.Module):
    """The second channel half gets y = x * exp(s) + t, with (s, t) from a CNN of the first half."""

    def __init__(self, channels: int, hidden: int, cond_channels: int = 0, autocast=None):
        super().__init__()
        self.split = channels // 2
        out = channels - self.split
        self.net = nn.Sequential(
            nn.Conv2d(self.split + cond_channels, hidden, 3, padding=1), nn.ReLU(),
            nn.Conv2d(hidden, hidden, 1), nn.ReLU(),
            nn.Conv2d(hidden, 2 * out, 3, padding=1))
        nn.init.zeros_(self.net[-1].weight)
        nn.init.zeros_(self.net[-1].bias)
        self.autocast = autocast or contextlib.nullcontext

    def _params(self, xa, cond):
        h = xa if cond is None else torch.cat([xa, cond], 1)
        with self.autocast():
            raw = self.net(h)
        shift, raw_scale = raw.float().chunk(2, 1)
        return shift, 2.0 * torch.tanh(raw_scale / 2.0)

    def forward(self, x, cond=None):
        xa, xb = x[:, :self.split], x[:, self.split:]
        shift, log_s = self._params(xa, cond)
        return torch.cat([xa, xb * log_s.exp() + shift], 1), _sum_per_example(log_s)

    def inverse(self, y, cond=None):
        ya, yb = y[:, :self.split], y[:, self.split:]
        shift, log_s = self._params(ya, cond)
        return torch.cat([ya, (yb - shift) * (-log_s).exp()], 1)


class SplineCoupling(nn.Module):
    """Points: the coordinates in ``mask`` pass through; the others each go through a spline."""

    def __init__(self, mask: torch.Tensor, hidden: int, depth: int, bins: int, bound: float,
                 cond_dim: int = 0, autocast=None):
        super().__init__()
        self.register_buffer("mask", mask.bool(), persistent=False)
        # The two halves as index lists: a boolean-mask index has a data-dependent size, which makes a
        # GPU wait (nonzero) in every forward and backward pass; index_select does not.
        self.n_in = int(mask.sum())
        self.n_out = int((~mask.bool()).sum())
        # (a stable sort rather than nonzero, whose size the meta pass of engine.models.size_guard cannot know)
        order = torch.argsort((~mask.bool()).to(torch.uint8), stable=True)
        self.register_buffer("index_a", order[:self.n_in], persistent=False)
        self.register_buffer("index_b", order[self.n_in:], persistent=False)
        self.bins, self.bound = bins, bound
        self.net = mlp(self.n_in + cond_dim, self.n_out * (3 * bins - 1), hidden, depth)
        nn.init.zeros_(self.net[-1].weight)
        nn.init.zeros_(self.net[-1].bias)
        self.autocast = autocast or contextlib.nullcontext

    def _spline(self, x, cond, inverse):
        xa, xb = x.index_select(1, self.index_a), x.index_select(1, self.index_b)
        # Far outside the bound the MLP would extrapolate into extreme (ill-conditioned) splines;
        # beyond it, the conditioning coordinates are read as if on the edge.
        xa = xa.clamp(-self.bound, self.bound)
        h = xa if cond is None else torch.cat([xa, cond], 1)
        with self.autocast():
            raw = self.net(h)
        raw = raw.float().view(x.shape[0], self.n_out, 3 * self.bins - 1)
        k = self.bins
        yb, logdet = rational_quadratic_spline(xb, raw[..., :k], raw[..., k:2 * k], raw[..., 2 * k:],
                                               self.bound, inverse=inverse)
        out = x.index_copy(1, self.index_b, yb.to(x.dtype))
        return out, logdet.sum(1)

    def forward(self, x, cond=None):
        return self._spline(x, cond, inverse=False)

    def inverse(self, y, cond=None):
        return self._spline(y, cond, inverse=True)[0]


class SplitPrior(nn.Module):
    """Glow's split prior: the factored-out half z is standardised by a mean and log-scale that a
    (zero-initialised) conv predicts from the half that stays, so z's base is N(0, I) at first."""

    def __init__(self, kept: int, out: int, cond_channels: int = 0):
        super().__init__()
        self.conv = nn.Conv2d(kept + cond_channels, 2 * out, 3, padding=1)
        nn.init.zeros_(self.conv.weight)
        nn.init.zeros_(self.conv.bias)

    def _params(self, kept, cond):
        h = kept if cond is None else torch.cat([kept, cond], 1)
        mean, raw = self.conv(h).float().chunk(2, 1)
        return mean, 2.0 * torch.tanh(raw / 2.0)

    def forward(self, z, kept, cond=None):
        mean, log_std = self._params(kept, cond)
        return (z - mean) * (-log_std).exp(), -_sum_per_example(log_std)

    def inverse(self, eps, kept, cond=None):
        mean, log_std = self._params(kept, cond)
        return eps * log_std.exp() + mean


class ClassPrior(nn.Module):
    """A class-conditional Gaussian base: z is standardised by a learned mean and log-scale per class
    (zero-initialised, so every class starts at N(0, I))."""

    def __init__(self, num_classes: int, dim: int):
        super().__init__()
        self.table = nn.Embedding(num_classes, 2 * dim)
        nn.init.zeros_(self.table.weight)

    def _params(self, labels, shape):
        mean, raw = self.table(labels).float().chunk(2, 1)
        return mean.view(shape), (2.0 * torch.tanh(raw / 2.0)).view(shape)

    def forward(self, z, labels):
        mean, log_std = self._params(labels, z.shape)
        return (z - mean) * (-log_std).exp(), -_sum_per_example(log_std)

    def inverse(self, eps, labels):
        mean, log_std = self._params(labels, eps.shape)
        return eps * log_std.exp() + mean
