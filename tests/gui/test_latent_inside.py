"""Inside the model (2-D data): each family's views fill from a snapshot of a real model, on the
dock's own explorer; the VAE's picked points get posterior ellipses."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.config import DataConfig
from engine.data import load_dataset
from engine.latent import inside as inside_jobs
from engine.models.registry import build_model, config_class
from engine.training.snapshot import take_snapshot


@pytest.fixture(scope="module")
def moons():
    return load_dataset(DataConfig(name="moons", n_train=500, n_test=500))


@pytest.fixture
def dock(qtbot):
    from gui.app import configure_pyqtgraph
    from gui.docks.inside_dock import InsideDock
    configure_pyqtgraph()
    d = InsideDock()
    qtbot.addWidget(d)
    d.resize(700, 500)
    d.show()
    yield d
    assert d.shutdown()


def _snapshot(family, spec, **cfg):
    c = config_class(family)()
    for k, v in cfg.items():
        setattr(c, k, v)
    torch.manual_seed(0)
    return take_snapshot(build_model(family, spec, c), 7)


def _idle(dock):
    return not dock.link.explorer.busy()


def test_flow_shows_its_exact_density_and_a_grid_carried_through_every_layer(dock, qtbot, moons):
    dock.start_run("flow", moons.spec.to_dict(), moons)
    dock.set_snapshot(_snapshot("flow", moons.spec, layers=3, hidden=16))
    qtbot.waitUntil(lambda: dock.heatmap is not None and dock.frames is not None and _idle(dock), timeout=60_000)
    heat = dock.map_view.heat_image
    assert heat.dtype == np.uint8 and heat.shape == (64, 64) and heat.max() == 255 and heat.min() < 128
    assert "exact" in dock.caption.text() and "Step 7" in dock.caption.text()
    frames = dock.frames
    assert len(frames.frames) == 1 + 3 and frames.labels[0].startswith("base")   # base, then each coupling
    assert dock.map_view.line_count == frames.frames.shape[1]
    dock.frame_slider.setValue(0)
    x0, _ = dock.map_view.lines.getData()
    dock.frame_slider.setValue(len(frames.frames) - 1)
    x1, _ = dock.map_view.lines.getData()
    assert dock.frame_label.text() == frames.labels[-1]
    assert not np.allclose(x0, x1, equal_nan=True)        # the layers bend the grid
    dock.log_check.setChecked(True)
    assert not np.array_equal(dock.map_view.heat_image, heat)


def test_gan_shows_its_discriminator_and_the_warp_of_a_noise_grid(dock, qtbot, moons):
    dock.start_run("gan", moons.spec.to_dict(), moons)
    dock.set_snapshot(_snapshot("gan", moons.spec, hidden=32, latent_dim=4))
    qtbot.waitUntil(lambda: dock.heatmap is not None and dock.frames is not None and _idle(dock), timeout=60_000)
    assert dock.heatmap.what == "discriminator" and "D(x)" in dock.caption.text()
    assert 0.0 <= dock.heatmap.values.min() <= dock.heatmap.values.max() <= 1.0
    grid, warped = dock.frames.frames
    assert grid.shape == warped.shape == (26, 61, 2)
    snap_model = dock.link.snapshot.build_model()
    z = np.zeros((1, 4), np.float32)
    z[0, :2] = grid[0, 0]
    np.testing.assert_allclose(warped[0, 0], snap_model.decode(torch.from_numpy(z))[0].numpy(), atol=1e-5)


def test_vae_picked_points_get_posterior_ellipses(dock, qtbot, moons):
    dock.start_run("vae", moons.spec.to_dict(), moons)
    dock.set_snapshot(_snapshot("vae", moons.spec, hidden=32))
    qtbot.waitUntil(lambda: dock.heatmap is not None and _idle(dock), timeout=60_000)
    assert "bound" in dock.heatmap.label
    assert dock.posterior_view.isVisible() and dock.posterior_view.shown == 0
    for x, y in ((0.0, 0.5), (1.0, -0.3)):
        dock.map_view.clicked.emit(x, y)
    qtbot.waitUntil(lambda: dock.posterior_view.shown == 2 and _idle(dock), timeout=30_000)
    model = dock.link.snapshot.build_model()
    with torch.no_grad():
        mu, logvar = model.posterior(model.to_model(torch.tensor([[1.0, -0.3]])))
    ex, ey = dock.posterior_view.ellipses[1].getData()
    std = (0.5 * logvar).exp()[0].numpy()
    np.testing.assert_allclose([ex.mean(), ey.mean()], mu[0].numpy(), atol=0.05 * std.max() + 1e-4)
    np.testing.assert_allclose([ex.max() - ex.min(), ey.max() - ey.min()], 4 * std, rtol=0.01)
    dock.clear_picks.click()
    qtbot.waitUntil(lambda: dock.posterior_view.shown == 0, timeout=30_000)


def test_vae_shows_its_priors_contours_the_standard_normals_circles_or_its_fitted_mixture(dock, qtbot, moons):
    """The dashed contours are the prior the samples are drawn from: N(0, I)'s 1- and 2-sigma circles for the
    standard prior; each fitted component's 2-sigma ellipse, in the first two dimensions, for the mixture."""
    from engine.training.loop import Trainer
    from tests.helpers import small_config
    dock.start_run("vae", moons.spec.to_dict(), moons)
    dock.set_snapshot(_snapshot("vae", moons.spec, hidden=32))
    qtbot.waitUntil(lambda: dock.heatmap is not None and _idle(dock), timeout=60_000)
    dock.map_view.clicked.emit(0.0, 0.5)
    qtbot.waitUntil(lambda: dock.posterior_view.shown == 1 and _idle(dock), timeout=30_000)
    x, y = dock.posterior_view.prior.getData()
    radius = np.hypot(x, y)[np.isfinite(x)]
    assert dock.posterior_view.prior_count == 2 and np.allclose(sorted({round(r, 6) for r in radius}), [1, 2])
    cfg = small_config(steps=60, sample_every=10_000)
    cfg.model.hidden, cfg.model.latent_dim, cfg.model.prior = 32, 3, "mixture"
    trainer = Trainer(cfg, None)
    list(trainer.events())
    fit = trainer.model.code_mixture.fitted()
    dock.set_snapshot(take_snapshot(trainer.model, 60))
    qtbot.waitUntil(lambda: dock.posterior_view.prior_count == len(fit.means) and _idle(dock), timeout=60_000)
    x, y = dock.posterior_view.prior.getData()
    contours = np.stack([x, y], 1)[np.isfinite(x)].reshape(len(fit.means), -1, 2)
    cov = (fit.chol @ fit.chol.transpose(1, 2)).double().numpy()
    for k, contour in enumerate(contours):   # every point of a 2-sigma contour is 2 Mahalanobis units out
        d = contour - fit.means[k, :2].double().numpy()
        maha = np.einsum("pi,ij,pj->p", d, np.linalg.inv(cov[k, :2, :2]), d)
        np.testing.assert_allclose(maha, 4.0, rtol=1e-4)


def test_diffusion_particles_move_from_noise_to_data_and_its_density_is_the_ode(dock, qtbot, moons, monkeypatch):
    import dataclasses

    import gui.docks.inside_dock as inside_dock
    from engine.models.registry import model_class
    diffusion = model_class("diffusion")   # a coarse, cheap density map: what the family declares, made lighter
    monkeypatch.setattr(diffusion, "inside_view", dataclasses.replace(
        diffusion.inside_view, density_resolution=12, density_options={**diffusion.inside_view.density_options,
                                                                        "ode_steps": 4}))
    monkeypatch.setattr(inside_dock, "PARTICLES", 100)
    dock.start_run("diffusion", moons.spec.to_dict(), moons)
    dock.set_snapshot(_snapshot("diffusion", moons.spec, hidden=32, depth=1, timesteps=200))
    qtbot.waitUntil(lambda: dock.heatmap is not None and dock.frames is not None and _idle(dock), timeout=120_000)
    assert "ODE" in dock.heatmap.label and dock.heatmap.values.shape == (12, 12)
    f = dock.frames
    assert f.labels[0] == "t = 200" and f.labels[-1] == "t = 0" and f.frames.shape[1:] == (100, 2)
    dock.frame_slider.setValue(0)
    assert dock.map_view.particle_count == 100 and dock.frame_label.text() == "t = 200"


def test_images_get_a_note_instead_of_views(dock, qtbot):
    dock.start_run("vae", {"kind": "image", "shape": [1, 8, 8], "value_range": [0, 1], "levels": 17}, None)
    assert "2-D points" in dock.note.text() and not dock.map_view.isVisible()


def test_heat_map_rows_go_up_in_y():
    pts = inside_jobs.grid_points((0.0, 2.0, 10.0, 14.0), 2)
    np.testing.assert_allclose(pts, [[0.5, 11.0], [1.5, 11.0], [0.5, 13.0], [1.5, 13.0]])


def test_diffusion_draws_its_score_as_arrows_at_the_sliders_noise_level(dock, qtbot, moons, monkeypatch, tmp_path):
    """A flow-matching model trained briefly on moons: the arrows fill the grid; at a large noise level the
    field points inward, toward the data; moving the slider recomputes it at the new level; unticking
    clears it. The window is rendered to a PNG as it stands."""
    import dataclasses

    import gui.docks.inside_dock as inside_dock
    from engine.data.preprocess import Preprocess
    from engine.models.base import Batch
    from engine.models.registry import model_class
    diffusion = model_class("diffusion")
    monkeypatch.setattr(diffusion, "inside_view", dataclasses.replace(
        diffusion.inside_view, density_resolution=8, density_options={**diffusion.inside_view.density_options,
                                                                       "ode_steps": 4}))
    monkeypatch.setattr(inside_dock, "PARTICLES", 100)
    cfg = config_class("diffusion")(objective="flow-matching", hidden=64, depth=2)
    torch.manual_seed(0)
    model = build_model("diffusion", moons.spec, cfg, Preprocess.fit(moons.x_train, "standardize").to_dict())
    model.configure_optimizers(2e-3)
    gen = torch.Generator().manual_seed(0)
    for _ in range(300):
        model.training_step(Batch(moons.x_train[torch.randint(0, 500, (128,), generator=gen)]), gen)
    dock.start_run("diffusion", moons.spec.to_dict(), moons)
    assert dock.arrow_check.isVisibleTo(dock) and dock.noise_slider.isVisibleTo(dock)
    dock.set_snapshot(take_snapshot(model, 300))
    qtbot.waitUntil(lambda: dock.arrow_field is not None and dock.heatmap is not None and _idle(dock),
                    timeout=120_000)
    n = inside_dock.ARROW_GRID
    assert dock.map_view.arrow_count == n * n
    dock.grab().save(str(tmp_path / "arrows.png"))
    first = dock.arrow_field
    assert first.noise == pytest.approx(inside_dock.NOISE_DEFAULT * dock.spread)
    dock.set_noise(1.5 * dock.spread)
    qtbot.waitUntil(lambda: dock.arrow_field is not first and _idle(dock), timeout=60_000)
    field = dock.arrow_field
    assert field.noise == pytest.approx(1.5 * dock.spread, rel=1e-6)
    centre = moons.x_test.numpy().mean(0)
    toward = centre - field.points
    far = np.linalg.norm(toward, axis=1) > np.median(np.linalg.norm(toward, axis=1))
    cos = (field.vectors * toward).sum(1) / (np.linalg.norm(field.vectors, axis=1) * np.linalg.norm(toward, axis=1))
    assert (cos[far] > 0.7).mean() > 0.9        # blurred a lot, the data is one blob: arrows point to it
    dock.arrow_check.setChecked(False)
    assert dock.map_view.arrow_count == 0 and dock.arrow_field is None
    # the quality-against-steps chart of the same model, computed in the background
    qtbot.waitUntil(lambda: dock.steps_chart.result is not None, timeout=120_000)
    chart = dock.steps_chart.result
    assert set(chart.curves) == {"Euler", "Heun", "ancestral"} and len(dock.steps_chart.curves) == 3
    euler = chart.curves["Euler"]
    assert [k for k, _, _ in euler] == list(inside_dock.CHART_STEPS) and euler[-1][2] < euler[0][2] / 5
    assert [n for _, n, _ in chart.curves["Heun"]] == [2 * k for k in inside_dock.CHART_STEPS]
    dock.grab().save(str(tmp_path / "steps_chart.png"))


def test_families_without_score_arrows_hide_the_slider(dock, moons):
    dock.start_run("gan", moons.spec.to_dict(), moons)
    assert not dock.arrow_check.isVisibleTo(dock) and not dock.noise_slider.isVisibleTo(dock)
    assert not dock.steps_chart.isVisibleTo(dock)
