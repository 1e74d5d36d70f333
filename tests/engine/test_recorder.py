"""``RunRecorder`` (issue 14): failed writes are typed ``WriteFailed`` events, one per kind until that kind
of write works again, each followed by the line the Log and the CLI show; and the status says how a run
ended when its consumer stops reading.

The failures are real: RLIMIT_FSIZE makes the kernel refuse every write that would make a file larger
than a byte (EFBIG), for root too, so the metrics append, the status file, the sample picture and the
checkpoint all fail while it is set."""

from __future__ import annotations

import json
import resource
import signal
from collections import Counter

import pytest

from engine.events import LogMessage, StepCompleted, TrainingFinished, WriteFailed
from engine.runs.status import lock_state, read_status
from engine.training.loop import Controls, Trainer
from tests.engine.runs_helpers import tiny_config


@pytest.fixture
def file_size_limit():
    """``limit(n)`` refuses writes past n bytes; ``limit(None)`` lifts it; restored at the end."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    def limit(n):
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft if n is None else n, hard))
    yield limit
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    signal.signal(signal.SIGXFSZ, previous)


def test_failed_writes_are_reported_once_per_kind_until_that_kind_works_again(tmp_path, file_size_limit):
    cfg = tiny_config("vae", steps=70, log_every=5, checkpoint_every=10, sample_every=10, sample_budget=1.0,
                      eval_every=10)
    run = tmp_path / "run"
    trainer = Trainer(cfg, run)
    events = []
    for ev in trainer.events(Controls(interactive=False)):
        events.append(ev)
        if isinstance(ev, StepCompleted) and ev.step in (20, 45):
            file_size_limit(1)       # steps 20-40 (all kinds) and 45-50 (the metrics record at 50 only)
        if isinstance(ev, StepCompleted) and ev.step in (40, 50):
            file_size_limit(None)

    assert isinstance(events[-1], TrainingFinished) and events[-1].reason == "completed"
    failed = [e for e in events if isinstance(e, WriteFailed)]
    # each kind once in the first window although each failed again and again; in the second window
    # the metrics record fails again, reported again because metrics had been written in between
    assert Counter(e.what for e in failed) == {"metrics": 2, "samples": 1, "status": 1, "checkpoint": 1}
    paths = {e.what: e.path for e in failed}
    assert paths == {"metrics": str(run / "metrics.jsonl"), "samples": str(run / "samples"),
                     "status": str(run / "status.json"), "checkpoint": str(run / "checkpoints")}
    assert all(e.error and 20 <= e.step <= 50 for e in failed)
    # each event is followed by its line for the Log and the CLI, worded as before
    lines = {"metrics": ("error", "could not append to"), "samples": ("error", "could not write samples to"),
             "status": ("warning", "could not update"), "checkpoint": ("error", "could not save a checkpoint")}
    for i, e in enumerate(events):
        if isinstance(e, WriteFailed):
            line = events[i + 1]
            level, start = lines[e.what]
            assert isinstance(line, LogMessage) and line.level == level and line.text.startswith(start)
            assert e.path in line.text and e.error in line.text and "training continues" in line.text
    # written again once the disk had room: the end of the run is on record
    assert read_status(run)["state"] == "finished"
    records = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines() if x.startswith("{")]
    assert records[-1]["event"] == "finished" and records[-1]["step"] == 70


def test_a_consumer_that_stops_reading_leaves_the_run_stopped_and_unlocked(tmp_path):
    cfg = tiny_config("vae", steps=1000, log_every=5)
    run = tmp_path / "run"
    events = Trainer(cfg, run).events(Controls(interactive=False))
    for ev in events:
        if isinstance(ev, StepCompleted):
            assert read_status(run)["state"] == "running"
            break
    events.close()
    status = read_status(run)
    assert status["state"] == "stopped" and status["reason"] == "closed"
    assert not lock_state(run)               # nobody holds the run: it may be resumed or forked
