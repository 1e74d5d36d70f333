"""Planes through a latent space, and paths between two latents (NumPy only, no torch, no Qt).

The explorer shows a 2-D plane: with a 2-D latent the plane *is* the latent; otherwise it is the
affine plane ``origin + a * u + b * v`` through the latent, spanned by two orthonormal directions:
principal components of encoded training data (VAE, flow), two picked latents, or random directions
(GAN, diffusion noise).

The current latent ``z`` is a full vector; the handle on the plane shows its in-plane coordinates
``(a, b)``. Moving the handle replaces only those coordinates and keeps the part of ``z`` off the
plane (``Plane.move``), so an encoded example can be edited along the plane without losing what
makes it that example, and sliders on single dimensions stay in step with the handle.

Paths: ``lerp`` (straight) for the VAE, whose latents sit near the origin; ``slerp`` (along the
great circle, White 2016) for Gaussian latents of high dimension, whose typical members lie on a
shell that a straight line would cut through.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

MAX_PCA_ROWS = 5000


@dataclass(frozen=True)
class Plane:
    origin: np.ndarray                       # (d,)
    basis: np.ndarray                        # (2, d): rows u and v, orthonormal (v may be 0 when d == 1)
    name: str = "axes"                       # "axes", "pca", "random", "samples"
    explained: tuple[float, float] | None = None   # PCA: share of the variance along u and v
    axis_names: tuple[str, str] = field(default=("z1", "z2"))

    @property
    def dim(self) -> int:
        return int(self.origin.shape[0])

    def to_latent(self, ab) -> np.ndarray:
        """Plane coordinates (..., 2) -> latents (..., d) on the plane."""
        ab = np.asarray(ab, dtype=np.float64)
        return self.origin + ab @ self.basis

    def coords(self, z) -> np.ndarray:
        """Latents (..., d) -> their in-plane coordinates (..., 2) (the orthogonal projection)."""
        z = np.asarray(z, dtype=np.float64)
        return (z - self.origin) @ self.basis.T

    def move(self, z, ab) -> np.ndarray:
        """``z`` with its in-plane coordinates set to ``ab``; the component off the plane is kept.
        ``z`` may be (d,) with ``ab`` (2,) or (n, 2) (a grid of moves of the same latent)."""
        z = np.asarray(z, dtype=np.float64)
        ab = np.asarray(ab, dtype=np.float64)
        return z + (ab - self.coords(z)) @ self.basis

    def grid(self, x_range: tuple[float, float], y_range: tuple[float, float], k: int) -> np.ndarray:
        """(k * k, 2) plane coordinates at the centres of a k x k tiling of the region, in the order
        of an image grid read row by row: the first row is the top of the region (largest b)."""
        k = max(1, int(k))
        xs = _centres(x_range, k)
        ys = _centres(y_range, k)[::-1]
        a, b = np.meshgrid(xs, ys)
        return np.stack([a.ravel(), b.ravel()], 1)


def _centres(r: tuple[float, float], k: int) -> np.ndarray:
    lo, hi = float(r[0]), float(r[1])
    step = (hi - lo) / k
    return lo + step * (np.arange(k) + 0.5)


def axes_plane(d: int, i: int = 0, j: int = 1, origin=None) -> Plane:
    """The plane of latent axes ``i`` and ``j`` (the latent itself when d == 2)."""
    basis = np.zeros((2, d))
    basis[0, i % d] = 1.0
    if d > 1:
        basis[1, j % d] = 1.0
    o = np.zeros(d) if origin is None else np.asarray(origin, dtype=np.float64).copy()
    return Plane(o, basis, "axes", axis_names=(f"z{i % d + 1}", f"z{j % d + 1}" if d > 1 else "-"))


def pca_plane(latents: np.ndarray, rng: np.random.Generator | None = None) -> Plane:
    """The plane of the two principal components of ``latents`` (n, d), through their mean."""
    z = np.asarray(latents, dtype=np.float64)
    if z.ndim != 2 or len(z) < 2:
        raise ValueError("a PCA plane needs at least two latents")
    z = z[np.isfinite(z).all(1)]
    if len(z) < 2:
        raise ValueError("a PCA plane needs at least two finite latents")
    if len(z) > MAX_PCA_ROWS:
        rng = rng or np.random.default_rng(0)
        z = z[rng.choice(len(z), MAX_PCA_ROWS, replace=False)]
    mean = z.mean(0)
    d = z.shape[1]
    _, s, vt = np.linalg.svd(z - mean, full_matrices=False)
    var = s ** 2
    total = float(var.sum()) or 1.0
    basis = np.zeros((2, d))
    basis[0] = vt[0]
    if d > 1 and len(vt) > 1:
        basis[1] = vt[1]
    # a sign convention, so refitting on similar data does not mirror the picture
    for r in range(2):
        k = int(np.argmax(np.abs(basis[r]))) if basis[r].any() else 0
        if basis[r, k] < 0:
            basis[r] = -basis[r]
    explained = (float(var[0] / total), float(var[1] / total) if len(var) > 1 else 0.0)
    return Plane(mean, basis, "pca", explained, ("PC1", "PC2"))


def random_plane(d: int, rng: np.random.Generator, origin=None) -> Plane:
    """Two random orthonormal directions through ``origin`` (zero by default; the dock passes a draw
    of N(0, I) for Gaussian latents, so the plane passes through typical noise)."""
    m = rng.standard_normal((d, 2)) if d > 1 else np.ones((1, 2))
    q, _ = np.linalg.qr(m)
    basis = np.zeros((2, d))
    basis[0] = q[:, 0]
    if d > 1:
        basis[1] = q[:, 1]
    o = np.zeros(d) if origin is None else np.asarray(origin, dtype=np.float64).copy()
    return Plane(o, basis, "random", axis_names=("r1", "r2"))


def plane_through(a, b, rng: np.random.Generator | None = None) -> Plane:
    """The plane through the origin that contains latents ``a`` and ``b`` (both keep their place:
    ``a`` at (|a|, 0), ``b`` at (b.u, b.v))."""
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    d = a.shape[0]
    rng = rng or np.random.default_rng(0)
    na = np.linalg.norm(a)
    u = a / na if na > 1e-12 else _unit(rng.standard_normal(d))
    w = b - (b @ u) * u
    nw = np.linalg.norm(w)
    if nw < 1e-9 * max(1.0, np.linalg.norm(b)):
        w = rng.standard_normal(d)
        w = w - (w @ u) * u
        nw = np.linalg.norm(w)
    basis = np.zeros((2, d))
    basis[0] = u
    if d > 1 and nw > 0:
        basis[1] = w / nw
    return Plane(np.zeros(d), basis, "samples", axis_names=("towards A", "towards B"))


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v)
    return v / n if n > 0 else v


def lerp(a, b, n: int) -> np.ndarray:
    """``n`` latents on the straight segment from ``a`` to ``b``, both ends included exactly."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    n = max(2, int(n))
    t = np.linspace(0.0, 1.0, n).reshape(-1, *([1] * a.ndim))
    out = (1 - t) * a + t * b
    out[0], out[-1] = a, b
    return out


def slerp(a, b, n: int) -> np.ndarray:
    """``n`` latents along the great circle from ``a`` to ``b`` (norms interpolated linearly), both
    ends included exactly; falls back to ``lerp`` when the two point the same way."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    n = max(2, int(n))
    fa, fb = a.ravel(), b.ravel()
    na, nb = np.linalg.norm(fa), np.linalg.norm(fb)
    if na < 1e-12 or nb < 1e-12:
        return lerp(a, b, n)
    cos = float(np.clip(fa @ fb / (na * nb), -1.0, 1.0))
    omega = np.arccos(cos)
    if omega < 1e-6:
        return lerp(a, b, n)
    t = np.linspace(0.0, 1.0, n)[:, None]
    so = np.sin(omega)
    out = (np.sin((1 - t) * omega) / so) * fa + (np.sin(t * omega) / so) * fb
    out = out.reshape(n, *a.shape)
    out[0], out[-1] = a, b
    return out


def interpolate(a, b, n: int, mode: str) -> np.ndarray:
    if mode == "lerp":
        return lerp(a, b, n)
    if mode == "slerp":
        return slerp(a, b, n)
    raise ValueError(f"interpolation mode must be 'lerp' or 'slerp', not {mode!r}")


def view_bounds(points: np.ndarray | None, default: float = 3.0, margin: float = 0.1,
                min_half: float = 1e-3) -> tuple[tuple[float, float], tuple[float, float]]:
    """A square region around ``points`` (n, 2), between their 0.5th and 99.5th percentiles (half-width
    at least ``min_half``), or +-``default`` when there are none."""
    if points is None or len(points) == 0:
        return (-default, default), (-default, default)
    p = np.asarray(points, dtype=np.float64)
    p = p[np.isfinite(p).all(1)]
    if len(p) == 0:
        return (-default, default), (-default, default)
    lo = np.percentile(p, 0.5, axis=0)
    hi = np.percentile(p, 99.5, axis=0)
    centre = (lo + hi) / 2
    half = max(float((hi - lo).max()) / 2 * (1 + 2 * margin), min_half)
    return (centre[0] - half, centre[0] + half), (centre[1] - half, centre[1] + half)
