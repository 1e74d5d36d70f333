"""Devices and CPU threads (``auto`` picks CUDA, then Apple MPS, then the CPU), and the policy for
running on each: which dtype where, mixed precision, when the host waits for the device, where the data
lives. The decisions are pure functions of the device's capabilities (``amp_policy``, ``backend_flags``,
``keep_data_on_device``), so tests check them on any machine; ``device_caps`` reads them from torch.

Dtype policy
    Everything on the device is float32 (or lower under mixed precision). float64 is never made on the
    device: Apple's MPS has none, and consumer GPUs run it at 1/32 or 1/64 of the float32 rate. Where a
    computation needs more precision it is done once on the host (schedule tables built in float64 at
    construction, then kept as Python floats and float32 device copies: ``NoiseSchedule``), in NumPy on
    the host after one copy (the held-out evaluation's mean and spread: ``engine.evaluate``), or
    reformulated to be stable in float32 (``log_ndtr`` for Gaussian tails, triangular solves for an
    inverse). ``engine.device_audit`` fails any op with a float64 tensor in the tests.

Synchronisation policy
    A training step never waits for the device. Loss terms stay on the device and are read once per
    report (``LossMeter``); counters a step needs (the EMA's decay, a layer's "initialised" flag) are
    mirrored on the host and read from the device once per run or load; batch indices reach the device
    with one non-blocking copy from pinned memory (``to_device``); no step indexes with a boolean mask
    (a data-dependent shape). Reporting, sampling, evaluation and checkpoints may wait: they read their
    results on the host anyway. A timing must end after the device's work, not after its launch: the
    loop's sample timing ends once the grid is on the host (that copy waits for the device); a benchmark
    without such a copy calls ``synchronize`` before reading its clock (``bench/gpu.py``).

Mixed precision (``amp_policy``)
    CUDA with bfloat16 support: bf16 autocast, no scaler (bf16 has float32's range). Other CUDA cards:
    fp16 autocast with a ``torch.amp.GradScaler`` (fp16 gradients underflow without one; the scaler's
    inf check reads one flag per step, the price of fp16). CPU and MPS: off (not measured faster here,
    and CPU autocast changes results). ``train.amp=false`` turns it off everywhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch

from engine.errors import ConfigError


def available_devices() -> list[str]:
    out = ["cpu"]
    if torch.cuda.is_available():
        out.insert(0, "cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        out.insert(0, "mps")
    return out


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name not in ("cpu", "cuda", "mps") and not name.startswith("cuda:"):
        raise ConfigError("train.device", name, "one of auto, cpu, cuda, mps")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError("train.device", name, "a device this machine has: " + ", ".join(available_devices()))
    if name == "mps" and "mps" not in available_devices():
        raise ConfigError("train.device", name, "a device this machine has: " + ", ".join(available_devices()))
    return torch.device(name)


def default_threads() -> int:
    """cores - 1, at least 1: leaves a core for the window (two busy cores run torch many times slower)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return max(1, cores - 1)


def set_torch_threads(threads: int) -> int:
    """Set torch's CPU threads for the calling thread (0 means the default); returns the number set."""
    n = threads if threads and threads > 0 else default_threads()
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    return n


def describe_device(device: torch.device) -> str:
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"   # ROCm builds answer "cuda" too
    return device.type


# ---- the policy, as pure functions of the device's capabilities -------------------------------------------
@dataclass(frozen=True)
class DeviceCaps:
    """What the policy needs to know about a device (``device_caps`` reads it from torch)."""

    type: str                       # "cuda", "mps" or "cpu"
    bf16: bool = False              # CUDA: torch.cuda.is_bf16_supported()
    tf32: bool = False              # CUDA: compute capability 8.0 or later (Ampere): TF32 tensor cores
    free_bytes: int | None = None   # device memory free now (None: unknown, or the host's memory)
    hip: bool = False               # a ROCm build (torch.version.hip): "cuda" there is an AMD GPU


@dataclass(frozen=True)
class AmpPolicy:
    """Mixed precision for one run: the autocast dtype (None: off) and whether a GradScaler is needed."""

    dtype: torch.dtype | None = None
    scaler: bool = False

    @property
    def enabled(self) -> bool:
        return self.dtype is not None

    def describe(self) -> str:
        if self.dtype is None:
            return "off"
        return {torch.bfloat16: "bf16", torch.float16: "fp16 + GradScaler"}.get(self.dtype, str(self.dtype))


def amp_policy(caps: DeviceCaps, requested: bool) -> AmpPolicy:
    """bf16 on CUDA cards that support it; fp16 with a GradScaler on older CUDA cards; off on CPU and MPS
    (neither measured faster with autocast for these model sizes) and whenever ``train.amp`` is off."""
    if not requested or caps.type != "cuda":
        return AmpPolicy()
    if caps.bf16:
        return AmpPolicy(torch.bfloat16, scaler=False)
    return AmpPolicy(torch.float16, scaler=True)


@dataclass(frozen=True)
class BackendFlags:
    cudnn_benchmark: bool = False   # pick the fastest convolution algorithm per shape (shapes are fixed)
    tf32: bool = False              # float32 matmuls and convolutions on TF32 tensor cores


def backend_flags(caps: DeviceCaps) -> BackendFlags:
    """CUDA: cudnn benchmark on (a run's batch shape never changes, so the search pays once), TF32 on
    where the card has it (10 mantissa bits inside matmuls; the generative losses here are far noisier
    than that). ROCm has no cudnn (MIOpen ignores the flag). Elsewhere nothing to set."""
    if caps.type != "cuda":
        return BackendFlags()
    return BackendFlags(cudnn_benchmark=not caps.hip, tf32=caps.tf32)


DATA_SHARE_OF_FREE = 0.25   # the training set may take this share of the device's free memory


def keep_data_on_device(caps: DeviceCaps, data_bytes: int) -> bool:
    """Whether the training set is copied to the device once (batches then gathered there, no copy per
    step) or kept on the host and each batch copied (pinned, non-blocking). On the CPU the two are the
    same memory; on a GPU the set stays on the device when it fits in a quarter of the free memory,
    leaving the rest to the model, its activations and the optimiser."""
    if caps.type == "cpu":
        return True
    if caps.free_bytes is None:
        return caps.type == "mps" and data_bytes <= 1 << 30   # unified memory: small sets only
    return data_bytes <= DATA_SHARE_OF_FREE * caps.free_bytes


# ---- reading the capabilities, applying the policy ---------------------------------------------------------
def device_caps(device: torch.device) -> DeviceCaps:
    if device.type == "cuda":
        free = None
        try:
            free, _total = torch.cuda.mem_get_info(device)
        except RuntimeError:
            pass
        major, _minor = torch.cuda.get_device_capability(device)
        return DeviceCaps("cuda", bf16=bool(torch.cuda.is_bf16_supported()), tf32=major >= 8,
                          free_bytes=free, hip=torch.version.hip is not None)
    return DeviceCaps(device.type)


def apply_backend_flags(flags: BackendFlags) -> None:
    """Process-wide torch settings for CUDA runs (nothing to do elsewhere)."""
    if flags.cudnn_benchmark:
        torch.backends.cudnn.benchmark = True
    if flags.tf32:
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True


def to_device(tensor: torch.Tensor, device: torch.device) -> torch.Tensor:
    """Copy a host tensor to ``device`` without making the host wait: from pinned memory with
    ``non_blocking`` on CUDA (a pageable copy synchronises the stream), ``non_blocking`` on MPS; on the
    CPU the tensor itself. The pinned copy is made fresh, so the caller may reuse ``tensor`` at once."""
    if tensor.device == device or device.type == "cpu":
        return tensor
    if device.type == "cuda" and tensor.device.type == "cpu":
        tensor = tensor.pin_memory()
    return tensor.to(device, non_blocking=True)


def device_generator(device: torch.device, seed: int) -> torch.Generator:
    """A seeded generator for draws on ``device``: a CUDA generator on CUDA (drawing on the host and
    copying would cost a transfer per draw); a CPU one on MPS and the CPU (``engine.models.base.randn``
    moves what it draws). Its state only loads on the same kind of device
    (``engine.runs.checkpoint.restore_generators``)."""
    if device.type == "cuda":
        return torch.Generator(device=device).manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def synchronize(device: torch.device) -> None:
    """Wait for the device's queued work (timing a sample draw, a benchmark's clock)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def peak_memory_bytes(device: torch.device) -> int | None:
    """The device's peak allocated memory since the last reset (CUDA, MPS's current allocation), else None."""
    if device.type == "cuda":
        return int(torch.cuda.max_memory_allocated(device))
    if device.type == "mps":
        return int(torch.mps.current_allocated_memory())
    return None


def memory_in_use(device: torch.device) -> str:
    """What the window and ``env.json`` say of the device's memory ("1.2 of 8.0 GiB"), or "" off a GPU."""
    if device.type != "cuda":
        return ""
    try:
        free, total = torch.cuda.mem_get_info(device)
    except RuntimeError:
        return ""
    return f"{(total - free) / 2 ** 30:.1f} of {total / 2 ** 30:.1f} GiB"
