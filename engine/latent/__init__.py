"""The latent explorer (Qt-free): its own model from published snapshots, serving decode, grid,
interpolate, encode and completion requests on its own thread (``explorer``); planes and paths
through a latent space (``plane``); the 2-D "inside the models" computations (``inside``); strip
export and image files in (``export``)."""

from engine.latent.explorer import Context, LatentExplorer, Result
from engine.latent.plane import Plane, axes_plane, lerp, pca_plane, plane_through, random_plane, slerp

__all__ = ["LatentExplorer", "Result", "Context", "Plane", "axes_plane", "pca_plane", "random_plane",
           "plane_through", "lerp", "slerp"]
