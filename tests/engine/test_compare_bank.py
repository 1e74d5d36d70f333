"""One noise bank across families: a fixed rule maps it into every latent shape, and the notes say
where cells compare one by one and where they cannot."""

from __future__ import annotations

import math

import numpy as np
import torch

from engine.runs.compare import BANK_SIZE, compare_runs, noise_bank, shared_bank
from engine.runs.load import load_run_model
from engine.render import display_scale, image_grid, upscale
from tests.engine.runs_helpers import tiny_config, train


def test_the_rule_is_a_prefix_of_one_bank():
    bank = shared_bank(5, 7)
    assert bank.shape == (5, BANK_SIZE)
    z8, z16 = noise_bank((8,), 5, 7), noise_bank((16,), 5, 7)
    assert torch.equal(z16[:, :8], z8)                       # the same numbers, wherever the shapes agree
    img = noise_bank((1, 8, 8), 5, 7)
    assert torch.equal(img.reshape(5, -1)[:, :16], z16)
    assert noise_bank((BANK_SIZE + 1,), 5, 7) is None        # larger than the bank: it cannot share
    # a prefix of independent normals is a standard normal draw: mean ~0, variance ~1 (n = 5 * 12288)
    assert abs(float(bank.mean())) < 5 / math.sqrt(bank.numel()) and abs(float(bank.var()) - 1) < 0.05


def test_families_with_different_latents_share_the_bank(tmp_path):
    runs = {}
    for family, latent in (("vae", 8), ("gan", 16), ("diffusion", None), ("ar", None)):
        cfg = tiny_config(family, data="digits", steps=3)
        if latent is not None:
            cfg.model.latent_dim = latent
        train(cfg, tmp_path / family)
        runs[family] = tmp_path / family
    cmp = compare_runs([runs[f] for f in ("vae", "gan", "diffusion", "ar")], n=4, seed=2)
    by = {r.family: r for r in cmp.runs}
    bank = shared_bank(4, 2)
    for family in ("vae", "gan", "diffusion"):
        _, model, _ = load_run_model(runs[family])
        shape = tuple(model.latent_shape())
        z = bank[:, :math.prod(shape)].reshape(4, *shape)
        expected = upscale(image_grid(model.decode(z)), display_scale(8))
        assert by[family].shared_noise and np.array_equal(by[family].samples, expected), family
    assert not by["ar"].shared_noise
    text = " | ".join(cmp.notes)
    assert "vae" in text and "gan" in text and "cells do not correspond" in text
    assert "ar (ar): no latent to share" in text


def test_a_vae_with_a_fitted_prior_is_compared_on_its_own_samples(tmp_path):
    """Decoding the standard-normal bank would show a mixture-prior VAE's pictures it never samples: it is
    sampled with the seeded generator instead, and the note says why cells do not correspond."""
    runs = []
    for name, prior in (("plain", "standard"), ("mixed", "mixture")):
        cfg = tiny_config("vae", data="digits", steps=3)
        cfg.model.latent_dim = 4
        cfg.model.prior = prior
        train(cfg, tmp_path / name)
        runs.append(tmp_path / name)
    cmp = compare_runs(runs, n=4, seed=2)
    plain, mixed = cmp.runs
    assert plain.shared_noise and not mixed.shared_noise
    _, model, _ = load_run_model(runs[1])
    expected = upscale(image_grid(model.sample(4, generator=torch.Generator().manual_seed(2))), display_scale(8))
    assert np.array_equal(mixed.samples, expected)
    assert "mixed (vae): no latent to share (one larger than the bank, or a prior other than the standard normal)" \
        in " | ".join(cmp.notes)
