"""The main window: docks, menus, toolbar and status bar around a ``RunSession``. No training logic.

Wiring only: the setup dock builds a config, the session runs it, the bridge's signals feed the
docks. Start-up shows the window first and warms PyTorch up afterwards (``gui.warmup``); Train is
enabled when that is done. Closing the window while training stops the run, which saves a
checkpoint, and waits at most two seconds for it. Layout and the last setup are kept in the
``QSettings`` the window is given (tests and the self-test pass a temporary file).

Docks are listed once in ``_docks``; the latent explorer and the runs dock of later issues are added
there and get their View-menu entry and saved layout for free.
"""

from __future__ import annotations

import json
import time

from PySide6.QtCore import QByteArray, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QDockWidget, QMainWindow, QToolBar

import engine
from engine.crash import write_crash_log
from engine.diagnose.titles import DETECTOR_TITLES
from engine.errors import GenLabError
from engine.resources import resource_path
from gui.actions import ControlActions
from gui.data_loader import DatasetLoader, data_key, is_downloadable
from gui.dialogs.close_dialog import ask_close_choice
from gui.docks.compare_dock import CompareDock
from gui.docks.data_dock import DataDock
from gui.docks.inside_dock import InsideDock
from gui.docks.learn_dock import LearnDock
from gui.docks.latent_dock import LatentDock
from gui.docks.log_dock import LogDock
from gui.docks.losses_dock import LossesDock
from gui.docks.runs_dock import RunsDock
from gui.docks.samples_dock import SamplesDock
from gui.docks.setup_dock import SetupDock
from gui.drop import accepts as drop_accepts, dropped_path, route_drops_to
from gui.i18n import engine_text, engine_word, ensure_language
from gui.language_menu import add_help_menu, add_language_menu
from gui.main_thread_gc import MainThreadCollector
from gui.neighbours import NeighbourPanel
from gui.notice import NoticeBar
from gui.runs_controller import RunsController
from gui.session import RunSession
from gui.shown_run import ShownRun
from gui.settings import SETTINGS_VERSION, ask_on_close, open_settings, workspace_dir
from gui.status_bar import StatusBar
from gui.warmup import TorchWarmup

CLOSE_TIMEOUT_S = 2.0
DOCK_FEATURES = (QDockWidget.DockWidgetFeature.DockWidgetClosable | QDockWidget.DockWidgetFeature.DockWidgetMovable
                 | QDockWidget.DockWidgetFeature.DockWidgetFloatable)


class MainWindow(QMainWindow):
    engine_ready = Signal(object)      # warm-up info: families, datasets, devices, seconds
    first_painted = Signal(float)      # seconds since the process started

    def __init__(self, settings=None, parent=None, process_start: float | None = None):
        super().__init__(parent)
        self.settings = settings if settings is not None else open_settings()
        self.language = ensure_language(self.settings)  # before any text is set: widgets take it once
        self.process_start = process_start
        self.first_paint_seconds: float | None = None
        self.ready_seconds: float | None = None
        self._t_created = time.perf_counter()
        self.gc_collector = MainThreadCollector(self)   # cycles are freed on this thread, not in a worker's
        self.setWindowTitle(f"GenLab {engine.__version__}")
        self.setWindowIcon(QIcon(str(icon_path("genlab"))))
        self._fit_to_screen(1360, 860)
        self.setDockNestingEnabled(True)
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.TopLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)

        self.session = RunSession(self)
        self.bridge = self.session.bridge
        self.shown = ShownRun(self)          # the run the views show, live or opened, and its newest weights
        self.loader = DatasetLoader(self)
        self.warmup = TorchWarmup(self)
        self.pending: list[str] = []

        self.setup_dock = SetupDock(self)
        self.losses_dock = LossesDock(self)
        self.samples_dock = SamplesDock(self)
        self.neighbours = NeighbourPanel(self)           # a clicked sample's nearest training images
        self.samples_dock.add_below(self.neighbours)
        self.data_dock = DataDock(self)
        self.log_dock = LogDock(self)
        self.runs_dock = RunsDock(self)
        self.compare_dock = CompareDock(self)
        self.latent_dock = LatentDock(self)
        self.inside_dock = InsideDock(self)
        self.learn_dock = LearnDock(self)
        self._docks = [self.setup_dock, self.losses_dock, self.samples_dock, self.data_dock, self.log_dock,
                       self.runs_dock, self.compare_dock, self.latent_dock, self.inside_dock, self.learn_dock]
        for dock in self._docks:
            dock.setFeatures(DOCK_FEATURES)

        self.controls = ControlActions(self)
        self.controls.set_gan_steps(False)
        self.runs_controller = RunsController(self)
        self._build_toolbar()
        self._build_menus()
        self.status = StatusBar(self.session, self)
        self.setStatusBar(self.status)
        self._apply_default_layout()
        self._connect()
        self.runs_controller.connect()
        self._restore_settings()
        self.installEventFilter(self)

    # ---- construction -----------------------------------------------------------------------------
    def _fit_to_screen(self, width: int, height: int) -> None:
        """The preferred size, or 92% of a smaller screen (a 1366x768 laptop)."""
        screen = self.screen()
        if screen is not None:
            avail = screen.availableGeometry()
            width = min(width, int(avail.width() * 0.92))
            height = min(height, int(avail.height() * 0.92))
        self.resize(width, height)

    def _build_toolbar(self) -> None:
        tb = QToolBar(self.tr("Controls"), self)
        tb.setObjectName("toolbar_controls")
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        a = self.controls
        for action in (a.train, a.pause, a.step, a.step_d, a.step_g, a.stop, a.reset):
            tb.addAction(action)
        tb.addSeparator()
        tb.addAction(a.open_data)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, tb)
        self.toolbar = tb
        self.addToolBarBreak()
        self.notice = NoticeBar(self)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.notice)

    def _build_menus(self) -> None:
        a = self.controls
        m = self.menuBar()
        file_menu = m.addMenu(self.tr("&File"))
        file_menu.addAction(a.open_data)
        file_menu.addAction(a.open_folder)
        file_menu.addSeparator()
        file_menu.addAction(a.quit)
        self.runs_controller.add_menus(m, file_menu)
        run_menu = m.addMenu(self.tr("&Run"))
        for action in (a.train, a.pause, a.step, a.step_d, a.step_g, a.stop, a.reset):
            run_menu.addAction(action)
        view = m.addMenu(self.tr("&View"))
        for dock in self._docks:
            view.addAction(dock.toggleViewAction())
        view.addAction(self.toolbar.toggleViewAction())
        view.addSeparator()
        view.addAction(a.reset_layout)
        self.view_menu = view
        self.language_menu = add_language_menu(self, view)
        self.help_menu = add_help_menu(self, m)

    def _apply_default_layout(self) -> None:
        """Setup on the left; losses and samples side by side; data and log below them."""
        for dock in self._docks:
            dock.setFloating(False)
            self.removeDockWidget(dock)
        left, right = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
        self.addDockWidget(left, self.setup_dock)
        self.addDockWidget(right, self.losses_dock)
        self.splitDockWidget(self.losses_dock, self.samples_dock, Qt.Orientation.Horizontal)
        self.splitDockWidget(self.losses_dock, self.data_dock, Qt.Orientation.Vertical)
        self.splitDockWidget(self.samples_dock, self.log_dock, Qt.Orientation.Vertical)
        self.tabifyDockWidget(self.log_dock, self.runs_dock)
        self.tabifyDockWidget(self.losses_dock, self.compare_dock)
        self.tabifyDockWidget(self.samples_dock, self.latent_dock)
        self.tabifyDockWidget(self.losses_dock, self.inside_dock)
        self.tabifyDockWidget(self.losses_dock, self.learn_dock)
        for dock in self._docks:
            dock.show()
        self.log_dock.raise_()
        self.samples_dock.raise_()
        self.losses_dock.raise_()
        self.resizeDocks([self.setup_dock, self.losses_dock, self.samples_dock], [330, 560, 470],
                         Qt.Orientation.Horizontal)
        self.resizeDocks([self.losses_dock, self.data_dock], [520, 250], Qt.Orientation.Vertical)
        self.resizeDocks([self.samples_dock, self.log_dock], [520, 250], Qt.Orientation.Vertical)

    def _connect(self) -> None:
        a, s, b = self.controls, self.session, self.bridge
        a.train.triggered.connect(lambda: self._on_train_triggered())
        a.pause.triggered.connect(s.toggle_pause)
        a.step.triggered.connect(lambda: self._on_step_triggered())
        a.step_d.triggered.connect(lambda: self._on_step_triggered(phase="d"))
        a.step_g.triggered.connect(lambda: self._on_step_triggered(phase="g"))
        a.stop.triggered.connect(self._on_stop_triggered)
        a.reset.triggered.connect(self._on_reset_triggered)
        a.open_data.triggered.connect(self.setup_dock.open_file_dialog)
        a.open_folder.triggered.connect(self.setup_dock.open_folder_dialog)
        a.quit.triggered.connect(self.close)
        a.reset_layout.triggered.connect(self._apply_default_layout)
        s.state_changed.connect(self._on_session_state_changed)
        b.run_started.connect(self._on_bridge_run_started)
        b.steps_completed.connect(self.losses_dock.add_steps)
        b.samples_ready.connect(self.samples_dock.show_samples)
        b.snapshot_published.connect(self.shown.set_snapshot)
        self.shown.snapshot_changed.connect(self.latent_dock.set_snapshot)
        self.shown.snapshot_changed.connect(self.inside_dock.set_snapshot)
        b.steps_completed.connect(self.learn_dock.add_steps)
        self.shown.snapshot_changed.connect(self.learn_dock.set_snapshot)
        b.evaluation_completed.connect(self.learn_dock.add_evaluation)
        b.training_finished.connect(lambda _ev: self.learn_dock.training_finished())
        b.training_failed.connect(lambda _ev: self.learn_dock.training_finished())
        b.message_logged.connect(self.log)
        b.checkpoint_saved.connect(
            lambda ev: self.log("info", self.tr("checkpoint saved at step {step:,}").format(step=ev.step)))
        b.evaluation_completed.connect(self._on_bridge_evaluation_completed)
        b.evaluation_completed.connect(lambda ev: self.samples_dock.show_quality(ev.step, ev.metrics))
        b.training_paused.connect(lambda step: self.log("info", self.tr("paused at step {step:,}").format(step=step)))
        b.training_resumed.connect(lambda step: self.log("info", self.tr("resumed at step {step:,}").format(step=step)))
        b.non_finite_loss.connect(self._on_bridge_non_finite_loss)
        b.training_finished.connect(self._on_bridge_training_finished)
        b.training_failed.connect(self._on_bridge_training_failed)
        b.diagnosed.connect(self._on_bridge_diagnosed)
        b.run_started.connect(self._on_bridge_run_started_neighbours)
        self.samples_dock.cell_clicked.connect(self.neighbours.look_up)
        self.losses_dock.non_finite_seen.connect(
            lambda term, step, n: self.log("warning", self.tr(
                "loss term '{term}' is not finite at step {step:,}; shown as a gap ({n} such points so far)")
                .format(term=term, step=step, n=n)))
        self.setup_dock.data_requested.connect(self._on_setup_data_requested)
        self.data_dock.draw_requested.connect(lambda: self.setup_dock.set_data_name("drawn"))
        self.data_dock.drawing_changed.connect(self.setup_dock.set_drawn_points)
        self.data_dock.cancel_requested.connect(self._on_data_cancel_requested)
        self.data_dock.open_file_requested.connect(self.setup_dock.open_file_dialog)
        self.data_dock.open_folder_requested.connect(self.setup_dock.open_folder_dialog)
        self.setup_dock.knob_edited.connect(self._on_setup_knob_edited)
        self.setup_dock.message_logged.connect(self.log)
        self.setup_dock.family_changed.connect(self._on_setup_family_changed)
        self.loader.loaded.connect(self._on_loader_loaded)
        self.loader.failed.connect(self._on_loader_failed)
        self.loader.progressed.connect(self._on_loader_progressed)
        self.warmup.ready.connect(self._on_warmup_ready)
        self.warmup.failed.connect(self._on_warmup_failed)
        self.notice.show_log_requested.connect(self._show_log)

    # ---- start-up -----------------------------------------------------------------------------------------
    def eventFilter(self, watched, event) -> bool:
        """Notes the first paint (the start-up time), starts the warm-up, then removes itself: a Python
        hook on every later paint of the window would cost time at every frame."""
        if watched is self and event.type() == QEvent.Type.Paint and self.first_paint_seconds is None:
            self.first_paint_seconds = self._seconds_since_start()
            self.removeEventFilter(self)
            self.first_painted.emit(self.first_paint_seconds)
            QTimer.singleShot(0, lambda: (self.warmup.start(), self.session.start_early()))  # both load PyTorch
        return False

    def showEvent(self, event) -> None:
        super().showEvent(event)
        QTimer.singleShot(500, self.warmup.start)  # in case no paint reaches us (a hidden platform)

    def _seconds_since_start(self) -> float:
        if self.process_start is not None:
            return time.time() - self.process_start
        return time.perf_counter() - self._t_created

    def _on_warmup_ready(self, info: dict) -> None:
        self.ready_seconds = self._seconds_since_start()
        shown = (self.tr("window shown after {seconds:.2f} s; ").format(seconds=self.first_paint_seconds)
                 if self.first_paint_seconds else "")
        self.log("info", self.tr("GenLab {version}: {shown}PyTorch ready after {ready:.2f} s (import {imported:.2f} s); "
                                 "devices: {devices}").format(
            version=engine.__version__, shown=shown, ready=self.ready_seconds, imported=info["import_seconds"],
            devices=", ".join(info["devices"])))
        for family, why in info.get("broken", {}).items():
            self.log("warning", self.tr("the {family} family is present but could not be loaded: {why}")
                     .format(family=family, why=why))
        if not info["families"]:
            self.log("error", self.tr("no model family could be loaded"))
        saved = self._saved_setup()
        self.setup_dock.set_engine_ready(info["families"], info["datasets"], info["devices"], saved,
                                         downloads=info.get("downloads", []))
        self.session.set_ready()
        self.session.workspace = workspace_dir(self.settings)  # reads the engine (torch): after warm-up
        self.runs_dock.set_workspace(self.session.workspace)
        self.learn_dock.workspace_provider = lambda: self.session.workspace  # Runs > Change… moves it
        self.learn_dock.set_families(info["families"])
        route_drops_to(self)
        self.engine_ready.emit(info)

    def _on_warmup_failed(self, message: str, tb: str) -> None:
        path = write_crash_log(tb, context="starting PyTorch")
        self.log("error", self.tr("PyTorch could not start: {message}").format(message=message))
        self.notice.notify("error", self.tr("PyTorch could not start: {message}. Training is unavailable.")
                           .format(message=message), str(path) if path else None)

    # ---- controls -----------------------------------------------------------------------------------------
    def _on_train_triggered(self) -> bool:
        """Start a run with the setup dock's settings; False (with a message) when they are invalid."""
        if self.session.state != "idle":
            return False
        self.setup_dock.prepare_seed()
        try:
            config = self.setup_dock.config()
        except GenLabError as e:
            self.setup_dock.show_error(str(e))
            self.log("error", self.tr("cannot train: {e}").format(e=e))
            return False
        self.setup_dock.show_error("")
        self._start(config)
        return True

    def _start(self, config, paused: bool = False, run_dir=None, resume: bool = False):
        dataset = self.loader.dataset_for(config.data)
        if not resume:  # a continued run keeps its curves and samples (the Runs controller showed them)
            self.losses_dock.clear()
            self.samples_dock.clear()
        self.pending = []
        self.setup_dock.show_pending([])
        self.notice.dismiss()
        runner = self.session.train(config, dataset=dataset, paused=paused, run_dir=run_dir, resume=resume)
        text = (self.tr("continuing {family} on {data}: {steps:,} steps, seed {seed}, run folder {run_dir}") if resume
                else self.tr("training {family} on {data}: {steps:,} steps, seed {seed}, run folder {run_dir}"))
        self.log("info", text.format(family=config.family, data=config.data.name, steps=config.train.steps,
                                     seed=config.train.seed, run_dir=self.session.run_dir))
        return runner

    def start_run(self, config, run_dir=None, resume: bool = False):
        """Train ``config`` (Continue and Fork: ``resume`` the run in ``run_dir``); None when busy."""
        if self.session.state != "idle":
            return None
        return self._start(config, run_dir=run_dir, resume=resume)

    def _on_step_triggered(self, phase: str | None = None) -> None:
        if self.session.state == "idle":
            try:
                config = self.setup_dock.config()
            except GenLabError as e:
                self.setup_dock.show_error(str(e))
                return
            self._start(config, paused=True)
        self.session.step(1, phase)

    def _on_stop_triggered(self) -> None:
        if self.session.busy:
            self.log("info", self.tr("stopping: saving a checkpoint…"))
            self.session.stop()

    def _on_reset_triggered(self) -> None:
        if self.session.busy:
            self._on_stop_triggered()
        self.losses_dock.clear()
        self.samples_dock.clear()
        self.notice.dismiss()
        self.log("info", self.tr("reset: the next Train starts a fresh run"))

    def _on_session_state_changed(self, state: str) -> None:
        self.controls.update_for_state(state)
        if state == "idle" and self.pending:
            self.pending = []
            self.setup_dock.show_pending([])

    def _on_setup_family_changed(self, family: str) -> None:
        self.controls.set_gan_steps(takes_phase(self.setup_dock.model_class))
        self.controls.update_for_state(self.session.state)
        route_drops_to(self)  # the new model form's text fields let dropped files through too
        form = self.setup_dock.model_form
        self.learn_dock.set_family(family, form.values() if form is not None else None)

    def _on_setup_knob_edited(self, section: str, name: str, value, live: bool) -> None:
        if section == "model" and not self.session.busy:
            self.learn_dock.set_model_option(name, value)
        if not self.session.busy:
            return
        if live:
            self.session.set_live(section, name, value)
            return
        label = self.setup_dock.label_for(section, name)
        if label not in self.pending:
            self.pending.append(label)
            self.setup_dock.show_pending(self.pending)

    # ---- data ---------------------------------------------------------------------------------------------
    def _on_setup_data_requested(self, data_config) -> None:
        drawn = data_config.name == "drawn"
        self.data_dock.set_drawing(drawn)
        if drawn:
            points = self.setup_dock.drawn_points()
            if len(points) != self.data_dock.painter.count():  # a run or a saved setup brought its drawing
                self.data_dock.painter.set_points(points)
            if len(points) < 3:
                self.loader.cancel()
                self.data_dock.show_hint(self.tr("Draw your points on the canvas: press and drag (at least 3 points). "
                                                 "They become the training set and are kept in the run's config."))
                return
        self.data_dock.show_loading(data_config.name)
        self.loader.request(data_config)

    def _on_data_cancel_requested(self) -> None:
        self.loader.cancel()
        name = self.setup_dock.data_name()
        self.data_dock.show_cancelled(name)
        self.setup_dock.set_data_error(self.tr("loading {name} was cancelled").format(name=name))
        self.log("info", self.tr("loading {name} cancelled").format(name=name))

    # ---- drag and drop (gui.drop routes drops on any panel here) ------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if drop_accepts(event.mimeData()) and self.session.state != "starting":
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:
        path = dropped_path(event.mimeData())
        if path is None or self.session.state == "starting":
            event.ignore()
            return
        event.acceptProposedAction()
        self.log("info", self.tr("dropped {path}: loading it as the training data").format(path=path))
        self.setup_dock.set_data_name(path)

    def _on_loader_loaded(self, key: str, dataset) -> None:
        if key != self._current_data_key():
            return
        self.data_dock.show_dataset(dataset)
        self.setup_dock.set_dataset(dataset)
        self.learn_dock.set_data(self.setup_dock.data_config(), dataset)

    def _on_loader_failed(self, key: str, message: str) -> None:
        if key != self._current_data_key():
            return
        self.data_dock.show_error(message, offer_local=is_downloadable(self.setup_dock.data_name()))
        self.setup_dock.set_data_error(message)
        self.log("error", message)

    def _on_loader_progressed(self, key: str, done: int, total: int, text: str) -> None:
        if key == self._current_data_key():
            self.data_dock.show_loading(self.setup_dock.data_name(), done, total, text)

    def _current_data_key(self) -> str | None:
        try:
            return data_key(self.setup_dock.data_config())
        except Exception:  # noqa: BLE001 - an invalid form: nothing is current
            return None

    # ---- engine events --------------------------------------------------------------------------------------
    def _on_bridge_run_started(self, ev) -> None:
        dataset = self.session.run_dataset(self.loader.dataset_for)
        reference = dataset.x_test[:5000].numpy() if dataset is not None and ev.spec["kind"] == "points" else None
        self.shown.show(self.session.run_dir, ev.family, live=True)
        self.samples_dock.start_run(self.session.run_dir, ev.spec["kind"], reference)
        self.latent_dock.start_run(ev.family, ev.spec, dataset)
        self.inside_dock.start_run(ev.family, ev.spec, dataset)
        self.learn_dock.start_run(ev, dataset)
        if ev.start_step > 0:  # a continued run: its earlier grids are in its samples folder
            self.samples_dock.refresh_history()
        self.log("info", self.tr("run started on {device} with {threads} thread(s)")
                 .format(device=ev.device, threads=ev.threads))

    def _on_bridge_evaluation_completed(self, ev) -> None:
        m = ev.metrics
        nll = m.get("test_nll_nats")
        if nll is not None:
            extra = (self.tr(", {bits:.3f} bits/dim").format(bits=m["bits_per_dim"])
                     if m.get("bits_per_dim") is not None else "")
            kind = " ({})".format(engine_word(m["nll_kind"])) if m.get("nll_kind") else ""
            self.log("info", self.tr("held-out NLL at step {step:,}: {nll:.4f} nats{kind}{extra}")
                     .format(step=ev.step, nll=nll, kind=kind, extra=extra))

    def _on_bridge_non_finite_loss(self, ev) -> None:
        self.runs_controller.offer_rollback(ev)

    def _on_bridge_training_finished(self, ev) -> None:
        self.losses_dock.finish()
        self.log("info", self.tr("training {reason} at step {step:,}; run folder {run_dir}")
                 .format(reason=engine_word(ev.reason), step=ev.step, run_dir=ev.run_dir))

    def _on_bridge_training_failed(self, ev) -> None:
        message = engine_text(ev.message)
        self.log("error", self.tr("training failed: {message}").format(message=message)
                 + (self.tr(" (details in {path})").format(path=ev.crash_log) if ev.crash_log else ""))
        self.notice.notify("error", self.tr("Training failed: {message}").format(message=message), ev.crash_log)

    def _on_bridge_run_started_neighbours(self, ev) -> None:
        dataset = self.session.run_dataset(self.loader.dataset_for)
        self.samples_dock.cell_shape = tuple(ev.spec["shape"][1:3]) if ev.spec["kind"] == "image" else None
        self.neighbours.start_run(dataset)

    def _on_bridge_diagnosed(self, ev) -> None:
        """A detector alarmed for the first time: say so in the notice bar (its line is in the Log already); and
        take that notice down once none of its detectors alarms any more (a young GAN's critic wins early)."""
        shown, alarming = self.notice.about, {f["detector"] for f in ev.findings if f.get("alarm")}
        if not ev.new_alarms:
            if isinstance(shown, frozenset) and not shown & alarming and self.notice.withdraw(shown):
                self.log("info", self.tr("step {step:,}: the detectors no longer see that trouble").format(step=ev.step))
            return
        found = {f["detector"]: f for f in ev.findings}
        lines = [self.tr("{detector}: {saw}. Try: {advice}").format(
            detector=engine_word(DETECTOR_TITLES.get(name, name)), saw=engine_text(found[name]["saw"]),
            advice=engine_text(found[name]["advice"]))
            for name in ev.new_alarms]
        self.notice.notify("warning", self.tr("At step {step:,} the run's detectors saw trouble.").format(step=ev.step)
                           + "\n" + "\n".join(lines), about=frozenset(ev.new_alarms))

    def on_crash(self, summary: str, path: str) -> None:
        """An unhandled exception in the window (from ``gui.crash_guard``)."""
        self.log("error", self.tr("unexpected error: {summary}").format(summary=summary)
                 + (self.tr(" (details in {path})").format(path=path) if path else ""))
        self.notice.notify("error", self.tr("Something went wrong: {summary}. The window keeps working.")
                           .format(summary=summary), path or None)

    def log(self, level: str, text: str) -> None:
        self.log_dock.add(level, text)
        if level == "error":
            self.log_dock.raise_()

    def _show_log(self) -> None:
        self.log_dock.show()
        self.log_dock.raise_()

    # ---- settings and closing ---------------------------------------------------------------------------------
    def _saved_setup(self) -> dict | None:
        text = self.settings.value("setup/last")
        if not text:
            return None
        try:
            saved = json.loads(text)
        except (TypeError, ValueError):
            self.log("warning", self.tr("the saved setup was unreadable and was ignored"))
            return None
        return saved if isinstance(saved, dict) else None

    def _restore_settings(self) -> None:
        s = self.settings
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        state = s.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            if not self.restoreState(state, SETTINGS_VERSION):
                self.log("warning", self.tr("the saved layout did not fit this version; using the default layout"))
        try:
            self.losses_dock.set_smoothing(float(s.value("losses/smoothing", self.losses_dock.weight)))
        except (TypeError, ValueError):
            pass
        self.losses_dock.set_log_scale(str(s.value("losses/log", "false")).lower() == "true")
        self.losses_dock.set_axis(str(s.value("losses/axis", "steps")))
        self.notice.hide()

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState(SETTINGS_VERSION))
        s.setValue("losses/smoothing", self.losses_dock.weight)
        s.setValue("losses/log", "true" if self.losses_dock.log_check.isChecked() else "false")
        s.setValue("losses/axis", self.losses_dock.axis_mode)
        setup = self.setup_dock.saved_state()
        if setup is not None:
            s.setValue("setup/last", json.dumps(setup))
        s.sync()

    def closeEvent(self, event) -> None:
        choice = None
        if self.session.busy and ask_on_close(self.settings):  # Preferences: ask what to do with the run
            name = self.session.run_dir.name if self.session.run_dir else self.tr("the run")
            choice = ask_close_choice(self, name, self.session.last_step, self.session.total_steps)
            if choice is None:
                event.ignore()
                return
        self.save_settings()
        if choice in ("background", "discard"):
            self.runs_controller.close_with(choice)
        elif self.session.busy:
            t0 = time.perf_counter()
            ended = self.session.shutdown(CLOSE_TIMEOUT_S)
            took = time.perf_counter() - t0
            self.log("info" if ended else "warning",
                     self.tr("closed while training: run stopped in {took:.2f} s").format(took=took) if ended else
                     self.tr("closed while training: the run did not stop within {limit:.0f} s")
                     .format(limit=CLOSE_TIMEOUT_S))
        else:
            self.session.shutdown(0.1)
        self.loader.cancel()
        self.loader.join(0.5)
        self.warmup.join(0.5)
        self.runs_controller.shutdown()
        self.latent_dock.shutdown()
        self.inside_dock.shutdown()
        self.learn_dock.shutdown()
        self.neighbours.tasks.join(2.0)
        self.gc_collector.stop()
        super().closeEvent(event)


def takes_phase(model_class) -> bool:
    """Whether a family can train one player at a time: it declares the phases Step D and Step G ask for
    (``training_phases``, ``training_step(..., phase="d"|"g")``)."""
    return {"d", "g"} <= set(getattr(model_class, "training_phases", ()))


def icon_path(name: str):
    return resource_path("icons", f"{name}.svg")

