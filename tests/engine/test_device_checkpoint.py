"""Checkpoints are device-independent (issue 16): a run saved where its random generators lived on another
kind of device (a CUDA generator's 16-byte Philox state, which a CPU generator refuses) loads, resumes and
samples here. The foreign state is simulated on the CPU by rewriting a real checkpoint's generator state
(and its sidecar's hash, so the checkpoint still verifies)."""

from __future__ import annotations

import hashlib
import json
import shutil
import struct

import pytest
import torch
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save

from engine.events import LogMessage, TrainingFinished
from engine.runs.checkpoint import latest_checkpoint, list_checkpoints, reseed_value, restore_generators
from engine.training.loop import Controls, Trainer
from tests.engine.runs_helpers import tiny_config, train


def philox_state(seed: int, offset: int) -> torch.Tensor:
    """What ``torch.Generator("cuda").get_state()`` holds: the seed and the offset, 8 bytes each."""
    return torch.frombuffer(bytearray(struct.pack("<QQ", seed, offset)), dtype=torch.uint8).clone()


def make_foreign(sidecar, names=("model", "sample", "eval")) -> None:
    """Rewrite a checkpoint as if its device generators had been CUDA ones."""
    meta = json.loads(sidecar.read_text())
    tensor_path = sidecar.with_name(meta["file"])
    tensors = dict(st_load(tensor_path.read_bytes()))
    for name in names:
        tensors[f"rng/{name}"] = philox_state(1234 + len(name), 4096)
    blob = st_save(tensors, metadata={"format": "genlab-checkpoint", "step": str(meta["step"])})
    tensor_path.write_bytes(blob)
    meta.update(bytes=len(blob), sha256=hashlib.sha256(blob).hexdigest(),
                rng_devices={**meta.get("rng_devices", {}), **{n: "cuda" for n in names}})
    sidecar.write_text(json.dumps(meta))


def test_a_native_state_is_restored_and_a_foreign_one_reseeded_from_seed_and_step():
    native = torch.Generator().manual_seed(5)
    torch.randn(10, generator=native)
    saved = native.get_state()
    gens = {"a": torch.Generator(), "b": torch.Generator()}
    notes = restore_generators(gens, {"a": saved, "b": philox_state(1, 2)}, {"a": 0, "b": 77}, step=40)
    assert torch.equal(gens["a"].get_state(), saved)
    assert torch.equal(gens["b"].get_state(), torch.Generator().manual_seed(reseed_value(77, 40)).get_state())
    assert len(notes) == 1 and "'b'" in notes[0] and "re-seeded" in notes[0]
    assert reseed_value(77, 40) != reseed_value(77, 41) != reseed_value(78, 40)


@pytest.mark.parametrize("family,data", [("vae", "moons"), ("diffusion", "digits")])
def test_a_run_saved_with_foreign_generator_states_resumes_and_samples(family, data, tmp_path):
    cfg = tiny_config(family, data, steps=20, log_every=5, checkpoint_every=10, n_display=4, eval_limit=16)
    run = tmp_path / "run"
    train(cfg, run, stop_at=10)
    sidecar = list_checkpoints(run / "checkpoints")[-1]
    saved = latest_checkpoint(run / "checkpoints")
    assert saved.step == 10 and json.loads(sidecar.read_text())["rng_devices"]["model"] == "cpu"
    make_foreign(sidecar)
    copy = tmp_path / "copy"
    shutil.copytree(run, copy)

    finals = []
    for folder in (run, copy):
        trainer = Trainer(cfg, folder, resume=True)
        assert trainer.step == 10
        # the data order and the global generator are restored exactly; the device generators re-seeded
        assert trainer.sampler.state() == saved.trainer["sampler"]
        assert torch.equal(trainer.gen_train.get_state(), saved.rng_states["train"])
        assert torch.equal(trainer.gen_model.get_state(),
                           torch.Generator().manual_seed(reseed_value(trainer.seeds["model"], 10)).get_state())
        events = list(trainer.events(Controls(interactive=False)))
        # one warning per generator the checkpoint held (other warnings, e.g. the live detectors', aside)
        warnings = [e.text for e in events if isinstance(e, LogMessage) and e.level == "warning"
                    and "random generator" in e.text]
        assert len(warnings) == 3 and all("re-seeded" in w for w in warnings), warnings
        assert isinstance(events[-1], TrainingFinished) and events[-1].step == 20
        x = trainer.model.sample(3, generator=trainer.gen_sample)
        assert torch.isfinite(x).all()
        finals.append({k: v.clone() for k, v in trainer.model.state_dict().items()})
    # re-seeding depends only on the checkpoint: two resumes of it train identically
    for k in finals[0]:
        assert torch.equal(finals[0][k], finals[1][k]), k


@pytest.mark.cuda
def test_a_cpu_checkpoint_resumes_on_cuda(tmp_path):
    """The reverse direction, on a machine with CUDA: CPU generator states into CUDA generators."""
    cfg = tiny_config("vae", "moons", steps=20, log_every=5, checkpoint_every=10, device="cpu")
    train(cfg, tmp_path, stop_at=10)
    cfg.train.device = "cuda"
    trainer = Trainer(cfg, tmp_path, resume=True)
    events = list(trainer.events(Controls(interactive=False)))
    assert isinstance(events[-1], TrainingFinished) and events[-1].step == 20
    assert any(isinstance(e, LogMessage) and "re-seeded" in e.text for e in events)
