"""A sixth family, defined in ``tests/sixth_family.py`` and added with ``register_family``, works through
every command of ``genlab`` (called in this process, where the registration lives) and every engine
part that used to list the families by name: config validation, the Learn numbers and page, the
comparison, the classifier, the latent jobs, export. No other module was changed for it."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from engine.data.spec import DataSpec
from tests import sixth_family

FAMILY = sixth_family.FAMILY
MOONS = DataSpec(kind="points", shape=(2,), value_range=(-2.0, 3.0), name="moons")


@pytest.fixture(scope="module")
def registered():
    sixth_family.register()
    yield FAMILY
    sixth_family.unregister()


def genlab_here(capsys, *args):
    from engine.cli.main import main
    capsys.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr()
    return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)


def _model(spec=MOONS, **cfg):
    from engine.models.registry import build_model, config_class
    torch.manual_seed(0)
    return build_model(FAMILY, spec, config_class(FAMILY)(**cfg))


# ---- the registry ---------------------------------------------------------------------------------------
def test_the_registry_lists_a_registered_family_and_refuses_bad_ones(registered):
    from engine.config import RunConfig
    from engine.errors import ConfigError
    from engine.models.registry import (FAMILY_MODULES, available_families, families, model_class,
                                        register_family, unregister_family)
    assert families()[:len(FAMILY_MODULES)] == list(FAMILY_MODULES) and families()[-1] == FAMILY
    assert FAMILY in available_families() and model_class(FAMILY) is sixth_family.Mixture
    assert model_class(FAMILY).live_knobs == ("temperature",)          # from knob(live=True) alone
    with pytest.raises(ValueError, match="already registered"):
        register_family(FAMILY, "tests.sixth_family", "Mixture", "MixtureConfig")
    with pytest.raises(ValueError, match="lower-case"):
        register_family("Bad Name", "tests.sixth_family", "Mixture", "MixtureConfig")
    with pytest.raises(ValueError, match="cannot be removed"):
        unregister_family("vae")
    assert RunConfig(family=FAMILY).model == sixth_family.MixtureConfig()
    with pytest.raises(ConfigError, match=FAMILY):       # the message lists the registered family too
        RunConfig.from_dict({"family": "nope"})


def test_a_family_class_that_declares_live_knobs_by_hand_is_refused():
    from engine.models.base import GenerativeModel
    with pytest.raises(TypeError, match="knob\\(live=True\\)"):
        type("Hand", (GenerativeModel,), {"live_knobs": ("x",)})
    with pytest.raises(TypeError, match="frames"):
        type("Warp", (GenerativeModel,), {"inside_view": sixth_family.InsideView(frames="layer_warp")})


# ---- the model is what it says --------------------------------------------------------------------------
def test_its_log_likelihood_is_the_mixture_density_and_integrates_to_one(registered):
    model = _model(components=3)
    x = torch.randn(64, 2, generator=torch.Generator().manual_seed(1)) * 2
    W, b = model.decoder.weight.double(), model.decoder.bias.double()
    cov = torch.exp(2 * model.log_sigma.double()) * torch.eye(2, dtype=torch.float64) + W @ W.T
    reference = torch.distributions.MixtureSameFamily(
        torch.distributions.Categorical(logits=model.logits[0].double()),
        torch.distributions.MultivariateNormal(model.means.double() @ W.T + b, covariance_matrix=cov.expand(3, 2, 2)))
    with torch.no_grad():
        expected = reference.log_prob(x.double())
    # float64 arithmetic inside the family, returned as float32 (the dtype policy of engine.devices: values of
    # a few nats to within float32's rounding)
    ll = model.log_likelihood(x)
    assert ll.dtype == torch.float32
    torch.testing.assert_close(ll.double(), expected, rtol=2e-7, atol=2e-6)
    g = torch.linspace(-12, 12, 1201, dtype=torch.float64)
    gx, gy = torch.meshgrid(g, g, indexing="xy")
    step = 24 / 1200                                           # exact (float32 grid values are not)
    mass = model.log_likelihood(torch.stack([gx.ravel(), gy.ravel()], 1).float()).exp().sum() * step ** 2
    # A smooth density on a fine grid: the Riemann sum is exact to far below 1e-5; float32 inputs move the
    # points by ~1e-6 of their coordinates, which shifts the sum by about as much.
    assert float(mass) == pytest.approx(1.0, abs=1e-5)
    z = model.encode(x)
    # E[z | x] for one component (K = 1) is the Gaussian posterior mean, which decode maps back near x
    single = _model(components=1)
    single.log_sigma.data.fill_(-6.0)                          # almost no noise: x = W z + b exactly
    xs = single.decode(torch.randn(8, 2, generator=torch.Generator().manual_seed(2)))
    torch.testing.assert_close(single.decode(single.encode(xs)), xs, rtol=1e-4, atol=1e-4)
    assert z.shape == (64, 2)


# ---- genlab train / sample / eval / export / compare ---------------------------------------------------------
@pytest.fixture(scope="module")
def runs(registered, tmp_path_factory):
    from engine.cli.main import main
    root = tmp_path_factory.mktemp("sixth")
    common = ["--data", "moons", "--quiet", "--set", "data.n_train=2000", "--set", "data.n_test=500",
              "--set", "train.eval_every=100", "--set", "train.log_every=10", "--set", "train.sample_every=50"]
    assert main(["train", "--model", FAMILY, "--steps", "300", "--out", str(root / "mixture")] + common) == 0
    assert main(["train", "--model", "vae", "--steps", "100", "--out", str(root / "vae"), "--set", "model.hidden=32"]
                + common) == 0
    return root / "mixture", root / "vae"


def test_genlab_trains_samples_evaluates_and_exports_it(runs, capsys, tmp_path):
    run, _ = runs
    config = json.loads((run / "config.json").read_text())
    assert config["family"] == FAMILY and config["model"]["components"] == 8
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    losses = [r["loss"] for r in records if r.get("event") == "train"]
    assert {"loss", "noise_std"} <= {k for r in records if r.get("event") == "train" for k in r}
    assert np.mean(losses[-5:]) < np.mean(losses[:5])              # gradient descent on -log p(x)
    evals = [r for r in records if r.get("event") == "eval"]
    assert [r["step"] for r in evals][-1] == 300 and evals[-1]["test_nll_nats"] < evals[0]["test_nll_nats"]
    # It learned the moons' shape: better than the best single Gaussian (moments of the training set), by
    # more than the held-out estimate's own noise.
    from engine.config import DataConfig
    from engine.data import load_dataset
    data = load_dataset(DataConfig(name="moons", n_train=2000, n_test=500))
    x, x_test = np.asarray(data.x_train, np.float64), np.asarray(data.x_test, np.float64)
    cov, r = np.cov(x.T), x_test - x.mean(0)
    gaussian = 0.5 * (np.log(np.linalg.det(2 * np.pi * cov)) + np.einsum("ni,ij,nj->n", r, np.linalg.inv(cov), r)).mean()
    assert evals[-1]["test_nll_nats"] < gaussian - 5 * evals[-1]["nll_se"]

    out = genlab_here(capsys, "sample", "--run", run, "-n", "300", "-o", tmp_path / "s.npy")
    assert out.returncode == 0, out.stderr
    samples = np.load(tmp_path / "s.npy")
    assert samples.shape == (300, 2) and np.isfinite(samples).all()
    out = genlab_here(capsys, "eval", "--run", run, "--json", "--limit", "300")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["family"] == FAMILY and result["nll_kind"] == "exact" and math.isfinite(result["test_nll_nats"])

    out = genlab_here(capsys, "export", "--run", run, "--what", "torch-export", "-o", tmp_path / "decoder.pt2")
    assert out.returncode == 0, out.stderr
    from engine.runs.load import load_run_model
    _, model, _ = load_run_model(run)
    program = torch.export.load(str(tmp_path / "decoder.pt2"))   # our own file, just written
    z = torch.randn(5, 2, generator=torch.Generator().manual_seed(3))
    torch.testing.assert_close(program.module()(z), model.decode(z))


def test_genlab_compares_it_with_a_built_in_family_on_the_same_data(runs, capsys, tmp_path):
    run, vae = runs
    out = genlab_here(capsys, "compare", "--run", run, "--run", vae, "--json", "-o", tmp_path / "side.png")
    assert out.returncode == 0, out.stderr
    rows = {r["family"]: r for r in map(json.loads, out.stdout.splitlines())}
    assert set(rows) == {FAMILY, "vae"}
    assert (tmp_path / "side.png").is_file()


def test_the_learn_numbers_page_comparison_and_classifier_come_from_its_declarations(runs):
    from engine.data import load_dataset
    from engine.config import DataConfig, RunConfig
    from engine.learn import live_terms, text
    from engine.learn.classify import classify
    from engine.learn.comparison import compare_families, count_sampling_passes
    run, vae = runs
    values = live_terms.formula_values(FAMILY, {"loss": 2.5, "noise_std": 0.3, "other": 1.0})
    assert values == {"loss": 2.5, "noise_std": 0.3, "log_px": -2.5}
    assert live_terms.formula_variant(FAMILY, {}) == {} and live_terms.page_values(FAMILY, {}) == {}
    assert not text.has_page(FAMILY)
    page = text.generic_page("en", "Mixture <1>", "About it.", [("loss", "-log p(x)"), ("log_px", "")])
    assert "Mixture &lt;1&gt;" in page and "{loss}" in page and "{log_px}" in page and "<!--" not in page
    filled = text.fill(page, {"loss": "2.5000", "step": "7"})
    assert "2.5000" in filled and "step 7" in filled and text.MISSING in filled

    assert count_sampling_passes(_model(), 3)[0] == 1
    table = compare_families(run.parent, RunConfig.from_dict(json.loads((run / "config.json").read_text())).data,
                             budget_s=0.2)
    row = {r.family: r for r in table.rows}[FAMILY]
    assert (row.run, row.likelihood, row.has_latent, row.steps_to_sample) == ("mixture", "exact", True, 1)

    digits = load_dataset(DataConfig(name="digits"))
    model = _model(digits.spec, conditional=True, components=2)
    result = classify(model, digits.x_test, digits.y_test, digits.y_train, limit=40)
    assert result.likelihood_kind == "bound" and result.n == 40 and 0.0 <= result.accuracy <= 1.0


def test_the_latent_jobs_read_its_latent_view(registered):
    from engine.latent import inside, jobs
    from engine.training.snapshot import take_snapshot
    from engine.latent.explorer import Context
    model = _model()
    snap = take_snapshot(model, 1)
    ctx = Context(snap.build_model(), torch.Generator().manual_seed(0), 1, FAMILY, model.spec)
    info = jobs.describe(ctx)
    assert info["latent"] and info["encode"] and info["latent_shape"] == (2,)
    grid = jobs.decode_grid(np.random.default_rng(0).normal(size=(9, 2)), 3)(ctx)
    assert grid.values.shape == (9, 2)
    heat = inside.density((-2, 2, -2, 2), 8)(ctx)
    assert heat.values.shape == (8, 8) and heat.label == "exact log-density" and np.isfinite(heat.values).all()
