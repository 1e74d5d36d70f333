"""Built-in sets that need no files: procedural shapes with known factors, and drawn point sets."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from engine.config import ConfigError, DataConfig, RunConfig, drawn_config
from engine.data import load_dataset
from engine.data.points import write_points_csv
from engine.data.shapes import SHAPE_NAMES, render
from engine.errors import DataError


def test_shapes_carry_their_factors_and_labels():
    ds = load_dataset(DataConfig(name="shapes", n_train=400, n_test=100, seed=5))
    assert ds.spec.shape == (1, 32, 32) and ds.spec.levels == 256
    assert ds.factor_names == ("shape", "scale", "rotation", "x", "y")
    assert ds.factors_train.shape == (400, 5) and ds.factors_test.shape == (100, 5)
    assert torch.equal(ds.factors_train[:, 0].long(), ds.y_train)
    assert ds.spec.class_names == SHAPE_NAMES and set(ds.y_train.tolist()) == set(range(len(SHAPE_NAMES)))
    torch.testing.assert_close(ds.x_train * 255, torch.round(ds.x_train * 255))
    again = load_dataset(DataConfig(name="shapes", n_train=400, n_test=100, seed=5))
    assert torch.equal(ds.x_train, again.x_train)
    assert not torch.equal(ds.x_train[:100], ds.x_test)
    assert ds.summary()["factors"] == list(ds.factor_names)


def test_shapes_are_drawn_where_their_factors_say():
    # a big square at (12.5, 20.5) with no rotation: its centre pixel is lit, the far corner is not
    f = np.array([[0, 1.0, 0.0, 12.5, 20.5]])
    img = render(f, colour=False)[0, 0]
    assert img[20, 12] == 255 and img[0, 31] == 0
    ys, xs = np.nonzero(img > 127)
    assert abs(xs.mean() - 12) < 0.6 and abs(ys.mean() - 20) < 0.6
    # rotating a square by 45 degrees reaches further along the axes
    turned = render(np.array([[0, 1.0, math.pi / 4, 16.0, 16.0]]), colour=False)[0, 0]
    plain = render(np.array([[0, 1.0, 0.0, 16.0, 16.0]]), colour=False)[0, 0]
    assert (turned[15] > 127).sum() > (plain[15] > 127).sum()


def test_colour_shapes_have_a_hue_factor():
    ds = load_dataset(DataConfig(name="shapes-colour", n_train=50, n_test=10))
    assert ds.spec.shape == (3, 32, 32) and ds.factor_names[-1] == "hue"
    assert float(ds.factors_train[:, 5].min()) >= 0 and float(ds.factors_train[:, 5].max()) < 1


def test_drawn_points_live_in_the_config_and_reproduce():
    pts = np.random.default_rng(1).normal(size=(120, 2)) * [3, 0.5]
    cfg = RunConfig(family="vae")
    cfg.data = drawn_config(pts, cfg.data)
    text = cfg.to_json()
    back = RunConfig.from_json(text)
    a, b = load_dataset(cfg.data), load_dataset(back.data)
    assert torch.equal(a.x_train, b.x_train) and torch.equal(a.x_test, b.x_test)
    assert len(a.x_train) + len(a.x_test) == 120 and a.spec.kind == "points"
    stored = torch.cat([a.x_train, a.x_test])
    assert sorted(stored[:, 0].tolist()) == sorted(np.float32(pts[:, 0]).tolist())
    assert "drawn" in a.source and a.preparation["stored_in"] == "data.points"


def test_drawn_points_survive_a_settings_form_text_round_trip():
    cfg = drawn_config([[0, 0], [1, 2], [3, -1.5]])
    text = ", ".join(str(p) for p in cfg.points)          # what a text field shows
    flat = [t.strip() for t in text.split(",") if t.strip()]  # what it reads back
    form = DataConfig(name="drawn", points=flat)
    assert torch.equal(load_dataset(form).x_train, load_dataset(cfg).x_train)


def test_bad_drawn_points_are_clear_errors():
    with pytest.raises(DataError, match="draw some first"):
        load_dataset(DataConfig(name="drawn"))
    with pytest.raises(ConfigError, match="data.points"):
        RunConfig.from_dict({"family": "vae", "data": {"name": "drawn", "points": [[0, 1], [2, "x"]]}})
    with pytest.raises(ConfigError, match="data.points"):
        RunConfig.from_dict({"family": "vae", "data": {"name": "drawn", "points": [[0, float("nan")]]}})
    with pytest.raises(DataError, match="zero variance"):
        load_dataset(drawn_config([[1, 0], [1, 1], [1, 2]]))
    with pytest.raises(ConfigError, match="mirrors"):
        RunConfig.from_dict({"family": "vae", "data": {"mirrors": ["ftp://example.org/"]}})


def test_a_drawing_exported_as_csv_loads_back_to_the_same_values(tmp_path):
    cfg = drawn_config(np.random.default_rng(2).uniform(-5, 5, size=(40, 2)))
    path = write_points_csv(tmp_path / "drawing.csv", cfg.points)
    from_csv = load_dataset(DataConfig(name=str(path)))
    from_cfg = load_dataset(cfg)
    assert torch.equal(from_csv.x_train, from_cfg.x_train) and torch.equal(from_csv.x_test, from_cfg.x_test)
