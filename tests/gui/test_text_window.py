"""The window on text: pick names, families that cannot model text are greyed out with the reason, Train
shows generated names with the new ones marked, the Latent dock completes a typed prefix with
probabilities, and Inside shows the next character and the attention as the person types."""

from __future__ import annotations

import os
from pathlib import Path

from tests.gui.conftest import choose

SHOTS = os.environ.get("GENLAB_TEXT_SHOTS")   # a folder: save the docks as PNGs to look at


def _shot(widget, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


def test_names_trains_and_shows_names_completions_and_next_characters(make_window, qtbot):
    from engine.models.registry import model_class
    w = make_window()
    w.resize(1500, 950)
    setup = w.setup_dock
    families = [setup.family_combo.itemData(i) for i in range(setup.family_combo.count())]
    refused = next(f for f in families if model_class(f).data_kind_refusal("text"))
    choose(w, "names", refused, steps=1_000_000)
    qtbot.waitUntil(lambda: w.data_dock.summary is not None and w.data_dock.summary["name"] == "names", timeout=30_000)
    assert setup.kind == "text" and setup.family != refused   # a family that can model text was chosen
    assert "cannot model text data" in w.log_dock.text()
    setup.family_combo.setCurrentIndex(setup.family_combo.findData("ar"))
    setup.train_form.widgets["steps"].setValue(1_000_000)
    assert setup.family == "ar"
    _shot(w, "text_window_data")

    # families that cannot model text: greyed out, the reason in the tool tip
    model = setup.family_combo.model()
    greyed = 0
    for i in range(setup.family_combo.count()):
        family = setup.family_combo.itemData(i)
        refusal = model_class(family).data_kind_refusal("text")
        enabled = model.item(i).isEnabled()
        assert enabled == (not refusal)
        if refusal:
            greyed += 1
            assert "cannot model" in setup.family_combo.itemData(i, 3)   # Qt.ToolTipRole
    assert greyed >= 1

    setup.train_form.widgets["sample_every"].setValue(40)
    with qtbot.waitSignal(w.bridge.samples_ready, timeout=60_000):
        w.controls.train.trigger()
    sd = w.samples_dock
    qtbot.waitUntil(lambda: sd.updates >= 3, timeout=120_000)
    w.samples_dock.raise_()
    qtbot.waitUntil(lambda: sd.text_view.count() > 0, timeout=10_000)
    assert sd.stack.currentWidget() is sd.text_view
    texts = [sd.text_view.item(i).text() for i in range(sd.text_view.count())]
    assert len(texts) == setup.train_form.widgets["n_display"].value()
    assert any(t.startswith("★") for t in texts) and "new" in sd.caption.text()

    # Latent: completions of a typed prefix, each with its probability
    w.latent_dock.raise_()
    probe = w.latent_dock.text_slot.probe
    assert w.latent_dock.text_slot.active
    probe.prefix.setText("ma")
    qtbot.waitUntil(lambda: bool(probe.last_completions) and all(c.text.startswith("ma") for c in probe.last_completions)
                    and probe.last_next is not None and probe.last_next.prefix == "ma", timeout=30_000)
    lines = [probe.list.item(i).text() for i in range(probe.list.count())]
    assert all("ma" in t and "p = " in t for t in lines)
    assert abs(sum(p for _, p in probe.bars.rows) - 1) < 0.5     # the top characters hold most of the mass
    qtbot.wait(200)
    _shot(w, "text_window_latent")

    # Inside: the next character and the last layer's attention, as the person types
    w.inside_dock.raise_()
    inside = w.inside_dock.text_slot.probe
    inside.prefix.setText("ka")
    qtbot.waitUntil(lambda: inside.last_next is not None and inside.last_next.prefix == "ka", timeout=30_000)
    assert inside.last_next.attention is not None and len(inside.last_next.attention) == 3
    assert "span" in inside.attention.text()
    qtbot.wait(200)
    _shot(w, "text_window_inside")
    w.samples_dock.raise_()
    qtbot.wait(100)
    _shot(w, "text_window_samples")

    with qtbot.waitSignal(w.bridge.training_finished, timeout=20_000):
        w.controls.stop.trigger()
    qtbot.waitUntil(lambda: w.session.state == "idle")


def test_a_sequence_vae_on_names_decodes_the_plane_and_morphs_one_name_into_another(make_window, qtbot):
    w = make_window()
    w.resize(1500, 950)
    choose(w, "names", "vae", steps=1_000_000)
    setup = w.setup_dock
    qtbot.waitUntil(lambda: w.data_dock.summary is not None and w.data_dock.summary["name"] == "names", timeout=30_000)
    assert setup.family == "vae" and setup.model_form.widgets["latent_dim"].value() == 2   # the vae-text preset
    setup.train_form.widgets["sample_every"].setValue(40)
    with qtbot.waitSignal(w.bridge.samples_ready, timeout=60_000):
        w.controls.train.trigger()
    qtbot.waitUntil(lambda: w.samples_dock.updates >= 2, timeout=120_000)
    w.latent_dock.raise_()
    slot = w.latent_dock.text_slot
    assert slot.active and slot.probe is slot.latent_probe
    probe = slot.latent_probe
    qtbot.waitUntil(lambda: probe.last_decoded is not None and len(probe.plane.points) > 0, timeout=60_000)
    probe.plane.handle = (1.0, -0.5)
    probe.request_decode(1.0, -0.5)
    qtbot.waitUntil(lambda: probe.last_decoded.z[:2] == (1.0, -0.5), timeout=30_000)
    assert probe.last_decoded.nats_per_char > 0 and "nats/char" in probe.decoded.text()
    probe.line_a.setText("emma")
    probe.line_b.setText("oliver")
    probe.go.click()
    qtbot.waitUntil(lambda: probe.last_morph is not None, timeout=60_000)
    assert len(probe.last_morph) == probe.morph_list.count() == 9
    assert all(0 < line.nats_per_char < 20 for line in probe.last_morph)
    qtbot.wait(200)
    _shot(w, "text_window_vae_latent")
    probe.line_a.setText("Emma1")
    probe.go.click()
    qtbot.waitUntil(lambda: "never occur" in probe.status.text(), timeout=30_000)
    with qtbot.waitSignal(w.bridge.training_finished, timeout=20_000):
        w.controls.stop.trigger()
    qtbot.waitUntil(lambda: w.session.state == "idle")
