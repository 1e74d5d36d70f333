"""The display-sample schedule keeps drawing under its share of the wall time at any run length."""

import pytest

from engine.training.loop import SampleSchedule


@pytest.mark.parametrize("cost,step_s", [(0.5, 0.01), (0.05, 0.002), (0.5, 0.4)])
def test_drawing_during_training_stays_within_its_budget(cost, step_s):
    schedule = SampleSchedule(every=1, budget=0.1)
    now, spent, draws, start = 0.0, 0.0, 0, None
    for step in range(20000):
        if step == 0 or schedule.due(step, now):
            schedule.record(step, now, now + cost)
            now += cost
            draws += 1
            if start is None:  # the run's first grid comes before training: its clock starts after it
                start = now
            else:              # the grids drawn during training never pass 10 % of the training time
                spent += cost
                assert spent / (now - start) <= 0.1 + 1e-9
        now += step_s
    assert draws >= 0.9 * 0.1 * now / cost  # and it uses most of its budget (steps are coarse)


def test_a_slow_first_grid_delays_the_second_only_by_the_spacing_rule():
    """The first grid carries one-off warm-up costs; the next one waits 9 times its cost, no longer."""
    schedule = SampleSchedule(every=1, budget=0.1)
    schedule.record(0, 0.0, 2.0)
    assert not schedule.due(1, 19.9) and schedule.due(1, 20.0)


def test_every_n_steps_still_applies():
    schedule = SampleSchedule(every=100, budget=1.0)
    schedule.record(0, 0.0, 0.0)
    assert not schedule.due(99, 10.0) and schedule.due(100, 10.0)
