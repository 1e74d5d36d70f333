"""The score field the Inside view draws as arrows (``engine.latent.inside.score_field``): for Gaussian data
with the exact network it is the smoothed Gaussian's score, -(x - M) / (S^2 + noise^2), pointing to the mean;
for both objectives of the diffusion family, run as the explorer runs it."""

import numpy as np
import pytest
import torch

from engine.config import DataConfig
from engine.data import load_dataset
from engine.data.preprocess import Preprocess
from engine.latent import inside
from engine.latent.explorer import Context
from engine.models.diffusion_process import split_prediction
from engine.models.registry import build_model, config_class
from tests.engine.test_flow_matching import M, S, exact_velocity


@pytest.fixture(scope="module")
def spec():
    return load_dataset(DataConfig(name="moons", n_train=200, n_test=50)).spec


def _model(spec, **cfg):
    return build_model("diffusion", spec, config_class("diffusion")(**cfg), Preprocess().to_dict())


def _field(model, spec, noise, n=7):
    ctx = Context(model, torch.Generator().manual_seed(0), 3, "diffusion", spec)
    return inside.score_field((-3, 3, -2, 4), n, noise)(ctx)


@pytest.mark.parametrize("noise", [0.0, 0.3, 1.5])
def test_flow_matching_score_is_the_smoothed_gaussian_score(spec, noise, threads):
    model = _model(spec, objective="flow-matching")
    model.velocity = lambda labels=None, guidance=1.0, net=None, clip=None: exact_velocity
    field = _field(model, spec, noise)
    sigma = max(noise, 0.01)                 # no noise: the model's least smoothed level
    truth = -(field.points - M) / (S * S + sigma * sigma)
    assert field.points.shape == field.vectors.shape == (49, 2) and field.noise == noise
    np.testing.assert_allclose(field.vectors, truth, rtol=1e-5, atol=1e-5)
    assert "smoothed by noise" in field.label


def test_denoising_score_points_to_the_mean_at_the_nearest_step(spec):
    model = _model(spec, timesteps=1000)

    def predictor(labels=None, guidance=1.0, net=None):     # the exact eps of N(M, S^2) data
        def predict(x_t, t):
            ab = model.process.at(model.process.alpha_bar, t, x_t)
            eps = (1 - ab).sqrt() * (x_t - ab.sqrt() * M) / (ab * S * S + 1 - ab)
            return split_prediction(eps, x_t, ab, "eps")
        return predict
    model.predictor = predictor
    field = _field(model, spec, 0.5)
    toward = M - field.points
    cos = (field.vectors * toward).sum(1) / (np.linalg.norm(field.vectors, axis=1) * np.linalg.norm(toward, axis=1))
    assert (cos > 0.999).all()
    # the chain's nearest step has sigma_bar within half a step of 0.5: the length follows to ~1%
    np.testing.assert_allclose(np.linalg.norm(field.vectors, axis=1),
                               np.linalg.norm(toward, axis=1) / (S * S + 0.25), rtol=0.02)


def test_a_family_without_a_score_gets_a_clear_error(spec):
    model = build_model("gan", spec, config_class("gan")(), Preprocess().to_dict())
    ctx = Context(model, torch.Generator().manual_seed(0), 1, "gan", spec)
    with pytest.raises(Exception, match="has no score"):
        inside.score_field((-1, 1, -1, 1), 3, 0.1)(ctx)


def test_quality_against_steps_for_each_sampler_of_the_shown_model(spec):
    """Gaussian data and the exact velocity: every curve improves with steps, Heun counts two network
    evaluations a step, and with enough steps the samples are as close to held-out data as real data is."""
    model = _model(spec, objective="flow-matching")
    model.velocity = lambda labels=None, guidance=1.0, net=None, clip=None: exact_velocity
    reference = (M + S * torch.randn(1200, 2, generator=torch.Generator().manual_seed(5))).numpy()
    ctx = Context(model, torch.Generator().manual_seed(0), 3, "diffusion", spec)
    result = inside.steps_quality(reference, steps=(1, 4, 32), n=600)(ctx)
    assert set(result.curves) == {"Euler", "Heun", "ancestral"} and result.n == 600
    assert [c[1] for c in result.curves["Heun"]] == [2, 8, 64]
    assert [c[1] for c in result.curves["Euler"]] == [1, 4, 32]
    for name, curve in result.curves.items():
        first, last = curve[0][2], curve[-1][2]
        assert last < first / 5, (name, curve)
    # Heun at 32 steps is the exact flow up to 1e-4: only the sampling noise of the distance remains
    assert abs(result.curves["Heun"][-1][2]) < 0.02 and abs(result.floor) < 0.02
    chain = _model(spec)
    assert set(chain.step_samplers()) == {"DDPM ancestral", "DDIM", "Heun"}
    assert chain.sampler_evaluations({"sampler": "heun"}, 8) == 15
    assert chain.sampler_evaluations({"sampler": "ddim"}, 5000) == 1000      # at most T steps
