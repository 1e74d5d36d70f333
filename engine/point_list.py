"""The points of a drawn 2D set as ``DataConfig.points`` holds them: parse, check, round to float32.

A drawing lives in the run config (``data.points``), so the config must validate it when it loads.
This module needs NumPy only: ``engine.config`` imports it without the data loaders (``engine.data``,
which load PyTorch), and the window's point painter reads its limit before PyTorch has loaded.
``engine.data.points`` turns such a list into a dataset.
"""

from __future__ import annotations

import numpy as np

from engine.errors import DataError

MAX_DRAWN_POINTS = 20_000


def parse_point_list(points) -> np.ndarray:
    """(N, 2) float64 from what ``DataConfig.points`` may hold; raises ValueError saying what is wrong.

    Accepts [x, y] pairs, and also the flat text form a settings form shows and reads back
    ("(x1, y1), (x2, y2)" split at commas), so a drawing survives a round trip through a text field.
    """
    if not isinstance(points, (list, tuple)):
        raise ValueError(f"a {type(points).__name__}")
    if all(isinstance(p, (list, tuple)) for p in points):
        rows = []
        for i, p in enumerate(points):
            if len(p) != 2 or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in p):
                raise ValueError(f"item {i} is {list(p)!r}")
            rows.append((float(p[0]), float(p[1])))
        arr = np.asarray(rows, dtype=np.float64).reshape(-1, 2)
    else:
        flat = []
        for i, v in enumerate(points):
            if isinstance(v, str):
                text = v.strip().strip("()[] ")
                try:
                    v = float(text)
                except ValueError:
                    raise ValueError(f"item {i} is {v[:40]!r}") from None
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ValueError(f"item {i} is {v!r}")
            flat.append(float(v))
        if len(flat) % 2:
            raise ValueError(f"{len(flat)} numbers do not make pairs")
        arr = np.asarray(flat, dtype=np.float64).reshape(-1, 2)
    if not np.isfinite(arr).all():
        raise ValueError("a coordinate is NaN or infinite")
    return arr


def check_point_list(points) -> str:
    """'' if ``points`` is a valid list of finite (x, y) pairs, else what is wrong with it."""
    try:
        parse_point_list(points)
    except ValueError as e:
        return str(e)
    return ""


def points_to_config(points) -> tuple[tuple[float, float], ...]:
    """(N, 2) numbers -> the tuple of pairs ``DataConfig.points`` holds, at float32 precision.

    Values are rounded through float32 so that what the config stores is exactly what training sees.
    """
    arr = np.asarray(points, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise DataError(f"drawn points: expected (N, 2) coordinates, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise DataError("drawn points: contain NaN or infinite coordinates")
    if len(arr) > MAX_DRAWN_POINTS:
        raise DataError(f"drawn points: {len(arr)} points is more than the {MAX_DRAWN_POINTS} a drawing may hold")
    arr32 = arr.astype(np.float32)
    return tuple((float(x), float(y)) for x, y in arr32)
