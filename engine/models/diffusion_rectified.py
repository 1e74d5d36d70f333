"""Flow matching on the straight path (rectified flow), apart from any network: the path, its velocity
target, the Euler and Heun ODE samplers, inversion and the ODE likelihood.

Convention (Liu et al., 2022, "rectified flow"; Lipman et al., 2023, conditional flow matching with the
optimal-transport path): time t in [0, 1], **t = 0 is data** x0 and **t = 1 pure noise** x1 ~ N(0, I),
the same direction as the diffusion chain's t, so the family's networks take t as their time input
unchanged. A training pair is joined by the straight line

    x_t = (1 - t) x0 + t x1,     its velocity  d x_t / dt = x1 - x0,

and the network learns v(x_t, t) = E[x1 - x0 | x_t] by plain regression on x1 - x0. Sampling integrates
the ODE dx/dt = v(x, t) from t = 1 (noise) down to t = 0 (data). Because the learned field's paths are
nearly straight, a few Euler steps already land close; Heun (the trapezoid rule, two network calls a
step) corrects the curvature that remains.

Equivalences used by the family (so its sampler names mean the same for both objectives):
- the straight path is a Gaussian path x_t = a_t x0 + s_t x1 with a_t = 1 - t, s_t = t, so x0 and the
  noise are read off the velocity: x0_hat = x - t v, x1_hat = x + (1 - t) v;
- DDIM with eta = 0 on this path is exactly the Euler step (x_s = (1 - s) x0_hat + s x1_hat
  = x + (s - t) v), and DDIM's eta > 0 (eta = 1: ancestral) uses the path's own posterior variance;
- the noise-to-signal ratio sigma = s_t / a_t = t / (1 - t) is the diffusion chain's sigma_bar, so the
  same noise bands and the same log-normal time draws (logit-normal t, as in Esser et al., 2024) apply.

There is no variational bound for this objective. The likelihood is the model's exact one, that of
the ODE it samples with: log p0(x0) = log N(x1; 0, I) + integral_0^1 div v(x_t, t) dt along the path from
the data point, RK4 with the exact divergence (one backward pass per dimension: points only).
"""

from __future__ import annotations

import math
from typing import Callable

import torch

from engine.interrupt import check_interrupt
from engine.models.diffusion_likelihood import LOG_2PI, _eps_and_divergence, rk4_with_divergence

Velocity = Callable[[torch.Tensor, float], torch.Tensor]   # v(x, t), t a Python float
SAMPLERS = ("ddim", "ddpm", "euler", "heun")


def path_point(x0: torch.Tensor, noise: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """x_t = (1 - t) x0 + t x1 (t shaped to broadcast)."""
    return (1 - t) * x0 + t * noise


def velocity_target(x0: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
    """The regression target x1 - x0, the straight path's velocity."""
    return noise - x0


def t_of_sigma(sigma: torch.Tensor | float):
    """The time whose noise-to-signal ratio t / (1 - t) is ``sigma``."""
    return sigma / (1 + sigma)


def sigma_of_t(t: torch.Tensor | float):
    return t / (1 - t)


def time_grid(steps: int) -> list[float]:
    """``steps`` + 1 evenly spaced times from 1 (noise) down to 0 (data)."""
    steps = max(1, int(steps))
    return [(steps - i) / steps for i in range(steps + 1)]


def split_velocity(x: torch.Tensor, v: torch.Tensor, t: float) -> tuple[torch.Tensor, torch.Tensor]:
    """(x0_hat, x1_hat): the data and the noise the velocity points from and to."""
    return x - t * v, x + (1 - t) * v


def clipped(velocity: Velocity, clip) -> Velocity:
    """The velocity whose implied data x0_hat = x - t v is clamped to ``clip`` (images' [-1, 1]): with x0
    clamped, the velocity that reaches it is (x - x0) / t. At t = 0 the velocity is used as it is."""
    if clip is None:
        return velocity

    def v(x, t):
        out = velocity(x, t)
        if t <= 0:
            return out
        x0 = (x - t * out).clamp(*clip)
        return (x - x0) / t
    return v


def euler_step(velocity: Velocity, x: torch.Tensor, t: float, s: float) -> torch.Tensor:
    return x + (s - t) * velocity(x, t)


def heun_step(velocity: Velocity, x: torch.Tensor, t: float, s: float) -> torch.Tensor:
    """Heun's method (explicit trapezoid): an Euler guess at s, then the mean of the two slopes. Two
    network evaluations per step, the last step included (v is defined at t = 0: there x_t is the data)."""
    d1 = velocity(x, t)
    guess = x + (s - t) * d1
    d2 = velocity(guess, s)
    return x + (s - t) * 0.5 * (d1 + d2)


def path_step(velocity: Velocity, x: torch.Tensor, t: float, s: float, eta: float,
              noise: torch.Tensor | None) -> torch.Tensor:
    """DDIM's step on the straight path (Song et al., 2021, eq. 12, for a_t = 1 - t, s_t = t): from x0_hat
    and x1_hat, x_s = a_s x0_hat + sqrt(s_s^2 - sigma^2) x1_hat + sigma z with the path's posterior
    standard deviation sigma = eta * (s_s / s_t) * sqrt(s_t^2 - (a_t / a_s)^2 s_s^2). eta = 0 is the Euler
    step exactly; eta = 1 is ancestral sampling."""
    x0, x1 = split_velocity(x, velocity(x, t), t)
    if s <= 0:
        return x0
    a_t, a_s = 1 - t, 1 - s
    var = (s / t) ** 2 * max(0.0, t * t - (a_t / a_s) ** 2 * s * s) if t > 0 else 0.0
    sigma = eta * math.sqrt(var)
    out = a_s * x0 + math.sqrt(max(0.0, s * s - sigma * sigma)) * x1
    if sigma > 0 and noise is not None:
        out = out + sigma * noise
    return out


def evaluations(sampler: str, steps: int) -> int:
    """Network evaluations of a sampling run with ``steps`` steps on the straight path."""
    return 2 * int(steps) if sampler == "heun" else int(steps)


def integrate(velocity: Velocity, x: torch.Tensor, steps: int, sampler: str, eta: float,
              draw_noise: Callable[[], torch.Tensor] | None, frames: list | None = None) -> torch.Tensor:
    """From noise at t = 1 to data at t = 0. ``sampler``: euler, heun, ddim (the path step with ``eta``;
    eta = 0 is Euler) or ddpm (the path step with eta = 1). ``draw_noise()`` gives the fresh noise of a
    stochastic step. ``frames`` collects (t, x) after each step."""
    grid = time_grid(steps)
    if sampler == "ddpm":
        eta = 1.0
    for t, s in zip(grid[:-1], grid[1:]):
        check_interrupt()
        if sampler == "heun":
            x = heun_step(velocity, x, t, s)
        elif sampler == "euler" or eta == 0:
            x = euler_step(velocity, x, t, s)
        else:
            x = path_step(velocity, x, t, s, eta, draw_noise() if draw_noise is not None and s > 0 else None)
        if frames is not None:
            frames.append((s, x))
    return x


def invert(velocity: Velocity, x: torch.Tensor, steps: int) -> torch.Tensor:
    """The Euler ODE from data (t = 0) up to noise (t = 1): the deterministic encoder, the inverse of
    Euler sampling with the same steps up to the solver's error."""
    grid = list(reversed(time_grid(steps)))
    for t, s in zip(grid[:-1], grid[1:]):
        check_interrupt()
        x = euler_step(velocity, x, t, s)
    return x


def ode_log_likelihood(velocity_at: Callable, x0: torch.Tensor, steps: int) -> torch.Tensor:
    """log p0(x0) per example (model space) under the ODE dx/dt = v(x, t), by the instantaneous change of
    variables: log p0(x0) = log N(x(1); 0, I) + integral_0^1 div v(x(t), t) dt, with x(t) carried from the
    data point up to t = 1. RK4 with ``steps`` equal steps in u = sqrt(t) (t = u^2 puts the steps where
    the field changes fastest, near the data), exact divergence. ``velocity_at(x, t)`` takes t as (N,)."""
    n = x0.shape[0]
    h = 1.0 / steps

    def field(x: torch.Tensor, u: float):
        t = u * u
        tn = torch.full((n,), t, device=x.device)
        v, div = _eps_and_divergence(lambda y: velocity_at(y, tn), x)
        return 2 * u * v, 2 * u * div                     # d/du = dt/du * d/dt

    x, integral = rk4_with_divergence(field, x0, 0.0, h, steps)
    d = x[0].numel()
    log_prior = -0.5 * d * LOG_2PI - 0.5 * x.flatten(1).pow(2).sum(1)
    return log_prior + integral
