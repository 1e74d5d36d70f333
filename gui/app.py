"""Build the QApplication once, set pyqtgraph's global options, show the main window.

Start-up order matters for how fast GenLab feels: Qt and pyqtgraph load, the window is shown and
painted (that moment is the start-up time, logged in the Log dock), and only then does PyTorch load
on a background thread (``gui.warmup``).
"""

from __future__ import annotations

import os
import sys
import time

import psutil
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from engine.resources import resource_path
from gui.crash_guard import CrashGuard
from gui.i18n import ensure_language
from gui.main_window import MainWindow
from gui.settings import open_settings


def process_start_time() -> float:
    """When this process started (wall clock), so start-up time includes Python's own start."""
    try:
        return psutil.Process().create_time()
    except Exception:  # noqa: BLE001 - the platform refuses: count from here
        return time.time()


def configure_pyqtgraph() -> None:
    """Row-major images, no antialiasing, no OpenGL, light plots (set once; safe to repeat)."""
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=False, useOpenGL=False,
                        background="w", foreground="#333")


def load_style(app) -> None:
    path = resource_path("style", "genlab.qss")
    if path.is_file():
        app.setStyleSheet(path.read_text(encoding="utf-8"))


def make_app(argv: list[str] | None = None):
    """The QApplication (created once), with pyqtgraph configured for speed and row-major images."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
        app.setApplicationName("GenLab")
        app.setOrganizationName("GenLab")
        app.setStyle("Fusion")
        load_style(app)
        ensure_language(open_settings(), app)  # translators and the CJK font before any widget exists
    configure_pyqtgraph()
    return app


def _report_first_paint(window, seconds: float) -> None:
    """One line on stdout a benchmark can read (the frozen program has no other way to say it)."""
    print(f"GENLAB_FIRST_PAINT_S={seconds:.4f}", flush=True)
    QTimer.singleShot(0, window.close)


def run_app() -> int:
    """Open the main window and run the event loop until it closes."""
    started = process_start_time()
    app = make_app()
    window = MainWindow(process_start=started)
    guard = CrashGuard(window)
    guard.crashed.connect(window.on_crash)
    guard.install()
    if os.environ.get("GENLAB_EXIT_AFTER_PAINT"):  # bench/startup.py: print the start-up time, then close
        window.first_painted.connect(lambda seconds: _report_first_paint(window, seconds))
    window.show()
    if os.environ.get("GENLAB_EXIT_AFTER_SHOW"):
        QTimer.singleShot(int(os.environ["GENLAB_EXIT_AFTER_SHOW"]), window.close)
    try:
        return app.exec()
    finally:
        guard.uninstall()
