"""One shown sample against the training set: its nearest training examples and the verdict.

The window's Samples dock hands over the cell a person clicked (the uint8 picture it shows, so the
answer is about exactly what they see); ``NeighbourFinder.find`` returns the three nearest training
images, their distances, the distance to the nearest held-out image and the verdict by the same
yardstick as ``genlab diagnose`` (``engine.diagnose.memorization``): a "copy" is nearer to a
training example than 95% of held-out examples are. The yardstick is built once per dataset, on the
first click, off the window's thread.
"""

from __future__ import annotations

import threading

import numpy as np
import torch

from engine.data.spec import Dataset
from engine.diagnose.memorization import MAX_TRAIN, MIN_HELD_OUT, Reference, verdicts
from engine.errors import GenLabError
from engine.render import display_scale, image_grid, upscale


class NeighbourFinder:
    def __init__(self, ds: Dataset):
        self.ds = ds
        self._ref: Reference | None = None
        self._lock = threading.Lock()

    def reference(self) -> Reference:
        with self._lock:
            if self._ref is None:
                if len(self.ds.x_test) < MIN_HELD_OUT:
                    raise GenLabError(f"only {len(self.ds.x_test)} held-out examples: too few to judge copying")
                space = "pixels" if self.ds.spec.kind == "image" else "coordinates"
                self._ref = Reference.build(space, self.ds.x_train[:MAX_TRAIN], self.ds.x_test)
            return self._ref

    def find(self, cell: np.ndarray, k: int = 3) -> dict:
        """``cell``: the shown sample, uint8 (H, W) or (H, W, C), or a point's coordinates. Returns the verdict
        (``verdicts``) with ``threshold`` and, for images, ``picture`` (the sample then its ``k`` neighbours,
        one uint8 row), for points ``neighbours`` (their coordinates)."""
        if self.ds.spec.kind == "points":
            ref = self.reference()
            v = verdicts(torch.as_tensor(np.asarray(cell, dtype=np.float32)).reshape(1, -1), ref, k)[0]
            near = self.ds.x_train[torch.tensor(v["train_index"])]
            return {**v, "picture": None, "neighbours": near.tolist(), "threshold": ref.threshold}
        c = self.ds.spec.shape[0]
        x = torch.from_numpy(np.ascontiguousarray(cell)).float() / 255.0
        x = x[None, None] if x.ndim == 2 else x.permute(2, 0, 1)[None]
        if x.shape[1] != c:                       # a 4-channel set is shown as RGB: compare what is shown
            x = torch.cat([x, self.ds.x_train[:1, x.shape[1]:].expand(1, -1, -1, -1)], 1) if x.shape[1] < c \
                else x[:, :c]
        ref = self.reference()
        v = verdicts(x, ref, k)[0]
        neighbours = self.ds.x_train[torch.tensor(v["train_index"])]
        row = image_grid(torch.cat([x, neighbours]), nrow=1 + len(neighbours), pad=2, pad_value=255)
        scale = max(1, display_scale(self.ds.spec.shape[1]) // 2)       # 8x8 digits: 32 px each
        return {**v, "picture": upscale(row, scale), "threshold": ref.threshold}
