"""Taking a run back from the process that trains it on this machine.

A window closed with "keep training in the background" leaves a detached ``genlab train --resume``;
a person may also have started one in a terminal. Reopened, the window follows such a run but cannot
drive it, and continuing it here would find its folder locked. ``stop_training_elsewhere`` asks that
process to stop the way Ctrl+C does (SIGTERM: the loop saves a checkpoint, marks the run stopped and
exits) and waits until the run's lock is free, so the caller can resume it from that checkpoint with
nothing lost. It only signals a process it can identify: the pid ``status.json`` names, on this host,
while the run's lock is held.
"""

from __future__ import annotations

import os
import platform
import signal
import time
from pathlib import Path

from engine.errors import GenLabError
from engine.runs.status import live_state, lock_state, read_status

WAIT_S = 120.0        # a step, a checkpoint and the interpreter's exit; a big model's step can be long


def training_owner(run_dir: str | Path) -> int | None:
    """The pid of the process on this machine that trains ``run_dir`` now, or None when none does (or
    it is not one this process could ask: another machine, no pid, or a system without signals)."""
    status = read_status(run_dir)
    if status is None or live_state(run_dir, status) not in ("running", "paused"):
        return None
    pid = status.get("pid")
    if os.name != "posix" or status.get("host") != platform.node() or not isinstance(pid, int) or pid <= 0:
        return None
    return pid if pid != os.getpid() else None


def stop_training_elsewhere(run_dir: str | Path, timeout: float = WAIT_S, poll: float = 0.2) -> int:
    """Stop the other process training ``run_dir`` and wait for it to let go; returns its pid.
    ``GenLabError`` says why not: no such process here, or it did not stop within ``timeout``."""
    run = Path(run_dir)
    if os.name != "posix":
        raise GenLabError(f"{run}: another process may be training this run; on this system GenLab cannot "
                          "ask it to stop: stop it where it runs (Ctrl+C in its terminal), then continue")
    pid = training_owner(run)
    if pid is None:
        raise GenLabError(f"{run}: no process on this machine is training this run (it may run on another "
                          "machine, or have ended); stop it where it runs")
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass                                   # it ended meanwhile: the lock check below settles it
    except PermissionError:
        raise GenLabError(f"{run}: process {pid} trains this run but belongs to another user; "
                          "stop it from its own terminal") from None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lock_state(run) is False:
            return pid
        time.sleep(poll)
    raise GenLabError(f"{run}: process {pid} was asked to stop but still holds the run after "
                      f"{timeout:.0f} s; it may be in a long step or evaluation. Try again, or end it "
                      f"yourself (kill {pid})")
