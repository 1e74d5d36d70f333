"""An image set no GenLab setting was tuned on: 28x28 grey letters, written as a folder of PNGs.

bench/images.py checks that the presets chosen on MNIST generalise. This set is not derived from MNIST:
ten capital letters drawn with Pillow's built-in scalable font (so it is the same on every machine),
white on black like MNIST, at a random size (15-23 px), rotation (+-20 degrees), stroke width (0-1 px)
and offset, one subfolder per letter, so the app's folder loader (labels from subfolders) reads it the
way it reads a person's own folder of 28x28 images.

    python bench/glyphs.py OUT_DIR [--per-class 800] [--seed 0]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

LETTERS = "AEFHKMRSWX"
SIDE = 28


def render(letter: str, rng: random.Random) -> Image.Image:
    size = rng.randint(15, 23)
    font = ImageFont.load_default(size=size)
    big = Image.new("L", (SIDE * 2, SIDE * 2), 0)
    draw = ImageDraw.Draw(big)
    stroke = rng.randint(0, 1)
    draw.text((SIDE, SIDE), letter, fill=255, font=font, anchor="mm", stroke_width=stroke, stroke_fill=255)
    big = big.rotate(rng.uniform(-20, 20), resample=Image.BILINEAR, center=(SIDE, SIDE))
    dx, dy = rng.randint(-3, 3), rng.randint(-3, 3)
    left, top = SIDE // 2 + dx, SIDE // 2 + dy
    return big.crop((left, top, left + SIDE, top + SIDE))


def write(out: Path, per_class: int = 800, seed: int = 0) -> Path:
    """The folder ``out`` with ``per_class`` PNGs per letter (kept when it already holds them)."""
    rng = random.Random(seed)
    for letter in LETTERS:
        d = out / letter
        if d.is_dir() and len(list(d.glob("*.png"))) == per_class:
            continue
        d.mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            render(letter, rng).save(d / f"{i:05d}.png")
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--per-class", type=int, default=800)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print(write(Path(args.out), args.per_class, args.seed))
