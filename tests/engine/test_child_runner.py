"""Training in a process of its own (``ChildRunner`` + ``genlab worker``): real processes, real frames.

Controls round-trip with acknowledgements; a live change reaches the process (its own log line and
its metrics); SIGKILL mid-run ends in a ``TrainingFailed`` that names the signal and a crash log, and
the run folder continues from its last checkpoint.
"""

import json
import os
import signal
import time

import pytest
import torch

from engine.events import (CheckpointSaved, LogMessage, RunStarted, SnapshotPublished, StepCompleted,
                           TrainingFailed, TrainingFinished, TrainingPaused, TrainingResumed)
from engine.training.child import ChildRunner, WorkerProcess, describe_exit, worker_command
from tests.helpers import small_config

pytestmark = pytest.mark.skipif(os.name == "nt", reason="SIGKILL and process sessions are POSIX here")


def drain_until(runner, predicate, timeout=60.0, seen=None):
    seen = [] if seen is None else seen
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch = runner.poll()
        seen.extend(batch)           # the whole batch: what follows the match is kept for the caller
        if any(predicate(ev) for ev in batch):
            return seen
        time.sleep(0.01)
    raise AssertionError(f"timed out; saw {[type(e).__name__ for e in seen][-10:]}")


def also_until(runner, predicate, seen):
    """Like ``drain_until``, adding to ``seen``, but satisfied by an event ``seen`` already holds."""
    return seen if any(predicate(ev) for ev in seen) else drain_until(runner, predicate, seen=seen)


def test_worker_command_reinvokes_this_program():
    assert worker_command()[-1] == "worker"
    assert "SIGKILL" in describe_exit(-signal.SIGKILL) and describe_exit(3) == "ended with exit status 3"


def test_controls_round_trip_with_acknowledgements_and_a_live_change_reaches_the_process(tmp_path):
    runner = ChildRunner(small_config(steps=100_000, log_every=5, lr_schedule="constant"), tmp_path / "run")
    try:
        runner.start(paused=True)
        seen = drain_until(runner, lambda e: isinstance(e, TrainingPaused))
        assert any(isinstance(e, RunStarted) for e in seen) and runner.paused
        assert runner.pid != os.getpid()
        cid = runner.step(1)
        assert runner.wait_ack(cid) and runner.acked[cid] is None
        drain_until(runner, lambda e: isinstance(e, StepCompleted) and e.step == 1)
        cid = runner.step(1, phase="d")          # a family without players ignores the phase
        assert runner.wait_ack(cid)
        drain_until(runner, lambda e: isinstance(e, StepCompleted) and e.step == 2)
        time.sleep(0.3)
        assert runner.step_now == 2 and runner.paused          # paused: no more steps than asked for
        cid = runner.set_live("train", "lr", 0.0123)
        assert runner.wait_ack(cid)
        resumed = runner.resume_training()
        assert runner.wait_ack(resumed) and not runner.paused
        seen = drain_until(runner, lambda e: isinstance(e, LogMessage) and "train.lr = 0.0123" in e.text)
        also_until(runner, lambda e: isinstance(e, SnapshotPublished), seen)
        also_until(runner, lambda e: isinstance(e, StepCompleted) and e.step > 10, seen)
        assert any(isinstance(e, TrainingResumed) for e in seen)
        snap = next(e for e in seen if isinstance(e, SnapshotPublished)).snapshot   # weights crossed as raw blocks
        assert all(isinstance(v, torch.Tensor) for v in snap.state.values()) and snap.step > 0
        assert snap.build_model().state_dict().keys() == snap.state.keys()
        cid = runner.pause()
        assert runner.wait_ack(cid) and runner.paused
        drain_until(runner, lambda e: isinstance(e, TrainingPaused))
        cid = runner.stop()
        assert runner.wait_ack(cid)
        seen = drain_until(runner, lambda e: isinstance(e, TrainingFinished))
        assert [e for e in seen if isinstance(e, TrainingFinished)][0].reason == "stopped"
        assert runner.join(30) and not runner.alive and runner.exit_code == 0
        config = json.loads((tmp_path / "run" / "config.json").read_text())
        assert config["train"]["steps"] == 100_000
        assert list((tmp_path / "run" / "checkpoints").glob("ckpt_*.json"))
    finally:
        runner.kill()


def test_sigkill_mid_run_is_reported_with_a_crash_log_and_the_run_continues(tmp_path):
    run = tmp_path / "run"
    runner = ChildRunner(small_config(steps=100_000, log_every=5, checkpoint_every=20), run)
    runner.start()
    drain_until(runner, lambda e: isinstance(e, CheckpointSaved) and e.step >= 20)
    os.kill(runner.pid, signal.SIGKILL)
    seen = drain_until(runner, lambda e: isinstance(e, TrainingFailed))
    failed = next(e for e in seen if isinstance(e, TrainingFailed))
    assert "SIGKILL" in failed.message and failed.crash_log and os.path.isfile(failed.crash_log)
    assert "SIGKILL" in open(failed.crash_log, encoding="utf-8").read()
    assert runner.join(10) and not runner.alive and runner.exit_code == -signal.SIGKILL
    saved = max(int(p.stem.split("_")[1]) for p in (run / "checkpoints").glob("ckpt_*.json"))
    assert saved >= 20

    # Continue: a new process resumes from the last checkpoint of the same folder
    again = ChildRunner(small_config(steps=saved + 10, log_every=5, checkpoint_every=20), run, resume=True)
    try:
        again.start()
        seen = drain_until(again, lambda e: isinstance(e, TrainingFinished))
        started = next(e for e in seen if isinstance(e, RunStarted))
        assert started.start_step == saved
        done = next(e for e in seen if isinstance(e, TrainingFinished))
        assert done.reason == "completed" and done.step == saved + 10
        assert again.join(30) and again.exit_code == 0
    finally:
        again.kill()


def test_a_warm_process_starts_training_without_loading_pytorch_again(tmp_path):
    worker = WorkerProcess()
    try:
        assert worker.ready.wait(120) and worker.usable
        runner = ChildRunner(small_config(steps=30), tmp_path / "run", worker=worker)
        assert runner.pid == worker.pid
        t0 = time.monotonic()
        runner.start()
        drain_until(runner, lambda e: isinstance(e, RunStarted))
        first = time.monotonic() - t0
        drain_until(runner, lambda e: isinstance(e, TrainingFinished))
        assert runner.join(30) and runner.exit_code == 0
        assert first < 30  # behaviour, not timing: it started (the bench measures how fast)
    finally:
        worker.kill()


def test_a_run_the_process_cannot_start_is_a_failure_and_the_process_ends(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    runner = ChildRunner(small_config(steps=30), blocker / "run")     # its folder cannot be made
    try:
        runner.start()
        seen = drain_until(runner, lambda e: isinstance(e, TrainingFailed))
        failed = next(e for e in seen if isinstance(e, TrainingFailed))
        assert "could not start the run" in failed.message and "a-file" in failed.message
        assert runner.join(30) and not runner.alive and runner.exit_code == 0
    finally:
        runner.kill()


def test_a_non_finite_loss_pauses_the_process_and_a_rollback_reaches_it(tmp_path):
    """The fault path runs in the training process now: a learning rate far too large (a live change)
    makes the loss non-finite, the run pauses, and the window's rollback goes back to a checkpoint."""
    from engine.events import NonFiniteLoss, RolledBack
    runner = ChildRunner(small_config(steps=100_000, log_every=1, checkpoint_every=5, lr_schedule="constant"),
                         tmp_path / "run")
    try:
        runner.start()
        drain_until(runner, lambda e: isinstance(e, CheckpointSaved))
        runner.set_live("train", "lr", 1e12)
        seen = drain_until(runner, lambda e: isinstance(e, NonFiniteLoss))
        bad = next(e for e in seen if isinstance(e, NonFiniteLoss))
        also_until(runner, lambda e: isinstance(e, TrainingPaused), seen)
        assert runner.wait_ack(runner.rollback(0.5))
        back = next(e for e in drain_until(runner, lambda e: isinstance(e, RolledBack)) if isinstance(e, RolledBack))
        assert back.step < bad.step and back.lr == 1e12 * 0.5 and os.path.isfile(back.checkpoint)
        runner.stop()
        drain_until(runner, lambda e: isinstance(e, TrainingFinished))
        assert runner.join(30) and runner.exit_code == 0
    finally:
        runner.kill()


def test_a_native_abort_leaves_its_stack_in_the_crash_log(tmp_path):
    """SIGABRT is what a native library's abort() raises: faulthandler writes every thread's Python stack to
    the run's worker.log, and the crash log the window shows holds it."""
    runner = ChildRunner(small_config(steps=100_000, log_every=5), tmp_path / "run")
    try:
        runner.start()
        drain_until(runner, lambda e: isinstance(e, StepCompleted))
        os.kill(runner.pid, signal.SIGABRT)
        seen = drain_until(runner, lambda e: isinstance(e, TrainingFailed))
        failed = next(e for e in seen if isinstance(e, TrainingFailed))
        assert "SIGABRT" in failed.message and runner.join(10) and runner.exit_code == -signal.SIGABRT
        text = open(failed.crash_log, encoding="utf-8").read()
        assert "Fatal Python error: Aborted" in text and "worker.log" in text
        assert "Fatal Python error: Aborted" in (tmp_path / "run" / "worker.log").read_text()
    finally:
        runner.kill()


@pytest.mark.parametrize("entry", [["main.py"], ["-m", "genlab"], ["-m", "engine.cli"]])
def test_every_entry_point_dispatches_the_worker_command(entry):
    """The frozen program re-invokes itself as ``GenLab worker`` through main.py, as these do: the worker
    says ready on its channel, and ends when the channel closes before a run is given."""
    import subprocess
    import sys
    from pathlib import Path

    from engine.training.channel import read_frame
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, *entry, "worker"], cwd=root, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        frame = read_frame(proc.stdout)
        assert frame is not None and frame[0] == "ready" and frame[1] == proc.pid, proc.stderr.read()[-2000:]
        proc.stdin.close()
        assert proc.wait(60) == 0
        assert read_frame(proc.stdout) is None        # nothing but frames on the channel
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
