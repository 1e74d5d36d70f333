"""The window trains in a process of its own (issue 17): real child processes, a real window offscreen.

A training process killed with SIGKILL leaves the window working, says so with a crash log, and its
Continue trains on from the last checkpoint; closing the window stops, keeps (headless) or discards
the child's run.
"""

from __future__ import annotations

import json
import os
import signal
import time

import pytest
from PySide6.QtWidgets import QMessageBox

from engine.runs.checkpoint import latest_checkpoint
from tests.gui.conftest import choose
from tests.gui.test_runs_window import click, later, modal

pytestmark = pytest.mark.skipif(os.name == "nt", reason="SIGKILL and process sessions are POSIX here")


def start_long_run(w, qtbot, checkpoint_every: int = 20):
    choose(w, "moons", "vae", steps=1_000_000)
    form = w.setup_dock.train_form.widgets
    form["checkpoint_every"].setValue(checkpoint_every)
    form["log_every"].setValue(5)
    form["sample_every"].setValue(10_000)
    first = w.bridge.checkpoint_saved if checkpoint_every < 1000 else w.bridge.steps_completed
    with qtbot.waitSignal(first, timeout=60_000):
        w.controls.train.trigger()
    runner = w.session.runner
    assert runner.pid != os.getpid() and runner.alive
    return runner


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_killed_training_process_leaves_the_window_working_and_continue_resumes(make_window, qtbot):
    w = make_window()
    runner = start_long_run(w, qtbot)
    run_dir = w.session.run_dir
    qtbot.waitUntil(lambda: runner.last_checkpoint is not None and runner.last_checkpoint >= 20, timeout=60_000)
    with qtbot.waitSignal(w.bridge.training_failed, timeout=30_000) as failed:
        os.kill(runner.pid, signal.SIGKILL)
    ev = failed.args[0]
    assert "SIGKILL" in ev.message and ev.crash_log and os.path.isfile(ev.crash_log)
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=10_000)
    assert runner.join(10) and runner.exit_code == -signal.SIGKILL
    # the window says so, with the log and a Continue button
    assert w.notice.isVisible() and "SIGKILL" in w.notice.label.text() and ev.crash_log in w.notice.label.text()
    assert w.notice.action_button.isVisible() and w.notice.action_button.text() == "Continue"
    assert "training failed" in w.log_dock.text()
    # The newest checkpoint on disk is what Continue resumes: the process may have written one more
    # after the last CheckpointSaved the window received (a kill lands between the two under load).
    saved = latest_checkpoint(run_dir / "checkpoints").step
    assert saved >= runner.last_checkpoint >= 20

    # Continue: a new training process resumes the same folder from that checkpoint
    with qtbot.waitSignal(w.bridge.run_started, timeout=60_000) as started:
        w.notice.action_button.click()
    assert started.args[0].start_step == saved and started.args[0].run_dir == str(run_dir)
    again = w.session.runner
    assert again is not runner and again.pid != runner.pid
    qtbot.waitUntil(lambda: again.step_now > saved + 5, timeout=60_000)
    with qtbot.waitSignal(w.bridge.training_finished, timeout=30_000) as done:
        w.controls.stop.trigger()
    assert done.args[0].reason == "stopped" and again.join(20) and again.exit_code == 0


def test_closing_and_keeping_training_leaves_the_child_writing_its_run_folder(make_window, qtbot):
    from gui.settings import CLOSE_ASK_KEY
    w = make_window()
    w.settings.setValue(CLOSE_ASK_KEY, "true")
    runner = start_long_run(w, qtbot)
    run_dir, pid = w.session.run_dir, runner.pid
    try:
        later(300, lambda: click(modal(QMessageBox), "close_keep"))
        w.close()
        assert not w.isVisible()
        assert w.runs_controller.background_process is runner and runner.detached
        assert os.getsid(pid) != os.getsid(0)       # its own session: the window's end does not reach it
        metrics = run_dir / "metrics.jsonl"

        def last_step():
            lines = [json.loads(x) for x in metrics.read_text().splitlines() if x.strip()]
            return max((r.get("step", 0) for r in lines), default=0)
        before = last_step()
        deadline = time.monotonic() + 30
        while last_step() <= before + 20 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert last_step() > before + 20, "the detached training process stopped writing its run folder"
        assert not gone(pid)
    finally:
        runner.kill()   # the process this test started (through the window), by its id
    assert gone(pid) or runner.exit_code is not None


def test_closing_and_discarding_kills_the_child_and_removes_its_folder(make_window, qtbot):
    from gui.settings import CLOSE_ASK_KEY
    w = make_window()
    w.settings.setValue(CLOSE_ASK_KEY, "true")
    runner = start_long_run(w, qtbot)
    doomed, pid = w.session.run_dir, runner.pid

    def discard():
        click(modal(QMessageBox), "close_discard")
        later(300, lambda: click(modal(QMessageBox), "discard_yes"))
    later(300, discard)
    t0 = time.perf_counter()
    w.close()
    assert time.perf_counter() - t0 < 5.0
    assert runner.exit_code == -signal.SIGKILL and not doomed.exists() and gone(pid)


def test_closing_with_save_and_stop_checkpoints_in_the_child_within_two_seconds(make_window, qtbot):
    from gui.settings import CLOSE_ASK_KEY
    w = make_window()
    w.settings.setValue(CLOSE_ASK_KEY, "true")
    runner = start_long_run(w, qtbot, checkpoint_every=1_000_000)  # the only later checkpoint is the closing one
    run_dir = w.session.run_dir
    first = {p.name for p in (run_dir / "checkpoints").glob("ckpt_*.json")}
    qtbot.waitUntil(lambda: runner.step_now > 30, timeout=30_000)
    later(300, lambda: click(modal(QMessageBox), "close_stop"))
    t0 = time.perf_counter()
    w.close()
    took = time.perf_counter() - t0 - 0.3        # the dialog is answered 0.3 s in
    assert took < 2.0, took
    assert runner.join(10) and runner.exit_code == 0 and not runner.alive
    assert {p.name for p in (run_dir / "checkpoints").glob("ckpt_*.json")} - first, "no checkpoint on close"
    assert "closed while training: run stopped" in w.log_dock.text()
