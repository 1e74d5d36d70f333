"""Fork dialog: a new run from one of a run's checkpoints, with changed settings.

The forms are the setup dock's (generated from the config dataclasses) filled with the parent's
config; what the person changes becomes ``--set`` assignments for ``engine.runs.fork.fork_run``,
which checks them: the data and the family stay the parent's, and model settings that change the
weights' shapes are refused with a message naming the setting. The fork records its parent.
"""

from __future__ import annotations

import dataclasses
import json

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QLabel,
                               QScrollArea, QSpinBox, QVBoxLayout, QWidget)

from engine.config import TrainConfig
from engine.models.registry import config_class
from engine.runs.command import set_value_text
from gui.widgets.knob_form import KnobForm

FORK_TRAIN_EXCLUDE = ("steps", "time_limit", "device", "threads")  # the fork's length is its own row


class ForkDialog(QDialog):
    def __init__(self, run_name: str, config, checkpoints: list[int], parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Fork {run_name}").format(run_name=run_name))
        self.setObjectName("fork_dialog")
        self.config = config
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("A new run that starts from a checkpoint of <b>{run_name}</b> ({family} on {name}) and records it as its parent. The data and the family stay; model settings that change the weights' shapes cannot change in a fork.").format(run_name=run_name, family=config.family, name=config.data.name))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        top = QFormLayout()
        self.checkpoint_combo = QComboBox()
        self.checkpoint_combo.setObjectName("fork_checkpoint")
        for step in sorted(checkpoints, reverse=True):
            self.checkpoint_combo.addItem(self.tr("step {step:,}").format(step=step), step)
        top.addRow(self.tr("From checkpoint"), self.checkpoint_combo)
        self.steps_spin = QSpinBox()
        self.steps_spin.setObjectName("fork_steps")
        self.steps_spin.setRange(1, 100_000_000)
        self.steps_spin.setValue(max(1, min(config.train.steps, 100_000_000)))
        self.steps_spin.setSuffix(self.tr(" steps"))
        self.steps_spin.setToolTip(self.tr("How many steps the fork trains after the checkpoint"))
        top.addRow(self.tr("Train for"), self.steps_spin)
        layout.addLayout(top)

        self.train_form = KnobForm(TrainConfig, "train", exclude=FORK_TRAIN_EXCLUDE)
        self.train_form.set_values(dataclasses.asdict(config.train))
        self.model_form = KnobForm(config_class(config.family), "model")
        self.model_form.set_values(dataclasses.asdict(config.model))
        forms = QWidget()
        fv = QVBoxLayout(forms)
        fv.setContentsMargins(0, 0, 0, 0)
        for title, form in ((self.tr("Training"), self.train_form), (self.tr("Model"), self.model_form)):
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(form)
            fv.addWidget(box)
        self.advanced_check = QCheckBox(self.tr("Show advanced settings"))
        self.advanced_check.toggled.connect(self._on_advanced_check_toggled)
        fv.addWidget(self.advanced_check)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(forms)
        scroll.setMinimumHeight(260)
        layout.addWidget(scroll, 1)
        self.start_check = QCheckBox(self.tr("Start training the fork now"))
        self.start_check.setObjectName("fork_start")
        self.start_check.setChecked(True)
        layout.addWidget(self.start_check)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Fork"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(460, 560)

    def _on_advanced_check_toggled(self, show: bool) -> None:
        self.train_form.set_show_advanced(show)
        self.model_form.set_show_advanced(show)

    def step(self) -> int | None:
        return self.checkpoint_combo.currentData()

    def more_steps(self) -> int:
        return self.steps_spin.value()

    def start_training(self) -> bool:
        return self.start_check.isChecked()

    def overrides(self) -> list[str]:
        """``section.key=value`` for every setting the person changed from the parent's."""
        out = []
        for section, form in (("train", self.train_form), ("model", self.model_form)):
            before = dataclasses.asdict(getattr(self.config, section))
            for key, value in form.values().items():
                if json.dumps(value, default=str) != json.dumps(before.get(key), default=str):
                    out.append(f"{section}.{key}={set_value_text(value)}")
        return out
