"""The 2D toy distributions, defined as FFJORD's ``lib/toy_data.py`` defines them.

Published reference likelihoods for these sets assume exactly these generators, so the constants
(scales, noise levels, offsets) are FFJORD's. Two things differ on purpose: every generator takes a
NumPy ``Generator`` (FFJORD's 2spirals and checkerboard used the global NumPy state), and
scikit-learn's evenly spaced angles in moons/circles/swissroll become uniform random angles, which is
the distribution those grids approximate, so that any ``n`` can be drawn from an endless stream.
"""

from __future__ import annotations

import math

import numpy as np


def _moons(rng, n):
    n_out = n // 2
    n_in = n - n_out
    t_out = rng.uniform(0, math.pi, n_out)
    t_in = rng.uniform(0, math.pi, n_in)
    outer = np.stack([np.cos(t_out), np.sin(t_out)], 1)
    inner = np.stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5], 1)
    x = np.concatenate([outer, inner]) + rng.normal(0, 0.1, (n, 2))
    x = rng.permutation(x)
    return x * 2 + np.array([-1.0, -0.2])


def _circles(rng, n):
    n_out = n // 2
    n_in = n - n_out
    t_out = rng.uniform(0, 2 * math.pi, n_out)
    t_in = rng.uniform(0, 2 * math.pi, n_in)
    outer = np.stack([np.cos(t_out), np.sin(t_out)], 1)
    inner = np.stack([np.cos(t_in), np.sin(t_in)], 1) * 0.5
    x = np.concatenate([outer, inner]) + rng.normal(0, 0.08, (n, 2))
    return rng.permutation(x) * 3


def _eight_gaussians(rng, n):
    s = 1.0 / math.sqrt(2)
    centres = 4.0 * np.array([(1, 0), (-1, 0), (0, 1), (0, -1), (s, s), (s, -s), (-s, s), (-s, -s)])
    idx = rng.integers(0, 8, n)
    x = rng.normal(0, 0.5, (n, 2)) + centres[idx]
    return x / math.sqrt(2)


def _swissroll(rng, n):
    t = 1.5 * math.pi * (1 + 2 * rng.uniform(0, 1, n))
    x = t * np.cos(t)
    z = t * np.sin(t)
    pts = np.stack([x, z], 1) + rng.normal(0, 1.0, (n, 2))
    return pts / 5


def _checkerboard(rng, n):
    x1 = rng.uniform(0, 1, n) * 4 - 2
    x2_ = rng.uniform(0, 1, n) - rng.integers(0, 2, n) * 2
    x2 = x2_ + (np.floor(x1) % 2)
    return np.stack([x1, x2], 1) * 2


def _pinwheel(rng, n):
    radial_std, tangential_std, num_classes, rate = 0.3, 0.1, 5, 0.25
    per_class = -(-n // num_classes)
    rads = np.linspace(0, 2 * np.pi, num_classes, endpoint=False)
    features = rng.normal(size=(num_classes * per_class, 2)) * np.array([radial_std, tangential_std])
    features[:, 0] += 1.0
    labels = np.repeat(np.arange(num_classes), per_class)
    angles = rads[labels] + rate * np.exp(features[:, 0])
    rotations = np.stack([np.cos(angles), -np.sin(angles), np.sin(angles), np.cos(angles)])
    rotations = np.reshape(rotations.T, (-1, 2, 2))
    x = 2 * rng.permutation(np.einsum("ti,tij->tj", features, rotations))
    return x[:n]


def _two_spirals(rng, n):
    half = n // 2
    rest = n - half
    m = np.sqrt(rng.uniform(0, 1, (max(half, rest), 1))) * 540 * (2 * np.pi) / 360
    d1x = -np.cos(m) * m + rng.uniform(0, 1, m.shape) * 0.5
    d1y = np.sin(m) * m + rng.uniform(0, 1, m.shape) * 0.5
    arm = np.hstack((d1x, d1y))
    x = np.vstack((arm[:half], -arm[:rest])) / 3
    x += rng.normal(size=x.shape) * 0.1
    return rng.permutation(x)


TOYS = {
    "moons": _moons,
    "circles": _circles,
    "8gaussians": _eight_gaussians,
    "swissroll": _swissroll,
    "checkerboard": _checkerboard,
    "pinwheel": _pinwheel,
    "2spirals": _two_spirals,
}

EIGHT_GAUSSIAN_CENTRES = 4.0 * np.array(
    [(1, 0), (-1, 0), (0, 1), (0, -1)] + [(a / math.sqrt(2), b / math.sqrt(2)) for a, b in
                                          ((1, 1), (1, -1), (-1, 1), (-1, -1))]) / math.sqrt(2)
EIGHT_GAUSSIAN_STD = 0.5 / math.sqrt(2)


def sample_toy(name: str, n: int, seed: int, stream: str = "train") -> np.ndarray:
    """Draw ``n`` points of toy ``name`` as float32 (n, 2).

    Train and test come from disjoint seeded streams (different ``SeedSequence`` spawn keys), so the
    held-out set never repeats a training point, and ``n`` can be anything.
    """
    if name not in TOYS:
        raise KeyError(name)
    key = {"train": 0, "test": 1, "reference": 2, "extra": 3}[stream]
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(key,)))
    return np.asarray(TOYS[name](rng, n), dtype=np.float32)
