"""The Setup's time budget: "about 1 / 5 / 30 minutes", sized for this machine by the engine.

Picking a budget asks ``engine.presets.plan_run`` for the family's network size, batch and schedule that
fit it on this machine. The steps per second of each candidate size come from the engine's calibration
cache; when a size has not been measured yet here, the measurement (a few training steps per size, a few
seconds in all) runs on a worker thread and the plan arrives by the ``plan_ready`` signal. The label under
the picker answers "how long will this take here?" before Train is pressed: the size chosen, the speed
measured, the steps that fit.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QLabel, QVBoxLayout, QWidget

from engine.models.registry import model_class
from gui.i18n import engine_word

BUDGET_CHOICES = ("", "1min", "5min", "30min")


class BudgetPicker(QWidget):
    plan_ready = Signal(object)          # an engine.presets.Plan
    _measured = Signal(object, int)      # (Plan or error text, request number) from the worker thread

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.combo = QComboBox()
        self.combo.setObjectName("budget_combo")
        labels = {"": self.tr("none (the settings below)"), "1min": self.tr("about 1 minute"),
                  "5min": self.tr("about 5 minutes"), "30min": self.tr("about 30 minutes")}
        for key in BUDGET_CHOICES:
            self.combo.addItem(labels[key], key)
        self.combo.setToolTip(self.tr("Size the model, batch and learning-rate schedule for this much training "
                                      "time on this machine (measured once per kind of data, and again while "
                                      "other programs keep the processor busy), and stop then."))
        layout.addWidget(self.combo)
        self.label = QLabel("")
        self.label.setObjectName("budget_estimate")
        self.label.setWordWrap(True)
        layout.addWidget(self.label)
        self._request = 0
        self._worker: threading.Thread | None = None
        self._measured.connect(self._on_measured)

    def budget(self) -> str:
        return self.combo.currentData() or ""

    def request(self, family: str | None, spec, device: str = "auto", threads: int = 0) -> None:
        """Size ``family`` for the chosen budget on data of ``spec`` (a DataSpec); nothing when no budget
        is chosen or nothing is known yet."""
        self._request += 1
        budget = self.budget()
        if not budget or not family or spec is None:
            self.label.setText("")
            return
        # lazy: engine.presets measures with PyTorch; this widget is built before the warm-up
        from engine.devices import set_torch_threads
        from engine.presets import budget_seconds, plan_run
        seconds = budget_seconds(budget)
        threads = set_torch_threads(threads)
        plan = plan_run(family, spec, seconds, device=device, threads=threads, measure=False)
        # every size measured on a quiet machine: no measurement; a busy one is measured again
        if not plan.candidate or (len(plan.rates) == len(model_sizes(family, spec)) and plan.busy_share is None):
            self._show(plan)
            return
        self.label.setText(self.tr("Measuring this machine's speed for {family} models (a few seconds)…")
                           .format(family=family))
        number = self._request

        def work():
            try:
                result = plan_run(family, spec, seconds, device=device, threads=threads)
            except Exception as e:  # shown in the label: a failed measurement leaves the settings alone
                result = str(e)
            self._measured.emit(result, number)

        self._worker = threading.Thread(target=work, name="genlab-calibration", daemon=True)
        self._worker.start()

    def wait(self, timeout: float = 60.0) -> None:
        """Wait for a measurement in flight (tests, closing the window)."""
        if self._worker is not None:
            self._worker.join(timeout)

    def _on_measured(self, result, number: int) -> None:
        if number != self._request:     # an older request: the person picked something else since
            return
        if isinstance(result, str):
            self.label.setText(self.tr("Could not measure this machine's speed: {error}").format(error=result))
            return
        self._show(result)

    def _show(self, plan) -> None:
        minutes = plan.budget_s / 60
        if plan.candidate and plan.rate:
            self.label.setText(self.tr("{minutes:g} min here: network '{size}', {rate:.1f} steps/s measured on this "
                                       "machine, about {steps:,} steps.")
                               .format(minutes=minutes, size=plan.candidate, rate=plan.rate, steps=plan.predicted_steps))
        else:
            self.label.setText(self.tr("{minutes:g} min of training with the {kind} preset.")
                               .format(minutes=minutes, kind=engine_word(plan.kind)))
        if plan.busy_share is not None:
            self.label.setText(self.label.text() + " " + self.tr(
                "Measured while other programs kept the processor busy (GenLab got {share:.0%} of it): when the "
                "machine is quiet, choosing again may give a larger network.").format(share=plan.busy_share))
        self.plan_ready.emit(plan)


def apply_plan(plan, family: str | None, model_form, train_form, log) -> None:
    """A budget's plan arrived: its model size and training settings go into the Setup dock's forms (when
    it is still for the family shown), its warnings and summary into the Log (``log(level, text)``)."""
    if plan.family != family or model_form is None:
        return
    for w in plan.warnings:
        log("warning", w)
    model_form.set_values({**model_form.values(), **plan.model})
    train_form.set_values({**train_form.values(), **plan.train})
    log("info", plan.summary())


def model_sizes(family: str, spec) -> tuple:
    return tuple(model_class(family).size_candidates(spec))
