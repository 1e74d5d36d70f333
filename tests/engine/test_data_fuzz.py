"""Property-based fuzzing of every loader: random bytes, bytes behind real magic numbers, random arrays,
random CSV text and random settings. The only allowed outcomes are a valid Dataset or our own
DataError with a message; any other exception, or a hang (pytest-timeout), fails.

Run with ``-s`` to see how many cases ran.
"""

from __future__ import annotations

import gzip
import io
import itertools
import struct
import tarfile
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from engine.config import DataConfig
from engine.data import Dataset, load_dataset
from engine.errors import DataError

COUNTS: dict[str, int] = {}
_names = itertools.count()
FUZZ = settings(max_examples=120, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def workdir():
    with tempfile.TemporaryDirectory(prefix="genlab-fuzz-") as d:
        yield Path(d)
    total = sum(COUNTS.values())
    print(f"\nfuzz cases run: {total} ({', '.join(f'{k} {v}' for k, v in sorted(COUNTS.items()))})")


def outcome(kind: str, cfg: DataConfig) -> None:
    """Load, and accept only a sound Dataset or a DataError that says something."""
    COUNTS[kind] = COUNTS.get(kind, 0) + 1
    try:
        ds = load_dataset(cfg)
    except DataError as e:
        assert str(e).strip(), "a DataError must carry a message"
        return
    assert isinstance(ds, Dataset)
    for x in (ds.x_train, ds.x_test):
        assert x.dtype == torch.float32 and torch.isfinite(x).all()
        assert tuple(x.shape[1:]) == tuple(ds.spec.shape) and len(x) > 0
    if ds.spec.kind == "image":
        assert float(ds.x_train.min()) >= 0 and float(ds.x_train.max()) <= 1
    ds.summary()


def fresh(workdir: Path) -> Path:
    d = workdir / f"case{next(_names)}"
    d.mkdir()
    return d


FILE_NAMES = ["data.npy", "data.npz", "points.csv", "images.gz", "train-images-idx3-ubyte", "blob",
              "cifar.tar.gz", "x.idx"]
IMAGE_NAMES = ["a.png", "a.jpg", "a.gif", "a.bmp", "a.webp", "a.tif"]
MAGICS = [b"\x93NUMPY\x01\x00", b"PK\x03\x04", b"\x00\x00\x08\x03", b"\x00\x00\x0d\x02", b"\x1f\x8b\x08\x00",
          b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"GIF89a", b"BM", b"RIFF\x00\x00\x00\x00WEBPVP8 "]


@pytest.mark.timeout(180)
@FUZZ
@given(name=st.sampled_from(FILE_NAMES), data=st.binary(max_size=2048))
def test_random_bytes_in_every_kind_of_file(workdir, name, data):
    d = fresh(workdir)
    (d / name).write_bytes(data)
    outcome("bytes-file", DataConfig(name=str(d / name)))


@pytest.mark.timeout(180)
@FUZZ
@given(magic=st.sampled_from(MAGICS), name=st.sampled_from(FILE_NAMES + IMAGE_NAMES), data=st.binary(max_size=2048))
def test_random_bytes_behind_real_magic_numbers(workdir, magic, name, data):
    d = fresh(workdir)
    if name in IMAGE_NAMES:  # a folder holding one damaged picture and one good one
        from PIL import Image
        Image.fromarray(np.arange(64, dtype=np.uint8).reshape(8, 8)).save(d / "good.png")
        (d / name).write_bytes(magic + data)
        outcome("magic-image", DataConfig(name=str(d)))
    else:
        (d / name).write_bytes(magic + data)
        outcome("magic-file", DataConfig(name=str(d / name)))


@pytest.mark.timeout(180)
@FUZZ
@given(ndim=st.integers(1, 4), dims=st.lists(st.integers(0, 2**32 - 1), min_size=4, max_size=4),
       code=st.sampled_from([0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E]), body=st.binary(max_size=4096),
       gz=st.booleans())
def test_idx_headers_with_any_dimensions(workdir, ndim, dims, code, body, gz):
    d = fresh(workdir)
    raw = bytes([0, 0, code, ndim]) + struct.pack(f">{ndim}I", *dims[:ndim]) + body
    (d / "x-idx3-ubyte").write_bytes(gzip.compress(raw) if gz else raw)
    outcome("idx-header", DataConfig(name=str(d / "x-idx3-ubyte")))


DTYPES = st.sampled_from([np.uint8, np.int8, np.int16, np.int32, np.int64, np.uint16, np.float16, np.float32,
                          np.float64, np.bool_, np.complex64])


@pytest.mark.timeout(180)
@FUZZ
@given(arr=DTYPES.flatmap(lambda dt: hnp.arrays(dt, hnp.array_shapes(min_dims=1, max_dims=5, min_side=0,
                                                                          max_side=6))),
       as_npz=st.booleans(), labels=st.one_of(st.none(), st.lists(st.integers(-3, 2000), max_size=8)))
def test_random_arrays(workdir, arr, as_npz, labels):
    d = fresh(workdir)
    if as_npz:
        extra = {} if labels is None else {"y": np.asarray(labels, dtype=np.int64)}
        np.savez(d / "a.npz", x=arr, **extra)
        outcome("array-npz", DataConfig(name=str(d / "a.npz")))
    else:
        np.save(d / "a.npy", arr)
        outcome("array-npy", DataConfig(name=str(d / "a.npy")))


@pytest.mark.timeout(180)
@FUZZ
@given(n=st.integers(1, 6), h=st.integers(2, 20), w=st.integers(2, 20), c=st.sampled_from([None, 1, 3, 4]),
       size=st.sampled_from([0, 2, 3, 8, 17]), channels=st.sampled_from([0, 1, 3, 4]),
       resize=st.sampled_from(["fit", "crop", "pad", "none"]), seed=st.integers(0, 3))
def test_random_settings_on_random_images(workdir, n, h, w, c, size, channels, resize, seed):
    d = fresh(workdir)
    shape = (n, h, w) if c is None else (n, h, w, c)
    arr = np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)
    np.save(d / "img.npy", arr)
    outcome("settings", DataConfig(name=str(d / "img.npy"), image_size=size, channels=channels, resize=resize,
                                   seed=seed))


@pytest.mark.timeout(180)
@FUZZ
@given(text=st.text(alphabet=st.sampled_from(list("0123456789.,;-+eE \t\n#xyabnNiIf\"'")), max_size=300))
def test_random_csv_text(workdir, text):
    d = fresh(workdir)
    (d / "p.csv").write_text(text, encoding="utf-8")
    outcome("csv", DataConfig(name=str(d / "p.csv")))


@pytest.mark.timeout(180)
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(st.sampled_from(["cifar-10-batches-bin/data_batch_1.bin", "cifar-10-batches-bin/test_batch.bin",
                                       "../up.bin", "/abs.bin", "cifar-10-batches-bin/batches.meta.txt", "x"]),
                      max_size=6),
       body=st.binary(max_size=4000), link=st.booleans())
def test_random_tar_archives(workdir, names, body, link):
    d = fresh(workdir)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for n in names:
            info = tarfile.TarInfo(n)
            if link:
                info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            else:
                info.size = len(body)
            tar.addfile(info, None if link else io.BytesIO(body))
    (d / "c.tar.gz").write_bytes(buf.getvalue())
    import os
    before = os.environ.get("GENLAB_CACHE")
    os.environ["GENLAB_CACHE"] = str(d / "cache")  # (monkeypatch is function-scoped; hypothesis reuses it)
    try:
        outcome("tar", DataConfig(name=str(d / "c.tar.gz")))
    finally:
        if before is None:
            del os.environ["GENLAB_CACHE"]
        else:
            os.environ["GENLAB_CACHE"] = before
    assert not (workdir / "up.bin").exists() and not Path("/abs.bin").exists()


@pytest.mark.timeout(180)
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(members=st.dictionaries(st.sampled_from(["x.npy", "y.npy", "x_train.npy", "x_test.npy", "evil"]),
                               st.binary(max_size=600), max_size=4))
def test_random_zip_members(workdir, members):
    d = fresh(workdir)
    with zipfile.ZipFile(d / "z.npz", "w") as z:
        for k, v in members.items():
            z.writestr(k, b"\x93NUMPY" + v if k.endswith(".npy") and v[:1] == b"\x01" else v)
    outcome("npz-zip", DataConfig(name=str(d / "z.npz")))
