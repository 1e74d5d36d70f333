"""Progress and cancellation for long loads, as plain callables a window or the CLI can pass in.

``progress(done, total, text)`` is called at most every ``min_interval`` seconds (and always at the
end of a phase), so a loader can report every file without flooding a window's event queue;
``cancelled() -> bool`` is polled between files and chunks. Loading stays in-process: the caller
runs it in whatever thread it likes.
"""

from __future__ import annotations

import time
from typing import Callable

from engine.errors import DataError

ProgressFn = Callable[[int, int, str], None]
CancelledFn = Callable[[], bool]


class LoadCancelled(DataError):
    """The person cancelled a load or a download; nothing was half-written into the cache."""


class Reporter:
    """Throttled progress plus a cancellation check; both callbacks are optional."""

    def __init__(self, progress: ProgressFn | None = None, cancelled: CancelledFn | None = None,
                 min_interval: float = 0.1):
        self.progress = progress
        self.cancelled = cancelled
        self.min_interval = min_interval
        self._last = 0.0

    def update(self, done: int, total: int, text: str, force: bool = False) -> None:
        if self.progress is None:
            return
        now = time.monotonic()
        if force or done >= total or now - self._last >= self.min_interval:
            self._last = now
            self.progress(int(done), int(total), text)

    def check(self, what: str = "loading") -> None:
        """Raise ``LoadCancelled`` if the person asked to stop."""
        if self.cancelled is not None and self.cancelled():
            raise LoadCancelled(f"{what} cancelled")

    def step(self, done: int, total: int, text: str) -> None:
        """The usual pair inside a loop: check for cancellation, then report."""
        self.check()
        self.update(done, total, text)


def as_reporter(progress=None, cancelled=None) -> Reporter:
    if isinstance(progress, Reporter):
        return progress
    return Reporter(progress, cancelled)
