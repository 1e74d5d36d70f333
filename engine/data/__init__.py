"""Datasets: built-in toys and digits, and a person's own files, all behind ``load_dataset``."""

from __future__ import annotations

from pathlib import Path

from engine.config import DataConfig
from engine.data.builtin import BUILTIN_IMAGES, BUILTIN_POINTS, load_digits, load_toy
from engine.data.spec import DataSpec, Dataset
from engine.errors import DataError

FILE_LOADERS = {".npy": "engine.data.arrays:load_npy"}


def builtin_names() -> list[str]:
    return list(BUILTIN_POINTS) + list(BUILTIN_IMAGES)


def load_dataset(cfg: DataConfig, progress=None, cancelled=None) -> Dataset:
    """Load what ``cfg.name`` names: a built-in set, or a file or folder of the person's own.

    ``progress(done, total, text)`` and ``cancelled() -> bool`` let a window show and stop long loads.
    Raises ``DataError`` with a message naming the dataset or file on any problem.
    """
    name = cfg.name
    if name in BUILTIN_POINTS:
        return load_toy(name, cfg.n_train, cfg.n_test, cfg.seed)
    if name == "digits":
        return load_digits()
    path = Path(name).expanduser()
    if not path.exists():
        raise DataError(f"{name}: not a built-in dataset ({', '.join(builtin_names())}) "
                        "and no such file or folder")
    loader = FILE_LOADERS.get(path.suffix.lower())
    if loader is None:
        raise DataError(f"{path}: unsupported file type '{path.suffix or '(none)'}'; "
                        f"supported: {', '.join(sorted(FILE_LOADERS))}")
    module, func = loader.split(":")
    import importlib
    return getattr(importlib.import_module(module), func)(path, cfg.max_items)


__all__ = ["DataSpec", "Dataset", "load_dataset", "builtin_names"]
