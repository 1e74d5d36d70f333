"""Layout and setup survive a restart; failures and crashes are reported, the window lives on;
closing while training checkpoints and stops in time."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer, Qt

from tests.gui.conftest import choose


def test_layout_and_setup_round_trip_through_settings(make_window, qtbot, tmp_path):
    ini = tmp_path / "layout.ini"
    w1 = make_window(ini)
    w1.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, w1.log_dock)
    w1.data_dock.close()
    w1.tabifyDockWidget(w1.losses_dock, w1.samples_dock)
    choose(w1, "moons", "vae", steps=1234)
    w1.setup_dock.train_form.widgets["lr"].setValue(0.002)
    w1.losses_dock.set_log_scale(True)
    w1.close()
    assert ini.is_file()

    w2 = make_window(ini)
    assert w2.dockWidgetArea(w2.log_dock) == Qt.DockWidgetArea.LeftDockWidgetArea
    assert not w2.data_dock.isVisible()
    assert w2.samples_dock in w2.tabifiedDockWidgets(w2.losses_dock)
    setup = w2.setup_dock
    assert setup.family == "vae" and setup.data_name() == "moons"
    assert setup.train_form.widgets["steps"].value() == 1234  # restored, not overwritten by a preset
    assert setup.train_form.widgets["lr"].value() == pytest.approx(0.002)
    assert w2.losses_dock.log_check.isChecked()

    w2.controls.reset_layout.trigger()
    assert w2.data_dock.isVisible()
    assert w2.dockWidgetArea(w2.log_dock) == Qt.DockWidgetArea.RightDockWidgetArea
    assert w2.samples_dock not in w2.tabifiedDockWidgets(w2.losses_dock)


def test_a_corrupt_settings_file_falls_back_to_defaults(make_window, tmp_path):
    ini = tmp_path / "bad.ini"
    ini.write_text("[setup]\nlast=\"{not json\"\n[window]\nstate=@ByteArray(garbage)\n")
    w = make_window(ini)
    assert w.setup_dock.family == "vae" and w.session.state == "idle"


def test_engine_failure_shows_in_the_log_and_the_window_keeps_working(make_window, qtbot, tmp_path):
    bad = tmp_path / "broken.npy"
    bad.write_bytes(b"this is not a numpy file")
    w = make_window()
    w.setup_dock.set_data_name(str(bad))
    qtbot.waitUntil(lambda: "broken.npy" in w.log_dock.text(), timeout=30_000)  # the preview says so first
    with qtbot.waitSignal(w.bridge.training_failed, timeout=60_000) as failed:
        w.controls.train.trigger()
    assert "broken.npy" in failed.args[0].message
    assert "training failed" in w.log_dock.text() and "broken.npy" in w.log_dock.text()
    assert w.notice.isVisible() and "broken.npy" in w.notice.label.text()
    qtbot.waitUntil(lambda: w.session.state == "idle")
    assert not w.session.runner.alive
    # still usable: pick good data and train again
    choose(w, "moons", "vae", steps=30)
    qtbot.waitUntil(lambda: w.data_dock.summary is not None and w.data_dock.summary["name"] == "moons",
                    timeout=30_000)
    with qtbot.waitSignal(w.bridge.training_finished, timeout=60_000) as done:
        w.controls.train.trigger()
    assert done.args[0].reason == "completed"


def test_closing_while_training_saves_a_checkpoint_and_stops_within_two_seconds(make_window, qtbot):
    w = make_window()
    choose(w, "moons", "vae", steps=1_000_000)
    w.setup_dock.train_form.widgets["sample_every"].setValue(10_000)
    w.controls.train.trigger()
    runner = w.session.runner
    qtbot.waitUntil(lambda: runner.step_now > 20, timeout=60_000)
    assert not list((w.session.run_dir / "checkpoints").glob("ckpt_*.json"))
    t0 = time.perf_counter()
    w.close()
    took = time.perf_counter() - t0
    assert took < 2.0, took
    assert not runner.alive
    sidecars = list((w.session.run_dir / "checkpoints").glob("ckpt_*.json"))
    assert sidecars, "no checkpoint saved on close"
    assert "closed while training: run stopped" in w.log_dock.text()


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_goes_to_a_crash_log_and_a_notice(make_window, qtbot):
    from gui.crash_guard import CrashGuard
    w = make_window()
    guard = CrashGuard(w)
    guard.crashed.connect(w.on_crash)
    guard.install()
    try:
        def broken_slot():
            raise ValueError("a bug in a slot")
        QTimer.singleShot(0, broken_slot)
        qtbot.waitUntil(lambda: w.notice.isVisible(), timeout=5_000)
    finally:
        guard.uninstall()
    crash_dir = Path(os.environ["GENLAB_CRASH_DIR"])
    logs = list(crash_dir.glob("crash-*.log"))
    assert len(logs) == 1 and "a bug in a slot" in logs[0].read_text()
    assert "ValueError: a bug in a slot" in w.notice.label.text() and str(logs[0]) in w.notice.label.text()
    assert "unexpected error" in w.log_dock.text()
    # the window still responds
    choose(w, "moons", "vae")
    assert w.controls.train.isEnabled()
