"""Loss buffers, smoothing and the symmetric log scale; the losses dock with gaps and a million points."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.events import StepCompleted
from gui.plots.series import GrowableArray, LossSeries, ema, pick_linear_threshold, symlog, symlog_inverse


def reference_ema(x, w):
    acc, n, out = 0.0, 0, []
    for v in x:
        if not math.isfinite(v):
            out.append(math.nan)
            continue
        acc = w * acc + (1 - w) * v
        n += 1
        out.append(acc / (1 - w ** n))
    return np.array(out)


@pytest.mark.parametrize("w", [0.0, 0.3, 0.9, 0.995])
def test_ema_matches_the_loop_across_chunks_and_skips_non_finite(w):
    rng = np.random.default_rng(1)
    x = rng.normal(3.0, 1.0, 1000)
    x[[0, 17, 400, 999]] = [np.nan, np.inf, -np.inf, np.nan]
    first, state = ema(x[:333], w)
    second, _ = ema(x[333:], w, state)
    got = np.concatenate([first, second])
    want = reference_ema(x, w)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    assert np.allclose(got[~np.isnan(got)], want[~np.isnan(want)], rtol=1e-9, atol=1e-12)


def test_buffers_grow_by_doubling():
    buf = GrowableArray(capacity=4)
    for i in range(1000):
        buf.extend([i])
    assert buf.size == 1000 and buf.capacity == 1024 and buf.reallocations == 8
    assert np.array_equal(buf.view(), np.arange(1000))


def test_symlog_is_monotone_defined_for_negatives_and_inverts():
    y = np.array([-1e4, -3.0, -0.01, 0.0, 0.01, 2.0, 5e5])
    for c in (1e-3, 1.0, 100.0):
        t = symlog(y, c)
        assert np.all(np.diff(t) > 0)
        assert np.allclose(symlog_inverse(t, c), y, rtol=1e-9, atol=1e-12)
    assert pick_linear_threshold(np.array([200.0, 300.0, -250.0])) == 1.0
    assert pick_linear_threshold(np.array([0.05, 0.04])) == 1e-4


def test_series_readout_finds_the_nearest_point():
    s = LossSeries("loss")
    s.extend([10, 20, 30], [1.0, 2.0, 3.0], [5.0, 4.0, 3.0], weight=0.0, scale=None)
    assert s.value_at(21, "steps") == (20.0, 4.0, 4.0)
    assert s.value_at(2.9, "seconds")[0] == 3.0
    assert s.value_at(-5, "steps")[0] == 10.0


def _events(steps, values):
    return [StepCompleted(step=int(s), elapsed=float(s) / 100, losses={"loss": float(v), "d_loss": -float(v)},
                          steps_per_second=100.0, total_steps=10**7) for s, v in zip(steps, values)]


def test_losses_dock_draws_gaps_for_non_finite_values_and_reports_them(qtbot, qapp):
    from gui.docks.losses_dock import LossesDock
    dock = LossesDock()
    qtbot.addWidget(dock)
    dock.show()
    reports = []
    dock.non_finite_seen.connect(lambda *a: reports.append(a))
    values = np.linspace(2.0, 1.0, 200)
    values[120] = np.nan
    dock.add_steps(_events(range(1, 201), values))
    qtbot.waitUntil(lambda: dock.redraws > 0, timeout=2000)
    assert reports and reports[0][0] == "loss" and reports[0][1] == 121
    x, y = dock.curves["loss"].getOriginalDataset()
    assert len(x) == 200 and math.isnan(y[120]) and np.isfinite(np.delete(y, 120)).all()
    assert set(dock.curves) == {"loss", "d_loss"}
    assert len(dock.legend.items) == 2

    # symmetric log copes with the negative d_loss; the axis labels real values
    dock.set_log_scale(True)
    before = dock.redraws
    qtbot.waitUntil(lambda: dock.redraws > before, timeout=2000)
    _, yd = dock.curves["d_loss"].getOriginalDataset()
    finite = yd[np.isfinite(yd)]
    assert (finite < 0).all() and dock.left_axis.threshold is not None
    labels = dock.left_axis.tickStrings([symlog(-1.0, dock.left_axis.threshold)], 1, 1)
    assert labels == ["-1"]

    # x axis in seconds
    dock.set_axis("seconds")
    before = dock.redraws
    qtbot.waitUntil(lambda: dock.redraws > before, timeout=2000)
    x, _ = dock.curves["loss"].getOriginalDataset()
    assert x[-1] == pytest.approx(2.0)


def test_losses_dock_holds_a_million_points_in_doubling_buffers(qtbot, qapp):
    from gui.docks.losses_dock import LossesDock
    dock = LossesDock()
    qtbot.addWidget(dock)
    dock.show()
    n = 1_000_000
    series = dock._add_series("loss")
    steps = np.arange(1, n + 1, dtype=np.float64)
    series.extend(steps, steps / 1000, 1.0 / np.sqrt(steps), dock.weight, None)
    dock._dirty = True
    dock._update_plot()
    x, y = dock.curves["loss"].getOriginalDataset()
    assert len(x) == n and series.raw.reallocations <= 11
    dock.plot.grab()  # paints through peak downsampling without error
    shown_x, _ = dock.curves["loss"].getData()
    assert len(shown_x) < n  # downsampled for display
