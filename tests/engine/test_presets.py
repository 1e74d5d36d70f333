"""Budget-aware presets: the choice is a pure function of budget, data shape and measured rates; the
rates are measured once and cached per device; ``genlab train --preset`` applies them; and the sizes a
preset picks for 28x28 images learn within seconds."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.config import RunConfig
from engine.data.spec import DataSpec
from engine.models.base import SizeCandidate
from engine.models.registry import families, model_class
from engine.presets import (BUDGETS, apply_plan, budget_seconds, choose_candidate, evaluations_for, plan_run,
                            preset_size, preset_values, preset_values_and_size, size_settings)
from engine.calibration import measure_rates

ROOT = Path(__file__).resolve().parents[2]
BUILTIN = ("vae", "gan", "ar", "flow", "diffusion")


def image_spec(shape, levels=256, classes=10):
    return DataSpec(kind="image", shape=shape, value_range=(0.0, 1.0), levels=levels, num_classes=classes, name="t")


SHAPES = {"8x8": (1, 8, 8), "28x28": (1, 28, 28), "32x32x3": (3, 32, 32)}


def test_choice_takes_the_largest_candidate_whose_steps_fit_the_budget():
    cands = (SizeCandidate("s", steps_needed=1000), SizeCandidate("m", steps_needed=4000),
             SizeCandidate("l", steps_needed=20000))
    rates = {"s": 20.0, "m": 10.0, "l": 2.0}
    assert choose_candidate(cands, rates, 30) == 0           # nothing fits: the smallest
    assert choose_candidate(cands, rates, 60) == 0           # 1200 >= 1000 steps
    assert choose_candidate(cands, rates, 400) == 1          # 4000 steps of m
    assert choose_candidate(cands, rates, 10000) == 2        # 20000 steps of l
    assert choose_candidate(cands, {}, 10000) == 0           # no rates: the smallest
    # monotone in the budget, and the same answer every time
    picks = [choose_candidate(cands, rates, b) for b in range(10, 20000, 97)]
    assert picks == sorted(picks) and picks == [choose_candidate(cands, rates, b) for b in range(10, 20000, 97)]


def test_budgets_by_name_or_time_limit():
    assert budget_seconds("1min") == 60 and budget_seconds("30min") == 1800 and budget_seconds("auto") == 300
    assert budget_seconds("5min", time_limit=42) == 42 and budget_seconds("auto", 90) == 90
    with pytest.raises(Exception, match="preset"):
        budget_seconds("2min")


@pytest.mark.parametrize("family", BUILTIN)
def test_every_family_offers_sizes_for_every_image_shape_and_they_are_valid_settings(family):
    cls = model_class(family)
    for name, shape in SHAPES.items():
        cands = cls.size_candidates(image_spec(shape))
        assert len(cands) >= 2, (family, name)
        assert len({c.name for c in cands}) == len(cands)
        for c in cands:
            cfg = RunConfig(family=family).with_overrides(
                [f"model.{k}={json.dumps(v)}" for k, v in c.model.items()]
                + [f"train.{k}={json.dumps(v)}" for k, v in c.train.items()])
            assert cfg.train.batch_size == c.train["batch_size"]
    assert cls.size_candidates(DataSpec(kind="points", shape=(2,), value_range=(-1.0, 1.0))) == ()


@pytest.mark.parametrize("family", BUILTIN)
def test_plan_depends_on_budget_and_rates_deterministically(family):
    spec = image_spec((1, 28, 28))
    cands = model_class(family).size_candidates(spec)
    fast = {c.name: 1000.0 for c in cands}     # a machine on which everything fits
    slow = {c.name: 0.01 for c in cands}       # one on which nothing does
    big = plan_run(family, spec, BUDGETS["30min"], rates=fast)
    small = plan_run(family, spec, BUDGETS["1min"], rates=slow)
    assert big.candidate == cands[-1].name and small.candidate == cands[0].name
    assert plan_run(family, spec, BUDGETS["30min"], rates=fast).to_dict() == big.to_dict()
    for plan in (big, small):
        cfg = apply_plan(RunConfig(family=family), plan, keep=["train.seed=3"])
        assert cfg.train.time_limit == plan.budget_s and cfg.train.seed == 3
        assert cfg.train.lr_schedule == "cosine"
    # eval moments spread over the predicted steps: four in a long run, two in a minute (each costs budget)
    assert big.train["eval_every"] == math.ceil(1000.0 * 1800 / 4)
    quick = plan_run(family, spec, BUDGETS["1min"], rates=fast)
    assert quick.train["eval_every"] == math.ceil(1000.0 * 60 / 2)
    assert quick.train["eval_limit"] < big.train["eval_limit"] <= 250   # a short run's evaluations cost less
    # the log line says what the budget gives and what the size trains without one, not a shortfall
    line = quick.summary()
    assert f"'{quick.candidate}'" in line and "about 60000 steps" in line and "needs" not in line
    assert f"without a budget it trains {quick.steps_needed}" in line


def test_short_sized_runs_evaluate_less_often_but_at_least_twice():
    assert [evaluations_for(s) for s in (10.0, 60.0, 149.0, 150.0, 300.0, 1800.0)] == [2, 2, 2, 2, 4, 4]


def test_image_presets_evaluate_during_training():
    """Without a budget the preset file's settings run: the quality figure (and the time to its next step)
    must not wait for the run's end, whatever the images' shape."""
    for family in BUILTIN:
        for spec in [None] + [image_spec(shape) for shape in SHAPES.values()]:
            values, warnings = preset_values(family, "image", model_class(family).config_class,
                                             type(RunConfig().data), spec=spec)
            assert not warnings
            train = values["train"]
            assert 0 < train["eval_every"] < train["steps"], (family, spec)


def test_no_budget_presets_pick_the_network_for_the_images_shape():
    """The autoregressive preset keeps the Transformer where it wins (8x8 digits, 64 sub-pixels) and takes
    the dilated PixelCNN the sized runs measured on 28x28 (the Transformer over 784 sub-pixels is many
    times slower per step); the flow takes the CPU-sized Glow with its gradient clip at every shape."""
    data = type(RunConfig().data)
    ar = model_class("ar")
    small, _ = preset_values("ar", "image", ar.config_class, data, spec=image_spec((1, 8, 8)))
    large, _ = preset_values("ar", "image", ar.config_class, data, spec=image_spec((1, 28, 28)))
    assert small["model"] == {"image_net": "transformer"}
    assert (small["train"]["steps"], small["train"]["batch_size"], small["train"]["lr"]) == (3000, 64, 5e-4)
    pixelcnn = next(c for c in ar.size_candidates(image_spec((1, 28, 28))) if c.name == "pixelcnn-32x4")
    assert large["model"] == pixelcnn.model and large["model"]["max_dilation"] > 1
    assert {k: large["train"][k] for k in pixelcnn.train} == pixelcnn.train
    # one read of the file gives the values and the size's name, as preset_size names it
    for shape in ((1, 8, 8), (1, 28, 28)):
        spec = image_spec(shape)
        values, _, size = preset_values_and_size("ar", "image", ar.config_class, data, spec=spec)
        assert size == preset_size("ar", "image", spec) and values == preset_values("ar", "image", ar.config_class,
                                                                                    data, spec=spec)[0]
    assert size == "pixelcnn-32x4"
    assert preset_values_and_size("ar", "image", ar.config_class, data)[2] is None     # no data: no size
    assert large["train"]["steps"] == pixelcnn.steps_needed
    for shape in ((1, 28, 28), (3, 32, 32)):
        flow, _ = preset_values("flow", "image", model_class("flow").config_class, data, spec=image_spec(shape))
        assert flow["model"] == {"width": 32, "steps": 6} and flow["train"]["grad_clip"] > 0
    # 8x8 digits keep the wider flow: after 3000 steps it drew better digits (Fréchet ratio 1.27 against
    # 1.78) where both sizes take a couple of minutes
    flow, _ = preset_values("flow", "image", model_class("flow").config_class, data, spec=image_spec((1, 8, 8)))
    assert flow["model"] == {} and "grad_clip" not in flow["train"]
    assert preset_size("ar", "image", image_spec((1, 8, 8))) == "transformer"
    assert preset_size("ar", "image", image_spec((1, 28, 28))) == "pixelcnn-32x4"
    assert preset_size("vae", "image", image_spec((1, 28, 28))) == "conv-16"   # grey images over 16x16
    assert preset_size("vae", "image", image_spec((3, 32, 32))) == ""          # colour: the file's MLP
    assert preset_size("gan", "image", image_spec((1, 28, 28))) == ""          # its file names no sizes
    assert preset_size("ar", "points", image_spec((1, 28, 28))) == ""          # data of another kind


def test_diffusion_trains_larger_images_on_noisier_steps_with_or_without_a_budget():
    """The log-sigma mean of diffusion's training steps is -0.8 up to 28x28 grey and rises by half the log
    of the sub-pixel ratio beyond; the sized plans and the no-budget preset both take it, and the setting
    travels in the size's settings, which differ between shapes where the size's name does not."""
    from engine.models.diffusion import image_noise_mean
    assert image_noise_mean(64) == image_noise_mean(784) == -0.8
    assert image_noise_mean(3072) == round(-0.8 + 0.5 * math.log(3072 / 784), 2) == -0.12
    assert image_noise_mean(1024) > -0.8 > -1.2                      # 32x32 grey: a little noisier
    data = type(RunConfig().data)
    cls = model_class("diffusion")
    settings = {}
    for shape, expected in (((1, 8, 8), -0.8), ((1, 28, 28), -0.8), ((3, 32, 32), -0.12)):
        spec = image_spec(shape)
        values, _ = preset_values("diffusion", "image", cls.config_class, data, spec=spec)
        assert values["model"]["noise_mean"] == expected and values["train"]["steps"] == 3000
        rates = {c.name: 1e6 for c in cls.size_candidates(spec)}
        plan = plan_run("diffusion", spec, 300.0, rates=rates)
        assert plan.model["noise_mean"] == expected
        size = preset_size("diffusion", "image", spec)
        settings[shape] = size_settings("diffusion", spec, size)
        assert size == "unet-8-b32" and json.loads(settings[shape])["noise_mean"] == expected
    assert settings[(1, 8, 8)] == settings[(1, 28, 28)] != settings[(3, 32, 32)]
    assert size_settings("diffusion", image_spec((1, 8, 8)), "") == ""
    assert size_settings("diffusion", image_spec((1, 8, 8)), "no-such-size") == ""


def test_preset_sizes_take_the_first_offered_and_the_files_own_settings_last(tmp_path):
    """``sizes`` in a preset file: names the family does not offer for the data are passed over, the
    first offered one brings its network, training settings and steps, the file's entry for it wins, and a
    budget (``plan_run``) ignores the list: there the measured rates choose."""
    path = tmp_path / "ar-image.json"
    path.write_text(json.dumps({
        "train": {"steps": 10, "lr": 0.1, "eval_every": 5},
        "sizes": {"no-such-size": {"train": {"lr": 0.5}},
                  "pixelcnn-64x6": {"train": {"batch_size": 8}, "model": {"width": 48}},
                  "pixelcnn-32x4": {"train": {"lr": 0.2}}}}))
    ar = model_class("ar")
    data = type(RunConfig().data)
    spec = image_spec((1, 28, 28))
    big = next(c for c in ar.size_candidates(spec) if c.name == "pixelcnn-64x6")
    values, warnings = preset_values("ar", "image", ar.config_class, data, path=path, spec=spec)
    assert not warnings
    assert values["model"] == {**big.model, "width": 48}
    assert values["train"] == {**big.train, "steps": big.steps_needed, "lr": big.train["lr"], "eval_every": 5,
                               "batch_size": 8}
    assert preset_size("ar", "image", spec, path=path) == "pixelcnn-64x6"
    without, _ = preset_values("ar", "image", ar.config_class, data, path=path)
    assert without["model"] == {} and without["train"] == {"steps": 10, "lr": 0.1, "eval_every": 5}
    # min_dim: a size for data of at least that many sub-pixels only
    path.write_text(json.dumps({"sizes": {"pixelcnn-64x6": {"min_dim": 785}, "pixelcnn-32x4": {}}}))
    assert preset_size("ar", "image", image_spec((1, 28, 28)), path=path) == "pixelcnn-32x4"
    assert preset_size("ar", "image", image_spec((3, 32, 32)), path=path) == "pixelcnn-64x6"
    colour, warnings = preset_values("ar", "image", ar.config_class, data, path=path, spec=image_spec((3, 32, 32)))
    assert not warnings and "min_dim" not in colour["model"] and colour["train"]["steps"] == big.steps_needed
    # channels: a size for data of exactly that many channels only
    path.write_text(json.dumps({"sizes": {"pixelcnn-64x6": {"channels": 1}, "pixelcnn-32x4": {}}}))
    assert preset_size("ar", "image", image_spec((1, 28, 28)), path=path) == "pixelcnn-64x6"
    assert preset_size("ar", "image", image_spec((3, 32, 32)), path=path) == "pixelcnn-32x4"
    grey, warnings = preset_values("ar", "image", ar.config_class, data, path=path, spec=image_spec((1, 28, 28)))
    assert not warnings and "channels" not in grey["model"]


@pytest.mark.parametrize("family,size,shape", [("vae", "mlp-512", None), ("vae", "mlp-512", (3, 32, 32)),
                                                ("vae", "mlp-512", (1, 8, 8)), ("vae", "conv-16", (1, 28, 28)),
                                                ("gan", "mlp-256", None), ("gan", "mlp-256", (1, 28, 28)),
                                                ("diffusion", "unet-8-b32", (1, 28, 28))])
def test_the_first_image_run_is_the_cpu_sized_network(family, size, shape):
    """Train with no budget chosen runs the preset file at a network the sized runs pick, at its learning
    rate and batch, all with the VAE's fitted prior: for the VAE (the first family) the narrow conv net on
    grey images larger than 16x16 (it learns the most per CPU second there) and the MLP elsewhere (colour,
    8x8 digits, no data yet); for the GAN the MLP pair; for diffusion the width-8 U-Net at batch 32, with its
    noisier training steps."""
    spec = image_spec(shape) if shape else None
    values, _ = preset_values(family, "image", model_class(family).config_class, type(RunConfig().data), spec=spec)
    sized = next(c for c in model_class(family).size_candidates(image_spec(shape or (1, 28, 28))) if c.name == size)
    assert {k: values["model"][k] for k in sized.model} == sized.model
    assert values["train"]["lr"] == sized.train["lr"] and values["train"]["batch_size"] == sized.train["batch_size"]
    assert values["train"]["steps"] >= 3000           # minutes of training, not a few seconds


def test_points_keep_the_preset_files(tmp_path):
    spec = DataSpec(kind="points", shape=(2,), value_range=(-1.0, 1.0))
    plan = plan_run("vae", spec, 60.0, cache_path=tmp_path / "c.json")
    values, _ = preset_values("vae", "points", model_class("vae").config_class, type(RunConfig().data))
    assert plan.candidate == "" and plan.train["time_limit"] == 60.0
    assert {k: v for k, v in plan.train.items() if k in values["train"] and k != "steps"} == \
           {k: v for k, v in values["train"].items() if k != "steps"}


@pytest.mark.parametrize("threads", [1, 2])
def test_rates_are_measured_once_and_cached_per_device(tmp_path, threads):
    spec = image_spec((1, 8, 8), levels=17)
    cands = model_class("vae").size_candidates(spec)[:2]
    cache = tmp_path / "calibration.json"
    rates = measure_rates("vae", spec, cands, "cpu", threads, cache_path=cache)
    assert set(rates) == {c.name for c in cands} and all(r > 0 for r in rates.values())
    saved = json.loads(cache.read_text())   # the quiet figures, and the busy ones apart (test_calibration.py)
    assert saved and all(f"threads={threads}" in key for key in saved)
    again = measure_rates("vae", spec, cands, "cpu", threads, cache_path=cache, measure=False)
    assert again == rates
    other = measure_rates("vae", spec, cands, "cpu", threads + 1, cache_path=cache, measure=False)
    assert other == {}                                   # another thread count is another machine


def test_cli_preset_sizes_the_run_and_set_still_wins(tmp_path):
    env = dict(os.environ, PYTHONIOENCODING="utf-8", GENLAB_CACHE=str(tmp_path / "cache"))
    run = tmp_path / "run"
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "train", "--model", "vae", "--data", "digits",
                          "--preset", "1min", "--time", "3", "--threads", "1", "--out", str(run), "--quiet",
                          "--set", "model.latent_dim=5"],
                         cwd=ROOT, capture_output=True, text=True, timeout=240, env=env)
    assert out.returncode == 0, out.stderr
    assert "preset '" in out.stderr
    cfg = json.loads((run / "config.json").read_text())
    assert cfg["model"]["image_net"] == "mlp" and cfg["model"]["latent_dim"] == 5
    assert cfg["train"]["time_limit"] == 3.0
    assert (tmp_path / "cache" / "calibration.json").is_file()
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary["frechet_floor"] > 0 and summary["frechet"] >= 0
    assert 0 <= summary["recognised"] <= 1 and 0 < summary["recognised_real"] <= 1   # digits are labelled
    ev = subprocess.run([sys.executable, str(ROOT / "main.py"), "eval", "--run", str(run), "--json", "--quality", "32",
                         "--limit", "50"], cwd=ROOT, capture_output=True, text=True, timeout=240, env=env)
    assert ev.returncode == 0, ev.stderr
    result = json.loads(ev.stdout)
    assert result["frechet_n"] == 32 and result["frechet_floor"] > 0
    assert result["frechet_ratio"] == pytest.approx(result["frechet"] / result["frechet_floor"])
    assert result["recognised_real"] == summary["recognised_real"]   # the same judge, the same held-out images
    bad = subprocess.run([sys.executable, str(ROOT / "main.py"), "train", "--model", "vae", "--data", "digits",
                          "--preset", "1min", "--steps", "5", "--out", str(tmp_path / "r2")],
                         cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert bad.returncode != 0 and "--time" in bad.stderr


def test_every_registered_family_answers_size_candidates():
    spec = image_spec((1, 28, 28))
    for family in families():
        assert isinstance(tuple(model_class(family).size_candidates(spec)), tuple)
