"""One owner of the shown run: a run trained here and a run opened from Runs reach the views the same way."""

from __future__ import annotations

from tests.gui.conftest import choose
from tests.gui.test_runs_window import flow_run_on_moons


def test_a_live_run_and_an_opened_run_are_shown_the_same_way(make_window, qtbot, workspace, tmp_path):
    w = make_window()
    choose(w, "moons", "vae", steps=60)
    with qtbot.waitSignal(w.bridge.training_finished, timeout=120_000):
        w.controls.train.trigger()
    live_dir = w.session.run_dir
    assert w.shown.path == live_dir and w.shown.family == "vae" and not w.shown.live
    published = w.shown.snapshot
    assert published is not None and published.family == "vae"
    # the views got the weights from the shown run, not from the bridge directly
    assert w.latent_dock.snapshot is published and w.inside_dock.snapshot is published

    other = flow_run_on_moons(workspace / "flow-on-moons")
    w.runs_dock.refresh()
    changes = []
    w.shown.run_changed.connect(lambda: changes.append(w.shown.path))
    w.runs_controller.open_run(str(other))
    qtbot.waitUntil(lambda: w.shown.path == other and w.shown.snapshot is not None, timeout=30_000)
    assert changes == [other] and not w.shown.live and w.shown.family == "flow"
    assert w.shown.snapshot.family == "flow" and w.latent_dock.snapshot is w.shown.snapshot
    assert w.runs_controller.target_run() == other          # exports go to the shown run when none is selected
    assert w.samples_dock.run_dir == other

    # deleting the shown run leaves nothing shown
    w.runs_controller.delete_run(str(other), confirmed=True)
    qtbot.waitUntil(lambda: w.shown.path is None, timeout=30_000)
    assert w.shown.snapshot is None
