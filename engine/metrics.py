"""Sample-quality measures that need no trained network: energy distance between point sets."""

from __future__ import annotations

import numpy as np
import torch


def energy_distance(x, y) -> float:
    """2 E|X - Y| - E|X - X'| - E|Y - Y'| (Szekely), a proper distance between distributions.

    Zero iff the distributions agree; the within-set terms use unbiased means (diagonal excluded).
    """
    x = torch.as_tensor(np.asarray(x), dtype=torch.float64)
    y = torch.as_tensor(np.asarray(y), dtype=torch.float64)
    n, m = len(x), len(y)
    xy = torch.cdist(x, y).mean()
    xx = torch.cdist(x, x).sum() / (n * (n - 1))
    yy = torch.cdist(y, y).sum() / (m * (m - 1))
    return float(2 * xy - xx - yy)
