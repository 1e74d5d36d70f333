"""A Gaussian mixture fitted by EM: the latent-variable model the VAE is motivated from.

p(x) = sum_k pi_k N(x; mu_k, Sigma_k). The latent is the component k; its posterior given x is the
responsibility r_ik = pi_k N(x_i; mu_k, Sigma_k) / p(x_i). One training step is one EM iteration over
the batch (by default the whole training set):

- E-step: the responsibilities r_ik under the current parameters (and the log-likelihood they give);
- M-step: the parameters that maximise the expected complete-data log-likelihood,
  n_k = sum_i r_ik, pi_k = n_k / n, mu_k = sum_i r_ik x_i / n_k,
  Sigma_k = sum_i r_ik (x_i - mu_k)(x_i - mu_k)^T / n_k + (reg / pi_k) I.

The last term is the M-step of a prior exp(-n reg tr(Sigma_k^-1) / 2) on each covariance (an improper
inverse-Wishart), so EM climbs J = (1/n) sum_i log p(x_i) - (reg / 2) sum_k tr(Sigma_k^-1) exactly and
never lets a component collapse onto one point; with the default reg the prior term is below 1e-4 nats.
On a fixed set (points, full batch) J never decreases: the step reports ``loss`` (-log p per example
before the M-step, in model units), ``log_lik`` (its negative, the rising curve) and ``penalty``.

At a fixed point EM has nothing left to do: when a step sees the same examples as the one before (their
count and sum) and that step moved the objective by less than ``CONVERGED`` nats, it is skipped and
reports the same numbers (so a long run of a converged mixture costs nothing).

The first step seeds the means by k-means++ (Arthur and Vassilvitskii, 2007), each covariance with the
data's mean variance shrunk for K components, equal weights. Covariances ``full`` (D x D) or ``diag``;
``auto`` takes full up to 16 dimensions (points) and diagonal above (images). A conditional model fits
one mixture per class. Units and the image likelihood: ``engine.models.classical``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import torch

from engine.i18n import QT_TRANSLATE_NOOP
from engine.knobs import knob
from engine.models.base import InsideView, ModelConfig, rand, randn
from engine.models.classical import (ClassicalModel, by_row, diag_log_prob, full_log_prob, inverse_cholesky,
                                     kmeans_pp)

FAMILY = "gmm"
FULL_UP_TO = 16          # ``auto``: full covariances up to this many dimensions, diagonal above
CHUNK = 8192             # examples per E-step block (a full covariance's (n, K, D) tensor stays small)
MIN_REG = 1e-12          # keeps a covariance positive definite when reg = 0 (still an exact MAP step)
CONVERGED = 1e-12        # nats per example: an EM step that moved the objective less is at a fixed point


@dataclass
class GMMConfig(ModelConfig):
    # One EM iteration over the whole training set per step, every step reported.
    train_defaults: ClassVar[dict] = {"batch_size": 65536, "steps": 100, "log_every": 1, "sample_every": 5,
                                      "lr_schedule": "constant"}

    components: int = knob(16, label=QT_TRANSLATE_NOOP("Knob", "components"), min=1, max=1024, help=QT_TRANSLATE_NOOP("Knob", "Gaussian components K of the mixture."))
    covariance: str = knob("auto", label=QT_TRANSLATE_NOOP("Knob", "covariance"), choices=("auto", "full", "diag"),
                           help=QT_TRANSLATE_NOOP("Knob", "Covariance of each component: full, diag (independent "
                                                  "coordinates), or auto (full up to 16 dimensions, diag above)."))
    reg: float = knob(1e-6, label=QT_TRANSLATE_NOOP("Knob", "covariance prior"), min=0.0, max=10.0, log=True,
                      help=QT_TRANSLATE_NOOP("Knob", "Strength of the covariance prior: each component's variances "
                                             "grow by reg / pi_k, so none collapses onto one point."))


class GMM(ClassicalModel):
    family = FAMILY
    capabilities = frozenset({"log_likelihood", "mixture", "score"})
    likelihood_kind = "exact"       # for points; images report "bound" (set per instance)
    config_class = GMMConfig
    title = QT_TRANSLATE_NOOP("Family", "Gaussian mixture (EM)")
    short_name = QT_TRANSLATE_NOOP("Family", "GMM")
    about = QT_TRANSLATE_NOOP("Family", "K Gaussians with weights pi_k, fitted by the EM algorithm: the E-step "
                                        "computes each example's responsibilities (the posterior of its "
                                        "component), the M-step refits weights, means and covariances from them. "
                                        "The log-likelihood never decreases.")
    reported_terms = ("loss", "log_lik", "penalty")
    term_help = {"loss": QT_TRANSLATE_NOOP("Family", "-log p(x) per example before this M-step"),
                 "log_lik": QT_TRANSLATE_NOOP("Family", "log p(x) per example: rises at every EM iteration"),
                 "penalty": QT_TRANSLATE_NOOP("Family", "the covariance prior's term (reg / 2) sum_k tr(Sigma_k^-1)")}
    inside_view = InsideView(help=QT_TRANSLATE_NOOP("Family", "Heat: the mixture's exact density. Ellipses: each "
                                                    "component's mean and two standard deviations (thicker: "
                                                    "larger weight). Dots: held-out points coloured by the "
                                                    "component with the largest responsibility (the E-step)."))

    def __init__(self, spec: dict, config: dict, preprocess: dict | None = None):
        super().__init__(spec, config, preprocess)
        R, K, D = self.rows, self.cfg.components, self.dim
        self.full = self.cfg.covariance == "full" or (self.cfg.covariance == "auto" and D <= FULL_UP_TO)
        f64 = torch.float64
        self.register_buffer("ready", torch.zeros(R, dtype=f64))         # 1 once a row is seeded
        self.register_buffer("log_weights", torch.full((R, K), -math.log(K), dtype=f64))
        self.register_buffer("means", torch.zeros(R, K, D, dtype=f64))
        if self.full:
            self.register_buffer("cov", torch.eye(D, dtype=f64).repeat(R, K, 1, 1))
            self.register_buffer("prec_tril", torch.eye(D, dtype=f64).repeat(R, K, 1, 1))
        else:
            self.register_buffer("var", torch.ones(R, K, D, dtype=f64))

    @classmethod
    def page_values(cls, options):
        """``components``: K of the run's mixture."""
        return {"components": int((options or {}).get("components", GMMConfig.components))}

    @classmethod
    def derived_terms(cls, values, variant):
        return {"objective": values["log_lik"] - values["penalty"]} if {"log_lik", "penalty"} <= set(values) else {}

    # ---- the mixture ----------------------------------------------------------------------------------
    def joint(self, y: torch.Tensor, r: int, whole: bool = False, smooth=None) -> torch.Tensor:
        """log pi_k + log N(y; mu_k, Sigma_k) of row ``r``, (n, K), float64 (in blocks of ``CHUNK``
        examples unless ``whole``: the graph ``genlab export`` traces has no loop over the batch)."""
        if whole:
            return self._joint_block(y, r, smooth)
        out = [self._joint_block(y[i:i + CHUNK], r, smooth) for i in range(0, max(1, len(y)), CHUNK)]
        return torch.cat(out) if len(out) > 1 else out[0]

    def _joint_block(self, y: torch.Tensor, r: int, smooth=None) -> torch.Tensor:
        """``smooth`` (D,): each component's covariance grows by diag(smooth) (the mixture convolved
        with that Gaussian noise)."""
        if self.full:
            prec = self.prec_tril[r] if smooth is None else inverse_cholesky(self.cov[r] + torch.diag(smooth.double()))
            lp = full_log_prob(y, self.means[r], prec)
        else:
            lp = diag_log_prob(y, self.means[r], self.var[r] if smooth is None else self.var[r] + smooth.double())
        return lp + self.log_weights[r][None]

    def log_density(self, y, rows, whole=False, smooth=None):
        return by_row(lambda yr, r: torch.logsumexp(self.joint(yr, r, whole, smooth), -1), y.double(), rows,
                      self.rows)

    def _seed(self, y: torch.Tensor, r: int, generator) -> None:
        K, D = self.cfg.components, self.dim
        self.means[r] = kmeans_pp(y, K, generator)
        spread = float(y.var(0, unbiased=False).mean().clamp(min=1e-6)) / K ** (2.0 / D)
        if self.full:
            self.cov[r] = spread * torch.eye(D, dtype=y.dtype, device=y.device)
            self.prec_tril[r] = torch.eye(D, dtype=y.dtype, device=y.device) / math.sqrt(spread)
        else:
            self.var[r] = spread
        self.log_weights[r] = -math.log(K)
        self.ready[r] = 1.0

    def _em(self, y: torch.Tensor, r: int) -> tuple[torch.Tensor, torch.Tensor]:
        """One EM iteration of row ``r`` on ``y``: (mean log p(y) before it, the prior term before it)."""
        penalty = self._penalty(r)
        joint = self.joint(y, r)
        ll = torch.logsumexp(joint, -1)
        resp = (joint - ll[:, None]).exp()                                          # E-step
        n = len(y)
        nk = resp.sum(0) + 1e-10 * n                                                # M-step
        pi = nk / nk.sum()
        means = (resp.T @ y) / nk[:, None]
        reg = max(float(self.cfg.reg), MIN_REG)
        if self.full:
            eye = torch.eye(self.dim, dtype=y.dtype, device=y.device)
            if self.dim <= FULL_UP_TO:      # (n, K, D) stays small: one product for every component
                second = torch.einsum("nk,nij->kij", resp, y[:, :, None] * y[:, None, :]) / nk[:, None, None]
            else:
                second = torch.stack([(y * resp[:, k:k + 1]).T @ y for k in range(len(nk))]) / nk[:, None, None]
            cov = second - means[:, :, None] * means[:, None, :]
            cov = 0.5 * (cov + cov.transpose(1, 2)) + (reg / pi)[:, None, None] * eye
            self.cov[r] = cov
            self.prec_tril[r] = inverse_cholesky(cov)
        else:
            second = (resp.T @ (y * y)) / nk[:, None]
            self.var[r] = (second - means * means).clamp(min=0) + (reg / pi)[:, None]
        self.means[r] = means
        self.log_weights[r] = pi.log()
        return ll.mean(), penalty

    def _penalty(self, r: int) -> torch.Tensor:
        reg = max(float(self.cfg.reg), MIN_REG)
        if self.full:
            trace = (self.prec_tril[r] ** 2).sum((-1, -2))          # tr(Sigma^-1) = ||P||_F^2
        else:
            trace = (1.0 / self.var[r]).sum(-1)
        return 0.5 * reg * trace.sum()

    def _training_step(self, x, y, generator):
        ys, offset = self.dequantise(x, generator)
        seen_before = (len(ys), round(float(ys.sum()), 6))
        last = getattr(self, "_last", None)
        if last is not None and last[0] == seen_before and last[1] < CONVERGED:
            return dict(last[2])                       # a fixed point on the same examples
        out, objective = self._em_step(ys, offset, y, generator)
        moved = abs(objective - last[3]) if last is not None and last[0] == seen_before else float("inf")
        self._last = (seen_before, moved, out, objective)
        return out

    def _em_step(self, ys, offset, y, generator):
        rows = self.label_rows(y, len(ys))
        total_ll, total_pen, seen = 0.0, 0.0, 0
        for r in rows.unique().tolist():
            pick = ys[rows == r]
            if not bool(self.ready[r] > 0):
                self._seed(pick, r, generator)
            ll, pen = self._em(pick, r)
            total_ll = total_ll + ll * len(pick)
            total_pen = total_pen + pen * len(pick)
            seen += len(pick)
        log_lik = total_ll / seen + offset
        penalty = total_pen / seen
        return ({"loss": (-log_lik).detach().float(), "log_lik": log_lik.detach().float(),
                 "penalty": penalty.detach().float()}, float(log_lik - penalty))

    def _sample(self, n, generator, labels, **options):
        rows = self.label_rows(labels, n)
        cdf = self.log_weights.exp()[rows].cumsum(-1)
        k = (rand((n, 1), generator, self.device).double() > cdf).sum(-1).clamp(max=self.cfg.components - 1)
        eps = randn((n, self.dim), generator, self.device).double()
        if self.full:
            chol = torch.linalg.cholesky(self.cov[rows, k])
            y = self.means[rows, k] + (chol @ eps.unsqueeze(-1)).squeeze(-1)
        else:
            y = self.means[rows, k] + self.var[rows, k].sqrt() * eps
        return self.quantise(y)

    # ---- the components, for "Inside the model" ---------------------------------------------------------
    def _components(self, row: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(weights (K,), means (K, D), covariances (K, D, D)) of one row, model space."""
        cov = self.cov[row] if self.full else torch.diag_embed(self.var[row])
        return self.log_weights[row].exp(), self.means[row], cov

    def _responsibilities(self, y, labels):
        """The E-step: r_ik for model-space ``y``, (n, K)."""
        return by_row(lambda yr, r: torch.softmax(self.joint(yr, r), -1), y.flatten(1).double(),
                      self.label_rows(labels, len(y)), self.rows)
