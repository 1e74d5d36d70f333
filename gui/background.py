"""Run engine calls off the GUI thread and hand their results back as Qt signals.

Listing runs, opening one (its curves can be megabytes), comparing runs (loads every model and draws
samples), forking and exporting all take from milliseconds to many seconds; none of it may freeze the
window. ``BackgroundTasks.submit(name, fn, ...)`` runs ``fn`` on a thread named ``genlab-task-<name>``
and emits ``finished(name, result)`` or ``failed(name, message)`` on the GUI thread (the signals cross
threads as queued connections because this object lives on the GUI thread). A newer task of the same
name makes an older one's result stale: it is dropped, latest request wins, as in ``DatasetLoader``.

A ``GenLabError`` is the person's problem and its message is shown as it is; anything else is a bug,
written to a crash log, and reported in one line that names the log.
"""

from __future__ import annotations

import threading
import traceback

from PySide6.QtCore import QObject, Signal

from engine.crash import write_crash_log
from engine.errors import GenLabError


class BackgroundTasks(QObject):
    finished = Signal(str, object)   # name, result
    failed = Signal(str, str)        # name, message

    def __init__(self, parent=None):
        super().__init__(parent)
        self._lock = threading.Lock()
        self._tokens: dict[str, int] = {}
        self._threads: list[threading.Thread] = []

    def submit(self, name: str, fn, *args, **kwargs) -> None:
        """Run ``fn(*args, **kwargs)`` on a thread; its result (or error) arrives as a signal."""
        with self._lock:
            token = self._tokens.get(name, 0) + 1
            self._tokens[name] = token
        thread = threading.Thread(target=self._run, args=(name, token, fn, args, kwargs),
                                  name=f"genlab-task-{name}", daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def busy(self, name: str | None = None) -> bool:
        """Whether a task (of ``name``, or any) is still running."""
        prefix = f"genlab-task-{name}" if name else "genlab-task-"
        return any(t.is_alive() and t.name.startswith(prefix) for t in self._threads)

    def forget(self, name: str) -> None:
        """Drop the result of a task of this name that is still running."""
        with self._lock:
            self._tokens[name] = self._tokens.get(name, 0) + 1

    def join(self, timeout: float = 5.0) -> bool:
        for t in list(self._threads):
            t.join(timeout)
        return not any(t.is_alive() for t in self._threads)

    def _current(self, name: str, token: int) -> bool:
        with self._lock:
            return self._tokens.get(name) == token

    def _run(self, name: str, token: int, fn, args, kwargs) -> None:
        try:
            result = fn(*args, **kwargs)
        except GenLabError as e:
            if self._current(name, token):
                self.failed.emit(name, str(e))
            return
        except Exception as e:  # a bug: crash log, one line for the person, the window stays alive
            # lazy: engine.faults loads PyTorch, kept out of the window's first paint
            from engine.faults import is_out_of_memory
            if is_out_of_memory(e):
                message = self.tr("out of memory while {task}: close other runs or use a smaller model").format(
                    task=name.replace('-', ' '))
            else:
                log = write_crash_log(traceback.format_exc(), context=f"window task {name}")
                message = f"{type(e).__name__}: {e}" + (self.tr(" (details in {path})").format(path=log) if log else "")
            if self._current(name, token):
                self.failed.emit(name, message)
            return
        if self._current(name, token):
            self.finished.emit(name, result)
