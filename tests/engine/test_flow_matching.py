"""Flow matching as an objective of the diffusion family: the straight path's solvers against the exact
flow of Gaussian data, the ODE likelihood, the model's training/sampling/inversion, honest likelihood
reports, and the run life cycle (CLI train, sample, eval, resume)."""

import json
import math

import pytest
import torch

from engine.errors import ConfigError
from engine.evaluate import evaluate_nll
from engine.models import diffusion_rectified as rf
from engine.training.loop import Controls
from tests.engine.runs_helpers import steps_of, tiny_config, train as train_run
from tests.engine.test_cli import genlab, genlab_here
from tests.engine.test_diffusion import data, make, train

M, S = 1.5, 0.4        # Gaussian data N(M, S^2) in every dimension


def exact_velocity(x, t):
    """E[x1 - x0 | x_t] on the straight path when x0 ~ N(M, S^2 I): x_t has mean a M and variance
    a^2 S^2 + t^2 (a = 1 - t), and both conditional means are linear in x_t."""
    t = t if isinstance(t, torch.Tensor) else torch.full((x.shape[0],), float(t), dtype=x.dtype)
    t = t.to(x.dtype).view(-1, *([1] * (x.dim() - 1)))
    a = 1 - t
    var = a * a * S * S + t * t
    r = x - a * M
    return t / var * r - (M + a * S * S / var * r)


def test_the_exact_flow_of_gaussian_data_is_reached_by_both_solvers_heun_at_second_order(threads):
    """The ODE maps noise x1 to the data point M + S x1. Euler's error falls like 1/steps, Heun's like
    1/steps^2, and Heun's is the smaller at equal steps."""
    x1 = torch.randn(256, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    truth = M + S * x1
    err = {}
    for sampler in ("euler", "heun"):
        for steps in (8, 16, 32):
            out = rf.integrate(exact_velocity, x1.clone(), steps, sampler, 0.0, None)
            err[sampler, steps] = float((out - truth).abs().max())
    assert err["heun", 8] < err["euler", 8] / 5
    assert 1.6 < err["euler", 16] / err["euler", 32] < 2.4           # first order
    assert 3.2 < err["heun", 16] / err["heun", 32] < 4.8             # second order
    assert err["heun", 32] < 1e-3


def test_the_path_step_is_euler_without_noise_and_ancestral_sampling_keeps_the_marginals(threads):
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(64, 2, generator=gen, dtype=torch.float64)
    assert torch.allclose(rf.path_step(exact_velocity, x, 0.75, 0.5, 0.0, None),
                          rf.euler_step(exact_velocity, x, 0.75, 0.5), atol=1e-12)
    # eta = 1 draws x_s from the path's posterior q(x_s | x_t, x0): with the velocity of a known x0,
    # (x - x0) / t, a point x_t ~ q(x_t | x0) = N((1 - t) x0, t^2) lands on q(x_s | x0) = N((1 - s) x0, s^2)
    n, t, s_ = 40000, 0.8, 0.3
    x_t = (1 - t) * M + t * torch.randn(n, 1, generator=gen, dtype=torch.float64)
    out = rf.path_step(lambda y, tt: (y - M) / tt, x_t, t, s_, 1.0,
                       torch.randn(n, 1, generator=gen, dtype=torch.float64))
    se_mean, se_std = s_ / math.sqrt(n), s_ / math.sqrt(2 * n)
    assert abs(float(out.mean()) - (1 - s_) * M) < 5 * se_mean
    assert abs(float(out.std()) - s_) < 5 * se_std
    half = rf.path_step(lambda y, tt: (y - M) / tt, x_t, t, s_, 0.5,
                        torch.randn(n, 1, generator=gen, dtype=torch.float64))
    assert abs(float(half.std()) - s_) < 5 * se_std        # any eta keeps the marginal given x0


def test_ode_likelihood_is_exact_for_gaussian_data_with_the_true_velocity(threads):
    x = (M + S * torch.randn(64, 2, generator=torch.Generator().manual_seed(2)))
    ll = rf.ode_log_likelihood(lambda y, t: exact_velocity(y, t), x, steps=48)
    truth = (-0.5 * ((x.double() - M) / S).pow(2).sum(1) - 2 * math.log(S) - math.log(2 * math.pi))
    assert ll.dtype == torch.float32
    # RK4's error at 48 steps in sqrt(t) is far below this; float32 sums over the steps are ~1e-5
    assert torch.allclose(ll.double(), truth, atol=2e-3), float((ll.double() - truth).abs().max())
    # and an invertible run: Euler inversion then Euler sampling returns the points
    back = rf.integrate(exact_velocity, rf.invert(exact_velocity, x.double(), 200), 200, "euler", 0.0, None)
    assert torch.allclose(back, x.double(), atol=2e-2)


def test_the_model_trains_by_flow_matching_and_samples_with_every_solver():
    ds, model = make(objective="flow-matching")
    gen = torch.Generator().manual_seed(0)
    from engine.models.base import Batch
    losses = model.training_step(Batch(ds.x_train[:128]), gen)
    parts = losses["loss_low_noise"] + losses["loss_mid_noise"] + losses["loss_high_noise"]
    assert torch.allclose(parts, losses["loss"], rtol=1e-5)
    a = model.sample(16, generator=torch.Generator().manual_seed(3), sampler="euler", steps=6)
    b = model.sample(16, generator=torch.Generator().manual_seed(3), sampler="ddim", eta=0.0, steps=6)
    z = torch.randn(16, 2, generator=torch.Generator().manual_seed(3))
    assert torch.equal(a, b)                                        # DDIM without noise is the Euler step
    assert torch.allclose(a, model.decode(z, steps=6), atol=1e-5)
    h = model.sample(16, generator=torch.Generator().manual_seed(3), sampler="heun", steps=6)
    assert h.shape == (16, 2) and torch.isfinite(h).all() and not torch.allclose(h, a)
    s1 = model.sample(16, generator=torch.Generator().manual_seed(1), sampler="ddpm", steps=6)
    s2 = model.sample(16, generator=torch.Generator().manual_seed(1), sampler="ddpm", steps=6)
    assert torch.equal(s1, s2)
    traj = model.trajectory(2, generator=torch.Generator().manual_seed(0), steps=4)
    assert traj.labels == ["t = 1", "t = 0.75", "t = 0.5", "t = 0.25", "t = 0"]
    assert model.likelihood_kind == "ode" and "flow-matching ODE" in model.density_label({})
    with pytest.raises(ValueError, match="sampler"):
        model.sample(2, sampler="rk45")


def test_the_denoising_objective_gains_euler_and_heun():
    """On the DDPM chain, euler is DDIM without noise, and heun is Karras's second-order step."""
    ds, model = make()
    train(model, ds, 3)
    a = model.sample(8, generator=torch.Generator().manual_seed(3), sampler="euler", steps=5)
    b = model.sample(8, generator=torch.Generator().manual_seed(3), sampler="ddim", eta=0.0, steps=5)
    h = model.sample(8, generator=torch.Generator().manual_seed(3), sampler="heun", steps=5)
    assert torch.equal(a, b) and torch.isfinite(h).all() and not torch.allclose(h, a)


def test_flow_matching_reports_no_bound_and_no_image_likelihood():
    with pytest.raises(ConfigError, match="no variational bound"):
        make(objective="flow-matching", likelihood="bound")
    ds, model = make("digits", objective="flow-matching", width=8)
    assert not model.has("log_likelihood") and model.likelihood_kind is None
    assert evaluate_nll(model, ds.x_test[:10], None)["test_nll_nats"] is None
    x = model.sample(4, generator=torch.Generator().manual_seed(0), sampler="heun", steps=3)
    assert x.shape == (4, 1, 8, 8) and x.min() >= 0 and x.max() <= 1
    # the score of the smoothed density, read off the velocity, exists for images too
    assert torch.isfinite(model.score(ds.x_test[:2], noise=0.1)).all()


def test_it_learns_a_toy_by_flow_matching_and_inverts_it():
    ds, model = make("8gaussians", objective="flow-matching", hidden=64, depth=2)
    x = ds.x_test[:300]
    before = float(-model.log_likelihood(x, ode_steps=12).mean())
    train(model, ds, 500)
    after = float(-model.log_likelihood(x, ode_steps=12).mean())
    assert after < before - 0.5 and after < 3.7, (before, after)  # a normal fitted to 8gaussians: about 4.1
    back = model.decode(model.encode(x[:100], steps=50), steps=50)
    assert float((back - x[:100]).norm(dim=1).median()) < 0.05 * float(x.std())


def test_cli_trains_samples_and_evaluates_a_flow_matching_run(tmp_path, capsys):
    run = tmp_path / "fm"
    out = genlab("train", "--data", "moons", "--model", "diffusion", "--steps", "40", "--out", run,
                 "--set", "model.objective=flow-matching", "--set", "model.sampler=heun",
                 "--set", "model.sample_steps=4", "--set", "model.hidden=32", "--quiet")
    assert out.returncode == 0, out.stderr
    assert json.loads((run / "config.json").read_text())["model"]["objective"] == "flow-matching"
    res = genlab_here(capsys, "sample", "--run", run, "-n", "50", "-o", tmp_path / "s.npy")
    assert res.returncode == 0, res.stderr
    res = genlab_here(capsys, "eval", "--run", run, "--json", "--limit", "50")
    assert json.loads(res.stdout)["nll_kind"] == "ode"
    bad = genlab("train", "--data", "moons", "--model", "diffusion", "--steps", "2", "--out", tmp_path / "bad",
                 "--set", "model.objective=flow-matching", "--set", "model.likelihood=bound")
    assert bad.returncode != 0 and "no variational bound" in bad.stderr and "Traceback" not in bad.stderr


def test_a_flow_matching_run_resumes_with_the_losses_of_an_uninterrupted_one(tmp_path):
    def cfg():
        c = tiny_config("diffusion", steps=16, log_every=1, sample_every=5, sample_budget=1.0, n_display=4)
        c.model.objective, c.model.likelihood, c.model.ode_steps = "flow-matching", "ode", 4
        return c
    _, full = train_run(cfg(), tmp_path / "full")
    train_run(cfg(), tmp_path / "half", stop_at=8)
    _, rest = train_run(cfg(), tmp_path / "half", resume=True, controls=Controls(interactive=True))
    assert [e.losses for e in steps_of(rest)] == [e.losses for e in steps_of(full)[8:]]


def test_the_comparison_counts_the_network_evaluations_each_sampler_makes():
    """The Compare dock's "steps to sample" counts forward passes of the EMA network: the model's own
    ``sampler_evaluations`` for every sampler and objective."""
    from engine.learn.comparison import count_sampling_passes
    for objective in ("flow-matching", "denoising"):
        _, model = make(objective=objective, hidden=16, depth=1)
        for sampler in ("euler", "heun", "ddpm", "ddim"):
            options = {"sampler": sampler, "steps": 6}
            passes, x = count_sampling_passes(model, 3, **options)
            assert passes == model.sampler_evaluations(options, 6) and x.shape == (3, 2), (objective, sampler)
    assert model.sampler_evaluations({"sampler": "heun"}, 6) == 11


def test_the_classifier_page_knows_before_building_that_flow_matching_images_have_no_likelihood():
    from engine.learn.classify import problem_for
    spec = data("digits").spec.to_dict()
    assert problem_for("diffusion", {"spec": spec, "config": {"conditional": True}}) is None
    fm = {"spec": spec, "config": {"conditional": True, "objective": "flow-matching"}}
    assert problem_for("diffusion", fm) == "no_likelihood"
    _, model = make("digits", objective="flow-matching", conditional=True, width=8)
    assert not model.has("log_likelihood")          # the same answer as the built model's
