"""Held-out likelihoods of a diffusion model, each labelled for what it is.

- ``variational_bound``: the discrete DDPM bound (Ho et al., 2020, eq. 5) per example,
  -log p(x0) <= L_T + sum_{t=2..T} L_{t-1} + L_0, with L_T exact, the sum over t estimated by
  Monte Carlo over ``k`` stratified timesteps (unbiased; every example sees small, middle and large
  t), and L_0 a decoder over the data's grey levels (a discretised Gaussian) for images, a Gaussian
  density for points. Each example gets its own independent timesteps, so the spread of the
  per-example values already contains the Monte-Carlo noise and the evaluator's standard error
  across examples accounts for it.
- ``ode_log_likelihood``: the probability-flow ODE (Song et al., 2021) integrated with fixed-step
  RK4 and the exact divergence (one backward pass per data dimension, cheap in 2D). It is the exact
  likelihood of the deterministic sampler that starts from the prior, up to the solver's error.

The ODE is written in the DDIM variables x_bar = x / sqrt(alpha_bar) and s = log sigma_bar,
sigma_bar = sqrt((1 - alpha_bar) / alpha_bar), where it reads d x_bar / ds = sigma_bar * eps(x, tau):
smooth over the whole range for both schedules, so equal steps in s suit it.
"""

from __future__ import annotations

import math
from typing import Callable

import torch

from engine.interrupt import check_interrupt
from engine.models.diffusion_process import (NoiseSchedule, discretized_gaussian_log_prob, gaussian_kl_same_var,
                                             prior_kl, stratified_timesteps)
from engine.models.base import randn

LOG_2PI = math.log(2 * math.pi)


def variational_bound(sched: NoiseSchedule, predict, x0: torch.Tensor, k: int, generator,
                      levels: int | None, clip=None) -> torch.Tensor:
    """Per-example upper bound on -log p(x0) in nats (model space). ``predict(x_t, t) -> (eps, x0)``."""
    n, T = x0.shape[0], sched.T
    total = prior_kl(sched, x0).float()
    if T > 1:
        ts = stratified_timesteps(n, k, 2, T, generator, x0.device)
        acc = torch.zeros(n, device=x0.device)
        for row in ts:
            check_interrupt()
            noise = randn(x0.shape, generator, x0.device)
            x_t = sched.q_sample(x0, row, noise)
            _, x0_hat = predict(x_t, row)
            if clip is not None:
                x0_hat = x0_hat.clamp(*clip)
            c0 = sched.at(sched.post_c0, row, x0).float()
            var = sched.at(sched.post_var, row, x0).float()
            acc += gaussian_kl_same_var(c0 * x0.float(), c0 * x0_hat.float(), var)
        total = total + (T - 1) * acc / k
    # L_0: the decoder p(x0 | x1) with mean x0_hat(x1) and the variance beta_1 (Ho et al.'s sigma_1)
    check_interrupt()
    one = torch.ones(n, dtype=torch.long, device=x0.device)
    x1 = sched.q_sample(x0, one, randn(x0.shape, generator, x0.device))
    _, mean = predict(x1, one)
    if clip is not None:
        mean = mean.clamp(*clip)
    beta_1 = sched.scalar(sched.betas, 1)
    log_scale = 0.5 * math.log(beta_1)
    if levels:
        ls = torch.full_like(mean, log_scale, dtype=torch.float32)
        decoder = discretized_gaussian_log_prob(x0, mean, ls, levels).flatten(1).sum(1)
    else:
        d = x0[0].numel()
        decoder = (-0.5 * (LOG_2PI + 2 * log_scale) * d
                   - 0.5 * ((x0.float() - mean.float()) ** 2).flatten(1).sum(1) / beta_1)
    return total - decoder


def _eps_and_divergence(eps_fn, x: torch.Tensor):
    """eps(x) and the exact trace of its Jacobian, one backward pass per dimension."""
    with torch.enable_grad():
        x = x.detach().requires_grad_(True)
        eps = eps_fn(x).float()
        flat = eps.flatten(1)
        div = torch.zeros(x.shape[0], device=x.device)
        d = flat.shape[1]
        for i in range(d):
            g, = torch.autograd.grad(flat[:, i].sum(), x, retain_graph=i < d - 1)
            div = div + g.flatten(1)[:, i]
    return eps.detach(), div.detach()


def rk4_with_divergence(field: Callable, x0: torch.Tensor, s0: float, h: float, steps: int):
    """Carry x from ``x0`` along dx/ds = field(x, s)[0] with ``steps`` RK4 steps of ``h`` from ``s0``,
    integrating the field's divergence (``field(x, s)[1]``, per example) alongside: the instantaneous
    change of variables that both ODE likelihoods (the DDPM chain's and flow matching's) need.
    Returns (x at the end, the integral); the integral is float32, a sum of ``steps`` moderate terms."""
    x = x0.float()
    integral = torch.zeros(x0.shape[0], device=x0.device)
    s = s0
    for _ in range(steps):
        check_interrupt()
        k1, d1 = field(x, s)
        k2, d2 = field(x + 0.5 * h * k1, s + 0.5 * h)
        k3, d3 = field(x + 0.5 * h * k2, s + 0.5 * h)
        k4, d4 = field(x + h * k3, s + h)
        x = x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        integral += h / 6 * (d1 + 2 * d2 + 2 * d3 + d4)
        s += h
    return x, integral


def ode_log_likelihood(sched: NoiseSchedule, eps_at: Callable, x0: torch.Tensor, steps: int) -> torch.Tensor:
    """log p(x0) per example (model space) under the probability-flow ODE, RK4 with ``steps`` steps.

    ``eps_at(x, tau) -> eps`` takes a continuous time tau (N,). The data end is t = 1 of the DDPM
    grid (sigma_bar about 0.01 of the data's scale), the prior end t = T.
    """
    def sigma_bar(t: int) -> float:
        ab = sched.scalar(sched.alpha_bar, t)
        return math.sqrt((1 - ab) / ab)

    s_lo, s_hi = math.log(sigma_bar(1)), math.log(sigma_bar(sched.T))
    h = (s_hi - s_lo) / steps
    n = x0.shape[0]

    def field(xb: torch.Tensor, s: float):
        sb = math.exp(s)
        log_ab = -math.log1p(sb * sb)
        tau = min(1.0, max(0.0, sched.tau_of_log_alpha_bar_float(log_ab)))
        tau_n = torch.full((n,), tau, device=xb.device)
        a = math.exp(0.5 * log_ab)
        eps, div = _eps_and_divergence(lambda x: eps_at(x, tau_n), a * xb)
        # d x_bar / ds = sb * eps(a * x_bar); its divergence in x_bar is sb * a * tr(d eps / d x)
        return sb * eps, sb * a * div

    xb, integral = rk4_with_divergence(field, x0, s_lo, h, steps)
    var = 1.0 + math.exp(2 * s_hi)            # x_bar at the prior end ~ N(0, 1 / alpha_bar)
    d = xb[0].numel()
    log_prior = (-0.5 * d * (LOG_2PI + math.log(var)) - 0.5 * xb.float().flatten(1).pow(2).sum(1) / var)
    return log_prior + integral

