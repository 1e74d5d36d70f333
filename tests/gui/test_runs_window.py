"""Runs in the window (issue 7): a killed run opened, continued, compared and exported; forks, deletes,
configs and commands; faults (non-finite loss, a failed write) and closing while training.

The kill is real: GenLab's window runs in a subprocess, trains, and is sent SIGKILL. Dialogs are
driven as a person would: a timer finds the modal dialog and presses its buttons.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (QApplication, QDialog, QFileDialog, QInputDialog, QLineEdit, QMessageBox,
                               QPushButton)

from tests.gui.conftest import choose, start_in_process_run

ROOT = Path(__file__).resolve().parents[2]

GUI_TRAINER = r"""
import sys
from PySide6.QtCore import QTimer
from gui.app import make_app
app = make_app()
from gui.main_window import MainWindow
from gui.settings import open_settings
w = MainWindow(settings=open_settings(sys.argv[1]))
w.show()
def go():
    if w.session.state != "idle" or w.data_dock.dataset is None:
        QTimer.singleShot(50, go)
        return
    form = w.setup_dock.train_form.widgets
    form["steps"].setValue(1_000_000)
    form["checkpoint_every"].setValue(20)
    form["sample_every"].setValue(15)
    form["log_every"].setValue(5)
    w.controls.train.trigger()
QTimer.singleShot(50, go)
app.exec()
"""


def later(ms: int, fn) -> None:
    """Run ``fn`` once a modal dialog is up (``exec`` blocks the caller). If ``fn`` fails, every modal
    dialog is closed so the test fails instead of waiting forever (pytest-qt reports the error)."""
    def run():
        try:
            fn()
        except BaseException:
            while QApplication.activeModalWidget() is not None:
                QApplication.activeModalWidget().reject()
            raise
    QTimer.singleShot(ms, run)


def modal(kind):
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, kind), f"expected a {kind.__name__}, found {dialog!r}"
    return dialog


def click(dialog, name: str) -> None:
    button = next(b for b in dialog.findChildren(QPushButton) if b.objectName() == name or b.text() == name)
    button.click()


def _progress_of(workspace: Path) -> str:
    """What the window's run folder holds so far, for a failure message."""
    out = []
    for run in workspace.glob("*-vae"):
        metrics = (run / "metrics.jsonl").read_text() if (run / "metrics.jsonl").is_file() else ""
        out.append(f"{run.name}: checkpoints {sorted(p.name for p in run.glob('checkpoints/*.json'))}, "
                   f"grids {sorted(p.name for p in run.glob('samples/step_*.png'))}, metrics tail {metrics[-600:]!r}")
    return "; ".join(out) or "no vae run folder"


def _newest_checkpoint_step(workspace: Path) -> int:
    """The newest checkpoint step of the window's VAE run (-1 before its first checkpoint)."""
    steps = [int(p.name[len("ckpt_"):-len(".json")]) for p in workspace.glob("*-vae/checkpoints/ckpt_*.json")]
    return max(steps, default=-1)


def flow_run_on_moons(folder: Path, steps: int = 30) -> Path:
    """A quick run of another family on the window's default data (moons with its default settings)."""
    from engine.config import RunConfig
    from tests.engine.runs_helpers import TINY_MODELS, train
    cfg = RunConfig(family="flow")
    for k, v in TINY_MODELS["flow"].items():
        setattr(cfg.model, k, v)
    cfg.train.steps, cfg.train.batch_size, cfg.train.threads, cfg.train.eval_limit = steps, 64, 1, 200
    train(cfg, folder)
    return folder


def test_a_killed_run_reopens_continues_compares_with_another_family_and_exports_a_gif(
        make_window, qtbot, tmp_path, workspace):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", GENLAB_TEST="1", GENLAB_WORKSPACE=str(workspace),
               PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", GUI_TRAINER, str(tmp_path / "other.ini")], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        flow = flow_run_on_moons(workspace / "flow-on-moons")   # meanwhile, a run of another family
        deadline = time.monotonic() + 150
        # A checkpoint at step 40 or later and at least two stored sample grids. On a busy machine the
        # second grid comes hundreds of steps later (the sample schedule keeps to its share of the time),
        # and by then step 40's checkpoint has been rotated away: wait for any checkpoint at 40 or later.
        while not (_newest_checkpoint_step(workspace) >= 40
                   and len(list(workspace.glob("*-vae/samples/step_*.png"))) >= 2):
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, ("the GenLab window did not reach step 40 and two grids in time: "
                                                 + _progress_of(workspace))
            time.sleep(0.1)
        # the window trains in a process of its own (which stops cleanly when only the window dies):
        # kill both, as a power cut or the system would; the trainer's pid is in the run's status.json
        trainer = json.loads(next(workspace.glob("*-vae/status.json")).read_text())["pid"]
        assert trainer != proc.pid
        os.kill(trainer, signal.SIGKILL)
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        proc.stderr.close()
    killed = next(p for p in workspace.iterdir() if p.name.endswith("-vae"))

    w = make_window()   # GenLab started again
    dock = w.runs_dock
    qtbot.waitUntil(lambda: dock.table.rowCount() == 2, timeout=20_000)
    row = dock.summary(str(killed))
    assert row.state == "killed" and row.checkpoint_step >= 40 and row.family == "vae"
    states = {dock.table.item(r, 0).text(): dock.table.item(r, 4).text() for r in range(2)}
    assert states[killed.name] == "killed" and states[flow.name] == "finished"

    dock.select_paths([killed])
    assert dock.open_button.isEnabled() and dock.continue_button.isEnabled()
    dock.open_button.click()
    qtbot.waitUntil(lambda: w.shown.path == killed, timeout=20_000)
    assert w.setup_dock.family == "vae" and w.setup_dock.data_name() == "moons"
    assert w.setup_dock.train_form.widgets["checkpoint_every"].value() == 20   # its config, not a preset
    assert w.losses_dock.point_count() > 0
    assert len(w.samples_dock.history) >= 2 and w.samples_dock.caption.text().startswith("Stored")
    recorded = [json.loads(line) for line in (killed / "metrics.jsonl").read_text().splitlines() if line.strip()]
    last = [r for r in recorded if r.get("event") == "train"][-1]
    assert w.learn_dock.latest.step == last["step"] and w.learn_dock.latest.losses["kl"] == last["kl"]
    saved = row.checkpoint_step

    def more_steps():
        dialog = modal(QInputDialog)
        dialog.setIntValue(30)
        dialog.accept()
    later(300, more_steps)
    with qtbot.waitSignal(w.bridge.training_finished, timeout=90_000) as done:
        dock.continue_button.click()
    assert done.args[0].reason == "completed" and done.args[0].step == saved + 30
    assert w.session.run_dir == killed
    x, _ = w.losses_dock.curves["loss"].getData()
    assert x.min() <= saved < x.max() and x.max() == saved + 30             # old and new curve, one line
    assert np.all(np.diff(w.losses_dock.series["loss"].steps.view()) > 0)              # no step twice
    assert w.samples_dock.history[0][0] < saved                              # the grids from before the kill

    qtbot.waitUntil(lambda: dock.summary(str(killed)) is not None and dock.summary(str(killed)).state == "finished",
                    timeout=20_000)
    dock.select_paths([killed, flow])
    assert dock.compare_button.isEnabled()
    dock.compare_button.click()
    qtbot.waitUntil(lambda: w.compare_dock.comparison is not None, timeout=60_000)
    rows = {r[0]: r for r in w.compare_dock.table_rows()}
    assert set(rows) == {killed.name, flow.name}
    assert rows[killed.name][1] == "vae" and rows[flow.name][1] == "flow"
    assert all(r[3] == "nats" for r in rows.values())                        # one axis
    assert rows[killed.name][4] == "bound" and rows[flow.name][4] == "exact"
    assert len(w.compare_dock.items) == 2 and w.compare_dock.picture.image is not None

    dock.select_paths([killed])
    w.runs_controller.update_export_actions()
    gif = tmp_path / "samples over time.gif"

    def save_as():
        dialog = modal(QFileDialog)
        dialog.findChild(QLineEdit, "fileNameEdit").setText(str(gif))   # typed into the file name field
        dialog.accept()
    later(300, save_as)
    w.runs_controller.export_actions["gif"].trigger()
    qtbot.waitUntil(gif.exists, timeout=30_000)
    with Image.open(gif) as im:
        frames = im.n_frames
    assert frames == len(list((killed / "samples").glob("step_*.png"))) and frames >= 3


def small_run(folder: Path, family: str = "vae", steps: int = 40):
    from tests.engine.runs_helpers import tiny_config, train
    cfg = tiny_config(family, steps=steps, checkpoint_every=20, sample_every=20)
    train(cfg, folder)
    return folder


def test_fork_delete_export_limits_configs_and_commands(make_window, qtbot, tmp_path, workspace):
    parent = small_run(workspace / "parent-vae")
    ar = small_run(workspace / "an-ar-run", family="ar", steps=10)
    w = make_window()
    dock, ctl = w.runs_dock, w.runs_controller
    qtbot.waitUntil(lambda: dock.table.rowCount() == 2, timeout=20_000)

    # export: what the family cannot export is disabled, with the reason as its tooltip
    dock.select_paths([ar])
    ctl.update_export_actions()
    for what in ("onnx", "torch-export"):
        assert not ctl.export_actions[what].isEnabled()
        assert "autoregressive family samples by a loop" in ctl.export_actions[what].toolTip()
    assert ctl.export_actions["gif"].isEnabled() and ctl.export_actions["csv"].isEnabled()
    dock.select_paths([parent])
    ctl.update_export_actions()
    assert ctl.export_actions["onnx"].isEnabled() and ctl.export_actions["torch-export"].isEnabled()
    png = tmp_path / "grid.png"
    ctl.export("png", str(png))
    qtbot.waitUntil(png.exists, timeout=20_000)

    # a picture carries its config back into the window; a config file round-trips; copy as command
    from engine.config import RunConfig
    from engine.cli.train_line import config_from_command
    assert ctl.load_config(str(png))
    assert w.setup_dock.config().to_dict()["model"] == RunConfig.load(parent / "config.json").to_dict()["model"]
    w.setup_dock.train_form.widgets["lr"].setValue(0.00123)
    saved = tmp_path / "mine.json"
    assert ctl.save_config(str(saved))
    assert RunConfig.load(saved).train.lr == pytest.approx(0.00123)
    line = ctl.copy_setup_command()
    assert QApplication.clipboard().text() == line and line.startswith("genlab train --model vae")
    assert config_from_command(line).to_dict() == w.setup_dock.config().to_dict()
    choose(w, "moons", "flow")
    assert ctl.load_config(str(saved)) and w.setup_dock.family == "vae"
    assert w.setup_dock.train_form.widgets["lr"].value() == pytest.approx(0.00123)

    # fork from the first checkpoint with a lower learning rate: the fork records its parent
    def fork_settings():
        dialog = modal(QDialog)
        assert dialog.objectName() == "fork_dialog"
        dialog.checkpoint_combo.setCurrentIndex(dialog.checkpoint_combo.findData(20))
        dialog.steps_spin.setValue(15)
        dialog.train_form.widgets["lr"].setValue(0.0005)
        dialog.accept()
    dock.select_paths([parent])
    later(300, fork_settings)
    with qtbot.waitSignal(w.bridge.training_finished, timeout=60_000) as done:
        dock.fork_button.click()
    fork = w.session.run_dir
    assert fork != parent and fork.parent == workspace and done.args[0].step == 35
    cfg = json.loads((fork / "config.json").read_text())
    assert cfg["parent"] == str(parent.resolve()) and cfg["train"]["lr"] == 0.0005
    assert cfg["resolved"]["forked_from"]["step"] == 20

    # delete: asks first; Cancel keeps the run, Yes removes it
    qtbot.waitUntil(lambda: dock.table.rowCount() == 3, timeout=20_000)
    dock.select_paths([ar])
    later(300, lambda: click(modal(QMessageBox), "delete_cancel"))
    dock.delete_button.click()
    qtbot.wait(300)
    assert ar.exists()
    later(300, lambda: click(modal(QMessageBox), "delete_yes"))
    dock.delete_button.click()
    qtbot.waitUntil(lambda: not ar.exists() and dock.table.rowCount() == 2, timeout=20_000)

    # closing while training, asked to discard (and confirming): the run is stopped and its folder removed
    from gui.settings import CLOSE_ASK_KEY
    w.settings.setValue(CLOSE_ASK_KEY, "true")
    choose(w, "moons", "vae", steps=1_000_000)
    with qtbot.waitSignal(w.bridge.steps_completed, timeout=60_000):
        w.controls.train.trigger()
    doomed = w.session.run_dir
    assert not dock.delete_button.isEnabled() or dock.selected_paths() != [str(doomed)]

    def discard():
        click(modal(QMessageBox), "close_discard")
        later(300, lambda: click(modal(QMessageBox), "discard_yes"))
    later(300, discard)
    w.close()
    assert not w.session.runner.alive and not doomed.exists()
    assert parent.exists() and fork.exists()


def test_faults_roll_back_report_failed_writes_and_closing_can_keep_training_headless(
        make_window, qtbot, tmp_path, workspace):
    from gui.settings import CLOSE_ASK_KEY
    w = make_window()
    # In-process training (a thread of the window): this test poisons the live model's weights, which
    # only a thread of this process can reach; a training process's faults are test_window_process.py's.
    w.settings.setValue(CLOSE_ASK_KEY, "true")
    runner, lr = start_in_process_run(w, "vae")
    form = w.setup_dock.train_form.widgets
    with qtbot.waitSignal(w.bridge.checkpoint_saved, timeout=60_000):
        pass
    assert w.runs_dock.busy_run == str(w.session.run_dir)
    assert not w.runs_dock.open_button.isEnabled()          # nothing that would replace the live run
    with qtbot.waitSignal(w.bridge.training_paused, timeout=10_000):
        w.controls.pause.trigger()
    with torch.no_grad():                                     # a real non-finite loss: poisoned weights
        next(runner.trainer.model.parameters()).fill_(float("nan"))
    with qtbot.waitSignal(w.bridge.non_finite_loss, timeout=20_000):
        w.controls.pause.trigger()
    qtbot.waitUntil(lambda: w.notice.isVisible() and w.notice.action_button.isVisible(), timeout=10_000)
    assert "Non-finite loss" in w.notice.label.text()
    with qtbot.waitSignal(w.bridge.rolled_back, timeout=20_000) as back:
        w.notice.action_button.click()
    assert back.args[0].lr == pytest.approx(lr / 2)
    assert form["lr"].value() == pytest.approx(lr / 2)
    qtbot.waitUntil(lambda: w.session.state == "running", timeout=10_000)
    step = runner.trainer.step
    qtbot.waitUntil(lambda: runner.trainer.step > step + 10, timeout=30_000)

    # a write that fails while training (the samples folder replaced by a file) is shown; training goes on
    samples = w.session.run_dir / "samples"
    for p in samples.iterdir():
        p.unlink()
    samples.rmdir()
    samples.write_text("not a folder")
    w.setup_dock.train_form.widgets["sample_every"].setValue(5)   # a live change: samples are drawn soon
    qtbot.waitUntil(lambda: "could not write samples" in w.notice.label.text(), timeout=30_000)
    step = runner.trainer.step
    qtbot.waitUntil(lambda: runner.trainer.step > step + 5, timeout=30_000)
    samples.unlink()

    # closing asks (Preferences); "keep training in the background" hands the run to a detached process
    run_dir = w.session.run_dir
    later(300, lambda: click(modal(QMessageBox), "close_keep"))
    w.close()
    bg = w.runs_controller.background_process
    assert bg is not None and not runner.alive
    try:
        # a detached `genlab train --resume RUN` (its own session: closing the window does not stop it);
        # that it trains the run to its end is engine/tests' test_a_killed_run_lists_as_killed...
        assert bg.args[-4:] == ["train", "--resume", str(run_dir), "--quiet"]
        assert os.getsid(bg.pid) != os.getsid(0)
        assert (run_dir / "background.log").exists()
        time.sleep(0.5)
        assert bg.poll() is None, (run_dir / "background.log").read_text()[-2000:]
    finally:
        bg.kill()   # the process this test started, by its id
        bg.wait(20)
    assert list((run_dir / "checkpoints").glob("ckpt_*.json"))   # the window saved before handing over
