"""Build a model from a snapshot without touching torch's global random generator.

Constructing a module initialises its weights from torch's *global* CPU generator, which is shared by
every thread of the process. The training thread uses that generator too (dropout in the
autoregressive Transformer draws from it), so an explorer that built its model the plain way while
training runs would change what training draws, and a seeded run would learn differently when
someone looks at it. ``fork_rng`` is no answer: restoring the state would rewind the trainer's
draws made in between.

``own_generator(gen)`` is a torch function mode, and torch function modes are per thread: every
random call made by this thread inside it (``nn.init.*``, ``Tensor.uniform_``/``normal_``,
``torch.randn``, ...) that names no generator gets ``gen`` instead. The initial values are then
overwritten by the snapshot's weights anyway; what matters is that the global stream is not read.
"""

from __future__ import annotations

import torch
from torch.overrides import TorchFunctionMode

from engine.models.registry import model_from_init_args

# Random calls that take ``generator=`` but are often called without it.
_RANDOM = {
    torch.randn, torch.rand, torch.randint, torch.randperm, torch.normal, torch.bernoulli, torch.multinomial,
    torch.Tensor.uniform_, torch.Tensor.normal_, torch.Tensor.random_, torch.Tensor.exponential_,
    torch.Tensor.bernoulli_, torch.Tensor.cauchy_, torch.Tensor.log_normal_, torch.Tensor.geometric_,
}


class own_generator(TorchFunctionMode):  # noqa: N801 - used as a context manager, like torch's modes
    """Within this context, random calls on this thread draw from ``generator``, never the global one."""

    def __init__(self, generator: torch.Generator):
        super().__init__()
        self.generator = generator

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = dict(kwargs or {})
        if "generator" in kwargs:
            if kwargs["generator"] is None:
                kwargs["generator"] = self.generator
        elif func in _RANDOM:
            kwargs["generator"] = self.generator
        return func(*args, **kwargs)


def build_from_snapshot(snapshot, generator: torch.Generator, device: str | torch.device = "cpu"):
    """A fresh model holding ``snapshot``'s weights, built without reading the global generator."""
    with own_generator(generator):
        model = model_from_init_args(snapshot.family, snapshot.init_args)
    model.load_state_dict(dict(snapshot.state))
    return model.to(device).eval()
