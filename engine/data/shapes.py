"""Procedural shapes with known factors, for watching a latent space disentangle (dSprites-like).

Each 32x32 image holds one shape (square, circle, triangle, cross) on black, drawn from independent
uniform factors: scale, rotation, x and y position, and in ``shapes-colour`` a hue. The factors
travel with the data (``Dataset.factors_*``, named by ``factor_names``) and the shape is the class
label, so a latent explorer can colour its points by any of them.

Shapes are rendered from exact signed distances with one-pixel analytic anti-aliasing (coverage =
clamp(0.5 - distance in pixels)), vectorised over the whole batch, then rounded to 256 levels: fast
and deterministic for a given seed. Train and test come from disjoint seeded streams, like the toys.
"""

from __future__ import annotations

import colorsys
import math

import numpy as np
import torch

from engine.data.arrays import check_room
from engine.data.spec import DataSpec, Dataset

SIDE = 32
SHAPE_NAMES = ("square", "circle", "triangle", "cross")
FACTOR_NAMES = ("shape", "scale", "rotation", "x", "y")
SCALE_RANGE = (0.45, 1.0)          # fraction of the largest radius
MAX_RADIUS = SIDE * 0.25           # pixels, at scale 1
SHAPES_NAMES = ("shapes", "shapes-colour", "shapes-color")
_CHUNK = 2048


def _box(px, py, hx, hy):
    dx, dy = np.abs(px) - hx, np.abs(py) - hy
    outside = np.hypot(np.maximum(dx, 0), np.maximum(dy, 0))
    return outside + np.minimum(np.maximum(dx, dy), 0)


def _triangle(px, py, r):
    """Equilateral triangle with circumradius ``r`` (Inigo Quilez's exact distance)."""
    k = math.sqrt(3.0)
    side = r * k / 2  # half the side length
    px = np.abs(px) - side
    py = py + side / k
    flip = px + k * py > 0
    qx = np.where(flip, (px - k * py) / 2, px)
    qy = np.where(flip, (-k * px - py) / 2, py)
    qx = qx - np.clip(qx, -2 * side, 0)
    return -np.hypot(qx, qy) * np.sign(qy)


def signed_distance(shape: int, px: np.ndarray, py: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Distance (pixels, negative inside) from points (px, py) in the shape's own frame; r: its radius."""
    if shape == 0:
        return _box(px, py, r * 0.8, r * 0.8)
    if shape == 1:
        return np.hypot(px, py) - r
    if shape == 2:
        return _triangle(px, py, r * 1.1)
    return np.minimum(_box(px, py, r, r * 0.35), _box(px, py, r * 0.35, r))


def sample_factors(n: int, rng: np.random.Generator, colour: bool) -> np.ndarray:
    """(n, k) float64 factors: shape index, scale, rotation (radians), x, y (pixels)[, hue]."""
    shape = rng.integers(0, len(SHAPE_NAMES), n).astype(np.float64)
    scale = rng.uniform(*SCALE_RANGE, n)
    rot = rng.uniform(0, 2 * math.pi, n)
    margin = MAX_RADIUS * 1.15 + 1
    x = rng.uniform(margin, SIDE - margin, n)
    y = rng.uniform(margin, SIDE - margin, n)
    cols = [shape, scale, rot, x, y]
    if colour:
        cols.append(rng.uniform(0, 1, n))
    return np.stack(cols, 1)


def render(factors: np.ndarray, colour: bool) -> np.ndarray:
    """uint8 (n, C, SIDE, SIDE) images for the given factor rows."""
    n = len(factors)
    cover = np.zeros((n, SIDE, SIDE), dtype=np.float32)
    win = min(SIDE, 2 * int(math.ceil(MAX_RADIUS * 1.15)) + 4)  # every shape fits in a win x win window
    local = np.arange(win, dtype=np.float32) + 0.5
    shapes = factors[:, 0].astype(np.int64)
    for s in range(len(SHAPE_NAMES)):
        rows = np.flatnonzero(shapes == s)
        for a in range(0, len(rows), _CHUNK):
            idx = rows[a:a + _CHUNK]
            f = factors[idx].astype(np.float32)
            col = lambda j: f[:, j][:, None, None]  # noqa: E731
            ox = np.clip(np.floor(f[:, 3]) - win // 2, 0, SIDE - win).astype(np.int64)
            oy = np.clip(np.floor(f[:, 4]) - win // 2, 0, SIDE - win).astype(np.int64)
            cos, sin = np.cos(col(2)), np.sin(col(2))
            dx = (ox.astype(np.float32)[:, None, None] + local[None, None, :]) - col(3)  # float32 throughout
            dy = (oy.astype(np.float32)[:, None, None] + local[None, :, None]) - col(4)
            px, py = cos * dx + sin * dy, -sin * dx + cos * dy  # the pixel in the shape's frame
            patch = np.clip(0.5 - signed_distance(s, px, py, col(1) * MAX_RADIUS), 0.0, 1.0)
            rr = oy[:, None] + np.arange(win)[None]          # (m, win) rows
            cc = ox[:, None] + np.arange(win)[None]          # (m, win) columns
            cover[idx[:, None, None], rr[:, :, None], cc[:, None, :]] = patch
    if not colour:
        return np.rint(cover * 255)[:, None].astype(np.uint8)
    rgb = np.array([colorsys.hsv_to_rgb(h, 1.0, 1.0) for h in factors[:, 5]], dtype=np.float32)
    return np.rint(cover[:, None] * rgb[:, :, None, None] * 255).astype(np.uint8)


def load_shapes(name: str, n_train: int, n_test: int, seed: int, reporter=None) -> Dataset:
    colour = name != "shapes"
    channels = 3 if colour else 1
    # per image: the float32 coverage map, the uint8 picture and its float32 tensor, and its factors
    n = n_train + n_test
    check_room(n * (SIDE * SIDE * (4 + channels * 5) + 8 * 8), n * SIDE * SIDE * channels * 4, name,
               f"{n_train} + {n_test} generated {SIDE}x{SIDE} images", "lower data.n_train or data.n_test")
    factor_names = FACTOR_NAMES + (("hue",) if colour else ())
    parts = {}
    for key, (split, n) in enumerate((("train", n_train), ("test", n_test))):
        if reporter is not None:
            reporter.step(key, 2, f"drawing {n} {split} shapes")
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(key,)))
        f = sample_factors(n, rng, colour)
        parts[split] = (torch.from_numpy(render(f, colour)).to(torch.float32).div_(255.0),
                        torch.from_numpy(f[:, 0].astype(np.int64)), torch.from_numpy(f.astype(np.float32)))
    spec = DataSpec(kind="image", shape=(3 if colour else 1, SIDE, SIDE), value_range=(0.0, 1.0), levels=256,
                    num_classes=len(SHAPE_NAMES), class_names=SHAPE_NAMES, name="shapes-colour" if colour else name)
    (xtr, ytr, ftr), (xte, yte, fte) = parts["train"], parts["test"]
    return Dataset(spec=spec, x_train=xtr, x_test=xte, y_train=ytr, y_test=yte,
                   source=f"built-in procedural shapes ({'colour' if colour else 'grey'}, seed {seed})",
                   factor_names=factor_names, factors_train=ftr, factors_test=fte,
                   preparation={"kind": "image", "generator": "shapes", "seed": seed, "levels": 256,
                                "factors": list(factor_names)})
