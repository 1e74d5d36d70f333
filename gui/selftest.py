"""``genlab selftest``: open the real window offscreen, train every family briefly, and prove it worked.

It drives the window the way a person would (pick data and a family in the setup dock, press Train)
with temporary settings and a temporary workspace, then checks what the person would look at: the
loss curves hold finite values, the sample view shows a picture, the run folder has its samples and
a checkpoint, and, for a family with a latent space, a latent vector decodes through a model built
from a published snapshot (never the training model). It saves a PNG of the whole window and a JSON
report, and exits 0 only if every check passed. The packaged program runs it as ``GenLab --selftest``.

``GENLAB_SELFTEST_FAMILIES`` (comma-separated) limits the families, ``GENLAB_SELFTEST_DATA`` the data
(``digits``, ``moons`` or both, the default: every family on moons and the first on digits), and
``GENLAB_SELFTEST_STEPS`` sets the steps per run; they exist for tests and for the README's screenshot.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEventLoop

from engine.runs.layout import sample_grids
from gui.app import make_app, process_start_time
from gui.crash_guard import CrashGuard
from gui.main_window import MainWindow
from gui.settings import open_settings

DEFAULT_STEPS = 300
READY_TIMEOUT_S = 180
RUN_TIMEOUT_S = 240
EVAL_LIMIT = 200   # held-out examples in each run's final evaluation: a check, not a benchmark


def _wait(app, predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 30)
        time.sleep(0.005)
    return True


def _picture_is_blank(window) -> bool:
    """True when the sample view shows nothing: no points, or an image of a single grey value."""
    dock = window.samples_dock
    if dock.kind == "points":
        pts = dock.scatter_view.samples
        return pts is None or len(pts) == 0
    img = dock.image_view.image
    return img is None or int(np.ptp(img)) == 0


def _decode_latent(snapshot) -> dict:
    """Decode the zero latent and a random one through the snapshot's own model instance."""
    # lazy: PyTorch loads after the window's first paint, as in the app, so the reported start-up time is the app's
    import torch
    model = snapshot.build_model("cpu")
    if not model.has("latent"):
        return {"latent": False}
    shape = model.latent_shape()
    z = torch.cat([torch.zeros(1, *shape), torch.randn(1, *shape, generator=torch.Generator().manual_seed(0))])
    x = model.decode(z)
    return {"latent": True, "latent_shape": list(shape), "decoded_shape": list(x.shape),
            "decoded_finite": bool(torch.isfinite(x).all())}


def _train_one(app, window, family: str, data: str, steps: int) -> dict:
    """Pick ``data`` and ``family`` in the setup dock, press Train, wait, and check the results."""
    setup = window.setup_dock
    result: dict = {"family": family, "data": data, "ok": False}
    t0 = time.perf_counter()
    setup.family_combo.setCurrentIndex(setup.family_combo.findData(family))
    setup.set_data_name(data)
    if not _wait(app, lambda: window.data_dock.dataset is not None and window.data_dock.summary["name"] == data
                 and setup.kind == window.data_dock.summary["kind"], 60):
        result["error"] = f"{data} did not load"
        return result
    setup.train_form.widgets["steps"].setValue(steps)
    setup.train_form.widgets["sample_every"].setValue(max(1, steps // 5))
    setup.train_form.widgets["eval_limit"].setValue(EVAL_LIMIT)
    samples_before = window.samples_dock.updates
    window.controls.train.trigger()
    if window.session.state != "running":
        result["error"] = "Train did not start: " + (setup.error_label.text() or window.session.state)
        return result
    finished = {}
    window.bridge.training_finished.connect(lambda ev: finished.setdefault("ev", ev))
    window.bridge.training_failed.connect(lambda ev: finished.setdefault("failed", ev))
    if not _wait(app, lambda: finished or window.session.state == "idle", RUN_TIMEOUT_S):
        window.session.stop()
        _wait(app, lambda: window.session.state == "idle", 10)
        result["error"] = f"did not finish within {RUN_TIMEOUT_S} s"
        return result
    _wait(app, lambda: not window.bridge.active, 5)
    app.processEvents()
    if "failed" in finished:
        result["error"] = f"training failed: {finished['failed'].message}"
        return result
    ev = finished.get("ev")
    series = window.losses_dock.series
    last = {name: float(s.raw.view()[-1]) for name, s in series.items() if len(s)}
    run_dir = Path(ev.run_dir) if ev is not None and ev.run_dir else window.session.run_dir
    result.update(
        steps=ev.step if ev is not None else None,
        seconds=round(time.perf_counter() - t0, 2),
        final_losses=last,
        loss_points=window.losses_dock.point_count(),
        samples_shown=window.samples_dock.updates - samples_before,
        sample_files=len(sample_grids(run_dir)),
        checkpoints=len(list((run_dir / "checkpoints").glob("ckpt_*.json"))),
        test_nll_nats=(ev.metrics or {}).get("test_nll_nats") if ev is not None else None,
    )
    problems = []
    if not last or not all(math.isfinite(v) for v in last.values()):
        problems.append(f"losses not finite: {last}")
    if result["samples_shown"] < 1 or _picture_is_blank(window):
        problems.append("no samples shown")
    if result["sample_files"] < 1:
        problems.append("no sample files in the run folder")
    if result["checkpoints"] < 1:
        problems.append("no checkpoint saved")
    snapshot = window.shown.snapshot
    if snapshot is None:
        problems.append("no snapshot published")
    else:
        try:
            result.update(_decode_latent(snapshot))
            if result.get("latent") and not result.get("decoded_finite"):
                problems.append("decoded latent is not finite")
        except Exception as e:  # noqa: BLE001 - reported as a failed check
            problems.append(f"latent decode failed: {type(e).__name__}: {e}")
    result["ok"] = not problems
    if problems:
        result["error"] = "; ".join(problems)
    return result


def run_selftest(screenshot: str | None = None, report: str | None = None) -> int:
    """Run the self-test; returns the exit status (0 only if everything worked)."""
    started = process_start_time()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    tmp = Path(tempfile.mkdtemp(prefix="genlab-selftest-"))
    os.environ["GENLAB_WORKSPACE"] = str(tmp / "runs")
    os.environ.setdefault("GENLAB_CRASH_DIR", str(tmp / "crash"))
    out: dict = {"ok": False, "runs": [], "errors": []}
    status = 1
    try:
        status = _run(out, tmp, started, screenshot)
    except Exception as e:  # noqa: BLE001 - the self-test reports, it does not crash
        out["errors"].append(f"{type(e).__name__}: {e}")
        out["traceback"] = traceback.format_exc()
    out["ok"] = status == 0
    text = json.dumps(out, indent=2, default=str)
    if report:
        Path(report).write_text(text + "\n", encoding="utf-8")
    summary = ", ".join(f"{r['family']}/{r['data']} {'ok' if r['ok'] else 'FAILED: ' + r.get('error', '')}"
                        for r in out["runs"])
    print(f"genlab selftest: {'passed' if status == 0 else 'FAILED'}: {summary or 'no runs'}"
          + (f"; errors: {'; '.join(out['errors'])}" if out["errors"] else ""), file=sys.stderr)
    shutil.rmtree(tmp, ignore_errors=True)
    return status


def _run(out: dict, tmp: Path, started: float, screenshot: str | None) -> int:
    app = make_app()
    window = MainWindow(settings=open_settings(tmp / "settings.ini"), process_start=started)
    window.resize(1360, 860)  # the offscreen screen is 800x600; the screenshot wants a desktop-sized window
    guard = CrashGuard(window)
    guard.crashed.connect(window.on_crash)
    guard.install()
    try:
        window.show()
        if not _wait(app, lambda: window.session.state == "idle", READY_TIMEOUT_S):
            out["errors"].append(f"PyTorch did not become ready within {READY_TIMEOUT_S} s")
            return 1
        out["first_paint_s"] = round(window.first_paint_seconds or -1, 3)
        out["ready_s"] = round(window.ready_seconds or -1, 3)
        families = window.warmup.info["families"]
        wanted = [f for f in os.environ.get("GENLAB_SELFTEST_FAMILIES", "").split(",") if f]
        if wanted:
            families = [f for f in families if f in wanted]
        out["families"] = families
        steps = int(os.environ.get("GENLAB_SELFTEST_STEPS", DEFAULT_STEPS))
        if not families:
            out["errors"].append("no model family is available")
            return 1
        data = [d for d in os.environ.get("GENLAB_SELFTEST_DATA", "digits,moons").split(",") if d]
        plan = [(f, "moons") for f in families] if "moons" in data else []
        if "digits" in data and "digits" in window.warmup.info["datasets"]:
            plan.insert(0, (families[0], "digits"))  # the image path once: every family costs minutes
        if not plan:
            out["errors"].append("GENLAB_SELFTEST_DATA names neither digits nor moons")
            return 1
        for family, data in plan:
            out["runs"].append(_train_one(app, window, family, data, steps))
        shot = Path(screenshot) if screenshot else tmp / "selftest.png"
        _wait(app, lambda: False, 0.3)
        if not window.grab().save(str(shot)):
            out["errors"].append(f"{shot}: could not save the screenshot")
        else:
            out["screenshot"] = str(shot) if screenshot else None
        out["crash_logs"] = guard.logs
        if guard.logs:
            out["errors"].append(f"{len(guard.logs)} unexpected error(s) in the window: {guard.logs}")
        ok = all(r["ok"] for r in out["runs"]) and not out["errors"]
        return 0 if ok else 1
    finally:
        window.close()
        guard.uninstall()
