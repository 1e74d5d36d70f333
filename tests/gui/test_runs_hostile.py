"""The window and hostile files (issue 18): a damaged run is listed as damaged with its reason and
never hides the others in the Runs dock, a run folder holding a FIFO does not freeze the window, and
a config from a file may add download mirrors or a data path only when the person allows it."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from tests.engine.runs_helpers import tiny_config, train
    run = tmp_path_factory.mktemp("gui-hostile") / "good"
    train(tiny_config("vae", steps=8, checkpoint_every=4, sample_every=4), run)
    return run


def rows(dock) -> dict:
    out = {}
    for row in range(dock.table.rowCount()):
        name = dock.table.item(row, 0)
        out[name.text()] = [dock.table.item(row, c) for c in range(dock.table.columnCount())]
    return out


def test_a_damaged_run_is_listed_with_its_reason_beside_the_good_ones(make_window, workspace, trained, qtbot):
    for name in ("good", "typed", "deep", "fifo"):
        shutil.copytree(trained, workspace / name)
    status = json.loads((workspace / "typed" / "status.json").read_text())
    status["step"] = "many"                                        # a string where a number belongs
    (workspace / "typed" / "status.json").write_text(json.dumps(status))
    (workspace / "deep" / "config.json").write_text("[" * 100_000 + "]" * 100_000)
    (workspace / "fifo" / "metrics.jsonl").unlink()
    os.mkfifo(workspace / "fifo" / "metrics.jsonl")                 # nobody ever writes it
    os.unlink(workspace / "fifo" / "status.json")
    (workspace / "fifo" / "status.json").symlink_to("/dev/zero")
    w = make_window()
    dock = w.runs_dock
    dock.refresh()
    qtbot.waitUntil(lambda: set(rows(dock)) == {"good", "typed", "deep", "fifo"}, timeout=30_000)
    r = rows(dock)
    assert r["good"][4].text() == "finished"
    for name, why in (("typed", "'step'"), ("deep", "nested too deeply"), ("fifo", "not a regular file")):
        state = r[name][4]
        assert state.text() == "damaged", name
        assert why in state.toolTip() and why in r[name][0].toolTip(), (name, state.toolTip())
        assert state.foreground().color().name() == "#b00020"
    # the damaged run can be selected and opened: the window reports why, and keeps working
    log = w.log_dock.view
    dock.select_paths([str(workspace / "deep")])
    dock.open_button.click()
    qtbot.waitUntil(lambda: "could not open the run" in log.toPlainText() and "nested too deeply"
                    in log.toPlainText(), timeout=30_000)
    w.runs_controller.open_run(str(workspace / "fifo"))   # a FIFO never blocks the window: refused, said why
    qtbot.waitUntil(lambda: "metrics.jsonl" in log.toPlainText() and "not a regular file" in log.toPlainText(),
                    timeout=30_000)
    w.runs_controller.open_run(str(workspace / "good"))   # and the good run still opens
    qtbot.waitUntil(lambda: w.shown.path == workspace / "good", timeout=30_000)
    assert w.samples_dock.history


def answer(button_name: str, seen: list):
    def run():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or box.objectName() != "sources_confirm":
            QTimer.singleShot(50, run)
            return
        seen.append(box.text())
        next(b for b in box.findChildren(QPushButton) if b.objectName() == button_name).click()
    QTimer.singleShot(50, run)


@pytest.mark.parametrize("choice", ["sources_refuse", "sources_allow"])
def test_a_config_from_a_file_asks_before_adding_mirrors_or_a_path(make_window, tmp_path, choice):
    from engine.config import RunConfig
    from engine.render import png_bytes
    cfg = RunConfig(family="vae")
    cfg.data.name = "~/photos"
    cfg.data.mirrors = ("https://mirror.example.org/sets/",)
    png = tmp_path / "from-a-stranger.png"
    png.write_bytes(png_bytes(np.zeros((8, 8), np.uint8), {"genlab.config": cfg.to_json()}))
    w = make_window()
    before = w.setup_dock.config().data.name
    seen: list[str] = []
    answer(choice, seen)
    assert w.runs_controller.load_config(str(png))
    assert seen and "mirror.example.org" in seen[0] and str(Path("~/photos").expanduser()) in seen[0]
    data = w.setup_dock.config().data
    if choice == "sources_refuse":
        assert list(data.mirrors) == [] and data.name == before
    else:
        assert list(data.mirrors) == ["https://mirror.example.org/sets/"] and data.name == "~/photos"


def test_a_config_naming_only_builtin_data_loads_without_a_question(make_window, tmp_path):
    from engine.config import RunConfig
    cfg = RunConfig(family="gan")
    cfg.data.name = "8gaussians"
    path = tmp_path / "plain.json"
    path.write_text(cfg.to_json())
    w = make_window()
    assert w.runs_controller.load_config(str(path))            # no dialog: exec would block this call
    assert w.setup_dock.config().data.name == "8gaussians"
