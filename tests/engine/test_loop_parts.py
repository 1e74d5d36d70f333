"""The training loop's parts (issue 14): the loss meter, the training clock, and the one path by which an
``Interrupted`` ends a run as "stopped" wherever it is raised: while drawing the first grid, a grid
during training or the last one, in an evaluation during training or the final one, or in a step.

The interruptions are real: the stop flag is set the moment the family starts sampling or evaluating,
and the family's own ``check_interrupt`` (the diffusion sampler's loop, the VAE's importance-weighted
bound) raises ``Interrupted``; no family checks inside a training step, so there the test checks
right after setting the flag, as a family that did would."""

from __future__ import annotations

import json
import time

import pytest
import torch

from engine.events import EvaluationCompleted, SamplesReady, StepCompleted, TrainingFinished
from engine.interrupt import check_interrupt
from engine.runs.checkpoint import latest_checkpoint
from engine.runs.status import read_status
from engine.training.loop import Controls, Trainer
from engine.training.meters import LossMeter, TrainingClock
from tests.engine.runs_helpers import tiny_config


# ---- loss meter ----------------------------------------------------------------------------------------
class ItemCounter:
    """Counts ``Tensor.item`` calls (each one waits for the device to finish: a host sync)."""

    def __init__(self, monkeypatch):
        self.calls = 0
        original = torch.Tensor.item

        def counted(tensor):
            self.calls += 1
            return original(tensor)
        monkeypatch.setattr(torch.Tensor, "item", counted)


def test_the_loss_meter_averages_each_term_and_reads_the_device_only_when_reporting(monkeypatch):
    items = ItemCounter(monkeypatch)
    meter = LossMeter(step=10)
    values = [(1.0, 4.0), (2.0, 5.0), (6.0, 0.0)]
    for loss, kl in values:
        meter.add({"loss": torch.tensor(loss), "kl": torch.tensor(kl)})
    assert items.calls == 0 and meter.steps == 3
    losses, rate = meter.read(13)
    assert items.calls == 2                                    # one per term, at report time only
    assert losses == pytest.approx({"loss": 3.0, "kl": 3.0}) and rate > 0
    meter.restart(13)
    assert meter.steps == 0 and meter.sums == {}
    meter.add({"loss": torch.tensor(7.0)})
    assert meter.read(14)[0] == {"loss": 7.0}


def test_the_loss_meter_keeps_its_own_copy_of_the_first_loss():
    meter = LossMeter()
    first = torch.tensor(1.0)
    meter.add({"loss": first})
    first += 100.0                                              # a family reusing its tensor in place
    meter.add({"loss": torch.tensor(3.0)})
    assert meter.read(2)[0] == {"loss": 2.0}


def test_the_loop_reads_losses_only_when_it_reports(monkeypatch, tmp_path):
    """Between two loss reports the loop adds one ``.item()`` per loss term to what the family's own
    steps make (the optimiser reads its step counter; a bare loop over ``training_step`` counts them),
    so a step on a GPU is never waited for outside logging."""
    cfg = tiny_config("vae", steps=60, log_every=20, sample_every=10_000, checkpoint_every=10_000)
    items = ItemCounter(monkeypatch)
    bare = Trainer(cfg, None)
    batch = bare.next_batch()
    bare.model.training_step(batch, bare.gen_model)             # the optimiser's state exists from here on
    before = items.calls
    for _ in range(20):
        bare.model.training_step(batch, bare.gen_model)
    per_20_steps = items.calls - before

    trainer = Trainer(cfg, None)
    seen = []
    for ev in trainer.events(Controls(interactive=False)):
        if isinstance(ev, StepCompleted):
            seen.append((ev.step, items.calls, len(ev.losses)))
    assert [s for s, _, _ in seen] == [20, 40, 60]
    terms = seen[0][2]
    assert terms == 3                                           # the VAE's loss, recon and kl
    grad_terms = len(trainer.model.grad_norms)                  # one gradient norm per optimiser, logged too
    assert grad_terms == 1
    assert [b[1] - a[1] for a, b in zip(seen, seen[1:])] == [per_20_steps + terms + grad_terms] * 2


def test_the_training_clock_leaves_out_paused_time_and_counts_earlier_sessions():
    now = [100.0]
    clock = TrainingClock(lambda: now[0], elapsed=7.0)
    assert clock.now() == 7.0                                   # not started: the first grid is not counted
    clock.start()
    now[0] = 103.0
    with clock.paused():
        now[0] = 150.0
    now[0] = 151.0
    assert clock.now() == pytest.approx(7.0 + 3.0 + 1.0)


# ---- one interrupt path --------------------------------------------------------------------------------
def stop_inside(trainer: Trainer, controls: Controls, method: str, when, check: bool = False) -> list[int]:
    """Press Stop when the model's ``method`` starts at a step ``when(step)`` accepts; the steps it did."""
    original = getattr(trainer.model, method)
    stopped_at = []

    def wrapped(*args, **kwargs):
        if when(trainer.step) and not stopped_at:
            stopped_at.append(trainer.step)
            controls.request_stop()
            if check:
                check_interrupt()
        return original(*args, **kwargs)
    setattr(trainer.model, method, wrapped)
    return stopped_at


CASES = {  # name: family, model method, at which step, settings, whether the test checks the flag itself
    "first grid": ("diffusion", "sample", lambda s: s == 0, {}, False),
    "grid during training": ("diffusion", "sample", lambda s: 0 < s < 60, dict(sample_every=20, sample_budget=1.0),
                             False),
    "last grid": ("diffusion", "sample", lambda s: s == 60, {}, False),
    "evaluation during training": ("vae", "log_likelihood", lambda s: s < 60, dict(eval_every=20), False),
    "final evaluation": ("vae", "log_likelihood", lambda s: s == 60, {}, False),
    "training step": ("vae", "training_step", lambda s: s == 33, {}, True),
}


@pytest.mark.parametrize("case", CASES)
def test_an_interruption_anywhere_ends_the_run_as_stopped_with_its_state_saved(case, tmp_path):
    family, method, when, settings, check = CASES[case]
    cfg = tiny_config(family, steps=60, log_every=5, checkpoint_every=10_000,
                      **{"sample_every": 10_000, **settings})
    run = tmp_path / "run"
    trainer = Trainer(cfg, run)
    controls = Controls(interactive=True)
    stopped_at = stop_inside(trainer, controls, method, when, check)
    events = list(trainer.events(controls))

    assert stopped_at, "the interruption never happened"
    step = stopped_at[0]
    finished = events[-1]
    assert isinstance(finished, TrainingFinished) and finished.reason == "stopped" and finished.step == step
    assert trainer.step == step and finished.metrics == {}
    assert not any(isinstance(e, TrainingFinished) for e in events[:-1])
    # no evaluation (and, when a grid was cut short, no grid) at or after that step
    assert not [e for e in events if isinstance(e, EvaluationCompleted) and e.step >= step]
    if method == "sample":
        assert not [e for e in events if isinstance(e, SamplesReady) and e.step >= step]
    # the state at that step is saved and the run says how it ended
    assert latest_checkpoint(run / "checkpoints").step == step
    status = read_status(run)
    assert status["state"] == "stopped" and status["reason"] == "stopped" and status["step"] == step
    last = json.loads((run / "metrics.jsonl").read_text().splitlines()[-1])
    assert last == {"event": "finished", "step": step, "time": last["time"], "reason": "stopped"}


def test_an_interruption_while_drawing_after_a_rollback_ends_the_run_as_stopped(tmp_path):
    cfg = tiny_config("diffusion", steps=100_000, log_every=5, checkpoint_every=10, sample_every=10_000)
    run = tmp_path / "run"
    trainer = Trainer(cfg, run)
    controls = Controls(interactive=True)
    events = []
    deadline = time.monotonic() + 120
    for ev in trainer.events(controls):
        events.append(ev)
        if isinstance(ev, StepCompleted) and ev.step == 15:
            controls.request_rollback(0.5, resume=True)
            stop_inside(trainer, controls, "sample", lambda s: True)
        assert time.monotonic() < deadline
    finished = events[-1]
    assert isinstance(finished, TrainingFinished) and finished.reason == "stopped" and finished.step == 10
    assert read_status(run)["state"] == "stopped"
