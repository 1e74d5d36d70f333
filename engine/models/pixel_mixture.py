"""A mixture of discretised logistics for one sub-pixel's level (Salimans et al., 2017, PixelCNN++).

Why: a 256-way softmax per sub-pixel knows nothing of order: that level 127 sits beside 128 is learned
level by level from data, and until it is a PixelCNN draws photographs as blotches of unrelated colours
(on 32x32 photo patches after 300 CPU seconds: ratio 40 to the real-vs-real floor). A mixture of K
logistics puts probability on neighbouring levels together from the first step, with 3K outputs per
sub-pixel instead of 256, so a training step costs less as well: the 768-channel read-out and the
log-softmax over 256 levels of every sub-pixel were a third of a colour step's time.

The probability of level j (of L, centred at c_j = -1 + 2j / (L - 1) in the network's [-1, 1] scale, half
a bin h = 1 / (L - 1) either side) under one logistic of mean m and scale s is
sigmoid((c_j + h - m) / s) - sigmoid((c_j - h - m) / s), with the first and last level taking the tails
to -inf and +inf, so the L probabilities sum to 1 exactly and the likelihood stays an exact discrete one.
The difference is taken in logs without cancellation: for a > b,
sigmoid(a) - sigmoid(b) = sigmoid(a) sigmoid(-b) (1 - exp(b - a)).

A sub-pixel's outputs are K mixture logits, K means and K log-scales, in that order.

Why not ``likelihoods.discretized_logistic_log_prob`` (the VAE decoder's single logistic) per component:
that one switches to the density at the bin's centre where a bin's mass falls below 1e-5, so its levels
sum to one only to about that; the sampler's table here is a distribution, exactly, at every level.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from engine.models.draws import rand

LOG_SCALE_MIN = -7.0   # PixelCNN++'s floor: a logistic narrower than a thousandth of a bin adds nothing
LOG_SCALE_MAX = 7.0    # wider than a thousand times the range is flat already; it keeps exp(-width) below 1


def outputs_per_subpixel(mixtures: int) -> int:
    """Network outputs one sub-pixel needs: a weight, a mean and a log-scale per logistic."""
    return 3 * mixtures


def _split(params: torch.Tensor):
    """(..., 3K) -> log mixture weights, means, inverse scales, each (..., K)."""
    k = params.shape[-1] // 3
    logit_w, means, log_s = params[..., :k], params[..., k:2 * k], params[..., 2 * k:]
    return F.log_softmax(logit_w, -1), means, torch.exp(-log_s.clamp(LOG_SCALE_MIN, LOG_SCALE_MAX))


def _log_bin(centre: torch.Tensor, means, inv_s, half: float, first: torch.Tensor, last: torch.Tensor):
    """log P(level) under each logistic, for levels at ``centre`` (broadcast against means)."""
    upper = (centre + half - means) * inv_s
    lower = (centre - half - means) * inv_s
    log_upper = F.logsigmoid(upper)                        # log P(value < upper edge)
    log_above_lower = F.logsigmoid(-lower)                 # log P(value > lower edge)
    width = (2.0 * half) * inv_s                           # upper - lower, > 0
    inner = log_upper + log_above_lower + torch.log(-torch.expm1(-width))
    return torch.where(first, log_upper, torch.where(last, log_above_lower, inner))


def level_log_probs_at(params: torch.Tensor, tokens: torch.Tensor, levels: int) -> torch.Tensor:
    """log P(tokens) of each sub-pixel: ``params`` (..., 3K), ``tokens`` (...) integer levels in [0, L)."""
    log_w, means, inv_s = _split(params.float())
    half = 1.0 / (levels - 1)
    t = tokens[..., None]
    centre = t.float() * (2.0 * half) - 1.0
    per = _log_bin(centre, means, inv_s, half, t == 0, t == levels - 1)
    return torch.logsumexp(log_w + per, -1)


def level_log_probs(params: torch.Tensor, levels: int) -> torch.Tensor:
    """(..., 3K) -> (..., L): log P of every level, a normalised table (a sampler's logits)."""
    log_w, means, inv_s = _split(params.float())
    half = 1.0 / (levels - 1)
    j = torch.arange(levels, device=params.device)
    centre = (j.float() * (2.0 * half) - 1.0)[:, None]      # (L, 1) against (..., 1, K)
    per = _log_bin(centre, means[..., None, :], inv_s[..., None, :], half, (j == 0)[:, None],
                   (j == levels - 1)[:, None])
    return torch.logsumexp(log_w[..., None, :] + per, -1)


def sample_levels(params: torch.Tensor, levels: int, generator: torch.Generator | None) -> torch.Tensor:
    """(..., 3K) -> (...) levels drawn from the mixture: a logistic picked by its weight (Gumbel-max), a
    value from it by the inverse CDF, rounded to the nearest level and clamped to the first and last (whose
    bins reach the tails). Exactly the distribution ``level_log_probs`` tabulates, at a fraction of its cost
    (no table of every level per sub-pixel): what a sampler at temperature 1 uses."""
    log_w, means, inv_s = _split(params.float())
    u = rand(log_w.shape, generator, params.device).clamp(1e-10, 1 - 1e-7)
    pick = torch.argmax(log_w - torch.log(-torch.log(u)), -1, keepdim=True)
    m, inv = means.gather(-1, pick).squeeze(-1), inv_s.gather(-1, pick).squeeze(-1)
    v = rand(m.shape, generator, params.device).clamp(1e-7, 1 - 1e-7)
    value = m + (torch.log(v) - torch.log1p(-v)) / inv
    return torch.round((value + 1.0) * (0.5 * (levels - 1))).clamp(0, levels - 1).long()
