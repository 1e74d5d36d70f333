"""Kernel density estimation: the non-parametric baseline, the training set itself smoothed by a kernel.

p(x) = (1/n) sum_i N(x; x_i, h^2 I): a Gaussian of width h on every stored training point. Nothing is
optimised: a training step stores the batch (up to ``max_points`` points; the default batch is the
whole training set) and reports the leave-one-out NLL of the stored points, -(1/m) sum_i log
[(1/(n-1)) sum_{j != i} N(x_i; x_j, h^2 I)] over the first m <= ``loo_points`` of them, the honest
training score (with x_i in its own sum, a small h would score ever better by memorising). The score is
computed again only when the points or the bandwidth change, so later steps cost nothing.

The bandwidth: h = ``bandwidth_scale`` x the rule's width x sigma, sigma the root mean variance of the
stored points per coordinate, and the rule Silverman's (4 / (n (d + 2)))^(1 / (d + 4)) or Scott's
n^(-1 / (d + 4)), both optimal for Gaussian data and too wide for clustered data. ``bandwidth_scale`` is
a live knob: the held-out NLL is worse at both ends (too small: the density is spikes on the training
points; too large: one blur), which the Inside view's density map shows as it moves.

The held-out log-likelihood is exact: a log-sum-exp over every stored point. A conditional model keeps
each point's class and sums over the points of the asked class. Units and the image likelihood:
``engine.models.classical`` (images put their kernels at the middle of each stored pixel's level bin).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import torch

from engine.i18n import QT_TRANSLATE_NOOP
from engine.knobs import knob
from engine.models.base import InsideView, ModelConfig, rand, randn
from engine.models.classical import LOG_2PI, ClassicalModel

FAMILY = "kde"
CHUNK = 1024             # query points per block of the (queries x stored points) distance matrix


@dataclass
class KDEConfig(ModelConfig):
    # The first step stores the training set; later steps only report the leave-one-out score (so a
    # bandwidth change while training shows on the loss curve).
    train_defaults: ClassVar[dict] = {"batch_size": 65536, "steps": 20, "log_every": 1, "sample_every": 1,
                                      "lr_schedule": "constant"}

    rule: str = knob("silverman", label=QT_TRANSLATE_NOOP("Knob", "bandwidth rule"), choices=("silverman", "scott"),
                     help=QT_TRANSLATE_NOOP("Knob", "Rule of thumb for the kernel width: Silverman's or Scott's."))
    bandwidth_scale: float = knob(1.0, label=QT_TRANSLATE_NOOP("Knob", "bandwidth scale"), min=0.01, max=100.0, log=True, live=True,
                                  help=QT_TRANSLATE_NOOP("Knob", "Multiplies the rule's kernel width: below 1 "
                                                         "under-smooths (spikes on the training points), above 1 "
                                                         "over-smooths. Safe to change while training."))
    max_points: int = knob(3000, label=QT_TRANSLATE_NOOP("Knob", "kernel centres"), min=2, max=200_000, help=QT_TRANSLATE_NOOP("Knob", "Training points kept as kernel "
                                                                            "centres (every density evaluation "
                                                                            "sums over all of them)."))
    loo_points: int = knob(500, label=QT_TRANSLATE_NOOP("Knob", "leave-one-out points"), min=1, max=100_000, help=QT_TRANSLATE_NOOP("Knob", "Stored points scored by "
                                                                            "leave-one-out at every step."))


class KDE(ClassicalModel):
    family = FAMILY
    capabilities = frozenset({"log_likelihood", "score"})
    likelihood_kind = "exact"       # for points; images report "bound" (set per instance)
    config_class = KDEConfig
    title = QT_TRANSLATE_NOOP("Family", "Kernel density estimate")
    short_name = QT_TRANSLATE_NOOP("Family", "KDE")
    about = QT_TRANSLATE_NOOP("Family", "A Gaussian kernel of width h on every training point, averaged: the "
                                        "non-parametric baseline. The bandwidth h trades variance (small h: "
                                        "spikes) against bias (large h: a blur); the rule of thumb is a start.")
    reported_terms = ("loss", "bandwidth")
    term_help = {"loss": QT_TRANSLATE_NOOP("Family", "leave-one-out -log p(x) of stored training points"),
                 "bandwidth": QT_TRANSLATE_NOOP("Family", "h, the kernel's standard deviation (model units)")}
    inside_view = InsideView(help=QT_TRANSLATE_NOOP("Family", "Heat: the kernel density estimate, exact (a sum over "
                                                    "every stored point). Slide the bandwidth scale to see it "
                                                    "under- or over-smooth, and the held-out NLL get worse at both "
                                                    "ends."),
                             knob="bandwidth_scale")

    def __init__(self, spec: dict, config: dict, preprocess: dict | None = None):
        super().__init__(spec, config, preprocess)
        cap = int(self.cfg.max_points)
        self.register_buffer("stored", torch.zeros(cap, self.dim, dtype=torch.float32))
        self.register_buffer("stored_labels", torch.zeros(cap, dtype=torch.long))
        self.register_buffer("count", torch.zeros((), dtype=torch.long))
        self.register_buffer("spread", torch.ones((), dtype=torch.float64))   # sigma of the stored points
        self.frozen: tuple[int, float] | None = None      # (count, h) fixed for export

    # ---- the bandwidth ---------------------------------------------------------------------------------
    def rule_factor(self, n: int) -> float:
        d = self.dim
        n = max(2, int(n))
        if self.cfg.rule == "scott":
            return n ** (-1.0 / (d + 4))
        return (4.0 / (n * (d + 2))) ** (1.0 / (d + 4))

    def bandwidth(self) -> float:
        """h in model units: scale x rule x sigma."""
        if self.frozen is not None:
            return self.frozen[1]
        return float(self.cfg.bandwidth_scale) * self.rule_factor(int(self.count)) * float(self.spread)

    def stored_count(self) -> int:
        return self.frozen[0] if self.frozen is not None else int(self.count)

    def export_network(self):
        """The density with the number of stored points and the bandwidth read now, as constants of the
        traced graph (read from buffers while tracing, they would be values the graph depends on)."""
        self.frozen = (int(self.count), self.bandwidth())
        return super().export_network()

    # ---- storing and scoring ----------------------------------------------------------------------------
    def _training_step(self, x, y, generator):
        n = int(self.count)
        room = self.stored.shape[0] - n
        if room > 0:
            take = min(room, len(x))
            self.stored[n:n + take] = self.centres(x[:take]).float()
            if y is not None:
                self.stored_labels[n:n + take] = y[:take].long()
            self.count.fill_(n + take)
            pts = self.stored[:n + take].double()
            self.spread.fill_(float(pts.var(0, unbiased=False).mean().clamp(min=1e-12).sqrt()))
        h = self.bandwidth()
        key = (int(self.count), h)
        if getattr(self, "_scored", (None,))[0] != key:        # new points or a new bandwidth: score again
            self._scored = (key, self.leave_one_out(generator).float())
        return {"loss": self._scored[1].clone(), "bandwidth": torch.tensor(h, dtype=torch.float32)}

    def leave_one_out(self, generator=None, h: float | None = None) -> torch.Tensor:
        """-(1/m) sum_i log p_{-i}(x_i) over m stored points (model units; images: their bound)."""
        n = int(self.count)
        if n < 2:
            return torch.tensor(float("nan"), dtype=torch.float64)
        m = min(n, int(self.cfg.loo_points))
        pick = torch.arange(m, device=self.device)     # the batch came shuffled: the first m are a random draw
        q = self.stored[pick].double()
        values = self._kernel_sums(q, self.stored_labels[pick] if self.rows > 1 else None, exclude=pick, h=h)
        offset = 0.0 if self.points else -self.dim * math.log(int(self.spec.levels or 256))
        return -(values.mean() + offset)

    def _kernel_sums(self, q, labels, exclude=None, h: float | None = None, whole: bool = False,
                     smooth=None) -> torch.Tensor:
        """log (1/n_c) sum_j N(q; x_j, h^2 I) for each query (over its class's points for a conditional
        model), leaving out stored point ``exclude[i]`` for query i when given; in blocks of ``CHUNK``
        queries unless ``whole`` (the graph ``genlab export`` traces has no loop over the batch)."""
        n = self.stored_count()
        h = self.bandwidth() if h is None else float(h)
        pts = self.stored[:n].double()
        if smooth is not None:       # kernel variance h^2 + smooth_d per dimension: whiten, then width 1
            var = h * h + smooth.double()
            pts, q, h = pts / var.sqrt(), q / var.sqrt(), 1.0
            log_norm = -0.5 * (self.dim * LOG_2PI + float(var.log().sum()))
        else:
            log_norm = -0.5 * self.dim * (LOG_2PI + 2.0 * math.log(h))
        sq = (pts * pts).sum(-1)
        if whole:
            return self._block(q, labels, None, pts, sq, h, log_norm)
        out = [self._block(q[i:i + CHUNK], labels[i:i + CHUNK] if labels is not None else None,
                           exclude[i:i + CHUNK] if exclude is not None else None, pts, sq, h, log_norm)
               for i in range(0, len(q), CHUNK)]
        return torch.cat(out) if out else torch.zeros(0, dtype=torch.float64, device=q.device)

    def _block(self, qb, labels, exclude, pts, sq, h, log_norm) -> torch.Tensor:
        n = pts.shape[0]
        d2 = ((qb * qb).sum(-1)[:, None] + sq[None] - 2.0 * qb @ pts.T).clamp(min=0)
        logk = -0.5 * d2 / (h * h)
        size = torch.full_like(qb[:, 0], float(n))
        if exclude is not None:
            logk[torch.arange(len(qb), device=qb.device), exclude] = -math.inf
            size = size - 1
        if labels is not None:
            same = self.stored_labels[:n][None] == labels[:, None]
            logk = logk.masked_fill(~same, -math.inf)
            size = same.sum(-1).double() - (1 if exclude is not None else 0)
        return torch.logsumexp(logk, -1) - size.clamp(min=1).log() + log_norm

    def log_density(self, y, rows, whole=False, smooth=None):
        if self.stored_count() == 0:       # nothing stored yet: a standard normal, so the views have a density
            return -0.5 * (self.dim * LOG_2PI + (y.double() ** 2).sum(-1))
        return self._kernel_sums(y.double(), rows if self.rows > 1 else None, whole=whole, smooth=smooth)

    def _sample(self, n, generator, labels, **options):
        count = int(self.count)
        if count == 0:
            return self.quantise(randn((n, self.dim), generator, self.device))
        u = rand((n,), generator, self.device)
        if labels is not None and self.rows > 1:
            idx = torch.empty(n, dtype=torch.long, device=self.device)
            stored_labels = self.stored_labels[:count]
            for c in labels.unique().tolist():
                members = (stored_labels == c).nonzero().flatten()
                if len(members) == 0:
                    members = torch.arange(count, device=self.device)
                mask = labels == c
                idx[mask] = members[(u[mask] * len(members)).long().clamp(max=len(members) - 1)]
        else:
            idx = (u * count).long().clamp(max=count - 1)
        y = self.stored[idx].double() + self.bandwidth() * randn((n, self.dim), generator, self.device).double()
        return self.quantise(y)
