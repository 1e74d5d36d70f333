"""The latent explorer (Qt-free): its own model from published snapshots, serving decode, grid,
interpolate, encode and completion requests on its own thread (``explorer``); planes and paths
through a latent space (``plane``); the 2-D "inside the models" computations (``inside``); strip
export and image files in (``export``).

The names below load on first use (PEP 562), so the window can import ``engine.latent.plane``
(NumPy only) before PyTorch is loaded and still paint first.
"""

import importlib

_WHERE = {"LatentExplorer": "explorer", "Result": "explorer", "Context": "explorer",
          "Plane": "plane", "axes_plane": "plane", "pca_plane": "plane", "plane_through": "plane",
          "random_plane": "plane", "lerp": "plane", "slerp": "plane"}

__all__ = list(_WHERE)


def __getattr__(name):
    if name in _WHERE:
        return getattr(importlib.import_module(f"engine.latent.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'engine.latent' has no attribute {name!r}")
