"""The window's controls as QActions: toolbar buttons, menu items and shortcuts in one place.

Shortcuts: Ctrl+Return train, Space pause/resume, F10 one step (Ctrl+Shift+D / Ctrl+Shift+G: one
discriminator / generator step on a GAN that supports it), Ctrl+. stop, Ctrl+R reset, Ctrl+O open
data, Ctrl+Q quit. Which actions are enabled follows the session's state.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence

from engine.resources import resource_path


def icon(name: str) -> QIcon:
    path = resource_path("icons", f"{name}.svg")
    return QIcon(str(path)) if path.is_file() else QIcon()


class ControlActions(QObject):
    def __init__(self, window):
        super().__init__(window)

        def make(text, icon_name, shortcuts, tip):
            a = QAction(icon(icon_name), text, window)
            a.setShortcuts([QKeySequence(s) for s in shortcuts])
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            keys = ", ".join(QKeySequence(s).toString(QKeySequence.SequenceFormat.NativeText) for s in shortcuts)
            a.setToolTip(f"{tip} ({keys})" if keys else tip)
            a.setStatusTip(tip)
            window.addAction(a)
            return a

        self.train = make(self.tr("Train"), "train", ["Ctrl+Return", "Ctrl+Enter"],
                          self.tr("Start a new run with these settings"))
        self.pause = make(self.tr("Pause"), "pause", ["Space"],
                          self.tr("Pause or resume training"))
        self.step = make(self.tr("Step"), "step", ["F10"],
                         self.tr("Train one step, then pause"))
        self.step_d = make(self.tr("Step D"), "step", ["Ctrl+Shift+D"],
                           self.tr("One discriminator step (GAN)"))
        self.step_g = make(self.tr("Step G"), "step", ["Ctrl+Shift+G"],
                           self.tr("One generator step (GAN)"))
        self.stop = make(self.tr("Stop"), "stop", ["Ctrl+."],
                         self.tr("Stop training (a checkpoint is saved)"))
        self.reset = make(self.tr("Reset"), "reset", ["Ctrl+R"],
                          self.tr("Stop, and clear the plots for a fresh run"))
        self.open_data = make(self.tr("Open data…"), "open", ["Ctrl+O"],
                              self.tr("Train on your own file"))
        self.open_folder = make(self.tr("Open folder…"), "open", [],
                                self.tr("Train on a folder of images"))
        self.quit = make(self.tr("Quit"), "", ["Ctrl+Q"],
                         self.tr("Close GenLab (a running run is checkpointed)"))
        self.reset_layout = make(self.tr("Reset layout"), "", [],
                                 self.tr("Put every panel back where it started"))
        self.gan_steps = False
        self.update_for_state("starting")

    def set_gan_steps(self, available: bool) -> None:
        """Show Step D / Step G when the family can take one phase at a time."""
        self.gan_steps = available
        self.step_d.setVisible(available)
        self.step_g.setVisible(available)

    def update_for_state(self, state: str) -> None:
        idle = state == "idle"
        running = state == "running"
        paused = state == "paused"
        self.train.setEnabled(idle)
        self.pause.setEnabled(running or paused)
        self.pause.setText(self.tr("Resume") if paused else self.tr("Pause"))
        self.pause.setIcon(icon("resume" if paused else "pause"))
        self.step.setEnabled(idle or running or paused)
        for a in (self.step_d, self.step_g):
            a.setEnabled(self.gan_steps and (idle or running or paused))
        self.stop.setEnabled(running or paused)
        self.reset.setEnabled(state != "starting")
        self.open_data.setEnabled(state != "starting")
        self.open_folder.setEnabled(state != "starting")
