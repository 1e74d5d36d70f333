"""``ChildRunner``: a run trained in a process of its own, driven like an in-process ``Runner``.

Training in the window's own interpreter shared one lock with the window's painting and the latent
explorer (measured: 0.74-0.89 of headless speed), and a native crash in training took the window
with it. So the window trains in a child: this same program started again as ``genlab worker``
(``engine.training.worker``). ``ChildRunner`` has ``Runner``'s public interface (start, pause,
resume_training, step, stop, set_live, rollback, join, stop_and_join, alive, paused, poll, events,
mailbox, finished), so ``gui.session`` drives either the same way.

Commands go to the child's stdin as frames (``engine.training.channel``) with an id; the child
acknowledges each (``acked``, ``wait_ack``). A reader thread here turns the child's frames into the
same queue (light events, in order) and latest-wins mailbox (sample grids, snapshots) that ``poll``
drains. When the child's stream ends without a final event (killed, a native abort, the system's
out-of-memory killer) a ``TrainingFailed`` names how it ended and a crash log holding the tail of
its ``worker.log``; the run folder keeps everything to its last checkpoint, so the run continues
with ``resume=True`` like any other.

``WorkerProcess`` is the process itself, startable before there is a run: a warm one has loaded
PyTorch and waits for its first command, so Train starts without the import's seconds.
"""

from __future__ import annotations

import itertools
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from engine.crash import user_dir, write_crash_log
from engine.events import (HEAVY_EVENTS, CheckpointSaved, RunStarted, SnapshotPublished, StepCompleted,
                           TrainingFailed, TrainingFinished, TrainingPaused)
from engine.models.registry import registrations
from engine.training.channel import ChannelError, read_frame, write_frame
from engine.training.worker import LOG_NAME

_names = itertools.count(1)


def worker_command() -> list[str]:
    """This program's ``worker`` command: the frozen executable itself, or this Python."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "worker"]
    return [sys.executable, "-m", "engine.cli", "worker"]


def describe_exit(code: int | None) -> str:
    """How a process ended, as the end of "the training process ...": "was killed (SIGKILL: ...)"."""
    if code is None:
        return "is still running"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return {"SIGKILL": "was killed (SIGKILL: by a person, another program, or the system when memory ran out)",
                "SIGABRT": "aborted inside a native library (SIGABRT)",
                "SIGSEGV": "crashed inside a native library (SIGSEGV)",
                "SIGTERM": "was terminated (SIGTERM)"}.get(name, f"was ended by {name}")
    return f"ended with exit status {code}"


class WorkerProcess:
    """A ``genlab worker`` process and the thread that reads its frames (see the module's docstring)."""

    def __init__(self, env: dict | None = None):
        folder = Path(os.environ.get("GENLAB_CRASH_DIR") or user_dir("state") / "crash")
        folder.mkdir(parents=True, exist_ok=True)
        self.start_log = folder / f"worker-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{next(_names)}.log"
        kwargs: dict = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "bufsize": 0}
        if os.name == "nt":
            kwargs["creationflags"] = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
        else:
            kwargs["start_new_session"] = True   # a terminal's Ctrl+C or the window's exit does not reach it
        if not getattr(sys, "frozen", False):
            kwargs["cwd"] = str(Path(__file__).resolve().parents[2])
        with open(self.start_log, "ab") as log:
            self.proc = subprocess.Popen(worker_command(), stderr=log, env=env, **kwargs)
        self.pid = self.proc.pid
        self.ready = threading.Event()
        self.broken: str | None = None
        self.stats: dict = {}      # frames, bytes and decode_s read from the process (the benchmark reports them)
        self._lock = threading.Lock()
        self._backlog: list = []
        self._sink = None
        self.ended = threading.Event()
        self._reader = threading.Thread(target=self._read, name=f"genlab-child-{self.pid}", daemon=True)
        self._reader.start()

    @property
    def usable(self) -> bool:
        return self.proc.poll() is None and self._sink is None and self.broken is None

    def attach(self, sink) -> None:
        """Hand every frame from now on (and any that came before) to ``sink(frame)``."""
        with self._lock:
            self._sink = sink
            backlog, self._backlog = self._backlog, []
        for frame in backlog:
            sink(frame)

    def send(self, obj) -> bool:
        try:
            write_frame(self.proc.stdin, obj)
            return True
        except (BrokenPipeError, OSError, ValueError):
            return False

    def close_channel(self) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def _read(self) -> None:
        try:
            while True:
                try:
                    frame = read_frame(self.proc.stdout, self.stats)
                except (ChannelError, EOFError, OSError, ValueError) as e:
                    frame = ("torn", str(e))
                if frame is None:
                    break
                if frame[0] == "ready":
                    self.ready.set()
                    continue
                if frame[0] == "broken":
                    self.broken = frame[1]
                self._deliver(frame)
                if frame[0] == "torn":
                    break
        finally:
            self.proc.wait()
            self.ended.set()
            self._deliver(("ended", self.proc.returncode))
            self.ready.set()

    def _deliver(self, frame) -> None:
        with self._lock:
            sink = self._sink
            if sink is None:
                self._backlog.append(frame)
                return
        sink(frame)


class ChildRunner:
    """``Runner``'s interface over a training process (see the module's docstring)."""

    def __init__(self, config, run_dir=None, resume: bool = False, dataset=None, worker: WorkerProcess | None = None):
        if run_dir is None:
            raise ValueError("a training process writes a run folder: give run_dir")
        self.config = config
        self.run_dir = Path(run_dir)
        self.resume = resume
        self.dataset = dataset         # the window's copy (the process loads its own from config.data)
        self.trainer = None            # lives in the other process; step and elapsed are mirrored below
        self.events: queue.Queue = queue.Queue()
        # lazy: runner loads PyTorch (and its Mailbox with it); the window asks for a child after warm-up
        from engine.training.runner import Mailbox, drain
        self._drain = drain
        # lazy: the same (snapshots come back as tensors; loaded with the runner)
        from engine.training.snapshot import as_tensors
        self._as_tensors = as_tensors
        self.mailbox = Mailbox()
        self.finished = threading.Event()
        self.worker = worker if worker is not None and worker.usable else WorkerProcess()
        self.pid = self.worker.pid
        self.step_now = 0
        self.elapsed = 0.0
        self.last_checkpoint: int | None = None   # the step of the newest checkpoint the process saved
        self.acked: dict[int, str | None] = {}     # command id -> None (done) or the child's refusal
        self._ack_cv = threading.Condition()
        self._ids = itertools.count(1)
        self._unacked = 0
        self._paused = False
        self._started = False
        self._final = False
        self.settled = threading.Event()   # the run's last event came: its closing checkpoint is on disk
        self.detached = False
        self.exit_code: int | None = None

    # ---- control ---------------------------------------------------------------------------------------
    def start(self, paused: bool = False) -> None:
        if self._started:
            raise RuntimeError("a Runner starts once; make a new one for a new run")
        self._started = True
        self._paused = paused
        self.worker.attach(self._on_frame)
        # the process sees what this one sees: families registered at run time, and where their modules are
        # (a frame of its own, first: the process unpickles a registered family's config only once it knows it)
        self._send("adopt", families=registrations(), sys_path=list(sys.path))
        self._send("start", config=self.config, run_dir=str(self.run_dir), resume=self.resume, paused=paused)

    def pause(self) -> int:
        self._paused = True
        return self._send("pause")

    def resume_training(self) -> int:
        self._paused = False
        return self._send("resume")

    def step(self, n: int = 1, phase: str | None = None) -> int:
        self._paused = True
        return self._send("step", n=int(n), phase=phase)

    def stop(self) -> int:
        return self._send("stop")

    def set_live(self, section: str, name: str, value) -> int:
        return self._send("set_live", section=section, name=name, value=value)

    def rollback(self, lr_factor: float = 0.5, resume: bool = True) -> int:
        if not 0.0 < lr_factor <= 1.0:
            raise ValueError(f"lr_factor must be above 0 and at most 1, got {lr_factor}")
        return self._send("rollback", lr_factor=lr_factor, resume=resume)

    def detach(self, timeout: float = 2.0) -> bool:
        """Let the process train on without this window: it stops sending and finishes headless."""
        cid = self._send("detach")
        acked = self.wait_ack(cid, timeout)
        self.detached = True
        self.worker.close_channel()
        return acked

    def kill(self) -> None:
        """End the process now (SIGKILL): the run folder keeps what its last checkpoint holds."""
        self.worker.kill()
        self.join(5.0)

    def wait_ack(self, cid: int, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._ack_cv:
            while cid not in self.acked:
                left = deadline - time.monotonic()
                if left <= 0 or self.worker.ended.is_set():
                    return cid in self.acked
                self._ack_cv.wait(min(left, 0.1))
        return True

    def join(self, timeout: float | None = None) -> bool:
        return self.finished.wait(timeout)

    def stop_and_join(self, timeout: float = 5.0) -> bool:
        self.stop()
        return self.join(timeout)

    def close(self, timeout: float = 2.0) -> bool:
        """Stop with a checkpoint and wait up to ``timeout`` for the run's last event; then close the
        channel. It waits for the run, not for the process: once the closing checkpoint is saved, what
        is left is the interpreter's own exit (measured 0.6-0.8 s with PyTorch loaded, against 20 ms for
        the stop and checkpoint of a small run), which the process, in its own session, finishes alone;
        as it does if its checkpoint needs longer than ``timeout``."""
        self.stop()
        ended = self.settled.wait(timeout)
        self.worker.close_channel()
        return ended

    @property
    def alive(self) -> bool:
        """Training: started, and neither its last event (finished, failed) came nor the process ended.
        The process itself may take a moment longer to exit; ``join`` waits for that."""
        return self._started and not self.finished.is_set() and not self._final

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def log_path(self) -> Path:
        return self.run_dir / LOG_NAME

    # ---- consumption -------------------------------------------------------------------------------------
    def poll(self, max_events: int = 10_000) -> list:
        return self._drain(self.events, self.mailbox, max_events)

    # ---- the channel ---------------------------------------------------------------------------------------
    def _send(self, op: str, **fields) -> int:
        cid = next(self._ids)
        with self._ack_cv:
            self._unacked += 1
        if not self.worker.send({"op": op, "id": cid, **fields}):
            with self._ack_cv:
                self._unacked -= 1
                self.acked[cid] = "the training process is gone"
                self._ack_cv.notify_all()
        return cid

    def _on_frame(self, frame) -> None:
        kind = frame[0]
        if kind == "ack":
            _, cid, op, paused, error = frame
            with self._ack_cv:
                self.acked[cid] = error
                self._unacked -= 1
                if self._unacked == 0:
                    self._paused = paused
                self._ack_cv.notify_all()
            if op in ("adopt", "start") and error:  # the process refused the run: say why, and let it end
                self._fail(f"the training process could not start the run: {error}", "")
                self.worker.close_channel()
        elif kind == "events":
            _, events, paused = frame
            for ev in events:
                if isinstance(ev, SnapshotPublished):   # weights came as arrays (no copy through pickle)
                    ev = SnapshotPublished(self._as_tensors(ev.snapshot))
                self._track(ev)
                if isinstance(ev, HEAVY_EVENTS):
                    self.mailbox.put(ev)
                else:
                    self.events.put(ev)
            if self._unacked == 0:
                self._paused = paused
        elif kind == "broken":
            self._fail(f"the training process could not start PyTorch: {frame[1]}", frame[2] if len(frame) > 2 else "")
        elif kind == "torn":
            self._fail(f"the training process's channel broke: {frame[1]}", "")
        elif kind == "ended":
            self.exit_code = frame[1]
            if not self._final and not self.detached:
                self._fail(f"the training process {describe_exit(frame[1])} at step {self.step_now:,}", "")
            with self._ack_cv:
                self._ack_cv.notify_all()
            self.settled.set()
            self.finished.set()

    def _track(self, ev) -> None:
        if isinstance(ev, StepCompleted):
            self.step_now, self.elapsed = ev.step, ev.elapsed
        elif isinstance(ev, RunStarted):
            self.step_now = ev.start_step
            if ev.start_step > 0:   # a continued run starts from a checkpoint
                self.last_checkpoint = ev.start_step
        elif isinstance(ev, (TrainingPaused, CheckpointSaved)):
            self.step_now = ev.step
            if isinstance(ev, CheckpointSaved):
                self.last_checkpoint = ev.step
        elif isinstance(ev, (TrainingFinished, TrainingFailed)):
            self._final = True
            self.settled.set()

    def _fail(self, message: str, tb: str) -> None:
        if self._final:
            return
        self._final = True
        tail = _tail(self.log_path) or _tail(self.worker.start_log)
        crash = write_crash_log(f"{message}\n\n{tb}\n--- {self.log_path} (last lines) ---\n{tail}",
                                context=f"training process {self.pid}")
        self.events.put(TrainingFailed(message=message, traceback=tb, crash_log=str(crash) if crash else None,
                                       step=self.step_now))
        self.settled.set()


def _tail(path: Path, limit: int = 20_000) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - limit))
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""
