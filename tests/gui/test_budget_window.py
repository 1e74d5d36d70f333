"""The Setup's time budget sizes the model for this machine, and the Samples dock shows the quality
figure with a time estimate: the window, offscreen, end to end."""

from __future__ import annotations

import os

from engine.events import EvaluationCompleted
from tests.gui.conftest import choose
from tests.helpers import busy_processor


def test_budget_sizes_the_model_and_quality_readout_estimates_time(make_window, qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("GENLAB_CACHE", str(tmp_path / "cache"))
    w = make_window()
    choose(w, data="digits", family="vae")
    qtbot.waitUntil(lambda: w.data_dock.dataset is not None and w.setup_dock.kind == "image", timeout=30_000)
    setup = w.setup_dock
    picker = setup.budget_picker
    picker.combo.setCurrentIndex(picker.combo.findData("1min"))
    qtbot.waitUntil(lambda: "steps/s" in picker.label.text(), timeout=60_000)   # measured on a worker thread
    picker.wait()
    assert setup.model_form.value("image_net") == "mlp"
    assert setup.model_form.value("prior") == "mixture"      # the sized image VAE samples from its codes' mixture
    assert setup.train_form.value("time_limit") == 60.0
    cfg = setup.config()
    assert cfg.model.latent_dim >= 8 and cfg.train.time_limit == 60.0
    # the quality readout, as evaluations arrive (two readouts give a rate, then an estimate)
    w.samples_dock.start_run(None, "image")
    for step, t, ratio, recognised in ((100, 10.0, 8.0, 0.2), (200, 20.0, 4.0, 0.42)):
        w.bridge.evaluation_completed.emit(EvaluationCompleted(step, {
            "frechet": ratio * 3.0, "frechet_floor": 3.0, "frechet_floor_sd": 0.6, "frechet_ratio": ratio,
            "frechet_time": t, "recognised": recognised, "recognised_real": 0.81}))
    text = w.samples_dock.quality_label.text()
    assert "4.0x" in text and "10 s" in text, text
    assert "0.8-1.2x" in text, text        # where real images' own ratios fall (floor 3.0, sd 0.6)
    assert "42%" in text and "81%" in text, text   # samples the classifier names surely, beside real images
    shot = os.environ.get("GENLAB_SHOT")
    if shot:
        w.resize(1500, 950)
        qtbot.wait(200)
        w.grab().save(shot)


def test_a_busy_machine_is_said_and_measured_again(make_window, qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("GENLAB_CACHE", str(tmp_path / "cache"))
    w = make_window()
    choose(w, data="digits", family="vae")
    qtbot.waitUntil(lambda: w.data_dock.dataset is not None and w.setup_dock.kind == "image", timeout=30_000)
    setup, picker = w.setup_dock, w.setup_dock.budget_picker
    setup.train_form.set_values({**setup.train_form.values(), "threads": 1})
    logged = []
    setup.message_logged.connect(lambda level, text: logged.append((level, text)))
    with busy_processor():    # the measuring thread starts from this one, so it shares the busy CPU
        picker.combo.setCurrentIndex(picker.combo.findData("1min"))
        qtbot.waitUntil(lambda: "steps/s" in picker.label.text(), timeout=60_000)
        picker.wait()
    assert "busy" in picker.label.text() and "larger network" in picker.label.text(), picker.label.text()
    assert any(level == "warning" and "busy" in text for level, text in logged), logged
    # Choosing again does not settle for the busy figures: it measures again.
    picker.combo.setCurrentIndex(picker.combo.findData("5min"))
    assert "Measuring" in picker.label.text(), picker.label.text()
    qtbot.waitUntil(lambda: "steps/s" in picker.label.text(), timeout=60_000)
    picker.wait()


def test_the_next_quality_step_halves_down_to_the_range_of_real_images():
    from gui.docks.samples_dock import next_quality_step
    assert next_quality_step(40.0, 0.2) == 32.0
    assert next_quality_step(5.0, 0.2) == 4.0
    assert next_quality_step(4.0, 0.2) == 2.0          # reached 4x: the next step is 2x
    assert next_quality_step(1.5, 0.2) == 1.2          # then the top of real images' range
    assert next_quality_step(1.1, 0.2) is None         # within it: nothing further to estimate
    assert next_quality_step(1.05, None) == 1.0        # no spread known: the floor itself
