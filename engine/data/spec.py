"""What a dataset is, in terms every model and view can rely on.

Images are float tensors in [0, 1] holding ``levels`` discrete values k / (levels - 1); points are
float tensors of shape (N, 2) in their own units. Labels, when present, are int64 class indices.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch


@dataclass(frozen=True)
class DataSpec:
    kind: str                      # "points" or "image"
    shape: tuple[int, ...]         # per example: (2,) or (C, H, W)
    value_range: tuple[float, float]
    levels: int | None = None      # discrete grey levels per channel (images), None for points
    num_classes: int = 0           # 0 when the data has no labels
    class_names: tuple[str, ...] = ()
    name: str = ""

    @property
    def dim(self) -> int:
        out = 1
        for s in self.shape:
            out *= s
        return out

    @property
    def channels(self) -> int:
        return self.shape[0] if self.kind == "image" else 0

    def to_dict(self) -> dict:
        d = asdict(self)
        d["shape"] = list(self.shape)
        d["value_range"] = list(self.value_range)
        d["class_names"] = list(self.class_names)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "DataSpec":
        return cls(kind=d["kind"], shape=tuple(d["shape"]), value_range=tuple(d["value_range"]),
                   levels=d.get("levels"), num_classes=int(d.get("num_classes", 0)),
                   class_names=tuple(d.get("class_names", ())), name=d.get("name", ""))


@dataclass
class Dataset:
    """A loaded dataset: train and test tensors in data units, labels, and its spec."""

    spec: DataSpec
    x_train: torch.Tensor
    x_test: torch.Tensor
    y_train: torch.Tensor | None = None
    y_test: torch.Tensor | None = None
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason) of files left out
    source: str = ""

    def __post_init__(self):
        for name in ("x_train", "x_test"):
            t = getattr(self, name)
            if tuple(t.shape[1:]) != tuple(self.spec.shape):
                raise ValueError(f"{name} has shape {tuple(t.shape)}, spec says (N, {self.spec.shape})")

    @property
    def labelled(self) -> bool:
        return self.y_train is not None and self.spec.num_classes > 0
