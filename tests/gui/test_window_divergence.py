"""A loss that blows up while the person looks away: the loop rolls back by itself, and the window says so
where it is seen (the notice strip), shows the halved learning rate in the form, and trains on.

In-process training (a thread of the window), since only this process can throw the live model's weights
off; the engine side is tests/engine/test_divergence.py."""

from __future__ import annotations

import pytest
import torch

from engine.training.divergence import MIN_REPORTS
from tests.gui.conftest import start_in_process_run


def test_a_diverging_run_rolls_back_by_itself_and_the_notice_says_so(make_window, qtbot):
    w = make_window()
    runner, lr = start_in_process_run(w, "diffusion")
    form = w.setup_dock.train_form.widgets
    qtbot.waitUntil(lambda: runner.trainer is not None and runner.trainer.step >= 5 * (MIN_REPORTS + 8)
                    and runner.trainer._last_ckpt_step >= 20, timeout=60_000)
    with qtbot.waitSignal(w.bridge.training_paused, timeout=10_000):
        w.controls.pause.trigger()
    with torch.no_grad():                                     # finite, but far from anything learned
        gen = torch.Generator().manual_seed(0)
        for p in runner.trainer.model.parameters():
            p.add_(torch.randn(p.shape, generator=gen) * 3.0)
    with qtbot.waitSignal(w.bridge.rolled_back, timeout=60_000) as back:
        w.controls.pause.trigger()                            # resume: the person asked for nothing else
    assert back.args[0].lr == pytest.approx(lr / 2)
    qtbot.waitUntil(lambda: "The loss blew up" in w.notice.label.text(), timeout=10_000)
    assert w.notice.isVisible() and f"step {back.args[0].step:,}" in w.notice.label.text()
    assert form["lr"].value() == pytest.approx(lr / 2)
    assert "was diverging" in w.log_dock.text()
    step = runner.trainer.step
    qtbot.waitUntil(lambda: runner.trainer.step > step + 10, timeout=30_000)
