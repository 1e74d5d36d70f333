"""Preferences: where runs live, and what closing the window during training does.

Stored in the window's ``QSettings`` (``gui.settings``): ``runs/workspace`` (empty: the default
folder, as ``genlab runs`` uses) and ``close/ask`` (ask what to do with a training run on close;
otherwise it is stopped with a checkpoint saved, within two seconds).
"""

from __future__ import annotations

from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QVBoxLayout, QWidget)

from gui.dialogs.files import folder_path
from gui.settings import CLOSE_ASK_KEY, WORKSPACE_KEY, ask_on_close, read_value


class PreferencesDialog(QDialog):
    def __init__(self, settings, default_workspace: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Preferences"))
        self.setObjectName("preferences_dialog")
        self.settings = settings
        layout = QVBoxLayout(self)
        form = QFormLayout()
        row = QWidget()
        rl = QHBoxLayout(row)
        rl.setContentsMargins(0, 0, 0, 0)
        self.workspace_edit = QLineEdit(str(read_value(settings, WORKSPACE_KEY, "") or ""))
        self.workspace_edit.setObjectName("prefs_workspace")
        self.workspace_edit.setPlaceholderText(default_workspace)
        self.workspace_edit.setToolTip(self.tr("The folder new runs go to and the Runs panel lists (empty: the default)"))
        rl.addWidget(self.workspace_edit, 1)
        browse = QPushButton(self.tr("Choose…"))
        browse.clicked.connect(self._on_browse_clicked)
        rl.addWidget(browse)
        form.addRow(self.tr("Runs folder"), row)
        self.ask_check = QCheckBox(self.tr("When I close the window during training, ask whether to keep training in "
                                   "the background, stop and save, or discard the run"))
        self.ask_check.setObjectName("prefs_close_ask")
        self.ask_check.setChecked(ask_on_close(settings))
        form.addRow(self.tr("Closing"), self.ask_check)
        layout.addLayout(form)
        note = QLabel(self.tr("Without asking, closing stops the run and saves a checkpoint first."))
        note.setStyleSheet("color: #666")
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _on_browse_clicked(self) -> None:
        path = folder_path(self, self.tr("Runs folder"), self.workspace_edit.text() or self.workspace_edit.placeholderText())
        if path:
            self.workspace_edit.setText(path)

    def save(self) -> None:
        self.settings.setValue(WORKSPACE_KEY, self.workspace_edit.text().strip())
        self.settings.setValue(CLOSE_ASK_KEY, "true" if self.ask_check.isChecked() else "false")
        self.settings.sync()
