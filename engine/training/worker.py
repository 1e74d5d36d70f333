"""The training process's side: ``genlab worker`` runs one ``Runner`` and talks to the window.

The window starts this program again with the hidden ``worker`` command (``engine.training.child``).
It loads PyTorch and the engine first and says ``ready``, so a window can keep one warm and the
first Train starts at once. Then it waits for one ``start`` frame (config, run folder, resume,
paused), trains with the same ``Runner`` the command line and tests use, and obeys the window's
commands (pause, resume, step, stop, live changes, rollback, detach), acknowledging each. A
forwarding thread moves the runner's events to stdout every ``FORWARD_S``; heavy ones are already
latest-wins in the runner's mailbox, so a slow window costs the training thread nothing.

stdout is the channel: the real descriptor is kept for frames and descriptor 1 is pointed at
stderr, so a stray ``print`` (or a C library's) cannot tear a frame. stderr goes to ``worker.log``
in the run folder once the run is known, with ``faulthandler`` on, so a native abort leaves its
stack there. If the window goes away without ``detach`` (its stdin ends), the run stops and saves a
checkpoint; after ``detach`` it trains on headless to its end, writing only the run folder.
"""

from __future__ import annotations

import faulthandler
import os
import signal
import sys
import threading
import traceback
from pathlib import Path

from engine.events import LogMessage, SnapshotPublished
from engine.models.registry import families, register_family
from engine.training.channel import UNSENDABLE, read_frame, unsendable, write_frame

FORWARD_S = 0.02
LOG_NAME = "worker.log"
COMMANDS = ("pause", "resume", "step", "stop", "set_live", "rollback", "detach")


class Worker:
    def __init__(self, inp, out):
        self.inp, self.out = inp, out
        self.runner = None
        self.detached = False
        self._write_lock = threading.Lock()
        self._forwarder: threading.Thread | None = None

    def send(self, obj) -> None:
        if self.detached:
            return
        try:
            with self._write_lock:
                write_frame(self.out, obj)
        except (BrokenPipeError, OSError, ValueError):  # the window is gone: train on, tell no one
            self.detached = True

    # ---- commands ---------------------------------------------------------------------------------
    def serve(self) -> int:
        """Commands until the run has started (on this thread), then on a thread of their own while
        this one waits for the run and its last events; returns the process's exit status."""
        while self.runner is None:
            frame = read_frame(self.inp)
            if frame is None:  # the window went away before giving a run
                return 0
            self.handle(frame)
        threading.Thread(target=self.obey, name="genlab-commands", daemon=True).start()
        self.runner.join()
        self._forwarder.join()
        return 0

    def obey(self) -> None:
        while True:
            try:
                frame = read_frame(self.inp)
            except Exception:  # noqa: BLE001 - a torn channel is a closed one
                frame = None
            if frame is None:  # the window closed the channel (or died): stop unless told to go on
                if not self.detached:
                    self.runner.stop()
                return
            self.handle(frame)

    def handle(self, frame: dict) -> None:
        op, cid = frame.get("op"), frame.get("id")
        try:
            if op == "adopt":   # before "start": families registered in the window, and its module path
                adopt(frame.get("sys_path") or [], frame.get("families") or {})
                self.send(("ack", cid, op, False, None))
                return
            if op == "start":
                self.start(frame)
            elif op not in COMMANDS:
                raise ValueError(f"unknown command {op!r}")
            elif self.runner is None:
                raise RuntimeError(f"{op} before start")
            elif op == "pause":
                self.runner.pause()
            elif op == "resume":
                self.runner.resume_training()
            elif op == "step":
                self.runner.step(int(frame.get("n", 1)), frame.get("phase"))
            elif op == "stop":
                self.runner.stop()
            elif op == "set_live":
                self.runner.set_live(frame["section"], frame["name"], frame["value"])
            elif op == "rollback":
                self.runner.rollback(frame.get("lr_factor", 0.5), frame.get("resume", True))
            elif op == "detach":
                self.send(("ack", cid, op, self.runner.paused, None))
                self.detached = True
                return
        except Exception as e:  # noqa: BLE001 - a refused command is answered, never fatal
            self.send(("ack", cid, op, self.runner.paused if self.runner else False, f"{type(e).__name__}: {e}"))
            return
        self.send(("ack", cid, op, self.runner.paused, None))

    def start(self, frame: dict) -> None:
        # lazy: loaded by warm_up() already; named here so this module imports without PyTorch
        from engine.training.runner import Runner
        if self.runner is not None:
            raise RuntimeError("this process trains one run; start another for the next")
        run_dir = frame.get("run_dir")
        if run_dir is not None:
            Path(run_dir).mkdir(parents=True, exist_ok=True)
            log_to(Path(run_dir) / LOG_NAME)
        self.runner = Runner(frame["config"], run_dir, resume=bool(frame.get("resume")))
        self.runner.start(paused=bool(frame.get("paused")))
        self._forwarder = threading.Thread(target=self.forward, name="genlab-forward", daemon=True)
        self._forwarder.start()

    # ---- events -------------------------------------------------------------------------------------
    def send_events(self, events: list, paused: bool) -> None:
        # lazy: loaded with the runner already (PyTorch); this module imports without it
        from engine.training.snapshot import as_arrays
        events = [SnapshotPublished(as_arrays(ev.snapshot)) if isinstance(ev, SnapshotPublished) else ev
                  for ev in events]
        try:
            self.send(("events", events, paused))
        except UNSENDABLE:  # one event that cannot cross: the rest still do, and the Log says why
            for ev in events:
                why = unsendable(ev)
                if why is not None:
                    ev = LogMessage("error", f"the window cannot be shown {type(ev).__name__}: {why}")
                self.send(("events", [ev], paused))

    def forward(self) -> None:
        runner = self.runner
        while True:
            done = runner.finished.is_set()
            events = runner.poll()
            if events and not self.detached:
                self.send_events(events, runner.paused)
            if done and not events:
                break
            if not events:
                runner.finished.wait(FORWARD_S)
        self.send(("exit", None))


def adopt(paths: list[str], registered: dict) -> None:
    """Look where the window looks: its module search path (appended, not replacing ours) and the families
    it registered at run time (by module name; imported on first use, as there)."""
    sys.path.extend(p for p in paths if p not in sys.path)
    known = set(families())
    for family, (module, model_class, config_class) in registered.items():
        if family not in known:
            register_family(family, module, model_class, config_class)


def log_to(path: Path) -> None:
    """Point descriptors 1 and 2 at ``path`` (appending), with Python's tracebacks and faulthandler's."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    sys.stderr.flush()
    os.dup2(fd, 2)
    os.dup2(fd, 1)
    os.close(fd)
    faulthandler.enable(sys.stderr)


def warm_up() -> None:
    """Load what a first run needs before saying ready: PyTorch, the training engine, every family's
    module, and one optimiser step (the first one costs over a second: lazy imports inside PyTorch)."""
    # lazy: the worker's whole point is loading these before the first command arrives
    import torch

    import engine.training.runner  # noqa: F401
    from engine.data import builtin_names  # noqa: F401
    from engine.models.registry import families, model_class
    for family in families():
        try:
            model_class(family)
        except Exception:  # noqa: BLE001 - a broken family fails when asked for, with its own message
            pass
    model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(32, 2, generator=torch.Generator().manual_seed(0))
    loss = (model(x) - x).pow(2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


def worker_main(argv: list[str] | None = None) -> int:
    """``genlab worker``: the window's training process (not for people: it speaks frames on stdin/stdout)."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)          # from here, descriptor 1 (print, C libraries) is stderr, not the channel
    inp = os.fdopen(os.dup(0), "rb")
    faulthandler.enable(sys.stderr)
    worker = Worker(inp, out)

    def on_term(_signum, _frame):  # SIGTERM: stop with a checkpoint, as the command line does
        if worker.runner is not None:
            worker.runner.stop()
        else:
            os._exit(0)
    signal.signal(signal.SIGTERM, on_term)
    try:
        warm_up()
    except Exception as e:  # noqa: BLE001 - a broken install: tell the window, then end
        worker.send(("broken", f"{type(e).__name__}: {e}", traceback.format_exc()))
        return 1
    worker.send(("ready", os.getpid()))
    return worker.serve()
