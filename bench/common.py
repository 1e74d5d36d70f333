"""Helpers shared by the benchmarks: table printing and the JSON last line."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results"


def print_table(headers: list[str], rows: list[list]) -> None:
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print("  ".join(c.rjust(w) for c, w in zip(row, widths)))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def emit_json(obj: dict, name: str | None = None) -> None:
    """The benchmark's last line: one JSON object (also saved under bench/results/ when named)."""
    text = json.dumps(obj, sort_keys=False)
    if name:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"{name}.json").write_text(json.dumps(obj, indent=2) + "\n")
    print(text, flush=True)


def wait_until(app, predicate, timeout: float, slice_ms: int = 10, nap: float = 0.002) -> bool:
    """Run ``app``'s event loop in slices of ``slice_ms`` (sleeping ``nap`` between them) until ``predicate()``
    holds (True) or ``timeout`` seconds pass (False). The window benchmarks wait on it for a run's state."""
    from PySide6.QtCore import QEventLoop
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, slice_ms)
        time.sleep(nap)
    return True
