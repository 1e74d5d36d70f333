"""The map between data units and the units a model sees, with its log-determinant.

Likelihoods are always reported in data units, so whatever affine map the engine applies shows up
as ``log_det`` (log |d model / d data| per example), which the evaluator adds to the model's own
log-likelihood. Images are never rescaled here: their likelihood is discrete over the spec's levels
and is unchanged by any invertible map of those levels.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Preprocess:
    kind: str = "none"                 # "none" or "standardize"
    mean: tuple[float, ...] = ()
    std: tuple[float, ...] = ()

    @classmethod
    def fit(cls, x: torch.Tensor, kind: str) -> "Preprocess":
        if kind == "none" or x.dim() != 2:
            return cls()
        mean = x.mean(0)
        std = x.std(0).clamp_min(1e-6)
        return cls(kind="standardize", mean=tuple(mean.tolist()), std=tuple(std.tolist()))

    def _params(self, like: torch.Tensor):
        m = torch.tensor(self.mean, dtype=like.dtype, device=like.device)
        s = torch.tensor(self.std, dtype=like.dtype, device=like.device)
        return m, s

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.kind == "none":
            return x
        m, s = self._params(x)
        return (x - m) / s

    def inverse(self, z: torch.Tensor) -> torch.Tensor:
        if self.kind == "none":
            return z
        m, s = self._params(z)
        return z * s + m

    @property
    def log_det(self) -> float:
        """log |det d forward(x) / dx| per example, in nats."""
        if self.kind == "none":
            return 0.0
        return -float(torch.tensor(self.std, dtype=torch.float64).log().sum())

    def to_dict(self) -> dict:
        return {"kind": self.kind, "mean": list(self.mean), "std": list(self.std)}

    @classmethod
    def from_dict(cls, d: dict) -> "Preprocess":
        return cls(kind=d.get("kind", "none"), mean=tuple(d.get("mean", ())), std=tuple(d.get("std", ())))
