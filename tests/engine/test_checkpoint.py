"""Checkpoints: exact round trip, resume equivalence, and survival of interrupted writes."""

import os

import pytest
import torch

from engine import atomic
from engine.errors import CheckpointError
from engine.events import StepCompleted
from engine.runs.checkpoint import latest_checkpoint, list_checkpoints, load_checkpoint
from engine.training.loop import Controls, Trainer
from tests.helpers import small_config


def train(cfg, run_dir, resume=False):
    trainer = Trainer(cfg, run_dir, resume=resume)
    events = list(trainer.events())
    return trainer, [e for e in events if isinstance(e, StepCompleted)]


def test_round_trip_restores_identical_weights_and_optimiser(tmp_path):
    trainer, _ = train(small_config(steps=30), tmp_path / "run")
    ck = latest_checkpoint(tmp_path / "run" / "checkpoints")
    assert ck.step == 30
    for k, v in trainer.model.state_dict().items():
        assert torch.equal(ck.model_state[k], v), k
    opt = trainer.model.optimizers["main"].state_dict()
    for idx, state in opt["state"].items():
        for key, value in state.items():
            assert torch.equal(ck.optim_states["main"]["state"][idx][key], value)
    assert not any(p.suffix == ".tmp" for p in (tmp_path / "run" / "checkpoints").iterdir())


def test_resume_continues_with_the_same_losses_as_an_uninterrupted_run(tmp_path):
    _, full = train(small_config(steps=40, log_every=1), tmp_path / "full")
    half = Trainer(small_config(steps=40, log_every=1), tmp_path / "half")
    controls = Controls(interactive=False)
    for ev in half.events(controls):  # stopped after step 20, as a person pressing Stop would
        if isinstance(ev, StepCompleted) and ev.step == 20:
            controls.request_stop()
    assert half.step == 20
    cfg = small_config(steps=40, log_every=1)
    _, rest = train(cfg, tmp_path / "half", resume=True)
    assert [e.step for e in rest] == list(range(21, 41))
    assert [e.losses for e in rest] == [e.losses for e in full[20:]]


def test_interrupted_write_leaves_the_previous_checkpoint_loadable(tmp_path, monkeypatch):
    trainer, _ = train(small_config(steps=10), tmp_path / "run")
    folder = tmp_path / "run" / "checkpoints"
    good = latest_checkpoint(folder)
    real_fsync = os.fsync

    def dying_fsync(fd):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(atomic.os, "fsync", dying_fsync)
    trainer.step = 11
    with pytest.raises(OSError):
        trainer.save_checkpoint()
    monkeypatch.setattr(atomic.os, "fsync", real_fsync)
    assert not any(p.name.endswith(".tmp") for p in folder.iterdir())
    ck = latest_checkpoint(folder)
    assert ck.step == good.step
    for k, v in good.model_state.items():
        assert torch.equal(ck.model_state[k], v)


def test_a_torn_tensor_file_is_refused_and_the_previous_one_used(tmp_path):
    cfg = small_config(steps=20, checkpoint_every=10, keep_checkpoints=5)
    train(cfg, tmp_path / "run")
    folder = tmp_path / "run" / "checkpoints"
    sidecars = list_checkpoints(folder)
    assert [p.name for p in sidecars] == ["ckpt_000000010.json", "ckpt_000000020.json"]
    newest = sidecars[-1].with_suffix(".safetensors")
    newest.write_bytes(newest.read_bytes()[:100])  # torn
    with pytest.raises(CheckpointError, match="damaged"):
        load_checkpoint(sidecars[-1])
    assert latest_checkpoint(folder).step == 10


def test_checkpoint_pruning_keeps_the_last_k(tmp_path):
    train(small_config(steps=50, checkpoint_every=10, keep_checkpoints=2), tmp_path / "run")
    names = [p.name for p in list_checkpoints(tmp_path / "run" / "checkpoints")]
    assert names[-2:] == ["ckpt_000000040.json", "ckpt_000000050.json"]
    assert len(names) <= 3  # the last two plus, at most, the best


def test_cosine_schedule_decays_the_learning_rate_to_zero(tmp_path):
    trainer, _ = train(small_config(steps=40, lr=0.01), None)
    lr = trainer.model.optimizers["main"].param_groups[0]["lr"]
    assert 0 <= lr < 0.01 * 0.01
    const, _ = train(small_config(steps=40, lr=0.01, lr_schedule="constant"), None)
    assert const.model.optimizers["main"].param_groups[0]["lr"] == 0.01
