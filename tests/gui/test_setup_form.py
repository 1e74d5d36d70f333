"""The settings form is generated from the engine's knob metadata and validates like the engine."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QCheckBox, QComboBox, QSpinBox

from engine.config import TrainConfig
from gui.widgets.knob_form import KnobForm
from gui.widgets.spin import FloatSpinBox
from tests.gui.conftest import choose


def test_form_widgets_follow_the_metadata(qtbot):
    form = KnobForm(TrainConfig, "train")
    qtbot.addWidget(form)
    steps = form.widgets["steps"]
    assert isinstance(steps, QSpinBox) and steps.minimum() == 1 and steps.suffix() == " steps"
    lr = form.widgets["lr"]
    assert isinstance(lr, FloatSpinBox) and lr.log and lr.minimum() == pytest.approx(1e-7)
    assert "Adam" in lr.toolTip() and "immediately" in lr.toolTip()
    assert "next Train" in steps.toolTip()
    assert isinstance(form.widgets["device"], QComboBox) and isinstance(form.widgets["amp"], QCheckBox)
    assert form.values() == {k: getattr(TrainConfig(), k) for k in form.widgets}


def test_log_spin_box_steps_along_1_2_5_and_shows_short_text(qtbot):
    form = KnobForm(TrainConfig, "train")
    qtbot.addWidget(form)
    lr = form.widgets["lr"]
    lr.setValue(1e-3)
    lr.stepBy(1)
    assert lr.value() == pytest.approx(2e-3)
    lr.stepBy(2)
    assert lr.value() == pytest.approx(1e-2)
    lr.stepBy(-4)
    assert lr.value() == pytest.approx(5e-4)
    assert lr.textFromValue(3e-5) == "3e-05"


def test_edits_are_reported_with_their_live_flag_and_checked_by_the_engine(qtbot):
    form = KnobForm(TrainConfig, "train")
    qtbot.addWidget(form)
    seen = []
    form.value_edited.connect(lambda *a: seen.append(a))
    form.widgets["lr"].setValue(0.01)
    form.widgets["steps"].setValue(50)
    assert seen == [("train", "lr", 0.01, True), ("train", "steps", 50, False)]
    form.set_values({"batch_size": 7})
    assert len(seen) == 2 and form.value("batch_size") == 7  # programmatic changes are not "edits"


def test_advanced_knobs_stay_hidden_until_asked_for(qtbot):
    form = KnobForm(TrainConfig, "train", basic=("steps", "lr"))
    qtbot.addWidget(form)
    form.show()
    assert form.widgets["steps"].isVisible() and not form.widgets["keep_checkpoints"].isVisible()
    form.set_show_advanced(True)
    assert form.widgets["keep_checkpoints"].isVisible()


def test_presets_load_per_family_and_kind_and_drop_unknown_keys(tmp_path, monkeypatch):
    import json

    from engine.config import DataConfig
    from engine.models.registry import config_class
    from gui import presets
    vae = config_class("vae")
    values, warnings, key = presets.preset_values("vae", "points", vae, DataConfig)
    assert values["train"] and not warnings and key == ("vae", "points", None, "")   # no data loaded: no size
    for family in ("vae", "gan", "ar", "flow", "diffusion"):
        for kind in ("points", "image"):
            assert presets.preset_path(family, kind).is_file(), (family, kind)
    fake = tmp_path / "presets"
    fake.mkdir()
    (fake / "vae-points.json").write_text(json.dumps({"model": {"latent_dim": 3, "renamed": 1},
                                                      "train": {"lr": 5.0}, "data": {"name": "x"}}))
    monkeypatch.setattr(presets, "preset_path", lambda f, k: fake / f"{f}-{k}.json")
    values, warnings, _key = presets.preset_values("vae", "points", vae, DataConfig)
    assert values["model"] == {"latent_dim": 3} and values["train"] == {} and values["data"] == {}
    assert len(warnings) == 2 and any("renamed" in w for w in warnings) and any("train.lr" in w for w in warnings)


def test_a_form_hides_the_knobs_a_family_ignores_whatever_the_advanced_toggle(qtbot):
    form = KnobForm(TrainConfig, "train", basic=("steps", "lr"))
    qtbot.addWidget(form)
    form.show()
    form.set_hidden(("lr", "keep_checkpoints"))
    form.set_show_advanced(True)
    assert not form.widgets["lr"].isVisible() and not form.widgets["keep_checkpoints"].isVisible()
    assert form.widgets["steps"].isVisible() and form.value("lr") == TrainConfig().lr   # the value stays
    form.set_hidden(())
    assert form.widgets["lr"].isVisible()


def test_a_family_ignores_the_learning_rate_exactly_when_it_has_no_optimiser():
    """Declared, not guessed, and true: the families that hide the learning rate build no optimiser,
    and every family with an optimiser keeps it in the form."""
    import dataclasses

    from engine.config import DataConfig
    from engine.data import load_dataset
    from engine.models.registry import available_families, build_model, model_class
    names = {f.name for f in dataclasses.fields(TrainConfig)}
    spec = load_dataset(DataConfig(name="moons", n_train=100, n_test=20)).spec
    checked = []
    for family in available_families():
        cls = model_class(family)
        assert set(cls.ignored_train_knobs) <= names, (family, cls.ignored_train_knobs)
        if "points" not in cls.data_kinds:
            continue
        optimisers = build_model(family, spec, cls.config_class()).configure_optimizers(1e-3)
        assert ("lr" in cls.ignored_train_knobs) == (not optimisers), family
        checked.append(family)
    assert {"gaussian", "gmm", "kde", "vae", "diffusion"} <= set(checked)


def test_setup_hides_the_learning_rate_for_a_closed_form_family_only(make_window):
    from engine.models.registry import available_families, model_class
    w = make_window()
    setup = w.setup_dock
    lr = setup.train_form.widgets["lr"]
    seen = {}
    for family in available_families():
        if setup.family_combo.findData(family) < 0:
            continue
        setup.family_combo.setCurrentIndex(setup.family_combo.findData(family))
        seen[family] = lr.isVisibleTo(setup)
        assert seen[family] == ("lr" not in model_class(family).ignored_train_knobs), family
    assert seen["vae"] and not seen["gaussian"] and not seen["kde"]


def test_the_preset_follows_the_images_shape_not_only_their_kind(make_window, qtbot, tmp_path):
    """Autoregressive on 8x8 digits keeps the Transformer; a folder of 28x28 images (same kind of data)
    brings the PixelCNN the preset file names for that shape, at its batch and step count; back on the
    digits, the Transformer returns. A run's own settings shown in the form are not replaced when its data
    loads."""
    from engine.config import RunConfig
    from tests.gui.test_data_window import tiny_idx_folder
    w = make_window()
    setup = w.setup_dock
    choose(w, "digits", "ar")
    qtbot.waitUntil(lambda: setup.data_spec is not None and setup.data_spec.shape == (1, 8, 8), timeout=30_000)
    assert setup.model_form.values()["image_net"] == "transformer"
    assert setup.train_form.values()["batch_size"] == 64
    setup.set_data_name(str(tiny_idx_folder(tmp_path / "my-28x28")))
    qtbot.waitUntil(lambda: setup.data_spec.shape == (1, 28, 28), timeout=30_000)
    model, train = setup.model_form.values(), setup.train_form.values()
    assert (model["image_net"], model["width"], model["max_dilation"], model["stacks"]) == ("pixelcnn", 32, 8, 2)
    assert (model["pixel_output"], model["mixtures"]) == ("logistic-mixture", 5)
    assert (train["batch_size"], train["steps"], train["n_display"]) == (16, 3000, 64)
    assert "the pixelcnn-32x4 network for this shape" in w.log_dock.text()
    setup.set_data_name("digits")
    qtbot.waitUntil(lambda: setup.data_spec.shape == (1, 8, 8), timeout=30_000)
    assert setup.model_form.values()["image_net"] == "transformer"

    own = RunConfig.from_dict({"family": "ar", "data": {"name": str(tmp_path / "my-28x28")},
                               "model": {"image_net": "transformer", "width": 48}, "train": {"steps": 77}})
    setup.show_run_config(own, kind="image")
    qtbot.waitUntil(lambda: setup.data_spec.shape == (1, 28, 28), timeout=30_000)
    assert setup.model_form.values()["width"] == 48 and setup.train_form.values()["steps"] == 77


def test_the_preset_follows_a_setting_the_size_takes_from_the_shape(make_window, qtbot):
    """Diffusion names the same network for 8x8 grey digits and 32x32 colour shapes, but trains the colour
    images on noisier steps: changing the data re-applies the preset because those settings differ."""
    from engine.models.diffusion import image_noise_mean
    w = make_window()
    setup = w.setup_dock
    choose(w, "digits", "diffusion")
    qtbot.waitUntil(lambda: setup.data_spec is not None and setup.data_spec.shape == (1, 8, 8), timeout=30_000)
    assert setup.model_form.values()["noise_mean"] == image_noise_mean(64) == -0.8
    setup.set_data_name("shapes-colour")
    qtbot.waitUntil(lambda: setup.data_spec.shape == (3, 32, 32), timeout=60_000)
    assert setup.model_form.values()["noise_mean"] == image_noise_mean(3072) == -0.12
    assert setup.model_form.values()["width"] == 8 and setup.train_form.values()["steps"] == 3000
    setup.set_data_name("digits")
    qtbot.waitUntil(lambda: setup.data_spec.shape == (1, 8, 8), timeout=30_000)
    assert setup.model_form.values()["noise_mean"] == -0.8
