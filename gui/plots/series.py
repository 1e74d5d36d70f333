"""Loss curves as growable NumPy buffers with smoothing and a log scale that copes with negatives.

A ``LossSeries`` keeps, per loss term, the raw values, their exponential moving average and the
values on the display scale, each in a buffer that doubles when full (amortised O(1) appends, so a
million points cost nothing special). Smoothing and scale are updated incrementally for new points
and recomputed in one vectorised pass when the person moves the slider or flips the scale.

Smoothing: ``ema_t = w * ema_{t-1} + (1 - w) * x_t`` started from zero and divided by
``1 - w^(t+1)`` (TensorBoard's debiasing), so the first points are not pulled towards zero.
Non-finite values are skipped by the average and stay NaN, which the plot draws as a gap.

Log scale: a symmetric log, ``sign(y) * log10(1 + |y| / c)``, linear within about +-c and
logarithmic beyond. It is defined for negative and zero losses (GAN and NLL losses can be negative),
and for positive data well above ``c`` it is an ordinary log scale shifted by ``log10(c)``. ``c`` is
a power of ten picked from the data (a hundredth of the median magnitude) when the scale is switched
on, so curves of very different magnitude stay readable.
"""

from __future__ import annotations

import math

import numpy as np

EMA_BLOCK = 128
INITIAL_CAPACITY = 1024


class GrowableArray:
    """A 1-D float64 buffer that doubles its capacity when full; ``view()`` is the filled part."""

    def __init__(self, capacity: int = INITIAL_CAPACITY):
        self._data = np.empty(max(1, capacity), dtype=np.float64)
        self.size = 0
        self.reallocations = 0

    @property
    def capacity(self) -> int:
        return len(self._data)

    def extend(self, values) -> None:
        values = np.asarray(values, dtype=np.float64).ravel()
        need = self.size + len(values)
        if need > len(self._data):
            cap = len(self._data)
            while cap < need:
                cap *= 2
            grown = np.empty(cap, dtype=np.float64)
            grown[:self.size] = self._data[:self.size]
            self._data = grown
            self.reallocations += 1
        self._data[self.size:need] = values
        self.size = need

    def view(self) -> np.ndarray:
        return self._data[:self.size]

    def set_tail(self, start: int, values: np.ndarray) -> None:
        """Overwrite from ``start`` to the end (used when a derived buffer is recomputed)."""
        self._data[start:start + len(values)] = values

    def clear(self) -> None:
        self.size = 0


def ema(values: np.ndarray, weight: float, state: tuple[float, int] = (0.0, 0)) -> tuple[np.ndarray, tuple[float, int]]:
    """Debiased exponential moving average of ``values`` continuing from ``state``.

    ``state`` is (the undebiased average so far, how many finite values it has seen). Non-finite
    inputs give NaN outputs and do not move the average. Vectorised in blocks: inside a block the
    average is a lower-triangular matrix product, and one carry per block links the blocks.
    Returns the smoothed values and the new state.
    """
    values = np.asarray(values, dtype=np.float64)
    out = np.full(values.shape, np.nan)
    finite = np.isfinite(values)
    x = values[finite]
    acc, count = float(state[0]), int(state[1])
    if len(x) == 0:
        return out, (acc, count)
    w = float(weight)
    if w <= 0.0:
        out[finite] = x
        return out, (float(x[-1]), count + len(x))
    a = 1.0 - w
    n = len(x)
    b = min(EMA_BLOCK, n)
    pad = (-n) % b
    xb = np.concatenate([x, np.zeros(pad)]).reshape(-1, b)
    idx = np.arange(b)
    powers = w ** (idx[:, None] - idx[None, :]).clip(min=0)
    lower = np.tril(powers) * a                      # within-block weights of x_k in ema_i
    inner = xb @ lower.T                             # block EMAs started from zero
    decay = w ** (idx + 1)                           # how a carry-in decays along a block
    carries = np.empty(len(xb))
    carry = acc
    for i in range(len(xb)):
        carries[i] = carry
        carry = inner[i, -1] + carry * decay[-1]
    raw = (inner + carries[:, None] * decay[None, :]).ravel()[:n]
    t = count + np.arange(1, n + 1)
    with np.errstate(over="ignore", under="ignore"):
        debias = 1.0 - w ** t
    out[finite] = raw / debias
    return out, (float(raw[-1]), count + n)


def symlog(y: np.ndarray, c: float) -> np.ndarray:
    y = np.asarray(y, dtype=np.float64)
    return np.sign(y) * np.log10(1.0 + np.abs(y) / c)


def symlog_inverse(t: np.ndarray, c: float) -> np.ndarray:
    t = np.asarray(t, dtype=np.float64)
    return np.sign(t) * c * (10.0 ** np.abs(t) - 1.0)


def pick_linear_threshold(y: np.ndarray) -> float:
    """A power of ten about a hundredth of the median magnitude of the finite, non-zero values."""
    y = np.abs(np.asarray(y, dtype=np.float64))
    y = y[np.isfinite(y) & (y > 0)]
    if len(y) == 0:
        return 1.0
    if len(y) > 10_000:
        y = y[:: len(y) // 10_000]
    med = float(np.median(y))
    return 10.0 ** math.floor(math.log10(med / 100.0))


class LossSeries:
    """One loss term: x in steps and seconds, raw and smoothed values, and the displayed values."""

    def __init__(self, name: str):
        self.name = name
        self.steps = GrowableArray()
        self.seconds = GrowableArray()
        self.raw = GrowableArray()
        self.smooth = GrowableArray()
        self.shown = GrowableArray()
        self.non_finite = 0
        self._ema_state = (0.0, 0)

    def __len__(self) -> int:
        return self.raw.size

    def extend(self, steps, seconds, values, weight: float, scale: float | None) -> None:
        values = np.asarray(values, dtype=np.float64)
        self.non_finite += int((~np.isfinite(values)).sum())
        self.steps.extend(steps)
        self.seconds.extend(seconds)
        self.raw.extend(values)
        smoothed, self._ema_state = ema(values, weight, self._ema_state)
        self.smooth.extend(smoothed)
        self.shown.extend(smoothed if scale is None else symlog(smoothed, scale))

    def recompute(self, weight: float, scale: float | None) -> None:
        """Redo smoothing and scale over everything (slider moved, scale toggled)."""
        smoothed, self._ema_state = ema(self.raw.view(), weight)
        self.smooth.clear()
        self.smooth.extend(smoothed)
        self.rescale(scale)

    def rescale(self, scale: float | None) -> None:
        smoothed = self.smooth.view()
        self.shown.clear()
        self.shown.extend(smoothed if scale is None else symlog(smoothed, scale))

    def x(self, axis: str) -> np.ndarray:
        return self.seconds.view() if axis == "seconds" else self.steps.view()

    def value_at(self, x: float, axis: str) -> tuple[float, float, float] | None:
        """(x, raw value, smoothed value) of the point nearest to ``x``, or None when empty."""
        xs = self.x(axis)
        if len(xs) == 0:
            return None
        i = int(np.searchsorted(xs, x))
        candidates = [j for j in (i - 1, i) if 0 <= j < len(xs)]
        i = min(candidates, key=lambda j: abs(xs[j] - x))
        return float(xs[i]), float(self.raw.view()[i]), float(self.smooth.view()[i])
