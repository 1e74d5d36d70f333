"""How responsive the window stays while it trains, and what watching costs the training.

For each available family (on ``moons``, with that family's preset), the real window is opened
offscreen with its default docks, data and family are picked in the setup dock, and Train is
pressed. Logging every step and drawing samples often keeps the loss plot redrawing at least 10 times
a second and the sample view at least twice a second. From 2 s after Train, for ``--seconds``:

- the cores the window's own process kept busy (painting, the explorer decoding snapshots, the channel):
  on a machine with few cores that work competes with the training process for the CPU;
- event-loop lateness: a 10 ms precise QTimer in the GUI thread; lateness is how much later than
  10 ms after the previous tick each tick came (p50 / p95 / p99 / max, in ms);
- steps per second in the window, divided by steps per second of the same config trained headless,
  measured over the same interval after the same 2 s. The window trains in a process of its own
  (``ChildRunner``), so headless is the same training process drained by a plain loop, no window
  (``--headless thread``: a bare in-process ``Runner`` instead, the old comparison).

The plot can only redraw as often as new losses arrive, so for a family slower than 10 steps a second
its "plot Hz" is its step rate. Both sides use the same config (a share of 0.3 of the time for
display samples, so the sample view changes at least twice a second where a draw is cheap enough).
The machine's load average is printed: on a shared machine every figure here gets worse.

Targets: p99 <= 25 ms, max <= 100 ms, ratio >= 0.95. The last line is JSON:
``{"vae": {"lateness_ms": {"p50": ., "p95": ., "p99": ., "max": .}, "steps_ratio": .}, ...}``.

    python bench/ui_latency.py [--families vae,gan] [--seconds 8] [--rounds 2] [--data moons] [--device cpu] [--in-process]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from common import emit_json, print_table, wait_until  # noqa: E402

import numpy as np  # noqa: E402

WARMUP_S = 2.0
SAMPLE_BUDGET = 0.3   # share of time for display samples: enough for >= 2 draws a second on every family
TICK_MS = 10


def _pump(app, seconds: float) -> None:
    from PySide6.QtCore import QEventLoop, QTimer
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def _wait(app, predicate, timeout: float) -> bool:
    return wait_until(app, predicate, timeout, slice_ms=20, nap=0.002)


def configure(setup, device: str) -> None:
    """Settings for a measurement: endless run, a loss point every step, samples as often as allowed."""
    form = setup.train_form.widgets
    form["steps"].setValue(100_000_000)
    form["log_every"].setValue(1)
    form["sample_every"].setValue(1)
    form["sample_budget"].setValue(SAMPLE_BUDGET)
    form["checkpoint_every"].setValue(100_000_000)
    form["checkpoint_seconds"].setValue(0.0)
    setup.device_combo.setCurrentIndex(max(0, setup.device_combo.findData(device)))


def measure_window(app, window, family: str, data: str, seconds: float, device: str):
    from PySide6.QtCore import Qt, QTimer
    setup = window.setup_dock
    setup.family_combo.setCurrentIndex(setup.family_combo.findData(family))
    setup.set_data_name(data)
    ok = _wait(app, lambda: window.data_dock.summary is not None and window.data_dock.summary["name"] == data
               and setup.kind == window.data_dock.summary["kind"], 120)
    if not ok:
        raise RuntimeError(f"{data} did not load")
    configure(setup, device)
    config = setup.config()
    window.controls.train.trigger()
    runner = window.session.runner
    _pump(app, WARMUP_S)
    if runner.step_now == 0 or runner.finished.is_set():
        _wait(app, lambda: window.session.state == "idle", 30)
        raise RuntimeError(f"{family} did not train: " + window.log_dock.text().strip().splitlines()[-1])
    ticks: list[float] = []
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(TICK_MS)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    redraws0, samples0 = window.losses_dock.redraws, window.samples_dock.updates
    step0, t0, cpu0 = runner.step_now, time.perf_counter(), time.process_time()
    timer.start()
    _pump(app, seconds)
    timer.stop()
    step1, t1, cpu1 = runner.step_now, time.perf_counter(), time.process_time()
    redraws = window.losses_dock.redraws - redraws0
    samples = window.samples_dock.updates - samples0
    window.controls.stop.trigger()
    _wait(app, lambda: window.session.state == "idle", 30)
    gaps = np.diff(np.array(ticks)) * 1000.0
    lateness = np.clip(gaps - TICK_MS, 0.0, None)
    return config, {
        "lateness": lateness,
        "steps_per_s": (step1 - step0) / (t1 - t0),
        "plot_hz": redraws / (t1 - t0),
        "samples_hz": samples / (t1 - t0),
        "window_cpu": (cpu1 - cpu0) / (t1 - t0),   # cores the window's own process kept busy meanwhile
    }


def measure_headless(config, seconds: float, root: Path, how: str = "child") -> float:
    """The same config without a window: its own training process (``how="child"``, what the window
    runs) or a bare in-process Runner (``"thread"``), drained every 25 ms by a plain loop (no Qt)."""
    if how == "child":
        from engine.training.child import ChildRunner as Make
    else:
        from engine.training.runner import Runner as Make
    runner = Make(config, root / f"headless-{config.family}-{time.monotonic_ns()}")
    runner.start()
    t_start = time.perf_counter()
    while runner.step_now == 0 or time.perf_counter() - t_start < WARMUP_S:
        runner.poll()
        time.sleep(0.025)
        if time.perf_counter() - t_start > 120:
            raise RuntimeError(f"{config.family} did not train headless")
    step0, t0 = runner.step_now, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        runner.poll()
        time.sleep(0.025)
    step1, t1 = runner.step_now, time.perf_counter()
    runner.stop_and_join(30)
    runner.poll()
    return (step1 - step0) / (t1 - t0)


def _load() -> float:
    """The 1-minute load average (other processes make every figure here worse), or NaN."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--families", default="", help="comma-separated (default: every available family)")
    ap.add_argument("--data", default="moons")
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--rounds", type=int, default=2, help="window/headless pairs per family (medians)")
    ap.add_argument("--in-process", action="store_true",
                    help="the window trains on a thread of its own process (the design before issue 17), "
                         "compared with a bare in-process Runner: the before of a before/after")
    ap.add_argument("--headless", choices=("child", "thread"), default="child",
                    help="headless side: the same training process without a window, or a bare in-process Runner")
    args = ap.parse_args()

    if args.in_process:
        args.headless = "thread"
    load_before = _load()
    tmp = Path(tempfile.mkdtemp(prefix="genlab-ui-latency-"))
    os.environ["GENLAB_WORKSPACE"] = str(tmp / "runs")
    from gui.app import make_app
    from gui.main_window import MainWindow
    from gui.settings import open_settings
    from gui.session import RunSession
    RunSession.in_process = args.in_process
    app = make_app()
    window = MainWindow(settings=open_settings(tmp / "settings.ini"))
    window.resize(1360, 860)  # a desktop-sized window (the offscreen screen is 800x600)
    window.show()
    if not _wait(app, lambda: window.session.state == "idle", 300):
        sys.exit("PyTorch did not become ready")
    families = [f for f in args.families.split(",") if f] or window.warmup.info["families"]
    rows, out = [], {}
    for family in families:
        windows, headless_rates = [], []
        try:
            for _ in range(args.rounds):  # alternate, so a change in the machine's load hits both sides
                config, w = measure_window(app, window, family, args.data, args.seconds, args.device)
                windows.append(w)
                headless_rates.append(measure_headless(config, args.seconds, tmp, args.headless))
        except RuntimeError as e:  # a family that fails is reported, and left out of the JSON
            print(f"{family}: skipped: {e}", file=sys.stderr, flush=True)
            rows.append([family] + ["failed"] * 10)
            continue
        headless = statistics.median(headless_rates)
        w = {"lateness": np.concatenate([x["lateness"] for x in windows]),
             "steps_per_s": statistics.median(x["steps_per_s"] for x in windows),
             "plot_hz": statistics.median(x["plot_hz"] for x in windows),
             "samples_hz": statistics.median(x["samples_hz"] for x in windows),
             "window_cpu": statistics.median(x["window_cpu"] for x in windows)}
        lat = w["lateness"]
        pct = {k: round(float(np.percentile(lat, q)), 2) for k, q in (("p50", 50), ("p95", 95), ("p99", 99))}
        pct["max"] = round(float(lat.max()), 2)
        ratio = w["steps_per_s"] / headless if headless > 0 else float("nan")
        out[family] = {"lateness_ms": pct, "steps_ratio": round(ratio, 3), "window_cpu": round(w["window_cpu"], 2)}
        rows.append([family, pct["p50"], pct["p95"], pct["p99"], pct["max"], round(w["plot_hz"], 1),
                     round(w["samples_hz"], 1), round(w["steps_per_s"], 1), round(headless, 1), round(ratio, 3),
                     round(w["window_cpu"], 2)])
        print(f"{family}: done", file=sys.stderr, flush=True)
    window.close()
    print(f"ui_latency: {args.data}, {args.rounds} x {args.seconds:g} s per family after {WARMUP_S:g} s, "
          f"device {args.device}, "
          f"{os.cpu_count()} cores, load average {load_before:.1f} before / {_load():.1f} after; "
          f"window trains {'in-process' if args.in_process else 'in a child process'}, headless = {args.headless}; targets p99 <= 25 ms, max <= 100 ms, ratio >= 0.95")
    print_table(["family", "p50 ms", "p95 ms", "p99 ms", "max ms", "plot Hz", "samples Hz", "steps/s window",
                 "steps/s headless", "ratio", "window cores"], rows)
    emit_json(out, name="ui_latency")


if __name__ == "__main__":
    main()
