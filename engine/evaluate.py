"""Held-out likelihood: NLL in nats per example in data units, its standard error, bits per dim (images)
or nats per character (text)."""

from __future__ import annotations

import math

import numpy as np
import torch

from engine.devices import to_device
from engine.interrupt import check_interrupt


def evaluate_nll(model, x: torch.Tensor, y: torch.Tensor | None, limit: int = 1000,
                 generator: torch.Generator | None = None, batch_size: int = 0) -> dict:
    """Evaluate on the first ``limit`` held-out examples; families without a likelihood get nulls."""
    n = min(limit, len(x))
    out = {"family": model.family, "test_nll_nats": None, "nll_kind": None, "bits_per_dim": None,
           "nll_se": None, "n_test": n}
    if not model.has("log_likelihood") or n == 0:
        return out
    device = model.device
    if not batch_size:
        batch_size = 1000 if model.spec.kind == "points" else 100
    values = []
    for start in range(0, n, batch_size):
        check_interrupt()
        xb = to_device(x[start:min(n, start + batch_size)], device)
        yb = to_device(y[start:min(n, start + batch_size)], device) if y is not None else None
        values.append(model.log_likelihood(xb, labels=yb, generator=generator))
    # The per-example values stay float32 on the device (Apple's MPS has no float64) until here: one copy
    # to the host for the whole evaluation, then the mean and spread in float64 with NumPy, where
    # summing a thousand values of several hundred nats each loses nothing.
    nll = -torch.cat(values).cpu().numpy().astype(np.float64)
    finite = np.isfinite(nll)
    mean = float(nll[finite].mean()) if finite.any() else float("nan")
    se = float(nll[finite].std(ddof=1) / math.sqrt(int(finite.sum()))) if finite.sum() > 1 else None
    out.update(test_nll_nats=mean, nll_kind=model.likelihood_kind, nll_se=se)
    if model.spec.kind == "image":
        out["bits_per_dim"] = mean / (model.spec.dim * math.log(2))
    if model.spec.kind == "text":
        # makemore's count: every predicted token, each line's characters and its end token
        # (characters are the tokens before the first end token, 0; engine.data.text)
        ended = (x[:n].round() == 0).cpu().numpy()
        length = np.where(ended.any(1), ended.argmax(1), x.shape[1])
        tokens = (length + 1).astype(np.float64)
        out["nats_per_char"] = float(nll[finite].sum() / tokens[finite].sum()) if finite.any() else float("nan")
    if not finite.all():
        out["non_finite"] = int((~finite).sum())
    return out
