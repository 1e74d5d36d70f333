"""Datasets: built-in, downloadable, and a person's own files, all behind ``load_dataset``.

``load_dataset(cfg, progress, cancelled)`` takes a ``DataConfig`` whose ``name`` is
- a built-in set: the 2D toys, ``digits``, ``shapes``/``shapes-colour`` (known factors), ``names``
  (text, ``engine.data.text``), or ``drawn`` (the points in ``cfg.points``);
- a downloadable set: ``mnist``, ``fashion-mnist``, ``cifar10`` (cached after the first download);
- a path: a folder of images (labels from subfolders), a folder in MNIST's IDX layout, a CIFAR-10
  binary folder or archive, or a file: ``.npy``, ``.npz``, IDX (plain or ``.gz``), ``.csv`` points,
  ``.txt`` text (one example per line; a ``.txt`` of x,y numbers still loads as points).

Every problem is a ``DataError`` naming the file or dataset; a bad file inside a folder is skipped
and listed in ``Dataset.skipped`` unless ``cfg.strict``. ``Dataset.summary()`` gives a window what
to show, ``Dataset.preparation`` what the run config records.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from engine.catalogue import builtin_names, downloadable_names
from engine.data.arrays import load_npy, load_npz
from engine.data.builtin import BUILTIN_IMAGES, BUILTIN_POINTS, DRAWN, load_digits, load_toy
from engine.data.idx import GZIP_MAGIC, is_idx_folder, load_idx_file, load_idx_folder, looks_like_idx
from engine.data.images import IMAGE_SUFFIXES, load_image_folder
from engine.data.points import load_csv, load_drawn
from engine.data.progress import LoadCancelled, Reporter, as_reporter
from engine.data.remote import (CIFAR_DIR, cifar_folder_complete, load_cifar_archive, load_cifar_folder, load_remote,
                                remote_key)
from engine.data.shapes import SHAPES_NAMES, load_shapes
from engine.data.spec import DataSpec, Dataset
from engine.data.text import TEXT_SETS, is_text_file, load_names, load_text_file
from engine.errors import DataError

if TYPE_CHECKING:  # the loaders read a DataConfig's fields; engine.config sits above engine.data
    from engine.config import DataConfig

# file name endings a person's own data files may have -> which loader reads them (an open-file dialog
# can build its filter from the keys; folders are told apart by their content)
FILE_LOADERS = {".npy": "npy", ".npz": "npz", ".csv": "csv", ".tsv": "csv", ".txt": "text",
                ".idx": "idx", ".gz": "idx", ".ubyte": "idx", ".tar.gz": "tar", ".tgz": "tar", ".tar": "tar"}
SUPPORTED_TEXT = ("a folder of images, an IDX folder (train-*/t10k-* files), a CIFAR-10 binary folder or "
                  "archive, .npy, .npz, IDX (.gz), .csv of points, .txt of text (one example per line)")


def _kind_of_file(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith((".tar.gz", ".tgz", ".tar")):
        return "tar"
    if name.endswith(("-ubyte", "-ubyte.gz")) or ".idx" in name:
        return "idx"
    kind = FILE_LOADERS.get(path.suffix.lower())
    if kind:
        return kind
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as e:
        raise DataError(f"{path}: cannot be read ({e.strerror or e})") from None
    if head.startswith(b"\x93NUMPY"):
        return "npy"
    if head.startswith(b"PK\x03\x04"):
        return "npz"
    if looks_like_idx(head) or head.startswith(GZIP_MAGIC):
        return "idx"
    return None


def load_path(path: Path, cfg: DataConfig, reporter: Reporter) -> Dataset:
    """A person's own file or folder, dispatched on what it is."""
    if path.is_dir():
        if is_idx_folder(path):
            return load_idx_folder(path, cfg, reporter)
        if cifar_folder_complete(path) or cifar_folder_complete(path / CIFAR_DIR):
            return load_cifar_folder(path, cfg, reporter, name=path.name)
        return load_image_folder(path, cfg, reporter)
    if not path.is_file():
        raise DataError(f"{path}: not a regular file or folder")
    kind = _kind_of_file(path)
    if kind == "npy":
        return load_npy(path, cfg, reporter)
    if kind == "npz":
        return load_npz(path, cfg, reporter)
    if kind == "csv" or (kind == "text" and not is_text_file(path)):
        return load_csv(path, cfg, reporter)
    if kind == "text":
        return load_text_file(path, cfg, reporter)
    if kind == "idx":
        return load_idx_file(path, cfg, reporter)
    if kind == "tar":
        return load_cifar_archive(path, cfg, reporter)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        raise DataError(f"{path}: is a single image; give the folder that holds your images")
    raise DataError(f"{path}: unsupported file type '{path.suffix or '(none)'}'; supported: {SUPPORTED_TEXT}")


def load_dataset(cfg: DataConfig, progress=None, cancelled=None) -> Dataset:
    """Load what ``cfg.name`` names: a built-in set, a downloadable one, or a file or folder of the person's own.

    ``progress(done, total, text)`` and ``cancelled() -> bool`` let a window show and stop long loads
    (``total`` is 0 while it is not known yet); cancelling raises ``LoadCancelled``, a ``DataError``.
    Raises ``DataError`` with a message naming the dataset or file on any problem.
    """
    reporter = as_reporter(progress, cancelled)
    name = cfg.name.strip()
    if name in BUILTIN_POINTS:
        return load_toy(name, cfg.n_train, cfg.n_test, cfg.seed)
    if name == "digits":
        return load_digits()
    if name in SHAPES_NAMES:
        return load_shapes(name, cfg.n_train, cfg.n_test, cfg.seed, reporter)
    if name == DRAWN:
        return load_drawn(cfg)
    if name in TEXT_SETS:
        return load_names(cfg, reporter)
    if remote_key(name) and not Path(name).exists():
        return load_remote(name, cfg, reporter)
    if not name:
        raise DataError("data.name is empty: choose a dataset or a file")
    path = Path(name).expanduser()
    if not path.exists():
        raise DataError(f"{name}: not a built-in dataset ({', '.join(builtin_names() + [DRAWN])}), "
                        f"not a downloadable one ({', '.join(downloadable_names())}), and no such file or folder")
    return load_path(path, cfg, reporter)


__all__ = ["DataSpec", "Dataset", "DataError", "LoadCancelled", "FILE_LOADERS", "load_dataset", "builtin_names",
           "downloadable_names"]
