"""One contract over every registered family, on points and on images."""

import math

import pytest
import torch

from engine.config import DataConfig
from engine.data import load_dataset
from engine.data.preprocess import Preprocess
from engine.models.base import CAPABILITIES, LIKELIHOOD_KINDS, Batch, CapabilityError
from engine.models.registry import available_families, build_model, config_class, model_from_init_args
from engine.training.snapshot import take_snapshot

DATASETS = {}


def dataset(name):
    if name not in DATASETS:
        DATASETS[name] = load_dataset(DataConfig(name=name, n_train=512, n_test=128))
    return DATASETS[name]


def make(family, data, conditional=False):
    ds = dataset(data)
    pre = Preprocess.fit(ds.x_train, "standardize") if ds.spec.kind == "points" else Preprocess()
    cfg = config_class(family)()
    cfg.conditional = conditional
    model = build_model(family, ds.spec, cfg, pre.to_dict())
    model.configure_optimizers(1e-3)
    return ds, model


CASES = [(f, d) for f in available_families() for d in ("moons", "digits")]


@pytest.mark.parametrize("family,data", CASES)
def test_training_step_gives_finite_losses_and_reaches_every_parameter(family, data):
    ds, model = make(family, data)
    gen = torch.Generator().manual_seed(0)
    batch = Batch(ds.x_train[:32], ds.y_train[:32] if ds.y_train is not None else None)
    seen = set()
    for _ in range(3):  # families that alternate (GAN) touch every part within a few steps
        losses = model.training_step(batch, gen)
        assert "loss" in losses
        for k, v in losses.items():
            assert v.dim() == 0 and math.isfinite(float(v)), (k, v)
            assert not v.requires_grad
        for name, p in model.named_parameters():
            if p.requires_grad and p.grad is not None and torch.isfinite(p.grad).all() and p.grad.abs().sum() > 0:
                seen.add(name)
    missing = [n for n, p in model.named_parameters() if p.requires_grad and n not in seen]
    assert not missing, f"no gradient reached {missing}"


@pytest.mark.parametrize("family,data", CASES)
def test_sample_shapes_and_data_space(family, data):
    ds, model = make(family, data)
    x = model.sample(7, generator=torch.Generator().manual_seed(1))
    assert x.shape == (7, *ds.spec.shape)
    assert torch.isfinite(x).all()
    assert not x.requires_grad
    if ds.spec.kind == "image":
        assert x.min() >= 0 and x.max() <= 1


@pytest.mark.parametrize("family,data", CASES)
def test_state_dict_round_trip_rebuilds_the_same_model(family, data):
    ds, model = make(family, data)
    model.training_step(Batch(ds.x_train[:16], ds.y_train[:16] if ds.y_train is not None else None),
                        torch.Generator().manual_seed(0))
    clone = model_from_init_args(model.family, model.init_args)
    clone.load_state_dict(model.state_dict())
    a = model.sample(5, generator=torch.Generator().manual_seed(3))
    b = clone.sample(5, generator=torch.Generator().manual_seed(3))
    assert torch.allclose(a, b, atol=1e-5)


@pytest.mark.parametrize("family,data", CASES)
def test_snapshot_is_unchanged_by_further_training(family, data):
    ds, model = make(family, data)
    batch = Batch(ds.x_train[:16], ds.y_train[:16] if ds.y_train is not None else None)
    gen = torch.Generator().manual_seed(0)
    model.training_step(batch, gen)
    snap = take_snapshot(model, 1)
    frozen = {k: v.clone() for k, v in snap.state.items()}
    for _ in range(2):
        model.training_step(batch, gen)
    for k, v in snap.state.items():
        assert torch.equal(v, frozen[k]), k
        live = model.state_dict()[k]
        if v.numel() and live.dtype.is_floating_point:
            assert v.data_ptr() != live.data_ptr()


@pytest.mark.parametrize("family,data", CASES)
def test_capabilities_are_present_exactly_where_declared(family, data):
    ds, model = make(family, data)
    assert model.capabilities <= CAPABILITIES
    gen = torch.Generator().manual_seed(0)
    x = ds.x_test[:4]
    checks = {
        "latent": lambda: model.decode(torch.randn(3, *model.latent_shape())),
        "encode": lambda: model.encode(x, generator=gen),
        "log_likelihood": lambda: model.log_likelihood(x, generator=gen),
        "trajectory": lambda: model.trajectory(2, generator=gen),
        "completion": lambda: model.complete(x, torch.ones_like(x, dtype=torch.bool), generator=gen),
    }
    for cap, call in checks.items():
        if cap in model.capabilities:
            out = call()
            if cap == "latent":
                assert out.shape == (3, *ds.spec.shape)
            if cap == "encode":
                assert "latent" in model.capabilities
                assert out.shape == (4, *model.latent_shape())
        else:
            with pytest.raises(CapabilityError):
                call()
    if "log_likelihood" in model.capabilities:
        assert model.likelihood_kind in LIKELIHOOD_KINDS
        ll = model.log_likelihood(x, generator=gen)
        assert ll.shape == (4,) and torch.isfinite(ll).all()
    else:
        assert model.likelihood_kind is None


@pytest.mark.parametrize("family", available_families())
def test_class_conditional_variant_samples_the_asked_class(family):
    ds, model = make(family, "digits", conditional=True)
    assert model.conditional
    gen = torch.Generator().manual_seed(0)
    model.training_step(Batch(ds.x_train[:16], ds.y_train[:16]), gen)
    x = model.sample(3, generator=gen, labels=torch.full((3,), 7))
    assert x.shape == (3, 1, 8, 8)
