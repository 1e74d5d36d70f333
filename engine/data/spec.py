"""What a dataset is, in terms every model and view can rely on.

Images are float tensors in [0, 1] holding ``levels`` discrete values k / (levels - 1); points are
float tensors of shape (N, 2) in their own units. Labels, when present, are int64 class indices.
Text is one example per row of float token indices (exact in float32): token 0 ends the line and
pads after it, token i >= 1 is the character ``vocab[i - 1]`` (``engine.data.text``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch


@dataclass(frozen=True)
class DataSpec:
    kind: str                      # "points", "image" or "text"
    shape: tuple[int, ...]         # per example: (2,) or (C, H, W)
    value_range: tuple[float, float]
    levels: int | None = None      # discrete grey levels per channel (images), None for points
    num_classes: int = 0           # 0 when the data has no labels
    class_names: tuple[str, ...] = ()
    name: str = ""
    # text: the characters of token 1, 2, ... (token 0 is the end of a line); shape is (max length + 1,)
    vocab: tuple[str, ...] = ()

    @property
    def vocab_size(self) -> int:
        """Text: tokens a model predicts, the end-of-line token included."""
        return len(self.vocab) + 1

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
        d["vocab"] = list(self.vocab)
        if not self.vocab:
            d.pop("vocab")  # points and images keep the dict they always had
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "DataSpec":
        return cls(kind=d["kind"], shape=tuple(d["shape"]), value_range=tuple(d["value_range"]),
                   levels=d.get("levels"), num_classes=int(d.get("num_classes", 0)),
                   class_names=tuple(d.get("class_names", ())), name=d.get("name", ""),
                   vocab=tuple(d.get("vocab", ())))


@dataclass
class Dataset:
    """A loaded dataset: train and test tensors in data units, labels, and its spec.

    ``skipped`` lists (path, reason) for every file left out, ``notes`` says what the loader decided
    on the person's behalf (a resize, a channel conversion), and ``preparation`` records every step
    from the files to these tensors, so the run config can map samples back to data space exactly.
    ``factors_*`` hold known generative factors (procedural shapes) as float columns named by
    ``factor_names``, for views that colour a latent space by them.
    """

    spec: DataSpec
    x_train: torch.Tensor
    x_test: torch.Tensor
    y_train: torch.Tensor | None = None
    y_test: torch.Tensor | None = None
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason) of files left out
    source: str = ""
    notes: list[str] = field(default_factory=list)
    preparation: dict = field(default_factory=dict)
    factor_names: tuple[str, ...] = ()
    factors_train: torch.Tensor | None = None
    factors_test: torch.Tensor | None = None

    def __post_init__(self):
        for name in ("x_train", "x_test"):
            t = getattr(self, name)
            if tuple(t.shape[1:]) != tuple(self.spec.shape):
                raise ValueError(f"{name} has shape {tuple(t.shape)}, spec says (N, {self.spec.shape})")
        for x, extra in (("x_train", ("y_train", "factors_train")), ("x_test", ("y_test", "factors_test"))):
            n = len(getattr(self, x))
            for name in extra:
                t = getattr(self, name)
                if t is not None and len(t) != n:
                    raise ValueError(f"{name} has {len(t)} rows, {x} has {n}")

    @property
    def labelled(self) -> bool:
        return self.y_train is not None and self.spec.num_classes > 0

    def summary(self) -> dict:
        """What a Data panel shows: counts, shape, value range, classes, skipped files, notes.

        Plain values only (lists, numbers, strings), so it can cross threads and go into JSON.
        """
        x = self.x_train
        lo = float(x.min()) if x.numel() else 0.0
        hi = float(x.max()) if x.numel() else 0.0
        classes = []
        if self.labelled:
            ys = self.y_train if self.y_test is None else torch.cat([self.y_train, self.y_test])
            counts = torch.bincount(ys, minlength=self.spec.num_classes).tolist()  # both splits
            names = self.spec.class_names or tuple(str(i) for i in range(self.spec.num_classes))
            classes = [{"name": n, "count": int(c)} for n, c in zip(names, counts)]
        return {
            "name": self.spec.name, "kind": self.spec.kind, "source": self.source,
            "n_train": len(self.x_train), "n_test": len(self.x_test), "shape": list(self.spec.shape),
            "levels": self.spec.levels, "range": [lo, hi], "classes": classes,
            "factors": list(self.factor_names),
            "skipped": [{"path": p, "reason": r} for p, r in self.skipped],
            "notes": list(self.notes), "preparation": dict(self.preparation),
        }

    def describe(self) -> list[str]:
        """The summary as short lines of text (the CLI prints them; a log view can too)."""
        s = self.summary()
        shape = "x".join(str(d) for d in s["shape"])
        lines = [f"{s['name'] or 'data'}: {s['kind']} {shape}, {s['n_train']} train / {s['n_test']} test, "
                 f"values {s['range'][0]:.4g} to {s['range'][1]:.4g}"
                 + (f" at {s['levels']} levels" if s["levels"] else "")]
        if s["classes"]:
            shown = ", ".join(f"{c['name']} ({c['count']})" for c in s["classes"][:12])
            more = f", ... {len(s['classes']) - 12} more" if len(s["classes"]) > 12 else ""
            lines.append(f"{len(s['classes'])} classes: {shown}{more}")
        if s["factors"]:
            lines.append("known factors: " + ", ".join(s["factors"]))
        lines += s["notes"]
        return lines
