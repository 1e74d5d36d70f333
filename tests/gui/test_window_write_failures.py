"""A failed write reaches the window as a ``WriteFailed`` event (issue 14): the notice strip reacts to the
event's type and fields, never to the wording of a log line.

The events travel the real way: a ``Runner``'s queue (which its training thread fills; the runner is
not started here so the test decides what arrives), drained by the window's ``EngineBridge``. That real
training produces these events for real failures is tests/engine/test_recorder.py; that a failure
during a run in the window shows in the notice is tests/gui/test_runs_window.py."""

from __future__ import annotations

from engine.events import LogMessage, WriteFailed
from engine.training.runner import Runner
from tests.engine.runs_helpers import tiny_config


def test_the_notice_follows_write_failed_events_and_ignores_the_log_lines_wording(make_window, qtbot):
    w = make_window()
    runner = Runner(tiny_config("vae"), None)
    got = []
    w.bridge.write_failed.connect(got.append)
    w.bridge.attach(runner)
    try:
        line = "could not append to /runs/a/metrics.jsonl: No space left on device; training continues"
        runner.events.put(LogMessage("error", line, 5))
        w.bridge.drain()
        assert line in w.log_dock.text()                     # the Log shows the line ...
        assert not w.notice.isVisible() and got == []         # ... and its wording alone does nothing else

        failure = WriteFailed(5, "metrics", "/runs/a/metrics.jsonl", "No space left on device")
        runner.events.put(failure)
        runner.events.put(LogMessage("error", line, 5))
        w.bridge.drain()
        assert got == [failure]
        assert w.notice.isVisible() and w.notice.label.text() == line   # the window's own (translated) text

        w.notice.dismiss()
        runner.events.put(WriteFailed(9, "checkpoint", "/runs/a/checkpoints", "File too large"))
        w.bridge.drain()
        assert w.notice.label.text() == ("could not save a checkpoint at step 9 in /runs/a/checkpoints: File too "
                                         "large; training continues and earlier checkpoints are intact")

        w.notice.dismiss()
        qtbot.waitUntil(lambda: not w.notice.isVisible(), timeout=5_000)
        runner.events.put(WriteFailed(12, "status", "/runs/a/status.json", "Read-only file system"))
        w.bridge.drain()
        assert len(got) == 3 and not w.notice.isVisible()     # status.json serves the runs list: logged only
    finally:
        w.bridge.detach()
