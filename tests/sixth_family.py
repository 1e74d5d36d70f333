"""A sixth model family, defined outside ``engine/models`` and added with ``register_family``: the proof
that one module is a whole family (the tests in ``tests/engine/test_sixth_family.py`` and
``tests/gui/test_sixth_family_window.py`` drive it through the CLI and the window, with no other module
changed for it).

The model is a Gaussian mixture whose components live on a learned latent plane: a latent z has the
prior sum_k pi_k N(m_k, I) (K isotropic components, class-dependent weights pi when conditional), and
x | z ~ N(W z + b, sigma^2 I). Marginally

    p(x) = sum_k pi_k N(x; W m_k + b, C),   C = sigma^2 I + W W^T,

a mixture of K Gaussians sharing one covariance, evaluated exactly with the Woodbury identity through
the L x L matrix M = sigma^2 I + W^T W (log det C = (D - L) log sigma^2 + log det M). It is trained by
gradient descent on the negative log-likelihood through ``optimizer_step``. ``decode(z)`` = W z + b
(the mean of x | z), ``encode(x)`` = E[z | x] = sum_k r_k(x) (m_k + M^-1 W^T (x - W m_k - b)) with the
responsibilities r_k(x).

Points: log p(x) is exact (in the run's standardised units; the base class adds the standardisation).
Images: a pixel at level k of L is dequantised to y = (k + u) / L, u ~ U(0, 1), and the reported
log-likelihood is E_u[log p(y)] - D log L, a lower bound on the log-probability of the image over its
grey levels (Theis et al., 2016), labelled "bound" (the Gaussian also puts mass outside [0, 1], so the
discrete distribution it defines is sub-normalised: the bound is pessimistic, never flattering).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import torch
import torch.nn.functional as F
from torch import nn

from engine.knobs import knob
from engine.i18n import QT_TRANSLATE_NOOP
from engine.models.base import GenerativeModel, InsideView, LatentView, ModelConfig, rand, randn

FAMILY = "mixture"
LOG_2PI = math.log(2 * math.pi)


@dataclass
class MixtureConfig(ModelConfig):
    # A few parameters and a smooth loss: a high rate (with the loop's cosine decay) learns in a few hundred
    # steps what 1e-3 takes thousands for.
    train_defaults: ClassVar[dict] = {"lr": 0.03}

    components: int = knob(8, min=1, max=256, help="Gaussian components of the mixture.")
    latent_dim: int = knob(2, min=1, max=64, help="Dimensions of the latent plane the components live on.")
    temperature: float = knob(1.0, min=0.0, max=2.0, live=True,
                              help="Scale of the noise around the plane for samples. Safe to change while training.")


class Mixture(GenerativeModel):
    family = FAMILY
    capabilities = frozenset({"latent", "encode", "log_likelihood"})
    likelihood_kind = "exact"       # for points; images report "bound" (set per instance)
    config_class = MixtureConfig
    title = QT_TRANSLATE_NOOP("Family", "Gaussian mixture on a latent plane")
    short_name = QT_TRANSLATE_NOOP("Family", "Mixture")
    about = QT_TRANSLATE_NOOP("Family", "K Gaussian components placed on a learned linear plane: p(x) = "
                                        "sum_k pi_k N(x; W m_k + b, sigma^2 I + W W^T), trained by maximum "
                                        "likelihood, evaluated exactly.")
    reported_terms = ("loss", "noise_std")
    term_help = {"loss": QT_TRANSLATE_NOOP("Family", "-log p(x), what the optimiser minimises"),
                 "noise_std": QT_TRANSLATE_NOOP("Family", "sigma, the noise around the latent plane"),
                 "log_px": QT_TRANSLATE_NOOP("Family", "log p(x), exact")}
    sampling_pass = "decoder"
    latent_view = LatentView(caption=QT_TRANSLATE_NOOP("Family", "the mixture's latent plane"), first_plane="pca",
                             embed_points=500, embed_every_s=5.0)
    inside_view = InsideView(help=QT_TRANSLATE_NOOP("Family", "Heat: the mixture's exact density."))

    def __init__(self, spec: dict, config: dict, preprocess: dict | None = None):
        super().__init__(spec, config, preprocess)
        c = self.cfg
        self.points = self.spec.kind == "points"
        self.likelihood_kind = "exact" if self.points else "bound"
        self.dim = int(self.spec.dim)
        rows = self.spec.num_classes if self.conditional else 1
        self.decoder = nn.Linear(c.latent_dim, self.dim)        # x = W z + b (+ noise)
        self.means = nn.Parameter(1.5 * torch.randn(c.components, c.latent_dim))
        self.logits = nn.Parameter(torch.zeros(rows, c.components))
        self.log_sigma = nn.Parameter(torch.tensor(-1.0))

    @classmethod
    def derived_terms(cls, values, variant):
        return {"log_px": -values["loss"]} if "loss" in values else {}

    # ---- the mixture --------------------------------------------------------------------------------
    def _mixture_terms(self, y, labels):
        """(log pi_k + log N(y; W m_k + b, C) per example and component, r = y - W m_k - b, M's Cholesky
        factor), in float64."""
        W = self.decoder.weight.double()                          # (D, L)
        b = self.decoder.bias.double()
        var = torch.exp(2 * self.log_sigma.double())
        L = W.shape[1]
        chol = torch.linalg.cholesky(var * torch.eye(L, dtype=W.dtype, device=W.device) + W.T @ W)
        r = y.double().flatten(1)[:, None, :] - (self.means.double() @ W.T + b)[None]      # (n, K, D)
        proj = (r @ W).unsqueeze(-1)                                                      # (n, K, L, 1)
        solved = torch.cholesky_solve(proj, chol)
        maha = ((r * r).sum(-1) - (proj * solved).sum((-1, -2))) / var
        log_det = (self.dim - L) * torch.log(var) + 2 * torch.log(torch.diagonal(chol)).sum()
        log_n = -0.5 * (self.dim * LOG_2PI + log_det + maha)
        rows = labels if labels is not None else torch.zeros(y.shape[0], dtype=torch.long, device=y.device)
        log_pi = F.log_softmax(self.logits.double(), -1)[rows]
        return log_pi + log_n, r, chol

    def _dequantise(self, x, generator):
        """Images: y = (k + u) / L and the bound's -D log L; points: x itself."""
        if self.points:
            return x, 0.0
        levels = int(self.spec.levels or 256)
        k = torch.round(x.clamp(0, 1) * (levels - 1))
        return (k + rand(x.shape, generator, x.device)) / levels, -self.dim * math.log(levels)

    def _log_prob(self, x, labels, generator):
        y, offset = self._dequantise(x, generator)
        joint, _, _ = self._mixture_terms(y, labels)
        return torch.logsumexp(joint, -1) + offset

    # ---- protocol hooks -----------------------------------------------------------------------------
    def _training_step(self, x, y, generator):
        loss = -self._log_prob(x, y, generator).mean()
        self.optimizer_step("main", (loss / self.dim).float())   # per dimension: one learning rate for any size
        return {"loss": loss.detach().float(), "noise_std": self.log_sigma.detach().exp()}

    def _log_likelihood(self, x, labels, generator, **options):
        return self._log_prob(x, labels, generator)

    def _latent_shape(self):
        return (self.cfg.latent_dim,)

    def _decode(self, z, labels, **options):
        x = self.decoder(z.to(self.device).float())
        return x if self.points else x.clamp(0, 1).view(-1, *self.spec.shape)

    def _encode(self, x, labels, generator, **options):
        y = x if self.points else x.clamp(0, 1)
        joint, r, chol = self._mixture_terms(y, labels)
        resp = torch.softmax(joint, -1)                                                   # (n, K)
        W = self.decoder.weight.double()
        shift = torch.cholesky_solve((r @ W).unsqueeze(-1), chol).squeeze(-1)            # M^-1 W^T r_k
        z = (resp[..., None] * (self.means.double()[None] + shift)).sum(1)
        return z.float()

    def _sample(self, n, generator, labels, temperature=None, **options):
        t = self.cfg.temperature if temperature is None else float(temperature)
        rows = labels if labels is not None else torch.zeros(n, dtype=torch.long, device=self.device)
        cdf = torch.softmax(self.logits.float(), -1)[rows].cumsum(-1)
        k = (rand((n, 1), generator, self.device) > cdf).sum(-1).clamp(max=self.cfg.components - 1)
        z = self.means[k] + randn((n, self.cfg.latent_dim), generator, self.device)
        x = self.decoder(z) + t * self.log_sigma.exp() * randn((n, self.dim), generator, self.device)
        if self.points:
            return x
        levels = int(self.spec.levels or 256) - 1
        return (torch.round(x.clamp(0, 1) * levels) / levels).view(n, *self.spec.shape)


def register() -> None:
    """Add the family to the registry (this module, by name: imported again only if it is not loaded)."""
    from engine.models.registry import register_family
    register_family(FAMILY, __name__, "Mixture", "MixtureConfig")


def unregister() -> None:
    from engine.models.registry import unregister_family
    unregister_family(FAMILY)
