"""A run another process is training, opened in the window, is followed live (issue 17): the same run
folder a window-trained run is, with curves, sample grids and snapshots growing as that process writes.

The other process is real: ``genlab train`` started here (by its id, killed in the cleanup).
"""

from __future__ import annotations

import os
import signal

import pytest

from tests.engine.runs_helpers import train_elsewhere, wait_for_checkpoint

pytestmark = pytest.mark.skipif(os.name == "nt", reason="the kill at the end is POSIX here")



def test_an_opened_run_that_trains_elsewhere_is_followed_until_it_ends(make_window, qtbot, workspace):
    run = workspace / "elsewhere-vae"
    workspace.mkdir(parents=True, exist_ok=True)
    proc = train_elsewhere(run, "train.checkpoint_every=20", "train.sample_every=25", "train.log_every=5",
                           "train.sample_budget=0.5")
    try:
        w = make_window()
        wait_for_checkpoint(run, proc)
        w.runs_dock.refresh()
        w.runs_controller.open_run(str(run))
        qtbot.waitUntil(lambda: w.shown.is_shown(run) and w.runs_controller.followed.active, timeout=30_000)
        assert "following run elsewhere-vae" in w.log_dock.text() and not w.shown.live
        points, grids = w.losses_dock.point_count(), len(w.samples_dock.history)
        first = w.shown.snapshot.step if w.shown.snapshot is not None else -1
        # the curves, the sample grids and the snapshot grow as the other process writes
        qtbot.waitUntil(lambda: w.losses_dock.point_count() > points + 5, timeout=60_000)
        qtbot.waitUntil(lambda: len(w.samples_dock.history) > grids, timeout=60_000)
        qtbot.waitUntil(lambda: w.shown.snapshot is not None and w.shown.snapshot.step > first, timeout=60_000)
        assert w.runs_controller.followed.updates > 0
        # the process dies: following ends and the window says so
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(30) == -signal.SIGKILL
        qtbot.waitUntil(lambda: not w.runs_controller.followed.active, timeout=30_000)
        assert "is no longer training (killed)" in w.log_dock.text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(20)
        proc.stderr.close()


def test_continue_on_a_run_training_elsewhere_stops_it_there_and_trains_it_here(make_window, qtbot, workspace):
    """The reopened window takes its run back: the other process saves a checkpoint and exits (130, as
    after Ctrl+C), and the window trains the run on from that checkpoint."""
    run = workspace / "taken-over"
    workspace.mkdir(parents=True, exist_ok=True)
    proc = train_elsewhere(run, "train.checkpoint_every=20", "train.log_every=5")
    try:
        w = make_window()
        wait_for_checkpoint(run, proc)
        w.runs_dock.refresh()
        w.runs_controller.open_run(str(run))
        qtbot.waitUntil(lambda: w.runs_controller.followed.active, timeout=30_000)
        w.runs_controller.continue_run(str(run), more_steps=30, take_over=False)      # declined: nothing happens
        assert proc.poll() is None and not w.runs_controller.take_over.busy
        w.runs_controller.continue_run(str(run), more_steps=30, take_over=True)
        assert w.runs_controller.take_over.busy and not w.runs_controller.followed.active
        assert proc.wait(60) == 130
        qtbot.waitUntil(lambda: w.session.busy, timeout=60_000)
        qtbot.waitUntil(lambda: not w.session.busy, timeout=120_000)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(20)
        proc.stderr.close()
    from engine.runs.workspace import read_curves, summarize_run
    text = w.log_dock.text()
    assert f"asking process {proc.pid} to stop training taken-over" in text
    assert f"process {proc.pid} stopped training taken-over; continuing it here" in text
    curves = read_curves(run)
    resumed = [r for r in curves if r["event"] == "resumed"]
    assert resumed and summarize_run(run).state == "finished"
    assert summarize_run(run).step == resumed[-1]["step"] + 30
