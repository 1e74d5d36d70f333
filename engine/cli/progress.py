"""A progress bar on stderr that is safe everywhere: ASCII only, no terminal assumptions.

On a terminal it redraws one line; piped to a file it prints a line every few seconds, so logs stay
readable and a C locale never meets a character it cannot encode.
"""

from __future__ import annotations

import sys
import time


def _fmt_time(seconds: float) -> str:
    if seconds != seconds or seconds == float("inf"):
        return "--:--"
    seconds = int(seconds)
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


class ProgressBar:
    def __init__(self, total: int, time_limit: float = 0.0, stream=None, width: int = 24):
        self.total, self.time_limit = total, time_limit
        self.stream = stream or sys.stderr
        self.width = width
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_print = 0.0
        self._shown = False

    def update(self, step: int, elapsed: float, steps_per_s: float, loss: float | None, force: bool = False):
        now = time.monotonic()
        if not force and now - self._last_print < (0.2 if self.tty else 5.0):
            return
        self._last_print = now
        if self.time_limit:
            frac = min(1.0, elapsed / self.time_limit) if self.time_limit else 0.0
            eta = max(0.0, self.time_limit - elapsed)
        else:
            frac = min(1.0, step / max(1, self.total))
            eta = (self.total - step) / steps_per_s if steps_per_s > 0 else float("nan")
        filled = int(frac * self.width)
        bar = "#" * filled + "-" * (self.width - filled)
        total = "?" if self.time_limit else str(self.total)
        loss_text = f" loss {loss:.4g}" if loss is not None else ""
        line = (f"[{bar}] {100 * frac:5.1f}% step {step}/{total} {steps_per_s:7.1f} it/s "
                f"ETA {_fmt_time(eta)}{loss_text}")
        try:
            if self.tty:
                self.stream.write("\r" + line + "\x1b[K")
            else:
                self.stream.write(line + "\n")
            self.stream.flush()
            self._shown = True
        except (OSError, ValueError):
            pass

    def message(self, text: str) -> None:
        try:
            if self.tty and self._shown:
                self.stream.write("\r\x1b[K")
            self.stream.write(text + "\n")
            self.stream.flush()
        except (OSError, ValueError):
            pass

    def close(self) -> None:
        if self.tty and self._shown:
            try:
                self.stream.write("\n")
                self.stream.flush()
            except (OSError, ValueError):
                pass
