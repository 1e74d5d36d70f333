"""A sixth family, registered at run time (``tests/sixth_family.py``), in the real window: it is in the
family picker with its generated knobs form, trains, and fills Samples (scatter and grids), Latent,
Inside, Learn (a page built from its declarations, with its live terms) and Compare (beside a VAE on
the same data) — with no module of the program changed for it."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from tests import sixth_family
from tests.gui.conftest import choose

FAMILY = sixth_family.FAMILY


@pytest.fixture
def registered():
    sixth_family.register()
    yield FAMILY
    sixth_family.unregister()


def _train(w, qtbot, data: str, family: str, steps: int):
    choose(w, data, family, steps=steps)
    qtbot.waitUntil(lambda: w.data_dock.summary is not None and w.data_dock.summary["name"] == data, timeout=60_000)
    w.setup_dock.train_form.widgets["sample_every"].setValue(25)
    with qtbot.waitSignal(w.bridge.training_finished, timeout=120_000):
        w.controls.train.trigger()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=30_000)
    return w.session.run_dir


def _records(run_dir, event="train"):
    lines = (run_dir / "metrics.jsonl").read_text(encoding="utf-8").splitlines()
    return [r for r in map(json.loads, lines) if r.get("event") == event]


def test_a_registered_family_trains_and_shows_in_every_dock(registered, make_window, qtbot):
    w = make_window()
    setup = w.setup_dock
    index = setup.family_combo.findData(FAMILY)
    assert index >= 0 and setup.family_combo.itemText(index) == "Gaussian mixture on a latent plane"
    choose(w, "moons", FAMILY)
    form = setup.model_form
    assert {"components", "latent_dim", "temperature", "conditional"} <= set(form.widgets)   # generated
    assert form.infos["temperature"]["live"] and setup.is_live_knob("model", "temperature", True)
    assert setup.train_form.widgets["lr"].value() == pytest.approx(0.03)   # its own default; it has no preset
    assert not w.controls.step_d.isVisible()                                 # no players to step alone

    learn, latent, inside = w.learn_dock, w.latent_dock, w.inside_dock
    run = _train(w, qtbot, "moons", FAMILY, steps=150)
    pts = w.samples_dock.scatter_view.samples
    assert pts is not None and len(pts) > 100 and np.ptp(pts, axis=0).min() > 0.1

    # Latent: its 2-D latent is the plane, decoded by the engine from the newest weights
    latent.show()
    latent.raise_()
    qtbot.waitUntil(lambda: latent.info is not None and latent.decodes_shown > 0
                    and not latent.link.explorer.busy(), timeout=60_000)
    assert latent.d == 2 and latent.plane.name == "axes" and "the mixture's latent plane" in latent.caption.text()
    model = latent.link.snapshot.build_model()
    expected = model.decode(torch.from_numpy(np.asarray(latent.z, np.float32)[None]))[0].numpy()
    np.testing.assert_allclose(latent.data_view.point, expected, rtol=1e-5, atol=1e-6)

    # Inside: its exact density (it declares a likelihood), and no slider (it declares no frames)
    inside.show()
    inside.raise_()
    qtbot.waitUntil(lambda: inside.heatmap is not None and not inside.link.explorer.busy(), timeout=60_000)
    assert "exact log-density" in inside.caption.text() and inside.heatmap.values.shape == (64, 64)
    assert not inside.frame_slider.isVisible() and not inside.posterior_view.isVisible()
    assert inside.note.text() == "Heat: the mixture's exact density."

    # Learn: a page built from its declarations, its reported and derived terms equal to the run's metrics
    learn.show()
    learn.raise_()
    last = _records(run)[-1]
    qtbot.waitUntil(lambda: learn.shown_step == last["step"], timeout=10_000)
    assert float(learn.shown["loss"]) == pytest.approx(last["loss"], rel=1e-3, abs=1e-3)
    assert float(learn.shown["noise_std"]) == pytest.approx(last["noise_std"], rel=1e-3, abs=1e-3)
    assert float(learn.shown["log_px"]) == pytest.approx(-last["loss"], rel=1e-3, abs=1e-3)
    page = learn.browser.toPlainText()
    assert "Gaussian mixture on a latent plane" in page and "sigma, the noise around the latent plane" in page
    assert learn.shown["loss"] in page and "common frame" in page

    # Compare: beside a built-in family trained on the same data, in the Compare dock and the Learn table
    vae = _train(w, qtbot, "moons", "vae", steps=60)
    w.runs_dock.refresh()
    qtbot.waitUntil(lambda: w.runs_dock.summary(str(vae)) is not None and w.runs_dock.summary(str(run)) is not None,
                    timeout=20_000)
    w.runs_dock.select_paths([run, vae])
    assert w.runs_dock.compare_button.isEnabled()
    w.runs_dock.compare_button.click()
    qtbot.waitUntil(lambda: w.compare_dock.comparison is not None, timeout=60_000)
    rows = {r[0]: r for r in w.compare_dock.table_rows()}
    assert rows[run.name][1] == FAMILY and rows[vae.name][1] == "vae"
    assert rows[run.name][4] == "exact" and rows[vae.name][4] == "bound" and rows[run.name][3] == "nats"
    learn.show()
    learn.raise_()
    learn.tabs.setCurrentWidget(learn.comparison_page)
    table = learn.comparison_page
    qtbot.waitUntil(lambda: table.comparison is not None and not learn.tasks.busy("learn-compare"), timeout=60_000)
    assert FAMILY in table.families and table.cell("run", FAMILY) == run.name
    column = table.families.index(FAMILY)
    assert table.table.horizontalHeaderItem(column).text() == "Mixture"
    assert table.cell("likelihood", FAMILY) == "exact" and table.cell("steps", FAMILY) == "1"

    # Samples on images: grids arrive, and the latent decodes pictures
    w.samples_dock.show()
    w.samples_dock.raise_()
    _train(w, qtbot, "digits", FAMILY, steps=30)
    assert w.samples_dock.image_view.image is not None and w.samples_dock.image_view.image.ndim >= 2
    latent.show()
    latent.raise_()
    qtbot.waitUntil(lambda: latent.info is not None and latent.info["kind"] == "image"
                    and latent.decoded_view.image is not None and not latent.link.explorer.busy(), timeout=60_000)
    assert latent.decoded_view.image.shape[:2] == (8, 8)
