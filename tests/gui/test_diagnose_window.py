"""The window says when the run's detectors see trouble: the notice bar and the Log."""

from __future__ import annotations

import os

import numpy as np
import torch
from PySide6.QtCore import QPointF, Qt

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
    assert "posterior collapse at step" in w.log_dock.text()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=60_000)
    shot = os.environ.get("GENLAB_SHOT_DIR")
    if shot:
        w.grab().save(os.path.join(shot, "diagnose_notice.png"))


def test_click_a_sample_to_see_its_nearest_training_images(make_window, qtbot):
    w = make_window()
    choose(w, "digits", "vae")
    qtbot.waitUntil(lambda: w.data_dock.summary is not None and w.data_dock.summary["name"] == "digits",
                    timeout=60_000)
    w.setup_dock.train_form.widgets["steps"].setValue(40)      # after the image preset, which sets its own
    with qtbot.waitSignal(w.bridge.training_finished, timeout=120_000):
        w.controls.train.trigger()
    qtbot.waitUntil(lambda: w.samples_dock._live_event is not None and w.samples_dock.cell_shape == (8, 8))
    dock = w.samples_dock
    grid = dock._live_event.data
    assert dock.cell_at(0.5, 0.5) is None                      # the padding is no sample
    index, cell = dock.cell_at(1 + 9 + 3, 1 + 4)               # second sample of the first row
    assert index == 1 and cell.shape == (8, 8) and np.array_equal(cell, grid[1:9, 10:18])
    # a real click on that cell in the view
    view = dock.image_view
    scene_pos = view.item.mapToScene(QPointF(13.5, 5.5))
    with qtbot.waitSignal(w.neighbours.tasks.finished, timeout=60_000):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(scene_pos))
    res = w.neighbours.result
    assert len(res["train_index"]) == 3 and res["train_distance"] == sorted(res["train_distance"])
    assert res["verdict"] in ("copy", "novel") and res["picture"].shape[1] > 4 * 8 * 2
    assert "nearest training images" in w.neighbours.text.text()
    # the neighbours are the training images nearest to the cell, by brute force
    ds = w.session.run_dataset()
    x = torch.from_numpy(cell).float().div(255).reshape(1, -1)
    d = torch.cdist(x, ds.x_train.reshape(len(ds.x_train), -1))[0]
    assert res["train_index"] == d.topk(3, largest=False).indices.tolist()
    shot = os.environ.get("GENLAB_SHOT_DIR")
    if shot:
        qtbot.wait(200)
        w.grab().save(os.path.join(shot, "neighbours.png"))


def test_click_a_sample_point_to_see_its_nearest_training_points(make_window, qtbot):
    w = make_window()
    choose(w, "moons", "vae", steps=30)
    qtbot.waitUntil(lambda: w.data_dock.summary is not None and w.data_dock.summary["name"] == "moons")
    with qtbot.waitSignal(w.bridge.training_finished, timeout=120_000):
        w.controls.train.trigger()
    dock = w.samples_dock
    qtbot.waitUntil(lambda: dock.scatter_view.samples is not None)
    pts = dock.scatter_view.samples
    target = pts[7]
    view = dock.scatter_view
    scene = view.getPlotItem().vb.mapViewToScene(QPointF(float(target[0]), float(target[1])))
    with qtbot.waitSignal(w.neighbours.tasks.finished, timeout=60_000):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(scene))
    res = w.neighbours.result
    ds = w.session.run_dataset()
    clicked = np.array(dock.point_at(float(target[0]), float(target[1]))[1])
    d = torch.cdist(torch.from_numpy(clicked)[None].float(), ds.x_train[:20000].float())[0]
    assert res["train_index"] == d.topk(3, largest=False).indices.tolist()
    assert res["picture"] is None and len(res["neighbours"]) == 3
    assert w.neighbours.text.text().startswith("Point ")


def test_the_detector_notice_comes_down_when_its_detectors_stop_alarming(make_window, qtbot):
    """A young GAN's critic wins early and loses its grip later: the notice that said so goes once no
    detector it named alarms, and stays while one still does; a later message is never taken down."""
    from engine.events import Diagnosed
    w = make_window()

    def look(step, alarms, new=()):
        findings = tuple({"detector": d, "alarm": d in alarms, "saw": "saw it", "evidence": {}, "advice": "wait"}
                         for d in ("discriminator_saturation", "memorization"))
        w.bridge.diagnosed.emit(Diagnosed(step, findings, tuple(new)))

    look(2000, {"discriminator_saturation"}, new=("discriminator_saturation",))
    assert w.notice.isVisible() and "2,000" in w.notice.label.text()
    look(4000, {"discriminator_saturation"})                  # still alarming: the notice stays
    assert w.notice.isVisible()
    look(6000, set())
    assert not w.notice.isVisible()
    assert "no longer see that trouble" in w.log_dock.text()
    look(8000, {"memorization"}, new=("memorization",))
    w.notice.notify("warning", "something else")              # a later message replaces the detectors'
    look(9000, set())
    assert w.notice.isVisible() and w.notice.label.text() == "something else"
