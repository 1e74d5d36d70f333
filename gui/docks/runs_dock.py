"""Runs dock: every run in the workspace folder, with what a person needs to pick one.

One row per run folder (``engine.runs.workspace.list_runs``, read off the GUI thread): name, family,
data, steps, state (running, paused, finished, stopped, failed, killed, damaged), the last training loss, the
best held-out figure (bits/dim for images, nats for points, "exact" or "bound" named) and when it
last changed. The list follows the folder: a file-system watcher notices runs that appear or vanish,
and while the dock is visible it re-reads the (small) status files every few seconds, so a run
trained by ``genlab train`` in a terminal shows up and counts its steps too.

The dock only shows and asks: its buttons and context menu emit ``open_requested``,
``continue_requested``, ``fork_requested``, ``compare_requested``, ``delete_requested``,
``copy_command_requested`` and ``workspace_change_requested``; ``gui.runs_controller`` does the work.
The Export button carries the controller's export menu.
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QFileSystemWatcher, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QDockWidget, QHBoxLayout, QHeaderView, QLabel, QMenu,
                               QPushButton, QTableWidget, QTableWidgetItem, QToolButton, QVBoxLayout, QWidget)

from engine.i18n import QT_TRANSLATE_NOOP
from gui.background import BackgroundTasks
from gui.i18n import engine_word
from gui.visibility import on_screen

COLUMNS = (QT_TRANSLATE_NOOP("RunsDock", "Run"), QT_TRANSLATE_NOOP("RunsDock", "Family"),
           QT_TRANSLATE_NOOP("RunsDock", "Data"), QT_TRANSLATE_NOOP("RunsDock", "Steps"),
           QT_TRANSLATE_NOOP("RunsDock", "State"), QT_TRANSLATE_NOOP("RunsDock", "Last loss"),
           QT_TRANSLATE_NOOP("RunsDock", "Best held-out"), QT_TRANSLATE_NOOP("RunsDock", "Updated"))
REFRESH_MS = 3000
STATE_COLOURS = {"running": "#1b7f3b", "paused": "#a86400", "failed": "#b00020", "killed": "#b00020",
                 "damaged": "#b00020", "finished": "#333333", "stopped": "#555555"}


def metric_text(s) -> str:
    """The best held-out figure in the unit people compare: bits/dim for images, nats for points."""
    kind = " ({})".format(engine_word(s.nll_kind)) if s.nll_kind else ""
    if s.best_bits_per_dim is not None:
        return QCoreApplication.translate("RunsDock", "{bpd:.3f} bits/dim").format(bpd=s.best_bits_per_dim) + kind
    if s.best_nll is not None:
        return QCoreApplication.translate("RunsDock", "{nll:.3f} nats").format(nll=s.best_nll) + kind
    return "–"


def date_text(stamp: str | None) -> str:
    """``2024-06-01T14:15:02+0200`` -> ``2024-06-01 14:15`` (the workspace's local times)."""
    if not stamp:
        return ""
    return stamp[:16].replace("T", " ")


class SortItem(QTableWidgetItem):
    """A cell that sorts by a number (or text) kept beside what it shows."""

    def __init__(self, text: str, key):
        super().__init__(text)
        self.key = key

    def __lt__(self, other):
        a, b = self.key, getattr(other, "key", None)
        try:
            return a < b
        except TypeError:
            return str(a) < str(b)


class RunsDock(QDockWidget):
    open_requested = Signal(str)
    continue_requested = Signal(str)
    fork_requested = Signal(str)
    compare_requested = Signal(list)
    delete_requested = Signal(str)
    copy_command_requested = Signal(str)
    workspace_change_requested = Signal()
    selection_changed = Signal(list)        # selected run paths
    listed = Signal(int)                    # rows after a refresh

    def __init__(self, parent=None):
        super().__init__(self.tr("Runs"), parent)
        self.setObjectName("dock_runs")
        self.workspace: Path | None = None
        self.runs: dict[str, object] = {}      # path -> RunSummary
        self.busy_run: str | None = None       # the run this window trains now (never deleted)
        self.refreshes = 0
        self.tasks = BackgroundTasks(self)
        self.tasks.finished.connect(self._on_tasks_finished)
        self.tasks.failed.connect(self._on_tasks_failed)
        self.watcher = QFileSystemWatcher(self)
        self.watcher.directoryChanged.connect(lambda _p: self.refresh())
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self._on_timer_timeout)

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        self.folder_label = QLabel(self.tr("Workspace: –"))
        self.folder_label.setObjectName("runs_folder")
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top.addWidget(self.folder_label, 1)
        change = QPushButton(self.tr("Change…"))
        change.setToolTip(self.tr("Choose the folder whose runs are listed and where new runs are written"))
        change.clicked.connect(self.workspace_change_requested)
        top.addWidget(change)
        refresh = QPushButton(self.tr("Refresh"))
        refresh.clicked.connect(self.refresh)
        top.addWidget(refresh)
        layout.addLayout(top)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("runs_table")
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setSortingEnabled(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._on_table_context_menu)
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        self.table.itemDoubleClicked.connect(lambda _item: self._emit_one(self.open_requested))
        layout.addWidget(self.table, 1)

        buttons = QHBoxLayout()
        self.open_button = self._button(self.tr("Open"), self.tr("Show this run's settings, curves, samples and weights"),
                                        lambda: self._emit_one(self.open_requested))
        self.continue_button = self._button(self.tr("Continue…"),
                                            self.tr("Train this run further from its newest checkpoint"),
                                            lambda: self._emit_one(self.continue_requested))
        self.fork_button = self._button(self.tr("Fork…"), self.tr("Start a new run from one of this run's checkpoints "
                                                                  "with changed settings"),
                                        lambda: self._emit_one(self.fork_requested))
        self.compare_button = self._button(self.tr("Compare"), self.tr("Select two or more runs on the same data "
                                                                       "(Ctrl+click) to compare their curves, samples "
                                                                       "and held-out figures"),
                                           lambda: self.compare_requested.emit(self.selected_paths()))
        self.delete_button = self._button(self.tr("Delete…"), self.tr("Delete this run's folder (asks first; never a "
                                                                      "run that is training)"),
                                          lambda: self._emit_one(self.delete_requested))
        self.command_button = self._button(self.tr("Copy command"), self.tr("Copy the 'genlab train' line that trains "
                                                                            "this run's settings again"),
                                           lambda: self._emit_one(self.copy_command_requested))
        self.export_button = QToolButton()
        self.export_button.setText(self.tr("Export"))
        self.export_button.setToolTip(self.tr("Save this run's samples, metrics or network"))
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        for b in (self.open_button, self.continue_button, self.fork_button, self.compare_button,
                  self.delete_button, self.command_button):
            buttons.addWidget(b)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.empty_label = QLabel(self.tr("No runs here yet: press Train, or choose another folder."))
        self.empty_label.setStyleSheet("color: #777")
        layout.addWidget(self.empty_label)
        self.setWidget(body)
        self.update_buttons()

    def _button(self, text: str, tip: str, slot) -> QPushButton:
        b = QPushButton(text)
        b.setToolTip(tip)
        b.clicked.connect(slot)
        return b

    def set_export_menu(self, menu: QMenu) -> None:
        self.export_button.setMenu(menu)

    # ---- the folder ------------------------------------------------------------------------------------
    def set_workspace(self, folder: Path) -> None:
        self.workspace = Path(folder)
        self.folder_label.setText(self.tr("Workspace: {workspace}").format(workspace=self.workspace))
        self.folder_label.setToolTip(str(self.workspace))
        old = self.watcher.directories()
        if old:
            self.watcher.removePaths(old)
        if self.workspace.is_dir():
            self.watcher.addPath(str(self.workspace))
        self.runs = {}
        self.table.setRowCount(0)
        self.refresh()
        self.timer.start()

    def refresh(self) -> None:
        """Re-read the workspace off the GUI thread (the result replaces the rows)."""
        if self.workspace is None:
            return
        # lazy: engine.runs.workspace loads PyTorch, kept out of the window's first paint
        from engine.runs.workspace import list_runs
        self.tasks.submit("list-runs", list_runs, self.workspace)

    def _on_timer_timeout(self) -> None:
        if on_screen(self) and not self.tasks.busy("list-runs"):
            self.refresh()

    def _on_tasks_finished(self, name: str, runs) -> None:
        if name != "list-runs":
            return
        if self.workspace is not None and self.workspace.is_dir() and not self.watcher.directories():
            self.watcher.addPath(str(self.workspace))  # the folder was created after it was chosen
        self.show_runs(runs)

    def _on_tasks_failed(self, name: str, message: str) -> None:
        self.empty_label.setText(self.tr("Could not list the runs: {message}").format(message=message))
        self.empty_label.show()

    def show_runs(self, runs: list) -> None:
        """Replace the rows with ``runs`` (RunSummary, newest first), keeping the selection."""
        selected = set(self.selected_paths())
        self.runs = {str(r.path): r for r in runs}
        table = self.table
        table.setSortingEnabled(False)
        table.blockSignals(True)
        table.clearSelection()
        table.setRowCount(len(runs))
        for row, r in enumerate(runs):
            steps = f"{r.step:,}" + (f" / {int(r.total_steps):,}" if r.total_steps and r.total_steps < 10**8 else "")
            metric = r.best_bits_per_dim if r.best_bits_per_dim is not None else r.best_nll
            cells = [
                SortItem(r.name, r.name), SortItem(r.family or "?", r.family or ""),
                SortItem(_short(r.data or "?"), r.data or ""), SortItem(steps, r.step),
                SortItem(engine_word(r.state), r.state),
                SortItem(_num(r.last_loss), r.last_loss if r.last_loss is not None else math.inf),
                SortItem(metric_text(r), metric if metric is not None else math.inf),
                SortItem(date_text(r.updated_at or r.started_at), r.updated_at or r.started_at or ""),
            ]
            tips = [str(r.path), r.family or "", r.data or "",
                    self.tr("checkpoints at steps {steps}").format(steps=r.checkpoints)
                    if r.checkpoints else self.tr("no checkpoint yet"), r.message or _state_tip(r.state), "", "", ""]
            if r.parent:
                tips[0] += self.tr("\nforked from {parent}").format(parent=r.parent)
            if r.state == "damaged":  # a damaged run is listed, never hidden: the reason is on its row
                tips[0] += self.tr("\ndamaged: {reason}").format(reason=r.message)
            for col, (item, tip) in enumerate(zip(cells, tips)):
                item.setData(Qt.ItemDataRole.UserRole, str(r.path))
                if tip:
                    item.setToolTip(tip)
                if col == 4 and r.state in STATE_COLOURS:
                    item.setForeground(QBrush(QColor(STATE_COLOURS[r.state])))
                table.setItem(row, col, item)
            if str(r.path) in selected:
                table.selectRow(row)
        table.blockSignals(False)
        table.setSortingEnabled(True)
        if self.refreshes == 0:
            table.resizeColumnsToContents()
            table.sortItems(COLUMNS.index("Updated"), Qt.SortOrder.DescendingOrder)  # newest first
        self.refreshes += 1
        self.empty_label.setText(self.tr("No runs here yet: press Train, or choose another folder."))
        self.empty_label.setVisible(not runs)
        self.update_buttons()
        self.listed.emit(len(runs))

    # ---- selection ------------------------------------------------------------------------------------------
    def selected_paths(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        out = []
        for row in rows:
            item = self.table.item(row, 0)
            if item is not None:
                out.append(item.data(Qt.ItemDataRole.UserRole))
        return out

    def select_paths(self, paths) -> None:
        """Select the rows of ``paths`` (the rest are deselected)."""
        wanted = {str(p) for p in paths}
        self.table.clearSelection()
        mode = self.table.selectionMode()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) in wanted:
                self.table.selectRow(row)
        self.table.setSelectionMode(mode)

    def summary(self, path: str):
        return self.runs.get(str(path))

    def _emit_one(self, signal) -> None:
        paths = self.selected_paths()
        if len(paths) == 1:
            signal.emit(paths[0])

    def _on_table_selection_changed(self) -> None:
        self.update_buttons()
        self.selection_changed.emit(self.selected_paths())

    def update_buttons(self, training: bool | None = None) -> None:
        """Enable what fits the selection: one run for most, two or more to compare; nothing that would
        start training while this window trains, and no Delete for a run that is training anywhere."""
        if training is not None:
            self._training = training
        training = getattr(self, "_training", False)
        paths = self.selected_paths()
        one = len(paths) == 1
        s = self.runs.get(paths[0]) if one else None
        live = s is not None and (s.state in ("running", "paused") or paths[0] == self.busy_run)
        self.open_button.setEnabled(one and not training)
        self.continue_button.setEnabled(one and not training and not live and bool(s and s.checkpoints))
        self.fork_button.setEnabled(one and not training and bool(s and s.checkpoints))
        self.compare_button.setEnabled(len(paths) >= 2)
        self.delete_button.setEnabled(one and not live)
        self.command_button.setEnabled(one)
        self.export_button.setEnabled(one)
        why = self.tr("Stop training first") if training else ""
        self.continue_button.setToolTip(why or (self.tr("This run is training now") if live else
                                               self.tr("Train this run further from its newest checkpoint")))
        self.delete_button.setToolTip(self.tr("This run is training now; stop it before deleting it") if live else
                                      self.tr("Delete this run's folder (asks first; never a run that is training)"))

    def _on_table_context_menu(self, pos) -> None:
        menu = QMenu(self)
        for b in (self.open_button, self.continue_button, self.fork_button, self.compare_button,
                  self.command_button, self.delete_button):
            act = menu.addAction(b.text(), b.click)
            act.setEnabled(b.isEnabled())
        if self.export_button.menu() is not None:
            menu.addSeparator()
            sub = menu.addMenu(self.tr("Export"))
            sub.setToolTipsVisible(True)
            for act in self.export_button.menu().actions():
                sub.addAction(act)
        menu.exec(self.table.viewport().mapToGlobal(pos))

    def stop(self) -> None:
        self.timer.stop()
        self.tasks.forget("list-runs")
        self.tasks.join(2.0)


def _num(v) -> str:
    return "–" if v is None else f"{v:.4g}"


def _short(text: str, keep: int = 28) -> str:
    return text if len(text) <= keep else "…" + text[-(keep - 1):]


def _state_tip(state: str) -> str:
    translate = QCoreApplication.translate
    return {"killed": translate("RunsDock", "The process stopped without closing the run (killed or crashed); everything "
                                     "up to its last checkpoint is kept, and Continue resumes from there."),
            "running": translate("RunsDock", "Being trained now (by this window or another process)"),
            "stopped": translate("RunsDock", "Stopped before its planned end; Continue resumes it"),
            "damaged": translate("RunsDock", "Some of this run's files are damaged or not GenLab's")}.get(state, "")

