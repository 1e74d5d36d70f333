"""The window's runs: open, continue, fork, compare, delete, export; save and load configs; faults.

``RunsController`` turns the Runs dock's requests and the File and Export menus into engine calls
(``engine.runs.*``), each run off the GUI thread by ``BackgroundTasks``, and puts the results into
the docks: opening a run shows its config in Setup, its curves in Losses (``read_curves``), its
sample history in Samples (the scrubber reads the run's ``samples/``) and makes it the window's shown
run with its newest weights (``gui.shown_run``: the Latent, Inside and Learn docks follow it, for live
and opened runs alike). Continue is
``resume_config`` plus a resumed runner on the same folder; a fork is ``fork_run`` into a new folder,
then the same. It also answers faults: a non-finite loss offers "roll back and lower the learning
rate" (``Runner.rollback``); a failed write (disk full, read-only folder) is shown in the notice
strip; and on close, when Preferences ask for it, it keeps a run training headless in the background
(``continue_in_background``) or discards it.

The export target is the run selected in Runs, else the shown run (trained here, or opened last).
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QInputDialog, QMenu, QMessageBox

from engine.atomic import write_text_atomic
from engine.config import RunConfig
from engine.errors import GenLabError
from engine.i18n import QT_TRANSLATE_NOOP
from engine.runs.command import continue_in_background, train_command
from engine.runs.records import last_evaluation, steps_from_records
from gui.background import BackgroundTasks
from gui.dialogs.files import folder_path, open_path, save_path
from gui.dialogs.fork_dialog import ForkDialog
from gui.dialogs.preferences import PreferencesDialog
from gui.dialogs.confirm import confirm
from gui.followed_run import FollowedRun
from gui.take_over import TakeOver
from gui.i18n import engine_word
from gui.run_tasks import EXPORTS, TASK_NAMES, compare_task, export_block, export_task, open_task
from gui.settings import WORKSPACE_KEY, new_run_dir, workspace_dir


translate = QCoreApplication.translate

# What the notice strip says when a write fails while training (WriteFailed.what -> text).
WRITE_FAILURE_NOTICES = {
    "metrics": QT_TRANSLATE_NOOP("RunsController", "could not append to {path}: {error}; training continues"),
    "samples": QT_TRANSLATE_NOOP("RunsController", "could not write samples to {path}: {error}; training continues"),
    "checkpoint": QT_TRANSLATE_NOOP("RunsController", "could not save a checkpoint at step {step} in {path}: {error}; "
                                                      "training continues and earlier checkpoints are intact"),
}


class RunsController(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.w = window
        self.background_process = None          # a headless continuation started on close
        self.tasks = BackgroundTasks(self)
        self.followed = FollowedRun(window)      # an opened run that another process is still training
        self.take_over = TakeOver(self)          # continuing such a run here
        self._rollback_asked = False             # a rollback the person asked for (else the loop's own)
        self.tasks.finished.connect(self._on_tasks_finished)
        self.tasks.failed.connect(self._on_tasks_failed)
        self._pending: dict[str, dict] = {}      # task name -> what to do with its result

        def make(text, tip, slot, name=""):
            a = QAction(text, window)
            a.setToolTip(tip)
            a.setStatusTip(tip)
            a.triggered.connect(slot)
            if name:
                a.setObjectName(name)
            return a

        self.save_config_action = make(self.tr("Save run config…"), self.tr("Save the Setup's settings as a config "
                                       "file (genlab train --config FILE trains it)"), lambda: self.save_config())
        self.load_config_action = make(self.tr("Load run config…"), self.tr("Load settings from a config.json or a "
                                       "PNG exported by GenLab"), lambda: self.load_config())
        self.copy_command_action = make(self.tr("Copy as command"),
                                        self.tr("Copy the 'genlab train' line for the Setup's settings"),
                                        lambda: self.copy_setup_command())
        self.preferences_action = make(self.tr("Preferences…"), self.tr("Runs folder; what closing during training does"),
                                       lambda: self.edit_preferences())
        self.export_menu = QMenu(self.tr("&Export"), window)
        self.export_menu.setToolTipsVisible(True)
        self.export_actions: dict[str, QAction] = {}
        for what, (text, _suffix, _filter) in EXPORTS.items():
            a = make(translate("RunTasks", text), "", lambda _c=False, w=what: self.export(w), name=f"export_{what}")
            self.export_menu.addAction(a)
            self.export_actions[what] = a
        self.export_menu.aboutToShow.connect(self.update_export_actions)
        self.update_export_actions()

    # ---- wiring -------------------------------------------------------------------------------------------
    def connect(self) -> None:
        w, d = self.w, self.w.runs_dock
        d.set_export_menu(self.export_menu)
        d.open_requested.connect(self.open_run)
        d.continue_requested.connect(self.continue_run)
        d.fork_requested.connect(self.fork_run)
        d.compare_requested.connect(self.compare)
        d.delete_requested.connect(self.delete_run)
        d.copy_command_requested.connect(self.copy_run_command)
        d.workspace_change_requested.connect(self.choose_workspace)
        d.selection_changed.connect(lambda _p: self.update_export_actions())
        b = w.bridge
        b.run_started.connect(lambda _ev: self._on_training_changed(ended=False))
        b.checkpoint_saved.connect(lambda _ev: d.refresh())
        b.training_finished.connect(lambda _ev: self._on_training_changed(ended=True))
        b.training_failed.connect(lambda _ev: self._on_training_changed(ended=True))
        b.training_failed.connect(self.offer_continue)
        b.rolled_back.connect(self._on_bridge_rolled_back)
        b.write_failed.connect(self._on_bridge_write_failed)
        w.session.state_changed.connect(self._on_session_state_changed)
        w.loader.loaded.connect(self._on_loader_loaded)

    def add_menus(self, menubar, file_menu) -> None:
        """File: save/load config, copy as command, preferences; and the Export menu."""
        first = file_menu.actions()[0] if file_menu.actions() else None
        for a in (self.save_config_action, self.load_config_action, self.copy_command_action):
            file_menu.insertAction(first, a)
        file_menu.insertSeparator(first)
        quit_action = file_menu.actions()[-1] if file_menu.actions() else None
        file_menu.insertAction(quit_action, self.preferences_action)
        file_menu.insertSeparator(quit_action)
        menubar.addMenu(self.export_menu)

    def shutdown(self) -> None:
        self.followed.shutdown()
        self.take_over.tasks.join(2.0)
        self.tasks.join(2.0)
        self.w.runs_dock.stop()

    # ---- state -----------------------------------------------------------------------------------------------
    def _on_session_state_changed(self, state: str) -> None:
        d = self.w.runs_dock
        busy = self.w.session.busy
        d.busy_run = str(self.w.session.run_dir) if busy and self.w.session.run_dir else None
        d.update_buttons(training=busy or state == "starting")

    def _on_training_changed(self, ended: bool) -> None:
        if ended:
            self.w.shown.end_live()
        self.w.runs_dock.refresh()
        self.update_export_actions()

    def target_run(self) -> Path | None:
        sel = self.w.runs_dock.selected_paths()
        if len(sel) == 1:
            return Path(sel[0])
        return self.w.shown.path

    def update_export_actions(self) -> None:
        run = self.target_run()
        s = self.w.runs_dock.summary(str(run)) if run is not None else None
        family = s.family if s is not None else None
        kind = s.kind if s is not None else None
        if s is None and run is not None and self.w.session.runner is not None:
            family = self.w.session.runner.config.family
            kind = self.w.samples_dock.kind
        for what, action in self.export_actions.items():
            why = self.tr("Select a run in Runs (or train one) first") if run is None else ""
            if not why and family is not None and what in ("onnx", "torch-export"):
                why = export_block(family, kind, what)
            action.setEnabled(not why)
            action.setToolTip(why or self.tr("{what} of {run}").format(
                what=translate("RunTasks", EXPORTS[what][0]).rstrip("…"), run=run.name))

    # ---- open and continue ----------------------------------------------------------------------------------
    def _refuse_while_training(self, what: str) -> bool:
        if self.w.session.busy or self.w.session.state == "starting":
            self.w.log("warning", self.tr("cannot {what} while this window is training (or starting); stop it first")
                       .format(what=what))
            return True
        return False

    def open_run(self, path: str) -> None:
        if self._refuse_while_training(self.tr("open a run")):
            return
        self.w.log("info", self.tr("opening run {name}…").format(name=Path(path).name))
        self._submit("open-run", open_task, str(path), then={"action": "show"})

    def continue_run(self, path: str, more_steps: int | None = None, take_over: bool | None = None) -> None:
        """Train ``path`` further from its newest checkpoint; asks how many more steps unless given. A run
        another process here trains is taken over first (``gui.take_over``; ``take_over`` answers its
        question)."""
        if self._refuse_while_training(self.tr("continue a run")) or self.take_over.first(path, more_steps, take_over):
            return
        s = self.w.runs_dock.summary(str(path))
        if more_steps is None:
            done = (s.checkpoint_step or 0) if s is not None else 0
            total = int(s.total_steps) if s is not None and s.total_steps and s.total_steps < 10**8 else 0
            left = total - done if total > done else 0
            label = (self.tr("Continue {run} from its checkpoint at step {done:,} for how many more steps?")
                     .format(run=Path(path).name, done=done)
                     + (self.tr("\n{left:,} finish its planned {total:,}.").format(left=left, total=total) if left else ""))
            n, ok = QInputDialog.getInt(self.w, self.tr("Continue training"), label, left or max(total, 1000), 1,
                                        100_000_000)
            if not ok:
                return
            more_steps = n
        self.w.log("info", self.tr("continuing run {run} for {steps:,} more steps…")
                   .format(run=Path(path).name, steps=more_steps))
        self._submit("open-run", open_task, str(path), more_steps, True, then={"action": "continue"})

    def _show_opened(self, opened, snapshot, upto: int | None = None) -> None:
        w = self.w
        cfg = opened.config
        kind = opened.summary.kind
        w.setup_dock.show_run_config(cfg, kind)
        steps = steps_from_records(opened.curves, upto)
        w.losses_dock.clear()
        w.losses_dock.add_steps(steps)
        w.losses_dock.finish()
        # The Learn dock explains the opened run with its recorded numbers (newest step and evaluation).
        w.learn_dock.set_family(cfg.family, cfg.to_dict().get("model") or {})
        w.learn_dock.add_steps(steps[-1:])
        last_eval = last_evaluation(opened.curves, upto)
        if last_eval is not None:
            w.learn_dock.add_evaluation(last_eval)
        w.samples_dock.start_run(opened.path, kind or "image")
        w.samples_dock.refresh_history()
        if w.samples_dock.history:
            w.samples_dock.show_history(len(w.samples_dock.history) - 1)
        w.shown.show(opened.path, cfg.family, live=False)
        if snapshot is not None:
            w.shown.set_snapshot(snapshot)
        w.runs_dock.select_paths([str(opened.path)])
        self.update_export_actions()
        s = opened.summary
        if s.state in ("running", "paused") and upto is None:  # trained by another process right now: follow it
            self.followed.follow(opened.path)
        w.log("info", self.tr("opened run {run}: {family} on {data}, step {step:,}, {state}; {n} sample grids, checkpoints at {steps}")
            .format(run=opened.path.name, family=cfg.family, data=cfg.data.name, step=s.step,
                    state=engine_word(s.state), n=len(opened.samples), steps=opened.checkpoints or self.tr("none")))

    def _on_loader_loaded(self, _key: str, dataset) -> None:
        """An opened run of points: its held-out data under the stored samples."""
        sd = self.w.samples_dock
        if sd.kind == "points" and sd.scatter_view.reference is None and dataset.spec.kind == "points":
            sd.set_reference(dataset.x_test[:5000].numpy())

    # ---- fork ---------------------------------------------------------------------------------------------------
    def fork_run(self, path: str) -> None:
        if self._refuse_while_training(self.tr("fork a run")):
            return
        # lazy: engine.runs.folder loads PyTorch, kept out of the window's first paint
        from engine.runs.folder import RunFolder
        s = self.w.runs_dock.summary(str(path))
        try:
            config = RunFolder(path).read_config()
        except GenLabError as e:
            self._report(self.tr("fork"), str(e))
            return
        dialog = ForkDialog(Path(path).name, config, list(s.checkpoints) if s is not None else [], self.w)
        if dialog.exec() != dialog.DialogCode.Accepted:
            return
        self.fork(path, dialog.step(), dialog.overrides(), dialog.more_steps(), dialog.start_training())

    def fork(self, path: str, step: int | None, overrides: list[str], more_steps: int | None,
             start: bool = True) -> None:
        # lazy: engine.runs.fork and .folder load PyTorch, kept out of the window's first paint
        from engine.runs.fork import fork_run
        from engine.runs.folder import RunFolder
        config = RunFolder(path).read_config()
        out = new_run_dir(config.data.name, f"{config.family}-fork", self.w.session.workspace)
        what = ", ".join(overrides) or self.tr("no changes")
        self.w.log("info", self.tr("forking {run} at step {step} ({what}) into {new_run}…")
                   .format(run=Path(path).name, step=step if step is not None else self.tr("newest"), what=what, new_run=out.name))
        self._submit("fork", fork_run, str(path), str(out), step, list(overrides), more_steps,
                     then={"action": "forked", "out": str(out), "start": start})

    # ---- compare and delete --------------------------------------------------------------------------------------
    def compare(self, paths: list[str]) -> None:
        if len(paths) < 2:
            self.w.log("warning", self.tr("select two or more runs to compare (Ctrl+click in Runs)"))
            return
        dock = self.w.compare_dock
        dock.present()
        dock.show_busy([Path(p).name for p in paths])
        self._submit("compare", compare_task, [str(p) for p in paths], then={"action": "compared"})

    def delete_run(self, path: str, confirmed: bool = False) -> None:
        name = Path(path).name
        if self.w.session.busy and self.w.session.run_dir is not None and Path(path) == Path(self.w.session.run_dir):
            self._report(self.tr("delete"), self.tr("{run} is training in this window; stop it before deleting it")
                         .format(run=name))
            return
        if not confirmed and not confirm(self.w, "delete", self.tr("Delete run"),
                                         self.tr("Delete the run <b>{run}</b> with its checkpoints, curves and samples? "
                                                 "This cannot be undone.").format(run=name),
                                         self.tr("Delete"), destructive=True):
            return
        # lazy: engine.runs.workspace loads PyTorch, kept out of the window's first paint
        from engine.runs.workspace import delete_run
        self._submit("delete", delete_run, str(path), then={"action": "deleted", "path": str(path)})

    # ---- export, configs, commands -------------------------------------------------------------------------------
    def export(self, what: str, out: str | None = None) -> None:
        run = self.target_run()
        if run is None:
            self._report(self.tr("export"), self.tr("select a run in Runs (or train one) first"))
            return
        text, suffix, file_filter = (translate("RunTasks", t) if i != 1 else t for i, t in enumerate(EXPORTS[what]))
        if out is None:
            suggested = str(Path.home() / f"{run.name}-{'samples' if what in ('png', 'gif') else what}{suffix}")
            out = save_path(self.w, text.rstrip("…"), suggested, file_filter)
            if not out:
                return
            if not out.lower().endswith(suffix):
                out += suffix
        self.w.log("info", self.tr("exporting {run}: {what} to {out}…").format(run=run.name, what=text.rstrip("…"), out=out))
        self._submit("export", export_task, str(run), what, str(out), then={"action": "exported", "what": what})

    def save_config(self, out: str | None = None) -> bool:
        try:
            config = self.w.setup_dock.config()
        except GenLabError as e:
            self._report(self.tr("save the config"), str(e))
            return False
        if out is None:
            out = save_path(self.w, self.tr("Save run config"), str(Path.home() / f"{config.data.name}-{config.family}.json"
                                                                    if "/" not in config.data.name else Path.home() / "config.json"),
                            self.tr("Run configs (*.json)"))
            if not out:
                return False
        try:
            write_text_atomic(Path(out), config.to_json())
        except OSError as e:
            self._report(self.tr("save the config"), f"{out}: {e.strerror or e}")
            return False
        self.w.log("info", self.tr("saved the run config to {out} (genlab train --config {out} trains it)").format(out=out))
        return True

    def load_config(self, path: str | None = None) -> bool:
        if path is None:
            path = open_path(self.w, self.tr("Load run config"), self.tr("Run configs (*.json *.png);;All files (*)"))
            if not path:
                return False
        try:
            if path.lower().endswith(".png"):
                # lazy: engine.runs.export loads PyTorch, kept out of the window's first paint
                from engine.runs.export import config_from_png
                config = config_from_png(path)
            else:
                config = RunConfig.load(path)
        except GenLabError as e:
            self._report(self.tr("load the config"), str(e))
            return False
        except OSError as e:
            self._report(self.tr("load the config"), f"{path}: {e.strerror or e}")
            return False
        if config.family not in [self.w.setup_dock.family_combo.itemData(i)
                                 for i in range(self.w.setup_dock.family_combo.count())]:
            self._report(self.tr("load the config"), self.tr("{path}: the {family} family is not available here")
                         .format(path=path, family=config.family))
            return False
        config = self.confirm_sources(config, path)
        self.w.setup_dock.show_run_config(config)
        self.w.log("info", self.tr("loaded the run config from {path}: {family} on {name}").format(path=path, family=config.family, name=config.data.name))
        return True

    def confirm_sources(self, config, path: str):
        """A config from a file may name built-in and downloadable sets on its own; its download mirrors
        and a path to files on this machine are asked about first (``engine.data.sources``). Refused:
        the mirrors are cleared and the Setup's current data is kept instead of the path."""
        # lazy: engine.data (a package that loads PyTorch) stays out of the window's first paint
        from engine.data.sources import MIRRORS_TEXT, PATH_TEXT, requests, without_requests
        asked = requests(config.data)
        if not asked:
            return config
        items = "".join("<li>{}</li>".format(translate("engine", MIRRORS_TEXT if r.kind == "mirrors" else PATH_TEXT)
                                             .format(detail=html.escape(r.detail))) for r in asked)
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Config from a file"),
                          self.tr("The config in <b>{name}</b> asks GenLab to:<ul>{items}</ul>Allow this? A config "
                                  "from a file may name built-in and downloadable datasets on its own; anything "
                                  "else needs your permission.").format(name=html.escape(Path(path).name), items=items),
                          parent=self.w)
        box.setObjectName("sources_confirm")
        allow = box.addButton(self.tr("Allow"), QMessageBox.ButtonRole.AcceptRole)
        allow.setObjectName("sources_allow")
        refuse = box.addButton(self.tr("Don't allow"), QMessageBox.ButtonRole.RejectRole)
        refuse.setObjectName("sources_refuse")
        box.setDefaultButton(refuse)
        box.exec()
        if box.clickedButton() is allow:
            self.w.log("warning", self.tr("allowed the config from {path} to {what}")
                       .format(path=path, what="; ".join(r.detail for r in asked)))
            return config
        try:
            current = self.w.setup_dock.config().data.name
        except GenLabError:
            current = "moons"
        self.w.log("info", self.tr("did not allow the config from {path} to {what}; its data mirrors were cleared "
                                   "and the Setup's data kept").format(path=path, what="; ".join(r.detail for r in asked)))
        return without_requests(config, current)

    def copy_setup_command(self) -> str | None:
        try:
            config = self.w.setup_dock.config()
        except GenLabError as e:
            self._report(self.tr("copy the command"), str(e))
            return None
        return self._copy(train_command(config, "runs/new-run"))

    def copy_run_command(self, path: str) -> str | None:
        # lazy: engine.runs.folder loads PyTorch, kept out of the window's first paint
        from engine.runs.folder import RunFolder
        try:
            config = RunFolder(path).read_config()
        except GenLabError as e:
            self._report(self.tr("copy the command"), str(e))
            return None
        return self._copy(train_command(config, f"runs/{Path(path).name}-again"))

    def _copy(self, line: str) -> str:
        QGuiApplication.clipboard().setText(line)
        self.w.log("info", self.tr("copied to the clipboard: {line}").format(line=line))
        self.w.statusBar().showMessage(self.tr("Command copied to the clipboard"), 4000)
        return line

    # ---- workspace and preferences -------------------------------------------------------------------------------
    def choose_workspace(self) -> None:
        path = folder_path(self.w, self.tr("Runs folder"), str(self.w.session.workspace or ""))
        if path:
            self.set_workspace(path)

    def set_workspace(self, path: str | None) -> None:
        """Use ``path`` for new runs and the Runs list (None or '': the default folder); remembered."""
        self.w.settings.setValue(WORKSPACE_KEY, str(path or ""))
        self.apply_workspace(workspace_dir(self.w.settings))

    def apply_workspace(self, folder: Path) -> None:
        self.w.session.workspace = Path(folder)
        self.w.runs_dock.set_workspace(Path(folder))

    def edit_preferences(self) -> None:
        # lazy: engine.runs.workspace loads PyTorch, kept out of the window's first paint
        from engine.runs.workspace import default_workspace
        dialog = PreferencesDialog(self.w.settings, str(default_workspace()), self.w)
        if dialog.exec() == dialog.DialogCode.Accepted:
            dialog.save()
            folder = workspace_dir(self.w.settings)
            if self.w.session.workspace is None or Path(folder) != Path(self.w.session.workspace):
                self.apply_workspace(folder)

    # ---- faults ---------------------------------------------------------------------------------------------------
    def offer_rollback(self, ev) -> None:
        """A non-finite loss paused training: say so, and offer to roll back with a lower learning rate."""
        self.w.notice.notify("warning", self.tr("Non-finite loss ({terms}) at step {step:,}: training paused. Roll back to the last good checkpoint and "
                    "lower the learning rate, or Reset and train again.").format(terms=', '.join(ev.terms), step=ev.step),
                             action=(self.tr("Roll back and lower the learning rate"), self.rollback))

    def offer_continue(self, ev) -> bool:
        """The training process died (killed, a native abort, out of memory): the window keeps working,
        the run folder holds everything to its last checkpoint, and Continue trains on from there."""
        session = self.w.session
        runner = session.runner
        ckpt = getattr(runner, "last_checkpoint", None)
        if runner is None or not getattr(runner, "exit_code", None) or ckpt is None or session.run_dir is None:
            return False
        run_dir, left = str(session.run_dir), max(1, session.total_steps - ckpt)
        self.w.notice.notify("error", self.tr("Training stopped: {message}. The window and the run are safe: the run "
                                              "keeps everything to its checkpoint at step {step:,}, and Continue trains "
                                              "on from there.").format(message=ev.message, step=ckpt),
                             ev.crash_log, action=(self.tr("Continue"), lambda: self.continue_run(run_dir, left)))
        return True

    def rollback(self, lr_factor: float = 0.5) -> bool:
        if not self.w.session.rollback(lr_factor):
            self.w.log("warning", self.tr("nothing to roll back: no run is training"))
            return False
        self.w.log("info", self.tr("rolling back to the last good checkpoint with the learning rate x{lr_factor:g}…").format(lr_factor=lr_factor))
        self._rollback_asked = True
        return True

    def _on_bridge_rolled_back(self, ev) -> None:
        if not self._rollback_asked:      # the loop's own answer to a diverging loss: say it where it is seen
            self.w.notice.notify("warning", self.tr("The loss blew up at step {from_step:,}: training went back to its "
                                                    "checkpoint at step {step:,} with the learning rate halved to "
                                                    "{lr:.3g} (the Log has the figures).")
                                 .format(from_step=ev.from_step, step=ev.step, lr=ev.lr))
        self._rollback_asked = False
        self.w.setup_dock.train_form.set_values({"lr": ev.lr})
        run_dir = self.w.session.run_dir
        if run_dir is not None:
            # lazy: engine.runs.workspace loads PyTorch, kept out of the window's first paint
            from engine.runs.workspace import read_curves
            self._submit("curves", read_curves, str(run_dir), then={"action": "curves"})

    def _on_bridge_write_failed(self, ev) -> None:
        """A write that failed while training (disk full, a folder made read-only): the Log has the
        engine's line, and the notice strip says it too, since the person must act before the disk is
        needed again. A failed ``status.json`` update is only logged: that file serves the runs list,
        and training loses nothing by it."""
        template = WRITE_FAILURE_NOTICES.get(ev.what)
        if template is not None:
            self.w.notice.notify("warning", self.tr(template).format(step=ev.step, path=ev.path, error=ev.error))

    # ---- closing --------------------------------------------------------------------------------------------------
    def close_with(self, choice: str, timeout: float = 10.0) -> bool:
        """Carry out the close dialog's "background" or "discard" for the run being trained."""
        session = self.w.session
        run_dir = session.run_dir
        if choice == "background" and session.keep_in_background():  # the training process goes on alone
            self.background_process = session.runner
            self.w.log("info", self.tr("training continues in the background (process {pid}); output in {path}")
                       .format(pid=session.runner.pid, path=Path(run_dir) / 'worker.log'))
            return True
        # discard: nothing to save, end it now; otherwise stop with a checkpoint
        ended = session.kill() if choice == "discard" else session.shutdown(timeout)
        if run_dir is None:
            return ended
        if not ended:
            self.w.log("warning", self.tr("the run did not stop within {timeout:.0f} s; it was left as it is in {run_dir}").format(timeout=timeout, run_dir=run_dir))
            return False
        try:
            if choice == "background":  # a run trained on this window's thread: a headless process continues it
                self.background_process = continue_in_background(run_dir)
                self.w.log("info", self.tr("training continues in the background (process {pid}); output in {path}")
                   .format(pid=self.background_process.pid, path=Path(run_dir) / 'background.log'))
            elif choice == "discard":
                # lazy: engine.runs.workspace loads PyTorch, kept out of the window's first paint
                from engine.runs.workspace import delete_run
                delete_run(run_dir)
                self.w.log("info", self.tr("discarded the run {name}").format(name=Path(run_dir).name))
        except GenLabError as e:
            self.w.log("error", str(e))
            return False
        return True

    # ---- tasks ------------------------------------------------------------------------------------------------------
    def _submit(self, name: str, fn, *args, then: dict) -> None:
        self._pending[name] = then
        self.tasks.submit(name, fn, *args)

    def _on_tasks_finished(self, name: str, result) -> None:
        then = self._pending.pop(name, {})
        action = then.get("action")
        w = self.w
        if action in ("show", "continue"):
            opened, config = result["opened"], result["config"]
            if action == "continue":
                if self._refuse_while_training(self.tr("continue a run")):
                    return
                upto = opened.checkpoints[-1] if opened.checkpoints else None
                self._show_opened(opened, result["snapshot"], upto=upto)
                w.start_run(config, run_dir=opened.path, resume=True)
            else:
                self._show_opened(opened, result["snapshot"])
        elif action == "forked":
            w.runs_dock.refresh()
            w.log("info", self.tr("forked into {name} (its config records the parent)").format(name=Path(then['out']).name))
            if then.get("start"):
                self._submit("open-run", open_task, then["out"], None, True, then={"action": "continue"})
        elif action == "compared":
            w.compare_dock.show_comparison(result["comparison"], result["dims"], result["picture"])
            w.log("info", self.tr("compared {runs}").format(
                runs=", ".join(f"{r.name} ({r.family})" for r in result["comparison"].runs)))
        elif action == "deleted":
            if w.shown.is_shown(then["path"]):
                w.shown.clear()
            w.runs_dock.refresh()
            w.log("info", self.tr("deleted the run {name}").format(name=Path(then['path']).name))
        elif action == "exported":
            w.log("info", self.tr("exported {result}").format(result=result))
            w.statusBar().showMessage(self.tr("Exported {result}").format(result=result), 6000)
        elif action == "curves":
            w.losses_dock.clear()
            w.losses_dock.add_steps(steps_from_records(result))

    def _on_tasks_failed(self, name: str, message: str) -> None:
        then = self._pending.pop(name, {})
        if then.get("action") == "compared":
            self.w.compare_dock.show_error(message)
        self._report(translate("RunTasks", TASK_NAMES.get(name, name)), message)

    def _report(self, what: str, message: str) -> None:
        self.w.log("error", self.tr("could not {what}: {message}").format(what=what, message=message))
        self.w.notice.notify("error", self.tr("Could not {what}: {message}").format(what=what, message=message))
