"""Catch GPU-only mistakes on any machine: float64 tensors and host synchronisations.

Apple's MPS has no float64, and on a GPU every host synchronisation (a value read back to Python, a
blocking copy, an op whose output size depends on the data) stalls the launch queue that small models
live on. Neither shows on a CPU, where both are free, so ``DeviceAudit`` watches for them there:

- a ``TorchDispatchMode`` sees every aten op: float64 (or complex128) in its inputs or outputs is an
  offence (what MPS rejects); ``_local_scalar_dense`` (``.item()``, ``bool()``/``int()``/``float()`` of a
  tensor), ``nonzero``, ``masked_select``, ``unique``, boolean-mask indexing and ``equal`` are syncs;
- a ``TorchFunctionMode`` sees what never reaches the dispatcher on a CPU (where a same-device copy is a
  no-op): ``.tolist()``, ``.numpy()``, ``.cpu()``, and ``.to(device)`` / ``.cuda()`` / ``copy_`` /
  ``torch.tensor(..., device=...)`` without ``non_blocking=True``, each of which waits for the device on
  a GPU (a pageable host-to-device copy synchronises the stream; a device-to-host copy waits for all
  queued work).

Each offence keeps the innermost GenLab frame that made it, so a test failure names the line to fix.
It is a test and benchmark instrument (``tests/engine/test_device_audit.py``, ``bench/gpu.py``), never
on in a run: the modes cost a Python call per op.
"""

from __future__ import annotations

import os
import traceback
from collections import Counter
from dataclasses import dataclass, field

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

_aten = torch.ops.aten
WIDE = (torch.float64, torch.complex128)
# Ops whose result is read on the host, or whose output shape depends on the data: on a GPU each waits
# for every queued kernel.
SYNC_OPS = {
    _aten._local_scalar_dense.default: "scalar read (.item(), bool(), int(), float())",
    _aten.nonzero.default: "nonzero (data-dependent shape)",
    _aten.masked_select.default: "masked_select (data-dependent shape)",
    _aten._unique2.default: "unique (data-dependent shape)",
    _aten.unique_dim.default: "unique (data-dependent shape)",
    _aten.unique_consecutive.default: "unique (data-dependent shape)",
    _aten.equal.default: "equal (reads a bool)",
}
_HOST_READS = {"tolist", "numpy", "cpu"}
# (``copy_`` is left out: in a module it copies between tensors on the same device, which is
# asynchronous; on a CPU a host-to-device ``copy_`` cannot be told from those.)
_MOVES = {"to", "cuda", "mps"}
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_SELF = os.path.abspath(__file__)


@dataclass
class Offence:
    kind: str        # "float64" or "sync"
    what: str        # the op and why
    where: str       # file:line of the innermost GenLab frame


@dataclass
class AuditReport:
    offences: list[Offence] = field(default_factory=list)

    def of(self, kind: str) -> list[Offence]:
        return [o for o in self.offences if o.kind == kind]

    @property
    def float64(self) -> list[Offence]:
        return self.of("float64")

    @property
    def syncs(self) -> list[Offence]:
        return self.of("sync")

    def summary(self, kind: str | None = None, limit: int = 12) -> str:
        counts = Counter((o.kind, o.what, o.where) for o in self.offences if kind is None or o.kind == kind)
        return "\n".join(f"{n} x {k}: {w} at {where}" for (k, w, where), n in counts.most_common(limit))


def _where() -> str:
    """The innermost frame in GenLab's own code (engine/, bench/, tests/) outside this module."""
    for fr in reversed(traceback.extract_stack()):
        path = os.path.abspath(fr.filename)
        if path != _SELF and path.startswith(_ROOT) and "site-packages" not in path:
            return f"{os.path.relpath(path, _ROOT).replace(os.sep, '/')}:{fr.lineno} ({fr.name})"
    return "?"


def _tensors(obj):
    if isinstance(obj, torch.Tensor):
        yield obj
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            yield from _tensors(o)
    elif isinstance(obj, dict):
        for o in obj.values():
            yield from _tensors(o)


def optimizer_host_tensors(optimizers) -> list[torch.Tensor]:
    """Optimiser state torch keeps on the host even when the weights are on a GPU: Adam's ``step``
    counters (unless capturable or fused), whose ``.item()`` reads host memory and waits for nothing."""
    out = []
    for opt in optimizers:
        fused_or_capturable = any(g.get("fused") or g.get("capturable") for g in opt.param_groups)
        if fused_or_capturable:
            continue
        for state in opt.state.values():
            step = state.get("step") if isinstance(state, dict) else None
            if isinstance(step, torch.Tensor):
                out.append(step)
    return out


class _Dispatch(TorchDispatchMode):
    def __init__(self, report: AuditReport, host: set[int]):
        super().__init__()
        self.report = report
        self.host = host

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        reason = SYNC_OPS.get(func)
        if reason is not None and args and isinstance(args[0], torch.Tensor) and id(args[0]) in self.host:
            reason = None   # a host tensor on a GPU too: reading it waits for nothing
        if reason is None and func in (_aten.index.Tensor, _aten.index_put_.default, _aten.index_put.default):
            idx = args[1] if len(args) > 1 else ()
            if any(t is not None and t.dtype == torch.bool for t in _tensors(idx)):
                reason = "boolean-mask indexing (data-dependent shape)"
        if reason is None and func is _aten.repeat_interleave.Tensor and kwargs.get("output_size") is None:
            reason = "repeat_interleave without output_size"
        if reason is not None:
            self.report.offences.append(Offence("sync", reason, _where()))
        out = func(*args, **kwargs)
        if any(t.dtype in WIDE for t in _tensors((args, kwargs, out))):
            self.report.offences.append(Offence("float64", str(func), _where()))
        return out


class _Function(TorchFunctionMode):
    def __init__(self, report: AuditReport):
        super().__init__()
        self.report = report

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = getattr(func, "__name__", "")
        if name in _HOST_READS and args and isinstance(args[0], torch.Tensor):
            self.report.offences.append(Offence("sync", f".{name}() (device-to-host copy)", _where()))
        elif name in _MOVES and args and isinstance(args[0], torch.Tensor) and not kwargs.get("non_blocking"):
            if name != "to" or _to_moves(args[1:], kwargs):
                self.report.offences.append(Offence("sync", f".{name}(device) without non_blocking", _where()))
        elif name in ("tensor", "as_tensor") and kwargs.get("device") is not None and not (args and isinstance(args[0], torch.Tensor)):
            self.report.offences.append(Offence("sync", f"torch.{name}(..., device=) (host-to-device copy)", _where()))
        return func(*args, **kwargs)


def _to_moves(args, kwargs) -> bool:
    """Whether a ``.to(...)`` call names a device (a dtype-only cast is no copy between devices)."""
    if kwargs.get("device") is not None:
        return True
    if args and isinstance(args[-1], bool):  # .to(device, dtype, non_blocking) positionally
        return False
    return any(isinstance(a, (torch.device, str)) or isinstance(a, torch.Tensor) for a in args)


class DeviceAudit:
    """``with DeviceAudit() as report:`` records every float64 tensor and host sync in the block.

    ``host_tensors``: tensors that live on the host even when a run uses a GPU (``optimizer_host_tensors``),
    whose reads are no sync there."""

    def __init__(self, host_tensors=()):
        self.report = AuditReport()
        self._host = list(host_tensors)   # kept alive, so their ids stay theirs
        self._modes = (_Function(self.report), _Dispatch(self.report, {id(t) for t in self._host}))

    def __enter__(self) -> AuditReport:
        for m in self._modes:
            m.__enter__()
        return self.report

    def __exit__(self, *exc):
        for m in reversed(self._modes):
            m.__exit__(*exc)
        return False
