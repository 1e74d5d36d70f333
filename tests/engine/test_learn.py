"""engine.learn: formula terms from real training steps, the Learn texts in both languages, the family
comparison measured from real runs, and a class-conditional model used as a classifier."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
import torch

from engine.data.spec import DataSpec
from engine.learn import live_terms, text
from engine.learn.classify import NotAClassifier, classifier_problem, classify, problem_for
from engine.learn.comparison import compare_families, count_sampling_passes
from engine.models.base import Batch
from engine.models.registry import build_model, config_class
from tests.engine.runs_helpers import TINY_MODELS, tiny_config, train

MOONS = DataSpec(kind="points", shape=(2,), value_range=(-2.0, 3.0), name="moons")


def _model(family, spec=MOONS, **cfg):
    c = config_class(family)()
    for k, v in {**TINY_MODELS[family], **cfg}.items():
        if hasattr(c, k):
            setattr(c, k, v)
    torch.manual_seed(0)
    return build_model(family, spec, c)


# ---- the terms each formula shows ---------------------------------------------------------------------
def test_flow_and_diffusion_report_the_terms_their_formulas_need_and_they_add_up():
    x = torch.randn(64, 2)
    flow = _model("flow")
    flow.configure_optimizers(1e-3)
    out = {k: float(v) for k, v in flow.training_step(Batch(x)).items()}
    assert out["log_pz"] + out["log_det"] == pytest.approx(-out["loss"], rel=1e-5, abs=1e-5)
    shown = live_terms.formula_values("flow", out)
    assert shown["log_px"] == pytest.approx(-out["loss"], rel=1e-5)

    diff = _model("diffusion", time_sampling="uniform")
    diff.configure_optimizers(1e-3)
    out = {k: float(v) for k, v in diff.training_step(Batch(torch.randn(256, 2))).items()}
    bands = [out["loss_low_noise"], out["loss_mid_noise"], out["loss_high_noise"]]
    assert sum(bands) == pytest.approx(out["loss"], rel=1e-5)
    assert all(b > 0 for b in bands)          # uniform t over 100 steps visits every band in 256 draws
    low, high = diff.noise_band_edges()
    bands = live_terms.page_values("diffusion", {"timesteps": 100})
    assert (low, high, 100) == (bands["t_low"], bands["t_high"], bands["timesteps"])
    assert 1 <= low < high <= 100


def test_derived_terms_are_exact_arithmetic_on_the_reported_ones():
    vae = live_terms.formula_values("vae", {"loss": 10.5, "recon": 8.0, "kl": 5.0, "extra": 1.0})
    assert vae == {"loss": 10.5, "recon": 8.0, "kl": 5.0, "elbo": -13.0, "log_px_z": -8.0, "kl_weight": 0.5}
    gan = live_terms.formula_values("gan", {"d_loss": 1.2, "g_loss": 0.8, "d_real": 0.6, "d_fake": 0.4})
    assert gan["value"] == -1.2 and "critic_gap" not in gan
    hinge = live_terms.formula_values("gan", {"d_real": 0.7, "d_fake": -0.2}, {"loss": "hinge"})
    assert hinge["critic_gap"] == pytest.approx(0.9) and "value" not in hinge
    assert live_terms.formula_values("ar", {"loss": 3.0, "nats_per_token": 1.5})["log_px"] == -3.0
    assert live_terms.formula_values("vae", {"recon": float("nan"), "kl": 1.0}) == {"kl": 1.0}
    assert live_terms.format_value(None) == "—" and live_terms.format_value(-85.2311) == "-85.231"
    assert float(live_terms.format_value(0.000123)) == pytest.approx(0.000123, rel=1e-3)


# ---- the texts ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("page", text.PAGES)
def test_every_page_exists_in_both_languages_with_the_same_numbers_and_variants(page):
    en, zh = text.read_page("en", page), text.read_page("zh_CN", page)
    assert text.page_path("zh_CN", page).parent.name == "zh_CN"
    assert text.placeholders(en) == text.placeholders(zh)
    assert text.variants(en) == text.variants(zh)
    assert re.search(r"[\u4e00-\u9fff]", zh) and not re.search(r"[\u4e00-\u9fff]", en)
    for src in (en, zh):
        assert "\\frac" not in src and "$" not in src and "\\sum" not in src   # no raw LaTeX on screen
        assert src.count("<!--if") == src.count("<!--end-->")


def test_every_term_a_family_reports_has_a_place_in_its_page():
    from engine.models.registry import available_families
    for family, names in ((f, live_terms.reported_terms(f)) for f in available_families()):
        used = text.placeholders(text.read_page("en", family))
        derived = set(live_terms.formula_values(family, {n: 1.0 for n in names}, {"loss": "wgan-gp"})) | \
            set(live_terms.formula_values(family, {n: 1.0 for n in names}))
        missing = {n for n in derived if n not in used} - {"recon"}   # the VAE shows recon as -log_px_z
        assert not missing, (family, missing)


def test_fill_keeps_only_the_run_s_variant_and_dashes_missing_numbers():
    html = text.read_page("en", "gan")
    shown = text.fill(html, {"d_loss": "1.23"}, {"loss": "hinge"})
    assert "hinge" in shown and "non-saturating" not in shown and "WGAN-GP" not in shown
    assert "1.23" in shown and "{" not in shown and text.MISSING in shown
    assert "<!--" not in text.fill(text.read_page("zh_CN", "diffusion"), {}, {"prediction": "eps"})


# ---- the comparison -----------------------------------------------------------------------------------
def test_sampling_steps_are_counted_by_passes_of_the_generating_network():
    assert count_sampling_passes(_model("vae"), 3)[0] == 1
    assert count_sampling_passes(_model("gan"), 3)[0] == 1
    assert count_sampling_passes(_model("flow"), 3)[0] == 1
    assert count_sampling_passes(_model("ar"), 3)[0] == 2                   # one per coordinate
    steps, x = count_sampling_passes(_model("diffusion", sample_steps=7), 3)
    assert steps == 7 and x.shape == (3, 2)
    digits = DataSpec(kind="image", shape=(1, 4, 4), value_range=(0.0, 1.0), levels=17, name="d")
    assert count_sampling_passes(_model("ar", digits), 2)[0] == 16          # one per pixel
    pixelcnn = _model("ar", digits, image_net="pixelcnn", width=4, layers=2)
    assert count_sampling_passes(pixelcnn, 2)[0] == 16                      # one read-out per pixel


def test_comparison_is_measured_from_the_runs_on_the_current_data(tmp_path):
    ws = tmp_path / "runs"
    vae_cfg = tiny_config("vae", steps=30, eval_every=30)
    train(vae_cfg, ws / "vae-run")
    train(tiny_config("gan", steps=20), ws / "gan-run")
    other = tiny_config("flow", steps=10)
    other.data.seed = 5                                                     # other data: not in the table
    train(other, ws / "flow-other-data")
    table = compare_families(ws, vae_cfg.data, budget_s=0.2)
    rows = {r.family: r for r in table.rows}
    evals = [json.loads(line) for line in (ws / "vae-run" / "metrics.jsonl").read_text().splitlines()]
    last_eval = [r for r in evals if r.get("event") == "eval"][-1]
    v = rows["vae"]
    assert (v.run, v.likelihood, v.steps_to_sample, v.has_latent, v.step) == ("vae-run", "bound", 1, True, 30)
    assert v.nll_nats == last_eval["test_nll_nats"] and v.nll_step == 30
    assert v.samples_per_second > 0
    g = rows["gan"]
    assert (g.likelihood, g.nll_nats, g.has_latent, g.steps_to_sample) == ("none", None, True, 1)
    assert g.samples_per_second > 0
    for family in ("ar", "flow", "diffusion"):
        assert not rows[family].measured and rows[family].runs_on_data == 0
        assert rows[family].note == "no run on this data yet"


# ---- the classifier -----------------------------------------------------------------------------------
def _blobs(n, rng):
    y = rng.integers(0, 3, n)
    centres = np.array([[-3.0, 0.0], [3.0, 0.0], [0.0, 3.0]])
    return torch.tensor(centres[y] + 0.6 * rng.normal(size=(n, 2)), dtype=torch.float32), torch.tensor(y)


def test_a_conditional_flow_classifies_by_bayes_rule():
    rng = np.random.default_rng(0)
    spec = DataSpec(kind="points", shape=(2,), value_range=(-5.0, 5.0), num_classes=3, name="blobs")
    x, y = _blobs(1500, rng)
    xt, yt = _blobs(300, rng)
    model = _model("flow", spec, conditional=True, layers=2, hidden=32)
    model.configure_optimizers(1e-2)
    for i in range(120):
        model.training_step(Batch(x[(i * 128) % 1408:][:128], y[(i * 128) % 1408:][:128]))
    result = classify(model, xt, yt, y_train=y, limit=250)
    assert result.n == 250 and result.log_joint.shape == (250, 3)
    assert result.accuracy > 0.9
    # the decision is exactly argmax_y log p(x|y) + log p(y), with p(y) from the training labels
    ll = torch.stack([model.log_likelihood(xt[:250], labels=torch.full((250,), k)) for k in range(3)], 1)
    manual = (ll.numpy() + result.log_prior[None]).argmax(1)
    np.testing.assert_array_equal(result.predicted, manual)
    np.testing.assert_array_equal(result.wrong, np.flatnonzero(manual != yt[:250].numpy()))
    assert np.allclose(result.posterior().sum(1), 1.0)
    assert math.isclose(np.exp(result.log_prior).sum(), 1.0)


def test_models_that_cannot_classify_say_why():
    labelled = DataSpec(kind="points", shape=(2,), value_range=(-5.0, 5.0), num_classes=3, name="blobs")
    assert classifier_problem(_model("gan", labelled, conditional=True)) == "no_likelihood"
    assert classifier_problem(_model("vae", labelled)) == "not_conditional"
    assert classifier_problem(_model("vae")) == "no_labels"
    assert classifier_problem(_model("ar", labelled, conditional=True)) is None
    with pytest.raises(NotAClassifier) as err:
        classify(_model("vae", labelled), torch.zeros(4, 2), torch.zeros(4, dtype=torch.long))
    assert err.value.code == "not_conditional" and "conditional" in str(err.value)
    model = _model("flow", labelled, conditional=True)
    assert problem_for("flow", model.init_args) is None
    assert problem_for("gan", model.init_args) == "no_likelihood"
    assert problem_for("vae", _model("vae").init_args) == "no_labels"
