"""The VAE learns: on moons its samples approach the data; its bound behaves like a bound."""

import numpy as np
import torch

from engine.metrics import energy_distance
from engine.models.base import Batch
from engine.training.loop import Trainer
from tests.helpers import small_config


def test_vae_learns_moons(tmp_path):
    cfg = small_config(steps=1500, log_every=100, sample_every=10_000)
    cfg.data.n_train = 5000
    cfg.train.batch_size = 128
    cfg.train.lr = 3e-3
    cfg.model.kl_warmup = 0.2
    trainer = Trainer(cfg, None)
    list(trainer.events())
    samples = trainer.model.sample(2000, generator=torch.Generator().manual_seed(0)).numpy()
    held_out = trainer.dataset.x_test.numpy()
    model_distance = energy_distance(samples, held_out)
    normal_distance = energy_distance(np.random.default_rng(0).normal(size=(2000, 2)), held_out)
    assert model_distance < 0.25 * normal_distance, (model_distance, normal_distance)


def test_importance_weighting_tightens_the_bound():
    trainer = Trainer(small_config(steps=300, sample_every=10_000), None)
    list(trainer.events())
    model, x = trainer.model, trainer.dataset.x_test[:300]
    g = torch.Generator().manual_seed(0)
    elbo = model.log_likelihood(x, generator=g, samples=1).mean()
    iwae = model.log_likelihood(x, generator=g, samples=256).mean()
    assert iwae > elbo


def test_beta_is_a_live_knob_and_kl_warmup_ramps_the_weight():
    trainer = Trainer(small_config(steps=1), None)
    model = trainer.model
    model.set_live("beta", 3.0)
    assert model.cfg.beta == 3.0 and model.init_args["config"]["beta"] == 3.0
    batch = Batch(trainer.dataset.x_train[:64])
    losses = model.training_step(batch, torch.Generator().manual_seed(0))
    # first step of the warm-up: the loss carries almost none of the KL term
    assert abs(float(losses["loss"]) - float(losses["recon"])) < 0.01 * float(losses["kl"]) * 3.0 + 1e-6


def test_digits_decoder_mean_is_a_grey_image_in_range():
    trainer = Trainer(small_config(data="digits", steps=20), None)
    list(trainer.events())
    x = trainer.model.sample(8, generator=torch.Generator().manual_seed(0))
    assert x.shape == (8, 1, 8, 8) and 0 <= float(x.min()) and float(x.max()) <= 1
    z = torch.zeros(2, 2)
    assert trainer.model.decode(z).shape == (2, 1, 8, 8)
