"""Sampling by MCMC: Metropolis-Hastings and (adjusted, annealed) Langevin reach known targets, the
classical families' scores are their densities' gradients, and ``genlab sample --mcmc`` reports the
acceptance rate, the step size and the energy distance beside the family's own sampler."""

import json
import math

import numpy as np
import pytest
import torch

from engine.config import DataConfig
from engine.data import load_dataset
from engine.data.preprocess import Preprocess
from engine.errors import GenLabError
from engine.models.base import Batch
from engine.models.registry import build_model, config_class
from engine.sampling.mcmc import langevin, metropolis_hastings, sample_model, sample_quality

MEAN = torch.tensor([1.0, -2.0], dtype=torch.float64)
COV = torch.tensor([[2.0, 0.8], [0.8, 1.0]], dtype=torch.float64)
PREC = torch.linalg.inv(COV)


def gaussian_log_prob(x):
    d = x - MEAN
    return -0.5 * ((d @ PREC) * d).sum(-1)


def gaussian_score(x, sigma=0.0):
    prec = torch.linalg.inv(COV + sigma ** 2 * torch.eye(2, dtype=torch.float64))
    return (MEAN - x) @ prec


def _moments_match(x, chains=4000, cov_want=None):
    """Mean and covariance within five Monte Carlo standard errors of the target's (chains independent)."""
    COV_ = COV if cov_want is None else cov_want
    x = torch.as_tensor(x, dtype=torch.float64)
    se_mean = torch.sqrt(torch.diagonal(COV) / chains)
    assert torch.all((x.mean(0) - MEAN).abs() < 5 * se_mean), (x.mean(0), MEAN)
    cov = torch.cov(x.T)
    se_cov = torch.sqrt((COV_ ** 2 + torch.outer(torch.diagonal(COV_), torch.diagonal(COV_))) / chains)
    assert torch.all((cov - COV_).abs() < 5 * se_cov), (cov, COV_)


def test_metropolis_hastings_reaches_a_gaussian_and_adapts_its_step(threads):
    gen = torch.Generator().manual_seed(0)
    x0 = 5 * torch.randn(4000, 2, generator=gen, dtype=torch.float64)
    ch = metropolis_hastings(gaussian_log_prob, x0, steps=400, step_size=0.1, generator=gen)
    _moments_match(ch.samples)
    assert 0.22 < ch.acceptance < 0.38 and ch.step_size > 0.5       # adapted up from a timid 0.1
    assert ch.path.shape[1:] == (32, 2) and ch.path.shape[0] > 30


def test_adjusted_langevin_is_exact_and_the_unadjusted_one_close(threads):
    gen = torch.Generator().manual_seed(1)
    x0 = 5 * torch.randn(4000, 2, generator=gen, dtype=torch.float64)
    mala = langevin(gaussian_score, x0, steps=300, step_size=0.5, generator=gen, log_prob=gaussian_log_prob)
    _moments_match(mala.samples)
    assert 0.3 < mala.acceptance < 1.0
    e = 0.2
    ula = langevin(gaussian_score, x0, steps=600, step_size=e, generator=gen)
    assert ula.acceptance is None
    # unadjusted, it samples a Gaussian of covariance C = A C A + e I, A = I - (e/2) Sigma^-1, not Sigma:
    # its O(e) bias, which the Metropolis correction above removes
    A = torch.eye(2, dtype=torch.float64) - 0.5 * e * PREC
    biased = torch.eye(2, dtype=torch.float64)
    for _ in range(5000):
        biased = A @ biased @ A + e * torch.eye(2, dtype=torch.float64)
    assert float((biased - COV).abs().max()) > 0.04      # ten standard errors of a covariance entry
    _moments_match(ula.samples, cov_want=biased)


def _eight(n_train=4000):
    return load_dataset(DataConfig(name="8gaussians", n_train=n_train, n_test=3000))


def _fit(family, ds, steps=1, **cfg):
    pre = Preprocess.fit(ds.x_train, "standardize")
    model = build_model(family, ds.spec, config_class(family)(**cfg), pre.to_dict())
    model.configure_optimizers(1e-3)
    gen = torch.Generator().manual_seed(0)
    for _ in range(steps):
        model.training_step(Batch(ds.x_train, None), gen)
    return model


@pytest.mark.parametrize("family", ["gaussian", "gmm", "kde"])
def test_classical_scores_are_the_gradients_of_their_densities(family):
    ds = _eight(1500)
    model = _fit(family, ds, steps=20 if family == "gmm" else 1)
    x = ds.x_test[:20].double()
    s = model.score(x.float()).double()
    eps = 1e-4
    for d in range(2):
        dx = torch.zeros_like(x)
        dx[:, d] = eps
        fd = (model.log_likelihood((x + dx).float()).double() - model.log_likelihood((x - dx).float()).double()) / (2 * eps)
        # float32 inputs and outputs: the finite difference carries ~2e-7 / 2e-4 = 1e-3 of rounding
        torch.testing.assert_close(s[:, d], fd, rtol=2e-2, atol=2e-2)


def test_a_smoothed_gaussian_score_is_the_gaussian_with_the_noise_added():
    ds = _eight(1500)
    model = _fit("gaussian", ds)
    x = ds.x_test[:10].float()
    mean = ds.x_train.double().mean(0)
    cov = torch.cov(ds.x_train.double().T, correction=0)
    for sigma in (0.0, 1.5):
        want = (mean - x.double()) @ torch.linalg.inv(cov + sigma ** 2 * torch.eye(2, dtype=torch.float64))
        torch.testing.assert_close(model.score(x, noise=sigma).double(), want, rtol=1e-4, atol=1e-4)


def test_annealed_langevin_finds_every_mode_of_the_mixture():
    ds = _eight()
    model = _fit("gmm", ds, steps=60)
    gen = torch.Generator().manual_seed(2)
    ch = sample_model(model, "annealed", 2000, 300, 0.02, gen)
    from engine.data.toys import EIGHT_GAUSSIAN_CENTRES
    owner = torch.cdist(torch.from_numpy(ch.samples), torch.tensor(EIGHT_GAUSSIAN_CENTRES)).argmin(1)
    share = torch.bincount(owner, minlength=8).double() / len(owner)
    assert torch.all((share - 1 / 8).abs() < 0.04), share      # binomial sd 0.0074: 5 sd
    q = sample_quality(model, ch, ds.x_test.numpy(), gen)
    assert q["mcmc_energy"] < q["own_energy"] + 0.02, q


def test_sample_model_refuses_what_it_cannot_do():
    digits = load_dataset(DataConfig(name="digits"))
    model = build_model("gmm", digits.spec, config_class("gmm")())
    with pytest.raises(GenLabError, match="2-D points"):
        sample_model(model, "mh", 10, 5, 0.1, torch.Generator())
    ds = _eight(500)
    with pytest.raises(GenLabError, match="unknown MCMC method"):
        sample_model(_fit("kde", ds), "gibbs", 10, 5, 0.1, torch.Generator())


def test_the_sample_command_by_mcmc(tmp_path, capsys):
    from engine.cli.main import main
    run = tmp_path / "gmm"
    assert main(["train", "--model", "gmm", "--data", "8gaussians", "--out", str(run), "--steps", "30",
                 "--set", "data.n_train=3000", "--set", "data.n_test=2000", "--set", "train.threads=1"]) == 0
    capsys.readouterr()
    out = tmp_path / "chains.npy"
    assert main(["sample", "--run", str(run), "--mcmc", "mh", "-n", "500", "--mcmc-steps", "200",
                 "-o", str(out), "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["method"] == "mh" and 0.2 < result["acceptance"] < 0.4 and result["step_size"] > 0
    assert math.isfinite(result["energy_mcmc"]) and math.isfinite(result["energy_own_sampler"])
    assert np.load(out).shape == (500, 2)
    assert main(["sample", "--run", str(run), "--mcmc", "mh", "--mcmc-steps", "0", "-o", str(out)]) == 2
    assert "--mcmc-steps" in capsys.readouterr().err


def test_annealed_langevin_on_a_diffusion_model_s_learned_score(tmp_path):
    """The diffusion family's score is its noise prediction, -eps_hat / sigma_bar at the level asked for:
    chains started from a broad Gaussian end far nearer the data than they started."""
    from tests.engine.runs_helpers import tiny_config, train
    cfg = tiny_config("diffusion", data="8gaussians", steps=600, batch_size=256, lr=3e-3)
    trainer, _ = train(cfg, None)
    model = trainer.model.eval()
    assert model.has("score")
    ref = trainer.dataset.x_test.numpy()
    gen = torch.Generator().manual_seed(0)
    start = model.to_data(torch.randn(600, 2, generator=gen)).double()
    chains = sample_model(model, "annealed", 600, 200, (0.02 * float(ref.std(0).mean())) ** 2, gen, start=start)
    from engine.metrics import energy_distance
    before, after = energy_distance(start.numpy(), ref), energy_distance(chains.samples, ref)
    assert np.isfinite(chains.samples).all() and after < 0.5 * before, (before, after)
