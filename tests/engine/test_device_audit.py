"""GPU-only mistakes caught on the CPU (issue 16): every family's training step, sampling, evaluation and
latent decode run under ``engine.device_audit.DeviceAudit``, which fails on any float64 tensor (Apple's
MPS has none) and counts host synchronisations (``.item()``/``bool()``/``int()`` of a tensor, blocking
copies, data-dependent shapes).

The training check drives the real ``Trainer`` loop: between two loss reports (``log_every`` steps) the
only syncs allowed are the report's own ``.item()`` per loss term in ``LossMeter.read``; a single sync
inside a step would add ``log_every`` more. The first interval (data-dependent initialisation, state
made on first use) is left out: a run may read the device once when it starts, not at every step.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.device_audit import DeviceAudit, optimizer_host_tensors
from engine.errors import GenLabError
from engine.evaluate import evaluate_nll
from engine.events import StepCompleted
from engine.latent import inside as inside_jobs
from engine.latent import jobs as latent_jobs
from engine.latent.explorer import Context
from engine.models.registry import families
from engine.training.loop import Controls, Trainer
from tests.engine.runs_helpers import tiny_config

LOG_EVERY = 5
CASES = [(f, d) for f in families() for d in ("moons", "digits")]


# ---- the instrument has teeth ----------------------------------------------------------------------------
def test_the_audit_sees_float64_and_each_kind_of_sync():
    x = torch.randn(8)
    with DeviceAudit() as r:
        x.double().sum()
    assert r.float64 and not r.syncs
    for fn, what in [(lambda: x.sum().item(), "scalar read"), (lambda: bool(x[0] > 0), "scalar read"),
                     (lambda: int(x.argmax()), "scalar read"), (lambda: x[x > 0], "boolean-mask"),
                     (lambda: x.nonzero(), "nonzero"), (lambda: x.tolist(), "tolist"),
                     (lambda: x.to("cpu"), "without non_blocking"), (lambda: x.cpu(), "cpu()"),
                     (lambda: torch.tensor([1.0], device="cpu"), "host-to-device")]:
        with DeviceAudit() as r:
            fn()
        assert len(r.syncs) >= 1 and what in r.syncs[0].what, (what, r.summary())
        assert r.syncs[0].where.startswith("tests/engine/test_device_audit.py"), r.syncs[0].where
    with DeviceAudit() as r:
        x.to("cpu", non_blocking=True)
        x.to(torch.float32)
        (x * 2).index_select(0, torch.tensor([1, 2]))
    assert not r.offences, r.summary()


def test_host_side_optimiser_counters_are_no_sync():
    """torch keeps Adam's step counters on the host even for CUDA weights: reading them waits for nothing."""
    w = torch.nn.Parameter(torch.randn(3))
    opt = torch.optim.Adam([w], lr=0.1)
    for _ in range(2):
        opt.zero_grad()
        w.square().sum().backward()
        opt.step()
    w.square().sum().backward()
    with DeviceAudit() as bare:
        opt.step()
    with DeviceAudit(optimizer_host_tensors([opt])) as exempt:
        opt.step()
    assert bare.syncs and not exempt.syncs, (bare.summary(), exempt.summary())


# ---- every family ------------------------------------------------------------------------------------------
def _trainer(family, data, conditional=False):
    cfg = tiny_config(family, data, steps=3 * LOG_EVERY, log_every=LOG_EVERY, sample_every=10 ** 6,
                      eval_every=0, n_display=4, eval_limit=16)
    cfg.data.n_train, cfg.data.n_test = 256, 32
    cfg.model.conditional = conditional
    return Trainer(cfg, None)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("family,data,conditional", [(f, d, False) for f, d in CASES] +
                         [(f, "digits", True) for f in families()] +   # labels: one-hot rows without a sync
                         [(f, "names", False) for f in families()])    # the text kind, where a family has it
def test_training_steps_make_no_float64_and_no_host_sync_between_reports(family, data, conditional, threads):
    torch.set_num_threads(threads)
    try:
        trainer = _trainer(family, data, conditional)
    except GenLabError as e:   # a family that does not model this kind of data (text) says so
        assert data == "names", e
        pytest.skip(f"{family} does not train on text: {e}")
    assert trainer.model.conditional == conditional
    events = trainer.events(Controls(interactive=False))
    first = next(ev for ev in events if isinstance(ev, StepCompleted))
    assert first.step == LOG_EVERY
    with DeviceAudit(optimizer_host_tensors(trainer.model.optimizers.values())) as report:
        ev = next(events)          # LOG_EVERY more steps, then their report
    assert isinstance(ev, StepCompleted) and ev.step == 2 * LOG_EVERY
    assert not report.float64, report.summary("float64")
    outside = [o for o in report.syncs if "engine/training/meters.py" not in o.where]
    assert not outside, report.summary("sync")
    # one read per reported term: the losses, and the gradient norms logged beside them
    assert len(report.syncs) == len(ev.losses) + len(trainer.model.grad_norms), report.summary("sync")
    for _ in events:
        pass


@pytest.mark.parametrize("family,data", CASES)
def test_sampling_evaluation_and_decoding_make_no_float64(family, data):
    trainer = _trainer(family, data)
    for _ in trainer.events(Controls(interactive=False)):
        pass
    model = trainer.model
    with DeviceAudit() as sampling:
        x = model.sample(4, generator=trainer.gen_sample, **model.display_options())
    assert x.dtype == torch.float32 and not sampling.float64, sampling.summary("float64")
    assert not sampling.syncs, sampling.summary("sync")   # sampling leaves its result on the device
    if model.has("log_likelihood"):
        with DeviceAudit() as evaluation:
            metrics = evaluate_nll(model, trainer.dataset.x_test, None, 16, trainer.gen_eval)
        assert np.isfinite(metrics["test_nll_nats"])
        assert not evaluation.float64, evaluation.summary("float64")
        # the only sync: one copy of the per-example values to the host at the end
        assert {o.where for o in evaluation.syncs} <= {o.where for o in evaluation.syncs
                                                       if "engine/evaluate.py" in o.where}, evaluation.summary()
    ctx = Context(model, torch.Generator().manual_seed(0), trainer.step, family, model.spec)
    if model.has("latent"):
        z = np.random.default_rng(0).standard_normal((3, int(np.prod(model.latent_shape()))))
        steps = model.latent_view.decode_steps
        options = {"steps": steps[0]} if steps else {}
        with DeviceAudit() as decoding:
            out = latent_jobs.decode(z, **options)(ctx)
        assert len(out.values) == 3 and not decoding.float64, decoding.summary("float64")
    if model.spec.kind == "points" and (model.has("log_likelihood") or model.has("critic")):
        job = inside_jobs.density if model.has("log_likelihood") else inside_jobs.critic
        with DeviceAudit() as heat, torch.set_grad_enabled(model.inside_view.density_needs_grad):
            result = job((-2.0, 2.0, -2.0, 2.0), n=8)(ctx)
        assert np.isfinite(result.values).all() and not heat.float64, heat.summary("float64")


# ---- on a real GPU (skipped cleanly without one) ----------------------------------------------------------
@pytest.mark.cuda
@pytest.mark.parametrize("family,data", CASES)
def test_on_cuda_training_steps_never_synchronise(family, data):
    """CUDA's own sync detector (``set_sync_debug_mode("error")`` raises on any synchronising call) over
    the steps of one report interval, driven as the loop drives them."""
    trainer = _trainer(family, data)
    trainer.config.train.device = "cuda"
    trainer = Trainer(trainer.config, None)
    events = trainer.events(Controls(interactive=False))
    next(ev for ev in events if isinstance(ev, StepCompleted))
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        for _ in range(LOG_EVERY):
            trainer._train_step(None)
    finally:
        torch.cuda.set_sync_debug_mode(0)
    events.close()


@pytest.mark.cuda
def test_a_cuda_out_of_memory_ends_the_run_with_a_message(tmp_path):
    from engine.errors import TrainingError
    cfg = tiny_config("vae", "moons", steps=30, log_every=5, device="cuda")
    trainer = Trainer(cfg, tmp_path / "run")
    real_step = trainer.model.training_step

    def greedy(batch, generator=None, **kw):
        if trainer.step == 12:
            torch.empty(1 << 46, dtype=torch.uint8, device="cuda")   # 64 TiB: a real CUDA out-of-memory
        return real_step(batch, generator, **kw)
    trainer.model.training_step = greedy
    with pytest.raises(TrainingError) as err:
        for _ in trainer.events(Controls(interactive=False)):
            pass
    assert "memory" in str(err.value) and "batch" in str(err.value)
