"""How much memory a model will need, found before it is built, for every family alike.

Each model setting may lie within its range while the combination does not fit (the widest layers at
the greatest depth on the largest pictures). So before a model is built from settings that came from
a file or a person, it is built on torch's ``meta`` device, which records shapes and allocates no
memory; its parameters are counted, and one training step (forward, loss, backward) runs on meta
tensors to find the peak of the activations. The sum (weights, gradients, optimiser state,
activations) is compared with the memory this process may still take (``engine.budget``), and a
model that does not fit is refused with the estimate in the message.

Families are ordinary PyTorch code, so a few things need help on meta tensors:

- data-dependent Python (``int(mask.sum())``, ``bool(self.initialized)``): small tensors (at most
  ``SMALL`` elements: masks, schedules, counters) also keep a real CPU copy, so their values are
  known; a data-dependent read of a large tensor answers 0 (the estimate needs only shapes);
- attention: on meta, ``scaled_dot_product_attention`` falls back to its quadratic math form, which
  the CPU and GPU kernels never materialise; the fused CPU kernel's meta form is used instead;
- the optimisers do not step (their state is counted as two tensors per trainable parameter, Adam's).

``estimate`` results are cached by construction arguments and batch size, so the window's repeated
snapshot builds cost one meta pass.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import weakref
from dataclasses import dataclass

import torch
import torch.fx.experimental._config as fx_config
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten, tree_map

from engine.budget import available, size_text
from engine.errors import GenLabError
from engine.models.base import Batch

SMALL = 1 << 12            # elements: tensors this small also get a real CPU copy on meta
OPTIMISER_STATES = 2       # Adam and AdamW keep two tensors per parameter
INFERENCE_BATCH = 1
META = torch.device("meta")
_aten = torch.ops.aten
_INDEX_OPS = (_aten.index.Tensor, _aten.index_put.default, _aten.index_put_.default, _aten._unsafe_index.Tensor,
              _aten._index_put_impl_.default)
_cache: dict[str, list[tuple[int, "Estimate"]]] = {}
_cache_lock = threading.Lock()


class ModelTooLargeError(GenLabError):
    """A model's settings ask for more memory than the machine has; the message holds the estimate."""


@dataclass(frozen=True)
class Estimate:
    parameters: int            # count
    weight_bytes: int          # parameters and buffers
    state_bytes: int           # what a checkpoint stores of the model (its state_dict)
    trainable_bytes: int
    activation_bytes: int      # peak during one training step of ``batch`` examples
    batch: int

    def total(self, training: bool) -> int:
        if training:
            return self.weight_bytes + self.trainable_bytes * OPTIMISER_STATES + self.activation_bytes
        return self.weight_bytes + self.activation_bytes

    def describe(self, training: bool) -> str:
        what = (f"{self.parameters:,} parameters ({size_text(self.weight_bytes)} of weights"
                + (f", {size_text(self.trainable_bytes * OPTIMISER_STATES)} of optimiser state" if training else "")
                + f") and {size_text(self.activation_bytes)} of activations for a batch of {self.batch}")
        return f"about {size_text(self.total(training))}: {what}"


class _NoStep:
    """Stands in for an optimiser during the meta pass: the model's own ``optimizer_step`` still runs
    backward, but nothing is stepped and no state is allocated."""

    def __init__(self, optimizer):
        self.param_groups = optimizer.param_groups
        self.state = {}

    def zero_grad(self, set_to_none: bool = True) -> None:
        pass

    def step(self, closure=None) -> None:
        pass


class _FusedAttention(TorchFunctionMode):
    """On meta tensors, attention as the fused CPU kernel computes it (no L x L matrix)."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if (func is torch.nn.functional.scaled_dot_product_attention and len(args) >= 3
                and args[0].device.type == "meta" and all(a.dim() == 4 for a in args[:3])):
            q, k, v = args[:3]
            mask = kwargs.get("attn_mask", args[3] if len(args) > 3 else None)
            causal = kwargs.get("is_causal", args[5] if len(args) > 5 else False)
            try:
                return _aten._scaled_dot_product_flash_attention_for_cpu(q, k, v, 0.0, bool(causal),
                                                                          attn_mask=mask)[0]
            except (RuntimeError, NotImplementedError, TypeError):
                pass  # an unusual call: the math form overestimates, which is safe
        return func(*args, **kwargs)


class _Sizing(TorchDispatchMode):
    """Runs every operation on meta tensors, keeps real values of small ones, and tracks live bytes."""

    def __init__(self):
        super().__init__()
        self.live = self.peak = 0
        self.track = False

    def _freed(self, n: int) -> None:
        self.live -= n

    def _to_meta(self, x):
        if not isinstance(x, torch.Tensor) or x.device.type == "meta":
            return x
        m = x.to(META)
        if x.numel() <= SMALL:
            m._genlab_value = x
        return m

    @staticmethod
    def _value(x):
        if isinstance(x, torch.Tensor):
            v = getattr(x, "_genlab_value", None) if x.device.type == "meta" else x
            if v is None:
                raise LookupError
            return v
        return x

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        args, kwargs = tree_map(self._to_meta, (args, kwargs or {}))
        tensors = [a for a in tree_flatten((args, kwargs))[0] if isinstance(a, torch.Tensor)]
        if func is _aten._local_scalar_dense.default:
            value = getattr(args[0], "_genlab_value", None)
            if value is not None:
                return value.item()
            return False if args[0].dtype == torch.bool else (0.0 if args[0].is_floating_point() else 0)
        if func in _INDEX_OPS and len(args) > 1:  # known masks and indices index by their real values
            args = (args[0], [getattr(i, "_genlab_value", i) if isinstance(i, torch.Tensor) else i
                              for i in args[1]]) + tuple(args[2:])
        if not tensors and "device" in kwargs:  # a factory: meta, and real too when small
            kwargs = {**kwargs, "device": META}
        try:
            real = tree_map(self._value, (args, kwargs))
            if not tensors and "device" in kwargs:
                real[1]["device"] = torch.device("cpu")
        except LookupError:
            real = None
        if torch.Tag.nondeterministic_seeded in func.tags:
            real = None  # random values are never needed, and drawing them would move the global generator
        try:
            out = func(*args, **kwargs)
            small = all(t.numel() <= SMALL for t in tree_flatten(out)[0] if isinstance(t, torch.Tensor))
            failed = False
        except (RuntimeError, NotImplementedError):
            if real is None:
                raise
            out, small, failed = None, True, True
        if real is not None and small:
            try:
                value = func(*real[0], **real[1])
            except (RuntimeError, NotImplementedError, IndexError, ValueError):
                if failed:
                    raise
                value = None
            if value is not None:
                if failed:
                    out = tree_map(lambda t: t.to(META) if isinstance(t, torch.Tensor) else t, value)
                for m, v in zip(tree_flatten(out)[0], tree_flatten(value)[0]):
                    if isinstance(m, torch.Tensor) and isinstance(v, torch.Tensor) and m.shape == v.shape:
                        m._genlab_value = v
        elif func._schema.is_mutable:  # changed without its real value: forget the stale copy
            for a in tensors:
                if hasattr(a, "_genlab_value"):
                    del a._genlab_value
        if self.track:
            inputs = {id(a) for a in tensors}
            for t in tree_flatten(out)[0]:
                if isinstance(t, torch.Tensor) and id(t) not in inputs and not t._is_view():
                    n = t.untyped_storage().nbytes()
                    self.live += n
                    self.peak = max(self.peak, self.live)
                    weakref.finalize(t, self._freed, n)
        return out


def _example_batch(spec, n: int):
    shape = (n,) + tuple(int(s) for s in spec.shape)
    x = torch.empty(shape, device=META)
    y = torch.zeros(n, dtype=torch.long, device=META) if spec.num_classes else None
    return Batch(x, y)


def _construct(cls, init_args: dict, mode: "_Sizing"):
    """Build on meta: first plainly (every factory on meta; fast), and when the constructor needs a
    value (``int(mask.sum())``), again under ``mode``, which keeps real values of small tensors."""
    args = (init_args["spec"], init_args["config"], init_args.get("preprocess"))
    try:
        with torch.device(META):
            return cls(*args)
    except (RuntimeError, NotImplementedError):
        with mode:
            return cls(*args)


def meta_model(cls, init_args: dict):
    """The model of class ``cls`` that ``init_args`` describe, built on the meta device (no memory for
    its tensors). Callers pass the class (``registry.model_class``): the registry builds through here."""
    with _no_side_effects():
        return _construct(cls, init_args, _Sizing())


def _no_side_effects():
    """Let ``nonzero`` on a large meta tensor assume every element is non-zero (an upper bound).

    Random operations never run for real on a meta pass (``_Sizing`` skips their real values), so the
    global random state is untouched: a run's initialisation does not depend on whether it was sized
    first, and a pass in one thread (the window sizing a snapshot) cannot disturb training in another."""
    return fx_config.patch(meta_nonzero_assume_all_nonzero=True)


def _measure(cls, init_args: dict, batch: int) -> Estimate:
    mode = _Sizing()
    with _no_side_effects():
        model = _construct(cls, init_args, mode)
        params = list(model.parameters())
        count = sum(p.numel() for p in params)
        weights = sum(p.numel() * p.element_size() for p in params)
        weights += sum(b.numel() * b.element_size() for b in model.buffers())
        trainable = sum(p.numel() * p.element_size() for p in params if p.requires_grad)
        optional = optional_state(model)    # an older checkpoint may lack these: not counted as owed
        state = sum(t.numel() * t.element_size() for k, t in model.state_dict().items() if k not in optional)
        activations = 0
        model.configure_optimizers(1e-3)
        model.optimizers = {name: _NoStep(opt) for name, opt in model.optimizers.items()}
        mode.track = True
        try:
            with _FusedAttention(), mode:
                model.training_step(_example_batch(model.spec, batch), None)
            activations = mode.peak
        except (RuntimeError, NotImplementedError, TypeError, ValueError, IndexError):
            # A family whose step cannot run on meta tensors: the peak up to where it stopped.
            activations = mode.peak
    return Estimate(parameters=count, weight_bytes=weights, state_bytes=state, trainable_bytes=trainable,
                    activation_bytes=activations, batch=batch)


def optional_state(model) -> set[str]:
    """State keys a checkpoint may lack: buffers added after checkpoints were written, which their module
    names in ``optional_state`` and fills in itself on load (``_load_from_state_dict``), so older runs
    still open."""
    return {f"{name}.{key}" if name else key for name, module in model.named_modules()
            for key in getattr(module, "optional_state", ())}


def _key(cls, init_args: dict) -> str:
    return f"{cls.__module__}.{cls.__qualname__}" + json.dumps(init_args, sort_keys=True, default=str)


def estimate(cls, init_args: dict, batch: int = INFERENCE_BATCH) -> Estimate:
    """Parameters and memory of the model ``init_args`` describe, for a training step of ``batch``."""
    key = _key(cls, init_args)
    with _cache_lock:
        for b, est in _cache.get(key, ()):
            if b == batch:
                return est
    est = _measure(cls, init_args, batch)
    with _cache_lock:
        _cache.setdefault(key, []).append((batch, est))
        if len(_cache) > 256:
            _cache.pop(next(iter(_cache)))
    return est


def _device_name(device) -> str:
    return "cpu" if device is None else str(device)


def _checked(cls, init_args: dict, batch: int, device) -> bool:
    """True when a check at ``batch`` or more already passed for this model on this device."""
    with _cache_lock:
        return any(b >= batch for b in _passed.get((_key(cls, init_args), _device_name(device)), ()))


_passed: dict[tuple[str, str], list[int]] = {}


def check_fits(cls, init_args: dict, where: str, batch: int | None = None, device=None) -> Estimate | None:
    """Refuse (``ModelTooLargeError``) a model that would not fit in the memory left on ``device``.

    ``batch`` None: only using the model (sampling, evaluating, exporting); a number: training it with
    that batch size (weights, gradients, optimiser state and the step's activations)."""
    training = batch is not None
    n = batch if training else INFERENCE_BATCH
    if _checked(cls, init_args, n if training else 0, device):
        return None
    try:
        est = estimate(cls, init_args, n)
    except (RuntimeError, NotImplementedError, TypeError, ValueError, KeyError, IndexError, AttributeError):
        # The family's constructor cannot run on meta tensors, or the settings are invalid: the real
        # build raises the same error for invalid settings; for the former there is no estimate to give.
        return None
    need, have = est.total(training), available(device)
    if need > have:
        place = "" if device is None or getattr(device, "type", str(device)) == "cpu" else f" on {device}"
        raise ModelTooLargeError(
            f"{where}: this model would need {est.describe(training)}; only {size_text(have)} of memory is "
            f"free{place}. Lower the model's width, depth or hidden size"
            + (", or the batch size (train.batch_size)" if training else "") + ", or use a machine with more memory")
    with _cache_lock:
        _passed.setdefault((_key(cls, init_args), _device_name(device)), []).append(n if training else 0)
    return est


def check_training_fits(cls, model_config, init_args: dict, batch: int, device, where) -> None:
    """Before a run is built or resumed: the model of class ``cls`` that ``init_args`` describe, with the
    run's model settings ``model_config``, trained with ``batch`` examples a step, must fit on ``device``."""
    args = {**init_args, "config": {**(init_args.get("config") or {}), **dataclasses.asdict(model_config)}}
    check_fits(cls, args, str(where), batch=batch, device=device)
    if _device_name(device) != "cpu":  # built on the host first, then moved
        check_fits(cls, args, str(where))
