"""``Runner``: drives a ``Trainer`` on a background thread and hands its events to a consumer.

Light events (steps, logs, checkpoints) go on an unbounded queue in order. Heavy, latest-wins
payloads (sample grids, weight snapshots) go to a one-slot-per-kind mailbox that overwrites, so a
window that falls behind skips stale pictures instead of slowing training. Every method is safe to
call from any thread; the window calls them directly and drains with ``poll`` on a timer.
"""

from __future__ import annotations

import queue
import threading
import traceback

from engine.config import RunConfig
from engine.crash import write_crash_log
from engine.devices import set_torch_threads
from engine.errors import GenLabError
from engine.events import HEAVY_EVENTS, LogMessage, TrainingFailed, TrainingFinished
from engine.faults import is_out_of_memory, release_memory, smaller_batch
from engine.training.loop import Controls, Trainer


def drain(events: queue.Queue, mailbox: "Mailbox", max_events: int) -> list:
    """Up to ``max_events`` queued light events in order, then every unread heavy one (``poll`` of the
    in-process ``Runner`` and of ``ChildRunner`` alike)."""
    out = []
    try:
        while len(out) < max_events:
            out.append(events.get_nowait())
    except queue.Empty:
        pass
    out.extend(mailbox.take_all())
    return out


class Mailbox:
    """One slot per event type; a newer item replaces an unread older one."""

    def __init__(self):
        self._lock = threading.Lock()
        self._slots: dict[type, object] = {}

    def put(self, item) -> None:
        with self._lock:
            self._slots[type(item)] = item

    def take_all(self) -> list:
        with self._lock:
            items, self._slots = list(self._slots.values()), {}
        return items


class Runner:
    def __init__(self, config: RunConfig, run_dir=None, resume: bool = False, dataset=None,
                 trainer_factory=None):
        self.config = config
        self.run_dir = run_dir
        self.resume = resume
        self.dataset = dataset
        self.controls = Controls(interactive=True)
        self.events: queue.Queue = queue.Queue()
        self.mailbox = Mailbox()
        self.trainer: Trainer | None = None
        self._factory = trainer_factory or Trainer
        self._thread: threading.Thread | None = None
        self.finished = threading.Event()

    # ---- control (thread-safe) -------------------------------------------------------------------
    def start(self, paused: bool = False) -> None:
        if self._thread is not None:
            raise RuntimeError("a Runner starts once; make a new one for a new run")
        if paused:
            self.controls.request_pause()
        self._thread = threading.Thread(target=self._main, name="genlab-trainer", daemon=True)
        self._thread.start()

    def pause(self) -> None:
        self.controls.request_pause()

    def resume_training(self) -> None:
        self.controls.request_resume()

    def step(self, n: int = 1, phase: str | None = None) -> None:
        """``n`` steps, then pause; ``phase`` "d"/"g": one GAN player only (ignored by other families)."""
        self.controls.request_steps(n, phase)

    def stop(self) -> None:
        self.controls.request_stop()

    def set_live(self, section: str, name: str, value) -> None:
        self.controls.request_live_change(section, name, value)

    def rollback(self, lr_factor: float = 0.5, resume: bool = True) -> None:
        """Go back to the last good checkpoint, multiply the learning rate by ``lr_factor`` and, unless
        ``resume`` is False, continue (the answer to a non-finite loss). Done on the training thread;
        a ``RolledBack`` event and a log line follow, or an error line when there is no checkpoint."""
        if not 0.0 < lr_factor <= 1.0:
            raise ValueError(f"lr_factor must be above 0 and at most 1, got {lr_factor}")
        self.controls.request_rollback(lr_factor, resume)

    def join(self, timeout: float | None = None) -> bool:
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def stop_and_join(self, timeout: float = 5.0) -> bool:
        self.stop()
        return self.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def paused(self) -> bool:
        return self.controls.paused.is_set()

    @property
    def step_now(self) -> int:
        """The trainer's step (``ChildRunner`` mirrors the same from its process's events)."""
        return self.trainer.step if self.trainer is not None else 0

    # ---- consumption ---------------------------------------------------------------------------
    def poll(self, max_events: int = 10_000) -> list:
        """Everything available now: queued light events in order, then the latest heavy ones."""
        return drain(self.events, self.mailbox, max_events)

    # ---- the thread -------------------------------------------------------------------------------
    def _main(self) -> None:
        set_torch_threads(self.config.train.threads)
        try:
            self.trainer = self._factory(self.config, self.run_dir, dataset=self.dataset, resume=self.resume)
            for ev in self.trainer.events(self.controls):
                if isinstance(ev, HEAVY_EVENTS):
                    self.mailbox.put(ev)
                else:
                    self.events.put(ev)
        except GenLabError as e:
            self.events.put(LogMessage("error", str(e)))
            self.events.put(TrainingFailed(message=str(e), traceback="", crash_log=None,
                                           step=getattr(self.trainer, "step", None)))
        except Exception as e:
            if is_out_of_memory(e):  # building the model or moving the data: not a bug, say what to change
                release_memory(e)
                batch = getattr(self.trainer, "batch_size", self.config.train.batch_size)
                text = (f"out of memory while preparing the run: {str(e).splitlines()[0][:200]}. "
                        f"Use a smaller model or batch (train.batch_size={smaller_batch(batch)}).")
                self.events.put(LogMessage("error", text))
                self.events.put(TrainingFailed(message=text, traceback="", crash_log=None,
                                               step=getattr(self.trainer, "step", None)))
                return
            # a bug: keep the traceback in a crash log, tell the window
            tb = traceback.format_exc()
            log = write_crash_log(tb, context="training thread")
            self.events.put(TrainingFailed(message=f"{type(e).__name__}: {e}", traceback=tb,
                                           crash_log=str(log) if log else None,
                                           step=getattr(self.trainer, "step", None)))
        finally:
            self.finished.set()


__all__ = ["Runner", "Mailbox", "TrainingFinished"]
