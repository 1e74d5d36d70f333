"""The window trains: pick moons + VAE, Train, see losses and samples; pause, step, resume, stop."""

from __future__ import annotations

import os

import numpy as np

from tests.gui.conftest import choose


def test_train_shows_losses_and_samples_then_pause_resume_stop(make_window, qtbot):
    w = make_window()
    choose(w, "moons", "vae", steps=1_000_000)
    setup = w.setup_dock
    setup.train_form.widgets["sample_every"].setValue(50)
    qtbot.waitUntil(lambda: w.data_dock.summary is not None and w.data_dock.summary["name"] == "moons")
    assert w.controls.train.isEnabled() and not w.controls.stop.isEnabled()

    with qtbot.waitSignal(w.bridge.samples_ready, timeout=60_000):
        w.controls.train.trigger()
    assert w.session.state == "running"
    assert w.session.runner.dataset is w.data_dock.dataset  # the previewed data is what trains
    qtbot.waitUntil(lambda: w.losses_dock.point_count() > 0 and w.samples_dock.updates >= 2, timeout=60_000)
    qtbot.waitUntil(lambda: w.losses_dock.redraws > 0, timeout=5_000)
    x, y = w.losses_dock.curves["loss"].getData()
    assert x is not None and len(x) > 0 and np.isfinite(y).any()
    pts = w.samples_dock.scatter_view.samples
    assert pts is not None and len(pts) > 100 and np.ptp(pts, axis=0).min() > 0.1  # not blank, not one dot
    assert w.samples_dock.scatter_view.reference is not None  # held-out data under the samples

    # live change: the learning rate reaches the optimiser; a non-live knob asks for a restart
    setup.train_form.widgets["lr"].setValue(0.0005)
    runner = w.session.runner
    qtbot.waitUntil(lambda: "changed train.lr = 0.0005" in w.log_dock.text(), timeout=10_000)
    assert runner.pid != os.getpid()           # that line came from the training process, which applied it
    setup.model_form.widgets["hidden"].setValue(64)
    assert setup.pending_label.isVisible() and "hidden" in setup.pending_label.text()

    with qtbot.waitSignal(w.bridge.training_paused, timeout=10_000):
        w.controls.pause.trigger()
    assert w.controls.pause.text() == "Resume"
    step = runner.step_now
    qtbot.wait(300)
    assert runner.step_now == step

    with qtbot.waitSignal(w.bridge.steps_completed, timeout=10_000) as blocker:
        w.controls.step.trigger()
    assert blocker.args[0][-1].step == step + 1
    qtbot.wait(200)
    assert runner.step_now == step + 1 and w.session.state == "paused"

    with qtbot.waitSignal(w.bridge.training_resumed, timeout=10_000):
        w.controls.pause.trigger()
    qtbot.waitUntil(lambda: runner.step_now > step + 5, timeout=20_000)

    with qtbot.waitSignal(w.bridge.training_finished, timeout=10_000) as done:
        w.controls.stop.trigger()
    assert done.args[0].reason == "stopped"
    assert runner.join(5) and not runner.alive
    qtbot.waitUntil(lambda: w.session.state == "idle")
    assert w.controls.train.isEnabled() and not setup.pending_label.isVisible()
    assert list((w.session.run_dir / "checkpoints").glob("ckpt_*.json"))
    # the scrubber reads the stored grids back from the run folder
    assert len(w.samples_dock.history) >= 2
    w.samples_dock.scrubber.setValue(0)
    assert not w.samples_dock.live and w.samples_dock.caption.text().startswith("Stored")


def test_step_from_idle_starts_a_paused_run_with_one_step(make_window, qtbot):
    w = make_window()
    choose(w, "moons", "vae", steps=1000)
    from engine.config import RunConfig
    assert w.setup_dock.train_form.widgets["lr"].value() == RunConfig(family="vae").train.lr  # family default
    with qtbot.waitSignal(w.bridge.steps_completed, timeout=60_000) as blocker:
        w.controls.step.trigger()
    assert blocker.args[0][-1].step == 1
    assert w.session.state == "paused"
    with qtbot.waitSignal(w.bridge.training_finished, timeout=10_000):
        w.controls.stop.trigger()
    assert w.session.runner.join(5)


def test_gan_step_d_and_step_g_update_one_player_each(make_window, qtbot):
    import pytest
    w = make_window()
    if "gan" not in w.warmup.info["families"]:
        pytest.skip("the GAN family is not in this build")
    choose(w, "moons", "gan", steps=1000)
    assert w.controls.step_d.isVisible() and w.controls.step_d.isEnabled()
    w.setup_dock.train_form.widgets["sample_every"].setValue(1)   # a snapshot of the weights after every step
    config = w.setup_dock.config()
    with qtbot.waitSignal(w.bridge.training_paused, timeout=60_000):
        w.session.train(config, paused=True)
    snaps = {}
    w.bridge.snapshot_published.connect(lambda s: snaps.__setitem__(s.step, s))

    def player(step, name):  # one player's parameters in the training process's snapshot at ``step``
        return [p.detach() for p in getattr(snaps[step].build_model(), name).parameters()]

    def same(a, b):
        return len(a) == len(b) > 0 and all((x == y).all() for x, y in zip(a, b))

    for n, trigger in enumerate((w.controls.step_d, w.controls.step_g, w.controls.step_d), start=1):
        trigger.trigger()
        qtbot.waitUntil(lambda n=n: n in snaps, timeout=20_000)
    assert w.session.runner.step_now == 3
    # step 2 was Step G: the generator moved, the discriminator did not; step 3 (Step D) the other way
    assert not same(player(1, "generator"), player(2, "generator"))
    assert same(player(1, "discriminator"), player(2, "discriminator"))
    assert same(player(2, "generator"), player(3, "generator"))
    assert not same(player(2, "discriminator"), player(3, "discriminator"))
    with qtbot.waitSignal(w.bridge.training_finished, timeout=10_000):
        w.controls.stop.trigger()
