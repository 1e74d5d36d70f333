"""Data in the window (issue 5): drop a folder of photos, draw points, download with progress and Cancel.

Everything is real: image files written with Pillow (one truncated, one not an image), drag-and-drop
events sent to a plot inside the window, mouse strokes on the drawing canvas, and an HTTP server on
127.0.0.1 that serves slowly, or not at all.
"""

from __future__ import annotations

import gzip
import json
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog

from tests.gui.conftest import choose


def photo_folder(root: Path) -> Path:
    """Six photos of mixed sizes and modes in two class folders, a truncated JPEG and a text file."""
    rng = np.random.default_rng(0)
    cats, dogs = root / "photos" / "cats", root / "photos" / "dogs"
    cats.mkdir(parents=True)
    dogs.mkdir(parents=True)
    sizes = [(40, 30), (64, 48), (32, 32), (50, 50), (80, 60), (36, 44)]
    for i, (w, h) in enumerate(sizes):
        arr = rng.integers(0, 255, (h, w, 3), dtype=np.uint8)
        img = Image.fromarray(arr)
        folder = cats if i % 2 else dogs
        if i == 2:
            img.convert("L").save(folder / f"grey_{i}.png")
        elif i == 3:
            img.convert("RGBA").save(folder / f"alpha_{i}.png")
        else:
            img.save(folder / f"photo_{i}.jpg", quality=90)
    good = (dogs / "photo_0.jpg").read_bytes()
    (cats / "broken.jpg").write_bytes(good[: len(good) // 2])      # truncated
    (root / "photos" / "notes.txt").write_text("these are my pets\n")  # not an image
    return root / "photos"


def drop_on(widget, path: Path) -> None:
    """Drag a file from outside and drop it on ``widget``, as a file manager does."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    pos = QPointF(widget.width() / 2, widget.height() / 2)
    enter = QDragEnterEvent(pos.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted(), "the drag was refused"
    drop = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)


def test_drop_a_photo_folder_lists_the_bad_files_then_train_and_sample(make_window, qtbot, tmp_path):
    folder = photo_folder(tmp_path)
    w = make_window()
    choose(w, "moons", "vae")
    # plots and text fields let the drop through to the window; the window itself takes it
    target = w.samples_dock.image_view.viewport()
    assert not target.acceptDrops() and w.acceptDrops()
    drop_target = w.window()
    drop_on(drop_target, folder)
    qtbot.waitUntil(lambda: w.data_dock.summary is not None and w.data_dock.summary["kind"] == "image",
                    timeout=30_000)
    s = w.data_dock.summary
    assert s["n_train"] + s["n_test"] == 6 and s["shape"] == [3, 32, 32]     # mixed sizes: RGB 32x32
    assert w.setup_dock.data_name() == str(folder)
    reasons = {Path(e["path"]).name: e["reason"] for e in s["skipped"]}
    assert set(reasons) == {"broken.jpg", "notes.txt"}
    assert "truncated or corrupt" in reasons["broken.jpg"] and "not an image" in reasons["notes.txt"]
    listed = [w.data_dock.skipped_list.item(i).text() for i in range(w.data_dock.skipped_list.count())]
    assert len(listed) == 2 and any("broken.jpg" in t for t in listed) and any("notes.txt" in t for t in listed)
    assert w.data_dock.skipped_box.isVisibleTo(w.data_dock)
    w.data_dock.copy_skipped_button.click()
    copied = QApplication.clipboard().text()
    assert "broken.jpg: truncated or corrupt" in copied and "notes.txt: not an image" in copied
    assert w.setup_dock.kind == "image"                                      # the image preset followed

    setup = w.setup_dock
    setup.train_form.widgets["steps"].setValue(6)
    setup.train_form.widgets["sample_every"].setValue(1000)    # a grid at the start and one at the end
    setup.train_form.widgets["n_display"].setValue(16)
    with qtbot.waitSignal(w.bridge.training_finished, timeout=120_000) as done:
        w.controls.train.trigger()
    assert done.args[0].reason == "completed"
    assert w.session.runner.dataset is w.data_dock.dataset
    qtbot.waitUntil(lambda: w.samples_dock.image_view.image is not None, timeout=10_000)
    grid = w.samples_dock.image_view.image
    assert grid.dtype == np.uint8 and grid.ndim == 3 and grid.shape[2] == 3 and grid.std() > 0
    saved = json.loads((w.session.run_dir / "config.json").read_text())
    assert saved["data"]["name"] == str(folder)


def stroke(widget, points: list[tuple[int, int]]) -> None:
    QTest.mousePress(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(*points[0]))
    for p in points[1:]:
        QTest.mouseMove(widget, QPoint(*p))
    QTest.mouseRelease(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(*points[-1]))


def test_draw_points_with_undo_and_clear_train_on_them_and_the_run_keeps_them(make_window, qtbot):
    w = make_window()
    choose(w, "moons", "vae")
    dock = w.data_dock
    dock.draw_button.click()
    assert w.setup_dock.data_name() == "drawn" and dock.drawing
    assert dock.stack.currentWidget() is dock.painter and dock.brush_spin.isVisible()
    view = dock.painter.viewport()
    cx, cy = view.width() // 2, view.height() // 2
    dock.brush_spin.setValue(0)                                # one point exactly under the pointer
    vb = dock.painter.getPlotItem().getViewBox()
    under = vb.mapSceneToView(dock.painter.mapToScene(QPoint(cx - 40, cy)))
    one_px = vb.viewPixelSize()
    stroke(view, [(cx - 40, cy), (cx - 30, cy - 10), (cx - 20, cy - 20), (cx - 10, cy - 25)])
    first = dock.painter.count()
    assert first >= 4
    x, y = dock.painter.points()[0]   # the point is where the pointer was, in data units
    assert abs(x - under.x()) <= one_px[0] and abs(y - under.y()) <= one_px[1]
    dock.brush_spin.setValue(15)                               # a wider brush sprays around the path
    stroke(view, [(cx + 10, cy + 10), (cx + 40, cy + 20), (cx + 70, cy + 30)])
    pts = dock.painter.points()
    assert len(pts) > first + 20
    sprayed = pts[first:]
    assert np.ptp(sprayed[:, 1]) > 0.05                        # spread, not a line
    dock.undo_button.click()
    assert dock.painter.count() == first
    dock.clear_button.click()
    assert dock.painter.count() == 0
    dock.undo_button.click()                                   # Undo brings a Clear back
    assert dock.painter.count() == first
    for k in range(4):                                         # more strokes: enough to train on
        stroke(view, [(cx - 60 + 30 * k, cy + 40), (cx - 50 + 30 * k, cy - 40)])
    drawn = dock.painter.points()
    qtbot.waitUntil(lambda: dock.summary is not None and dock.summary["name"] == "drawn"
                    and dock.summary["n_train"] + dock.summary["n_test"] == len(drawn), timeout=20_000)
    assert dock.stack.currentWidget() is dock.painter          # still drawing after it loaded

    w.setup_dock.train_form.widgets["steps"].setValue(15)
    with qtbot.waitSignal(w.bridge.training_finished, timeout=60_000) as done:
        w.controls.train.trigger()
    assert done.args[0].reason == "completed"
    saved = json.loads((w.session.run_dir / "config.json").read_text())
    assert saved["data"]["name"] == "drawn"
    assert np.allclose(np.array(saved["data"]["points"]), drawn.astype(np.float32), atol=0)

    # picking other data leaves drawing mode; opening the run brings the drawing back
    choose(w, "moons", "vae")
    assert not dock.drawing and dock.painter.count() == len(drawn)
    dock.painter.set_points([])
    qtbot.waitUntil(lambda: w.runs_dock.table.rowCount() == 1, timeout=20_000)
    w.runs_controller.open_run(str(w.session.run_dir))
    qtbot.waitUntil(lambda: w.setup_dock.data_name() == "drawn" and dock.painter.count() == len(drawn),
                    timeout=20_000)
    assert dock.drawing


# ---- downloads ------------------------------------------------------------------------------------------
class _SlowHandler(BaseHTTPRequestHandler):
    """``/slow/<file>``: the right size, sent in small pieces with pauses; anything else: 404."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        from engine.data import remote
        name = self.path.rsplit("/", 1)[-1]
        files = {f.name: f.size for f in remote.MNIST.files}
        if not self.path.startswith("/slow/") or name not in files:
            self.send_error(404, "Not Found")
            return
        size = files[name]
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        sent = 0
        try:
            while sent < size and not self.server.stopping.is_set():
                n = min(64 * 1024, size - sent)
                self.wfile.write(b"\0" * n)
                sent += n
                time.sleep(0.05)
        except OSError:
            pass


@pytest.fixture
def slow_server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _SlowHandler)
    httpd.daemon_threads = True
    httpd.stopping = threading.Event()
    thread = threading.Thread(target=httpd.serve_forever, name="test-http", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.stopping.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def tiny_idx_folder(root: Path, n_train: int = 60, n_test: int = 20) -> Path:
    """A folder in MNIST's layout (gzip IDX files), small enough to load at once."""
    rng = np.random.default_rng(1)
    root.mkdir()
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = (np.arange(n) % 10).astype(np.uint8)
        (root / f"{prefix}-images-idx3-ubyte.gz").write_bytes(
            gzip.compress(struct.pack(">IIII", 0x803, n, 28, 28) + images.tobytes()))
        (root / f"{prefix}-labels-idx1-ubyte.gz").write_bytes(
            gzip.compress(struct.pack(">II", 0x801, n) + labels.tobytes()))
    return root


def pick(window, name: str) -> None:
    combo = window.setup_dock.data_combo
    combo.setCurrentIndex(combo.findData(name))


def test_download_shows_progress_cancels_and_a_failure_offers_files_on_disk(make_window, qtbot, tmp_path,
                                                                            monkeypatch, slow_server):
    monkeypatch.setenv("GENLAB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("GENLAB_MIRRORS", f"{slow_server}/slow/")
    w = make_window()
    combo = w.setup_dock.data_combo
    i = combo.findData("mnist")
    assert i >= 0 and "MB" in combo.itemText(i) and "download" in combo.itemText(i)
    assert "CC BY-SA" in combo.itemData(i, Qt.ItemDataRole.ToolTipRole)   # the licence, before downloading

    dock = w.data_dock
    pick(w, "mnist")
    qtbot.waitUntil(lambda: dock.progress.maximum() > 1_000_000 and dock.progress.value() > 0, timeout=20_000)
    assert dock.cancel_button.isVisible() and "MB" in dock.progress.format()
    dock.cancel_button.click()
    assert not dock.progress.isVisible() and "cancelled" in dock.info.text()
    parts = list((tmp_path / "cache").rglob("*.part"))
    assert parts and all(not p.with_suffix("").exists() for p in parts)   # nothing half-done in the cache

    monkeypatch.setenv("GENLAB_MIRRORS", f"{slow_server}/missing/")
    pick(w, "moons")
    pick(w, "mnist")
    qtbot.waitUntil(lambda: dock.local_offer.isVisible(), timeout=30_000)
    assert "404" in dock.info.text() and "mnist" in dock.info.text()
    assert "ERROR" in w.log_dock.text()

    folder = tiny_idx_folder(tmp_path / "my-mnist")

    def choose_folder():
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QFileDialog)
        dialog.setDirectory(str(folder))   # a folder dialog returns the folder it shows
        dialog.accept()
    QTimer.singleShot(300, choose_folder)
    dock.local_folder_button.click()
    qtbot.waitUntil(lambda: dock.summary is not None and dock.summary["n_train"] == 60, timeout=30_000)
    assert w.setup_dock.data_name() == str(folder) and dock.summary["n_test"] == 20
    assert not dock.local_offer.isVisible()
