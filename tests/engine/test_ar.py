"""The autoregressive family: normalisation, the key/value cache, completion, order replay, learning."""

import math

import torch

from engine.config import DataConfig
from engine.data import load_dataset
from engine.data.preprocess import Preprocess
from engine.data.spec import DataSpec
from engine.data.toys import EIGHT_GAUSSIAN_CENTRES, EIGHT_GAUSSIAN_STD
from engine.models.ar import TAIL_SCALE, ARConfig, Autoregressive
from engine.models.base import Batch
from engine.training.loop import BatchSampler

TINY = dict(width=16, layers=1, heads=2, dropout=0.0)


def _randomise_head(model, std=1.0):
    """Make an untrained model's distributions far from uniform, so sums are a real check."""
    with torch.no_grad():
        model.head.weight.normal_(0, std)
        model.head.bias.normal_(0, std)
    return model


def test_image_probabilities_sum_to_one_over_every_image():
    spec = DataSpec(kind="image", shape=(1, 2, 2), value_range=(0.0, 1.0), levels=3, num_classes=2)
    model = _randomise_head(Autoregressive(spec.to_dict(), dict(TINY, conditional=True)))
    grid = torch.cartesian_prod(*[torch.arange(3)] * 4).float() / 2      # all 81 images
    x = grid.view(-1, 2, 2)[:, None]
    for label in (0, 1):
        ll = model.log_likelihood(x, labels=torch.full((81,), label))
        assert abs(float(torch.logsumexp(ll, 0))) < 1e-5


def test_point_density_integrates_to_one_over_the_plane():
    span, bins = 1.2, 8                     # inner bins 0.4 wide; exponential tails beyond +-1.2
    spec = DataSpec(kind="points", shape=(2,), value_range=(-math.inf, math.inf))
    model = _randomise_head(Autoregressive(spec.to_dict(), dict(TINY, bins=bins, span=span)), 0.5)
    h = 0.04                                # midpoint rule, aligned with the bin edges
    edge = span + 12 * TAIL_SCALE
    axis = torch.arange(-edge + h / 2, edge, h)
    xx, yy = torch.meshgrid(axis, axis, indexing="ij")
    pts = torch.stack([xx.flatten(), yy.flatten()], 1)
    total = sum(float(model.log_likelihood(chunk).exp().sum()) for chunk in pts.split(65536)) * h * h
    assert abs(total - 1.0) < 2e-3


def test_the_key_value_cache_reproduces_the_full_pass():
    spec = DataSpec(kind="image", shape=(1, 3, 3), value_range=(0.0, 1.0), levels=5)
    model = Autoregressive(spec.to_dict(), dict(width=32, layers=2, heads=4, dropout=0.0)).eval()
    t = torch.randint(0, 5, (4, 9))
    with torch.no_grad():
        full = model.transformer(model._inputs(t[:, :-1], None))
        cache = model.transformer.new_cache(4, 9, "cpu")
        parts = [model.transformer(model._inputs(t[:, :3], None), cache)]   # a prefill of 4 slots
        for i in range(4, 9):
            parts.append(model.transformer(model._slot(t, i), cache))
    assert torch.allclose(torch.cat(parts, 1), full, atol=1e-5)


def _digits_model(**cfg):
    ds = load_dataset(DataConfig(name="digits"))
    return ds, Autoregressive(ds.spec.to_dict(), dict(TINY, **cfg))


def test_completion_keeps_the_known_pixels_and_fills_the_rest_on_the_level_grid():
    ds, model = _digits_model()
    x = ds.x_test[:6]
    known = torch.zeros_like(x, dtype=torch.bool)
    known[:, :, :4] = True                  # the upper half is given
    known[:, :, 6, 2] = True                # and one pixel below an unknown region
    gen = torch.Generator().manual_seed(0)
    out = model.complete(x, known, generator=gen)
    assert torch.equal(out[known], x[known])
    levels = out * 16
    assert torch.allclose(levels, levels.round(), atol=1e-5)
    assert not torch.equal(out, x)          # something was drawn
    assert torch.equal(model.complete(x, torch.ones_like(known), generator=gen), x)


def test_point_completion_keeps_the_known_coordinate():
    spec = DataSpec(kind="points", shape=(2,), value_range=(-math.inf, math.inf))
    model = _randomise_head(Autoregressive(spec.to_dict(), dict(TINY, bins=32)))
    x = torch.randn(50, 2)
    known = torch.zeros(50, 2, dtype=torch.bool)
    known[:25, 0] = True                    # x given: y from P(y | x)
    known[25:, 1] = True                    # y given: x from the exact posterior over x's bins
    out = model.complete(x, known, generator=torch.Generator().manual_seed(0))
    assert torch.equal(out[known], x[known])
    assert torch.isfinite(out).all() and not torch.equal(out[~known], x[~known])


def test_top_k_one_is_greedy_and_ignores_the_noise():
    ds, model = _digits_model()
    a = model.sample(3, generator=torch.Generator().manual_seed(1), top_k=1)
    b = model.sample(3, generator=torch.Generator().manual_seed(2), top_k=1)
    assert torch.equal(a, b)
    c = model.sample(3, generator=torch.Generator().manual_seed(2))
    assert not torch.equal(b, c)


def test_trajectory_replays_the_raster_order():
    ds, model = _digits_model()
    traj = model.trajectory(2, generator=torch.Generator().manual_seed(0), frames=5)
    assert traj.kind == "ar_order"
    assert sorted(traj.order.tolist()) == list(range(64))
    assert traj.order[:3].tolist() == [0, 1, 2]          # (row 0, col 0), (row 0, col 1), ...
    assert len(traj.frames) == len(traj.labels) == 5
    assert traj.labels[-1] == "64 of 64 drawn"
    first_drawn = traj.frames[1][:, 0].flatten(1)[:, :16]   # 16 of 64 drawn: the first two rows
    assert torch.equal(traj.frames[-1][:, 0].flatten(1)[:, :16], first_drawn)
    assert (traj.frames[1][:, 0].flatten(1)[:, 16:] == 0).all()


def test_it_learns_eight_gaussians():
    ds = load_dataset(DataConfig(name="8gaussians", n_train=4000, n_test=1000))
    pre = Preprocess.fit(ds.x_train, "standardize")
    model = Autoregressive(ds.spec.to_dict(), dict(width=32, layers=2, heads=2, dropout=0.0, bins=64),
                           pre.to_dict())
    model.configure_optimizers(3e-3)
    gen = torch.Generator().manual_seed(0)
    sampler = BatchSampler(len(ds.x_train), 128, torch.Generator().manual_seed(0))
    for _ in range(200):
        model.training_step(Batch(ds.x_train[sampler.next()]), gen)
    nll = -float(model.log_likelihood(ds.x_test).mean())
    # The best single Gaussian scores 0.5 log det(2 pi e Cov) = 4.26 nats; the true density 2.84.
    gaussian = 0.5 * float(torch.logdet(2 * math.pi * math.e * torch.cov(ds.x_train.T.double())))
    assert nll < gaussian - 1.2, (nll, gaussian)
    s = model.sample(2000, generator=gen)
    d = torch.cdist(s, torch.as_tensor(EIGHT_GAUSSIAN_CENTRES, dtype=torch.float32))
    near, which = d.min(1)
    share = torch.bincount(which[near < 3 * EIGHT_GAUSSIAN_STD], minlength=8).float() / len(s)
    assert (share > 0.05).all(), share
    assert float((near < 3 * EIGHT_GAUSSIAN_STD).float().mean()) > 0.8


def test_config_rejects_heads_that_do_not_divide_the_width():
    import pytest

    from engine.config import RunConfig
    from engine.errors import ConfigError
    with pytest.raises(ConfigError, match="model.heads"):
        RunConfig.from_dict({"family": "ar", "model": {"width": 30, "heads": 4}})
    assert ARConfig().width % ARConfig().heads == 0
