"""The loop's eyes on its own run: the cheap detectors of ``engine.diagnose`` at evaluation moments.

``Watch`` keeps the run's recent training records (the same values ``metrics.jsonl`` receives) and,
when the loop evaluates, asks ``live_findings`` what they and the model show: copying (the run-level
share of samples nearer the training set than held-out data is), gradients, a loss that stopped
moving, the posterior and the critic where the family declares them, mode coverage of 2D data. Every
look logs one info line (each detector's verdict and the copying figure); an alarm raised for the
first time becomes a warning ``LogMessage`` (the Log, the command line) and a ``Diagnosed`` event
(the window's notice bar). Looking draws from its own seeded generator, so it never changes what is
learned; a detector that fails is reported and training goes on.
"""

from __future__ import annotations

from engine.diagnose.detectors import live_findings
from engine.diagnose.memorization import MIN_HELD_OUT, references
from engine.diagnose.titles import DETECTOR_TITLES
from engine.errors import Interrupted
from engine.events import Diagnosed, LogMessage
from engine.i18n import QT_TRANSLATE_NOOP, joined, message

MAX_RECORDS = 5000


class Watch:
    def __init__(self):
        self.records: list[dict] = []
        self._alarms: set[str] = set()
        self._refs = None               # the memorisation yardstick, built at the first look

    def record(self, step: int, values: dict[str, float]) -> None:
        self.records.append({"event": "train", "step": step, **values})
        if len(self.records) > MAX_RECORDS:
            del self.records[: len(self.records) - MAX_RECORDS]

    def forget_after(self, step: int) -> None:
        """A rollback undid the steps after ``step``: their records no longer describe the run."""
        self.records = [r for r in self.records if r["step"] <= step]

    def look(self, model, dataset, step: int, samples=None, n: int | None = None) -> list:
        """The events of one look: warnings for new alarms, then ``Diagnosed`` (nothing if it failed).
        ``samples`` already drawn at this moment, or ``n`` to draw (0: the sample-based detectors skip
        this look; None: the detectors' own count)."""
        try:
            if self._refs is None and len(dataset.x_test) >= MIN_HELD_OUT:
                self._refs = references(dataset, None)
            found = live_findings(model, dataset, self.records, refs=self._refs, samples=samples, n=n)
        except Interrupted:
            raise
        except Exception as e:  # a detector's failure must not end the run it watches
            return [LogMessage("warning", message(QT_TRANSLATE_NOOP(
                "engine", "the run's detectors could not look at step {step}: {error}"), step=step,
                error=f"{type(e).__name__}: {e}"), step)]
        alarms = {f.detector for f in found if f.alarm}
        new = [f for f in found if f.alarm and f.detector not in self._alarms]
        self._alarms = alarms
        events = [LogMessage("warning", message(QT_TRANSLATE_NOOP("engine", "{detector} at step {step}: {saw}. Try: {advice}"),
                                                detector=_title(f.detector), step=step, saw=f.saw, advice=f.advice), step)
                  for f in new]
        summary = joined([message(QT_TRANSLATE_NOOP("engine", "{detector} ALARM") if f.alarm else
                                  QT_TRANSLATE_NOOP("engine", "{detector} ok"), detector=_title(f.detector))
                          for f in found], ", ")
        line = message(QT_TRANSLATE_NOOP("engine", "detectors at step {step}: {summary}"), step=step, summary=summary)
        copying = next((f.saw for f in found if f.detector == "memorization"), "")
        events.append(LogMessage("info", joined([line, copying]) if copying else line, step))
        events.append(Diagnosed(step, tuple(f.to_dict() for f in found), tuple(f.detector for f in new)))
        return events


def _title(detector: str):
    """The detector's name as a person reads it, translatable inside a log line."""
    return message(DETECTOR_TITLES.get(detector, detector))
