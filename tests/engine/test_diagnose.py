"""The detectors of ``genlab diagnose``: each fires on a run made to fail and stays quiet on a healthy one.

Runs are tiny (2D toys, 8x8 digits; a few hundred steps) and trained once per module. The failing
runs are the classic ones: a huge KL weight (posterior collapse), a discriminator with a far too high
learning rate and no penalty (saturation, mode collapse), eight training points learned by heart
(memorisation), a learning rate that blows the gradients up, and one too small to move the loss.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from engine.diagnose.features import embedding_for
from engine.diagnose.finding import Finding, plain
from engine.diagnose.neighbours import nearest
from engine.diagnose.signals import auc, gradients, loss_plateau
from engine.runs.diagnose import diagnose_run
from tests.engine.runs_helpers import tiny_config, train

ROOT = Path(__file__).resolve().parents[2]

RUNS = {
    # name: (family, data, steps, model settings, train settings, data settings)
    "vae_healthy": ("vae", "moons", 200, {}, {}, {}),
    "vae_huge_beta": ("vae", "moons", 200, {"beta": 50.0}, {}, {}),
    "gan_healthy": ("gan", "8gaussians", 300, {}, {}, {}),
    "gan_hot_critic": ("gan", "8gaussians", 300, {"d_lr_scale": 100.0, "r1_weight": 0.0, "d_steps": 5},
                       {"lr": 3e-3}, {}),
    "ar_eight_points": ("ar", "moons", 300, {}, {"batch_size": 8, "lr": 3e-3}, {"n_train": 8}),
    "vae_exploding": ("vae", "moons", 200, {}, {"lr": 0.3, "lr_schedule": "constant"}, {}),
    "vae_frozen": ("vae", "moons", 200, {}, {"lr": 1e-7, "lr_schedule": "constant"}, {}),
}


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cache")
    old = os.environ.get("GENLAB_CACHE")
    os.environ["GENLAB_CACHE"] = str(folder)
    yield folder
    if old is None:
        os.environ.pop("GENLAB_CACHE", None)
    else:
        os.environ["GENLAB_CACHE"] = old


@pytest.fixture(scope="module")
def runs(tmp_path_factory, cache):
    root = tmp_path_factory.mktemp("diagnose")
    out = {}
    for name, (family, data, steps, model, train_set, data_set) in RUNS.items():
        cfg = tiny_config(family, data=data, steps=steps, **train_set)
        for k, v in model.items():
            setattr(cfg.model, k, v)
        for k, v in data_set.items():
            setattr(cfg.data, k, v)
        _, events = train(cfg, root / name)
        out[name] = root / name
        LIVE[name] = events
    return out


LIVE: dict[str, list] = {}     # each run's events, for the live detectors' tests


@pytest.fixture(scope="module")
def findings(runs):
    torch.set_num_threads(1)
    result = {}
    for name, path in runs.items():
        result[name] = {f["detector"]: f for f in diagnose_run(path)["findings"]}
    return result


def _alarm(findings, run, detector) -> bool:
    f = findings[run][detector]
    assert isinstance(f["saw"], str) and f["saw"] and f["advice"], f
    return f["alarm"]


# ---- each detector: fires on the failing run, quiet on the healthy one ----------------------------------------
def test_posterior_collapse(findings):
    assert _alarm(findings, "vae_huge_beta", "posterior_collapse")
    assert findings["vae_huge_beta"]["posterior_collapse"]["evidence"]["active_units"] == 0
    assert not _alarm(findings, "vae_healthy", "posterior_collapse")
    assert findings["vae_healthy"]["posterior_collapse"]["evidence"]["active_units"] >= 1


def test_discriminator_saturation(findings):
    assert _alarm(findings, "gan_hot_critic", "discriminator_saturation")
    assert not _alarm(findings, "gan_healthy", "discriminator_saturation")
    hot = findings["gan_hot_critic"]["discriminator_saturation"]["evidence"]["auc_real_vs_samples"]
    ok = findings["gan_healthy"]["discriminator_saturation"]["evidence"]["auc_real_vs_samples"]
    assert hot > ok


def test_mode_collapse(findings):
    assert _alarm(findings, "gan_hot_critic", "mode_collapse")
    assert findings["gan_hot_critic"]["mode_collapse"]["evidence"]["mass_covered"] < 0.75
    assert not _alarm(findings, "vae_healthy", "mode_collapse")
    assert findings["vae_healthy"]["mode_collapse"]["evidence"]["mass_covered"] > 0.9


def test_memorization(findings):
    assert _alarm(findings, "ar_eight_points", "memorization")
    assert findings["ar_eight_points"]["memorization"]["evidence"]["coordinates"]["share_closer"] > 0.3
    for run in ("vae_healthy", "gan_healthy"):
        assert not _alarm(findings, run, "memorization")
        assert findings[run]["memorization"]["evidence"]["coordinates"]["share_closer"] < 0.15


def test_gradients(findings):
    assert _alarm(findings, "vae_exploding", "gradients")
    assert "exploding" in findings["vae_exploding"]["gradients"]["saw"]
    assert not _alarm(findings, "vae_healthy", "gradients")
    assert not _alarm(findings, "gan_healthy", "gradients")


def test_loss_plateau(findings):
    assert _alarm(findings, "vae_frozen", "loss_plateau")
    assert not _alarm(findings, "vae_healthy", "loss_plateau")
    assert "loss_plateau" not in findings["gan_healthy"]   # two players' losses are not minimised


def test_detectors_follow_capabilities(findings):
    """One entry per detector that applies: the posterior only where declared, the critic likewise."""
    assert set(findings["vae_healthy"]) == {"memorization", "mode_collapse", "posterior_collapse", "gradients",
                                            "loss_plateau"}
    assert set(findings["gan_healthy"]) == {"memorization", "mode_collapse", "discriminator_saturation",
                                            "gradients"}
    assert set(findings["ar_eight_points"]) == {"memorization", "mode_collapse", "gradients", "loss_plateau"}


def test_gradient_norms_are_logged(runs):
    recs = [json.loads(line) for line in (runs["gan_healthy"] / "metrics.jsonl").read_text().splitlines()]
    train_recs = [r for r in recs if r["event"] == "train"]
    assert train_recs and all("grad_norm_d" in r and "grad_norm_g" in r for r in train_recs)
    assert all(r["grad_norm_d"] > 0 and math.isfinite(r["grad_norm_d"]) for r in train_recs)


# ---- live: the loop's look at its evaluation moments --------------------------------------------------------------
def test_the_loop_reports_alarms_live(runs):
    from engine.events import Diagnosed, LogMessage
    bad = [e for e in LIVE["vae_huge_beta"] if isinstance(e, Diagnosed)]
    assert bad, "the loop looked at its end"
    assert "posterior_collapse" in bad[-1].new_alarms
    assert {f["detector"]: f["alarm"] for f in bad[-1].findings}["posterior_collapse"] is True
    warnings = [e for e in LIVE["vae_huge_beta"] if isinstance(e, LogMessage) and e.level == "warning"]
    assert any(w.text.startswith("posterior collapse at step") for w in warnings)
    ok = [e for e in LIVE["vae_healthy"] if isinstance(e, Diagnosed)]
    assert ok and not ok[-1].new_alarms and not any(f["alarm"] for f in ok[-1].findings)
    assert {f["detector"] for f in ok[-1].findings} >= {"posterior_collapse", "gradients", "mode_collapse"}
    hot = [e for e in LIVE["gan_hot_critic"] if isinstance(e, Diagnosed)][-1]
    assert "discriminator_saturation" in hot.new_alarms
    copied = [e for e in LIVE["ar_eight_points"] if isinstance(e, Diagnosed)][-1]
    assert "memorization" in copied.new_alarms                     # the run-level copying figure, live
    info = [e.text for e in LIVE["vae_healthy"] if isinstance(e, LogMessage) and e.text.startswith("detectors at")]
    assert info and "memorisation ok" in info[-1] and "closer to a training example" in info[-1]


# ---- the command line ------------------------------------------------------------------------------------------
def test_cli_json_is_one_object(runs, cache):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GENLAB_CACHE": str(cache)}
    res = subprocess.run([sys.executable, str(ROOT / "main.py"), "diagnose", "--run", str(runs["vae_huge_beta"]),
                          "--json"], capture_output=True, text=True, env=env, timeout=240)
    assert res.returncode == 0, res.stderr
    obj = json.loads(res.stdout)                    # the whole of stdout is one JSON object
    assert obj["run"] == str(runs["vae_huge_beta"])
    by = {f["detector"]: f for f in obj["findings"]}
    assert by["posterior_collapse"]["alarm"] is True
    for f in obj["findings"]:
        assert set(f) >= {"detector", "alarm", "evidence", "advice"}
        assert isinstance(f["evidence"], dict)


def test_cli_refuses_a_folder_that_is_no_run(tmp_path):
    res = subprocess.run([sys.executable, str(ROOT / "main.py"), "diagnose", "--run", str(tmp_path), "--json"],
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert res.returncode == 2
    assert "not a GenLab run folder" in res.stderr and "Traceback" not in res.stderr
    assert res.stdout == ""


# ---- images: the learned feature space ----------------------------------------------------------------------------
def test_digits_embedding_is_cached_and_classifies(cache):
    from engine.config import DataConfig
    from engine.data import load_dataset
    ds = load_dataset(DataConfig(name="digits"))
    emb = embedding_for(ds)
    assert emb.kind == "classifier" and emb.accuracy > 0.85     # a real classifier: it reads digits
    files = list((cache / "features").glob("*.safetensors"))
    assert len(files) == 1
    again = embedding_for(ds)                                   # from the cache, not retrained
    x = ds.x_test[:32]
    assert torch.allclose(emb.features(x), again.features(x), atol=1e-5)
    assert again.accuracy == emb.accuracy


def test_digits_run_memorization_in_features(tmp_path, cache):
    cfg = tiny_config("vae", data="digits", steps=60)
    train(cfg, tmp_path / "run")
    by = {f["detector"]: f for f in diagnose_run(tmp_path / "run", n=64)["findings"]}
    mem = by["memorization"]["evidence"]
    assert set(mem) >= {"pixels", "features", "embedding"}
    assert not by["memorization"]["alarm"]
    assert by["mode_collapse"]["evidence"]["classes"] == 10


# ---- the measures themselves ------------------------------------------------------------------------------------------
def test_nearest_matches_brute_force():
    gen = torch.Generator().manual_seed(0)
    q, r = torch.randn(37, 5, generator=gen), torch.randn(300, 5, generator=gen)
    d, i = nearest(q, r, k=3, chunk=64)
    full = torch.cdist(q, r)
    ref_d, ref_i = full.topk(3, dim=1, largest=False)
    assert torch.equal(i, ref_i)
    assert torch.allclose(d, ref_d, atol=1e-5)
    d_self, i_self = nearest(r[:20], r, exclude_self=True, chunk=7)
    assert not any(int(i_self[j, 0]) == j for j in range(20))


def test_auc_exact_values():
    assert auc(torch.tensor([2.0, 3.0]), torch.tensor([0.0, 1.0])) == 1.0
    assert auc(torch.tensor([0.0, 1.0]), torch.tensor([2.0, 3.0])) == 0.0
    assert auc(torch.tensor([1.0, 1.0]), torch.tensor([1.0, 1.0])) == 0.5
    assert auc(torch.tensor([1.0, 3.0]), torch.tensor([2.0])) == 0.5


def test_record_detectors_need_records():
    assert gradients([{"event": "train", "step": 1, "loss": 1.0}]) is None   # older runs logged no norms
    assert loss_plateau([{"event": "train", "step": i, "loss": 1.0} for i in range(3)]) is None
    nan = [{"event": "train", "step": i, "loss": 1.0, "grad_norm_main": float("nan") if i == 5 else 1.0}
           for i in range(10)]
    assert gradients(nan).alarm


def test_findings_are_plain_json():
    f = Finding("x", True, "saw", {"a": float("nan"), "b": np.float32(1.5), "c": (1, 2), "d": 1 / 3}, "try")
    d = f.to_dict()
    assert json.loads(json.dumps(d)) == {"detector": "x", "alarm": True, "saw": "saw", "advice": "try",
                                         "evidence": {"a": None, "b": 1.5, "c": [1, 2], "d": 0.333333}}
    assert plain(float("inf")) is None


def test_a_drawn_set_with_few_points_is_diagnosed_without_failing(tmp_path):
    """Eight drawn points leave a held-out split too small to judge copying: said so, no crash."""
    cfg = tiny_config("vae", data="drawn", steps=20)
    cfg.data.points = tuple((float(i), float(i % 3)) for i in range(8))
    _, events = train(cfg, tmp_path / "run")
    from engine.events import Diagnosed, LogMessage
    assert [e for e in events if isinstance(e, Diagnosed)]
    assert not any("could not look" in e.text for e in events if isinstance(e, LogMessage))
    by = {f["detector"]: f for f in diagnose_run(tmp_path / "run")["findings"]}
    assert by["memorization"]["alarm"] is False and "too few" in by["memorization"]["saw"]


def test_a_kl_warm_up_is_no_plateau_for_the_vae():
    """While the KL weight ramps up, a VAE's loss rises on purpose; the negative ELBO it follows instead
    (recon + kl) keeps falling, so the detector stays quiet. The same records judged by the loss alarm."""
    from engine.models.registry import model_class
    rng = np.random.default_rng(0)
    records = []
    for i in range(200):
        recon = 60.0 * np.exp(-i / 40) + 40.0 + rng.normal(0, 0.3)
        kl = 30.0 - 5.0 * i / 200 + rng.normal(0, 0.3)
        beta = min(1.0, i / 200)                        # the warm-up spans the whole record
        records.append({"event": "train", "step": 10 * i, "loss": recon + beta * kl, "recon": recon, "kl": kl})
    assert loss_plateau(records).alarm                                     # the loss rose over the second half
    finding = loss_plateau(records, value=model_class("vae").plateau_value)
    assert not finding.alarm and finding.evidence["progress"] > 0
    assert model_class("vae").plateau_value({"loss": 3.0}) == 3.0          # records without the terms


def test_a_run_without_a_checkpoint_is_judged_by_its_familys_objective(tmp_path):
    """Before its first checkpoint a run is judged by its records alone, with the family's own rules: a
    VAE in its KL warm-up follows the negative ELBO, a GAN's two losses are never a plateau."""
    from engine.config import RunConfig
    from engine.runs.diagnose import diagnose_run
    for family, alarm in (("vae", False), ("gan", None)):
        run = tmp_path / family
        run.mkdir()
        (run / "config.json").write_text(RunConfig(family=family).to_json())
        with open(run / "metrics.jsonl", "w") as f:
            for i in range(100):
                recon, kl = 100.0 - 0.3 * i, 20.0
                f.write(json.dumps({"event": "train", "step": i + 1, "time": 0.1 * i, "loss": recon + kl * i / 60,
                                    "recon": recon, "kl": kl, "grad_norm_main": 1.0}) + "\n")
        found = {f["detector"]: f for f in diagnose_run(run)["findings"]}
        assert (found["loss_plateau"]["alarm"] if "loss_plateau" in found else None) is alarm, family
