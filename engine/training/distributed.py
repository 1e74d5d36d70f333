"""Training on several processes (GPUs or machines) with ``torch.distributed``, launched by ``torchrun``.

``genlab train`` runs unchanged under ``torchrun --nproc_per_node=N`` (and its multi-node flags):
``Distributed.from_env()`` sees the variables torchrun sets (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``,
``LOCAL_WORLD_SIZE``, ``MASTER_ADDR``, ``MASTER_PORT``) and joins the process group.

How the work is split, and why it is done this way:

- **Explicit gradient all-reduce, not DDP.** Each family owns its optimiser steps (a GAN alternates a
  discriminator and a generator step, with a double-backward R1 penalty and its players frozen in turn;
  diffusion and the GAN update an EMA after stepping). Wrapping a module in
  ``DistributedDataParallel`` synchronises only gradients that flow through its ``forward``, which
  those steps do not all take. Every family steps through ``GenerativeModel.optimizer_step``, so the
  model's ``grad_sync`` hook, called there between ``backward`` and clipping, averages every gradient
  over the ranks (coalesced into a few buckets). Every optimiser of every family is synchronised,
  clipping sees the global gradient, and the EMA copies stay identical across ranks because they
  average identical weights. What DDP adds and this gives up is overlapping the all-reduce with the
  backward pass; for GenLab's model sizes the all-reduce is a small share of a step.
- **Data.** ``train.batch_size`` is per process. Every rank draws the same global shuffled order
  (``train`` generator, one seed for all ranks) and takes every N-th example of each global batch of
  N*B (``BatchSampler``), so N ranks with batch B read disjoint shards that together are the batch one
  process with batch N*B would read.
- **Training noise.** The families' noise (latents, diffusion times and noise, dequantisation) comes
  from the ``model`` generator, seeded the same on every rank. Inside a training step
  ``engine.models.base.noise_shard`` makes each draw the global batch's noise and keeps this rank's
  rows, in the sampler's order. So N ranks with batch B compute exactly what one process with batch N*B
  computes, up to the order of floating-point sums; the test checks the weights against such a run.
  Drawing N times the noise is cheap beside the network.
- **Seeds per rank.** ``data`` split, initialisation (torch's global seed ``train.seed``), the batch
  order and the training noise are the same on every rank by construction, and rank 0's weights are
  broadcast at the start besides. Only torch's global generator, which dropout (the autoregressive
  family's Transformer) and nothing else in training uses, is reseeded per rank
  (``seed * 1000 + 3 + rank + 7919 * start_step``) so ranks do not drop the same units; a family with
  dropout is therefore equal to a single process in distribution, not bit for bit.
- **Data-dependent initialisation.** A layer that initialises itself from its first training batch
  (the flow's ActNorm: an ``initialized`` buffer and an ``_initialise(x)`` method) is initialised from
  the global batch: its input is gathered from every rank first. GenLab's networks use no BatchNorm.
- **Rank 0 writes** the run folder, checkpoints, metrics, samples and status; the logged losses are
  averaged over the ranks. Only rank 0 draws display samples and evaluates (the others wait for it at
  the next step, which costs no time and spares shared CPU cores); stopping (Ctrl+C, SIGTERM, a time
  limit) is agreed at every step, and a time-limited run uses rank 0's clock. At the end the ranks compare their weights, EMA and optimiser
  states with rank 0's and the largest difference is written to ``env.json``.
- **Backend by device**: ``cpu:gloo,cuda:nccl`` where CUDA is available (CUDA tensors go over NCCL, the
  small control messages over Gloo), Gloo alone elsewhere; ``GENLAB_DIST_BACKEND`` overrides it.
  Each process uses the GPU ``cuda:LOCAL_RANK``. ``GENLAB_DIST_TIMEOUT`` (seconds, default 1800) bounds
  how long a rank waits for the others.
"""

from __future__ import annotations

import datetime
import json
import os
from dataclasses import dataclass

import torch
import torch.distributed as dist

from engine.data import load_dataset
from engine.devices import describe_device
from engine.errors import GenLabError
from engine.events import LogMessage
from engine.runs.folder import environment

BUCKET_BYTES = 32 * 1024 * 1024  # gradients are all-reduced in buckets of about this size
DEFAULT_TIMEOUT_S = 1800.0


class DistributedError(GenLabError):
    """The torchrun environment or the process group is not usable (a clear message, not a traceback)."""


def launched_by_torchrun(environ=None) -> bool:
    env = os.environ if environ is None else environ
    return "RANK" in env and "WORLD_SIZE" in env and "MASTER_ADDR" in env and "MASTER_PORT" in env


def _env_int(env, name: str, default: int | None = None) -> int:
    text = env.get(name)
    if text is None:
        if default is None:
            raise DistributedError(f"torchrun environment: {name} is not set")
        return default
    try:
        return int(text)
    except ValueError:
        raise DistributedError(f"torchrun environment: {name}={text!r} is not a whole number") from None


def default_backend(environ=None) -> str:
    """NCCL for CUDA tensors where CUDA (and NCCL) is available, Gloo for CPU tensors always."""
    forced = (os.environ if environ is None else environ).get("GENLAB_DIST_BACKEND", "").strip()
    if forced:
        return forced
    if torch.cuda.is_available() and dist.is_nccl_available():
        return "cpu:gloo,cuda:nccl"
    return "gloo"


@dataclass
class Distributed:
    """This process's place in a torchrun job, and the collectives the trainer needs."""

    rank: int
    world: int
    local_rank: int
    local_world: int
    backend: str
    device: torch.device | None = None

    # ---- joining and leaving ------------------------------------------------------------------------
    @classmethod
    def from_env(cls, environ=None) -> "Distributed | None":
        """Join the process group torchrun describes; None when not launched by torchrun."""
        env = os.environ if environ is None else environ
        if not launched_by_torchrun(env):
            return None
        if not dist.is_available():
            raise DistributedError("this build of PyTorch has no torch.distributed; install one that has")
        rank, world = _env_int(env, "RANK"), _env_int(env, "WORLD_SIZE")
        local_rank = _env_int(env, "LOCAL_RANK", 0)
        local_world = _env_int(env, "LOCAL_WORLD_SIZE", world)
        if not (0 <= rank < world and 0 <= local_rank < local_world):
            raise DistributedError(f"torchrun environment: RANK={rank}, WORLD_SIZE={world}, LOCAL_RANK={local_rank}, "
                                   f"LOCAL_WORLD_SIZE={local_world} do not fit together")
        backend = default_backend(env)
        text = env.get("GENLAB_DIST_TIMEOUT", str(DEFAULT_TIMEOUT_S))
        try:
            timeout = float(text)
        except ValueError:
            timeout = -1.0
        if not timeout > 0:
            raise DistributedError(f"GENLAB_DIST_TIMEOUT={text!r}: expected a number of seconds above 0")
        if not dist.is_initialized():
            _import_before_joining()
            try:
                dist.init_process_group(backend=backend, init_method="env://", rank=rank, world_size=world,
                                        timeout=datetime.timedelta(seconds=timeout))
            except (RuntimeError, ValueError) as e:
                raise DistributedError(f"could not join the process group at {env.get('MASTER_ADDR')}:"
                                       f"{env.get('MASTER_PORT')} as rank {rank} of {world} ({backend}): {e}") from None
        return cls(rank, world, local_rank, local_world, backend)

    def close(self, wait: bool = True) -> None:
        """Wait for every rank (rank 0 may still be writing its last checkpoint), then leave. After an
        error ``wait=False`` leaves at once: the others may never reach the barrier."""
        if dist.is_initialized():
            try:
                if wait:
                    self.barrier()
            finally:
                dist.destroy_process_group()

    @property
    def is_writer(self) -> bool:
        return self.rank == 0

    def describe(self) -> dict:
        return {"world": self.world, "rank": self.rank, "local_world": self.local_world,
                "nodes": max(1, self.world // max(1, self.local_world)), "backend": self.backend}

    def environment(self, env: dict, batch_per_rank: int, **extra) -> dict:
        """``env.json`` with the job's shape added under ``distributed``."""
        return {**env, "distributed": {**self.describe(), "batch_per_rank": batch_per_rank,
                                       "global_batch": batch_per_rank * self.world, **extra}}

    def check_in_step(self, trainer):
        """At the end of training (every rank calls it at the same point): compare every rank's weights
        and optimiser states with rank 0's, record the largest difference in ``env.json`` and log an
        error event if there is any."""
        diff = self.compare_with_rank0(trainer.model)
        if trainer.run is not None and self.is_writer:
            env = environment(describe_device(trainer.device), trainer.threads)
            try:
                trainer.run.write_env(self.environment(env, trainer.batch_size, max_difference_from_rank0=diff,
                                                       compared_at_step=trainer.step))
            except OSError:
                pass  # env.json is informative; the checkpoint is what matters
        if diff != 0.0:
            yield LogMessage("error", f"the {self.world} processes' weights differ from rank 0's by up to {diff:.3g} "
                                      f"at step {trainer.step}; they should be identical", trainer.step)

    # ---- placement ----------------------------------------------------------------------------------
    def bind_device(self, device: torch.device) -> torch.device:
        """The device this rank trains on: ``cuda:LOCAL_RANK`` for CUDA (made current, which NCCL needs)."""
        if device.type == "cuda":
            if self.local_rank >= torch.cuda.device_count():
                raise DistributedError(f"rank {self.rank} wants GPU cuda:{self.local_rank} but this machine has "
                                       f"{torch.cuda.device_count()}; start at most that many processes per node")
            device = torch.device("cuda", self.local_rank)
            torch.cuda.set_device(device)
        elif device.type != "cpu":
            raise DistributedError(f"distributed training runs on CUDA (NCCL) or the CPU (Gloo), not {device.type}; "
                                   "set train.device=cpu or cuda")
        self.device = device
        return device

    def default_threads(self) -> int:
        """CPU threads per process when the config says 0: this node's cores shared by its processes."""
        try:
            cores = len(os.sched_getaffinity(0))
        except AttributeError:
            cores = os.cpu_count() or 1
        return max(1, cores // max(1, self.local_world))

    def _control_device(self) -> torch.device:
        """Where small control tensors travel: the CPU when Gloo is in the backend, else the GPU."""
        if "gloo" in self.backend or self.device is None:
            return torch.device("cpu")
        return self.device

    # ---- plain collectives --------------------------------------------------------------------------
    def barrier(self) -> None:
        """Every rank waits here for the others (a one-element all-reduce on the control device)."""
        dist.all_reduce(torch.zeros(1, device=self._control_device()))

    def load_dataset_in_turn(self, data_config, progress=None):
        """Load the data on every rank, the first process of each node first: it downloads or fills the
        cache while the others wait, and they then read the cache."""
        if self.local_rank == 0:
            dataset = load_dataset(data_config, progress=progress)
            self.barrier()
        else:
            self.barrier()
            dataset = load_dataset(data_config)
        return dataset

    def share_json(self, value):
        """Rank 0's JSON-able ``value`` on every rank (JSON bytes, never pickle); others may pass None."""
        dev = self._control_device()
        data = json.dumps(value).encode("utf-8") if self.is_writer else b""
        size = torch.tensor([len(data)], dtype=torch.long, device=dev)
        dist.broadcast(size, 0)
        buf = torch.zeros(int(size.item()), dtype=torch.uint8, device=dev)
        if self.is_writer:
            buf.copy_(torch.frombuffer(bytearray(data), dtype=torch.uint8))
        dist.broadcast(buf, 0)
        return json.loads(buf.cpu().numpy().tobytes().decode("utf-8"))

    def agree(self, elapsed: float, stop: bool) -> tuple[float, bool]:
        """One small all-reduce per step: rank 0's training time, and whether any rank wants to stop."""
        t = torch.tensor([elapsed if self.is_writer else 0.0, 1.0 if stop else 0.0], dtype=torch.float64,
                         device=self._control_device())
        dist.all_reduce(t)
        return float(t[0]), bool(t[1] > 0)

    def mean_losses(self, acc: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Loss sums averaged over the ranks (at log time only), so the metrics describe the global batch."""
        if not acc:
            return acc
        keys = sorted(acc)
        stacked = torch.stack([acc[k].detach().float().reshape(()) for k in keys])
        dist.all_reduce(stacked)
        stacked /= self.world
        return {k: stacked[i] for i, k in enumerate(keys)}

    def sync_gradients(self, params: list[torch.Tensor]) -> None:
        """``GenerativeModel.grad_sync``: average the gradients of ``params`` over the ranks."""
        self.all_reduce_mean_([p.grad for p in params if p.grad is not None])

    def all_reduce_mean_(self, tensors: list[torch.Tensor]) -> None:
        """Average ``tensors`` (gradients) in place over the ranks, coalesced into buckets."""
        for bucket in _buckets(tensors, BUCKET_BYTES):
            if len(bucket) == 1:
                dist.all_reduce(bucket[0])
                bucket[0].div_(self.world)
                continue
            flat = torch.cat([t.reshape(-1) for t in bucket])
            dist.all_reduce(flat)
            flat.div_(self.world)
            offset = 0
            for t in bucket:
                n = t.numel()
                t.copy_(flat[offset:offset + n].view_as(t))
                offset += n

    # ---- the model --------------------------------------------------------------------------------
    def prepare_model(self, model, seed: int, step: int = 0) -> None:
        """Make ``model`` train in step with the other ranks: rank 0's weights and buffers everywhere,
        gradients averaged in ``optimizer_step``, data-dependent initialisation on the global batch,
        and dropout's generator seeded per rank."""
        self._broadcast_(list(model.state_dict().values()))
        model.grad_sync = self.sync_gradients
        for module in model.modules():
            if callable(getattr(module, "_initialise", None)) and isinstance(getattr(module, "initialized", None),
                                                                            torch.Tensor):
                module.register_forward_pre_hook(self._initialise_on_global_batch)
        if self.world > 1:
            torch.manual_seed(seed * 1000 + 3 + self.rank + 7919 * step)

    def _initialise_on_global_batch(self, module, args):
        if not module.training or bool(module.initialized):
            return None
        x = args[0].detach().contiguous()
        parts = [torch.empty_like(x) for _ in range(self.world)]
        dist.all_gather(parts, x)
        # rank r holds global rows r, r + N, ...: interleave back into the global batch's order
        module._initialise(torch.stack(parts, dim=1).flatten(0, 1))
        return None

    def _carried(self, t: torch.Tensor) -> torch.Tensor:
        """``t`` as the backend can carry it: bool as bytes, CPU tensors on the GPU when there is no Gloo."""
        if t.dtype == torch.bool:
            t = t.to(torch.uint8)
        if t.device.type == "cpu" and "gloo" not in self.backend and self.device is not None:
            t = t.to(self.device)
        return t

    def _broadcast_(self, tensors: list[torch.Tensor]) -> None:
        for bucket in _buckets(tensors, BUCKET_BYTES):
            flat = self._carried(torch.cat([t.detach().reshape(-1) for t in bucket]))
            dist.broadcast(flat, 0)
            offset = 0
            with torch.no_grad():
                for t in bucket:
                    n = t.numel()
                    t.copy_(flat[offset:offset + n].view_as(t).to(t.dtype))
                    offset += n

    def compare_with_rank0(self, model) -> float:
        """The largest absolute difference between any rank's weights, buffers (EMA included) and optimiser
        states and rank 0's: 0.0 when the ranks trained in step, as they must."""
        tensors = list(model.state_dict().values())
        for name in sorted(model.optimizers):
            states = model.optimizers[name].state_dict()["state"]
            for index in sorted(states):  # a restored optimiser's order can differ between processes
                tensors += [v for _, v in sorted(states[index].items()) if isinstance(v, torch.Tensor)]
        worst = 0.0
        for bucket in _buckets(tensors, BUCKET_BYTES):
            mine = self._carried(torch.cat([t.detach().reshape(-1).double() for t in bucket]))
            ref = mine.clone()
            dist.broadcast(ref, 0)
            if mine.numel():
                diff = (mine - ref).abs()
                worst = max(worst, float(torch.nan_to_num(diff, nan=float("inf")).max()))
        total = torch.tensor([worst], dtype=torch.float64, device=self._control_device())
        dist.all_reduce(total, op=dist.ReduceOp.MAX)
        return float(total.item())


def _import_before_joining() -> None:
    """Import what the first optimiser imports (``torch._dynamo``, which brings ``torch.distributed.nn``)
    before the process group exists.

    ``torch.distributed.nn.functional`` declares ``group=group.WORLD`` as default arguments, evaluated
    when the module is first imported. Imported after ``init_process_group`` (the first Adam imports it),
    those defaults hold the default process group for the life of the process, so
    ``destroy_process_group`` cannot free it and Gloo's worker threads outlive ``close``. At interpreter
    exit such a thread, still finishing the last collective, releases a tensor, needs the GIL, is ended
    by Python's finalisation and aborts the process ("terminate called without an active exception":
    rank 1 of a finished job killed by SIGABRT under load). Imported first, the defaults are None.
    """
    # lazy: torch._dynamo takes seconds to import; only a job about to join needs it, and before joining
    import torch._dynamo  # noqa: F401  (the import is the point; see above)


def _buckets(tensors: list[torch.Tensor], limit: int):
    """Consecutive groups of tensors of one dtype and device, each about ``limit`` bytes at most."""
    bucket, size, key = [], 0, None
    for t in tensors:
        k = (t.dtype, t.device)
        nbytes = t.numel() * t.element_size()
        if bucket and (k != key or size + nbytes > limit):
            yield bucket
            bucket, size = [], 0
        bucket.append(t)
        size += nbytes
        key = k
    if bucket:
        yield bucket
