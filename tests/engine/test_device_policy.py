"""The device policy of ``engine.devices`` (issue 16) as pure decisions on described devices, and the parts
of it that run here: the fp16 gradient scaler's path through ``optimizer_step`` on the CPU, batches
gathered on the device or sent per step, and the device-only checks marked to skip without one."""

from __future__ import annotations

import pytest
import torch

from engine.devices import (AmpPolicy, DeviceCaps, amp_policy, backend_flags, device_generator,
                            keep_data_on_device, peak_memory_bytes, to_device)
from engine.models.base import Batch
from engine.training.batches import BatchSource
from tests.engine.test_contract import make

GIB = 2 ** 30


# ---- decisions ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("caps,requested,expected", [
    (DeviceCaps("cuda", bf16=True), True, AmpPolicy(torch.bfloat16, scaler=False)),     # Ampere and later
    (DeviceCaps("cuda", bf16=False), True, AmpPolicy(torch.float16, scaler=True)),      # Turing, Volta, Pascal
    (DeviceCaps("cuda", bf16=True, hip=True), True, AmpPolicy(torch.bfloat16)),         # ROCm (MI200+)
    (DeviceCaps("cuda", bf16=True), False, AmpPolicy()),                                # train.amp=false
    (DeviceCaps("mps"), True, AmpPolicy()),
    (DeviceCaps("cpu"), True, AmpPolicy()),
])
def test_mixed_precision_per_device(caps, requested, expected):
    policy = amp_policy(caps, requested)
    assert policy == expected
    assert policy.enabled == (expected.dtype is not None)


def test_backend_flags_per_device():
    assert backend_flags(DeviceCaps("cuda", tf32=True)) == backend_flags(DeviceCaps("cuda", tf32=True, bf16=True))
    ampere = backend_flags(DeviceCaps("cuda", tf32=True))
    assert ampere.cudnn_benchmark and ampere.tf32
    turing = backend_flags(DeviceCaps("cuda", tf32=False))
    assert turing.cudnn_benchmark and not turing.tf32
    assert not backend_flags(DeviceCaps("cuda", tf32=True, hip=True)).cudnn_benchmark   # no cudnn on ROCm
    for kind in ("cpu", "mps"):
        flags = backend_flags(DeviceCaps(kind))
        assert not flags.cudnn_benchmark and not flags.tf32


def test_the_training_set_stays_on_the_device_only_when_it_fits():
    assert keep_data_on_device(DeviceCaps("cpu"), 100 * GIB)                    # the same memory
    assert keep_data_on_device(DeviceCaps("cuda", free_bytes=8 * GIB), 2 * GIB)     # a quarter of free memory
    assert not keep_data_on_device(DeviceCaps("cuda", free_bytes=8 * GIB), 2 * GIB + 1)
    assert not keep_data_on_device(DeviceCaps("cuda", free_bytes=None), 1)       # unknown: per batch
    assert keep_data_on_device(DeviceCaps("mps"), 200 * 2 ** 20)
    assert not keep_data_on_device(DeviceCaps("mps"), 2 * GIB)


def test_generators_and_copies_on_the_cpu():
    cpu = torch.device("cpu")
    assert device_generator(cpu, 3).device == cpu
    x = torch.arange(5)
    assert to_device(x, cpu) is x                   # no copy where host and device are one
    assert peak_memory_bytes(cpu) is None


@pytest.mark.parametrize("on_device", [True, False])
def test_batches_are_the_same_wherever_the_set_lives(on_device):
    x, y = torch.randn(50, 3), torch.arange(50)
    source = BatchSource(x, y, torch.device("cpu"), on_device)
    idx = torch.tensor([4, 0, 49, 4])
    batch = source.batch(idx)
    assert isinstance(batch, Batch)
    assert torch.equal(batch.x, x[idx]) and torch.equal(batch.y, y[idx])


# ---- the fp16 scaler path, run on the CPU ------------------------------------------------------------------------
@pytest.mark.parametrize("family,clip", [("vae", 0.0), ("gan", 1.0)])
def test_the_gradient_scaler_path_steps_exactly_like_the_plain_one(family, clip):
    """GradScaler multiplies the loss by a power of two and divides the gradients by it again, both exact
    in floating point, so a step through it moves every weight exactly as a plain step (no overflow here).
    Autocast itself stays off on the CPU (the policy); the scaler's own path is what runs."""
    ds, plain = make(family, "moons")
    _, scaled = make(family, "moons")
    scaled.load_state_dict(plain.state_dict())
    for m in (plain, scaled):
        m.configure_optimizers(1e-3)
        m.grad_clip = clip
    scaled.amp = AmpPolicy(torch.float16, scaler=True)
    assert scaled.amp_dtype() is None                        # no autocast off CUDA
    batch = Batch(ds.x_train[:32], None)
    for step in range(3):
        a = plain.training_step(batch, torch.Generator().manual_seed(step))
        b = scaled.training_step(batch, torch.Generator().manual_seed(step))
        assert torch.equal(a["loss"], b["loss"])
    assert scaled._scalers and all(s.get_scale() == 2.0 ** 16 for s in scaled._scalers.values())
    for (k, p), q in zip(plain.state_dict().items(), scaled.state_dict().values()):
        torch.testing.assert_close(p, q, rtol=0, atol=0, msg=k)


def test_a_gradient_overflow_skips_the_step_and_lowers_the_scale():
    ds, model = make("vae", "moons")
    model.amp = AmpPolicy(torch.float16, scaler=True)
    model.configure_optimizers(1e-3)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    x = ds.x_train[:16]
    loss = model.encoder(x).sum() * float("inf")
    model.optimizer_step("main", loss)
    assert model._scalers["main"].get_scale() < 2.0 ** 16
    for k, v in model.state_dict().items():
        assert torch.equal(v, before[k]), k


# ---- on a GPU (skipped cleanly without one) -------------------------------------------------------------------
@pytest.mark.cuda
def test_the_policy_reads_this_cuda_device():
    from engine.devices import device_caps
    caps = device_caps(torch.device("cuda"))
    assert caps.type == "cuda" and caps.free_bytes and caps.free_bytes > 0
    assert amp_policy(caps, True).dtype == (torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16)


@pytest.mark.cuda
def test_a_pinned_non_blocking_copy_arrives_intact():
    x = torch.arange(1000)
    y = to_device(x, torch.device("cuda"))
    assert y.device.type == "cuda" and torch.equal(y.cpu(), x)


@pytest.mark.mps
def test_every_family_trains_a_step_on_mps():
    from engine.models.registry import families
    for family in families():
        ds, model = make(family, "digits")
        model.to("mps")
        losses = model.training_step(Batch(ds.x_train[:8].to("mps"), None), torch.Generator().manual_seed(0))
        assert torch.isfinite(losses["loss"]).item()
