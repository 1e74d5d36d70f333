"""A 32x32 colour set of natural-image statistics no GenLab setting was tuned on: patches of photographs.

``shapes-colour`` (GenLab's built-in 32x32 colour set) is one flat-coloured shape on black: most pixels
are exactly zero, which flatters models that learn a background first and says little about the colour
sets people bring (photos, CIFAR-like: every pixel carries texture, shading and colour). This set is
cut from seven public-domain / CC0 photographs that scikit-image ships inside its wheel (the astronaut,
the Hubble deep field and the rocket from NASA and SpaceX, public domain; the cat, the coffee cup and the
fundus photograph, CC0; the immunohistochemistry slide, no known restrictions: see
``skimage/data/_fetchers.py`` in the wheel): random squares of 48-160 pixels, scaled to 32x32 (box
filter), mirrored at random, one subfolder per photograph, so the app's folder loader reads it as a
person's labelled folder and the quality figure's classifier learns which photograph a patch came from.
``--grey`` writes the same patches in grey (ITU-R 601 luma): a 32x32 grey set, between MNIST's 784
sub-pixels and colour's 3072.

No photograph is kept in this repository: the script reads them from the wheel, which pip fetches from the
package registry without installing anything:

    pip download --no-deps scikit-image -d /tmp/skw
    python bench/photo_patches.py OUT_DIR --wheel /tmp/skw/scikit_image-*.whl [--per-class 800] [--seed 0] [--grey]
"""

from __future__ import annotations

import argparse
import io
import random
import zipfile
from pathlib import Path

from PIL import Image

SIDE = 32
CROP_RANGE = (48, 160)       # pixels of the photograph per patch side, before scaling to SIDE
PHOTOS = {                   # class name: file in the wheel's skimage/data
    "astronaut": "astronaut.png",
    "cat": "chelsea.png",
    "coffee": "coffee.png",
    "hubble": "hubble_deep_field.jpg",
    "retina": "retina.jpg",
    "rocket": "rocket.jpg",
    "slide": "ihc.png",
}
MAX_PHOTO_BYTES = 8 << 20    # each of these is under 1 MB; a larger member is not the wheel we expect


def read_photos(wheel: Path) -> dict[str, Image.Image]:
    """The photographs, RGB, by class name, read from a scikit-image wheel (a zip file)."""
    photos = {}
    try:
        z = zipfile.ZipFile(wheel)
    except (OSError, zipfile.BadZipFile) as e:
        raise SystemExit(f"{wheel}: not a readable wheel ({e})") from None
    with z:
        for name, member in PHOTOS.items():
            try:
                info = z.getinfo(f"skimage/data/{member}")
            except KeyError:
                raise SystemExit(f"{wheel}: no skimage/data/{member} in it (a scikit-image wheel has it)") from None
            if info.file_size > MAX_PHOTO_BYTES:
                raise SystemExit(f"{wheel}: skimage/data/{member} is {info.file_size} bytes, not a photograph")
            with z.open(info) as f:
                photos[name] = Image.open(io.BytesIO(f.read(MAX_PHOTO_BYTES + 1))).convert("RGB")
    return photos


def patch(photo: Image.Image, rng: random.Random) -> Image.Image:
    side = rng.randint(CROP_RANGE[0], min(CROP_RANGE[1], *photo.size))
    left, top = rng.randint(0, photo.width - side), rng.randint(0, photo.height - side)
    out = photo.crop((left, top, left + side, top + side)).resize((SIDE, SIDE), Image.BOX)
    return out.transpose(Image.FLIP_LEFT_RIGHT) if rng.random() < 0.5 else out


def write(out: Path, wheel: Path, per_class: int = 800, seed: int = 0, grey: bool = False) -> Path:
    """The folder ``out`` with ``per_class`` PNG patches per photograph (kept when it already holds them),
    in colour or, with ``grey``, in grey."""
    rng = random.Random(seed)
    photos = None
    for name in PHOTOS:
        d = out / name
        if d.is_dir() and len(list(d.glob("*.png"))) == per_class:
            continue
        photos = photos or read_photos(wheel)
        d.mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            picture = patch(photos[name], rng)
            (picture.convert("L") if grey else picture).save(d / f"{i:05d}.png")
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--wheel", required=True, type=Path, help="a scikit-image wheel (pip download --no-deps scikit-image)")
    ap.add_argument("--per-class", type=int, default=800)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--grey", action="store_true", help="grey patches (the same crops)")
    args = ap.parse_args()
    print(write(Path(args.out), args.wheel, args.per_class, args.seed, args.grey))
