"""Fréchet distance of image samples in the hidden features of a small classifier trained on real data.

No downloads: the classifier is trained here, on the dataset's own training split, for a few seconds
(digits) or a minute (MNIST). The distance of real held-out images to real training images of the same
count is the floor; a family's samples are judged as a multiple of it. The classifier's predictions
also count how many different classes the samples look like.
"""

from __future__ import annotations

import time

import torch
from torch import nn
import torch.nn.functional as F

from engine.quality import frechet  # noqa: F401 - the one Fréchet distance; bench/quality.py imports it from here


class FeatureNet(nn.Module):
    def __init__(self, shape, classes: int, hidden: int = 64):
        super().__init__()
        c, h, w = shape
        if h * w <= 64:
            self.body = nn.Sequential(nn.Flatten(), nn.Linear(c * h * w, 256), nn.ReLU(), nn.Linear(256, hidden), nn.ReLU())
        else:
            self.body = nn.Sequential(
                nn.Conv2d(c, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                nn.Flatten(), nn.Linear(64 * (h // 4) * (w // 4), hidden), nn.ReLU())
        self.head = nn.Linear(hidden, classes)

    def features(self, x):
        return self.body(x * 2 - 1)

    def forward(self, x):
        return self.head(self.features(x))


def train_classifier(x, y, classes: int, seconds: float = 10.0, seed: int = 0) -> tuple[FeatureNet, float]:
    torch.manual_seed(seed)
    net = FeatureNet(tuple(x.shape[1:]), classes)
    opt = torch.optim.Adam(net.parameters(), 2e-3)
    g = torch.Generator().manual_seed(seed)
    t0 = time.thread_time()
    while time.thread_time() - t0 < seconds:
        idx = torch.randint(0, len(x), (128,), generator=g)
        xb = x[idx]
        # small shifts so the features do not depend on exact pixel positions
        shift = torch.randint(-1, 2, (2,), generator=g).tolist()
        xb = torch.roll(xb, shifts=shift, dims=(2, 3))
        loss = F.cross_entropy(net(xb), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    net.eval()
    return net


@torch.no_grad()
def accuracy(net, x, y) -> float:
    return float((net(x).argmax(1) == y).float().mean())


@torch.no_grad()
def feature_stats(net, x):
    f = torch.cat([net.features(x[i:i + 500]) for i in range(0, len(x), 500)]).double()
    return f.mean(0), torch.cov(f.T)


@torch.no_grad()
def classes_seen(net, x, min_share: float = 0.02) -> int:
    """How many classes receive at least ``min_share`` of the samples."""
    pred = torch.cat([net(x[i:i + 500]).argmax(1) for i in range(0, len(x), 500)])
    counts = torch.bincount(pred, minlength=net.head.out_features).float() / len(pred)
    return int((counts >= min_share).sum())
