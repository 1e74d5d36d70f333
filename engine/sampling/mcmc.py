"""Sampling by Markov chain Monte Carlo from a trained model's density or score, on 2-D points.

A family that knows log p(x) (``log_likelihood``, exact) or its gradient (``score``) can be sampled without
its own sampler: start many chains anywhere and let a Markov chain whose stationary distribution is p
carry them there.

- **Random-walk Metropolis-Hastings**: propose x' = x + s e, e ~ N(0, I), accept with probability
  min(1, p(x') / p(x)) (the proposal is symmetric, so its densities cancel). Needs only log p. During
  the first half of the chain (burn-in) the step s adapts towards ``target`` acceptance (0.3; about
  0.234 is optimal in high dimension, nearer 0.44 in one); the reported acceptance is the second half's.
- **Langevin dynamics**: x' = x + (e / 2) nabla log p(x) + sqrt(e) z, z ~ N(0, I). Without a correction
  (the unadjusted Langevin algorithm) it samples p only as e -> 0; with ``adjust`` the move is a
  proposal accepted by the Metropolis-Hastings rule with the asymmetric proposal's densities (MALA),
  which makes p exact again and reports an acceptance rate.
- **Annealed Langevin** (Song and Ermon, 2019): the scores of p smoothed by noise of falling levels
  sigma_1 > ... > sigma_L, ``steps`` per level, with step e + 0.1 sigma_l^2 (Song and Ermon scale it with
  sigma_l^2 too; the fixed share keeps each move a fraction of the level's smoothing width, and never
  below the plain step): early, heavily smoothed levels move chains between modes that the plain score
  cannot cross; the last level is p itself (sigma_L = ``noise[-1]``, 0 for p exactly). A family's ``score(x, noise=sigma)`` gives the smoothed
  score (exact for the classical families; a diffusion model's network learns it).

Each function returns ``Chains``: the final states, a few chains' paths for drawing, the step size and
the acceptance rate. ``sample_quality`` puts chains and the family's own sampler on one axis (energy
distance to held-out data).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from engine.errors import GenLabError
from engine.interrupt import check_interrupt
from engine.metrics import energy_distance

METHODS = ("mh", "langevin", "mala", "annealed")
ANNEAL_BOTTOM = 0.03      # annealed Langevin: the last noise level, a share of the starting points' spread
ANNEAL_FRACTION = 0.1     # annealed Langevin: each level's step grows by this share of its noise variance
PATH_CHAINS = 32          # chains whose paths are kept for drawing
PATH_FRAMES = 60          # states kept per drawn chain


@dataclass(frozen=True)
class Chains:
    samples: np.ndarray                # (n, D) the chains' final states
    path: np.ndarray                   # (frames, m, D) the first m chains at evenly spaced steps
    method: str
    steps: int                         # transitions per chain
    step_size: float                   # the (adapted) proposal scale s (MH) or step e (Langevin)
    acceptance: float | None           # accepted share after burn-in (MH, MALA); None (unadjusted Langevin)


class _Path:
    def __init__(self, total: int, x0: torch.Tensor):
        self.every = max(1, total // PATH_FRAMES)
        self.frames = [x0[:PATH_CHAINS].double().cpu().numpy().copy()]

    def add(self, t: int, x: torch.Tensor) -> None:
        if (t + 1) % self.every == 0:
            self.frames.append(x[:PATH_CHAINS].double().cpu().numpy().copy())

    def array(self) -> np.ndarray:
        return np.stack(self.frames)


def _noise(shape, generator, like):
    return torch.randn(shape, generator=generator, dtype=torch.float64).to(like.device)


def _uniform(n, generator, like):
    return torch.rand(n, generator=generator, dtype=torch.float64).to(like.device)


def metropolis_hastings(log_prob: Callable, x0: torch.Tensor, steps: int, step_size: float,
                        generator: torch.Generator, target: float = 0.3, adapt: bool = True) -> Chains:
    """Random-walk Metropolis-Hastings; ``log_prob`` maps (n, D) to (n,) log-densities."""
    x = x0.double().clone()
    lp = log_prob(x).double()
    s = float(step_size)
    burn = steps // 2
    accepted, proposed = 0, 0
    path = _Path(steps, x)
    for t in range(steps):
        check_interrupt()
        prop = x + s * _noise(x.shape, generator, x)
        lq = log_prob(prop).double()
        accept = torch.log(_uniform(len(x), generator, x)) < (lq - lp)
        accept &= torch.isfinite(lq)
        x = torch.where(accept[:, None], prop, x)
        lp = torch.where(accept, lq, lp)
        rate = float(accept.double().mean())
        if t < burn and adapt:
            s *= math.exp(0.5 * (rate - target))      # Robbins-Monro on log s during burn-in
        else:
            accepted += int(accept.sum())
            proposed += len(x)
        path.add(t, x)
    return Chains(x.cpu().numpy(), path.array(), "mh", steps, s, accepted / max(1, proposed))


def langevin(score: Callable, x0: torch.Tensor, steps: int, step_size: float, generator: torch.Generator,
             log_prob: Callable | None = None, noise: tuple[float, ...] = (0.0,)) -> Chains:
    """Langevin dynamics with the score ``score(x, sigma)`` -> (n, D). ``log_prob`` given: each move is
    Metropolis-adjusted (MALA, exact for p; only with one noise level 0). ``noise``: the annealing
    levels, ``steps`` transitions at each (one level 0: plain Langevin on p)."""
    levels = [float(v) for v in noise]
    if log_prob is not None and levels != [0.0]:
        raise GenLabError("Metropolis-adjusted Langevin samples p itself: use one noise level, 0")
    x = x0.double().clone()
    accepted, proposed = 0, 0
    path = _Path(steps * len(levels), x)
    t_all = 0
    lp = log_prob(x).double() if log_prob is not None else None
    for sigma in levels:
        e = float(step_size) + ANNEAL_FRACTION * sigma ** 2
        g = score(x, sigma).double()
        for t in range(steps):
            check_interrupt()
            mean = x + 0.5 * e * g
            prop = mean + math.sqrt(e) * _noise(x.shape, generator, x)
            g_prop = score(prop, sigma).double()
            if log_prob is None:
                x, g = prop, g_prop
            else:
                lq = log_prob(prop).double()
                back = prop + 0.5 * e * g_prop                  # q(x | x') and q(x' | x), both Gaussian
                log_q_back = -((x - back) ** 2).sum(-1) / (2 * e)
                log_q_fwd = -((prop - mean) ** 2).sum(-1) / (2 * e)
                ratio = lq - lp + log_q_back - log_q_fwd
                accept = (torch.log(_uniform(len(x), generator, x)) < ratio) & torch.isfinite(lq)
                x = torch.where(accept[:, None], prop, x)
                g = torch.where(accept[:, None], g_prop, g)
                lp = torch.where(accept, lq, lp)
                if t >= steps // 2:
                    accepted += int(accept.sum())
                    proposed += len(x)
            path.add(t_all, x)
            t_all += 1
    method = "mala" if log_prob is not None else ("annealed" if len(levels) > 1 else "langevin")
    return Chains(x.cpu().numpy(), path.array(), method, steps * len(levels), float(step_size),
                  accepted / proposed if log_prob is not None and proposed else None)


def annealing_levels(top: float, bottom: float, count: int = 10) -> tuple[float, ...]:
    """``count`` noise levels falling geometrically from ``top`` to ``bottom`` (> 0). The last level is
    not 0: a learned score is poorest at the smallest noise (a noise prediction divided by a tiny
    sigma), and an exact one smoothed by a hundredth of the data's spread differs from p by far less
    than the chains' own error."""
    if count < 2:
        return (float(bottom),)
    return tuple(float(v) for v in np.geomspace(top, bottom, count))


def default_step(method: str, spread: float) -> float:
    """A first step for data of this ``spread`` (mean standard deviation per coordinate): a random walk's
    proposal a quarter of the spread (it adapts during burn-in); a Langevin step e with sqrt(e) a
    twentieth of it (a fiftieth for annealed Langevin, whose steps grow with each level's noise)."""
    if method == "mh":
        return 0.25 * spread
    return (0.02 * spread) ** 2 if method == "annealed" else (0.05 * spread) ** 2


def methods_for(model) -> tuple[str, ...]:
    """The MCMC methods ``model`` supports: Metropolis-Hastings needs an exact density, Langevin a score."""
    exact = model.has("log_likelihood") and model.likelihood_kind == "exact"
    score = model.has("score")
    return tuple(m for m, ok in (("mh", exact), ("langevin", score), ("mala", exact and score),
                                 ("annealed", score)) if ok)


# ---- a trained model as the target ----------------------------------------------------------------------
def sample_model(model, method: str, n: int, steps: int, step_size: float, generator: torch.Generator,
                 start=None, levels: int = 10) -> Chains:
    """Chains on ``model``'s own density (data units) by ``method`` (``METHODS``); ``start`` (n, D) or
    draws from N(0, I) in the model's units. Needs 2-D points and ``log_likelihood`` (exact) for
    "mh" and "mala", ``score`` for the Langevin ones."""
    if model.spec.kind != "points":
        raise GenLabError("MCMC sampling is for models trained on 2-D points")
    if method not in METHODS:
        raise GenLabError(f"unknown MCMC method {method!r}; one of {', '.join(METHODS)}")
    needs_density = method in ("mh", "mala")
    if needs_density and not (model.has("log_likelihood") and model.likelihood_kind == "exact"):
        raise GenLabError(f"the {model.family} family has no exact density for {method}: Metropolis-Hastings "
                          "compares densities")
    if method != "mh" and not model.has("score"):
        raise GenLabError(f"the {model.family} family has no score for {method}")
    if steps < 1 or not step_size > 0:
        raise GenLabError(f"MCMC: steps must be at least 1 and the step size above 0 (got {steps}, {step_size})")
    if start is None:
        base = torch.randn((n, model.spec.dim), generator=generator).to(model.device)
        start = model.to_data(base.float())
    x0 = torch.as_tensor(np.asarray(start), dtype=torch.float64)

    def log_prob(x):
        return model.log_likelihood(x.float().to(model.device)).double().cpu()

    def score(x, sigma):
        return model.score(x.float().to(model.device), noise=sigma).double().cpu()
    if method == "mh":
        return metropolis_hastings(log_prob, x0, steps, step_size, generator)
    if method == "mala":
        return langevin(score, x0, steps, step_size, generator, log_prob=log_prob)
    if method == "langevin":
        return langevin(score, x0, steps, step_size, generator)
    spread = float(x0.std(0).mean())
    return langevin(score, x0, max(1, steps // levels), step_size, generator,
                    noise=annealing_levels(spread, ANNEAL_BOTTOM * spread, levels))


def sample_quality(model, chains: Chains, reference, generator: torch.Generator) -> dict:
    """Energy distance to the held-out ``reference`` of the chains' states and of as many samples of the
    family's own sampler: one axis for both (0 when a set is distributed as the data)."""
    ref = np.asarray(reference, dtype=np.float64)
    own = model.sample(len(chains.samples), generator=generator).double().cpu().numpy()
    return {"mcmc_energy": energy_distance(chains.samples, ref), "own_energy": energy_distance(own, ref),
            "n": len(chains.samples), "n_reference": len(ref)}
