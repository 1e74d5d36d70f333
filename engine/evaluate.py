"""Held-out likelihood: NLL in nats per example in data units, its standard error, bits per dim (images)
or nats per character (text)."""

from __future__ import annotations

import math

import torch

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
        xb = x[start:min(n, start + batch_size)].to(device)
        yb = y[start:min(n, start + batch_size)].to(device) if y is not None else None
        values.append(model.log_likelihood(xb, labels=yb, generator=generator).double().cpu())
    ll = torch.cat(values)
    nll = -ll
    finite = torch.isfinite(nll)
    mean = float(nll[finite].mean()) if finite.any() else float("nan")
    se = float(nll[finite].std() / math.sqrt(max(1, int(finite.sum())))) if finite.sum() > 1 else None
    out.update(test_nll_nats=mean, nll_kind=model.likelihood_kind, nll_se=se)
    if model.spec.kind == "image":
        out["bits_per_dim"] = mean / (model.spec.dim * math.log(2))
    if model.spec.kind == "text":
        # makemore's count: every predicted token, each line's characters and its end token
        # (characters are the tokens before the first end token, 0; engine.data.text)
        ended = x[:n].round() == 0
        length = torch.where(ended.any(1), ended.long().argmax(1), torch.full_like(ended[:, 0], x.shape[1], dtype=torch.long))
        tokens = (length + 1).double()
        out["nats_per_char"] = float(nll[finite].sum() / tokens[finite].sum()) if finite.any() else float("nan")
    if not bool(finite.all()):
        out["non_finite"] = int((~finite).sum())
    return out
