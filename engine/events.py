"""Events the training loop emits: frozen, past-tense, and free of live tensors or modules.

Payloads are NumPy arrays and plain values; images are C-contiguous uint8. The window and the CLI
consume the same events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class RunStarted:
    run_dir: str
    family: str
    config: dict
    spec: dict
    device: str
    threads: int
    start_step: int
    total_steps: int
    time_limit: float


@dataclass(frozen=True)
class StepCompleted:
    """Losses averaged over the steps since the last report (``.item()`` is called only here)."""

    step: int
    elapsed: float            # seconds of training in this run, resumed runs included
    losses: dict[str, float]
    steps_per_second: float
    total_steps: int


@dataclass(frozen=True)
class SamplesReady:
    step: int
    kind: str                 # "image": uint8 grid (H, W) or (H, W, 3); "points": float32 (N, 2);
                              # "text": the generated strings (N,) of str
    data: np.ndarray
    path: str | None = None   # where the grid was written in the run's samples/
    seconds: float = 0.0      # time the draw took
    novel: np.ndarray | None = None  # text: bool (N,), True where a string is not a training line


@dataclass(frozen=True)
class SnapshotPublished:
    snapshot: Any             # engine.training.snapshot.Snapshot (immutable CPU copy of the weights)


@dataclass(frozen=True)
class EvaluationCompleted:
    step: int
    metrics: dict[str, Any]


@dataclass(frozen=True)
class CheckpointSaved:
    step: int
    path: str


@dataclass(frozen=True)
class LogMessage:
    level: str                # "info", "warning" or "error"
    text: str
    step: int | None = None


@dataclass(frozen=True)
class WriteFailed:
    """A write the run could not make (disk full, a folder made read-only); training goes on.

    Reported once per kind until that kind of write works again. The window reacts to this event
    (its notice strip); the human-readable line follows as a ``LogMessage`` for the Log and the CLI."""

    step: int
    what: str                 # "metrics", "samples", "status" or "checkpoint"
    path: str                 # the file or folder that could not be written
    error: str                # the system's reason ("No space left on device", ...)


@dataclass(frozen=True)
class TrainingPaused:
    step: int


@dataclass(frozen=True)
class TrainingResumed:
    step: int


@dataclass(frozen=True)
class NonFiniteLoss:
    step: int
    terms: tuple[str, ...]


@dataclass(frozen=True)
class RolledBack:
    """Training went back to the checkpoint at ``step`` (from ``from_step``) with learning rate ``lr``."""

    step: int
    from_step: int
    lr: float
    checkpoint: str


@dataclass(frozen=True)
class TrainingFinished:
    step: int
    reason: str               # "completed", "time limit", "stopped"
    metrics: dict[str, Any] = field(default_factory=dict)
    run_dir: str | None = None


@dataclass(frozen=True)
class TrainingFailed:
    message: str
    traceback: str
    crash_log: str | None = None
    step: int | None = None


HEAVY_EVENTS = (SamplesReady, SnapshotPublished)


@dataclass(frozen=True)
class Diagnosed:
    """The cheap detectors looked at the run at an evaluation moment (``engine.diagnose``).

    ``findings`` are ``Finding.to_dict()`` values (detector, alarm, saw, evidence, advice); ``new_alarms``
    names the detectors that alarm now and did not at the previous look (the window's notice bar shows
    those; each also comes as a warning ``LogMessage`` for the Log and the command line)."""

    step: int
    findings: tuple[dict, ...]
    new_alarms: tuple[str, ...] = ()
