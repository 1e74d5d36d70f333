"""The VAE's fitted prior: EM recovers a known mixture, its density is the mixture's, its draws follow it,
the ring buffer keeps the latest codes, and a VAE that uses it samples and bounds with it, reproducibly
from its saved state."""

import math

import torch

from engine.device_audit import DeviceAudit, optimizer_host_tensors
from engine.models.base import Batch
from engine.models.code_mixture import CodeMixture, FittedMixture, fit_mixture
from engine.models.registry import model_from_init_args
from engine.training.loop import Trainer
from tests.helpers import small_config

MEANS = torch.tensor([[-3.0, 0.0, 1.0], [2.0, 1.0, -1.0]], dtype=torch.float64)
SCALES = torch.tensor([[[1.0, 0, 0], [0.5, 0.5, 0], [0, 0.2, 0.3]],
                       [[0.4, 0, 0], [0, 1.0, 0], [0.3, 0, 0.6]]], dtype=torch.float64)
WEIGHTS = torch.tensor([0.3, 0.7], dtype=torch.float64)


def _draw_known(n: int, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    k = torch.multinomial(WEIGHTS, n, replacement=True, generator=g)
    eps = torch.randn(n, 3, generator=g, dtype=torch.float64)
    return MEANS[k] + torch.einsum("nij,nj->ni", SCALES[k], eps)


def test_em_recovers_a_known_mixture(threads):
    n = 8000
    fit = fit_mixture(_draw_known(n, 0), components=2, iterations=60)
    fit = FittedMixture(*(t.double() for t in (fit.log_w, fit.means, fit.chol)))
    order = fit.means[:, 0].argsort()
    # the components are far apart (over 5 sd), so each estimate is within a few standard errors:
    # a mean's error is about sd / sqrt(n k), at most 1 / sqrt(2400) = 0.02 here; allow 0.1
    assert torch.allclose(fit.means[order], MEANS, atol=0.1), fit.means[order]
    assert torch.allclose(fit.log_w[order].exp(), WEIGHTS, atol=0.03)     # sd sqrt(0.21 / 8000) = 0.005
    cov = fit.chol @ fit.chol.transpose(1, 2)
    assert torch.allclose(cov[order], SCALES @ SCALES.transpose(1, 2), atol=0.1)


def test_log_prob_is_the_mixtures_density_and_draws_follow_it(threads):
    fit = FittedMixture(WEIGHTS.log().float(), MEANS.float(), SCALES.float())
    z = _draw_known(500, 1).float()
    components = torch.distributions.MultivariateNormal(MEANS, scale_tril=SCALES)
    expected = torch.distributions.MixtureSameFamily(torch.distributions.Categorical(WEIGHTS), components)
    # float32 against float64: agreement to float32 rounding of values of order 10
    assert torch.allclose(fit.log_prob(z), expected.log_prob(z.double()).float(), rtol=0, atol=1e-4)
    draws = fit.sample(40000, torch.Generator().manual_seed(2), "cpu").double()
    true_mean = (WEIGHTS[:, None] * MEANS).sum(0)
    # the mixture's sd per coordinate is below 2.6: the mean of 40000 draws is within 5 se = 0.065
    assert torch.allclose(draws.mean(0), true_mean, atol=0.07), draws.mean(0)
    share_left = float((draws[:, 0] < -0.5).double().mean())   # the components split near x0 = -0.5
    assert abs(share_left - 0.3) < 0.015


def test_the_ring_keeps_the_latest_codes_and_refits_only_when_they_change():
    ring = CodeMixture(dim=2)
    cap = ring.codes.shape[0]
    assert ring.fitted() is None                     # nothing seen: the standard normal is the prior
    g = torch.Generator().manual_seed(0)
    first = torch.randn(cap, 2, generator=g)
    ring.record(first, first.abs())
    second = torch.randn(100, 2, generator=g) + 10
    ring.record(second, torch.full_like(second, 0.5))
    assert int(ring.seen) == cap + 100
    assert torch.equal(ring.codes[:100], second) and torch.equal(ring.codes[100:], first[100:])
    assert torch.equal(ring.code_vars[:100], torch.full_like(second, 0.5))
    assert torch.equal(ring.code_vars[100:], first[100:].abs())
    fit = ring.fitted()
    assert fit is not None and ring.fitted() is fit                   # unchanged codes: no refit
    copy = CodeMixture(dim=2)
    copy.load_state_dict(ring.state_dict())
    again = copy.fitted()
    assert torch.equal(again.means, fit.means) and torch.equal(again.chol, fit.chol)
    ring.record(torch.randn(10, 2, generator=g), torch.ones(10, 2))
    assert ring.fitted() is not fit
    old = {k: v for k, v in ring.state_dict().items() if k != "code_vars"}   # a checkpoint from before
    copy.load_state_dict(old)
    assert torch.equal(copy.code_vars, torch.zeros_like(ring.code_vars))


def test_too_few_codes_keep_the_standard_prior():
    ring = CodeMixture(dim=20)
    ring.record(torch.randn(50, 20), torch.ones(50, 20))
    assert ring.fitted() is None


def test_each_component_is_widened_by_the_posterior_variance_of_the_codes_it_holds(threads):
    """One component: EM's covariance is the codes' (biased) covariance plus the ridge, so with ``noise``
    it must be exactly that plus the mean posterior variance on the diagonal. An unused latent dimension
    (means near 0, posterior variance near 1) then gets a variance near 1, where its draws z ~ q(z | x)
    fall, instead of the means' tiny spread."""
    g = torch.Generator().manual_seed(0)
    means = torch.randn(4000, 3, generator=g, dtype=torch.float64) * torch.tensor([1.0, 0.5, 0.02], dtype=torch.float64)
    noise = torch.rand(4000, 3, generator=g, dtype=torch.float64) * torch.tensor([0.02, 0.02, 2.0], dtype=torch.float64)
    plain = fit_mixture(means, components=1)
    widened = fit_mixture(means, components=1, noise=noise)
    cov = lambda f: (f.chol @ f.chol.transpose(1, 2))[0].double()
    # float32 EM on values of order 1: the two covariances agree to float32 rounding, about 1e-6
    assert torch.allclose(cov(widened) - cov(plain), torch.diag(noise.mean(0)), atol=1e-5)
    assert 0.9 < float(cov(widened)[2, 2]) < 1.1 and float(cov(plain)[2, 2]) < 1e-3


def _image_vae(prior: str, steps: int = 60):
    cfg = small_config(data="digits", steps=steps, sample_every=10_000)
    cfg.model.image_net = "mlp"
    cfg.model.hidden = 64
    cfg.model.depth = 1
    cfg.model.latent_dim = 4
    cfg.model.prior = prior
    trainer = Trainer(cfg, None)
    list(trainer.events())
    return trainer


def test_a_mixture_prior_vae_samples_from_its_codes_reproducibly_after_a_reload():
    trainer = _image_vae("mixture")
    model = trainer.model
    assert model.code_mixture.fitted() is not None
    x = model.sample(16, generator=torch.Generator().manual_seed(3))
    assert x.shape == (16, 1, 8, 8) and 0 <= float(x.min()) and float(x.max()) <= 1
    clone = model_from_init_args("vae", model.init_args)
    clone.load_state_dict(model.state_dict())
    assert torch.equal(clone.sample(16, generator=torch.Generator().manual_seed(3)), x)


def test_the_bound_of_a_mixture_prior_vae_uses_that_prior(threads):
    """With one importance sample the bound is log p(x|z) + log p(z) - log q(z|x) at one z: two models with
    the same weights and priors standard and mixture differ by exactly log p_mix(z) - log N(z; 0, I)."""
    trainer = _image_vae("mixture")
    mixed = trainer.model
    init = {**mixed.init_args, "config": {**mixed.init_args["config"], "prior": "standard"}}
    plain = model_from_init_args("vae", init)
    plain.load_state_dict({k: v for k, v in mixed.state_dict().items() if not k.startswith("code_mixture.")})
    x = trainer.dataset.x_test[:32]
    ll_mixed = mixed.log_likelihood(x, generator=torch.Generator().manual_seed(4), samples=1)
    ll_plain = plain.log_likelihood(x, generator=torch.Generator().manual_seed(4), samples=1)
    with torch.no_grad():
        mu, logvar = mixed.posterior(mixed.to_model(x))
        eps = torch.randn(mu.shape, generator=torch.Generator().manual_seed(4))
        z = mu + (0.5 * logvar).exp() * eps
    log_normal = (-0.5 * (math.log(2 * math.pi) + z ** 2)).sum(1)
    expected = mixed.code_mixture.fitted().log_prob(z) - log_normal
    # float32 sums of a few hundred terms of order 10: rounding well under 1e-2 nats
    assert torch.allclose(ll_mixed - ll_plain, expected, atol=1e-2), (ll_mixed - ll_plain - expected).abs().max()


def test_training_records_the_posterior_means():
    trainer = _image_vae("mixture", steps=5)
    model = trainer.model
    assert int(model.code_mixture.seen) == 5 * trainer.config.train.batch_size
    batch = Batch(trainer.dataset.x_train[:8])
    before = int(model.code_mixture.seen)
    model.training_step(batch, torch.Generator().manual_seed(0))
    assert int(model.code_mixture.seen) == before + 8


def test_training_steps_with_the_mixture_prior_make_no_host_sync_and_no_float64():
    """The ring is written on the device; only the fit, at sampling time, reads the codes to the host."""
    trainer = _image_vae("mixture", steps=2)
    model = trainer.model
    batch = Batch(trainer.dataset.x_train[:16])
    gen = torch.Generator().manual_seed(0)
    with DeviceAudit(optimizer_host_tensors(model.optimizers.values())) as step:
        model.training_step(batch, gen)
    assert not step.syncs and not step.float64, step.summary()
    with DeviceAudit() as sampling:
        x = model.sample(4, generator=gen)
    assert x.dtype == torch.float32 and not sampling.float64, sampling.summary("float64")
    assert {o.where for o in sampling.syncs} <= {o.where for o in sampling.syncs if "code_mixture.py" in o.where}, \
        sampling.summary("sync")


def test_a_checkpoint_from_before_the_posterior_variances_still_opens(tmp_path):
    """Runs saved before ``code_vars`` existed are not "damaged": the checkpoint check lets the buffer be
    missing (``optional_state``) and the model loads it as zeros, the means-only mixture it drew from."""
    from engine.runs.checkpoint import latest_checkpoint, save_checkpoint
    trainer = _image_vae("mixture", steps=40)
    model = trainer.model
    before = model.sample(8, generator=torch.Generator().manual_seed(3))
    del model.code_mixture._buffers["code_vars"]          # the module as it was before the variances
    save_checkpoint(tmp_path, 40, model, {})
    data = latest_checkpoint(tmp_path)
    assert data is not None and "code_mixture.code_vars" not in data.model_state
    clone = model_from_init_args("vae", data.init_args)
    clone.load_state_dict(data.model_state)
    assert torch.equal(clone.code_mixture.code_vars, torch.zeros_like(clone.code_mixture.code_vars))
    assert torch.equal(clone.code_mixture.codes, model.code_mixture.codes)
    assert clone.sample(8, generator=torch.Generator().manual_seed(3)).shape == before.shape
