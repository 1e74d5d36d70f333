"""One test per fault: a non-finite loss rolled back, running out of memory, a full disk at checkpoint
time, and the process killed with SIGKILL. Each fault is real: poisoned weights, an address-space
limit the allocator hits, a file-size limit the kernel enforces (root-proof, unlike a read-only
folder), and a real subprocess killed by the kernel."""

import json
import math
import resource
import signal
import time
from pathlib import Path

import pytest
import torch

from engine.errors import TrainingError
from engine.events import (CheckpointSaved, LogMessage, NonFiniteLoss, RolledBack, StepCompleted,
                           TrainingFinished, TrainingPaused)
from engine.runs.checkpoint import latest_checkpoint, list_checkpoints, load_checkpoint
from engine.runs.command import continue_in_background
from engine.runs.workspace import list_runs, open_run, read_curves, summarize_run
from engine.training.loop import Controls, Trainer
from engine.training.runner import Runner
from tests.engine.runs_helpers import tiny_config, train, train_elsewhere, wait_for_checkpoint



def drain_until(runner, predicate, timeout=60.0):
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for ev in runner.poll():
            seen.append(ev)
            if predicate(ev):
                return seen
        time.sleep(0.01)
    raise AssertionError(f"timed out; saw {[type(e).__name__ for e in seen][-10:]}")


def poison(model) -> None:
    with torch.no_grad():
        next(model.parameters()).fill_(float("nan"))


# ---- non-finite loss -------------------------------------------------------------------------------------
def test_non_finite_loss_pauses_then_rollback_lowers_the_rate_and_training_goes_on(tmp_path):
    cfg = tiny_config("vae", steps=100_000, log_every=5, checkpoint_every=20, lr_schedule="constant", lr=0.002)
    runner = Runner(cfg, tmp_path / "run")
    runner.start()
    try:
        drain_until(runner, lambda e: isinstance(e, CheckpointSaved) and e.step >= 20)
        runner.pause()
        drain_until(runner, lambda e: isinstance(e, TrainingPaused))
        good = latest_checkpoint(tmp_path / "run" / "checkpoints").step
        poison(runner.trainer.model)          # the thread is waiting while paused
        runner.resume_training()
        seen = drain_until(runner, lambda e: isinstance(e, TrainingPaused))
        bad = [e for e in seen if isinstance(e, NonFiniteLoss)]
        assert bad and "loss" in bad[0].terms
        assert any(isinstance(e, LogMessage) and "non-finite loss" in e.text and f"step {bad[0].step}" in e.text
                   for e in seen)
        runner.rollback(lr_factor=0.5)
        seen = drain_until(runner, lambda e: isinstance(e, RolledBack))
        back = seen[-1]
        assert back.step == good and back.from_step == bad[0].step and back.lr == pytest.approx(0.001)
        seen = drain_until(runner, lambda e: isinstance(e, StepCompleted) and e.step >= good + 10)
        after = [e for e in seen if isinstance(e, StepCompleted)]
        assert after and all(math.isfinite(v) for e in after for v in e.losses.values())
        assert [g["lr"] for g in runner.trainer.model.optimizers["main"].param_groups] == [pytest.approx(0.001)]
    finally:
        runner.stop_and_join()
    curves = read_curves(tmp_path / "run")
    train_steps = [r["step"] for r in curves if r["event"] == "train"]
    assert train_steps == sorted(set(train_steps))            # the undone steps are gone from the curves
    assert all(math.isfinite(r["loss"]) for r in curves if r["event"] == "train")
    assert any(r["event"] == "rollback" and r["step"] == good for r in curves)


def test_rollback_without_a_checkpoint_says_so(tmp_path):
    trainer = Trainer(tiny_config("vae", steps=5), None)
    with pytest.raises(TrainingError, match="nothing to roll back to"):
        trainer.rollback(0.5)


# ---- out of memory ---------------------------------------------------------------------------------------
def _vm_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc to size the limit")
def test_out_of_memory_stops_with_a_clear_message_and_the_state_saved(tmp_path):
    """An absurd batch (65536 points through 512-wide layers, about 2 GB a step) under an address-space
    limit of what the process already has plus 256 MB: the real allocator fails, not a mock."""
    cfg = tiny_config("vae", steps=50, batch_size=65536)
    cfg.data.n_train = 65536
    cfg.model.hidden, cfg.model.depth = 512, 3
    trainer = Trainer(cfg, tmp_path / "run")
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (_vm_bytes() + 256 * 2**20, hard))
    try:
        with pytest.raises(TrainingError) as info:
            list(trainer.events(Controls(interactive=False)))
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    text = str(info.value)
    assert "out of memory" in text and "batch 65536" in text and "train.batch_size=32768" in text
    assert "saved at step 0" in text and f"--resume {tmp_path / 'run'}" in text
    assert latest_checkpoint(tmp_path / "run" / "checkpoints").step == 0
    row = summarize_run(tmp_path / "run")
    assert row.state == "failed" and "out of memory" in row.message
    # what the message says works: continue with a smaller batch
    from engine.runs.workspace import resume_config
    smaller = resume_config(tmp_path / "run", overrides=["train.batch_size=64", "train.steps=5"])
    _, events = train(smaller, tmp_path / "run", resume=True)
    assert events[-1].reason == "completed" and summarize_run(tmp_path / "run").state == "finished"


# ---- disk full -----------------------------------------------------------------------------------------
def test_a_full_disk_at_checkpoint_time_is_reported_and_training_continues(tmp_path):
    """RLIMIT_FSIZE makes the kernel refuse writes past a size (EFBIG), for root too: the checkpoint's
    tensor file cannot be written. Training goes on, the earlier checkpoint is untouched."""
    cfg = tiny_config("vae", steps=40, log_every=5, checkpoint_every=10, sample_every=10_000)
    trainer = Trainer(cfg, tmp_path / "run")
    folder = tmp_path / "run" / "checkpoints"
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    events, before = [], None
    try:
        for ev in trainer.events(Controls(interactive=False)):
            events.append(ev)
            if isinstance(ev, CheckpointSaved) and before is None:
                sidecar = Path(ev.path)
                before = (sidecar.read_bytes(), sidecar.with_suffix(".safetensors").read_bytes())
                limit = len(before[1]) // 2  # smaller than any checkpoint, larger than a metrics line
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)
    assert isinstance(events[-1], TrainingFinished) and events[-1].reason == "completed" and trainer.step == 40
    errors = [e.text for e in events if isinstance(e, LogMessage) and e.level == "error"]
    assert any("could not save a checkpoint" in t and "training continues" in t for t in errors), errors
    assert [p.name for p in list_checkpoints(folder)] == ["ckpt_000000010.json"]
    assert (folder / "ckpt_000000010.json").read_bytes() == before[0]
    assert (folder / "ckpt_000000010.safetensors").read_bytes() == before[1]
    assert load_checkpoint(folder / "ckpt_000000010.json").step == 10
    assert sorted(p.name for p in folder.iterdir()) == ["ckpt_000000010.json", "ckpt_000000010.safetensors"]


# ---- SIGKILL ---------------------------------------------------------------------------------------------
def test_a_killed_run_lists_as_killed_keeps_its_checkpoints_and_resumes(tmp_path):
    run = tmp_path / "ws" / "killed"
    proc = train_elsewhere(run, "train.checkpoint_every=20", "train.log_every=5",
                           env={"GENLAB_WORKSPACE": str(tmp_path / "ws")})
    try:
        wait_for_checkpoint(run, proc, 40)
        assert summarize_run(run).state == "running"
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()
    with open(run / "metrics.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"event": "train", "step": 99999, "lo')     # a line torn by the kill
    rows = {r.name: r for r in list_runs(tmp_path / "ws")}
    row = rows["killed"]
    saved = row.checkpoint_step
    assert row.state == "killed" and saved >= 40 and row.step >= saved and row.family == "vae"
    opened = open_run(run)
    assert opened.snapshot().step == saved and opened.checkpoints[-1] == saved
    assert max(r["step"] for r in opened.curves) < 99999   # the torn line is skipped

    bg = continue_in_background(run, more_steps=10)
    assert bg.wait(170) == 0, (run / "background.log").read_text()
    row = summarize_run(run)
    assert row.state == "finished" and row.step == saved + 10
    curves = read_curves(run)
    train_steps = [r["step"] for r in curves if r["event"] == "train"]
    assert train_steps == sorted(set(train_steps)) and train_steps[-1] == saved + 10
    assert any(r["event"] == "resumed" and r["step"] == saved for r in curves)
    lines = (run / "metrics.jsonl").read_text().splitlines()
    assert json.loads(lines[-1])["event"] == "finished"     # appended records start on their own line
