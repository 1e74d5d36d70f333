import numpy as np
import pytest
import torch

from engine.config import DataConfig
from engine.data import load_dataset
from engine.data.toys import EIGHT_GAUSSIAN_CENTRES, TOYS, sample_toy
from engine.errors import DataError


@pytest.mark.parametrize("name", sorted(TOYS))
def test_toys_are_deterministic_per_seed_with_disjoint_streams(name):
    a = sample_toy(name, 1001, seed=3)
    b = sample_toy(name, 1001, seed=3)
    c = sample_toy(name, 1001, seed=4)
    t = sample_toy(name, 1001, seed=3, stream="test")
    assert a.shape == (1001, 2) and a.dtype == np.float32
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    assert not np.array_equal(a, t)
    assert np.isfinite(a).all()


def test_toys_match_ffjord_definitions():
    x = sample_toy("8gaussians", 40000, seed=0)
    # nearest centre at radius 4/sqrt(2), per-axis sigma 0.5/sqrt(2)
    d = np.linalg.norm(x[:, None, :] - EIGHT_GAUSSIAN_CENTRES[None], axis=2)
    nearest = d.argmin(1)
    resid = x - EIGHT_GAUSSIAN_CENTRES[nearest]
    assert np.linalg.norm(EIGHT_GAUSSIAN_CENTRES, axis=1) == pytest.approx(4 / np.sqrt(2))
    assert resid.std(0) == pytest.approx([0.5 / np.sqrt(2)] * 2, rel=0.03)
    assert np.bincount(nearest, minlength=8).min() > 4500
    moons = sample_toy("moons", 40000, seed=0)
    # make_moons(noise=0.1) * 2 + [-1, -0.2]: x in about [-3, 5], mean of raw moons is (0.5, 0.25)
    assert moons.mean(0) == pytest.approx([0.5 * 2 - 1, 0.25 * 2 - 0.2], abs=0.03)
    board = sample_toy("checkerboard", 40000, seed=0)
    assert board.min() >= -4.0 and board.max() <= 4.0


def test_large_n_exceeds_any_fixed_split():
    ds = load_dataset(DataConfig(name="circles", n_train=123_457, n_test=7))
    assert ds.x_train.shape == (123_457, 2) and ds.x_test.shape == (7, 2)
    assert ds.spec.kind == "points" and ds.spec.shape == (2,)


def test_digits_are_8x8_with_17_levels_and_labels():
    ds = load_dataset(DataConfig(name="digits"))
    assert ds.spec.kind == "image" and ds.spec.shape == (1, 8, 8) and ds.spec.levels == 17
    assert len(ds.x_train) + len(ds.x_test) == 1797
    levels = torch.unique(torch.round(ds.x_train * 16))
    assert levels.min() == 0 and levels.max() == 16
    assert torch.allclose(ds.x_train * 16, torch.round(ds.x_train * 16))
    assert ds.spec.num_classes == 10 and set(ds.y_train.tolist()) == set(range(10))
    again = load_dataset(DataConfig(name="digits"))
    assert torch.equal(ds.x_test, again.x_test)


def test_npy_points_and_images(tmp_path):
    pts = np.random.default_rng(0).normal(size=(300, 2)).astype(np.float32)
    np.save(tmp_path / "p.npy", pts)
    ds = load_dataset(DataConfig(name=str(tmp_path / "p.npy")))
    assert ds.spec.kind == "points" and len(ds.x_train) + len(ds.x_test) == 300
    imgs = np.random.default_rng(0).integers(0, 256, size=(50, 12, 12), dtype=np.uint8)
    np.save(tmp_path / "i.npy", imgs)
    ds = load_dataset(DataConfig(name=str(tmp_path / "i.npy")))
    assert ds.spec.kind == "image" and ds.spec.shape == (1, 12, 12) and ds.spec.levels == 256


@pytest.mark.parametrize("array,message", [
    (np.array([[0.0, np.nan], [1.0, 2.0]]), "NaN"),
    (np.zeros((5,)), "shape"),
    (np.ones((10, 2)), "zero variance"),
    (np.array(["a", "b"]), "dtype"),
])
def test_bad_arrays_are_rejected_naming_the_file(tmp_path, array, message):
    path = tmp_path / "bad.npy"
    np.save(path, array)
    with pytest.raises(DataError) as info:
        load_dataset(DataConfig(name=str(path)))
    assert str(path) in str(info.value) and message in str(info.value)


def test_pickled_npy_is_refused(tmp_path):
    path = tmp_path / "obj.npy"
    np.save(path, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(DataError, match="obj.npy"):
        load_dataset(DataConfig(name=str(path)))


def test_unknown_name_is_a_clear_error():
    with pytest.raises(DataError, match="not a built-in dataset"):
        load_dataset(DataConfig(name="no-such-set"))
