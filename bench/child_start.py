"""How soon the window's first Train starts, and what the training process's channel costs.

Opens the real window offscreen, waits for its PyTorch warm-up (the session turns ``idle``) and, with
``--warm`` (the default), for the warm training process to say ready; then presses Train on ``moons``
and measures Train -> ``RunStarted`` and Train -> first ``StepCompleted`` as the window receives them.
``--cold`` presses Train without a warm process (the import is paid after the press). Then it trains
for ``--seconds`` with samples drawn often and reports the channel: frames/s, MB/s and the share of
one core the window's reader thread spends unpickling (snapshots and sample grids included).

Target (issue 17): the first Train starts within 1 s of the warm-up finishing.

    python bench/child_start.py [--family vae] [--seconds 5] [--cold]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from common import emit_json, print_table, wait_until  # noqa: E402


def _wait(app, predicate, timeout: float) -> bool:
    return wait_until(app, predicate, timeout, slice_ms=5, nap=0.001)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--family", default="vae")
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--cold", action="store_true", help="no warm training process: pay PyTorch's import after Train")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="genlab-child-start-"))
    os.environ["GENLAB_WORKSPACE"] = str(tmp / "runs")
    from gui.app import make_app
    from gui.main_window import MainWindow
    from gui.session import RunSession
    from gui.settings import open_settings
    RunSession.keep_warm = not args.cold
    app = make_app()
    w = MainWindow(settings=open_settings(tmp / "settings.ini"))
    w.show()
    if not _wait(app, lambda: w.session.state == "idle", 300):
        sys.exit("PyTorch did not become ready")
    t_ready = time.perf_counter()
    setup = w.setup_dock
    setup.family_combo.setCurrentIndex(setup.family_combo.findData(args.family))
    _wait(app, lambda: w.data_dock.summary is not None and w.data_dock.summary["name"] == "moons", 60)
    if not args.cold:
        _wait(app, lambda: w.session.warm is not None and w.session.warm.ready.is_set(), 120)
    warm_after = time.perf_counter() - t_ready
    form = setup.train_form.widgets
    form["steps"].setValue(100_000_000)
    form["log_every"].setValue(1)
    form["sample_every"].setValue(1)
    marks = {}
    w.bridge.run_started.connect(lambda _e: marks.setdefault("started", time.perf_counter()))
    w.bridge.steps_completed.connect(lambda _e: marks.setdefault("step", time.perf_counter()))
    t0 = time.perf_counter()
    w.controls.train.trigger()
    _wait(app, lambda: "step" in marks, 120)
    runner = w.session.runner
    stats0 = dict(runner.worker.stats)
    s0 = time.perf_counter()
    _wait(app, lambda: False, args.seconds)
    s1 = time.perf_counter()
    stats = runner.worker.stats
    span = s1 - s0
    frames = (stats.get("frames", 0) - stats0.get("frames", 0)) / span
    mbps = (stats.get("bytes", 0) - stats0.get("bytes", 0)) / span / 1e6
    decode = (stats.get("decode_s", 0.0) - stats0.get("decode_s", 0.0)) / span
    w.controls.stop.trigger()
    _wait(app, lambda: w.session.state == "idle", 30)
    w.close()
    out = {"family": args.family, "warm": not args.cold, "warm_process_ready_after_s": round(warm_after, 3),
           "train_to_run_started_s": round(marks.get("started", float("nan")) - t0, 3),
           "train_to_first_step_s": round(marks.get("step", float("nan")) - t0, 3),
           "frames_per_s": round(frames, 1), "channel_mb_per_s": round(mbps, 3),
           "decode_core_share": round(decode, 4)}
    print(f"child_start: {args.family} on moons, {'warm' if not args.cold else 'cold'} training process, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; target Train -> start <= 1 s")
    print_table(list(out), [list(out.values())])
    emit_json(out, name="child_start")


if __name__ == "__main__":
    main()
