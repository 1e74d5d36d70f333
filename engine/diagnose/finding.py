"""A detector's answer: what it saw, whether that is an alarm, the evidence and one thing to try.

Every detector returns a ``Finding``; ``genlab diagnose --json`` prints them as they are (``to_dict``),
the loop sends them to the window in a ``Diagnosed`` event, and the window shows the alarms in its
notice bar and the Log. Evidence holds plain JSON values only (floats rounded, non-finite ones None),
so a finding survives a run folder, a pipe and a notebook unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Finding:
    detector: str            # "memorization", "mode_collapse", "posterior_collapse", ...
    alarm: bool
    saw: str                 # one sentence: what the detector saw
    evidence: dict = field(default_factory=dict)
    advice: str = ""         # one thing to try (when there is an alarm; else what would raise one)

    def to_dict(self) -> dict:
        return {"detector": self.detector, "alarm": bool(self.alarm), "saw": self.saw,
                "evidence": plain(self.evidence), "advice": self.advice}


def plain(value):
    """``value`` as JSON: floats rounded to 6 significant digits, NaN and infinities as None, tuples
    and NumPy scalars as lists and numbers."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if hasattr(value, "item") and not isinstance(value, (int, float)):
        value = value.item()
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return float(f"{value:.6g}") if math.isfinite(value) else None
    return str(value)
