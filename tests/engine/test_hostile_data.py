"""Sizes checked before allocating, and archives bounded before writing (issue 18, kinds 6 and 7).

The hostile files are real: a .npz whose member decompresses to 1 GB from about 1 MB (5 GB once
copied and turned into float32, refused under a 2 GB cap), a sparse .npy whose header promises 17 GB,
a CIFAR archive whose members promise 240 MB of zeros, a picture whose config asks for ten million
generated images. Each is refused with exit status 2 and a message naming it, in bounded
memory and time, and nothing is left in the cache."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest

from tests.engine.hostile_helpers import run_cli

ZERO_CHUNK = bytes(1 << 22)


class Zeros(io.RawIOBase):
    """``n`` zero bytes as a stream, never held in memory at once."""

    def __init__(self, n: int):
        self.left = n

    def readable(self):
        return True

    def readinto(self, b):
        k = min(len(b), self.left)
        b[:k] = bytes(k)
        self.left -= k
        return k


@pytest.fixture(scope="module")
def npz_bomb(tmp_path_factory) -> Path:
    """x.npy inside a .npz: a genuine header for (1000, 1024, 1024) uint8 and 1 GB of zeros."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.npz"
    shape = (1000, 1024, 1024)
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "|u1", "fortran_order": False, "shape": shape})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z, z.open("x.npy", "w", force_zip64=True) as fh:
        fh.write(header.getvalue())
        left = int(np.prod(shape))
        while left:
            k = min(left, len(ZERO_CHUNK))
            fh.write(ZERO_CHUNK[:k])
            left -= k
    assert path.stat().st_size < 5 * 2**20
    return path


def test_a_npz_zip_bomb_is_refused_from_its_header(npz_bomb, tmp_path):
    r = run_cli(["data", "--data", str(npz_bomb), "-o", str(tmp_path / "x.npy")], env={"GENLAB_MEMORY_LIMIT": "2G"})
    r.check_refused(str(npz_bomb), "(1000, 1024, 1024)", "would need", "2 GB free")
    assert not (tmp_path / "x.npy").exists()


def test_a_npy_header_promising_too_much_is_refused_unread(tmp_path):
    path = tmp_path / "big.npy"
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False,
                                                  "shape": (2100, 1024, 1024)})
    with open(path, "wb") as fh:      # a sparse file: 17 GB on paper, nothing on disk
        fh.write(header.getvalue())
        fh.truncate(len(header.getvalue()) + 2100 * 1024 * 1024 * 8)
    r = run_cli(["data", "--data", str(path), "-o", str(tmp_path / "x.npy")])
    r.check_refused(str(path), "would need", "as float32")


def test_a_picture_asking_for_ten_million_generated_images_is_refused(tmp_path):
    from engine.config import RunConfig
    from engine.render import png_bytes
    cfg = RunConfig(family="vae")
    cfg.data.name, cfg.data.n_train = "shapes", 10_000_000
    png = tmp_path / "picture.png"
    png.write_bytes(png_bytes(np.zeros((8, 8), np.uint8), {"genlab.config": cfg.to_json()}))
    r = run_cli(["train", "--config", str(png), "--out", str(tmp_path / "r")])
    r.check_refused("shapes", "10000000", "would need", "data.n_train")
    assert not (tmp_path / "r").exists()


def cifar_archive(path: Path, member_bytes: int, label: int | None = None) -> Path:
    """A tar.gz with the six CIFAR-10 batch names; each member ``member_bytes`` of zeros (or, with
    ``label``, one valid-sized batch whose first record carries that label)."""
    with tarfile.open(path, "w:gz") as tar:
        for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
            info = tarfile.TarInfo(f"cifar-10-batches-bin/{name}")
            info.size = member_bytes
            if label is not None:
                data = bytearray(member_bytes)
                data[0] = label
                tar.addfile(info, io.BytesIO(bytes(data)))
            else:
                tar.addfile(info, Zeros(member_bytes))
    return path


def test_a_cifar_archive_bomb_is_refused_before_anything_is_unpacked(tmp_path):
    archive = cifar_archive(tmp_path / "cifar.tar.gz", 40 * 1024 * 1024)   # 240 MB of zeros
    assert archive.stat().st_size < 2**20
    cache = tmp_path / "cache"
    r = run_cli(["data", "--data", str(archive), "-o", str(tmp_path / "x.npy")], env={"GENLAB_CACHE": str(cache)})
    r.check_refused(str(archive), "refused before unpacking")
    assert not any(p.is_file() for p in cache.rglob("*")), list(cache.rglob("*"))


def test_a_cifar_archive_lying_about_its_labels_leaves_nothing_in_the_cache(tmp_path):
    archive = cifar_archive(tmp_path / "cifar100.tar.gz", 3073 * 20, label=42)
    cache = tmp_path / "cache"
    r = run_cli(["data", "--data", str(archive), "-o", str(tmp_path / "x.npy")], env={"GENLAB_CACHE": str(cache)})
    r.check_refused(str(archive), "label 42")
    assert not any(p.is_file() for p in cache.rglob("*")), list(cache.rglob("*"))


def test_a_small_valid_cifar_archive_still_loads(tmp_path):
    archive = tmp_path / "mine.tar.gz"
    rng = np.random.default_rng(0)
    with tarfile.open(archive, "w:gz") as tar:
        for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
            recs = np.concatenate([rng.integers(0, 10, (30, 1)), rng.integers(0, 256, (30, 3072))], 1)
            data = recs.astype(np.uint8).tobytes()
            info = tarfile.TarInfo(f"cifar-10-batches-bin/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    r = run_cli(["data", "--data", str(archive), "-n", "10", "-o", str(tmp_path / "x.npy")],
                env={"GENLAB_CACHE": str(tmp_path / "cache")})
    assert r.rc == 0, r.stderr
    assert np.load(tmp_path / "x.npy").shape == (10, 3, 32, 32)
