"""The classical baselines in the window: EM's components and responsibilities on "Inside the model",
and the KDE's bandwidth slider moving the density map and the held-out NLL (a real model, the dock's own
explorer, offscreen)."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from engine.config import DataConfig
from engine.data import load_dataset
from engine.data.preprocess import Preprocess
from engine.models.base import Batch
from engine.models.registry import build_model, config_class
from engine.training.snapshot import take_snapshot


@pytest.fixture(scope="module")
def eight():
    return load_dataset(DataConfig(name="8gaussians", n_train=3000, n_test=2000))


@pytest.fixture
def dock(qtbot):
    from gui.app import configure_pyqtgraph
    from gui.docks.inside_dock import InsideDock
    configure_pyqtgraph()
    d = InsideDock()
    qtbot.addWidget(d)
    d.resize(760, 560)
    d.show()
    yield d
    assert d.shutdown()


def _fitted_snapshot(family, ds, steps, **cfg):
    pre = Preprocess.fit(ds.x_train, "standardize")
    model = build_model(family, ds.spec, config_class(family)(**cfg), pre.to_dict())
    model.configure_optimizers(1e-3)
    gen = torch.Generator().manual_seed(0)
    for _ in range(steps):
        model.training_step(Batch(ds.x_train, None), gen)
    return take_snapshot(model, steps), model


def _idle(dock):
    return not dock.link.explorer.busy()


def _save(dock, name):
    folder = os.environ.get("GENLAB_TEST_SHOTS")
    if folder:
        dock.grab().save(os.path.join(folder, name))


def test_em_shows_its_components_and_the_e_step_as_colours(dock, qtbot, eight):
    dock.start_run("gmm", eight.spec.to_dict(), eight)
    early, _ = _fitted_snapshot("gmm", eight, 1, components=8)
    dock.set_snapshot(early)
    qtbot.waitUntil(lambda: dock.components is not None and dock.heatmap is not None and _idle(dock), timeout=60_000)
    first = dock.components
    assert dock.map_view.component_count == 8 and first.ellipses.shape == (8, 64, 2)
    assert len(first.owner) == len(first.points) > 1000 and set(np.unique(first.owner)) <= set(range(8))
    _save(dock, "gmm_step1.png")
    late, model = _fitted_snapshot("gmm", eight, 40, components=8)
    dock.set_snapshot(late)
    qtbot.waitUntil(lambda: dock.components is not first and dock.components is not None and _idle(dock), timeout=60_000)
    later = dock.components
    assert not np.allclose(first.ellipses, later.ellipses)        # EM moved them
    # the colours are the model's own E-step on those points
    r = model.responsibilities(torch.from_numpy(later.points))
    np.testing.assert_array_equal(later.owner, r.argmax(1).numpy())
    assert float(np.mean(later.confidence)) > float(np.mean(first.confidence))   # clusters separate
    assert "exact" in dock.caption.text()
    _save(dock, "gmm_step40.png")


def test_kde_bandwidth_slider_moves_the_map_and_the_held_out_nll(dock, qtbot, eight):
    dock.start_run("kde", eight.spec.to_dict(), eight)
    assert dock.knob_slider.isVisible() and dock.knob_info["name"] == "bandwidth_scale"
    snap, _ = _fitted_snapshot("kde", eight, 1)
    dock.set_snapshot(snap)
    qtbot.waitUntil(lambda: dock.heatmap is not None and _idle(dock), timeout=60_000)
    nll = {}
    heat = {}
    for value in (0.05, 1.0, 20.0):
        dock.set_knob_value(value)
        qtbot.waitUntil(lambda: dock.heatmap is not None and dock.heatmap.knob == ("bandwidth_scale", value)
                        and _idle(dock), timeout=60_000)
        nll[value] = dock.heatmap.nll
        heat[value] = dock.map_view.heat_image.copy()
        assert "held-out NLL" in dock.caption.text()
        _save(dock, f"kde_{value}.png")
    assert nll[0.05] > nll[1.0] + 0.1 and nll[20.0] > nll[1.0] + 0.1, nll
    assert not np.array_equal(heat[0.05], heat[20.0])
    # the slider is log-scaled between the knob's bounds and lands on the value it shows
    dock.knob_slider.setValue(dock.knob_slider.maximum())
    assert float(dock.knob_value.text()) == pytest.approx(100.0)


def test_mcmc_chains_are_drawn_with_their_acceptance_and_step(dock, qtbot, eight):
    dock.start_run("gmm", eight.spec.to_dict(), eight)
    snap, _ = _fitted_snapshot("gmm", eight, 30, components=8)
    dock.set_snapshot(snap)
    qtbot.waitUntil(lambda: dock.components is not None and _idle(dock), timeout=60_000)
    assert dock.chain_button.isVisible()
    dock.request_chains("mh")
    qtbot.waitUntil(lambda: dock.chains is not None and _idle(dock), timeout=120_000)
    ch = dock.chains
    assert ch.method == "mh" and 0.1 < ch.acceptance < 0.6 and dock.map_view.chain_count == len(ch.samples)
    assert "acceptance" in dock.chain_info.text() and "step size" in dock.chain_info.text()
    _save(dock, "gmm_chains.png")
