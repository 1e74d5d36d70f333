"""What a person is doing in a model's latent space, without pixels: NumPy only, no torch, no Qt.

The Latent dock draws; this holds the state behind the drawing and the rules that move it, so they
can be tested and reused headless: which latent the handle is at (``z``), the plane it moves on, the
ends A and B of an interpolation, the last encoded example (E), the encoded training data shown as
points (the embedding), and which plane a family starts on. The dock asks it for coordinates to draw
and latents to decode, and tells it what the person did (moved the handle, moved a slider, marked an
end, picked a plane) and what the explorer returned (an encoding, an embedding).

The session is made per run (``LatentSession(view, spec, x_train, y_train)``) and learns the
model's shape from the explorer's first answer (``set_model``). ``view`` is the family's
``LatentView`` (engine.models.base), read here only for its declared choices, so nothing here names
a family.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.latent import plane as planes

MIN_HALF_WIDTH = 2.0      # a fitted region shows at least +-2 around the data (the prior's bulk)
HANDLE_HALF_WIDTH = 3.0   # with nothing encoded, the region is +-3 prior standard deviations round the handle
MAX_EMBED_POINTS = 5000   # training points encoded for the plane of 2-D data (cheap to encode)
MAX_EMBED_ROWS = 200_000  # the rows of the training set the embedding picks from
PLANE_MODES = ("axes", "pca", "random", "samples")


@dataclass(frozen=True)
class PlaneChoice:
    """The plane a person asked for and the one given: ``shown`` differs from ``asked`` when the
    asked plane cannot be made yet (``reason`` says why: "embedding" = the encoded data is still on its
    way, "ends" = ends A and B are not both marked)."""

    asked: str
    shown: str
    reason: str | None = None


@dataclass(frozen=True)
class EmbedRequest:
    """Training rows to encode for the plane's points, and how many of them the explorer keeps."""

    x: np.ndarray
    y: np.ndarray | None
    max_points: int


class LatentSession:
    """The latent state of one run in the explorer (see the module's docstring)."""

    def __init__(self, view, spec=None, x_train=None, y_train=None, seed: int = 0):
        self.view = view
        self.spec = spec
        self.x_train = x_train
        self.y_train = y_train
        self.rng = np.random.default_rng(seed)
        self.info: dict | None = None
        self.d = 0
        self.plane: planes.Plane | None = None
        self.z: np.ndarray | None = None
        self.ends: dict[str, np.ndarray] = {}
        self.encoded: np.ndarray | None = None
        self.embedded = None      # engine.latent.explorer's embedding result: latents, labels, plane

    # ---- the model ----------------------------------------------------------------------------------------
    def set_model(self, info: dict) -> None:
        """The explorer described the model (its ``describe`` job): latent size and capabilities."""
        self.info = info
        self.d = int(np.prod(info["latent_shape"])) if info.get("latent") else 0

    @property
    def has_latent(self) -> bool:
        return bool(self.info is not None and self.info.get("latent"))

    @property
    def can_encode(self) -> bool:
        return bool(self.info is not None and self.info.get("encode"))

    def plane_modes(self) -> list[str]:
        """The planes this model offers: principal components only where the model encodes."""
        return [m for m in PLANE_MODES if m != "pca" or self.can_encode]

    def default_plane_mode(self) -> str:
        if self.d <= 2:
            return "axes"
        if self.view.first_plane == "pca" and self.can_encode:
            return "pca"
        return "random"

    def standard_normal_draw(self) -> np.ndarray:
        """A typical latent of N(0, I), the prior of the families whose random planes pass through one."""
        return self.rng.standard_normal(self.d)

    # ---- the plane ----------------------------------------------------------------------------------------
    def choose_plane(self, mode: str) -> PlaneChoice:
        """Move onto the plane ``mode`` names, or the nearest one that can be made now; the handle's
        latent is kept (the plane's origin when there is none yet, or the model's size changed)."""
        reason = None
        if mode == "pca" and (self.embedded is None or self.embedded.plane is None):
            plane, shown, reason = planes.axes_plane(self.d), "pca", "embedding"
        elif mode == "pca":
            plane, shown = self.embedded.plane, "pca"
        elif mode == "samples" and {"A", "B"} <= set(self.ends):
            plane, shown = planes.plane_through(self.ends["A"], self.ends["B"]), "samples"
        elif mode == "random":
            origin = self.standard_normal_draw() if self.view.random_plane_through_draw else None
            plane, shown = planes.random_plane(self.d, self.rng, origin), "random"
        else:
            plane, shown = planes.axes_plane(self.d), "axes"
            if mode == "samples":
                reason = "ends"
        self.plane = plane
        if self.z is None or len(self.z) != self.d:
            self.z = plane.origin.copy()
        return PlaneChoice(mode, shown, reason)

    def handle(self) -> tuple[float, float]:
        a, b = self.plane.coords(self.z)
        return float(a), float(b)

    def points(self) -> tuple[np.ndarray, np.ndarray | None] | None:
        """The encoded training data's coordinates on the plane and their labels (None: none yet)."""
        if self.plane is None or self.embedded is None or not len(self.embedded.latents):
            return None
        return self.plane.coords(self.embedded.latents), self.embedded.labels

    def markers(self) -> dict[str, np.ndarray | None]:
        """Where ends A, B and the encoded example E sit on the plane (None: not marked)."""
        marks = {name: self.ends.get(name) for name in ("A", "B")}
        marks["E"] = self.encoded
        return {k: (None if v is None or self.plane is None else self.plane.coords(v)) for k, v in marks.items()}

    def fitted_region(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """The region a view should show: round the encoded data on the axes or principal plane,
        otherwise round the handle."""
        if self.embedded is not None and len(self.embedded.latents) and self.plane.name in ("axes", "pca"):
            return planes.view_bounds(self.plane.coords(self.embedded.latents), min_half=MIN_HALF_WIDTH)
        a, b = self.handle()
        return (a - HANDLE_HALF_WIDTH, a + HANDLE_HALF_WIDTH), (b - HANDLE_HALF_WIDTH, b + HANDLE_HALF_WIDTH)

    def follows_data(self) -> bool:
        """Whether the view should keep fitting itself to the encoded data as it spreads."""
        return self.plane is not None and self.plane.name in ("axes", "pca")

    def grid_latents(self, x_range, y_range, k: int) -> np.ndarray:
        """The latents of a k x k manifold over the region, each the handle's latent moved in the plane."""
        return self.plane.move(self.z, self.plane.grid(x_range, y_range, k))

    # ---- what the person does -------------------------------------------------------------------------------
    def move_handle(self, a: float, b: float) -> np.ndarray:
        self.z = self.plane.move(self.z, (a, b))
        return self.z

    def set_dim(self, dim: int, value: float) -> bool:
        """One slider moved; False when there is no such dimension."""
        if self.z is None or not 0 <= dim < len(self.z):
            return False
        self.z = self.z.copy()
        self.z[dim] = float(value)
        return True

    def mark_end(self, name: str, z=None) -> np.ndarray | None:
        """Mark end ``name`` at ``z`` (the handle's latent when None); None when there is no plane yet."""
        z = self.z if z is None else z
        if z is None or self.plane is None:
            return None
        self.ends[name] = np.asarray(z, dtype=np.float64).copy()
        return self.ends[name]

    # ---- what the explorer returns ----------------------------------------------------------------------------
    def set_encoded(self, z) -> np.ndarray:
        """An example was encoded: it is marked E and the handle jumps to it."""
        self.encoded = np.asarray(z, dtype=np.float64)
        self.z = self.encoded.copy()
        return self.z

    def set_embedding(self, embedded, asked_mode: str | None, refit: bool) -> bool:
        """The encoded training data arrived; True when the plane should be rebuilt from it (the person
        is on, or asked for, the principal plane and it is new or was asked to be refit)."""
        self.embedded = embedded
        return bool(asked_mode == "pca" and embedded.plane is not None
                    and (self.plane is None or self.plane.name != "pca" or refit))

    def forget_embedding(self) -> None:
        self.embedded = None

    def embed_request(self) -> EmbedRequest | None:
        """What to encode for the plane's points (None: the model cannot encode, or the family shows none)."""
        if self.x_train is None or not self.can_encode:
            return None
        n = self.view.embed_points
        if n and self.spec is not None and self.spec.kind == "points":
            n = MAX_EMBED_POINTS
        if not n or n <= 0:
            return None
        y = None if self.y_train is None else np.asarray(self.y_train[:MAX_EMBED_ROWS])
        return EmbedRequest(np.asarray(self.x_train[:MAX_EMBED_ROWS]), y, int(n))

    def training_example(self, index: int) -> tuple[np.ndarray, np.ndarray | None] | None:
        if self.x_train is None or not self.can_encode:
            return None
        x = np.asarray(self.x_train[index:index + 1])
        y = None if self.y_train is None else np.asarray(self.y_train[index:index + 1])
        return x, y
