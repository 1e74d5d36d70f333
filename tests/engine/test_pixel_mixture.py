"""The PixelCNN's mixture of discretised logistics: a distribution over the levels, computed without
cancellation, sampled exactly, and an autoregressive model built on it keeps an exact likelihood and a
causal, cached sampler."""

import pytest
import torch

from engine.data.spec import DataSpec
from engine.models.ar import Autoregressive
from engine.models.pixel_mixture import level_log_probs, level_log_probs_at, sample_levels


def _params(k: int, rows: int, seed: int = 0, spread: float = 2.0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(rows, 3 * k, generator=g) * spread


def _reference(params: torch.Tensor, levels: int) -> torch.Tensor:
    """log P of every level in float64, straight from the definition: the mixture of CDF differences."""
    p = params.double()
    k = p.shape[-1] // 3
    w = torch.softmax(p[:, :k], -1)
    m, s = p[:, k:2 * k], torch.exp(p[:, 2 * k:].clamp(-7, 7))
    half = 1.0 / (levels - 1)
    c = torch.linspace(-1, 1, levels, dtype=torch.float64)[None, :, None]
    upper = torch.sigmoid((c + half - m[:, None]) / s[:, None])
    lower = torch.sigmoid((c - half - m[:, None]) / s[:, None])
    upper[:, -1], lower[:, 0] = 1.0, 0.0
    return torch.log(((upper - lower) * w[:, None]).sum(-1))


@pytest.mark.parametrize("levels", [2, 17, 256])
def test_the_table_is_a_distribution_and_matches_the_definition(levels):
    params = _params(5, 64, spread=3.0)
    table = level_log_probs(params, levels)
    # float32 sums of at most 256 terms in [0, 1]: each rounding is below 6e-8 of the total
    assert (table.exp().sum(-1) - 1).abs().max() < 256 * 6e-8 * 4
    ref = _reference(params, levels)
    likely = ref > -12                      # where a float32 probability keeps its relative precision
    assert torch.allclose(table.double()[likely], ref[likely], rtol=0, atol=1e-4)


def test_the_observed_level_alone_gives_the_same_log_probability_as_the_table():
    params, levels = _params(3, 200, seed=1), 256
    tokens = torch.randint(0, levels, (200,), generator=torch.Generator().manual_seed(2))
    tokens[:3] = torch.tensor([0, levels - 1, 1])          # both tail bins and a neighbour
    at = level_log_probs_at(params, tokens, levels)
    table = level_log_probs(params, levels).gather(-1, tokens[:, None]).squeeze(-1)
    assert torch.allclose(at, table, rtol=0, atol=1e-5)


def test_gradients_stay_finite_at_extreme_means_and_scales():
    raw = torch.tensor([[0.0, 1.0, -50.0, 50.0, -30.0, 30.0]], requires_grad=True)   # K = 2
    for token in (0, 1, 254, 255):
        raw.grad = None
        level_log_probs_at(raw, torch.tensor([token]), 256).sum().backward()
        assert torch.isfinite(raw.grad).all(), token


def test_direct_draws_follow_the_table():
    levels, n = 8, 200_000
    params = _params(3, 1, seed=4, spread=0.8).expand(n, -1)
    drawn = sample_levels(params, levels, torch.Generator().manual_seed(5))
    freq = torch.bincount(drawn, minlength=levels).double() / n
    p = level_log_probs(params[:1], levels)[0].double().exp()
    # five binomial standard deviations per level: a fixed seed, so this either always holds or never
    assert ((freq - p).abs() <= 5 * (p * (1 - p) / n).sqrt() + 1e-6).all(), (freq, p)


MIX = dict(image_net="pixelcnn", width=12, layers=2, dropout=0.0, pixel_output="logistic-mixture", mixtures=3)


@pytest.mark.parametrize("stacks", [1, 2])
def test_a_mixture_pixelcnn_gives_every_colour_image_probabilities_summing_to_one(stacks):
    spec = DataSpec(kind="image", shape=(3, 1, 2), value_range=(0.0, 1.0), levels=3)
    model = Autoregressive(spec.to_dict(), dict(MIX, stacks=stacks)).eval()
    with torch.no_grad():
        for p in model.head.out.parameters():       # far from the initial, nearly flat, distribution
            p.normal_(0, 1.0, generator=torch.Generator().manual_seed(0))
    grid = torch.cartesian_prod(*[torch.arange(3)] * 6).float() / 2        # all 729 images
    x = grid.view(-1, 1, 2, 3).permute(0, 3, 1, 2)
    with torch.no_grad():
        ll = model.log_likelihood(x)
    assert abs(float(torch.logsumexp(ll, 0))) < 1e-5


@pytest.mark.parametrize("stacks", [1, 2])
def test_a_mixture_pixelcnn_is_causal_and_its_cached_sampler_reads_the_full_pass(stacks):
    from tests.engine.test_size_candidates import _assert_cached_sampler_sees_the_full_logits
    shape = (3, 6, 6)
    spec = DataSpec(kind="image", shape=shape, value_range=(0.0, 1.0), levels=256)
    model = Autoregressive(spec.to_dict(), dict(MIX, stacks=stacks, max_dilation=2)).eval()
    t = torch.randint(0, 256, (2, model.dims), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        full = model.logits(t)
        for i in range(0, model.dims, 7):
            changed = t.clone()
            changed[:, i:] = (changed[:, i:] + 100) % 256
            assert torch.allclose(model.logits(changed)[:, :i + 1], full[:, :i + 1], atol=1e-4), i
    _assert_cached_sampler_sees_the_full_logits(model.head.double(), shape, t, None, 256, outputs=model.outputs)


def test_a_mixture_pixelcnn_learns_and_samples_on_the_level_grid():
    spec = DataSpec(kind="image", shape=(3, 4, 4), value_range=(0.0, 1.0), levels=256)
    model = Autoregressive(spec.to_dict(), MIX)
    model.configure_optimizers(3e-3)
    g = torch.Generator().manual_seed(0)
    x = torch.rand(32, 3, 4, 4, generator=g).mul(255).round().div(255)
    from engine.models.base import Batch
    first = float(model.training_step(Batch(x, None), g)["loss"])
    for _ in range(60):
        last = float(model.training_step(Batch(x, None), g)["loss"])
    assert last < first
    for temperature in (1.0, 0.7):               # the direct draw, then the table at a temperature
        s = model.sample(5, generator=g, temperature=temperature)
        assert s.shape == (5, 3, 4, 4) and s.min() >= 0 and s.max() <= 1
        assert torch.allclose(s * 255, (s * 255).round(), atol=1e-4)
