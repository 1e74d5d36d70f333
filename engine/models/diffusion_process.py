"""The Gaussian diffusion process, apart from any network: schedules, noising, samplers, bound terms.

Both schedules are defined in continuous time tau in [0, 1] through log(alpha_bar(tau)), and the
discrete DDPM chain with ``timesteps`` steps is that function read on the grid tau = t / T. So the
same process serves DDPM training (uniform t in 1..T), samplers with any number of steps (any
sub-grid of 0..T), the discrete variational bound (Ho et al., 2020, eq. 5) and the probability-flow
ODE (which needs alpha_bar between grid points).

- linear: the continuous limit of DDPM's betas from 1e-4 to 0.02 over 1000 steps (the VP-SDE of
  Song et al., 2021, beta(tau) from 0.1 to 20), so T = 1000 reproduces DDPM's chain.
- cosine: Nichol & Dhariwal (2021), its argument scaled so alpha_bar(1) equals the linear
  schedule's (about 4e-5) instead of reaching 0, which keeps the end point invertible and the prior
  term finite.

Everything here works on model-space tensors shaped (N, ...) and takes integer timesteps (N,) or a
Python int; a network is passed in as ``predict(x_t, t) -> (eps, x0)``.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Callable

import torch

from engine.models.base import rand

LINEAR_BETA_MIN, LINEAR_BETA_MAX = 0.1, 20.0
COSINE_OFFSET = 0.008
SCHEDULES = ("linear", "cosine")

Predictor = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


def _linear_log_alpha_bar(tau: torch.Tensor) -> torch.Tensor:
    return -(LINEAR_BETA_MIN * tau + 0.5 * (LINEAR_BETA_MAX - LINEAR_BETA_MIN) * tau ** 2)


def _linear_tau(log_ab: torch.Tensor) -> torch.Tensor:
    a = 0.5 * (LINEAR_BETA_MAX - LINEAR_BETA_MIN)
    b = LINEAR_BETA_MIN
    return (-b + torch.sqrt(b * b - 4 * a * log_ab)) / (2 * a)


_LOG_AB_END = float(_linear_log_alpha_bar(torch.tensor(1.0, dtype=torch.float64)))
_COS_F0 = math.cos(COSINE_OFFSET / (1 + COSINE_OFFSET) * math.pi / 2) ** 2
# The argument where the cosine schedule's alpha_bar equals the linear one's end value.
_COS_END = (2 * (1 + COSINE_OFFSET) / math.pi * math.acos(math.sqrt(math.exp(_LOG_AB_END) * _COS_F0))
            - COSINE_OFFSET)


def _cosine_log_alpha_bar(tau: torch.Tensor) -> torch.Tensor:
    u = (tau * _COS_END + COSINE_OFFSET) / (1 + COSINE_OFFSET) * (math.pi / 2)
    return 2 * torch.log(torch.cos(u).clamp_min(1e-12)) - math.log(_COS_F0)


def _cosine_tau(log_ab: torch.Tensor) -> torch.Tensor:
    c = torch.sqrt((log_ab.exp() * _COS_F0).clamp(0, 1))
    return (2 * (1 + COSINE_OFFSET) / math.pi * torch.acos(c) - COSINE_OFFSET) / _COS_END


def _linear_tau_float(log_ab: float) -> float:
    """``_linear_tau`` of a Python float (host arithmetic for constants)."""
    a, b = 0.5 * (LINEAR_BETA_MAX - LINEAR_BETA_MIN), LINEAR_BETA_MIN
    return (-b + math.sqrt(b * b - 4 * a * log_ab)) / (2 * a)


def _cosine_tau_float(log_ab: float) -> float:
    c = math.sqrt(min(1.0, max(0.0, math.exp(log_ab) * _COS_F0)))
    return (2 * (1 + COSINE_OFFSET) / math.pi * math.acos(c) - COSINE_OFFSET) / _COS_END


class NoiseSchedule:
    """alpha_bar in continuous time and its DDPM tables on the grid t = 0..T (t = 0 is clean data)."""

    def __init__(self, kind: str, timesteps: int):
        if kind not in SCHEDULES:
            raise ValueError(f"unknown schedule {kind!r}; known: {', '.join(SCHEDULES)}")
        self.kind, self.T = kind, int(timesteps)
        # On the host whatever the default device (the size guard builds models on "meta"): these are
        # host tables, read as Python floats.
        tau = torch.arange(self.T + 1, dtype=torch.float64, device="cpu") / self.T
        log_ab = self.log_alpha_bar(tau)
        log_ab[0] = 0.0
        ab = log_ab.exp()
        self.alpha_bar = ab                                   # (T+1,), float64
        self.betas = torch.cat([torch.zeros(1, dtype=torch.float64, device="cpu"), 1 - ab[1:] / ab[:-1]]).clamp(0, 0.999)
        ab_prev = torch.cat([torch.ones(1, dtype=torch.float64, device="cpu"), ab[:-1]])
        # Posterior q(x_{t-1} | x_t, x_0) = N(c0 x_0 + ct x_t, var) (Ho et al. eq. 7).
        self.post_var = self.betas * (1 - ab_prev) / (1 - ab).clamp_min(1e-20)
        self.post_c0 = ab_prev.sqrt() * self.betas / (1 - ab).clamp_min(1e-20)
        self.post_ct = (1 - self.betas).sqrt() * (1 - ab_prev) / (1 - ab).clamp_min(1e-20)
        # Dtype policy (engine.devices): the tables above are computed once, here, in float64 on the host;
        # what steps read are Python floats (``scalar``) and float32 copies on the model's device, made
        # once per device (``at``). Apple's MPS has no float64, and a table copied to the device in every
        # step would make the GPU wait for the copy each time.
        tables = (self.alpha_bar, self.betas, self.post_var, self.post_c0, self.post_ct)
        try:
            self._floats = {id(t): t.tolist() for t in tables}
        except RuntimeError:   # built on the meta device (engine.models.size_guard): read when asked
            self._floats = None
        self._float32 = {id(t): t.float() for t in tables}
        self._on_device: dict[tuple[int, torch.device], torch.Tensor] = {}

    # ---- continuous time ------------------------------------------------------------------------
    def log_alpha_bar(self, tau: torch.Tensor) -> torch.Tensor:
        return _linear_log_alpha_bar(tau) if self.kind == "linear" else _cosine_log_alpha_bar(tau)

    def tau_of_log_alpha_bar(self, log_ab: torch.Tensor) -> torch.Tensor:
        return _linear_tau(log_ab) if self.kind == "linear" else _cosine_tau(log_ab)

    # ---- tables, gathered for a batch ----------------------------------------------------------
    def scalar(self, table: torch.Tensor, t: int) -> float:
        """``table[t]`` as a Python float (read from the host copy: no device, no float64 tensor)."""
        return self._floats[id(table)][t] if self._floats is not None else float(table[t])

    def on_device(self, table: torch.Tensor, device: torch.device) -> torch.Tensor:
        """The float32 copy of one of this schedule's tables on ``device``, made the first time it is asked for."""
        key = (id(table), torch.device(device))
        out = self._on_device.get(key)
        if out is None:
            out = self._on_device[key] = self._float32[id(table)].to(device)
        return out

    def at(self, table: torch.Tensor, t, like: torch.Tensor) -> torch.Tensor:
        """``table[t]`` shaped to broadcast against ``like`` (t: int or (N,) long)."""
        if isinstance(t, int):
            return torch.full((like.shape[0],) + (1,) * (like.dim() - 1), self.scalar(table, t),
                              dtype=like.dtype, device=like.device)
        v = self.on_device(table, like.device)[t].to(like.dtype)
        return v.view(-1, *([1] * (like.dim() - 1)))

    def q_sample(self, x0: torch.Tensor, t, noise: torch.Tensor) -> torch.Tensor:
        ab = self.at(self.alpha_bar, t, x0)
        return ab.sqrt() * x0 + (1 - ab).sqrt() * noise

    def step_of_sigma_bar(self, sigma_bar: torch.Tensor) -> torch.Tensor:
        """The grid step whose noise-to-signal ratio sigma_bar = sqrt((1 - abar) / abar) is nearest
        (float32 on the tensor's device: a batch's times)."""
        tau = self.tau_of_log_alpha_bar(-torch.log1p(sigma_bar.float() ** 2)).clamp(0, 1)
        return (tau * self.T).round().long().clamp(1, self.T)

    def steps_of_sigma_bars(self, sigma_bar) -> list[int]:
        """``step_of_sigma_bar`` of a few Python floats (constants such as band edges), on the host in
        float64 arithmetic."""
        steps = []
        for sb in sigma_bar:
            tau = min(1.0, max(0.0, self.tau_of_log_alpha_bar_float(-math.log1p(float(sb) ** 2))))
            steps.append(min(self.T, max(1, round(tau * self.T))))
        return steps

    def tau_of_log_alpha_bar_float(self, log_ab: float) -> float:
        """``tau_of_log_alpha_bar`` of one Python float, in float64 host arithmetic."""
        return _linear_tau_float(log_ab) if self.kind == "linear" else _cosine_tau_float(log_ab)

    def tau(self, t, n: int, device) -> torch.Tensor:
        """The network's time input for integer steps: t / T as float (N,)."""
        if isinstance(t, int):
            return torch.full((n,), t / self.T, device=device)
        return t.to(torch.float32) / self.T


# ---- turning a network output into predictions ------------------------------------------------------
def split_prediction(out: torch.Tensor, x_t: torch.Tensor, ab: torch.Tensor, target: str):
    """(eps, x0) from a network output that predicts ``target`` ("eps" or "v"); ab is alpha_bar."""
    a, s = ab.sqrt(), (1 - ab).sqrt()
    if target == "eps":
        eps = out
        x0 = (x_t - s * eps) / a
    else:  # v = a * eps - s * x0 (Salimans & Ho, 2022)
        x0 = a * x_t - s * out
        eps = s * x_t + a * out
    return eps, x0


def training_target(x0: torch.Tensor, noise: torch.Tensor, ab: torch.Tensor, target: str) -> torch.Tensor:
    if target == "eps":
        return noise
    return ab.sqrt() * noise - (1 - ab).sqrt() * x0


# ---- samplers -------------------------------------------------------------------------------------
def step_grid(T: int, steps: int) -> list[int]:
    """``steps`` + 1 integer timesteps from T down to 0, evenly spaced, no repeats (exact rational
    arithmetic on the host, rounding halves to even)."""
    steps = max(1, min(int(steps), T))
    grid = [round(Fraction(T * (steps - i), steps)) for i in range(steps + 1)]
    out = []
    for t in grid:
        if not out or t != out[-1]:
            out.append(t)
    return out


def clip_x0(eps: torch.Tensor, x0: torch.Tensor, x_t: torch.Tensor, ab: torch.Tensor, clip):
    """Clamp the predicted clean data to ``clip`` = (lo, hi) and make eps consistent with it."""
    if clip is None:
        return eps, x0
    x0 = x0.clamp(*clip)
    eps = (x_t - ab.sqrt() * x0) / (1 - ab).sqrt().clamp_min(1e-12)
    return eps, x0


def reverse_step(sched: NoiseSchedule, predict: Predictor, x: torch.Tensor, t: int, s: int, sampler: str,
                 eta: float, noise: torch.Tensor | None, clip=None):
    """One move from step t to step s < t. Returns (x_s, predicted x0).

    ``ddim``: Song et al. (2021) eq. 12 with ``eta`` (0: deterministic). ``ddpm``: ancestral, the
    posterior q(x_s | x_t, x0_hat) with its own variance, which is DDIM with eta = 1 on any sub-grid.
    """
    n = x.shape[0]
    tt = torch.full((n,), t, dtype=torch.long, device=x.device)
    ab_t = sched.at(sched.alpha_bar, t, x)
    ab_s = sched.at(sched.alpha_bar, s, x)
    eps, x0 = predict(x, tt)
    eps, x0 = clip_x0(eps, x0, x, ab_t, clip)
    if s == 0:
        return x0, x0
    if sampler == "ddpm":
        eta = 1.0
    sigma = eta * ((1 - ab_s) / (1 - ab_t) * (1 - ab_t / ab_s)).clamp_min(0).sqrt()
    direction = (1 - ab_s - sigma ** 2).clamp_min(0).sqrt() * eps
    x_s = ab_s.sqrt() * x0 + direction
    if eta > 0 and noise is not None:
        x_s = x_s + sigma * noise
    return x_s, x0


def heun_step(sched: NoiseSchedule, predict: Predictor, x: torch.Tensor, t: int, s: int, clip=None) -> torch.Tensor:
    """Heun's method on the probability-flow ODE from step t to s < t (Karras et al., 2022, Alg. 1), in
    DDIM's variables y = x / sqrt(alpha_bar), sigma_bar = sqrt((1 - alpha_bar) / alpha_bar), where the ODE
    reads dy / d sigma_bar = eps(x, t) and its Euler step is DDIM with eta = 0 exactly. The trapezoid
    correction needs eps at s, which the network does not know at s = 0 (no noise): the last step is the
    Euler (DDIM) step, so a run of k steps costs 2k - 1 network evaluations."""
    n = x.shape[0]
    ab_t = sched.at(sched.alpha_bar, t, x)
    ab_s = sched.at(sched.alpha_bar, s, x)
    eps_t, x0 = predict(x, torch.full((n,), t, dtype=torch.long, device=x.device))
    eps_t, x0 = clip_x0(eps_t, x0, x, ab_t, clip)
    if s == 0:
        return x0
    y = x / ab_t.sqrt()
    dsig = ((1 - ab_s) / ab_s).sqrt() - ((1 - ab_t) / ab_t).sqrt()
    guess = ab_s.sqrt() * (y + dsig * eps_t)
    eps_s, x0_s = predict(guess, torch.full((n,), s, dtype=torch.long, device=x.device))
    eps_s, _ = clip_x0(eps_s, x0_s, guess, ab_s, clip)
    return ab_s.sqrt() * (y + dsig * 0.5 * (eps_t + eps_s))


def ddim_invert_step(sched: NoiseSchedule, predict: Predictor, x: torch.Tensor, s: int, t: int) -> torch.Tensor:
    """Deterministic DDIM from step s up to step t > s (the encoder): x_t from x_s and eps(x_s, s)."""
    n = x.shape[0]
    ab_t = sched.at(sched.alpha_bar, t, x)
    if s == 0:
        # eps at t = 0 is undefined (no noise); use the network at the first noisy step instead.
        s_net = 1
        ab_net = sched.at(sched.alpha_bar, s_net, x)
        eps, _ = predict(ab_net.sqrt() * x, torch.full((n,), s_net, dtype=torch.long, device=x.device))
        x0 = x
    else:
        eps, x0 = predict(x, torch.full((n,), s, dtype=torch.long, device=x.device))
    return ab_t.sqrt() * x0 + (1 - ab_t).sqrt() * eps


# ---- the discrete variational bound (per example, nats) ------------------------------------------------
def gaussian_kl_same_var(mean_q: torch.Tensor, mean_p: torch.Tensor, var: torch.Tensor) -> torch.Tensor:
    """KL(N(mean_q, var) || N(mean_p, var)) summed over all but the batch dimension."""
    return (0.5 * (mean_q - mean_p) ** 2 / var).flatten(1).sum(1)


def prior_kl(sched: NoiseSchedule, x0: torch.Tensor) -> torch.Tensor:
    """KL(q(x_T | x_0) || N(0, I)) per example: the bound's L_T term, exact."""
    ab = sched.at(sched.alpha_bar, sched.T, x0)
    mean, var = ab.sqrt() * x0, (1 - ab)
    return (0.5 * (mean ** 2 + var - 1 - torch.log(var))).flatten(1).sum(1)


def standard_normal_cdf(x: torch.Tensor) -> torch.Tensor:
    return 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0)))


def discretized_gaussian_log_prob(x: torch.Tensor, mean: torch.Tensor, log_scale: torch.Tensor,
                                  levels: int) -> torch.Tensor:
    """log P(x) for x on ``levels`` evenly spaced values in [-1, 1] (Ho et al., 2020, eq. 13).

    Each level owns the bin of width 2 / (levels - 1) around it; the first and last bins extend to
    -inf and +inf, so the probabilities over the levels sum to one. In float32 (no float64 on Apple's
    MPS), with the tails through ``log_ndtr``: log Phi(u) stays accurate far into the lower tail, and a
    bin in the upper tail is read as the mirrored lower-tail bin, log(Phi(-l) - Phi(-u)).
    """
    x, mean = x.float(), mean.float()
    inv = torch.exp(-log_scale.float())
    half = 1.0 / (levels - 1)
    u = inv * (x - mean + half)
    lo = inv * (x - mean - half)
    log_cdf_upper = torch.special.log_ndtr(u)            # log P(X <= x + half): the first bin
    log_one_minus_lower = torch.special.log_ndtr(-lo)    # log P(X > x - half): the last bin
    # an inner bin: log(Phi(b) - Phi(a)) with (a, b) = (lo, u), or (-u, -lo) mirrored when the bin lies
    # above the mean, so both logs are of lower-tail probabilities (no 1 - 1 cancellation)
    upper_side = (lo + u) > 0
    a = torch.where(upper_side, -u, lo)
    b = torch.where(upper_side, -lo, u)
    log_b, log_a = torch.special.log_ndtr(b), torch.special.log_ndtr(a)
    d = (log_a - log_b).clamp(max=-1e-30)
    inner = log_b + torch.log(-torch.expm1(d))
    # a bin narrow against the scale (|d| small, where float32 logs of nearly equal CDFs lose digits):
    # the density at the centre times the bin width, exact to O(width^2)
    centre = inv * (x - mean)
    log_density_bin = -0.5 * centre ** 2 - 0.5 * math.log(2 * math.pi) + torch.log(inv) + math.log(2 * half)
    inner = torch.where(d > -1e-3, log_density_bin, inner)
    edge = half / 2
    return torch.where(x < -1 + edge, log_cdf_upper, torch.where(x > 1 - edge, log_one_minus_lower, inner))


def stratified_timesteps(n: int, k: int, low: int, high: int, generator, device) -> torch.Tensor:
    """(k, n) integer timesteps in [low, high], one uniform draw per stratum of k equal strata.

    Unbiased for the mean over [low, high] like plain uniform draws, with less variance: every
    example sees small, middle and large t.
    """
    span = high - low + 1
    u = rand((k, n), generator, device)
    pos = (torch.arange(k, device=device, dtype=torch.float32).view(k, 1) + u) / k
    # float32 resolves pos * span to well under one step for any span up to ~10^5 steps
    return (low + torch.floor(pos * span)).long().clamp(low, high)
