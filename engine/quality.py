"""A sample-quality figure every image family has: Fréchet distance in a small classifier's features.

Likelihoods differ between families (exact, bound, none at all for a GAN), so they cannot say which
family draws better images. This figure can, and needs no download: a small classifier is trained, for
a fixed number of steps (about a second on a CPU), on the run's own training images and labels; its
last hidden layer (64 features) describes an image. The Fréchet distance between the Gaussians fitted
to the features of the model's samples and of held-out images (Heusel et al., 2017, with a classifier of
the data at hand instead of Inception) is the figure, lower is better.

The classifier trains for ``TRAIN_STEPS`` and then on, up to ``MAX_TRAIN_STEPS``, until it classifies
``TARGET_ACCURACY`` of a slice of its training images: a set whose classes are harder to tell apart than MNIST's
digits (shapes under every hue of ``shapes-colour``: 41% of 4 classes after 300 steps, 38 of 64 features
dead, a floor of 0.006; real images blurred by 3x3 scored 10 times the floor, against 120 times once it
had trained on to 93% in 1000 steps) would otherwise be judged in the features of a network that has not learned the data; its ``classifier_accuracy`` travels
with every score, so a figure from weak features can be recognised.

A finite sample has a distance above zero even when it is real data, so the figure comes with its
**floor**: the same distance for as many real *training* images as there are samples, drawn at random as
a model's samples are, against the same held-out images, averaged over ``FLOOR_DRAWS`` seeded draws
(``frechet_floor_sd``: their spread). ``frechet_ratio`` = figure / floor: about 1 means "as close to the
held-out images as real images are"; noise scores in the hundreds. One draw is not a floor: the
classifier's features weigh class proportions, which vary between draws of real images as they do in a
model's samples. On MNIST at 256 images, 20 random draws of real images scored 0.66 to 1.57 times their
mean, and the evenly spread subset an earlier version took as the floor scored 0.35 of it, which put
real images at 2.9 "floors" and every model's ratio up by as much. Data without labels gets the features of the same
network untrained (fixed random weights, seeded): a weaker but still comparable yardstick, named in
``features``.

API: ``QualityJudge.for_dataset(x_train, y_train, x_test, num_classes)`` (cached per dataset in this
process), then ``judge.score(samples)`` -> dict with ``frechet``, ``frechet_floor``, ``frechet_floor_sd``,
``frechet_ratio``, ``frechet_n`` and ``features``; ``judge.features(x)`` for other uses of the embedding.

Labelled data adds a second, plainer figure, the question a person asks of a grid ("are these digits?"):
``recognised``, the share of samples the classifier both names one class of with probability ``CONFIDENT``
or more and places among real images, inside the neighbourhood of some held-out image's features (the ball
reaching its ``PRECISION_K``-th nearest held-out neighbour: improved precision, Kynkäänniemi et al., 2019),
beside ``recognised_real``, the same share of real training images. Each half alone was fooled: the
classifier alone was surer of an autoregressive model's fragments of unseen letters (36% of 64 samples) than
of a GAN's letters (16%); the neighbourhoods alone took 80% of blends of two 8x8 digits and the mean image
itself for real ones. Both together (MNIST grids at 300 s, 64 samples): VAE 0.59, GAN 0.31, diffusion 0.16,
flow 0.09, autoregressive 0.03, real images 0.66. It says nothing of variety (a model that draws one clear
digit over and over scores well), so it is reported beside the Fréchet ratio, never instead of it.
"""

from __future__ import annotations

import hashlib
import math
import threading

import torch
import torch.nn.functional as F
from torch import nn

from engine.interrupt import check_interrupt

FEATURES = 64
TRAIN_STEPS = 300          # the classifier's training steps at least ...
MAX_TRAIN_STEPS = 2000     # ... and at most, while it has not reached TARGET_ACCURACY
TARGET_ACCURACY = 0.9      # on the last CHECK_IMAGES training images, checked every CHECK_EVERY steps
CHECK_EVERY = 100
CHECK_IMAGES = 512
BATCH = 64
MAX_REFERENCE = 2000       # held-out images the samples are compared with
FLOOR_DRAWS = 10           # random draws of real training images averaged into the floor
FLOOR_SEED = 7919
CONFIDENT = 0.9            # "recognised": the classifier names the class this surely ...
PRECISION_K = 3            # ... and the features fall within a held-out image's 3rd-nearest-neighbour distance
RECOGNISED_REAL = 1000     # real training images (one seeded draw) that give recognised_real
_cache: dict[str, "QualityJudge"] = {}
_cache_lock = threading.Lock()


class FeatureNet(nn.Module):
    """Images (C, H, W) in [0, 1] -> 64 features: an MLP for small images (<= 16x16), else two conv
    layers with pooling. Small on purpose: trained for seconds on a CPU, at every run's data shape."""

    def __init__(self, shape, classes: int):
        super().__init__()
        c, h, w = shape
        if h * w <= 256:
            self.body = nn.Sequential(nn.Flatten(), nn.Linear(c * h * w, 256), nn.ReLU(), nn.Linear(256, FEATURES),
                                      nn.ReLU())
        else:
            self.body = nn.Sequential(
                nn.Conv2d(c, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d((4, 4)),
                nn.Flatten(), nn.Linear(32 * 16, FEATURES), nn.ReLU())
        self.head = nn.Linear(FEATURES, max(1, classes))

    def features(self, x):
        return self.body(x * 2 - 1)

    def forward(self, x):
        return self.head(self.features(x))


def fingerprint(x_train: torch.Tensor, y_train: torch.Tensor | None) -> str:
    """A short hash of a dataset's training images (a strided subset) and labels, for the cache."""
    h = hashlib.sha256()
    h.update(str(tuple(x_train.shape)).encode())
    step = max(1, len(x_train) // 512)
    h.update(x_train[::step].contiguous().float().numpy().tobytes())
    if y_train is not None:
        h.update(y_train.contiguous().numpy().tobytes())
    return h.hexdigest()[:16]


def _sqrtm_psd(m: torch.Tensor) -> torch.Tensor:
    vals, vecs = torch.linalg.eigh((m + m.T) / 2)
    return vecs @ torch.diag(vals.clamp(min=0).sqrt()) @ vecs.T


def frechet(stats_a, stats_b) -> float:
    """Fréchet distance between Gaussians (mean, covariance): |mu1 - mu2|^2 + tr(S1 + S2 - 2 (S1 S2)^1/2)."""
    mu1, s1 = stats_a
    mu2, s2 = stats_b
    r1 = _sqrtm_psd(s1)
    middle = _sqrtm_psd(r1 @ s2 @ r1)
    value = float(((mu1 - mu2) ** 2).sum() + torch.trace(s1) + torch.trace(s2) - 2 * torch.trace(middle))
    return max(0.0, value)


class QualityJudge:
    """The features of one dataset's classifier, the held-out reference and the floors per sample count."""

    def __init__(self, x_train: torch.Tensor, y_train: torch.Tensor | None, x_test: torch.Tensor,
                 num_classes: int, seed: int = 0, steps: int = TRAIN_STEPS):
        self.shape = tuple(x_train.shape[1:])
        labelled = y_train is not None and num_classes > 1
        self.kind = "classifier" if labelled else "random"
        gen = torch.Generator().manual_seed(seed)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.net = FeatureNet(self.shape, num_classes if labelled else 1)
        x_train = x_train.float().cpu()
        self.accuracy: float | None = None
        self.train_steps = 0
        if labelled:
            self._train(x_train, y_train.long().cpu(), steps, gen)
        self.net.eval()
        for p in self.net.parameters():
            p.requires_grad_(False)
        self.x_train = x_train
        held_out = self.features(x_test.float().cpu()[:MAX_REFERENCE])
        self.reference = _moments(held_out)
        self.recognised_real: float | None = None
        if labelled and len(held_out) > PRECISION_K:
            self._held, self._radius = held_out, _neighbourhoods(held_out, PRECISION_K)
            draw = torch.randperm(len(x_train), generator=torch.Generator().manual_seed(FLOOR_SEED))[:RECOGNISED_REAL]
            self.recognised_real = self._recognised(self.features(x_train[draw]))
        self._floors: dict[int, tuple[float, float]] = {}   # n -> (mean, sd) over FLOOR_DRAWS

    def _train(self, x, y, steps: int, gen: torch.Generator) -> None:
        """``steps`` Adam steps, then more (to ``MAX_TRAIN_STEPS``, never fewer than asked) while the accuracy
        on the last ``CHECK_IMAGES`` training images (drawn like the others: the draws stay those of a fixed
        step count, so a set learned within ``steps`` gets the same classifier as before) is below ``TARGET_ACCURACY`` and still rising."""
        opt = torch.optim.Adam(self.net.parameters(), 2e-3)
        check_x, check_y = x[-CHECK_IMAGES:], y[-CHECK_IMAGES:]
        limit, best, done = max(steps, MAX_TRAIN_STEPS), -1.0, 0
        with torch.enable_grad():
            while done < limit:
                if done >= steps and (done - steps) % CHECK_EVERY == 0:
                    acc = self._accuracy(check_x, check_y)
                    if acc >= TARGET_ACCURACY or acc <= best + 0.005:
                        break
                    best = acc
                done += 1
                check_interrupt()
                idx = torch.randint(0, len(x), (BATCH,), generator=gen)
                xb = x[idx]
                # one-pixel shifts, so the features do not hang on exact pixel positions
                shift = torch.randint(-1, 2, (2,), generator=gen).tolist()
                xb = torch.roll(xb, shifts=shift, dims=(2, 3))
                loss = F.cross_entropy(self.net(xb), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
        self.train_steps = done
        self.accuracy = self._accuracy(check_x, check_y)

    def _accuracy(self, x, y) -> float:
        with torch.no_grad():
            return float((self.net(x).argmax(1) == y).float().mean())

    @classmethod
    def for_dataset(cls, x_train, y_train, x_test, num_classes: int) -> "QualityJudge":
        """The judge of this dataset, built once per process (the classifier trains in about a second)."""
        key = fingerprint(x_train, y_train) + f"|{num_classes}"
        with _cache_lock:
            judge = _cache.get(key)
        if judge is None:
            judge = cls(x_train, y_train, x_test, num_classes)
            with _cache_lock:
                _cache[key] = judge
        return judge

    @torch.no_grad()
    def features(self, x: torch.Tensor) -> torch.Tensor:
        x = x.float().cpu()
        return torch.cat([self.net.features(x[i:i + 500]) for i in range(0, len(x), 500)]).double()

    def stats(self, x: torch.Tensor):
        return _moments(self.features(x))

    @torch.no_grad()
    def _recognised(self, features: torch.Tensor) -> float:
        """The share of images the classifier names one class of surely and whose features fall inside some
        held-out image's neighbourhood."""
        sure = torch.softmax(self.net.head(features.float()), dim=1).max(1).values >= CONFIDENT
        inside = torch.zeros(len(features), dtype=torch.bool)
        for i in range(0, len(features), 512):
            inside[i:i + 512] = (torch.cdist(features[i:i + 512], self._held) <= self._radius[None]).any(1)
        return float((sure & inside).float().mean())

    def floor(self, n: int) -> float:
        """The mean distance of ``n`` real training images, drawn at random, to the held-out reference."""
        return self._floor_draws(n)[0]

    def floor_sd(self, n: int) -> float:
        """The standard deviation of that distance between draws: how far real images stray from the floor."""
        return self._floor_draws(n)[1]

    def _floor_draws(self, n: int) -> tuple[float, float]:
        if n not in self._floors:
            gen = torch.Generator().manual_seed(FLOOR_SEED + n)
            values = torch.tensor([frechet(self.stats(self.x_train[torch.randperm(len(self.x_train), generator=gen)[:n]]),
                                           self.reference) for _ in range(FLOOR_DRAWS)], dtype=torch.float64)
            self._floors[n] = (float(values.mean()), float(values.std()))
        return self._floors[n]

    def score(self, samples: torch.Tensor) -> dict:
        """``frechet`` of ``samples`` (N, C, H, W in [0, 1]) to the held-out images, its ``frechet_floor``
        at the same count, their ratio, the count and which features were used."""
        if tuple(samples.shape[1:]) != self.shape:
            raise ValueError(f"samples of shape {tuple(samples.shape[1:])}, the data has {self.shape}")
        samples = samples.float().cpu().clamp(0, 1)
        n = len(samples)
        features = self.features(samples)
        value = frechet(_moments(features), self.reference)
        floor = self.floor(n)
        out = {"frechet": value, "frechet_floor": floor, "frechet_floor_sd": self.floor_sd(n),
               "frechet_ratio": value / floor if floor > 0 else None, "frechet_n": n, "features": self.kind}
        if self.accuracy is not None:
            out["classifier_accuracy"] = self.accuracy
        if self.recognised_real is not None:
            out.update(recognised=self._recognised(features), recognised_real=self.recognised_real)
        return out


def _neighbourhoods(features: torch.Tensor, k: int) -> torch.Tensor:
    """Each row's distance to its ``k``-th nearest other row (the radius of its neighbourhood)."""
    radius = torch.empty(len(features), dtype=features.dtype)
    for i in range(0, len(features), 512):
        d = torch.cdist(features[i:i + 512], features)
        radius[i:i + 512] = d.kthvalue(k + 1, dim=1).values      # the first is the row itself, at 0
    return radius


def _moments(features: torch.Tensor):
    """Mean and covariance of (n, f) features: the Gaussian the Fréchet distance compares."""
    if len(features) < 2:
        raise ValueError("the quality figure needs at least 2 images")
    return features.mean(0), torch.cov(features.T)


def quality_of_model(model, judge: QualityJudge, n: int, generator: torch.Generator | None = None,
                     chunk: int = 64, **options) -> dict:
    """Draw ``n`` samples from ``model`` (in chunks, interruptible) and score them with ``judge``."""
    return judge.score(draw_samples(model, n, generator, chunk, **options))


def draw_samples(model, n: int, generator: torch.Generator | None = None, chunk: int = 64,
                 **options) -> torch.Tensor:
    """``n`` samples from ``model`` on the CPU as float, drawn in chunks (a stop request is honoured
    between chunks)."""
    parts, done = [], 0
    while done < n:
        check_interrupt()
        k = min(chunk, n - done)
        parts.append(model.sample(k, generator, **options).float().cpu())
        done += k
    return torch.cat(parts)


def time_to_ratio(history: list[tuple[float, float]], target: float) -> float | None:
    """Seconds of training until ``frechet_ratio`` reaches ``target`` at the current rate, from the
    readouts so far as (training seconds, ratio): the log of the ratio is extrapolated along the line
    through the last two readouts (a ratio falls roughly geometrically while a model learns). 0 when
    the newest readout is at or below the target; None when there are fewer than two readouts or the
    ratio is not falling (no estimate is honest then)."""
    points = [(float(t), float(r)) for t, r in history if r is not None and r > 0]
    if points and points[-1][1] <= target:
        return 0.0
    if len(points) < 2 or target <= 0:
        return None
    (t0, r0), (t1, r1) = points[-2], points[-1]
    if t1 <= t0 or r1 >= r0:
        return None
    rate = (math.log(r0) - math.log(r1)) / (t1 - t0)   # log-ratio lost per second
    return (math.log(r1) - math.log(target)) / rate
