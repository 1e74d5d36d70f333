"""A mixture of Gaussians fitted to the codes a VAE's encoder gives its latest training images: the prior
its image samples start from ("ex-post density estimation", Ghosh et al., 2020; Dai and Wipf's two-stage
VAE, 2019, fits a second VAE where this fits a mixture).

Why: the KL term pulls the codes of the training images towards N(0, I) but never onto it, so codes drawn
from the standard normal land in regions no training image maps to and decode to smudges between digits.
Measured on MNIST after 300 s of one CPU thread (mlp-512, 20-d codes, mean of three draws of 256 samples,
Fréchet ratio to the real-vs-real floor): 12.2 from N(0, I), 7.6 from one full-covariance Gaussian fitted
to the codes, 2.9-3.7 from mixtures of 20-40; on unseen 28x28 letters 17.1 against 2.5 (40 components).
Scaling N(0, I) down (a temperature) made it worse: 15.1 at 0.9.

The mixture is fitted to the posterior means, and each component then widened by the posterior variances
of the codes it holds (their responsibility-weighted mean, on the diagonal): the moments of the aggregate
posterior, the average of q(z | x), which is what the decoder was trained on. Why: a latent dimension the
encoder does not use has means near 0 and a posterior variance near 1; a mixture of the means alone put
almost no density where such codes' draws fall, so the likelihood bound, which draws z from q(z | x),
came out far too loose: an unseen coloured-shapes conv VAE (32-d codes, most unused) reported 14.6 bits/dim
against 0.54 with the widened mixture, with samples alike (Fréchet ratio 169 against 174). Where every
dimension is used the posterior variances are small next to the components' (MNIST mlp-512: 0.015
against 0.70) and nothing measured changed (ratio 1.09 and 1.377 bits/dim either way).

The codes (posterior means and variances) are kept in ring buffers that the training step writes on the
device (no host synchronisation) and that are checkpointed with the weights, so the fit is a function of the saved state: a
checkpoint draws the same pictures after a reload. The fit is a fixed number of EM iterations from a fixed
start on the CPU (about 0.3 s of one thread for 16384 codes of 20 dimensions), redone only when the buffer has changed, so samples of a paused run cost no
refit. The model's likelihood bound uses this mixture as p(z) too: the figure it reports is a bound for the
model that draws the samples (any normalised p(z) gives a valid importance-weighted bound).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from engine.models.draws import rand, randn

LOG_2PI = math.log(2 * math.pi)
CAPACITY = 16384          # codes kept: the last 128 batches of 128 images
MAX_COMPONENTS = 32
CODES_PER_PARAMETER = 1   # codes per parameter of each component (weight, mean, covariance) at least
ITERATIONS = 20
# Ridge on each covariance, relative to the codes' mean variance: keeps Cholesky defined where a latent
# dimension is unused (its codes all near 0).
RIDGE = 1e-4
MAX_BUFFER_FLOATS = 1 << 21   # 8 MB of float32 per ring (means, variances): a wide latent keeps fewer codes


class FittedMixture:
    """Weights (log), means and Cholesky factors of K full-covariance Gaussians, float32 on the CPU."""

    def __init__(self, log_w: torch.Tensor, means: torch.Tensor, chol: torch.Tensor):
        self.log_w, self.means, self.chol = log_w, means, chol

    def log_prob(self, z: torch.Tensor) -> torch.Tensor:
        """log p(z) per row, float32 on ``z``'s device."""
        lp = _component_log_probs(z.detach().float().cpu(), self.log_w, self.means, self.chol)
        return torch.logsumexp(lp, 0).to(z.device)

    def sample(self, n: int, generator: torch.Generator | None, device) -> torch.Tensor:
        u = rand((n,), generator, device).cpu()
        eps = randn((n, self.means.shape[1]), generator, device).cpu()
        w = self.log_w.exp()
        return draw_codes(u, eps, w.cumsum(0), w.sum(), self.means, self.chol).to(device)


def draw_codes(u, eps, cumulative, total, means, chol) -> torch.Tensor:
    """Codes from uniform ``u`` (N,) and standard normal ``eps`` (N, D): the component is the number of
    cumulative weights below u * total (``searchsorted``'s index, in operations the exporters express),
    then its mean plus its Cholesky factor times eps. One function for sampling and for export, so an
    exported decoder draws exactly the model's samples from the same noise."""
    k = (cumulative[None, :] < (u * total)[:, None]).sum(1).clamp(max=means.shape[0] - 1)
    return means[k] + (chol[k] @ eps.unsqueeze(-1)).squeeze(-1)


class MixtureDraw(nn.Module):
    """(u, eps) -> codes drawn from a fitted mixture, as ``FittedMixture.sample`` draws them: u ~ U[0, 1)
    picks the component by the cumulative weights, eps ~ N(0, I) is its Gaussian draw. What ``genlab
    export`` puts in front of the decoder, so that the exported network draws the model's samples (the
    decoder fed N(0, I) draws worse ones)."""

    def __init__(self, fit: FittedMixture):
        super().__init__()
        w = fit.log_w.exp()
        self.register_buffer("cumulative", w.cumsum(0))
        self.register_buffer("total", w.sum())
        self.register_buffer("means", fit.means.clone())
        self.register_buffer("chol", fit.chol.clone())

    def forward(self, u: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
        return draw_codes(u, eps, self.cumulative, self.total, self.means, self.chol)


def _component_log_probs(x: torch.Tensor, log_w: torch.Tensor, means: torch.Tensor, chol: torch.Tensor,
                         squares: torch.Tensor | None = None) -> torch.Tensor:
    """(K, N): log w_k + log N(x_n; mean_k, L_k L_k^T). The Mahalanobis terms are matrix products over the
    rows' packed outer products (``squares``, reusable across EM iterations): a few large GEMMs instead of
    K triangular solves, about ten times faster on a CPU."""
    d = x.shape[1]
    rows, cols = torch.triu_indices(d, d)
    if squares is None:
        squares = x[:, rows] * x[:, cols]
    prec = torch.cholesky_inverse(chol)                                    # K, D, D
    packed = prec[:, rows, cols] * torch.where(rows == cols, 1.0, 2.0).to(prec.dtype)
    prec_mean = torch.einsum("kde,ke->kd", prec, means)                    # K, D
    maha = (squares @ packed.T - 2 * x @ prec_mean.T + (means * prec_mean).sum(1)).T   # K, N
    log_det = 2 * torch.diagonal(chol, dim1=1, dim2=2).log().sum(-1)       # K
    return log_w[:, None] - 0.5 * (maha.clamp(min=0) + log_det[:, None] + d * LOG_2PI)


def fit_mixture(x: torch.Tensor, components: int, iterations: int = ITERATIONS, seed: int = 0,
                noise: torch.Tensor | None = None) -> FittedMixture:
    """EM for a full-covariance Gaussian mixture on the rows of ``x``, from means at ``components`` codes
    picked by a fixed seed and the codes' covariance: deterministic for a given ``x``. Float32 is enough
    (codes are of order 1, the ridge bounds each covariance away from singular) and twice as fast.
    ``noise`` (N, D): each row's own variance around it (a posterior's), added to the covariance of the
    component that holds it, weighted by the last E-step's responsibilities."""
    x = x.float().cpu()
    n, d = x.shape
    k = max(1, min(components, n))
    ridge = RIDGE * float(x.var(0).mean()) + 1e-8
    eye = torch.eye(d, dtype=x.dtype)
    rows, cols = torch.triu_indices(d, d)
    squares = x[:, rows] * x[:, cols]                                      # N, D(D+1)/2
    means = x[torch.randperm(n, generator=torch.Generator().manual_seed(seed))[:k]].clone()
    cov = (torch.cov(x.T).reshape(d, d) + ridge * eye).expand(k, d, d).clone()
    log_w = torch.full((k,), -math.log(k), dtype=x.dtype)
    for _ in range(iterations):
        chol = _cholesky(cov, ridge)
        resp = torch.softmax(_component_log_probs(x, log_w, means, chol, squares), 0)   # K, N
        nk = resp.sum(1) + 1e-10
        log_w = (nk / n).log()
        means = (resp @ x) / nk[:, None]
        second = torch.zeros(k, d, d, dtype=x.dtype)
        second[:, rows, cols] = (resp @ squares) / nk[:, None]
        second[:, cols, rows] = second[:, rows, cols]
        cov = second - means[:, :, None] * means[:, None, :] + ridge * eye
    if noise is not None:
        cov = cov + torch.diag_embed((resp @ noise.float().cpu()) / nk[:, None])
    return FittedMixture(log_w, means, _cholesky(cov, ridge))


def _cholesky(cov: torch.Tensor, ridge: float) -> torch.Tensor:
    """Cholesky factors, adding a larger ridge to a covariance that rounding left not quite positive
    definite (a component that shrank onto one or two codes)."""
    eye = torch.eye(cov.shape[-1], dtype=cov.dtype)
    for extra in (0.0, 10.0, 1e3, 1e5):
        chol, info = torch.linalg.cholesky_ex(cov + extra * ridge * eye)
        if not bool((info > 0).any()):
            return chol
    return torch.linalg.cholesky(cov + eye)


class CodeMixture(nn.Module):
    """The ring buffer of recent codes and the mixture fitted to them (see the module's docstring)."""

    optional_state = ("code_vars",)   # checkpoints from before the variances were kept open with zeros

    def __init__(self, dim: int):
        super().__init__()
        capacity = max(256, min(CAPACITY, MAX_BUFFER_FLOATS // max(1, dim)))
        self.register_buffer("codes", torch.zeros(capacity, dim))
        self.register_buffer("code_vars", torch.zeros(capacity, dim))   # each code's posterior variance
        self.register_buffer("seen", torch.zeros((), dtype=torch.long))
        self._fit: FittedMixture | None = None
        self._fit_key = None

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        """A checkpoint from before the variances were kept: zeros, the mixture of the means it drew from."""
        for key in self.optional_state:
            state_dict.setdefault(prefix + key, torch.zeros_like(getattr(self, key)))
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    @torch.no_grad()
    def record(self, mu: torch.Tensor, var: torch.Tensor) -> None:
        """Keep a batch of posterior means and variances; device ops only (no host read of the count)."""
        cap = self.codes.shape[0]
        mu, var = mu.detach()[-cap:], var.detach()[-cap:]
        idx = (self.seen + torch.arange(mu.shape[0], device=mu.device)) % cap
        self.codes.index_copy_(0, idx, mu.to(self.codes.dtype))
        self.code_vars.index_copy_(0, idx, var.to(self.code_vars.dtype))
        self.seen += mu.shape[0]

    def fitted(self) -> FittedMixture | None:
        """The mixture for the codes now kept, or None until there are enough of them (then the standard
        normal is the prior). Reads the count to the host: for sampling and evaluation, not training steps."""
        seen = int(self.seen)
        key = (seen, self.codes._version, self.code_vars._version)
        if key != self._fit_key:
            n = min(seen, self.codes.shape[0])
            d = self.codes.shape[1]
            per_component = CODES_PER_PARAMETER * (d * (d + 3) // 2 + 1)
            self._fit = (fit_mixture(self.codes[:n], min(MAX_COMPONENTS, n // per_component), noise=self.code_vars[:n])
                         if n >= per_component else None)
            self._fit_key = key
        return self._fit
