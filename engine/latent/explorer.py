"""``LatentExplorer``: its own model, its own thread, latest request wins.

The window asks for decodes many times a second while a person drags; training must not notice. So
the explorer never sees the training model: it keeps its own instance, loaded from the latest
published ``Snapshot`` (immutable CPU copies), on its own thread with its own ``torch.Generator`` and
thread count. Building a model draws random initial weights, so it is built under
``isolation.own_generator``, which keeps the process-wide generator (that training's dropout draws
from) untouched.

Requests are *kinds* ("decode", "grid", "interpolate", ...), one slot per kind: a new request
replaces an unread one of its kind, so nothing queues up behind a fast pointer. The thread always
takes the most urgent kind first (decode before everything), and a job that is running is
interrupted (through ``engine.interrupt``, which long loops in the families already check) when a
newer request of its kind arrives (it is stale) or a more urgent one does (it is tried again
afterwards). A request submitted with ``preemptible=False`` is not cut short by a newer one of its
kind: a quick preview decode that is already running finishes and is shown while the newest waits,
or a pointer that moves faster than the model decodes would never see a picture. Each finished job calls ``on_result(Result)`` on the explorer's thread; the window turns
that into a Qt signal. Results carry NumPy arrays and plain values only.

A new snapshot is loaded before the next job (weights copied into the same instance when the
construction arguments match, a fresh instance otherwise); a job that is running finishes on the
weights it started with.
"""

from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import torch

from engine.devices import available_devices, device_generator, set_torch_threads
from engine.errors import GenLabError, Interrupted
from engine.interrupt import interruptible
from engine.latent import jobs
from engine.latent.isolation import build_from_snapshot

# Lower runs first. Anything not listed is background work (the "inside the models" views).
PRIORITY = {"decode": 0, "refine": 1, "interpolate": 1, "encode": 1, "complete": 1, "grid": 2, "embed": 3}
BACKGROUND = 4


@dataclass(frozen=True)
class Result:
    kind: str
    request_id: int
    step: int                 # the snapshot step the job ran on
    family: str
    data: Any                 # NumPy arrays and plain values
    seconds: float            # time the job took on the explorer's thread
    tag: Any = None           # whatever the caller passed with the request
    error: str | None = None  # a readable message when the job failed
    waited: float = 0.0       # seconds between the request and the start of its job
    cpu_seconds: float = 0.0  # CPU time of the job's thread (what it costs on an idle machine)


@dataclass
class Context:
    """What a job sees: the explorer's model and generator, and the snapshot they came from."""

    model: torch.nn.Module
    generator: torch.Generator
    step: int
    family: str
    spec: Any                 # DataSpec


@dataclass
class _Request:
    kind: str
    job: Callable[[Context], Any]
    tag: Any
    id: int
    priority: int
    grad: bool                # False: run under inference mode
    submitted: float = 0.0    # time.perf_counter() of the request
    preemptible: bool = True  # a newer request of the same kind interrupts it


class LatentExplorer:
    def __init__(self, on_result: Callable[[Result], None] | None = None, threads: int = 1, seed: int = 0,
                 device: str = "run", name: str = "genlab-latent"):
        self.on_result = on_result
        self.threads = threads
        # "run": decode where the snapshot's run trains (its GPU when it has one: a drag then costs a few
        # milliseconds there instead of a CPU pass), else a named device.
        self.follow_run = device == "run"
        self.device = torch.device("cpu" if self.follow_run else device)
        self.name = name
        self.seed = seed
        self.generator = device_generator(self.device, seed)
        self._build_gen = torch.Generator().manual_seed(seed + 1)
        self._cond = threading.Condition()
        self._slots: dict[str, _Request] = {}
        self._running: _Request | None = None
        self._interrupt = threading.Event()
        self._pending_snapshot = None
        self._closed = False
        self._thread: threading.Thread | None = None
        self._next_id = 0
        self.model = None
        self.snapshot = None          # the snapshot the model holds now
        self.loads = 0                # snapshots loaded (for tests and the status line)
        self.completed = 0

    # ---- state (any thread) ------------------------------------------------------------------------
    @property
    def step(self) -> int | None:
        snap = self.snapshot
        return None if snap is None else snap.step

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def busy(self) -> bool:
        with self._cond:
            return self._running is not None or bool(self._slots) or self._pending_snapshot is not None

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until no request is waiting or running (for tests and benchmarks)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._running is not None or self._slots or self._pending_snapshot is not None:
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    return False
                self._cond.wait(min(left, 0.05))
        return True

    # ---- requests (any thread) -----------------------------------------------------------------------
    def set_snapshot(self, snapshot) -> None:
        """Use ``snapshot`` (an ``engine.training.snapshot.Snapshot``) from the next job on."""
        with self._cond:
            if self._closed:
                return
            self._pending_snapshot = snapshot
            self._ensure_thread()
            self._cond.notify_all()

    def submit(self, kind: str, job: Callable[[Context], Any], tag: Any = None, priority: int | None = None,
               grad: bool = False, preemptible: bool = True) -> int:
        """Run ``job(context)`` on the explorer's thread; replaces an unread request of ``kind``.
        ``grad``: run with autograd (not under inference mode). ``preemptible``: a newer request of
        the same kind may interrupt it while it runs. Returns the request id, which the result carries."""
        with self._cond:
            if self._closed:
                return -1
            self._next_id += 1
            prio = PRIORITY.get(kind, BACKGROUND) if priority is None else priority
            req = _Request(kind, job, tag, self._next_id, prio, grad, time.perf_counter(), preemptible)
            self._slots[kind] = req
            running = self._running
            if running is not None and ((running.kind == kind and running.preemptible) or running.priority > prio):
                self._interrupt.set()
            self._ensure_thread()
            self._cond.notify_all()
            return req.id

    def cancel(self, kind: str) -> None:
        """Drop an unread request of ``kind`` and interrupt one that is running."""
        with self._cond:
            self._slots.pop(kind, None)
            if self._running is not None and self._running.kind == kind:
                self._interrupt.set()

    def close(self, timeout: float = 2.0) -> bool:
        """Stop the thread (a running job is interrupted); True when it has ended."""
        with self._cond:
            self._closed = True
            self._slots.clear()
            self._interrupt.set()
            self._cond.notify_all()
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    # ---- convenience requests -------------------------------------------------------------------
    def decode(self, z: np.ndarray, tag=None, kind: str = "decode", preemptible: bool = True, **options) -> int:
        return self.submit(kind, jobs.decode(z, **options), tag, preemptible=preemptible)

    def grid(self, latents: np.ndarray, nrow: int, tag=None, preemptible: bool = True, **options) -> int:
        return self.submit("grid", jobs.decode_grid(latents, nrow, **options), tag, preemptible=preemptible)

    def interpolate(self, a: np.ndarray, b: np.ndarray, n: int, mode: str, tag=None, **options) -> int:
        return self.submit("interpolate", jobs.interpolate(a, b, n, mode, **options), tag)

    def encode(self, x: np.ndarray, labels=None, tag=None, **options) -> int:
        return self.submit("encode", jobs.encode(x, labels, **options), tag)

    def embed(self, x: np.ndarray, labels=None, max_points: int = 5000, tag=None, preemptible: bool = True,
              **options) -> int:
        return self.submit("embed", jobs.embed(x, labels, max_points, **options), tag, preemptible=preemptible)

    def complete(self, x: np.ndarray, known: np.ndarray, n: int = 4, temperature: float = 1.0, tag=None) -> int:
        return self.submit("complete", jobs.complete(x, known, n, temperature), tag)

    # ---- the thread ----------------------------------------------------------------------------------
    def _ensure_thread(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._main, name=self.name, daemon=True)
            self._thread.start()

    def _take(self):
        """(snapshot to load or None, request or None), waiting until there is something to do."""
        with self._cond:
            while not self._closed:
                snap = self._pending_snapshot
                have_model = self.model is not None or snap is not None
                if snap is not None or (self._slots and have_model):
                    self._pending_snapshot = None
                    req = None
                    if self._slots and have_model:
                        req = min(self._slots.values(), key=lambda r: (r.priority, r.id))
                        del self._slots[req.kind]
                        self._running = req
                        self._interrupt.clear()
                    return snap, req
                self._cond.wait()
            return None, None

    def _main(self) -> None:
        set_torch_threads(self.threads)
        while True:
            snap, req = self._take()
            if snap is None and req is None:
                return
            try:
                if snap is not None:
                    self._load(snap)
                if req is not None:
                    self._run(req)
            finally:
                with self._cond:
                    self._running = None
                    self._cond.notify_all()

    def _load(self, snap) -> None:
        try:
            self._follow(snap)
            current = self.model
            if (current is not None and self.snapshot is not None and self.snapshot.family == snap.family
                    and self.snapshot.init_args == snap.init_args and current.device == self.device):
                with torch.no_grad():
                    current.load_state_dict(dict(snap.state))
            else:
                self.model = None
                self.model = build_from_snapshot(snap, self._build_gen, self.device)
            self.snapshot = snap
            self.loads += 1
        except Exception as e:  # noqa: BLE001 - a snapshot this version cannot load: say so, keep going
            self._deliver(Result("snapshot", 0, getattr(snap, "step", 0), getattr(snap, "family", ""), None, 0.0,
                                 error=f"could not load the weights of step {getattr(snap, 'step', '?')}: {e}"))

    def _follow(self, snap) -> None:
        """Move to the snapshot's device when following the run (a device this process cannot use stays
        on the CPU); the generator moves with it, re-seeded (generators are per device)."""
        if not self.follow_run:
            return
        target = torch.device(getattr(snap, "device", "cpu") or "cpu")
        if target.type == "cuda" and not torch.cuda.is_available():
            target = torch.device("cpu")
        if target.type == "mps" and "mps" not in available_devices():
            target = torch.device("cpu")
        if target != self.device:
            self.device = target
            self.generator = device_generator(target, self.seed)

    def _run(self, req: _Request) -> None:
        model, snap = self.model, self.snapshot
        if model is None or snap is None:
            return
        ctx = Context(model, self.generator, snap.step, snap.family, model.spec)
        t0 = time.perf_counter()
        c0 = time.thread_time()
        waited = t0 - req.submitted
        try:
            with interruptible(self._interrupt):
                if req.grad:
                    data = req.job(ctx)
                else:
                    with torch.inference_mode():
                        data = req.job(ctx)
        except Interrupted:
            with self._cond:
                superseded = req.kind in self._slots or self._closed
                if not superseded:        # pre-empted by something more urgent: try again afterwards
                    self._slots[req.kind] = req
            return
        except GenLabError as e:
            self._deliver(Result(req.kind, req.id, snap.step, snap.family, None, time.perf_counter() - t0,
                                 req.tag, error=str(e)))
            return
        except Exception as e:  # noqa: BLE001 - a failed view must not end the explorer
            self._deliver(Result(req.kind, req.id, snap.step, snap.family, None, time.perf_counter() - t0,
                                 req.tag, error=f"{type(e).__name__}: {e}"))
            return
        self.completed += 1
        self._deliver(Result(req.kind, req.id, snap.step, snap.family, data, time.perf_counter() - t0, req.tag,
                             waited=waited, cpu_seconds=time.thread_time() - c0))

    def _deliver(self, result: Result) -> None:
        callback = self.on_result
        if callback is None:
            return
        try:
            callback(result)
        except Exception:  # noqa: BLE001 - the consumer's bug must not stop the explorer
            traceback.print_exc()
