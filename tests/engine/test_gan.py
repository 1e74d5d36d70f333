"""GAN specifics: every loss, spectral norm, single-player steps, the EMA generator, and learning."""

import numpy as np
import pytest
import torch

from engine.config import DataConfig
from engine.data import load_dataset
from engine.data.preprocess import Preprocess
from engine.data.toys import EIGHT_GAUSSIAN_CENTRES, EIGHT_GAUSSIAN_STD
from engine.models.base import Batch, CapabilityError
from engine.models.gan import GAN, GANConfig
from engine.models.registry import build_model

_DATA = {}


def data(name):
    if name not in _DATA:
        _DATA[name] = load_dataset(DataConfig(name=name, n_train=4000, n_test=500))
    return _DATA[name]


def make(name="8gaussians", lr=1e-3, **cfg):
    ds = data(name)
    pre = Preprocess.fit(ds.x_train, "standardize") if ds.spec.kind == "points" else Preprocess()
    model = build_model("gan", ds.spec, GANConfig(**cfg), pre.to_dict())
    model.configure_optimizers(lr)
    return ds, model


def batch(ds, n=64, seed=0, labels=False):
    idx = torch.randint(0, len(ds.x_train), (n,), generator=torch.Generator().manual_seed(seed))
    return Batch(ds.x_train[idx], ds.y_train[idx] if labels else None)


def params(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def changed(before, module):
    after = module.state_dict()
    return {k for k in before if not torch.equal(before[k], after[k])}


@pytest.mark.parametrize("loss", ["non-saturating", "hinge", "wgan-gp"])
@pytest.mark.parametrize("name", ["moons", "digits"])
def test_every_loss_trains_both_players(loss, name):
    ds, model = make(name, loss=loss, d_steps=2)
    d0, g0 = params(model.discriminator), params(model.generator)
    out = model.training_step(batch(ds, 16), torch.Generator().manual_seed(0))
    assert {"loss", "d_loss", "g_loss", "d_real", "d_fake"} <= set(out)
    assert all(torch.isfinite(v) and v.dim() == 0 for v in out.values())
    assert changed(d0, model.discriminator) and changed(g0, model.generator)
    if loss == "non-saturating":  # reported as probabilities
        assert 0 <= float(out["d_real"]) <= 1 and 0 <= float(out["d_fake"]) <= 1
    if loss == "wgan-gp":
        assert float(out["penalty"]) > 0


def test_single_player_steps_touch_only_that_player():
    ds, model = make()
    gen = torch.Generator().manual_seed(0)
    d0, g0, e0 = params(model.discriminator), params(model.generator), params(model.g_ema)
    out = model.training_step(batch(ds), gen, phase="d")
    assert changed(d0, model.discriminator) and not changed(g0, model.generator) and not changed(e0, model.g_ema)
    assert {"loss", "d_loss", "g_loss", "d_real", "d_fake"} <= set(out)
    d0, g0 = params(model.discriminator), params(model.generator)
    model.training_step(batch(ds), gen, phase="g")
    assert changed(g0, model.generator) and changed(e0, model.g_ema) and not changed(d0, model.discriminator)
    with pytest.raises(ValueError):
        model.training_step(batch(ds), gen, phase="both players")


def test_spectral_norm_bounds_every_discriminator_layer():
    ds, model = make(spectral_norm=True)
    layers = [m for m in model.discriminator.modules() if isinstance(m, torch.nn.Linear)]
    assert layers and all(torch.nn.utils.parametrize.is_parametrized(m, "weight") for m in layers)
    gen = torch.Generator().manual_seed(0)
    for _ in range(10):
        model.training_step(batch(ds), gen)
    with torch.no_grad():  # each forward in training mode runs one more power iteration
        for _ in range(20):
            model.discriminator(ds.x_train[:8])
    for m in layers:
        sigma = torch.linalg.matrix_norm(m.weight.detach(), ord=2)
        assert float(sigma) == pytest.approx(1.0, abs=0.05)
    _, plain = make(spectral_norm=False)
    assert not any(torch.nn.utils.parametrize.is_parametrized(m, "weight")
                   for m in plain.discriminator.modules() if isinstance(m, torch.nn.Linear))


def test_ema_generator_lags_the_live_one_and_is_what_samples_use():
    ds, model = make(ema_decay=0.99)
    gen = torch.Generator().manual_seed(0)
    for _ in range(20):
        model.training_step(batch(ds), gen)
    live = dict(model.generator.named_parameters())
    ema = dict(model.g_ema.shadow.named_parameters())
    assert any(not torch.allclose(live[k], ema[k]) for k in live)
    z = torch.randn(5, model.cfg.latent_dim)
    with torch.no_grad():
        expected = model.to_data(model.g_ema.shadow(z))
    assert torch.allclose(model.decode(z), expected, atol=1e-6)
    assert model.latent_shape() == (model.cfg.latent_dim,)


def test_no_likelihood_and_no_encoder():
    ds, model = make()
    assert model.likelihood_kind is None
    with pytest.raises(CapabilityError):
        model.log_likelihood(ds.x_test[:3])
    with pytest.raises(CapabilityError):
        model.encode(ds.x_test[:3])


def test_lr_scales_survive_a_live_learning_rate_change():
    _, model = make(d_lr_scale=2.0, g_lr_scale=0.5)
    model.set_lr(1e-2)
    assert model.optimizers["d"].param_groups[0]["lr"] == pytest.approx(2e-2)
    assert model.optimizers["g"].param_groups[0]["lr"] == pytest.approx(5e-3)


def test_conditional_generator_follows_the_label():
    ds, model = make("digits", conditional=True, width=8)
    model.training_step(batch(ds, 16, labels=True), torch.Generator().manual_seed(0))
    z = torch.randn(1, model.cfg.latent_dim).repeat(2, 1)
    a, b = model.decode(z, labels=torch.tensor([1, 7]))
    assert not torch.allclose(a, b)


def mode_stats(s):
    d = np.linalg.norm(s[:, None, :] - EIGHT_GAUSSIAN_CENTRES[None], axis=2)
    near = d.min(1) < 3 * EIGHT_GAUSSIAN_STD
    share = np.bincount(d.argmin(1)[near], minlength=8) / len(s)
    return int((share >= 0.06).sum()), float(near.mean())


def test_it_learns_all_eight_modes():
    ds, model = make(hidden=64, lr=3e-3)  # the default's 0.3 scale makes this 9e-4, for a short test
    gen = torch.Generator().manual_seed(0)
    untrained = mode_stats(model.sample(2000, generator=torch.Generator().manual_seed(1)).numpy())
    for i in range(600):
        model.training_step(batch(ds, 128, seed=i), gen)
    modes, near = mode_stats(model.sample(2000, generator=torch.Generator().manual_seed(1)).numpy())
    assert untrained[1] < 0.5
    assert modes == 8 and near > 0.7, (modes, near)
