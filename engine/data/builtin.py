"""Built-in datasets that need no network: the 2D toys, the 8x8 handwritten digits, procedural shapes
(``engine.data.shapes``) and a person's drawn points (``engine.data.points``)."""

from __future__ import annotations

import gzip

import numpy as np
import torch

from engine.catalogue import BUILTIN_IMAGES, DRAWN  # noqa: F401  (re-exported)
from engine.data.spec import DataSpec, Dataset
from engine.data.toys import TOYS, sample_toy
from engine.errors import DataError
from engine.resources import resource_path

DIGITS_LEVELS = 17  # pixel values 0..16, as UCI/scikit-learn ship them
DIGITS_TEST_FRACTION = 0.2
DIGITS_SPLIT_SEED = 1234  # fixed, so every run on digits is judged on the same held-out images


def load_toy(name: str, n_train: int, n_test: int, seed: int) -> Dataset:
    spec = DataSpec(kind="points", shape=(2,), value_range=(-float("inf"), float("inf")), name=name)
    return Dataset(spec=spec,
                   x_train=torch.from_numpy(sample_toy(name, n_train, seed, "train")),
                   x_test=torch.from_numpy(sample_toy(name, n_test, seed, "test")),
                   source=f"built-in 2D toy '{name}'")


def read_digits() -> tuple[np.ndarray, np.ndarray]:
    """All 1797 digits as uint8 (N, 8, 8) with values 0..16, and int64 labels."""
    path = resource_path("datasets", "digits.csv.gz")
    try:
        with gzip.open(path, "rt") as fh:
            raw = np.loadtxt(fh, delimiter=",", dtype=np.int64)
    except OSError as e:
        raise DataError(f"{path}: the built-in digits file is missing or damaged ({e})") from None
    return raw[:, :64].reshape(-1, 8, 8).astype(np.uint8), raw[:, 64]


def load_digits() -> Dataset:
    images, labels = read_digits()
    order = np.random.default_rng(DIGITS_SPLIT_SEED).permutation(len(images))
    n_test = int(round(len(images) * DIGITS_TEST_FRACTION))
    test, train = order[:n_test], order[n_test:]
    x = torch.from_numpy(images.astype(np.float32) / (DIGITS_LEVELS - 1)).unsqueeze(1)
    y = torch.from_numpy(labels)
    spec = DataSpec(kind="image", shape=(1, 8, 8), value_range=(0.0, 1.0), levels=DIGITS_LEVELS,
                    num_classes=10, class_names=tuple(str(i) for i in range(10)), name="digits")
    return Dataset(spec=spec, x_train=x[train], x_test=x[test], y_train=y[train], y_test=y[test],
                   source="built-in 8x8 digits (UCI optdigits, as scikit-learn ships them)")


BUILTIN_POINTS = tuple(TOYS)   # the same names as engine.catalogue.POINT_TOYS (tested)
