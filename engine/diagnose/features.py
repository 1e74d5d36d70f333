"""A feature space for images in which "near" means "looks alike", trained on the run's own data.

Pixel distance calls two strokes a pixel apart far and a blurry average of every digit near. The
detectors therefore also compare images in a learned embedding:

- labelled images: the 64-unit penultimate layer of a small conv classifier trained on the training
  split (a few hundred steps; its held-out accuracy is reported, so a weak embedding is visible).
  The same classifier gives the predicted-class spread of samples for ``mode_collapse``.
- unlabelled images: the training set's 32 leading principal components, whitened. Cheap, fixed,
  and it ignores the pixel noise that dominates raw distances; say so where it is used.

Both are cached per dataset (a hash of its training tensors) under ``<cache>/features/``, as
safetensors (weights only) beside a JSON sidecar, so the second diagnosis of a dataset starts at once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors
from torch import nn

from engine.atomic import write_bytes_atomic
from engine.data.download import cache_root
from engine.data.spec import Dataset

VERSION = 1
FEATURES = 64
TRAIN_STEPS = 400
MAX_TRAIN = 20_000
PCA_COMPONENTS = 32


class Classifier(nn.Module):
    """conv 3x3 (16) -> conv 3x3 stride 2 (32) -> 4x4 pool -> 64 features -> classes."""

    def __init__(self, channels: int, classes: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(channels, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(4), nn.Flatten(), nn.Linear(32 * 16, FEATURES), nn.ReLU())
        self.head = nn.Linear(FEATURES, classes)

    def forward(self, x):
        return self.head(self.body(x))


@dataclass
class Embedding:
    """``features(x)`` -> (n, f); ``classify(x)`` -> class probabilities (classifier embeddings only)."""

    kind: str                           # "classifier" or "pca"
    net: Classifier | None = None
    mean: torch.Tensor | None = None    # pca
    basis: torch.Tensor | None = None   # pca: (dim, q), whitened
    accuracy: float | None = None       # the classifier's held-out accuracy

    @torch.no_grad()
    def features(self, x: torch.Tensor) -> torch.Tensor:
        x = x.float()
        if self.net is not None:
            return torch.cat([self.net.body(x[i:i + 1024]) for i in range(0, len(x), 1024)])
        return (x.reshape(len(x), -1) - self.mean) @ self.basis

    @torch.no_grad()
    def classify(self, x: torch.Tensor) -> torch.Tensor | None:
        if self.net is None:
            return None
        return torch.cat([self.net(x[i:i + 1024].float()).softmax(1) for i in range(0, len(x), 1024)])

    def describe(self) -> str:
        if self.kind == "classifier":
            return f"penultimate layer of a small classifier trained on the training split " \
                   f"(held-out accuracy {self.accuracy:.3f})"
        return f"{self.basis.shape[1]} leading principal components of the training split, whitened"


def dataset_key(ds: Dataset) -> str:
    """A name for the dataset's training tensors (and labels): the cache's key."""
    h = hashlib.sha256(f"v{VERSION}:{tuple(ds.x_train.shape)}".encode())
    h.update(ds.x_train[:MAX_TRAIN].contiguous().float().numpy().tobytes())
    if ds.y_train is not None:
        h.update(ds.y_train[:MAX_TRAIN].contiguous().numpy().tobytes())
    return h.hexdigest()[:24]


def cache_folder() -> Path:
    return cache_root().parent / "features"


def embedding_for(ds: Dataset, cache: bool = True) -> Embedding | None:
    """The dataset's embedding (None for points: their coordinates are their features)."""
    if ds.spec.kind != "image":
        return None
    key = dataset_key(ds)
    path = cache_folder() / f"{key}.safetensors"
    if cache:
        found = _load(path)
        if found is not None:
            return found
    emb = _train_classifier(ds) if ds.y_train is not None and ds.spec.num_classes > 1 else _fit_pca(ds)
    if cache:
        _save(path, emb)
    return emb


def _train_classifier(ds: Dataset) -> Embedding:
    gen = torch.Generator().manual_seed(0)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        net = Classifier(ds.spec.shape[0], ds.spec.num_classes)
    x, y = ds.x_train[:MAX_TRAIN].float(), ds.y_train[:MAX_TRAIN].long()
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    batch = min(128, len(x))
    net.train()
    for _ in range(TRAIN_STEPS):
        idx = torch.randint(0, len(x), (batch,), generator=gen)
        loss = nn.functional.cross_entropy(net(x[idx]), y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    net.eval()
    emb = Embedding("classifier", net=net)
    if ds.y_test is not None and len(ds.y_test):
        probs = emb.classify(ds.x_test[:2000])
        emb.accuracy = float((probs.argmax(1) == ds.y_test[:2000]).float().mean())
    return emb


def _fit_pca(ds: Dataset) -> Embedding:
    x = ds.x_train[:5000].reshape(min(5000, len(ds.x_train)), -1).float()
    mean = x.mean(0)
    _, s, vh = torch.linalg.svd(x - mean, full_matrices=False)
    q = min(PCA_COMPONENTS, vh.shape[0])
    scale = (s[:q] / (len(x) - 1) ** 0.5).clamp_min(1e-6)
    return Embedding("pca", mean=mean, basis=(vh[:q].T / scale).contiguous())


def _save(path: Path, emb: Embedding) -> None:
    """Best effort: a cache that cannot be written costs the next diagnosis a few seconds, nothing else."""
    tensors = ({f"net.{k}": v.contiguous() for k, v in emb.net.state_dict().items()} if emb.net is not None
               else {"mean": emb.mean, "basis": emb.basis})
    meta = {"kind": emb.kind, "accuracy": emb.accuracy, "version": VERSION}
    if emb.net is not None:
        meta.update(channels=emb.net.body[0].in_channels, classes=emb.net.head.out_features)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, save_tensors(tensors))
        write_bytes_atomic(path.with_suffix(".json"), json.dumps(meta).encode())
    except OSError:
        pass


def _load(path: Path) -> Embedding | None:
    """The cached embedding, or None when it is missing, torn or of another version (then retrained)."""
    try:
        meta = json.loads(path.with_suffix(".json").read_text())
        tensors = load_tensors(path.read_bytes())
        if meta.get("version") != VERSION:
            return None
        if meta["kind"] == "classifier":
            net = Classifier(int(meta["channels"]), int(meta["classes"]))
            net.load_state_dict({k[4:]: v for k, v in tensors.items()})
            net.eval()
            return Embedding("classifier", net=net, accuracy=meta.get("accuracy"))
        return Embedding("pca", mean=tensors["mean"], basis=tensors["basis"])
    except (OSError, ValueError, KeyError, TypeError, RuntimeError):
        return None
