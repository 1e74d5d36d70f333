"""The latent explorer: its own model from snapshots, on its own thread, latest request wins, and
training does not notice it."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
import torch

from engine.data.spec import DataSpec
from engine.interrupt import check_interrupt
from engine.latent import LatentExplorer, jobs
from engine.latent.isolation import build_from_snapshot
from engine.models.registry import build_model, config_class
from engine.training.snapshot import take_snapshot

IMAGES = DataSpec(kind="image", shape=(1, 8, 8), value_range=(0.0, 1.0), levels=17, num_classes=10)
POINTS = DataSpec(kind="points", shape=(2,), value_range=(-3.0, 3.0))


class Collector:
    def __init__(self):
        self.results = []
        self.lock = threading.Lock()

    def __call__(self, result):
        with self.lock:
            self.results.append(result)

    def of(self, kind):
        with self.lock:
            return [r for r in self.results if r.kind == kind]


@pytest.fixture
def explorer():
    got = Collector()
    ex = LatentExplorer(got)
    ex.got = got
    yield ex
    assert ex.close(5.0)


def _model(family, spec=IMAGES, **cfg):
    c = config_class(family)()
    for k, v in cfg.items():
        setattr(c, k, v)
    torch.manual_seed(3)
    return build_model(family, spec, c)


def test_decode_equals_the_engines_decode_from_the_same_snapshot(explorer):
    model = _model("vae", latent_dim=2)
    snap = take_snapshot(model, 11)
    explorer.set_snapshot(snap)
    z = np.array([0.7, -1.3])
    rid = explorer.decode(z, tag="t")
    assert explorer.wait_idle(30)
    (res,) = explorer.got.of("decode")
    assert res.request_id == rid and res.tag == "t" and res.step == 11 and res.error is None
    ref = snap.build_model().decode(torch.from_numpy(z[None].astype(np.float32)))
    assert np.array_equal(res.data.values, jobs.images_uint8(ref))
    assert res.data.values.dtype == np.uint8 and res.data.values.shape == (1, 8, 8)


@pytest.mark.parametrize("family", ["vae", "gan", "ar", "flow", "diffusion"])
@pytest.mark.parametrize("spec", [POINTS, IMAGES], ids=["points", "images"])
def test_building_the_explorers_model_never_reads_the_global_generator(family, spec):
    """Training's dropout draws from torch's global generator: the explorer must leave it alone."""
    model = _model(family, spec)
    snap = take_snapshot(model, 1)
    torch.manual_seed(123)
    before = torch.random.get_rng_state().clone()
    built = build_from_snapshot(snap, torch.Generator().manual_seed(9))
    assert torch.equal(before, torch.random.get_rng_state())
    for (k, a), b in zip(model.state_dict().items(), built.state_dict().values()):
        assert torch.equal(a, b), k


def test_latest_request_wins_and_urgent_requests_go_first(explorer):
    explorer.set_snapshot(take_snapshot(_model("vae", latent_dim=2), 1))
    gate = threading.Event()
    started = threading.Event()

    def blocker(ctx):
        started.set()
        gate.wait(10)
        return "done"
    explorer.submit("embed", blocker)
    assert started.wait(10)
    explorer.grid(np.zeros((4, 2)), 2)
    ids = [explorer.decode(np.array([0.1 * i, 0.0])) for i in range(30)]
    gate.set()
    assert explorer.wait_idle(30)
    decodes = explorer.got.of("decode")
    assert [r.request_id for r in decodes] == [ids[-1]]            # 29 stale requests never ran
    np.testing.assert_allclose(decodes[0].data.latents, [[2.9, 0.0]])
    kinds = [r.kind for r in explorer.got.results]
    assert kinds == ["embed", "decode", "grid"]                    # the decode overtook the waiting grid


def test_a_running_job_is_cut_short_by_newer_and_more_urgent_requests(explorer):
    explorer.set_snapshot(take_snapshot(_model("vae", latent_dim=2), 1))
    runs = []

    def slow(name):
        def job(ctx):
            runs.append(name)
            for _ in range(150):
                check_interrupt()
                time.sleep(0.005)
            return name
        return job
    explorer.submit("grid", slow("first"))
    while not runs:
        time.sleep(0.01)
    explorer.submit("grid", slow("second"))          # the first is stale now: interrupted, dropped
    while len(runs) < 2:
        time.sleep(0.01)
    explorer.decode(np.zeros(2))                     # more urgent: the second is paused, retried after
    assert explorer.wait_idle(30)
    assert [r.data for r in explorer.got.of("grid")] == ["second"]
    assert runs == ["first", "second", "second"]
    assert [r.kind for r in explorer.got.results] == ["decode", "grid"]


def test_a_failing_job_reports_an_error_and_the_explorer_goes_on(explorer):
    explorer.set_snapshot(take_snapshot(_model("gan", latent_dim=4), 1))
    explorer.encode(np.zeros((1, 1, 8, 8)))          # a GAN has no encoder
    explorer.decode(np.zeros(4))
    assert explorer.wait_idle(30)
    (enc,) = explorer.got.of("encode")
    assert enc.data is None and "no encode" in enc.error
    assert explorer.got.of("decode")[0].error is None


def test_new_snapshots_load_into_the_same_instance(explorer):
    model = _model("vae", latent_dim=2)
    explorer.set_snapshot(take_snapshot(model, 1))
    explorer.decode(np.zeros(2))
    assert explorer.wait_idle(30)
    first = explorer.model
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.5)
    snap2 = take_snapshot(model, 2)
    explorer.set_snapshot(snap2)
    explorer.decode(np.zeros(2))
    assert explorer.wait_idle(30)
    assert explorer.model is first and explorer.step == 2 and explorer.loads == 2
    a, b = explorer.got.of("decode")
    assert b.step == 2 and not np.array_equal(a.data.values, b.data.values)
    ref = snap2.build_model().decode(torch.zeros(1, 2))
    assert np.array_equal(b.data.values, jobs.images_uint8(ref))


@pytest.mark.parametrize("spec", [POINTS, IMAGES], ids=["points", "images"])
def test_flow_encode_then_decode_reproduces_the_input(explorer, spec):
    model = _model("flow", spec, layers=2, hidden=16, width=8, steps=1, scales=1, conditional=False)
    explorer.set_snapshot(take_snapshot(model, 5))
    rng = np.random.default_rng(0)
    if spec.kind == "image":
        x = (rng.integers(0, 17, (3, 1, 8, 8)) / 16.0).astype(np.float32)
    else:
        x = rng.standard_normal((3, 2)).astype(np.float32)
    explorer.encode(x)
    assert explorer.wait_idle(30)
    z = explorer.got.of("encode")[0].data
    assert z.shape == (3, int(np.prod(spec.shape)))
    explorer.decode(z)
    assert explorer.wait_idle(30)
    out = explorer.got.of("decode")[0].data.values
    if spec.kind == "image":
        assert np.array_equal(out, jobs.images_uint8(torch.from_numpy(x)))   # exactly, on the level grid
    else:
        np.testing.assert_allclose(out, x, atol=1e-4)


@pytest.mark.parametrize("family,mode", [("vae", "lerp"), ("gan", "slerp")])
def test_interpolation_endpoints_reproduce_the_chosen_latents(explorer, family, mode):
    model = _model(family, latent_dim=3)
    explorer.set_snapshot(take_snapshot(model, 3))
    a, b = np.array([1.0, -0.5, 0.2]), np.array([-0.8, 1.1, 2.0])
    explorer.interpolate(a, b, 6, mode)
    explorer.decode(np.stack([a, b]))
    assert explorer.wait_idle(30)
    strip = explorer.got.of("interpolate")[0].data
    ends = explorer.got.of("decode")[0].data.values
    assert strip.values.shape == (6, 8, 8) and strip.picture.dtype == np.uint8
    assert np.array_equal(strip.values[0], ends[0]) and np.array_equal(strip.values[-1], ends[1])
    assert not np.array_equal(strip.values[0], strip.values[-1])


def test_diffusion_decodes_with_few_steps_and_encodes_by_ddim_inversion(explorer):
    model = _model("diffusion", POINTS, hidden=32, depth=1, timesteps=100)
    explorer.set_snapshot(take_snapshot(model, 1))
    x = np.array([[0.5, -0.5]], dtype=np.float32)
    explorer.encode(x, steps=10)
    assert explorer.wait_idle(30)
    z = explorer.got.of("encode")[0].data
    explorer.decode(z, steps=3)
    assert explorer.wait_idle(30)
    res = explorer.got.of("decode")[0]
    assert res.data.options == {"steps": 3} and np.isfinite(res.data.values).all()


def test_autoregressive_completion_keeps_the_known_rows(explorer):
    model = _model("ar", width=32, layers=1, heads=2, conditional=False)
    explorer.set_snapshot(take_snapshot(model, 1))
    x = (np.arange(64).reshape(1, 8, 8) % 17 / 16.0).astype(np.float32)
    known = np.zeros((1, 8, 8), bool)
    known[:, :3] = True
    explorer.complete(x, known, n=3, temperature=0.8)
    assert explorer.wait_idle(60)
    c = explorer.got.of("complete")[0].data
    assert c.images.shape == (3, 8, 8) and c.temperature == 0.8
    expected = jobs.images_uint8(torch.from_numpy(x[None]))[0]
    assert (c.images[:, :3] == expected[:3]).all()
    np.testing.assert_array_equal(c.order, np.arange(24, 64))      # the lower rows, in raster order


def test_embed_encodes_a_subsample_and_fits_a_pca_plane(explorer):
    model = _model("vae", latent_dim=5)
    explorer.set_snapshot(take_snapshot(model, 1))
    x = np.random.default_rng(0).random((300, 1, 8, 8)).astype(np.float32)
    y = np.arange(300) % 10
    explorer.embed(x, y, max_points=120)
    assert explorer.wait_idle(60)
    e = explorer.got.of("embed")[0].data
    assert e.latents.shape == (120, 5) and len(e.indices) == 120 and np.array_equal(e.labels, y[e.indices])
    assert e.plane is not None and e.plane.dim == 5


def test_close_interrupts_a_running_job():
    ex = LatentExplorer(None)
    ex.set_snapshot(take_snapshot(_model("vae", latent_dim=2), 1))
    started = threading.Event()

    def forever(ctx):
        started.set()
        while True:
            check_interrupt()
            time.sleep(0.01)
    ex.submit("embed", forever)
    assert started.wait(10)
    assert ex.close(5.0) and not ex.alive
    assert ex.submit("decode", lambda ctx: 1) == -1


def test_a_running_preview_finishes_when_the_pointer_moves_on(explorer):
    """A pointer faster than the model must still see pictures: a non-preemptible decode that is
    running is shown, then the newest request runs (the ones in between never do)."""
    explorer.set_snapshot(take_snapshot(_model("vae", latent_dim=2), 1))
    started = threading.Event()
    release = threading.Event()

    def preview(ctx):
        started.set()
        for _ in range(200):
            check_interrupt()
            if release.is_set():
                break
            time.sleep(0.005)
        return "preview"
    explorer.submit("decode", preview, preemptible=False)
    assert started.wait(10)
    ids = [explorer.decode(np.array([0.1 * i, 0.0])) for i in range(5)]
    release.set()
    assert explorer.wait_idle(30)
    got = explorer.got.of("decode")
    assert [r.data if isinstance(r.data, str) else r.request_id for r in got] == ["preview", ids[-1]]


def test_the_vae_decode_mean_is_the_mean_of_its_discrete_distribution():
    """The sum-of-sigmoids form (cheap enough to decode while a pointer moves) equals the mean
    computed from the level probabilities."""
    from engine.models.likelihoods import discretized_logistic_mean, discretized_logistic_probs
    g = torch.Generator().manual_seed(0)
    mean = torch.rand(4, 1, 6, 6, generator=g) * 1.6 - 0.3
    log_scale = torch.rand(4, 1, 6, 6, generator=g) * -8
    for levels in (2, 17, 256):
        grid = torch.linspace(0, 1, levels)
        slow = (discretized_logistic_probs(mean, log_scale, levels) * grid).sum(-1)
        torch.testing.assert_close(discretized_logistic_mean(mean, log_scale, levels), slow, atol=3e-6, rtol=0)


# ---- the run's device (issue 16) -----------------------------------------------------------------------------
def test_snapshots_carry_the_runs_device_and_the_explorer_follows_what_this_machine_has(explorer):
    import dataclasses
    model = _model("vae", latent_dim=2)
    snap = take_snapshot(model, 3)
    assert snap.device == "cpu"
    # a run on a device this process cannot use (here: a CUDA run on a machine without one): stay on the CPU
    elsewhere = dataclasses.replace(snap, device="cuda:0" if not torch.cuda.is_available() else "cpu")
    explorer.set_snapshot(elsewhere)
    explorer.decode(np.array([0.1, 0.2]))
    assert explorer.wait_idle(30)
    (res,) = explorer.got.of("decode")
    assert res.error is None and explorer.device.type == "cpu" and explorer.model.device.type == "cpu"


@pytest.mark.cuda
def test_the_explorer_decodes_on_the_runs_gpu(explorer):
    model = _model("vae", latent_dim=2).to("cuda")
    snap = take_snapshot(model, 3)
    assert snap.device.startswith("cuda")
    explorer.set_snapshot(snap)
    explorer.decode(np.array([0.1, 0.2]))
    assert explorer.wait_idle(30)
    (res,) = explorer.got.of("decode")
    assert res.error is None and explorer.model.device.type == "cuda"
    ref = snap.build_model().decode(torch.tensor([[0.1, 0.2]]))
    assert np.abs(res.data.values.astype(int) - jobs.images_uint8(ref).astype(int)).max() <= 1
