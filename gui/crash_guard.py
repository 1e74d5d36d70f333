"""Unhandled exceptions in the window become a crash log and a notice, never a dead window.

PySide6 hands an exception raised in a slot, a timer callback or a virtual override (``paintEvent``)
to ``sys.excepthook`` and carries on, so replacing that hook is enough to catch "anywhere in the
window". Python threads the window starts (warm-up, data loading) go through ``threading.excepthook``.
The traceback is written to a file with ``engine.crash.write_crash_log``; the person sees one line
and the log's path. A paint method that fails on every frame would write a log per frame, so each
distinct failure is logged once and the total is capped.
"""

from __future__ import annotations

import sys
import threading
import traceback

from PySide6.QtCore import QObject, Signal

from engine.crash import write_crash_log

MAX_LOGS_PER_SESSION = 20


class CrashGuard(QObject):
    """Installs the hooks; ``crashed(summary, log_path)`` is emitted on the GUI thread."""

    crashed = Signal(str, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._seen: set[str] = set()
        self._count = 0
        self._previous = None
        self._previous_thread = None
        self._handling = False
        self.logs: list[str] = []

    def install(self) -> None:
        if self._previous is not None:
            return
        self._previous = sys.excepthook
        self._previous_thread = threading.excepthook
        sys.excepthook = self._on_exception
        threading.excepthook = self._on_thread_exception

    def uninstall(self) -> None:
        if self._previous is None:
            return
        if sys.excepthook == self._on_exception:
            sys.excepthook = self._previous
        if threading.excepthook == self._on_thread_exception:
            threading.excepthook = self._previous_thread
        self._previous = self._previous_thread = None

    # ---- hooks ----------------------------------------------------------------------------------
    def _on_thread_exception(self, args) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "a thread"
        self.handle(args.exc_type, args.exc_value, args.exc_traceback, context=f"window thread {name}")

    def _on_exception(self, exc_type, exc_value, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc_value, tb)
            return
        self.handle(exc_type, exc_value, tb, context="window")

    def handle(self, exc_type, exc_value, tb, context: str = "window") -> str | None:
        """Write the crash log (once per distinct failure) and announce it; returns the log's path."""
        if self._handling:  # a failure while reporting a failure: fall back to stderr
            sys.__excepthook__(exc_type, exc_value, tb)
            return None
        self._handling = True
        try:
            text = "".join(traceback.format_exception(exc_type, exc_value, tb))
            where = traceback.extract_tb(tb)[-1] if tb is not None else None
            key = f"{exc_type.__name__}:{where.filename}:{where.lineno}" if where else text
            summary = f"{exc_type.__name__}: {exc_value}"
            if key in self._seen or self._count >= MAX_LOGS_PER_SESSION:
                return None
            self._seen.add(key)
            self._count += 1
            path = write_crash_log(text, context=context)
            path_text = str(path) if path else ""
            if path_text:
                self.logs.append(path_text)
            print(f"genlab: unexpected error in the {context}: {summary}"
                  + (f" (details in {path_text})" if path_text else ""), file=sys.stderr)
            self.crashed.emit(summary, path_text)
            return path_text
        finally:
            self._handling = False
