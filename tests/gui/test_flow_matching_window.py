"""Flow matching through the window, as a person would: pick diffusion on moons, switch the objective to
flow-matching and the sampler to Heun in Setup, train; samples appear, the run folder records the objective,
the held-out NLL is the ODE's, and the Learn dock follows the objective."""

from __future__ import annotations

import json

import numpy as np

from tests.gui.conftest import choose


def _pick(combo, value):
    combo.setCurrentIndex(combo.findData(value))
    assert combo.currentData() == value


def test_a_flow_matching_run_trains_samples_and_explains_itself(make_window, qtbot):
    w = make_window()
    choose(w, "moons", "diffusion", steps=150)
    setup = w.setup_dock
    form = setup.model_form
    _pick(form.widgets["objective"], "flow-matching")
    _pick(form.widgets["sampler"], "heun")
    form.widgets["hidden"].setValue(32)
    form.widgets["ode_steps"].setValue(6)
    setup.train_form.widgets["sample_every"].setValue(50)
    assert w.learn_dock.model_options.get("objective") == "flow-matching"   # its page follows (test_learn_dock)
    qtbot.waitUntil(lambda: w.data_dock.summary is not None and w.data_dock.summary["name"] == "moons")
    with qtbot.waitSignal(w.bridge.training_finished, timeout=180_000) as done:
        w.controls.train.trigger()
    finished = done.args[0]
    assert finished.reason == "completed" and finished.step == 150
    assert finished.metrics.get("nll_kind") == "ode" and np.isfinite(finished.metrics["test_nll_nats"])
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=30_000)
    config = json.loads((w.session.run_dir / "config.json").read_text())
    assert config["model"]["objective"] == "flow-matching" and config["model"]["sampler"] == "heun"
    pts = w.samples_dock.scatter_view.samples
    assert pts is not None and len(pts) > 100 and np.isfinite(pts).all() and np.ptp(pts, axis=0).min() > 0.1
