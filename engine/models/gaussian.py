"""One Gaussian fitted by maximum likelihood: the parametric baseline every density model starts from.

The MLE of N(mu, Sigma) from examples x_1..x_n has a closed form: mu = (1/n) sum x_i and
Sigma = (1/n) sum (x_i - mu)(x_i - mu)^T, the sample mean and the (biased) sample covariance. So a
training step does not descend a gradient: it adds the batch to the sufficient statistics (count, sum,
sum of outer products, in float64) and refits from all the batches seen. With the default batch (the
whole training set) the first step is the exact MLE; later steps only average more dequantisation
noise for images.

Covariances: ``full`` (D x D; with ``reg`` added to its diagonal, which the MLE needs when a pixel never
varies), ``diag`` (independent coordinates), ``pca`` (probabilistic PCA, Tipping and Bishop 1999: the
MLE of W W^T + sigma^2 I with W of rank ``rank``, from the top eigenvectors of the sample covariance,
sigma^2 the mean of the other eigenvalues). The model has a latent: x = mu + L z with L the Cholesky
factor of Sigma and z ~ N(0, I), so ``decode`` and ``encode`` (z = L^-1 (x - mu)) are exact: a Gaussian
is the one-layer linear flow.

A conditional model fits one Gaussian per class (a class the data has not shown yet uses the pooled
statistics). Units and the image likelihood: ``engine.models.classical``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch

from engine.i18n import QT_TRANSLATE_NOOP
from engine.knobs import knob
from engine.models.base import InsideView, LatentView, ModelConfig, randn
from engine.models.classical import LOG_2PI, ClassicalModel, by_row, inverse_cholesky

FAMILY = "gaussian"


@dataclass
class GaussianConfig(ModelConfig):
    # One step is the fit: a batch as large as the training set, a few steps, every step reported.
    train_defaults: ClassVar[dict] = {"batch_size": 65536, "steps": 10, "log_every": 1, "sample_every": 1,
                                      "lr_schedule": "constant"}

    covariance: str = knob("full", label=QT_TRANSLATE_NOOP("Knob", "covariance"), choices=("full", "diag", "pca"),
                           help=QT_TRANSLATE_NOOP("Knob", "Shape of the covariance: full (every correlation), "
                                                  "diag (independent coordinates) or pca (rank-limited "
                                                  "correlations plus isotropic noise: probabilistic PCA)."))
    rank: int = knob(16, label=QT_TRANSLATE_NOOP("Knob", "rank"), min=1, max=4096, help=QT_TRANSLATE_NOOP("Knob", "pca: how many principal directions keep "
                                                                 "their own variance."))
    reg: float = knob(1e-6, label=QT_TRANSLATE_NOOP("Knob", "covariance regularisation"), min=0.0, max=10.0, log=True,
                      help=QT_TRANSLATE_NOOP("Knob", "Added to the covariance's diagonal (model units), so a "
                                             "coordinate that never varies still has a density."))


class Gaussian(ClassicalModel):
    family = FAMILY
    capabilities = frozenset({"latent", "encode", "log_likelihood", "score"})
    likelihood_kind = "exact"       # for points; images report "bound" (set per instance)
    config_class = GaussianConfig
    title = QT_TRANSLATE_NOOP("Family", "Gaussian (maximum likelihood)")
    short_name = QT_TRANSLATE_NOOP("Family", "Gaussian")
    about = QT_TRANSLATE_NOOP("Family", "One Gaussian N(mu, Sigma) fitted in closed form: mu is the sample mean and "
                                        "Sigma the sample covariance, the maximum-likelihood estimate. The parametric "
                                        "baseline: every deep family should beat it.")
    reported_terms = ("loss",)
    term_help = {"loss": QT_TRANSLATE_NOOP("Family", "-log p(x) of the training batch under the fitted Gaussian"),
                 "log_px": QT_TRANSLATE_NOOP("Family", "log p(x), exact")}
    latent_view = LatentView(caption=QT_TRANSLATE_NOOP("Family", "the whitened coordinates z = L^-1 (x - mu)"),
                             first_plane="pca", embed_points=500)
    inside_view = InsideView(help=QT_TRANSLATE_NOOP("Family", "Heat: the fitted Gaussian's exact density; its "
                                                    "contours are ellipses around the sample mean."))

    def __init__(self, spec: dict, config: dict, preprocess: dict | None = None):
        super().__init__(spec, config, preprocess)
        R, D = self.rows, self.dim
        f64 = torch.float64
        self.register_buffer("count", torch.zeros(R, dtype=f64))
        self.register_buffer("total", torch.zeros(R, D, dtype=f64))
        self.register_buffer("outer", torch.zeros(R, D, D, dtype=f64))
        self.register_buffer("mean", torch.zeros(R, D, dtype=f64))
        self.register_buffer("scale_tril", torch.eye(D, dtype=f64).repeat(R, 1, 1))   # Sigma = L L^T
        self.register_buffer("prec_tril", torch.eye(D, dtype=f64).repeat(R, 1, 1))    # Sigma^-1 = P^T P

    @classmethod
    def derived_terms(cls, values, variant):
        return {"log_px": -values["loss"]} if "loss" in values else {}

    # ---- the fit ------------------------------------------------------------------------------------
    def _covariance(self, count, total, outer) -> tuple[torch.Tensor, torch.Tensor]:
        mean = total / count
        cov = outer / count - torch.outer(mean, mean)
        cov = 0.5 * (cov + cov.T)
        kind = self.cfg.covariance
        if kind == "diag":
            cov = torch.diag(torch.diagonal(cov).clamp(min=0))
        elif kind == "pca" and self.cfg.rank < self.dim:
            vals, vecs = torch.linalg.eigh(cov)                      # ascending
            vals = vals.clamp(min=0)
            r = self.cfg.rank
            noise = vals[:-r].mean()
            top, U = vals[-r:], vecs[:, -r:]
            W = U * (top - noise).clamp(min=0).sqrt()
            cov = W @ W.T + noise * torch.eye(self.dim, dtype=cov.dtype, device=cov.device)
        return mean, cov + self.cfg.reg * torch.eye(self.dim, dtype=cov.dtype, device=cov.device)

    def refit(self) -> None:
        """mu and Sigma of every row from its sufficient statistics (the pooled ones for a row with none)."""
        pooled = (self.count.sum(), self.total.sum(0), self.outer.sum(0))
        if not bool(pooled[0] > 0):
            return
        for r in range(self.rows):
            stats = (self.count[r], self.total[r], self.outer[r]) if bool(self.count[r] > 0) else pooled
            mean, cov = self._covariance(*stats)
            chol = torch.linalg.cholesky(cov)
            self.mean[r] = mean
            self.scale_tril[r] = chol
            self.prec_tril[r] = inverse_cholesky(cov)

    def _training_step(self, x, y, generator):
        ys, offset = self.dequantise(x, generator)
        rows = self.label_rows(y, len(ys))
        self.count.index_add_(0, rows, torch.ones(len(ys), dtype=ys.dtype, device=ys.device))
        self.total.index_add_(0, rows, ys)
        for r in rows.unique().tolist():
            pick = ys[rows == r]
            self.outer[r] += pick.T @ pick
        self.refit()
        loss = -(self.log_density(ys, rows) + offset).mean()
        return {"loss": loss.detach().float()}

    # ---- the density and its latent -----------------------------------------------------------------
    def log_density(self, y, rows, whole=False, smooth=None):
        return by_row(lambda yr, r: self._row_log_density(yr, r, smooth), y.double(), rows, self.rows)

    def _row_log_density(self, y, r, smooth=None):
        P = self.prec_tril[r]
        if smooth is not None:
            L = self.scale_tril[r]
            P = inverse_cholesky(L @ L.T + torch.diag(smooth.to(L.dtype)))
        z = (y - self.mean[r]) @ P.T
        log_det = torch.log(torch.diagonal(P)).sum()
        return -0.5 * (self.dim * LOG_2PI + (z * z).sum(-1)) + log_det

    def _latent_shape(self):
        return (self.dim,)

    def _decode(self, z, labels, **options):
        z = z.to(self.device).double().flatten(1)
        y = by_row(lambda zr, r: self.mean[r] + zr @ self.scale_tril[r].T, z, self.label_rows(labels, len(z)), self.rows)
        return self.quantise(y)

    def _encode(self, x, labels, generator, **options):
        y = self.centres(x.to(self.device))
        return by_row(lambda yr, r: (yr - self.mean[r]) @ self.prec_tril[r].T, y, self.label_rows(labels, len(y)),
                      self.rows).float()

    def _sample(self, n, generator, labels, **options):
        return self._decode(randn((n, self.dim), generator, self.device), labels)
