"""The quality figure: real images score near their floor, noise far above it; it is recorded at a run's
evaluations; and the sizes the presets pick for 28x28 images make progress within seconds."""

import json

import pytest
import torch
import torch.nn.functional as F

from engine.config import DataConfig, RunConfig
from engine.data import load_dataset
from engine.data.spec import Dataset, DataSpec
from engine.models.registry import model_class
from engine.presets import apply_plan, plan_run
from engine import quality
from engine.quality import QualityJudge, frechet
from engine.training.loop import Controls, Trainer
from engine.events import StepCompleted, TrainingFinished


@pytest.fixture(scope="module")
def digits():
    return load_dataset(DataConfig(name="digits"))


@pytest.mark.parametrize("threads", [1, 2])
def test_real_images_score_near_the_floor_and_noise_far_above(digits, threads):
    torch.set_num_threads(threads)
    judge = QualityJudge(digits.x_train, digits.y_train, digits.x_test, 10, steps=150)
    n = 300
    real = judge.score(digits.x_train[1::4][:n])          # other training images than the floor's
    gen = torch.Generator().manual_seed(0)
    noise = judge.score(torch.rand(n, 1, 8, 8, generator=gen))
    blank = judge.score(torch.zeros(n, 1, 8, 8))
    assert real["frechet_floor"] > 0 and real["frechet_n"] == n and real["features"] == "classifier"
    assert real["frechet_floor_sd"] > 0
    # real data is within a small factor of its floor; noise and blanks are many floors away
    assert real["frechet_ratio"] < 3
    assert noise["frechet_ratio"] > 10 * real["frechet_ratio"]
    assert blank["frechet_ratio"] > 10 * real["frechet_ratio"]


@pytest.mark.parametrize("threads", [1, 2])
def test_the_floor_is_where_random_draws_of_real_images_score_on_average(digits, threads):
    """The floor is the expected distance of a random draw of real images, so such draws score about 1:
    their mean ratio over 12 draws other than the floor's is within 4 standard errors of 1 (the
    floor's own mean of 10 draws has an error too: both enter the allowance)."""
    torch.set_num_threads(threads)
    judge = QualityJudge(digits.x_train, digits.y_train, digits.x_test, 10, steps=150)
    n = 200
    gen = torch.Generator().manual_seed(12345)
    ratios = torch.tensor([judge.score(digits.x_train[torch.randperm(len(digits.x_train), generator=gen)[:n]])
                           ["frechet_ratio"] for _ in range(12)], dtype=torch.float64)
    spread = judge.floor_sd(n) / judge.floor(n)
    se = spread * (1 / 12 + 1 / quality.FLOOR_DRAWS) ** 0.5
    assert abs(float(ratios.mean()) - 1) < 4 * se, (ratios, spread)
    # and the spread the floor reports is the draws' spread: the ratio of two sds from 12 and 10 draws lies in
    # 0.36-2.8 with 99.9% probability (F distribution, 11 and 9 degrees of freedom)
    assert 0.33 < float(ratios.std()) / spread < 3.0


@pytest.mark.parametrize("threads", [1, 2])
def test_a_classifier_short_of_its_target_accuracy_trains_on(digits, threads):
    """Two steps teach nothing: the judge trains on (within its cap) until it tells the digits apart, and
    says how well; a set learned within the asked steps gets exactly those steps."""
    torch.set_num_threads(threads)
    weak = QualityJudge(digits.x_train, digits.y_train, digits.x_test, 10, steps=2)
    assert 2 < weak.train_steps <= quality.MAX_TRAIN_STEPS
    assert weak.accuracy >= quality.TARGET_ACCURACY or weak.train_steps == quality.MAX_TRAIN_STEPS
    assert weak.score(digits.x_train[:64])["classifier_accuracy"] == weak.accuracy
    enough = QualityJudge(digits.x_train, digits.y_train, digits.x_test, 10, steps=600)
    assert enough.train_steps == 600 and enough.accuracy >= quality.TARGET_ACCURACY
    unlabelled = QualityJudge(digits.x_train, None, digits.x_test, 0)
    assert unlabelled.accuracy is None and "classifier_accuracy" not in unlabelled.score(digits.x_train[:64])


@pytest.mark.parametrize("threads", [1, 2])
def test_the_recognised_share_is_real_images_share_for_real_images_and_near_zero_for_blots(digits, threads):
    """``recognised``: samples the classifier is sure of and places among real images. Real images score about
    the share of other real images (300 against a draw of 1000: a binomial spread of about 0.03; 0.15 is
    several of those), while noise, the mean image and blends of two digits, which a person does not read as
    digits, score a fraction of it (the mean image and the blends lie among real images' neighbourhoods, the
    classifier is unsure of them; it is the two together that turn them away)."""
    torch.set_num_threads(threads)
    judge = QualityJudge(digits.x_train, digits.y_train, digits.x_test, 10, steps=150)
    n, gen = 300, torch.Generator().manual_seed(0)
    real = judge.score(digits.x_train[1::4][:n])
    assert 0 < judge.recognised_real <= 1 and real["recognised_real"] == judge.recognised_real
    assert abs(real["recognised"] - judge.recognised_real) < 0.15
    others = digits.x_train[torch.randperm(len(digits.x_train), generator=gen)[:n]]
    blots = {"noise": torch.rand(n, 1, 8, 8, generator=gen),
             "mean image": digits.x_train.float().mean(0, keepdim=True).repeat(n, 1, 1, 1),
             "blends": (digits.x_train[:n].float() + others.float()) / 2}
    for name, images in blots.items():
        assert judge.score(images)["recognised"] < real["recognised"] / 3, name
    unlabelled = QualityJudge(digits.x_train, None, digits.x_test, 0).score(digits.x_test[:50])
    assert unlabelled["features"] == "random" and "recognised" not in unlabelled


def test_frechet_is_zero_for_equal_gaussians_and_grows_with_the_mean_gap():
    gen = torch.Generator().manual_seed(0)
    a = torch.randn(500, 4, generator=gen).double()
    stats = (a.mean(0), torch.cov(a.T))
    assert frechet(stats, stats) == pytest.approx(0.0, abs=1e-6)
    shifted = (stats[0] + 1.0, stats[1])
    assert frechet(stats, shifted) == pytest.approx(4.0, rel=1e-6)


def test_unlabelled_data_uses_fixed_random_features(digits):
    judge = QualityJudge(digits.x_train, None, digits.x_test, 0)
    again = QualityJudge(digits.x_train, None, digits.x_test, 0)
    x = digits.x_train[:50]
    assert judge.kind == "random" and torch.equal(judge.features(x), again.features(x))


def test_the_figure_is_recorded_at_evaluations_of_an_image_run(digits, tmp_path):
    cfg = RunConfig(family="vae").with_overrides(["data.name=digits", "train.steps=40", "train.eval_every=20",
                                                  "train.quality_samples=64", "train.batch_size=64"])
    trainer = Trainer(cfg, tmp_path / "run", dataset=digits)
    for _ in trainer.events(Controls(interactive=False)):
        pass
    evals = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()
             if '"eval"' in line]
    assert evals and all(e["frechet_n"] == 64 and e["frechet_floor"] > 0 for e in evals if "frechet" in e)
    assert "frechet_ratio" in evals[-1]


def _digits_28(digits) -> Dataset:
    """The 8x8 digits scaled to 28x28 on a 256-level grid: a 28x28 set that needs no download."""
    def up(x):
        return torch.round(F.interpolate(x, size=(28, 28), mode="bilinear", align_corners=False).clamp(0, 1) * 255) / 255
    spec = DataSpec(kind="image", shape=(1, 28, 28), value_range=(0.0, 1.0), levels=256, num_classes=10,
                    class_names=digits.spec.class_names, name="digits28")
    return Dataset(spec, up(digits.x_train), up(digits.x_test), digits.y_train, digits.y_test)


@pytest.mark.parametrize("family", ["vae", "ar", "flow", "diffusion"])
def test_the_smallest_28x28_preset_learns_within_seconds(digits, family, tmp_path):
    ds = _digits_28(digits)
    cands = model_class(family).size_candidates(ds.spec)
    plan = plan_run(family, ds.spec, 60.0, rates={c.name: 0.01 for c in cands})   # the smallest size
    cfg = apply_plan(RunConfig(family=family).with_overrides(["data.name=digits"]), plan,
                     keep=["train.time_limit=0", "train.steps=60", "train.batch_size=16", "train.log_every=10",
                           "train.eval_every=0", "train.quality_samples=0", "train.eval_limit=20",
                           "train.sample_every=1000000", "train.n_display=4"])
    trainer = Trainer(cfg, None, dataset=ds)
    losses = []
    for ev in trainer.events(Controls(interactive=False)):
        if isinstance(ev, StepCompleted):
            losses.append(ev.losses["loss"])
        if isinstance(ev, TrainingFinished):
            break
    assert len(losses) == 6 and all(map(torch.isfinite, torch.tensor(losses)))
    assert sum(losses[-3:]) / 3 < 0.95 * losses[0], losses   # the noisy diffusion loss falls slowest


def test_time_to_target_ratio_extrapolates_the_log_ratio():
    from engine.quality import time_to_ratio
    assert time_to_ratio([(10.0, 8.0)], 2.0) is None                 # one readout: no rate yet
    assert time_to_ratio([(10.0, 8.0), (20.0, 4.0)], 2.0) == pytest.approx(10.0)   # halves every 10 s
    assert time_to_ratio([(10.0, 8.0), (20.0, 4.0)], 1.0) == pytest.approx(20.0)
    assert time_to_ratio([(10.0, 4.0), (20.0, 5.0)], 2.0) is None     # getting worse: no estimate
    assert time_to_ratio([(10.0, 4.0), (20.0, 1.5)], 2.0) == 0.0      # already there


def test_periodic_readouts_stay_within_their_share_of_training_time(digits):
    from engine.training.quality_readout import QualityReadout
    q = QualityReadout(digits, samples=256, n_display=64)
    assert q.enabled
    assert not q.due(100.0, final=False, cost_per_image=0.1)     # 25.6 s of samples > 10% of 100 s
    assert q.due(300.0, final=False, cost_per_image=0.1)         # 25.6 s <= 30 s
    assert q.due(100.0, final=True, cost_per_image=0.1)          # the last one may take half the training time
    assert not q.due(40.0, final=True, cost_per_image=0.1)       # ... not more: 25.6 s > 20 s
    assert q.due(1.0, final=True, cost_per_image=0.01)           # ... or a few seconds (2.56 s) after a short run
    assert not QualityReadout(digits, samples=0).enabled


def test_the_detectors_reuse_the_readouts_samples_or_take_what_the_share_affords(digits):
    from engine.training.meters import SampleSchedule
    from engine.training.quality_readout import LOOK_SAMPLES, MIN_LOOK_SAMPLES, QualityReadout
    q = QualityReadout(digits, samples=256, n_display=64)
    schedule = SampleSchedule(every=1, budget=0.1)
    assert q.look_samples(10.0, schedule) == (None, LOOK_SAMPLES)      # no grid yet: no price, the default
    schedule.record(0, 0.0, 6.4)                                       # a grid of 64 took 6.4 s: 0.1 s per image
    assert q.look_samples(100.0, schedule) == (None, 100)              # 10 s of share / 0.1 s
    assert q.look_samples(1000.0, schedule) == (None, LOOK_SAMPLES)
    q.spent = 9.0
    assert q.look_samples(100.0, schedule) == (None, 0)                # 10 images < MIN_LOOK_SAMPLES: none
    assert MIN_LOOK_SAMPLES * 0.1 > 10.0 - 9.0
    drawn = torch.rand(256, 1, 8, 8)
    q.drawn = (100.0, drawn)
    samples, n = q.look_samples(100.0, schedule)                       # drawn at this moment: reused
    assert n is None and samples.shape[0] == LOOK_SAMPLES and torch.equal(samples, drawn[:LOOK_SAMPLES])
    assert q.look_samples(101.0, schedule) == (None, 0)                # drawn at another moment: priced


def test_a_final_readout_that_would_dwarf_the_run_is_skipped_with_a_reason(digits, tmp_path):
    """A PixelCNN draws one sub-pixel per network pass (64 for an 8x8 digit; a grid of one image prices one
    image at all of them): 100000 samples cost minutes on any CPU, far more than half of a 0.3 s run and than
    the seconds a final figure may always take. The run ends without drawing them and says why."""
    from engine.events import LogMessage
    cfg = RunConfig(family="ar").with_overrides([
        "data.name=digits", "model.image_net=pixelcnn", "model.width=16", "model.layers=1", "train.steps=100000000",
        "train.time_limit=0.3", "train.batch_size=16", "train.quality_samples=100000", "train.n_display=1",
        "train.eval_every=0", "train.eval_limit=20", "train.checkpoint_seconds=0"])
    trainer = Trainer(cfg, tmp_path / "run", dataset=digits)
    events = list(trainer.events(Controls(interactive=False)))
    final = next(ev for ev in events if isinstance(ev, TrainingFinished))
    assert "frechet" not in final.metrics and final.metrics.get("bits_per_dim") is not None
    notes = [ev.text for ev in events if isinstance(ev, LogMessage) and "no quality figure" in ev.text]
    assert len(notes) == 1 and "genlab eval RUN --quality 100000" in notes[0]
