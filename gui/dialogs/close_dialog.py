"""What to do with a training run when the window closes (asked only when Preferences say so).

The choices: keep training it headless in the background (a detached ``genlab train --resume``
that outlives the window), stop it and save a checkpoint (the default without asking), or discard
it (its folder is deleted, after a second confirmation). Cancel keeps the window open. Nothing is
ever lost silently: the dialog names the run folder.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox

from gui.dialogs.confirm import confirm

CHOICES = ("background", "stop", "discard")
translate = QCoreApplication.translate


def ask_close_choice(parent, run_name: str, step: int, total: int) -> str | None:
    """"background", "stop", "discard", or None (keep the window open)."""
    box = QMessageBox(parent)
    box.setObjectName("close_dialog")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(translate("CloseDialog", "A run is training"))
    box.setText(translate("CloseDialog", "<b>{run}</b> is training (step {step:,} of {total:,}). What should happen to it?")
                .format(run=run_name, step=step, total=total))
    box.setInformativeText(translate("CloseDialog", "Keep training: it goes on without the window and shows in Runs "
                                     "when GenLab opens again. Stop: a checkpoint is saved and Continue resumes it later."))
    keep = box.addButton(translate("CloseDialog", "Keep training in the background"), QMessageBox.ButtonRole.AcceptRole)
    stop = box.addButton(translate("CloseDialog", "Stop and save"), QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton(translate("CloseDialog", "Discard the run…"), QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    for button, name in ((keep, "close_keep"), (stop, "close_stop"), (discard, "close_discard")):
        button.setObjectName(name)
    box.setDefaultButton(stop)
    box.exec()
    clicked = box.clickedButton()
    if clicked is keep:
        return "background"
    if clicked is stop:
        return "stop"
    if clicked is discard:
        return "discard" if confirm_discard(parent, run_name) else None
    if clicked is cancel or clicked is None:
        return None
    return None


def confirm_discard(parent, run_name: str) -> bool:
    return confirm(parent, "discard", translate("CloseDialog", "Discard the run?"),
                   translate("CloseDialog", "Delete <b>{run}</b> with its checkpoints, curves and samples? "
                             "This cannot be undone.").format(run=run_name),
                   translate("CloseDialog", "Delete the run"), destructive=True)
