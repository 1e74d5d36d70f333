"""Progress of data loading and downloads on stderr, ASCII only, as ``progress(done, total, text)``.

On a terminal one line is redrawn; piped to a file a line is printed when the phase changes and at
most every few seconds, so logs stay short. Byte counts (downloads) are shown in MB.
"""

from __future__ import annotations

import sys
import time


class DataProgress:
    def __init__(self, stream=None, interval: float = 5.0):
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = interval
        self._last_text = None
        self._last_time = 0.0
        self._open_line = False

    def _format(self, done: int, total: int, text: str) -> str:
        phase = text.split(" ")[0]
        if phase == "downloading":
            amount = f"{done / 1e6:.1f} of {total / 1e6:.1f} MB" if total else f"{done / 1e6:.1f} MB"
        else:
            amount = f"{done}/{total}" if total else f"{done}"
        if total:
            frac = min(1.0, done / total)
            bar = "#" * int(frac * 20) + "-" * (20 - int(frac * 20))
            return f"genlab: [{bar}] {100 * frac:5.1f}% {text} ({amount})"
        return f"genlab: {text}"

    def __call__(self, done: int, total: int, text: str) -> None:
        now = time.monotonic()
        phase = text.split(":")[0]
        changed = phase != self._last_text
        finished = total and done >= total
        if not self.tty and not changed and not finished and now - self._last_time < self.interval:
            return
        self._last_text, self._last_time = phase, now
        line = self._format(done, total, text)
        try:
            if self.tty:
                self.stream.write("\r" + line + "\x1b[K")
                self._open_line = True
            else:
                self.stream.write(line + "\n")
            self.stream.flush()
        except (OSError, ValueError):
            pass

    def close(self) -> None:
        if self.tty and self._open_line:
            try:
                self.stream.write("\n")
                self.stream.flush()
            except (OSError, ValueError):
                pass
            self._open_line = False
