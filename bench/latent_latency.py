"""From a pointer move on the latent plane to the decoded picture on screen, while the model trains.

For each family (VAE with a 2-D latent, GAN, flow, diffusion; each family's preset otherwise) the
real window is opened offscreen, MNIST (28x28, from ``--data``, by default the shared copy in
``../shared/datasets/mnist``) is picked in the setup dock and Train is pressed; the Latent dock is
brought to the front. After the first decode, the encoded training points and ``--warmup`` seconds
of training, ``--moves`` pointer moves are replayed at ``--hz`` along an ellipse over the visible
plane: mouse press, moves, release, each a ``QMouseEvent`` sent to the plane's viewport, as a
person's drag would arrive, with training running all the while.

Latency of a move: from just before its event is sent to the first paint of a decoded picture from
that move's request or a later one (a move whose request was superseded by the next one counts until
that one is painted, so skipped frames count against the figure). The decoded view's image item
notes each paint with the request id of its picture. A diffusion model decodes with the dock's
preview steps (4 DDIM steps by default, ``--preview-steps``) while the pointer moves.

Targets: p95 <= 16 ms for VAE, GAN and flow; <= 150 ms for the diffusion preview. The machine's load
average is printed: on a shared machine every figure here gets worse. The last line is JSON:
``{"vae": {"latency_ms": {"p50": ., "p95": .}}, "gan": {...}, "flow": {...}, "diffusion": {...}}``.

    python bench/latent_latency.py [--families vae,gan] [--moves 200] [--hz 60] [--data PATH]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from common import ROOT, emit_json, print_table, wait_until  # noqa: E402

import numpy as np  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "datasets" / "mnist"
FAMILIES = ("vae", "gan", "flow", "diffusion")
TARGET_MS = {"diffusion": 150.0}
DEFAULT_TARGET_MS = 16.0


def _pump(app, seconds: float) -> None:
    from PySide6.QtCore import QEventLoop
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 1)
        time.sleep(0.0005)


def _wait(app, predicate, timeout: float) -> bool:
    return wait_until(app, predicate, timeout, slice_ms=10, nap=0.002)


def _load() -> float:
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return float("nan")


def _send(widget, kind, point, button, buttons) -> None:
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication
    ev = QMouseEvent(kind, QPointF(point), QPointF(widget.mapToGlobal(point)), button, buttons,
                     Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, ev)


def start_training(app, window, family: str, data: str, preview_steps: int):
    setup = window.setup_dock
    setup.family_combo.setCurrentIndex(setup.family_combo.findData(family))
    setup.set_data_name(data)
    if not _wait(app, lambda: window.data_dock.summary is not None and setup.kind == "image"
                 and window.data_dock.dataset is not None, 300):
        raise RuntimeError(f"{data} did not load as images")
    if family == "vae":
        setup.model_form.widgets["latent_dim"].setValue(2)
    form = setup.train_form.widgets
    form["steps"].setValue(100_000_000)
    form["checkpoint_every"].setValue(100_000_000)
    form["checkpoint_seconds"].setValue(0.0)
    dock = window.latent_dock
    dock.show()
    dock.raise_()
    dock.preview_steps.setValue(preview_steps)
    before = window.session.runner
    window.controls.train.trigger()
    if not _wait(app, lambda: window.session.runner is not before and dock.info is not None
                 and dock.info["family"] == family and dock.decodes_shown > 0, 300):
        raise RuntimeError(f"{family}: no decoded picture: " + window.log_dock.text().strip().splitlines()[-1])
    _wait(app, lambda: dock.info is None or dock.embedded is not None or not dock.info["encode"], 300)
    return dock


def replay(app, dock, moves: int, hz: float) -> dict:
    from PySide6.QtCore import QEvent, Qt
    pv = dock.plane_view
    vp = pv.viewport()
    (x0, x1), (y0, y1) = pv.visible_region()
    cx, cy, rx, ry = (x0 + x1) / 2, (y0 + y1) / 2, 0.35 * (x1 - x0), 0.35 * (y1 - y0)
    path = [(cx + rx * math.cos(2 * math.pi * i / moves), cy + ry * math.sin(4 * math.pi * i / moves))
            for i in range(moves + 1)]
    item = dock.decoded_view.item
    item.paint_log = []
    decodes = []    # (request id, requested at, waited, seconds, arrived in the window at)
    cpu = {"event": [], "decode": [], "show": []}   # CPU time of each part on its own thread

    def timed_slot(r):      # the dock's own slot, timed
        t, c = time.perf_counter(), time.thread_time()
        dock._on_link_result_ready(r)
        if r.kind == "decode" and r.error is None:
            decodes.append((r.request_id, r.tag, r.waited, r.seconds, t))
            cpu["decode"].append(r.cpu_seconds)
            cpu["show"].append(time.thread_time() - c)
    dock.link.result_ready.disconnect(dock._on_link_result_ready)
    dock.link.result_ready.connect(timed_slot)
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    _send(vp, QEvent.Type.MouseButtonPress, pv.viewport_point(*path[0]), left, left)
    sent, ids, handling = [], [], []
    runner = dock.window().session.runner
    step0, t_start, gui_cpu0 = runner.step_now, time.perf_counter(), time.thread_time()
    period = 1.0 / hz
    for i in range(1, moves + 1):
        t, c = time.perf_counter(), time.thread_time()
        _send(vp, QEvent.Type.MouseMove, pv.viewport_point(*path[i]), none, left)
        handling.append(time.perf_counter() - t)
        cpu["event"].append(time.thread_time() - c)
        sent.append(t)
        ids.append(dock.last_decode_id)
        _pump(app, max(0.0, t + period - time.perf_counter()))
    _send(vp, QEvent.Type.MouseButtonRelease, pv.viewport_point(*path[-1]), left, none)
    last = ids[-1]
    _wait(app, lambda: any(tag is not None and tag >= last for tag, _ in item.paint_log), 30)
    step1, t_end, gui_cpu1 = runner.step_now, time.perf_counter(), time.thread_time()
    dock.link.result_ready.disconnect(timed_slot)
    dock.link.result_ready.connect(dock._on_link_result_ready)
    paints = [(tag, at) for tag, at in item.paint_log if tag is not None]
    item.paint_log = None
    latencies = []
    for t, rid in zip(sent, ids):
        later = [at for tag, at in paints if tag >= rid and at >= t]
        latencies.append((min(later) - t) * 1000.0 if later else float("nan"))
    lat = np.array(latencies)
    lat = lat[np.isfinite(lat)]
    first_paint = {}
    for tag, at in paints:
        first_paint.setdefault(tag, at)
    parts = {"event": handling, "wait": [], "decode": [], "deliver": [], "paint": []}
    for rid, asked, waited, seconds, arrived in decodes:
        parts["wait"].append(waited)
        parts["decode"].append(seconds)
        parts["deliver"].append(arrived - (asked + waited + seconds))
        if rid in first_paint:
            parts["paint"].append(first_paint[rid] - arrived)
    med = {k: 1000 * statistics.median(v) if v else float("nan") for k, v in parts.items()}
    cpu_ms = sum(1000 * statistics.median(v) for v in cpu.values() if v)
    return {"latency": lat, "painted": len(first_paint), "moves": moves, "parts_ms": med, "cpu_ms": cpu_ms,
            "steps_per_s": (step1 - step0) / (t_end - t_start), "gui_busy": (gui_cpu1 - gui_cpu0) / (t_end - t_start)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--families", default=",".join(FAMILIES))
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    ap.add_argument("--moves", type=int, default=200)
    ap.add_argument("--hz", type=float, default=60.0, help="pointer moves per second")
    ap.add_argument("--warmup", type=float, default=3.0, help="seconds of training before the replay")
    ap.add_argument("--preview-steps", type=int, default=4, help="diffusion: DDIM steps while moving")
    ap.add_argument("--paused", action="store_true",
                    help="diagnostic: pause training during the replay, to see what training costs the figures")
    args = ap.parse_args()
    if not Path(args.data).exists():
        sys.exit(f"{args.data}: not found; pass --data with MNIST's IDX files (28x28)")

    load_before = _load()
    tmp = Path(tempfile.mkdtemp(prefix="genlab-latent-latency-"))
    os.environ["GENLAB_WORKSPACE"] = str(tmp / "runs")
    from gui.app import make_app
    from gui.main_window import MainWindow
    from gui.settings import open_settings
    app = make_app()
    window = MainWindow(settings=open_settings(tmp / "settings.ini"))
    window.resize(1360, 860)
    window.show()
    if not _wait(app, lambda: window.session.state == "idle", 300):
        sys.exit("PyTorch did not become ready")
    try:
        rows, out = measure_all(app, window, args)
    finally:
        window.close()
    print(f"latent_latency: {args.moves} pointer moves at {args.hz:g} Hz per family on {Path(args.data).name} "
          f"(28x28), training running; {os.cpu_count()} cores, load average {load_before:.1f} before / "
          f"{_load():.1f} after; diffusion previews with {args.preview_steps} DDIM steps"
          + ("; TRAINING PAUSED during the replay (diagnostic)" if args.paused else ""))
    print("medians, ms: event (the window handling a move), wait (request to job start), decode (the job), "
          "deliver (to the window's slot), paint (slot to the picture painted); cpu: CPU time of the path "
          "(event + decode + showing), what a move would take on an idle machine; GUI CPU: the window thread's "
          "CPU time over the replay's wall time")
    print_table(["family", "moves", "pictures", "p50 ms", "p95 ms", "max ms", "event", "wait", "decode", "deliver",
                 "paint", "cpu", "GUI CPU", "train steps/s", "target p95"], rows)
    emit_json(out, name="latent_latency")


def measure_all(app, window, args):
    rows, out = [], {}
    for family in [f for f in args.families.split(",") if f]:
        try:
            dock = start_training(app, window, family, args.data, args.preview_steps)
            _pump(app, args.warmup)
            if args.paused:
                window.controls.pause.trigger()
                _wait(app, lambda: dock.window().session.runner.paused, 30)
                _wait(app, lambda: not dock.link.explorer.busy(), 120)
            r = replay(app, dock, args.moves, args.hz)
        except RuntimeError as e:
            print(f"{family}: skipped: {e}", file=sys.stderr, flush=True)
            rows.append([family] + ["failed"] * 14)
            continue
        finally:
            window.controls.stop.trigger()
            _wait(app, lambda: window.session.state == "idle", 60)
        lat = r["latency"]
        p50, p95 = float(np.percentile(lat, 50)), float(np.percentile(lat, 95))
        out[family] = {"latency_ms": {"p50": round(p50, 1), "p95": round(p95, 1)}}
        target = TARGET_MS.get(family, DEFAULT_TARGET_MS)
        parts = r["parts_ms"]
        rows.append([family, len(lat), r["painted"], round(p50, 1), round(p95, 1), round(float(lat.max()), 1),
                     round(parts["event"], 1), round(parts["wait"], 1), round(parts["decode"], 1),
                     round(parts["deliver"], 1),
                     round(parts["paint"], 1), round(r["cpu_ms"], 1), f"{100 * r['gui_busy']:.0f}%",
                     round(r["steps_per_s"], 2), f"{target:g}"])
        print(f"{family}: done", file=sys.stderr, flush=True)
    return rows, out


if __name__ == "__main__":
    main()
