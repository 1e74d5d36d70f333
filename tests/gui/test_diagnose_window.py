"""The window says when the run's detectors see trouble: the notice bar and the Log."""

from __future__ import annotations

import os

from tests.gui.conftest import choose


def test_a_collapsed_posterior_shows_in_the_notice_bar_and_the_log(make_window, qtbot, tmp_path):
    w = make_window()
    choose(w, "moons", "vae", steps=120)
    w.setup_dock.model_form.widgets["beta"].setValue(50.0)      # a KL weight that collapses the posterior
    qtbot.waitUntil(lambda: w.data_dock.summary is not None and w.data_dock.summary["name"] == "moons")
    with qtbot.waitSignal(w.bridge.diagnosed, timeout=120_000) as blocker:
        w.controls.train.trigger()
    assert "posterior_collapse" in blocker.args[0].new_alarms
    qtbot.waitUntil(lambda: w.notice.isVisible(), timeout=5_000)
    text = w.notice.label.text()
    assert "posterior collapse" in text and "latent units are active" in text
    assert "posterior_collapse at step" in w.log_dock.text()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=60_000)
    shot = os.environ.get("GENLAB_SHOT_DIR")
    if shot:
        w.grab().save(os.path.join(shot, "diagnose_notice.png"))
