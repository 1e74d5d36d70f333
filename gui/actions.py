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

        self.train = make("Train", "train", ["Ctrl+Return", "Ctrl+Enter"], "Start a new run with these settings")
        self.pause = make("Pause", "pause", ["Space"], "Pause or resume training")
        self.step = make("Step", "step", ["F10"], "Train one step, then pause")
        self.step_d = make("Step D", "step", ["Ctrl+Shift+D"], "One discriminator step (GAN)")
        self.step_g = make("Step G", "step", ["Ctrl+Shift+G"], "One generator step (GAN)")
        self.stop = make("Stop", "stop", ["Ctrl+."], "Stop training (a checkpoint is saved)")
        self.reset = make("Reset", "reset", ["Ctrl+R"], "Stop, and clear the plots for a fresh run")
        self.open_data = make("Open data…", "open", ["Ctrl+O"], "Train on your own file")
        self.open_folder = make("Open folder…", "open", [], "Train on a folder of images")
        self.quit = make("Quit", "", ["Ctrl+Q"], "Close GenLab (a running run is checkpointed)")
        self.reset_layout = make("Reset layout", "", [], "Put every panel back where it started")
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
        self.pause.setText("Resume" if paused else "Pause")
        self.pause.setIcon(icon("resume" if paused else "pause"))
        self.step.setEnabled(idle or running or paused)
        for a in (self.step_d, self.step_g):
            a.setEnabled(self.gan_steps and (idle or running or paused))
        self.stop.setEnabled(running or paused)
        self.reset.setEnabled(state != "starting")
        self.open_data.setEnabled(state != "starting")
        self.open_folder.setEnabled(state != "starting")
