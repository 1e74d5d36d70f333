"""Start-up shows the window before PyTorch loads; ``genlab selftest`` passes and writes its files.

Both run in a fresh process: the test process has torch imported already.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

STARTUP = r"""
import json, sys, time
from PySide6.QtCore import QEventLoop
from gui.app import make_app
from gui.settings import open_settings
app = make_app()
from gui.main_window import MainWindow
w = MainWindow(settings=open_settings(sys.argv[1]))
out = {"torch_before_show": "torch" in sys.modules}
w.show()
deadline = time.monotonic() + 120
while w.first_paint_seconds is None and time.monotonic() < deadline:
    app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
out["painted"] = w.first_paint_seconds is not None
out["train_enabled_at_paint"] = w.controls.train.isEnabled()
out["setup_enabled_at_paint"] = w.setup_dock.model_group.isEnabled()
while w.session.state != "idle" and time.monotonic() < deadline:
    app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    time.sleep(0.01)
out["ready"] = w.session.state == "idle"
out["train_enabled_when_ready"] = w.controls.train.isEnabled()
out["families"] = w.warmup.info["families"] if w.warmup.info else []
w.close()
print("RESULT " + json.dumps(out))
"""


def _env(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", GENLAB_WORKSPACE=str(tmp_path / "runs"),
               PYTHONPATH=str(ROOT))
    return env


def test_window_paints_before_torch_is_imported_and_enables_train_after_warmup(tmp_path):
    proc = subprocess.run([sys.executable, "-c", STARTUP, str(tmp_path / "s.ini")], cwd=ROOT, env=_env(tmp_path),
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")][-1]
    out = json.loads(line[len("RESULT "):])
    assert out == {"torch_before_show": False, "painted": True, "train_enabled_at_paint": False,
                   "setup_enabled_at_paint": False, "ready": True, "train_enabled_when_ready": True,
                   "families": out["families"]}
    assert "vae" in out["families"]


def test_selftest_trains_samples_decodes_and_saves_a_screenshot(tmp_path):
    shot, report = tmp_path / "window.png", tmp_path / "report.json"
    env = _env(tmp_path)
    env.update(GENLAB_SELFTEST_FAMILIES="vae", GENLAB_SELFTEST_DATA="digits", GENLAB_SELFTEST_STEPS="40")
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "selftest", "--screenshot", str(shot),
                           "--report", str(report)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=280)
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads(report.read_text())
    assert data["ok"] and data["families"] == ["vae"]
    runs = {(r["family"], r["data"]): r for r in data["runs"]}
    assert set(runs) == {("vae", "digits")}  # the image path; moons runs in the other window tests
    for r in runs.values():
        assert r["ok"] and r["steps"] == 40 and r["samples_shown"] >= 1 and r["checkpoints"] >= 1
        assert r["latent"] and r["decoded_finite"]
    from PIL import Image
    with Image.open(shot) as im:
        assert im.width >= 800 and im.height >= 500
        import numpy as np
        assert len(np.unique(np.asarray(im.convert("L").resize((64, 40))))) > 10  # a picture, not a blank
