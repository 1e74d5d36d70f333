"""What the classical density estimators share (``gaussian``, ``gmm``, ``kde``): no gradient descent, the
same likelihood axis as the deep families, per-class fits for a conditional model.

These families are fitted in closed form (a Gaussian's maximum-likelihood estimate), by EM (a mixture)
or by storing the data (a kernel density estimate), so they hold their state in buffers, train no
parameter and have no optimiser: ``configure_optimizers`` returns none, and the loop's learning rate
means nothing to them. Each training step is one fit (a Gaussian: the estimate from the sufficient
statistics of every batch seen; a mixture: one EM iteration; a KDE: the stored points), taken from the
batch the loop gives: their ``train_defaults`` ask for a batch as large as the training set.

Units: points are fitted in the run's standardised units (the base class adds the standardisation's
log-determinant to every likelihood), so the reported NLL is in nats per example of the data as it is.
Images: a pixel at level k of L is dequantised to y = (k + u) / L, u ~ U(0, 1), the density is fitted
to y, and the reported log-likelihood E_u[log p(y)] - D log L is a lower bound on the discrete
log-probability of the image (Theis et al., 2016), labelled "bound", as the flow's and the sixth
family's are; a sample y is quantised back by floor(y L).

Export: a classical model has no network from noise to data to speak of (a mixture picks a component
at random; a KDE picks a stored point), so what ``genlab export`` writes is its density,
``LogDensity``: x (data units) -> log p(x) in nats, as a graph of plain tensor operations.
"""

from __future__ import annotations

import math
from typing import ClassVar

import torch
from torch import nn

from engine.i18n import QT_TRANSLATE_NOOP
from engine.models.base import GenerativeModel, rand

LOG_2PI = math.log(2 * math.pi)


class ClassicalModel(GenerativeModel):
    """A density estimator fitted without gradients: state in buffers, one row of it per class when
    the model is conditional (``rows``)."""

    sampling_pass = "_sample"       # one draw: a component or stored point and its noise, no network
    host_float64 = QT_TRANSLATE_NOOP("Family", "closed-form fits (covariances, Cholesky factors, sums over "
                                     "every training point) need float64, cheap on the CPU")

    def __init__(self, spec: dict, config: dict, preprocess: dict | None = None):
        super().__init__(spec, config, preprocess)
        self.points = self.spec.kind == "points"
        self.likelihood_kind = "exact" if self.points else "bound"
        self.dim = int(self.spec.dim)
        self.rows = self.spec.num_classes if self.conditional else 1

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """New state (a resume, a rollback): forget what a family cached about its old state."""
        self._last = None          # the mixture's fixed-point check
        self._scored = (None,)     # the KDE's leave-one-out score
        return super().load_state_dict(state_dict, strict=strict, assign=assign)

    # no optimiser (``configure_optimizers``), so no gradient step: the Setup form hides these
    ignored_train_knobs: ClassVar[tuple[str, ...]] = ("lr", "lr_schedule", "grad_clip")

    def configure_optimizers(self, lr: float) -> dict:
        """None: the fit is closed form, EM or storage, never a gradient step."""
        self.optimizers = {}
        return self.optimizers

    # ---- units ------------------------------------------------------------------------------------
    def dequantise(self, x: torch.Tensor, generator) -> tuple[torch.Tensor, float]:
        """(y, offset): points unchanged (offset 0); images flattened, y = (k + u) / L, offset -D log L."""
        x = x.flatten(1)
        if self.points:
            return x.double(), 0.0
        levels = int(self.spec.levels or 256)
        k = torch.round(x.clamp(0, 1) * (levels - 1))
        u = rand(x.shape, generator, x.device)
        return ((k + u) / levels).double(), -self.dim * math.log(levels)

    def centres(self, x: torch.Tensor) -> torch.Tensor:
        """Images: the middle of each level's bin, (k + 1/2) / L (where a KDE puts its kernels); points: x."""
        x = x.flatten(1)
        if self.points:
            return x.double()
        levels = int(self.spec.levels or 256)
        return ((torch.round(x.clamp(0, 1) * (levels - 1)) + 0.5) / levels).double()

    def quantise(self, y: torch.Tensor) -> torch.Tensor:
        """A continuous sample back to the data's shape (images: floor(y L) on the level grid)."""
        y = y.float()
        if self.points:
            return y.view(-1, *self.spec.shape)
        levels = int(self.spec.levels or 256)
        return (torch.floor(y * levels).clamp(0, levels - 1) / (levels - 1)).view(-1, *self.spec.shape)

    def label_rows(self, labels: torch.Tensor | None, n: int) -> torch.Tensor:
        if labels is None or self.rows == 1:
            return torch.zeros(n, dtype=torch.long, device=self.device)
        return labels.long().to(self.device).clamp(0, self.rows - 1)

    # ---- the hooks every classical family shares ---------------------------------------------------
    def log_density(self, y: torch.Tensor, rows: torch.Tensor, whole: bool = False,
                    smooth: torch.Tensor | None = None) -> torch.Tensor:
        """log p(y) for continuous model-space ``y`` (n, D), float64, of each example's row (``whole``:
        in one block, no loop over the batch, for ``genlab export``; ``smooth`` (D,): the density of
        y + noise, noise ~ N(0, diag(smooth)), for annealed Langevin)."""
        raise NotImplementedError

    def _score(self, x, labels, noise_var):
        """nabla_y log (p * N(0, diag(noise_var)))(y): exact for every classical family (a Gaussian
        convolved with a Gaussian is a Gaussian with the variances added), by autograd. Points only."""
        y = x.flatten(1).double().detach().requires_grad_(True)
        ll = self.log_density(y, self.label_rows(labels, len(y)), smooth=noise_var)
        (grad,) = torch.autograd.grad(ll.sum(), y)
        return grad.view_as(x).to(x.dtype)

    def _log_likelihood(self, x, labels, generator, **options):
        y, offset = self.dequantise(x.to(self.device), generator)
        return self.log_density(y, self.label_rows(labels, len(y))) + offset

    def export_network(self):
        return LogDensity(self), {"x": torch.zeros(2, *self.spec.shape)}


class LogDensity(nn.Module):
    """x in data units -> log p(x) in nats (points: the exact density; images: the density of the
    continuous y = x's level over L, the bound's integrand, minus D log L), what ``genlab export``
    writes for a classical family."""

    def __init__(self, model: ClassicalModel):
        super().__init__()
        self.model = model

    def forward(self, x, labels=None):
        m = self.model
        y = m.to_model(x).flatten(1)
        if not m.points:
            y = m.centres(y)
            offset = -m.dim * math.log(int(m.spec.levels or 256))
        else:
            offset = 0.0
        rows = labels if labels is not None and m.rows > 1 else torch.zeros(y.shape[0], dtype=torch.long)
        return (m.log_density(y.double(), rows, whole=True) + offset + m.pre_log_det).float()


def full_log_prob(y: torch.Tensor, mean: torch.Tensor, prec_tril: torch.Tensor) -> torch.Tensor:
    """log N(y; mean_k, Sigma_k) for every example and component, (n, K), with Sigma_k^-1 = P_k^T P_k
    given by the inverse Cholesky factor P_k (K, D, D) (a matrix product, no solve: exportable)."""
    d = y.shape[1]
    log_det_prec = torch.log(torch.diagonal(prec_tril, dim1=-2, dim2=-1)).sum(-1)     # (K,)
    if d == 2:   # points: the two rows of P written out, (n, K) arrays only (several times faster)
        d1 = y[:, 0:1] - mean[None, :, 0]
        d2 = y[:, 1:2] - mean[None, :, 1]
        z1 = prec_tril[None, :, 0, 0] * d1
        z2 = prec_tril[None, :, 1, 0] * d1 + prec_tril[None, :, 1, 1] * d2
        return -0.5 * (d * LOG_2PI + z1 * z1 + z2 * z2) + log_det_prec[None]
    z = torch.einsum("ked,nd->nke", prec_tril, y) - torch.einsum("ked,kd->ke", prec_tril, mean)[None]
    return -0.5 * (d * LOG_2PI + (z * z).sum(-1)) + log_det_prec[None]


def diag_log_prob(y: torch.Tensor, mean: torch.Tensor, var: torch.Tensor) -> torch.Tensor:
    """log N(y; mean_k, diag(var_k)) for every example and component, (n, K), without an (n, K, D)
    tensor (expanded squares as matrix products, so images of any size stay cheap)."""
    d = y.shape[1]
    inv = 1.0 / var                                                                    # (K, D)
    maha = (y * y) @ inv.T - 2.0 * y @ (mean * inv).T + (mean * mean * inv).sum(-1)[None]
    return -0.5 * (d * LOG_2PI + torch.log(var).sum(-1)[None] + maha.clamp(min=0))


def inverse_cholesky(cov: torch.Tensor) -> torch.Tensor:
    """P with P^T P = cov^-1 (lower triangular), for ``full_log_prob``; cov (..., D, D) float64."""
    chol = torch.linalg.cholesky(cov)
    eye = torch.eye(cov.shape[-1], dtype=cov.dtype, device=cov.device).expand_as(cov)
    return torch.linalg.solve_triangular(chol, eye, upper=False)


def kmeans_pp(y: torch.Tensor, k: int, generator) -> torch.Tensor:
    """k-means++ seeding (Arthur and Vassilvitskii, 2007): each next centre drawn with probability
    proportional to its squared distance from the nearest centre chosen so far. (k, D)."""
    n = y.shape[0]
    first = int((rand((1,), generator, y.device) * n).long().clamp(max=n - 1))
    centres = [y[first]]
    nearest = ((y - y[first]) ** 2).sum(-1)
    for _ in range(1, k):
        total = nearest.sum()
        if not bool(total > 0):       # fewer distinct points than components: repeat one
            centres.append(y[first])
            continue
        cdf = torch.cumsum(nearest / total, 0)
        idx = int(torch.searchsorted(cdf, rand((1,), generator, y.device).double().to(cdf.device)).clamp(max=n - 1))
        centres.append(y[idx])
        nearest = torch.minimum(nearest, ((y - y[idx]) ** 2).sum(-1))
    return torch.stack(centres)


def by_row(fn, y: torch.Tensor, rows: torch.Tensor, n_rows: int) -> torch.Tensor:
    """``fn(y_r, r)`` for the examples of each row r (a class of a conditional model), reassembled in
    order; one call with row 0 when there is a single row (the graph ``genlab export`` traces)."""
    if n_rows == 1:
        return fn(y, 0)
    out = None
    for r in rows.unique().tolist():
        mask = rows == r
        part = fn(y[mask], r)
        if out is None:
            out = torch.zeros((len(y),) + tuple(part.shape[1:]), dtype=part.dtype, device=part.device)
        out[mask] = part
    return out if out is not None else fn(y, 0)
