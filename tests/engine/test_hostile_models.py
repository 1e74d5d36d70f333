"""Checkpoints with wrong contents and models too large for the machine (issue 18, kinds 4 and 5).

A valid safetensors file with the right checksum can still hold the wrong tensors; each case here is
built by rewriting a real checkpoint (and its sidecar's size and SHA-256, as a careful attacker
would) and must fall back to the older good checkpoint beside it. A sidecar asking for a huge model,
and settings too large together, are refused from an estimate made on the meta device, which
allocates nothing (measured here), before any model is built."""

from __future__ import annotations

import hashlib
import json
import resource
from pathlib import Path

import pytest
import torch
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save

from engine.models.registry import model_class
from engine.runs.checkpoint import latest_checkpoint, load_checkpoint
from engine.errors import CheckpointError
from tests.engine.hostile_helpers import copy_run, newest, run_cli
from tests.engine.runs_helpers import tiny_config, train


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    run = tmp_path_factory.mktemp("hostile-models") / "good"
    train(tiny_config("gan", steps=12, checkpoint_every=6, sample_every=6), run)
    return run


def rewrite(sidecar: Path, tensors=None, meta_edit=None) -> None:
    """Replace a checkpoint's tensors and/or sidecar fields, keeping size and SHA-256 consistent."""
    meta = json.loads(sidecar.read_text())
    path = sidecar.with_name(meta["file"])
    if tensors is not None:
        blob = st_save(tensors(st_load(path.read_bytes())), metadata={"format": "genlab-checkpoint"})
        path.write_bytes(blob)
        meta.update(bytes=len(blob), sha256=hashlib.sha256(blob).hexdigest())
    if meta_edit is not None:
        meta_edit(meta)
    sidecar.write_text(json.dumps(meta))


def _first_weight(t):
    return next(k for k in t if k.startswith("model/") and t[k].dim() == 2)


def wrong_shape(t):
    k = _first_weight(t)
    t[k] = torch.zeros(t[k].shape[0] + 1, t[k].shape[1])
    return t


def missing_key(t):
    del t[_first_weight(t)]
    return t


def wrong_dtype(t):
    k = _first_weight(t)
    t[k] = t[k].to(torch.float64)
    return t


def float_rng(t):
    t["rng/train"] = t["rng/train"].float()
    return t


def short_rng(t):
    t["rng/torch_global"] = t["rng/torch_global"][:100].clone()
    return t


def optim_shape(t):
    k = next(k for k in t if k.startswith("optim/") and t[k].dim() >= 1 and t[k].numel() > 1)
    t[k] = torch.zeros(7)
    return t


def stray_tensor(t):
    t["evil/x"] = torch.zeros(3)
    return t


def bad_groups(meta):
    meta["optimizers"]["g"]["param_groups"][0]["lr"] = "fast"


def extra_group(meta):
    meta["optimizers"]["g"]["param_groups"].append(dict(meta["optimizers"]["g"]["param_groups"][0]))


def wrong_params(meta):
    meta["optimizers"]["d"]["param_groups"][0]["params"] = [0, 0, 999]


def betas_text(meta):
    meta["optimizers"]["d"]["param_groups"][0]["betas"] = ["a", "b"]


def trainer_step(meta):
    meta["trainer"]["step"] = "twelve"


def trainer_order(meta):
    meta["trainer"]["sampler"] = {"order": [1, "x"], "pos": 0}


def no_optimiser(meta):
    meta["optimizers"] = {}


CASES = {"wrong shape": (wrong_shape, None), "missing key": (missing_key, None), "float64 weight": (wrong_dtype, None),
         "float generator state": (float_rng, None), "short global state": (short_rng, None),
         "optimiser tensor shape": (optim_shape, None), "stray tensor": (stray_tensor, None),
         "lr as text": (None, bad_groups), "extra group": (None, extra_group), "wrong params": (None, wrong_params),
         "betas as text": (None, betas_text), "trainer step text": (None, trainer_step),
         "sampler order": (None, trainer_order), "no optimiser": (None, no_optimiser)}


@pytest.mark.parametrize("case", sorted(CASES))
def test_wrong_contents_fall_back_to_the_older_checkpoint(good, tmp_path, case):
    run = copy_run(good, tmp_path / "run")
    sidecar = newest(run / "checkpoints", "ckpt_*.json")
    tensors, meta_edit = CASES[case]
    rewrite(sidecar, tensors, meta_edit)
    with pytest.raises(CheckpointError, match=sidecar.stem):
        load_checkpoint(sidecar)
    assert latest_checkpoint(run / "checkpoints").step == 6


@pytest.mark.parametrize("case", ["float generator state", "lr as text", "wrong shape"])
def test_the_cli_resumes_and_samples_from_the_older_checkpoint(good, tmp_path, case):
    run = copy_run(good, tmp_path / "run")
    tensors, meta_edit = CASES[case]
    rewrite(newest(run / "checkpoints", "ckpt_*.json"), tensors, meta_edit)
    r = run_cli(["sample", "--run", str(run), "-n", "4", "-o", str(tmp_path / "s.npy")])
    assert r.rc == 0 and "step 6" in r.stderr, r.stderr
    r.check_bounds()
    r = run_cli(["train", "--resume", str(run), "--steps", "2", "--quiet"])
    assert r.rc == 0, r.stderr
    r.check_bounds()


# ---- 5. models too large together ------------------------------------------------------------------------------
def huge_sidecar(meta):
    meta["init_args"]["config"].update(hidden=4096, depth=8, latent_dim=512)


def test_a_small_checkpoint_whose_sidecar_asks_for_a_huge_model_is_refused_unbuilt(good, tmp_path):
    run = copy_run(good, tmp_path / "run")
    sidecar = newest(run / "checkpoints", "ckpt_*.json")
    rewrite(sidecar, None, huge_sidecar)
    with pytest.raises(CheckpointError, match="parameters"):
        load_checkpoint(sidecar)
    r = run_cli(["sample", "--run", str(run), "-n", "4", "-o", str(tmp_path / "s.npy")])
    assert r.rc == 0 and "step 6" in r.stderr, r.stderr   # the older, good one
    r.check_bounds()
    for old in sorted((run / "checkpoints").glob("ckpt_*"))[:2]:
        old.unlink()                                           # now only the lying one is left
    r = run_cli(["eval", "--run", str(run), "--json"])
    r.check_refused(str(run))


def test_the_meta_estimate_allocates_nothing():
    """The largest VAE on the largest pictures, estimated for a batch of 256: terabytes on paper, a few
    megabytes in fact (the process's peak resident memory barely moves)."""
    from engine.models.size_guard import estimate
    spec = {"kind": "image", "shape": [4, 1024, 1024], "value_range": [0.0, 1.0], "levels": 256,
            "num_classes": 0, "class_names": [], "name": "x"}
    args = {"spec": spec, "config": {"hidden": 4096, "depth": 8, "width": 512, "latent_dim": 512},
            "preprocess": None}
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    est = estimate(model_class("vae"), args, batch=256)
    grew_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert est.total(training=True) > 2**40 and est.parameters > 10**9
    assert grew_mb < 200, f"the estimate itself took {grew_mb:.0f} MB"


@pytest.mark.parametrize("family,kind", [("vae", "image"), ("gan", "points"), ("ar", "image"), ("flow", "points"),
                                         ("diffusion", "image")])
def test_the_estimate_is_close_to_a_real_training_step(family, kind):
    """Estimate versus the memory a real step takes (weights, gradients, Adam state, activations):
    within a factor of three either way, for every family (allocator slack and kernels' scratch aside)."""
    import gc
    import dataclasses
    from engine.models.base import Batch
    from engine.models.registry import config_class, model_class
    from engine.models.size_guard import estimate
    from tests.engine.runs_helpers import TINY_MODELS
    spec = ({"kind": "points", "shape": [2], "value_range": [-1e30, 1e30], "levels": None, "num_classes": 0,
             "class_names": [], "name": "x"} if kind == "points" else
            {"kind": "image", "shape": [1, 16, 16], "value_range": [0.0, 1.0], "levels": 256, "num_classes": 0,
             "class_names": [], "name": "x"})
    cfg = {**dataclasses.asdict(config_class(family)()), **TINY_MODELS[family]}
    batch = 512 if kind == "points" else 64
    est = estimate(model_class(family), {"spec": spec, "config": cfg, "preprocess": None}, batch)
    gc.collect()
    import tracemalloc  # torch's CPU allocations are not traced by tracemalloc: count tensors instead
    del tracemalloc
    model = model_class(family)(spec, cfg, None)
    model.configure_optimizers(1e-3)
    x = torch.rand((batch,) + tuple(spec["shape"]))
    peak = {"live": 0, "max": 0}
    from torch.utils._python_dispatch import TorchDispatchMode
    import weakref

    class Count(TorchDispatchMode):   # live bytes of real tensors created during the real step
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            out = func(*args, **(kwargs or {}))
            ins = {id(a) for a in torch.utils._pytree.tree_flatten((args, kwargs))[0]}
            for t in torch.utils._pytree.tree_flatten(out)[0]:
                if isinstance(t, torch.Tensor) and id(t) not in ins and not t._is_view():
                    n = t.untyped_storage().nbytes()
                    peak["live"] += n
                    peak["max"] = max(peak["max"], peak["live"])
                    weakref.finalize(t, lambda n=n: peak.__setitem__("live", peak["live"] - n))
            return out
    with Count():
        model.training_step(Batch(x, None), torch.Generator().manual_seed(0))
    real = peak["max"] + sum(p.numel() * p.element_size() for p in model.parameters())
    assert real / 3 < est.total(training=True) < real * 3, (est, real)


def test_settings_too_large_together_are_refused_before_building(tmp_path):
    """Every setting within its range; together an image VAE of hundreds of gigabytes. Refused in
    seconds, with the estimate in the message, and the run folder never created."""
    import numpy as np
    np.save(tmp_path / "small.npy", np.random.default_rng(0).integers(0, 256, (20, 8, 8, 3), dtype=np.uint8))
    r = run_cli(["train", "--model", "vae", "--data", str(tmp_path / "small.npy"), "--out", str(tmp_path / "r"),
                 "--set", "data.image_size=1024", "--set", "model.hidden=4096", "--set", "model.depth=8",
                 "--set", "model.width=512", "--set", "train.batch_size=256", "--steps", "1"])
    r.check_refused("this model would need", "parameters", "activations", "free")
    assert not (tmp_path / "r").exists()


def test_a_memory_cap_refuses_a_model_that_fits_elsewhere(tmp_path):
    """GENLAB_MEMORY_LIMIT caps what a run may take: a model of about 1 GB is refused under 256 MB."""
    r = run_cli(["train", "--model", "vae", "--data", "moons", "--out", str(tmp_path / "r"),
                 "--set", "model.hidden=4096", "--set", "model.depth=8", "--steps", "1"],
                env={"GENLAB_MEMORY_LIMIT": "256M"})
    r.check_refused("this model would need", "256 MB")
    assert not (tmp_path / "r").exists()
