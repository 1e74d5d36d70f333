"""The names of the data GenLab has without files, and of what it can download: plain strings only.

``genlab --help`` lists them, and the parser is built before anything heavy loads, so this module
imports neither PyTorch nor NumPy. The loaders (``engine.data.builtin``, ``engine.data.remote``) hold
the same names beside their data, and a test keeps the two in step.
"""

from __future__ import annotations

POINT_TOYS = ("moons", "circles", "8gaussians", "swissroll", "checkerboard", "pinwheel", "2spirals")
BUILTIN_IMAGES = ("digits", "shapes", "shapes-colour")
BUILTIN_TEXT = ("names",)
DRAWN = "drawn"
DOWNLOADABLE = ("mnist", "fashion-mnist", "cifar10")


def builtin_names() -> list[str]:
    """Names that load without files or network."""
    return list(POINT_TOYS) + list(BUILTIN_IMAGES) + list(BUILTIN_TEXT)


def downloadable_names() -> list[str]:
    return list(DOWNLOADABLE)
