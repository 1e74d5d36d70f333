"""bench/photo_patches.py: the 32x32 colour judging set cut from photographs inside a wheel (a zip file)."""

import zipfile

import numpy as np
import pytest
from PIL import Image

from bench import photo_patches


def _wheel(path, photos=photo_patches.PHOTOS, size=(200, 170)):
    """A zip laid out as scikit-image's wheel, each photograph a seeded colour noise picture."""
    rng = np.random.default_rng(0)
    with zipfile.ZipFile(path, "w") as z:
        for member in photos.values():
            picture = Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))
            out = path.parent / member
            picture.save(out)
            z.write(out, f"skimage/data/{member}")
    return path


def test_writes_labelled_32x32_colour_patches(tmp_path):
    out = photo_patches.write(tmp_path / "set", _wheel(tmp_path / "sk.whl"), per_class=5, seed=3)
    folders = sorted(p.name for p in out.iterdir())
    assert folders == sorted(photo_patches.PHOTOS)
    for folder in out.iterdir():
        files = sorted(folder.glob("*.png"))
        assert len(files) == 5
        for f in files:
            with Image.open(f) as im:
                assert im.size == (32, 32) and im.mode == "RGB"
    # the same seed gives the same set; a second call keeps complete folders as they are
    again = photo_patches.write(tmp_path / "again", tmp_path / "sk.whl", per_class=5, seed=3)
    first = np.asarray(Image.open(out / "cat" / "00002.png"))
    assert np.array_equal(first, np.asarray(Image.open(again / "cat" / "00002.png")))
    stamp = (out / "cat" / "00002.png").stat().st_mtime_ns
    photo_patches.write(out, tmp_path / "sk.whl", per_class=5, seed=3)
    assert (out / "cat" / "00002.png").stat().st_mtime_ns == stamp
    # grey: the same crops in luma
    grey = photo_patches.write(tmp_path / "grey", tmp_path / "sk.whl", per_class=5, seed=3, grey=True)
    with Image.open(grey / "cat" / "00002.png") as im:
        assert im.mode == "L" and im.size == (32, 32)
        assert np.array_equal(np.asarray(im), np.asarray(Image.fromarray(first).convert("L")))


def test_a_wrong_wheel_is_named_not_a_traceback(tmp_path):
    not_zip = tmp_path / "not.whl"
    not_zip.write_bytes(b"not a zip")
    with pytest.raises(SystemExit, match="not.whl: not a readable wheel"):
        photo_patches.write(tmp_path / "a", not_zip)
    partial = _wheel(tmp_path / "partial.whl", photos={"cat": "chelsea.png"})
    with pytest.raises(SystemExit, match=r"partial.whl: no skimage/data/astronaut.png"):
        photo_patches.write(tmp_path / "b", partial)
