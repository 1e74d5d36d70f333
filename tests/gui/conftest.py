"""Fixtures for window tests: a real MainWindow, offscreen, with temporary settings and workspace."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6.QtWidgets")
pytest.importorskip("pyqtgraph")

READY_MS = 120_000


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    path = tmp_path / "runs"
    monkeypatch.setenv("GENLAB_WORKSPACE", str(path))
    return path


@pytest.fixture
def make_window(qtbot, qapp, tmp_path, workspace):
    """``make_window(settings_file=None)``: a shown window whose PyTorch warm-up has finished."""
    from gui.app import configure_pyqtgraph
    from gui.main_window import MainWindow
    from gui.settings import open_settings
    configure_pyqtgraph()
    made = []

    def factory(settings_file=None, wait_ready: bool = True):
        w = MainWindow(settings=open_settings(settings_file or tmp_path / "settings.ini"))
        qtbot.addWidget(w)
        made.append(w)
        w.show()
        if wait_ready:
            qtbot.waitUntil(lambda: w.session.state == "idle", timeout=READY_MS)
            qtbot.waitUntil(lambda: w.data_dock.dataset is not None, timeout=30_000)
        return w

    yield factory
    for w in made:
        if w.isVisible():
            w.close()
        w.session.shutdown(5.0)
        w.loader.join(5.0)
        w.warmup.join(5.0)
        w.gc_collector.stop()      # a window never shown or closed leaves collection to its timer otherwise


def choose(window, data: str = "moons", family: str = "vae", steps: int | None = None):
    """Pick data and family through the setup dock's widgets, as a person would."""
    setup = window.setup_dock
    setup.family_combo.setCurrentIndex(setup.family_combo.findData(family))
    setup.data_combo.setCurrentIndex(setup.data_combo.findData(data))
    if steps is not None:
        setup.train_form.widgets["steps"].setValue(steps)


def start_in_process_run(window, family: str):
    """A long run on moons trained by a thread of the window (whose live model only this process can
    reach): checkpoints every 20 steps, losses every 5, a constant learning rate. (runner, its lr)."""
    window.session.in_process = True
    choose(window, "moons", family, steps=1_000_000)
    form = window.setup_dock.train_form.widgets
    form["checkpoint_every"].setValue(20)
    form["log_every"].setValue(5)
    form["sample_every"].setValue(10_000)
    form["lr_schedule"].setCurrentIndex(form["lr_schedule"].findData("constant"))
    lr = form["lr"].value()
    window.controls.train.trigger()
    return window.session.runner, lr
