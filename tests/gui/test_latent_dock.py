"""The Latent dock in the real window: a drag on the plane decodes what the engine decodes from the
same snapshot; interpolation ends reproduce the chosen latents and export as PNG and GIF; encoding a
training example puts it on the plane; the autoregressive family completes images instead."""

from __future__ import annotations

import numpy as np
import torch
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from engine.latent.jobs import images_uint8
from tests.gui.conftest import choose


def send_mouse(widget, kind, point, button, buttons):
    ev = QMouseEvent(kind, QPointF(point), QPointF(widget.mapToGlobal(point)), button, buttons,
                     Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, ev)


def drag_on_plane(qtbot, plane_view, start, end, moves: int = 8):
    """Press at plane coordinates ``start``, move in ``moves`` steps to ``end``, release there."""
    vp = plane_view.viewport()
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    send_mouse(vp, QEvent.Type.MouseButtonPress, plane_view.viewport_point(*start), left, left)
    for i in range(1, moves + 1):
        t = i / moves
        a, b = start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1])
        send_mouse(vp, QEvent.Type.MouseMove, plane_view.viewport_point(a, b), none, left)
        qtbot.wait(5)
    send_mouse(vp, QEvent.Type.MouseButtonRelease, plane_view.viewport_point(*end), left, none)


def start_paused_run(w, qtbot, data: str, family: str, **model):
    """A run paused after one step (its snapshot stays the newest), with the Latent dock in front."""
    choose(w, data, family, steps=100_000)
    qtbot.waitUntil(lambda: w.data_dock.summary is not None and w.data_dock.summary["name"] == data, timeout=60_000)
    for name, value in model.items():
        w.setup_dock.model_form.widgets[name].setValue(value)
    dock = w.latent_dock
    dock.show()
    dock.raise_()
    with qtbot.waitSignal(w.bridge.snapshot_published, timeout=60_000):
        w.controls.step.trigger()
    qtbot.waitUntil(lambda: dock.info is not None, timeout=60_000)
    return dock


def settled(dock) -> bool:
    return not dock.link.explorer.busy() and dock.shown_decode_id == dock.last_decode_id


def engine_decode(dock, z) -> np.ndarray:
    model = dock.link.snapshot.build_model()
    return images_uint8(model.decode(torch.from_numpy(np.asarray(z, dtype=np.float32)[None])))[0]


def test_a_drag_on_the_plane_shows_the_engines_decode_of_the_handles_latent(make_window, qtbot):
    w = make_window()
    dock = start_paused_run(w, qtbot, "digits", "vae", latent_dim=2)
    assert dock.pages.currentIndex() == 0 and dock.d == 2 and dock.plane.name == "axes"
    qtbot.waitUntil(lambda: settled(dock) and dock.decoded_view.image is not None, timeout=60_000)
    qtbot.waitUntil(lambda: dock.plane_view.point_count > 0, timeout=60_000)   # encoded training data
    before = dock.decoded_view.image.copy()
    shown_before = dock.decodes_shown

    pv = dock.plane_view
    (x0, x1), (y0, y1) = pv.visible_region()
    start = (x0 + 0.25 * (x1 - x0), y0 + 0.3 * (y1 - y0))
    end = (x0 + 0.8 * (x1 - x0), y0 + 0.75 * (y1 - y0))
    drag_on_plane(qtbot, pv, start, end)
    qtbot.waitUntil(lambda: settled(dock), timeout=30_000)
    qtbot.waitUntil(lambda: dock.decoded_view.item.painted_tag == dock.shown_decode_id, timeout=10_000)

    tol = 0.02 * (x1 - x0)
    assert abs(pv.handle[0] - end[0]) < tol and abs(pv.handle[1] - end[1]) < tol
    np.testing.assert_allclose(dock.z, pv.handle)              # a 2-D latent is the plane itself
    assert dock.decodes_shown > shown_before
    after = dock.decoded_view.image
    assert not np.array_equal(after, before)
    assert dock.shown_step == dock.link.snapshot.step
    assert np.array_equal(after, engine_decode(dock, dock.z))
    np.testing.assert_array_equal([s.value() for s in dock.sliders.sliders],
                                  np.round(np.clip(dock.z, -4, 4) / 4 * 400))   # sliders follow the handle
    # the manifold view decodes a k x k grid of the visible square
    qtbot.waitUntil(lambda: dock.manifold_view.image is not None, timeout=30_000)
    k = dock.k_spin.value()
    assert dock.manifold_view.image.shape == (k * 9 + 1, k * 9 + 1)

    # a slider moves the latent and the handle with it
    dock.sliders.sliders[1].setValue(-200)
    assert dock.z[1] == -2.0 and pv.handle[1] == -2.0
    qtbot.waitUntil(lambda: settled(dock), timeout=30_000)
    assert np.array_equal(dock.decoded_view.image, engine_decode(dock, dock.z))


def test_interpolation_ends_reproduce_the_chosen_latents_and_export(make_window, qtbot, tmp_path):
    from PIL import Image
    w = make_window()
    dock = start_paused_run(w, qtbot, "digits", "vae", latent_dim=2)
    qtbot.waitUntil(lambda: settled(dock), timeout=60_000)
    pv = dock.plane_view
    (x0, x1), (y0, y1) = pv.visible_region()
    drag_on_plane(qtbot, pv, (x0 + 0.5 * (x1 - x0), (y0 + y1) / 2), (x0 + 0.2 * (x1 - x0), y0 + 0.2 * (y1 - y0)), 3)
    dock.interp.set_a.click()
    a = dock.ends["A"].copy()
    # a random end is a draw from the model's own prior: this VAE (the image preset's) samples from the
    # mixture fitted to its codes, so the end is that mixture's draw with the session's next seed
    seed = int(np.random.default_rng(11).integers(2**31))
    dock.session.rng = np.random.default_rng(11)
    dock.interp.random_b.click()
    qtbot.waitUntil(lambda: "B" in dock.ends, timeout=30_000)
    b = dock.ends["B"].copy()
    model = dock.link.snapshot.build_model()
    assert model.code_mixture is not None and model.code_mixture.fitted() is not None
    expected = model.code_mixture.fitted().sample(1, torch.Generator().manual_seed(seed), "cpu")[0].numpy()
    # the explorer's thread may sum the EM's float32 products in another order (its thread count): a few
    # units in the last place, carried through 20 iterations
    np.testing.assert_allclose(b, expected, rtol=1e-3, atol=1e-4)
    assert "A" in pv.markers and "B" in pv.markers
    dock.interp.steps.setValue(7)
    dock.interp.go.click()
    qtbot.waitUntil(lambda: dock.strip is not None, timeout=30_000)
    strip = dock.strip
    assert dock.interp.mode.currentData() == "lerp" and strip.values.shape == (7, 8, 8)
    assert np.array_equal(strip.values[0], engine_decode(dock, a))
    assert np.array_equal(strip.values[-1], engine_decode(dock, b))
    assert dock.interp.strip.image.shape == strip.picture.shape

    png = dock.save_strip(tmp_path / "strip.png")
    gif = dock.save_strip(tmp_path / "strip.gif")
    with Image.open(png) as im:
        assert im.width > im.height > 0
    with Image.open(gif) as im:
        assert im.is_animated and im.n_frames == 2 * 7 - 2      # forwards and back
        im.seek(0)
        first = np.asarray(im.convert("L"))
    s = first.shape[0] // 8
    assert np.array_equal(first[::s, ::s], strip.values[0])    # the GIF's first frame is end A, enlarged

    # encode a training example: it lands on the plane as E, and the handle goes there
    dock.tabs.setCurrentWidget(dock.encode_panel)
    dock.encode_panel.index.setValue(5)
    dock.encode_panel.encode.click()
    qtbot.waitUntil(lambda: dock.encoded is not None and settled(dock), timeout=30_000)
    assert "E" in pv.markers
    np.testing.assert_allclose(pv.markers["E"], dock.encoded)
    np.testing.assert_allclose(dock.z, dock.encoded)
    x = np.asarray(dock.x_train[5:6])
    expected = dock.link.snapshot.build_model().encode(torch.from_numpy(x)).numpy()[0]
    np.testing.assert_allclose(dock.encoded, expected, rtol=1e-5, atol=1e-6)


def test_autoregressive_model_completes_the_lower_rows_and_replays_them(make_window, qtbot):
    w = make_window()
    dock = start_paused_run(w, qtbot, "digits", "ar", width=32, layers=1, heads=2)
    p = dock.completion
    assert dock.pages.currentWidget() is p and p.x is not None
    p.index.setValue(3)
    p.keep.setValue(3)
    p._paint(6.2, 6.2, True)                   # draw a white 2x2 spot low in the image: kept as known
    assert p.painted[6:8, 6:8].all()
    p.count.setValue(2)
    p.temperature.setValue(0.5)
    p.complete.click()
    qtbot.waitUntil(lambda: p.result is not None, timeout=60_000)
    r = p.result
    levels = w.session.run_dataset().spec.levels
    given = np.round(p.x * 255).astype(np.uint8)[0]
    assert r.images.shape == (2, 8, 8) and r.temperature == 0.5
    assert (r.images[:, :3] == given[:3]).all() and (r.images[:, 6:8, 6:8] == 255).all()
    unknown = np.ones((8, 8), bool)
    unknown[:3] = False
    unknown[6:8, 6:8] = False
    np.testing.assert_array_equal(r.order, np.flatnonzero(unknown))
    assert levels == 17 and set(np.unique(r.images)) <= {int(k * 255 / 16 + 0.5) for k in range(17)}
    # replay: nothing drawn at the start, everything at the end
    start = p.replay_picture(0)
    assert (start[:, :8][unknown] == 0).all() and (start[:3, :8] == given[:3]).all()
    assert np.array_equal(p.replay_picture(10_000), p.output_view.image)
    p.start_replay()
    qtbot.waitUntil(lambda: not p.timer.isActive(), timeout=10_000)
    assert np.array_equal(p.output_view.image[:, :8], r.images[0])


def test_the_dock_lays_itself_out_from_the_family_s_latent_view(qtbot):
    """Decode steps, grid size and interpolation come from the family's ``latent_view``; step counts the
    person changed stay for that family's next run."""
    from gui.docks.latent_dock import LatentDock
    dock = LatentDock()
    qtbot.addWidget(dock)
    spec = {"kind": "points", "shape": [2], "value_range": [-3, 3]}
    dock.start_run("diffusion", spec, None)
    assert not dock.preview_steps.isHidden() and dock.steps_label.text() == "DDIM steps: preview"
    assert (dock.preview_steps.value(), dock.refined_steps.value(), dock.k_spin.value()) == (4, 25, 4)
    assert dock.interp.mode.currentData() == "slerp"
    dock.preview_steps.setValue(7)
    dock.start_run("vae", spec, None)
    assert dock.preview_steps.isHidden() and dock.k_spin.value() == 8 and dock.interp.mode.currentData() == "lerp"
    dock.start_run("diffusion", spec, None)
    assert dock.decode_options(False) == {"steps": 7} and dock.encode_options() == {"steps": 25}
    assert dock.shutdown()
