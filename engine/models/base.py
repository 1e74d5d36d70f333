"""The protocol every model family follows, so the loop, the CLI and the window stay family-agnostic.

A family subclasses ``GenerativeModel`` and implements the underscored hooks in *model space*; the
public methods here map to and from *data space* (the units ``genlab data`` exports) through the
run's preprocessing, and add its log-determinant to every likelihood. So no family can forget the
change of units, and a checkpoint alone (``init_args`` + weights) rebuilds a model that samples in
data space.

Capabilities are declared, not guessed: ``capabilities`` names what the family offers, and the
public method of a capability the family lacks raises ``CapabilityError``.

- ``latent``: ``decode`` and ``latent_shape`` (a GAN has these).
- ``encode``: ``encode`` maps data to its latent (VAE encoder, exact flow inverse, DDIM inversion).
- ``log_likelihood``: ``log_likelihood`` in nats per example; ``likelihood_kind`` is "exact",
  "bound", "ode" or "estimate".
- ``trajectory``: ``trajectory`` returns frames for the step-through views (diffusion steps, flow
  layers, autoregressive order).
- ``completion``: ``complete`` fills in the unknown part of an image (autoregressive).

Each family owns its optimisers (a GAN alternates two) and steps them inside ``training_step``
through ``optimizer_step``, which is also where gradient synchronisation for distributed training
and gradient clipping happen, so no family can bypass them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from dataclasses import dataclass
from typing import Callable, ClassVar, NamedTuple

import torch
from torch import nn

from engine.knobs import knob
from engine.data.preprocess import Preprocess
from engine.data.spec import DataSpec
from engine.errors import GenLabError
from engine.i18n import QT_TRANSLATE_NOOP

CAPABILITIES = frozenset({"latent", "encode", "log_likelihood", "trajectory", "completion"})
LIKELIHOOD_KINDS = ("exact", "bound", "ode", "estimate")


class CapabilityError(GenLabError):
    """A capability was used that the family does not declare (a GAN has no likelihood)."""


class Batch(NamedTuple):
    x: torch.Tensor            # data space
    y: torch.Tensor | None = None


@dataclass
class ModelConfig:
    """Knobs every family has. Family configs subclass this and add their own."""

    conditional: bool = knob(False, help=QT_TRANSLATE_NOOP("Knob", "Condition on class labels when the data has them, so you can ask for 'a 7'."))


@dataclass
class Trajectory:
    """Frames for a step-through view, in data space, with a label per frame."""

    kind: str                          # "diffusion", "flow_layers", "ar_order"
    frames: list[torch.Tensor]
    labels: list[str]
    order: torch.Tensor | None = None  # autoregressive: the order positions were generated in


class GenerativeModel(nn.Module):
    family: ClassVar[str] = ""
    capabilities: ClassVar[frozenset[str]] = frozenset()
    likelihood_kind: ClassVar[str | None] = None
    config_class: ClassVar[type] = ModelConfig
    live_knobs: ClassVar[tuple[str, ...]] = ()   # model knobs that may change while training

    def __init__(self, spec: dict, config: dict, preprocess: dict | None = None):
        super().__init__()
        # Plain JSON-able construction arguments: a checkpoint carries them and rebuilds the model.
        self.init_args = {"spec": dict(spec), "config": dict(config),
                          "preprocess": dict(preprocess or Preprocess().to_dict())}
        self.spec = DataSpec.from_dict(spec)
        self.cfg = self.config_class(**config)
        pre = Preprocess.from_dict(self.init_args["preprocess"])
        self.pre_kind = pre.kind
        self.register_buffer("pre_shift", torch.tensor(pre.mean or [0.0], dtype=torch.float32))
        self.register_buffer("pre_scale", torch.tensor(pre.std or [1.0], dtype=torch.float32))
        self.pre_log_det = pre.log_det
        self.optimizers: dict[str, torch.optim.Optimizer] = {}
        self.grad_clip = 0.0
        self.amp = False
        self.grad_sync: Callable[[list[torch.Tensor]], None] | None = None
        # How far the run is (0..1, by steps or time), set by the loop before every step, so a
        # family can schedule within the run (the VAE's KL warm-up) without knowing its length.
        self.progress = 0.0

    # ---- units -----------------------------------------------------------------------------
    def to_model(self, x: torch.Tensor) -> torch.Tensor:
        if self.pre_kind == "none":
            return x
        return (x - self.pre_shift) / self.pre_scale

    def to_data(self, z: torch.Tensor) -> torch.Tensor:
        if self.pre_kind == "none":
            return z
        return z * self.pre_scale + self.pre_shift

    @property
    def conditional(self) -> bool:
        return bool(getattr(self.cfg, "conditional", False)) and self.spec.num_classes > 0

    @property
    def device(self) -> torch.device:
        return self.pre_shift.device

    def has(self, capability: str) -> bool:
        return capability in self.capabilities

    def _require(self, capability: str):
        if capability not in self.capabilities:
            raise CapabilityError(f"the {self.family} family has no {capability.replace('_', ' ')}")

    def random_labels(self, n: int, generator: torch.Generator | None) -> torch.Tensor | None:
        if not self.conditional:
            return None
        return torch.randint(0, self.spec.num_classes, (n,), generator=generator,
                             device=_gen_device(generator, self.device))

    # ---- optimisation ------------------------------------------------------------------------
    def configure_optimizers(self, lr: float) -> dict[str, torch.optim.Optimizer]:
        """Default: one Adam over every trainable parameter. Families with several override this."""
        params = [p for p in self.parameters() if p.requires_grad]
        self.optimizers = {"main": torch.optim.Adam(params, lr=lr)}
        return self.optimizers

    def set_lr(self, lr: float) -> None:
        """Live learning-rate change; a group keeps its ratio to the base rate (``lr_scale``)."""
        for opt in self.optimizers.values():
            for group in opt.param_groups:
                group["lr"] = lr * group.get("lr_scale", 1.0)

    def set_live(self, name: str, value) -> None:
        """Change a model knob declared in ``live_knobs`` while training runs."""
        if name not in self.live_knobs:
            raise KeyError(name)
        self.cfg = dataclasses.replace(self.cfg, **{name: value})
        self.init_args["config"][name] = value

    def optimizer_step(self, name: str, loss: torch.Tensor) -> None:
        """Backward, synchronise (distributed), clip and step one of this family's optimisers."""
        opt = self.optimizers[name]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        params = [p for g in opt.param_groups for p in g["params"] if p.grad is not None]
        if self.grad_sync is not None:
            self.grad_sync(params)
        if self.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(params, self.grad_clip)
        opt.step()

    def autocast(self):
        """Mixed precision on CUDA only; keep log-determinants and log-softmax in float32."""
        if self.amp and self.device.type == "cuda":
            return torch.autocast("cuda", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    # ---- the protocol (public, data space) ----------------------------------------------------
    def training_step(self, batch: Batch, generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
        """One optimisation step; returns detached scalar loss terms, always including ``loss``."""
        if not self.training:
            self.train()
        return self._training_step(self.to_model(batch.x), batch.y if self.conditional else None, generator)

    def sample(self, n: int, generator: torch.Generator | None = None, labels: torch.Tensor | None = None,
               **options) -> torch.Tensor:
        self.eval()
        with torch.inference_mode():
            if labels is None:
                labels = self.random_labels(n, generator)
            elif not self.conditional:
                raise CapabilityError("this model was not trained with labels; train it with model.conditional=true")
            return self.to_data(self._sample(n, generator, labels, **options)).float()

    def log_likelihood(self, x: torch.Tensor, labels: torch.Tensor | None = None,
                       generator: torch.Generator | None = None, **options) -> torch.Tensor:
        """log p(x) in nats per example, in data units (an exact value or a bound: ``likelihood_kind``)."""
        self._require("log_likelihood")
        self.eval()
        with torch.no_grad():
            ll = self._log_likelihood(self.to_model(x), labels if self.conditional else None, generator, **options)
        return ll.double() + self.pre_log_det

    def latent_shape(self) -> tuple[int, ...]:
        self._require("latent")
        return self._latent_shape()

    def encode(self, x: torch.Tensor, labels: torch.Tensor | None = None,
               generator: torch.Generator | None = None, **options) -> torch.Tensor:
        self._require("encode")
        self.eval()
        with torch.inference_mode():
            return self._encode(self.to_model(x), labels if self.conditional else None, generator, **options)

    def decode(self, z: torch.Tensor, labels: torch.Tensor | None = None, **options) -> torch.Tensor:
        self._require("latent")
        self.eval()
        with torch.inference_mode():
            if labels is None and self.conditional:
                labels = torch.zeros(z.shape[0], dtype=torch.long, device=z.device)
            return self.to_data(self._decode(z, labels if self.conditional else None, **options)).float()

    def trajectory(self, n: int, generator: torch.Generator | None = None, labels=None, **options) -> Trajectory:
        self._require("trajectory")
        self.eval()
        with torch.inference_mode():
            traj = self._trajectory(n, generator, labels, **options)
        traj.frames = [self.to_data(f).float() for f in traj.frames]
        return traj

    def complete(self, x: torch.Tensor, known: torch.Tensor, generator: torch.Generator | None = None,
                 labels=None, **options) -> torch.Tensor:
        """Fill the positions where ``known`` is False, keeping the rest of ``x``."""
        self._require("completion")
        self.eval()
        with torch.inference_mode():
            return self.to_data(self._complete(self.to_model(x), known, generator, labels, **options)).float()

    # ---- hooks (model space) --------------------------------------------------------------------
    def _training_step(self, x, y, generator) -> dict[str, torch.Tensor]:
        raise NotImplementedError

    def _sample(self, n, generator, labels, **options) -> torch.Tensor:
        raise NotImplementedError

    def _log_likelihood(self, x, labels, generator, **options) -> torch.Tensor:
        raise NotImplementedError

    def _latent_shape(self) -> tuple[int, ...]:
        raise NotImplementedError

    def _encode(self, x, labels, generator, **options) -> torch.Tensor:
        raise NotImplementedError

    def _decode(self, z, labels, **options) -> torch.Tensor:
        raise NotImplementedError

    def _trajectory(self, n, generator, labels, **options) -> Trajectory:
        raise NotImplementedError

    def _complete(self, x, known, generator, labels, **options) -> torch.Tensor:
        raise NotImplementedError

    def display_options(self) -> dict:
        """Options for the window's live samples, which must stay cheap (at most ~10% of training time):
        a diffusion model returns few DDIM steps here, for example. ``sample(**display_options())``."""
        return {}

    # ---- snapshots -------------------------------------------------------------------------------
    def display_state(self) -> dict[str, torch.Tensor]:
        """Weights a snapshot carries (all of them: EMA copies live inside the module)."""
        return self.state_dict()


def _gen_device(generator: torch.Generator | None, fallback: torch.device) -> torch.device:
    return generator.device if generator is not None else fallback


_noise_shard = threading.local()


@contextlib.contextmanager
def noise_shard(rank: int, world: int):
    """Distributed training: inside this block ``randn`` and ``rand`` draw the noise of the whole global
    batch (``world`` times the first dimension) and keep this rank's rows ``rank, rank + world, ...``,
    the rows the batch sampler deals it. N ranks with batch B then get exactly the noise one process
    with batch N*B gets, so their averaged gradients are that process's gradient. The loop wraps only
    the training step in it (display samples and evaluation draw as usual); world 1 changes nothing."""
    if world <= 1:
        yield
        return
    previous = getattr(_noise_shard, "value", None)
    _noise_shard.value = (int(rank), int(world))
    try:
        yield
    finally:
        _noise_shard.value = previous


def _draw(fn, shape, generator, device, dtype) -> torch.Tensor:
    shard = getattr(_noise_shard, "value", None)
    shape = tuple(shape)
    if shard is not None and shape:
        rank, world = shard
        full = _draw_plain(fn, (shape[0] * world,) + shape[1:], generator, device, dtype)
        return full[rank::world].contiguous()
    return _draw_plain(fn, shape, generator, device, dtype)


def _draw_plain(fn, shape, generator, device, dtype) -> torch.Tensor:
    if generator is not None and generator.device != torch.device(device):
        return fn(shape, generator=generator, device=generator.device, dtype=dtype).to(device)
    return fn(shape, generator=generator, device=device, dtype=dtype)


def randn(shape, generator: torch.Generator | None, device, dtype=torch.float32) -> torch.Tensor:
    """Normal noise from ``generator`` on ``device`` (generators are per device in torch)."""
    return _draw(torch.randn, shape, generator, device, dtype)


def rand(shape, generator: torch.Generator | None, device, dtype=torch.float32) -> torch.Tensor:
    return _draw(torch.rand, shape, generator, device, dtype)
