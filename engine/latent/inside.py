""""Inside the models" for 2-D point data: what a model computes, on a grid of the plane.

Jobs for ``LatentExplorer.submit`` (each returns NumPy values only). Which of them a family gets follows
from what its class declares (capabilities and ``inside_view``, ``engine.models.base``), never from its
name:

- ``density`` (``log_likelihood``): the model's log-density on an n x n grid, with the family's lighter
  estimator settings (``inside_view.density_options``) and labelled for what it is (``density_label``:
  exact, a bound with its samples, an ODE with its steps);
- ``critic`` (``critic``): a critic's scores on the grid (a GAN's D(x) for the non-saturating loss,
  the raw critic score otherwise);
- frames for a slider (``inside_view.frames``): ``latent_warp``, a regular grid of noise (lines in two
  latent dimensions, the others 0) pushed through ``decode``; ``layer_warp``, a regular grid of the
  base space carried through every layer by ``trajectory``; ``particles``, points carried from noise
  to data by ``trajectory``;
- ``posterior`` (``posterior``): q(z | x) (mean and standard deviation) for picked points, and the
  posterior means of a cloud of held-out points for context;
- ``components`` (``mixture``): each mixture component's two-sigma ellipse and weight, and the E-step
  on held-out points (the component with the largest responsibility, and that responsibility);
- ``chains`` (an exact density or a ``score``): MCMC chains and their paths (``engine.sampling``);
- ``score_field`` (``score``, drawn where ``inside_view.score_arrows``): the score of the data smoothed by
  Gaussian noise of a chosen level, nabla log p_sigma(x), on an n x n grid, for arrows;
- ``steps_quality`` (``step_samplers``, charted where ``inside_view.steps_chart``): sample quality (energy
  distance to held-out points) against the number of sampler steps, for each of the model's samplers.

Heat maps are (n, n) arrays whose row i lies at y = y0 + (i + 1/2) (y1 - y0) / n (rows go *up*, as
the y axis does) and column j at x = x0 + (j + 1/2) (x1 - x0) / n.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from engine.errors import GenLabError
from engine.interrupt import check_interrupt
from engine.metrics import energy_distance
from engine.sampling.mcmc import default_step, sample_model

CHUNK = 2048            # grid points per forward pass


@dataclass(frozen=True)
class Heatmap:
    values: np.ndarray                 # float64 (n, n), rows going up in y
    bounds: tuple[float, float, float, float]   # x0, x1, y0, y1
    what: str                          # "log_density" or "discriminator"
    label: str                         # what the numbers are, for the view's caption
    nll: float | None = None           # held-out NLL (nats per example) of the ``score`` points, when asked
    knob: tuple | None = None          # (name, value) of the view's knob the values were computed with


@dataclass(frozen=True)
class Frames:
    frames: np.ndarray                 # float32 (F, ...): points (F, n, 2) or polylines (F, L, P, 2)
    labels: list[str]


@dataclass(frozen=True)
class Posterior:
    points: np.ndarray                 # (m, 2) the picked data points
    mean: np.ndarray                   # (m, d)
    std: np.ndarray                    # (m, d)
    cloud: np.ndarray                  # (k, d) posterior means of held-out points (context)
    prior: np.ndarray                  # (K, P, 2) contours of the prior p(z) in the first two dimensions


@dataclass(frozen=True)
class Components:
    weights: np.ndarray                # (K,) mixture weights
    ellipses: np.ndarray               # (K, P, 2) each component's two-sigma contour, data units
    points: np.ndarray                 # (m, 2) held-out points
    owner: np.ndarray                  # (m,) int: the component with the largest responsibility
    confidence: np.ndarray             # (m,) that responsibility


@dataclass(frozen=True)
class ChainPaths:
    path: np.ndarray                   # (frames, m, 2) the first m chains' states along the run
    samples: np.ndarray                # (n, 2) every chain's last state
    method: str
    step_size: float
    acceptance: float | None


@dataclass(frozen=True)
class VectorField:
    points: np.ndarray                 # (n * n, 2) grid points (``grid_points``), data units
    vectors: np.ndarray                # (n * n, 2) the score there, per data unit (non-finite ones zeroed)
    noise: float                       # the smoothing noise's standard deviation, data units
    label: str


@dataclass(frozen=True)
class StepsQuality:
    curves: dict                       # sampler name -> list of (steps, network evaluations, energy distance)
    floor: float                       # the same distance for real held-out points (a perfect sampler's)
    n: int                             # samples per point of the chart


def grid_points(bounds, n: int) -> np.ndarray:
    """(n * n, 2) centres of an n x n tiling of ``bounds``, row by row from the bottom."""
    x0, x1, y0, y1 = (float(b) for b in bounds)
    xs = x0 + (x1 - x0) * (np.arange(n) + 0.5) / n
    ys = y0 + (y1 - y0) * (np.arange(n) + 0.5) / n
    gx, gy = np.meshgrid(xs, ys)
    return np.stack([gx.ravel(), gy.ravel()], 1)


def _require_points(ctx) -> None:
    if ctx.spec.kind != "points":
        raise GenLabError("the inside views are for 2-D point data; this model was trained on images")


def _class(model, n: int, label: int):
    """Labels for a conditional model (its views show one class), None otherwise."""
    if not getattr(model, "conditional", False):
        return None
    return torch.full((n,), int(label), dtype=torch.long, device=model.device)


def _class_note(model, label: int) -> str:
    return f", class {model.spec.class_names[label] if label < len(model.spec.class_names) else label}" \
        if getattr(model, "conditional", False) else ""


def _chunked(fn, pts: np.ndarray, device) -> np.ndarray:
    out = []
    for i in range(0, len(pts), CHUNK):
        check_interrupt()
        x = torch.from_numpy(np.ascontiguousarray(pts[i:i + CHUNK], dtype=np.float32)).to(device)
        out.append(fn(x).float().cpu().numpy().astype(np.float64))  # float64 only on the host
    return np.concatenate(out, 0)


def density(bounds, n: int = 64, options: dict | None = None, label: int = 0, knob: tuple | None = None,
            score=None):
    """The model's log-density on an n x n grid, with ``options`` for ``log_likelihood`` (default: the
    family's ``inside_view.density_options``). Run with ``grad=True`` where the family's
    ``inside_view.density_needs_grad`` says so (an ODE's divergence needs gradients). ``knob`` (name,
    value): the family's ``inside_view.knob`` set on the explorer's copy of the model first; ``score``
    (m, 2): held-out points whose mean NLL the heat map carries."""
    bounds = tuple(float(b) for b in bounds)
    chosen = None if options is None else dict(options)
    score = None if score is None else np.array(score, dtype=np.float32, copy=True).reshape(-1, 2)

    def job(ctx) -> Heatmap:
        _require_points(ctx)
        model = ctx.model
        if not model.has("log_likelihood"):
            raise GenLabError(f"the {ctx.family} family has no density")
        if knob is not None:
            if knob[0] != model.inside_view.knob:
                raise GenLabError(f"the {ctx.family} family's view has no knob {knob[0]!r}")
            model.set_live(knob[0], type(getattr(model.cfg, knob[0]))(knob[1]))
        opts = dict(model.inside_view.density_options if chosen is None else chosen)

        def log_p(x):
            return model.log_likelihood(x, labels=_class(model, len(x), label), generator=ctx.generator, **opts)
        values = _chunked(log_p, grid_points(bounds, n), model.device)
        nll = None
        if score is not None and len(score):
            nll = float(-_chunked(log_p, score, model.device).mean())
        return Heatmap(values.reshape(n, n), bounds, "log_density", model.density_label(opts) + _class_note(model, label),
                       nll=nll, knob=knob)
    return job


def critic(bounds, n: int = 64, label: int = 0):
    """A critic's scores on an n x n grid (a GAN's discriminator: D(x) in [0, 1] for the non-saturating
    loss, raw critic scores otherwise). The heat map's ``what`` is "discriminator"."""
    bounds = tuple(float(b) for b in bounds)

    def job(ctx) -> Heatmap:
        _require_points(ctx)
        model = ctx.model
        if not model.has("critic"):
            raise GenLabError(f"the {ctx.family} family has no critic")
        values = _chunked(lambda x: model.critic(x, _class(model, len(x), label)), grid_points(bounds, n),
                          model.device)
        return Heatmap(values.reshape(n, n), bounds, "discriminator", model.critic_label() + _class_note(model, label))
    return job


def _line_grid(extent: float, lines: int, points: int) -> np.ndarray:
    """(2 * lines, points, 2): ``lines`` horizontal then ``lines`` vertical lines over +-extent."""
    ticks = np.linspace(-extent, extent, lines)
    along = np.linspace(-extent, extent, points)
    horiz = np.stack(np.broadcast_arrays(along[None, :], ticks[:, None]), -1)
    vert = np.stack(np.broadcast_arrays(ticks[:, None], along[None, :]), -1)
    return np.concatenate([horiz, vert], 0)


def frames(n: int = 800, extent: float = 3.0, lines: int = 13, points: int = 61):
    """The family's frames for the slider (``inside_view.frames``; ``n`` is the number of particles)."""

    def job(ctx) -> Frames:
        kind = ctx.model.inside_view.frames
        if kind == "latent_warp":
            return latent_warp(extent, lines, points)(ctx)
        if kind == "layer_warp":
            return layer_warp(extent, lines, points)(ctx)
        if kind == "particles":
            return particles(n)(ctx)
        raise GenLabError(f"the {ctx.family} family has no frames to show on the plane")
    return job


def latent_warp(extent: float = 3.0, lines: int = 13, points: int = 61, dims: tuple[int, int] = (0, 1)):
    """A regular grid in latent dimensions ``dims`` (others 0) through ``decode``: polylines in data
    space, (2 * lines, points, 2), with the latent grid they came from."""

    def job(ctx) -> Frames:
        _require_points(ctx)
        model = ctx.model
        d = int(np.prod(model.latent_shape()))
        grid = _line_grid(extent, lines, points)
        z = np.zeros((grid.shape[0] * grid.shape[1], d), np.float32)
        z[:, dims[0] % d] = grid[..., 0].ravel()
        if d > 1:
            z[:, dims[1] % d] = grid[..., 1].ravel()
        x = model.decode(torch.from_numpy(z).to(model.device), labels=_class(model, len(z), 0)).float().cpu().numpy()
        warped = x.reshape(grid.shape[0], grid.shape[1], 2)
        return Frames(np.stack([grid.astype(np.float32), warped.astype(np.float32)]),
                      [f"noise grid (z{dims[0] % d + 1}, z{dims[1] % d + 1 if d > 1 else 1})", "through the generator"])
    return job


def layer_warp(extent: float = 3.0, lines: int = 13, points: int = 61):
    """A regular grid of the base space carried through the layers by ``trajectory(0, inputs=grid,
    **inside_view.frame_options)``, one frame per layer."""

    def job(ctx) -> Frames:
        _require_points(ctx)
        model = ctx.model
        if not model.has("trajectory"):
            raise GenLabError(f"the {ctx.family} family has no layers to step through")
        grid = _line_grid(extent, lines, points)
        base = torch.from_numpy(grid.reshape(-1, 2).astype(np.float32)).to(model.device)
        inputs = model.to_data(base)          # the trajectory reads inputs through the data's standardisation
        traj = model.trajectory(0, ctx.generator, labels=_class(model, len(base), 0), inputs=inputs,
                                **model.inside_view.frame_options)
        frames = np.stack([f.float().cpu().numpy().reshape(grid.shape) for f in traj.frames]).astype(np.float32)
        n = len(frames) - 1     # the base, then the state after each layer on the way to the data
        labels = ["base (regular grid)"] + [f"after layer {i} of {n}" + (" (data space)" if i == n else "")
                                            for i in range(1, n + 1)]
        return Frames(frames, labels)
    return job


def particles(n: int = 800):
    """``n`` particles carried from noise to data by ``trajectory(n, **inside_view.frame_options)``
    (a diffusion model: deterministic DDIM, labelled by timestep)."""

    def job(ctx) -> Frames:
        _require_points(ctx)
        model = ctx.model
        if not model.has("trajectory"):
            raise GenLabError(f"the {ctx.family} family has no trajectory from noise to data")
        traj = model.trajectory(int(n), ctx.generator, **model.inside_view.frame_options)
        frames = np.stack([f.float().cpu().numpy() for f in traj.frames]).astype(np.float32)
        return Frames(frames, list(traj.labels))
    return job


def posterior(picked, cloud):
    """q(z | x) for ``picked`` points (m, 2), posterior means of ``cloud`` (k, 2), and the prior's contours."""
    picked = np.array(picked, dtype=np.float32, copy=True).reshape(-1, 2)
    cloud = np.array(cloud, dtype=np.float32, copy=True).reshape(-1, 2)

    def job(ctx) -> Posterior:
        _require_points(ctx)
        model = ctx.model
        if not model.has("posterior"):
            raise GenLabError(f"the {ctx.family} family has no posterior q(z | x) to show")
        d = int(np.prod(model.latent_shape()))

        def q(x):
            mean, std = model.posterior_stats(torch.from_numpy(x).to(model.device), _class(model, len(x), 0))
            return mean.cpu().numpy(), std.cpu().numpy()
        mu, std = q(picked) if len(picked) else (np.zeros((0, d)),) * 2
        cmu = q(cloud)[0] if len(cloud) else np.zeros((0, d))
        return Posterior(picked, mu, std, cmu, prior_contours(*model.prior_components()))
    return job


def prior_contours(weights: torch.Tensor, means: torch.Tensor, covs: torch.Tensor) -> np.ndarray:
    """(K, P, 2) contours of a prior made of Gaussians: a single Gaussian's 1- and 2-sigma contours (the
    standard normal's circles), else each component's 2-sigma ellipse, so a fitted mixture shows where
    its codes are drawn from rather than N(0, I)'s circles."""
    means, covs = means.double().cpu().numpy(), covs.double().cpu().numpy()
    if means.shape[1] == 1:     # a 1-D latent: drawn on the z1 axis
        means = np.pad(means, ((0, 0), (0, 1)))
        covs = np.pad(covs, ((0, 0), (0, 1), (0, 1)))
    if len(weights) == 1:
        return np.concatenate([covariance_ellipses(means, covs, k) for k in (1.0, 2.0)])
    return covariance_ellipses(means, covs, 2.0)


def samples(n: int = 1000):
    """``n`` samples of the model (points), drawn with the explorer's generator."""

    def job(ctx) -> np.ndarray:
        _require_points(ctx)
        options = ctx.model.display_options()
        return ctx.model.sample(int(n), generator=ctx.generator, **options).float().cpu().numpy()
    return job


def covariance_ellipses(means: np.ndarray, covs: np.ndarray, k: float = 2.0, points: int = 64) -> np.ndarray:
    """(K, points, 2): the k-sigma contours of 2-D Gaussians (full covariances, first two dimensions)."""
    t = np.linspace(0, 2 * np.pi, points)
    circle = np.stack([np.cos(t), np.sin(t)], 1)                          # (P, 2)
    vals, vecs = np.linalg.eigh(np.asarray(covs, dtype=np.float64)[:, :2, :2])
    axes = vecs * np.sqrt(np.clip(vals, 0, None))[:, None, :]              # columns scaled by their std
    return np.asarray(means, dtype=np.float64)[:, None, :2] + k * np.einsum("pj,kij->kpi", circle, axes)


def components(points):
    """The mixture's components (ellipses, weights) and the E-step on ``points`` (m, 2)."""
    points = np.array(points, dtype=np.float32, copy=True).reshape(-1, 2)

    def job(ctx) -> Components:
        _require_points(ctx)
        model = ctx.model
        if not model.has("mixture"):
            raise GenLabError(f"the {ctx.family} family is not a mixture")
        w, means, covs = model.mixture_components()
        if len(points):
            x = torch.from_numpy(points).to(model.device)
            r = model.responsibilities(x, _class(model, len(x), 0)).double().cpu().numpy()
            owner, conf = r.argmax(1), r.max(1)
        else:
            owner, conf = np.zeros(0, np.int64), np.zeros(0)
        return Components(w.cpu().numpy(), covariance_ellipses(means.cpu().numpy(), covs.cpu().numpy()),
                          points, owner.astype(np.int64), conf.astype(np.float64))
    return job


def score_field(bounds, n: int = 21, noise: float = 0.0, label: int = 0):
    """The model's score nabla_x log p_noise(x) (``score``: the density smoothed by N(0, noise^2 I), data
    units) on an n x n grid of ``bounds``."""
    bounds = tuple(float(b) for b in bounds)
    noise = float(noise)

    def job(ctx) -> VectorField:
        _require_points(ctx)
        model = ctx.model
        if not model.has("score"):
            raise GenLabError(f"the {ctx.family} family has no score")
        pts = grid_points(bounds, n)
        vec = _chunked(lambda x: model.score(x, _class(model, len(x), label), noise=noise), pts, model.device)
        vec = np.where(np.isfinite(vec), vec, 0.0)
        return VectorField(pts, vec, noise, f"score of the data smoothed by noise {noise:.3g}"
                           + _class_note(model, label))
    return job


def steps_quality(reference, steps=(1, 2, 4, 8, 16, 32, 64), n: int = 1000):
    """Sample quality against sampler steps for each of the model's ``step_samplers``: the energy distance
    (``engine.metrics``) between ``n`` samples and ``n`` held-out points of ``reference`` (at least 2n
    points; the second n give the real-data floor). The same start noise for every curve and count."""
    reference = np.array(reference, dtype=np.float64, copy=True).reshape(-1, 2)
    n = min(int(n), len(reference) // 2)
    steps = tuple(int(s) for s in steps)

    def job(ctx) -> StepsQuality:
        _require_points(ctx)
        model = ctx.model
        samplers = model.step_samplers()
        if not samplers:
            raise GenLabError(f"the {ctx.family} family has no sampler whose steps are a choice")
        if n < 2:
            raise GenLabError("too few held-out points to measure sample quality")
        held, real = reference[:n], reference[n:2 * n]
        curves = {}
        for name, options in samplers.items():
            curves[name] = []
            for k in steps:
                check_interrupt()
                gen = torch.Generator(device=ctx.generator.device).manual_seed(1234)
                x = model.sample(n, generator=gen, steps=k, **options).float().cpu().numpy()
                x = x[np.isfinite(x).all(1)]
                e = energy_distance(x, held) if len(x) > 1 else float("nan")
                curves[name].append((k, model.sampler_evaluations(options, k), e))
        return StepsQuality(curves, energy_distance(real, held), n)
    return job


def chains(method: str, n: int = 400, steps: int = 200, spread: float = 1.0):
    """MCMC chains on the model's density or score (``engine.sampling.mcmc``), started from N(0, I) in
    the model's units, with their paths for drawing; ``spread`` (the data's) sets the first step."""

    def job(ctx) -> ChainPaths:
        _require_points(ctx)
        ch = sample_model(ctx.model, method, int(n), int(steps), default_step(method, float(spread)), ctx.generator)
        return ChainPaths(ch.path.astype(np.float32), ch.samples.astype(np.float32), ch.method, ch.step_size,
                          ch.acceptance)
    return job
