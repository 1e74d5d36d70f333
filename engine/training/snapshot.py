"""Weight snapshots: immutable CPU copies the window and the latent explorer may read freely.

``.cpu()`` of a CPU tensor returns the same storage, so every tensor is cloned: the training thread
keeps updating its weights in place while the explorer decodes from the copy.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np
import torch

from engine.models.registry import model_from_init_args


@dataclass(frozen=True)
class Snapshot:
    family: str
    init_args: dict
    step: int
    state: MappingProxyType  # name -> CPU tensor, never mutated after publishing
    device: str = "cpu"      # where the run trains: readers that decode (the explorer) work there too

    def build_model(self, device: str | torch.device = "cpu"):
        """A fresh model instance holding these weights (the caller's own, never the trainer's)."""
        model = model_from_init_args(self.family, self.init_args)
        model.load_state_dict(dict(self.state))
        return model.to(device).eval()


def take_snapshot(model, step: int) -> Snapshot:
    state = {k: v.detach().to("cpu", copy=True) for k, v in model.display_state().items()}
    return Snapshot(family=model.family, init_args=copy.deepcopy(model.init_args), step=step,
                    state=MappingProxyType(state), device=str(model.device))


def as_arrays(snapshot: Snapshot) -> Snapshot:
    """The same snapshot with its tensors as NumPy arrays sharing their memory (dtypes NumPy lacks stay
    tensors): arrays cross to the window's process as raw out-of-band blocks (``engine.training.channel``),
    tensors would be copied through pickle."""
    def arr(v):
        try:
            return v.numpy()
        except (TypeError, RuntimeError):
            return v
    return replace(snapshot, state=MappingProxyType({k: arr(v) for k, v in snapshot.state.items()}))


def as_tensors(snapshot: Snapshot) -> Snapshot:
    """Undo ``as_arrays`` without copying (the tensors use the arrays' memory)."""
    state = {k: torch.from_numpy(v) if isinstance(v, np.ndarray) else v for k, v in snapshot.state.items()}
    return replace(snapshot, state=MappingProxyType(state))
