"""Taking a run back from a real ``genlab train`` process on this machine: asked to stop as Ctrl+C asks,
it saves a checkpoint and lets go, and the run resumes from there with nothing lost."""

import os

import pytest

from engine.errors import GenLabError
from engine.runs.take_over import stop_training_elsewhere, training_owner
from engine.runs.workspace import resume_config, summarize_run
from tests.engine.runs_helpers import tiny_config, train, train_elsewhere, wait_for_checkpoint

pytestmark = pytest.mark.skipif(os.name != "posix", reason="signals a process: POSIX only (the window says so elsewhere)")


def test_a_run_training_in_another_process_is_stopped_with_a_checkpoint_and_resumes_here(tmp_path):
    run = tmp_path / "ws" / "elsewhere"
    proc = train_elsewhere(run, "train.checkpoint_every=20", "train.log_every=5",
                           env={"GENLAB_WORKSPACE": str(tmp_path / "ws")})
    try:
        wait_for_checkpoint(run, proc, 40)
        assert training_owner(run) == proc.pid
        assert stop_training_elsewhere(run, timeout=60) == proc.pid
        assert proc.wait(30) == 130                      # the command line's "stopped by a signal"
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()
    row = summarize_run(run)
    assert row.state == "stopped" and row.checkpoint_step == row.step >= 40   # its last step is saved
    assert training_owner(run) is None
    with pytest.raises(GenLabError, match="no process on this machine is training this run"):
        stop_training_elsewhere(run)
    trainer, _ = train(resume_config(run, more_steps=10), run, resume=True)
    assert trainer.step == row.step + 10 and trainer.resumed_from == row.step


def test_a_run_nobody_trains_is_not_signalled(tmp_path):
    run = tmp_path / "done"
    train(tiny_config("vae", steps=5), run)
    assert training_owner(run) is None
    with pytest.raises(GenLabError, match="no process on this machine"):
        stop_training_elsewhere(run, timeout=1)
